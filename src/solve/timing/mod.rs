//! The timing core: start times of every placed visit, as early as the
//! routes and the rules allow, kept exact as visits go in and out.
//!
//! It is the one timing under the one search (issue 28), for requests and
//! for the benchmark readers alike: greedy and regret insertion, double-up
//! and linked-pair placement, destroy, recombination and every
//! local-search move.
//!
//! # The model
//!
//! One start variable per placed visit. Every rule is a lower bound of a
//! start by a constant or by another start:
//!
//! - route order and travel: in round `r`, a stop starts no earlier than the
//!   previous stop's end plus the travel between them
//!   ([`crate::problem::Problem::time`]); the first stop no earlier than the
//!   shift start plus the travel from the start location;
//! - hard windows `[tw_start, tw_end]` and the shift end (the carer back at
//!   the end location by then): upper bounds, checked;
//! - a double-up is **one** visit in two rounds' routes: its one start obeys
//!   both routes (two route predecessors, two successors). That the two
//!   rounds are of two different carers is an assignment rule, not timing;
//! - ties between two visits ([`Rules`]): `after` minimum and maximum gaps,
//!   [`crate::problem::Link`]s (least and largest lag, both directions;
//!   visits that start together are a link of lag 0..0);
//! - the break is a routed stop ([`BREAK`]) in the route of a round with a
//!   [`crate::problem::BreakSpec`]: the gap it stands in holds it, and the
//!   core chooses per gap "travel then break" or "break then travel"
//!   ([`gap`]).
//!
//! # Earliest starts: the least solution
//!
//! Each rule reads `start(x) >= f(start(y))` with `f` non-decreasing: a
//! difference constraint `y + w`, or the gap function of a gap with the
//! break, which is non-decreasing in the previous stop's end ([`gap`]
//! shows why). With such rules, any two schedules' minimum is a schedule,
//! and raising starts from below until every rule holds (Kleene iteration;
//! here first-in-first-out label correcting, Bellman-Ford's order) reaches
//! the least schedule: by induction every value reached stays below every
//! schedule, since each step applies a non-decreasing `f` to values below
//! it. So the result starts every visit as early as any schedule of these
//! routes does, and has the least lateness (lateness is non-decreasing in
//! each start). If a rise passes a window's end, the shift end or the
//! break's latest start, every schedule would too: the routes have none.
//!
//! A positive cycle (visits that wait for each other, e.g. two links in
//! crossed order in two rounds) makes the rise endless. A gap's break mode
//! changes only a constant bound, never the weight of a cycle, and
//! switches at most once per gap from travel-first to break-first as
//! starts rise; between switches the rules are plain difference
//! constraints, where without a positive cycle no start rises in more than
//! `n` passes. So a start raised more than `(n + 1) * (1 + breaks)` times
//! reveals a positive cycle ([`Infeasible::Cycle`]).
//!
//! # Latest starts
//!
//! The same rules are closed under the maximum too, so the latest schedule
//! exists whenever one does: [`Timing::latest`] lowers upper bounds from the
//! windows and shift ends backwards through the inverse of each rule
//! ([`gap::latest_end`] for a gap). `latest(v) - earliest(v)` is the slack
//! of `v`: how far it can be pushed with every other visit moving as needed.
//!
//! # Changes
//!
//! [`Timing::try_insert`] places a visit (in `required` rounds at once) and
//! raises starts from it along routes and ties: adding rules only raises the
//! least solution when the new stops' chain implies the gap they split
//! (travel `t(a, v) + duration(v) + t(v, c) >= t(a, c)`). Where it may not
//! (a travel matrix without the triangle inequality, or a gap holding the
//! break, whose travel-first choice may become possible) the visits it
//! reaches (after it in its rounds, through ties, transitively) are reset
//! and raised again, so the result is always the least solution.
//! [`Timing::remove`] and [`Timing::try_routes`] re-time the same way only
//! what the change reaches (a removal lowers starts; with a break it may
//! also raise some, so it can fail too). Each change keeps a log;
//! [`Timing::undo`] restores the state before it exactly.
//!
//! [`segment`] holds the filter's arithmetic for route moves: summaries of
//! route segments concatenated as PyVRP's `DurationSegment` does, exact for
//! rounds without breaks, double-ups or ties, a relaxation otherwise; the
//! local search (`solve/ls/`) filters every move with it before this core
//! times the move exactly.

mod earliest;
pub mod gap;
mod latest;
pub mod rules;
pub mod segment;
#[cfg(test)]
mod tests;

pub use rules::Rules;
pub use segment::Segment;

use crate::problem::Problem;

/// The round's break in a route (a stop that is no visit).
pub const BREAK: usize = usize::MAX;

/// The start of a visit not placed, or placed and not yet timed.
const UNSET: i32 = i32::MIN / 4;

/// No visit.
const NONE: usize = usize::MAX;

/// Why routes have no schedule, or a call was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Infeasible {
    /// The visit would start after its window ends.
    Window { visit: usize },
    /// The carer would be back after the shift end.
    ShiftEnd { round: usize },
    /// The break could not start by its latest.
    Break { round: usize },
    /// The visit's start would rise for ever: a positive cycle.
    Cycle { visit: usize },
    /// The call does not describe routes of this problem (a visit placed
    /// twice, in the wrong number of rounds, a break missing or extra).
    Invalid {
        visit: Option<usize>,
        round: Option<usize>,
    },
}

/// What a change did: how many starts moved, and the change of total
/// lateness ([`Problem::lateness_at`]) and of travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    pub moved: usize,
    pub lateness: i64,
    /// The largest lateness of a visit whose start the change set or
    /// moved: where starts only rise (an insertion), the plan's largest
    /// lateness is now the greater of this and the one before.
    pub worst: i64,
    pub travel: i64,
}

/// One change, to undo it.
#[derive(Debug, Clone)]
enum Op {
    Insert {
        v: usize,
        log: Vec<(usize, i32)>,
    },
    Remove {
        v: usize,
        places: Vec<(usize, usize)>,
        log: Vec<(usize, i32)>,
    },
    /// Rounds given new stops: their old stops, and the visits placed or
    /// taken out by it.
    Routes {
        old: Vec<(usize, Vec<usize>)>,
        log: Vec<(usize, i32)>,
    },
}

/// Routes of a problem with every placed visit's earliest start.
#[derive(Debug, Clone)]
pub struct Timing<'p> {
    p: &'p Problem,
    rules: Rules,
    /// Stops of each round: visits and, in a round with a break, [`BREAK`].
    routes: Vec<Vec<usize>>,
    /// `(round, index in its route)` of each placed visit.
    slots: Vec<Vec<(usize, usize)>>,
    start: Vec<i32>,
    /// A least start per visit besides its window ([`UNSET`]: none), for
    /// timing changes to a published plan where nothing moves earlier
    /// ([`Timing::of_solution_kept`]).
    floor: Vec<i32>,
    placed: usize,
    ops: Vec<Op>,
    /// Scratch of the propagation: queued visits, raises per visit.
    queued: Vec<bool>,
    raises: Vec<u32>,
    /// Per visit raised in the current propagation, the visit whose start
    /// raised it ([`NONE`] otherwise), to find positive cycles early.
    why: Vec<usize>,
}

impl<'p> Timing<'p> {
    /// The routes `routes` (stops per round, [`BREAK`] where the break is;
    /// an empty round needs none) timed from scratch.
    pub fn new(p: &'p Problem, rules: Rules, routes: Vec<Vec<usize>>) -> Result<Self, Infeasible> {
        let n = p.visits.len();
        let mut t = Timing {
            p,
            rules,
            routes: vec![Vec::new(); p.rounds.len()],
            slots: vec![Vec::new(); n],
            start: vec![UNSET; n],
            floor: vec![UNSET; n],
            placed: 0,
            ops: Vec::new(),
            queued: vec![false; n],
            raises: vec![0; n],
            why: vec![NONE; n],
        };
        if routes.len() != p.rounds.len() || t.rules.visits() != n {
            return Err(Infeasible::Invalid {
                visit: None,
                round: None,
            });
        }
        for (r, route) in routes.into_iter().enumerate() {
            for (i, &x) in route.iter().enumerate() {
                if x != BREAK {
                    if x >= n || t.slots[x].iter().any(|&(o, _)| o == r) {
                        return Err(Infeasible::Invalid {
                            visit: Some(x),
                            round: Some(r),
                        });
                    }
                    t.slots[x].push((r, i));
                }
            }
            t.routes[r] = route;
            t.normalise(r)?;
        }
        for v in 0..n {
            let k = t.slots[v].len();
            if k != 0 && k != p.visits[v].required {
                return Err(Infeasible::Invalid {
                    visit: Some(v),
                    round: None,
                });
            }
            t.placed += (k != 0) as usize;
        }
        let mut log = Vec::new();
        t.retime(&mut log)?;
        Ok(t)
    }

    /// The routes of a solution (the break in the first gap that holds it
    /// at the solution's starts, [`stops_of`]) with every visit as early as
    /// they allow.
    pub fn of_solution(
        p: &'p Problem,
        rules: Rules,
        sol: &super::Solution,
    ) -> Result<Self, Infeasible> {
        let stops = stops_of(p, sol).ok_or(Infeasible::Invalid {
            visit: None,
            round: None,
        })?;
        Timing::new(p, rules, stops)
    }

    /// The routes of a solution with its starts kept as they are: every
    /// placed visit starts no earlier than now, so a change only pushes
    /// visits later, as far as it must (inserting into a published plan:
    /// calls that need not move keep their times).
    pub fn of_solution_kept(
        p: &'p Problem,
        rules: Rules,
        sol: &super::Solution,
    ) -> Result<Self, Infeasible> {
        let mut t = Timing::of_solution(p, rules, sol)?;
        for (v, s) in sol.start.iter().enumerate() {
            if let Some(s) = *s
                && t.is_placed(v)
            {
                t.floor[v] = s;
            }
        }
        let placed: Vec<usize> = (0..t.start.len()).filter(|&v| t.is_placed(v)).collect();
        let mut log = Vec::new();
        t.retime_from(&placed, &mut log)?;
        Ok(t)
    }

    /// The routes and earliest starts as a [`super::Solution`].
    pub fn solution(&self) -> super::Solution {
        let routes: Vec<Vec<usize>> = self
            .routes
            .iter()
            .map(|r| r.iter().copied().filter(|&x| x != BREAK).collect())
            .collect();
        let rounds_of = self
            .slots
            .iter()
            .map(|s| s.iter().map(|&(r, _)| r).collect())
            .collect();
        super::Solution {
            routes,
            start: self.starts(),
            rounds_of,
        }
    }

    /// The visits of round `r`, in order (its stops without the break).
    pub fn visits_of(&self, r: usize) -> Vec<usize> {
        self.routes[r]
            .iter()
            .copied()
            .filter(|&x| x != BREAK)
            .collect()
    }

    /// For each visit position `i` of round `r` (and `len`, the return), an
    /// upper bound of the start of what is there (for `len`, the shift
    /// end): windows, travel and the shift end of this round only. A
    /// relaxation (the break, which may move to another gap, ties and a
    /// double-up's other round are left out), for filtering insertions in
    /// constant time.
    pub fn round_latest(&self, r: usize) -> Vec<i32> {
        let p = self.p;
        let visits = self.visits_of(r);
        let len = visits.len();
        let mut lat = vec![0; len + 1];
        lat[len] = p.rounds[r].end;
        let mut next = p.rounds[r].end_node;
        for i in (0..len).rev() {
            let vs = &p.visits[visits[i]];
            lat[i] = vs
                .tw_end
                .min(lat[i + 1] - p.time(r, vs.node, next) - vs.duration);
            next = vs.node;
        }
        lat
    }

    /// Where visit `v` could start if put at visit position `pos` of round
    /// `r` (`visits`: [`Timing::visits_of`], `lat`:
    /// [`Timing::round_latest`]): the least start the visit before allows,
    /// the greatest the rest of the round does, and the travel it adds. A
    /// relaxation: `lo > hi` means no schedule; otherwise the core decides.
    pub fn insertion_window(
        &self,
        r: usize,
        visits: &[usize],
        pos: usize,
        v: usize,
        lat: &[i32],
    ) -> (i32, i32, i64) {
        let p = self.p;
        let spec = &p.rounds[r];
        let vs = &p.visits[v];
        let (pe, pn) = match pos.checked_sub(1) {
            Some(k) => {
                let u = visits[k];
                (self.start[u] + p.visits[u].duration, p.visits[u].node)
            }
            None => (spec.start, spec.start_node),
        };
        let nn = visits.get(pos).map_or(spec.end_node, |&u| p.visits[u].node);
        let lo = (pe + p.time(r, pn, vs.node)).max(vs.tw_start);
        let hi = vs
            .tw_end
            .min(lat[pos] - p.time(r, vs.node, nn) - vs.duration);
        let added = if visits.is_empty() {
            p.time(r, pn, vs.node) + p.time(r, vs.node, nn)
        } else {
            p.time(r, pn, vs.node) + p.time(r, vs.node, nn) - p.time(r, pn, nn)
        };
        (lo, hi, added as i64)
    }

    /// Put visit `v` at visit positions `places` (`(round, position among
    /// its visits)`, one per carer it needs) and re-time: where no round
    /// has a break, [`Timing::try_insert`] at once; otherwise the rounds get
    /// their new visit orders by [`Timing::try_routes`], which puts each
    /// break in the gap where it now fits (the break is not tied to the gap
    /// it was in).
    pub fn try_place(&mut self, v: usize, places: &[(usize, usize)]) -> Result<Change, Infeasible> {
        if places.iter().all(|&(r, _)| self.p.rounds[r].brk.is_none()) {
            return self.try_insert(v, places);
        }
        let changes: Vec<(usize, Vec<usize>)> = places
            .iter()
            .map(|&(r, pos)| {
                let mut visits = self.visits_of(r);
                visits.insert(pos.min(visits.len()), v);
                (r, visits)
            })
            .collect();
        if self.is_placed(v) {
            return Err(Infeasible::Invalid {
                visit: Some(v),
                round: None,
            });
        }
        self.try_routes(&changes)
    }

    /// Give an empty round with a break its break stop, and refuse a round
    /// whose break is missing, doubled or not its own.
    fn normalise(&mut self, r: usize) -> Result<(), Infeasible> {
        let route = &mut self.routes[r];
        let breaks = route.iter().filter(|&&x| x == BREAK).count();
        let bad = Err(Infeasible::Invalid {
            visit: None,
            round: Some(r),
        });
        match self.p.rounds[r].brk {
            Some(_) if breaks == 0 && route.is_empty() => route.push(BREAK),
            Some(_) if breaks != 1 => return bad,
            None if breaks != 0 => return bad,
            _ => {}
        }
        Ok(())
    }

    pub fn problem(&self) -> &'p Problem {
        self.p
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The stops of every round.
    pub fn routes(&self) -> &[Vec<usize>] {
        &self.routes
    }

    /// Whether visit `v` is placed.
    #[inline]
    pub fn is_placed(&self, v: usize) -> bool {
        !self.slots[v].is_empty()
    }

    /// `(round, index in its stops)` of each place of visit `v`.
    pub fn slots(&self, v: usize) -> &[(usize, usize)] {
        &self.slots[v]
    }

    /// The earliest start of visit `v`, if placed.
    #[inline]
    pub fn earliest(&self, v: usize) -> Option<i32> {
        self.is_placed(v).then_some(self.start[v])
    }

    /// The earliest start of every visit (`None`: not placed).
    pub fn starts(&self) -> Vec<Option<i32>> {
        (0..self.start.len()).map(|v| self.earliest(v)).collect()
    }

    /// Where round `r`'s break starts in the earliest schedule, and whether
    /// its carer travels first; `None` for a round without a break or
    /// visits.
    pub fn break_start(&self, r: usize) -> Option<(i32, bool)> {
        let route = &self.routes[r];
        let b = self.p.rounds[r].brk.as_ref()?;
        let i = route.iter().position(|&x| x == BREAK)?;
        if route.len() == 1 {
            return None;
        }
        let (pe, pn) = self.end_before(r, i);
        let node = self.node_at(r, i + 1);
        gap::break_start(pe, self.p.time(r, pn, node), b, i + 1 == route.len())
    }

    /// Total and largest lateness of the placed visits.
    pub fn lateness(&self) -> (i64, i64) {
        (0..self.start.len())
            .filter(|&v| self.is_placed(v))
            .map(|v| self.p.lateness_at(v, self.start[v]))
            .fold((0, 0), |(s, m), l| (s + l, m.max(l)))
    }

    /// Travel of every round.
    pub fn travel(&self) -> i64 {
        (0..self.routes.len()).map(|r| self.round_travel(r)).sum()
    }

    /// Travel of round `r` (0 without visits).
    pub fn round_travel(&self, r: usize) -> i64 {
        self.p
            .route_travel(r, self.routes[r].iter().copied().filter(|&x| x != BREAK))
    }

    /// The node of stop `i` of round `r` (the end location past the last
    /// stop); `i` must not be the break.
    #[inline]
    fn node_at(&self, r: usize, i: usize) -> usize {
        match self.routes[r].get(i) {
            Some(&v) => self.p.visits[v].node,
            None => self.p.rounds[r].end_node,
        }
    }

    /// The end and node of the stop before index `i` of round `r` (the
    /// shift start at the start location for `i == 0`); that stop must not
    /// be the break.
    #[inline]
    fn end_before(&self, r: usize, i: usize) -> (i32, usize) {
        if i == 0 {
            let spec = &self.p.rounds[r];
            (spec.start, spec.start_node)
        } else {
            let u = self.routes[r][i - 1];
            let us = &self.p.visits[u];
            (self.start[u] + us.duration, us.node)
        }
    }

    /// The earliest start of stop `i` of round `r` (`i == len`: the return
    /// to the end location) from the stop before it, across the break if it
    /// stands between them.
    #[inline]
    fn arrival(&self, r: usize, i: usize) -> Result<i32, Infeasible> {
        let route = &self.routes[r];
        let node = self.node_at(r, i);
        let (j, brk) = if i > 0 && route[i - 1] == BREAK {
            (i - 1, self.p.rounds[r].brk.as_ref())
        } else {
            (i, None)
        };
        let (pe, pn) = self.end_before(r, j);
        gap::arrive(pe, self.p.time(r, pn, node), brk, i == route.len())
            .ok_or(Infeasible::Break { round: r })
    }

    /// The index of the stop after visit stop `i` of round `r`, past the
    /// break (`len`: the return).
    #[inline]
    fn next_index(&self, r: usize, i: usize) -> usize {
        let route = &self.routes[r];
        if route.get(i + 1) == Some(&BREAK) {
            i + 2
        } else {
            i + 1
        }
    }

    /// The visit before visit stop `i` of round `r`, past the break.
    #[inline]
    fn prev_visit(&self, r: usize, i: usize) -> Option<usize> {
        let route = &self.routes[r];
        let k = if i > 0 && route[i - 1] == BREAK {
            i.checked_sub(2)?
        } else {
            i.checked_sub(1)?
        };
        Some(route[k])
    }

    /// Whether round `r` is back by its shift end (and its break in time
    /// on the way home).
    #[inline]
    fn check_end(&self, r: usize) -> Result<(), Infeasible> {
        let back = self.arrival(r, self.routes[r].len())?;
        if back > self.p.rounds[r].end {
            return Err(Infeasible::ShiftEnd { round: r });
        }
        Ok(())
    }

    /// Rounds with a break (at least those whose gap may switch mode).
    fn breaks(&self) -> usize {
        self.p.rounds.iter().filter(|r| r.brk.is_some()).count()
    }
}

/// The stops of a solution of today's engine: its routes, with the break
/// in the first gap that holds it at the solution's starts (`None` if a
/// round's break fits in no gap).
pub fn stops_of(p: &Problem, sol: &super::Solution) -> Option<Vec<Vec<usize>>> {
    let mut out = Vec::with_capacity(sol.routes.len());
    for (r, route) in sol.routes.iter().enumerate() {
        let spec = &p.rounds[r];
        let Some(b) = &spec.brk else {
            out.push(route.clone());
            continue;
        };
        let mut stops = route.clone();
        if route.is_empty() {
            stops.push(BREAK);
            out.push(stops);
            continue;
        }
        let (mut pe, mut pn) = (spec.start, spec.start_node);
        let mut at = None;
        for i in 0..=route.len() {
            let (ns, nn) = match route.get(i) {
                Some(&v) => (sol.start[v]?, p.visits[v].node),
                None => (spec.end, spec.end_node),
            };
            let t = p.time(r, pn, nn);
            if gap::arrive(pe, t, Some(b), i == route.len()).is_some_and(|a| a <= ns) {
                at = Some(i);
                break;
            }
            if let Some(&v) = route.get(i) {
                pe = ns + p.visits[v].duration;
                pn = nn;
            }
        }
        stops.insert(at?, BREAK);
        out.push(stops);
    }
    Some(out)
}
