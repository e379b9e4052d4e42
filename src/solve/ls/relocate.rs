//! Relocate: move one visit next to a neighbouring visit, in another round
//! (constant-time check and cost) or in its own round (cost over the round,
//! the stretch it changes checked by segments).

use super::{Candidate, State, round_of};

/// Moves of single visit `v` to just before or just after visit `u`.
pub fn moves(st: &State, v: usize, u: usize) -> Vec<Candidate> {
    let (a, b) = (round_of(st.sol, v), round_of(st.sol, u));
    let (i, j) = (st.pos[v], st.pos[u]);
    let mut out = Vec::new();
    if a == b {
        let route = &st.sol.routes[a];
        let old = st.p.route_travel(a, route.iter().copied());
        for after in [false, true] {
            let mut new: Vec<usize> = route.iter().copied().filter(|&x| x != v).collect();
            let at = new.iter().position(|&x| x == u).unwrap_or(0) + after as usize;
            new.insert(at, v);
            if new == *route {
                continue;
            }
            let gain = old - st.p.route_travel(a, new.iter().copied());
            if gain > 0 && st.fits_route(a, &new) {
                out.push(Candidate {
                    routes: vec![(a, new)],
                    gain: (0, gain),
                });
            }
        }
        return out;
    }
    let removed = st.removal_gain(a, i, 1);
    let cont = st.pref(v, b) - st.pref(v, a);
    for k in [j, j + 1] {
        let gain = (cont, removed - st.insertion_cost(b, k, k, &[v]));
        if gain > (0, 0) && st.fits(b, k, k, &[v]) {
            let mut ra = st.sol.routes[a].clone();
            ra.remove(i);
            let mut rb = st.sol.routes[b].clone();
            rb.insert(k, v);
            out.push(Candidate {
                routes: vec![(a, ra), (b, rb)],
                gain,
            });
        }
    }
    out
}
