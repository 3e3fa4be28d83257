//! The flow network that both min-cost flow engines take: nodes with supplies, arcs with a
//! capacity and a cost, apart from any algorithm (as OR-Tools and LEMON keep their graphs apart
//! from their solvers). The network simplex ([`super::network::NetworkSimplex`]) owns one and
//! keeps its spanning tree beside it; cost scaling ([`super::cost_scaling`]) reads one.
//!
//! Flows, capacities and supplies are in units of flow (bookings); costs are per unit of flow,
//! in the tier's integer unit.

use super::network::FlowError;

/// Nodes `0..node_count` with a supply each (positive: the node emits flow, negative: it
/// absorbs it; default 0), and arcs `from → to` with lower bound 0, a capacity and a cost per
/// unit of flow, numbered `0, 1, 2, …` in insertion order. Self-loops and parallel arcs are
/// allowed. Nothing is checked when building: [`FlowGraph::check_input`] does, and both engines
/// call it before solving.
#[derive(Debug, Clone, Default)]
pub struct FlowGraph {
    /// Tail node of each arc.
    pub(super) arc_from: Vec<usize>,
    /// Head node of each arc.
    pub(super) arc_to: Vec<usize>,
    /// Capacity of each arc.
    pub(super) arc_cap: Vec<i64>,
    /// Cost per unit of flow of each arc.
    pub(super) arc_cost: Vec<i64>,
    /// Supply of each node.
    pub(super) supply: Vec<i64>,
}

impl FlowGraph {
    /// A network of `node_count` nodes and no arcs, with room for `arc_capacity` arcs.
    #[must_use]
    pub fn with_capacity(node_count: usize, arc_capacity: usize) -> Self {
        Self {
            arc_from: Vec::with_capacity(arc_capacity),
            arc_to: Vec::with_capacity(arc_capacity),
            arc_cap: Vec::with_capacity(arc_capacity),
            arc_cost: Vec::with_capacity(arc_capacity),
            supply: vec![0; node_count],
        }
    }

    /// Adds an arc `from → to` with the given capacity and cost per unit of flow; returns its
    /// index.
    pub fn add_arc(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        let index = self.arc_from.len();
        self.arc_from.push(from);
        self.arc_to.push(to);
        self.arc_cap.push(capacity);
        self.arc_cost.push(cost);
        index
    }

    /// Sets the supply of `node`.
    ///
    /// # Panics
    ///
    /// If `node >= node_count()`.
    pub fn set_supply(&mut self, node: usize, supply: i64) {
        self.supply[node] = supply;
    }

    /// Replaces the cost of `arc`.
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    pub fn set_cost(&mut self, arc: usize, cost: i64) {
        self.arc_cost[arc] = cost;
    }

    /// Replaces the capacity of `arc` (0 fixes it at zero flow).
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    pub fn set_capacity(&mut self, arc: usize, capacity: i64) {
        self.arc_cap[arc] = capacity;
    }

    /// Number of nodes, fixed at construction.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.supply.len()
    }

    /// Number of arcs added so far.
    #[must_use]
    pub fn arc_count(&self) -> usize {
        self.arc_from.len()
    }

    /// Arc `arc` as given: `(from, to, capacity, cost)`.
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    #[must_use]
    pub fn arc(&self, arc: usize) -> (usize, usize, i64, i64) {
        (
            self.arc_from[arc],
            self.arc_to[arc],
            self.arc_cap[arc],
            self.arc_cost[arc],
        )
    }

    /// The supplies of the nodes, as given.
    #[must_use]
    pub fn supplies(&self) -> &[i64] {
        &self.supply
    }

    /// The checks any min-cost flow solver of this network makes, in this order, each reporting
    /// the lowest offending arc.
    ///
    /// # Errors
    ///
    /// [`FlowError::NodeOutOfRange`] when an arc names a node `>= node_count`,
    /// [`FlowError::NegativeCapacity`] when an arc's capacity is negative,
    /// [`FlowError::Unbalanced`] when the supplies do not sum to zero.
    pub fn check_input(&self) -> Result<(), FlowError> {
        let n = self.node_count();
        for (arc, (&from, &to)) in self.arc_from.iter().zip(&self.arc_to).enumerate() {
            if let Some(node) = [from, to].into_iter().find(|&v| v >= n) {
                return Err(FlowError::NodeOutOfRange { arc, node });
            }
        }
        if let Some(arc) = self.arc_cap.iter().position(|&c| c < 0) {
            return Err(FlowError::NegativeCapacity { arc });
        }
        let total: i128 = self.supply.iter().map(|&b| i128::from(b)).sum();
        if total != 0 {
            let total_supply =
                i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX });
            return Err(FlowError::Unbalanced { total_supply });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_report_the_lowest_offending_arc_in_order() {
        let mut g = FlowGraph::with_capacity(3, 3);
        assert_eq!(g.add_arc(0, 1, 2, 5), 0);
        assert_eq!(g.add_arc(1, 3, -1, 0), 1);
        assert_eq!(g.add_arc(2, 1, -1, 0), 2);
        assert_eq!(
            g.check_input(),
            Err(FlowError::NodeOutOfRange { arc: 1, node: 3 })
        );
        g.arc_to[1] = 2;
        assert_eq!(g.check_input(), Err(FlowError::NegativeCapacity { arc: 1 }));
        g.set_capacity(1, 1);
        g.set_capacity(2, 1);
        g.set_supply(0, 2);
        assert_eq!(
            g.check_input(),
            Err(FlowError::Unbalanced { total_supply: 2 })
        );
        g.set_supply(1, -2);
        assert_eq!(g.check_input(), Ok(()));
        g.set_cost(0, 7);
        assert_eq!(g.arc(0), (0, 1, 2, 7));
        assert_eq!(g.supplies(), &[2, -2, 0]);
        assert_eq!((g.node_count(), g.arc_count()), (3, 3));
    }
}
