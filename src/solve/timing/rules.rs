//! The rules between two visits' starts, each a difference constraint
//! `start(to) >= start(from) + gap`, holding only while both are placed.
//!
//! - `after` (the problem's [`crate::problem::VisitSpec::after`]): `then`
//!   starts at least `min_gap` after `first` is one tie `first -> then`;
//!   a largest gap, `start(then) <= start(first) + max_gap`, is the tie
//!   `then -> first` of weight `-max_gap` ([`Rules::after_max`]).
//! - A [`Link`] (`second` starts `min_lag..=max_lag` after `first`) is two
//!   ties; visits that start together are a link of lag `0..=0`.
//!
//! A largest gap is not in the problem yet (the request's `after` has a
//! minimum only): a caller adds it with [`Rules::after_max`], and once the
//! problem holds it, [`Rules::of`] reads it there.

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

    /// The ties the problem states: `after` gaps and links.
    pub fn of(p: &Problem) -> Rules {
        let mut rules = Rules::none(p.visits.len());
        for (v, vs) in p.visits.iter().enumerate() {
            if let Some((u, gap)) = vs.after {
                rules.tie(u, v, gap);
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
