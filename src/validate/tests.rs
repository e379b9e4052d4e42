//! Unit tests of every validation code, through [`super::validate`].

use super::*;
use crate::model::{After, Break, Shift, TravelMatrix};
use crate::parse::request_from_str;
use chrono::NaiveTime;
use std::collections::BTreeMap;

const BASE: &str = r#"{
  "date": "2026-11-23",
  "settings": { "time_limit_seconds": 10, "seed": 1,
    "travel": { "detour_factor": 1.3,
                "speed_kmh": { "drive": 40, "bike": 15, "walk": 4.8 },
                "leg_overhead_minutes": { "drive": 3, "bike": 1, "walk": 0 } } },
  "carers": [
    { "id": "C01", "travel_mode": "drive",
      "shift": { "start": "07:00", "end": "15:00",
                 "break": { "earliest": "10:30", "latest": "12:30", "minutes": 20 } },
      "start_location": { "lat": 52.0565, "lon": -2.7160 },
      "end_location":   { "lat": 52.0700, "lon": -2.7000 },
      "skills": ["medication", "hoist"], "gender": "f" },
    { "id": "C02", "travel_mode": "bike",
      "shifts": [ { "start": "07:00", "end": "11:00" },
                  { "start": "14:00", "end": "18:00",
                    "break": { "earliest": "15:00", "latest": "16:00", "minutes": 15 } } ],
      "start_location": { "lat": 52.05, "lon": -2.72 }, "gender": "m" }
  ],
  "clients": [
    { "id": "P001", "location": { "lat": 52.0612, "lon": -2.7321 }, "priority": 3,
      "preferred_carers": ["C01"], "excluded_carers": ["C02"], "carer_gender": "f",
      "visits": [
        { "id": "P001-am", "window": { "start": "07:30", "end": "09:00" },
          "duration": 45, "carers_required": 2, "skills": ["hoist"] },
        { "id": "P001-lunch", "window": { "start": "12:00", "end": "13:30" },
          "duration": 30, "after": { "visit": "P001-am", "min_gap": 180 } } ] },
    { "id": "P002", "location": { "lat": 52.04, "lon": -2.71 },
      "visits": [
        { "id": "P002-pm", "window": { "start": "14:00", "end": "16:00" }, "duration": 30 } ] }
  ],
  "travel_matrix": null
}"#;

fn base() -> Request {
    request_from_str(BASE).expect("base request parses")
}

fn t(s: &str) -> NaiveTime {
    crate::model::hhmm::parse(s).unwrap()
}

/// A square matrix over `refs` for drive and walk.
fn matrix_for(refs: &[&str]) -> TravelMatrix {
    let n = refs.len();
    let m: Vec<Vec<i64>> = (0..n)
        .map(|a| (0..n).map(|b| (a as i64 - b as i64).abs() * 5).collect())
        .collect();
    let mut minutes = BTreeMap::new();
    minutes.insert("drive".to_string(), m.clone());
    minutes.insert("walk".to_string(), m);
    TravelMatrix {
        refs: refs.iter().map(|s| s.to_string()).collect(),
        minutes,
    }
}

fn with_matrix() -> Request {
    let mut r = base();
    r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "C02", "P001", "P002"]));
    r
}

/// Errors and warnings alike (warnings are tested in `warnings_tests`).
fn issues(r: &Request) -> Vec<Issue> {
    findings(r)
}

#[track_caller]
fn assert_has(r: &Request, code: &str, path: &str) {
    let got = issues(r);
    assert!(
        got.iter().any(|i| i.code == code && i.path == path),
        "expected {code} at {path}, got:\n{}",
        got.iter()
            .map(|i| format!("  {i}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for i in &got {
        assert!(!i.message.is_empty() && !i.hint.is_empty(), "{i:?}");
    }
}

#[track_caller]
fn assert_lacks(r: &Request, code: &str) {
    let got = issues(r);
    assert!(
        !got.iter().any(|i| i.code == code),
        "unexpected {code}: {got:?}"
    );
}

/// The break of carer `c`'s single shift.
fn break_of(r: &mut Request, c: usize) -> &mut Break {
    r.carers[c].shift.as_mut().unwrap().brk.as_mut().unwrap()
}

fn matrix(r: &mut Request) -> &mut TravelMatrix {
    r.travel_matrix.as_mut().unwrap()
}

fn drive(r: &mut Request) -> &mut Vec<Vec<i64>> {
    matrix(r).minutes.get_mut("drive").unwrap()
}

// ------------------------------------------------------------ clean

#[test]
fn base_request_is_valid() {
    assert_eq!(issues(&base()), vec![]);
}

#[test]
fn base_request_with_matrix_is_valid() {
    assert_eq!(issues(&with_matrix()), vec![]);
}

#[test]
fn end_ref_not_needed_when_end_equals_start() {
    let mut r = base();
    r.carers[0].end_location = None;
    r.travel_matrix = Some(matrix_for(&["C01", "C02", "P001", "P002"]));
    assert_eq!(issues(&r), vec![]);
    // Same location given explicitly: still not needed, and allowed.
    r.carers[0].end_location = Some(r.carers[0].start_location);
    assert_eq!(issues(&r), vec![]);
    r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "C02", "P001", "P002"]));
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn empty_request_is_valid() {
    let r = request_from_str(r#"{"date":"2026-11-23","carers":[],"clients":[]}"#).unwrap();
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn touching_shifts_are_allowed() {
    let mut r = base();
    let s = r.carers[1].shifts.as_mut().unwrap();
    s[1].start = t("11:00");
    s[1].brk = None;
    assert_eq!(issues(&r), vec![]);
}

// ------------------------------------------------------------ E11xx ids

#[test]
fn e1101_empty_ids() {
    let mut r = base();
    r.carers[1].id.clear();
    assert_has(&r, "E1101", "carers[1].id");
    let mut r = base();
    r.clients[1].id.clear();
    assert_has(&r, "E1101", "clients[1].id");
    let mut r = base();
    r.clients[1].visits[0].id.clear();
    assert_has(&r, "E1101", "clients[1].visits[0].id");
}

#[test]
fn e1102_duplicate_carer_id() {
    let mut r = base();
    r.carers[1].id = "C01".into();
    assert_has(&r, "E1102", "carers[1].id");
    assert!(issues(&r)[0].message.contains("'C01'"));
}

#[test]
fn e1103_duplicate_client_id() {
    let mut r = base();
    r.clients[1].id = "P001".into();
    assert_has(&r, "E1103", "clients[1].id");
}

#[test]
fn e1104_duplicate_visit_id_across_clients() {
    let mut r = base();
    r.clients[1].visits[0].id = "P001-am".into();
    assert_has(&r, "E1104", "clients[1].visits[0].id");
    let mut r = base();
    r.clients[0].visits[1].id = "P001-am".into();
    r.clients[0].visits[1].after = None;
    assert_has(&r, "E1104", "clients[0].visits[1].id");
}

#[test]
fn e1105_client_without_visits() {
    let mut r = base();
    r.clients[1].visits.clear();
    assert_has(&r, "E1105", "clients[1].visits");
}

#[test]
fn e1106_carer_id_with_slash() {
    let mut r = base();
    r.carers[1].id = "C/02".into();
    assert_has(&r, "E1106", "carers[1].id");
}

#[test]
fn e1107_client_id_equal_to_carer_ref() {
    let mut r = base();
    r.clients[1].id = "C02".into();
    assert_has(&r, "E1107", "clients[1].id");
    let mut r = base();
    r.clients[1].id = "C01/end".into();
    assert_has(&r, "E1107", "clients[1].id");
}

#[test]
fn e1108_priority_zero() {
    let mut r = base();
    r.clients[0].priority = 0;
    assert_has(&r, "E1108", "clients[0].priority");
}

#[test]
fn e1109_no_carers_is_one_warning_first_without_e1501_e1502_per_client() {
    let mut r = base();
    r.clients[0].preferred_carers = vec!["C01".into()];
    r.clients[0].excluded_carers = vec!["C02".into()];
    r.clients[1].preferred_carers = vec!["C03".into()];
    r.clients[1].excluded_carers = vec!["C03".into()];
    r.carers.clear();
    assert_eq!(validate(&r), Ok(()));
    let w = warnings(&r);
    // E1503 (both preferred and excluded) is about the client's own lists,
    // not the rota: it stays; E1501/E1502 would only repeat E1109.
    assert_eq!(codes(&w), vec!["E1109", "E1503"], "{w:?}");
    assert_eq!(w[0].path, "carers");
    assert!(
        w[0].message.contains("no carers") && w[0].message.contains("no client can be served"),
        "{}",
        w[0].message
    );
    r.settings.strict = true;
    assert_eq!(codes(&validate(&r).unwrap_err().0), vec!["E1109", "E1503"]);
}

// ------------------------------------------------------------ E12xx times

#[test]
fn e1201_window_end_before_start() {
    let mut r = base();
    r.clients[0].visits[1].window.end = t("11:59");
    assert_has(&r, "E1201", "clients[0].visits[1].window");
}

#[test]
fn e1202_duration_zero() {
    let mut r = base();
    r.clients[1].visits[0].duration = 0;
    assert_has(&r, "E1202", "clients[1].visits[0].duration");
}

#[test]
fn e1203_duration_longer_than_day() {
    let mut r = base();
    r.clients[1].visits[0].duration = 1441;
    assert_has(&r, "E1203", "clients[1].visits[0].duration");
    assert_lacks(&r, "E1204");
}

#[test]
fn e1204_visit_cannot_end_by_midnight() {
    let mut r = base();
    let v = &mut r.clients[1].visits[0];
    v.window.start = t("23:30");
    v.window.end = t("23:45");
    v.duration = 31;
    assert_has(&r, "E1204", "clients[1].visits[0]");
    // Ending exactly at midnight is fine.
    r.clients[1].visits[0].duration = 30;
    assert_lacks(&r, "E1204");
}

#[test]
fn e1205_carers_required() {
    for n in [0, 3] {
        let mut r = base();
        r.clients[1].visits[0].carers_required = n;
        assert_has(&r, "E1205", "clients[1].visits[0].carers_required");
    }
}

#[test]
fn e1207_due_outside_the_window() {
    for due in ["07:59", "10:01"] {
        let mut r = base();
        let w = &mut r.clients[0].visits[0].window;
        w.start = t("08:00");
        w.end = t("10:00");
        w.due = Some(t(due));
        assert_has(&r, "E1207", "clients[0].visits[0].window.due");
    }
    // Either end of the window is a due time.
    for due in ["08:00", "10:00"] {
        let mut r = base();
        let w = &mut r.clients[0].visits[0].window;
        w.start = t("08:00");
        w.end = t("10:00");
        w.due = Some(t(due));
        assert_lacks(&r, "E1207");
    }
}

#[test]
fn e1206_min_gap_longer_than_day() {
    let mut r = base();
    r.clients[0].visits[1].after.as_mut().unwrap().min_gap = 1441;
    assert_has(&r, "E1206", "clients[0].visits[1].after.min_gap");
}

/// The base request's lunch call's `after` (180 min after the morning call).
fn lunch_after(r: &mut Request) -> &mut After {
    r.clients[0].visits[1].after.as_mut().unwrap()
}

#[test]
fn e1208_max_gap_longer_than_day() {
    let mut r = base();
    lunch_after(&mut r).max_gap = Some(1441);
    assert_has(&r, "E1208", "clients[0].visits[1].after.max_gap");
    assert_lacks(&r, "E1209");
    // A whole day is allowed.
    lunch_after(&mut r).max_gap = Some(1440);
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn e1209_max_gap_shorter_than_min_gap() {
    let mut r = base();
    lunch_after(&mut r).max_gap = Some(179);
    assert_has(&r, "E1209", "clients[0].visits[1].after.max_gap");
    let i = issues(&r);
    assert!(i[0].message.contains("179") && i[0].message.contains("180"));
    // Equal fixes the gap; min_gap 0 with a max is fine too.
    lunch_after(&mut r).max_gap = Some(180);
    assert_eq!(issues(&r), vec![]);
    let a = lunch_after(&mut r);
    a.min_gap = 0;
    a.max_gap = Some(0);
    assert_eq!(issues(&r), vec![]);
}

/// The base request with a second visit of P002, `P002-ot` (one carer,
/// 14:00-16:00), that starts together with `P002-pm`.
fn joint() -> Request {
    let mut r = base();
    let mut ot = r.clients[1].visits[0].clone();
    ot.id = "P002-ot".into();
    ot.starts_with = Some(crate::model::StartsWith {
        visit: "P002-pm".into(),
    });
    r.clients[1].visits.push(ot);
    r
}

fn starts_with(r: &mut Request, client: usize, visit: usize) -> &mut crate::model::StartsWith {
    r.clients[client].visits[visit]
        .starts_with
        .as_mut()
        .unwrap()
}

#[test]
fn a_starts_with_pair_is_valid() {
    assert_eq!(issues(&joint()), vec![]);
    // Declared on the first of the two instead: as valid.
    let mut r = joint();
    r.clients[1].visits[1].starts_with = None;
    r.clients[1].visits[0].starts_with = Some(crate::model::StartsWith {
        visit: "P002-ot".into(),
    });
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn e1210_starts_with_names_no_visit() {
    let mut r = joint();
    starts_with(&mut r, 1, 1).visit = "P002-nope".into();
    assert_has(&r, "E1210", "clients[1].visits[1].starts_with.visit");
    assert_eq!(issues(&r).len(), 1);
}

#[test]
fn e1211_starts_with_names_another_clients_visit() {
    let mut r = joint();
    starts_with(&mut r, 1, 1).visit = "P001-lunch".into();
    assert_has(&r, "E1211", "clients[1].visits[1].starts_with.visit");
    let i = issues(&r);
    assert_eq!(i.len(), 1, "{i:?}");
    assert!(i[0].message.contains("P001"), "{}", i[0].message);
}

#[test]
fn e1212_starts_with_itself() {
    let mut r = joint();
    starts_with(&mut r, 1, 1).visit = "P002-ot".into();
    assert_has(&r, "E1212", "clients[1].visits[1].starts_with.visit");
    assert_eq!(issues(&r).len(), 1);
}

#[test]
fn e1213_starts_with_a_double_up() {
    // The named visit needs two carers.
    let mut r = joint();
    r.clients[1].visits[0].carers_required = 2;
    assert_has(&r, "E1213", "clients[1].visits[1].starts_with");
    assert!(issues(&r)[0].message.contains("'P002-pm' needs 2"));
    // The declaring one.
    let mut r = joint();
    r.clients[1].visits[1].carers_required = 2;
    assert_has(&r, "E1213", "clients[1].visits[1].starts_with");
    assert_eq!(issues(&r).len(), 1);
}

#[test]
fn e1214_a_visit_in_two_pairs() {
    // Declared on both visits of the pair.
    let mut r = joint();
    r.clients[1].visits[0].starts_with = Some(crate::model::StartsWith {
        visit: "P002-ot".into(),
    });
    assert_has(&r, "E1214", "clients[1].visits[1].starts_with.visit");
    assert_eq!(issues(&r).len(), 1, "{:?}", issues(&r));
    // A chain: a third visit starts with the second.
    let mut r = joint();
    let mut third = r.clients[1].visits[1].clone();
    third.id = "P002-nurse".into();
    starts_with_of(&mut third).visit = "P002-ot".into();
    r.clients[1].visits.push(third);
    assert_has(&r, "E1214", "clients[1].visits[2].starts_with.visit");
    // A third visit naming the first.
    let mut r = joint();
    let mut third = r.clients[1].visits[1].clone();
    third.id = "P002-nurse".into();
    r.clients[1].visits.push(third);
    assert_has(&r, "E1214", "clients[1].visits[2].starts_with.visit");
    assert_eq!(issues(&r).len(), 1);
}

fn starts_with_of(v: &mut crate::model::Visit) -> &mut crate::model::StartsWith {
    v.starts_with.as_mut().unwrap()
}

#[test]
fn e1215_after_between_the_two() {
    for (k, named) in [(1, "P002-pm"), (0, "P002-ot")] {
        let mut r = joint();
        r.clients[1].visits[k].after = Some(After {
            visit: named.into(),
            min_gap: 0,
            max_gap: None,
        });
        assert_has(&r, "E1215", "clients[1].visits[1].starts_with");
        assert_eq!(issues(&r).len(), 1, "{:?}", issues(&r));
    }
}

// ------------------------------------------------------------ E13xx travel

#[test]
fn e1301_unknown_travel_mode() {
    let mut r = base();
    r.carers[0].travel_mode = "car".into();
    assert_has(&r, "E1301", "carers[0].travel_mode");
    let i = &issues(&r)[0];
    assert!(i.message.contains("'car'"), "{i}");
    assert!(i.hint.contains("drive") && i.hint.contains("bike") && i.hint.contains("walk"));
}

#[test]
fn e1302_unknown_speed_key() {
    let mut r = base();
    r.settings.travel.speed_kmh.insert("car".into(), 50.0);
    assert_has(&r, "E1302", "settings.travel.speed_kmh.car");
}

#[test]
fn e1303_unknown_overhead_key() {
    let mut r = base();
    r.settings
        .travel
        .leg_overhead_minutes
        .insert("car".into(), 2);
    assert_has(&r, "E1303", "settings.travel.leg_overhead_minutes.car");
}

#[test]
fn e1304_bad_speed() {
    for s in [0.0, -4.0, f64::NAN, f64::INFINITY] {
        let mut r = base();
        r.settings.travel.speed_kmh.insert("walk".into(), s);
        assert_has(&r, "E1304", "settings.travel.speed_kmh.walk");
    }
}

#[test]
fn e1305_bad_overhead() {
    for o in [-1, 1441, i64::MIN, i64::MAX] {
        let mut r = base();
        r.settings
            .travel
            .leg_overhead_minutes
            .insert("bike".into(), o);
        assert_has(&r, "E1305", "settings.travel.leg_overhead_minutes.bike");
    }
}

#[test]
fn e1306_bad_detour_factor() {
    for d in [0.99, 0.0, f64::NAN, f64::INFINITY] {
        let mut r = base();
        r.settings.travel.detour_factor = d;
        assert_has(&r, "E1306", "settings.travel.detour_factor");
    }
    let mut r = base();
    r.settings.travel.detour_factor = 1.0;
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn e1307_bad_time_limit() {
    for x in [0.0, -1.0, f64::NAN, f64::INFINITY, 5e-324, 0.0009] {
        let mut r = base();
        r.settings.time_limit_seconds = x;
        assert_has(&r, "E1307", "settings.time_limit_seconds");
    }
    // Said briefly: not 5e-324 as 300 zeros.
    let mut r = base();
    r.settings.time_limit_seconds = 5e-324;
    let found = issues(&r);
    let msg = &found[0].message;
    assert!(msg.contains("5e-324") && msg.len() < 120, "{msg}");
    let mut r = base();
    r.settings.time_limit_seconds = 0.001;
    assert_eq!(issues(&r), vec![]);
}

// ------------------------------------------------------------ E14xx shifts

#[test]
fn e1401_no_shift() {
    let mut r = base();
    r.carers[0].shift = None;
    assert_has(&r, "E1401", "carers[0]");
}

#[test]
fn e1402_shift_and_shifts() {
    let mut r = base();
    r.carers[0].shifts = Some(vec![Shift {
        start: t("16:00"),
        end: t("20:00"),
        brk: None,
    }]);
    assert_has(&r, "E1402", "carers[0].shifts");
}

#[test]
fn e1403_empty_shifts() {
    let mut r = base();
    r.carers[1].shifts = Some(vec![]);
    assert_has(&r, "E1403", "carers[1].shifts");
}

#[test]
fn e1404_shift_end_not_after_start() {
    let mut r = base();
    r.carers[1].shifts.as_mut().unwrap()[0].end = t("07:00");
    assert_has(&r, "E1404", "carers[1].shifts[0]");
    let mut r = base();
    r.carers[0].shift.as_mut().unwrap().end = t("06:00");
    assert_has(&r, "E1404", "carers[0].shift");
}

#[test]
fn e1405_overlapping_shifts() {
    let mut r = base();
    r.carers[1].shifts.as_mut().unwrap()[1].start = t("10:59");
    r.carers[1].shifts.as_mut().unwrap()[1].brk = None;
    assert_has(&r, "E1405", "carers[1].shifts[1]");
}

#[test]
fn e1406_break_zero_minutes() {
    let mut r = base();
    break_of(&mut r, 0).minutes = 0;
    assert_has(&r, "E1406", "carers[0].shift.break.minutes");
}

#[test]
fn e1407_break_longer_than_shift() {
    let mut r = base();
    break_of(&mut r, 0).minutes = 481;
    assert_has(&r, "E1407", "carers[0].shift.break.minutes");
}

#[test]
fn e1408_break_latest_before_earliest() {
    let mut r = base();
    break_of(&mut r, 0).latest = t("10:00");
    assert_has(&r, "E1408", "carers[0].shift.break");
}

#[test]
fn e1409_break_outside_shift() {
    let mut r = base();
    break_of(&mut r, 0).earliest = t("06:59");
    assert_has(&r, "E1409", "carers[0].shift.break.earliest");
    let mut r = base();
    r.carers[1].shifts.as_mut().unwrap()[1]
        .brk
        .as_mut()
        .unwrap()
        .latest = t("17:46");
    assert_has(&r, "E1409", "carers[1].shifts[1].break.latest");
    // latest + minutes == shift end is fine.
    r.carers[1].shifts.as_mut().unwrap()[1]
        .brk
        .as_mut()
        .unwrap()
        .latest = t("17:45");
    assert_eq!(issues(&r), vec![]);
}

// ------------------------------------------------------------ E15xx refs

#[test]
fn e1501_unknown_preferred_carer() {
    let mut r = base();
    r.clients[0].preferred_carers.push("C99".into());
    assert_has(&r, "E1501", "clients[0].preferred_carers[1]");
}

#[test]
fn e1502_unknown_excluded_carer() {
    let mut r = base();
    r.clients[0].excluded_carers = vec!["C02".into(), "C07".into()];
    assert_has(&r, "E1502", "clients[0].excluded_carers[1]");
}

#[test]
fn e1503_preferred_and_excluded() {
    let mut r = base();
    r.clients[0].excluded_carers.push("C01".into());
    assert_has(&r, "E1503", "clients[0].excluded_carers[1]");
}

#[test]
fn e1504_after_unknown_visit() {
    let mut r = base();
    r.clients[0].visits[1].after.as_mut().unwrap().visit = "P001-xx".into();
    assert_has(&r, "E1504", "clients[0].visits[1].after.visit");
}

#[test]
fn e1505_after_visit_of_other_client() {
    let mut r = base();
    r.clients[0].visits[1].after.as_mut().unwrap().visit = "P002-pm".into();
    assert_has(&r, "E1505", "clients[0].visits[1].after.visit");
    assert!(issues(&r)[0].message.contains("'P002'"));
}

#[test]
fn e1506_after_itself() {
    let mut r = base();
    r.clients[0].visits[1].after.as_mut().unwrap().visit = "P001-lunch".into();
    assert_has(&r, "E1506", "clients[0].visits[1].after.visit");
    assert_lacks(&r, "E1507");
}

#[test]
fn e1507_after_cycle() {
    let mut r = base();
    r.clients[0].visits[0].after = Some(After {
        visit: "P001-lunch".into(),
        min_gap: 0,
        max_gap: None,
    });
    assert_has(&r, "E1507", "clients[0].visits[0].after.visit");
    assert_eq!(issues(&r).len(), 1, "one issue per cycle");
}

#[test]
fn e1507_longer_cycle_reported_once() {
    let mut r = base();
    let v = r.clients[1].visits[0].clone();
    let mk = |id: &str, after: &str| {
        let mut w = v.clone();
        w.id = id.into();
        w.after = Some(After {
            visit: after.into(),
            min_gap: 10,
            max_gap: None,
        });
        w
    };
    r.clients[1].visits = vec![mk("a", "c"), mk("b", "a"), mk("c", "b"), mk("d", "a")];
    let got = issues(&r);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].code, "E1507");
    assert_eq!(got[0].path, "clients[1].visits[0].after.visit");
}

#[test]
fn e1508_empty_gender() {
    let mut r = base();
    r.clients[0].carer_gender = Some(String::new());
    assert_has(&r, "E1508", "clients[0].carer_gender");
    let mut r = base();
    r.carers[1].gender = Some(" ".into());
    assert_has(&r, "E1508", "carers[1].gender");
}

// ------------------------------------------------------------ E16xx matrix

#[test]
fn e1601_duplicate_ref() {
    let mut r = base();
    r.travel_matrix = Some(matrix_for(&[
        "C01", "C01/end", "C02", "P001", "P002", "C02",
    ]));
    assert_has(&r, "E1601", "travel_matrix.refs[5]");
}

#[test]
fn e1602_unknown_matrix_mode() {
    let mut r = with_matrix();
    let m = matrix(&mut r).minutes["drive"].clone();
    matrix(&mut r).minutes.insert("car".into(), m);
    assert_has(&r, "E1602", "travel_matrix.minutes.car");
}

#[test]
fn e1603_matrix_not_square() {
    let mut r = with_matrix();
    drive(&mut r)[2].pop();
    assert_has(&r, "E1603", "travel_matrix.minutes.drive[2]");
    let mut r = with_matrix();
    drive(&mut r).pop();
    assert_has(&r, "E1603", "travel_matrix.minutes.drive");
}

#[test]
fn e1604_negative_entry() {
    let mut r = with_matrix();
    drive(&mut r)[2][3] = -1;
    assert_has(&r, "E1604", "travel_matrix.minutes.drive[2][3]");
}

#[test]
fn e1604_many_negatives_are_capped() {
    let mut r = base();
    let n = 60;
    let refs: Vec<String> = (0..n).map(|k| format!("R{k}")).collect();
    let mut minutes = BTreeMap::new();
    minutes.insert("walk".to_string(), vec![vec![-5i64; n]; n]);
    r.travel_matrix = Some(TravelMatrix { refs, minutes });
    let got = issues(&r);
    let neg = got.iter().filter(|i| i.code == "E1604").count();
    assert_eq!(neg, MAX_NEGATIVE_LISTED + 1);
    assert_has(&r, "E1604", "travel_matrix.minutes.walk");
}

#[test]
fn e1605_ref_names_nothing() {
    let mut r = base();
    r.travel_matrix = Some(matrix_for(&[
        "C01", "C01/end", "C02", "P001", "P002", "P003", "C03/end", "/end", "",
    ]));
    assert_has(&r, "E1605", "travel_matrix.refs[5]");
    assert_has(&r, "E1605", "travel_matrix.refs[6]");
    assert_has(&r, "E1605", "travel_matrix.refs[7]");
    assert_has(&r, "E1605", "travel_matrix.refs[8]");
}

#[test]
fn e1606_missing_refs() {
    let mut r = base();
    r.travel_matrix = Some(matrix_for(&["C01", "C02", "P001", "P002"]));
    assert_has(&r, "E1606", "travel_matrix.refs");
    assert!(issues(&r)[0].message.contains("'C01/end'"));
    let mut r = base();
    r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "P001"]));
    let got = issues(&r);
    let missing: Vec<_> = got.iter().filter(|i| i.code == "E1606").collect();
    assert_eq!(missing.len(), 2, "{got:?}");
    assert!(missing[0].message.contains("'C02'"));
    assert!(missing[1].message.contains("'P002'"));
}

// ------------------------------------------------------------ E17xx locations

#[test]
fn e1701_non_finite_coordinate() {
    let mut r = base();
    r.clients[1].location.lat = f64::NAN;
    assert_has(&r, "E1701", "clients[1].location.lat");
    let mut r = base();
    r.carers[0].start_location.lon = f64::NEG_INFINITY;
    assert_has(&r, "E1701", "carers[0].start_location.lon");
}

#[test]
fn e1702_latitude_out_of_range() {
    let mut r = base();
    r.clients[0].location.lat = 90.5;
    assert_has(&r, "E1702", "clients[0].location.lat");
}

#[test]
fn e1703_longitude_out_of_range() {
    let mut r = base();
    r.carers[0].end_location.as_mut().unwrap().lon = -180.01;
    assert_has(&r, "E1703", "carers[0].end_location.lon");
}

// ------------------------------------------------------------ together

#[test]
fn several_problems_are_all_reported_in_document_order() {
    let mut r = with_matrix();
    r.settings.travel.speed_kmh.insert("car".into(), 50.0);
    r.carers[0].travel_mode = "car".into();
    r.carers[1].shifts = Some(vec![]);
    r.clients[0].priority = 0;
    r.clients[0].visits[1].window.end = t("11:00");
    r.clients[1].visits[0].id = "P001-am".into();
    r.clients[1].location.lon = 200.0;
    drive(&mut r)[0][1] = -3;
    let got: Vec<(&str, String)> = issues(&r).into_iter().map(|i| (i.code, i.path)).collect();
    let want: Vec<(&str, String)> = [
        ("E1302", "settings.travel.speed_kmh.car"),
        ("E1301", "carers[0].travel_mode"),
        ("E1403", "carers[1].shifts"),
        ("E1108", "clients[0].priority"),
        ("E1201", "clients[0].visits[1].window"),
        ("E1703", "clients[1].location.lon"),
        ("E1104", "clients[1].visits[0].id"),
        ("E1604", "travel_matrix.minutes.drive[0][1]"),
    ]
    .iter()
    .map(|(c, p)| (*c, p.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn output_is_deterministic() {
    let mut r = with_matrix();
    for c in &mut r.carers {
        c.id = "X".into();
    }
    for cl in &mut r.clients {
        cl.id = "Y".into();
        cl.preferred_carers = vec!["a".into(), "b".into(), "c".into()];
    }
    let a = issues(&r);
    assert!(!a.is_empty());
    for _ in 0..5 {
        assert_eq!(issues(&r), a);
    }
}

// ------------------------------------------------------------ weird values

#[test]
fn weird_values_do_not_panic() {
    let mut r = with_matrix();
    r.settings.time_limit_seconds = f64::NAN;
    r.settings.travel.detour_factor = f64::NEG_INFINITY;
    r.settings
        .travel
        .speed_kmh
        .insert("drive".into(), f64::INFINITY);
    r.settings.travel.speed_kmh.insert(String::new(), f64::NAN);
    r.settings
        .travel
        .leg_overhead_minutes
        .insert("walk".into(), i64::MIN);
    for c in &mut r.carers {
        c.id.clear();
        c.travel_mode.clear();
        c.start_location = Location {
            lat: f64::NAN,
            lon: f64::INFINITY,
        };
        c.end_location = Some(Location {
            lat: f64::MAX,
            lon: f64::MIN,
        });
        if let Some(s) = &mut c.shift {
            s.brk.as_mut().unwrap().minutes = u32::MAX;
        }
    }
    for cl in &mut r.clients {
        cl.priority = u32::MAX;
        cl.location.lat = f64::NAN;
        for v in &mut cl.visits {
            v.duration = u32::MAX;
            v.carers_required = u32::MAX;
            v.window.start = t("23:59");
            v.after = Some(After {
                visit: String::new(),
                min_gap: u32::MAX,
                max_gap: None,
            });
        }
    }
    let m = matrix(&mut r);
    m.refs.clear();
    m.minutes
        .insert("bike".into(), vec![vec![], vec![i64::MIN, i64::MAX]]);
    assert!(validate(&r).is_err());
}

#[test]
fn empty_lists_do_not_panic() {
    let mut r = base();
    r.carers[0].shift = None;
    r.carers[0].shifts = Some(vec![]);
    r.clients[0].visits.clear();
    r.clients[1].visits.clear();
    r.travel_matrix = Some(TravelMatrix {
        refs: vec![],
        minutes: BTreeMap::new(),
    });
    let got = issues(&r);
    assert!(got.iter().any(|i| i.code == "E1606"));
    let mut r = base();
    r.carers.clear();
    r.clients.clear();
    r.travel_matrix = Some(TravelMatrix {
        refs: vec![],
        minutes: [("drive".to_string(), vec![])].into_iter().collect(),
    });
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn every_code_is_documented() {
    let doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/validation.md"));
    let src = [
        include_str!("settings.rs"),
        include_str!("carers.rs"),
        include_str!("clients.rs"),
        include_str!("travel.rs"),
        include_str!("locks.rs"),
        include_str!("continuity.rs"),
        include_str!("locations.rs"),
        include_str!("../error.rs"),
        include_str!("../capacity/fit.rs"),
        include_str!("../plan/locks.rs"),
    ]
    .concat();
    let mut n = 0;
    for (k, _) in src.match_indices("\"E1") {
        let code = &src[k + 1..k + 6];
        if code.bytes().skip(1).all(|b| b.is_ascii_digit()) {
            n += 1;
            assert!(
                doc.contains(&format!("| {code} ")),
                "{code} not in docs/validation.md"
            );
        }
    }
    assert!(n > 40);
}

// ------------------------------------------------------------ warnings

fn codes(v: &[Issue]) -> Vec<&str> {
    v.iter().map(|i| i.code).collect()
}

#[test]
fn carers_not_on_the_rota_are_warnings_not_refusals() {
    let mut r = base();
    r.clients[0].preferred_carers.push("C99".into());
    r.clients[0].excluded_carers.push("C98".into());
    r.clients[1].preferred_carers = vec!["C02".into()];
    r.clients[1].excluded_carers = vec!["C02".into()];
    assert_eq!(validate(&r), Ok(()));
    let w = warnings(&r);
    assert_eq!(codes(&w), vec!["E1501", "E1502", "E1503"], "{w:?}");
    assert!(w.iter().all(Issue::is_warning));
    assert!(w[0].message.contains("C99") && !w[0].hint.is_empty());
    assert!(w[2].message.contains("exclusion wins"), "{}", w[2].message);
    // Strict: the same warnings refuse the request.
    r.settings.strict = true;
    let err = validate(&r).unwrap_err();
    assert_eq!(codes(&err.0), vec!["E1501", "E1502", "E1503"]);
}

#[test]
fn errors_still_refuse_and_warnings_are_not_among_them() {
    let mut r = base();
    r.clients[0].preferred_carers.push("C99".into());
    r.clients[0].priority = 0;
    let err = validate(&r).unwrap_err();
    assert_eq!(codes(&err.0), vec!["E1108"]);
    assert_eq!(codes(&warnings(&r)), vec!["E1501"]);
}

#[test]
fn e1704_swapped_coordinates_suggest_the_swap() {
    let mut r = base();
    r.carers[0].start_location = Location {
        lat: -2.715,
        lon: 52.061,
    };
    assert_eq!(validate(&r), Ok(()));
    let w = warnings(&r);
    assert_eq!(codes(&w), vec!["E1704"], "{w:?}");
    assert_eq!(w[0].path, "carers[0].start_location");
    assert!(
        w[0].message.contains("km from the median"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].hint.contains("swapped") && w[0].hint.contains("\"lat\": 52.061"),
        "{}",
        w[0].hint
    );
}

#[test]
fn e1704_far_location_without_a_swap_says_check_it() {
    let mut r = base();
    // Edinburgh: far from Hereford, and swapping does not help.
    r.clients[1].location = Location {
        lat: 55.95,
        lon: -3.19,
    };
    let w = warnings(&r);
    assert_eq!(codes(&w), vec!["E1704"], "{w:?}");
    assert_eq!(w[0].path, "clients[1].location");
    assert!(!w[0].hint.contains("swapped"), "{}", w[0].hint);
    // Within 100 km: nothing.
    r.clients[1].location = Location {
        lat: 52.5,
        lon: -2.7,
    };
    assert!(warnings(&r).is_empty());
}

/// Every carer start, carer end and client location with lat and lon
/// swapped.
fn all_swapped(r: &mut Request) {
    let swap = |l: &mut Location| {
        *l = Location {
            lat: l.lon,
            lon: l.lat,
        }
    };
    for c in &mut r.carers {
        swap(&mut c.start_location);
        if let Some(e) = &mut c.end_location {
            swap(e);
        }
    }
    for k in &mut r.clients {
        swap(&mut k.location);
    }
}

/// Around Hereford, where `base()` is.
fn hereford() -> crate::model::ServiceArea {
    crate::model::ServiceArea {
        min_lat: 51.9,
        min_lon: -2.9,
        max_lat: 52.2,
        max_lon: -2.5,
    }
}

#[test]
fn e1706_every_location_swapped_is_one_warning_naming_the_swap() {
    let mut r = base();
    all_swapped(&mut r);
    // Compared with itself the request looks fine: E1704 cannot see it.
    assert!(warnings(&r).is_empty(), "{:?}", warnings(&r));
    r.settings.service_area = Some(hereford());
    assert_eq!(validate(&r), Ok(()));
    let w = warnings(&r);
    assert_eq!(codes(&w), vec!["E1706"], "{w:?}");
    assert_eq!(w[0].path, "settings.service_area");
    assert!(
        w[0].message
            .contains("every one of the request's 5 locations"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].hint.contains("swapped throughout") && w[0].hint.contains("all 5"),
        "{}",
        w[0].hint
    );
    // The same request the right way round: nothing.
    let mut r = base();
    r.settings.service_area = Some(hereford());
    assert!(warnings(&r).is_empty());
}

#[test]
fn e1706_one_location_outside_the_area_is_named_with_the_swap_if_it_helps() {
    let mut r = base();
    r.settings.service_area = Some(hereford());
    r.clients[1].location = Location {
        lat: -2.71,
        lon: 52.04,
    };
    r.carers[1].start_location = Location {
        lat: 55.95,
        lon: -3.19,
    };
    let w: Vec<Issue> = warnings(&r)
        .into_iter()
        .filter(|i| i.code == "E1706")
        .collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].path, "carers[1].start_location");
    assert!(!w[0].hint.contains("swapped"), "{}", w[0].hint);
    assert_eq!(w[1].path, "clients[1].location");
    assert!(w[1].message.contains("outside the service area"));
    assert!(
        w[1].hint.contains("swapped") && w[1].hint.contains("\"lat\": 52.04"),
        "{}",
        w[1].hint
    );
}

#[test]
fn e1705_a_service_area_that_is_no_box_is_an_error() {
    let mut r = base();
    let mut a = hereford();
    std::mem::swap(&mut a.min_lat, &mut a.max_lat);
    r.settings.service_area = Some(a);
    let err = validate(&r).unwrap_err();
    assert_eq!(codes(&err.0), vec!["E1705"]);
    assert_eq!(err.0[0].path, "settings.service_area.min_lat");
    let mut a = hereford();
    a.max_lon = f64::NAN;
    a.min_lat = 95.0;
    r.settings.service_area = Some(a);
    let err = validate(&r).unwrap_err();
    assert_eq!(codes(&err.0), vec!["E1705", "E1705"]);
    assert_eq!(err.0[0].path, "settings.service_area.min_lat");
    assert_eq!(err.0[1].path, "settings.service_area.max_lon");
    // A bad box reports no location as outside it.
    assert!(warnings(&r).is_empty());
}

#[test]
fn e1509_gender_that_differs_only_in_case_is_a_warning_quoting_both() {
    let mut r = base();
    r.clients[0].carer_gender = Some("F".into());
    assert_eq!(validate(&r), Ok(()));
    let w = warnings(&r);
    assert_eq!(codes(&w), vec!["E1509"], "{w:?}");
    assert!(
        w[0].message.contains("\"F\"")
            && w[0].message.contains("\"f\"")
            && w[0].message.contains("exact"),
        "{}",
        w[0].message
    );
    // A gender no carer has in any spelling: no warning (the plan's reason
    // says no carer can do the visit).
    r.clients[0].carer_gender = Some("x".into());
    assert!(warnings(&r).is_empty());
}

#[test]
fn the_base_request_has_no_warnings() {
    assert!(warnings(&base()).is_empty());
    assert!(warnings(&with_matrix()).is_empty());
}
