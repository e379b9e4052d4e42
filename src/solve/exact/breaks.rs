//! Breaks: every used round with a break in its shift takes exactly one,
//! starting in `[earliest, latest]`, between two stops and never inside a
//! visit or a journey. It is taken either right after a node (the start
//! location or a visit), before travelling on ("after"), or on arrival at a
//! visit, after travelling and before the visit starts ("on arrival"); the
//! gap back to the end location only allows the first kind, because the
//! return time is the arrival there.

use good_lp::{Expression, constraint};

use super::vars::{Model, start_node};

pub fn breaks(m: &mut Model) {
    let p = m.p;
    let sn = start_node(p);
    for r in 0..p.rounds.len() {
        let rv = m.vars.rounds[r].clone();
        let Some(b) = rv.brk.clone() else { continue };
        let spec = &p.rounds[r];
        let carer = &p.carers[spec.carer].id;
        let name = |what: &str, at: &str| format!("{what}[{carer}#{r},{at}]");
        let id = |i: usize| {
            if i == sn {
                "start".to_string()
            } else {
                p.visits[i].id.clone()
            }
        };
        let bm = b.minutes as f64;
        // Exactly one place, in a used round only.
        let places: Expression = b.after.values().chain(b.on_arrival.values()).copied().sum();
        m.row(
            name("one_break_per_used_round", ""),
            constraint!(places == rv.used),
        );
        for (&i, &z) in &b.after {
            let holder = if i == sn { rv.used } else { rv.does[&i] };
            m.row(
                name("break_after_a_stop_of_the_round", &id(i)),
                constraint!(z <= holder),
            );
            // Starts once the stop ends (for the start location: the shift
            // start, which the break's bounds already respect) ...
            if i != sn {
                let vs = &p.visits[i];
                let big_m = (vs.tw_end + vs.duration - b.lo) as f64;
                if big_m > 0.0 {
                    let (s, dur) = (m.vars.start[i], vs.duration as f64);
                    m.row(
                        name("break_starts_after_visit_ends", &id(i)),
                        constraint!(b.start >= s + dur - big_m * (1 - z)),
                    );
                }
            }
            // ... and the carer sets off only after it.
            let d = rv.depart[&i];
            let lb_d = if i == sn {
                spec.start
            } else {
                p.visits[i].tw_start + p.visits[i].duration
            };
            let big_m = (b.hi + b.minutes - lb_d) as f64;
            if big_m > 0.0 {
                m.row(
                    name("set_off_after_break", &id(i)),
                    constraint!(d >= b.start + bm - big_m * (1 - z)),
                );
            }
        }
        for (&j, &z) in &b.on_arrival {
            let vs = &p.visits[j];
            m.row(
                name("break_on_arrival_at_a_visit_of_the_round", &vs.id),
                constraint!(z <= rv.does[&j]),
            );
            let big_m = (b.hi + b.minutes - vs.tw_start) as f64;
            if big_m > 0.0 {
                let s = m.vars.start[j];
                m.row(
                    name("visit_starts_after_break", &vs.id),
                    constraint!(s >= b.start + bm - big_m * (1 - z)),
                );
            }
            // The break starts after the journey into j, whichever arc it is.
            for a in rv.arcs.iter().filter(|a| a.to == j) {
                let ub_d = rv.depart_ub[&a.from];
                let big_m = (ub_d + a.travel - b.lo) as f64;
                if big_m > 0.0 {
                    let (d, x, t) = (rv.depart[&a.from], a.x, a.travel as f64);
                    m.row(
                        format!("break_after_arrival[{carer}#{r},{}->{}]", id(a.from), vs.id),
                        constraint!(b.start >= d + t - big_m * (2 - x - z)),
                    );
                }
            }
        }
    }
}
