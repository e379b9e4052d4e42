//! `rota serve`'s job store when the disk fills up and when a stored row is
//! changed behind its back (issue 27, items 3 and 5), and its log entries
//! staying one line each. Each test fails on the service before the fix.
//!
//! A full disk is made on cue with the store's test knob
//! (`ROTA_TEST_STORE_FREE_BYTES_FILE`: while its file exists, a write of
//! more bytes than it holds fails as SQLite fails on a full disk), so no
//! test needs to mount a filesystem.

mod serve_support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use serve_support::*;

const KNOB: &str = "ROTA_TEST_STORE_FREE_BYTES_FILE";

/// The small day, solved for `seconds` whatever happens (no early stop).
fn small_day_for(seconds: f64) -> String {
    let mut v: Value = serde_json::from_str(SMALL_DAY).unwrap();
    v["settings"]["time_limit_seconds"] = seconds.into();
    v["settings"]["stop_when_stalled"] = false.into();
    v.to_string()
}

/// The disk now has `bytes` free (`None`: plenty).
fn free_bytes(file: &Path, bytes: Option<usize>) {
    match bytes {
        Some(b) => std::fs::write(file, b.to_string()).unwrap(),
        None => std::fs::remove_file(file).unwrap(),
    }
}

/// The disk's reserve for finished plans is already spent (given up
/// earlier, or deleted by hand): a full disk then keeps the plan out.
fn no_reserve(dir: &Path) {
    // (A version without a reserve has no such file.)
    let _ = std::fs::remove_file(dir.join("jobs.reserve"));
}

/// POST a day and wait until its solve has started; the job's URL.
async fn running_job(c: &reqwest::Client, server: &Server, day: &str) -> String {
    let res = post_json(c, &server.url("/v1/plans"), day).await;
    assert_eq!(res.status().as_u16(), 202);
    let job: Value = res.json().await.unwrap();
    let url = server.url(job["url"].as_str().unwrap());
    poll_until(c, &url, JOB_TIMEOUT, |j| j["status"] != "queued").await;
    url
}

async fn stop(server: Server) -> Option<i32> {
    tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap()
}

async fn crash(server: Server) {
    tokio::task::spawn_blocking(move || server.kill())
        .await
        .unwrap()
}

// ------------------------------------------------------------ 3 full disk

#[tokio::test]
async fn a_full_disk_keeps_the_plan_refuses_new_work_with_503_and_stores_it_once_freed() {
    let dir = data_dir();
    let knob = tempfile::tempdir().unwrap();
    let free = knob.path().join("free");
    let c = client();
    let server = Server::start_env(dir.path(), &["--workers", "1"], &[(KNOB, &free)]);
    let url = running_job(&c, &server, &small_day_for(3.0)).await;
    no_reserve(dir.path());
    free_bytes(&free, Some(0));
    // The solve ends on a full disk: the job is not left running; its
    // outcome, kept in memory, is the job's.
    let job = poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
    assert_eq!(job["status"], "done", "{job}");
    let plan = job["plan"].clone();
    assert!(plan["rounds"].is_array(), "{job}");
    assert!(
        server.log_shows("kept in memory", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    // New work is refused with 503, its code and Retry-After, not 500.
    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 503);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "storage_full", "{body}");
    // DELETE says what is true: the job is done, nothing to stop.
    let res = c.delete(&url).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let deleted: Value = res.json().await.unwrap();
    assert_eq!(deleted["status"], "done");
    assert_eq!(deleted["plan"], plan);
    // The list and the report agree.
    let (_, list) = get_json(&c, &server.url("/v1/plans")).await;
    assert_eq!(list["jobs"][0]["status"], "done", "{list}");
    let res = c.get(format!("{url}/report")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // The disk frees: the outcome is written (retried with backoff) and
    // new work is taken again.
    free_bytes(&free, None);
    assert!(
        server.log_shows(
            "the outcome kept in memory is stored",
            Duration::from_secs(60)
        ),
        "{}",
        server.log()
    );
    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 202);
    // Stored for real: after a crash the plan is still there.
    crash(server).await;
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let path = &url[url.find("/v1/").unwrap()..];
    let (status, after) = get_json(&c, &server.url(path)).await;
    assert_eq!(status, 200);
    assert_eq!(after["status"], "done", "{after}");
    assert_eq!(after["plan"], plan);
}

#[tokio::test]
async fn after_a_restart_a_plan_lost_to_a_full_disk_is_failed_saying_so() {
    let dir = data_dir();
    let knob = tempfile::tempdir().unwrap();
    let free = knob.path().join("free");
    let c = client();
    let args = ["--workers", "1"];
    // A stop while the disk is still full: the plan cannot be written, a
    // short failure row can (the exit path writes it).
    let server = Server::start_env(dir.path(), &args, &[(KNOB, &free)]);
    let url = running_job(&c, &server, &small_day_for(2.0)).await;
    let stopped_path = url[url.find("/v1/").unwrap()..].to_string();
    no_reserve(dir.path());
    free_bytes(&free, Some(0));
    poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
    free_bytes(&free, Some(1000));
    assert_eq!(stop(server).await, Some(0));
    free_bytes(&free, None);
    // A crash while it is full: the note written when the store first
    // refused the plan (a short write that still fits) says why.
    let server = Server::start_env(dir.path(), &args, &[(KNOB, &free)]);
    let url = running_job(&c, &server, &small_day_for(2.0)).await;
    let crashed_path = url[url.find("/v1/").unwrap()..].to_string();
    no_reserve(dir.path());
    free_bytes(&free, Some(1000));
    poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
    assert!(
        server.log_shows("kept in memory", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    crash(server).await;
    free_bytes(&free, None);
    let server = Server::start(dir.path(), &args);
    for path in [stopped_path, crashed_path] {
        let (status, job) = get_json(&c, &server.url(&path)).await;
        assert_eq!(status, 200);
        assert_eq!(job["status"], "failed", "{job}");
        let error = job["error"].as_str().unwrap();
        assert!(
            error.starts_with("storage_full:")
                && error.contains("disk")
                && !error.contains("crash"),
            "{error}"
        );
        assert!(job["plan"].is_null());
    }
}

#[tokio::test]
async fn the_reserve_given_up_on_a_full_disk_stores_the_plan_at_once() {
    let dir = data_dir();
    let knob = tempfile::tempdir().unwrap();
    let free = knob.path().join("free");
    let c = client();
    let server = Server::start_env(dir.path(), &["--workers", "1"], &[(KNOB, &free)]);
    let reserve = dir.path().join("jobs.reserve");
    assert_eq!(std::fs::metadata(&reserve).unwrap().len(), 1 << 20);
    let url = running_job(&c, &server, &small_day_for(2.0)).await;
    free_bytes(&free, Some(0));
    let job = poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
    assert_eq!(job["status"], "done", "{job}");
    assert!(
        server.log_shows("reserve is given up", Duration::from_secs(10)),
        "{}",
        server.log()
    );
    assert!(!reserve.exists());
    // Without the reserve no new work is taken, though the disk took the plan.
    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "storage_full", "{body}");
    // The plan is on disk already: a crash loses nothing.
    crash(server).await;
    free_bytes(&free, None);
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let (_, after) = get_json(&c, &server.url(&url[url.find("/v1/").unwrap()..])).await;
    assert_eq!(after["status"], "done", "{after}");
    assert_eq!(after["plan"], job["plan"]);
    assert!(reserve.exists(), "made again once there is room");
}

// ------------------------------------------------------------ 5 checksums

/// Run `n` small days to the end on a fresh service in `dir`, stop it
/// cleanly; their ids.
async fn done_jobs(c: &reqwest::Client, dir: &Path, n: usize) -> Vec<String> {
    let server = Server::start(dir, &[]);
    let mut ids = Vec::new();
    for _ in 0..n {
        let res = post_json(c, &server.url("/v1/plans?wait=120"), &small_day_for(1.0)).await;
        let job: Value = res.json().await.unwrap();
        assert_eq!(job["status"], "done", "{job}");
        ids.push(job["id"].as_str().unwrap().to_string());
    }
    assert_eq!(stop(server).await, Some(0));
    ids
}

/// Edit a stored job's `column` as someone with the file might, while the
/// service is stopped.
fn edit(dir: &Path, id: &str, column: &str, f: impl FnOnce(String) -> String) {
    let db = rusqlite::Connection::open(dir.join("jobs.sqlite3")).unwrap();
    let text: String = db
        .query_row(
            &format!("SELECT {column} FROM jobs WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .unwrap();
    let changed = f(text.clone());
    assert_ne!(changed, text, "the edit changes something");
    db.execute(
        &format!("UPDATE jobs SET {column} = ?2 WHERE id = ?1"),
        rusqlite::params![id, changed],
    )
    .unwrap();
}

/// A plan's first arrival time moved to 03:44.
fn earlier_arrival(plan: String) -> String {
    let at = plan.find("\"arrive\":\"").expect("a stop") + "\"arrive\":\"".len();
    format!("{}03:44{}", &plan[..at], &plan[at + 5..])
}

#[tokio::test]
async fn a_changed_stored_plan_is_refused_everywhere_and_its_job_failed() {
    let dir = data_dir();
    let c = client();
    let ids = done_jobs(&c, dir.path(), 4).await;
    for id in &ids[..3] {
        edit(dir.path(), id, "plan", earlier_arrival);
    }
    // Zero bytes in a plan.
    edit(dir.path(), &ids[3], "plan", |p| {
        p.replacen(',', ",\u{0}", 1)
    });
    let server = Server::start(dir.path(), &[]);
    let job_url = |id: &str| server.url(&format!("/v1/plans/{id}"));
    let damaged = |body: &Value| {
        assert_eq!(body["code"], "stored_data_damaged", "{body}");
        let m = body["message"].as_str().unwrap();
        assert!(m.contains("submit the request again"), "{m}");
    };
    // Each read finds it first: the report, the CSV export, the job.
    let res = c
        .get(format!("{}/report", job_url(&ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    damaged(&res.json().await.unwrap());
    let res = c
        .get(format!("{}/export?format=csv", job_url(&ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    damaged(&res.json().await.unwrap());
    for id in &ids {
        let (status, job) = get_json(&c, &job_url(id)).await;
        assert_eq!(status, 200);
        assert_eq!(job["status"], "failed", "{job}");
        assert!(
            job["plan"].is_null() && job["report_url"].is_null(),
            "{job}"
        );
        let error = job["error"].as_str().unwrap();
        assert!(
            error.starts_with("stored_data_damaged: the stored plan"),
            "{error}"
        );
        // Every later read of its plan gives the same clear answer.
        for path in ["report", "export?format=csv"] {
            let res = c
                .get(format!("{}/{path}", job_url(id)))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 409);
            damaged(&res.json().await.unwrap());
        }
    }
    let (_, list) = get_json(&c, &server.url("/v1/plans")).await;
    let jobs = list["jobs"].as_array().unwrap();
    assert!(jobs.iter().all(|j| j["status"] == "failed"), "{list}");
}

#[tokio::test]
async fn a_request_changed_before_a_worker_claims_it_fails_the_job_cleanly() {
    let dir = data_dir();
    let c = client();
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let url = running_job(&c, &server, &small_day_for(30.0)).await;
    let id = url.rsplit('/').next().unwrap().to_string();
    // A stop puts it back in the queue; its request is changed meanwhile.
    assert_eq!(stop(server).await, Some(0));
    edit(dir.path(), &id, "request", |r| {
        r.replacen(
            "\"time_limit_seconds\":30.0",
            "\"time_limit_seconds\":1.0",
            1,
        )
    });
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let job = poll_until(
        &c,
        &server.url(&format!("/v1/plans/{id}")),
        JOB_TIMEOUT,
        is_finished,
    )
    .await;
    assert_eq!(job["status"], "failed", "{job}");
    let error = job["error"].as_str().unwrap();
    assert!(
        error.starts_with("stored_data_damaged: the stored request"),
        "{error}"
    );
    assert!(job["plan"].is_null());
    // The worker goes on: the next job is solved.
    let res = post_json(&c, &server.url("/v1/plans?wait=120"), &small_day_for(1.0)).await;
    let next: Value = res.json().await.unwrap();
    assert_eq!(next["status"], "done", "{next}");
}

// ------------------------------------------------------------ one-line log

#[tokio::test]
async fn every_log_entry_is_one_line() {
    let dir = data_dir();
    let c = client();
    let ids = done_jobs(&c, dir.path(), 1).await;
    // A row as an older version stored it (no checksum), whose plan is
    // JSON but not a plan: reading it fails with a multi-line error text.
    edit(dir.path(), &ids[0], "plan", |_| {
        "{\"rounds\":\n 1}".to_string()
    });
    {
        let db = rusqlite::Connection::open(dir.path().join("jobs.sqlite3")).unwrap();
        // (A version before checksums has no such column.)
        let _ = db.execute("UPDATE jobs SET plan_sha256 = NULL", []);
    }
    let server = Server::start(dir.path(), &[]);
    let res = c
        .get(server.url(&format!("/v1/plans/{}/report", ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 500);
    let body: Value = res.json().await.unwrap();
    let incident = body["details"]["incident"].as_str().unwrap().to_string();
    assert!(
        server.log_shows(&incident, Duration::from_secs(10)),
        "{}",
        server.log()
    );
    let log = server.log();
    for line in log.lines() {
        let entry = line.starts_with("listening on ")
            || line.as_bytes().first().is_some_and(u8::is_ascii_digit);
        assert!(
            entry,
            "a log line that is no entry of its own: {line:?}\n{log}"
        );
    }
    let line = log.lines().find(|l| l.contains(&incident)).unwrap();
    assert!(line.contains("E1002") || line.contains("problem"), "{line}");
}
