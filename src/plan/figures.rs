//! The plan's key figures (`summary.key_figures`, an extension): hours
//! delivered, care/travel/break/idle per round, early and late shift load,
//! continuity share, computed from the plan alone. The checker re-derives
//! them with its own code (`check/figures.rs`).

use crate::model::{KeyFigures, Plan, Round, RoundFigures, ShiftLoad, Stop, minutes_of_day};

/// Shifts starting before this minute of the day (12:00) are early shifts.
pub const LATE_SHIFT_FROM: i32 = 12 * 60;

/// `x` rounded to `places` decimals.
fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `part / whole` rounded to 3 decimals, 0 when `whole` is 0.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round_to(part as f64 / whole as f64, 3)
    }
}

/// Shift length of a round in minutes (0 if it ends before it starts).
fn shift_minutes(r: &Round) -> u32 {
    (minutes_of_day(r.shift.end) - minutes_of_day(r.shift.start)).max(0) as u32
}

/// How round `r` spends its shift.
pub(crate) fn round_figures(r: &Round) -> RoundFigures {
    let shift = shift_minutes(r);
    let break_minutes: u32 = r
        .stops
        .iter()
        .map(|s| match s {
            Stop::Break(b) => (minutes_of_day(b.end) - minutes_of_day(b.start)).max(0) as u32,
            Stop::Visit(_) => 0,
        })
        .sum();
    let busy = r.care_minutes + r.travel_minutes + break_minutes;
    let idle = shift.saturating_sub(busy);
    RoundFigures {
        carer: r.carer.clone(),
        shift_start: r.shift.start,
        shift_minutes: shift,
        care_minutes: r.care_minutes,
        travel_minutes: r.travel_minutes,
        break_minutes,
        idle_minutes: idle,
        care_share: share(r.care_minutes.into(), shift.into()),
        travel_share: share(r.travel_minutes.into(), shift.into()),
        idle_share: share(idle.into(), shift.into()),
    }
}

/// The load of the rounds for which `pick` holds.
fn shift_load(plan: &Plan, pick: impl Fn(&Round) -> bool) -> ShiftLoad {
    let rounds: Vec<&Round> = plan.rounds.iter().filter(|r| pick(r)).collect();
    let shift_minutes: u64 = rounds.iter().map(|r| u64::from(shift_minutes(r))).sum();
    let care_minutes: u64 = rounds.iter().map(|r| u64::from(r.care_minutes)).sum();
    let travel_minutes: u64 = rounds.iter().map(|r| u64::from(r.travel_minutes)).sum();
    ShiftLoad {
        rounds: rounds.len() as u32,
        rounds_used: rounds.iter().filter(|r| visit_count(r) > 0).count() as u32,
        visits: rounds.iter().map(|r| visit_count(r)).sum(),
        shift_minutes,
        care_minutes,
        travel_minutes,
        load: share(care_minutes + travel_minutes, shift_minutes),
    }
}

pub fn visit_count(r: &Round) -> u32 {
    r.stops
        .iter()
        .filter(|s| matches!(s, Stop::Visit(_)))
        .count() as u32
}

/// The key figures of a plan, from its rounds and
/// `summary.continuity_assignments` alone (docs/format.md, "Key figures").
pub fn key_figures(plan: &Plan) -> KeyFigures {
    let mut client_minutes: std::collections::BTreeMap<&str, u64> = Default::default();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                let d = (minutes_of_day(v.end) - minutes_of_day(v.start)).max(0) as u64;
                client_minutes.insert(v.visit.as_str(), d);
            }
        }
    }
    let carer_minutes: u64 = plan.rounds.iter().map(|r| u64::from(r.care_minutes)).sum();
    let assignments: u32 = plan.rounds.iter().map(visit_count).sum();
    let late = |r: &Round| minutes_of_day(r.shift.start) >= LATE_SHIFT_FROM;
    KeyFigures {
        client_care_hours: round_to(client_minutes.values().sum::<u64>() as f64 / 60.0, 2),
        carer_care_hours: round_to(carer_minutes as f64 / 60.0, 2),
        rounds_used: plan.rounds.iter().filter(|r| visit_count(r) > 0).count() as u32,
        rounds_total: plan.rounds.len() as u32,
        assignments,
        continuity_share: share(
            plan.summary.continuity_assignments.into(),
            assignments.into(),
        ),
        early_shifts: shift_load(plan, |r| !late(r)),
        late_shifts: shift_load(plan, late),
        rounds: plan.rounds.iter().map(round_figures).collect(),
    }
}
