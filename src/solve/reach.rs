//! Least travel from a round's start location to every place, and from
//! every place to its end location, along any chain of legs.
//!
//! With the contract's formula the direct leg is the shortest chain (the
//! triangle inequality holds; one minute is given up for floating-point
//! rounding). A `travel_matrix` need not be metric: a place 200 minutes
//! away directly may be 2 minutes past another client, so there the chains
//! are found with Dijkstra's algorithm on the dense matrix. Anything that
//! prunes by "can the round get there in time" must use these, not the
//! direct leg.

use crate::problem::Problem;

#[derive(Debug, Clone)]
pub struct Reach {
    /// `from_start[r][node]`: least minutes from round `r`'s start location.
    pub from_start: Vec<Vec<i32>>,
    /// `to_end[r][node]`: least minutes to round `r`'s end location.
    pub to_end: Vec<Vec<i32>>,
}

impl Reach {
    pub fn new(p: &Problem) -> Reach {
        let n = p.travel.len();
        let mut from_start = Vec::with_capacity(p.rounds.len());
        let mut to_end = Vec::with_capacity(p.rounds.len());
        for (r, spec) in p.rounds.iter().enumerate() {
            if p.metric_travel {
                from_start.push(
                    (0..n)
                        .map(|u| (p.time(r, spec.start_node, u) - 1).max(0))
                        .collect(),
                );
                to_end.push(
                    (0..n)
                        .map(|u| (p.time(r, u, spec.end_node) - 1).max(0))
                        .collect(),
                );
            } else {
                from_start.push(dijkstra(n, spec.start_node, |a, b| p.time(r, a, b)));
                to_end.push(dijkstra(n, spec.end_node, |a, b| p.time(r, b, a)));
            }
        }
        Reach { from_start, to_end }
    }
}

/// Least cost from `src` to every node of a dense graph, O(n²).
fn dijkstra(n: usize, src: usize, cost: impl Fn(usize, usize) -> i32) -> Vec<i32> {
    let mut dist = vec![i32::MAX; n];
    let mut done = vec![false; n];
    if src < n {
        dist[src] = 0;
    }
    for _ in 0..n {
        let Some(u) = (0..n)
            .filter(|&u| !done[u] && dist[u] < i32::MAX)
            .min_by_key(|&u| dist[u])
        else {
            break;
        };
        done[u] = true;
        for v in 0..n {
            if !done[v] {
                let d = dist[u].saturating_add(cost(u, v).max(0));
                if d < dist[v] {
                    dist[v] = d;
                }
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests {
    use super::dijkstra;

    #[test]
    fn a_short_chain_beats_a_long_direct_leg() {
        let m = [[0, 200, 1], [200, 0, 200], [1, 1, 0]];
        let d = dijkstra(3, 0, |a, b| m[a][b]);
        assert_eq!(d, vec![0, 2, 1]);
    }
}
