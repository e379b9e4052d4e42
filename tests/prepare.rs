//! The preparation step the front doors share (src/prepare.rs,
//! docs/architecture.md): every amendment (a flag, yesterday's plan) comes
//! before the one validation, so all issues come out at once; road travel
//! times are inside the time limit in the CLI as in the service
//! (docs/limits.md).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

fn small_day() -> Value {
    serde_json::from_str(include_str!("../data/small-day.json")).unwrap()
}

/// The codes of the issues `rota` printed on stderr (`E1234 at ...`).
fn codes(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .split_whitespace()
        .filter(|w| {
            w.len() == 5 && w.starts_with('E') && w[1..].chars().all(|c| c.is_ascii_digit())
        })
        .map(String::from)
        .collect()
}

/// `--previous` is part of the request before it is validated: a previous
/// plan of the same day (E1901) is reported together with the request's own
/// error, in one run (before, E1901 only came on a second pass, after the
/// other errors were fixed).
#[test]
fn a_previous_plan_is_validated_with_the_request_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let day = small_day();
    let ok = dir.path().join("ok.json");
    std::fs::write(&ok, day.to_string()).unwrap();
    // Today's plan, given as yesterday's: E1901.
    let plan = rota()
        .args([
            "plan",
            ok.to_str().unwrap(),
            "--iterations",
            "50",
            "--threads",
            "1",
        ])
        .output()
        .unwrap();
    assert!(plan.status.success());
    let prev = dir.path().join("prev.json");
    std::fs::write(&prev, &plan.stdout).unwrap();
    // And an error of the request's own: a visit of no minutes.
    let mut bad = day.clone();
    bad["clients"][0]["visits"][0]["duration"] = Value::from(0);
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let out = rota()
        .args([
            "plan",
            bad_path.to_str().unwrap(),
            "--previous",
            prev.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let found = codes(&out.stderr);
    assert!(found.iter().any(|c| c == "E1901"), "{found:?}");
    assert!(found.iter().any(|c| c.starts_with("E12")), "{found:?}");
}

/// A flag that overrides a setting is validated as the setting is.
#[test]
fn a_bad_override_is_refused_at_the_settings_path() {
    let out = rota()
        .args([
            "replan",
            "data/small-day.json",
            "data/small-day.json",
            "--now",
            "10:00",
        ])
        .arg("--time-limit=-3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("settings.time_limit_seconds"), "{err}");
}

/// `rota plan --osm`: computing road travel times is inside the time
/// limit, as in the service. With an empty cache and a limit of a
/// millisecond, the roads stop it (E2002, naming them); before, the CLI
/// computed them first and the limit started after.
#[test]
fn road_travel_times_count_in_the_cli_time_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = tempfile::tempdir().unwrap();
    let out = rota()
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "plan",
            "data/helsinki-day.json",
            "--osm",
            "data/helsinki-centre.osm.pbf",
        ])
        .args(["--time-limit", "0.001", "--threads", "1"])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E2002"), "{err}");
    assert!(err.contains("computing road travel times"), "{err}");
    // With a limit that holds them, the same command plans on the roads.
    let out = rota()
        .env("XDG_CACHE_HOME", cache.path())
        .args([
            "plan",
            "data/helsinki-day.json",
            "--osm",
            "data/helsinki-centre.osm.pbf",
        ])
        .args([
            "--time-limit",
            "60",
            "--iterations",
            "200",
            "--threads",
            "1",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(plan["summary"]["clients_served"].as_u64().unwrap() > 0);
}

/// A warning of the request reaches the plan from the one validation (the
/// pipeline does not validate again to find it).
#[test]
fn the_plan_lists_the_warnings_of_the_one_validation() {
    let mut day = small_day();
    day["clients"][0]["preferred_carers"] = serde_json::json!(["NOBODY"]);
    day["settings"]["iterations"] = Value::from(200);
    let req = rota::load_request(&day.to_string()).unwrap();
    assert_eq!(req.warnings().len(), 1);
    let prepared = rota::prepare::Prepared::now(req);
    let opts = rota::PlanOptions {
        threads: 1,
        ..Default::default()
    };
    let planned =
        rota::plan_prepared(&prepared, &opts, &rota::control::SolveControl::new(), None).unwrap();
    let codes: Vec<&str> = planned
        .plan
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["E1501"]);
}
