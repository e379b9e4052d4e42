//! Shared by several test files: random small requests for property tests
//! (here), small hand-made days with the binary ([`day`]), the golden
//! fixtures ([`golden`]), the checker's broken-plan fixture ([`broken`]) and
//! tiny JSON requests with their reasons ([`tiny`]).
#![allow(dead_code)]

pub mod broken;
pub mod day;
pub mod golden;
pub mod tiny;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rota::model::{
    After, Break, Carer, Client, Location, Request, Settings, Shift, TravelMatrix, Visit, Window,
    time_of_minutes,
};

pub const SKILLS: [&str; 3] = ["hoist", "medication", "catheter"];
pub const GENDERS: [Option<&str>; 3] = [None, Some("f"), Some("m")];

pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

pub fn t(m: u32) -> chrono::NaiveTime {
    time_of_minutes(m as i32)
}

pub fn skills_of(bits: u8) -> Vec<String> {
    SKILLS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// Around Hereford (52.05, -2.72): up to ~20 km each way.
pub fn near(dlat: f64, dlon: f64) -> Location {
    Location {
        lat: 52.05 + dlat,
        lon: -2.72 + dlon,
    }
}

#[derive(Debug, Clone)]
pub struct CarerSpec {
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

pub fn carer_spec() -> impl Strategy<Value = CarerSpec> {
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
pub struct VisitSpec {
    start: u32,
    width: u32,
    duration: u32,
    double: bool,
    skills: u8,
    after_gap: Option<u32>,
}

pub fn visit_spec() -> impl Strategy<Value = VisitSpec> {
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
pub struct ClientSpec {
    at: (f64, f64),
    priority: u32,
    visits: Vec<VisitSpec>,
    gender: usize,
    preferred: Option<usize>,
    excluded: Option<usize>,
}

pub fn client_spec() -> impl Strategy<Value = ClientSpec> {
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

pub fn build(carers: &[CarerSpec], clients: &[ClientSpec], matrix: Option<(u8, u64)>) -> Request {
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
                contact: None,
                base: None,
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
                            due: None,
                        },
                        duration: v.duration,
                        carers_required: if v.double { 2 } else { 1 },
                        skills: skills_of(v.skills),
                        after: match v.after_gap {
                            Some(gap) if j > 0 => Some(After {
                                visit: format!("P{k}-{}", j - 1),
                                min_gap: gap,
                                max_gap: None,
                            }),
                            _ => None,
                        },
                        starts_with: None,
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
                contact: None,
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
        // The quick answer: hundreds of random days would otherwise each
        // use the whole default time limit (docs/search.md).
        settings: Settings {
            stop_when_stalled: Some(true),
            ..Settings::default()
        },
        carers,
        clients,
        travel_matrix,
        previous_plan: None,
        locks: Vec::new(),
    }
}

pub fn request() -> impl Strategy<Value = Request> {
    request_sized(1..=4, 1..=8)
}

/// Random requests with a number of carers and clients in the given ranges.
pub fn request_sized(
    carers: std::ops::RangeInclusive<usize>,
    clients: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Request> {
    (
        prop::collection::vec(carer_spec(), carers),
        prop::collection::vec(client_spec(), clients),
        prop::option::weighted(0.2, (0..8u8, 0..1000u64)),
    )
        .prop_map(|(carers, clients, matrix)| build(&carers, &clients, matrix))
}

/// Proptest's configuration: a fixed seed, so that every run (CI
/// included) tries the same cases and a failure is reproducible.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        ..Config::default()
    }
}

/// A runner with a fixed seed, so every run tries the same cases.
pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        config(cases),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]),
    )
}
