//! `rota fit`: can one more client be taken into a published plan
//! (docs/fit.md)? The answer as JSON on stdout (or -o), a summary on stderr.

use std::path::PathBuf;

use clap::Args;
use rota::capacity::fit::{FitOptions, Replan, fit, text};

use super::{Failure, load_request, read_input, read_plan, strict, to_json, write_output};

#[derive(Args)]
pub struct FitArgs {
    /// The request the plan was made for.
    request: PathBuf,
    /// The published plan (`-` reads stdin).
    plan: PathBuf,
    /// The new client, as one client of the request format (JSON).
    #[arg(long)]
    client: PathBuf,
    /// Write the answer here instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Write a plan here (checked): the published plan with the best way
    /// applied when the client fits; else, with --replan, the re-plan when
    /// it serves the client; else nothing.
    #[arg(long)]
    plan_output: Option<PathBuf>,
    /// When the client does not fit: re-plan the day with the client added,
    /// searched from the published plan and from it with the client placed
    /// first (half the time each), within this many seconds, and
    /// say whether that serves them and whom it drops (may vary between
    /// runs; --replan-iterations does not).
    #[arg(long, value_name = "SECONDS")]
    replan: Option<f64>,
    /// Re-plan as --replan, with this iteration budget on one thread
    /// instead: the same answer on any machine (the time limit, --replan
    /// or the request's, then only bounds building the problem).
    #[arg(long, value_name = "N")]
    replan_iterations: Option<u64>,
    /// At most this many ways.
    #[arg(long, default_value_t = 5)]
    options: usize,
    /// Refuse the request on warnings too, as on errors (sets
    /// settings.strict; docs/validation.md, "Warnings").
    #[arg(long)]
    strict: bool,
}

pub fn run(a: FitArgs) -> Result<u8, Failure> {
    let req = load_request(&read_input(&a.request)?, strict(a.strict))?;
    let plan = read_plan(&a.plan)?;
    let client = rota::parse::client_from_str(&read_input(&a.client)?)?;
    let replan = (a.replan.is_some() || a.replan_iterations.is_some()).then(|| Replan {
        seconds: a.replan,
        iterations: a.replan_iterations,
        // An iteration budget is reproducible on a fixed thread count.
        threads: if a.replan_iterations.is_some() { 1 } else { 0 },
    });
    let opts = FitOptions {
        max_options: a.options.max(1),
        replan,
        ..FitOptions::default()
    };
    let answer = fit(&req, &plan, &client, &opts)?;
    write_output(a.output.as_deref(), &to_json(&answer, "fit answer")?)?;
    match (&a.plan_output, &answer.plan) {
        (Some(path), Some(p)) => write_output(Some(path), &to_json(p, "plan")?)?,
        (Some(path), None) => eprintln!(
            "no plan written to {}: the client does not fit{}",
            path.display(),
            if answer.replan.is_some() {
                " and the re-plan does not serve them"
            } else {
                " (--replan re-plans the day with them)"
            }
        ),
        _ => {}
    }
    eprint!("{}", text(&answer));
    Ok(0)
}
