//! Carers: ids (E11xx), travel modes, shifts and breaks (E14xx).

use super::*;

impl Validator {
    pub(super) fn carers(&mut self, r: &Request) {
        // E1109, a warning: the contract allows a day with no carers (the
        // plan lists every client unserved, with reasons), but it is most
        // likely a mistake; said once, here, before any client's warning
        // (those that only follow from it, E1501/E1502, are not given). A
        // request with no clients either has nothing to serve: no warning.
        if r.carers.is_empty() && !r.clients.is_empty() {
            self.push(
                "E1109",
                "carers",
                format!(
                    "the request has no carers: no client can be served (all {} client(s) are listed unserved)",
                    r.clients.len()
                ),
                "give the day's carers, each with a shift and a start location; a day with nobody working needs no plan (--strict or settings.strict refuses the request instead)",
            );
        }
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
}
