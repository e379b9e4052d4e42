//! Rule `starts-with` (extension, docs/format.md "Visits that start
//! together"): two visits of a `starts_with` pair, when served, start at
//! the same minute and are done by two different carers; each of their
//! stops names the other visit and its carer in `starts_with`, and no other
//! stop has one. That both are served or neither is rule `whole-client`.
//! Like the rest of the checker, this reads only the request and the plan.

use std::collections::{BTreeSet, HashMap};

use super::rounds::{Assign, Walked};
use super::{Ctx, Out, hm};

pub(crate) fn check_starts_with(ctx: &Ctx, walked: &Walked, out: &mut Out) {
    let labels = &walked.labels;
    let mut by_visit: HashMap<&str, Vec<&Assign>> = HashMap::new();
    for a in &walked.assigns {
        by_visit.entry(a.visit).or_default().push(a);
    }
    // Each visit's partner, both ways (validation allows one pair a visit).
    let mut partner: HashMap<&str, &str> = HashMap::new();
    for client in &ctx.req.clients {
        for v in &client.visits {
            if let Some(w) = &v.starts_with {
                partner.insert(v.id.as_str(), w.visit.as_str());
                partner.insert(w.visit.as_str(), v.id.as_str());
            }
        }
    }
    // The pair's times and carers, once per pair (at its declaring visit).
    for client in &ctx.req.clients {
        for v in &client.visits {
            let Some(w) = &v.starts_with else { continue };
            let (Some(mine), Some(theirs)) =
                (by_visit.get(v.id.as_str()), by_visit.get(w.visit.as_str()))
            else {
                continue;
            };
            let times = |asg: &[&Assign]| {
                asg.iter()
                    .map(|a| format!("{} at {} ({})", a.carer, hm(a.start), labels[a.round]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let starts: BTreeSet<i64> = mine.iter().chain(theirs.iter()).map(|a| a.start).collect();
            if starts.len() > 1 {
                out.push(
                    "starts-with",
                    format!(
                        "visit {} (client {}) must start together with visit {}, but they start at different minutes: {} by {}; {} by {}",
                        v.id,
                        client.id,
                        w.visit,
                        v.id,
                        times(mine),
                        w.visit,
                        times(theirs)
                    ),
                );
            }
            let carers: BTreeSet<&str> = mine.iter().map(|a| a.carer).collect();
            let shared: Vec<&str> = theirs
                .iter()
                .map(|a| a.carer)
                .filter(|c| carers.contains(c))
                .collect();
            if !shared.is_empty() {
                out.push(
                    "starts-with",
                    format!(
                        "visits {} and {} (client {}) start together, so two different carers do them, but carer {} does both",
                        v.id,
                        w.visit,
                        client.id,
                        shared.join(", ")
                    ),
                );
            }
        }
    }
    // Every stop's `starts_with`: the partner and its carer, or none.
    for a in &walked.assigns {
        let want = partner.get(a.visit).copied();
        let partner_carers: Vec<&str> = want
            .and_then(|w| by_visit.get(w))
            .map_or(Vec::new(), |asg| asg.iter().map(|b| b.carer).collect());
        let ok = match (a.starts_with, want) {
            (None, None) => true,
            // An unserved partner is rule whole-client's; nothing to name.
            (None, Some(_)) => partner_carers.is_empty(),
            (Some(_), None) => false,
            (Some(s), Some(w)) => s.visit == w && partner_carers.contains(&s.carer.as_str()),
        };
        if ok {
            continue;
        }
        let stated = a.starts_with.map_or("none".to_string(), |s| {
            format!("{{visit {}, carer {}}}", s.visit, s.carer)
        });
        let expected = match want {
            None => "none (its visit starts together with no other)".to_string(),
            Some(w) if partner_carers.is_empty() => format!("none ({w} is not served)"),
            Some(w) => format!("{{visit {w}, carer {}}}", partner_carers.join(" or ")),
        };
        out.push(
            "starts-with",
            format!(
                "{}: visit {} at {} states starts_with {stated}, expected {expected}",
                labels[a.round],
                a.visit,
                hm(a.start)
            ),
        );
    }
}
