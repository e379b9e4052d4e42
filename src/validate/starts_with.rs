//! Visits that start together (extension, docs/format.md "Visits that start
//! together"): a visit's `starts_with` names another visit of the same
//! client (E1210-E1212); both need one carer each (E1213); a visit is in
//! at most one pair, so a pair is declared on one of its two visits and
//! there are no chains (E1214); no `after` between the two (E1215).

use super::*;
use crate::model::Visit;

impl Validator {
    /// E1210-E1215 on the `starts_with` of client `cl`'s visits (at `p`).
    pub(super) fn starts_with(
        &mut self,
        p: &str,
        cl: &Client,
        all: &[Client],
        visit_first: &HashMap<&str, (usize, usize)>,
        local: &HashMap<&str, usize>,
    ) {
        // Visit index -> the visit whose `starts_with` put it in a pair.
        let mut paired: HashMap<usize, usize> = HashMap::new();
        for (k, v) in cl.visits.iter().enumerate() {
            let Some(w) = &v.starts_with else { continue };
            let sp = format!("{p}.visits[{k}].starts_with");
            let Some(t) = self.partner(&sp, k, cl, v, &w.visit, all, visit_first, local) else {
                continue;
            };
            let other = &cl.visits[t];
            let needs: Vec<String> = [v, other]
                .iter()
                .filter(|x| x.carers_required != 1)
                .map(|x| format!("'{}' needs {}", x.id, x.carers_required))
                .collect();
            if !needs.is_empty() {
                self.push(
                    "E1213",
                    sp.clone(),
                    format!(
                        "visit '{}' starts together with visit '{}', but {} carers: each of two visits that start together is done by one carer",
                        v.id,
                        other.id,
                        needs.join(" and ")
                    ),
                    "give both visits carers_required 1 (two carers at one call for one duration is a double-up: one visit with carers_required 2)",
                );
            }
            let after_names =
                |x: &Visit, y: &Visit| x.after.as_ref().is_some_and(|a| a.visit == y.id);
            if after_names(v, other) || after_names(other, v) {
                let (later, earlier) = if after_names(v, other) {
                    (v, other)
                } else {
                    (other, v)
                };
                self.push(
                    "E1215",
                    sp.clone(),
                    format!(
                        "visit '{}' starts together with visit '{}', and visit '{}' also comes 'after' visit '{}': two visits that start together have no gap between them",
                        v.id, other.id, later.id, earlier.id
                    ),
                    "remove the 'after' between the two, or the starts_with",
                );
            }
            let taken = [k, t]
                .into_iter()
                .find_map(|x| paired.get(&x).map(|&d| (x, d)));
            match taken {
                Some((x, d)) => {
                    let declared = &cl.visits[d];
                    let partner = declared
                        .starts_with
                        .as_ref()
                        .map_or("", |s| s.visit.as_str());
                    self.push(
                        "E1214",
                        format!("{sp}.visit"),
                        format!(
                            "visit '{}' is already in a starts_with pair ('{}' starts with '{partner}', at {p}.visits[{d}].starts_with), so '{}' cannot also start with '{}'",
                            cl.visits[x].id, declared.id, v.id, other.id
                        ),
                        "a visit starts together with at most one other: declare each pair once, on one of its two visits, and do not chain pairs",
                    );
                }
                None => {
                    paired.insert(k, k);
                    paired.insert(t, k);
                }
            }
        }
    }

    /// E1210-E1212: the visit `starts_with` names (at `sp`), as an index
    /// into the client's visits, when it is another visit of this client.
    #[allow(clippy::too_many_arguments)]
    fn partner(
        &mut self,
        sp: &str,
        k: usize,
        cl: &Client,
        v: &Visit,
        named: &str,
        all: &[Client],
        visit_first: &HashMap<&str, (usize, usize)>,
        local: &HashMap<&str, usize>,
    ) -> Option<usize> {
        let path = format!("{sp}.visit");
        if !v.id.is_empty() && named == v.id {
            self.push(
                "E1212",
                path,
                format!("visit '{}' is set to start together with itself", v.id),
                "name another visit of the same client, or remove 'starts_with'",
            );
        } else if let Some(&t) = local.get(named) {
            if t != k {
                return Some(t);
            }
        } else if let Some(&(fi, _)) = visit_first.get(named) {
            let owner = all.get(fi).map_or("", |c| c.id.as_str());
            self.push(
                "E1211",
                path,
                format!(
                    "visit '{}' of client '{}' starts together with visit '{named}', which belongs to client '{owner}' (clients[{fi}])",
                    v.id, cl.id
                ),
                "'starts_with' must name a visit of the same client",
            );
        } else {
            self.push(
                "E1210",
                path,
                format!(
                    "visit '{}' starts together with visit '{named}', which does not exist",
                    v.id
                ),
                "name the id of a visit of the same client, or remove 'starts_with'",
            );
        }
        None
    }
}
