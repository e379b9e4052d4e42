//! One gap of a round: from a stop that ends at `pe` to the next stop, `t`
//! minutes of travel away, possibly holding the round's break.
//!
//! Without a break the next stop starts no earlier than `pe + t`. With the
//! break (`minutes` long, to start in `[earliest, latest]`) the carer either
//! travels first and pauses on arrival ("travel then break", start
//! `max(pe + t, earliest)`), or pauses first and then travels ("break then
//! travel", start `max(pe, earliest)`); never travel-first on the way home
//! (the break is not taken after the round has ended). Travel-first gives
//! the next stop `max(pe + t, earliest) + minutes`, break-first gives
//! `max(pe, earliest) + minutes + t`, which is never less; so the core takes
//! the break travel-first whenever it can start by `latest` that way, and
//! break-first otherwise. As a function of `pe` the result is
//!
//! ```text
//! arrive(pe) = max(pe + t + minutes, earliest + minutes + (t if break-first))
//! ```
//!
//! defined for `pe <= latest`. It is non-decreasing in `pe`: each piece is,
//! and where travel-first stops being possible (`pe > latest - t`) the
//! value only jumps up. The `pe + t + minutes` term is the same in both
//! modes, so the mode only changes a constant lower bound of the next
//! stop, never the weight of a cycle through the gap.

use crate::problem::BreakSpec;

/// Below any start: a bound that no start meets.
pub const NEVER: i32 = i32::MIN / 4;

/// The earliest start of the stop after a gap from `pe` with travel `t`
/// and, if `brk` is given, the break in it; `last` marks the way home.
/// `None` if the break cannot start by its latest.
#[inline]
pub fn arrive(pe: i32, t: i32, brk: Option<&BreakSpec>, last: bool) -> Option<i32> {
    let Some(b) = brk else {
        return Some(pe + t);
    };
    if pe > b.latest || b.earliest > b.latest {
        return None;
    }
    let travel_first = !last && pe + t <= b.latest;
    let extra = if travel_first { 0 } else { t };
    Some((pe + t + b.minutes).max(b.earliest + b.minutes + extra))
}

/// Where the break of a gap starts (see [`arrive`]), and whether the
/// carer travels first; `None` if it cannot start by its latest.
#[inline]
pub fn break_start(pe: i32, t: i32, b: &BreakSpec, last: bool) -> Option<(i32, bool)> {
    if pe > b.latest || b.earliest > b.latest {
        return None;
    }
    if !last && pe + t <= b.latest {
        Some(((pe + t).max(b.earliest), true))
    } else {
        Some((pe.max(b.earliest), false))
    }
}

/// The latest end `pe` of the stop before a gap such that the stop after
/// it can start by `next` ([`arrive`]`(pe) <= next`), or [`NEVER`]. It is
/// non-decreasing in `next`, the inverse the backward pass uses.
#[inline]
pub fn latest_end(next: i32, t: i32, brk: Option<&BreakSpec>, last: bool) -> i32 {
    let Some(b) = brk else {
        return next - t;
    };
    if b.earliest > b.latest {
        return NEVER;
    }
    let m = b.minutes;
    if b.earliest + m + t <= next {
        // Either mode reaches `next`: only `pe + t + m <= next` and the
        // break's latest bind.
        b.latest.min(next - t - m)
    } else if !last && b.earliest + m <= next {
        // Only travel-first reaches `next`: `pe + t <= latest` too.
        (b.latest - t).min(next - t - m)
    } else {
        NEVER
    }
}

/// The break in a gap between two fixed times, for a plan whose starts
/// are known (the plan's and the re-plan's timing, the exact MIP's warm
/// start): a gap from a stop ending at `pe` to one starting at `ns` with
/// travel `t` holds the break (of `minutes`, to start in `[earliest,
/// latest]`) when the carer takes it first, then travels
/// (`b = max(pe, earliest) <= latest` and `b + minutes + t <= ns`), or
/// travels first and takes it on arrival, before the next visit
/// (`b = max(pe + t, earliest) <= latest` and `b + minutes <= ns`; not in
/// the last gap: the break is never taken after the round has ended).
/// Where the break goes in a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakPlace {
    pub start: i32,
    /// The carer travels to the next stop first and pauses there.
    pub travel_first: bool,
}

/// Where a gap from `pe` to `ns` with travel `t` holds the break, if it
/// does; `last` marks the gap back to the end location.
#[inline]
pub fn break_place(b: &BreakSpec, pe: i32, ns: i32, t: i32, last: bool) -> Option<BreakPlace> {
    let first = pe.max(b.earliest);
    if first <= b.latest && first + b.minutes + t <= ns {
        return Some(BreakPlace {
            start: first,
            travel_first: false,
        });
    }
    let on_arrival = (pe + t).max(b.earliest);
    (!last && on_arrival <= b.latest && on_arrival + b.minutes <= ns).then_some(BreakPlace {
        start: on_arrival,
        travel_first: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> BreakSpec {
        BreakSpec {
            earliest: 600,
            latest: 640,
            minutes: 30,
        }
    }

    #[test]
    fn travel_first_when_it_fits_break_first_otherwise() {
        // Arrive 600, pause 600-630.
        assert_eq!(arrive(590, 10, Some(&b()), false), Some(630));
        assert_eq!(break_start(590, 10, &b(), false), Some((600, true)));
        // Travel would end after 640: pause 600-630 first, then 60 minutes.
        assert_eq!(arrive(590, 60, Some(&b()), false), Some(690));
        assert_eq!(break_start(590, 60, &b(), false), Some((600, false)));
        // On the way home only break-first.
        assert_eq!(arrive(590, 10, Some(&b()), true), Some(640));
        // Too late to start the break.
        assert_eq!(arrive(641, 0, Some(&b()), false), None);
    }

    #[test]
    fn latest_end_inverts_arrive() {
        for last in [false, true] {
            for t in [0, 10, 60] {
                for next in 560..760 {
                    let h = latest_end(next, t, Some(&b()), last);
                    for pe in 500..700 {
                        let ok = arrive(pe, t, Some(&b()), last).is_some_and(|a| a <= next);
                        assert_eq!(ok, pe <= h, "pe {pe} t {t} next {next} last {last}");
                    }
                }
            }
        }
    }

    fn brk() -> BreakSpec {
        BreakSpec {
            earliest: 630,
            latest: 750,
            minutes: 20,
        }
    }

    #[test]
    fn break_fits_needs_room_for_travel() {
        let b = brk();
        assert!(break_place(&b, 600, 670, 20, false).is_some()); // 630-650 then 20 travel
        assert!(break_place(&b, 600, 669, 20, true).is_none());
        assert!(break_place(&b, 760, 900, 0, false).is_none()); // too late to start
    }

    #[test]
    fn break_may_follow_travel_except_after_the_round() {
        // Leave at 07:00, 6 min away, visit fixed at 11:00; break 10:30-12:30
        // of 20 min: pause 10:30-10:50, then travel.
        let b = brk();
        assert_eq!(
            break_place(&b, 420, 660, 6, false),
            Some(BreakPlace {
                start: 630,
                travel_first: false
            })
        );
        // Visit at 10:50 with 6 min travel: only travel-first works.
        assert_eq!(
            break_place(&b, 420, 650, 6, false),
            Some(BreakPlace {
                start: 630,
                travel_first: true
            })
        );
        assert_eq!(break_place(&b, 420, 650, 6, true), None);
    }
}
