//! The checker accepts the hand-made valid plan and rejects it, with the
//! expected rule id, after each single breakage. The double-up rules'
//! cases (`carers-required` of a double-up, `double-up`) are in
//! `tests/double_up.rs`.

mod common;

use common::broken::{check_json, expect, expect_only, plan, plan_json, request, t, visit_mut};
use rota::check::check;
use rota::model::Request;
use rota::parse::plan_from_str;
use serde_json::{Value, json};

#[test]
fn valid_plan_is_accepted() {
    let report = check(&request(), &plan());
    assert!(report.is_valid(), "{report}");
}

#[test]
fn valid_plan_survives_a_json_round_trip() {
    let report = check_json(&plan_json());
    assert!(report.is_valid(), "{report}");
}

// ------------------------------------------------------------------ date

#[test]
fn wrong_date() {
    let mut p = plan();
    p.date = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let m = expect_only(&check(&request(), &p), "date");
    assert!(m[0].contains("2026-11-24") && m[0].contains("2026-11-23"));
}

// ------------------------------------------------------------ round-carer

#[test]
fn unknown_carer() {
    let mut v = plan_json();
    v["rounds"][3]["carer"] = json!("C99");
    let r = check_json(&v);
    let m = expect(&r, "round-carer");
    assert!(
        m.iter()
            .any(|m| m.contains("C99") && m.contains("not in the request"))
    );
    // C03's evening shift is now missing too.
    assert!(
        m.iter()
            .any(|m| m.contains("C03") && m.contains("17:00-20:00"))
    );
}

#[test]
fn shift_not_of_the_carer() {
    let mut v = plan_json();
    v["rounds"][3]["shift"]["end"] = json!("21:00");
    let m = expect_only(&check_json(&v), "round-carer");
    assert!(m.iter().any(|m| m.contains("has no shift 17:00-21:00")));
}

#[test]
fn wrong_travel_mode() {
    let mut p = plan();
    p.rounds[1].travel_mode = "bike".into();
    let m = expect_only(&check(&request(), &p), "round-carer");
    assert!(m[0].contains("C02") && m[0].contains("bike"));
}

#[test]
fn idle_round_missing() {
    let mut p = plan();
    p.rounds.remove(3);
    let m = expect_only(&check(&request(), &p), "round-carer");
    assert!(m[0].contains("C03 shift 17:00-20:00"));
}

#[test]
fn round_listed_twice() {
    let mut p = plan();
    let idle = p.rounds[3].clone();
    p.rounds.push(idle);
    let m = expect_only(&check(&request(), &p), "round-carer");
    assert!(m[0].contains("listed twice"));
}

// --------------------------------------------------------------- visit-id

#[test]
fn unknown_visit_id() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).visit = "P003-pm".into();
    let r = check(&request(), &p);
    let m = expect(&r, "visit-id");
    assert!(m[0].contains("P003-pm") && m[0].contains("not in the request"));
    // P003 is now not served and not unserved.
    expect(&r, "accounting");
}

#[test]
fn visit_of_another_client() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).client = "P002".into();
    let m = expect_only(&check(&request(), &p), "visit-id");
    assert!(m[0].contains("belongs to client P003"));
}

#[test]
fn visit_twice_in_a_round() {
    let mut p = plan();
    let dup = p.rounds[2].stops[0].clone();
    p.rounds[2].stops.insert(1, dup);
    let r = check(&request(), &p);
    let m = expect(&r, "visit-id");
    assert!(m[0].contains("P002-am") && m[0].contains("more than once"));
}

// -------------------------------------------------------- carers-required

#[test]
fn single_visit_done_by_two_carers() {
    let mut p = plan();
    // C02 also does P003-am (eligible, times consistent enough for this test).
    let extra = p.rounds[0].stops[1].clone();
    p.rounds[1].stops.push(extra);
    let m = expect(&check(&request(), &p), "carers-required");
    assert!(m[0].contains("P003-am") && m[0].contains("needs 1"));
}

// ------------------------------------------------------------ eligibility

#[test]
fn excluded_carer() {
    let mut v = plan_json();
    // C02 takes P002-am (excluded by P002, and P002 wants a female carer).
    v["rounds"][1]["stops"] = json!([
        { "kind": "visit", "visit": "P002-am", "client": "P002",
          "arrive": "08:30", "start": "08:30", "end": "09:00", "travel_minutes": 5, "with": [] }
    ]);
    v["rounds"][2]["stops"] = json!([]);
    v["rounds"][2]["return"] = Value::Null;
    let r = check_json(&v);
    let m = expect(&r, "eligibility");
    assert!(
        m.iter()
            .any(|m| m.contains("C02") && m.contains("excluded"))
    );
    assert!(
        m.iter()
            .any(|m| m.contains("gender 'f'") && m.contains("'m'"))
    );
}

#[test]
fn missing_skill() {
    let mut req = request();
    // P003-am now needs a catheter skill nobody has.
    req.clients[2].visits[0].skills = vec!["catheter".into()];
    let r = check(&req, &plan());
    let m = expect_only(&r, "eligibility");
    assert!(m[0].contains("catheter") && m[0].contains("C01") && m[0].contains("09:00"));
}

// --------------------------------------------------------- duration/window

#[test]
fn wrong_duration() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).end = t("09:25");
    let m = expect_only(&check(&request(), &p), "duration");
    assert!(m[0].contains("P003-am") && m[0].contains("25 min"));
}

#[test]
fn start_after_window() {
    let mut p = plan();
    let v = visit_mut(&mut p, 0, 1);
    v.start = t("11:05");
    v.end = t("11:35");
    let r = check(&request(), &p);
    let m = expect(&r, "window");
    assert_eq!(
        m[0],
        "round C01 07:00-15:00: visit P003-am starts 11:05, after its window 09:00-11:00"
    );
}

#[test]
fn start_before_window() {
    let mut p = plan();
    let v = visit_mut(&mut p, 2, 0);
    v.start = t("08:20");
    v.end = t("08:50");
    let m = expect_only(&check(&request(), &p), "window");
    assert!(m[0].contains("before its window 08:30-10:00"));
}

#[test]
fn window_end_is_inclusive() {
    let mut p = plan();
    let v = visit_mut(&mut p, 0, 1);
    v.start = t("11:00");
    v.end = t("11:30");
    // Break 10:30-10:50 now sits before P003-am; move it after.
    p.rounds[0].stops.swap(1, 2);
    // The break now follows P001-am (ends 08:15) and the travel to P003
    // (7 min) starts at 08:15 with arrival 08:22: no overlap.
    let r = check(&request(), &p);
    assert!(r.is_valid(), "{r}");
}

// ----------------------------------------------------------------- travel

#[test]
fn wrong_stop_travel() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).travel_minutes = 8;
    p.rounds[0].travel_minutes += 1;
    p.summary.travel_minutes += 1;
    let m = expect_only(&check(&request(), &p), "travel");
    assert!(m[0].contains("travel_minutes 8") && m[0].contains("takes 7 min"));
}

#[test]
fn walking_carer_uses_walking_speed() {
    // C03 walks 14 min to P002; claiming the drive time (3 + 3 = 6) is wrong.
    let mut p = plan();
    visit_mut(&mut p, 2, 0).travel_minutes = 6;
    p.rounds[2].travel_minutes = 20;
    p.summary.travel_minutes -= 8;
    let m = expect_only(&check(&request(), &p), "travel");
    assert!(m[0].contains("by walk takes 14 min"));
}

// --------------------------------------------------------------- sequence

#[test]
fn arrive_after_start() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).arrive = t("09:05");
    let m = expect_only(&check(&request(), &p), "sequence");
    assert!(m[0].contains("arrives 09:05, after its start 09:00"));
}

#[test]
fn arrive_before_previous_visit_plus_travel() {
    let mut p = plan();
    visit_mut(&mut p, 0, 1).arrive = t("08:20");
    let m = expect_only(&check(&request(), &p), "sequence");
    assert!(m[0].contains("left client P001 at 08:13, before that visit ends 08:15"));
}

#[test]
fn visits_out_of_order() {
    let mut p = plan();
    // Put P001-lunch before P003-am in the list (times unchanged).
    p.rounds[0].stops.swap(1, 3);
    let r = check(&request(), &p);
    let m = expect(&r, "sequence");
    assert!(
        m.iter()
            .any(|m| m.contains("before the previous visit ends"))
    );
}

// ------------------------------------------------------------------ shift

#[test]
fn leaves_before_shift_start() {
    let mut p = plan();
    // C03 starts 08:00 and walks 14 min: arriving 08:10 means leaving 07:56.
    visit_mut(&mut p, 2, 0).arrive = t("08:10");
    let m = expect_only(&check(&request(), &p), "shift");
    assert!(m[0].contains("07:56") && m[0].contains("before the shift starts 08:00"));
}

#[test]
fn return_after_shift_end() {
    let mut v = plan_json();
    // C03's morning round: shift ends 12:00.
    v["rounds"][2]["return"] = json!("12:10");
    let m = expect_only(&check_json(&v), "shift");
    assert!(m[0].contains("returns 12:10, after the shift ends 12:00"));
}

// ----------------------------------------------------------------- return

#[test]
fn return_too_early() {
    let mut v = plan_json();
    // C02 needs 7 min from P001 (ends 08:15) to its end location.
    v["rounds"][1]["return"] = json!("08:20");
    let m = expect_only(&check_json(&v), "return");
    assert!(m[0].contains("earliest 08:22"));
}

#[test]
fn return_must_leave_room_for_break_after_last_visit() {
    let mut v = plan_json();
    // C03: last visit ends 09:00, break 15 min, walk 14 min: earliest 09:29.
    v["rounds"][2]["return"] = json!("09:20");
    let r = check_json(&v);
    let m = expect(&r, "return");
    assert!(m[0].contains("15 min break") && m[0].contains("earliest 09:29"));
    // and the break overlaps the return leg 09:06-09:20
    expect(&r, "break");
}

#[test]
fn null_return_with_visits() {
    let mut v = plan_json();
    v["rounds"][1]["return"] = Value::Null;
    let r = check_json(&v);
    let m = expect(&r, "return");
    assert!(m[0].contains("return is null"));
}

#[test]
fn return_on_idle_round() {
    let mut v = plan_json();
    v["rounds"][3]["return"] = json!("17:00");
    let m = expect_only(&check_json(&v), "return");
    assert!(m[0].contains("must be null"));
}

// ------------------------------------------------------------------ break

#[test]
fn break_missing() {
    let mut p = plan();
    p.rounds[0].stops.remove(2);
    let m = expect_only(&check(&request(), &p), "break");
    assert!(m[0].contains("0 break stops") && m[0].contains("20 min"));
}

#[test]
fn break_on_shift_without_break() {
    let mut v = plan_json();
    v["rounds"][1]["stops"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "break", "start": "08:15", "end": "08:20" }));
    let m = expect(&check_json(&v), "break");
    assert!(m.iter().any(|m| m.contains("shift has no break")));
}

#[test]
fn only_a_break_on_an_idle_round() {
    let mut v = plan_json();
    v["rounds"][3]["stops"] = json!([{ "kind": "break", "start": "18:00", "end": "18:15" }]);
    let m = expect(&check_json(&v), "break");
    assert!(m.iter().any(|m| m.contains("no visits")));
}

#[test]
fn break_too_short() {
    let mut v = plan_json();
    v["rounds"][0]["stops"][2]["end"] = json!("10:45");
    let m = expect_only(&check_json(&v), "break");
    assert!(m[0].contains("lasts 15 min") && m[0].contains("20 min"));
}

#[test]
fn break_outside_its_window() {
    let mut v = plan_json();
    v["rounds"][0]["stops"][2] = json!({ "kind": "break", "start": "10:00", "end": "10:20" });
    let m = expect_only(&check_json(&v), "break");
    assert!(m[0].contains("starts 10:00") && m[0].contains("10:30-12:30"));
}

#[test]
fn break_overlapping_travel() {
    let mut v = plan_json();
    // Travel to P001-lunch is 11:48-11:55; a break 11:40-12:00 overlaps it
    // (and the visit start).
    v["rounds"][0]["stops"][2] = json!({ "kind": "break", "start": "11:35", "end": "11:55" });
    let m = expect_only(&check_json(&v), "break");
    assert!(m.iter().any(|m| m.contains("overlaps the 7 min travel")));
}

#[test]
fn break_while_waiting_at_the_door_is_fine() {
    let mut v = plan_json();
    // Arrive at P001 at 09:37 (09:30 + 7), break 10:30-10:50 while waiting.
    v["rounds"][0]["stops"][3]["arrive"] = json!("09:37");
    assert!(check_json(&v).is_valid());
}

#[test]
fn break_inside_a_visit() {
    let mut v = plan_json();
    // C03's break 08:40-08:55 lies inside P002-am (08:30-09:00); the
    // break's allowed start is widened so only the position is wrong.
    let mut req = request();
    req.carers[2].shifts.as_mut().unwrap()[0]
        .brk
        .as_mut()
        .unwrap()
        .earliest = t("08:00");
    v["rounds"][2]["stops"][1] = json!({ "kind": "break", "start": "08:40", "end": "08:55" });
    let p = plan_from_str(&v.to_string()).unwrap();
    let m = expect_only(&check(&req, &p), "break");
    assert!(m[0].contains("break starts 08:40"));
}

#[test]
fn break_overlapping_return_travel() {
    let mut v = plan_json();
    // Return leg 09:15-09:29; a break 09:10-09:25 overlaps it.
    v["rounds"][2]["stops"][1] = json!({ "kind": "break", "start": "09:10", "end": "09:25" });
    let m = expect_only(&check_json(&v), "break");
    assert!(m[0].contains("overlaps the 14 min return travel"));
}

// -------------------------------------------------------------- after-gap

#[test]
fn after_gap_too_short() {
    let mut req = request();
    // P001-lunch (12:00) must now be 300 min after P001-am (07:30): 12:30.
    req.clients[0].visits[1].after.as_mut().unwrap().min_gap = 300;
    let m = expect_only(&check(&req, &plan()), "after-gap");
    assert!(
        m[0].contains("P001-lunch (client P001) starts 12:00") && m[0].contains("not before 12:30")
    );
}

#[test]
fn after_target_not_served() {
    let mut req = request();
    // Make P003-am follow P004-am, which is unserved.
    req.clients[2].visits[0].after = Some(rota::model::After {
        visit: "P004-am".into(),
        min_gap: 10,
        max_gap: None,
    });
    let m = expect_only(&check(&req, &plan()), "after-gap");
    assert!(m[0].contains("P004-am") && m[0].contains("is not"));
}

// ----------------------------------------------------------- whole-client

#[test]
fn partial_client() {
    let mut p = plan();
    // Drop P001-lunch from C01's round (other figures are then off too).
    p.rounds[0].stops.remove(3);
    p.rounds[0].return_time = Some(t("11:00"));
    let r = check(&request(), &p);
    let m = expect(&r, "whole-client");
    assert!(m[0].contains("P001") && m[0].contains("P001-lunch"));
}

// ------------------------------------------------------------- accounting

#[test]
fn client_dropped_entirely() {
    let mut p = plan();
    p.unserved.clear();
    let m = expect_only(&check(&request(), &p), "accounting");
    assert!(m[0].contains("P004") && m[0].contains("neither"));
}

#[test]
fn client_listed_twice_in_unserved() {
    let mut p = plan();
    let u = p.unserved[0].clone();
    p.unserved.push(u);
    let m = expect_only(&check(&request(), &p), "accounting");
    assert!(m[0].contains("P004") && m[0].contains("more than once"));
}

#[test]
fn served_client_also_unserved() {
    let mut p = plan();
    let mut u = p.unserved[0].clone();
    u.client = "P003".into();
    p.unserved.push(u);
    let m = expect_only(&check(&request(), &p), "accounting");
    assert!(m[0].contains("P003") && m[0].contains("both"));
}

#[test]
fn unknown_unserved_client() {
    let mut p = plan();
    let mut u = p.unserved[0].clone();
    u.client = "P999".into();
    p.unserved.push(u);
    let m = expect_only(&check(&request(), &p), "accounting");
    assert!(m[0].contains("P999"));
}

#[test]
fn unserved_without_reason() {
    let mut p = plan();
    p.unserved[0].reasons.clear();
    let m = expect_only(&check(&request(), &p), "accounting");
    assert!(m[0].contains("without a reason"));
}

#[test]
fn unserved_reason_with_empty_code() {
    let mut p = plan();
    p.unserved[0].reasons[0].code = String::new();
    expect_only(&check(&request(), &p), "accounting");
}

// ---------------------------------------------------------- round-figures

#[test]
fn wrong_round_travel() {
    let mut p = plan();
    p.rounds[0].travel_minutes = 20;
    p.summary.travel_minutes -= 6;
    let m = expect_only(&check(&request(), &p), "round-figures");
    assert!(m[0].contains("travel_minutes 20") && m[0].contains("26"));
}

#[test]
fn wrong_round_care() {
    let mut p = plan();
    p.rounds[1].care_minutes = 90;
    p.summary.care_minutes += 45;
    let m = expect_only(&check(&request(), &p), "round-figures");
    assert!(m[0].contains("care_minutes 90") && m[0].contains("45"));
}

// ---------------------------------------------------------------- summary

#[test]
fn wrong_summary_figures() {
    let cases: [(&str, Value); 9] = [
        ("clients_total", json!(5)),
        ("clients_served", json!(4)),
        ("priority_served", json!(7)),
        ("visits_total", json!(4)),
        ("visits_served", json!(3)),
        ("care_minutes", json!(135)),
        ("travel_minutes", json!(70)),
        ("continuity_assignments", json!(4)),
        ("upper_bound_priority", json!(5)),
    ];
    for (field, value) in cases {
        let mut v = plan_json();
        v["summary"][field] = value;
        let m = expect_only(&check_json(&v), "summary");
        assert!(m[0].contains(field), "{field}: {m:?}");
    }
}

#[test]
fn negative_solve_seconds() {
    let mut p = plan();
    p.summary.solve_seconds = -1.0;
    expect_only(&check(&request(), &p), "summary");
    p.summary.solve_seconds = f64::NAN;
    expect_only(&check(&request(), &p), "summary");
}

#[test]
fn missing_upper_bound_is_fine() {
    let mut p = plan();
    p.summary.upper_bound_priority = None;
    assert!(check(&request(), &p).is_valid());
}

// ------------------------------------------------------------- robustness

#[test]
fn absurd_plans_do_not_panic() {
    let mut v = plan_json();
    // Everything reversed, ends before starts, huge numbers, unknown ids.
    v["rounds"][0]["stops"] = json!([
        { "kind": "visit", "visit": "P001-lunch", "client": "P9",
          "arrive": "23:59", "start": "00:00", "end": "00:00",
          "travel_minutes": 4294967295u32, "with": ["C01", "C01", "nobody"] },
        { "kind": "break", "start": "23:00", "end": "01:00" },
        { "kind": "break", "start": "00:00", "end": "00:00" },
        { "kind": "visit", "visit": "nope", "client": "P001",
          "arrive": "00:00", "start": "00:00", "end": "00:00", "travel_minutes": 0, "with": [] }
    ]);
    v["rounds"][0]["travel_minutes"] = json!(4294967295u32);
    v["rounds"][0]["care_minutes"] = json!(4294967295u32);
    v["summary"]["care_minutes"] = json!(u64::MAX);
    v["summary"]["travel_minutes"] = json!(u64::MAX);
    v["rounds"][1]["carer"] = json!("ghost");
    v["unserved"] = json!([{ "client": "", "reasons": [] }]);
    let r = check_json(&v);
    assert!(!r.is_valid());
    // Every message is non-empty and names its rule.
    for viol in &r.violations {
        assert!(!viol.message.is_empty());
    }
    let rules = r.rules();
    for rule in ["visit-id", "round-carer", "break", "accounting", "summary"] {
        assert!(rules.contains(&rule), "{rule} missing in {r}");
    }
}

#[test]
fn empty_plan_reports_every_client_and_round() {
    let mut p = plan();
    p.rounds.clear();
    p.unserved.clear();
    let r = check(&request(), &p);
    let acc = expect(&r, "accounting");
    assert_eq!(acc.len(), 4);
    let rc = expect(&r, "round-carer");
    assert_eq!(rc.len(), 4);
}

#[test]
fn report_serializes_to_json() {
    let mut p = plan();
    p.summary.clients_total = 9;
    let r = check(&request(), &p);
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["violations"][0]["rule"], "summary");
}

// --------------------------------------------------------- travel matrix

/// The fixture's drive legs as a matrix (walk stays on the formula).
/// `C01/end` is absent, so C01's own row/column serves its end location.
fn request_with_matrix(p1_to_c02_end: i64) -> Request {
    let mut req = request();
    let refs = ["C01", "C02", "C02/end", "P001", "P003"];
    let mut m = vec![vec![99i64; refs.len()]; refs.len()];
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 0;
    }
    let at = |r: &str| refs.iter().position(|x| *x == r).unwrap();
    m[at("C01")][at("P001")] = 6;
    m[at("P001")][at("P003")] = 7;
    m[at("P003")][at("P001")] = 7;
    m[at("P001")][at("C01")] = 6;
    m[at("C02")][at("P001")] = 8;
    m[at("P001")][at("C02/end")] = p1_to_c02_end;
    req.travel_matrix = Some(rota::model::TravelMatrix {
        refs: refs.iter().map(|s| s.to_string()).collect(),
        minutes: [("drive".to_string(), m)].into_iter().collect(),
    });
    req
}

#[test]
fn matrix_with_the_same_drive_times_accepts_the_plan() {
    let r = check(&request_with_matrix(7), &plan());
    assert!(r.is_valid(), "{r}");
}

#[test]
fn matrix_replaces_formula_for_the_return_leg() {
    // C02 now needs 9 min home: return 08:22 is too early, and the round's
    // travel figure (8 + 7) no longer adds up.
    let r = check(&request_with_matrix(9), &plan());
    let m = expect(&r, "return");
    assert!(m[0].contains("earliest 08:24"), "{m:?}");
    expect(&r, "round-figures");
}

#[test]
fn every_stop_time_permutation_is_checked_without_panic() {
    let times = ["00:00", "07:00", "12:00", "23:59"];
    let base = plan_json();
    let req = request();
    let mut checked = 0;
    for ri in 0..3 {
        let n = base["rounds"][ri]["stops"].as_array().unwrap().len();
        for si in 0..n {
            for field in ["arrive", "start", "end"] {
                for tm in times {
                    let mut v = base.clone();
                    if v["rounds"][ri]["stops"][si].get(field).is_none() {
                        continue;
                    }
                    v["rounds"][ri]["stops"][si][field] = json!(tm);
                    v["rounds"][ri]["return"] = json!(tm);
                    let p = plan_from_str(&v.to_string()).unwrap();
                    let _ = check(&req, &p);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50);
}

#[test]
fn huge_matrix_values_do_not_overflow() {
    let mut req = request_with_matrix(i64::MAX);
    let r = check(&req, &plan());
    expect(&r, "return");
    req = request_with_matrix(i64::MIN);
    let r = check(&req, &plan());
    assert!(!r.is_valid());
}
