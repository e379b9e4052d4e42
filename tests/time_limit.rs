//! The time limit covers the whole solve (docs/limits.md): what a plan says
//! when a step after the build runs out of time. The clock is not raced
//! here (machines are shared and noisy): each step is given a stop that has
//! already come, and the plan must still account for every client, with a
//! reason, and pass the independent checker.

use std::time::{Duration, Instant};

use rota::control::SolveControl;
use rota::model::Request;
use rota::problem::Problem;
use rota::solve::budget::TimeBudget;
use rota::solve::construct::greedy;
use rota::solve::fill::fill_in_until;
use rota::{PlanOptions, Solved, checked_plan, solve_problem};

fn sample() -> Request {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-day.json"))
            .unwrap();
    let mut req = rota::load_request(&text).unwrap().into_inner();
    req.settings.stop_when_stalled = Some(true);
    req
}

fn codes(plan: &rota::model::Plan) -> Vec<&str> {
    plan.unserved
        .iter()
        .flat_map(|u| u.reasons.iter().map(|r| r.code.as_str()))
        .collect()
}

/// Solve the sample day, then turn it into a plan as if `started` was long
/// ago: every unserved client is past the limit.
fn planned_late(cancelled: bool) -> (Request, rota::model::Plan) {
    let req = rota::validate::valid(sample()).unwrap();
    let p = Problem::from_request(&req).unwrap();
    let ctl = SolveControl::new();
    let budget = TimeBudget::of(&req, Instant::now());
    let mut solved: Solved = solve_problem(
        &req.settings,
        &p,
        &PlanOptions::default(),
        &ctl,
        budget,
        None,
        &[],
    )
    .unwrap();
    solved.cancelled = cancelled;
    let long_ago = TimeBudget::of(&req, Instant::now() - Duration::from_secs(3600));
    // checked_plan runs the independent checker: an Ok plan passed it.
    let plan = checked_plan(&req, &p, &solved, &long_ago).unwrap();
    (req.into_inner(), plan)
}

#[test]
fn past_the_limit_every_unserved_client_still_has_a_reason() {
    let (req, plan) = planned_late(false);
    assert_eq!(
        plan.rounds
            .iter()
            .flat_map(|r| &r.stops)
            .filter_map(|s| match s {
                rota::model::Stop::Visit(v) => Some(v.client.as_str()),
                _ => None,
            })
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            + plan.unserved.len(),
        req.clients.len()
    );
    assert!(!plan.unserved.is_empty());
    for u in &plan.unserved {
        assert_eq!(u.reasons.len(), 1, "{u:?}");
    }
    let c = codes(&plan);
    // No search happened after the limit: no CAPACITY, only proofs that
    // need none, or TIME_LIMIT saying the time ended.
    assert!(!c.contains(&"CAPACITY"), "{c:?}");
    assert!(c.contains(&"TIME_LIMIT"), "{c:?}");
    let msg = &plan
        .unserved
        .iter()
        .find(|u| u.reasons[0].code == "TIME_LIMIT")
        .unwrap()
        .reasons[0]
        .message;
    assert!(msg.contains("time limit (10 s) ended"), "{msg}");
    assert!(msg.contains("longer time limit"), "{msg}");
    // The same plan in time gives CAPACITY reasons instead.
    let in_time = rota::plan_request(&sample()).unwrap();
    assert!(codes(&in_time).contains(&"CAPACITY"));
    assert!(!codes(&in_time).contains(&"TIME_LIMIT"));
}

#[test]
fn a_cancelled_solve_says_cancelled_not_time_limit() {
    let (_, plan) = planned_late(true);
    let c = codes(&plan);
    assert!(c.contains(&"CANCELLED"), "{c:?}");
    assert!(!c.contains(&"TIME_LIMIT"), "{c:?}");
}

#[test]
fn the_greedy_first_pass_stops_and_leaves_the_rest_untried() {
    let req = sample();
    let p = Problem::from_request(&req).unwrap();
    let order = greedy::client_order(&p);
    let tried = std::cell::Cell::new(0);
    let stop = || {
        tried.set(tried.get() + 1);
        tried.get() > 10
    };
    let (g, complete) = greedy::construct_in_order_until(&p, &order, &stop);
    assert!(!complete);
    // Only the first ten clients in order can be served.
    for &k in &order[10..] {
        assert!(!g.solution.is_served(&p, k), "client {k} was not tried");
        assert_eq!(g.failed_visit[k], None);
    }
    let (full, done) = greedy::construct_in_order_until(&p, &order, &|| false);
    assert!(done);
    assert!(full.solution.objective(&p) > g.solution.objective(&p));
    // fill_in stops at once when the time is up, and adds nothing.
    let mut sol = g.solution.clone();
    assert!(!fill_in_until(&p, &mut sol, &|| true));
    assert_eq!(sol.objective(&p), g.solution.objective(&p));
    // Given time, it adds clients the first pass never tried.
    assert!(fill_in_until(&p, &mut sol, &|| false));
    assert!(sol.objective(&p) > g.solution.objective(&p));
}
