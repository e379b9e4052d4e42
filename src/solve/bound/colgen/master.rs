//! The restricted master LP of the column generation, solved with HiGHS
//! directly (the `highs` crate: columns are added to the model in place and
//! the row duals read back, re-solving from the last basis).
//!
//! Columns: `z_k` in [0, 1] per client (objective: its priority) and
//! `lambda_c >= 0` per candidate round `c` of a shift. Rows:
//!
//! * coverage, per visit `v` of client `k`: `k_v z_k - sum_{c ∋ v} lambda_c <= 0`;
//! * one round per shift, per shift `r`: `sum_{c of r} lambda_c <= 1`;
//! * a carer does a double-up once, per double-up visit `v` and carer with
//!   two or more shifts eligible for it: `sum_{c of the carer's shifts, c ∋ v} lambda_c <= 1`.

use std::collections::{HashMap, HashSet};

use highs::{Col, ColProblem, HighsModelStatus, Model, Row, Sense};

use crate::problem::Problem;

/// Duals of one solve of the master, each >= 0 (clamped: any non-negative
/// multipliers give a valid Lagrangian bound).
#[derive(Debug, Clone)]
pub struct Duals {
    /// Per visit: the coverage row's dual.
    pub pi: Vec<f64>,
    /// Per shift: the one-round row's dual.
    pub mu: Vec<f64>,
    /// Per double-up row: (carer, visit, dual).
    pub sigma: Vec<(usize, usize, f64)>,
    /// The LP's optimum.
    pub objective: f64,
    /// Per client: its `z_k` in the LP's optimum.
    pub z: Vec<f64>,
    /// Per round column (as in [`Master::columns`]): its value.
    pub lambda: Vec<f64>,
}

pub struct Master {
    model: Option<Model>,
    cov: Vec<Row>,
    conv: Vec<Row>,
    dup: HashMap<(usize, usize), Row>,
    dup_rows: Vec<(usize, usize, Row)>,
    seen: HashSet<(usize, Vec<usize>)>,
    /// The client columns `z_k`, their priorities, and whether each may be served.
    clients: Vec<(Col, f64, bool)>,
    /// Round columns: (shift, visits).
    pub columns: Vec<(usize, Vec<usize>)>,
    /// The round columns' handles, as in `columns`.
    cols: Vec<Col>,
    created: std::time::Instant,
}

impl Master {
    /// The master with the client columns and no rounds yet. `open[k]`:
    /// whether client `k` may be served at all (a client nobody can serve
    /// is fixed to 0).
    pub fn new(p: &Problem, open: &[bool]) -> Master {
        let created = std::time::Instant::now();
        let mut pb = ColProblem::default();
        let cov: Vec<Row> = (0..p.visits.len()).map(|_| pb.add_row(..=0.0)).collect();
        let conv: Vec<Row> = (0..p.rounds.len()).map(|_| pb.add_row(..=1.0)).collect();
        let mut dup = HashMap::new();
        let mut dup_rows = Vec::new();
        for (v, vs) in p.visits.iter().enumerate() {
            if vs.required < 2 {
                continue;
            }
            for (c, carer) in p.carers.iter().enumerate() {
                let mine = carer
                    .rounds
                    .iter()
                    .filter(|r| p.eligible[v].contains(r))
                    .count();
                if mine > 1 {
                    let row = pb.add_row(..=1.0);
                    dup.insert((c, v), row);
                    dup_rows.push((c, v, row));
                }
            }
        }
        let mut model = pb.optimise(Sense::Maximise);
        model.make_quiet();
        model.set_option("presolve", "off");
        let clients = p
            .clients
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let hi = if open[k] { 1.0 } else { 0.0 };
                let factors: Vec<(Row, f64)> = c
                    .visits
                    .iter()
                    .map(|&v| (cov[v], p.visits[v].required as f64))
                    .collect();
                let cost = c.priority as f64;
                (model.add_col(cost, 0.0..=hi, factors), cost, open[k])
            })
            .collect();
        Master {
            model: Some(model),
            cov,
            conv,
            dup,
            dup_rows,
            seen: HashSet::new(),
            clients,
            columns: Vec::new(),
            cols: Vec::new(),
            created,
        }
    }

    /// Set the client columns for a node of the branching: each client in
    /// `fixed` with `false` is fixed to 0; one with `true` keeps [0, 1] but
    /// earns `big` more, so the LP serves it whenever its rounds allow
    /// (fixing it to 1 could leave the restricted LP infeasible); every
    /// other client is as at the root.
    /// Rounds with a visit banned from their shift (`banned`: (shift,
    /// visit)) are fixed to 0.
    pub fn fix(&mut self, fixed: &[(usize, bool)], big: f64, banned: &HashSet<(usize, usize)>) {
        let Some(m) = self.model.as_mut() else {
            return;
        };
        for (&col, (r, key)) in self.cols.iter().zip(&self.columns) {
            let out = key.iter().any(|&v| banned.contains(&(*r, v)));
            m.change_column_bounds(col, 0.0..=if out { 0.0 } else { f64::INFINITY });
        }
        for (k, &(col, cost, open)) in self.clients.iter().enumerate() {
            let to = fixed.iter().find(|f| f.0 == k).map(|f| f.1);
            let hi = if open && to != Some(false) { 1.0 } else { 0.0 };
            m.change_column_bounds(col, 0.0..=hi);
            let extra = if to == Some(true) { big } else { 0.0 };
            m.change_column_cost(col, cost + extra);
        }
    }

    /// Add the round `visits` of shift `r` unless the master has it
    /// (the same visits in any order); returns whether it was added.
    pub fn add_round(&mut self, p: &Problem, r: usize, visits: &[usize]) -> bool {
        if visits.is_empty() {
            return false;
        }
        // An ng-route may visit a place twice: its column covers it once
        // (a weaker column than the route, which keeps the master below
        // every Lagrangian bound; docs/exact.md).
        let mut key = visits.to_vec();
        key.sort_unstable();
        key.dedup();
        if !self.seen.insert((r, key.clone())) {
            return false;
        }
        let carer = p.rounds[r].carer;
        let mut factors: Vec<(Row, f64)> = vec![(self.conv[r], 1.0)];
        for &v in &key {
            factors.push((self.cov[v], -1.0));
            if let Some(&row) = self.dup.get(&(carer, v)) {
                factors.push((row, 1.0));
            }
        }
        let Some(m) = self.model.as_mut() else {
            return false;
        };
        self.cols.push(m.add_col(0.0, 0.0.., factors));
        self.columns.push((r, key));
        true
    }

    /// Solve within `seconds`; `None` if HiGHS did not reach the optimum.
    pub fn solve(&mut self, seconds: f64) -> Option<Duals> {
        let mut model = self.model.take()?;
        // HiGHS counts its time limit from the model's creation, not from
        // this solve: late solves would all stop at once.
        let limit = self.created.elapsed().as_secs_f64() + seconds.max(0.01);
        model.set_option("time_limit", limit);
        let solved = model.try_solve().ok()?;
        let ok = solved.status() == HighsModelStatus::Optimal;
        let out = ok.then(|| {
            let sol = solved.get_solution();
            let d = sol.dual_rows();
            // In a maximisation HiGHS gives a binding `<=` row a dual >= 0
            // (the unit test below holds it to that).
            let at = |i: usize| d.get(i).map_or(0.0, |&x| x.max(0.0));
            let z = sol.columns()[..self.clients.len()].to_vec();
            let lambda = sol.columns()[self.clients.len()..].to_vec();
            let nv = self.cov.len();
            let nr = self.conv.len();
            Duals {
                pi: (0..nv).map(at).collect(),
                mu: (0..nr).map(|i| at(nv + i)).collect(),
                sigma: self
                    .dup_rows
                    .iter()
                    .enumerate()
                    .map(|(i, &(c, v, _))| (c, v, at(nv + nr + i)))
                    .collect(),
                objective: solved.objective_value(),
                z,
                lambda,
            }
        });
        self.model = Some(Model::from(solved));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// max x + y, x + y <= 1 (dual 1), x <= 3: the sign convention read above.
    #[test]
    fn a_binding_row_of_a_maximisation_has_a_positive_dual() {
        let mut pb = ColProblem::default();
        let a = pb.add_row(..=1.0);
        let b = pb.add_row(..=3.0);
        pb.add_column(1.0, 0.0.., [(a, 1.0), (b, 1.0)]);
        pb.add_column(1.0, 0.0.., [(a, 1.0)]);
        let mut m = pb.optimise(Sense::Maximise);
        m.make_quiet();
        let s = m.solve();
        let d = s.get_solution().dual_rows().to_vec();
        assert!((d[0] - 1.0).abs() < 1e-9, "{d:?}");
        assert!(d[1].abs() < 1e-9, "{d:?}");
    }
}
