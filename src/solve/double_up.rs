//! Double-ups in the solver: a double-up goes into two rounds of different
//! carers at one common start ([`place`], what the construction calls). It
//! is one visit in two routes of the timing core (`solve/timing/`), so its
//! common start moves whenever a later insertion or a local-search move
//! needs it to, in both rounds at once; `ls/double_up.rs` hands one
//! carer's part to another.

use crate::solve::timing::Timing;

/// A place of a visit in one round: `(round, position among its visits, continuity,
/// added travel, least start, greatest start)` from the round alone.
pub type RoundPlace = (usize, usize, i64, i64, i32, i32);

/// Put double-up `v` in two rounds of different carers among `cands`.
/// Pairs whose start ranges meet are tried by most continuity, then least
/// lateness at the earliest common start, then least added travel, then
/// earliest common start; the first the core can time wins (and is kept).
/// `false` if no pair works.
pub fn place(t: &mut Timing, v: usize, cands: &[RoundPlace]) -> bool {
    let p = t.problem();
    let mut pairs: Vec<(i64, i64, i64, i32, usize, usize)> = Vec::new();
    for (i, a) in cands.iter().enumerate() {
        for (j, b) in cands.iter().enumerate().skip(i + 1) {
            let lo = a.4.max(b.4);
            if p.rounds[a.0].carer == p.rounds[b.0].carer || lo > a.5.min(b.5) {
                continue;
            }
            pairs.push((-(a.2 + b.2), p.lateness_at(v, lo), a.3 + b.3, lo, i, j));
        }
    }
    pairs.sort_unstable();
    pairs.iter().any(|&(.., i, j)| {
        let (a, b) = (&cands[i], &cands[j]);
        t.try_place(v, &[(a.0, a.1), (b.0, b.1)]).is_ok()
    })
}
