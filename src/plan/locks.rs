//! Locks in a finished plan (extension, `docs/locks.md`): the locks a
//! solver could not keep together are the request's fault (E1812), so the
//! pipeline refuses the plan with them rather than return it.

use std::collections::HashMap;

use crate::error::Issue;
use crate::model::{Plan, Request, Stop, minutes_of_day};

/// The locks `plan` does not keep, as E1812 issues: the solver could not
/// place them together with everything else that is locked. Empty when every
/// lock holds.
pub fn unplaced(req: &Request, plan: &Plan) -> Vec<Issue> {
    let mut done: HashMap<(&str, &str), i64> = HashMap::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                done.insert(
                    (v.visit.as_str(), r.carer.as_str()),
                    i64::from(minutes_of_day(v.start)),
                );
            }
        }
    }
    let mut out = Vec::new();
    for (i, l) in req.locks.iter().enumerate() {
        let kept = match done.get(&(l.visit.as_str(), l.carer.as_str())) {
            None => false,
            Some(&s) => l.start.is_none_or(|t| i64::from(minutes_of_day(t)) == s),
        };
        if !kept {
            out.push(Issue::new(
                "E1812",
                format!("locks[{i}]"),
                format!(
                    "lock {i} (visit '{}' with carer '{}'{}) could not be placed together with the other locks and the rest of the day",
                    l.visit,
                    l.carer,
                    l.start
                        .map(|t| format!(" at {}", t.format("%H:%M")))
                        .unwrap_or_default()
                ),
                "remove or change this lock (or others on the same carer or client): its client's visits cannot all be fitted around it",
            ));
        }
    }
    out
}
