//! `rota report`: the self-contained, printable HTML report of a plan.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, load_request, read_input, read_plan, write_output};

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
    let mut req = load_request(&read_input(&a.request)?, a.strict)?;
    eprint!("{}", rota::roads::apply(&mut req, a.osm.as_deref(), false)?);
    if let Some(path) = &a.previous {
        req.previous_plan = Some(Box::new(read_plan(path)?));
        rota::validate::validate(&req).map_err(rota::RotaError::Invalid)?;
    }
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
