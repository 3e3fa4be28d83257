//! Maximum flow with Dinic's algorithm (blocking flows on BFS level graphs) on a
//! [`FlowGraph`], ignoring its costs and supplies, and the source side of a minimum cut. The
//! unavoidable-breach certificates use it: the cut is a Hall set, referrals whose in-time places
//! are fewer than they are.

use super::graph::FlowGraph;
use std::collections::VecDeque;

/// A maximum flow from `source` to `sink`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaxFlow {
    /// Its value, in units of flow.
    pub value: i64,
    /// Flow on each arc of the graph, in arc order.
    pub flow: Vec<i64>,
    /// Per node, whether it is on the source side of the minimum cut: reachable from the source
    /// in the residual network of the maximum flow.
    pub source_side: Vec<bool>,
}

/// Dinic's maximum flow from `source` to `sink` on `graph` (arc capacities; costs and supplies
/// are not read). `O(V² E)` in general, `O(E √V)` on the unit-capacity bipartite networks of the
/// certificates. Capacities must be 0 or more.
pub(crate) fn max_flow(graph: &FlowGraph, source: usize, sink: usize) -> MaxFlow {
    let n = graph.node_count();
    let m = graph.arc_count();
    // Residual arcs: 2k forward, 2k+1 backward, with their residual capacity.
    let mut head = vec![0usize; 2 * m];
    let mut residual = vec![0i64; 2 * m];
    let mut out_degree = vec![0usize; n + 1];
    for a in 0..m {
        let (from, to, cap, _) = graph.arc(a);
        head[2 * a] = to;
        head[2 * a + 1] = from;
        residual[2 * a] = cap.max(0);
        out_degree[from + 1] += 1;
        out_degree[to + 1] += 1;
    }
    // Adjacency in compressed rows.
    for v in 0..n {
        out_degree[v + 1] += out_degree[v];
    }
    let start = out_degree;
    let mut fill = start.clone();
    let mut adjacent = vec![0usize; 2 * m];
    for a in 0..m {
        let (from, to, _, _) = graph.arc(a);
        adjacent[fill[from]] = 2 * a;
        fill[from] += 1;
        adjacent[fill[to]] = 2 * a + 1;
        fill[to] += 1;
    }

    let mut value = 0i64;
    let mut level = vec![usize::MAX; n];
    let mut next = vec![0usize; n];
    if source != sink {
        loop {
            level.iter_mut().for_each(|l| *l = usize::MAX);
            level[source] = 0;
            let mut queue = VecDeque::from([source]);
            while let Some(v) = queue.pop_front() {
                for &e in &adjacent[start[v]..start[v + 1]] {
                    let w = head[e];
                    if residual[e] > 0 && level[w] == usize::MAX {
                        level[w] = level[v] + 1;
                        queue.push_back(w);
                    }
                }
            }
            if level[sink] == usize::MAX {
                break;
            }
            next.copy_from_slice(&start[..n]);
            loop {
                let pushed = augment(
                    source,
                    sink,
                    &start,
                    &adjacent,
                    &head,
                    &level,
                    &mut next,
                    &mut residual,
                );
                if pushed == 0 {
                    break;
                }
                value += pushed;
            }
        }
    }

    let flow = (0..m)
        .map(|a| graph.arc(a).2.max(0) - residual[2 * a])
        .collect();
    let mut source_side = vec![false; n];
    source_side[source] = true;
    let mut queue = VecDeque::from([source]);
    while let Some(v) = queue.pop_front() {
        for &e in &adjacent[start[v]..start[v + 1]] {
            let w = head[e];
            if residual[e] > 0 && !source_side[w] {
                source_side[w] = true;
                queue.push_back(w);
            }
        }
    }
    MaxFlow {
        value,
        flow,
        source_side,
    }
}

/// One augmenting path in the level graph, found depth first without recursion (a path may be
/// as long as the network is deep), pushing its bottleneck; 0 when the level graph is blocked.
#[allow(clippy::too_many_arguments)]
fn augment(
    source: usize,
    sink: usize,
    start: &[usize],
    adjacent: &[usize],
    head: &[usize],
    level: &[usize],
    next: &mut [usize],
    residual: &mut [i64],
) -> i64 {
    let mut path: Vec<usize> = Vec::new();
    let mut v = source;
    loop {
        if v == sink {
            let bottleneck = path.iter().map(|&e| residual[e]).min().unwrap_or(0);
            for &e in &path {
                residual[e] -= bottleneck;
                residual[e ^ 1] += bottleneck;
            }
            return bottleneck;
        }
        let mut advanced = false;
        while next[v] < start[v + 1] {
            let e = adjacent[next[v]];
            let w = head[e];
            if residual[e] > 0 && level[w] == level[v] + 1 {
                path.push(e);
                v = w;
                advanced = true;
                break;
            }
            next[v] += 1;
        }
        if !advanced {
            // Dead end: retreat and never try this node again in this phase.
            match path.pop() {
                Some(e) => {
                    v = head[e ^ 1];
                    next[v] += 1;
                }
                None => return 0,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classic network of CLRS figure 26.1: maximum flow 23; the cut {s, v1, v2, v4}.
    #[test]
    fn textbook_network_has_flow_23_and_its_minimum_cut() {
        let (s, v1, v2, v3, v4, t) = (0, 1, 2, 3, 4, 5);
        let mut g = FlowGraph::with_capacity(6, 9);
        for (from, to, cap) in [
            (s, v1, 16),
            (s, v2, 13),
            (v2, v1, 4),
            (v1, v3, 12),
            (v3, v2, 9),
            (v2, v4, 14),
            (v4, v3, 7),
            (v3, t, 20),
            (v4, t, 4),
        ] {
            g.add_arc(from, to, cap, 0);
        }
        let f = max_flow(&g, s, t);
        assert_eq!(f.value, 23);
        assert_eq!(f.source_side, [true, true, true, false, true, false]);
        // Conservation at every inner node, and no arc over capacity.
        for v in 1..5 {
            let net: i64 = (0..g.arc_count())
                .map(|a| {
                    let (from, to, cap, _) = g.arc(a);
                    assert!((0..=cap).contains(&f.flow[a]));
                    i64::from(to == v) * f.flow[a] - i64::from(from == v) * f.flow[a]
                })
                .sum();
            assert_eq!(net, 0);
        }
    }

    /// Three referrals, two of which can use only one single-place slot: a matching of 2, and
    /// the Hall set {r1, r2} with its one slot on the source side.
    #[test]
    fn bipartite_hall_set_is_the_source_side() {
        // s=0, r1..r3 = 1..3, slots a=4 (1 place), b=5 (1 place), t=6.
        let mut g = FlowGraph::with_capacity(7, 9);
        for r in 1..=3 {
            g.add_arc(0, r, 1, 0);
        }
        g.add_arc(1, 4, 1, 0);
        g.add_arc(2, 4, 1, 0);
        g.add_arc(3, 4, 1, 0);
        g.add_arc(3, 5, 1, 0);
        g.add_arc(4, 6, 1, 0);
        g.add_arc(5, 6, 1, 0);
        let f = max_flow(&g, 0, 6);
        assert_eq!(f.value, 2);
        assert_eq!(f.source_side, [true, true, true, false, true, false, false]);
    }

    #[test]
    fn no_path_gives_zero_flow() {
        let mut g = FlowGraph::with_capacity(3, 1);
        g.add_arc(0, 1, 5, 0);
        let f = max_flow(&g, 0, 2);
        assert_eq!((f.value, f.flow.clone()), (0, vec![0]));
        assert_eq!(f.source_side, [true, true, false]);
    }
}
