//! Double-ups end to end (`carers_required: 2`): the plan starts both
//! carers together and the checker holds them to it (`carers-required`,
//! `double-up`), and a double-up that cannot be done gets its own reason.
//! The layers: `validate/double_up.rs`, `problem/double_up.rs`,
//! `solve/double_up.rs`, `check/double_up.rs` (docs/architecture.md).

mod common;

use common::day::{rota, stderr_of};
use common::golden::{self, t};
use common::{broken, tiny};
use rota::check::check;
use serde_json::{Value, json};

// ------------------------------------------------------------ the plan

#[test]
fn double_up_starts_when_the_later_carer_can_arrive() {
    // C1 (07:00, 6 min away) could start at 07:30; C2 (08:00, 12 min away)
    // arrives 08:12: the earliest common start.
    let (_, plan) = golden::plan("double-up");
    assert_eq!(golden::served(&plan), golden::set(&["P1"]));
    let a = golden::visit(golden::round(&plan, "C1"), "P1-am");
    let b = golden::visit(golden::round(&plan, "C2"), "P1-am");
    assert_eq!(a.start, t("08:12"));
    assert_eq!(b.start, t("08:12"));
    assert_eq!((a.end, b.end), (t("08:57"), t("08:57")));
    assert_eq!(a.with, vec!["C2".to_string()]);
    assert_eq!(b.with, vec!["C1".to_string()]);
    assert_eq!((a.arrive, a.travel_minutes), (t("08:12"), 6));
    assert_eq!((b.arrive, b.travel_minutes), (t("08:12"), 12));
    assert_eq!(golden::round(&plan, "C2").return_time, Some(t("09:09")));
    assert_eq!(
        plan.summary.care_minutes, 90,
        "a double-up counts per carer"
    );
    assert_eq!(plan.summary.travel_minutes, 12 + 24);
}

#[test]
fn double_up_whose_carers_never_meet() {
    // C1 (07:00-09:00) can start 08:00-08:24; C2 (from 08:24) 08:30-09:00.
    let (_, plan) = golden::plan("double-narrow");
    assert!(golden::served(&plan).is_empty());
    assert_eq!(
        golden::reasons(&plan, "P1"),
        vec!["WINDOW_TOO_NARROW_FOR_DOUBLE_UP"]
    );
    assert_eq!(plan.rounds.len(), 2, "idle rounds are listed");
    assert!(
        plan.rounds
            .iter()
            .all(|r| r.stops.is_empty() && r.return_time.is_none())
    );
    assert_eq!(plan.summary.upper_bound_priority, Some(0));
}

// -------------------------------------------------------- the reasons

#[test]
fn double_up_with_one_eligible_carer() {
    let mut a = tiny::carer("C1", "drive", "07:00", "15:00");
    a["skills"] = json!(["hoist"]);
    let b = tiny::carer("C2", "drive", "07:00", "15:00");
    let mut v = tiny::visit("P1-am", "08:00", "09:00", 30);
    v["carers_required"] = json!(2);
    v["skills"] = json!(["hoist"]);
    let plan = tiny::plan(&tiny::request(
        vec![a, b],
        vec![tiny::client("P1", vec![v])],
    ));
    let msg = tiny::only_code(&plan, "P1", "TOO_FEW_CARERS_FOR_DOUBLE_UP");
    assert!(
        msg.contains("1 of 2 carers on shift can do it (C1)"),
        "{msg}"
    );
    assert!(msg.contains("lack skill 'hoist' (C2)"), "{msg}");
}

#[test]
fn double_up_whose_carers_never_overlap() {
    // C1 can start it only at 08:00, C2 only from 08:30.
    let mut v = tiny::visit("P1-am", "08:00", "09:00", 30);
    v["carers_required"] = json!(2);
    let plan = tiny::plan(&tiny::request(
        vec![
            tiny::carer("C1", "drive", "07:00", "08:30"),
            tiny::carer("C2", "drive", "08:30", "12:00"),
        ],
        vec![tiny::client("P1", vec![v])],
    ));
    tiny::only_code(&plan, "P1", "WINDOW_TOO_NARROW_FOR_DOUBLE_UP");
}

// ------------------------------------------------------- the checker

#[test]
fn double_up_partner_dropped() {
    let mut p = broken::plan();
    // C02 no longer does P001-am: an idle round.
    p.rounds[1].stops.clear();
    p.rounds[1].return_time = None;
    p.rounds[1].travel_minutes = 0;
    p.rounds[1].care_minutes = 0;
    p.summary.travel_minutes -= 15;
    p.summary.care_minutes -= 45;
    let r = check(&broken::request(), &p);
    let m = broken::expect(&r, "carers-required");
    assert!(m[0].contains("P001-am") && m[0].contains("needs 2"));
    // C01 still says it works with C02.
    broken::expect(&r, "double-up");
}

#[test]
fn double_up_starts_at_different_minutes() {
    let mut p = broken::plan();
    let v = broken::visit_mut(&mut p, 1, 0);
    v.start = t("07:35");
    v.end = t("08:20");
    v.arrive = t("07:08");
    p.rounds[1].return_time = Some(t("08:27"));
    let m = broken::expect_only(&check(&broken::request(), &p), "double-up");
    assert!(m.iter().any(|m| m.contains("starts at different minutes")));
}

#[test]
fn double_up_with_lists_wrong_partner() {
    let mut p = broken::plan();
    broken::visit_mut(&mut p, 0, 0).with = vec!["C03".into()];
    let m = broken::expect_only(&check(&broken::request(), &p), "double-up");
    assert!(m[0].contains("lists with [C03], expected [C02]"));
}

#[test]
fn single_visit_with_partner_listed() {
    let mut p = broken::plan();
    broken::visit_mut(&mut p, 2, 0).with = vec!["C01".into()];
    let m = broken::expect_only(&check(&broken::request(), &p), "double-up");
    assert!(m[0].contains("expected []"));
}

/// Through the binary: `rota plan` starts both carers of the golden
/// double-up together and `rota check` accepts it; the same plan with one
/// carer's part five minutes later is refused (exit 1) under `double-up`
/// alone.
#[test]
fn cli_check_refuses_a_double_up_whose_carers_start_apart() {
    let dir = tempfile::tempdir().unwrap();
    let req = format!(
        "{}/tests/fixtures/golden/double-up.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let planned = dir.path().join("plan.json");
    let out = rota()
        .args(["plan", "--threads", "1", "-o"])
        .arg(&planned)
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = rota()
        .arg("check")
        .arg(&req)
        .arg(&planned)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));

    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&planned).unwrap()).unwrap();
    let c2 = plan["rounds"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["carer"] == "C2")
        .expect("a round of C2");
    // 08:12-08:57 (with C1), back at 09:09: now 08:17-09:02, back 09:14.
    assert_eq!(c2["stops"][0]["start"], "08:12", "{c2}");
    c2["stops"][0]["start"] = json!("08:17");
    c2["stops"][0]["end"] = json!("09:02");
    c2["return"] = json!("09:14");
    let broken_plan = dir.path().join("broken.json");
    std::fs::write(&broken_plan, plan.to_string()).unwrap();
    let out = rota()
        .arg("check")
        .arg(&req)
        .arg(&broken_plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rules: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.split(']').next())
        .collect();
    assert!(!rules.is_empty(), "{stdout}");
    assert!(rules.iter().all(|r| *r == "double-up"), "{stdout}");
    assert!(
        stdout.contains(
            "visit P1-am (client P1) starts at different minutes: C1 08:12-08:57, C2 08:17-09:02"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("ends at different minutes"), "{stdout}");
}
