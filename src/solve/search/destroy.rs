//! Destroy operators: which served clients (all of their visits) an
//! iteration removes before the repair re-inserts every unserved client.
//! Chosen by roulette over adaptive weights ([`super::adaptive`]).

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::problem::{Order, Problem};
use crate::solve::Solution;
use crate::solve::timing::{Rules, Timing};
use crate::travel::TravelMode;

/// The operators, in the order of their weights.
pub const OPERATORS: [&str; 5] = ["random", "related", "round", "worst", "strings"];

/// Remove served clients of `cur` from `cand` (a copy of `cur`) with
/// operator `op`: `k` of them, or by default a random number between 1 and
/// a fifth of the served clients (at least 4, at most 30), and re-time
/// what is left; returns false when it cannot be timed (a travel matrix
/// that is not metric, a break that needed a visit taken out).
pub fn destroy(
    p: &Problem,
    cur: &Solution,
    cand: &mut Solution,
    op: usize,
    k: Option<usize>,
    rng: &mut ChaCha8Rng,
) -> bool {
    let served: Vec<usize> = (0..p.clients.len())
        .filter(|&c| cur.is_served(p, c))
        .collect();
    if served.is_empty() {
        return true;
    }
    let k = match k {
        Some(k) => k.clamp(1, served.len()),
        None => {
            let most = (served.len() / 5).clamp(4, 30).min(served.len());
            rng.gen_range(1..=most)
        }
    };
    let removed = match op {
        0 => random_clients(&served, k, rng),
        1 => related_clients(p, cur, &served, k, rng),
        2 => round_clients(p, cur, rng),
        3 => worst_clients(p, cur, &served, k, rng),
        _ => string_clients(p, cur, &served, k, rng),
    };
    for &c in &removed {
        for &v in &p.clients[c].visits {
            cand.remove(v);
        }
    }
    // Dropping a stop only shortens the way with the contract's formula; a
    // matrix need not obey the triangle inequality, and the break may need
    // the visit that is gone. The core times what is left, as early as it
    // can, or says it cannot.
    match Timing::of_solution(p, Rules::of(p), cand) {
        Ok(t) => {
            *cand = t.solution();
            true
        }
        Err(_) => false,
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
    by_closeness(p, sol, served, seed)
        .into_iter()
        .take(k)
        .collect()
}

/// The served clients by closeness to client `seed` (itself first): twice
/// the travel minutes (the first round's mode) plus the minutes between
/// starts, from its first visit to their nearest visit.
fn by_closeness(p: &Problem, sol: &Solution, served: &[usize], seed: usize) -> Vec<usize> {
    let sv = p.clients[seed].visits[0];
    let (node, at) = (p.visits[sv].node, sol.start[sv].unwrap_or(0));
    let mode = p.rounds.first().map_or(TravelMode::Drive, |r| r.mode);
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
    by.into_iter().map(|(_, c)| c).collect()
}

/// String removal (after Christiaens & Vanden Berghe's SISR): around a
/// random served client and its closest, a run of consecutive visits of
/// one length (random, 1 to 10) in each of their rounds, at most one run
/// per round, until `k` clients are out; a client goes with every visit.
fn string_clients(
    p: &Problem,
    sol: &Solution,
    served: &[usize],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let seed = served[rng.gen_range(0..served.len())];
    let run = rng.gen_range(1..=k.clamp(1, 10));
    let mut used = vec![false; p.rounds.len()];
    let mut out: Vec<usize> = Vec::new();
    for c in by_closeness(p, sol, served, seed) {
        if out.len() >= k {
            break;
        }
        let v = p.clients[c].visits[0];
        let Some(&r) = sol.rounds_of[v].first() else {
            continue;
        };
        if std::mem::replace(&mut used[r], true) {
            continue;
        }
        let route = &sol.routes[r];
        let at = route.iter().position(|&x| x == v).unwrap_or(0);
        let from = at.saturating_sub(rng.gen_range(0..run));
        for &x in route.iter().skip(from).take(run) {
            let client = p.visits[x].client;
            if !out.contains(&client) {
                out.push(client);
            }
        }
    }
    out
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
/// each visit; with a weighted problem's lateness), chosen with a bias
/// towards the worst.
fn worst_clients(
    p: &Problem,
    sol: &Solution,
    served: &[usize],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    // A weighted problem's lateness is cost as travel is.
    let late_weight = match p.order {
        Order::Weighted(w) => w.per_minute.max(w.worst),
        Order::Request => 0,
    };
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
            let late = sol.start[v].map_or(0, |t| p.lateness_at(v, t));
            saving[p.visits[v].client] += s as i64 + late_weight * late;
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
