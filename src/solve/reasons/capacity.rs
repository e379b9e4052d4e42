//! `CAPACITY`: a client left out of the final plan although eligible carers
//! exist: the reason names their calls in the visit's window and, where one
//! exists, the smallest extra round (cloned from an eligible carer's) that
//! lets the client into this very plan.

use super::static_::alone_windows;
use super::*;
use crate::model::Reason;
use crate::problem::{Ineligible, ProblemBuilder, RoundSpec};
use crate::solve::Solution;
use crate::solve::construct::greedy::insert_client;
use crate::travel::TravelMode;

/// One more round that lets a client into a plan: a clone of `like`'s
/// carer (mode, start and end location, skills, gender) on shift
/// `start`-`end`, without a break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRound {
    pub like: usize,
    pub start: i32,
    pub end: i32,
}

impl ExtraRound {
    /// "one more driver like C05 on a late shift 19:00-21:00".
    pub fn describe(&self, p: &Problem) -> String {
        self.describe_n(p, 1)
    }

    /// [`Self::describe`] for `n` such rounds ("two more drivers like ...").
    pub fn describe_n(&self, p: &Problem, n: usize) -> String {
        let spec = &p.rounds[self.like];
        let who = match spec.mode {
            TravelMode::Drive => "driver",
            TravelMode::Bike => "cyclist",
            TravelMode::Walk => "walker",
        };
        let shift = if self.start < 12 * 60 {
            "an early shift"
        } else {
            "a late shift"
        };
        let (count, who, shift) = match n {
            1 => ("one".to_string(), who.to_string(), shift.to_string()),
            2 => (
                "two".to_string(),
                format!("{who}s"),
                shift.replace("an ", "").replace("a ", ""),
            ),
            n => (
                n.to_string(),
                format!("{who}s"),
                shift.replace("an ", "").replace("a ", ""),
            ),
        };
        let shift = if n > 1 { format!("{shift}s") } else { shift };
        format!(
            "{count} more {who} like {} on {shift} {}-{}",
            p.carers[spec.carer].id,
            hhmm(self.start),
            hhmm(self.end)
        )
    }
}

/// Shift lengths tried for an extra round, shortest first (minutes).
pub const EXTRA_LENGTHS: [i32; 7] = [60, 90, 120, 180, 240, 360, 480];

/// `p` with one more carer cloned from round `like`'s carer, on one round
/// without a break; the new round is the last one. Exclusions and absences
/// do not carry over (the clone is another person); skills and gender do.
pub fn with_extra_round(p: &Problem, like: usize, start: i32, end: i32) -> Problem {
    let spec = &p.rounds[like];
    let why = p
        .ineligible
        .iter()
        .map(|why| match &why[spec.carer] {
            Some(Ineligible::Excluded | Ineligible::Absent) => None,
            w => w.clone(),
        })
        .collect();
    let mut b = ProblemBuilder::from(p.clone());
    b.add_carer(
        format!("{}+", p.carers[spec.carer].id),
        RoundSpec {
            start,
            end,
            brk: None,
            ..spec.clone()
        },
        why,
    );
    b.build()
}

/// The smallest extra round (shortest shift, then earliest start; over the
/// rounds of the carers eligible for `v`, at most four templates, nearest
/// to the client first) for which `fits` holds on `p` with `clones` copies of
/// that round added (as the last rounds) and `sol` extended with them.
/// `None` if no shift of up to 8 hours does it.
fn smallest_extra(
    p: &Problem,
    sol: &Solution,
    k: usize,
    v: usize,
    clones: usize,
    fits: impl Fn(&Problem, &mut Solution) -> bool,
) -> Option<ExtraRound> {
    let vs = &p.visits[v];
    // Templates: one round per distinct (mode, start, end node, eligibility
    // for the client's visits) of eligible carers.
    let mut templates: Vec<(i32, usize)> = Vec::new();
    let mut seen = BTreeSet::new();
    for &r in &p.eligible[v] {
        let spec = &p.rounds[r];
        let eligible_for_all = p.clients[k]
            .visits
            .iter()
            .map(|&u| p.ineligible[u][spec.carer].is_none())
            .collect::<Vec<_>>();
        if seen.insert((spec.mode, spec.start_node, spec.end_node, eligible_for_all)) {
            templates.push((p.time(r, spec.start_node, vs.node), r));
        }
    }
    templates.sort();
    templates.truncate(4);
    let mut bases: Vec<(usize, Problem, Solution)> = templates
        .iter()
        .map(|&(_, r)| {
            let mut q = p.clone();
            let mut s = sol.clone();
            for _ in 0..clones {
                q = with_extra_round(&q, r, 0, 0);
                s.routes.push(Vec::new());
            }
            (r, q, s)
        })
        .collect();
    for len in EXTRA_LENGTHS {
        // Starts on the half hour from `len` before the window to its end.
        let mut start = ((vs.tw_start - len).max(0) / 30) * 30;
        while start <= vs.tw_end && start + len <= 24 * 60 {
            if start + len >= vs.tw_start + vs.duration {
                let mut retimed = Vec::with_capacity(bases.len());
                for (like, q, base) in bases {
                    let n = q.rounds.len();
                    let mut b = ProblemBuilder::from(q);
                    for extra in n - clones..n {
                        b.set_shift(extra, start, start + len);
                    }
                    let q = b.build();
                    let mut s = base.clone();
                    if fits(&q, &mut s) {
                        return Some(ExtraRound {
                            like,
                            start,
                            end: start + len,
                        });
                    }
                    retimed.push((like, q, base));
                }
                bases = retimed;
            }
            start += 30;
        }
    }
    None
}

/// The smallest extra round with which client `k` fits into `sol` by the
/// greedy's insertion, every other call keeping its carer (see
/// [`smallest_extra`]); `v` is the visit that does not fit without it.
pub fn smallest_extra_round(p: &Problem, sol: &Solution, k: usize, v: usize) -> Option<ExtraRound> {
    smallest_extra(p, sol, k, v, 1, |q, s| insert_client(q, s, k).is_ok())
}

/// Extra rounds that let client `k` into `sol`: one round if one does it;
/// else, for each visit of the client that does not fit into `sol` on its
/// own, the smallest extra round (two alike, for a double-up that one cannot
/// rescue) that takes that visit, all of them together verified by
/// inserting the whole client. `None` if that does not work either.
pub fn extra_rounds_for(
    p: &Problem,
    sol: &Solution,
    k: usize,
    v: usize,
) -> Option<Vec<ExtraRound>> {
    if let Some(x) = smallest_extra_round(p, sol, k, v) {
        return Some(vec![x]);
    }
    let mut extras: Vec<ExtraRound> = Vec::new();
    for &u in &p.clients[k].visits {
        let alone = |q: &Problem, s: &mut Solution| {
            let mut undo = crate::solve::construct::greedy::Undo::default();
            crate::solve::construct::greedy::insert_visit(q, s, u, &mut undo)
        };
        if alone(p, &mut sol.clone()) {
            continue;
        }
        let x = smallest_extra(p, sol, k, u, 1, alone);
        match x {
            Some(x) => extras.push(x),
            None if p.visits[u].required > 1 => {
                let x = smallest_extra(p, sol, k, u, 2, alone)?;
                extras.push(x.clone());
                extras.push(x);
            }
            None => return None,
        }
    }
    if extras.is_empty() {
        return None;
    }
    let mut q = p.clone();
    let mut s = sol.clone();
    for x in &extras {
        q = with_extra_round(&q, x.like, x.start, x.end);
        s.routes.push(Vec::new());
    }
    insert_client(&q, &mut s, k).ok().map(|_| extras)
}

/// Why client `k` is not in the final plan `sol`: its static reason, or
/// `CAPACITY` naming the visit that does not fit, the calls the eligible
/// carers have in its window, and the smallest extra round that would let
/// the client in (or that none of up to 8 hours does). `None` if the client
/// is served, or fits into `sol` as it stands (the caller should add it).
pub fn reasons_in_plan(p: &Problem, sol: &Solution, k: usize) -> Option<Vec<Reason>> {
    reasons_in_plan_until(p, sol, k, None)
}

/// [`reasons_in_plan`], trying extra rounds only until `deadline` (if
/// given): after it, a `CAPACITY` reason says that they were not tried.
/// On large days the extra-round search costs seconds per client, and the
/// plan must still come within its time limit.
pub fn reasons_in_plan_until(
    p: &Problem,
    sol: &Solution,
    k: usize,
    deadline: Option<std::time::Instant>,
) -> Option<Vec<Reason>> {
    if sol.is_served(p, k) {
        return None;
    }
    if let Some(r) = static_reason(p, k) {
        return Some(vec![r]);
    }
    let mut trial = sol.clone();
    let v = match insert_client(p, &mut trial, k) {
        Ok(()) => return None,
        Err(v) => v,
    };
    let in_time = deadline.is_none_or(|d| std::time::Instant::now() < d);
    let extra = if in_time {
        extra_rounds_for(p, sol, k, v)
    } else {
        None
    };
    let message = format!(
        "{}; {}",
        booked_in_window(p, sol, v),
        match extra.as_deref() {
            Some([x]) => format!("{} would let the client in", x.describe(p)),
            Some(xs) => {
                let mut groups: Vec<(&ExtraRound, usize)> = Vec::new();
                for x in xs {
                    match groups.iter_mut().find(|(g, _)| *g == x) {
                        Some((_, n)) => *n += 1,
                        None => groups.push((x, 1)),
                    }
                }
                format!(
                    "no single extra round does it, but {} would let the client in",
                    groups
                        .iter()
                        .map(|(x, n)| x.describe_n(p, *n))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            }
            None if !in_time => "extra rounds that would let the client in were not tried (the time limit was reached; `rota capacity` asks that question)".to_string(),
            None => "no single extra round of up to 8 h like an eligible carer's lets the client in beside this plan, nor one such round for each visit that does not fit".to_string(),
        }
    );
    Some(vec![Reason {
        code: CAPACITY.to_string(),
        message,
    }])
}

/// What the eligible carers who can reach visit `v` do in its span in
/// `sol`: "visit X (30 min, 2 carer(s), to start 12:00-13:30): 3 eligible
/// carer(s) could reach it, and in 12:00-14:00 they are at calls 26% of the
/// time (C01 with ...)". The first part of a `CAPACITY` reason; `rota fit`
/// gives one for every call of a new client that has no place on its own.
pub fn booked_in_window(p: &Problem, sol: &Solution, v: usize) -> String {
    let vs = &p.visits[v];
    let alone = alone_windows(p, v);
    let rounds: Vec<usize> = alone.iter().map(|(r, _)| *r).collect();
    let carers = carers_of(p, rounds.iter().copied());
    let (from, to) = (vs.tw_start, vs.tw_end + vs.duration);
    // What the eligible carers who can reach the visit do in its span.
    let mut busy_minutes = 0i32;
    let mut booked = Vec::new();
    for &r in &rounds {
        let calls: Vec<String> = sol.routes[r]
            .iter()
            .filter_map(|&u| {
                let s = sol.start[u]?;
                let e = s + p.visits[u].duration;
                (s < to && e > from).then(|| {
                    busy_minutes += e.min(to) - s.max(from);
                    format!("{} {}-{}", p.visits[u].id, hhmm(s), hhmm(e))
                })
            })
            .collect();
        if !calls.is_empty() {
            booked.push(format!(
                "{} with {}",
                p.carers[p.rounds[r].carer].id,
                calls.join(", ")
            ));
        }
    }
    let free = rounds.len() - booked.len();
    let span = ((to - from) * rounds.len() as i32).max(1);
    format!(
        "visit {} ({} min, {} carer(s), to start {}): {} eligible carer(s) could reach it, and in {}-{} they are at calls {}% of the time{}{}",
        vs.id,
        vs.duration,
        vs.required,
        window(p, v),
        carers.len(),
        hhmm(from),
        hhmm(to),
        (busy_minutes * 100 + span / 2) / span,
        if booked.is_empty() {
            String::new()
        } else {
            format!(" ({})", booked.join("; "))
        },
        if free > 0 {
            format!(
                "; {free} round(s) have no call then, but travel, the break or the calls around leave no room"
            )
        } else {
            String::new()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the deadline, a `CAPACITY` reason is still given, and says
    /// that extra rounds were not tried instead of claiming none works.
    #[test]
    fn capacity_after_the_deadline_says_extra_rounds_were_not_tried() {
        let p = Problem::from_json(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample-day.json"
        )));
        let mut sol = crate::solve::construct::greedy::construct(&p).solution;
        crate::solve::fill::fill_in(&p, &mut sol);
        let k = (0..p.clients.len())
            .find(|&k| reasons_in_plan(&p, &sol, k).is_some_and(|r| r[0].code == CAPACITY))
            .expect("the sample day's greedy plan leaves a client out for capacity");
        let late = reasons_in_plan_until(&p, &sol, k, Some(std::time::Instant::now())).unwrap();
        assert_eq!(late[0].code, CAPACITY);
        assert!(
            late[0].message.contains("were not tried"),
            "{}",
            late[0].message
        );
        let full = reasons_in_plan(&p, &sol, k).unwrap();
        assert!(!full[0].message.contains("were not tried"));
    }
}
