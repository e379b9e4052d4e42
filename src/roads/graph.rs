//! One routable graph per mode: nodes, directed edges weighted in
//! milliseconds (compressed sparse rows), the road segments they come from
//! (for snapping, with an R-tree of `rstar`), and the road geometry.

use std::collections::HashMap;

use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

use super::osm::OsmData;
use super::profile::{Speeds, usage};
use crate::model::Location;
use crate::travel::{TravelMode, haversine_km};

/// "No path": a distance in milliseconds no route reaches.
pub const NO_PATH: u64 = u64::MAX;

/// One road segment between two consecutive nodes of a way, with the time
/// to travel it in each direction the mode may (ms), `None` where it may not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub a: u32,
    pub b: u32,
    pub ab_ms: Option<u32>,
    pub ba_ms: Option<u32>,
}

/// A location snapped onto a segment: at fraction `t` from `a` to `b`,
/// `off_m` metres off the road.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub segment: u32,
    pub t: f64,
    pub off_m: f64,
}

/// A routable graph of one mode.
#[derive(Debug, Clone)]
pub struct Graph {
    /// `(lat, lon)` of each node.
    pub coords: Vec<(f64, f64)>,
    /// CSR: the edges out of node `v` are `first_out[v]..first_out[v + 1]`.
    pub first_out: Vec<u32>,
    pub head: Vec<u32>,
    pub weight_ms: Vec<u32>,
    pub segments: Vec<Segment>,
    /// The strongly connected component of each node (one-way streets
    /// count: from every node of a component every other can be reached).
    pub component: Vec<u32>,
    /// The largest component.
    pub main_component: u32,
    /// The fastest speed of any edge, km/h.
    pub max_speed_kmh: f64,
    origin: (f64, f64),
    tree: RTree<GeomWithData<Line<[f64; 2]>, u32>>,
}

/// How much farther than the nearest road a location may be snapped to
/// the main network instead, metres.
pub const PREFER_MAIN_M: f64 = 100.0;

/// Metres per degree of latitude on the contract's sphere.
const M_PER_DEG: f64 = crate::travel::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Local equirectangular projection around `origin` (metres).
fn project(origin: (f64, f64), lat: f64, lon: f64) -> [f64; 2] {
    [
        (lon - origin.1) * M_PER_DEG * origin.0.to_radians().cos(),
        (lat - origin.0) * M_PER_DEG,
    ]
}

/// Time in ms to cover `metres` at `kmh`.
pub fn ms_for(metres: f64, kmh: f64) -> f64 {
    metres / (kmh / 3.6) * 1000.0
}

impl Graph {
    /// The graph of mode `mode` from the ways of `osm`.
    pub fn build(osm: &OsmData, mode: TravelMode, speeds: &Speeds) -> Graph {
        let mut index: HashMap<i64, u32> = HashMap::new();
        let mut coords: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        let mut max_speed_kmh: f64 = 0.0;
        for way in &osm.ways {
            let Some(u) = usage(mode, way, speeds) else {
                continue;
            };
            if !(u.forward || u.backward) || u.speed_kmh.is_nan() || u.speed_kmh <= 0.0 {
                continue;
            }
            max_speed_kmh = max_speed_kmh.max(u.speed_kmh);
            let mut prev: Option<(u32, (f64, f64))> = None;
            for id in &way.nodes {
                // A way whose node is missing from the extract (cut at its
                // border) is routed up to the gap and on after it.
                let Some(&c) = osm.coords.get(id) else {
                    prev = None;
                    continue;
                };
                let v = *index.entry(*id).or_insert_with(|| {
                    coords.push(c);
                    (coords.len() - 1) as u32
                });
                if let Some((p, pc)) = prev
                    && p != v
                {
                    let metres = 1000.0
                        * haversine_km(
                            Location {
                                lat: pc.0,
                                lon: pc.1,
                            },
                            Location { lat: c.0, lon: c.1 },
                        );
                    let ms = (ms_for(metres, u.speed_kmh).round() as u32).max(1);
                    segments.push(Segment {
                        a: p,
                        b: v,
                        ab_ms: u.forward.then_some(ms),
                        ba_ms: u.backward.then_some(ms),
                    });
                }
                prev = Some((v, c));
            }
        }
        Graph::from_parts(coords, segments, max_speed_kmh)
    }

    /// The graph of `segments` over nodes at `coords` (also for synthetic
    /// graphs in the benchmark).
    pub fn from_parts(
        coords: Vec<(f64, f64)>,
        segments: Vec<Segment>,
        max_speed_kmh: f64,
    ) -> Graph {
        let n = coords.len();
        let mut degree = vec![0u32; n + 1];
        for s in &segments {
            if s.ab_ms.is_some() {
                degree[s.a as usize] += 1;
            }
            if s.ba_ms.is_some() {
                degree[s.b as usize] += 1;
            }
        }
        let mut first_out = vec![0u32; n + 1];
        for v in 0..n {
            first_out[v + 1] = first_out[v] + degree[v];
        }
        let m = first_out[n] as usize;
        let mut head = vec![0u32; m];
        let mut weight_ms = vec![0u32; m];
        let mut fill = first_out.clone();
        let mut push = |from: u32, to: u32, w: u32| {
            let k = fill[from as usize] as usize;
            head[k] = to;
            weight_ms[k] = w;
            fill[from as usize] += 1;
        };
        for s in &segments {
            if let Some(w) = s.ab_ms {
                push(s.a, s.b, w);
            }
            if let Some(w) = s.ba_ms {
                push(s.b, s.a, w);
            }
        }
        let component = strong_components(n, &first_out, &head);
        let mut size: HashMap<u32, usize> = HashMap::new();
        for c in &component {
            *size.entry(*c).or_default() += 1;
        }
        let main_component = size
            .iter()
            .max_by_key(|(c, s)| (**s, std::cmp::Reverse(**c)))
            .map_or(0, |(c, _)| *c);
        let origin = if n == 0 {
            (0.0, 0.0)
        } else {
            let lat = coords.iter().map(|c| c.0).sum::<f64>() / n as f64;
            let lon = coords.iter().map(|c| c.1).sum::<f64>() / n as f64;
            (lat, lon)
        };
        let lines = segments
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let a = coords[s.a as usize];
                let b = coords[s.b as usize];
                GeomWithData::new(
                    Line::new(project(origin, a.0, a.1), project(origin, b.0, b.1)),
                    k as u32,
                )
            })
            .collect();
        Graph {
            coords,
            first_out,
            head,
            weight_ms,
            segments,
            component,
            main_component,
            max_speed_kmh,
            origin,
            tree: RTree::bulk_load(lines),
        }
    }

    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// The bounding box of the graph's nodes (how far the extract reaches
    /// for this mode): `[min_lat, min_lon, max_lat, max_lon]`, `None` for a
    /// graph without nodes.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let (&(lat, lon), rest) = self.coords.split_first()?;
        Some(rest.iter().fold([lat, lon, lat, lon], |b, &(lat, lon)| {
            [b[0].min(lat), b[1].min(lon), b[2].max(lat), b[3].max(lon)]
        }))
    }

    pub fn edge_count(&self) -> usize {
        self.head.len()
    }

    /// Snap `loc` to the nearest segment of the main component within
    /// `limit_m` and within [`PREFER_MAIN_M`] of the nearest segment, else
    /// to the nearest segment; `None` when the graph is empty. The caller compares `off_m` with its limit.
    pub fn snap(&self, loc: Location, limit_m: f64) -> Option<Snap> {
        let p = project(self.origin, loc.lat, loc.lon);
        let mut nearest = None;
        for cand in self.tree.nearest_neighbor_iter_with_distance_2(&p) {
            let (line, d2) = cand;
            let d = d2.sqrt();
            let seg = &self.segments[line.data as usize];
            let snap = Snap {
                segment: line.data,
                t: fraction(line.geom(), p),
                off_m: d,
            };
            let first = *nearest.get_or_insert(snap);
            // The main network is preferred only within `PREFER_MAIN_M` of the
            // nearest road: a tiny disconnected piece of road (a cut-off
            // driveway) is skipped, a real island is not bridged on foot.
            if d > limit_m || d > first.off_m + PREFER_MAIN_M {
                break;
            }
            // Both ends: a one-way segment from the main network into a dead
            // end would let a journey in but not out.
            if self.component[seg.a as usize] == self.main_component
                && self.component[seg.b as usize] == self.main_component
            {
                return Some(snap);
            }
        }
        nearest
    }

    /// Whether a snap lies on the main network (both ends of its segment in
    /// the largest strongly connected component): from it every other such
    /// snap can be reached and back.
    pub fn on_main(&self, s: &Snap) -> bool {
        let seg = &self.segments[s.segment as usize];
        self.component[seg.a as usize] == self.main_component
            && self.component[seg.b as usize] == self.main_component
    }

    /// The point of a snap, `(lat, lon)`.
    pub fn snap_point(&self, s: &Snap) -> (f64, f64) {
        let seg = &self.segments[s.segment as usize];
        let a = self.coords[seg.a as usize];
        let b = self.coords[seg.b as usize];
        (a.0 + s.t * (b.0 - a.0), a.1 + s.t * (b.1 - a.1))
    }
}

/// Where the foot of the perpendicular from `p` falls on `line`, as a
/// fraction in [0, 1] from its start.
fn fraction(line: &Line<[f64; 2]>, p: [f64; 2]) -> f64 {
    let (a, b) = (line.from, line.to);
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    if len2 == 0.0 {
        return 0.0;
    }
    (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
}

/// Strongly connected components (Kosaraju, iterative): a component id per node.
fn strong_components(n: usize, first_out: &[u32], head: &[u32]) -> Vec<u32> {
    // Pass 1: nodes in order of finishing a depth-first search.
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        stack.push((root as u32, first_out[root]));
        while let Some(top) = stack.last_mut() {
            let (v, k) = *top;
            if k < first_out[v as usize + 1] {
                top.1 += 1;
                let u = head[k as usize] as usize;
                if !seen[u] {
                    seen[u] = true;
                    stack.push((u as u32, first_out[u]));
                }
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    // The reverse graph.
    let mut rfirst = vec![0u32; n + 1];
    for &u in head {
        rfirst[u as usize + 1] += 1;
    }
    for v in 0..n {
        rfirst[v + 1] += rfirst[v];
    }
    let mut rhead = vec![0u32; head.len()];
    let mut fill = rfirst.clone();
    for v in 0..n {
        for k in first_out[v]..first_out[v + 1] {
            let u = head[k as usize] as usize;
            rhead[fill[u] as usize] = v as u32;
            fill[u] += 1;
        }
    }
    // Pass 2: on the reverse graph, in reverse finishing order.
    let mut comp = vec![u32::MAX; n];
    let mut todo = Vec::new();
    for &root in order.iter().rev() {
        if comp[root as usize] != u32::MAX {
            continue;
        }
        comp[root as usize] = root;
        todo.push(root);
        while let Some(v) = todo.pop() {
            for k in rfirst[v as usize]..rfirst[v as usize + 1] {
                let u = rhead[k as usize];
                if comp[u as usize] == u32::MAX {
                    comp[u as usize] = root;
                    todo.push(u);
                }
            }
        }
    }
    comp
}
