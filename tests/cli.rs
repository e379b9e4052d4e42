//! The `rota` command line end to end: exit codes (0 ok, 1 invalid plan /
//! internal error, 2 bad input or usage), where output goes, and that no input
//! however broken makes it panic.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../data/sample-day.json");

fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that the checker accepts `plan_text` for `request_text`.
#[track_caller]
fn assert_checks(request_text: &str, plan_text: &str) {
    let req = rota::load_request(request_text).expect("request loads");
    let plan = rota::parse::plan_from_str(plan_text).expect("plan parses");
    let report = rota::check::check(&req, &plan);
    assert!(report.is_valid(), "{report}");
}

/// A small valid request: one carer, two clients.
fn small_request() -> Value {
    json!({
        "date": "2026-11-23",
        "carers": [
            { "id": "C1", "travel_mode": "drive",
              "shift": { "start": "07:00", "end": "15:00" },
              "start_location": { "lat": 52.05, "lon": -2.72 } }
        ],
        "clients": [
            { "id": "P1", "location": { "lat": 52.06, "lon": -2.73 },
              "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "09:00" },
                            "duration": 30 } ] },
            { "id": "P2", "location": { "lat": 52.04, "lon": -2.71 },
              "visits": [ { "id": "P2-am", "window": { "start": "09:00", "end": "10:00" },
                            "duration": 30 } ] }
        ]
    })
}

// ------------------------------------------------------------------ plan

#[test]
fn plan_without_arguments_plans_the_sample_day() {
    let out = rota().arg("plan").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    assert_checks(SAMPLE, &stdout);
    let plan: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["summary"]["clients_total"], 50);
    assert!(
        stderr_of(&out).contains("of 50 clients served"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn plan_output_flag_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let out = rota().args(["plan", "-o"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty(), "stdout: {}", stdout_of(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_checks(SAMPLE, &text);
    assert!(stderr_of(&out).contains("clients served"));
}

#[test]
fn plan_reads_stdin_with_dash() {
    let req = small_request().to_string();
    let out = rota()
        .args(["plan", "-"])
        .write_stdin(req.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_checks(&req, &stdout_of(&out));
    assert!(stderr_of(&out).contains("2 of 2 clients served"));
}

#[test]
fn plan_reads_a_request_file_and_accepts_seed_and_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("req.json");
    std::fs::write(&path, small_request().to_string()).unwrap();
    let out = rota()
        .arg("plan")
        .arg(&path)
        .args(["--seed", "7", "--time-limit", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_checks(&small_request().to_string(), &stdout_of(&out));
}

// ------------------------------------------------------------------ check

/// Writes the sample request and its plan into `dir`; returns their paths.
fn sample_and_plan(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Value) {
    let req = dir.join("req.json");
    let plan = dir.join("plan.json");
    std::fs::write(&req, SAMPLE).unwrap();
    rota().args(["plan", "-o"]).arg(&plan).assert().code(0);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    (req, plan, v)
}

#[test]
fn check_accepts_the_plan_of_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (req, plan, _) = sample_and_plan(dir.path());
    rota()
        .arg("check")
        .arg(&req)
        .arg(&plan)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("valid"));
}

#[test]
fn check_reads_the_plan_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let (req, plan, _) = sample_and_plan(dir.path());
    rota()
        .arg("check")
        .arg(&req)
        .arg("-")
        .write_stdin(std::fs::read_to_string(&plan).unwrap())
        .assert()
        .code(0);
}

#[test]
fn check_rejects_a_broken_plan_with_exit_1_and_names_the_violation() {
    let dir = tempfile::tempdir().unwrap();
    let (req, _, mut plan) = sample_and_plan(dir.path());
    // Break it: a different date, and a round's travel figure off by 5.
    plan["date"] = json!("2026-11-24");
    let round = plan["rounds"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| !r["stops"].as_array().unwrap().is_empty())
        .expect("some round has stops");
    let tm = round["travel_minutes"].as_u64().unwrap();
    round["travel_minutes"] = json!(tm + 5);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, plan.to_string()).unwrap();
    let out = rota().arg("check").arg(&req).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    assert!(stdout.contains("[date]"), "{stdout}");
    assert!(stdout.contains("[round-figures]"), "{stdout}");
    assert!(stderr_of(&out).contains("invalid"), "{}", stderr_of(&out));
}

#[test]
fn check_exits_2_on_a_malformed_request_or_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (req, plan, _) = sample_and_plan(dir.path());
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ \"date\": ").unwrap();
    rota()
        .arg("check")
        .arg(&bad)
        .arg(&plan)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1001"));
    rota()
        .arg("check")
        .arg(&req)
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1001"));
    // A plan that is JSON but not a plan.
    std::fs::write(&bad, r#"{"date": "2026-11-23"}"#).unwrap();
    rota()
        .arg("check")
        .arg(&req)
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1002"));
}

#[test]
fn check_refuses_both_from_stdin() {
    rota()
        .args(["check", "-", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1003"));
}

// --------------------------------------------------------------- generate

fn generate(args: &[&str]) -> Vec<u8> {
    let out = rota().arg("generate").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    out.stdout
}

#[test]
fn generate_is_deterministic_and_seed_sensitive() {
    let a = generate(&["--clients", "20", "--seed", "5", "--date", "2026-11-23"]);
    let b = generate(&["--clients", "20", "--seed", "5", "--date", "2026-11-23"]);
    let c = generate(&["--clients", "20", "--seed", "6", "--date", "2026-11-23"]);
    assert!(!a.is_empty());
    assert_eq!(a, b, "same seed and date must give identical bytes");
    assert_ne!(a, c, "another seed must give another day");
    let v: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["date"], "2026-11-23");
    assert_eq!(v["clients"].as_array().unwrap().len(), 20);
}

#[test]
fn generate_output_plans_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("gen.json");
    let plan = dir.path().join("plan.json");
    rota()
        .args([
            "generate",
            "--clients",
            "30",
            "--seed",
            "11",
            "--am-rounds",
            "4",
            "--pm-rounds",
            "2",
            "--date",
            "2026-11-23",
            "-o",
        ])
        .arg(&req)
        .assert()
        .code(0);
    let req_text = std::fs::read_to_string(&req).unwrap();
    let v: Value = serde_json::from_str(&req_text).unwrap();
    assert_eq!(v["clients"].as_array().unwrap().len(), 30);
    rota()
        .arg("plan")
        .arg(&req)
        .arg("-o")
        .arg(&plan)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("of 30 clients served"));
    assert_checks(&req_text, &std::fs::read_to_string(&plan).unwrap());
    rota().arg("check").arg(&req).arg(&plan).assert().code(0);
}

#[test]
fn generate_with_zero_clients_is_bad_input() {
    rota()
        .args(["generate", "--clients", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--clients"));
}

// -------------------------------------------------------------- bad input

fn plan_stdin(input: impl Into<Vec<u8>>) -> std::process::Output {
    rota()
        .args(["plan", "-"])
        .write_stdin(input.into())
        .output()
        .unwrap()
}

#[test]
fn malformed_json_gives_line_and_column() {
    let out = plan_stdin("{\n  \"date\": \"2026-11-23\",\n  \"carers\": [,]\n}");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("E1001"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("column"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_field_is_named_with_its_path() {
    let mut req = small_request();
    req["clients"][1]["visits"][0]["carer_required"] = json!(2);
    let out = plan_stdin(req.to_string());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("E1002"), "{err}");
    assert!(err.contains("carer_required"), "{err}");
    assert!(err.contains("clients[1].visits[0].carer_required"), "{err}");
}

#[test]
fn every_validation_error_is_reported_at_once() {
    let mut req = small_request();
    req["carers"][0]["travel_mode"] = json!("car"); // E1301
    req["clients"][0]["priority"] = json!(0); // E1108
    req["clients"][0]["visits"][0]["duration"] = json!(0); // E1202
    req["clients"][1]["visits"][0]["window"] = json!({ "start": "10:00", "end": "09:00" }); // E1201
    req["clients"][1]["preferred_carers"] = json!(["NOBODY"]); // E1501
    req["settings"]["strict"] = json!(true); // E1501 is a warning otherwise
    let out = plan_stdin(req.to_string());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    for (code, path) in [
        ("E1301", "carers[0].travel_mode"),
        ("E1108", "clients[0].priority"),
        ("E1202", "clients[0].visits[0].duration"),
        ("E1201", "clients[1].visits[0].window"),
        ("E1501", "clients[1].preferred_carers[0]"),
    ] {
        assert!(err.contains(code), "{code} missing in:\n{err}");
        assert!(err.contains(path), "{path} missing in:\n{err}");
    }
    assert!(err.contains("5 problem(s)"), "{err}");
}

#[test]
fn missing_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-request.json");
    rota()
        .arg("plan")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-request.json"));
    rota()
        .arg("check")
        .arg(&missing)
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-request.json"));
}

#[test]
fn usage_errors_exit_2() {
    rota().assert().code(2);
    rota().arg("frobnicate").assert().code(2);
    rota().args(["plan", "--no-such-flag"]).assert().code(2);
    rota()
        .args(["generate", "--clients", "many"])
        .assert()
        .code(2);
    rota().args(["plan", "--seed", "-1"]).assert().code(2);
    rota().arg("check").assert().code(2);
    rota()
        .args(["generate", "--date", "2026-13-01"])
        .assert()
        .code(2);
}

#[test]
fn help_and_version_exit_0() {
    rota()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("plan"));
    rota().arg("--version").assert().code(0);
}

/// Nasty inputs: each must end with exit 2 (or 0 when it happens to be a
/// valid request), never with a panic.
#[test]
fn garbage_never_panics() {
    let ok = small_request();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = ok.clone();
        f(&mut v);
        v.to_string().into_bytes()
    };
    let mut deep = String::new();
    for _ in 0..100_000 {
        deep.push('[');
    }
    let huge_string = format!("{{\"date\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("whitespace", b"  \n\t ".to_vec()),
        ("null", b"null".to_vec()),
        ("array", b"[]".to_vec()),
        ("object", b"{}".to_vec()),
        ("number", b"42".to_vec()),
        ("string", b"\"plan\"".to_vec()),
        ("binary", vec![0, 159, 146, 150, 255, 254, 1, 2, 3]),
        ("bom", b"\xEF\xBB\xBF{}".to_vec()),
        ("deep", deep.into_bytes()),
        ("huge string", huge_string.into_bytes()),
        ("truncated", ok.to_string().as_bytes()[..40].to_vec()),
        ("trailing", format!("{ok} {{}}").into_bytes()),
        (
            "huge lat",
            with(&|v| v["clients"][0]["location"]["lat"] = json!(1e308)),
        ),
        (
            "huge int duration",
            with(&|v| v["clients"][0]["visits"][0]["duration"] = json!(u64::MAX)),
        ),
        (
            "huge float duration",
            with(&|v| v["clients"][0]["visits"][0]["duration"] = json!(1e300)),
        ),
        (
            "negative duration",
            with(&|v| v["clients"][0]["visits"][0]["duration"] = json!(-30)),
        ),
        (
            "duration 1440",
            with(&|v| v["clients"][0]["visits"][0]["duration"] = json!(1440)),
        ),
        (
            "25:00",
            with(&|v| v["clients"][0]["visits"][0]["window"]["start"] = json!("25:00")),
        ),
        (
            "24:00 shift end",
            with(&|v| v["carers"][0]["shift"]["end"] = json!("24:00")),
        ),
        (
            "NaN string",
            with(&|v| v["clients"][0]["location"]["lat"] = json!("NaN")),
        ),
        (
            "Infinity string",
            with(&|v| v["settings"] = json!({ "time_limit_seconds": "Infinity" })),
        ),
        ("bare NaN", b"{\"date\": NaN}".to_vec()),
        (
            "zero speed",
            with(&|v| v["settings"] = json!({ "travel": { "speed_kmh": { "drive": 0 } } })),
        ),
        (
            "tiny speed",
            with(&|v| v["settings"] = json!({ "travel": { "speed_kmh": { "drive": 1e-300 } } })),
        ),
        (
            "huge detour",
            with(&|v| v["settings"] = json!({ "travel": { "detour_factor": 1e308 } })),
        ),
        (
            "huge overhead",
            with(&|v| {
                v["settings"] =
                    json!({ "travel": { "leg_overhead_minutes": { "drive": i64::MAX } } })
            }),
        ),
        (
            "huge seed",
            with(&|v| v["settings"] = json!({ "seed": 1e30 })),
        ),
        (
            "huge priority",
            with(&|v| v["clients"][0]["priority"] = json!(u32::MAX)),
        ),
        (
            "carers required 3",
            with(&|v| v["clients"][0]["visits"][0]["carers_required"] = json!(3)),
        ),
        (
            "carers required huge",
            with(&|v| v["clients"][0]["visits"][0]["carers_required"] = json!(u32::MAX)),
        ),
        (
            "after gap huge",
            with(&|v| {
                v["clients"][1]["visits"][0]["after"] =
                    json!({ "visit": "P1-am", "min_gap": u32::MAX })
            }),
        ),
        (
            "after other client",
            with(&|v| {
                v["clients"][1]["visits"][0]["after"] = json!({ "visit": "P1-am", "min_gap": 10 })
            }),
        ),
        (
            "matrix negative and huge",
            with(&|v| {
                v["travel_matrix"] = json!({ "refs": ["C1", "P1", "P2"],
                    "minutes": { "drive": [[0, -1, 5], [i64::MAX, 0, 5], [5, 5, 0]] } })
            }),
        ),
        (
            "matrix ragged",
            with(&|v| {
                v["travel_matrix"] = json!({ "refs": ["C1", "P1"],
                    "minutes": { "drive": [[0], [1, 2, 3]] } })
            }),
        ),
        (
            "matrix huge valid",
            with(&|v| {
                v["travel_matrix"] = json!({ "refs": ["C1", "P1", "P2"],
                    "minutes": { "drive": [[0, 1_000_000_000, 5], [5, 0, 5], [5, 5, 0]] } })
            }),
        ),
        (
            "break longer than shift",
            with(&|v| {
                v["carers"][0]["shift"]["break"] =
                    json!({ "earliest": "10:00", "latest": "11:00", "minutes": 100000 })
            }),
        ),
        ("no carers", with(&|v| v["carers"] = json!([]))),
        ("no clients", with(&|v| v["clients"] = json!([]))),
        ("date garbage", with(&|v| v["date"] = json!("2026-02-30"))),
        (
            "window at end of day",
            with(&|v| {
                v["clients"][0]["visits"][0]["window"] = json!({ "start": "23:59", "end": "23:59" })
            }),
        ),
        (
            "shift at end of day",
            with(&|v| v["carers"][0]["shift"] = json!({ "start": "23:58", "end": "23:59" })),
        ),
        (
            "lat/lon extremes",
            with(&|v| {
                v["clients"][0]["location"] = json!({ "lat": 90.0, "lon": 180.0 });
                v["clients"][1]["location"] = json!({ "lat": -90.0, "lon": -180.0 });
            }),
        ),
        (
            "empty ids",
            with(&|v| {
                v["carers"][0]["id"] = json!("");
                v["clients"][0]["id"] = json!("");
            }),
        ),
        (
            "unicode ids",
            with(&|v| v["clients"][0]["id"] = json!("P\u{0}\u{202e}\u{1F600}")),
        ),
    ];
    assert!(inputs.len() >= 30);
    for (name, input) in inputs {
        let utf8 = std::str::from_utf8(&input).is_ok();
        let out = plan_stdin(input);
        let err = stderr_of(&out);
        assert!(
            !err.contains("panicked"),
            "input '{name}' made rota panic:\n{err}"
        );
        let code = out.status.code();
        assert!(
            code == Some(2) || code == Some(0),
            "input '{name}': exit {code:?}, stderr:\n{err}"
        );
        if code == Some(2) {
            assert!(err.contains("error:"), "input '{name}': no error:\n{err}");
            // Text input gets a coded issue; bytes that are not UTF-8 fail
            // earlier, when stdin is read.
            assert!(
                !utf8 || err.contains("E1"),
                "input '{name}': no coded error message:\n{err}"
            );
            assert!(out.stdout.is_empty(), "input '{name}' printed a plan");
        }
    }
}

#[test]
fn export_csv_has_a_row_per_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (_, plan_path, plan) = sample_and_plan(dir.path());
    let out = rota()
        .args(["export", plan_path.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stops: usize = plan["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stops"].as_array().unwrap().len())
        .sum();
    let text = stdout_of(&out);
    assert!(text.starts_with("date,carer,shift_start,shift_end,travel_mode,order,kind,"));
    assert_eq!(text.lines().count(), stops + 1);
}

#[test]
fn export_ical_writes_one_calendar_per_used_round() {
    let dir = tempfile::tempdir().unwrap();
    let (_, plan_path, plan) = sample_and_plan(dir.path());
    let ics = dir.path().join("ics");
    rota()
        .args([
            "export",
            plan_path.to_str().unwrap(),
            "--format",
            "ical",
            "-o",
        ])
        .arg(&ics)
        .assert()
        .success();
    let used = plan["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["stops"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(std::fs::read_dir(&ics).unwrap().count(), used);
    let c01 = std::fs::read_to_string(ics.join("C01.ics")).unwrap();
    assert!(c01.starts_with("BEGIN:VCALENDAR\r\n"));
}

#[test]
fn export_rejects_an_unknown_format_and_a_bad_plan() {
    rota()
        .args(["export", "x.json", "--format", "pdf"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"date\": 3}").unwrap();
    rota()
        .args(["export", bad.to_str().unwrap(), "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1002"));
}

#[test]
fn report_writes_a_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let (req, plan_path, plan) = sample_and_plan(dir.path());
    let html = dir.path().join("report.html");
    rota()
        .args(["report", plan_path.to_str().unwrap(), "--request"])
        .arg(&req)
        .arg("-o")
        .arg(&html)
        .assert()
        .success()
        .stderr(predicate::str::contains("report written to"));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    let used = plan["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["stops"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(text.matches("class=\"route\"").count(), used);
    assert!(!text.contains("https://"));
}

#[test]
fn report_needs_a_valid_request() {
    let dir = tempfile::tempdir().unwrap();
    let (_, plan_path, _) = sample_and_plan(dir.path());
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    rota()
        .args(["report", plan_path.to_str().unwrap(), "--request"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E1001"));
}

#[test]
fn plan_exact_proves_the_small_day_optimal_and_reports_no_gap() {
    let req = include_str!("../data/small-day.json");
    let out = rota()
        .args(["plan", "-", "--exact", "--time-limit", "120"])
        .write_stdin(req)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert_checks(req, &text);
    let plan: Value = serde_json::from_str(&text).unwrap();
    let s = &plan["summary"];
    assert_eq!(s["status"], "optimal");
    assert_eq!(s["upper_bound_priority"], s["priority_served"]);
    assert_eq!(s["gap"], 0.0);
    assert!(stderr_of(&out).contains("optimal"));
}

#[test]
fn plan_exact_at_a_short_time_limit_returns_a_checked_feasible_plan_with_its_gap() {
    // The 50-client sample day cannot be proven in a second: the warm
    // start (the greedy plan) is returned, marked feasible, with the gap.
    let out = rota()
        .args(["plan", "--exact", "--time-limit", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert_checks(SAMPLE, &text);
    let plan: Value = serde_json::from_str(&text).unwrap();
    let s = &plan["summary"];
    assert_eq!(s["status"], "feasible");
    let (served, bound) = (
        s["priority_served"].as_f64().unwrap(),
        s["upper_bound_priority"].as_f64().unwrap(),
    );
    assert!(bound > served, "{s}");
    let gap = s["gap"].as_f64().unwrap();
    assert!((gap - (bound - served) / bound).abs() < 1e-3, "{s}");
    assert!(stderr_of(&out).contains("gap"));
}

#[test]
fn bench_exact_prints_a_table_and_writes_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("exact.csv");
    let out = rota()
        .args([
            "bench",
            "exact",
            "--clients",
            "2,3",
            "--seeds",
            "1",
            "--time-limit",
            "60",
            "--csv",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let table = stdout_of(&out);
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("| 2 ") || l.starts_with("| 3 "))
            .count(),
        2,
        "{table}"
    );
    assert!(table.contains("optimal"), "{table}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 3, "{rows}");
    assert!(rows.lines().nth(1).unwrap().contains(",true,"), "{rows}");
}

fn solomon_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/solomon")
}

#[test]
fn bench_solomon_solves_checks_and_never_beats_the_proven_optimum() {
    let dir = solomon_dir();
    assert!(
        dir.exists(),
        "the benchmarks are read from {} (../shared beside the repository)",
        dir.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("solomon.csv");
    let files: Vec<_> = ["C101", "R101", "RC201"]
        .iter()
        .map(|n| dir.join(format!("instances/25/{n}.txt")))
        .collect();
    let out = rota()
        .args([
            "bench",
            "solomon",
            "--time-limit",
            "2",
            "--threads",
            "1",
            "--csv",
        ])
        .arg(&csv)
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "instance,customers,served,routes,distance,best_known,gap_percent,seconds,error,distance_double,bks_vehicles,bks_distance,routes_visited"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3, "{text}");
    for r in &rows {
        assert_eq!(r[1], "25");
        assert_eq!(r[2], "25", "every customer served: {r:?}");
        assert_eq!(r[8], "", "the route check passed: {r:?}");
        let (dist, best): (f64, f64) = (r[4].parse().unwrap(), r[5].parse().unwrap());
        assert!(dist >= best - 1e-9, "beats the proven optimum: {r:?}");
        // The routes list every customer once.
        let mut seen: Vec<u32> = r[12]
            .split('|')
            .flat_map(|route| route.split(' ').map(|c| c.parse::<u32>().unwrap()))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=25).collect::<Vec<u32>>());
        assert_eq!(r[12].split('|').count().to_string(), r[3]);
    }
    assert!(stdout_of(&out).contains("average gap"));
}

#[test]
fn bench_solomon_rejects_a_file_that_is_not_an_instance() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, "NOT\nVEHICLE\n1 2 3\n").unwrap();
    let out = rota()
        .args(["bench", "solomon"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("E1005"), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("not a Solomon instance"));
}
