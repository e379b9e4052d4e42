//! Ruin and recreate under simulated annealing, for problems with linked
//! visits and soft lateness.
//!
//! Each iteration takes some clients out of the current plan (at random,
//! related by place and time, strings of neighbouring rounds, or the most
//! costly) and puts every unserved client back at its cheapest place, each
//! candidate place skipped with a small probability ("blinks", after
//! Christiaens & Vanden Berghe's SISR). A linked pair is placed together:
//! the best few places of each of its visits alone are combined and the
//! pairs timed. The result replaces the current plan when it serves more
//! priority, or by the annealing rule on cost; the temperature falls
//! geometrically over the budget (time or iterations).

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::state::{State, Tie, ties};
use crate::problem::Problem;
use crate::solve::Solution;

/// How long and from which seed to search.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub seed: u64,
    pub time_limit: f64,
    /// An iteration budget instead of the time limit (the same plan on any
    /// machine).
    pub iterations: Option<usize>,
}

/// The best plan found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub solution: Solution,
    /// Travel + lateness, in the problem's units ([`State::cost`]).
    pub cost: i64,
    pub unserved: Vec<usize>,
    pub iterations: usize,
}

/// Why [`solve`] cannot take a problem, if it cannot: it keeps windows,
/// shift ends, eligibility, links and lateness, and nothing of home care's
/// double-ups, `after` gaps, breaks, capacities or continuity.
pub fn unsupported(p: &Problem) -> Option<String> {
    if p.visits.iter().any(|v| v.required != 1) {
        return Some("a visit needs two carers (use a link)".into());
    }
    if p.visits.iter().any(|v| v.after.is_some()) {
        return Some("a visit has an `after` gap (use a link)".into());
    }
    if p.rounds
        .iter()
        .any(|r| r.brk.is_some() || r.capacity.is_some())
    {
        return Some("a round has a break or a capacity".into());
    }
    let same_client = p
        .links
        .iter()
        .all(|l| p.visits[l.first].client == p.visits[l.second].client && l.first != l.second);
    (!same_client).then(|| "a link joins visits of different clients".into())
}

/// What one client's insertion costs, with where.
type Places = Vec<(usize, usize, usize)>;

struct Search<'a> {
    p: &'a Problem,
    tie: &'a [Option<Tie>],
    rng: ChaCha8Rng,
    /// Other clients by closeness (place, then window), per client.
    near: Vec<Vec<usize>>,
    blink: f64,
}

/// Search the problem's plans; an error if [`unsupported`] says so.
pub fn solve(p: &Problem, settings: Settings) -> Result<Outcome, String> {
    if let Some(why) = unsupported(p) {
        return Err(why);
    }
    let started = Instant::now();
    let tie = ties(p);
    let mut s = Search {
        p,
        tie: &tie,
        rng: ChaCha8Rng::seed_from_u64(settings.seed),
        near: neighbours(p),
        blink: 0.0,
    };
    let mut cur = State::new(p, &tie);
    let mut all: Vec<usize> = (0..p.clients.len()).collect();
    all.sort_by_key(|&k| opening(p, k));
    let mut cur_un = s.recreate(&mut cur, all);
    s.blink = 0.01;
    let mut best = (cur.clone(), cur_un.clone());
    let scale = (cur.cost().max(1) as f64 / p.visits.len().max(1) as f64).max(1.0);
    let (t0, t1) = (0.1 * scale, 0.001 * scale);
    let mut it = 0;
    loop {
        let frac = match settings.iterations {
            Some(n) => it as f64 / n.max(1) as f64,
            None => started.elapsed().as_secs_f64() / settings.time_limit.max(1e-3),
        };
        if frac >= 1.0 || p.clients.is_empty() {
            break;
        }
        it += 1;
        let temp = t0 * (t1 / t0).powf(frac);
        let mut cand = cur.clone();
        let mut pending = s.ruin(&mut cand);
        pending.extend(cur_un.iter().copied());
        s.order(&mut pending);
        let un = s.recreate(&mut cand, pending);
        let (lost_c, lost_o) = (priority(p, &un), priority(p, &cur_un));
        let accept = lost_c < lost_o
            || (lost_c == lost_o
                && (cand.cost() as f64)
                    < cur.cost() as f64 - temp * s.rng.r#gen::<f64>().max(1e-12).ln());
        if accept {
            cur = cand;
            cur_un = un;
            let bp = priority(p, &best.1);
            if lost_c < bp || (lost_c == bp && cur.cost() < best.0.cost()) {
                best = (cur.clone(), cur_un.clone());
            }
        }
    }
    let (state, unserved) = best;
    Ok(Outcome {
        cost: state.cost(),
        solution: solution(&state),
        unserved,
        iterations: it,
    })
}

/// The earliest window opening of client `k`'s visits.
fn opening(p: &Problem, k: usize) -> i32 {
    p.clients[k]
        .visits
        .iter()
        .map(|&v| p.visits[v].tw_start)
        .min()
        .unwrap_or(0)
}

fn priority(p: &Problem, clients: &[usize]) -> i64 {
    clients.iter().map(|&k| p.clients[k].priority).sum()
}

/// Each client's others, closest first: travel from its first visit's
/// place (round 0's mode) plus the gap between window openings.
fn neighbours(p: &Problem) -> Vec<Vec<usize>> {
    let node = |k: usize| p.clients[k].visits.first().map(|&v| p.visits[v].node);
    let n = p.clients.len();
    (0..n)
        .map(|a| {
            let mut others: Vec<(i64, usize)> = (0..n)
                .filter(|&b| b != a)
                .filter_map(|b| {
                    let (na, nb) = (node(a)?, node(b)?);
                    let t = if p.rounds.is_empty() {
                        0
                    } else {
                        p.time(0, na, nb) as i64
                    };
                    Some((t + (opening(p, a) - opening(p, b)).abs() as i64, b))
                })
                .collect();
            others.sort_unstable();
            others.into_iter().map(|x| x.1).collect()
        })
        .collect()
}

/// The plan as the solvers' common [`Solution`].
fn solution(s: &State) -> Solution {
    let mut sol = Solution::empty(s.p);
    for (r, route) in s.routes.iter().enumerate() {
        for (i, &v) in route.iter().enumerate() {
            sol.insert(r, i, v, s.start[v]);
        }
    }
    sol
}

impl Search<'_> {
    /// Put `clients` into the plan in this order; the ones that fit nowhere.
    fn recreate(&mut self, s: &mut State, clients: Vec<usize>) -> Vec<usize> {
        clients.into_iter().filter(|&k| !self.place(s, k)).collect()
    }

    /// Every place of visit `v` alone, with its cost, cheapest first (at
    /// most `most`), blinks skipped.
    fn places_of(&mut self, s: &mut State, v: usize, most: usize) -> Vec<(i64, usize, usize)> {
        let mut found = Vec::new();
        for &r in &self.p.eligible[v] {
            for pos in 0..=s.routes[r].len() {
                if self.blink > 0.0 && self.rng.r#gen::<f64>() < self.blink {
                    continue;
                }
                if let Some(d) = s.try_insert(&[(v, r, pos)], false) {
                    found.push((d, r, pos));
                }
            }
        }
        found.sort_unstable();
        found.truncate(most);
        found
    }

    /// Serve client `k` where it is cheapest: its visits one after the
    /// other, a linked pair together. False (the plan unchanged) if it fits
    /// nowhere.
    fn place(&mut self, s: &mut State, k: usize) -> bool {
        let visits = self.p.clients[k].visits.clone();
        if let [a, b] = visits[..]
            && self.tie[a].is_some_and(|t| t.partner == b)
        {
            return self
                .pair_places(s, a, b)
                .is_some_and(|places| s.try_insert(&places, true).is_some());
        }
        for (i, &v) in visits.iter().enumerate() {
            let fits = match self.places_of(s, v, 1).first() {
                Some(&(_, r, pos)) => s.try_insert(&[(v, r, pos)], true).is_some(),
                None => false,
            };
            if !fits {
                s.remove(&visits[..i]);
                return false;
            }
        }
        true
    }

    /// The cheapest places of linked visits `a` and `b` together.
    fn pair_places(&mut self, s: &mut State, a: usize, b: usize) -> Option<Places> {
        const K: usize = 8;
        let pa = self.places_of(s, a, K);
        let pb = self.places_of(s, b, K);
        let mut best: Option<(i64, Places)> = None;
        let carer = |r: usize| self.p.rounds[r].carer;
        for &(_, ra, ia) in &pa {
            for &(_, rb, ib) in &pb {
                if carer(ra) != carer(rb) {
                    consider(s, vec![(a, ra, ia), (b, rb, ib)], &mut best);
                }
            }
        }
        if best.is_none() {
            // Last in two rounds always has a schedule when windows allow.
            for &ra in &self.p.eligible[a] {
                for &rb in &self.p.eligible[b] {
                    if carer(ra) != carer(rb) {
                        let (ia, ib) = (s.routes[ra].len(), s.routes[rb].len());
                        consider(s, vec![(a, ra, ia), (b, rb, ib)], &mut best);
                    }
                }
            }
        }
        best.map(|x| x.1)
    }

    /// Shuffle, or sort by window opening or by distance from the depot.
    fn order(&mut self, clients: &mut [usize]) {
        let p = self.p;
        match self.rng.gen_range(0..3) {
            0 => clients.shuffle(&mut self.rng),
            1 => clients.sort_by_key(|&k| opening(p, k)),
            _ => clients.sort_by_key(|&k| std::cmp::Reverse(far(p, k))),
        }
    }

    /// Take some served clients out; they are returned.
    fn ruin(&mut self, s: &mut State) -> Vec<usize> {
        let p = self.p;
        let served: Vec<usize> = (0..p.clients.len()).filter(|&k| served(s, k)).collect();
        if served.is_empty() {
            return Vec::new();
        }
        let most = (served.len() * 3 / 10).clamp(2, 40).min(served.len());
        let k = self.rng.gen_range(1..=most);
        let seed = served[self.rng.gen_range(0..served.len())];
        let mut out: Vec<usize> = match self.rng.gen_range(0..4) {
            0 => served.choose_multiple(&mut self.rng, k).copied().collect(),
            1 => self.related(s, seed, k),
            2 => self.strings(s, seed, k),
            _ => self.costly(s, &served, k),
        };
        out.sort_unstable();
        out.dedup();
        let visits: Vec<usize> = out
            .iter()
            .flat_map(|&c| p.clients[c].visits.iter().copied())
            .collect();
        s.remove(&visits);
        out
    }

    /// The seed and its nearest served neighbours, each skipped with
    /// probability 1/4 so that repeated ruins differ.
    fn related(&mut self, s: &State, seed: usize, k: usize) -> Vec<usize> {
        let mut out = vec![seed];
        for &c in &self.near[seed] {
            if out.len() >= k {
                break;
            }
            if served(s, c) && self.rng.gen_range(0..4) > 0 {
                out.push(c);
            }
        }
        out
    }

    /// Runs of consecutive visits around the seed's neighbours, at most
    /// one run per round.
    fn strings(&mut self, s: &State, seed: usize, k: usize) -> Vec<usize> {
        let p = self.p;
        let mut out = Vec::new();
        let mut used = vec![false; s.routes.len()];
        let run = self.rng.gen_range(1..=k.clamp(1, 10));
        for c in std::iter::once(seed).chain(self.near[seed].clone()) {
            if out.len() >= k {
                break;
            }
            let Some(&v) = p.clients[c].visits.first() else {
                continue;
            };
            let Some(r) = s.round_of(v) else { continue };
            if used[r] {
                continue;
            }
            used[r] = true;
            let from = s.position(v).saturating_sub(self.rng.gen_range(0..run));
            for &x in s.routes[r].iter().skip(from).take(run) {
                out.push(p.visits[x].client);
            }
        }
        out
    }

    /// The clients whose visits cost most (lateness and detour), chosen
    /// with a bias to the top.
    fn costly(&mut self, s: &State, served: &[usize], k: usize) -> Vec<usize> {
        let p = self.p;
        let l = p.lateness;
        let mut scored: Vec<(i64, usize)> = served
            .iter()
            .map(|&c| {
                let cost: i64 = p.clients[c]
                    .visits
                    .iter()
                    .map(|&v| {
                        l.per_minute.max(l.worst) * p.lateness_at(v, s.start[v]) + detour(s, v)
                    })
                    .sum();
                (-cost, c)
            })
            .collect();
        scored.sort_unstable();
        let mut out = Vec::new();
        while out.len() < k && !scored.is_empty() {
            let y: f64 = self.rng.r#gen();
            let i = ((y.powi(4)) * scored.len() as f64) as usize;
            out.push(scored.remove(i.min(scored.len() - 1)).1);
        }
        out
    }
}

/// Keep `places` in `best` if they have a schedule and cost less.
fn consider(s: &mut State, places: Places, best: &mut Option<(i64, Places)>) {
    if let Some(d) = s.try_insert(&places, false)
        && best.as_ref().is_none_or(|(c, _)| d < *c)
    {
        *best = Some((d, places));
    }
}

fn served(s: &State, k: usize) -> bool {
    s.p.clients[k].visits.iter().all(|&v| s.is_placed(v))
}

/// Travel from the first round's start to client `k` (a "far first" order).
fn far(p: &Problem, k: usize) -> i64 {
    match (p.rounds.first(), p.clients[k].visits.first()) {
        (Some(r), Some(&v)) => p.time(0, r.start_node, p.visits[v].node) as i64,
        _ => 0,
    }
}

/// Travel saved by taking visit `v` out of its round.
fn detour(s: &State, v: usize) -> i64 {
    let p = s.p;
    let Some(r) = s.round_of(v) else { return 0 };
    let route = &s.routes[r];
    let i = s.position(v);
    let prev = if i == 0 {
        p.rounds[r].start_node
    } else {
        p.visits[route[i - 1]].node
    };
    let next = route
        .get(i + 1)
        .map_or(p.rounds[r].end_node, |&w| p.visits[w].node);
    let n = p.visits[v].node;
    let keep = if route.len() == 1 {
        0
    } else {
        p.time(r, prev, next) as i64
    };
    p.time(r, prev, n) as i64 + p.time(r, n, next) as i64 - keep
}
