//! `rota plan`: request JSON in, plan JSON out, the summary on stderr.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use rota::RotaError;
use rota::model::Plan;
use rota::prepare::{Amend, Prepared};

use super::{
    Failure, load_request, print_roads, read_plan, request_text, roads, to_json, write_output,
};

#[derive(Args)]
pub struct PlanArgs {
    /// The request file; `-` reads stdin; none plans the bundled sample day.
    request: Option<PathBuf>,
    /// Write the plan here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Stamp the plan as issued at this time (`now` or RFC 3339): its
    /// calendars then replace those of any plan issued earlier
    /// (docs/outputs.md, "Calendars"). Off by default, so the same request
    /// gives the same plan bytes.
    #[arg(long, value_parser = rota::model::parse_issued)]
    issued: Option<chrono::DateTime<chrono::Utc>>,
    /// Time limit in seconds (overrides settings.time_limit_seconds). The
    /// search uses all of it unless --stop-when-stalled.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Random seed (overrides settings.seed). With --iterations and a fixed
    /// --threads, the same seed gives the same plan on any machine.
    #[arg(long)]
    seed: Option<u64>,
    /// An iteration budget per search (overrides settings.iterations): the
    /// search runs exactly this many iterations, whatever the time limit.
    #[arg(long)]
    iterations: Option<u64>,
    /// The quick answer: stop the search when it stops improving
    /// (settings.stop_when_stalled) instead of using the whole time limit.
    #[arg(long)]
    stop_when_stalled: bool,
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
    /// Refuse (E2001) a request whose estimated peak memory is above
    /// this many MiB (docs/limits.md).
    #[arg(long, default_value_t = rota::limits::DEFAULT_MAX_MEMORY_MB)]
    max_memory_mb: u64,
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
}

pub fn run(a: PlanArgs) -> Result<u8, Failure> {
    // The time limit counts from here: reading, validating and road travel
    // times included (docs/limits.md).
    let started = std::time::Instant::now();
    let amend = Amend {
        time_limit: a.time_limit,
        seed: a.seed,
        iterations: a.iterations,
        stop_when_stalled: a.stop_when_stalled.then_some(true),
        strict: a.strict,
        previous_plan: a.previous.as_deref().map(read_plan).transpose()?,
        ..Amend::default()
    };
    let req = load_request(&request_text(a.request.as_deref())?, amend)?;
    if let Some((clients, carers)) = rota::plan::continuity::ignored(&req)
        && clients + carers > 0
    {
        let count = rota::output::text::count;
        eprintln!(
            "note: the previous plan names {} and {} not in this request (ignored)",
            count(clients as u64, "client", "clients"),
            count(carers as u64, "carer", "carers"),
        );
    }
    let opts = rota::PlanOptions {
        exact: a.exact,
        threads: a.threads.unwrap_or(0),
        ..Default::default()
    };
    let roads = roads(a.osm.as_deref());
    let budget = a.max_memory_mb.saturating_mul(1024 * 1024);
    rota::prepare::check_memory(&req, &roads, opts.threads, budget, "--max-memory-mb")
        .map_err(RotaError::invalid)?;
    let prepared = rota::prepare::with_roads(req, roads, Some(started), None)?;
    print_roads(&prepared);
    let plan = plan_with_progress(&prepared, &opts)?;
    let mut plan = plan;
    plan.issued = a.issued.or(plan.issued);
    write_output(a.output.as_deref(), &to_json(&plan, "plan")?)?;
    eprint!(
        "{}",
        rota::output::text::short_text(&plan, rota::output::text::REASON_LINES)
    );
    if let Some(kept) = plan.summary.continuity_kept {
        let calls: u32 = plan
            .rounds
            .iter()
            .map(rota::plan::figures::visit_count)
            .sum();
        eprintln!(
            "continuity: {kept} of {} {} the previous plan's carer",
            rota::output::text::count(calls.into(), "call", "calls"),
            if kept == 1 { "keeps" } else { "keep" }
        );
    }
    Ok(0)
}

/// Solve on a worker thread; on a terminal, show a progress line on stderr
/// (elapsed time, clients served, priority, travel and the bound) until it
/// is done.
fn plan_with_progress(req: &Prepared, opts: &rota::PlanOptions) -> Result<Plan, RotaError> {
    let ctl = rota::control::SolveControl::new();
    let plan = || rota::plan_prepared(req, opts, &ctl, None).map(|p| p.plan);
    if !std::io::stderr().is_terminal() {
        return plan();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let result = std::thread::scope(|s| {
        let worker = s.spawn(plan);
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
