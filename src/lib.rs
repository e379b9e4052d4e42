//! `rota`: next-day care rounds for reablement home-care services.
//!
//! Data flows one way: request JSON -> [`model`] (serde types, via [`parse`])
//! -> [`validate`] -> [`problem`] (dense, index-based, integer minutes; travel
//! matrices from [`travel`]) -> [`solve`] -> [`plan`] (the contract's plan)
//! -> [`check`] (independent of the solver) -> report. See
//! `docs/architecture.md`.

pub mod bench;
pub mod capacity;
pub mod check;
pub mod continuity;
pub mod control;
pub mod error;
pub mod export;
pub mod generate;
pub mod locks;
pub mod model;
pub mod parse;
pub mod plan;
pub mod problem;
pub mod replan;
pub mod report;
pub mod roads;
pub mod serve;
pub mod solomon;
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

/// Plan a validated request with the default solver, then run the
/// independent checker on the result: a plan that breaks a rule is never
/// returned (that would be an internal error, not a plan).
pub fn plan_request(req: &Request) -> Result<Plan, RotaError> {
    plan_with(req, &PlanOptions::default(), &control::SolveControl::new())
}

/// [`plan_request`] under outside control: `ctl` can cancel the search (the
/// best plan so far is returned, still checked) and shows its progress.
pub fn plan_request_with(req: &Request, ctl: &control::SolveControl) -> Result<Plan, RotaError> {
    plan_with(req, &PlanOptions::default(), ctl)
}

/// Plan `req` as `opts` says, under `ctl`, within
/// `settings.time_limit_seconds`. Every plan carries a proven
/// `upper_bound_priority` and passes the independent checker.
pub fn plan_with(
    req: &Request,
    opts: &PlanOptions,
    ctl: &control::SolveControl,
) -> Result<Plan, RotaError> {
    plan_from(req, opts, ctl, None).map(|s| s.plan)
}

/// A checked plan with the solver's view of it, for callers that ask
/// what-if questions of it ([`capacity`]).
#[derive(Debug, Clone)]
pub struct Solved {
    pub plan: Plan,
    pub problem: problem::Problem,
    pub solution: solve::Solution,
}

/// [`plan_with`], optionally warm-started: `warm` is a solution of an
/// earlier request that this one only extends (carers and clients appended
/// at the end, nothing else changed), so its rounds and visits keep their
/// indices here. The search starts from the better of it and the greedy.
pub fn plan_from(
    req: &Request,
    opts: &PlanOptions,
    ctl: &control::SolveControl,
    warm: Option<&solve::Solution>,
) -> Result<Solved, RotaError> {
    validate::validate(req).map_err(RotaError::Invalid)?;
    let started = Instant::now();
    let p = problem::Problem::from_request(req)?;
    let outcome = solve_for_plan(req, &p, opts, ctl, started, None, warm)?;
    let plan = finish_plan(req, &p, &outcome, started)?;
    Ok(Solved {
        plan,
        problem: p,
        solution: outcome.solution,
    })
}

/// What [`solve_for_plan`] found, before it becomes a plan.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The final solution: no unserved client fits into it as it stands.
    pub solution: solve::Solution,
    /// A proven bound on the true priority of any plan of `p`.
    pub bound: i64,
    pub status: Status,
}

/// Solve `p` (built from `req`) as `opts` says: the bound and the greedy
/// (or, given `start`, that start) then the search or the exact MIP. The
/// bound is computed on the problem without the boost of must-serve clients
/// (`Problem::unboosted`), so it bounds true priority. `extend` is a
/// solution of an earlier request that this one only extends (see
/// [`plan_from`]); the search starts from the better of it and the greedy.
/// At the end every unserved client that fits into the solution as it
/// stands goes in, so that the rest can be given their reasons.
pub fn solve_for_plan(
    req: &Request,
    p: &problem::Problem,
    opts: &PlanOptions,
    ctl: &control::SolveControl,
    started: Instant,
    start: Option<solve::greedy::Greedy>,
    extend: Option<&solve::Solution>,
) -> Result<Outcome, RotaError> {
    let time_limit = req.settings.time_limit_seconds.clamp(0.0, 1e6);
    // The bound (a fifth of the limit, at most 5 s) is computed on its own
    // thread while the greedy runs.
    let bound_limit = (time_limit / 5.0).min(solve::bound::BOUND_TIME_LIMIT);
    // The greedy gets the whole limit alone, or a tenth of it as the exact
    // solver's warm start.
    let greedy_limit = if opts.exact {
        time_limit / 10.0
    } else {
        time_limit
    };
    let deadline = started + std::time::Duration::from_secs_f64(greedy_limit);
    let unboosted;
    let for_bound = if p.extras.boost > 0 {
        unboosted = p.unboosted();
        &unboosted
    } else {
        p
    };
    let (mut bound, greedy) = std::thread::scope(|s| {
        let bound = s.spawn(|| solve::bound::upper_bound(for_bound, bound_limit));
        let greedy = match start {
            Some(g) => g,
            None => {
                solve::greedy::construct_best(p, req.settings.seed, GREEDY_RESTARTS, deadline, ctl)
            }
        };
        let bound = bound
            .join()
            .unwrap_or_else(|_| solve::reasons::trivial_bound(for_bound));
        (bound, greedy)
    });
    ctl.set_bound(bound.max(0) as u64);
    // The bound in the solver's (boosted) terms, for the search to stop at.
    let must = (0..p.clients.len()).filter(|&k| p.must_serve(k)).count() as i64;
    let boosted_bound = bound + p.extras.boost * must;
    let mut solution = greedy.solution;
    if let Some(w) = extend {
        let mut w = w.clone();
        if w.routes.len() <= p.rounds.len() && w.start.len() <= p.visits.len() {
            w.routes.resize(p.rounds.len(), Vec::new());
            w.start.resize(p.visits.len(), None);
            w.rounds_of.resize(p.visits.len(), Vec::new());
            solve::reasons::fill_in(p, &mut w);
            if w.objective(p) > solution.objective(p) {
                solution = w;
            }
        }
    }
    let mut status = Status::Feasible;
    if !opts.exact && !ctl.is_cancelled() {
        let deadline = started + std::time::Duration::from_secs_f64(time_limit);
        let base = solve::search::SearchOptions {
            seed: req.settings.seed,
            deadline,
            max_stall: solve::search::SearchOptions::stall_for(p),
            bound: Some(boosted_bound),
            recombine_every: opts.tuning.recombine_every,
            local_search: opts.tuning.local_search,
            regret: opts.tuning.regret,
        };
        solution = search_in_parallel(p, &solution, &base, opts.threads, ctl);
    }
    if opts.exact && !ctl.is_cancelled() {
        let left = time_limit - started.elapsed().as_secs_f64();
        let exact = solve::exact::solve(p, &solution, left)?;
        if p.extras.boost == 0 {
            bound = bound.min(exact.bound);
        }
        if exact.optimal {
            status = Status::Optimal;
        }
        solution = exact.solution;
        solution.report_progress(p, ctl, "exact");
    }
    // Clients that fit into the final plan as it stands go in.
    solve::reasons::fill_in(p, &mut solution);
    Ok(Outcome {
        solution,
        bound,
        status,
    })
}

/// The plan of a solved problem: every unserved client's reasons from the
/// problem and this plan, the summary (with `continuity_kept` when the
/// request has a previous plan), E1812 for locks the solver could not keep,
/// and the **independent checker**: a plan it rejects is an internal error.
pub fn finish_plan(
    req: &Request,
    p: &problem::Problem,
    outcome: &Outcome,
    started: Instant,
) -> Result<Plan, RotaError> {
    let solution = &outcome.solution;
    // The extra rounds behind each CAPACITY reason are tried until half a
    // second past the time limit (seconds per client on 1,000-client days).
    let limit = req.settings.time_limit_seconds.clamp(0.0, 1e6);
    let until = started + std::time::Duration::from_secs_f64(limit + 0.5);
    let reasons = (0..p.clients.len())
        .map(|k| {
            solve::reasons::reasons_in_plan_until(p, solution, k, Some(until)).unwrap_or_default()
        })
        .collect();
    let mut plan = plan::build_plan(
        p,
        solution,
        plan::PlanMeta {
            date: req.date,
            status: outcome.status,
            upper_bound_priority: Some(outcome.bound),
            solve_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            reasons,
        },
    )?;
    plan.summary.continuity_kept = continuity::kept(req, &plan);
    // A lock the solver could not keep is the request's fault (E1812), not
    // a plan.
    let unplaced = locks::unplaced(req, &plan);
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

/// Run `threads` independent searches from `start` (seeds `base.seed`,
/// `base.seed + 1`, ...) until the deadline or stall; the best plan wins, the
/// lowest seed on ties, so the result does not depend on thread timing
/// unless the time limit cuts a search short.
fn search_in_parallel(
    p: &problem::Problem,
    start: &solve::Solution,
    base: &solve::search::SearchOptions,
    threads: usize,
    ctl: &control::SolveControl,
) -> solve::Solution {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let results: Vec<solve::Solution> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|i| {
                let search = solve::search::SearchOptions {
                    seed: base.seed.wrapping_add(i),
                    ..base.clone()
                };
                s.spawn(move || solve::search::search(p, start, &search, ctl))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| start.clone()))
            .collect()
    });
    let mut best = start.clone();
    for sol in results {
        if sol.objective(p) > best.objective(p) {
            best = sol;
        }
    }
    best
}

/// The default solver on a [`problem::Problem`] that did not come from a
/// request (e.g. [`solomon`]): the greedy for a tenth of `time_limit`, then
/// `threads` searches until `started + time_limit` (no stall limit: a
/// benchmark uses all of its time).
pub fn solve_problem(
    p: &problem::Problem,
    seed: u64,
    time_limit: f64,
    threads: usize,
    tuning: solve::search::Tuning,
    started: Instant,
    ctl: &control::SolveControl,
) -> solve::Solution {
    let limit = std::time::Duration::from_secs_f64(time_limit.clamp(0.0, 1e6));
    let greedy = solve::greedy::construct_best(p, seed, GREEDY_RESTARTS, started + limit / 10, ctl);
    let base = solve::search::SearchOptions {
        seed,
        deadline: started + limit,
        max_stall: usize::MAX,
        bound: None,
        recombine_every: tuning.recombine_every,
        local_search: tuning.local_search,
        regret: tuning.regret,
    };
    search_in_parallel(p, &greedy.solution, &base, threads, ctl)
}
