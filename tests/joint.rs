//! `starts_with` end to end (issue 28, docs/format.md "Visits that start
//! together"): the validation codes, `rota plan` on a small day (both
//! visits at one minute by two carers, each stop naming its partner, the
//! plan passing `rota check`), `rota check` refusing hand-broken plans
//! (rule `starts-with`), the report, run sheets, CSV and iCal, the OpenAPI
//! document, and requests without the field unchanged.
//!
//! `tests/fixtures/joint/therapist.json`: C1 (a carer, personal care,
//! drives from D, 6 min from P1) and T1 (an occupational therapist, drives
//! from F, 12 min from P1), both 08:00-12:00. P1-am (personal care,
//! 08:00-09:00, 30 min) and P1-ot (ot, 08:00-09:30, 45 min, starts with
//! P1-am); P2-am (09:00-11:00, 30 min, 6 min beyond P1). T1 reaches P1 at
//! 08:12 at the earliest, so the two calls start together at 08:12 at the
//! earliest. `therapist-plan.json` is that plan, made by hand.

mod common;

use common::day::{rota, rota_check_files, rota_plan};
use rota::check::check;
use rota::model::{Plan, Request, StartsWithStop, Stop, VisitStop};
use rota::output::export::{self, CSV_HEADER, Places};
use serde_json::{Value, json};

const DAY: &str = include_str!("fixtures/joint/therapist.json");
const HAND_PLAN: &str = include_str!("fixtures/joint/therapist-plan.json");

fn request() -> Request {
    rota::load_request(DAY)
        .expect("the fixture loads")
        .into_inner()
}

fn hand_plan() -> Plan {
    rota::parse::plan_from_str(HAND_PLAN).expect("the hand-made plan parses")
}

/// The fixture as JSON with `f` applied.
fn edited(f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(DAY).unwrap();
    f(&mut v);
    v.to_string()
}

/// `rota check` of the fixture's request and `plan` (JSON).
fn rota_check(plan: &Value) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (rq, pl) = (dir.path().join("req.json"), dir.path().join("plan.json"));
    std::fs::write(&rq, DAY).unwrap();
    std::fs::write(&pl, plan.to_string()).unwrap();
    rota_check_files(&rq, &pl)
}

/// Every call of visit `id`: (carer, stop).
fn calls<'a>(plan: &'a Plan, id: &str) -> Vec<(&'a str, &'a VisitStop)> {
    plan.rounds
        .iter()
        .flat_map(|r| {
            r.stops.iter().filter_map(move |s| match s {
                Stop::Visit(v) if v.visit == id => Some((r.carer.as_str(), v)),
                _ => None,
            })
        })
        .collect()
}

fn hm(s: &str) -> chrono::NaiveTime {
    rota::model::hhmm::parse(s).unwrap()
}

// ------------------------------------------------------------ validation

#[test]
fn each_broken_pair_has_its_code_at_its_path() {
    type Case = (&'static str, &'static str, fn(&mut Value));
    let cases: [Case; 6] = [
        ("E1210", "clients[0].visits[1].starts_with.visit", |v| {
            v["clients"][0]["visits"][1]["starts_with"]["visit"] = json!("P1-pm")
        }),
        ("E1211", "clients[0].visits[1].starts_with.visit", |v| {
            v["clients"][0]["visits"][1]["starts_with"]["visit"] = json!("P2-am")
        }),
        ("E1212", "clients[0].visits[1].starts_with.visit", |v| {
            v["clients"][0]["visits"][1]["starts_with"]["visit"] = json!("P1-ot")
        }),
        ("E1213", "clients[0].visits[1].starts_with", |v| {
            v["clients"][0]["visits"][0]["carers_required"] = json!(2)
        }),
        ("E1214", "clients[0].visits[1].starts_with.visit", |v| {
            v["clients"][0]["visits"][0]["starts_with"] = json!({"visit": "P1-ot"})
        }),
        ("E1215", "clients[0].visits[1].starts_with", |v| {
            v["clients"][0]["visits"][1]["after"] = json!({"visit": "P1-am", "min_gap": 0})
        }),
    ];
    for (code, path, f) in cases {
        let Err(rota::RotaError::Invalid(issues)) = rota::load_request(&edited(f)) else {
            panic!("{code}: the request was accepted");
        };
        let i = issues
            .0
            .iter()
            .find(|i| i.code == code)
            .unwrap_or_else(|| panic!("{code} not among {issues:?}"));
        assert_eq!(i.path, path, "{code}");
        assert!(!i.message.is_empty() && !i.hint.is_empty(), "{code}");
        assert_eq!(issues.0.len(), 1, "{code} alone: {issues:?}");
    }
    // An unknown field inside starts_with is the contract's shape error.
    let text = edited(|v| v["clients"][0]["visits"][1]["starts_with"]["carer"] = json!("T1"));
    let err = rota::load_request(&text).unwrap_err().to_string();
    assert!(
        err.contains("E1002") && err.contains("starts_with"),
        "{err}"
    );
    // The CLI says the code and the path too.
    let dir = tempfile::tempdir().unwrap();
    let rq = dir.path().join("req.json");
    std::fs::write(
        &rq,
        edited(|v| v["clients"][0]["visits"][1]["starts_with"]["visit"] = json!("P1-ot")),
    )
    .unwrap();
    let out = rota().arg("plan").arg(&rq).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E1212") && err.contains("clients[0].visits[1].starts_with.visit"),
        "{err}"
    );
}

// ------------------------------------------------------------ the plan

/// Needs the one timing core (issue 28): on a branch whose solver ignores
/// links, `rota plan` refuses its own plan (rule `starts-with`).
#[test]
fn rota_plan_starts_the_two_together_by_two_carers() {
    let plan = rota_plan(DAY);
    assert_eq!(plan.summary.clients_served, 2);
    let am = calls(&plan, "P1-am");
    let ot = calls(&plan, "P1-ot");
    assert_eq!((am.len(), ot.len()), (1, 1), "one carer each");
    let ((am_carer, am), (ot_carer, ot)) = (am[0], ot[0]);
    assert_eq!((am_carer, ot_carer), ("C1", "T1"), "by their skills");
    // Together, as early as T1 can be there.
    assert_eq!(am.start, hm("08:12"));
    assert_eq!(ot.start, hm("08:12"));
    // Each keeps its own duration.
    assert_eq!((am.end, ot.end), (hm("08:42"), hm("08:57")));
    assert_eq!(
        am.starts_with,
        Some(StartsWithStop {
            visit: "P1-ot".into(),
            carer: "T1".into()
        })
    );
    assert_eq!(
        ot.starts_with,
        Some(StartsWithStop {
            visit: "P1-am".into(),
            carer: "C1".into()
        })
    );
    assert!(am.with.is_empty() && ot.with.is_empty(), "not a double-up");
    assert_eq!(calls(&plan, "P2-am")[0].1.starts_with, None);
}

/// Needs the one timing core: with one carer able to do both calls, the
/// client cannot be served (the two need two carers at one minute).
#[test]
fn one_carer_for_both_calls_leaves_the_client_unserved() {
    let text = edited(|v| {
        v["carers"][1]["skills"] = json!(["ot", "personal_care"]);
        v["carers"].as_array_mut().unwrap().remove(0);
    });
    let plan = rota_plan(&text);
    let unserved: Vec<&str> = plan.unserved.iter().map(|u| u.client.as_str()).collect();
    assert_eq!(unserved, ["P1"], "{plan:?}");
    assert!(calls(&plan, "P1-am").is_empty() && calls(&plan, "P1-ot").is_empty());
    // A static reason: only one carer may do either call.
    let codes: Vec<&str> = plan.unserved[0]
        .reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["CANNOT_START_TOGETHER"],
        "{:?}",
        plan.unserved[0].reasons
    );
}

#[test]
fn windows_that_never_meet_are_a_static_reason() {
    let text = edited(|v| {
        v["clients"][0]["visits"][0]["window"] = json!({"start": "08:30", "end": "09:00"});
        v["clients"][0]["visits"][1]["window"] = json!({"start": "10:00", "end": "10:30"});
    });
    let plan = rota_plan(&text);
    let unserved: Vec<&str> = plan.unserved.iter().map(|u| u.client.as_str()).collect();
    assert_eq!(unserved, ["P1"], "{plan:?}");
    assert_eq!(plan.unserved[0].reasons[0].code, "CANNOT_START_TOGETHER");
    assert!(
        plan.unserved[0].reasons[0]
            .message
            .contains("must start together")
    );
}

#[test]
fn without_starts_with_nothing_says_so() {
    let text = edited(|v| {
        v["clients"][0]["visits"][1]
            .as_object_mut()
            .unwrap()
            .remove("starts_with");
    });
    let req = rota::load_request(&text).unwrap().into_inner();
    let plan = rota::plan_request(&req).expect("plans");
    assert!(check(&req, &plan).is_valid());
    let json = serde_json::to_string(&plan).unwrap();
    assert!(!json.contains("starts_with"), "{json}");
    // And the request serialises as it was given.
    let back = serde_json::to_string(&req).unwrap();
    assert!(!back.contains("starts_with") && !back.contains("max_gap"));
}

// ------------------------------------------------------------ the checker

#[test]
fn the_hand_made_plan_is_valid() {
    let report = check(&request(), &hand_plan());
    assert!(report.is_valid(), "{report}");
    let v: Value = serde_json::from_str(HAND_PLAN).unwrap();
    assert_eq!(rota_check(&v).0, 0);
}

#[test]
fn rota_check_refuses_pairs_that_do_not_start_together() {
    let good: Value = serde_json::from_str(HAND_PLAN).unwrap();
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 5] = [
        ("P1-am a minute early", |v| {
            let s = &mut v["rounds"][0]["stops"][0];
            s["arrive"] = json!("08:11");
            s["start"] = json!("08:11");
            s["end"] = json!("08:41");
        }),
        ("the partner's carer wrong", |v| {
            v["rounds"][0]["stops"][0]["starts_with"]["carer"] = json!("C1")
        }),
        ("the partner's visit wrong", |v| {
            v["rounds"][1]["stops"][0]["starts_with"]["visit"] = json!("P2-am")
        }),
        ("starts_with absent on one", |v| {
            v["rounds"][1]["stops"][0]
                .as_object_mut()
                .unwrap()
                .remove("starts_with");
        }),
        ("starts_with on a call done alone", |v| {
            v["rounds"][0]["stops"][1]["starts_with"] = json!({"visit": "P1-am", "carer": "C1"})
        }),
    ];
    for (what, f) in breakages {
        let mut v = good.clone();
        f(&mut v);
        let (code, out) = rota_check(&v);
        assert_eq!(code, 1, "{what}: {out}");
        let lines: Vec<&str> = out.lines().filter(|l| l.contains('[')).collect();
        assert!(!lines.is_empty(), "{what}: {out}");
        assert!(
            lines.iter().all(|l| l.contains("[starts-with]")),
            "{what}: only rule starts-with breaks: {out}"
        );
    }
}

#[test]
fn the_checker_refuses_one_carer_doing_both() {
    // T1 does both calls at 08:12 (and overlaps itself: rule sequence too).
    let mut v: Value = serde_json::from_str(HAND_PLAN).unwrap();
    let am = v["rounds"][0]["stops"][0].clone();
    v["rounds"][0]["stops"].as_array_mut().unwrap().remove(0);
    let mut am = am;
    am["starts_with"] = json!({"visit": "P1-ot", "carer": "T1"});
    v["rounds"][1]["stops"]
        .as_array_mut()
        .unwrap()
        .insert(0, am);
    v["rounds"][1]["stops"][1]["starts_with"]["carer"] = json!("T1");
    let plan: Plan = serde_json::from_value(v).unwrap();
    let report = check(&request(), &plan);
    let m: Vec<&str> = report
        .violations
        .iter()
        .filter(|x| x.rule == "starts-with")
        .map(|x| x.message.as_str())
        .collect();
    assert!(
        m.iter()
            .any(|m| m.contains("two different carers") && m.contains("T1")),
        "{report}"
    );
}

#[test]
fn an_unserved_pair_has_no_partner_to_name_and_a_half_served_one_is_whole_client() {
    // Drop P1-ot from T1's round: P1 is partly served (whole-client), and
    // P1-am may no longer name a partner nobody does.
    let mut plan = hand_plan();
    plan.rounds[1].stops.clear();
    plan.rounds[1].return_time = None;
    plan.rounds[1].travel_minutes = 0;
    plan.rounds[1].care_minutes = 0;
    let rules = check(&request(), &plan).rules();
    assert!(rules.contains(&"whole-client"), "{rules:?}");
    assert!(rules.contains(&"starts-with"), "{rules:?}");
}

// ------------------------------------------------------------ outputs

#[test]
fn report_run_sheet_csv_and_ical_name_the_partner() {
    let req = request();
    let plan = hand_plan();
    let html = rota::output::report::html(&req, &plan);
    assert!(
        html.contains("Sam Patel (T1), starts together (visit P1-ot)"),
        "C1's run sheet names T1"
    );
    assert!(
        html.contains("Karen Davies (C1), starts together (visit P1-am)"),
        "T1's run sheet names C1"
    );
    assert!(
        html.contains(", starts together with T1 (P1-ot)</title>"),
        "the timeline's block"
    );

    let places = Places::of(&req);
    let csv = export::csv(&plan, &places).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header, CSV_HEADER);
    assert_eq!(header[22..], ["starts_with_visit", "starts_with_carer"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let cells = |visit: &str| {
        rows.iter()
            .find(|r| r[7] == visit)
            .map(|r| (r[22], r[23]))
            .unwrap()
    };
    assert_eq!(cells("P1-am"), ("P1-ot", "T1"));
    assert_eq!(cells("P1-ot"), ("P1-am", "C1"));
    assert_eq!(cells("P2-am"), ("", ""));

    let ics = export::ical_one(&plan, &places).replace("\r\n ", "");
    assert!(
        ics.contains("Starts together with Sam Patel (T1) (visit P1-ot)."),
        "{ics}"
    );
    assert_eq!(ics.matches("Starts together with").count(), 2);
}

#[test]
fn the_openapi_document_has_the_fields() {
    let out = rota().args(["serve", "--print-openapi"]).output().unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["components"]["schemas"];
    let visit = s["Visit"]["properties"]["starts_with"].to_string();
    assert!(visit.contains("StartsWith"), "{visit}");
    assert_eq!(s["StartsWith"]["required"], json!(["visit"]));
    assert_eq!(s["StartsWith"]["additionalProperties"], false);
    let stop = s["VisitStop"]["properties"]["starts_with"].to_string();
    assert!(stop.contains("StartsWithStop"), "{stop}");
    let mut req: Vec<String> =
        serde_json::from_value(s["StartsWithStop"]["required"].clone()).unwrap();
    req.sort();
    assert_eq!(req, ["carer", "visit"]);
    for (schema, field) in [("Visit", "starts_with"), ("VisitStop", "starts_with")] {
        assert!(
            !s[schema]["required"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{schema}.{field} is optional"
        );
    }
}
