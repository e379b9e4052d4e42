//! The rota manager's extensions end to end: continuity across days
//! (`previous_plan`, `rota plan --previous`), locked assignments (`locks`),
//! and re-planning after a disruption (`rota replan`). Every plan made here
//! passes the independent checker.

use std::collections::BTreeMap;

use assert_cmd::Command;
use rota::check::check;
use rota::model::{Plan, Request, Stop, minutes_of_day};
use rota::replan::{Disruption, Replan, history_kept};
use rota::{PlanOptions, RotaError, control::SolveControl};
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../data/sample-day.json");

fn rota() -> Command {
    Command::cargo_bin("rota").expect("binary rota is built")
}

fn req(v: &Value) -> Request {
    rota::load_request(&v.to_string()).expect("request loads")
}

fn plan(r: &Request) -> Plan {
    let p = rota::plan_request(r).expect("plans");
    let report = check(r, &p);
    assert!(report.is_valid(), "{report}");
    p
}

/// (visit, carer) -> start minute of every call of a plan.
fn calls(p: &Plan) -> BTreeMap<(String, String), i32> {
    let mut out = BTreeMap::new();
    for r in &p.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                out.insert((v.visit.clone(), r.carer.clone()), minutes_of_day(v.start));
            }
        }
    }
    out
}

fn carer(id: &str, start: &str, end: &str, skills: &[&str]) -> Value {
    json!({ "id": id, "travel_mode": "drive",
            "shift": { "start": start, "end": end },
            "start_location": { "lat": 52.05, "lon": -2.72 }, "skills": skills })
}

fn client(
    id: &str,
    priority: u32,
    at: (f64, f64),
    start: &str,
    end: &str,
    skills: &[&str],
) -> Value {
    json!({ "id": id, "priority": priority, "location": { "lat": at.0, "lon": at.1 },
            "visits": [ { "id": format!("{id}-am"), "window": { "start": start, "end": end },
                          "duration": 30, "skills": skills } ] })
}

/// A minimal plan of `date` in which `carer` visited `client`.
fn previous(date: &str, carer: &str, client: &str) -> Value {
    json!({ "date": date,
      "summary": { "clients_total": 1, "clients_served": 1, "priority_served": 1,
        "visits_total": 1, "visits_served": 1, "care_minutes": 30, "travel_minutes": 0,
        "continuity_assignments": 0, "status": "feasible", "solve_seconds": 0.1 },
      "rounds": [ { "carer": carer, "shift": { "start": "07:00", "end": "09:00" },
        "travel_mode": "drive",
        "stops": [ { "kind": "visit", "visit": format!("{client}-am"), "client": client,
          "arrive": "07:30", "start": "07:30", "end": "08:00", "travel_minutes": 0, "with": [] } ],
        "return": "08:00", "travel_minutes": 0, "care_minutes": 30 } ],
      "unserved": [] })
}

// ------------------------------------------------------------ continuity

fn two_carers_two_clients() -> Value {
    json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "09:00", &["hoist"]), carer("C2", "07:00", "09:00", &[]) ],
      "clients": [ client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[]),
                   client("P2", 1, (52.05, -2.72), "07:30", "07:30", &["hoist"]) ] })
}

#[test]
fn previous_carers_count_as_preferred_and_continuity_kept_is_reported() {
    // P1 alone, two identical carers: only continuity decides, and C2 was
    // there yesterday.
    let mut v = two_carers_two_clients();
    v["clients"] = json!([client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[])]);
    v["previous_plan"] = previous("2026-11-23", "C2", "P1");
    let p = plan(&req(&v));
    assert_eq!(calls(&p).keys().next().unwrap().1, "C2");
    assert_eq!(p.summary.continuity_kept, Some(1));
    assert_eq!(p.summary.continuity_assignments, 1);
    // Without a previous plan the field is absent.
    v.as_object_mut().unwrap().remove("previous_plan");
    assert_eq!(plan(&req(&v)).summary.continuity_kept, None);
}

#[test]
fn continuity_never_costs_a_served_client() {
    // Yesterday C1 visited P1. Today P2 needs the hoist only C1 has, at
    // the same minute as P1: keeping C1 with P1 would lose P2.
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-23", "C1", "P1");
    let p = plan(&req(&v));
    assert_eq!(p.summary.clients_served, 2, "{p:?}");
    let c = calls(&p);
    assert!(
        c.contains_key(&("P1-am".to_string(), "C2".to_string())),
        "{c:?}"
    );
    assert!(
        c.contains_key(&("P2-am".to_string(), "C1".to_string())),
        "{c:?}"
    );
    assert_eq!(p.summary.continuity_kept, Some(0));
}

#[test]
fn previous_plan_of_the_same_day_is_refused_and_unknown_ids_are_ignored() {
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-24", "C1", "P1");
    let text = v.to_string();
    match rota::load_request(&text) {
        Err(RotaError::Invalid(issues)) => {
            assert_eq!(issues.0.len(), 1, "{issues}");
            assert_eq!(issues.0[0].code, "E1901");
            assert_eq!(issues.0[0].path, "previous_plan.date");
        }
        other => panic!("expected E1901, got {other:?}"),
    }
    // A carer and a client that are gone today: ignored.
    v["previous_plan"] = previous("2026-11-20", "C99", "P99");
    let p = plan(&req(&v));
    assert_eq!(p.summary.continuity_kept, Some(0));
    assert_eq!(p.summary.clients_served, 2);
}

#[test]
fn checker_recomputes_continuity_kept() {
    let mut v = two_carers_two_clients();
    v["previous_plan"] = previous("2026-11-23", "C2", "P1");
    let r = req(&v);
    let mut p = plan(&r);
    p.summary.continuity_kept = Some(2);
    assert_eq!(check(&r, &p).rules(), vec!["continuity-kept"]);
    p.summary.continuity_kept = None;
    assert_eq!(check(&r, &p).rules(), vec!["continuity-kept"]);
}

#[test]
fn cli_plan_previous_reads_yesterdays_plan() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = two_carers_two_clients();
    v["clients"] = json!([client("P1", 1, (52.05, -2.72), "07:30", "07:30", &[])]);
    let request = dir.path().join("today.json");
    std::fs::write(&request, v.to_string()).unwrap();
    let yesterday = dir.path().join("yesterday.json");
    let mut prev = previous("2026-11-23", "C2", "P1");
    // One more round with a carer who has left.
    let mut gone = prev["rounds"][0].clone();
    gone["carer"] = json!("C77");
    prev["rounds"].as_array_mut().unwrap().push(gone);
    std::fs::write(&yesterday, prev.to_string()).unwrap();
    let out = rota()
        .arg("plan")
        .arg(&request)
        .arg("--previous")
        .arg(&yesterday)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("0 client(s) and 1 carer(s) not in this request"),
        "{stderr}"
    );
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["summary"]["continuity_kept"], 1);
    // rota check with the same previous plan accepts it; without, it does not.
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, &out.stdout).unwrap();
    let check_with = |prev: Option<&std::path::Path>| {
        let mut c = rota();
        c.arg("check").arg(&request).arg(&plan_path);
        if let Some(p) = prev {
            c.arg("--previous").arg(p);
        }
        c.output().unwrap().status.code()
    };
    assert_eq!(check_with(Some(&yesterday)), Some(0));
    assert_eq!(check_with(None), Some(1));
    // rota report takes --previous the same way: with it, no warning and no
    // banner; without it, both (the plan breaks continuity-kept).
    let report_with = |prev: Option<&std::path::Path>| {
        let mut c = rota();
        c.arg("report")
            .arg(&plan_path)
            .arg("--request")
            .arg(&request);
        if let Some(p) = prev {
            c.arg("--previous").arg(p);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let html = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (
            html.contains("<div class=\"invalid-banner\""),
            stderr.contains("breaks"),
        )
    };
    assert_eq!(report_with(Some(&yesterday)), (false, false));
    assert_eq!(report_with(None), (true, true));
    // The plan checks against the request with the previous plan in it.
    v["previous_plan"] = prev;
    let r = req(&v);
    let p: Plan = serde_json::from_value(p).unwrap();
    assert!(check(&r, &p).is_valid());
    // A previous plan that is not a plan: bad input.
    std::fs::write(&yesterday, "{\"date\": 3}").unwrap();
    let out = rota()
        .arg("plan")
        .arg(&request)
        .arg("--previous")
        .arg(&yesterday)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ------------------------------------------------------------ locks

fn lock_day() -> Value {
    json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ carer("C1", "07:00", "12:00", &["hoist"]), carer("C2", "07:00", "12:00", &["hoist"]),
                  carer("C3", "07:00", "12:00", &[]) ],
      "clients": [
        { "id": "P1", "priority": 3, "location": { "lat": 52.06, "lon": -2.73 },
          "visits": [ { "id": "P1-am", "window": { "start": "08:00", "end": "09:00" },
                        "duration": 30, "carers_required": 2, "skills": ["hoist"] } ] },
        client("P2", 1, (52.04, -2.71), "08:00", "10:00", &[]),
        client("P3", 2, (52.05, -2.70), "09:00", "11:00", &[]) ] })
}

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

// ------------------------------------------------------------ replan

/// The carers with the most calls from `now` on in `p`.
fn busiest_after(p: &Plan, now: i32, n: usize) -> Vec<String> {
    let mut by: Vec<(usize, String)> = p
        .rounds
        .iter()
        .map(|r| {
            let k = r
                .stops
                .iter()
                .filter(|s| matches!(s, Stop::Visit(v) if minutes_of_day(v.start) >= now))
                .count();
            (k, r.carer.clone())
        })
        .collect();
    by.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    by.into_iter().take(n).map(|x| x.1).collect()
}

/// Re-plan `r` (planned as `old`) after `d`, and assert the properties of
/// docs/replan.md: the checker accepts it, calls before `now` are kept, and
/// if any call of an available carer moved, the new plan serves more
/// priority than keeping every such call (the warm start) does.
fn replan_and_verify(r: &Request, old: &Plan, d: &Disruption) -> Plan {
    let new = rota::replan::replan(r, old, d, &PlanOptions::default(), &SolveControl::new())
        .expect("re-plans");
    let report = check(r, &new);
    assert!(report.is_valid(), "{report}");
    assert!(history_kept(old, &new, d.now));
    let s = new.summary.replan.as_ref().expect("replan summary");
    // Every lost client is reported.
    for u in &new.unserved {
        let was_served = calls(old)
            .keys()
            .any(|(v, _)| v.starts_with(&format!("{}-", u.client)));
        if was_served {
            assert!(
                s.at_risk.iter().any(|a| a.client == u.client),
                "{} not at risk",
                u.client
            );
        }
    }
    // Calls before now: all of them are fixed unless their client is at risk.
    let started_lost = s
        .at_risk
        .iter()
        .filter(|a| a.status == "started_not_finished")
        .count();
    if started_lost == 0 {
        let before = calls(old).values().filter(|&&t| t < d.now).count() as u32;
        assert!(s.calls_fixed >= before, "{s:?}");
    }
    if s.calls_moved > 0 {
        let rp = Replan::build(r, old, d).unwrap();
        let warm = rp.warm_start().solution;
        let p = &rp.problem;
        let warm_priority: i64 = (0..p.clients.len())
            .filter(|&k| warm.is_served(p, k))
            .map(|k| p.true_priority(k))
            .sum();
        assert!(
            new.summary.priority_served as i64 > warm_priority,
            "{} calls moved but priority {} <= {} of keeping them",
            s.calls_moved,
            new.summary.priority_served,
            warm_priority
        );
    }
    new
}

#[test]
fn replan_generated_days_keeps_history_and_moves_only_to_serve_more() {
    for seed in [2u64, 5] {
        let mut r = rota::generate::generate(&rota::generate::GenerateOptions {
            clients: 16,
            seed,
            am_rounds: Some(3),
            pm_rounds: Some(2),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        });
        r.settings.time_limit_seconds = 1.0;
        let old = plan(&r);
        let now = 10 * 60 + 15;
        let d = Disruption {
            now,
            unavailable: busiest_after(&old, now, 2),
            unavailable_from: None,
        };
        let new = replan_and_verify(&r, &old, &d);
        // Absent carers have no call from now on.
        for round in new
            .rounds
            .iter()
            .filter(|x| d.unavailable.contains(&x.carer))
        {
            for s in &round.stops {
                if let Stop::Visit(v) = s {
                    assert!(minutes_of_day(v.start) < now, "{} at {}", v.visit, v.start);
                }
            }
        }
    }
}

#[test]
fn replan_the_sample_day_with_two_carers_off_at_10_15() {
    let mut r = rota::load_request(SAMPLE).unwrap();
    r.settings.time_limit_seconds = 2.0;
    let old = plan(&r);
    let d = Disruption {
        now: 10 * 60 + 15,
        unavailable: vec!["C03".into(), "C07".into()],
        unavailable_from: None,
    };
    let new = replan_and_verify(&r, &old, &d);
    let s = new.summary.replan.clone().unwrap();
    assert!(s.calls_of_unavailable > 0, "{s:?}");
}

#[test]
fn replan_later_absence_keeps_the_absent_carers_calls_until_then() {
    let mut r = rota::load_request(SAMPLE).unwrap();
    r.settings.time_limit_seconds = 1.0;
    let old = plan(&r);
    let d = Disruption {
        now: 9 * 60,
        unavailable: vec!["C02".into()],
        unavailable_from: Some(12 * 60),
    };
    let new = replan_and_verify(&r, &old, &d);
    let (o, n) = (calls(&old), calls(&new));
    for ((v, c), t) in &o {
        if c == "C02" && *t < 12 * 60 {
            assert_eq!(n.get(&(v.clone(), c.clone())), Some(t), "{v}");
        }
        if c == "C02" && *t >= 12 * 60 {
            assert!(!n.contains_key(&(v.clone(), c.clone())), "{v}");
        }
    }
}

#[test]
fn replan_an_amended_request_with_a_cancelled_and_a_new_client() {
    let mut r = rota::generate::generate(&rota::generate::GenerateOptions {
        clients: 14,
        seed: 7,
        am_rounds: Some(3),
        pm_rounds: Some(2),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    });
    r.settings.time_limit_seconds = 1.0;
    let old = plan(&r);
    let now = 10 * 60 + 15;
    // Cancel a served client, add a new one with an afternoon call.
    let served: Vec<String> = old
        .rounds
        .iter()
        .flat_map(|x| &x.stops)
        .filter_map(|s| match s {
            Stop::Visit(v) => Some(v.client.clone()),
            Stop::Break(_) => None,
        })
        .collect();
    let gone = served[0].clone();
    r.clients.retain(|c| c.id != gone);
    let mut new_client = r.clients[0].clone();
    new_client.id = "NEW1".into();
    new_client.preferred_carers.clear();
    new_client.excluded_carers.clear();
    new_client.carer_gender = None;
    new_client.visits = vec![rota::model::Visit {
        id: "NEW1-pm".into(),
        window: rota::model::Window {
            start: rota::model::hhmm::parse("14:00").unwrap(),
            end: rota::model::hhmm::parse("18:00").unwrap(),
        },
        duration: 20,
        carers_required: 1,
        skills: vec![],
        after: None,
    }];
    r.clients.push(new_client);
    let d = Disruption {
        now,
        unavailable: vec![],
        unavailable_from: None,
    };
    let new = rota::replan::replan(&r, &old, &d, &PlanOptions::default(), &SolveControl::new())
        .expect("re-plans");
    assert!(check(&r, &new).is_valid());
    assert!(history_kept(&old, &new, now));
    let s = new.summary.replan.clone().unwrap();
    assert!(
        s.at_risk
            .iter()
            .any(|a| a.client == gone && a.status == "cancelled"),
        "{s:?}"
    );
    assert!(!s.at_risk.iter().any(|a| a.status == "lost"), "{s:?}");
    assert_eq!(s.calls_moved, 0, "{s:?}");
    // The new client's afternoon call fits: there is room after 14:00.
    assert!(
        calls(&new).keys().any(|(v, _)| v == "NEW1-pm"),
        "{:?}",
        new.unserved
    );
}

#[test]
fn cli_replan_writes_the_new_plan_and_reports_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let r = rota::generate::generate(&rota::generate::GenerateOptions {
        clients: 12,
        seed: 4,
        am_rounds: Some(3),
        pm_rounds: Some(1),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    });
    let request = dir.path().join("day.json");
    std::fs::write(&request, serde_json::to_string(&r).unwrap()).unwrap();
    let old_path = dir.path().join("plan.json");
    let out = rota()
        .arg("plan")
        .arg(&request)
        .args(["--time-limit", "1", "-o"])
        .arg(&old_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let old: Plan = serde_json::from_str(&std::fs::read_to_string(&old_path).unwrap()).unwrap();
    let off = busiest_after(&old, 10 * 60 + 15, 2).join(",");
    let new_path = dir.path().join("new.json");
    let out = rota()
        .arg("replan")
        .arg(&request)
        .arg(&old_path)
        .args([
            "--now",
            "10:15",
            "--unavailable",
            &off,
            "--time-limit",
            "1",
            "-o",
        ])
        .arg(&new_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "replan at 10:15: {} unavailable from 10:15",
            off.replace(',', ", ")
        )),
        "{stderr}"
    );
    assert!(stderr.contains("calls kept as they happened"), "{stderr}");
    let out = rota()
        .arg("check")
        .arg(&request)
        .arg(&new_path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&new_path).unwrap()).unwrap();
    assert_eq!(new["summary"]["replan"]["now"], "10:15");
    assert!(new["summary"]["replan"]["calls_moved"].is_u64());
}

#[test]
fn cli_replan_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let v = lock_day();
    let request = dir.path().join("day.json");
    std::fs::write(&request, v.to_string()).unwrap();
    let p = plan(&req(&v));
    let old_path = dir.path().join("plan.json");
    std::fs::write(&old_path, serde_json::to_string(&p).unwrap()).unwrap();
    let run = |args: &[&str]| {
        rota()
            .arg("replan")
            .arg(&request)
            .arg(&old_path)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--now", "10:15", "--unavailable", "C9"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E1902 at --unavailable"), "{stderr}");
    let out = run(&[
        "--now",
        "10:15",
        "--unavailable",
        "C1",
        "--unavailable-from",
        "09:00",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E1903 at --unavailable-from"), "{stderr}");
    let out = run(&["--now", "25:00"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--now", "10:15", "--unavailable", "C1", "--time-limit", "1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cli_bench_replan_prints_a_valid_row_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = rota::generate::generate(&rota::generate::GenerateOptions {
        clients: 10,
        seed: 3,
        am_rounds: Some(3),
        pm_rounds: Some(1),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    });
    r.settings.time_limit_seconds = 1.0;
    let request = dir.path().join("day.json");
    std::fs::write(&request, serde_json::to_string(&r).unwrap()).unwrap();
    let out = rota()
        .args(["bench", "replan"])
        .arg(&request)
        .args(["--unavailable", "C01", "--runs", "2", "--time-limit", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
        .collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    assert!(
        rows[1].starts_with("| 1 |") && rows[1].ends_with("| yes |"),
        "{stdout}"
    );
    assert!(
        rows[2].starts_with("| 2 |") && rows[2].ends_with("| yes |"),
        "{stdout}"
    );
}
