//! Routes, handlers, the one error shape and the OpenAPI description.
//!
//! | route | what |
//! |-------|------|
//! | `POST /v1/plans[?wait=S]` | validate a request, queue a job: 202 (or 200 with the plan if done within `wait`) |
//! | `GET /v1/plans[?status=S&limit=N]` | the newest jobs, without plans |
//! | `GET /v1/plans/{id}` | status, progress while running, the plan when there is one |
//! | `DELETE /v1/plans/{id}` | stop a job, keep the best plan found so far |
//! | `GET /v1/plans/{id}/report` | the HTML report of the plan |
//! | `POST /v1/plans/{id}/replan`, `.../fit`, `GET .../export` | [`super::workflows`] |
//! | `POST /v1/check` | the independent checker on `{request, plan}` |
//! | `GET /healthz` | liveness (no token needed) |
//! | `GET /openapi.json` | this API, described by `utoipa` |
//!
//! Every error is `{"code", "message", "details"}` with the HTTP status.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::handler::{
    blocking, check_syntax, find_job, from_rota, from_rota_in, json_body, json_body_maybe_gzip,
    memory_share, read_claim, run_limited,
};
use super::jobs::{JobRow, JobStatus, NewJob};
use super::{State as AppStateRef, now_ms};
use crate::control::Progress;
use crate::error::Issue;

/// The longest `?wait` honoured, in seconds.
pub const MAX_WAIT_SECONDS: f64 = 600.0;

/// The Content-Security-Policy of the HTML report.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// How long a `DELETE` waits for a running solve to stop before answering
/// 202 (the solver stops between two of its steps).
const CANCEL_WAIT: Duration = Duration::from_secs(30);

// ------------------------------------------------------------------ views

/// Progress of a solve as the API shows it: [`Progress`] itself.
pub type ProgressView = Progress;

/// The last snapshot of a solve that made `plan`: the plan's own figures
/// (phase `final`), so a finished job's progress matches its plan.
pub fn progress_of_plan(plan: &crate::model::Plan) -> ProgressView {
    let s = &plan.summary;
    ProgressView {
        elapsed_seconds: (s.solve_seconds * 1000.0).round() / 1000.0,
        clients_served: s.clients_served as usize,
        priority_served: s.priority_served,
        travel_minutes: s.travel_minutes,
        upper_bound_priority: s.upper_bound_priority,
        phase: "final".to_string(),
        reported_at_seconds: 0.0,
    }
}

/// A live snapshot as the API shows it: seconds to the millisecond.
pub fn progress_view(mut p: Progress) -> ProgressView {
    p.elapsed_seconds = (p.elapsed_seconds * 1000.0).round() / 1000.0;
    p
}

/// A job as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: String,
    pub status: JobStatus,
    /// The day planned: the request's `date` (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
    /// For a re-plan job (`POST /v1/plans/{id}/replan`): the id of the job
    /// whose plan it re-plans; null for a job of a posted request.
    pub parent: Option<String>,
    /// This job's URL (path).
    pub url: String,
    /// The HTML report, when there is a plan.
    pub report_url: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The time limit the solve runs with: the request's, capped by the
    /// service's `--max-time-limit`.
    pub time_limit_seconds: f64,
    /// While running: live; after: the last snapshot.
    pub progress: Option<ProgressView>,
    /// The plan of the contract (`docs/format.md`): when `done`, and when
    /// `cancelled` after the solve had found one (the best so far).
    #[schema(value_type = Option<crate::model::Plan>)]
    pub plan: Option<Box<RawValue>>,
    /// Why the job failed or has no plan.
    pub error: Option<String>,
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn job_view(row: JobRow, live: Option<Progress>) -> Result<JobView, ApiError> {
    let url = format!("/v1/plans/{}", row.id);
    let plan = row
        .plan
        .map(RawValue::from_string)
        .transpose()
        .map_err(ApiError::internal)?;
    let progress = match live {
        Some(p) => Some(progress_view(p)),
        None => row
            .progress
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
    };
    Ok(JobView {
        report_url: plan.as_ref().map(|_| format!("{url}/report")),
        url,
        id: row.id,
        status: row.status,
        date: row.date,
        parent: row.parent,
        created_at: rfc3339(row.created_at),
        started_at: row.started_at.map(rfc3339),
        finished_at: row.finished_at.map(rfc3339),
        time_limit_seconds: row.time_limit_seconds,
        progress,
        plan,
        error: row.error,
    })
}

/// Read a job and, if it runs, its live progress.
async fn load_view(state: &AppStateRef, id: &str) -> Result<JobView, ApiError> {
    let owned = id.to_string();
    let found = state
        .db(move |s| {
            let row = s.job(&owned)?;
            let live = s.live.get(&owned).map(|l| l.ctl.progress());
            Ok(row.map(|r| (r, live)))
        })
        .await?;
    let (row, live) = found.ok_or_else(|| ApiError::not_found(id))?;
    job_view(row, live)
}

/// The job id of a response, for the request log line.
#[derive(Clone, Debug)]
pub struct JobId(pub String);

fn with_job(mut res: Response, id: &str) -> Response {
    res.extensions_mut().insert(JobId(id.to_string()));
    res
}

fn job_response(status: StatusCode, view: JobView) -> Response {
    let id = view.id.clone();
    let mut res = (status, axum::Json(view)).into_response();
    if status == StatusCode::ACCEPTED
        && let Ok(v) = HeaderValue::from_str(&format!("/v1/plans/{id}"))
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    with_job(res, &id)
}

// ------------------------------------------------------------------ handlers

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitParams {
    /// Answer with the plan (200) if the job is done within this many
    /// seconds (at most 600); otherwise 202 as without it.
    pub wait: Option<f64>,
}

/// Submit a request of the contract; it is validated at once.
#[utoipa::path(
    post, path = "/v1/plans", tag = "jobs",
    params(WaitParams),
    request_body(content = crate::model::Request, content_type = "application/json",
        description = "A request of the contract (docs/format.md)"),
    responses(
        (status = 202, description = "Queued (or still running after `wait`)", body = JobView,
            headers(("Location" = String, description = "The job's URL"))),
        (status = 200, description = "Done within `wait`: the job with its plan", body = JobView),
        (status = 400, description = "Malformed JSON (line and column in details)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid request: every issue with code, path and hint", body = ErrorBody),
        (status = 429, description = "Queue full; see Retry-After", body = ErrorBody),
        (status = 503, description = "The job database's disk is full (`storage_full`); see Retry-After", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_plan(
    State(state): State<AppStateRef>,
    query: Result<Query<WaitParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let wait = parse_wait(query)?;
    let body = json_body_maybe_gzip(&headers, body)?;
    let cap = super::roads::decompressed_cap(&state.config);
    // Parsing and validating a large day takes real CPU: not on the
    // threads that answer other requests.
    let max_limit = state.config.max_time_limit_seconds;
    let memory_share = memory_share(&state);
    let roads = state.roads.clone();
    let body = blocking(move || super::roads::decode_body(&headers, body, cap)).await?;
    // Validation is work too: its memory is reserved like a solve's.
    let claim = read_claim("validating this request", body.len());
    let job = run_limited(&state, claim, &[], move || {
        prepare_request(&body, max_limit, memory_share, roads.as_deref())
    })
    .await?;
    enqueue(&state, job, wait).await
}

/// Load and validate a request body (once) and build what the job keeps:
/// the request (time limit capped at `max_limit`), its warnings and that
/// limit. With `--osm` (`roads`) the memory estimate counts the road
/// matrices to compute.
fn prepare_request(
    body: &[u8],
    max_limit: f64,
    memory_share: u64,
    roads: Option<&crate::roads::network::Network>,
) -> Result<NewJob, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not UTF-8: {e}"),
        )
    })?;
    let amend = crate::prepare::Amend {
        max_time_limit: Some(max_limit),
        ..Default::default()
    };
    let req = crate::prepare::load(text, amend).map_err(|e| from_rota(e, body))?;
    // The budget is for all workers' solves together.
    super::roads::check_memory(roads, &req, memory_share)
        .map_err(|issue| ApiError::from_issues(vec![issue], body))?;
    NewJob::of(&req, None).map_err(ApiError::internal)
}

/// `?wait=S`: seconds, 0 or more (capped at [`MAX_WAIT_SECONDS`]).
pub(crate) fn parse_wait(
    query: Result<Query<WaitParams>, QueryRejection>,
) -> Result<Option<f64>, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
    match query.map_err(|e| bad(e.body_text()))?.0.wait {
        None => Ok(None),
        Some(w) if w.is_finite() && w >= 0.0 => Ok(Some(w.min(MAX_WAIT_SECONDS))),
        Some(_) => Err(bad(
            "`wait` must be a number of seconds, 0 or more".to_string()
        )),
    }
}

/// Queue a job (a request, and for a re-plan the plan and disruption) and
/// answer as `POST /v1/plans` does: 202, or 200 when done within `wait`;
/// 429 when the queue is full.
pub(crate) async fn enqueue(
    state: &AppStateRef,
    new: NewJob,
    wait: Option<f64>,
) -> Result<Response, ApiError> {
    let id = new_job_id();
    let queue_cap = state.config.queue;
    let job = id.clone();
    let refused = state
        .db(move |s| {
            // Outcomes waiting for a full disk go first; while they cannot
            // be written, or the disk has no room for the reserve, no new
            // job is taken (503 `storage_full`).
            s.ready_for_work()?;
            if s.store.queued()? >= queue_cap {
                // A place frees up at the latest when the first running
                // solve reaches its time limit.
                let wait = s.seconds_until_a_worker_frees().unwrap_or(1.0);
                return Ok(Some(wait.ceil().clamp(1.0, 60.0) as u64));
            }
            s.store.insert_job(&job, &new, now_ms())?;
            Ok(None)
        })
        .await?;
    if let Some(retry_after) = refused {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "queue_full",
            format!(
                "{queue_cap} job(s) already wait for a worker; try again after Retry-After seconds"
            ),
        );
        e.retry_after = Some(retry_after);
        return Err(e);
    }
    state.wake.notify_waiters();

    if let Some(w) = wait
        && state.wait_finished(&id, Duration::from_secs_f64(w)).await
    {
        let view = load_view(state, &id).await?;
        return Ok(job_response(StatusCode::OK, view));
    }
    let view = load_view(state, &id).await?;
    Ok(job_response(StatusCode::ACCEPTED, view))
}

/// 409 for a job without a plan: `stored_data_damaged` when its plan or
/// request was found damaged (its `error` says so), else `no_plan`.
pub(crate) fn no_plan(id: &str, status: JobStatus, error: Option<&str>) -> ApiError {
    let id = super::error::shorten(id);
    match error.and_then(|e| e.strip_prefix(super::jobs::DAMAGED_CODE)) {
        Some(why) => ApiError::new(
            StatusCode::CONFLICT,
            super::jobs::DAMAGED_CODE,
            format!("job '{id}' is failed{why}"),
        ),
        None => ApiError::new(
            StatusCode::CONFLICT,
            "no_plan",
            format!("job '{id}' is {} and has no plan", status.as_str()),
        ),
    }
}

/// 128 random bits, hex: unguessable, so a job id is not a way in.
fn new_job_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only jobs with this status.
    pub status: Option<JobStatus>,
    /// How many of the newest jobs (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// One line of the job list.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobSummary {
    pub id: String,
    pub status: JobStatus,
    /// The day planned: the request's `date` (`YYYY-MM-DD`).
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
    /// For a re-plan job: the job whose plan it re-plans.
    pub parent: Option<String>,
    pub url: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// The job list, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub jobs: Vec<JobSummary>,
}

/// The newest jobs (without their plans), e.g. to find what is queued.
#[utoipa::path(
    get, path = "/v1/plans", tag = "jobs",
    params(ListParams),
    responses(
        (status = 200, description = "The newest jobs, newest first", body = JobList),
        (status = 400, description = "A bad `status` or `limit`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn list_plans(
    State(state): State<AppStateRef>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?
        .0;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state
        .db(move |s| {
            let mut rows = s.store.list(q.status, limit)?;
            // Outcomes kept in memory (a full disk) show as the jobs' own.
            for r in &mut rows {
                if let Some(o) = s.pending.get(&r.id) {
                    r.status = o.status;
                    r.finished_at = Some(o.finished_at);
                }
            }
            Ok(rows)
        })
        .await?;
    let jobs = rows
        .into_iter()
        .map(|j| JobSummary {
            url: format!("/v1/plans/{}", j.id),
            id: j.id,
            status: j.status,
            date: j.date,
            parent: j.parent,
            created_at: rfc3339(j.created_at),
            finished_at: j.finished_at.map(rfc3339),
        })
        .collect();
    Ok(axum::Json(JobList { jobs }).into_response())
}

/// A job: status, progress while running, the plan when there is one.
#[utoipa::path(
    get, path = "/v1/plans/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 404, description = "Unknown job", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn get_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = load_view(&state, &id).await?;
    Ok(job_response(StatusCode::OK, view))
}

/// Stop a job. Queued: cancelled, no plan. Running: the solve stops and
/// the best plan found so far is kept (`cancelled` with `plan`). Finished:
/// unchanged.
#[utoipa::path(
    delete, path = "/v1/plans/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job, stopped (or already finished)", body = JobView),
        (status = 202, description = "Asked to stop; still stopping after 30 s", body = JobView),
        (status = 404, description = "Unknown job", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn cancel_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let was_running = find_job(&state, &id, |s, row| {
        if row.status == JobStatus::Queued {
            s.store.cancel_queued(&row.id, now_ms())?;
            return Ok(false);
        }
        if let Some(live) = s.live.get(&row.id) {
            live.cancelled_by_user.store(true, Ordering::SeqCst);
            live.ctl.cancel();
            return Ok(true);
        }
        Ok(false)
    })
    .await?;
    let stopped = !was_running || state.wait_finished(&id, CANCEL_WAIT).await;
    let view = load_view(&state, &id).await?;
    let status = if stopped {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    let mut res = (status, axum::Json(view)).into_response();
    res = with_job(res, &id);
    Ok(res)
}

/// The printable HTML report of a job's plan.
#[utoipa::path(
    get, path = "/v1/plans/{id}/report", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "HTML report", content_type = "text/html"),
        (status = 404, description = "Unknown job", body = ErrorBody),
        (status = 409, description = "The job has no plan (yet), or its stored data was found damaged (`stored_data_damaged`)", body = ErrorBody),
        super::handler::ReadErrors,
    ),
    security(("bearer" = []))
)]
pub(crate) async fn plan_report(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (row, request) = find_job(&state, &id, |s, row| {
        let request = s.store.request_of(&row.id)?;
        Ok((row, request))
    })
    .await?;
    let (Some(plan), Some(request)) = (row.plan, request) else {
        return Err(no_plan(&id, row.status, row.error.as_deref()));
    };
    let claim = read_claim("this report", request.len() + plan.len());
    let html = run_limited(&state, claim, &[], move || {
        let req = crate::parse::request_from_str(&request).map_err(ApiError::internal)?;
        let plan = crate::parse::plan_from_str(&plan).map_err(ApiError::internal)?;
        Ok(crate::output::report::html(&req, &plan))
    })
    .await?;
    let mut res = Html(html).into_response();
    // The report is self-contained (inline styles, no scripts): forbid
    // everything else, so even a name in it that escaped escaping runs nothing.
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(REPORT_CSP),
    );
    Ok(with_job(res, &id))
}

/// The body of `POST /v1/check`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// A request of the contract.
    #[schema(value_type = crate::model::Request)]
    pub request: Box<RawValue>,
    /// A plan of the contract.
    #[schema(value_type = crate::model::Plan)]
    pub plan: Box<RawValue>,
}

/// One broken rule, as `POST /v1/check` reports it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationView {
    /// Stable rule id (docs/checker.md).
    pub rule: String,
    pub message: String,
}

/// What the checker found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResult {
    /// True when the plan breaks no rule of its request.
    pub valid: bool,
    /// Every broken rule: `rule` (stable id, `docs/checker.md`) and `message`.
    #[schema(value_type = Vec<ViolationView>)]
    pub violations: Vec<crate::check::Violation>,
}

/// Run the independent checker on a request and a plan.
#[utoipa::path(
    post, path = "/v1/check", tag = "check",
    request_body(content = CheckBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Checked (valid or not)", body = CheckResult),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The request or plan is not of the contract; issue paths start with `request.` or `plan.`; or E2001: the body would need more than a worker's share of `--max-memory-mb` to read", body = ErrorBody),
        (status = 429, description = "The memory budget (`--max-memory-mb`) stayed taken by running work for 30 s; see Retry-After", body = ErrorBody),
        (status = 503, description = "`timed_out`: the check did not end within `--max-time-limit` (plus 5 s)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn check_plan(
    State(state): State<AppStateRef>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let claim = read_claim("this check", body.len());
    let result = run_limited(&state, claim, &[], move || {
        check_syntax(&body)?;
        let parts: CheckBody = serde_json::from_slice(&body).map_err(|e| {
            ApiError::from_issues(
                vec![Issue::new(
                    "E1002",
                    "",
                    format!("{e}"),
                    "send {\"request\": <request>, \"plan\": <plan>}",
                )],
                &body,
            )
        })?;
        let req = crate::load_request(parts.request.get())
            .map_err(|e| from_rota_in("request", e, &body))?;
        let plan = crate::parse::plan_from_str(parts.plan.get())
            .map_err(|e| from_rota_in("plan", e, &body))?;
        let report = crate::check::check(&req, &plan);
        Ok(CheckResult {
            valid: report.is_valid(),
            violations: report.violations,
        })
    })
    .await?;
    Ok(axum::Json(result).into_response())
}

/// Liveness: answers without touching the job store or the token.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The service is up", body = Object)))]
pub(crate) async fn healthz(State(state): State<AppStateRef>) -> Response {
    axum::Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "workers": state.config.workers,
    }))
    .into_response()
}
