//! Greedy construction of whole clients.
//!
//! Clients are taken by priority (highest first), then difficulty (double-ups,
//! fewest eligible rounds, most care minutes). Each client's visits are
//! inserted one by one, `after` targets first, each at its best feasible place
//! (most continuity, then least added travel, then earliest start); a
//! double-up goes into two rounds of different carers at one common start.
//! Start times already placed never move. If any visit of a client cannot be
//! placed, the whole client is taken out again: all or nothing.

use super::Solution;
use super::schedule::{Slot, earliest_common, slots_in_round};
use crate::problem::Problem;

/// The outcome of a greedy run: the solution and, for each client it could
/// not serve, the visit that failed to fit.
#[derive(Debug, Clone)]
pub struct Greedy {
    pub solution: Solution,
    pub failed_visit: Vec<Option<usize>>,
}

/// The order in which the greedy takes clients.
pub fn client_order(p: &Problem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.clients.len()).collect();
    let key = |k: usize| {
        let c = &p.clients[k];
        let doubles = c
            .visits
            .iter()
            .filter(|&&v| p.visits[v].required > 1)
            .count();
        let fewest = c
            .visits
            .iter()
            .map(|&v| p.eligible[v].len())
            .min()
            .unwrap_or(0);
        let care: i32 = c
            .visits
            .iter()
            .map(|&v| p.visits[v].duration * p.visits[v].required as i32)
            .sum();
        (
            std::cmp::Reverse(c.priority),
            std::cmp::Reverse(doubles),
            fewest,
            std::cmp::Reverse(care),
            k,
        )
    };
    order.sort_by_key(|&k| key(k));
    order
}

/// Run the greedy over clients in [`client_order`].
pub fn construct(p: &Problem) -> Greedy {
    let mut sol = Solution::empty(p);
    let mut failed_visit = vec![None; p.clients.len()];
    for k in client_order(p) {
        if let Err(v) = insert_client(p, &mut sol, k) {
            failed_visit[k] = Some(v);
        }
    }
    Greedy {
        solution: sol,
        failed_visit,
    }
}

/// Insert every visit of client `k`, or none: on failure the client's visits
/// are removed again and the visit that did not fit is returned.
pub fn insert_client(p: &Problem, sol: &mut Solution, k: usize) -> Result<(), usize> {
    for &v in &p.clients[k].visits {
        if !insert_visit(p, sol, v) {
            for &u in &p.clients[k].visits {
                sol.remove(u);
            }
            return Err(v);
        }
    }
    Ok(())
}

/// Score of a placement: higher is better (continuity, -travel, -start).
type Score = (i32, i32, i32);

/// Insert one visit at its best place; `false` if it fits nowhere.
pub fn insert_visit(p: &Problem, sol: &mut Solution, v: usize) -> bool {
    let required = p.visits[v].required;
    let slots: Vec<Slot> = p.eligible[v]
        .iter()
        .flat_map(|&r| slots_in_round(p, sol, r, v))
        .collect();
    let pref = |s: &Slot| p.is_preferred(v, s.round) as i32;
    if required == 1 {
        let best = slots
            .iter()
            .map(|s| ((pref(s), -s.delta, -s.windows[0].0), s))
            .max_by_key(|(score, s)| (*score, std::cmp::Reverse((s.round, s.pos))));
        if let Some((_, s)) = best {
            sol.insert(s.round, s.pos, v, s.windows[0].0);
            return true;
        }
        return false;
    }
    // Double-up: two rounds of different carers, one common start.
    let mut best: Option<(Score, usize, usize, i32)> = None;
    for (i, a) in slots.iter().enumerate() {
        for (j, b) in slots.iter().enumerate().skip(i + 1) {
            if p.rounds[a.round].carer == p.rounds[b.round].carer {
                continue;
            }
            let Some(start) = earliest_common(&a.windows, &b.windows) else {
                continue;
            };
            let score = (pref(a) + pref(b), -(a.delta + b.delta), -start);
            if best.is_none_or(|(s, ..)| score > s) {
                best = Some((score, i, j, start));
            }
        }
    }
    match best {
        Some((_, i, j, start)) => {
            sol.insert(slots[i].round, slots[i].pos, v, start);
            sol.insert(slots[j].round, slots[j].pos, v, start);
            true
        }
        None => false,
    }
}
