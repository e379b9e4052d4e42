//! Summaries of route segments for constant-time feasibility filters, as
//! PyVRP's `DurationSegment` (after Vidal et al. 2013, "A hybrid genetic
//! algorithm with adaptive diversity management for a large class of
//! vehicle routing problems with time-windows").
//!
//! A [`Segment`] of consecutive stops of one round says: started at the
//! first stop at any minute `s <= late`, its last stop ends at
//! `max(s, early) + duration` (waiting included), and `time_warp` minutes
//! would have to be taken back to keep every window (0: the segment can be
//! done). Two segments concatenate in O(1) ([`Segment::then`]), so with
//! prefix and suffix summaries of each round a move that joins pieces of
//! routes (relocate, swap, 2-opt*, or-opt) is checked in constant time.
//!
//! What it covers: windows, durations, travel, the shift start and end
//! ([`Segment::leave`], [`Segment::back`]). What it does not: the break,
//! a double-up's start shared with another round, `after` gaps and links;
//! for a round with any of them the segment is a relaxation (a move it
//! refuses has no schedule, a move it accepts must still be timed exactly
//! by [`super::Timing::try_routes`]). The local search (`solve/ls/`) uses
//! it as its filter, each visit's window first narrowed by what its tied
//! partners' rounds allow.

use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Travel nodes of the first and last stop.
    pub first: usize,
    pub last: usize,
    /// Least time from the start of the first stop to the end of the last.
    pub duration: i32,
    /// Minutes that would have to be taken back to keep every window.
    pub time_warp: i32,
    /// Starting the first stop before `early` only adds waiting.
    pub early: i32,
    /// Starting the first stop after `late` adds time warp.
    pub late: i32,
}

impl Segment {
    /// Visit `v` alone.
    pub fn visit(p: &Problem, v: usize) -> Segment {
        let vs = &p.visits[v];
        Segment {
            first: vs.node,
            last: vs.node,
            duration: vs.duration,
            time_warp: 0,
            early: vs.tw_start,
            late: vs.tw_end,
        }
    }

    /// Round `r`'s start: leaving the start location within the shift.
    pub fn leave(p: &Problem, r: usize) -> Segment {
        let spec = &p.rounds[r];
        Segment {
            first: spec.start_node,
            last: spec.start_node,
            duration: 0,
            time_warp: 0,
            early: spec.start,
            late: spec.end,
        }
    }

    /// Round `r`'s end: back at the end location within the shift.
    pub fn back(p: &Problem, r: usize) -> Segment {
        let spec = &p.rounds[r];
        Segment {
            first: spec.end_node,
            last: spec.end_node,
            duration: 0,
            time_warp: 0,
            early: spec.start,
            late: spec.end,
        }
    }

    /// This segment, `travel` minutes, then `next`.
    #[inline]
    pub fn then(self, next: Segment, travel: i32) -> Segment {
        let at_next = self.duration - self.time_warp + travel;
        let wait = (next.early - at_next - self.late).max(0);
        let warp = (self.early + at_next - next.late).max(0);
        Segment {
            first: self.first,
            last: next.last,
            duration: self.duration + next.duration + travel + wait,
            time_warp: self.time_warp + next.time_warp + warp,
            early: (next.early - at_next).max(self.early) - wait,
            late: (next.late - at_next).min(self.late) + warp,
        }
    }

    /// [`Segment::then`] with round `r`'s travel between them.
    #[inline]
    pub fn join(self, p: &Problem, r: usize, next: Segment) -> Segment {
        let t = p.time(r, self.last, next.first);
        self.then(next, t)
    }

    /// Whether the segment can be done within every window.
    #[inline]
    pub fn is_feasible(&self) -> bool {
        self.time_warp == 0
    }

    /// The earliest end of the last stop when the first starts as early
    /// as it may (for a whole round: the earliest return).
    #[inline]
    pub fn earliest_end(&self) -> i32 {
        self.early + self.duration
    }

    /// Round `r` doing `visits` in order, from leaving to coming back.
    pub fn round(p: &Problem, r: usize, visits: &[usize]) -> Segment {
        visits
            .iter()
            .fold(Segment::leave(p, r), |s, &v| {
                s.join(p, r, Segment::visit(p, v))
            })
            .join(p, r, Segment::back(p, r))
    }
}
