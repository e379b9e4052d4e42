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
//! Every move is filtered before it is timed exactly. The filter
//! concatenates route segments as PyVRP's `DurationSegment` does
//! ([`Segment`], `solve/timing/segment.rs`): the unchanged head of a round
//! ends where it ends now, the changed stretch is joined visit by visit,
//! and the unchanged tail must be reached by its latest starts
//! ([`Cache::latest`]: backward slack over windows, ties and the shift end).
//! So a move between rounds that inserts 1-3 visits is checked in constant
//! time, and one within a round or a 2-opt* between unlike rounds in the
//! length of the stretch it changes. Each visit's window is narrowed by its
//! ties (`after` gaps, visits that start together, the benchmark's links)
//! to what its partners' current places allow ([`Prepared`]'s limits:
//! where the partner's round lets it start, windows and travel alone): a
//! relaxation, so the filter refuses no move the partner could follow.
//! Only a move that passes and improves (continuity first, then travel) is
//! timed exactly by the timing core ([`Timing::try_routes`],
//! `solve/timing/`): it places the break, moves double-ups and tied visits
//! in other rounds as they must, and keeps every visit as early as the new
//! routes allow.
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
use super::timing::{Rules, Segment, Timing};
use super::weighted_cost;
use crate::problem::{Order, Problem};

/// Below and above any start: no limit.
const NEVER: i32 = i32::MIN / 4;
const FOREVER: i32 = i32::MAX / 4;

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
    /// The ties between visits' starts; `tied`: whether there are any.
    rules: Rules,
    tied: bool,
    /// Whether anything is worth continuity ([`Problem::has_preferences`]):
    /// without it every move's continuity is 0 and is not summed.
    prefs: bool,
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
    /// the round feasible (break aside), each visit's window narrowed by its
    /// ties; one more entry for the way home (the shift end).
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
    /// Each visit's start range by its ties ([`Prepared`]).
    pub limits: &'a [(i32, i32)],
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
        let rules = Rules::of(p);
        let tied = (0..p.visits.len()).any(|v| !rules.ties_from(v).is_empty());
        LocalSearch {
            rounds,
            elig,
            neighbours: neighbours(p, NEIGHBOURS),
            rules,
            tied,
            prefs: p.has_preferences(),
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
        for _ in 0..MAX_PASSES {
            let mut improved = false;
            for &v in &order {
                if Instant::now() >= deadline {
                    return changed;
                }
                if let Some(mut rounds) = self.improve_visit(&mut t, sol, &prep, v) {
                    // Tied visits in other rounds may have new limits: their
                    // rounds' slack is new as well (without ties, none has).
                    if self.tied {
                        let limits = self.limits(p, sol);
                        for (x, (old, new)) in prep.limits.iter().zip(&limits).enumerate() {
                            if old != new {
                                rounds.extend(sol.rounds_of[x].iter().copied());
                            }
                        }
                        prep.limits = limits;
                    }
                    rounds.sort_unstable();
                    rounds.dedup();
                    for r in rounds {
                        prep.cache[r] = build_cache(p, sol, r, &prep.limits);
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
/// outside [`LocalSearch::improve`] (tests, benchmarks), and each visit's
/// limits: the `[earliest, latest]` start its ties allow with every tied
/// partner where it is now. A partner's range is what its round allows it
/// alone (windows, travel, the shift; [`reach`]), not its current start, so
/// a move that needs the partner to follow is not refused.
pub struct Prepared {
    cache: Vec<Cache>,
    pos: Vec<usize>,
    limits: Vec<(i32, i32)>,
}

impl LocalSearch {
    /// Caches and positions for `sol`: O(visits).
    pub fn prepare(&self, p: &Problem, sol: &Solution) -> Prepared {
        let limits = self.limits(p, sol);
        let cache = (0..p.rounds.len())
            .map(|r| build_cache(p, sol, r, &limits))
            .collect();
        let mut pos = vec![0usize; p.visits.len()];
        for route in &sol.routes {
            for (i, &v) in route.iter().enumerate() {
                pos[v] = i;
            }
        }
        Prepared { cache, pos, limits }
    }

    /// Every visit's start range by its ties ([`Prepared`]): O(visits and
    /// ties); no limits at all without ties.
    fn limits(&self, p: &Problem, sol: &Solution) -> Vec<(i32, i32)> {
        let n = p.visits.len();
        if !self.tied {
            return vec![(NEVER, FOREVER); n];
        }
        let reach = reach(p, sol);
        (0..n)
            .map(|v| {
                let mut lo = NEVER;
                let mut hi = FOREVER;
                for &(u, gap) in self.rules.ties_into(v) {
                    if u != v && sol.start[u].is_some() {
                        lo = lo.max(reach[u].0 + gap);
                    }
                }
                for &(w, gap) in self.rules.ties_from(v) {
                    if w != v && sol.start[w].is_some() {
                        hi = hi.min(reach[w].1 - gap);
                    }
                }
                (lo, hi)
            })
            .collect()
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
            limits: &prep.limits,
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
    /// `r` (the visits in between removed): the head before `i` ends as it
    /// ends now, `seq` is joined visit by visit as [`Segment`]s (windows
    /// narrowed by ties), and the stop at `next` must be reached by its
    /// latest start; eligibility and capacity too. Time in the length of
    /// `seq`; the break is left to the exact check.
    pub fn fits(&self, r: usize, i: usize, next: usize, seq: &[usize]) -> bool {
        let p = self.p;
        if seq.iter().any(|&v| !self.ls.eligible(v, r)) {
            return false;
        }
        if let Some(cap) = p.rounds[r].capacity {
            let c = &self.cache[r];
            let kept = c.load[i] + (c.load[c.load.len() - 1] - c.load[next]);
            let load: i32 = seq.iter().map(|&v| p.visits[v].load).sum();
            if kept + load > cap {
                return false;
            }
        }
        let (pe, pn) = self.prev(r, i);
        let mut seg = Segment {
            first: pn,
            last: pn,
            duration: 0,
            time_warp: 0,
            early: pe,
            late: pe,
        };
        for &v in seq {
            let Some(sv) = self.narrowed(v) else {
                return false;
            };
            seg = seg.join(p, r, sv);
        }
        let node = self.node_at(r, next);
        let tail = Segment {
            first: node,
            last: node,
            duration: 0,
            time_warp: 0,
            early: NEVER,
            late: self.cache[r].latest[next],
        };
        seg.join(p, r, tail).is_feasible()
    }

    /// [`State::fits`] for a whole new route of round `r` that differs
    /// from the current one in a stretch (a move within the round, or a
    /// 2-opt* whose rounds differ in mode or end): the common head and
    /// tail are kept, the stretch between is checked.
    pub fn fits_route(&self, r: usize, new: &[usize]) -> bool {
        let old = &self.sol.routes[r];
        let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(new[head..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        self.fits(r, head, old.len() - tail, &new[head..new.len() - tail])
    }

    /// Visit `v` as a segment, its window narrowed by its ties; `None` if
    /// nothing is left of it.
    #[inline]
    fn narrowed(&self, v: usize) -> Option<Segment> {
        let mut seg = Segment::visit(self.p, v);
        let (lo, hi) = self.limits[v];
        seg.early = seg.early.max(lo);
        seg.late = seg.late.min(hi);
        (seg.early <= seg.late).then_some(seg)
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

    /// Travel minutes of round `r` through `nodes` in order:
    /// `legs(r, &[a, b, c])` is a -> b plus b -> c.
    #[inline]
    pub fn legs(&self, r: usize, nodes: &[usize]) -> i64 {
        nodes
            .windows(2)
            .map(|w| self.p.time(r, w[0], w[1]) as i64)
            .sum()
    }

    /// Second-tier worth of visit `v` in round `r` ([`Problem::preference`]:
    /// continuity, plus kept calls when re-planning).
    #[inline]
    pub fn pref(&self, v: usize, r: usize) -> i64 {
        if !self.ls.prefs {
            return 0;
        }
        self.p.preference(v, r)
    }
}

/// The slack cache of round `r`, each visit's latest start narrowed by its
/// ties' `limits`.
pub fn build_cache(p: &Problem, sol: &Solution, r: usize, limits: &[(i32, i32)]) -> Cache {
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
        latest[i] = us.tw_end.min(bound).min(limits[u].1);
        next_node = us.node;
    }
    let mut load = vec![0; route.len() + 1];
    for (i, &u) in route.iter().enumerate() {
        load[i + 1] = load[i] + p.visits[u].load;
    }
    Cache { latest, load }
}

/// Where each placed visit could start with its round's other stops where
/// they are and free to move, by windows, travel and the shift alone (no
/// ties, no break): `(earliest, latest)`, the tightest over a double-up's
/// rounds; `(NEVER, FOREVER)` for a visit not placed. A relaxation of the
/// current routes' schedules, which [`LocalSearch`]'s limits narrow a tied
/// partner's window by.
pub fn reach(p: &Problem, sol: &Solution) -> Vec<(i32, i32)> {
    let mut out = vec![(NEVER, FOREVER); p.visits.len()];
    for (r, route) in sol.routes.iter().enumerate() {
        let spec = &p.rounds[r];
        let (mut at, mut node) = (spec.start, spec.start_node);
        for &v in route {
            let vs = &p.visits[v];
            let s = (at + p.time(r, node, vs.node)).max(vs.tw_start);
            out[v].0 = out[v].0.max(s);
            at = s + vs.duration;
            node = vs.node;
        }
        let (mut by, mut node) = (spec.end, spec.end_node);
        for &v in route.iter().rev() {
            let vs = &p.visits[v];
            let s = (by - p.time(r, vs.node, node) - vs.duration).min(vs.tw_end);
            out[v].1 = out[v].1.min(s);
            by = s;
            node = vs.node;
        }
    }
    out
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

    /// A generated day of `clients` clients, planned greedily.
    fn day(clients: usize, plain: bool) -> Problem {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut req =
            crate::generate::generate(&crate::generate::GenerateOptions::new(clients, 3, date));
        if plain {
            // Windows alone: no break, double-up, tie or capacity.
            for c in &mut req.carers {
                for s in c.shift.iter_mut().chain(c.shifts.iter_mut().flatten()) {
                    s.brk = None;
                }
            }
            for v in req.clients.iter_mut().flat_map(|c| c.visits.iter_mut()) {
                v.carers_required = 1;
                v.after = None;
                v.starts_with = None;
            }
        }
        Problem::from_request(&req).unwrap()
    }

    /// Rounds' new routes.
    type Routes = Vec<(usize, Vec<usize>)>;

    /// Every relocation of every served single visit to every place of
    /// every round (its own included), as `(rounds' new routes, whether the
    /// filter lets it through)`.
    fn relocations(p: &Problem, sol: &Solution) -> Vec<(Routes, bool)> {
        let ls = LocalSearch::new(p);
        let prep = ls.prepare(p, sol);
        let st = State {
            p,
            ls: &ls,
            sol,
            cache: &prep.cache,
            pos: &prep.pos,
            limits: &prep.limits,
        };
        let mut out = Vec::new();
        for v in 0..p.visits.len() {
            if p.visits[v].is_double_up() || sol.start[v].is_none() {
                continue;
            }
            let (a, i) = (round_of(sol, v), prep.pos[v]);
            for b in 0..p.rounds.len() {
                for k in 0..=sol.routes[b].len() {
                    if a == b {
                        let mut new = sol.routes[a].clone();
                        new.remove(i);
                        new.insert(k.min(new.len()), v);
                        if new != sol.routes[a] {
                            let passed = st.fits_route(a, &new);
                            out.push((vec![(a, new)], passed));
                        }
                    } else {
                        let mut ra = sol.routes[a].clone();
                        ra.remove(i);
                        let mut rb = sol.routes[b].clone();
                        rb.insert(k, v);
                        out.push((vec![(a, ra), (b, rb)], st.fits(b, k, k, &[v])));
                    }
                }
            }
        }
        out
    }

    /// On rounds of windows alone the segment filter is exact: it lets
    /// through a relocation, within a round or between two, exactly when
    /// the timing core finds the new routes a schedule.
    #[test]
    fn the_filter_is_exact_on_rounds_of_windows_alone() {
        let p = day(20, true);
        let sol = crate::solve::construct::greedy::construct(&p).solution;
        let ls = LocalSearch::new(&p);
        let (mut through, mut refused) = (0, 0);
        for (routes, passed) in relocations(&p, &sol) {
            let mut t = timed(&p, &sol);
            let eligible = routes
                .iter()
                .all(|(r, rt)| rt.iter().all(|&x| ls.eligible(x, *r)));
            let exact = eligible && t.try_routes(&routes).is_ok();
            assert_eq!(passed, exact, "{routes:?}");
            if exact {
                through += 1;
            } else {
                refused += 1;
            }
        }
        assert!(through > 0 && refused > 0, "{through} {refused}");
    }

    /// Every candidate's gain is the continuity and travel its new routes
    /// really gain (intra-round moves cost their changed legs alone, not
    /// the whole round), and within a round no improving move the filter
    /// lets through is missed: relocate, swap and or-opt against every
    /// such move built and costed whole.
    #[test]
    fn gains_are_what_the_new_routes_gain_and_no_move_within_a_round_is_missed() {
        for (clients, plain) in [(30, false), (60, true), (100, false)] {
            let p = day(clients, plain);
            let sol = crate::solve::construct::greedy::construct(&p).solution;
            let ls = LocalSearch::new(&p);
            let prep = ls.prepare(&p, &sol);
            let st = State {
                p: &p,
                ls: &ls,
                sol: &sol,
                cache: &prep.cache,
                pos: &prep.pos,
                limits: &prep.limits,
            };
            let worth = |routes: &[(usize, Vec<usize>)], now: bool| -> (i64, i64) {
                routes.iter().fold((0, 0), |(c, t), (r, new)| {
                    let rt = if now { &sol.routes[*r] } else { new };
                    let cont: i64 = rt.iter().map(|&v| p.preference(v, *r)).sum();
                    (c + cont, t - p.route_travel(*r, rt.iter().copied()))
                })
            };
            let singles: Vec<usize> = (0..p.visits.len())
                .filter(|&v| !p.visits[v].is_double_up() && sol.start[v].is_some())
                .collect();
            let mut within = 0;
            for op in [
                Operator::Relocate,
                Operator::Swap,
                Operator::TwoOptStar,
                Operator::OrOpt,
            ] {
                for &v in &singles {
                    for &u in &singles {
                        if u == v {
                            continue;
                        }
                        let found = ls.candidates(&p, &sol, &prep, op, v, u);
                        for c in &found {
                            let (after, before) = (worth(&c.routes, false), worth(&c.routes, true));
                            assert_eq!(
                                c.gain,
                                (after.0 - before.0, after.1 - before.1),
                                "{op:?} {c:?}"
                            );
                        }
                        let a = round_of(&sol, v);
                        if a != round_of(&sol, u) || op == Operator::TwoOptStar {
                            continue;
                        }
                        // Every improving move within the round, built whole.
                        let route = &sol.routes[a];
                        let (i, j) = (prep.pos[v], prep.pos[u]);
                        let mut whole: Vec<Vec<usize>> = Vec::new();
                        match op {
                            Operator::Relocate => {
                                for after in [false, true] {
                                    let mut new: Vec<usize> =
                                        route.iter().copied().filter(|&x| x != v).collect();
                                    let at =
                                        new.iter().position(|&x| x == u).unwrap() + after as usize;
                                    new.insert(at, v);
                                    whole.push(new);
                                }
                            }
                            Operator::Swap => {
                                let mut new = route.clone();
                                new.swap(i, j);
                                whole.push(new);
                            }
                            _ => {
                                for len in 2..=3 {
                                    let Some(seg) = route.get(i..i + len) else {
                                        break;
                                    };
                                    if seg.iter().any(|&x| p.visits[x].is_double_up()) {
                                        break;
                                    }
                                    if seg.contains(&u) {
                                        continue;
                                    }
                                    let mut new: Vec<usize> = route
                                        .iter()
                                        .copied()
                                        .filter(|x| !seg.contains(x))
                                        .collect();
                                    let at = new.iter().position(|&x| x == u).unwrap() + 1;
                                    new.splice(at..at, seg.iter().copied());
                                    whole.push(new);
                                }
                            }
                        }
                        for new in whole {
                            let gain = p.route_travel(a, route.iter().copied())
                                - p.route_travel(a, new.iter().copied());
                            if new != *route && gain > 0 && st.fits_route(a, &new) {
                                within += 1;
                                assert!(
                                    found.iter().any(|c| c.routes == vec![(a, new.clone())]),
                                    "{op:?} missed {new:?}"
                                );
                            }
                        }
                    }
                }
            }
            assert!(within > 0, "{clients}");
        }
    }

    /// With ties, breaks and double-ups the filter is a relaxation: every
    /// relocation the core times is let through, wherever what the filter
    /// reads stays true (the kept head of each round keeps its starts, and
    /// the moved stretch's tied partners are in rounds the move leaves
    /// alone). On a generated day (`after` gaps, double-ups, breaks) and on
    /// Mankowska's B1 (links).
    #[test]
    fn the_filter_refuses_no_move_a_tied_partner_could_follow() {
        let rules_hold = |p: &Problem,
                          sol: &Solution,
                          routes: &[(usize, Vec<usize>)],
                          t: &Timing| {
            let rules = Rules::of(p);
            let changed: Vec<usize> = routes.iter().map(|(r, _)| *r).collect();
            let after = t.starts();
            routes.iter().all(|(r, new)| {
                let old = &sol.routes[*r];
                let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
                old[..head].iter().all(|&x| after[x] == sol.start[x])
                    && new[head..].iter().all(|&x| {
                        rules
                            .ties_from(x)
                            .iter()
                            .chain(rules.ties_into(x))
                            .all(|&(w, _)| sol.rounds_of[w].iter().all(|q| !changed.contains(q)))
                    })
            })
        };
        let problems = [
            day(20, false),
            crate::readers::mankowska::shared_problem("InstanzCPLEX_HCSRP_25_1.txt"),
        ];
        for p in &problems {
            let sol = crate::solve::construct::greedy::construct(p).solution;
            let ls = LocalSearch::new(p);
            let (mut checked, mut refused) = (0, 0);
            for (routes, passed) in relocations(p, &sol) {
                let mut t = timed(p, &sol);
                let eligible = routes
                    .iter()
                    .all(|(r, rt)| rt.iter().all(|&x| ls.eligible(x, *r)));
                if eligible && t.try_routes(&routes).is_ok() && rules_hold(p, &sol, &routes, &t) {
                    assert!(passed, "{routes:?}");
                    checked += 1;
                }
                refused += usize::from(!passed);
            }
            assert!(checked > 0 && refused > 0, "{checked} {refused}");
        }
    }

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
