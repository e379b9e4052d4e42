//! `rota`: the command line. A thin front door onto the library.
//!
//! Exit codes: 0 ok (for `check`: the plan is valid), 1 internal error (for
//! `check`: the plan is invalid), 2 bad input or usage.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use rota::RotaError;
use rota::generate::{GenerateOptions, generate};

/// The bundled sample day (`data/sample-day.json`): 50 clients, 9 morning
/// and 5 evening rounds.
const SAMPLE_DAY: &str = include_str!("../data/sample-day.json");

#[derive(Parser)]
#[command(
    name = "rota",
    version,
    about = "Next-day care rounds for reablement home-care services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan a day: request JSON in, plan JSON out (summary on stderr).
    Plan {
        /// The request file; `-` reads stdin; none plans the bundled sample day.
        request: Option<PathBuf>,
        /// Write the plan here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Time limit in seconds (overrides settings.time_limit_seconds).
        /// The search stops earlier when it stops improving.
        #[arg(long)]
        time_limit: Option<f64>,
        /// Random seed (overrides settings.seed): the same seed gives the
        /// same plan unless the time limit cuts the search short.
        #[arg(long)]
        seed: Option<u64>,
        /// Solve with the exact MIP (HiGHS): status `optimal` when proven
        /// within the time limit, else the best plan found and its gap.
        /// Meant for small days (tens of visits, a few rounds).
        #[arg(long)]
        exact: bool,
        /// Independent searches in parallel (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Yesterday's plan: its carers count as preferred for the clients
        /// they visited (sets the request's previous_plan; docs/continuity.md).
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Travel times on the roads of this OpenStreetMap extract
        /// (.osm.pbf; docs/roads.md) instead of the request's matrix or formula.
        #[arg(long)]
        osm: Option<PathBuf>,
    },
    /// Re-plan a day after a disruption (docs/replan.md): calls before
    /// --now stay as they happened, the unavailable carers' later calls are
    /// re-assigned, other carers' calls move only to serve more clients.
    Replan {
        /// The request (may be amended: new or cancelled visits).
        request: PathBuf,
        /// The plan the day started with.
        plan: PathBuf,
        /// The time of the re-plan, HH:MM.
        #[arg(long, value_parser = parse_hhmm)]
        now: chrono::NaiveTime,
        /// Absent carers, comma separated (e.g. C03,C07).
        #[arg(long, value_delimiter = ',')]
        unavailable: Vec<String>,
        /// From when they are absent, HH:MM (default --now).
        #[arg(long, value_parser = parse_hhmm)]
        unavailable_from: Option<chrono::NaiveTime>,
        /// Write the new plan here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Time limit in seconds; the search stops earlier when it stops
        /// improving.
        #[arg(long, default_value_t = 5.0)]
        time_limit: f64,
        /// Independent searches in parallel (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Travel times on the roads of this OpenStreetMap extract
        /// (.osm.pbf; docs/roads.md) instead of the request's matrix or formula.
        #[arg(long)]
        osm: Option<PathBuf>,
    },
    /// Capacity questions: more clients of a package per area, what one more
    /// round adds, which visits could move to make room (docs/capacity.md).
    /// Table on stderr, JSON on stdout (or -o).
    Capacity {
        /// The request file; `-` reads stdin; none uses the bundled sample day.
        request: Option<PathBuf>,
        /// Write the JSON answers here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Seconds per solve (the baseline and each hypothetical).
        #[arg(long, default_value_t = 5.0)]
        time_limit: f64,
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
    },
    /// Check a plan against its request with the independent checker.
    Check {
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
    },
    /// Write a self-contained, printable HTML report of a plan (map,
    /// timeline, a run sheet per carer, unserved clients with reasons).
    Report {
        /// The plan file (`-` reads stdin).
        plan: PathBuf,
        /// The request the plan was made for.
        #[arg(long)]
        request: PathBuf,
        /// Write the report here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Travel times on the roads of this OpenStreetMap extract
        /// (.osm.pbf; docs/roads.md) instead of the request's matrix or formula.
        #[arg(long)]
        osm: Option<PathBuf>,
    },
    /// Export a plan for spreadsheets and calendars.
    Export {
        /// The plan file (`-` reads stdin).
        plan: PathBuf,
        /// `csv`: one row per stop; `ical`: one calendar per round.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// csv: the file (default stdout); ical: the folder for the `.ics`
        /// files (default the current folder).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Run the planning service: the planner behind an HTTP API
    /// (docs/service.md). Stops on Ctrl-C or SIGTERM.
    Serve {
        /// Where to listen. Without --token-file only loopback addresses
        /// are allowed; port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Solves that run at once (default: one per two cores, at least 1).
        #[arg(long)]
        workers: Option<usize>,
        /// Jobs that may wait for a worker; more get 429 with Retry-After.
        #[arg(long, default_value_t = 64)]
        queue: usize,
        /// Where jobs and plans are kept (default: rota under the user's
        /// data directory, e.g. ~/.local/share/rota).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// A file holding the bearer token that every route but /healthz
        /// then requires (at least 16 characters).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Largest request body, in MiB (413 beyond).
        #[arg(long, default_value_t = 10)]
        max_body_mb: usize,
        /// Cap on a request's settings.time_limit_seconds.
        #[arg(long, default_value_t = 300.0)]
        max_time_limit: f64,
        /// Finished jobs are deleted this many days after they finished.
        #[arg(long, default_value_t = 30)]
        retention_days: u32,
        /// Allow browser calls from this origin (CORS; repeatable). None: CORS is off.
        #[arg(long)]
        cors_origin: Vec<String>,
    },
    /// Write a realistic generated request (a Herefordshire-like county).
    Generate {
        /// Number of clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Random seed: the same seed gives the same day.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Morning rounds (07:00-15:00); default about 9 per 50 clients.
        #[arg(long)]
        am_rounds: Option<usize>,
        /// Evening rounds (14:00-22:00); default about 5 per 50 clients.
        #[arg(long)]
        pm_rounds: Option<usize>,
        /// The day planned (YYYY-MM-DD); default tomorrow.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Write the request here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Place the day on this OpenStreetMap extract: clients at its
        /// addresses, carer bases near its edges (docs/roads.md).
        #[arg(long)]
        osm: Option<PathBuf>,
    },
    /// Fill a request's travel_matrix with road travel times from an
    /// OpenStreetMap extract (docs/roads.md); cached on disk.
    Roads {
        /// The request file (`-` reads stdin).
        request: PathBuf,
        /// The extract (.osm.pbf).
        #[arg(long)]
        osm: PathBuf,
        /// Write the request with its matrix here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Largest distance from a location to its road, metres (E2001 beyond).
        #[arg(long, default_value_t = rota::roads::DEFAULT_SNAP_LIMIT_M)]
        snap_limit: f64,
        /// Compute afresh without reading or writing the disk cache.
        #[arg(long)]
        no_cache: bool,
    },
    /// Measured benchmark runs (see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
}

/// Switches for measuring what each part of the search brings.
#[derive(Args, Debug, Clone, Copy)]
struct TuningArgs {
    /// Recombine the search's rounds by MIP after every N iterations
    /// without a new best (0: off). Default: off for Solomon (it measured
    /// worse there in 10 s runs, see docs/benchmarks.md), 2000 for days.
    #[arg(long)]
    recombine_every: Option<usize>,
    /// Turn off the local search (relocate, swap, 2-opt*, or-opt).
    #[arg(long)]
    no_local_search: bool,
    /// Turn off regret insertion (repair only in priority order).
    #[arg(long)]
    no_regret: bool,
}

impl TuningArgs {
    fn tuning(self, recombine_default: usize) -> rota::solve::search::Tuning {
        rota::solve::search::Tuning {
            recombine_every: self.recombine_every.unwrap_or(recombine_default),
            local_search: !self.no_local_search,
            regret: !self.no_regret,
        }
    }
}

#[derive(Subcommand)]
enum Bench {
    /// Road matrices (docs/roads.md): per mode, build a synthetic road grid
    /// of side x side nodes (530: about a million edges) and time the
    /// matrix between random locations.
    Roads {
        #[arg(long, default_value_t = 530)]
        side: usize,
        #[arg(long, default_value_t = 1300)]
        locations: usize,
        /// Modes, 0 drive, 1 bike, 2 walk.
        #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
        modes: Vec<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Solve generated days of growing size exactly: time to prove
    /// optimality, and how far the relaxation bound is from the optimum.
    Exact {
        /// Client counts of the generated days.
        #[arg(long, value_delimiter = ',', default_value = "2,4,6,8,10,12")]
        clients: Vec<usize>,
        /// Seeds of the generated days.
        #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
        seeds: Vec<u64>,
        /// Morning rounds of each day.
        #[arg(long, default_value_t = 2)]
        am_rounds: usize,
        /// Evening rounds of each day.
        #[arg(long, default_value_t = 2)]
        pm_rounds: usize,
        /// Time limit per day, in seconds.
        #[arg(long, default_value_t = 120.0)]
        time_limit: f64,
        /// Also write the rows as CSV here.
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Solve Solomon VRPTW instances with the default solver and compare
    /// with the distance-only optima (one-decimal truncated arcs).
    Solomon {
        /// Instance files (e.g. ../shared/benchmarks/solomon/instances/100/*.txt).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Time limit per instance, in seconds.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Parallel searches (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// The optima; default: bks_distance_only.csv two folders above the
        /// first instance file.
        #[arg(long)]
        bks: Option<PathBuf>,
        /// Write one row per instance here (with its routes).
        #[arg(long)]
        csv: Option<PathBuf>,
        #[command(flatten)]
        tuning: TuningArgs,
    },
    /// Plan generated home-care days with the default solver: priority
    /// served, bound, gap, travel, time to the final plan.
    Days {
        #[arg(long, value_delimiter = ',', default_value = "50,100,300,1000")]
        clients: Vec<usize>,
        #[arg(long, value_delimiter = ',', default_value = "1")]
        seeds: Vec<u64>,
        /// Time limit per day, in seconds.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Parallel searches (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        #[arg(long)]
        csv: Option<PathBuf>,
        #[command(flatten)]
        tuning: TuningArgs,
    },
    /// Re-plan a day after carers drop out (docs/replan.md), timed: plans
    /// the day first (not timed), then re-plans it `runs` times.
    Replan {
        /// The request; none: the bundled sample day.
        request: Option<PathBuf>,
        /// Time of the re-plan.
        #[arg(long, default_value = "10:15", value_parser = parse_hhmm)]
        now: chrono::NaiveTime,
        /// Absent carers, comma separated.
        #[arg(long, value_delimiter = ',', default_value = "C03,C07")]
        unavailable: Vec<String>,
        /// Time limit of each re-plan, in seconds.
        #[arg(long, default_value_t = 5.0)]
        time_limit: f64,
        /// Re-plans, with seeds 1, 2, ...
        #[arg(long, default_value_t = 3)]
        runs: u64,
        /// Parallel searches (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// The whole quality suite, fixed instances and seeds: the 56 Solomon
    /// 100-customer instances, and generated days of 50, 100, 300 (and
    /// 1000) clients; CSV and Markdown files in --out.
    Suite {
        /// The Solomon folder (with instances/100 and the BKS files).
        #[arg(long, default_value = "../shared/benchmarks/solomon")]
        solomon: PathBuf,
        /// Time limit per Solomon instance and per day up to 300 clients.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Time limit for the 1000-client day (0 leaves it out).
        #[arg(long, default_value_t = 120.0)]
        large_time_limit: f64,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Ical,
}

/// An error and the exit code it maps to.
struct Failure {
    code: u8,
    error: anyhow::Error,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

/// Read a file, or stdin for `-`. A missing file is bad input (exit 2).
/// The request file's text, or the bundled sample day when none is given.
fn request_text(path: Option<&Path>) -> Result<String, RotaError> {
    path.map_or_else(|| Ok(SAMPLE_DAY.to_string()), read_input)
}

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

fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Plan {
            request,
            output,
            time_limit,
            seed,
            exact,
            threads,
            previous,
            osm,
        } => {
            let text = request_text(request.as_deref())?;
            let mut req = rota::load_request(&text)?;
            eprint!(
                "{}",
                rota::roads::apply(&mut req, osm.as_deref(), std::io::stderr().is_terminal())?
            );
            if let Some(path) = &previous {
                let prev = rota::parse::plan_from_str(&read_input(path)?)?;
                req.previous_plan = Some(Box::new(prev));
                if let Some((clients, carers)) = rota::continuity::ignored(&req)
                    && clients + carers > 0
                {
                    eprintln!(
                        "note: the previous plan names {clients} client(s) and {carers} carer(s) not in this request (ignored)"
                    );
                }
            }
            if let Some(t) = time_limit {
                req.settings.time_limit_seconds = t;
            }
            if let Some(s) = seed {
                req.settings.seed = s;
            }
            let opts = rota::PlanOptions {
                exact,
                threads: threads.unwrap_or(0),
                ..Default::default()
            };
            let plan = plan_with_progress(&req, &opts)?;
            let json = serde_json::to_string_pretty(&plan).context("serialising the plan")? + "\n";
            write_output(output.as_deref(), &json)?;
            eprint!("{}", rota::summary::text(&plan));
            if let Some(kept) = plan.summary.continuity_kept {
                let calls: usize = plan
                    .rounds
                    .iter()
                    .flat_map(|r| &r.stops)
                    .filter(|s| matches!(s, rota::model::Stop::Visit(_)))
                    .count();
                eprintln!("continuity: {kept} of {calls} calls keep the previous plan's carer");
            }
            Ok(0)
        }
        Command::Capacity {
            request,
            output,
            time_limit,
            areas,
            max_new,
            package,
            threads,
        } => {
            let text = request_text(request.as_deref())?;
            let req = rota::load_request(&text)?;
            let package = match &package {
                Some(p) => rota::capacity::package_from_str(&read_input(p)?)?,
                None => rota::capacity::Package::default(),
            };
            let opts = rota::capacity::CapacityOptions {
                package,
                areas,
                max_new,
                time_limit,
                threads: threads.unwrap_or(0),
            };
            let answers = rota::capacity::capacity(&req, &opts)?;
            let json =
                serde_json::to_string_pretty(&answers).context("serialising the answers")? + "\n";
            write_output(output.as_deref(), &json)?;
            eprint!("{}", rota::capacity::table(&answers));
            Ok(0)
        }
        Command::Replan {
            request,
            plan,
            now,
            unavailable,
            unavailable_from,
            output,
            time_limit,
            threads,
            osm,
        } => {
            let mut req = rota::load_request(&read_input(&request)?)?;
            eprint!(
                "{}",
                rota::roads::apply(&mut req, osm.as_deref(), std::io::stderr().is_terminal())?
            );
            let old = rota::parse::plan_from_str(&read_input(&plan)?)?;
            req.settings.time_limit_seconds = time_limit;
            let d = rota::replan::Disruption {
                now: rota::model::minutes_of_day(now),
                unavailable,
                unavailable_from: unavailable_from.map(rota::model::minutes_of_day),
            };
            let opts = rota::PlanOptions {
                exact: false,
                threads: threads.unwrap_or(0),
                ..Default::default()
            };
            let ctl = rota::control::SolveControl::new();
            let plan = rota::replan::replan(&req, &old, &d, &opts, &ctl)?;
            let json = serde_json::to_string_pretty(&plan).context("serialising the plan")? + "\n";
            write_output(output.as_deref(), &json)?;
            if let Some(r) = &plan.summary.replan {
                eprint!("{}", rota::replan::text(r));
            }
            eprint!("{}", rota::summary::text(&plan));
            Ok(0)
        }
        Command::Check {
            request,
            plan,
            previous,
            osm,
        } => {
            if request.as_os_str() == "-" && plan.as_os_str() == "-" {
                return Err(RotaError::invalid(rota::Issue::new(
                    "E1003",
                    "",
                    "request and plan cannot both be read from stdin",
                    "give at least one of them as a file",
                ))
                .into());
            }
            let mut req = rota::load_request(&read_input(&request)?)?;
            eprint!("{}", rota::roads::apply(&mut req, osm.as_deref(), false)?);
            if let Some(path) = &previous {
                let prev = rota::parse::plan_from_str(&read_input(path)?)?;
                req.previous_plan = Some(Box::new(prev));
                rota::validate::validate(&req).map_err(RotaError::Invalid)?;
            }
            let plan = rota::parse::plan_from_str(&read_input(&plan)?)?;
            let report = rota::check::check(&req, &plan);
            if report.is_valid() {
                eprintln!(
                    "valid: {} rounds, {} of {} clients served",
                    plan.rounds.len(),
                    plan.summary.clients_served,
                    plan.summary.clients_total
                );
                Ok(0)
            } else {
                println!("{report}");
                eprintln!("invalid: {} violation(s)", report.violations.len());
                Ok(1)
            }
        }
        Command::Report {
            plan,
            request,
            output,
            osm,
        } => {
            let mut req = rota::load_request(&read_input(&request)?)?;
            eprint!("{}", rota::roads::apply(&mut req, osm.as_deref(), false)?);
            let plan = rota::parse::plan_from_str(&read_input(&plan)?)?;
            let report = rota::check::check(&req, &plan);
            if !report.is_valid() {
                eprintln!(
                    "warning: this plan breaks {} rule(s) of its request (rota check lists them)",
                    report.violations.len()
                );
            }
            let paths = match &osm {
                Some(p) => Some(rota::roads::paths::round_paths(
                    &req,
                    &plan,
                    p,
                    &Default::default(),
                )?),
                None => None,
            };
            write_output(
                output.as_deref(),
                &rota::report::html_with_roads(&req, &plan, paths.as_deref()),
            )?;
            if let Some(p) = &output {
                eprintln!("report written to {}", p.display());
            }
            Ok(0)
        }
        Command::Export {
            plan,
            format,
            output,
        } => {
            let plan = rota::parse::plan_from_str(&read_input(&plan)?)?;
            match format {
                ExportFormat::Csv => write_output(output.as_deref(), &rota::export::csv(&plan)?)?,
                ExportFormat::Ical => {
                    let dir = output.unwrap_or_else(|| PathBuf::from("."));
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    for (name, text) in rota::export::ical(&plan) {
                        let path = dir.join(name);
                        std::fs::write(&path, text)
                            .with_context(|| format!("writing {}", path.display()))?;
                        eprintln!("wrote {}", path.display());
                    }
                }
            }
            Ok(0)
        }
        Command::Serve {
            addr,
            workers,
            queue,
            data_dir,
            token_file,
            max_body_mb,
            max_time_limit,
            retention_days,
            cors_origin,
        } => {
            rota::serve::run(rota::serve::Config {
                addr,
                workers: workers.unwrap_or_else(rota::serve::Config::default_workers),
                queue,
                data_dir: data_dir.unwrap_or_else(rota::serve::Config::default_data_dir),
                token_file,
                max_body_bytes: max_body_mb.saturating_mul(1024 * 1024),
                max_time_limit_seconds: max_time_limit,
                retention_days,
                cors_origins: cors_origin,
            })?;
            Ok(0)
        }
        Command::Bench {
            which:
                Bench::Roads {
                    side,
                    locations,
                    modes,
                    seed,
                },
        } => {
            let t = std::time::Instant::now();
            let rows = rota::roads::bench::run(side, locations, &modes, seed, |r| {
                eprintln!("{}", serde_json::to_string(r).unwrap_or_default())
            });
            println!(
                "{}",
                rota::roads::bench::markdown(&rows, t.elapsed().as_secs_f64())
            );
            Ok(0)
        }
        Command::Bench {
            which:
                Bench::Exact {
                    clients,
                    seeds,
                    am_rounds,
                    pm_rounds,
                    time_limit,
                    csv,
                },
        } => {
            let rows = rota::bench::exact_rows(
                &clients,
                &seeds,
                am_rounds,
                pm_rounds,
                time_limit,
                |r| {
                    eprintln!(
                        "{} clients seed {}: {} visits, {} rounds, exact {} ({}) in {:.2} s, bound {}",
                        r.clients,
                        r.seed,
                        r.visits,
                        r.rounds,
                        r.priority,
                        if r.optimal { "optimal" } else { "time limit" },
                        r.seconds,
                        r.bound
                    )
                },
            )?;
            print!("{}", rota::bench::exact_markdown(&rows));
            if let Some(path) = csv {
                std::fs::write(&path, rota::bench::exact_csv(&rows))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(0)
        }
        Command::Bench {
            which:
                Bench::Solomon {
                    files,
                    time_limit,
                    seed,
                    threads,
                    bks,
                    csv,
                    tuning,
                },
        } => {
            let bks_path = bks.unwrap_or_else(|| {
                files[0]
                    .parent()
                    .and_then(Path::parent)
                    .and_then(Path::parent)
                    .unwrap_or(Path::new("."))
                    .join("bks_distance_only.csv")
            });
            let bks = if bks_path.exists() {
                rota::bench::read_bks(&bks_path)?
            } else {
                eprintln!("no optima at {}: gaps are not computed", bks_path.display());
                Default::default()
            };
            let hier_path = bks_path.with_file_name("bks_100_hierarchical.csv");
            let hier = if hier_path.exists() {
                rota::bench::read_hierarchical(&hier_path)?
            } else {
                Default::default()
            };
            let run = rota::bench::SolomonRun {
                time_limit,
                seed,
                threads,
                tuning: tuning.tuning(0),
            };
            let rows = rota::bench::solomon_rows(&files, &bks, &hier, run, |r| {
                eprintln!(
                    "{} ({}): {} routes, distance {}, optimum {}, gap {}, {:.1} s{}",
                    r.instance,
                    r.customers,
                    r.routes,
                    r.distance.map_or("invalid".into(), |d| format!("{d:.1}")),
                    r.best_known.map_or("-".into(), |d| format!("{d:.1}")),
                    r.gap().map_or("-".into(), |g| format!("{:.2}%", g * 100.0)),
                    r.seconds,
                    r.error
                        .as_deref()
                        .map_or(String::new(), |e| format!(" INVALID: {e}"))
                )
            })?;
            print!("{}", rota::bench::solomon_markdown(&rows));
            if let Some(path) = csv {
                std::fs::write(&path, rota::bench::solomon_csv(&rows))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(if rows.iter().all(|r| r.error.is_none()) {
                0
            } else {
                1
            })
        }
        Command::Bench {
            which:
                Bench::Days {
                    clients,
                    seeds,
                    time_limit,
                    threads,
                    csv,
                    tuning,
                },
        } => {
            let tuning = tuning.tuning(rota::solve::search::RECOMBINE_EVERY);
            let rows =
                rota::bench::day_rows(&clients, &seeds, time_limit, threads, tuning, print_day)?;
            print!("{}", rota::bench::days_markdown(&rows));
            if let Some(path) = csv {
                std::fs::write(&path, rota::bench::days_csv(&rows))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(if rows.iter().all(|r| r.valid) { 0 } else { 1 })
        }
        Command::Bench {
            which:
                Bench::Replan {
                    request,
                    now,
                    unavailable,
                    time_limit,
                    runs,
                    threads,
                },
        } => {
            let text = request_text(request.as_deref())?;
            let req = rota::load_request(&text)?;
            let d = rota::replan::Disruption {
                now: rota::model::minutes_of_day(now),
                unavailable,
                unavailable_from: None,
            };
            let rows = rota::replan::bench(&req, &d, time_limit, runs, threads)?;
            println!(
                "| seed | seconds | served before | served after | priority before | priority after | fixed | re-assigned | moved | dropped | re-timed | at risk | valid |"
            );
            println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for r in &rows {
                println!(
                    "| {} | {:.2} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.seed,
                    r.seconds,
                    r.served_before,
                    r.served_after,
                    r.priority_before,
                    r.priority_after,
                    r.summary.calls_fixed,
                    r.summary.calls_of_unavailable,
                    r.summary.calls_moved,
                    r.summary.calls_dropped,
                    r.summary.calls_retimed,
                    r.summary.at_risk.len(),
                    if r.valid { "yes" } else { "NO" }
                );
            }
            Ok(if rows.iter().all(|r| r.valid) { 0 } else { 1 })
        }
        Command::Bench {
            which:
                Bench::Suite {
                    solomon,
                    time_limit,
                    large_time_limit,
                    out,
                },
        } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let mut files: Vec<PathBuf> = std::fs::read_dir(solomon.join("instances/100"))
                .with_context(|| format!("reading {}", solomon.join("instances/100").display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            files.sort();
            let bks = rota::bench::read_bks(&solomon.join("bks_distance_only.csv"))?;
            let hier = rota::bench::read_hierarchical(&solomon.join("bks_100_hierarchical.csv"))?;
            let run = rota::bench::SolomonRun {
                time_limit,
                seed: 1,
                threads: 0,
                tuning: rota::solve::search::Tuning {
                    recombine_every: 0,
                    ..Default::default()
                },
            };
            let s_rows = rota::bench::solomon_rows(&files, &bks, &hier, run, |r| {
                eprintln!(
                    "{}: distance {}, gap {}",
                    r.instance,
                    r.distance.map_or("invalid".into(), |d| format!("{d:.1}")),
                    r.gap().map_or("-".into(), |g| format!("{:.2}%", g * 100.0))
                )
            })?;
            let tuning = rota::solve::search::Tuning::default();
            let mut d_rows =
                rota::bench::day_rows(&[50, 100, 300], &[1], time_limit, 0, tuning, print_day)?;
            if large_time_limit > 0.0 {
                d_rows.extend(rota::bench::day_rows(
                    &[1000],
                    &[1],
                    large_time_limit,
                    0,
                    tuning,
                    print_day,
                )?);
            }
            let write = |name: &str, text: String| {
                std::fs::write(out.join(name), text)
                    .with_context(|| format!("writing {}", out.join(name).display()))
            };
            write("solomon.csv", rota::bench::solomon_csv(&s_rows))?;
            write("days.csv", rota::bench::days_csv(&d_rows))?;
            let md = format!(
                "## Solomon, 100 customers, {time_limit} s each, seed 1\n\n{}\n## Generated days (seed 1; {time_limit} s, 1000 clients {large_time_limit} s)\n\n{}",
                rota::bench::solomon_markdown(&s_rows),
                rota::bench::days_markdown(&d_rows)
            );
            write("summary.md", md.clone())?;
            print!("{md}");
            let ok = s_rows.iter().all(|r| r.error.is_none()) && d_rows.iter().all(|r| r.valid);
            Ok(if ok { 0 } else { 1 })
        }
        Command::Roads {
            request,
            osm,
            output,
            snap_limit,
            no_cache,
        } => {
            let mut req = rota::load_request(&read_input(&request)?)?;
            let opts = rota::roads::RoadOptions {
                snap_limit_m: snap_limit,
                cache_dir: if no_cache {
                    None
                } else {
                    rota::roads::cache::default_dir()
                },
                progress: std::io::stderr().is_terminal(),
            };
            let report = rota::roads::fill_travel_matrix(&mut req, &osm, &opts)?;
            let json = serde_json::to_string(&req).context("serialising the request")? + "\n";
            write_output(output.as_deref(), &json)?;
            eprint!("{}", rota::roads::summary(&report));
            Ok(0)
        }
        Command::Generate {
            clients,
            seed,
            am_rounds,
            pm_rounds,
            date,
            output,
            osm,
        } => {
            if clients == 0 {
                return Err(RotaError::invalid(rota::Issue::new(
                    "E1004",
                    "--clients",
                    "a day needs at least one client",
                    "give --clients 1 or more",
                ))
                .into());
            }
            let date = date
                .unwrap_or_else(|| chrono::Local::now().date_naive() + chrono::Duration::days(1));
            let mut req = generate(&GenerateOptions {
                clients,
                seed,
                am_rounds,
                pm_rounds,
                date,
            });
            if let Some(p) = &osm {
                rota::roads::place::place_on_file(&mut req, p, seed)?;
            }
            let json =
                serde_json::to_string_pretty(&req).context("serialising the request")? + "\n";
            write_output(output.as_deref(), &json)?;
            if std::io::stderr().is_terminal() {
                eprintln!(
                    "generated {} clients, {} carers",
                    req.clients.len(),
                    req.carers.len()
                );
            }
            Ok(0)
        }
    }
}

/// Solve on a worker thread; on a terminal, show a progress line on stderr
/// (elapsed time, clients served, priority, travel and the bound) until it
/// is done.
fn plan_with_progress(
    req: &rota::model::Request,
    opts: &rota::PlanOptions,
) -> Result<rota::model::Plan, RotaError> {
    let ctl = rota::control::SolveControl::new();
    if !std::io::stderr().is_terminal() {
        return rota::plan_with(req, opts, &ctl);
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let result = std::thread::scope(|s| {
        let worker = s.spawn(|| rota::plan_with(req, opts, &ctl));
        while !worker.is_finished() {
            let p = ctl.progress();
            bar.set_message(format!(
                "{}: {} clients served, priority {}{}, travel {:.1} h",
                if p.phase.is_empty() {
                    "starting"
                } else {
                    &p.phase
                },
                p.clients_served,
                p.priority_served,
                p.upper_bound_priority
                    .map_or(String::new(), |b| format!(" of at most {b}")),
                p.travel_minutes as f64 / 60.0
            ));
            bar.tick();
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        worker
            .join()
            .unwrap_or_else(|_| Err(RotaError::Internal("the solver thread panicked".into())))
    });
    bar.finish_and_clear();
    result
}

/// `HH:MM` for clap.
fn parse_hhmm(s: &str) -> Result<chrono::NaiveTime, String> {
    rota::model::hhmm::parse(s)
}

fn print_day(r: &rota::bench::DayRow) {
    eprintln!(
        "{} clients seed {}: {} served, priority {} of at most {} (gap {:.1}%), travel {:.1} h, final plan at {:.1} s of {:.1} s, {}",
        r.clients,
        r.seed,
        r.served,
        r.priority,
        r.bound,
        r.gap * 100.0,
        r.travel_minutes as f64 / 60.0,
        r.final_plan_seconds,
        r.seconds,
        if r.valid { "valid" } else { "INVALID" }
    );
}
