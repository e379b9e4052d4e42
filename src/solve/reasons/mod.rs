//! Reason codes for unserved clients, most specific first
//! (docs/reasons.md).
//!
//! Static reasons hold for any plan (no carer could ever do a visit): each is
//! a proof from a relaxation. When none applies, the client was left out for
//! `CAPACITY`, derived from the final plan: eligible carers exist but are
//! booked when its visit could happen; the reason names their calls then and,
//! where one exists, the smallest extra round (cloned from an eligible
//! carer's) that lets the client into this very plan.

mod capacity;
mod static_;
mod unserved;

use std::collections::BTreeSet;

pub use capacity::{
    EXTRA_LENGTHS, ExtraRound, booked_in_window, extra_rounds_for, reasons_in_plan,
    reasons_in_plan_until, smallest_extra_round, with_extra_round,
};
pub use static_::{static_reason, trivial_bound};
pub use unserved::unserved_reasons;

use crate::problem::Problem;

pub const NO_ELIGIBLE_CARER: &str = "NO_ELIGIBLE_CARER";
pub const TOO_FEW_CARERS_FOR_DOUBLE_UP: &str = "TOO_FEW_CARERS_FOR_DOUBLE_UP";
pub const VISIT_TOO_LONG_FOR_SHIFT: &str = "VISIT_TOO_LONG_FOR_SHIFT";
pub const NO_CARER_ON_SHIFT_IN_WINDOW: &str = "NO_CARER_ON_SHIFT_IN_WINDOW";
pub const TOO_FAR_TO_REACH_IN_WINDOW: &str = "TOO_FAR_TO_REACH_IN_WINDOW";
pub const WINDOW_TOO_NARROW_FOR_DOUBLE_UP: &str = "WINDOW_TOO_NARROW_FOR_DOUBLE_UP";
pub const GAP_CANNOT_FIT: &str = "GAP_CANNOT_FIT";
pub const CANNOT_START_TOGETHER: &str = "CANNOT_START_TOGETHER";
pub const CAPACITY: &str = "CAPACITY";
pub const TIME_LIMIT: &str = "TIME_LIMIT";

pub const CANCELLED: &str = "CANCELLED";

/// Why a solve stopped before every client had its reason.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stopped {
    /// `time_limit_seconds` (this many seconds) ended.
    TimeLimit(f64),
    /// The solve was cancelled (`rota serve`'s DELETE).
    Cancelled,
}

/// The reason of an unserved client the solve had no time left to explain:
/// its static reason, a proof that needs no search, when one holds; else
/// `TIME_LIMIT` (or `CANCELLED`). `fits` says the client was found to fit
/// the plan as it stands but the solve stopped before it could be added.
pub fn stopped_reason(p: &Problem, k: usize, why: Stopped, fits: bool) -> crate::model::Reason {
    if let Some(r) = static_reason(p, k) {
        return r;
    }
    let (code, what, again) = match why {
        Stopped::TimeLimit(s) => (
            TIME_LIMIT,
            format!("the time limit ({s} s) ended"),
            "plan again with a longer time limit",
        ),
        Stopped::Cancelled => (
            CANCELLED,
            "the solve was cancelled".to_string(),
            "plan again",
        ),
    };
    let message = if fits {
        format!("{what} before this client could be added; it fits this plan as it stands: {again}")
    } else {
        format!(
            "{what} before the planner could try this client in the plan (or show why it \
             does not fit): {again}"
        )
    };
    crate::model::Reason {
        code: code.to_string(),
        message,
    }
}

/// `HH:MM` of a minute, clamped to the day (23:59 at most).
pub(crate) fn hhmm(m: i32) -> String {
    crate::clock::hhmm(i64::from(m.clamp(0, 1439)))
}

pub(crate) fn window(p: &Problem, v: usize) -> String {
    let vs = &p.visits[v];
    format!("{}-{}", hhmm(vs.tw_start), hhmm(vs.tw_end))
}

/// Up to six carer ids, then "and N more".
pub(crate) fn names(p: &Problem, carers: &[usize]) -> String {
    let mut out: Vec<String> = carers
        .iter()
        .take(6)
        .map(|&c| p.carers[c].id.clone())
        .collect();
    if carers.len() > 6 {
        out.push(format!("and {} more", carers.len() - 6));
    }
    out.join(", ")
}

/// Distinct carers of a list of rounds.
pub(crate) fn carers_of(p: &Problem, rounds: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let set: BTreeSet<usize> = rounds.into_iter().map(|r| p.rounds[r].carer).collect();
    set.into_iter().collect()
}

/// The shifts of the eligible rounds of `v`, for messages: `C01 07:00-15:00`.
pub(crate) fn shifts_of(p: &Problem, rounds: &[usize]) -> String {
    let mut out: Vec<String> = rounds
        .iter()
        .take(6)
        .map(|&r| {
            let spec = &p.rounds[r];
            format!(
                "{} {}-{}",
                p.carers[spec.carer].id,
                hhmm(spec.start),
                hhmm(spec.end)
            )
        })
        .collect();
    if rounds.len() > 6 {
        out.push(format!("and {} more", rounds.len() - 6));
    }
    out.join(", ")
}
