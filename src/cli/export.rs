//! `rota export`: a plan as CSV (one row per stop) or iCal (one calendar
//! per round, or one file for all).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use rota::output::export::{self, Places};

use super::{Failure, read_plan, request_on_roads, strict, write_output};

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Ical,
    /// Who to phone after a re-plan, as JSON (docs/replan.md).
    Phones,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The plan file (`-` reads stdin).
    plan: PathBuf,
    /// `csv`: one row per stop; `ical`: one calendar per round; `phones`:
    /// who to phone after a re-plan (JSON; names and phones from --request).
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Clients' names in iCal titles and the CSV's client_name column (off
    /// by default: event titles show on lock screens).
    #[arg(long)]
    names: bool,
    /// Stamp the plan as issued at this time (`now` or RFC 3339) for the
    /// calendars' SEQUENCE and DTSTAMP, when it was not stamped when made.
    #[arg(long, value_parser = rota::model::parse_issued)]
    issued: Option<chrono::DateTime<chrono::Utc>>,
    /// phones: leave out calls moved by fewer minutes than this on the same
    /// carer.
    #[arg(long, default_value_t = rota::output::phone_list::DEFAULT_NOTIFY_MINUTES)]
    notify_minutes: u32,
    /// The request the plan was made for: the plan is checked against it
    /// first (a plan that breaks a rule is refused: exit 1, nothing
    /// written), and it gives the clients' locations and addresses (CSV
    /// columns, iCal LOCATION and GEO). Without it the export has neither
    /// (a plan carries no locations).
    #[arg(long)]
    request: Option<PathBuf>,
    /// csv: the file (default stdout); ical: a name ending in `.ics` is one
    /// file with every round, anything else the folder for one `.ics` file
    /// per round (default the current folder).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// With --request: check on the roads of this OpenStreetMap extract
    /// (.osm.pbf; docs/roads.md), so a plan exported for carers is timed
    /// on the roads it will be driven on.
    #[arg(long, requires = "request")]
    osm: Option<PathBuf>,
}

pub fn run(a: ExportArgs) -> Result<u8, Failure> {
    let plan = read_plan(&a.plan)?;
    let req = match &a.request {
        Some(path) => {
            let req = request_on_roads(path, strict(false), a.osm.as_deref())?;
            let report = rota::check::check(&req, &plan);
            if !report.is_valid() {
                eprintln!("{report}");
                eprintln!(
                    "invalid: {} violation(s); nothing exported",
                    report.violations.len()
                );
                return Ok(1);
            }
            Some(req)
        }
        None => {
            eprintln!(
                "note: no --request, so no locations or addresses in the export \
                 (a plan carries none; pass the request the plan was made for)"
            );
            None
        }
    };
    let mut plan = plan;
    if a.issued.is_some() {
        plan.issued = a.issued;
    }
    let places = req
        .as_ref()
        .map(|r| Places::of(r))
        .unwrap_or_default()
        .with_names(a.names);
    match a.format {
        ExportFormat::Phones => {
            let list =
                rota::output::phone_list::phone_list(req.as_deref(), &plan, a.notify_minutes);
            if plan.summary.replan.is_none() {
                eprintln!("note: the plan is not a re-plan (no summary.replan): nobody to phone");
            }
            let json = serde_json::to_string_pretty(&list).context("writing the phone list")?;
            write_output(a.output.as_deref(), &format!("{json}\n"))?;
        }
        ExportFormat::Csv => write_output(a.output.as_deref(), &export::csv(&plan, &places)?)?,
        ExportFormat::Ical
            if a.output
                .as_ref()
                .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ics"))) =>
        {
            let path = a.output.expect("checked");
            std::fs::write(&path, export::ical_one(&plan, &places))
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        ExportFormat::Ical => {
            let dir = a.output.unwrap_or_else(|| PathBuf::from("."));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, text) in export::ical(&plan, &places) {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(0)
}
