//! Between the model's columns and a [`Solution`]: a heuristic plan as a
//! warm start for HiGHS (so a feasible plan exists at any time limit), and
//! a MIP solution back as routes and start minutes.

use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::timing::gap::break_place;

use super::vars::{Model, end_node, start_node};

/// The columns that encode `sol`, or `None` if `sol` uses a visit or an arc
/// the model left out (which would mean the model is too strict).
pub fn columns_of(m: &Model, sol: &Solution) -> Option<Vec<f64>> {
    let p = m.p;
    let mut val = vec![0.0; m.column.len()];
    let mut set = |var, x: f64| val[m.column[&var]] = x;
    let (sn, en) = (start_node(p), end_node(p));
    for (k, &u) in m.vars.served.iter().enumerate() {
        set(u, f64::from(u8::from(sol.is_served(p, k))));
    }
    for (v, &s) in m.vars.start.iter().enumerate() {
        let at = sol.start[v].unwrap_or(p.visits[v].tw_start);
        set(s, f64::from(at));
        if let Some(l) = m.vars.late[v] {
            set(l, p.lateness_at(v, at) as f64);
        }
    }
    for (r, rv) in m.vars.rounds.iter().enumerate() {
        let spec = &p.rounds[r];
        let route = &sol.routes[r];
        // Defaults for what an unused round or undone visit leaves free.
        set(rv.depart[&sn], f64::from(spec.start));
        for &v in &rv.cand {
            let vs = &p.visits[v];
            set(rv.depart[&v], f64::from(vs.tw_start + vs.duration));
        }
        set(rv.ret, f64::from(spec.start));
        if let Some(b) = &rv.brk {
            set(b.start, f64::from(b.lo));
        }
        if route.is_empty() {
            continue;
        }
        set(rv.used, 1.0);
        let mut prev = sn;
        let mut depart = spec.start;
        let mut prev_loc = spec.start_node;
        let mut brk = spec.brk;
        let stops: Vec<usize> = route.iter().copied().chain(std::iter::once(en)).collect();
        for &next in &stops {
            let (next_start, next_loc) = if next == en {
                (spec.end, spec.end_node)
            } else {
                (sol.start[next]?, p.visits[next].node)
            };
            let t = p.time(r, prev_loc, next_loc);
            if let Some(b) = brk
                && let Some(place) = break_place(&b, depart, next_start, t, next == en)
            {
                brk = None;
                let bv = rv.brk.as_ref()?;
                set(bv.start, f64::from(place.start));
                if place.travel_first {
                    set(*bv.on_arrival.get(&next)?, 1.0);
                } else {
                    set(bv.after[&prev], 1.0);
                    depart = place.start + b.minutes;
                }
            }
            set(rv.depart[&prev], f64::from(depart));
            let arc = rv.arcs.iter().find(|a| a.from == prev && a.to == next)?;
            set(arc.x, 1.0);
            if next == en {
                set(rv.ret, f64::from(depart + t));
            } else {
                set(*rv.does.get(&next)?, 1.0);
                depart = next_start + p.visits[next].duration;
                prev = next;
                prev_loc = next_loc;
            }
        }
        if brk.is_some() {
            return None;
        }
    }
    Some(val)
}

/// The routes and start minutes that the columns `val` encode.
pub fn solution_of(m: &Model, val: &[f64]) -> Solution {
    let p: &Problem = m.p;
    let on = |var| val[m.column[&var]] > 0.5;
    let (sn, en) = (start_node(p), end_node(p));
    let mut sol = Solution::empty(p);
    for (r, rv) in m.vars.rounds.iter().enumerate() {
        if !on(rv.used) {
            continue;
        }
        let mut cur = sn;
        while let Some(a) = rv.arcs.iter().find(|a| a.from == cur && on(a.x)) {
            if a.to == en || sol.routes[r].len() > rv.cand.len() {
                break;
            }
            let s = val[m.column[&m.vars.start[a.to]]].round() as i32;
            let pos = sol.routes[r].len();
            sol.insert(r, pos, a.to, s);
            cur = a.to;
        }
    }
    sol
}
