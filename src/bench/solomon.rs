//! `rota bench solomon`: Solomon VRPTW instances through
//! [`crate::readers::solomon`] into the same problem, solved by the default
//! solver and compared with the distance-only optima (one-decimal truncated
//! arcs) and the hierarchical best-known solutions.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::control::SolveControl;
use crate::error::RotaError;
use crate::readers::solomon;

/// One Solomon instance solved by the default solver (greedy + search).
#[derive(Debug, Clone)]
pub struct SolomonRow {
    pub instance: String,
    pub customers: usize,
    pub served: usize,
    pub routes: usize,
    /// Sum of truncated arcs (one decimal), as re-checked by
    /// [`solomon::verify`]; `None` if the plan failed the check.
    pub distance: Option<f64>,
    /// The distance-only optimum, if known.
    pub best_known: Option<f64>,
    pub seconds: f64,
    pub routes_text: String,
    /// Why [`solomon::verify`] rejected the routes, if it did.
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
fn csv_rows(path: &Path) -> Result<Vec<Vec<String>>, RotaError> {
    Ok(super::read(path)?
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

/// The distance-only optima: `(instance, customers) -> distance`.
pub fn read_bks(path: &Path) -> Result<HashMap<(String, usize), f64>, RotaError> {
    Ok(csv_rows(path)?
        .into_iter()
        .filter(|f| f.len() >= 4)
        .filter_map(|f| Some(((f[0].clone(), f[1].parse().ok()?), f[3].parse().ok()?)))
        .collect())
}

/// The hierarchical BKS of the 100-customer set: `instance -> (vehicles,
/// distance)`.
pub fn read_hierarchical(path: &Path) -> Result<HashMap<String, (usize, f64)>, RotaError> {
    Ok(csv_rows(path)?
        .into_iter()
        .filter(|f| f.len() >= 4)
        .filter_map(|f| Some((f[0].clone(), (f[2].parse().ok()?, f[3].parse().ok()?))))
        .collect())
}

/// How each Solomon instance is solved.
#[derive(Debug, Clone, Copy)]
pub struct SolomonRun {
    pub time_limit: f64,
    /// An iteration budget per search instead of the time limit: the table
    /// is then the same on any machine (with a fixed `threads`).
    pub iterations: Option<usize>,
    pub seed: u64,
    /// 0: one search per core.
    pub threads: usize,
    /// The search's switchable parts (recombination is off by default
    /// here: on these instances it measured worse in 10 s runs).
    pub tuning: crate::solve::search::Tuning,
}

/// Solve Solomon instance files with the default solver as `run` says.
pub fn solomon_rows(
    files: &[PathBuf],
    bks: &HashMap<(String, usize), f64>,
    hierarchical: &HashMap<String, (usize, f64)>,
    run: SolomonRun,
    mut each: impl FnMut(&SolomonRow),
) -> Result<Vec<SolomonRow>, RotaError> {
    let mut rows = Vec::new();
    for path in files {
        let text = super::read(path)?;
        let inst = solomon::parse(&text, &path.display().to_string())?;
        let started = Instant::now();
        let p = solomon::problem(&inst);
        let sol = crate::solve::search::parallel::greedy_then_search(
            &p,
            run.seed,
            run.time_limit,
            run.iterations,
            run.threads,
            run.tuning,
            started,
            &SolveControl::new(),
        )
        .0;
        let seconds = started.elapsed().as_secs_f64();
        let routes = solomon::routes(&inst, &sol);
        let checked = solomon::verify(&inst, &routes);
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
            routes_text: solomon::routes_text(&routes),
            error: checked.err(),
            distance_exact: solomon::exact_distance(&inst, &routes),
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

/// Where the distance-only optima are when `--bks` is not given:
/// `bks_distance_only.csv` two folders above the first instance file (as in
/// `../shared/benchmarks/solomon/instances/100/C101.txt`).
pub fn default_bks_path(first_instance: &Path) -> PathBuf {
    first_instance
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("bks_distance_only.csv")
}

/// The 100-customer instance files of a Solomon folder, sorted.
pub fn instances_100(folder: &Path) -> Result<Vec<PathBuf>, RotaError> {
    let dir = folder.join("instances/100");
    let io = |source| RotaError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Ok(files)
}
