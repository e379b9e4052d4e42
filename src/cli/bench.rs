//! `rota bench`: measured benchmark runs (docs/benchmarks.md). The runs and
//! their tables are the library's (`rota::bench`); this file maps flags and
//! prints progress lines.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use rota::bench::{DayRow, SolomonRow};
use rota::solve::search::Tuning;

use super::{Failure, parse_hhmm, request_text};

/// Switches for measuring what each part of the search brings.
#[derive(Args, Debug, Clone, Copy)]
pub struct TuningArgs {
    /// Recombine the search's rounds by MIP after every N iterations
    /// without a new best (0: off). Default: off for Solomon (it measured
    /// worse there in 10 s runs, see docs/benchmarks.md) and Mankowska
    /// (it prices rounds by travel alone), 2000 for days.
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
    fn tuning(self, recombine_default: usize) -> Tuning {
        Tuning {
            recombine_every: self.recombine_every.unwrap_or(recombine_default),
            local_search: !self.no_local_search,
            regret: !self.no_regret,
        }
    }
}

#[derive(Subcommand)]
pub enum Bench {
    /// Road matrices (docs/roads.md): per mode, build a synthetic road grid
    /// of side x side nodes (530: about a million edges) and time the
    /// matrix between random locations.
    Roads(RoadsArgs),
    /// Solve generated days of growing size exactly: time to prove
    /// optimality, and how far the relaxation bound is from the optimum.
    Exact(ExactArgs),
    /// Solve Solomon VRPTW instances with the default solver and compare
    /// with the distance-only optima (one-decimal truncated arcs).
    Solomon(SolomonArgs),
    /// Plan generated home-care days with the default solver: priority
    /// served, bound, gap, travel, time to the final plan.
    Days(DaysArgs),
    /// Re-plan a day after carers drop out (docs/replan.md), timed: plans
    /// the day first (not timed), then re-plans it `runs` times.
    Replan(ReplanArgs),
    /// How tight the upper bound is: generated days (and requests) are
    /// planned, then bounded by the energetic relaxation and by column
    /// generation over rounds, each timed (docs/benchmarks.md).
    Bound(BoundArgs),
    /// Solve Mankowska et al. (2014) home-health-care instances (double
    /// services, precedence, skills, soft lateness) with the search that
    /// plans requests (one thread, the benchmark's weighted order),
    /// re-check each plan with the independent verifier, and compare with
    /// bks.csv; the cost is (D + T + Tmax) / 3.
    Hhcrsp(HhcrspArgs),
    /// The whole quality suite, fixed instances and seeds: the 56 Solomon
    /// 100-customer instances, and generated days of 50, 100, 300 (and
    /// 1000) clients; CSV and Markdown files in --out.
    Suite(SuiteArgs),
}

#[derive(Args)]
pub struct RoadsArgs {
    #[arg(long, default_value_t = 530)]
    pub side: usize,
    #[arg(long, default_value_t = 1300)]
    pub locations: usize,
    /// Modes, 0 drive, 1 bike, 2 walk.
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    pub modes: Vec<usize>,
    /// The search's priority queues to measure, each on the same
    /// graph and points: binary, radix.
    #[arg(long, value_delimiter = ',', default_value = "radix")]
    pub queue: Vec<String>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct ExactArgs {
    /// Client counts of the generated days.
    #[arg(long, value_delimiter = ',', default_value = "2,4,6,8,10,12")]
    pub clients: Vec<usize>,
    /// Seeds of the generated days.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    pub seeds: Vec<u64>,
    /// Morning rounds of each day.
    #[arg(long, default_value_t = 2)]
    pub am_rounds: usize,
    /// Evening rounds of each day.
    #[arg(long, default_value_t = 2)]
    pub pm_rounds: usize,
    /// Time limit per day, in seconds.
    #[arg(long, default_value_t = 120.0)]
    pub time_limit: f64,
    /// Also write the rows as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

#[derive(Args)]
pub struct SolomonArgs {
    /// Instance files (e.g. ../shared/benchmarks/solomon/instances/100/*.txt).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Time limit per instance, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Parallel searches (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// An iteration budget per search instead of the time limit: with a
    /// fixed --threads the table is the same on any machine.
    #[arg(long)]
    pub iterations: Option<usize>,
    /// The optima; default: bks_distance_only.csv two folders above the
    /// first instance file.
    #[arg(long)]
    pub bks: Option<PathBuf>,
    /// Write one row per instance here (with its routes).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub tuning: TuningArgs,
}

#[derive(Args)]
pub struct DaysArgs {
    #[arg(long, value_delimiter = ',', default_value = "50,100,300,1000")]
    pub clients: Vec<usize>,
    #[arg(long, value_delimiter = ',', default_value = "1")]
    pub seeds: Vec<u64>,
    /// Time limit per day, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    /// Parallel searches (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Plan each day with each of these search seeds (settings.seed;
    /// default: the day's own seed), one row each: the spread across
    /// seeds.
    #[arg(long, value_delimiter = ',')]
    pub search_seeds: Vec<u64>,
    /// An iteration budget per search (settings.iterations): with a
    /// fixed --threads the plans are the same on any machine.
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Stop each search when it stalls (settings.stop_when_stalled)
    /// instead of using the whole time limit.
    #[arg(long)]
    pub stop_when_stalled: bool,
    #[arg(long)]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub tuning: TuningArgs,
}

#[derive(Args)]
pub struct ReplanArgs {
    /// The request; none: the bundled sample day.
    pub request: Option<PathBuf>,
    /// Time of the re-plan.
    #[arg(long, default_value = "10:15", value_parser = parse_hhmm)]
    pub now: chrono::NaiveTime,
    /// Absent carers, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "C03,C07")]
    pub unavailable: Vec<String>,
    /// Time limit of each re-plan, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub time_limit: f64,
    /// Re-plans, with seeds 1, 2, ...
    #[arg(long, default_value_t = 3)]
    pub runs: u64,
    /// Parallel searches (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Args)]
pub struct BoundArgs {
    #[arg(long, value_delimiter = ',', default_value = "50")]
    pub clients: Vec<usize>,
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,2,3,4,5,6,7,8,9,10,11,12"
    )]
    pub seeds: Vec<u64>,
    /// Requests to bound too (e.g. the sample day).
    #[arg(long)]
    pub request: Vec<PathBuf>,
    /// Time limit of each plan, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub plan_time: f64,
    /// Time limit of the column generation, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub bound_time: f64,
    /// Do not seed the column generation with the plan's rounds.
    #[arg(long)]
    pub unseeded: bool,
    /// Parallel searches of the plan (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Route bound variants to compare on the same plans: `default`, or
    /// features joined by `+` from `ng`, `ngN` (ng-sets of N), `heur`,
    /// `branch`; `elem` for none (docs/benchmarks.md).
    #[arg(long, value_delimiter = ',', default_value = "default",
          value_parser = rota::bench::check_variant)]
    pub variant: Vec<String>,
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

#[derive(Args)]
pub struct HhcrspArgs {
    /// Instance files (e.g.
    /// ../shared/benchmarks/hhcrsp/mankowska2014/instances/*.txt).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Seconds per search; default: the set's budget (A and B 10, C-E 60,
    /// F and G 120).
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// An iteration budget per search instead of the time limit (the same
    /// table on any machine).
    #[arg(long)]
    pub iterations: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Searches per instance, from --seed on: the table gives the first
    /// and the best.
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
    /// Instances solved at once (one core each).
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// The best-known values; default: bks.csv one folder above the
    /// instances' folder.
    #[arg(long)]
    pub bks: Option<PathBuf>,
    /// Write one row per instance here (with the routes and start times).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Write each instance's routes here as JSON: one list per caregiver,
    /// in caregiver order, of {"node", "service", "start"}.
    #[arg(long)]
    pub routes_dir: Option<PathBuf>,
    #[command(flatten)]
    pub tuning: TuningArgs,
}

#[derive(Args)]
pub struct SuiteArgs {
    /// The Solomon folder (with instances/100 and the BKS files).
    #[arg(long, default_value = "../shared/benchmarks/solomon")]
    pub solomon: PathBuf,
    /// Time limit per Solomon instance and per day up to 300 clients.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    /// Time limit for the 1000-client day (0 leaves it out).
    #[arg(long, default_value_t = 120.0)]
    pub large_time_limit: f64,
    /// The Mankowska folder (with bks.csv and instances/).
    #[arg(long, default_value = "../shared/benchmarks/hhcrsp/mankowska2014")]
    pub hhcrsp: PathBuf,
    /// Mankowska sets to run at their budgets, comma-separated ("" leaves
    /// them out; all seven take about 75 minutes).
    #[arg(long, default_value = "A,B,C,D,E,F,G", value_delimiter = ',')]
    pub hhcrsp_sets: Vec<String>,
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
}

/// Write `text` to the CSV file, if one was asked for.
fn write_csv(path: Option<PathBuf>, text: String) -> anyhow::Result<()> {
    if let Some(path) = path {
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// 0 when every run was valid, else 1.
fn exit(all_valid: bool) -> u8 {
    if all_valid { 0 } else { 1 }
}

pub fn run(which: Bench) -> Result<u8, Failure> {
    match which {
        Bench::Roads(args) => bench_roads(args),
        Bench::Exact(args) => bench_exact(args),
        Bench::Solomon(args) => bench_solomon(args),
        Bench::Days(args) => bench_days(args),
        Bench::Replan(args) => bench_replan(args),
        Bench::Bound(args) => bench_bound(args),
        Bench::Hhcrsp(args) => bench_hhcrsp(args),
        Bench::Suite(args) => bench_suite(args),
    }
}

/// `rota bench roads`.
fn bench_roads(args: RoadsArgs) -> Result<u8, Failure> {
    use rota::roads::queue::Queue;
    let mut queues = Vec::new();
    for q in &args.queue {
        queues.push(match q.as_str() {
            "binary" => Queue::Binary,
            "radix" => Queue::Radix,
            other => {
                return Err(
                    anyhow::anyhow!("--queue: unknown queue '{other}' (binary, radix)").into(),
                );
            }
        });
    }
    let t = std::time::Instant::now();
    let rows = rota::roads::bench::run(
        args.side,
        args.locations,
        &args.modes,
        &queues,
        args.seed,
        |r| eprintln!("{}", serde_json::to_string(r).unwrap_or_default()),
    );
    println!(
        "{}",
        rota::roads::bench::markdown(&rows, t.elapsed().as_secs_f64())
    );
    Ok(0)
}

/// `rota bench exact`.
fn bench_exact(args: ExactArgs) -> Result<u8, Failure> {
    let rows = rota::bench::exact_rows(
        &args.clients,
        &args.seeds,
        args.am_rounds,
        args.pm_rounds,
        args.time_limit,
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
    write_csv(args.csv, rota::bench::exact_csv(&rows))?;
    Ok(0)
}

/// `rota bench solomon`.
fn bench_solomon(args: SolomonArgs) -> Result<u8, Failure> {
    let files = args.files;
    let bks_path = args
        .bks
        .unwrap_or_else(|| rota::bench::solomon::default_bks_path(&files[0]));
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
        time_limit: args.time_limit,
        iterations: args.iterations,
        seed: args.seed,
        threads: args.threads,
        tuning: args.tuning.tuning(0),
    };
    let rows = rota::bench::solomon_rows(&files, &bks, &hier, run, print_solomon)?;
    print!("{}", rota::bench::solomon_markdown(&rows));
    write_csv(args.csv, rota::bench::solomon_csv(&rows))?;
    Ok(exit(rows.iter().all(|r| r.error.is_none())))
}

/// `rota bench hhcrsp`.
fn bench_hhcrsp(args: HhcrspArgs) -> Result<u8, Failure> {
    use rota::bench::hhcrsp::run as hh;
    let bks_path = args
        .bks
        .unwrap_or_else(|| hh::default_bks_path(&args.files[0]));
    let bks = if bks_path.exists() {
        hh::read_bks(&bks_path)?
    } else {
        eprintln!(
            "no best-known values at {}: gaps are not computed",
            bks_path.display()
        );
        Default::default()
    };
    let run = hh::HhcrspRun {
        time_limit: args.time_limit,
        iterations: args.iterations,
        seed: args.seed,
        seeds: args.seeds,
        jobs: args.jobs,
        routes_dir: args.routes_dir,
        tuning: args.tuning.tuning(hh::HhcrspRun::TUNING.recombine_every),
    };
    let rows = hh::hhcrsp_rows(&args.files, &bks, &run, print_hhcrsp)?;
    print!("{}", hh::hhcrsp_markdown(&rows));
    write_csv(args.csv, hh::hhcrsp_csv(&rows))?;
    Ok(exit(rows.iter().all(hh::HhcrspRow::all_verified)))
}

fn print_hhcrsp(r: &rota::bench::hhcrsp::run::HhcrspRow) {
    for a in &r.attempts {
        let verdict = match &a.checked {
            Ok(c) => format!(
                "cost {:.3} (D {:.3}, T {:.3}, Tmax {:.3}), gap {}",
                c.cost(),
                c.distance,
                c.tardiness,
                c.max_tardiness,
                r.gap(a).map_or("-".into(), |g| format!("{:.2}%", g + 0.0))
            ),
            Err(e) => format!("INVALID: {}", e.join("; ")),
        };
        eprintln!(
            "{} seed {}: {verdict}, {:.1} s, {} iterations",
            r.instance, a.seed, a.seconds, a.iterations
        );
    }
}

/// `rota bench days`.
fn bench_days(args: DaysArgs) -> Result<u8, Failure> {
    let run = rota::bench::DayRun {
        time_limit: args.time_limit,
        iterations: args.iterations,
        stop_when_stalled: args.stop_when_stalled,
        threads: args.threads,
        tuning: args.tuning.tuning(rota::solve::search::RECOMBINE_EVERY),
    };
    let rows = rota::bench::day_rows_with(
        &args.clients,
        &args.seeds,
        &args.search_seeds,
        run,
        print_day,
    )?;
    print!("{}", rota::bench::days_markdown(&rows));
    write_csv(args.csv, rota::bench::days_csv(&rows))?;
    Ok(exit(rows.iter().all(|r| r.valid)))
}

/// `rota bench replan`.
fn bench_replan(args: ReplanArgs) -> Result<u8, Failure> {
    let req = rota::load_request(&request_text(args.request.as_deref())?)?;
    let d = rota::replan::Disruption::new(
        rota::model::minutes_of_day(args.now),
        args.unavailable,
        None,
    );
    let rows = rota::bench::replan_rows(&req, &d, args.time_limit, args.runs, args.threads)?;
    print!("{}", rota::bench::replan_markdown(&rows));
    Ok(exit(rows.iter().all(|r| r.valid)))
}

/// `rota bench bound`.
fn bench_bound(args: BoundArgs) -> Result<u8, Failure> {
    let mut named = Vec::new();
    for path in &args.request {
        let req = rota::load_request(&request_text(Some(path))?)?.into_inner();
        named.push((path.display().to_string(), req));
    }
    let run = rota::bench::BoundRun {
        plan_time: args.plan_time,
        bound_time: args.bound_time,
        seeded: !args.unseeded,
        threads: args.threads,
        variants: args.variant.clone(),
    };
    let rows = rota::bench::bound_rows(&args.clients, &args.seeds, &named, run, |r| {
        eprintln!(
            "{} {}: priority {}, plan bound {}, energetic {:?} ({:.2} s), colgen {:?} ({:.2} s, {} iterations, {} exact, {} columns, converged {}, LP {:?})",
            r.day,
            r.variant,
            r.priority,
            r.plan_bound,
            r.energetic,
            r.energetic_seconds,
            r.colgen,
            r.colgen_seconds,
            r.iterations,
            r.exact_iterations,
            r.columns,
            r.converged,
            r.lp
        )
    })?;
    print!("{}", rota::bench::bound_markdown(&rows));
    write_csv(args.csv, rota::bench::bound_csv(&rows))?;
    Ok(0)
}

/// `rota bench suite`.
fn bench_suite(args: SuiteArgs) -> Result<u8, Failure> {
    let sets: Vec<String> = args
        .hhcrsp_sets
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let suite = rota::bench::suite::run_suite(
        rota::bench::suite::SuiteData {
            solomon: &args.solomon,
            hhcrsp: &args.hhcrsp,
            hhcrsp_sets: &sets,
        },
        args.time_limit,
        args.large_time_limit,
        &args.out,
        |r| {
            eprintln!(
                "{}: distance {}, gap {}",
                r.instance,
                r.distance.map_or("invalid".into(), |d| format!("{d:.1}")),
                r.gap().map_or("-".into(), |g| format!("{:.2}%", g * 100.0))
            )
        },
        print_day,
        print_hhcrsp,
    )?;
    print!("{}", suite.markdown);
    Ok(exit(suite.all_valid()))
}

fn print_solomon(r: &SolomonRow) {
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
    );
}

fn print_day(r: &DayRow) {
    eprintln!(
        "{} clients seed {} (search seed {}): {} served, priority {} of at most {} (gap {:.1}%), travel {:.1} h, final plan at {:.1} s of {:.1} s, {}",
        r.clients,
        r.seed,
        r.search_seed,
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
