//! `rota bench`: measured runs over generated days, printed as a Markdown
//! table (and optionally CSV) so the figures in `docs/benchmarks.md` can be
//! reproduced with one command.

use std::fmt::Write;
use std::time::Instant;

use crate::control::SolveControl;
use crate::error::RotaError;
use crate::generate::{GenerateOptions, generate};
use crate::problem::Problem;
use crate::solve::{bound, exact, greedy};

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
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a valid date");
    for &n in clients {
        for &seed in seeds {
            let mut opts = GenerateOptions::new(n, seed, date);
            opts.am_rounds = Some(am);
            opts.pm_rounds = Some(pm);
            let req = generate(&opts);
            let p = Problem::from_request(&req)?;
            let far = Instant::now() + std::time::Duration::from_secs(3600);
            let g =
                greedy::construct_best(&p, seed, crate::GREEDY_RESTARTS, far, &SolveControl::new());
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

pub fn exact_markdown(rows: &[ExactRow]) -> String {
    let mut out = String::from(
        "| clients | seed | visits | rounds | greedy | exact | status | exact s | exact bound | relaxation bound | bound gap | bound s |\n\
         |---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} | {:.1}% | {:.2} |",
            r.clients,
            r.seed,
            r.visits,
            r.rounds,
            r.greedy,
            r.priority,
            if r.optimal { "optimal" } else { "time limit" },
            r.seconds,
            r.exact_bound,
            r.bound,
            r.bound_gap() * 100.0,
            r.bound_seconds
        );
    }
    out
}

pub fn exact_csv(rows: &[ExactRow]) -> String {
    let mut out = String::from(
        "clients,seed,visits,rounds,greedy,exact,optimal,exact_seconds,exact_bound,relaxation_bound,bound_gap,bound_seconds\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{:.3},{},{},{:.4},{:.3}",
            r.clients,
            r.seed,
            r.visits,
            r.rounds,
            r.greedy,
            r.priority,
            r.optimal,
            r.seconds,
            r.exact_bound,
            r.bound,
            r.bound_gap(),
            r.bound_seconds
        );
    }
    out
}
