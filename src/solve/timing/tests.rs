//! The core against an independent oracle on random small instances
//! (today's engine's rounds: `tests/timing_core.rs`).

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{BREAK, Infeasible, Rules, Segment, Timing};
use crate::problem::{
    BreakSpec, CarerSpec, ClientSpec, Link, Problem, ProblemBuilder, RoundSpec, VisitSpec,
};
use crate::travel::{Travel, TravelMode};

/// A random instance: the problem, largest `after` gaps the problem cannot
/// hold yet, and routes (stops, with the break).
struct Inst {
    p: Problem,
    max_gaps: Vec<(usize, usize, i32)>,
    routes: Vec<Vec<usize>>,
}

impl Inst {
    fn rules(&self) -> Rules {
        let mut rules = Rules::of(&self.p);
        for &(u, v, m) in &self.max_gaps {
            rules.after_max(u, v, m);
        }
        rules
    }
}

fn instance(seed: u64) -> Inst {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let nr = rng.gen_range(2..=3);
    let nv = rng.gen_range(1..=7);
    let nodes = nv + 1;
    // Travel: a metric one from grid points, or any matrix.
    let metric = rng.gen_bool(0.5);
    let pts: Vec<(i32, i32)> = (0..nodes)
        .map(|_| (rng.gen_range(0..15), rng.gen_range(0..15)))
        .collect();
    let mut minutes = vec![0; nodes * nodes];
    for a in 0..nodes {
        for b in 0..nodes {
            if a != b {
                minutes[a * nodes + b] = if metric {
                    (pts[a].0 - pts[b].0).abs() + (pts[a].1 - pts[b].1).abs()
                } else {
                    rng.gen_range(0..=25)
                };
            }
        }
    }
    let travel = Travel::from_matrix(nodes, minutes);
    // Now and then windows and shifts so wide that a positive cycle is
    // found by its endless rise, not by a window's end.
    let wide = rng.gen_bool(0.2);
    let mut rounds = Vec::new();
    let mut carers = Vec::new();
    for r in 0..nr {
        let start = rng.gen_range(0..=20);
        let brk = rng.gen_bool(0.5).then(|| {
            let earliest = start + rng.gen_range(0..=100);
            BreakSpec {
                earliest,
                latest: earliest + rng.gen_range(0..=40),
                minutes: rng.gen_range(5..=20),
            }
        });
        rounds.push(RoundSpec {
            carer: r,
            start,
            end: start + if wide { 5000 } else { rng.gen_range(120..=260) },
            mode: TravelMode::Drive,
            start_node: 0,
            end_node: 0,
            brk,
            capacity: None,
        });
        carers.push(CarerSpec {
            id: format!("C{r}"),
            rounds: vec![r],
        });
    }
    let mut visits: Vec<VisitSpec> = Vec::new();
    let mut max_gaps = Vec::new();
    for v in 0..nv {
        let tw_start = rng.gen_range(0..=150);
        let width = if wide {
            rng.gen_range(2000..=3000)
        } else if rng.gen_bool(0.2) {
            rng.gen_range(0..=5)
        } else {
            rng.gen_range(0..=100)
        };
        let after =
            (v > 0 && rng.gen_bool(0.3)).then(|| (rng.gen_range(0..v), rng.gen_range(0..=60)));
        if let Some((u, gap)) = after
            && rng.gen_bool(0.5)
        {
            let max = if rng.gen_bool(0.1) {
                gap - 1
            } else {
                gap + rng.gen_range(0..=40)
            };
            max_gaps.push((u, v, max));
        }
        visits.push(VisitSpec {
            id: format!("V{v}"),
            client: v,
            node: 1 + v,
            tw_start,
            tw_end: tw_start + width,
            duration: rng.gen_range(1..=25),
            required: if rng.gen_bool(0.25) { 2 } else { 1 },
            after,
            after_max: None,
            successors: Vec::new(),
            load: 0,
            late_after: rng
                .gen_bool(0.3)
                .then(|| tw_start + rng.gen_range(0..=width)),
        });
    }
    let mut links = Vec::new();
    if nv >= 2 {
        for _ in 0..rng.gen_range(0..=2) {
            let first = rng.gen_range(0..nv);
            let second = (first + rng.gen_range(1..nv)) % nv;
            let (min_lag, max_lag) = match rng.gen_range(0..10) {
                0..=2 => (0, 0),
                3 => {
                    let m = rng.gen_range(-20..=20);
                    (m, m - 1)
                }
                _ => {
                    let m = rng.gen_range(-20..=20);
                    (m, m + rng.gen_range(0..=20))
                }
            };
            links.push(Link {
                first,
                second,
                min_lag,
                max_lag,
            });
        }
    }
    let clients = (0..nv)
        .map(|v| ClientSpec {
            id: format!("K{v}"),
            priority: 1,
            visits: vec![v],
            preferred: Vec::new(),
        })
        .collect();
    let ineligible = vec![vec![None; nr]; nv];
    let p = ProblemBuilder::new(carers, rounds, visits, clients, ineligible, travel)
        .links(links)
        .build();
    let mut routes: Vec<Vec<usize>> = vec![Vec::new(); nr];
    for v in 0..nv {
        if rng.gen_bool(0.85) {
            let mut rs: Vec<usize> = (0..nr).collect();
            rs.shuffle(&mut rng);
            for &r in &rs[..p.visits[v].required] {
                routes[r].push(v);
            }
        }
    }
    for (r, route) in routes.iter_mut().enumerate() {
        if rng.gen_bool(0.7) {
            route.sort_by_key(|&v| p.visits[v].tw_start);
        } else {
            route.shuffle(&mut rng);
        }
        if p.rounds[r].brk.is_some() {
            let at = rng.gen_range(0..=route.len());
            route.insert(at, BREAK);
        }
    }
    Inst {
        p,
        max_gaps,
        routes,
    }
}

// ---- The oracle: written apart from the core, from the rules' wording ----

/// One rule of a route: the stop after `prev` (a visit, or the shift start
/// for `None`) is `next` (a visit, or the way home for `None`), with the
/// break between them if `brk`.
struct Leg {
    r: usize,
    prev: Option<usize>,
    next: Option<usize>,
    brk: bool,
}

fn legs(routes: &[Vec<usize>]) -> Vec<Leg> {
    let mut out = Vec::new();
    for (r, route) in routes.iter().enumerate() {
        if route.iter().all(|&x| x == BREAK) {
            continue;
        }
        let mut prev = None;
        let mut brk = false;
        for &x in route {
            if x == BREAK {
                brk = true;
                continue;
            }
            out.push(Leg {
                r,
                prev,
                next: Some(x),
                brk,
            });
            prev = Some(x);
            brk = false;
        }
        out.push(Leg {
            r,
            prev,
            next: None,
            brk,
        });
    }
    out
}

/// The least start of a leg's next stop at starts `x`: `None` if the break
/// cannot be placed. The break goes before travelling or on arrival (not
/// on arrival home), starting in its window; the least over both.
fn leg_need(p: &Problem, l: &Leg, x: &[i32]) -> Option<i32> {
    let spec = &p.rounds[l.r];
    let (pe, pn) = match l.prev {
        None => (spec.start, spec.start_node),
        Some(u) => (x[u] + p.visits[u].duration, p.visits[u].node),
    };
    let nn = l.next.map_or(spec.end_node, |w| p.visits[w].node);
    let t = p.time(l.r, pn, nn);
    if !l.brk {
        return Some(pe + t);
    }
    let b = spec.brk.unwrap();
    let mut best: Option<i32> = None;
    let pause_first = pe.max(b.earliest);
    if pause_first <= b.latest {
        best = Some(pause_first + b.minutes + t);
    }
    let on_arrival = (pe + t).max(b.earliest);
    if l.next.is_some() && on_arrival <= b.latest {
        let n = on_arrival + b.minutes;
        best = Some(best.map_or(n, |m| m.min(n)));
    }
    best
}

/// Plain ties of the oracle: `(from, to, gap)`.
fn plain_ties(inst: &Inst) -> Vec<(usize, usize, i32)> {
    let mut t = Vec::new();
    for (v, vs) in inst.p.visits.iter().enumerate() {
        if let Some((u, gap)) = vs.after {
            t.push((u, v, gap));
        }
    }
    for &(u, v, m) in &inst.max_gaps {
        t.push((v, u, -m));
    }
    for l in &inst.p.links {
        t.push((l.first, l.second, l.min_lag));
        t.push((l.second, l.first, -l.max_lag));
    }
    t
}

fn placed(routes: &[Vec<usize>], n: usize) -> Vec<bool> {
    let mut on = vec![false; n];
    for &x in routes.iter().flatten() {
        if x != BREAK {
            on[x] = true;
        }
    }
    on
}

/// Whether starts `x` keep every rule.
fn keeps_rules(inst: &Inst, routes: &[Vec<usize>], x: &[i32]) -> bool {
    let p = &inst.p;
    let on = placed(routes, p.visits.len());
    let windows = (0..p.visits.len())
        .filter(|&v| on[v])
        .all(|v| x[v] >= p.visits[v].tw_start && x[v] <= p.visits[v].tw_end);
    let route_rules = legs(routes).iter().all(|l| match leg_need(p, l, x) {
        None => false,
        Some(need) => match l.next {
            Some(w) => x[w] >= need,
            None => need <= p.rounds[l.r].end,
        },
    });
    let ties = plain_ties(inst)
        .iter()
        .filter(|t| on[t.0] && on[t.1])
        .all(|&(u, v, g)| x[v] >= x[u] + g);
    windows && route_rules && ties
}

/// The least schedule by sweeping every rule until none raises a start
/// (Jacobi iteration from the window starts; every start is bounded by
/// its window's end, so it ends); `floor` raises one visit's least start.
fn oracle_least(
    inst: &Inst,
    routes: &[Vec<usize>],
    floor: Option<(usize, i32)>,
) -> Option<Vec<i32>> {
    let p = &inst.p;
    let n = p.visits.len();
    let on = placed(routes, n);
    let mut x: Vec<i32> = p.visits.iter().map(|v| v.tw_start).collect();
    if let Some((v, s)) = floor {
        x[v] = x[v].max(s);
    }
    let legs = legs(routes);
    let ties = plain_ties(inst);
    loop {
        let mut changed = false;
        for l in &legs {
            let Some(w) = l.next else { continue };
            let need = leg_need(p, l, &x)?;
            if need > x[w] {
                x[w] = need;
                changed = true;
            }
        }
        for &(u, v, g) in &ties {
            if on[u] && on[v] && x[u] + g > x[v] {
                x[v] = x[u] + g;
                changed = true;
            }
        }
        if (0..n).any(|v| on[v] && x[v] > p.visits[v].tw_end) {
            return None;
        }
        if !changed {
            break;
        }
    }
    keeps_rules(inst, routes, &x).then_some(x)
}

/// The latest start of each placed visit: the largest floor the oracle
/// still schedules.
fn oracle_latest(inst: &Inst, routes: &[Vec<usize>], least: &[i32]) -> Vec<Option<i32>> {
    let p = &inst.p;
    let on = placed(routes, p.visits.len());
    (0..p.visits.len())
        .map(|v| {
            on[v].then(|| {
                (least[v]..=p.visits[v].tw_end)
                    .rev()
                    .find(|&s| oracle_least(inst, routes, Some((v, s))).is_some())
                    .expect("the least start is a schedule")
            })
        })
        .collect()
}

fn core_starts(t: &Timing) -> Vec<Option<i32>> {
    t.starts()
}

fn oracle_starts(inst: &Inst, routes: &[Vec<usize>], x: &[i32]) -> Vec<Option<i32>> {
    let on = placed(routes, inst.p.visits.len());
    (0..x.len()).map(|v| on[v].then_some(x[v])).collect()
}

/// Routes without visit `v`, and its places in `routes`.
fn without(routes: &[Vec<usize>], v: usize) -> (Vec<Vec<usize>>, Vec<(usize, usize)>) {
    let mut places = Vec::new();
    let out = routes
        .iter()
        .enumerate()
        .map(|(r, route)| {
            if let Some(i) = route.iter().position(|&x| x == v) {
                places.push((r, i));
            }
            route.iter().copied().filter(|&x| x != v).collect()
        })
        .collect();
    (out, places)
}

fn snapshot(t: &Timing) -> (Vec<Vec<usize>>, Vec<Option<i32>>, usize) {
    (t.routes().to_vec(), t.starts(), t.placed)
}

/// Check one instance; the core's verdict, and whether some insertion
/// succeeded.
fn check_instance(seed: u64) -> (Result<(), Infeasible>, bool) {
    let inst = instance(seed);
    let p = &inst.p;
    let core = Timing::new(p, inst.rules(), inst.routes.clone());
    let oracle = oracle_least(&inst, &inst.routes, None);
    match (&core, &oracle) {
        (Ok(t), Some(x)) => {
            assert_eq!(
                core_starts(t),
                oracle_starts(&inst, &inst.routes, x),
                "seed {seed}"
            );
            let lat = t.latest();
            assert_eq!(lat, oracle_latest(&inst, &inst.routes, x), "seed {seed}");
            let (sum, worst) = t.lateness();
            let ls: Vec<i64> = (0..p.visits.len())
                .filter_map(|v| t.earliest(v).map(|s| p.lateness_at(v, s)))
                .collect();
            assert_eq!(sum, ls.iter().sum::<i64>());
            assert_eq!(worst, ls.iter().copied().max().unwrap_or(0));
        }
        (Err(e), None) => {
            assert!(
                !matches!(e, Infeasible::Invalid { .. }),
                "seed {seed}: {e:?}"
            );
        }
        (c, o) => panic!(
            "seed {seed}: core {:?}, oracle {:?}",
            c.as_ref().map(core_starts),
            o
        ),
    }
    // Take each placed visit out and put it back: insertion against a
    // from-scratch timing, undo back to the exact state, removal likewise.
    let on = placed(&inst.routes, p.visits.len());
    let mut inserted = false;
    for v in (0..p.visits.len()).filter(|&v| on[v]) {
        let (less, places) = without(&inst.routes, v);
        let Ok(mut t) = Timing::new(p, inst.rules(), less.clone()) else {
            continue;
        };
        let before = snapshot(&t);
        let lateness_before = t.lateness().0;
        let travel_before = t.travel();
        match (t.try_insert(v, &places), &core) {
            (Ok(change), Ok(full)) => {
                inserted = true;
                assert_eq!(snapshot(&t), snapshot(full), "seed {seed} insert {v}");
                assert_eq!(change.lateness, t.lateness().0 - lateness_before);
                assert_eq!(change.travel, t.travel() - travel_before);
                assert!(t.undo());
                assert_eq!(snapshot(&t), before, "seed {seed} undo insert {v}");
            }
            (Err(_), Err(_)) => {
                assert_eq!(snapshot(&t), before, "seed {seed} failed insert {v}");
            }
            (i, f) => panic!(
                "seed {seed} insert {v}: {i:?} but from scratch {:?}",
                f.is_ok()
            ),
        }
        if let Ok(full) = &core {
            let mut full = full.clone();
            let whole = snapshot(&full);
            match full.remove(v) {
                Ok(_) => {
                    assert_eq!(snapshot(&full), before, "seed {seed} remove {v}");
                    assert!(full.undo());
                    assert_eq!(snapshot(&full), whole, "seed {seed} undo remove {v}");
                }
                Err(e) => panic!("seed {seed} remove {v}: {e:?}, but the rest has a schedule"),
            }
        }
    }
    // Elsewhere: a random place for each visit, against from scratch.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    for v in (0..p.visits.len()).filter(|&v| on[v]) {
        let (less, _) = without(&inst.routes, v);
        let Ok(mut t) = Timing::new(p, inst.rules(), less.clone()) else {
            continue;
        };
        let before = snapshot(&t);
        let mut rounds: Vec<usize> = (0..p.rounds.len()).collect();
        rounds.shuffle(&mut rng);
        let places: Vec<(usize, usize)> = rounds[..p.visits[v].required]
            .iter()
            .map(|&r| (r, rng.gen_range(0..=t.routes()[r].len())))
            .collect();
        let mut more = t.routes().to_vec();
        for &(r, i) in &places {
            more[r].insert(i, v);
        }
        let scratch = Timing::new(p, inst.rules(), more);
        match (t.try_insert(v, &places), &scratch) {
            (Ok(_), Ok(full)) => {
                inserted = true;
                assert_eq!(
                    snapshot(&t),
                    snapshot(full),
                    "seed {seed} insert {v} at {places:?}"
                );
                assert!(t.undo());
            }
            (Err(_), Err(_)) => {}
            (i, f) => panic!(
                "seed {seed} insert {v} at {places:?}: {i:?} but from scratch {:?}",
                f.as_ref().map(|t| t.starts())
            ),
        }
        assert_eq!(
            snapshot(&t),
            before,
            "seed {seed} after insert {v} at {places:?}"
        );
    }
    // New orders for two rounds at once (a visit moved between them, or
    // one round reversed): the result is the from-scratch timing of the
    // stops the core chose, and undo gives the state back.
    if let Ok(full) = &core {
        let mut t = full.clone();
        let whole = snapshot(&t);
        for _ in 0..6 {
            let visits = |r: usize, t: &Timing| -> Vec<usize> {
                t.routes()[r]
                    .iter()
                    .copied()
                    .filter(|&x| x != BREAK)
                    .collect()
            };
            let a = rng.gen_range(0..p.rounds.len());
            let b = (a + 1 + rng.gen_range(0..p.rounds.len() - 1)) % p.rounds.len();
            let (mut ra, mut rb) = (visits(a, &t), visits(b, &t));
            let changes = if !ra.is_empty() && rng.gen_bool(0.7) {
                let v = ra.remove(rng.gen_range(0..ra.len()));
                if rb.contains(&v) {
                    continue;
                }
                let at = rng.gen_range(0..=rb.len());
                rb.insert(at, v);
                vec![(a, ra), (b, rb)]
            } else {
                ra.reverse();
                vec![(a, ra)]
            };
            let travel_before = t.travel();
            let lateness_before = t.lateness().0;
            let before = snapshot(&t);
            match t.try_routes(&changes) {
                Ok(change) => {
                    inserted = true;
                    let scratch = Timing::new(p, inst.rules(), t.routes().to_vec())
                        .expect("the stops the core timed have a schedule");
                    assert_eq!(snapshot(&t), snapshot(&scratch), "seed {seed} {changes:?}");
                    assert_eq!(change.travel, t.travel() - travel_before);
                    assert_eq!(change.lateness, t.lateness().0 - lateness_before);
                    if rng.gen_bool(0.5) {
                        assert!(t.undo());
                        assert_eq!(snapshot(&t), before, "seed {seed} undo {changes:?}");
                    }
                }
                Err(_) => assert_eq!(snapshot(&t), before, "seed {seed} failed {changes:?}"),
            }
        }
        while t.undo() {}
        assert_eq!(snapshot(&t), whole, "seed {seed} undo every new order");
    }
    // Every visit out in turn, then every change undone: the state as it was.
    if let Ok(full) = &core {
        let mut t = full.clone();
        let whole = snapshot(&t);
        for v in (0..p.visits.len()).filter(|&v| on[v]) {
            let kept = t.undo_depth();
            if t.remove(v).is_err() {
                assert_eq!(t.undo_depth(), kept);
            }
        }
        while t.undo() {}
        assert_eq!(snapshot(&t), whole, "seed {seed} undo every removal");
    }
    (core.map(|_| ()), inserted)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Earliest and latest starts are the oracle's, feasible or not
    /// (positive cycles included); an insertion is a from-scratch timing
    /// and its undo the exact state before.
    #[test]
    fn core_matches_the_oracle(seed in any::<u64>()) {
        let _ = check_instance(seed);
    }
}

/// The property above sees both kinds of instance, and insertions that
/// succeed, often enough to mean something.
#[test]
fn the_random_instances_are_mixed() {
    let (mut ok, mut bad, mut cycles, mut ins) = (0, 0, 0, 0);
    for seed in 0..400 {
        let (verdict, inserted) = check_instance(seed);
        match verdict {
            Ok(()) => ok += 1,
            Err(Infeasible::Cycle { .. }) => cycles += 1,
            Err(_) => bad += 1,
        }
        ins += inserted as usize;
    }
    assert!(
        ok >= 60 && bad >= 60 && cycles >= 5 && ins >= 60,
        "{ok} feasible, {bad} not, {cycles} cycles, {ins} inserted"
    );
}

/// Without breaks, double-ups or ties, a round's segment summary says what
/// the core says: whether it has a schedule and when it is back.
#[test]
fn segments_agree_with_the_core_on_plain_rounds() {
    let mut checked = 0;
    for seed in 0..3000 {
        let inst = instance(seed);
        let p = &inst.p;
        let r = 0;
        if p.rounds[r].brk.is_some() {
            continue;
        }
        let visits: Vec<usize> = inst.routes[r]
            .iter()
            .copied()
            .filter(|&v| !p.visits[v].is_double_up())
            .collect();
        let mut routes = vec![Vec::new(); p.rounds.len()];
        routes[r] = visits.clone();
        for (q, route) in routes.iter_mut().enumerate() {
            if p.rounds[q].brk.is_some() {
                route.push(BREAK);
            }
        }
        let seg = Segment::round(p, r, &visits);
        let core = Timing::new(p, Rules::none(p.visits.len()), routes);
        assert_eq!(seg.is_feasible(), core.is_ok(), "seed {seed}");
        if let Ok(t) = core {
            checked += 1;
            if !visits.is_empty() {
                assert_eq!(
                    Ok(seg.earliest_end()),
                    t.arrival(r, visits.len()),
                    "seed {seed}"
                );
            }
            // Any split: prefix then suffix is the whole.
            for k in 0..=visits.len() {
                let pre = visits[..k].iter().fold(Segment::leave(p, r), |s, &v| {
                    s.join(p, r, Segment::visit(p, v))
                });
                let suf = visits[k..].iter().rev().fold(Segment::back(p, r), |s, &v| {
                    Segment::visit(p, v).join(p, r, s)
                });
                assert_eq!(pre.join(p, r, suf), seg, "seed {seed} split {k}");
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

/// `nv` visits (window 0-100000, 10 minutes, visit `v` at node `v + 1`,
/// `5 * |a - b|` minutes apart) and `nr` rounds of 0-200000 without breaks.
fn plain(nv: usize, nr: usize) -> Problem {
    let nodes = nv + 1;
    let minutes = (0..nodes * nodes)
        .map(|k| 5 * ((k / nodes) as i32 - (k % nodes) as i32).abs())
        .collect();
    let rounds = (0..nr)
        .map(|r| RoundSpec {
            carer: r,
            start: 0,
            end: 200_000,
            mode: TravelMode::Drive,
            start_node: 0,
            end_node: 0,
            brk: None,
            capacity: None,
        })
        .collect();
    let carers = (0..nr)
        .map(|r| CarerSpec {
            id: format!("C{r}"),
            rounds: vec![r],
        })
        .collect();
    let visits = (0..nv)
        .map(|v| VisitSpec {
            id: format!("V{v}"),
            client: v,
            node: v + 1,
            tw_start: 0,
            tw_end: 100_000,
            duration: 10,
            required: 1,
            after: None,
            after_max: None,
            successors: Vec::new(),
            load: 0,
            late_after: None,
        })
        .collect();
    let clients = (0..nv)
        .map(|v| ClientSpec {
            id: format!("K{v}"),
            priority: 1,
            visits: vec![v],
            preferred: Vec::new(),
        })
        .collect();
    ProblemBuilder::new(
        carers,
        rounds,
        visits,
        clients,
        vec![vec![None; nr]; nv],
        Travel::from_matrix(nodes, minutes),
    )
    .build()
}

/// Two double-ups in crossed order in two rounds wait for each other: a
/// positive cycle, found long before the wide windows would end the rise.
#[test]
fn crossed_double_ups_have_no_schedule() {
    let mut p = plain(2, 2);
    p.visits[0].required = 2;
    p.visits[1].required = 2;
    let none = || Rules::none(2);
    let t = Timing::new(&p, none(), vec![vec![0, 1], vec![0, 1]]).unwrap();
    assert_eq!(t.starts(), vec![Some(5), Some(20)]);
    assert!(matches!(
        Timing::new(&p, none(), vec![vec![0, 1], vec![1, 0]]),
        Err(Infeasible::Cycle { .. })
    ));
}

/// Visits that start together (a link of lag 0) in two rounds, and a link
/// whose largest lag is below its least: no schedule.
#[test]
fn links_tie_starts_and_an_empty_lag_range_is_a_cycle() {
    let p = plain(3, 2);
    let mut rules = Rules::none(3);
    rules.link(&Link {
        first: 1,
        second: 2,
        min_lag: 0,
        max_lag: 0,
    });
    // Round 0: 0 then 1 (1 can start at 20); round 1: 2 alone (at 15).
    let t = Timing::new(&p, rules.clone(), vec![vec![0, 1], vec![2]]).unwrap();
    assert_eq!(t.starts(), vec![Some(5), Some(20), Some(20)]);
    assert_eq!(t.latest()[1], t.latest()[2]);
    let mut bad = Rules::none(3);
    bad.link(&Link {
        first: 1,
        second: 2,
        min_lag: 5,
        max_lag: 4,
    });
    assert!(matches!(
        Timing::new(&p, bad, vec![vec![0, 1], vec![2]]),
        Err(Infeasible::Cycle { .. })
    ));
}

/// A double-up's common start moves when a visit goes before it in one of
/// its rounds, and the other round's later visit moves with it.
#[test]
fn a_double_up_moves_with_an_insertion() {
    let mut p = plain(3, 2);
    p.visits[0].required = 2;
    let mut t = Timing::new(&p, Rules::none(3), vec![vec![0], vec![0, 2]]).unwrap();
    // 0 at 5 in both rounds; 2 at 5 + 10 + 10 = 25.
    assert_eq!(t.starts(), vec![Some(5), None, Some(25)]);
    // 1 first in round 0: at 10, ends 20, then 5 back to 0: 25.
    let change = t.try_insert(1, &[(0, 0)]).unwrap();
    assert_eq!(t.starts(), vec![Some(25), Some(10), Some(45)]);
    assert_eq!(change.moved, 3);
    assert!(t.undo());
    assert_eq!(t.starts(), vec![Some(5), None, Some(25)]);
    assert_eq!(t.routes(), &[vec![0], vec![0, 2]]);
}

/// A visit put after the break, in a gap where the break had to come
/// before the long journey, lets the carer take it on arrival instead:
/// the next visit starts *earlier*, which only a from-scratch timing finds.
/// Taking the visit out again raises that start, so a removal can fail.
#[test]
fn an_insertion_at_the_break_can_lower_a_start_and_a_removal_raise_one() {
    let mut p = plain(3, 1);
    p.rounds[0].brk = Some(BreakSpec {
        earliest: 100,
        latest: 105,
        minutes: 30,
    });
    p.visits[0].tw_start = 87;
    p.visits[0].tw_end = 87;
    p.visits[1].duration = 1;
    let mut t = Timing::new(&p, Rules::none(3), vec![vec![0, BREAK, 2]]).unwrap();
    // 0 ends at 97; 97 + 10 > 105: pause 100-130, then travel 10.
    assert_eq!(t.earliest(2), Some(140));
    assert_eq!(t.break_start(0), Some((100, false)));
    // Visit 1 is 5 away: arrive 102, pause 102-132, visit 1 132-133, 5 on.
    t.try_insert(1, &[(0, 2)]).unwrap();
    assert_eq!(t.starts(), vec![Some(87), Some(132), Some(138)]);
    assert_eq!(t.break_start(0), Some((102, true)));
    assert!(t.undo());
    assert_eq!(t.earliest(2), Some(140));
    // With visit 2 due by 139, the round holds only with visit 1 in it.
    p.visits[2].tw_end = 139;
    let mut t = Timing::new(&p, Rules::none(3), vec![vec![0, BREAK, 1, 2]]).unwrap();
    let before = t.starts();
    assert_eq!(t.remove(1), Err(Infeasible::Window { visit: 2 }));
    assert_eq!(t.starts(), before);
    assert_eq!(t.routes(), &[vec![0, BREAK, 1, 2]]);
}
