//! Timing rules of a round with fixed start times: where a visit may be
//! inserted and at which start minutes, with travel, windows, shift limits,
//! `after` gaps and the break all kept.
//!
//! A round is a sequence of gaps: depot -> v1 -> v2 -> ... -> depot. A gap
//! from a stop ending at `pe` to one starting at `ns` with travel `t` holds
//! the break (of `minutes`, to start in `[earliest, latest]`) when either
//! - the carer takes it first, then travels: `b = max(pe, earliest) <= latest`
//!   and `b + minutes + t <= ns`; or
//! - the carer travels first and takes it on arrival, before the next visit:
//!   `b = max(pe + t, earliest) <= latest` and `b + minutes <= ns` (not in
//!   the last gap: the break is never taken after the round has ended).

use super::Solution;
use crate::problem::{BreakSpec, Problem};

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

/// Whether a gap holds the break (see [`break_place`]).
#[inline]
pub fn break_fits(b: &BreakSpec, pe: i32, ns: i32, t: i32, last: bool) -> bool {
    break_place(b, pe, ns, t, last).is_some()
}

/// The end minute and node of the stop before position `pos` of round `r`
/// (the shift start at the start node for `pos == 0`).
#[inline]
pub fn prev_of(p: &Problem, sol: &Solution, r: usize, pos: usize) -> (i32, usize) {
    if pos == 0 {
        (p.rounds[r].start, p.rounds[r].start_node)
    } else {
        let u = sol.routes[r][pos - 1];
        (
            sol.start[u].unwrap_or(0) + p.visits[u].duration,
            p.visits[u].node,
        )
    }
}

/// The start minute and node of the stop at position `pos` of round `r`
/// (the shift end at the end node past the last visit).
#[inline]
pub fn next_of(p: &Problem, sol: &Solution, r: usize, pos: usize) -> (i32, usize) {
    match sol.routes[r].get(pos) {
        Some(&u) => (sol.start[u].unwrap_or(0), p.visits[u].node),
        None => (p.rounds[r].end, p.rounds[r].end_node),
    }
}

/// The `[earliest, latest]` start range that `after` gaps with already
/// placed visits allow for visit `v`.
pub fn gap_limits(p: &Problem, sol: &Solution, v: usize) -> (i32, i32) {
    let vs = &p.visits[v];
    let mut lo = i32::MIN / 4;
    let mut hi = i32::MAX / 4;
    if let Some((u, gap)) = vs.after
        && let Some(su) = sol.start[u]
    {
        lo = su + gap;
    }
    for &(w, gap) in &vs.successors {
        if let Some(sw) = sol.start[w] {
            hi = hi.min(sw - gap);
        }
    }
    (lo, hi)
}

/// An insertion with later visits allowed to move: visit `v` at position
/// `pos` of round `r` may start anywhere in `[lo, hi]` as far as windows,
/// `after` gaps and the shift end go (the break is checked per start by
/// [`timetable`]); `delta` is the added travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub round: usize,
    pub pos: usize,
    pub lo: i32,
    pub hi: i32,
    pub delta: i32,
}

/// Whether visit `u` may be moved to a later start: single visits only (a
/// double-up's start is shared with another round; `solve/double_up.rs`).
#[inline]
fn movable(p: &Problem, u: usize) -> bool {
    !p.visits[u].is_double_up()
}

/// The latest start of each visit of round `r` such that every later visit
/// can still be done in time (pushing movable visits later, keeping the
/// starts of double-ups), and the carer is back by shift end.
fn latest_starts(p: &Problem, sol: &Solution, r: usize) -> Vec<i32> {
    let route = &sol.routes[r];
    let mut latest = vec![0; route.len()];
    let mut next_latest = p.rounds[r].end;
    let mut next_node = p.rounds[r].end_node;
    for (i, &u) in route.iter().enumerate().rev() {
        let us = &p.visits[u];
        let cur = sol.start[u].unwrap_or(0);
        let bound = next_latest - us.duration - p.time(r, us.node, next_node);
        latest[i] = if movable(p, u) {
            let mut l = us.tw_end.min(bound);
            for &(w, gap) in &us.successors {
                if let Some(sw) = sol.start[w] {
                    l = l.min(sw - gap);
                }
            }
            l
        } else {
            cur
        };
        next_latest = latest[i];
        next_node = us.node;
    }
    latest
}

/// Every insertion of `v` into round `r` that windows, gaps and shift end
/// allow when later single visits may move later.
pub fn insertions_in_round(p: &Problem, sol: &Solution, r: usize, v: usize) -> Vec<Insertion> {
    let (glo, ghi) = gap_limits(p, sol, v);
    let vs = &p.visits[v];
    let latest = latest_starts(p, sol, r);
    let route = &sol.routes[r];
    let mut out = Vec::new();
    for pos in 0..=route.len() {
        let (pe, pn) = prev_of(p, sol, r, pos);
        if pe > vs.tw_end {
            break;
        }
        let (nn, next_latest) = match (route.get(pos), latest.get(pos)) {
            (Some(&u), Some(&l)) => (p.visits[u].node, l),
            _ => (p.rounds[r].end_node, p.rounds[r].end),
        };
        let t1 = p.time(r, pn, vs.node);
        let t2 = p.time(r, vs.node, nn);
        let lo = vs.tw_start.max(pe + t1).max(glo);
        let hi = vs.tw_end.min(next_latest - vs.duration - t2).min(ghi);
        if lo > hi {
            continue;
        }
        let delta = t1 + t2
            - if route.is_empty() {
                0
            } else {
                p.time(r, pn, nn)
            };
        out.push(Insertion {
            round: r,
            pos,
            lo,
            hi,
            delta,
        });
    }
    out
}

/// Start minutes worth trying for an insertion at or after `from`: the
/// earliest, and the earliest that leave room for the break before `v`
/// (taken before or after travelling).
pub fn candidate_starts(
    p: &Problem,
    sol: &Solution,
    ins: &Insertion,
    v: usize,
    from: i32,
) -> [i32; 3] {
    let s0 = ins.lo.max(from);
    match &p.rounds[ins.round].brk {
        Some(b) => {
            let (pe, pn) = prev_of(p, sol, ins.round, ins.pos);
            let t = p.time(ins.round, pn, p.visits[v].node);
            [
                s0,
                s0.max(pe.max(b.earliest) + b.minutes + t),
                s0.max((pe + t).max(b.earliest) + b.minutes),
            ]
        }
        None => [s0; 3],
    }
}

/// The new start of every visit of the round that moves when `v` starts at
/// `s` in position `ins.pos` (later single visits pushed as little as
/// needed), or `None` if that breaks a window, a gap, the shift end or
/// leaves no room for the break.
pub fn timetable(
    p: &Problem,
    sol: &Solution,
    ins: &Insertion,
    v: usize,
    s: i32,
) -> Option<Vec<(usize, i32)>> {
    if s < ins.lo || s > ins.hi {
        return None;
    }
    let r = ins.round;
    let spec = &p.rounds[r];
    let route = &sol.routes[r];
    let mut moved = Vec::new();
    // Walk the new sequence, checking the break gap by gap.
    let mut brk_ok = spec.brk.is_none();
    let (mut pe, mut pn) = prev_of(p, sol, r, ins.pos);
    // Gaps before the insertion point are unchanged.
    if let Some(b) = &spec.brk {
        for g in 0..ins.pos {
            let (gpe, gpn) = prev_of(p, sol, r, g);
            let (gns, gnn) = next_of(p, sol, r, g);
            if break_fits(b, gpe, gns, p.time(r, gpn, gnn), false) {
                brk_ok = true;
                break;
            }
        }
    }
    let vs = &p.visits[v];
    let check_gap = |pe: i32, ns: i32, t: i32, last: bool, brk_ok: &mut bool| {
        if !*brk_ok && let Some(b) = &spec.brk {
            *brk_ok = break_fits(b, pe, ns, t, last);
        }
    };
    check_gap(pe, s, p.time(r, pn, vs.node), false, &mut brk_ok);
    pe = s + vs.duration;
    pn = vs.node;
    for &u in &route[ins.pos..] {
        let us = &p.visits[u];
        let cur = sol.start[u]?;
        let t = p.time(r, pn, us.node);
        let new = cur.max(pe + t);
        if new != cur {
            if !movable(p, u) || new > us.tw_end {
                return None;
            }
            for &(w, gap) in &us.successors {
                if let Some(sw) = sol.start[w]
                    && sw < new + gap
                {
                    return None;
                }
            }
            moved.push((u, new));
        }
        check_gap(pe, new, t, false, &mut brk_ok);
        pe = new + us.duration;
        pn = us.node;
    }
    let t = p.time(r, pn, spec.end_node);
    if pe + t > spec.end {
        return None;
    }
    check_gap(pe, spec.end, t, true, &mut brk_ok);
    if !brk_ok || !gaps_hold(p, sol, v, s, &moved) {
        return None;
    }
    Some(moved)
}

/// Whether every `after` gap touching `v` (starting at `s`) or a moved visit
/// holds with the new starts. A visit pushed later may run into a successor,
/// including `v` itself when it goes before its own `after` target.
fn gaps_hold(p: &Problem, sol: &Solution, v: usize, s: i32, moved: &[(usize, i32)]) -> bool {
    let start = |w: usize| -> Option<i32> {
        if w == v {
            return Some(s);
        }
        moved
            .iter()
            .find(|(u, _)| *u == w)
            .map(|&(_, t)| t)
            .or(sol.start[w])
    };
    let holds = |u: usize| {
        let su = start(u);
        let before = match (p.visits[u].after, su) {
            (Some((w, gap)), Some(su)) => start(w).is_none_or(|sw| su >= sw + gap),
            _ => true,
        };
        before
            && p.visits[u]
                .successors
                .iter()
                .all(|&(w, gap)| match (su, start(w)) {
                    (Some(su), Some(sw)) => sw >= su + gap,
                    _ => true,
                })
    };
    holds(v) && moved.iter().all(|&(u, _)| holds(u))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(break_fits(&b, 600, 670, 20, false)); // 630-650 then 20 travel
        assert!(!break_fits(&b, 600, 669, 20, true));
        assert!(!break_fits(&b, 760, 900, 0, false)); // too late to start
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
