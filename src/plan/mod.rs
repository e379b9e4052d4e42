//! A solver's [`Solution`] as the contract's [`Plan`]: stops with arrival,
//! start and end times, the break placed in the first gap that holds it,
//! round and summary figures, and every unserved client with its reasons.

pub mod continuity;
pub mod figures;
pub mod locks;
pub mod timing;

use crate::error::RotaError;
use crate::model::{
    BreakStop, LatenessSummary, Plan, Reason, Round, ShiftTimes, StartsWithStop, Status, Stop,
    Summary, Unserved, VisitStop, time_of_minutes,
};
use crate::problem::Problem;
use crate::solve::Solution;

/// What a solver knows beyond its solution.
#[derive(Debug, Clone)]
pub struct PlanMeta {
    pub date: chrono::NaiveDate,
    pub status: Status,
    pub upper_bound_priority: Option<i64>,
    pub solve_seconds: f64,
    /// Reasons for each client (used for the unserved ones).
    pub reasons: Vec<Vec<Reason>>,
}

fn time(m: i32) -> Result<chrono::NaiveTime, RotaError> {
    if (0..1440).contains(&m) {
        Ok(time_of_minutes(m))
    } else {
        Err(RotaError::Internal(format!(
            "a time of {m} minutes falls outside the day"
        )))
    }
}

/// Build the plan with the journeys timed by latest departure and no
/// early-arrival buffer (see [`timing`]). Fails (internal error) only if the
/// solution breaks a timing rule, which would be a solver bug.
pub fn build_plan(p: &Problem, sol: &Solution, meta: PlanMeta) -> Result<Plan, RotaError> {
    build_plan_with_buffer(p, sol, meta, 0)
}

/// [`build_plan`] with carers arriving `buffer` minutes before each call
/// when the gap allows (`settings.early_arrival_minutes`).
pub fn build_plan_with_buffer(
    p: &Problem,
    sol: &Solution,
    meta: PlanMeta,
    buffer: i32,
) -> Result<Plan, RotaError> {
    let partner = partners(p);
    let rounds = (0..p.rounds.len())
        .map(|r| build_round(p, sol, r, buffer, &partner))
        .collect::<Result<Vec<_>, _>>()?;
    finish(p, sol, meta, rounds)
}

fn bug(m: String) -> RotaError {
    RotaError::Internal(format!("solution is not schedulable: {m}"))
}

fn break_stop(b: &crate::problem::BreakSpec, start: i32) -> Result<Stop, RotaError> {
    Ok(Stop::Break(BreakStop {
        start: time(start)?,
        end: time(start + b.minutes)?,
    }))
}

/// One round's stops and figures, timed by [`timing`].
fn build_round(
    p: &Problem,
    sol: &Solution,
    r: usize,
    buffer: i32,
    partner: &[Option<usize>],
) -> Result<Round, RotaError> {
    let spec = &p.rounds[r];
    let carer = &p.carers[spec.carer].id;
    let route = &sol.routes[r];
    let mut stops = Vec::with_capacity(route.len() + 1);
    let mut prev_end = spec.start;
    let mut prev_node = spec.start_node;
    let mut brk = if route.is_empty() { None } else { spec.brk };
    let break_gap = brk.and_then(|b| break_gap(p, sol, r, &b));
    let mut travel_total = 0i32;
    let mut care = 0i32;
    for (i, &v) in route.iter().enumerate() {
        let vs = &p.visits[v];
        let start = sol.start[v].ok_or_else(|| bug(format!("{} has no start", vs.id)))?;
        let t = p.time(r, prev_node, vs.node);
        let here = brk.filter(|_| break_gap == Some(i));
        let gap = timing::visit_gap(prev_end, start, t, here.as_ref(), buffer)
            .filter(|_| start >= vs.tw_start && start <= vs.tw_end)
            .ok_or_else(|| bug(format!("{} in round of {carer}", vs.id)))?;
        if let (Some(b), Some(bs)) = (brk, gap.break_start) {
            brk = None;
            stops.push(break_stop(&b, bs)?);
        }
        let with = sol.rounds_of[v]
            .iter()
            .filter(|&&o| o != r)
            .map(|&o| p.carers[p.rounds[o].carer].id.clone())
            .collect();
        stops.push(Stop::Visit(VisitStop {
            visit: vs.id.clone(),
            client: p.clients[vs.client].id.clone(),
            arrive: time(gap.arrive)?,
            start: time(start)?,
            end: time(start + vs.duration)?,
            travel_minutes: t as u32,
            with,
            late_minutes: late_minutes(p, v, start),
            starts_with: partner[v].and_then(|w| starts_with(p, sol, w)),
        }));
        travel_total += t;
        care += vs.duration;
        prev_end = start + vs.duration;
        prev_node = vs.node;
    }
    let return_time = if route.is_empty() {
        None
    } else {
        let t = p.time(r, prev_node, spec.end_node);
        let here = brk.filter(|_| break_gap == Some(route.len()));
        let gap = timing::return_gap(prev_end, spec.end, t, here.as_ref())
            .ok_or_else(|| bug(format!("round of {carer} returns late")))?;
        if let (Some(b), Some(bs)) = (brk, gap.break_start) {
            brk = None;
            stops.push(break_stop(&b, bs)?);
        }
        travel_total += t;
        Some(time(gap.arrive)?)
    };
    if brk.is_some() {
        return Err(bug(format!("no room for the break of {carer}")));
    }
    Ok(Round {
        carer: carer.clone(),
        shift: ShiftTimes {
            start: time(spec.start)?,
            end: time(spec.end)?,
        },
        travel_mode: spec.mode.as_str().to_string(),
        stops,
        return_time,
        travel_minutes: travel_total as u32,
        care_minutes: care as u32,
    })
}

/// The gap (index: before that visit, `route.len()` for the way home) that
/// takes the break: the first where it comes before the journey, else the
/// first that holds it at all (on arrival).
fn break_gap(
    p: &Problem,
    sol: &Solution,
    r: usize,
    b: &crate::problem::BreakSpec,
) -> Option<usize> {
    let spec = &p.rounds[r];
    let route = &sol.routes[r];
    let mut gaps = Vec::with_capacity(route.len() + 1);
    let (mut pe, mut node) = (spec.start, spec.start_node);
    for &v in route {
        let start = sol.start[v]?;
        gaps.push((pe, start, p.time(r, node, p.visits[v].node), false));
        pe = start + p.visits[v].duration;
        node = p.visits[v].node;
    }
    gaps.push((pe, spec.end, p.time(r, node, spec.end_node), true));
    let place = |&(pe, ns, t, last): &(i32, i32, i32, bool)| {
        crate::solve::timing::gap::break_place(b, pe, ns, t, last)
    };
    gaps.iter()
        .position(|g| place(g).is_some_and(|pl| !pl.travel_first))
        .or_else(|| gaps.iter().position(|g| place(g).is_some()))
}

/// Each visit's partner in a pair of visits that start together (a link of
/// lag 0..=0: a request's `starts_with`, docs/format.md "Visits that start
/// together").
fn partners(p: &Problem) -> Vec<Option<usize>> {
    let mut partner = vec![None; p.visits.len()];
    for l in p.links.iter().filter(|l| l.min_lag == 0 && l.max_lag == 0) {
        partner[l.first] = Some(l.second);
        partner[l.second] = Some(l.first);
    }
    partner
}

/// A stop's `starts_with`: partner visit `w` and its carer; `None` when
/// `w` is not served (the client is then partly served, which the checker
/// refuses, so it does not happen in a plan that is returned).
fn starts_with(p: &Problem, sol: &Solution, w: usize) -> Option<StartsWithStop> {
    let &r = sol.rounds_of[w].first()?;
    Some(StartsWithStop {
        visit: p.visits[w].id.clone(),
        carer: p.carers[p.rounds[r].carer].id.clone(),
    })
}

/// Minutes visit `v` starting at `start` is after its due (docs/format.md,
/// "Due times"); `None` when on time or without a due.
fn late_minutes(p: &Problem, v: usize, start: i32) -> Option<u32> {
    let late = p.visits[v].late_after.map_or(0, |due| start - due);
    (late > 0).then_some(late as u32)
}

/// `summary.lateness`: present when any visit has a due; a double-up's
/// call counts once.
fn lateness(p: &Problem, sol: &Solution) -> Option<LatenessSummary> {
    if p.visits.iter().all(|v| v.late_after.is_none()) {
        return None;
    }
    let mut out = LatenessSummary::default();
    for (v, start) in sol.start.iter().enumerate() {
        if let Some(late) = start.and_then(|s| late_minutes(p, v, s)) {
            out.calls += 1;
            out.total_minutes += u64::from(late);
            out.largest_minutes = out.largest_minutes.max(late);
        }
    }
    Some(out)
}

/// Unserved clients with their reasons, and the summary.
fn finish(
    p: &Problem,
    sol: &Solution,
    meta: PlanMeta,
    rounds: Vec<Round>,
) -> Result<Plan, RotaError> {
    let mut unserved = Vec::new();
    let (mut clients_served, mut priority_served, mut visits_served) = (0u32, 0u64, 0u32);
    for (k, c) in p.clients.iter().enumerate() {
        if sol.is_served(p, k) {
            clients_served += 1;
            priority_served += p.true_priority(k).max(0) as u64;
            visits_served += c.visits.len() as u32;
        } else {
            if c.visits.iter().any(|&v| sol.start[v].is_some()) {
                return Err(bug(format!("client {} is served in part", c.id)));
            }
            let reasons = meta.reasons.get(k).cloned().unwrap_or_default();
            if reasons.is_empty() {
                return Err(bug(format!("client {} is unserved without a reason", c.id)));
            }
            unserved.push(Unserved {
                client: c.id.clone(),
                reasons,
            });
        }
    }
    let continuity = (0..p.visits.len())
        .flat_map(|v| sol.rounds_of[v].iter().map(move |&r| (v, r)))
        .filter(|&(v, r)| p.is_preferred(v, r))
        .count() as u32;
    let summary = Summary {
        clients_total: p.clients.len() as u32,
        clients_served,
        priority_served,
        visits_total: p.visits.len() as u32,
        visits_served,
        care_minutes: rounds.iter().map(|r| r.care_minutes as u64).sum(),
        travel_minutes: rounds.iter().map(|r| r.travel_minutes as u64).sum(),
        continuity_assignments: continuity,
        upper_bound_priority: meta.upper_bound_priority.map(|b| b.max(0) as u64),
        gap: meta
            .upper_bound_priority
            .map(|b| relative_gap(b, priority_served)),
        status: meta.status,
        solve_seconds: meta.solve_seconds,
        key_figures: None,
        continuity_kept: None,
        replan: None,
        lateness: lateness(p, sol),
    };
    let mut plan = Plan {
        date: meta.date,
        summary,
        rounds,
        unserved,
        warnings: Vec::new(),
        issued: None,
    };
    plan.summary.key_figures = Some(figures::key_figures(&plan));
    Ok(plan)
}

/// `(bound - served) / bound`, rounded to 4 decimals (0 for an empty day).
pub fn relative_gap(bound: i64, served: u64) -> f64 {
    if bound <= 0 {
        return 0.0;
    }
    let g = (bound as f64 - served as f64).max(0.0) / bound as f64;
    (g * 10_000.0).round() / 10_000.0
}
