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
    /// The generated day's seed.
    pub seed: u64,
    /// The search's seed (`settings.seed`).
    pub search_seed: u64,
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
    each: impl FnMut(&DayRow),
) -> Result<Vec<DayRow>, RotaError> {
    let run = DayRun {
        time_limit,
        threads,
        tuning,
        ..DayRun::default()
    };
    day_rows_with(clients, seeds, &[], run, each)
}

/// How each generated day is planned.
#[derive(Debug, Clone, Copy)]
pub struct DayRun {
    pub time_limit: f64,
    /// `settings.iterations`: an iteration budget per search.
    pub iterations: Option<u64>,
    /// `settings.stop_when_stalled`.
    pub stop_when_stalled: bool,
    /// 0: one search per core.
    pub threads: usize,
    pub tuning: crate::solve::search::Tuning,
}

impl Default for DayRun {
    fn default() -> Self {
        DayRun {
            time_limit: 10.0,
            iterations: None,
            stop_when_stalled: false,
            threads: 0,
            tuning: Default::default(),
        }
    }
}

/// [`day_rows`] as `run` says; each day (generated from its seed) is planned
/// with every search seed of `search_seeds` (none: the day's own seed), one
/// row each, to measure the spread across seeds.
pub fn day_rows_with(
    clients: &[usize],
    seeds: &[u64],
    search_seeds: &[u64],
    run: DayRun,
    mut each: impl FnMut(&DayRow),
) -> Result<Vec<DayRow>, RotaError> {
    let date = super::bench_date();
    let mut rows = Vec::new();
    for &n in clients {
        for &seed in seeds {
            let own = [seed];
            let search_seeds = if search_seeds.is_empty() {
                &own[..]
            } else {
                search_seeds
            };
            for &search_seed in search_seeds {
                let row = day_row(n, seed, search_seed, date, run)?;
                each(&row);
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// One generated day (`n` clients from `seed`) planned with `search_seed`.
fn day_row(
    n: usize,
    seed: u64,
    search_seed: u64,
    date: chrono::NaiveDate,
    run: DayRun,
) -> Result<DayRow, RotaError> {
    let mut req = generate(&GenerateOptions::new(n, seed, date));
    req.settings.time_limit_seconds = run.time_limit;
    req.settings.seed = search_seed;
    req.settings.iterations = run.iterations;
    req.settings.stop_when_stalled = Some(run.stop_when_stalled);
    let ctl = SolveControl::new();
    let t0 = Instant::now();
    let plan = crate::plan_request_with(
        &req,
        &crate::PlanOptions {
            exact: false,
            threads: run.threads,
            tuning: run.tuning,
        },
        &ctl,
    )?;
    let seconds = t0.elapsed().as_secs_f64();
    let s = &plan.summary;
    Ok(DayRow {
        clients: n,
        seed,
        search_seed,
        rounds: plan.rounds.len(),
        served: s.clients_served,
        priority: s.priority_served,
        bound: s.upper_bound_priority.unwrap_or(0),
        gap: s.gap.unwrap_or(0.0),
        travel_minutes: s.travel_minutes,
        final_plan_seconds: ctl.progress().reported_at_seconds,
        seconds,
        valid: crate::check::check(&req, &plan).is_valid(),
    })
}

/// Column names in Markdown and in CSV.
const DAYS_COLUMNS: [(&str, &str); 12] = [
    ("clients", "clients"),
    ("seed", "seed"),
    ("search seed", "search_seed"),
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
            self.search_seed.to_string(),
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
    let mut right = [true; 12];
    right[11] = false;
    let cells: Vec<_> = rows.iter().map(|r| r.cells(true)).collect();
    super::markdown(&DAYS_COLUMNS.map(|c| c.0), &right, &cells)
}

pub fn days_csv(rows: &[DayRow]) -> String {
    let cells: Vec<_> = rows.iter().map(|r| r.cells(false)).collect();
    super::csv(&DAYS_COLUMNS.map(|c| c.1), &cells)
}
