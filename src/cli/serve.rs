//! `rota serve`: maps its flags to [`rota::serve::Config`] and runs the
//! service (docs/service.md).

use std::path::PathBuf;

use clap::Args;

use super::Failure;

#[derive(Args)]
pub struct ServeArgs {
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
    /// Finished jobs are deleted this many days after they finished.
    #[arg(long, default_value_t = 30)]
    retention_days: u32,
    /// Allow browser calls from this origin (CORS; repeatable). None: CORS is off.
    #[arg(long)]
    cors_origin: Vec<String>,
}

pub fn run(a: ServeArgs) -> Result<u8, Failure> {
    use rota::serve::Config;
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
    })?;
    Ok(0)
}
