//! Locked assignments in the solver's view (docs/locks.md): a locked visit
//! may only go to its locked carers' rounds (at its fixed start, if any),
//! and its client must be served. Validation is `validate/locks.rs`.

use std::collections::{BTreeMap, HashMap};

use super::Problem;
use crate::error::RotaError;
use crate::model::{Request, minutes_of_day};

impl Problem {
    /// Restrict each locked visit to the rounds of its locked carers (those
    /// whose shift holds the fixed start, if any) and its window to the fixed
    /// start; its client must be served. Assumes the locks passed validation
    /// (known ids, eligible carers, as many locks as `carers_required`).
    pub(super) fn apply_locks(&mut self, req: &Request) -> Result<(), RotaError> {
        let bad = |m: String| RotaError::Internal(format!("locks not validated: {m}"));
        let carer = Self::carer_index(&self.carers);
        let visit: HashMap<String, usize> = self
            .visits
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect();
        let mut carers_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut must = vec![false; self.clients.len()];
        for l in &req.locks {
            let v = *visit
                .get(l.visit.as_str())
                .ok_or_else(|| bad(format!("visit '{}'", l.visit)))?;
            let c = *carer
                .get(l.carer.as_str())
                .ok_or_else(|| bad(format!("carer '{}'", l.carer)))?;
            carers_of.entry(v).or_default().push(c);
            if let Some(t) = l.start {
                let m = minutes_of_day(t);
                self.visits[v].tw_start = m;
                self.visits[v].tw_end = m;
            }
            must[self.visits[v].client] = true;
        }
        for (v, cs) in carers_of {
            let vs = &self.visits[v];
            let (first, last, d) = (vs.tw_start, vs.tw_end, vs.duration);
            let rounds = &self.rounds;
            self.eligible[v].retain(|&r| {
                let spec = &rounds[r];
                cs.contains(&spec.carer) && spec.start <= last && first + d <= spec.end
            });
        }
        self.set_must_serve(must);
        Ok(())
    }
}
