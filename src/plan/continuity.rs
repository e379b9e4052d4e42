//! Continuity across days (extension, `docs/continuity.md`): the request may
//! carry yesterday's plan as `previous_plan`. A carer who visited a client in
//! it counts as preferred for that client (the solver's
//! [`crate::problem::Problem`] adds them); the plan's summary reports
//! `continuity_kept`, the served visit-carer assignments whose carer visited
//! the same client in the previous plan.
//!
//! Clients, visits and carers of the previous plan that are not in today's
//! request are ignored (see `validate/continuity.rs`, E1901). The checker's
//! rule `continuity-kept` (`check/continuity.rs`) re-derives the count.

use std::collections::HashSet;

use crate::model::{Plan, Request, Stop};

/// (client id, carer id) pairs of the visits in `prev`.
pub fn previous_pairs(prev: &Plan) -> HashSet<(&str, &str)> {
    let mut out = HashSet::new();
    for r in &prev.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s {
                out.insert((v.client.as_str(), r.carer.as_str()));
            }
        }
    }
    out
}

/// `continuity_kept` of `plan`: its visit-carer assignments whose carer
/// visited the same client in the request's previous plan (`None` without
/// one).
pub fn kept(req: &Request, plan: &Plan) -> Option<u32> {
    let prev = req.previous_plan.as_ref()?;
    let pairs = previous_pairs(prev);
    let mut n = 0u32;
    for r in &plan.rounds {
        for s in &r.stops {
            if let Stop::Visit(v) = s
                && pairs.contains(&(v.client.as_str(), r.carer.as_str()))
            {
                n += 1;
            }
        }
    }
    Some(n)
}

/// How many clients and carers of the previous plan today's request does
/// not know (they are ignored): a note for the CLI's stderr.
pub fn ignored(req: &Request) -> Option<(usize, usize)> {
    let prev = req.previous_plan.as_ref()?;
    let clients: HashSet<&str> = req.clients.iter().map(|c| c.id.as_str()).collect();
    let carers: HashSet<&str> = req.carers.iter().map(|c| c.id.as_str()).collect();
    let mut unknown_clients: HashSet<&str> = HashSet::new();
    let mut unknown_carers: HashSet<&str> = HashSet::new();
    for (k, c) in previous_pairs(prev) {
        if !clients.contains(k) {
            unknown_clients.insert(k);
        }
        if !carers.contains(c) {
            unknown_carers.insert(c);
        }
    }
    Some((unknown_clients.len(), unknown_carers.len()))
}

#[cfg(test)]
mod tests {
    use crate::model::Plan;
    use crate::parse::request_from_str;

    const TODAY: &str = r#"{"date":"2026-11-24","carers":[
        {"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"09:00"},
         "start_location":{"lat":52.0,"lon":-2.7}}],
      "clients":[{"id":"P1","location":{"lat":52.0,"lon":-2.7},
        "visits":[{"id":"P1-am","window":{"start":"07:30","end":"08:00"},"duration":30}]}]}"#;

    fn plan_of(date: &str, carer: &str, client: &str) -> Plan {
        serde_json::from_str(&format!(
            r#"{{"date":"{date}","summary":{{"clients_total":1,"clients_served":1,
              "priority_served":1,"visits_total":1,"visits_served":1,"care_minutes":30,
              "travel_minutes":0,"continuity_assignments":0,"status":"feasible","solve_seconds":0}},
              "rounds":[{{"carer":"{carer}","shift":{{"start":"07:00","end":"09:00"}},
                "travel_mode":"drive","stops":[{{"kind":"visit","visit":"{client}-am",
                "client":"{client}","arrive":"07:30","start":"07:30","end":"08:00",
                "travel_minutes":0,"with":[]}}],"return":"08:00","travel_minutes":0,
                "care_minutes":30}}],"unserved":[]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn previous_plan_must_be_of_an_earlier_day() {
        let mut r = request_from_str(TODAY).unwrap();
        assert!(crate::validate::continuity::validate(&r).is_empty());
        r.previous_plan = Some(Box::new(plan_of("2026-11-23", "C1", "P1")));
        assert!(crate::validate::continuity::validate(&r).is_empty());
        for date in ["2026-11-24", "2026-11-25"] {
            r.previous_plan = Some(Box::new(plan_of(date, "C1", "P1")));
            let issues = crate::validate::continuity::validate(&r);
            assert_eq!(issues.len(), 1);
            assert_eq!(
                (issues[0].code, issues[0].path.as_str()),
                ("E1901", "previous_plan.date")
            );
        }
    }

    #[test]
    fn kept_counts_calls_with_yesterdays_carer_and_ignored_counts_unknown_ids() {
        let mut r = request_from_str(TODAY).unwrap();
        let today = plan_of("2026-11-24", "C1", "P1");
        assert_eq!(super::kept(&r, &today), None);
        r.previous_plan = Some(Box::new(plan_of("2026-11-23", "C1", "P1")));
        assert_eq!(super::kept(&r, &today), Some(1));
        assert_eq!(super::ignored(&r), Some((0, 0)));
        r.previous_plan = Some(Box::new(plan_of("2026-11-23", "C9", "P9")));
        assert_eq!(super::kept(&r, &today), Some(0));
        assert_eq!(super::ignored(&r), Some((1, 1)));
    }
}
