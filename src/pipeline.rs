//! The library's one pipeline, from request text to a checked plan:
//! [`load_request`] (parse + validate) -> [`plan_request`] /
//! [`plan_request_with`] (problem, solve, plan, checker). The steps inside
//! are public for the callers that need them: [`plan_with_solution`] (the plan
//! with the solver's view, for what-if questions), [`solve_problem`] (a
//! [`Problem`] to a [`Solved`] solution with its bound) and [`checked_plan`]
//! (a [`Solved`] to the checked [`Plan`]).

use std::time::Instant;

use crate::control::SolveControl;
use crate::error::{Issues, RotaError};
use crate::model::{Plan, Request, Status};
use crate::problem::Problem;
use crate::{check, parse, plan, solve, validate};

/// Parse and validate a request: every problem is reported at once.
pub fn load_request(text: &str) -> Result<Request, RotaError> {
    let req = parse::request_from_str(text)?;
    validate::validate(&req).map_err(RotaError::Invalid)?;
    Ok(req)
}

/// How a request is solved, beyond its own `settings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOptions {
    /// Solve with the exact MIP ([`solve::exact`]): status `optimal` when
    /// proven within the time limit, else the best plan found and its gap.
    pub exact: bool,
    /// Independent searches run in parallel (seeds `seed`, `seed + 1`, ...);
    /// 0 means one per core.
    pub threads: usize,
    /// The search's switchable parts (default: all on, as `rota plan`).
    pub tuning: solve::search::Tuning,
}

/// Plan a validated request with the default solver and options, then run
/// the independent checker on the result: a plan that breaks a rule is never
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
/// warm-started: `warm` is a solution of an earlier request that this one
/// only extends (carers and clients appended at the end, nothing else
/// changed), so its rounds and visits keep their indices here. The search
/// starts from the better of it and the greedy.
pub fn plan_with_solution(
    req: &Request,
    opts: &PlanOptions,
    ctl: &SolveControl,
    warm: Option<&solve::Solution>,
) -> Result<Planned, RotaError> {
    // The time limit covers the whole solve: validating and building the
    // problem and its travel matrices count, and stop it (E2002) when the
    // limit ends or `ctl` is cancelled before there is any plan.
    let started = Instant::now();
    validate::validate(req).map_err(RotaError::Invalid)?;
    let limit = req.settings.time_limit_seconds.clamp(0.0, 1e6);
    let deadline = started + std::time::Duration::from_secs_f64(limit);
    let stop = || ctl.is_cancelled() || Instant::now() >= deadline;
    let Some(p) = Problem::from_request_until(req, &stop)? else {
        return Err(RotaError::invalid(crate::limits::stopped_before_a_plan(
            limit,
            ctl.is_cancelled(),
            "building the problem and its travel matrices",
        )));
    };
    let solved = solve_problem(req, &p, opts, ctl, started, None, warm)?;
    let plan = checked_plan(req, &p, &solved, started)?;
    Ok(Planned {
        plan,
        problem: p,
        solution: solved.solution,
    })
}

/// What [`solve_problem`] found, before it becomes a plan.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The final solution: no unserved client fits into it as it stands.
    pub solution: solve::Solution,
    /// A proven bound on the true priority of any plan of `p`.
    pub bound: i64,
    pub status: Status,
    /// The solve was cancelled (the unexplained unserved clients' reasons
    /// say so rather than blaming the time limit).
    pub cancelled: bool,
}

/// Solve `p` (built from `req`) as `opts` says: the bound and the greedy
/// (or, given `start`, that start) then the search or the exact MIP. The
/// bound is computed on the problem without the boost of must-serve clients
/// (`Problem::unboosted`), so it bounds true priority. `extend` is a
/// solution of an earlier request that this one only extends (see
/// [`plan_with_solution`]); the search starts from the better of it and the greedy.
/// At the end every unserved client that fits into the solution as it
/// stands goes in, so that the rest can be given their reasons.
pub fn solve_problem(
    req: &Request,
    p: &Problem,
    opts: &PlanOptions,
    ctl: &SolveControl,
    started: Instant,
    start: Option<solve::construct::greedy::Greedy>,
    extend: Option<&solve::Solution>,
) -> Result<Solved, RotaError> {
    let budget = crate::limits::TimeBudget::of(req, started);
    let time_limit = budget.limit_seconds();
    // Under an iteration budget nothing that shapes the plan looks at the
    // clock: the greedy runs all of its restarts, and the search neither
    // stops at nor steers by the bound (whose HiGHS run is time-limited).
    let iterations = iteration_budget(req);
    // The bound (a fifth of the limit, at most 5 s) is computed on its own
    // thread while the greedy runs.
    let bound_limit = (time_limit / 5.0).min(solve::bound::BOUND_TIME_LIMIT);
    // The greedy's restarts may run until the search's end (on a large day
    // they are all the search there is time for), or a tenth of the limit
    // as the exact solver's warm start; its first pass may run to the
    // limit (docs/limits.md).
    let restarts_until = |first_pass, unserved| {
        if iterations.is_some() {
            started + std::time::Duration::from_secs(1_000_000)
        } else if opts.exact {
            budget.at(0.1)
        } else {
            budget.search_end(first_pass, p.clients.len(), unserved)
        }
    };
    let unboosted;
    let for_bound = if p.extras.boost > 0 {
        unboosted = p.unboosted();
        &unboosted
    } else {
        p
    };
    // The route bound (column generation) runs beside the greedy and the
    // search until 80% of the limit, seeded with the greedy's rounds; every
    // better bound it proves shows in the progress at once.
    let route_seeds = std::sync::OnceLock::new();
    let route_stop = std::sync::atomic::AtomicBool::new(false);
    let (mut bound, mut solution) = std::thread::scope(|scope| {
        let route = (!opts.exact).then(|| {
            let until = started + std::time::Duration::from_secs_f64(time_limit * 0.8);
            let (seeds, stop) = (&route_seeds, &route_stop);
            scope.spawn(move || solve::bound::route_bound(for_bound, until, seeds, stop, ctl))
        });
        let (mut bound, built) = bound_beside_greedy(
            req,
            p,
            for_bound,
            ctl,
            start,
            bound_limit,
            (&restarts_until, budget.hard_end()),
            &route_seeds,
        );
        ctl.tighten_bound(bound.max(0) as u64);
        let unserved = (0..p.clients.len())
            .filter(|&k| !built.greedy.solution.is_served(p, k))
            .count();
        let search_end = budget.search_end(built.first_pass, p.clients.len(), unserved);
        let mut solution = better_of_warm(p, built.greedy.solution, extend);
        // A search with less time than three greedy passes (each trying every
        // client once) cannot repay its set-up, which is quadratic in the
        // visits, and its first iterations: on a large day the
        // greedy's restarts were the search.
        let search_has_time =
            iterations.is_some() || Instant::now() + built.first_pass * 3 < search_end;
        if !opts.exact && !ctl.is_cancelled() && search_has_time {
            solution = search_from(req, p, opts, ctl, &solution, search_end, bound);
        }
        // A quick answer (stop when stalled) or an iteration budget does not
        // wait for the route bound: it stops with the best bound it has proven.
        let quick = req.settings.stop_when_stalled.unwrap_or(false) || iterations.is_some();
        route_stop.store(
            ctl.is_cancelled() || quick,
            std::sync::atomic::Ordering::Relaxed,
        );
        if let Some(Ok(Some(b))) = route.map(|h| h.join()) {
            bound = bound.min(b);
            ctl.tighten_bound(bound.max(0) as u64);
        }
        (bound, solution)
    });
    let mut status = Status::Feasible;
    if opts.exact && !ctl.is_cancelled() {
        let left = time_limit - started.elapsed().as_secs_f64();
        (solution, bound, status) = solve_exactly(p, ctl, &solution, bound, left)?;
    }
    // Clients that fit into the final plan as it stands go in (until the
    // limit: the reasons then say who was not tried).
    solve::construct::fill_in_until(p, &mut solution, &|| ctl.is_cancelled() || budget.is_over());
    Ok(Solved {
        solution,
        bound,
        status,
        cancelled: ctl.is_cancelled(),
    })
}

/// The settings' iteration budget, if any (then nothing that shapes the
/// plan looks at the clock).
fn iteration_budget(req: &Request) -> Option<usize> {
    req.settings
        .iterations
        .map(|n| n.min(usize::MAX as u64) as usize)
}

/// The search from `solution` until `deadline` (or the iteration budget),
/// stopping early if it reaches `bound` (true priority).
fn search_from(
    req: &Request,
    p: &Problem,
    opts: &PlanOptions,
    ctl: &SolveControl,
    solution: &solve::Solution,
    deadline: Instant,
    bound: i64,
) -> solve::Solution {
    let iterations = iteration_budget(req);
    // The bound in the solver's (boosted) terms, for the search to stop at.
    let must = (0..p.clients.len()).filter(|&k| p.must_serve(k)).count() as i64;
    let boosted_bound = bound + p.extras.boost * must;
    let base = solve::search::SearchOptions {
        seed: req.settings.seed,
        deadline,
        iterations,
        max_stall: solve::search::SearchOptions::stall_for(p),
        stop_when_stalled: req.settings.stop_when_stalled.unwrap_or(false),
        bound: iterations.is_none().then_some(boosted_bound),
        recombine_every: opts.tuning.recombine_every,
        local_search: opts.tuning.local_search,
        regret: opts.tuning.regret,
    };
    solve::search::parallel::search_in_parallel(p, solution, &base, opts.threads, ctl)
}

/// The exact MIP from `solution` within `left` seconds: its solution, the
/// bound tightened by its own (when no must-serve boost skews it), and
/// whether it proved optimality.
fn solve_exactly(
    p: &Problem,
    ctl: &SolveControl,
    solution: &solve::Solution,
    bound: i64,
    left: f64,
) -> Result<(solve::Solution, i64, Status), RotaError> {
    let exact = solve::exact::solve(p, solution, left)?;
    let bound = if p.extras.boost == 0 {
        bound.min(exact.bound)
    } else {
        bound
    };
    let status = if exact.optimal {
        Status::Optimal
    } else {
        Status::Feasible
    };
    let solution = exact.solution;
    solution.report_progress(p, ctl, "exact");
    Ok((solution, bound, status))
}

/// The quick bound on its own thread while the greedy (or `start`) runs; the greedy's rounds seed the route bound.
#[allow(clippy::too_many_arguments)]
fn bound_beside_greedy(
    req: &Request,
    p: &Problem,
    for_bound: &Problem,
    ctl: &SolveControl,
    start: Option<solve::construct::greedy::Greedy>,
    bound_limit: f64,
    (restarts_until, hard): (&dyn Fn(std::time::Duration, usize) -> Instant, Instant),
    route_seeds: &std::sync::OnceLock<Vec<Vec<usize>>>,
) -> (i64, solve::construct::greedy::Built) {
    std::thread::scope(|s| {
        let bound = s.spawn(|| solve::bound::quick_bound(for_bound, bound_limit));
        let built = match start {
            Some(greedy) => solve::construct::greedy::Built {
                greedy,
                first_pass: std::time::Duration::ZERO,
                complete: true,
            },
            None => solve::construct::greedy::construct_best_within(
                p,
                req.settings.seed,
                solve::construct::greedy::RESTARTS,
                restarts_until,
                hard,
                ctl,
            ),
        };
        let _ = route_seeds.set(built.greedy.solution.routes.clone());
        let bound = bound
            .join()
            .unwrap_or_else(|_| solve::reasons::trivial_bound(for_bound));
        (bound, built)
    })
}

/// The better of `solution` and the warm start `extend` (resized to `p` and filled in), if it fits `p`.
fn better_of_warm(
    p: &Problem,
    mut solution: solve::Solution,
    extend: Option<&solve::Solution>,
) -> solve::Solution {
    if let Some(w) = extend {
        let mut w = w.clone();
        if w.routes.len() <= p.rounds.len() && w.start.len() <= p.visits.len() {
            w.routes.resize(p.rounds.len(), Vec::new());
            w.start.resize(p.visits.len(), None);
            w.rounds_of.resize(p.visits.len(), Vec::new());
            solve::construct::fill_in(p, &mut w);
            if w.objective(p) > solution.objective(p) {
                solution = w;
            }
        }
    }
    solution
}

/// Every unserved client's reasons (served ones get none), in two passes
/// so that each gets one within the time limit (docs/reasons.md):
/// 1. its static reason, or CAPACITY naming the calls in its way, for every
///    client (one insertion trial each); after the limit, or when the solve
///    was cancelled, a static reason where one holds (a proof needing no
///    search), else TIME_LIMIT or CANCELLED;
/// 2. while time is left, the extra rounds that would let each CAPACITY
///    client in (a what-if solve each: seconds on a large day), started only
///    when twice the longest one so far (at first, an estimate) still fits
///    before the limit.
fn unserved_reasons(
    req: &Request,
    p: &Problem,
    solved: &Solved,
    started: Instant,
) -> Vec<Vec<crate::model::Reason>> {
    use solve::reasons::{CAPACITY, Stopped, reasons_in_plan_until, stopped_reason};
    let budget = crate::limits::TimeBudget::of(req, started);
    let why = if solved.cancelled {
        Stopped::Cancelled
    } else {
        Stopped::TimeLimit(budget.limit_seconds())
    };
    let sol = &solved.solution;
    let no_extra = Some(started);
    let mut reasons: Vec<Vec<crate::model::Reason>> = (0..p.clients.len())
        .map(|k| {
            if sol.is_served(p, k) {
                Vec::new()
            } else if solved.cancelled || budget.is_over() {
                vec![stopped_reason(p, k, why, false)]
            } else {
                reasons_in_plan_until(p, sol, k, no_extra)
                    .unwrap_or_else(|| vec![stopped_reason(p, k, why, true)])
            }
        })
        .collect();
    let end = budget.hard_end();
    // Before the first: what ten copies of the problem cost (one search
    // makes up to nine, and on a large day they are most of its time).
    let mut longest = std::time::Duration::ZERO;
    if reasons
        .iter()
        .any(|r| r.first().is_some_and(|r| r.code == CAPACITY))
        && !budget.is_over()
    {
        let began = Instant::now();
        drop(std::hint::black_box(p.clone()));
        longest = began.elapsed() * 10;
    }
    for (k, reason) in reasons.iter_mut().enumerate() {
        if solved.cancelled || reason.first().is_none_or(|r| r.code != CAPACITY) {
            continue;
        }
        let began = Instant::now();
        if began + longest * 2 >= end {
            break;
        }
        if let Some(r) = reasons_in_plan_until(p, sol, k, Some(end)) {
            *reason = r;
        }
        longest = longest.max(began.elapsed());
    }
    reasons
}

/// The plan of a solved problem: every unserved client's reasons from the
/// problem and this plan, the summary (with `continuity_kept` when the
/// request has a previous plan), E1812 for locks the solver could not keep,
/// the request's warnings (`warnings`), and the **independent checker**: a plan it rejects is an internal error.
pub fn checked_plan(
    req: &Request,
    p: &Problem,
    solved: &Solved,
    started: Instant,
) -> Result<Plan, RotaError> {
    let solution = &solved.solution;
    let reasons = unserved_reasons(req, p, solved, started);
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
    plan.warnings = validate::warnings(req).iter().map(Into::into).collect();
    // A lock the solver could not keep is the request's fault (E1812), not
    // a plan.
    let unplaced = plan::locks::unplaced(req, p, &plan);
    if !unplaced.is_empty() {
        return Err(RotaError::Invalid(Issues(unplaced)));
    }
    let report = check::check(req, &plan);
    if !report.is_valid() {
        return Err(RotaError::Internal(format!(
            "the solver produced a plan the checker rejects:\n{report}"
        )));
    }
    Ok(plan)
}
