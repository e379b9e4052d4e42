//! "Can you take Mrs X tomorrow?" (docs/fit.md): the ways one new client
//! fits into a **published** plan, every call of the plan keeping its
//! carer and order (some start later or earlier to make room), ranked;
//! whether the client fits without dropping anyone; and when not, the
//! reason and the smallest change that would let them in (one more round,
//! or the one lower-priority client whose place they could take).
//!
//! Each way is the greedy's whole-client insertion
//! ([`crate::solve::construct::greedy::insert_client`]) into the published
//! plan, the later ones with the carers of the earlier ways barred from the
//! new client, and each is built into a plan that must pass the independent
//! checker. The library call behind `rota fit` (and the service's fit).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use chrono::NaiveTime;
use serde::Serialize;

use crate::error::{Issue, Issues, RotaError};
use crate::model::{Client, Plan, Reason, Request, Stop, minutes_of_day, time_of_minutes};
use crate::problem::{Problem, ProblemBuilder};
use crate::solve::Solution;
use crate::solve::construct::greedy::insert_client;
use crate::validate::ValidRequest;

/// How many ways are looked for, and how many insertions are tried.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// At most this many ways are reported.
    pub max_options: usize,
    /// At most this many insertions are tried for them (each with some
    /// carers barred), and this many clients for the "instead of" answer.
    pub max_trials: usize,
    /// When the client does not fit: re-plan the day with the client added
    /// (`rota fit --replan`), and say whether that serves them and whom it
    /// drops.
    pub replan: Option<Replan>,
    /// The fit's time limit in seconds, the re-plan included (`rota serve`
    /// gives its `--max-time-limit`). At the limit the search for ways, and
    /// for why not, stops with what it has (`time_limit_reached`), and a
    /// re-plan gets only the time left. None: no limit.
    pub time_limit: Option<f64>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_options: 5,
            max_trials: 40,
            replan: None,
            time_limit: None,
        }
    }
}

/// The limits of a re-plan with the new client added: the production
/// solver, searching from the published plan and from it with the new
/// client placed first, each with half the search's budget.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replan {
    /// Its time limit in seconds (`--replan`); none: the request's
    /// `settings.time_limit_seconds`.
    pub seconds: Option<f64>,
    /// An iteration budget (`--replan-iterations`): the search runs exactly
    /// this many iterations, whatever the time limit, and with a fixed
    /// `threads` the same request gives the same re-plan on any machine.
    pub iterations: Option<u64>,
    /// Searches in parallel (0: one per core).
    pub threads: usize,
}

/// The answer for one new client.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Fit {
    pub client: String,
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    /// Whether the client fits into the published plan without dropping
    /// anyone (every planned call keeps its carer; some may move in time).
    pub fits: bool,
    /// The ways it fits, best first: most calls with a preferred carer,
    /// then least extra travel, then fewest minutes of calls moved.
    pub options: Vec<FitOption>,
    /// Why it does not fit (empty when it does): the reason codes of
    /// docs/reasons.md, against the published plan.
    pub reasons: Vec<Reason>,
    /// The smallest change that lets the client in, when it does not fit:
    /// one or more extra rounds, described.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smallest_change: Option<String>,
    /// Or: the served client of lowest priority whose place the new client
    /// could take (that client would then be dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead_of: Option<InsteadOf>,
    /// When asked for (`--replan`) and the client does not fit: the day
    /// re-planned with the client added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanAnswer>,
    /// Seconds the answer took (the fast answer's, without the re-plan).
    pub seconds: f64,
    /// True when the time limit (`FitOptions::time_limit`; in the service
    /// `--max-time-limit`) ended the search before every way, or every
    /// part of why not, was tried: a way may exist that the answer does
    /// not show.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub time_limit_reached: bool,
    /// The plan for `rota fit --plan-output`: the published plan with the
    /// best way applied when the client fits, else the re-plan when it
    /// serves the client (both checked); not part of the JSON answer.
    #[serde(skip)]
    #[schema(ignore)]
    pub plan: Option<Plan>,
}

/// The day re-planned with the new client added (`rota fit --replan`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplanAnswer {
    /// Whether the re-plan serves the new client.
    pub serves: bool,
    /// The new client's calls in the re-plan (empty when not served).
    pub calls: Vec<FitCall>,
    /// The re-plan's figures (with the new client counted), and the
    /// published plan's.
    pub clients_served: u32,
    pub clients_total: u32,
    pub priority_served: u64,
    pub published_clients_served: u32,
    pub published_priority_served: u64,
    /// Clients the published plan serves that the re-plan does not, with
    /// their priority, lowest priority first.
    pub dropped: Vec<InsteadOf>,
    /// Clients the published plan leaves out that the re-plan serves
    /// (besides the new client).
    pub also_served: Vec<String>,
    /// Calls of clients served in both plans that start at another time or
    /// go to other carers.
    pub calls_moved: usize,
    /// Of those, the calls that go to other carers.
    pub carers_changed: usize,
    /// The re-plan's time limit, and its iteration budget if any.
    pub time_limit_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// True under an iteration budget on one thread: the same request gives
    /// the same re-plan on any machine. Under a time limit alone it depends
    /// on how far the search gets, so it may vary between runs.
    pub reproducible: bool,
    /// Seconds the re-plan took.
    pub seconds: f64,
    /// The re-plan (checked against the request with the new client); not
    /// part of the JSON answer.
    #[serde(skip)]
    #[schema(ignore)]
    pub plan: Option<Plan>,
}

/// One way the new client fits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FitOption {
    pub rank: usize,
    /// The new client's calls: carers and times.
    pub calls: Vec<FitCall>,
    /// Minutes of travel the plan gains (may be negative).
    pub extra_travel_minutes: i64,
    /// How many of the new client's calls are with a preferred carer.
    pub preferred_calls: usize,
    /// Planned calls that start at another time to make room (each keeps
    /// its carer and order).
    pub moved: Vec<MovedCall>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FitCall {
    pub visit: String,
    pub carers: Vec<String>,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub end: NaiveTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovedCall {
    pub visit: String,
    pub client: String,
    pub carers: Vec<String>,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub from: NaiveTime,
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "crate::model::hhmm")]
    pub to: NaiveTime,
    /// `to - from` in minutes (negative: earlier).
    pub minutes: i64,
}

/// A served client the new one could replace.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InsteadOf {
    pub client: String,
    pub priority: i64,
}

fn invalid(path: &str, message: String, hint: &str) -> RotaError {
    RotaError::Invalid(Issues(vec![Issue::new("E1007", path, message, hint)]))
}

/// How `client` fits into `plan`, the published plan of `req` (a validated
/// request; the plan must pass the checker against it).
pub fn fit(
    req: &Request,
    plan: &Plan,
    client: &Client,
    opts: &FitOptions,
) -> Result<Fit, RotaError> {
    let started = Instant::now();
    check_published(req, plan)?;
    if let Some(r) = &opts.replan {
        check_replan(r)?;
    }
    let (amended, k) = amend(req, client)?;
    let p = Problem::from_request(&amended)?;
    if p.clients.get(k).is_none_or(|c| c.id != client.id) {
        return Err(RotaError::Internal(
            "the new client is not last in the problem".into(),
        ));
    }
    let sol = solution_of(&p, plan)?;
    let published_reasons: HashMap<&str, &Vec<Reason>> = plan
        .unserved
        .iter()
        .map(|u| (u.client.as_str(), &u.reasons))
        .collect();

    let deadline = Deadline::new(started, opts.time_limit);
    let (found, first_failure) = find_ways(&p, &sol, k, opts, &deadline);
    // Every way is checked; the best becomes the amended plan.
    let mut options = Vec::new();
    let mut best_plan = None;
    for (i, (mut o, trial)) in found.into_iter().enumerate() {
        let built = build_checked(&p, &trial, plan, &amended, &published_reasons)?;
        if i == 0 {
            best_plan = Some(built);
        }
        o.rank = i + 1;
        options.push(o);
    }

    let mut reasons = Vec::new();
    let mut smallest_change = None;
    let mut instead_of = None;
    if options.is_empty() {
        (reasons, smallest_change, instead_of) =
            why_not(&p, &sol, k, first_failure, opts.max_trials, &deadline);
    }
    let seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    let mut replanned = None;
    // The re-plan gets the time the fast answer left (none when it is up).
    if let (true, Some(r), false) = (options.is_empty(), &opts.replan, deadline.passed()) {
        let mut r = r.clone();
        if let Some(left) = deadline.left() {
            r.seconds = Some(r.seconds.map_or(left, |s| s.min(left)));
        }
        let answer = replan(&amended, plan, &p, &sol, k, &r)?;
        if answer.serves {
            best_plan.clone_from(&answer.plan);
        }
        replanned = Some(answer);
    }
    Ok(Fit {
        client: client.id.clone(),
        date: plan.date,
        fits: !options.is_empty(),
        options,
        reasons,
        smallest_change,
        instead_of,
        replan: replanned,
        seconds,
        time_limit_reached: deadline.reached.get(),
        plan: best_plan,
    })
}

/// A fit's time limit: whether it has passed (and so whether the answer
/// was cut short), and the seconds left.
struct Deadline {
    at: Option<Instant>,
    reached: std::cell::Cell<bool>,
}

impl Deadline {
    fn new(started: Instant, seconds: Option<f64>) -> Deadline {
        let at = seconds
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| started + std::time::Duration::from_secs_f64(s));
        Deadline {
            at,
            reached: std::cell::Cell::new(false),
        }
    }

    /// True (and remembered) once the limit has passed.
    fn passed(&self) -> bool {
        if self.at.is_some_and(|at| Instant::now() >= at) {
            self.reached.set(true);
        }
        self.reached.get()
    }

    /// Seconds left, when there is a limit.
    fn left(&self) -> Option<f64> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()).as_secs_f64())
    }
}

/// E1007 for a re-plan limit that cannot work.
fn check_replan(r: &Replan) -> Result<(), RotaError> {
    if let Some(s) = r.seconds
        && !(s.is_finite() && s > 0.0)
    {
        return Err(invalid(
            "--replan",
            format!("a re-plan time limit of {s} s"),
            "give a positive number of seconds",
        ));
    }
    Ok(())
}

/// The day re-planned with client `k` added (`amended`, whose problem is
/// `p`), warm-started from the published plan (`sol`, its view in `p`)
/// and, as a second start with half the search's budget, from the
/// published plan with `k` placed first ([`make_room`]): the production
/// solver under `r`'s limits, the better plan of the two searches; the
/// plan passes the checker ([`crate::plan_valid_from`] runs it).
fn replan(
    amended: &ValidRequest,
    plan: &Plan,
    p: &Problem,
    sol: &Solution,
    k: usize,
    r: &Replan,
) -> Result<ReplanAnswer, RotaError> {
    let started = Instant::now();
    let mut req = amended.clone().into_inner();
    if let Some(s) = r.seconds {
        req.settings.time_limit_seconds = s;
    }
    if r.iterations.is_some() {
        req.settings.iterations = r.iterations;
    }
    let req = crate::validate::valid(req).map_err(RotaError::Invalid)?;
    let made = make_room(p, sol, k);
    let starts: Vec<&Solution> = std::iter::once(sol).chain(made.as_ref()).collect();
    let planned = crate::plan_valid_from(
        &req,
        crate::solve::budget::TimeBudget::of(&req, started),
        &crate::PlanOptions {
            exact: false,
            threads: r.threads,
            ..crate::PlanOptions::default()
        },
        &crate::control::SolveControl::new(),
        &starts,
    )?;
    let new = &planned.plan;
    let new_id = p.clients[k].id.as_str();
    let (before, after) = (super::served_clients(plan), super::served_clients(new));
    let priority = |c: &str| {
        req.clients
            .iter()
            .find(|x| x.id == c)
            .map_or(0, |x| i64::from(x.priority))
    };
    let mut dropped: Vec<InsteadOf> = before
        .difference(&after)
        .map(|c| InsteadOf {
            client: c.to_string(),
            priority: priority(c),
        })
        .collect();
    dropped.sort_by(|a, b| a.priority.cmp(&b.priority).then(a.client.cmp(&b.client)));
    let also_served = after
        .difference(&before)
        .filter(|&&c| c != new_id)
        .map(|c| c.to_string())
        .collect();
    // Each call of a client served in both: its carers and start.
    let calls_of = |pl: &Plan| -> HashMap<String, (Vec<String>, NaiveTime)> {
        let mut out: HashMap<String, (Vec<String>, NaiveTime)> = HashMap::new();
        for round in &pl.rounds {
            for s in &round.stops {
                if let Stop::Visit(v) = s {
                    let e = out
                        .entry(v.visit.clone())
                        .or_insert_with(|| (Vec::new(), v.start));
                    e.0.push(round.carer.clone());
                    e.0.sort();
                }
            }
        }
        out
    };
    let (was, now) = (calls_of(plan), calls_of(new));
    let mut calls_moved = 0;
    let mut carers_changed = 0;
    for (visit, (carers, start)) in &was {
        if let Some((c2, s2)) = now.get(visit) {
            if c2 != carers {
                carers_changed += 1;
                calls_moved += 1;
            } else if s2 != start {
                calls_moved += 1;
            }
        }
    }
    let calls = p.clients[k]
        .visits
        .iter()
        .filter_map(|&v| {
            let id = &p.visits[v].id;
            let (carers, start) = now.get(id)?;
            Some(FitCall {
                visit: id.clone(),
                carers: carers.clone(),
                start: *start,
                end: time_of_minutes((minutes_of_day(*start) + p.visits[v].duration).min(1439)),
            })
        })
        .collect();
    let iterations = req.settings.iterations;
    Ok(ReplanAnswer {
        serves: after.contains(new_id),
        calls,
        clients_served: new.summary.clients_served,
        clients_total: new.summary.clients_total,
        priority_served: new.summary.priority_served,
        published_clients_served: plan.summary.clients_served,
        published_priority_served: plan.summary.priority_served,
        dropped,
        also_served,
        calls_moved,
        carers_changed,
        time_limit_seconds: req.settings.time_limit_seconds,
        iterations,
        reproducible: iterations.is_some() && r.threads > 0,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        plan: Some(planned.plan),
    })
}

/// How far, in minutes beyond a call's window and travel, the calls that
/// [`make_room`] displaces may be, tried in turn until the client goes in;
/// the last takes every call of the eligible rounds.
const ROOM_MARGINS: [i32; 4] = [0, 60, 180, 24 * 60];

/// The re-plan's second start: the published plan `sol` with client `k`
/// (unserved in it) placed first. The served clients with a call on a
/// round eligible for one of `k`'s visits, overlapping that visit's window
/// (with the travel between them, widened by [`ROOM_MARGINS`] until `k`
/// goes in), are taken out; `k` is inserted by the greedy's whole-client
/// insertion; then the displaced clients go back wherever they fit, in the
/// greedy's order (highest priority first), and every other client that
/// fits is filled in. Must-serve clients are never displaced. `None` when
/// `k` fits even in the published plan as it stands (no second start is
/// needed) or fits nowhere even so.
///
/// Why: the search accepts only a plan that serves at least as much
/// priority as its current one, so from the published plan alone it must
/// find the whole trade for `k` (the clients to drop and a place for every
/// call) in one destroy and repair; for a double-up with few eligible
/// carers it rarely does (docs/fit.md, "The re-plan's two starts"). From
/// this start it weighs the trade the other way round: `k` is in, and the
/// clients it displaced come back where the search finds room.
fn make_room(p: &Problem, sol: &Solution, k: usize) -> Option<Solution> {
    use crate::solve::construct::greedy::{client_order, insert_client_in};
    use crate::solve::timing::{Rules, Timing};
    if sol.is_served(p, k) || insert_client(p, &mut sol.clone(), k).is_ok() {
        return None;
    }
    for margin in ROOM_MARGINS {
        let mut displaced: BTreeSet<usize> = BTreeSet::new();
        for &v in &p.clients[k].visits {
            let vs = &p.visits[v];
            for &r in &p.eligible[v] {
                for &u in &sol.routes[r] {
                    let (c, Some(s)) = (p.visits[u].client, sol.start[u]) else {
                        continue;
                    };
                    let us = &p.visits[u];
                    let reach = p.time(r, us.node, vs.node).max(p.time(r, vs.node, us.node));
                    let reach = reach.saturating_add(margin);
                    if c != k
                        && !p.must_serve(c)
                        && s + us.duration + reach > vs.tw_start
                        && s < vs.tw_end + vs.duration + reach
                    {
                        displaced.insert(c);
                    }
                }
            }
        }
        let mut cleared = sol.clone();
        for &c in &displaced {
            for &u in &p.clients[c].visits {
                cleared.remove(u);
            }
        }
        // Taking calls out only shortens the rounds, but a matrix need not
        // obey the triangle inequality: the core says whether it still times.
        let Ok(mut t) = Timing::of_solution(p, Rules::of(p), &cleared) else {
            continue;
        };
        if insert_client_in(&mut t, k).is_err() {
            continue;
        }
        t.commit();
        for c in client_order(p)
            .into_iter()
            .filter(|c| displaced.contains(c))
        {
            let _ = insert_client_in(&mut t, c);
            t.commit();
        }
        let mut made = t.solution();
        crate::solve::fill::fill_in(p, &mut made);
        return Some(made);
    }
    None
}

/// E1007 unless `plan` passes the checker against `req`.
pub(crate) fn check_published(req: &Request, plan: &Plan) -> Result<(), RotaError> {
    let report = crate::check::check(req, plan);
    if !report.is_valid() {
        return Err(invalid(
            "(plan)",
            format!(
                "the plan is not a valid plan of this request ({} rule(s) broken, first: {})",
                report.violations.len(),
                report
                    .violations
                    .first()
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            ),
            "give the plan that was made for this request (rota check REQUEST PLAN lists what is wrong)",
        ));
    }
    Ok(())
}

/// `req` with `client` appended (validated, issues named after the new client), and its index.
fn amend(req: &Request, client: &Client) -> Result<(ValidRequest, usize), RotaError> {
    let mut amended = req.clone();
    let k = amended.clients.len();
    amended.clients.push(client.clone());
    let here = format!("clients[{k}]");
    let amended = crate::validate::valid(amended).map_err(|issues| {
        RotaError::Invalid(Issues(
            issues
                .0
                .into_iter()
                .map(|mut i| {
                    if let Some(rest) = i.path.strip_prefix(&here) {
                        i.path = format!("client{rest}");
                    }
                    i.message = format!("new client: {}", i.message);
                    i
                })
                .collect(),
        ))
    })?;
    Ok((amended, k))
}

/// Every client's reasons for a trial: the published ones, else those in the trial.
fn reasons_for(
    p: &Problem,
    trial: &Solution,
    published_reasons: &HashMap<&str, &Vec<Reason>>,
) -> Vec<Vec<Reason>> {
    (0..p.clients.len())
        .map(|c| {
            published_reasons
                .get(p.clients[c].id.as_str())
                .map(|r| (*r).clone())
                .or_else(|| crate::solve::reasons::reasons_in_plan(p, trial, c))
                .unwrap_or_default()
        })
        .collect()
}

/// A trial built into a plan of `amended`, which must pass the checker.
fn build_checked(
    p: &Problem,
    trial: &Solution,
    plan: &Plan,
    amended: &ValidRequest,
    published_reasons: &HashMap<&str, &Vec<Reason>>,
) -> Result<Plan, RotaError> {
    let mut out = crate::plan::build_plan(
        p,
        trial,
        crate::plan::PlanMeta {
            date: plan.date,
            status: crate::model::Status::Feasible,
            upper_bound_priority: None,
            solve_seconds: 0.0,
            reasons: reasons_for(p, trial, published_reasons),
        },
    )?;
    out.warnings = amended.warnings().iter().map(Into::into).collect();
    let report = crate::check::check(amended, &out);
    if !report.is_valid() {
        return Err(RotaError::Internal(format!(
            "a fit of the new client breaks the checker:\n{report}"
        )));
    }
    Ok(out)
}

/// The distinct ways client `k` fits into `sol`, ranked, and the first visit that failed.
fn find_ways(
    p: &Problem,
    sol: &Solution,
    k: usize,
    opts: &FitOptions,
    deadline: &Deadline,
) -> (Vec<(FitOption, Solution)>, Option<usize>) {
    // The ways: insert with some carers barred from the new client's
    // visits (a problem built for each), breadth first from none barred.
    let new_visits = p.clients[k].visits.clone();
    let mut found: Vec<(FitOption, Solution)> = Vec::new();
    let mut seen: BTreeSet<Vec<(usize, Vec<usize>, i32)>> = BTreeSet::new();
    let mut tried: BTreeSet<BTreeSet<usize>> = BTreeSet::new();
    let mut queue: VecDeque<BTreeSet<usize>> = VecDeque::from([BTreeSet::new()]);
    let mut first_failure = None;
    let mut trials = 0;
    while let Some(barred) = queue.pop_front() {
        if found.len() >= opts.max_options || trials >= opts.max_trials || deadline.passed() {
            break;
        }
        if !tried.insert(barred.clone()) {
            continue;
        }
        trials += 1;
        let mut b = ProblemBuilder::from(p.clone());
        for &v in &new_visits {
            b.bar(v, |c| barred.contains(&c));
        }
        let q = b.build();
        let mut trial = sol.clone();
        match insert_client(&q, &mut trial, k) {
            Err(v) => {
                first_failure.get_or_insert(v);
            }
            Ok(()) => {
                let key: Vec<(usize, Vec<usize>, i32)> = new_visits
                    .iter()
                    .map(|&v| {
                        let mut rs = trial.rounds_of[v].clone();
                        rs.sort_unstable();
                        (v, rs, trial.start[v].unwrap_or(0))
                    })
                    .collect();
                let used: BTreeSet<usize> = key
                    .iter()
                    .flat_map(|(_, rs, _)| rs.iter().map(|&r| p.rounds[r].carer))
                    .collect();
                for c in used {
                    let mut next = barred.clone();
                    next.insert(c);
                    queue.push_back(next);
                }
                if seen.insert(key) {
                    found.push((describe(&q, sol, &trial, k), trial));
                }
            }
        }
    }
    found.sort_by_key(|(o, _)| {
        (
            std::cmp::Reverse(o.preferred_calls),
            o.extra_travel_minutes,
            o.moved.iter().map(|m| m.minutes.abs()).sum::<i64>(),
        )
    });
    (found, first_failure)
}

/// Why client `k` does not fit, the extra rounds that would let them in, and whom they could replace.
fn why_not(
    p: &Problem,
    sol: &Solution,
    k: usize,
    first_failure: Option<usize>,
    max_trials: usize,
    deadline: &Deadline,
) -> (Vec<Reason>, Option<String>, Option<InsteadOf>) {
    let mut reasons = crate::solve::reasons::reasons_in_plan(p, sol, k).unwrap_or_default();
    let mut smallest_change = None;
    let mut instead_of = None;
    let static_ = crate::solve::reasons::static_reason(p, k).is_some();
    if !static_ && let Some(v) = first_failure {
        // The first reason is about the call where the insertion stopped;
        // every other call with no place of its own gets one too.
        for &u in &p.clients[k].visits {
            if deadline.passed() {
                return (reasons, smallest_change, instead_of);
            }
            let mut undo = crate::solve::construct::greedy::Undo::default();
            if u == v
                || crate::solve::construct::greedy::insert_visit(p, &mut sol.clone(), u, &mut undo)
            {
                continue;
            }
            reasons.push(Reason {
                code: crate::solve::reasons::CAPACITY.to_string(),
                message: format!(
                    "{}; this call has no place in the published plan on its own either",
                    crate::solve::reasons::booked_in_window(p, sol, u)
                ),
            });
        }
        if deadline.passed() {
            return (reasons, smallest_change, instead_of);
        }
        smallest_change = crate::solve::reasons::extra_rounds_for(p, sol, k, v).map(|xs| {
            // Alike rounds once, counted ("two more walkers like ...").
            let mut groups: Vec<(&crate::solve::reasons::ExtraRound, usize)> = Vec::new();
            for x in &xs {
                match groups.iter_mut().find(|(g, _)| *g == x) {
                    Some((_, n)) => *n += 1,
                    None => groups.push((x, 1)),
                }
            }
            groups
                .iter()
                .map(|(x, n)| x.describe_n(p, *n))
                .collect::<Vec<_>>()
                .join(" and ")
                + " would let the client in"
        });
        instead_of = replace_one(p, sol, k, v, max_trials, deadline);
    }
    (reasons, smallest_change, instead_of)
}

/// The served client of lowest priority (then fewest visits) among those
/// with a call on a round eligible for the failing visit `v`, whose removal
/// lets client `k` in; at most `max` are tried.
fn replace_one(
    p: &Problem,
    sol: &Solution,
    k: usize,
    v: usize,
    max: usize,
    deadline: &Deadline,
) -> Option<InsteadOf> {
    let mut near: BTreeSet<usize> = BTreeSet::new();
    for &r in &p.eligible[v] {
        for &u in &sol.routes[r] {
            near.insert(p.visits[u].client);
        }
    }
    let mut cands: Vec<usize> = near
        .into_iter()
        .filter(|&c| c != k && !p.must_serve(c))
        .collect();
    cands.sort_by_key(|&c| (p.clients[c].priority, p.clients[c].visits.len(), c));
    for &c in cands.iter().take(max) {
        if deadline.passed() {
            return None;
        }
        let mut trial = sol.clone();
        for &u in &p.clients[c].visits {
            trial.remove(u);
        }
        if insert_client(p, &mut trial, k).is_ok() {
            return Some(InsteadOf {
                client: p.clients[c].id.clone(),
                priority: p.clients[c].priority,
            });
        }
    }
    None
}

/// A way, from the published solution `before` and the trial `after`.
fn describe(p: &Problem, before: &Solution, after: &Solution, k: usize) -> FitOption {
    let carers = |s: &Solution, v: usize| -> Vec<String> {
        s.rounds_of[v]
            .iter()
            .map(|&r| p.carers[p.rounds[r].carer].id.clone())
            .collect()
    };
    let calls = p.clients[k]
        .visits
        .iter()
        .map(|&v| {
            let s = after.start[v].unwrap_or(0);
            FitCall {
                visit: p.visits[v].id.clone(),
                carers: carers(after, v),
                start: time_of_minutes(s),
                end: time_of_minutes((s + p.visits[v].duration).min(1439)),
            }
        })
        .collect();
    let preferred_calls = p.clients[k]
        .visits
        .iter()
        .flat_map(|&v| after.rounds_of[v].iter().map(move |&r| (v, r)))
        .filter(|&(v, r)| p.is_preferred(v, r))
        .count();
    let travel = |s: &Solution| -> i64 {
        (0..p.rounds.len())
            .map(|r| p.route_travel(r, s.routes[r].iter().copied()))
            .sum()
    };
    let mut moved = Vec::new();
    for u in 0..p.visits.len() {
        if p.visits[u].client == k {
            continue;
        }
        if let (Some(a), Some(b)) = (before.start[u], after.start[u])
            && a != b
        {
            moved.push(MovedCall {
                visit: p.visits[u].id.clone(),
                client: p.clients[p.visits[u].client].id.clone(),
                carers: carers(after, u),
                from: time_of_minutes(a),
                to: time_of_minutes(b),
                minutes: i64::from(b - a),
            });
        }
    }
    FitOption {
        rank: 0,
        calls,
        extra_travel_minutes: travel(after) - travel(before),
        preferred_calls,
        moved,
    }
}

/// The published plan in the solver's view of the amended request: each
/// round by its carer and shift start, each call by its visit id.
pub fn solution_of(p: &Problem, plan: &Plan) -> Result<Solution, RotaError> {
    let visit = p.visit_index();
    let mut sol = Solution::empty(p);
    for (i, round) in plan.rounds.iter().enumerate() {
        let start = minutes_of_day(round.shift.start);
        let r = (0..p.rounds.len())
            .find(|&r| {
                p.carers[p.rounds[r].carer].id == round.carer && p.rounds[r].start == start
            })
            .ok_or_else(|| {
                invalid(
                    &format!("rounds[{i}]"),
                    format!(
                        "round {i} of the plan (carer '{}', shift from {}) is not a shift of the request",
                        round.carer,
                        round.shift.start.format("%H:%M")
                    ),
                    "give the plan that was made for this request",
                )
            })?;
        for s in &round.stops {
            if let Stop::Visit(vs) = s {
                let v = *visit.get(vs.visit.as_str()).ok_or_else(|| {
                    invalid(
                        &format!("rounds[{i}]"),
                        format!("the plan's visit '{}' is not in the request", vs.visit),
                        "give the plan that was made for this request",
                    )
                })?;
                let pos = sol.routes[r].len();
                sol.insert(r, pos, v, minutes_of_day(vs.start));
            }
        }
    }
    Ok(sol)
}

/// The answer as text for stderr.
pub fn text(f: &Fit) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if f.fits {
        let _ = writeln!(
            out,
            "client {} fits into the plan of {} without dropping anyone: {} way(s)",
            f.client,
            f.date,
            f.options.len()
        );
    } else {
        let _ = writeln!(
            out,
            "client {} does not fit into the plan of {} without dropping anyone",
            f.client, f.date
        );
    }
    if f.time_limit_reached {
        let _ = writeln!(
            out,
            "the time limit ended the search: a way may exist that this answer does not show"
        );
    }
    for o in &f.options {
        let calls: Vec<String> = o
            .calls
            .iter()
            .map(|c| {
                format!(
                    "{} {}-{} with {}",
                    c.visit,
                    c.start.format("%H:%M"),
                    c.end.format("%H:%M"),
                    c.carers.join(" + ")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  {}. {}; travel {:+} min; {} call(s) move{}",
            o.rank,
            calls.join(", "),
            o.extra_travel_minutes,
            o.moved.len(),
            if o.moved.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    o.moved
                        .iter()
                        .map(|m| format!("{} {:+} min", m.visit, m.minutes))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
    for r in &f.reasons {
        let _ = writeln!(out, "  why: {} {}", r.code, r.message);
    }
    if let Some(c) = &f.smallest_change {
        let _ = writeln!(out, "  smallest change: {c}");
    }
    if let Some(i) = &f.instead_of {
        let _ = writeln!(
            out,
            "  or instead of client {} (priority {}), who would then be dropped",
            i.client, i.priority
        );
    }
    let _ = writeln!(out, "  answered in {:.3} s", f.seconds);
    if let Some(r) = &f.replan {
        let how = match r.iterations {
            Some(n) => format!("{n} iterations"),
            None => format!("{} s", r.time_limit_seconds),
        };
        if r.serves {
            let _ = writeln!(
                out,
                "re-planned ({how}, {:.1} s): the day serves {} with {} of {} clients (published: {}), priority {} (published: {})",
                r.seconds,
                f.client,
                r.clients_served,
                r.clients_total,
                r.published_clients_served,
                r.priority_served,
                r.published_priority_served
            );
        } else {
            let _ = writeln!(
                out,
                "re-planned ({how}, {:.1} s): the re-plan does not serve {} either ({} of {} clients)",
                r.seconds, f.client, r.clients_served, r.clients_total
            );
        }
        if r.serves {
            for c in &r.calls {
                let _ = writeln!(
                    out,
                    "  {} {}-{} with {}",
                    c.visit,
                    c.start.format("%H:%M"),
                    c.end.format("%H:%M"),
                    c.carers.join(" + ")
                );
            }
        }
        if r.dropped.is_empty() {
            let _ = writeln!(out, "  drops nobody");
        } else {
            let _ = writeln!(
                out,
                "  drops {}",
                r.dropped
                    .iter()
                    .map(|d| format!("{} (priority {})", d.client, d.priority))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !r.also_served.is_empty() {
            let _ = writeln!(out, "  also serves {}", r.also_served.join(", "));
        }
        let _ = writeln!(
            out,
            "  {} call(s) of clients served in both move, {} of them to other carers",
            r.calls_moved, r.carers_changed
        );
        if !r.reproducible {
            let _ = writeln!(
                out,
                "  (time-limited: another run may differ; --replan-iterations gives the same answer every time)"
            );
        }
    }
    out
}
