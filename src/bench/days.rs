//! `rota bench days`: generated home-care days planned by the default
//! solver: priority served, bound, gap, travel, time to the final plan.

use std::time::Instant;

use crate::control::SolveControl;
use crate::error::RotaError;
use crate::generate::{GenerateOptions, generate};

/// One generated home-care day planned by the default solver.
#[derive(Debug, Clone)]
pub struct DayRow {
    pub clients: usize,
    pub seed: u64,
    pub rounds: usize,
    pub served: u32,
    pub priority: u64,
    pub bound: u64,
    pub gap: f64,
    pub travel_minutes: u64,
    /// When the final plan was found, and when the solve ended.
    pub final_plan_seconds: f64,
    pub seconds: f64,
    /// Whether the independent checker accepted the plan.
    pub valid: bool,
}

/// Plan generated days (`clients` x `seeds`, default rounds) with the
/// default solver within `time_limit` seconds each.
pub fn day_rows(
    clients: &[usize],
    seeds: &[u64],
    time_limit: f64,
    threads: usize,
    tuning: crate::solve::search::Tuning,
    mut each: impl FnMut(&DayRow),
) -> Result<Vec<DayRow>, RotaError> {
    let date = super::bench_date();
    let mut rows = Vec::new();
    for &n in clients {
        for &seed in seeds {
            let mut req = generate(&GenerateOptions::new(n, seed, date));
            req.settings.time_limit_seconds = time_limit;
            req.settings.seed = seed;
            let ctl = SolveControl::new();
            let t0 = Instant::now();
            let plan = crate::plan_request_with(
                &req,
                &crate::PlanOptions {
                    exact: false,
                    threads,
                    tuning,
                },
                &ctl,
            )?;
            let seconds = t0.elapsed().as_secs_f64();
            let s = &plan.summary;
            let row = DayRow {
                clients: n,
                seed,
                rounds: plan.rounds.len(),
                served: s.clients_served,
                priority: s.priority_served,
                bound: s.upper_bound_priority.unwrap_or(0),
                gap: s.gap.unwrap_or(0.0),
                travel_minutes: s.travel_minutes,
                final_plan_seconds: ctl.progress().reported_at_seconds,
                seconds,
                valid: crate::check::check(&req, &plan).is_valid(),
            };
            each(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Column names in Markdown and in CSV.
const DAYS_COLUMNS: [(&str, &str); 11] = [
    ("clients", "clients"),
    ("seed", "seed"),
    ("rounds", "rounds"),
    ("served", "served"),
    ("priority", "priority"),
    ("bound", "bound"),
    ("gap", "gap"),
    ("travel h", "travel_minutes"),
    ("final plan s", "final_plan_seconds"),
    ("total s", "seconds"),
    ("check", "valid"),
];

impl DayRow {
    /// The row's fields, as Markdown (`md`) or CSV shows them.
    fn cells(&self, md: bool) -> Vec<String> {
        let mut out = vec![
            self.clients.to_string(),
            self.seed.to_string(),
            self.rounds.to_string(),
            self.served.to_string(),
            self.priority.to_string(),
            self.bound.to_string(),
        ];
        if md {
            out.extend([
                format!("{:.1}%", self.gap * 100.0),
                format!("{:.1}", self.travel_minutes as f64 / 60.0),
                format!("{:.1}", self.final_plan_seconds),
                format!("{:.1}", self.seconds),
                if self.valid { "valid" } else { "INVALID" }.to_string(),
            ]);
        } else {
            out.extend([
                format!("{:.4}", self.gap),
                self.travel_minutes.to_string(),
                format!("{:.2}", self.final_plan_seconds),
                format!("{:.2}", self.seconds),
                self.valid.to_string(),
            ]);
        }
        out
    }
}

pub fn days_markdown(rows: &[DayRow]) -> String {
    let mut right = [true; 11];
    right[10] = false;
    let cells: Vec<_> = rows.iter().map(|r| r.cells(true)).collect();
    super::markdown(&DAYS_COLUMNS.map(|c| c.0), &right, &cells)
}

pub fn days_csv(rows: &[DayRow]) -> String {
    let cells: Vec<_> = rows.iter().map(|r| r.cells(false)).collect();
    super::csv(&DAYS_COLUMNS.map(|c| c.1), &cells)
}
