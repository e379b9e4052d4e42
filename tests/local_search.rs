//! The local search's moves (relocate, swap, 2-opt*, or-opt): each
//! operator's gain is exactly the change of the objective, a move never
//! changes who is served, and every plan after moves passes the
//! independent checker. Random days from `common` (with matrices, breaks,
//! double-ups, gaps and two-shift carers).

mod common;

use common::*;
use rota::model::{Request, Status};
use rota::problem::Problem;
use rota::solve::Solution;
use rota::solve::ls::{LocalSearch, Operator, apply};

fn checked(req: &Request, p: &Problem, sol: &Solution) {
    let reasons = (0..p.clients.len())
        .map(|k| {
            // The solver's CAPACITY reasons search for an extra round (slow
            // to do after every move); these tests are about the rounds, so
            // unserved clients get a static reason or a plain one.
            if sol.is_served(p, k) {
                Vec::new()
            } else {
                rota::solve::reasons::static_reason(p, k).map_or_else(
                    || {
                        vec![rota::model::Reason {
                            code: "NOT_REINSERTED_IN_THIS_TEST".into(),
                            message: "the local search test does not re-insert clients".into(),
                        }]
                    },
                    |r| vec![r],
                )
            }
        })
        .collect();
    let plan = rota::plan::build_plan(
        p,
        sol,
        rota::plan::PlanMeta {
            date: req.date,
            status: Status::Feasible,
            upper_bound_priority: None,
            solve_seconds: 0.0,
            reasons,
        },
    )
    .expect("a schedulable solution");
    let report = rota::check::check(req, &plan);
    assert!(
        report.is_valid(),
        "{report}\n{}",
        serde_json::to_string(req).unwrap()
    );
}

fn served(p: &Problem, sol: &Solution) -> Vec<bool> {
    (0..p.clients.len()).map(|k| sol.is_served(p, k)).collect()
}

/// Apply every operator's improving moves one at a time (re-enumerating
/// after each), checking gain, served set and the checker each time.
/// Returns how many moves of each operator were applied.
fn exercise(req: &Request) -> [usize; 5] {
    let p = Problem::from_request(req).unwrap();
    let ls = LocalSearch::new(&p);
    // The greedy over clients in reverse order: a worse start, with more
    // to improve.
    let order: Vec<usize> = rota::solve::construct::greedy::client_order(&p)
        .into_iter()
        .rev()
        .collect();
    let mut sol = rota::solve::construct::greedy::construct_in_order(&p, &order).solution;
    let before = served(&p, &sol);
    let mut applied = [0usize; 5];
    let ops = Operator::ALL;
    let mut t = rota::solve::construct::greedy::timed(&p, &sol);
    for _ in 0..50 {
        let mut any = false;
        for (o, &op) in ops.iter().enumerate() {
            for cand in ls.all_candidates(&p, &sol, op) {
                let old = sol.objective(&p);
                if apply(&mut t, &ls, &mut sol, &cand) {
                    let new = sol.objective(&p);
                    assert_eq!(new.0, old.0, "{op:?} changed priority");
                    assert!(new.1 >= old.1, "{op:?} made calls later");
                    assert_eq!(new.2 - old.2, cand.gain.0, "{op:?} continuity gain");
                    assert_eq!(new.3 - old.3, cand.gain.1, "{op:?} travel gain");
                    assert_eq!(served(&p, &sol), before, "{op:?} changed who is served");
                    checked(req, &p, &sol);
                    applied[o] += 1;
                    any = true;
                    break;
                }
            }
        }
        if !any {
            break;
        }
    }
    applied
}

#[test]
fn every_move_gains_what_it_says_and_keeps_the_plan_valid() {
    let mut runner = runner(300);
    let total = std::cell::RefCell::new([0usize; 5]);
    runner
        .run(&request_sized(2..=5, 6..=16), |req| {
            let a = exercise(&req);
            let mut t = total.borrow_mut();
            for o in 0..5 {
                t[o] += a[o];
            }
            Ok(())
        })
        .unwrap();
    // Generated days of 22-60 clients (realistic rounds with breaks,
    // double-ups and gaps) give every operator work to do.
    for seed in 1..=20 {
        let opts = rota::generate::GenerateOptions::new(20 + 2 * seed as usize, seed, date());
        let a = exercise(&rota::generate::generate(&opts));
        let mut t = total.borrow_mut();
        for o in 0..5 {
            t[o] += a[o];
        }
    }
    let total = total.into_inner();
    // Each operator must have found and applied moves on these days, or
    // this test would say nothing about it.
    for (o, n) in total.iter().enumerate() {
        assert!(*n > 0, "operator {o} never applied a move: {total:?}");
    }
    eprintln!("applied moves (relocate, swap, 2-opt*, or-opt, double-up): {total:?}");
}

#[test]
fn improve_keeps_the_served_clients_and_never_loses() {
    for file in ["data/sample-day.json", "data/medium-day.json"] {
        let text = std::fs::read_to_string(file).unwrap();
        let req = rota::load_request(&text).unwrap();
        let p = Problem::from_request(&req).unwrap();
        let ls = LocalSearch::new(&p);
        let mut sol = rota::solve::construct::greedy::construct(&p).solution;
        let before = sol.objective(&p);
        let who = served(&p, &sol);
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(600);
        let changed = ls.improve(&p, &mut sol, &mut rng, far);
        let after = sol.objective(&p);
        assert!(changed, "{file}: the greedy plan should be improvable");
        assert!(after > before, "{file}: {before:?} -> {after:?}");
        assert_eq!(after.0, before.0);
        assert_eq!(served(&p, &sol), who);
        checked(&req, &p, &sol);
        // A second call from a local optimum changes nothing.
        assert!(!ls.improve(&p, &mut sol, &mut rng, far) || sol.objective(&p) > after);
    }
}

/// The whole search (destroy, both repairs, local search on the way and at
/// the end) on generated days, to its stall limit: every final plan passes
/// the checker.
#[test]
fn searched_days_pass_the_checker() {
    use rota::control::SolveControl;
    use rota::solve::search::{SearchOptions, Tuning, search};
    for (clients, seed) in [(50, 4), (50, 5), (40, 7)] {
        let opts = rota::generate::GenerateOptions::new(clients, seed, date());
        let req = rota::generate::generate(&opts);
        let p = Problem::from_request(&req).unwrap();
        let start = rota::solve::construct::greedy::construct(&p).solution;
        let tuning = Tuning::default();
        let sol = search(
            &p,
            &start,
            &SearchOptions {
                seed,
                deadline: std::time::Instant::now() + std::time::Duration::from_secs(600),
                iterations: None,
                max_stall: SearchOptions::stall_for(&p),
                stop_when_stalled: true,
                bound: None,
                recombine_every: tuning.recombine_every,
                local_search: true,
                regret: true,
            },
            &SolveControl::new(),
        );
        assert!(sol.objective(&p) >= start.objective(&p));
        checked(&req, &p, &sol);
    }
}
