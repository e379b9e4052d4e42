//! A plan of a problem with linked visits and soft lateness, with every
//! visit as early as the rules allow.
//!
//! All rules are difference constraints on start times: a visit starts no
//! earlier than its window opens and than its carer can get there from the
//! previous stop, and a [`crate::problem::Link`] bounds `start(second) -
//! start(first)` on both sides. Their least solution (the longest paths)
//! starts every visit as early as any plan with these routes can, so it
//! also has the least lateness, and a positive cycle (two rounds that wait
//! for each other) means the routes have no schedule. Inserting a visit
//! only raises starts, so an insertion is timed by pushing the rise along
//! routes and links from the inserted visits ([`State::try_insert`]); a
//! removal re-times the whole plan ([`State::retime`]).

use crate::problem::Problem;

/// Not placed.
const NONE: usize = usize::MAX;

/// The start of a visit not timed yet.
const UNSET: i32 = i32::MIN / 4;

/// The link of one visit, seen from it: `start(partner) - start(this)` lies
/// in `[lo, hi]`.
#[derive(Debug, Clone, Copy)]
pub struct Tie {
    pub partner: usize,
    pub lo: i32,
    pub hi: i32,
}

/// The ties of every visit (at most one each).
pub fn ties(p: &Problem) -> Vec<Option<Tie>> {
    let mut t = vec![None; p.visits.len()];
    for l in &p.links {
        t[l.first] = Some(Tie {
            partner: l.second,
            lo: l.min_lag,
            hi: l.max_lag,
        });
        t[l.second] = Some(Tie {
            partner: l.first,
            lo: -l.max_lag,
            hi: -l.min_lag,
        });
    }
    t
}

/// Routes, positions and earliest starts, with the cost's running parts.
#[derive(Debug, Clone)]
pub struct State<'a> {
    pub p: &'a Problem,
    pub tie: &'a [Option<Tie>],
    pub routes: Vec<Vec<usize>>,
    route_of: Vec<usize>,
    pos_of: Vec<usize>,
    pub start: Vec<i32>,
    /// Travel of each round (0 when empty).
    travel: Vec<i64>,
    late_sum: i64,
    late_max: i64,
}

/// The starts changed by an insertion being tried, to undo it.
type Log = Vec<(usize, i32)>;

impl<'a> State<'a> {
    pub fn new(p: &'a Problem, tie: &'a [Option<Tie>]) -> State<'a> {
        State {
            p,
            tie,
            routes: vec![Vec::new(); p.rounds.len()],
            route_of: vec![NONE; p.visits.len()],
            pos_of: vec![NONE; p.visits.len()],
            start: vec![UNSET; p.visits.len()],
            travel: vec![0; p.rounds.len()],
            late_sum: 0,
            late_max: 0,
        }
    }

    /// The plan with these routes, or `None` if they have no schedule.
    pub fn with_routes(
        p: &'a Problem,
        tie: &'a [Option<Tie>],
        routes: Vec<Vec<usize>>,
    ) -> Option<State<'a>> {
        let mut s = State::new(p, tie);
        s.routes = routes;
        for r in 0..s.routes.len() {
            s.renumber(r, 0);
            s.recount(r);
        }
        s.retime().then_some(s)
    }

    pub fn is_placed(&self, v: usize) -> bool {
        self.route_of[v] != NONE
    }

    pub fn round_of(&self, v: usize) -> Option<usize> {
        (self.route_of[v] != NONE).then_some(self.route_of[v])
    }

    /// Where placed visit `v` stands in its round.
    pub fn position(&self, v: usize) -> usize {
        self.pos_of[v]
    }

    /// Travel + lateness (per minute and worst), in the problem's units.
    pub fn cost(&self) -> i64 {
        let l = &self.p.lateness;
        self.travel.iter().sum::<i64>() + l.per_minute * self.late_sum + l.worst * self.late_max
    }

    /// (travel, total lateness, largest lateness).
    pub fn parts(&self) -> (i64, i64, i64) {
        (self.travel.iter().sum(), self.late_sum, self.late_max)
    }

    fn renumber(&mut self, r: usize, from: usize) {
        for i in from..self.routes[r].len() {
            let v = self.routes[r][i];
            self.route_of[v] = r;
            self.pos_of[v] = i;
        }
    }

    /// The earliest start of placed visit `v` given its predecessor's and
    /// its partner's current starts.
    fn lower(&self, v: usize) -> i32 {
        let p = self.p;
        let vs = &p.visits[v];
        let r = self.route_of[v];
        let i = self.pos_of[v];
        let arrive = if i == 0 {
            p.rounds[r].start + p.time(r, p.rounds[r].start_node, vs.node)
        } else {
            let u = self.routes[r][i - 1];
            let us = &p.visits[u];
            self.start[u] + us.duration + p.time(r, us.node, vs.node)
        };
        let mut lb = vs.tw_start.max(arrive);
        if let Some(t) = self.tie[v]
            && self.route_of[t.partner] != NONE
            && self.start[t.partner] > UNSET
        {
            lb = lb.max(self.start[t.partner] - t.hi);
        }
        lb
    }

    /// Raise starts from `seeds` until every rule holds; false if a window
    /// or shift end is broken or the rise never ends (a positive cycle).
    /// Every changed start is logged with its old value.
    /// At most `budget` starts are raised: with this first-in-first-out
    /// order (Bellman-Ford's) each start rises at most once per visit on its
    /// longest path, so `visits²` suffices for any schedule; an insertion is
    /// given less, and one that needs more is
    /// treated as having no schedule (a candidate lost, never a wrong plan).
    fn push(&mut self, seeds: &[usize], log: &mut Log, mut budget: usize) -> bool {
        let mut queue: std::collections::VecDeque<usize> = seeds.iter().copied().collect();
        while let Some(v) = queue.pop_front() {
            let lb = self.lower(v);
            if lb <= self.start[v] {
                continue;
            }
            if budget == 0 || lb > self.p.visits[v].tw_end {
                return false;
            }
            budget -= 1;
            log.push((v, self.start[v]));
            self.start[v] = lb;
            if let Some(t) = self.tie[v]
                && self.route_of[t.partner] != NONE
            {
                queue.push_back(t.partner);
            }
            let (r, i) = (self.route_of[v], self.pos_of[v]);
            if let Some(&w) = self.routes[r].get(i + 1) {
                queue.push_back(w);
            }
        }
        log.iter()
            .all(|&(v, _)| self.ends_in_time(self.route_of[v]))
    }

    /// Whether round `r`'s carer is back by the shift end.
    fn ends_in_time(&self, r: usize) -> bool {
        let p = self.p;
        match self.routes[r].last() {
            None => true,
            Some(&u) => {
                let us = &p.visits[u];
                self.start[u] + us.duration + p.time(r, us.node, p.rounds[r].end_node)
                    <= p.rounds[r].end
            }
        }
    }

    /// Whether linked visits are in different rounds of different carers.
    fn apart(&self, v: usize, r: usize) -> bool {
        match self.tie[v].map(|t| self.route_of[t.partner]) {
            Some(pr) if pr != NONE => self.p.rounds[pr].carer != self.p.rounds[r].carer,
            _ => true,
        }
    }

    /// Time every placed visit from scratch; false if there is no schedule.
    pub fn retime(&mut self) -> bool {
        let mut seeds = Vec::new();
        for route in &self.routes {
            for &v in route {
                self.start[v] = UNSET;
                seeds.push(v);
            }
        }
        let mut log = Vec::new();
        let n = self.p.visits.len();
        let ok = self.push(&seeds, &mut log, n * n + 256);
        self.late_sum = 0;
        self.late_max = 0;
        for &v in &seeds {
            let l = self.p.lateness_at(v, self.start[v]);
            self.late_sum += l;
            self.late_max = self.late_max.max(l);
        }
        ok
    }

    /// Travel added by visit `v` at position `pos` of round `r`.
    fn added_travel(&self, r: usize, pos: usize, v: usize) -> i64 {
        let p = self.p;
        let route = &self.routes[r];
        let node = |i: usize| p.visits[route[i]].node;
        let prev = if pos == 0 {
            p.rounds[r].start_node
        } else {
            node(pos - 1)
        };
        let next = route.get(pos).map_or(p.rounds[r].end_node, |_| node(pos));
        let base = if route.is_empty() {
            0
        } else {
            p.time(r, prev, next) as i64
        };
        p.time(r, prev, p.visits[v].node) as i64 + p.time(r, p.visits[v].node, next) as i64 - base
    }

    /// Insert visits `(v, round, pos)` (at most one per round, positions as
    /// in the current routes) and return the change of [`State::cost`], or
    /// `None` if the result has no schedule. With `keep` false, the plan is
    /// left as it was.
    pub fn try_insert(&mut self, places: &[(usize, usize, usize)], keep: bool) -> Option<i64> {
        let mut travel = 0;
        for (k, &(v, r, pos)) in places.iter().enumerate() {
            debug_assert!(places[..k].iter().all(|x| x.1 != r));
            if !self.p.eligible[v].contains(&r) {
                return None;
            }
            travel += self.added_travel(r, pos, v);
        }
        for &(v, r, pos) in places {
            self.routes[r].insert(pos, v);
            self.renumber(r, pos);
            self.start[v] = UNSET;
        }
        let seeds: Vec<usize> = places.iter().map(|x| x.0).collect();
        let mut log = Log::new();
        let ok = places.iter().all(|&(v, r, _)| self.apart(v, r))
            && self.push(&seeds, &mut log, 8 * self.p.visits.len() + 256);
        let delta = ok.then(|| {
            let (mut sum, mut max) = (0, self.late_max);
            // A start may rise more than once: count each visit once, from
            // its first old value.
            let mut first: Vec<(usize, usize, i32)> = log
                .iter()
                .enumerate()
                .map(|(i, &(v, old))| (v, i, old))
                .collect();
            first.sort_unstable();
            first.dedup_by_key(|x| x.0);
            for &(v, _, old) in &first {
                let was = if old == UNSET {
                    0
                } else {
                    self.p.lateness_at(v, old)
                };
                let now = self.p.lateness_at(v, self.start[v]);
                sum += now - was;
                max = max.max(now);
            }
            (travel, sum, max)
        });
        let l = self.p.lateness;
        let cost = delta.map(|(travel, sum, max)| {
            travel + l.per_minute * sum + l.worst * (max - self.late_max)
        });
        match delta {
            Some((_, sum, max)) if keep => {
                for &(_, r, _) in places {
                    self.recount(r);
                }
                self.late_sum += sum;
                self.late_max = max;
            }
            _ => {
                for &(v, old) in log.iter().rev() {
                    self.start[v] = old;
                }
                for &(v, _, _) in places.iter().rev() {
                    self.take_out(v);
                }
            }
        }
        cost
    }

    /// Take placed visit `v` out of its round (starts and costs untouched);
    /// its round.
    fn take_out(&mut self, v: usize) -> usize {
        let (r, pos) = (self.route_of[v], self.pos_of[v]);
        self.routes[r].remove(pos);
        self.renumber(r, pos);
        self.route_of[v] = NONE;
        self.pos_of[v] = NONE;
        self.start[v] = UNSET;
        r
    }

    /// Round `r`'s travel from scratch.
    fn recount(&mut self, r: usize) {
        self.travel[r] = self.p.route_travel(r, self.routes[r].iter().copied());
    }

    /// Take visits out and re-time the plan (a removal only lowers starts,
    /// so the plan keeps a schedule).
    pub fn remove(&mut self, visits: &[usize]) {
        let mut touched = Vec::new();
        for &v in visits {
            if self.route_of[v] != NONE {
                touched.push(self.take_out(v));
            }
        }
        for r in touched {
            self.recount(r);
        }
        let ok = self.retime();
        debug_assert!(ok, "a removal cannot break a schedule");
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{State, ties};
    use crate::problem::{Link, Problem, ProblemBuilder};
    use crate::readers::mankowska::{self, tests::TINY};

    fn tiny() -> Problem {
        let inst = mankowska::parse(TINY, "tiny.txt").unwrap();
        mankowska::problem(&inst, "tiny.txt").unwrap().0
    }

    /// The shared A1 and B1 instances, when `../shared` is there.
    fn shared() -> Vec<Problem> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/benchmarks/hhcrsp/mankowska2014/instances/"
        );
        ["InstanzCPLEX_HCSRP_10_1.txt", "InstanzCPLEX_HCSRP_25_1.txt"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(format!("{dir}{f}")).ok())
            .map(|t| {
                mankowska::problem(&mankowska::parse(&t, "f").unwrap(), "f")
                    .unwrap()
                    .0
            })
            .collect()
    }

    /// (D + T + Tmax) of `routes` from scratch: travel summed leg by leg,
    /// starts by a fresh timing.
    fn from_scratch(p: &Problem, routes: &[Vec<usize>]) -> Option<i64> {
        let tie = ties(p);
        let s = State::with_routes(p, &tie, routes.to_vec())?;
        let travel: i64 = (0..routes.len())
            .map(|r| p.route_travel(r, routes[r].iter().copied()))
            .sum();
        let late: Vec<i64> = routes
            .iter()
            .flatten()
            .map(|&v| p.lateness_at(v, s.start[v]))
            .collect();
        Some(travel + late.iter().sum::<i64>() + late.iter().copied().max().unwrap_or(0))
    }

    /// Each insertion's claimed change of (D + T + Tmax) is the change
    /// recomputed from scratch, kept or not, and a rejected insertion is
    /// one that has no schedule.
    #[test]
    fn claimed_changes_equal_recomputed_costs() {
        let mut problems = shared();
        problems.push(tiny());
        let mut checked = 0;
        for p in &problems {
            let tie = ties(p);
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let out = super::super::solve(
                p,
                super::super::Settings {
                    seed: 3,
                    time_limit: 60.0,
                    iterations: Some(50),
                },
            )
            .unwrap();
            let mut s = State::with_routes(p, &tie, out.solution.routes.clone()).unwrap();
            assert_eq!(s.cost(), out.cost);
            for _ in 0..300 {
                let k = rng.gen_range(0..p.clients.len());
                let visits = p.clients[k].visits.clone();
                s.remove(&visits);
                let before = s.cost();
                assert_eq!(Some(before), from_scratch(p, &s.routes));
                let back: Vec<(usize, usize, usize)> = visits
                    .iter()
                    .map(|&v| {
                        let r = out.solution.rounds_of[v][0];
                        (v, r, s.routes[r].len())
                    })
                    .collect();
                let mut places = Vec::new();
                for &v in &visits {
                    let used: Vec<usize> =
                        places.iter().map(|x: &(usize, usize, usize)| x.1).collect();
                    let rounds: Vec<usize> = p.eligible[v]
                        .iter()
                        .copied()
                        .filter(|r| !used.contains(r))
                        .collect();
                    if rounds.is_empty() {
                        break;
                    }
                    let r = rounds[rng.gen_range(0..rounds.len())];
                    places.push((v, r, rng.gen_range(0..=s.routes[r].len())));
                }
                if places.len() < visits.len() {
                    s.try_insert(&back, true)
                        .expect("last in its old round fits");
                    continue;
                }
                let mut after = s.routes.clone();
                for &(v, r, pos) in &places {
                    after[r].insert(pos, v);
                }
                let keep = rng.gen_bool(0.5);
                let claimed = s.try_insert(&places, keep);
                let apart =
                    visits.len() < 2 || p.rounds[places[0].1].carer != p.rounds[places[1].1].carer;
                let truth = if apart { from_scratch(p, &after) } else { None };
                assert_eq!(claimed.map(|d| before + d), truth, "{places:?}");
                if claimed.is_some() {
                    checked += 1;
                }
                if keep && claimed.is_some() {
                    assert_eq!(s.routes, after);
                    assert_eq!(Some(s.cost()), truth);
                } else {
                    s = State::with_routes(p, &tie, s.routes.clone()).unwrap();
                    let placed: Vec<usize> = s.routes.iter().flatten().copied().collect();
                    assert!(visits.iter().all(|v| !placed.contains(v)));
                    // Back in, last in its old rounds (always has a schedule).
                    s.try_insert(&back, true)
                        .expect("last in its old round fits");
                }
            }
        }
        assert!(checked > 200, "{checked} insertions had a schedule");
    }

    /// Two linked pairs in crossed order in two rounds wait for each other:
    /// no schedule.
    #[test]
    fn crossed_links_have_no_schedule() {
        // Make both of patient 2's services linked together, and link
        // patient 1's visit to a copy of itself in the other round.
        let link = Link {
            first: 1,
            second: 2,
            min_lag: 0,
            max_lag: 0,
        };
        let p = ProblemBuilder::from(tiny()).links(vec![link]).build();
        let tie = ties(&p);
        assert!(State::with_routes(&p, &tie, vec![vec![1, 0], vec![2]]).is_some());
        // Visit 0 alone is fine; with 2 waiting for 1 the sync holds.
        let s = State::with_routes(&p, &tie, vec![vec![0, 1], vec![2]]).unwrap();
        assert_eq!(s.start[1], s.start[2]);
        // A max lag smaller than the min is a positive cycle.
        let p = ProblemBuilder::from(p)
            .links(vec![Link {
                max_lag: -1,
                ..link
            }])
            .build();
        let tie = ties(&p);
        assert!(State::with_routes(&p, &tie, vec![vec![0, 1], vec![2]]).is_none());
    }

    /// Lateness: each unit past `late_after` counts once in the total and
    /// the largest once more.
    #[test]
    fn lateness_counts_total_and_worst() {
        let p = tiny();
        let tie = ties(&p);
        // Caregiver 1 alone: depot -> 1 (arrive 5, wait to e = 10, 10 long)
        // -> 2 service 1 at 20 + 7.2111 ... both of patient 2's services
        // must be by different carers, so 2-0 goes to caregiver 0.
        let s = State::with_routes(&p, &tie, vec![vec![1], vec![0, 2]]).unwrap();
        let (travel, total, worst) = s.parts();
        // 0 -> 2 -> end for caregiver 0; 0 -> 1 -> 2 -> end for caregiver 1.
        assert_eq!(travel, 60_000 + 60_000 + 50_000 + 72_111 + 60_000);
        // Visit 0 starts at 10 (l = 30): on time. Visit 2 (service 1) can
        // start at 10 + 10 + 7.2111 = 27.2111 but must be 5-20 after visit
        // 1 (service 0, at 6): 27.2111 is in range, l = 40: on time.
        assert_eq!((total, worst), (0, 0));
        assert_eq!(s.start[2], 272_111, "{:?}", s.start);
        // Late: make patient 2's soft latest start 20.
        let mut b = ProblemBuilder::from(p.clone());
        b.late_after(1, Some(0));
        b.late_after(2, Some(200_000));
        let q = b.build();
        let tie = ties(&q);
        let s = State::with_routes(&q, &tie, vec![vec![1], vec![0, 2]]).unwrap();
        let late1 = s.start[1] as i64;
        let late2 = s.start[2] as i64 - 200_000;
        assert_eq!(s.parts().1, late1 + late2);
        assert_eq!(s.parts().2, late1.max(late2));
        assert_eq!(s.cost(), s.parts().0 + late1 + late2 + late1.max(late2));
    }
}
