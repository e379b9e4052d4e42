//! Exports of a [`Plan`] for the people who carry it out: a flat CSV of every
//! stop (for spreadsheets and rota systems) and one iCalendar (RFC 5545)
//! document per round (for carers' phones).
//!
//! Both are deterministic: the same plan (and request) always gives the
//! same bytes (the iCalendar `DTSTAMP` and `SEQUENCE` are derived from the
//! plan, never the clock: [`sequence`]).
//!
//! The plan has no locations: they, and the clients' addresses, come from
//! the request ([`Places::of`]); without it ([`Places::default`]) the
//! location columns are empty and events have no `LOCATION`/`GEO`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::RotaError;
use crate::model::{
    BreakStop, CallTimes, Carer, Client, Contact, Plan, Request, Round, Stop, VisitStop, hhmm,
    minutes_of_day,
};

/// What the plan does not carry, from the request: where the clients are,
/// their contacts, the carers' names, the time zone; and whether clients'
/// names may go into titles.
#[derive(Default)]
pub struct Places<'a> {
    clients: BTreeMap<&'a str, &'a Client>,
    carers: BTreeMap<&'a str, &'a Carer>,
    time_zone: Option<chrono_tz::Tz>,
    names: bool,
}

impl<'a> Places<'a> {
    /// Every client and carer of `req`, and its `settings.time_zone`.
    pub fn of(req: &'a Request) -> Self {
        Places {
            clients: req.clients.iter().map(|c| (c.id.as_str(), c)).collect(),
            carers: req.carers.iter().map(|c| (c.id.as_str(), c)).collect(),
            time_zone: req
                .settings
                .time_zone
                .as_deref()
                .and_then(|z| z.parse().ok()),
            names: false,
        }
    }

    /// Opt in to clients' names in event titles and the CSV's
    /// `client_name` (titles show on lock screens, so it is off by
    /// default).
    pub fn with_names(mut self, names: bool) -> Self {
        self.names = names;
        self
    }

    /// "Sarah Price (C01)" when the request names the carer, else the id.
    fn carer(&self, id: &str) -> String {
        self.carers.get(id).map_or(id.to_string(), |c| c.label())
    }

    /// The client's name when names are opted in and known.
    fn client_name(&self, id: &str) -> Option<&'a str> {
        if !self.names {
            return None;
        }
        self.contact(id).and_then(|k| k.name.as_deref())
    }

    /// Whether there is no client at all (no request given).
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    fn client(&self, id: &str) -> Option<&'a Client> {
        self.clients.get(id).copied()
    }

    fn contact(&self, id: &str) -> Option<&'a Contact> {
        self.client(id).and_then(|c| c.contact.as_ref())
    }
}

/// Columns of [`csv`], in order.
pub const CSV_HEADER: [&str; 24] = [
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
    "starts_with_carer",
];

/// The columns of [`CSV_HEADER`] whose cells are text taken from the
/// request or the plan (ids, names, addresses): these go through
/// [`csv_text_cell`]. The others are numbers, dates and `HH:MM` times
/// written by rota itself (`lat`, `lon` and `travel_minutes` may be
/// negative numbers and stay as they are).
pub const CSV_TEXT_COLUMNS: [&str; 12] = [
    "carer",
    "travel_mode",
    "kind",
    "visit",
    "client",
    "paired_with",
    "address",
    "town",
    "postcode",
    "client_name",
    "starts_with_visit",
    "starts_with_carer",
];

/// Characters that reorder how text is shown (bidirectional embeddings,
/// overrides and isolates, and the left-to-right and right-to-left marks),
/// (and U+061C, the Arabic letter mark), and NUL: in a cell they are replaced by U+FFFD, so an id cannot show
/// something else than it is (`"\u{202E}txt.exe"`) or cut a cell short.
fn csv_hidden(c: char) -> bool {
    matches!(c, '\0' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A text cell as a spreadsheet will show it rather than run it (OWASP's
/// CSV-injection advice): NUL and the bidirectional controls replaced by
/// U+FFFD, then a `'` put before a cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return (Excel, LibreOffice and Google Sheets
/// read such a cell as a formula; the `'` makes it text and is not shown).
/// Every cell of [`CSV_TEXT_COLUMNS`] in [`csv`] is written through this.
pub fn csv_text_cell(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if csv_hidden(c) { '\u{FFFD}' } else { c })
        .collect();
    if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{clean}")
    } else {
        clean
    }
}

fn hm(t: NaiveTime) -> String {
    t.format(hhmm::FORMAT).to_string()
}

/// The plan as CSV: a header ([`CSV_HEADER`]) and one row per stop (visits
/// and breaks), rounds in plan order, `order` counting the stops of a round
/// from 1, `date` the plan's date (`YYYY-MM-DD`) on every row. Break rows
/// leave `visit`, `client`, `arrive`, `travel_minutes`, `paired_with` and
/// the location columns empty; `paired_with` lists a double-up's other
/// carers joined by `;`; `late_minutes` is the stop's minutes after its
/// due (docs/format.md, "Due times"), empty when none; `starts_with_visit`
/// and `starts_with_carer` are the stop's `starts_with` (the visit that
/// starts together with this one and its carer, docs/format.md "Visits that
/// start together"), empty when none. `lat`/`lon` are the client's location and
/// `address`/`town`/`postcode` their contact's, when `places` has them
/// (else empty). Rounds without stops give no rows. Times are `HH:MM`.
/// The cells of [`CSV_TEXT_COLUMNS`] are made safe for spreadsheets
/// ([`csv_text_cell`]).
pub fn csv(plan: &Plan, places: &Places) -> Result<String, RotaError> {
    let internal = |e: csv::Error| RotaError::Internal(format!("cannot write the CSV export: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(internal)?;
    let text: Vec<bool> = CSV_HEADER
        .iter()
        .map(|c| CSV_TEXT_COLUMNS.contains(c))
        .collect();
    let date = plan.date.to_string();
    for round in &plan.rounds {
        for (i, stop) in round.stops.iter().enumerate() {
            let head = [
                date.clone(),
                round.carer.clone(),
                hm(round.shift.start),
                hm(round.shift.end),
                round.travel_mode.clone(),
                (i + 1).to_string(),
            ];
            let tail = match stop {
                Stop::Visit(v) => visit_columns(v, places),
                Stop::Break(b) => {
                    let mut t: [String; 18] = Default::default();
                    t[0] = "break".into();
                    t[4] = hm(b.start);
                    t[5] = hm(b.end);
                    t
                }
            };
            let cells = head.iter().chain(tail.iter()).zip(&text);
            w.write_record(cells.map(|(cell, &text)| {
                if text {
                    csv_text_cell(cell)
                } else {
                    cell.clone()
                }
            }))
            .map_err(internal)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| RotaError::Internal(format!("cannot write the CSV export: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| RotaError::Internal(format!("CSV export is not UTF-8: {e}")))
}

/// A visit row's columns from `kind` on.
fn visit_columns(v: &VisitStop, places: &Places) -> [String; 18] {
    let client = places.client(&v.client);
    let contact = places.contact(&v.client);
    let field =
        |f: fn(&Contact) -> &Option<String>| contact.and_then(|c| f(c).clone()).unwrap_or_default();
    [
        "visit".into(),
        v.visit.clone(),
        v.client.clone(),
        hm(v.arrive),
        hm(v.start),
        hm(v.end),
        v.travel_minutes.to_string(),
        v.with.join(";"),
        client.map_or(String::new(), |c| c.location.lat.to_string()),
        client.map_or(String::new(), |c| c.location.lon.to_string()),
        field(|c| &c.address),
        field(|c| &c.town),
        field(|c| &c.postcode),
        hm(leave_by(v)),
        places
            .client_name(&v.client)
            .unwrap_or_default()
            .to_string(),
        v.late_minutes.map_or(String::new(), |m| m.to_string()),
        v.starts_with
            .as_ref()
            .map_or(String::new(), |w| w.visit.clone()),
        v.starts_with
            .as_ref()
            .map_or(String::new(), |w| w.carer.clone()),
    ]
}

/// When the carer leaves for a visit: its arrival minus the travel to it.
fn leave_by(v: &VisitStop) -> NaiveTime {
    let m = (minutes_of_day(v.arrive) - v.travel_minutes as i32).clamp(0, 1439);
    crate::model::time_of_minutes(m)
}

/// The iCalendar `SEQUENCE` of every event of `plan`. A plan with `issued`
/// (docs/outputs.md, "Calendars"): the seconds from 2000-01-01 00:00 UTC to
/// it, so every plan issued later (a re-run of `rota plan`, a fit's plan,
/// a re-plan) carries a higher sequence and a calendar that imported an
/// earlier one takes the new times. Without it: 0 for a plan made by `rota
/// plan`, and 1 + the minutes since midnight of `summary.replan.now` for
/// one made by `rota replan` (a re-plan is made at a later `--now` than the
/// plan it re-plans). No state is kept between exports, and the same plan
/// always exports the same bytes.
pub fn sequence(plan: &Plan) -> u32 {
    if let Some(t) = plan.issued {
        let epoch = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(
            NaiveDate::from_ymd_opt(2000, 1, 1)
                .expect("a date")
                .and_time(NaiveTime::MIN),
            chrono::Utc,
        );
        return u32::try_from((t - epoch).num_seconds().max(0)).unwrap_or(u32::MAX);
    }
    plan.summary
        .replan
        .as_ref()
        .map_or(0, |r| minutes_of_day(r.now).max(0) as u32 + 1)
}

/// `DTSTAMP` of every event: `issued` when the plan has it, else the
/// plan's date at 00:00 UTC plus the re-plan's `now` for a re-plan (so it
/// grows with [`sequence`]).
fn dtstamp(plan: &Plan) -> String {
    if let Some(t) = plan.issued {
        return t.format("%Y%m%dT%H%M%SZ").to_string();
    }
    let t = plan
        .summary
        .replan
        .as_ref()
        .map_or(NaiveTime::MIN, |r| r.now);
    format!("{}T{}Z", plan.date.format("%Y%m%d"), t.format("%H%M%S"))
}

/// What every event of one export shares.
struct EventCtx<'a> {
    date: NaiveDate,
    dtstamp: String,
    sequence: u32,
    places: &'a Places<'a>,
}

impl<'a> EventCtx<'a> {
    fn new(plan: &Plan, places: &'a Places<'a>) -> Self {
        EventCtx {
            date: plan.date,
            dtstamp: dtstamp(plan),
            sequence: sequence(plan),
            places,
        }
    }

    /// `UID`, `DTSTAMP`, `SEQUENCE`, `DTSTART`, `DTEND`.
    fn head(&self, cal: &mut Ical, uid: &str, start: NaiveTime, end: NaiveTime) {
        cal.text("UID", uid);
        cal.line(&format!("DTSTAMP:{}", self.dtstamp));
        cal.line(&format!("SEQUENCE:{}", self.sequence));
        let (start, end) = span(self.date, start, end, self.places.time_zone);
        cal.line(&format!("DTSTART:{start}"));
        cal.line(&format!("DTEND:{end}"));
    }

    /// The UID of `carer`'s call of `visit`: stable across re-exports and
    /// re-plans, unique in a plan.
    fn visit_uid(&self, carer: &str, visit: &str) -> String {
        format!("{}-{carer}-{visit}@rota", self.date)
    }
}

/// One iCalendar document per round that has stops (or a cancelled call,
/// below), in plan order: `(file name, text)`. The file name is
/// `<carer>.ics`, or `<carer>-HHMM.ics` (shift start) when the plan has
/// several rounds for that carer; characters other than ASCII letters,
/// digits, `-`, `_` and `.` become `_`, and a name that would repeat gets
/// `-2`, `-3`, ... appended.
///
/// Every stop is a `VEVENT` with floating local `DTSTART`/`DTEND` on the
/// plan's date; visits are `Visit <visit> (<client>)` with arrival, travel,
/// double-up partner and the contact's name, phone and access notes in
/// `DESCRIPTION`, `LOCATION` (the contact's address line when known, else
/// `lat, lon`) and `GEO` when `places` knows the client; breaks are
/// `Break`. UIDs are `<date>-<carer>-<visit>@rota` (visits: one per call)
/// and `<date>-<carer>-break-HHMM@rota` (the round's break, `HHMM` its shift
/// start): stable across re-exports and re-plans, unique within a plan.
/// `SEQUENCE` and `DTSTAMP` follow [`sequence`]. On a re-plan, a call that
/// left a carer (`summary.replan.changes`) is a `STATUS:CANCELLED` event with
/// its old UID in that carer's calendar, so an updated import removes it.
/// Lines end in CRLF, are folded at 75 octets and text is escaped (RFC 5545
/// 3.1, 3.3.11).
pub fn ical(plan: &Plan, places: &Places) -> Vec<(String, String)> {
    let ctx = EventCtx::new(plan, places);
    let mut rounds_per_carer: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &plan.rounds {
        *rounds_per_carer.entry(r.carer.as_str()).or_default() += 1;
    }
    let mut cancelled = cancellations(plan);
    let mut used = BTreeSet::new();
    plan.rounds
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let gone = cancelled.remove(&i).unwrap_or_default();
            if r.stops.is_empty() && gone.is_empty() {
                return None;
            }
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
            let text = calendar(
                &format!("{} {}", places.carer(&r.carer), plan.date),
                |cal| {
                    round_events(cal, &ctx, r);
                    for (carer, c) in gone {
                        cancelled_event(cal, &ctx, carer, c);
                    }
                },
            );
            Some((name, text))
        })
        .collect()
}

/// A call that left a carer in a re-plan: the carer and the change.
type Gone<'a> = (&'a str, &'a crate::model::ReplanChange);

/// Round index -> the calls that left that round's carer in a re-plan (the
/// carer's round whose shift holds the old start, else their first round).
/// Calls of carers without a round in the plan are left out.
fn cancellations(plan: &Plan) -> BTreeMap<usize, Vec<Gone<'_>>> {
    let mut out: BTreeMap<usize, Vec<Gone>> = BTreeMap::new();
    for (carer, c, before) in gone_calls(plan) {
        let mine = || {
            plan.rounds
                .iter()
                .enumerate()
                .filter(|(_, r)| r.carer == carer)
        };
        let during =
            mine().find(|(_, r)| r.shift.start <= before.start && before.start < r.shift.end);
        if let Some((i, _)) = during.or_else(|| mine().next()) {
            out.entry(i).or_default().push((carer, c));
        }
    }
    out
}

/// Every (carer, change, old call) of `summary.replan.changes` whose old
/// carer no longer does the visit.
fn gone_calls(plan: &Plan) -> Vec<(&str, &crate::model::ReplanChange, &CallTimes)> {
    let Some(r) = &plan.summary.replan else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &r.changes {
        let Some(before) = &c.before else { continue };
        for carer in &before.carers {
            if !c.after.as_ref().is_some_and(|a| a.carers.contains(carer)) {
                out.push((carer.as_str(), c, before));
            }
        }
    }
    out
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
/// `rota export --format ical -o FILE.ics`), named after the date, then the
/// cancelled calls of a re-plan (as in [`ical`]).
pub fn ical_one(plan: &Plan, places: &Places) -> String {
    let ctx = EventCtx::new(plan, places);
    calendar(&format!("Rounds {}", plan.date), |cal| {
        for r in &plan.rounds {
            round_events(cal, &ctx, r);
        }
        for (carer, c, _) in gone_calls(plan) {
            cancelled_event(cal, &ctx, carer, c);
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

fn round_events(cal: &mut Ical, ctx: &EventCtx, r: &Round) {
    for stop in &r.stops {
        cal.line("BEGIN:VEVENT");
        match stop {
            Stop::Visit(v) => visit_event(cal, ctx, r, v),
            Stop::Break(b) => break_event(cal, ctx, r, b),
        }
        cal.line("END:VEVENT");
    }
}

fn visit_event(cal: &mut Ical, ctx: &EventCtx, r: &Round, v: &VisitStop) {
    ctx.head(cal, &ctx.visit_uid(&r.carer, &v.visit), v.start, v.end);
    let title = match ctx.places.client_name(&v.client) {
        Some(name) => format!("Visit {name} ({})", v.visit),
        None => format!("Visit {} ({})", v.visit, v.client),
    };
    cal.text("SUMMARY", &title);
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
        let with: Vec<String> = v.with.iter().map(|c| ctx.places.carer(c)).collect();
        desc.push_str(&format!("\nDouble-up with {}.", with.join(", ")));
    }
    if let Some(w) = &v.starts_with {
        desc.push_str(&format!(
            "\nStarts together with {} (visit {}).",
            ctx.places.carer(&w.carer),
            w.visit
        ));
    }
    if let Some(late) = v.late_minutes {
        let due = minutes_of_day(v.start) - late as i32;
        desc.push_str(&format!(
            "\nLate: due {}, starts {late} min late.",
            hm(crate::model::time_of_minutes(due.clamp(0, 1439)))
        ));
    }
    if let Some(k) = ctx.places.contact(&v.client) {
        for (label, value) in [
            ("Name", &k.name),
            ("Phone", &k.phone),
            ("Access", &k.access_notes),
        ] {
            if let Some(value) = value {
                desc.push_str(&format!("\n{label}: {value}"));
            }
        }
    }
    cal.text("DESCRIPTION", &desc);
    if let Some(c) = ctx.places.client(&v.client) {
        let (lat, lon) = (c.location.lat, c.location.lon);
        let address = c.contact.as_ref().and_then(Contact::address_line);
        cal.text(
            "LOCATION",
            &address.unwrap_or_else(|| format!("{lat}, {lon}")),
        );
        cal.line(&format!("GEO:{lat};{lon}"));
    }
    cal.line("CATEGORIES:VISIT");
    cal.line("TRANSP:OPAQUE");
    // An alarm at the leave-by time (RFC 5545 3.6.6), relative to the start.
    let before = minutes_of_day(v.start) - minutes_of_day(leave_by(v));
    cal.line("BEGIN:VALARM");
    cal.line("ACTION:DISPLAY");
    cal.line(&format!("TRIGGER:-PT{}M", before.max(0)));
    cal.text(
        "DESCRIPTION",
        &format!("Leave now: {title} starts at {}", hm(v.start)),
    );
    cal.line("END:VALARM");
}

fn break_event(cal: &mut Ical, ctx: &EventCtx, r: &Round, b: &BreakStop) {
    let uid = format!(
        "{}-{}-break-{}@rota",
        ctx.date,
        r.carer,
        r.shift.start.format("%H%M")
    );
    ctx.head(cal, &uid, b.start, b.end);
    cal.text("SUMMARY", "Break");
    cal.text(
        "DESCRIPTION",
        &format!("Break {}-{}.", hm(b.start), hm(b.end)),
    );
    cal.line("CATEGORIES:BREAK");
    cal.line("TRANSP:OPAQUE");
}

/// The old event of a call that left `carer`, cancelled: same UID, the
/// re-plan's higher `SEQUENCE`, `STATUS:CANCELLED`.
fn cancelled_event(cal: &mut Ical, ctx: &EventCtx, carer: &str, c: &crate::model::ReplanChange) {
    let Some(before) = &c.before else { return };
    cal.line("BEGIN:VEVENT");
    ctx.head(
        cal,
        &ctx.visit_uid(carer, &c.visit),
        before.start,
        before.end,
    );
    cal.line("STATUS:CANCELLED");
    cal.text(
        "SUMMARY",
        &format!("Cancelled: visit {} ({})", c.visit, c.client),
    );
    let now = match &c.after {
        Some(a) => format!("now {} at {}", a.carers.join(" + "), hm(a.start)),
        None => "dropped from the plan".into(),
    };
    cal.text(
        "DESCRIPTION",
        &format!("Re-planned: visit {} is no longer yours ({now}).", c.visit),
    );
    cal.line("CATEGORIES:VISIT");
    cal.line("TRANSP:TRANSPARENT");
    cal.line("END:VEVENT");
}

/// The date-times of a stop: floating local (`YYYYMMDDTHHMMSS`), or with a
/// time zone the same local times in UTC (`YYYYMMDDTHHMMSSZ`), right on
/// either side of a clock change. A local time the clock skips takes the
/// offset before the change; one it repeats takes the first. An end before
/// the start (never produced by the solver) is read as the next day.
fn span(
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
    tz: Option<chrono_tz::Tz>,
) -> (String, String) {
    const F: &str = "%Y%m%dT%H%M%S";
    let s = NaiveDateTime::new(date, start);
    let mut e = NaiveDateTime::new(date, end);
    if e < s {
        e += chrono::Duration::days(1);
    }
    match tz {
        None => (s.format(F).to_string(), e.format(F).to_string()),
        Some(tz) => {
            let utc = |t: NaiveDateTime| format!("{}Z", utc_of(tz, t).format(F));
            (utc(s), utc(e))
        }
    }
}

/// The UTC time of local time `t` in `tz` (see [`span`] for skipped and
/// repeated times).
fn utc_of(tz: chrono_tz::Tz, t: NaiveDateTime) -> NaiveDateTime {
    use chrono::{LocalResult, Offset, TimeZone};
    match tz.from_local_datetime(&t) {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x.naive_utc(),
        LocalResult::None => {
            // Skipped by a clock change: the offset an hour before holds.
            let before = t - chrono::Duration::hours(1);
            let off = tz.offset_from_utc_datetime(&before).fix();
            t - chrono::Duration::seconds(i64::from(off.local_minus_utc()))
        }
    }
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
        let mut req = req.into_inner();
        req.settings.stop_when_stalled = Some(true);
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
            late_minutes: None,
            starts_with: None,
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
    fn text_cells_cannot_start_a_formula_or_hide_their_order() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x/\")", "'=HYPERLINK(\"http://x/\")"),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a\0b", "a\u{FFFD}b"),
            ("\u{202E}exe.txt", "\u{FFFD}exe.txt"),
            ("x\u{2066}y\u{2069}\u{200F}", "x\u{FFFD}y\u{FFFD}\u{FFFD}"),
            ("P001", "P001"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_text_cell(given), written, "{given:?}");
        }
        for c in CSV_TEXT_COLUMNS {
            assert!(CSV_HEADER.contains(&c), "{c} is not a column");
        }
    }

    #[test]
    fn csv_text_columns_are_made_safe_and_numbers_kept() {
        let mut plan = sample_plan();
        plan.rounds = vec![round(
            "-C1",
            t(8, 0),
            vec![visit("@V", "=1+1", t(9, 0), &[])],
        )];
        let text = csv(&plan, &Places::default()).unwrap();
        let row = text.lines().nth(1).unwrap();
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[1], "'-C1");
        assert_eq!(cells[4], "walk");
        assert_eq!(cells[7], "'@V");
        assert_eq!(cells[8], "'=1+1");
        assert_eq!(cells[10], "09:00");
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
        let text = csv(&plan, &Places::default()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), CSV_HEADER.join(","));
        let stops: usize = plan.rounds.iter().map(|r| r.stops.len()).sum();
        assert_eq!(lines.count(), stops);
    }

    #[test]
    fn csv_starts_with_columns_are_last_and_safe_text() {
        let mut plan = sample_plan();
        let mut stop = visit("V1", "P1", t(8, 0), &[]);
        if let Stop::Visit(v) = &mut stop {
            v.starts_with = Some(crate::model::StartsWithStop {
                visit: "=HYPERLINK(\"x\")".into(),
                carer: "@C8".into(),
            });
        }
        plan.rounds = vec![round("C9", t(7, 0), vec![stop])];
        let text = csv(&plan, &Places::default()).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(
            row.ends_with(",07:55,,,\"'=HYPERLINK(\"\"x\"\")\",'@C8"),
            "{row}"
        );
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
        let text = csv(&plan, &Places::default()).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "2026-11-25,C9,07:00,22:00,walk,1,visit,V1,P1,08:00,08:00,08:30,5,C8;C7,,,,,,07:55,,,,",
                "2026-11-25,C9,07:00,22:00,walk,2,break,,,,11:00,11:20,,,,,,,,,,,,",
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
        let names: Vec<String> = ical(&plan, &Places::default())
            .into_iter()
            .map(|(n, _)| n)
            .collect();
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
        let a = ical(&plan, &Places::default());
        assert_eq!(a, ical(&plan, &Places::default()));
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

    /// P1 with a full contact at (52.1, -2.7), P2 with coordinates only.
    fn places_request() -> Request {
        crate::parse::request_from_str(
            r#"{"date":"2026-11-25","carers":[{"id":"C9","travel_mode":"walk",
                "shift":{"start":"07:00","end":"22:00"},"start_location":{"lat":52.1,"lon":-2.7}}],
              "clients":[
                {"id":"P1","location":{"lat":52.1,"lon":-2.7},
                 "contact":{"name":"Ann Example","address":"1 High St","town":"Ledbury",
                            "postcode":"HR8 1AA","phone":"01531 000000","access_notes":"key safe 1234"},
                 "visits":[{"id":"V1","window":{"start":"08:00","end":"09:00"},"duration":30}]},
                {"id":"P2","location":{"lat":52.2,"lon":-2.8},
                 "visits":[{"id":"V2","window":{"start":"09:00","end":"10:00"},"duration":30}]}]}"#,
        )
        .unwrap()
    }

    /// One walking round of C9 with visits to P1 (08:00) and P2 (09:00).
    fn two_visits_of_c9() -> Plan {
        let mut plan = sample_plan();
        plan.rounds = vec![round(
            "C9",
            t(7, 0),
            vec![
                visit("V1", "P1", t(8, 0), &[]),
                visit("V2", "P2", t(9, 0), &[]),
            ],
        )];
        plan
    }

    #[test]
    fn csv_location_columns_come_from_the_request() {
        let req = places_request();
        let plan = two_visits_of_c9();
        let text = csv(&plan, &Places::of(&req)).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "2026-11-25,C9,07:00,22:00,walk,1,visit,V1,P1,08:00,08:00,08:30,5,,52.1,-2.7,1 High St,Ledbury,HR8 1AA,07:55,,,,",
                "2026-11-25,C9,07:00,22:00,walk,2,visit,V2,P2,09:00,09:00,09:30,5,,52.2,-2.8,,,,08:55,,,,",
            ]
        );
    }

    #[test]
    fn ical_location_is_the_address_else_the_coordinates() {
        let req = places_request();
        let plan = two_visits_of_c9();
        let text = ical_one(&plan, &Places::of(&req)).replace("\r\n ", "");
        assert!(
            text.contains("LOCATION:1 High St\\, Ledbury HR8 1AA\r\n"),
            "{text}"
        );
        assert!(text.contains("GEO:52.1;-2.7\r\n"));
        assert!(text.contains("LOCATION:52.2\\, -2.8\r\n"), "{text}");
        assert!(text.contains("GEO:52.2;-2.8\r\n"));
        assert!(text.contains("Phone: 01531 000000"), "{text}");
        assert!(text.contains("Access: key safe 1234"), "{text}");
        let bare = ical_one(&plan, &Places::default());
        assert!(!bare.contains("LOCATION") && !bare.contains("GEO"));
    }

    fn replanned(now: NaiveTime, changes: Vec<crate::model::ReplanChange>) -> Plan {
        let mut plan = sample_plan();
        plan.summary.replan = Some(crate::model::ReplanSummary {
            calls_of_unavailable: 1,
            changes,
            ..crate::model::ReplanSummary::new(now, vec!["C8".into()])
        });
        plan
    }

    #[test]
    fn sequence_grows_with_each_replan_and_is_zero_for_a_plan() {
        assert_eq!(sequence(&sample_plan()), 0);
        let early = replanned(t(0, 0), vec![]);
        let a = replanned(t(10, 15), vec![]);
        let b = replanned(t(13, 0), vec![]);
        assert_eq!(sequence(&early), 1);
        assert_eq!(sequence(&a), 616);
        assert!(sequence(&b) > sequence(&a));
        assert!(ical_one(&a, &Places::default()).contains("SEQUENCE:616\r\n"));
        assert!(ical_one(&a, &Places::default()).contains("DTSTAMP:20261125T101500Z\r\n"));
    }

    #[test]
    fn a_call_moved_away_is_cancelled_in_its_old_carers_calendar() {
        use crate::model::{CallTimes, ReplanChange};
        let times = |c: &str, h| CallTimes {
            carers: vec![c.into()],
            start: t(h, 0),
            end: t(h, 30),
        };
        let mut plan = replanned(
            t(10, 15),
            vec![ReplanChange {
                visit: "V1".into(),
                client: "P1".into(),
                before: Some(times("C8", 11)),
                after: Some(times("C9", 12)),
            }],
        );
        plan.rounds = vec![
            round("C8", t(7, 0), vec![visit("V0", "P0", t(8, 0), &[])]),
            round("C9", t(7, 0), vec![visit("V1", "P1", t(12, 0), &[])]),
        ];
        let files = ical(&plan, &Places::default());
        let c8 = &files.iter().find(|(n, _)| n == "C8.ics").unwrap().1;
        let c9 = &files.iter().find(|(n, _)| n == "C9.ics").unwrap().1;
        assert!(c8.contains("UID:2026-11-25-C8-V1@rota\r\n"), "{c8}");
        assert!(c8.contains("STATUS:CANCELLED"));
        assert!(c9.contains("UID:2026-11-25-C9-V1@rota\r\n"));
        assert!(!c9.contains("STATUS:CANCELLED"));
        let one = ical_one(&plan, &Places::default());
        assert_eq!(one.matches("STATUS:CANCELLED").count(), 1);
    }

    #[test]
    fn span_is_floating_local_time() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            span(d, t(7, 30), t(8, 15), None),
            ("20261123T073000".into(), "20261123T081500".into())
        );
        assert_eq!(span(d, t(23, 50), t(0, 10), None).1, "20261124T001000");
    }

    #[test]
    fn skipped_and_repeated_local_times_take_the_offset_before_the_change() {
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        // 29 March 2026: 01:00 GMT -> 02:00 BST; 01:30 does not exist.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(
            span(spring, t(1, 30), t(3, 0), Some(london)),
            ("20260329T013000Z".into(), "20260329T020000Z".into())
        );
        // 25 October 2026: 02:00 BST -> 01:00 GMT; 01:30 happens twice.
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!(
            span(autumn, t(1, 30), t(7, 0), Some(london)),
            ("20261025T003000Z".into(), "20261025T070000Z".into())
        );
    }
}
