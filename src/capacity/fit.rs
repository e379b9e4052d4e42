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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitOptions {
    /// At most this many ways are reported.
    pub max_options: usize,
    /// At most this many insertions are tried for them (each with some
    /// carers barred), and this many clients for the "instead of" answer.
    pub max_trials: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_options: 5,
            max_trials: 40,
        }
    }
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
    /// Seconds the answer took.
    pub seconds: f64,
    /// The published plan with the best way applied (checked), for
    /// `rota fit --output`; not part of the JSON answer.
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

    let (found, first_failure) = find_ways(&p, &sol, k, opts);
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
            why_not(&p, &sol, k, first_failure, opts.max_trials);
    }
    Ok(Fit {
        client: client.id.clone(),
        date: plan.date,
        fits: !options.is_empty(),
        options,
        reasons,
        smallest_change,
        instead_of,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        plan: best_plan,
    })
}

/// E1007 unless `plan` passes the checker against `req`.
fn check_published(req: &Request, plan: &Plan) -> Result<(), RotaError> {
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
        if found.len() >= opts.max_options || trials >= opts.max_trials {
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
) -> (Vec<Reason>, Option<String>, Option<InsteadOf>) {
    let reasons = crate::solve::reasons::reasons_in_plan(p, sol, k).unwrap_or_default();
    let mut smallest_change = None;
    let mut instead_of = None;
    let static_ = crate::solve::reasons::static_reason(p, k).is_some();
    if !static_ && let Some(v) = first_failure {
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
        instead_of = replace_one(p, sol, k, v, max_trials);
    }
    (reasons, smallest_change, instead_of)
}

/// The served client of lowest priority (then fewest visits) among those
/// with a call on a round eligible for the failing visit `v`, whose removal
/// lets client `k` in; at most `max` are tried.
fn replace_one(p: &Problem, sol: &Solution, k: usize, v: usize, max: usize) -> Option<InsteadOf> {
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
    out
}
