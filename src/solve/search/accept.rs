//! Acceptance: lexicographically at least as good, or record-to-record on
//! travel at equal priority, no more lateness and no less continuity.

pub use crate::solve::Objective;

/// Travel a candidate may add over the current solution at the start of the
/// run (a fraction); the threshold shrinks linearly to 0 by the end.
const START_SLACK: f64 = 0.03;

/// How a candidate compares with the current solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Strictly better: taken.
    Better,
    /// Same priority, no more lateness, no less continuity, travel within
    /// the threshold: taken.
    Near,
    /// Dropped.
    Worse,
}

/// Judge `cand` against `cur` at `progress` (0 at the start of the run, 1 at
/// its end: elapsed time over the time limit, or iterations over the
/// iteration budget, so that under a budget it does not depend on the
/// machine's speed).
pub fn judge(cand: Objective, cur: Objective, progress: f64) -> Verdict {
    if cand > cur {
        return Verdict::Better;
    }
    let slack = START_SLACK * (1.0 - progress.clamp(0.0, 1.0));
    let near = cand.0 == cur.0
        && cand.1 >= cur.1
        && cand.2 >= cur.2
        && (-cand.3) as f64 <= (-cur.3) as f64 * (1.0 + slack);
    if near { Verdict::Near } else { Verdict::Worse }
}
