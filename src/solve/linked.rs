//! Linked visits in the solver ([`crate::problem::Link`]: a request's
//! `starts_with` pairs, Mankowska's synchronised and precedence pairs): two
//! different carers ([`apart`]), and a pair placed together
//! ([`place_pair`]): the best few places of each visit alone, timed
//! exactly by the core, are combined and every combination timed, so that
//! the first visit's place is not chosen blind to its partner's. The link's
//! gaps themselves are ties of the timing core (`solve/timing/rules.rs`).
//!
//! Places are ranked by [`score`]: the problem's order ([`Order`]) of what
//! an insertion changes.

use crate::problem::{Order, Problem};
use crate::solve::construct::greedy::{cheapest, places};
use crate::solve::timing::{Change, Timing};

/// How good a place is, least best: for a request, minus continuity, then
/// the change of lateness, then of travel; for a weighted problem, the
/// change of its cost (in the last place).
pub type Score = (i64, i64, i64);

/// How many places of each visit alone a pair combines.
const PAIR_PLACES: usize = 8;

/// The [`Score`] of an insertion that made `change` at a place worth `pref`
/// of continuity, when the plan's largest lateness was `largest`. Exact
/// where the insertion only raised starts (no break was moved).
pub fn score(p: &Problem, change: &Change, pref: i64, largest: i64) -> Score {
    match p.order {
        Order::Request => (-pref, change.lateness, change.travel),
        Order::Weighted(w) => (
            0,
            0,
            change.travel
                + w.per_minute * change.lateness
                + w.worst * (change.worst.max(largest) - largest),
        ),
    }
}

/// Whether round `r`'s carer does none of the visits linked to `v`.
pub fn apart(t: &Timing, v: usize, r: usize) -> bool {
    let p = t.problem();
    let carer = p.rounds[r].carer;
    p.partners(v)
        .iter()
        .all(|&w| t.slots(w).iter().all(|&(x, _)| p.rounds[x].carer != carer))
}

/// A visit of client `k` linked to `v` and not yet placed, if both are
/// single visits.
pub fn unplaced_partner(t: &Timing, k: usize, v: usize) -> Option<usize> {
    let p = t.problem();
    if p.visits[v].is_double_up() {
        return None;
    }
    p.partners(v)
        .iter()
        .copied()
        .find(|&w| p.visits[w].client == k && !t.is_placed(w) && !p.visits[w].is_double_up())
}

/// Place linked visits `a` and `b` (neither placed) together where their
/// [`score`]s add up least; `false` (the state as before) if no pair of
/// places works. When no combination of each one's best places alone has
/// a schedule, each is tried last in every pair of rounds of different
/// carers.
pub fn place_pair(t: &mut Timing, a: usize, b: usize) -> bool {
    let p = t.problem();
    let pa: Vec<(usize, usize)> = cheapest(t, a, &places(t, a), PAIR_PLACES)
        .into_iter()
        .map(|x| (x.1, x.2))
        .collect();
    let pb: Vec<(usize, usize)> = cheapest(t, b, &places(t, b), PAIR_PLACES)
        .into_iter()
        .map(|x| (x.1, x.2))
        .collect();
    let mut best = best_pair(t, a, b, &pa, &pb);
    if best.is_none() {
        let last = |t: &Timing, v: usize| -> Vec<(usize, usize)> {
            p.eligible[v]
                .iter()
                .filter(|&&r| apart(t, v, r))
                .map(|&r| (r, t.visits_of(r).len()))
                .collect()
        };
        let (la, lb) = (last(t, a), last(t, b));
        best = best_pair(t, a, b, &la, &lb);
    }
    let Some((_, at_a, at_b)) = best else {
        return false;
    };
    if t.try_place(a, &[at_a]).is_err() {
        return false;
    }
    if t.try_place(b, &[at_b]).is_err() {
        t.undo();
        return false;
    }
    true
}

/// The best combination of `a` at one of `pa` and `b` at one of `pb` (in
/// rounds of different carers), each timed by the core and undone.
fn best_pair(
    t: &mut Timing,
    a: usize,
    b: usize,
    pa: &[(usize, usize)],
    pb: &[(usize, usize)],
) -> Option<(Score, (usize, usize), (usize, usize))> {
    let p = t.problem();
    let mut best: Option<(Score, (usize, usize), (usize, usize))> = None;
    let largest = t.lateness().1;
    for &(ra, ia) in pa {
        let Ok(ca) = t.try_place(a, &[(ra, ia)]) else {
            continue;
        };
        let sa = score(p, &ca, p.preference(a, ra), largest);
        let after_a = largest.max(ca.worst);
        for &(rb, ib) in pb {
            if p.rounds[rb].carer == p.rounds[ra].carer {
                continue;
            }
            if let Ok(cb) = t.try_place(b, &[(rb, ib)]) {
                let sb = score(p, &cb, p.preference(b, rb), after_a);
                t.undo();
                let total = (sa.0 + sb.0, sa.1 + sb.1, sa.2 + sb.2);
                if best.as_ref().is_none_or(|x| total < x.0) {
                    best = Some((total, (ra, ia), (rb, ib)));
                }
            }
        }
        t.undo();
    }
    best
}
