//! The solver's orchestration of one solve: the bounds beside the greedy,
//! then the search (or the exact MIP) for the rest of the time limit, then
//! every unserved client that still fits. [`crate::pipeline`] chains the
//! stages around it; [`TimeBudget`] says how the time limit is shared.

use std::time::{Duration, Instant};

use super::budget::TimeBudget;
use super::{Solution, bound, construct, exact, fill, reasons, search};
use crate::control::SolveControl;
use crate::error::RotaError;
use crate::model::{Settings, Status};
use crate::problem::Problem;

/// How a request is solved, beyond its own `settings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOptions {
    /// Solve with the exact MIP ([`super::exact`]): status `optimal` when
    /// proven within the time limit, else the best plan found and its gap.
    pub exact: bool,
    /// Independent searches run in parallel (seeds `seed`, `seed + 1`, ...);
    /// 0 means one per core.
    pub threads: usize,
    /// The search's switchable parts (default: all on, as `rota plan`).
    pub tuning: search::Tuning,
}

/// What [`solve_problem`] found, before it becomes a plan.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The final solution: no unserved client fits into it as it stands.
    pub solution: Solution,
    /// A proven bound on the true priority of any plan of `p`.
    pub bound: i64,
    pub status: Status,
    /// The solve was cancelled (the unexplained unserved clients' reasons
    /// say so rather than blaming the time limit).
    pub cancelled: bool,
}

/// Solve `p` (built from a request with `settings`) as `opts` says, within
/// `budget`: the bound and the greedy (or, given `start`, that start) then
/// the search or the exact MIP. The bound is computed on the problem
/// without the boost of must-serve clients (`Problem::unboosted`), so it
/// bounds true priority. `extend` are solutions of an earlier request that
/// this one only extends (carers and clients appended at the end, nothing
/// else changed), so their rounds and visits keep their indices here; the
/// search starts from the better of the first and the greedy, and from
/// each further one as another start (each filled in): the search's
/// budget, its iterations or its time, is shared evenly among the starts
/// (the first start gets what does not divide), one after the other, and
/// the best plan wins, the earlier start on ties (`rota fit --replan`:
/// the published plan, and the published plan with the new client placed
/// first). At the end every unserved client that fits into the solution
/// as it stands goes in, so that the rest can be given their reasons.
pub fn solve_problem(
    settings: &Settings,
    p: &Problem,
    opts: &PlanOptions,
    ctl: &SolveControl,
    budget: TimeBudget,
    start: Option<construct::greedy::Greedy>,
    extend: &[&Solution],
) -> Result<Solved, RotaError> {
    // Under an iteration budget nothing that shapes the plan looks at the
    // clock: the greedy runs all of its restarts, and the search neither
    // stops at nor steers by the bound (whose HiGHS run is time-limited).
    let iterations = iteration_budget(settings);
    // The greedy's restarts may run until the search's end, or a tenth of
    // the limit as the exact solver's warm start; its first pass may run
    // to the limit (docs/limits.md).
    let restarts_until =
        |first_pass, unserved| budget.greedy_end(opts.exact, first_pass, p.clients.len(), unserved);
    let unboosted;
    let for_bound = if p.extras.boost > 0 {
        unboosted = p.unboosted();
        &unboosted
    } else {
        p
    };
    // The route bound (column generation) runs beside the greedy and the
    // search, seeded with the greedy's rounds; every better bound it proves
    // shows in the progress at once.
    let route_seeds = std::sync::OnceLock::new();
    let route_stop = std::sync::atomic::AtomicBool::new(false);
    let (mut bound, mut solution) = std::thread::scope(|scope| {
        let route = (!opts.exact).then(|| {
            let until = budget.route_bound_end();
            let (seeds, stop) = (&route_seeds, &route_stop);
            scope.spawn(move || bound::route_bound(for_bound, until, seeds, stop, ctl))
        });
        let (mut bound, built) = bound_beside_greedy(
            settings,
            p,
            for_bound,
            ctl,
            start,
            budget.quick_bound_seconds(),
            (&restarts_until, budget.hard_end()),
            &route_seeds,
        );
        ctl.tighten_bound(bound.max(0) as u64);
        let unserved = (0..p.clients.len())
            .filter(|&k| !built.greedy.solution.is_served(p, k))
            .count();
        let search_end = budget.search_end(built.first_pass, p.clients.len(), unserved);
        let mut solution = better_of_warm(p, built.greedy.solution, extend.first().copied());
        let more: Vec<Solution> = extend.iter().skip(1).filter_map(|w| warm(p, w)).collect();
        // A search with less time than three greedy passes (each trying every
        // client once) cannot repay its set-up, which is quadratic in the
        // visits, and its first iterations: on a large day the
        // greedy's restarts were the search.
        // Without rounds (no carers) there is nothing to search: the greedy's
        // empty plan is the only one.
        let search_has_time = !p.rounds.is_empty()
            && (iterations.is_some() || Instant::now() + built.first_pass * 3 < search_end);
        if !opts.exact && !ctl.is_cancelled() && search_has_time {
            solution = search_from_each(settings, p, opts, ctl, solution, &more, search_end, bound);
        } else {
            // No search: the best start as it is (the earlier on ties).
            for w in more {
                if w.objective(p) > solution.objective(p) {
                    solution = w;
                }
            }
        }
        // A quick answer (stop when stalled) or an iteration budget does not
        // wait for the route bound: it stops with the best bound it has proven.
        let quick = settings.stop_when_stalled.unwrap_or(false) || iterations.is_some();
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
        (solution, bound, status) = solve_exactly(p, ctl, &solution, bound, budget.left_seconds())?;
    }
    // Clients that fit into the final plan as it stands go in (until the
    // limit: the reasons then say who was not tried).
    // Every call as early as its route allows (the timing core's least
    // schedule, which also has the least lateness: docs/format.md, "Due
    // times"); then clients that fit into the final plan as it stands go in
    // (until the limit: the reasons then say who was not tried).
    solution = construct::greedy::timed(p, &solution).solution();
    fill::fill_in_until(p, &mut solution, &|| ctl.is_cancelled() || budget.is_over());
    Ok(Solved {
        solution,
        bound,
        status,
        cancelled: ctl.is_cancelled(),
    })
}

/// The settings' iteration budget, if any (then nothing that shapes the
/// plan looks at the clock).
fn iteration_budget(settings: &Settings) -> Option<usize> {
    settings
        .iterations
        .map(|n| n.min(usize::MAX as u64) as usize)
}

/// The search from `first` and from each of `more` in turn, the budget
/// (the settings' iterations, or the time until `deadline`) shared evenly
/// among them, the first getting what does not divide; the best plan, the
/// earlier start's on ties. With no `more`, the one search from `first`.
#[allow(clippy::too_many_arguments)]
fn search_from_each(
    settings: &Settings,
    p: &Problem,
    opts: &PlanOptions,
    ctl: &SolveControl,
    first: Solution,
    more: &[Solution],
    deadline: Instant,
    bound: i64,
) -> Solution {
    let n = 1 + more.len();
    let iterations = iteration_budget(settings);
    let began = Instant::now();
    let time = deadline.saturating_duration_since(began);
    let mut best: Option<(Solution, super::Objective)> = None;
    for (i, start) in std::iter::once(&first).chain(more).enumerate() {
        if i > 0 && ctl.is_cancelled() {
            break;
        }
        let share = iterations.map(|n_it| n_it / n + if i == 0 { n_it % n } else { 0 });
        let until = if i + 1 == n {
            deadline
        } else {
            began + time.mul_f64((i + 1) as f64 / n as f64)
        };
        let found = search_from(settings, p, opts, share, ctl, start, until, bound);
        let obj = found.objective(p);
        if best.as_ref().is_none_or(|(_, b)| obj > *b) {
            best = Some((found, obj));
        }
    }
    best.map_or(first, |(s, _)| s)
}

/// The search from `solution` until `deadline` (or `iterations`),
/// stopping early if it reaches `bound` (true priority).
#[allow(clippy::too_many_arguments)]
fn search_from(
    settings: &Settings,
    p: &Problem,
    opts: &PlanOptions,
    iterations: Option<usize>,
    ctl: &SolveControl,
    solution: &Solution,
    deadline: Instant,
    bound: i64,
) -> Solution {
    // The bound in the solver's (boosted) terms, for the search to stop at.
    let must = (0..p.clients.len()).filter(|&k| p.must_serve(k)).count() as i64;
    let boosted_bound = bound + p.extras.boost * must;
    let base = search::SearchOptions {
        seed: settings.seed,
        deadline,
        iterations,
        max_stall: search::SearchOptions::stall_for(p),
        stop_when_stalled: settings.stop_when_stalled.unwrap_or(false),
        bound: iterations.is_none().then_some(boosted_bound),
        recombine_every: opts.tuning.recombine_every,
        local_search: opts.tuning.local_search,
        regret: opts.tuning.regret,
    };
    search::parallel::search_in_parallel(p, solution, &base, opts.threads, ctl)
}

/// The exact MIP from `solution` within `left` seconds: its solution, the
/// bound tightened by its own (when no must-serve boost skews it), and
/// whether it proved optimality.
fn solve_exactly(
    p: &Problem,
    ctl: &SolveControl,
    solution: &Solution,
    bound: i64,
    left: f64,
) -> Result<(Solution, i64, Status), RotaError> {
    let exact = exact::solve(p, solution, left)?;
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
    settings: &Settings,
    p: &Problem,
    for_bound: &Problem,
    ctl: &SolveControl,
    start: Option<construct::greedy::Greedy>,
    bound_limit: f64,
    (restarts_until, hard): (&dyn Fn(Duration, usize) -> Instant, Instant),
    route_seeds: &std::sync::OnceLock<Vec<Vec<usize>>>,
) -> (i64, construct::greedy::Built) {
    std::thread::scope(|s| {
        let bound = s.spawn(|| bound::quick_bound(for_bound, bound_limit));
        let built = match start {
            Some(greedy) => construct::greedy::Built {
                greedy,
                first_pass: Duration::ZERO,
                complete: true,
            },
            None => construct::greedy::construct_best_within(
                p,
                settings.seed,
                construct::greedy::RESTARTS,
                restarts_until,
                hard,
                ctl,
            ),
        };
        let _ = route_seeds.set(built.greedy.solution.routes.clone());
        let bound = bound
            .join()
            .unwrap_or_else(|_| reasons::trivial_bound(for_bound));
        (bound, built)
    })
}

/// The better of `solution` and the warm start `extend` ([`warm`]).
fn better_of_warm(p: &Problem, mut solution: Solution, extend: Option<&Solution>) -> Solution {
    if let Some(w) = extend.and_then(|w| warm(p, w))
        && w.objective(p) > solution.objective(p)
    {
        solution = w;
    }
    solution
}

/// A warm start resized to `p` and filled in, if it fits `p`.
fn warm(p: &Problem, w: &Solution) -> Option<Solution> {
    if w.routes.len() > p.rounds.len() || w.start.len() > p.visits.len() {
        return None;
    }
    let mut w = w.clone();
    w.routes.resize(p.rounds.len(), Vec::new());
    w.start.resize(p.visits.len(), None);
    w.rounds_of.resize(p.visits.len(), Vec::new());
    fill::fill_in(p, &mut w);
    Some(w)
}
