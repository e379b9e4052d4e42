//! `rota fit`: can one more client be taken into a published plan
//! (docs/fit.md)? The answer as JSON on stdout (or -o), a summary on stderr.

use std::path::PathBuf;

use clap::Args;
use rota::capacity::fit::{FitOptions, fit, text};

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
    /// Write the plan with the best way applied here (checked).
    #[arg(long)]
    plan_output: Option<PathBuf>,
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
    let opts = FitOptions {
        max_options: a.options.max(1),
        ..FitOptions::default()
    };
    let answer = fit(&req, &plan, &client, &opts)?;
    write_output(a.output.as_deref(), &to_json(&answer, "fit answer")?)?;
    if let (Some(path), Some(p)) = (&a.plan_output, &answer.plan) {
        write_output(Some(path), &to_json(p, "plan")?)?;
    }
    eprint!("{}", text(&answer));
    Ok(0)
}
