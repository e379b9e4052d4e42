//! `rota capacity`: service-wide what-ifs (docs/capacity.md).

use std::path::PathBuf;

use clap::Args;

use rota::prepare::{Amend, Roads};

use super::{
    Failure, load_request, print_roads, read_input, read_plan, request_text, roads, strict,
    to_json, write_output,
};

#[derive(Args)]
pub struct CapacityArgs {
    /// The request file; `-` reads stdin; none uses the bundled sample day.
    request: Option<PathBuf>,
    /// Write the JSON answers here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Seconds per solve (the baseline and each hypothetical). Under a time
    /// limit alone the answers may differ between runs.
    #[arg(long, default_value_t = 5.0)]
    time_limit: f64,
    /// An iteration budget per solve (sets settings.iterations): every
    /// solve, the baseline too, searches on one thread for exactly N
    /// iterations, so the same request, options and --seed give the same
    /// answers on any machine (JSON `reproducible: true`).
    #[arg(long, value_name = "N")]
    iterations: Option<u64>,
    /// Random seed of every solve (overrides settings.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Start from this published plan of the request (it must pass `rota
    /// check`, else E1007) instead of solving a baseline: the what-ifs are
    /// warm-started from it and the moves are sought in it.
    #[arg(long, value_name = "PLAN")]
    plan: Option<PathBuf>,
    /// Number of areas (k-means clusters of client locations).
    #[arg(long, default_value_t = 3)]
    areas: usize,
    /// New package clients offered per area.
    #[arg(long, default_value_t = 6)]
    max_new: usize,
    /// A care package as JSON ({"name", "priority", "visits": [...]});
    /// default: four calls a day, the morning one a double-up.
    #[arg(long)]
    package: Option<PathBuf>,
    /// Solves run at once (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
    /// Time journeys on the roads of this OpenStreetMap extract (.osm.pbf;
    /// docs/roads.md), in every mode (the extra rounds try each one).
    #[arg(long)]
    osm: Option<PathBuf>,
}

pub fn run(a: CapacityArgs) -> Result<u8, Failure> {
    let amend = Amend {
        seed: a.seed,
        iterations: a.iterations,
        ..strict(a.strict)
    };
    let req = load_request(&request_text(a.request.as_deref())?, amend)?;
    let published = a.plan.as_deref().map(read_plan).transpose()?;
    // Every mode's roads: a what-if round may use any. Not charged to the
    // time limit, which is each what-if solve's own.
    let roads = match roads(a.osm.as_deref()) {
        Roads::File { path, progress, .. } => Roads::File {
            path,
            progress,
            all_modes: true,
        },
        other => other,
    };
    let prepared = rota::prepare::with_roads(req, roads, None, None)?;
    print_roads(&prepared);
    let req = prepared.request;
    let package = match &a.package {
        Some(p) => rota::capacity::package_from_str(&read_input(p)?)?,
        None => rota::capacity::Package::default(),
    };
    let opts = rota::capacity::CapacityOptions {
        package,
        areas: a.areas,
        max_new: a.max_new,
        time_limit: a.time_limit,
        threads: a.threads.unwrap_or(0),
    };
    let answers = rota::capacity::capacity(&req, &opts, published.as_ref())?;
    write_output(a.output.as_deref(), &to_json(&answers, "answers")?)?;
    eprint!("{}", rota::capacity::table(&answers));
    Ok(0)
}
