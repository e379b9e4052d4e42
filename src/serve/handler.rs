//! The steps the HTTP handlers ([`super::api`], [`super::workflows`]) share:
//! take a JSON body, find a job, parse and map errors, run the library on a
//! blocking thread (on a worker's slot when it builds a problem).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

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
            let Some(row) = s.store.get(&job)? else {
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

/// [`blocking`] on a worker's slot: for what builds the day's problem, so
/// never more than `--workers` problems are in memory at once.
pub(crate) async fn blocking_on_slot<T, F>(state: &AppStateRef, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    let slot = take_slot(state).await?;
    let answer = blocking(f).await;
    drop(slot);
    answer
}

/// A worker's slot, waited for up to [`SLOT_WAIT`]; else 429 `busy`.
async fn take_slot(state: &AppStateRef) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    if let Ok(Ok(slot)) = tokio::time::timeout(SLOT_WAIT, state.slots.acquire()).await {
        return Ok(slot);
    }
    let retry = state
        .db(|s| Ok(s.seconds_until_a_worker_frees()))
        .await?
        .unwrap_or(1.0);
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "busy",
        "every worker is solving; try again after Retry-After seconds",
    );
    e.retry_after = Some(retry.ceil().clamp(1.0, 60.0) as u64);
    Err(e)
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
