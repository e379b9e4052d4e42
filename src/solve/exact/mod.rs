//! The exact model: the whole contract as a mixed-integer program, built
//! with `good_lp` and solved by HiGHS.
//!
//! Variables ([`vars::Vars`]): per client "served"; per visit its start
//! minute (one variable, so both carers of a double-up start together); per
//! round "used", "does visit v", arcs `i -> j` between its start location,
//! candidate visits and end location, departure times, the return time and
//! the break (its start and where it is taken). Constraints, one file per
//! family: [`routing`] (whole clients, `carers_required` distinct carers,
//! one path per round), [`timing`] (windows, travel, shift, `after` gaps),
//! [`breaks`].
//!
//! The objective is lexicographic and solved as such, in four stages:
//! maximise priority served; then, holding that, minimise lateness (minutes
//! past due, [`timing::lateness`]); then maximise continuity; then, holding
//! all three, minimise travel. Each stage starts from the best plan so
//! far (the greedy's, at first), so a plan exists at any time limit.

pub mod breaks;
pub mod highs_run;
pub mod routing;
pub mod timing;
pub mod vars;
pub mod warm;

use std::time::Instant;

use good_lp::{Constraint, Expression, constraint};

use crate::error::RotaError;
use crate::problem::Problem;
use crate::solve::Solution;

use highs_run::{Outcome, Stage, run};
use vars::Model;

/// Build the whole model: every variable and every rule.
pub fn build(p: &Problem) -> Model<'_> {
    let mut m = Model::new(p);
    routing::assignment(&mut m);
    routing::distinct_carers(&mut m);
    routing::flow(&mut m);
    routing::capacity(&mut m);
    timing::departures(&mut m);
    timing::travel(&mut m);
    timing::gaps(&mut m);
    timing::lateness(&mut m);
    breaks::breaks(&mut m);
    m
}

/// The four objectives, in order.
pub fn priority(m: &Model) -> Expression {
    m.vars
        .served
        .iter()
        .zip(&m.p.clients)
        .map(|(&u, c)| (c.priority as f64) * u)
        .sum()
}

/// Minutes past due, summed (0 without due times).
pub fn lateness(m: &Model) -> Expression {
    m.vars
        .late
        .iter()
        .flatten()
        .map(|&l| Expression::from(l))
        .sum()
}

pub fn continuity(m: &Model) -> Expression {
    let mut e = Expression::from(0.0);
    for (r, rv) in m.vars.rounds.iter().enumerate() {
        for (&v, &y) in &rv.does {
            let w = m.p.preference(v, r);
            if w > 0 {
                e += (w as f64) * y;
            }
        }
    }
    e
}

pub fn travel(m: &Model) -> Expression {
    let mut e = Expression::from(0.0);
    for rv in &m.vars.rounds {
        for a in &rv.arcs {
            e += (a.travel as f64) * a.x;
        }
    }
    e
}

/// What the exact solver found.
#[derive(Debug, Clone)]
pub struct Exact {
    pub solution: Solution,
    /// The whole lexicographic objective is proven optimal.
    pub optimal: bool,
    /// A proven upper bound on the priority any plan can serve.
    pub bound: i64,
    /// One line per stage: what it proved and how long it took.
    pub stages: Vec<String>,
}

/// Solve `p` exactly within `time_limit` seconds, starting from `warm` (a
/// valid plan, e.g. the greedy's). If the limit stops a stage, the best
/// plan found so far is returned with `optimal: false`.
pub fn solve(p: &Problem, warm: &Solution, time_limit: f64) -> Result<Exact, RotaError> {
    let started = Instant::now();
    let left = || (time_limit - started.elapsed().as_secs_f64()).max(0.0);
    let m = build(p);
    let mut best = warm.clone();
    let mut best_cols = warm::columns_of(&m, warm);
    let mut stages = Vec::new();
    let objectives: [(&str, bool, Expression); 4] = [
        ("priority", true, priority(&m)),
        ("lateness", false, lateness(&m)),
        ("continuity", true, continuity(&m)),
        ("travel", false, travel(&m)),
    ];
    let mut fixed: Vec<Constraint> = Vec::new();
    let mut bound = i64::MAX;
    let mut optimal = true;
    for (i, (name, maximise, objective)) in objectives.into_iter().enumerate() {
        let t0 = Instant::now();
        // No preferred carers anywhere: continuity is 0 in every plan.
        if name == "continuity" && !p.has_preferences() {
            continue;
        }
        // No due times: lateness is 0 in every plan.
        if name == "lateness" && m.vars.late.iter().all(Option::is_none) {
            continue;
        }
        let evaluate = |values: &[f64]| {
            let map: std::collections::HashMap<good_lp::Variable, f64> =
                m.column.iter().map(|(&v, &i)| (v, values[i])).collect();
            objective.eval_with(&map)
        };
        let r = run(
            m.problem_vars.clone(),
            Stage {
                maximise,
                objective: objective.clone(),
                rows: &m.rows,
                extra: fixed.clone(),
                time_limit: left(),
                warm: best_cols.as_deref(),
                evaluate: Some(&evaluate),
            },
        )?;
        let value = r.objective.round();
        stages.push(format!(
            "{name}: {value} ({}) in {:.2} s",
            match r.outcome {
                Outcome::Optimal => "optimal".to_string(),
                Outcome::TimeLimit => format!("time limit, bound {:.1}", r.dual_bound),
            },
            t0.elapsed().as_secs_f64()
        ));
        if i == 0 {
            bound = match r.outcome {
                Outcome::Optimal => value as i64,
                Outcome::TimeLimit if r.dual_bound.is_finite() => {
                    (r.dual_bound + 1e-6).floor() as i64
                }
                Outcome::TimeLimit => i64::MAX,
            };
        }
        if let Some(values) = &r.values {
            let sol = warm::solution_of(&m, values);
            if sol.objective(p) >= best.objective(p) {
                best_cols = warm::columns_of(&m, &sol).or(Some(values.clone()));
                best = sol;
            }
        }
        if r.outcome != Outcome::Optimal {
            optimal = false;
            break;
        }
        // Hold this objective at its optimum for the next stage.
        fixed.push(if maximise {
            constraint!(objective >= value - 0.5)
        } else {
            constraint!(objective <= value + 0.5)
        });
    }
    Ok(Exact {
        solution: best,
        optimal,
        bound,
        stages,
    })
}

#[cfg(test)]
mod tests;
