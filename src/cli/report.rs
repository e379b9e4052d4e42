//! `rota report`: the self-contained, printable HTML report of a plan.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, read_input, read_plan, write_output};

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
}

pub fn run(a: ReportArgs) -> Result<u8, Failure> {
    let mut req = rota::load_request(&read_input(&a.request)?)?;
    if let Some(path) = &a.previous {
        req.previous_plan = Some(Box::new(read_plan(path)?));
        rota::validate::validate(&req).map_err(rota::RotaError::Invalid)?;
    }
    let plan = read_plan(&a.plan)?;
    let report = rota::check::check(&req, &plan);
    if !report.is_valid() {
        eprintln!(
            "warning: this plan breaks {} rule(s) of its request (rota check lists them; the report shows a banner)",
            report.violations.len()
        );
    }
    write_output(
        a.output.as_deref(),
        &rota::output::report::html(&req, &plan),
    )?;
    if let Some(p) = &a.output {
        eprintln!("report written to {}", p.display());
    }
    Ok(0)
}
