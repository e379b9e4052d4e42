//! The short human summary of a plan that `rota plan` prints on stderr.

use std::fmt::Write;

use crate::model::{KeyFigures, Plan, Round, RoundFigures, ShiftLoad, Stop, minutes_of_day};

/// Shifts starting before this minute of the day (12:00) are early shifts.
pub const LATE_SHIFT_FROM: i32 = 12 * 60;

/// `x` rounded to `places` decimals.
fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `part / whole` rounded to 3 decimals, 0 when `whole` is 0.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round_to(part as f64 / whole as f64, 3)
    }
}

/// Shift length of a round in minutes (0 if it ends before it starts).
fn shift_minutes(r: &Round) -> u32 {
    (minutes_of_day(r.shift.end) - minutes_of_day(r.shift.start)).max(0) as u32
}

/// How round `r` spends its shift.
fn round_figures(r: &Round) -> RoundFigures {
    let shift = shift_minutes(r);
    let break_minutes: u32 = r
        .stops
        .iter()
        .map(|s| match s {
            Stop::Break(b) => (minutes_of_day(b.end) - minutes_of_day(b.start)).max(0) as u32,
            Stop::Visit(_) => 0,
        })
        .sum();
    let busy = r.care_minutes + r.travel_minutes + break_minutes;
    let idle = shift.saturating_sub(busy);
    RoundFigures {
        carer: r.carer.clone(),
        shift_start: r.shift.start,
        shift_minutes: shift,
        care_minutes: r.care_minutes,
        travel_minutes: r.travel_minutes,
        break_minutes,
        idle_minutes: idle,
        care_share: share(r.care_minutes.into(), shift.into()),
        travel_share: share(r.travel_minutes.into(), shift.into()),
        idle_share: share(idle.into(), shift.into()),
    }
}

/// The load of the rounds for which `pick` holds.
fn shift_load(plan: &Plan, pick: impl Fn(&Round) -> bool) -> ShiftLoad {
    let rounds: Vec<&Round> = plan.rounds.iter().filter(|r| pick(r)).collect();
    let shift_minutes: u64 = rounds.iter().map(|r| u64::from(shift_minutes(r))).sum();
    let care_minutes: u64 = rounds.iter().map(|r| u64::from(r.care_minutes)).sum();
    let travel_minutes: u64 = rounds.iter().map(|r| u64::from(r.travel_minutes)).sum();
    ShiftLoad {
        rounds: rounds.len() as u32,
        rounds_used: rounds.iter().filter(|r| visit_count(r) > 0).count() as u32,
        visits: rounds.iter().map(|r| visit_count(r)).sum(),
        shift_minutes,
        care_minutes,
        travel_minutes,
        load: share(care_minutes + travel_minutes, shift_minutes),
    }
}

fn visit_count(r: &Round) -> u32 {
    r.stops
        .iter()
        .filter(|s| matches!(s, Stop::Visit(_)))
        .count() as u32
}

/// The key figures of a plan, from its rounds and
/// `summary.continuity_assignments` alone (docs/format.md, "Key figures").
pub fn key_figures(plan: &Plan) -> KeyFigures {
    let mut client_minutes: std::collections::BTreeMap<&str, u64> = Default::default();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                let d = (minutes_of_day(v.end) - minutes_of_day(v.start)).max(0) as u64;
                client_minutes.insert(v.visit.as_str(), d);
            }
        }
    }
    let carer_minutes: u64 = plan.rounds.iter().map(|r| u64::from(r.care_minutes)).sum();
    let assignments: u32 = plan.rounds.iter().map(visit_count).sum();
    let late = |r: &Round| minutes_of_day(r.shift.start) >= LATE_SHIFT_FROM;
    KeyFigures {
        client_care_hours: round_to(client_minutes.values().sum::<u64>() as f64 / 60.0, 2),
        carer_care_hours: round_to(carer_minutes as f64 / 60.0, 2),
        rounds_used: plan.rounds.iter().filter(|r| visit_count(r) > 0).count() as u32,
        rounds_total: plan.rounds.len() as u32,
        assignments,
        continuity_share: share(
            plan.summary.continuity_assignments.into(),
            assignments.into(),
        ),
        early_shifts: shift_load(plan, |r| !late(r)),
        late_shifts: shift_load(plan, late),
        rounds: plan.rounds.iter().map(round_figures).collect(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The key figures as text: hours delivered, continuity, early (shift
/// starts before 12:00) and late shift load (the per-round shares are
/// columns of [`rounds_table`]).
pub fn key_figures_text(plan: &Plan) -> String {
    let k = plan
        .summary
        .key_figures
        .clone()
        .unwrap_or_else(|| key_figures(plan));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "delivered: {} clients, {:.1} h of care, {:.1} carer-hours, continuity {}",
        plan.summary.clients_served,
        k.client_care_hours,
        k.carer_care_hours,
        pct(k.continuity_share),
    );
    for (name, l) in [("early", &k.early_shifts), ("late", &k.late_shifts)] {
        let _ = writeln!(
            out,
            "{name} shifts: {}/{} rounds, {} calls, care {:.1} h, travel {:.1} h, load {}",
            l.rounds_used,
            l.rounds,
            l.visits,
            l.care_minutes as f64 / 60.0,
            l.travel_minutes as f64 / 60.0,
            pct(l.load),
        );
    }
    out
}

fn hours(minutes: u64) -> String {
    format!("{:.1} h", minutes as f64 / 60.0)
}

/// Clients served of total, priority, care and travel hours, rounds used,
/// a table of the rounds, and every unserved client with its reasons.
pub fn text(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut out = String::new();
    let used = plan.rounds.iter().filter(|r| !r.stops.is_empty()).count();
    let _ = writeln!(
        out,
        "{}: {} of {} clients served ({} of {} visits)",
        plan.date, s.clients_served, s.clients_total, s.visits_served, s.visits_total,
    );
    let _ = writeln!(
        out,
        "priority {}{}, {} in {:.2} s",
        s.priority_served,
        match (s.upper_bound_priority, s.gap) {
            (Some(b), Some(g)) => format!(" of at most {b} (gap {:.1}%)", g * 100.0),
            (Some(b), None) => format!(" of at most {b}"),
            _ => String::new(),
        },
        match s.status {
            crate::model::Status::Optimal => "optimal",
            crate::model::Status::Feasible => "feasible",
        },
        s.solve_seconds
    );
    let _ = writeln!(
        out,
        "care {}, travel {}, {} of {} rounds used, {} continuity assignments",
        hours(s.care_minutes),
        hours(s.travel_minutes),
        used,
        plan.rounds.len(),
        s.continuity_assignments,
    );
    out.push_str(&key_figures_text(plan));
    out.push_str(&rounds_table(plan));
    if !plan.unserved.is_empty() {
        let _ = writeln!(out, "unserved:");
        for u in &plan.unserved {
            for r in &u.reasons {
                let _ = writeln!(out, "  {} {}: {}", u.client, r.code, r.message);
            }
        }
    }
    out
}

/// One row per round: carer, shift, mode, calls, care and travel hours,
/// first and last call, and the shares of the shift spent on care, travel
/// and idle. At most 80 columns wide.
pub fn rounds_table(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str(
        "carer    shift       mode  calls care h travel h  first  last   care trav idle\n",
    );
    for r in &plan.rounds {
        let f = round_figures(r);
        let calls: Vec<_> = r
            .stops
            .iter()
            .filter_map(|s| match s {
                crate::model::Stop::Visit(v) => Some(v),
                crate::model::Stop::Break(_) => None,
            })
            .collect();
        let fmt = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
        let mut carer = r.carer.clone();
        if carer.chars().count() > 8 {
            carer = carer.chars().take(7).collect::<String>() + "~";
        }
        let _ = writeln!(
            out,
            "{:<8} {:<11} {:<5} {:>5} {:>6.1} {:>8.1}  {:<5}  {:<5} {:>4} {:>4} {:>4}",
            carer,
            format!("{}-{}", fmt(r.shift.start), fmt(r.shift.end)),
            r.travel_mode,
            calls.len(),
            r.care_minutes as f64 / 60.0,
            r.travel_minutes as f64 / 60.0,
            calls
                .first()
                .map(|v| fmt(v.start))
                .unwrap_or_else(|| "-".into()),
            calls
                .last()
                .map(|v| fmt(v.start))
                .unwrap_or_else(|| "-".into()),
            pct(f.care_share),
            pct(f.travel_share),
            pct(f.idle_share),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_names_served_share_and_every_unserved_reason() {
        let req = crate::parse::request_from_str(
            r#"{"date":"2026-11-23","carers":[{"id":"C1","travel_mode":"drive",
                "shift":{"start":"07:00","end":"09:00"},"start_location":{"lat":52.0,"lon":-2.7}}],
              "clients":[
                {"id":"P1","location":{"lat":52.0,"lon":-2.7},"priority":2,
                 "visits":[{"id":"P1-am","window":{"start":"07:30","end":"08:00"},"duration":30}]},
                {"id":"P2","location":{"lat":52.0,"lon":-2.7},
                 "visits":[{"id":"P2-am","window":{"start":"07:30","end":"08:00"},"duration":30,
                            "skills":["hoist"]}]}]}"#,
        )
        .unwrap();
        let plan = crate::plan_request(&req).unwrap();
        let text = super::text(&plan);
        assert!(text.contains("1 of 2 clients served"), "{text}");
        assert!(
            text.contains("priority 2 of at most 2 (gap 0.0%)"),
            "{text}"
        );
        assert!(text.contains("P2 NO_ELIGIBLE_CARER"), "{text}");
        assert!(text.contains("feasible"), "{text}");
        assert!(
            text.contains("C1       07:00-09:00 drive     1    0.5      0.0  07:30  07:30"),
            "{text}"
        );
        assert!(
            text.lines()
                .all(|l| l.starts_with("  ") || l.chars().count() <= 80),
            "{text}"
        );
    }
}
