//! The energetic bound: the optimum (or HiGHS' dual bound, at its time limit) of a
//! relaxation that keeps what limits a real day: who may do each visit,
//! whole clients, two distinct carers for a double-up, and the *time* each
//! round has. For a round and an interval of the day `[a, b]`, the care,
//! travel and break that must fall inside `[a, b]` cannot exceed the
//! round's time in it (energetic reasoning):
//!
//! * a visit that starts somewhere in `[lo, hi]` (its window, narrowed by
//!   the travel from and to the carer's locations) surely spends
//!   `min(overlap at lo, overlap at hi)` minutes of care inside `[a, b]`;
//! * its journey in: any plan can be retimed so that each journey ends just
//!   before the visit (or just before a break taken on arrival), so the
//!   shortest journey into the visit from anywhere the round could come
//!   from lies in `[lo - break - travel, hi]`, and counts when that is
//!   inside `[a, b]`;
//! * the break of a used round counts its forced overlap too.
//!
//! Assignments are fractional and clients binary: a small MIP that HiGHS
//! solves in about a second on a day of 50 clients. Any relaxation optimum
//! is at least the true optimum, and so is HiGHS' dual bound when it stops
//! early, so the bound is valid whatever the time limit.

use std::time::Instant;

use good_lp::{Expression, ProblemVariables, constraint, variable};

use crate::problem::Problem;
use crate::solve::exact::highs_run::{Outcome, Stage, run};
use crate::solve::exact::vars::candidates;
use crate::solve::reach::Reach;
use crate::solve::reasons::static_reason;

/// At most this many interval start (and end) points per round, spread
/// evenly over the distinct candidates.
const MAX_POINTS: usize = 28;

/// Fewer points than this per round make the relaxation too coarse to be
/// worth building: the simple bound is used instead.
const MIN_POINTS: usize = 6;

/// Work budget: candidates x points² summed over rounds (each interval
/// row looks at every candidate of its round). Keeps the model to a few
/// million coefficients, so it is built in well under a second and a day of
/// 1,000 clients does not build a model of many gigabytes.
const BUDGET: usize = 2_000_000;

/// Minutes of `[s, s + d]` inside `[a, b]`.
fn overlap(s: i32, d: i32, a: i32, b: i32) -> i32 {
    ((s + d).min(b) - s.max(a)).max(0)
}

/// The shortest journey into visit `v` in round `r`: from the start
/// location or from any visit the round could do before it.
fn least_travel_in(p: &Problem, r: usize, cand: &[usize], v: usize, lo: &[i32]) -> i32 {
    let spec = &p.rounds[r];
    let vs = &p.visits[v];
    let mut best = p.time(r, spec.start_node, vs.node);
    for (i, &u) in cand.iter().enumerate() {
        if u == v {
            continue;
        }
        let us = &p.visits[u];
        let t = p.time(r, us.node, vs.node);
        if t < best && lo[i] + us.duration + t <= vs.tw_end {
            best = t;
        }
    }
    best
}

/// One interval's energy row: minutes per candidate (by index into
/// `cand`), the break's forced minutes, and the minutes available.
struct EnergyRow {
    coef: Vec<(usize, f64)>,
    brk: f64,
    avail: f64,
}

/// The energy rows of a round for every interval that could bind.
struct RoundRows {
    cand: Vec<usize>,
    rows: Vec<EnergyRow>,
}

fn round_rows(p: &Problem, reach: &Reach, r: usize, max_points: usize) -> RoundRows {
    let spec = &p.rounds[r];
    let cand = candidates(p, reach, r);
    let brk_minutes = spec.brk.map_or(0, |b| b.minutes);
    let lo: Vec<i32> = cand
        .iter()
        .map(|&v| {
            let vs = &p.visits[v];
            vs.tw_start.max(spec.start + reach.from_start[r][vs.node])
        })
        .collect();
    let hi: Vec<i32> = cand
        .iter()
        .map(|&v| {
            let vs = &p.visits[v];
            vs.tw_end
                .min(spec.end - reach.to_end[r][vs.node] - vs.duration)
        })
        .collect();
    let tin: Vec<i32> = cand
        .iter()
        .map(|&v| least_travel_in(p, r, &cand, v, &lo))
        .collect();
    // Interval end points: the shift, the break's extremes, and where each
    // visit's care (and journey) could begin or end.
    let mut starts = vec![spec.start];
    let mut ends = vec![spec.end];
    if let Some(b) = spec.brk {
        starts.push(b.earliest);
        ends.push(b.latest + b.minutes);
    }
    for i in 0..cand.len() {
        let d = p.visits[cand[i]].duration;
        starts.push(lo[i]);
        starts.push(lo[i] - tin[i] - brk_minutes);
        ends.push(hi[i] + d);
    }
    let thin = |mut xs: Vec<i32>| {
        xs.retain(|&x| x >= spec.start && x <= spec.end);
        xs.sort_unstable();
        xs.dedup();
        if xs.len() > max_points {
            let n = xs.len();
            xs = (0..max_points)
                .map(|k| xs[k * (n - 1) / (max_points - 1)])
                .collect();
            xs.dedup();
        }
        xs
    };
    let (starts, ends) = (thin(starts), thin(ends));
    let mut rows = Vec::new();
    for &a in &starts {
        for &b in &ends {
            if b <= a {
                continue;
            }
            let avail = (b - a) as f64;
            let mut coef = Vec::new();
            let mut most = 0.0;
            for i in 0..cand.len() {
                let d = p.visits[cand[i]].duration;
                let mut e = overlap(lo[i], d, a, b).min(overlap(hi[i], d, a, b));
                let journey_from = lo[i] - brk_minutes - tin[i];
                if (a <= spec.start || a <= journey_from) && hi[i] <= b {
                    e += tin[i];
                }
                if e > 0 {
                    coef.push((i, e as f64));
                    most += e as f64;
                }
            }
            let brk = spec.brk.map_or(0, |bk| {
                overlap(bk.earliest, bk.minutes, a, b).min(overlap(bk.latest, bk.minutes, a, b))
            }) as f64;
            // A row that holds even with every candidate done cannot bind.
            if most + brk > avail {
                rows.push(EnergyRow { coef, brk, avail });
            }
        }
    }
    RoundRows { cand, rows }
}

/// The energetic bound within `time_limit` seconds, or `None` when the day
/// is too large for the relaxation to be worth building or HiGHS fails.
pub fn energetic_bound(p: &Problem, time_limit: f64) -> Option<i64> {
    // The limit covers building the LP too, which on a large day takes
    // longer than HiGHS: checked as it is built (None when it ends).
    let deadline = Instant::now() + crate::solve::budget::duration(time_limit);
    let over = || Instant::now() >= deadline;
    let reach = Reach::new(p);
    let mut cands: Vec<Vec<usize>> = Vec::with_capacity(p.rounds.len());
    for r in 0..p.rounds.len() {
        if over() {
            return None;
        }
        cands.push(candidates(p, &reach, r));
    }
    let work: usize = cands.iter().map(Vec::len).sum::<usize>().max(1);
    let max_points = ((BUDGET / work) as f64).sqrt() as usize;
    if max_points < MIN_POINTS {
        return None;
    }
    let max_points = max_points.min(MAX_POINTS);
    let mut pv = ProblemVariables::new();
    let served: Vec<_> = (0..p.clients.len())
        .map(|k| {
            if static_reason(p, k).is_some() {
                pv.add(variable().binary().max(0))
            } else {
                pv.add(variable().binary())
            }
        })
        .collect();
    let mut rows = Vec::new();
    // does[v]: (round, variable)
    let mut does: Vec<Vec<(usize, good_lp::Variable)>> = vec![Vec::new(); p.visits.len()];
    for r in 0..p.rounds.len() {
        if over() {
            return None;
        }
        let rr = round_rows(p, &reach, r, max_points);
        let used = pv.add(variable().min(0).max(1));
        let y: Vec<_> = rr
            .cand
            .iter()
            .map(|&v| {
                let var = pv.add(variable().min(0).max(1));
                does[v].push((r, var));
                var
            })
            .collect();
        for &var in &y {
            rows.push(constraint!(var <= used));
        }
        for EnergyRow { coef, brk, avail } in rr.rows {
            let lhs: Expression = coef.iter().map(|&(i, c)| c * y[i]).sum();
            rows.push(constraint!(lhs + brk * used <= avail));
        }
    }
    for (v, vs) in p.visits.iter().enumerate() {
        if v % 64 == 0 && over() {
            return None;
        }
        let done: Expression = does[v].iter().map(|&(_, y)| y).sum();
        let req = vs.required as f64;
        rows.push(constraint!(done == req * served[vs.client]));
        if vs.required > 1 {
            for c in &p.carers {
                let mine: Vec<_> = does[v]
                    .iter()
                    .filter(|(r, _)| c.rounds.contains(r))
                    .map(|&(_, y)| y)
                    .collect();
                if mine.len() > 1 {
                    let sum: Expression = mine.into_iter().sum();
                    rows.push(constraint!(sum <= 1));
                }
            }
        }
    }
    let objective: Expression = served
        .iter()
        .zip(&p.clients)
        .map(|(&u, c)| (c.priority as f64) * u)
        .sum();
    let zero = vec![0.0; served.len() + does.iter().map(Vec::len).sum::<usize>() + p.rounds.len()];
    let run = run(
        pv,
        Stage {
            maximise: true,
            objective,
            rows: &rows,
            extra: Vec::new(),
            time_limit: deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64(),
            warm: Some(&zero),
            evaluate: None,
        },
    )
    .ok()?;
    // The dual bound is what is proven; at optimality it equals the
    // (integral) objective up to HiGHS' tolerance.
    let value = match run.outcome {
        _ if run.dual_bound.is_finite() => run.dual_bound.max(run.objective),
        Outcome::Optimal => run.objective,
        Outcome::TimeLimit => return None,
    };
    value.is_finite().then(|| (value + 1e-6).floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::bound::quick_bound as upper_bound;
    use crate::solve::reasons::trivial_bound;

    fn problem(json: &str) -> Problem {
        Problem::from_json(json)
    }

    #[test]
    fn overlap_of_a_visit_with_an_interval() {
        assert_eq!(overlap(10, 30, 0, 100), 30);
        assert_eq!(overlap(10, 30, 20, 100), 20);
        assert_eq!(overlap(10, 30, 50, 100), 0);
        assert_eq!(overlap(10, 30, 15, 25), 10);
    }

    /// One carer, 08:00-10:00, and three one-hour visits that all must
    /// start by 09:00: the time binds (at most two fit), which the simple
    /// bound (everyone someone could serve) cannot see.
    #[test]
    fn time_binds_where_the_simple_bound_does_not() {
        let p = problem(
            r#"{"date":"2026-11-23","carers":[{"id":"C1","travel_mode":"drive",
                "shift":{"start":"08:00","end":"10:00"},"start_location":{"lat":52.0,"lon":-2.7}}],
               "clients":[
                {"id":"K1","location":{"lat":52.0,"lon":-2.7},"priority":2,
                 "visits":[{"id":"K1-a","window":{"start":"08:00","end":"09:00"},"duration":60}]},
                {"id":"K2","location":{"lat":52.0,"lon":-2.7},"priority":2,
                 "visits":[{"id":"K2-a","window":{"start":"08:00","end":"09:00"},"duration":60}]},
                {"id":"K3","location":{"lat":52.0,"lon":-2.7},"priority":1,
                 "visits":[{"id":"K3-a","window":{"start":"08:00","end":"09:00"},"duration":60}]}]}"#,
        );
        assert_eq!(trivial_bound(&p), 5);
        assert_eq!(energetic_bound(&p, 10.0), Some(4));
        assert_eq!(upper_bound(&p, 10.0), 4);
    }

    /// Travel counts: three one-hour visits fit a 190-minute shift on care
    /// alone, but one of them is a 47-minute drive from everything else.
    #[test]
    fn least_travel_counts_in_the_energy() {
        let visit = |id: &str, lat: f64| {
            format!(
                r#"{{"id":"{id}","location":{{"lat":{lat},"lon":-2.7}},
                    "visits":[{{"id":"{id}-a","window":{{"start":"08:00","end":"10:00"}},"duration":60}}]}}"#
            )
        };
        let p = problem(&format!(
            r#"{{"date":"2026-11-23","carers":[{{"id":"C1","travel_mode":"drive",
                "shift":{{"start":"08:00","end":"11:10"}},"start_location":{{"lat":52.0,"lon":-2.7}}}}],
               "clients":[{},{},{}]}}"#,
            visit("K1", 52.0),
            visit("K2", 52.0),
            visit("K3", 52.2)
        ));
        // Anyone alone can be served; no plan serves K3 with another.
        assert_eq!(trivial_bound(&p), 3);
        assert_eq!(upper_bound(&p, 10.0), 2);
    }
}
