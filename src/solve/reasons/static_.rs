//! Static reasons: each holds for every plan (no carer could ever do a
//! visit), a proof from a relaxation; also behind [`trivial_bound`].

use super::*;
use crate::model::Reason;
use crate::problem::Ineligible;

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
pub(super) fn alone_windows(p: &Problem, v: usize) -> Vec<(usize, (i32, i32))> {
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

/// Why the carers on shift cannot do visit `v`, grouped by cause: the
/// missing skill(s), the requested gender, the client's exclusions, each
/// naming the carers.
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
    let mut parts = Vec::new();
    for skill in &skills {
        let lack: Vec<usize> = on_shift
            .iter()
            .copied()
            .filter(|&c| why[c] == Some(Ineligible::MissingSkill(skill.to_string())))
            .collect();
        parts.push(format!(
            "{} lack skill '{skill}' ({})",
            lack.len(),
            names(p, &lack)
        ));
    }
    let gender: Vec<usize> = on_shift
        .iter()
        .copied()
        .filter(|&c| why[c] == Some(Ineligible::Gender))
        .collect();
    if !gender.is_empty() {
        parts.push(format!(
            "{} are not of the requested gender ({})",
            gender.len(),
            names(p, &gender)
        ));
    }
    let excluded: Vec<usize> = on_shift
        .iter()
        .copied()
        .filter(|&c| why[c] == Some(Ineligible::Excluded))
        .collect();
    if !excluded.is_empty() {
        parts.push(format!(
            "{} are excluded by the client ({})",
            excluded.len(),
            names(p, &excluded)
        ));
    }
    let absent: Vec<usize> = on_shift
        .iter()
        .copied()
        .filter(|&c| why[c] == Some(Ineligible::Absent))
        .collect();
    if !absent.is_empty() {
        parts.push(format!(
            "{} are absent ({})",
            absent.len(),
            names(p, &absent)
        ));
    }
    let eligible: Vec<usize> = on_shift
        .iter()
        .copied()
        .filter(|&c| why[c].is_none())
        .collect();
    format!(
        "visit {} needs {} carer(s); {} of {} carers on shift can do it{}{}",
        vs.id,
        vs.required,
        eligible.len(),
        on_shift.len(),
        if eligible.is_empty() {
            String::new()
        } else {
            format!(" ({})", names(p, &eligible))
        },
        if parts.is_empty() {
            if on_shift.is_empty() {
                ": no carer is on shift".to_string()
            } else {
                String::new()
            }
        } else {
            format!(": {}", parts.join("; "))
        }
    )
}

/// A reason that holds for every plan, if client `k` has one.
///
/// Per visit, from the weakest relaxation to the strongest: who may do it
/// at all, whose shift is long enough, who is on shift in the window, who
/// can get there within the window from the round's start and home by its
/// end; then whether two carers can meet for a double-up, and whether the
/// `after` gaps can be kept. Each level only adds conditions, so every code
/// is a proof, and a client has a static reason exactly when the least
/// travel relaxation (`alone_windows`) rules it out.
pub fn static_reason(p: &Problem, k: usize) -> Option<Reason> {
    let reason = |code: &str, message: String| Reason {
        code: code.to_string(),
        message,
    };
    let visits = &p.clients[k].visits;
    // 1. Nobody (or only one carer, for a double-up) may do it at all.
    for &v in visits {
        let carers = carers_of(p, p.eligible[v].iter().copied());
        if carers.is_empty() {
            return Some(reason(NO_ELIGIBLE_CARER, ineligible_message(p, v)));
        }
        if carers.len() < p.visits[v].required {
            return Some(reason(
                TOO_FEW_CARERS_FOR_DOUBLE_UP,
                ineligible_message(p, v),
            ));
        }
    }
    // 2. Nobody eligible is on shift when it could happen; a double-up needs
    // two carers able to start at one common minute.
    let mut ranges = Vec::with_capacity(visits.len());
    for &v in visits {
        match start_range(p, v) {
            Ok((lo, hi)) => ranges.push((v, lo, hi)),
            Err(r) => return Some(r),
        }
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
    // 4. A largest gap that no pair of start times can keep.
    for &(v, lo, _) in &ranges {
        if let (Some((u, _)), Some(most)) = (p.visits[v].after, p.visits[v].after_max)
            && let Some(&(_, _, uhi)) = ranges.iter().find(|(x, ..)| *x == u)
            && uhi + most < lo
        {
            return Some(reason(
                GAP_CANNOT_FIT,
                format!(
                    "visit {} must start at most {} min after {} starts; {} can start at {} at the latest and {} at {} at the earliest",
                    p.visits[v].id,
                    most,
                    p.visits[u].id,
                    p.visits[u].id,
                    hhmm(uhi),
                    p.visits[v].id,
                    hhmm(lo)
                ),
            ));
        }
    }
    // 5. Two visits that start together: two different carers, one for
    // each, whose relaxed start ranges meet.
    for l in &p.links {
        let (a, b) = (l.first, l.second);
        let (Some(&(_, alo, ahi)), Some(&(_, blo, bhi))) = (
            ranges.iter().find(|(x, ..)| *x == a),
            ranges.iter().find(|(x, ..)| *x == b),
        ) else {
            continue;
        };
        let (ca, cb) = (
            carers_of(p, p.eligible[a].iter().copied()),
            carers_of(p, p.eligible[b].iter().copied()),
        );
        let two = ca.iter().any(|x| cb.iter().any(|y| x != y));
        let (ids, names) = (&p.visits[a].id, &p.visits[b].id);
        if !two {
            return Some(reason(
                CANNOT_START_TOGETHER,
                format!(
                    "visits {ids} and {names} must start together, done by two different carers, but only {} may do either",
                    ca.first().map_or("nobody", |&c| p.carers[c].id.as_str())
                ),
            ));
        }
        if alo.max(blo - l.max_lag) > ahi.min(bhi - l.min_lag) {
            return Some(reason(
                CANNOT_START_TOGETHER,
                format!(
                    "visits {ids} and {names} must start together; {ids} can start {}-{} and {names} {}-{}",
                    hhmm(alo),
                    hhmm(ahi),
                    hhmm(blo),
                    hhmm(bhi)
                ),
            ));
        }
    }
    None
}

/// Level 2 of [`static_reason`] for visit `v`: enough eligible carers on a
/// long enough shift in its window, able to reach it and get home, and (for
/// a double-up) at one common minute. The range of starts any plan could
/// give it, or the reason none can.
fn start_range(p: &Problem, v: usize) -> Result<(i32, i32), Reason> {
    let reason = |code: &str, message: String| Reason {
        code: code.to_string(),
        message,
    };
    let vs = &p.visits[v];
    let long: Vec<usize> = p.eligible[v]
        .iter()
        .copied()
        .filter(|&r| p.rounds[r].end - p.rounds[r].start >= vs.duration)
        .collect();
    if carers_of(p, long.iter().copied()).len() < vs.required {
        let longest = p.eligible[v]
            .iter()
            .map(|&r| p.rounds[r].end - p.rounds[r].start)
            .max()
            .unwrap_or(0);
        return Err(reason(
            VISIT_TOO_LONG_FOR_SHIFT,
            format!(
                "visit {} lasts {} min and needs {} carer(s); the longest shift of an eligible carer is {} min ({})",
                vs.id,
                vs.duration,
                vs.required,
                longest,
                shifts_of(p, &p.eligible[v])
            ),
        ));
    }
    let on_shift: Vec<usize> = long
        .iter()
        .copied()
        .filter(|&r| {
            let spec = &p.rounds[r];
            vs.tw_start.max(spec.start) <= vs.tw_end.min(spec.end - vs.duration)
        })
        .collect();
    if carers_of(p, on_shift.iter().copied()).len() < vs.required {
        return Err(reason(
            NO_CARER_ON_SHIFT_IN_WINDOW,
            format!(
                "visit {} ({} min, to start {}) needs {} carer(s); {} eligible carer(s) are on shift long enough then (eligible shifts: {})",
                vs.id,
                vs.duration,
                window(p, v),
                vs.required,
                carers_of(p, on_shift.iter().copied()).len(),
                shifts_of(p, &p.eligible[v])
            ),
        ));
    }
    let alone = alone_windows(p, v);
    let carers = carers_of(p, alone.iter().map(|(r, _)| *r));
    if carers.len() < vs.required {
        let far: Vec<String> = on_shift
            .iter()
            .take(6)
            .map(|&r| {
                format!(
                    "{} {} min by {}",
                    p.carers[p.rounds[r].carer].id,
                    travel_lb(p, r, v, true),
                    p.rounds[r].mode
                )
            })
            .collect();
        return Err(reason(
            TOO_FAR_TO_REACH_IN_WINDOW,
            format!(
                "visit {} ({} min, to start {}) needs {} carer(s); {} eligible carer(s) are on shift then, but only {} can get there in the window and home by the end of the shift (travel at least: {})",
                vs.id,
                vs.duration,
                window(p, v),
                vs.required,
                carers_of(p, on_shift.iter().copied()).len(),
                carers.len(),
                far.join(", ")
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
            return Err(reason(
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
    Ok((lo, hi))
}

/// A valid upper bound on the priority any plan can serve: the priority of
/// every client without a static reason.
pub fn trivial_bound(p: &Problem) -> i64 {
    (0..p.clients.len())
        .filter(|&k| static_reason(p, k).is_none())
        .map(|k| p.clients[k].priority)
        .sum()
}
