//! The search under an iteration budget: the same seed and thread count
//! give the same plan (so nothing that shapes it reads the clock); a
//! stalled search kicks and carries on instead of stopping; and the final
//! plan is a local optimum of the local search. Every plan passes the
//! independent checker.

use rota::control::SolveControl;
use rota::generate::{GenerateOptions, generate};
use rota::model::Request;
use rota::problem::Problem;
use rota::solve::ls::LocalSearch;
use rota::solve::search::{SearchOptions, search_counted};

fn day(clients: usize, seed: u64, iterations: u64) -> Request {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut req = generate(&GenerateOptions::new(clients, seed, date));
    req.settings.iterations = Some(iterations);
    // A time limit far too short for the budget: under an iteration budget
    // it must not cut anything short.
    req.settings.time_limit_seconds = 0.01;
    req
}

fn planned(req: &Request, threads: usize) -> rota::Planned {
    let opts = rota::PlanOptions {
        threads,
        ..Default::default()
    };
    let planned = rota::plan_with_solution(req, &opts, &SolveControl::new(), None);
    let planned = planned.unwrap();
    let report = rota::check::check(req, &planned.plan);
    assert!(report.is_valid(), "{report}");
    planned
}

#[test]
fn an_iteration_budget_gives_the_same_plan_twice_with_two_threads() {
    for (clients, seed) in [(30, 1), (50, 2)] {
        let req = day(clients, seed, 1_500);
        let a = planned(&req, 2);
        let b = planned(&req, 2);
        assert_eq!(a.solution, b.solution, "{clients} clients, seed {seed}");
        assert_eq!(
            a.plan.rounds, b.plan.rounds,
            "{clients} clients, seed {seed}"
        );
        // Who is unserved; not the reasons' text, whose search for an extra
        // round is time-limited (the limit plus half a second).
        let ids = |p: &rota::model::Plan| {
            p.unserved
                .iter()
                .map(|u| u.client.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a.plan), ids(&b.plan));
    }
}

#[test]
fn the_final_plan_is_a_local_optimum_of_the_local_search() {
    for (clients, seed) in [(20, 3), (40, 4)] {
        let req = day(clients, seed, 800);
        let planned = planned(&req, 1);
        let p = &planned.problem;
        let mut sol = planned.solution.clone();
        let ls = LocalSearch::new(p);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(600);
        for seed in 0..4 {
            use rand::SeedableRng;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            assert!(
                !ls.improve(p, &mut sol, &mut rng, far),
                "{clients} clients, seed {seed}: a move still improves the final plan"
            );
        }
        assert_eq!(sol, planned.solution);
    }
}

#[test]
fn a_stalled_search_kicks_and_carries_on_unless_told_to_stop() {
    let req = day(30, 5, 0);
    let p = Problem::from_request(&req).unwrap();
    let start = rota::solve::construct::greedy::construct(&p).solution;
    let opts = |stop_when_stalled| SearchOptions {
        seed: 9,
        deadline: std::time::Instant::now(),
        iterations: Some(1_200),
        max_stall: 100,
        stop_when_stalled,
        bound: None,
        recombine_every: 0,
        local_search: true,
        regret: true,
    };
    let ctl = SolveControl::new();
    let (quick, q) = search_counted(&p, &start, &opts(true), &ctl);
    let (whole, w) = search_counted(&p, &start, &opts(false), &ctl);
    assert!(q.iterations < 1_200 && q.kicks == 0, "{q:?}");
    assert!(w.iterations == 1_200 && w.kicks > 0, "{w:?}");
    assert!(quick.objective(&p) >= start.objective(&p));
    assert!(whole.objective(&p) >= start.objective(&p));
    assert_eq!(whole, search_counted(&p, &start, &opts(false), &ctl).0);
}

/// `rota bench exact`'s 8-client day, seed 1 (2 + 2 rounds), whose optimum
/// the exact MIP proves: priority 8, continuity 5, travel 628 minutes
/// (`rota plan --exact`, docs/benchmarks.md). With destroys of at most two
/// clients (a fifth of eight) the search stayed at 642 minutes on every
/// seed: the optimum moves three clients between the morning rounds at once.
#[test]
fn the_search_reaches_a_small_days_proven_optimum() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut opts = GenerateOptions::new(8, 1, date);
    opts.am_rounds = Some(2);
    opts.pm_rounds = Some(2);
    let mut req = generate(&opts);
    req.settings.iterations = Some(2_000);
    // With 2,000 iterations the optimum's travel is reached on some seeds
    // only (measured on seeds 1-20: 11 of 20 since the timing core, 13 of
    // 20 before it; with `--time-limit 10` on seeds 1-3 every time,
    // docs/benchmarks.md); priority and continuity on every seed.
    let mut reached = 0;
    for seed in 1..=3 {
        req.settings.seed = seed;
        let planned = planned(&req, 1);
        let s = &planned.plan.summary;
        assert_eq!(
            (s.priority_served, s.continuity_assignments),
            (8, 5),
            "seed {seed}"
        );
        assert!(s.travel_minutes <= 642, "seed {seed}: {}", s.travel_minutes);
        reached += usize::from(s.travel_minutes == 628);
    }
    assert!(reached >= 1, "no seed reached the optimum's 628 minutes");
}
