//! Speed of the greedy construction and of the whole pipeline on generated
//! days (see docs/benchmarks.md). Run: `cargo bench --bench construction`.

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
            b.iter(|| rota::solve::greedy::construct(black_box(&p)))
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan_request");
    g.sample_size(10);
    for clients in [50, 300] {
        let req = day(clients);
        g.bench_function(format!("{clients}_clients"), |b| {
            b.iter(|| rota::plan_request(black_box(&req)).unwrap())
        });
    }
    g.finish();
}

fn problem(c: &mut Criterion) {
    let req = day(1000);
    c.bench_function("problem_from_request_1000_clients", |b| {
        b.iter(|| Problem::from_request(black_box(&req)).unwrap())
    });
}

criterion_group!(benches, construction, pipeline, problem);
criterion_main!(benches);
