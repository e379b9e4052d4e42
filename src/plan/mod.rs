//! A solver's [`Solution`] as the contract's [`Plan`]: stops with arrival,
//! start and end times, the break placed in the first gap that holds it,
//! round and summary figures, and every unserved client with its reasons.

pub mod continuity;
pub mod figures;
pub mod locks;

use crate::error::RotaError;
use crate::model::{
    BreakStop, Plan, Reason, Round, ShiftTimes, Status, Stop, Summary, Unserved, VisitStop,
    time_of_minutes,
};
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::schedule::break_place;

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

/// Build the plan. Fails (internal error) only if the solution breaks a
/// timing rule, which would be a solver bug.
pub fn build_plan(p: &Problem, sol: &Solution, meta: PlanMeta) -> Result<Plan, RotaError> {
    let bug = |m: String| RotaError::Internal(format!("solution is not schedulable: {m}"));
    let mut rounds = Vec::with_capacity(p.rounds.len());
    for (r, spec) in p.rounds.iter().enumerate() {
        let carer = &p.carers[spec.carer].id;
        let route = &sol.routes[r];
        let mut stops = Vec::with_capacity(route.len() + 1);
        let mut prev_end = spec.start;
        let mut prev_node = spec.start_node;
        let mut brk = if route.is_empty() { None } else { spec.brk };
        let mut travel_total = 0i32;
        let mut care = 0i32;
        // Takes the break in the gap (prev_end -> next_start, travel t) if it
        // holds it; returns when the carer sets off.
        let mut take_break =
            |prev_end: i32, next_start: i32, t: i32, last: bool, stops: &mut Vec<Stop>| {
                if let Some(b) = brk
                    && let Some(place) = break_place(&b, prev_end, next_start, t, last)
                {
                    brk = None;
                    stops.push(Stop::Break(BreakStop {
                        start: time(place.start)?,
                        end: time(place.start + b.minutes)?,
                    }));
                    return Ok(if place.travel_first {
                        prev_end
                    } else {
                        place.start + b.minutes
                    });
                }
                Ok::<i32, RotaError>(prev_end)
            };
        for &v in route {
            let vs = &p.visits[v];
            let start = sol.start[v].ok_or_else(|| bug(format!("{} has no start", vs.id)))?;
            let t = p.time(r, prev_node, vs.node);
            let depart = take_break(prev_end, start, t, false, &mut stops)?;
            let arrive = depart + t;
            if arrive > start || start < vs.tw_start || start > vs.tw_end {
                return Err(bug(format!("{} in round of {carer}", vs.id)));
            }
            let with = sol.rounds_of[v]
                .iter()
                .filter(|&&o| o != r)
                .map(|&o| p.carers[p.rounds[o].carer].id.clone())
                .collect();
            stops.push(Stop::Visit(VisitStop {
                visit: vs.id.clone(),
                client: p.clients[vs.client].id.clone(),
                arrive: time(arrive)?,
                start: time(start)?,
                end: time(start + vs.duration)?,
                travel_minutes: t as u32,
                with,
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
            let depart = take_break(prev_end, spec.end, t, true, &mut stops)?;
            travel_total += t;
            if depart + t > spec.end {
                return Err(bug(format!("round of {carer} returns late")));
            }
            Some(time(depart + t)?)
        };
        if brk.is_some() {
            return Err(bug(format!("no room for the break of {carer}")));
        }
        rounds.push(Round {
            carer: carer.clone(),
            shift: ShiftTimes {
                start: time(spec.start)?,
                end: time(spec.end)?,
            },
            travel_mode: crate::model::MODES[spec.mode].to_string(),
            stops,
            return_time,
            travel_minutes: travel_total as u32,
            care_minutes: care as u32,
        });
    }

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
    };
    let mut plan = Plan {
        date: meta.date,
        summary,
        rounds,
        unserved,
        warnings: Vec::new(),
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
