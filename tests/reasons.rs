//! One tiny request per unserved-reason code (docs/reasons.md): each must
//! give exactly that code, and its plan passes the checker. The double-up
//! codes are in `tests/double_up.rs`.

mod common;

use common::day::{rota, small_request, stderr_of, write};
use common::tiny::{carer, client, only_code, plan, request, visit};
use serde_json::json;

#[test]
fn no_eligible_carer_names_the_missing_skill_gender_and_exclusions() {
    let mut a = carer("C1", "drive", "07:00", "15:00");
    a["gender"] = json!("m");
    let mut b = carer("C2", "drive", "07:00", "15:00");
    b["gender"] = json!("f");
    b["skills"] = json!(["catheter"]);
    let c = carer("C3", "drive", "07:00", "15:00");
    let mut v = visit("P1-am", "08:00", "09:00", 30);
    v["skills"] = json!(["catheter"]);
    let mut k = client("P1", vec![v]);
    k["carer_gender"] = json!("f");
    k["excluded_carers"] = json!(["C2"]);
    let plan = plan(&request(vec![a, b, c], vec![k]));
    let msg = only_code(&plan, "P1", "NO_ELIGIBLE_CARER");
    assert!(msg.contains("2 lack skill 'catheter' (C1, C3)"), "{msg}");
    assert!(msg.contains("excluded by the client (C2)"), "{msg}");
}

#[test]
fn gender_alone_is_named() {
    let mut a = carer("C1", "drive", "07:00", "15:00");
    a["gender"] = json!("m");
    let mut k = client("P1", vec![visit("P1-am", "08:00", "09:00", 30)]);
    k["carer_gender"] = json!("f");
    let plan = plan(&request(vec![a], vec![k]));
    let msg = only_code(&plan, "P1", "NO_ELIGIBLE_CARER");
    assert!(msg.contains("not of the requested gender (C1)"), "{msg}");
}

#[test]
fn visit_longer_than_any_eligible_shift() {
    let plan = plan(&request(
        vec![carer("C1", "drive", "07:00", "09:00")],
        vec![client("P1", vec![visit("P1-long", "07:00", "12:00", 180)])],
    ));
    let msg = only_code(&plan, "P1", "VISIT_TOO_LONG_FOR_SHIFT");
    assert!(
        msg.contains("longest shift of an eligible carer is 120 min"),
        "{msg}"
    );
}

#[test]
fn nobody_on_shift_in_the_window() {
    let plan = plan(&request(
        vec![carer("C1", "drive", "07:00", "15:00")],
        vec![client("P1", vec![visit("P1-bed", "19:00", "20:00", 30)])],
    ));
    let msg = only_code(&plan, "P1", "NO_CARER_ON_SHIFT_IN_WINDOW");
    assert!(msg.contains("C1 07:00-15:00"), "{msg}");
}

#[test]
fn too_far_to_walk_there_in_the_window() {
    // About 22 km away (Leominster): hours on foot, in a three-hour shift.
    let mut k = client("P1", vec![visit("P1-am", "08:00", "09:00", 30)]);
    k["location"] = json!({ "lat": 52.2249, "lon": -2.7420 });
    let plan = plan(&request(
        vec![carer("C1", "walk", "07:00", "10:00")],
        vec![k],
    ));
    let msg = only_code(&plan, "P1", "TOO_FAR_TO_REACH_IN_WINDOW");
    assert!(msg.contains("by walk"), "{msg}");
}

#[test]
fn after_gap_that_cannot_be_kept() {
    let mut pm = visit("P1-pm", "10:00", "11:00", 30);
    pm["after"] = json!({ "visit": "P1-am", "min_gap": 240 });
    let plan = plan(&request(
        vec![carer("C1", "drive", "07:00", "15:00")],
        vec![client("P1", vec![visit("P1-am", "08:00", "09:00", 30), pm])],
    ));
    only_code(&plan, "P1", "GAP_CANNOT_FIT");
}

#[test]
fn capacity_names_the_booked_call_and_the_extra_round_that_lets_it_in() {
    // One carer 08:00-10:00; both clients need an hour starting 08:30-09:30.
    let mut high = client("P-high", vec![visit("P-high-am", "08:30", "09:30", 60)]);
    high["priority"] = json!(3);
    let low = client("P-low", vec![visit("P-low-am", "08:30", "09:30", 60)]);
    let plan = plan(&request(
        vec![carer("C1", "drive", "08:00", "10:00")],
        vec![high, low],
    ));
    let msg = only_code(&plan, "P-low", "CAPACITY");
    assert!(msg.contains("C1 with P-high-am 08:30-09:30"), "{msg}");
    assert!(msg.contains("at calls 50% of the time"), "{msg}");
    assert!(
        msg.contains(
            "one more driver like C1 on an early shift 08:30-09:30 would let the client in"
        ),
        "{msg}"
    );
}

#[test]
fn capacity_says_when_no_small_extra_round_helps() {
    // A nine-hour visit: no extra round of up to eight hours can hold it.
    let long = client("P-long", vec![visit("P-long-day", "07:00", "07:30", 540)]);
    let mut other = client("P-other", vec![visit("P-other-day", "07:00", "07:30", 540)]);
    other["priority"] = json!(2);
    let plan = plan(&request(
        vec![carer("C1", "drive", "07:00", "17:00")],
        vec![long, other],
    ));
    let msg = only_code(&plan, "P-long", "CAPACITY");
    assert!(msg.contains("no single extra round of up to 8 h"), "{msg}");
}

/// The extra round a CAPACITY reason proposes really lets the client in: add
/// that carer to the request and plan again.
#[test]
fn the_proposed_extra_round_serves_the_client() {
    let mut high = client("P-high", vec![visit("P-high-am", "08:30", "09:30", 60)]);
    high["priority"] = json!(3);
    let low = client("P-low", vec![visit("P-low-am", "08:30", "09:30", 60)]);
    let req = request(
        vec![
            carer("C1", "drive", "08:00", "10:00"),
            carer("C1+", "drive", "08:30", "09:30"),
        ],
        vec![high, low],
    );
    let plan = plan(&req);
    assert!(plan.unserved.is_empty(), "{:?}", plan.unserved);
}

#[test]
fn capacity_proposes_one_round_per_blocked_visit_when_one_is_not_enough() {
    // Morning and evening slots are both taken by higher-priority clients;
    // P-low needs both, eleven hours apart: no single round of up to 8 h.
    let mut h1 = client("H1", vec![visit("H1-am", "08:30", "09:30", 60)]);
    h1["priority"] = json!(3);
    let mut h2 = client("H2", vec![visit("H2-eve", "18:30", "19:30", 60)]);
    h2["priority"] = json!(3);
    let low = client(
        "P-low",
        vec![
            visit("P-low-am", "08:30", "09:30", 60),
            visit("P-low-eve", "18:30", "19:30", 60),
        ],
    );
    let plan = plan(&request(
        vec![
            carer("C1", "drive", "08:00", "10:00"),
            carer("C2", "drive", "18:00", "20:00"),
        ],
        vec![h1, h2, low],
    ));
    let msg = only_code(&plan, "P-low", "CAPACITY");
    assert!(
        msg.contains("no single extra round does it, but one more driver like C1 on an early shift 08:30-09:30 and one more driver like C1 on a late shift 18:30-19:30 would let the client in"),
        "{msg}"
    );
}

/// Through the binary: the `CAPACITY` reason in the plan names what would
/// let the client in.
#[test]
fn cli_plan_gives_capacity_reasons_with_what_would_let_the_client_in() {
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
