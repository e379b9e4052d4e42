//! Rule `lateness` (extension, docs/format.md, "Due times"): each visit
//! stop's `late_minutes` is the minutes it starts after its `window.due`
//! (absent when on time or without a due), and `summary.lateness` is present
//! exactly when the request has a due and counts the late calls once each
//! (a double-up is one call), their minutes and the largest. Like the rest
//! of the checker, this reads only the request and the plan.

use std::collections::BTreeMap;

use super::rounds::Walked;
use super::{Ctx, Out, hm, mins};
use crate::model::{Plan, Stop};

pub(crate) fn check_lateness(ctx: &Ctx, plan: &Plan, walked: &Walked, out: &mut Out) {
    // Every stop: its stated late minutes against its start and due.
    for (ri, round) in plan.rounds.iter().enumerate() {
        for s in &round.stops {
            let Stop::Visit(v) = s else { continue };
            let due = ctx
                .visits
                .get(v.visit.as_str())
                .and_then(|(_, visit)| visit.window.due);
            let late = due.map_or(0, |d| (mins(v.start) - mins(d)).max(0));
            let want = (late > 0).then_some(late);
            let stated = v.late_minutes.map(i64::from);
            if stated != want {
                let why = match due {
                    Some(d) => format!(
                        "it starts at {}, due {}: {late} min late",
                        hm(mins(v.start)),
                        hm(mins(d))
                    ),
                    None => "its visit has no due".to_string(),
                };
                out.push(
                    "lateness",
                    format!(
                        "{}: {} states late_minutes {}, expected {} ({why})",
                        walked.labels[ri],
                        v.visit,
                        stated.map_or("absent".to_string(), |n| n.to_string()),
                        want.map_or("absent".to_string(), |n| n.to_string()),
                    ),
                );
            }
        }
    }
    // The summary: one entry per served visit (its latest start among its
    // carers, should a double-up's starts differ: rule `double-up` says so).
    let mut late_of: BTreeMap<&str, i64> = BTreeMap::new();
    for a in &walked.assigns {
        let Some(due) = ctx.visits.get(a.visit).and_then(|(_, v)| v.window.due) else {
            continue;
        };
        let late = (a.start - mins(due)).max(0);
        let e = late_of.entry(a.visit).or_insert(0);
        *e = (*e).max(late);
    }
    let any_due = ctx.visits.values().any(|(_, v)| v.window.due.is_some());
    let stated = plan.summary.lateness;
    if !any_due {
        if let Some(l) = stated {
            out.push(
                "lateness",
                format!(
                    "summary lateness is given ({} call(s)) but no visit of the request has a due",
                    l.calls
                ),
            );
        }
        return;
    }
    let late: Vec<i64> = late_of.into_values().filter(|&l| l > 0).collect();
    let calls = late.len() as i64;
    let total: i64 = late.iter().sum();
    let largest = late.iter().copied().max().unwrap_or(0);
    match stated {
        None => out.push(
            "lateness",
            format!(
                "the request has due times but the summary has no lateness (the plan gives {calls} late call(s), {total} min)"
            ),
        ),
        Some(l) => {
            let got = (
                i64::from(l.calls),
                l.total_minutes as i64,
                i64::from(l.largest_minutes),
            );
            if got != (calls, total, largest) {
                out.push(
                    "lateness",
                    format!(
                        "summary lateness is {} call(s), {} min, largest {} min; the plan gives {calls} call(s), {total} min, largest {largest} min",
                        l.calls, l.total_minutes, l.largest_minutes
                    ),
                );
            }
        }
    }
}
