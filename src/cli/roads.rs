//! `rota roads`: fill a request's travel_matrix with road travel times from
//! an OpenStreetMap extract (docs/roads.md); cached on disk.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Failure, read_input, write_output};

#[derive(Args)]
pub struct RoadsArgs {
    /// The request file (`-` reads stdin).
    request: PathBuf,
    /// The extract (.osm.pbf).
    #[arg(long)]
    osm: PathBuf,
    /// Write the request with its matrix here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Largest distance from a location to its road, metres (E2101 beyond).
    #[arg(long, default_value_t = rota::roads::DEFAULT_SNAP_LIMIT_M)]
    snap_limit: f64,
    /// Compute afresh without reading or writing the disk cache.
    #[arg(long)]
    no_cache: bool,
}

pub fn run(a: RoadsArgs) -> Result<u8, Failure> {
    let mut req = rota::load_request(&read_input(&a.request)?)?.into_inner();
    let opts = rota::roads::RoadOptions {
        snap_limit_m: a.snap_limit,
        cache_dir: if a.no_cache {
            None
        } else {
            rota::roads::cache::default_dir()
        },
        progress: std::io::stderr().is_terminal(),
        ..Default::default()
    };
    let report = rota::roads::fill_travel_matrix(&mut req, &a.osm, &opts)?;
    let json = serde_json::to_string(&req).context("serialising the request")? + "\n";
    write_output(a.output.as_deref(), &json)?;
    eprint!("{}", rota::roads::summary(&report));
    Ok(0)
}
