//! Greedy construction of whole clients.
//!
//! Clients are taken by priority (highest first), then difficulty (double-ups,
//! fewest eligible rounds, most care minutes). Each client's visits are
//! inserted one by one, hardest first (double-ups, narrowest window; then, if
//! that fails, in `after` order), each at its best feasible place (most
//! continuity, then least lateness, then least added travel, then earliest
//! start); a double-up goes into two rounds of different carers at one
//! common start (`solve/double_up.rs`). Every insertion is timed by the
//! timing core (`solve/timing/`): later visits move later to make room,
//! double-ups and tied visits too, in every round they are in, within
//! their windows and gaps. If any visit of a client cannot be placed,
//! everything the client's insertions changed is undone: all or nothing.

use super::places::{cheapest, places};
use crate::problem::{Order, Problem};
use crate::solve::Solution;
use crate::solve::double_up;
use crate::solve::timing::{Rules, Timing};

/// How many shuffled client orders [`construct_best`] tries after its base
/// order when planning a request.
pub const RESTARTS: usize = 200;

/// The outcome of a greedy run: the solution and, for each client it could
/// not serve, the visit that failed to fit.
#[derive(Debug, Clone)]
pub struct Greedy {
    pub solution: Solution,
    pub failed_visit: Vec<Option<usize>>,
}

/// The order in which the greedy takes clients.
pub fn client_order(p: &Problem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.clients.len()).collect();
    let key = |k: usize| {
        let c = &p.clients[k];
        let doubles = c
            .visits
            .iter()
            .filter(|&&v| p.visits[v].is_double_up())
            .count();
        let fewest = c
            .visits
            .iter()
            .map(|&v| p.eligible[v].len())
            .min()
            .unwrap_or(0);
        let care: i32 = c
            .visits
            .iter()
            .map(|&v| p.visits[v].duration * p.visits[v].carers() as i32)
            .sum();
        (
            std::cmp::Reverse(c.priority),
            std::cmp::Reverse(doubles),
            fewest,
            std::cmp::Reverse(care),
            k,
        )
    };
    order.sort_by_key(|&k| key(k));
    order
}

/// Run the greedy over clients in [`client_order`].
pub fn construct(p: &Problem) -> Greedy {
    construct_in_order(p, &client_order(p))
}

/// Run the greedy over clients in the given order.
pub fn construct_in_order(p: &Problem, order: &[usize]) -> Greedy {
    construct_in_order_until(p, order, &|| false).0
}

/// [`construct_in_order`], stopping when `stop` says so (asked before each
/// client): the clients not yet tried are left unserved (with no failed
/// visit) and the flag is `false`.
pub fn construct_in_order_until(
    p: &Problem,
    order: &[usize],
    stop: &dyn Fn() -> bool,
) -> (Greedy, bool) {
    let mut t = timed(p, &Solution::empty(p));
    let mut failed_visit = vec![None; p.clients.len()];
    let mut complete = true;
    for &k in order {
        if stop() {
            complete = false;
            break;
        }
        if let Err(v) = insert_client_in(&mut t, k) {
            failed_visit[k] = Some(v);
        }
        t.commit();
    }
    let greedy = Greedy {
        solution: t.solution(),
        failed_visit,
    };
    (greedy, complete)
}

/// The greedy from [`client_order`] and from up to `restarts` more orders,
/// each the base order with clients of equal priority shuffled (seeded); the
/// best by the lexicographic objective wins. No new order is started after
/// `deadline`, and one still running then is dropped, so a run is
/// reproducible from its seed unless the deadline cuts it short.
pub fn construct_best(
    p: &Problem,
    seed: u64,
    restarts: usize,
    deadline: std::time::Instant,
    ctl: &crate::control::SolveControl,
) -> Greedy {
    let never = deadline + std::time::Duration::from_secs(1_000_000);
    construct_best_within(p, seed, restarts, &|_, _| deadline, never, ctl).greedy
}

/// What [`construct_best_within`] built.
pub struct Built {
    pub greedy: Greedy,
    /// How long the first (base order) pass took: the cost of trying every
    /// client once, which the pipeline uses to keep time for its last steps.
    pub first_pass: std::time::Duration,
    /// `false` when `hard` or a cancellation stopped the first pass before
    /// every client was tried.
    pub complete: bool,
}

/// [`construct_best`] under a hard stop too: at `hard` (or on cancellation)
/// even the first pass stops, with the clients not yet tried unserved, and
/// a restart still running is dropped; so is one still running at
/// `restarts_until(first pass time, clients it left unserved)`, after which
/// none starts.
pub fn construct_best_within(
    p: &Problem,
    seed: u64,
    restarts: usize,
    restarts_until: &dyn Fn(std::time::Duration, usize) -> std::time::Instant,
    hard: std::time::Instant,
    ctl: &crate::control::SolveControl,
) -> Built {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    use std::time::Instant;
    let stop = || ctl.is_cancelled() || Instant::now() >= hard;
    let base = client_order(p);
    let began = Instant::now();
    let (mut best, complete) = construct_in_order_until(p, &base, &stop);
    let first_pass = began.elapsed();
    let unserved = (0..p.clients.len())
        .filter(|&k| !best.solution.is_served(p, k))
        .count();
    let deadline = restarts_until(first_pass, unserved);
    let mut best_obj = best.solution.objective(p);
    best.solution.report_progress(p, ctl, "greedy");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..restarts {
        if !complete || Instant::now() >= deadline || stop() {
            break;
        }
        let mut order = base.clone();
        for class in order.chunk_by_mut(|&a, &b| p.clients[a].priority == p.clients[b].priority) {
            class.shuffle(&mut rng);
        }
        // A restart still running at `deadline` is dropped: its time
        // belongs to what comes after the greedy.
        let (g, done) =
            construct_in_order_until(p, &order, &|| stop() || Instant::now() >= deadline);
        let obj = g.solution.objective(p);
        if done && obj > best_obj {
            best = g;
            best_obj = obj;
            best.solution.report_progress(p, ctl, "greedy");
        }
    }
    Built {
        greedy: best,
        first_pass,
        complete,
    }
}

/// Insert every visit of client `k`, or none: on failure the client's visits
/// are removed again and the visit that did not fit is returned. The
/// calls already placed keep their starts unless the insertion pushes them
/// later ([`Timing::of_solution_kept`]: a published plan changes no more
/// than it must).
pub fn insert_client(p: &Problem, sol: &mut Solution, k: usize) -> Result<(), usize> {
    let mut t = kept(p, sol);
    let out = insert_client_in(&mut t, k);
    if out.is_ok() {
        *sol = t.solution();
    }
    out
}

/// The timing core over `sol`'s routes: every solution the solver makes
/// has a schedule, so this cannot fail but on a bug.
pub fn timed<'p>(p: &'p Problem, sol: &Solution) -> Timing<'p> {
    Timing::of_solution(p, Rules::of(p), sol).expect("a solution of the solver has a schedule")
}

/// The timing core over `sol`'s routes with its starts kept as floors.
fn kept<'p>(p: &'p Problem, sol: &Solution) -> Timing<'p> {
    Timing::of_solution_kept(p, Rules::of(p), sol).expect("a solution of the solver has a schedule")
}

/// [`insert_client`] on the timing core. Visits are tried hardest first
/// (double-ups, then narrowest window), and if that fails, in `after`
/// order. On success the insertions are kept (and can be undone with
/// [`Timing::undo`]); on failure the state is as before.
pub fn insert_client_in(t: &mut Timing, k: usize) -> Result<(), usize> {
    let p = t.problem();
    let visits = &p.clients[k].visits;
    let mut hardest = visits.clone();
    hardest.sort_by_key(|&v| {
        let vs = &p.visits[v];
        (
            std::cmp::Reverse(vs.carers()),
            vs.tw_end - vs.tw_start,
            vs.tw_start,
        )
    });
    let mut failed = None;
    for order in [&hardest, visits] {
        let depth = t.undo_depth();
        // A visit tied to another of the client's by a link goes in with
        // it, the pair's places chosen together (`construct/linked.rs`).
        let fits = |t: &mut Timing, v: usize| {
            if t.is_placed(v) {
                return true;
            }
            match super::linked::unplaced_partner(t, k, v) {
                Some(w) => super::linked::place_pair(t, v, w),
                None => insert_visit_in(t, v),
            }
        };
        match order.iter().find(|&&v| !fits(t, v)) {
            None => return Ok(()),
            Some(&v) => {
                failed.get_or_insert(v);
                while t.undo_depth() > depth {
                    t.undo();
                }
            }
        }
        if hardest == *visits {
            break;
        }
    }
    Err(failed.unwrap_or(visits[0]))
}

/// What a run of [`insert_visit`] calls changed, so that a failed client
/// can be undone exactly: the solution before the first.
#[derive(Debug, Default)]
pub struct Undo {
    before: Option<Solution>,
}

impl Undo {
    /// Put the solution back as it was before the logged insertions.
    pub fn rollback(self, sol: &mut Solution) {
        if let Some(before) = self.before {
            *sol = before;
        }
    }
}

/// Insert one visit at its best place ([`insert_visit_in`]), the calls
/// placed keeping their starts unless pushed later; `false` if it fits
/// nowhere.
pub fn insert_visit(p: &Problem, sol: &mut Solution, v: usize, undo: &mut Undo) -> bool {
    let mut t = kept(p, sol);
    if !insert_visit_in(&mut t, v) {
        return false;
    }
    undo.before.get_or_insert_with(|| sol.clone());
    *sol = t.solution();
    true
}

/// Insert one visit at its best place, timed by the core (later visits,
/// double-ups and tied visits move as they must); `false` if it fits
/// nowhere. Best is most continuity, then least lateness, then least
/// added travel, then earliest start; the first place in that order that
/// the core can time wins.
pub fn insert_visit_in(t: &mut Timing, v: usize) -> bool {
    let p = t.problem();
    let cands = places(t, v);
    if let Order::Weighted(_) = p.order
        && !p.visits[v].is_double_up()
    {
        return match cheapest(t, v, &cands, 1).first() {
            Some(&(_, r, at)) => t.try_place(v, &[(r, at)]).is_ok(),
            None => false,
        };
    }
    if !p.visits[v].is_double_up() {
        let mut order: Vec<(i64, i64, i64, i32, usize, usize)> = cands
            .iter()
            .map(|c| {
                (
                    -c.pref,
                    p.lateness_at(v, c.lo),
                    c.added,
                    c.lo,
                    c.round,
                    c.at,
                )
            })
            .collect();
        order.sort_unstable();
        return order
            .iter()
            .any(|&(.., r, at)| t.try_place(v, &[(r, at)]).is_ok());
    }
    double_up::place(
        t,
        v,
        &cands
            .iter()
            .map(|c| (c.round, c.at, c.pref, c.added, c.lo, c.hi))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::request_from_str;

    /// Two carers at one base; clients all at the base (no travel) unless
    /// said otherwise.
    fn problem(clients: &str) -> Problem {
        let text = format!(
            r#"{{"date":"2026-11-23","carers":[
              {{"id":"C1","travel_mode":"drive","shift":{{"start":"07:00","end":"12:00"}},
                "start_location":{{"lat":52.0,"lon":-2.7}},"skills":["hoist"]}},
              {{"id":"C2","travel_mode":"drive","shift":{{"start":"07:00","end":"12:00"}},
                "start_location":{{"lat":52.0,"lon":-2.7}},"skills":["hoist"]}}],
              "clients":[{clients}]}}"#
        );
        Problem::from_request(&request_from_str(&text).unwrap()).unwrap()
    }

    fn visit(p: &Problem, id: &str) -> usize {
        p.visits.iter().position(|v| v.id == id).unwrap()
    }

    #[test]
    fn later_single_visit_is_pushed_to_make_room() {
        // Only C1 may do X and Y. X is placed first at 08:00 (window to
        // 10:00); Y (07:45-08:00, 30 min) must then go before it.
        let p = problem(
            r#"{"id":"K1","location":{"lat":52.0,"lon":-2.7},"excluded_carers":["C2"],
                "visits":[{"id":"X","window":{"start":"08:00","end":"10:00"},"duration":30}]},
               {"id":"K2","location":{"lat":52.0,"lon":-2.7},"excluded_carers":["C2"],
                "visits":[{"id":"Y","window":{"start":"07:45","end":"08:00"},"duration":30}]}"#,
        );
        let mut sol = Solution::empty(&p);
        insert_client(&p, &mut sol, 0).unwrap();
        assert_eq!(sol.start[visit(&p, "X")], Some(8 * 60));
        insert_client(&p, &mut sol, 1).unwrap();
        // Y starts at 07:45 and X moves to 08:15.
        assert_eq!(sol.routes[0], vec![visit(&p, "Y"), visit(&p, "X")]);
        assert_eq!(sol.start[visit(&p, "Y")], Some(7 * 60 + 45));
        assert_eq!(sol.start[visit(&p, "X")], Some(8 * 60 + 15));
    }

    /// The double-up's common start moves in both rounds when a single
    /// visit needs to go before it (issue 28: the 12/1 day's optimum moves
    /// a double-up to take one more client in).
    #[test]
    fn a_placed_double_up_moves_to_make_room() {
        let p = problem(
            r#"{"id":"K1","location":{"lat":52.0,"lon":-2.7},
                "visits":[{"id":"D","window":{"start":"08:00","end":"10:00"},"duration":30,
                           "carers_required":2,"skills":["hoist"]}]},
               {"id":"K2","location":{"lat":52.0,"lon":-2.7},
                "visits":[{"id":"Y","window":{"start":"07:45","end":"08:00"},"duration":30}]}"#,
        );
        let mut sol = Solution::empty(&p);
        insert_client(&p, &mut sol, 0).unwrap();
        let (d, y) = (visit(&p, "D"), visit(&p, "Y"));
        assert_eq!(sol.start[d], Some(8 * 60));
        assert_eq!(sol.rounds_of[d].len(), 2);
        // Y at 07:45 before D in one round: D starts 08:15 in both.
        insert_client(&p, &mut sol, 1).unwrap();
        assert_eq!(sol.start[y], Some(7 * 60 + 45));
        assert_eq!(sol.start[d], Some(8 * 60 + 15));
        let r = sol.rounds_of[y][0];
        assert_eq!(sol.routes[r], vec![y, d]);
    }

    #[test]
    fn a_client_is_all_or_nothing() {
        // The second visit (needing a skill nobody has) fails, so the first
        // is taken out again.
        let p = problem(
            r#"{"id":"K1","location":{"lat":52.0,"lon":-2.7},
                "visits":[{"id":"A","window":{"start":"08:00","end":"09:00"},"duration":30},
                          {"id":"B","window":{"start":"10:00","end":"11:00"},"duration":30,
                           "skills":["catheter"]}]}"#,
        );
        let g = construct(&p);
        assert!(g.solution.start.iter().all(|s| s.is_none()));
        assert!(g.solution.routes.iter().all(|r| r.is_empty()));
        assert_eq!(g.failed_visit[0], Some(visit(&p, "B")));
    }

    #[test]
    fn double_up_starts_together_in_two_rounds() {
        let p = problem(
            r#"{"id":"K1","location":{"lat":52.05,"lon":-2.7},
                "visits":[{"id":"D","window":{"start":"07:00","end":"10:00"},"duration":45,
                           "carers_required":2,"skills":["hoist"]}]}"#,
        );
        let g = construct(&p);
        let d = visit(&p, "D");
        let mut rounds = g.solution.rounds_of[d].clone();
        rounds.sort();
        assert_eq!(rounds, vec![0, 1]);
        // Both leave at 07:00 and drive 5.56 km: ceil(10.8) + 3 = 14 min.
        assert_eq!(g.solution.start[d], Some(7 * 60 + 14));
    }

    #[test]
    fn higher_priority_goes_first() {
        let p = problem(
            r#"{"id":"K1","location":{"lat":52.0,"lon":-2.7},"priority":1,
                "visits":[{"id":"A","window":{"start":"08:00","end":"08:00"},"duration":60,
                           "carers_required":2}]},
               {"id":"K2","location":{"lat":52.0,"lon":-2.7},"priority":3,
                "visits":[{"id":"B","window":{"start":"08:30","end":"08:30"},"duration":30}]}"#,
        );
        assert_eq!(client_order(&p), vec![1, 0]);
    }
}
