//! `rota bench suite`: the whole quality suite with fixed instances and
//! seeds: the 56 Solomon 100-customer instances, and generated days of 50,
//! 100, 300 (and 1000) clients, and the Mankowska home-health-care sets at
//! their published budgets; CSV and Markdown files in one folder.

use std::path::Path;

use super::hhcrsp::run::{self as hh, HhcrspRow};
use super::{DayRow, SolomonRow, SolomonRun};
use crate::error::RotaError;
use crate::solve::search::Tuning;

/// What the suite measured, and the Markdown summary it wrote.
#[derive(Debug, Clone)]
pub struct Suite {
    pub solomon: Vec<SolomonRow>,
    pub days: Vec<DayRow>,
    pub hhcrsp: Vec<HhcrspRow>,
    pub markdown: String,
}

/// Where the suite's instances are: the Solomon folder (with
/// `instances/100` and the BKS files), the Mankowska folder (with
/// `bks.csv` and `instances/`) and the Mankowska sets to run (A-G; none
/// leaves them out).
#[derive(Debug, Clone)]
pub struct SuiteData<'a> {
    pub solomon: &'a Path,
    pub hhcrsp: &'a Path,
    pub hhcrsp_sets: &'a [String],
}

impl Suite {
    /// Every Solomon route passed its check and every day's plan the checker.
    pub fn all_valid(&self) -> bool {
        self.solomon.iter().all(|r| r.error.is_none())
            && self.days.iter().all(|r| r.valid)
            && self.hhcrsp.iter().all(HhcrspRow::all_verified)
    }
}

/// Run the suite: Solomon 100 from `solomon` (with its BKS files) at
/// `time_limit` seconds each, seed 1, without recombination; generated days
/// of 50, 100 and 300 clients at `time_limit`, and 1000 clients at
/// `large_time_limit` (0 leaves it out); the Mankowska sets of `hhcrsp` at
/// their budgets (10, 60, 120 s), seed 1. Writes `solomon.csv`, `days.csv`,
/// `hhcrsp.csv` and `summary.md` into `out`.
pub fn run_suite(
    data: SuiteData,
    time_limit: f64,
    large_time_limit: f64,
    out: &Path,
    each_solomon: impl FnMut(&SolomonRow),
    mut each_day: impl FnMut(&DayRow),
    each_hhcrsp: impl Fn(&HhcrspRow) + Sync,
) -> Result<Suite, RotaError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| RotaError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let solomon = data.solomon;
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
    let h_rows = hhcrsp_rows(&data, each_hhcrsp)?;
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(io(&path))
    };
    write("solomon.csv", &super::solomon_csv(&s_rows))?;
    write("days.csv", &super::days_csv(&d_rows))?;
    write("hhcrsp.csv", &hh::hhcrsp_csv(&h_rows))?;
    let mut markdown = format!(
        "## Solomon, 100 customers, {time_limit} s each, seed 1\n\n{}\n## Generated days (seed 1; {time_limit} s, 1000 clients {large_time_limit} s)\n\n{}",
        super::solomon_markdown(&s_rows),
        super::days_markdown(&d_rows)
    );
    if !h_rows.is_empty() {
        markdown.push_str(&format!(
            "\n## Mankowska HHCRSP (seed 1; A, B 10 s, C-E 60 s, F, G 120 s)\n\n{}",
            hh::hhcrsp_markdown(&h_rows)
        ));
    }
    write("summary.md", &markdown)?;
    Ok(Suite {
        solomon: s_rows,
        days: d_rows,
        hhcrsp: h_rows,
        markdown,
    })
}

/// The instances of the chosen sets, in `bks.csv` order, solved at their
/// sets' budgets.
fn hhcrsp_rows(
    h: &SuiteData,
    each: impl Fn(&HhcrspRow) + Sync,
) -> Result<Vec<HhcrspRow>, RotaError> {
    if h.hhcrsp_sets.is_empty() {
        return Ok(Vec::new());
    }
    let bks_path = h.hhcrsp.join("bks.csv");
    let bks = hh::read_bks(&bks_path)?;
    let mut chosen: Vec<(&String, &hh::Known)> = bks
        .iter()
        .filter(|(_, k)| h.hhcrsp_sets.contains(&k.set))
        .collect();
    chosen.sort_by_key(|(_, k)| (k.set.clone(), k.instance[1..].parse::<u32>().unwrap_or(0)));
    let files: Vec<std::path::PathBuf> = chosen
        .iter()
        .map(|(f, _)| h.hhcrsp.join("instances").join(f))
        .collect();
    let run = hh::HhcrspRun {
        time_limit: None,
        iterations: None,
        seed: 1,
        seeds: 1,
        jobs: 1,
        routes_dir: None,
        tuning: hh::HhcrspRun::TUNING,
    };
    hh::hhcrsp_rows(&files, &bks, &run, each)
}
