//! The independent verifier of Mankowska HHCRSP solutions. It reads the
//! instance file itself (it does not use `readers::mankowska`), checks every
//! rule of the problem on the given routes, and recomputes the objective of
//! `bks.csv`: (D + T + Tmax) / 3, with D the travel distance of all routes
//! (depot to depot), T the total tardiness past the soft latest start `l`
//! over all patient services, Tmax the largest of them.
//!
//! Rules: every route belongs to a caregiver (one list per caregiver, in
//! caregiver order); each visit names a patient node and a service that node
//! requires; each required service is done exactly once, by a qualified
//! caregiver; the two services of a double-service patient by two different
//! caregivers, starting together (`mind = maxd = 0`) or the lower service
//! index first with `mind <= start2 - start1 <= maxd`; a service starts no
//! earlier than `e`, and no earlier than the caregiver can get there
//! (previous start + its processing time + travel; routes leave the depot
//! at time 0). Each caregiver stays for its own service's processing time.

use std::collections::HashMap;

/// Slack for float times and distances (the files have up to 6 decimals).
const EPS: f64 = 1e-6;

/// One service in a route: the patient node (0-based, as in the file), the
/// service index, and its start time.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Visit {
    pub node: usize,
    pub service: usize,
    pub start: f64,
}

/// The published objective's parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    pub distance: f64,
    pub tardiness: f64,
    pub max_tardiness: f64,
}

impl Costs {
    /// (D + T + Tmax) / 3.
    pub fn cost(&self) -> f64 {
        (self.distance + self.tardiness + self.max_tardiness) / 3.0
    }
}

/// The raw data the rules need, read from the file by this module alone.
struct Raw {
    n: usize,
    v: usize,
    s: usize,
    r: Vec<f64>,
    ds: Vec<usize>,
    a: Vec<f64>,
    d: Vec<f64>,
    p: Vec<f64>,
    mind: Vec<f64>,
    maxd: Vec<f64>,
    e: Vec<f64>,
    l: Vec<f64>,
}

fn read(text: &str) -> Result<Raw, String> {
    let mut sec: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut key = "";
    for t in text.split_whitespace() {
        if t.chars().next().is_some_and(char::is_alphabetic) {
            key = t;
            sec.entry(key).or_default();
        } else {
            sec.entry(key).or_default().push(t);
        }
    }
    let nums = |k: &str| -> Result<Vec<f64>, String> {
        sec.get(k)
            .ok_or(format!("the instance has no '{k}'"))?
            .iter()
            .map(|t| t.parse::<f64>().map_err(|_| format!("'{t}' in '{k}'")))
            .collect()
    };
    let one = |k: &str| -> Result<usize, String> {
        match nums(k)?.as_slice() {
            [x] if *x >= 0.0 && x.fract() == 0.0 => Ok(*x as usize),
            _ => Err(format!("'{k}' is not one count")),
        }
    };
    let (n, v, s) = (one("nbNodes")?, one("nbVehi")?, one("nbServi")?);
    let sized = |k: &str, len: usize| -> Result<Vec<f64>, String> {
        let x = nums(k)?;
        if x.len() == len {
            Ok(x)
        } else {
            Err(format!("'{k}' has {} values, not {len}", x.len()))
        }
    };
    Ok(Raw {
        r: sized("r", n * s)?,
        ds: nums("DS")?
            .iter()
            .filter_map(|&x| (x as usize).checked_sub(1))
            .collect(),
        a: sized("a", v * s)?,
        d: sized("d", n * n)?,
        p: sized("p", n * v * s)?,
        mind: sized("mind", n)?,
        maxd: sized("maxd", n)?,
        e: sized("e", n)?,
        l: sized("l", n)?,
        n,
        v,
        s,
    })
}

/// Check `routes` (one list per caregiver, in caregiver order, depot left
/// out) against the instance `text`: the costs, or every rule broken.
pub fn verify(text: &str, routes: &[Vec<Visit>]) -> Result<Costs, Vec<String>> {
    let raw = read(text).map_err(|e| vec![e])?;
    let (n, s) = (raw.n, raw.s);
    let mut bad = Vec::new();
    if routes.len() != raw.v {
        bad.push(format!("{} routes for {} caregivers", routes.len(), raw.v));
    }
    let dist = |i: usize, j: usize| raw.d[i * n + j];
    // (node, service) -> (caregiver, start)
    let mut done: HashMap<(usize, usize), Vec<(usize, f64)>> = HashMap::new();
    let (mut distance, mut tardiness, mut max_tardiness) = (0.0, 0.0, 0.0f64);
    for (c, route) in routes.iter().enumerate().take(raw.v) {
        let (mut at, mut free) = (0usize, 0.0f64);
        for x in route {
            if x.node == 0 || x.node + 1 >= n || x.service >= s {
                bad.push(format!(
                    "caregiver {c}: node {} service {} is not a patient's service",
                    x.node, x.service
                ));
                continue;
            }
            if raw.r[x.node * s + x.service] != 1.0 {
                bad.push(format!(
                    "caregiver {c}: node {} does not require service {}",
                    x.node, x.service
                ));
            }
            if raw.a[c * s + x.service] != 1.0 {
                bad.push(format!(
                    "caregiver {c} is not qualified for service {} (node {})",
                    x.service, x.node
                ));
            }
            if x.start + EPS < raw.e[x.node] {
                bad.push(format!(
                    "caregiver {c}: node {} starts {} before its earliest start {}",
                    x.node, x.start, raw.e[x.node]
                ));
            }
            let arrive = free + dist(at, x.node);
            if x.start + EPS < arrive {
                bad.push(format!(
                    "caregiver {c}: node {} starts {} but cannot be there before {arrive}",
                    x.node, x.start
                ));
            }
            distance += dist(at, x.node);
            let late = (x.start - raw.l[x.node]).max(0.0);
            tardiness += late;
            max_tardiness = max_tardiness.max(late);
            done.entry((x.node, x.service))
                .or_default()
                .push((c, x.start));
            at = x.node;
            free = x.start + raw.p[(x.node * raw.v + c) * s + x.service];
        }
        distance += dist(at, n - 1);
    }
    for i in 1..n.saturating_sub(1) {
        let need: Vec<usize> = (0..s).filter(|&k| raw.r[i * s + k] == 1.0).collect();
        for &k in &need {
            match done.get(&(i, k)).map(Vec::len).unwrap_or(0) {
                1 => {}
                m => bad.push(format!("node {i} service {k} is done {m} times, not once")),
            }
        }
        if let ([k1, k2], true) = (need.as_slice(), raw.ds.contains(&i)) {
            let (Some([(c1, t1)]), Some([(c2, t2)])) = (
                done.get(&(i, *k1)).map(Vec::as_slice),
                done.get(&(i, *k2)).map(Vec::as_slice),
            ) else {
                continue;
            };
            if c1 == c2 {
                bad.push(format!(
                    "node {i}: both services by caregiver {c1}, two are needed"
                ));
            }
            let gap = t2 - t1;
            if gap + EPS < raw.mind[i] || gap - EPS > raw.maxd[i] {
                bad.push(format!(
                    "node {i}: service {k2} starts {gap} after service {k1}, allowed {} to {}",
                    raw.mind[i], raw.maxd[i]
                ));
            }
        }
    }
    if bad.is_empty() {
        Ok(Costs {
            distance,
            tardiness,
            max_tardiness,
        })
    } else {
        Err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::{Visit, verify};
    use crate::readers::mankowska::tests::TINY;

    fn v(node: usize, service: usize, start: f64) -> Visit {
        Visit {
            node,
            service,
            start,
        }
    }

    /// Caregiver 0 does patient 1 then patient 2's service 0; caregiver 1
    /// does patient 2's service 1, 5 to 20 after.
    fn good() -> Vec<Vec<Visit>> {
        vec![
            vec![v(1, 0, 10.0), v(2, 0, 27.2111)],
            vec![v(2, 1, 32.2111)],
        ]
    }

    #[test]
    fn a_good_solution_and_its_costs() {
        let c = verify(TINY, &good()).unwrap();
        // 0 -> 1 -> 2 -> end: 5 + 7.2111 + 6; 0 -> 2 -> end: 6 + 6.
        assert!((c.distance - 30.2111).abs() < 1e-9, "{c:?}");
        assert_eq!(c.tardiness, 0.0);
        let mut late = good();
        late[0][1].start = 45.2111; // 5.2111 past l = 40
        late[1][0].start = 50.2111; // 10.2111 past
        let c = verify(TINY, &late).unwrap();
        assert!((c.tardiness - 15.4222).abs() < 1e-9, "{c:?}");
        assert!((c.max_tardiness - 10.2111).abs() < 1e-9, "{c:?}");
        assert!((c.cost() - (30.2111 + 15.4222 + 10.2111) / 3.0).abs() < 1e-9);
    }

    /// One hand-broken solution per rule, each rejected with its message.
    #[test]
    fn rejects_each_broken_rule() {
        let cases: Vec<(&str, Vec<Vec<Visit>>)> = vec![
            ("routes for 2 caregivers", vec![good()[0].clone()]),
            ("is not a patient's service", {
                let mut r = good();
                r[1].push(v(3, 0, 60.0));
                r
            }),
            ("does not require service 1", {
                let mut r = good();
                r[1].push(v(1, 1, 60.0));
                r
            }),
            ("is not qualified for service 1", {
                let mut r = good();
                r.swap(0, 1);
                r
            }),
            ("before its earliest start 10", {
                let mut r = good();
                r[0][0].start = 5.0;
                r
            }),
            ("cannot be there before", {
                let mut r = good();
                r[0][1].start = 20.0;
                r[1][0].start = 25.0;
                r
            }),
            ("node 1 service 0 is done 0 times", {
                let mut r = good();
                r[0].remove(0);
                r
            }),
            (
                "both services by caregiver 1",
                vec![vec![v(1, 0, 10.0)], vec![v(2, 0, 6.0), v(2, 1, 21.0)]],
            ),
            ("allowed 5 to 20", {
                let mut r = good();
                r[1][0].start = 60.0;
                r
            }),
        ];
        for (says, routes) in cases {
            let errs = verify(TINY, &routes).unwrap_err();
            assert!(errs.iter().any(|e| e.contains(says)), "{says}: {errs:?}");
        }
    }
}
