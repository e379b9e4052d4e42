//! Solvers over the internal [`Problem`], each returning a [`Solution`] that
//! [`crate::plan`] turns into the contract's plan: construction of whole
//! clients ([`construct`]), the adaptive large-neighbourhood search with
//! local search and recombination ([`search`], [`ls`]), the exact MIP
//! ([`exact`]); with the bound on any plan ([`bound`]) and the reasons a
//! client is not served ([`reasons`]). [`timing`] is the one timing core
//! under every construction, repair and local-search move: starts as early
//! as the routes and every rule allow, double-ups and tied visits moving in
//! all their rounds at once; [`reach`] is the least-travel arithmetic;
//! [`double_up`] places a visit two carers start together; [`linked`]
//! places two linked visits together, by two different carers.

pub mod bound;
pub mod budget;
pub mod construct;
pub mod double_up;
pub mod exact;
pub mod fill;
pub mod linked;
pub mod ls;
pub mod reach;
pub mod reasons;
pub mod run;
pub mod search;
pub mod timing;

use crate::problem::{Lateness, Order, Problem};

/// What every solver optimises, compared lexicographically: priority
/// served, minus lateness, continuity, minus travel for a request; priority
/// served, 0, 0, minus the weighted cost for the benchmark
/// ([`Solution::objective`], [`Order`]).
pub type Objective = (i64, i64, i64, i64);

/// The cost of an [`Order::Weighted`] problem's plan: travel, plus the
/// total and the largest lateness at their weights.
#[inline]
pub fn weighted_cost(w: Lateness, travel: i64, lateness: i64, largest: i64) -> i64 {
    travel + w.per_minute * lateness + w.worst * largest
}

/// An assignment of visits to rounds with fixed start times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// The visits of each round, in visiting order.
    pub routes: Vec<Vec<usize>>,
    /// Start minute of each visit (`None`: not served).
    pub start: Vec<Option<i32>>,
    /// The rounds serving each visit (empty, or `required` many).
    pub rounds_of: Vec<Vec<usize>>,
}

impl Solution {
    pub fn empty(p: &Problem) -> Solution {
        Solution {
            routes: vec![Vec::new(); p.rounds.len()],
            start: vec![None; p.visits.len()],
            rounds_of: vec![Vec::new(); p.visits.len()],
        }
    }

    /// Whether client `k` is served (all of its visits placed).
    pub fn is_served(&self, p: &Problem, k: usize) -> bool {
        p.clients[k].visits.iter().all(|&v| self.start[v].is_some())
    }

    /// Place visit `v` at position `pos` of round `r`, starting at `start`.
    pub fn insert(&mut self, r: usize, pos: usize, v: usize, start: i32) {
        self.routes[r].insert(pos, v);
        self.start[v] = Some(start);
        self.rounds_of[v].push(r);
    }

    /// Whether round `r` has the capacity left for visit `v` (always, for
    /// rounds without a capacity).
    pub fn has_room(&self, p: &Problem, r: usize, v: usize) -> bool {
        match p.rounds[r].capacity {
            None => true,
            Some(cap) => {
                let used: i32 = self.routes[r].iter().map(|&u| p.visits[u].load).sum();
                used + p.visits[v].load <= cap
            }
        }
    }

    /// Take visit `v` out of every round.
    pub fn remove(&mut self, v: usize) {
        for r in std::mem::take(&mut self.rounds_of[v]) {
            self.routes[r].retain(|&x| x != v);
        }
        self.start[v] = None;
    }

    /// The objective ([`Objective`]), compared lexicographically. For a
    /// request ([`Order::Request`]): priority served, minus lateness,
    /// continuity, minus travel. Continuity is [`Problem::preference`]:
    /// with a re-plan's kept calls it weighs them above preferred carers;
    /// priority includes the boost of must-serve clients. Lateness is the
    /// minutes served visits start past their `late_after` (a request's
    /// `window.due`; a double-up counts once). For the benchmark
    /// ([`Order::Weighted`]): priority served, then minus [`weighted_cost`]
    /// in the last place (the middle two are 0), so that every part of the
    /// search that trades travel trades that cost.
    pub fn objective(&self, p: &Problem) -> Objective {
        let priority = (0..p.clients.len())
            .filter(|&k| self.is_served(p, k))
            .map(|k| p.clients[k].priority)
            .sum();
        let (lateness, largest) = self
            .start
            .iter()
            .enumerate()
            .filter_map(|(v, s)| s.map(|s| p.lateness_at(v, s)))
            .fold((0i64, 0i64), |(t, m), l| (t + l, m.max(l)));
        let mut continuity = 0;
        let mut travel = 0i64;
        let prefs = p.has_preferences();
        for (r, route) in self.routes.iter().enumerate() {
            travel += p.route_travel(r, route.iter().copied());
            if prefs {
                continuity += route.iter().map(|&v| p.preference(v, r)).sum::<i64>();
            }
        }
        match p.order {
            Order::Request => (priority, -lateness, continuity, -travel),
            Order::Weighted(w) => (priority, 0, 0, -weighted_cost(w, travel, lateness, largest)),
        }
    }

    /// Tell a [`crate::control::SolveControl`] about this solution.
    pub fn report_progress(&self, p: &Problem, ctl: &crate::control::SolveControl, phase: &str) {
        let (priority, ..) = self.objective(p);
        let travel: i64 = (self.routes.iter().enumerate())
            .map(|(r, route)| -p.route_travel(r, route.iter().copied()))
            .sum();
        let old = ctl.progress();
        ctl.report(crate::control::Progress {
            elapsed_seconds: 0.0,
            clients_served: (0..p.clients.len())
                .filter(|&k| self.is_served(p, k))
                .count(),
            priority_served: priority.max(0) as u64,
            travel_minutes: (-travel).max(0) as u64,
            upper_bound_priority: old.upper_bound_priority,
            phase: phase.to_string(),
            reported_at_seconds: 0.0,
        });
    }
}
