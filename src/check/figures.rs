//! Rule `key-figures`: the optional `summary.key_figures` (docs/format.md,
//! "Key figures") re-derived from the request and the plan's stops, with the
//! checker's own arithmetic. Counts must match exactly, hours and shares to
//! within half a unit of their last decimal.

use std::collections::BTreeMap;

use super::{Ctx, Out, hm, mins};
use crate::model::{KeyFigures, Plan, Round, Stop};

/// Shift start (minutes) from which a round is a late shift.
const NOON: i64 = 720;

#[derive(Default)]
struct Loads {
    rounds: u64,
    used: u64,
    visits: u64,
    shift: i64,
    care: i64,
    travel: i64,
}

fn count(out: &mut Out, name: &str, stated: u64, actual: u64) {
    if stated != actual {
        out.push(
            "key-figures",
            format!("summary key_figures {name} is {stated}, the plan gives {actual}"),
        );
    }
}

fn close(out: &mut Out, name: &str, stated: f64, actual: f64, tol: f64) {
    if !(stated.is_finite() && (stated - actual).abs() <= tol) {
        out.push(
            "key-figures",
            format!("summary key_figures {name} is {stated}, the plan gives {actual:.4}"),
        );
    }
}

fn fraction(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// What the plan's rounds add up to, by the checker's own arithmetic.
struct Tally {
    client_minutes: i64,
    carer_minutes: i64,
    assignments: u64,
    used: u64,
    early: Loads,
    late: Loads,
}

/// Sums the plan's rounds: visits done (each distinct visit once), assignments, and early/late loads.
fn tally(ctx: &Ctx, plan: &Plan) -> Tally {
    // Visits done: each distinct visit id once, with the request's duration.
    let mut done: BTreeMap<&str, i64> = BTreeMap::new();
    let mut assignments = 0u64;
    let mut carer_minutes = 0i64;
    let (mut early, mut late) = (Loads::default(), Loads::default());
    let mut used = 0u64;
    for r in &plan.rounds {
        let mut n = 0u64;
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                n += 1;
                if let Some((_, visit)) = ctx.visits.get(v.visit.as_str()) {
                    done.insert(visit.id.as_str(), i64::from(visit.duration));
                    carer_minutes += i64::from(visit.duration);
                }
            }
        }
        assignments += n;
        used += u64::from(n > 0);
        let g = if mins(r.shift.start) >= NOON {
            &mut late
        } else {
            &mut early
        };
        g.rounds += 1;
        g.used += u64::from(n > 0);
        g.visits += n;
        g.shift += (mins(r.shift.end) - mins(r.shift.start)).max(0);
        g.care += i64::from(r.care_minutes);
        g.travel += i64::from(r.travel_minutes);
    }
    let client_minutes: i64 = done.values().sum();
    Tally {
        client_minutes,
        carer_minutes,
        assignments,
        used,
        early,
        late,
    }
}

/// Checks the stated early and late shift figures against the tallied loads.
fn check_shift_groups(k: &KeyFigures, early: &Loads, late: &Loads, out: &mut Out) {
    for (name, g, stated) in [
        ("early_shifts", early, &k.early_shifts),
        ("late_shifts", late, &k.late_shifts),
    ] {
        close(
            out,
            &format!("{name}.load"),
            stated.load,
            fraction(g.care + g.travel, g.shift),
            0.00051,
        );
        count(
            out,
            &format!("{name}.rounds"),
            u64::from(stated.rounds),
            g.rounds,
        );
        count(
            out,
            &format!("{name}.rounds_used"),
            u64::from(stated.rounds_used),
            g.used,
        );
        count(
            out,
            &format!("{name}.visits"),
            u64::from(stated.visits),
            g.visits,
        );
        count(
            out,
            &format!("{name}.shift_minutes"),
            stated.shift_minutes,
            g.shift as u64,
        );
        count(
            out,
            &format!("{name}.care_minutes"),
            stated.care_minutes,
            g.care as u64,
        );
        count(
            out,
            &format!("{name}.travel_minutes"),
            stated.travel_minutes,
            g.travel as u64,
        );
    }
}

/// Rule `key-figures`: the stated summary figures re-derived from the request and the plan.
pub(crate) fn check_key_figures(ctx: &Ctx, plan: &Plan, continuity: u64, out: &mut Out) {
    let Some(k) = &plan.summary.key_figures else {
        return;
    };
    let t = tally(ctx, plan);
    close(
        out,
        "client_care_hours",
        k.client_care_hours,
        t.client_minutes as f64 / 60.0,
        0.0051,
    );
    close(
        out,
        "carer_care_hours",
        k.carer_care_hours,
        t.carer_minutes as f64 / 60.0,
        0.0051,
    );
    close(
        out,
        "continuity_share",
        k.continuity_share,
        fraction(continuity as i64, t.assignments as i64),
        0.00051,
    );
    check_shift_groups(k, &t.early, &t.late, out);
    count(out, "rounds_used", u64::from(k.rounds_used), t.used);
    count(
        out,
        "rounds_total",
        u64::from(k.rounds_total),
        plan.rounds.len() as u64,
    );
    count(out, "assignments", u64::from(k.assignments), t.assignments);
    if k.rounds.len() != plan.rounds.len() {
        out.push(
            "key-figures",
            format!(
                "summary key_figures lists {} rounds, the plan has {}",
                k.rounds.len(),
                plan.rounds.len()
            ),
        );
        return;
    }
    for (f, r) in k.rounds.iter().zip(&plan.rounds) {
        check_round(f, r, out);
    }
}

fn check_round(f: &crate::model::RoundFigures, r: &Round, out: &mut Out) {
    let label = format!("round {} {}", r.carer, hm(mins(r.shift.start)));
    let shift = (mins(r.shift.end) - mins(r.shift.start)).max(0);
    let brk: i64 = r
        .stops
        .iter()
        .filter_map(|s| match s {
            Stop::Break(b) => Some((mins(b.end) - mins(b.start)).max(0)),
            Stop::Visit(_) => None,
        })
        .sum();
    let care = i64::from(r.care_minutes);
    let travel = i64::from(r.travel_minutes);
    let idle = (shift - care - travel - brk).max(0);
    let mut wrong = |field: &str, stated: String, actual: String| {
        out.push(
            "key-figures",
            format!("summary key_figures {label}: {field} is {stated}, the plan gives {actual}"),
        );
    };
    if f.carer != r.carer || f.shift_start != r.shift.start {
        wrong(
            "round",
            format!("{} {}", f.carer, f.shift_start.format("%H:%M")),
            format!("{} {}", r.carer, hm(mins(r.shift.start))),
        );
    }
    for (field, s, a) in [
        ("shift_minutes", i64::from(f.shift_minutes), shift),
        ("care_minutes", i64::from(f.care_minutes), care),
        ("travel_minutes", i64::from(f.travel_minutes), travel),
        ("break_minutes", i64::from(f.break_minutes), brk),
        ("idle_minutes", i64::from(f.idle_minutes), idle),
    ] {
        if s != a {
            wrong(field, s.to_string(), a.to_string());
        }
    }
    for (field, s, a) in [
        ("care_share", f.care_share, fraction(care, shift)),
        ("travel_share", f.travel_share, fraction(travel, shift)),
        ("idle_share", f.idle_share, fraction(idle, shift)),
    ] {
        if !(s.is_finite() && (s - a).abs() <= 0.00051) {
            wrong(field, s.to_string(), format!("{a:.4}"));
        }
    }
}
