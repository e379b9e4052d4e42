//! Rule `lock` (extension, docs/locks.md): every lock of the request is
//! kept: the visit is in a round of the locked carer, at the locked start if
//! one is given. Like the rest of the checker, this reads only the request
//! and the plan.

use std::collections::HashMap;

use super::rounds::Walked;
use super::{Ctx, Out, hm, mins};

pub(crate) fn check_locks(ctx: &Ctx, walked: &Walked, out: &mut Out) {
    // The (visit, carer) assignment exists, at the locked start.
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
}
