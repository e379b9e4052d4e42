//! Double-up: hand one carer's part of a double-up to another carer, at
//! the same start. The other four operators move single visits only, so
//! without this a double-up stays with the two carers the insertion gave
//! it; here either of its two rounds may pass it to any other eligible
//! round whose carer is not the partner's, where the fixed start fits
//! between that round's stops (constant-time check against the slack of
//! the stop after it), then the exact check.

use super::{Candidate, State};

/// Moves of double-up visit `v`: each of its rounds hands it to another
/// round, at the position its start falls in.
pub fn moves(st: &State, v: usize) -> Vec<Candidate> {
    let (p, sol) = (st.p, st.sol);
    let Some(s) = sol.start[v] else {
        return Vec::new();
    };
    if !p.visits[v].is_double_up() {
        return Vec::new();
    }
    let legs = &sol.rounds_of[v];
    let mut out = Vec::new();
    for &a in legs {
        let partners: Vec<usize> = legs
            .iter()
            .filter(|&&x| x != a)
            .map(|&x| p.rounds[x].carer)
            .collect();
        let Some(i) = sol.routes[a].iter().position(|&x| x == v) else {
            continue;
        };
        let removed = st.removal_gain(a, i, 1);
        for &b in &p.eligible[v] {
            if legs.contains(&b) || partners.contains(&p.rounds[b].carer) {
                continue;
            }
            // Starts increase along a round: the fixed start has one place.
            let k = sol.routes[b]
                .iter()
                .position(|&x| sol.start[x].is_some_and(|t| t > s))
                .unwrap_or(sol.routes[b].len());
            // An empty round travels nothing, not start to end.
            let added = if sol.routes[b].is_empty() {
                p.route_travel(b, [v])
            } else {
                st.insertion_cost(b, k, k, &[v])
            };
            let gain = (st.pref(v, b) - st.pref(v, a), removed - added);
            if gain <= (0, 0) || !fits_at(st, b, k, v, s) {
                continue;
            }
            let mut ra = sol.routes[a].clone();
            ra.remove(i);
            let mut rb = sol.routes[b].clone();
            rb.insert(k, v);
            out.push(Candidate {
                routes: vec![(a, ra), (b, rb)],
                gain,
            });
        }
    }
    out
}

/// Whether `v`, starting at `s`, fits before position `k` of round `b`:
/// reachable from the stop before by `s`, and the stop after still
/// reachable by its latest start. Capacity and the break are left to the
/// exact check.
fn fits_at(st: &State, b: usize, k: usize, v: usize, s: i32) -> bool {
    let p = st.p;
    let vs = &p.visits[v];
    let (pe, pn) = st.prev(b, k);
    if pe + p.time(b, pn, vs.node) > s {
        return false;
    }
    s + vs.duration + p.time(b, vs.node, st.node_at(b, k)) <= st.cache[b].latest[k]
}
