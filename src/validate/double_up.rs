//! Double-ups: a visit done by two carers together (`carers_required: 2`).
//! E1205: a visit needs 1 carer (the default) or 2. The rules on locking a
//! double-up (E1807-E1809) stay with the other lock rules (`locks.rs`).

use super::*;
use crate::model::Visit;

impl Validator {
    /// E1205: `carers_required` of visit `v` (at `vp`) is 1 or 2.
    pub(super) fn carers_required(&mut self, vp: &str, v: &Visit) {
        if !(1..=2).contains(&v.carers_required) {
            self.push(
                "E1205",
                format!("{vp}.carers_required"),
                format!(
                    "visit '{}' requires {} carers; only 1 or 2 are allowed",
                    v.id, v.carers_required
                ),
                "use 1 (the default) or 2 for a double-up",
            );
        }
    }
}
