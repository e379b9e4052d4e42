//! Swap: exchange two single visits, of different rounds (constant-time
//! check and cost) or of one round (cost over the round, the stretch
//! between them checked by segments).

use super::{Candidate, State, round_of};

/// Exchange single visits `v` and `u`.
pub fn moves(st: &State, v: usize, u: usize) -> Vec<Candidate> {
    let (a, b) = (round_of(st.sol, v), round_of(st.sol, u));
    let p = st.p;
    let (i, j) = (st.pos[v], st.pos[u]);
    if a == b {
        // The gain by legs, without building the route.
        let (lo, hi) = (i.min(j), i.max(j));
        let route = &st.sol.routes[a];
        let (x, y) = (p.visits[route[lo]].node, p.visits[route[hi]].node);
        let (before, after) = (st.node_before(a, lo), st.node_at(a, hi + 1));
        let gain = if hi == lo + 1 {
            st.legs(a, &[before, x, y, after]) - st.legs(a, &[before, y, x, after])
        } else {
            let (xa, yb) = (st.node_at(a, lo + 1), st.node_before(a, hi));
            st.legs(a, &[before, x, xa]) + st.legs(a, &[yb, y, after])
                - st.legs(a, &[before, y, xa])
                - st.legs(a, &[yb, x, after])
        };
        if gain <= 0 {
            return Vec::new();
        }
        let mut new = route.clone();
        new.swap(i, j);
        return if st.fits_route(a, &new) {
            vec![Candidate {
                routes: vec![(a, new)],
                gain: (0, gain),
            }]
        } else {
            Vec::new()
        };
    }
    let legs = |r: usize, k: usize, x: usize| {
        let node = p.visits[x].node;
        (p.time(r, st.node_before(r, k), node) + p.time(r, node, st.node_at(r, k + 1))) as i64
    };
    let travel = legs(a, i, v) + legs(b, j, u) - legs(a, i, u) - legs(b, j, v);
    let cont = st.pref(v, b) + st.pref(u, a) - st.pref(v, a) - st.pref(u, b);
    let gain = (cont, travel);
    if gain > (0, 0) && st.fits(b, j, j + 1, &[v]) && st.fits(a, i, i + 1, &[u]) {
        let mut ra = st.sol.routes[a].clone();
        ra[i] = u;
        let mut rb = st.sol.routes[b].clone();
        rb[j] = v;
        return vec![Candidate {
            routes: vec![(a, ra), (b, rb)],
            gain,
        }];
    }
    Vec::new()
}
