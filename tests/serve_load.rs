//! A bounded load test of `rota serve` on localhost: REQUESTS small days
//! (data/small-day.json, time limit 1 s) from CLIENTS concurrent clients,
//! each posting a job and polling it until it ends. Every job must end
//! `done` with a plan the independent checker accepts, and none may be
//! lost. It prints the latency of status reads taken while solves run.
//!
//! `make test` runs a small version (40 requests, 8 clients). The figures
//! in docs/service.md come from:
//!
//! ```sh
//! ROTA_LOAD_REQUESTS=200 ROTA_LOAD_CLIENTS=20 cargo test --test serve_load -- --nocapture
//! ```
//!
//! `ROTA_LOAD_DAY=FILE` posts another day instead of the small one.
//! Nothing here asserts on latency: the machine is shared and noisy.

mod serve_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serve_support::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What one client saw.
#[derive(Default)]
struct Seen {
    ids: Vec<String>,
    post_ms: Vec<f64>,
    /// Status reads of jobs that were not finished yet (solves running).
    status_ms: Vec<f64>,
    plans: Vec<Value>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_jobs_all_end_done_with_checked_plans() {
    let requests = env_usize("ROTA_LOAD_REQUESTS", 40);
    let clients = env_usize("ROTA_LOAD_CLIENTS", 8).min(requests);
    let dir = data_dir();
    // The queue holds every client's job, so none is turned away.
    let queue = clients.to_string();
    let server = Server::start(dir.path(), &["--queue", &queue]);
    let base = Arc::new(server.base.clone());
    // ROTA_LOAD_DAY=data/sample-day.json makes every solve heavier.
    let day = match std::env::var("ROTA_LOAD_DAY") {
        Ok(path) => std::fs::read_to_string(&path).expect("ROTA_LOAD_DAY is readable"),
        Err(_) => SMALL_DAY.to_string(),
    };
    let request = Arc::new(with_time_limit(&day, 1.0));
    let started = Instant::now();

    let mut tasks = Vec::new();
    for k in 0..clients {
        // Client k sends requests k, k + clients, ...: REQUESTS in all.
        let mine = (k..requests).step_by(clients).count();
        let base = Arc::clone(&base);
        let request = Arc::clone(&request);
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut seen = Seen::default();
            for _ in 0..mine {
                let t = Instant::now();
                let res = post_json(&c, &format!("{base}/v1/plans"), &request).await;
                seen.post_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(res.status().as_u16(), 202, "POST refused");
                let job: Value = res.json().await.unwrap();
                let url = format!("{base}{}", job["url"].as_str().unwrap());
                seen.ids.push(job["id"].as_str().unwrap().to_string());
                let deadline = Instant::now() + JOB_TIMEOUT;
                let job = loop {
                    let t = Instant::now();
                    let (status, job) = get_json(&c, &url).await;
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    assert_eq!(status, 200, "{job}");
                    if is_finished(&job) {
                        break job;
                    }
                    seen.status_ms.push(ms);
                    assert!(Instant::now() < deadline, "job never finished: {job}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                };
                assert_eq!(job["status"], "done", "{job}");
                seen.plans.push(job["plan"].clone());
            }
            seen
        }));
    }
    let mut all = Seen::default();
    for t in tasks {
        let s = t.await.expect("a client panicked");
        all.ids.extend(s.ids);
        all.post_ms.extend(s.post_ms);
        all.status_ms.extend(s.status_ms);
        all.plans.extend(s.plans);
    }
    let wall = started.elapsed().as_secs_f64();

    // None lost: every id distinct, every job still there and done.
    assert_eq!(all.ids.len(), requests);
    let distinct: HashSet<&String> = all.ids.iter().collect();
    assert_eq!(distinct.len(), requests, "a job id was handed out twice");
    let c = client();
    for id in &all.ids {
        let (status, job) = get_json(&c, &format!("{}/v1/plans/{id}", server.base)).await;
        assert_eq!(status, 200);
        assert_eq!(job["status"], "done");
    }
    // Every plan passes the independent checker.
    for plan in &all.plans {
        assert_plan_checks(&request, plan);
    }

    all.status_ms.sort_by(f64::total_cmp);
    all.post_ms.sort_by(f64::total_cmp);
    println!(
        "serve load: {requests} jobs from {clients} clients in {wall:.1} s ({:.1} jobs/s), all done and checked",
        requests as f64 / wall
    );
    println!(
        "status reads while solving: n={} p50={:.1} ms p95={:.1} ms max={:.1} ms",
        all.status_ms.len(),
        percentile(&all.status_ms, 50.0),
        percentile(&all.status_ms, 95.0),
        all.status_ms.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "POST (validate + queue): p50={:.1} ms p95={:.1} ms",
        percentile(&all.post_ms, 50.0),
        percentile(&all.post_ms, 95.0)
    );
}

/// Nothing is lost when the service dies under load. JOBS sample days
/// (`data/sample-day.json`, time limit 1 s) are queued at once; mid-way the
/// service is killed (SIGKILL) and restarted, later stopped (SIGTERM) and
/// restarted. Every job must still be there and end: `done` with a checked
/// plan, except a job that was running at the SIGKILL, which ends `failed`
/// saying so. The SIGTERM fails no job (its running job is re-queued).
///
/// ```sh
/// ROTA_LOAD_JOBS=60 cargo test --test serve_load -- --nocapture nothing_is_lost
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_after_a_sigkill_and_a_sigterm_under_load() {
    let jobs = env_usize("ROTA_LOAD_JOBS", 12);
    let dir = data_dir();
    let day = include_str!("../data/sample-day.json");
    let request = with_time_limit(day, 1.0);
    let queue = jobs.to_string();
    let args = ["--queue", queue.as_str(), "--workers", "1"];
    let c = client();
    let started = Instant::now();

    let server = Server::start(dir.path(), &args);
    let mut ids = Vec::new();
    for _ in 0..jobs {
        let res = post_json(&c, &server.url("/v1/plans"), &request).await;
        assert_eq!(res.status().as_u16(), 202);
        let job: Value = res.json().await.unwrap();
        ids.push(job["id"].as_str().unwrap().to_string());
    }
    let count = |server: &Server, status: &'static str| {
        let (c, url) = (
            c.clone(),
            server.url(&format!("/v1/plans?status={status}&limit=1000")),
        );
        async move {
            let (_, list) = get_json(&c, &url).await;
            list["jobs"].as_array().map_or(0, Vec::len)
        }
    };
    // SIGKILL once a third is done, while one runs.
    while count(&server, "done").await < jobs / 3 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();
    let server = Server::start(dir.path(), &args);
    // SIGTERM once two thirds are finished.
    loop {
        let finished = count(&server, "done").await + count(&server, "failed").await;
        if finished >= 2 * jobs / 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failed_before_term = count(&server, "failed").await;
    assert_eq!(server.terminate(), Some(0));
    let server = Server::start(dir.path(), &args);
    assert_eq!(
        count(&server, "failed").await,
        failed_before_term,
        "a SIGTERM fails no job"
    );

    let (mut done, mut failed) = (0, 0);
    for id in &ids {
        let url = server.url(&format!("/v1/plans/{id}"));
        let job = poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
        match job["status"].as_str() {
            Some("done") => {
                assert_plan_checks(&request, &job["plan"]);
                done += 1;
            }
            Some("failed") => {
                let error = job["error"].as_str().unwrap_or("");
                assert!(
                    error.contains("stopped while this job was running"),
                    "{job}"
                );
                failed += 1;
            }
            other => panic!("job {id} ended {other:?}: {job}"),
        }
    }
    assert!(failed <= 1, "only the job running at the SIGKILL may fail");
    println!(
        "kill and stop under load: {jobs} jobs, {done} done and checked, {failed} failed by the SIGKILL (running then), none lost, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
