//! When: visit windows (the bounds of `s[v]`), leaving the start location
//! no earlier than the shift start, travel along every arc, the return by
//! the shift end, `after` gaps between a client's visits, and lateness past
//! a due time.
//!
//! Every conditional constraint uses the smallest big-M its variables'
//! bounds allow; one whose M would be non-positive always holds and is left
//! out.

use good_lp::{Expression, constraint};

use super::vars::{Model, end_node, start_node};

/// A visit's departure is no earlier than its end, when the round does it.
pub fn departures(m: &mut Model) {
    let p = m.p;
    for r in 0..p.rounds.len() {
        let rv = m.vars.rounds[r].clone();
        let carer = &p.carers[p.rounds[r].carer].id;
        for &v in &rv.cand {
            let vs = &p.visits[v];
            let big_m = (vs.tw_end + vs.duration - (vs.tw_start + vs.duration)) as f64;
            if big_m <= 0.0 {
                continue;
            }
            let (d, s, y) = (rv.depart[&v], m.vars.start[v], rv.does[&v]);
            let dur = vs.duration as f64;
            m.row(
                format!("stay_whole_visit[{carer}#{r},{}]", vs.id),
                constraint!(d >= s + dur - big_m * (1 - y)),
            );
        }
    }
}

/// Along an arc `i -> j`: `j` starts no earlier than the departure from `i`
/// plus the travel (and for `j` the end location, the return time).
pub fn travel(m: &mut Model) {
    let p = m.p;
    let (sn, en) = (start_node(p), end_node(p));
    for r in 0..p.rounds.len() {
        let rv = m.vars.rounds[r].clone();
        let spec = &p.rounds[r];
        let carer = &p.carers[spec.carer].id;
        for a in &rv.arcs {
            let d = rv.depart[&a.from];
            let ub_d = rv.depart_ub[&a.from];
            let t = a.travel as f64;
            let (arrive_at, lb, what): (Expression, i32, String) = if a.to == en {
                (rv.ret.into(), spec.start, "end".to_string())
            } else {
                let vs = &p.visits[a.to];
                (m.vars.start[a.to].into(), vs.tw_start, vs.id.clone())
            };
            let big_m = (ub_d + a.travel - lb) as f64;
            if big_m <= 0.0 {
                continue;
            }
            let from = if a.from == sn {
                "start".to_string()
            } else {
                p.visits[a.from].id.clone()
            };
            let x = a.x;
            m.row(
                format!("travel[{carer}#{r},{from}->{what}]"),
                constraint!(arrive_at >= d + t - big_m * (1 - x)),
            );
        }
    }
}

/// `after`: a visit starts at least `min_gap` after its target starts, when
/// the client is served.
pub fn gaps(m: &mut Model) {
    let p = m.p;
    for (v, vs) in p.visits.iter().enumerate() {
        let Some((u, gap)) = vs.after else { continue };
        let us = &p.visits[u];
        let big_m = (us.tw_end + gap - vs.tw_start) as f64;
        if big_m <= 0.0 {
            continue;
        }
        let (sv, su, k) = (m.vars.start[v], m.vars.start[u], m.vars.served[vs.client]);
        let g = gap as f64;
        m.row(
            format!("after_gap[{}>={}+{gap}]", vs.id, us.id),
            constraint!(sv >= su + g - big_m * (1 - k)),
        );
    }
    // Largest gaps: `s[v] <= s[u] + max_gap` when the client is served.
    for (v, vs) in p.visits.iter().enumerate() {
        let (Some((u, _)), Some(most)) = (vs.after, vs.after_max) else {
            continue;
        };
        let us = &p.visits[u];
        let big_m = (vs.tw_end - us.tw_start - most) as f64;
        if big_m <= 0.0 {
            continue;
        }
        let (sv, su, k) = (m.vars.start[v], m.vars.start[u], m.vars.served[vs.client]);
        let g = most as f64;
        m.row(
            format!("after_max_gap[{}<={}+{most}]", vs.id, us.id),
            constraint!(sv <= su + g + big_m * (1 - k)),
        );
    }
    // Links (visits that start together: lag 0..0): `second` starts
    // `min_lag..=max_lag` after `first` when both are served (one client's
    // visits, or two clients', each pair of starts held by both served).
    for l in &p.links {
        let (a, b) = (&p.visits[l.first], &p.visits[l.second]);
        let (sa, sb) = (m.vars.start[l.first], m.vars.start[l.second]);
        let (ka, kb) = (m.vars.served[a.client], m.vars.served[b.client]);
        let low = (a.tw_end + l.min_lag - b.tw_start) as f64;
        if low > 0.0 {
            m.row(
                format!("link_min[{}>={}+{}]", b.id, a.id, l.min_lag),
                constraint!(sb >= sa + l.min_lag as f64 - low * (2 - ka - kb)),
            );
        }
        let high = (b.tw_end - a.tw_start - l.max_lag) as f64;
        if high > 0.0 {
            m.row(
                format!("link_max[{}<={}+{}]", b.id, a.id, l.max_lag),
                constraint!(sb <= sa + l.max_lag as f64 + high * (2 - ka - kb)),
            );
        }
    }
}

/// Lateness: `l[v] >= s[v] - late_after` (and `l[v] >= 0` by its bounds),
/// so minimising the sum of `l` (the second stage) starts calls as close to
/// their due time as the routes allow.
pub fn lateness(m: &mut Model) {
    let p = m.p;
    for v in 0..p.visits.len() {
        let (Some(l), Some(due)) = (m.vars.late[v], p.visits[v].late_after) else {
            continue;
        };
        let s = m.vars.start[v];
        m.row(
            format!("lateness[{}]", p.visits[v].id),
            constraint!(l >= s - due as f64),
        );
    }
}
