//! The local search alone, on the greedy plans of generated days: the
//! objective (priority, minus lateness, continuity, minus travel) before
//! and after `LocalSearch::improve`, and its time. Deterministic, so two
//! commits' local searches can be compared move for move:
//!
//! ```text
//! cargo run --release --example local_search
//! ```
//!
//! Days: the twelve 50-client days and the first three 300-client days of
//! `rota bench days` (date 2026-11-25), search seed = day seed.

use rand::SeedableRng;
use std::time::{Duration, Instant};

fn main() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    let (mut continuity, mut travel, mut seconds) = (0i64, 0i64, 0f64);
    for (clients, days) in [(50usize, 12u64), (300, 3)] {
        for seed in 1..=days {
            let opts = rota::generate::GenerateOptions::new(clients, seed, date);
            let req = rota::generate::generate(&opts);
            let p = rota::problem::Problem::from_request(&req).expect("a generated day is valid");
            let mut sol = rota::solve::construct::greedy::construct(&p).solution;
            let before = sol.objective(&p);
            let ls = rota::solve::ls::LocalSearch::new(&p);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let started = Instant::now();
            ls.improve(&p, &mut sol, &mut rng, started + Duration::from_secs(60));
            let took = started.elapsed().as_secs_f64();
            let after = sol.objective(&p);
            println!("{clients} clients, day {seed}: {before:?} -> {after:?} in {took:.3} s");
            continuity += after.2;
            travel -= after.3;
            seconds += took;
        }
    }
    println!("in all: continuity {continuity}, travel {travel} min, {seconds:.2} s");
}
