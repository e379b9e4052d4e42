//! Solomon's VRPTW instances mapped into the solver's [`Problem`], so the
//! core can be measured against proven optima (`../shared/benchmarks/solomon`).
//!
//! Convention of the distance-only optima (`bks_distance_only.csv`): every
//! arc's distance and travel time is the Euclidean distance truncated to one
//! decimal. The problem works in integers, so every time and distance is in
//! **tenths**: travel = `floor(10 * d)`, windows and service times x 10.
//! Each vehicle is a round from the depot back to the depot within the
//! depot's horizon, with the vehicle capacity as the round's load limit;
//! each customer is a client of priority 1 with one visit whose load is its
//! demand. Serving every customer comes first, then the least distance.
//!
//! [`verify`] re-checks a solution from the raw instance data (capacity,
//! windows, horizon, every customer once) without the solver's code.

use std::fmt::Write;

use crate::error::RotaError;
use crate::problem::{CarerSpec, ClientSpec, Problem, ProblemBuilder, RoundSpec, VisitSpec};
use crate::solve::Solution;
use crate::travel::{Travel, TravelMode};

/// One customer line (customer 0 is the depot).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customer {
    pub id: u32,
    pub x: f64,
    pub y: f64,
    pub demand: i32,
    pub ready: i32,
    pub due: i32,
    pub service: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i32,
    /// The depot first, then the customers in file order.
    pub customers: Vec<Customer>,
}

fn bad(path: &str, m: impl Into<String>) -> RotaError {
    RotaError::invalid(crate::Issue::new(
        "E1005",
        path,
        format!("not a Solomon instance: {}", m.into()),
        "give a file of ../shared/benchmarks/solomon/instances (name, VEHICLE, CUSTOMER sections)",
    ))
}

/// Parse the text of an instance file (`path` only names it in errors).
pub fn parse(text: &str, path: &str) -> Result<Instance, RotaError> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let name = lines
        .next()
        .ok_or_else(|| bad(path, "empty file"))?
        .to_string();
    let mut vehicles = None;
    let mut customers = Vec::new();
    for line in lines {
        let nums: Vec<&str> = line.split_whitespace().collect();
        if nums.iter().any(|t| t.parse::<f64>().is_err()) {
            continue; // a heading
        }
        match nums.len() {
            2 if vehicles.is_none() => {
                let k: usize = nums[0].parse().map_err(|_| bad(path, "vehicle number"))?;
                let q: i32 = nums[1].parse().map_err(|_| bad(path, "capacity"))?;
                vehicles = Some((k, q));
            }
            7 => {
                let f = |i: usize| nums[i].parse::<f64>().unwrap_or(f64::NAN);
                let int = |i: usize| {
                    let x = f(i);
                    if x.is_finite() && x.fract() == 0.0 {
                        Ok(x as i32)
                    } else {
                        Err(bad(
                            path,
                            format!("line '{line}': field {} is not whole", i + 1),
                        ))
                    }
                };
                customers.push(Customer {
                    id: int(0)? as u32,
                    x: f(1),
                    y: f(2),
                    demand: int(3)?,
                    ready: int(4)?,
                    due: int(5)?,
                    service: int(6)?,
                });
            }
            n => return Err(bad(path, format!("line '{line}' has {n} numbers"))),
        }
    }
    let (vehicles, capacity) = vehicles.ok_or_else(|| bad(path, "no VEHICLE section"))?;
    if customers.len() < 2 || customers[0].id != 0 {
        return Err(bad(
            path,
            "the depot (customer 0) and at least one customer are needed",
        ));
    }
    Ok(Instance {
        name,
        vehicles,
        capacity,
        customers,
    })
}

/// Travel in tenths: the Euclidean distance truncated to one decimal, x 10.
pub fn tenths(a: &Customer, b: &Customer) -> i32 {
    let d = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    (10.0 * d + 1e-9).floor() as i32
}

/// The instance as a [`Problem`]: node `i` is customer `i` (0 the depot).
pub fn problem(inst: &Instance) -> Problem {
    let n = inst.customers.len();
    let mut m = vec![0i32; n * n];
    for (i, a) in inst.customers.iter().enumerate() {
        for (j, b) in inst.customers.iter().enumerate() {
            m[i * n + j] = tenths(a, b);
        }
    }
    let depot = inst.customers[0];
    let rounds: Vec<RoundSpec> = (0..inst.vehicles)
        .map(|k| RoundSpec {
            carer: k,
            start: depot.ready * 10,
            end: depot.due * 10,
            mode: TravelMode::Drive,
            start_node: 0,
            end_node: 0,
            brk: None,
            capacity: Some(inst.capacity),
        })
        .collect();
    let carers = (0..inst.vehicles)
        .map(|k| CarerSpec {
            id: format!("V{}", k + 1),
            rounds: vec![k],
        })
        .collect();
    let visits: Vec<VisitSpec> = inst.customers[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| VisitSpec {
            id: c.id.to_string(),
            client: i,
            node: i + 1,
            tw_start: c.ready * 10,
            tw_end: c.due * 10,
            duration: c.service * 10,
            required: 1,
            after: None,
            after_max: None,
            successors: Vec::new(),
            load: c.demand,
            late_after: None,
        })
        .collect();
    let clients = (0..visits.len())
        .map(|i| ClientSpec {
            id: visits[i].id.clone(),
            priority: 1,
            visits: vec![i],
            preferred: Vec::new(),
        })
        .collect();
    // Every vehicle may serve every customer. Travel is not metric:
    // truncation can break the triangle inequality by a tenth.
    let ineligible = vec![vec![None; inst.vehicles]; visits.len()];
    ProblemBuilder::new(
        carers,
        rounds,
        visits,
        clients,
        ineligible,
        Travel::from_matrix(n, m),
    )
    .metric_travel(false)
    .build()
}

/// Routes as customer numbers in visiting order, used routes only.
pub fn routes(inst: &Instance, sol: &Solution) -> Vec<Vec<u32>> {
    sol.routes
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.iter().map(|&v| inst.customers[v + 1].id).collect())
        .collect()
}

/// `1 5 3|2 4`: routes separated by `|`.
pub fn routes_text(routes: &[Vec<u32>]) -> String {
    let mut out = String::new();
    for (i, r) in routes.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        for (j, c) in r.iter().enumerate() {
            let _ = write!(out, "{}{c}", if j > 0 { " " } else { "" });
        }
    }
    out
}

/// Check routes against the raw instance (every customer exactly once,
/// capacity, start of service within the window, back at the depot by its
/// due date, at most `vehicles` routes) and return the distance in tenths
/// (sum of truncated arcs). Independent of the solver: it re-times each
/// route from scratch, serving each customer as early as possible.
pub fn verify(inst: &Instance, routes: &[Vec<u32>]) -> Result<i64, String> {
    let by_id: std::collections::HashMap<u32, &Customer> =
        inst.customers.iter().map(|c| (c.id, c)).collect();
    let depot = &inst.customers[0];
    if routes.len() > inst.vehicles {
        return Err(format!(
            "{} routes for {} vehicles",
            routes.len(),
            inst.vehicles
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut total = 0i64;
    for (k, r) in routes.iter().enumerate() {
        let mut t = depot.ready * 10;
        let mut at = depot;
        let mut load = 0;
        for id in r {
            let c = *by_id
                .get(id)
                .filter(|c| c.id != 0)
                .ok_or_else(|| format!("route {k}: no customer {id}"))?;
            if !seen.insert(*id) {
                return Err(format!("customer {id} visited twice"));
            }
            let d = tenths(at, c);
            total += d as i64;
            t = (t + d).max(c.ready * 10);
            if t > c.due * 10 {
                return Err(format!(
                    "route {k}: customer {id} starts at {t} tenths, due {}",
                    c.due * 10
                ));
            }
            t += c.service * 10;
            load += c.demand;
            at = c;
        }
        let d = tenths(at, depot);
        total += d as i64;
        if t + d > depot.due * 10 {
            return Err(format!(
                "route {k}: back at the depot at {} tenths, after {}",
                t + d,
                depot.due * 10
            ));
        }
        if load > inst.capacity {
            return Err(format!(
                "route {k}: load {load} over capacity {}",
                inst.capacity
            ));
        }
    }
    if seen.len() != inst.customers.len() - 1 {
        return Err(format!(
            "{} of {} customers served",
            seen.len(),
            inst.customers.len() - 1
        ));
    }
    Ok(total)
}

/// The same routes' distance in double precision (the hierarchical BKS
/// convention): no truncation per arc.
pub fn exact_distance(inst: &Instance, routes: &[Vec<u32>]) -> f64 {
    let by_id: std::collections::HashMap<u32, &Customer> =
        inst.customers.iter().map(|c| (c.id, c)).collect();
    let d = |a: &Customer, b: &Customer| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    let depot = &inst.customers[0];
    routes
        .iter()
        .map(|r| {
            let mut at = depot;
            let mut t = 0.0;
            for id in r {
                if let Some(c) = by_id.get(id) {
                    t += d(at, c);
                    at = c;
                }
            }
            t + d(at, depot)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "T1\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n \n    0      0         0          0          0       100          0\r\n    1      3         4          6          0        50         10\r\n    2      0         1          6          0        50          5\r\n";

    #[test]
    fn parses_and_maps_an_instance() {
        let inst = parse(TINY, "tiny").unwrap();
        assert_eq!(
            (inst.name.as_str(), inst.vehicles, inst.capacity),
            ("T1", 2, 10)
        );
        assert_eq!(inst.customers.len(), 3);
        let p = problem(&inst);
        assert_eq!(p.travel.time(TravelMode::Drive, 0, 1), 50);
        assert_eq!(p.visits[0].duration, 100);
        assert_eq!(p.rounds[0].capacity, Some(10));
    }

    #[test]
    fn capacity_splits_the_routes_and_verify_agrees() {
        let inst = parse(TINY, "tiny").unwrap();
        let p = problem(&inst);
        let g = crate::solve::construct::greedy::construct(&p);
        let r = routes(&inst, &g.solution);
        // 6 + 6 > 10: one customer per vehicle.
        assert_eq!(r.len(), 2);
        assert_eq!(verify(&inst, &r), Ok(50 + 50 + 10 + 10));
        assert!(
            verify(&inst, &[vec![1, 2]])
                .unwrap_err()
                .contains("capacity")
        );
        assert!(verify(&inst, &[vec![1]]).unwrap_err().contains("1 of 2"));
        assert_eq!(routes_text(&r), "1|2");
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        assert!(parse("", "x").is_err());
        assert!(parse("X\n1 2 3\n", "x").is_err());
        assert!(parse("X\nVEHICLE\n2 10\n0 0 0 0 0 100 0\n", "x").is_err());
    }
}
