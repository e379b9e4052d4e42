//! Earliest starts: raising starts until every rule holds (the least
//! solution, see the module's documentation), from scratch or from the
//! visits a change touched, with a log to undo it.

use std::collections::VecDeque;

use super::{BREAK, Change, Infeasible, Op, Timing, UNSET};

/// Old starts, in the order they changed.
type Log = Vec<(usize, i32)>;

impl Timing<'_> {
    /// The least start of placed visit `v` its window, routes and ties
    /// allow given the current starts of the others.
    #[inline]
    fn lower(&self, v: usize) -> Result<i32, Infeasible> {
        let mut lb = self.p.visits[v].tw_start;
        for &(r, i) in &self.slots[v] {
            lb = lb.max(self.arrival(r, i)?);
        }
        for &(u, gap) in self.rules.ties_into(v) {
            if self.is_placed(u) {
                lb = lb.max(self.start[u] + gap);
            }
        }
        Ok(lb)
    }

    /// Raise starts from `seeds` until every rule holds, logging each old
    /// start; the first broken rule, or a positive cycle, if any.
    pub(super) fn push(&mut self, seeds: &[usize], log: &mut Log) -> Result<(), Infeasible> {
        let mut queue: VecDeque<usize> = VecDeque::with_capacity(seeds.len());
        for &v in seeds {
            if !self.queued[v] {
                self.queued[v] = true;
                queue.push_back(v);
            }
        }
        let limit = ((self.placed + 1) * (1 + self.breaks())) as u32;
        let mut raised = Vec::new();
        let out = self.rise(&mut queue, log, &mut raised, limit);
        for v in queue {
            self.queued[v] = false;
        }
        for v in raised {
            self.raises[v] = 0;
        }
        out
    }

    fn rise(
        &mut self,
        queue: &mut VecDeque<usize>,
        log: &mut Log,
        raised: &mut Vec<usize>,
        limit: u32,
    ) -> Result<(), Infeasible> {
        while let Some(v) = queue.pop_front() {
            self.queued[v] = false;
            let lb = self.lower(v)?;
            if lb <= self.start[v] {
                continue;
            }
            if lb > self.p.visits[v].tw_end {
                return Err(Infeasible::Window { visit: v });
            }
            if self.raises[v] == 0 {
                raised.push(v);
            }
            self.raises[v] += 1;
            if self.raises[v] > limit {
                return Err(Infeasible::Cycle { visit: v });
            }
            log.push((v, self.start[v]));
            self.start[v] = lb;
            // Indexed loops: `enqueue` needs `self` mutably.
            let mut k = 0;
            while let Some(&(r, i)) = self.slots[v].get(k) {
                let j = self.next_index(r, i);
                match self.routes[r].get(j) {
                    Some(&w) => self.enqueue(queue, w),
                    None => self.check_end(r)?,
                }
                k += 1;
            }
            let mut k = 0;
            while let Some(&(w, _)) = self.rules.ties_from(v).get(k) {
                if self.is_placed(w) {
                    self.enqueue(queue, w);
                }
                k += 1;
            }
        }
        Ok(())
    }

    #[inline]
    fn enqueue(&mut self, queue: &mut VecDeque<usize>, w: usize) {
        if !self.queued[w] {
            self.queued[w] = true;
            queue.push_back(w);
        }
    }

    /// Time every placed visit from scratch.
    pub(super) fn retime(&mut self, log: &mut Log) -> Result<(), Infeasible> {
        let placed: Vec<usize> = (0..self.start.len())
            .filter(|&v| self.is_placed(v))
            .collect();
        for &v in &placed {
            log.push((v, self.start[v]));
            self.start[v] = UNSET;
        }
        self.push(&placed, log)
    }

    /// Put back the starts of `log`, newest first.
    fn restore(&mut self, log: &Log) {
        for &(v, old) in log.iter().rev() {
            self.start[v] = old;
        }
    }

    /// Renumber the slots of the visits of round `r` from index `from`.
    fn renumber(&mut self, r: usize, from: usize) {
        for i in from..self.routes[r].len() {
            let v = self.routes[r][i];
            if v != BREAK {
                for s in &mut self.slots[v] {
                    if s.0 == r {
                        s.1 = i;
                    }
                }
            }
        }
    }

    /// Whether inserting `v` at index `i` of round `r` can only raise the
    /// least solution: it splits no gap holding the break, and its chain
    /// implies the rule of the gap it splits (a return to the end location
    /// is an upper bound only).
    fn only_raises(&self, v: usize, r: usize, i: usize) -> bool {
        let route = &self.routes[r];
        if (i > 0 && route[i - 1] == BREAK) || route.get(i) == Some(&BREAK) {
            return false;
        }
        if i == route.len() {
            return true;
        }
        let (_, a) = self.end_before(r, i);
        let c = self.node_at(r, i);
        let vs = &self.p.visits[v];
        let p = self.p;
        p.time(r, a, vs.node) + vs.duration + p.time(r, vs.node, c) >= p.time(r, a, c)
    }

    /// How many placed visits' starts the log changed, and the change of
    /// total lateness, each visit counted once from its oldest start.
    fn lateness_change(&mut self, log: &Log) -> (usize, i64) {
        let mut moved = 0;
        let mut change = 0;
        for &(v, old) in log {
            if self.queued[v] {
                continue;
            }
            self.queued[v] = true;
            let now = self.start[v];
            if self.is_placed(v) && now != old {
                moved += 1;
            }
            let was = if old == UNSET {
                0
            } else {
                self.p.lateness_at(v, old)
            };
            let is = if self.is_placed(v) {
                self.p.lateness_at(v, now)
            } else {
                0
            };
            change += is - was;
        }
        for &(v, _) in log {
            self.queued[v] = false;
        }
        (moved, change)
    }

    /// Place visit `v` at `places`, `(round, index in its stops)` in the
    /// current routes, one per carer it needs (two rounds for a double-up),
    /// and re-time. On success the change is kept (and can be undone); on
    /// failure the state is as before.
    pub fn try_insert(
        &mut self,
        v: usize,
        places: &[(usize, usize)],
    ) -> Result<Change, Infeasible> {
        let p = self.p;
        let invalid = Infeasible::Invalid {
            visit: Some(v),
            round: None,
        };
        if v >= self.start.len()
            || self.is_placed(v)
            || places.len() != p.visits[v].required
            || places
                .iter()
                .enumerate()
                .any(|(k, a)| places[..k].iter().any(|b| b.0 == a.0))
            || places
                .iter()
                .any(|&(r, i)| r >= self.routes.len() || i > self.routes[r].len())
        {
            return Err(invalid);
        }
        let travel_before: i64 = places.iter().map(|&(r, _)| self.round_travel(r)).sum();
        let incremental = places.iter().all(|&(r, i)| self.only_raises(v, r, i));
        for &(r, i) in places {
            self.routes[r].insert(i, v);
            self.slots[v].push((r, i));
            self.renumber(r, i + 1);
        }
        self.placed += 1;
        self.start[v] = UNSET;
        let mut log = vec![(v, UNSET)];
        let timed = if incremental {
            self.push(&[v], &mut log)
        } else {
            self.retime(&mut log)
        };
        match timed {
            Ok(()) => {
                let travel_after: i64 = places.iter().map(|&(r, _)| self.round_travel(r)).sum();
                let (moved, lateness) = self.lateness_change(&log);
                self.ops.push(Op::Insert { v, log });
                Ok(Change {
                    moved,
                    lateness,
                    travel: travel_after - travel_before,
                })
            }
            Err(e) => {
                self.restore(&log);
                self.take_out(v);
                Err(e)
            }
        }
    }

    /// Take visit `v` out of its routes (starts untouched but its own);
    /// its places.
    fn take_out(&mut self, v: usize) -> Vec<(usize, usize)> {
        let places = std::mem::take(&mut self.slots[v]);
        for &(r, i) in &places {
            self.routes[r].remove(i);
            self.renumber(r, i);
        }
        self.placed -= 1;
        self.start[v] = UNSET;
        places
    }

    /// Put visit `v` back at `places` (as [`Timing::take_out`] gave them).
    fn put_back(&mut self, v: usize, places: &[(usize, usize)]) {
        for &(r, i) in places {
            self.routes[r].insert(i, v);
            self.slots[v].push((r, i));
            self.renumber(r, i + 1);
        }
        self.placed += 1;
    }

    /// Take placed visit `v` out and re-time from scratch. A removal lowers
    /// starts, except where the gap it leaves holds the break (travel-first
    /// may become impossible), so it can fail: then the state is as before.
    pub fn remove(&mut self, v: usize) -> Result<Change, Infeasible> {
        if v >= self.start.len() || !self.is_placed(v) {
            return Err(Infeasible::Invalid {
                visit: Some(v),
                round: None,
            });
        }
        let rounds: Vec<usize> = self.slots[v].iter().map(|s| s.0).collect();
        let travel_before: i64 = rounds.iter().map(|&r| self.round_travel(r)).sum();
        let mut log = vec![(v, self.start[v])];
        let places = self.take_out(v);
        match self.retime(&mut log) {
            Ok(()) => {
                let travel_after: i64 = rounds.iter().map(|&r| self.round_travel(r)).sum();
                let (moved, lateness) = self.lateness_change(&log);
                self.ops.push(Op::Remove { v, places, log });
                Ok(Change {
                    moved,
                    lateness,
                    travel: travel_after - travel_before,
                })
            }
            Err(e) => {
                self.restore(&log);
                self.put_back(v, &places);
                Err(e)
            }
        }
    }

    /// Undo the last kept change; false if there is none.
    pub fn undo(&mut self) -> bool {
        match self.ops.pop() {
            None => false,
            Some(Op::Insert { v, log }) => {
                self.restore(&log);
                self.take_out(v);
                true
            }
            Some(Op::Remove { v, places, log }) => {
                self.put_back(v, &places);
                self.restore(&log);
                true
            }
        }
    }

    /// Forget the undo log: the current state is final.
    pub fn commit(&mut self) {
        self.ops.clear();
    }

    /// How many changes [`Timing::undo`] can take back.
    pub fn undo_depth(&self) -> usize {
        self.ops.len()
    }
}
