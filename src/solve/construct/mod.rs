//! Construction: whole-client insertion into rounds, greedy by priority
//! ([`greedy`]) and by regret ([`regret`]), and [`fill_in`], which adds
//! every client that still fits into a finished solution.

pub mod greedy;
pub mod regret;

use crate::problem::Problem;
use crate::solve::Solution;

/// Add to `sol` every unserved client that fits as the plan stands (highest
/// priority first), so that `CAPACITY` is true of the plan returned.
pub fn fill_in(p: &Problem, sol: &mut Solution) {
    fill_in_until(p, sol, &|| false);
}

/// [`fill_in`], stopping when `stop` says so (asked before each trial);
/// `false` when it stopped before nothing more fitted.
pub fn fill_in_until(p: &Problem, sol: &mut Solution, stop: &dyn Fn() -> bool) -> bool {
    if stop() {
        return false;
    }
    let candidates: Vec<usize> = greedy::client_order(p)
        .into_iter()
        .filter(|&k| !sol.is_served(p, k) && crate::solve::reasons::static_reason(p, k).is_none())
        .collect();
    // Until nothing more fits (each pass adds a client or stops).
    loop {
        let mut added = false;
        for &k in &candidates {
            if stop() {
                return false;
            }
            if !sol.is_served(p, k) {
                let mut trial = sol.clone();
                if greedy::insert_client(p, &mut trial, k).is_ok() {
                    *sol = trial;
                    added = true;
                }
            }
        }
        if !added {
            return true;
        }
    }
}
