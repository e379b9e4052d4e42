//! Tiny requests built in JSON (carers and clients all at one place unless
//! moved), planned on one thread and checked, and the reasons of their
//! unserved clients.

use rota::model::{Plan, Request};
use serde_json::{Value, json};

pub const HOME: (f64, f64) = (52.05, -2.72);

pub fn carer(id: &str, mode: &str, start: &str, end: &str) -> Value {
    json!({ "id": id, "travel_mode": mode, "shift": { "start": start, "end": end },
            "start_location": { "lat": HOME.0, "lon": HOME.1 } })
}

pub fn visit(id: &str, start: &str, end: &str, duration: u32) -> Value {
    json!({ "id": id, "window": { "start": start, "end": end }, "duration": duration })
}

pub fn client(id: &str, visits: Vec<Value>) -> Value {
    json!({ "id": id, "location": { "lat": HOME.0, "lon": HOME.1 }, "visits": visits })
}

pub fn request(carers: Vec<Value>, clients: Vec<Value>) -> Request {
    let v = json!({ "date": "2026-11-23", "settings": { "time_limit_seconds": 1.0 },
                    "carers": carers, "clients": clients });
    rota::load_request(&v.to_string())
        .expect("test request is valid")
        .into_inner()
}

pub fn plan(req: &Request) -> Plan {
    let opts = rota::PlanOptions {
        exact: false,
        threads: 1,
        ..rota::PlanOptions::default()
    };
    let plan = rota::plan_request_with(req, &opts, &rota::control::SolveControl::new()).unwrap();
    assert!(rota::check::check(req, &plan).is_valid());
    plan
}

/// The codes and messages of client `id`'s reasons.
pub fn reasons(plan: &Plan, id: &str) -> Vec<(String, String)> {
    plan.unserved
        .iter()
        .find(|u| u.client == id)
        .map(|u| {
            u.reasons
                .iter()
                .map(|r| (r.code.clone(), r.message.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
pub fn only_code(plan: &Plan, id: &str, code: &str) -> String {
    let r = reasons(plan, id);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, code, "{}", r[0].1);
    r[0].1.clone()
}
