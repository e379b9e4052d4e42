//! Clients and their visits: ids and priorities (E11xx), windows and
//! durations (E12xx), references between ids (E15xx), `after` chains, and
//! locations (E17xx).

use super::*;
use crate::model::{After, Visit};

impl Validator {
    pub(super) fn clients(&mut self, r: &Request) {
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
            self.gender_case(&p, cl, &r.carers);
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

    /// E1501-E1503 are warnings (`crate::error::WARNING_CODES`): a carer
    /// not in `carers` is not working that day, so a preference for them
    /// simply cannot be met and an exclusion has nothing to exclude; a carer
    /// both preferred and excluded is excluded.
    /// With no carers at all (E1109, said once), E1501 and E1502 would only
    /// repeat it for every client, so they are not given.
    fn carer_lists(&mut self, p: &str, cl: &Client, carer_ids: &HashSet<&str>) {
        let no_carers = carer_ids.is_empty();
        for (k, id) in cl.preferred_carers.iter().enumerate() {
            if !no_carers && !carer_ids.contains(id.as_str()) {
                self.push(
                    "E1501",
                    format!("{p}.preferred_carers[{k}]"),
                    format!(
                        "client '{}' prefers carer '{id}', who is not in this day's 'carers': planned without that preference",
                        cl.id
                    ),
                    "nothing to do if the carer is not working that day; otherwise correct the id (--strict or settings.strict refuses the request instead)",
                );
            }
        }
        for (k, id) in cl.excluded_carers.iter().enumerate() {
            let path = format!("{p}.excluded_carers[{k}]");
            if !no_carers && !carer_ids.contains(id.as_str()) {
                self.push(
                    "E1502",
                    path.clone(),
                    format!(
                        "client '{}' excludes carer '{id}', who is not in this day's 'carers': nothing to exclude",
                        cl.id
                    ),
                    "nothing to do if the carer is not working that day; otherwise correct the id (--strict or settings.strict refuses the request instead)",
                );
            }
            if cl.preferred_carers.contains(id) {
                self.push(
                    "E1503",
                    path,
                    format!(
                        "client '{}' both prefers and excludes carer '{id}': the exclusion wins, '{id}' will not visit",
                        cl.id
                    ),
                    "remove the carer from one of 'preferred_carers' and 'excluded_carers'",
                );
            }
        }
    }

    /// E1509 (warning): `carer_gender` is compared exactly, so "F" matches
    /// no carer of gender "f". Reported when no carer matches exactly but
    /// some match ignoring case and surrounding spaces.
    fn gender_case(&mut self, p: &str, cl: &Client, carers: &[Carer]) {
        let Some(want) = &cl.carer_gender else {
            return;
        };
        if want.trim().is_empty() || carers.iter().any(|c| c.gender.as_ref() == Some(want)) {
            return;
        }
        let near: Vec<(&str, &str)> = carers
            .iter()
            .filter_map(|c| {
                let g = c.gender.as_deref()?;
                g.trim()
                    .eq_ignore_ascii_case(want.trim())
                    .then_some((c.id.as_str(), g))
            })
            .collect();
        let Some(&(first_id, first_g)) = near.first() else {
            return;
        };
        self.push(
            "E1509",
            format!("{p}.carer_gender"),
            format!(
                "client '{}' asks for carer gender \"{want}\", which no carer has exactly; {} carer(s) have \"{first_g}\" (e.g. '{first_id}'), and the comparison is exact (case and spaces count), so they cannot visit",
                cl.id,
                near.len()
            ),
            format!("write the gender the same way in the client and the carers (e.g. \"{first_g}\")"),
        );
    }

    /// Checks each visit of client `cl` (at `clients[i]`), then its `after`
    /// cycles and its `starts_with` pairs (`starts_with.rs`).
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
            self.visit_id(&vp, i, k, cl, v, visit_first);
            // window and duration
            self.visit_timing(&vp, v);
            // after
            if let Some(a) = &v.after {
                next[k] = self.visit_after(&vp, k, cl, v, a, all, visit_first, &local);
            }
        }
        self.after_cycles(p, cl, &next);
        self.starts_with(p, cl, all, visit_first, &local);
    }

    /// E1101/E1104: visit `k` of client `clients[i]` has a non-empty id used nowhere before.
    fn visit_id(
        &mut self,
        vp: &str,
        i: usize,
        k: usize,
        cl: &Client,
        v: &Visit,
        visit_first: &HashMap<&str, (usize, usize)>,
    ) {
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
    }

    /// E1201-E1205, E1207: a visit's window (and its `due`), duration and
    /// number of carers (E1205 in `double_up.rs`).
    fn visit_timing(&mut self, vp: &str, v: &Visit) {
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
        } else if let Some(due) = v.window.due
            && !(ws..=we).contains(&mins(due))
        {
            self.push(
                "E1207",
                format!("{vp}.window.due"),
                format!(
                    "visit '{}' is due at {}, outside its window {}-{}",
                    v.id,
                    hhmm(due),
                    hhmm(v.window.start),
                    hhmm(v.window.end)
                ),
                "give a due time from window.start to window.end; the window stays the hard limit and due only marks when the call counts as late",
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
                vp,
                format!(
                    "visit '{}' starts at {} at the earliest and lasts {d} minutes, so it cannot end by 24:00",
                    v.id,
                    hhmm(v.window.start)
                ),
                "move the window earlier or shorten the duration; a visit must end by midnight",
            );
        }
        self.carers_required(vp, v);
    }

    /// E1206, E1208-E1209, E15xx on visit `k`'s `after`; returns its same-client target index, if another visit.
    #[allow(clippy::too_many_arguments)]
    fn visit_after(
        &mut self,
        vp: &str,
        k: usize,
        cl: &Client,
        v: &Visit,
        a: &After,
        all: &[Client],
        visit_first: &HashMap<&str, (usize, usize)>,
        local: &HashMap<&str, usize>,
    ) -> Option<usize> {
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
        self.max_gap(&ap, v, a);
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
                return Some(t);
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
        None
    }

    /// E1208-E1209: `after.max_gap` (extension, docs/format.md "Largest
    /// gaps") is at most a day and no shorter than `min_gap`.
    fn max_gap(&mut self, ap: &str, v: &Visit, a: &After) {
        let Some(max) = a.max_gap else { return };
        if i64::from(max) > DAY {
            self.push(
                "E1208",
                format!("{ap}.max_gap"),
                format!(
                    "visit '{}' has max_gap {max} minutes, longer than a day ({DAY})",
                    v.id
                ),
                "give the largest gap between the two visit starts in minutes, at most 1440, or leave max_gap out",
            );
        } else if max < a.min_gap {
            self.push(
                "E1209",
                format!("{ap}.max_gap"),
                format!(
                    "visit '{}' has max_gap {max} minutes, shorter than its min_gap {} minutes, so no start can keep both",
                    v.id, a.min_gap
                ),
                "make max_gap at least min_gap (equal fixes the gap)",
            );
        }
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

    pub(super) fn location(&mut self, p: &str, l: &Location) {
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
}
