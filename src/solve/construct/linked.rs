//! A linked pair placed together ([`place_pair`]): the best few places of
//! each visit alone, timed exactly by the core, are combined and every
//! combination timed, so that the first visit's place is not chosen blind
//! to its partner's; rounds of different carers only
//! ([`crate::solve::linked::apart`]). Places rank by
//! [`crate::solve::linked::score`].

use super::places::{cheapest, places};
use crate::solve::linked::{Score, apart, largest_lateness, score};
use crate::solve::timing::Timing;

/// How many places of each visit alone a pair combines.
const PAIR_PLACES: usize = 8;

/// A pair's score with its two places, `(round, position)`.
type Pair = (Score, (usize, usize), (usize, usize));

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
) -> Option<Pair> {
    let p = t.problem();
    let mut best: Option<Pair> = None;
    let largest = largest_lateness(t);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Order, Problem};
    use crate::solve::Solution;
    use crate::solve::construct::greedy::{insert_client_in, timed};

    fn b1() -> Problem {
        crate::readers::mankowska::shared_problem("InstanzCPLEX_HCSRP_25_1.txt")
    }

    fn cost(p: &Problem, t: &Timing) -> i64 {
        -t.solution().objective(p).3
    }

    /// Every place a single visit is offered at claims the change of the
    /// weighted cost (travel + total + largest lateness) that recomputing
    /// the plan's objective from scratch finds; so does every pair of
    /// places of two linked visits, which also keeps them with different
    /// carers. Clients go in one by one as the construction puts them.
    #[test]
    fn places_claim_the_recomputed_cost_change() {
        let p = b1();
        assert!(matches!(p.order, Order::Weighted(_)) && !p.links.is_empty());
        let mut t = timed(&p, &Solution::empty(&p));
        let (mut singles, mut pairs) = (0, 0);
        for k in 0..p.clients.len() {
            let v = p.clients[k].visits[0];
            if let Some(w) = unplaced_partner(&t, k, v) {
                let pa: Vec<(usize, usize)> =
                    places(&t, v).iter().map(|c| (c.round, c.at)).collect();
                let pb: Vec<(usize, usize)> =
                    places(&t, w).iter().map(|c| (c.round, c.at)).collect();
                let before = cost(&p, &t);
                if let Some((score, at_v, at_w)) = best_pair(&mut t, v, w, &pa, &pb) {
                    t.try_place(v, &[at_v]).unwrap();
                    t.try_place(w, &[at_w]).unwrap();
                    assert_eq!(cost(&p, &t) - before, score.2, "client {k}");
                    assert_ne!(p.rounds[at_v.0].carer, p.rounds[at_w.0].carer);
                    t.undo();
                    t.undo();
                    pairs += 1;
                }
            } else {
                let before = cost(&p, &t);
                let cands = places(&t, v);
                for (score, r, at) in cheapest(&mut t, v, &cands, usize::MAX) {
                    t.try_place(v, &[(r, at)]).unwrap();
                    assert_eq!(cost(&p, &t) - before, score.2, "client {k} at {r}/{at}");
                    t.undo();
                    singles += 1;
                }
            }
            let _ = insert_client_in(&mut t, k);
            t.commit();
        }
        assert!(singles > 50 && pairs > 2, "{singles} {pairs}");
        let sol = t.solution();
        assert!(crate::solve::linked::apart_in(&p, &sol));
        assert!((0..p.clients.len()).all(|k| sol.is_served(&p, k)));
    }
}
