//! A proven upper bound on the priority any plan can serve: "no rota with
//! these carers could take more than N".
//!
//! Two relaxations, each valid on its own, and the least of them (and of
//! the simple bound, every client someone could serve) is the bound:
//!
//! * [`energetic`]: a small MIP of who does what with each round's time
//!   counted over intervals of the day (fast, loose on long rounds);
//! * [`colgen`]: column generation over whole rounds, whose Lagrangian
//!   bound at every exactly priced iteration is valid (tight, slower).
//!
//! docs/exact.md says what each relaxes and why each is valid.

pub mod colgen;
pub mod energetic;

use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::problem::Problem;
use crate::solve::reasons::trivial_bound;

pub use crate::solve::budget::BOUND_TIME_LIMIT;

/// The least of the simple and the energetic bound, within `time_limit`
/// seconds: what the plan has before the column generation is done.
pub fn quick_bound(p: &Problem, time_limit: f64) -> i64 {
    let simple = trivial_bound(p);
    energetic::energetic_bound(p, time_limit).map_or(simple, |b| b.min(simple))
}

/// The bound, within about `time_limit` seconds: the energetic bound (in at
/// most half of it), then the column generation in the rest. Never below
/// the best plan's priority (tests hold it against the exact solver).
pub fn upper_bound(p: &Problem, time_limit: f64) -> i64 {
    let started = Instant::now();
    let quick = quick_bound(p, (time_limit / 2.0).min(BOUND_TIME_LIMIT));
    let deadline = started + Duration::from_secs_f64(time_limit.max(0.0));
    let cg = colgen::bound(p, deadline, &OnceLock::new(), None, &|_| {});
    cg.bound.map_or(quick, |b| b.min(quick))
}

/// The column generation of `p` until `deadline` (on a thread of its
/// own beside the greedy and the search), picking up the rounds put in
/// `seeds` (the greedy's) when they come; every better bound it proves goes
/// to `ctl`'s progress at once (never raising it). Its result: the route
/// bound, if an iteration was priced exactly in time. Setting `stop` ends
/// it early (a cancelled plan does not wait for it).
pub fn route_bound(
    p: &Problem,
    deadline: Instant,
    seeds: &OnceLock<Vec<Vec<usize>>>,
    stop: &AtomicBool,
    ctl: &crate::control::SolveControl,
) -> Option<i64> {
    let live = |b: i64| ctl.tighten_bound(b.max(0) as u64);
    colgen::bound(p, deadline, seeds, Some(stop), &live).bound
}
