//! Earliest starts: raising starts until every rule holds (the least
//! solution, see the module's documentation), from scratch or from the
//! visits a change touched, with a log to undo it.

use std::collections::VecDeque;

use super::{BREAK, Change, Infeasible, NONE, Op, Timing, UNSET, gap};

/// At most this many break placements [`Timing::try_routes`] times.
pub const BREAK_TRIES: usize = 16;

/// Up to `most` index combinations for choices of `sizes` options each
/// (every size at least 1), by increasing sum of indices.
fn rank_order(sizes: &[usize], most: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let top: usize = sizes.iter().map(|s| s - 1).sum();
    for sum in 0..=top {
        let mut combo = vec![0; sizes.len()];
        fill_sum(sizes, sum, 0, &mut combo, &mut out, most);
        if out.len() >= most {
            break;
        }
    }
    out.truncate(most);
    out
}

/// Every combination from index `k` on whose indices add up to `left`.
fn fill_sum(
    sizes: &[usize],
    left: usize,
    k: usize,
    combo: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
    most: usize,
) {
    if out.len() >= most {
        return;
    }
    if k == sizes.len() {
        if left == 0 {
            out.push(combo.clone());
        }
        return;
    }
    for i in 0..sizes[k].min(left + 1) {
        combo[k] = i;
        fill_sum(sizes, left - i, k + 1, combo, out, most);
    }
    combo[k] = 0;
}

/// Old starts, in the order they changed.
type Log = Vec<(usize, i32)>;

impl Timing<'_> {
    /// The least start of placed visit `v` its window, routes and ties
    /// allow given the current starts of the others, and the visit whose
    /// start gives it ([`NONE`] when a constant does: the window's opening,
    /// the round's start, or an arrival through the break, which is not a
    /// plain difference of two starts).
    #[inline]
    fn lower_why(&self, v: usize) -> Result<(i32, usize), Infeasible> {
        let mut lb = self.p.visits[v].tw_start.max(self.floor[v]);
        let mut why = NONE;
        for &(r, i) in &self.slots[v] {
            let a = self.arrival(r, i)?;
            if a > lb {
                lb = a;
                why = match self.prev_visit(r, i) {
                    Some(u) if self.routes[r][i - 1] != BREAK => u,
                    _ => NONE,
                };
            }
        }
        for &(u, gap) in self.rules.ties_into(v) {
            if self.is_placed(u) && self.start[u] + gap > lb {
                lb = self.start[u] + gap;
                why = u;
            }
        }
        Ok((lb, why))
    }

    /// Whether the visits that set each other's starts in this push
    /// ([`Timing::rise`]'s `why`) lead from `v` back to `v`: then their
    /// rules form a positive cycle (each start was raised by the one before
    /// it, around the loop), found after a turn or two instead of after
    /// every visit's start has risen once per placed visit.
    fn loops_back(&self, v: usize) -> bool {
        let mut x = self.why[v];
        for _ in 0..=self.placed {
            if x == NONE {
                return false;
            }
            if x == v {
                return true;
            }
            x = self.why[x];
        }
        false
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
            self.why[v] = NONE;
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
            let (lb, why) = self.lower_why(v)?;
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
            self.why[v] = why;
            if self.raises[v] > limit || (self.raises[v] > 1 && self.loops_back(v)) {
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

    /// Re-time only what `seeds` can reach: the placed visits after them
    /// in their rounds (past the break) and through ties, transitively.
    /// No other visit's least start depends on them, so resetting just
    /// these and raising them again gives the least solution, as
    /// [`Timing::retime`] would, in time proportional to what they reach.
    pub(super) fn retime_from(&mut self, seeds: &[usize], log: &mut Log) -> Result<(), Infeasible> {
        let reach = self.reach(seeds);
        for &v in &reach {
            log.push((v, self.start[v]));
            self.start[v] = UNSET;
        }
        self.push(&reach, log)
    }

    /// The placed visits `seeds` reach along routes and ties (the seeds
    /// that are placed included).
    fn reach(&mut self, seeds: &[usize]) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &v in seeds {
            if self.is_placed(v) && !self.queued[v] {
                self.queued[v] = true;
                out.push(v);
            }
        }
        let mut k = 0;
        while k < out.len() {
            let v = out[k];
            k += 1;
            for s in 0..self.slots[v].len() {
                let (r, i) = self.slots[v][s];
                let j = self.next_index(r, i);
                if let Some(&w) = self.routes[r].get(j)
                    && !self.queued[w]
                {
                    self.queued[w] = true;
                    out.push(w);
                }
            }
            for t in 0..self.rules.ties_from(v).len() {
                let w = self.rules.ties_from(v)[t].0;
                if self.is_placed(w) && !self.queued[w] {
                    self.queued[w] = true;
                    out.push(w);
                }
            }
        }
        for &v in &out {
            self.queued[v] = false;
        }
        out
    }

    /// The first visit of round `r` at or after stop index `i`, past the
    /// break.
    fn visit_from(&self, r: usize, i: usize) -> Option<usize> {
        self.routes[r][i.min(self.routes[r].len())..]
            .iter()
            .copied()
            .find(|&x| x != BREAK)
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

    /// How many placed visits' starts the log changed, the change of total
    /// lateness, each visit counted once from its oldest start, and the
    /// largest lateness of a placed visit in the log.
    fn lateness_change(&mut self, log: &Log) -> (usize, i64, i64) {
        let mut moved = 0;
        let mut change = 0;
        let mut worst = 0;
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
            worst = worst.max(is);
        }
        for &(v, _) in log {
            self.queued[v] = false;
        }
        (moved, change, worst)
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
            self.retime_from(&[v], &mut log)
        };
        match timed {
            Ok(()) => {
                let travel_after: i64 = places.iter().map(|&(r, _)| self.round_travel(r)).sum();
                let (moved, lateness, worst) = self.lateness_change(&log);
                self.ops.push(Op::Insert { v, log });
                Ok(Change {
                    moved,
                    lateness,
                    worst,
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

    /// Take placed visit `v` out and re-time what it reaches (the visits
    /// after it in its rounds and its tied visits, transitively). A removal
    /// lowers starts, except where the gap it leaves holds the break
    /// (travel-first may become impossible), so it can fail: then the state
    /// is as before.
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
        let mut seeds: Vec<usize> = self.rules.ties_from(v).iter().map(|t| t.0).collect();
        let places = self.take_out(v);
        seeds.extend(places.iter().filter_map(|&(r, i)| self.visit_from(r, i)));
        let timed = self
            .retime_from(&seeds, &mut log)
            .and_then(|()| rounds.iter().try_for_each(|&r| self.check_end(r)));
        match timed {
            Ok(()) => {
                let travel_after: i64 = rounds.iter().map(|&r| self.round_travel(r)).sum();
                let (moved, lateness, worst) = self.lateness_change(&log);
                self.ops.push(Op::Remove { v, places, log });
                Ok(Change {
                    moved,
                    lateness,
                    worst,
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

    /// Give rounds new visit orders at once (the stops of a local-search
    /// move: a visit may leave one of them for another, or leave them all
    /// and so be taken out), and re-time what changed. `changes` lists
    /// visits only; in a round with a break the core puts the break in a
    /// gap: first where it stood by the clock before, then the gaps next to
    /// that, at most [`BREAK_TRIES`] timings in all. On success the change
    /// is kept (and can be undone); on failure the state is as before.
    pub fn try_routes(&mut self, changes: &[(usize, Vec<usize>)]) -> Result<Change, Infeasible> {
        let p = self.p;
        let invalid = |round| Infeasible::Invalid {
            visit: None,
            round: Some(round),
        };
        for (k, (r, route)) in changes.iter().enumerate() {
            if *r >= self.routes.len()
                || changes[..k].iter().any(|(o, _)| o == r)
                || route.iter().any(|&v| v >= self.start.len())
            {
                return Err(invalid(*r));
            }
        }
        // Each changed round alone first (windows, travel, its break, the
        // shift end; every other rule only raises starts): a round that
        // cannot be timed alone fails the move at once, without touching
        // the state.
        for (r, route) in changes {
            if !route.is_empty() && !self.alone_ok(*r, route) {
                return Err(Infeasible::ShiftEnd { round: *r });
            }
        }
        let travel_before: i64 = changes.iter().map(|(r, _)| self.round_travel(*r)).sum();
        // Where each round's break stood by the clock, to put it back there.
        let brk_at: Vec<Option<i32>> = changes
            .iter()
            .map(|(r, _)| self.break_start(*r).map(|b| b.0))
            .collect();
        let old: Vec<(usize, Vec<usize>)> = changes
            .iter()
            .map(|(r, _)| (*r, self.routes[*r].clone()))
            .collect();
        let before: Vec<usize> = old
            .iter()
            .flat_map(|(_, rt)| rt.iter().copied().filter(|&x| x != BREAK))
            .collect();
        // Break gaps per changed round with a break: first the first gap
        // where the round alone can be timed (as if nothing else tied its
        // visits: for one round, trying gaps in order is complete), then
        // where the break stood by the clock, then the gaps next to that.
        let gaps: Vec<Vec<Option<usize>>> = changes
            .iter()
            .zip(&brk_at)
            .map(|((r, route), at)| {
                let Some(b) = &p.rounds[*r].brk else {
                    return vec![None];
                };
                if route.is_empty() {
                    return vec![Some(0)];
                }
                let clock = at.unwrap_or(b.earliest);
                let g0 = route
                    .iter()
                    .filter(|&&v| {
                        let s = if self.is_placed(v) {
                            self.start[v]
                        } else {
                            p.visits[v].tw_start
                        };
                        s < clock
                    })
                    .count();
                let mut order = Vec::with_capacity(route.len() + 2);
                if let Some(g) = self.alone_gap(*r, route) {
                    order.push(Some(g));
                }
                for d in 0..=route.len() {
                    if g0 + d <= route.len() {
                        order.push(Some(g0 + d));
                    }
                    if d > 0 && d <= g0 {
                        order.push(Some(g0 - d));
                    }
                }
                let mut seen = vec![false; route.len() + 1];
                order.retain(|g| g.is_some_and(|g| !std::mem::replace(&mut seen[g], true)));
                order
            })
            .collect();
        // Combinations of the rounds' gap choices, best ranks first (by
        // the sum of the ranks), so that every round's second choice comes
        // before any round's third.
        let combos = rank_order(&gaps.iter().map(Vec::len).collect::<Vec<_>>(), BREAK_TRIES);
        let mut last_err = invalid(changes.first().map_or(0, |c| c.0));
        for combo in combos {
            let stops: Vec<Vec<usize>> = changes
                .iter()
                .zip(&combo)
                .enumerate()
                .map(|(k, ((_, route), &c))| {
                    let mut st = route.clone();
                    if let Some(g) = gaps[k][c] {
                        st.insert(g, BREAK);
                    }
                    st
                })
                .collect();
            match self.set_stops(changes, stops, &before) {
                Ok(log) => {
                    let travel_after: i64 =
                        changes.iter().map(|(r, _)| self.round_travel(*r)).sum();
                    let (moved, lateness, worst) = self.lateness_change(&log);
                    self.ops.push(Op::Routes { old, log });
                    return Ok(Change {
                        moved,
                        lateness,
                        worst,
                        travel: travel_after - travel_before,
                    });
                }
                Err(e) => {
                    self.put_stops(&old);
                    if matches!(e, Infeasible::Invalid { .. }) {
                        return Err(e);
                    }
                    last_err = e;
                }
            }
        }
        Err(last_err)
    }

    /// Whether visit order `route` of round `r` can be timed alone: with
    /// its break in some gap ([`Timing::alone_gap`]), or in one pass
    /// without a break.
    fn alone_ok(&self, r: usize, route: &[usize]) -> bool {
        let p = self.p;
        let spec = &p.rounds[r];
        if spec.brk.is_some() {
            return self.alone_gap(r, route).is_some();
        }
        let (mut pe, mut pn) = (spec.start, spec.start_node);
        for &v in route {
            let vs = &p.visits[v];
            let s = (pe + p.time(r, pn, vs.node))
                .max(vs.tw_start)
                .max(self.floor[v]);
            if s > vs.tw_end {
                return false;
            }
            pe = s + vs.duration;
            pn = vs.node;
        }
        pe + p.time(r, pn, spec.end_node) <= spec.end
    }

    /// The first gap of visit order `route` in round `r` (which has a break)
    /// where the round alone can be timed: windows, travel, the break and
    /// the shift end, every visit as early as it can (ties and other
    /// rounds left out), or `None`.
    fn alone_gap(&self, r: usize, route: &[usize]) -> Option<usize> {
        let p = self.p;
        let spec = &p.rounds[r];
        let b = spec.brk.as_ref()?;
        'gaps: for g in 0..=route.len() {
            let (mut pe, mut pn) = (spec.start, spec.start_node);
            for i in 0..=route.len() {
                let last = i == route.len();
                let node = route.get(i).map_or(spec.end_node, |&v| p.visits[v].node);
                let brk = (i == g).then_some(b);
                let Some(a) = gap::arrive(pe, p.time(r, pn, node), brk, last) else {
                    continue 'gaps;
                };
                if last {
                    if a <= spec.end {
                        return Some(g);
                    }
                    continue 'gaps;
                }
                let v = route[i];
                let vs = &p.visits[v];
                let s = a.max(vs.tw_start).max(self.floor[v]);
                if s > vs.tw_end {
                    continue 'gaps;
                }
                pe = s + vs.duration;
                pn = node;
            }
        }
        None
    }

    /// Put `stops` in the changed rounds and re-time; the log of old
    /// starts, or the error with the starts restored (the routes are the
    /// caller's to put back).
    fn set_stops(
        &mut self,
        changes: &[(usize, Vec<usize>)],
        stops: Vec<Vec<usize>>,
        before: &[usize],
    ) -> Result<Vec<(usize, i32)>, Infeasible> {
        let mut log = Vec::new();
        let rounds: Vec<usize> = changes.iter().map(|c| c.0).collect();
        let news: Vec<(usize, Vec<usize>)> = rounds.iter().copied().zip(stops).collect();
        // Visits leaving every changed round and not placed elsewhere lose
        // their start; their ties are seeds.
        let mut seeds: Vec<usize> = Vec::new();
        for &v in before {
            if !news.iter().any(|(_, st)| st.contains(&v)) {
                seeds.extend(self.rules.ties_from(v).iter().map(|t| t.0));
            }
        }
        self.put_stops(&news);
        // Every placed visit in as many rounds as it needs, in distinct
        // rounds (a double-up's two carers are the caller's rule).
        for (r, st) in &news {
            for &v in st {
                if v == BREAK {
                    continue;
                }
                if self.slots[v].len() != self.p.visits[v].required {
                    return Err(Infeasible::Invalid {
                        visit: Some(v),
                        round: Some(*r),
                    });
                }
            }
        }
        for &v in before {
            if !self.is_placed(v) {
                log.push((v, self.start[v]));
                self.start[v] = UNSET;
            } else if self.slots[v].len() != self.p.visits[v].required {
                self.restore(&log);
                return Err(Infeasible::Invalid {
                    visit: Some(v),
                    round: None,
                });
            }
        }
        for (_, st) in &news {
            seeds.extend(st.iter().copied().filter(|&x| x != BREAK));
        }
        let timed = self
            .retime_from(&seeds, &mut log)
            .and_then(|()| rounds.iter().try_for_each(|&r| self.check_end(r)));
        match timed {
            Ok(()) => Ok(log),
            Err(e) => {
                self.restore(&log);
                Err(e)
            }
        }
    }

    /// Give rounds these stops, slots and placed count kept right.
    fn put_stops(&mut self, stops: &[(usize, Vec<usize>)]) {
        for (r, _) in stops {
            for i in 0..self.routes[*r].len() {
                let v = self.routes[*r][i];
                if v != BREAK {
                    let was = !self.slots[v].is_empty();
                    self.slots[v].retain(|s| s.0 != *r);
                    if was && self.slots[v].is_empty() {
                        self.placed -= 1;
                    }
                }
            }
        }
        for (r, st) in stops {
            for (i, &v) in st.iter().enumerate() {
                if v != BREAK {
                    if self.slots[v].is_empty() {
                        self.placed += 1;
                    }
                    self.slots[v].push((*r, i));
                }
            }
            self.routes[*r] = st.clone();
        }
    }

    /// Undo the last kept change; false if there is none.
    pub fn undo(&mut self) -> bool {
        match self.ops.pop() {
            None => false,
            Some(Op::Routes { old, log }) => {
                self.put_stops(&old);
                self.restore(&log);
                true
            }
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
