//! 2-opt*: exchange the ends of two rounds so that a visit is followed by a
//! neighbouring visit of the other round. Constant-time check and cost when
//! both rounds share travel mode, end location and shift end (the ends keep
//! their slack); otherwise the cost is summed over the ends and each new
//! end is checked by segments in its length.

use super::{Candidate, State, round_of};

/// Round `a` keeps its visits up to `v` and continues with `u` and the rest
/// of round `b`; round `b` keeps its visits before `u` and continues with
/// what followed `v`.
pub fn moves(st: &State, v: usize, u: usize) -> Vec<Candidate> {
    let (a, b) = (round_of(st.sol, v), round_of(st.sol, u));
    if a == b {
        return Vec::new();
    }
    let p = st.p;
    let (i, j) = (st.pos[v], st.pos[u]);
    let (ra, rb) = (&st.sol.routes[a], &st.sol.routes[b]);
    let (ta, tb) = (&ra[i + 1..], &rb[j..]);
    if tb.iter().any(|&x| !st.ls.eligible(x, a)) || ta.iter().any(|&x| !st.ls.eligible(x, b)) {
        return Vec::new();
    }
    let cont: i64 = if st.ls.prefs {
        tb.iter()
            .map(|&x| st.pref(x, a) - st.pref(x, b))
            .sum::<i64>()
            + ta.iter()
                .map(|&x| st.pref(x, b) - st.pref(x, a))
                .sum::<i64>()
    } else {
        0
    };
    let (sa, sb) = (&p.rounds[a], &p.rounds[b]);
    let alike = sa.mode == sb.mode && sa.end_node == sb.end_node && sa.end == sb.end;
    let new_a = || ra[..=i].iter().chain(tb).copied();
    let new_b = || rb[..j].iter().chain(ta).copied();
    let travel = if alike && j + ta.len() > 0 {
        // Legs v -> (rest of a) and (before u) -> u become v -> u and
        // (before u) -> (rest of a).
        let na = st.node_at(a, i + 1);
        let pb = st.node_before(b, j);
        let (nv, nu) = (p.visits[v].node, p.visits[u].node);
        (p.time(a, nv, na) + p.time(b, pb, nu) - p.time(a, nv, nu) - p.time(b, pb, na)) as i64
    } else {
        p.route_travel(a, ra.iter().copied()) + p.route_travel(b, rb.iter().copied())
            - p.route_travel(a, new_a())
            - p.route_travel(b, new_b())
    };
    let gain = (cont, travel);
    if gain <= (0, 0) {
        return Vec::new();
    }
    if alike {
        // u keeps its slack behind v; the rest of a keeps its slack behind
        // the stop before u.
        let c = &st.cache;
        let end_v = st.sol.start[v].unwrap_or(0) + p.visits[v].duration;
        if end_v + p.time(a, p.visits[v].node, p.visits[u].node) > c[b].latest[j] {
            return Vec::new();
        }
        let (pe, pn) = st.prev(b, j);
        if pe + p.time(b, pn, st.node_at(a, i + 1)) > c[a].latest[i + 1] {
            return Vec::new();
        }
        if let (Some(ca), Some(cb)) = (sa.capacity, sb.capacity) {
            let (la, lb) = (&c[a].load, &c[b].load);
            let (tot_a, tot_b) = (la[la.len() - 1], lb[lb.len() - 1]);
            if la[i + 1] + tot_b - lb[j] > ca || lb[j] + tot_a - la[i + 1] > cb {
                return Vec::new();
            }
        }
    }
    let (new_a, new_b): (Vec<usize>, Vec<usize>) = (new_a().collect(), new_b().collect());
    if !alike && (!st.fits_route(a, &new_a) || !st.fits_route(b, &new_b)) {
        return Vec::new();
    }
    vec![Candidate {
        routes: vec![(a, new_a), (b, new_b)],
        gain,
    }]
}
