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
        // The gain by legs, without building the route: take v out (its
        // neighbours joined), then put it before or after u in what is left.
        let route = &st.sol.routes[a];
        let nv = st.p.visits[v].node;
        let (pv, sv) = (st.node_before(a, i), st.node_at(a, i + 1));
        let removed = st.legs(a, &[pv, nv, sv]) - st.legs(a, &[pv, sv]);
        for after in [false, true] {
            // Where v already is: no move.
            if (!after && i + 1 == j) || (after && j + 1 == i) {
                continue;
            }
            let nu = st.p.visits[u].node;
            let (x, y) = if after {
                (nu, st.node_at(a, j + 1))
            } else {
                (st.node_before(a, j), nu)
            };
            let gain = removed - (st.legs(a, &[x, nv, y]) - st.legs(a, &[x, y]));
            if gain <= 0 {
                continue;
            }
            let mut new: Vec<usize> = route.iter().copied().filter(|&x| x != v).collect();
            let at = new.iter().position(|&x| x == u).unwrap_or(0) + after as usize;
            new.insert(at, v);
            if st.fits_route(a, &new) {
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
