//! Control of a running solve from outside: cancellation and progress.
//!
//! The CLI, the HTTP service and the benchmarks all call the same
//! [`crate::plan_request_with`]; a [`SolveControl`] shared with the solver
//! lets the caller stop the search early (the best plan found so far is
//! still returned, checked) and read how far it has got while it runs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// Progress of a solve (a snapshot while it runs, the last one after).
// `rota serve` shows it as it is (`ProgressView` in its OpenAPI document),
// without `reported_at_seconds`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ProgressView)]
pub struct Progress {
    /// Seconds since the solve started.
    pub elapsed_seconds: f64,
    /// Clients fully served by the best plan so far.
    pub clients_served: usize,
    /// Priority served by the best plan so far.
    pub priority_served: u64,
    /// Travel minutes of the best plan so far.
    pub travel_minutes: u64,
    /// The best proven upper bound on priority known so far (null while
    /// the solver has not proved one).
    pub upper_bound_priority: Option<u64>,
    /// What the solver is doing.
    // e.g. "greedy", "search", "mip", "final" (the plan's own figures).
    pub phase: String,
    /// Seconds from the start to the last report (the last improvement).
    #[serde(skip)]
    pub reported_at_seconds: f64,
}

/// Shared between a solve and whoever started it; `Sync`, so it can sit in
/// an `Arc` read by another thread.
#[derive(Debug)]
pub struct SolveControl {
    started: Instant,
    cancelled: AtomicBool,
    progress: Mutex<Progress>,
}

impl Default for SolveControl {
    fn default() -> Self {
        SolveControl::new()
    }
}

impl SolveControl {
    pub fn new() -> SolveControl {
        SolveControl {
            started: Instant::now(),
            cancelled: AtomicBool::new(false),
            progress: Mutex::new(Progress::default()),
        }
    }

    /// Ask the solve to stop as soon as it can and return its best plan.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Called by the solver whenever its best plan or bound improves.
    pub fn report(&self, mut p: Progress) {
        p.elapsed_seconds = self.started.elapsed().as_secs_f64();
        p.reported_at_seconds = p.elapsed_seconds;
        if let Ok(mut g) = self.progress.lock() {
            // A bound proven on another thread since `p` was made stays.
            if let Some(b) = g.upper_bound_priority {
                p.upper_bound_priority = Some(p.upper_bound_priority.map_or(b, |x| x.min(b)));
            }
            *g = p;
        }
    }

    /// Lower the bound on priority to `bound` if that is less than the
    /// bound so far (bounds from several threads: each is valid, the least
    /// is the best).
    pub fn tighten_bound(&self, bound: u64) {
        if let Ok(mut g) = self.progress.lock() {
            let now = g.upper_bound_priority.map_or(bound, |b| b.min(bound));
            g.upper_bound_priority = Some(now);
        }
    }

    /// The latest snapshot, with the elapsed time brought up to now.
    pub fn progress(&self) -> Progress {
        let mut p = self.progress.lock().map(|g| g.clone()).unwrap_or_default();
        p.elapsed_seconds = self.started.elapsed().as_secs_f64();
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_seen_and_progress_is_kept() {
        let c = SolveControl::new();
        assert!(!c.is_cancelled());
        c.report(Progress {
            clients_served: 3,
            priority_served: 5,
            phase: "greedy".into(),
            ..Progress::default()
        });
        c.cancel();
        assert!(c.is_cancelled());
        let p = c.progress();
        assert_eq!((p.clients_served, p.priority_served), (3, 5));
        assert_eq!(p.phase, "greedy");
    }

    #[test]
    fn the_bound_only_comes_down() {
        let c = SolveControl::new();
        c.tighten_bound(69);
        c.tighten_bound(72);
        assert_eq!(c.progress().upper_bound_priority, Some(69));
        // A plan's report made before the route bound's 65 keeps the 65.
        let old = c.progress();
        c.tighten_bound(65);
        c.report(Progress {
            priority_served: 60,
            ..old
        });
        let p = c.progress();
        assert_eq!((p.priority_served, p.upper_bound_priority), (60, Some(65)));
    }
}
