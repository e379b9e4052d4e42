//! Local search inside and between rounds: relocate, swap, 2-opt* and
//! or-opt over the served single-carer visits, and double-up (a
//! double-up's part handed to another carer at the same start), one
//! operator per file.
//!
//! The moves never change which clients are served (that is the large
//! neighbourhood search's job); they improve the second and third
//! objectives, continuity and travel, and by shortening rounds they leave
//! room for the next repair to serve more clients.
//!
//! Evaluating a move is constant time for the short sequences involved
//! (1-3 visits): each round keeps, per position, the latest start that
//! keeps the rest of the round feasible ([`Cache::latest`]: backward time
//! slack over windows, fixed double-up starts, `after` gaps and the shift
//! end) and its load prefix; a move is checked by timing the inserted
//! visits from the stop before them and comparing with the slack of the
//! stop after them, and costed from the legs it changes. Only a move that
//! passes and improves (continuity first, then travel) is timed exactly by
//! the timing core ([`Timing::try_routes`], `solve/timing/`): it places
//! the break, moves double-ups and tied visits in other rounds as they
//! must, and keeps every visit as early as the new routes allow. Moves
//! within one round, and 2-opt* between rounds of different modes or shift
//! ends, skip the constant-time check and go straight to the exact one
//! when their cost improves.
//!
//! Neighbourhoods are granular: each visit is only moved next to its
//! [`NEIGHBOURS`] nearest visits by travel and time-window distance.

pub mod double_up;
pub mod or_opt;
pub mod relocate;
pub mod swap;
pub mod two_opt_star;

use std::time::Instant;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::Solution;
use super::construct::greedy::timed;
use super::linked::largest_lateness;
use super::timing::Timing;
use super::weighted_cost;
use crate::problem::{Order, Problem};

/// How many nearest visits each visit is moved next to.
pub const NEIGHBOURS: usize = 12;
/// At most this many passes over all visits per call.
const MAX_PASSES: usize = 20;

/// Static data of the local search for one problem: eligibility as a
/// matrix and each visit's nearest visits.
#[derive(Debug, Clone)]
pub struct LocalSearch {
    rounds: usize,
    elig: Vec<bool>,
    neighbours: Vec<Vec<usize>>,
}

/// A move: the new visit order of one or two rounds and what it gains
/// (continuity, travel saved).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub routes: Vec<(usize, Vec<usize>)>,
    pub gain: (i64, i64),
}

/// Per-round slack, kept for the current solution.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    /// Latest start of the visit at each position that keeps the rest of
    /// the round feasible (break aside); one more entry for the way home
    /// (the shift end).
    pub latest: Vec<i32>,
    /// Load of the first `i` visits.
    pub load: Vec<i32>,
}

/// The current solution with its caches, as the operators see it.
pub struct State<'a> {
    pub p: &'a Problem,
    pub ls: &'a LocalSearch,
    pub sol: &'a Solution,
    pub cache: &'a [Cache],
    /// Position of each single visit in its round.
    pub pos: &'a [usize],
}

impl LocalSearch {
    pub fn new(p: &Problem) -> LocalSearch {
        let rounds = p.rounds.len();
        let mut elig = vec![false; p.visits.len() * rounds];
        for (v, rs) in p.eligible.iter().enumerate() {
            for &r in rs {
                elig[v * rounds + r] = true;
            }
        }
        LocalSearch {
            rounds,
            elig,
            neighbours: neighbours(p, NEIGHBOURS),
        }
    }

    #[inline]
    pub fn eligible(&self, v: usize, r: usize) -> bool {
        self.elig[v * self.rounds + r]
    }

    /// Improve `sol` by moves until none improves, the passes run out or
    /// `deadline`; returns whether anything changed. The served clients
    /// stay the same, and the solution stays feasible.
    pub fn improve(
        &self,
        p: &Problem,
        sol: &mut Solution,
        rng: &mut ChaCha8Rng,
        deadline: Instant,
    ) -> bool {
        let mut t = timed(p, sol);
        *sol = t.solution();
        let mut prep = self.prepare(p, sol);
        let mut order: Vec<usize> = (0..p.visits.len())
            .filter(|&v| !p.visits[v].is_double_up() && sol.start[v].is_some())
            .collect();
        order.shuffle(rng);
        // Double-ups after the single visits of each pass.
        let mut doubles: Vec<usize> = (0..p.visits.len())
            .filter(|&v| p.visits[v].is_double_up() && sol.start[v].is_some())
            .collect();
        doubles.shuffle(rng);
        order.extend(doubles);
        let mut changed = false;
        let mut was = sol.start.clone();
        for _ in 0..MAX_PASSES {
            let mut improved = false;
            for &v in &order {
                if Instant::now() >= deadline {
                    return changed;
                }
                if let Some(mut rounds) = self.improve_visit(&mut t, sol, &prep, v) {
                    // The core may have moved visits of other rounds too
                    // (double-ups, ties): their slack is new as well.
                    for (x, (old, new)) in was.iter_mut().zip(&sol.start).enumerate() {
                        if old != new {
                            rounds.extend(sol.rounds_of[x].iter().copied());
                            *old = *new;
                        }
                    }
                    rounds.sort_unstable();
                    rounds.dedup();
                    for r in rounds {
                        prep.cache[r] = build_cache(p, sol, r);
                        for (i, &x) in sol.routes[r].iter().enumerate() {
                            prep.pos[x] = i;
                        }
                    }
                    improved = true;
                    changed = true;
                }
            }
            if !improved {
                break;
            }
        }
        changed
    }

    /// The first improving move of `v` next to one of its neighbours that
    /// holds, applied; returns the rounds it changed.
    fn improve_visit(
        &self,
        t: &mut Timing,
        sol: &mut Solution,
        prep: &Prepared,
        v: usize,
    ) -> Option<Vec<usize>> {
        let p = t.problem();
        if p.visits[v].is_double_up() {
            let cands = self.candidates(p, sol, prep, Operator::DoubleUp, v, v);
            return cands
                .into_iter()
                .find(|cand| cand.gain > (0, 0) && apply(t, self, sol, cand))
                .map(|cand| cand.routes.iter().map(|(r, _)| *r).collect());
        }
        for &u in &self.neighbours[v] {
            if sol.start[u].is_none() || sol.start[v].is_none() {
                continue;
            }
            let cands: Vec<Candidate> = Operator::ALL
                .iter()
                .flat_map(|&op| self.candidates(p, sol, prep, op, v, u))
                .collect();
            for cand in cands {
                if cand.gain > (0, 0) && apply(t, self, sol, &cand) {
                    return Some(cand.routes.iter().map(|(r, _)| *r).collect());
                }
            }
        }
        None
    }
}

/// The five move families, for tests and measurements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Relocate,
    Swap,
    TwoOptStar,
    OrOpt,
    /// Of double-up visits only ([`double_up`]); the others move single
    /// visits.
    DoubleUp,
}

impl Operator {
    pub const ALL: [Operator; 5] = [
        Operator::Relocate,
        Operator::Swap,
        Operator::TwoOptStar,
        Operator::OrOpt,
        Operator::DoubleUp,
    ];
}

/// The slack caches and positions of a solution, for evaluating moves
/// outside [`LocalSearch::improve`] (tests, benchmarks).
pub struct Prepared {
    cache: Vec<Cache>,
    pos: Vec<usize>,
}

impl LocalSearch {
    /// Caches and positions for `sol`: O(visits).
    pub fn prepare(&self, p: &Problem, sol: &Solution) -> Prepared {
        let cache = (0..p.rounds.len())
            .map(|r| build_cache(p, sol, r))
            .collect();
        let mut pos = vec![0usize; p.visits.len()];
        for route in &sol.routes {
            for (i, &v) in route.iter().enumerate() {
                pos[v] = i;
            }
        }
        Prepared { cache, pos }
    }

    /// The neighbours `v` is moved next to.
    pub fn neighbours_of(&self, v: usize) -> &[usize] {
        &self.neighbours[v]
    }

    /// The improving candidates of one operator for served single visits
    /// `v` and `u` (for [`Operator::DoubleUp`], of double-up `v`; `u` is
    /// not used), checked in constant time but not yet exactly.
    pub fn candidates(
        &self,
        p: &Problem,
        sol: &Solution,
        prep: &Prepared,
        op: Operator,
        v: usize,
        u: usize,
    ) -> Vec<Candidate> {
        let st = State {
            p,
            ls: self,
            sol,
            cache: &prep.cache,
            pos: &prep.pos,
        };
        match op {
            Operator::Relocate => relocate::moves(&st, v, u),
            Operator::Swap => swap::moves(&st, v, u),
            Operator::TwoOptStar => two_opt_star::moves(&st, v, u),
            Operator::OrOpt => or_opt::moves(&st, v, u),
            Operator::DoubleUp => double_up::moves(&st, v),
        }
    }

    /// Every improving candidate of one operator over all pairs of served
    /// single visits (not only neighbours; for [`Operator::DoubleUp`],
    /// every served double-up): for tests.
    pub fn all_candidates(&self, p: &Problem, sol: &Solution, op: Operator) -> Vec<Candidate> {
        let prep = self.prepare(p, sol);
        if op == Operator::DoubleUp {
            return (0..p.visits.len())
                .filter(|&v| p.visits[v].is_double_up() && sol.start[v].is_some())
                .flat_map(|v| self.candidates(p, sol, &prep, op, v, v))
                .collect();
        }
        let singles: Vec<usize> = (0..p.visits.len())
            .filter(|&v| !p.visits[v].is_double_up() && sol.start[v].is_some())
            .collect();
        let mut out = Vec::new();
        for &v in &singles {
            for &u in &singles {
                if u != v {
                    out.extend(self.candidates(p, sol, &prep, op, v, u));
                }
            }
        }
        out
    }
}

/// Round of a single visit.
#[inline]
pub fn round_of(sol: &Solution, v: usize) -> usize {
    sol.rounds_of[v][0]
}

impl State<'_> {
    /// End minute and node of the stop before position `i` of round `r`.
    #[inline]
    pub fn prev(&self, r: usize, i: usize) -> (i32, usize) {
        if i == 0 {
            (self.p.rounds[r].start, self.p.rounds[r].start_node)
        } else {
            let u = self.sol.routes[r][i - 1];
            (
                self.sol.start[u].unwrap_or(0) + self.p.visits[u].duration,
                self.p.visits[u].node,
            )
        }
    }

    /// Node of the stop at position `i` of round `r` (the end location past
    /// the last visit).
    #[inline]
    pub fn node_at(&self, r: usize, i: usize) -> usize {
        self.sol.routes[r]
            .get(i)
            .map_or(self.p.rounds[r].end_node, |&u| self.p.visits[u].node)
    }

    /// Node of the stop before position `i` of round `r`.
    #[inline]
    pub fn node_before(&self, r: usize, i: usize) -> usize {
        if i == 0 {
            self.p.rounds[r].start_node
        } else {
            self.p.visits[self.sol.routes[r][i - 1]].node
        }
    }

    /// Whether `seq` can go between positions `i - 1` and `next` of round
    /// `r` (the visits in between removed): constant time for a short
    /// `seq`. Windows, `after` gaps with current starts, slack of the rest,
    /// eligibility and capacity; the break is left to the exact check.
    pub fn fits(&self, r: usize, i: usize, next: usize, seq: &[usize], load: i32) -> bool {
        let p = self.p;
        if seq.iter().any(|&v| !self.ls.eligible(v, r)) {
            return false;
        }
        if let Some(cap) = p.rounds[r].capacity {
            let c = &self.cache[r];
            let kept = c.load[i] + (c.load[c.load.len() - 1] - c.load[next]);
            if kept + load > cap {
                return false;
            }
        }
        let (mut pe, mut pn) = self.prev(r, i);
        for &v in seq {
            let vs = &p.visits[v];
            let (glo, ghi) = gap_limits(p, self.sol, v);
            let s = (pe + p.time(r, pn, vs.node)).max(vs.tw_start).max(glo);
            if s > vs.tw_end.min(ghi) {
                return false;
            }
            pe = s + vs.duration;
            pn = vs.node;
        }
        pe + p.time(r, pn, self.node_at(r, next)) <= self.cache[r].latest[next]
    }

    /// Travel minutes of round `r` along `seq`, first to last visit.
    fn along(&self, r: usize, seq: &[usize]) -> i64 {
        seq.windows(2)
            .map(|w| {
                self.p
                    .time(r, self.p.visits[w[0]].node, self.p.visits[w[1]].node)
                    as i64
            })
            .sum()
    }

    /// Travel saved in round `r` by taking out the `len` visits from
    /// position `i` (a round left empty travels nothing).
    pub fn removal_gain(&self, r: usize, i: usize, len: usize) -> i64 {
        let route = &self.sol.routes[r];
        let seg = &route[i..i + len];
        if len == route.len() {
            return self.p.route_travel(r, seg.iter().copied());
        }
        let (pn, nn) = (self.node_before(r, i), self.node_at(r, i + len));
        let (first, last) = (self.p.visits[seg[0]].node, self.p.visits[seg[len - 1]].node);
        (self.p.time(r, pn, first) + self.p.time(r, last, nn) - self.p.time(r, pn, nn)) as i64
            + self.along(r, seg)
    }

    /// Travel added to round `r` by putting `seq` between the stop before
    /// position `i` and the stop at position `next`.
    pub fn insertion_cost(&self, r: usize, i: usize, next: usize, seq: &[usize]) -> i64 {
        let (pn, nn) = (self.node_before(r, i), self.node_at(r, next));
        let (first, last) = (
            self.p.visits[seq[0]].node,
            self.p.visits[seq[seq.len() - 1]].node,
        );
        (self.p.time(r, pn, first) + self.p.time(r, last, nn) - self.p.time(r, pn, nn)) as i64
            + self.along(r, seq)
    }

    /// Second-tier worth of visit `v` in round `r` ([`Problem::preference`]:
    /// continuity, plus kept calls when re-planning).
    #[inline]
    pub fn pref(&self, v: usize, r: usize) -> i64 {
        self.p.preference(v, r)
    }
}

/// The slack cache of round `r`.
pub fn build_cache(p: &Problem, sol: &Solution, r: usize) -> Cache {
    let route = &sol.routes[r];
    let spec = &p.rounds[r];
    let mut latest = vec![0; route.len() + 1];
    latest[route.len()] = spec.end;
    let mut next_node = spec.end_node;
    for (i, &u) in route.iter().enumerate().rev() {
        let us = &p.visits[u];
        let bound = latest[i + 1] - us.duration - p.time(r, us.node, next_node);
        // A double-up may move too (in both its rounds): its window and
        // this round bound it; the other round is the exact check's.
        let (_, ghi) = gap_limits(p, sol, u);
        latest[i] = us.tw_end.min(bound).min(ghi);
        next_node = us.node;
    }
    let mut load = vec![0; route.len() + 1];
    for (i, &u) in route.iter().enumerate() {
        load[i + 1] = load[i] + p.visits[u].load;
    }
    Cache { latest, load }
}

/// The `[earliest, latest]` start range that `after` gaps with the
/// current starts of other placed visits give visit `v` (the filter's view:
/// the exact check lets those visits move too).
pub fn gap_limits(p: &Problem, sol: &Solution, v: usize) -> (i32, i32) {
    let vs = &p.visits[v];
    let mut lo = i32::MIN / 4;
    let mut hi = i32::MAX / 4;
    if let Some((u, gap)) = vs.after
        && let Some(su) = sol.start[u]
    {
        lo = su + gap;
    }
    for &(w, gap) in &vs.successors {
        if let Some(sw) = sol.start[w] {
            hi = hi.min(sw - gap);
        }
    }
    (lo, hi)
}

/// Apply `cand` if the timing core can time its rounds (`t` holds `sol`'s
/// routes); `false` (and both unchanged) if not. Every visit is then as
/// early as the new routes allow.
pub fn apply(t: &mut Timing, ls: &LocalSearch, sol: &mut Solution, cand: &Candidate) -> bool {
    let p = t.problem();
    // Eligibility, distinct carers on double-ups, capacity.
    let changed: Vec<usize> = cand.routes.iter().map(|(r, _)| *r).collect();
    for (r, route) in &cand.routes {
        if route.iter().any(|&v| !ls.eligible(v, *r)) {
            return false;
        }
        if let Some(cap) = p.rounds[*r].capacity
            && route.iter().map(|&v| p.visits[v].load).sum::<i32>() > cap
        {
            return false;
        }
        for &v in route {
            if p.visits[v].is_double_up() {
                let others = sol.rounds_of[v]
                    .iter()
                    .filter(|x| !changed.contains(x))
                    .map(|&x| p.rounds[x].carer)
                    .chain(
                        cand.routes
                            .iter()
                            .filter(|(x, rt)| x != r && rt.contains(&v))
                            .map(|(x, _)| p.rounds[*x].carer),
                    );
                let carer = p.rounds[*r].carer;
                if others.clone().any(|c| c == carer)
                    || route.iter().filter(|&&x| x == v).count() > 1
                {
                    return false;
                }
            }
        }
    }
    // Linked visits stay with different carers.
    let round_of_after = |w: usize| -> Vec<usize> {
        match cand.routes.iter().find(|(_, rt)| rt.contains(&w)) {
            Some((x, _)) => vec![*x],
            None => sol.rounds_of[w]
                .iter()
                .copied()
                .filter(|x| !changed.contains(x))
                .collect(),
        }
    };
    for (r, route) in &cand.routes {
        let carer = p.rounds[*r].carer;
        for &v in route {
            for &w in p.partners(v) {
                if round_of_after(w)
                    .iter()
                    .any(|&x| p.rounds[x].carer == carer)
                {
                    return false;
                }
            }
        }
    }
    // A request: lateness comes before continuity and travel, so a move
    // that makes any call later overall is no gain. A weighted problem:
    // the move must lower the one cost (its travel gain was the filter's).
    let largest = largest_lateness(t);
    let keep = match t.try_routes(&cand.routes) {
        Err(_) => return false,
        Ok(change) => match p.order {
            Order::Request => change.lateness <= 0,
            // A move may lower starts too: the largest lateness is
            // recomputed, not taken from the change.
            Order::Weighted(w) => {
                let largest_change = largest_lateness(t) - largest;
                weighted_cost(w, change.travel, change.lateness, largest_change) < 0
            }
        },
    };
    if !keep {
        t.undo();
        return false;
    }
    t.commit();
    *sol = t.solution();
    true
}

/// For each single visit, its `k` nearest other single visits by travel
/// (the first round's mode) plus the waiting or lateness their windows force.
pub fn neighbours(p: &Problem, k: usize) -> Vec<Vec<usize>> {
    // No rounds, no moves (and no travel matrix to measure with).
    let Some(mode) = p.rounds.first().map(|r| r.mode) else {
        return vec![Vec::new(); p.visits.len()];
    };
    let singles: Vec<usize> = (0..p.visits.len())
        .filter(|&v| !p.visits[v].is_double_up())
        .collect();
    (0..p.visits.len())
        .map(|v| {
            if p.visits[v].is_double_up() {
                return Vec::new();
            }
            let a = &p.visits[v];
            let mut by: Vec<(i64, usize)> = singles
                .iter()
                .filter(|&&u| u != v)
                .map(|&u| {
                    let b = &p.visits[u];
                    let t = p.travel.time(mode, a.node, b.node);
                    // Time between the earliest end of one and the latest
                    // start of the other, in either order.
                    let wait = (b.tw_start - (a.tw_end + a.duration + t))
                        .min(a.tw_start - (b.tw_end + b.duration + t))
                        .max(0);
                    let late = (a.tw_start + a.duration + t - b.tw_end)
                        .min(b.tw_start + b.duration + t - a.tw_end)
                        .max(0);
                    (t as i64 + wait as i64 + 10 * late as i64, u)
                })
                .collect();
            let k = k.min(by.len());
            if k > 0 {
                by.select_nth_unstable(k - 1);
                by.truncate(k);
                by.sort_unstable();
            }
            by.into_iter().map(|(_, u)| u).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::timing::Rules;

    /// Every local-search move the core accepts on a weighted problem
    /// lowers the weighted cost recomputed from scratch, keeps who is
    /// served, has a schedule, and keeps linked visits apart.
    #[test]
    fn local_search_moves_lower_the_weighted_cost() {
        let p = crate::readers::mankowska::shared_problem("InstanzCPLEX_HCSRP_25_1.txt");
        let sol = crate::solve::construct::greedy::construct(&p).solution;
        let ls = LocalSearch::new(&p);
        let mut applied = 0;
        for op in Operator::ALL {
            for cand in ls.all_candidates(&p, &sol, op) {
                let mut s = sol.clone();
                let mut t = timed(&p, &s);
                if apply(&mut t, &ls, &mut s, &cand) {
                    applied += 1;
                    assert!(s.objective(&p).3 > sol.objective(&p).3, "{op:?}");
                    assert_eq!(s.objective(&p).0, sol.objective(&p).0);
                    assert!(Timing::of_solution(&p, Rules::of(&p), &s).is_ok());
                    assert!(crate::solve::linked::apart_in(&p, &s), "{op:?}");
                }
            }
        }
        assert!(applied > 0);
    }
}
