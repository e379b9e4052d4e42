//! Linked visits in the solver ([`crate::problem::Link`]: a request's
//! `starts_with` pairs, Mankowska's synchronised and precedence pairs): two
//! different carers ([`apart`]; the local search keeps them so too), and
//! [`score`], what an insertion's change is worth in the problem's order
//! ([`Order`]). The link's gaps themselves are ties of the timing core
//! (`solve/timing/rules.rs`); a linked pair is placed together by
//! `construct/linked.rs`.

use crate::problem::{Order, Problem};
use crate::solve::timing::{Change, Timing};
use crate::solve::weighted_cost;

/// How good a place is, least best: for a request, minus continuity, then
/// the change of lateness, then of travel; for a weighted problem, the
/// change of its cost (in the last place).
pub type Score = (i64, i64, i64);

/// The [`Score`] of an insertion that made `change` at a place worth `pref`
/// of continuity, when the plan's largest lateness was `largest`. Exact
/// where the insertion only raised starts (no break was moved).
pub fn score(p: &Problem, change: &Change, pref: i64, largest: i64) -> Score {
    match p.order {
        Order::Request => (-pref, change.lateness, change.travel),
        Order::Weighted(w) => (
            0,
            0,
            // The cost is linear: its change is the cost of the changes.
            weighted_cost(
                w,
                change.travel,
                change.lateness,
                change.worst.max(largest) - largest,
            ),
        ),
    }
}

/// The plan's largest lateness where the problem's order weighs it
/// ([`Order::Weighted`]); 0 for a request, whose [`score`] does not use it
/// (so that its hot paths skip the pass over every visit).
pub fn largest_lateness(t: &Timing) -> i64 {
    match t.problem().order {
        Order::Weighted(_) => t.lateness().1,
        Order::Request => 0,
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

/// Whether the plan keeps every link's two visits with different carers
/// (for tests).
#[cfg(test)]
pub(crate) fn apart_in(p: &Problem, sol: &crate::solve::Solution) -> bool {
    let carers = |v: usize| -> Vec<usize> {
        sol.rounds_of[v]
            .iter()
            .map(|&r| p.rounds[r].carer)
            .collect()
    };
    p.links.iter().all(|l| {
        carers(l.first)
            .iter()
            .all(|c| !carers(l.second).contains(c))
    })
}
