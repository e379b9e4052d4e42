//! The service's routes and its OpenAPI document: every handler of
//! [`super::api`] (jobs, check, health) and [`super::workflows`] (re-plan,
//! fit, capacity, export) behind the token check, the body limit and the
//! error shape. Only this module knows both; they do not know each other
//! but through [`super::handler`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;
use utoipa::{Modify, OpenApi};

use super::api::*;
use super::error::{ApiError, ErrorBody, json_errors, shorten};
use super::jobs::JobStatus;
use super::{State as AppStateRef, auth, conn};

/// This API as OpenAPI 3.
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "OpenAPI document", body = Object)),
    security(("bearer" = [])))]
pub(crate) async fn openapi_json() -> Response {
    axum::Json(ApiDoc::openapi()).into_response()
}

/// The OpenAPI document as pretty JSON (`rota serve --print-openapi`).
pub fn openapi_document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

async fn not_found_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route (see /openapi.json)",
    )
}

// ------------------------------------------------------------------ OpenAPI

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rota planning service",
        description = "Next-day care rounds over HTTP: submit a request of the contract, \
                       poll the job, get the plan. See docs/service.md."
    ),
    paths(create_plan, list_plans, get_plan, cancel_plan, plan_report,
        super::workflows::replan_plan, super::workflows::fit_plan, super::workflows::capacity_plan,
        super::workflows::export_plan,
        check_plan, healthz, openapi_json),
    components(schemas(JobView, JobList, JobSummary, JobStatus, ProgressView, ErrorBody, CheckBody,
        CheckResult, ViolationView, crate::model::Request, crate::model::Plan,
        super::workflows::ReplanBody, super::workflows::FitBody, super::workflows::FitAnswer,
        super::workflows::ExportFormat, super::workflows::CapacityBody,
        crate::capacity::Capacity)),
    tags(
        (name = "jobs", description = "Submit a request, follow its job, get the plan and its report"),
        (name = "workflows", description = "On a finished job: re-plan, fit one more client, capacity, export"),
        (name = "check", description = "The independent checker"),
        (name = "service", description = "Liveness and this document"),
    ),
    modifiers(&BearerAuth, &StopKinds)
)]
pub struct ApiDoc;

/// `Stop` as code generators read it. utoipa describes the internally
/// tagged enum as a `oneOf` of `allOf`s with `kind` outside `VisitStop`
/// and `BreakStop`, which generators cannot follow (openapi-python-client
/// drops `Stop` and everything that uses it). Here `Stop` is a `oneOf` of
/// the two with a `discriminator` on `kind`, and `kind` is a required
/// property of each, as it always is on the wire (a stop is never sent
/// but inside a round, where serde writes its `kind`).
struct StopKinds;

impl Modify for StopKinds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{
            Discriminator, ObjectBuilder, OneOfBuilder, Ref, Schema, Type,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut kinds = Discriminator::new("kind");
        for (kind, name) in [("visit", "VisitStop"), ("break", "BreakStop")] {
            let Some(RefOr::T(Schema::Object(stop))) = components.schemas.get_mut(name) else {
                panic!("the OpenAPI document has no object schema {name}");
            };
            let property = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([kind]))
                .description(Some(format!("Always `{kind}` for this kind of stop.")));
            stop.properties.insert("kind".to_string(), property.into());
            stop.required.insert(0, "kind".to_string());
            kinds
                .mapping
                .insert(kind.to_string(), format!("#/components/schemas/{name}"));
        }
        let stop = OneOfBuilder::new()
            .item(Ref::from_schema_name("VisitStop"))
            .item(Ref::from_schema_name("BreakStop"))
            .discriminator(Some(kinds))
            .description(Some(
                "A stop of a round: a visit or a break, by its `kind`.",
            ));
        components
            .schemas
            .insert("Stop".to_string(), Schema::OneOf(stop.build()).into());
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        // Cargo.toml names no licence: no empty `license` object.
        openapi.info.license = None;
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

// ------------------------------------------------------------------ router

/// Every response: browsers must not guess another type than the one sent.
async fn no_sniff(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// The whole service: routes, token check, body limit, the error shape,
/// CORS when configured, and one log line per request.
pub(crate) fn router(state: AppStateRef) -> Router {
    let protected = Router::new()
        .route("/v1/plans", post(create_plan).get(list_plans))
        .route("/v1/plans/{id}", get(get_plan).delete(cancel_plan))
        .route("/v1/plans/{id}/report", get(plan_report))
        .route("/v1/plans/{id}/replan", post(super::workflows::replan_plan))
        .route("/v1/plans/{id}/fit", post(super::workflows::fit_plan))
        .route(
            "/v1/plans/{id}/capacity",
            post(super::workflows::capacity_plan),
        )
        .route("/v1/plans/{id}/export", get(super::workflows::export_plan))
        .route("/v1/check", post(check_plan))
        .route("/openapi.json", get(openapi_json))
        // Unknown routes need the token too: without it, nothing but
        // /healthz answers anything but 401.
        .fallback(not_found_route)
        // The whole body is read, within --max-body-mb and --body-timeout,
        // before a handler runs, and only once the caller is let in.
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            conn::read_body_within,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_token,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_known_host,
        ));
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .merge(protected)
        .with_state(Arc::clone(&state))
        // axum's own limit is replaced by conn::read_body_within.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::map_response(no_sniff));
    if !state.config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = state
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        );
    }
    app.layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &axum::http::Request<Body>| {
                // Method and path only: never the body or the query.
                tracing::info_span!("http", method = %req.method(), path = %shorten(req.uri().path()))
            })
            .on_request(())
            .on_body_chunk(())
            .on_eos(())
            .on_failure(())
            .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
                let job = res
                    .extensions()
                    .get::<JobId>()
                    .map(|j| j.0.as_str())
                    .unwrap_or("-");
                tracing::info!(
                    status = res.status().as_u16(),
                    latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
                    job = %job,
                    "request"
                );
            }),
    )
}
