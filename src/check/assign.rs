//! Cross-round rules: `eligibility`, `after-gap`, `whole-client`,
//! `accounting`, `summary`; and, per served visit in their place among
//! them, the double-up rules `carers-required` and `double-up`
//! (`double_up.rs`).

use std::collections::{HashMap, HashSet};

use super::rounds::{Assign, Walked};
use super::{Ctx, Out, double_up, hm};
use crate::model::{Client, Plan, Visit};

/// Who does what, rule after rule: per served visit `carers-required`,
/// `eligibility`, `double-up` and `after-gap`; per client `whole-client`;
/// then `accounting` and `summary` (with the key figures).
pub(crate) fn check_assignments(ctx: &Ctx, plan: &Plan, walked: &Walked, out: &mut Out) {
    let labels = &walked.labels;
    let mut by_visit: HashMap<&str, Vec<&Assign>> = HashMap::new();
    for a in &walked.assigns {
        by_visit.entry(a.visit).or_default().push(a);
    }
    let mut served_clients: Vec<&str> = Vec::new();
    let mut continuity: HashSet<(&str, &str)> = HashSet::new();
    for client in &ctx.req.clients {
        let mut served_visits = 0usize;
        for visit in &client.visits {
            let Some(asg) = by_visit.get(visit.id.as_str()) else {
                continue;
            };
            served_visits += 1;
            let vname = format!("visit {} (client {})", visit.id, client.id);
            double_up::carers_required(&vname, visit, asg, labels, out);
            eligibility(
                ctx,
                &vname,
                client,
                visit,
                asg,
                labels,
                &mut continuity,
                out,
            );
            double_up::double_up(&vname, asg, labels, out);
            after_gap(&vname, visit, asg, &by_visit, out);
        }
        if served_visits > 0 {
            served_clients.push(client.id.as_str());
            whole_client(client, served_visits, &by_visit, out);
        }
    }
    let served: HashSet<&str> = served_clients.iter().copied().collect();
    accounting(ctx, plan, &served, out);
    summary(ctx, plan, &served, continuity.len() as u64, out);
}

/// `eligibility`: each carer holds the visit's skills, matches the gender
/// asked for and is not excluded. Also collects the continuity assignments
/// (preferred carers, and yesterday's carers of the client).
#[allow(clippy::too_many_arguments)]
fn eligibility<'a>(
    ctx: &Ctx<'a>,
    vname: &str,
    client: &'a Client,
    visit: &'a Visit,
    asg: &[&Assign<'a>],
    labels: &[String],
    continuity: &mut HashSet<(&'a str, &'a str)>,
    out: &mut Out,
) {
    for a in asg {
        let Some(carer) = a.carer_ref else { continue };
        let label = &labels[a.round];
        let missing: Vec<&str> = visit
            .skills
            .iter()
            .filter(|s| !carer.skills.contains(s))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            out.push(
                "eligibility",
                format!(
                    "{label}: {vname} at {} needs skill(s) {} that carer {} lacks",
                    hm(a.start),
                    missing.join(", "),
                    carer.id
                ),
            );
        }
        if let Some(g) = &client.carer_gender
            && carer.gender.as_ref() != Some(g)
        {
            out.push(
                "eligibility",
                format!(
                    "{label}: {vname} at {}: client asks for carer gender '{g}', carer {} is {}",
                    hm(a.start),
                    carer.id,
                    carer
                        .gender
                        .as_deref()
                        .map_or("of unstated gender".to_string(), |x| format!("'{x}'"))
                ),
            );
        }
        if client.excluded_carers.contains(&carer.id) {
            out.push(
                "eligibility",
                format!(
                    "{label}: {vname} at {}: carer {} is excluded by the client",
                    hm(a.start),
                    carer.id
                ),
            );
        }
        if client.preferred_carers.contains(&carer.id)
            || ctx
                .yesterday
                .contains(&(client.id.as_str(), carer.id.as_str()))
        {
            continuity.insert((visit.id.as_str(), carer.id.as_str()));
        }
    }
}

/// `after-gap`: a visit with `after` starts at least `min_gap` after the
/// named visit, which is served, and, with a `max_gap` (extension,
/// docs/format.md "Largest gaps"), at most `max_gap` after it.
fn after_gap(
    vname: &str,
    visit: &Visit,
    asg: &[&Assign],
    by_visit: &HashMap<&str, Vec<&Assign>>,
    out: &mut Out,
) {
    if let Some(after) = &visit.after {
        match by_visit.get(after.visit.as_str()) {
            None => out.push(
                "after-gap",
                format!(
                    "{vname} is served but visit {}, which it must follow by {} min, is not",
                    after.visit, after.min_gap
                ),
            ),
            Some(prev) => {
                let latest = prev.iter().map(|a| a.start).max().unwrap_or(0);
                let earliest = asg.iter().map(|a| a.start).min().unwrap_or(0);
                let need = latest + i64::from(after.min_gap);
                if earliest < need {
                    out.push(
                        "after-gap",
                        format!(
                            "{vname} starts {}, but visit {} starts {} and the gap must be {} min: not before {}",
                            hm(earliest),
                            after.visit,
                            hm(latest),
                            after.min_gap,
                            hm(need)
                        ),
                    );
                }
                if let Some(max_gap) = after.max_gap {
                    let first = prev.iter().map(|a| a.start).min().unwrap_or(0);
                    let last = asg.iter().map(|a| a.start).max().unwrap_or(0);
                    let by = first + i64::from(max_gap);
                    if last > by {
                        out.push(
                            "after-gap",
                            format!(
                                "{vname} starts {}, but visit {} starts {} and the gap may be at most {max_gap} min: not after {}",
                                hm(last),
                                after.visit,
                                hm(first),
                                hm(by)
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// `whole-client`: a served client has all its visits served.
fn whole_client(
    client: &Client,
    served_visits: usize,
    by_visit: &HashMap<&str, Vec<&Assign>>,
    out: &mut Out,
) {
    if served_visits < client.visits.len() {
        let missing: Vec<&str> = client
            .visits
            .iter()
            .filter(|v| !by_visit.contains_key(v.id.as_str()))
            .map(|v| v.id.as_str())
            .collect();
        out.push(
            "whole-client",
            format!(
                "client {} is partly served: visit(s) {} are in no round (serve all visits or none)",
                client.id,
                missing.join(", ")
            ),
        );
    }
}

/// `accounting`: every client exactly once, in rounds or in `unserved`
/// (known, listed once, with reasons that have a code and a message).
fn accounting(ctx: &Ctx, plan: &Plan, served: &HashSet<&str>, out: &mut Out) {
    let mut listed: HashSet<&str> = HashSet::new();
    for u in &plan.unserved {
        let c = u.client.as_str();
        if !ctx.clients.contains_key(c) {
            out.push(
                "accounting",
                format!("unserved lists client {c}, which is not in the request"),
            );
        }
        if !listed.insert(c) {
            out.push(
                "accounting",
                format!("client {c} is listed more than once in unserved"),
            );
        }
        if u.reasons.is_empty() {
            out.push(
                "accounting",
                format!("client {c} is unserved without a reason"),
            );
        }
        for (i, r) in u.reasons.iter().enumerate() {
            if r.code.trim().is_empty() || r.message.trim().is_empty() {
                out.push(
                    "accounting",
                    format!(
                        "client {c}: unserved reason #{} has an empty code or message",
                        i + 1
                    ),
                );
            }
        }
        if served.contains(c) {
            out.push(
                "accounting",
                format!("client {c} is both served in rounds and listed as unserved"),
            );
        }
    }
    for client in &ctx.req.clients {
        let c = client.id.as_str();
        if !served.contains(c) && !listed.contains(c) {
            out.push(
                "accounting",
                format!("client {c} appears neither in a round nor in unserved"),
            );
        }
    }
}

/// `summary`: the plan's figures recomputed (and the key figures).
fn summary(ctx: &Ctx, plan: &Plan, served: &HashSet<&str>, continuity: u64, out: &mut Out) {
    let s = &plan.summary;
    let mut figure = |name: &str, stated: u64, actual: u64| {
        if stated != actual {
            out.push(
                "summary",
                format!("summary {name} is {stated}, the plan gives {actual}"),
            );
        }
    };
    let clients_served = served.len() as u64;
    let priority_served: u64 = ctx
        .req
        .clients
        .iter()
        .filter(|c| served.contains(c.id.as_str()))
        .map(|c| u64::from(c.priority))
        .sum();
    let visits_total: u64 = ctx.req.clients.iter().map(|c| c.visits.len() as u64).sum();
    let visits_served: u64 = ctx
        .req
        .clients
        .iter()
        .filter(|c| served.contains(c.id.as_str()))
        .map(|c| c.visits.len() as u64)
        .sum();
    let care: u64 = plan.rounds.iter().map(|r| u64::from(r.care_minutes)).sum();
    let travel: u64 = plan
        .rounds
        .iter()
        .map(|r| u64::from(r.travel_minutes))
        .sum();
    figure(
        "clients_total",
        u64::from(s.clients_total),
        ctx.req.clients.len() as u64,
    );
    figure(
        "clients_served",
        u64::from(s.clients_served),
        clients_served,
    );
    figure("priority_served", s.priority_served, priority_served);
    figure("visits_total", u64::from(s.visits_total), visits_total);
    figure("visits_served", u64::from(s.visits_served), visits_served);
    figure("care_minutes", s.care_minutes, care);
    figure("travel_minutes", s.travel_minutes, travel);
    figure(
        "continuity_assignments",
        u64::from(s.continuity_assignments),
        continuity,
    );
    super::figures::check_key_figures(ctx, plan, continuity, out);
    if let Some(ub) = s.upper_bound_priority
        && ub < priority_served
    {
        out.push(
                "summary",
                format!(
                    "summary upper_bound_priority {ub} is below the priority this plan serves ({priority_served})"
                ),
            );
    }
    if !(s.solve_seconds.is_finite() && s.solve_seconds >= 0.0) {
        out.push(
            "summary",
            format!(
                "summary solve_seconds is {}, not a finite number >= 0",
                s.solve_seconds
            ),
        );
    }
}
