//! `rota bench replan`: plan a day, then re-plan it after carers drop out
//! (docs/replan.md), timing each re-plan.

use std::time::Instant;

use crate::PlanOptions;
use crate::control::SolveControl;
use crate::error::RotaError;
use crate::model::{ReplanSummary, Request};
use crate::replan::{Disruption, compare, history_kept, replan};

/// One timed re-plan of [`replan_rows`].
#[derive(Debug, Clone)]
pub struct ReplanRow {
    pub seed: u64,
    /// Wall time of the re-plan (problem, warm start, search, checker).
    pub seconds: f64,
    pub served_before: u32,
    pub served_after: u32,
    pub priority_before: u64,
    pub priority_after: u64,
    pub summary: ReplanSummary,
    /// The checker accepts the new plan and it keeps every call before `now`
    /// of a client still served.
    pub valid: bool,
}

/// Plan `req` (its own time limit), then re-plan it `runs` times (seeds 1,
/// 2, ...) after `d`, each within `time_limit` seconds, timing each.
pub fn replan_rows(
    req: &Request,
    d: &Disruption,
    time_limit: f64,
    runs: u64,
    threads: usize,
) -> Result<Vec<ReplanRow>, RotaError> {
    let opts = PlanOptions {
        exact: false,
        threads,
        ..PlanOptions::default()
    };
    let old = crate::plan_request_with(req, &opts, &SolveControl::new())?;
    let mut rows = Vec::new();
    for seed in 1..=runs {
        let amend = crate::prepare::Amend {
            time_limit: Some(time_limit),
            seed: Some(seed),
            ..Default::default()
        };
        let t0 = Instant::now();
        let r = crate::prepare::Prepared::now(crate::prepare::amended(req.clone(), amend)?);
        let new = replan(&r, &old, d, &opts, &SolveControl::new())?;
        let seconds = t0.elapsed().as_secs_f64();
        let summary = new
            .summary
            .replan
            .clone()
            .unwrap_or_else(|| compare(&old, &new, d));
        let valid =
            crate::check::check(&r.request, &new).is_valid() && history_kept(&old, &new, d.now);
        rows.push(ReplanRow {
            seed,
            seconds,
            served_before: old.summary.clients_served,
            served_after: new.summary.clients_served,
            priority_before: old.summary.priority_served,
            priority_after: new.summary.priority_served,
            summary,
            valid,
        });
    }
    Ok(rows)
}

const REPLAN_MD: [&str; 13] = [
    "seed",
    "seconds",
    "served before",
    "served after",
    "priority before",
    "priority after",
    "fixed",
    "re-assigned",
    "moved",
    "dropped",
    "re-timed",
    "at risk",
    "valid",
];

/// The re-plans as a Markdown table.
pub fn replan_markdown(rows: &[ReplanRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.seed.to_string(),
                format!("{:.2}", r.seconds),
                r.served_before.to_string(),
                r.served_after.to_string(),
                r.priority_before.to_string(),
                r.priority_after.to_string(),
                r.summary.calls_fixed.to_string(),
                r.summary.calls_of_unavailable.to_string(),
                r.summary.calls_moved.to_string(),
                r.summary.calls_dropped.to_string(),
                r.summary.calls_retimed.to_string(),
                r.summary.at_risk.len().to_string(),
                if r.valid { "yes" } else { "NO" }.to_string(),
            ]
        })
        .collect();
    super::markdown(&REPLAN_MD, &[false; 13], &cells)
}
