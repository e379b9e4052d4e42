//! Locked assignments (extension, `docs/locks.md`): the request's `locks`
//! fix visit-to-carer assignments, and optionally the start, that every plan
//! must keep. This validates them (codes E18xx, each naming its lock by JSON
//! path) before any solving; [`crate::problem::Problem`] then restricts the
//! locked visits, [`crate::plan::locks::unplaced`] names the locks a solver
//! could not keep together (E1812), and the checker's rule `lock`
//! (`check/locks.rs`) re-checks every plan.

use std::collections::{BTreeMap, HashMap};

use crate::clock::{self, hhmm};
use crate::error::Issue;
use crate::model::{Carer, Client, Lock, Request, Visit, minutes_of_day};

/// Every problem with `req.locks`, in lock order. Assumes nothing about the
/// rest of the request beyond that it parsed (ids may be duplicated: the
/// first carer, client or visit of an id is used). One function per code
/// family below.
pub fn validate(req: &Request) -> Vec<Issue> {
    let mut out = Vec::new();
    if req.locks.is_empty() {
        return out;
    }
    let ids = Ids::of(req);
    // Locks of each visit, in order, for the cross-lock checks.
    let mut by_visit: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in req.locks.iter().enumerate() {
        let Some((client, visit, carer)) = check_e1801_e1802_known_ids(&ids, i, l, &mut out) else {
            continue;
        };
        by_visit.entry(visit.id.as_str()).or_default().push(i);
        check_e1803_eligible(i, client, visit, carer, &mut out);
        if let Some(t) = l.start {
            check_e1804_e1805_start(i, visit, carer, i64::from(minutes_of_day(t)), &mut out);
        }
    }
    let mut fixed = Vec::new();
    for (vid, ls) in &by_visit {
        let (client, visit) = ids.visits[vid];
        fixed.extend(check_e1806_to_e1809_per_visit(
            req, client, visit, ls, &mut out,
        ));
    }
    check_e1810_overlaps(&mut fixed, &mut out);
    check_e1811_after_gaps(&ids, &fixed, &mut out);
    check_e1813_starts_with(req, &ids, &by_visit, &fixed, &mut out);
    out.sort_by_key(|i| lock_index(&i.path));
    out
}

/// The first carer and the first visit (with its client) of each id.
struct Ids<'a> {
    carers: HashMap<&'a str, &'a Carer>,
    visits: HashMap<&'a str, (&'a Client, &'a Visit)>,
}

impl<'a> Ids<'a> {
    fn of(req: &'a Request) -> Ids<'a> {
        let mut carers = HashMap::new();
        for c in &req.carers {
            carers.entry(c.id.as_str()).or_insert(c);
        }
        let mut visits = HashMap::new();
        for k in &req.clients {
            for v in &k.visits {
                visits.entry(v.id.as_str()).or_insert((k, v));
            }
        }
        Ids { carers, visits }
    }
}

/// A locked visit with a fixed start: (lock, carer, visit, start, end).
type Fixed<'a> = (usize, &'a str, &'a str, i64, i64);

/// E1801 unknown visit, E1802 unknown carer; the lock's client, visit and
/// carer when both are known.
fn check_e1801_e1802_known_ids<'a>(
    ids: &Ids<'a>,
    i: usize,
    l: &Lock,
    out: &mut Vec<Issue>,
) -> Option<(&'a Client, &'a Visit, &'a Carer)> {
    let p = format!("locks[{i}]");
    let visit = ids.visits.get(l.visit.as_str());
    let carer = ids.carers.get(l.carer.as_str());
    if visit.is_none() {
        out.push(Issue::new(
            "E1801",
            format!("{p}.visit"),
            format!(
                "lock {i} names visit '{}', which is not in the request",
                l.visit
            ),
            "name a visit id of one of the clients (or remove the lock)",
        ));
    }
    if carer.is_none() {
        out.push(Issue::new(
            "E1802",
            format!("{p}.carer"),
            format!(
                "lock {i} names carer '{}', which is not in 'carers'",
                l.carer
            ),
            "name a carer of this request (or remove the lock)",
        ));
    }
    let (&(client, visit), &carer) = (visit?, carer?);
    Some((client, visit, carer))
}

/// E1803: the locked carer may not do the visit (skill, gender, exclusion).
fn check_e1803_eligible(
    i: usize,
    client: &Client,
    visit: &Visit,
    carer: &Carer,
    out: &mut Vec<Issue>,
) {
    let why = if let Some(s) = visit.skills.iter().find(|s| !carer.skills.contains(s)) {
        Some(format!("lacks skill '{s}'"))
    } else if client.carer_gender.is_some() && carer.gender != client.carer_gender {
        Some(format!(
            "is of gender {} and client '{}' asks for \"{}\" (the comparison is exact: case and spaces count)",
            carer
                .gender
                .as_deref()
                .map_or("(not given)".to_string(), |g| format!("\"{g}\"")),
            client.id,
            client.carer_gender.as_deref().unwrap_or(""),
        ))
    } else if client.excluded_carers.contains(&carer.id) {
        Some(format!("is excluded by client '{}'", client.id))
    } else {
        None
    };
    if let Some(why) = why {
        out.push(Issue::new(
            "E1803",
            format!("locks[{i}].carer"),
            format!(
                "lock {i}: carer '{}' may not do visit '{}': the carer {why}",
                carer.id, visit.id
            ),
            "lock an eligible carer (skills, gender, not excluded), or remove the lock",
        ));
    }
}

/// E1804 locked start `s` outside the visit's window, E1805 the visit at
/// `s` outside every shift of the carer.
fn check_e1804_e1805_start(i: usize, visit: &Visit, carer: &Carer, s: i64, out: &mut Vec<Issue>) {
    let p = format!("locks[{i}]");
    let (ws, we) = (
        i64::from(minutes_of_day(visit.window.start)),
        i64::from(minutes_of_day(visit.window.end)),
    );
    if !(ws..=we).contains(&s) {
        out.push(Issue::new(
            "E1804",
            format!("{p}.start"),
            format!(
                "lock {i}: start {} of visit '{}' is outside its window {}-{}",
                hhmm(s),
                visit.id,
                hhmm(ws),
                hhmm(we)
            ),
            "give a start inside the visit's window, or leave 'start' out",
        ));
    }
    let end = s + i64::from(visit.duration);
    let fits = carer.all_shifts().iter().any(|sh| {
        i64::from(minutes_of_day(sh.start)) <= s && end <= i64::from(minutes_of_day(sh.end))
    });
    if !fits {
        let list: Vec<String> = carer
            .all_shifts()
            .iter()
            .map(|sh| format!("{}-{}", clock::time(sh.start), clock::time(sh.end)))
            .collect();
        out.push(Issue::new(
            "E1805",
            format!("{p}.start"),
            format!(
                "lock {i}: visit '{}' at {}-{} is outside every shift of carer '{}' ({})",
                visit.id,
                hhmm(s),
                hhmm(end),
                carer.id,
                list.join(", ")
            ),
            "give a start at which the whole visit lies inside one of the carer's shifts",
        ));
    }
}

/// Per visit, over its locks `ls`: E1806 a carer locked twice, E1807 more
/// carers than it needs, E1808 a partly locked double-up, E1809 different
/// starts. Returns the visit's locks with the fixed start, if one is given.
fn check_e1806_to_e1809_per_visit<'a>(
    req: &'a Request,
    client: &Client,
    visit: &'a Visit,
    ls: &[usize],
    out: &mut Vec<Issue>,
) -> Vec<Fixed<'a>> {
    let vid = visit.id.as_str();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut distinct = 0usize;
    for &i in ls {
        let l = &req.locks[i];
        if let Some(&j) = seen.get(l.carer.as_str()) {
            out.push(Issue::new(
                "E1806",
                format!("locks[{i}]"),
                format!(
                    "lock {i} repeats lock {j}: carer '{}' on visit '{vid}'",
                    l.carer
                ),
                "lock each carer to a visit once (remove the repeat)",
            ));
        } else {
            seen.insert(l.carer.as_str(), i);
            distinct += 1;
            if distinct > visit.carers_required as usize {
                out.push(Issue::new(
                    "E1807",
                    format!("locks[{i}]"),
                    format!(
                        "lock {i}: visit '{vid}' needs {} carer(s) but has {distinct} or more locked carers",
                        visit.carers_required
                    ),
                    "lock at most carers_required carers to a visit",
                ));
            }
        }
    }
    if distinct < visit.carers_required as usize {
        out.push(Issue::new(
            "E1808",
            format!("locks[{}]", ls[0]),
            format!(
                "visit '{vid}' of client '{}' is a double-up but only carer '{}' is locked to it",
                client.id, req.locks[ls[0]].carer
            ),
            "lock both carers of a double-up (rota cannot yet keep one carer and choose the other)",
        ));
    }
    let starts: Vec<(usize, i64)> = ls
        .iter()
        .filter_map(|&i| {
            req.locks[i]
                .start
                .map(|t| (i, i64::from(minutes_of_day(t))))
        })
        .collect();
    let Some(&(i0, s0)) = starts.first() else {
        return Vec::new();
    };
    for &(i, s) in &starts[1..] {
        if s != s0 {
            out.push(Issue::new(
                "E1809",
                format!("locks[{i}].start"),
                format!(
                    "lock {i} starts visit '{vid}' at {} but lock {i0} at {}: both carers of a double-up start together",
                    hhmm(s),
                    hhmm(s0)
                ),
                "give the same start on every lock of the visit, or on one of them only",
            ));
        }
    }
    ls.iter()
        .map(|&i| {
            (
                i,
                req.locks[i].carer.as_str(),
                vid,
                s0,
                s0 + i64::from(visit.duration),
            )
        })
        .collect()
}

/// E1810: fixed times that overlap on one carer.
fn check_e1810_overlaps(fixed: &mut [Fixed], out: &mut Vec<Issue>) {
    fixed.sort_by_key(|&(i, ..)| i);
    for (a, &(i, ci, vi, si, ei)) in fixed.iter().enumerate() {
        for &(j, cj, vj, sj, ej) in &fixed[..a] {
            if ci == cj && vi != vj && si < ej && sj < ei {
                out.push(Issue::new(
                    "E1810",
                    format!("locks[{i}]"),
                    format!(
                        "lock {i} (visit '{vi}' {}-{}) and lock {j} (visit '{vj}' {}-{}) overlap on carer '{ci}'",
                        hhmm(si),
                        hhmm(ei),
                        hhmm(sj),
                        hhmm(ej)
                    ),
                    "move one of the starts, or lock one of the visits to another carer",
                ));
            }
        }
    }
}

/// E1811: an `after` gap broken between two visits with fixed starts: the
/// later starts less than `min_gap`, or more than `max_gap` (extension,
/// docs/format.md "Largest gaps"), after the earlier.
fn check_e1811_after_gaps(ids: &Ids, fixed: &[Fixed], out: &mut Vec<Issue>) {
    let start_of: HashMap<&str, (usize, i64)> =
        fixed.iter().map(|&(i, _, v, s, _)| (v, (i, s))).collect();
    for (&v, &(i, s)) in &start_of {
        let (_, visit) = ids.visits[v];
        let Some(a) = &visit.after else { continue };
        let Some(&(j, sa)) = start_of.get(a.visit.as_str()) else {
            continue;
        };
        let broken = if s < sa + i64::from(a.min_gap) {
            Some(format!("at least {}", a.min_gap))
        } else {
            a.max_gap
                .filter(|&m| s > sa + i64::from(m))
                .map(|m| format!("at most {m}"))
        };
        if let Some(bound) = broken {
            out.push(Issue::new(
                "E1811",
                format!("locks[{i}].start"),
                format!(
                    "lock {i} starts visit '{v}' at {}, but it must start {bound} min after visit '{}', which lock {j} fixes at {}",
                    hhmm(s),
                    a.visit,
                    hhmm(sa)
                ),
                "move one of the two starts so that the 'after' gap holds",
            ));
        }
    }
}

/// E1813: two visits that start together (extension, docs/format.md
/// "Visits that start together") both locked, to one carer or at two
/// different starts; reported at the later of the two locks.
fn check_e1813_starts_with(
    req: &Request,
    ids: &Ids,
    by_visit: &BTreeMap<&str, Vec<usize>>,
    fixed: &[Fixed],
    out: &mut Vec<Issue>,
) {
    let start_of: HashMap<&str, i64> = fixed.iter().map(|&(_, _, v, s, _)| (v, s)).collect();
    for (&v, ls) in by_visit {
        let (_, visit) = ids.visits[v];
        let Some(w) = &visit.starts_with else {
            continue;
        };
        let (Some(&i), Some(&j)) = (
            ls.first(),
            by_visit.get(w.visit.as_str()).and_then(|l| l.first()),
        ) else {
            continue;
        };
        let later = i.max(j);
        let (ci, cj) = (&req.locks[i].carer, &req.locks[j].carer);
        if ci == cj {
            out.push(Issue::new(
                "E1813",
                format!("locks[{later}]"),
                format!(
                    "locks {} and {} put carer '{ci}' on both visit '{v}' and visit '{}', which start together and so need two different carers",
                    i.min(j),
                    later,
                    w.visit
                ),
                "lock one of the two visits to another carer, or remove one of the locks",
            ));
        } else if let (Some(&si), Some(&sj)) = (start_of.get(v), start_of.get(w.visit.as_str()))
            && si != sj
        {
            out.push(Issue::new(
                "E1813",
                format!("locks[{later}].start"),
                format!(
                    "lock {i} starts visit '{v}' at {} but lock {j} starts visit '{}' at {}: the two start together",
                    hhmm(si),
                    w.visit,
                    hhmm(sj)
                ),
                "give both locks the same start, or a start on one of them only",
            ));
        }
    }
}

/// `locks[7].carer` -> 7 (for ordering issues by lock).
fn lock_index(path: &str) -> usize {
    path.strip_prefix("locks[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use crate::model::{Lock, Request, hhmm};
    use crate::parse::request_from_str;

    /// C1 (hoist, f) and C2 (m) drive 07:00-15:00; C3 walks 07:00-10:00 and
    /// 17:00-20:00. P1: a double-up at 08:00-09:00 with hoist, then lunch
    /// 3 h later; P2 excludes C2; P3 at 10:00-11:00.
    pub(crate) const DAY: &str = r#"{
      "date": "2026-11-23",
      "settings": {"time_limit_seconds": 1},
      "carers": [
        {"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.0565,"lon":-2.7160},"skills":["hoist"],"gender":"f"},
        {"id":"C2","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.0565,"lon":-2.7160},"skills":["hoist"],"gender":"m"},
        {"id":"C3","travel_mode":"walk","shifts":[{"start":"07:00","end":"10:00"},
          {"start":"17:00","end":"20:00"}],
         "start_location":{"lat":52.0565,"lon":-2.7160}}
      ],
      "clients": [
        {"id":"P1","location":{"lat":52.0612,"lon":-2.7321},"priority":2,
         "visits":[
           {"id":"P1-am","window":{"start":"08:00","end":"09:00"},"duration":30,
            "carers_required":2,"skills":["hoist"]},
           {"id":"P1-lunch","window":{"start":"12:00","end":"13:00"},"duration":20,
            "after":{"visit":"P1-am","min_gap":180}}]},
        {"id":"P2","location":{"lat":52.0600,"lon":-2.7200},"excluded_carers":["C2"],
         "visits":[{"id":"P2-am","window":{"start":"08:00","end":"10:00"},"duration":30}]},
        {"id":"P3","location":{"lat":52.0500,"lon":-2.7100},
         "visits":[{"id":"P3-am","window":{"start":"10:00","end":"11:00"},"duration":30}]}
      ]
    }"#;

    fn day() -> Request {
        request_from_str(DAY).unwrap()
    }

    fn lock(visit: &str, carer: &str, start: Option<&str>) -> Lock {
        Lock {
            visit: visit.into(),
            carer: carer.into(),
            start: start.map(|s| hhmm::parse(s).unwrap()),
        }
    }

    fn codes(r: &Request) -> Vec<(&'static str, String)> {
        super::validate(r)
            .into_iter()
            .map(|i| {
                assert!(!i.message.is_empty() && !i.hint.is_empty(), "{i:?}");
                (i.code, i.path)
            })
            .collect()
    }

    fn only(r: &Request, code: &'static str, path: &str) {
        assert_eq!(codes(r), vec![(code, path.to_string())]);
    }

    #[test]
    fn good_locks_pass() {
        let mut r = day();
        r.locks = vec![
            lock("P1-am", "C1", Some("08:30")),
            lock("P1-am", "C2", None),
            lock("P2-am", "C3", Some("09:00")),
            lock("P3-am", "C1", None),
        ];
        assert_eq!(codes(&r), vec![]);
        assert!(crate::validate::validate(&r).is_ok());
    }

    #[test]
    fn e1801_e1802_unknown_ids() {
        let mut r = day();
        r.locks = vec![lock("P9-am", "C1", None), lock("P2-am", "C9", None)];
        assert_eq!(
            codes(&r),
            vec![
                ("E1801", "locks[0].visit".to_string()),
                ("E1802", "locks[1].carer".to_string())
            ]
        );
    }

    #[test]
    fn e1803_gender_quotes_both_values_and_says_the_comparison_is_exact() {
        let mut r = day();
        r.clients[2].carer_gender = Some("F".into());
        r.locks = vec![lock("P3-am", "C1", None)];
        let issues = super::validate(&r);
        assert_eq!(issues.len(), 1, "{issues:?}");
        let m = &issues[0].message;
        assert!(
            m.contains("\"f\"") && m.contains("\"F\"") && m.contains("exact"),
            "{m}"
        );
    }

    #[test]
    fn e1803_ineligible_carer() {
        let mut r = day();
        r.locks = vec![lock("P2-am", "C2", None)];
        only(&r, "E1803", "locks[0].carer");
        r.locks = vec![lock("P1-am", "C3", None), lock("P1-am", "C1", None)];
        only(&r, "E1803", "locks[0].carer");
    }

    #[test]
    fn e1804_start_outside_window_e1805_outside_shift() {
        let mut r = day();
        r.locks = vec![lock("P3-am", "C1", Some("11:30"))];
        only(&r, "E1804", "locks[0].start");
        // C3 is off between 10:00 and 17:00: a 30-minute call at 09:45 ends after its shift.
        r.locks = vec![lock("P2-am", "C3", Some("09:45"))];
        only(&r, "E1805", "locks[0].start");
    }

    #[test]
    fn e1806_duplicate_e1807_too_many_e1808_half_a_double_up() {
        let mut r = day();
        r.locks = vec![lock("P3-am", "C1", None), lock("P3-am", "C1", None)];
        only(&r, "E1806", "locks[1]");
        r.locks = vec![lock("P3-am", "C1", None), lock("P3-am", "C3", None)];
        only(&r, "E1807", "locks[1]");
        r.locks = vec![lock("P1-am", "C1", None)];
        only(&r, "E1808", "locks[0]");
    }

    #[test]
    fn e1809_double_up_starts_differ() {
        let mut r = day();
        r.locks = vec![
            lock("P1-am", "C1", Some("08:00")),
            lock("P1-am", "C2", Some("08:10")),
        ];
        only(&r, "E1809", "locks[1].start");
    }

    #[test]
    fn e1810_fixed_times_overlap_on_one_carer() {
        let mut r = day();
        r.locks = vec![
            lock("P2-am", "C1", Some("09:00")),
            lock("P1-am", "C1", Some("08:45")),
            lock("P1-am", "C2", None),
        ];
        only(&r, "E1810", "locks[1]");
    }

    #[test]
    fn e1811_after_gap_between_fixed_starts() {
        let mut r = day();
        // Lunch at least 200 min after the morning call: 09:00 + 200 = 12:20.
        r.clients[0].visits[1].after.as_mut().unwrap().min_gap = 200;
        r.locks = vec![
            lock("P1-am", "C1", Some("09:00")),
            lock("P1-am", "C2", None),
            lock("P1-lunch", "C2", Some("12:00")),
        ];
        only(&r, "E1811", "locks[2].start");
    }

    #[test]
    fn e1811_after_gap_longer_than_max_gap() {
        let mut r = day();
        // Lunch at most 200 min after the morning call at 08:00: by 11:20,
        // but its window starts at 12:00 and the lock says 12:30.
        r.clients[0].visits[1].after.as_mut().unwrap().max_gap = Some(200);
        r.clients[0].visits[1].window.start = hhmm::parse("11:00").unwrap();
        r.locks = vec![
            lock("P1-am", "C1", Some("08:00")),
            lock("P1-am", "C2", None),
            lock("P1-lunch", "C2", Some("11:21")),
        ];
        only(&r, "E1811", "locks[2].start");
        // 11:20 keeps both gaps (200 >= 180).
        r.locks[2] = lock("P1-lunch", "C2", Some("11:20"));
        assert_eq!(codes(&r), vec![]);
    }

    #[test]
    fn e1813_starts_with_locked_to_one_carer_or_two_starts() {
        let mut r = day();
        // P2-pt starts together with P2-am (P2 excludes C2).
        let mut pt = r.clients[1].visits[0].clone();
        pt.id = "P2-pt".into();
        pt.starts_with = Some(crate::model::StartsWith {
            visit: "P2-am".into(),
        });
        r.clients[1].visits.push(pt);
        r.locks = vec![lock("P2-am", "C1", None), lock("P2-pt", "C1", None)];
        only(&r, "E1813", "locks[1]");
        r.locks = vec![
            lock("P2-pt", "C3", Some("08:30")),
            lock("P2-am", "C1", Some("08:45")),
        ];
        only(&r, "E1813", "locks[1].start");
        // One start, or the same start twice, is kept by two carers.
        r.locks[1] = lock("P2-am", "C1", None);
        assert_eq!(codes(&r), vec![]);
        r.locks[1] = lock("P2-am", "C1", Some("08:30"));
        assert_eq!(codes(&r), vec![]);
    }
}
