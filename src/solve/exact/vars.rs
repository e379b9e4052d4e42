//! The variables of the exact model, one named field per family, and the
//! domains (time bounds, candidate visits and arcs) that keep it small.

use std::collections::HashMap;

use good_lp::{Constraint, ProblemVariables, Variable, VariableDefinition, variable};

use crate::problem::Problem;
use crate::solve::reach::Reach;

/// Node codes inside a round: visits are `0..n`, then the round's start
/// and end locations.
pub fn start_node(p: &Problem) -> usize {
    p.visits.len()
}
pub fn end_node(p: &Problem) -> usize {
    p.visits.len() + 1
}

/// One arc `i -> j` of round `r` with its travel minutes.
#[derive(Debug, Clone, Copy)]
pub struct Arc {
    pub from: usize,
    pub to: usize,
    pub travel: i32,
    pub x: Variable,
}

/// A round's part of the model.
#[derive(Debug, Clone)]
pub struct RoundVars {
    /// Visits this round could do (eligible and reachable within the shift).
    pub cand: Vec<usize>,
    /// `w`: the round is used (leaves its start location).
    pub used: Variable,
    /// `y[v]`: the round does visit `v` (for `v` in `cand`).
    pub does: HashMap<usize, Variable>,
    pub arcs: Vec<Arc>,
    /// Departure time from a node (the start node or a candidate visit).
    pub depart: HashMap<usize, Variable>,
    /// Latest departure from a node (so the carer is back by shift end).
    pub depart_ub: HashMap<usize, i32>,
    /// Arrival time back at the end location.
    pub ret: Variable,
    /// The break, if the shift has one: its start, "taken right after node
    /// i" (before travelling on) and "taken on arrival at visit j" (after
    /// travelling, before the visit starts).
    pub brk: Option<BreakVars>,
}

#[derive(Debug, Clone)]
pub struct BreakVars {
    pub start: Variable,
    pub lo: i32,
    pub hi: i32,
    pub minutes: i32,
    pub after: HashMap<usize, Variable>,
    pub on_arrival: HashMap<usize, Variable>,
}

/// Every variable of the model.
#[derive(Debug, Clone)]
pub struct Vars {
    /// `u[k]`: client `k` is served (all of its visits, or none).
    pub served: Vec<Variable>,
    /// `s[v]`: the minute visit `v` starts (shared by both rounds of a
    /// double-up, which is what synchronises them).
    pub start: Vec<Variable>,
    pub rounds: Vec<RoundVars>,
    /// `l[v]`: minutes visit `v` starts past its `late_after`, for visits
    /// that have one (a request's `window.due`).
    pub late: Vec<Option<Variable>>,
}

/// The model under construction: variables (with their column order, for
/// warm starts) and named constraints.
pub struct Model<'a> {
    pub p: &'a Problem,
    pub problem_vars: ProblemVariables,
    pub column: HashMap<Variable, usize>,
    pub rows: Vec<Constraint>,
    pub vars: Vars,
}

impl<'a> Model<'a> {
    fn add(
        problem_vars: &mut ProblemVariables,
        column: &mut HashMap<Variable, usize>,
        def: VariableDefinition,
    ) -> Variable {
        let v = problem_vars.add(def);
        let n = column.len();
        column.insert(v, n);
        v
    }

    /// A constraint named after the rule it encodes.
    pub fn row(&mut self, name: String, c: Constraint) {
        self.rows.push(c.set_name(name));
    }

    /// Create every variable; constraints are added by the rule files.
    pub fn new(p: &'a Problem) -> Model<'a> {
        let reach = Reach::new(p);
        let mut pv = ProblemVariables::new();
        let mut col = HashMap::new();
        let served = (0..p.clients.len())
            .map(|_| Self::add(&mut pv, &mut col, variable().binary()))
            .collect();
        let start = p
            .visits
            .iter()
            .map(|v| {
                Self::add(
                    &mut pv,
                    &mut col,
                    variable().integer().clamp(v.tw_start, v.tw_end),
                )
            })
            .collect();
        let mut rounds = Vec::with_capacity(p.rounds.len());
        for r in 0..p.rounds.len() {
            rounds.push(Self::round_vars(p, &reach, r, &mut pv, &mut col));
        }
        let late = p
            .visits
            .iter()
            .map(|v| {
                v.late_after.map(|due| {
                    let most = (v.tw_end - due).max(0);
                    Self::add(&mut pv, &mut col, variable().integer().clamp(0, most))
                })
            })
            .collect();
        Model {
            p,
            problem_vars: pv,
            column: col,
            rows: Vec::new(),
            vars: Vars {
                served,
                start,
                rounds,
                late,
            },
        }
    }

    /// The variables of round `r` (in the order the model has always added
    /// them, so column numbers do not change): used, which candidate visits
    /// it does, departure times, the return, the arcs that can be driven in
    /// time, and the break.
    fn round_vars(
        p: &Problem,
        reach: &Reach,
        r: usize,
        pv: &mut ProblemVariables,
        col: &mut HashMap<Variable, usize>,
    ) -> RoundVars {
        let spec = &p.rounds[r];
        let (sn, en) = (start_node(p), end_node(p));
        let cand = candidates(p, reach, r);
        let mut add = |def| Self::add(pv, col, def);
        let brk_lo = spec.brk.map(|b| b.earliest.max(spec.start));
        let brk_hi = spec.brk.map(|b| b.latest.min(spec.end - b.minutes));
        let break_impossible = matches!((brk_lo, brk_hi), (Some(lo), Some(hi)) if lo > hi);
        let used = if cand.is_empty() || break_impossible {
            add(variable().binary().max(0))
        } else {
            add(variable().binary())
        };
        let does: HashMap<usize, Variable> = cand
            .iter()
            .map(|&v| (v, add(variable().binary())))
            .collect();
        let mut depart = HashMap::new();
        let mut depart_ub = HashMap::new();
        let back = |node: usize| spec.end - reach.to_end[r][node];
        depart.insert(sn, add(variable().integer().clamp(spec.start, spec.end)));
        depart_ub.insert(sn, spec.end);
        for &v in &cand {
            let vs = &p.visits[v];
            let ub = back(vs.node).max(vs.tw_start + vs.duration);
            depart.insert(
                v,
                add(variable().integer().clamp(vs.tw_start + vs.duration, ub)),
            );
            depart_ub.insert(v, ub);
        }
        let ret = add(variable().integer().clamp(spec.start, spec.end));
        let node_of = |i: usize| {
            if i == sn {
                spec.start_node
            } else if i == en {
                spec.end_node
            } else {
                p.visits[i].node
            }
        };
        let earliest_end = |i: usize| {
            if i == sn {
                spec.start
            } else {
                let vs = &p.visits[i];
                vs.tw_start.max(spec.start + reach.from_start[r][vs.node]) + vs.duration
            }
        };
        let mut arcs = Vec::new();
        let froms = std::iter::once(sn).chain(cand.iter().copied());
        for i in froms {
            let tos = cand.iter().copied().chain(std::iter::once(en));
            for j in tos {
                if i == j || (i == sn && j == en) {
                    continue;
                }
                let t = p.time(r, node_of(i), node_of(j));
                let latest = if j == en {
                    spec.end
                } else {
                    p.visits[j].tw_end
                };
                if earliest_end(i) + t > latest {
                    continue;
                }
                arcs.push(Arc {
                    from: i,
                    to: j,
                    travel: t,
                    x: add(variable().binary()),
                });
            }
        }
        let brk = spec.brk.map(|b| {
            let (lo, hi) = if break_impossible {
                (b.earliest, b.earliest)
            } else {
                (brk_lo.unwrap_or(b.earliest), brk_hi.unwrap_or(b.latest))
            };
            let start = add(variable().integer().clamp(lo, hi));
            let after = std::iter::once(sn)
                .chain(cand.iter().copied())
                .map(|i| (i, add(variable().binary())))
                .collect();
            let on_arrival = cand
                .iter()
                .map(|&j| (j, add(variable().binary())))
                .collect();
            BreakVars {
                start,
                lo,
                hi,
                minutes: b.minutes,
                after,
                on_arrival,
            }
        });
        RoundVars {
            cand,
            used,
            does,
            arcs,
            depart,
            depart_ub,
            ret,
            brk,
        }
    }
}

/// The visits round `r` could do: its carer is eligible, and the visit can
/// start in its window after travelling from the start location (along the
/// shortest chain of legs) and still leave time to get back by the end of
/// the shift.
pub fn candidates(p: &Problem, reach: &Reach, r: usize) -> Vec<usize> {
    let spec = &p.rounds[r];
    (0..p.visits.len())
        .filter(|&v| p.eligible[v].contains(&r))
        .filter(|&v| {
            let vs = &p.visits[v];
            let arrive = spec.start + reach.from_start[r][vs.node];
            let begin = arrive.max(vs.tw_start);
            begin <= vs.tw_end && begin + vs.duration + reach.to_end[r][vs.node] <= spec.end
        })
        .collect()
}
