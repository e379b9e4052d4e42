//! Independent searches in parallel, and the default solver for problems
//! that do not come from a request (Solomon).

use std::time::Instant;

use super::{Counts, SearchOptions, Tuning};
use crate::control::SolveControl;
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::construct::greedy;
/// Run `threads` independent searches from `start` (seeds `base.seed`,
/// `base.seed + 1`, ...) until the deadline or stall; the best plan wins, the
/// lowest seed on ties, so the result does not depend on thread timing
/// unless the time limit cuts a search short (under an iteration budget,
/// never: see [`SearchOptions::iterations`]).
pub fn search_in_parallel(
    p: &Problem,
    start: &Solution,
    base: &SearchOptions,
    threads: usize,
    ctl: &SolveControl,
) -> Solution {
    search_in_parallel_counted(p, start, base, threads, ctl).0
}

/// [`search_in_parallel`], with what the winning search did.
pub fn search_in_parallel_counted(
    p: &Problem,
    start: &Solution,
    base: &SearchOptions,
    threads: usize,
    ctl: &SolveControl,
) -> (Solution, Counts) {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let results: Vec<(Solution, Counts)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|i| {
                let search = SearchOptions {
                    seed: base.seed.wrapping_add(i),
                    ..base.clone()
                };
                s.spawn(move || super::search_counted(p, start, &search, ctl))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (start.clone(), Counts::default()))
            })
            .collect()
    });
    // The first search's counts stand when none beats the start.
    let mut best = (
        start.clone(),
        results.first().map_or_else(Counts::default, |r| r.1),
    );
    for (sol, counts) in results {
        if sol.objective(p) > best.0.objective(p) {
            best = (sol, counts);
        }
    }
    best
}

/// The default solver on a [`Problem`] that did not come from a
/// request ([`crate::readers::solomon`], [`crate::readers::mankowska`]):
/// the greedy for a tenth of `time_limit`, then
/// `threads` searches until `started + time_limit`, or each for exactly
/// `iterations` iterations (the greedy then runs all of its restarts).
#[allow(clippy::too_many_arguments)]
pub fn greedy_then_search(
    p: &Problem,
    seed: u64,
    time_limit: f64,
    iterations: Option<usize>,
    threads: usize,
    tuning: Tuning,
    started: Instant,
    ctl: &SolveControl,
) -> (Solution, Counts) {
    let budget = crate::solve::budget::TimeBudget::new(time_limit, iterations.is_none(), started);
    let greedy_until = budget.warm_start_end();
    let greedy = greedy::construct_best(p, seed, greedy::RESTARTS, greedy_until, ctl);
    let base = SearchOptions {
        seed,
        deadline: budget.deadline(),
        iterations,
        max_stall: SearchOptions::stall_for(p),
        stop_when_stalled: false,
        bound: None,
        recombine_every: tuning.recombine_every,
        local_search: tuning.local_search,
        regret: tuning.regret,
    };
    search_in_parallel_counted(p, &greedy.solution, &base, threads, ctl)
}
