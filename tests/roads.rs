//! Road travel times (docs/roads.md): the three profiles on tiny hand-made
//! graphs, snapping and its limit (E2101), unreachable pairs, the disk
//! cache, and matrices on the real extract checked against a separate
//! Dijkstra written here.

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::{Path, PathBuf};

use rota::model::{Location, Request};
use rota::roads::graph::{Graph, Snap};
use rota::roads::matrix::many_to_many;
use rota::roads::osm::{OsmData, Way};
use rota::roads::profile::{Speeds, usage};
use rota::roads::{self, RoadOptions, UNREACHABLE_MINUTES};
use rota::travel::TravelMode::{self, Bike, Drive, Walk};

const LAT0: f64 = 60.0;
const LON0: f64 = 25.0;
/// Metres per degree of latitude on the contract's sphere.
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// A point `east` and `north` metres from (60 N, 25 E).
fn at(east: f64, north: f64) -> (f64, f64) {
    (
        LAT0 + north / M_PER_DEG,
        LON0 + east / (M_PER_DEG * LAT0.to_radians().cos()),
    )
}

fn loc(east: f64, north: f64) -> Location {
    let (lat, lon) = at(east, north);
    Location { lat, lon }
}

/// An extract in memory: nodes `(id, east m, north m)`, ways `(nodes, tags)`.
/// A way for [`osm`]: node ids and tags.
type TinyWay<'a> = (&'a [i64], &'a [(&'a str, &'a str)]);

fn osm(nodes: &[(i64, f64, f64)], ways: &[TinyWay]) -> OsmData {
    OsmData {
        coords: nodes.iter().map(|(id, e, n)| (*id, at(*e, *n))).collect(),
        ways: ways
            .iter()
            .enumerate()
            .map(|(i, (ns, tags))| Way {
                id: i as i64 + 1,
                nodes: ns.to_vec(),
                tags: tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
            .collect(),
        addresses: vec![],
    }
}

fn speeds() -> Speeds {
    Speeds::new(&BTreeMap::new(), 15.0, 4.8)
}

/// Road seconds from `a` to `b` in `mode` (infinite without a path).
fn secs(data: &OsmData, mode: TravelMode, a: Location, b: Location) -> f64 {
    let g = Graph::build(data, mode, &speeds());
    let s: Vec<Snap> = [a, b].iter().map(|l| g.snap(*l, 500.0).unwrap()).collect();
    many_to_many(&g, &s, &|| {})[1] / 1000.0
}

fn close(x: f64, want: f64) -> bool {
    (x - want).abs() < 0.05
}

/// A square block 100 m a side: 1 (0,0), 2 (100,0), 3 (100,100), 4 (0,100);
/// the street 1-2 carries `tags`, the other three sides are residential.
fn block(tags: &[(&str, &str)]) -> OsmData {
    let nodes = [
        (1, 0.0, 0.0),
        (2, 100.0, 0.0),
        (3, 100.0, 100.0),
        (4, 0.0, 100.0),
    ];
    osm(
        &nodes,
        &[
            (&[1, 2], tags),
            (&[2, 3, 4, 1], &[("highway", "residential")]),
        ],
    )
}

// ------------------------------------------------------------ profiles

#[test]
fn drive_respects_a_one_way_street() {
    let d = block(&[("highway", "residential"), ("oneway", "yes")]);
    let (a, b) = (loc(0.0, 0.0), loc(100.0, 0.0));
    // 100 m at 25 km/h = 14.4 s with the flow; 300 m round the block against it.
    assert!(close(secs(&d, Drive, a, b), 14.4));
    assert!(close(secs(&d, Drive, b, a), 43.2));
    // oneway=-1 is the other way round.
    let d = block(&[("highway", "residential"), ("oneway", "-1")]);
    assert!(close(secs(&d, Drive, a, b), 43.2));
    assert!(close(secs(&d, Drive, b, a), 14.4));
    // A roundabout is one-way without a oneway tag.
    let d = block(&[("highway", "residential"), ("junction", "roundabout")]);
    assert!(close(secs(&d, Drive, b, a), 43.2));
    // Walkers use it both ways; cyclists keep to it (300 m at 15 km/h)...
    let d = block(&[("highway", "residential"), ("oneway", "yes")]);
    assert!(close(secs(&d, Walk, b, a), 75.0));
    assert!(close(secs(&d, Bike, b, a), 72.0));
    // ... unless oneway:bicycle=no (or a contraflow cycle lane) exempts them.
    for tag in [("oneway:bicycle", "no"), ("cycleway", "opposite_lane")] {
        let d = block(&[("highway", "residential"), ("oneway", "yes"), tag]);
        assert!(close(secs(&d, Bike, b, a), 24.0), "{tag:?}");
        assert!(close(secs(&d, Drive, b, a), 43.2), "{tag:?}");
    }
}

#[test]
fn a_footway_is_for_walkers_only() {
    let d = block(&[("highway", "footway")]);
    let (a, b) = (loc(0.0, 0.0), loc(100.0, 0.0));
    assert!(close(secs(&d, Walk, a, b), 75.0)); // 100 m at 4.8 km/h
    assert!(close(secs(&d, Drive, a, b), 43.2)); // drive round the block
    assert!(close(secs(&d, Bike, a, b), 72.0)); // bike round the block: 300 m at 15 km/h
    // bicycle=yes opens it to bikes.
    let d = block(&[("highway", "footway"), ("bicycle", "yes")]);
    assert!(close(secs(&d, Bike, a, b), 24.0));
    // Steps: walkers only; foot=no closes a way to walkers.
    let d = block(&[("highway", "steps")]);
    assert!(close(secs(&d, Bike, a, b), 72.0));
    let d = block(&[("highway", "residential"), ("foot", "no")]);
    assert!(close(secs(&d, Walk, a, b), 225.0));
}

#[test]
fn a_motorway_is_for_drivers_only_and_maxspeed_counts() {
    let d = block(&[
        ("highway", "motorway"),
        ("oneway", "no"),
        ("maxspeed", "120"),
    ]);
    let (a, b) = (loc(0.0, 0.0), loc(100.0, 0.0));
    assert!(close(secs(&d, Drive, a, b), 3.0)); // 100 m at 120 km/h
    assert!(close(secs(&d, Bike, a, b), 72.0));
    assert!(close(secs(&d, Walk, a, b), 225.0));
    // A motorway is one-way unless tagged otherwise.
    let d = block(&[("highway", "motorway")]);
    assert!(close(secs(&d, Drive, b, a), 43.2));
    // access=no and motor_vehicle=no close a road to drivers, not walkers.
    for tag in [("access", "no"), ("motor_vehicle", "no")] {
        let d = block(&[("highway", "residential"), tag]);
        assert!(close(secs(&d, Drive, a, b), 43.2), "{tag:?}");
    }
    let d = block(&[("highway", "residential"), ("motor_vehicle", "no")]);
    assert!(close(secs(&d, Walk, a, b), 75.0));
}

#[test]
fn the_request_overrides_class_speeds() {
    let mut s = BTreeMap::new();
    s.insert("residential".to_string(), 50.0);
    let sp = Speeds::new(&s, 15.0, 4.8);
    let w = Way {
        id: 1,
        nodes: vec![],
        tags: vec![("highway".into(), "residential".into())],
    };
    assert_eq!(usage(Drive, &w, &sp).unwrap().speed_kmh, 50.0);
    assert_eq!(usage(Drive, &w, &speeds()).unwrap().speed_kmh, 25.0);
    // Tagged maxspeed wins over the class speed; mph is converted.
    let w = Way {
        id: 1,
        nodes: vec![],
        tags: vec![
            ("highway".into(), "primary".into()),
            ("maxspeed".into(), "30 mph".into()),
        ],
    };
    assert!((usage(Drive, &w, &sp).unwrap().speed_kmh - 48.28).abs() < 0.01);
}

#[test]
fn a_river_with_one_bridge() {
    // Two streets along the banks of a river (y = 0 and y = 60), joined by
    // one bridge at x = 500. From (0,0) to (0,60) is 60 m as the crow
    // flies, but 500 + 60 + 500 m by road.
    let nodes = [
        (1, 0.0, 0.0),
        (2, 500.0, 0.0),
        (3, 0.0, 60.0),
        (4, 500.0, 60.0),
    ];
    let d = osm(
        &nodes,
        &[
            (&[1, 2], &[("highway", "residential")]),
            (&[3, 4], &[("highway", "residential")]),
            (&[2, 4], &[("highway", "residential"), ("bridge", "yes")]),
        ],
    );
    let (a, b) = (loc(0.0, 0.0), loc(0.0, 60.0));
    assert!(close(secs(&d, Walk, a, b), 1060.0 / (4.8 / 3.6)));
    assert!(close(secs(&d, Drive, a, b), 1060.0 / (25.0 / 3.6)));
}

// ------------------------------------------------------------ snapping

/// A day on the block: carers and clients at `(east, north)` metres.
fn request(carers: &[(&str, &str, (f64, f64))], clients: &[(&str, (f64, f64))]) -> Request {
    let carers: Vec<String> = carers
        .iter()
        .map(|(id, mode, (e, n))| {
            let l = loc(*e, *n);
            format!(
                r#"{{"id":"{id}","travel_mode":"{mode}","shift":{{"start":"08:00","end":"14:00"}},
                    "start_location":{{"lat":{},"lon":{}}}}}"#,
                l.lat, l.lon
            )
        })
        .collect();
    let clients: Vec<String> = clients
        .iter()
        .map(|(id, (e, n))| {
            let l = loc(*e, *n);
            format!(
                r#"{{"id":"{id}","location":{{"lat":{},"lon":{}}},
                    "visits":[{{"id":"{id}-v","window":{{"start":"09:00","end":"12:00"}},"duration":30}}]}}"#,
                l.lat, l.lon
            )
        })
        .collect();
    let text = format!(
        r#"{{"date":"2026-12-02","carers":[{}],"clients":[{}]}}"#,
        carers.join(","),
        clients.join(",")
    );
    rota::load_request(&text).unwrap().into_inner()
}

fn compute(
    data: &OsmData,
    req: &Request,
) -> Result<(rota::model::TravelMatrix, roads::Report), rota::RotaError> {
    let sp = roads::speeds_of(req)?;
    let used = roads::used_modes(req);
    let graphs: Vec<Option<Graph>> = TravelMode::ALL
        .into_iter()
        .map(|m| used[m.index()].then(|| Graph::build(data, m, &sp)))
        .collect();
    let opts = RoadOptions {
        cache_dir: None,
        ..Default::default()
    };
    roads::compute(req, &roads::places(req), &graphs, &sp, &opts)
}

#[test]
fn snapping_counts_the_off_road_stretch_at_walking_pace() {
    let d = block(&[("highway", "residential")]);
    // A client 50 m south of the middle of street 1-2; the carer at node 3.
    let req = request(&[("W1", "walk", (100.0, 100.0))], &[("P1", (50.0, -50.0))]);
    let (m, report) = compute(&d, &req).unwrap();
    let walk = &m.minutes["walk"];
    // 50 m off road + 50 m along 1-2 + 100 m up 2-3 = 200 m at 4.8 km/h = 150 s.
    assert_eq!(m.refs, ["P1", "W1"]);
    assert_eq!(walk[1][0], 3);
    assert_eq!(walk[0][1], 3);
    assert_eq!(walk[0][0], 0);
    assert!((report.modes[0].max_snap_m - 50.0).abs() < 0.5);
    // Drive: 150 m at 25 km/h (21.6 s) + 50 m on foot (37.5 s) -> 1 min, + 3 overhead.
    let req = request(&[("D1", "drive", (100.0, 100.0))], &[("P1", (50.0, -50.0))]);
    let (m, _) = compute(&d, &req).unwrap();
    assert_eq!(m.minutes["drive"][1][0], 4);
}

#[test]
fn a_location_beyond_the_snapping_limit_is_e2001_naming_it() {
    let d = block(&[("highway", "residential")]);
    let req = request(
        &[("W1", "walk", (0.0, 0.0))],
        &[("P1", (50.0, 0.0)), ("P2", (50.0, -700.0))],
    );
    let err = compute(&d, &req).unwrap_err();
    let issues = err.issues().unwrap();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "E2101");
    assert_eq!(issues[0].path, "clients[1].location");
    assert!(
        issues[0].message.contains("client 'P2'"),
        "{}",
        issues[0].message
    );
    assert!(issues[0].message.contains("700 m"), "{}", issues[0].message);
}

#[test]
fn an_island_gives_the_sentinel_and_a_warning() {
    // The block, and 300 m east a street reached by no road.
    let nodes = [
        (1, 0.0, 0.0),
        (2, 100.0, 0.0),
        (3, 100.0, 100.0),
        (4, 0.0, 100.0),
        (5, 400.0, 0.0),
        (6, 400.0, 100.0),
    ];
    let d = osm(
        &nodes,
        &[
            (&[1, 2, 3, 4, 1], &[("highway", "residential")]),
            (&[5, 6], &[("highway", "residential")]),
        ],
    );
    let req = request(
        &[("W1", "walk", (0.0, 0.0))],
        &[("P1", (50.0, 0.0)), ("P2", (400.0, 50.0))],
    );
    let (m, report) = compute(&d, &req).unwrap();
    let walk = &m.minutes["walk"];
    assert_eq!(walk[2][1], UNREACHABLE_MINUTES);
    assert_eq!(walk[1][2], UNREACHABLE_MINUTES);
    assert_eq!(walk[0][1], UNREACHABLE_MINUTES);
    assert!(walk[2][0] < 10);
    assert_eq!(report.modes[0].unreachable_pairs, 4);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("'P2'") && report.warnings[0].contains("W1 -> P2"));
    // The summary names the island's client (cut off from both others; P1
    // and W1, cut off from P2 only, are not named) and says what to check.
    let stuck = &report.modes[0].stuck;
    assert_eq!(stuck.len(), 1, "{stuck:?}");
    assert_eq!(stuck[0].what, "client 'P2'");
    assert_eq!((stuck[0].no_path_to, stuck[0].no_path_from), (2, 2));
    assert!(stuck[0].off_main);
    let text = roads::summary(&report);
    assert!(
        text.contains("walk: the unreachable pairs come from client 'P2' (cannot reach 2 other location(s), 2 cannot reach it; its nearest road is cut off from the main network)\n"),
        "{text}"
    );
    assert!(!text.contains("P1 ("), "{text}");
    assert_eq!(text.matches("  hint: ").count(), 1, "{text}");
    assert!(
        text.contains("check its coordinates, or use a larger extract"),
        "{text}"
    );
    // The solver leaves P2 out, and the plan passes the checker.
    let mut req = req;
    req.travel_matrix = Some(m);
    req.settings.time_limit_seconds = 1.0;
    let plan = rota::plan_request(&req).unwrap();
    assert_eq!(plan.unserved.len(), 1);
    assert_eq!(plan.unserved[0].client, "P2");
    assert!(rota::check::check(&req, &plan).is_valid());
}

#[test]
fn identical_locations_take_no_time_and_other_pairs_get_the_overhead() {
    let d = block(&[("highway", "residential")]);
    let req = request(
        &[("D1", "drive", (0.0, 0.0)), ("B1", "bike", (0.0, 0.0))],
        &[("P1", (0.0, 0.0)), ("P2", (1.0, 0.0))],
    );
    let (m, _) = compute(&d, &req).unwrap();
    for mode in ["drive", "bike"] {
        let x = &m.minutes[mode];
        assert_eq!(x[0][2], 0, "{mode}: P1 and D1 share a spot");
        assert_eq!(
            x[0][1],
            1 + req.settings.travel.overhead(mode).unwrap(),
            "{mode}"
        );
    }
    assert!(!m.minutes.contains_key("walk"));
}

// ------------------------------------------------------------ the real extract

fn extract() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/helsinki-centre.osm.pbf")
}

/// A generated day of `clients` clients placed on the shipped extract.
fn helsinki_day(clients: usize, seed: u64) -> Request {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let mut req =
        rota::generate::generate(&rota::generate::GenerateOptions::new(clients, seed, date));
    roads::place::place_on_file(&mut req, &extract(), seed).unwrap();
    req
}

fn no_cache() -> RoadOptions {
    RoadOptions {
        cache_dir: None,
        ..Default::default()
    }
}

fn haversine_m(a: Location, b: Location) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

#[test]
fn matrices_on_the_extract_are_sane() {
    let mut req = helsinki_day(30, 3);
    let report = roads::fill_travel_matrix(&mut req, &extract(), &no_cache()).unwrap();
    let m = req.travel_matrix.clone().unwrap();
    let places = roads::places(&req);
    let n = places.len();
    let t = &req.settings.travel;
    for (mode, rows) in &m.minutes {
        let mut unreachable = 0;
        let over = t.overhead(mode).unwrap();
        let fastest = match mode.as_str() {
            "walk" => t.speed("walk").unwrap(),
            "bike" => t.speed("bike").unwrap().max(t.speed("walk").unwrap()),
            _ => {
                let r = report.modes.iter().find(|r| r.mode == "drive").unwrap();
                assert!(r.nodes > 1000, "{r:?}");
                // The fastest legal speed of any drive edge of the extract.
                let data = rota::roads::osm::read(&extract()).unwrap();
                let g = Graph::build(&data, Drive, &roads::speeds_of(&req).unwrap());
                assert!(g.max_speed_kmh >= 25.0 && g.max_speed_kmh <= 130.0);
                g.max_speed_kmh
            }
        };
        for i in 0..n {
            for j in 0..n {
                let x = rows[i][j];
                if places[i].location == places[j].location {
                    assert_eq!(x, 0);
                    continue;
                }
                if x == UNREACHABLE_MINUTES {
                    // A location by a road cut off from the rest (counted below).
                    unreachable += 1;
                    continue;
                }
                let crow =
                    haversine_m(places[i].location, places[j].location) / (fastest / 3.6) / 60.0;
                assert!(
                    (x - over) as f64 >= crow.floor(),
                    "{mode} {} -> {}: {x} min, straight line {crow:.1} min",
                    places[i].r#ref,
                    places[j].r#ref
                );
                if mode == "walk" {
                    assert_eq!(x, rows[j][i], "walk is symmetric");
                }
            }
        }
        // Few pairs have no path (the sentinel), and walkers reach everyone.
        assert!(
            unreachable * 20 <= n * n,
            "{mode}: {unreachable} of {} pairs",
            n * n
        );
        if mode == "walk" {
            assert_eq!(unreachable, 0);
        }
        let r = report.modes.iter().find(|r| &r.mode == mode).unwrap();
        assert_eq!(r.unreachable_pairs, unreachable, "{mode}");
        eprintln!("{mode}: {unreachable} of {} pairs unreachable", n * n);
    }
    assert!(m.minutes.contains_key("drive"));
}

/// A plain Dijkstra over OSM node ids, written here apart from the library's
/// graph, snapping and matrix code: seconds from `src` to every node.
fn plain_dijkstra(adj: &HashMap<i64, Vec<(i64, f64)>>, src: i64) -> HashMap<i64, f64> {
    #[derive(PartialEq)]
    struct Item(f64, i64);
    impl Eq for Item {}
    impl PartialOrd for Item {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Item {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            o.0.total_cmp(&self.0)
        }
    }
    let mut dist = HashMap::new();
    let mut heap = BinaryHeap::new();
    heap.push(Item(0.0, src));
    while let Some(Item(d, v)) = heap.pop() {
        if dist.contains_key(&v) {
            continue;
        }
        dist.insert(v, d);
        for (u, w) in adj.get(&v).into_iter().flatten() {
            if !dist.contains_key(u) {
                heap.push(Item(d + w, *u));
            }
        }
    }
    dist
}

#[test]
fn matrices_agree_with_a_separate_dijkstra_on_the_extract() {
    let data = rota::roads::osm::read(&extract()).unwrap();
    let sp = speeds();
    for mode in TravelMode::ALL {
        let name = mode.as_str();
        // Adjacency by OSM id, from the profile's way rules only.
        let mut adj: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
        for w in &data.ways {
            let Some(u) = usage(mode, w, &sp) else {
                continue;
            };
            for pair in w.nodes.windows(2) {
                let (Some(a), Some(b)) = (data.coords.get(&pair[0]), data.coords.get(&pair[1]))
                else {
                    continue;
                };
                let s = haversine_m(
                    Location { lat: a.0, lon: a.1 },
                    Location { lat: b.0, lon: b.1 },
                ) / (u.speed_kmh / 3.6);
                if u.forward {
                    adj.entry(pair[0]).or_default().push((pair[1], s));
                }
                if u.backward {
                    adj.entry(pair[1]).or_default().push((pair[0], s));
                }
            }
        }
        // Twelve nodes spread over the network that the library calls its main one.
        let g = Graph::build(&data, mode, &sp);
        let main: Vec<(f64, f64)> = (0..g.node_count())
            .filter(|v| g.component[*v] == g.main_component)
            .map(|v| g.coords[v])
            .collect();
        let picks: Vec<(f64, f64)> = (0..12).map(|k| main[k * main.len() / 12]).collect();
        let id_of: HashMap<(u64, u64), i64> = data
            .coords
            .iter()
            .map(|(id, c)| ((c.0.to_bits(), c.1.to_bits()), *id))
            .collect();
        let ids: Vec<i64> = picks
            .iter()
            .map(|c| id_of[&(c.0.to_bits(), c.1.to_bits())])
            .collect();
        let snaps: Vec<Snap> = picks
            .iter()
            .map(|c| g.snap(Location { lat: c.0, lon: c.1 }, 500.0).unwrap())
            .collect();
        let lib = many_to_many(&g, &snaps, &|| {});
        let (mut same, mut total) = (0, 0);
        for (i, a) in ids.iter().enumerate() {
            let d = plain_dijkstra(&adj, *a);
            for (j, b) in ids.iter().enumerate() {
                let mine = d.get(b).copied().unwrap_or(f64::INFINITY);
                let theirs = lib[i * ids.len() + j] / 1000.0;
                if i == j {
                    continue;
                }
                assert_eq!(mine.is_finite(), theirs.is_finite(), "{} {i} {j}", name);
                if mine.is_finite() {
                    // Within rounding to whole milliseconds per edge.
                    assert!(
                        (mine - theirs).abs() < 0.5,
                        "{name} {i} {j}: {mine} vs {theirs}"
                    );
                    total += 1;
                    same += ((mine / 60.0 - 1e-9).ceil() == (theirs / 60.0 - 1e-9).ceil()) as usize;
                }
            }
        }
        assert!(total > 100, "{total}");
        assert!(
            same * 100 >= total * 98,
            "{} whole minutes equal in {same} of {total}",
            name
        );
    }
}

#[test]
fn the_cache_is_hit_then_invalidated_by_a_changed_location_or_extract() {
    let dir = tempfile::tempdir().unwrap();
    let opts = RoadOptions {
        cache_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let mut req = helsinki_day(10, 5);
    let first = roads::fill_travel_matrix(&mut req, &extract(), &opts).unwrap();
    assert!(!first.from_cache);
    let matrix = req.travel_matrix.clone();
    let mut again = req.clone();
    again.travel_matrix = None;
    let second = roads::fill_travel_matrix(&mut again, &extract(), &opts).unwrap();
    assert!(second.from_cache);
    assert_eq!(again.travel_matrix, matrix);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A client moved by a few metres: computed afresh.
    let mut moved = req.clone();
    moved.clients[0].location.lat += 0.00005;
    let third = roads::fill_travel_matrix(&mut moved, &extract(), &opts).unwrap();
    assert!(!third.from_cache);
    // Another extract (one byte changed) gives another key.
    let copy = dir.path().join("changed.osm.pbf");
    let mut bytes = std::fs::read(extract()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&copy, bytes).unwrap();
    let sp = roads::speeds_of(&req).unwrap();
    let places = roads::places(&req);
    let used = roads::used_modes(&req);
    let k1 = roads::cache::Key::new(&req, &extract(), &places, used, &sp, &opts).unwrap();
    let k2 = roads::cache::Key::new(&req, &copy, &places, used, &sp, &opts).unwrap();
    assert_ne!(k1, k2);
    // So do other speeds or another snapping limit.
    let mut faster = req.clone();
    faster.settings.travel.speed_kmh.insert("walk".into(), 5.5);
    let k3 = roads::cache::Key::new(
        &faster,
        &extract(),
        &places,
        used,
        &roads::speeds_of(&faster).unwrap(),
        &opts,
    )
    .unwrap();
    assert_ne!(k1, k3);
    let wider = RoadOptions {
        snap_limit_m: 800.0,
        ..opts.clone()
    };
    assert_ne!(
        k1,
        roads::cache::Key::new(&req, &extract(), &places, used, &sp, &wider).unwrap()
    );
    // So do another leg overhead, and other modes (capacity's all_modes).
    let mut slower = req.clone();
    slower
        .settings
        .travel
        .leg_overhead_minutes
        .insert("drive".into(), 7);
    assert_ne!(
        k1,
        roads::cache::Key::new(&slower, &extract(), &places, used, &sp, &opts).unwrap()
    );
    let mut fewer = used;
    fewer[1] = !fewer[1];
    assert_ne!(
        k1,
        roads::cache::Key::new(&req, &extract(), &places, fewer, &sp, &opts).unwrap()
    );
}

fn swap(l: &mut Location) {
    *l = Location {
        lat: l.lon,
        lon: l.lat,
    };
}

#[test]
fn every_location_swapped_is_e2104_saying_swapped_they_would_be_inside_the_extract() {
    let good = helsinki_day(10, 5);
    let mut req = good.clone();
    for c in &mut req.carers {
        swap(&mut c.start_location);
        if let Some(e) = &mut c.end_location {
            swap(e);
        }
    }
    for k in &mut req.clients {
        swap(&mut k.location);
    }
    let err = roads::fill_travel_matrix(&mut req, &extract(), &no_cache()).unwrap_err();
    let issues = err.issues().unwrap();
    // Once per place (not per mode), and no E2101 beside it.
    let places = roads::places(&req);
    let mut paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
    let mut want: Vec<&str> = places.iter().map(|p| p.path.as_str()).collect();
    paths.sort_unstable();
    want.sort_unstable();
    want.dedup();
    assert_eq!(paths, want);
    for i in issues {
        assert_eq!(i.code, "E2104", "{i}");
        assert!(
            i.message.contains("outside the extract")
                && i.message
                    .contains("with lat and lon swapped it would be inside it"),
            "{i}"
        );
        assert!(i.hint.contains("swapped"), "{i}");
    }
    let first = places.iter().find(|p| p.path == issues[0].path).unwrap();
    assert!(
        issues[0].hint.contains(&format!(
            "{{\"lat\": {}, \"lon\": {}}}",
            first.location.lon, first.location.lat
        )),
        "{}",
        issues[0].hint
    );

    // `rota plan --osm` refuses it with the same code (exit 2).
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("rota")
        .unwrap()
        .env("XDG_CACHE_HOME", dir.path())
        .args(["plan", "-", "--osm"])
        .arg(extract())
        .write_stdin(serde_json::to_string(&req).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("E2104"), "{err}");

    // One client far away but not swapped: E2101 as before.
    let mut one = good.clone();
    one.clients[0].location.lat += 0.5;
    let err = roads::fill_travel_matrix(&mut one, &extract(), &no_cache()).unwrap_err();
    let codes: Vec<&str> = err.issues().unwrap().iter().map(|i| i.code).collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|c| *c == "E2101"),
        "{codes:?}"
    );
}

#[test]
fn a_day_planned_on_the_extract_passes_the_checker() {
    let mut req = helsinki_day(20, 7);
    roads::fill_travel_matrix(&mut req, &extract(), &no_cache()).unwrap();
    req.settings.time_limit_seconds = 2.0;
    let plan = rota::plan_request(&req).unwrap();
    assert!(plan.summary.clients_served > 0);
    let report = rota::check::check(&req, &plan);
    assert!(report.is_valid(), "{report}");
    // The plan's legs are road times: the round's travel is at least the
    // matrix legs it is made of (the checker re-derived them from the matrix).
    let paths = roads::paths::round_paths(&req, &plan, &extract(), &no_cache()).unwrap();
    assert_eq!(paths.len(), plan.rounds.len());
    let html = rota::output::report::html_with_roads(&req, &plan, Some(&paths));
    assert!(html.contains("OpenStreetMap contributors, ODbL"));
}

#[test]
fn rota_plan_with_osm_plans_the_shipped_day_and_check_with_osm_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = dir.path().join("plan.json");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("rota")
            .unwrap()
            .current_dir(root)
            // The matrix cache goes to the temporary folder.
            .env("XDG_CACHE_HOME", dir.path())
            .args(args)
            .assert()
    };
    let plan_s = plan.to_str().unwrap();
    let osm = "data/helsinki-centre.osm.pbf";
    run(&[
        "plan",
        "data/helsinki-day.json",
        "--osm",
        osm,
        "--time-limit",
        "2",
        "-o",
        plan_s,
    ])
    .success();
    let cached = std::fs::read_dir(dir.path().join("rota/roads"))
        .unwrap()
        .count();
    assert_eq!(cached, 1);
    run(&["check", "data/helsinki-day.json", plan_s, "--osm", osm])
        .success()
        .stderr(predicates::str::contains("(cached)"));
    let out = dir.path().join("with-matrix.json");
    run(&[
        "roads",
        "data/helsinki-day.json",
        "--osm",
        osm,
        "-o",
        out.to_str().unwrap(),
    ])
    .success();
    run(&["check", out.to_str().unwrap(), plan_s]).success();
}

/// `rota roads` on the shipped day: its 50 unreachable drive pairs all
/// come from P025 (on a road piece cut off from the main drive network);
/// the summary names it and says what to check, and says nothing of the
/// walk matrix, which has none.
#[test]
fn rota_roads_names_the_location_behind_unreachable_pairs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("rota")
        .unwrap()
        .current_dir(root)
        .args(["roads", "data/helsinki-day.json", "--osm"])
        .arg("data/helsinki-centre.osm.pbf")
        .arg("--no-cache")
        .arg("-o")
        .arg(dir.path().join("day.json"))
        .assert()
        .success();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("50 unreachable pair(s)"), "{err}");
    assert!(
        err.contains(
            "  drive: the unreachable pairs come from client 'P025' (cannot reach 50 other location(s), 0 cannot reach it; its nearest road is cut off from the main network)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("  hint: a location with no drive path out (or in)"),
        "{err}"
    );
    assert!(!err.contains("no walk path"), "{err}");
}

/// The radix heap (the default) and the binary heap give the same matrix,
/// entry for entry, on a synthetic grid with one-way streets and gaps.
#[test]
fn both_queues_give_the_same_matrix() {
    use rota::roads::matrix::many_to_many_with;
    use rota::roads::queue::Queue;
    for mode in 0..3 {
        let g = rota::roads::bench::synthetic_graph(60, mode, 3);
        let (s, n) = (g.coords[0], g.coords[g.node_count() - 1]);
        let points: Vec<Snap> = (0..80)
            .filter_map(|i| {
                let f = i as f64 / 80.0;
                let loc = Location {
                    lat: s.0 + (n.0 - s.0) * f,
                    lon: s.1 + (n.1 - s.1) * ((f * 7.3) % 1.0),
                };
                g.snap(loc, 500.0)
            })
            .collect();
        assert!(points.len() > 70);
        let stop = || false;
        let binary = many_to_many_with(&g, &points, &|| {}, &stop, Queue::Binary).unwrap();
        let radix = many_to_many_with(&g, &points, &|| {}, &stop, Queue::Radix).unwrap();
        assert_eq!(binary, radix, "mode {mode}");
        assert!(radix.iter().filter(|x| x.is_finite()).count() > 6000);
    }
}

/// Without a terminal on stderr, no progress bar or spinner is drawn.
#[test]
fn no_progress_bar_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("rota")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CACHE_HOME", dir.path())
        .args(["roads", "data/helsinki-day.json", "--osm"])
        .arg(extract())
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("roads: drive graph"), "{err}");
    assert!(
        !err.contains('\r') && !err.contains("sources") && !err.contains("reading"),
        "{err}"
    );
}
