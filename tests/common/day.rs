//! Small hand-made days and the binary, for the end-to-end tests of the
//! rota manager's features (continuity, locks, replan, capacity, reasons,
//! key figures). Every plan made through [`plan`] passes the checker.

use std::collections::BTreeMap;

use assert_cmd::Command;
use rota::check::check;
use rota::model::{Plan, Request, Stop, minutes_of_day};
use serde_json::{Value, json};

pub const SAMPLE: &str = include_str!("../../data/sample-day.json");

pub fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

pub fn req(v: &Value) -> Request {
    rota::load_request(&v.to_string())
        .expect("request loads")
        .into_inner()
}

pub fn plan(r: &Request) -> Plan {
    let p = rota::plan_request(r).expect("plans");
    let report = check(r, &p);
    assert!(report.is_valid(), "{report}");
    p
}

/// (visit, carer) -> start minute of every call of a plan.
pub fn calls(p: &Plan) -> BTreeMap<(String, String), i32> {
    let mut out = BTreeMap::new();
    for r in &p.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                out.insert((v.visit.clone(), r.carer.clone()), minutes_of_day(v.start));
            }
        }
    }
    out
}

pub fn carer(id: &str, start: &str, end: &str, skills: &[&str]) -> Value {
    json!({ "id": id, "travel_mode": "drive",
            "shift": { "start": start, "end": end },
            "start_location": { "lat": 52.05, "lon": -2.72 }, "skills": skills })
}

pub fn client(
    id: &str,
    priority: u32,
    at: (f64, f64),
    start: &str,
    end: &str,
    skills: &[&str],
) -> Value {
    json!({ "id": id, "priority": priority, "location": { "lat": at.0, "lon": at.1 },
            "visits": [ { "id": format!("{id}-am"), "window": { "start": start, "end": end },
                          "duration": 30, "skills": skills } ] })
}

/// A minimal plan of `date` in which `carer` visited `client`.
pub fn previous(date: &str, carer: &str, client: &str) -> Value {
    json!({ "date": date,
      "summary": { "clients_total": 1, "clients_served": 1, "priority_served": 1,
        "visits_total": 1, "visits_served": 1, "care_minutes": 30, "travel_minutes": 0,
        "continuity_assignments": 0, "status": "feasible", "solve_seconds": 0.1 },
      "rounds": [ { "carer": carer, "shift": { "start": "07:00", "end": "09:00" },
        "travel_mode": "drive",
        "stops": [ { "kind": "visit", "visit": format!("{client}-am"), "client": client,
          "arrive": "07:30", "start": "07:30", "end": "08:00", "travel_minutes": 0, "with": [] } ],
        "return": "08:00", "travel_minutes": 0, "care_minutes": 30 } ],
      "unserved": [] })
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Two drivers (early and late) in Hereford, three clients; the third
/// client's only slot is taken by a higher-priority one.
pub fn small_request() -> Value {
    let loc = json!({ "lat": 52.056, "lon": -2.716 });
    json!({
        "date": "2026-11-23",
        "settings": { "time_limit_seconds": 1.0 },
        "carers": [
            { "id": "C1", "travel_mode": "drive", "shift": { "start": "07:00", "end": "11:00" },
              "start_location": loc },
            { "id": "C2", "travel_mode": "drive", "shift": { "start": "17:00", "end": "21:00" },
              "start_location": loc }
        ],
        "clients": [
            { "id": "P1", "location": { "lat": 52.06, "lon": -2.72 }, "priority": 3,
              "preferred_carers": ["C1"],
              "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "08:30" }, "duration": 120 } ] },
            { "id": "P2", "location": { "lat": 52.05, "lon": -2.71 },
              "visits": [ { "id": "P2-am", "window": { "start": "08:00", "end": "08:30" }, "duration": 60 },
                          { "id": "P2-eve", "window": { "start": "18:00", "end": "19:00" }, "duration": 30 } ] },
            { "id": "P3", "location": { "lat": 52.2249, "lon": -2.742 },
              "visits": [ { "id": "P3-eve", "window": { "start": "18:00", "end": "20:00" }, "duration": 30 } ] }
        ]
    })
}

pub fn write(dir: &std::path::Path, name: &str, v: &Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

/// Three carers (two with a hoist) and three clients, the first a double-up:
/// the day the lock tests (and a re-plan test) start from.
pub fn lock_day() -> Value {
    json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "12:00", &["hoist"]), carer("C2", "07:00", "12:00", &["hoist"]),
                  carer("C3", "07:00", "12:00", &[]) ],
      "clients": [
        { "id": "P1", "priority": 3, "location": { "lat": 52.06, "lon": -2.73 },
          "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "09:00" },
                        "duration": 30, "carers_required": 2, "skills": ["hoist"] } ] },
        client("P2", 1, (52.04, -2.71), "08:00", "10:00", &[]),
        client("P3", 2, (52.05, -2.70), "09:00", "11:00", &[]) ] })
}

/// `rota check` of two files: its exit code and what it printed.
pub fn rota_check_files(rq: &std::path::Path, pl: &std::path::Path) -> (i32, String) {
    let out = rota().arg("check").arg(rq).arg(pl).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `rota plan` on `request` (JSON): the plan, after `rota check` accepted
/// it on the same request.
pub fn rota_plan(request: &str) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    let (rq, pl) = (dir.path().join("req.json"), dir.path().join("plan.json"));
    std::fs::write(&rq, request).unwrap();
    let out = rota().arg("plan").arg(&rq).output().unwrap();
    assert!(
        out.status.success(),
        "rota plan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&pl, &out.stdout).unwrap();
    let (code, said) = rota_check_files(&rq, &pl);
    assert_eq!(code, 0, "rota check refuses the plan: {said}");
    serde_json::from_slice(&out.stdout).expect("a plan")
}
