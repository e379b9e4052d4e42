//! `rota bench exact`: generated days of growing size solved exactly: time
//! to prove optimality, and how far the relaxation bound is from the
//! optimum.

use std::time::Instant;

use crate::control::SolveControl;
use crate::error::RotaError;
use crate::generate::{GenerateOptions, generate};
use crate::problem::Problem;
use crate::solve::{bound, construct::greedy, exact};

/// One generated day solved exactly.
#[derive(Debug, Clone)]
pub struct ExactRow {
    pub clients: usize,
    pub seed: u64,
    pub visits: usize,
    pub rounds: usize,
    /// Priority served by the greedy plan (the warm start).
    pub greedy: i64,
    /// Priority served by the exact solver's plan.
    pub priority: i64,
    pub optimal: bool,
    /// Seconds of the exact solve (all three stages).
    pub seconds: f64,
    /// The relaxation bound of [`bound::upper_bound`] and its seconds.
    pub bound: i64,
    pub bound_seconds: f64,
    /// The exact solver's own bound on priority (equal to `priority` when
    /// optimal).
    pub exact_bound: i64,
}

impl ExactRow {
    /// How far the relaxation bound is above the best plan's priority.
    pub fn bound_gap(&self) -> f64 {
        crate::plan::relative_gap(self.bound, self.priority.max(0) as u64)
    }
}

/// Solve generated days (`clients` x `seeds`, `am` + `pm` rounds) exactly,
/// each within `time_limit` seconds.
pub fn exact_rows(
    clients: &[usize],
    seeds: &[u64],
    am: usize,
    pm: usize,
    time_limit: f64,
    mut each: impl FnMut(&ExactRow),
) -> Result<Vec<ExactRow>, RotaError> {
    let mut rows = Vec::new();
    let date = super::bench_date();
    for &n in clients {
        for &seed in seeds {
            let mut opts = GenerateOptions::new(n, seed, date);
            opts.am_rounds = Some(am);
            opts.pm_rounds = Some(pm);
            let req = generate(&opts);
            let p = Problem::from_request(&req)?;
            let far = Instant::now() + std::time::Duration::from_secs(3600);
            let g = greedy::construct_best(&p, seed, greedy::RESTARTS, far, &SolveControl::new());
            let t0 = Instant::now();
            let b = bound::upper_bound(&p, bound::BOUND_TIME_LIMIT);
            let bound_seconds = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            let e = exact::solve(&p, &g.solution, time_limit)?;
            let seconds = t1.elapsed().as_secs_f64();
            let row = ExactRow {
                clients: n,
                seed,
                visits: p.visits.len(),
                rounds: p.rounds.len(),
                greedy: g.solution.objective(&p).0,
                priority: e.solution.objective(&p).0,
                optimal: e.optimal,
                seconds,
                bound: b,
                bound_seconds,
                exact_bound: e.bound,
            };
            each(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Column names in Markdown and in CSV.
const EXACT_COLUMNS: [(&str, &str); 12] = [
    ("clients", "clients"),
    ("seed", "seed"),
    ("visits", "visits"),
    ("rounds", "rounds"),
    ("greedy", "greedy"),
    ("exact", "exact"),
    ("status", "optimal"),
    ("exact s", "exact_seconds"),
    ("exact bound", "exact_bound"),
    ("relaxation bound", "relaxation_bound"),
    ("bound gap", "bound_gap"),
    ("bound s", "bound_seconds"),
];

impl ExactRow {
    /// The row's fields, as Markdown (`md`) or CSV shows them.
    fn cells(&self, md: bool) -> Vec<String> {
        let (status, seconds, gap, bound_seconds) = if md {
            (
                if self.optimal {
                    "optimal"
                } else {
                    "time limit"
                }
                .to_string(),
                format!("{:.2}", self.seconds),
                format!("{:.1}%", self.bound_gap() * 100.0),
                format!("{:.2}", self.bound_seconds),
            )
        } else {
            (
                self.optimal.to_string(),
                format!("{:.3}", self.seconds),
                format!("{:.4}", self.bound_gap()),
                format!("{:.3}", self.bound_seconds),
            )
        };
        vec![
            self.clients.to_string(),
            self.seed.to_string(),
            self.visits.to_string(),
            self.rounds.to_string(),
            self.greedy.to_string(),
            self.priority.to_string(),
            status,
            seconds,
            self.exact_bound.to_string(),
            self.bound.to_string(),
            gap,
            bound_seconds,
        ]
    }
}

pub fn exact_markdown(rows: &[ExactRow]) -> String {
    let mut right = [true; 12];
    right[6] = false;
    let cells: Vec<_> = rows.iter().map(|r| r.cells(true)).collect();
    super::markdown(&EXACT_COLUMNS.map(|c| c.0), &right, &cells)
}

pub fn exact_csv(rows: &[ExactRow]) -> String {
    let cells: Vec<_> = rows.iter().map(|r| r.cells(false)).collect();
    super::csv(&EXACT_COLUMNS.map(|c| c.1), &cells)
}
