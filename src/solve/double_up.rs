//! Double-ups in the solver: a double-up goes into two rounds of different
//! carers at one common start ([`place`], what the construction calls), and
//! once placed its start never moves: the schedule pushes later single
//! visits only (`schedule.rs`, by [`crate::problem::VisitSpec::is_double_up`]),
//! and the local search keeps it fixed (`ls/timing.rs`) except for
//! `ls/double_up.rs`, which hands one carer's part to another at the same
//! start. A visit whose start is tied across rounds in another way (a joint
//! visit, a linked start) would be placed here too.

use crate::problem::Problem;
use crate::solve::Solution;
use crate::solve::schedule::{Insertion, candidate_starts, timetable};

/// Where a double-up goes: two insertions (indices into the candidates
/// given to [`place`]) into rounds of different carers, the common start,
/// and the visits of each round that move later to make room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub a: usize,
    pub b: usize,
    pub start: i32,
    pub moved_a: Vec<(usize, i32)>,
    pub moved_b: Vec<(usize, i32)>,
}

/// The best place for double-up `v` among `cands`, its insertions into
/// rounds with room (`pref`: the continuity of each). Pairs of insertions
/// into rounds of different carers whose start ranges meet are tried by
/// most continuity, then least added travel, then earliest common start;
/// for each pair, the starts worth trying in either round (the later of
/// one from each) in increasing order, and the first at which both rounds
/// can be timetabled wins. `None` if no pair works.
pub fn place(
    p: &Problem,
    sol: &Solution,
    v: usize,
    cands: &[Insertion],
    pref: &dyn Fn(&Insertion) -> i32,
) -> Option<Placement> {
    let mut pairs: Vec<(i32, i32, i32, usize, usize)> = Vec::new();
    for (i, a) in cands.iter().enumerate() {
        for (j, b) in cands.iter().enumerate().skip(i + 1) {
            if p.rounds[a.round].carer == p.rounds[b.round].carer || a.lo.max(b.lo) > a.hi.min(b.hi)
            {
                continue;
            }
            pairs.push((
                -(pref(a) + pref(b)),
                a.delta + b.delta,
                a.lo.max(b.lo),
                i,
                j,
            ));
        }
    }
    pairs.sort();
    for &(_, _, m, i, j) in &pairs {
        let (a, b) = (&cands[i], &cands[j]);
        let ca = candidate_starts(p, sol, a, v, m);
        let cb = candidate_starts(p, sol, b, v, m);
        let mut starts: Vec<i32> = ca
            .iter()
            .flat_map(|&x| cb.iter().map(move |&y| x.max(y)))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for s in starts {
            if let (Some(moved_a), Some(moved_b)) =
                (timetable(p, sol, a, v, s), timetable(p, sol, b, v, s))
            {
                return Some(Placement {
                    a: i,
                    b: j,
                    start: s,
                    moved_a,
                    moved_b,
                });
            }
        }
    }
    None
}
