//! `rota bench bound`: how tight the upper bound is. Each generated day
//! (and optionally the sample day) is planned with the default solver, then
//! its bounds are computed on their own: the energetic relaxation and the
//! column generation over rounds (seeded with the plan's rounds, or not),
//! each timed, against the plan's priority.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::control::SolveControl;
use crate::error::RotaError;
use crate::generate::{GenerateOptions, generate};
use crate::model::Request;
use crate::problem::Problem;
use crate::solve::bound::{colgen, energetic};

/// One day's bounds.
#[derive(Debug, Clone)]
pub struct BoundRow {
    /// "50/1" (clients/seed) or the request's name.
    pub day: String,
    /// The route bound's variant ([`variant`]).
    pub variant: String,
    pub clients: usize,
    pub rounds: usize,
    pub visits: usize,
    /// The plan's priority and the bound it carries.
    pub priority: u64,
    pub plan_bound: u64,
    pub energetic: Option<i64>,
    pub energetic_seconds: f64,
    pub colgen: Option<i64>,
    pub colgen_seconds: f64,
    pub iterations: usize,
    pub exact_iterations: usize,
    /// Nodes of the branching on clients (the root not counted).
    pub nodes: usize,
    pub columns: usize,
    pub converged: bool,
    pub lp: Option<f64>,
    pub max_labels: usize,
}

impl BoundRow {
    /// The column generation bound's gap over the plan's priority.
    pub fn gap(&self) -> Option<f64> {
        self.colgen
            .map(|b| (b as f64 - self.priority as f64) / (self.priority.max(1) as f64))
    }
}

/// How the days are run.
#[derive(Debug, Clone)]
pub struct BoundRun {
    /// Time limit of the plan.
    pub plan_time: f64,
    /// Time limit of the column generation.
    pub bound_time: f64,
    /// Seed the column generation with the plan's rounds.
    pub seeded: bool,
    pub threads: usize,
    /// Route bound variants, each run on every day's plan ([`variant`]).
    pub variants: Vec<String>,
}

/// The route bound's configuration called `name`: `default`, or features
/// joined by `+`: `ng` (ng-sets of the default size), `ngN` (of N),
/// `heur` (heuristic pricing first), `branch` (branching on clients);
/// `elem` alone for none of them.
pub fn variant(name: &str) -> Result<colgen::Config, String> {
    if name == "default" {
        return Ok(colgen::Config::default());
    }
    let mut c = colgen::Config {
        ng: usize::MAX,
        heuristic: false,
        branching: false,
    };
    for f in name.split('+') {
        match f {
            "elem" => {}
            "ng" => c.ng = colgen::labels::NG_SIZE,
            "heur" => c.heuristic = true,
            "branch" => c.branching = true,
            _ => match f.strip_prefix("ng").and_then(|n| n.parse().ok()) {
                Some(n) => c.ng = n,
                None => {
                    return Err(format!(
                        "unknown route bound variant {f:?} (default, elem, ng, ngN, heur)"
                    ));
                }
            },
        }
    }
    Ok(c)
}

/// `name` if it is a [`variant`] (for the command line's parser).
pub fn check_variant(name: &str) -> Result<String, String> {
    variant(name).map(|_| name.to_string())
}

/// Bound the generated days (`clients` x `seeds`) and the given requests.
pub fn bound_rows(
    clients: &[usize],
    seeds: &[u64],
    named: &[(String, Request)],
    run: BoundRun,
    mut each: impl FnMut(&BoundRow),
) -> Result<Vec<BoundRow>, RotaError> {
    let date = super::bench_date();
    let mut days: Vec<(String, Request)> = Vec::new();
    for &n in clients {
        for &seed in seeds {
            let mut req = generate(&GenerateOptions::new(n, seed, date));
            req.settings.seed = seed;
            days.push((format!("{n}/{seed}"), req));
        }
    }
    days.extend(named.iter().cloned());
    let mut rows = Vec::new();
    for (day, mut req) in days {
        req.settings.time_limit_seconds = run.plan_time;
        let planned = crate::plan_with_solution(
            &req,
            &crate::PlanOptions {
                threads: run.threads,
                ..Default::default()
            },
            &SolveControl::new(),
            None,
        )?;
        let p: Problem = planned.problem.unboosted();
        let t0 = Instant::now();
        let energetic = energetic::energetic_bound(&p, crate::solve::bound::BOUND_TIME_LIMIT);
        let energetic_seconds = t0.elapsed().as_secs_f64();
        for name in &run.variants {
            let config = variant(name).map_err(RotaError::Internal)?;
            let seeds = OnceLock::new();
            if run.seeded {
                let _ = seeds.set(planned.solution.routes.clone());
            }
            let t1 = Instant::now();
            let cg = colgen::bound_with(
                &p,
                t1 + Duration::from_secs_f64(run.bound_time),
                &seeds,
                None,
                &|_| {},
                &config,
            );
            let row = BoundRow {
                day: day.clone(),
                variant: name.clone(),
                clients: p.clients.len(),
                rounds: p.rounds.len(),
                visits: p.visits.len(),
                priority: planned.plan.summary.priority_served,
                plan_bound: planned.plan.summary.upper_bound_priority.unwrap_or(0),
                energetic,
                energetic_seconds,
                colgen: cg.bound,
                colgen_seconds: t1.elapsed().as_secs_f64(),
                iterations: cg.iterations,
                exact_iterations: cg.exact_iterations,
                nodes: cg.nodes,
                columns: cg.columns,
                converged: cg.converged,
                lp: cg.lp,
                max_labels: cg.max_labels,
            };
            each(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

const HEADER: [&str; 15] = [
    "day",
    "variant",
    "clients",
    "rounds",
    "priority",
    "plan bound",
    "energetic",
    "energetic s",
    "colgen",
    "colgen s",
    "gap",
    "iterations",
    "columns",
    "converged",
    "max labels",
];

fn cells(r: &BoundRow) -> Vec<String> {
    let opt = |b: Option<i64>| b.map_or("-".to_string(), |b| b.to_string());
    vec![
        r.day.clone(),
        r.variant.clone(),
        r.clients.to_string(),
        r.rounds.to_string(),
        r.priority.to_string(),
        r.plan_bound.to_string(),
        opt(r.energetic),
        format!("{:.2}", r.energetic_seconds),
        opt(r.colgen),
        format!("{:.2}", r.colgen_seconds),
        r.gap()
            .map_or("-".to_string(), |g| format!("{:.2}%", g * 100.0)),
        format!(
            "{} ({} exact, {} nodes)",
            r.iterations, r.exact_iterations, r.nodes
        ),
        r.columns.to_string(),
        r.converged.to_string(),
        r.max_labels.to_string(),
    ]
}

/// The rows as a Markdown table, with the average and worst gap below.
pub fn bound_markdown(rows: &[BoundRow]) -> String {
    let mut right = [true; 15];
    right[0] = false;
    right[1] = false;
    let c: Vec<_> = rows.iter().map(cells).collect();
    let mut out = super::markdown(&HEADER, &right, &c);
    let mut variants: Vec<&str> = Vec::new();
    for r in rows {
        if !variants.contains(&r.variant.as_str()) {
            variants.push(&r.variant);
        }
    }
    for v in variants {
        let mine: Vec<&BoundRow> = rows.iter().filter(|r| r.variant == v).collect();
        let gaps: Vec<f64> = mine.iter().filter_map(|r| r.gap()).collect();
        if gaps.is_empty() {
            continue;
        }
        let avg = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let worst = gaps.iter().cloned().fold(0.0, f64::max);
        let proven = mine
            .iter()
            .filter(|r| r.colgen.is_some_and(|b| b <= r.priority as i64))
            .count();
        out.push_str(&format!(
            "\n{v}: column generation gap over the plan: {:.2}% average, {:.2}% worst ({} days); plan proven optimal on priority: {} of {}\n",
            avg * 100.0,
            worst * 100.0,
            gaps.len(),
            proven,
            mine.len()
        ));
    }
    out
}

pub fn bound_csv(rows: &[BoundRow]) -> String {
    let c: Vec<_> = rows.iter().map(cells).collect();
    super::csv(&HEADER, &c)
}
