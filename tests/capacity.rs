//! `rota capacity` end to end through the binary (docs/capacity.md): exit
//! codes, JSON on stdout (or -o), the table on stderr, and every plan
//! passing the checker.

mod common;

use common::day::*;
use serde_json::{Value, json};

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
    let req = rota::load_request(&req.to_string()).unwrap();
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
