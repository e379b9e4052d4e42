//! The bearer token of `--token-file`: every route but `/healthz` needs
//! `Authorization: Bearer <token>`, compared in constant time. Without a
//! token (loopback only), the `Host` header must name a loopback host (or
//! one of `--allowed-host`), so a web page cannot reach the service through
//! DNS rebinding.

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, HOST};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ServeError;
use super::error::{ApiError, shorten};

/// The shared secret. Never printed (`Debug` hides it).
#[derive(Clone)]
pub struct Token(Vec<u8>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// Shortest token accepted: a guessable secret protects nothing.
pub const MIN_TOKEN_LEN: usize = 16;

impl Token {
    /// Read the token from a file: its content, without surrounding
    /// whitespace (a trailing newline is fine).
    /// Refused, with how to fix it, when others than its owner may read
    /// or write the file.
    pub fn from_file(path: &Path) -> Result<Token, ServeError> {
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|source| ServeError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Token::new(text.trim()).map_err(|m| ServeError::Config(format!("{}: {m}", path.display())))
    }

    pub fn new(token: &str) -> Result<Token, String> {
        if token.len() < MIN_TOKEN_LEN {
            return Err(format!(
                "the token must have at least {MIN_TOKEN_LEN} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("the token must be one line without spaces".into());
        }
        Ok(Token(token.as_bytes().to_vec()))
    }

    /// Whether `given` is the token. The time taken depends only on the
    /// lengths, never on where the first differing byte is.
    pub fn matches(&self, given: &[u8]) -> bool {
        constant_time_eq(&self.0, given)
    }
}

/// A token file that group or others may read or write is refused: the
/// token would not be a secret.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ServeError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| ServeError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ServeError::Config(format!(
            "{}: the token file's permissions are {mode:03o}, so others on this machine can \
             read it; make it private with `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ServeError> {
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Every byte of `a` is compared whatever `b` is, and the length
    // difference is folded into the same accumulator.
    let mut diff = (a.len() ^ b.len()) as u64;
    for (i, x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        diff |= u64::from(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

/// Middleware: 401 unless the request carries the right bearer token.
pub(crate) async fn require_token(
    State(state): State<super::State>,
    req: Request,
    next: Next,
) -> Response {
    let Some(token) = &state.token else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match given {
        Some(t) if token.matches(t.as_bytes()) => next.run(req).await,
        Some(_) => ApiError::unauthorized("the bearer token is not valid").into_response(),
        None => ApiError::unauthorized("this service needs `Authorization: Bearer <token>`")
            .into_response(),
    }
}

/// The host part of a `Host` header value (no port, no brackets),
/// lowercased.
fn host_name(value: &str) -> String {
    let v = value.trim();
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        v.rsplit_once(':').map_or(v, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                v
            }
        })
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `host` (from [`host_name`]) names this machine's loopback.
fn is_loopback_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Middleware: without a token, a `Host` header must name a loopback host
/// or one of `--allowed-host` (403 otherwise). A request without `Host`
/// is refused too (403): browsers always send one, so this costs a web page
/// nothing, but a client that leaves it out (HTTP/1.0) must add it.
pub(crate) async fn require_known_host(
    State(state): State<super::State>,
    req: Request,
    next: Next,
) -> Response {
    if state.token.is_some() {
        return next.run(req).await;
    }
    let host = match req.headers().get(HOST) {
        Some(value) => value.to_str().map(host_name).unwrap_or_default(),
        None => {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "host_not_allowed",
                "the request has no Host header: without --token-file every request must name \
                 this service's host (localhost, 127.0.0.1, [::1] or an --allowed-host name)",
            )
            .into_response();
        }
    };
    let allowed = !host.is_empty()
        && (is_loopback_name(&host)
            || state
                .config
                .allowed_hosts
                .iter()
                .any(|a| host_name(a) == host));
    if allowed {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "host_not_allowed",
            format!(
                "Host '{}' is not this service's: without --token-file only loopback names \
                 (localhost, 127.0.0.1, [::1]) and --allowed-host names are accepted",
                shorten(&host)
            ),
        )
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        let t = Token::new("0123456789abcdef0123").unwrap();
        assert!(t.matches(b"0123456789abcdef0123"));
        assert!(!t.matches(b"0123456789abcdef012"));
        assert!(!t.matches(b"0123456789abcdef01234"));
        assert!(!t.matches(b"1123456789abcdef0123"));
        assert!(!t.matches(b""));
        assert!(Token::new("short").is_err());
        assert!(Token::new("0123456789 abcdef0123").is_err());
        assert_eq!(format!("{t:?}"), "Token(..)");
    }

    #[test]
    fn host_names_without_port() {
        assert_eq!(host_name("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("LocalHost."), "localhost");
        assert_eq!(host_name("evil.example:80"), "evil.example");
        assert!(is_loopback_name("localhost"));
        assert!(is_loopback_name("127.0.0.2"));
        assert!(is_loopback_name("::1"));
        assert!(!is_loopback_name("evil.example"));
        assert!(!is_loopback_name("localhost.evil.example"));
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "0123456789abcdef0123\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        match Token::from_file(&path) {
            Err(ServeError::Config(m)) => assert!(m.contains("chmod 600"), "{m}"),
            other => panic!("a 0644 token file was not refused: {other:?}"),
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Token::from_file(&path).is_ok());
    }
}
