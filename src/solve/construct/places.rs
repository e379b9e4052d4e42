//! Where a visit can go: every place its round alone does not rule out
//! ([`places`]: eligibility, capacity, linked visits with different
//! carers, the round's relaxation), and the best of them timed exactly by
//! the core ([`cheapest`], ranked by [`crate::solve::linked::score`]).

use crate::solve::linked;
use crate::solve::timing::{BREAK, Timing};

/// Whether round `r` has the capacity left for visit `v`.
fn has_room(t: &Timing, r: usize, v: usize) -> bool {
    let p = t.problem();
    p.rounds[r].capacity.is_none_or(|cap| {
        let used: i32 = t.routes()[r]
            .iter()
            .filter(|&&x| x != BREAK)
            .map(|&u| p.visits[u].load)
            .sum();
        used + p.visits[v].load <= cap
    })
}

/// A place for a visit: round, position among its visits, and what ranks
/// it.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub round: usize,
    pub at: usize,
    pub pref: i64,
    pub added: i64,
    pub lo: i32,
    pub hi: i32,
}

/// Every place of `v` that its round alone does not rule out.
pub fn places(t: &Timing, v: usize) -> Vec<Place> {
    let p = t.problem();
    let mut out = Vec::new();
    for &r in &p.eligible[v] {
        if !has_room(t, r, v) || !linked::apart(t, v, r) {
            continue;
        }
        let lat = t.round_latest(r);
        let visits = t.visits_of(r);
        for at in 0..=visits.len() {
            let (lo, hi, added) = t.insertion_window(r, &visits, at, v, &lat);
            if lo <= hi {
                out.push(Place {
                    round: r,
                    at,
                    pref: p.preference(v, r),
                    added,
                    lo,
                    hi,
                });
            }
        }
    }
    out
}

/// The `most` best of `cands` for single visit `v`, each timed exactly by
/// the core (and undone): `(score, round, position)`, best first. The
/// score is what the problem's [`Order`] ranks a place by
/// ([`linked::score`]).
pub fn cheapest(
    t: &mut Timing,
    v: usize,
    cands: &[Place],
    most: usize,
) -> Vec<(linked::Score, usize, usize)> {
    let largest = linked::largest_lateness(t);
    let mut found = Vec::new();
    for c in cands {
        if let Ok(change) = t.try_place(v, &[(c.round, c.at)]) {
            found.push((
                linked::score(t.problem(), &change, c.pref, largest),
                c.round,
                c.at,
            ));
            t.undo();
        }
    }
    found.sort_unstable();
    found.truncate(most);
    found
}
