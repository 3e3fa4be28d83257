//! Shortest paths in the residual network of an optimal flow, found with the flow's own
//! potentials (Dijkstra on the reduced costs, which an optimal flow's potentials make
//! non-negative on every residual arc).
//!
//! What they are for: when an arc `u → v` gains one unit of capacity, the optimum falls by
//! exactly `max(0, −(cost(u → v) + dist(v, u)))`, where `dist` is the shortest path in the
//! residual network of the optimal flow (Ahuja, Magnanti and Orlin, *Network Flows*, 1993,
//! §9.3: a flow is optimal exactly when its residual network has no negative cycle, and the new
//! unit can only be used along a cycle through the new arc). That is the marginal value of one
//! more place in a slot, exact, and the same whichever optimal potentials the engine returned.

use super::graph::FlowGraph;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Distances from `source` to every node (`None`: unreachable) in the residual network of the
/// flow `flow(arc)` on `graph`: an arc with `flow < capacity` can carry more (its cost), an arc
/// with `flow > 0` can carry less (minus its cost). `potential(node)` are potentials under
/// which the flow is optimal (reduced cost `cost + π(u) − π(v)` non-negative on every residual
/// arc); the distances are in cost units, not reduced.
///
/// Returns `None` when some residual arc has a negative reduced cost: the potentials do not
/// certify the flow, and distances from them would be wrong.
pub(crate) fn residual_distances(
    graph: &FlowGraph,
    flow: &dyn Fn(usize) -> i64,
    potential: &dyn Fn(usize) -> i64,
    source: usize,
) -> Option<Vec<Option<i64>>> {
    let n = graph.node_count();
    let pi = |v: usize| i128::from(potential(v));
    // Residual arcs in compressed rows: (head, reduced length).
    let mut residual: Vec<(usize, usize, i128)> = Vec::with_capacity(graph.arc_count());
    for arc in 0..graph.arc_count() {
        let (from, to, capacity, cost) = graph.arc(arc);
        let x = flow(arc);
        let reduced = i128::from(cost) + pi(from) - pi(to);
        if x < capacity {
            residual.push((from, to, reduced));
        }
        if x > 0 {
            residual.push((to, from, -reduced));
        }
    }
    if residual.iter().any(|&(_, _, length)| length < 0) {
        return None;
    }
    let mut start = vec![0usize; n + 1];
    for &(from, _, _) in &residual {
        start[from + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut heads = vec![(0usize, 0i128); residual.len()];
    for &(from, to, length) in &residual {
        heads[fill[from]] = (to, length);
        fill[from] += 1;
    }
    let mut reduced_dist: Vec<Option<i128>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    reduced_dist[source] = Some(0);
    heap.push(Reverse((0i128, source)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if reduced_dist[u].is_some_and(|best| best < d) {
            continue;
        }
        for &(v, length) in &heads[start[u]..start[u + 1]] {
            let candidate = d + length;
            if reduced_dist[v].is_none_or(|best| candidate < best) {
                reduced_dist[v] = Some(candidate);
                heap.push(Reverse((candidate, v)));
            }
        }
    }
    // dist(s, t) = reduced dist(s, t) − π(s) + π(t).
    Some(
        reduced_dist
            .iter()
            .enumerate()
            .map(|(v, d)| {
                d.map(|d| {
                    let true_dist = d - pi(source) + pi(v);
                    i64::try_from(true_dist).unwrap_or(if true_dist < 0 {
                        i64::MIN
                    } else {
                        i64::MAX
                    })
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::network::{FlowStatus, NetworkSimplex};

    /// Two referrals (nodes 0, 1), one slot of one place (node 2), the sink (3). Referral 0
    /// costs 5 unbooked and 1 booked, referral 1 costs 3 unbooked and 0 booked: the slot goes
    /// to referral 0 (total 1 + 3 = 4). One more place would book referral 1 too, saving 3:
    /// the residual path from the sink back to the slot goes sink → 1 (undoing its unbooked
    /// arc, −3) → 2 (its booking, 0), length −3.
    #[test]
    fn one_more_place_saves_minus_the_distance_from_the_sink() {
        let mut net = NetworkSimplex::with_capacity(4, 5);
        net.add_arc(0, 2, 1, 1);
        net.add_arc(0, 3, 1, 5);
        net.add_arc(1, 2, 1, 0);
        net.add_arc(1, 3, 1, 3);
        let slot = net.add_arc(2, 3, 1, 0);
        for (node, supply) in [(0, 1), (1, 1), (3, -2)] {
            net.set_supply(node, supply);
        }
        assert_eq!(net.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(net.total_cost(), 4);
        let dist =
            residual_distances(net.graph(), &|a| net.flow(a), &|v| net.potential(v), 3).unwrap();
        assert_eq!(dist[2], Some(-3));
        assert_eq!(dist[3], Some(0));

        // Re-solved with the second place: 4 - 3 = 1.
        net.set_capacity(slot, 2);
        assert_eq!(net.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(net.total_cost(), 1);
        let dist =
            residual_distances(net.graph(), &|a| net.flow(a), &|v| net.potential(v), 3).unwrap();
        assert_eq!(dist[2], Some(0));
    }

    #[test]
    fn potentials_that_do_not_certify_the_flow_give_none() {
        let mut g = FlowGraph::with_capacity(2, 1);
        g.add_arc(0, 1, 1, -4);
        // No flow on an arc of cost -4, potentials 0: its reduced cost is negative.
        assert_eq!(residual_distances(&g, &|_| 0, &|_| 0, 0), None);
        assert_eq!(
            residual_distances(&g, &|_| 1, &|_| 0, 0),
            Some(vec![Some(0), None])
        );
    }
}
