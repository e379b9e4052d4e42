//! `rota capacity`: what-if questions a service asks of tomorrow's rota
//! (docs/capacity.md), each answered by real, checked solves with a short
//! time limit, warm-started from the baseline plan, and by the bound:
//!
//! - **areas**: how many more clients of a care package (default: four
//!   calls a day, the morning one a double-up) could be taken in each area
//!   (areas are k-means clusters of the clients' locations);
//! - **extra rounds**: what one more early or late round, by car, bike or on
//!   foot from the centre of the busiest area, adds in clients served;
//! - **moves**: which planned visits could move (within their windows, to
//!   another time or carer) to make room for an unserved client.
//!
//! Every hypothetical plan passes the independent checker ([`crate::plan_with_solution`]
//! checks each one).

pub mod fit;
pub mod matrix;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::control::SolveControl;
use crate::error::{Issue, Issues, RotaError};
use crate::model::{
    Carer, Client, Location, Request, Shift, Stop, Visit, Window, minutes_of_day, time_of_minutes,
};
use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::budget::TimeBudget;
use crate::solve::construct::greedy::{Undo, insert_client, insert_visit};
use crate::validate::ValidRequest;
use crate::{PlanOptions, Planned, plan_valid};

/// A care package: the visits one new client needs. Read from JSON
/// (`rota capacity --package FILE`); visit ids are suffixes (`am`), `after`
/// names another visit of the package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub name: String,
    #[serde(default = "one")]
    pub priority: u32,
    pub visits: Vec<Visit>,
}

/// Parse a package (`rota capacity --package FILE`): a parse error names
/// the JSON path (E1002), like a request's.
pub fn package_from_str(text: &str) -> Result<Package, RotaError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = format!("package.{}", e.path());
        RotaError::Invalid(Issues(vec![Issue::new(
            "E1002",
            path,
            e.inner().to_string(),
            "give {\"name\": ..., \"priority\": 1, \"visits\": [visits as in a request]}",
        )]))
    })
}

fn one() -> u32 {
    1
}

fn hm(s: &str) -> chrono::NaiveTime {
    crate::model::hhmm::parse(s).unwrap_or_default()
}

fn package_visit(id: &str, start: &str, end: &str, duration: u32, carers: u32) -> Visit {
    Visit {
        id: id.to_string(),
        window: Window {
            start: hm(start),
            end: hm(end),
            due: None,
        },
        duration,
        carers_required: carers,
        skills: Vec::new(),
        after: None,
        starts_with: None,
    }
}

impl Default for Package {
    /// Four calls a day, the morning call a double-up: 07:30-09:30 45 min
    /// (2 carers), lunch 12:00-13:30 30 min, tea 16:30-18:00 30 min, bed
    /// 19:30-21:00 30 min; priority 1, no skills.
    fn default() -> Self {
        Package {
            name: "four calls a day, one double-up".to_string(),
            priority: 1,
            visits: vec![
                package_visit("am", "07:30", "09:30", 45, 2),
                package_visit("lunch", "12:00", "13:30", 30, 1),
                package_visit("tea", "16:30", "18:00", 30, 1),
                package_visit("bed", "19:30", "21:00", 30, 1),
            ],
        }
    }
}

/// What `rota capacity` asks, beyond the request.
#[derive(Debug, Clone)]
pub struct CapacityOptions {
    pub package: Package,
    /// Number of areas (k-means clusters of client locations).
    pub areas: usize,
    /// New clients offered per area.
    pub max_new: usize,
    /// Seconds per solve (the baseline and each hypothetical).
    pub time_limit: f64,
    /// Solves run at once (0: one per core).
    pub threads: usize,
}

impl Default for CapacityOptions {
    fn default() -> Self {
        CapacityOptions {
            package: Package::default(),
            areas: 3,
            max_new: 6,
            time_limit: 5.0,
            threads: 0,
        }
    }
}

/// The answers, as written to JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Capacity {
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    pub time_limit_seconds: f64,
    /// Every solve's iteration budget (`settings.iterations`, `rota
    /// capacity --iterations`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// Every solve's seed (`settings.seed`, `--seed`).
    pub seed: u64,
    /// True under an iteration budget: every solve searches on one thread
    /// for exactly that many iterations, so the same request, package,
    /// options and seed give the same answers on any machine (the proven
    /// bounds, `upper_bound_priority` and `new_at_most`, excepted: how
    /// tight they are depends on the time their solver had). False under a
    /// time limit alone: each answer is what the solver found in that time,
    /// and another run may find more or less.
    pub reproducible: bool,
    /// True when the baseline is a plan given (`--plan`, the service's job
    /// plan) rather than a solve of its own.
    pub baseline_from_plan: bool,
    pub package: Package,
    pub baseline: PlanFigures,
    pub areas: Vec<AreaAnswer>,
    pub extra_rounds: Vec<RoundAnswer>,
    pub moves: Vec<MoveAnswer>,
}

/// Served figures of one (checked) plan, and its proven bound.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanFigures {
    pub clients_served: u32,
    pub clients_total: u32,
    pub priority_served: u64,
    pub upper_bound_priority: Option<u64>,
}

impl PlanFigures {
    fn of(s: &Planned) -> PlanFigures {
        let m = &s.plan.summary;
        PlanFigures {
            clients_served: m.clients_served,
            clients_total: m.clients_total,
            priority_served: m.priority_served,
            upper_bound_priority: m.upper_bound_priority,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaAnswer {
    pub area: String,
    pub centre: Location,
    /// Clients of the request in this area.
    pub clients: usize,
    /// The request's client whose location is nearest the centre.
    pub near: String,
    /// New package clients offered (at the locations of this area's clients).
    pub offered: usize,
    /// New clients the plan serves.
    pub new_served: usize,
    /// Clients of the request the baseline serves but this plan does not.
    pub existing_dropped: usize,
    /// Those clients, by id: a swap ("taken 2, dropped 1") names whom it
    /// drops.
    pub dropped: Vec<String>,
    /// The clients this plan serves and the baseline does not, by id: the
    /// new ones it takes (`NEW-A1-2`) and any client of the request it
    /// serves besides.
    pub let_in: Vec<String>,
    /// Proven: no plan that keeps every client the baseline serves takes
    /// more new clients than this (bound of the extended day minus the
    /// baseline's priority, over the package's priority).
    pub new_at_most: u64,
    pub plan: PlanFigures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundAnswer {
    /// `early` or `late`.
    pub shift: String,
    pub travel_mode: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub start: chrono::NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub end: chrono::NaiveTime,
    pub location: Location,
    pub skills: Vec<String>,
    pub gender: Option<String>,
    pub extra_clients: i64,
    pub extra_priority: i64,
    /// Clients the baseline serves that this plan does not, by id.
    pub dropped: Vec<String>,
    /// Clients the baseline leaves out that this plan serves, by id: whom
    /// the extra round lets in.
    pub let_in: Vec<String>,
    pub plan: PlanFigures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MoveAnswer {
    /// The unserved client that gets in.
    pub client: String,
    /// The planned visit that moves, and where.
    pub visit: String,
    pub from_carer: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub from_start: chrono::NaiveTime,
    pub to_carer: String,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub to_start: chrono::NaiveTime,
}

fn invalid(path: &str, message: String, hint: &str) -> RotaError {
    RotaError::Invalid(Issues(vec![Issue::new("E1006", path, message, hint)]))
}

/// Check the options (bad ones are input errors naming the option).
fn check_options(opts: &CapacityOptions) -> Result<(), RotaError> {
    if opts.areas == 0 {
        return Err(invalid("--areas", "0 areas".into(), "give 1 or more areas"));
    }
    if !(opts.time_limit.is_finite() && opts.time_limit > 0.0) {
        return Err(invalid(
            "--time-limit",
            format!("time limit {} s", opts.time_limit),
            "give a positive number of seconds",
        ));
    }
    if opts.package.visits.is_empty() {
        return Err(invalid(
            "package.visits",
            "the package has no visits".into(),
            "give the package at least one visit",
        ));
    }
    Ok(())
}

/// k-means (Lloyd, 50 rounds) on client locations, seeded by farthest-point
/// from the first client: deterministic. Returns each client's area and the
/// centres; areas are numbered by size, largest first.
pub fn areas(req: &Request, k: usize) -> (Vec<usize>, Vec<Location>) {
    let pts: Vec<(f64, f64)> = req
        .clients
        .iter()
        .map(|c| (c.location.lat, c.location.lon))
        .collect();
    if pts.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let k = k.min(pts.len()).max(1);
    let d2 = |a: (f64, f64), b: (f64, f64)| {
        let dx = (a.1 - b.1) * a.0.to_radians().cos();
        (a.0 - b.0).powi(2) + dx * dx
    };
    let mut centres = vec![pts[0]];
    while centres.len() < k {
        let far = pts
            .iter()
            .copied()
            .max_by(|&a, &b| {
                let da = centres.iter().map(|&c| d2(a, c)).fold(f64::MAX, f64::min);
                let db = centres.iter().map(|&c| d2(b, c)).fold(f64::MAX, f64::min);
                da.total_cmp(&db)
            })
            .unwrap_or(pts[0]);
        centres.push(far);
    }
    let mut of = vec![0usize; pts.len()];
    for _ in 0..50 {
        for (i, &q) in pts.iter().enumerate() {
            of[i] = (0..k)
                .min_by(|&a, &b| d2(q, centres[a]).total_cmp(&d2(q, centres[b])))
                .unwrap_or(0);
        }
        for (a, c) in centres.iter_mut().enumerate() {
            let mine: Vec<(f64, f64)> = pts
                .iter()
                .zip(&of)
                .filter(|(_, o)| **o == a)
                .map(|(q, _)| *q)
                .collect();
            if !mine.is_empty() {
                let n = mine.len() as f64;
                *c = (
                    mine.iter().map(|q| q.0).sum::<f64>() / n,
                    mine.iter().map(|q| q.1).sum::<f64>() / n,
                );
            }
        }
    }
    // Number areas by size, largest first (ties: lower index).
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&a| (std::cmp::Reverse(of.iter().filter(|&&o| o == a).count()), a));
    let rank: Vec<usize> = (0..k)
        .map(|a| order.iter().position(|&x| x == a).unwrap_or(a))
        .collect();
    let of = of.into_iter().map(|a| rank[a]).collect();
    let centres = order
        .iter()
        .map(|&a| Location {
            lat: (centres[a].0 * 1e6).round() / 1e6,
            lon: (centres[a].1 * 1e6).round() / 1e6,
        })
        .collect();
    (of, centres)
}

/// `n` new clients of the package, living at the locations of the clients
/// of `area` nearest its centre (cycling through them).
fn new_clients(
    req: &Request,
    package: &Package,
    of: &[usize],
    area: usize,
    centre: Location,
    n: usize,
) -> Vec<Client> {
    let mut homes: Vec<&Client> = req
        .clients
        .iter()
        .zip(of)
        .filter(|(_, a)| **a == area)
        .map(|(c, _)| c)
        .collect();
    homes.sort_by(|a, b| {
        let d = |c: &Client| {
            (c.location.lat - centre.lat).powi(2) + (c.location.lon - centre.lon).powi(2)
        };
        d(a).total_cmp(&d(b)).then(a.id.cmp(&b.id))
    });
    (0..n)
        .filter_map(|i| {
            let home = homes.get(i % homes.len().max(1))?;
            let id = format!("NEW-A{}-{}", area + 1, i + 1);
            let visits = package
                .visits
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.id = format!("{id}-{}", v.id);
                    if let Some(a) = &mut v.after {
                        a.visit = format!("{id}-{}", a.visit);
                    }
                    if let Some(w) = &mut v.starts_with {
                        w.visit = format!("{id}-{}", w.visit);
                    }
                    v
                })
                .collect();
            Some(Client {
                id,
                location: home.location,
                priority: package.priority,
                preferred_carers: Vec::new(),
                excluded_carers: Vec::new(),
                carer_gender: None,
                visits,
                contact: None,
            })
        })
        .collect()
}

/// The most common shift (with its break) among carers whose shift starts
/// before (`late == false`) or from noon (`late`), if any.
fn common_shift(req: &Request, late: bool) -> Option<Shift> {
    let mut counts: Vec<(Shift, usize)> = Vec::new();
    for s in req.carers.iter().flat_map(|c| c.all_shifts()) {
        if (minutes_of_day(s.start) >= 12 * 60) != late {
            continue;
        }
        match counts
            .iter_mut()
            .find(|(x, _)| x.start == s.start && x.end == s.end)
        {
            Some((_, n)) => *n += 1,
            None => counts.push((s.clone(), 1)),
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.start.cmp(&a.0.start)))
        .map(|(s, _)| s)
}

/// Skills every visit of the request might need, and the gender most
/// clients who state one ask for: the extra carer can do any visit a
/// carer of that gender may do.
fn full_profile(req: &Request) -> (Vec<String>, Option<String>) {
    let mut skills: Vec<String> = req
        .clients
        .iter()
        .flat_map(|c| c.visits.iter().flat_map(|v| v.skills.iter().cloned()))
        .collect();
    skills.sort();
    skills.dedup();
    let mut genders: Vec<(String, usize)> = Vec::new();
    for g in req.clients.iter().filter_map(|c| c.carer_gender.clone()) {
        match genders.iter_mut().find(|(x, _)| *x == g) {
            Some((_, n)) => *n += 1,
            None => genders.push((g, 1)),
        }
    }
    let gender = genders.into_iter().max_by_key(|(_, n)| *n).map(|(g, _)| g);
    (skills, gender)
}

/// One hypothetical: the request extended, and what to report.
enum Job {
    Area {
        area: usize,
        req: ValidRequest,
    },
    Round {
        answer: Box<RoundAnswer>,
        req: ValidRequest,
    },
}

impl Job {
    fn request(&self) -> &ValidRequest {
        match self {
            Job::Area { req, .. } | Job::Round { req, .. } => req,
        }
    }
}

/// Answer the capacity questions for `req` (a validated request; its
/// `settings.iterations` and `seed` govern every solve), starting from
/// `published`, a plan of `req` (it must pass the checker against it, else
/// E1007), or from a baseline solve of its own when `None`.
pub fn capacity(
    req: &ValidRequest,
    opts: &CapacityOptions,
    published: Option<&crate::model::Plan>,
) -> Result<Capacity, RotaError> {
    check_options(opts)?;
    // Every solve (the baseline and each question) has the run's own time
    // limit, from its start.
    let budget = || {
        TimeBudget::new(
            opts.time_limit,
            req.settings.iterations.is_none(),
            Instant::now(),
        )
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let reproducible = req.settings.iterations.is_some();
    let base = match published {
        Some(plan) => from_plan(req, plan)?,
        None => plan_valid(
            req,
            budget(),
            &PlanOptions {
                exact: false,
                // Under an iteration budget the baseline searches on one
                // thread, as the what-ifs do: the answer is then the same
                // for any --threads and on any machine.
                threads: if reproducible { 1 } else { threads },
                ..PlanOptions::default()
            },
            &SolveControl::new(),
            None,
        )?,
    };
    let (of, centres) = areas(req, opts.areas);
    let jobs = questions(req, opts, &base, &of, &centres)?;
    let results = solve_all(&jobs, threads, &base, &budget)?;

    let base_served: std::collections::BTreeSet<&str> = served_clients(&base.plan);
    let base_out = PlanFigures::of(&base);
    let mut area_answers = Vec::new();
    let mut round_answers = Vec::new();
    for (job, res) in jobs.into_iter().zip(results) {
        let solved =
            res.ok_or_else(|| RotaError::Internal("a capacity solve did not run".into()))??;
        let served = served_clients(&solved.plan);
        let dropped: Vec<String> = base_served
            .difference(&served)
            .map(|c| c.to_string())
            .collect();
        let let_in: Vec<String> = served
            .difference(&base_served)
            .map(|c| c.to_string())
            .collect();
        match job {
            Job::Area { area, .. } => {
                let members: Vec<&Client> = req
                    .clients
                    .iter()
                    .zip(&of)
                    .filter(|(_, a)| **a == area)
                    .map(|(c, _)| c)
                    .collect();
                let c = centres[area];
                let near = members
                    .iter()
                    .min_by(|a, b| {
                        let d = |x: &Client| {
                            (x.location.lat - c.lat).powi(2) + (x.location.lon - c.lon).powi(2)
                        };
                        d(a).total_cmp(&d(b))
                    })
                    .map(|x| x.id.clone())
                    .unwrap_or_default();
                let bound = solved.plan.summary.upper_bound_priority.unwrap_or(u64::MAX);
                let room = bound.saturating_sub(base_out.priority_served);
                area_answers.push(AreaAnswer {
                    area: format!("A{}", area + 1),
                    centre: c,
                    clients: members.len(),
                    near,
                    offered: opts.max_new,
                    new_served: served.iter().filter(|c| c.starts_with("NEW-A")).count(),
                    existing_dropped: dropped.len(),
                    dropped,
                    let_in,
                    new_at_most: (room / u64::from(opts.package.priority.max(1)))
                        .min(opts.max_new as u64),
                    plan: PlanFigures::of(&solved),
                });
            }
            Job::Round { mut answer, .. } => {
                let o = PlanFigures::of(&solved);
                answer.extra_clients =
                    i64::from(o.clients_served) - i64::from(base_out.clients_served);
                answer.extra_priority = o.priority_served as i64 - base_out.priority_served as i64;
                answer.dropped = dropped;
                answer.let_in = let_in;
                answer.plan = o;
                round_answers.push(*answer);
            }
        }
    }
    let moves = moves_to_make_room(req, &base.problem, &base.solution);
    Ok(Capacity {
        date: req.date,
        time_limit_seconds: opts.time_limit,
        iterations: req.settings.iterations,
        seed: req.settings.seed,
        reproducible,
        baseline_from_plan: published.is_some(),
        package: opts.package.clone(),
        baseline: base_out,
        areas: area_answers,
        extra_rounds: round_answers,
        moves,
    })
}

/// The baseline from a published plan of `req`: E1007 unless it passes the
/// checker against `req`; its solver's view for the warm starts and moves.
fn from_plan(req: &ValidRequest, plan: &crate::model::Plan) -> Result<Planned, RotaError> {
    fit::check_published(req, plan)?;
    let problem = Problem::from_request(req)?;
    let solution = fit::solution_of(&problem, plan)?;
    Ok(Planned {
        plan: plan.clone(),
        problem,
        solution,
    })
}

/// The hypothetical requests: the package's new clients in each area, and
/// one more round per shift (early, late) and travel mode; each validated.
fn questions(
    req: &Request,
    opts: &CapacityOptions,
    base: &Planned,
    of: &[usize],
    centres: &[Location],
) -> Result<Vec<Job>, RotaError> {
    let mut jobs = Vec::new();
    // Question `i`'s request, validated (issues named after the question).
    let checked = |i: usize, r: Request| {
        crate::validate::valid(r).map_err(|mut issues| {
            for issue in &mut issues.0 {
                issue.message = format!("capacity question {}: {}", i + 1, issue.message);
            }
            RotaError::Invalid(issues)
        })
    };
    for (a, &centre) in centres.iter().enumerate() {
        let mut r = req.clone();
        let new = new_clients(req, &opts.package, of, a, centre, opts.max_new);
        if let Some(m) = &mut r.travel_matrix {
            matrix::add_clients(m, req, &new);
        }
        r.clients.extend(new);
        let req = checked(jobs.len(), r)?;
        jobs.push(Job::Area { area: a, req });
    }
    let (skills, gender) = full_profile(req);
    let mut city = centres
        .first()
        .copied()
        .unwrap_or(Location { lat: 0.0, lon: 0.0 });
    // With a matrix, the round starts at the home nearest the centre: a
    // place the matrix has a row for.
    let near_centre = req
        .travel_matrix
        .as_ref()
        .and_then(|_| matrix::nearest_client(req, city));
    if let Some(c) = near_centre {
        city = c.location;
    }
    for late in [false, true] {
        let Some(shift) = common_shift(req, late) else {
            continue;
        };
        for mode in crate::model::MODES {
            let id = format!("NEW-{}-{mode}", if late { "late" } else { "early" });
            let mut r = req.clone();
            if let (Some(m), Some(c)) = (&mut r.travel_matrix, near_centre) {
                matrix::copy_ref(m, &id, &c.id);
            }
            r.carers.push(Carer {
                id,
                travel_mode: mode.to_string(),
                shift: Some(shift.clone()),
                shifts: None,
                start_location: city,
                end_location: None,
                skills: skills.clone(),
                gender: gender.clone(),
                contact: None,
                base: None,
            });
            jobs.push(Job::Round {
                answer: Box::new(RoundAnswer {
                    shift: if late { "late" } else { "early" }.to_string(),
                    travel_mode: mode.to_string(),
                    start: shift.start,
                    end: shift.end,
                    location: city,
                    skills: skills.clone(),
                    gender: gender.clone(),
                    extra_clients: 0,
                    extra_priority: 0,
                    dropped: Vec::new(),
                    let_in: Vec::new(),
                    plan: PlanFigures::of(base),
                }),
                req: checked(jobs.len(), r)?,
            });
        }
    }
    Ok(jobs)
}

/// Solve every job, `threads` at a time, each on one thread and
/// warm-started from the baseline's solution.
fn solve_all(
    jobs: &[Job],
    threads: usize,
    base: &Planned,
    budget: &(dyn Fn() -> TimeBudget + Sync),
) -> Result<Vec<Option<Result<Planned, RotaError>>>, RotaError> {
    let single = PlanOptions {
        exact: false,
        threads: 1,
        ..PlanOptions::default()
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Planned, RotaError>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len()).max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let out = plan_valid(
                        job.request(),
                        budget(),
                        &single,
                        &SolveControl::new(),
                        Some(&base.solution),
                    );
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(out);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .map_err(|_| RotaError::Internal("a capacity solve panicked".into()))
}

/// The clients a plan serves (those with a visit in some round).
pub(crate) fn served_clients(plan: &crate::model::Plan) -> std::collections::BTreeSet<&str> {
    plan.rounds
        .iter()
        .flat_map(|r| r.stops.iter())
        .filter_map(|s| match s {
            Stop::Visit(v) => Some(v.client.as_str()),
            Stop::Break(_) => None,
        })
        .collect()
}

/// For each unserved client without a static reason (highest priority
/// first): a planned single visit whose move to another time in its window
/// or another carer lets the client in, every other call staying with its
/// carer. A move is reported only if the moved plan passes the independent
/// checker; the first such move per client is reported.
pub fn moves_to_make_room(req: &Request, p: &Problem, sol: &Solution) -> Vec<MoveAnswer> {
    let mut out = Vec::new();
    for k in crate::solve::construct::greedy::client_order(p) {
        if sol.is_served(p, k) || crate::solve::reasons::static_reason(p, k).is_some() {
            continue;
        }
        let mut trial = sol.clone();
        let Err(v) = insert_client(p, &mut trial, k) else {
            continue;
        };
        let vs = &p.visits[v];
        // Planned single visits of eligible rounds that overlap its span.
        let mut blockers: Vec<(usize, usize)> = Vec::new();
        for &r in &p.eligible[v] {
            for &u in &sol.routes[r] {
                let Some(s) = sol.start[u] else { continue };
                if p.visits[u].required == 1
                    && s < vs.tw_end + vs.duration
                    && s + p.visits[u].duration > vs.tw_start - 60
                {
                    blockers.push((u, r));
                }
            }
        }
        for (u, r) in blockers {
            let mut t = sol.clone();
            let from = t.start[u].unwrap_or(0);
            t.remove(u);
            if insert_client(p, &mut t, k).is_err() {
                continue;
            }
            let mut undo = Undo::default();
            if !insert_visit(p, &mut t, u, &mut undo) {
                continue;
            }
            let (Some(&to_round), Some(to)) = (t.rounds_of[u].first(), t.start[u]) else {
                continue;
            };
            let meta = crate::plan::PlanMeta {
                date: req.date,
                status: crate::model::Status::Feasible,
                upper_bound_priority: None,
                solve_seconds: 0.0,
                reasons: (0..p.clients.len())
                    .map(|_| {
                        vec![crate::model::Reason {
                            code: "CAPACITY".into(),
                            message: "unchanged".into(),
                        }]
                    })
                    .collect(),
            };
            match crate::plan::build_plan(p, &t, meta) {
                Ok(plan) if crate::check::check(req, &plan).is_valid() => {}
                _ => continue,
            }
            out.push(MoveAnswer {
                client: p.clients[k].id.clone(),
                visit: p.visits[u].id.clone(),
                from_carer: p.carers[p.rounds[r].carer].id.clone(),
                from_start: time_of_minutes(from),
                to_carer: p.carers[p.rounds[to_round].carer].id.clone(),
                to_start: time_of_minutes(to),
            });
            break;
        }
    }
    out
}

/// The answers as a table for stderr (80 columns).
pub fn table(c: &Capacity) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let b = &c.baseline;
    let _ = writeln!(
        out,
        "{}: baseline {} of {} clients served, priority {}{} ({}; {})",
        c.date,
        b.clients_served,
        b.clients_total,
        b.priority_served,
        b.upper_bound_priority
            .map(|u| format!(" of at most {u}"))
            .unwrap_or_default(),
        if c.baseline_from_plan {
            "the plan given"
        } else {
            "solved"
        },
        match c.iterations {
            Some(n) => format!("{n} iterations per solve, seed {}", c.seed),
            None => format!("{} s per solve", c.time_limit_seconds),
        }
    );
    let _ = writeln!(
        out,
        "{}",
        if c.reproducible {
            "reproducible: the same request, options and seed give the same answers (the bounds, `at most`, may be tighter on another run)"
        } else {
            "time-limited: another run may find more or fewer (--iterations N gives the same answers every time)"
        }
    );
    let _ = writeln!(
        out,
        "more clients of package \"{}\" by area:",
        c.package.name
    );
    let _ = writeln!(
        out,
        "area  clients  near      offered  taken  at most  dropped"
    );
    for a in &c.areas {
        let _ = writeln!(
            out,
            "{:<5} {:>7}  {:<8} {:>8} {:>6} {:>8} {:>8}",
            a.area, a.clients, a.near, a.offered, a.new_served, a.new_at_most, a.existing_dropped
        );
    }
    for a in &c.areas {
        if !a.let_in.is_empty() {
            let _ = writeln!(out, "  {} lets in {}", a.area, a.let_in.join(", "));
        }
        if !a.dropped.is_empty() {
            let _ = writeln!(out, "  {} drops {}", a.area, a.dropped.join(", "));
        }
    }
    let _ = writeln!(out, "one more round (from the centre of A1):");
    let _ = writeln!(
        out,
        "shift  mode   hours        clients  +clients  +priority"
    );
    for r in &c.extra_rounds {
        let _ = writeln!(
            out,
            "{:<6} {:<6} {}-{}  {:>7} {:>9} {:>10}",
            r.shift,
            r.travel_mode,
            r.start.format("%H:%M"),
            r.end.format("%H:%M"),
            r.plan.clients_served,
            format!("{:+}", r.extra_clients),
            format!("{:+}", r.extra_priority)
        );
    }
    for r in &c.extra_rounds {
        if !r.let_in.is_empty() {
            let _ = writeln!(
                out,
                "  {} {} round lets in {}",
                r.shift,
                r.travel_mode,
                r.let_in.join(", ")
            );
        }
        if !r.dropped.is_empty() {
            let _ = writeln!(
                out,
                "  {} {} round drops {}",
                r.shift,
                r.travel_mode,
                r.dropped.join(", ")
            );
        }
    }
    if c.moves.is_empty() {
        let _ = writeln!(
            out,
            "moves to make room: none found (one planned visit moved)"
        );
    } else {
        let _ = writeln!(out, "moves to make room:");
        for m in &c.moves {
            let _ = writeln!(
                out,
                "  {} fits if {} moves from {} {} to {} {}",
                m.client,
                m.visit,
                m.from_carer,
                m.from_start.format("%H:%M"),
                m.to_carer,
                m.to_start.format("%H:%M")
            );
        }
    }
    out
}
