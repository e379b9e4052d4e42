//! `rota generate`: a realistic generated request (a Herefordshire-like
//! county).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use rota::RotaError;
use rota::generate::{GenerateOptions, generate};

use super::{Failure, to_json, write_output};

#[derive(Args)]
pub struct GenerateArgs {
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
}

pub fn run(a: GenerateArgs) -> Result<u8, Failure> {
    if a.clients == 0 {
        return Err(RotaError::invalid(rota::Issue::new(
            "E1004",
            "--clients",
            "a day needs at least one client",
            "give --clients 1 or more",
        ))
        .into());
    }
    let date = a
        .date
        .unwrap_or_else(|| chrono::Local::now().date_naive() + chrono::Duration::days(1));
    let mut req = generate(&GenerateOptions {
        clients: a.clients,
        seed: a.seed,
        am_rounds: a.am_rounds,
        pm_rounds: a.pm_rounds,
        date,
    });
    if let Some(p) = &a.osm {
        rota::roads::place::place_on_file(&mut req, p, a.seed)?;
    }
    write_output(a.output.as_deref(), &to_json(&req, "request")?)?;
    if std::io::stderr().is_terminal() {
        eprintln!(
            "generated {} clients, {} carers",
            req.clients.len(),
            req.carers.len()
        );
    }
    Ok(0)
}
