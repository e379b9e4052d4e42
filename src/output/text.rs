//! The short human text of a plan that `rota plan` prints on stderr: served
//! figures, key figures, a table of the rounds and every unserved reason.

use std::fmt::Write;

use crate::clock;
use crate::model::Plan;
use crate::plan::figures::{key_figures, round_figures};

/// `one` when `n` is 1, else `many`.
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `n` and its noun: `1 client`, `2 clients`, `0 clients`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
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
        "delivered: {}, {:.1} h of care, {:.1} carer-hours, continuity {}",
        count(plan.summary.clients_served.into(), "client", "clients"),
        k.client_care_hours,
        k.carer_care_hours,
        pct(k.continuity_share),
    );
    for (name, l) in [("early", &k.early_shifts), ("late", &k.late_shifts)] {
        let _ = writeln!(
            out,
            "{name} shifts: {}/{} {}, {}, care {:.1} h, travel {:.1} h, load {}",
            l.rounds_used,
            l.rounds,
            plural(l.rounds.into(), "round", "rounds"),
            count(l.visits.into(), "call", "calls"),
            l.care_minutes as f64 / 60.0,
            l.travel_minutes as f64 / 60.0,
            pct(l.load),
        );
    }
    out
}

/// Clients served of total, priority, care and travel hours, rounds used,
/// a table of the rounds, and every unserved client with its reasons.
pub fn text(plan: &Plan) -> String {
    short_text(plan, usize::MAX)
}

/// Rows of the rounds table [`short_text`] prints at most.
pub const ROUND_LINES: usize = 40;

/// [`text`] for a terminal on a big day: the same, but at most `max`
/// unserved reason lines, then `  ... and N more reasons (see the
/// plan/report)` (every reason is in the plan's `unserved` and the report),
/// and (when `max` is not `usize::MAX`) at most [`ROUND_LINES`] rows of the
/// rounds table, then `... and N more rounds (see the report)`.
pub fn short_text(plan: &Plan, max: usize) -> String {
    let mut out = head(plan);
    let rows = if max == usize::MAX {
        usize::MAX
    } else {
        ROUND_LINES
    };
    out.push_str(&rounds_table_at_most(plan, rows));
    out.push_str(&unserved_lines(plan, max));
    out
}

/// Everything of [`text`] but the unserved reasons.
fn head(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut out = String::new();
    let used = plan.rounds.iter().filter(|r| !r.stops.is_empty()).count();
    let _ = writeln!(
        out,
        "{}: {} of {} served ({} of {})",
        plan.date,
        s.clients_served,
        count(s.clients_total.into(), "client", "clients"),
        s.visits_served,
        count(s.visits_total.into(), "visit", "visits"),
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
        "care {} h, travel {} h, {} of {} used, {}",
        clock::hours(s.care_minutes),
        clock::hours(s.travel_minutes),
        used,
        count(plan.rounds.len() as u64, "round", "rounds"),
        count(
            s.continuity_assignments.into(),
            "continuity assignment",
            "continuity assignments"
        ),
    );
    if let Some(l) = s.lateness {
        // docs/format.md, "Due times".
        let _ = writeln!(
            out,
            "late: {} ({} min in all, at most {} min)",
            count(
                l.calls.into(),
                "call after its due",
                "calls after their due"
            ),
            l.total_minutes,
            l.largest_minutes
        );
    }
    out.push_str(&key_figures_text(plan));
    out
}

/// [`rounds_table`] with at most `max` rows, then how many more.
fn rounds_table_at_most(plan: &Plan, max: usize) -> String {
    let table = rounds_table(plan);
    let lines: Vec<&str> = table.lines().collect();
    if lines.len().saturating_sub(1) <= max {
        return table;
    }
    let mut out = lines[..=max].join("\n");
    let more = lines.len() - 1 - max;
    let _ = writeln!(
        out,
        "\n... and {more} more {} (see the report)",
        plural(more as u64, "round", "rounds")
    );
    out
}

/// Unserved reason lines `rota plan` and `rota replan` print at most.
pub const REASON_LINES: usize = 12;

/// `unserved:` and one line per reason, at most `max`.
fn unserved_lines(plan: &Plan, max: usize) -> String {
    let mut out = String::new();
    if plan.unserved.is_empty() {
        return out;
    }
    let _ = writeln!(out, "unserved:");
    let lines: Vec<String> = plan
        .unserved
        .iter()
        .flat_map(|u| {
            u.reasons
                .iter()
                .map(move |r| format!("  {} {}: {}", u.client, r.code, r.message))
        })
        .collect();
    for l in lines.iter().take(max) {
        let _ = writeln!(out, "{l}");
    }
    if lines.len() > max {
        let more = lines.len() - max;
        let _ = writeln!(
            out,
            "  ... and {more} more {} (see the plan/report)",
            plural(more as u64, "reason", "reasons")
        );
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
        let fmt = clock::time;
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
