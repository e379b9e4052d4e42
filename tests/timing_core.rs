//! The timing core (`solve::timing`) on rounds today's engine builds: they
//! have a schedule in the core, its starts are never later than the
//! engine's (the least schedule) and no latest start earlier, and the plan
//! made of the core's starts passes the independent checker. Double-ups
//! included; the random-instance properties are in the module's tests.

use rota::control::SolveControl;
use rota::generate::{GenerateOptions, generate};
use rota::model::{Reason, Request, Status};
use rota::plan::{PlanMeta, build_plan};
use rota::problem::Problem;
use rota::solve::Solution;
use rota::solve::construct::greedy;
use rota::solve::timing::{Rules, Timing, stops_of};

fn sample() -> Request {
    let json = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-day.json"));
    rota::load_request(json).unwrap().into_inner()
}

/// Check the core on `sol` of `p`; how many double-ups it has.
fn core_on(req: &Request, p: &Problem, sol: &Solution) -> usize {
    let stops = stops_of(p, sol).expect("every break has its gap");
    let t = Timing::new(p, Rules::of(p), stops).expect("the engine's rounds have a schedule");
    let latest = t.latest();
    let mut core = sol.clone();
    for (v, late) in latest.iter().enumerate() {
        assert_eq!(t.earliest(v).is_some(), sol.start[v].is_some(), "visit {v}");
        if let (Some(e), Some(s)) = (t.earliest(v), sol.start[v]) {
            assert!(e <= s, "visit {v}: core {e}, engine {s}");
            assert!(late.unwrap() >= s, "visit {v}: latest below the engine's");
        }
        core.start[v] = t.earliest(v);
    }
    let meta = PlanMeta {
        date: req.date,
        status: Status::Feasible,
        upper_bound_priority: None,
        solve_seconds: 0.0,
        // The core re-times; it does not change who is served.
        reasons: vec![
            vec![Reason {
                code: "CAPACITY".into(),
                message: "not served by the engine".into(),
            }];
            p.clients.len()
        ],
    };
    let plan = build_plan(p, &core, meta).expect("the core's starts make a plan");
    let report = rota::check::check(req, &plan);
    assert!(report.is_valid(), "{report}");
    sol.rounds_of.iter().filter(|r| r.len() == 2).count()
}

#[test]
fn the_greedy_rounds_of_the_sample_day() {
    let req = sample();
    let p = Problem::from_request(&req).unwrap();
    let sol = greedy::construct(&p).solution;
    assert!(core_on(&req, &p, &sol) > 0, "a double-up is served");
}

#[test]
fn the_searched_rounds_of_the_sample_day() {
    let mut req = sample();
    req.settings.iterations = Some(300);
    let opts = rota::PlanOptions {
        threads: 1,
        ..Default::default()
    };
    let planned = rota::plan_with_solution(&req, &opts, &SolveControl::new(), None).unwrap();
    assert!(core_on(&req, &planned.problem, &planned.solution) > 0);
}

#[test]
fn the_greedy_rounds_of_generated_days() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    for seed in 1..=4 {
        let req = generate(&GenerateOptions::new(50, seed, date));
        let p = Problem::from_request(&req).unwrap();
        core_on(&req, &p, &greedy::construct(&p).solution);
    }
}
