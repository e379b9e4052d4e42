//! Start the real `rota serve` binary on an ephemeral localhost port and
//! talk HTTP to it. Shared by `tests/serve.rs` and `tests/serve_load.rs`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const SMALL_DAY: &str = include_str!("../../data/small-day.json");

/// Generous: the machine is shared and noisy; tests poll, never race.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);
pub const JOB_TIMEOUT: Duration = Duration::from_secs(300);

/// A running `rota serve` child process, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// `rota serve --addr 127.0.0.1:0 --data-dir DIR ARGS...`, waiting for
    /// its "listening on" line.
    pub fn start(data_dir: &Path, args: &[&str]) -> Server {
        Server::start_env(data_dir, args, &[])
    }

    /// [`Server::start`] with environment variables set for the service.
    pub fn start_env(data_dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rota"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rota serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let sink = Arc::clone(&log);
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let base = match rx.recv_timeout(START_TIMEOUT) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "rota serve did not print its address; stderr:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Server { child, base, log }
    }

    /// The service's process id (e.g. to read its memory in /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Everything the server wrote on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Whether the log holds `needle` within `limit`: the service writes a
    /// line before it answers, but the thread collecting its stderr may
    /// read it a moment after the answer arrives.
    pub fn log_shows(&self, needle: &str, limit: Duration) -> bool {
        let until = std::time::Instant::now() + limit;
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if std::time::Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: a crash, no chance to clean up.
    pub fn kill(mut self) {
        self.child.kill().expect("kill rota serve");
        self.child.wait().expect("reap rota serve");
    }
}

/// `rota serve ... ARGS` that must refuse to start: its exit code and
/// stderr.
/// A service that starts instead is killed after 30 s: the exit code is
/// then `None`.
pub fn start_refused(data_dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rota"))
        .arg("serve")
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rota serve runs");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for rota serve") {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, reader.join().unwrap_or_default())
}

impl Server {
    /// The address to open raw sockets to (`127.0.0.1:PORT`).
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// SIGTERM; the exit code, or `None` if still running after `limit`
    /// (then it is killed when dropped).
    pub fn terminate_within(&mut self, limit: Duration) -> Result<Option<i32>, String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM runs");
        assert!(sent.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for rota serve") {
                return Ok(status.code());
            }
            if start.elapsed() > limit {
                return Err(self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, as a service manager stops it; waits for the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM runs");
        assert!(sent.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for rota serve") {
                return status.code();
            }
            assert!(
                start.elapsed() < START_TIMEOUT,
                "rota serve did not stop on SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

/// POST a JSON text.
pub async fn post_json(c: &reqwest::Client, url: &str, body: &str) -> reqwest::Response {
    c.post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST answered")
}

pub async fn get_json(c: &reqwest::Client, url: &str) -> (u16, Value) {
    let res = c.get(url).send().await.expect("GET answered");
    let status = res.status().as_u16();
    (status, res.json().await.expect("a JSON body"))
}

/// Poll a job until `pred` holds for its view (or panic after `timeout`).
pub async fn poll_until(
    c: &reqwest::Client,
    url: &str,
    timeout: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let start = Instant::now();
    loop {
        let (status, job) = get_json(c, url).await;
        assert_eq!(status, 200, "{job}");
        if pred(&job) {
            return job;
        }
        assert!(
            start.elapsed() < timeout,
            "job did not get there within {timeout:?}: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Poll the job a POST answered with (its view `job`) until it has
/// finished (done, failed or cancelled), within [`JOB_TIMEOUT`].
pub async fn finished(c: &reqwest::Client, server: &Server, job: &Value) -> Value {
    let url = server.url(job["url"].as_str().expect("a job url"));
    poll_until(c, &url, JOB_TIMEOUT, is_finished).await
}

pub fn is_finished(job: &Value) -> bool {
    matches!(
        job["status"].as_str(),
        Some("done" | "failed" | "cancelled")
    )
}

/// The request text with another time limit (and, optionally, seed).
pub fn with_time_limit(request: &str, seconds: f64) -> String {
    let mut v: Value = serde_json::from_str(request).unwrap();
    v["settings"]["time_limit_seconds"] = seconds.into();
    v.to_string()
}

/// A day large enough that a solve is still running when a test acts on it.
pub fn big_day(clients: usize, time_limit: f64) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let mut req = rota::generate::generate(&rota::generate::GenerateOptions::new(clients, 7, date));
    req.settings.time_limit_seconds = time_limit;
    serde_json::to_string(&req).unwrap()
}

/// Assert the independent checker accepts `plan` for `request_text`.
#[track_caller]
pub fn assert_plan_checks(request_text: &str, plan: &Value) -> rota::model::Plan {
    let req = rota::load_request(request_text).expect("request loads");
    let plan: rota::model::Plan =
        rota::parse::plan_from_str(&plan.to_string()).expect("the plan parses");
    let report = rota::check::check(&req, &plan);
    assert!(report.is_valid(), "{report}");
    plan
}

/// A fresh data directory.
pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// POST `body` to `path` over a raw socket, with `Content-Length` or
/// chunked and any `extra` headers, and read the answer. The body is written
/// on another thread that ignores write errors: a server that answers 413
/// before reading it all may close the socket while it is being sent (a
/// client using `Expect: 100-continue`, as curl does, never sends it).
pub fn raw_post(
    addr: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Vec<u8>,
    chunked: bool,
) -> (u16, Value) {
    let len = body.len();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {len}")
    };
    let extra: String = extra.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{extra}{framing}\r\n\r\n"
    );
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        if chunked {
            let _ = writer.write_all(format!("{len:x}\r\n").as_bytes());
            let _ = writer.write_all(&body);
            let _ = writer.write_all(b"\r\n0\r\n\r\n");
        } else {
            let _ = writer.write_all(&body);
        }
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let (status, body) = loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(split) = text.find("\r\n\r\n") {
            let (head, body) = (&text[..split], &text[split + 4..]);
            let want: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .expect("a Content-Length in the answer");
            if body.len() >= want {
                let status = head.split(' ').nth(1).unwrap().parse().unwrap();
                break (status, serde_json::from_str(&body[..want]).unwrap());
            }
        }
        assert!(n > 0, "connection closed before a full answer: {text}");
    };
    drop(stream);
    let _ = sender.join();
    (status, body)
}
