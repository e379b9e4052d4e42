//! Branching on clients served (branch-and-price), within the bound's time
//! limit, to close the gap between the LP bound and the best plan
//! (docs/exact.md, "Branching").
//!
//! A node fixes some clients in or out; its bound is the least Lagrangian
//! value of its exactly priced iterations (a Lagrangian at the node bounds
//! every plan of the node), and never above its parent's. Every plan lies
//! in exactly one leaf of the tree, so the greatest bound over the leaves
//! bounds every plan, whenever the branching stops. The node of greatest
//! bound is branched first (best bound), on its most fractional client.

use super::{NodeOut, Run, floor};

/// An open leaf of the tree.
struct Node {
    /// Clients fixed in (`true`) or out.
    fixed: Vec<(usize, bool)>,
    /// Bound on every plan of the node.
    bound: f64,
    /// The node's last LP client values.
    z: Vec<f64>,
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
        bound,
        z,
        converged: root.converged,
    }];
    let mut best = floor(bound);
    while !run.stopped() {
        let Some(i) = (0..open.len()).max_by(|&a, &b| open[a].bound.total_cmp(&open[b].bound))
        else {
            break;
        };
        let node = open.swap_remove(i);
        let children: Vec<Vec<(usize, bool)>> = match fractional(run, &node) {
            Some(k) => [true, false]
                .iter()
                .map(|&to| [node.fixed.as_slice(), &[(k, to)]].concat())
                .collect(),
            // No client to split on: converge the node's LP first.
            None if !node.converged => vec![node.fixed.clone()],
            // The greatest bound is a leaf the clients cannot split.
            None => break,
        };
        for fixed in children {
            // The child need not be bounded below the rest of the tree.
            let others = open
                .iter()
                .map(|n| n.bound)
                .fold(f64::NEG_INFINITY, f64::max);
            let above = (others > f64::NEG_INFINITY).then(|| floor(others));
            run.master.fix(&fixed, big);
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
                bound: got.bound.map_or(node.bound, |l| l.min(node.bound)),
                z,
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
    run.master.fix(&[], big);
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
