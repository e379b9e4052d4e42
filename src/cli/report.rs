//! `rota report`: the self-contained, printable HTML report of a plan.

use std::path::PathBuf;

use clap::Args;

use rota::prepare::Amend;

use super::{Failure, read_plan, request_on_roads, write_output};

#[derive(Args)]
pub struct ReportArgs {
    /// The plan file (`-` reads stdin).
    plan: PathBuf,
    /// The request the plan was made for.
    #[arg(long)]
    request: PathBuf,
    /// The previous plan the plan was made with (`rota plan --previous`),
    /// as for `rota check`.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Write the report here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Travel times on the roads of this OpenStreetMap extract
    /// (.osm.pbf; docs/roads.md) instead of the request's matrix or formula.
    #[arg(long)]
    osm: Option<PathBuf>,
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
}

pub fn run(a: ReportArgs) -> Result<u8, Failure> {
    let amend = Amend {
        strict: a.strict,
        previous_plan: a.previous.as_deref().map(read_plan).transpose()?,
        ..Amend::default()
    };
    let req = request_on_roads(&a.request, amend, a.osm.as_deref())?;
    let plan = read_plan(&a.plan)?;
    let report = rota::check::check(&req, &plan);
    if !report.is_valid() {
        eprintln!(
            "warning: this plan breaks {} of its request (rota check lists them; the report shows a banner)",
            rota::output::text::count(report.violations.len() as u64, "rule", "rules")
        );
    }
    let paths = match &a.osm {
        Some(p) => Some(rota::roads::paths::round_paths(
            &req,
            &plan,
            p,
            &Default::default(),
        )?),
        None => None,
    };
    write_output(
        a.output.as_deref(),
        &rota::output::report::html_with_roads(&req, &plan, paths.as_deref()),
    )?;
    if let Some(p) = &a.output {
        eprintln!("report written to {}", p.display());
    }
    Ok(0)
}
