//! `rota serve`: maps its flags to [`rota::serve::Config`] and runs the
//! service (docs/service.md).

use std::path::PathBuf;

use clap::Args;

use super::Failure;

#[derive(Args)]
pub struct ServeArgs {
    /// Print the OpenAPI document (what `GET /openapi.json` answers) on
    /// stdout and exit, without starting the service.
    #[arg(long)]
    print_openapi: bool,
    /// Where to listen. Without --token-file only loopback addresses
    /// are allowed; port 0 picks a free port (printed on start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Solves that run at once (default: one per two cores, at least 1).
    #[arg(long)]
    workers: Option<usize>,
    /// Jobs that may wait for a worker; more get 429 with Retry-After.
    #[arg(long, default_value_t = 64)]
    queue: usize,
    /// Where jobs and plans are kept (default: rota under the user's
    /// data directory, e.g. ~/.local/share/rota).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A file holding the bearer token that every route but /healthz
    /// then requires (at least 16 characters).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Largest request body, in MiB (413 beyond).
    #[arg(long, default_value_t = 10)]
    max_body_mb: usize,
    /// Cap on a request's settings.time_limit_seconds.
    #[arg(long, default_value_t = 300.0)]
    max_time_limit: f64,
    /// Finished jobs are deleted this many days after they finished
    /// (at least 1; without it they are kept).
    #[arg(long)]
    retention_days: Option<u32>,
    /// Memory all running solves together may use, in MiB; a request
    /// whose estimate exceeds its worker's share gets 422 (E2001).
    #[arg(long, default_value_t = rota::limits::DEFAULT_MAX_MEMORY_MB)]
    max_memory_mb: u64,
    /// Seconds a client has to send a request's headers; also how long
    /// an idle keep-alive connection stays open.
    #[arg(long, default_value_t = 10.0)]
    header_timeout: f64,
    /// Seconds a client has to send a request's body.
    #[arg(long, default_value_t = 60.0)]
    body_timeout: f64,
    /// Connections open at once (besides 8 kept for /healthz); a new
    /// one closes the oldest that has not sent a byte yet, else gets 503.
    #[arg(long, default_value_t = 256)]
    max_connections: usize,
    /// Seconds a new connection has to send its first byte before it
    /// is closed.
    #[arg(long, default_value_t = 3.0)]
    first_byte_timeout: f64,
    /// Connections one client address may have open at once (more get
    /// 429); behind a --trusted-proxy, requests in progress per
    /// forwarded client.
    #[arg(long, default_value_t = 64)]
    max_connections_per_client: usize,
    /// A reverse proxy or load balancer (address or CIDR block, e.g.
    /// 10.0.0.0/8; repeatable): its connections are not limited per
    /// address, its requests per the client its Forwarded or
    /// X-Forwarded-For header names.
    #[arg(long)]
    trusted_proxy: Vec<rota::serve::conn::TrustedNet>,
    /// Seconds a stop waits for open requests and running solves
    /// before it re-queues the running jobs and exits.
    #[arg(long, default_value_t = 10.0)]
    shutdown_grace: f64,
    /// Without --token-file: a host name the Host header may name
    /// besides the loopback ones (repeatable).
    #[arg(long)]
    allowed_host: Vec<String>,
    /// Allow browser calls from this origin (CORS; repeatable). None: CORS is off.
    #[arg(long)]
    cors_origin: Vec<String>,
    /// An OpenStreetMap extract (.osm.pbf), read once at start: jobs
    /// without a travel_matrix are timed on its roads (docs/roads.md).
    #[arg(long)]
    osm: Option<PathBuf>,
}

pub fn run(a: ServeArgs) -> Result<u8, Failure> {
    use rota::serve::Config;
    if a.print_openapi {
        println!("{}", rota::serve::routes::openapi_document());
        return Ok(0);
    }
    let secs = |s: f64| std::time::Duration::try_from_secs_f64(s).unwrap_or_default();
    rota::serve::run(Config {
        addr: a.addr,
        workers: a.workers.unwrap_or_else(Config::default_workers),
        queue: a.queue,
        data_dir: a.data_dir.unwrap_or_else(Config::default_data_dir),
        token_file: a.token_file,
        max_body_bytes: a.max_body_mb.saturating_mul(1024 * 1024),
        max_time_limit_seconds: a.max_time_limit,
        retention_days: a.retention_days,
        cors_origins: a.cors_origin,
        max_memory_bytes: a.max_memory_mb.saturating_mul(1024 * 1024),
        limits: rota::serve::conn::Limits {
            header_timeout: secs(a.header_timeout),
            body_timeout: secs(a.body_timeout),
            max_connections: a.max_connections,
            first_byte_timeout: secs(a.first_byte_timeout),
            max_connections_per_client: a.max_connections_per_client,
            trusted_proxies: a.trusted_proxy,
        },
        shutdown_grace: secs(a.shutdown_grace),
        allowed_hosts: a.allowed_host,
        osm: a.osm,
    })?;
    Ok(0)
}
