//! The steps the HTTP handlers ([`super::api`], [`super::workflows`]) share:
//! take a JSON body, find a job, parse and map errors, run the library on a
//! blocking thread (on a worker's slot when it builds a problem).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::{ApiError, body_rejection, json_error_position, require_json};
use super::jobs::JobRow;
use super::{ServeError, Shared, State as AppStateRef};
use crate::RotaError;
use crate::error::Issue;

/// How long a fit or capacity run waits for a free worker slot before
/// answering 429.
const SLOT_WAIT: Duration = Duration::from_secs(30);

/// A JSON body: 415 when it is not JSON or has a `Content-Encoding`
/// (only `POST /v1/plans` inflates gzip: [`json_body_maybe_gzip`]), 413
/// when too large.
pub(crate) fn json_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    require_json(headers)?;
    super::roads::refuse_encoding(headers)?;
    body.map_err(body_rejection)
}

/// A JSON body that may be gzipped (`POST /v1/plans`, which inflates it
/// with [`super::roads::decode_body`]): 415 when it is not JSON, 413 when
/// too large.
pub(crate) fn json_body_maybe_gzip(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Bytes, ApiError> {
    require_json(headers)?;
    body.map_err(body_rejection)
}

/// One worker's share of `--max-memory-mb` (the budget is for all
/// workers' solves together).
pub(crate) fn memory_share(state: &AppStateRef) -> u64 {
    state.config.max_memory_bytes / state.config.workers.max(1) as u64
}

/// Job `id`'s row, and what `f` reads beside it, or 404.
pub(crate) async fn find_job<T, F>(state: &AppStateRef, id: &str, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Shared, JobRow) -> Result<T, ServeError> + Send + 'static,
{
    let job = id.to_string();
    let found = state
        .db(move |s| {
            let Some(row) = s.job(&job)? else {
                return Ok(None);
            };
            f(s, row).map(Some)
        })
        .await?;
    found.ok_or_else(|| ApiError::not_found(id))
}

/// Run `f` on a blocking thread (parsing, planning and checking take real
/// CPU: not on the threads that answer other requests).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// Bytes as whole MiB permits of [`super::AppState::memory`] (rounded
/// up; at least 1, at most what a semaphore holds).
pub(crate) fn mib_permits(bytes: u64) -> u32 {
    let max = u32::try_from(tokio::sync::Semaphore::MAX_PERMITS).unwrap_or(u32::MAX);
    u32::try_from(bytes.div_ceil(1024 * 1024))
        .unwrap_or(u32::MAX)
        .clamp(1, max)
}

/// What a piece of work claims of the service before it starts: its
/// estimated peak memory ([`crate::limits`]), reserved from
/// `--max-memory-mb`, and for what builds the day's problem (a fit, a
/// capacity run) a worker's slot too, so never more than `--workers`
/// problems are built at once.
pub(crate) struct Claim {
    /// What the work is, as E2001 names it ("fitting this client into
    /// the day").
    pub what: &'static str,
    /// Its estimated peak, in bytes.
    pub need: u64,
    /// The day's size behind the estimate, for E2001's message.
    pub size: Option<crate::limits::Size>,
    /// Whether it takes a worker's slot.
    pub slot: bool,
}

/// The claim of work that reads a request and a plan of `json_bytes`
/// together (a check, a report, an export): their memory, no worker slot
/// (it does not build the day's problem, and a report must not wait for
/// a long solve).
pub(crate) fn read_claim(what: &'static str, json_bytes: usize) -> Claim {
    Claim {
        what,
        need: crate::limits::read_bytes(json_bytes as u64),
        size: None,
        slot: false,
    }
}

/// Slack past `--max-time-limit` for work that stops itself at the limit
/// (a fit) to write its answer before it is cut off.
const TIME_LIMIT_SLACK: Duration = Duration::from_secs(5);

/// Run `f` on a blocking thread within the service's limits:
///
/// - E2001 (422) when `claim.need` is over a worker's memory share;
/// - a worker slot when `claim.slot`, and `claim.need` reserved from
///   `--max-memory-mb`, each waited for up to [`SLOT_WAIT`] (else 429
///   `busy` with `Retry-After`);
/// - an answer within `--max-time-limit` (plus a few seconds): past it,
///   503 `timed_out`. The work itself keeps its slot and its memory until
///   it really ends, so the budget holds even then.
///
/// When `f` ends, the memory it freed is handed back to the system
/// ([`crate::limits::hand_back_memory`]).
pub(crate) async fn run_limited<T, F>(
    state: &AppStateRef,
    claim: Claim,
    body: &[u8],
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    crate::limits::check_need(
        claim.what,
        claim.need,
        claim.size.as_ref(),
        memory_share(state),
        "--max-memory-mb",
    )
    .map_err(|issue| ApiError::from_issues(vec![issue], body))?;
    let slot = match claim.slot {
        true => Some(take(state, &state.slots, 1, "every worker is solving").await?),
        false => None,
    };
    let memory = take(
        state,
        &state.memory,
        mib_permits(claim.need),
        "the memory budget (--max-memory-mb) is taken by running work",
    )
    .await?;
    let work = tokio::task::spawn_blocking(move || {
        let out = f();
        crate::limits::hand_back_memory();
        drop((memory, slot));
        out
    });
    let limit = Duration::from_secs_f64(state.config.max_time_limit_seconds) + TIME_LIMIT_SLACK;
    match tokio::time::timeout(limit, work).await {
        Ok(joined) => joined.map_err(ApiError::internal)?,
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timed_out",
            format!(
                "{} did not end within this service's --max-time-limit of {} s",
                claim.what, state.config.max_time_limit_seconds
            ),
        )),
    }
}

/// `n` permits of `pool`, waited for up to [`SLOT_WAIT`]; else 429 `busy`
/// (`why` says what is taken) with `Retry-After`: the seconds until the
/// first running solve reaches its time limit.
async fn take(
    state: &AppStateRef,
    pool: &Arc<Semaphore>,
    n: u32,
    why: &str,
) -> Result<OwnedSemaphorePermit, ApiError> {
    let wait = Arc::clone(pool).acquire_many_owned(n);
    if let Ok(Ok(permit)) = tokio::time::timeout(SLOT_WAIT, wait).await {
        return Ok(permit);
    }
    let retry = state
        .db(|s| Ok(s.seconds_until_a_worker_frees()))
        .await?
        .unwrap_or(1.0);
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "busy",
        format!("{why}; try again after Retry-After seconds"),
    );
    e.retry_after = Some(retry.ceil().clamp(1.0, 60.0) as u64);
    Err(e)
}

/// Reserve `need` bytes of `--max-memory-mb` for a solve a worker runs,
/// waiting as long as it takes (other work holds memory for a bounded
/// time: its time limit).
pub(crate) async fn reserve_for_solve(
    state: &AppStateRef,
    need: u64,
) -> Option<OwnedSemaphorePermit> {
    let share = mib_permits(memory_share(state));
    Arc::clone(&state.memory)
        .acquire_many_owned(mib_permits(need).min(share))
        .await
        .ok()
}

/// E1001 (400, line and column) when the body is not JSON.
pub(crate) fn check_syntax(body: &[u8]) -> Result<(), ApiError> {
    let Some((line, column)) = json_error_position(body) else {
        return Ok(());
    };
    let issue = Issue::new(
        "E1001",
        "",
        format!("malformed JSON at line {line} column {column}"),
        "fix the JSON syntax of the body (a missing comma, quote or bracket)",
    );
    Err(ApiError::from_issues(vec![issue], body))
}

/// Parse a JSON body into `T`: E1001 (400, line and column) for bad
/// syntax, E1002 (422, with the JSON path) for a wrong shape.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8], hint: &str) -> Result<T, ApiError> {
    check_syntax(body)?;
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let issue = Issue::new("E1002", e.path().to_string(), e.inner().to_string(), hint);
        ApiError::from_issues(vec![issue], body)
    })
}

/// A library error as the API shows it: bad input a 422 with every issue,
/// anything else an internal error (an incident id).
pub(crate) fn from_rota(e: RotaError, body: &[u8]) -> ApiError {
    match e {
        RotaError::Invalid(issues) => ApiError::from_issues(issues.0, body),
        other => ApiError::internal(other),
    }
}

/// [`from_rota`] for a part of the body (`request`, `plan`): each issue's
/// path starts with the part's name.
pub(crate) fn from_rota_in(part: &str, e: RotaError, body: &[u8]) -> ApiError {
    match e {
        RotaError::Invalid(issues) => ApiError::from_issues(
            issues
                .0
                .into_iter()
                .map(|mut i| {
                    i.path = if i.path.is_empty() {
                        part.to_string()
                    } else {
                        format!("{part}.{}", i.path)
                    };
                    i
                })
                .collect(),
            body,
        ),
        other => ApiError::internal(other),
    }
}

/// The error answers of work that reads a stored or posted request and
/// plan (check, report, export) within the service's limits.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum ReadErrors {
    #[response(
        status = 422,
        description = "E2001: reading this request and plan would need more than a worker's share of `--max-memory-mb`"
    )]
    TooLarge(super::error::ErrorBody),
    #[response(
        status = 429,
        description = "The memory budget (`--max-memory-mb`) stayed taken by running work for 30 s; see Retry-After"
    )]
    Busy(super::error::ErrorBody),
    #[response(
        status = 503,
        description = "`timed_out`: the work did not end within `--max-time-limit` (plus 5 s)"
    )]
    TimedOut(super::error::ErrorBody),
}
