//! How a solve spends its time limit (docs/limits.md, "What the time limit
//! covers"): [`TimeBudget`] owns the limit, counted from the moment the
//! work on a request began, and every share of it (the problem's building,
//! the bounds, the greedy, the search, the exact MIP's warm start, and the
//! reserve for the last steps: adding clients that still fit, their
//! reasons, the plan and its check). [`seconds`] is the one clamp of a
//! limit given in seconds. Under an iteration budget
//! (`settings.iterations`) nothing but the building looks at the clock.

use std::time::{Duration, Instant};

use crate::model::Request;

/// The largest time limit honoured, in seconds (about 11.6 days): larger
/// ones are taken as this, so that adding it to an `Instant` cannot
/// overflow.
pub const MAX_SECONDS: f64 = 1e6;

/// A time limit in seconds as a solve takes it: 0 to [`MAX_SECONDS`].
pub fn seconds(limit: f64) -> f64 {
    limit.clamp(0.0, MAX_SECONDS)
}

/// [`seconds`] as a `Duration`.
pub fn duration(limit: f64) -> Duration {
    Duration::from_secs_f64(seconds(limit))
}

/// How long the energetic relaxation (the quick bound) may take, in seconds.
pub const BOUND_TIME_LIMIT: f64 = 5.0;

/// Seconds the search's last polish may run past its end (the search's own
/// grace, see `solve::search`).
pub const POLISH_RESERVE: f64 = 0.25;

/// Trials per unserved client in the steps after the search: `fill_in`
/// (a pass, and a second one that finds nothing more) and the reasons (one
/// trial each, more for the extra rounds of `CAPACITY`).
pub const FINISH_TRIALS_PER_CLIENT: f64 = 3.0;

/// The time limit of one solve and its shares.
#[derive(Debug, Clone, Copy)]
pub struct TimeBudget {
    started: Instant,
    limit: f64,
    clocked: bool,
}

/// An instant far enough away to mean "never" (a million seconds).
fn far(from: Instant) -> Instant {
    from + Duration::from_secs(1_000_000)
}

impl TimeBudget {
    /// The request's `settings.time_limit_seconds`, counted from `started`
    /// (when the work on the request began: road travel times and building
    /// the problem count).
    pub fn of(req: &Request, started: Instant) -> TimeBudget {
        TimeBudget::new(
            req.settings.time_limit_seconds,
            req.settings.iterations.is_none(),
            started,
        )
    }

    /// `limit` seconds from `started`; `clocked` is false under an
    /// iteration budget.
    pub fn new(limit: f64, clocked: bool, started: Instant) -> TimeBudget {
        TimeBudget {
            started,
            limit: seconds(limit),
            clocked,
        }
    }

    /// When the limit started counting.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The limit, in seconds.
    pub fn limit_seconds(&self) -> f64 {
        self.limit
    }

    /// Seconds left before the limit (may be negative).
    pub fn left_seconds(&self) -> f64 {
        self.limit - self.started.elapsed().as_secs_f64()
    }

    /// `fraction` of the way through the limit.
    pub fn at(&self, fraction: f64) -> Instant {
        self.started + Duration::from_secs_f64(self.limit * fraction.max(0.0))
    }

    /// The end of the limit, iteration budget or not: building the problem
    /// and its travel matrices (and road travel times) stop there (E2002).
    pub fn deadline(&self) -> Instant {
        self.at(1.0)
    }

    /// The limit ends (under an iteration budget, never).
    pub fn is_over(&self) -> bool {
        self.clocked && Instant::now() >= self.at(1.0)
    }

    /// When the steps after the search stop (under an iteration budget,
    /// a million seconds away).
    pub fn hard_end(&self) -> Instant {
        if self.clocked {
            self.at(1.0)
        } else {
            far(self.started)
        }
    }

    /// The quick (energetic) bound's seconds, on its own thread beside the
    /// greedy: a fifth of the limit, at most [`BOUND_TIME_LIMIT`].
    pub fn quick_bound_seconds(&self) -> f64 {
        (self.limit / 5.0).min(BOUND_TIME_LIMIT)
    }

    /// The route bound (column generation) runs beside the greedy and the
    /// search until 80% of the limit.
    pub fn route_bound_end(&self) -> Instant {
        self.at(0.8)
    }

    /// Until when the greedy may restart: to the search's end (on a large
    /// day the restarts are all the search there is time for), or a tenth
    /// of the limit as the exact solver's warm start; under an iteration
    /// budget, all of its restarts.
    pub fn greedy_end(
        &self,
        exact: bool,
        first_pass: Duration,
        clients: usize,
        unserved: usize,
    ) -> Instant {
        if exact {
            self.warm_start_end()
        } else if !self.clocked {
            far(self.started)
        } else {
            self.search_end(first_pass, clients, unserved)
        }
    }

    /// The end of a warm start that leaves the rest of the limit to another
    /// solver (the exact MIP, or a benchmark's search): a tenth of the
    /// limit; under an iteration budget, never.
    pub fn warm_start_end(&self) -> Instant {
        if self.clocked {
            self.at(0.1)
        } else {
            far(self.started)
        }
    }

    /// When the search must end to leave the last steps their time: they
    /// try each unserved client about [`FINISH_TRIALS_PER_CLIENT`] times,
    /// and the greedy's first pass (`first_pass`, one trial of every
    /// client) says what a trial costs on this day and machine; plus
    /// [`POLISH_RESERVE`] for the search's last polish. At most a quarter
    /// of the limit.
    pub fn search_end(&self, first_pass: Duration, clients: usize, unserved: usize) -> Instant {
        let per_client = first_pass.as_secs_f64() / clients.max(1) as f64;
        let reserve = POLISH_RESERVE + FINISH_TRIALS_PER_CLIENT * unserved as f64 * per_client;
        self.at(1.0) - Duration::from_secs_f64(reserve.min(self.limit / 4.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_clamp_for_every_limit() {
        assert_eq!(seconds(-3.0), 0.0);
        assert_eq!(seconds(f64::INFINITY), MAX_SECONDS);
        assert_eq!(seconds(2.5), 2.5);
        let b = TimeBudget::new(1e300, true, Instant::now());
        assert_eq!(b.limit_seconds(), MAX_SECONDS);
    }

    #[test]
    fn shares_fall_inside_the_limit_in_order() {
        let t0 = Instant::now();
        let b = TimeBudget::new(10.0, true, t0);
        assert_eq!(b.quick_bound_seconds(), 2.0);
        assert_eq!(TimeBudget::new(60.0, true, t0).quick_bound_seconds(), 5.0);
        assert_eq!(b.route_bound_end(), t0 + Duration::from_secs(8));
        assert_eq!(
            b.greedy_end(true, Duration::ZERO, 1, 0),
            t0 + Duration::from_secs(1)
        );
        let search = b.search_end(Duration::from_millis(100), 10, 10);
        // 0.25 s polish + 3 trials x 10 clients x 10 ms.
        assert_eq!(search, t0 + Duration::from_millis(9_450));
        assert_eq!(
            b.greedy_end(false, Duration::from_millis(100), 10, 10),
            search
        );
        // The reserve is at most a quarter of the limit.
        let late = b.search_end(Duration::from_secs(100), 10, 10);
        assert_eq!(late, t0 + Duration::from_millis(7_500));
        assert_eq!(b.deadline(), b.hard_end());
    }

    #[test]
    fn an_iteration_budget_never_ends_but_building_still_stops() {
        let t0 = Instant::now() - Duration::from_secs(20);
        let b = TimeBudget::new(10.0, false, t0);
        assert!(!b.is_over());
        assert!(b.hard_end() > t0 + Duration::from_secs(1000));
        assert!(b.greedy_end(true, Duration::ZERO, 1, 0) > t0 + Duration::from_secs(1000));
        assert_eq!(b.deadline(), t0 + Duration::from_secs(10));
        assert!(TimeBudget::new(10.0, true, t0).is_over());
    }
}
