//! Continuity across days end to end (`previous_plan`, `rota plan
//! --previous`, the checker's `continuity-kept`; docs/continuity.md). Every
//! plan made here passes the independent checker.

mod common;

use common::day::*;
use rota::RotaError;
use rota::check::check;
use rota::model::Plan;
use serde_json::{Value, json};

fn two_carers_two_clients() -> Value {
    json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "09:00", &["hoist"]), carer("C2", "07:00", "09:00", &[]) ],
      "clients": [ client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[]),
                   client("P2", 1, (52.05, -2.72), "07:30", "07:30", &["hoist"]) ] })
}

#[test]
fn previous_carers_count_as_preferred_and_continuity_kept_is_reported() {
    // P1 alone, two identical carers: only continuity decides, and C2 was
    // there yesterday.
    let mut v = two_carers_two_clients();
    v["clients"] = json!([client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[])]);
    v["previous_plan"] = previous("2026-11-23", "C2", "P1");
    let p = plan(&req(&v));
    assert_eq!(calls(&p).keys().next().unwrap().1, "C2");
    assert_eq!(p.summary.continuity_kept, Some(1));
    assert_eq!(p.summary.continuity_assignments, 1);
    // Without a previous plan the field is absent.
    v.as_object_mut().unwrap().remove("previous_plan");
    assert_eq!(plan(&req(&v)).summary.continuity_kept, None);
}

#[test]
fn continuity_never_costs_a_served_client() {
    // Yesterday C1 visited P1. Today P2 needs the hoist only C1 has, at
    // the same minute as P1: keeping C1 with P1 would lose P2.
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-23", "C1", "P1");
    let p = plan(&req(&v));
    assert_eq!(p.summary.clients_served, 2, "{p:?}");
    let c = calls(&p);
    assert!(
        c.contains_key(&("P1-am".to_string(), "C2".to_string())),
        "{c:?}"
    );
    assert!(
        c.contains_key(&("P2-am".to_string(), "C1".to_string())),
        "{c:?}"
    );
    assert_eq!(p.summary.continuity_kept, Some(0));
}

#[test]
fn previous_plan_of_the_same_day_is_refused_and_unknown_ids_are_ignored() {
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-24", "C1", "P1");
    let text = v.to_string();
    match rota::load_request(&text) {
        Err(RotaError::Invalid(issues)) => {
            assert_eq!(issues.0.len(), 1, "{issues}");
            assert_eq!(issues.0[0].code, "E1901");
            assert_eq!(issues.0[0].path, "previous_plan.date");
        }
        other => panic!("expected E1901, got {other:?}"),
    }
    // A carer and a client that are gone today: ignored.
    v["previous_plan"] = previous("2026-11-20", "C99", "P99");
    let p = plan(&req(&v));
    assert_eq!(p.summary.continuity_kept, Some(0));
    assert_eq!(p.summary.clients_served, 2);
}

#[test]
fn checker_recomputes_continuity_kept() {
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-23", "C2", "P1");
    let r = req(&v);
    let mut p = plan(&r);
    p.summary.continuity_kept = Some(2);
    assert_eq!(check(&r, &p).rules(), vec!["continuity-kept"]);
    p.summary.continuity_kept = None;
    assert_eq!(check(&r, &p).rules(), vec!["continuity-kept"]);
}

#[test]
fn cli_plan_previous_reads_yesterdays_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = two_carers_two_clients();
    v["clients"] = json!([client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[])]);
    let request = dir.path().join("today.json");
    std::fs::write(&request, v.to_string()).unwrap();
    let yesterday = dir.path().join("yesterday.json");
    let mut prev = previous("2026-11-23", "C2", "P1");
    // One more round with a carer who has left.
    let mut gone = prev["rounds"][0].clone();
    gone["carer"] = json!("C77");
    prev["rounds"].as_array_mut().unwrap().push(gone);
    std::fs::write(&yesterday, prev.to_string()).unwrap();
    let out = rota()
        .arg("plan")
        .arg(&request)
        .arg("--previous")
        .arg(&yesterday)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("0 clients and 1 carer not in this request"),
        "{stderr}"
    );
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["summary"]["continuity_kept"], 1);
    // rota check with the same previous plan accepts it; without, it does not.
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, &out.stdout).unwrap();
    let check_with = |prev: Option<&std::path::Path>| {
        let mut c = rota();
        c.arg("check").arg(&request).arg(&plan_path);
        if let Some(p) = prev {
            c.arg("--previous").arg(p);
        }
        c.output().unwrap().status.code()
    };
    assert_eq!(check_with(Some(&yesterday)), Some(0));
    assert_eq!(check_with(None), Some(1));
    // rota report takes --previous the same way: with it, no warning and no
    // banner; without it, both (the plan breaks continuity-kept).
    let report_with = |prev: Option<&std::path::Path>| {
        let mut c = rota();
        c.arg("report")
            .arg(&plan_path)
            .arg("--request")
            .arg(&request);
        if let Some(p) = prev {
            c.arg("--previous").arg(p);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let html = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (
            html.contains("<div class=\"invalid-banner\""),
            stderr.contains("breaks"),
        )
    };
    assert_eq!(report_with(Some(&yesterday)), (false, false));
    assert_eq!(report_with(None), (true, true));
    // The plan checks against the request with the previous plan in it.
    v["previous_plan"] = prev;
    let r = req(&v);
    let p: Plan = serde_json::from_value(p).unwrap();
    assert!(check(&r, &p).is_valid());
    // A previous plan that is not a plan: bad input.
    std::fs::write(&yesterday, "{\"date\": 3}").unwrap();
    let out = rota()
        .arg("plan")
        .arg(&request)
        .arg("--previous")
        .arg(&yesterday)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
