//! The route-based bound: column generation over rounds, with a Lagrangian
//! bound taken at every iteration (docs/exact.md, "The route bound").
//!
//! The restricted master ([`master`]) is an LP over the rounds found so
//! far; its duals price each shift exactly ([`labels`]). For the duals `pi`
//! (visits) and `sigma` (double-up rows), every iteration whose pricing ran
//! to the end for every shift yields
//!
//! `L = sum_k max(0, p_k - sum_{v of k} k_v pi_v) + sum_r max(0, best round of r)
//!      + sum sigma`,
//!
//! an upper bound on the priority of any plan (the Lagrangian of the
//! coverage and double-up rows), whatever the master's columns. The bound
//! is the least `L` seen, rounded down (priorities are integers) after a
//! tolerance of 1e-6 for floating-point sums.

mod branch;
pub mod labels;
pub mod master;

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::problem::Problem;
use crate::solve::reach::Reach;
use crate::solve::reasons::static_reason;
use labels::{Limits, ShiftData, price};
use master::{Duals, Master};

/// Tolerance before rounding a Lagrangian value down to an integer.
pub const ROUND_TOLERANCE: f64 = 1e-6;

/// Most labels one shift's pricing may create before it is cut short
/// (memory: a label is about a hundred bytes).
pub const MAX_LABELS: usize = 400_000;

/// Most travel-table entries over all shifts (4 bytes each).
pub const MAX_TABLE: usize = 16_000_000;

/// Rounds of positive reduced cost added per shift and iteration, at most.
const KEEP: usize = 8;

/// Weight of the best bound's duals in the point priced (Wentges smoothing).
const SMOOTHING: f64 = 0.5;

/// Most heuristic pricing rounds in a row before an exact one (only exact
/// ones give a bound).
const EXACT_EVERY: usize = 10;

/// How the column generation prices (`rota bench bound --variant`
/// compares them; the default is what the plan uses).
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Size of each visit's ng-set ([`labels::NG_SIZE`]); `usize::MAX`
    /// prices elementary rounds.
    pub ng: usize,
    /// Price heuristically first, exactly when that finds no column (or
    /// every [`EXACT_EVERY`] iterations).
    pub heuristic: bool,
    /// Branch on clients served once the root's LP is reached.
    pub branching: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ng: labels::NG_SIZE,
            heuristic: true,
            branching: true,
        }
    }
}

/// What a column generation run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The least Lagrangian bound of an iteration priced exactly, rounded down.
    pub bound: Option<i64>,
    /// The last restricted master's optimum.
    pub lp: Option<f64>,
    /// Master solves.
    pub iterations: usize,
    /// Iterations whose pricing was exact for every shift.
    pub exact_iterations: usize,
    /// Round columns in the master at the end.
    pub columns: usize,
    /// No round of positive reduced cost was left: the LP bound is reached.
    pub converged: bool,
    /// Most labels of one shift's pricing in one iteration.
    pub max_labels: usize,
    /// Nodes of the branching solved (the root not counted).
    pub nodes: usize,
}

/// Run the column generation until `deadline`. Rounds in `seeds` (one
/// route per shift, visits in order, as a plan has them) are added to the
/// master as soon as they are there; `stop` ends the run early (the bound
/// so far stands); `on_bound` is called with each better bound.
pub fn bound(
    p: &Problem,
    deadline: Instant,
    seeds: &OnceLock<Vec<Vec<usize>>>,
    stop: Option<&AtomicBool>,
    on_bound: &dyn Fn(i64),
) -> Outcome {
    bound_with(p, deadline, seeds, stop, on_bound, &Config::default())
}

/// [`bound`] priced as `config` says.
pub fn bound_with(
    p: &Problem,
    deadline: Instant,
    seeds: &OnceLock<Vec<Vec<usize>>>,
    stop: Option<&AtomicBool>,
    on_bound: &dyn Fn(i64),
    config: &Config,
) -> Outcome {
    let Some(shifts) = shifts_within(p, deadline, stop, config.ng) else {
        return Outcome::default();
    };
    let open: Vec<bool> = (0..p.clients.len())
        .map(|k| static_reason(p, k).is_none())
        .collect();
    let mut run = Run {
        p,
        master: Master::new(p, &open),
        open,
        shifts,
        limits: Limits {
            deadline: Some(deadline),
            stop,
            max_labels: MAX_LABELS,
            keep: KEEP,
            heuristic: false,
        },
        deadline,
        config: *config,
        seeds,
        seeded: false,
        banned: HashSet::new(),
        out: Outcome::default(),
    };
    let last = Cell::new(i64::MAX);
    let root = run.generate(&[], None, &|l| {
        let b = floor(l);
        if b < last.get() {
            last.set(b);
            on_bound(b);
        }
    });
    run.out.converged = root.converged;
    if let Some(l) = root.bound {
        run.out.bound = Some(floor(l));
        if config.branching {
            branch::branch(&mut run, root, on_bound);
        }
    }
    run.out.columns = run.master.columns.len();
    run.out
}

/// A Lagrangian value rounded down to the bound it proves.
fn floor(l: f64) -> i64 {
    (l + ROUND_TOLERANCE).floor() as i64
}

/// One column generation run's state, shared by the nodes of the branching.
struct Run<'a> {
    p: &'a Problem,
    /// Per client: whether anybody may serve it.
    open: Vec<bool>,
    shifts: Vec<ShiftData>,
    master: Master,
    limits: Limits<'a>,
    deadline: Instant,
    config: Config,
    seeds: &'a OnceLock<Vec<Vec<usize>>>,
    seeded: bool,
    /// (shift, visit): visits the current node bans from a shift.
    banned: HashSet<(usize, usize)>,
    out: Outcome,
}

/// What column generation at one node found.
struct NodeOut {
    /// The least Lagrangian bound at the node (exactly priced iterations).
    bound: Option<f64>,
    /// The last LP's client values.
    z: Option<Vec<f64>>,
    /// The last LP's round values (as in the master's columns).
    lambda: Vec<f64>,
    /// No round of positive reduced cost was left.
    converged: bool,
}

impl Run<'_> {
    fn stopped(&self) -> bool {
        Instant::now() >= self.deadline
            || self.limits.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Column generation at the node where the clients in `fixed` are
    /// fixed out (`false`) or in (`true`), until it converges, the time is
    /// up, or (given `above`) its bound rounds to `above` or less.
    /// `on_better` gets each better Lagrangian value.
    fn generate(
        &mut self,
        fixed: &[(usize, bool)],
        above: Option<i64>,
        on_better: &dyn Fn(f64),
    ) -> NodeOut {
        let p = self.p;
        let mut node = NodeOut {
            bound: None,
            z: None,
            lambda: Vec::new(),
            converged: false,
        };
        let mut center: Option<(Vec<f64>, Vec<f64>)> = None;
        let mut alpha = SMOOTHING;
        let mut since_exact = 0;
        loop {
            if !self.seeded
                && let Some(routes) = self.seeds.get()
            {
                for (r, route) in routes.iter().enumerate().take(p.rounds.len()) {
                    self.master.add_round(p, r, route);
                }
                self.seeded = true;
            }
            let left = self
                .deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            if self.stopped() {
                break;
            }
            let Some(duals) = self.master.solve(left) else {
                break;
            };
            self.out.iterations += 1;
            self.out.lp = Some(duals.objective);
            node.z = Some(duals.z.clone());
            node.lambda.clone_from(&duals.lambda);
            if self.config.heuristic && since_exact < EXACT_EVERY {
                since_exact += 1;
                if price_heuristically(self, &duals) > 0 {
                    continue;
                }
            }
            since_exact = 0;
            // Price at the duals smoothed towards those of the best bound
            // so far (Wentges): L is valid at any non-negative point, and
            // the smoothed one converges with far less oscillation.
            let smoothed = center.is_some() && alpha > 0.0;
            let (mut pi, sig) = smoothed_duals(&duals, center.as_ref().filter(|_| smoothed), alpha);
            // A client fixed out has no visit in any round of the node:
            // its visits' multipliers may as well be 0.
            for &(k, _) in fixed.iter().filter(|f| !f.1) {
                for &v in &p.clients[k].visits {
                    pi[v] = 0.0;
                }
            }
            let priced = price_exactly(self, &duals, (&pi, &sig), fixed);
            let (l, added) = (priced.value, priced.added + priced.grew);
            if priced.exact {
                self.out.exact_iterations += 1;
                if node.bound.is_none_or(|b| l < b) {
                    node.bound = Some(l);
                    center = Some((pi.clone(), sig.clone()));
                    on_better(l);
                }
                let b = floor(node.bound.unwrap_or(l));
                // With no client fixed in, the restricted LP is at most the
                // node's full LP, which is at most every L: once they round
                // alike, no iteration can do better.
                let lp_reaches = fixed.iter().all(|f| !f.1) && floor(duals.objective) >= b;
                if lp_reaches || above.is_some_and(|a| b <= a) {
                    node.converged = added == 0;
                    break;
                }
            }
            if added == 0 {
                if smoothed && priced.exact {
                    // Mis-pricing: price at the master's duals next time.
                    alpha = 0.0;
                    continue;
                }
                node.converged = priced.exact;
                break;
            }
            alpha = SMOOTHING;
        }
        node
    }
}

/// Every shift's pricing data, or `None` when the day is too large for the
/// travel tables (the route bound is then left out) or the time is up.
fn shifts_within(
    p: &Problem,
    deadline: Instant,
    stop: Option<&AtomicBool>,
    ng: usize,
) -> Option<Vec<ShiftData>> {
    let reach = Reach::new(p);
    // Each shift keeps a travel table over its candidates: on days too
    // large for that memory the route bound is left out (no bound).
    let table: usize = (0..p.rounds.len())
        .map(|r| (crate::solve::exact::vars::candidates(p, &reach, r).len() + 1).pow(2))
        .sum();
    if table > MAX_TABLE {
        return None;
    }
    // Built shift by shift so that a large day's deadline is kept.
    let mut shifts: Vec<ShiftData> = Vec::with_capacity(p.rounds.len());
    for r in 0..p.rounds.len() {
        if Instant::now() >= deadline || stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return None;
        }
        shifts.push(ShiftData::with_ng(p, &reach, r, ng));
    }
    Some(shifts)
}

/// The duals to price at: the master's, or (Wentges) smoothed towards
/// `center`, those of the best bound so far. L is valid at any non-negative
/// point, and the smoothed one converges with far less oscillation.
fn smoothed_duals(
    duals: &Duals,
    center: Option<&(Vec<f64>, Vec<f64>)>,
    alpha: f64,
) -> (Vec<f64>, Vec<f64>) {
    match center {
        Some((cpi, csig)) => (
            cpi.iter()
                .zip(&duals.pi)
                .map(|(c, d)| alpha * c + (1.0 - alpha) * d)
                .collect(),
            csig.iter()
                .zip(&duals.sigma)
                .map(|(c, d)| alpha * c + (1.0 - alpha) * d.2)
                .collect(),
        ),
        None => (duals.pi.clone(), duals.sigma.iter().map(|s| s.2).collect()),
    }
}

/// `sum` plus the clients' part of the Lagrangian at visit prices `pi`:
/// each open client contributes its priority less what its visits cost, if
/// positive; a client fixed in (`fixed` with `true`) contributes it even if
/// negative, one fixed out nothing (added in client order).
fn clients_part(p: &Problem, open: &[bool], pi: &[f64], sum: f64, fixed: &[(usize, bool)]) -> f64 {
    p.clients
        .iter()
        .enumerate()
        .filter(|&(k, _)| open[k])
        .fold(sum, |acc, (k, c)| {
            let used: f64 = c
                .visits
                .iter()
                .map(|&v| p.visits[v].required as f64 * pi[v])
                .sum();
            let part = c.priority as f64 - used;
            acc + match fixed.iter().find(|f| f.0 == k) {
                Some(&(_, true)) => part,
                Some(&(_, false)) => 0.0,
                None => part.max(0.0),
            }
        })
}

/// Price every shift heuristically at the master's duals, adding each
/// round of positive reduced cost; returns how many were added.
fn price_heuristically(run: &mut Run, duals: &Duals) -> usize {
    let sigma: HashMap<(usize, usize), f64> =
        duals.sigma.iter().map(|&(c, v, s)| ((c, v), s)).collect();
    let limits = Limits {
        heuristic: true,
        ..run.limits
    };
    let prices = Prices {
        duals,
        pi: &duals.pi,
        sigma: &sigma,
        lp_sigma: &sigma,
        banned: &run.banned,
    };
    let (p, out) = (run.p, &mut run.out);
    price_shifts(
        p,
        &mut run.shifts,
        &mut run.master,
        prices,
        &limits,
        0.0,
        out,
    )
    .added
}

/// Price every shift exactly at `(pi, sig)` (visits, double-up rows), for
/// the node where the clients in `fixed` are fixed: the Lagrangian there
/// (valid when `exact`) and the columns added.
fn price_exactly(
    run: &mut Run,
    duals: &Duals,
    (pi, sig): (&[f64], &[f64]),
    fixed: &[(usize, bool)],
) -> Priced {
    let sigma_at = |sig: &[f64]| -> HashMap<(usize, usize), f64> {
        duals
            .sigma
            .iter()
            .zip(sig)
            .map(|(&(c, v, _), &s)| ((c, v), s))
            .collect()
    };
    let sigma = sigma_at(sig);
    let lp_sigma = sigma_at(&duals.sigma.iter().map(|s| s.2).collect::<Vec<_>>());
    let lagrangian = clients_part(run.p, &run.open, pi, sig.iter().sum(), fixed);
    let prices = Prices {
        duals,
        pi,
        sigma: &sigma,
        lp_sigma: &lp_sigma,
        banned: &run.banned,
    };
    let (p, limits, out) = (run.p, run.limits, &mut run.out);
    price_shifts(
        p,
        &mut run.shifts,
        &mut run.master,
        prices,
        &limits,
        lagrangian,
        out,
    )
}

/// The prices one pricing round works with.
struct Prices<'a> {
    /// The master's duals (for reduced costs of new columns).
    duals: &'a Duals,
    /// Visit prices to price at (perhaps smoothed).
    pi: &'a [f64],
    /// Per (carer, visit) prices to price at.
    sigma: &'a HashMap<(usize, usize), f64>,
    /// The master's own per (carer, visit) duals.
    lp_sigma: &'a HashMap<(usize, usize), f64>,
    /// (shift, visit): banned (weight -infinity).
    banned: &'a HashSet<(usize, usize)>,
}

/// What [`price_shifts`] found.
struct Priced {
    /// The Lagrangian given, plus the shifts' part (valid only when `exact`).
    value: f64,
    /// Every shift was priced to optimality.
    exact: bool,
    /// Columns added to the master.
    added: usize,
    /// Shifts whose ng-sets grew (their best rounds had cycles).
    grew: usize,
}

/// Price every shift at `at` (adding the shifts' part to `lagrangian`), adding each round of positive reduced cost
/// (at the master's own duals) to the master. Stops at the first shift
/// whose pricing was cut short: the iteration then gives no bound.
fn price_shifts(
    p: &Problem,
    shifts: &mut [ShiftData],
    master: &mut Master,
    at: Prices,
    limits: &Limits,
    lagrangian: f64,
    out: &mut Outcome,
) -> Priced {
    let mut got = Priced {
        value: lagrangian,
        exact: true,
        added: 0,
        grew: 0,
    };
    for (r, sd) in shifts.iter_mut().enumerate() {
        // Heuristic pricing goes on past a shift cut short: not past the deadline.
        if limits.deadline.is_some_and(|d| Instant::now() >= d) {
            got.exact = false;
            break;
        }
        let carer = p.rounds[r].carer;
        let w: Vec<f64> = sd
            .cand
            .iter()
            .map(|&v| {
                if at.banned.contains(&(r, v)) {
                    f64::NEG_INFINITY
                } else {
                    at.pi[v] - at.sigma.get(&(carer, v)).copied().unwrap_or(0.0)
                }
            })
            .collect();
        let priced = price(sd, &w, limits);
        out.max_labels = out.max_labels.max(priced.labels);
        got.exact &= priced.exact;
        got.value += priced.best.max(0.0);
        for (_, seq) in &priced.rounds {
            // A round with a cycle (an ng-route) is not a real one: forbid
            // the cycle so that the next pricing is tighter.
            if !limits.heuristic && sd.forbid_cycles(seq) {
                got.grew += 1;
            }
            let mut global: Vec<usize> = seq.iter().map(|&i| sd.cand[i]).collect();
            global.sort_unstable();
            global.dedup();
            // Only real rounds enter the master: a leaf of the branching
            // whose LP is integral is then a set of feasible rounds.
            if global.len() < seq.len() {
                continue;
            }
            // Reduced cost at the master's own duals.
            let rc: f64 = global
                .iter()
                .map(|&v| at.duals.pi[v] - at.lp_sigma.get(&(carer, v)).copied().unwrap_or(0.0))
                .sum::<f64>()
                - at.duals.mu[r];
            if rc > 1e-6 && master.add_round(p, r, &global) {
                got.added += 1;
            }
        }
        if !priced.exact && !limits.heuristic {
            break;
        }
    }
    got
}
