//! Rules of rota's request extensions: `lock` (docs/locks.md) and
//! `continuity-kept` (docs/continuity.md). Like the rest of the checker,
//! this reads only the request and the plan.

use std::collections::HashMap;

use super::rounds::Walked;
use super::{Ctx, Out, hm, mins};
use crate::model::Plan;

pub(crate) fn check_extensions(ctx: &Ctx, plan: &Plan, walked: &Walked, out: &mut Out) {
    // lock: the (visit, carer) assignment exists, at the locked start.
    let mut start_of: HashMap<(&str, &str), i64> = HashMap::new();
    for a in &walked.assigns {
        start_of.entry((a.visit, a.carer)).or_insert(a.start);
    }
    for (i, l) in ctx.req.locks.iter().enumerate() {
        match start_of.get(&(l.visit.as_str(), l.carer.as_str())) {
            None => out.push(
                "lock",
                format!(
                    "locks[{i}]: visit {} is not done by carer {} in any round",
                    l.visit, l.carer
                ),
            ),
            Some(&s) => {
                if let Some(t) = l.start
                    && mins(t) != s
                {
                    out.push(
                        "lock",
                        format!(
                            "locks[{i}]: visit {} by carer {} starts {}, the lock says {}",
                            l.visit,
                            l.carer,
                            hm(s),
                            hm(mins(t))
                        ),
                    );
                }
            }
        }
    }

    // continuity-kept
    let stated = plan.summary.continuity_kept;
    if ctx.req.previous_plan.is_some() {
        let mut kept = 0u64;
        for a in &walked.assigns {
            if let Some((client, _)) = ctx.visits.get(a.visit)
                && ctx.yesterday.contains(&(client.id.as_str(), a.carer))
            {
                kept += 1;
            }
        }
        match stated {
            None => out.push(
                "continuity-kept",
                format!(
                    "the request has a previous_plan but the summary has no continuity_kept (the plan gives {kept})"
                ),
            ),
            Some(n) if u64::from(n) != kept => out.push(
                "continuity-kept",
                format!("summary continuity_kept is {n}, the plan gives {kept}"),
            ),
            Some(_) => {}
        }
    } else if let Some(n) = stated {
        out.push(
            "continuity-kept",
            format!("summary continuity_kept is {n} but the request has no previous_plan"),
        );
    }
}
