//! Reason codes for unserved clients, most specific first
//! (docs/reasons.md).
//!
//! Static reasons hold for any plan (no carer could ever do a visit): each is
//! a proof from a relaxation. When none applies, the client was left out for
//! `CAPACITY`, derived from the final plan: eligible carers exist but are
//! booked when its visit could happen; the reason names their calls then and,
//! where one exists, the smallest extra round (cloned from an eligible
//! carer's) that lets the client into this very plan.

use std::collections::BTreeSet;

use crate::model::{MODES, Reason, time_of_minutes};
use crate::problem::{CarerSpec, Ineligible, Problem, RoundSpec};
use crate::solve::Solution;
use crate::solve::greedy::insert_client;

pub const NO_ELIGIBLE_CARER: &str = "NO_ELIGIBLE_CARER";
pub const TOO_FEW_CARERS_FOR_DOUBLE_UP: &str = "TOO_FEW_CARERS_FOR_DOUBLE_UP";
pub const VISIT_TOO_LONG_FOR_SHIFT: &str = "VISIT_TOO_LONG_FOR_SHIFT";
pub const NO_CARER_ON_SHIFT_IN_WINDOW: &str = "NO_CARER_ON_SHIFT_IN_WINDOW";
pub const TOO_FAR_TO_REACH_IN_WINDOW: &str = "TOO_FAR_TO_REACH_IN_WINDOW";
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

/// Up to six carer ids, then "and N more".
fn names(p: &Problem, carers: &[usize]) -> String {
    let mut out: Vec<String> = carers
        .iter()
        .take(6)
        .map(|&c| p.carers[c].id.clone())
        .collect();
    if carers.len() > 6 {
        out.push(format!("and {} more", carers.len() - 6));
    }
    out.join(", ")
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

/// Distinct carers of a list of rounds.
fn carers_of(p: &Problem, rounds: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let set: BTreeSet<usize> = rounds.into_iter().map(|r| p.rounds[r].carer).collect();
    set.into_iter().collect()
}

/// The shifts of the eligible rounds of `v`, for messages: `C01 07:00-15:00`.
fn shifts_of(p: &Problem, rounds: &[usize]) -> String {
    let mut out: Vec<String> = rounds
        .iter()
        .take(6)
        .map(|&r| {
            let spec = &p.rounds[r];
            format!(
                "{} {}-{}",
                p.carers[spec.carer].id,
                hhmm(spec.start),
                hhmm(spec.end)
            )
        })
        .collect();
    if rounds.len() > 6 {
        out.push(format!("and {} more", rounds.len() - 6));
    }
    out.join(", ")
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
            return Some(reason(
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
            return Some(reason(
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
                        MODES[p.rounds[r].mode]
                    )
                })
                .collect();
            return Some(reason(
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

/// One more round that lets a client into a plan: a clone of `like`'s
/// carer (mode, start and end location, skills, gender) on shift
/// `start`-`end`, without a break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRound {
    pub like: usize,
    pub start: i32,
    pub end: i32,
}

impl ExtraRound {
    /// "one more driver like C05 on a late shift 19:00-21:00".
    pub fn describe(&self, p: &Problem) -> String {
        self.describe_n(p, 1)
    }

    /// [`Self::describe`] for `n` such rounds ("two more drivers like ...").
    pub fn describe_n(&self, p: &Problem, n: usize) -> String {
        let spec = &p.rounds[self.like];
        let who = match MODES[spec.mode] {
            "drive" => "driver",
            "bike" => "cyclist",
            _ => "walker",
        };
        let shift = if self.start < 12 * 60 {
            "an early shift"
        } else {
            "a late shift"
        };
        let (count, who, shift) = match n {
            1 => ("one".to_string(), who.to_string(), shift.to_string()),
            2 => (
                "two".to_string(),
                format!("{who}s"),
                shift.replace("an ", "").replace("a ", ""),
            ),
            n => (
                n.to_string(),
                format!("{who}s"),
                shift.replace("an ", "").replace("a ", ""),
            ),
        };
        let shift = if n > 1 { format!("{shift}s") } else { shift };
        format!(
            "{count} more {who} like {} on {shift} {}-{}",
            p.carers[spec.carer].id,
            hhmm(self.start),
            hhmm(self.end)
        )
    }
}

/// Shift lengths tried for an extra round, shortest first (minutes).
pub const EXTRA_LENGTHS: [i32; 7] = [60, 90, 120, 180, 240, 360, 480];

/// `p` with one more carer cloned from round `like`'s carer, on one round
/// without a break; the new round is the last one. Exclusions do not carry
/// over (the clone is another person); skills and gender do.
pub fn with_extra_round(p: &Problem, like: usize, start: i32, end: i32) -> Problem {
    let mut q = p.clone();
    let spec = &p.rounds[like];
    let carer = q.carers.len();
    let r = q.rounds.len();
    q.rounds.push(RoundSpec {
        carer,
        start,
        end,
        brk: None,
        ..spec.clone()
    });
    q.carers.push(CarerSpec {
        id: format!("{}+", p.carers[spec.carer].id),
        rounds: vec![r],
    });
    for v in 0..q.visits.len() {
        let why = match &q.ineligible[v][spec.carer] {
            Some(Ineligible::Excluded) => None,
            w => w.clone(),
        };
        if why.is_none() {
            q.eligible[v].push(r);
        }
        q.ineligible[v].push(why);
    }
    q
}

/// The smallest extra round (shortest shift, then earliest start; over the
/// rounds of the carers eligible for `v`, at most four templates, nearest
/// to the client first) for which `fits` holds on `p` with `clones` copies of
/// that round added (as the last rounds) and `sol` extended with them.
/// `None` if no shift of up to 8 hours does it.
fn smallest_extra(
    p: &Problem,
    sol: &Solution,
    k: usize,
    v: usize,
    clones: usize,
    fits: impl Fn(&Problem, &mut Solution) -> bool,
) -> Option<ExtraRound> {
    let vs = &p.visits[v];
    // Templates: one round per distinct (mode, start, end node, eligibility
    // for the client's visits) of eligible carers.
    let mut templates: Vec<(i32, usize)> = Vec::new();
    let mut seen = BTreeSet::new();
    for &r in &p.eligible[v] {
        let spec = &p.rounds[r];
        let eligible_for_all = p.clients[k]
            .visits
            .iter()
            .map(|&u| p.ineligible[u][spec.carer].is_none())
            .collect::<Vec<_>>();
        if seen.insert((spec.mode, spec.start_node, spec.end_node, eligible_for_all)) {
            templates.push((p.time(r, spec.start_node, vs.node), r));
        }
    }
    templates.sort();
    templates.truncate(4);
    let mut bases: Vec<(usize, Problem, Solution)> = templates
        .iter()
        .map(|&(_, r)| {
            let mut q = p.clone();
            let mut s = sol.clone();
            for _ in 0..clones {
                q = with_extra_round(&q, r, 0, 0);
                s.routes.push(Vec::new());
            }
            (r, q, s)
        })
        .collect();
    for len in EXTRA_LENGTHS {
        // Starts on the half hour from `len` before the window to its end.
        let mut start = ((vs.tw_start - len).max(0) / 30) * 30;
        while start <= vs.tw_end && start + len <= 24 * 60 {
            if start + len >= vs.tw_start + vs.duration {
                for (like, q, base) in bases.iter_mut() {
                    let n = q.rounds.len();
                    for extra in n - clones..n {
                        q.rounds[extra].start = start;
                        q.rounds[extra].end = start + len;
                    }
                    let mut s = base.clone();
                    if fits(q, &mut s) {
                        return Some(ExtraRound {
                            like: *like,
                            start,
                            end: start + len,
                        });
                    }
                }
            }
            start += 30;
        }
    }
    None
}

/// The smallest extra round with which client `k` fits into `sol` by the
/// greedy's insertion, every other call keeping its carer (see
/// [`smallest_extra`]); `v` is the visit that does not fit without it.
pub fn smallest_extra_round(p: &Problem, sol: &Solution, k: usize, v: usize) -> Option<ExtraRound> {
    smallest_extra(p, sol, k, v, 1, |q, s| insert_client(q, s, k).is_ok())
}

/// Extra rounds that let client `k` into `sol`: one round if one does it;
/// else, for each visit of the client that does not fit into `sol` on its
/// own, the smallest extra round (two alike, for a double-up that one cannot
/// rescue) that takes that visit, all of them together verified by
/// inserting the whole client. `None` if that does not work either.
pub fn extra_rounds_for(
    p: &Problem,
    sol: &Solution,
    k: usize,
    v: usize,
) -> Option<Vec<ExtraRound>> {
    if let Some(x) = smallest_extra_round(p, sol, k, v) {
        return Some(vec![x]);
    }
    let mut extras: Vec<ExtraRound> = Vec::new();
    for &u in &p.clients[k].visits {
        let alone = |q: &Problem, s: &mut Solution| {
            let mut undo = crate::solve::greedy::Undo::default();
            crate::solve::greedy::insert_visit(q, s, u, &mut undo)
        };
        if alone(p, &mut sol.clone()) {
            continue;
        }
        let x = smallest_extra(p, sol, k, u, 1, alone);
        match x {
            Some(x) => extras.push(x),
            None if p.visits[u].required > 1 => {
                let x = smallest_extra(p, sol, k, u, 2, alone)?;
                extras.push(x.clone());
                extras.push(x);
            }
            None => return None,
        }
    }
    if extras.is_empty() {
        return None;
    }
    let mut q = p.clone();
    let mut s = sol.clone();
    for x in &extras {
        q = with_extra_round(&q, x.like, x.start, x.end);
        s.routes.push(Vec::new());
    }
    insert_client(&q, &mut s, k).ok().map(|_| extras)
}

/// Why client `k` is not in the final plan `sol`: its static reason, or
/// `CAPACITY` naming the visit that does not fit, the calls the eligible
/// carers have in its window, and the smallest extra round that would let
/// the client in (or that none of up to 8 hours does). `None` if the client
/// is served, or fits into `sol` as it stands (the caller should add it).
pub fn reasons_in_plan(p: &Problem, sol: &Solution, k: usize) -> Option<Vec<Reason>> {
    reasons_in_plan_until(p, sol, k, None)
}

/// [`reasons_in_plan`], trying extra rounds only until `deadline` (if
/// given): after it, a `CAPACITY` reason says that they were not tried.
/// On large days the extra-round search costs seconds per client, and the
/// plan must still come within its time limit.
pub fn reasons_in_plan_until(
    p: &Problem,
    sol: &Solution,
    k: usize,
    deadline: Option<std::time::Instant>,
) -> Option<Vec<Reason>> {
    if sol.is_served(p, k) {
        return None;
    }
    if let Some(r) = static_reason(p, k) {
        return Some(vec![r]);
    }
    let mut trial = sol.clone();
    let v = match insert_client(p, &mut trial, k) {
        Ok(()) => return None,
        Err(v) => v,
    };
    let vs = &p.visits[v];
    let alone = alone_windows(p, v);
    let rounds: Vec<usize> = alone.iter().map(|(r, _)| *r).collect();
    let carers = carers_of(p, rounds.iter().copied());
    let (from, to) = (vs.tw_start, vs.tw_end + vs.duration);
    // What the eligible carers who can reach the visit do in its span.
    let mut busy_minutes = 0i32;
    let mut booked = Vec::new();
    for &r in &rounds {
        let calls: Vec<String> = sol.routes[r]
            .iter()
            .filter_map(|&u| {
                let s = sol.start[u]?;
                let e = s + p.visits[u].duration;
                (s < to && e > from).then(|| {
                    busy_minutes += e.min(to) - s.max(from);
                    format!("{} {}-{}", p.visits[u].id, hhmm(s), hhmm(e))
                })
            })
            .collect();
        if !calls.is_empty() {
            booked.push(format!(
                "{} with {}",
                p.carers[p.rounds[r].carer].id,
                calls.join(", ")
            ));
        }
    }
    let free = rounds.len() - booked.len();
    let span = ((to - from) * rounds.len() as i32).max(1);
    let in_time = deadline.is_none_or(|d| std::time::Instant::now() < d);
    let extra = if in_time {
        extra_rounds_for(p, sol, k, v)
    } else {
        None
    };
    let message = format!(
        "visit {} ({} min, {} carer(s), to start {}): {} eligible carer(s) could reach it, and in {}-{} they are at calls {}% of the time{}{}; {}",
        vs.id,
        vs.duration,
        vs.required,
        window(p, v),
        carers.len(),
        hhmm(from),
        hhmm(to),
        (busy_minutes * 100 + span / 2) / span,
        if booked.is_empty() {
            String::new()
        } else {
            format!(" ({})", booked.join("; "))
        },
        if free > 0 {
            format!(
                "; {free} round(s) have no call then, but travel, the break or the calls around leave no room"
            )
        } else {
            String::new()
        },
        match extra.as_deref() {
            Some([x]) => format!("{} would let the client in", x.describe(p)),
            Some(xs) => {
                let mut groups: Vec<(&ExtraRound, usize)> = Vec::new();
                for x in xs {
                    match groups.iter_mut().find(|(g, _)| *g == x) {
                        Some((_, n)) => *n += 1,
                        None => groups.push((x, 1)),
                    }
                }
                format!(
                    "no single extra round does it, but {} would let the client in",
                    groups
                        .iter()
                        .map(|(x, n)| x.describe_n(p, *n))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            }
            None if !in_time => "extra rounds that would let the client in were not tried (the time limit was reached; `rota capacity` asks that question)".to_string(),
            None => "no single extra round of up to 8 h like an eligible carer's lets the client in beside this plan, nor one such round for each visit that does not fit".to_string(),
        }
    );
    Some(vec![Reason {
        code: CAPACITY.to_string(),
        message,
    }])
}

/// Add to `sol` every unserved client that fits as the plan stands (highest
/// priority first), so that `CAPACITY` is true of the plan returned.
pub fn fill_in(p: &Problem, sol: &mut Solution) {
    let candidates: Vec<usize> = crate::solve::greedy::client_order(p)
        .into_iter()
        .filter(|&k| !sol.is_served(p, k) && static_reason(p, k).is_none())
        .collect();
    // Until nothing more fits (each pass adds a client or stops).
    loop {
        let mut added = false;
        for &k in &candidates {
            if !sol.is_served(p, k) {
                let mut trial = sol.clone();
                if insert_client(p, &mut trial, k).is_ok() {
                    *sol = trial;
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
}

/// A valid upper bound on the priority any plan can serve: the priority of
/// every client without a static reason.
pub fn trivial_bound(p: &Problem) -> i64 {
    (0..p.clients.len())
        .filter(|&k| static_reason(p, k).is_none())
        .map(|k| p.clients[k].priority)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the deadline, a `CAPACITY` reason is still given, and says
    /// that extra rounds were not tried instead of claiming none works.
    #[test]
    fn capacity_after_the_deadline_says_extra_rounds_were_not_tried() {
        let p = Problem::from_json(include_str!("../../data/sample-day.json"));
        let mut sol = crate::solve::greedy::construct(&p).solution;
        fill_in(&p, &mut sol);
        let k = (0..p.clients.len())
            .find(|&k| reasons_in_plan(&p, &sol, k).is_some_and(|r| r[0].code == CAPACITY))
            .expect("the sample day's greedy plan leaves a client out for capacity");
        let late = reasons_in_plan_until(&p, &sol, k, Some(std::time::Instant::now())).unwrap();
        assert_eq!(late[0].code, CAPACITY);
        assert!(
            late[0].message.contains("were not tried"),
            "{}",
            late[0].message
        );
        let full = reasons_in_plan(&p, &sol, k).unwrap();
        assert!(!full[0].message.contains("were not tried"));
    }
}
