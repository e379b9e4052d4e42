//! Render the sample-day report in headless Chromium (when installed): the
//! DOM as the browser sees it has every route, timeline row and run sheet,
//! the console and CSP log are clean, and a screenshot is produced.
//! Without `/usr/bin/chromium` the test prints SKIP and passes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rota::model::Stop;

const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(60);

/// Run chromium with `extra` arguments on `url`; returns (stdout, stderr).
/// Killed after [`TIMEOUT`], so the test can never hang.
fn chromium(work: &Path, name: &str, extra: &[String], url: &str) -> (String, String) {
    let profile = work.join(format!("profile-{name}"));
    std::fs::create_dir_all(&profile).unwrap();
    let out_path = work.join(format!("{name}.stdout"));
    let err_path = work.join(format!("{name}.stderr"));
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::from(File::create(&out_path).unwrap()))
    .stderr(Stdio::from(File::create(&err_path).unwrap()));
    let mut child = cmd.spawn().expect("starting chromium");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            assert!(
                status.success(),
                "chromium {name} failed: {status}\n{stderr}"
            );
            return (stdout, stderr);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            panic!("chromium {name} did not finish within {TIMEOUT:?}\n{stderr}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_clean_log(name: &str, stderr: &str) {
    for line in stderr.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Refused to"),
            "chromium {name} logged a console message or CSP violation: {line}"
        );
    }
}

#[test]
fn sample_report_renders_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        eprintln!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let req = rota::load_request(include_str!("../data/sample-day.json")).unwrap();
    let plan = rota::plan_request(&req).unwrap();
    let html = rota::output::report::html(&req, &plan);

    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    let page = target.join("sample-report.html");
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());
    let work = tempfile::tempdir().unwrap();

    // The DOM as rendered.
    let (dom, stderr) = chromium(work.path(), "dom", &["--dump-dom".to_string()], &url);
    assert_clean_log("dump-dom", &stderr);
    assert!(dom.contains("Content-Security-Policy"), "no DOM dumped");
    let carers: std::collections::BTreeSet<&str> =
        plan.rounds.iter().map(|r| r.carer.as_str()).collect();
    for r in &plan.rounds {
        let carer = format!("data-carer=\"{}\"", r.carer);
        assert!(
            dom.contains(&format!("class=\"timeline-row\" {carer}")),
            "timeline row of {}",
            r.carer
        );
        if r.stops.iter().any(|s| matches!(s, Stop::Visit(_))) {
            assert!(
                dom.contains(&format!("class=\"route\" {carer}")),
                "route of {}",
                r.carer
            );
        }
    }
    assert_eq!(
        dom.matches("class=\"timeline-row\"").count(),
        plan.rounds.len()
    );
    assert_eq!(
        dom.matches("class=\"route\"").count(),
        plan.rounds
            .iter()
            .filter(|r| r.stops.iter().any(|s| matches!(s, Stop::Visit(_))))
            .count()
    );
    assert_eq!(
        dom.matches("<section class=\"runsheet\"").count(),
        carers.len()
    );
    for u in &plan.unserved {
        assert!(dom.contains(&format!("data-client=\"{}\"", u.client)));
    }

    // A screenshot.
    let png = target.join("sample-report.png");
    let _ = std::fs::remove_file(&png);
    let (_, stderr) = chromium(
        work.path(),
        "screenshot",
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
        &url,
    );
    assert_clean_log("screenshot", &stderr);
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        bytes.len() > 50_000,
        "screenshot only {} bytes",
        bytes.len()
    );
}

/// The log check above can fail: a page with the report's policy that tries
/// to load an outside image is blocked, and Chromium logs it. (No request
/// leaves the machine: the policy blocks it before any is made.)
#[test]
fn chromium_logs_a_blocked_request() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("control.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"></head>\
         <body><img src=\"https://example.invalid/x.png\"><p>x</p></body></html>",
    )
    .unwrap();
    let url = format!("file://{}", page.display());
    let (_, stderr) = chromium(work.path(), "control", &["--dump-dom".to_string()], &url);
    let caught = std::panic::catch_unwind(|| assert_clean_log("control", &stderr));
    assert!(caught.is_err(), "a blocked image was not logged:\n{stderr}");
}

/// A re-plan's report (the sample day, C03 and C07 off at 10:15) renders
/// its "Changes since the published plan" section: one row per change.
#[test]
fn replan_report_renders_the_changes_section() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let mut req = rota::load_request(include_str!("../data/sample-day.json")).unwrap();
    req.settings.stop_when_stalled = Some(true);
    let old = rota::plan_request(&req).unwrap();
    req.settings.time_limit_seconds = 2.0;
    let d = rota::replan::Disruption {
        now: 10 * 60 + 15,
        unavailable: vec!["C03".into(), "C07".into()],
        unavailable_from: None,
    };
    let ctl = rota::control::SolveControl::new();
    let plan = rota::replan::replan(&req, &old, &d, &Default::default(), &ctl).unwrap();
    assert!(rota::check::check(&req, &plan).is_valid());
    let changes = plan.summary.replan.as_ref().unwrap().changes.clone();
    assert!(!changes.is_empty(), "C07's later calls move");
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("replan-report.html");
    std::fs::write(&page, rota::output::report::html(&req, &plan)).unwrap();
    let url = format!("file://{}", page.display());
    let (dom, stderr) = chromium(work.path(), "replan", &["--dump-dom".to_string()], &url);
    assert_clean_log("replan", &stderr);
    assert!(
        dom.contains(&format!(
            "<h2>Changes since the published plan ({})</h2>",
            changes.len()
        )),
        "no changes section"
    );
    assert_eq!(dom.matches("class=\"change\"").count(), changes.len());
    for c in &changes {
        assert!(dom.contains(&format!("data-visit=\"{}\"", c.visit)));
    }
}
