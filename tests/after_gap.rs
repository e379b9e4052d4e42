//! `after.max_gap` end to end (issue 28, docs/format.md "Largest gaps"):
//! the validation codes, `rota plan` keeping both gaps on a small day and
//! passing `rota check`, a gap no plan can keep leaving its client
//! unserved, `rota check` refusing a hand-broken plan (rule `after-gap`),
//! the OpenAPI document, and requests without the field unchanged.
//!
//! `tests/fixtures/after_gap/medication.json`: one carer (drive, 07:00-15:00
//! at the depot D, skill medication); P1 (6 min from D): breakfast
//! medication 07:00-09:30 and lunchtime medication 13:30-14:30, at least 4
//! and at most 6 hours after breakfast starts; P2 (6 min beyond P1) a call
//! at 10:00-12:00. Lunch cannot start before 13:30, so breakfast may not
//! start before 07:30, though the carer could be there at 07:06.
//! `medication-plan.json` is the plan that starts breakfast at 07:30 and
//! lunch at 13:30, made by hand.

mod common;

use common::day::{rota, rota_check_files, rota_plan};
use rota::check::check;
use rota::model::{Plan, Request, Stop, minutes_of_day};
use serde_json::{Value, json};

const DAY: &str = include_str!("fixtures/after_gap/medication.json");
const HAND_PLAN: &str = include_str!("fixtures/after_gap/medication-plan.json");

fn edited(f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(DAY).unwrap();
    f(&mut v);
    v.to_string()
}

fn request_of(text: &str) -> Request {
    rota::load_request(text).expect("loads").into_inner()
}

/// `rota check` of `request` and `plan` (both JSON).
fn rota_check(request: &str, plan: &Value) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (rq, pl) = (dir.path().join("req.json"), dir.path().join("plan.json"));
    std::fs::write(&rq, request).unwrap();
    std::fs::write(&pl, plan.to_string()).unwrap();
    rota_check_files(&rq, &pl)
}

/// The start minute of visit `id` (its first call).
fn start_of(plan: &Plan, id: &str) -> Option<i32> {
    plan.rounds
        .iter()
        .flat_map(|r| r.stops.iter())
        .find_map(|s| match s {
            Stop::Visit(v) if v.visit == id => Some(minutes_of_day(v.start)),
            _ => None,
        })
}

#[test]
fn max_gap_codes_at_their_paths() {
    let path = "clients[0].visits[1].after.max_gap";
    for (max, code) in [(1441, "E1208"), (239, "E1209")] {
        let text = edited(|v| v["clients"][0]["visits"][1]["after"]["max_gap"] = json!(max));
        let Err(rota::RotaError::Invalid(issues)) = rota::load_request(&text) else {
            panic!("max_gap {max} accepted");
        };
        assert_eq!(issues.0.len(), 1, "{issues:?}");
        let i = &issues.0[0];
        assert_eq!((i.code, i.path.as_str()), (code, path));
        assert!(i.message.contains(&max.to_string()) && !i.hint.is_empty());
    }
    // Equal to min_gap fixes the gap; 1440 is a day.
    for max in [240, 1440] {
        let text = edited(|v| v["clients"][0]["visits"][1]["after"]["max_gap"] = json!(max));
        assert!(rota::load_request(&text).is_ok(), "max_gap {max}");
    }
    // A negative or fractional max_gap is the contract's shape error.
    let text = edited(|v| v["clients"][0]["visits"][1]["after"]["max_gap"] = json!(-5));
    let err = rota::load_request(&text).unwrap_err().to_string();
    assert!(err.contains("E1002") && err.contains("max_gap"), "{err}");
    assert!(err.contains("whole minutes, 0 or more"), "{err}");
}

/// Needs the one timing core (issue 28): on a branch whose solver ignores
/// largest gaps, `rota plan` refuses its own plan (rule `after-gap`).
#[test]
fn rota_plan_keeps_both_gaps() {
    let plan = rota_plan(DAY);
    assert_eq!(plan.summary.clients_served, 2);
    let breakfast = start_of(&plan, "P1-breakfast").expect("breakfast served");
    let lunch = start_of(&plan, "P1-lunch").expect("lunch served");
    let gap = lunch - breakfast;
    assert!((240..=360).contains(&gap), "gap {gap}");
    // As early as the rules allow: lunch at 13:30, breakfast 6 h before.
    assert_eq!((breakfast, lunch), (7 * 60 + 30, 13 * 60 + 30));
}

/// Needs the one timing core: a largest gap no two starts can keep (the
/// windows are 6 h 30 apart at the least) leaves the client unserved.
#[test]
fn a_max_gap_no_plan_can_keep_leaves_the_client_unserved() {
    let text = edited(|v| {
        v["clients"][0]["visits"][0]["window"] = json!({"start": "07:00", "end": "07:30"});
        v["clients"][0]["visits"][1]["window"] = json!({"start": "14:00", "end": "14:30"});
    });
    let plan = rota_plan(&text);
    let unserved: Vec<&str> = plan.unserved.iter().map(|u| u.client.as_str()).collect();
    assert_eq!(unserved, ["P1"]);
    assert_eq!(start_of(&plan, "P1-breakfast"), None);
    // A static reason: no pair of starts keeps the largest gap.
    let codes: Vec<&str> = plan.unserved[0]
        .reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(codes, ["GAP_CANNOT_FIT"], "{:?}", plan.unserved[0].reasons);
    assert!(
        plan.unserved[0].reasons[0]
            .message
            .contains("at most 360 min")
    );
}

#[test]
fn the_hand_made_plan_is_valid_and_a_gap_too_long_is_refused() {
    let good: Value = serde_json::from_str(HAND_PLAN).unwrap();
    let req = request_of(DAY);
    let plan: Plan = serde_json::from_value(good.clone()).unwrap();
    assert!(check(&req, &plan).is_valid(), "{}", check(&req, &plan));
    assert_eq!(rota_check(DAY, &good).0, 0);

    // Breakfast a minute earlier: lunch is 361 min after it.
    let mut v = good.clone();
    let s = &mut v["rounds"][0]["stops"][0];
    s["arrive"] = json!("07:29");
    s["start"] = json!("07:29");
    s["end"] = json!("07:59");
    let (code, out) = rota_check(DAY, &v);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains('[')).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("[after-gap]")
            && lines[0].contains("at most 360 min")
            && lines[0].contains("not after 13:29"),
        "{out}"
    );
    // Without a max_gap that plan keeps the request's gap.
    let no_max = edited(|v| {
        v["clients"][0]["visits"][1]["after"]
            .as_object_mut()
            .unwrap()
            .remove("max_gap");
    });
    assert_eq!(rota_check(&no_max, &v).0, 0);
    // The least gap is still checked with a max: at least 300 min, and
    // lunch 270 min after breakfast at 09:00.
    let min_300 = edited(|v| v["clients"][0]["visits"][1]["after"]["min_gap"] = json!(300));
    let mut v = good.clone();
    let s = &mut v["rounds"][0]["stops"][0];
    s["arrive"] = json!("09:00");
    s["start"] = json!("09:00");
    s["end"] = json!("09:30");
    let (code, out) = rota_check(&min_300, &v);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains('[')).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("[after-gap]") && lines[0].contains("gap must be 300 min"),
        "{out}"
    );
}

#[test]
fn either_carer_may_do_either_call() {
    // Two carers, one round each: breakfast by C1, lunch by C2 keeps the
    // gaps (the checker holds no carer to either call).
    let text = edited(|v| {
        let mut c2 = v["carers"][0].clone();
        c2["id"] = json!("C2");
        v["carers"].as_array_mut().unwrap().push(c2);
    });
    let mut plan: Value = serde_json::from_str(HAND_PLAN).unwrap();
    let lunch = plan["rounds"][0]["stops"][2].clone();
    plan["rounds"][0]["stops"].as_array_mut().unwrap().remove(2);
    plan["rounds"][0]["return"] = json!("10:38");
    plan["rounds"][0]["travel_minutes"] = json!(20);
    plan["rounds"][0]["care_minutes"] = json!(60);
    let mut r2 = plan["rounds"][0].clone();
    r2["carer"] = json!("C2");
    r2["stops"] = json!([lunch]);
    r2["return"] = json!("14:06");
    r2["travel_minutes"] = json!(12);
    r2["care_minutes"] = json!(30);
    plan["rounds"].as_array_mut().unwrap().push(r2);
    plan["summary"]["travel_minutes"] = json!(32);
    let (code, out) = rota_check(&text, &plan);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn without_max_gap_the_request_serialises_as_before() {
    let no_max = edited(|v| {
        v["clients"][0]["visits"][1]["after"]
            .as_object_mut()
            .unwrap()
            .remove("max_gap");
    });
    let req = request_of(&no_max);
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(
        json["clients"][0]["visits"][1]["after"],
        json!({"visit": "P1-breakfast", "min_gap": 240})
    );
    let with = serde_json::to_value(request_of(DAY)).unwrap();
    assert_eq!(
        with["clients"][0]["visits"][1]["after"]["max_gap"],
        json!(360)
    );
}

#[test]
fn the_openapi_document_has_max_gap() {
    let out = rota().args(["serve", "--print-openapi"]).output().unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let after = &doc["components"]["schemas"]["After"];
    assert!(after["properties"].get("max_gap").is_some(), "{after}");
    let required = after["required"].as_array().unwrap();
    assert!(required.contains(&json!("min_gap")));
    assert!(!required.contains(&json!("max_gap")), "max_gap is optional");
}
