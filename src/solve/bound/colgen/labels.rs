//! Pricing for one carer shift: the feasible round (a sequence of its
//! eligible visits) of greatest total weight, by an exact labelling
//! algorithm (resource-constrained longest path) over ng-routes: a label
//! remembers only the done visits in the ng-set of its last visit, so a
//! route may repeat a visit once it has left its neighbourhood; the best
//! ng-route weighs at least the best round (docs/exact.md). With ng-sets of
//! every candidate it is elementary. [`Limits::heuristic`] prices
//! elementary rounds fast but not exactly.
//!
//! A label is a partial round from the shift's start: its last visit, the
//! minute that visit ends (every visit starts as early as it can: all the
//! rules are "no earlier than" lower bounds and "no later than" upper
//! bounds, so the earliest timetable of a sequence is feasible whenever any
//! timetable is), whether the break is taken, the load, the weight so far,
//! the visits it may no longer do, and the start of each visit whose `after`
//! successor could still follow in the same round. The rules are those of
//! the checker (docs/checker.md) for one round:
//!
//! * leave the start no earlier than shift start, start each visit inside
//!   its window, travel by the shift's mode between consecutive stops;
//! * the break (if the shift has one) in exactly one gap: taken before the
//!   journey (`max(end, earliest) <= latest`, then break, then travel) or on
//!   arrival (`max(end + travel, earliest) <= latest`, then break, then the
//!   visit), never on arrival at the end location;
//! * `after` gaps between two visits of the same round; a successor is
//!   never done before its predecessor in one round (gaps are >= 0,
//!   durations >= 1);
//! * back at the end location by shift end; the load within the capacity.
//!
//! Label `a` dominates `b` (same last visit) when it ends no later, has
//! taken the break if `b` has, weighs at least as much, carries no more
//! load, may still do every visit `b` may, and each `after` predecessor it
//! did started no later than in `b`: every completion of `b` is then a
//! completion of `a` worth at least as much. A visit whose window has
//! closed by a label's end is marked as done (it can never follow), which
//! keeps the sets comparable; a visit whose `after` successor was done is
//! marked too. Nothing else is pruned, so the best round found is the best
//! feasible (ng-)round, unless the search is cut short by its deadline or
//! label budget, or is heuristic, which [`Priced::exact`] reports.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::problem::Problem;
use crate::solve::reach::Reach;

/// One shift's data for pricing, built once.
#[derive(Debug, Clone)]
pub struct ShiftData {
    pub round: usize,
    /// Candidate visits (global indices), local index = position.
    pub cand: Vec<usize>,
    start: i32,
    end: i32,
    /// Break: earliest, latest, minutes (None: no break).
    brk: Option<(i32, i32, i32)>,
    capacity: Option<i32>,
    tw_s: Vec<i32>,
    tw_e: Vec<i32>,
    dur: Vec<i32>,
    load: Vec<i32>,
    /// `travel[i][j]`, local indices, with index `n` the start (as `i`) or
    /// the end location (as `j`).
    travel: Vec<Vec<i32>>,
    /// Least minutes from a visit's place to the end location (any chain).
    to_end: Vec<i32>,
    /// `after` predecessor inside the candidates: (local, gap).
    after: Vec<Option<(usize, i32)>>,
    /// Successors inside the candidates: (local, gap).
    succ: Vec<Vec<(usize, i32)>>,
    /// Each visit's ng-set (itself and its nearest candidates): what a
    /// label at the visit remembers having done (docs/exact.md).
    ng: Vec<Box<[u64]>>,
    words: usize,
}

/// Size of each visit's ng-set by default (itself and its nearest).
pub const NG_SIZE: usize = 12;

impl ShiftData {
    /// The shift's candidates: eligible visits it could reach and leave in
    /// time, with ng-sets of [`NG_SIZE`].
    pub fn new(p: &Problem, reach: &Reach, r: usize) -> ShiftData {
        Self::with_ng(p, reach, r, NG_SIZE)
    }

    /// The shift's candidates with ng-sets of `ng` visits (each visit and
    /// its `ng - 1` nearest by travel either way); `ng` at least the
    /// number of candidates makes pricing elementary.
    pub fn with_ng(p: &Problem, reach: &Reach, r: usize, ng: usize) -> ShiftData {
        let spec = &p.rounds[r];
        let cand: Vec<usize> = crate::solve::exact::vars::candidates(p, reach, r);
        let n = cand.len();
        let local = |v: usize| cand.iter().position(|&c| c == v);
        let node = |i: usize| p.visits[cand[i]].node;
        let travel: Vec<Vec<i32>> = (0..=n)
            .map(|i| {
                let a = if i == n { spec.start_node } else { node(i) };
                (0..=n)
                    .map(|j| {
                        let b = if j == n { spec.end_node } else { node(j) };
                        p.time(r, a, b)
                    })
                    .collect()
            })
            .collect();
        let after: Vec<Option<(usize, i32)>> = cand
            .iter()
            .map(|&v| {
                p.visits[v]
                    .after
                    .and_then(|(u, g)| local(u).map(|lu| (lu, g)))
            })
            .collect();
        let mut succ = vec![Vec::new(); n];
        for (j, a) in after.iter().enumerate() {
            if let Some((u, g)) = *a {
                succ[u].push((j, g));
            }
        }
        let words = n.div_ceil(64).max(1);
        let ng = ng_sets(&travel, n, ng, words);
        ShiftData {
            round: r,
            start: spec.start,
            end: spec.end,
            brk: spec.brk.map(|b| (b.earliest, b.latest, b.minutes)),
            capacity: spec.capacity,
            tw_s: cand.iter().map(|&v| p.visits[v].tw_start).collect(),
            tw_e: cand.iter().map(|&v| p.visits[v].tw_end).collect(),
            dur: cand.iter().map(|&v| p.visits[v].duration).collect(),
            load: cand.iter().map(|&v| p.visits[v].load).collect(),
            to_end: cand
                .iter()
                .map(|&v| reach.to_end[r][p.visits[v].node])
                .collect(),
            travel,
            after,
            succ,
            ng,
            words,
            cand,
        }
    }

    /// Whether every visit's ng-set is every candidate (pricing is then
    /// elementary: no round returned visits a place twice).
    pub fn elementary(&self) -> bool {
        let n = self.len();
        self.ng.iter().all(|set| (0..n).all(|k| has(set, k)))
    }

    /// Make the ng-sets forbid the cycles of `seq` (local visits in
    /// order): a visit done twice joins the ng-set of every visit between
    /// (dynamic ng-sets: pricing stays a relaxation, only tighter).
    /// Returns whether a set grew.
    pub fn forbid_cycles(&mut self, seq: &[usize]) -> bool {
        let mut grew = false;
        for (i, &v) in seq.iter().enumerate() {
            let Some(j) = seq[i + 1..].iter().position(|&u| u == v) else {
                continue;
            };
            for &k in &seq[i + 1..i + 1 + j] {
                if !has(&self.ng[k], v) {
                    put(&mut self.ng[k], v);
                    grew = true;
                }
            }
        }
        grew
    }

    pub fn len(&self) -> usize {
        self.cand.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cand.is_empty()
    }
}

/// Each visit's ng-set: itself and its `size - 1` nearest candidates by
/// the shorter journey either way (ties by index).
fn ng_sets(travel: &[Vec<i32>], n: usize, size: usize, words: usize) -> Vec<Box<[u64]>> {
    (0..n)
        .map(|i| {
            let mut set = vec![0u64; words].into_boxed_slice();
            let mut by: Vec<usize> = (0..n).filter(|&k| k != i).collect();
            by.sort_by_key(|&k| (travel[i][k].min(travel[k][i]), k));
            put(&mut set, i);
            for &k in by.iter().take(size.saturating_sub(1)) {
                put(&mut set, k);
            }
            set
        })
        .collect()
}

/// The outcome of pricing one shift.
#[derive(Debug, Clone)]
pub struct Priced {
    /// Weight of the best feasible round found (0 for the empty round).
    pub best: f64,
    /// The best rounds found (local visit indices in visiting order), best
    /// first, each with its weight; at most the number asked for.
    pub rounds: Vec<(f64, Vec<usize>)>,
    /// Whether the search ran to the end: then `best` is the best weight of
    /// any feasible round of the shift.
    pub exact: bool,
    /// Labels created.
    pub labels: usize,
}

/// Limits of one pricing run.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    pub deadline: Option<Instant>,
    /// Stop as soon as this is set (the plan was cancelled).
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    pub max_labels: usize,
    /// How many of the best rounds to return.
    pub keep: usize,
    /// Heuristic pricing: elementary rounds, but a label is dominated
    /// whatever visits it may still do, so far fewer labels; the best round
    /// found is then only a feasible round, not the best (`exact` false).
    pub heuristic: bool,
}

#[derive(Debug, Clone)]
struct Label {
    last: u32,
    end: i32,
    brk: bool,
    load: i32,
    weight: f64,
    pred: u32,
    alive: bool,
    /// Visits this label may no longer do (done, passed, or blocked).
    closed: Box<[u64]>,
    /// Start minute of each done visit with an `after` successor among the
    /// candidates: (local, start).
    starts: Vec<(u32, i32)>,
}

#[inline]
fn has(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}

#[inline]
fn put(set: &mut [u64], i: usize) {
    set[i / 64] |= 1 << (i % 64);
}

fn dominates(a: &Label, b: &Label, heuristic: bool) -> bool {
    a.end <= b.end
        && (a.brk || !b.brk)
        && a.weight >= b.weight
        && a.load <= b.load
        && (heuristic || exact_dominates(a, b))
}

/// The part of dominance that exact pricing needs on top of the resources.
fn exact_dominates(a: &Label, b: &Label) -> bool {
    a.closed
        .iter()
        .zip(b.closed.iter())
        .all(|(x, y)| x & !y == 0)
        && a.starts.iter().all(|&(u, s)| {
            b.starts
                .iter()
                .find(|&&(w, _)| w == u)
                .is_some_and(|&(_, t)| t >= s)
        })
}

/// The earliest start of visit `j` after a label ending at `end` at local
/// place `from` (`n`: the start location), without and with taking the
/// break in this gap: (start without break, start with break).
fn starts_after(
    sd: &ShiftData,
    from: usize,
    end: i32,
    brk_taken: bool,
    j: usize,
) -> [Option<i32>; 2] {
    let t = sd.travel[from][j];
    let plain = end + t;
    let mut out = [None, None];
    let fits = |s: i32| (s <= sd.tw_e[j]).then_some(s);
    out[0] = fits(plain.max(sd.tw_s[j]));
    if !brk_taken && let Some((e, l, m)) = sd.brk {
        let first = end.max(e);
        let a = (first <= l).then(|| first + m + t);
        let arrive = (end + t).max(e);
        let b = (arrive <= l).then(|| arrive + m);
        let s = match (a, b) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        out[1] = s.and_then(|s| fits(s.max(sd.tw_s[j])));
    }
    out
}

/// Whether a label ending at `end` at local visit `last` can go home (with
/// the break before the last journey if it is still due).
fn can_close(sd: &ShiftData, last: usize, end: i32, brk_taken: bool) -> bool {
    let n = sd.len();
    let t = sd.travel[last][n];
    if brk_taken || sd.brk.is_none() {
        return end + t <= sd.end;
    }
    let (e, l, m) = sd.brk.unwrap_or_default();
    let b = end.max(e);
    b <= l && b + m + t <= sd.end
}

/// The best feasible rounds of the shift for visit weights `w` (local
/// indices; any sign; `f64::NEG_INFINITY` bans the visit from the shift).
pub fn price(sd: &ShiftData, w: &[f64], limits: &Limits) -> Priced {
    let n = sd.len();
    let mut out = Priced {
        best: 0.0,
        rounds: Vec::new(),
        exact: true,
        labels: 0,
    };
    if n == 0 {
        return out;
    }
    let mut labels: Vec<Label> = vec![Label {
        last: n as u32,
        end: sd.start,
        brk: sd.brk.is_none(),
        load: 0,
        weight: 0.0,
        pred: u32::MAX,
        alive: true,
        closed: vec![0u64; sd.words].into_boxed_slice(),
        starts: Vec::new(),
    }];
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut heap = BinaryHeap::new();
    heap.push(Reverse((sd.start, 0u32)));
    // Best complete labels: (weight, label).
    let mut top: Vec<(f64, u32)> = Vec::new();
    let mut popped = 0usize;
    while let Some(Reverse((_, li))) = heap.pop() {
        popped += 1;
        if popped.is_multiple_of(256)
            && (limits.deadline.is_some_and(|d| Instant::now() >= d)
                || limits
                    .stop
                    .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)))
        {
            out.exact = false;
            break;
        }
        if labels.len() >= limits.max_labels {
            out.exact = false;
            break;
        }
        let li = li as usize;
        if !labels[li].alive {
            continue;
        }
        let from = labels[li].last as usize;
        for j in 0..n {
            // Weight -infinity: the visit is banned from the shift.
            if has(&labels[li].closed, j) || w[j] == f64::NEG_INFINITY {
                continue;
            }
            let lab = &labels[li];
            if let Some(c) = sd.capacity
                && lab.load + sd.load[j] > c
            {
                continue;
            }
            let children = child_starts(sd, lab, from, j);
            for (s, brk) in children {
                let Some(child) = extend(sd, w, &labels[li], li, j, (s, brk), limits.heuristic)
                else {
                    continue;
                };
                let mut state = Search {
                    labels: &mut labels,
                    buckets: &mut buckets,
                    heap: &mut heap,
                    top: &mut top,
                };
                state.insert(sd, limits, j, child);
            }
        }
    }
    out.labels = labels.len();
    out.exact &= !limits.heuristic;
    out.best = top.first().map_or(0.0, |t| t.0.max(0.0));
    out.rounds = rounds_of(&labels, &top);
    out
}

/// The labelling search's state that a new label changes.
struct Search<'a> {
    labels: &'a mut Vec<Label>,
    buckets: &'a mut Vec<Vec<u32>>,
    heap: &'a mut BinaryHeap<Reverse<(i32, u32)>>,
    top: &'a mut Vec<(f64, u32)>,
}

impl Search<'_> {
    /// Adds `child` (ending at local visit `j`) unless dominated, dropping those it dominates.
    fn insert(&mut self, sd: &ShiftData, limits: &Limits, j: usize, child: Label) {
        let labels = &mut *self.labels;
        let buckets = &mut *self.buckets;
        if buckets[j].iter().any(|&o| {
            labels[o as usize].alive && dominates(&labels[o as usize], &child, limits.heuristic)
        }) {
            return;
        }
        for &o in &buckets[j] {
            if labels[o as usize].alive && dominates(&child, &labels[o as usize], limits.heuristic)
            {
                labels[o as usize].alive = false;
            }
        }
        buckets[j].retain(|&o| labels[o as usize].alive);
        let id = labels.len() as u32;
        let (end, brk) = (child.end, child.brk);
        if can_close(sd, j, end, brk) {
            keep_top(self.top, child.weight, id, limits.keep.max(1));
        }
        labels.push(child);
        buckets[j].push(id);
        self.heap.push(Reverse((end, id)));
    }
}

/// The starts (and break taken) of local visit `j` right after label `lab` at `from`.
fn child_starts(sd: &ShiftData, lab: &Label, from: usize, j: usize) -> Vec<(i32, bool)> {
    // An `after` predecessor done in this round sets the earliest start.
    let gap_lo = match sd.after[j] {
        Some((u, g)) => lab
            .starts
            .iter()
            .find(|&&(x, _)| x as usize == u)
            .map(|&(_, s)| s + g),
        None => None,
    };
    let opts = starts_after(sd, from, lab.end, lab.brk, j);
    // With the break taken here the label can only be better in
    // `brk`; if it starts no later, that child dominates.
    let mut children: Vec<(i32, bool)> = Vec::with_capacity(2);
    let adjust = |s: i32| {
        let s = gap_lo.map_or(s, |g| s.max(g));
        (s <= sd.tw_e[j]).then_some(s)
    };
    let plain = opts[0].and_then(adjust);
    let with = opts[1].and_then(adjust);
    match (plain, with) {
        (Some(a), Some(b)) if b <= a => children.push((b, true)),
        (a, b) => {
            if let Some(a) = a {
                children.push((a, lab.brk));
            }
            if let Some(b) = b {
                children.push((b, true));
            }
        }
    }
    children
}

/// Label `lab` (id `li`) extended by local visit `j` started at `s` (with
/// the break taken if `brk`), if it can still get home. The child remembers
/// the done visits of `j`'s ng-set only (all of them when `elementary`).
fn extend(
    sd: &ShiftData,
    w: &[f64],
    lab: &Label,
    li: usize,
    j: usize,
    (s, brk): (i32, bool),
    elementary: bool,
) -> Option<Label> {
    let n = sd.len();
    let end = s + sd.dur[j];
    // Still able to take the break and get home?
    let (brk_due, brk_latest) = match sd.brk {
        Some((_, l, m)) if !brk => (m, Some(l)),
        _ => (0, None),
    };
    if brk_latest.is_some_and(|l| end > l) || end + brk_due + sd.to_end[j] > sd.end {
        return None;
    }
    let mut closed = lab.closed.clone();
    if !elementary {
        for (c, m) in closed.iter_mut().zip(sd.ng[j].iter()) {
            *c &= m;
        }
    }
    put(&mut closed, j);
    for k in 0..n {
        if sd.tw_e[k] < end {
            put(&mut closed, k);
        }
    }
    // A predecessor of a done successor can no longer come.
    if let Some((u, _)) = sd.after[j] {
        put(&mut closed, u);
    }
    let mut starts = lab.starts.clone();
    // A visit done twice (an ng-route) keeps its first, earliest start.
    if !sd.succ[j].is_empty() && !starts.iter().any(|&(u, _)| u as usize == j) {
        starts.push((j as u32, s));
    }
    Some(Label {
        last: j as u32,
        end,
        brk,
        load: lab.load + sd.load[j],
        weight: lab.weight + w[j],
        pred: li as u32,
        alive: true,
        closed,
        starts,
    })
}

/// The rounds of the best complete labels, as local visits in visiting order.
fn rounds_of(labels: &[Label], top: &[(f64, u32)]) -> Vec<(f64, Vec<usize>)> {
    top.iter()
        .map(|&(wt, id)| {
            let mut seq = Vec::new();
            let mut at = id;
            while at != 0 && at != u32::MAX {
                seq.push(labels[at as usize].last as usize);
                at = labels[at as usize].pred;
            }
            seq.reverse();
            (wt, seq)
        })
        .collect()
}

fn keep_top(top: &mut Vec<(f64, u32)>, weight: f64, id: u32, keep: usize) {
    if top.len() == keep && top.last().is_some_and(|t| t.0 >= weight) {
        return;
    }
    let at = top.partition_point(|t| t.0 >= weight);
    top.insert(at, (weight, id));
    top.truncate(keep);
}
