//! The workflows a rota system automates on a finished job, each a thin
//! handler on the library call the CLI uses:
//!
//! | route | library call | CLI |
//! |-------|--------------|-----|
//! | `POST /v1/plans/{id}/replan[?wait=S]` | [`crate::replan::replan`], as a new job | `rota replan` |
//! | `POST /v1/plans/{id}/fit` | [`crate::capacity::fit::fit`], on a worker's slot | `rota fit` |
//! | `POST /v1/plans/{id}/capacity` | [`crate::capacity::capacity`], on a worker's slot | `rota capacity` |
//! | `GET /v1/plans/{id}/export?format=csv\|ical` | [`crate::output::export`] | `rota export` |
//!
//! A re-plan is a solve, so it is a job like any other (queued, run by a
//! worker within its time limit, cancellable, its plan checked and stored,
//! with its own report, export and fit). A fit builds the day's problem, so
//! it waits for a free worker slot: never more than `--workers` problems in
//! memory at once. A capacity run does too, one solve at a time, with
//! its total time (every solve's limit) within `--max-time-limit`. Each
//! also reserves its estimated memory and answers within the time limit
//! ([`super::handler::run_limited`]), as an export does.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::State as AppStateRef;
use super::api::{WaitParams, enqueue, parse_wait};
use super::error::{ApiError, ErrorBody};
use super::handler::{
    Claim, blocking, find_job, from_rota, from_rota_in, json_body, memory_share, parse_body,
    read_claim, run_limited,
};
use super::jobs::{Claimed, NewJob};
use crate::RotaError;
use crate::capacity::fit::{Fit, FitOptions};
use crate::control::SolveControl;
use crate::error::Issue;
use crate::model::{Plan, Request, minutes_of_day};
use crate::prepare::Prepared;
use crate::validate::ValidRequest;

/// The re-plan time limit when the body gives none (as `rota replan`).
pub const DEFAULT_REPLAN_SECONDS: f64 = 5.0;

/// At most this many ways are asked of a fit.
pub const MAX_FIT_OPTIONS: usize = 20;

/// Solve a claimed job: a request, or a re-plan of one (`replan`: a
/// [`ReplanJob`] as JSON). Runs on a worker's blocking thread.
pub(crate) fn solve_job(
    job: &Claimed,
    ctl: &SolveControl,
    prepare: &dyn Fn(ValidRequest, Instant) -> Result<Prepared, RotaError>,
) -> Result<Plan, RotaError> {
    // The job's time limit counts from here, road travel times included.
    let started = Instant::now();
    let req = crate::parse::request_from_str(&job.request)?;
    let prepared = prepare(stored_request(req, job.warnings.as_deref())?, started)?;
    // Issued when the job finishes: calendars of a later job replace its
    // events (docs/outputs.md, "Calendars").
    let issue = |mut plan: Plan| {
        plan.issued = Some(crate::model::issued_now());
        plan
    };
    let Some(replan) = &job.replan else {
        return crate::plan_prepared(&prepared, &crate::PlanOptions::default(), ctl, None)
            .map(|p| issue(p.plan));
    };
    let job: ReplanJob = serde_json::from_str(replan)
        .map_err(|e| RotaError::Internal(format!("stored re-plan cannot be read: {e}")))?;
    let mut d = crate::replan::Disruption::new(job.now, job.unavailable, job.unavailable_from);
    if let Some(f) = job.freeze {
        d.freeze = f;
    }
    let opts = crate::PlanOptions {
        exact: false,
        ..Default::default()
    };
    crate::replan::replan(&prepared, &job.plan, &d, &opts, ctl).map(issue)
}

/// A stored request as the validated request it was when posted, with the
/// warnings stored beside it; a job stored without them (by an older
/// version) is validated here, once.
fn stored_request(req: Request, warnings: Option<&str>) -> Result<ValidRequest, RotaError> {
    let issues = warnings
        .and_then(|w| serde_json::from_str::<Vec<crate::model::Warning>>(w).ok())
        .and_then(|ws| {
            ws.iter()
                .map(Issue::from_warning)
                .collect::<Option<Vec<_>>>()
        });
    match issues {
        Some(warnings) => Ok(ValidRequest::from_store(req, warnings)),
        None => crate::validate::valid(req).map_err(RotaError::Invalid),
    }
}

/// What a re-plan job keeps besides its request: the plan the day started
/// with and the disruption (minutes since midnight).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ReplanJob {
    pub plan: Plan,
    pub now: i32,
    pub unavailable: Vec<String>,
    pub unavailable_from: Option<i32>,
    /// Minutes (absent in jobs stored before it existed: the default).
    #[serde(default)]
    pub freeze: Option<i32>,
}

/// The body of `POST /v1/plans/{id}/replan`: what happened (`rota replan`'s
/// flags).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplanBody {
    /// The time of the re-plan, `HH:MM`: calls that started before it are
    /// kept as they happened.
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub now: NaiveTime,
    /// Ids of the carers who are absent.
    #[serde(default)]
    pub unavailable: Vec<String>,
    /// From when they are absent, `HH:MM` (default `now`).
    #[schema(value_type = Option<String>, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(default, with = "crate::model::hhmm::option")]
    pub unavailable_from: Option<NaiveTime>,
    /// The freeze window in minutes (default 15, docs/replan.md "Freeze"):
    /// a call whose carer leaves for it before `now` + this stays as
    /// planned, unless its carer is absent.
    #[serde(default)]
    pub freeze_minutes: Option<u32>,
    /// Seconds for the re-plan (default 5, capped at `--max-time-limit`).
    #[serde(default)]
    pub time_limit_seconds: Option<f64>,
    /// Stop when the search stops improving (default: the request's).
    #[serde(default)]
    pub stop_when_stalled: Option<bool>,
    /// The amended request (new or cancelled visits); default the job's.
    #[schema(value_type = Option<crate::model::Request>)]
    #[serde(default)]
    pub request: Option<Box<RawValue>>,
}

/// The body of `POST /v1/plans/{id}/fit`: the new client (`rota fit
/// --client`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FitBody {
    /// One client of the request format, with its visits.
    pub client: crate::model::Client,
    /// At most this many ways (default 5, at most 20).
    #[serde(default)]
    pub options: Option<usize>,
    /// When the client does not fit: re-plan the day with the client
    /// added within this many seconds (cut to `--max-time-limit`), and say
    /// whether that serves them and whom it drops (`rota fit --replan`).
    #[serde(default)]
    pub replan_seconds: Option<f64>,
}

/// The answer of `POST /v1/plans/{id}/fit`: `rota fit`'s JSON, and the
/// plan `rota fit --plan-output` writes (checked).
#[derive(Debug, Serialize, ToSchema)]
pub struct FitAnswer {
    #[serde(flatten)]
    pub fit: Fit,
    /// The published plan with the best way applied when the client fits;
    /// else, with `replan_seconds`, the re-plan when it serves the client;
    /// else null.
    pub plan: Option<Plan>,
}

/// `?format=`: the export's format.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One row per stop (`text/csv`).
    Csv,
    /// One calendar with every round's events (`text/calendar`).
    Ical,
    /// Who to phone after a re-plan (`application/json`, docs/replan.md).
    Phones,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (one row per stop), `ical` (one calendar, every round) or
    /// `phones` (who to phone after a re-plan).
    pub format: ExportFormat,
    /// Clients' names in event titles and the CSV's `client_name`
    /// (default false: titles show on lock screens).
    #[serde(default)]
    pub names: bool,
}

/// A job's stored request and plan, or 404 / 409 `no_plan`.
async fn request_and_plan(state: &AppStateRef, id: &str) -> Result<(String, String), ApiError> {
    let ((request, _), plan) = stored_and_plan(state, id).await?;
    Ok((request, plan))
}

/// A finished job's request JSON with its stored warnings, and its plan.
async fn stored_and_plan(
    state: &AppStateRef,
    id: &str,
) -> Result<((String, Option<String>), String), ApiError> {
    let (row, request) = find_job(state, id, |s, row| {
        let request = s.store.request_with_warnings(&row.id)?;
        Ok((row, request))
    })
    .await?;
    match (row.plan, request) {
        (Some(plan), Some(request)) => Ok((request, plan)),
        _ => Err(super::api::no_plan(id, row.status, row.error.as_deref())),
    }
}

/// The error answers the handlers on a finished job's JSON body share
/// (re-plan, fit, capacity), for their OpenAPI descriptions.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only described: the handlers answer with `ApiError`
enum JobBodyErrors {
    #[response(status = 404, description = "Unknown job")]
    UnknownJob(ErrorBody),
    #[response(status = 413, description = "Body too large")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Not JSON")]
    NotJson(ErrorBody),
}

/// The error answers the handlers on a worker's slot share (fit,
/// capacity), for their OpenAPI descriptions.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only described: the handlers answer with `ApiError`
enum SlotErrors {
    #[response(status = 400, description = "Malformed JSON")]
    Malformed(ErrorBody),
    #[response(status = 409, description = "The job has no plan")]
    NoPlan(ErrorBody),
    #[response(
        status = 429,
        description = "Every worker slot, or the memory budget (`--max-memory-mb`), stayed busy for 30 s; see Retry-After"
    )]
    Busy(ErrorBody),
    #[response(
        status = 503,
        description = "`timed_out`: the work did not end within `--max-time-limit` (plus 5 s)"
    )]
    TimedOut(ErrorBody),
}

/// Re-plan a finished job's day after a disruption: a new job.
#[utoipa::path(
    post, path = "/v1/plans/{id}/replan", tag = "workflows",
    params(("id" = String, Path, description = "The job whose plan the day started with"), WaitParams),
    request_body(content = ReplanBody, content_type = "application/json"),
    responses(
        (status = 202, description = "The re-plan job, queued (or still running after `wait`)", body = super::api::JobView,
            headers(("Location" = String, description = "The new job's URL"))),
        (status = 200, description = "Done within `wait`: the new job with its plan (`summary.replan` says what changed)", body = super::api::JobView),
        (status = 400, description = "Malformed JSON or a bad `wait`", body = ErrorBody),
        (status = 409, description = "The job has no plan to re-plan", body = ErrorBody),
        JobBodyErrors,
        (status = 422, description = "A wrong body, an unknown carer (E1902), `unavailable_from` before `now` (E1903), an amended request that is invalid or for another day (E1904)", body = ErrorBody),
        (status = 429, description = "Queue full; see Retry-After", body = ErrorBody),
        (status = 503, description = "The job database's disk is full (`storage_full`); see Retry-After", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn replan_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
    query: Result<Query<WaitParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let wait = parse_wait(query)?;
    let body = json_body(&headers, body)?;
    let (request, plan) = request_and_plan(&state, &id).await?;
    let max_limit = state.config.max_time_limit_seconds;
    let memory_share = memory_share(&state);
    // Reading the job and the body is work too: its memory is reserved.
    let claim = read_claim(
        "reading this re-plan",
        body.len() + request.len() + plan.len(),
    );
    let mut job = run_limited(&state, claim, &[], move || {
        prepare_replan(&body, &request, &plan, max_limit, memory_share)
    })
    .await?;
    job.parent = Some(id);
    enqueue(&state, job, wait).await
}

/// Check a re-plan body against the job and build what the job keeps:
/// the request (time limit set, validated once), the [`ReplanJob`], the
/// time limit.
fn prepare_replan(
    body: &[u8],
    request: &str,
    plan: &str,
    max_limit: f64,
    memory_share: u64,
) -> Result<NewJob, ApiError> {
    let b: ReplanBody = parse_body(
        body,
        "send {\"now\": \"HH:MM\", \"unavailable\": [carer ids], \"unavailable_from\": \"HH:MM\"}",
    )?;
    let old = crate::parse::plan_from_str(plan).map_err(ApiError::internal)?;
    let limit = match b.time_limit_seconds {
        None => DEFAULT_REPLAN_SECONDS,
        Some(t) if t.is_finite() && t > 0.0 => t,
        Some(t) => {
            let issue = Issue::new(
                "E1002",
                "time_limit_seconds",
                format!("time limit {t} s"),
                "give a positive number of seconds",
            );
            return Err(ApiError::from_issues(vec![issue], body));
        }
    }
    .min(max_limit);
    // The body's time limit and quick answer, then one validation.
    let amend = || crate::prepare::Amend {
        time_limit: Some(limit),
        stop_when_stalled: b.stop_when_stalled,
        ..Default::default()
    };
    let req = match &b.request {
        Some(amended) => crate::prepare::load(amended.get(), amend())
            .map_err(|e| from_rota_in("request", e, body))?,
        None => crate::prepare::load(request, amend()).map_err(ApiError::internal)?,
    };
    let mut d = crate::replan::Disruption::new(
        minutes_of_day(b.now),
        b.unavailable,
        b.unavailable_from.map(minutes_of_day),
    );
    if let Some(f) = b.freeze_minutes {
        d.freeze = i32::try_from(f).unwrap_or(i32::MAX);
    }
    // The CLI's flags are this body's fields.
    let issues: Vec<Issue> = crate::replan::validate(&req, &old, &d)
        .into_iter()
        .map(|mut i| {
            i.path = match i.path.as_str() {
                "--unavailable" => "unavailable".into(),
                "--unavailable-from" => "unavailable_from".into(),
                "--freeze" => "freeze_minutes".into(),
                "date" => "request.date".into(),
                _ => i.path,
            };
            i
        })
        .collect();
    if !issues.is_empty() {
        return Err(ApiError::from_issues(issues, body));
    }
    crate::limits::check_memory(&req, 0, memory_share, "--max-memory-mb")
        .map_err(|issue| ApiError::from_issues(vec![issue], body))?;
    let job = ReplanJob {
        plan: old,
        now: d.now,
        unavailable: d.unavailable,
        unavailable_from: d.unavailable_from,
        freeze: Some(d.freeze),
    };
    let replan_json = serde_json::to_string(&job).map_err(ApiError::internal)?;
    NewJob::of(&req, Some(replan_json)).map_err(ApiError::internal)
}

/// Can one more client be taken into a finished job's plan?
#[utoipa::path(
    post, path = "/v1/plans/{id}/fit", tag = "workflows",
    params(("id" = String, Path, description = "The job whose plan is published")),
    request_body(content = FitBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Whether and how the client fits (ranked ways, or the reason and the smallest change), as `rota fit`", body = FitAnswer),
        JobBodyErrors,
        SlotErrors,
        (status = 422, description = "A wrong body (E1002), or a client the day cannot take as given: its issues as validation reports them (e.g. E1103 at `client.id`, an id already in the request), E1007, or E2001 (the day with the client would need more than a worker's share of `--max-memory-mb`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn fit_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let (request, plan) = request_and_plan(&state, &id).await?;
    let max_limit = state.config.max_time_limit_seconds;
    // The body and the day first: the fit's memory is estimated from the
    // day with the new client in it.
    let read = body.clone();
    let (b, req, plan) = blocking(move || {
        let b: FitBody = parse_body(
            &read,
            "send {\"client\": <one client of the request format>, \"options\": 5}",
        )?;
        let req = crate::parse::request_from_str(&request).map_err(ApiError::internal)?;
        let plan = crate::parse::plan_from_str(&plan).map_err(ApiError::internal)?;
        Ok((b, req, plan))
    })
    .await?;
    let size = crate::limits::Size::of(&req).with_client(&b.client);
    let replan_need = match b.replan_seconds {
        Some(_) => size.estimate_bytes(crate::limits::search_threads(0)),
        None => 0,
    };
    let claim = Claim {
        what: "fitting this client into the day",
        need: size.fit_bytes().saturating_add(replan_need),
        size: Some(size),
        slot: true,
    };
    let answer = run_limited(&state, claim, &body.clone(), move || {
        let replan = match b.replan_seconds {
            Some(s) if !(s.is_finite() && s > 0.0) => {
                return Err(ApiError::from_issues(
                    vec![Issue::new(
                        "E1007",
                        "replan_seconds",
                        format!("a re-plan time limit of {s} s"),
                        "give a positive number of seconds",
                    )],
                    &body,
                ));
            }
            // Cut to the service's limit, as a job's time limit is.
            Some(s) => Some(crate::capacity::fit::Replan {
                seconds: Some(s.min(max_limit)),
                iterations: None,
                threads: 0,
            }),
            None => None,
        };
        let opts = FitOptions {
            max_options: b.options.unwrap_or(5).clamp(1, MAX_FIT_OPTIONS),
            replan,
            // The whole fit, re-plan included, within the service's limit.
            time_limit: Some(max_limit),
            ..FitOptions::default()
        };
        let mut fit = crate::capacity::fit::fit(&req, &plan, &b.client, &opts)
            .map_err(|e| from_rota(e, &body))?;
        let plan = fit.plan.take();
        Ok(FitAnswer { fit, plan })
    })
    .await?;
    Ok(axum::Json(answer).into_response())
}

/// A finished job's plan as CSV (one row per stop) or iCal.
#[utoipa::path(
    get, path = "/v1/plans/{id}/export", tag = "workflows",
    params(("id" = String, Path, description = "Job id"), ExportParams),
    responses(
        (status = 200, description = "The plan as CSV (`text/csv`, one row per stop) or iCal (`text/calendar`, one calendar with every round's events), as `rota export`",
            content(("text/csv"), ("text/calendar"), ("application/json"))),
        (status = 400, description = "`format` missing or not `csv`, `ical` or `phones`", body = ErrorBody),
        (status = 404, description = "Unknown job", body = ErrorBody),
        (status = 409, description = "The job has no plan", body = ErrorBody),
        super::handler::ReadErrors,
    ),
    security(("bearer" = []))
)]
pub(crate) async fn export_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
    query: Result<Query<ExportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = query
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!(
                    "{}: give ?format=csv, ?format=ical or ?format=phones",
                    e.body_text()
                ),
            )
        })?
        .0;
    let (format, names) = (format.format, format.names);
    let (request, plan) = request_and_plan(&state, &id).await?;
    let claim = read_claim("this export", request.len() + plan.len());
    let (text, content_type, ext, date) = run_limited(&state, claim, &[], move || {
        let plan = crate::parse::plan_from_str(&plan).map_err(ApiError::internal)?;
        // The job's own request: its clients' locations and addresses.
        let req = crate::parse::request_from_str(&request).map_err(ApiError::internal)?;
        let places = crate::output::export::Places::of(&req).with_names(names);
        Ok(match format {
            ExportFormat::Phones => (
                serde_json::to_string_pretty(&crate::output::phone_list::phone_list(
                    Some(&req),
                    &plan,
                    crate::output::phone_list::DEFAULT_NOTIFY_MINUTES,
                ))
                .map_err(ApiError::internal)?,
                "application/json",
                "json",
                plan.date,
            ),
            ExportFormat::Csv => (
                crate::output::export::csv(&plan, &places).map_err(ApiError::internal)?,
                "text/csv; charset=utf-8",
                "csv",
                plan.date,
            ),
            ExportFormat::Ical => (
                crate::output::export::ical_one(&plan, &places),
                "text/calendar; charset=utf-8",
                "ics",
                plan.date,
            ),
        })
    })
    .await?;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"rota-{date}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// The body of `POST /v1/plans/{id}/capacity` (`rota capacity`'s flags).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityBody {
    /// Seconds per solve (each hypothetical; default 2). The run starts
    /// from the job's plan and makes `areas + 6` solves one after the
    /// other, so `time_limit_seconds * (6 + areas)` must be within
    /// `--max-time-limit`.
    #[serde(default)]
    pub time_limit_seconds: Option<f64>,
    /// Number of areas (default 3, at most 10).
    #[serde(default)]
    pub areas: Option<usize>,
    /// New package clients offered per area (default 6, at most 50).
    #[serde(default)]
    pub max_new: Option<usize>,
    /// The care package (default: four calls a day, the morning one a
    /// double-up).
    #[serde(default)]
    pub package: Option<crate::capacity::Package>,
}

/// Default seconds per capacity solve in the service.
pub const DEFAULT_CAPACITY_SECONDS: f64 = 2.0;

/// The options of a capacity run, or 422 naming the field.
fn capacity_options(
    b: CapacityBody,
    max_limit: f64,
    body: &[u8],
) -> Result<crate::capacity::CapacityOptions, ApiError> {
    let bad = |path: &str, message: String, hint: &str| {
        ApiError::from_issues(vec![Issue::new("E1006", path, message, hint)], body)
    };
    let areas = b.areas.unwrap_or(3);
    if !(1..=10).contains(&areas) {
        return Err(bad("areas", format!("{areas} areas"), "give 1 to 10 areas"));
    }
    let max_new = b.max_new.unwrap_or(6);
    if max_new > 50 {
        return Err(bad(
            "max_new",
            format!("{max_new} new clients per area"),
            "give at most 50",
        ));
    }
    let tl = b.time_limit_seconds.unwrap_or(DEFAULT_CAPACITY_SECONDS);
    // The job's plan is the baseline: the areas' and the rounds' solves.
    let solves = 6 + areas;
    if !(tl.is_finite() && tl > 0.0) || tl * solves as f64 > max_limit {
        return Err(bad(
            "time_limit_seconds",
            format!(
                "{tl} s per solve for {solves} solves is {} s, over this service's --max-time-limit of {max_limit} s",
                tl * solves as f64
            ),
            "give fewer seconds per solve, or fewer areas",
        ));
    }
    Ok(crate::capacity::CapacityOptions {
        package: b.package.unwrap_or_default(),
        areas,
        max_new,
        time_limit: tl,
        threads: 1,
    })
}

/// Service-wide what-ifs on a finished job's day: how many more package
/// clients each area could take, what one more round adds, which calls
/// could move to make room.
#[utoipa::path(
    post, path = "/v1/plans/{id}/capacity", tag = "workflows",
    params(("id" = String, Path, description = "The job whose request is asked about")),
    request_body(content = CapacityBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The answers, as `rota capacity` writes them; each names the clients it drops", body = crate::capacity::Capacity),
        JobBodyErrors,
        SlotErrors,
        (status = 422, description = "A wrong body (E1002), options out of range or a total time over --max-time-limit (E1006), a day too large for half a worker's memory share (E2001)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn capacity_plan(
    State(state): State<AppStateRef>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let ((request, warnings), plan) = stored_and_plan(&state, &id).await?;
    let max_limit = state.config.max_time_limit_seconds;
    // The body and the day first: the run's memory is estimated from it.
    let read = body.clone();
    let (opts, req, plan) = blocking(move || {
        let b: CapacityBody = parse_body(&read, "send {\"time_limit_seconds\": 2, \"areas\": 3}")?;
        let opts = capacity_options(b, max_limit, &read)?;
        let req = crate::parse::request_from_str(&request).map_err(ApiError::internal)?;
        let req = stored_request(req, warnings.as_deref()).map_err(ApiError::internal)?;
        // From the job's published plan: the what-ifs are warm-started from
        // it, and the answers are about it, not about a solve of our own.
        let plan = crate::parse::plan_from_str(&plan).map_err(ApiError::internal)?;
        Ok((opts, req, plan))
    })
    .await?;
    // The baseline and one hypothetical are in memory together.
    let size = crate::limits::Size::of(&req);
    let claim = Claim {
        what: "the capacity run on this day (two problems at once)",
        need: size
            .estimate_bytes(crate::limits::search_threads(0))
            .saturating_mul(2),
        size: Some(size),
        slot: true,
    };
    let answer = run_limited(&state, claim, &body.clone(), move || {
        crate::capacity::capacity(&req, &opts, Some(&plan)).map_err(|e| from_rota(e, &body))
    })
    .await?;
    Ok(axum::Json(answer).into_response())
}
