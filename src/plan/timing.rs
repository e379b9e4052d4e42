//! When a round's carer leaves, travels, takes the break and arrives, given
//! the visit starts the solver chose (which this never moves).
//!
//! Latest departure: in every gap between two visits (and from the start
//! location to the first) the journey starts as late as it can, so the
//! carer arrives `buffer` minutes before the call (`settings.
//! early_arrival_minutes`, default 0) or as soon after the previous stop as
//! travel allows, whichever is later. Idle time is spent before leaving, not
//! at the client's door. A break in such a gap is taken just before the
//! departure (at its latest allowed start if that is earlier); only when
//! the break cannot come before the journey at all is it taken on arrival,
//! as late as the next call allows. The way home leaves as soon as the last
//! visit (and a break in that gap) ends.
//!
//! Which gap holds the break is the solver's rule
//! ([`crate::solve::timing::gap::break_place`]: the first gap that holds it).

use crate::problem::BreakSpec;
use crate::solve::timing::gap::break_place;

/// A timed gap: when the carer leaves the previous stop, arrives at the
/// next, and the break taken in it (start minute), if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub depart: i32,
    pub arrive: i32,
    pub break_start: Option<i32>,
}

/// Times the gap from a stop ending at `pe` to a visit starting at `ns`
/// with travel `t`, taking `brk` in it if it holds it. `None` if the
/// journey does not fit (a solver bug; the caller reports it).
pub fn visit_gap(pe: i32, ns: i32, t: i32, brk: Option<&BreakSpec>, buffer: i32) -> Option<Gap> {
    if pe + t > ns {
        return None;
    }
    let want = (ns - buffer.max(0)).max(pe + t);
    let place = brk.and_then(|b| break_place(b, pe, ns, t, false).map(|pl| (b, pl)));
    Some(match place {
        None => Gap {
            depart: want - t,
            arrive: want,
            break_start: None,
        },
        Some((b, pl)) if !pl.travel_first => {
            // Break, then travel: leave no earlier than the break allows.
            let depart = (want - t).max(pl.start + b.minutes);
            Gap {
                depart,
                arrive: depart + t,
                break_start: Some((depart - b.minutes).min(b.latest)),
            }
        }
        Some((b, _)) => {
            // Travel, then the break on arrival, as late as the call allows.
            let bs = (ns - b.minutes).min(b.latest);
            Gap {
                depart: bs - t,
                arrive: bs,
                break_start: Some(bs),
            }
        }
    })
}

/// Times the way home from a stop ending at `pe` (shift end `end`, travel
/// `t`): leave as soon as the last visit ends, or after the break if this
/// gap holds it.
pub fn return_gap(pe: i32, end: i32, t: i32, brk: Option<&BreakSpec>) -> Option<Gap> {
    let place = brk.and_then(|b| break_place(b, pe, end, t, true).map(|pl| (b, pl)));
    let (depart, break_start) = match place {
        Some((b, pl)) => (pl.start + b.minutes, Some(pl.start)),
        None => (pe, None),
    };
    (depart + t <= end).then_some(Gap {
        depart,
        arrive: depart + t,
        break_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(earliest: i32, latest: i32, minutes: i32) -> BreakSpec {
        BreakSpec {
            earliest,
            latest,
            minutes,
        }
    }

    #[test]
    fn arrives_at_the_call_or_buffer_before_it() {
        let g = visit_gap(420, 600, 20, None, 0).unwrap();
        assert_eq!((g.depart, g.arrive, g.break_start), (580, 600, None));
        let g = visit_gap(420, 600, 20, None, 10).unwrap();
        assert_eq!((g.depart, g.arrive), (570, 590));
        // A buffer larger than the gap allows: as early as travel allows.
        let g = visit_gap(420, 450, 20, None, 60).unwrap();
        assert_eq!((g.depart, g.arrive), (420, 440));
        assert_eq!(visit_gap(420, 430, 20, None, 0), None);
    }

    #[test]
    fn break_moves_before_the_departure() {
        // Gap 10:00-13:00, 20 min travel, 30 min break to start 11:00-12:30:
        // leave 12:40, the break 12:10-12:40 just before.
        let g = visit_gap(600, 780, 20, Some(&b(660, 750, 30)), 0).unwrap();
        assert_eq!((g.depart, g.arrive, g.break_start), (760, 780, Some(730)));
        // Latest start earlier than the departure: idle after the break.
        let g = visit_gap(600, 780, 20, Some(&b(600, 640, 30)), 0).unwrap();
        assert_eq!((g.depart, g.arrive, g.break_start), (760, 780, Some(640)));
    }

    #[test]
    fn break_on_arrival_only_when_it_cannot_come_first() {
        // Visit ends 10:00, 30 min travel, call at 11:00; the 20 min break
        // may not start before 10:25, and 10:25 + 20 + 30 > 11:00: travel
        // first, arrive 10:40, break 10:40-11:00.
        let g = visit_gap(600, 660, 30, Some(&b(625, 700, 20)), 0).unwrap();
        assert_eq!(g.break_start, Some(640));
        assert_eq!((g.depart, g.arrive), (610, 640));
    }

    #[test]
    fn home_as_soon_as_done() {
        let g = return_gap(900, 1000, 15, None).unwrap();
        assert_eq!((g.depart, g.arrive), (900, 915));
        let g = return_gap(900, 1000, 15, Some(&b(880, 960, 30))).unwrap();
        assert_eq!((g.depart, g.arrive, g.break_start), (930, 945, Some(900)));
        assert_eq!(return_gap(900, 910, 15, None), None);
    }
}
