//! Travel times on real roads from an OpenStreetMap extract (docs/roads.md).
//!
//! [`fill_travel_matrix`] is the one entry point the front doors use: it
//! reads a `.osm.pbf`, builds a graph per mode the request's carers use
//! ([`profile`]), snaps every location to its nearest road ([`graph`]),
//! computes door-to-door minutes between all of them ([`matrix`]) and puts
//! them in the request's `travel_matrix`, so the solver, the checker and any
//! other reader use them unchanged. Results are cached on disk ([`cache`]).

pub mod bench;
pub mod cache;
pub mod graph;
pub mod matrix;
pub mod network;
pub mod osm;
pub mod paths;
pub mod place;
pub mod profile;
pub mod queue;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Issue, Issues, RotaError};
use crate::model::{Location, Request, TravelMatrix};
use crate::travel::TravelMode;
use graph::{Graph, Snap, ms_for};
use profile::Speeds;

/// Minutes in the matrix for a pair with no path in a mode: larger than any
/// shift (shifts lie within one day, 1,440 minutes), so the solver never
/// plans the leg, and not a time any real journey could take.
pub const UNREACHABLE_MINUTES: i64 = 100_000;

/// Default snapping limit: a location farther than this from every road of
/// a mode is an error (E2101).
pub const DEFAULT_SNAP_LIMIT_M: f64 = 500.0;

/// How to build road matrices.
#[derive(Debug, Clone)]
pub struct RoadOptions {
    /// Largest distance from a location to its road, metres.
    pub snap_limit_m: f64,
    /// Where matrices are cached; `None` turns the cache off.
    pub cache_dir: Option<PathBuf>,
    /// Draw a progress bar on stderr while computing.
    pub progress: bool,
    /// Compute every mode, not only those the carers use (`rota capacity`
    /// adds hypothetical rounds in each mode). A location too far from the
    /// roads of a mode no carer uses gets the sentinel there, not E2101.
    pub all_modes: bool,
    /// Stop computing at this instant (E2002): `rota serve` computes a
    /// job's matrix inside the job's time limit.
    pub deadline: Option<std::time::Instant>,
    /// Stop computing when this control is cancelled (E2002).
    pub control: Option<std::sync::Arc<crate::control::SolveControl>>,
}

impl Default for RoadOptions {
    fn default() -> Self {
        RoadOptions {
            snap_limit_m: DEFAULT_SNAP_LIMIT_M,
            cache_dir: cache::default_dir(),
            progress: false,
            all_modes: false,
            deadline: None,
            control: None,
        }
    }
}

impl RoadOptions {
    /// True once the deadline has passed or the control is cancelled.
    pub fn should_stop(&self) -> bool {
        self.deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
            || self.control.as_ref().is_some_and(|c| c.is_cancelled())
    }

    /// E2002 for a computation stopped by [`RoadOptions::should_stop`].
    fn stopped(&self, req: &Request) -> RotaError {
        let cancelled = self.control.as_ref().is_some_and(|c| c.is_cancelled());
        RotaError::invalid(crate::limits::stopped_before_a_plan(
            req.settings.time_limit_seconds,
            cancelled,
            "computing road travel times",
        ))
    }
}

/// What one mode's matrix came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeReport {
    pub mode: String,
    pub nodes: usize,
    pub edges: usize,
    /// Distinct snapped points the matrix was computed between.
    pub points: usize,
    /// Ordered pairs of different locations with no path (the sentinel).
    pub unreachable_pairs: usize,
    /// The farthest any location of this mode was from its road, metres.
    pub max_snap_m: f64,
    /// The locations cut off from more than half of the others (no path to
    /// them, or none from them), worst first; carers of another mode, whose
    /// rows are never used, are left out. No `serde(default)`: a cached
    /// report from before this field does not read, so it is a cache miss
    /// and computed afresh.
    pub stuck: Vec<Stuck>,
}

/// How many of [`ModeReport::stuck`] the summary names.
pub const STUCK_NAMED: usize = 3;

/// A location with no road path to or from some others (for the hint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stuck {
    /// "client 'P025'", "carer 'C1' (start)".
    pub what: String,
    /// Other locations it has no path to.
    pub no_path_to: usize,
    /// Other locations with no path to it.
    pub no_path_from: usize,
    /// Snapped to a road piece cut off from the mode's main network (the
    /// main network was more than [`graph::PREFER_MAIN_M`] farther than its
    /// nearest road).
    pub off_main: bool,
}

/// What [`fill_travel_matrix`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub modes: Vec<ModeReport>,
    /// Clients no carer can reach and come back from (the pair named).
    pub warnings: Vec<String>,
    /// Taken from the disk cache rather than computed.
    pub from_cache: bool,
}

/// One location of the matrix: its ref, where it is, what it is (for
/// messages) and the JSON path of its coordinates, and the mode of the
/// carer it belongs to (`None` for a client).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub r#ref: String,
    pub location: Location,
    pub path: String,
    pub what: String,
    /// Hashed into the cache key as the mode's index (as it always was),
    /// so cached matrices stay found.
    #[serde(serialize_with = "mode_index")]
    pub own_mode: Option<TravelMode>,
}

/// A place's mode as its [`TravelMode::index`], for the cache key.
fn mode_index<S: serde::Serializer>(m: &Option<TravelMode>, s: S) -> Result<S::Ok, S::Error> {
    m.map(TravelMode::index).serialize(s)
}

/// The locations of a request in matrix order: clients, carers' starts,
/// then carers' ends where they differ from the start.
pub fn places(req: &Request) -> Vec<Place> {
    let mut out = Vec::new();
    for (i, c) in req.clients.iter().enumerate() {
        out.push(Place {
            r#ref: c.id.clone(),
            location: c.location,
            path: format!("clients[{i}].location"),
            what: format!("client '{}'", c.id),
            own_mode: None,
        });
    }
    let mode_of = TravelMode::parse;
    for (i, c) in req.carers.iter().enumerate() {
        out.push(Place {
            r#ref: c.id.clone(),
            location: c.start_location,
            path: format!("carers[{i}].start_location"),
            what: format!("carer '{}' (start)", c.id),
            own_mode: mode_of(&c.travel_mode),
        });
    }
    for (i, c) in req.carers.iter().enumerate() {
        if c.end() != c.start_location {
            out.push(Place {
                r#ref: format!("{}/end", c.id),
                location: c.end(),
                path: format!("carers[{i}].end_location"),
                what: format!("carer '{}' (end)", c.id),
                own_mode: mode_of(&c.travel_mode),
            });
        }
    }
    out
}

/// Modes used by the request's carers, flagged by [`TravelMode::index`].
pub fn used_modes(req: &Request) -> [bool; 3] {
    let mut used = [false; 3];
    for c in &req.carers {
        if let Some(m) = TravelMode::parse(&c.travel_mode) {
            used[m.index()] = true;
        }
    }
    used
}

/// The speeds of the request's settings, checked (E2103).
pub fn speeds_of(req: &Request) -> Result<Speeds, RotaError> {
    let t = &req.settings.travel;
    let mut issues = Vec::new();
    for (k, v) in &t.road_speed_kmh {
        if !(v.is_finite() && *v > 0.0) {
            issues.push(Issue::new(
                "E2103",
                format!("settings.travel.road_speed_kmh.{k}"),
                format!("road speed {v} for highway class '{k}' is not a positive number"),
                "give a positive speed in km/h, or leave the class out for its default",
            ));
        }
    }
    if !issues.is_empty() {
        return Err(RotaError::Invalid(Issues(issues)));
    }
    Ok(Speeds::new(
        &t.road_speed_kmh,
        t.speed("bike").unwrap_or(15.0),
        t.speed("walk").unwrap_or(4.8),
    ))
}

/// Fill `req.travel_matrix` with door-to-door road minutes from the extract
/// at `osm_path`, for every mode the carers use (replacing any matrix the
/// request had). The request must be valid (`load_request`).
pub fn fill_travel_matrix(
    req: &mut Request,
    osm_path: &Path,
    opts: &RoadOptions,
) -> Result<Report, RotaError> {
    let (matrix, report) = matrix_from_file(req, osm_path, opts)?;
    req.travel_matrix = Some(matrix);
    Ok(report)
}

/// [`fill_travel_matrix`]'s matrix and report, leaving `req` as it is.
pub fn matrix_from_file(
    req: &Request,
    osm_path: &Path,
    opts: &RoadOptions,
) -> Result<(TravelMatrix, Report), RotaError> {
    let sha = cache::file_hash(osm_path)?;
    matrix_with(req, &sha, opts, |speeds, used| {
        let bar = progress_spinner(opts.progress, "reading the extract");
        let data = osm::read(osm_path)?;
        bar.set_message("building the road graphs");
        let graphs = TravelMode::ALL
            .into_iter()
            .map(|m| used[m.index()].then(|| Graph::build(&data, m, speeds)))
            .collect();
        bar.finish_and_clear();
        Ok(graphs)
    })
}

/// A spinner on stderr while reading and building (hidden unless `shown`).
fn progress_spinner(shown: bool, msg: &'static str) -> indicatif::ProgressBar {
    if !shown {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new_spinner();
    b.set_message(msg);
    b.enable_steady_tick(std::time::Duration::from_millis(120));
    b
}

/// The common part of filling a matrix: the cache key (from the extract's
/// content hash `sha`), a cache hit, or the graphs from `graphs` (given the
/// speeds and the modes to compute), the matrices, and the cache store.
fn matrix_with<G, F>(
    req: &Request,
    sha: &str,
    opts: &RoadOptions,
    graphs: F,
) -> Result<(TravelMatrix, Report), RotaError>
where
    G: std::borrow::Borrow<Graph>,
    F: FnOnce(&Speeds, [bool; 3]) -> Result<Vec<Option<G>>, RotaError>,
{
    let speeds = speeds_of(req)?;
    let places = places(req);
    let used = if opts.all_modes {
        [true; 3]
    } else {
        used_modes(req)
    };
    let key = cache::Key::of_hash(req, sha, &places, used, &speeds, opts)?;
    if let Some(dir) = &opts.cache_dir
        && let Some((matrix, mut report)) = cache::load(dir, &key)
    {
        report.from_cache = true;
        return Ok((matrix, report));
    }
    let graphs = graphs(&speeds, used)?;
    if opts.should_stop() {
        return Err(opts.stopped(req));
    }
    let (matrix, report) = compute(req, &places, &graphs, &speeds, opts)?;
    if let Some(dir) = &opts.cache_dir {
        cache::store(dir, &key, &matrix, &report)?;
    }
    Ok((matrix, report))
}

/// Metres per degree of latitude on the contract's sphere.
const M_PER_DEGREE: f64 = crate::travel::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// Snap every place in the graph of `mode`: `None` for a place too far that
/// may be (another mode's carer, or any place in a mode no carer uses,
/// `required == false`); issues for the rest: E2104 for a place outside
/// the extract that swapped (lat for lon) would be inside it (once per
/// place, whatever the modes), else E2101.
fn snap_all(
    g: &Graph,
    mode: TravelMode,
    required: bool,
    places: &[Place],
    limit_m: f64,
    issues: &mut Vec<Issue>,
) -> Vec<Option<Snap>> {
    // The extract as far as its roads of this mode reach, grown by the
    // snapping limit: a place outside it cannot snap.
    let bounds = g.bounds().map(|[s, w, n, e]| {
        let dlat = limit_m / M_PER_DEGREE;
        let dlon = dlat / ((s + n) / 2.0).to_radians().cos().max(0.01);
        [s - dlat, w - dlon, n + dlat, e + dlon]
    });
    let inside = |l: Location| {
        bounds.is_some_and(|[s, w, n, e]| (s..=n).contains(&l.lat) && (w..=e).contains(&l.lon))
    };
    places
        .iter()
        .map(|p| {
            let snap = g.snap(p.location, limit_m).filter(|s| s.off_m <= limit_m);
            if snap.is_none() && required && p.own_mode.is_none_or(|m| m == mode) {
                let l = p.location;
                let swapped = Location {
                    lat: l.lon,
                    lon: l.lat,
                };
                if let (Some([s, w, n, e]), false, true) = (bounds, inside(l), inside(swapped)) {
                    if !issues.iter().any(|i| i.code == "E2104" && i.path == p.path) {
                        issues.push(Issue::new(
                            "E2104",
                            &p.path,
                            format!(
                                "{} (lat {}, lon {}) is outside the extract (its roads, with the \
                                 snapping limit around them, reach lat {s:.4} to {n:.4}, lon {w:.4} \
                                 to {e:.4}); with lat and lon swapped it would be inside it",
                                p.what, l.lat, l.lon
                            ),
                            format!(
                                "lat and lon look swapped: give {{\"lat\": {}, \"lon\": {}}}",
                                swapped.lat, swapped.lon
                            ),
                        ));
                    }
                    return snap;
                }
                let nearest = g.snap(p.location, limit_m);
                let what = match nearest {
                    Some(s) => format!("is {:.0} m from the nearest {mode} road", s.off_m),
                    None => format!("has no {mode} road in the extract at all"),
                };
                issues.push(Issue::new(
                    "E2101",
                    &p.path,
                    format!(
                        "{} {what}; the snapping limit is {limit_m:.0} m",
                        p.what
                    ),
                    "check the coordinates (lat and lon swapped?), or use an extract that covers this location",
                ));
            }
            snap
        })
        .collect()
}

/// The matrices of the used modes, from their graphs.
pub fn compute<G: std::borrow::Borrow<Graph>>(
    req: &Request,
    places: &[Place],
    graphs: &[Option<G>],
    speeds: &Speeds,
    opts: &RoadOptions,
) -> Result<(TravelMatrix, Report), RotaError> {
    let n = places.len();
    let mut issues = Vec::new();
    let carers_use = used_modes(req);
    let snaps: Vec<Option<Vec<Option<Snap>>>> = graphs
        .iter()
        .zip(TravelMode::ALL)
        .map(|(g, m)| {
            g.as_ref().map(|g| {
                snap_all(
                    g.borrow(),
                    m,
                    carers_use[m.index()],
                    places,
                    opts.snap_limit_m,
                    &mut issues,
                )
            })
        })
        .collect();
    if !issues.is_empty() {
        return Err(RotaError::Invalid(Issues(issues)));
    }
    let total: usize = snaps
        .iter()
        .flatten()
        .map(|s| s.iter().flatten().count())
        .sum();
    let bar = if opts.progress {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "roads {msg} [{bar:30}] {pos}/{len} sources, {eta} left",
            )
            .map_err(|e| RotaError::Internal(e.to_string()))?,
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut minutes = BTreeMap::new();
    let mut modes = Vec::new();
    for (g, m) in graphs.iter().zip(TravelMode::ALL) {
        let (Some(g), Some(snaps)) = (g, &snaps[m.index()]) else {
            continue;
        };
        let g: &Graph = g.borrow();
        bar.set_message(m.as_str());
        // Distinct snapped points (locations on the same spot share one).
        let mut points: Vec<Snap> = Vec::new();
        let mut point_of: Vec<Option<usize>> = Vec::with_capacity(n);
        for s in snaps {
            point_of.push(s.map(|s| {
                points.iter().position(|p| *p == s).unwrap_or_else(|| {
                    points.push(s);
                    points.len() - 1
                })
            }));
        }
        let stop = || opts.should_stop();
        let Some(road) = matrix::many_to_many_until(g, &points, &|| bar.inc(1), &stop) else {
            bar.finish_and_clear();
            return Err(opts.stopped(req));
        };
        let k = points.len();
        let overhead = req.settings.travel.overhead(m.as_str()).unwrap_or(0);
        let mut unreachable = 0;
        let (mut no_to, mut no_from) = (vec![0usize; n], vec![0usize; n]);
        let mut rows = vec![vec![0i64; n]; n];
        for i in 0..n {
            for j in 0..n {
                if places[i].location == places[j].location {
                    continue;
                }
                let ms = match (point_of[i], point_of[j], snaps[i], snaps[j]) {
                    (Some(a), Some(b), Some(sa), Some(sb)) => {
                        let r = road[a * k + b];
                        r + ms_for(sa.off_m, speeds.walk_kmh) + ms_for(sb.off_m, speeds.walk_kmh)
                    }
                    _ => f64::INFINITY,
                };
                rows[i][j] = if ms.is_finite() {
                    (ms / 60_000.0 - 1e-9).ceil().max(0.0) as i64 + overhead
                } else {
                    unreachable += 1;
                    no_to[i] += 1;
                    no_from[j] += 1;
                    UNREACHABLE_MINUTES
                };
            }
        }
        // Cut off from more than half the others: the cause, not one of the
        // many locations that merely have no path to or from it.
        let mut stuck: Vec<Stuck> = (0..n)
            .filter(|&i| {
                2 * no_to[i].max(no_from[i]) > n - 1 && places[i].own_mode.is_none_or(|o| o == m)
            })
            .map(|i| Stuck {
                what: places[i].what.clone(),
                no_path_to: no_to[i],
                no_path_from: no_from[i],
                off_main: snaps[i].is_some_and(|s| !g.on_main(&s)),
            })
            .collect();
        // Worst first; a stable sort keeps the matrix order among equals.
        stuck.sort_by_key(|s| std::cmp::Reverse(s.no_path_to + s.no_path_from));
        modes.push(ModeReport {
            mode: m.as_str().to_string(),
            nodes: g.node_count(),
            edges: g.edge_count(),
            points: k,
            unreachable_pairs: unreachable,
            max_snap_m: snaps.iter().flatten().map(|s| s.off_m).fold(0.0, f64::max),
            stuck,
        });
        minutes.insert(m.as_str().to_string(), rows);
    }
    bar.finish_and_clear();
    let matrix = TravelMatrix {
        refs: places.iter().map(|p| p.r#ref.clone()).collect(),
        minutes,
    };
    let warnings = unreachable_warnings(req, places, &matrix);
    Ok((
        matrix,
        Report {
            modes,
            warnings,
            from_cache: false,
        },
    ))
}

/// A warning for each client that no carer can reach from its start and
/// return from to its end, naming one such pair.
fn unreachable_warnings(req: &Request, places: &[Place], m: &TravelMatrix) -> Vec<String> {
    let row = |r: &str| places.iter().position(|p| p.r#ref == r);
    let mut out = Vec::new();
    for (ci, client) in req.clients.iter().enumerate() {
        let mut first_blocked = None;
        let mut reachable = false;
        for carer in &req.carers {
            let Some(mat) = m.minutes.get(&carer.travel_mode) else {
                continue;
            };
            let s = row(&carer.id).unwrap_or(0);
            let e = if carer.end() != carer.start_location {
                row(&format!("{}/end", carer.id)).unwrap_or(s)
            } else {
                s
            };
            let there = mat[s][ci];
            let back = mat[ci][e];
            if there < UNREACHABLE_MINUTES && back < UNREACHABLE_MINUTES {
                reachable = true;
                break;
            }
            if first_blocked.is_none() {
                first_blocked = Some(if there >= UNREACHABLE_MINUTES {
                    format!("{} -> {} by {}", carer.id, client.id, carer.travel_mode)
                } else {
                    format!(
                        "{} -> {} by {}",
                        client.id, places[e].r#ref, carer.travel_mode
                    )
                });
            }
        }
        if !reachable && let Some(pair) = first_blocked {
            out.push(format!(
                "client '{}' cannot be served: no carer has a road path there and back (e.g. no path {pair}; matrix entry {UNREACHABLE_MINUTES})",
                client.id
            ));
        }
    }
    out
}

/// A short human summary of a [`Report`] (for stderr).
pub fn summary(r: &Report) -> String {
    let mut s = String::new();
    for m in &r.modes {
        s += &format!(
            "roads: {} graph {} nodes, {} edges; {} points, farthest {:.0} m off road; {} unreachable pair(s){}\n",
            m.mode,
            m.nodes,
            m.edges,
            m.points,
            m.max_snap_m,
            m.unreachable_pairs,
            if r.from_cache { " (cached)" } else { "" }
        );
        if m.unreachable_pairs > 0 {
            s += &unreachable_hint(m);
        }
    }
    for w in &r.warnings {
        s += &format!("warning: {w}\n");
    }
    s
}

/// What a mode's unreachable pairs come from and what to do about them:
/// the locations cut off from most others, and the usual causes.
fn unreachable_hint(m: &ModeReport) -> String {
    let mode = m.mode.as_str();
    let mut s = String::new();
    if !m.stuck.is_empty() {
        let named: Vec<String> = m
            .stuck
            .iter()
            .take(STUCK_NAMED)
            .map(|x| {
                format!(
                    "{} (cannot reach {} other location(s), {} cannot reach it{})",
                    x.what,
                    x.no_path_to,
                    x.no_path_from,
                    if x.off_main {
                        "; its nearest road is cut off from the main network"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        let more = match m.stuck.len().saturating_sub(STUCK_NAMED) {
            0 => String::new(),
            k => format!(" and {k} more"),
        };
        s += &format!(
            "  {mode}: the unreachable pairs come from {}{more}\n",
            named.join(", ")
        );
    }
    let (one_way, who) = match mode {
        "walk" => ("", "walkers"),
        "bike" => ("a one-way dead end, ", "bikes"),
        _ => ("a one-way dead end, ", "cars"),
    };
    s += &format!(
        "  hint: a location with no {mode} path out (or in) lies on a road piece not joined to the rest \
         of the extract's {mode} network: {one_way}a road cut off at the extract's edge, a link only by \
         ferry (never routed) or a way closed to {who}; check its coordinates, or use a larger extract \
         around it. Unreachable legs are never planned; a client no carer can both reach and leave is \
         unserved, with a warning naming it.\n"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache key hashes the places with their mode as an index, as it
    /// did before modes were a [`TravelMode`]: matrices cached then are
    /// still found.
    #[test]
    fn a_place_keeps_its_mode_as_an_index_in_the_cache_key() {
        let p = Place {
            r#ref: "C1".into(),
            location: Location {
                lat: 52.0,
                lon: -2.5,
            },
            path: "carers[0].start_location".into(),
            what: "carer 'C1' (start)".into(),
            own_mode: Some(TravelMode::Walk),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"ref":"C1","location":{"lat":52.0,"lon":-2.5},"path":"carers[0].start_location","what":"carer 'C1' (start)","own_mode":2}"#
        );
        let p = Place {
            own_mode: None,
            ..p
        };
        assert!(
            serde_json::to_string(&p)
                .unwrap()
                .ends_with(r#","own_mode":null}"#)
        );
    }
}
