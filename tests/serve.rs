//! `rota serve` end to end: the real binary on an ephemeral localhost port,
//! spoken to over HTTP. Every plan it returns is re-checked here with the
//! independent checker.

mod serve_support;

use serde_json::{Value, json};
use serve_support::*;

/// Write a token file readable by its owner only (the service refuses
/// others).
fn write_private(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Every error body has the same shape.
#[track_caller]
fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body.get("details").is_some(), "{body}");
}

#[tokio::test]
async fn job_life_cycle_from_post_to_plan_and_report() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--max-time-limit", "5"]);
    let c = client();

    let (status, health) = get_json(&c, &server.url("/healthz")).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");

    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let job: Value = res.json().await.unwrap();
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/v1/plans/{id}"));
    assert_eq!(job["url"], location);
    assert!(
        matches!(job["status"].as_str(), Some("queued" | "running" | "done")),
        "{job}"
    );
    // The request asks for 10 s; the service caps it at its maximum.
    assert_eq!(job["time_limit_seconds"], 5.0);

    let done = poll_until(&c, &server.url(&location), JOB_TIMEOUT, is_finished).await;
    assert_eq!(done["status"], "done", "{done}");
    assert!(done["error"].is_null());
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    let plan = assert_plan_checks(SMALL_DAY, &done["plan"]);
    assert_eq!(plan.summary.clients_total, 12);
    let progress = &done["progress"];
    assert_eq!(
        progress["clients_served"].as_u64(),
        Some(plan.summary.clients_served as u64),
        "{progress}"
    );

    // The job list shows it, newest first, without the plan.
    let (status, list) = get_json(&c, &server.url("/v1/plans?status=done")).await;
    assert_eq!(status, 200);
    assert_eq!(list["jobs"][0]["id"], id.as_str(), "{list}");
    assert!(list["jobs"][0].get("plan").is_none());
    let (status, list) = get_json(&c, &server.url("/v1/plans?status=running")).await;
    assert_eq!(
        (status, list["jobs"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let res = c
        .get(server.url("/v1/plans?status=lost"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert_error_shape(&res.json().await.unwrap(), "bad_request");

    // The HTML report of the outputs issue.
    let report_url = done["report_url"].as_str().unwrap();
    assert_eq!(report_url, format!("{location}/report"));
    let res = c.get(server.url(report_url)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<html") && html.contains("C01"),
        "not a report"
    );

    // One log line per request, with the job id; never the request body
    // (client locations are health data).
    let log = server.log();
    assert!(
        log.lines().any(|l| l.contains("POST")
            && l.contains("/v1/plans")
            && l.contains("status=202")
            && l.contains(&id)),
        "{log}"
    );
    assert!(log.lines().any(|l| l.contains("latency_ms=")), "{log}");
    for secret in ["52.046286", "-2.43144", "P001-"] {
        assert!(!log.contains(secret), "the log leaks '{secret}':\n{log}");
    }
}

#[tokio::test]
async fn wait_answers_with_the_plan_when_done_in_time() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let request = with_time_limit(SMALL_DAY, 1.0);
    let res = post_json(&c, &server.url("/v1/plans?wait=240"), &request).await;
    assert_eq!(res.status().as_u16(), 200);
    let job: Value = res.json().await.unwrap();
    assert_eq!(job["status"], "done", "{job}");
    assert_plan_checks(&request, &job["plan"]);

    let res = post_json(&c, &server.url("/v1/plans?wait=-1"), &request).await;
    assert_eq!(res.status().as_u16(), 400);
    assert_error_shape(&res.json().await.unwrap(), "bad_request");
}

#[tokio::test]
async fn bad_input_gets_the_cli_codes_paths_and_hints() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let plans = server.url("/v1/plans");

    // Two semantic problems: 422 with exactly the library's issues.
    let mut bad: Value = serde_json::from_str(SMALL_DAY).unwrap();
    bad["clients"][0]["preferred_carers"] = json!(["C99"]);
    // E1501 is a warning unless the request asks for strict validation.
    bad["settings"]["strict"] = json!(true);
    bad["clients"][0]["visits"][0]["window"] = json!({ "start": "08:00", "end": "07:00" });
    let bad = bad.to_string();
    let res = post_json(&c, &plans, &bad).await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.unwrap();
    assert_error_shape(&body, "invalid_request");
    let expected = match rota::load_request(&bad) {
        Err(rota::RotaError::Invalid(issues)) => serde_json::to_value(&issues.0).unwrap(),
        other => panic!("the library accepts the bad request: {other:?}"),
    };
    assert_eq!(body["details"]["issues"], expected);
    let issues = body["details"]["issues"].as_array().unwrap();
    assert!(issues.len() >= 2, "{body}");
    assert!(issues.iter().any(|i| i["code"] == "E1501"
        && i["path"] == "clients[0].preferred_carers[0]"
        && i["hint"].as_str().is_some_and(|h| !h.is_empty())));

    // A wrong shape (unknown field) is a 422 with its JSON path.
    let mut unknown: Value = serde_json::from_str(SMALL_DAY).unwrap();
    unknown["carers"][1]["colour"] = json!("blue");
    let res = post_json(&c, &plans, &unknown.to_string()).await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.unwrap();
    assert_error_shape(&body, "invalid_request");
    assert_eq!(body["details"]["issues"][0]["code"], "E1002");
    assert_eq!(body["details"]["issues"][0]["path"], "carers[1].colour");

    // Malformed JSON: 400 with line and column.
    let res = post_json(
        &c,
        &plans,
        "{\n  \"date\": \"2026-11-25\",\n  \"carers\": [,]\n}",
    )
    .await;
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.unwrap();
    assert_error_shape(&body, "malformed_json");
    assert_eq!(body["details"]["line"], 3, "{body}");
    assert_eq!(body["details"]["column"], 14, "{body}");
    assert_eq!(body["details"]["issues"][0]["code"], "E1001");

    // Not JSON at all: 415.
    let res = c
        .post(&plans)
        .header("content-type", "text/plain")
        .body(SMALL_DAY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    assert_error_shape(&res.json().await.unwrap(), "unsupported_media_type");
    let res = c.post(&plans).body(SMALL_DAY).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 415, "no content type");

    // Unknown job, unknown route, wrong method: 404, 404, 405, same shape.
    for (method, path, status, code) in [
        ("GET", "/v1/plans/0123456789abcdef", 404, "not_found"),
        ("DELETE", "/v1/plans/0123456789abcdef", 404, "not_found"),
        ("GET", "/v1/plans/0123456789abcdef/report", 404, "not_found"),
        ("GET", "/v2/nothing", 404, "not_found"),
        ("PUT", "/v1/plans", 405, "method_not_allowed"),
    ] {
        let res = c
            .request(method.parse().unwrap(), server.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{method} {path}");
        assert_error_shape(&res.json().await.unwrap(), code);
    }

    // Nothing was queued by any of this.
    assert!(!server.log().contains("solve started"), "{}", server.log());
}

/// `len` bytes of JSON: an empty array padded with spaces.
fn padding(len: usize) -> Vec<u8> {
    let mut body = vec![b' '; len];
    body[0] = b'[';
    body[len - 1] = b']';
    body
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--max-body-mb", "1"]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let over = 1024 * 1024 + 1;
    for chunked in [false, true] {
        let addr = addr.clone();
        let (status, body) = tokio::task::spawn_blocking(move || {
            raw_post(&addr, "/v1/plans", &[], padding(over), chunked)
        })
        .await
        .unwrap();
        assert_eq!(status, 413, "chunked: {chunked}");
        assert_error_shape(&body, "payload_too_large");
    }
    // At the limit the body is read: this one is well-formed JSON of the
    // wrong shape, so it gets as far as validation.
    let addr2 = addr.clone();
    let (status, body) = tokio::task::spawn_blocking(move || {
        raw_post(&addr2, "/v1/check", &[], padding(1024 * 1024), false)
    })
    .await
    .unwrap();
    assert_eq!(status, 422, "{body}");
    // And a normal request is accepted.
    let c = client();
    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 202);
}

#[tokio::test]
async fn a_token_guards_every_route_but_healthz() {
    let dir = data_dir();
    let token = "s3cr3t-token-for-tests-0123456789";
    let token_file = dir.path().join("token");
    write_private(&token_file, &format!("{token}\n"));
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--token-file", token_file.to_str().unwrap()]);
    let c = client();

    let (status, _) = get_json(&c, &server.url("/healthz")).await;
    assert_eq!(status, 200, "healthz needs no token");

    for (path, auth) in [
        ("/openapi.json", None),
        ("/openapi.json", Some("Bearer wrong-token-wrong-token-00")),
        ("/openapi.json", Some(&format!("Basic {token}")[..])),
        ("/v1/plans/0123456789abcdef", None),
        ("/v1/plans", None),
        ("/v2/nothing", None),
    ] {
        let mut req = c.get(server.url(path));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "{path} {auth:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert_error_shape(&res.json().await.unwrap(), "unauthorized");
    }
    let res = c
        .post(server.url("/v1/plans"))
        .header("content-type", "application/json")
        .body(SMALL_DAY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401, "POST without a token");

    let res = c
        .post(server.url("/v1/plans?wait=240"))
        .header("content-type", "application/json")
        .bearer_auth(token)
        .body(with_time_limit(SMALL_DAY, 1.0))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let job: Value = res.json().await.unwrap();
    assert_plan_checks(SMALL_DAY, &job["plan"]);

    let res = c
        .get(server.url("/openapi.json"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    for p in [
        "/v1/plans",
        "/v1/plans/{id}",
        "/v1/plans/{id}/report",
        "/v1/check",
        "/openapi.json",
        "/healthz",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi lacks {p}");
    }
    assert!(doc["components"]["schemas"].get("JobView").is_some());
    assert!(!server.log().contains(token), "the token is logged");
}

#[test]
fn refuses_a_public_address_without_a_token_and_a_shared_data_dir() {
    let dir = data_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["serve", "--addr", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to listen on 0.0.0.0:0 without --token-file"),
        "{err}"
    );

    // A token that is too short is refused too.
    let token_file = dir.path().join("token");
    write_private(&token_file, "short\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token-file"])
        .arg(&token_file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));

    // Two services on one data directory: the second one refuses.
    let _first = Server::start(dir.path(), &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another rota serve"));
}

#[tokio::test]
async fn a_full_queue_is_429_and_cancel_keeps_the_best_plan() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--workers", "1", "--queue", "1"]);
    let c = client();
    let big = big_day(500, 60.0);

    let res = post_json(&c, &server.url("/v1/plans"), &big).await;
    assert_eq!(res.status().as_u16(), 202);
    let running: Value = res.json().await.unwrap();
    let running_url = server.url(running["url"].as_str().unwrap());
    let now = poll_until(&c, &running_url, JOB_TIMEOUT, |j| {
        j["status"] == "running" || is_finished(j)
    })
    .await;
    assert_eq!(now["status"], "running", "{now}");
    assert!(now["plan"].is_null());

    // One waits in the queue; the next is turned away.
    let small = with_time_limit(SMALL_DAY, 1.0);
    let res = post_json(&c, &server.url("/v1/plans"), &small).await;
    assert_eq!(res.status().as_u16(), 202);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    let res = post_json(&c, &server.url("/v1/plans"), &small).await;
    assert_eq!(res.status().as_u16(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // The running solve (limit 60 s) frees its worker at the latest then;
    // a solve that overruns its limit gives the floor, 1 s.
    let left = (60.0 - now["progress"]["elapsed_seconds"].as_f64().unwrap()).ceil();
    assert!(
        retry >= 1 && retry as f64 <= left.max(1.0),
        "Retry-After {retry}, {left} s left"
    );
    assert_error_shape(&res.json().await.unwrap(), "queue_full");

    // Health checks answer while the big solve runs.
    let (status, _) = get_json(&c, &server.url("/healthz")).await;
    assert_eq!(status, 200);

    // Cancel the queued job: no plan.
    let res = c
        .delete(server.url(queued["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["plan"].is_null());

    // Once the solve has a first plan and its bound (progress while
    // running; the bound is computed beside the greedy), cancel it: it
    // stops with its best plan so far.
    let seen = poll_until(&c, &running_url, JOB_TIMEOUT, |j| {
        is_finished(j)
            || (j["progress"]["clients_served"].as_u64().unwrap_or(0) > 0
                && j["progress"]["upper_bound_priority"].is_u64())
    })
    .await;
    let res = c.delete(&running_url).send().await.unwrap();
    assert_eq!(
        seen["status"], "running",
        "the day is too small to cancel: {seen}"
    );
    assert!(seen["plan"].is_null());
    assert!(seen["progress"]["upper_bound_priority"].is_u64(), "{seen}");
    let stopped: Value = match res.status().as_u16() {
        200 => res.json().await.unwrap(),
        202 => poll_until(&c, &running_url, JOB_TIMEOUT, is_finished).await,
        s => panic!("DELETE answered {s}"),
    };
    assert_eq!(stopped["status"], "cancelled", "{}", stopped["error"]);
    let plan = assert_plan_checks(&big, &stopped["plan"]);
    assert_eq!(plan.summary.clients_total, 500);
    assert!(
        plan.summary.priority_served >= seen["progress"]["priority_served"].as_u64().unwrap(),
        "the kept plan is worse than one seen while running"
    );
    // Cancelling again changes nothing; the report of a cancelled job with
    // a plan exists.
    let res = c.delete(&running_url).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["plan"], stopped["plan"]);
    let res = c
        .get(server.url(stopped["report_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);

    // The queue has room again.
    let res = post_json(&c, &server.url("/v1/plans?wait=240"), &small).await;
    assert_eq!(res.status().as_u16(), 200);
    let job: Value = res.json().await.unwrap();
    assert_plan_checks(&small, &job["plan"]);
}

#[tokio::test]
async fn a_restart_keeps_finished_plans_and_fails_the_interrupted_job() {
    let dir = data_dir();
    let small = with_time_limit(SMALL_DAY, 1.0);
    let big = big_day(500, 60.0);
    let c = client();

    let server = Server::start(dir.path(), &["--workers", "1"]);
    let res = post_json(&c, &server.url("/v1/plans?wait=240"), &small).await;
    assert_eq!(res.status().as_u16(), 200);
    let finished: Value = res.json().await.unwrap();
    assert_eq!(finished["status"], "done");
    let finished_url = finished["url"].as_str().unwrap().to_string();

    let res = post_json(&c, &server.url("/v1/plans"), &big).await;
    let interrupted: Value = res.json().await.unwrap();
    let interrupted_url = interrupted["url"].as_str().unwrap().to_string();
    let seen = poll_until(&c, &server.url(&interrupted_url), JOB_TIMEOUT, |j| {
        j["status"] == "running" || is_finished(j)
    })
    .await;
    assert_eq!(seen["status"], "running", "{seen}");
    // Queued behind the running one when the process dies.
    let res = post_json(&c, &server.url("/v1/plans"), &small).await;
    let waiting: Value = res.json().await.unwrap();
    assert_eq!(waiting["status"], "queued");
    let waiting_url = waiting["url"].as_str().unwrap().to_string();

    server.kill();

    let server = Server::start(dir.path(), &["--workers", "1"]);
    let (status, kept) = get_json(&c, &server.url(&finished_url)).await;
    assert_eq!(status, 200);
    assert_eq!(kept["status"], "done");
    assert_eq!(
        kept["plan"], finished["plan"],
        "the plan changed across the restart"
    );
    assert_plan_checks(&small, &kept["plan"]);

    let (_, failed) = get_json(&c, &server.url(&interrupted_url)).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("stopped while this job was running"),
        "{failed}"
    );
    assert!(failed["plan"].is_null());

    // The job that was waiting runs after the restart.
    let resumed = poll_until(&c, &server.url(&waiting_url), JOB_TIMEOUT, is_finished).await;
    assert_eq!(resumed["status"], "done", "{resumed}");
    assert_plan_checks(&small, &resumed["plan"]);
}

#[tokio::test]
async fn the_checker_runs_over_http() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let request = with_time_limit(SMALL_DAY, 1.0);
    let res = post_json(&c, &server.url("/v1/plans?wait=240"), &request).await;
    let job: Value = res.json().await.unwrap();
    let plan = job["plan"].clone();
    let check = server.url("/v1/check");
    let req_value: Value = serde_json::from_str(&request).unwrap();

    let body = json!({ "request": req_value, "plan": plan }).to_string();
    let res = post_json(&c, &check, &body).await;
    assert_eq!(res.status().as_u16(), 200);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["valid"], true, "{out}");
    assert_eq!(out["violations"], json!([]));

    // A broken plan: dated another day.
    let mut broken = plan.clone();
    broken["date"] = json!("2027-01-01");
    let body = json!({ "request": req_value, "plan": broken }).to_string();
    let out: Value = post_json(&c, &check, &body).await.json().await.unwrap();
    assert_eq!(out["valid"], false);
    assert_eq!(out["violations"][0]["rule"], "date", "{out}");

    // A bad request inside: 422, paths under `request.`.
    let mut bad_req = req_value.clone();
    bad_req["clients"][0]["visits"][0]["duration"] = json!("long");
    let body = json!({ "request": bad_req, "plan": plan }).to_string();
    let res = post_json(&c, &check, &body).await;
    assert_eq!(res.status().as_u16(), 422);
    let out: Value = res.json().await.unwrap();
    assert_error_shape(&out, "invalid_request");
    assert_eq!(
        out["details"]["issues"][0]["path"],
        "request.clients[0].visits[0].duration"
    );
    // Missing plan: 422; malformed: 400.
    let res = post_json(&c, &check, &json!({ "request": req_value }).to_string()).await;
    assert_eq!(res.status().as_u16(), 422);
    let res = post_json(&c, &check, "{\"request\": ").await;
    assert_eq!(res.status().as_u16(), 400);
    assert_error_shape(&res.json().await.unwrap(), "malformed_json");
}

#[tokio::test]
async fn a_graceful_stop_puts_the_running_job_back_in_the_queue() {
    let dir = data_dir();
    let big = big_day(500, 60.0);
    let c = client();
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let res = post_json(&c, &server.url("/v1/plans"), &big).await;
    let job: Value = res.json().await.unwrap();
    let url = job["url"].as_str().unwrap().to_string();
    let seen = poll_until(&c, &server.url(&url), JOB_TIMEOUT, |j| {
        j["status"] == "running" || is_finished(j)
    })
    .await;
    assert_eq!(seen["status"], "running", "{seen}");

    // A client waiting (?wait) for a job queued behind it must not hold
    // the stop open: it gets its 202 when the service stops.
    let waiter = {
        let (c, url) = (c.clone(), server.url("/v1/plans?wait=600"));
        let small = with_time_limit(SMALL_DAY, 1.0);
        tokio::spawn(async move {
            let res = post_json(&c, &url, &small).await;
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        })
    };
    let queued = server.url("/v1/plans?status=queued");
    poll_until(&c, &queued, JOB_TIMEOUT, |l| {
        l["jobs"].as_array().is_some_and(|j| !j.is_empty())
    })
    .await;

    let code = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    assert_eq!(code, Some(0), "SIGTERM is a clean stop");
    let (status, waited) = waiter.await.unwrap();
    assert_eq!(status, 202, "{waited}");
    assert_eq!(waited["status"], "queued", "{waited}");

    let server = Server::start(dir.path(), &["--workers", "1"]);
    // Not failed: it runs again (or waits to). Cancelled once it has a
    // plan (a cancel while the problem is still being built ends it with
    // no plan).
    let again = poll_until(&c, &server.url(&url), JOB_TIMEOUT, |j| {
        j["status"] == "running" && j["progress"]["clients_served"].as_u64() > Some(0)
    })
    .await;
    assert!(again["error"].is_null(), "{again}");
    let res = c.delete(server.url(&url)).send().await.unwrap();
    let stopped: Value = match res.status().as_u16() {
        200 => res.json().await.unwrap(),
        _ => poll_until(&c, &server.url(&url), JOB_TIMEOUT, is_finished).await,
    };
    assert_eq!(stopped["status"], "cancelled");
    assert_plan_checks(&big, &stopped["plan"]);
    // The waiting job runs after it.
    let url = server.url(waited["url"].as_str().unwrap());
    let done = poll_until(&c, &url, JOB_TIMEOUT, is_finished).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_plan_checks(SMALL_DAY, &done["plan"]);
}

#[tokio::test]
async fn cors_is_off_unless_configured() {
    let c = client();
    let preflight = |server: &Server| {
        c.request(reqwest::Method::OPTIONS, server.url("/v1/plans"))
            .header("origin", "https://rota.example.org")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let res = preflight(&server).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    drop(server);

    let dir = data_dir();
    let server = Server::start(dir.path(), &["--cors-origin", "https://rota.example.org"]);
    let res = preflight(&server).await.unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://rota.example.org"
    );
    let res = c
        .get(server.url("/healthz"))
        .header("origin", "https://elsewhere.example.org")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
