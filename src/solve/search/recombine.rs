//! MIP recombination: a set-partitioning model over a pool of rounds found
//! during the search, solved with HiGHS, to combine the best rounds of
//! different solutions.
//!
//! A column is one round exactly as some valid solution timed it (its
//! visits, their start minutes, its break and load already fit). Choosing
//! at most one column per round gives a valid plan when:
//!
//! * each visit of a served client is covered by exactly `carers_required`
//!   chosen columns, and no visit of an unserved client (whole clients);
//! * a double-up's two columns belong to different carers and start it at
//!   the same minute (`start[v][s]` picks the minute);
//! * `after` gaps hold between the chosen starts of a client's visits.
//!
//! The objective is lexicographic, solved in stages like the exact model:
//! priority served, then continuity, then travel. The incumbent's own rounds
//! are in the pool, so it is always a feasible warm start and the result is
//! never worse.

use std::collections::{HashMap, HashSet};

use good_lp::{Constraint, Expression, ProblemVariables, Variable, constraint, variable};

use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::exact::highs_run::{Outcome, Stage, run};

/// One round as a solution timed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    pub round: usize,
    /// `(visit, start minute)` in visiting order.
    pub stops: Vec<(usize, i32)>,
}

/// The rounds seen so far, without repeats.
#[derive(Debug, Default, Clone)]
pub struct Pool {
    pub columns: Vec<Column>,
    seen: HashSet<Column>,
    /// Stop adding beyond this many columns.
    pub limit: usize,
}

impl Pool {
    pub fn new(limit: usize) -> Pool {
        Pool {
            limit,
            ..Pool::default()
        }
    }

    /// Add every non-empty round of `sol`.
    pub fn add(&mut self, sol: &Solution) {
        for (r, route) in sol.routes.iter().enumerate() {
            if route.is_empty() || self.columns.len() >= self.limit {
                continue;
            }
            let col = Column {
                round: r,
                stops: route
                    .iter()
                    .map(|&v| (v, sol.start[v].unwrap_or(0)))
                    .collect(),
            };
            if self.seen.insert(col.clone()) {
                self.columns.push(col);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// The best combination of the pool's columns within `time_limit` seconds,
/// if it is better than `incumbent` (whose rounds must be in the pool).
pub fn recombine(
    p: &Problem,
    pool: &Pool,
    incumbent: &Solution,
    time_limit: f64,
) -> Option<Solution> {
    let started = std::time::Instant::now();
    let mut pv = ProblemVariables::new();
    let mut col_of: HashMap<Variable, usize> = HashMap::new();
    let mut add = |pv: &mut ProblemVariables, def| {
        let v = pv.add(def);
        let n = col_of.len();
        col_of.insert(v, n);
        v
    };
    let served: Vec<Variable> = (0..p.clients.len())
        .map(|_| add(&mut pv, variable().binary()))
        .collect();
    let x: Vec<Variable> = pool
        .columns
        .iter()
        .map(|_| add(&mut pv, variable().binary()))
        .collect();
    let (at, starts_of) = start_index(pool);
    // pick[(v, s)]: visit v starts at s (for visits with a gap or a double-up).
    let mut pick: HashMap<(usize, i32), Variable> = HashMap::new();
    let mut keys: Vec<(usize, i32)> = at
        .keys()
        .copied()
        .filter(|&(v, _)| needs_pick(p, v))
        .collect();
    keys.sort_unstable();
    for key in keys {
        pick.insert(key, add(&mut pv, variable().binary()));
    }
    let rows = model_rows(p, pool, &served, &x, &at, &starts_of, &pick);
    let warm = warm_start(p, pool, incumbent, &col_of, &served, &x, &pick);
    let stages = objectives(p, pool, &served, &x);
    let vals = solve_stages(&pv, &col_of, &rows, &warm, stages, started, time_limit)?;
    let sol = chosen_solution(p, pool, &col_of, &x, &vals);
    // The model keeps the columns' own starts, double-ups' and `after`
    // gaps'; the timing core checks every rule (largest gaps and visits
    // that start together too) and starts each visit as early as it can.
    let sol =
        crate::solve::timing::Timing::of_solution(p, crate::solve::timing::Rules::of(p), &sol)
            .ok()?
            .solution();
    (sol.objective(p) > incumbent.objective(p)).then_some(sol)
}

/// Which columns start each visit at each minute, and each visit's starts in order.
#[allow(clippy::type_complexity)]
fn start_index(pool: &Pool) -> (HashMap<(usize, i32), Vec<usize>>, HashMap<usize, Vec<i32>>) {
    // Which columns start visit v at minute s.
    let mut at: HashMap<(usize, i32), Vec<usize>> = HashMap::new();
    for (i, c) in pool.columns.iter().enumerate() {
        for &(v, s) in &c.stops {
            at.entry((v, s)).or_default().push(i);
        }
    }
    let mut starts_of: HashMap<usize, Vec<i32>> = HashMap::new();
    for &(v, s) in at.keys() {
        starts_of.entry(v).or_default().push(s);
    }
    for s in starts_of.values_mut() {
        s.sort_unstable();
    }
    (at, starts_of)
}

/// Whether visit `v` needs start-choice variables (a double-up or a gap).
fn needs_pick(p: &Problem, v: usize) -> bool {
    let vs = &p.visits[v];
    vs.required > 1 || vs.after.is_some() || !vs.successors.is_empty()
}

/// The model's rows: a column per round, cover, starts, double-up carers and gaps.
fn model_rows(
    p: &Problem,
    pool: &Pool,
    served: &[Variable],
    x: &[Variable],
    at: &HashMap<(usize, i32), Vec<usize>>,
    starts_of: &HashMap<usize, Vec<i32>>,
    pick: &HashMap<(usize, i32), Variable>,
) -> Vec<Constraint> {
    let mut rows: Vec<Constraint> = Vec::new();
    // One column per round.
    let mut by_round: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, c) in pool.columns.iter().enumerate() {
        by_round.entry(c.round).or_default().push(i);
    }
    for cols in by_round.values() {
        let e: Expression = cols.iter().map(|&i| x[i]).sum();
        rows.push(constraint!(e <= 1));
    }
    for (v, vs) in p.visits.iter().enumerate() {
        let u = served[vs.client];
        let req = vs.required as f64;
        let starts = starts_of.get(&v).cloned().unwrap_or_default();
        let cover: Expression = starts
            .iter()
            .flat_map(|&s| at[&(v, s)].iter().map(|&i| x[i]))
            .sum();
        rows.push(constraint!(cover == req * u));
        if !needs_pick(p, v) {
            continue;
        }
        let chosen: Expression = starts.iter().map(|&s| pick[&(v, s)]).sum();
        rows.push(constraint!(chosen == u));
        for &s in &starts {
            let here: Expression = at[&(v, s)].iter().map(|&i| x[i]).sum();
            let z = pick[&(v, s)];
            rows.push(constraint!(here == req * z));
        }
        if vs.required > 1 {
            for c in &p.carers {
                let mine: Expression = starts
                    .iter()
                    .flat_map(|&s| at[&(v, s)].iter())
                    .filter(|&&i| c.rounds.contains(&pool.columns[i].round))
                    .map(|&i| x[i])
                    .sum();
                rows.push(constraint!(mine <= 1));
            }
        }
        // after: a start of v too early for a start of its target excludes it.
        if let Some((t, gap)) = vs.after {
            for &sv in &starts {
                for &st in starts_of.get(&t).map(Vec::as_slice).unwrap_or(&[]) {
                    if sv < st + gap
                        && let (Some(&a), Some(&b)) = (pick.get(&(v, sv)), pick.get(&(t, st)))
                    {
                        rows.push(constraint!(a + b <= 1));
                    }
                }
            }
        }
    }
    rows
}

/// The warm start: the incumbent's served clients, its columns and its starts.
fn warm_start(
    p: &Problem,
    pool: &Pool,
    incumbent: &Solution,
    col_of: &HashMap<Variable, usize>,
    served: &[Variable],
    x: &[Variable],
    pick: &HashMap<(usize, i32), Variable>,
) -> Vec<f64> {
    // Warm start: the incumbent's columns.
    let mut warm = vec![0.0; col_of.len()];
    for (k, &u) in served.iter().enumerate() {
        warm[col_of[&u]] = f64::from(u8::from(incumbent.is_served(p, k)));
    }
    for (i, c) in pool.columns.iter().enumerate() {
        let mine = incumbent.routes[c.round].len() == c.stops.len()
            && c.stops
                .iter()
                .zip(&incumbent.routes[c.round])
                .all(|(&(v, s), &w)| v == w && incumbent.start[v] == Some(s));
        if mine {
            warm[col_of[&x[i]]] = 1.0;
        }
    }
    for (&(v, s), &z) in pick {
        if incumbent.start[v] == Some(s) {
            warm[col_of[&z]] = 1.0;
        }
    }
    warm
}

/// The stages' `(maximise, objective)`: priority, then continuity, then travel.
fn objectives(
    p: &Problem,
    pool: &Pool,
    served: &[Variable],
    x: &[Variable],
) -> [(bool, Expression); 3] {
    let priority: Expression = served
        .iter()
        .zip(&p.clients)
        .map(|(&u, c)| (c.priority as f64) * u)
        .sum();
    let continuity: Expression = pool
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n: i64 = c.stops.iter().map(|&(v, _)| p.preference(v, c.round)).sum();
            (n as f64) * x[i]
        })
        .sum();
    let travel: Expression = pool
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (p.route_travel(c.round, c.stops.iter().map(|&(v, _)| v)) as f64) * x[i])
        .sum();
    [(true, priority), (true, continuity), (false, travel)]
}

/// Solves the stages in turn on HiGHS, fixing each optimum; the last values found.
fn solve_stages(
    pv: &ProblemVariables,
    col_of: &HashMap<Variable, usize>,
    rows: &[Constraint],
    warm: &[f64],
    stages: [(bool, Expression); 3],
    started: std::time::Instant,
    time_limit: f64,
) -> Option<Vec<f64>> {
    let mut fixed: Vec<Constraint> = Vec::new();
    let mut values: Option<Vec<f64>> = None;
    for (maximise, objective) in stages {
        let left = time_limit - started.elapsed().as_secs_f64();
        if left <= 0.0 {
            break;
        }
        let evaluate = |vals: &[f64]| {
            let map: HashMap<Variable, f64> = col_of.iter().map(|(&v, &i)| (v, vals[i])).collect();
            objective.eval_with(&map)
        };
        let start_from = values.as_deref().unwrap_or(warm);
        let r = run(
            pv.clone(),
            Stage {
                maximise,
                objective: objective.clone(),
                rows,
                extra: fixed.clone(),
                time_limit: left,
                warm: Some(start_from),
                evaluate: Some(&evaluate),
            },
        )
        .ok()?;
        let Some(vals) = r.values else { break };
        let value = evaluate(&vals).round();
        values = Some(vals);
        if r.outcome != Outcome::Optimal {
            break;
        }
        fixed.push(if maximise {
            constraint!(objective >= value - 0.5)
        } else {
            constraint!(objective <= value + 0.5)
        });
    }
    values
}

/// The plan made of the chosen columns' rounds, as they were timed.
fn chosen_solution(
    p: &Problem,
    pool: &Pool,
    col_of: &HashMap<Variable, usize>,
    x: &[Variable],
    vals: &[f64],
) -> Solution {
    let mut sol = Solution::empty(p);
    for (i, c) in pool.columns.iter().enumerate() {
        if vals[col_of[&x[i]]] > 0.5 {
            for (pos, &(v, s)) in c.stops.iter().enumerate() {
                sol.insert(c.round, pos, v, s);
            }
        }
    }
    sol
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Request;
    use crate::solve::construct::greedy;

    fn problem(json: &str) -> Problem {
        Problem::from_json(json)
    }

    /// Rounds of two solutions recombined: at least as good as the better
    /// of them, and the plan passes the independent checker.
    #[test]
    fn recombination_is_at_least_the_best_of_its_sources_and_checks() {
        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-day.json"));
        let req: Request = serde_json::from_str(text).unwrap();
        let p = problem(text);
        let g = greedy::construct(&p);
        let mut pool = Pool::new(100_000);
        pool.add(&g.solution);
        // Alone, the incumbent's own rounds give nothing better.
        assert_eq!(recombine(&p, &pool, &g.solution, 30.0), None);
        let mut best = g.solution.objective(&p);
        for seed in 0..6u64 {
            let mut order = greedy::client_order(&p);
            let n = order.len();
            order.rotate_left((seed as usize * 7) % n);
            let other = greedy::construct_in_order(&p, &order).solution;
            best = best.max(other.objective(&p));
            pool.add(&other);
        }
        let sol = recombine(&p, &pool, &g.solution, 30.0).unwrap_or(g.solution.clone());
        assert!(
            sol.objective(&p) >= best,
            "{:?} < {best:?}",
            sol.objective(&p)
        );
        let plan = crate::plan::build_plan(
            &p,
            &sol,
            crate::plan::PlanMeta {
                date: req.date,
                status: crate::model::Status::Feasible,
                upper_bound_priority: None,
                solve_seconds: 0.0,
                reasons: vec![
                    vec![crate::model::Reason {
                        code: "CAPACITY".into(),
                        message: "test".into(),
                    }];
                    p.clients.len()
                ],
            },
        )
        .unwrap();
        let report = crate::check::check(&req, &plan);
        assert!(report.is_valid(), "{report}");
    }
}
