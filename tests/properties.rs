//! Properties over random small requests and generated days: planning always
//! succeeds on a valid request, the independent checker accepts the plan,
//! every client is accounted for exactly once, the summary adds up, and the
//! same request always gives the same plan.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rota::model::{
    After, Break, Carer, Client, Location, Plan, Request, Settings, Shift, Stop, TravelMatrix,
    Visit, Window, time_of_minutes,
};

const SKILLS: [&str; 3] = ["hoist", "medication", "catheter"];
const GENDERS: [Option<&str>; 3] = [None, Some("f"), Some("m")];
const REASONS: [&str; 5] = [
    "NO_ELIGIBLE_CARER",
    "NO_CARER_ON_SHIFT_IN_WINDOW",
    "WINDOW_TOO_NARROW_FOR_DOUBLE_UP",
    "GAP_CANNOT_FIT",
    "CAPACITY",
];

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn t(m: u32) -> chrono::NaiveTime {
    time_of_minutes(m as i32)
}

fn skills_of(bits: u8) -> Vec<String> {
    SKILLS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// Around Hereford (52.05, -2.72): up to ~20 km each way.
fn near(dlat: f64, dlon: f64) -> Location {
    Location {
        lat: 52.05 + dlat,
        lon: -2.72 + dlon,
    }
}

#[derive(Debug, Clone)]
struct CarerSpec {
    mode: usize,
    /// 0: one shift, 1: one shift with a break, 2: two shifts (first with a break).
    kind: u8,
    start: u32,
    hours: u32,
    break_minutes: u32,
    at: (f64, f64),
    end_at: Option<(f64, f64)>,
    skills: u8,
    gender: usize,
}

fn carer_spec() -> impl Strategy<Value = CarerSpec> {
    (
        0..3usize,
        0..3u8,
        (6 * 60..15 * 60u32),
        4..10u32,
        10..40u32,
        (-0.15..0.15f64, -0.25..0.25f64),
        prop::option::weighted(0.25, (-0.15..0.15f64, -0.25..0.25f64)),
        0..8u8,
        0..3usize,
    )
        .prop_map(
            |(mode, kind, start, hours, break_minutes, at, end_at, skills, gender)| CarerSpec {
                mode,
                kind,
                start,
                hours,
                break_minutes,
                at,
                end_at,
                skills,
                gender,
            },
        )
}

#[derive(Debug, Clone)]
struct VisitSpec {
    start: u32,
    width: u32,
    duration: u32,
    double: bool,
    skills: u8,
    after_gap: Option<u32>,
}

fn visit_spec() -> impl Strategy<Value = VisitSpec> {
    (
        (7 * 60..21 * 60u32),
        prop_oneof![Just(0u32), 0..180u32],
        5..90u32,
        prop::bool::weighted(0.2),
        prop_oneof![3 => Just(0u8), 1 => 0..8u8],
        prop::option::weighted(0.3, 30..300u32),
    )
        .prop_map(
            |(start, width, duration, double, skills, after_gap)| VisitSpec {
                start,
                width,
                duration,
                double,
                skills,
                after_gap,
            },
        )
}

#[derive(Debug, Clone)]
struct ClientSpec {
    at: (f64, f64),
    priority: u32,
    visits: Vec<VisitSpec>,
    gender: usize,
    preferred: Option<usize>,
    excluded: Option<usize>,
}

fn client_spec() -> impl Strategy<Value = ClientSpec> {
    (
        (-0.15..0.15f64, -0.25..0.25f64),
        1..5u32,
        prop::collection::vec(visit_spec(), 1..=3),
        prop_oneof![3 => Just(0usize), 1 => 1..3usize],
        prop::option::weighted(0.4, 0..4usize),
        prop::option::weighted(0.2, 0..4usize),
    )
        .prop_map(
            |(at, priority, visits, gender, preferred, excluded)| ClientSpec {
                at,
                priority,
                visits,
                gender,
                preferred,
                excluded,
            },
        )
}

fn build(carers: &[CarerSpec], clients: &[ClientSpec], matrix: Option<(u8, u64)>) -> Request {
    let carers: Vec<Carer> = carers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let end = (c.start + c.hours * 60).min(23 * 60 + 59);
            let brk = |s: u32, e: u32| {
                // A break window inside the shift (validation E1409).
                let earliest = s + (e - s) / 3;
                let latest = (earliest + 90).min(e - c.break_minutes);
                (latest >= earliest).then(|| Break {
                    earliest: t(earliest),
                    latest: t(latest),
                    minutes: c.break_minutes,
                })
            };
            let (shift, shifts) = match c.kind {
                0 => (
                    Some(Shift {
                        start: t(c.start),
                        end: t(end),
                        brk: None,
                    }),
                    None,
                ),
                1 => (
                    Some(Shift {
                        start: t(c.start),
                        end: t(end),
                        brk: brk(c.start, end),
                    }),
                    None,
                ),
                _ => {
                    // Two rounds: a morning one and a later one.
                    let s1 = c.start.min(9 * 60);
                    let e1 = s1 + 4 * 60;
                    let s2 = e1 + 60 + (c.hours % 3) * 60;
                    let e2 = (s2 + 4 * 60).min(23 * 60 + 59);
                    (
                        None,
                        Some(vec![
                            Shift {
                                start: t(s1),
                                end: t(e1),
                                brk: brk(s1, e1),
                            },
                            Shift {
                                start: t(s2),
                                end: t(e2),
                                brk: None,
                            },
                        ]),
                    )
                }
            };
            Carer {
                id: format!("C{i}"),
                travel_mode: rota::model::MODES[c.mode].to_string(),
                shift,
                shifts,
                start_location: near(c.at.0, c.at.1),
                end_location: c.end_at.map(|(a, b)| near(a, b)),
                skills: skills_of(c.skills),
                gender: GENDERS[c.gender].map(str::to_string),
            }
        })
        .collect();
    let n = carers.len();
    let clients: Vec<Client> = clients
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let preferred: Vec<String> = c
                .preferred
                .map(|i| format!("C{}", i % n))
                .into_iter()
                .collect();
            let excluded: Vec<String> = c
                .excluded
                .map(|i| format!("C{}", i % n))
                .filter(|e| !preferred.contains(e))
                .into_iter()
                .collect();
            let visits = c
                .visits
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let end = (v.start + v.width).min(23 * 60 + 59 - v.duration);
                    let start = v.start.min(end);
                    Visit {
                        id: format!("P{k}-{j}"),
                        window: Window {
                            start: t(start),
                            end: t(end),
                        },
                        duration: v.duration,
                        carers_required: if v.double { 2 } else { 1 },
                        skills: skills_of(v.skills),
                        after: match v.after_gap {
                            Some(gap) if j > 0 => Some(After {
                                visit: format!("P{k}-{}", j - 1),
                                min_gap: gap,
                            }),
                            _ => None,
                        },
                    }
                })
                .collect();
            Client {
                id: format!("P{k}"),
                location: near(c.at.0, c.at.1),
                priority: c.priority,
                preferred_carers: preferred,
                excluded_carers: excluded,
                carer_gender: GENDERS[c.gender].map(str::to_string),
                visits,
            }
        })
        .collect();
    let travel_matrix = matrix.map(|(modes, salt)| {
        let mut refs: Vec<String> = clients.iter().map(|c| c.id.clone()).collect();
        for c in &carers {
            refs.push(c.id.clone());
            if c.end_location.is_some() {
                refs.push(format!("{}/end", c.id));
            }
        }
        let m = refs.len();
        let mut minutes = BTreeMap::new();
        for (i, mode) in rota::model::MODES.iter().enumerate() {
            // Always list at least one mode; others use the formula.
            if i > 0 && modes & (1 << i) == 0 {
                continue;
            }
            let grid = (0..m)
                .map(|a| {
                    (0..m)
                        .map(|b| {
                            if a == b {
                                0
                            } else {
                                ((a as u64 * 7 + b as u64 * 13 + salt + i as u64) % 45) as i64
                            }
                        })
                        .collect()
                })
                .collect();
            minutes.insert(mode.to_string(), grid);
        }
        TravelMatrix { refs, minutes }
    });
    Request {
        date: date(),
        settings: Settings::default(),
        carers,
        clients,
        travel_matrix,
    }
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::collection::vec(carer_spec(), 1..=4),
        prop::collection::vec(client_spec(), 1..=8),
        prop::option::weighted(0.2, (0..8u8, 0..1000u64)),
    )
        .prop_map(|(carers, clients, matrix)| build(&carers, &clients, matrix))
}

/// Everything a plan of `req` must satisfy beyond the checker, as a list of
/// failures (empty when all holds).
fn accounting(req: &Request, plan: &Plan) -> Vec<String> {
    let mut bad = Vec::new();
    let mut visit_carers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut served_clients: BTreeSet<&str> = BTreeSet::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                visit_carers
                    .entry(v.visit.as_str())
                    .or_default()
                    .push(r.carer.as_str());
                served_clients.insert(v.client.as_str());
            }
        }
    }
    let unserved: BTreeMap<&str, usize> = plan
        .unserved
        .iter()
        .map(|u| (u.client.as_str(), u.reasons.len()))
        .collect();
    if unserved.len() != plan.unserved.len() {
        bad.push("a client is listed twice in unserved".into());
    }
    for u in &plan.unserved {
        for r in &u.reasons {
            if !REASONS.contains(&r.code.as_str()) || r.message.is_empty() {
                bad.push(format!("unknown reason {:?} for {}", r.code, u.client));
            }
        }
    }
    let (mut served, mut prio, mut visits_served, mut visits_total) = (0u32, 0u64, 0u32, 0u32);
    for c in &req.clients {
        visits_total += c.visits.len() as u32;
        let in_rounds = served_clients.contains(c.id.as_str());
        match (in_rounds, unserved.get(c.id.as_str())) {
            (true, None) => {
                served += 1;
                prio += u64::from(c.priority);
                for v in &c.visits {
                    let n = visit_carers.get(v.id.as_str()).map_or(0, Vec::len);
                    if n != v.carers_required as usize {
                        bad.push(format!("{} done by {n} carers", v.id));
                    }
                    visits_served += 1;
                }
            }
            (false, Some(&n)) if n >= 1 => {}
            (false, Some(_)) => bad.push(format!("{} unserved without reason", c.id)),
            (true, Some(_)) => bad.push(format!("{} both served and unserved", c.id)),
            (false, None) => bad.push(format!("{} silently dropped", c.id)),
        }
    }
    let s = &plan.summary;
    let shifts: usize = req.carers.iter().map(|c| c.all_shifts().len()).sum();
    let checks = [
        ("rounds", plan.rounds.len() as u64, shifts as u64),
        (
            "clients_total",
            s.clients_total.into(),
            req.clients.len() as u64,
        ),
        ("clients_served", s.clients_served.into(), served.into()),
        ("priority_served", s.priority_served, prio),
        ("visits_total", s.visits_total.into(), visits_total.into()),
        (
            "visits_served",
            s.visits_served.into(),
            visits_served.into(),
        ),
        (
            "care_minutes",
            s.care_minutes,
            plan.rounds.iter().map(|r| u64::from(r.care_minutes)).sum(),
        ),
        (
            "travel_minutes",
            s.travel_minutes,
            plan.rounds
                .iter()
                .map(|r| u64::from(r.travel_minutes))
                .sum(),
        ),
    ];
    for (what, got, want) in checks {
        if got != want {
            bad.push(format!("{what}: {got} != {want}"));
        }
    }
    if s.upper_bound_priority
        .is_some_and(|b| b < s.priority_served)
    {
        bad.push("upper bound below priority served".into());
    }
    if !(s.solve_seconds.is_finite() && s.solve_seconds >= 0.0) {
        bad.push("solve_seconds".into());
    }
    bad
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    }
}

/// A runner with a fixed seed, so every run tries the same cases.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        config(cases),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]),
    )
}

fn plan_check_and_account(cases: u32) {
    runner(cases)
        .run(&request(), |req| {
            let json = serde_json::to_string(&req).unwrap();
            let loaded = rota::load_request(&json);
            prop_assert!(
                loaded.is_ok(),
                "generated request invalid: {:?}",
                loaded.err()
            );
            let plan = rota::plan_request(&req);
            prop_assert!(
                plan.is_ok(),
                "plan_request failed: {}\n{json}",
                plan.unwrap_err()
            );
            let plan = plan.unwrap();
            let report = rota::check::check(&req, &plan);
            prop_assert!(report.is_valid(), "{report}\n{json}");
            let bad = accounting(&req, &plan);
            prop_assert!(bad.is_empty(), "{bad:?}\n{json}");
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_small_requests_plan_check_and_account_for_every_client() {
    plan_check_and_account(64);
}

/// More cases of the same property; they find a request the library fails on.
#[test]
fn random_small_requests_many_cases() {
    plan_check_and_account(256);
}

#[test]
fn planning_is_deterministic() {
    runner(32)
        .run(&request(), |req| {
            let mut a = rota::plan_request(&req).unwrap();
            let mut b = rota::plan_request(&req.clone()).unwrap();
            a.summary.solve_seconds = 0.0;
            b.summary.solve_seconds = 0.0;
            prop_assert_eq!(a, b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn plans_survive_a_json_round_trip() {
    runner(32)
        .run(&request(), |req| {
            let plan = rota::plan_request(&req).unwrap();
            let text = serde_json::to_string(&plan).unwrap();
            let back = rota::parse::plan_from_str(&text).unwrap();
            prop_assert!(rota::check::check(&req, &back).is_valid());
            prop_assert_eq!(back, plan);
            Ok(())
        })
        .unwrap();
}

#[test]
fn generated_days_validate_plan_and_check() {
    runner(24)
        .run(&(any::<u64>(), 1..=60usize), |(seed, clients)| {
            let opts = rota::generate::GenerateOptions::new(clients, seed, date());
            let req = rota::generate::generate(&opts);
            prop_assert_eq!(req.clients.len(), clients);
            let v = rota::validate::validate(&req);
            prop_assert!(v.is_ok(), "seed {seed}: {:?}", v.err());
            // And through JSON, as the CLI sees it.
            let json = serde_json::to_string(&req).unwrap();
            prop_assert!(rota::load_request(&json).is_ok());
            let plan = rota::plan_request(&req);
            prop_assert!(plan.is_ok(), "seed {seed}: {}", plan.unwrap_err());
            let plan = plan.unwrap();
            let report = rota::check::check(&req, &plan);
            prop_assert!(report.is_valid(), "seed {seed}: {report}");
            let bad = accounting(&req, &plan);
            prop_assert!(bad.is_empty(), "seed {seed}: {bad:?}");
            // Same options, same day.
            prop_assert_eq!(rota::generate::generate(&opts), req);
            Ok(())
        })
        .unwrap();
}
