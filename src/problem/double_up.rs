//! Double-ups in the solver's view: a visit that two carers do together
//! (`carers_required: 2` in the request, [`VisitSpec::required`] here). It
//! is one visit served by two rounds of two different carers, both starting
//! it at the same minute, so both end it together too. Its start is shared
//! by those rounds: once placed, it never moves in one round alone.
//!
//! Every layer keeps double-ups under this one name: `validate/double_up.rs`
//! (E1205), here, `solve/double_up.rs` (placing one at a common start, and
//! `solve/ls/double_up.rs`, the operator), `check/double_up.rs` (the
//! `carers-required` and `double-up` rules) and `tests/double_up.rs`. Visits
//! of different carers whose starts are tied by a lag are [`super::Link`]s
//! (`linked.rs`).

use super::VisitSpec;

impl VisitSpec {
    /// How many carers do the visit together: 1, or 2 for a double-up.
    #[inline]
    pub fn carers(&self) -> usize {
        self.required
    }

    /// Whether the visit is a double-up: done by two carers in two rounds,
    /// at one start the rounds share, so it never moves in one of them
    /// alone.
    #[inline]
    pub fn is_double_up(&self) -> bool {
        self.required > 1
    }
}
