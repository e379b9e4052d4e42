//! The job store: one SQLite file (`jobs.sqlite3`) under `--data-dir`.
//!
//! The database is the queue: a job is a row that goes `queued` ->
//! `running` -> `done` / `failed` / `cancelled`. Workers claim the oldest
//! queued row in one statement, so a job is never run twice and a queued job
//! survives a restart. The file is opened in SQLite's exclusive locking mode,
//! so two services cannot share one data directory, and with
//! `synchronous=FULL`, so a finished plan is on disk before anyone is told.
//!
//! Every request (with its warnings and re-plan part) and every plan is
//! stored with its SHA-256 (`request_sha256`, `plan_sha256`) and checked
//! on every read: a row changed or damaged after it was written is never
//! served or solved ([`Damage`]); the job is marked `failed` with an error
//! starting `stored_data_damaged:`. Rows stored before the checksums
//! existed (NULL) are accepted as before, once their JSON reads.
//!
//! A write the disk cannot take fails with SQLite's "database or disk is
//! full" ([`is_full`]). `jobs.reserve` ([`RESERVE_BYTES`]) holds disk space
//! for that moment: it is given up so a finished outcome can still be
//! written; beyond it the service keeps finished outcomes in memory until
//! they can be written (`super::Shared::pending`).
//!
//! Times are Unix milliseconds (UTC).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::ServeError;

/// The code that starts the `error` of a job whose stored data was found
/// changed or damaged (and the API error's `code`).
pub const DAMAGED_CODE: &str = "stored_data_damaged";

/// The code of a store that cannot write because its disk is full (the
/// API error's `code`, and the start of a job's `error` when its outcome
/// was lost to it).
pub const FULL_CODE: &str = "storage_full";

/// What of a job was found changed or damaged when it was read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Damage {
    /// The request (or its warnings, or a re-plan's stored plan and
    /// disruption).
    Request,
    /// The plan.
    Plan,
}

impl Damage {
    /// The job's `error` once it is marked failed for it.
    pub fn job_error(self) -> String {
        match self {
            Damage::Request => format!(
                "{DAMAGED_CODE}: the stored request of this job was changed or damaged after it                  was accepted (its SHA-256 checksum does not match, or it is not JSON), so it is                  not used; submit the request again"
            ),
            Damage::Plan => format!(
                "{DAMAGED_CODE}: the stored plan of this job was changed or damaged after it was                  stored (its SHA-256 checksum does not match, or it is not JSON), so it is not                  served; submit the request again (or re-plan from another job)"
            ),
        }
    }
}

/// Whether `e` is a write the disk could not take (SQLite's "database or
/// disk is full").
pub fn is_full(e: &ServeError) -> bool {
    matches!(e, ServeError::Db(d) if d.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
}

/// The SHA-256 (hex) of a job's input: its request, warnings and re-plan
/// part, each with its length (so no two inputs share a text).
fn input_sha256(request: &str, warnings: Option<&str>, replan: Option<&str>) -> String {
    let mut h = Sha256::new();
    for part in [Some(request), warnings, replan] {
        match part {
            None => h.update([0u8]),
            Some(t) => {
                h.update([1u8]);
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
        }
    }
    hex(&h.finalize())
}

/// The SHA-256 (hex) of a plan's JSON text.
fn plan_sha256(plan: &str) -> String {
    hex(&Sha256::digest(plan.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a stored text is intact: its checksum matches, or (a row
/// stored before checksums) it is JSON.
fn intact(text: &str, stored_sha: Option<&str>, sha: impl FnOnce() -> String) -> bool {
    match stored_sha {
        Some(s) => s == sha(),
        None => serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
    }
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Accepted, waiting for a worker.
    Queued,
    /// A worker is solving it.
    Running,
    /// Solved: the plan is there.
    Done,
    /// No plan: see `error`.
    Failed,
    /// Stopped by `DELETE`: the best plan found before the stop, if any.
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<JobStatus> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// Done, failed or cancelled: nothing will change any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// One job as stored (without its request, which only workers and the
/// report need).
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub id: String,
    pub status: JobStatus,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The time limit the solve runs with (the request's, capped by the
    /// server's maximum).
    pub time_limit_seconds: f64,
    /// The plan JSON, when there is one.
    pub plan: Option<String>,
    /// Why the job failed.
    pub error: Option<String>,
    /// The last progress snapshot (JSON), kept when the solve ends.
    pub progress: Option<String>,
    /// The day the job plans (the request's `date`, `YYYY-MM-DD`).
    pub date: Option<String>,
    /// For a re-plan job: the job whose plan it re-plans.
    pub parent: Option<String>,
}

/// A job a worker has taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Claimed {
    pub id: String,
    /// The request JSON (validated when it was posted).
    pub request: String,
    /// Its warnings from that validation (JSON, a list of issues); `None`
    /// for a job stored by a version that did not keep them.
    pub warnings: Option<String>,
    pub time_limit_seconds: f64,
    /// For a re-plan job (`POST /v1/plans/{id}/replan`): the plan it
    /// starts from and the disruption, as JSON ([`super::api::ReplanJob`]).
    pub replan: Option<String>,
}

/// What a new job keeps: its request, validated, as JSON with its warnings,
/// time limit (the request's own, as amended and capped) and date, and for
/// a re-plan job the plan it starts from and the disruption (JSON) and the
/// job it re-plans (`parent`).
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub request: String,
    pub warnings: String,
    pub replan: Option<String>,
    pub time_limit_seconds: f64,
    /// The request's `date` (`YYYY-MM-DD`), for the job list.
    pub date: Option<String>,
    /// For a re-plan job: the id of the job whose plan it re-plans.
    pub parent: Option<String>,
}

impl NewJob {
    /// The job of a validated request (and, for a re-plan, its `replan`).
    pub fn of(
        req: &crate::validate::ValidRequest,
        replan: Option<String>,
    ) -> Result<NewJob, serde_json::Error> {
        Ok(NewJob {
            request: serde_json::to_string(&**req)?,
            warnings: serde_json::to_string(
                &req.warnings()
                    .iter()
                    .map(crate::model::Warning::from)
                    .collect::<Vec<_>>(),
            )?,
            replan,
            time_limit_seconds: req.settings.time_limit_seconds,
            date: Some(req.date.to_string()),
            parent: None,
        })
    }
}

/// One job in a list: no request, no plan.
#[derive(Clone, Debug, PartialEq)]
pub struct JobListing {
    pub id: String,
    pub status: JobStatus,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// The request's `date`.
    pub date: Option<String>,
    /// For a re-plan job: the job it re-plans.
    pub parent: Option<String>,
}

/// The SQLite job store. Not `Sync`: the service keeps it behind a mutex.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// [`RESERVE_BYTES`] of disk kept for finished outcomes.
    reserve: PathBuf,
    /// Tests only: [`FREE_BYTES_ENV`].
    free_bytes_file: Option<PathBuf>,
    /// Tests only: bytes the knob's disk gained when the reserve was given
    /// up, less what writes have used of them since.
    freed: std::cell::Cell<usize>,
}

/// The size of `jobs.reserve`, a file of zeros beside the database that
/// holds disk space for finished outcomes: when the disk is full, it is
/// deleted so that the outcome (or at least the note that it was lost)
/// can still be written; while it cannot be made again, no new work is
/// taken.
pub const RESERVE_BYTES: usize = 1 << 20;

/// A hidden knob for tests (`tests/serve_store.rs`), not for use: the
/// path of a file holding a number of bytes. While that file exists, a
/// store write of more bytes than it says fails as SQLite fails on a full
/// disk, so a test can fill and free a disk on cue without mounting one.
pub const FREE_BYTES_ENV: &str = "ROTA_TEST_STORE_FREE_BYTES_FILE";

const SCHEMA: &str = "
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS jobs (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    started_at         INTEGER,
    finished_at        INTEGER,
    time_limit_seconds REAL NOT NULL,
    request            TEXT NOT NULL,
    plan               TEXT,
    error              TEXT,
    progress           TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
COMMIT;
";

/// Databases made before a column existed get it (NULL in the old rows):
/// `replan` (NULL: an ordinary job), `warnings` (NULL: validate the
/// request again when it is solved), `date` (NULL: read from the stored
/// request, [`DATE`]), `parent` (NULL: not known to be a re-plan),
/// `request_sha256` and `plan_sha256` (NULL: stored before checksums,
/// accepted when its JSON reads).
fn add_column(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('jobs') WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch(&format!("ALTER TABLE jobs ADD COLUMN {name} TEXT"))?;
    }
    Ok(())
}

/// SQLite's `PRAGMA quick_check`: `ok`, or the first problems it found.
fn quick_check(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines.join("; "))
}

/// The start-up error for a damaged database, with how to recover.
fn damaged(path: &Path, finding: &str) -> ServeError {
    let p = path.display();
    ServeError::Config(format!(
        "the job database {p} is damaged ({finding}). Stop here and keep the file: move it \
         aside (`mv {p} {p}.damaged`, with its -wal and -shm files if any), then either \
         recover what is readable into a new one (`sqlite3 {p}.damaged .recover | sqlite3 {p}`) \
         or start with an empty data directory; queued jobs that cannot be recovered must be \
         submitted again"
    ))
}

/// Create `dir` (and its parents) readable by this user only (0700).
/// An existing folder is left as it is, with a warning if others may
/// enter it.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
        }
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                mode = format_args!("{mode:03o}"),
                "the data directory is open to other users; `chmod 700` it to keep client data private"
            );
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// The database and its WAL and shared-memory files: created, or made,
/// readable and writable by this user only (0600). SQLite gives the -wal
/// and -shm files the database file's permissions. `create` opens (and
/// closes) the file, so it is only for before SQLite opens it: closing any
/// descriptor of a file drops the process's POSIX locks on it, the
/// exclusive lock that keeps a second service out included.
fn make_private_files(db: &Path, create: bool) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if create {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(db)?;
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let f = PathBuf::from(name);
            if f.exists() {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (db, create);
    Ok(())
}

/// A job's date: its own column, or for a row stored before there was one,
/// the stored request's `date` (when it is JSON with a text `date`).
const DATE: &str = "COALESCE(date, CASE WHEN json_valid(request) \
     AND json_type(request, '$.date') = 'text' THEN json_extract(request, '$.date') END)";

fn row_columns() -> String {
    format!(
        "id, status, created_at, started_at, finished_at, time_limit_seconds, plan, error, \
         progress, {DATE}, parent, plan_sha256"
    )
}

impl Store {
    /// Open (or create) the store in `dir`, creating the folder if needed:
    /// the folder private to this user (0700), the database files too
    /// (0600). A damaged database is refused with how to recover it.
    pub fn open(dir: &Path) -> Result<Store, ServeError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ServeError::Io { path, source }
        };
        create_private_dir(dir).map_err(io(dir))?;
        let path = dir.join("jobs.sqlite3");
        make_private_files(&path, true).map_err(io(&path))?;
        // Any step may find the file locked by another service, or damaged.
        let db_err = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                ServeError::Config(format!(
                    "{} is in use by another rota serve: give each service its own --data-dir",
                    path.display()
                ))
            }
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                damaged(&path, &e.to_string())
            }
            _ => ServeError::Store {
                path: path.display().to_string(),
                message: e.to_string(),
            },
        };
        let conn = Connection::open(&path).map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(db_err)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(db_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db_err)?;
        // The first write (BEGIN IMMEDIATE) takes the exclusive lock, held
        // until the connection closes: a second service fails here.
        conn.execute_batch(SCHEMA).map_err(db_err)?;
        for column in [
            "replan",
            "warnings",
            "date",
            "parent",
            "request_sha256",
            "plan_sha256",
        ] {
            add_column(&conn, column).map_err(db_err)?;
        }
        // A bad page anywhere is found now, not by a request later.
        let verdict = quick_check(&conn).map_err(db_err)?;
        if verdict != "ok" {
            return Err(damaged(&path, &verdict));
        }
        make_private_files(&path, false).map_err(io(&path))?;
        let store = Store {
            conn,
            path,
            reserve: dir.join("jobs.reserve"),
            free_bytes_file: std::env::var_os(FREE_BYTES_ENV).map(PathBuf::from),
            freed: std::cell::Cell::new(0),
        };
        if !store.keep_reserve() {
            tracing::warn!(
                file = %store.reserve.display(),
                "the disk is full: no reserve for finished plans, and no new work is taken \
                 until there is room for it"
            );
        }
        Ok(store)
    }

    /// Whether the reserve file is there, made now if it is not (false when
    /// the disk has no room for it: then the service takes no new work).
    pub fn keep_reserve(&self) -> bool {
        if self.reserve.exists() {
            return true;
        }
        if self.room_for(RESERVE_BYTES).is_err() {
            return false;
        }
        let made = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new();
            f.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut f, 0o600);
            let mut f = f.open(&self.reserve)?;
            f.write_all(&vec![0u8; RESERVE_BYTES])?;
            f.sync_all()
        })();
        if made.is_err() {
            let _ = std::fs::remove_file(&self.reserve);
            return false;
        }
        self.freed.set(0);
        true
    }

    /// Give the reserve up (the disk is full and an outcome must be
    /// written): true if there was one.
    pub fn spend_reserve(&self) -> bool {
        if std::fs::remove_file(&self.reserve).is_err() {
            return false;
        }
        self.freed.set(RESERVE_BYTES);
        true
    }

    /// Before a write of about `bytes`: with the test knob
    /// [`FREE_BYTES_ENV`] set and its file present, refuse a write larger
    /// than the file says, with SQLite's own disk-full error. Nothing
    /// otherwise.
    fn room_for(&self, bytes: usize) -> Result<(), ServeError> {
        let Some(file) = &self.free_bytes_file else {
            return Ok(());
        };
        let Ok(text) = std::fs::read_to_string(file) else {
            return Ok(());
        };
        let free = text.trim().parse::<usize>().unwrap_or(0);
        let freed = self.freed.get();
        if bytes <= free + freed {
            // Writes use the space the reserve left first.
            self.freed.set(freed.saturating_sub(bytes));
            return Ok(());
        }
        Err(ServeError::Db(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".to_string()),
        )))
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// At start-up: a job still `running` was interrupted when the previous
    /// process died; mark it `failed` with the reason: a crash or a kill,
    /// or, when its outcome was noted as not stored ([`Store::note_unstored`]),
    /// the full disk. Returns how many.
    pub fn fail_interrupted(&mut self, now: i64) -> Result<usize, ServeError> {
        self.room_for(100)?;
        Ok(self.conn.execute(
            "UPDATE jobs SET status = 'failed', finished_at = ?1,
                 error = CASE WHEN error LIKE ?3 THEN error ELSE ?2 END
             WHERE status = 'running'",
            params![
                now,
                "the service stopped while this job was running (crash or kill); \
                 no plan was saved: submit the request again",
                format!("{FULL_CODE}:%"),
            ],
        )?)
    }

    /// The `error` of a job whose solve ended but whose outcome could not
    /// be stored before the service stopped: the disk was full.
    pub fn lost_to_full_disk() -> String {
        format!(
            "{FULL_CODE}: the solve ended but its outcome could not be stored: the disk \
             holding the job database was full until the service stopped; no plan was \
             saved: free disk space and submit the request again"
        )
    }

    /// A running job whose outcome could not be stored (the disk is full)
    /// is noted so, in a write much smaller than the plan: if the service
    /// stops before it can store the outcome, the next start says why.
    pub fn note_unstored(&mut self, id: &str) -> Result<(), ServeError> {
        let error = Store::lost_to_full_disk();
        self.room_for(error.len() + 64)?;
        self.conn.execute(
            "UPDATE jobs SET error = ?2 WHERE id = ?1 AND status = 'running'",
            params![id, error],
        )?;
        Ok(())
    }

    /// Mark job `id` failed because its stored `what` is damaged. The
    /// damaged text stays in the row for whoever looks into it; a failed
    /// job's plan is never served ([`Store::get`]).
    pub fn mark_damaged(&self, id: &str, what: Damage, now: i64) -> Result<(), ServeError> {
        let error = what.job_error();
        self.room_for(error.len() + 64)?;
        self.conn.execute(
            "UPDATE jobs SET status = 'failed', error = ?2, finished_at = COALESCE(finished_at, ?3)
             WHERE id = ?1",
            params![id, error, now],
        )?;
        Ok(())
    }

    /// [`Store::mark_damaged`], logged in one line; a write that fails is
    /// logged too (the read is refused either way).
    fn refuse_damaged(&self, id: &str, what: Damage) -> ServeError {
        tracing::error!(
            job = %id,
            damaged = ?what,
            "stored data of a job does not match its checksum; the job is marked failed"
        );
        if let Err(e) = self.mark_damaged(id, what, super::now_ms()) {
            tracing::error!(job = %id, error = %e, "cannot mark a damaged job failed");
        }
        ServeError::Damaged {
            job: id.to_string(),
            what,
        }
    }

    /// Delete finished jobs that finished before `cutoff`. Returns how many.
    pub fn purge_finished_before(&mut self, cutoff: i64) -> Result<usize, ServeError> {
        self.room_for(100)?;
        Ok(self.conn.execute(
            "DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled')
             AND finished_at < ?1",
            params![cutoff],
        )?)
    }

    /// How many jobs wait for a worker.
    pub fn queued(&self) -> Result<usize, ServeError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM jobs WHERE status = 'queued'",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Add a queued job.
    pub fn insert(
        &mut self,
        id: &str,
        request_json: &str,
        time_limit_seconds: f64,
        now: i64,
    ) -> Result<(), ServeError> {
        let job = NewJob {
            request: request_json.to_string(),
            warnings: "[]".to_string(),
            replan: None,
            time_limit_seconds,
            date: None,
            parent: None,
        };
        self.insert_job(id, &job, now)
    }

    /// Add a queued job.
    /// Add a queued job, with the checksum of its input.
    pub fn insert_job(&mut self, id: &str, job: &NewJob, now: i64) -> Result<(), ServeError> {
        let size = job.request.len() + job.warnings.len();
        self.room_for(size + job.replan.as_ref().map_or(0, String::len) + 200)?;
        let sha = input_sha256(&job.request, Some(&job.warnings), job.replan.as_deref());
        self.conn.execute(
            "INSERT INTO jobs (id, status, created_at, time_limit_seconds, request, replan,
                               warnings, date, parent, request_sha256)
             VALUES (?1, 'queued', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                now,
                job.time_limit_seconds,
                job.request,
                job.replan,
                job.warnings,
                job.date,
                job.parent,
                sha
            ],
        )?;
        Ok(())
    }

    /// Take the oldest queued job and mark it `running`. A job whose
    /// stored request does not match its checksum is marked `failed`
    /// instead and answered as [`ServeError::Damaged`] (claim again for the
    /// next).
    pub fn claim_next(&mut self, now: i64) -> Result<Option<Claimed>, ServeError> {
        self.room_for(100)?;
        let claimed = self
            .conn
            .query_row(
                "UPDATE jobs SET status = 'running', started_at = ?1
                 WHERE seq = (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1)
                 RETURNING id, request, time_limit_seconds, replan, warnings, request_sha256",
                params![now],
                |r| {
                    Ok((
                        Claimed {
                            id: r.get(0)?,
                            request: r.get(1)?,
                            time_limit_seconds: r.get(2)?,
                            replan: r.get(3)?,
                            warnings: r.get(4)?,
                        },
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((job, sha)) = claimed else {
            return Ok(None);
        };
        let ok = intact(&job.request, sha.as_deref(), || {
            input_sha256(&job.request, job.warnings.as_deref(), job.replan.as_deref())
        });
        if !ok {
            return Err(self.refuse_damaged(&job.id, Damage::Request));
        }
        Ok(Some(job))
    }

    /// Record how a running job ended.
    pub fn finish(
        &mut self,
        id: &str,
        status: JobStatus,
        plan: Option<&str>,
        error: Option<&str>,
        progress: Option<&str>,
        now: i64,
    ) -> Result<(), ServeError> {
        let size = [plan, error, progress]
            .iter()
            .flatten()
            .map(|t| t.len())
            .sum::<usize>();
        self.room_for(size + 100)?;
        let sha = plan.map(plan_sha256);
        self.conn.execute(
            "UPDATE jobs SET status = ?2, plan = ?3, error = ?4, progress = ?5, finished_at = ?6,
                 plan_sha256 = ?7
             WHERE id = ?1",
            params![id, status.as_str(), plan, error, progress, now, sha],
        )?;
        Ok(())
    }

    /// Put a running job back in the queue (the service is stopping and will
    /// run it again when it starts).
    pub fn requeue(&mut self, id: &str) -> Result<(), ServeError> {
        self.room_for(100)?;
        self.conn.execute(
            "UPDATE jobs SET status = 'queued', started_at = NULL WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }

    /// Cancel a job that has not started. False when it is not queued.
    pub fn cancel_queued(&mut self, id: &str, now: i64) -> Result<bool, ServeError> {
        self.room_for(100)?;
        Ok(self.conn.execute(
            "UPDATE jobs SET status = 'cancelled', finished_at = ?2,
                 error = 'cancelled before it started: no plan'
             WHERE id = ?1 AND status = 'queued'",
            params![id, now],
        )? == 1)
    }

    /// Job `id`. Its plan is checked against its checksum: a plan changed
    /// or damaged since it was stored marks the job `failed`
    /// ([`Damage::Plan`]), and the row comes back so, without the plan. A
    /// failed job never has a plan.
    pub fn get(&self, id: &str) -> Result<Option<JobRow>, ServeError> {
        let sql = format!("SELECT {} FROM jobs WHERE id = ?1", row_columns());
        let row = self
            .conn
            .query_row(&sql, params![id], |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ),
                    (
                        r.get::<_, Option<String>>(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get::<_, Option<String>>(11)?,
                    ),
                ))
            })
            .optional()?;
        let Some((
            (id, status, created_at, started_at, finished_at, tl),
            (plan, error, progress, date, parent, plan_sha),
        )) = row
        else {
            return Ok(None);
        };
        let status = JobStatus::parse(&status).ok_or_else(|| {
            ServeError::Internal(format!("job {id} has an unknown status '{status}'"))
        })?;
        let mut row = JobRow {
            id,
            status,
            created_at,
            started_at,
            finished_at,
            time_limit_seconds: tl,
            plan: None,
            error,
            progress,
            date,
            parent,
        };
        match plan {
            _ if status == JobStatus::Failed => {}
            Some(p) if !intact(&p, plan_sha.as_deref(), || plan_sha256(&p)) => {
                let _ = self.refuse_damaged(&row.id, Damage::Plan);
                row.status = JobStatus::Failed;
                row.error = Some(Damage::Plan.job_error());
                row.finished_at = row.finished_at.or(Some(super::now_ms()));
            }
            p => row.plan = p,
        }
        Ok(Some(row))
    }

    /// Job `id`'s status, without reading its plan.
    pub fn status(&self, id: &str) -> Result<Option<JobStatus>, ServeError> {
        let status: Option<String> = self
            .conn
            .query_row("SELECT status FROM jobs WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()?;
        status
            .map(|s| {
                JobStatus::parse(&s).ok_or_else(|| {
                    ServeError::Internal(format!("job {id} has an unknown status '{s}'"))
                })
            })
            .transpose()
    }

    /// The newest `limit` jobs, optionally of one status. A row that
    /// cannot be read (an unknown status, a wrong type: a damaged or
    /// hand-edited database) is left out and logged, not fatal to the list.
    pub fn list(
        &self,
        status: Option<JobStatus>,
        limit: usize,
    ) -> Result<Vec<JobListing>, ServeError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT seq, id, status, created_at, finished_at, {DATE}, parent FROM jobs
             WHERE ?1 IS NULL OR status = ?1 ORDER BY seq DESC LIMIT ?2"
        ))?;
        type Listed = (
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        let rows = stmt.query_map(params![status.map(JobStatus::as_str), limit as i64], |r| {
            let seq: i64 = r.get(0)?;
            let read = || -> rusqlite::Result<Listed> {
                Ok((
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            };
            Ok((seq, read()))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, read) = row?;
            let listing = read
                .ok()
                .and_then(|(id, status, created, finished, date, parent)| {
                    Some(JobListing {
                        status: JobStatus::parse(&status)?,
                        id,
                        created_at: created,
                        finished_at: finished,
                        date,
                        parent,
                    })
                });
            match listing {
                Some(l) => out.push(l),
                None => tracing::warn!(row = seq, "job row cannot be read; left out of the list"),
            }
        }
        Ok(out)
    }

    /// A job's request JSON and the warnings stored with it (`None` for a
    /// job stored by a version that did not keep them), checked against
    /// its checksum: a changed or damaged request marks the job `failed`
    /// and is answered as [`ServeError::Damaged`].
    pub fn request_with_warnings(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<String>)>, ServeError> {
        type Input = (String, Option<String>, Option<String>, Option<String>);
        let row: Option<Input> = self
            .conn
            .query_row(
                "SELECT request, warnings, replan, request_sha256 FROM jobs WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((request, warnings, replan, sha)) = row else {
            return Ok(None);
        };
        let ok = intact(&request, sha.as_deref(), || {
            input_sha256(&request, warnings.as_deref(), replan.as_deref())
        });
        if !ok {
            return Err(self.refuse_damaged(id, Damage::Request));
        }
        Ok(Some((request, warnings)))
    }

    /// A job's request JSON, checked as [`Store::request_with_warnings`].
    pub fn request_of(&self, id: &str) -> Result<Option<String>, ServeError> {
        Ok(self.request_with_warnings(id)?.map(|(r, _)| r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn life_cycle_restart_and_retention() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = Store::open(dir.path()).unwrap();
            s.insert("a", "{}", 1.0, 100).unwrap();
            s.insert("b", "{}", 1.0, 101).unwrap();
            s.insert("c", "{}", 1.0, 102).unwrap();
            assert_eq!(s.queued().unwrap(), 3);
            // Oldest first, each claimed once.
            assert_eq!(s.claim_next(200).unwrap().unwrap().id, "a");
            assert_eq!(s.claim_next(201).unwrap().unwrap().id, "b");
            s.finish("a", JobStatus::Done, Some("{\"p\":1}"), None, None, 300)
                .unwrap();
            assert!(s.cancel_queued("c", 301).unwrap());
            assert!(!s.cancel_queued("a", 302).unwrap(), "a is not queued");
            assert_eq!(s.claim_next(303).unwrap(), None);
        }
        // A restart: "b" was running when the process went away.
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!(s.fail_interrupted(400).unwrap(), 1);
        let a = s.get("a").unwrap().unwrap();
        assert_eq!(a.status, JobStatus::Done);
        assert_eq!(a.plan.as_deref(), Some("{\"p\":1}"));
        let b = s.get("b").unwrap().unwrap();
        assert_eq!(b.status, JobStatus::Failed);
        assert!(
            b.error
                .unwrap()
                .contains("stopped while this job was running")
        );
        assert_eq!(s.get("c").unwrap().unwrap().status, JobStatus::Cancelled);
        assert_eq!(s.get("zzz").unwrap(), None);
        let ids = |v: Vec<JobListing>| v.into_iter().map(|j| j.id).collect::<Vec<_>>();
        assert_eq!(ids(s.list(None, 10).unwrap()), ["c", "b", "a"]);
        assert_eq!(ids(s.list(None, 2).unwrap()), ["c", "b"]);
        assert_eq!(ids(s.list(Some(JobStatus::Failed), 10).unwrap()), ["b"]);
        // Retention: only jobs finished before the cutoff go.
        assert_eq!(s.purge_finished_before(350).unwrap(), 2, "a and c");
        assert!(s.get("a").unwrap().is_none());
        assert!(s.get("b").unwrap().is_some());
    }

    #[test]
    fn requeued_job_runs_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.insert("a", "{\"r\":1}", 1.0, 1).unwrap();
        assert!(s.claim_next(2).unwrap().is_some());
        s.requeue("a").unwrap();
        assert_eq!(s.get("a").unwrap().unwrap().status, JobStatus::Queued);
        assert_eq!(
            s.claim_next(3).unwrap(),
            Some(Claimed {
                id: "a".to_string(),
                request: "{\"r\":1}".to_string(),
                time_limit_seconds: 1.0,
                replan: None,
                warnings: Some("[]".to_string()),
            })
        );
    }

    #[test]
    fn a_job_keeps_its_date_and_parent_and_old_rows_read_the_date_of_their_request() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A database of a version without the `date` and `parent`
            // columns, with one job in it.
            let conn = Connection::open(dir.path().join("jobs.sqlite3")).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute(
                "INSERT INTO jobs (id, status, created_at, time_limit_seconds, request)
                 VALUES ('old', 'queued', 1, 1.0, '{\"date\": \"2026-11-25\"}')",
                [],
            )
            .unwrap();
        }
        let mut s = Store::open(dir.path()).unwrap();
        let job = |date: &str, parent: Option<&str>| NewJob {
            request: "{}".to_string(),
            warnings: "[]".to_string(),
            replan: parent.map(|_| "{}".to_string()),
            time_limit_seconds: 1.0,
            date: Some(date.to_string()),
            parent: parent.map(String::from),
        };
        s.insert_job("a", &job("2026-11-26", None), 2).unwrap();
        s.insert_job("b", &job("2026-11-26", Some("a")), 3).unwrap();
        s.insert("bare", "not json", 1.0, 4).unwrap();
        let listed: Vec<(String, Option<String>, Option<String>)> = s
            .list(None, 10)
            .unwrap()
            .into_iter()
            .map(|j| (j.id, j.date, j.parent))
            .collect();
        let some = |x: &str| Some(x.to_string());
        assert_eq!(
            listed,
            [
                ("bare".to_string(), None, None),
                ("b".to_string(), some("2026-11-26"), some("a")),
                ("a".to_string(), some("2026-11-26"), None),
                ("old".to_string(), some("2026-11-25"), None),
            ]
        );
        let b = s.get("b").unwrap().unwrap();
        assert_eq!((b.date, b.parent), (some("2026-11-26"), some("a")));
        assert_eq!(s.get("old").unwrap().unwrap().date, some("2026-11-25"));
    }

    #[test]
    fn a_second_store_on_the_same_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        match Store::open(dir.path()) {
            Err(ServeError::Config(m)) => assert!(m.contains("in use"), "{m}"),
            Err(e) => panic!("expected a Config error, got {e}"),
            Ok(_) => panic!("a second store opened the same database"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn data_dir_and_database_are_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a").join("rota");
        {
            let mut s = Store::open(&dir).unwrap();
            s.insert("a", "{}", 1.0, 1).unwrap();
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join("jobs.sqlite3")), 0o600);
            let wal = dir.join("jobs.sqlite3-wal");
            if wal.exists() {
                assert_eq!(mode(&wal), 0o600);
            }
        }
        // A database left world-readable by an older version is tightened.
        let db = dir.join("jobs.sqlite3");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _s = Store::open(&dir).unwrap();
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn a_damaged_database_is_refused_at_start_with_how_to_recover() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = Store::open(dir.path()).unwrap();
            let plan = "x".repeat(3000);
            for i in 0..200 {
                s.insert(&format!("job{i}"), &plan, 1.0, i).unwrap();
            }
        }
        let db = dir.path().join("jobs.sqlite3");
        let mut bytes = std::fs::read(&db).unwrap();
        let page = 4096;
        let pages = bytes.len() / page;
        assert!(pages > 20, "{pages} pages");
        // Scribble over two b-tree pages in the middle.
        for p in [pages / 2, pages / 2 + 1] {
            bytes[p * page..(p + 1) * page].fill(0x5a);
        }
        std::fs::write(&db, &bytes).unwrap();
        match Store::open(dir.path()) {
            Err(ServeError::Config(m)) => {
                assert!(m.contains("damaged") && m.contains(".recover"), "{m}")
            }
            Err(e) => panic!("expected the recovery advice, got {e}"),
            Ok(_) => panic!("a damaged database opened"),
        }
    }

    #[test]
    fn a_bad_row_is_left_out_of_the_list_and_an_error_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.insert("a", "{}", 1.0, 1).unwrap();
        s.insert("b", "{}", 1.0, 2).unwrap();
        s.insert("c", "{}", 1.0, 3).unwrap();
        s.conn
            .execute("UPDATE jobs SET status = 'lost' WHERE id = 'b'", [])
            .unwrap();
        s.conn
            .execute("UPDATE jobs SET created_at = 'soon' WHERE id = 'c'", [])
            .unwrap();
        let ids: Vec<String> = s
            .list(None, 10)
            .unwrap()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(ids, ["a"]);
        assert!(s.get("a").unwrap().is_some());
        assert!(s.get("b").is_err());
    }

    #[test]
    fn a_changed_plan_or_request_is_refused_and_its_job_failed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let plan = "{\"arrive\":\"07:33\"}";
        for id in ["a", "b", "c"] {
            s.insert(id, "{\"r\":1}", 1.0, 1).unwrap();
        }
        for id in ["a", "b"] {
            assert_eq!(s.claim_next(2).unwrap().unwrap().id, id);
            s.finish(id, JobStatus::Done, Some(plan), None, None, 3)
                .unwrap();
        }
        assert_eq!(s.get("a").unwrap().unwrap().plan.as_deref(), Some(plan));
        let edit = |s: &Store, sql: &str| s.conn.execute(sql, []).unwrap();
        edit(
            &s,
            "UPDATE jobs SET plan = replace(plan, '07:33', '03:44') WHERE id = 'a'",
        );
        let a = s.get("a").unwrap().unwrap();
        assert_eq!((a.status, a.plan), (JobStatus::Failed, None));
        assert!(
            a.error
                .unwrap()
                .starts_with("stored_data_damaged: the stored plan")
        );
        // Marked so in the row: read again, it stays failed, without the plan.
        assert_eq!(s.get("a").unwrap().unwrap().status, JobStatus::Failed);
        // A changed request: refused when read, and when claimed.
        edit(
            &s,
            "UPDATE jobs SET request = '{\"r\":2}' WHERE id IN ('b', 'c')",
        );
        match s.request_of("b") {
            Err(ServeError::Damaged { job, what }) => {
                assert_eq!((job.as_str(), what), ("b", Damage::Request))
            }
            other => panic!("expected Damaged, got {other:?}"),
        }
        assert_eq!(s.get("b").unwrap().unwrap().status, JobStatus::Failed);
        assert!(matches!(s.claim_next(4), Err(ServeError::Damaged { .. })));
        let c = s.get("c").unwrap().unwrap();
        assert_eq!(c.status, JobStatus::Failed);
        assert!(c.error.unwrap().contains("stored request"));
        assert_eq!(s.claim_next(5).unwrap(), None, "nothing left to claim");
    }

    #[test]
    fn rows_from_before_checksums_are_read_when_their_json_is() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        for id in ["old", "zero"] {
            s.insert(id, "{}", 1.0, 1).unwrap();
            s.claim_next(2).unwrap().unwrap();
            s.finish(id, JobStatus::Done, Some("{\"p\":1}"), None, None, 3)
                .unwrap();
        }
        s.conn
            .execute_batch(
                "UPDATE jobs SET plan_sha256 = NULL, request_sha256 = NULL;
                 UPDATE jobs SET plan = '{\"p\":' || char(0) || '1}' WHERE id = 'zero';",
            )
            .unwrap();
        let old = s.get("old").unwrap().unwrap();
        assert_eq!(old.status, JobStatus::Done);
        assert_eq!(old.plan.as_deref(), Some("{\"p\":1}"));
        assert_eq!(s.request_of("old").unwrap().as_deref(), Some("{}"));
        let zero = s.get("zero").unwrap().unwrap();
        assert_eq!((zero.status, zero.plan), (JobStatus::Failed, None));
    }
}
