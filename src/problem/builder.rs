//! [`ProblemBuilder`]: the one way a [`Problem`] is made. Requests
//! ([`ProblemBuilder::from_request`], with continuity and locks), both
//! readers, a re-plan (pinned calls, absent carers, `now`, kept calls), a
//! fit's barred carers and the extra rounds of a `CAPACITY` reason are all
//! builder input; after [`ProblemBuilder::build`] the problem is read-only.
//! A what-if starts a builder from a problem ([`From<Problem>`]) and builds
//! a new one.

use super::{
    CarerSpec, ClientSpec, Ineligible, Lateness, Link, Order, Problem, RoundSpec, VisitSpec,
};
use crate::travel::Travel;

/// Where a pinned visit may go (see [`ProblemBuilder::pin`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinTo {
    /// The rounds, among the visit's eligible ones, of these carers
    /// (indices) whose shift holds the visit's window (a lock).
    Carers(Vec<usize>),
    /// Exactly these rounds, in this order (calls that happened); none: the
    /// visit can no longer be served.
    Rounds(Vec<usize>),
}

/// A [`Problem`] under construction.
#[derive(Debug, Clone)]
pub struct ProblemBuilder {
    pub(super) problem: Problem,
    /// The clients that must be served, once a pin (or
    /// [`ProblemBuilder::clear_must_serve`]) has said so; `None` leaves the
    /// priorities as they are.
    must: Option<Vec<bool>>,
}

impl From<Problem> for ProblemBuilder {
    /// A builder holding `problem` as it is: what a what-if changes of it
    /// becomes a new problem at [`ProblemBuilder::build`].
    fn from(problem: Problem) -> ProblemBuilder {
        ProblemBuilder {
            problem,
            must: None,
        }
    }
}

impl ProblemBuilder {
    /// A problem of these parts. `ineligible[v][c]` says why carer `c`
    /// cannot do visit `v` (`None` if they can); each visit's eligible
    /// rounds are those of the carers who can, in round order. Travel is not
    /// assumed metric, and there are no links, lateness, locks or kept calls.
    pub fn new(
        carers: Vec<CarerSpec>,
        rounds: Vec<RoundSpec>,
        visits: Vec<VisitSpec>,
        clients: Vec<ClientSpec>,
        ineligible: Vec<Vec<Option<Ineligible>>>,
        travel: Travel,
    ) -> ProblemBuilder {
        let eligible = ineligible
            .iter()
            .map(|why| {
                (0..rounds.len())
                    .filter(|&r| why[rounds[r].carer].is_none())
                    .collect()
            })
            .collect();
        ProblemBuilder::from(Problem {
            carers,
            rounds,
            visits,
            clients,
            travel,
            metric_travel: false,
            eligible,
            ineligible,
            extras: Default::default(),
            links: Vec::new(),
            order: Order::Request,
            partners: Vec::new(),
        })
    }

    /// Whether travel times obey the triangle inequality.
    pub fn metric_travel(mut self, metric: bool) -> ProblemBuilder {
        self.problem.metric_travel = metric;
        self
    }

    /// Visits whose starts are tied.
    pub fn links(mut self, links: Vec<Link>) -> ProblemBuilder {
        self.problem.links = links;
        self
    }

    /// Compare plans by one weighted cost of travel and lateness (the
    /// benchmark's [`Order::Weighted`]) instead of a request's order.
    pub fn weighted(mut self, lateness: Lateness) -> ProblemBuilder {
        self.problem.order = Order::Weighted(lateness);
        self
    }

    /// The problem as built so far (must-serve clients not yet boosted), for
    /// callers that choose what to pin by its ids and indices.
    pub fn parts(&self) -> &Problem {
        &self.problem
    }

    /// Pin visit `v`: its window becomes `start` (if given), it may only go
    /// where `to` says, and its client must be served. Locks and the calls a
    /// re-plan keeps as they happened are pinned visits.
    pub fn pin(&mut self, v: usize, start: Option<i32>, to: PinTo) {
        let p = &mut self.problem;
        if let Some(t) = start {
            p.visits[v].tw_start = t;
            p.visits[v].tw_end = t;
        }
        match to {
            PinTo::Carers(cs) => {
                let vs = &p.visits[v];
                let (first, last, d) = (vs.tw_start, vs.tw_end, vs.duration);
                let rounds = &p.rounds;
                p.eligible[v].retain(|&r| {
                    let spec = &rounds[r];
                    cs.contains(&spec.carer) && spec.start <= last && first + d <= spec.end
                });
            }
            PinTo::Rounds(rs) => p.eligible[v] = rs,
        }
        let n = p.clients.len();
        let must = self.must.get_or_insert_with(|| {
            let mut m = p.extras.must_serve.clone();
            m.resize(n, false);
            m
        });
        must[p.visits[v].client] = true;
    }

    /// No round of a carer for whom `barred` holds may do visit `v`.
    pub fn bar(&mut self, v: usize, barred: impl Fn(usize) -> bool) {
        let rounds = &self.problem.rounds;
        self.problem.eligible[v].retain(|&r| !barred(rounds[r].carer));
    }

    /// [`Self::bar`] carers who are absent (a re-plan), and say so in the
    /// reasons: `ineligible[v][c]` becomes [`Ineligible::Absent`] where it
    /// had no other reason.
    pub fn bar_absent(&mut self, v: usize, absent: impl Fn(usize) -> bool) {
        self.bar(v, &absent);
        for (c, why) in self.problem.ineligible[v].iter_mut().enumerate() {
            if absent(c) && why.is_none() {
                *why = Some(Ineligible::Absent);
            }
        }
    }

    /// Visit `v` starts at `t` or later; a visit whose window ends before
    /// `t` can no longer be served.
    pub fn not_before(&mut self, v: usize, t: i32) {
        let vs = &mut self.problem.visits[v];
        if vs.tw_start < t {
            vs.tw_start = t;
            if vs.tw_end < t {
                vs.tw_end = t;
                self.problem.eligible[v].clear();
            }
        }
    }

    /// Per visit, the carers whose call is worth keeping (a re-plan's
    /// original carers), each worth more than the continuity of any plan.
    pub fn keep(&mut self, keep: Vec<Vec<usize>>) {
        let p = &mut self.problem;
        p.extras.keep = keep;
        p.extras.keep_weight = p.visits.iter().map(|v| v.required as i64).sum::<i64>() + 1;
    }

    /// One more carer `id` with the one round `round` (its `carer` is set
    /// to the new carer, the last one); `why[v]` says why they cannot do
    /// visit `v` (`None`: they can, as the round's last eligible round).
    pub fn add_carer(&mut self, id: String, round: RoundSpec, why: Vec<Option<Ineligible>>) {
        let p = &mut self.problem;
        let carer = p.carers.len();
        let r = p.rounds.len();
        p.rounds.push(RoundSpec { carer, ..round });
        p.carers.push(CarerSpec {
            id,
            rounds: vec![r],
        });
        for (v, why) in why.into_iter().enumerate() {
            if why.is_none() {
                p.eligible[v].push(r);
            }
            p.ineligible[v].push(why);
        }
    }

    /// Round `r`'s shift becomes `start`-`end`.
    pub fn set_shift(&mut self, r: usize, start: i32, end: i32) {
        self.problem.rounds[r].start = start;
        self.problem.rounds[r].end = end;
    }

    /// Round `r`'s break: `None` waives it (an absent carer's, docs/replan.md).
    pub fn set_break(&mut self, r: usize, brk: Option<super::BreakSpec>) {
        self.problem.rounds[r].brk = brk;
    }

    /// Visit `v`'s soft latest start (see [`super::linked`]).
    pub fn late_after(&mut self, v: usize, late_after: Option<i32>) {
        self.problem.visits[v].late_after = late_after;
    }

    /// No client must be served any more: every priority as the request
    /// states it.
    pub(super) fn clear_must_serve(&mut self) {
        self.must = Some(Vec::new());
    }

    /// The problem, read-only from here on. The clients that must be served
    /// get [`super::Extras::boost`] added to their priority: more than all
    /// other priorities together.
    pub fn build(self) -> Problem {
        let mut p = self.problem;
        p.partners = vec![Vec::new(); p.visits.len()];
        for l in &p.links {
            p.partners[l.first].push(l.second);
            p.partners[l.second].push(l.first);
        }
        if let Some(must) = self.must {
            let is_must = |m: &[bool], k: usize| m.get(k).copied().unwrap_or(false);
            let old_boost = p.extras.boost;
            for (k, c) in p.clients.iter_mut().enumerate() {
                if is_must(&p.extras.must_serve, k) {
                    c.priority -= old_boost;
                }
            }
            let boost: i64 = p.clients.iter().map(|c| c.priority).sum::<i64>() + 1;
            for (k, c) in p.clients.iter_mut().enumerate() {
                if is_must(&must, k) {
                    c.priority += boost;
                }
            }
            p.extras.boost = if must.iter().any(|&m| m) { boost } else { 0 };
            p.extras.must_serve = must;
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two carers with a morning and an afternoon round each (rounds 0, 1
    /// of C1; 2, 3 of C2) and two clients of one visit each.
    fn builder() -> ProblemBuilder {
        let rounds: Vec<RoundSpec> = [(0, 420, 720), (0, 720, 1020), (1, 420, 720), (1, 720, 1020)]
            .iter()
            .map(|&(carer, start, end)| RoundSpec {
                carer,
                start,
                end,
                mode: crate::travel::TravelMode::Drive,
                start_node: 0,
                end_node: 0,
                brk: None,
                capacity: None,
            })
            .collect();
        let carers = vec![
            CarerSpec {
                id: "C1".into(),
                rounds: vec![0, 1],
            },
            CarerSpec {
                id: "C2".into(),
                rounds: vec![2, 3],
            },
        ];
        let visit = |k: usize| VisitSpec {
            id: format!("V{k}"),
            client: k,
            node: k + 1,
            tw_start: 480,
            tw_end: 900,
            duration: 30,
            required: 1,
            after: None,
            after_max: None,
            successors: Vec::new(),
            load: 0,
            late_after: None,
        };
        let client = |k: usize, priority| ClientSpec {
            id: format!("P{k}"),
            priority,
            visits: vec![k],
            preferred: Vec::new(),
        };
        ProblemBuilder::new(
            carers,
            rounds,
            vec![visit(0), visit(1)],
            vec![client(0, 3), client(1, 5)],
            vec![vec![None; 2]; 2],
            Travel::from_matrix(3, vec![0; 9]),
        )
    }

    #[test]
    fn a_pinned_visit_has_its_start_its_rounds_and_a_client_that_must_be_served() {
        // To a carer: that carer's rounds whose shift holds the fixed start.
        let mut b = builder();
        b.pin(0, Some(600), PinTo::Carers(vec![1]));
        let p = b.build();
        assert_eq!((p.visits[0].tw_start, p.visits[0].tw_end), (600, 600));
        assert_eq!(p.eligible[0], vec![2]);
        assert_eq!(p.eligible[1], vec![0, 1, 2, 3]);
        assert!(p.must_serve(0) && !p.must_serve(1));
        assert_eq!(p.extras.boost, 3 + 5 + 1);
        assert_eq!(p.clients[0].priority, 3 + 9);
        assert_eq!((p.true_priority(0), p.true_priority(1)), (3, 5));

        // To rounds: exactly those, in that order; none: not to be served.
        let mut b = builder();
        b.pin(1, Some(700), PinTo::Rounds(vec![3, 0]));
        b.pin(0, None, PinTo::Rounds(Vec::new()));
        let p = b.build();
        assert_eq!(p.eligible[1], vec![3, 0]);
        assert_eq!((p.visits[1].tw_start, p.visits[1].tw_end), (700, 700));
        assert!(p.eligible[0].is_empty());
        assert_eq!((p.visits[0].tw_start, p.visits[0].tw_end), (480, 900));
        assert!(p.must_serve(0) && p.must_serve(1));

        // Without a start, a lock keeps the window, and the carer's rounds
        // that overlap it.
        let mut b = builder();
        b.pin(0, None, PinTo::Carers(vec![0]));
        let p = b.build();
        assert_eq!((p.visits[0].tw_start, p.visits[0].tw_end), (480, 900));
        assert_eq!(p.eligible[0], vec![0, 1]);
    }

    #[test]
    fn rebuilding_boosts_once_and_unboosted_restores_true_priorities() {
        let mut b = builder();
        b.pin(0, Some(600), PinTo::Carers(vec![1]));
        let p = b.build();
        // A re-plan's pin on a built problem: boosted from the true priorities.
        let mut b = ProblemBuilder::from(p.clone());
        b.pin(1, Some(800), PinTo::Rounds(vec![1]));
        let q = b.build();
        assert_eq!(q.extras.boost, 9);
        assert_eq!((q.clients[0].priority, q.clients[1].priority), (12, 14));
        let u = q.unboosted();
        assert_eq!((u.clients[0].priority, u.clients[1].priority), (3, 5));
        assert_eq!(u.extras.boost, 0);
        assert!(!u.must_serve(0) && !u.must_serve(1));
        // The unpinned problem is unchanged by what was built from it.
        assert_eq!(p.clients[1].priority, 5);
    }

    #[test]
    fn bar_not_before_and_keep() {
        let mut b = builder();
        b.bar(0, |c| c == 0);
        b.not_before(0, 600);
        b.not_before(1, 1000);
        b.keep(vec![vec![1], Vec::new()]);
        let p = b.build();
        assert_eq!(p.eligible[0], vec![2, 3]);
        assert_eq!((p.visits[0].tw_start, p.visits[0].tw_end), (600, 900));
        // V1's window closed before 1000: it cannot be served any more.
        assert_eq!((p.visits[1].tw_start, p.visits[1].tw_end), (1000, 1000));
        assert!(p.eligible[1].is_empty());
        assert_eq!(p.extras.keep_weight, 3);
        assert_eq!(p.preference(0, 2), 3);
        assert!(!p.must_serve(0));
        assert_eq!(p.extras.boost, 0);
    }
}
