//! The bearer token of `--token-file`: every route but `/healthz` needs
//! `Authorization: Bearer <token>`, compared in constant time.

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ServeError;
use super::api::ApiError;

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
    pub fn from_file(path: &Path) -> Result<Token, ServeError> {
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
}
