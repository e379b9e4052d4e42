//! Semantic validation of a parsed [`Request`]: every problem at once, each
//! with a stable code, its JSON path, what is wrong and how to fix it.
//!
//! Parsing (`crate::parse`) already rejects malformed JSON (E1001) and values
//! of the wrong shape (E1002). Everything here is about values that parse but
//! break the contract (`shared/spec/format.md`). Codes are grouped by family
//! and listed in `docs/validation.md`:
//!
//! * E11xx ids and priorities
//! * E12xx times, windows, durations
//! * E13xx travel modes and travel settings
//! * E14xx shifts and breaks
//! * E15xx references between ids (preferred/excluded carers, `after`, gender)
//! * E16xx `travel_matrix`
//! * E17xx locations
//! * E18xx `locks` (extension, in `crate::locks`)
//! * E19xx `previous_plan` and `rota replan` (extensions)
//!
//! Issues come out in a deterministic order, close to document order
//! (settings, carers, clients, travel matrix). Validation never panics, whatever
//! the values (NaN, infinities, huge numbers, empty lists).

use std::collections::{HashMap, HashSet};

use chrono::NaiveTime;

use crate::error::{Issue, Issues};
use crate::model::{
    Break, Carer, Client, Location, MODES, Request, Shift, TravelMatrix, minutes_of_day,
};

/// Minutes in a day.
const DAY: i64 = 1440;

/// At most this many negative entries are listed per matrix (then one summary).
const MAX_NEGATIVE_LISTED: usize = 20;

/// Check `request` against the contract. `Ok(())` when it is fine, else every
/// problem found.
pub fn validate(request: &Request) -> Result<(), Issues> {
    let mut v = Validator { issues: Vec::new() };
    v.settings(request);
    v.carers(request);
    v.clients(request);
    if let Some(m) = &request.travel_matrix {
        v.matrix(request, m);
    }
    // Extensions: locks (E18xx, docs/locks.md), previous plan (E19xx,
    // docs/continuity.md).
    v.issues.extend(crate::locks::validate(request));
    v.issues.extend(crate::continuity::validate(request));
    if v.issues.is_empty() {
        Ok(())
    } else {
        Err(Issues(v.issues))
    }
}

struct Validator {
    issues: Vec<Issue>,
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn mins(t: NaiveTime) -> i64 {
    i64::from(minutes_of_day(t))
}

fn allowed_modes() -> String {
    MODES
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Validator {
    fn push(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.issues.push(Issue::new(code, path, message, hint));
    }

    // ------------------------------------------------------------ settings

    fn settings(&mut self, r: &Request) {
        let s = &r.settings;
        let t = s.time_limit_seconds;
        if !(t.is_finite() && t > 0.0) {
            self.push(
                "E1307",
                "settings.time_limit_seconds",
                format!("time_limit_seconds is {t}; it must be a finite number above 0"),
                "give a positive number of seconds, e.g. 10 (or leave it out for the default)",
            );
        }
        let tr = &s.travel;
        let d = tr.detour_factor;
        if !(d.is_finite() && d >= 1.0) {
            self.push(
                "E1306",
                "settings.travel.detour_factor",
                format!("detour_factor is {d}; it must be a finite number of at least 1.0"),
                "roads are never shorter than the straight line: use e.g. 1.3 (or leave it out)",
            );
        }
        for (key, &speed) in &tr.speed_kmh {
            let path = format!("settings.travel.speed_kmh.{key}");
            if !MODES.contains(&key.as_str()) {
                self.push(
                    "E1302",
                    path,
                    format!("unknown travel mode '{key}' in speed_kmh"),
                    format!("use one of {} as keys", allowed_modes()),
                );
            } else if !(speed.is_finite() && speed > 0.0) {
                self.push(
                    "E1304",
                    path,
                    format!("speed of '{key}' is {speed} km/h; it must be a finite number above 0"),
                    "give a positive speed in km/h, e.g. 40 for drive, 15 for bike, 4.8 for walk",
                );
            }
        }
        for (key, &over) in &tr.leg_overhead_minutes {
            let path = format!("settings.travel.leg_overhead_minutes.{key}");
            if !MODES.contains(&key.as_str()) {
                self.push(
                    "E1303",
                    path,
                    format!("unknown travel mode '{key}' in leg_overhead_minutes"),
                    format!("use one of {} as keys", allowed_modes()),
                );
            } else if !(0..=DAY).contains(&over) {
                self.push(
                    "E1305",
                    path,
                    format!(
                        "leg overhead of '{key}' is {over} minutes; it must be between 0 and {DAY}"
                    ),
                    "give the fixed minutes added to each leg (parking, locking a bike), e.g. 3",
                );
            }
        }
    }

    // ------------------------------------------------------------ carers

    fn carers(&mut self, r: &Request) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, c) in r.carers.iter().enumerate() {
            let p = format!("carers[{i}]");
            self.carer_id(&p, i, c, &mut first);
            if !MODES.contains(&c.travel_mode.as_str()) {
                self.push(
                    "E1301",
                    format!("{p}.travel_mode"),
                    format!(
                        "carer '{}' has travel_mode '{}', which is not a travel mode",
                        c.id, c.travel_mode
                    ),
                    format!("use one of {}", allowed_modes()),
                );
            }
            self.carer_shifts(&p, c);
            self.location(&format!("{p}.start_location"), &c.start_location);
            if let Some(end) = &c.end_location {
                self.location(&format!("{p}.end_location"), end);
            }
            if let Some(g) = &c.gender
                && g.trim().is_empty()
            {
                self.push(
                    "E1508",
                    format!("{p}.gender"),
                    format!("carer '{}' has an empty gender", c.id),
                    "give a non-empty value (e.g. \"f\") or leave the field out",
                );
            }
        }
    }

    fn carer_id<'a>(
        &mut self,
        p: &str,
        i: usize,
        c: &'a Carer,
        first: &mut HashMap<&'a str, usize>,
    ) {
        let path = format!("{p}.id");
        if c.id.is_empty() {
            self.push(
                "E1101",
                path,
                format!("carer at index {i} has an empty id"),
                "give every carer a non-empty, unique id",
            );
            return;
        }
        if let Some(&j) = first.get(c.id.as_str()) {
            self.push(
                "E1102",
                path.clone(),
                format!("carer id '{}' is used again (first at carers[{j}])", c.id),
                "give every carer a unique id",
            );
        } else {
            first.insert(&c.id, i);
        }
        if c.id.contains('/') {
            self.push(
                "E1106",
                path,
                format!(
                    "carer id '{}' contains '/', which is reserved for \"<carer id>/end\" in travel_matrix refs",
                    c.id
                ),
                "remove the '/' from the carer id",
            );
        }
    }

    fn carer_shifts(&mut self, p: &str, c: &Carer) {
        let mut all: Vec<(String, &Shift)> = Vec::new();
        match (&c.shift, &c.shifts) {
            (None, None) => self.push(
                "E1401",
                p.to_string(),
                format!("carer '{}' has neither 'shift' nor 'shifts'", c.id),
                "give the carer a \"shift\": {\"start\": \"07:00\", \"end\": \"15:00\"} (or a list \"shifts\")",
            ),
            (Some(_), Some(_)) => self.push(
                "E1402",
                format!("{p}.shifts"),
                format!("carer '{}' has both 'shift' and 'shifts'", c.id),
                "give either one 'shift' or a list 'shifts', not both",
            ),
            (None, Some(v)) if v.is_empty() => self.push(
                "E1403",
                format!("{p}.shifts"),
                format!("carer '{}' has an empty list of shifts", c.id),
                "give at least one shift, or leave the carer out of the request",
            ),
            _ => {}
        }
        if let Some(s) = &c.shift {
            all.push((format!("{p}.shift"), s));
        }
        if let Some(v) = &c.shifts {
            for (k, s) in v.iter().enumerate() {
                all.push((format!("{p}.shifts[{k}]"), s));
            }
        }
        for (sp, s) in &all {
            self.shift(sp, c, s);
        }
        // Overlapping shifts (touching, end == start, is allowed).
        for b in 1..all.len() {
            for a in 0..b {
                let (pa, sa) = &all[a];
                let (pb, sb) = &all[b];
                if sa.end <= sa.start || sb.end <= sb.start {
                    continue;
                }
                if sa.start < sb.end && sb.start < sa.end {
                    self.push(
                        "E1405",
                        pb.clone(),
                        format!(
                            "shift {}-{} of carer '{}' overlaps shift {}-{} at {pa}",
                            hhmm(sb.start),
                            hhmm(sb.end),
                            c.id,
                            hhmm(sa.start),
                            hhmm(sa.end)
                        ),
                        "shifts of one carer must not overlap (one may start when another ends)",
                    );
                }
            }
        }
    }

    fn shift(&mut self, sp: &str, c: &Carer, s: &Shift) {
        let valid = s.end > s.start;
        if !valid {
            self.push(
                "E1404",
                sp.to_string(),
                format!(
                    "shift of carer '{}' ends at {} which is not after its start {}",
                    c.id,
                    hhmm(s.end),
                    hhmm(s.start)
                ),
                "make end later than start; a shift cannot cross midnight (split it in two)",
            );
        }
        if let Some(b) = &s.brk {
            self.brk(&format!("{sp}.break"), c, s, b, valid);
        }
    }

    fn brk(&mut self, bp: &str, c: &Carer, s: &Shift, b: &Break, shift_valid: bool) {
        let len = mins(s.end) - mins(s.start);
        let m = i64::from(b.minutes);
        if b.minutes == 0 {
            self.push(
                "E1406",
                format!("{bp}.minutes"),
                format!("break of carer '{}' lasts 0 minutes", c.id),
                "give the break a positive length, or leave the break out",
            );
        } else if shift_valid && m > len {
            self.push(
                "E1407",
                format!("{bp}.minutes"),
                format!(
                    "break of carer '{}' lasts {m} minutes, longer than its {len}-minute shift",
                    c.id
                ),
                "shorten the break or lengthen the shift",
            );
        }
        if b.latest < b.earliest {
            self.push(
                "E1408",
                bp.to_string(),
                format!(
                    "break of carer '{}' has latest {} before earliest {}",
                    c.id,
                    hhmm(b.latest),
                    hhmm(b.earliest)
                ),
                "make 'latest' equal to or later than 'earliest'",
            );
        }
        if !shift_valid {
            return;
        }
        if b.earliest < s.start {
            self.push(
                "E1409",
                format!("{bp}.earliest"),
                format!(
                    "break of carer '{}' may start at {}, before the shift starts at {}",
                    c.id,
                    hhmm(b.earliest),
                    hhmm(s.start)
                ),
                "the break window must lie inside the shift: move 'earliest' to the shift start or later",
            );
        }
        if mins(b.latest) + m > mins(s.end) {
            self.push(
                "E1409",
                format!("{bp}.latest"),
                format!(
                    "break of carer '{}' may start at {} and last {m} minutes, past the shift end {}",
                    c.id,
                    hhmm(b.latest),
                    hhmm(s.end)
                ),
                "the break window must lie inside the shift: 'latest' plus 'minutes' must be at most the shift end",
            );
        }
    }

    // ------------------------------------------------------------ clients

    fn clients(&mut self, r: &Request) {
        let carer_ids: HashSet<&str> = r.carers.iter().map(|c| c.id.as_str()).collect();
        let carer_ends: HashSet<String> = r
            .carers
            .iter()
            .filter(|c| !c.id.is_empty())
            .map(|c| format!("{}/end", c.id))
            .collect();
        // First occurrence of each visit id across all clients: (client, visit).
        let mut visit_first: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, cl) in r.clients.iter().enumerate() {
            for (k, v) in cl.visits.iter().enumerate() {
                if !v.id.is_empty() {
                    visit_first.entry(v.id.as_str()).or_insert((i, k));
                }
            }
        }
        let mut client_first: HashMap<&str, usize> = HashMap::new();
        for (i, cl) in r.clients.iter().enumerate() {
            let p = format!("clients[{i}]");
            self.client_id(&p, i, cl, &mut client_first, &carer_ids, &carer_ends);
            self.location(&format!("{p}.location"), &cl.location);
            if cl.priority == 0 {
                self.push(
                    "E1108",
                    format!("{p}.priority"),
                    format!("client '{}' has priority 0", cl.id),
                    "priority is a positive weight: use 1 (the default) or more",
                );
            }
            self.carer_lists(&p, cl, &carer_ids);
            if let Some(g) = &cl.carer_gender
                && g.trim().is_empty()
            {
                self.push(
                    "E1508",
                    format!("{p}.carer_gender"),
                    format!("client '{}' has an empty carer_gender", cl.id),
                    "give the required carer gender (e.g. \"f\") or leave the field out",
                );
            }
            if cl.visits.is_empty() {
                self.push(
                    "E1105",
                    format!("{p}.visits"),
                    format!("client '{}' has no visits", cl.id),
                    "give the client at least one visit, or leave the client out",
                );
            }
            self.visits(&p, i, cl, &r.clients, &visit_first);
        }
    }

    fn client_id<'a>(
        &mut self,
        p: &str,
        i: usize,
        cl: &'a Client,
        first: &mut HashMap<&'a str, usize>,
        carer_ids: &HashSet<&str>,
        carer_ends: &HashSet<String>,
    ) {
        let path = format!("{p}.id");
        if cl.id.is_empty() {
            self.push(
                "E1101",
                path,
                format!("client at index {i} has an empty id"),
                "give every client a non-empty, unique id",
            );
            return;
        }
        if let Some(&j) = first.get(cl.id.as_str()) {
            self.push(
                "E1103",
                path.clone(),
                format!(
                    "client id '{}' is used again (first at clients[{j}])",
                    cl.id
                ),
                "give every client a unique id",
            );
        } else {
            first.insert(&cl.id, i);
        }
        if carer_ids.contains(cl.id.as_str()) || carer_ends.contains(&cl.id) {
            self.push(
                "E1107",
                path,
                format!(
                    "client id '{}' is also a carer reference, so travel_matrix refs would be ambiguous",
                    cl.id
                ),
                "client ids must differ from carer ids and from \"<carer id>/end\"",
            );
        }
    }

    fn carer_lists(&mut self, p: &str, cl: &Client, carer_ids: &HashSet<&str>) {
        for (k, id) in cl.preferred_carers.iter().enumerate() {
            if !carer_ids.contains(id.as_str()) {
                self.push(
                    "E1501",
                    format!("{p}.preferred_carers[{k}]"),
                    format!(
                        "client '{}' prefers carer '{id}', which is not in 'carers'",
                        cl.id
                    ),
                    "name only ids of carers in this request (or remove the entry)",
                );
            }
        }
        for (k, id) in cl.excluded_carers.iter().enumerate() {
            let path = format!("{p}.excluded_carers[{k}]");
            if !carer_ids.contains(id.as_str()) {
                self.push(
                    "E1502",
                    path.clone(),
                    format!(
                        "client '{}' excludes carer '{id}', which is not in 'carers'",
                        cl.id
                    ),
                    "name only ids of carers in this request (or remove the entry)",
                );
            }
            if cl.preferred_carers.contains(id) {
                self.push(
                    "E1503",
                    path,
                    format!("client '{}' both prefers and excludes carer '{id}'", cl.id),
                    "remove the carer from one of 'preferred_carers' and 'excluded_carers'",
                );
            }
        }
    }

    fn visits(
        &mut self,
        p: &str,
        i: usize,
        cl: &Client,
        all: &[Client],
        visit_first: &HashMap<&str, (usize, usize)>,
    ) {
        // Same-client `after` edges (visit index -> target index), for cycles.
        let mut local: HashMap<&str, usize> = HashMap::new();
        for (k, v) in cl.visits.iter().enumerate() {
            local.entry(v.id.as_str()).or_insert(k);
        }
        let mut next: Vec<Option<usize>> = vec![None; cl.visits.len()];

        for (k, v) in cl.visits.iter().enumerate() {
            let vp = format!("{p}.visits[{k}]");
            // ids
            if v.id.is_empty() {
                self.push(
                    "E1101",
                    format!("{vp}.id"),
                    format!("visit at index {k} of client '{}' has an empty id", cl.id),
                    "give every visit a non-empty id, unique across all clients",
                );
            } else if let Some(&(fi, fk)) = visit_first.get(v.id.as_str())
                && (fi, fk) != (i, k)
            {
                self.push(
                        "E1104",
                        format!("{vp}.id"),
                        format!(
                            "visit id '{}' is used again (first at clients[{fi}].visits[{fk}])",
                            v.id
                        ),
                        "visit ids must be unique across all clients, e.g. prefix them with the client id",
                    );
            }
            // window and duration
            let ws = mins(v.window.start);
            let we = mins(v.window.end);
            if we < ws {
                self.push(
                    "E1201",
                    format!("{vp}.window"),
                    format!(
                        "window of visit '{}' ends at {} before it starts at {}",
                        v.id,
                        hhmm(v.window.end),
                        hhmm(v.window.start)
                    ),
                    "make window.end equal to or later than window.start (windows cannot cross midnight)",
                );
            }
            let d = i64::from(v.duration);
            if v.duration == 0 {
                self.push(
                    "E1202",
                    format!("{vp}.duration"),
                    format!("visit '{}' has duration 0", v.id),
                    "give the visit's length in whole minutes, at least 1",
                );
            } else if d > DAY {
                self.push(
                    "E1203",
                    format!("{vp}.duration"),
                    format!(
                        "visit '{}' lasts {d} minutes, longer than a day ({DAY})",
                        v.id
                    ),
                    "give the duration in minutes (e.g. 45), at most 1440",
                );
            } else if ws + d > DAY {
                self.push(
                    "E1204",
                    vp.clone(),
                    format!(
                        "visit '{}' starts at {} at the earliest and lasts {d} minutes, so it cannot end by 24:00",
                        v.id,
                        hhmm(v.window.start)
                    ),
                    "move the window earlier or shorten the duration; a visit must end by midnight",
                );
            }
            if !(1..=2).contains(&v.carers_required) {
                self.push(
                    "E1205",
                    format!("{vp}.carers_required"),
                    format!(
                        "visit '{}' requires {} carers; only 1 or 2 are allowed",
                        v.id, v.carers_required
                    ),
                    "use 1 (the default) or 2 for a double-up",
                );
            }
            // after
            if let Some(a) = &v.after {
                let ap = format!("{vp}.after");
                if i64::from(a.min_gap) > DAY {
                    self.push(
                        "E1206",
                        format!("{ap}.min_gap"),
                        format!(
                            "visit '{}' has min_gap {} minutes, longer than a day ({DAY})",
                            v.id, a.min_gap
                        ),
                        "give the gap between the two visit starts in minutes, at most 1440",
                    );
                }
                let vpath = format!("{ap}.visit");
                if !v.id.is_empty() && a.visit == v.id {
                    self.push(
                        "E1506",
                        vpath,
                        format!("visit '{}' is set to come after itself", v.id),
                        "name another visit of the same client, or remove 'after'",
                    );
                } else if let Some(&t) = local.get(a.visit.as_str()) {
                    if t != k {
                        next[k] = Some(t);
                    }
                } else if let Some(&(fi, _)) = visit_first.get(a.visit.as_str()) {
                    let owner = all.get(fi).map_or("", |c| c.id.as_str());
                    self.push(
                        "E1505",
                        vpath,
                        format!(
                            "visit '{}' of client '{}' comes after visit '{}', which belongs to client '{owner}' (clients[{fi}])",
                            v.id, cl.id, a.visit
                        ),
                        "'after' must name a visit of the same client",
                    );
                } else {
                    self.push(
                        "E1504",
                        vpath,
                        format!(
                            "visit '{}' comes after visit '{}', which does not exist",
                            v.id, a.visit
                        ),
                        "name the id of a visit of the same client, or remove 'after'",
                    );
                }
            }
        }
        self.after_cycles(p, cl, &next);
    }

    /// Each visit has at most one `after`, so the same-client graph is a set of
    /// chains and simple cycles. Report each cycle once, at its first visit.
    fn after_cycles(&mut self, p: &str, cl: &Client, next: &[Option<usize>]) {
        let n = next.len();
        // 0 = unvisited, 1 = on the current walk, 2 = done.
        let mut state = vec![0u8; n];
        for s in 0..n {
            if state[s] != 0 {
                continue;
            }
            let mut walk = Vec::new();
            let mut cur = Some(s);
            while let Some(u) = cur {
                match state[u] {
                    0 => {
                        state[u] = 1;
                        walk.push(u);
                        cur = next[u];
                    }
                    1 => {
                        // Cycle: from u's position in the walk to its end.
                        let pos = walk.iter().position(|&w| w == u).unwrap_or(0);
                        let cycle = &walk[pos..];
                        let first = cycle.iter().copied().min().unwrap_or(u);
                        let mut names: Vec<String> = Vec::new();
                        // List the cycle starting at its first visit.
                        let start = cycle.iter().position(|&w| w == first).unwrap_or(0);
                        for j in 0..cycle.len() {
                            let w = cycle[(start + j) % cycle.len()];
                            names.push(format!("'{}'", cl.visits[w].id));
                        }
                        names.push(format!("'{}'", cl.visits[first].id));
                        self.push(
                            "E1507",
                            format!("{p}.visits[{first}].after.visit"),
                            format!(
                                "'after' links of client '{}' form a cycle: {} (each after the next), so none can start first",
                                cl.id,
                                names.join(" after ")
                            ),
                            "remove one 'after' from the cycle",
                        );
                        break;
                    }
                    _ => break,
                }
            }
            for w in walk {
                state[w] = 2;
            }
        }
    }

    // ------------------------------------------------------------ locations

    fn location(&mut self, p: &str, l: &Location) {
        for (name, val, lim) in [("lat", l.lat, 90.0), ("lon", l.lon, 180.0)] {
            let path = format!("{p}.{name}");
            if !val.is_finite() {
                self.push(
                    "E1701",
                    path,
                    format!("{name} is {val}, not a finite number"),
                    "give WGS84 coordinates in decimal degrees",
                );
            } else if !(-lim..=lim).contains(&val) {
                let code = if name == "lat" { "E1702" } else { "E1703" };
                self.push(
                    code,
                    path,
                    // 1e308 as 1e308, not as 309 digits.
                    format!(
                        "{name} is {}, outside [-{lim}, {lim}]",
                        if val.abs() < 1e6 {
                            format!("{val}")
                        } else {
                            format!("{val:e}")
                        }
                    ),
                    "give WGS84 decimal degrees (lat -90..90, lon -180..180); are lat and lon swapped?",
                );
            }
        }
    }

    // ------------------------------------------------------------ matrix

    fn matrix(&mut self, r: &Request, m: &TravelMatrix) {
        let n = m.refs.len();
        let client_ids: HashSet<&str> = r.clients.iter().map(|c| c.id.as_str()).collect();
        let carer_ids: HashSet<&str> = r.carers.iter().map(|c| c.id.as_str()).collect();
        let names = |s: &str| -> bool {
            if s.is_empty() {
                return false;
            }
            if client_ids.contains(s) || carer_ids.contains(s) {
                return true;
            }
            match s.strip_suffix("/end") {
                Some(c) => !c.is_empty() && carer_ids.contains(c),
                None => false,
            }
        };
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (k, rf) in m.refs.iter().enumerate() {
            let path = format!("travel_matrix.refs[{k}]");
            if let Some(&j) = first.get(rf.as_str()) {
                self.push(
                    "E1601",
                    path,
                    format!("ref '{rf}' is listed twice (first at travel_matrix.refs[{j}])"),
                    "list every location once; rows and columns follow 'refs'",
                );
                continue;
            }
            first.insert(rf, k);
            if !names(rf) {
                self.push(
                    "E1605",
                    path,
                    format!("ref '{rf}' names no client, carer or \"<carer id>/end\""),
                    "use a client id, a carer id (start location) or \"<carer id>/end\" (end location)",
                );
            }
        }
        // Missing refs, in document order (carers, then clients).
        let mut missing: Vec<String> = Vec::new();
        for c in &r.carers {
            if c.id.is_empty() {
                continue;
            }
            if !first.contains_key(c.id.as_str()) {
                missing.push(c.id.clone());
            }
            let end = format!("{}/end", c.id);
            if c.end_location.is_some_and(|e| e != c.start_location)
                && !first.contains_key(end.as_str())
            {
                missing.push(end);
            }
        }
        for cl in &r.clients {
            if !cl.id.is_empty() && !first.contains_key(cl.id.as_str()) {
                missing.push(cl.id.clone());
            }
        }
        let mut seen_missing = HashSet::new();
        for id in missing {
            if !seen_missing.insert(id.clone()) {
                continue;
            }
            let what = if id.ends_with("/end") && !client_ids.contains(id.as_str()) {
                "the end location of a carer whose end_location differs from its start_location"
            } else if carer_ids.contains(id.as_str()) {
                "the start location of a carer"
            } else {
                "the location of a client"
            };
            self.push(
                "E1606",
                "travel_matrix.refs",
                format!("ref '{id}' is missing from travel_matrix.refs ({what})"),
                format!("add '{id}' to refs, with its row and column in every matrix"),
            );
        }
        for (mode, rows) in &m.minutes {
            let mp = format!("travel_matrix.minutes.{mode}");
            if !MODES.contains(&mode.as_str()) {
                self.push(
                    "E1602",
                    mp,
                    format!("unknown travel mode '{mode}' in travel_matrix.minutes"),
                    format!("use one of {} as keys", allowed_modes()),
                );
                continue;
            }
            if rows.len() != n {
                self.push(
                    "E1603",
                    mp.clone(),
                    format!(
                        "matrix '{mode}' has {} rows but refs has {n} entries",
                        rows.len()
                    ),
                    "give one row per ref, in the order of 'refs'",
                );
            }
            let mut negatives = 0usize;
            for (a, row) in rows.iter().enumerate() {
                if row.len() != n {
                    self.push(
                        "E1603",
                        format!("{mp}[{a}]"),
                        format!(
                            "row {a} of matrix '{mode}' has {} entries but refs has {n}; the matrix must be square",
                            row.len()
                        ),
                        "give one column per ref, in the order of 'refs'",
                    );
                }
                for (b, &x) in row.iter().enumerate() {
                    if x < 0 {
                        negatives += 1;
                        if negatives <= MAX_NEGATIVE_LISTED {
                            self.push(
                                "E1604",
                                format!("{mp}[{a}][{b}]"),
                                format!("travel time {x} in matrix '{mode}' is negative"),
                                "travel minutes must be 0 or more",
                            );
                        }
                    }
                }
            }
            if negatives > MAX_NEGATIVE_LISTED {
                self.push(
                    "E1604",
                    mp,
                    format!(
                        "matrix '{mode}' has {} more negative entries not listed",
                        negatives - MAX_NEGATIVE_LISTED
                    ),
                    "travel minutes must be 0 or more",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{After, Shift, TravelMatrix};
    use crate::parse::request_from_str;
    use chrono::NaiveTime;
    use std::collections::BTreeMap;

    const BASE: &str = r#"{
      "date": "2026-11-23",
      "settings": { "time_limit_seconds": 10, "seed": 1,
        "travel": { "detour_factor": 1.3,
                    "speed_kmh": { "drive": 40, "bike": 15, "walk": 4.8 },
                    "leg_overhead_minutes": { "drive": 3, "bike": 1, "walk": 0 } } },
      "carers": [
        { "id": "C01", "travel_mode": "drive",
          "shift": { "start": "07:00", "end": "15:00",
                     "break": { "earliest": "10:30", "latest": "12:30", "minutes": 20 } },
          "start_location": { "lat": 52.0565, "lon": -2.7160 },
          "end_location":   { "lat": 52.0700, "lon": -2.7000 },
          "skills": ["medication", "hoist"], "gender": "f" },
        { "id": "C02", "travel_mode": "bike",
          "shifts": [ { "start": "07:00", "end": "11:00" },
                      { "start": "14:00", "end": "18:00",
                        "break": { "earliest": "15:00", "latest": "16:00", "minutes": 15 } } ],
          "start_location": { "lat": 52.05, "lon": -2.72 }, "gender": "m" }
      ],
      "clients": [
        { "id": "P001", "location": { "lat": 52.0612, "lon": -2.7321 }, "priority": 3,
          "preferred_carers": ["C01"], "excluded_carers": ["C02"], "carer_gender": "f",
          "visits": [
            { "id": "P001-am", "window": { "start": "07:30", "end": "09:00" },
              "duration": 45, "carers_required": 2, "skills": ["hoist"] },
            { "id": "P001-lunch", "window": { "start": "12:00", "end": "13:30" },
              "duration": 30, "after": { "visit": "P001-am", "min_gap": 180 } } ] },
        { "id": "P002", "location": { "lat": 52.04, "lon": -2.71 },
          "visits": [
            { "id": "P002-pm", "window": { "start": "14:00", "end": "16:00" }, "duration": 30 } ] }
      ],
      "travel_matrix": null
    }"#;

    fn base() -> Request {
        request_from_str(BASE).expect("base request parses")
    }

    fn t(s: &str) -> NaiveTime {
        crate::model::hhmm::parse(s).unwrap()
    }

    /// A square matrix over `refs` for drive and walk.
    fn matrix_for(refs: &[&str]) -> TravelMatrix {
        let n = refs.len();
        let m: Vec<Vec<i64>> = (0..n)
            .map(|a| (0..n).map(|b| (a as i64 - b as i64).abs() * 5).collect())
            .collect();
        let mut minutes = BTreeMap::new();
        minutes.insert("drive".to_string(), m.clone());
        minutes.insert("walk".to_string(), m);
        TravelMatrix {
            refs: refs.iter().map(|s| s.to_string()).collect(),
            minutes,
        }
    }

    fn with_matrix() -> Request {
        let mut r = base();
        r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "C02", "P001", "P002"]));
        r
    }

    fn issues(r: &Request) -> Vec<Issue> {
        match validate(r) {
            Ok(()) => vec![],
            Err(Issues(v)) => v,
        }
    }

    #[track_caller]
    fn assert_has(r: &Request, code: &str, path: &str) {
        let got = issues(r);
        assert!(
            got.iter().any(|i| i.code == code && i.path == path),
            "expected {code} at {path}, got:\n{}",
            got.iter()
                .map(|i| format!("  {i}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        for i in &got {
            assert!(!i.message.is_empty() && !i.hint.is_empty(), "{i:?}");
        }
    }

    #[track_caller]
    fn assert_lacks(r: &Request, code: &str) {
        let got = issues(r);
        assert!(
            !got.iter().any(|i| i.code == code),
            "unexpected {code}: {got:?}"
        );
    }

    fn matrix(r: &mut Request) -> &mut TravelMatrix {
        r.travel_matrix.as_mut().unwrap()
    }

    fn drive(r: &mut Request) -> &mut Vec<Vec<i64>> {
        matrix(r).minutes.get_mut("drive").unwrap()
    }

    // ------------------------------------------------------------ clean

    #[test]
    fn base_request_is_valid() {
        assert_eq!(issues(&base()), vec![]);
    }

    #[test]
    fn base_request_with_matrix_is_valid() {
        assert_eq!(issues(&with_matrix()), vec![]);
    }

    #[test]
    fn end_ref_not_needed_when_end_equals_start() {
        let mut r = base();
        r.carers[0].end_location = None;
        r.travel_matrix = Some(matrix_for(&["C01", "C02", "P001", "P002"]));
        assert_eq!(issues(&r), vec![]);
        // Same location given explicitly: still not needed, and allowed.
        r.carers[0].end_location = Some(r.carers[0].start_location);
        assert_eq!(issues(&r), vec![]);
        r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "C02", "P001", "P002"]));
        assert_eq!(issues(&r), vec![]);
    }

    #[test]
    fn empty_request_is_valid() {
        let r = request_from_str(r#"{"date":"2026-11-23","carers":[],"clients":[]}"#).unwrap();
        assert_eq!(issues(&r), vec![]);
    }

    #[test]
    fn touching_shifts_are_allowed() {
        let mut r = base();
        let s = r.carers[1].shifts.as_mut().unwrap();
        s[1].start = t("11:00");
        s[1].brk = None;
        assert_eq!(issues(&r), vec![]);
    }

    // ------------------------------------------------------------ E11xx ids

    #[test]
    fn e1101_empty_ids() {
        let mut r = base();
        r.carers[1].id.clear();
        assert_has(&r, "E1101", "carers[1].id");
        let mut r = base();
        r.clients[1].id.clear();
        assert_has(&r, "E1101", "clients[1].id");
        let mut r = base();
        r.clients[1].visits[0].id.clear();
        assert_has(&r, "E1101", "clients[1].visits[0].id");
    }

    #[test]
    fn e1102_duplicate_carer_id() {
        let mut r = base();
        r.carers[1].id = "C01".into();
        assert_has(&r, "E1102", "carers[1].id");
        assert!(issues(&r)[0].message.contains("'C01'"));
    }

    #[test]
    fn e1103_duplicate_client_id() {
        let mut r = base();
        r.clients[1].id = "P001".into();
        assert_has(&r, "E1103", "clients[1].id");
    }

    #[test]
    fn e1104_duplicate_visit_id_across_clients() {
        let mut r = base();
        r.clients[1].visits[0].id = "P001-am".into();
        assert_has(&r, "E1104", "clients[1].visits[0].id");
        let mut r = base();
        r.clients[0].visits[1].id = "P001-am".into();
        r.clients[0].visits[1].after = None;
        assert_has(&r, "E1104", "clients[0].visits[1].id");
    }

    #[test]
    fn e1105_client_without_visits() {
        let mut r = base();
        r.clients[1].visits.clear();
        assert_has(&r, "E1105", "clients[1].visits");
    }

    #[test]
    fn e1106_carer_id_with_slash() {
        let mut r = base();
        r.carers[1].id = "C/02".into();
        assert_has(&r, "E1106", "carers[1].id");
    }

    #[test]
    fn e1107_client_id_equal_to_carer_ref() {
        let mut r = base();
        r.clients[1].id = "C02".into();
        assert_has(&r, "E1107", "clients[1].id");
        let mut r = base();
        r.clients[1].id = "C01/end".into();
        assert_has(&r, "E1107", "clients[1].id");
    }

    #[test]
    fn e1108_priority_zero() {
        let mut r = base();
        r.clients[0].priority = 0;
        assert_has(&r, "E1108", "clients[0].priority");
    }

    // ------------------------------------------------------------ E12xx times

    #[test]
    fn e1201_window_end_before_start() {
        let mut r = base();
        r.clients[0].visits[1].window.end = t("11:59");
        assert_has(&r, "E1201", "clients[0].visits[1].window");
    }

    #[test]
    fn e1202_duration_zero() {
        let mut r = base();
        r.clients[1].visits[0].duration = 0;
        assert_has(&r, "E1202", "clients[1].visits[0].duration");
    }

    #[test]
    fn e1203_duration_longer_than_day() {
        let mut r = base();
        r.clients[1].visits[0].duration = 1441;
        assert_has(&r, "E1203", "clients[1].visits[0].duration");
        assert_lacks(&r, "E1204");
    }

    #[test]
    fn e1204_visit_cannot_end_by_midnight() {
        let mut r = base();
        let v = &mut r.clients[1].visits[0];
        v.window.start = t("23:30");
        v.window.end = t("23:45");
        v.duration = 31;
        assert_has(&r, "E1204", "clients[1].visits[0]");
        // Ending exactly at midnight is fine.
        r.clients[1].visits[0].duration = 30;
        assert_lacks(&r, "E1204");
    }

    #[test]
    fn e1205_carers_required() {
        for n in [0, 3] {
            let mut r = base();
            r.clients[1].visits[0].carers_required = n;
            assert_has(&r, "E1205", "clients[1].visits[0].carers_required");
        }
    }

    #[test]
    fn e1206_min_gap_longer_than_day() {
        let mut r = base();
        r.clients[0].visits[1].after.as_mut().unwrap().min_gap = 1441;
        assert_has(&r, "E1206", "clients[0].visits[1].after.min_gap");
    }

    // ------------------------------------------------------------ E13xx travel

    #[test]
    fn e1301_unknown_travel_mode() {
        let mut r = base();
        r.carers[0].travel_mode = "car".into();
        assert_has(&r, "E1301", "carers[0].travel_mode");
        let i = &issues(&r)[0];
        assert!(i.message.contains("'car'"), "{i}");
        assert!(i.hint.contains("drive") && i.hint.contains("bike") && i.hint.contains("walk"));
    }

    #[test]
    fn e1302_unknown_speed_key() {
        let mut r = base();
        r.settings.travel.speed_kmh.insert("car".into(), 50.0);
        assert_has(&r, "E1302", "settings.travel.speed_kmh.car");
    }

    #[test]
    fn e1303_unknown_overhead_key() {
        let mut r = base();
        r.settings
            .travel
            .leg_overhead_minutes
            .insert("car".into(), 2);
        assert_has(&r, "E1303", "settings.travel.leg_overhead_minutes.car");
    }

    #[test]
    fn e1304_bad_speed() {
        for s in [0.0, -4.0, f64::NAN, f64::INFINITY] {
            let mut r = base();
            r.settings.travel.speed_kmh.insert("walk".into(), s);
            assert_has(&r, "E1304", "settings.travel.speed_kmh.walk");
        }
    }

    #[test]
    fn e1305_bad_overhead() {
        for o in [-1, 1441, i64::MIN, i64::MAX] {
            let mut r = base();
            r.settings
                .travel
                .leg_overhead_minutes
                .insert("bike".into(), o);
            assert_has(&r, "E1305", "settings.travel.leg_overhead_minutes.bike");
        }
    }

    #[test]
    fn e1306_bad_detour_factor() {
        for d in [0.99, 0.0, f64::NAN, f64::INFINITY] {
            let mut r = base();
            r.settings.travel.detour_factor = d;
            assert_has(&r, "E1306", "settings.travel.detour_factor");
        }
        let mut r = base();
        r.settings.travel.detour_factor = 1.0;
        assert_eq!(issues(&r), vec![]);
    }

    #[test]
    fn e1307_bad_time_limit() {
        for x in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let mut r = base();
            r.settings.time_limit_seconds = x;
            assert_has(&r, "E1307", "settings.time_limit_seconds");
        }
    }

    // ------------------------------------------------------------ E14xx shifts

    #[test]
    fn e1401_no_shift() {
        let mut r = base();
        r.carers[0].shift = None;
        assert_has(&r, "E1401", "carers[0]");
    }

    #[test]
    fn e1402_shift_and_shifts() {
        let mut r = base();
        r.carers[0].shifts = Some(vec![Shift {
            start: t("16:00"),
            end: t("20:00"),
            brk: None,
        }]);
        assert_has(&r, "E1402", "carers[0].shifts");
    }

    #[test]
    fn e1403_empty_shifts() {
        let mut r = base();
        r.carers[1].shifts = Some(vec![]);
        assert_has(&r, "E1403", "carers[1].shifts");
    }

    #[test]
    fn e1404_shift_end_not_after_start() {
        let mut r = base();
        r.carers[1].shifts.as_mut().unwrap()[0].end = t("07:00");
        assert_has(&r, "E1404", "carers[1].shifts[0]");
        let mut r = base();
        r.carers[0].shift.as_mut().unwrap().end = t("06:00");
        assert_has(&r, "E1404", "carers[0].shift");
    }

    #[test]
    fn e1405_overlapping_shifts() {
        let mut r = base();
        r.carers[1].shifts.as_mut().unwrap()[1].start = t("10:59");
        r.carers[1].shifts.as_mut().unwrap()[1].brk = None;
        assert_has(&r, "E1405", "carers[1].shifts[1]");
    }

    #[test]
    fn e1406_break_zero_minutes() {
        let mut r = base();
        r.carers[0]
            .shift
            .as_mut()
            .unwrap()
            .brk
            .as_mut()
            .unwrap()
            .minutes = 0;
        assert_has(&r, "E1406", "carers[0].shift.break.minutes");
    }

    #[test]
    fn e1407_break_longer_than_shift() {
        let mut r = base();
        r.carers[0]
            .shift
            .as_mut()
            .unwrap()
            .brk
            .as_mut()
            .unwrap()
            .minutes = 481;
        assert_has(&r, "E1407", "carers[0].shift.break.minutes");
    }

    #[test]
    fn e1408_break_latest_before_earliest() {
        let mut r = base();
        r.carers[0]
            .shift
            .as_mut()
            .unwrap()
            .brk
            .as_mut()
            .unwrap()
            .latest = t("10:00");
        assert_has(&r, "E1408", "carers[0].shift.break");
    }

    #[test]
    fn e1409_break_outside_shift() {
        let mut r = base();
        r.carers[0]
            .shift
            .as_mut()
            .unwrap()
            .brk
            .as_mut()
            .unwrap()
            .earliest = t("06:59");
        assert_has(&r, "E1409", "carers[0].shift.break.earliest");
        let mut r = base();
        r.carers[1].shifts.as_mut().unwrap()[1]
            .brk
            .as_mut()
            .unwrap()
            .latest = t("17:46");
        assert_has(&r, "E1409", "carers[1].shifts[1].break.latest");
        // latest + minutes == shift end is fine.
        r.carers[1].shifts.as_mut().unwrap()[1]
            .brk
            .as_mut()
            .unwrap()
            .latest = t("17:45");
        assert_eq!(issues(&r), vec![]);
    }

    // ------------------------------------------------------------ E15xx refs

    #[test]
    fn e1501_unknown_preferred_carer() {
        let mut r = base();
        r.clients[0].preferred_carers.push("C99".into());
        assert_has(&r, "E1501", "clients[0].preferred_carers[1]");
    }

    #[test]
    fn e1502_unknown_excluded_carer() {
        let mut r = base();
        r.clients[0].excluded_carers = vec!["C02".into(), "C07".into()];
        assert_has(&r, "E1502", "clients[0].excluded_carers[1]");
    }

    #[test]
    fn e1503_preferred_and_excluded() {
        let mut r = base();
        r.clients[0].excluded_carers.push("C01".into());
        assert_has(&r, "E1503", "clients[0].excluded_carers[1]");
    }

    #[test]
    fn e1504_after_unknown_visit() {
        let mut r = base();
        r.clients[0].visits[1].after.as_mut().unwrap().visit = "P001-xx".into();
        assert_has(&r, "E1504", "clients[0].visits[1].after.visit");
    }

    #[test]
    fn e1505_after_visit_of_other_client() {
        let mut r = base();
        r.clients[0].visits[1].after.as_mut().unwrap().visit = "P002-pm".into();
        assert_has(&r, "E1505", "clients[0].visits[1].after.visit");
        assert!(issues(&r)[0].message.contains("'P002'"));
    }

    #[test]
    fn e1506_after_itself() {
        let mut r = base();
        r.clients[0].visits[1].after.as_mut().unwrap().visit = "P001-lunch".into();
        assert_has(&r, "E1506", "clients[0].visits[1].after.visit");
        assert_lacks(&r, "E1507");
    }

    #[test]
    fn e1507_after_cycle() {
        let mut r = base();
        r.clients[0].visits[0].after = Some(After {
            visit: "P001-lunch".into(),
            min_gap: 0,
        });
        assert_has(&r, "E1507", "clients[0].visits[0].after.visit");
        assert_eq!(issues(&r).len(), 1, "one issue per cycle");
    }

    #[test]
    fn e1507_longer_cycle_reported_once() {
        let mut r = base();
        let v = r.clients[1].visits[0].clone();
        let mk = |id: &str, after: &str| {
            let mut w = v.clone();
            w.id = id.into();
            w.after = Some(After {
                visit: after.into(),
                min_gap: 10,
            });
            w
        };
        r.clients[1].visits = vec![mk("a", "c"), mk("b", "a"), mk("c", "b"), mk("d", "a")];
        let got = issues(&r);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].code, "E1507");
        assert_eq!(got[0].path, "clients[1].visits[0].after.visit");
    }

    #[test]
    fn e1508_empty_gender() {
        let mut r = base();
        r.clients[0].carer_gender = Some(String::new());
        assert_has(&r, "E1508", "clients[0].carer_gender");
        let mut r = base();
        r.carers[1].gender = Some(" ".into());
        assert_has(&r, "E1508", "carers[1].gender");
    }

    // ------------------------------------------------------------ E16xx matrix

    #[test]
    fn e1601_duplicate_ref() {
        let mut r = base();
        r.travel_matrix = Some(matrix_for(&[
            "C01", "C01/end", "C02", "P001", "P002", "C02",
        ]));
        assert_has(&r, "E1601", "travel_matrix.refs[5]");
    }

    #[test]
    fn e1602_unknown_matrix_mode() {
        let mut r = with_matrix();
        let m = matrix(&mut r).minutes["drive"].clone();
        matrix(&mut r).minutes.insert("car".into(), m);
        assert_has(&r, "E1602", "travel_matrix.minutes.car");
    }

    #[test]
    fn e1603_matrix_not_square() {
        let mut r = with_matrix();
        drive(&mut r)[2].pop();
        assert_has(&r, "E1603", "travel_matrix.minutes.drive[2]");
        let mut r = with_matrix();
        drive(&mut r).pop();
        assert_has(&r, "E1603", "travel_matrix.minutes.drive");
    }

    #[test]
    fn e1604_negative_entry() {
        let mut r = with_matrix();
        drive(&mut r)[2][3] = -1;
        assert_has(&r, "E1604", "travel_matrix.minutes.drive[2][3]");
    }

    #[test]
    fn e1604_many_negatives_are_capped() {
        let mut r = base();
        let n = 60;
        let refs: Vec<String> = (0..n).map(|k| format!("R{k}")).collect();
        let mut minutes = BTreeMap::new();
        minutes.insert("walk".to_string(), vec![vec![-5i64; n]; n]);
        r.travel_matrix = Some(TravelMatrix { refs, minutes });
        let got = issues(&r);
        let neg = got.iter().filter(|i| i.code == "E1604").count();
        assert_eq!(neg, MAX_NEGATIVE_LISTED + 1);
        assert_has(&r, "E1604", "travel_matrix.minutes.walk");
    }

    #[test]
    fn e1605_ref_names_nothing() {
        let mut r = base();
        r.travel_matrix = Some(matrix_for(&[
            "C01", "C01/end", "C02", "P001", "P002", "P003", "C03/end", "/end", "",
        ]));
        assert_has(&r, "E1605", "travel_matrix.refs[5]");
        assert_has(&r, "E1605", "travel_matrix.refs[6]");
        assert_has(&r, "E1605", "travel_matrix.refs[7]");
        assert_has(&r, "E1605", "travel_matrix.refs[8]");
    }

    #[test]
    fn e1606_missing_refs() {
        let mut r = base();
        r.travel_matrix = Some(matrix_for(&["C01", "C02", "P001", "P002"]));
        assert_has(&r, "E1606", "travel_matrix.refs");
        assert!(issues(&r)[0].message.contains("'C01/end'"));
        let mut r = base();
        r.travel_matrix = Some(matrix_for(&["C01", "C01/end", "P001"]));
        let got = issues(&r);
        let missing: Vec<_> = got.iter().filter(|i| i.code == "E1606").collect();
        assert_eq!(missing.len(), 2, "{got:?}");
        assert!(missing[0].message.contains("'C02'"));
        assert!(missing[1].message.contains("'P002'"));
    }

    // ------------------------------------------------------------ E17xx locations

    #[test]
    fn e1701_non_finite_coordinate() {
        let mut r = base();
        r.clients[1].location.lat = f64::NAN;
        assert_has(&r, "E1701", "clients[1].location.lat");
        let mut r = base();
        r.carers[0].start_location.lon = f64::NEG_INFINITY;
        assert_has(&r, "E1701", "carers[0].start_location.lon");
    }

    #[test]
    fn e1702_latitude_out_of_range() {
        let mut r = base();
        r.clients[0].location.lat = 90.5;
        assert_has(&r, "E1702", "clients[0].location.lat");
    }

    #[test]
    fn e1703_longitude_out_of_range() {
        let mut r = base();
        r.carers[0].end_location.as_mut().unwrap().lon = -180.01;
        assert_has(&r, "E1703", "carers[0].end_location.lon");
    }

    // ------------------------------------------------------------ together

    #[test]
    fn several_problems_are_all_reported_in_document_order() {
        let mut r = with_matrix();
        r.settings.travel.speed_kmh.insert("car".into(), 50.0);
        r.carers[0].travel_mode = "car".into();
        r.carers[1].shifts = Some(vec![]);
        r.clients[0].priority = 0;
        r.clients[0].visits[1].window.end = t("11:00");
        r.clients[1].visits[0].id = "P001-am".into();
        r.clients[1].location.lon = 200.0;
        drive(&mut r)[0][1] = -3;
        let got: Vec<(&str, String)> = issues(&r).into_iter().map(|i| (i.code, i.path)).collect();
        let want: Vec<(&str, String)> = [
            ("E1302", "settings.travel.speed_kmh.car"),
            ("E1301", "carers[0].travel_mode"),
            ("E1403", "carers[1].shifts"),
            ("E1108", "clients[0].priority"),
            ("E1201", "clients[0].visits[1].window"),
            ("E1703", "clients[1].location.lon"),
            ("E1104", "clients[1].visits[0].id"),
            ("E1604", "travel_matrix.minutes.drive[0][1]"),
        ]
        .iter()
        .map(|(c, p)| (*c, p.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn output_is_deterministic() {
        let mut r = with_matrix();
        for c in &mut r.carers {
            c.id = "X".into();
        }
        for cl in &mut r.clients {
            cl.id = "Y".into();
            cl.preferred_carers = vec!["a".into(), "b".into(), "c".into()];
        }
        let a = issues(&r);
        assert!(!a.is_empty());
        for _ in 0..5 {
            assert_eq!(issues(&r), a);
        }
    }

    // ------------------------------------------------------------ weird values

    #[test]
    fn weird_values_do_not_panic() {
        let mut r = with_matrix();
        r.settings.time_limit_seconds = f64::NAN;
        r.settings.travel.detour_factor = f64::NEG_INFINITY;
        r.settings
            .travel
            .speed_kmh
            .insert("drive".into(), f64::INFINITY);
        r.settings.travel.speed_kmh.insert(String::new(), f64::NAN);
        r.settings
            .travel
            .leg_overhead_minutes
            .insert("walk".into(), i64::MIN);
        for c in &mut r.carers {
            c.id.clear();
            c.travel_mode.clear();
            c.start_location = Location {
                lat: f64::NAN,
                lon: f64::INFINITY,
            };
            c.end_location = Some(Location {
                lat: f64::MAX,
                lon: f64::MIN,
            });
            if let Some(s) = &mut c.shift {
                s.brk.as_mut().unwrap().minutes = u32::MAX;
            }
        }
        for cl in &mut r.clients {
            cl.priority = u32::MAX;
            cl.location.lat = f64::NAN;
            for v in &mut cl.visits {
                v.duration = u32::MAX;
                v.carers_required = u32::MAX;
                v.window.start = t("23:59");
                v.after = Some(After {
                    visit: String::new(),
                    min_gap: u32::MAX,
                });
            }
        }
        let m = matrix(&mut r);
        m.refs.clear();
        m.minutes
            .insert("bike".into(), vec![vec![], vec![i64::MIN, i64::MAX]]);
        assert!(validate(&r).is_err());
    }

    #[test]
    fn empty_lists_do_not_panic() {
        let mut r = base();
        r.carers[0].shift = None;
        r.carers[0].shifts = Some(vec![]);
        r.clients[0].visits.clear();
        r.clients[1].visits.clear();
        r.travel_matrix = Some(TravelMatrix {
            refs: vec![],
            minutes: BTreeMap::new(),
        });
        let got = issues(&r);
        assert!(got.iter().any(|i| i.code == "E1606"));
        let mut r = base();
        r.carers.clear();
        r.clients.clear();
        r.travel_matrix = Some(TravelMatrix {
            refs: vec![],
            minutes: [("drive".to_string(), vec![])].into_iter().collect(),
        });
        assert_eq!(issues(&r), vec![]);
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/validation.md");
        let src = include_str!("validate.rs");
        let mut n = 0;
        for (k, _) in src.match_indices("\"E1") {
            let code = &src[k + 1..k + 6];
            if code.bytes().skip(1).all(|b| b.is_ascii_digit()) {
                n += 1;
                assert!(
                    doc.contains(&format!("| {code} ")),
                    "{code} not in docs/validation.md"
                );
            }
        }
        assert!(n > 40);
    }
}
