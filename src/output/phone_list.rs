//! Who to phone after a re-plan (docs/replan.md, "Who to phone"): the
//! changed calls of `summary.replan.changes` grouped by person. Each carer
//! whose round changed, with the calls to add, to drop and to move; each
//! client whose carer or time changed, with their phone when the request
//! has it. A call moved by fewer than [`DEFAULT_NOTIFY_MINUTES`] on the same
//! carer is left out: a carer and a client expect a few minutes either way.
//!
//! It reads the plan and the request only (names and phones are in the
//! request, never in the plan), and it is never logged: `rota replan`
//! prints it on stderr for the manager, `rota export --format phones`
//! writes it as JSON, and the HTML report shows it.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::model::{CallTimes, Carer, Plan, ReplanChange, Request, hhmm, minutes_of_day};

/// Changes of the start by fewer minutes than this, on the same carers, are
/// not worth a phone call.
pub const DEFAULT_NOTIFY_MINUTES: u32 = 10;

/// The phone list of a re-plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneList {
    /// Changes of the start smaller than this (same carers) are left out.
    pub threshold_minutes: u32,
    /// Carers whose round changed, in carer order.
    pub carers: Vec<CarerCalls>,
    /// Clients whose carer or time changed, in client order.
    pub clients: Vec<ClientCalls>,
}

/// One carer to phone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarerCalls {
    pub carer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// When the carer is absent (`summary.replan.absences`), from when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absent_from: Option<String>,
    /// Calls that are new on this carer's round.
    pub add: Vec<Call>,
    /// Calls that leave this carer's round.
    pub drop: Vec<Call>,
    /// Calls that stay on this round at another time.
    #[serde(rename = "move")]
    pub moved: Vec<Moved>,
}

/// A call as a carer is told it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    pub visit: String,
    pub client: String,
    #[serde(with = "hhmm")]
    pub start: chrono::NaiveTime,
    #[serde(with = "hhmm")]
    pub end: chrono::NaiveTime,
    /// The other carer of a double-up.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
}

/// A call that stays on the round at another start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub visit: String,
    pub client: String,
    #[serde(with = "hhmm")]
    pub from: chrono::NaiveTime,
    #[serde(with = "hhmm")]
    pub to: chrono::NaiveTime,
}

/// One client to phone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientCalls {
    pub client: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their visits that changed: who and when, before and after (`null`:
    /// not planned before / no longer planned).
    pub visits: Vec<ReplanChange>,
}

impl PhoneList {
    /// Whether nobody needs a call.
    pub fn is_empty(&self) -> bool {
        self.carers.is_empty() && self.clients.is_empty()
    }
}

/// Minutes between the old and the new start of a change on both sides.
fn shift_minutes(b: &CallTimes, a: &CallTimes) -> u32 {
    (minutes_of_day(a.start) - minutes_of_day(b.start)).unsigned_abs()
}

/// The phone list of `plan`'s re-plan (empty for a plan that is not one),
/// names and phones from `req` when given.
pub fn phone_list(req: Option<&Request>, plan: &Plan, threshold_minutes: u32) -> PhoneList {
    let carers_of: BTreeMap<&str, &Carer> = req
        .iter()
        .flat_map(|r| r.carers.iter())
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut carers: BTreeMap<String, CarerCalls> = BTreeMap::new();
    let mut clients: BTreeMap<String, ClientCalls> = BTreeMap::new();
    let Some(r) = &plan.summary.replan else {
        return PhoneList {
            threshold_minutes,
            carers: Vec::new(),
            clients: Vec::new(),
        };
    };
    let absent: BTreeMap<&str, String> = r
        .absences
        .iter()
        .map(|a| (a.carer.as_str(), a.from.format(hhmm::FORMAT).to_string()))
        .collect();
    let new_carer = |id: &str| {
        let c = carers_of.get(id);
        CarerCalls {
            carer: id.to_string(),
            name: c.and_then(|c| c.name()).map(str::to_string),
            phone: c
                .and_then(|c| c.contact.as_ref())
                .and_then(|k| k.phone.clone()),
            absent_from: absent.get(id).cloned(),
            add: Vec::new(),
            drop: Vec::new(),
            moved: Vec::new(),
        }
    };
    fn entry<'m>(
        carers: &'m mut BTreeMap<String, CarerCalls>,
        id: &str,
        new: impl Fn(&str) -> CarerCalls,
    ) -> &'m mut CarerCalls {
        carers.entry(id.to_string()).or_insert_with(|| new(id))
    }
    let call = |c: &ReplanChange, t: &CallTimes, me: &str| Call {
        visit: c.visit.clone(),
        client: c.client.clone(),
        start: t.start,
        end: t.end,
        with: t.carers.iter().filter(|x| *x != me).cloned().collect(),
    };
    for c in &r.changes {
        let empty = Vec::new();
        let before = c.before.as_ref().map_or(&empty, |t| &t.carers);
        let after = c.after.as_ref().map_or(&empty, |t| &t.carers);
        let moved_by = match (&c.before, &c.after) {
            (Some(b), Some(a)) => shift_minutes(b, a),
            _ => u32::MAX,
        };
        let worth = moved_by >= threshold_minutes;
        for id in before.iter().filter(|id| !after.contains(id)) {
            let b = c.before.as_ref().expect("a carer before");
            let x = call(c, b, id);
            entry(&mut carers, id, new_carer).drop.push(x);
        }
        for id in after.iter().filter(|id| !before.contains(id)) {
            let a = c.after.as_ref().expect("a carer after");
            let x = call(c, a, id);
            entry(&mut carers, id, new_carer).add.push(x);
        }
        if let (Some(b), Some(a)) = (&c.before, &c.after)
            && worth
        {
            for id in after.iter().filter(|id| before.contains(id)) {
                entry(&mut carers, id, new_carer).moved.push(Moved {
                    visit: c.visit.clone(),
                    client: c.client.clone(),
                    from: b.start,
                    to: a.start,
                });
            }
        }
        if before != after || worth {
            let k = req.and_then(|r| r.clients.iter().find(|k| k.id == c.client));
            let contact = k.and_then(|k| k.contact.as_ref());
            clients
                .entry(c.client.clone())
                .or_insert_with(|| ClientCalls {
                    client: c.client.clone(),
                    name: contact.and_then(|k| k.name.clone()),
                    phone: contact.and_then(|k| k.phone.clone()),
                    visits: Vec::new(),
                })
                .visits
                .push(c.clone());
        }
    }
    // Each carer's calls in the order of their day.
    for c in carers.values_mut() {
        c.add.sort_by_key(|x| x.start);
        c.drop.sort_by_key(|x| x.start);
        c.moved.sort_by_key(|x| x.to);
    }
    PhoneList {
        threshold_minutes,
        carers: carers.into_values().collect(),
        clients: clients.into_values().collect(),
    }
}

fn times(t: &CallTimes) -> String {
    format!("{} {}", t.carers.join("+"), t.start.format(hhmm::FORMAT))
}

/// Who and how to reach them: "C05 Ann Smith, 01432 000005".
fn person(id: &str, name: Option<&str>, phone: Option<&str>) -> String {
    let mut out = id.to_string();
    if let Some(n) = name {
        let _ = write!(out, " {n}");
    }
    match phone {
        Some(p) => {
            let _ = write!(out, ", {p}");
        }
        None => out.push_str(", no phone in the request"),
    }
    out
}

/// The list as text for the manager (`rota replan` prints it on stderr).
pub fn text(list: &PhoneList) -> String {
    let mut out = String::new();
    if list.is_empty() {
        let _ = writeln!(
            out,
            "nobody to phone (no change of carer, and no time moved by {} min or more)",
            list.threshold_minutes
        );
        return out;
    }
    let _ = writeln!(
        out,
        "who to phone ({} carer(s), {} client(s); times moved by less than {} min left out):",
        list.carers.len(),
        list.clients.len(),
        list.threshold_minutes
    );
    for c in &list.carers {
        let mut what: Vec<String> = Vec::new();
        for x in &c.add {
            let with = if x.with.is_empty() {
                String::new()
            } else {
                format!(" with {}", x.with.join("+"))
            };
            what.push(format!(
                "add {} {}-{}{with}",
                x.visit,
                x.start.format(hhmm::FORMAT),
                x.end.format(hhmm::FORMAT)
            ));
        }
        for x in &c.drop {
            what.push(format!("drop {} {}", x.visit, x.start.format(hhmm::FORMAT)));
        }
        for x in &c.moved {
            what.push(format!(
                "move {} {} -> {}",
                x.visit,
                x.from.format(hhmm::FORMAT),
                x.to.format(hhmm::FORMAT)
            ));
        }
        let absent = c
            .absent_from
            .as_ref()
            .map_or(String::new(), |f| format!(" (absent from {f})"));
        let _ = writeln!(
            out,
            "  carer {}{absent}: {}",
            person(&c.carer, c.name.as_deref(), c.phone.as_deref()),
            what.join("; ")
        );
    }
    for k in &list.clients {
        let what: Vec<String> = k
            .visits
            .iter()
            .map(|v| {
                let b = v.before.as_ref().map_or("new".to_string(), times);
                let a = v.after.as_ref().map_or("dropped".to_string(), times);
                format!("{} {b} -> {a}", v.visit)
            })
            .collect();
        let _ = writeln!(
            out,
            "  client {}: {}",
            person(&k.client, k.name.as_deref(), k.phone.as_deref()),
            what.join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Absence, ReplanSummary};
    use chrono::NaiveTime;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn at(carers: &[&str], h: u32, m: u32) -> Option<CallTimes> {
        Some(CallTimes {
            carers: carers.iter().map(|c| c.to_string()).collect(),
            start: t(h, m),
            end: t(h, m + 20),
        })
    }

    fn change(visit: &str, before: Option<CallTimes>, after: Option<CallTimes>) -> ReplanChange {
        ReplanChange {
            visit: visit.into(),
            client: visit.split('-').next().unwrap().into(),
            before,
            after,
        }
    }

    #[test]
    fn groups_changes_by_person_and_leaves_out_small_moves() {
        let req = crate::load_request(
            r#"{"date":"2026-11-23",
              "carers":[{"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
                "start_location":{"lat":52.05,"lon":-2.72},
                "contact":{"name":"Ann Carer","phone":"01432 000001"}},
               {"id":"C2","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
                "start_location":{"lat":52.05,"lon":-2.72}}],
              "clients":[{"id":"P1","location":{"lat":52.06,"lon":-2.73},
                "contact":{"name":"Mrs One","phone":"01432 111111"},
                "visits":[{"id":"P1-am","window":{"start":"09:00","end":"12:00"},"duration":20}]},
               {"id":"P2","location":{"lat":52.06,"lon":-2.73},
                "visits":[{"id":"P2-am","window":{"start":"09:00","end":"12:00"},"duration":20}]},
               {"id":"P3","location":{"lat":52.06,"lon":-2.73},
                "visits":[{"id":"P3-am","window":{"start":"09:00","end":"12:00"},"duration":20}]}]}"#,
        )
        .unwrap();
        let mut plan = crate::plan_request(&req).unwrap();
        let mut s = ReplanSummary::new(t(10, 0), vec!["C2".into()]);
        s.absences = vec![Absence {
            carer: "C2".into(),
            from: t(10, 0),
        }];
        s.changes = vec![
            // Moved from C2 to C1: both carers and the client.
            change("P1-am", at(&["C2"], 10, 30), at(&["C1"], 10, 35)),
            // Same carer, 5 minutes later: nobody.
            change("P2-am", at(&["C1"], 11, 0), at(&["C1"], 11, 5)),
            // Same carer, 25 minutes later: the carer and the client.
            change("P3-am", at(&["C1"], 11, 10), at(&["C1"], 11, 35)),
        ];
        plan.summary.replan = Some(s);
        let list = phone_list(Some(&req), &plan, DEFAULT_NOTIFY_MINUTES);
        let ids: Vec<&str> = list.carers.iter().map(|c| c.carer.as_str()).collect();
        assert_eq!(ids, vec!["C1", "C2"]);
        let c1 = &list.carers[0];
        assert_eq!(c1.name.as_deref(), Some("Ann Carer"));
        assert_eq!(c1.phone.as_deref(), Some("01432 000001"));
        assert_eq!(c1.add.len(), 1);
        assert_eq!(c1.add[0].visit, "P1-am");
        assert_eq!(c1.moved.len(), 1);
        assert_eq!(c1.moved[0].visit, "P3-am");
        let c2 = &list.carers[1];
        assert_eq!(c2.drop[0].visit, "P1-am");
        assert_eq!(c2.absent_from.as_deref(), Some("10:00"));
        let clients: Vec<&str> = list.clients.iter().map(|c| c.client.as_str()).collect();
        assert_eq!(clients, vec!["P1", "P3"]);
        assert_eq!(list.clients[0].phone.as_deref(), Some("01432 111111"));
        let text = text(&list);
        assert!(
            text.contains(
                "carer C1 Ann Carer, 01432 000001: add P1-am 10:35-10:55; move P3-am 11:10 -> 11:35"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "carer C2, no phone in the request (absent from 10:00): drop P1-am 10:30"
            ),
            "{text}"
        );
        assert!(
            text.contains("client P1 Mrs One, 01432 111111: P1-am C2 10:30 -> C1 10:35"),
            "{text}"
        );
        assert!(!text.contains("P2-am"), "{text}");
        // A lower threshold lists the 5-minute move too.
        let all = phone_list(Some(&req), &plan, 5);
        assert!(all.clients.iter().any(|c| c.client == "P2"));
    }
}
