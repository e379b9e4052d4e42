//! `rota serve --osm FILE` (docs/roads.md, serve/roads.rs): the extract is
//! loaded once; a job without a travel_matrix is planned on its roads
//! inside the job's time limit; gzip request bodies let a rota system post
//! its own large matrix, with a cap on what a body may inflate to.

mod serve_support;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use serve_support::*;

const OSM: &str = "data/helsinki-centre.osm.pbf";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn helsinki_day(time_limit: f64) -> Value {
    let text = std::fs::read_to_string(root().join("data/helsinki-day.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["settings"]["time_limit_seconds"] = time_limit.into();
    v["settings"]["stop_when_stalled"] = true.into();
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

async fn post_raw(
    c: &reqwest::Client,
    url: &str,
    encoding: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    c.post(url)
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body(body)
        .send()
        .await
        .expect("POST answered")
}

/// POST to /v1/plans on a raw socket (serve_support::raw_post), off the
/// runtime's thread.
async fn post_ignoring_write_errors(addr: &str, encoding: &str, body: Vec<u8>) -> (u16, Value) {
    let (addr, encoding) = (addr.to_string(), encoding.to_string());
    tokio::task::spawn_blocking(move || {
        raw_post(
            &addr,
            "/v1/plans",
            &[("Content-Encoding", &encoding)],
            body,
            false,
        )
    })
    .await
    .unwrap()
}

/// The request with its road matrix, as `rota roads` computes it.
fn with_road_matrix(day: &Value) -> rota::model::Request {
    let mut req = rota::load_request(&day.to_string()).unwrap().into_inner();
    let opts = rota::roads::RoadOptions {
        cache_dir: None,
        ..Default::default()
    };
    rota::roads::fill_travel_matrix(&mut req, &root().join(OSM), &opts).unwrap();
    req
}

#[tokio::test]
async fn a_job_without_a_matrix_is_planned_on_the_loaded_roads() {
    let dir = data_dir();
    let osm = root().join(OSM);
    let server = Server::start(
        dir.path(),
        &["--workers", "1", "--osm", osm.to_str().unwrap()],
    );
    assert!(
        server.log_shows("road graphs loaded", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let c = client();
    let day = helsinki_day(5.0);
    let res = post_json(&c, &server.url("/v1/plans?wait=120"), &day.to_string()).await;
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    // The plan is checked on the road matrix (the same as `rota roads`).
    let roads = with_road_matrix(&day);
    let plan = assert_plan_checks(&serde_json::to_string(&roads).unwrap(), &job["plan"]);
    assert!(plan.summary.clients_served > 0);
    // ... and it is a plan on roads, not on the formula: on the formula
    // its journeys are timed otherwise, so the checker disagrees.
    let formula = rota::load_request(&day.to_string()).unwrap();
    assert!(!rota::check::check(&formula, &plan).is_valid());
    assert!(
        server.log_shows("road matrix filled", Duration::from_secs(10)),
        "{}",
        server.log()
    );
}

#[tokio::test]
async fn the_road_matrix_counts_in_the_time_limit() {
    let dir = data_dir();
    let osm = root().join(OSM);
    let server = Server::start(
        dir.path(),
        &["--workers", "1", "--osm", osm.to_str().unwrap()],
    );
    let c = client();
    let day = helsinki_day(0.001);
    let res = post_json(&c, &server.url("/v1/plans?wait=60"), &day.to_string()).await;
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    assert_eq!(job["status"], "failed", "{job}");
    let error = job["error"].as_str().unwrap();
    assert!(
        error.contains("E2002") && error.contains("computing road travel times"),
        "{error}"
    );
}

#[tokio::test]
async fn gzip_bodies_are_inflated_within_a_cap() {
    let dir = data_dir();
    // One worker with 320 MiB: the inflated cap is 20 MiB (a sixteenth),
    // the raw body limit 1 MiB.
    let server = Server::start(
        dir.path(),
        &[
            "--workers",
            "1",
            "--max-memory-mb",
            "320",
            "--max-body-mb",
            "1",
        ],
    );
    let c = client();
    // A request with its own road matrix, gzipped.
    let req = with_road_matrix(&helsinki_day(1.0));
    let text = serde_json::to_string(&req).unwrap();
    let res = post_raw(
        &c,
        &server.url("/v1/plans?wait=60"),
        "gzip",
        gzip(text.as_bytes()),
    )
    .await;
    assert!(
        matches!(res.status().as_u16(), 200 | 202),
        "{}",
        res.text().await.unwrap()
    );
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_plan_checks(&text, &job["plan"]);
    // Over 1 MiB unzipped: refused as is, accepted gzipped.
    let padded = format!("{}{}", " ".repeat(2 * 1024 * 1024), text);
    // (On a raw socket: the server may answer 413 and close before the
    // whole body is written, which a client library reports as an error.)
    let addr = server.base.trim_start_matches("http://").to_string();
    let (status, _) =
        post_ignoring_write_errors(&addr, "identity", padded.clone().into_bytes()).await;
    assert_eq!(status, 413);
    let res = post_raw(
        &c,
        &server.url("/v1/plans"),
        "gzip",
        gzip(padded.as_bytes()),
    )
    .await;
    assert_eq!(res.status().as_u16(), 202, "{}", res.text().await.unwrap());
    // A zip bomb: 64 MiB of spaces, 64 KiB gzipped: 413, not inflated.
    let bomb = gzip(&vec![b' '; 64 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    let (status, body) = post_ignoring_write_errors(&addr, "gzip", bomb).await;
    assert_eq!(status, 413);
    assert!(
        body["message"].as_str().unwrap().contains("inflates"),
        "{body}"
    );
    // A broken stream is a 400; another encoding a 415.
    let res = post_raw(&c, &server.url("/v1/plans"), "gzip", b"not gzip".to_vec()).await;
    assert_eq!(res.status().as_u16(), 400);
    let res = post_raw(
        &c,
        &server.url("/v1/plans"),
        "br",
        text.clone().into_bytes(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 415);
}
