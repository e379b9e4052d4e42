//! `rota replan`: re-plan a day after a disruption (docs/replan.md).

use std::path::PathBuf;

use clap::Args;
use rota::prepare::Amend;

use super::{
    Failure, load_request, parse_hhmm, print_roads, read_input, read_plan, roads, to_json,
    write_output,
};

#[derive(Args)]
pub struct ReplanArgs {
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
    /// Freeze window in minutes: a call whose carer leaves for it (start
    /// minus travel) before --now plus this stays as planned, unless its
    /// carer is absent; nothing else starts before then (docs/replan.md).
    #[arg(long, default_value_t = rota::replan::DEFAULT_FREEZE_MINUTES, allow_negative_numbers = true)]
    freeze: i32,
    /// Stamp the new plan as issued at this time (`now` or RFC 3339; as
    /// `rota plan --issued`).
    #[arg(long, value_parser = rota::model::parse_issued)]
    issued: Option<chrono::DateTime<chrono::Utc>>,
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
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
}

pub fn run(a: ReplanArgs) -> Result<u8, Failure> {
    // The time limit counts from here, road travel times included.
    let started = std::time::Instant::now();
    let amend = Amend {
        time_limit: Some(a.time_limit),
        strict: a.strict,
        ..Amend::default()
    };
    let req = load_request(&read_input(&a.request)?, amend)?;
    let old = read_plan(&a.plan)?;
    let prepared = rota::prepare::with_roads(req, roads(a.osm.as_deref()), Some(started), None)?;
    print_roads(&prepared);
    let mut d = rota::replan::Disruption::new(
        rota::model::minutes_of_day(a.now),
        a.unavailable,
        a.unavailable_from.map(rota::model::minutes_of_day),
    );
    d.freeze = a.freeze;
    let opts = rota::PlanOptions {
        exact: false,
        threads: a.threads.unwrap_or(0),
        ..Default::default()
    };
    let ctl = rota::control::SolveControl::new();
    let mut plan = rota::replan::replan(&prepared, &old, &d, &opts, &ctl)?;
    plan.issued = a.issued;
    write_output(a.output.as_deref(), &to_json(&plan, "plan")?)?;
    if let Some(r) = &plan.summary.replan {
        eprint!("{}", rota::replan::text(r));
        let phones = rota::output::phone_list::phone_list(
            Some(&prepared.request),
            &plan,
            rota::output::phone_list::DEFAULT_NOTIFY_MINUTES,
        );
        eprint!("{}", rota::output::phone_list::text(&phones));
    }
    eprint!(
        "{}",
        rota::output::text::short_text(&plan, rota::output::text::REASON_LINES)
    );
    Ok(0)
}
