//! The hand-made valid plan of `tests/fixtures/check/` and its request, for
//! breaking one rule at a time, and assertions on the checker's report.

use rota::check::{CheckReport, check};
use rota::model::{Plan, Request, Stop};
use rota::parse::{plan_from_str, request_from_str};
use serde_json::Value;

pub const REQUEST: &str = include_str!("../fixtures/check/tiny-request.json");
pub const PLAN: &str = include_str!("../fixtures/check/tiny-plan.json");

pub fn request() -> Request {
    request_from_str(REQUEST).expect("fixture request parses")
}

pub fn plan() -> Plan {
    plan_from_str(PLAN).expect("fixture plan parses")
}

pub fn plan_json() -> Value {
    serde_json::from_str(PLAN).unwrap()
}

pub fn check_json(v: &Value) -> CheckReport {
    let p = plan_from_str(&v.to_string()).expect("mutated plan parses");
    check(&request(), &p)
}

/// Asserts that `report` is invalid and contains `rule`; returns the messages
/// of that rule.
#[track_caller]
pub fn expect(report: &CheckReport, rule: &str) -> Vec<String> {
    assert!(
        !report.is_valid(),
        "expected a '{rule}' violation, got none"
    );
    let msgs: Vec<String> = report
        .violations
        .iter()
        .filter(|v| v.rule == rule)
        .map(|v| v.message.clone())
        .collect();
    assert!(
        !msgs.is_empty(),
        "expected a '{rule}' violation, got:\n{report}"
    );
    msgs
}

/// Like [`expect`] but also requires that `rule` is the only rule broken.
#[track_caller]
pub fn expect_only(report: &CheckReport, rule: &str) -> Vec<String> {
    let msgs = expect(report, rule);
    assert_eq!(report.rules(), vec![rule], "{report}");
    msgs
}

pub fn visit_mut(plan: &mut Plan, round: usize, stop: usize) -> &mut rota::model::VisitStop {
    match &mut plan.rounds[round].stops[stop] {
        Stop::Visit(v) => v,
        Stop::Break(_) => panic!("stop {stop} of round {round} is a break"),
    }
}

pub fn t(s: &str) -> chrono::NaiveTime {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}
