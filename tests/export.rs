//! The CSV and iCalendar exports, read back with real parsers: the `csv`
//! crate and the `icalendar` crate's RFC 5545 parser.

use std::collections::BTreeSet;

use chrono::NaiveTime;
use icalendar::parser::{Component, read_calendar, unfold};
use rota::model::{BreakStop, Plan, Round, ShiftTimes, Stop, VisitStop};
use rota::output::export::{self, Places};

const SAMPLE: &str = include_str!("../data/sample-day.json");

fn sample_request() -> rota::model::Request {
    let mut req = rota::load_request(SAMPLE).unwrap().into_inner();
    req.settings.stop_when_stalled = Some(true);
    req
}

fn sample_plan() -> Plan {
    rota::plan_request(&sample_request()).unwrap()
}

fn none() -> Places<'static> {
    Places::default()
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
    let (header, rows) = read_csv(&export::csv(&plan, &none()).unwrap());
    assert_eq!(
        header,
        [
            "date",
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
            "paired_with",
            "lat",
            "lon",
            "address",
            "town",
            "postcode",
            "leave_by",
            "client_name",
            "late_minutes",
            "starts_with_visit",
            "starts_with_carer"
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
        assert_eq!(row.len(), 24);
        assert_eq!(row[0], plan.date.to_string());
        let row = &row[1..];
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
                assert_eq!(row[5..13], want);
            }
            Stop::Break(b) => {
                let want = ["break", "", "", "", &hm(b.start), &hm(b.end), "", ""];
                assert_eq!(row[5..13], want);
            }
        }
        assert_eq!(row[13..18], ["", "", "", "", ""], "no request, no location");
        let leave_by = match stop {
            Stop::Visit(v) => {
                let m = rota::model::minutes_of_day(v.arrive) - v.travel_minutes as i32;
                format!("{:02}:{:02}", m / 60, m % 60)
            }
            Stop::Break(_) => String::new(),
        };
        // No due and no visits that start together in the sample day:
        // late_minutes and starts_with_* always empty.
        assert_eq!(
            row[18..],
            [
                leave_by,
                String::new(),
                String::new(),
                String::new(),
                String::new()
            ]
        );
    }
    assert!(rows.iter().any(|r| r[6] == "break"));
}

#[test]
fn csv_double_up_rows_name_each_other() {
    let plan = sample_plan();
    let (_, rows) = read_csv(&export::csv(&plan, &none()).unwrap());
    let doubles: Vec<&Vec<String>> = rows.iter().filter(|r| !r[13].is_empty()).collect();
    assert!(!doubles.is_empty(), "the sample day has double-ups");
    for row in &doubles {
        let (carer, visit, partner) = (&row[1], &row[7], &row[13]);
        assert_ne!(carer, partner);
        let back = rows
            .iter()
            .find(|r| &r[1] == partner && &r[7] == visit)
            .unwrap_or_else(|| panic!("{partner} has no row for {visit}"));
        assert_eq!(&back[13], carer);
        assert_eq!(back[10], row[10], "double-up starts together");
    }
}

#[test]
fn csv_quotes_awkward_ids() {
    let mut plan = sample_plan();
    plan.rounds = vec![awkward_round()];
    let (_, rows) = read_csv(&export::csv(&plan, &none()).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "C\"1");
    assert_eq!(rows[0][8], "P,1;x\\y");
    assert_eq!(rows[0][13], "C,2;C3");
}

#[test]
fn every_calendar_parses_with_one_event_per_stop_at_the_planned_times() {
    let plan = sample_plan();
    let cals = export::ical(&plan, &none());
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
                late_minutes: None,
                starts_with: None,
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
    let cals = export::ical(&plan, &none());
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
    let names: Vec<String> = export::ical(&plan, &none())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
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

// ------------------------------------------------------------ the command

fn rota() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("rota").expect("binary rota is built")
}

/// Every contact text of the request (name, address, town, postcode, phone,
/// access notes): none of it may reach stderr.
fn contact_texts(req: &rota::model::Request) -> Vec<String> {
    req.clients
        .iter()
        .filter_map(|c| c.contact.as_ref())
        .flat_map(|k| {
            [
                &k.name,
                &k.address,
                &k.town,
                &k.postcode,
                &k.phone,
                &k.access_notes,
            ]
        })
        .flatten()
        .cloned()
        .collect()
}

fn assert_no_contact(stderr: &[u8], req: &rota::model::Request) {
    let err = String::from_utf8_lossy(stderr);
    let texts = contact_texts(req);
    assert!(!texts.is_empty(), "the sample day has contacts");
    for t in texts {
        assert!(!err.contains(&t), "stderr shows contact text {t:?}:\n{err}");
    }
}

/// `rota plan` the sample day quickly into `dir/day1.json`.
fn plan_sample(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("day1.json");
    rota()
        .args(["plan", "data/sample-day.json", "--stop-when-stalled", "-o"])
        .arg(&path)
        .assert()
        .success();
    path
}

#[test]
fn cli_csv_with_request_has_date_locations_and_addresses() {
    let req = sample_request();
    let dir = tempfile::tempdir().unwrap();
    let plan_path = plan_sample(dir.path());
    let out = rota()
        .args([
            "export",
            "--format",
            "csv",
            "--request",
            "data/sample-day.json",
        ])
        .arg(&plan_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_contact(&out.stderr, &req);
    let (header, rows) = read_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(
        header[14..],
        [
            "lat",
            "lon",
            "address",
            "town",
            "postcode",
            "leave_by",
            "client_name",
            "late_minutes",
            "starts_with_visit",
            "starts_with_carer"
        ]
    );
    let mut with_address = 0;
    for row in rows.iter().filter(|r| r[6] == "visit") {
        assert_eq!(row[0], req.date.to_string());
        let client = req.clients.iter().find(|c| c.id == row[8]).unwrap();
        assert_eq!(row[14].parse::<f64>().unwrap(), client.location.lat);
        assert_eq!(row[15].parse::<f64>().unwrap(), client.location.lon);
        let k = client.contact.clone().unwrap_or_default();
        assert_eq!(row[16], k.address.unwrap_or_default());
        assert_eq!(row[17], k.town.unwrap_or_default());
        assert_eq!(row[18], k.postcode.unwrap_or_default());
        with_address += usize::from(!row[16].is_empty());
    }
    assert!(with_address > 10, "the sample day's clients have addresses");
}

#[test]
fn cli_export_without_request_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = plan_sample(dir.path());
    let out = rota()
        .args(["export", "--format", "csv"])
        .arg(&plan_path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no --request"), "{err}");
    let (_, rows) = read_csv(&String::from_utf8(out.stdout).unwrap());
    // No locations, addresses or names; leave_by is from the plan.
    assert!(
        rows.iter()
            .all(|r| r[14..19].iter().all(String::is_empty) && r[20].is_empty())
    );
}

/// (UID -> (SEQUENCE, STATUS, DTSTART, LOCATION)) of every event in an
/// exported calendar file.
fn events_of(path: &std::path::Path) -> std::collections::BTreeMap<String, [String; 4]> {
    let text = std::fs::read_to_string(path).unwrap();
    let unfolded = unfold(&text);
    let cal = read_calendar(&unfolded).unwrap();
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|ev| {
            let get = |n: &str| ev.find_prop(n).map_or(String::new(), |p| p.val.to_string());
            (
                get("UID"),
                [
                    get("SEQUENCE"),
                    get("STATUS"),
                    get("DTSTART"),
                    get("LOCATION"),
                ],
            )
        })
        .collect()
}

/// A calendar that imported the morning's export is updated by the export of
/// the re-plan: every visit event of the first from `now` on is in the second
/// under the same UID with a higher SEQUENCE, cancelled when the call left
/// that carer; events have LOCATION and GEO from the request.
#[test]
fn cli_ical_re_export_after_a_replan_updates_the_first_import() {
    let req = sample_request();
    let dir = tempfile::tempdir().unwrap();
    let plan_path = plan_sample(dir.path());
    let re_path = dir.path().join("re.json");
    rota()
        .args(["replan", "data/sample-day.json"])
        .arg(&plan_path)
        .args([
            "--now",
            "10:15",
            "--unavailable",
            "C03,C07",
            "--time-limit",
            "2",
        ])
        .arg("-o")
        .arg(&re_path)
        .assert()
        .success();
    rota()
        .args(["check", "data/sample-day.json"])
        .arg(&re_path)
        .assert()
        .success();
    let (first, second) = (dir.path().join("a.ics"), dir.path().join("b.ics"));
    for (plan, ics) in [(&plan_path, &first), (&re_path, &second)] {
        let out = rota()
            .args([
                "export",
                "--format",
                "ical",
                "--request",
                "data/sample-day.json",
            ])
            .arg(plan)
            .arg("-o")
            .arg(ics)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_no_contact(&out.stderr, &req);
    }
    let (a, b) = (events_of(&first), events_of(&second));
    let re: Plan = serde_json::from_str(&std::fs::read_to_string(&re_path).unwrap()).unwrap();
    let changes = re.summary.replan.unwrap().changes;
    let moved_away: usize = changes
        .iter()
        .filter_map(|c| c.before.as_ref().map(|b| (b, c.after.as_ref())))
        .map(|(b, a)| {
            let kept = |x: &String| a.is_some_and(|a| a.carers.contains(x));
            b.carers.iter().filter(|x| !kept(x)).count()
        })
        .sum();
    assert!(
        moved_away > 0,
        "C03 and C07's later calls move: {changes:?}"
    );
    let now = format!("{}T101500", re.date.format("%Y%m%d"));
    let mut cancelled = 0;
    for (uid, [seq, _, start, loc]) in &a {
        assert_eq!(seq, "0");
        if uid.contains("-break-") {
            continue;
        }
        assert!(!loc.is_empty(), "{uid} has no LOCATION");
        if start.as_str() < now.as_str() {
            continue;
        }
        let [seq2, status2, _, _] = b
            .get(uid)
            .unwrap_or_else(|| panic!("{uid} not re-exported"));
        assert_eq!(seq2, "616", "{uid}");
        cancelled += usize::from(status2 == "CANCELLED");
    }
    assert_eq!(
        cancelled, moved_away,
        "one cancelled event per call that left a carer"
    );
    let all_cancelled = b.values().filter(|e| e[1] == "CANCELLED").count();
    assert_eq!(all_cancelled, moved_away);
    let text = std::fs::read_to_string(&second).unwrap();
    assert!(text.contains("\r\nGEO:"));
}

// ------------------------------------------- text outputs on a closed pipe

/// Run `rota args` with its stdout a pipe whose reading end is closed at
/// once (`rota report ... | head` when head has gone): the command must
/// exit 0 with no error message and no panic on stderr.
fn quiet_on_closed_pipe(args: &[&std::ffi::OsStr], ok_code: i32) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(ok_code), "{args:?}: {err}");
    assert!(
        !err.contains("error") && !err.contains("panicked"),
        "{args:?}: {err}"
    );
    assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
}

#[test]
fn commands_exit_quietly_when_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = plan_sample(dir.path());
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let plan = plan_path.as_os_str();
    let req = os("data/sample-day.json");
    quiet_on_closed_pipe(&[os("report"), plan, os("--request"), req], 0);
    quiet_on_closed_pipe(
        &[
            os("export"),
            os("--format"),
            os("csv"),
            plan,
            os("--request"),
            req,
        ],
        0,
    );
    quiet_on_closed_pipe(&[os("plan"), req, os("--stop-when-stalled")], 0);
    // An invalid plan: `rota check` writes the violations to stdout, exit 1.
    quiet_on_closed_pipe(&[os("check"), os("data/small-day.json"), plan], 1);
}

/// `rota plan --stop-when-stalled --time-limit 2` on a generated day of
/// `clients` with `(am, pm)` rounds: its stderr and its plan, which has
/// passed `rota check`.
fn plan_generated(clients: usize, seed: u64, (am, pm): (usize, usize)) -> (String, Plan) {
    let dir = tempfile::tempdir().unwrap();
    let r = rota::generate::generate(&rota::generate::GenerateOptions {
        clients,
        seed,
        am_rounds: Some(am),
        pm_rounds: Some(pm),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    });
    let day = dir.path().join("day.json");
    std::fs::write(&day, serde_json::to_string(&r).unwrap()).unwrap();
    let plan_path = dir.path().join("plan.json");
    let out = rota()
        .arg("plan")
        .arg(&day)
        .args(["--stop-when-stalled", "--time-limit", "2", "-o"])
        .arg(&plan_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    rota()
        .arg("check")
        .arg(&day)
        .arg(&plan_path)
        .assert()
        .success();
    let plan: Plan = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    (err, plan)
}

/// `rota plan` on a day of a few hundred clients with few rounds: stderr
/// prints at most `REASON_LINES` unserved reasons and says how many more are
/// in the plan; the plan passes the checker.
#[test]
fn plan_stderr_stays_short_on_a_big_day() {
    let (err, plan) = plan_generated(300, 7, (3, 2));
    let reasons: usize = plan.unserved.iter().map(|u| u.reasons.len()).sum();
    let max = rota::output::text::REASON_LINES;
    assert!(
        reasons > max + 50,
        "the day should leave many unserved: {reasons}"
    );
    let shown = err
        .lines()
        .filter(|l| l.starts_with("  ") && !l.contains("..."))
        .count();
    assert_eq!(shown, max, "{err}");
    assert!(
        err.contains(&format!(
            "  ... and {} more reasons (see the plan/report)",
            reasons - max
        )),
        "{err}"
    );
    assert!(
        err.lines().count() < 40,
        "{} lines:\n{err}",
        err.lines().count()
    );
}

/// A day with more rounds than `ROUND_LINES`: the rounds table on stderr
/// stops there and says how many more rounds the report has.
#[test]
fn plan_stderr_caps_the_rounds_table() {
    let (err, plan) = plan_generated(120, 3, (30, 20));
    let max = rota::output::text::ROUND_LINES;
    assert!(plan.rounds.len() > max);
    let rows = err
        .lines()
        .filter(|l| {
            plan.rounds
                .iter()
                .any(|r| l.starts_with(&format!("{} ", r.carer)))
        })
        .count();
    assert_eq!(rows, max, "{err}");
    let more = plan.rounds.len() - max;
    assert!(
        err.contains(&format!("\n... and {more} more rounds (see the report)\n")),
        "{err}"
    );
}

/// One client, one round, one continuity assignment: every count in the
/// text output is singular.
#[test]
fn text_output_uses_singular_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("one.json");
    std::fs::write(
        &day,
        r#"{"date":"2026-11-23","carers":[{"id":"C1","travel_mode":"drive",
            "shift":{"start":"07:00","end":"09:00"},"start_location":{"lat":52.0,"lon":-2.7}}],
          "clients":[{"id":"P1","location":{"lat":52.0,"lon":-2.7},"preferred_carers":["C1"],
            "visits":[{"id":"P1-am","window":{"start":"07:30","end":"08:00"},"duration":30}]}]}"#,
    )
    .unwrap();
    let plan_path = dir.path().join("one-plan.json");
    let out = rota()
        .arg("plan")
        .arg(&day)
        .args(["--stop-when-stalled", "-o"])
        .arg(&plan_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    for want in [
        "2026-11-23: 1 of 1 client served (1 of 1 visit)",
        "1 of 1 round used, 1 continuity assignment\n",
        "delivered: 1 client,",
        "early shifts: 1/1 round, 1 call,",
        "late shifts: 0/0 rounds, 0 calls,",
    ] {
        assert!(err.contains(want), "no {want:?} in:\n{err}");
    }
    let out = rota()
        .arg("check")
        .arg(&day)
        .arg(&plan_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("valid: 1 round, 1 of 1 client served"),
        "{err}"
    );
}

/// The first VEVENT's value of `name` in an iCalendar text.
fn first_prop(ics: &str, name: &str) -> String {
    let unfolded = unfold(ics);
    let cal = read_calendar(&unfolded).expect("parses");
    let ev = cal
        .components
        .iter()
        .find(|c| c.name == "VEVENT")
        .expect("an event");
    prop(ev, name).to_string()
}

#[test]
fn cli_ical_sequence_grows_with_each_issued_plan_rerun() {
    // Two runs of `rota plan` for the same day, issued an hour apart: the
    // second calendar replaces the first (a higher SEQUENCE on every UID);
    // without --issued a plan still exports SEQUENCE 0, and the same
    // request gives the same plan bytes.
    let dir = tempfile::tempdir().unwrap();
    let mut seqs = Vec::new();
    for (i, issued) in ["2026-11-24T15:00:00Z", "2026-11-24T17:00:00+01:00"]
        .iter()
        .enumerate()
    {
        let plan = dir.path().join(format!("p{i}.json"));
        let ics = dir.path().join(format!("p{i}.ics"));
        rota()
            .args([
                "plan",
                "data/sample-day.json",
                "--iterations",
                "200",
                "--threads",
                "1",
            ])
            .args(["--issued", issued, "-o"])
            .arg(&plan)
            .assert()
            .success();
        rota()
            .arg("export")
            .arg(&plan)
            .args([
                "--format",
                "ical",
                "--request",
                "data/sample-day.json",
                "-o",
            ])
            .arg(&ics)
            .assert()
            .success();
        let text = std::fs::read_to_string(&ics).unwrap();
        let seq: u64 = first_prop(&text, "SEQUENCE").parse().unwrap();
        assert_eq!(
            first_prop(&text, "DTSTAMP"),
            "20261124T150000Z".replace("15", if i == 0 { "15" } else { "16" })
        );
        seqs.push(seq);
    }
    assert!(seqs[1] > seqs[0], "{seqs:?}");
    assert_eq!(seqs[1] - seqs[0], 3600);
    // Unstamped: the same bytes twice, SEQUENCE 0.
    let outs: Vec<Vec<u8>> = (0..2)
        .map(|_| {
            rota()
                .args([
                    "plan",
                    "data/sample-day.json",
                    "--iterations",
                    "200",
                    "--threads",
                    "1",
                ])
                .output()
                .unwrap()
                .stdout
        })
        .collect();
    let rounds = |b: &[u8]| serde_json::from_slice::<Plan>(b).unwrap().rounds;
    assert_eq!(rounds(&outs[0]), rounds(&outs[1]));
    let plan: Plan = serde_json::from_slice(&outs[0]).unwrap();
    assert!(plan.issued.is_none());
    assert_eq!(export::sequence(&plan), 0);
    // `rota export --issued` stamps an unstamped plan.
    let p = dir.path().join("plain.json");
    std::fs::write(&p, &outs[0]).unwrap();
    let out = rota()
        .arg("export")
        .arg(&p)
        .args(["--format", "ical", "--issued", "2026-11-24T15:00:00Z", "-o"])
        .arg(dir.path().join("x.ics"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(dir.path().join("x.ics")).unwrap();
    assert_eq!(first_prop(&text, "SEQUENCE"), seqs[0].to_string());
}

#[test]
fn ical_with_a_time_zone_gives_utc_times_right_across_a_clock_change() {
    let mut req = sample_request();
    req.settings.time_zone = Some("Europe/London".into());
    let plan = rota::plan_request(&req).unwrap();
    let first = |plan: &Plan| -> VisitStop {
        plan.rounds
            .iter()
            .flat_map(|r| r.stops.iter())
            .find_map(|s| match s {
                Stop::Visit(v) => Some(v.clone()),
                Stop::Break(_) => None,
            })
            .unwrap()
    };
    let v = first(&plan);
    let ics = export::ical_one(&plan, &Places::of(&req));
    // 25 November: GMT, so UTC is the local time.
    assert_eq!(
        first_prop(&ics, "DTSTART"),
        format!("{}Z", local(&plan, v.start))
    );
    // The same plan dated in July (BST): an hour earlier in UTC.
    let mut summer = plan.clone();
    summer.date = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    let ics = export::ical_one(&summer, &Places::of(&req));
    let utc = v.start - chrono::Duration::hours(1);
    assert_eq!(
        first_prop(&ics, "DTSTART"),
        format!("{}Z", local(&summer, utc))
    );
    // The day the clocks go back (25 October 2026, 02:00 BST -> 01:00 GMT):
    // a 07:44 call is 07:44 UTC; the day before, 06:44 UTC.
    for (day, shift) in [(25, 0), (24, 1)] {
        let mut p = plan.clone();
        p.date = chrono::NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
        let ics = export::ical_one(&p, &Places::of(&req));
        let utc = v.start - chrono::Duration::hours(shift);
        assert_eq!(first_prop(&ics, "DTSTART"), format!("{}Z", local(&p, utc)));
    }
    // Without a time zone: floating local times.
    let ics = export::ical_one(&plan, &Places::of(&sample_request()));
    assert_eq!(first_prop(&ics, "DTSTART"), local(&plan, v.start));
}

#[test]
fn names_are_opt_in_and_every_visit_has_a_leave_by_alarm() {
    let req = sample_request();
    let plan = sample_plan();
    let ics = export::ical_one(&plan, &Places::of(&req));
    let named = export::ical_one(&plan, &Places::of(&req).with_names(true));
    let unfolded = unfold(&ics);
    let cal = read_calendar(&unfolded).unwrap();
    let unfolded_named = unfold(&named);
    let cal_named = read_calendar(&unfolded_named).unwrap();
    let visits: Vec<&VisitStop> = plan
        .rounds
        .iter()
        .flat_map(|r| r.stops.iter())
        .filter_map(|s| match s {
            Stop::Visit(v) => Some(v),
            Stop::Break(_) => None,
        })
        .collect();
    let events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    let events_named: Vec<_> = cal_named
        .components
        .iter()
        .filter(|c| c.name == "VEVENT" && prop(c, "CATEGORIES") == "VISIT")
        .collect();
    let mut alarms = 0;
    for e in events.iter().filter(|c| prop(c, "CATEGORIES") == "VISIT") {
        let title = prop(e, "SUMMARY");
        let uid = prop(e, "UID");
        let visit = plan
            .rounds
            .iter()
            .flat_map(|r| r.stops.iter().map(move |s| (r, s)))
            .find_map(|(r, s)| match s {
                Stop::Visit(v) if uid == format!("{}-{}-{}@rota", plan.date, r.carer, v.visit) => {
                    Some(v)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{uid} is no call of the plan"));
        assert_eq!(title, format!("Visit {} ({})", visit.visit, visit.client));
        let alarm = e
            .components
            .iter()
            .find(|c| c.name == "VALARM")
            .expect("a leave-by alarm");
        let leave = rota::model::minutes_of_day(visit.arrive) - visit.travel_minutes as i32;
        let before = rota::model::minutes_of_day(visit.start) - leave;
        assert_eq!(prop(alarm, "TRIGGER"), format!("-PT{before}M"));
        alarms += 1;
    }
    assert_eq!(alarms, visits.len());
    // With names: "Visit Mrs Margaret Bevan (P033-am)".
    for e in events_named {
        let title = prop(e, "SUMMARY");
        assert!(
            visits.iter().any(|v| {
                let name = req
                    .clients
                    .iter()
                    .find(|c| c.id == v.client)
                    .and_then(|c| c.contact.as_ref())
                    .and_then(|k| k.name.clone())
                    .unwrap();
                title == format!("Visit {name} ({})", v.visit)
            }),
            "{title}"
        );
    }
    // CSV: leave_by always, client_name only when opted in.
    let (head, rows) = read_csv(&export::csv(&plan, &Places::of(&req)).unwrap());
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (_, named_rows) =
        read_csv(&export::csv(&plan, &Places::of(&req).with_names(true)).unwrap());
    for (row, named) in rows.iter().zip(&named_rows) {
        if row[col("kind")] != "visit" {
            continue;
        }
        let v = plan
            .rounds
            .iter()
            .filter(|r| r.carer == row[col("carer")])
            .flat_map(|r| r.stops.iter())
            .find_map(|s| match s {
                Stop::Visit(v) if v.visit == row[col("visit")] => Some(v),
                _ => None,
            })
            .unwrap();
        let leave = rota::model::minutes_of_day(v.arrive) - v.travel_minutes as i32;
        assert_eq!(
            row[col("leave_by")],
            format!("{:02}:{:02}", leave / 60, leave % 60)
        );
        assert_eq!(row[col("client_name")], "");
        assert!(!named[col("client_name")].is_empty());
    }
}

#[test]
fn an_unknown_time_zone_is_e1308() {
    let mut v: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    v["settings"]["time_zone"] = "Europe/Hereford".into();
    let err = rota::load_request(&v.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("E1308") && err.contains("settings.time_zone"),
        "{err}"
    );
}

// ------------------------------------------------------- CSV injection

/// A day whose carer and client ids, a visit id and a contact start like
/// spreadsheet formulas (`=HYPERLINK(...)`, `@SUM(...)`, `+1+1`, `-2`, a
/// tab, a CR) or hold NUL and bidirectional controls (issue 27, item 6).
const FORMULA_DAY: &str = "tests/fixtures/formula-ids.json";

/// Every text cell of `csv` (docs/outputs.md) is safe for a spreadsheet:
/// none starts a formula and none holds NUL or a bidirectional control;
/// the number columns are as written (a negative `lon` stays a number).
/// Returns the cells of the `carer` and `client` columns.
fn assert_spreadsheet_safe(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (header, rows) = read_csv(text);
    let text_columns: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| export::CSV_TEXT_COLUMNS.contains(&h.as_str()))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(text_columns.len(), 12, "{header:?}");
    let lon = header.iter().position(|h| h == "lon").unwrap();
    let mut negative_lon = 0;
    for row in &rows {
        for &i in &text_columns {
            let cell = &row[i];
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{} cell {cell:?} starts a formula",
                header[i]
            );
            assert!(
                !cell.contains(['\0', '\u{202E}', '\u{2066}', '\u{2069}']),
                "{} cell {cell:?} holds a hidden control",
                header[i]
            );
        }
        if row[6] == "visit" {
            assert!(row[lon].parse::<f64>().is_ok(), "{:?}", row[lon]);
            negative_lon += usize::from(row[lon].starts_with('-'));
        }
    }
    assert!(
        negative_lon > 0,
        "the day's longitudes are west of Greenwich"
    );
    let column = |name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        rows.iter().map(|r| r[i].clone()).collect::<BTreeSet<_>>()
    };
    (column("carer"), column("client"))
}

#[test]
fn cli_csv_cells_cannot_run_as_spreadsheet_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    rota()
        .args(["plan", FORMULA_DAY, "--stop-when-stalled", "-o"])
        .arg(&plan_path)
        .assert()
        .success();
    let req = rota::load_request(&std::fs::read_to_string(FORMULA_DAY).unwrap()).unwrap();
    let plan: Plan =
        rota::parse::plan_from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    assert!(rota::check::check(&req, &plan).is_valid());
    let out = rota()
        .args([
            "export",
            "--format",
            "csv",
            "--names",
            "--request",
            FORMULA_DAY,
        ])
        .arg(&plan_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (carers, clients) = assert_spreadsheet_safe(&text);
    assert_eq!(
        carers,
        ["'=HYPERLINK(CONCAT(\"http:\",A1),\"x\")", "'+1+1", "'-2"]
            .map(String::from)
            .into(),
        "every carer has a round"
    );
    // The renamed clients that were served, as a spreadsheet shows them.
    let renamed = [
        "'@SUM(A1:A9)",
        "'\tTAB",
        "'\rCR",
        "NUL\u{FFFD}id",
        "\u{FFFD}exe.txt",
        "'=1+2",
        "'-3",
        "\u{FFFD}iso\u{FFFD}",
        "'@x",
        "'+P010",
    ];
    let served = renamed.iter().filter(|c| clients.contains(**c)).count();
    assert!(
        served >= 4,
        "{served} of the renamed clients served: {clients:?}"
    );
    for c in &clients {
        assert!(
            renamed.contains(&c.as_str()) || c.starts_with('P') || c.is_empty(),
            "{c:?}"
        );
    }
    // A visit id and the contact of P012, when served.
    if clients.contains("P012") {
        assert!(text.contains("'-1 High Street"), "{text}");
        assert!(
            text.contains("'=TOWN()") && text.contains("'@HR1"),
            "{text}"
        );
        assert!(text.contains("'+44 Mr Peter Bennett"), "{text}");
    }
}
