//! Properties over random small requests and generated days: planning always
//! succeeds on a valid request, the independent checker accepts the plan,
//! every client is accounted for exactly once, the summary adds up, and the
//! same request always gives the same plan.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use proptest::prelude::*;
use rota::model::{Plan, Request, Stop};

const REASONS: [&str; 9] = [
    "NO_ELIGIBLE_CARER",
    "TOO_FEW_CARERS_FOR_DOUBLE_UP",
    "VISIT_TOO_LONG_FOR_SHIFT",
    "NO_CARER_ON_SHIFT_IN_WINDOW",
    "TOO_FAR_TO_REACH_IN_WINDOW",
    "WINDOW_TOO_NARROW_FOR_DOUBLE_UP",
    "GAP_CANNOT_FIT",
    "CANNOT_START_TOGETHER",
    "CAPACITY",
];

/// Everything a plan of `req` must satisfy beyond the checker, as a list of
/// failures (empty when all holds).
fn accounting(req: &Request, plan: &Plan) -> Vec<String> {
    let mut bad = Vec::new();
    let mut visit_carers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut served_clients: BTreeSet<&str> = BTreeSet::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                visit_carers
                    .entry(v.visit.as_str())
                    .or_default()
                    .push(r.carer.as_str());
                served_clients.insert(v.client.as_str());
            }
        }
    }
    let unserved: BTreeMap<&str, usize> = plan
        .unserved
        .iter()
        .map(|u| (u.client.as_str(), u.reasons.len()))
        .collect();
    if unserved.len() != plan.unserved.len() {
        bad.push("a client is listed twice in unserved".into());
    }
    for u in &plan.unserved {
        for r in &u.reasons {
            if !REASONS.contains(&r.code.as_str()) || r.message.is_empty() {
                bad.push(format!("unknown reason {:?} for {}", r.code, u.client));
            }
        }
    }
    let (mut served, mut prio, mut visits_served, mut visits_total) = (0u32, 0u64, 0u32, 0u32);
    for c in &req.clients {
        visits_total += c.visits.len() as u32;
        let in_rounds = served_clients.contains(c.id.as_str());
        match (in_rounds, unserved.get(c.id.as_str())) {
            (true, None) => {
                served += 1;
                prio += u64::from(c.priority);
                for v in &c.visits {
                    let n = visit_carers.get(v.id.as_str()).map_or(0, Vec::len);
                    if n != v.carers_required as usize {
                        bad.push(format!("{} done by {n} carers", v.id));
                    }
                    visits_served += 1;
                }
            }
            (false, Some(&n)) if n >= 1 => {}
            (false, Some(_)) => bad.push(format!("{} unserved without reason", c.id)),
            (true, Some(_)) => bad.push(format!("{} both served and unserved", c.id)),
            (false, None) => bad.push(format!("{} silently dropped", c.id)),
        }
    }
    let s = &plan.summary;
    let shifts: usize = req.carers.iter().map(|c| c.all_shifts().len()).sum();
    let checks = [
        ("rounds", plan.rounds.len() as u64, shifts as u64),
        (
            "clients_total",
            s.clients_total.into(),
            req.clients.len() as u64,
        ),
        ("clients_served", s.clients_served.into(), served.into()),
        ("priority_served", s.priority_served, prio),
        ("visits_total", s.visits_total.into(), visits_total.into()),
        (
            "visits_served",
            s.visits_served.into(),
            visits_served.into(),
        ),
        (
            "care_minutes",
            s.care_minutes,
            plan.rounds.iter().map(|r| u64::from(r.care_minutes)).sum(),
        ),
        (
            "travel_minutes",
            s.travel_minutes,
            plan.rounds
                .iter()
                .map(|r| u64::from(r.travel_minutes))
                .sum(),
        ),
    ];
    for (what, got, want) in checks {
        if got != want {
            bad.push(format!("{what}: {got} != {want}"));
        }
    }
    if s.upper_bound_priority
        .is_some_and(|b| b < s.priority_served)
    {
        bad.push("upper bound below priority served".into());
    }
    if !(s.solve_seconds.is_finite() && s.solve_seconds >= 0.0) {
        bad.push("solve_seconds".into());
    }
    bad
}

fn plan_check_and_account(cases: u32) {
    runner(cases)
        .run(&request(), |req| {
            let json = serde_json::to_string(&req).unwrap();
            let loaded = rota::load_request(&json);
            prop_assert!(
                loaded.is_ok(),
                "generated request invalid: {:?}",
                loaded.err()
            );
            let plan = rota::plan_request(&req);
            prop_assert!(
                plan.is_ok(),
                "plan_request failed: {}\n{json}",
                plan.unwrap_err()
            );
            let plan = plan.unwrap();
            let report = rota::check::check(&req, &plan);
            prop_assert!(report.is_valid(), "{report}\n{json}");
            let bad = accounting(&req, &plan);
            prop_assert!(bad.is_empty(), "{bad:?}\n{json}");
            Ok(())
        })
        .unwrap();
}

/// 256 random small requests (a fixed seed: the same ones every run).
#[test]
fn random_small_requests_plan_check_and_account_for_every_client() {
    plan_check_and_account(256);
}

#[test]
fn planning_is_deterministic() {
    runner(32)
        .run(&request(), |req| {
            let mut a = rota::plan_request(&req).unwrap();
            let mut b = rota::plan_request(&req.clone()).unwrap();
            a.summary.solve_seconds = 0.0;
            b.summary.solve_seconds = 0.0;
            prop_assert_eq!(a, b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn plans_survive_a_json_round_trip() {
    runner(32)
        .run(&request(), |req| {
            let plan = rota::plan_request(&req).unwrap();
            let text = serde_json::to_string(&plan).unwrap();
            let back = rota::parse::plan_from_str(&text).unwrap();
            prop_assert!(rota::check::check(&req, &back).is_valid());
            prop_assert_eq!(back, plan);
            Ok(())
        })
        .unwrap();
}

#[test]
fn generated_days_validate_plan_and_check() {
    runner(24)
        .run(&(any::<u64>(), 1..=60usize), |(seed, clients)| {
            let opts = rota::generate::GenerateOptions::new(clients, seed, date());
            let req = rota::generate::generate(&opts);
            prop_assert_eq!(req.clients.len(), clients);
            let v = rota::validate::validate(&req);
            prop_assert!(v.is_ok(), "seed {seed}: {:?}", v.err());
            // And through JSON, as the CLI sees it.
            let json = serde_json::to_string(&req).unwrap();
            prop_assert!(rota::load_request(&json).is_ok());
            let plan = rota::plan_request(&req);
            prop_assert!(plan.is_ok(), "seed {seed}: {}", plan.unwrap_err());
            let plan = plan.unwrap();
            let report = rota::check::check(&req, &plan);
            prop_assert!(report.is_valid(), "seed {seed}: {report}");
            let bad = accounting(&req, &plan);
            prop_assert!(bad.is_empty(), "seed {seed}: {bad:?}");
            // Same options, same day.
            prop_assert_eq!(rota::generate::generate(&opts), req);
            Ok(())
        })
        .unwrap();
}
