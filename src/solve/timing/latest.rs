//! Latest starts: the greatest schedule of the current routes, by lowering
//! upper bounds backwards through the inverse of every rule.

use std::collections::VecDeque;

use super::{BREAK, Timing, gap};

impl Timing<'_> {
    /// The greatest start of placed visit `v` that the windows, the shift
    /// ends and the current upper bounds `up` of the others allow.
    fn upper(&self, v: usize, up: &[i32]) -> i32 {
        let p = self.p;
        let vs = &p.visits[v];
        let mut ub = vs.tw_end;
        for &(r, i) in &self.slots[v] {
            let route = &self.routes[r];
            let brk = route.get(i + 1) == Some(&BREAK);
            let j = self.next_index(r, i);
            let next = route.get(j).map_or(p.rounds[r].end, |&w| up[w]);
            let t = p.time(r, vs.node, self.node_at(r, j));
            let b = if brk { p.rounds[r].brk.as_ref() } else { None };
            let pe = gap::latest_end(next, t, b, j == route.len());
            ub = ub.min(pe.saturating_sub(vs.duration));
        }
        for &(w, g) in self.rules.ties_from(v) {
            if self.is_placed(w) {
                ub = ub.min(up[w] - g);
            }
        }
        ub
    }

    /// The latest start of every placed visit (`None`: not placed) in any
    /// schedule of the current routes, with every other visit moving as it
    /// must; `latest(v) - earliest(v)` is `v`'s slack.
    pub fn latest(&self) -> Vec<Option<i32>> {
        let n = self.start.len();
        let mut up = vec![i32::MAX / 4; n];
        let mut queued = vec![false; n];
        let mut queue: VecDeque<usize> = (0..n).filter(|&v| self.is_placed(v)).collect();
        for &v in &queue {
            queued[v] = true;
        }
        while let Some(v) = queue.pop_front() {
            queued[v] = false;
            let ub = self.upper(v, &up);
            if ub >= up[v] {
                continue;
            }
            // The earliest schedule is a schedule, so no bound falls below
            // it; should one (a bug), stop there rather than loop.
            debug_assert!(ub >= self.start[v], "latest below earliest for {v}");
            up[v] = ub.max(self.start[v]);
            for &(r, i) in &self.slots[v] {
                if let Some(u) = self.prev_visit(r, i)
                    && !queued[u]
                {
                    queued[u] = true;
                    queue.push_back(u);
                }
            }
            for &(u, _) in self.rules.ties_into(v) {
                if self.is_placed(u) && !queued[u] {
                    queued[u] = true;
                    queue.push_back(u);
                }
            }
        }
        (0..n).map(|v| self.is_placed(v).then_some(up[v])).collect()
    }
}
