//! E16xx: the request's `travel_matrix` (references, sizes, entries).

use super::*;

/// Whether a matrix ref names a client, a carer or "<carer id>/end".
fn ref_names(s: &str, client_ids: &HashSet<&str>, carer_ids: &HashSet<&str>) -> bool {
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
}

impl Validator {
    /// Checks the `travel_matrix`: its refs, the refs it lacks, then each mode's matrix.
    pub(super) fn matrix(&mut self, r: &Request, m: &TravelMatrix) {
        let n = m.refs.len();
        let client_ids: HashSet<&str> = r.clients.iter().map(|c| c.id.as_str()).collect();
        let carer_ids: HashSet<&str> = r.carers.iter().map(|c| c.id.as_str()).collect();
        let first = self.matrix_refs(m, &client_ids, &carer_ids);
        self.matrix_missing(r, &first, &client_ids, &carer_ids);
        for (mode, rows) in &m.minutes {
            self.matrix_mode(mode, rows, n);
        }
    }

    /// E1601/E1605 on each ref; returns where each distinct ref is first listed.
    fn matrix_refs<'m>(
        &mut self,
        m: &'m TravelMatrix,
        client_ids: &HashSet<&str>,
        carer_ids: &HashSet<&str>,
    ) -> HashMap<&'m str, usize> {
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
            if !ref_names(rf, client_ids, carer_ids) {
                self.push(
                    "E1605",
                    path,
                    format!("ref '{rf}' names no client, carer or \"<carer id>/end\""),
                    "use a client id, a carer id (start location) or \"<carer id>/end\" (end location)",
                );
            }
        }
        first
    }

    /// E1606 for each location missing from the refs, in document order (carers, then clients).
    fn matrix_missing(
        &mut self,
        r: &Request,
        first: &HashMap<&str, usize>,
        client_ids: &HashSet<&str>,
        carer_ids: &HashSet<&str>,
    ) {
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
    }

    /// E1602-E1604 for one mode's matrix of `n` refs: its mode, its size, negative entries.
    fn matrix_mode(&mut self, mode: &str, rows: &[Vec<i64>], n: usize) {
        let mp = format!("travel_matrix.minutes.{mode}");
        if !MODES.contains(&mode) {
            self.push(
                "E1602",
                mp,
                format!("unknown travel mode '{mode}' in travel_matrix.minutes"),
                format!("use one of {} as keys", allowed_modes()),
            );
            return;
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
