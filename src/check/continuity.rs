//! Rule `continuity-kept` (extension, docs/continuity.md): with a
//! `previous_plan`, summary `continuity_kept` is present and counts the
//! visit-carer assignments whose carer visited the same client in it. Like
//! the rest of the checker, this reads only the request and the plan.

use super::rounds::Walked;
use super::{Ctx, Out};
use crate::model::Plan;

pub(crate) fn check_continuity(ctx: &Ctx, plan: &Plan, walked: &Walked, out: &mut Out) {
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
