//! Per-round rules: `round-carer`, `visit-id` (within a round), `duration`,
//! `window`, `travel`, `sequence`, `shift`, `return`, `break`,
//! `round-figures`. Also collects the (visit, carer) assignments for the
//! cross-round rules of [`super::assign`].

use std::collections::HashSet;

use super::travel::Place;
use super::{Ctx, Out, hm, mins};
use crate::model::{Carer, Plan, Round, Shift, StartsWithStop, Stop};

/// One known visit done in one round (its first occurrence in that round).
pub(crate) struct Assign<'a> {
    pub round: usize,
    pub carer: &'a str,
    pub carer_ref: Option<&'a Carer>,
    pub visit: &'a str,
    pub start: i64,
    pub end: i64,
    pub with: &'a [String],
    /// The stop's `starts_with` (extension; rule `starts-with`).
    pub starts_with: Option<&'a StartsWithStop>,
}

/// What the round walk hands to the cross-round checks.
pub(crate) struct Walked<'a> {
    /// `round C01 07:00-15:00`, indexed like `plan.rounds`.
    pub labels: Vec<String>,
    pub assigns: Vec<Assign<'a>>,
}

pub(crate) fn check_rounds<'a>(ctx: &Ctx<'a>, plan: &'a Plan, out: &mut Out) -> Walked<'a> {
    let labels: Vec<String> = plan
        .rounds
        .iter()
        .map(|r| {
            format!(
                "round {} {}-{}",
                r.carer,
                hm(mins(r.shift.start)),
                hm(mins(r.shift.end))
            )
        })
        .collect();

    // round-carer: known carer, one of its shifts, its mode, no duplicates.
    let mut seen: HashSet<(&str, i64, i64)> = HashSet::new();
    let mut shifts: Vec<Option<&'a Shift>> = Vec::with_capacity(plan.rounds.len());
    for (ri, round) in plan.rounds.iter().enumerate() {
        let label = &labels[ri];
        let (s, e) = (mins(round.shift.start), mins(round.shift.end));
        let mut shift = None;
        match ctx.carers.get(round.carer.as_str()) {
            None => out.push(
                "round-carer",
                format!("{label}: carer {} is not in the request", round.carer),
            ),
            Some(carer) => {
                let all = carer.all_shifts();
                shift = all
                    .iter()
                    .find(|sh| mins(sh.start) == s && mins(sh.end) == e)
                    .copied();
                if shift.is_none() {
                    let list: Vec<String> = all
                        .iter()
                        .map(|sh| format!("{}-{}", hm(mins(sh.start)), hm(mins(sh.end))))
                        .collect();
                    out.push(
                        "round-carer",
                        format!(
                            "{label}: carer {} has no shift {}-{} (its shifts: {})",
                            carer.id,
                            hm(s),
                            hm(e),
                            list.join(", ")
                        ),
                    );
                }
                if round.travel_mode != carer.travel_mode {
                    out.push(
                        "round-carer",
                        format!(
                            "{label}: travel_mode '{}' but carer {} travels by '{}'",
                            round.travel_mode, carer.id, carer.travel_mode
                        ),
                    );
                }
            }
        }
        if !seen.insert((round.carer.as_str(), s, e)) {
            out.push("round-carer", format!("{label}: round listed twice"));
        }
        shifts.push(shift);
    }
    for carer in &ctx.req.carers {
        for sh in carer.all_shifts() {
            let key = (carer.id.as_str(), mins(sh.start), mins(sh.end));
            if !seen.contains(&key) {
                out.push(
                    "round-carer",
                    format!(
                        "carer {} shift {}-{} has no round in the plan (idle rounds must be listed with no stops)",
                        carer.id,
                        hm(key.1),
                        hm(key.2)
                    ),
                );
            }
        }
    }

    let mut assigns = Vec::new();
    for (ri, round) in plan.rounds.iter().enumerate() {
        walk_round(ctx, ri, round, shifts[ri], &labels[ri], out, &mut assigns);
    }
    Walked { labels, assigns }
}

/// Travel for one leg, or a `travel` violation when it cannot be computed.
fn leg(
    ctx: &Ctx,
    mode: &str,
    from: Option<Place>,
    to: Option<Place>,
    label: &str,
    out: &mut Out,
) -> Option<i64> {
    let (from, to) = (from?, to?);
    match ctx.travel.minutes(mode, from, to) {
        Ok(t) => Some(t),
        Err(e) => {
            out.push(
                "travel",
                format!(
                    "{label}: cannot compute travel from {} to {}: {e}",
                    from.name(),
                    to.name()
                ),
            );
            None
        }
    }
}

/// Intervals [a1, a2) and [b1, b2) share time.
fn overlaps(a1: i64, a2: i64, b1: i64, b2: i64) -> bool {
    a1 < b2 && b1 < a2
}

/// Walk one round stop by stop, as a carer would, checking each stop
/// against the rules of its kind (`visit-id`, `duration`, `window`,
/// `travel`, `sequence`, `shift`, the break's gap) and then the round as a
/// whole (`break` count, `return`, `round-figures`). It is long on purpose:
/// it reads top to bottom as one rule after another, along one walk whose
/// state (where the carer is, and when) every rule needs.
fn walk_round<'a>(
    ctx: &Ctx<'a>,
    ri: usize,
    round: &'a Round,
    shift: Option<&'a Shift>,
    label: &str,
    out: &mut Out,
    assigns: &mut Vec<Assign<'a>>,
) {
    let carer: Option<&'a Carer> = ctx.carers.get(round.carer.as_str()).copied();
    // Travel is by the carer's own mode (a different round mode is reported
    // under round-carer).
    let mode: &str = carer.map_or(round.travel_mode.as_str(), |c| c.travel_mode.as_str());
    let (ss, se) = (mins(round.shift.start), mins(round.shift.end));
    let brk = shift.and_then(|s| s.brk.as_ref());

    let mut prev_place: Option<Place<'a>> = carer.map(Place::Start);
    let mut prev_name = carer.map_or("the start location".to_string(), |c| {
        format!("{}'s start location", c.id)
    });
    let mut prev_visit_end = ss;
    let mut prev_end_any = ss;
    let mut pending_break: Option<(i64, i64)> = None;
    let mut n_visits = 0usize;
    let mut n_breaks = 0usize;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stop_travel: u64 = 0;
    let mut care: u64 = 0;

    for stop in &round.stops {
        match stop {
            Stop::Break(b) => {
                n_breaks += 1;
                let (bs, be) = (mins(b.start), mins(b.end));
                if let Some(k) = brk {
                    if be - bs != i64::from(k.minutes) {
                        out.push(
                            "break",
                            format!(
                                "{label}: break {}-{} lasts {} min, the shift's break is {} min",
                                hm(bs),
                                hm(be),
                                be - bs,
                                k.minutes
                            ),
                        );
                    }
                    let (lo, hi) = (mins(k.earliest), mins(k.latest));
                    if bs < lo || bs > hi {
                        out.push(
                            "break",
                            format!(
                                "{label}: break starts {}, outside its allowed start {}-{}",
                                hm(bs),
                                hm(lo),
                                hm(hi)
                            ),
                        );
                    }
                }
                if bs < prev_end_any {
                    let what = if n_visits == 0 && n_breaks == 1 {
                        format!("the shift starts at {}", hm(ss))
                    } else {
                        format!("{prev_name} is left no earlier than {}", hm(prev_end_any))
                    };
                    out.push(
                        "break",
                        format!("{label}: break starts {}, but {what}", hm(bs)),
                    );
                }
                pending_break = Some((bs, be));
                prev_end_any = prev_end_any.max(be);
            }
            Stop::Visit(v) => {
                n_visits += 1;
                let (a, s, e) = (mins(v.arrive), mins(v.start), mins(v.end));
                let known = ctx.visits.get(v.visit.as_str()).copied();
                let vname = format!("visit {}", v.visit);
                let mut place = None;
                match known {
                    None => out.push(
                        "visit-id",
                        format!(
                            "{label}: {vname} (client {}) is not in the request",
                            v.client
                        ),
                    ),
                    Some((client, visit)) => {
                        place = Some(Place::Client(client));
                        if v.client != client.id {
                            out.push(
                                "visit-id",
                                format!(
                                    "{label}: {vname} is stated for client {}, but belongs to client {}",
                                    v.client, client.id
                                ),
                            );
                        }
                        if seen.insert(visit.id.as_str()) {
                            assigns.push(Assign {
                                round: ri,
                                carer: round.carer.as_str(),
                                carer_ref: carer,
                                visit: visit.id.as_str(),
                                start: s,
                                end: e,
                                with: &v.with,
                                starts_with: v.starts_with.as_ref(),
                            });
                        } else {
                            out.push(
                                "visit-id",
                                format!("{label}: {vname} appears more than once in the round"),
                            );
                        }
                        if e - s != i64::from(visit.duration) {
                            out.push(
                                "duration",
                                format!(
                                    "{label}: {vname} runs {}-{} ({} min), its duration is {} min",
                                    hm(s),
                                    hm(e),
                                    e - s,
                                    visit.duration
                                ),
                            );
                        }
                        let (w1, w2) = (mins(visit.window.start), mins(visit.window.end));
                        if s < w1 || s > w2 {
                            let rel = if s < w1 { "before" } else { "after" };
                            out.push(
                                "window",
                                format!(
                                    "{label}: {vname} starts {}, {rel} its window {}-{}",
                                    hm(s),
                                    hm(w1),
                                    hm(w2)
                                ),
                            );
                        }
                        care += u64::from(visit.duration);
                    }
                }
                if known.is_none() {
                    care += u64::try_from(e - s).unwrap_or(0);
                }
                stop_travel += u64::from(v.travel_minutes);

                if a > s {
                    out.push(
                        "sequence",
                        format!(
                            "{label}: {vname} arrives {}, after its start {}",
                            hm(a),
                            hm(s)
                        ),
                    );
                }
                if n_visits > 1 && s < prev_visit_end {
                    out.push(
                        "sequence",
                        format!(
                            "{label}: {vname} starts {}, before the previous visit ends {} (out of order or overlapping)",
                            hm(s),
                            hm(prev_visit_end)
                        ),
                    );
                }
                if e > se {
                    out.push(
                        "shift",
                        format!(
                            "{label}: {vname} ends {}, after the shift ends {}",
                            hm(e),
                            hm(se)
                        ),
                    );
                }
                let t = leg(ctx, mode, prev_place, place, label, out);
                if let Some(t) = t {
                    if i64::from(v.travel_minutes) != t {
                        out.push(
                            "travel",
                            format!(
                                "{label}: {vname} travel_minutes {} but travel from {prev_name} by {mode} takes {t} min",
                                v.travel_minutes
                            ),
                        );
                    }
                    let leave = a.saturating_sub(t);
                    if leave < prev_visit_end {
                        if n_visits == 1 {
                            out.push(
                                "shift",
                                format!(
                                    "{label}: {vname} arrives {} after {t} min of travel, so the carer left {prev_name} at {}, before the shift starts {}",
                                    hm(a),
                                    hm(leave),
                                    hm(ss)
                                ),
                            );
                        } else {
                            out.push(
                                "sequence",
                                format!(
                                    "{label}: {vname} arrives {} after {t} min of travel, so the carer left {prev_name} at {}, before that visit ends {}",
                                    hm(a),
                                    hm(leave),
                                    hm(prev_visit_end)
                                ),
                            );
                        }
                    }
                    if let Some((bs, be)) = pending_break
                        && overlaps(bs, be, leave, a)
                    {
                        out.push(
                                "break",
                                format!(
                                    "{label}: break {}-{} overlaps the {t} min travel to {vname} ({}-{})",
                                    hm(bs),
                                    hm(be),
                                    hm(leave),
                                    hm(a)
                                ),
                            );
                    }
                } else if n_visits == 1 && a < ss {
                    out.push(
                        "shift",
                        format!(
                            "{label}: {vname} arrives {}, before the shift starts {}",
                            hm(a),
                            hm(ss)
                        ),
                    );
                }
                if let Some((bs, be)) = pending_break
                    && be > s
                {
                    out.push(
                        "break",
                        format!(
                            "{label}: break {}-{} ends after {vname} starts {}",
                            hm(bs),
                            hm(be),
                            hm(s)
                        ),
                    );
                }
                prev_place = place;
                prev_name = match known {
                    Some((c, _)) => format!("client {}", c.id),
                    None => format!("unknown {vname}"),
                };
                prev_visit_end = e;
                prev_end_any = prev_end_any.max(e);
                pending_break = None;
            }
        }
    }

    // Break count.
    if n_visits == 0 {
        if n_breaks > 0 {
            out.push(
                "break",
                format!("{label}: the round has a break stop but no visits"),
            );
        }
    } else if shift.is_some() {
        // A carer absent from before the break's latest start may have
        // left without it (docs/replan.md, "Absences").
        let waived = |k: &crate::model::Break| {
            ctx.absent
                .get(round.carer.as_str())
                .is_some_and(|&f| mins(k.latest) >= f)
        };
        match brk {
            Some(k) if n_breaks == 0 && waived(k) => {}
            Some(k) if n_breaks != 1 => out.push(
                "break",
                format!(
                    "{label}: {n_breaks} break stops; the shift has a break of {} min (start {}-{}), exactly one is needed",
                    k.minutes,
                    hm(mins(k.earliest)),
                    hm(mins(k.latest))
                ),
            ),
            None if n_breaks > 0 => out.push(
                "break",
                format!("{label}: {n_breaks} break stop(s) but the shift has no break"),
            ),
            _ => {}
        }
    }

    // Return.
    let mut ret_travel: Option<i64> = Some(0);
    match (n_visits, round.return_time) {
        (0, None) => {}
        (0, Some(r)) => out.push(
            "return",
            format!(
                "{label}: return is {} but the round has no visits (must be null)",
                hm(mins(r))
            ),
        ),
        (_, None) => {
            out.push(
                "return",
                format!("{label}: the round has visits but return is null"),
            );
            ret_travel = None;
        }
        (_, Some(r)) => {
            let r = mins(r);
            if r > se {
                out.push(
                    "shift",
                    format!(
                        "{label}: returns {}, after the shift ends {}",
                        hm(r),
                        hm(se)
                    ),
                );
            }
            ret_travel = leg(ctx, mode, prev_place, carer.map(Place::End), label, out);
            if let Some(t) = ret_travel {
                let blen = pending_break.map_or(0, |(bs, be)| (be - bs).max(0));
                let earliest = prev_visit_end.saturating_add(t).saturating_add(blen);
                if r < earliest {
                    let with_break = if blen > 0 {
                        format!(" + {blen} min break")
                    } else {
                        String::new()
                    };
                    out.push(
                        "return",
                        format!(
                            "{label}: returns {}, but the last visit ends {} and the journey from {prev_name} to the end location takes {t} min{with_break}: earliest {}",
                            hm(r),
                            hm(prev_visit_end),
                            hm(earliest)
                        ),
                    );
                }
                if let Some((bs, be)) = pending_break {
                    if overlaps(bs, be, r.saturating_sub(t), r) {
                        out.push(
                            "break",
                            format!(
                                "{label}: break {}-{} overlaps the {t} min return travel ({}-{})",
                                hm(bs),
                                hm(be),
                                hm(r.saturating_sub(t)),
                                hm(r)
                            ),
                        );
                    }
                    if be > r {
                        out.push(
                            "break",
                            format!(
                                "{label}: break {}-{} ends after the return {}",
                                hm(bs),
                                hm(be),
                                hm(r)
                            ),
                        );
                    }
                }
            }
        }
    }

    // Round figures.
    if let Some(t) = ret_travel {
        let expected = stop_travel + u64::try_from(t).unwrap_or(0);
        if u64::from(round.travel_minutes) != expected {
            out.push(
                "round-figures",
                format!(
                    "{label}: travel_minutes {} but its stops' travel plus the return leg is {expected}",
                    round.travel_minutes
                ),
            );
        }
    }
    if u64::from(round.care_minutes) != care {
        out.push(
            "round-figures",
            format!(
                "{label}: care_minutes {} but its visits last {care} min",
                round.care_minutes
            ),
        );
    }
}
