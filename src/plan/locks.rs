//! Locks in a finished plan (extension, `docs/locks.md`): the locks a
//! solver could not keep together are the request's fault (E1812), so the
//! pipeline refuses the plan with them rather than return it.

use std::collections::{BTreeSet, HashMap};

use crate::error::Issue;
use crate::model::{Plan, Request, Stop, minutes_of_day};
use crate::problem::Problem;

/// The locks `plan` does not keep, as E1812 issues: the solver could not
/// place them together with everything else that is locked. Empty when every
/// lock holds. Where two locks of one carer cannot both be kept because of
/// the travel between them ([`travel_conflicts`]), the issue is at the lock
/// that cannot be placed after the other, whichever the solver left out,
/// and names the other lock and the travel.
pub fn unplaced(req: &Request, p: &Problem, plan: &Plan) -> Vec<Issue> {
    let out = unkept(req, plan);
    if out.is_empty() {
        return out;
    }
    let conflicts = travel_conflicts(req, p);
    let involved: BTreeSet<usize> = conflicts.iter().flat_map(|c| [c.0, c.1]).collect();
    let mut issues: Vec<Issue> = Vec::new();
    let mut blamed = BTreeSet::new();
    for (_, later, issue) in conflicts {
        if blamed.insert(later) {
            issues.push(issue);
        }
    }
    issues.extend(out.into_iter().filter(|i| {
        let idx = i
            .path
            .trim_start_matches("locks[")
            .trim_end_matches(']')
            .parse::<usize>()
            .ok();
        idx.is_none_or(|i| !involved.contains(&i))
    }));
    issues
}

/// Pairs of locks `(earlier, later, issue)` on one carer's only round that
/// cannot both be kept because of the travel between their clients: the
/// later cannot start in time after the earlier (at its earliest) and the
/// earlier cannot be done after the later either. The issue is E1812 at the
/// later lock, naming the earlier and the travel.
pub fn travel_conflicts(req: &Request, p: &Problem) -> Vec<(usize, usize, Issue)> {
    let visit = p.visit_index();
    // (lock, visit, round) for locks whose visit has exactly one round.
    let placed: Vec<(usize, usize, usize)> = req
        .locks
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let v = *visit.get(l.visit.as_str())?;
            let rounds: Vec<usize> = p.eligible[v]
                .iter()
                .copied()
                .filter(|&r| p.carers[p.rounds[r].carer].id == l.carer)
                .collect();
            (rounds.len() == 1).then(|| (i, v, rounds[0]))
        })
        .collect();
    let hm = |m: i32| crate::clock::hhmm(i64::from(m.clamp(0, 1439)));
    let mut out = Vec::new();
    for (x, &(i, a, ra)) in placed.iter().enumerate() {
        for &(j, b, rb) in &placed[x + 1..] {
            if ra != rb || a == b {
                continue;
            }
            let (va, vb) = (&p.visits[a], &p.visits[b]);
            // Earliest arrival at `to` after doing `from` at its earliest.
            let reach = |from: usize, to: usize| {
                let f = &p.visits[from];
                let t = p.time(ra, f.node, p.visits[to].node);
                (f.tw_start + f.duration + t, t)
            };
            let (ab, t_ab) = reach(a, b);
            if ab <= vb.tw_end || reach(b, a).0 <= va.tw_end {
                continue;
            }
            // The later lock is the one whose visit starts later at the
            // earliest (then the later in the request).
            let (e, ve, l, vl, arrive, t) = if (vb.tw_start, j) >= (va.tw_start, i) {
                (i, va, j, vb, ab, t_ab)
            } else {
                let (ba, t_ba) = reach(b, a);
                (j, vb, i, va, ba, t_ba)
            };
            let carer = &req.locks[l].carer;
            let when = |v: &crate::problem::VisitSpec| {
                if v.tw_start == v.tw_end {
                    format!("at {}", hm(v.tw_start))
                } else {
                    format!("in {}-{}", hm(v.tw_start), hm(v.tw_end))
                }
            };
            let client = |v: &crate::problem::VisitSpec| p.clients[v.client].id.clone();
            out.push((
                e,
                l,
                Issue::new(
                    "E1812",
                    format!("locks[{l}]"),
                    format!(
                        "lock {l} (visit '{}' of client '{}' with carer '{carer}' {}) cannot be placed after lock {e} (visit '{}' of client '{}' {}, {} min, ending {} at the earliest): travel from '{}' to '{}' takes {t} min by {}, so '{carer}' arrives at {} at the earliest, {} min late",
                        vl.id,
                        client(vl),
                        when(vl),
                        ve.id,
                        client(ve),
                        when(ve),
                        ve.duration,
                        hm(ve.tw_start + ve.duration),
                        client(ve),
                        client(vl),
                        p.rounds[ra].mode,
                        hm(arrive),
                        arrive - vl.tw_end
                    ),
                    format!(
                        "move lock {l}'s start to {} or later, lock visit '{}' to another carer, or remove one of locks {e} and {l}",
                        hm(arrive),
                        vl.id
                    ),
                ),
            ));
        }
    }
    out
}

/// The locks `plan` does not keep, each as a generic E1812.
fn unkept(req: &Request, plan: &Plan) -> Vec<Issue> {
    let mut done: HashMap<(&str, &str), i64> = HashMap::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                done.insert(
                    (v.visit.as_str(), r.carer.as_str()),
                    i64::from(minutes_of_day(v.start)),
                );
            }
        }
    }
    let mut out = Vec::new();
    for (i, l) in req.locks.iter().enumerate() {
        let kept = match done.get(&(l.visit.as_str(), l.carer.as_str())) {
            None => false,
            Some(&s) => l.start.is_none_or(|t| i64::from(minutes_of_day(t)) == s),
        };
        if !kept {
            out.push(Issue::new(
                "E1812",
                format!("locks[{i}]"),
                format!(
                    "lock {i} (visit '{}' with carer '{}'{}) could not be placed together with the other locks and the rest of the day",
                    l.visit,
                    l.carer,
                    l.start
                        .map(|t| format!(" at {}", t.format("%H:%M")))
                        .unwrap_or_default()
                ),
                "remove or change this lock (or others on the same carer or client): its client's visits cannot all be fitted around it",
            ));
        }
    }
    out
}
