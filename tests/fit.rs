//! `rota fit` (docs/fit.md): one new client into a published plan. Every
//! plan made here, and every way reported, passes the independent checker.

use assert_cmd::Command;
use rota::capacity::fit::{FitOptions, fit};
use rota::model::{Client, Plan, Request, Stop};
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../data/sample-day.json");

fn request(text: &str) -> Request {
    let mut r = rota::load_request(text).unwrap().into_inner();
    r.settings.time_limit_seconds = 1.0;
    r
}

/// The day's plan under an iteration budget: the same plan on any machine
/// (under the 1 s time limit alone it depended on the machine's load, and
/// so did the number of ways Mrs X fits).
fn published(r: &Request) -> Plan {
    let opts = rota::PlanOptions {
        threads: 1,
        ..Default::default()
    };
    let mut r = r.clone();
    r.settings.iterations = Some(2_000);
    let p = rota::plan_request_with(&r, &opts, &rota::control::SolveControl::new()).unwrap();
    assert!(rota::check::check(&r, &p).is_valid());
    p
}

fn client(v: Value) -> Client {
    rota::parse::client_from_str(&v.to_string()).unwrap()
}

/// Mrs X: two calls a day, the morning one a double-up, in the middle of
/// the sample day's town.
fn mrs_x() -> Value {
    json!({ "id": "NEW-X", "location": { "lat": 52.0565, "lon": -2.7160 }, "priority": 2,
      "visits": [
        { "id": "NEW-X-am", "window": { "start": "07:30", "end": "11:00" }, "duration": 30,
          "carers_required": 2 },
        { "id": "NEW-X-pm", "window": { "start": "17:00", "end": "20:00" }, "duration": 20 } ] })
}

/// (visit, carer) -> start of every call of a plan.
fn calls(p: &Plan) -> std::collections::BTreeMap<(String, String), chrono::NaiveTime> {
    p.rounds
        .iter()
        .flat_map(|r| {
            r.stops.iter().filter_map(move |s| match s {
                Stop::Visit(v) => Some(((v.visit.clone(), r.carer.clone()), v.start)),
                Stop::Break(_) => None,
            })
        })
        .collect()
}

#[test]
fn mrs_x_fits_into_the_sample_day_in_ranked_checked_ways() {
    let r = request(SAMPLE);
    let plan = published(&r);
    let x = client(mrs_x());
    let f = fit(&r, &plan, &x, &FitOptions::default()).unwrap();
    assert!(f.fits, "{}", rota::capacity::fit::text(&f));
    assert!(f.reasons.is_empty() && f.smallest_change.is_none());
    // One way or more (the published plan of the timing core has one).
    assert!(!f.options.is_empty(), "{}", rota::capacity::fit::text(&f));
    for (i, o) in f.options.iter().enumerate() {
        assert_eq!(o.rank, i + 1);
        assert_eq!(o.calls.len(), 2);
        assert_eq!(o.calls[0].carers.len(), 2, "the double-up has two carers");
        assert_ne!(o.calls[0].carers[0], o.calls[0].carers[1]);
        assert_eq!(o.calls[1].carers.len(), 1);
        assert!(
            o.moved
                .iter()
                .all(|m| m.minutes != 0 && m.client != "NEW-X")
        );
    }
    // Ranked: preferred calls (none here), then extra travel.
    for w in f.options.windows(2) {
        assert!(
            w[0].extra_travel_minutes <= w[1].extra_travel_minutes
                || w[0].preferred_calls > w[1].preferred_calls
        );
    }
    // Distinct ways.
    let ways: std::collections::BTreeSet<String> = f
        .options
        .iter()
        .map(|o| {
            format!(
                "{:?}",
                o.calls
                    .iter()
                    .map(|c| (&c.carers, c.start))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    assert_eq!(ways.len(), f.options.len());

    // The best way as a plan: checked against the amended request, nobody
    // dropped, every published call with its carer, moved ones as reported.
    let new_plan = f.plan.as_ref().unwrap();
    let mut amended = r.clone();
    amended.clients.push(x.clone());
    let report = rota::check::check(&amended, new_plan);
    assert!(report.is_valid(), "{report}");
    assert_eq!(
        new_plan.summary.clients_served,
        plan.summary.clients_served + 1
    );
    let before = calls(&plan);
    let after = calls(new_plan);
    let best = &f.options[0];
    for ((visit, carer), start) in &before {
        let now = after
            .get(&(visit.clone(), carer.clone()))
            .unwrap_or_else(|| panic!("{visit} lost its carer {carer}"));
        let moved = best.moved.iter().find(|m| &m.visit == visit);
        match moved {
            Some(m) => {
                assert_eq!((m.from, m.to), (*start, *now));
                assert!(m.carers.contains(carer));
            }
            None => assert_eq!(now, start, "{visit} moved but is not reported"),
        }
    }
    assert_eq!(after.len(), before.len() + 3);
}

#[test]
fn a_client_no_carer_can_visit_gets_the_reason() {
    let r = request(SAMPLE);
    let plan = published(&r);
    let mut v = mrs_x();
    v["visits"][0]["skills"] = json!(["tracheostomy"]);
    let f = fit(&r, &plan, &client(v), &FitOptions::default()).unwrap();
    assert!(!f.fits && f.options.is_empty() && f.plan.is_none());
    assert_eq!(f.reasons[0].code, "NO_ELIGIBLE_CARER", "{:?}", f.reasons);
    assert!(f.reasons[0].message.contains("tracheostomy"));
}

/// One carer 07:00-10:00 with two clients (priority 1 and 3) that fill
/// the morning, and nothing else.
fn full_day() -> String {
    json!({ "date": "2026-11-24", "settings": { "time_limit_seconds": 1 },
      "carers": [ { "id": "C1", "travel_mode": "drive",
                    "shift": { "start": "07:00", "end": "10:00" },
                    "start_location": { "lat": 52.05, "lon": -2.72 } } ],
      "clients": [
        { "id": "P1", "location": { "lat": 52.05, "lon": -2.72 }, "priority": 1,
          "visits": [ { "id": "P1-am", "window": { "start": "07:00", "end": "08:00" }, "duration": 80 } ] },
        { "id": "P2", "location": { "lat": 52.05, "lon": -2.72 }, "priority": 3,
          "visits": [ { "id": "P2-am", "window": { "start": "08:30", "end": "09:00" }, "duration": 80 } ] } ] })
    .to_string()
}

#[test]
fn when_it_does_not_fit_the_answer_names_the_smallest_change_and_whom_it_could_replace() {
    let r = request(&full_day());
    let plan = published(&r);
    assert_eq!(plan.summary.clients_served, 2);
    let new = client(
        json!({ "id": "NEW", "location": { "lat": 52.05, "lon": -2.72 }, "priority": 2,
      "visits": [ { "id": "NEW-am", "window": { "start": "07:00", "end": "09:00" }, "duration": 45 } ] }),
    );
    let f = fit(&r, &plan, &new, &FitOptions::default()).unwrap();
    assert!(!f.fits && f.options.is_empty());
    assert_eq!(f.reasons[0].code, "CAPACITY", "{:?}", f.reasons);
    let change = f.smallest_change.as_deref().unwrap();
    assert!(change.contains("one more driver like C1"), "{change}");
    let instead = f.instead_of.as_ref().unwrap();
    assert_eq!((instead.client.as_str(), instead.priority), ("P1", 1));
}

#[test]
fn a_bad_new_client_or_a_plan_of_another_request_is_refused_with_a_path() {
    let r = request(SAMPLE);
    let plan = published(&r);
    let mut v = mrs_x();
    v["id"] = json!("P001");
    v["visits"][1]["window"] = json!({ "start": "20:00", "end": "19:00" });
    let err = fit(&r, &plan, &client(v), &FitOptions::default()).unwrap_err();
    let issues = err.issues().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i.code == "E1103" && i.path == "client.id"),
        "{issues:?}"
    );
    assert!(
        issues
            .iter()
            .any(|i| i.code == "E1201" && i.path == "client.visits[1].window")
    );

    let other = request(&full_day());
    let err = fit(&other, &plan, &client(mrs_x()), &FitOptions::default()).unwrap_err();
    assert_eq!(err.issues().unwrap()[0].code, "E1007");
}

#[test]
fn cli_fit_answers_in_json_and_writes_the_checked_plan() {
    let dir = tempfile::tempdir().unwrap();
    let r = request(SAMPLE);
    let plan = published(&r);
    let req_path = dir.path().join("req.json");
    let plan_path = dir.path().join("plan.json");
    let client_path = dir.path().join("mrs-x.json");
    let new_plan = dir.path().join("new-plan.json");
    std::fs::write(&req_path, SAMPLE).unwrap();
    std::fs::write(&plan_path, serde_json::to_string(&plan).unwrap()).unwrap();
    std::fs::write(&client_path, mrs_x().to_string()).unwrap();
    let out = Command::cargo_bin("rota")
        .unwrap()
        .arg("fit")
        .arg(&req_path)
        .arg(&plan_path)
        .arg("--client")
        .arg(&client_path)
        .arg("--plan-output")
        .arg(&new_plan)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["fits"], true);
    assert_eq!(answer["options"][0]["rank"], 1);
    assert!(err.contains("fits into the plan"), "{err}");
    let mut amended: Value = serde_json::from_str(SAMPLE).unwrap();
    amended["clients"].as_array_mut().unwrap().push(mrs_x());
    let amended = rota::load_request(&amended.to_string()).unwrap();
    let p = rota::parse::plan_from_str(&std::fs::read_to_string(&new_plan).unwrap()).unwrap();
    assert!(rota::check::check(&amended, &p).is_valid());
}

/// Mrs X of issue 26: in Ledbury, a hoist double-up at breakfast, lunch
/// and bed; an urgent discharge (priority 8). Ledbury's hoist carers are
/// booked at all three times in the published plan.
fn mrs_x_ledbury() -> Value {
    let call = |id: &str, start: &str, end: &str, duration: u32| {
        json!({ "id": id, "window": { "start": start, "end": end }, "duration": duration,
                "carers_required": 2, "skills": ["hoist"] })
    };
    json!({ "id": "MRS-X", "location": { "lat": 52.0352, "lon": -2.4255 }, "priority": 8,
      "visits": [ call("MRS-X-am", "07:30", "09:30", 45), call("MRS-X-lunch", "12:00", "13:30", 30),
                  call("MRS-X-bed", "19:30", "21:00", 30) ] })
}

/// Issue 26: the fast answer said "does not fit" and explained only one
/// call, while a re-plan serves her. Now every call without a place has its
/// reason, and `--replan-iterations` re-plans the day (reproducibly) and
/// says whom that drops; `--plan-output` writes the re-plan, which passes
/// the checker.
#[test]
fn cli_fit_against_a_replan_serves_mrs_x_and_names_whom_it_drops() {
    let dir = tempfile::tempdir().unwrap();
    let r = request(SAMPLE);
    let plan = published(&r);
    let req_path = dir.path().join("req.json");
    let plan_path = dir.path().join("plan.json");
    let client_path = dir.path().join("mrs-x.json");
    let new_plan = dir.path().join("new-plan.json");
    std::fs::write(&req_path, SAMPLE).unwrap();
    std::fs::write(&plan_path, serde_json::to_string(&plan).unwrap()).unwrap();
    std::fs::write(&client_path, mrs_x_ledbury().to_string()).unwrap();
    let fit_cmd = |extra: &[&str]| {
        Command::cargo_bin("rota")
            .unwrap()
            .arg("fit")
            .arg(&req_path)
            .arg(&plan_path)
            .arg("--client")
            .arg(&client_path)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = fit_cmd(&[
        "--replan-iterations",
        "2000",
        "--plan-output",
        new_plan.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["fits"], false, "{answer}");

    // One reason per call that has no place, not only the first. (In the
    // published plan of the one timing core, lunch has a place of its own;
    // breakfast and bed do not.)
    let reasons = answer["reasons"].as_array().unwrap();
    for call in ["MRS-X-am", "MRS-X-bed"] {
        assert_eq!(
            reasons
                .iter()
                .filter(|x| x["code"] == "CAPACITY"
                    && x["message"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("visit {call} ")))
                .count(),
            1,
            "{call}: {reasons:?}"
        );
    }

    // The re-plan serves her, serves more priority than the published plan
    // and names whom it drops. (From the published plan alone the search
    // did not find this trade on the timing core; it finds it from its
    // second start, the published plan with her placed first: docs/fit.md,
    // "The re-plan's two starts".)
    let re = &answer["replan"];
    assert_eq!(re["serves"], true, "{err}");
    assert_eq!(re["reproducible"], true);
    assert_eq!(re["iterations"], 2000);
    assert!(
        re["priority_served"].as_i64() > re["published_priority_served"].as_i64(),
        "{re}"
    );
    assert_eq!(re["calls"].as_array().unwrap().len(), 3, "{re}");
    for c in re["calls"].as_array().unwrap() {
        assert_eq!(c["carers"].as_array().unwrap().len(), 2, "{c}");
    }
    let p = rota::parse::plan_from_str(&std::fs::read_to_string(&new_plan).unwrap()).unwrap();
    let mut amended: Value = serde_json::from_str(SAMPLE).unwrap();
    amended["clients"]
        .as_array_mut()
        .unwrap()
        .push(mrs_x_ledbury());
    let amended = rota::load_request(&amended.to_string()).unwrap();
    let report = rota::check::check(&amended, &p);
    assert!(report.is_valid(), "{report}");
    let served = |p: &Plan| -> std::collections::BTreeSet<String> {
        p.rounds
            .iter()
            .flat_map(|r| r.stops.iter())
            .filter_map(|s| match s {
                Stop::Visit(v) => Some(v.client.clone()),
                Stop::Break(_) => None,
            })
            .collect()
    };
    assert!(served(&p).contains("MRS-X"));
    let dropped: Vec<String> = re["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["client"].as_str().unwrap().to_string())
        .collect();
    let lost: Vec<String> = served(&plan).difference(&served(&p)).cloned().collect();
    let mut sorted = dropped.clone();
    sorted.sort();
    assert_eq!(sorted, lost, "{re}");
    assert!(!dropped.is_empty(), "{re}");
    for d in re["dropped"].as_array().unwrap() {
        assert!(d["priority"].as_i64().unwrap() < 8, "{d}");
    }
    assert_eq!(
        re["clients_served"].as_u64().unwrap(),
        u64::from(p.summary.clients_served)
    );
    assert!(err.contains("drops P"), "{err}");

    // A re-plan limit that cannot work is refused with its flag.
    let out = fit_cmd(&["--replan=-1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E1007 at --replan"), "{err}");
}

/// A fit stops at its time limit (`rota serve` gives it
/// `--max-time-limit`) and says so: at 0 s no way is tried, no re-plan is
/// started, and the answer says it was cut short; without a limit the same
/// fit finds its ways and does not say so.
#[test]
fn a_fit_stops_at_its_time_limit_and_says_so() {
    let r = request(SAMPLE);
    let plan = published(&r);
    let x = client(mrs_x());
    let free = fit(&r, &plan, &x, &FitOptions::default()).unwrap();
    assert!(free.fits && !free.time_limit_reached);
    let json = serde_json::to_value(&free).unwrap();
    assert!(json.get("time_limit_reached").is_none(), "{json}");
    let opts = FitOptions {
        time_limit: Some(0.0),
        replan: Some(rota::capacity::fit::Replan {
            seconds: Some(5.0),
            iterations: None,
            threads: 1,
        }),
        ..FitOptions::default()
    };
    let cut = fit(&r, &plan, &x, &opts).unwrap();
    assert!(cut.time_limit_reached);
    assert!(rota::capacity::fit::text(&cut).contains("the time limit ended the search"));
    assert!(!cut.fits && cut.options.is_empty() && cut.replan.is_none());
    assert!(cut.seconds < 5.0, "{} s", cut.seconds);
    let json = serde_json::to_value(&cut).unwrap();
    assert_eq!(json["time_limit_reached"], true, "{json}");
}
