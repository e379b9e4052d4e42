//! The hand-made requests of `tests/fixtures/golden/` (see `tests/golden.rs`
//! for their places and travel times), planned and checked, and readers of
//! their plans.

use std::collections::BTreeSet;

use chrono::NaiveTime;
use rota::model::{Plan, Request, Round, Stop, VisitStop};

pub fn load(name: &str) -> Request {
    let path = format!(
        "{}/tests/fixtures/golden/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rota::load_request(&text)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .into_inner()
}

/// Plans `name`, asserts the checker accepts it, returns request and plan.
#[track_caller]
pub fn plan(name: &str) -> (Request, Plan) {
    let req = load(name);
    let plan = rota::plan_request(&req).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report = rota::check::check(&req, &plan);
    assert!(report.is_valid(), "{name}: {report}");
    (req, plan)
}

pub fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

pub fn served(plan: &Plan) -> BTreeSet<String> {
    plan.rounds
        .iter()
        .flat_map(|r| &r.stops)
        .filter_map(|s| match s {
            Stop::Visit(v) => Some(v.client.clone()),
            Stop::Break(_) => None,
        })
        .collect()
}

pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

pub fn round<'a>(plan: &'a Plan, carer: &str) -> &'a Round {
    plan.rounds
        .iter()
        .find(|r| r.carer == carer)
        .unwrap_or_else(|| panic!("no round for {carer}"))
}

pub fn visit<'a>(round: &'a Round, id: &str) -> &'a VisitStop {
    round
        .stops
        .iter()
        .find_map(|s| match s {
            Stop::Visit(v) if v.visit == id => Some(v),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} has no stop {id}", round.carer))
}

/// The reason codes of an unserved client.
pub fn reasons(plan: &Plan, client: &str) -> Vec<String> {
    plan.unserved
        .iter()
        .find(|u| u.client == client)
        .unwrap_or_else(|| panic!("{client} is not unserved"))
        .reasons
        .iter()
        .map(|r| r.code.clone())
        .collect()
}
