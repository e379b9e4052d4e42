//! The rules between two visits' starts, each a difference constraint
//! `start(to) >= start(from) + gap`, holding only while both are placed.
//!
//! - `after` (the problem's [`crate::problem::VisitSpec::after`]): `then`
//!   starts at least `min_gap` after `first` is one tie `first -> then`;
//!   a largest gap ([`crate::problem::VisitSpec::after_max`], a request's
//!   `after.max_gap`), `start(then) <= start(first) + max_gap`, is the tie
//!   `then -> first` of weight `-max_gap` ([`Rules::after_max`]).
//! - A [`Link`] (`second` starts `min_lag..=max_lag` after `first`) is two
//!   ties; visits that start together (a request's `starts_with`) are a
//!   link of lag `0..=0`.
//!
//! [`Rules::of`] reads all of them from the problem.

use crate::problem::{Link, Problem};

/// Every tie between two visits, seen from both ends.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `out[u]`: `(v, gap)` with `start(v) >= start(u) + gap`.
    out: Vec<Vec<(usize, i32)>>,
    /// `inn[v]`: `(u, gap)`, the same ties seen from `v`.
    inn: Vec<Vec<(usize, i32)>>,
}

impl Rules {
    /// No ties between the `n` visits.
    pub fn none(n: usize) -> Rules {
        Rules {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
        }
    }

    /// The ties the problem states: `after` gaps (least and largest) and
    /// links.
    pub fn of(p: &Problem) -> Rules {
        let mut rules = Rules::none(p.visits.len());
        for (v, vs) in p.visits.iter().enumerate() {
            if let Some((u, gap)) = vs.after {
                rules.tie(u, v, gap);
                if let Some(max_gap) = vs.after_max {
                    rules.after_max(u, v, max_gap);
                }
            }
        }
        for l in &p.links {
            rules.link(l);
        }
        rules
    }

    /// How many visits the rules are for.
    pub fn visits(&self) -> usize {
        self.out.len()
    }

    /// `start(to) >= start(from) + gap`.
    pub fn tie(&mut self, from: usize, to: usize, gap: i32) {
        self.out[from].push((to, gap));
        self.inn[to].push((from, gap));
    }

    /// `then` starts at most `max_gap` after `first`.
    pub fn after_max(&mut self, first: usize, then: usize, max_gap: i32) {
        self.tie(then, first, -max_gap);
    }

    /// A link's two ties.
    pub fn link(&mut self, l: &Link) {
        self.tie(l.first, l.second, l.min_lag);
        self.tie(l.second, l.first, -l.max_lag);
    }

    /// Ties from `u`: `(v, gap)`, `start(v) >= start(u) + gap`.
    #[inline]
    pub fn ties_from(&self, u: usize) -> &[(usize, i32)] {
        &self.out[u]
    }

    /// Ties into `v`: `(u, gap)`, `start(v) >= start(u) + gap`.
    #[inline]
    pub fn ties_into(&self, v: usize) -> &[(usize, i32)] {
        &self.inn[v]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P1: breakfast, lunch 240..=360 min after it, and a therapist's call
    /// that starts with breakfast.
    const DAY: &str = r#"{
      "date": "2026-11-23",
      "carers": [
        {"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.0565,"lon":-2.7160}},
        {"id":"C2","travel_mode":"drive","shift":{"start":"07:00","end":"15:00"},
         "start_location":{"lat":52.0565,"lon":-2.7160}}
      ],
      "clients": [
        {"id":"P1","location":{"lat":52.0612,"lon":-2.7321},
         "visits":[
           {"id":"am","window":{"start":"08:00","end":"09:00"},"duration":30},
           {"id":"lunch","window":{"start":"12:00","end":"14:00"},"duration":20,
            "after":{"visit":"am","min_gap":240,"max_gap":360}},
           {"id":"ot","window":{"start":"08:00","end":"09:00"},"duration":45,
            "starts_with":{"visit":"am"}}]}
      ]
    }"#;

    #[test]
    fn of_reads_the_largest_gap_and_visits_that_start_together() {
        let p = Problem::from_json(DAY);
        let id = p.visit_index();
        let (am, lunch, ot) = (id["am"], id["lunch"], id["ot"]);
        let rules = Rules::of(&p);
        let mut from_am = rules.ties_from(am).to_vec();
        from_am.sort();
        let mut want = vec![(lunch, 240), (ot, 0)];
        want.sort();
        assert_eq!(from_am, want);
        // lunch -> am of -360 (at most 360 after), ot -> am of 0 (not after).
        assert_eq!(rules.ties_from(lunch), &[(am, -360)]);
        assert_eq!(rules.ties_from(ot), &[(am, 0)]);
        assert_eq!(rules.ties_into(am).len(), 2);
    }
}
