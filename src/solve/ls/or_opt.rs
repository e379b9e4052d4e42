//! Or-opt: move a run of two or three consecutive single visits, starting
//! at a visit, to just after a neighbouring visit in another round
//! (constant-time check and cost for these short runs).

use super::{Candidate, State, round_of};

/// Moves of the run starting at `v` (2 or 3 visits) to just after `u`.
pub fn moves(st: &State, v: usize, u: usize) -> Vec<Candidate> {
    let (a, b) = (round_of(st.sol, v), round_of(st.sol, u));
    if a == b {
        return Vec::new();
    }
    let p = st.p;
    let (i, j) = (st.pos[v], st.pos[u]);
    let route = &st.sol.routes[a];
    let mut out = Vec::new();
    for len in 2..=3 {
        let Some(seg) = route.get(i..i + len) else {
            break;
        };
        if seg.iter().any(|&x| p.visits[x].required > 1) {
            break;
        }
        let cont: i64 = seg.iter().map(|&x| st.pref(x, b) - st.pref(x, a)).sum();
        let travel = st.removal_gain(a, i, len) - st.insertion_cost(b, j + 1, j + 1, seg);
        let gain = (cont, travel);
        let load: i32 = seg.iter().map(|&x| p.visits[x].load).sum();
        if gain > (0, 0) && st.fits(b, j + 1, j + 1, seg, load) {
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
