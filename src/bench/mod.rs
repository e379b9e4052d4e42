//! `rota bench`: measured runs, printed as Markdown tables (and CSV) so the
//! figures in `docs/benchmarks.md` can be reproduced with one command:
//! generated days solved exactly ([`exact`]), Solomon VRPTW instances
//! against their optima ([`solomon`]), generated home-care days with the
//! default solver ([`days`]), timed re-plans ([`replan`]) and the whole
//! quality suite ([`suite`]).

pub mod bound;
pub mod days;
pub mod exact;
pub mod hhcrsp;
pub mod replan;
pub mod solomon;
pub mod suite;

pub use bound::{
    BoundRow, BoundRun, bound_csv, bound_markdown, bound_rows, check_variant, variant,
};
pub use days::{DayRow, DayRun, day_rows, day_rows_with, days_csv, days_markdown};
pub use exact::{ExactRow, exact_csv, exact_markdown, exact_rows};
pub use replan::{ReplanRow, replan_markdown, replan_rows};
pub use solomon::{
    SolomonRow, SolomonRun, read_bks, read_hierarchical, solomon_csv, solomon_markdown,
    solomon_rows,
};

use crate::error::RotaError;

/// The day every generated benchmark day is planned for.
pub(crate) fn bench_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a valid date")
}

/// A table as Markdown: a header row, an alignment row (`right[i]`: the
/// column is numeric) and one row per entry.
pub(crate) fn markdown(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", header.join(" | "));
    for &r in right {
        out.push_str(if r { "---:|" } else { "---|" });
    }
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// A table as CSV (fields hold no commas).
pub(crate) fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = header.join(",") + "\n";
    for row in rows {
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Read a whole file, or an error naming it.
pub(crate) fn read(path: &std::path::Path) -> Result<String, RotaError> {
    std::fs::read_to_string(path).map_err(|source| RotaError::Io {
        path: path.display().to_string(),
        source,
    })
}
