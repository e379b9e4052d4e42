//! `rota bench suite`: the whole quality suite with fixed instances and
//! seeds: the 56 Solomon 100-customer instances, and generated days of 50,
//! 100, 300 (and 1000) clients; CSV and Markdown files in one folder.

use std::path::Path;

use super::{DayRow, SolomonRow, SolomonRun};
use crate::error::RotaError;
use crate::solve::search::Tuning;

/// What the suite measured, and the Markdown summary it wrote.
#[derive(Debug, Clone)]
pub struct Suite {
    pub solomon: Vec<SolomonRow>,
    pub days: Vec<DayRow>,
    pub markdown: String,
}

impl Suite {
    /// Every Solomon route passed its check and every day's plan the checker.
    pub fn all_valid(&self) -> bool {
        self.solomon.iter().all(|r| r.error.is_none()) && self.days.iter().all(|r| r.valid)
    }
}

/// Run the suite: Solomon 100 from `solomon` (with its BKS files) at
/// `time_limit` seconds each, seed 1, without recombination; generated days
/// of 50, 100 and 300 clients at `time_limit`, and 1000 clients at
/// `large_time_limit` (0 leaves it out). Writes `solomon.csv`, `days.csv`
/// and `summary.md` into `out`.
pub fn run_suite(
    solomon: &Path,
    time_limit: f64,
    large_time_limit: f64,
    out: &Path,
    each_solomon: impl FnMut(&SolomonRow),
    mut each_day: impl FnMut(&DayRow),
) -> Result<Suite, RotaError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| RotaError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let files = super::solomon::instances_100(solomon)?;
    let bks = super::read_bks(&solomon.join("bks_distance_only.csv"))?;
    let hier = super::read_hierarchical(&solomon.join("bks_100_hierarchical.csv"))?;
    let run = SolomonRun {
        time_limit,
        iterations: None,
        seed: 1,
        threads: 0,
        tuning: Tuning {
            recombine_every: 0,
            ..Default::default()
        },
    };
    let s_rows = super::solomon_rows(&files, &bks, &hier, run, each_solomon)?;
    let tuning = Tuning::default();
    let mut d_rows = super::day_rows(&[50, 100, 300], &[1], time_limit, 0, tuning, &mut each_day)?;
    if large_time_limit > 0.0 {
        d_rows.extend(super::day_rows(
            &[1000],
            &[1],
            large_time_limit,
            0,
            tuning,
            &mut each_day,
        )?);
    }
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(io(&path))
    };
    write("solomon.csv", &super::solomon_csv(&s_rows))?;
    write("days.csv", &super::days_csv(&d_rows))?;
    let markdown = format!(
        "## Solomon, 100 customers, {time_limit} s each, seed 1\n\n{}\n## Generated days (seed 1; {time_limit} s, 1000 clients {large_time_limit} s)\n\n{}",
        super::solomon_markdown(&s_rows),
        super::days_markdown(&d_rows)
    );
    write("summary.md", &markdown)?;
    Ok(Suite {
        solomon: s_rows,
        days: d_rows,
        markdown,
    })
}
