//! Re-planning after a disruption (extension, `docs/replan.md`): `rota
//! replan REQUEST PLAN --now 10:15 --unavailable C03,C07`.
//!
//! The request may be amended (new or cancelled visits); the plan is the one
//! the day started with. In the new plan:
//!
//! * every call (visit-carer assignment) of the old plan that started before
//!   `now` is kept as it happened: same carer, same start;
//! * calls of an unavailable carer from `now` until `unavailable_from` are
//!   kept as planned (the carer is still at work); the carer gets no other
//!   call from `now` on; calls from `unavailable_from` on are re-assigned;
//! * no other visit starts before `now`;
//! * the objective is priority served, then calls kept on their original
//!   carer, then continuity, then travel: an available carer's call moves
//!   only when that serves more priority.
//!
//! All of this is input to the [`ProblemBuilder`] (pinned calls, eligible
//! rounds, windows, kept calls), so the ordinary solvers keep it. The search
//! starts from the old plan's calls that still fit, with the re-assigned
//! visits inserted greedily ([`warm_start`]), and returns only a plan at
//! least as good by that objective.
//!
//! A client whose care has started (a call before `now`) is finished first:
//! they are must-serve clients. Should their remaining calls not fit at all,
//! the contract's whole-client rule leaves no way to show them half served:
//! they are listed unserved with reason `STARTED_NOT_FINISHED` (naming the
//! calls already done) and as `started_not_finished` in `summary.replan`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::clock::hhmm;
use crate::control::SolveControl;
use crate::error::{Issue, Issues, RotaError};
use crate::model::{
    Absence, AtRisk, CallTimes, Plan, Reason, ReplanChange, ReplanSummary, Request, Stop,
    minutes_of_day, time_of_minutes,
};
use crate::output::text::{count, plural};
use crate::prepare::Prepared;
use crate::problem::{BreakSpec, PinTo, Problem, ProblemBuilder};
use crate::solve::Solution;
use crate::solve::construct::greedy::{Greedy, Undo, client_order, insert_visit};
use crate::solve::timing::gap::break_place;
use crate::{PlanOptions, Solved};

/// What happened, as `rota replan` is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Disruption {
    /// Minutes since midnight: calls that started before this are history.
    pub now: i32,
    /// Carer ids that are absent.
    pub unavailable: Vec<String>,
    /// From when they are absent (default `now`).
    pub unavailable_from: Option<i32>,
    /// The freeze window in minutes (docs/replan.md, "Freeze"): a call of
    /// an available carer whose leave-by time (start minus travel) is
    /// before `now + freeze` stays as planned, and no other call starts
    /// before `now + freeze`.
    pub freeze: i32,
}

/// The default of `--freeze` and of the endpoint's `freeze_minutes`.
pub const DEFAULT_FREEZE_MINUTES: i32 = 15;

impl Disruption {
    /// Carers `unavailable` from `unavailable_from` (default `now`) on, with
    /// the default freeze window.
    pub fn new(now: i32, unavailable: Vec<String>, unavailable_from: Option<i32>) -> Disruption {
        Disruption {
            now,
            unavailable,
            unavailable_from,
            freeze: DEFAULT_FREEZE_MINUTES,
        }
    }

    /// From when this disruption's carers are absent.
    fn from(&self) -> i32 {
        self.unavailable_from.unwrap_or(self.now).max(self.now)
    }

    /// The end of the freeze window.
    fn frozen_until(&self) -> i32 {
        self.now.saturating_add(self.freeze.max(0))
    }
}

/// Every absence in force after this disruption (docs/replan.md,
/// "Absences"): those of the plan it starts from (its `absences`; for a
/// plan written before they existed, its `unavailable` carers from its
/// `unavailable_from`) and this disruption's; per carer the earliest, in
/// carer order.
pub fn absences(old: &Plan, d: &Disruption) -> Vec<Absence> {
    let mut from: BTreeMap<String, i32> = BTreeMap::new();
    let mut add = |carer: &str, f: i32| {
        from.entry(carer.to_string())
            .and_modify(|x| *x = (*x).min(f))
            .or_insert(f);
    };
    if let Some(r) = &old.summary.replan {
        if r.absences.is_empty() {
            for c in &r.unavailable {
                add(c, minutes_of_day(r.unavailable_from));
            }
        }
        for a in &r.absences {
            add(&a.carer, minutes_of_day(a.from));
        }
    }
    for c in &d.unavailable {
        add(c, d.from());
    }
    from.into_iter()
        .map(|(carer, f)| Absence {
            carer,
            from: time_of_minutes(f.clamp(0, 1439)),
        })
        .collect()
}

/// Whether a call of the old plan stays as it is: an absent carer's before
/// their absence (they did it, or still do it before leaving); an available
/// carer's when they had to leave for it before the freeze window ends.
fn stays(absent_from: Option<i32>, start: i32, travel: i32, d: &Disruption) -> bool {
    match absent_from {
        Some(f) => start < f,
        None => start.saturating_sub(travel) < d.frozen_until(),
    }
}

/// One call of the old plan, in the new problem's indices.
#[derive(Debug, Clone, Copy)]
struct Call {
    visit: usize,
    round: usize,
    start: i32,
}

/// The re-plan problem and what the warm start needs.
pub struct Replan {
    pub problem: Problem,
    /// Calls of the old plan that are fixed (before `now`, or of an absent
    /// carer before `unavailable_from`).
    fixed: Vec<Call>,
    /// Calls of available carers from `now` on: kept when possible.
    kept: Vec<Call>,
}

/// Check the disruption against the request and the plan: E1902 unknown
/// carer in `--unavailable`, E1903 `--unavailable-from` before `--now`,
/// E1904 plan date differs from the request's.
pub fn validate(req: &Request, old: &Plan, d: &Disruption) -> Vec<Issue> {
    let mut out = Vec::new();
    let carers: HashSet<&str> = req.carers.iter().map(|c| c.id.as_str()).collect();
    for id in &d.unavailable {
        if !carers.contains(id.as_str()) {
            out.push(Issue::new(
                "E1902",
                "--unavailable",
                format!("carer '{id}' is not in the request's carers"),
                "give ids of carers in the request, separated by commas",
            ));
        }
    }
    if let Some(f) = d.unavailable_from
        && f < d.now
    {
        out.push(Issue::new(
            "E1903",
            "--unavailable-from",
            format!(
                "--unavailable-from {} is before --now {}",
                hhmm(i64::from(f)),
                hhmm(i64::from(d.now))
            ),
            "give a time at or after --now (or leave it out: it defaults to --now)",
        ));
    }
    if d.freeze < 0 {
        out.push(Issue::new(
            "E1905",
            "--freeze",
            format!("--freeze {} is negative", d.freeze),
            "give the freeze window in minutes, 0 or more (default 15)",
        ));
    }
    if old.date != req.date {
        out.push(Issue::new(
            "E1904",
            "date",
            format!(
                "the plan is for {} but the request is for {}",
                old.date, req.date
            ),
            "re-plan a day with that day's plan",
        ));
    }
    out
}

impl Replan {
    /// Build the re-plan problem of a validated request.
    pub fn build(req: &Request, old: &Plan, d: &Disruption) -> Result<Replan, RotaError> {
        let mut b = ProblemBuilder::from_request(req)?;
        let p = b.parts();
        let carer_of: HashMap<&str, usize> = p
            .carers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        // Carer -> minute from which they are absent.
        let absent: HashMap<usize, i32> = absences(old, d)
            .iter()
            .filter_map(|a| Some((*carer_of.get(a.carer.as_str())?, minutes_of_day(a.from))))
            .collect();
        // Round -> start of the old plan's break in it.
        let mut old_break: HashMap<usize, i32> = HashMap::new();
        let visit_of: HashMap<&str, usize> = p
            .visits
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.as_str(), i))
            .collect();
        let mut round_of: HashMap<(usize, i32, i32), usize> = HashMap::new();
        for (r, spec) in p.rounds.iter().enumerate() {
            round_of.insert((spec.carer, spec.start, spec.end), r);
        }
        let mut fixed = Vec::new();
        let mut kept = Vec::new();
        // Visits with a call of an absent carer that must be re-assigned.
        let mut lost: HashSet<usize> = HashSet::new();
        for round in &old.rounds {
            let Some(&c) = carer_of.get(round.carer.as_str()) else {
                continue;
            };
            let key = (
                c,
                minutes_of_day(round.shift.start),
                minutes_of_day(round.shift.end),
            );
            let Some(&r) = round_of.get(&key) else {
                continue;
            };
            for s in &round.stops {
                if let Stop::Break(bs) = s {
                    old_break.insert(r, minutes_of_day(bs.start));
                }
                let Stop::Visit(vs) = s else { continue };
                let Some(&v) = visit_of.get(vs.visit.as_str()) else {
                    continue;
                };
                if p.clients[p.visits[v].client].id != vs.client {
                    continue;
                }
                let call = Call {
                    visit: v,
                    round: r,
                    start: minutes_of_day(vs.start),
                };
                let travel = i32::try_from(vs.travel_minutes).unwrap_or(i32::MAX);
                let away = absent.get(&c).copied();
                if stays(away, call.start, travel, d) {
                    fixed.push(call);
                } else if away.is_none() {
                    kept.push(call);
                } else {
                    lost.insert(v);
                }
            }
        }

        // A double-up in the freeze window that lost one of its carers is
        // not frozen: its other call is kept when possible, the visit
        // re-assigned like the absent carer's call.
        let (thawed, still): (Vec<Call>, Vec<Call>) = fixed
            .into_iter()
            .partition(|c| c.start >= d.now && lost.contains(&c.visit));
        fixed = still;
        kept.extend(thawed);
        // A double-up with one call fixed (an absent carer's, before
        // their absence) has the other call fixed too: both carers
        // start it together.
        let fixed_visits: HashSet<usize> = fixed.iter().map(|c| c.visit).collect();
        let (also_fixed, kept): (Vec<Call>, Vec<Call>) = kept
            .into_iter()
            .partition(|c| fixed_visits.contains(&c.visit));
        fixed.extend(also_fixed);

        // Fixed calls: their rounds only, at their start (the last given);
        // their clients must be served.
        let mut fixed_rounds: BTreeMap<usize, (Vec<usize>, i32)> = BTreeMap::new();
        for f in &fixed {
            let (rounds, start) = fixed_rounds.entry(f.visit).or_default();
            rounds.push(f.round);
            *start = f.start;
        }
        for v in 0..b.parts().visits.len() {
            if let Some((rs, start)) = fixed_rounds.remove(&v) {
                // A visit done before `now` by fewer carers than it now
                // needs (an amended request) cannot be kept: nobody else
                // can join a call in the past.
                let rounds = if rs.len() == b.parts().visits[v].required {
                    rs
                } else {
                    Vec::new()
                };
                b.pin(v, Some(start), PinTo::Rounds(rounds));
                continue;
            }
            b.bar_absent(v, |c| absent.contains_key(&c));
            b.not_before(v, d.frozen_until());
        }
        // An absent carer's round ends at the absence: a break whose latest
        // start is before it was due and stays; one the old plan placed
        // before it stays where it was; any other is waived.
        for r in 0..b.parts().rounds.len() {
            let spec = &b.parts().rounds[r];
            let (Some(&f), Some(k)) = (absent.get(&spec.carer), spec.brk) else {
                continue;
            };
            if k.latest < f {
                continue;
            }
            let brk = old_break
                .get(&r)
                .filter(|&&s| s < f && s >= k.earliest && s <= k.latest)
                .map(|&s| BreakSpec {
                    earliest: s,
                    latest: s,
                    minutes: k.minutes,
                });
            b.set_break(r, brk);
        }
        let mut keep = vec![Vec::new(); b.parts().visits.len()];
        for k in &kept {
            keep[k.visit].push(b.parts().rounds[k.round].carer);
        }
        b.keep(keep);
        Ok(Replan {
            problem: b.build(),
            fixed,
            kept,
        })
    }

    /// The old plan's fixed and kept calls that still fit, then the other
    /// visits of their clients inserted greedily, then every other client
    /// (boosted ones first): a valid solution of the re-plan problem. A
    /// client whose missing visits do not fit is taken out whole.
    pub fn warm_start(&self) -> Greedy {
        let p = &self.problem;
        let mut sol = Solution::empty(p);
        // Calls per visit, fixed first.
        let mut calls: BTreeMap<usize, Vec<Call>> = BTreeMap::new();
        for c in self.fixed.iter().chain(&self.kept) {
            calls.entry(c.visit).or_default().push(*c);
        }
        for k in 0..p.clients.len() {
            let mut placed = Vec::new();
            for &v in &p.clients[k].visits {
                let Some(cs) = calls.get(&v) else { continue };
                let start = cs[0].start;
                let fits = cs.len() == p.visits[v].required
                    && cs.iter().all(|c| c.start == start)
                    && start >= p.visits[v].tw_start
                    && start <= p.visits[v].tw_end
                    && cs.iter().all(|c| p.eligible[v].contains(&c.round))
                    && cs
                        .iter()
                        .map(|c| p.rounds[c.round].carer)
                        .collect::<BTreeSet<_>>()
                        .len()
                        == cs.len();
                if !fits {
                    continue;
                }
                for c in cs {
                    let pos = sol.routes[c.round]
                        .iter()
                        .position(|&u| sol.start[u].is_some_and(|s| s > start))
                        .unwrap_or(sol.routes[c.round].len());
                    sol.insert(c.round, pos, v, start);
                }
                placed.push(v);
            }
            let ok = placed.iter().all(|&v| gaps_hold(p, &sol, v))
                && placed
                    .iter()
                    .flat_map(|&v| sol.rounds_of[v].clone())
                    .all(|r| round_ok(p, &sol, r));
            if !ok {
                for v in placed {
                    sol.remove(v);
                }
            }
        }
        // Complete the clients that have some calls placed, then the rest.
        let mut failed_visit = vec![None; p.clients.len()];
        for k in client_order(p) {
            let missing: Vec<usize> = p.clients[k]
                .visits
                .iter()
                .copied()
                .filter(|&v| sol.start[v].is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let mut undo = Undo::default();
            let mut failed = None;
            for &v in &missing {
                if !insert_visit(p, &mut sol, v, &mut undo) {
                    failed = Some(v);
                    break;
                }
            }
            if let Some(v) = failed {
                undo.rollback(&mut sol);
                for &u in &p.clients[k].visits {
                    sol.remove(u);
                }
                failed_visit[k] = Some(v);
            }
        }
        Greedy {
            solution: sol,
            failed_visit,
        }
    }
}

/// `after` gaps of `v` (least and largest, docs/format.md "Largest gaps")
/// with its placed target and successors, and its links (visits that start
/// together, docs/format.md) with its placed partners: the lag kept, by
/// two different carers.
fn gaps_hold(p: &Problem, sol: &Solution, v: usize) -> bool {
    let Some(s) = sol.start[v] else { return true };
    let vs = &p.visits[v];
    if let Some((u, gap)) = vs.after
        && let Some(su) = sol.start[u]
        && (s < su + gap || vs.after_max.is_some_and(|m| s > su + m))
    {
        return false;
    }
    let successors_hold = vs.successors.iter().all(|&(w, gap)| {
        sol.start[w]
            .is_none_or(|sw| sw >= s + gap && p.visits[w].after_max.is_none_or(|m| sw <= s + m))
    });
    let carers = |x: usize| -> BTreeSet<usize> {
        sol.rounds_of[x]
            .iter()
            .map(|&r| p.rounds[r].carer)
            .collect()
    };
    let links_hold = p
        .links
        .iter()
        .filter(|l| l.first == v || l.second == v)
        .all(|l| match (sol.start[l.first], sol.start[l.second]) {
            (Some(a), Some(b)) => {
                (l.min_lag..=l.max_lag).contains(&(b - a))
                    && carers(l.first).is_disjoint(&carers(l.second))
            }
            _ => true,
        });
    successors_hold && links_hold
}

/// Whether round `r` can be driven as `sol` has it: arrival by each start,
/// windows, the break in some gap (the first that holds it, as the plan
/// places it), back by the shift's end.
fn round_ok(p: &Problem, sol: &Solution, r: usize) -> bool {
    let spec = &p.rounds[r];
    let route = &sol.routes[r];
    let mut prev_end = spec.start;
    let mut prev_node = spec.start_node;
    let mut brk = if route.is_empty() { None } else { spec.brk };
    for &v in route {
        let vs = &p.visits[v];
        let Some(start) = sol.start[v] else {
            return false;
        };
        let t = p.time(r, prev_node, vs.node);
        let mut depart = prev_end;
        if let Some(b) = brk
            && let Some(place) = break_place(&b, prev_end, start, t, false)
        {
            brk = None;
            if !place.travel_first {
                depart = place.start + b.minutes;
            }
        }
        if depart + t > start || start < vs.tw_start || start > vs.tw_end {
            return false;
        }
        prev_end = start + vs.duration;
        prev_node = vs.node;
    }
    if route.is_empty() {
        return true;
    }
    let t = p.time(r, prev_node, spec.end_node);
    let mut depart = prev_end;
    if let Some(b) = brk {
        match break_place(&b, prev_end, spec.end, t, true) {
            Some(place) if !place.travel_first => depart = place.start + b.minutes,
            Some(_) => {}
            None => return false,
        }
    }
    depart + t <= spec.end
}

/// Re-plan `req` after the disruption `d` to the day planned as `old`.
/// Every plan returned passes the independent checker and carries
/// `summary.replan`.
pub fn replan(
    prepared: &Prepared,
    old: &Plan,
    d: &Disruption,
    opts: &PlanOptions,
    ctl: &SolveControl,
) -> Result<Plan, RotaError> {
    let req = &prepared.request;
    let issues = validate(req, old, d);
    if !issues.is_empty() {
        return Err(RotaError::Invalid(Issues(issues)));
    }
    let budget = prepared.budget();
    let rp = Replan::build(req, old, d)?;
    let p = &rp.problem;
    let warm = rp.warm_start();
    let solved: Solved =
        crate::solve_problem(&req.settings, p, opts, ctl, budget, Some(warm), &[])?;
    // Checked below, once `summary.replan` says who is absent.
    let mut plan = crate::built_plan(req, p, &solved, &budget)?;
    let mut summary = compare(old, &plan, d);
    // A client the amended request no longer has was cancelled, not lost.
    for r in &mut summary.at_risk {
        if r.status != "new_carer" && !req.clients.iter().any(|c| c.id == r.client) {
            r.status = "cancelled".into();
            r.message = "no longer in the request (cancelled)".into();
        }
    }
    // Clients with a visit whose window closed before `now` (and that was
    // not done): that is the reason, whatever the static reasons say about
    // the restricted problem.
    // (The freeze window counts: nothing new starts in it.)
    let until = d.frozen_until();
    let done: HashSet<(&str, &str)> = calls_before(old, until);
    for u in &mut plan.unserved {
        let Some(c) = req.clients.iter().find(|c| c.id == u.client) else {
            continue;
        };
        let passed: Vec<String> = c
            .visits
            .iter()
            .filter(|v| {
                minutes_of_day(v.window.end) < until
                    && !done.contains(&(c.id.as_str(), v.id.as_str()))
            })
            .map(|v| {
                format!(
                    "{} (to start {}-{})",
                    v.id,
                    v.window.start.format("%H:%M"),
                    v.window.end.format("%H:%M")
                )
            })
            .collect();
        if !passed.is_empty() {
            u.reasons = vec![Reason {
                code: "WINDOW_PASSED".into(),
                message: if until > d.now {
                    format!(
                        "visit(s) {} could only start before {} (the re-plan at {} and its {} min freeze window) and were not done",
                        passed.join(", "),
                        hhmm(i64::from(until)),
                        hhmm(i64::from(d.now)),
                        d.freeze
                    )
                } else {
                    format!(
                        "visit(s) {} could only start before the re-plan at {} and were not done",
                        passed.join(", "),
                        hhmm(i64::from(d.now))
                    )
                },
            }];
        }
    }
    // Started clients that could not be finished: say so first.
    for r in &summary.at_risk {
        if r.status == "started_not_finished"
            && let Some(u) = plan.unserved.iter_mut().find(|u| u.client == r.client)
        {
            u.reasons.insert(
                0,
                Reason {
                    code: "STARTED_NOT_FINISHED".into(),
                    message: r.message.clone(),
                },
            );
        }
    }
    plan.summary.replan = Some(summary);
    let report = crate::check::check(req, &plan);
    if !report.is_valid() {
        return Err(RotaError::Internal(format!(
            "the re-plan is rejected by the checker:\n{report}"
        )));
    }
    Ok(plan)
}

/// (client, visit) of the calls of `plan` that started before `now`.
fn calls_before(plan: &Plan, now: i32) -> HashSet<(&str, &str)> {
    let mut out = HashSet::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s
                && minutes_of_day(v.start) < now
            {
                out.insert((v.client.as_str(), v.visit.as_str()));
            }
        }
    }
    out
}

/// (visit, carer) -> (client, start, travel to it) of a plan's calls.
fn calls_of(plan: &Plan) -> BTreeMap<(String, String), (String, i32, i32)> {
    let mut out = BTreeMap::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                out.insert(
                    (v.visit.clone(), r.carer.clone()),
                    (
                        v.client.clone(),
                        minutes_of_day(v.start),
                        i32::try_from(v.travel_minutes).unwrap_or(i32::MAX),
                    ),
                );
            }
        }
    }
    out
}

/// What changed from `old` to `new` (by ids only, so it also holds for an
/// amended request): calls fixed, of unavailable carers, moved, dropped,
/// re-timed, and the clients at risk.
pub fn compare(old: &Plan, new: &Plan, d: &Disruption) -> ReplanSummary {
    let now = d.now;
    let absences = absences(old, d);
    let away: HashMap<&str, i32> = absences
        .iter()
        .map(|a| (a.carer.as_str(), minutes_of_day(a.from)))
        .collect();
    let before = calls_of(old);
    let after = calls_of(new);
    // Visits with a call of an absent carer to re-assign (as in
    // `Replan::build`: their other call in the freeze window is not frozen).
    let lost: HashSet<&str> = before
        .iter()
        .filter(|((_, c), (_, s, _))| away.get(c.as_str()).is_some_and(|&f| *s >= f))
        .map(|((v, _), _)| v.as_str())
        .collect();
    let served_new: HashSet<&str> = after.values().map(|(c, _, _)| c.as_str()).collect();
    let visits_new: HashSet<&str> = after.keys().map(|(v, _)| v.as_str()).collect();
    let (mut fixed, mut of_unavailable, mut moved, mut dropped, mut retimed) =
        (0u32, 0u32, 0u32, 0u32, 0u32);
    // Per client: calls done before now, and whether a call changed carer.
    let mut done: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut changed: BTreeSet<&str> = BTreeSet::new();
    for ((v, c), (client, s, t)) in &before {
        let a = away.get(c.as_str()).copied();
        let is_absent = a.is_some();
        let thawed = a.is_none() && *s >= now && lost.contains(v.as_str());
        if stays(a, *s, *t, d) && !thawed {
            if after.get(&(v.clone(), c.clone())).map(|x| x.1) == Some(*s) {
                fixed += 1;
            }
            if *s < now {
                done.entry(client.as_str())
                    .or_default()
                    .push(format!("{v} by {c} at {}", hhmm(i64::from(*s))));
            }
            continue;
        }
        if is_absent {
            of_unavailable += 1;
            changed.insert(client.as_str());
            continue;
        }
        match after.get(&(v.clone(), c.clone())) {
            Some((_, s2, _)) if s2 != s => retimed += 1,
            Some(_) => {}
            None if visits_new.contains(v.as_str()) => {
                moved += 1;
                changed.insert(client.as_str());
            }
            None => dropped += 1,
        }
    }
    let changes = changes(old, new, now);
    let served_old: BTreeSet<&str> = before.values().map(|(c, _, _)| c.as_str()).collect();
    let mut at_risk = Vec::new();
    for client in served_old {
        if !served_new.contains(client) {
            match done.get(client) {
                Some(calls) => at_risk.push(AtRisk {
                    client: client.to_string(),
                    status: "started_not_finished".into(),
                    message: format!(
                        "already visited before {} ({}), but the rest of the day's calls cannot be fitted: arrange them by hand",
                        hhmm(i64::from(now)),
                        calls.join(", ")
                    ),
                }),
                None => at_risk.push(AtRisk {
                    client: client.to_string(),
                    status: "lost".into(),
                    message: "served in the original plan, not in the new one".into(),
                }),
            }
        } else if changed.contains(client) {
            let mine: Vec<ReplanChange> = changes
                .iter()
                .filter(|c| c.client == client)
                .filter(|c| {
                    c.before.as_ref().map(|t| &t.carers) != c.after.as_ref().map(|t| &t.carers)
                })
                .cloned()
                .collect();
            at_risk.push(AtRisk {
                client: client.to_string(),
                status: "new_carer".into(),
                message: format!(
                    "still served, another carer on {}",
                    mine.iter()
                        .map(|c| change_lines(std::slice::from_ref(c))
                            .concat()
                            .replacen("  ", " ", 1))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    ReplanSummary {
        now: time_of_minutes(now.clamp(0, 1439)),
        unavailable: d.unavailable.clone(),
        unavailable_from: time_of_minutes(d.from().clamp(0, 1439)),
        absences,
        freeze_minutes: u32::try_from(d.freeze).ok(),
        calls_fixed: fixed,
        calls_of_unavailable: of_unavailable,
        calls_moved: moved,
        calls_dropped: dropped,
        calls_retimed: retimed,
        at_risk,
        changes,
    }
}

/// Visit -> (client, who and when) in a plan; carers sorted.
fn visits_of(plan: &Plan) -> BTreeMap<&str, (&str, CallTimes)> {
    let mut out: BTreeMap<&str, (&str, CallTimes)> = BTreeMap::new();
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                let e = out.entry(v.visit.as_str()).or_insert_with(|| {
                    let times = CallTimes {
                        carers: Vec::new(),
                        start: v.start,
                        end: v.end,
                    };
                    (v.client.as_str(), times)
                });
                e.1.carers.push(r.carer.clone());
            }
        }
    }
    for (_, t) in out.values_mut() {
        t.carers.sort();
    }
    out
}

/// Every visit whose carers or start differ between `old` and `new`, except
/// visits the old plan started before `now` (they happened), in time order:
/// by the earlier of the old and new start, then visit id.
pub fn changes(old: &Plan, new: &Plan, now: i32) -> Vec<ReplanChange> {
    let before = visits_of(old);
    let after = visits_of(new);
    let ids: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    let mut out: Vec<ReplanChange> = ids
        .into_iter()
        .filter_map(|id| {
            let b = before.get(id);
            let a = after.get(id);
            if b.is_some_and(|(_, t)| minutes_of_day(t.start) < now) {
                return None;
            }
            let same = matches!((b, a), (Some((_, x)), Some((_, y)))
                if x.carers == y.carers && x.start == y.start);
            if same {
                return None;
            }
            let client = b.or(a).map(|(c, _)| c.to_string()).unwrap_or_default();
            Some(ReplanChange {
                visit: id.to_string(),
                client,
                before: b.map(|(_, t)| t.clone()),
                after: a.map(|(_, t)| t.clone()),
            })
        })
        .collect();
    out.sort_by_key(|c| (change_time(c), c.visit.clone()));
    out
}

/// When a change first matters: the earlier of its old and new start.
fn change_time(c: &ReplanChange) -> chrono::NaiveTime {
    let starts = c.before.iter().chain(c.after.iter()).map(|t| t.start);
    starts.min().unwrap_or(chrono::NaiveTime::MIN)
}

/// One side of a change for people: `C07 11:08`, `C11+C12 19:45`, or
/// `none` (before: not in the published plan, after: dropped).
fn side(t: Option<&CallTimes>, none: &str) -> String {
    t.map_or(none.to_string(), |t| {
        format!("{} {}", t.carers.join("+"), t.start.format("%H:%M"))
    })
}

/// One line per changed visit, in the order of [`changes`]: `P004-am  C07
/// 11:08 -> C08 10:34` (`new -> ...` for a visit the published plan did not
/// have, `... -> dropped` for one the new plan does not).
pub fn change_lines(changes: &[ReplanChange]) -> Vec<String> {
    let w = changes.iter().map(|c| c.visit.chars().count()).max();
    changes
        .iter()
        .map(|c| {
            format!(
                "{:<w$}  {} -> {}",
                c.visit,
                side(c.before.as_ref(), "new"),
                side(c.after.as_ref(), "dropped"),
                w = w.unwrap_or(0)
            )
        })
        .collect()
}

/// The human summary of a re-plan for stderr.
pub fn text(s: &ReplanSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "replan at {}: {} unavailable from {}",
        s.now.format("%H:%M"),
        if s.unavailable.is_empty() {
            "nobody".to_string()
        } else {
            s.unavailable.join(", ")
        },
        s.unavailable_from.format("%H:%M"),
    );
    if !s.absences.is_empty() {
        let _ = writeln!(
            out,
            "absent: {}",
            s.absences
                .iter()
                .map(|a| format!("{} from {}", a.carer, a.from.format("%H:%M")))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(f) = s.freeze_minutes {
        let until = minutes_of_day(s.now).saturating_add(i32::try_from(f).unwrap_or(i32::MAX));
        let _ = writeln!(
            out,
            "frozen: calls their carer leaves for before {} ({f} min freeze) stay as planned",
            hhmm(i64::from(until))
        );
    }
    let _ = writeln!(
        out,
        "{} kept as they happened or frozen, {} of absent carers re-assigned or lost, {} moved, {} dropped, {} re-timed",
        count(s.calls_fixed.into(), "call", "calls"),
        s.calls_of_unavailable,
        s.calls_moved,
        s.calls_dropped,
        s.calls_retimed
    );
    match s.changes.len() {
        0 => {
            let _ = writeln!(out, "no call changed from {}", s.now.format("%H:%M"));
        }
        n => {
            let _ = writeln!(
                out,
                "{n} changed {}, in time order (before -> after):",
                plural(n as u64, "call", "calls")
            );
            for l in change_lines(&s.changes) {
                let _ = writeln!(out, "  {l}");
            }
        }
    }
    if s.at_risk.is_empty() {
        let _ = writeln!(out, "no client at risk");
    } else {
        let _ = writeln!(out, "at risk:");
        for r in &s.at_risk {
            let _ = writeln!(out, "  {} {}: {}", r.client, r.status, r.message);
        }
    }
    out
}

/// Whether every call of `old` that started before `now` is in `new` with
/// the same carer and start, unless its client is not served in `new` (a
/// started client whose rest could not be fitted, reported at risk).
pub fn history_kept(old: &Plan, new: &Plan, now: i32) -> bool {
    let after = calls_of(new);
    let served: HashSet<&str> = after.values().map(|(c, _, _)| c.as_str()).collect();
    calls_of(old).iter().all(|(key, (client, s, _))| {
        *s >= now || !served.contains(client.as_str()) || after.get(key).map(|x| x.1) == Some(*s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = r#"{"date":"2026-11-24","settings":{"time_limit_seconds":1},"carers":[
        {"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.05,"lon":-2.72}},
        {"id":"C2","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.05,"lon":-2.72}}],
      "clients":[
        {"id":"P1","location":{"lat":52.06,"lon":-2.73},"visits":[
          {"id":"P1-am","window":{"start":"08:00","end":"08:00"},"duration":30},
          {"id":"P1-lunch","window":{"start":"12:00","end":"12:30"},"duration":30}]},
        {"id":"P2","location":{"lat":52.04,"lon":-2.71},"visits":[
          {"id":"P2-am","window":{"start":"11:00","end":"11:30"},"duration":30}]},
        {"id":"P3","location":{"lat":52.04,"lon":-2.70},"visits":[
          {"id":"P3-am","window":{"start":"07:30","end":"09:00"},"duration":30}]}]}"#;

    fn day() -> crate::validate::ValidRequest {
        crate::load_request(DAY).unwrap()
    }

    #[test]
    fn gaps_hold_keeps_largest_gaps_and_visits_that_start_together() {
        // P1-lunch at most 240 min after P1-am (08:00); P3-pt starts with
        // P3-am.
        let mut v: serde_json::Value = serde_json::from_str(DAY).unwrap();
        v["clients"][0]["visits"][1]["after"] =
            serde_json::json!({"visit": "P1-am", "min_gap": 0, "max_gap": 240});
        let mut pt = v["clients"][2]["visits"][0].clone();
        pt["id"] = "P3-pt".into();
        pt["starts_with"] = serde_json::json!({"visit": "P3-am"});
        v["clients"][2]["visits"].as_array_mut().unwrap().push(pt);
        let p = Problem::from_json(&v.to_string());
        let id = p.visit_index();
        let (am, lunch, p3, pt) = (id["P1-am"], id["P1-lunch"], id["P3-am"], id["P3-pt"]);
        let mut sol = Solution::empty(&p);
        sol.insert(0, 0, am, 480);
        sol.insert(0, 1, lunch, 720);
        assert!(gaps_hold(&p, &sol, am) && gaps_hold(&p, &sol, lunch));
        sol.remove(lunch);
        sol.insert(0, 1, lunch, 721);
        assert!(!gaps_hold(&p, &sol, lunch), "241 min after");
        assert!(!gaps_hold(&p, &sol, am), "seen from the first call too");
        // Together by two carers; not a minute apart, not by one carer.
        sol.insert(0, 0, p3, 450);
        sol.insert(1, 0, pt, 450);
        assert!(gaps_hold(&p, &sol, p3) && gaps_hold(&p, &sol, pt));
        sol.remove(pt);
        sol.insert(1, 0, pt, 451);
        assert!(!gaps_hold(&p, &sol, pt) && !gaps_hold(&p, &sol, p3));
        sol.remove(pt);
        sol.insert(0, 1, pt, 450);
        assert!(!gaps_hold(&p, &sol, pt), "one carer for both");
    }

    /// Re-plan `r` (planned as `old`) after `d`, the time limit from now.
    fn replan_now(r: &crate::validate::ValidRequest, old: &Plan, d: &Disruption) -> Plan {
        let prepared = Prepared::now(r.clone());
        replan(
            &prepared,
            old,
            d,
            &PlanOptions::default(),
            &SolveControl::new(),
        )
        .unwrap()
    }

    #[test]
    fn fixed_calls_are_locked_absent_carers_removed_and_windows_start_at_now() {
        let r = day();
        let old = crate::plan_request(&r).unwrap();
        let d = Disruption::new(10 * 60, vec!["C2".into()], None);
        let rp = Replan::build(&r, &old, &d).unwrap();
        let p = &rp.problem;
        let v = |id: &str| p.visits.iter().position(|x| x.id == id).unwrap();
        // P1-am happened at 08:00: one minute, its round only, P1 must be served.
        let am = v("P1-am");
        assert_eq!((p.visits[am].tw_start, p.visits[am].tw_end), (480, 480));
        assert_eq!(p.eligible[am].len(), 1);
        assert!(p.must_serve(0));
        assert_eq!(p.true_priority(0), 1);
        // Later visits: C2 (round 1) is gone, windows start no earlier than 10:00.
        for id in ["P1-lunch", "P2-am"] {
            assert_eq!(p.eligible[v(id)], vec![0], "{id}");
            assert!(p.visits[v(id)].tw_start >= 600);
        }
        // The warm start is a valid solution that serves P1 and P2.
        let warm = rp.warm_start();
        assert!(warm.solution.is_served(p, 0) && warm.solution.is_served(p, 1));
        let new = replan_now(&r, &old, &d);
        assert!(crate::check::check(&r, &new).is_valid());
        assert!(history_kept(&old, &new, d.now));
        let s = new.summary.replan.unwrap();
        assert_eq!(s.calls_fixed, 2, "{s:?}");
        assert_eq!(s.calls_moved, 0, "{s:?}");
    }

    #[test]
    fn a_double_up_with_an_absent_carer_before_they_leave_keeps_both_carers() {
        let mut r = day().into_inner();
        // P2-am (11:00-11:30) becomes a double-up: C1 and C2 both do it.
        r.clients[1].visits[0].carers_required = 2;
        let r = crate::validate::valid(r).unwrap();
        let old = crate::plan_request(&r).unwrap();
        let d = Disruption::new(10 * 60, vec!["C2".into()], Some(12 * 60));
        let new = replan_now(&r, &old, &d);
        assert!(crate::check::check(&r, &new).is_valid());
        let before = calls_of(&old);
        let after = calls_of(&new);
        for c in ["C1", "C2"] {
            let key = ("P2-am".to_string(), c.to_string());
            assert!(before.contains_key(&key));
            assert_eq!(after.get(&key), before.get(&key), "{c}");
        }
    }

    #[test]
    fn a_visit_whose_window_passed_gives_window_passed() {
        let mut r = day().into_inner();
        // P3 cannot be served by anyone in the old plan's world: exclude both.
        r.clients[2].excluded_carers = vec!["C1".into(), "C2".into()];
        let old = crate::plan_request(&r).unwrap();
        r.clients[2].excluded_carers.clear();
        let r = crate::validate::valid(r).unwrap();
        let d = Disruption::new(10 * 60, vec![], None);
        let new = replan_now(&r, &old, &d);
        let u = new.unserved.iter().find(|u| u.client == "P3").unwrap();
        assert_eq!(u.reasons[0].code, "WINDOW_PASSED");
        assert!(u.reasons[0].message.contains("P3-am"), "{:?}", u.reasons);
    }

    #[test]
    fn a_window_that_ends_in_the_freeze_window_has_passed_too() {
        let mut r = day().into_inner();
        // P3 is unserved in the old plan; its window now ends at 10:10,
        // inside a re-plan at 10:00's 15-minute freeze.
        r.clients[2].excluded_carers = vec!["C1".into(), "C2".into()];
        let old = crate::plan_request(&r).unwrap();
        r.clients[2].excluded_carers.clear();
        r.clients[2].visits[0].window.end = chrono::NaiveTime::from_hms_opt(10, 10, 0).unwrap();
        let r = crate::validate::valid(r).unwrap();
        let d = Disruption::new(10 * 60, vec![], None);
        let new = replan_now(&r, &old, &d);
        let u = new.unserved.iter().find(|u| u.client == "P3").unwrap();
        assert_eq!(u.reasons[0].code, "WINDOW_PASSED");
        assert!(
            u.reasons[0]
                .message
                .contains("before 10:15 (the re-plan at 10:00 and its 15 min freeze window)"),
            "{:?}",
            u.reasons
        );
        // Without a freeze it can still be done.
        let mut d0 = d.clone();
        d0.freeze = 0;
        let new = replan_now(&r, &old, &d0);
        assert!(
            new.unserved.iter().all(|u| u.client != "P3"),
            "{:?}",
            new.unserved
        );
    }

    #[test]
    fn a_visit_only_absent_carers_could_do_says_they_are_absent() {
        let r = day();
        let old = crate::plan_request(&r).unwrap();
        let d = Disruption::new(10 * 60, vec!["C1".into(), "C2".into()], None);
        let new = replan_now(&r, &old, &d);
        let u = new.unserved.iter().find(|u| u.client == "P2").unwrap();
        let all: Vec<&str> = u.reasons.iter().map(|x| x.message.as_str()).collect();
        assert!(
            all.iter()
                .any(|m| m.contains("0 of 2 carers on shift can do it")
                    && m.contains("2 are absent (C1, C2)")),
            "{all:?}"
        );
    }

    #[test]
    fn compare_counts_moves_drops_retimes_and_clients_at_risk() {
        let r = day();
        let old = crate::plan_request(&r).unwrap();
        // Move every call of the old plan from 10:00 on to the other carer in
        // the description only: compare works on ids.
        let mut new = old.clone();
        let swap = |c: &str| if c == "C1" { "C2" } else { "C1" }.to_string();
        for round in &mut new.rounds {
            round.carer = swap(&round.carer);
        }
        let d = Disruption::new(0, vec![], None);
        let s = compare(&old, &new, &d);
        let calls = calls_of(&old).len() as u32;
        assert_eq!(s.calls_moved, calls);
        assert_eq!(s.calls_fixed + s.calls_dropped + s.calls_retimed, 0);
        assert!(s.at_risk.iter().all(|a| a.status == "new_carer"));
        // Dropping everything: every served client is lost.
        new.rounds.iter_mut().for_each(|r| r.stops.clear());
        let s = compare(&old, &new, &d);
        assert_eq!(s.calls_dropped, calls);
        assert!(s.at_risk.iter().all(|a| a.status == "lost"));
        assert!(text(&s).contains("at risk:"));
    }
}
