//! `rota export`: a plan as CSV (one row per stop) or iCal (one calendar
//! per round).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Failure, load_request, read_input, read_plan, write_output};

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Ical,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The plan file (`-` reads stdin).
    plan: PathBuf,
    /// `csv`: one row per stop; `ical`: one calendar per round.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// csv: the file (default stdout); ical: a name ending in `.ics` is one
    /// file with every round, anything else the folder for one `.ics` file
    /// per round (default the current folder).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The plan's request: check the plan against it first and refuse
    /// (exit 1, nothing written) a plan that breaks a rule.
    #[arg(long)]
    request: Option<PathBuf>,
    /// With --request: check on the roads of this OpenStreetMap extract
    /// (.osm.pbf; docs/roads.md), so a plan exported for carers is timed
    /// on the roads it will be driven on.
    #[arg(long, requires = "request")]
    osm: Option<PathBuf>,
}

pub fn run(a: ExportArgs) -> Result<u8, Failure> {
    let plan = read_plan(&a.plan)?;
    if let Some(path) = &a.request {
        let mut req = load_request(&read_input(path)?, false)?;
        eprint!("{}", rota::roads::apply(&mut req, a.osm.as_deref(), false)?);
        let report = rota::check::check(&req, &plan);
        if !report.is_valid() {
            eprintln!("{report}");
            eprintln!(
                "invalid: {} violation(s); nothing exported",
                report.violations.len()
            );
            return Ok(1);
        }
    }
    match a.format {
        ExportFormat::Csv => write_output(a.output.as_deref(), &rota::output::export::csv(&plan)?)?,
        ExportFormat::Ical
            if a.output
                .as_ref()
                .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ics"))) =>
        {
            let path = a.output.expect("checked");
            std::fs::write(&path, rota::output::export::ical_one(&plan))
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        ExportFormat::Ical => {
            let dir = a.output.unwrap_or_else(|| PathBuf::from("."));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in rota::output::export::ical(&plan) {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(0)
}
