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
    let req = rota::load_request(include_str!("../data/sample-day.json"))
        .unwrap()
        .into_inner();
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

/// Measures, in the browser, what the report draws (issue 14, point 5): the
/// real text boxes of the map's labels (overlaps, labels off the drawing),
/// each timeline label against its block, the scale bars, the legend and
/// the "Outside the map" list. The probe page is the report with this script
/// added (and the policy relaxed for it alone); it replaces the page by a
/// `<pre id="probe">` of JSON for `--dump-dom`.
const PROBE_JS: &str = r#"<script>
(function () {
  var r = { maps: [], care: { fit: 0, bad: [], unlabelled: [], total: 0 } };
  function overlap(a, b) {
    return a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
  }
  document.querySelectorAll('section.map svg.main-map, section.map svg.inset').forEach(function (svg) {
    var vb = svg.viewBox.baseVal, boxes = [];
    svg.querySelectorAll('text.town, text.inset-town, text.client-label').forEach(function (t) {
      var b = t.getBBox();
      boxes.push({ t: t.firstChild.nodeValue, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height });
    });
    var overlaps = [], outside = [];
    for (var i = 0; i < boxes.length; i++) {
      var a = boxes[i];
      if (a.x0 < -0.5 || a.y0 < -0.5 || a.x1 > vb.width + 0.5 || a.y1 > vb.height + 0.5) outside.push(a.t);
      for (var j = i + 1; j < boxes.length; j++) if (overlap(a, boxes[j])) overlaps.push(a.t + ' / ' + boxes[j].t);
    }
    var routes = svg.querySelector('g.routes'), towns = svg.querySelector('g.town-labels');
    r.maps.push({
      cls: svg.getAttribute('class'), labels: boxes.length, overlaps: overlaps, outside: outside,
      km: parseFloat(svg.querySelector('g.scale').getAttribute('data-km')),
      towns_above_routes: !!(routes.compareDocumentPosition(towns) & Node.DOCUMENT_POSITION_FOLLOWING),
      towns: Array.from(svg.querySelectorAll('text.town')).map(function (t) { return t.firstChild.nodeValue; })
    });
  });
  document.querySelectorAll('section.timeline g.care').forEach(function (g) {
    var w = g.querySelector('rect').width.baseVal.value, t = g.querySelector('text.block-label');
    r.care.total++;
    if (t) {
      var b = t.getBBox();
      if (b.width > w + 0.5) r.care.bad.push(t.textContent + ' ' + b.width.toFixed(1) + ' > ' + w.toFixed(1));
      else r.care.fit++;
    } else if (w >= 18.3) r.care.unlabelled.push(g.getAttribute('data-client') + ' ' + w.toFixed(1));
  });
  r.legend_entries = document.querySelectorAll('section.map .legend.rounds .entry').length;
  r.outside_map = Array.from(document.querySelectorAll('.outside-map li')).map(function (li) { return li.textContent; });
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(r);
  document.body.innerHTML = '';
  document.body.appendChild(pre);
})();
</script>"#;

/// Render `html` with [`PROBE_JS`] in Chromium and return what it measured.
fn probe(work: &Path, name: &str, html: &str) -> serde_json::Value {
    let policy = "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"";
    assert!(html.contains(policy), "the report's policy changed");
    let page = html
        .replace(
            policy,
            "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'\"",
        )
        .replace("</body>", &format!("{PROBE_JS}\n</body>"));
    let path = work.join(format!("{name}.html"));
    std::fs::write(&path, page).unwrap();
    let url = format!("file://{}", path.display());
    let (dom, stderr) = chromium(work, name, &["--dump-dom".to_string()], &url);
    assert_clean_log(name, &stderr);
    let start = dom.find("<pre id=\"probe\">").expect("probe ran") + "<pre id=\"probe\">".len();
    let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let json = json
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// A plan of `req`, quick (it has passed the checker: `plan_request` checks).
fn quick_plan(mut req: rota::model::Request) -> (rota::model::Request, rota::model::Plan) {
    req.settings.stop_when_stalled = Some(true);
    req.settings.time_limit_seconds = 20.0;
    let plan = rota::plan_request(&req).unwrap();
    (req, plan)
}

/// Labels on every map drawing: none overlapping, none off the drawing.
fn assert_legible_maps(name: &str, p: &serde_json::Value) -> Vec<serde_json::Value> {
    let maps = p["maps"].as_array().unwrap().clone();
    for m in &maps {
        assert_eq!(m["overlaps"].as_array().unwrap().len(), 0, "{name}: {m}");
        assert_eq!(m["outside"].as_array().unwrap().len(), 0, "{name}: {m}");
        assert!(m["towns_above_routes"].as_bool().unwrap(), "{name}");
    }
    assert!(
        p["care"]["bad"].as_array().unwrap().is_empty(),
        "{name}: {}",
        p["care"]
    );
    assert!(
        p["care"]["unlabelled"].as_array().unwrap().is_empty(),
        "{name}: {}",
        p["care"]
    );
    maps
}

#[test]
fn dense_reports_are_legible_in_chromium() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let sample = rota::load_request(include_str!("../data/sample-day.json"))
        .unwrap()
        .into_inner();

    // The sample day: central Hereford gets an inset; the town is labelled.
    let (req, plan) = quick_plan(sample.clone());
    let p = probe(
        work.path(),
        "sample",
        &rota::output::report::html(&req, &plan),
    );
    let maps = assert_legible_maps("sample", &p);
    assert_eq!(maps.len(), 2, "main map and inset: {p}");
    assert!(maps[0]["towns"].to_string().contains("Hereford"));
    assert!(maps[0]["labels"].as_u64().unwrap() >= 20 && maps[1]["labels"].as_u64().unwrap() >= 10);
    let km = maps[0]["km"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&km), "{km}");

    // One client 500 km away: named under the map, the scale stays local.
    let mut far = sample.clone();
    far.clients
        .iter_mut()
        .find(|c| c.id == "P001")
        .unwrap()
        .location
        .lat = 56.55;
    let (req, plan) = quick_plan(far);
    let p = probe(
        work.path(),
        "outlier",
        &rota::output::report::html(&req, &plan),
    );
    let maps = assert_legible_maps("outlier", &p);
    let km = maps[0]["km"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&km), "scale bar {km} km");
    let outside = p["outside_map"].as_array().unwrap();
    assert_eq!(outside.len(), 1, "{p}");
    assert!(
        outside[0].as_str().unwrap().starts_with("client P001: 49"),
        "{p}"
    );

    // 2,000 clients: a bounded legend; five-character ids in the timeline.
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let big = rota::generate::generate(&rota::generate::GenerateOptions::new(2000, 1, date));
    let (req, plan) = quick_plan(big);
    let p = probe(work.path(), "big", &rota::output::report::html(&req, &plan));
    assert_legible_maps("big", &p);
    let entries = p["legend_entries"].as_u64().unwrap();
    assert!((1..=16).contains(&entries), "{entries} legend entries");
    assert!(p["care"]["fit"].as_u64().unwrap() > 1000, "{}", p["care"]);
}

/// A re-plan's report (the sample day, C03 and C07 off at 10:15) renders
/// its "Changes since the published plan" section: one row per change.
#[test]
fn replan_report_renders_the_changes_section() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let mut req = rota::load_request(include_str!("../data/sample-day.json"))
        .unwrap()
        .into_inner();
    req.settings.stop_when_stalled = Some(true);
    let old = rota::plan_request(&req).unwrap();
    req.settings.time_limit_seconds = 2.0;
    let d = rota::replan::Disruption::new(10 * 60 + 15, vec!["C03".into(), "C07".into()], None);
    let ctl = rota::control::SolveControl::new();
    let prepared = rota::prepare::Prepared::new(req.clone()).unwrap();
    let plan = rota::replan::replan(&prepared, &old, &d, &Default::default(), &ctl).unwrap();
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

/// Issue 14, points 1, 2 and 4 as the browser renders them: each visit on a
/// run sheet has its "leave by -> arrive" cell and the client's address
/// (postcode included); a valid plan has no banner, and another request's
/// plan (which breaks its rules) gets one.
#[test]
fn run_sheets_and_the_invalid_plan_banner_render() {
    if !Path::new(CHROMIUM).exists() {
        println!("SKIP: chromium not installed (apt-get install chromium)");
        return;
    }
    let (req, plan) = quick_plan(
        rota::load_request(include_str!("../data/sample-day.json"))
            .unwrap()
            .into_inner(),
    );
    let work = tempfile::tempdir().unwrap();
    let render = |name: &str, html: String| {
        let page = work.path().join(format!("{name}.html"));
        std::fs::write(&page, html).unwrap();
        let url = format!("file://{}", page.display());
        let (dom, stderr) = chromium(work.path(), name, &["--dump-dom".to_string()], &url);
        assert_clean_log(name, &stderr);
        dom
    };

    let dom = render("valid", rota::output::report::html(&req, &plan));
    assert!(
        !dom.contains("class=\"invalid-banner\""),
        "a valid plan has no banner"
    );
    let visits: Vec<&rota::model::VisitStop> = plan
        .rounds
        .iter()
        .flat_map(|r| &r.stops)
        .filter_map(|s| match s {
            Stop::Visit(v) => Some(v),
            _ => None,
        })
        .collect();
    assert!(!visits.is_empty());
    assert_eq!(dom.matches("<td class=\"leave\">").count(), visits.len());
    assert_eq!(dom.matches("<td class=\"address\">").count(), visits.len());
    for v in &visits {
        let client = req.clients.iter().find(|c| c.id == v.client).unwrap();
        let postcode = client
            .contact
            .as_ref()
            .and_then(|c| c.postcode.as_deref())
            .expect("the sample day's clients have postcodes");
        assert!(dom.contains(postcode), "{} not on a run sheet", postcode);
    }

    let small = rota::load_request(include_str!("../data/small-day.json"))
        .unwrap()
        .into_inner();
    let (_, other) = quick_plan(small);
    let dom = render("invalid", rota::output::report::html(&req, &other));
    assert!(dom.contains("class=\"invalid-banner\""), "no banner");
    assert!(dom.contains("This plan is not valid for this request"));
}
