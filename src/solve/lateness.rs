//! Lateness of a request's calls (`window.due`, docs/format.md, "Due
//! times"): the search chooses who does what and in which order by priority,
//! continuity and travel, and never reads `late_after`; what it leaves to
//! this module is when each call starts. The search's moves push calls later
//! when they need to and never pull them back, so a call can end up later
//! than its round requires (its predecessor was removed, or moved to another
//! round). [`start_early`] starts every single visit as early as its round
//! (the previous stop's end and the travel), its window, its `after` gap and
//! its round's break allow: with the routes fixed, starts only move
//! earlier, so no call becomes later and none of priority, continuity or
//! travel changes. A double-up keeps its common start (moving it means
//! moving two rounds at once: the timing core of issue 28).

use super::Solution;
use super::schedule::{break_fits, prev_of};
use crate::problem::Problem;

/// Whether round `r` (as timed in `sol`) has a gap that holds its break
/// (no break, or no visits, needs none).
fn break_holds(p: &Problem, sol: &Solution, r: usize) -> bool {
    let spec = &p.rounds[r];
    let route = &sol.routes[r];
    let Some(b) = &spec.brk else { return true };
    if route.is_empty() {
        return true;
    }
    let (mut pe, mut node) = (spec.start, spec.start_node);
    for &v in route {
        let Some(start) = sol.start[v] else {
            return false;
        };
        if break_fits(b, pe, start, p.time(r, node, p.visits[v].node), false) {
            return true;
        }
        pe = start + p.visits[v].duration;
        node = p.visits[v].node;
    }
    break_fits(b, pe, spec.end, p.time(r, node, spec.end_node), true)
}

/// Start every single visit as early as its round, window, `after` gap and
/// break allow, when the problem has any soft latest start (a request's
/// `due`); a problem without one is left as it is. Returns whether any start
/// moved.
pub fn start_early(p: &Problem, sol: &mut Solution) -> bool {
    if p.visits.iter().all(|v| v.late_after.is_none()) {
        return false;
    }
    let mut changed = false;
    // Until nothing moves: a visit pulled earlier may let the next one in its
    // round, or the one `after` it in another round, come earlier too.
    loop {
        let mut moved = false;
        for r in 0..p.rounds.len() {
            for pos in 0..sol.routes[r].len() {
                let v = sol.routes[r][pos];
                let vs = &p.visits[v];
                let Some(cur) = sol.start[v] else { continue };
                if vs.is_double_up() {
                    continue;
                }
                let (pe, pn) = prev_of(p, sol, r, pos);
                let t = p.time(r, pn, vs.node);
                let mut lo = vs.tw_start.max(pe + t);
                if let Some((u, gap)) = vs.after
                    && let Some(su) = sol.start[u]
                {
                    lo = lo.max(su + gap);
                }
                if lo >= cur {
                    continue;
                }
                // The earliest start, then the earliest that leave room for
                // the break before the visit (before or after travelling).
                let mut tries = vec![lo];
                if let Some(b) = &p.rounds[r].brk {
                    tries.push(pe.max(b.earliest) + b.minutes + t);
                    tries.push((pe + t).max(b.earliest) + b.minutes);
                }
                tries.retain(|&s| s >= lo && s < cur);
                tries.sort_unstable();
                for s in tries {
                    sol.start[v] = Some(s);
                    if break_holds(p, sol, r) {
                        moved = true;
                        break;
                    }
                    sol.start[v] = Some(cur);
                }
            }
        }
        if !moved {
            return changed;
        }
        changed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Request;

    /// One carer 08:00-12:00 (a 20 min break to start 08:30-08:40 on
    /// request), two clients at the depot: A 08:00-09:00, B 08:00-11:00 due
    /// 08:30 on request; 30 min each.
    fn day(with_break: bool, due: bool) -> Problem {
        let brk = if with_break {
            r#","break":{"earliest":"08:30","latest":"08:40","minutes":20}"#
        } else {
            ""
        };
        let due = if due { r#","due":"08:30""# } else { "" };
        let text = format!(
            r#"{{"date":"2026-12-08",
            "carers":[{{"id":"C1","travel_mode":"walk","start_location":{{"lat":52.05,"lon":-2.72}},
              "shift":{{"start":"08:00","end":"12:00"{brk}}}}}],
            "clients":[
              {{"id":"A","location":{{"lat":52.05,"lon":-2.72}},
                "visits":[{{"id":"A1","window":{{"start":"08:00","end":"09:00"}},"duration":30}}]}},
              {{"id":"B","location":{{"lat":52.05,"lon":-2.72}},
                "visits":[{{"id":"B1","window":{{"start":"08:00","end":"11:00"{due}}},"duration":30}}]}}]}}"#
        );
        let req: Request = serde_json::from_str(&text).unwrap();
        Problem::from_request(&req).unwrap()
    }

    fn visit(p: &Problem, id: &str) -> usize {
        p.visits.iter().position(|v| v.id == id).unwrap()
    }

    /// A1 at 08:00, B1 at `b` (later than it needs to be).
    fn timed(p: &Problem, b: i32) -> Solution {
        let (a1, b1) = (visit(p, "A1"), visit(p, "B1"));
        let mut sol = Solution::empty(p);
        sol.routes[0] = vec![a1, b1];
        sol.start[a1] = Some(480);
        sol.start[b1] = Some(b);
        sol.rounds_of[a1] = vec![0];
        sol.rounds_of[b1] = vec![0];
        sol
    }

    #[test]
    fn a_call_left_late_starts_as_early_as_its_round_allows() {
        let p = day(false, true);
        let mut sol = timed(&p, 600);
        assert_eq!(p.lateness_at(visit(&p, "B1"), 600), 90);
        assert!(start_early(&p, &mut sol));
        // A1 ends 08:30, no travel between neighbours: B1 at 08:30, on time.
        assert_eq!(sol.start[visit(&p, "B1")], Some(510));
        assert_eq!(sol.start[visit(&p, "A1")], Some(480));
        assert!(!start_early(&p, &mut sol), "nothing more to move");
    }

    #[test]
    fn the_break_keeps_its_room() {
        // B1 at 10:00 leaves 08:30-10:00 for the break. At 08:30 no gap
        // would hold it (it must start by 08:40, and after B1 it is 09:00):
        // B1 comes to 08:50, after the break 08:30-08:50, 20 min late.
        let p = day(true, true);
        let mut sol = timed(&p, 600);
        assert!(start_early(&p, &mut sol));
        assert_eq!(sol.start[visit(&p, "B1")], Some(530));
        assert!(break_holds(&p, &sol, 0));
        assert_eq!(p.lateness_at(visit(&p, "B1"), 530), 20);
    }

    #[test]
    fn without_a_due_nothing_moves() {
        let p = day(false, false);
        let mut sol = timed(&p, 600);
        assert!(!start_early(&p, &mut sol));
        assert_eq!(sol.start[visit(&p, "B1")], Some(600));
    }
}
