//! Exact timing of one round after a move: every visit as early as
//! possible, double-ups kept at their shared start, `after` gaps kept with
//! the current starts of the client's visits in other rounds, the break in
//! the first gap where the whole round still fits.
//!
//! This is the verification step of the local search: moves are filtered in
//! constant time by time slack ([`super::Cache`]), and only a move that
//! passes the filter and improves the objective is timed here, in
//! O(visits) per gap tried for the break.

use crate::problem::Problem;

/// The `[lo, hi]` start range of visit `v` from its window, a fixed start
/// (double-ups), and the `after` gaps with visits placed outside `route`
/// (their starts in `start`) or earlier in `route` (their new starts in
/// `new`, indexed like `route`).
fn range(p: &Problem, v: usize, route: &[usize], start: &[Option<i32>], new: &[i32]) -> (i32, i32) {
    let vs = &p.visits[v];
    if vs.is_double_up() {
        // A double-up's start is shared with another round: it never moves.
        let s = start[v].unwrap_or(vs.tw_start);
        return (s, s);
    }
    let (mut lo, mut hi) = (vs.tw_start, vs.tw_end);
    let placed = |w: usize| -> Option<i32> {
        match route.iter().position(|&x| x == w) {
            // In this round: visits before it have a new start; a later
            // double-up keeps its start; a later single visit is checked
            // when it is reached.
            Some(i) => new
                .get(i)
                .copied()
                .or_else(|| p.visits[w].is_double_up().then_some(start[w]).flatten()),
            None => start[w],
        }
    };
    if let Some((u, gap)) = vs.after
        && let Some(su) = placed(u)
    {
        lo = lo.max(su + gap);
    }
    for &(w, gap) in &vs.successors {
        if let Some(sw) = placed(w) {
            hi = hi.min(sw - gap);
        }
    }
    (lo, hi)
}

/// One pass over the round with the break in gap `brk_gap` (gap `i` is the
/// one before the `i`-th visit; gap `route.len()` is the way home).
fn pass(
    p: &Problem,
    r: usize,
    route: &[usize],
    start: &[Option<i32>],
    brk_gap: Option<usize>,
) -> Option<Vec<i32>> {
    let spec = &p.rounds[r];
    let mut new = Vec::with_capacity(route.len());
    let (mut pe, mut pn) = (spec.start, spec.start_node);
    for i in 0..=route.len() {
        let last = i == route.len();
        let nn = route.get(i).map_or(spec.end_node, |&v| p.visits[v].node);
        let t = p.time(r, pn, nn);
        let mut ready = pe + t;
        if brk_gap == Some(i) {
            let b = spec.brk?;
            // Pause first, then travel; or travel, then pause on arrival
            // (never after the round has ended).
            let first = pe.max(b.earliest);
            let bf = (first <= b.latest).then_some(first + b.minutes + t);
            let arrive = (pe + t).max(b.earliest);
            let tf = (!last && arrive <= b.latest).then_some(arrive + b.minutes);
            ready = match (bf, tf) {
                (Some(x), Some(y)) => x.min(y),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => return None,
            };
        }
        if last {
            return (ready <= spec.end).then_some(new);
        }
        let v = route[i];
        let (lo, hi) = range(p, v, route, start, &new);
        let s = ready.max(lo);
        if s > hi {
            return None;
        }
        new.push(s);
        pe = s + p.visits[v].duration;
        pn = nn;
    }
    None
}

/// The earliest start of every visit of `route` in round `r`, or `None` if
/// the round cannot be done in this order. `start` holds the current start
/// of every visit (those of `route` are ignored, except double-ups').
pub fn retime(p: &Problem, r: usize, route: &[usize], start: &[Option<i32>]) -> Option<Vec<i32>> {
    if route.is_empty() || p.rounds[r].brk.is_none() {
        return pass(p, r, route, start, None);
    }
    // For a fixed gap, earliest starts are best for everything after it, so
    // trying every gap in order is complete.
    (0..=route.len()).find_map(|g| pass(p, r, route, start, Some(g)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::construct::greedy;

    #[test]
    fn retiming_a_greedy_round_keeps_it_feasible() {
        let p = Problem::from_json(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )));
        let g = greedy::construct(&p);
        let sol = &g.solution;
        for (r, route) in sol.routes.iter().enumerate() {
            let new = retime(&p, r, route, &sol.start).expect("the greedy's order is feasible");
            let spec = &p.rounds[r];
            let (mut pe, mut pn) = (spec.start, spec.start_node);
            for (i, &v) in route.iter().enumerate() {
                let vs = &p.visits[v];
                assert!(
                    new[i] >= pe + p.time(r, pn, vs.node),
                    "visit {v} starts too soon"
                );
                assert!(new[i] >= vs.tw_start && new[i] <= vs.tw_end);
                if vs.is_double_up() {
                    assert_eq!(Some(new[i]), sol.start[v], "a double-up moved");
                }
                // Without a break, every visit is as early as it can be.
                if spec.brk.is_none() {
                    assert!(new[i] <= sol.start[v].unwrap(), "visit {v} moved later");
                }
                pe = new[i] + vs.duration;
                pn = vs.node;
            }
            assert!(pe + p.time(r, pn, spec.end_node) <= spec.end);
        }
    }

    /// A later double-up in the same round bounds an earlier visit's start
    /// through its `after` gap, though the pass has not reached it yet:
    /// with the break in the first gap, tea would start too late for bed.
    #[test]
    fn a_later_double_up_bounds_the_gap_before_it() {
        let here = r#"{ "lat": 52.0, "lon": -2.7 }"#;
        let carer = |id: &str| {
            format!(
                r#"{{ "id": "{id}", "travel_mode": "drive", "start_location": {here},
                   "shift": {{ "start": "14:00", "end": "22:00",
                     "break": {{ "earliest": "16:30", "latest": "19:00", "minutes": 30 }} }} }}"#
            )
        };
        let json = format!(
            r#"{{ "date": "2026-11-25", "carers": [{}, {}],
                "clients": [{{ "id": "P", "location": {here}, "visits": [
                  {{ "id": "tea", "window": {{ "start": "16:00", "end": "18:00" }}, "duration": 30 }},
                  {{ "id": "bed", "window": {{ "start": "18:45", "end": "18:45" }}, "duration": 30,
                    "carers_required": 2, "after": {{ "visit": "tea", "min_gap": 120 }} }} ] }}] }}"#,
            carer("C1"),
            carer("C2")
        );
        let p = Problem::from_json(&json);
        let (tea, bed) = (0, 1);
        assert_eq!(p.visits[bed].id, "bed");
        let mut sol = crate::solve::Solution::empty(&p);
        sol.insert(0, 0, tea, 960);
        sol.insert(0, 1, bed, 1125);
        sol.insert(1, 0, bed, 1125);
        let new = retime(&p, 0, &sol.routes[0], &sol.start).expect("break after tea fits");
        assert_eq!(new, vec![960, 1125]);
    }

    #[test]
    fn a_round_that_cannot_be_done_in_this_order_is_refused() {
        let p = Problem::from_json(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )));
        let g = greedy::construct(&p);
        let sol = &g.solution;
        // Reversing a round with two visits whose windows do not overlap
        // puts the later window first.
        let (r, route) = sol
            .routes
            .iter()
            .enumerate()
            .find(|(_, route)| {
                route.len() >= 2 && {
                    let (a, b) = (route[0], route[route.len() - 1]);
                    p.visits[a].tw_end + p.visits[a].duration < p.visits[b].tw_start
                }
            })
            .expect("some round spans the day");
        let reversed: Vec<usize> = route.iter().rev().copied().collect();
        assert!(retime(&p, r, &reversed, &sol.start).is_none());
    }
}
