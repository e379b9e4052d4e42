//! Timing rules of a round with fixed start times: where a visit may be
//! inserted and at which start minutes, with travel, windows, shift limits,
//! `after` gaps and the break all kept.
//!
//! A round is a sequence of gaps: depot -> v1 -> v2 -> ... -> depot. A gap
//! from a stop ending at `pe` to one starting at `ns` with travel `t` can hold
//! the break when the break, started as early as allowed, leaves time to
//! travel: `b = max(pe, earliest) <= latest` and `b + minutes + t <= ns`.

use super::Solution;
use crate::problem::{BreakSpec, Problem};

/// Whether a gap from `pe` to `ns` with travel `t` holds the break.
#[inline]
pub fn break_fits(b: &BreakSpec, pe: i32, ns: i32, t: i32) -> bool {
    let bs = pe.max(b.earliest);
    bs <= b.latest && bs + b.minutes + t <= ns
}

/// Where a break goes in a gap that holds it: its start minute.
#[inline]
pub fn break_start(b: &BreakSpec, pe: i32) -> i32 {
    pe.max(b.earliest)
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

/// Whether some gap of round `r` other than the one before position `skip`
/// holds the break (always true for a round without a break).
fn break_elsewhere(p: &Problem, sol: &Solution, r: usize, skip: usize) -> bool {
    let Some(b) = &p.rounds[r].brk else {
        return true;
    };
    (0..=sol.routes[r].len()).filter(|&g| g != skip).any(|g| {
        let (pe, pn) = prev_of(p, sol, r, g);
        let (ns, nn) = next_of(p, sol, r, g);
        break_fits(b, pe, ns, p.time(r, pn, nn))
    })
}

/// A candidate insertion: start minutes in `windows` (disjoint, ascending),
/// added travel `delta`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub round: usize,
    pub pos: usize,
    pub windows: Vec<(i32, i32)>,
    pub delta: i32,
}

/// The start minutes at which visit `v` can be inserted at position `pos` of
/// round `r`, every other start staying fixed. `earliest`/`latest` narrow
/// the window further (for `after` gaps with visits of other rounds).
pub fn slot(
    p: &Problem,
    sol: &Solution,
    r: usize,
    pos: usize,
    v: usize,
    earliest: i32,
    latest: i32,
) -> Option<Slot> {
    let vs = &p.visits[v];
    let (pe, pn) = prev_of(p, sol, r, pos);
    let (ns, nn) = next_of(p, sol, r, pos);
    let t1 = p.time(r, pn, vs.node);
    let t2 = p.time(r, vs.node, nn);
    let lo = vs.tw_start.max(pe + t1).max(earliest);
    let hi = vs.tw_end.min(ns - vs.duration - t2).min(latest);
    if lo > hi {
        return None;
    }
    let mut windows = Vec::with_capacity(2);
    match &p.rounds[r].brk {
        Some(b) if !break_elsewhere(p, sol, r, pos) => {
            // Break before the visit, in the gap prev -> v.
            let bs = pe.max(b.earliest);
            let before = (bs <= b.latest).then(|| (lo.max(bs + b.minutes + t1), hi));
            // Break after the visit, in the gap v -> next.
            let after = (b.earliest + b.minutes + t2 <= ns).then(|| {
                (
                    lo,
                    hi.min(b.latest - vs.duration)
                        .min(ns - b.minutes - t2 - vs.duration),
                )
            });
            for w in [before, after].into_iter().flatten() {
                if w.0 <= w.1 {
                    windows.push(w);
                }
            }
            windows.sort();
            if windows.len() == 2 && windows[1].0 <= windows[0].1 + 1 {
                windows = vec![(windows[0].0, windows[0].1.max(windows[1].1))];
            }
        }
        _ => windows.push((lo, hi)),
    }
    if windows.is_empty() {
        return None;
    }
    let delta = t1 + t2
        - if pos == 0 && sol.routes[r].is_empty() {
            0 // an empty round travels nothing today
        } else {
            p.time(r, pn, nn)
        };
    Some(Slot {
        round: r,
        pos,
        windows,
        delta,
    })
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

/// Every feasible insertion of `v` into round `r`.
pub fn slots_in_round(p: &Problem, sol: &Solution, r: usize, v: usize) -> Vec<Slot> {
    let (lo, hi) = gap_limits(p, sol, v);
    let vs = &p.visits[v];
    // Visits are in time order, so only positions between stops that end
    // before the window closes and start after it opens can work.
    (0..=sol.routes[r].len())
        .filter(|&pos| {
            let (pe, _) = prev_of(p, sol, r, pos);
            let (ns, _) = next_of(p, sol, r, pos);
            pe <= vs.tw_end && ns >= vs.tw_start + vs.duration
        })
        .filter_map(|pos| slot(p, sol, r, pos, v, lo, hi))
        .collect()
}

/// The earliest minute common to two ascending window lists.
pub fn earliest_common(a: &[(i32, i32)], b: &[(i32, i32)]) -> Option<i32> {
    let mut best: Option<i32> = None;
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let lo = a0.max(b0);
            if lo <= a1.min(b1) {
                best = Some(best.map_or(lo, |x: i32| x.min(lo)));
            }
        }
    }
    best
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
/// double-up's start is shared with another round).
#[inline]
fn movable(p: &Problem, u: usize) -> bool {
    p.visits[u].required == 1
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
        let (nn, next_latest) = match route.get(pos) {
            Some(&u) => (p.visits[u].node, latest[pos]),
            None => (p.rounds[r].end_node, p.rounds[r].end),
        };
        let t1 = p.time(r, pn, vs.node);
        let t2 = p.time(r, vs.node, nn);
        let lo = vs.tw_start.max(pe + t1).max(glo);
        let hi = vs.tw_end.min(next_latest - vs.duration - t2).min(ghi);
        if lo > hi {
            continue;
        }
        let delta = t1 + t2 - if route.is_empty() { 0 } else { p.time(r, pn, nn) };
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
/// earliest, and the earliest that leaves room for the break before `v`.
pub fn candidate_starts(p: &Problem, sol: &Solution, ins: &Insertion, v: usize, from: i32) -> [i32; 2] {
    let s0 = ins.lo.max(from);
    let with_break = match &p.rounds[ins.round].brk {
        Some(b) => {
            let (pe, pn) = prev_of(p, sol, ins.round, ins.pos);
            let bs = pe.max(b.earliest);
            s0.max(bs + b.minutes + p.time(ins.round, pn, p.visits[v].node))
        }
        None => s0,
    };
    [s0, with_break]
}

/// The new start of every visit of the round that moves when `v` starts at
/// `s` in position `ins.pos` (later single visits pushed as little as
/// needed), or `None` if that breaks a window, a gap, the shift end or
/// leaves no room for the break.
pub fn timetable(p: &Problem, sol: &Solution, ins: &Insertion, v: usize, s: i32) -> Option<Vec<(usize, i32)>> {
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
            if break_fits(b, gpe, gns, p.time(r, gpn, gnn)) {
                brk_ok = true;
                break;
            }
        }
    }
    let vs = &p.visits[v];
    let check_gap = |pe: i32, ns: i32, t: i32, brk_ok: &mut bool| {
        if !*brk_ok && let Some(b) = &spec.brk {
            *brk_ok = break_fits(b, pe, ns, t);
        }
    };
    check_gap(pe, s, p.time(r, pn, vs.node), &mut brk_ok);
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
        check_gap(pe, new, t, &mut brk_ok);
        pe = new + us.duration;
        pn = us.node;
    }
    let t = p.time(r, pn, spec.end_node);
    if pe + t > spec.end {
        return None;
    }
    check_gap(pe, spec.end, t, &mut brk_ok);
    brk_ok.then_some(moved)
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
        assert!(break_fits(&b, 600, 670, 20)); // 630-650 then 20 travel
        assert!(!break_fits(&b, 600, 669, 20));
        assert!(!break_fits(&b, 760, 900, 0)); // too late to start
        assert_eq!(break_start(&b, 700), 700);
    }

    #[test]
    fn earliest_common_minute() {
        assert_eq!(earliest_common(&[(0, 10), (20, 30)], &[(12, 25)]), Some(20));
        assert_eq!(earliest_common(&[(0, 10)], &[(11, 25)]), None);
    }
}
