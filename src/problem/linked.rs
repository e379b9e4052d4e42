//! Linked visits and soft lateness: what home-health-care problems of the
//! literature (Mankowska et al. 2014) add to a day, held as general data of
//! the [`Problem`]; requests have them too (below).
//!
//! - A [`Link`] ties the starts of two visits done by two different carers:
//!   the second starts between `min_lag` and `max_lag` after the first (both
//!   0: they start together, e.g. two services of one patient, each with its
//!   own skills and duration).
//! - A visit with `late_after` may start past that minute; every minute
//!   late costs [`Lateness::per_minute`], and the largest single lateness of
//!   the plan costs [`Lateness::worst`] per minute besides.
//!
//! From a request: a visit's `starts_with` (docs/format.md, "Visits that
//! start together") is a link of lag `0..=0`, the named visit `first`; a
//! visit's `window.due` (docs/format.md, "Due times") is a `late_after`
//! inside a hard window: the plan reports the lateness ([`crate::plan`])
//! and [`crate::solve::lateness`] starts calls as early as their routes
//! allow. (An `after` gap, with its optional `max_gap`, is not a link: either
//! carer may do either call, so it stays on [`super::VisitSpec::after`] and
//! [`super::VisitSpec::after_max`].)

use super::Problem;

/// Two visits whose starts are tied, done by two different carers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub first: usize,
    pub second: usize,
    /// `second` starts at least this long after `first` ...
    pub min_lag: i32,
    /// ... and at most this long after it.
    pub max_lag: i32,
}

/// The cost of starting late (see the module's documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lateness {
    pub per_minute: i64,
    pub worst: i64,
}

impl Problem {
    /// Whether the problem has linked visits or soft lateness, which only
    /// [`crate::solve::linked`] solves.
    pub fn has_links_or_lateness(&self) -> bool {
        !self.links.is_empty() || self.visits.iter().any(|v| v.late_after.is_some())
    }

    /// How late visit `v` is when it starts at `start` (0 without a soft
    /// latest start).
    #[inline]
    pub fn lateness_at(&self, v: usize, start: i32) -> i64 {
        self.visits[v]
            .late_after
            .map_or(0, |l| (start as i64 - l as i64).max(0))
    }
}
