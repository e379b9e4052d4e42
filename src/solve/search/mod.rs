//! Adaptive large neighbourhood search over whole clients.
//!
//! Each iteration removes some served clients (all of their visits) with one
//! of the destroy operators, then re-inserts every unserved client, highest
//! priority first (ties in random order), with the greedy's whole-client
//! insertion ([`greedy::insert_client`]: double-ups into two rounds at one
//! common start, breaks and `after` gaps kept, all or nothing). Unserved
//! clients therefore re-enter the search at every iteration, and priority
//! served is what acceptance looks at first.
//!
//! Acceptance: a candidate that is lexicographically at least as good as
//! the current solution is taken; one that serves the same priority and
//! continuity with a little more travel is taken while the travel threshold
//! (record-to-record, shrinking to 0 over the run) allows it. The operators'
//! weights adapt to how often they produce new bests and accepted moves.
//!
//! Every [`RECOMBINE_EVERY`] iterations (by default) the rounds of the accepted
//! solutions are recombined by a set-partitioning MIP on HiGHS
//! ([`recombine`]).
//!
//! The search stops at the deadline, on cancellation, when the best plan
//! reaches the bound, or after a number of iterations without a new best
//! (so small days finish in milliseconds and runs are reproducible).

pub mod parallel;
pub mod recombine;

use std::time::Instant;

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::control::SolveControl;
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::construct::greedy::insert_client;
use recombine::{Pool, recombine};

/// How a search runs.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub seed: u64,
    pub deadline: Instant,
    /// Stop after this many iterations without a new best.
    pub max_stall: usize,
    /// A proven bound on priority: a best plan that reaches it ends the
    /// search once it has stalled a quarter of `max_stall`.
    pub bound: Option<i64>,
    /// Recombine the pool every this many iterations (0: never).
    pub recombine_every: usize,
    /// Improve each candidate that serves as much as the current solution
    /// with the local search ([`crate::solve::ls`]) before acceptance.
    pub local_search: bool,
    /// Use regret insertion ([`crate::solve::construct::regret`]) as a second repair
    /// operator beside the priority-ordered greedy one.
    pub regret: bool,
}

/// The search's switchable parts, for measuring what each one brings
/// (`rota bench ... --recombine-every N --no-local-search --no-regret`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// See [`SearchOptions::recombine_every`].
    pub recombine_every: usize,
    /// See [`SearchOptions::local_search`].
    pub local_search: bool,
    /// See [`SearchOptions::regret`].
    pub regret: bool,
}

impl Default for Tuning {
    /// What `rota plan` runs.
    fn default() -> Self {
        Tuning {
            recombine_every: RECOMBINE_EVERY,
            local_search: true,
            regret: true,
        }
    }
}

impl SearchOptions {
    /// The default stall limit for a day: more room on bigger days.
    pub fn stall_for(p: &Problem) -> usize {
        1_000 + 40 * p.clients.len()
    }
}

const OPERATORS: [&str; 4] = ["random", "related", "round", "worst"];
const REPAIRS: [&str; 2] = ["greedy", "regret"];

/// Every this many iterations, the pool of rounds is recombined by the
/// set-partitioning MIP ([`recombine`]), for at most this long.
pub const RECOMBINE_EVERY: usize = 2_000;
const RECOMBINE_SECONDS: f64 = 0.5;
/// Rounds kept for recombination; when full, the pool restarts from the
/// best solution's rounds.
const POOL_LIMIT: usize = 4_000;

/// Improve `start` until the deadline, cancellation or stall.
pub fn search(p: &Problem, start: &Solution, opts: &SearchOptions, ctl: &SolveControl) -> Solution {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut cur = start.clone();
    let mut cur_obj = cur.objective(p);
    let mut best = cur.clone();
    let mut best_obj = cur_obj;
    let mut destroys = Adaptive::new([1.0; OPERATORS.len()]);
    let mut repairs: Adaptive<{ REPAIRS.len() }> =
        Adaptive::new([1.0, if opts.regret { 1.0 } else { 0.0 }]);
    let ls = opts
        .local_search
        .then(|| crate::solve::ls::LocalSearch::new(p));
    let all: i64 = p.clients.iter().map(|c| c.priority).sum();
    let top = opts.bound.unwrap_or(all).min(all);
    let mut stall = 0usize;
    let started = Instant::now();
    let total = opts
        .deadline
        .saturating_duration_since(started)
        .as_secs_f64()
        .max(1e-3);
    let mut iter = 0usize;
    let mut pool = Pool::new(POOL_LIMIT);
    pool.add(&cur);
    let mut pool_at_last = pool.len();
    loop {
        iter += 1;
        if stall >= opts.max_stall || ctl.is_cancelled() {
            break;
        }
        // Every iteration: on 1,000-client days one takes tens of
        // milliseconds.
        if Instant::now() >= opts.deadline {
            break;
        }
        let served: Vec<usize> = (0..p.clients.len())
            .filter(|&k| cur.is_served(p, k))
            .collect();
        let mut cand = cur.clone();
        let op = destroys.pick(&mut rng);
        if !served.is_empty() {
            let most = (served.len() / 5).clamp(2, 30).min(served.len());
            let k = rng.gen_range(1..=most);
            let removed = match op {
                0 => random_clients(&served, k, &mut rng),
                1 => related_clients(p, &cur, &served, k, &mut rng),
                2 => round_clients(p, &cur, &mut rng),
                _ => worst_clients(p, &cur, &served, k, &mut rng),
            };
            for &c in &removed {
                for &v in &p.clients[c].visits {
                    cand.remove(v);
                }
            }
            // Dropping a stop only shortens the way with the contract's
            // formula; a matrix need not obey the triangle inequality.
            if !p.metric_travel && !schedulable(p, &cand) {
                stall += 1;
                continue;
            }
        }
        let how = repairs.pick(&mut rng);
        if how == 1 {
            crate::solve::construct::regret::repair(p, &mut cand, &mut rng, opts.deadline);
        } else {
            repair(p, &mut cand, &mut rng, opts.deadline);
        }
        let mut obj = cand.objective(p);
        // Polish with the local search a candidate that serves more; once
        // no plan can serve more (the bound is reached), every candidate
        // that serves as much, as travel and continuity are then all that
        // is left. (Polishing every candidate costs too many iterations on
        // days where priority can still rise: measured in docs/search.md.)
        // Shorter rounds may then take a client that did not fit.
        let gate = obj.0 > cur_obj.0 || (obj.0 >= cur_obj.0 && cur_obj.0 >= top);
        if let Some(ls) = &ls
            && gate
            && ls.improve(p, &mut cand, &mut rng, opts.deadline)
        {
            repair(p, &mut cand, &mut rng, opts.deadline);
            obj = cand.objective(p);
        }
        destroys.used(op);
        repairs.used(how);
        // Record-to-record: allow a little more travel early on.
        let progress = (started.elapsed().as_secs_f64() / total).min(1.0);
        let slack = 0.03 * (1.0 - progress);
        let near = obj.0 == cur_obj.0
            && obj.1 >= cur_obj.1
            && (-obj.2) as f64 <= (-cur_obj.2) as f64 * (1.0 + slack);
        if obj > best_obj {
            best = cand.clone();
            best_obj = obj;
            stall = 0;
            destroys.reward(op, 33.0);
            repairs.reward(how, 33.0);
            best.report_progress(p, ctl, "search");
        } else {
            stall += 1;
        }
        if obj > cur_obj {
            destroys.reward(op, 9.0);
            repairs.reward(how, 9.0);
            cur = cand;
            cur_obj = obj;
            pool.add(&cur);
        } else if near {
            destroys.reward(op, 3.0);
            repairs.reward(how, 3.0);
            cur = cand;
            cur_obj = obj;
            pool.add(&cur);
        }
        // Recombine when the search is stuck: after every
        // `recombine_every` iterations without a new best.
        if opts.recombine_every > 0
            && stall > 0
            && stall.is_multiple_of(opts.recombine_every)
            && pool.len() > pool_at_last
        {
            let left = opts
                .deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            if left > 0.05 {
                // A better combination becomes the best plan; the search
                // itself carries on from where it was (resetting it there
                // cost diversity: measured on Solomon, 2.1% against 0.75%).
                if let Some(sol) = recombine(p, &pool, &best, left.min(RECOMBINE_SECONDS)) {
                    best_obj = sol.objective(p);
                    best = sol;
                    stall = 0;
                    best.report_progress(p, ctl, "recombine");
                }
                if pool.len() >= POOL_LIMIT {
                    pool = Pool::new(POOL_LIMIT);
                    pool.add(&best);
                }
                pool_at_last = pool.len();
            }
        }
        if iter.is_multiple_of(100) {
            destroys.adapt();
            repairs.adapt();
        }
        if let Some(b) = opts.bound
            && best_obj.0 >= b
            && stall > opts.max_stall / 4
        {
            break;
        }
    }
    // A last polish of the best plan (at most a quarter second past the
    // deadline).
    if let Some(ls) = &ls
        && !ctl.is_cancelled()
    {
        let until = opts
            .deadline
            .max(Instant::now() + std::time::Duration::from_millis(250));
        if ls.improve(p, &mut best, &mut rng, until) {
            repair(p, &mut best, &mut rng, until);
            best.report_progress(p, ctl, "search");
        }
    }
    best
}

/// Operators chosen by roulette over weights that adapt, every 100
/// iterations, to the points (new best 33, improvement 9, acceptance 3) the
/// operators scored per use.
struct Adaptive<const N: usize> {
    weights: [f64; N],
    scores: [f64; N],
    uses: [usize; N],
}

impl<const N: usize> Adaptive<N> {
    fn new(weights: [f64; N]) -> Self {
        Adaptive {
            weights,
            scores: [0.0; N],
            uses: [0; N],
        }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        roulette(&self.weights, rng)
    }

    fn used(&mut self, i: usize) {
        self.uses[i] += 1;
    }

    fn reward(&mut self, i: usize, points: f64) {
        self.scores[i] += points;
    }

    fn adapt(&mut self) {
        for o in 0..N {
            if self.uses[o] > 0 {
                self.weights[o] =
                    0.8 * self.weights[o] + 0.2 * (self.scores[o] / self.uses[o] as f64).max(0.1);
            }
            self.scores[o] = 0.0;
            self.uses[o] = 0;
        }
    }
}

fn roulette(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Re-insert every unserved client: highest priority first, equal
/// priorities in random order; none after `deadline`.
fn repair(p: &Problem, sol: &mut Solution, rng: &mut ChaCha8Rng, deadline: Instant) {
    let mut unserved: Vec<usize> = (0..p.clients.len())
        .filter(|&k| !sol.is_served(p, k))
        .collect();
    unserved.shuffle(rng);
    unserved.sort_by_key(|&k| std::cmp::Reverse(p.clients[k].priority));
    for k in unserved {
        if Instant::now() >= deadline {
            break;
        }
        let _ = insert_client(p, sol, k);
    }
}

fn random_clients(served: &[usize], k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    served.choose_multiple(rng, k).copied().collect()
}

/// Shaw removal: a random served client and the `k - 1` served clients
/// closest to it in place (travel minutes by the first mode) and time.
fn related_clients(
    p: &Problem,
    sol: &Solution,
    served: &[usize],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let seed = served[rng.gen_range(0..served.len())];
    let sv = p.clients[seed].visits[0];
    let (node, at) = (p.visits[sv].node, sol.start[sv].unwrap_or(0));
    let mode = p.rounds.first().map_or(0, |r| r.mode);
    let mut by: Vec<(i64, usize)> = served
        .iter()
        .map(|&c| {
            let d = p.clients[c]
                .visits
                .iter()
                .map(|&v| {
                    let t = p.travel.time(mode, node, p.visits[v].node) as i64;
                    let dt = (sol.start[v].unwrap_or(0) - at).abs() as i64;
                    2 * t + dt
                })
                .min()
                .unwrap_or(i64::MAX);
            (d, c)
        })
        .collect();
    by.sort_unstable();
    by.into_iter().take(k).map(|(_, c)| c).collect()
}

/// Every client with a visit in one random used round.
fn round_clients(p: &Problem, sol: &Solution, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let used: Vec<usize> = (0..p.rounds.len())
        .filter(|&r| !sol.routes[r].is_empty())
        .collect();
    let Some(&r) = used.choose(rng) else {
        return Vec::new();
    };
    let mut clients: Vec<usize> = sol.routes[r].iter().map(|&v| p.visits[v].client).collect();
    clients.sort_unstable();
    clients.dedup();
    clients
}

/// The clients whose visits cost the most travel (detour saved by removing
/// each visit), chosen with a bias towards the worst.
fn worst_clients(
    p: &Problem,
    sol: &Solution,
    served: &[usize],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let mut saving = vec![0i64; p.clients.len()];
    for (r, route) in sol.routes.iter().enumerate() {
        let spec = &p.rounds[r];
        for (i, &v) in route.iter().enumerate() {
            let prev = if i == 0 {
                spec.start_node
            } else {
                p.visits[route[i - 1]].node
            };
            let next = route
                .get(i + 1)
                .map_or(spec.end_node, |&u| p.visits[u].node);
            let node = p.visits[v].node;
            let s = p.time(r, prev, node) + p.time(r, node, next) - p.time(r, prev, next);
            saving[p.visits[v].client] += s as i64;
        }
    }
    let mut by: Vec<(i64, usize)> = served.iter().map(|&c| (-saving[c], c)).collect();
    by.sort_unstable();
    let mut out = Vec::with_capacity(k);
    let mut pool: Vec<usize> = by.into_iter().map(|(_, c)| c).collect();
    while out.len() < k && !pool.is_empty() {
        // Biased towards the front: index = len * u^3.
        let u: f64 = rng.r#gen();
        let i = ((pool.len() as f64) * u * u * u) as usize;
        out.push(pool.remove(i.min(pool.len() - 1)));
    }
    out
}

/// Whether every round of `sol` can still be timed as it stands: travel,
/// shift end and the break (first gap that holds it). Starts are kept, so
/// windows, double-ups and gaps are unaffected by removing whole clients.
fn schedulable(p: &Problem, sol: &Solution) -> bool {
    use crate::solve::schedule::break_place;
    sol.routes.iter().enumerate().all(|(r, route)| {
        let spec = &p.rounds[r];
        let mut prev_end = spec.start;
        let mut prev_node = spec.start_node;
        let mut brk = if route.is_empty() { None } else { spec.brk };
        for i in 0..=route.len() {
            let (next_start, next_node, last) = match route.get(i) {
                Some(&v) => match sol.start[v] {
                    Some(s) => (s, p.visits[v].node, false),
                    None => return false,
                },
                None => (spec.end, spec.end_node, true),
            };
            let t = p.time(r, prev_node, next_node);
            // A gap that holds the break holds its travel too.
            if let Some(b) = brk
                && break_place(&b, prev_end, next_start, t, last).is_some()
            {
                brk = None;
            } else if prev_end + t > next_start {
                return false;
            }
            if let Some(&v) = route.get(i) {
                prev_end = next_start + p.visits[v].duration;
                prev_node = next_node;
            }
        }
        brk.is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::construct::greedy;

    fn problem(json: &str) -> Problem {
        Problem::from_json(json)
    }

    #[test]
    fn search_never_loses_to_its_start_and_is_reproducible() {
        let p = problem(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )));
        let g = greedy::construct(&p);
        let opts = SearchOptions {
            seed: 7,
            deadline: Instant::now() + std::time::Duration::from_secs(600),
            max_stall: 2_000,
            bound: None,
            recombine_every: RECOMBINE_EVERY,
            local_search: true,
            regret: true,
        };
        let a = search(&p, &g.solution, &opts, &SolveControl::new());
        assert!(a.objective(&p) >= g.solution.objective(&p));
        let b = search(&p, &g.solution, &opts, &SolveControl::new());
        assert_eq!(a, b);
        assert!(schedulable(&p, &a));
    }

    #[test]
    fn a_cancelled_search_returns_its_start() {
        let p = problem(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/small-day.json"
        )));
        let g = greedy::construct(&p);
        let ctl = SolveControl::new();
        ctl.cancel();
        let opts = SearchOptions {
            seed: 1,
            deadline: Instant::now() + std::time::Duration::from_secs(600),
            max_stall: 1_000_000,
            bound: None,
            recombine_every: RECOMBINE_EVERY,
            local_search: true,
            regret: true,
        };
        assert_eq!(search(&p, &g.solution, &opts, &ctl), g.solution);
    }
}
