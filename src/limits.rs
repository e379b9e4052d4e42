//! Resource limits of a solve: its memory, estimated before anything is
//! built (a request over the budget is refused with E2001 instead of
//! meeting the OOM killer), and the time limit ending before any plan
//! exists (E2002). How a solve spends its time limit is
//! [`crate::solve::budget`]. See `docs/limits.md` for the measurements behind the
//! estimate.
//!
//! What grows with a request, measured with `/usr/bin/time -v` on
//! generated days (`docs/limits.md`):
//!
//! - the travel matrices: `modes x locations^2` minutes of 4 bytes
//!   ([`crate::travel::Travel`]), exact;
//! - the problem's eligibility tables: `visits x carers` reasons
//!   (`Problem::ineligible`, 24 bytes each) and up to `visits x rounds`
//!   eligible rounds (8 bytes each), exact upper bounds;
//! - each search thread: about [`BYTES_PER_VISIT_PAIR_PER_THREAD`] bytes
//!   per pair of visits (measured: one thread more adds 566 MB on a
//!   6,559-visit day, 13.2 bytes per pair; its largest user was not
//!   pinned down, so the figure is a fit, rounded up);
//! - a base of [`BASE_BYTES`]: the runtime, the request, and the bound's
//!   LP, whose size the bound caps (it is most of the 242 MB peak of a
//!   250-client day).

use std::collections::HashSet;

use crate::error::Issue;
use crate::model::Request;

/// The default memory budget of `rota plan` and `rota serve`, in MiB: a
/// small server (4 GB) keeps room for the system and the job store.
pub const DEFAULT_MAX_MEMORY_MB: u64 = 2048;

/// The base of every estimate.
pub const BASE_BYTES: u64 = 256 * 1024 * 1024;

/// Per search thread and per (ordered) pair of visits.
pub const BYTES_PER_VISIT_PAIR_PER_THREAD: u64 = 14;

/// What a request's peak memory grows with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Nodes of the travel matrices: distinct coordinates (every carer and
    /// client location when the request has a `travel_matrix`).
    pub locations: u64,
    pub visits: u64,
    pub carers: u64,
    /// Rounds: one per shift.
    pub rounds: u64,
    /// Travel modes the carers use (one matrix each).
    pub modes: u64,
}

impl Size {
    /// Count what the problem built from `req` will hold, without building
    /// it (linear in the request).
    pub fn of(req: &Request) -> Size {
        let with_matrix = req.travel_matrix.is_some();
        let mut coords: HashSet<(u64, u64)> = HashSet::new();
        let mut located = 0u64;
        let mut add = |lat: f64, lon: f64| {
            located += 1;
            if !with_matrix {
                coords.insert((lat.to_bits(), lon.to_bits()));
            }
        };
        let mut modes: HashSet<&str> = HashSet::new();
        let mut rounds = 0u64;
        for c in &req.carers {
            add(c.start_location.lat, c.start_location.lon);
            let end = c.end();
            add(end.lat, end.lon);
            modes.insert(c.travel_mode.as_str());
            rounds += c.all_shifts().len() as u64;
        }
        let mut visits = 0u64;
        for k in &req.clients {
            add(k.location.lat, k.location.lon);
            visits += k.visits.len() as u64;
        }
        Size {
            locations: if with_matrix {
                located
            } else {
                coords.len() as u64
            },
            visits,
            carers: req.carers.len() as u64,
            rounds,
            modes: modes.len().max(1) as u64,
        }
    }

    /// The estimated peak memory of planning this size with `threads`
    /// search threads, in bytes (saturating: an absurd size is `u64::MAX`).
    pub fn estimate_bytes(&self, threads: usize) -> u64 {
        let threads = threads.max(1) as u64;
        let search = threads
            .saturating_mul(self.visits.saturating_mul(self.visits))
            .saturating_mul(BYTES_PER_VISIT_PAIR_PER_THREAD);
        BASE_BYTES
            .saturating_add(self.table_bytes())
            .saturating_add(search)
    }
}

/// The search threads a solve uses when asked for `threads` (0: one per
/// core), as [`crate::plan_request_with`] runs them.
pub fn search_threads(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// E2001 when the estimated peak memory of planning `req` with `threads`
/// search threads exceeds `budget_bytes`. `flag` names the setting that
/// raises the budget (e.g. `--max-memory-mb`).
pub fn check_memory(
    req: &Request,
    threads: usize,
    budget_bytes: u64,
    flag: &str,
) -> Result<(), Issue> {
    let size = Size::of(req);
    let need = size.estimate_bytes(search_threads(threads));
    check_need(
        "planning this request",
        need,
        Some(&size),
        budget_bytes,
        flag,
    )
}

/// How many copies of the problem's tables (travel matrices and
/// eligibility) a fit holds besides the problem itself at its peak: the
/// "smallest change" search keeps a problem with an extra round for each
/// of up to four kinds of round, and builds a retimed copy of each in turn.
/// Measured (issue 27, docs/limits.md): a 3,000-client day whose plan
/// estimate is 1,143 MiB (one thread) peaked at 2,253 MiB in a fit; this
/// estimate says 2,493 MiB.
pub const FIT_TABLE_COPIES: u64 = 6;

impl Size {
    /// The problem's tables that a copy of the problem repeats: the travel
    /// matrices and the eligibility tables.
    pub fn table_bytes(&self) -> u64 {
        let travel = self
            .modes
            .saturating_mul(self.locations.saturating_mul(self.locations))
            .saturating_mul(4);
        let eligibility = self.visits.saturating_mul(
            self.carers
                .saturating_mul(24)
                .saturating_add(self.rounds.saturating_mul(8))
                .saturating_add(48),
        );
        travel.saturating_add(eligibility)
    }

    /// The size with one more client (`rota fit`'s new client): its
    /// location counted as a new one.
    pub fn with_client(self, client: &crate::model::Client) -> Size {
        Size {
            locations: self.locations.saturating_add(1),
            visits: self.visits.saturating_add(client.visits.len() as u64),
            ..self
        }
    }

    /// The estimated peak of a fit (`rota fit`, `POST .../fit`) into a day
    /// of this size, the new client included: the problem, one search's
    /// worth of working memory, and [`FIT_TABLE_COPIES`] copies of its
    /// tables.
    pub fn fit_bytes(&self) -> u64 {
        self.estimate_bytes(1)
            .saturating_add(FIT_TABLE_COPIES.saturating_mul(self.table_bytes()))
    }
}

/// What reading a request and a plan of `json_bytes` together takes, to
/// validate, check, report or export them: parsed, they take a few times
/// the memory of their JSON. Measured (issue 27, docs/limits.md): a
/// 3,000-client day, 3.2 MB of request and 1.8 MB of plan, peaked 38 MB
/// over the process's base in `rota report` (7.6 bytes per byte of JSON)
/// and 23 MB in `rota check`; this says 16 MiB and 10 bytes per byte.
pub fn read_bytes(json_bytes: u64) -> u64 {
    const BASE: u64 = 16 * 1024 * 1024;
    BASE.saturating_add(json_bytes.saturating_mul(10))
}

/// E2001 when `need` bytes (`what` needs them: "planning this request",
/// "fitting this client", ...) exceed `budget_bytes`; `size`, when known,
/// is named in the message.
pub fn check_need(
    what: &str,
    need: u64,
    size: Option<&Size>,
    budget_bytes: u64,
    flag: &str,
) -> Result<(), Issue> {
    if need <= budget_bytes {
        return Ok(());
    }
    let counts = size.map_or(String::new(), |size| {
        format!(
            " ({} locations, {} visits, {} carers, {} rounds, {} travel mode(s))",
            size.locations, size.visits, size.carers, size.rounds, size.modes
        )
    });
    Err(Issue::new(
        "E2001",
        "",
        format!(
            "{what} would need about {} MiB of memory{counts}, more than the {} MiB allowed",
            mib(need),
            mib(budget_bytes)
        ),
        format!(
            "split the day into smaller requests (e.g. by area), or raise {flag} if the machine \
             has the memory (docs/limits.md)"
        ),
    ))
}

/// Hand memory freed by the work that just ended on this thread back to
/// the system. `rota` runs on mimalloc (src/main.rs), which otherwise keeps
/// a thread's freed pages for its next allocation: `rota serve` calls this
/// at the end of every job and every fit, capacity run, check, report and
/// export, so its resident memory falls back after each (docs/limits.md).
/// In a program on another allocator it does nothing.
pub fn hand_back_memory() {
    // SAFETY: mi_collect only walks and frees mimalloc's own structures;
    // it is safe on any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// The shortest `time_limit_seconds` a request may give (E1307 below).
pub const MIN_TIME_LIMIT_SECONDS: f64 = 0.001;

/// A number of seconds for a message: as given when that is short
/// (`10`, `0.001`, `2.5`), else with three decimals (`0.123`) or, far from
/// 1, in scientific notation (`5e-324`, `1e308`), never hundreds of digits.
pub fn brief_seconds(t: f64) -> String {
    let plain = format!("{t}");
    if plain.len() <= 10 || !t.is_finite() {
        plain
    } else if (1e-3..1e9).contains(&t.abs()) {
        format!("{t:.3}")
    } else {
        format!("{t:e}")
    }
}

/// E2002: the time limit ended (or the solve was cancelled) while
/// `phase` was running, before any plan existed.
pub fn stopped_before_a_plan(time_limit_seconds: f64, cancelled: bool, phase: &str) -> Issue {
    if cancelled {
        Issue::new(
            "E2002",
            "",
            format!("the solve was cancelled while {phase}, before any plan existed"),
            "submit the request again to plan it",
        )
    } else {
        Issue::new(
            "E2002",
            "settings.time_limit_seconds",
            format!(
                "the time limit of {} s ended while {phase}, before any plan \
                 existed (the limit covers the whole solve, building included)",
                brief_seconds(time_limit_seconds)
            ),
            "raise time_limit_seconds (or --time-limit), or split the day into smaller requests",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_briefly() {
        assert_eq!(brief_seconds(10.0), "10");
        assert_eq!(brief_seconds(0.001), "0.001");
        assert_eq!(brief_seconds(2.5), "2.5");
        assert_eq!(brief_seconds(5e-324), "5e-324");
        assert_eq!(brief_seconds(1e308), "1e308");
        assert_eq!(brief_seconds(0.123456789012), "0.123");
        assert_eq!(brief_seconds(f64::NAN), "NaN");
        let e = stopped_before_a_plan(1e-300, false, "building");
        assert!(e.message.len() < 200, "{}", e.message);
    }

    fn day(clients: usize) -> Request {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        crate::generate::generate(&crate::generate::GenerateOptions::new(clients, 1, date))
    }

    #[test]
    fn size_counts_what_the_problem_holds() {
        let req = day(200);
        let s = Size::of(&req);
        let p = crate::problem::Problem::from_request(&req).unwrap();
        assert_eq!(s.locations as usize, p.travel.len());
        assert_eq!(s.visits as usize, p.visits.len());
        assert_eq!(s.carers as usize, p.carers.len());
        assert_eq!(s.rounds as usize, p.rounds.len());
    }

    #[test]
    fn the_estimate_grows_with_the_square_and_with_threads() {
        let small = Size::of(&day(100)).estimate_bytes(2);
        let large = Size::of(&day(400)).estimate_bytes(2);
        assert!(large > small);
        let s = Size::of(&day(400));
        assert!(s.estimate_bytes(2) > s.estimate_bytes(1));
        // The estimate is never below the matrices alone.
        assert!(s.estimate_bytes(1) > s.modes * s.locations * s.locations * 4);
    }

    #[test]
    fn a_request_over_the_budget_is_e2001_naming_size_and_limit() {
        let req = day(300);
        assert!(check_memory(&req, 1, 64 * 1024 * 1024 * 1024, "--max-memory-mb").is_ok());
        let issue = check_memory(&req, 1, 100 * 1024 * 1024, "--max-memory-mb").unwrap_err();
        assert_eq!(issue.code, "E2001");
        assert!(
            issue.message.contains("more than the 100 MiB allowed"),
            "{}",
            issue.message
        );
        assert!(issue.message.contains("visits"), "{}", issue.message);
        assert!(issue.hint.contains("--max-memory-mb"));
    }

    #[test]
    fn an_absurd_size_saturates() {
        let s = Size {
            locations: u64::MAX / 2,
            visits: u64::MAX / 2,
            carers: 1,
            rounds: 1,
            modes: 3,
        };
        assert_eq!(s.estimate_bytes(8), u64::MAX);
    }
}
