//! [`fill_in`]: every client that still fits goes into a finished
//! solution, by whole-client insertion ([`super::construct`]), skipping the
//! clients a static reason ([`super::reasons`]) proves no plan can serve.
//! Its own module so that construction and the reasons (which insert
//! clients to find out why one is out) do not use each other.

use super::Solution;
use super::construct::greedy;
use super::reasons::static_reason;
use crate::problem::Problem;

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
        .filter(|&k| !sol.is_served(p, k) && static_reason(p, k).is_none())
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
