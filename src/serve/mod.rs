//! `rota serve`: the planner behind an HTTP API (`docs/service.md`).
//!
//! A second front door next to the CLI, with the same library calls:
//! [`crate::load_request`] validates a posted request at once (the CLI's
//! E-codes, paths and hints, as a 422), [`crate::plan_request_with`] solves
//! it on a worker under a [`SolveControl`] (progress while it runs, `DELETE`
//! cancels it and keeps the best plan), [`crate::check::check`] and
//! [`crate::output::report::html`] serve `/v1/check` and the HTML report.
//!
//! - [`jobs`]: the SQLite job store under `--data-dir` (the queue, the plans,
//!   recovery after a crash, retention).
//! - [`api`]: the handlers, the one error shape, the OpenAPI description.
//! - [`auth`]: the bearer token, and the `Host` check without one.
//! - [`conn`]: connections: their limits and timeouts, the graceful stop.
//! - [`error`]: the one error shape; internal errors as incident ids.
//!
//! Solves run on at most `workers` blocking threads; the async runtime that
//! answers requests never runs a solve, parses a large body or waits on the
//! database, so health checks and status reads stay quick while solves run.

pub mod api;
pub mod auth;
pub mod conn;
pub mod error;
mod handler;
pub mod jobs;
pub mod roads;
pub mod routes;
pub mod workflows;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, broadcast};

use crate::RotaError;
use crate::control::SolveControl;
use jobs::{JobRow, JobStatus, Store};

/// Everything `rota serve` can be told.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (printed on start).
    pub addr: SocketAddr,
    /// Solves that may run at once (at least 1).
    pub workers: usize,
    /// Jobs that may wait for a worker; beyond that a POST gets 429.
    pub queue: usize,
    /// The job database lives here.
    pub data_dir: PathBuf,
    /// A file holding the bearer token; without it only loopback addresses
    /// are allowed.
    pub token_file: Option<PathBuf>,
    /// Largest request body accepted, in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// A request's `time_limit_seconds` is capped at this.
    pub max_time_limit_seconds: f64,
    /// Finished jobs are deleted this many days after they finished (at
    /// least 1); `None` keeps them.
    pub retention_days: Option<u32>,
    /// Origins allowed by CORS; empty: no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// Memory all running solves together may use, in bytes: a request
    /// whose estimated peak ([`crate::limits`]) exceeds its share
    /// (`max_memory_bytes / workers`) is refused with a 422.
    pub max_memory_bytes: u64,
    /// Timeouts, the caps on open connections (in all and per client) and
    /// the trusted proxies.
    pub limits: conn::Limits,
    /// How long a stop waits for open requests and running solves before
    /// it re-queues the running jobs and exits.
    pub shutdown_grace: Duration,
    /// Without a token: host names (besides the loopback ones) that the
    /// `Host` header may name.
    pub allowed_hosts: Vec<String>,
    /// An OpenStreetMap extract: jobs without a `travel_matrix` get road
    /// travel times from it (serve/roads.rs, docs/roads.md).
    pub osm: Option<PathBuf>,
}

impl Config {
    /// One worker per two cores, at least one.
    pub fn default_workers() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get() / 2)
            .unwrap_or(1)
            .max(1)
    }

    /// `rota` under the user's data directory (e.g. `~/.local/share/rota`).
    pub fn default_data_dir() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("rota")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: Config::default_workers(),
            queue: 64,
            data_dir: Config::default_data_dir(),
            token_file: None,
            max_body_bytes: 10 * 1024 * 1024,
            max_time_limit_seconds: 300.0,
            retention_days: None,
            cors_origins: Vec::new(),
            max_memory_bytes: crate::limits::DEFAULT_MAX_MEMORY_MB * 1024 * 1024,
            limits: conn::Limits {
                header_timeout: Duration::from_secs(10),
                body_timeout: Duration::from_secs(60),
                max_connections: 256,
                first_byte_timeout: Duration::from_secs(3),
                max_connections_per_client: 64,
                trusted_proxies: Vec::new(),
            },
            shutdown_grace: Duration::from_secs(10),
            allowed_hosts: Vec::new(),
            osm: None,
        }
    }
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A setting that cannot work (the user's to fix).
    #[error("{0}")]
    Config(String),
    #[error("cannot read or write {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("job database {path}: {message}")]
    Store { path: String, message: String },
    #[error("job database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// A job's stored request or plan does not match its checksum (the
    /// job has been marked failed).
    #[error("the stored data of job {job} is damaged ({what:?})")]
    Damaged { job: String, what: jobs::Damage },
}

/// A job a worker is solving: its control, and whether a `DELETE` (rather
/// than a shutdown) stopped it.
pub(crate) struct Live {
    pub ctl: Arc<SolveControl>,
    pub cancelled_by_user: AtomicBool,
    /// The solve's time limit (for `Retry-After`).
    pub time_limit_seconds: f64,
}

impl Shared {
    /// Seconds until the first running solve reaches its time limit, when
    /// a worker (and so a place in the queue) frees up at the latest.
    pub fn seconds_until_a_worker_frees(&self) -> Option<f64> {
        self.live
            .values()
            .map(|l| (l.time_limit_seconds - l.ctl.progress().elapsed_seconds).max(0.0))
            .min_by(f64::total_cmp)
    }
}

/// The store and the running jobs, under one lock so that a `DELETE` and a
/// worker claiming the same job cannot miss each other.
pub(crate) struct Shared {
    pub store: Store,
    pub live: HashMap<String, Arc<Live>>,
    /// Outcomes of ended solves that the store could not write (its disk
    /// is full), by job id: kept here, and shown as the job's, until a
    /// write succeeds ([`Shared::flush_pending`]). Their rows still say
    /// `running`.
    pub pending: BTreeMap<String, Outcome>,
}

/// How a solve ended, as [`Store::finish`] stores it.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub status: JobStatus,
    pub plan: Option<String>,
    pub error: Option<String>,
    pub progress: Option<String>,
    pub finished_at: i64,
    /// A write of it has failed before (it waits in memory).
    pub kept: bool,
}

impl Shared {
    /// Job `id` as clients see it: its row, with an outcome kept in memory
    /// laid over it.
    pub fn job(&self, id: &str) -> Result<Option<JobRow>, ServeError> {
        let mut row = self.store.get(id)?;
        if let Some(r) = row.as_mut()
            && let Some(o) = self.pending.get(id)
        {
            r.status = o.status;
            r.plan = o.plan.clone();
            r.error = o.error.clone();
            r.progress = o.progress.clone();
            r.finished_at = Some(o.finished_at);
        }
        Ok(row)
    }

    /// Job `id`'s status as clients see it (without reading its plan).
    pub fn status(&self, id: &str) -> Result<Option<JobStatus>, ServeError> {
        match self.pending.get(id) {
            Some(o) => Ok(Some(o.status)),
            None => self.store.status(id),
        }
    }

    /// Store the outcomes kept in memory; how many, or the first write's
    /// error (that one and the rest stay in memory). On a full disk the
    /// reserve ([`jobs::RESERVE_BYTES`]) is given up for them, once.
    pub fn flush_pending(&mut self) -> Result<usize, ServeError> {
        match self.write_pending() {
            Err(e) if jobs::is_full(&e) && self.store.spend_reserve() => {
                tracing::warn!(
                    "the disk is full: its reserve is given up to store finished outcomes; \
                     no new work is taken until there is room for it again"
                );
                self.write_pending()
            }
            other => other,
        }
    }

    /// New work may be taken: the outcomes kept in memory are stored and
    /// the reserve is there (made again when the disk has room); else the
    /// error to answer with (a full disk).
    pub fn ready_for_work(&mut self) -> Result<(), ServeError> {
        self.flush_pending()?;
        if self.store.keep_reserve() {
            Ok(())
        } else {
            Err(ServeError::Db(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("no room on the disk for the reserve of finished plans".to_string()),
            )))
        }
    }

    fn write_pending(&mut self) -> Result<usize, ServeError> {
        let mut stored = 0;
        while let Some((id, o)) = self.pending.pop_first() {
            let written = self.store.finish(
                &id,
                o.status,
                o.plan.as_deref(),
                o.error.as_deref(),
                o.progress.as_deref(),
                o.finished_at,
            );
            if let Err(e) = written {
                self.pending.insert(id, Outcome { kept: true, ..o });
                return Err(e);
            }
            stored += 1;
            if o.kept {
                tracing::info!(job = %id, "the outcome kept in memory is stored");
            }
        }
        Ok(stored)
    }

    /// Store job `id`'s outcome (after any kept from before); when the
    /// store cannot write it, keep it in memory, note in the job's row
    /// (a much smaller write) that its outcome is not stored, and give the
    /// error.
    pub fn store_outcome(&mut self, id: &str, outcome: Outcome) -> Result<(), ServeError> {
        self.pending.insert(id.to_string(), outcome);
        self.flush_pending().map(|_| ()).inspect_err(|_| {
            if self.pending.contains_key(id) {
                let _ = self.store.note_unstored(id);
            }
        })
    }
}

/// A write refused because the disk is full: new work is answered `503`
/// with this `Retry-After`, in seconds.
pub const STORAGE_RETRY_AFTER_SECONDS: u64 = 10;

/// Outcomes kept in memory are written again after this, doubling up to
/// [`STORE_RETRY_MAX`] while the disk stays full (and at every new write:
/// a POST, a worker's claim).
const STORE_RETRY_FIRST: Duration = Duration::from_millis(500);
const STORE_RETRY_MAX: Duration = Duration::from_secs(30);

/// What every handler and worker shares.
pub(crate) struct AppState {
    pub config: Config,
    pub token: Option<auth::Token>,
    pub shared: Mutex<Shared>,
    /// Wakes idle workers when a job is queued.
    pub wake: Notify,
    /// The id of every job that finishes (for `?wait` and `DELETE`).
    pub finished: broadcast::Sender<String>,
    /// Wakes the task that stores outcomes kept in memory.
    pub retry_store: Notify,
    pub stopping: AtomicBool,
    /// One permit per worker: a solve holds one, and so does a `fit`
    /// (`POST /v1/plans/{id}/fit`), so no more than `workers` problems are
    /// built at once and the memory budget holds.
    pub slots: Arc<tokio::sync::Semaphore>,
    /// `--max-memory-mb` in MiB permits: every kind of work (a solve, a
    /// fit, a capacity run, a check, a report, an export) reserves its
    /// estimated peak here before it starts and hands it back when it ends
    /// ([`handler::run_limited`]), so together they stay within the budget.
    pub memory: Arc<tokio::sync::Semaphore>,
    /// The road graphs of `--osm`, loaded once.
    pub roads: Option<Arc<crate::roads::network::Network>>,
}

pub(crate) type State = Arc<AppState>;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl AppState {
    /// Run `f` on the store on a blocking thread (SQLite waits on the disk).
    pub async fn db<T, F>(self: &Arc<Self>, f: F) -> Result<T, ServeError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Shared) -> Result<T, ServeError> + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut g = state
                .shared
                .lock()
                .map_err(|_| ServeError::Internal("the job store lock is poisoned".into()))?;
            f(&mut g)
        })
        .await
        .map_err(|e| ServeError::Internal(format!("job store task failed: {e}")))?
    }

    /// Wait until job `id` is finished or `timeout` passes; true if finished.
    pub async fn wait_finished(self: &Arc<Self>, id: &str, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.finished.subscribe();
        loop {
            let owned = id.to_string();
            let status = self.db(move |s| s.status(&owned)).await;
            match status {
                Ok(Some(st)) if st.is_finished() => return true,
                Ok(Some(_)) => {}
                _ => return false,
            }
            // Wait for this job's news; a lagged receiver just looks again.
            // A stop answers at once (`begin_stop` wakes `wake`), without
            // waiting for the solves to notice it.
            loop {
                let woken = self.wake.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                if self.stopping.load(Ordering::SeqCst) {
                    return false;
                }
                let news = tokio::select! {
                    n = tokio::time::timeout_at(deadline, rx.recv()) => n,
                    _ = &mut woken => continue,
                };
                match news {
                    Err(_) => return false,
                    // Finished, or put back in the queue by a stop: look.
                    Ok(Ok(done)) if done == id => break,
                    Ok(Ok(_)) => continue,
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => break,
                    Ok(Err(broadcast::error::RecvError::Closed)) => return false,
                }
            }
        }
    }
}

impl AppState {
    /// Stop taking jobs and cancel the running solves (their jobs are put
    /// back in the queue by their workers). Idempotent.
    fn begin_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Ok(g) = self.shared.lock() {
            for live in g.live.values() {
                live.ctl.cancel();
            }
        }
        self.wake.notify_waiters();
    }
}

/// Start the service and run until Ctrl-C or SIGTERM.
///
/// Prints `listening on http://ADDR` on stderr once the socket is bound
/// (with the real port when `addr` has port 0).
pub fn run(config: Config) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io {
            path: "tokio runtime".into(),
            source,
        })?;
    let result = rt.block_on(serve(config, shutdown_signal()));
    rt.shutdown_timeout(Duration::from_secs(2));
    result
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Check the settings, open the store, recover, bind, serve until
/// `shutdown` completes, then stop within `shutdown_grace`: no new
/// connections, open requests get until then to finish, running solves are
/// cancelled and their jobs put back in the queue (they run again at the
/// next start).
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    check_config(&config)?;
    let token = match &config.token_file {
        Some(p) => Some(auth::Token::from_file(p)?),
        None => None,
    };
    if token.is_none() && !config.addr.ip().is_loopback() {
        return Err(ServeError::Config(format!(
            "refusing to listen on {} without --token-file: anyone on the network could \
             read client data; give --token-file FILE or listen on 127.0.0.1",
            config.addr
        )));
    }
    init_logging();
    let store = open_store(&config)?;
    let road_network = roads::load(&config)?;
    let (listener, bound) = bind(config.addr).await?;

    let (finished, _) = broadcast::channel(1024);
    let state: State = Arc::new(AppState {
        token,
        shared: Mutex::new(Shared {
            store,
            live: HashMap::new(),
            pending: BTreeMap::new(),
        }),
        wake: Notify::new(),
        finished,
        retry_store: Notify::new(),
        stopping: AtomicBool::new(false),
        slots: Arc::new(tokio::sync::Semaphore::new(config.workers)),
        memory: Arc::new(tokio::sync::Semaphore::new(
            handler::mib_permits(config.max_memory_bytes) as usize,
        )),
        roads: road_network,
        config,
    });

    let mut workers = Vec::new();
    for _ in 0..state.config.workers {
        workers.push(tokio::spawn(worker(Arc::clone(&state))));
    }
    let retention = tokio::spawn(retention_task(Arc::clone(&state)));
    let store_retry = tokio::spawn(store_retry_task(Arc::clone(&state)));

    let app = routes::router(Arc::clone(&state));
    eprintln!("listening on http://{bound}");
    tracing::info!(
        workers = state.config.workers,
        queue = state.config.queue,
        auth = state.token.is_some(),
        "rota serve ready"
    );
    // On the signal, first stop the solves: their jobs go back to the
    // queue, and requests waiting on them (`?wait`, DELETE) answer at once
    // instead of holding the stop open.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopper = Arc::clone(&state);
    let stopped_at = Arc::new(std::sync::OnceLock::new());
    let stop_time = Arc::clone(&stopped_at);
    let signal = tokio::spawn(async move {
        shutdown.await;
        let _ = stop_time.set(tokio::time::Instant::now());
        tracing::info!("stopping: running jobs go back to the queue");
        stopper.begin_stop();
        let _ = stop_tx.send(true);
    });
    let grace = state.config.shutdown_grace;
    let connections =
        conn::serve_connections(listener, app, state.config.limits.clone(), stop_rx, grace);
    let left_open = connections.await;
    signal.abort();
    state.begin_stop();
    retention.abort();
    store_retry.abort();
    if left_open > 0 {
        tracing::warn!(
            connections = left_open,
            "connections still open at the end of the grace period were closed"
        );
    }
    // The grace period starts at the signal; connections and solves share
    // it. A job still running at its end is put back in the queue here, so
    // it is not reported as failed.
    let now = tokio::time::Instant::now();
    let until = stopped_at
        .get()
        .map_or(now, |t| *t + grace)
        .max(now + Duration::from_millis(200));
    for w in workers {
        let _ = tokio::time::timeout_at(until, w).await;
    }
    requeue_abandoned(&state).await;
    store_pending_at_exit(&state).await;
    tracing::info!("rota serve stopped");
    Ok(())
}

/// Open the job store: jobs a crash interrupted are marked failed, and
/// finished jobs past `--retention-days` are deleted.
fn open_store(config: &Config) -> Result<Store, ServeError> {
    let mut store = Store::open(&config.data_dir)?;
    let now = now_ms();
    let failed = store.fail_interrupted(now)?;
    let purged = match config.retention_days {
        Some(days) => store.purge_finished_before(retention_cutoff(days, now))?,
        None => 0,
    };
    let queued = store.queued()?;
    tracing::info!(
        data = %store.path().display(),
        interrupted_marked_failed = failed,
        purged,
        queued_from_before = queued,
        "job store open"
    );
    Ok(store)
}

/// Listen on `addr`; the address bound (its port when `addr`'s is 0).
async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), ServeError> {
    let io = |source: std::io::Error| ServeError::Io {
        path: addr.to_string(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
    let bound = listener.local_addr().map_err(io)?;
    Ok((listener, bound))
}

/// Put the jobs whose solves still run at exit back in the queue (they
/// run again at the next start), so they are not reported as failed.
async fn requeue_abandoned(state: &State) {
    let abandoned = state
        .db(|s| {
            let ids: Vec<String> = s.live.keys().cloned().collect();
            for id in &ids {
                s.store.requeue(id)?;
            }
            Ok(ids)
        })
        .await;
    match abandoned {
        Ok(ids) if !ids.is_empty() => {
            tracing::info!(
                jobs = ids.len(),
                "solves still running at exit were re-queued"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "cannot re-queue running jobs"),
    }
}

/// At exit, the outcomes still kept in memory (the disk was full) get a
/// last try; those that cannot be written whole are stored as `failed`
/// with the reason, a much smaller write, so the next start does not call
/// them a crash. Only one whose failure cannot be written either is lost
/// (it keeps the note [`Store::note_unstored`] wrote, if that got in).
async fn store_pending_at_exit(state: &State) {
    let result = state
        .db(|s| {
            if s.pending.is_empty() {
                return Ok((0, 0, Vec::new()));
            }
            if let Ok(n) = s.flush_pending() {
                return Ok((n, 0, Vec::new()));
            }
            let (mut failed, mut lost) = (0, Vec::new());
            let error = Store::lost_to_full_disk();
            for (id, o) in std::mem::take(&mut s.pending) {
                let written = s.store.finish(
                    &id,
                    JobStatus::Failed,
                    None,
                    Some(&error),
                    o.progress.as_deref(),
                    now_ms(),
                );
                match written {
                    Ok(()) => failed += 1,
                    Err(_) => lost.push(id),
                }
            }
            Ok((0, failed, lost))
        })
        .await;
    match result {
        Ok((0, 0, lost)) if lost.is_empty() => {}
        Ok((stored, failed, lost)) => {
            tracing::info!(
                stored,
                stored_as_failed = failed,
                "outcomes kept in memory were written at exit"
            );
            for id in lost {
                tracing::error!(
                    job = %id,
                    "the outcome of a job is lost: the disk is still full at exit"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot store the outcomes kept in memory"),
    }
}

/// Write the outcomes kept in memory while the disk is full: after
/// [`STORE_RETRY_FIRST`], doubling up to [`STORE_RETRY_MAX`] while it stays
/// full. Workers are woken once they are written (they claim no job
/// meanwhile).
async fn store_retry_task(state: State) {
    let mut delay = STORE_RETRY_FIRST;
    loop {
        let kept = state.db(|s| Ok(s.pending.len())).await.unwrap_or(0);
        if kept == 0 {
            delay = STORE_RETRY_FIRST;
            state.retry_store.notified().await;
            continue;
        }
        tokio::time::sleep(delay).await;
        match state.db(|s| s.flush_pending()).await {
            Ok(0) => {}
            Ok(_) => {
                delay = STORE_RETRY_FIRST;
                state.wake.notify_waiters();
            }
            Err(e) => {
                delay = (delay * 2).min(STORE_RETRY_MAX);
                tracing::warn!(
                    error = %e,
                    retry_in_seconds = delay.as_secs_f64(),
                    "outcomes still kept in memory: the job database cannot be written"
                );
            }
        }
    }
}

/// Settings that cannot work are refused before anything is opened.
fn check_config(config: &Config) -> Result<(), ServeError> {
    let bad = |m: &str| Err(ServeError::Config(m.to_string()));
    if config.workers == 0 {
        return bad("--workers must be at least 1");
    }
    if config.queue == 0 {
        return bad("--queue must be at least 1");
    }
    if config.max_body_bytes == 0 {
        return bad("--max-body-mb must be at least 1");
    }
    if !(config.max_time_limit_seconds.is_finite() && config.max_time_limit_seconds > 0.0) {
        return bad("--max-time-limit must be a positive number of seconds");
    }
    if config.retention_days == Some(0) {
        return bad(
            "--retention-days must be at least 1 (0 would delete every finished job at \
             once); leave it out to keep finished jobs",
        );
    }
    if config.max_memory_bytes == 0 {
        return bad("--max-memory-mb must be at least 1");
    }
    if config.limits.max_connections == 0 {
        return bad("--max-connections must be at least 1");
    }
    if config.limits.header_timeout.is_zero()
        || config.limits.body_timeout.is_zero()
        || config.limits.first_byte_timeout.is_zero()
    {
        return bad(
            "--header-timeout, --body-timeout and --first-byte-timeout must be above 0 seconds",
        );
    }
    if config.limits.max_connections_per_client == 0 {
        return bad("--max-connections-per-client must be at least 1");
    }
    Ok(())
}

fn init_logging() {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_writer(|| OneLine(std::io::stderr()))
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

/// A log writer that keeps every entry on one line: a line break inside
/// an entry (an error's text, a field) is written as `\n` (`\r` as
/// `\r`), so a log reader never takes a continuation for an entry of its
/// own. The formatter hands each entry over in one write.
struct OneLine<W>(W);

impl<W: std::io::Write> std::io::Write for OneLine<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&one_line(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `entry` with its line breaks escaped, but for a last one.
fn one_line(entry: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let body = entry.strip_suffix(b"\n").unwrap_or(entry);
    if !body.iter().any(|b| matches!(b, b'\n' | b'\r')) {
        return std::borrow::Cow::Borrowed(entry);
    }
    let mut out = Vec::with_capacity(entry.len() + 16);
    for &b in body {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    if body.len() < entry.len() {
        out.push(b'\n');
    }
    std::borrow::Cow::Owned(out)
}

fn retention_cutoff(days: u32, now: i64) -> i64 {
    now - i64::from(days) * 24 * 3600 * 1000
}

/// Delete finished jobs past the retention period, every hour.
async fn retention_task(state: State) {
    let Some(days) = state.config.retention_days else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    tick.tick().await; // the first tick is immediate; start-up already purged
    loop {
        tick.tick().await;
        let cutoff = retention_cutoff(days, now_ms());
        match state
            .db(move |s| s.store.purge_finished_before(cutoff))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "retention: old jobs deleted"),
            Err(e) => tracing::error!(error = %e, "retention failed"),
        }
    }
}

/// One worker: claim the oldest queued job, solve it on a blocking thread,
/// store the outcome; sleep until woken when the queue is empty.
async fn worker(state: State) {
    loop {
        let woken = state.wake.notified();
        if state.stopping.load(Ordering::SeqCst) {
            return;
        }
        // A solve takes a slot (a `fit` may hold one for a moment).
        let Ok(slot) = Arc::clone(&state.slots).acquire_owned().await else {
            return;
        };
        // A stop may have come while a fit held the slot.
        if state.stopping.load(Ordering::SeqCst) {
            return;
        }
        let claimed = state
            .db(|s| {
                // No new solve while finished outcomes wait for the disk or
                // the reserve is spent: its outcome might not be stored.
                if s.ready_for_work().is_err() {
                    return Ok(None);
                }
                let now = now_ms();
                Ok(match s.store.claim_next(now)? {
                    Some(job) => {
                        let live = Arc::new(Live {
                            ctl: Arc::new(SolveControl::new()),
                            cancelled_by_user: AtomicBool::new(false),
                            time_limit_seconds: job.time_limit_seconds,
                        });
                        s.live.insert(job.id.clone(), Arc::clone(&live));
                        Some((job, live))
                    }
                    None => None,
                })
            })
            .await;
        match claimed {
            Ok(Some((job, live))) => {
                run_job(&state, job, live).await;
                drop(slot);
            }
            Ok(None) => {
                drop(slot);
                // notify_waiters wakes futures created before the call, so a
                // job queued after the claim above is not missed; the timer
                // is a second safety net.
                let _ = tokio::time::timeout(Duration::from_secs(5), woken).await;
            }
            // Its request was damaged: the job is failed, claim the next.
            Err(ServeError::Damaged { job, .. }) => {
                drop(slot);
                let _ = state.finished.send(job);
            }
            Err(e) => {
                drop(slot);
                let full = jobs::is_full(&e);
                tracing::error!(error = %e, "worker cannot claim a job");
                let pause = if full { 5 } else { 1 };
                tokio::time::sleep(Duration::from_secs(pause)).await;
            }
        }
    }
}

/// Log an internal failure of job `id` under a fresh incident id; the job
/// shows only that id.
fn incident(id: &str, e: &dyn std::fmt::Display) -> String {
    let incident = format!("{:016x}", rand::random::<u64>());
    tracing::error!(job = %id, incident = %incident, error = %e, "job failed");
    format!("internal error (incident {incident}); the service log has the details under this id")
}

async fn run_job(state: &State, job: jobs::Claimed, live: Arc<Live>) {
    let id = job.id.clone();
    // The solve's estimated memory is reserved from --max-memory-mb (it was
    // checked against a worker's share when the job was posted).
    let need_state = Arc::clone(state);
    let request = job.request.clone();
    let need =
        tokio::task::spawn_blocking(move || roads::job_need(need_state.roads.as_deref(), &request))
            .await
            .unwrap_or(0);
    let memory = handler::reserve_for_solve(state, need).await;
    tracing::info!(job = %id, "solve started");
    let ctl = Arc::clone(&live.ctl);
    let road_state = Arc::clone(state);
    let job_id = id.clone();
    let solved = tokio::task::spawn_blocking(move || {
        // A job without a travel matrix gets one from `--osm`'s roads.
        let net = road_state.roads.as_deref();
        let roads =
            |req, started| roads::prepare_job(net, req, started, &ctl, &road_state.config, &job_id);
        let solved = workflows::solve_job(&job, &ctl, &roads);
        crate::limits::hand_back_memory();
        drop(memory);
        solved
    })
    .await;
    // The last snapshot of a solve that made a plan is the plan's own
    // figures: the search's last report comes before fill_in and the
    // final steps, which may still serve more.
    let progress = match &solved {
        Ok(Ok(plan)) => api::progress_of_plan(plan),
        _ => api::progress_view(live.ctl.progress()),
    };
    let progress = serde_json::to_string(&progress).ok();
    let user_cancel = live.cancelled_by_user.load(Ordering::SeqCst);
    let stopping = state.stopping.load(Ordering::SeqCst) && !user_cancel;
    let outcome: Result<(JobStatus, Option<String>, Option<String>), ()> = match solved {
        _ if stopping => Err(()),
        Ok(Ok(plan)) => match serde_json::to_string(&plan) {
            Ok(json) if user_cancel => Ok((JobStatus::Cancelled, Some(json), None)),
            Ok(json) => Ok((JobStatus::Done, Some(json), None)),
            Err(e) => Ok((
                JobStatus::Failed,
                None,
                Some(format!("the plan could not be serialised: {e}")),
            )),
        },
        // Stopped by a DELETE before the solver had any plan.
        Ok(Err(_)) if user_cancel => Ok((
            JobStatus::Cancelled,
            None,
            Some("cancelled before the solver had a plan".to_string()),
        )),
        // The request's fault (e.g. its time limit ended before any plan
        // existed): the client may read why.
        Ok(Err(RotaError::Invalid(issues))) => Ok((
            JobStatus::Failed,
            None,
            Some(
                issues
                    .0
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        )),
        Ok(Err(e)) => Ok((JobStatus::Failed, None, Some(incident(&id, &e)))),
        Err(e) => Ok((
            JobStatus::Failed,
            None,
            Some(incident(
                &id,
                &format!("the solver stopped unexpectedly: {e}"),
            )),
        )),
    };
    let job = id.clone();
    let requeue = outcome.is_err();
    let stored = state
        .db(move |s| {
            s.live.remove(&job);
            match outcome {
                Err(()) => s.store.requeue(&job),
                Ok((status, plan, error)) => s.store_outcome(
                    &job,
                    Outcome {
                        status,
                        plan,
                        error,
                        progress,
                        finished_at: now_ms(),
                        kept: false,
                    },
                ),
            }
        })
        .await;
    match stored {
        Ok(()) => tracing::info!(job = %id, "solve ended"),
        Err(e) if requeue => tracing::error!(job = %id, error = %e, "cannot re-queue a job"),
        // The outcome is kept in memory and shown as the job's; it is
        // written as soon as the store takes it.
        Err(e) => {
            tracing::error!(
                job = %id,
                error = %e,
                "cannot store the outcome of a job; it is kept in memory until it can be"
            );
            state.retry_store.notify_one();
        }
    }
    let _ = state.finished.send(id);
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn a_log_entry_stays_on_one_line() {
        let entry = b"ERROR error=1 problem(s) found:\n  E1001 at (document)\r\n\n";
        assert_eq!(
            &*one_line(entry),
            &b"ERROR error=1 problem(s) found:\\n  E1001 at (document)\\r\\n\n"[..]
        );
        assert_eq!(&*one_line(b"INFO ready\n"), &b"INFO ready\n"[..]);
        assert_eq!(&*one_line(b"no end\nhere"), &b"no end\\nhere"[..]);
    }
}
