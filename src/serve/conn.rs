//! Connections: the accept loop with its limits and timeouts, and a
//! graceful stop with a deadline.
//!
//! axum's own `serve` has no timeouts, so a socket that never sends, or
//! sends a byte a second, is held for good, and enough of them exhaust the
//! process's open files. Here every connection is served by hyper's HTTP/1
//! server with a header-read timeout (which also ends idle keep-alive
//! connections: hyper starts it whenever it waits for a request head), the
//! body is read within a deadline ([`read_body_within`]), and at most
//! `max_connections` sockets are open at once (further clients wait in the
//! listen backlog until one closes).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::error::{ApiError, too_large};

/// The connection limits and timeouts of [`super::Config`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A request head (request line and headers) must arrive within this;
    /// a keep-alive connection with no new request is closed after it too.
    pub header_timeout: Duration,
    /// A request body must arrive within this (from the end of its head).
    pub body_timeout: Duration,
    /// Sockets open at once.
    pub max_connections: usize,
}

/// Accept and serve connections until `stop` turns true; then stop
/// accepting, ask every open connection to finish its request and close,
/// and wait for them at most until `deadline`. Returns how many
/// connections were still open at the deadline (they are dropped).
pub(crate) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) -> usize {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let open = Arc::new(Semaphore::new(max));
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&open).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (socket, _peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // E.g. out of open files: wait for connections to close
                // rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = TowerToHyperService::new(app);
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(socket), service);
            tokio::pin!(conn);
            let stopping = tokio::select! {
                _ = conn.as_mut() => false,
                _ = stop.wait_for(|s| *s) => true,
            };
            if stopping {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        });
    }
    drop(listener);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    match tokio::time::timeout(grace, open.acquire_many(all)).await {
        Ok(_) => 0,
        Err(_) => max - open.available_permits(),
    }
}

/// Middleware: read the whole body within `body_timeout` (408 beyond) and
/// at most `max_body_bytes` of it (413 beyond), then hand it on. A client
/// trickling its body cannot hold a connection and a handler for longer.
pub(crate) async fn read_body_within(
    State(state): State<super::State>,
    req: Request,
    next: Next,
) -> Response {
    let limit = state.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large().into_response();
    }
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(
        state.config.limits.body_timeout,
        axum::body::to_bytes(body, limit),
    )
    .await;
    let bytes = match read {
        Err(_) => {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request body did not arrive within {} s",
                    state.config.limits.body_timeout.as_secs_f64()
                ),
            )
            .into_response();
        }
        Ok(Err(e)) => {
            // A body over the limit, or a client that went away.
            let text = format!("{e:#}");
            if text.contains("length limit") {
                return too_large().into_response();
            }
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the request body could not be read",
            )
            .into_response();
        }
        Ok(Ok(b)) => b,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
