//! Mankowska, Meisel & Bierwirth (2014) home-health-care instances (HHCRSP),
//! in Kummer's variant of the text format
//! (`../shared/benchmarks/hhcrsp/mankowska2014/README.md`): patients with
//! one or two services, caregivers qualified for some services, a
//! synchronised or precedence-linked double service, hard earliest and soft
//! latest starts, and travel by a dense distance matrix.
//!
//! This reader gives the instance as it stands in the file (0-based nodes,
//! node 0 the depot, node `N - 1` its copy). The benchmark's independent
//! verifier (`bench::hhcrsp::verify`) parses the file with its own code.

use crate::error::{Issue, RotaError};
use crate::problem::{
    CarerSpec, ClientSpec, Ineligible, Lateness, Link, Problem, ProblemBuilder, RoundSpec,
    VisitSpec,
};
use crate::travel::{Travel, TravelMode};

/// Problem units per instance time unit: the files give distances with up
/// to six decimals, so they are scaled (not rounded to whole units). Travel
/// is rounded up to the unit, so starts in the problem's units are never
/// earlier than the exact arithmetic allows.
pub const SCALE: f64 = 10_000.0;

/// Far beyond any start: the instances have no hard latest start, and the
/// return to the depot is unconstrained.
const OPEN: i32 = i32::MAX / 8;

/// One instance, as in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Nodes: 0 the depot, `1..nodes - 1` the patients, `nodes - 1` the
    /// depot's copy (the end of every route).
    pub nodes: usize,
    pub vehicles: usize,
    pub services: usize,
    /// `requires[i][s]`: node `i` requires service `s`.
    pub requires: Vec<Vec<bool>>,
    /// The double-service patients, as 0-based nodes.
    pub double: Vec<usize>,
    /// `qualified[v][s]`: caregiver `v` may do service `s`.
    pub qualified: Vec<Vec<bool>>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Travel distance (= time) between nodes.
    pub distance: Vec<Vec<f64>>,
    /// `processing[i][v][s]`: time caregiver `v` needs for service `s` at `i`.
    pub processing: Vec<Vec<Vec<f64>>>,
    /// Least and largest gap between the starts of a double service's two
    /// services (both 0: they start together).
    pub min_gap: Vec<f64>,
    pub max_gap: Vec<f64>,
    /// Earliest (hard) and latest (soft: lateness is tardiness) start.
    pub earliest: Vec<f64>,
    pub latest: Vec<f64>,
}

impl Instance {
    /// The patient nodes (the depot and its copy left out).
    pub fn patients(&self) -> std::ops::Range<usize> {
        1..self.nodes.saturating_sub(1)
    }

    /// The services patient `i` requires, lowest index first.
    pub fn services_of(&self, i: usize) -> Vec<usize> {
        (0..self.services)
            .filter(|&s| self.requires[i][s])
            .collect()
    }

    /// Whether patient `i`'s two services must start together.
    pub fn is_simultaneous(&self, i: usize) -> bool {
        self.min_gap[i] == 0.0 && self.max_gap[i] == 0.0
    }
}

/// A time of the file in problem units, rounded up (earliest starts,
/// durations, least gaps, travel) or down (largest gaps, soft latest starts).
fn up(x: f64) -> i32 {
    (x * SCALE - 1e-6).ceil() as i32
}

fn down(x: f64) -> i32 {
    (x * SCALE + 1e-6).floor() as i32
}

/// The instance as a [`Problem`]: one carer and round per caregiver (from
/// the depot at time 0, back unconstrained), one client per patient with
/// one visit per required service (lowest service first, eligible to the
/// qualified caregivers, a hard earliest and a soft latest start), a
/// [`Link`] between a double-service patient's two visits (together, or the
/// lower service first within `[mind, maxd]`), and lateness costing one per
/// unit in total and once more for the largest: the published objective
/// `D + T + Tmax` (three times the table's value). With it, the
/// `(node, service)` of each visit.
pub fn problem(inst: &Instance, file: &str) -> Result<(Problem, Vec<(usize, usize)>), RotaError> {
    let n = inst.nodes;
    let same_for_all = inst.patients().all(|i| {
        inst.processing[i]
            .iter()
            .all(|row| row == &inst.processing[i][0])
    });
    if !same_for_all || inst.vehicles == 0 {
        return Err(bad(
            file,
            "processing times that differ by caregiver are not supported",
        ));
    }
    let m = inst
        .distance
        .iter()
        .flat_map(|row| row.iter().map(|&d| up(d)))
        .collect();
    let rounds = (0..inst.vehicles)
        .map(|k| RoundSpec {
            carer: k,
            start: up(inst.earliest[0]),
            end: OPEN,
            mode: TravelMode::Drive,
            start_node: 0,
            end_node: n - 1,
            brk: None,
            capacity: None,
        })
        .collect();
    let carers = (0..inst.vehicles)
        .map(|k| CarerSpec {
            id: format!("caregiver {k}"),
            rounds: vec![k],
        })
        .collect();
    let (mut visits, mut clients, mut services) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ineligible, mut links) = (Vec::new(), Vec::new());
    for i in inst.patients() {
        let mut mine = Vec::new();
        for s in inst.services_of(i) {
            mine.push(visits.len());
            services.push((i, s));
            visits.push(VisitSpec {
                id: format!("{i}-{s}"),
                client: clients.len(),
                node: i,
                tw_start: up(inst.earliest[i]),
                tw_end: OPEN,
                duration: up(inst.processing[i][0][s]),
                required: 1,
                after: None,
                after_max: None,
                successors: Vec::new(),
                load: 0,
                late_after: Some(down(inst.latest[i])),
            });
            ineligible.push(
                (0..inst.vehicles)
                    .map(|k| {
                        (!inst.qualified[k][s])
                            .then(|| Ineligible::MissingSkill(format!("service {s}")))
                    })
                    .collect(),
            );
        }
        if let [first, second] = mine[..] {
            links.push(Link {
                first,
                second,
                min_lag: up(inst.min_gap[i]),
                max_lag: down(inst.max_gap[i]),
            });
        }
        clients.push(ClientSpec {
            id: i.to_string(),
            priority: 1,
            visits: mine,
            preferred: Vec::new(),
        });
    }
    let travel = Travel::from_matrix(n, m);
    let problem = ProblemBuilder::new(carers, rounds, visits, clients, ineligible, travel)
        .metric_travel(false)
        .links(links)
        .weighted(Lateness {
            per_minute: 1,
            worst: 1,
        })
        .build();
    Ok((problem, services))
}

/// The error for a file that is not such an instance (E1008), naming it.
fn bad(file: &str, what: impl Into<String>) -> RotaError {
    RotaError::invalid(Issue::new(
        "E1008",
        file,
        format!("not a Mankowska HHCRSP instance: {}", what.into()),
        "give a file of ../shared/benchmarks/hhcrsp/mankowska2014/instances",
    ))
}

/// The numbers after each keyword, in file order.
struct Sections<'a> {
    file: &'a str,
    items: Vec<(&'a str, Vec<&'a str>)>,
}

impl<'a> Sections<'a> {
    fn of(text: &'a str, file: &'a str) -> Sections<'a> {
        let mut items: Vec<(&str, Vec<&str>)> = Vec::new();
        for tok in text.split_whitespace() {
            if tok.starts_with(|c: char| c.is_ascii_alphabetic()) {
                items.push((tok, Vec::new()));
            } else if let Some((_, v)) = items.last_mut() {
                v.push(tok);
            }
        }
        Sections { file, items }
    }

    fn numbers(&self, key: &str, count: usize) -> Result<Vec<f64>, RotaError> {
        let (_, toks) = self
            .items
            .iter()
            .find(|(k, _)| *k == key)
            .ok_or_else(|| bad(self.file, format!("no '{key}' section")))?;
        if toks.len() != count {
            return Err(bad(
                self.file,
                format!("'{key}' has {} number(s), {count} expected", toks.len()),
            ));
        }
        toks.iter()
            .map(|t| {
                t.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(self.file, format!("'{t}' in '{key}' is not a number")))
            })
            .collect()
    }

    fn count(&self, key: &str) -> Result<usize, RotaError> {
        let n = self.numbers(key, 1)?[0];
        if n < 1.0 || n.fract() != 0.0 || n > 1e6 {
            return Err(bad(self.file, format!("'{key}' is {n}, not a count")));
        }
        Ok(n as usize)
    }

    fn flags(&self, key: &str, rows: usize, cols: usize) -> Result<Vec<Vec<bool>>, RotaError> {
        let v = self.numbers(key, rows * cols)?;
        if v.iter().any(|&x| x != 0.0 && x != 1.0) {
            return Err(bad(
                self.file,
                format!("'{key}' holds values other than 0 and 1"),
            ));
        }
        Ok(v.chunks(cols)
            .map(|r| r.iter().map(|&x| x == 1.0).collect())
            .collect())
    }
}

/// Parse an instance file's text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Instance, RotaError> {
    let s = Sections::of(text, file);
    let nodes = s.count("nbNodes")?;
    let vehicles = s.count("nbVehi")?;
    let services = s.count("nbServi")?;
    if nodes < 2 {
        return Err(bad(file, "fewer than two nodes (the depot and its copy)"));
    }
    let requires = s.flags("r", nodes, services)?;
    let (_, ds) = s
        .items
        .iter()
        .find(|(k, _)| *k == "DS")
        .ok_or_else(|| bad(file, "no 'DS' section"))?;
    let double = ds
        .iter()
        .map(|t| match t.parse::<usize>() {
            Ok(n) if (2..nodes).contains(&n) => Ok(n - 1),
            _ => Err(bad(
                file,
                format!("'{t}' in 'DS' is not a patient node (1-based)"),
            )),
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let qualified = s.flags("a", vehicles, services)?;
    let square = |key: &str| -> Result<Vec<Vec<f64>>, RotaError> {
        Ok(s.numbers(key, nodes * nodes)?
            .chunks(nodes)
            .map(<[f64]>::to_vec)
            .collect())
    };
    let distance = square("d")?;
    let p = s.numbers("p", nodes * vehicles * services)?;
    let processing = p
        .chunks(vehicles * services)
        .map(|node| node.chunks(services).map(<[f64]>::to_vec).collect())
        .collect();
    let inst = Instance {
        nodes,
        vehicles,
        services,
        requires,
        double,
        qualified,
        x: s.numbers("x", nodes)?,
        y: s.numbers("y", nodes)?,
        distance,
        processing,
        min_gap: s.numbers("mind", nodes)?,
        max_gap: s.numbers("maxd", nodes)?,
        earliest: s.numbers("e", nodes)?,
        latest: s.numbers("l", nodes)?,
    };
    for i in inst.patients() {
        let n = inst.services_of(i).len();
        let want = if inst.double.contains(&i) { 2 } else { 1 };
        if n != want {
            return Err(bad(
                file,
                format!("patient node {i} requires {n} services but DS says {want}"),
            ));
        }
    }
    if inst.distance.iter().flatten().any(|&d| d < 0.0)
        || inst.processing.iter().flatten().flatten().any(|&p| p < 0.0)
    {
        return Err(bad(file, "a negative distance or processing time"));
    }
    Ok(inst)
}

/// A shared instance of `../shared/benchmarks/hhcrsp/mankowska2014/instances`
/// as a [`Problem`] (for tests; the folder must be beside the repository).
#[cfg(test)]
pub(crate) fn shared_problem(file: &str) -> Problem {
    let path = format!(
        "{}/../shared/benchmarks/hhcrsp/mankowska2014/instances/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("../shared beside the repository");
    problem(&parse(&text, &path).unwrap(), &path).unwrap().0
}

#[cfg(test)]
pub(crate) mod tests {
    /// Two patients and two caregivers: patient 1 needs service 0, patient 2
    /// needs services 0 and 1 (a double service, 5 to 20 apart).
    pub(crate) const TINY: &str = "nbNodes\n4\nnbVehi\n2\nnbServi\n2\n\
        r\n1 1\n1 0\n1 1\n1 1\nDS\n3\na\n1 0\n1 1\n\
        x\n0 3 0 0\ny\n0 4 6 0\n\
        d\n0 5 6 0\n5 0 7.2111 5\n6 7.2111 0 6\n0 5 6 0\n\
        p\n0 0\n0 0\n10 0\n10 0\n15 20\n15 20\n0 0\n0 0\n\
        mind\n0 0 5 0\nmaxd\n0 0 20 0\ne\n0 10 0 0\nl\n600 30 40 600\n";

    #[test]
    fn reads_a_tiny_instance() {
        let inst = super::parse(TINY, "tiny.txt").unwrap();
        assert_eq!((inst.nodes, inst.vehicles, inst.services), (4, 2, 2));
        assert_eq!(inst.double, vec![2]);
        assert_eq!(inst.services_of(1), vec![0]);
        assert_eq!(inst.services_of(2), vec![0, 1]);
        assert!(!inst.is_simultaneous(2));
        assert!(inst.qualified[1][1] && !inst.qualified[0][1]);
        assert_eq!(inst.processing[2][1], vec![15.0, 20.0]);
        assert_eq!(inst.distance[1][2], 7.2111);
        assert_eq!((inst.earliest[1], inst.latest[2]), (10.0, 40.0));
        assert_eq!(inst.patients(), 1..3);
    }

    #[test]
    fn maps_a_tiny_instance_into_a_problem() {
        let inst = super::parse(TINY, "tiny.txt").unwrap();
        let (p, services) = super::problem(&inst, "tiny.txt").unwrap();
        assert_eq!(services, vec![(1, 0), (2, 0), (2, 1)]);
        assert_eq!((p.rounds.len(), p.clients.len()), (2, 2));
        assert_eq!(p.clients[1].visits, vec![1, 2]);
        // Service 1 only by caregiver 1; service 0 by both.
        assert_eq!(p.eligible, vec![vec![0, 1], vec![0, 1], vec![1]]);
        let l = p.links[0];
        assert_eq!(
            (l.first, l.second, l.min_lag, l.max_lag),
            (1, 2, 50_000, 200_000)
        );
        // 7.2111 scaled and rounded up; the depot's copy is the end.
        assert_eq!(
            p.travel.time(crate::travel::TravelMode::Drive, 1, 2),
            72_111
        );
        assert_eq!((p.rounds[0].start_node, p.rounds[0].end_node), (0, 3));
        assert_eq!(p.visits[2].duration, 200_000);
        assert_eq!(
            (p.visits[0].tw_start, p.visits[0].late_after),
            (100_000, Some(300_000))
        );
    }

    #[test]
    fn rejects_what_is_not_an_instance() {
        for (text, says) in [
            ("", "no 'nbNodes' section"),
            (&TINY.replace("DS\n3\n", "DS\n9\n"), "not a patient node"),
            (
                &TINY.replace("DS\n3\n", "DS\n\n"),
                "requires 2 services but DS says 1",
            ),
            (
                &TINY.replace("x\n0 3 0 0\n", "x\n0 3 0\n"),
                "'x' has 3 number(s)",
            ),
            (&TINY.replace("a\n1 0\n", "a\n2 0\n"), "other than 0 and 1"),
            (
                &TINY.replace("e\n0 10 0 0\n", "e\n0 1x 0 0\n"),
                "'1x' in 'e' is not a number",
            ),
        ] {
            let err = super::parse(text, "bad.txt").unwrap_err().to_string();
            assert!(err.contains(says), "{says}: {err}");
            assert!(err.contains("E1008"), "{err}");
        }
    }

    #[test]
    fn reads_every_shared_instance() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/benchmarks/hhcrsp/mankowska2014/instances"
        );
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("skipped: {dir} is not there");
            return;
        };
        let mut n = 0;
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "txt")
                && path.metadata().unwrap().len() < 300_000
            {
                let text = std::fs::read_to_string(&path).unwrap();
                let inst = super::parse(&text, &path.display().to_string()).unwrap();
                assert_eq!(inst.services, 6);
                n += 1;
            }
        }
        assert!(n >= 40, "{n} instances read");
    }
}
