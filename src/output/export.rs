//! Exports of a [`Plan`] for the people who carry it out: a flat CSV of every
//! stop (for spreadsheets and rota systems) and one iCalendar (RFC 5545)
//! document per round (for carers' phones).
//!
//! Both are deterministic: the same plan always gives the same bytes (the
//! iCalendar `DTSTAMP` is derived from the plan's date, never the clock).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::RotaError;
use crate::model::{BreakStop, Plan, Round, Stop, VisitStop, hhmm};

/// Columns of [`csv`], in order.
pub const CSV_HEADER: [&str; 13] = [
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
];

fn hm(t: NaiveTime) -> String {
    t.format(hhmm::FORMAT).to_string()
}

/// The plan as CSV: a header ([`CSV_HEADER`]) and one row per stop (visits
/// and breaks), rounds in plan order, `order` counting the stops of a round
/// from 1. Break rows leave `visit`, `client`, `arrive`, `travel_minutes`
/// and `paired_with` empty; `paired_with` lists a double-up's other carers
/// joined by `;`. Rounds without stops give no rows. Times are `HH:MM`.
pub fn csv(plan: &Plan) -> Result<String, RotaError> {
    let internal = |e: csv::Error| RotaError::Internal(format!("cannot write the CSV export: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(internal)?;
    for round in &plan.rounds {
        for (i, stop) in round.stops.iter().enumerate() {
            let order = (i + 1).to_string();
            let head = [
                round.carer.clone(),
                hm(round.shift.start),
                hm(round.shift.end),
                round.travel_mode.clone(),
                order,
            ];
            let tail: [String; 8] = match stop {
                Stop::Visit(v) => [
                    "visit".into(),
                    v.visit.clone(),
                    v.client.clone(),
                    hm(v.arrive),
                    hm(v.start),
                    hm(v.end),
                    v.travel_minutes.to_string(),
                    v.with.join(";"),
                ],
                Stop::Break(b) => [
                    "break".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    hm(b.start),
                    hm(b.end),
                    String::new(),
                    String::new(),
                ],
            };
            w.write_record(head.iter().chain(tail.iter()))
                .map_err(internal)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| RotaError::Internal(format!("cannot write the CSV export: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| RotaError::Internal(format!("CSV export is not UTF-8: {e}")))
}

/// One iCalendar document per round that has stops, in plan order: `(file
/// name, text)`. The file name is `<carer>.ics`, or `<carer>-HHMM.ics` (shift
/// start) when the plan has several rounds for that carer; characters other
/// than ASCII letters, digits, `-`, `_` and `.` become `_`, and a name that
/// would repeat gets `-2`, `-3`, ... appended.
///
/// Every stop is a `VEVENT` with floating local `DTSTART`/`DTEND` on the
/// plan's date; visits are `Visit <visit> (<client>)` with arrival, travel and
/// double-up partner in `DESCRIPTION`, breaks are `Break`. UIDs are
/// `<date>-<carer>-<visit>@rota` (visits) and `<date>-<carer>-break-HHMM@rota`
/// (breaks): stable across re-exports of the same plan and unique within it.
/// Lines end in CRLF, are folded at 75 octets and text is escaped (RFC 5545
/// 3.1, 3.3.11).
pub fn ical(plan: &Plan) -> Vec<(String, String)> {
    let mut rounds_per_carer: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &plan.rounds {
        *rounds_per_carer.entry(r.carer.as_str()).or_default() += 1;
    }
    let mut used = BTreeSet::new();
    plan.rounds
        .iter()
        .filter(|r| !r.stops.is_empty())
        .map(|r| {
            let mut base = file_safe(&r.carer);
            if rounds_per_carer[r.carer.as_str()] > 1 {
                base = format!("{base}-{}", r.shift.start.format("%H%M"));
            }
            let mut name = format!("{base}.ics");
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}-{n}.ics");
                n += 1;
            }
            (name, round_calendar(plan.date, r))
        })
        .collect()
}

fn file_safe(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Never a hidden file or a path component such as `..`.
    if out.is_empty() || out.starts_with('.') {
        format!("_{out}")
    } else {
        out
    }
}

/// The plan as one calendar: every round's events in one file (for
/// `rota export --format ical -o FILE.ics`), named after the date.
pub fn ical_one(plan: &Plan) -> String {
    let dtstamp = format!("{}T000000Z", plan.date.format("%Y%m%d"));
    calendar(&format!("Rounds {}", plan.date), |cal| {
        for r in &plan.rounds {
            round_events(cal, plan.date, &dtstamp, r);
        }
    })
}

/// A calendar named `name` with the events `events` writes.
fn calendar(name: &str, events: impl FnOnce(&mut Ical)) -> String {
    let mut cal = Ical::default();
    cal.line("BEGIN:VCALENDAR");
    cal.line("VERSION:2.0");
    cal.line("PRODID:-//rota//rota//EN");
    cal.line("CALSCALE:GREGORIAN");
    cal.line("METHOD:PUBLISH");
    cal.text("X-WR-CALNAME", name);
    events(&mut cal);
    cal.line("END:VCALENDAR");
    cal.out
}

fn round_events(cal: &mut Ical, date: NaiveDate, dtstamp: &str, r: &Round) {
    for stop in &r.stops {
        cal.line("BEGIN:VEVENT");
        match stop {
            Stop::Visit(v) => visit_event(cal, date, dtstamp, r, v),
            Stop::Break(b) => break_event(cal, date, dtstamp, r, b),
        }
        cal.line("END:VEVENT");
    }
}

fn round_calendar(date: NaiveDate, r: &Round) -> String {
    let dtstamp = format!("{}T000000Z", date.format("%Y%m%d"));
    calendar(&format!("{} {}", r.carer, date), |cal| {
        round_events(cal, date, &dtstamp, r)
    })
}

fn visit_event(cal: &mut Ical, date: NaiveDate, dtstamp: &str, r: &Round, v: &VisitStop) {
    cal.text("UID", &format!("{date}-{}-{}@rota", r.carer, v.visit));
    cal.line(&format!("DTSTAMP:{dtstamp}"));
    let (start, end) = span(date, v.start, v.end);
    cal.line(&format!("DTSTART:{start}"));
    cal.line(&format!("DTEND:{end}"));
    cal.text("SUMMARY", &format!("Visit {} ({})", v.visit, v.client));
    let mut desc = format!(
        "Client {}, visit {}.\nArrive {} after {} min travel ({}); start {}, end {}.",
        v.client,
        v.visit,
        hm(v.arrive),
        v.travel_minutes,
        r.travel_mode,
        hm(v.start),
        hm(v.end),
    );
    if !v.with.is_empty() {
        desc.push_str(&format!("\nDouble-up with {}.", v.with.join(", ")));
    }
    cal.text("DESCRIPTION", &desc);
    cal.line("CATEGORIES:VISIT");
    cal.line("TRANSP:OPAQUE");
}

fn break_event(cal: &mut Ical, date: NaiveDate, dtstamp: &str, r: &Round, b: &BreakStop) {
    cal.text(
        "UID",
        &format!("{date}-{}-break-{}@rota", r.carer, b.start.format("%H%M")),
    );
    cal.line(&format!("DTSTAMP:{dtstamp}"));
    let (start, end) = span(date, b.start, b.end);
    cal.line(&format!("DTSTART:{start}"));
    cal.line(&format!("DTEND:{end}"));
    cal.text("SUMMARY", "Break");
    cal.text(
        "DESCRIPTION",
        &format!("Break {}-{}.", hm(b.start), hm(b.end)),
    );
    cal.line("CATEGORIES:BREAK");
    cal.line("TRANSP:OPAQUE");
}

/// Floating local date-times (`YYYYMMDDTHHMMSS`) of a stop; an end before
/// the start (never produced by the solver) is read as the next day.
fn span(date: NaiveDate, start: NaiveTime, end: NaiveTime) -> (String, String) {
    const F: &str = "%Y%m%dT%H%M%S";
    let s = NaiveDateTime::new(date, start);
    let mut e = NaiveDateTime::new(date, end);
    if e < s {
        e += chrono::Duration::days(1);
    }
    (s.format(F).to_string(), e.format(F).to_string())
}

/// An iCalendar writer: content lines folded and CRLF-terminated.
#[derive(Default)]
struct Ical {
    out: String,
}

impl Ical {
    /// Append one content line (already escaped), folded.
    fn line(&mut self, line: &str) {
        fold_into(&mut self.out, line);
    }
    /// Append `NAME:value` with `value` escaped as TEXT.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// Maximum octets of a content line, excluding the CRLF (RFC 5545 3.1).
const MAX_OCTETS: usize = 75;

/// Append `line` to `out` folded at [`MAX_OCTETS`] octets (never inside a
/// UTF-8 character): each continuation line starts with one space, which
/// counts towards its 75 octets. Every physical line ends with CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut len = 0; // octets on the current physical line
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > MAX_OCTETS {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
}

/// Escape a TEXT value (RFC 5545 3.3.11): `\` `;` `,` get a backslash,
/// line breaks (CRLF, CR or LF) become `\n`, and other control characters
/// (not allowed in TEXT) are dropped, except tab.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ShiftTimes, time_of_minutes};

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn sample_plan() -> Plan {
        let req = crate::load_request(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )))
        .unwrap();
        crate::plan_request(&req).unwrap()
    }

    fn round(carer: &str, start: NaiveTime, stops: Vec<Stop>) -> Round {
        Round {
            carer: carer.into(),
            shift: ShiftTimes {
                start,
                end: time_of_minutes(22 * 60),
            },
            travel_mode: "walk".into(),
            stops,
            return_time: None,
            travel_minutes: 0,
            care_minutes: 0,
        }
    }

    fn visit(id: &str, client: &str, start: NaiveTime, with: &[&str]) -> Stop {
        Stop::Visit(VisitStop {
            visit: id.into(),
            client: client.into(),
            arrive: start,
            start,
            end: start + chrono::Duration::minutes(30),
            travel_minutes: 5,
            with: with.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn escape_covers_specials_and_line_breaks() {
        assert_eq!(escape_text(r"a,b;c\d"), r"a\,b\;c\\d");
        assert_eq!(escape_text("x\r\ny\nz\rw"), r"x\ny\nz\nw");
        assert_eq!(escape_text("bell\u{7}"), "bell");
        assert_eq!(escape_text("plain text: ok"), "plain text: ok");
    }

    #[test]
    fn folding_keeps_lines_within_75_octets_and_characters_whole() {
        let long = format!("DESCRIPTION:{}", "é".repeat(100) + &"x".repeat(100));
        let mut out = String::new();
        fold_into(&mut out, &long);
        assert!(out.ends_with("\r\n"));
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 1);
        for (i, l) in physical.iter().enumerate() {
            assert!(l.len() <= MAX_OCTETS, "line {i} has {} octets", l.len());
            assert_eq!(i > 0, l.starts_with(' '));
        }
        let unfolded: String = out.trim_end_matches("\r\n").split("\r\n ").collect();
        assert_eq!(unfolded, long);

        let mut short = String::new();
        fold_into(&mut short, &"y".repeat(75));
        assert_eq!(short, format!("{}\r\n", "y".repeat(75)));
    }

    #[test]
    fn csv_rows_follow_the_stops() {
        let plan = sample_plan();
        let text = csv(&plan).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), CSV_HEADER.join(","));
        let stops: usize = plan.rounds.iter().map(|r| r.stops.len()).sum();
        assert_eq!(lines.count(), stops);
    }

    #[test]
    fn csv_break_row_leaves_visit_columns_empty() {
        let mut plan = sample_plan();
        plan.rounds = vec![round(
            "C9",
            t(7, 0),
            vec![
                visit("V1", "P1", t(8, 0), &["C8", "C7"]),
                Stop::Break(BreakStop {
                    start: t(11, 0),
                    end: t(11, 20),
                }),
            ],
        )];
        let text = csv(&plan).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "C9,07:00,22:00,walk,1,visit,V1,P1,08:00,08:00,08:30,5,C8;C7",
                "C9,07:00,22:00,walk,2,break,,,,11:00,11:20,,",
            ]
        );
    }

    #[test]
    fn ical_names_files_per_round_and_skips_empty_rounds() {
        let mut plan = sample_plan();
        plan.rounds = vec![
            round("C1", t(7, 0), vec![visit("V1", "P1", t(8, 0), &[])]),
            round("C1", t(14, 0), vec![visit("V2", "P1", t(15, 0), &[])]),
            round("C2", t(7, 0), vec![visit("V3", "P2", t(8, 0), &[])]),
            round("C3", t(7, 0), vec![]),
            round("../x y", t(7, 0), vec![visit("V4", "P3", t(9, 0), &[])]),
            round("C2/", t(7, 0), vec![visit("V5", "P4", t(9, 0), &[])]),
            round("C2_", t(7, 0), vec![visit("V6", "P5", t(9, 0), &[])]),
        ];
        let names: Vec<String> = ical(&plan).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "C1-0700.ics",
                "C1-1400.ics",
                "C2.ics",
                "_.._x_y.ics",
                "C2_.ics",
                "C2_-2.ics"
            ]
        );
    }

    #[test]
    fn ical_is_deterministic_crlf_and_folded() {
        let plan = sample_plan();
        let a = ical(&plan);
        assert_eq!(a, ical(&plan));
        assert!(!a.is_empty());
        for (name, text) in &a {
            assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{name}");
            assert!(text.ends_with("END:VCALENDAR\r\n"), "{name}");
            assert!(!text.replace("\r\n", "").contains('\n'), "{name}: bare LF");
            assert!(!text.replace("\r\n", "").contains('\r'), "{name}: bare CR");
            for l in text.split("\r\n") {
                assert!(l.len() <= MAX_OCTETS, "{name}: {l:?}");
            }
            let dtstamp = format!("DTSTAMP:{}T000000Z\r\n", plan.date.format("%Y%m%d"));
            assert!(text.contains(&dtstamp), "{name}");
        }
    }

    #[test]
    fn span_is_floating_local_time() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            span(d, t(7, 30), t(8, 15)),
            ("20261123T073000".into(), "20261123T081500".into())
        );
        assert_eq!(span(d, t(23, 50), t(0, 10)).1, "20261124T001000");
    }
}
