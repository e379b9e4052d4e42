//! `rota bench hhcrsp` end to end: Mankowska instance files in, the table,
//! the CSV and one routes file per instance out, every plan accepted by the
//! independent verifier (re-run here on the written routes), a proven
//! optimum reached on a small shared instance, and a broken file refused
//! with its code instead of a panic.

use assert_cmd::Command;
use rota::bench::hhcrsp::verify::{Visit, verify};

/// Three patients, two caregivers: patient 1 needs service 0, patient 2
/// services 0 and 1 one after the other (5 to 20 apart), patient 3 services
/// 0 and 1 together; only caregiver 1 may do service 1. Patient 1's soft
/// latest start (12) cannot be kept by both of caregiver 0's calls.
const TINY: &str = "nbNodes\n5\nnbVehi\n2\nnbServi\n2\n\
    r\n1 1\n1 0\n1 1\n1 1\n1 1\nDS\n3 4\na\n1 0\n1 1\n\
    x\n0 3 0 4 0\ny\n0 4 6 0 0\n\
    d\n0 5 6 4 0\n5 0 7.2111 4.1231 5\n6 7.2111 0 7.2111 6\n4 4.1231 7.2111 0 4\n0 5 6 4 0\n\
    p\n0 0\n0 0\n10 0\n10 0\n15 20\n15 20\n8 12\n8 12\n0 0\n0 0\n\
    mind\n0 0 5 0 0\nmaxd\n0 0 20 0 0\ne\n0 10 0 30 0\nl\n600 12 40 35 600\n";

fn rota() -> Command {
    Command::cargo_bin("rota").unwrap()
}

fn shared(file: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/benchmarks/hhcrsp/mankowska2014/instances")
        .join(file);
    p.exists().then_some(p)
}

#[test]
fn a_tiny_instance_is_solved_written_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.txt");
    std::fs::write(&file, TINY).unwrap();
    let routes_dir = dir.path().join("routes");
    let csv = dir.path().join("out.csv");
    let out = rota()
        .args(["bench", "hhcrsp"])
        .arg(&file)
        .args(["--iterations", "300", "--seed", "4", "--csv"])
        .arg(&csv)
        .arg("--routes-dir")
        .arg(&routes_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("| tiny.txt |") && stdout.contains("| yes |"),
        "{stdout}"
    );

    let json = std::fs::read_to_string(routes_dir.join("tiny.json")).unwrap();
    let routes: Vec<Vec<Visit>> = serde_json::from_str(&json).unwrap();
    assert_eq!(routes.len(), 2, "one list per caregiver: {json}");
    let costs = verify(TINY, &routes).unwrap_or_else(|e| panic!("{e:?}: {json}"));
    // Every required service once: 1 + 2 + 2.
    assert_eq!(routes.iter().map(Vec::len).sum::<usize>(), 5);
    // Patient 3's services start together, in different routes.
    let at = |node: usize, service: usize| {
        routes
            .iter()
            .flatten()
            .find(|v| v.node == node && v.service == service)
            .unwrap()
            .start
    };
    assert!((at(3, 0) - at(3, 1)).abs() < 1e-9);

    // The CSV's figures are the verifier's.
    let text = std::fs::read_to_string(&csv).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let cost: f64 = row[4].parse().unwrap();
    assert!((cost - costs.cost()).abs() < 1e-3, "{text}");
    let distance: f64 = row[5].parse().unwrap();
    assert!((distance - costs.distance).abs() < 1e-3, "{text}");
}

/// A1 is a proven optimum (218.199): an iteration budget reaches it, and
/// the table compares with bks.csv.
#[test]
fn a_small_shared_instance_reaches_its_proven_optimum() {
    let Some(file) = shared("InstanzCPLEX_HCSRP_10_1.txt") else {
        eprintln!("skipped: ../shared is not there");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = rota()
        .args(["bench", "hhcrsp"])
        .arg(&file)
        .args(["--iterations", "3000", "--routes-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("| A1 | 10 | 218.20 |"), "{stdout}");
    assert!(stdout.contains("218.20* | 0.00 |"), "{stdout}");
    let json = std::fs::read_to_string(dir.path().join("InstanzCPLEX_HCSRP_10_1.json")).unwrap();
    let routes: Vec<Vec<Visit>> = serde_json::from_str(&json).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let costs = verify(&text, &routes).unwrap();
    assert!((costs.cost() - 218.199).abs() < 0.01, "{costs:?}");
}

#[test]
fn a_broken_instance_is_refused_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.txt");
    std::fs::write(&file, TINY.replace("DS\n3 4\n", "DS\n3\n")).unwrap();
    let out = rota()
        .args(["bench", "hhcrsp"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("E1008") && stderr.contains("broken.txt"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Issue 29: every Mankowska plan kept in `docs/hhcrsp-routes-471ec2b/`
/// (the seed-1 runs at or below the best published value, docs/benchmarks.md
/// "Mankowska A-G at 471ec2b") passes the independent verifier on its instance,
/// and its cost is at or below `bks.csv`'s value as the docs say.
#[test]
fn the_kept_plans_at_or_below_the_best_known_pass_the_verifier() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(bks) =
        std::fs::read_to_string(root.join("../shared/benchmarks/hhcrsp/mankowska2014/bks.csv"))
    else {
        eprintln!("skipped: ../shared is not there");
        return;
    };
    let mut lines = bks.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (file_col, bks_col, set_col) = (col("file"), col("bks"), col("set"));
    let best: std::collections::HashMap<String, (f64, String)> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .map(|r| {
            let stem = r[file_col].replace(".txt", "");
            (stem, (r[bks_col].parse().unwrap(), r[set_col].to_string()))
        })
        .collect();
    let dir = root.join("docs/hhcrsp-routes-471ec2b");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let routes: Vec<Vec<Visit>> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let text = std::fs::read_to_string(shared(&format!("{stem}.txt")).unwrap()).unwrap();
        let costs = verify(&text, &routes).unwrap_or_else(|e| panic!("{stem}: {e:?}"));
        // `bks.csv` has three decimals (the published precision), and so
        // do the costs the docs list: at or below it to the third decimal.
        let (bks, set) = &best[&stem];
        assert!(
            costs.cost() <= bks + 5e-4,
            "{stem}: {} above {bks}",
            costs.cost()
        );
        if "CDEFG".contains(set.as_str()) {
            checked += 1;
        }
    }
    // Issue 29's target: at or below on at least 25 of the 50 of C-G.
    assert!(checked >= 25, "{checked}");
}
