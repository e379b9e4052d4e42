//! Re-planning after a disruption end to end (`rota replan`, `rota bench
//! replan`; docs/replan.md). Every plan made here passes the independent
//! checker.

mod common;

use common::day::*;
use rota::check::check;
use rota::model::{Plan, Request, Stop, minutes_of_day};
use rota::replan::{Disruption, Replan, history_kept};
use rota::{PlanOptions, control::SolveControl};
use serde_json::Value;

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
    let prepared = rota::prepare::Prepared::new(r.clone()).expect("valid");
    let new = rota::replan::replan(
        &prepared,
        old,
        d,
        &PlanOptions::default(),
        &SolveControl::new(),
    )
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
        let d = Disruption::new(now, busiest_after(&old, now, 2), None);
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
    let mut r = rota::load_request(SAMPLE).unwrap().into_inner();
    r.settings.time_limit_seconds = 2.0;
    let old = plan(&r);
    let d = Disruption::new(10 * 60 + 15, vec!["C03".into(), "C07".into()], None);
    let new = replan_and_verify(&r, &old, &d);
    let s = new.summary.replan.clone().unwrap();
    assert!(s.calls_of_unavailable > 0, "{s:?}");
}

#[test]
fn replan_later_absence_keeps_the_absent_carers_calls_until_then() {
    let mut r = rota::load_request(SAMPLE).unwrap().into_inner();
    r.settings.time_limit_seconds = 1.0;
    let old = plan(&r);
    let d = Disruption::new(9 * 60, vec!["C02".into()], Some(12 * 60));
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
            due: None,
        },
        duration: 20,
        carers_required: 1,
        skills: vec![],
        after: None,
        starts_with: None,
    }];
    r.clients.push(new_client);
    let d = Disruption::new(now, vec![], None);
    let prepared = rota::prepare::Prepared::new(r.clone()).expect("valid");
    let new = rota::replan::replan(
        &prepared,
        &old,
        &d,
        &PlanOptions::default(),
        &SolveControl::new(),
    )
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

/// Visit -> (sorted carers, start) of a plan.
fn visit_times(p: &Plan) -> std::collections::BTreeMap<String, (Vec<String>, String)> {
    let mut out: std::collections::BTreeMap<String, (Vec<String>, String)> = Default::default();
    for r in &p.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                let e = out
                    .entry(v.visit.clone())
                    .or_insert_with(|| (vec![], v.start.format("%H:%M").to_string()));
                e.0.push(r.carer.clone());
            }
        }
    }
    out.values_mut().for_each(|(c, _)| c.sort());
    out
}

/// The example: the sample day, C03 and C07 off at 10:15. stderr has
/// one line per changed visit in time order, `before -> after`, and the
/// plan's `summary.replan.changes` lists exactly the visits from 10:15 on
/// whose carers or start differ between the two plans (compared here by the
/// test itself), re-timed ones included.
#[test]
fn cli_replan_lists_changed_calls_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let old_path = dir.path().join("day1.json");
    rota()
        .args(["plan", "data/sample-day.json", "--stop-when-stalled", "-o"])
        .arg(&old_path)
        .assert()
        .success();
    let new_path = dir.path().join("re.json");
    let out = rota()
        .args(["replan", "data/sample-day.json"])
        .arg(&old_path)
        .args([
            "--now",
            "10:15",
            "--unavailable",
            "C03,C07",
            "--time-limit",
            "2",
            "-o",
        ])
        .arg(&new_path)
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    rota()
        .args(["check", "data/sample-day.json"])
        .arg(&new_path)
        .assert()
        .success();
    let read = |p: &std::path::Path| -> Plan {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (old, new) = (read(&old_path), read(&new_path));
    let (before, after) = (visit_times(&old), visit_times(&new));
    let mut want: Vec<(String, String)> = before
        .keys()
        .chain(after.keys())
        .filter(|v| before.get(*v).is_none_or(|b| b.1.as_str() >= "10:15"))
        .filter(|v| before.get(*v) != after.get(*v))
        .map(|v| {
            let starts = [before.get(v), after.get(v)];
            let first = starts.iter().flatten().map(|x| x.1.clone()).min().unwrap();
            (first, v.clone())
        })
        .collect();
    want.sort();
    want.dedup();
    assert!(!want.is_empty(), "C07's later calls move");
    let s = new.summary.replan.as_ref().unwrap();
    let got: Vec<&str> = s.changes.iter().map(|c| c.visit.as_str()).collect();
    let want_ids: Vec<&str> = want.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(got, want_ids);
    for c in &s.changes {
        let side = |x: Option<&(Vec<String>, String)>| x.map(|(c, s)| (c.clone(), s.clone()));
        let json = |x: &Option<rota::model::CallTimes>| {
            x.as_ref()
                .map(|t| (t.carers.clone(), t.start.format("%H:%M").to_string()))
        };
        assert_eq!(json(&c.before), side(before.get(&c.visit)), "{}", c.visit);
        assert_eq!(json(&c.after), side(after.get(&c.visit)), "{}", c.visit);
    }
    // stderr: the header, then one line per change in the same order.
    let lines: Vec<&str> = stderr.lines().collect();
    let head = lines
        .iter()
        .position(|l| l.contains("changed call"))
        .unwrap_or_else(|| panic!("no changes header:\n{stderr}"));
    for (k, c) in s.changes.iter().enumerate() {
        let line = lines[head + 1 + k];
        assert!(
            line.trim_start().starts_with(&format!("{} ", c.visit)),
            "{line}"
        );
        let b = c.before.as_ref().map_or("new".to_string(), |t| {
            format!("{} {}", t.carers.join("+"), t.start.format("%H:%M"))
        });
        let a = c.after.as_ref().map_or("dropped".to_string(), |t| {
            format!("{} {}", t.carers.join("+"), t.start.format("%H:%M"))
        });
        assert!(line.ends_with(&format!("{b} -> {a}")), "{line}");
    }
    assert!(!lines[head + 1 + s.changes.len()].contains(" -> "));
    // The JSON field is in the file as documented.
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&new_path).unwrap()).unwrap();
    let first = &v["summary"]["replan"]["changes"][0];
    assert!(
        first["visit"].is_string() && first["client"].is_string(),
        "{first}"
    );
    assert!(first["before"].is_object() || first["after"].is_object());
}

/// Run `rota` with `args` (paths as strings); stderr on failure.
fn run_ok(args: &[&str]) -> String {
    let out = rota().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "rota {args:?}: {stderr}");
    stderr
}

fn read_plan(path: &std::path::Path) -> Plan {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample day planned reproducibly, then C06 off sick at 10:15, then
/// C05 off from 12:00 (issue 26's chain): (p0, r1, r2) paths.
fn sample_chain(dir: &std::path::Path) -> [std::path::PathBuf; 3] {
    let day = "data/sample-day.json";
    let [p0, r1, r2] = ["p0.json", "r1.json", "r2.json"].map(|f| dir.join(f));
    let s = |p: &std::path::PathBuf| p.to_str().unwrap().to_string();
    run_ok(&[
        "plan",
        day,
        "--iterations",
        "3000",
        "--threads",
        "1",
        "-o",
        &s(&p0),
    ]);
    run_ok(&[
        "replan",
        day,
        &s(&p0),
        "--now",
        "10:15",
        "--unavailable",
        "C06",
        "--time-limit",
        "1",
        "-o",
        &s(&r1),
    ]);
    run_ok(&[
        "replan",
        day,
        &s(&r1),
        "--now",
        "12:00",
        "--unavailable",
        "C05",
        "--time-limit",
        "1",
        "-o",
        &s(&r2),
    ]);
    [p0, r1, r2]
}

/// Stops (visit id or "break", start minute) of `carer`'s rounds from
/// `from` on.
fn stops_from(p: &Plan, carer: &str, from: i32) -> Vec<(String, i32)> {
    p.rounds
        .iter()
        .filter(|r| r.carer == carer)
        .flat_map(|r| r.stops.iter())
        .map(|s| match s {
            Stop::Visit(v) => (v.visit.clone(), minutes_of_day(v.start)),
            Stop::Break(b) => ("break".to_string(), minutes_of_day(b.start)),
        })
        .filter(|&(_, t)| t >= from)
        .collect()
}

#[test]
fn a_second_replan_keeps_the_first_absence() {
    let dir = tempfile::tempdir().unwrap();
    let [_, r1, r2] = sample_chain(dir.path());
    let req: Request =
        rota::parse::request_from_str(&std::fs::read_to_string("data/sample-day.json").unwrap())
            .unwrap();
    let (r1, r2) = (read_plan(&r1), read_plan(&r2));
    for p in [&r1, &r2] {
        let report = check(&req, p);
        assert!(report.is_valid(), "{report}");
    }
    // C06's round ends at 10:15 in both: no call and no break from then on.
    assert_eq!(stops_from(&r1, "C06", 615), vec![]);
    assert_eq!(stops_from(&r2, "C06", 615), vec![]);
    assert_eq!(stops_from(&r2, "C05", 720), vec![]);
    let absences: Vec<(String, String)> = r2
        .summary
        .replan
        .as_ref()
        .unwrap()
        .absences
        .iter()
        .map(|a| (a.carer.clone(), a.from.format("%H:%M").to_string()))
        .collect();
    assert_eq!(
        absences,
        vec![
            ("C05".to_string(), "12:00".to_string()),
            ("C06".to_string(), "10:15".to_string())
        ]
    );
}

#[test]
fn the_checker_waives_exactly_the_break_an_absence_cuts_off() {
    let dir = tempfile::tempdir().unwrap();
    let [_, r1, _] = sample_chain(dir.path());
    let req: Request =
        rota::parse::request_from_str(&std::fs::read_to_string("data/sample-day.json").unwrap())
            .unwrap();
    let r1 = read_plan(&r1);
    let rules = |p: &Plan| check(&req, p).rules();
    // C06's break (10:30-12:30 in the request) was not yet due at 10:15.
    let mut no_absence = r1.clone();
    no_absence.summary.replan.as_mut().unwrap().absences.clear();
    assert_eq!(rules(&no_absence), vec!["break"]);
    // Absent only from after the break's latest start: it was due.
    let mut late = r1.clone();
    late.summary.replan.as_mut().unwrap().absences[0].from =
        chrono::NaiveTime::from_hms_opt(12, 45, 0).unwrap();
    assert_eq!(rules(&late), vec!["break"]);
    // Absent earlier than the calls the round still has: each is reported.
    let mut early = r1.clone();
    early.summary.replan.as_mut().unwrap().absences[0].from =
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let report = check(&req, &early);
    assert_eq!(report.rules(), vec!["absence"], "{report}");
    assert!(
        report.violations[0]
            .message
            .contains("C06 is absent from 09:00"),
        "{report}"
    );
}

#[test]
fn calls_in_the_freeze_window_stay_as_planned() {
    let dir = tempfile::tempdir().unwrap();
    let [p0, r1, _] = sample_chain(dir.path());
    let (p0, r1) = (read_plan(&p0), read_plan(&r1));
    // (visit, carer) -> start, travel.
    let calls_of = |p: &Plan| {
        let mut out = std::collections::BTreeMap::new();
        for r in &p.rounds {
            for s in &r.stops {
                if let Stop::Visit(v) = s {
                    out.insert(
                        (v.visit.clone(), r.carer.clone()),
                        (minutes_of_day(v.start), v.travel_minutes as i32),
                    );
                }
            }
        }
        out
    };
    let (before, after) = (calls_of(&p0), calls_of(&r1));
    let until = 10 * 60 + 15 + 15;
    let mut frozen = 0;
    for (key, &(start, travel)) in &before {
        if key.1 != "C06" && start - travel < until {
            frozen += 1;
            assert_eq!(after.get(key).map(|x| x.0), Some(start), "{key:?} moved");
        }
    }
    assert!(frozen >= 20, "{frozen}");
    // Nothing new or re-timed starts inside the window.
    for (key, &(start, _)) in &after {
        if before.get(key).map(|x| x.0) != Some(start) {
            assert!(start >= until, "{key:?} starts {start} inside the freeze");
        }
    }
    let s = r1.summary.replan.as_ref().unwrap();
    assert_eq!(s.freeze_minutes, Some(15));
}

#[test]
fn cli_replan_refuses_a_negative_freeze() {
    let dir = tempfile::tempdir().unwrap();
    let p0 = dir.path().join("p0.json");
    run_ok(&[
        "plan",
        "data/sample-day.json",
        "--iterations",
        "200",
        "--threads",
        "1",
        "-o",
        p0.to_str().unwrap(),
    ]);
    let out = rota()
        .args([
            "replan",
            "data/sample-day.json",
            p0.to_str().unwrap(),
            "--now",
            "10:15",
            "--freeze=-5",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("E1905") && stderr.contains("--freeze"),
        "{stderr}"
    );
}
