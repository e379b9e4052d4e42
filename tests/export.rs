//! The CSV and iCalendar exports, read back with real parsers: the `csv`
//! crate and the `icalendar` crate's RFC 5545 parser.

use std::collections::BTreeSet;

use chrono::NaiveTime;
use icalendar::parser::{Component, read_calendar, unfold};
use rota::model::{BreakStop, Plan, Round, ShiftTimes, Stop, VisitStop};
use rota::output::export;

fn sample_plan() -> Plan {
    let req = rota::load_request(include_str!("../data/sample-day.json")).unwrap();
    rota::plan_request(&req).unwrap()
}

fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn local(plan: &Plan, t: NaiveTime) -> String {
    format!("{}T{}", plan.date.format("%Y%m%d"), t.format("%H%M%S"))
}

fn prop<'a>(c: &'a Component<'a>, name: &str) -> &'a str {
    c.find_prop(name)
        .unwrap_or_else(|| panic!("{} has no {name}", c.name.as_str()))
        .val
        .as_str()
}

fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn csv_parses_back_with_one_row_per_stop() {
    let plan = sample_plan();
    let (header, rows) = read_csv(&export::csv(&plan).unwrap());
    assert_eq!(
        header,
        [
            "carer",
            "shift_start",
            "shift_end",
            "travel_mode",
            "order",
            "kind",
            "visit",
            "client",
            "arrive",
            "start",
            "end",
            "travel_minutes",
            "paired_with"
        ]
    );
    let stops: Vec<(&Round, usize, &Stop)> = plan
        .rounds
        .iter()
        .flat_map(|r| r.stops.iter().enumerate().map(move |(i, s)| (r, i + 1, s)))
        .collect();
    assert!(stops.len() > 10, "the sample day should plan many stops");
    assert_eq!(rows.len(), stops.len());
    for (row, (round, order, stop)) in rows.iter().zip(&stops) {
        assert_eq!(row.len(), 13);
        assert_eq!(row[0], round.carer);
        assert_eq!(row[1], hm(round.shift.start));
        assert_eq!(row[2], hm(round.shift.end));
        assert_eq!(row[3], round.travel_mode);
        assert_eq!(row[4], order.to_string());
        match stop {
            Stop::Visit(v) => {
                let want = [
                    "visit".to_string(),
                    v.visit.clone(),
                    v.client.clone(),
                    hm(v.arrive),
                    hm(v.start),
                    hm(v.end),
                    v.travel_minutes.to_string(),
                    v.with.join(";"),
                ];
                assert_eq!(row[5..], want);
            }
            Stop::Break(b) => {
                let want = ["break", "", "", "", &hm(b.start), &hm(b.end), "", ""];
                assert_eq!(row[5..], want);
            }
        }
    }
    assert!(rows.iter().any(|r| r[5] == "break"));
}

#[test]
fn csv_double_up_rows_name_each_other() {
    let plan = sample_plan();
    let (_, rows) = read_csv(&export::csv(&plan).unwrap());
    let doubles: Vec<&Vec<String>> = rows.iter().filter(|r| !r[12].is_empty()).collect();
    assert!(!doubles.is_empty(), "the sample day has double-ups");
    for row in &doubles {
        let (carer, visit, partner) = (&row[0], &row[6], &row[12]);
        assert_ne!(carer, partner);
        let back = rows
            .iter()
            .find(|r| &r[0] == partner && &r[6] == visit)
            .unwrap_or_else(|| panic!("{partner} has no row for {visit}"));
        assert_eq!(&back[12], carer);
        assert_eq!(back[9], row[9], "double-up starts together");
    }
}

#[test]
fn csv_quotes_awkward_ids() {
    let mut plan = sample_plan();
    plan.rounds = vec![awkward_round()];
    let (_, rows) = read_csv(&export::csv(&plan).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "C\"1");
    assert_eq!(rows[0][7], "P,1;x\\y");
    assert_eq!(rows[0][12], "C,2;C3");
}

#[test]
fn every_calendar_parses_with_one_event_per_stop_at_the_planned_times() {
    let plan = sample_plan();
    let cals = export::ical(&plan);
    let rounds: Vec<&Round> = plan.rounds.iter().filter(|r| !r.stops.is_empty()).collect();
    assert_eq!(cals.len(), rounds.len());
    let mut uids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for ((name, text), round) in cals.iter().zip(&rounds) {
        assert_eq!(name, &format!("{}.ics", round.carer));
        assert!(names.insert(name.clone()));
        let unfolded = unfold(text);
        let cal = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{name}: {e}"));
        let calprop = |n: &str| {
            cal.properties
                .iter()
                .find(|p| p.name == n)
                .unwrap_or_else(|| panic!("{name}: no {n}"))
                .val
                .as_str()
        };
        assert_eq!(calprop("VERSION"), "2.0");
        assert_eq!(calprop("PRODID"), "-//rota//rota//EN");
        assert_eq!(
            calprop("X-WR-CALNAME"),
            format!("{} {}", round.carer, plan.date)
        );
        let events: Vec<&Component> = cal
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(events.len(), cal.components.len());
        assert_eq!(events.len(), round.stops.len(), "{name}");
        for (ev, stop) in events.iter().zip(&round.stops) {
            assert!(uids.insert(prop(ev, "UID").to_string()), "duplicate UID");
            assert_eq!(
                prop(ev, "DTSTAMP"),
                format!("{}T000000Z", plan.date.format("%Y%m%d"))
            );
            let (start, end) = match stop {
                Stop::Visit(v) => {
                    assert_eq!(
                        prop(ev, "UID"),
                        format!("{}-{}-{}@rota", plan.date, round.carer, v.visit)
                    );
                    assert_eq!(
                        prop(ev, "SUMMARY"),
                        format!("Visit {} ({})", v.visit, v.client)
                    );
                    let desc = prop(ev, "DESCRIPTION");
                    assert!(desc.contains(&format!("Arrive {}", hm(v.arrive))), "{desc}");
                    assert!(desc.contains(&format!("{} min travel", v.travel_minutes)));
                    for w in &v.with {
                        assert!(desc.contains(&format!("Double-up with {w}")), "{desc}");
                    }
                    (v.start, v.end)
                }
                Stop::Break(b) => {
                    assert_eq!(prop(ev, "SUMMARY"), "Break");
                    (b.start, b.end)
                }
            };
            assert_eq!(prop(ev, "DTSTART"), local(&plan, start));
            assert_eq!(prop(ev, "DTEND"), local(&plan, end));
        }
    }
}

/// A round whose ids need escaping, with a description far over 75 octets.
fn awkward_round() -> Round {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    Round {
        carer: "C\"1".into(),
        shift: ShiftTimes {
            start: t(7, 0),
            end: t(15, 0),
        },
        travel_mode: "drive".into(),
        stops: vec![
            Stop::Visit(VisitStop {
                visit: format!("V-{}-ünïcode-am", "long".repeat(20)),
                client: "P,1;x\\y".into(),
                arrive: t(7, 50),
                start: t(8, 0),
                end: t(8, 45),
                travel_minutes: 12,
                with: vec!["C,2;C3".into()],
            }),
            Stop::Break(BreakStop {
                start: t(11, 0),
                end: t(11, 20),
            }),
        ],
        return_time: Some(t(14, 0)),
        travel_minutes: 24,
        care_minutes: 45,
    }
}

#[test]
fn folding_and_escaping_round_trip_through_the_parser() {
    let mut plan = sample_plan();
    let round = awkward_round();
    plan.rounds = vec![round.clone()];
    let cals = export::ical(&plan);
    assert_eq!(cals.len(), 1);
    let (name, text) = &cals[0];
    assert_eq!(name, "C_1.ics");

    // Physically: CRLF everywhere, no line over 75 octets, some lines folded.
    assert!(text.ends_with("\r\n"));
    let physical: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert!(physical.iter().all(|l| l.len() <= 75 && !l.contains('\n')));
    assert!(
        physical.iter().any(|l| l.starts_with(' ')),
        "nothing folded"
    );
    assert!(text.contains(r"P\,1\;x\\y"));

    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).unwrap();
    assert_eq!(cal.components.len(), 2);
    let ev = &cal.components[0];
    let Stop::Visit(v) = &round.stops[0] else {
        unreachable!()
    };
    assert_eq!(prop(ev, "SUMMARY"), format!("Visit {} (P,1;x\\y)", v.visit));
    let desc = prop(ev, "DESCRIPTION");
    assert!(desc.len() > 75, "the description should need folding");
    assert_eq!(
        desc,
        format!(
            "Client P,1;x\\y, visit {}.\nArrive 07:50 after 12 min travel (drive); \
             start 08:00, end 08:45.\nDouble-up with C,2;C3.",
            v.visit
        )
    );
    assert_eq!(prop(ev, "DTSTART"), local(&plan, v.start));
    assert_eq!(prop(ev, "DTEND"), local(&plan, v.end));
    let brk = &cal.components[1];
    assert_eq!(prop(brk, "SUMMARY"), "Break");
    assert_eq!(
        prop(brk, "DTSTART"),
        local(&plan, NaiveTime::from_hms_opt(11, 0, 0).unwrap())
    );
    assert_eq!(
        prop(brk, "DTEND"),
        local(&plan, NaiveTime::from_hms_opt(11, 20, 0).unwrap())
    );
}

#[test]
fn a_carer_with_two_rounds_gets_two_files_by_shift_start() {
    let mut plan = sample_plan();
    let mut late = awkward_round();
    late.shift.start = NaiveTime::from_hms_opt(14, 0, 0).unwrap();
    plan.rounds = vec![awkward_round(), late];
    let names: Vec<String> = export::ical(&plan).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["C_1-0700.ics", "C_1-1400.ics"]);
}

/// `-o out.ics` writes one calendar file with every stop of every round,
/// not a directory named `out.ics`.
#[test]
fn ical_output_ending_in_ics_is_one_file() {
    let plan = sample_plan();
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_string(&plan).unwrap()).unwrap();
    let out_path = dir.path().join("out.ics");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["export", "--format", "ical", "-o"])
        .arg(&out_path)
        .arg(&plan_path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_path.is_file());
    let text = std::fs::read_to_string(&out_path).unwrap();
    let unfolded = unfold(&text);
    let cal = read_calendar(&unfolded).unwrap();
    let stops: usize = plan.rounds.iter().map(|r| r.stops.len()).sum();
    let events = cal.components.iter().filter(|c| c.name == "VEVENT").count();
    assert_eq!(events, stops);
}
