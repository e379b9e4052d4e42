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

/// One Solomon instance solved by the default solver (greedy + search).
#[derive(Debug, Clone)]
pub struct SolomonRow {
    pub instance: String,
    pub customers: usize,
    pub served: usize,
    pub routes: usize,
    /// Sum of truncated arcs (one decimal), as re-checked by
    /// [`crate::solomon::verify`]; `None` if the plan failed the check.
    pub distance: Option<f64>,
    /// The distance-only optimum, if known.
    pub best_known: Option<f64>,
    pub seconds: f64,
    pub routes_text: String,
    /// Why [`crate::solomon::verify`] rejected the routes, if it did.
    pub error: Option<String>,
    /// The routes' distance in double precision, and the hierarchical BKS
    /// (vehicles, then distance), if known.
    pub distance_exact: f64,
    pub hierarchical: Option<(usize, f64)>,
}

impl SolomonRow {
    pub fn gap(&self) -> Option<f64> {
        match (self.distance, self.best_known) {
            (Some(d), Some(b)) if b > 0.0 => Some((d - b) / b),
            _ => None,
        }
    }
}

/// The fields of every data row of a small CSV file (no quoting).
fn csv_rows(path: &std::path::Path) -> Result<Vec<Vec<String>>, RotaError> {
    let text = std::fs::read_to_string(path).map_err(|source| RotaError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

/// The distance-only optima: `(instance, customers) -> distance`.
pub fn read_bks(
    path: &std::path::Path,
) -> Result<std::collections::HashMap<(String, usize), f64>, RotaError> {
    Ok(csv_rows(path)?
        .into_iter()
        .filter(|f| f.len() >= 4)
        .filter_map(|f| Some(((f[0].clone(), f[1].parse().ok()?), f[3].parse().ok()?)))
        .collect())
}

/// The hierarchical BKS of the 100-customer set: `instance -> (vehicles,
/// distance)`.
pub fn read_hierarchical(
    path: &std::path::Path,
) -> Result<std::collections::HashMap<String, (usize, f64)>, RotaError> {
    Ok(csv_rows(path)?
        .into_iter()
        .filter(|f| f.len() >= 4)
        .filter_map(|f| Some((f[0].clone(), (f[2].parse().ok()?, f[3].parse().ok()?))))
        .collect())
}

/// Solve Solomon instance files with the default solver, each within
/// `time_limit` seconds.
/// How each Solomon instance is solved.
#[derive(Debug, Clone, Copy)]
pub struct SolomonRun {
    pub time_limit: f64,
    pub seed: u64,
    /// 0: one search per core.
    pub threads: usize,
    /// The search's switchable parts (recombination is off by default
    /// here: on these instances it measured worse in 10 s runs).
    pub tuning: crate::solve::search::Tuning,
}

pub fn solomon_rows(
    files: &[std::path::PathBuf],
    bks: &std::collections::HashMap<(String, usize), f64>,
    hierarchical: &std::collections::HashMap<String, (usize, f64)>,
    run: SolomonRun,
    mut each: impl FnMut(&SolomonRow),
) -> Result<Vec<SolomonRow>, RotaError> {
    let mut rows = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| RotaError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let inst = crate::solomon::parse(&text, &path.display().to_string())?;
        let started = Instant::now();
        let p = crate::solomon::problem(&inst);
        let sol = crate::solve_problem(
            &p,
            run.seed,
            run.time_limit,
            run.threads,
            run.tuning,
            started,
            &SolveControl::new(),
        );
        let seconds = started.elapsed().as_secs_f64();
        let routes = crate::solomon::routes(&inst, &sol);
        let checked = crate::solomon::verify(&inst, &routes);
        let customers = inst.customers.len() - 1;
        let row = SolomonRow {
            instance: inst.name.clone(),
            customers,
            served: (0..p.clients.len())
                .filter(|&k| sol.is_served(&p, k))
                .count(),
            routes: routes.len(),
            distance: checked.as_ref().ok().map(|&t| t as f64 / 10.0),
            best_known: bks.get(&(inst.name.clone(), customers)).copied(),
            seconds,
            routes_text: crate::solomon::routes_text(&routes),
            error: checked.err(),
            distance_exact: crate::solomon::exact_distance(&inst, &routes),
            hierarchical: (customers == 100)
                .then(|| hierarchical.get(&inst.name).copied())
                .flatten(),
        };
        each(&row);
        rows.push(row);
    }
    Ok(rows)
}

pub fn solomon_csv(rows: &[SolomonRow]) -> String {
    let mut out = String::from(
        "instance,customers,served,routes,distance,best_known,gap_percent,seconds,error,distance_double,bks_vehicles,bks_distance,routes_visited\n",
    );
    let opt = |x: Option<f64>, digits: usize| x.map_or(String::new(), |v| format!("{v:.digits$}"));
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{:.2},{},{:.2},{},{},{}",
            r.instance,
            r.customers,
            r.served,
            r.routes,
            opt(r.distance, 1),
            opt(r.best_known, 1),
            opt(r.gap().map(|g| g * 100.0), 2),
            r.seconds,
            r.error.as_deref().unwrap_or("").replace(',', ";"),
            r.distance_exact,
            r.hierarchical.map_or(String::new(), |h| h.0.to_string()),
            r.hierarchical
                .map_or(String::new(), |h| format!("{:.2}", h.1)),
            r.routes_text
        );
    }
    out
}

pub fn solomon_markdown(rows: &[SolomonRow]) -> String {
    let mut out = String::from(
        "| instance | customers | served | routes | distance | optimum | gap | hierarchical BKS (vehicles / distance) | ours (double) | seconds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {:.2} | {:.1} |",
            r.instance,
            r.customers,
            r.served,
            r.routes,
            r.distance.map_or("invalid".into(), |d| format!("{d:.1}")),
            r.best_known.map_or("-".into(), |d| format!("{d:.1}")),
            r.gap().map_or("-".into(), |g| format!("{:.2}%", g * 100.0)),
            r.hierarchical
                .map_or("-".into(), |(k, d)| format!("{k} / {d:.2}")),
            r.routes,
            r.distance_exact,
            r.seconds
        );
    }
    let gaps: Vec<f64> = rows.iter().filter_map(SolomonRow::gap).collect();
    if !gaps.is_empty() {
        let avg = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let max = gaps.iter().cloned().fold(f64::MIN, f64::max);
        let _ = writeln!(
            out,
            "\n{} instances with a known optimum: average gap {:.2}%, worst {:.2}%; {} of {} valid.",
            gaps.len(),
            avg * 100.0,
            max * 100.0,
            rows.iter().filter(|r| r.error.is_none()).count(),
            rows.len()
        );
    }
    out
}

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
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a valid date");
    let mut rows = Vec::new();
    for &n in clients {
        for &seed in seeds {
            let mut req = generate(&GenerateOptions::new(n, seed, date));
            req.settings.time_limit_seconds = time_limit;
            req.settings.seed = seed;
            let ctl = SolveControl::new();
            let t0 = Instant::now();
            let plan = crate::plan_with(
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

pub fn days_markdown(rows: &[DayRow]) -> String {
    let mut out = String::from(
        "| clients | seed | rounds | served | priority | bound | gap | travel h | final plan s | total s | check |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.1}% | {:.1} | {:.1} | {:.1} | {} |",
            r.clients,
            r.seed,
            r.rounds,
            r.served,
            r.priority,
            r.bound,
            r.gap * 100.0,
            r.travel_minutes as f64 / 60.0,
            r.final_plan_seconds,
            r.seconds,
            if r.valid { "valid" } else { "INVALID" }
        );
    }
    out
}

pub fn days_csv(rows: &[DayRow]) -> String {
    let mut out = String::from(
        "clients,seed,rounds,served,priority,bound,gap,travel_minutes,final_plan_seconds,seconds,valid\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{:.4},{},{:.2},{:.2},{}",
            r.clients,
            r.seed,
            r.rounds,
            r.served,
            r.priority,
            r.bound,
            r.gap,
            r.travel_minutes,
            r.final_plan_seconds,
            r.seconds,
            r.valid
        );
    }
    out
}
