//! The commands of `rota`, one file each, and what they share: reading
//! inputs, writing outputs, and mapping errors to exit codes.

mod bench;
mod capacity;
mod check;
mod export;
mod fit;
mod generate;
mod plan;
mod replan;
mod report;
mod roads;
mod serve;

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rota::RotaError;
use rota::prepare::{Amend, Prepared, Roads};
use rota::validate::ValidRequest;

/// The bundled sample day (`data/sample-day.json`): 50 clients, 9 morning
/// and 5 evening rounds.
const SAMPLE_DAY: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample-day.json"));

#[derive(Parser)]
#[command(
    name = "rota",
    version,
    about = "Next-day care rounds for reablement home-care services"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a day: request JSON in, plan JSON out (summary on stderr).
    Plan(plan::PlanArgs),
    /// Re-plan a day after a disruption (docs/replan.md): calls before
    /// --now stay as they happened, the unavailable carers' later calls are
    /// re-assigned, other carers' calls move only to serve more clients.
    Replan(replan::ReplanArgs),
    /// Capacity questions: more clients of a package per area, what one more
    /// round adds, which visits could move to make room (docs/capacity.md).
    /// Table on stderr, JSON on stdout (or -o).
    Capacity(capacity::CapacityArgs),
    /// Can one more client be taken into a published plan? The ranked ways
    /// they fit (carers, times, extra travel, calls that move), or why not
    /// and the smallest change that would let them in (docs/fit.md). JSON on
    /// stdout, a summary on stderr.
    Fit(fit::FitArgs),
    /// Check a plan against its request with the independent checker.
    Check(check::CheckArgs),
    /// Write a self-contained, printable HTML report of a plan (map,
    /// timeline, a run sheet per carer, unserved clients with reasons).
    Report(report::ReportArgs),
    /// Export a plan for spreadsheets and calendars.
    Export(export::ExportArgs),
    /// Run the planning service: the planner behind an HTTP API
    /// (docs/service.md). Stops on Ctrl-C or SIGTERM.
    Serve(serve::ServeArgs),
    /// Write a realistic generated request (a Herefordshire-like county).
    Generate(generate::GenerateArgs),
    /// Fill a request's travel_matrix with road travel times from an
    /// OpenStreetMap extract (docs/roads.md); cached on disk.
    Roads(roads::RoadsArgs),
    /// Measured benchmark runs (see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        which: bench::Bench,
    },
}

/// Run one command; the exit code, or the error and its exit code.
pub fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Plan(a) => plan::run(a),
        Command::Replan(a) => replan::run(a),
        Command::Capacity(a) => capacity::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Check(a) => check::run(a),
        Command::Report(a) => report::run(a),
        Command::Export(a) => export::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Roads(a) => roads::run(a),
        Command::Bench { which } => bench::run(which),
    }
}

/// An error and the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl From<RotaError> for Failure {
    fn from(e: RotaError) -> Self {
        let code = match e {
            RotaError::Invalid(_) | RotaError::Io { .. } => 2,
            RotaError::Internal(_) => 1,
        };
        Failure {
            code,
            error: e.into(),
        }
    }
}

impl From<rota::serve::ServeError> for Failure {
    fn from(e: rota::serve::ServeError) -> Self {
        use rota::serve::ServeError;
        let code = match e {
            ServeError::Config(_) | ServeError::Io { .. } => 2,
            _ => 1,
        };
        Failure {
            code,
            error: e.into(),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 1, error }
    }
}

/// Parse a request, apply the command's amendments (its flags), and
/// validate it once (every problem at once), then print its warnings on
/// stderr. `strict` (`--strict`, or the request's `settings.strict`)
/// refuses the request on warnings too (docs/validation.md, "Warnings").
fn load_request(text: &str, amend: Amend) -> Result<ValidRequest, RotaError> {
    let req = rota::prepare::load(text, amend)?;
    for w in req.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(req)
}

/// `--strict` alone.
fn strict(strict: bool) -> Amend {
    Amend {
        strict,
        ..Amend::default()
    }
}

/// `--osm FILE` as a source of road travel times (none without the flag),
/// with a progress spinner on a terminal.
fn roads(osm: Option<&Path>) -> Roads<'_> {
    match osm {
        Some(path) => Roads::File {
            path,
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            all_modes: false,
        },
        None => Roads::None,
    }
}

/// The request of a command that does not solve (check, report, export):
/// read, amended and validated once, then on the roads of `--osm FILE` if
/// given (no spinner, no time limit), their summary on stderr.
fn request_on_roads(
    path: &Path,
    amend: Amend,
    osm: Option<&Path>,
) -> Result<ValidRequest, RotaError> {
    let req = load_request(&read_input(path)?, amend)?;
    let roads = match osm {
        Some(path) => Roads::File {
            path,
            progress: false,
            all_modes: false,
        },
        None => Roads::None,
    };
    let prepared = rota::prepare::with_roads(req, roads, None, None)?;
    print_roads(&prepared);
    Ok(prepared.request)
}

/// The road summary of a prepared request on stderr (nothing without roads).
fn print_roads(p: &Prepared) {
    if let Some(r) = &p.roads {
        eprint!("{}", rota::roads::summary(r));
    }
}

/// The request file's text, or the bundled sample day when none is given.
fn request_text(path: Option<&Path>) -> Result<String, RotaError> {
    path.map_or_else(|| Ok(SAMPLE_DAY.to_string()), read_input)
}

/// Read a file, or stdin for `-`. A missing file is bad input (exit 2).
fn read_input(path: &Path) -> Result<String, RotaError> {
    let io = |source| RotaError::Io {
        path: path.display().to_string(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(io)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(io)
    }
}

/// A plan file (or stdin for `-`), parsed.
fn read_plan(path: &Path) -> Result<rota::model::Plan, RotaError> {
    rota::parse::plan_from_str(&read_input(path)?)
}

/// Write to the file, or to stdout when none is given.
fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A reader that stopped reading (`rota report ... | head`)
                // is not an error: stop quietly, as other tools do.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => Ok(r?),
            }
        }
    }
}

/// A value as pretty JSON with a final newline.
fn to_json(value: &impl serde::Serialize, what: &str) -> anyhow::Result<String> {
    Ok(
        serde_json::to_string_pretty(value).with_context(|| format!("serialising the {what}"))?
            + "\n",
    )
}

/// `HH:MM` for clap.
fn parse_hhmm(s: &str) -> Result<chrono::NaiveTime, String> {
    rota::model::hhmm::parse(s)
}
