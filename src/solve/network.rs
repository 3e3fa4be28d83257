//! Exact minimum-cost flow by the primal network simplex method.
//!
//! This is the engine behind the booking optimiser's transportation problems
//! (referrals → candidate slots → sink, plus an "unbooked" arc from every
//! referral straight to the sink). It is pure `std`, uses no `unsafe`, and is
//! deterministic: the same instance always gives the same flows, potentials
//! and cost, bit for bit.
//!
//! # Problem
//!
//! Nodes `0..node_count` carry a supply `b(v)` (positive: the node emits flow,
//! negative: it absorbs flow). Arcs `a = (u → v)` have a capacity `cap(a) ≥ 0`,
//! a lower bound of zero and an integer cost per unit of flow. The solver finds
//! an integer flow `0 ≤ x(a) ≤ cap(a)` with `out(v) − in(v) = b(v)` at every
//! node that minimises `Σ cost(a)·x(a)`, or reports that no such flow exists.
//!
//! # Potentials (duals)
//!
//! Alongside the flow the solver returns a potential `π(v)` per node, with the
//! sign convention
//!
//! ```text
//! reduced_cost(a) = cost(a) + π(u) − π(v)      for a = (u → v)
//! ```
//!
//! so a potential behaves like a *price* that rises along the direction of
//! flow: on an arc with `0 < x(a) < cap(a)` we have `π(v) = π(u) + cost(a)`,
//! and `π(w) − π(v)` is the marginal cost of shipping one more unit from `v`
//! to `w`. After an optimal solve these complementary-slackness conditions
//! hold for every arc:
//!
//! * `reduced_cost(a) > 0` ⇒ `x(a) = 0`,
//! * `reduced_cost(a) < 0` ⇒ `x(a) = cap(a)`,
//! * `0 < x(a) < cap(a)` ⇒ `reduced_cost(a) = 0`,
//!
//! and strong duality reads `Σ cost·x = Σ_a cap(a)·min(0, reduced_cost(a)) −
//! Σ_v b(v)·π(v)`. Potentials are only defined up to a common constant; the
//! solver shifts them so that the smallest one is zero.
//!
//! For lexicographic optimisation, solve with the first tier's costs, then fix
//! every arc whose reduced cost is non-zero at the bound it sits on, set the
//! next tier's costs and solve again, best with `resolve`, which starts from
//! the previous optimal basis. An arc is fixed at zero with
//! `set_capacity(a, 0)`; an arc `(u → v)` is fixed at its capacity `c` by
//! pre-routing the flow: `set_capacity(a, 0)`, `b(u) −= c`, `b(v) += c`.
//! Arcs of capacity zero take no part in the pivoting at all.
//!
//! # Algorithm
//!
//! The method keeps a *basis*: a spanning tree of arcs whose flows may lie
//! anywhere within their bounds, while every arc outside the tree sits at zero
//! or at its capacity. An extra *root* node is added and joined to every node
//! by an artificial arc of capacity `i64::MAX`. The first tree consists of just these arcs, each
//! carrying its node's supply to or from the root; the artificial arcs that
//! deliver flow to demand nodes cost a "big M" larger than any simple path of
//! real arcs, so at the optimum artificial arcs carry flow only when the
//! instance is infeasible.
//!
//! The tree is stored as parent pointers, the arc to the parent and its
//! direction, the subtree size of each node, and a *thread*: a doubly linked
//! list of the nodes in depth-first preorder, so that the subtree of a node is
//! the stretch of the thread from the node to its last successor.
//!
//! The tree fixes the potentials (root at zero, reduced cost zero on every tree
//! arc). Each iteration (a *pivot*) does:
//!
//! 1. **Pricing.** A non-tree arc is *eligible* when moving it away from its
//!    bound lowers the cost: at zero with a negative reduced cost, or at
//!    capacity with a positive one. All arcs, artificial ones included, are
//!    scanned cyclically in blocks of about `√(arc count)`, continuing where
//!    the last scan stopped; the most violating arc of the first block that
//!    holds an eligible arc enters (the *block search* rule). The arcs are
//!    stored interleaved (the input order taken with a stride of about
//!    `arcs / nodes`, as LEMON does), so that a block samples arcs from the
//!    whole network rather than from a few neighbouring nodes.
//! 2. **Ratio test.** The entering arc closes a cycle with the tree path
//!    between its ends, found by climbing from both ends (always from the one
//!    with the smaller subtree) until they meet at the *join* node. Flow is
//!    pushed round the cycle until some arc hits a bound. Among tied blocking
//!    arcs the last one met when walking the cycle from the join node in the
//!    direction of the push leaves; this keeps the tree *strongly feasible*
//!    (every node can send a positive amount up to the root) and so rules out
//!    cycling on degenerate pivots.
//! 3. **Tree update.** The subtree below the leaving arc is cut off, re-rooted
//!    at the entering arc's end inside it (reversing the parent pointers on
//!    that path) and hung from the entering arc. Subtree sizes and last
//!    successors change only on the two cycle paths (plus last successors
//!    just above the join node).
//! 4. **Potentials.** Only the moved subtree changes its potentials, all by
//!    the same amount, chosen so that the entering arc has reduced cost zero.
//!
//! When no arc is eligible the tree is optimal. If an artificial arc still
//! carries flow the instance is infeasible.
//!
//! All arithmetic is in `i64`. `solve` first checks that every potential and
//! reduced cost the method can produce fits (returning [`FlowError::Overflow`]
//! otherwise); flows always stay within `0..=capacity`, and the total cost is
//! summed in `i128`.

use super::graph::FlowGraph;
use std::fmt;

/// Error of the network solver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowError {
    /// An arc names a node index >= the node count.
    NodeOutOfRange {
        /// Index of the offending arc (as returned by
        /// [`NetworkSimplex::add_arc`]).
        arc: usize,
        /// The node index it names, which is `>= node_count`.
        node: usize,
    },
    /// An arc's capacity is negative.
    NegativeCapacity {
        /// Index of the offending arc.
        arc: usize,
    },
    /// Supplies do not sum to zero (value = the sum, saturated to the `i64`
    /// range if the exact sum does not fit).
    Unbalanced {
        /// Sum of all node supplies, in units of flow.
        total_supply: i64,
    },
    /// A cost, potential or total overflowed i64 / the internal integer type:
    /// the instance's costs are too large.
    ///
    /// Returned when `max|cost| · (4·node_count + 1) + 2` exceeds `i64::MAX`,
    /// when a node's supply is `i64::MAX` or `i64::MIN`, when
    /// `node_count >= u32::MAX`, or when the total cost does not fit in an
    /// `i128`.
    Overflow,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowError::NodeOutOfRange { arc, node } => {
                write!(f, "arc {arc} names node {node}, which does not exist")
            }
            FlowError::NegativeCapacity { arc } => write!(f, "arc {arc} has a negative capacity"),
            FlowError::Unbalanced { total_supply } => {
                write!(f, "supplies sum to {total_supply}, not to zero")
            }
            FlowError::Overflow => write!(f, "costs or supplies too large for exact arithmetic"),
        }
    }
}

impl std::error::Error for FlowError {}

/// Outcome of a successful [`NetworkSimplex::solve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowStatus {
    /// An optimal flow was found; flows, potentials and the total cost are
    /// available and satisfy the optimality conditions described in the
    /// [module documentation](self).
    Optimal,
    /// Infeasible: supplies cannot be routed within capacities.
    Infeasible,
}

/// Minimum-cost flow solver (primal network simplex).
///
/// Build the instance with [`new`](Self::new) (or
/// [`with_capacity`](Self::with_capacity)), [`add_arc`](Self::add_arc) and
/// [`set_supply`](Self::set_supply), call [`solve`](Self::solve), then read
/// [`flow`](Self::flow), [`potential`](Self::potential),
/// [`reduced_cost`](Self::reduced_cost) and [`total_cost`](Self::total_cost).
/// Costs, capacities and supplies may be changed afterwards and the instance
/// solved again: [`solve`](Self::solve) starts from scratch, so its result
/// depends only on the instance at the time of the call, while
/// [`resolve`](Self::resolve) starts from the previous solve's basis.
///
/// Flows, capacities and supplies are in units of flow (for the booking
/// optimiser: bookings); costs are per unit of flow, in whatever integer unit
/// the caller chooses. Memory use is linear: about 80 bytes per arc and 110
/// per node.
#[derive(Debug, Clone)]
pub struct NetworkSimplex {
    /// The network: arcs, capacities, costs and supplies, as given (validated by `solve`).
    graph: FlowGraph,
    /// Flow of each arc in the last optimal solve (zeros otherwise).
    flow: Vec<i64>,
    /// Potential of each node in the last optimal solve (zeros otherwise).
    potential: Vec<i64>,
    /// Total cost of the last optimal solve (zero otherwise).
    total_cost: i128,
    /// Working state of the simplex, kept to reuse its allocations and, for
    /// [`resolve`](Self::resolve), its spanning tree.
    work: Simplex,
    /// Whether `work` holds the final tree of a completed run on the current
    /// set of arcs (no arc added since), which `resolve` may start from.
    warm: bool,
}

// A complete API: a caller inside the crate need not use every method (say
// `new` next to `with_capacity`), which must not fail `-D warnings`.
#[allow(dead_code)]
impl NetworkSimplex {
    /// Creates a solver for a network with nodes `0..node_count`, no arcs and
    /// all supplies zero.
    #[must_use]
    pub fn new(node_count: usize) -> Self {
        Self::with_capacity(node_count, 0)
    }

    /// Like [`new`](Self::new), but reserves room for `arc_capacity` arcs so
    /// that [`add_arc`](Self::add_arc) does not reallocate.
    #[must_use]
    pub fn with_capacity(node_count: usize, arc_capacity: usize) -> Self {
        Self {
            graph: FlowGraph::with_capacity(node_count, arc_capacity),
            flow: Vec::with_capacity(arc_capacity),
            potential: vec![0; node_count],
            total_cost: 0,
            work: Simplex::default(),
            warm: false,
        }
    }

    /// Adds an arc `from → to` with lower bound 0, the given capacity (units
    /// of flow) and cost per unit of flow, and returns its index: arcs are
    /// numbered `0, 1, 2, …` in insertion order.
    ///
    /// Nothing is checked here: a node index `>= node_count` or a negative
    /// capacity makes [`solve`](Self::solve) return
    /// [`FlowError::NodeOutOfRange`] or [`FlowError::NegativeCapacity`].
    /// Self-loops and parallel arcs are allowed.
    pub fn add_arc(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        let index = self.graph.add_arc(from, to, capacity, cost);
        self.flow.push(0);
        self.warm = false;
        index
    }

    /// Sets the supply of `node` in units of flow: positive for a source,
    /// negative for a demand. Supplies default to 0 and must sum to zero over
    /// all nodes when [`solve`](Self::solve) is called.
    ///
    /// # Panics
    ///
    /// If `node >= node_count()` (a caller bug, like an out-of-range slice
    /// index).
    pub fn set_supply(&mut self, node: usize, supply: i64) {
        self.graph.set_supply(node, supply);
    }

    /// Replaces the cost per unit of flow of `arc` (e.g. to re-solve with the
    /// next tier's costs). Takes effect at the next [`solve`](Self::solve).
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    pub fn set_cost(&mut self, arc: usize, cost: i64) {
        self.graph.set_cost(arc, cost);
    }

    /// Replaces the capacity of `arc` in units of flow (capacity 0 fixes the
    /// arc at zero flow). Takes effect at the next [`solve`](Self::solve); a
    /// negative value makes it return [`FlowError::NegativeCapacity`].
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    pub fn set_capacity(&mut self, arc: usize, capacity: i64) {
        self.graph.set_capacity(arc, capacity);
    }

    /// Number of nodes, fixed at construction.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of arcs added so far.
    #[must_use]
    pub fn arc_count(&self) -> usize {
        self.graph.arc_count()
    }

    /// The network as given, which cost scaling solves too.
    #[must_use]
    pub fn graph(&self) -> &FlowGraph {
        &self.graph
    }

    /// Solves the instance from scratch.
    ///
    /// Returns `Ok(FlowStatus::Optimal)` when a minimum-cost flow was found
    /// (read it with [`flow`](Self::flow) and friends) and
    /// `Ok(FlowStatus::Infeasible)` when the supplies cannot be routed within
    /// the capacities. After `Infeasible` or an error all flows, potentials
    /// and the total cost read as zero.
    ///
    /// # Errors
    ///
    /// Checked in this order (each reporting the lowest offending arc):
    /// [`FlowError::NodeOutOfRange`] if an arc names a node `>= node_count`,
    /// [`FlowError::NegativeCapacity`] if an arc's capacity is negative,
    /// [`FlowError::Unbalanced`] if the supplies do not sum to zero, and
    /// [`FlowError::Overflow`] if the costs are so large (above about
    /// `i64::MAX / (4·node_count)` in absolute value) that potentials or
    /// reduced costs might not fit in an `i64`, if a supply is `i64::MAX` or
    /// `i64::MIN`, if `node_count >= u32::MAX`, or if the total cost does not
    /// fit in an `i128`.
    pub fn solve(&mut self) -> Result<FlowStatus, FlowError> {
        self.clear_results();
        self.warm = false;
        let big_m = self.validate()?;
        self.load_cold(big_m);
        self.run()
    }

    /// Loads the all-artificial starting tree of a cold solve.
    fn load_cold(&mut self, big_m: i64) {
        let g = &self.graph;
        self.work.init(
            &g.arc_from,
            &g.arc_to,
            &g.arc_cap,
            &g.arc_cost,
            &g.supply,
            big_m,
        );
    }

    /// Solves the instance again after costs, capacities or supplies were
    /// changed, starting from the spanning tree (basis) of the last solve
    /// instead of from scratch.
    ///
    /// The tree keeps its arcs; the non-tree arcs stay at the bound they
    /// sat on (an arc whose capacity became zero carries nothing and leaves
    /// the pricing for good); the tree flows follow from the new supplies and
    /// the potentials from the new costs. When that tree is not a strongly
    /// feasible basis of the new instance (or there was no previous solve, or
    /// arcs were added since), or an arc at capacity zero got capacity back,
    /// this falls back to [`solve`](Self::solve).
    ///
    /// This is the cheap way to optimise lexicographically: after fixing the
    /// arcs with non-zero reduced cost as described in the
    /// [module documentation](self), the previous optimal tree is still
    /// feasible (tree arcs have reduced cost zero, so none of them is fixed,
    /// and the tree flows do not change), and only the new costs need pivots.
    ///
    /// The optimum (flows, potentials) may differ from a fresh solve's when
    /// the instance has several, but the total cost is the same; the result
    /// depends only on the sequence of instances solved, so it is
    /// deterministic.
    ///
    /// # Errors
    ///
    /// As [`solve`](Self::solve).
    pub fn resolve(&mut self) -> Result<FlowStatus, FlowError> {
        if !self.warm {
            return self.solve();
        }
        self.clear_results();
        self.warm = false;
        let big_m = self.validate()?;
        if !self.work.reload(
            &self.graph.arc_cap,
            &self.graph.arc_cost,
            &self.graph.supply,
            big_m,
        ) {
            self.load_cold(big_m);
        }
        self.run()
    }

    /// Pivots from the loaded tree to the optimum and reads out the results.
    fn run(&mut self) -> Result<FlowStatus, FlowError> {
        self.work.run();
        if !self.work.artificial_flows_are_zero() {
            self.warm = true;
            return Ok(FlowStatus::Infeasible);
        }
        let mut total: i128 = 0;
        for (a, out) in self.flow.iter_mut().enumerate() {
            let x = self.work.real_flow(a);
            total = i128::from(x)
                .checked_mul(i128::from(self.graph.arc_cost[a]))
                .and_then(|c| total.checked_add(c))
                .ok_or(FlowError::Overflow)?;
            *out = x;
        }
        let pi = &self.work.pi[..self.potential.len()];
        // Shift so that the smallest potential is zero. `validate` made sure
        // that any two potentials differ by at most i64::MAX.
        let min = pi.iter().copied().min().unwrap_or(0);
        for (out, &p) in self.potential.iter_mut().zip(pi) {
            *out = p.checked_sub(min).ok_or(FlowError::Overflow)?;
        }
        self.total_cost = total;
        self.warm = true;
        Ok(FlowStatus::Optimal)
    }

    /// Flow on `arc` in units of flow (`0 ..= capacity`) in the last optimal
    /// solve; 0 before any solve and after `Infeasible` or an error.
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    #[must_use]
    pub fn flow(&self, arc: usize) -> i64 {
        self.flow[arc]
    }

    /// Potential (dual value) of `node` in the last optimal solve, in cost
    /// units; 0 before any solve and after `Infeasible` or an error.
    ///
    /// Sign convention: the reduced cost of an arc `u → v` is
    /// `cost + potential(u) − potential(v)`, i.e. the potential is a price
    /// that rises along the direction of flow. Potentials are normalised so
    /// that the smallest is 0. See the [module documentation](self).
    ///
    /// # Panics
    ///
    /// If `node >= node_count()`.
    #[must_use]
    pub fn potential(&self, node: usize) -> i64 {
        self.potential[node]
    }

    /// Reduced cost `cost(arc) + potential(from) − potential(to)` of `arc`,
    /// from the arc's current cost and the potentials of the last solve
    /// (saturated to the `i64` range, which only matters if a cost was
    /// changed after solving).
    ///
    /// After an optimal solve: `reduced_cost > 0` ⇒ `flow == 0` and
    /// `reduced_cost < 0` ⇒ `flow == capacity`.
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`. (An endpoint `>= node_count`, which `solve`
    /// rejects, counts as potential 0.)
    #[must_use]
    pub fn reduced_cost(&self, arc: usize) -> i64 {
        let pi = |v: usize| i128::from(self.potential.get(v).copied().unwrap_or(0));
        let (from, to, _, cost) = self.graph.arc(arc);
        let rc = i128::from(cost) + pi(from) - pi(to);
        i64::try_from(rc).unwrap_or(if rc < 0 { i64::MIN } else { i64::MAX })
    }

    /// Total cost `Σ cost(arc) · flow(arc)` of the last optimal solve, with
    /// the costs that solve used; 0 before any solve and after `Infeasible`
    /// or an error.
    #[must_use]
    pub fn total_cost(&self) -> i128 {
        self.total_cost
    }

    /// Resets flows, potentials and the total cost to zero.
    fn clear_results(&mut self) {
        self.flow.iter_mut().for_each(|x| *x = 0);
        self.potential.iter_mut().for_each(|p| *p = 0);
        self.total_cost = 0;
    }

    /// The checks any min-cost flow solver of this instance makes
    /// ([`FlowGraph::check_input`]).
    pub(crate) fn check_input(&self) -> Result<(), FlowError> {
        self.graph.check_input()
    }

    /// Arc `arc` as given: `(from, to, capacity, cost)`.
    ///
    /// # Panics
    ///
    /// If `arc >= arc_count()`.
    pub(crate) fn arc(&self, arc: usize) -> (usize, usize, i64, i64) {
        self.graph.arc(arc)
    }

    /// Checks the instance and returns the cost of the artificial arcs that
    /// feed demand nodes (the "big M").
    fn validate(&self) -> Result<i64, FlowError> {
        self.check_input()?;
        let n = self.node_count();
        let max_abs_cost = self
            .graph
            .arc_cost
            .iter()
            .map(|&c| i128::from(c).abs())
            .max()
            .unwrap_or(0);
        // Supplies start out on artificial arcs of capacity i64::MAX, which
        // must keep some slack; node indices (root included) are stored as u32.
        if self
            .graph
            .supply
            .iter()
            .any(|&b| b == i64::MAX || b == i64::MIN)
            || u64::try_from(n).unwrap_or(u64::MAX) >= u64::from(u32::MAX)
        {
            return Err(FlowError::Overflow);
        }
        // Big M must exceed the cost of any simple path of real arcs (at most
        // n - 1 arcs of cost at most K). A potential is the signed cost of the
        // tree path from the root: one artificial arc and at most n - 1 real
        // ones, so |potential| <= P := M + n·K and |reduced cost| <= K + 2P.
        let k = max_abs_cost;
        let nk = i128::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(k))
            .ok_or(FlowError::Overflow)?;
        let big_m = nk + 1;
        let bound = (big_m + nk)
            .checked_mul(2)
            .and_then(|p2| p2.checked_add(k))
            .ok_or(FlowError::Overflow)?;
        if bound > i128::from(i64::MAX) {
            return Err(FlowError::Overflow);
        }
        i64::try_from(big_m).map_err(|_| FlowError::Overflow)
    }
}

/// Sentinel for "no node" / "no arc" in the tree arrays.
const NONE: usize = usize::MAX;

/// Arc state: in the spanning tree.
const STATE_TREE: i8 = 0;
/// Arc state: out of the tree, flow at zero.
const STATE_LOWER: i8 = 1;
/// Arc state: out of the tree, flow at capacity.
const STATE_UPPER: i8 = -1;

/// Tree arc direction: the arc runs from the node up to its parent.
const DIR_UP: i8 = 1;
/// Tree arc direction: the arc runs from the parent down to the node.
const DIR_DOWN: i8 = -1;

/// Smallest block size of the block search pricing rule.
const MIN_BLOCK_SIZE: usize = 10;

/// Flow and capacity of one arc, side by side because the ratio test reads
/// both at scattered positions.
#[derive(Debug, Clone, Copy, Default)]
struct Load {
    /// Current flow, in `0..=cap`.
    flow: i64,
    /// Capacity.
    cap: i64,
}

/// Working state of the network simplex on the extended network: real nodes
/// `0..n` plus the root `n`; real arcs at internal positions `0..m` (in mixed
/// order) plus the artificial arc `m + v` joining node `v` and the root.
///
/// Arcs of capacity zero can carry no flow and are left out: only arcs of
/// positive capacity (and, after a warm restart, the tree arcs) have an
/// internal position, so `m` may be smaller than the external arc count.
#[derive(Debug, Clone, Default)]
struct Simplex {
    /// Internal position of each real arc, by external index (`NONE` for an
    /// arc left out because its capacity is zero).
    position: Vec<usize>,
    /// Number `m` of real arcs in the internal arrays.
    real_arcs: usize,
    /// Tail of each arc.
    source: Vec<u32>,
    /// Head of each arc.
    target: Vec<u32>,
    /// Cost per unit of each arc.
    cost: Vec<i64>,
    /// `STATE_TREE`, `STATE_LOWER` or `STATE_UPPER` for each arc.
    state: Vec<i8>,
    /// Flow and capacity of each arc.
    load: Vec<Load>,

    /// Parent in the tree (`NONE` for the root, and for the root of a
    /// subtree that is detached during a tree update).
    parent: Vec<usize>,
    /// Tree arc joining the node to its parent.
    pred: Vec<usize>,
    /// Direction of `pred`: `DIR_UP` (node → parent) or `DIR_DOWN`.
    pred_dir: Vec<i8>,
    /// Next node in depth-first preorder (cyclic).
    thread: Vec<usize>,
    /// Previous node in depth-first preorder (cyclic).
    rev_thread: Vec<usize>,
    /// Number of nodes in the node's subtree, itself included.
    succ_num: Vec<usize>,
    /// Last node of the node's subtree in preorder.
    last_succ: Vec<usize>,
    /// Potential of each node; the root's is 0.
    pi: Vec<i64>,

    /// Scratch buffer for the path that a tree update re-roots.
    stem: Vec<usize>,
    /// Number of arcs per pricing block.
    block_size: usize,
    /// Where the next pricing scan starts.
    next_arc: usize,
}

/// Integer square root (floor).
fn isqrt(n: usize) -> usize {
    if n < 2 {
        return n;
    }
    // Newton's iteration from above decreases monotonically to the floor.
    let mut x = n;
    let mut y = x / 2 + (x & 1);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}

/// Converts a node index known to be `<= u32::MAX` (checked by `validate` here and by
/// `cost_scaling`'s own bound before either stores one).
pub(crate) fn node_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Simplex {
    /// Loads the instance and builds the initial, strongly feasible tree:
    /// every node hangs from the root by its artificial arc, which carries
    /// the node's supply. Nodes with non-negative supply send it up to the
    /// root at cost 0; demand nodes receive it from the root at cost `big_m`.
    fn init(
        &mut self,
        from: &[usize],
        to: &[usize],
        caps: &[i64],
        costs: &[i64],
        supply: &[i64],
        big_m: i64,
    ) {
        let n = supply.len();
        let root = n;
        // Only arcs that can carry flow take part.
        let m = caps.iter().filter(|&&c| c > 0).count();

        // Interleave the real arcs: the k-th arc of positive capacity goes
        // to position (k·skip) mod (m) in rounds, i.e. 0, skip, 2·skip, …,
        // 1, 1 + skip, …
        let skip = (m / n.max(1)).max(3);
        self.position.clear();
        let (mut next, mut round) = (0, 0);
        for &cap in caps {
            if cap <= 0 {
                self.position.push(NONE);
                continue;
            }
            self.position.push(next);
            next += skip;
            if next >= m {
                round += 1;
                next = round;
            }
        }
        self.real_arcs = m;
        let all = m + n;
        self.source.clear();
        self.source.resize(all, 0);
        self.target.clear();
        self.target.resize(all, 0);
        self.cost.clear();
        self.cost.resize(all, 0);
        self.load.clear();
        self.load.resize(all, Load::default());
        self.state.clear();
        self.state.resize(m, STATE_LOWER);
        self.state.resize(all, STATE_TREE);
        for (a, &pos) in self.position.iter().enumerate() {
            if pos == NONE {
                continue;
            }
            self.source[pos] = node_u32(from[a]);
            self.target[pos] = node_u32(to[a]);
            self.cost[pos] = costs[a];
            self.load[pos].cap = caps[a];
        }

        for tree_array in [
            &mut self.parent,
            &mut self.pred,
            &mut self.thread,
            &mut self.rev_thread,
            &mut self.succ_num,
            &mut self.last_succ,
        ] {
            tree_array.clear();
            tree_array.resize(n + 1, NONE);
        }
        self.pred_dir.clear();
        self.pred_dir.resize(n + 1, DIR_UP);
        self.pi.clear();
        self.pi.resize(n + 1, 0);

        for (v, &b) in supply.iter().enumerate() {
            let arc = m + v;
            // `validate` excluded i64::MIN and i64::MAX, so the negation
            // fits and an upward arc keeps slack below its capacity.
            self.load[arc] = Load {
                flow: b.abs(),
                cap: i64::MAX,
            };
            if b >= 0 {
                self.source[arc] = node_u32(v);
                self.target[arc] = node_u32(root);
                self.pred_dir[v] = DIR_UP;
            } else {
                self.source[arc] = node_u32(root);
                self.target[arc] = node_u32(v);
                self.cost[arc] = big_m;
                self.pred_dir[v] = DIR_DOWN;
                self.pi[v] = big_m;
            }
            self.parent[v] = root;
            self.pred[v] = arc;
            self.thread[v] = v + 1;
            self.rev_thread[v] = if v == 0 { root } else { v - 1 };
            self.succ_num[v] = 1;
            self.last_succ[v] = v;
        }
        // The preorder is root, 0, 1, …, n - 1, back to the root.
        let last = if n > 0 { n - 1 } else { root };
        self.thread[last] = root;
        self.thread[root] = if n > 0 { 0 } else { root };
        self.rev_thread[root] = last;
        self.succ_num[root] = n + 1;
        self.last_succ[root] = last;

        self.block_size = isqrt(all).max(MIN_BLOCK_SIZE);
        self.next_arc = 0;
    }

    /// Pivots until no arc is eligible.
    fn run(&mut self) {
        while let Some(in_arc) = self.find_entering_arc() {
            self.pivot(in_arc);
        }
    }

    /// Flow of the real arc with external index `arc` (0 for an arc left
    /// out of the internal arrays).
    fn real_flow(&self, arc: usize) -> i64 {
        match self.position[arc] {
            NONE => 0,
            pos => self.load[pos].flow,
        }
    }

    /// Whether every artificial arc carries zero flow.
    fn artificial_flows_are_zero(&self) -> bool {
        self.load[self.real_arcs..].iter().all(|l| l.flow == 0)
    }

    /// Warm restart: keeps the spanning tree of the last run, takes the new
    /// capacities, costs, supplies and big M, drops the arcs whose capacity
    /// became zero from the internal arrays, and recomputes the tree flows
    /// (non-tree arcs stay at their bound) and the potentials.
    ///
    /// Returns `false`, leaving the working state unusable until the next
    /// [`init`](Self::init), when the tree does not fit the new instance: a
    /// different number of nodes or arcs, an arc of positive capacity that
    /// was left out, or tree flows that are out of bounds or not strongly
    /// feasible (every tree arc must be able to carry more flow towards the
    /// root, which is what rules out cycling).
    fn reload(&mut self, caps: &[i64], costs: &[i64], supply: &[i64], big_m: i64) -> bool {
        let n = supply.len();
        let root = n;
        let old_m = self.real_arcs;
        if self.pi.len() != n + 1
            || self.position.len() != caps.len()
            || self.state.len() != old_m + n
        {
            return false;
        }
        for (a, &pos) in self.position.iter().enumerate() {
            if pos == NONE {
                if caps[a] > 0 {
                    return false;
                }
            } else {
                self.cost[pos] = costs[a];
                self.load[pos].cap = caps[a];
            }
        }

        // Compact: keep the real arcs that can carry flow, and the tree arcs,
        // in their current order; the artificial arcs follow.
        let mut new_pos = std::mem::take(&mut self.stem);
        new_pos.clear();
        new_pos.resize(old_m + n, NONE);
        let mut k = 0;
        for (p, slot) in new_pos.iter_mut().enumerate() {
            if p < old_m && self.load[p].cap == 0 && self.state[p] != STATE_TREE {
                continue;
            }
            *slot = k;
            self.source[k] = self.source[p];
            self.target[k] = self.target[p];
            self.cost[k] = self.cost[p];
            self.state[k] = self.state[p];
            self.load[k] = self.load[p];
            k += 1;
        }
        let m = k - n;
        for array in [&mut self.position, &mut self.pred[..n]] {
            for p in array.iter_mut() {
                if *p != NONE {
                    *p = new_pos[*p];
                }
            }
        }
        self.stem = new_pos;
        self.real_arcs = m;
        for array in [&mut self.source, &mut self.target] {
            array.truncate(k);
        }
        self.cost.truncate(k);
        self.state.truncate(k);
        self.load.truncate(k);

        // Non-tree arcs sit at a bound; artificial arcs into the root cost
        // 0, out of it big M.
        let mut excess: Vec<i64> = supply.to_vec();
        excess.push(0);
        for p in 0..k {
            if p >= m {
                self.cost[p] = if self.source[p] as usize == root {
                    big_m
                } else {
                    0
                };
            }
            let flow = match self.state[p] {
                STATE_TREE => continue,
                STATE_UPPER if p >= m => return false,
                STATE_UPPER => self.load[p].cap,
                _ => 0,
            };
            self.load[p].flow = flow;
            let (s, t) = (self.source[p] as usize, self.target[p] as usize);
            // One after the other: a self-loop must leave its node as it was.
            let Some(es) = excess[s].checked_sub(flow) else {
                return false;
            };
            excess[s] = es;
            let Some(et) = excess[t].checked_add(flow) else {
                return false;
            };
            excess[t] = et;
        }

        // Tree flows, leaves first: the arc above `u` carries the net
        // excess of `u`'s subtree towards the root.
        let mut u = self.rev_thread[root];
        while u != root {
            let arc = self.pred[u];
            let up = self.pred_dir[u] == DIR_UP;
            let Some(flow) = (if up {
                Some(excess[u])
            } else {
                excess[u].checked_neg()
            }) else {
                return false;
            };
            let cap = self.load[arc].cap;
            let strongly_feasible = if up {
                0 <= flow && flow < cap
            } else {
                0 < flow && flow <= cap
            };
            let p = self.parent[u];
            let Some(ep) = excess[p].checked_add(excess[u]) else {
                return false;
            };
            if !strongly_feasible {
                return false;
            }
            self.load[arc].flow = flow;
            excess[p] = ep;
            u = self.rev_thread[u];
        }

        // Potentials from the root down: tree arcs get reduced cost zero.
        // `validate` bounds every tree path's cost, so these fit.
        self.pi[root] = 0;
        let mut u = self.thread[root];
        while u != root {
            let p = self.parent[u];
            let c = self.cost[self.pred[u]];
            self.pi[u] = if self.pred_dir[u] == DIR_UP {
                self.pi[p] - c
            } else {
                self.pi[p] + c
            };
            u = self.thread[u];
        }

        self.block_size = isqrt(k).max(MIN_BLOCK_SIZE);
        self.next_arc = 0;
        true
    }

    /// Block search pricing: scans all arcs (artificial ones included)
    /// cyclically from `next_arc` in blocks of `block_size` and returns the
    /// most violating arc of the first block that has an eligible arc, or
    /// `None` when no arc is eligible, i.e. the tree is optimal.
    fn find_entering_arc(&mut self) -> Option<usize> {
        let total = self.state.len();
        let mut best = (0, NONE);
        let mut start = self.next_arc;
        let mut scanned = 0;
        while scanned < total {
            let len = self.block_size.min(total - scanned);
            // A block may wrap around the end of the arc list.
            let head = len.min(total - start);
            best = self.most_violating(start, start + head, best);
            best = self.most_violating(0, len - head, best);
            start = (start + len) % total;
            scanned += len;
            if best.0 < 0 {
                self.next_arc = start;
                return Some(best.1);
            }
        }
        None
    }

    /// The most negative `(violation, arc)` among `best` and the arcs in
    /// `lo..hi`, where the violation of an arc is its reduced cost signed so
    /// that it is negative exactly when the arc is eligible (0 in the tree).
    fn most_violating(&self, lo: usize, hi: usize, mut best: (i64, usize)) -> (i64, usize) {
        let pi = &self.pi;
        let arcs = self.cost[lo..hi]
            .iter()
            .zip(&self.source[lo..hi])
            .zip(&self.target[lo..hi])
            .zip(&self.state[lo..hi]);
        for (i, (((&cost, &s), &t), &state)) in arcs.enumerate() {
            let violation = i64::from(state) * (cost + pi[s as usize] - pi[t as usize]);
            if violation < best.0 {
                best = (violation, lo + i);
            }
        }
        best
    }

    /// How much more flow the tree arc above `u` can take when flow is pushed
    /// through it in direction `push` (`DIR_UP`: from `u` to its parent).
    fn residual(&self, u: usize, push: i8) -> i64 {
        let load = self.load[self.pred[u]];
        if self.pred_dir[u] == push {
            load.cap - load.flow
        } else {
            load.flow
        }
    }

    /// Performs one pivot with the eligible arc `in_arc`.
    fn pivot(&mut self, in_arc: usize) {
        // Flow goes along `in_arc` from `first` to `second`, then up the tree
        // from `second` to the join node and down from there to `first`.
        let (first, second) = if self.state[in_arc] == STATE_LOWER {
            (self.source[in_arc] as usize, self.target[in_arc] as usize)
        } else {
            (self.target[in_arc] as usize, self.source[in_arc] as usize)
        };

        // Climb from both ends to the join node, doing the ratio test on the
        // way. In cycle order (join → … → first → second → … → join) the
        // last blocking arc must leave: on the first path, walked backwards,
        // that is the earliest strict minimum; on the second path the latest
        // minimum; the entering arc sits in between.
        let (mut u, mut v) = (first, second);
        let (mut min_first, mut out_first) = (i64::MAX, NONE);
        let (mut min_second, mut out_second) = (i64::MAX, NONE);
        while u != v {
            if self.succ_num[u] < self.succ_num[v] {
                let d = self.residual(u, DIR_DOWN);
                if d < min_first {
                    min_first = d;
                    out_first = u;
                }
                u = self.parent[u];
            } else {
                let d = self.residual(v, DIR_UP);
                if d <= min_second {
                    min_second = d;
                    out_second = v;
                }
                v = self.parent[v];
            }
        }
        let join = u;
        let cap_in = self.load[in_arc].cap;
        let (delta, u_out, leaves_on_first) =
            if out_second != NONE && min_second <= min_first.min(cap_in) {
                (min_second, out_second, false)
            } else if out_first != NONE && min_first < cap_in {
                (min_first, out_first, true)
            } else {
                (cap_in, NONE, false)
            };

        // Augment along the cycle.
        if delta > 0 {
            let val = i64::from(self.state[in_arc]) * delta;
            self.load[in_arc].flow += val;
            let mut u = self.source[in_arc] as usize;
            while u != join {
                self.load[self.pred[u]].flow -= i64::from(self.pred_dir[u]) * val;
                u = self.parent[u];
            }
            let mut u = self.target[in_arc] as usize;
            while u != join {
                self.load[self.pred[u]].flow += i64::from(self.pred_dir[u]) * val;
                u = self.parent[u];
            }
        }

        if u_out == NONE {
            // The entering arc blocks itself: it just moves to its other bound.
            self.state[in_arc] = -self.state[in_arc];
            return;
        }

        let out_arc = self.pred[u_out];
        self.state[in_arc] = STATE_TREE;
        self.state[out_arc] = if self.load[out_arc].flow == 0 {
            STATE_LOWER
        } else {
            STATE_UPPER
        };

        // `u_in` is the entering arc's end inside the subtree that is cut off.
        let (u_in, v_in) = if leaves_on_first {
            (first, second)
        } else {
            (second, first)
        };
        self.update_tree(in_arc, join, u_in, v_in, u_out);

        // Shift the moved subtree's potentials so that the entering arc gets
        // reduced cost zero: cost + pi(source) - pi(target) = 0.
        let sigma =
            self.pi[v_in] - self.pi[u_in] - i64::from(self.pred_dir[u_in]) * self.cost[in_arc];
        let mut u = u_in;
        for _ in 0..self.succ_num[u_in] {
            self.pi[u] += sigma;
            u = self.thread[u];
        }
    }

    /// Replaces the tree arc above `u_out` by `in_arc`, which joins `u_in`
    /// (inside the subtree of `u_out`) to `v_in` (outside it). `join` is the
    /// top of the cycle: above it only last successors can change.
    fn update_tree(&mut self, in_arc: usize, join: usize, u_in: usize, v_in: usize, u_out: usize) {
        let old_join_last = self.last_succ[join];
        let v_out = self.parent[u_out];
        self.detach(u_out, v_out, join);
        self.reroot(u_in);
        self.attach(u_in, v_in, in_arc, join);
        let new_join_last = self.last_succ[join];
        if new_join_last != old_join_last {
            // Ancestors of `join` whose subtrees ended with `join`'s.
            let mut a = self.parent[join];
            while a != NONE && self.last_succ[a] == old_join_last {
                self.last_succ[a] = new_join_last;
                a = self.parent[a];
            }
        }
    }

    /// Cuts the subtree of `t` (whose parent is `s`) out of the tree and out
    /// of the thread, leaving it as a separate tree with its own cyclic
    /// thread. Fixes subtree sizes and last successors from `s` up to `join`.
    fn detach(&mut self, t: usize, s: usize, join: usize) {
        let size_t = self.succ_num[t];
        let prev_t = self.rev_thread[t];
        let last_t = self.last_succ[t];
        let next_last_t = self.thread[last_t];
        self.parent[t] = NONE;
        self.thread[prev_t] = next_last_t;
        self.rev_thread[next_last_t] = prev_t;
        self.thread[last_t] = t;
        self.rev_thread[t] = last_t;
        let mut a = s;
        loop {
            self.succ_num[a] -= size_t;
            if self.last_succ[a] == last_t {
                self.last_succ[a] = prev_t;
            }
            if a == join {
                break;
            }
            a = self.parent[a];
        }
    }

    /// Makes `q` the root of the detached tree containing it by reversing
    /// the parent pointers on the path from `q` to the current root, one arc
    /// at a time from the top.
    fn reroot(&mut self, q: usize) {
        let mut stem = std::mem::take(&mut self.stem);
        stem.clear();
        let mut u = q;
        while u != NONE {
            stem.push(u);
            u = self.parent[u];
        }
        // stem = [q, parent(q), …, root]: take the pairs from the root down.
        for pair in stem.windows(2).rev() {
            // `p` is the current root and `q` its child: make `p` a child of
            // `q`, so that `q` becomes the root.
            let (q, p) = (pair[0], pair[1]);
            let size_p = self.succ_num[p];
            let mut last_p = self.last_succ[p];
            let prev_q = self.rev_thread[q];
            let last_q = self.last_succ[q];
            let next_last_q = self.thread[last_q];

            self.parent[p] = q;
            self.parent[q] = NONE;
            self.pred[p] = self.pred[q];
            self.pred_dir[p] = -self.pred_dir[q];
            self.succ_num[p] = size_p - self.succ_num[q];
            self.succ_num[q] = size_p;

            // Cut q's subtree out of the cyclic thread.
            self.thread[prev_q] = next_last_q;
            self.rev_thread[next_last_q] = prev_q;
            if last_p == last_q {
                self.last_succ[p] = prev_q;
                last_p = prev_q;
            }
            // New thread: q's subtree, then what is left of p's, then back.
            self.thread[last_q] = p;
            self.rev_thread[p] = last_q;
            self.thread[last_p] = q;
            self.rev_thread[q] = last_p;
            self.last_succ[q] = last_p;
        }
        self.stem = stem;
    }

    /// Hangs the detached tree rooted at `q` below `p` by `arc`, splicing its
    /// thread in right after `p`'s subtree. Fixes subtree sizes and last
    /// successors from `p` up to `join`.
    fn attach(&mut self, q: usize, p: usize, arc: usize, join: usize) {
        let last_p = self.last_succ[p];
        let next_last_p = self.thread[last_p];
        let size_q = self.succ_num[q];
        let last_q = self.last_succ[q];
        self.parent[q] = p;
        self.pred[q] = arc;
        self.pred_dir[q] = if self.source[arc] as usize == q {
            DIR_UP
        } else {
            DIR_DOWN
        };
        self.thread[last_p] = q;
        self.rev_thread[q] = last_p;
        self.thread[last_q] = next_last_p;
        self.rev_thread[next_last_p] = last_q;
        let mut a = p;
        loop {
            self.succ_num[a] += size_q;
            if self.last_succ[a] == last_p {
                self.last_succ[a] = last_q;
            }
            if a == join {
                break;
            }
            a = self.parent[a];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A test instance, kept apart from the solver so that certificates are
    /// checked against the input rather than against solver state.
    #[derive(Debug, Clone)]
    struct Instance {
        supply: Vec<i64>,
        /// (from, to, capacity, cost)
        arcs: Vec<(usize, usize, i64, i64)>,
    }

    impl Instance {
        fn new(supply: &[i64]) -> Self {
            Instance {
                supply: supply.to_vec(),
                arcs: Vec::new(),
            }
        }

        fn arc(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
            self.arcs.push((from, to, cap, cost));
            self.arcs.len() - 1
        }

        fn solver(&self) -> NetworkSimplex {
            let mut ns = NetworkSimplex::with_capacity(self.supply.len(), self.arcs.len());
            for (v, &b) in self.supply.iter().enumerate() {
                ns.set_supply(v, b);
            }
            for (i, &(u, v, cap, cost)) in self.arcs.iter().enumerate() {
                assert_eq!(ns.add_arc(u, v, cap, cost), i);
            }
            ns
        }

        /// Solves and, when optimal, checks the optimality certificate.
        fn solve(&self) -> (FlowStatus, NetworkSimplex) {
            let mut ns = self.solver();
            let status = ns.solve().expect("valid instance");
            if status == FlowStatus::Optimal {
                assert_certificate(self, &ns);
            } else {
                assert_cleared(&ns);
            }
            (status, ns)
        }
    }

    /// Flow conservation, bounds, complementary slackness and strong duality.
    fn assert_certificate(inst: &Instance, ns: &NetworkSimplex) {
        let n = inst.supply.len();
        assert_eq!(ns.node_count(), n);
        assert_eq!(ns.arc_count(), inst.arcs.len());
        let mut balance: Vec<i128> = vec![0; n];
        let mut cost: i128 = 0;
        let mut dual: i128 = 0;
        for (a, &(u, v, cap, c)) in inst.arcs.iter().enumerate() {
            let x = ns.flow(a);
            assert!(0 <= x && x <= cap, "arc {a}: flow {x} outside 0..={cap}");
            balance[u] += i128::from(x);
            balance[v] -= i128::from(x);
            cost += i128::from(x) * i128::from(c);
            let rc = i128::from(c) + i128::from(ns.potential(u)) - i128::from(ns.potential(v));
            assert_eq!(i128::from(ns.reduced_cost(a)), rc, "arc {a}: reduced cost");
            if rc > 0 {
                assert_eq!(x, 0, "arc {a}: reduced cost {rc} > 0 but flow {x}");
            }
            if rc < 0 {
                assert_eq!(
                    x, cap,
                    "arc {a}: reduced cost {rc} < 0 but flow {x} < {cap}"
                );
            }
            dual += i128::from(cap) * rc.min(0);
        }
        for (v, &b) in inst.supply.iter().enumerate() {
            assert_eq!(balance[v], i128::from(b), "node {v}: conservation");
            dual -= i128::from(b) * i128::from(ns.potential(v));
        }
        assert_eq!(ns.total_cost(), cost, "total cost");
        assert_eq!(dual, cost, "strong duality");
        if n > 0 {
            assert_eq!((0..n).map(|v| ns.potential(v)).min(), Some(0));
        }
    }

    fn assert_cleared(ns: &NetworkSimplex) {
        assert!((0..ns.arc_count()).all(|a| ns.flow(a) == 0));
        assert!((0..ns.node_count()).all(|v| ns.potential(v) == 0));
        assert_eq!(ns.total_cost(), 0);
    }

    fn flows(ns: &NetworkSimplex) -> Vec<i64> {
        (0..ns.arc_count()).map(|a| ns.flow(a)).collect()
    }

    fn potentials(ns: &NetworkSimplex) -> Vec<i64> {
        (0..ns.node_count()).map(|v| ns.potential(v)).collect()
    }

    /// Deterministic pseudo-random numbers for the larger random tests.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        /// Uniform in `lo..=hi`.
        fn range(&mut self, lo: i64, hi: i64) -> i64 {
            let span = u64::try_from(hi - lo + 1).expect("non-empty range");
            lo + i64::try_from(self.next() % span).expect("small")
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).expect("small")
        }
    }

    // ----- hand-worked instances -------------------------------------------

    #[test]
    fn assignment_2x2() {
        // Workers 0, 1 to jobs 2, 3. Diagonal: 1 + 5 = 6, anti-diagonal:
        // 3 + 2 = 5, so the anti-diagonal wins.
        let mut inst = Instance::new(&[1, 1, -1, -1]);
        inst.arc(0, 2, 1, 1);
        inst.arc(0, 3, 1, 3);
        inst.arc(1, 2, 1, 2);
        inst.arc(1, 3, 1, 5);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![0, 1, 1, 0]);
        assert_eq!(ns.total_cost(), 5);
    }

    #[test]
    fn transportation_with_capacity_bound_arc() {
        // A(0) supplies 3, B(1) supplies 2; C(2) needs 2, D(3) needs 3.
        // With x = flow on A→C (capacity 1) the cost is 16 - 2x, so A→C is
        // saturated: A→C 1, A→D 2, B→C 1, B→D 1, cost 1 + 8 + 2 + 3 = 14.
        let mut inst = Instance::new(&[3, 2, -2, -3]);
        let ac = inst.arc(0, 2, 1, 1);
        inst.arc(0, 3, 10, 4);
        inst.arc(1, 2, 10, 2);
        inst.arc(1, 3, 10, 3);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![1, 2, 1, 1]);
        assert_eq!(ns.total_cost(), 14);
        // The bound is binding: its reduced cost is negative (here -2).
        assert_eq!(ns.reduced_cost(ac), -2);
    }

    #[test]
    fn infeasible_when_capacity_is_short() {
        let mut inst = Instance::new(&[2, 0, -2]);
        inst.arc(0, 1, 5, 1);
        inst.arc(1, 2, 1, 1);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Infeasible);
        assert_cleared(&ns);
    }

    #[test]
    fn infeasible_when_demand_is_unreachable() {
        // Node 2 has no incoming arc at all.
        let mut inst = Instance::new(&[1, 0, -1]);
        inst.arc(0, 1, 5, 1);
        inst.arc(2, 0, 5, 1);
        assert_eq!(inst.solve().0, FlowStatus::Infeasible);
    }

    #[test]
    fn zero_capacity_arc_carries_nothing() {
        // The free arc has capacity 0, so the unit takes the arc of cost 10.
        let mut inst = Instance::new(&[1, -1]);
        inst.arc(0, 1, 0, 0);
        inst.arc(0, 1, 5, 10);
        inst.arc(0, 1, 0, -7);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![0, 1, 0]);
        assert_eq!(ns.total_cost(), 10);
    }

    #[test]
    fn parallel_arcs_fill_cheapest_first() {
        // 3 units over arcs of cost 5 (cap 1), 1 (cap 2), 3 (cap 5):
        // 2 units at 1 and 1 unit at 3.
        let mut inst = Instance::new(&[3, -3]);
        inst.arc(0, 1, 1, 5);
        inst.arc(0, 1, 2, 1);
        inst.arc(0, 1, 5, 3);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![0, 2, 1]);
        assert_eq!(ns.total_cost(), 5);
    }

    #[test]
    fn negative_costs_and_negative_cycle() {
        // The unit goes 0→1→2→3 (2 - 5 + 1 = -2) rather than 0→3 (0), and the
        // negative cycle 4→5→4 (-3 + 1) is saturated at its bottleneck 2.
        let mut inst = Instance::new(&[1, 0, 0, -1, 0, 0]);
        inst.arc(0, 1, 1, 2);
        inst.arc(1, 2, 1, -5);
        inst.arc(2, 3, 1, 1);
        inst.arc(0, 3, 1, 0);
        inst.arc(4, 5, 2, -3);
        inst.arc(5, 4, 3, 1);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![1, 1, 1, 0, 2, 2]);
        assert_eq!(ns.total_cost(), -2 - 4);
    }

    #[test]
    fn self_loops() {
        let mut inst = Instance::new(&[0, 0]);
        inst.arc(0, 0, 4, -1);
        inst.arc(1, 1, 4, 2);
        inst.arc(0, 1, 4, -1);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        // A negative arc alone is no cycle: 0→1 needs supply, so stays at 0.
        assert_eq!(flows(&ns), vec![4, 0, 0]);
        assert_eq!(ns.total_cost(), -4);
        assert_eq!(ns.reduced_cost(0), -1);
        assert_eq!(ns.reduced_cost(1), 2);
    }

    #[test]
    fn potentials_follow_the_documented_sign_convention() {
        // A chain 0 → 1 → 2 carrying one unit: prices rise along the flow.
        let mut inst = Instance::new(&[1, 0, -1]);
        inst.arc(0, 1, 5, 3);
        inst.arc(1, 2, 5, 4);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(potentials(&ns), vec![0, 3, 7]);
        assert_eq!(ns.reduced_cost(0), 0);
        assert_eq!(ns.reduced_cost(1), 0);
    }

    #[test]
    fn empty_and_trivial_networks() {
        let mut ns = NetworkSimplex::new(0);
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.total_cost(), 0);

        let inst = Instance::new(&[0, 0, 0]);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(potentials(&ns), vec![0, 0, 0]);
    }

    #[test]
    fn disconnected_components() {
        let mut inst = Instance::new(&[2, -2, 1, 0, -1]);
        inst.arc(0, 1, 2, 7);
        inst.arc(2, 3, 1, 1);
        inst.arc(3, 4, 1, 1);
        inst.arc(2, 4, 1, 5);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![2, 1, 1, 0]);
        assert_eq!(ns.total_cost(), 16);
    }

    #[test]
    fn booking_network_shape() {
        // Referrals 0, 1, 2 (supply 1), slots 3 (capacity 1) and 4
        // (capacity 2), sink 5 (demand 3); unbooked costs 100.
        // Referral 0 likes slot 3 (cost 1), 1 likes slot 3 (cost 2) or 4
        // (cost 9), 2 can only go to slot 3 (cost 4). Slot 3 has room for
        // one: giving it to 2 and sending 1 to slot 4 costs 1 + ... let the
        // solver find: options {0→3, 1→4, 2 unbooked} = 1 + 9 + 100 = 110,
        // {2→3, 1→4, 0 unbooked} = 4 + 9 + 100 = 113,
        // {1→3, 0 unbooked, 2 unbooked} is worse; 0 has no other slot.
        let mut inst = Instance::new(&[1, 1, 1, 0, 0, -3]);
        inst.arc(0, 3, 1, 1);
        inst.arc(1, 3, 1, 2);
        inst.arc(1, 4, 1, 9);
        inst.arc(2, 3, 1, 4);
        inst.arc(3, 5, 1, 0);
        inst.arc(4, 5, 2, 0);
        inst.arc(0, 5, 1, 100);
        inst.arc(1, 5, 1, 100);
        inst.arc(2, 5, 1, 100);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(flows(&ns), vec![1, 0, 1, 0, 1, 1, 0, 0, 1]);
        assert_eq!(ns.total_cost(), 110);
    }

    // ----- errors ----------------------------------------------------------

    #[test]
    fn input_errors_are_reported_in_order() {
        let mut ns = NetworkSimplex::new(2);
        ns.add_arc(0, 1, 1, 0);
        ns.add_arc(0, 1, -1, 0);
        ns.add_arc(1, 7, 1, 0);
        ns.set_supply(0, 3);
        assert_eq!(
            ns.solve(),
            Err(FlowError::NodeOutOfRange { arc: 2, node: 7 })
        );
        let mut ns = NetworkSimplex::new(2);
        ns.add_arc(9, 1, 1, 0);
        assert_eq!(
            ns.solve(),
            Err(FlowError::NodeOutOfRange { arc: 0, node: 9 })
        );

        let mut ns = NetworkSimplex::new(2);
        ns.add_arc(0, 1, 1, 0);
        ns.add_arc(0, 1, -1, 0);
        ns.set_supply(0, 3);
        assert_eq!(ns.solve(), Err(FlowError::NegativeCapacity { arc: 1 }));
        ns.set_capacity(1, 5);
        assert_eq!(ns.solve(), Err(FlowError::Unbalanced { total_supply: 3 }));
        ns.set_supply(1, -3);
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(flows(&ns), vec![1, 2]);

        let mut ns = NetworkSimplex::new(2);
        ns.set_supply(0, i64::MAX);
        ns.set_supply(1, i64::MAX);
        assert_eq!(
            ns.solve(),
            Err(FlowError::Unbalanced {
                total_supply: i64::MAX
            })
        );
    }

    #[test]
    fn errors_clear_previous_results() {
        let mut inst = Instance::new(&[1, -1]);
        inst.arc(0, 1, 1, 5);
        let mut ns = inst.solver();
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.flow(0), 1);
        ns.set_capacity(0, -1);
        assert_eq!(ns.solve(), Err(FlowError::NegativeCapacity { arc: 0 }));
        assert_cleared(&ns);
    }

    #[test]
    fn huge_costs_overflow_instead_of_wrapping() {
        for cost in [i64::MAX, i64::MAX - 1, i64::MIN, i64::MIN + 1, i64::MAX / 8] {
            let mut ns = NetworkSimplex::new(3);
            ns.add_arc(0, 1, 1, cost);
            ns.add_arc(1, 2, 1, 1);
            ns.set_supply(0, 1);
            ns.set_supply(2, -1);
            assert_eq!(ns.solve(), Err(FlowError::Overflow), "cost {cost}");
            assert_cleared(&ns);
        }
    }

    #[test]
    fn extreme_supplies_overflow() {
        let mut ns = NetworkSimplex::new(2);
        ns.add_arc(0, 1, i64::MAX, 1);
        ns.set_supply(0, i64::MAX);
        ns.set_supply(1, -i64::MAX);
        assert_eq!(ns.solve(), Err(FlowError::Overflow));
        // One unit less is fine.
        ns.set_supply(0, i64::MAX - 1);
        ns.set_supply(1, -(i64::MAX - 1));
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.flow(0), i64::MAX - 1);
        assert_eq!(ns.total_cost(), i128::from(i64::MAX - 1));
    }

    #[test]
    fn largest_allowed_costs_solve_exactly() {
        // Just inside the documented bound K·(4n + 1) + 2 <= i64::MAX, with
        // big flows and a negative cycle, so all intermediate values are
        // large.
        let n: i64 = 4;
        let k = (i64::MAX - 2) / (4 * n + 1);
        let mut inst = Instance::new(&[i64::MAX - 1, 0, 0, -(i64::MAX - 1)]);
        inst.arc(0, 1, i64::MAX, k);
        inst.arc(1, 3, i64::MAX, -k);
        inst.arc(0, 2, i64::MAX, -k);
        inst.arc(2, 3, i64::MAX, k - 1);
        inst.arc(1, 2, 5, -k);
        inst.arc(2, 1, 5, -k);
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        // 5 units take 0→2→1→3 at -3k each, the rest 0→2→3 at -1 each.
        let rest = i64::MAX - 6;
        assert_eq!(flows(&ns), vec![0, 5, i64::MAX - 1, rest, 0, 5]);
        assert_eq!(ns.total_cost(), -15 * i128::from(k) - i128::from(rest));
        // One more unit of cost magnitude is rejected.
        let mut ns = inst.solver();
        ns.set_cost(0, k + 1);
        assert_eq!(ns.solve(), Err(FlowError::Overflow));
    }

    #[test]
    fn total_cost_beyond_i128_overflows() {
        // 40 saturated self-loops of cost about -2^61 and capacity 2^63 - 1
        // add up to about -2^129.
        let k = (i64::MAX - 2) / 5;
        let mut ns = NetworkSimplex::new(1);
        for _ in 0..40 {
            ns.add_arc(0, 0, i64::MAX, -k);
        }
        assert_eq!(ns.solve(), Err(FlowError::Overflow));
        // Three of them still fit.
        let mut ns = NetworkSimplex::new(1);
        for _ in 0..3 {
            ns.add_arc(0, 0, i64::MAX, -k);
        }
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.total_cost(), -3 * i128::from(k) * i128::from(i64::MAX));
    }

    #[test]
    fn errors_display() {
        assert_eq!(
            FlowError::NodeOutOfRange { arc: 1, node: 9 }.to_string(),
            "arc 1 names node 9, which does not exist"
        );
        assert!(FlowError::Overflow.to_string().contains("too large"));
    }

    #[test]
    fn integer_square_root() {
        for n in 0..2000usize {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "isqrt({n}) = {r}");
        }
        assert_eq!(isqrt(usize::MAX), (1usize << (usize::BITS / 2)) - 1);
    }

    // ----- brute-force oracle on tiny transportation instances -------------

    /// A tiny booking instance: referral `s` may take slot `k` at
    /// `options[s][k]` (if `Some`), or stay unbooked at `unbooked[s]`; slot
    /// `k` has `slot_cap[k]` places.
    #[derive(Debug, Clone)]
    struct Tiny {
        options: Vec<Vec<Option<i64>>>,
        unbooked: Vec<i64>,
        slot_cap: Vec<i64>,
    }

    impl Tiny {
        /// Nodes: referrals, then slots, then the sink. Arcs: the options in
        /// row order, then one unbooked arc per referral, then slot → sink.
        fn instance(&self) -> Instance {
            let (s, k) = (self.options.len(), self.slot_cap.len());
            let sink = s + k;
            let mut supply = vec![1; s];
            supply.resize(s + k, 0);
            supply.push(-i64::try_from(s).expect("small"));
            let mut inst = Instance::new(&supply);
            for (r, row) in self.options.iter().enumerate() {
                for (slot, cost) in row.iter().enumerate() {
                    if let Some(c) = cost {
                        inst.arc(r, s + slot, 1, *c);
                    }
                }
            }
            for (r, &c) in self.unbooked.iter().enumerate() {
                inst.arc(r, sink, 1, c);
            }
            for (slot, &cap) in self.slot_cap.iter().enumerate() {
                inst.arc(s + slot, sink, cap, 0);
            }
            inst
        }

        /// Every assignment (slot index or `None` = unbooked per referral)
        /// that respects the slot capacities, with its cost under `cost_of`.
        fn min_by_enumeration<K: Ord + Copy>(
            &self,
            cost_of: &dyn Fn(usize, Option<usize>) -> K,
            add: &dyn Fn(K, K) -> K,
            zero: K,
        ) -> K {
            fn go<K: Ord + Copy>(
                t: &Tiny,
                r: usize,
                used: &mut Vec<i64>,
                acc: K,
                cost_of: &dyn Fn(usize, Option<usize>) -> K,
                add: &dyn Fn(K, K) -> K,
                best: &mut Option<K>,
            ) {
                if r == t.options.len() {
                    match best {
                        Some(b) if *b <= acc => {}
                        _ => *best = Some(acc),
                    }
                    return;
                }
                go(
                    t,
                    r + 1,
                    used,
                    add(acc, cost_of(r, None)),
                    cost_of,
                    add,
                    best,
                );
                for slot in 0..t.slot_cap.len() {
                    if t.options[r][slot].is_some() && used[slot] < t.slot_cap[slot] {
                        used[slot] += 1;
                        let acc2 = add(acc, cost_of(r, Some(slot)));
                        go(t, r + 1, used, acc2, cost_of, add, best);
                        used[slot] -= 1;
                    }
                }
            }
            let mut best = None;
            let mut used = vec![0; self.slot_cap.len()];
            go(self, 0, &mut used, zero, cost_of, add, &mut best);
            best.expect("staying unbooked is always possible")
        }

        fn cost(&self, r: usize, slot: Option<usize>) -> i64 {
            match slot {
                None => self.unbooked[r],
                Some(k) => self.options[r][k].expect("offered option"),
            }
        }
    }

    fn tiny_strategy() -> impl Strategy<Value = Tiny> {
        (1usize..=5, 1usize..=3).prop_flat_map(|(s, k)| {
            (
                proptest::collection::vec(
                    proptest::collection::vec(proptest::option::weighted(0.7, 0i64..=20), k),
                    s,
                ),
                proptest::collection::vec(0i64..=20, s),
                proptest::collection::vec(0i64..=3, k),
            )
                .prop_map(|(options, unbooked, slot_cap)| Tiny {
                    options,
                    unbooked,
                    slot_cap,
                })
        })
    }

    proptest! {
        // A fixed seed (unless PROPTEST_RNG_SEED is set) so that every run tries the same cases.
        #![proptest_config(ProptestConfig {
            cases: 200,
            failure_persistence: None,
            rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
                ProptestConfig::default().rng_seed
            } else {
                proptest::test_runner::RngSeed::Fixed(20_261_202)
            },
            ..ProptestConfig::default()
        })]

        #[test]
        fn tiny_transportation_matches_brute_force(t in tiny_strategy()) {
            let best = t.min_by_enumeration(
                &|r, slot| t.cost(r, slot),
                &|a, b| a + b,
                0,
            );
            let (status, ns) = t.instance().solve();
            prop_assert_eq!(status, FlowStatus::Optimal);
            prop_assert_eq!(ns.total_cost(), i128::from(best));
        }

        /// The documented lexicographic procedure (solve tier 1, fix arcs
        /// with non-zero reduced cost at their bound, re-solve with tier 2)
        /// finds the lexicographic optimum.
        #[test]
        fn lexicographic_two_tiers_match_brute_force(
            t in tiny_strategy(),
            seed in any::<u64>(),
        ) {
            // Tier-2 costs: a second independent cost per option.
            let mut rng = Lcg(seed);
            let tier2: Vec<Vec<i64>> = t
                .options
                .iter()
                .map(|row| row.iter().map(|_| rng.range(0, 20)).collect())
                .collect();
            let unbooked2: Vec<i64> = t.unbooked.iter().map(|_| rng.range(0, 20)).collect();
            let cost2 = |r: usize, slot: Option<usize>| match slot {
                None => unbooked2[r],
                Some(k) => tier2[r][k],
            };
            let best = t.min_by_enumeration(
                &|r, slot| (t.cost(r, slot), cost2(r, slot)),
                &|a, b| (a.0 + b.0, a.1 + b.1),
                (0, 0),
            );

            let inst = t.instance();
            let (status, tier1) = inst.solve();
            prop_assert_eq!(status, FlowStatus::Optimal);
            prop_assert_eq!(tier1.total_cost(), i128::from(best.0));

            // Tier-2 cost of each arc, in the arc order of `instance()`.
            let mut arc_cost2 = Vec::new();
            for (r, row) in t.options.iter().enumerate() {
                for (k, c) in row.iter().enumerate() {
                    if c.is_some() {
                        arc_cost2.push(tier2[r][k]);
                    }
                }
            }
            arc_cost2.extend(&unbooked2);
            arc_cost2.extend(t.slot_cap.iter().map(|_| 0));

            let mut fixed = inst.clone();
            for (a, arc) in fixed.arcs.iter_mut().enumerate() {
                let rc = tier1.reduced_cost(a);
                let (u, v, cap, _) = *arc;
                if rc > 0 {
                    arc.2 = 0;
                } else if rc < 0 {
                    // Fixed at capacity: pre-route the flow.
                    arc.2 = 0;
                    fixed.supply[u] -= cap;
                    fixed.supply[v] += cap;
                }
                arc.3 = arc_cost2[a];
            }
            let (status, tier2_solver) = fixed.solve();
            prop_assert_eq!(status, FlowStatus::Optimal);
            // Recover the full flow and score it under both tiers.
            let mut c1: i128 = 0;
            let mut c2: i128 = 0;
            for (a, &(_, _, cap, cost)) in inst.arcs.iter().enumerate() {
                let x = if tier1.reduced_cost(a) < 0 { cap } else { tier2_solver.flow(a) };
                c1 += i128::from(x) * i128::from(cost);
                c2 += i128::from(x) * i128::from(arc_cost2[a]);
            }
            prop_assert_eq!((c1, c2), (i128::from(best.0), i128::from(best.1)));

            // The same second tier by a warm restart from the first tier's tree.
            let mut warm = tier1.clone();
            for (a, &(_, _, cap, cost)) in fixed.arcs.iter().enumerate() {
                warm.set_capacity(a, cap);
                warm.set_cost(a, cost);
            }
            for (v, &b) in fixed.supply.iter().enumerate() {
                warm.set_supply(v, b);
            }
            prop_assert_eq!(warm.resolve(), Ok(FlowStatus::Optimal));
            assert_certificate(&fixed, &warm);
            prop_assert_eq!(warm.total_cost(), tier2_solver.total_cost());
        }
    }

    // ----- successive-shortest-path oracle on larger random instances ------

    /// Minimum-cost flow by successive shortest paths (Bellman–Ford on the
    /// residual graph, via a super source and super sink). Requires the
    /// residual graph of the zero flow to have no negative cycle. Returns
    /// `None` when infeasible.
    fn ssp_min_cost(inst: &Instance) -> Option<i128> {
        let n = inst.supply.len();
        let (src, dst) = (n, n + 1);
        // Residual arcs, paired as 2i (forward) and 2i + 1 (backward).
        let mut from = Vec::new();
        let mut to = Vec::new();
        let mut res: Vec<i128> = Vec::new();
        let mut cost: Vec<i128> = Vec::new();
        let mut push = |u: usize, v: usize, cap: i64, c: i64| {
            from.extend([u, v]);
            to.extend([v, u]);
            res.extend([i128::from(cap), 0]);
            cost.extend([i128::from(c), -i128::from(c)]);
        };
        let mut need: i128 = 0;
        for &(u, v, cap, c) in &inst.arcs {
            push(u, v, cap, c);
        }
        for (v, &b) in inst.supply.iter().enumerate() {
            if b > 0 {
                push(src, v, b, 0);
                need += i128::from(b);
            } else if b < 0 {
                push(v, dst, -b, 0);
            }
        }
        let mut total: i128 = 0;
        while need > 0 {
            let mut dist = vec![i128::MAX; n + 2];
            let mut via = vec![usize::MAX; n + 2];
            dist[src] = 0;
            for _ in 0..n + 2 {
                let mut changed = false;
                for e in 0..to.len() {
                    let u = from[e];
                    if res[e] > 0 && dist[u] != i128::MAX && dist[u] + cost[e] < dist[to[e]] {
                        dist[to[e]] = dist[u] + cost[e];
                        via[to[e]] = e;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[dst] == i128::MAX {
                return None;
            }
            let mut amount = need;
            let mut v = dst;
            while v != src {
                amount = amount.min(res[via[v]]);
                v = from[via[v]];
            }
            let mut v = dst;
            while v != src {
                let e = via[v];
                res[e] -= amount;
                res[e ^ 1] += amount;
                v = from[e];
            }
            need -= amount;
            total += amount * dist[dst];
        }
        Some(total)
    }

    /// A random instance on `n` nodes. With `dag`, arcs only go from lower
    /// to higher nodes and costs may be negative; otherwise costs are
    /// non-negative. Either way the zero flow has no negative residual cycle.
    fn random_instance(rng: &mut Lcg, n: usize, arcs: usize, dag: bool) -> Instance {
        let mut supply = vec![0i64; n];
        for _ in 0..n / 2 {
            let amount = rng.range(1, 6);
            let (u, v) = if dag {
                let u = rng.below(n / 2);
                (u, n / 2 + rng.below(n - n / 2))
            } else {
                (rng.below(n), rng.below(n))
            };
            supply[u] += amount;
            supply[v] -= amount;
        }
        let mut inst = Instance::new(&supply);
        for _ in 0..arcs {
            let (mut u, mut v) = (rng.below(n), rng.below(n));
            if dag {
                if u == v {
                    continue;
                }
                if u > v {
                    std::mem::swap(&mut u, &mut v);
                }
            }
            let cap = rng.range(0, 10);
            let cost = if dag {
                rng.range(-20, 50)
            } else {
                rng.range(0, 50)
            };
            inst.arc(u, v, cap, cost);
        }
        inst
    }

    #[test]
    fn random_instances_match_successive_shortest_paths() {
        let mut rng = Lcg(0x5eed);
        let mut seen = [0usize; 2];
        for round in 0..60 {
            let n = 20 + rng.below(16);
            let arcs = 3 * n + rng.below(4 * n);
            let inst = random_instance(&mut rng, n, arcs, round % 2 == 0);
            let (status, ns) = inst.solve();
            match ssp_min_cost(&inst) {
                Some(cost) => {
                    assert_eq!(status, FlowStatus::Optimal, "round {round}");
                    assert_eq!(ns.total_cost(), cost, "round {round}");
                    seen[0] += 1;
                }
                None => {
                    assert_eq!(status, FlowStatus::Infeasible, "round {round}");
                    seen[1] += 1;
                }
            }
        }
        // Both outcomes were exercised.
        eprintln!("{seen:?}");
        assert!(seen[0] >= 10 && seen[1] >= 5, "{seen:?}");
    }

    // ----- internal invariants of the spanning tree ------------------------

    impl Simplex {
        /// Checks every invariant of the tree structure, flows and
        /// potentials, including strong feasibility.
        fn check_invariants(&self, supply: &[i64]) {
            let n = self.pi.len() - 1;
            let root = n;
            let all = self.state.len();
            // Preorder from the thread.
            let mut order = vec![root];
            let mut pos = vec![usize::MAX; n + 1];
            pos[root] = 0;
            let mut u = self.thread[root];
            while u != root {
                assert_eq!(pos[u], usize::MAX, "thread revisits {u}");
                pos[u] = order.len();
                order.push(u);
                u = self.thread[u];
            }
            assert_eq!(order.len(), n + 1, "thread misses nodes");
            for &u in &order {
                assert_eq!(self.rev_thread[self.thread[u]], u);
            }
            assert_eq!(self.parent[root], NONE);
            let mut balance: Vec<i128> = supply.iter().map(|&b| i128::from(b)).collect();
            balance.push(0);
            let tree_arcs = self.state.iter().filter(|&&s| s == STATE_TREE).count();
            assert_eq!(tree_arcs, n);
            for v in 0..n {
                let p = self.parent[v];
                let e = self.pred[v];
                assert_eq!(self.state[e], STATE_TREE);
                let (s, t) = (self.source[e] as usize, self.target[e] as usize);
                if self.pred_dir[v] == DIR_UP {
                    assert_eq!((s, t), (v, p));
                } else {
                    assert_eq!((s, t), (p, v));
                }
                // Preorder: the subtree of v is nested in its parent's.
                assert!(pos[p] < pos[v]);
                assert!(pos[v] + self.succ_num[v] <= pos[p] + self.succ_num[p]);
                assert_eq!(self.cost[e] + self.pi[s] - self.pi[t], 0, "tree arc {e}");
                assert!(self.residual(v, DIR_UP) > 0, "not strongly feasible at {v}");
            }
            for &u in &order {
                let children: usize = (0..n)
                    .filter(|&v| self.parent[v] == u)
                    .map(|v| self.succ_num[v])
                    .sum();
                assert_eq!(self.succ_num[u], children + 1, "succ_num of {u}");
                assert_eq!(self.last_succ[u], order[pos[u] + self.succ_num[u] - 1]);
            }
            assert_eq!(self.pi[root], 0);
            for e in 0..all {
                let Load { flow, cap } = self.load[e];
                assert!(0 <= flow && flow <= cap);
                match self.state[e] {
                    STATE_LOWER => assert_eq!(flow, 0),
                    STATE_UPPER => assert_eq!(flow, cap),
                    _ => {}
                }
                balance[self.source[e] as usize] -= i128::from(flow);
                balance[self.target[e] as usize] += i128::from(flow);
            }
            assert!(balance.iter().all(|&b| b == 0), "conservation");
        }
    }

    /// Runs the simplex pivot by pivot, checking all invariants each time.
    fn solve_checked(inst: &Instance) -> usize {
        let ns = inst.solver();
        let big_m = ns.validate().expect("valid");
        let mut work = Simplex::default();
        work.init(
            &ns.graph.arc_from,
            &ns.graph.arc_to,
            &ns.graph.arc_cap,
            &ns.graph.arc_cost,
            &ns.graph.supply,
            big_m,
        );
        work.check_invariants(&ns.graph.supply);
        let mut pivots = 0;
        while let Some(e) = work.find_entering_arc() {
            work.pivot(e);
            work.check_invariants(&ns.graph.supply);
            pivots += 1;
        }
        pivots
    }

    #[test]
    fn tree_invariants_hold_after_every_pivot() {
        let mut rng = Lcg(99);
        let mut pivots = 0;
        for round in 0..30 {
            let n = 5 + rng.below(20);
            let inst = random_instance(&mut rng, n, 4 * n, round % 2 == 0);
            pivots += solve_checked(&inst);
        }
        let tiny = Tiny {
            options: vec![
                vec![Some(3), None, Some(1)],
                vec![Some(2), Some(2), Some(2)],
                vec![None, Some(0), Some(5)],
                vec![Some(1), Some(1), None],
                vec![Some(7), Some(3), Some(1)],
            ],
            unbooked: vec![10, 4, 20, 6, 9],
            slot_cap: vec![1, 2, 1],
        };
        pivots += solve_checked(&tiny.instance());
        assert!(pivots > 300, "{pivots}");
    }

    #[test]
    fn extreme_values_match_successive_shortest_paths() {
        // Costs at the documented limit, capacities and supplies near
        // i64::MAX: every intermediate value is large. DAGs, so that the
        // oracle may use negative costs.
        let mut rng = Lcg(0xb16);
        let wide = |rng: &mut Lcg, hi: i64| -> i64 {
            let x = (rng.next() << 32) ^ rng.next();
            i64::try_from(x % (u64::try_from(hi).expect("non-negative") + 1)).expect("in range")
        };
        let mut feasible = 0;
        for _ in 0..40 {
            let n = 4 + rng.below(9);
            let k = (i64::MAX - 2) / (4 * i64::try_from(n).expect("small") + 1);
            let mut supply = vec![0i64; n];
            for _ in 0..n / 2 {
                let amount = wide(&mut rng, 1 << 60);
                supply[rng.below(n / 2)] += amount;
                supply[n / 2 + rng.below(n - n / 2)] -= amount;
            }
            let mut inst = Instance::new(&supply);
            for _ in 0..4 * n {
                let (u, v) = (rng.below(n), rng.below(n));
                if u == v {
                    continue;
                }
                let cap = [0, 3, 1 << 61, i64::MAX][rng.below(4)];
                let cost = wide(&mut rng, 2 * k) - k;
                inst.arc(u.min(v), u.max(v), cap, cost);
            }
            solve_checked(&inst);
            let (status, ns) = inst.solve();
            match ssp_min_cost(&inst) {
                Some(cost) => {
                    assert_eq!(status, FlowStatus::Optimal);
                    assert_eq!(ns.total_cost(), cost);
                    feasible += 1;
                }
                None => assert_eq!(status, FlowStatus::Infeasible),
            }
        }
        assert!(feasible >= 10, "{feasible}");
    }

    // ----- re-solving and determinism --------------------------------------

    #[test]
    fn resolve_with_new_costs_equals_fresh_solve() {
        let mut rng = Lcg(42);
        for round in 0..20 {
            let inst = random_instance(&mut rng, 30, 120, round % 2 == 0);
            let mut ns = inst.solver();
            ns.solve().expect("valid");
            let mut fresh_inst = inst.clone();
            for a in 0..inst.arcs.len() {
                let c = rng.range(-10, 40);
                ns.set_cost(a, c);
                fresh_inst.arcs[a].3 = c;
            }
            let status = ns.solve().expect("valid");
            let (fresh_status, fresh) = fresh_inst.solve();
            assert_eq!(status, fresh_status);
            assert_eq!(ns.total_cost(), fresh.total_cost());
            assert_eq!(flows(&ns), flows(&fresh));
            assert_eq!(potentials(&ns), potentials(&fresh));
            if status == FlowStatus::Optimal {
                assert_certificate(&fresh_inst, &ns);
            }
        }
    }

    #[test]
    fn resolve_after_fixing_capacities() {
        let mut inst = Instance::new(&[1, 1, -1, -1]);
        inst.arc(0, 2, 1, 1);
        inst.arc(0, 3, 1, 3);
        inst.arc(1, 2, 1, 2);
        inst.arc(1, 3, 1, 5);
        let mut ns = inst.solver();
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(flows(&ns), vec![0, 1, 1, 0]);
        // Forbid 0 → 3: the diagonal (cost 6) is all that is left.
        ns.set_capacity(1, 0);
        inst.arcs[1].2 = 0;
        assert_eq!(ns.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(flows(&ns), vec![1, 0, 0, 1]);
        assert_eq!(ns.total_cost(), 6);
        assert_certificate(&inst, &ns);
        // Forbid 1 → 3 as well: infeasible.
        ns.set_capacity(3, 0);
        assert_eq!(ns.solve(), Ok(FlowStatus::Infeasible));
    }

    /// Sets every cost, capacity and supply of `ns` to those of `inst`.
    fn load_instance(ns: &mut NetworkSimplex, inst: &Instance) {
        for (a, &(_, _, cap, cost)) in inst.arcs.iter().enumerate() {
            ns.set_capacity(a, cap);
            ns.set_cost(a, cost);
        }
        for (v, &b) in inst.supply.iter().enumerate() {
            ns.set_supply(v, b);
        }
    }

    /// Fixes every arc of `inst` with non-zero reduced cost in `ns` at its
    /// bound (pre-routing the flow of those at capacity) and gives all arcs
    /// new random costs: the next tier of a lexicographic solve.
    fn next_tier(inst: &Instance, ns: &NetworkSimplex, rng: &mut Lcg) -> Instance {
        let mut next = inst.clone();
        for (a, arc) in next.arcs.iter_mut().enumerate() {
            let rc = ns.reduced_cost(a);
            let (u, v, cap, _) = *arc;
            if rc != 0 && cap > 0 {
                arc.2 = 0;
                if rc < 0 {
                    next.supply[u] -= cap;
                    next.supply[v] += cap;
                }
            }
            arc.3 = rng.range(-10, 40);
        }
        next
    }

    #[test]
    fn warm_resolve_matches_fresh_solve_after_random_changes() {
        let mut rng = Lcg(0xa11ce);
        let mut seen = [0usize; 2];
        for round in 0..40 {
            let n = 10 + rng.below(20);
            let arcs = 3 * n + rng.below(3 * n);
            let mut inst = random_instance(&mut rng, n, arcs, round % 2 == 0);
            let mut ns = inst.solver();
            ns.solve().expect("valid");
            for step in 0..6 {
                // Change costs, close or reopen arcs, and move supply around.
                for arc in &mut inst.arcs {
                    match rng.below(8) {
                        0 | 1 => arc.3 = rng.range(-20, 50),
                        3 if rng.below(3) == 0 => arc.2 = 0,
                        2 if step % 2 == 1 => arc.2 = rng.range(1, 10),
                        _ => {}
                    }
                }
                let (u, v) = (rng.below(n), rng.below(n));
                let amount = rng.range(0, 4);
                inst.supply[u] += amount;
                inst.supply[v] -= amount;
                load_instance(&mut ns, &inst);
                let status = ns.resolve().expect("valid");
                let (fresh_status, fresh) = inst.solve();
                assert_eq!(status, fresh_status, "round {round} step {step}");
                if status == FlowStatus::Optimal {
                    assert_certificate(&inst, &ns);
                    assert_eq!(ns.total_cost(), fresh.total_cost());
                    seen[0] += 1;
                } else {
                    assert_cleared(&ns);
                    seen[1] += 1;
                }
            }
        }
        assert!(seen[0] >= 40 && seen[1] >= 10, "{seen:?}");
    }

    #[test]
    fn warm_resolve_after_lexicographic_fixing_keeps_the_tree() {
        let mut rng = Lcg(0xf1_7ed);
        let mut warm_starts = 0;
        for round in 0..60 {
            let n = 8 + rng.below(20);
            let inst = random_instance(&mut rng, n, 4 * n, round % 2 == 0);
            let (status, mut ns) = inst.solve();
            if status != FlowStatus::Optimal {
                continue;
            }
            let mut current = inst;
            for _ in 0..3 {
                let next = next_tier(&current, &ns, &mut rng);
                // The previous optimal tree is a strongly feasible basis of
                // the fixed instance: the restart must not fall back.
                load_instance(&mut ns, &next);
                let big_m = ns.validate().expect("valid");
                let mut work = ns.work.clone();
                assert!(work.reload(
                    &ns.graph.arc_cap,
                    &ns.graph.arc_cost,
                    &ns.graph.supply,
                    big_m
                ));
                work.check_invariants(&ns.graph.supply);
                while let Some(e) = work.find_entering_arc() {
                    work.pivot(e);
                    work.check_invariants(&ns.graph.supply);
                }
                warm_starts += 1;

                assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
                assert_certificate(&next, &ns);
                let (fresh_status, fresh) = next.solve();
                assert_eq!(fresh_status, FlowStatus::Optimal);
                assert_eq!(ns.total_cost(), fresh.total_cost());
                // Fixed arcs carry nothing.
                for (a, &(_, _, cap, _)) in next.arcs.iter().enumerate() {
                    if cap == 0 {
                        assert_eq!(ns.flow(a), 0);
                    }
                }
                current = next;
            }
        }
        assert!(warm_starts >= 30, "{warm_starts}");
    }

    #[test]
    fn warm_resolve_falls_back_and_stays_correct() {
        // No previous solve: resolve is a plain solve.
        let mut inst = Instance::new(&[1, 1, -1, -1]);
        inst.arc(0, 2, 1, 1);
        inst.arc(0, 3, 1, 3);
        inst.arc(1, 2, 1, 2);
        inst.arc(1, 3, 1, 5);
        let mut ns = inst.solver();
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.total_cost(), 5);
        // Close 0 → 3, then reopen it: the arc left the internal arrays and
        // must come back.
        ns.set_capacity(1, 0);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_eq!(flows(&ns), vec![1, 0, 0, 1]);
        ns.set_capacity(1, 1);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_eq!(flows(&ns), vec![0, 1, 1, 0]);
        assert_eq!(ns.total_cost(), 5);
        assert_certificate(&inst, &ns);
        // Infeasible, then feasible again.
        ns.set_capacity(1, 0);
        ns.set_capacity(3, 0);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Infeasible));
        assert_cleared(&ns);
        ns.set_capacity(3, 1);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.total_cost(), 6);
        // An added arc invalidates the tree.
        let a = ns.add_arc(0, 3, 1, -4);
        inst.arcs[1].2 = 0;
        inst.arc(0, 3, 1, -4);
        assert_eq!(a, 4);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_certificate(&inst, &ns);
        assert_eq!(ns.total_cost(), -2);
        // Errors are reported as by solve and clear the results.
        ns.set_cost(0, i64::MAX);
        assert_eq!(ns.resolve(), Err(FlowError::Overflow));
        assert_cleared(&ns);
        ns.set_cost(0, 1);
        ns.set_supply(0, 2);
        assert_eq!(ns.resolve(), Err(FlowError::Unbalanced { total_supply: 1 }));
        ns.set_supply(0, 1);
        assert_eq!(ns.resolve(), Ok(FlowStatus::Optimal));
        assert_eq!(ns.total_cost(), -2);
    }

    #[test]
    fn warm_resolve_is_deterministic() {
        let mut rng = Lcg(11);
        let inst = random_instance(&mut rng, 40, 200, true);
        let run = |rng_seed: u64| {
            let mut rng = Lcg(rng_seed);
            let (_, mut ns) = inst.solve();
            let next = next_tier(&inst, &ns, &mut rng);
            load_instance(&mut ns, &next);
            ns.resolve().expect("valid");
            (flows(&ns), potentials(&ns), ns.total_cost())
        };
        assert_eq!(run(3), run(3));
    }

    #[test]
    fn solving_is_deterministic() {
        let mut rng = Lcg(7);
        let inst = random_instance(&mut rng, 40, 200, false);
        let (_, a) = inst.solve();
        let mut b = inst.solver();
        b.solve().expect("valid");
        b.solve().expect("valid");
        let mut c = b.clone();
        c.solve().expect("valid");
        for other in [&b, &c] {
            assert_eq!(flows(&a), flows(other));
            assert_eq!(potentials(&a), potentials(other));
            assert_eq!(a.total_cost(), other.total_cost());
        }
    }

    #[test]
    fn medium_booking_instance_is_optimal() {
        // 300 referrals, 80 slots of capacity 3, 10 options each, unbooked
        // cost 500: checks the certificate on a bigger degenerate instance.
        let mut rng = Lcg(2024);
        let (s, k) = (300usize, 80usize);
        let sink = s + k;
        let mut supply = vec![1i64; s];
        supply.resize(s + k, 0);
        supply.push(-300);
        let mut inst = Instance::new(&supply);
        for r in 0..s {
            for _ in 0..10 {
                let slot = s + rng.below(k);
                inst.arc(r, slot, 1, rng.range(0, 100));
            }
            inst.arc(r, sink, 1, 500);
        }
        for slot in s..s + k {
            inst.arc(slot, sink, 3, 0);
        }
        let (status, ns) = inst.solve();
        assert_eq!(status, FlowStatus::Optimal);
        assert_eq!(Some(ns.total_cost()), ssp_min_cost(&inst));
    }
}
