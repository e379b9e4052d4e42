//! Locked assignments end to end (`locks`, E18xx, the checker's `lock`;
//! docs/locks.md). Every plan made here passes the independent checker.

mod common;

use common::day::*;
use rota::RotaError;
use rota::check::check;
use serde_json::json;

#[test]
fn locks_are_kept_and_the_checker_verifies_them() {
    let mut v = lock_day();
    v["locks"] = json!([
        { "visit": "P1-am", "carer": "C3", "start": "08:40" },
        { "visit": "P1-am", "carer": "C2" },
        { "visit": "P2-am", "carer": "C1", "start": "09:50" } ]);
    // C3 has no hoist: E1803 naming the lock.
    match rota::load_request(&v.to_string()) {
        Err(RotaError::Invalid(i)) => {
            assert_eq!(i.0.len(), 1, "{i}");
            assert_eq!(
                (i.0[0].code, i.0[0].path.as_str()),
                ("E1803", "locks[0].carer")
            );
        }
        other => panic!("{other:?}"),
    }
    v["locks"][0]["carer"] = json!("C1");
    let r = req(&v);
    let p = plan(&r);
    let c = calls(&p);
    assert_eq!(c[&("P1-am".to_string(), "C1".to_string())], 8 * 60 + 40);
    assert!(c.contains_key(&("P1-am".to_string(), "C2".to_string())));
    assert_eq!(c[&("P2-am".to_string(), "C1".to_string())], 9 * 60 + 50);
    // The same plan against a lock it does not keep.
    let mut other = r.clone();
    other.locks[2].start = Some(rota::model::hhmm::parse("09:30").unwrap());
    other.locks[1].carer = "C3".into();
    let report = check(&other, &p);
    assert_eq!(report.rules(), vec!["lock"], "{report}");
    assert_eq!(report.violations.len(), 2, "{report}");
}

#[test]
fn a_locked_client_is_served_first_and_the_true_priority_is_reported() {
    // One carer, two clients at the same fixed minute: P1 (priority 5)
    // would win, but P2 (priority 1) is locked.
    let v = json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "09:00", &[]) ],
      "clients": [ client("P1", 5, (52.05, -2.72), "07:30", "07:30", &[]),
                   client("P2", 1, (52.05, -2.72), "07:30", "07:30", &[]) ],
      "locks": [ { "visit": "P2-am", "carer": "C1" } ] });
    let p = plan(&req(&v));
    assert_eq!(p.summary.clients_served, 1);
    assert_eq!(p.summary.priority_served, 1);
    assert!(p.summary.upper_bound_priority.unwrap() >= 1);
    assert_eq!(p.unserved[0].client, "P1");
}

#[test]
fn locks_that_cannot_hold_together_are_an_error_naming_them() {
    // Two fixed calls on C1 one minute apart, 20 km from each other.
    let v = json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "12:00", &[]) ],
      "clients": [ client("P1", 1, (52.05, -2.72), "08:00", "09:00", &[]),
                   client("P2", 1, (52.23, -2.74), "08:00", "09:00", &[]) ],
      "locks": [ { "visit": "P1-am", "carer": "C1", "start": "08:00" },
                 { "visit": "P2-am", "carer": "C1", "start": "08:31" } ] });
    let r = req(&v);
    match rota::plan_request(&r) {
        Err(RotaError::Invalid(i)) => {
            assert_eq!(i.0.len(), 1, "{i}");
            assert_eq!(i.0[0].code, "E1812");
            assert!(
                i.0[0].path == "locks[0]" || i.0[0].path == "locks[1]",
                "{i}"
            );
        }
        other => panic!("expected E1812, got {other:?}"),
    }
}

#[test]
fn cli_plan_with_a_bad_lock_names_it() {
    let mut v = lock_day();
    v["locks"] = json!([ { "visit": "P2-am", "carer": "C9" }, { "visit": "P3-am", "carer": "C1", "start": "12:30" } ]);
    let out = rota()
        .arg("plan")
        .arg("-")
        .write_stdin(v.to_string())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E1802 at locks[0].carer"), "{stderr}");
    assert!(stderr.contains("E1804 at locks[1].start"), "{stderr}");
    assert!(stderr.contains("E1805 at locks[1].start"), "{stderr}");
}
