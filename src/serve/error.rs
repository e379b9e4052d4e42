//! The one error shape of the API (`{"code", "message", "details"}`), the
//! checks that produce the common ones (JSON content type, body limits) and
//! the middleware that gives errors made by layers the same shape.
//!
//! Internal errors never reach the client: it gets an incident id, and the
//! service log has the same id with the detail.

use axum::extract::Request;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::ServeError;
use super::jobs::{DAMAGED_CODE, FULL_CODE, is_full};
use crate::error::Issue;

/// The body of every error response.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `invalid_request`, `malformed_json`,
    /// `unsupported_media_type`, `payload_too_large`, `request_timeout`,
    /// `unauthorized`, `host_not_allowed`, `not_found`, `queue_full`,
    /// `no_plan`, `stored_data_damaged`, `bad_request`,
    /// `method_not_allowed`, `busy`, `too_many_connections`,
    /// `connection_limit`, `storage_full`, `timed_out`, `internal`.
    pub code: String,
    /// For a person.
    pub message: String,
    /// More for a program: for `invalid_request` and `malformed_json`,
    /// `issues` (each with the CLI's `code`, `path`, `message`, `hint`);
    /// for `malformed_json` also `line` and `column`; for `internal`,
    /// `incident` (the id of the service log's line about it). `null`
    /// otherwise.
    #[schema(value_type = Option<Object>)]
    pub details: Value,
}

/// An error answer: status, body and, for 429 and 401, their header.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub(crate) retry_after: Option<u64>,
}

/// Longest client-given text (e.g. a job id) echoed in a message or a log
/// line, in characters.
pub const MAX_ECHO_CHARS: usize = 64;

/// `s`, cut to [`MAX_ECHO_CHARS`] characters (with `...` when cut): what a
/// client sent is never echoed at any length.
pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}...", &s[..i]),
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_string(),
                message: message.into(),
                details: Value::Null,
            },
            retry_after: None,
        }
    }

    pub(crate) fn details(mut self, details: Value) -> ApiError {
        self.body.details = details;
        self
    }

    pub fn unauthorized(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub(crate) fn not_found(id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no job '{}' (unknown, or deleted after the retention period)",
                shorten(id)
            ),
        )
    }

    /// A fault of the service, not of the request: the detail goes to the
    /// log under a fresh incident id; the client gets only that id.
    pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
        let incident = new_incident_id();
        tracing::error!(incident = %incident, error = %e, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!(
                "internal error (incident {incident}); the service log has the details under this id"
            ),
        )
        .details(json!({ "incident": incident }))
    }

    /// Bad input found by the library: malformed JSON is a 400 with line
    /// and column, anything else (wrong shape, broken rule) a 422.
    pub(crate) fn from_issues(issues: Vec<Issue>, body: &[u8]) -> ApiError {
        if issues.iter().any(|i| i.code == "E1001") {
            let (line, column) = json_error_position(body).unwrap_or((0, 0));
            let message = issues
                .iter()
                .find(|i| i.code == "E1001")
                .map(|i| i.message.clone())
                .unwrap_or_default();
            return ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
                .details(json!({ "line": line, "column": column, "issues": issues }));
        }
        let message = match issues.as_slice() {
            [one] => one.to_string(),
            many => format!("{} problems found; each is in details.issues", many.len()),
        };
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
            .details(json!({ "issues": issues }))
    }
}

/// 64 random bits, hex: names one internal error in the log.
fn new_incident_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

impl From<ServeError> for ApiError {
    fn from(e: ServeError) -> ApiError {
        match e {
            ServeError::Damaged { job, what } => ApiError::new(
                StatusCode::CONFLICT,
                DAMAGED_CODE,
                format!(
                    "job '{}' is failed{}",
                    shorten(&job),
                    what.job_error().trim_start_matches(DAMAGED_CODE)
                ),
            ),
            e if is_full(&e) => ApiError::storage_full(),
            e => ApiError::internal(e),
        }
    }
}

impl ApiError {
    /// 503 `storage_full`: the job database's disk is full, so nothing new
    /// can be stored; try again after `Retry-After`.
    pub(crate) fn storage_full() -> ApiError {
        tracing::warn!("refused: the disk holding the job database is full");
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            FULL_CODE,
            "the disk holding the job database is full, so nothing new can be stored; try again \
             after Retry-After seconds (plans already made are kept and stored once it frees)",
        );
        e.retry_after = Some(super::STORAGE_RETRY_AFTER_SECONDS);
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(&self.body)).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Line and column of the first JSON error in `body`, if any. Parsed into
/// a `Value`, which (unlike skipping the values) also stops at a number out
/// of range such as `1e400`.
pub(crate) fn json_error_position(body: &[u8]) -> Option<(usize, usize)> {
    match serde_json::from_slice::<Value>(body) {
        Ok(_) => None,
        Err(e) => Some((e.line(), e.column())),
    }
}

pub(crate) fn body_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::new(r.status(), "bad_request", r.body_text())
    }
}

pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "the request body is larger than this service accepts (--max-body-mb)",
    )
}

/// 415 unless the body is declared JSON (`application/json` or `*+json`)
/// in UTF-8: a `charset` other than `utf-8` is refused, not misread.
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let refuse = |message: String| {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        ))
    };
    if !(mime == "application/json"
        || (mime.starts_with("application/") && mime.ends_with("+json")))
    {
        return refuse(if ct.is_empty() {
            "send the body with `Content-Type: application/json`".to_string()
        } else {
            format!(
                "the body must be JSON (`Content-Type: application/json`), not `{}`",
                shorten(ct)
            )
        });
    }
    for param in parts {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let value = value.trim().trim_matches('"');
            if !value.eq_ignore_ascii_case("utf-8") && !value.eq_ignore_ascii_case("utf8") {
                return refuse(format!(
                    "the body must be UTF-8 JSON; charset `{}` is not accepted (send UTF-8 \
                     and `Content-Type: application/json`)",
                    shorten(value)
                ));
            }
        }
    }
    Ok(())
}

/// Errors made by layers and by axum itself (413 from the body limit, 405,
/// a bad path) come as plain text: give them the one JSON error shape. The
/// text of a 5xx is logged, never sent.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let mut out = if status.is_server_error() {
        let mut e = ApiError::internal(format!("{status}: {}", text.trim()));
        e.status = status;
        e.into_response()
    } else {
        let message = match status {
            StatusCode::PAYLOAD_TOO_LARGE => too_large().body.message,
            _ if text.trim().is_empty() => status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase(),
            _ => shorten(text.trim()),
        };
        ApiError::new(status, code, message).into_response()
    };
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    *out.extensions_mut() = parts.extensions;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_shortened_on_a_char_boundary() {
        assert_eq!(shorten("abc"), "abc");
        let long = "é".repeat(10_000);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), MAX_ECHO_CHARS + 3);
        assert!(s.ends_with("..."));
    }

    #[test]
    fn only_utf8_json_is_accepted() {
        let ct = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            require_json(&h).map_err(|e| e.status)
        };
        assert_eq!(ct("application/json"), Ok(()));
        assert_eq!(ct("application/json; charset=UTF-8"), Ok(()));
        assert_eq!(ct("application/json; charset=\"utf-8\""), Ok(()));
        assert_eq!(ct("application/problem+json"), Ok(()));
        assert_eq!(
            ct("application/json; charset=latin1"),
            Err(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
        assert_eq!(ct("text/plain"), Err(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }

    #[test]
    fn a_number_out_of_range_has_its_position() {
        let (line, column) = json_error_position(b"{\n  \"a\": 1e400\n}").unwrap();
        assert_eq!(line, 2);
        assert!(column > 0);
        assert_eq!(json_error_position(b"{\"a\": 1}"), None);
    }

    #[test]
    fn internal_errors_carry_an_incident_id_not_the_text() {
        let e = ApiError::internal("secret detail: /home/x/jobs.sqlite3 is broken");
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.body.message.contains("secret"), "{}", e.body.message);
        let incident = e.body.details["incident"].as_str().unwrap();
        assert_eq!(incident.len(), 16);
        assert!(e.body.message.contains(incident));
    }
}
