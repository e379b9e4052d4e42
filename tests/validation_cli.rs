//! Requests from real rota systems, end to end (docs/validation.md,
//! "Warnings"): problems with a safe reading are planned around and
//! reported as warnings (in the plan, on stderr), `--strict` refuses them;
//! parse errors in words a manager understands; E1812 names the lock that
//! cannot be placed and the travel. Every plan made here passes the checker.

use assert_cmd::Command;
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../data/sample-day.json");

fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

fn sample() -> Value {
    serde_json::from_str(SAMPLE).unwrap()
}

/// `rota plan - --time-limit 1 [extra]` on `req`: (exit code, stdout, stderr).
fn plan(req: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = rota()
        .args(["plan", "-", "--time-limit", "1", "--threads", "1"])
        .args(extra)
        .write_stdin(req.to_string())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[track_caller]
fn assert_checks(req: &str, plan_text: &str) -> rota::model::Plan {
    let r = rota::load_request(req).expect("request loads");
    let p = rota::parse::plan_from_str(plan_text).expect("plan parses");
    let report = rota::check::check(&r, &p);
    assert!(report.is_valid(), "{report}");
    p
}

#[test]
fn carers_off_tomorrow_are_warnings_the_day_is_planned_and_strict_refuses() {
    let mut v = sample();
    let first = v["carers"][0]["id"].as_str().unwrap().to_string();
    v["clients"][0]["preferred_carers"] = json!(["C99"]);
    v["clients"][0]["excluded_carers"] = json!(["C98"]);
    v["clients"][1]["preferred_carers"] = json!([first]);
    v["clients"][1]["excluded_carers"] = json!([first]);
    let text = v.to_string();
    let (code, out, err) = plan(&text, &[]);
    assert_eq!(code, Some(0), "{err}");
    for (c, path) in [
        ("E1501", "clients[0].preferred_carers[0]"),
        ("E1502", "clients[0].excluded_carers[0]"),
        ("E1503", "clients[1].excluded_carers[0]"),
    ] {
        assert!(
            err.contains(&format!("warning: {c} at {path}")),
            "{c}:\n{err}"
        );
    }
    let p = assert_checks(&text, &out);
    let got: Vec<(&str, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("E1501", "clients[0].preferred_carers[0]"),
            ("E1502", "clients[0].excluded_carers[0]"),
            ("E1503", "clients[1].excluded_carers[0]")
        ]
    );
    assert!(p.warnings.iter().all(|w| !w.hint.is_empty()));
    // The exclusion wins: the first carer never visits client 1.
    let client1 = v["clients"][1]["id"].as_str().unwrap();
    for r in p.rounds.iter().filter(|r| r.carer == first) {
        for s in &r.stops {
            if let rota::model::Stop::Visit(s) = s {
                assert_ne!(s.client, client1);
            }
        }
    }
    // The same request is served as well as without the warnings: the
    // client with an unknown preferred carer is planned, not dropped.
    let client0 = v["clients"][0]["id"].as_str().unwrap();
    let base = sample().to_string();
    let (_, base_out, _) = plan(&base, &[]);
    let base_plan = assert_checks(&base, &base_out);
    let served = |p: &rota::model::Plan, id: &str| !p.unserved.iter().any(|u| u.client == id);
    assert_eq!(served(&p, client0), served(&base_plan, client0));
    assert!(base_plan.warnings.is_empty());
    assert!(!base_out.contains("\"warnings\""));

    // --strict, and settings.strict, refuse it with the same codes.
    let (code, out, err) = plan(&text, &["--strict"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("3 problem(s)") && err.contains("E1503"),
        "{err}"
    );
    v["settings"]["strict"] = json!(true);
    let (code, _, err) = plan(&v.to_string(), &[]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn swapped_coordinates_are_a_warning_suggesting_the_swap() {
    let mut v = sample();
    v["carers"][0]["start_location"] = json!({"lat": -2.715, "lon": 52.061});
    let text = v.to_string();
    let (code, out, err) = plan(&text, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: E1704 at carers[0].start_location"),
        "{err}"
    );
    assert!(err.contains("swapped"), "{err}");
    let p = assert_checks(&text, &out);
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0].hint.contains("\"lat\": 52.061"),
        "{:?}",
        p.warnings[0]
    );
    let (code, _, err) = plan(&text, &["--strict"]);
    assert_eq!(code, Some(2), "{err}");
}

/// The sample day with every location's lat and lon swapped, carers too.
fn sample_all_swapped() -> Value {
    let mut v = sample();
    let swap = |l: &mut Value| {
        let (lat, lon) = (l["lat"].clone(), l["lon"].clone());
        *l = json!({"lat": lon, "lon": lat});
    };
    for c in v["carers"].as_array_mut().unwrap() {
        swap(&mut c["start_location"]);
        if !c["end_location"].is_null() {
            swap(&mut c["end_location"]);
        }
    }
    for k in v["clients"].as_array_mut().unwrap() {
        swap(&mut k["location"]);
    }
    v
}

#[test]
fn every_location_swapped_is_a_warning_with_a_service_area() {
    let mut v = sample_all_swapped();
    // Without an outside reference the request agrees with itself.
    let (code, _, err) = plan(&v.to_string(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
    v["settings"]["service_area"] =
        json!({"min_lat": 51.8, "min_lon": -3.1, "max_lat": 52.3, "max_lon": -2.3});
    let text = v.to_string();
    let (code, out, err) = plan(&text, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: E1706 at settings.service_area"),
        "{err}"
    );
    assert!(err.contains("swapped throughout"), "{err}");
    let p = assert_checks(&text, &out);
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(p.warnings[0].code, "E1706");
    // `rota check` says so too, and --strict refuses the request.
    let dir = tempfile::tempdir().unwrap();
    let (req, plan_file) = (dir.path().join("r.json"), dir.path().join("p.json"));
    std::fs::write(&req, &text).unwrap();
    std::fs::write(&plan_file, &out).unwrap();
    let check = rota()
        .arg("check")
        .arg(&req)
        .arg(&plan_file)
        .output()
        .unwrap();
    let check_err = String::from_utf8_lossy(&check.stderr);
    assert!(check_err.contains("E1706"), "{check_err}");
    let (code, _, err) = plan(&text, &["--strict"]);
    assert_eq!(code, Some(2), "{err}");
}

/// A request with no carers (the sample day's list emptied): planned (the
/// contract's plan, every client unserved with a reason), with one warning
/// saying so, first, instead of an E1501/E1502 per client (24 warnings on
/// the sample day before E1109).
#[test]
fn no_carers_is_said_once_first_and_every_client_is_unserved_with_a_reason() {
    let mut v = sample();
    v["carers"] = json!([]);
    let clients = v["clients"].as_array().unwrap().len();
    let text = v.to_string();
    let (code, out, err) = plan(&text, &[]);
    assert_eq!(code, Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert!(
        warnings[0].starts_with(
            "warning: E1109 at carers: the request has no carers: no client can be served"
        ),
        "{err}"
    );
    assert!(warnings.len() < 3, "{} warnings:\n{err}", warnings.len());
    assert!(!err.contains("E1501") && !err.contains("E1502"), "{err}");
    let p = assert_checks(&text, &out);
    assert_eq!(p.warnings[0].code, "E1109");
    assert_eq!(p.warnings[0].path, "carers");
    assert!(p.warnings.len() < 3, "{:?}", p.warnings);
    assert_eq!(p.unserved.len(), clients);
    assert!(
        p.unserved
            .iter()
            .all(|u| u.reasons.iter().any(|r| r.code == "NO_ELIGIBLE_CARER")),
        "{:?}",
        p.unserved
    );
    let (code, _, err) = plan(&text, &["--strict"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("E1109"), "{err}");
}

#[test]
fn every_command_that_reads_a_request_takes_strict() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = sample();
    v["clients"][0]["preferred_carers"] = json!(["C99"]);
    let req = dir.path().join("req.json");
    std::fs::write(&req, v.to_string()).unwrap();
    let plan_path = dir.path().join("plan.json");
    let (code, out, err) = plan(&v.to_string(), &[]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::write(&plan_path, out).unwrap();
    let req_s = req.to_str().unwrap();
    let plan_s = plan_path.to_str().unwrap();
    for args in [
        vec!["check", req_s, plan_s],
        vec!["report", plan_s, "--request", req_s],
        vec![
            "replan",
            req_s,
            plan_s,
            "--now",
            "12:00",
            "--time-limit",
            "1",
        ],
    ] {
        let lenient = rota().args(&args).output().unwrap();
        assert_eq!(lenient.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&lenient.stderr).contains("warning: E1501"),
            "{args:?}"
        );
        let strict = rota().args(&args).arg("--strict").output().unwrap();
        assert_eq!(strict.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&strict.stderr).contains("E1501"));
    }
}

/// The first issue of a request that does not parse, through the CLI.
fn parse_error(text: &str) -> String {
    let (code, _, err) = plan(text, &[]);
    assert_eq!(code, Some(2), "{err}");
    err
}

#[test]
fn parse_errors_are_in_words_a_manager_understands() {
    let mut v = sample();
    v["clients"][0]["visits"][0]["duration"] = json!(-1);
    let err = parse_error(&v.to_string());
    assert!(err.contains("clients[0].visits[0].duration"), "{err}");
    assert!(
        err.contains("whole minutes") && err.contains("got -1"),
        "{err}"
    );
    assert!(!err.contains("u32"), "{err}");

    let err = parse_error("[]");
    assert!(
        err.contains("JSON object") && !err.contains("7 elements"),
        "{err}"
    );

    let mut v = sample();
    v["date"] = json!("25/11/2026");
    let err = parse_error(&v.to_string());
    assert!(
        err.contains("YYYY-MM-DD") && err.contains("25/11/2026"),
        "{err}"
    );

    // A trailing comma: a real path, no `?`.
    let text = SAMPLE.replacen("}\n  ]", "},\n  ]", 1);
    assert_ne!(text, SAMPLE, "the sample day has a list to break");
    let err = parse_error(&text);
    assert!(
        err.contains("E1001") && err.contains("trailing comma"),
        "{err}"
    );
    assert!(!err.contains('?'), "{err}");
}

#[test]
fn a_file_with_a_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{SAMPLE}");
    let (code, out, err) = plan(&text, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_checks(SAMPLE, &out);
}

#[test]
fn e1812_names_the_lock_that_cannot_be_placed_after_the_other_and_the_travel() {
    // Two fixed calls on C1, 20 km apart, 31 minutes between starts.
    let v = json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ { "id": "C1", "travel_mode": "drive",
                    "shift": { "start": "07:00", "end": "12:00" },
                    "start_location": { "lat": 52.05, "lon": -2.72 } } ],
      "clients": [
        { "id": "P1", "location": { "lat": 52.05, "lon": -2.72 },
          "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "09:00" }, "duration": 30 } ] },
        { "id": "P2", "location": { "lat": 52.23, "lon": -2.74 },
          "visits": [ { "id": "P2-am", "window": { "start": "08:00", "end": "09:00" }, "duration": 30 } ] } ],
      "locks": [ { "visit": "P1-am", "carer": "C1", "start": "08:00" },
                 { "visit": "P2-am", "carer": "C1", "start": "08:31" } ] });
    for locks in [v["locks"].clone(), json!([v["locks"][1], v["locks"][0]])] {
        let mut v = v.clone();
        v["locks"] = locks;
        let later = if v["locks"][0]["visit"] == "P2-am" {
            0
        } else {
            1
        };
        let r = rota::load_request(&v.to_string()).unwrap();
        match rota::plan_request(&r) {
            Err(rota::RotaError::Invalid(i)) => {
                assert_eq!(i.0.len(), 1, "{i}");
                let e = &i.0[0];
                assert_eq!(e.code, "E1812");
                assert_eq!(e.path, format!("locks[{later}]"), "{e}");
                assert!(
                    e.message.contains("P2-am") && e.message.contains("after lock"),
                    "{e}"
                );
                assert!(e.message.contains("travel from 'P1' to 'P2' takes"), "{e}");
                assert!(e.message.contains("by drive"), "{e}");
                assert!(e.hint.contains("or later"), "{e}");
            }
            other => panic!("expected E1812, got {other:?}"),
        }
    }
}
