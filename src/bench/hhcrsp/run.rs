//! `rota bench hhcrsp`: solve Mankowska instances with the one search
//! ([`greedy_then_search`], the problem's weighted order), re-check every plan with [`super::verify`],
//! and compare with `bks.csv`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::verify::{self, Visit};
use crate::control::SolveControl;
use crate::error::RotaError;
use crate::readers::mankowska::{self, SCALE};
use crate::solve::search::Tuning;
use crate::solve::search::parallel::greedy_then_search;

/// One instance's row of `bks.csv`.
#[derive(Debug, Clone)]
pub struct Known {
    pub instance: String,
    pub set: String,
    pub bks: f64,
    pub proven: bool,
}

/// `bks.csv` by instance file name.
pub fn read_bks(path: &Path) -> Result<HashMap<String, Known>, RotaError> {
    let text = super::super::read(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| RotaError::Internal(format!("{}: no '{name}' column", path.display())))
    };
    let (ci, cs, cf, cb, cp) = (
        col("instance")?,
        col("set")?,
        col("file")?,
        col("bks")?,
        col("proven_optimal")?,
    );
    Ok(lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.len() == header.len())
        .filter_map(|f| {
            Some((
                f[cf].to_string(),
                Known {
                    instance: f[ci].to_string(),
                    set: f[cs].to_string(),
                    bks: f[cb].parse().ok()?,
                    proven: f[cp] == "true",
                },
            ))
        })
        .collect())
}

/// `bks.csv` beside the folder holding `first_instance`.
pub fn default_bks_path(first_instance: &Path) -> PathBuf {
    first_instance
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("bks.csv")
}

/// The time budget of a set: 10 s for A and B, 60 s for C-E,
/// 120 s for F and G.
pub fn set_time_limit(set: &str) -> f64 {
    match set {
        "A" | "B" => 10.0,
        "C" | "D" | "E" => 60.0,
        _ => 120.0,
    }
}

/// How each instance is solved.
#[derive(Debug, Clone)]
pub struct HhcrspRun {
    /// Seconds per search; `None`: [`set_time_limit`].
    pub time_limit: Option<f64>,
    pub iterations: Option<usize>,
    /// Seeds `seed .. seed + seeds`, one search each.
    pub seed: u64,
    pub seeds: u64,
    /// Instances solved at once.
    pub jobs: usize,
    pub routes_dir: Option<PathBuf>,
    /// The search's switchable parts ([`HhcrspRun::TUNING`] by default).
    pub tuning: Tuning,
}

impl HhcrspRun {
    /// What the benchmark runs: the search of `rota plan` without
    /// recombination, whose set partitioning prices rounds by travel alone
    /// and cannot see lateness or links.
    pub const TUNING: Tuning = Tuning {
        recombine_every: 0,
        local_search: true,
        regret: true,
    };
}

/// One search of one instance.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub seed: u64,
    /// (D, T, Tmax) recomputed by the verifier, or every rule broken.
    pub checked: Result<verify::Costs, Vec<String>>,
    pub seconds: f64,
    pub iterations: usize,
    /// The solver's own cost (its units: D + T + Tmax, scaled).
    pub claimed: f64,
    pub routes: Vec<Vec<Visit>>,
}

impl Attempt {
    pub fn cost(&self) -> Option<f64> {
        self.checked.as_ref().ok().map(verify::Costs::cost)
    }
}

/// One instance: its first seed's search and the best of all seeds.
#[derive(Debug, Clone)]
pub struct HhcrspRow {
    pub file: String,
    pub instance: String,
    pub set: String,
    pub patients: usize,
    pub known: Option<Known>,
    pub time_limit: f64,
    pub attempts: Vec<Attempt>,
}

impl HhcrspRow {
    pub fn first(&self) -> &Attempt {
        &self.attempts[0]
    }

    /// The attempt of least verified cost (the first if none verified).
    pub fn best(&self) -> &Attempt {
        self.attempts
            .iter()
            .filter(|a| a.cost().is_some())
            .min_by(|a, b| {
                a.cost()
                    .partial_cmp(&b.cost())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or(self.first())
    }

    /// Gap of `a` to the best-known value, in percent.
    pub fn gap(&self, a: &Attempt) -> Option<f64> {
        let bks = self.known.as_ref()?.bks;
        Some(100.0 * (a.cost()? - bks) / bks)
    }

    pub fn all_verified(&self) -> bool {
        self.attempts.iter().all(|a| a.checked.is_ok())
    }
}

/// Solve every file as `run` says (`jobs` at a time), each row handed to
/// `each` when done; rows come back by set and number (A1, A2, ..., G10;
/// files not in `bks.csv` last, in file order).
pub fn hhcrsp_rows(
    files: &[PathBuf],
    bks: &HashMap<String, Known>,
    run: &HhcrspRun,
    each: impl Fn(&HhcrspRow) + Sync,
) -> Result<Vec<HhcrspRow>, RotaError> {
    if let Some(dir) = &run.routes_dir {
        std::fs::create_dir_all(dir).map_err(|source| RotaError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(run.jobs.max(1))
        .build()
        .map_err(|e| RotaError::Internal(format!("no threads for the instances: {e}")))?;
    let mut rows = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let row = solve_file(path, bks, run)?;
                each(&row);
                Ok(row)
            })
            .collect::<Result<Vec<_>, RotaError>>()
    })?;
    rows.sort_by_key(|r| match &r.known {
        Some(k) => (
            0,
            k.set.clone(),
            k.instance[1..].parse::<u32>().unwrap_or(0),
        ),
        None => (1, String::new(), 0),
    });
    Ok(rows)
}

fn solve_file(
    path: &Path,
    bks: &HashMap<String, Known>,
    run: &HhcrspRun,
) -> Result<HhcrspRow, RotaError> {
    let text = super::super::read(path)?;
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let inst = mankowska::parse(&text, &path.display().to_string())?;
    let known = bks.get(&name).cloned();
    let set = known.as_ref().map_or(String::new(), |k| k.set.clone());
    let time_limit = run.time_limit.unwrap_or_else(|| set_time_limit(&set));
    let mut attempts = Vec::new();
    for seed in run.seed..run.seed + run.seeds.max(1) {
        let started = Instant::now();
        let (p, services) = mankowska::problem(&inst, &name)?;
        let (solution, counts) = greedy_then_search(
            &p,
            seed,
            time_limit,
            run.iterations,
            1,
            run.tuning,
            started,
            &SolveControl::new(),
        );
        let (.., cost) = solution.objective(&p);
        let seconds = started.elapsed().as_secs_f64();
        let routes: Vec<Vec<Visit>> = solution
            .routes
            .iter()
            .map(|route| {
                route
                    .iter()
                    .map(|&v| Visit {
                        node: services[v].0,
                        service: services[v].1,
                        start: solution.start[v].unwrap_or(0) as f64 / SCALE,
                    })
                    .collect()
            })
            .collect();
        attempts.push(Attempt {
            seed,
            checked: verify::verify(&text, &routes),
            seconds,
            iterations: counts.iterations,
            claimed: -cost as f64 / SCALE,
            routes,
        });
    }
    let row = HhcrspRow {
        instance: known.as_ref().map_or(name.clone(), |k| k.instance.clone()),
        file: name,
        set,
        patients: inst.patients().len(),
        known,
        time_limit,
        attempts,
    };
    if let Some(dir) = &run.routes_dir {
        write_routes(dir, &row)?;
    }
    Ok(row)
}

/// `DIR/<instance file stem>.json`: the first seed's routes, a list per
/// caregiver of `{"node", "service", "start"}`.
fn write_routes(dir: &Path, row: &HhcrspRow) -> Result<(), RotaError> {
    let stem = Path::new(&row.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| row.file.clone());
    let path = dir.join(format!("{stem}.json"));
    let json = serde_json::to_string_pretty(&row.first().routes)
        .map_err(|e| RotaError::Internal(e.to_string()))?;
    std::fs::write(&path, json + "\n").map_err(|source| RotaError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// `3:0@12.5 5:1@40` per caregiver, caregivers separated by `|`.
pub fn routes_text(routes: &[Vec<Visit>]) -> String {
    routes
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| format!("{}:{}@{}", v.node, v.service, v.start))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// `x` with `digits` decimals ("" for none; never "-0.00").
fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or(String::new(), |v| {
        let v = if v.abs() < 0.5 * 10f64.powi(-(digits as i32)) {
            0.0
        } else {
            v
        };
        format!("{v:.digits$}")
    })
}

pub fn hhcrsp_csv(rows: &[HhcrspRow]) -> String {
    let mut out = String::from(
        "instance,set,file,seed,cost,distance,tardiness,max_tardiness,bks,gap_percent,seconds,iterations,best_seed,best_cost,best_gap_percent,error,routes\n",
    );
    for r in rows {
        let (a, b) = (r.first(), r.best());
        let parts = a.checked.as_ref().ok();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{:.2},{},{},{},{},{},{}",
            r.instance,
            r.set,
            r.file,
            a.seed,
            opt(a.cost(), 3),
            opt(parts.map(|c| c.distance), 3),
            opt(parts.map(|c| c.tardiness), 3),
            opt(parts.map(|c| c.max_tardiness), 3),
            opt(r.known.as_ref().map(|k| k.bks), 3),
            opt(r.gap(a), 2),
            a.seconds,
            a.iterations,
            b.seed,
            opt(b.cost(), 3),
            opt(r.gap(b), 2),
            a.checked
                .as_ref()
                .err()
                .map(|e| e.join("; ").replace(',', " "))
                .unwrap_or_default(),
            routes_text(&a.routes),
        );
    }
    out
}

/// The table of `docs/benchmarks.md`: one row per instance, then the
/// average gap of each set.
pub fn hhcrsp_markdown(rows: &[HhcrspRow]) -> String {
    let seeds = rows.first().map_or(1, |r| r.attempts.len());
    let mut header = vec![
        "instance", "s", "cost", "D", "T", "Tmax", "BKS", "gap %", "seconds", "verified",
    ];
    let best_head = format!("best of {seeds}");
    if seeds > 1 {
        header.extend([best_head.as_str(), "gap %"]);
    }
    let right = header
        .iter()
        .map(|h| *h != "instance" && *h != "verified")
        .collect::<Vec<_>>();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let a = r.first();
            let c = a.checked.as_ref().ok();
            let mut row = vec![
                r.instance.clone(),
                format!("{:.0}", r.time_limit),
                opt(a.cost(), 2),
                opt(c.map(|c| c.distance), 2),
                opt(c.map(|c| c.tardiness), 2),
                opt(c.map(|c| c.max_tardiness), 2),
                opt(r.known.as_ref().map(|k| k.bks), 2)
                    + if r.known.as_ref().is_some_and(|k| k.proven) {
                        "*"
                    } else {
                        ""
                    },
                opt(r.gap(a), 2),
                format!("{:.1}", a.seconds),
                if r.all_verified() { "yes" } else { "**no**" }.into(),
            ];
            if seeds > 1 {
                row.push(opt(r.best().cost(), 2));
                row.push(opt(r.gap(r.best()), 2));
            }
            row
        })
        .collect();
    let mut out = super::super::markdown(&header, &right, &body);
    out.push('\n');
    out.push_str(&set_summary(rows));
    out
}

/// Per set: instances, verified, average and worst gap (first seed, and
/// best of the seeds), how many reach the BKS or better (within 0.01).
pub fn set_summary(rows: &[HhcrspRow]) -> String {
    let mut sets: Vec<&str> = rows.iter().map(|r| r.set.as_str()).collect();
    sets.dedup();
    let body: Vec<Vec<String>> = sets
        .iter()
        .map(|&set| {
            let mine: Vec<&HhcrspRow> = rows.iter().filter(|r| r.set == set).collect();
            let gaps = |best: bool| -> Vec<f64> {
                mine.iter()
                    .filter_map(|r| r.gap(if best { r.best() } else { r.first() }))
                    .collect()
            };
            let avg = |g: &[f64]| {
                opt(
                    (!g.is_empty()).then(|| g.iter().sum::<f64>() / g.len() as f64),
                    2,
                )
            };
            let worst = |g: &[f64]| opt(g.iter().copied().reduce(f64::max), 2);
            let reached = mine
                .iter()
                .filter(|r| {
                    r.known
                        .as_ref()
                        .zip(r.first().cost())
                        .is_some_and(|(k, c)| c <= k.bks + 0.01)
                })
                .count();
            let (g1, gb) = (gaps(false), gaps(true));
            vec![
                set.to_string(),
                mine.len().to_string(),
                mine.iter().filter(|r| r.all_verified()).count().to_string(),
                avg(&g1),
                worst(&g1),
                reached.to_string(),
                avg(&gb),
                worst(&gb),
            ]
        })
        .collect();
    super::super::markdown(
        &[
            "set",
            "instances",
            "verified",
            "avg gap %",
            "worst gap %",
            "at or below BKS",
            "avg gap % (best seed)",
            "worst gap % (best seed)",
        ],
        &[false, true, true, true, true, true, true, true],
        &body,
    )
}
