//! The library's one pipeline, from request text to a checked plan; it only
//! chains the stages:
//!
//! [`load_request`] (parse + validate once: a [`ValidRequest`]) ->
//! [`crate::prepare`] (amendments, memory, road travel times) ->
//! [`plan_prepared`] (build the problem, [`solve_problem`], then
//! [`checked_plan`]: reasons, the plan, the independent checker).
//!
//! [`plan_request`], [`plan_request_with`] and [`plan_with_solution`] are
//! the same for a [`Request`] at hand (validated once on the way in).

use crate::control::SolveControl;
use crate::error::{Issues, RotaError};
use crate::model::{Plan, Request};
use crate::prepare::Prepared;
use crate::problem::Problem;
use crate::solve::budget::TimeBudget;
use crate::validate::ValidRequest;
use crate::{check, parse, plan, solve, validate};

pub use crate::solve::run::{PlanOptions, Solved, solve_problem};

/// Parse and validate a request: every problem is reported at once.
pub fn load_request(text: &str) -> Result<ValidRequest, RotaError> {
    validate::valid(parse::request_from_str(text)?).map_err(RotaError::Invalid)
}

/// Plan a request with the default solver and options, then run the
/// independent checker on the result: a plan that breaks a rule is never
/// returned (that would be an internal error, not a plan).
pub fn plan_request(req: &Request) -> Result<Plan, RotaError> {
    plan_request_with(req, &PlanOptions::default(), &SolveControl::new())
}

/// [`plan_request`] as `opts` says and under outside control: `ctl` can
/// cancel the search (the best plan so far is returned, still checked) and
/// shows its progress. Within `settings.time_limit_seconds`; every plan
/// carries a proven `upper_bound_priority` and passes the checker.
pub fn plan_request_with(
    req: &Request,
    opts: &PlanOptions,
    ctl: &SolveControl,
) -> Result<Plan, RotaError> {
    plan_with_solution(req, opts, ctl, None).map(|s| s.plan)
}

/// A checked plan with the solver's view of it, for callers that ask
/// what-if questions of it ([`crate::capacity`]).
#[derive(Debug, Clone)]
pub struct Planned {
    pub plan: Plan,
    pub problem: Problem,
    pub solution: solve::Solution,
}

/// [`plan_request_with`], returning the solver's view too, and optionally
/// warm-started (see [`plan_prepared`]). The time limit counts from the
/// call, validation included.
pub fn plan_with_solution(
    req: &Request,
    opts: &PlanOptions,
    ctl: &SolveControl,
    warm: Option<&solve::Solution>,
) -> Result<Planned, RotaError> {
    let started = std::time::Instant::now();
    let request = validate::valid(req.clone()).map_err(RotaError::Invalid)?;
    let prepared = Prepared {
        request,
        started,
        roads: None,
    };
    plan_prepared(&prepared, opts, ctl, warm)
}

/// Plan a prepared request: build the problem, solve it, and the checked
/// plan. `warm` is a solution of an earlier request that this one only
/// extends (carers and clients appended at the end, nothing else changed),
/// so its rounds and visits keep their indices here: the search starts
/// from the better of it and the greedy.
pub fn plan_prepared(
    prepared: &Prepared,
    opts: &PlanOptions,
    ctl: &SolveControl,
    warm: Option<&solve::Solution>,
) -> Result<Planned, RotaError> {
    plan_valid(&prepared.request, prepared.budget(), opts, ctl, warm)
}

/// [`plan_prepared`] for a validated request and its time budget.
pub fn plan_valid(
    req: &ValidRequest,
    budget: TimeBudget,
    opts: &PlanOptions,
    ctl: &SolveControl,
    warm: Option<&solve::Solution>,
) -> Result<Planned, RotaError> {
    plan_valid_from(req, budget, opts, ctl, warm.as_slice())
}

/// [`plan_valid`] from several warm starts: the search starts from the
/// better of the first and the greedy and from each further one, sharing
/// its budget among them ([`solve_problem`]); the best plan wins.
pub fn plan_valid_from(
    req: &ValidRequest,
    budget: TimeBudget,
    opts: &PlanOptions,
    ctl: &SolveControl,
    warm: &[&solve::Solution],
) -> Result<Planned, RotaError> {
    // The time limit covers the whole solve: building the problem and its
    // travel matrices count, and stop it (E2002) when the limit ends or
    // `ctl` is cancelled before there is any plan.
    let deadline = budget.deadline();
    let stop = || ctl.is_cancelled() || std::time::Instant::now() >= deadline;
    let Some(p) = Problem::from_request_until(req, &stop)? else {
        return Err(RotaError::invalid(crate::limits::stopped_before_a_plan(
            budget.limit_seconds(),
            ctl.is_cancelled(),
            "building the problem and its travel matrices",
        )));
    };
    let solved = solve_problem(&req.settings, &p, opts, ctl, budget, None, warm)?;
    let plan = checked_plan(req, &p, &solved, &budget)?;
    Ok(Planned {
        plan,
        problem: p,
        solution: solved.solution,
    })
}

/// The plan of a solved problem: every unserved client's reasons from the
/// problem and this plan (within `budget`), the summary (with
/// `continuity_kept` when the request has a previous plan), E1812 for locks
/// the solver could not keep and the request's warnings (`warnings`); not
/// yet checked (a re-plan adds its summary first, then checks).
pub fn built_plan(
    req: &ValidRequest,
    p: &Problem,
    solved: &Solved,
    budget: &TimeBudget,
) -> Result<Plan, RotaError> {
    let solution = &solved.solution;
    let reasons = solve::reasons::unserved_reasons(p, solution, solved.cancelled, budget);
    let started = budget.started();
    let mut plan = plan::build_plan_with_buffer(
        p,
        solution,
        plan::PlanMeta {
            date: req.date,
            status: solved.status,
            upper_bound_priority: Some(solved.bound),
            solve_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            reasons,
        },
        req.settings.early_arrival_minutes.min(24 * 60) as i32,
    )?;
    plan.summary.continuity_kept = plan::continuity::kept(req, &plan);
    // What was planned around rather than refused (docs/validation.md).
    plan.warnings = req.warnings().iter().map(Into::into).collect();
    // A lock the solver could not keep is the request's fault (E1812), not
    // a plan.
    let unplaced = plan::locks::unplaced(req, p, &plan);
    if !unplaced.is_empty() {
        return Err(RotaError::Invalid(Issues(unplaced)));
    }
    Ok(plan)
}

/// [`built_plan`], then the independent checker: a plan it rejects is an
/// internal error, never an answer.
pub fn checked_plan(
    req: &ValidRequest,
    p: &Problem,
    solved: &Solved,
    budget: &TimeBudget,
) -> Result<Plan, RotaError> {
    let plan = built_plan(req, p, solved, budget)?;
    let report = check::check(req, &plan);
    if !report.is_valid() {
        return Err(RotaError::Internal(format!(
            "the solver produced a plan the checker rejects:\n{report}"
        )));
    }
    Ok(plan)
}
