//! Every unserved client's reasons for a plan, within the time limit
//! (docs/reasons.md).

use std::time::{Duration, Instant};

use super::{CAPACITY, Stopped, reasons_in_plan_until, stopped_reason};
use crate::model::Reason;
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::budget::TimeBudget;

/// Every unserved client's reasons (served ones get none) in `sol`, in two
/// passes so that each gets one within `budget`:
/// 1. its static reason, or CAPACITY naming the calls in its way, for every
///    client (one insertion trial each); after the limit, or when the solve
///    was `cancelled`, a static reason where one holds (a proof needing no
///    search), else TIME_LIMIT or CANCELLED;
/// 2. while time is left, the extra rounds that would let each CAPACITY
///    client in (a what-if solve each: seconds on a large day), started only
///    when twice the longest one so far (at first, an estimate) still fits
///    before the limit.
pub fn unserved_reasons(
    p: &Problem,
    sol: &Solution,
    cancelled: bool,
    budget: &TimeBudget,
) -> Vec<Vec<Reason>> {
    let why = if cancelled {
        Stopped::Cancelled
    } else {
        Stopped::TimeLimit(budget.limit_seconds())
    };
    let no_extra = Some(budget.started());
    let mut reasons: Vec<Vec<Reason>> = (0..p.clients.len())
        .map(|k| {
            if sol.is_served(p, k) {
                Vec::new()
            } else if cancelled || budget.is_over() {
                vec![stopped_reason(p, k, why, false)]
            } else {
                reasons_in_plan_until(p, sol, k, no_extra)
                    .unwrap_or_else(|| vec![stopped_reason(p, k, why, true)])
            }
        })
        .collect();
    let end = budget.hard_end();
    // Before the first: what ten copies of the problem cost (one search
    // makes up to nine, and on a large day they are most of its time).
    let mut longest = Duration::ZERO;
    if reasons
        .iter()
        .any(|r| r.first().is_some_and(|r| r.code == CAPACITY))
        && !budget.is_over()
    {
        let began = Instant::now();
        drop(std::hint::black_box(p.clone()));
        longest = began.elapsed() * 10;
    }
    for (k, reason) in reasons.iter_mut().enumerate() {
        if cancelled || reason.first().is_none_or(|r| r.code != CAPACITY) {
            continue;
        }
        let began = Instant::now();
        if began + longest * 2 >= end {
            break;
        }
        if let Some(r) = reasons_in_plan_until(p, sol, k, Some(end)) {
            *reason = r;
        }
        longest = longest.max(began.elapsed());
    }
    reasons
}
