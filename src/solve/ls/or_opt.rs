//! Or-opt: move a run of two or three consecutive single visits, starting
//! at a visit, to just after a neighbouring visit: in another round
//! (constant-time check and cost for these short runs) or in its own
//! (cost over the round, the stretch it changes checked by segments).

use super::{Candidate, State, round_of};

/// Moves of the run starting at `v` (2 or 3 visits) to just after `u`.
pub fn moves(st: &State, v: usize, u: usize) -> Vec<Candidate> {
    let (a, b) = (round_of(st.sol, v), round_of(st.sol, u));
    let p = st.p;
    let (i, j) = (st.pos[v], st.pos[u]);
    let route = &st.sol.routes[a];
    let mut out = Vec::new();
    if a == b {
        for len in 2..=3 {
            let Some(seg) = route.get(i..i + len) else {
                break;
            };
            if seg.iter().any(|&x| p.visits[x].is_double_up()) {
                break;
            }
            // In the run, or the run already just after u: no move.
            if seg.contains(&u) || j + 1 == i {
                continue;
            }
            // The gain by legs, without building the route: the run taken
            // out (its neighbours joined), then put between u and what
            // follows u in what is left; the run's own legs are kept.
            let (first, last) = (p.visits[seg[0]].node, p.visits[seg[len - 1]].node);
            let (pv, sv) = (st.node_before(a, i), st.node_at(a, i + len));
            let (nu, y) = (p.visits[u].node, st.node_at(a, j + 1));
            let gain = st.legs(a, &[pv, first]) + st.legs(a, &[last, sv]) - st.legs(a, &[pv, sv])
                + st.legs(a, &[nu, y])
                - st.legs(a, &[nu, first])
                - st.legs(a, &[last, y]);
            if gain <= 0 {
                continue;
            }
            let mut new: Vec<usize> = route.iter().copied().filter(|x| !seg.contains(x)).collect();
            let at = new
                .iter()
                .position(|&x| x == u)
                .map_or(new.len(), |x| x + 1);
            new.splice(at..at, seg.iter().copied());
            if st.fits_route(a, &new) {
                out.push(Candidate {
                    routes: vec![(a, new)],
                    gain: (0, gain),
                });
            }
        }
        return out;
    }
    for len in 2..=3 {
        let Some(seg) = route.get(i..i + len) else {
            break;
        };
        if seg.iter().any(|&x| p.visits[x].is_double_up()) {
            break;
        }
        let cont: i64 = seg.iter().map(|&x| st.pref(x, b) - st.pref(x, a)).sum();
        let travel = st.removal_gain(a, i, len) - st.insertion_cost(b, j + 1, j + 1, seg);
        let gain = (cont, travel);
        if gain > (0, 0) && st.fits(b, j + 1, j + 1, seg) {
            let mut ra = route.clone();
            ra.drain(i..i + len);
            let mut rb = st.sol.routes[b].clone();
            rb.splice(j + 1..j + 1, seg.iter().copied());
            out.push(Candidate {
                routes: vec![(a, ra), (b, rb)],
                gain,
            });
        }
    }
    out
}
