//! Continuity across days (extension, `docs/continuity.md`): only the date
//! of the request's `previous_plan` is validated (E1901): a previous plan
//! must be for an earlier day. Its clients, visits and carers that are not
//! in today's request are ignored (people are discharged, carers go on
//! leave; yesterday's plan is history, not a request to check).

use crate::error::Issue;
use crate::model::Request;

/// E1901 when `previous_plan` is not for a day before the request's date.
pub fn validate(req: &Request) -> Vec<Issue> {
    match &req.previous_plan {
        Some(prev) if prev.date >= req.date => vec![Issue::new(
            "E1901",
            "previous_plan.date",
            format!(
                "previous_plan is for {}, not a day before the request's date {}",
                prev.date, req.date
            ),
            "give the plan of an earlier day (yesterday's), not today's or a later one",
        )],
        _ => Vec::new(),
    }
}
