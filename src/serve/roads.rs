//! Road travel times in `rota serve` (`--osm FILE`; docs/roads.md,
//! docs/service.md): the extract is read and its graphs built once at
//! start; a job that comes without a `travel_matrix` gets its road matrix
//! computed by its worker, inside the job's time limit (E2002 when it ends
//! first) and counted in the memory check at `POST`. Also gzip request
//! bodies (`Content-Encoding: gzip`), so a rota system can post its own
//! matrix (about 20 MB of JSON for 1,300 locations, a few MB gzipped).

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};

use super::error::ApiError;
use super::{Config, ServeError};
use crate::RotaError;
use crate::control::SolveControl;
use crate::error::Issue;
use crate::prepare::{Prepared, Roads};
use crate::roads::network::Network;
use crate::roads::summary;
use crate::validate::ValidRequest;

/// Read the extract of `--osm`, if given, and build its graphs.
pub(crate) fn load(config: &Config) -> Result<Option<Arc<Network>>, ServeError> {
    let Some(path) = &config.osm else {
        return Ok(None);
    };
    let started = Instant::now();
    let net = Network::load(path)
        .map_err(|e| ServeError::Config(format!("--osm {}: {e}", path.display())))?;
    let sizes = net.sizes();
    tracing::info!(
        extract = %path.display(),
        seconds = started.elapsed().as_secs_f64(),
        drive_edges = sizes.first().map_or(0, |s| s.1),
        bike_edges = sizes.get(1).map_or(0, |s| s.1),
        walk_edges = sizes.get(2).map_or(0, |s| s.1),
        "road graphs loaded"
    );
    Ok(Some(Arc::new(net)))
}

/// The largest request body after gzip decompression: the `--max-body-mb`
/// limit or a sixteenth of one worker's memory share, whichever is larger
/// (128 MiB with the default 2 GiB and one worker). A body that inflates
/// beyond it (a zip bomb) is refused with 413 once that much is read,
/// never inflated in full.
pub(crate) fn decompressed_cap(config: &Config) -> usize {
    let share = config.max_memory_bytes / config.workers.max(1) as u64;
    let by_memory = usize::try_from(share / 16).unwrap_or(usize::MAX);
    config.max_body_bytes.max(by_memory)
}

/// The body as JSON bytes: inflated when `Content-Encoding: gzip`, as is
/// without an encoding (or `identity`); 415 for any other encoding, 400 for
/// a broken gzip stream, 413 beyond `cap` bytes inflated.
pub(crate) fn decode_body(headers: &HeaderMap, body: Bytes, cap: usize) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(body),
        Some("gzip" | "x-gzip") => {
            let mut out = Vec::new();
            let read = flate2::read::MultiGzDecoder::new(&body[..])
                .take(cap as u64 + 1)
                .read_to_end(&mut out);
            match read {
                Err(e) => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the gzip body could not be inflated: {e}"),
                )),
                Ok(_) if out.len() > cap => Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!(
                        "the gzip body inflates to more than {} MiB, more than this service accepts \
                         (a sixteenth of a worker's --max-memory-mb share, at least --max-body-mb)",
                        cap / (1024 * 1024)
                    ),
                )),
                Ok(_) => Ok(Bytes::from(out)),
            }
        }
        Some(other) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Encoding '{}' is not accepted; send gzip or no encoding",
                super::error::shorten(other)
            ),
        )),
    }
}

/// 415 for a body with a `Content-Encoding` other than `identity`: the
/// routes but `POST /v1/plans` read their body as sent, and would
/// otherwise call a gzip stream a JSON syntax error (400).
pub(crate) fn refuse_encoding(headers: &HeaderMap) -> Result<(), ApiError> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(()),
        Some(other) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Encoding '{}' is not accepted here: only POST /v1/plans takes a gzip \
                 body; send this one without an encoding",
                super::error::shorten(other)
            ),
        )),
    }
}

/// E2001 at `POST` for a job whose road matrix this service would compute:
/// the solve's estimate plus the matrix computation must fit `share`.
pub(crate) fn check_memory(
    net: Option<&Network>,
    req: &ValidRequest,
    share: u64,
) -> Result<(), Issue> {
    crate::prepare::check_memory(req, &roads_of(net, None), 0, share, "--max-memory-mb")
}

/// The estimated peak of solving a stored job's request, road matrix
/// included (0 when the request cannot be read: the solve then fails on it).
pub(crate) fn job_need(net: Option<&Network>, request: &str) -> u64 {
    match crate::parse::request_from_str(request) {
        Ok(req) => crate::prepare::memory_need(&req, &roads_of(net, None), 0),
        Err(_) => 0,
    }
}

/// The loaded roads (`--osm`) as the preparation step's source, caching
/// in `cache_dir`.
fn roads_of(net: Option<&Network>, cache_dir: Option<PathBuf>) -> Roads<'_> {
    match net {
        Some(net) => Roads::Network { net, cache_dir },
        None => Roads::None,
    }
}

/// Prepare a claimed job: the matrix of a job that has none from the
/// loaded roads, inside its time limit counted from `started` (the
/// solve's start): what the matrix took is not there for the solve. The
/// cache lives in the service's data folder.
pub(crate) fn prepare_job(
    net: Option<&Network>,
    req: ValidRequest,
    started: Instant,
    ctl: &Arc<SolveControl>,
    config: &Config,
    job: &str,
) -> Result<Prepared, RotaError> {
    let roads = roads_of(net, Some(config.data_dir.join("roads")));
    let prepared = crate::prepare::with_roads(req, roads, Some(started), Some(ctl))?;
    if let Some(report) = &prepared.roads {
        tracing::info!(
            job = %job,
            seconds = started.elapsed().as_secs_f64(),
            cached = report.from_cache,
            summary = %summary(report).trim_end(),
            "road matrix filled"
        );
    }
    Ok(prepared)
}
