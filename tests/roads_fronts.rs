//! `--osm` on the front doors that take a whole day's what-ifs or hand a
//! plan to carers (docs/roads.md): `rota capacity` (its hypothetical
//! clients and rounds get rows in the road matrix) and `rota export`
//! (the plan is checked on the roads before it is exported).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const OSM: &str = "data/helsinki-centre.osm.pbf";
const DAY: &str = "data/helsinki-day.json";

fn rota(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("rota").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        // The matrix cache goes to a temporary folder.
        .env("XDG_CACHE_HOME", cache);
    c
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// `capacity` answers with every hypothetical plan (baseline, each area's
/// new clients, each extra round) made and passed by the checker on the
/// road matrix: `capacity` fails (exit 1) if any one of them does not.
#[test]
fn capacity_with_osm_plans_every_hypothetical_on_roads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cap.json");
    rota(dir.path())
        .args(["capacity", DAY, "--osm", OSM, "--time-limit", "1"])
        .args(["--areas", "2", "--max-new", "2", "--threads", "2", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("roads: walk graph"));
    let cap = read_json(&out);
    let req = read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join(DAY));
    assert_eq!(cap["areas"].as_array().unwrap().len(), 2);
    let rounds = cap["extra_rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 6, "early and late in each of the 3 modes");
    // Each extra round starts at a client's home: a place with a row.
    let homes: Vec<&Value> = req["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["location"])
        .collect();
    for r in rounds {
        assert!(homes.contains(&&r["location"]), "{r}");
        assert!(r["plan"]["clients_served"].as_u64().unwrap() > 0, "{r}");
    }
}

/// A request that carries its own matrix (here from `rota roads`, drive
/// only): capacity used to stop at E1606 (the hypothetical clients and
/// carers had no refs); now they copy the rows of the places they are at,
/// and modes without a matrix use the formula.
#[test]
fn capacity_accepts_a_request_with_its_own_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let mut day = read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join(DAY));
    for c in day["carers"].as_array_mut().unwrap() {
        c["travel_mode"] = "drive".into();
    }
    let drive = dir.path().join("drive.json");
    std::fs::write(&drive, day.to_string()).unwrap();
    let with_matrix = dir.path().join("with-matrix.json");
    rota(dir.path())
        .args(["roads", drive.to_str().unwrap(), "--osm", OSM, "-o"])
        .arg(&with_matrix)
        .assert()
        .success();
    let filled = read_json(&with_matrix);
    let modes: Vec<&String> = filled["travel_matrix"]["minutes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(modes, ["drive"]);
    let out = dir.path().join("cap.json");
    rota(dir.path())
        .args([
            "capacity",
            with_matrix.to_str().unwrap(),
            "--time-limit",
            "1",
        ])
        .args(["--areas", "2", "--max-new", "2", "--threads", "2", "-o"])
        .arg(&out)
        .assert()
        .success();
    let cap = read_json(&out);
    assert_eq!(cap["extra_rounds"].as_array().unwrap().len(), 6);
}

/// `all_modes` computes a matrix for modes no carer uses; a place too far
/// from those roads would get the sentinel there, not E2101.
#[test]
fn all_modes_fills_every_mode() {
    let mut req = rota::load_request(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DAY)).unwrap(),
    )
    .unwrap()
    .into_inner();
    for c in &mut req.carers {
        c.travel_mode = "walk".into();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = rota::roads::RoadOptions {
        cache_dir: None,
        all_modes: true,
        ..Default::default()
    };
    let report = rota::roads::fill_travel_matrix(&mut req, &root.join(OSM), &opts).unwrap();
    assert_eq!(report.modes.len(), 3);
    let m = req.travel_matrix.unwrap();
    assert_eq!(m.minutes.len(), 3);
    for rows in m.minutes.values() {
        assert_eq!(rows.len(), m.refs.len());
    }
}

/// `export --request R --osm F` checks the plan on the roads first: a plan
/// made on the formula (too short for some road journeys) is refused with
/// nothing written; the plan made on the roads is exported.
#[test]
fn export_with_osm_refuses_a_plan_that_does_not_fit_the_roads() {
    let dir = tempfile::tempdir().unwrap();
    let on_formula = dir.path().join("formula.json");
    let on_roads = dir.path().join("roads.json");
    rota(dir.path())
        .args([
            "plan",
            DAY,
            "--time-limit",
            "1",
            "--stop-when-stalled",
            "-o",
        ])
        .arg(&on_formula)
        .assert()
        .success();
    rota(dir.path())
        .args([
            "plan",
            DAY,
            "--osm",
            OSM,
            "--time-limit",
            "1",
            "--stop-when-stalled",
            "-o",
        ])
        .arg(&on_roads)
        .assert()
        .success();
    let csv = dir.path().join("out.csv");
    rota(dir.path())
        .arg("export")
        .arg(&on_formula)
        .args(["--format", "csv", "--request", DAY, "--osm", OSM, "-o"])
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("nothing exported"));
    assert!(!csv.exists());
    rota(dir.path())
        .arg("export")
        .arg(&on_roads)
        .args(["--format", "csv", "--request", DAY, "--osm", OSM, "-o"])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("date,carer,"), "{text}");
    // With the request, the rows carry the clients' locations.
    let row = text.lines().nth(1).unwrap();
    assert!(row.contains("60.1"), "Helsinki's latitude in {row}");
    // --osm without --request is a usage error.
    rota(dir.path())
        .arg("export")
        .arg(&on_roads)
        .args(["--format", "csv", "--osm", OSM])
        .assert()
        .code(2);
}
