//! `rota bench roads`: the many-to-many matrix on a synthetic road graph of
//! about a million directed edges (built here, not shipped), with the
//! locations of a county's day (1,000 clients + 300 carers) and 3 modes.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::graph::{Graph, Segment, Snap, ms_for};
use super::matrix::many_to_many_with;
use super::queue::Queue;
use crate::model::Location;

/// A road-like grid: `side` x `side` nodes 100 m apart (from 52.0 N,
/// 2.7 W); every 10th row and column a main road (60 km/h drive), the rest
/// residential (25 km/h), one in 7 residential streets one-way (drive
/// only), one in 20 links missing (seeded). `mode` 0 drive, 1 bike
/// (15 km/h, both ways), 2 walk (4.8 km/h, both ways).
pub fn synthetic_graph(side: usize, mode: usize, seed: u64) -> Graph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dlat = 100.0 / 111_195.0;
    let dlon = dlat / 52f64.to_radians().cos();
    let mut coords = Vec::with_capacity(side * side);
    for r in 0..side {
        for c in 0..side {
            coords.push((52.0 + r as f64 * dlat, -2.7 + c as f64 * dlon));
        }
    }
    let id = |r: usize, c: usize| (r * side + c) as u32;
    let mut segments = Vec::new();
    let mut max_speed: f64 = 0.0;
    for r in 0..side {
        for c in 0..side {
            for (r2, c2, line) in [(r, c + 1, r), (r + 1, c, c)] {
                if r2 >= side || c2 >= side {
                    continue;
                }
                let main = line % 10 == 0;
                let missing = rng.gen_range(0..20) == 0 && !main;
                let one_way = rng.gen_range(0..7) == 0 && !main;
                if missing {
                    continue;
                }
                let speed = match mode {
                    0 if main => 60.0,
                    0 => 25.0,
                    1 => 15.0,
                    _ => 4.8,
                };
                max_speed = max_speed.max(speed);
                let w = ms_for(100.0, speed).round() as u32;
                let (fwd, bwd) = if mode == 0 && one_way {
                    (true, false)
                } else {
                    (true, true)
                };
                segments.push(Segment {
                    a: id(r, c),
                    b: id(r2, c2),
                    ab_ms: fwd.then_some(w),
                    ba_ms: bwd.then_some(w),
                });
            }
        }
    }
    Graph::from_parts(coords, segments, max_speed)
}

/// One measured run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub mode: usize,
    /// The search's priority queue.
    pub queue: Queue,
    pub nodes: usize,
    pub edges: usize,
    pub locations: usize,
    pub build_seconds: f64,
    pub matrix_seconds: f64,
    /// CPU seconds (all threads) the matrix took: the wall time on an
    /// otherwise idle machine is about this over the cores used.
    pub matrix_cpu_seconds: Option<f64>,
    pub unreachable: usize,
    /// Peak resident memory of the process so far (VmHWM), MiB.
    pub peak_rss_mib: Option<f64>,
}

/// CPU time of the process so far (user + system, all threads), seconds,
/// from /proc/self/stat in clock ticks of 1/100 s (Linux's USER_HZ).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Build the graph of each of `modes` and the matrix between `locations`
/// random points on it, timing both. `threads` 0: rayon's default.
pub fn run(
    side: usize,
    locations: usize,
    modes: &[usize],
    queues: &[Queue],
    seed: u64,
    mut each: impl FnMut(&BenchRow),
) -> Vec<BenchRow> {
    let mut rows = Vec::new();
    for &mode in modes {
        let t0 = Instant::now();
        let g = synthetic_graph(side, mode, seed);
        let build_seconds = t0.elapsed().as_secs_f64();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let (s, n) = (g.coords[0], g.coords[g.node_count() - 1]);
        let points: Vec<Snap> = (0..locations)
            .filter_map(|_| {
                let loc = Location {
                    lat: rng.gen_range(s.0..n.0),
                    lon: rng.gen_range(s.1..n.1),
                };
                g.snap(loc, 500.0)
            })
            .collect();
        for &queue in queues {
            let c1 = cpu_seconds();
            let t1 = Instant::now();
            let m = many_to_many_with(&g, &points, &|| {}, &|| false, queue).unwrap_or_default();
            let matrix_seconds = t1.elapsed().as_secs_f64();
            let matrix_cpu_seconds = c1.zip(cpu_seconds()).map(|(a, b)| b - a);
            let row = BenchRow {
                mode,
                queue,
                nodes: g.node_count(),
                edges: g.edge_count(),
                locations: points.len(),
                build_seconds,
                matrix_seconds,
                matrix_cpu_seconds,
                unreachable: m.iter().filter(|x| !x.is_finite()).count(),
                peak_rss_mib: peak_rss_mib(),
            };
            each(&row);
            rows.push(row);
        }
    }
    rows
}

/// The rows as a Markdown table, with the total wall time.
pub fn markdown(rows: &[BenchRow], total_seconds: f64) -> String {
    let mut s = String::from(
        "| mode | queue | nodes | edges | locations | graph s | matrix s | matrix CPU s | unreachable pairs | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {} | {} | {} |\n",
            crate::model::MODES.get(r.mode).unwrap_or(&"?"),
            r.queue.name(),
            r.nodes,
            r.edges,
            r.locations,
            r.build_seconds,
            r.matrix_seconds,
            r.matrix_cpu_seconds
                .map_or("-".into(), |c| format!("{c:.1}")),
            r.unreachable,
            r.peak_rss_mib.map_or("-".into(), |m| format!("{m:.0}"))
        );
    }
    s += &format!("\ntotal wall time {total_seconds:.1} s\n");
    s
}
