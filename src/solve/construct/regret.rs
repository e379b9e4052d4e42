//! Regret insertion of whole clients, the search's second repair operator.
//!
//! Clients are still taken by priority first (the first objective); within
//! one priority, the client whose best place is most better than its next
//! best goes first (regret-2), so that a client with one good option is not
//! crowded out by one that could go anywhere. A client's places are those of
//! its hardest visit (the one [`insert_client`] places first): the least
//! added travel in each eligible round. A client that fits in fewer rounds
//! than it needs carers plus one has the highest regret. Each client is then
//! inserted whole with [`insert_client`] (all of its visits or none), and
//! only the rounds it went into are costed again.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

#[cfg(test)]
use super::greedy::insert_client;
use super::greedy::{insert_client_in, timed};
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::timing::{BREAK, Timing};

/// The visit of client `k` that [`insert_client`] places first.
fn key_visit(p: &Problem, k: usize) -> usize {
    *p.clients[k]
        .visits
        .iter()
        .min_by_key(|&&v| {
            let vs = &p.visits[v];
            (
                std::cmp::Reverse(vs.required),
                vs.tw_end - vs.tw_start,
                vs.tw_start,
            )
        })
        .expect("a client has visits")
}

/// A pending client: its id, its key visit, and the least added travel
/// of that visit in each eligible round (`None`: it does not fit there).
type Pending = (usize, usize, Vec<(usize, Option<i32>)>);

/// Least added travel of visit `v` in round `r`, if it fits there at all.
fn cost_in(t: &Timing, r: usize, v: usize) -> Option<i32> {
    let p = t.problem();
    if let Some(cap) = p.rounds[r].capacity {
        let used: i32 = t.routes()[r]
            .iter()
            .filter(|&&x| x != BREAK)
            .map(|&u| p.visits[u].load)
            .sum();
        if used + p.visits[v].load > cap {
            return None;
        }
    }
    let lat = t.round_latest(r);
    let visits = t.visits_of(r);
    (0..=visits.len())
        .map(|at| t.insertion_window(r, &visits, at, v, &lat))
        .filter(|&(lo, hi, _)| lo <= hi)
        .map(|(.., added)| added as i32)
        .min()
}

/// The regret of a client from its per-round costs: how much worse its
/// `required + 1`-th best round is than its best (as many carers as it
/// needs), or a high value when it has no spare round.
fn regret(costs: &[(usize, Option<i32>)], required: usize) -> i64 {
    let mut c: Vec<i32> = costs.iter().filter_map(|&(_, x)| x).collect();
    if c.len() <= required {
        // Fewest options first: 1_000_000 minus the number of options.
        return 1_000_000 - c.len() as i64;
    }
    c.sort_unstable();
    (c[required] - c[0]) as i64
}

/// Re-insert every unserved client: highest priority first, then highest
/// regret (ties in random order); none after `deadline`.
pub fn repair(p: &Problem, sol: &mut Solution, rng: &mut ChaCha8Rng, deadline: Instant) {
    let mut t = timed(p, sol);
    repair_in(&mut t, rng, deadline);
    *sol = t.solution();
}

/// [`repair`] on the timing core (the insertions are committed).
fn repair_in(t: &mut Timing, rng: &mut ChaCha8Rng, deadline: Instant) {
    let p = t.problem();
    let served = |t: &Timing, k: usize| p.clients[k].visits.iter().all(|&v| t.is_placed(v));
    let mut pending: Vec<usize> = (0..p.clients.len()).filter(|&k| !served(t, k)).collect();
    pending.shuffle(rng);
    pending.sort_by_key(|&k| std::cmp::Reverse(p.clients[k].priority));
    for class in pending.chunk_by(|&a, &b| p.clients[a].priority == p.clients[b].priority) {
        let mut left: Vec<Pending> = class
            .iter()
            .map(|&k| {
                let v = key_visit(p, k);
                let costs = p.eligible[v]
                    .iter()
                    .map(|&r| (r, cost_in(t, r, v)))
                    .collect();
                (k, v, costs)
            })
            .collect();
        while !left.is_empty() {
            if Instant::now() >= deadline {
                return;
            }
            // Highest regret; the first in (shuffled) order on ties.
            let mut best = 0;
            let mut best_regret = i64::MIN;
            for (i, (_, v, costs)) in left.iter().enumerate() {
                let r = regret(costs, p.visits[*v].required);
                if r > best_regret {
                    best = i;
                    best_regret = r;
                }
            }
            let (k, _, _) = left.swap_remove(best);
            let done = insert_client_in(t, k).is_ok();
            t.commit();
            if !done {
                continue;
            }
            let mut touched: Vec<usize> = p.clients[k]
                .visits
                .iter()
                .flat_map(|&v| t.slots(v).iter().map(|s| s.0))
                .collect();
            touched.sort_unstable();
            touched.dedup();
            for (_, v, costs) in &mut left {
                for (r, c) in costs.iter_mut() {
                    if touched.binary_search(r).is_ok() {
                        *c = cost_in(t, *r, *v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn regret_repair_serves_as_much_priority_as_it_can_from_empty() {
        let p = Problem::from_json(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )));
        let mut sol = Solution::empty(&p);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let far = Instant::now() + std::time::Duration::from_secs(600);
        repair(&p, &mut sol, &mut rng, far);
        let greedy = super::super::greedy::construct(&p).solution;
        // Nothing left out fits any more, and the order costs little against
        // the plain greedy's.
        assert!(sol.objective(&p).0 > 0);
        for k in 0..p.clients.len() {
            if !sol.is_served(&p, k) {
                let mut again = sol.clone();
                assert!(insert_client(&p, &mut again, k).is_err(), "client {k} fits");
            }
        }
        assert!(sol.objective(&p).0 * 10 >= greedy.objective(&p).0 * 9);
    }

    #[test]
    fn a_client_with_no_spare_round_has_the_highest_regret() {
        assert!(regret(&[(0, Some(50))], 1) > regret(&[(0, Some(0)), (1, Some(500))], 1));
        assert!(regret(&[(0, None), (1, Some(5))], 1) > regret(&[(0, Some(5)), (1, Some(5))], 1));
        assert_eq!(regret(&[(0, Some(5)), (1, Some(9)), (2, Some(20))], 2), 15);
    }
}
