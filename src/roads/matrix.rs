//! Many-to-many shortest paths: one Dijkstra per distinct source point,
//! stopped once every target's segment ends are settled, the sources
//! spread over threads by `rayon` (docs/roads.md has the measurements that
//! chose this over contraction hierarchies).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::graph::{Graph, NO_PATH, Snap};
use super::queue::{MinQueue, Queue, RadixHeap};

/// Time from a snapped point to the nodes it can leave by: the segment's
/// ends in the directions the mode may use it, and the end it sits on
/// (at no cost) when it is snapped onto a node.
fn leave(g: &Graph, s: &Snap) -> Vec<(u32, f64)> {
    let seg = &g.segments[s.segment as usize];
    let mut out = Vec::with_capacity(2);
    if let Some(w) = seg.ab_ms {
        out.push((seg.b, (1.0 - s.t) * w as f64));
    }
    if let Some(w) = seg.ba_ms {
        out.push((seg.a, s.t * w as f64));
    }
    on_node(seg.a, seg.b, s.t, &mut out);
    out
}

/// Time from the nodes a snapped point can be reached from to the point.
fn arrive(g: &Graph, s: &Snap) -> Vec<(u32, f64)> {
    let seg = &g.segments[s.segment as usize];
    let mut out = Vec::with_capacity(2);
    if let Some(w) = seg.ab_ms {
        out.push((seg.a, s.t * w as f64));
    }
    if let Some(w) = seg.ba_ms {
        out.push((seg.b, (1.0 - s.t) * w as f64));
    }
    on_node(seg.a, seg.b, s.t, &mut out);
    out
}

/// A point at either end of its segment is that node itself.
fn on_node(a: u32, b: u32, t: f64, out: &mut Vec<(u32, f64)>) {
    if t <= 0.0 {
        out.push((a, 0.0));
    }
    if t >= 1.0 {
        out.push((b, 0.0));
    }
}

/// Along one segment, from `s` to `t` without leaving it.
fn along(g: &Graph, s: &Snap, t: &Snap) -> Option<f64> {
    if s.segment != t.segment {
        return None;
    }
    let seg = &g.segments[s.segment as usize];
    let fwd = seg
        .ab_ms
        .filter(|_| t.t >= s.t)
        .map(|w| (t.t - s.t) * w as f64);
    let bwd = seg
        .ba_ms
        .filter(|_| t.t <= s.t)
        .map(|w| (s.t - t.t) * w as f64);
    match (fwd, bwd) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Road time in ms from each snapped point in `points` to each other
/// (row-major, `f64::INFINITY` where there is no path; 0 on the diagonal).
/// `progress` is called once per finished source.
pub fn many_to_many(g: &Graph, points: &[Snap], progress: &(dyn Fn() + Sync)) -> Vec<f64> {
    many_to_many_until(g, points, progress, &|| false).unwrap_or_default()
}

/// As [`many_to_many`], but `None` as soon as `stop` says so (checked
/// before each source's search).
pub fn many_to_many_until(
    g: &Graph,
    points: &[Snap],
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<f64>> {
    many_to_many_with(g, points, progress, stop, DEFAULT_QUEUE)
}

/// The queue the matrices use (the faster in `rota bench roads`).
pub const DEFAULT_QUEUE: Queue = Queue::Radix;

/// As [`many_to_many_until`], with the given priority queue.
pub fn many_to_many_with(
    g: &Graph,
    points: &[Snap],
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
    queue: Queue,
) -> Option<Vec<f64>> {
    match queue {
        Queue::Binary => rows_with::<BinaryHeap<Reverse<(u32, u32)>>>(g, points, progress, stop),
        Queue::Radix => rows_with::<RadixHeap>(g, points, progress, stop),
    }
}

/// Distance of a node not reached (yet).
const UNSET: u32 = u32::MAX;

fn rows_with<Q: MinQueue + Default>(
    g: &Graph,
    points: &[Snap],
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<f64>> {
    let n = points.len();
    // The nodes every search must settle: the ends of the targets' segments.
    let arrivals: Vec<Vec<(u32, f64)>> = points.iter().map(|t| arrive(g, t)).collect();
    let mut needed = vec![false; g.node_count()];
    for (v, _) in arrivals.iter().flatten() {
        needed[*v as usize] = true;
    }
    let needed_count = needed.iter().filter(|x| **x).count();
    let rows: Option<Vec<Vec<f64>>> = points
        .par_iter()
        .map_init(
            || (vec![UNSET; g.node_count()], Vec::<u32>::new(), Q::default()),
            |(dist, touched, queue), src| {
                if stop() {
                    return None;
                }
                let d = search(g, src, &needed, needed_count, dist, touched, queue);
                let row = points
                    .iter()
                    .zip(&arrivals)
                    .map(|(t, arr)| {
                        let mut best = along(g, src, t).unwrap_or(f64::INFINITY);
                        for &(v, w) in arr {
                            if d[v as usize] != UNSET {
                                best = best.min(d[v as usize] as f64 + w);
                            }
                        }
                        best
                    })
                    .collect();
                for v in touched.drain(..) {
                    dist[v as usize] = UNSET;
                }
                progress();
                Some(row)
            },
        )
        .collect();
    let mut out = Vec::with_capacity(n * n);
    for (i, row) in rows?.into_iter().enumerate() {
        for (j, x) in row.into_iter().enumerate() {
            out.push(if i == j { 0.0 } else { x });
        }
    }
    Some(out)
}

/// Dijkstra from a snapped point: fills `dist` (ms, rounded from the
/// partial first edge) and records the nodes it touched; stops once every
/// `needed` node is settled.
fn search<'a, Q: MinQueue>(
    g: &Graph,
    src: &Snap,
    needed: &[bool],
    needed_count: usize,
    dist: &'a mut [u32],
    touched: &mut Vec<u32>,
    queue: &mut Q,
) -> &'a [u32] {
    queue.clear();
    for (v, w) in leave(g, src) {
        let w = w.round().min(f64::from(UNSET - 1)) as u32;
        if w < dist[v as usize] {
            if dist[v as usize] == UNSET {
                touched.push(v);
            }
            dist[v as usize] = w;
            queue.push(w, v);
        }
    }
    let mut settled_needed = 0;
    while let Some((d, v)) = queue.pop() {
        if d > dist[v as usize] {
            continue;
        }
        if needed[v as usize] {
            settled_needed += 1;
            if settled_needed == needed_count {
                break;
            }
        }
        let (lo, hi) = (
            g.first_out[v as usize] as usize,
            g.first_out[v as usize + 1] as usize,
        );
        for k in lo..hi {
            let u = g.head[k];
            let nd = d.saturating_add(g.weight_ms[k]).min(UNSET - 1);
            if nd < dist[u as usize] {
                if dist[u as usize] == UNSET {
                    touched.push(u);
                }
                dist[u as usize] = nd;
                queue.push(nd, u);
            }
        }
    }
    dist
}

/// Shortest path as a polyline `(lat, lon)` from one snapped point to
/// another (for the report's map), `None` when there is none.
pub fn path_polyline(g: &Graph, from: &Snap, to: &Snap) -> Option<Vec<(f64, f64)>> {
    if along(g, from, to).is_some() {
        return Some(vec![g.snap_point(from), g.snap_point(to)]);
    }
    let n = g.node_count();
    let mut dist = vec![NO_PATH; n];
    let mut pred = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    for (v, w) in leave(g, from) {
        let w = w.round() as u64;
        if w < dist[v as usize] {
            dist[v as usize] = w;
            heap.push(Reverse((w, v)));
        }
    }
    while let Some(Reverse((d, v))) = heap.pop() {
        if d > dist[v as usize] {
            continue;
        }
        for k in g.first_out[v as usize] as usize..g.first_out[v as usize + 1] as usize {
            let u = g.head[k];
            let nd = d + g.weight_ms[k] as u64;
            if nd < dist[u as usize] {
                dist[u as usize] = nd;
                pred[u as usize] = v;
                heap.push(Reverse((nd, u)));
            }
        }
    }
    let (end, _) = arrive(g, to)
        .into_iter()
        .filter(|(v, _)| dist[*v as usize] != NO_PATH)
        .map(|(v, w)| (v, dist[v as usize] as f64 + w))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let mut nodes = vec![end];
    let mut v = end;
    while pred[v as usize] != u32::MAX {
        v = pred[v as usize];
        nodes.push(v);
    }
    nodes.reverse();
    let mut line = vec![g.snap_point(from)];
    line.extend(nodes.iter().map(|v| g.coords[*v as usize]));
    line.push(g.snap_point(to));
    Some(line)
}
