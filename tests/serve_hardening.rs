//! `rota serve` left running by a care office (issue 16): no request
//! brings it down, no socket holds it, client data stays private. One test
//! (or more) per hole found by the hostile probe; each fails on the
//! service before the fix.

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use serve_support::*;

/// Send `head` (and nothing else) on a raw socket and read the whole answer
/// until the server closes or `Content-Length` is reached: status, headers
/// (lowercased names) and body.
fn raw_request(addr: &str, head: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(split) = text.find("\r\n\r\n") {
            let head = text[..split].to_ascii_lowercase();
            let want = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            let body = &text[split + 4..];
            if n == 0 || want.is_some_and(|w| body.len() >= w) {
                let status = head.split(' ').nth(1).unwrap().parse().unwrap();
                return (status, head, body.to_string());
            }
        }
        assert!(n > 0, "closed before an answer: {text}");
    }
}

/// Whether the server closes `s` (EOF or reset) within `limit`.
fn closed_within(mut s: &TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {} // an answer (e.g. 408) before the close
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true, // reset
        }
        if start.elapsed() > limit {
            return false;
        }
    }
}

// --------------------------------------------------------------- 1 memory

#[tokio::test]
async fn a_request_over_the_memory_budget_is_refused_up_front() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--workers", "1", "--max-memory-mb", "300"]);
    let c = client();
    // The small day fits the budget ...
    let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
    assert_eq!(res.status().as_u16(), 202);
    // ... a 1,000-client day does not: 422 naming the size and the limit.
    let big = big_day(1000, 5.0);
    let res = post_json(&c, &server.url("/v1/plans"), &big).await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_request", "{body}");
    let issue = &body["details"]["issues"][0];
    assert_eq!(issue["code"], "E2001", "{body}");
    let msg = issue["message"].as_str().unwrap();
    assert!(
        msg.contains("MiB") && msg.contains("300 MiB allowed"),
        "{msg}"
    );
    assert!(msg.contains("visits"), "{msg}");
    // Nothing was queued for it.
    let (_, list) = get_json(&c, &server.url("/v1/plans")).await;
    assert_eq!(list["jobs"].as_array().unwrap().len(), 1, "{list}");
}

#[test]
fn the_cli_gives_the_same_memory_error() {
    let dir = data_dir();
    let day = dir.path().join("day.json");
    std::fs::write(&day, big_day(1000, 5.0)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rota"))
        .args(["plan", "--max-memory-mb", "300"])
        .arg(&day)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("E2001") && err.contains("300 MiB allowed"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no plan is written");
}

// --------------------------------------------------------------- 2 sockets

#[tokio::test]
async fn slow_and_idle_clients_are_dropped_while_healthz_answers() {
    let dir = data_dir();
    let server = Server::start(
        dir.path(),
        &[
            "--header-timeout",
            "1",
            "--body-timeout",
            "2",
            "--max-connections",
            "16",
        ],
    );
    let addr = server.addr();
    // More idle sockets than the cap: those past it wait to be accepted.
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    // One client sends its headers a byte at a time, one its body.
    let trickle = |head: String, body: bool| {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            let start = Instant::now();
            let (first, rest) = if body {
                (head.as_bytes(), &b"{\"clients\": [] }"[..])
            } else {
                (&b""[..], head.as_bytes())
            };
            s.write_all(first).unwrap();
            for b in rest.iter().cycle() {
                if s.write_all(&[*b]).is_err() || start.elapsed() > Duration::from_secs(60) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            start.elapsed()
        })
    };
    let slow_head = trickle(
        format!(
            "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Padding: {}",
            "a".repeat(10_000)
        ),
        false,
    );
    let slow_body = trickle(
        format!(
            "POST /v1/check HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: 100000\r\n\r\n"
        ),
        true,
    );
    // /healthz answers while they are open.
    let c = client();
    let (status, _) = get_json(&c, &server.url("/healthz")).await;
    assert_eq!(status, 200);
    let idle_closed = tokio::task::spawn_blocking(move || {
        idle.iter()
            .filter(|s| closed_within(s, Duration::from_secs(30)))
            .count()
    })
    .await
    .unwrap();
    assert_eq!(idle_closed, 40, "every idle socket is closed by the server");
    let head_for = slow_head.join().unwrap();
    let body_for = slow_body.join().unwrap();
    assert!(head_for < Duration::from_secs(60), "slow headers held on");
    assert!(body_for < Duration::from_secs(60), "slow body held on");
    // A new client: the first one's keep-alive connection was idle too.
    let (status, _) = get_json(&client(), &server.url("/healthz")).await;
    assert_eq!(status, 200);
}

// --------------------------------------------------------------- 3 stop

#[tokio::test]
async fn sigterm_stops_within_the_grace_period_despite_a_half_sent_request() {
    let dir = data_dir();
    let big = big_day(500, 60.0);
    let c = client();
    let mut server = Server::start(dir.path(), &["--workers", "1", "--shutdown-grace", "2"]);
    let res = post_json(&c, &server.url("/v1/plans"), &big).await;
    let job: Value = res.json().await.unwrap();
    let url = job["url"].as_str().unwrap().to_string();
    poll_until(&c, &server.url(&url), JOB_TIMEOUT, |j| {
        j["status"] == "running"
    })
    .await;
    // A client that sent half its request and stays.
    let addr = server.addr();
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(
        format!(
            "POST /v1/plans HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: 5000\r\n\r\n{{\"date\": "
        )
        .as_bytes(),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let code = tokio::task::spawn_blocking(move || {
        let code = server.terminate_within(Duration::from_secs(30));
        (code, server)
    })
    .await
    .unwrap();
    let (code, server) = code;
    drop(half);
    assert_eq!(
        code,
        Ok(Some(0)),
        "SIGTERM must end the service within its grace period"
    );
    drop(server);
    // The running job was put back in the queue, not failed.
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let again = poll_until(&c, &server.url(&url), JOB_TIMEOUT, |j| {
        j["status"] == "running" || j["status"] == "queued" || is_finished(j)
    })
    .await;
    assert!(
        matches!(again["status"].as_str(), Some("running" | "queued")),
        "{again}"
    );
    assert!(again["error"].is_null(), "{again}");
}

// --------------------------------------------------------------- 4 time

#[tokio::test]
async fn a_limit_that_ends_before_any_plan_fails_the_job_naming_the_limit() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let c = client();
    // Building this day's problem and matrices alone takes far longer.
    let day = big_day(1500, 0.001);
    let res = post_json(&c, &server.url("/v1/plans?wait=120"), &day).await;
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    assert_eq!(job["status"], "failed", "{job}");
    let error = job["error"].as_str().unwrap();
    assert!(
        error.contains("E2002") && error.contains("time limit of 0.001 s"),
        "{error}"
    );
    assert!(job["plan"].is_null());
}

#[test]
fn a_cancelled_solve_stops_while_the_problem_is_built() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let req = rota::generate::generate(&rota::generate::GenerateOptions::new(300, 1, date));
    let ctl = rota::control::SolveControl::new();
    ctl.cancel();
    let err = rota::plan_request_with(&req, &rota::PlanOptions::default(), &ctl).unwrap_err();
    let issues = err.issues().expect("an E-code, not an internal error");
    assert_eq!(issues[0].code, "E2002");
    assert!(
        issues[0].message.contains("cancelled"),
        "{}",
        issues[0].message
    );
}

// --------------------------------------------------------------- 5 privacy

#[cfg(unix)]
#[tokio::test]
async fn data_stays_private_and_a_readable_token_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = data_dir();
    let data = root.path().join("rota-data");
    let token = root.path().join("token");
    std::fs::write(&token, "0123456789abcdef0123456789abcdef\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let tf = token.to_str().unwrap();
    let (code, err) = start_refused(&data, &["--token-file", tf]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("chmod 600"), "{err}");

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = Server::start(&data, &["--token-file", tf]);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("jobs.sqlite3")), 0o600);
    drop(server);
}

// --------------------------------------------------------------- 6 Host

#[tokio::test]
async fn without_a_token_only_loopback_and_allowed_hosts_are_served() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--allowed-host", "rota.internal"]);
    let addr = server.addr();
    let get = |host: &str| {
        raw_request(
            &addr,
            &format!("GET /v1/plans HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    let (status, _, body) = get("evil.example");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("host_not_allowed"), "{body}");
    let (status, _, body) = get("evil.example:80");
    assert_eq!(status, 403, "{body}");
    for ok in [
        addr.as_str(),
        "localhost:8080",
        "[::1]:8080",
        "rota.internal:8080",
    ] {
        let (status, _, body) = get(ok);
        assert_eq!(status, 200, "{ok}: {body}");
    }
}

// --------------------------------------------------------------- 7 damage

#[tokio::test]
async fn a_bad_row_is_flagged_alone_and_internal_text_never_reaches_the_client() {
    let dir = data_dir();
    let c = client();
    let (good, bad) = {
        let server = Server::start(dir.path(), &[]);
        let mut ids = Vec::new();
        for _ in 0..2 {
            let res = post_json(&c, &server.url("/v1/plans"), SMALL_DAY).await;
            let job: Value = res.json().await.unwrap();
            ids.push(job["id"].as_str().unwrap().to_string());
        }
        for id in &ids {
            poll_until(
                &c,
                &server.url(&format!("/v1/plans/{id}")),
                JOB_TIMEOUT,
                is_finished,
            )
            .await;
        }
        assert_eq!(
            tokio::task::spawn_blocking(move || server.terminate())
                .await
                .unwrap(),
            Some(0)
        );
        (ids[0].clone(), ids[1].clone())
    };
    {
        let db = rusqlite::Connection::open(dir.path().join("jobs.sqlite3")).unwrap();
        db.execute("UPDATE jobs SET status = 'exploded' WHERE id = ?1", [&bad])
            .unwrap();
    }
    let server = Server::start(dir.path(), &[]);
    let (status, list) = get_json(&c, &server.url("/v1/plans")).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&str> = list["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [good.as_str()],
        "the bad row is left out, the rest listed"
    );
    let (status, body) = get_json(&c, &server.url(&format!("/v1/plans/{bad}"))).await;
    assert_eq!(status, 500);
    assert_eq!(body["code"], "internal");
    let text = body.to_string();
    assert!(
        !text.contains("exploded") && !text.contains("unknown status"),
        "{text}"
    );
    assert!(!text.contains("internal error: internal error"), "{text}");
    let incident = body["details"]["incident"].as_str().unwrap();
    assert!(
        server.log_shows(incident, Duration::from_secs(10)),
        "the log names the incident: {}",
        server.log()
    );
}

#[test]
fn a_damaged_database_stops_the_start_with_recovery_advice() {
    let dir = data_dir();
    {
        let server = Server::start(dir.path(), &[]);
        drop(server);
    }
    let db = dir.path().join("jobs.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE;").unwrap();
        let pad = "x".repeat(3000);
        for i in 0..200 {
            conn.execute(
                "INSERT INTO jobs (id, status, created_at, time_limit_seconds, request)
                 VALUES (?1, 'done', 1, 1.0, ?2)",
                rusqlite::params![format!("j{i}"), pad],
            )
            .unwrap();
        }
    }
    let mut bytes = std::fs::read(&db).unwrap();
    let pages = bytes.len() / 4096;
    bytes[pages / 2 * 4096..(pages / 2 + 2) * 4096].fill(0x5a);
    std::fs::write(&db, &bytes).unwrap();
    let (code, err) = start_refused(dir.path(), &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("damaged") && err.contains(".recover"), "{err}");
}

// --------------------------------------------------------------- 8 smaller

#[tokio::test]
async fn the_smaller_holes() {
    let dir = data_dir();
    let (code, err) = start_refused(dir.path(), &["--retention-days", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--retention-days must be at least 1"), "{err}");

    let server = Server::start(dir.path(), &["--max-time-limit", "1"]);
    let c = client();
    // An out-of-range number: its position, not 0:0.
    let text = SMALL_DAY.replacen("\"seed\": 2", "\"seed\": 1e400", 1);
    assert_ne!(text, SMALL_DAY);
    let res = post_json(&c, &server.url("/v1/plans"), &text).await;
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["details"]["line"].as_u64(), Some(5), "{body}");
    assert!(body["details"]["column"].as_u64() > Some(0), "{body}");

    // A 10 KB id is not echoed back.
    let long = "a".repeat(10_000);
    let res = c
        .get(server.url(&format!("/v1/plans/{long}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let body = res.text().await.unwrap();
    assert!(body.len() < 500, "{} bytes", body.len());
    assert!(
        !server.log().contains(&"a".repeat(200)),
        "the log echoes the id"
    );

    // Another charset is refused, not misread.
    let res = c
        .post(server.url("/v1/plans"))
        .header("content-type", "application/json; charset=latin1")
        .body(SMALL_DAY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);

    // The report: CSP and nosniff.
    let res = post_json(&c, &server.url("/v1/plans?wait=120"), SMALL_DAY).await;
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    let res = c
        .get(server.url(job["report_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");

    // E1702 prints a huge latitude briefly.
    let mut req: Value = serde_json::from_str(SMALL_DAY).unwrap();
    req["clients"][0]["location"]["lat"] = 1e308.into();
    let res = post_json(&c, &server.url("/v1/plans"), &req.to_string()).await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.unwrap();
    let issue = body["details"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "E1702")
        .expect("E1702")
        .clone();
    let msg = issue["message"].as_str().unwrap();
    assert!(msg.len() < 120 && msg.contains("1e308"), "{msg}");
}

// --------------------------------------------------------------- 9 CSV

/// Ids that start like spreadsheet formulas, or hold NUL and right-to-left
/// overrides, are written so a spreadsheet shows them (issue 27, item 6):
/// the endpoint's CSV is the library's, which `rota export` writes too.
#[tokio::test]
async fn the_csv_export_cannot_carry_spreadsheet_formulas() {
    let day = include_str!("fixtures/formula-ids.json");
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    let res = post_json(&c, &server.url("/v1/plans?wait=120"), day).await;
    assert!(
        matches!(res.status().as_u16(), 200 | 202),
        "the ids are valid: {}",
        res.status()
    );
    let job: Value = res.json().await.unwrap();
    let job = finished(&c, &server, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    let plan = assert_plan_checks(day, &job["plan"]);
    let url = format!(
        "{}/export?format=csv&names=true",
        job["url"].as_str().unwrap()
    );
    let res = c.get(server.url(&url)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    let req = rota::load_request(day).unwrap();
    let places = rota::output::export::Places::of(&req).with_names(true);
    assert_eq!(text, rota::output::export::csv(&plan, &places).unwrap());
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut carers = std::collections::BTreeSet::new();
    for row in r.records() {
        let row = row.unwrap();
        for (name, cell) in header.iter().zip(row.iter()) {
            if rota::output::export::CSV_TEXT_COLUMNS.contains(&name.as_str()) {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name} {cell:?}"
                );
                assert!(!cell.contains(['\0', '\u{202E}']), "{name} {cell:?}");
            }
        }
        carers.insert(row[1].to_string());
    }
    assert!(
        carers.contains("'=HYPERLINK(CONCAT(\"http:\",A1),\"x\")"),
        "{carers:?}"
    );
}

// ------------------------------------------------------- 10 smaller (27)

/// Issue 27's smaller holes: a tiny time limit, gzip where it is not
/// read, a request without `Host`.
#[tokio::test]
async fn a_tiny_limit_gzip_elsewhere_and_no_host_are_refused_clearly() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let c = client();
    // 5e-324 s: E1307 at once, written briefly (not 300 zeros).
    let res = post_json(
        &c,
        &server.url("/v1/plans"),
        &with_time_limit(SMALL_DAY, 5e-324),
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let body: Value = res.json().await.unwrap();
    let issue = &body["details"]["issues"][0];
    assert_eq!(issue["code"], "E1307", "{body}");
    assert_eq!(issue["path"], "settings.time_limit_seconds", "{body}");
    let msg = issue["message"].as_str().unwrap();
    assert!(msg.contains("5e-324") && msg.len() < 150, "{msg}");

    // gzip to /v1/check: 415, as for any encoding a route does not read.
    let check = serde_json::json!({
        "request": serde_json::from_str::<Value>(SMALL_DAY).unwrap(),
        "plan": {},
    })
    .to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, check.as_bytes()).unwrap();
    let res = c
        .post(server.url("/v1/check"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_media_type", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("POST /v1/plans"),
        "{body}"
    );

    // No Host header (HTTP/1.0): 403 without a token; /healthz answers.
    let addr = server.addr();
    let (status, _, body) =
        raw_request(&addr, "GET /v1/plans HTTP/1.0\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("host_not_allowed") && body.contains("no Host"),
        "{body}"
    );
    let (status, _, _) = raw_request(&addr, "GET /healthz HTTP/1.0\r\n\r\n");
    assert_eq!(status, 200);
}

// ------------------------------------------------ 11 connections (27)

/// A socket to `addr` from the loopback address `source` (any of 127/8 is
/// this machine on Linux): clients at several addresses from one test.
async fn connect_from(source: &str, addr: &str) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let stream = socket.connect(addr.parse().unwrap()).await.unwrap();
    let std = stream.into_std().unwrap();
    std.set_nonblocking(false).unwrap();
    std
}

/// Send `head` on `s` and read the answer's status and body (until the
/// server closes or the body is complete), within `limit`.
fn answer_on(mut s: TcpStream, head: &str, limit: Duration) -> Result<(u16, String), String> {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    if !head.is_empty() {
        s.write_all(head.as_bytes())
            .map_err(|e| format!("write: {e}"))?;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match s.read(&mut buf) {
            Ok(n) => n,
            Err(e) => return Err(format!("after {:?}: {e}", start.elapsed())),
        };
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(split) = text.find("\r\n\r\n") {
            let head = text[..split].to_ascii_lowercase();
            let want = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            let body = &text[split + 4..];
            if n == 0 || want.is_some_and(|w| body.len() >= w) {
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or(format!("no status: {head}"))?;
                return Ok((status, body.to_string()));
            }
        }
        if n == 0 {
            return Err(format!("closed without an answer: {text:?}"));
        }
        if start.elapsed() > limit {
            return Err(format!("no answer within {limit:?}"));
        }
    }
}

/// `GET path` from `source` on a new connection, answered within `limit`.
async fn get_from(
    source: &str,
    addr: &str,
    path: &str,
    extra: &str,
    limit: Duration,
) -> Result<(u16, String), String> {
    let s = tokio::time::timeout(limit, connect_from(source, addr))
        .await
        .map_err(|_| "no connection".to_string())?;
    let head =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || answer_on(s, &head, limit))
        .await
        .unwrap()
}

/// Issue 27, item 2: 300 sockets that send nothing, reopened whenever the
/// service closes them (the `--max-connections` default is 256), no
/// longer starve `/healthz`, nor a client at another address. On the
/// service before the fix the probes wait in the listen backlog until
/// the header timeout (10 s) frees slots, and most of them fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_300_idle_sockets_are_reopened() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--workers", "1"]);
    let addr = server.addr();
    let stop = Arc::new(AtomicBool::new(false));
    let attacker = {
        let (addr, stop) = (addr.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let open = |addr: &str| {
                TcpStream::connect(addr).ok().inspect(|t| {
                    t.set_nonblocking(true).unwrap();
                })
            };
            let mut socks: Vec<Option<TcpStream>> = (0..300).map(|_| open(&addr)).collect();
            let mut reopened = 0usize;
            while !stop.load(Ordering::SeqCst) {
                for s in socks.iter_mut() {
                    let closed = match s {
                        None => true,
                        Some(t) => {
                            let mut b = [0u8; 512];
                            match t.read(&mut b) {
                                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
                                _ => true, // closed, reset, or answered before a close
                            }
                        }
                    };
                    if closed {
                        *s = open(&addr);
                        reopened += 1;
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            reopened
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut failed = Vec::new();
    let probes = 20;
    for i in 0..probes {
        let t = Instant::now();
        match get_from("127.0.0.1", &addr, "/healthz", "", Duration::from_secs(3)).await {
            Ok((200, _)) => {}
            other => failed.push(format!(
                "healthz probe {i}: {other:?} after {:?}",
                t.elapsed()
            )),
        }
        // Another client's ordinary request gets through too.
        if i % 4 == 0 {
            match get_from("127.0.0.2", &addr, "/v1/plans", "", Duration::from_secs(3)).await {
                Ok((200, _)) => {}
                other => failed.push(format!("127.0.0.2 probe {i}: {other:?}")),
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let reopened = attacker.join().unwrap();
    assert!(
        reopened >= 100,
        "the service closed idle sockets and they came back: {reopened}"
    );
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// One address holds at most `--max-connections-per-client` connections:
/// beyond, a connection gets 429 (or, when one of them has not sent a byte
/// yet, takes that one's place); other addresses are served.
#[tokio::test]
async fn one_address_is_capped_and_its_idle_sockets_make_room() {
    let dir = data_dir();
    let server = Server::start(
        dir.path(),
        &[
            "--max-connections-per-client",
            "3",
            "--header-timeout",
            "30",
            "--first-byte-timeout",
            "30",
        ],
    );
    let addr = server.addr();
    // Three connections of 127.0.0.2 that have sent half a request head.
    let mut busy = Vec::new();
    for _ in 0..3 {
        let mut s = connect_from("127.0.0.2", &addr).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
        busy.push(s);
    }
    // (Until the service has read a connection's first byte, it counts as
    // idle and would make room.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A fourth is refused with 429 (once the service has seen the three).
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let s = connect_from("127.0.0.2", &addr).await;
        let got = tokio::task::spawn_blocking(move || answer_on(s, "", Duration::from_secs(3)))
            .await
            .unwrap();
        match got {
            Ok((429, body)) => break body,
            other => {
                assert!(Instant::now() < deadline, "never refused: {other:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert!(refused.contains("too_many_connections"), "{refused}");
    // Another address is served meanwhile.
    let (status, body) = get_from("127.0.0.3", &addr, "/v1/plans", "", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    // 127.0.0.4's three sockets send nothing: a fourth that asks takes
    // the oldest one's place, which is closed at once.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(connect_from("127.0.0.4", &addr).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = get_from("127.0.0.4", &addr, "/healthz", "", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let oldest = idle.remove(0);
    let closed =
        tokio::task::spawn_blocking(move || closed_within(&oldest, Duration::from_secs(5)))
            .await
            .unwrap();
    assert!(closed, "the oldest idle socket made room");
    drop(busy);
}

/// Behind a `--trusted-proxy` every client arrives from the proxy's
/// address: its connections are not capped per address, its requests
/// are, per client its `X-Forwarded-For` / `Forwarded` names. The header
/// of any other peer is ignored.
#[tokio::test]
async fn a_trusted_proxy_is_limited_per_forwarded_client() {
    let dir = data_dir();
    let server = Server::start(
        dir.path(),
        &[
            "--max-connections-per-client",
            "2",
            "--trusted-proxy",
            "127.0.0.5/32",
            "--body-timeout",
            "30",
        ],
    );
    let addr = server.addr();
    let proxy = "127.0.0.5";
    // Four requests in progress through the proxy (bodies half sent):
    // two for 203.0.113.1, one each for .2 and .3.
    let mut held = Vec::new();
    for client in ["203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let mut s = connect_from(proxy, &addr).await;
        s.write_all(
            format!(
                "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 198.51.100.9, {client}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"request\""
            )
            .as_bytes(),
        )
        .unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // 203.0.113.1 has two requests in progress: a third gets 429, by
    // either header, once the service has seen the two.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = get_from(
            proxy,
            &addr,
            "/v1/plans",
            "X-Forwarded-For: 203.0.113.1\r\n",
            Duration::from_secs(10),
        )
        .await;
        match got {
            Ok((429, body)) => {
                assert!(body.contains("too_many_connections"), "{body}");
                break;
            }
            other => {
                assert!(Instant::now() < deadline, "never refused: {other:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let (status, _) = get_from(
        proxy,
        &addr,
        "/v1/plans",
        "Forwarded: for=203.0.113.1;proto=https\r\n",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(status, 429);
    // Another client behind the proxy is served, though the proxy has
    // five connections open (more than 2); so is /healthz for .1.
    let (status, body) = get_from(
        proxy,
        &addr,
        "/v1/plans",
        "X-Forwarded-For: 203.0.113.9\r\n",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, _) = get_from(
        proxy,
        &addr,
        "/healthz",
        "X-Forwarded-For: 203.0.113.1\r\n",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    // A peer that is not a trusted proxy is counted by its own address,
    // whatever its header says.
    let mut own = Vec::new();
    for _ in 0..2 {
        let mut s = connect_from("127.0.0.6", &addr).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
        own.push(s);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = get_from(
            "127.0.0.6",
            &addr,
            "/v1/plans",
            "X-Forwarded-For: 203.0.113.50\r\n",
            Duration::from_secs(10),
        )
        .await;
        match got {
            Ok((429, _)) => break,
            other => {
                assert!(Instant::now() < deadline, "never refused: {other:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drop((held, own));
}
