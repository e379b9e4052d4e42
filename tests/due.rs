//! `window.due` end to end (issue 28, docs/format.md "Due times"): the
//! validation code, the plan's `late_minutes` and `summary.lateness`, the
//! checker's rule `lateness` (on `rota check`), the report, run sheets, CSV
//! and iCal, the OpenAPI document, and requests without a due unchanged.
//!
//! `tests/fixtures/due/late-call.json`: one carer (drive, 07:30-12:00 at
//! the depot D), P1 at P (6 min from D) 08:00-08:30 due 08:15, P2 at F (12
//! min from P) 08:30-10:00 due 08:30, 30 min each. P2 cannot come first (P1
//! would start after 09:12), so P1 starts 08:00 (on time) and P2 at 08:42
//! at the earliest: 12 min late.

mod common;

use common::day::rota;
use rota::check::check;
use rota::model::{LatenessSummary, Plan, Request, Stop, VisitStop};
use rota::output::export::{self, CSV_HEADER, Places};
use serde_json::{Value, json};

const LATE_CALL: &str = include_str!("fixtures/due/late-call.json");

fn request() -> Request {
    rota::load_request(LATE_CALL)
        .expect("the fixture loads")
        .into_inner()
}

fn planned(req: &Request) -> Plan {
    let plan = rota::plan_request(req).expect("plans");
    let report = check(req, &plan);
    assert!(report.is_valid(), "{report}");
    plan
}

fn stop<'a>(plan: &'a Plan, visit: &str) -> &'a VisitStop {
    plan.rounds
        .iter()
        .flat_map(|r| r.stops.iter())
        .find_map(|s| match s {
            Stop::Visit(v) if v.visit == visit => Some(v),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{visit} is not in the plan"))
}

fn hm(s: &str) -> chrono::NaiveTime {
    rota::model::hhmm::parse(s).unwrap()
}

/// The fixture as JSON with `f` applied.
fn edited(f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(LATE_CALL).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn a_due_outside_its_window_is_e1207_at_its_path() {
    for due in ["07:59", "08:31"] {
        let text = edited(|v| v["clients"][0]["visits"][0]["window"]["due"] = json!(due));
        let Err(rota::RotaError::Invalid(issues)) = rota::load_request(&text) else {
            panic!("due {due} outside 08:00-08:30 accepted");
        };
        let i = issues.0.iter().find(|i| i.code == "E1207").expect("E1207");
        assert_eq!(i.path, "clients[0].visits[0].window.due");
        assert!(i.message.contains(due) && i.message.contains("08:00-08:30"));
        assert!(!i.hint.is_empty());
    }
    // Not an hh:mm time: the contract's shape error at the field.
    let text = edited(|v| v["clients"][0]["visits"][0]["window"]["due"] = json!("8:15"));
    let err = rota::load_request(&text).unwrap_err().to_string();
    assert!(err.contains("E1002") && err.contains("due"), "{err}");
}

#[test]
fn a_late_call_has_its_minutes_and_the_summary_counts_it() {
    let plan = planned(&request());
    let p1 = stop(&plan, "P1-am");
    assert_eq!(p1.start, hm("08:00"));
    assert_eq!(p1.late_minutes, None, "P1 starts before its due");
    let p2 = stop(&plan, "P2-am");
    assert_eq!(p2.start, hm("08:42"));
    assert_eq!(p2.late_minutes, Some(12));
    assert_eq!(
        plan.summary.lateness,
        Some(LatenessSummary {
            calls: 1,
            total_minutes: 12,
            largest_minutes: 12
        })
    );
    // In the JSON: the stop's field, and none on the call on time.
    let v = serde_json::to_value(&plan).unwrap();
    let stops = &v["rounds"][0]["stops"];
    assert_eq!(stops[1]["late_minutes"], json!(12));
    assert!(stops[0].get("late_minutes").is_none());
    assert_eq!(
        v["summary"]["lateness"],
        json!({"calls": 1, "total_minutes": 12, "largest_minutes": 12})
    );
}

#[test]
fn every_call_on_time_still_says_so_in_the_summary() {
    // P2 due 08:45: on time at 08:42, no late stop, a summary of zeros.
    let text = edited(|v| v["clients"][1]["visits"][0]["window"]["due"] = json!("08:45"));
    let req = rota::load_request(&text).unwrap().into_inner();
    let plan = planned(&req);
    assert_eq!(stop(&plan, "P2-am").late_minutes, None);
    assert_eq!(plan.summary.lateness, Some(LatenessSummary::default()));
}

#[test]
fn without_a_due_the_plan_is_what_it_was() {
    let with_due = planned(&request());
    let text = edited(|v| {
        for k in 0..2 {
            v["clients"][k]["visits"][0]["window"]
                .as_object_mut()
                .unwrap()
                .remove("due");
        }
    });
    let req = rota::load_request(&text).unwrap().into_inner();
    let plan = planned(&req);
    let json = serde_json::to_string(&plan).unwrap();
    assert!(
        !json.contains("late_minutes") && !json.contains("lateness"),
        "{json}"
    );
    // The same calls at the same minutes: due only reports.
    let mut stripped = with_due.clone();
    stripped.summary.lateness = None;
    for r in &mut stripped.rounds {
        for s in &mut r.stops {
            if let Stop::Visit(v) = s {
                v.late_minutes = None;
            }
        }
    }
    assert_eq!(stripped.rounds, plan.rounds);
    // A plan without the fields still passes the checker for that request,
    // and the checker refuses a lateness summary there.
    let mut extra = plan.clone();
    extra.summary.lateness = Some(LatenessSummary::default());
    assert_eq!(check(&req, &extra).rules(), vec!["lateness"]);
}

/// `rota check REQUEST PLAN` on `plan` as JSON: exit code and stdout.
fn rota_check(plan: &Value) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (rq, pl) = (dir.path().join("req.json"), dir.path().join("plan.json"));
    std::fs::write(&rq, LATE_CALL).unwrap();
    std::fs::write(&pl, plan.to_string()).unwrap();
    let out = rota().arg("check").arg(&rq).arg(&pl).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn rota_check_refuses_wrong_lateness() {
    let good = serde_json::to_value(planned(&request())).unwrap();
    assert_eq!(rota_check(&good).0, 0);
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 6] = [
        ("late_minutes 10", |v| {
            v["rounds"][0]["stops"][1]["late_minutes"] = json!(10)
        }),
        ("late_minutes absent", |v| {
            v["rounds"][0]["stops"][1]
                .as_object_mut()
                .unwrap()
                .remove("late_minutes");
        }),
        ("late_minutes 0", |v| {
            v["rounds"][0]["stops"][0]["late_minutes"] = json!(0)
        }),
        ("summary total", |v| {
            v["summary"]["lateness"]["total_minutes"] = json!(11)
        }),
        ("summary calls", |v| {
            v["summary"]["lateness"]["calls"] = json!(2)
        }),
        ("summary absent", |v| {
            v["summary"].as_object_mut().unwrap().remove("lateness");
        }),
    ];
    for (what, f) in breakages {
        let mut v = good.clone();
        f(&mut v);
        let (code, out) = rota_check(&v);
        assert_eq!(code, 1, "{what}: {out}");
        assert!(out.contains("[lateness]"), "{what}: {out}");
        let lines: Vec<&str> = out.lines().filter(|l| l.contains('[')).collect();
        assert!(
            lines.iter().all(|l| l.contains("[lateness]")),
            "{what}: only rule lateness breaks: {out}"
        );
    }
}

#[test]
fn a_double_ups_late_call_counts_once() {
    // Two carers; P2 a double-up. The carer who does P1 reaches F at 08:42
    // at the earliest, so the call starts 08:42 at best: one call late.
    let text = edited(|v| {
        let mut c2 = v["carers"][0].clone();
        c2["id"] = json!("C2");
        v["carers"].as_array_mut().unwrap().push(c2);
        v["clients"][1]["visits"][0]["carers_required"] = json!(2);
    });
    let req = rota::load_request(&text).unwrap().into_inner();
    let plan = planned(&req);
    let late: Vec<(String, Option<u32>)> = plan
        .rounds
        .iter()
        .flat_map(|r| {
            r.stops.iter().filter_map(move |s| match s {
                Stop::Visit(v) if v.visit == "P2-am" => Some((r.carer.clone(), v.late_minutes)),
                _ => None,
            })
        })
        .collect();
    assert_eq!(late.len(), 2, "both carers at P2: {late:?}");
    let minutes = late[0].1.expect("P2 is late");
    assert!(minutes >= 12, "{late:?}");
    assert!(late.iter().all(|(_, m)| *m == Some(minutes)));
    assert_eq!(
        plan.summary.lateness,
        Some(LatenessSummary {
            calls: 1,
            total_minutes: minutes.into(),
            largest_minutes: minutes
        })
    );
}

#[test]
fn report_run_sheet_csv_and_ical_show_the_late_call() {
    let req = request();
    let plan = planned(&req);
    let html = rota::output::report::html(&req, &plan);
    assert!(html.contains("due 08:30, 12 min late"), "run sheet");
    assert!(
        html.contains("due 08:15<"),
        "the call on time shows its due"
    );
    assert!(html.contains("Late calls"), "the header's figure");
    assert!(
        html.contains(", 12 min late</title>"),
        "the timeline's block"
    );

    let places = Places::of(&req);
    let csv = export::csv(&plan, &places).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 24);
    assert_eq!(header[21], "late_minutes");
    assert_eq!(header, CSV_HEADER);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let cell = |visit: &str| rows.iter().find(|r| r[7] == visit).map(|r| r[21]).unwrap();
    assert_eq!(cell("P1-am"), "");
    assert_eq!(cell("P2-am"), "12");

    let ics = export::ical_one(&plan, &places).replace("\r\n ", "");
    assert!(
        ics.contains("Late: due 08:30\\, starts 12 min late."),
        "{ics}"
    );
    assert_eq!(ics.matches("Late: due").count(), 1);

    let text = rota::output::text::text(&plan);
    assert!(
        text.contains("late: 1 call after its due (12 min in all, at most 12 min)"),
        "{text}"
    );
}

#[test]
fn the_openapi_document_has_the_fields() {
    let out = rota().args(["serve", "--print-openapi"]).output().unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["components"]["schemas"];
    let due = &s["Window"]["properties"]["due"];
    assert!(due["pattern"].is_string(), "{due}");
    assert!(s["VisitStop"]["properties"].get("late_minutes").is_some());
    let lateness = s["Summary"]["properties"]["lateness"].to_string();
    assert!(lateness.contains("LatenessSummary"), "{lateness}");
    for f in ["calls", "total_minutes", "largest_minutes"] {
        assert!(
            s["LatenessSummary"]["required"]
                .as_array()
                .unwrap()
                .contains(&json!(f)),
            "{f}"
        );
    }
    assert!(
        !s["Window"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("due")),
        "due is optional"
    );
}
