//! Linked visits and soft lateness: what home-health-care problems of the
//! literature (Mankowska et al. 2014) add to a day, held as general data of
//! the [`Problem`]; requests have them too (below).
//!
//! - A [`Link`] ties the starts of two visits done by two different carers:
//!   the second starts between `min_lag` and `max_lag` after the first (both
//!   0: they start together, e.g. two services of one patient, each with its
//!   own skills and duration).
//! - A visit with `late_after` may start past that minute. What that costs
//!   is the problem's [`Order`]: a request counts the minutes late before
//!   continuity and travel; the benchmark weighs them with travel, every
//!   minute late costing [`Lateness::per_minute`] and the largest single
//!   lateness of the plan [`Lateness::worst`] per minute besides.
//!
//! From a request: a visit's `starts_with` (docs/format.md, "Visits that
//! start together") is a link of lag `0..=0`, the named visit `first`; a
//! visit's `window.due` (docs/format.md, "Due times") is a `late_after`
//! inside a hard window: the plan reports the lateness ([`crate::plan`])
//! and the timing core (`solve/timing/`) starts calls as early as their
//! routes allow. (An `after` gap, with its optional `max_gap`, is not a link: either
//! carer may do either call, so it stays on [`super::VisitSpec::after`] and
//! [`super::VisitSpec::after_max`].)

use super::Problem;

/// Two visits whose starts are tied, done by two different carers: an
/// `after` gap with both ends (`min_lag ..= max_lag`, negative allowed)
/// whose two visits may not share a carer. Mankowska's synchronised pairs
/// (lag 0..=0) and precedence pairs are links, as are a request's
/// `starts_with` pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub first: usize,
    pub second: usize,
    /// `second` starts at least this long after `first` ...
    pub min_lag: i32,
    /// ... and at most this long after it.
    pub max_lag: i32,
}

/// The cost of starting late in a [`Order::Weighted`] problem (see the
/// module's documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lateness {
    pub per_minute: i64,
    pub worst: i64,
}

/// How plans of a problem are compared after the priority they serve
/// ([`crate::solve::Solution::objective`]); one search optimises either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// A request's (docs/format.md, "Objective"): minutes late, then
    /// continuity, then travel, each strictly before the next.
    #[default]
    Request,
    /// The literature's: one cost, travel plus [`Lateness::per_minute`]
    /// per minute late in total plus [`Lateness::worst`] per minute of the
    /// largest lateness (Mankowska's `D + T + Tmax`, three times the
    /// published average).
    Weighted(Lateness),
}

impl Problem {
    /// The visits linked to visit `v` ([`Link`]): a carer doing `v` may do
    /// none of them.
    #[inline]
    pub fn partners(&self, v: usize) -> &[usize] {
        &self.partners[v]
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
