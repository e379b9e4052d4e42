//! The solver's view of a day: dense, index-based, integer minutes. It never
//! sees JSON; readers of other formats build the same structure. Every
//! problem is made by a [`ProblemBuilder`] and read-only once built: what
//! changes a problem before solving (locks, the fixed calls of a re-plan,
//! a fit's barred carers, the what-if rounds of a `CAPACITY` reason) is
//! builder input, and a what-if builds a new problem.

mod builder;
mod continuity;
mod double_up;
mod linked;
mod locks;

pub use builder::{PinTo, ProblemBuilder};
pub use linked::{Lateness, Link, Order};

use std::collections::{BTreeMap, HashMap};

use crate::error::RotaError;
use crate::model::{Location, Request, minutes_of_day};
use crate::travel::{Node, Travel, TravelMode};

/// A pause inside a round: `minutes` long, starting in `[earliest, latest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakSpec {
    pub earliest: i32,
    pub latest: i32,
    pub minutes: i32,
}

/// One round: one shift of one carer.
#[derive(Debug, Clone)]
pub struct RoundSpec {
    pub carer: usize,
    /// Leave the start node no earlier than this (minutes since midnight).
    pub start: i32,
    /// Be back at the end node no later than this.
    pub end: i32,
    /// How the carer travels: which of [`Problem::travel`]'s matrices.
    pub mode: TravelMode,
    pub start_node: usize,
    pub end_node: usize,
    pub brk: Option<BreakSpec>,
    /// Most total `load` of the visits of this round (not part of the
    /// public contract: it carries a VRP's vehicle capacity, e.g. Solomon's).
    pub capacity: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct CarerSpec {
    pub id: String,
    pub rounds: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct VisitSpec {
    pub id: String,
    pub client: usize,
    pub node: usize,
    /// The visit must start in `[tw_start, tw_end]`.
    pub tw_start: i32,
    pub tw_end: i32,
    pub duration: i32,
    /// 1, or 2 for a double-up (`double_up.rs`: [`VisitSpec::carers`],
    /// [`VisitSpec::is_double_up`]).
    pub required: usize,
    /// Start at least `gap` minutes after visit `.0` starts.
    pub after: Option<(usize, i32)>,
    /// With `after`: start at most this many minutes after visit
    /// `after.0` starts (a request's `after.max_gap`, docs/format.md,
    /// "Largest gaps"); `None`: no largest gap.
    pub after_max: Option<i32>,
    /// Visits that must start at least `gap` minutes after this one.
    pub successors: Vec<(usize, i32)>,
    /// What the visit takes of its round's `capacity` (0 for home care).
    pub load: i32,
    /// A soft latest start: starting later is allowed at the cost of
    /// [`Problem::lateness`]. From a request, a visit's `window.due` (its
    /// window stays hard; the minutes past it are the objective's second
    /// part, [`crate::solve::Solution::objective`], and the plan reports
    /// them).
    pub late_after: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub id: String,
    pub priority: i64,
    /// The client's visits, ordered so that every `after` target comes first.
    pub visits: Vec<usize>,
    /// Carers (indices) the client prefers.
    pub preferred: Vec<usize>,
}

/// Why a carer cannot do a visit (the first reason found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    MissingSkill(String),
    Gender,
    Excluded,
    /// Absent from the visit's start on (a re-plan, docs/replan.md).
    Absent,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub carers: Vec<CarerSpec>,
    pub rounds: Vec<RoundSpec>,
    pub visits: Vec<VisitSpec>,
    pub clients: Vec<ClientSpec>,
    pub travel: Travel,
    /// Whether travel times obey the triangle inequality (the contract's
    /// formula); a `travel_matrix` need not.
    pub metric_travel: bool,
    /// `eligible[v]`: the rounds whose carer may do visit `v`.
    pub eligible: Vec<Vec<usize>>,
    /// Why each carer cannot do each visit: `ineligible[v][c]`, `None` if they can.
    pub ineligible: Vec<Vec<Option<Ineligible>>>,
    /// Locks and re-planning (empty for a plain request).
    pub extras: Extras,
    /// Visits whose starts are tied, by two different carers (see
    /// [`Link`]): from a request, its `starts_with` pairs (lag 0..=0).
    pub links: Vec<Link>,
    /// How plans compare after priority: a request's order, or a weighted
    /// cost of travel and lateness (the benchmark's).
    pub order: Order,
    /// Per visit, the visits linked to it ([`Problem::partners`]; set by
    /// [`ProblemBuilder::build`] from `links`).
    partners: Vec<Vec<usize>>,
}

/// What locks (docs/locks.md) and re-planning (docs/replan.md) add to a
/// problem. Their hard parts (a locked carer, a fixed start) are written
/// into `eligible` and the windows; what is here steers the objective.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Added to the `priority` of every `must_serve` client inside the
    /// solver: more than all other priorities together, so every solver
    /// serves them first. Plans report the true priority
    /// ([`Problem::true_priority`]).
    pub boost: i64,
    /// Clients the solver must serve (locked, or started before a re-plan).
    pub must_serve: Vec<bool>,
    /// Per visit, carers (indices) whose assignment to it is worth
    /// `keep_weight` in the second objective tier (a re-plan's original
    /// carers); empty when nothing is kept.
    pub keep: Vec<Vec<usize>>,
    /// More than the continuity of any plan, so keeping calls comes before
    /// continuity.
    pub keep_weight: i64,
}

impl Problem {
    /// Build from a request that passed [`crate::validate::validate`].
    /// Returns an internal error (not a panic) if it did not.
    pub fn from_request(req: &Request) -> Result<Problem, RotaError> {
        Ok(ProblemBuilder::from_request(req)?.build())
    }

    /// [`Problem::from_request`], giving up (`Ok(None)`) as soon as `stop`
    /// says so (see [`ProblemBuilder::from_request_until`]).
    pub fn from_request_until(
        req: &Request,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Problem>, RotaError> {
        Ok(ProblemBuilder::from_request_until(req, stop)?.map(ProblemBuilder::build))
    }

    /// Visit id -> visit index.
    pub fn visit_index(&self) -> HashMap<&str, usize> {
        self.visits
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.as_str(), i))
            .collect()
    }

    /// Carer id -> carer index.
    pub(crate) fn carer_index(carers: &[CarerSpec]) -> HashMap<&str, usize> {
        carers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect()
    }

    /// Client `k`'s priority as the request states it (without the boost of
    /// a must-serve client).
    pub fn true_priority(&self, k: usize) -> i64 {
        let boosted = self.extras.must_serve.get(k).copied().unwrap_or(false);
        self.clients[k].priority - if boosted { self.extras.boost } else { 0 }
    }

    /// The same problem with every priority as the request states it: what
    /// the bound is computed on (a bound on true priority over all plans
    /// that keep the hard restrictions).
    pub fn unboosted(&self) -> Problem {
        let mut b = ProblemBuilder::from(self.clone());
        b.clear_must_serve();
        b.build()
    }

    /// Whether client `k` must be served (locked or started).
    pub fn must_serve(&self, k: usize) -> bool {
        self.extras.must_serve.get(k).copied().unwrap_or(false)
    }

    /// Worth of round `r` doing visit `v` in the second objective tier: 1 if
    /// its carer is preferred by the client, plus [`Extras::keep_weight`] if
    /// it is one of the visit's kept carers (re-planning).
    pub fn preference(&self, v: usize, r: usize) -> i64 {
        let kept = self
            .extras
            .keep
            .get(v)
            .is_some_and(|cs| cs.contains(&self.rounds[r].carer));
        self.is_preferred(v, r) as i64 + if kept { self.extras.keep_weight } else { 0 }
    }

    /// Whether anything is worth a second-tier point in this problem.
    pub fn has_preferences(&self) -> bool {
        self.clients.iter().any(|c| !c.preferred.is_empty())
            || self.extras.keep.iter().any(|k| !k.is_empty())
    }

    /// Travel minutes of round `r` from node `a` to node `b`.
    #[inline]
    pub fn time(&self, r: usize, a: usize, b: usize) -> i32 {
        self.travel.time(self.rounds[r].mode, a, b)
    }

    /// Travel minutes of round `r` visiting `visits` in order, from its start
    /// location back to its end location (0 for no visits).
    pub fn route_travel(&self, r: usize, visits: impl IntoIterator<Item = usize>) -> i64 {
        let spec = &self.rounds[r];
        let mut prev = spec.start_node;
        let mut travel = 0i64;
        let mut any = false;
        for v in visits {
            travel += self.time(r, prev, self.visits[v].node) as i64;
            prev = self.visits[v].node;
            any = true;
        }
        if any {
            travel += self.time(r, prev, spec.end_node) as i64;
        }
        travel
    }

    /// A validated request's problem, for unit tests.
    #[cfg(test)]
    pub(crate) fn from_json(json: &str) -> Problem {
        let req: crate::model::Request = serde_json::from_str(json).unwrap();
        crate::validate::validate(&req).unwrap();
        Problem::from_request(&req).unwrap()
    }

    /// Whether the carer of round `r` is a preferred carer of visit `v`'s client.
    pub fn is_preferred(&self, v: usize, r: usize) -> bool {
        self.clients[self.visits[v].client]
            .preferred
            .contains(&self.rounds[r].carer)
    }
}

impl ProblemBuilder {
    /// The problem of a request that passed [`crate::validate::validate`],
    /// with its previous plan's carers preferred (continuity) and its locks
    /// pinned. Returns an internal error (not a panic) if it did not pass.
    pub fn from_request(req: &Request) -> Result<ProblemBuilder, RotaError> {
        ProblemBuilder::from_request_until(req, &|| false)?
            .ok_or_else(|| RotaError::Internal("a problem build that cannot stop stopped".into()))
    }

    /// [`ProblemBuilder::from_request`], giving up (`Ok(None)`) as soon as
    /// `stop` says so: it is asked once per visit and once per row of each
    /// travel matrix, so a time limit or a cancellation is seen within
    /// milliseconds even on a large day.
    pub fn from_request_until(
        req: &Request,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<ProblemBuilder>, RotaError> {
        let with_matrix = req.travel_matrix.is_some();
        let refs: HashMap<&str, usize> = req
            .travel_matrix
            .iter()
            .flat_map(|m| m.refs.iter().enumerate().map(|(i, r)| (r.as_str(), i)))
            .collect();

        let mut nodes = Nodes::new(with_matrix, &refs);
        let Staff {
            carers,
            rounds,
            used_modes,
        } = carers_and_rounds(req, &mut nodes)?;
        let Some(Demand {
            visits,
            clients,
            ineligible,
            links,
        }) = clients_and_visits(req, &carers, &mut nodes, stop)?
        else {
            return Ok(None);
        };
        let Some(travel) = Travel::build_until(
            &nodes.nodes,
            &req.settings.travel,
            req.travel_matrix.as_ref(),
            used_modes,
            stop,
        ) else {
            return Ok(None);
        };
        let mut b = ProblemBuilder::new(carers, rounds, visits, clients, ineligible, travel)
            .metric_travel(!with_matrix)
            .links(links);
        if let Some(prev) = &req.previous_plan {
            b.add_previous_carers(prev);
        }
        if !req.locks.is_empty() {
            b.lock(req)?;
        }
        Ok(Some(b))
    }
}

/// What [`carers_and_rounds`] builds.
struct Staff {
    carers: Vec<CarerSpec>,
    rounds: Vec<RoundSpec>,
    used_modes: [bool; 3],
}

/// What [`clients_and_visits`] builds.
struct Demand {
    visits: Vec<VisitSpec>,
    clients: Vec<ClientSpec>,
    ineligible: Vec<Vec<Option<Ineligible>>>,
    /// Visits that start together (a request's `starts_with`).
    links: Vec<Link>,
}

/// Carers in request order and one round per shift, with the travel modes
/// in use (part of [`Problem::from_request_until`]).
fn carers_and_rounds(req: &Request, nodes: &mut Nodes) -> Result<Staff, RotaError> {
    let bad = |m: String| RotaError::Internal(format!("request not validated: {m}"));
    let mut used_modes = [false; 3];
    let mut carers = Vec::with_capacity(req.carers.len());
    let mut rounds = Vec::new();
    for (ci, c) in req.carers.iter().enumerate() {
        let mode = TravelMode::parse(&c.travel_mode)
            .ok_or_else(|| bad(format!("travel mode '{}'", c.travel_mode)))?;
        used_modes[mode.index()] = true;
        let start_node = nodes.of(c.start_location, Some(&c.id));
        let end_ref = format!("{}/end", c.id);
        let has_end_ref = nodes.refs.contains_key(end_ref.as_str());
        let end_node = if c.end() == c.start_location && !has_end_ref {
            start_node
        } else if has_end_ref {
            nodes.of(c.end(), Some(&end_ref))
        } else {
            nodes.of(c.end(), Some(&c.id))
        };
        let my_rounds = (rounds.len()..).take(c.all_shifts().len()).collect();
        rounds.extend(c.all_shifts().iter().map(|s| RoundSpec {
            carer: ci,
            start: minutes_of_day(s.start),
            end: minutes_of_day(s.end),
            mode,
            start_node,
            end_node,
            brk: s.brk.as_ref().map(|b| BreakSpec {
                earliest: minutes_of_day(b.earliest),
                latest: minutes_of_day(b.latest),
                minutes: b.minutes as i32,
            }),
            capacity: None,
        }));
        carers.push(CarerSpec {
            id: c.id.clone(),
            rounds: my_rounds,
        });
    }
    Ok(Staff {
        carers,
        rounds,
        used_modes,
    })
}

/// Visits, clients and why each carer cannot do each visit, with `after`
/// successors linked and `starts_with` pairs as [`Link`]s; `None` when `stop` says the time is up (part of
/// [`Problem::from_request_until`]).
fn clients_and_visits(
    req: &Request,
    carers: &[CarerSpec],
    nodes: &mut Nodes,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Demand>, RotaError> {
    let bad = |m: String| RotaError::Internal(format!("request not validated: {m}"));
    let carer_index = Problem::carer_index(carers);
    let mut visit_index: HashMap<&str, usize> = HashMap::new();
    for v in req.clients.iter().flat_map(|c| c.visits.iter()) {
        let n = visit_index.len();
        visit_index.insert(v.id.as_str(), n);
    }
    let mut visits = Vec::with_capacity(visit_index.len());
    let mut clients = Vec::with_capacity(req.clients.len());
    let mut ineligible = Vec::with_capacity(visit_index.len());
    let mut links = Vec::new();
    for (ki, k) in req.clients.iter().enumerate() {
        let node = nodes.of(k.location, Some(&k.id));
        let mut idxs = Vec::new();
        for v in &k.visits {
            if stop() {
                return Ok(None);
            }
            let after = match &v.after {
                Some(a) => Some((
                    *visit_index
                        .get(a.visit.as_str())
                        .ok_or_else(|| bad(format!("after '{}'", a.visit)))?,
                    a.min_gap as i32,
                )),
                None => None,
            };
            // `starts_with` (docs/format.md, "Visits that start together"):
            // the named visit first, this one second, lag 0..=0.
            if let Some(w) = &v.starts_with {
                let first = *visit_index
                    .get(w.visit.as_str())
                    .ok_or_else(|| bad(format!("starts_with '{}'", w.visit)))?;
                links.push(Link {
                    first,
                    second: visits.len(),
                    min_lag: 0,
                    max_lag: 0,
                });
            }
            idxs.push(visits.len());
            visits.push(VisitSpec {
                id: v.id.clone(),
                client: ki,
                node,
                tw_start: minutes_of_day(v.window.start),
                tw_end: minutes_of_day(v.window.end),
                duration: v.duration as i32,
                required: v.carers_required as usize,
                after,
                after_max: v.after.as_ref().and_then(|a| a.max_gap).map(|m| m as i32),
                successors: Vec::new(),
                load: 0,
                // `window.due` (docs/format.md, "Due times"): soft, so the
                // window above stays the hard limit.
                late_after: v.window.due.map(minutes_of_day),
            });
            ineligible.push(ineligible_reasons(req, k, v));
        }
        let preferred = k
            .preferred_carers
            .iter()
            .filter_map(|p| carer_index.get(p.as_str()).copied())
            .collect();
        clients.push(ClientSpec {
            id: k.id.clone(),
            priority: k.priority as i64,
            visits: topological(&idxs, &visits),
            preferred,
        });
    }
    for v in 0..visits.len() {
        if let Some((u, gap)) = visits[v].after {
            visits[u].successors.push((v, gap));
        }
    }
    Ok(Some(Demand {
        visits,
        clients,
        ineligible,
        links,
    }))
}

/// The travel nodes of a problem. With a matrix each location is its own
/// node, on its matrix row; without one, identical coordinates share one.
struct Nodes<'a> {
    nodes: Vec<Node>,
    with_matrix: bool,
    refs: &'a HashMap<&'a str, usize>,
    by_coord: HashMap<(u64, u64), usize>,
}

impl<'a> Nodes<'a> {
    fn new(with_matrix: bool, refs: &'a HashMap<&'a str, usize>) -> Nodes<'a> {
        Nodes {
            nodes: Vec::new(),
            with_matrix,
            refs,
            by_coord: HashMap::new(),
        }
    }

    /// The node of `loc`, whose matrix ref (if any) is `r`.
    fn of(&mut self, loc: Location, r: Option<&str>) -> usize {
        let nodes = &mut self.nodes;
        if self.with_matrix {
            nodes.push(Node {
                location: loc,
                matrix_row: r.and_then(|r| self.refs.get(r).copied()),
            });
            nodes.len() - 1
        } else {
            *self
                .by_coord
                .entry((loc.lat.to_bits(), loc.lon.to_bits()))
                .or_insert_with(|| {
                    nodes.push(Node {
                        location: loc,
                        matrix_row: None,
                    });
                    nodes.len() - 1
                })
        }
    }
}

/// Why each carer of `req` may not do visit `v` of client `k` (`None`:
/// eligible): a missing skill first, then gender, then exclusion.
fn ineligible_reasons(
    req: &Request,
    k: &crate::model::Client,
    v: &crate::model::Visit,
) -> Vec<Option<Ineligible>> {
    req.carers
        .iter()
        .map(|c| {
            if let Some(s) = v.skills.iter().find(|s| !c.skills.contains(s)) {
                Some(Ineligible::MissingSkill(s.clone()))
            } else if k.carer_gender.is_some() && c.gender != k.carer_gender {
                Some(Ineligible::Gender)
            } else if k.excluded_carers.contains(&c.id) {
                Some(Ineligible::Excluded)
            } else {
                None
            }
        })
        .collect()
}

/// Order a client's visits so that each `after` target precedes its
/// dependants (stable otherwise). Validation rejects cycles; should one slip
/// through, the remaining visits are appended in request order.
fn topological(idxs: &[usize], visits: &[VisitSpec]) -> Vec<usize> {
    let mut order = Vec::with_capacity(idxs.len());
    let mut placed: BTreeMap<usize, bool> = idxs.iter().map(|&v| (v, false)).collect();
    while order.len() < idxs.len() {
        let before = order.len();
        for &v in idxs {
            if placed[&v] {
                continue;
            }
            let ready = match visits[v].after {
                Some((u, _)) => placed.get(&u).copied().unwrap_or(true),
                None => true,
            };
            if ready {
                placed.insert(v, true);
                order.push(v);
            }
        }
        if order.len() == before {
            for &v in idxs {
                if !placed[&v] {
                    placed.insert(v, true);
                    order.push(v);
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::request_from_str;

    const REQ: &str = r#"{
      "date": "2026-11-23",
      "carers": [
        {"id":"C1","travel_mode":"drive","shift":{"start":"07:00","end":"15:00",
          "break":{"earliest":"10:30","latest":"12:30","minutes":20}},
         "start_location":{"lat":52.0565,"lon":-2.7160},"skills":["hoist"],"gender":"f"},
        {"id":"C2","travel_mode":"walk","shifts":[{"start":"07:00","end":"11:00"},
          {"start":"17:00","end":"21:00"}],
         "start_location":{"lat":52.0565,"lon":-2.7160},
         "end_location":{"lat":52.06,"lon":-2.72},"gender":"m"}
      ],
      "clients": [
        {"id":"P1","location":{"lat":52.2249,"lon":-2.7420},"priority":3,
         "preferred_carers":["C2"],
         "visits":[
           {"id":"P1-lunch","window":{"start":"12:00","end":"13:00"},"duration":20,
            "after":{"visit":"P1-am","min_gap":180}},
           {"id":"P1-am","window":{"start":"08:00","end":"09:00"},"duration":30,
            "carers_required":2,"skills":["hoist"]}]},
        {"id":"P2","location":{"lat":52.0565,"lon":-2.7160},"carer_gender":"f",
         "visits":[{"id":"P2-am","window":{"start":"08:00","end":"09:00"},"duration":15}]}
      ]
    }"#;

    #[test]
    fn builds_rounds_visits_and_eligibility() {
        let p = Problem::from_request(&request_from_str(REQ).unwrap()).unwrap();
        assert_eq!(p.rounds.len(), 3);
        assert_eq!(p.rounds[2].start, 17 * 60);
        assert_eq!(p.rounds[0].brk.unwrap().minutes, 20);
        // P1-am needs hoist: only C1's round.
        let am = p.visits.iter().position(|v| v.id == "P1-am").unwrap();
        assert_eq!(p.eligible[am], vec![0]);
        assert_eq!(
            p.ineligible[am][1],
            Some(Ineligible::MissingSkill("hoist".into()))
        );
        // P2 wants a female carer.
        let p2 = p.visits.iter().position(|v| v.id == "P2-am").unwrap();
        assert_eq!(p.eligible[p2], vec![0]);
        assert_eq!(p.ineligible[p2][1], Some(Ineligible::Gender));
        // after-target first, successor recorded.
        assert_eq!(p.clients[0].visits[0], am);
        assert_eq!(p.visits[am].successors.len(), 1);
        assert!(p.is_preferred(am, 1));
    }

    #[test]
    fn identical_coordinates_share_a_node_and_travel_is_zero() {
        let p = Problem::from_request(&request_from_str(REQ).unwrap()).unwrap();
        let p2 = p.visits.iter().position(|v| v.id == "P2-am").unwrap();
        // P2 lives at C1's start location.
        assert_eq!(p.visits[p2].node, p.rounds[0].start_node);
        assert_eq!(p.time(0, p.rounds[0].start_node, p.visits[p2].node), 0);
        // C2 ends elsewhere.
        assert_ne!(p.rounds[1].start_node, p.rounds[1].end_node);
        // Walking Hereford -> Leominster: 306 minutes.
        let am = p.visits.iter().position(|v| v.id == "P1-am").unwrap();
        assert_eq!(p.time(1, p.rounds[1].start_node, p.visits[am].node), 306);
    }
}
