//! Connections: the accept loop with its limits and timeouts, and a
//! graceful stop with a deadline.
//!
//! axum's own `serve` has no timeouts, so a socket that never sends, or
//! sends a byte a second, is held for good, and enough of them exhaust the
//! process's open files. Here every connection is served by hyper's HTTP/1
//! server with a header-read timeout (which also ends idle keep-alive
//! connections: hyper starts it whenever it waits for a request head), the
//! body is read within a deadline ([`read_body_within`]), and the sockets
//! held open are bounded ([`Registry`]):
//!
//! - a new connection must send its first byte within
//!   `first_byte_timeout`; until it has, it is the first to be closed when
//!   a limit is reached (the oldest such one goes), so sockets that send
//!   nothing keep out nobody but each other;
//! - one client address holds at most `max_connections_per_client`
//!   connections; a trusted proxy's connections are not counted per
//!   socket address, its requests are, per forwarded client
//!   (`Forwarded` / `X-Forwarded-For`), while they are in progress;
//! - at most `max_connections` connections in all, plus
//!   [`HEALTHZ_RESERVE`] kept for `/healthz`: when every general slot is
//!   taken by a connection that is sending or being answered, a new one
//!   may still ask for `/healthz` (anything else gets `503`).
//!
//! A connection refused at accept gets a short `429` or `503` answer and is
//! closed. docs/service.md ("Limits and timeouts") has the rules as a
//! client sees them.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, oneshot, watch};

use super::error::{ApiError, too_large};

/// Connections beyond `max_connections` that may only ask for `/healthz`.
pub const HEALTHZ_RESERVE: usize = 8;

/// Refused connections answered at once; more are closed without an answer.
const REFUSALS_ANSWERED: usize = 64;

/// The connection limits and timeouts of [`super::Config`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// A request head (request line and headers) must arrive within this
    /// (from its first byte); a keep-alive connection with no new request
    /// is closed after it too.
    pub header_timeout: Duration,
    /// A request body must arrive within this (from the end of its head).
    pub body_timeout: Duration,
    /// Sockets open at once (besides [`HEALTHZ_RESERVE`]).
    pub max_connections: usize,
    /// A new connection must send its first byte within this, or it is
    /// closed.
    pub first_byte_timeout: Duration,
    /// Connections one client address may have open at once; for a
    /// trusted proxy, requests in progress per forwarded client.
    pub max_connections_per_client: usize,
    /// Reverse proxies and load balancers whose `Forwarded` or
    /// `X-Forwarded-For` header names the client.
    pub trusted_proxies: Vec<TrustedNet>,
}

/// An address or a CIDR block (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`) of
/// `--trusted-proxy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedNet {
    net: IpAddr,
    bits: u8,
}

fn masked(ip: IpAddr, bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

impl TrustedNet {
    /// Whether `ip` is in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.net.is_ipv4() && masked(ip, self.bits) == self.net
    }
}

impl FromStr for TrustedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s.trim(), None),
        };
        let ip = addr.parse::<IpAddr>().map_err(|_| {
            format!(
                "'{s}' is not an IP address or a CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)"
            )
        })?;
        let ip = ip.to_canonical();
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= max)
                .ok_or_else(|| format!("'{s}': the prefix length must be 0 to {max}"))?,
        };
        Ok(TrustedNet {
            net: masked(ip, bits),
            bits,
        })
    }
}

impl std::fmt::Display for TrustedNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

/// Which slots a connection holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pool {
    General,
    /// One of [`HEALTHZ_RESERVE`]: only `/healthz` is answered.
    Healthz,
}

/// A counted connection.
struct Held {
    ip: IpAddr,
    /// Counted against `max_connections_per_client` (not for a proxy).
    per_client: bool,
    pool: Pool,
}

#[derive(Default)]
struct Counts {
    next_id: u64,
    general: usize,
    healthz: usize,
    /// Open connections per client address (trusted proxies left out).
    per_client: HashMap<IpAddr, usize>,
    /// Requests in progress per client a trusted proxy forwards for.
    forwarded: HashMap<IpAddr, usize>,
    /// Every counted connection, by id.
    held: HashMap<u64, Held>,
    /// Connections that have not sent a byte yet, oldest first, with what
    /// closes them.
    waiting: BTreeMap<u64, oneshot::Sender<()>>,
}

impl Counts {
    fn release(&mut self, id: u64) {
        self.waiting.remove(&id);
        let Some(h) = self.held.remove(&id) else {
            return;
        };
        match h.pool {
            Pool::General => self.general -= 1,
            Pool::Healthz => self.healthz -= 1,
        }
        if h.per_client
            && let Some(n) = self.per_client.get_mut(&h.ip)
        {
            *n -= 1;
            if *n == 0 {
                self.per_client.remove(&h.ip);
            }
        }
    }

    /// Close the oldest connection still waiting for its first byte that
    /// `pick` accepts; whether there was one.
    fn evict(&mut self, pick: impl Fn(&Held) -> bool) -> bool {
        let victim = self
            .waiting
            .keys()
            .copied()
            .find(|id| self.held.get(id).is_some_and(&pick));
        match victim {
            Some(id) => {
                // Dropping its sender wakes the connection, which closes.
                self.release(id);
                true
            }
            None => false,
        }
    }
}

/// Why a connection was refused at accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// Its address holds `max_connections_per_client` connections, none
    /// of them idle.
    PerClient,
    /// Every slot, the `/healthz` ones included, is busy.
    Full,
}

/// The open connections and the limits they are held to.
pub(crate) struct Registry {
    limits: Arc<Limits>,
    counts: Mutex<Counts>,
    /// Notified when the last connection closes.
    closed: Notify,
}

/// A connection's place in the [`Registry`]; dropping it frees the place.
struct Slot {
    reg: Arc<Registry>,
    id: u64,
    ip: IpAddr,
    pool: Pool,
    proxy: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.reg.lock();
        c.release(self.id);
        if c.held.is_empty() {
            self.reg.closed.notify_waiters();
        }
    }
}

impl Slot {
    /// The first byte came: no longer the first to go. False when the
    /// connection was closed to make room meanwhile.
    fn proven(&self) -> bool {
        let mut c = self.reg.lock();
        c.waiting.remove(&self.id);
        c.held.contains_key(&self.id)
    }
}

/// A request in progress for a client behind a trusted proxy.
struct Forwarded {
    reg: Arc<Registry>,
    client: IpAddr,
}

impl Drop for Forwarded {
    fn drop(&mut self) {
        let mut c = self.reg.lock();
        if let Some(n) = c.forwarded.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                c.forwarded.remove(&self.client);
            }
        }
    }
}

impl Registry {
    pub(crate) fn new(limits: Limits) -> Arc<Registry> {
        Arc::new(Registry {
            limits: Arc::new(limits),
            counts: Mutex::new(Counts::default()),
            closed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        // The counts stay consistent under a panic elsewhere: every
        // change is made whole under the lock.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.limits.trusted_proxies.iter().any(|n| n.contains(ip))
    }

    /// A place for a new connection from `ip`, closing an idle one to make
    /// room when a limit is reached; with what closes it while it has not
    /// sent its first byte.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<(Slot, oneshot::Receiver<()>), Refusal> {
        let proxy = self.trusted(ip);
        let per_client_max = self.limits.max_connections_per_client;
        let max = self.limits.max_connections;
        let mut c = self.lock();
        if !proxy
            && c.per_client.get(&ip).copied().unwrap_or(0) >= per_client_max
            && !c.evict(|h| h.per_client && h.ip == ip)
        {
            return Err(Refusal::PerClient);
        }
        let pool = if c.general < max || c.evict(|h| h.pool == Pool::General) {
            Pool::General
        } else if c.healthz < HEALTHZ_RESERVE || c.evict(|h| h.pool == Pool::Healthz) {
            Pool::Healthz
        } else {
            return Err(Refusal::Full);
        };
        match pool {
            Pool::General => c.general += 1,
            Pool::Healthz => c.healthz += 1,
        }
        if !proxy {
            *c.per_client.entry(ip).or_insert(0) += 1;
        }
        let id = c.next_id;
        c.next_id += 1;
        c.held.insert(
            id,
            Held {
                ip,
                per_client: !proxy,
                pool,
            },
        );
        let (kick, kicked) = oneshot::channel();
        c.waiting.insert(id, kick);
        drop(c);
        Ok((
            Slot {
                reg: Arc::clone(self),
                id,
                ip,
                pool,
                proxy,
            },
            kicked,
        ))
    }

    /// Count a request from a trusted proxy against the client it forwards
    /// for; 429 when that client has `max_connections_per_client` requests
    /// in progress already.
    fn forwarded(
        self: &Arc<Self>,
        headers: &HeaderMap,
        proxy: IpAddr,
    ) -> Result<Forwarded, Refusal> {
        let client = forwarded_client(headers, proxy, &self.limits.trusted_proxies);
        let mut c = self.lock();
        let n = c.forwarded.entry(client).or_insert(0);
        if *n >= self.limits.max_connections_per_client {
            return Err(Refusal::PerClient);
        }
        *n += 1;
        Ok(Forwarded {
            reg: Arc::clone(self),
            client,
        })
    }

    /// Connections counted now.
    fn open(&self) -> usize {
        self.lock().held.len()
    }

    /// Wait until every connection has closed or `grace` has passed; how
    /// many were still open then.
    async fn wait_closed(&self, grace: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let closed = self.closed.notified();
            tokio::pin!(closed);
            closed.as_mut().enable();
            let open = self.open();
            if open == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, closed).await.is_err() {
                return self.open();
            }
        }
    }
}

/// A node of `Forwarded: for=` or `X-Forwarded-For` as an address:
/// `203.0.113.7`, `"203.0.113.7:4711"`, `"[2001:db8::1]:4711"`,
/// `2001:db8::1`; `None` for `unknown` or an obfuscated name.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"').trim();
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = node.parse::<std::net::SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    let inner = node.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// The client a request from trusted proxy `proxy` is for: the nearest
/// address of its `Forwarded` header's `for=` list (else of
/// `X-Forwarded-For`) that is not itself a trusted proxy, read from the
/// right (the entries further left are the client's own word). Without
/// such an address (no header, or the nearest untrusted entry is
/// `unknown`), the proxy itself.
fn forwarded_client(headers: &HeaderMap, proxy: IpAddr, trusted: &[TrustedNet]) -> IpAddr {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::to_string)
            .collect()
    };
    let forwarded = values("forwarded");
    let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
        values("x-forwarded-for")
            .iter()
            .map(|h| node_address(h))
            .collect()
    } else {
        forwarded
            .iter()
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| node_address(v))?
                })
            })
            .collect()
    };
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if trusted.iter().any(|n| n.contains(*ip)) => continue,
            Some(ip) => return *ip,
            None => return proxy,
        }
    }
    proxy
}

/// What a client refused for `why` is told.
fn refusal_error(why: Refusal) -> ApiError {
    let mut e = match why {
        Refusal::PerClient => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "this client has --max-connections-per-client connections (or, behind a trusted \
             proxy, requests) open already; wait for one to finish",
        ),
        Refusal::Full => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "connection_limit",
            "every connection the service keeps open (--max-connections) is in use; only \
             /healthz is answered now",
        ),
    };
    e.retry_after = Some(1);
    e
}

/// Answer a connection refused at accept (`429` or `503`, then closed),
/// reading what it sent for a moment so the answer is not lost to a
/// reset. At most [`REFUSALS_ANSWERED`] at once; beyond, closed at once.
fn refuse(socket: TcpStream, why: Refusal, answering: &Arc<Semaphore>) {
    let Ok(permit) = Arc::clone(answering).try_acquire_owned() else {
        return;
    };
    let e = refusal_error(why);
    let body = serde_json::to_string(&e.body).unwrap_or_default();
    let reason = e.status.canonical_reason().unwrap_or("");
    let answer = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
        e.status.as_u16(),
        body.len()
    );
    tokio::spawn(async move {
        let _permit = permit;
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            let mut left = answer.as_bytes();
            while !left.is_empty() {
                socket.writable().await?;
                match socket.try_write(left) {
                    Ok(n) => left = &left[n..],
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            // No more from us (FIN); what the client sent is read and
            // dropped, so closing does not reset the answer away.
            let std = socket.into_std()?;
            std.shutdown(std::net::Shutdown::Write)?;
            let socket = TcpStream::from_std(std)?;
            let mut sink = [0u8; 4096];
            let mut read = 0;
            while read < 65536 {
                socket.readable().await?;
                match socket.try_read(&mut sink) {
                    Ok(0) => break,
                    Ok(n) => read += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
    });
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
    let reg = Registry::new(limits);
    let answering = Arc::new(Semaphore::new(REFUSALS_ANSWERED));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (socket, peer) = match accepted {
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
        match reg.admit(peer.ip().to_canonical()) {
            Ok((slot, kicked)) => {
                tokio::spawn(serve_one(socket, slot, kicked, app.clone(), stop.clone()));
            }
            Err(why) => refuse(socket, why, &answering),
        }
    }
    drop(listener);
    reg.wait_closed(grace).await
}

/// Serve one admitted connection: wait for its first byte (or close it),
/// then hand it to hyper.
async fn serve_one(
    socket: TcpStream,
    slot: Slot,
    kicked: oneshot::Receiver<()>,
    app: Router,
    mut stop: watch::Receiver<bool>,
) {
    let limits = Arc::clone(&slot.reg.limits);
    let mut byte = [0u8; 1];
    let first = tokio::select! {
        r = tokio::time::timeout(limits.first_byte_timeout, socket.peek(&mut byte)) => {
            matches!(r, Ok(Ok(n)) if n > 0)
        }
        _ = kicked => false,
        _ = stop.wait_for(|s| *s) => false,
    };
    if !first || !slot.proven() {
        return;
    }
    let healthz_only = slot.pool == Pool::Healthz;
    let proxy = slot.proxy.then(|| (Arc::clone(&slot.reg), slot.ip));
    let inner = TowerToHyperService::new(app);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let healthz = req.uri().path() == "/healthz";
        let mut refused = None;
        let mut guard = None;
        if healthz_only && !healthz {
            let mut res = refusal_error(Refusal::Full).into_response();
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            refused = Some(res);
        } else if let Some((reg, ip)) = &proxy
            && !healthz
        {
            match reg.forwarded(req.headers(), *ip) {
                Ok(g) => guard = Some(g),
                Err(why) => refused = Some(refusal_error(why).into_response()),
            }
        }
        let call = match refused {
            Some(res) => Err(res),
            None => Ok(inner.call(req)),
        };
        async move {
            match call {
                Ok(call) => {
                    let res = call.await;
                    drop(guard);
                    res
                }
                Err(res) => Ok::<Response, Infallible>(res),
            }
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new());
    if healthz_only {
        // A reserved slot is for one quick /healthz.
        builder
            .header_read_timeout(limits.header_timeout.min(limits.first_byte_timeout))
            .keep_alive(false);
    } else {
        builder
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
    }
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
    drop(slot);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize, per_client: usize, trusted: &[&str]) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            max_connections: max,
            first_byte_timeout: Duration::from_secs(3),
            max_connections_per_client: per_client,
            trusted_proxies: trusted.iter().map(|t| t.parse().unwrap()).collect(),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn trusted_nets_parse_and_match() {
        let n: TrustedNet = "10.1.2.3/8".parse().unwrap();
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert!(n.contains(ip("10.200.0.1")));
        assert!(n.contains(ip("::ffff:10.0.0.9")));
        assert!(!n.contains(ip("11.0.0.1")));
        let one: TrustedNet = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: TrustedNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: TrustedNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("::1")));
        for bad in ["proxy.example", "10.0.0.0/33", "::/129", "10.0.0.0/x", ""] {
            assert!(bad.parse::<TrustedNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_forwarded_client_is_the_nearest_untrusted_hop() {
        let trusted: Vec<TrustedNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.1");
        let with = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.append(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            forwarded_client(&h, proxy, &trusted)
        };
        assert_eq!(with(&[]), proxy);
        assert_eq!(
            with(&[("x-forwarded-for", "203.0.113.7")]),
            ip("203.0.113.7")
        );
        // The left entries are the client's own word: the nearest counts.
        assert_eq!(
            with(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7, 10.0.0.2")]),
            ip("203.0.113.7")
        );
        assert_eq!(
            with(&[
                ("x-forwarded-for", "198.51.100.1"),
                ("x-forwarded-for", "203.0.113.7:4711")
            ]),
            ip("203.0.113.7")
        );
        // Forwarded wins over X-Forwarded-For.
        assert_eq!(
            with(&[
                (
                    "forwarded",
                    "for=198.51.100.1;proto=http, for=\"[2001:db8::1]:4711\""
                ),
                ("x-forwarded-for", "203.0.113.7")
            ]),
            ip("2001:db8::1")
        );
        assert_eq!(with(&[("forwarded", "For=203.0.113.9")]), ip("203.0.113.9"));
        assert_eq!(with(&[("forwarded", "for=unknown")]), proxy);
        assert_eq!(with(&[("x-forwarded-for", "10.0.0.3")]), proxy);
    }

    #[tokio::test]
    async fn idle_connections_make_room_and_a_client_is_capped() {
        let reg = Registry::new(limits(4, 2, &["10.0.0.1"]));
        let a = ip("192.0.2.1");
        // Two idle connections of `a`; a third takes the oldest's place.
        let (s1, mut k1) = reg.admit(a).unwrap();
        let (s2, _k2) = reg.admit(a).unwrap();
        let (s3, _k3) = reg.admit(a).unwrap();
        assert!(k1.try_recv().is_err(), "the oldest was told to close");
        assert!(!s1.proven());
        assert!(s2.proven() && s3.proven());
        // Both of a's connections have sent a byte: a fourth is refused.
        assert_eq!(reg.admit(a).err(), Some(Refusal::PerClient));
        drop(s1);
        assert_eq!(reg.admit(a).err(), Some(Refusal::PerClient));
        // A proxy is not capped per address; the general pool fills.
        let proxy = ip("10.0.0.1");
        let (p1, _) = reg.admit(proxy).unwrap();
        let (p2, _) = reg.admit(proxy).unwrap();
        assert!(p1.proven() && p2.proven());
        assert_eq!(reg.open(), 4);
        // Full of busy connections: the /healthz reserve, then 503.
        let mut reserve = Vec::new();
        for _ in 0..HEALTHZ_RESERVE {
            let (s, _) = reg.admit(proxy).unwrap();
            assert_eq!(s.pool, Pool::Healthz);
            assert!(s.proven());
            reserve.push(s);
        }
        assert_eq!(reg.admit(proxy).err(), Some(Refusal::Full));
        drop(p1);
        let (s, _) = reg.admit(ip("192.0.2.2")).unwrap();
        assert_eq!(s.pool, Pool::General);
        drop((s, s2, s3, p2, reserve));
        assert_eq!(reg.open(), 0);
        assert_eq!(reg.wait_closed(Duration::from_millis(10)).await, 0);
    }

    #[test]
    fn a_proxy_request_counts_against_its_forwarded_client() {
        let reg = Registry::new(limits(4, 2, &["10.0.0.1"]));
        let proxy = ip("10.0.0.1");
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
        let g1 = reg.forwarded(&h, proxy).unwrap();
        let _g2 = reg.forwarded(&h, proxy).unwrap();
        assert_eq!(reg.forwarded(&h, proxy).err(), Some(Refusal::PerClient));
        assert_eq!(
            refusal_error(Refusal::PerClient).status,
            StatusCode::TOO_MANY_REQUESTS
        );
        // Another client behind the same proxy is not held back.
        let mut other = HeaderMap::new();
        other.insert("x-forwarded-for", "203.0.113.8".parse().unwrap());
        assert!(reg.forwarded(&other, proxy).is_ok());
        drop(g1);
        assert!(reg.forwarded(&h, proxy).is_ok());
    }
}
