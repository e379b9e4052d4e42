//! Locked assignments in the solver's view (docs/locks.md): a locked visit
//! may only go to its locked carers' rounds (at its fixed start, if any),
//! and its client must be served. Validation is `validate/locks.rs`.

use std::collections::{BTreeMap, HashMap};

use super::{PinTo, Problem, ProblemBuilder};
use crate::error::RotaError;
use crate::model::{Request, minutes_of_day};

impl ProblemBuilder {
    /// Pin each locked visit to the rounds of its locked carers (those
    /// whose shift holds the fixed start, if any) and its window to the fixed
    /// start ([`ProblemBuilder::pin`]). Assumes the locks passed validation
    /// (known ids, eligible carers, as many locks as `carers_required`).
    pub(super) fn lock(&mut self, req: &Request) -> Result<(), RotaError> {
        let bad = |m: String| RotaError::Internal(format!("locks not validated: {m}"));
        let p = self.parts();
        let carer = Problem::carer_index(&p.carers);
        let visit: HashMap<&str, usize> = p.visit_index();
        // Per visit: its locked carers and the last fixed start given.
        let mut locked: BTreeMap<usize, (Vec<usize>, Option<i32>)> = BTreeMap::new();
        for l in &req.locks {
            let v = *visit
                .get(l.visit.as_str())
                .ok_or_else(|| bad(format!("visit '{}'", l.visit)))?;
            let c = *carer
                .get(l.carer.as_str())
                .ok_or_else(|| bad(format!("carer '{}'", l.carer)))?;
            let (carers, start) = locked.entry(v).or_default();
            carers.push(c);
            if let Some(t) = l.start {
                *start = Some(minutes_of_day(t));
            }
        }
        for (v, (carers, start)) in locked {
            self.pin(v, start, PinTo::Carers(carers));
        }
        Ok(())
    }
}
