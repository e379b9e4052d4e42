//! The plan's key figures end to end: in the summary, on stderr, and
//! re-derived by the checker (`key-figures`).

mod common;

use common::day::*;
use serde_json::{Value, json};

#[test]
fn plan_reports_key_figures_in_the_summary_and_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "req.json", &small_request());
    let plan_path = dir.path().join("plan.json");
    let out = rota()
        .args(["plan", "--threads", "1", "-o"])
        .arg(&plan_path)
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    let k = &plan["summary"]["key_figures"];
    assert_eq!(k["rounds_total"], 2);
    assert_eq!(k["early_shifts"]["rounds"], 1);
    assert_eq!(k["late_shifts"]["rounds"], 1);
    assert_eq!(k["rounds"].as_array().unwrap().len(), 2);
    // P1 (120 min) with its preferred carer; the figures are the checker's.
    let check = rota()
        .arg("check")
        .arg(&req)
        .arg(&plan_path)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let err = stderr_of(&out);
    assert!(err.contains("delivered: "), "{err}");
    assert!(err.contains("early shifts: 1/1 round, 1 call,"), "{err}");
    assert!(err.contains("late shifts: 1/1 round, 1 call,"), "{err}");
    assert!(err.contains("care trav idle"), "{err}");
}

#[test]
fn check_rejects_a_wrong_key_figure() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "req.json", &small_request());
    let out = rota()
        .args(["plan", "--threads", "1"])
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let mut plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    plan["summary"]["key_figures"]["late_shifts"]["load"] = json!(0.99);
    plan["summary"]["key_figures"]["rounds"][0]["idle_minutes"] = json!(1);
    let bad = write(dir.path(), "bad.json", &plan);
    let check = rota().arg("check").arg(&req).arg(&bad).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        text.contains("[key-figures] summary key_figures late_shifts.load is 0.99"),
        "{text}"
    );
    assert!(text.contains("idle_minutes is 1"), "{text}");
}
