//! Diversification when the search stalls: a kick. Instead of stopping
//! after a stall (no new best for [`super::SearchOptions::max_stall`]
//! iterations), the search restarts from its best plan with a big part of
//! it destroyed and rebuilt, and carries on from there.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::destroy::destroy;
use crate::problem::Problem;
use crate::solve::Solution;

/// Share of the served clients a kick removes: between these fractions.
const KICK_SHARE: (f64, f64) = (0.15, 0.35);

/// `best` kicked: a random share of its served clients (random or related
/// removal, alternately) removed and every unserved client re-inserted by
/// `repair`. `None` when the kicked plan cannot be timed (non-metric
/// travel matrices only).
pub fn kick(
    p: &Problem,
    best: &Solution,
    kicks: usize,
    rng: &mut ChaCha8Rng,
    repair: impl FnOnce(&mut Solution, &mut ChaCha8Rng),
) -> Option<Solution> {
    let served = (0..p.clients.len())
        .filter(|&c| best.is_served(p, c))
        .count();
    let share = rng.gen_range(KICK_SHARE.0..=KICK_SHARE.1);
    let k = ((served as f64 * share).round() as usize).max(3);
    let mut cand = best.clone();
    // Alternate random removal (kicks 0, 2, ...) and related (Shaw) removal.
    let op = usize::from(!kicks.is_multiple_of(2));
    if !destroy(p, best, &mut cand, op, Some(k), rng) {
        return None;
    }
    repair(&mut cand, rng);
    Some(cand)
}
