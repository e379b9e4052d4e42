//! `rota`: next-day care rounds for reablement home-care services.
//!
//! Data flows one way: request JSON -> [`model`] (serde types, via [`parse`])
//! -> [`validate`] -> [`problem`] (dense, index-based, integer minutes; travel
//! matrices from [`travel`]) -> [`solve`] -> [`plan`] (the contract's plan)
//! -> [`check`] (independent of the solver) -> report. See
//! `docs/architecture.md`.

pub mod check;
pub mod control;
pub mod error;
pub mod export;
pub mod generate;
pub mod model;
pub mod parse;
pub mod plan;
pub mod problem;
pub mod report;
pub mod serve;
pub mod solve;
pub mod summary;
pub mod travel;
pub mod validate;

pub use error::{Issue, Issues, RotaError};

use std::time::Instant;

use model::{Plan, Request, Status};

/// Parse and validate a request: every problem is reported at once.
pub fn load_request(text: &str) -> Result<Request, RotaError> {
    let req = parse::request_from_str(text)?;
    validate::validate(&req).map_err(RotaError::Invalid)?;
    Ok(req)
}

/// How many shuffled client orders the greedy tries after its base order.
pub const GREEDY_RESTARTS: usize = 200;

/// Plan a validated request with the greedy construction (the base order and
/// up to [`GREEDY_RESTARTS`] seeded reshuffles within
/// `settings.time_limit_seconds`), then run the
/// independent checker on the result: a plan that breaks a rule is never
/// returned (that would be an internal error, not a plan).
pub fn plan_request(req: &Request) -> Result<Plan, RotaError> {
    plan_request_with(req, &control::SolveControl::new())
}

/// [`plan_request`] under outside control: `ctl` can cancel the search (the
/// best plan so far is returned, still checked) and shows its progress.
pub fn plan_request_with(req: &Request, ctl: &control::SolveControl) -> Result<Plan, RotaError> {
    validate::validate(req).map_err(RotaError::Invalid)?;
    let started = Instant::now();
    let p = problem::Problem::from_request(req)?;
    let deadline = started
        + std::time::Duration::from_secs_f64(req.settings.time_limit_seconds.clamp(0.0, 1e6));
    let greedy =
        solve::greedy::construct_best(&p, req.settings.seed, GREEDY_RESTARTS, deadline, ctl);
    let reasons = (0..p.clients.len())
        .map(|k| {
            if greedy.solution.is_served(&p, k) {
                Vec::new()
            } else {
                solve::reasons::reasons(&p, k, greedy.failed_visit[k])
            }
        })
        .collect();
    let bound = solve::reasons::trivial_bound(&p);
    let plan = plan::build_plan(
        &p,
        &greedy.solution,
        plan::PlanMeta {
            date: req.date,
            status: Status::Feasible,
            upper_bound_priority: Some(bound),
            solve_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            reasons,
        },
    )?;
    let report = check::check(req, &plan);
    if !report.is_valid() {
        return Err(RotaError::Internal(format!(
            "the solver produced a plan the checker rejects:\n{report}"
        )));
    }
    Ok(plan)
}
