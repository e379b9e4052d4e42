//! The one preparation step both front doors share (`rota plan`/`replan`/
//! `capacity` and `rota serve`), between validation and the problem:
//!
//! 1. [`load`]: parse the request, apply the caller's [`Amend`]ments (the
//!    CLI's overrides, a request body's fields, yesterday's plan, the
//!    service's time-limit cap), then **validate once**: a
//!    [`ValidRequest`], which nothing edits afterwards;
//! 2. [`check_memory`]: the estimate of the solve (and of the road
//!    matrices to compute) against the memory budget (E2001);
//! 3. [`with_roads`]: road travel times from an OpenStreetMap extract when
//!    the request has no matrix (`--osm`), **inside the time limit**: the
//!    limit counts from when the work on the request began (`started`),
//!    so what the roads took is not there for the solve, in the CLI as in
//!    the service, and E2002 stops a request whose limit ends first.
//!
//! The result, a [`Prepared`] request with its [`TimeBudget`], is what
//! [`crate::pipeline`] plans.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::control::SolveControl;
use crate::error::{Issue, RotaError};
use crate::model::{Plan, Request};
use crate::roads::network::Network;
use crate::roads::{self, Report, RoadOptions};
use crate::solve::budget::TimeBudget;
use crate::validate::{self, ValidRequest};

/// What a caller changes in a request before it is validated.
#[derive(Debug, Clone, Default)]
pub struct Amend {
    /// Replaces `settings.time_limit_seconds`.
    pub time_limit: Option<f64>,
    /// The largest time limit allowed (the service's `--max-time-limit`):
    /// a longer one is cut to it.
    pub max_time_limit: Option<f64>,
    /// Replaces `settings.seed`.
    pub seed: Option<u64>,
    /// Replaces `settings.iterations`.
    pub iterations: Option<u64>,
    /// Replaces `settings.stop_when_stalled`.
    pub stop_when_stalled: Option<bool>,
    /// Sets `settings.strict` (never clears it).
    pub strict: bool,
    /// Sets `previous_plan` (yesterday's plan, `--previous`).
    pub previous_plan: Option<Plan>,
}

impl Amend {
    /// Apply these amendments to `req`.
    pub fn apply(self, req: &mut Request) {
        let s = &mut req.settings;
        if let Some(t) = self.time_limit {
            s.time_limit_seconds = t;
        }
        // Only a valid limit is cut: NaN, infinite or negative ones stay
        // for validation to refuse.
        if let Some(max) = self.max_time_limit
            && s.time_limit_seconds.is_finite()
            && s.time_limit_seconds > max
        {
            s.time_limit_seconds = max;
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        if let Some(n) = self.iterations {
            s.iterations = Some(n);
        }
        if let Some(stop) = self.stop_when_stalled {
            s.stop_when_stalled = Some(stop);
        }
        s.strict |= self.strict;
        if let Some(prev) = self.previous_plan {
            req.previous_plan = Some(Box::new(prev));
        }
    }
}

/// Parse `text`, amend it, and validate it once: every issue at once.
pub fn load(text: &str, amend: Amend) -> Result<ValidRequest, RotaError> {
    amended(crate::parse::request_from_str(text)?, amend)
}

/// [`load`] for a request already parsed.
pub fn amended(mut req: Request, amend: Amend) -> Result<ValidRequest, RotaError> {
    amend.apply(&mut req);
    validate::valid(req).map_err(RotaError::Invalid)
}

/// Where road travel times come from, for a request without a matrix.
pub enum Roads<'a> {
    /// The request's matrix, or the formula.
    None,
    /// An extract on disk (`--osm FILE`), with a progress spinner on stderr
    /// when `progress`; every mode's matrix when `all_modes` (for what-if
    /// rounds of any mode), else the modes the carers use.
    File {
        path: &'a Path,
        progress: bool,
        all_modes: bool,
    },
    /// An extract loaded once (`rota serve --osm`), its matrices cached in
    /// `cache_dir`.
    Network {
        net: &'a Network,
        cache_dir: Option<PathBuf>,
    },
}

impl Roads<'_> {
    /// Whether `req` gets a road matrix from here.
    fn fills(&self, req: &Request) -> bool {
        !matches!(self, Roads::None) && req.travel_matrix.is_none()
    }
}

/// The estimated peak memory of solving `req` (`threads` searches; 0: one
/// per core), with the road matrix it would get from `roads`, in bytes.
pub fn memory_need(req: &Request, roads: &Roads, threads: usize) -> u64 {
    crate::limits::Size::of(req)
        .estimate_bytes(crate::limits::search_threads(threads))
        .saturating_add(roads_bytes(req, roads))
}

/// What computing `req`'s road matrix from `roads` takes, in bytes (0
/// when it gets none from there).
fn roads_bytes(req: &Request, roads: &Roads) -> u64 {
    match roads {
        Roads::Network { net, .. } if roads.fills(req) => {
            net.job_bytes(roads::places(req).len(), crate::limits::search_threads(0))
        }
        _ => 0,
    }
}

/// E2001 for a request whose solve (`threads` searches; 0: one per core),
/// and the road matrix it would get from `roads`, would not fit in
/// `budget_bytes`; `flag` names the setting that raises the budget.
pub fn check_memory(
    req: &ValidRequest,
    roads: &Roads,
    threads: usize,
    budget_bytes: u64,
    flag: &str,
) -> Result<(), Issue> {
    let roads_bytes = roads_bytes(req, roads);
    crate::limits::check_memory(req, threads, budget_bytes.saturating_sub(roads_bytes), flag)
}

/// A validated request, ready to plan: its travel matrix in place and its
/// time limit counting from `started`.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub request: ValidRequest,
    /// When the work on the request began: the time limit counts from here.
    pub started: Instant,
    /// What the road matrix came from, when `--osm` filled it.
    pub roads: Option<Report>,
}

impl Prepared {
    /// Validate `req` (once): nothing to amend, no roads, its time limit
    /// counting from now.
    pub fn new(req: Request) -> Result<Prepared, RotaError> {
        Ok(Prepared::now(amended(req, Amend::default())?))
    }

    /// A request with nothing left to prepare, its time limit counting from
    /// now.
    pub fn now(request: ValidRequest) -> Prepared {
        Prepared {
            request,
            started: Instant::now(),
            roads: None,
        }
    }

    /// The request's time limit, from `started`.
    pub fn budget(&self) -> TimeBudget {
        TimeBudget::of(&self.request, self.started)
    }
}

/// Fill `req`'s travel matrix from `roads` when it has none. `timed`: the
/// instant the work on the request began, from which its time limit
/// counts: the roads stop at the limit (E2002, or when `ctl` is cancelled)
/// and what they took is not there for the solve. `None` for the commands
/// that do not solve (check, report, export) and for capacity, whose
/// limit is each what-if solve's own: no deadline, and the limit counts
/// from when the roads are done.
pub fn with_roads(
    req: ValidRequest,
    roads: Roads,
    timed: Option<Instant>,
    ctl: Option<&Arc<SolveControl>>,
) -> Result<Prepared, RotaError> {
    let started = timed.unwrap_or_else(Instant::now);
    let unprepared = |request| Prepared {
        request,
        started,
        roads: None,
    };
    if req.travel_matrix.is_some() {
        return Ok(unprepared(req));
    }
    let budget = TimeBudget::of(&req, started);
    let opts = RoadOptions {
        deadline: timed.map(|_| budget.deadline()),
        control: ctl.cloned(),
        ..Default::default()
    };
    let (matrix, report) = match roads {
        Roads::None => return Ok(unprepared(req)),
        Roads::File {
            path,
            progress,
            all_modes,
        } => {
            let opts = RoadOptions {
                progress,
                all_modes,
                ..opts
            };
            roads::matrix_from_file(&req, path, &opts)?
        }
        Roads::Network { net, cache_dir } => {
            let opts = RoadOptions { cache_dir, ..opts };
            net.matrix(&req, &opts)?
        }
    };
    if timed.is_some() && budget.left_seconds() <= 0.0 {
        return Err(RotaError::invalid(crate::limits::stopped_before_a_plan(
            budget.limit_seconds(),
            ctl.is_some_and(|c| c.is_cancelled()),
            "computing road travel times",
        )));
    }
    Ok(Prepared {
        request: req.with_travel_matrix(matrix),
        started: timed.unwrap_or_else(Instant::now),
        roads: Some(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = r#"{"date":"2026-11-24","settings":{"time_limit_seconds":500},
      "carers":[{"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"09:00"},
        "start_location":{"lat":52.0,"lon":-2.7}}],
      "clients":[{"id":"P1","location":{"lat":52.0,"lon":-2.7},"preferred_carers":["C9"],
        "visits":[{"id":"P1-am","window":{"start":"07:30","end":"08:00"},"duration":30}]}]}"#;

    fn cap(limit: f64) -> Result<ValidRequest, RotaError> {
        let mut req = crate::parse::request_from_str(DAY).unwrap();
        req.settings.time_limit_seconds = limit;
        amended(
            req,
            Amend {
                max_time_limit: Some(300.0),
                ..Amend::default()
            },
        )
    }

    #[test]
    fn the_cap_cuts_a_valid_limit_and_leaves_a_bad_one_to_validation() {
        assert_eq!(cap(500.0).unwrap().settings.time_limit_seconds, 300.0);
        assert_eq!(cap(20.0).unwrap().settings.time_limit_seconds, 20.0);
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            let e = cap(bad).unwrap_err();
            let issues = e.issues().unwrap();
            assert_eq!(issues[0].path, "settings.time_limit_seconds", "{bad}: {e}");
        }
    }

    #[test]
    fn amendments_come_before_the_one_validation() {
        let amend = Amend {
            time_limit: Some(3.0),
            seed: Some(9),
            iterations: Some(50),
            stop_when_stalled: Some(true),
            ..Amend::default()
        };
        let req = load(DAY, amend).unwrap();
        let s = &req.settings;
        assert_eq!(
            (
                s.time_limit_seconds,
                s.seed,
                s.iterations,
                s.stop_when_stalled
            ),
            (3.0, 9, Some(50), Some(true))
        );
        // The warning (a preferred carer not on the rota) comes with it...
        assert_eq!(req.warnings().len(), 1);
        assert_eq!(req.warnings()[0].code, "E1501");
        // ... and refuses it under `strict`.
        let strict = Amend {
            strict: true,
            ..Amend::default()
        };
        let e = load(DAY, strict).unwrap_err();
        assert_eq!(e.issues().unwrap()[0].code, "E1501");
        // A bad override is an issue of the request, at its path.
        let bad = Amend {
            time_limit: Some(-2.0),
            ..Amend::default()
        };
        let e = load(DAY, bad).unwrap_err();
        assert_eq!(e.issues().unwrap()[0].path, "settings.time_limit_seconds");
    }

    #[test]
    fn without_roads_the_request_is_unchanged_and_the_limit_counts_from_started() {
        let req = load(DAY, Amend::default()).unwrap();
        let t0 = Instant::now() - std::time::Duration::from_secs(2);
        let p = with_roads(req, Roads::None, Some(t0), None).unwrap();
        assert!(p.roads.is_none() && p.request.travel_matrix.is_none());
        assert_eq!(p.started, t0);
        assert!(p.budget().left_seconds() < 498.5);
    }
}
