//! Speed of the greedy construction, of one search move (a served client
//! removed and re-inserted: the feasibility evaluation of every place in
//! every eligible round) and of the whole pipeline on generated days (see
//! docs/benchmarks.md). Run: `cargo bench --bench construction`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rota::generate::{GenerateOptions, generate};
use rota::problem::Problem;

fn day(clients: usize) -> rota::model::Request {
    generate(&GenerateOptions {
        clients,
        seed: 1,
        am_rounds: None,
        pm_rounds: None,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    })
}

fn construction(c: &mut Criterion) {
    let mut g = c.benchmark_group("greedy_one_pass");
    for clients in [50, 300, 1000] {
        let p = Problem::from_request(&day(clients)).unwrap();
        g.bench_function(format!("{clients}_clients"), |b| {
            b.iter(|| rota::solve::construct::greedy::construct(black_box(&p)))
        });
    }
    g.finish();
}

fn reinsert(c: &mut Criterion) {
    let mut g = c.benchmark_group("reinsert_one_client");
    for clients in [50, 300, 1000] {
        let p = Problem::from_request(&day(clients)).unwrap();
        let sol = rota::solve::construct::greedy::construct(&p).solution;
        let served: Vec<usize> = (0..p.clients.len())
            .filter(|&k| sol.is_served(&p, k))
            .collect();
        let mut i = 0usize;
        g.bench_function(format!("{clients}_clients"), |b| {
            b.iter_batched(
                || {
                    i = (i + 7) % served.len();
                    let k = served[i];
                    let mut s = sol.clone();
                    for &v in &p.clients[k].visits {
                        s.remove(v);
                    }
                    (s, k)
                },
                |(mut s, k)| {
                    let _ = rota::solve::construct::greedy::insert_client(black_box(&p), &mut s, k);
                    s
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// Evaluating the local search's moves (relocate, swap, 2-opt*, or-opt)
/// of one visit next to each of its neighbours in a greedy plan: the
/// constant-time check and cost, without the exact re-timing of the few
/// improving ones.
fn evaluate_moves(c: &mut Criterion) {
    use rota::solve::ls::{LocalSearch, Operator};
    let mut g = c.benchmark_group("evaluate_moves_of_one_visit");
    for clients in [50, 300, 1000] {
        let p = Problem::from_request(&day(clients)).unwrap();
        let sol = rota::solve::construct::greedy::construct(&p).solution;
        let ls = LocalSearch::new(&p);
        let prep = ls.prepare(&p, &sol);
        let visits: Vec<usize> = (0..p.visits.len())
            .filter(|&v| p.visits[v].required == 1 && sol.start[v].is_some())
            .collect();
        let ops = Operator::ALL;
        let mut i = 0usize;
        g.bench_function(format!("{clients}_clients"), |b| {
            b.iter(|| {
                i = (i + 7) % visits.len();
                let v = visits[i];
                let mut n = 0;
                for &u in ls.neighbours_of(v) {
                    if sol.start[u].is_some() {
                        for op in ops {
                            n += ls.candidates(&p, &sol, &prep, op, v, black_box(u)).len();
                        }
                    }
                }
                n
            })
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan_request");
    g.sample_size(10);
    // The search runs until it stalls (or the 10 s limit): only the sample
    // day's size is benchmarked here; bigger days are in `rota bench days`.
    let req = day(50);
    g.bench_function("50_clients", |b| {
        b.iter(|| rota::plan_request(black_box(&req)).unwrap())
    });
    g.finish();
}

fn problem(c: &mut Criterion) {
    let req = day(1000);
    c.bench_function("problem_from_request_1000_clients", |b| {
        b.iter(|| Problem::from_request(black_box(&req)).unwrap())
    });
}

criterion_group!(
    benches,
    construction,
    reinsert,
    evaluate_moves,
    pipeline,
    problem
);
criterion_main!(benches);
