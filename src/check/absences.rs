//! Rule `absence` (extension, docs/replan.md, "Absences"): a carer listed in
//! the plan's `summary.replan.absences` does nothing from their `from` on:
//! no visit and no break of theirs starts then or later. (That their break
//! may then be missing is part of rule `break`, in `rounds.rs`: a break
//! whose latest start is at or after the absence is waived.) Like the rest
//! of the checker, this reads only the request and the plan.

use std::collections::HashMap;

use super::{Out, hm, mins};
use crate::model::{Plan, Stop};

/// Carer id -> minute from which they are absent (the earliest when listed
/// twice), from the plan's `summary.replan.absences`.
pub(crate) fn absent_from(plan: &Plan) -> HashMap<&str, i64> {
    let mut out: HashMap<&str, i64> = HashMap::new();
    for a in plan.summary.replan.iter().flat_map(|r| r.absences.iter()) {
        let f = mins(a.from);
        out.entry(a.carer.as_str())
            .and_modify(|x| *x = (*x).min(f))
            .or_insert(f);
    }
    out
}

pub(crate) fn check_absences(absent: &HashMap<&str, i64>, plan: &Plan, out: &mut Out) {
    for round in &plan.rounds {
        let Some(&from) = absent.get(round.carer.as_str()) else {
            continue;
        };
        for s in &round.stops {
            let (what, start) = match s {
                Stop::Visit(v) => (format!("visit {}", v.visit), mins(v.start)),
                Stop::Break(b) => ("a break".to_string(), mins(b.start)),
            };
            if start >= from {
                out.push(
                    "absence",
                    format!(
                        "round {} {}-{}: {what} starts {}, but {} is absent from {}",
                        round.carer,
                        hm(mins(round.shift.start)),
                        hm(mins(round.shift.end)),
                        hm(start),
                        round.carer,
                        hm(from)
                    ),
                );
            }
        }
    }
}
