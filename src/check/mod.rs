//! The independent plan checker: re-derives every rule of the contract
//! (`shared/spec/format.md`) from the request and the plan alone. It uses only
//! the serde types of [`crate::model`] and computes travel and time itself
//! (see [`travel`]); it never calls the solver's modules, so a solver bug
//! cannot hide behind the same bug in the checker.
//!
//! The request is assumed valid; the plan may be anything that parses (unknown
//! ids, duplicated stops, times out of order, absurd numbers): every problem
//! is reported as a [`Violation`], the checker never panics.
//!
//! Rule ids (stable; [`Violation::rule`]):
//!
//! | id                | what is checked |
//! |-------------------|-----------------|
//! | `date`            | plan date equals request date |
//! | `round-carer`     | a round names a known carer, one of its shifts (start and end) and its travel mode; no round twice; every carer-shift has a round |
//! | `visit-id`        | a visit stop names a known visit of the stated client; a visit at most once per round |
//! | `carers-required` | a served visit is in exactly `carers_required` rounds of distinct carers |
//! | `eligibility`     | each carer of a visit holds its skills, matches `carer_gender`, is not excluded |
//! | `duration`        | a visit stop lasts exactly the visit's `duration` |
//! | `window`          | a visit starts within its window (inclusive) |
//! | `travel`          | a stop's `travel_minutes` is the contract's travel time from the previous visit (or start location) |
//! | `sequence`        | `arrive <= start`; visits in time order without overlap; arrival no earlier than previous end + travel |
//! | `shift`           | leave the start location at or after shift start; visits and return no later than shift end |
//! | `return`          | `return` null iff no visits; return >= last end + travel home (+ break after the last visit) |
//! | `break`           | exactly one break per round with visits iff the shift has one; its length, its start in [earliest, latest]; it fits in the gap between stops without overlapping travel |
//! | `double-up`       | all carers of a visit start and end it at the same minute; `with` lists exactly the other carers |
//! | `after-gap`       | an `after` visit starts >= the named visit's start + `min_gap` (and, with the extension `max_gap`, <= its start + `max_gap`), and the named visit is served |
//! | `whole-client`    | a served client has all its visits served |
//! | `accounting`      | every client exactly once: in rounds or in `unserved` (known client, listed once, >= 1 reason with code and message) |
//! | `round-figures`   | round `travel_minutes` = stops' travel + return leg; round `care_minutes` = its visits' durations |
//! | `summary`         | summary figures recomputed; `upper_bound_priority` >= priority served; `solve_seconds` finite and >= 0 |
//! | `key-figures`     | the optional `summary.key_figures` recomputed: hours delivered, rounds used, continuity share, early/late shift load, each round's care/travel/break/idle minutes and shares |
//! | `lock`            | (extension) every lock of the request is kept: the visit is in a round of the locked carer, at the locked start if one is given |
//! | `absence`         | (extension) a carer in `summary.replan.absences` has no visit or break starting at or after their `from` (and may skip a break whose latest start is at or after it: rule `break`) |
//! | `continuity-kept` | (extension) with a `previous_plan`: summary `continuity_kept` is present and counts the visit-carer assignments whose carer visited the same client in it |
//! | `lateness`        | (extension) a visit stop's `late_minutes` is the minutes it starts after its `window.due` (absent when on time or without a due); summary `lateness` is present iff the request has a due and counts the late calls (a double-up once), their minutes and the largest |
//! | `starts-with`     | (extension) two visits that start together (`starts_with`), both served, start at the same minute by two different carers; each of their stops names the other visit and its carer in `starts_with`, and no other stop has one |
//!
//! With a `previous_plan`, a carer who visited a client in it counts as
//! preferred for `continuity_assignments` (docs/continuity.md).

mod absences;
mod assign;
mod continuity;
mod double_up;
mod figures;
mod lateness;
mod locks;
mod rounds;
mod starts_with;
pub(crate) mod travel;

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveTime;
use serde::Serialize;

use crate::model::{Carer, Client, Plan, Request, Visit};

/// One broken rule: a stable rule id and a message naming the carer, the
/// visit or client and the times involved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.rule, self.message)
    }
}

/// Everything wrong with a plan, in a deterministic order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub violations: Vec<Violation>,
}

impl CheckReport {
    /// True when the plan breaks no rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The distinct rule ids violated, in order of first occurrence.
    pub fn rules(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for v in &self.violations {
            if !out.contains(&v.rule) {
                out.push(v.rule);
            }
        }
        out
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_valid() {
            return writeln!(f, "plan is valid");
        }
        writeln!(f, "{} violation(s):", self.violations.len())?;
        for v in &self.violations {
            writeln!(f, "  {v}")?;
        }
        Ok(())
    }
}

/// Check `plan` against every rule of the contract for `request`.
pub fn check(request: &Request, plan: &Plan) -> CheckReport {
    let mut ctx = Ctx::new(request);
    ctx.absent = absences::absent_from(plan);
    let mut out = Out::default();
    if plan.date != request.date {
        out.push(
            "date",
            format!(
                "plan date {} differs from request date {}",
                plan.date, request.date
            ),
        );
    }
    let walked = rounds::check_rounds(&ctx, plan, &mut out);
    assign::check_assignments(&ctx, plan, &walked, &mut out);
    locks::check_locks(&ctx, &walked, &mut out);
    continuity::check_continuity(&ctx, plan, &walked, &mut out);
    lateness::check_lateness(&ctx, plan, &walked, &mut out);
    starts_with::check_starts_with(&ctx, &walked, &mut out);
    absences::check_absences(&ctx.absent, plan, &mut out);
    CheckReport { violations: out.0 }
}

/// Lookups over the request, built once.
pub(crate) struct Ctx<'a> {
    pub req: &'a Request,
    pub carers: HashMap<&'a str, &'a Carer>,
    pub clients: HashMap<&'a str, &'a Client>,
    pub visits: HashMap<&'a str, (&'a Client, &'a Visit)>,
    pub travel: travel::Travel<'a>,
    /// (client, carer) pairs of the request's `previous_plan` (extension):
    /// such a carer counts as preferred for the client.
    pub yesterday: HashSet<(&'a str, &'a str)>,
    /// Carer -> minute from which they are absent (the plan's
    /// `summary.replan.absences`, extension).
    pub absent: HashMap<&'a str, i64>,
}

impl<'a> Ctx<'a> {
    fn new(req: &'a Request) -> Self {
        let carers = req.carers.iter().map(|c| (c.id.as_str(), c)).collect();
        let clients = req.clients.iter().map(|c| (c.id.as_str(), c)).collect();
        let visits = req
            .clients
            .iter()
            .flat_map(|c| c.visits.iter().map(move |v| (v.id.as_str(), (c, v))))
            .collect();
        let mut yesterday = HashSet::new();
        for r in req.previous_plan.iter().flat_map(|p| p.rounds.iter()) {
            for s in &r.stops {
                if let crate::model::Stop::Visit(v) = s {
                    yesterday.insert((v.client.as_str(), r.carer.as_str()));
                }
            }
        }
        Ctx {
            req,
            carers,
            clients,
            visits,
            travel: travel::Travel::new(req),
            yesterday,
            absent: HashMap::new(),
        }
    }
}

/// Collected violations.
#[derive(Default)]
pub(crate) struct Out(Vec<Violation>);

impl Out {
    pub fn push(&mut self, rule: &'static str, message: String) {
        self.0.push(Violation { rule, message });
    }
}

/// Whole minutes since midnight.
pub(crate) fn mins(t: NaiveTime) -> i64 {
    i64::from(crate::model::minutes_of_day(t))
}

/// `HH:MM` of a minute count; values outside the day stay readable
/// (`-00:05`, `24:10`) instead of panicking.
pub(crate) fn hm(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let a = m.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hm_formats_any_minute() {
        assert_eq!(hm(0), "00:00");
        assert_eq!(hm(7 * 60 + 5), "07:05");
        assert_eq!(hm(1450), "24:10");
        assert_eq!(hm(-5), "-00:05");
    }

    #[test]
    fn report_lists_rules_once() {
        let mut out = Out::default();
        out.push("window", "a".into());
        out.push("travel", "b".into());
        out.push("window", "c".into());
        let r = CheckReport { violations: out.0 };
        assert!(!r.is_valid());
        assert_eq!(r.rules(), vec!["window", "travel"]);
        assert!(CheckReport::default().is_valid());
    }
}
