//! Branching on clients served (branch-and-price), within the bound's time
//! limit, to close the gap between the LP bound and the best plan
//! (docs/exact.md, "Branching").
//!
//! A node fixes some clients in or out; its bound is the least Lagrangian
//! value of its exactly priced iterations (a Lagrangian at the node bounds
//! every plan of the node), and never above its parent's. Every plan lies
//! in exactly one leaf of the tree, so the greatest bound over the leaves
//! bounds every plan, whenever the branching stops. The node of greatest
//! bound is branched first (best bound), on its most fractional client, or
//! when the clients are integral, on whether a shift does a visit.

use std::collections::HashSet;

use super::{NodeOut, Run, floor};

/// An open leaf of the tree.
struct Node {
    /// Clients fixed in (`true`) or out.
    fixed: Vec<(usize, bool)>,
    /// (shift, visit): visits banned from a shift.
    banned: Vec<(usize, usize)>,
    /// Bound on every plan of the node.
    bound: f64,
    /// The node's last LP client values.
    z: Vec<f64>,
    /// Its last LP's round values.
    lambda: Vec<f64>,
    /// Its column generation converged (else `z` may be any LP's).
    converged: bool,
}

/// Branch from the root until the time is up or the leaf of greatest bound
/// has no fractional client; lowers `run.out.bound` (calling `on_bound`)
/// whenever the greatest leaf bound rounds lower.
pub(super) fn branch(run: &mut Run, root: NodeOut, on_bound: &dyn Fn(i64)) {
    let (Some(bound), Some(z)) = (root.bound, root.z) else {
        return;
    };
    // More than every priority together: a client fixed in is then served
    // by the LP whenever its rounds can.
    let big = run.p.clients.iter().map(|c| c.priority as f64).sum::<f64>() + 1.0;
    let mut open = vec![Node {
        fixed: Vec::new(),
        banned: Vec::new(),
        bound,
        z,
        lambda: root.lambda,
        converged: root.converged,
    }];
    let mut best = floor(bound);
    while !run.stopped() {
        let Some(i) = (0..open.len()).max_by(|&a, &b| open[a].bound.total_cmp(&open[b].bound))
        else {
            break;
        };
        let node = open.swap_remove(i);
        let children = match children(run, &node) {
            Some(c) => c,
            // Nothing to split on: converge the node's LP first.
            None if !node.converged => vec![(node.fixed.clone(), node.banned.clone())],
            // The greatest bound is a leaf nothing splits.
            None => break,
        };
        for (fixed, banned) in children {
            // The child need not be bounded below the rest of the tree.
            let others = open
                .iter()
                .map(|n| n.bound)
                .fold(f64::NEG_INFINITY, f64::max);
            let above = (others > f64::NEG_INFINITY).then(|| floor(others));
            run.banned = banned.iter().copied().collect();
            run.master.fix(&fixed, big, &run.banned);
            // Once the time is up this returns at once, with no bound: the
            // child keeps its parent's, so the tree still covers every plan.
            let got = run.generate(&fixed, above, &|_| {});
            run.out.nodes += 1;
            let mut z = got.z.unwrap_or_else(|| node.z.clone());
            for &(k, to) in &fixed {
                z[k] = if to { 1.0 } else { 0.0 };
            }
            open.push(Node {
                fixed,
                banned,
                bound: got.bound.map_or(node.bound, |l| l.min(node.bound)),
                z,
                lambda: got.lambda,
                converged: got.converged,
            });
        }
        let global = open
            .iter()
            .map(|n| n.bound)
            .fold(f64::NEG_INFINITY, f64::max);
        if floor(global) < best {
            best = floor(global);
            run.out.bound = Some(best);
            on_bound(best);
        }
    }
    run.banned.clear();
    run.master.fix(&[], big, &HashSet::new());
}

/// A node's clients fixed and visits banned.
type Fixings = (Vec<(usize, bool)>, Vec<(usize, usize)>);

/// The node's two children: split on its most fractional client, or else
/// on the most fractional "shift `r` does visit `v`" (a visit one carer
/// does): either `v` is banned from `r`, or from every other shift. Each
/// plan of the node is a plan of exactly one child.
fn children(run: &Run, node: &Node) -> Option<Vec<Fixings>> {
    if let Some(k) = fractional(run, node) {
        return Some(
            [true, false]
                .iter()
                .map(|&to| {
                    (
                        [node.fixed.as_slice(), &[(k, to)]].concat(),
                        node.banned.clone(),
                    )
                })
                .collect(),
        );
    }
    let p = run.p;
    let mut x: std::collections::HashMap<(usize, usize), f64> = Default::default();
    for ((r, key), &l) in run.master.columns.iter().zip(&node.lambda) {
        if l > 1e-9 {
            for &v in key {
                *x.entry((*r, v)).or_default() += l;
            }
        }
    }
    let (r, v) = x
        .iter()
        .filter(|&(&(_, v), &f)| p.visits[v].required == 1 && f.min(1.0 - f) > 1e-6)
        .max_by(|a, b| {
            (a.1.min(1.0 - a.1))
                .total_cmp(&b.1.min(1.0 - b.1))
                .then(b.0.cmp(a.0))
        })
        .map(|(&k, _)| k)?;
    let others: Vec<(usize, usize)> = p.eligible[v]
        .iter()
        .filter(|&&o| o != r)
        .map(|&o| (o, v))
        .collect();
    Some(vec![
        (
            node.fixed.clone(),
            [node.banned.as_slice(), &[(r, v)]].concat(),
        ),
        (
            node.fixed.clone(),
            [node.banned.as_slice(), &others].concat(),
        ),
    ])
}

/// The node's most fractional client not fixed yet (ties: the greater
/// priority, then the first), if any.
fn fractional(run: &Run, node: &Node) -> Option<usize> {
    node.z
        .iter()
        .enumerate()
        .filter(|(k, _)| !node.fixed.iter().any(|f| f.0 == *k))
        .map(|(k, &z)| (k, z.min(1.0 - z)))
        .filter(|&(_, f)| f > 1e-6)
        .max_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then(
                    run.p.clients[a.0]
                        .priority
                        .cmp(&run.p.clients[b.0].priority),
                )
                .then(b.0.cmp(&a.0))
        })
        .map(|(k, _)| k)
}
