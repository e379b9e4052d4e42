//! Reason codes for unserved clients, most specific first.
//!
//! Static reasons hold for any plan (no carer could ever do a visit); when
//! none applies, the client was left out for `CAPACITY`: eligible carers exist
//! but were booked when its visit could happen.

use crate::model::{Reason, time_of_minutes};
use crate::problem::{Ineligible, Problem};

pub const NO_ELIGIBLE_CARER: &str = "NO_ELIGIBLE_CARER";
pub const NO_CARER_ON_SHIFT_IN_WINDOW: &str = "NO_CARER_ON_SHIFT_IN_WINDOW";
pub const WINDOW_TOO_NARROW_FOR_DOUBLE_UP: &str = "WINDOW_TOO_NARROW_FOR_DOUBLE_UP";
pub const GAP_CANNOT_FIT: &str = "GAP_CANNOT_FIT";
pub const CAPACITY: &str = "CAPACITY";

fn hhmm(m: i32) -> String {
    time_of_minutes(m.clamp(0, 1439))
        .format("%H:%M")
        .to_string()
}

fn window(p: &Problem, v: usize) -> String {
    let vs = &p.visits[v];
    format!("{}-{}", hhmm(vs.tw_start), hhmm(vs.tw_end))
}

/// A lower bound on the travel of round `r` into visit `v` (`into`) or out
/// of it (`!into`) along any path. With the contract's formula the direct
/// leg is such a bound (the triangle inequality holds; one minute is given
/// up for rounding); a `travel_matrix` need not be metric, so there the
/// least entry into (out of) the visit's location from (to) any other
/// location is used.
fn travel_lb(p: &Problem, r: usize, v: usize, into: bool) -> i32 {
    let spec = &p.rounds[r];
    let node = p.visits[v].node;
    if p.metric_travel {
        let t = if into {
            p.time(r, spec.start_node, node)
        } else {
            p.time(r, node, spec.end_node)
        };
        (t - 1).max(0)
    } else {
        // The carer first reaches (finally leaves) this location by some leg
        // from (to) another location, unless the round starts (ends) here.
        let depot = if into { spec.start_node } else { spec.end_node };
        if depot == node {
            return 0;
        }
        (0..p.travel.len())
            .filter(|&u| u != node)
            .map(|u| {
                if into {
                    p.time(r, u, node)
                } else {
                    p.time(r, node, u)
                }
            })
            .min()
            .unwrap_or(0)
    }
}

/// For each eligible round, the start range of visit `v` that no plan can
/// beat: the window cut by the shift with least travel in and out, breaks
/// and other visits ignored. A relaxation, so reasons built on it are proofs.
fn alone_windows(p: &Problem, v: usize) -> Vec<(usize, (i32, i32))> {
    let vs = &p.visits[v];
    p.eligible[v]
        .iter()
        .filter_map(|&r| {
            let spec = &p.rounds[r];
            let lo = vs.tw_start.max(spec.start + travel_lb(p, r, v, true));
            let hi = vs
                .tw_end
                .min(spec.end - vs.duration - travel_lb(p, r, v, false));
            (lo <= hi).then_some((r, (lo, hi)))
        })
        .collect()
}

/// Why no carer may do visit `v`: the message of `NO_ELIGIBLE_CARER`.
fn ineligible_message(p: &Problem, v: usize) -> String {
    let vs = &p.visits[v];
    let why = &p.ineligible[v];
    let on_shift: Vec<usize> = (0..p.carers.len())
        .filter(|&c| !p.carers[c].rounds.is_empty())
        .collect();
    let mut skills: Vec<&str> = on_shift
        .iter()
        .filter_map(|&c| match &why[c] {
            Some(Ineligible::MissingSkill(s)) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    skills.sort();
    skills.dedup();
    let gender = on_shift
        .iter()
        .filter(|&&c| why[c] == Some(Ineligible::Gender))
        .count();
    let excluded = on_shift
        .iter()
        .filter(|&&c| why[c] == Some(Ineligible::Excluded))
        .count();
    let eligible = on_shift.iter().filter(|&&c| why[c].is_none()).count();
    let mut parts = Vec::new();
    if !skills.is_empty() {
        parts.push(format!(
            "{} lack skill {}",
            on_shift
                .iter()
                .filter(|&&c| matches!(why[c], Some(Ineligible::MissingSkill(_))))
                .count(),
            skills
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if gender > 0 {
        parts.push(format!("{gender} are not of the requested gender"));
    }
    if excluded > 0 {
        parts.push(format!("{excluded} are excluded by the client"));
    }
    format!(
        "visit {} needs {} carer(s); {} of {} carers on shift can do it ({})",
        vs.id,
        vs.required,
        eligible,
        on_shift.len(),
        if parts.is_empty() && eligible > 0 {
            format!("only {eligible} distinct carer(s) can do it")
        } else if parts.is_empty() {
            "no carer is on shift".to_string()
        } else {
            parts.join(", ")
        }
    )
}

/// A reason that holds for every plan, if client `k` has one.
pub fn static_reason(p: &Problem, k: usize) -> Option<Reason> {
    let reason = |code: &str, message: String| Reason {
        code: code.to_string(),
        message,
    };
    let visits = &p.clients[k].visits;
    // 1. Nobody may do it at all.
    for &v in visits {
        let carers: std::collections::BTreeSet<usize> =
            p.eligible[v].iter().map(|&r| p.rounds[r].carer).collect();
        if carers.len() < p.visits[v].required {
            return Some(reason(NO_ELIGIBLE_CARER, ineligible_message(p, v)));
        }
    }
    // 2. Nobody eligible is on shift when it could happen; a double-up needs
    // two carers able to start at one common minute.
    let mut ranges = Vec::with_capacity(visits.len());
    for &v in visits {
        let vs = &p.visits[v];
        let alone = alone_windows(p, v);
        let carers: std::collections::BTreeSet<usize> =
            alone.iter().map(|(r, _)| p.rounds[*r].carer).collect();
        if carers.len() < vs.required {
            return Some(reason(
                NO_CARER_ON_SHIFT_IN_WINDOW,
                format!(
                    "visit {} ({} min, to start {}) needs {} carer(s); {} eligible carer(s) can reach it within their shift",
                    vs.id,
                    vs.duration,
                    window(p, v),
                    vs.required,
                    carers.len()
                ),
            ));
        }
        if vs.required > 1 {
            let paired = alone.iter().enumerate().any(|(i, (ra, wa))| {
                alone.iter().skip(i + 1).any(|(rb, wb)| {
                    p.rounds[*ra].carer != p.rounds[*rb].carer && wa.0.max(wb.0) <= wa.1.min(wb.1)
                })
            });
            if !paired {
                return Some(reason(
                    WINDOW_TOO_NARROW_FOR_DOUBLE_UP,
                    format!(
                        "visit {} needs two carers starting together in {}; {} eligible carers can reach it, but never at the same minute",
                        vs.id,
                        window(p, v),
                        carers.len()
                    ),
                ));
            }
        }
        let lo = alone.iter().map(|(_, w)| w.0).min().unwrap_or(i32::MAX);
        let hi = alone.iter().map(|(_, w)| w.1).max().unwrap_or(i32::MIN);
        ranges.push((v, lo, hi));
    }
    // 3. An `after` gap that no pair of start times can keep.
    for &(v, _, hi) in &ranges {
        if let Some((u, gap)) = p.visits[v].after
            && let Some(&(_, ulo, _)) = ranges.iter().find(|(x, ..)| *x == u)
            && ulo + gap > hi
        {
            return Some(reason(
                GAP_CANNOT_FIT,
                format!(
                    "visit {} must start {} min after {} starts; {} can start at {} at the earliest and {} at {} at the latest",
                    p.visits[v].id,
                    gap,
                    p.visits[u].id,
                    p.visits[u].id,
                    hhmm(ulo),
                    p.visits[v].id,
                    hhmm(hi)
                ),
            ));
        }
    }
    None
}

/// The reasons for an unserved client `k`; `failed` is the visit that did not
/// fit when the solver last tried, if known.
pub fn reasons(p: &Problem, k: usize, failed: Option<usize>) -> Vec<Reason> {
    if let Some(r) = static_reason(p, k) {
        return vec![r];
    }
    let v = failed.unwrap_or(p.clients[k].visits[0]);
    let vs = &p.visits[v];
    let carers: std::collections::BTreeSet<usize> = alone_windows(p, v)
        .iter()
        .map(|(r, _)| p.rounds[*r].carer)
        .collect();
    vec![Reason {
        code: CAPACITY.to_string(),
        message: format!(
            "{} eligible carer(s) could reach visit {} ({} min, {} carer(s)) to start {}, but all were booked with other calls then",
            carers.len(),
            vs.id,
            vs.duration,
            vs.required,
            window(p, v)
        ),
    }]
}

/// A valid upper bound on the priority any plan can serve: the priority of
/// every client without a static reason.
pub fn trivial_bound(p: &Problem) -> i64 {
    (0..p.clients.len())
        .filter(|&k| static_reason(p, k).is_none())
        .map(|k| p.clients[k].priority)
        .sum()
}
