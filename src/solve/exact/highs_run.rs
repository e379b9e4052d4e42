//! One HiGHS solve of the model built with good_lp, reading the status
//! every time: a time limit is not an error (HiGHS returns `Ok` with the
//! best solution found, if any, and a dual bound), an infeasible model is.

use good_lp::solvers::highs::highs;
use good_lp::{Constraint, Expression, ProblemVariables, SolverModel};
use highs::{HighsModelStatus, HighsSolutionStatus};

use crate::error::RotaError;

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Proven optimal.
    Optimal,
    /// Stopped by the time limit with a solution.
    TimeLimit,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub outcome: Outcome,
    /// Column values, in variable creation order (`None`: the time limit
    /// came before any feasible solution, which a valid warm start rules
    /// out).
    pub values: Option<Vec<f64>>,
    pub objective: f64,
    /// HiGHS' dual bound on the objective.
    pub dual_bound: f64,
}

/// The objective's value at given columns.
pub type Evaluate<'a> = dyn Fn(&[f64]) -> f64 + 'a;

pub struct Stage<'a> {
    pub maximise: bool,
    pub objective: Expression,
    pub rows: &'a [Constraint],
    pub extra: Vec<Constraint>,
    pub time_limit: f64,
    /// A feasible point to start from (column order), if known.
    pub warm: Option<&'a [f64]>,
    /// The objective computed from columns, to check what HiGHS returns.
    pub evaluate: Option<&'a Evaluate<'a>>,
}

/// Solve one stage. HiGHS (as built by highs-sys 1.16) can report the
/// objective of a better solution it found while returning the columns of
/// the warm start it was given (seen when presolve solves the model); the
/// columns are therefore re-evaluated, and on a mismatch the stage is solved
/// again without the warm start.
pub fn run(vars: ProblemVariables, stage: Stage) -> Result<Run, RotaError> {
    let started = std::time::Instant::now();
    let retry = stage
        .warm
        .is_some()
        .then(|| (vars.clone(), stage.objective.clone(), stage.extra.clone()));
    let evaluate = stage.evaluate;
    let (rows, maximise, time_limit) = (stage.rows, stage.maximise, stage.time_limit);
    let r = run_once(vars, stage)?;
    if let (Some(values), Some(eval)) = (&r.values, evaluate)
        && (eval(values) - r.objective).abs() > 0.5
    {
        let Some((vars, objective, extra)) = retry else {
            return Err(RotaError::Internal(format!(
                "HiGHS returned columns worth {} for an objective of {}",
                eval(values),
                r.objective
            )));
        };
        let again = run_once(
            vars,
            Stage {
                maximise,
                objective,
                rows,
                extra,
                time_limit: (time_limit - started.elapsed().as_secs_f64()).max(0.0),
                warm: None,
                evaluate: None,
            },
        )?;
        // Without a warm start the columns are HiGHS' own; keep whichever
        // consistent answer is better.
        let better = match again.values {
            Some(_) if maximise => again.objective >= eval(values),
            Some(_) => again.objective <= eval(values),
            None => false,
        };
        return Ok(if better {
            again
        } else {
            Run {
                outcome: Outcome::TimeLimit,
                objective: eval(values),
                ..r
            }
        });
    }
    Ok(r)
}

fn run_once(vars: ProblemVariables, stage: Stage) -> Result<Run, RotaError> {
    let unsolved = if stage.maximise {
        vars.maximise(stage.objective)
    } else {
        vars.minimise(stage.objective)
    };
    let mut problem = highs(unsolved);
    for c in stage.rows.iter().cloned().chain(stage.extra) {
        problem.add_constraint(c);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| RotaError::Internal(format!("HiGHS rejected the model: {e}")))?;
    model.set_option("output_flag", false);
    model.set_option("time_limit", stage.time_limit.max(0.01));
    // Every objective of the model has integer coefficients over integer
    // variables: a gap below 1 proves optimality.
    model.set_option("mip_rel_gap", 0.0);
    model.set_option("mip_abs_gap", 0.999);
    if let Some(w) = stage.warm
        && w.len() == model.num_cols()
    {
        // HiGHS checks the point itself and ignores it if it is infeasible.
        let _ = model.try_set_solution(Some(w), None, None, None);
    }
    let solved = model
        .try_solve()
        .map_err(|e| RotaError::Internal(format!("HiGHS failed: {e:?}")))?;
    let outcome = match solved.status() {
        HighsModelStatus::Optimal => Outcome::Optimal,
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedMemoryLimit => Outcome::TimeLimit,
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Err(RotaError::Internal(
                "the exact model is infeasible, which no day should be (serving nobody is always a plan)".into(),
            ));
        }
        other => {
            return Err(RotaError::Internal(format!(
                "HiGHS ended with status {other:?}"
            )));
        }
    };
    let feasible = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    if !feasible && outcome == Outcome::Optimal {
        return Err(RotaError::Internal(
            "HiGHS reports optimal without a feasible solution".into(),
        ));
    }
    let dual_bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NAN);
    let objective = solved.objective_value();
    let values = feasible.then(|| solved.get_solution().columns().to_vec());
    Ok(Run {
        outcome,
        values,
        objective,
        dual_bound,
    })
}
