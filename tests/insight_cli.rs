//! `rota capacity`, the reasons and the key figures end to end through the
//! binary: exit codes, JSON on stdout (or -o), the table on stderr, and
//! every plan passing the checker.

use assert_cmd::Command;
use serde_json::{Value, json};

fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Two drivers (early and late) in Hereford, three clients; the third
/// client's only slot is taken by a higher-priority one.
fn small_request() -> Value {
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

fn write(dir: &std::path::Path, name: &str, v: &Value) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

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
    assert!(err.contains("early shifts: 1/1 rounds, 1 calls"), "{err}");
    assert!(err.contains("late shifts: 1/1 rounds, 1 calls"), "{err}");
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

#[test]
fn plan_gives_capacity_reasons_with_what_would_let_the_client_in() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "req.json", &small_request());
    let out = rota()
        .args(["plan", "--threads", "1"])
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("P2 CAPACITY: visit P2-am"), "{err}");
    assert!(err.contains("C1 with P1-am"), "{err}");
    assert!(err.contains("would let the client in"), "{err}");
}

#[test]
fn capacity_answers_as_json_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "req.json", &small_request());
    let out_path = dir.path().join("cap.json");
    let out = rota()
        .args([
            "capacity",
            "--time-limit",
            "1",
            "--areas",
            "2",
            "--max-new",
            "2",
            "--threads",
            "2",
            "-o",
        ])
        .arg(&out_path)
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
    let cap: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert_eq!(cap["baseline"]["clients_total"], 3);
    let areas = cap["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 2);
    for a in areas {
        let taken = a["new_served"].as_u64().unwrap();
        assert!(taken <= a["new_at_most"].as_u64().unwrap(), "{a}");
        assert!(taken <= 2);
        assert_eq!(a["existing_dropped"], 0, "{a}");
    }
    // Early and late, by car, bike and on foot.
    let rounds = cap["extra_rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 6);
    let early_drive = rounds
        .iter()
        .find(|r| r["shift"] == "early" && r["travel_mode"] == "drive")
        .unwrap();
    assert_eq!(early_drive["start"], "07:00");
    assert!(
        early_drive["extra_clients"].as_i64().unwrap() >= 1,
        "{early_drive}"
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("more clients of package \"four calls a day, one double-up\""),
        "{err}"
    );
    assert!(err.contains("one more round"), "{err}");
    assert!(err.contains("moves to make room"), "{err}");
}

#[test]
fn capacity_finds_a_visit_that_can_move_to_make_room() {
    // P1 sits at 09:00 but could start at 08:00; P2 must start at 09:00.
    // Pushing P1 later breaks its window, so only moving it earlier makes room.
    let loc = json!({ "lat": 52.056, "lon": -2.716 });
    let req = json!({
        "date": "2026-11-23",
        "carers": [ { "id": "C1", "travel_mode": "drive",
                      "shift": { "start": "08:00", "end": "10:00" }, "start_location": loc } ],
        "clients": [
            { "id": "P1", "location": loc, "priority": 2,
              "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "09:00" }, "duration": 60 } ] },
            { "id": "P2", "location": loc,
              "visits": [ { "id": "P2-am", "window": { "start": "09:00", "end": "09:00" }, "duration": 60 } ] }
        ]
    });
    let req: rota::model::Request = rota::load_request(&req.to_string()).unwrap();
    let p = rota::problem::Problem::from_request(&req).unwrap();
    // The plan a manager has: P1 at 09:00 only.
    let mut sol = rota::solve::Solution::empty(&p);
    sol.insert(0, 0, 0, 9 * 60);
    let moves = rota::capacity::moves_to_make_room(&req, &p, &sol);
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert_eq!(moves[0].client, "P2");
    assert_eq!(moves[0].visit, "P1-am");
    assert_eq!(moves[0].from_start.format("%H:%M").to_string(), "09:00");
    assert_eq!(moves[0].to_start.format("%H:%M").to_string(), "08:00");
}

#[test]
fn capacity_rejects_bad_options_and_packages() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "req.json", &small_request());
    let out = rota()
        .args(["capacity", "--areas", "0"])
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("E1006 at --areas"),
        "{}",
        stderr_of(&out)
    );
    let pkg = write(
        dir.path(),
        "pkg.json",
        &json!({ "name": "x", "visits": [ { "id": "am" } ] }),
    );
    let out = rota()
        .args(["capacity", "--package"])
        .arg(&pkg)
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("E1002 at package.visits[0]"),
        "{}",
        stderr_of(&out)
    );
}
