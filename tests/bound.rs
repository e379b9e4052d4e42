//! The route bound (docs/exact.md): pricing is exact (its best round is
//! the best of a brute-force enumeration of one shift's rounds, timed by
//! difference constraints written from the contract, not by the labelling),
//! and the bound is never below a proven optimum.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use proptest::prelude::*;
use rota::PlanOptions;
use rota::control::SolveControl;
use rota::model::{Request, Status};
use rota::problem::Problem;
use rota::solve::bound::colgen::{self, labels};
use rota::solve::reach::Reach;

/// Whether round `r` can do `order` (visits in this order): every place of
/// the break tried, times by difference constraints (Bellman-Ford).
fn feasible(p: &Problem, r: usize, order: &[usize]) -> bool {
    let spec = &p.rounds[r];
    if let Some(cap) = spec.capacity
        && order.iter().map(|&v| p.visits[v].load).sum::<i32>() > cap
    {
        return false;
    }
    let places: Vec<Option<(usize, bool)>> = match spec.brk {
        None => vec![None],
        Some(_) => (0..=order.len())
            .flat_map(|g| {
                let mut v = vec![Some((g, false))];
                if g < order.len() {
                    v.push(Some((g, true)));
                }
                v
            })
            .collect(),
    };
    places.into_iter().any(|brk| timed(p, r, order, brk))
}

fn timed(p: &Problem, r: usize, order: &[usize], brk: Option<(usize, bool)>) -> bool {
    // Nodes: 0 origin, 1 + i start of order[i], 1 + n the break.
    let n = order.len();
    // (j, i, c): x[j] - x[i] >= c
    let mut ge: Vec<(usize, usize, i64)> = Vec::new();
    let spec = &p.rounds[r];
    for (i, &v) in order.iter().enumerate() {
        let vs = &p.visits[v];
        ge.push((1 + i, 0, vs.tw_start as i64));
        ge.push((0, 1 + i, -(vs.tw_end as i64)));
        if let Some((u, gap)) = vs.after
            && let Some(j) = order.iter().position(|&w| w == u)
        {
            ge.push((1 + i, 1 + j, gap as i64));
        }
    }
    let bn = 1 + n;
    if let Some(b) = spec.brk {
        ge.push((bn, 0, b.earliest as i64));
        ge.push((0, bn, -(b.latest as i64)));
    }
    let bmin = spec.brk.map_or(0, |b| b.minutes as i64);
    // The previous stop ends at x[prev.0] + prev.1.
    let mut prev = (0usize, spec.start as i64);
    let mut loc = spec.start_node;
    for g in 0..=n {
        let (next, next_loc) = match order.get(g) {
            Some(&v) => (Some(1 + g), p.visits[v].node),
            None => (None, spec.end_node),
        };
        let t = p.time(r, loc, next_loc) as i64;
        // The next stop starts (or the carer is home, by shift end) no
        // earlier than x[from] + plus.
        let need = |ge: &mut Vec<(usize, usize, i64)>, from: usize, plus: i64| match next {
            Some(j) => ge.push((j, from, plus)),
            None => ge.push((0, from, plus - spec.end as i64)),
        };
        match brk {
            Some((bg, true)) if bg == g => {
                // Travel, then the break on arrival, then the visit.
                if next.is_none() {
                    return false;
                }
                ge.push((bn, prev.0, prev.1 + t));
                need(&mut ge, bn, bmin);
            }
            Some((bg, false)) if bg == g => {
                // The break, then the journey.
                ge.push((bn, prev.0, prev.1));
                need(&mut ge, bn, bmin + t);
            }
            _ => need(&mut ge, prev.0, prev.1 + t),
        }
        if let Some(j) = next {
            prev = (j, p.visits[order[g]].duration as i64);
            loc = next_loc;
        }
    }
    // Feasible iff no negative cycle in x[i] - x[j] <= -c (Bellman-Ford).
    let nn = n + 2;
    let mut d = vec![0i64; nn];
    for _ in 0..=nn {
        let mut changed = false;
        for &(j, i, c) in &ge {
            // x[i] <= x[j] - c
            if d[j] - c < d[i] {
                d[i] = d[j] - c;
                changed = true;
            }
        }
        if !changed {
            return true;
        }
    }
    false
}

/// The best weight of any feasible round of shift `r` (0: the empty round).
fn brute_best(p: &Problem, r: usize, w: &dyn Fn(usize) -> f64) -> f64 {
    let el: Vec<usize> = (0..p.visits.len())
        .filter(|&v| p.eligible[v].contains(&r))
        .collect();
    let mut best = 0.0f64;
    let mut order = Vec::new();
    let mut used = vec![false; el.len()];
    fn go(
        p: &Problem,
        r: usize,
        el: &[usize],
        used: &mut [bool],
        order: &mut Vec<usize>,
        w: &dyn Fn(usize) -> f64,
        best: &mut f64,
    ) {
        for i in 0..el.len() {
            if used[i] {
                continue;
            }
            order.push(el[i]);
            used[i] = true;
            if feasible(p, r, order) {
                let total: f64 = order.iter().map(|&v| w(v)).sum();
                *best = best.max(total);
            }
            // A prefix that is infeasible can still be completed feasibly
            // only through the end: any order is tried regardless.
            go(p, r, el, used, order, w, best);
            used[i] = false;
            order.pop();
        }
    }
    go(p, r, &el, &mut used, &mut order, w, &mut best);
    best
}

/// One carer (one or two shifts, maybe a break), a handful of visits close
/// by in time, some `after` gaps: the rounds a shift could do are many.
fn tiny_day() -> impl Strategy<Value = Request> {
    let visit = (
        0..240i64,
        prop_oneof![Just(0i64), 0..90i64],
        10..50i64,
        prop::option::weighted(0.3, 0..120i64),
    );
    let client = (
        (-0.02..0.02f64, -0.03..0.03f64),
        prop::collection::vec(visit, 1..=2),
    );
    (
        prop::collection::vec(client, 1..=4),
        0..3usize,
        prop::option::weighted(0.6, (0..150i64, 0..60i64, 10..30i64)),
        300..420i64,
    )
        .prop_map(|(clients, mode, brk, len)| {
            let hm = |m: i64| format!("{:02}:{:02}", m / 60, m % 60);
            let mut shift = serde_json::json!({"start": hm(450), "end": hm(450 + len)});
            if let Some((off, width, mins)) = brk {
                shift["break"] = serde_json::json!({"earliest": hm(450 + off),
                    "latest": hm(450 + off + width), "minutes": mins});
            }
            let clients: Vec<serde_json::Value> = clients
                .iter()
                .enumerate()
                .map(|(k, (at, visits))| {
                    let vs: Vec<serde_json::Value> = visits
                        .iter()
                        .enumerate()
                        .map(|(j, &(off, width, dur, after))| {
                            let ws = 450 + off;
                            let mut v = serde_json::json!({"id": format!("K{k}-{j}"),
                                "window": {"start": hm(ws), "end": hm(ws + width)}, "duration": dur});
                            if let (Some(gap), true) = (after, j > 0) {
                                v["after"] = serde_json::json!({"visit": format!("K{k}-0"), "min_gap": gap});
                            }
                            v
                        })
                        .collect();
                    serde_json::json!({"id": format!("K{k}"),
                        "location": {"lat": 52.05 + at.0, "lon": -2.72 + at.1}, "visits": vs})
                })
                .collect();
            let mode = ["drive", "bike", "walk"][mode];
            serde_json::from_value(serde_json::json!({"date": "2026-11-23",
                "carers": [{"id": "C1", "travel_mode": mode,
                    "shift": shift, "start_location": {"lat": 52.05, "lon": -2.72}}],
                "clients": clients}))
            .expect("a request")
        })
}

fn price_best(p: &Problem, r: usize, w: &dyn Fn(usize) -> f64) -> labels::Priced {
    price_ng(p, r, w, usize::MAX)
}

/// Pricing with ng-sets of `ng` visits.
fn price_ng(p: &Problem, r: usize, w: &dyn Fn(usize) -> f64, ng: usize) -> labels::Priced {
    let reach = Reach::new(p);
    let sd = labels::ShiftData::with_ng(p, &reach, r, ng);
    let ws: Vec<f64> = sd.cand.iter().map(|&v| w(v)).collect();
    labels::price(
        &sd,
        &ws,
        &labels::Limits {
            deadline: None,
            stop: None,
            max_labels: usize::MAX,
            keep: 3,
            heuristic: false,
        },
    )
}

proptest! {
    #![proptest_config(config(300))]

    /// Pricing's best round is the brute-force best, for weights of any
    /// sign (zero and negative weights make visits worth passing by).
    #[test]
    fn pricing_equals_brute_force_on_one_shift(
        req in tiny_day(),
        weights in prop::collection::vec(prop_oneof![Just(0.0), -1.0..3.0f64], 8),
    ) {
        prop_assume!(rota::validate::validate(&req).is_ok());
        let p = Problem::from_request(&req).unwrap();
        let w = |v: usize| weights[v % weights.len()];
        for r in 0..p.rounds.len() {
            let priced = price_best(&p, r, &w);
            prop_assert!(priced.exact);
            let brute = brute_best(&p, r, &w);
            prop_assert!((priced.best - brute).abs() < 1e-9,
                "pricing {} brute {} round {r}\n{}", priced.best, brute,
                serde_json::to_string(&req).unwrap());
            // Every round it returns is feasible and worth what it says.
            for (wt, seq) in &priced.rounds {
                let reach = Reach::new(&p);
                let sd = labels::ShiftData::with_ng(&p, &reach, r, usize::MAX);
                prop_assert!(sd.elementary());
                let order: Vec<usize> = seq.iter().map(|&i| sd.cand[i]).collect();
                prop_assert!(feasible(&p, r, &order), "{order:?}");
                let total: f64 = order.iter().map(|&v| w(v)).sum();
                prop_assert!((total - wt).abs() < 1e-9);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// The ng-route relaxation's best is never below the best elementary
    /// round (it prices a superset of rounds), and equals it when every
    /// ng-set is every visit.
    #[test]
    fn ng_pricing_is_at_least_the_brute_force_best(
        req in tiny_day(),
        weights in prop::collection::vec(prop_oneof![Just(0.0), -1.0..3.0f64], 8),
        ng in 1..4usize,
    ) {
        prop_assume!(rota::validate::validate(&req).is_ok());
        let p = Problem::from_request(&req).unwrap();
        let w = |v: usize| weights[v % weights.len()];
        for r in 0..p.rounds.len() {
            let brute = brute_best(&p, r, &w);
            let relaxed = price_ng(&p, r, &w, ng);
            prop_assert!(relaxed.exact);
            prop_assert!(relaxed.best >= brute - 1e-9,
                "ng {ng}: pricing {} < brute {}\n{}", relaxed.best, brute,
                serde_json::to_string(&req).unwrap());
            let n = p.visits.len();
            let all = price_ng(&p, r, &w, n);
            prop_assert!((all.best - brute).abs() < 1e-9, "ng {n}: {} vs {}", all.best, brute);
            // Each round it returns is worth what it says.
            for (wt, seq) in &relaxed.rounds {
                let reach = Reach::new(&p);
                let sd = labels::ShiftData::with_ng(&p, &reach, r, ng);
                let total: f64 = seq.iter().map(|&i| w(sd.cand[i])).sum();
                prop_assert!((total - wt).abs() < 1e-9);
            }
        }
    }

    /// Forbidding the cycles of a round keeps pricing a relaxation (never
    /// below the brute-force best) and removes that round's cycles.
    #[test]
    fn dynamic_ng_sets_stay_a_relaxation(
        req in tiny_day(),
        weights in prop::collection::vec(prop_oneof![Just(0.0), -1.0..3.0f64], 8),
    ) {
        prop_assume!(rota::validate::validate(&req).is_ok());
        let p = Problem::from_request(&req).unwrap();
        let w = |v: usize| weights[v % weights.len()];
        let reach = Reach::new(&p);
        for r in 0..p.rounds.len() {
            let brute = brute_best(&p, r, &w);
            let mut sd = labels::ShiftData::with_ng(&p, &reach, r, 1);
            let ws: Vec<f64> = sd.cand.iter().map(|&v| w(v)).collect();
            let limits = labels::Limits {
                deadline: None,
                stop: None,
                max_labels: usize::MAX,
                keep: 3,
                heuristic: false,
            };
            let mut before = f64::INFINITY;
            // Each pass forbids the returned cycles; the best only falls.
            for _ in 0..50 {
                let priced = labels::price(&sd, &ws, &limits);
                prop_assert!(priced.best >= brute - 1e-9);
                prop_assert!(priced.best <= before + 1e-9);
                before = priced.best;
                let mut grew = false;
                for (_, seq) in &priced.rounds {
                    grew |= sd.forbid_cycles(seq);
                }
                if !grew {
                    break;
                }
            }
        }
    }
}

/// The exact optimum of a request, if proven.
fn proven_optimum(req: &Request) -> Option<u64> {
    let mut req = req.clone();
    req.settings.time_limit_seconds = 60.0;
    let plan = rota::plan_request_with(
        &req,
        &PlanOptions {
            exact: true,
            ..PlanOptions::default()
        },
        &SolveControl::new(),
    )
    .unwrap();
    (plan.summary.status == Status::Optimal).then_some(plan.summary.priority_served)
}

fn colgen_bound(p: &Problem) -> i64 {
    colgen_with(p, &colgen::Config::default())
}

fn colgen_with(p: &Problem, config: &colgen::Config) -> i64 {
    let out = colgen::bound_with(
        p,
        Instant::now() + Duration::from_secs(60),
        &OnceLock::new(),
        None,
        &|_| {},
        config,
    );
    // Within 60 s a tiny day is priced exactly at least once.
    out.bound.expect("a bound")
}

proptest! {
    #![proptest_config(config(60))]

    /// On small days (with travel matrices, not necessarily metric, and
    /// carers with two shifts) the route bound is never below the proven
    /// optimum, nor is the bound every plan carries.
    #[test]
    fn route_bound_is_at_least_the_proven_optimum(req in request_sized(2..=3, 1..=6)) {
        let Some(best) = proven_optimum(&req) else {
            return Ok(());
        };
        let p = Problem::from_request(&req).unwrap().unboosted();
        let b = colgen_bound(&p);
        prop_assert!(b >= best as i64, "route bound {b} < optimum {best}\n{}",
            serde_json::to_string(&req).unwrap());
        let all = rota::solve::bound::upper_bound(&p, 30.0);
        prop_assert!(all >= best as i64 && all <= b);
    }

    /// The same on one-carer days where the rounds are contended.
    #[test]
    fn route_bound_is_at_least_the_proven_optimum_on_tiny_days(req in tiny_day()) {
        prop_assume!(rota::validate::validate(&req).is_ok());
        let Some(best) = proven_optimum(&req) else {
            return Ok(());
        };
        let p = Problem::from_request(&req).unwrap();
        let b = colgen_bound(&p);
        prop_assert!(b >= best as i64, "route bound {b} < optimum {best}\n{}",
            serde_json::to_string(&req).unwrap());
    }

    /// Branching on clients (with elementary or tiny ng-sets, with or
    /// without heuristic pricing) is never below the proven optimum, nor
    /// above the same run's root bound.
    #[test]
    fn branching_is_between_the_optimum_and_the_root(
        req in request_sized(2..=3, 1..=6),
        ng in prop_oneof![Just(usize::MAX), 1..4usize],
        heuristic in any::<bool>(),
    ) {
        let Some(best) = proven_optimum(&req) else {
            return Ok(());
        };
        let p = Problem::from_request(&req).unwrap().unboosted();
        let root = colgen_with(&p, &colgen::Config { ng, heuristic, branching: false });
        let branched = colgen_with(&p, &colgen::Config { ng, heuristic, branching: true });
        prop_assert!(branched >= best as i64 && branched <= root,
            "optimum {best}, root {root}, branched {branched}\n{}",
            serde_json::to_string(&req).unwrap());
    }
}
