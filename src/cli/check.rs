//! `rota check`: a plan against its request, with the independent checker.

use std::path::PathBuf;

use clap::Args;
use rota::RotaError;

use rota::prepare::Amend;

use super::{Failure, read_plan, request_on_roads};

#[derive(Args)]
pub struct CheckArgs {
    /// The request file (`-` reads stdin).
    request: PathBuf,
    /// The plan file (`-` reads stdin).
    plan: PathBuf,
    /// The previous plan the plan was made with (`rota plan --previous`).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Travel times on the roads of this OpenStreetMap extract
    /// (.osm.pbf; docs/roads.md) instead of the request's matrix or formula.
    #[arg(long)]
    osm: Option<PathBuf>,
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
}

pub fn run(a: CheckArgs) -> Result<u8, Failure> {
    if a.request.as_os_str() == "-" && a.plan.as_os_str() == "-" {
        return Err(RotaError::invalid(rota::Issue::new(
            "E1003",
            "",
            "request and plan cannot both be read from stdin",
            "give at least one of them as a file",
        ))
        .into());
    }
    let amend = Amend {
        strict: a.strict,
        previous_plan: a.previous.as_deref().map(read_plan).transpose()?,
        ..Amend::default()
    };
    let req = request_on_roads(&a.request, amend, a.osm.as_deref())?;
    let plan = read_plan(&a.plan)?;
    let report = rota::check::check(&req, &plan);
    if report.is_valid() {
        let count = rota::output::text::count;
        eprintln!(
            "valid: {}, {} of {} served",
            count(plan.rounds.len() as u64, "round", "rounds"),
            plan.summary.clients_served,
            count(plan.summary.clients_total.into(), "client", "clients"),
        );
        Ok(0)
    } else {
        super::write_output(None, &format!("{report}\n"))?;
        eprintln!(
            "invalid: {}",
            rota::output::text::count(report.violations.len() as u64, "violation", "violations")
        );
        Ok(1)
    }
}
