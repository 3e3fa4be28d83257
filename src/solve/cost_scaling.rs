//! Exact minimum-cost flow by cost scaling (push-relabel with ε-scaling).
//!
//! The second engine behind the booking optimiser's transportation problems, beside the
//! [network simplex](super::network). It solves the same problem (nodes with supplies, arcs
//! with a lower bound of zero, a capacity and an integer cost per unit of flow) and returns the
//! same things: an optimal integer flow, and potentials that certify it with the same sign
//! convention, `reduced_cost(u → v) = cost + π(u) − π(v)`, so that after a solve
//!
//! * `reduced_cost(a) > 0` ⇒ `flow(a) = 0`,
//! * `reduced_cost(a) < 0` ⇒ `flow(a) = cap(a)`.
//!
//! Those exact potentials are what the lexicographic tiers need to hold arcs at their bounds.
//! It is pure `std`, uses no `unsafe`, and is deterministic.
//!
//! # Why a second engine
//!
//! The network simplex is fast when the costs take few values (a breach or not, a count of
//! snapshots), but
//! on the treat-in-turn tier (weight × days², a distinct cost on nearly every arc) it makes
//! tens of pivots per node along a deep tree: 640,000 pivots and 4.5 s (of a 6.0 s run, timed
//! per tier) on the 20,000 × 5,000 benchmark. Cost scaling does a bounded number of cheap
//! passes over the arcs per scaling phase and about `log(n·C)` phases, whatever the cost
//! structure.
//!
//! # Algorithm
//!
//! Goldberg and Tarjan's cost scaling (*Finding minimum-cost circulations by successive
//! approximation*, Mathematics of Operations Research 15, 1990), with the global price
//! update heuristic of Goldberg (*An efficient implementation of a scaling minimum-cost flow
//! algorithm*, Journal of Algorithms 22, 1997):
//!
//! 1. Costs are multiplied by `S = n + 1` (`n` the node count). A flow is *ε-optimal* for
//!    prices `p` when every residual arc has scaled reduced cost at least `−ε`; an ε-optimal
//!    flow with `ε < S / n`, i.e. `ε = 1` on the scaled costs, is optimal for the integer costs.
//! 2. Starting from `ε` = the largest scaled cost / [`FIRST_EPS_DIVISOR`] (the zero flow and
//!    zero prices are ε-optimal for any ε once the arcs of negative cost are saturated), each
//!    *refine*, with ε divided by [`ALPHA`] from one to the next, saturates every residual
//!    arc of negative reduced cost (the pseudoflow is then 0-optimal), and removes the excesses this creates by
//!    *pushes* along admissible arcs (residual, reduced cost below zero) and *relabels* (a node
//!    with excess and no admissible arc lowers its price until one has reduced cost `−ε`).
//!    Active nodes are discharged in first-in, first-out order. Before a push, a head that
//!    has no excess and no admissible entry of its own is relabelled first (Goldberg's
//!    *push look-ahead*), so flow is not sent where it could only come back.
//! 3. A *price update* at the start of each refine and after every `n` relabels lowers all
//!    prices at once by a Dijkstra-like search (Dial's buckets) back from the deficit nodes
//!    over residual arcs, whose length is `⌊reduced cost / ε⌋ + 1`: afterwards every node on
//!    a shortest route to a deficit has an admissible arc along it, and ε-optimality holds.
//!    A node with excess that the search cannot reach proves the instance infeasible.
//! 4. Exact potentials for the unscaled costs come from the residual graph: label-correcting
//!    shortest paths over the residual arcs, starting from the prices divided by `S` and
//!    rounded down. When the search settles, no residual arc has a negative reduced cost,
//!    which certifies the flow optimal. After the last refine (`ε = 1`) it always settles,
//!    each label falling by one unit at most (the rounded prices violate no residual arc by
//!    more than one unit and no path by more than `n / S < 1` before rounding). From `ε ≤ S`
//!    on it is also tried after every refine, allowed [`CHECK_CORRECTIONS`] corrections per
//!    label: the flow is often optimal a phase or two before `ε` reaches 1.
//!
//! All prices stay within `−i64::MAX / 4 ..= 0`; [`solve`] refuses instances
//! whose scaled costs could leave that range ([`FlowError::Overflow`]), and stops with the
//! same error should a price ever reach its bound, so a caller can fall back to the network
//! simplex, whose bounds are wider.

use super::graph::FlowGraph;
use super::network::{node_u32, FlowError};
use std::collections::VecDeque;

/// Factor by which ε shrinks between refines (Goldberg's experiments: 8 to 16 do well).
const ALPHA: i64 = 8;

/// The first refine runs at ε = the largest scaled cost / this. Any ε is valid (the zero flow
/// is 0-optimal for costs of either sign once the negative arcs are saturated, which each
/// refine does first); the textbook start, ε = the largest cost / [`ALPHA`], spends phases on
/// differences far larger than those that decide a booking list. Measured end to end on the
/// generated capacity-only lists (`examples/scale`, one pair of runs each): 20,000 × 5,000,
/// 3.3 s with the textbook start and 3.1 s with this one; 100,000 × 25,000, 32.3 s and 25.6 s.
const FIRST_EPS_DIVISOR: i64 = 4_096;

/// Optimality is checked after every refine from ε = this × S on (ε of one unit of the
/// unscaled costs and below).
const CHECK_FROM: i64 = 1;

/// Corrections per label allowed when checking a flow before ε = 1.
const CHECK_CORRECTIONS: u8 = 4;

/// Lowest price a node may reach (prices start at zero and only fall).
const MIN_PRICE: i64 = -(i64::MAX / 4);

/// Sentinel for "no entry" (an arc of capacity zero has no residual entries).
const NONE: u32 = u32::MAX;

/// An optimal flow found by [`solve`], with potentials that certify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Solution {
    /// Flow of each arc, in units of flow.
    flow: Vec<i64>,
    /// Potential of each node, the smallest 0.
    potential: Vec<i64>,
    /// `Σ cost · flow`.
    total_cost: i128,
}

// A complete result, as for the network simplex: the booking optimiser reads flows and
// reduced costs, the tests potentials and totals too.
#[allow(dead_code)]
impl Solution {
    /// Flow on `arc` (`0 ..= capacity`).
    ///
    /// # Panics
    ///
    /// If `arc` is not an arc of the solved instance.
    pub fn flow(&self, arc: usize) -> i64 {
        self.flow[arc]
    }

    /// Potential of `node`, in cost units; the smallest is 0. Sign convention as for the
    /// network simplex: `reduced_cost(u → v) = cost + π(u) − π(v)`.
    ///
    /// # Panics
    ///
    /// If `node` is not a node of the solved instance.
    pub fn potential(&self, node: usize) -> i64 {
        self.potential[node]
    }

    /// Reduced cost of `arc` of `net` (the instance solved, or the same arcs with other
    /// costs) under these potentials, saturated to `i64`: above 0 only where the flow is 0,
    /// below 0 only where it is at capacity.
    ///
    /// # Panics
    ///
    /// If `arc >= net.arc_count()`.
    pub fn reduced_cost(&self, net: &FlowGraph, arc: usize) -> i64 {
        let (from, to, _, cost) = net.arc(arc);
        let pi = |v: usize| i128::from(self.potential.get(v).copied().unwrap_or(0));
        let rc = i128::from(cost) + pi(from) - pi(to);
        i64::try_from(rc).unwrap_or(if rc < 0 { i64::MIN } else { i64::MAX })
    }

    /// Total cost `Σ cost · flow`.
    pub fn total_cost(&self) -> i128 {
        self.total_cost
    }
}

/// Solves the instance held by `net` (its arcs, capacities, costs and supplies as they stand;
/// its own solver state is neither used nor changed) by cost scaling.
///
/// Returns `Ok(Some(solution))` with an optimal flow and exact potentials, or `Ok(None)` when
/// the supplies cannot be routed. Memory while solving: about 70 bytes per arc and 60 per node.
///
/// # Errors
///
/// [`FlowError::NodeOutOfRange`], [`FlowError::NegativeCapacity`] and
/// [`FlowError::Unbalanced`] as for the network simplex
/// ([`FlowGraph::check_input`]); [`FlowError::Overflow`] when
/// `max|cost| · (n + 1) · (3n + 4)` exceeds `i64::MAX / 4` (`n` the node count, the cost the
/// largest over arcs of positive capacity), when the node or arc count is `u32::MAX / 4` or
/// more, or when the total cost does not fit in an `i128`: the network simplex, whose bounds
/// are wider, can take such an instance.
pub(crate) fn solve(net: &FlowGraph) -> Result<Option<Solution>, FlowError> {
    net.check_input()?;
    let scale = cost_scale(net)?;
    let mut work = Residual::build(net, scale);
    let Some(potential) = work.run()? else {
        return Ok(None);
    };
    let mut flow = vec![0; net.arc_count()];
    let mut total: i128 = 0;
    for (a, out) in flow.iter_mut().enumerate() {
        let (_, _, cap, cost) = net.arc(a);
        let x = cap - work.residual_of(a);
        total = i128::from(x)
            .checked_mul(i128::from(cost))
            .and_then(|c| total.checked_add(c))
            .ok_or(FlowError::Overflow)?;
        *out = x;
    }
    Ok(Some(Solution {
        flow,
        potential,
        total_cost: total,
    }))
}

/// The cost scale `S = n + 1`, once the scaled costs are known to stay in range.
fn cost_scale(net: &FlowGraph) -> Result<i64, FlowError> {
    let n = net.node_count();
    if u64::try_from(n).unwrap_or(u64::MAX) >= u64::from(u32::MAX) / 4
        || u64::try_from(net.arc_count()).unwrap_or(u64::MAX) >= u64::from(u32::MAX) / 4
    {
        return Err(FlowError::Overflow);
    }
    let max_abs_cost = (0..net.arc_count())
        .map(|a| net.arc(a))
        .filter(|&(_, _, cap, _)| cap > 0)
        .map(|(_, _, _, cost)| i128::from(cost).abs())
        .max()
        .unwrap_or(0);
    let n = i128::try_from(n).map_err(|_| FlowError::Overflow)?;
    // Scaled costs, prices and the ranks of a price update (at most 3n + 3 levels of ε) must
    // all stay within i64::MAX / 4 of zero.
    if max_abs_cost * (n + 1) * (3 * n + 4) > i128::from(i64::MAX / 4) {
        return Err(FlowError::Overflow);
    }
    i64::try_from(n + 1).map_err(|_| FlowError::Overflow)
}

/// One direction of an arc in the residual network.
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// Head node.
    head: u32,
    /// The opposite entry of the same arc.
    sister: u32,
    /// Residual capacity.
    rcap: i64,
    /// The arc's capacity: this entry's residual capacity plus its sister's, so that the
    /// sister's can be read without touching it.
    cap: i64,
    /// Scaled cost (the sister's is its negation).
    cost: i64,
}

/// The residual network in forward-star form: the entries of node `v` are
/// `first[v]..first[v + 1]`; an arc of positive capacity has a forward entry at its tail and
/// a reverse entry (cost negated, residual capacity = its flow) at its head, each the other's
/// `sister`.
struct Residual {
    /// Node count `n`.
    n: usize,
    /// Cost scale `S = n + 1`.
    scale: i64,
    /// First entry of each node, and `first[n]` = the entry count.
    first: Vec<u32>,
    /// The entries, by node.
    entry: Vec<Entry>,
    /// Forward entry of each external arc (`NONE` for an arc of capacity zero).
    entry_of: Vec<u32>,
    /// Supply not yet routed: positive at an active node, negative at a deficit.
    excess: Vec<i64>,
    /// Price of each node (scaled cost units, at most 0).
    price: Vec<i64>,
    /// Next entry to look at when discharging each node.
    current: Vec<u32>,
    /// Nodes with positive excess waiting to be discharged, first in, first out.
    queue: VecDeque<u32>,
    /// Relabels since the last price update.
    relabels: usize,
}

impl Residual {
    /// Builds the residual network of the zero flow, costs multiplied by `scale`.
    fn build(net: &FlowGraph, scale: i64) -> Self {
        let n = net.node_count();
        let mut degree = vec![0u32; n + 1];
        for a in 0..net.arc_count() {
            let (u, v, cap, _) = net.arc(a);
            if cap > 0 {
                degree[u] += 1;
                degree[v] += 1;
            }
        }
        let mut first = vec![0u32; n + 1];
        let mut sum = 0u32;
        for (f, d) in first.iter_mut().zip(&degree) {
            *f = sum;
            sum += d;
        }
        let mut fill = first.clone();
        let mut entry = vec![Entry::default(); sum as usize];
        let mut entry_of = vec![NONE; net.arc_count()];
        for (a, of) in entry_of.iter_mut().enumerate() {
            let (u, v, cap, arc_cost) = net.arc(a);
            if cap == 0 {
                continue;
            }
            let f = fill[u];
            fill[u] += 1;
            let r = fill[v];
            fill[v] += 1;
            let cost = arc_cost * scale;
            entry[f as usize] = Entry {
                head: node_u32(v),
                sister: r,
                rcap: cap,
                cap,
                cost,
            };
            entry[r as usize] = Entry {
                head: node_u32(u),
                sister: f,
                rcap: 0,
                cap,
                cost: -cost,
            };
            *of = f;
        }
        Self {
            n,
            scale,
            current: first[..n].to_vec(),
            first,
            entry,
            entry_of,
            excess: net.supplies().to_vec(),
            price: vec![0; n],
            queue: VecDeque::new(),
            relabels: 0,
        }
    }

    /// Entries of node `v`.
    fn entries(&self, v: usize) -> std::ops::Range<usize> {
        self.first[v] as usize..self.first[v + 1] as usize
    }

    /// Residual capacity of the forward entry of external arc `a` (0 for an arc left out).
    fn residual_of(&self, a: usize) -> i64 {
        match self.entry_of[a] {
            NONE => 0,
            e => self.entry[e as usize].rcap,
        }
    }

    /// Scaling phases until the flow is proven optimal: `Ok(Some(potentials))` with exact
    /// potentials for the unscaled costs, or `Ok(None)` when infeasible.
    ///
    /// From ε ≤ [`CHECK_FROM`] × S on, each refine is followed by an attempt to certify the
    /// flow as it stands ([`exact_potentials`](Self::exact_potentials) with a small budget):
    /// often it is optimal phases before ε reaches 1. At ε = 1 the certificate always exists.
    fn run(&mut self) -> Result<Option<Vec<i64>>, FlowError> {
        let max_cost = self.entry.iter().map(|e| e.cost.abs()).max().unwrap_or(0);
        let mut eps = (max_cost / FIRST_EPS_DIVISOR).max(1);
        loop {
            if !self.refine(eps)? {
                return Ok(None);
            }
            if eps == 1 {
                // ε = 1 on costs scaled by n + 1: optimal, and each label falls by one at most.
                return self
                    .exact_potentials(1)
                    .map(Some)
                    .ok_or(FlowError::Overflow);
            }
            if eps <= CHECK_FROM.saturating_mul(self.scale) {
                if let Some(potentials) = self.exact_potentials(CHECK_CORRECTIONS) {
                    return Ok(Some(potentials));
                }
            }
            eps = (eps / ALPHA).max(1);
        }
    }

    /// Pushes `delta` units along entry `e` out of `v`.
    fn push(&mut self, v: usize, e: usize, delta: i64) {
        let Entry { head, sister, .. } = self.entry[e];
        let w = head as usize;
        self.entry[e].rcap -= delta;
        self.entry[sister as usize].rcap += delta;
        self.excess[v] -= delta;
        let before = self.excess[w];
        self.excess[w] = before + delta;
        if before <= 0 && before + delta > 0 {
            self.queue.push_back(head);
        }
    }

    /// One refine: turns the ε·ALPHA-optimal flow into an ε-optimal one. `Ok(false)`:
    /// infeasible.
    fn refine(&mut self, eps: i64) -> Result<bool, FlowError> {
        self.queue.clear();
        for v in 0..self.n {
            let pv = self.price[v];
            for e in self.entries(v) {
                if self.admissible(pv, e) {
                    self.push_saturating(v, e);
                }
            }
        }
        for v in 0..self.n {
            self.current[v] = self.first[v];
            if self.excess[v] > 0 {
                self.queue.push_back(node_u32(v));
            }
        }
        if !self.price_update(eps)? {
            return Ok(false);
        }
        while let Some(v) = self.queue.pop_front() {
            if !self.discharge(v as usize, eps)? {
                return Ok(false);
            }
            if self.relabels > self.n && !self.price_update(eps)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Saturates entry `e` out of `v` without queueing (the refine queues afterwards).
    fn push_saturating(&mut self, v: usize, e: usize) {
        let Entry {
            head, sister, rcap, ..
        } = self.entry[e];
        self.entry[e].rcap = 0;
        self.entry[sister as usize].rcap += rcap;
        self.excess[v] -= rcap;
        self.excess[head as usize] += rcap;
    }

    /// Pushes the excess of `v` away, relabelling it when it has no admissible entry.
    /// `Ok(false)`: `v` has excess and no residual entry at all (infeasible).
    fn discharge(&mut self, v: usize, eps: i64) -> Result<bool, FlowError> {
        let end = self.first[v + 1] as usize;
        while self.excess[v] > 0 {
            // Also within one discharge: flow can circle between a node and its neighbours
            // while the deficits it reaches are full, which only a price update shows.
            if self.relabels > self.n && !self.price_update(eps)? {
                return Ok(false);
            }
            let pv = self.price[v];
            let mut e = self.current[v] as usize;
            while e < end {
                // Admissible (`admissible`, spelled out: this loop is the hot path).
                let Entry {
                    head, rcap, cost, ..
                } = self.entry[e];
                if rcap > 0 && cost + pv - self.price[head as usize] < 0 {
                    let w = head as usize;
                    // Look-ahead: a node that could only send the flow back is relabelled
                    // first, which may leave this entry inadmissible.
                    if self.excess[w] >= 0
                        && !self.has_admissible(w)
                        && self.relabel(w, eps)?
                        && cost + pv - self.price[w] >= 0
                    {
                        e += 1;
                        continue;
                    }
                    let delta = rcap.min(self.excess[v]);
                    self.push(v, e, delta);
                    if self.excess[v] == 0 {
                        break;
                    }
                }
                e += 1;
            }
            if e < end {
                self.current[v] = e as u32;
                return Ok(true);
            }
            if !self.relabel(v, eps)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether entry `e`, out of a node of price `pv`, is admissible: residual, with a negative
    /// reduced cost.
    fn admissible(&self, pv: i64, e: usize) -> bool {
        let Entry {
            head, rcap, cost, ..
        } = self.entry[e];
        rcap > 0 && cost + pv - self.price[head as usize] < 0
    }

    /// Whether `v` has an admissible entry, moving its current entry to the first one.
    fn has_admissible(&mut self, v: usize) -> bool {
        let pv = self.price[v];
        let end = self.first[v + 1] as usize;
        let mut e = self.current[v] as usize;
        while e < end {
            if self.admissible(pv, e) {
                self.current[v] = e as u32;
                return true;
            }
            e += 1;
        }
        self.current[v] = end as u32;
        false
    }

    /// Relabel: lowers the price of `v` to the highest at which some residual entry has
    /// reduced cost −ε. `Ok(false)`: `v` has no residual entry.
    fn relabel(&mut self, v: usize, eps: i64) -> Result<bool, FlowError> {
        let mut best = i64::MIN;
        for e in self.entries(v) {
            let Entry {
                head, rcap, cost, ..
            } = self.entry[e];
            if rcap > 0 {
                let p = self.price[head as usize] - cost;
                best = best.max(p);
            }
        }
        if best == i64::MIN {
            return Ok(false);
        }
        let price = best - eps;
        if price < MIN_PRICE {
            return Err(FlowError::Overflow);
        }
        self.price[v] = price;
        self.current[v] = self.first[v];
        self.relabels += 1;
        Ok(true)
    }

    /// Global price update: lowers each price by ε times the node's distance, in ε-units of
    /// reduced cost, back to the nearest deficit, searched up to the last active node.
    /// `Ok(false)`: an active node reaches no deficit (infeasible).
    fn price_update(&mut self, eps: i64) -> Result<bool, FlowError> {
        self.relabels = 0;
        let n = self.n;
        let levels = 3 * n + 4;
        let mut rank = vec![usize::MAX; n];
        let mut scanned = vec![false; n];
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new()];
        let mut active_left = 0usize;
        for (v, (&excess, r)) in self.excess.iter().zip(rank.iter_mut()).enumerate() {
            if excess < 0 {
                *r = 0;
                buckets[0].push(node_u32(v));
            } else if excess > 0 {
                active_left += 1;
            }
        }
        if active_left == 0 {
            return Ok(true);
        }
        let mut level = 0usize;
        'search: while level < buckets.len() {
            while let Some(v) = buckets[level].pop() {
                let v = v as usize;
                if scanned[v] || rank[v] != level {
                    continue;
                }
                scanned[v] = true;
                if self.excess[v] > 0 {
                    active_left -= 1;
                    if active_left == 0 {
                        break 'search;
                    }
                }
                let pv = self.price[v];
                for e in self.entries(v) {
                    let Entry {
                        head,
                        rcap,
                        cap,
                        cost,
                        ..
                    } = self.entry[e];
                    let u = head as usize;
                    // The sister entry u → v: residual capacity cap − rcap, cost −cost.
                    if rcap == cap || scanned[u] {
                        continue;
                    }
                    // Its reduced cost is at least −ε.
                    let rc = -cost + self.price[u] - pv;
                    let step = if rc < 0 {
                        0
                    } else {
                        usize::try_from(rc / eps)
                            .unwrap_or(usize::MAX)
                            .saturating_add(1)
                    };
                    // Ranks are capped (a shorter length keeps ε-optimality, it only admits
                    // less), which bounds how far one update moves a price.
                    let r = level.saturating_add(step).min(levels - 1);
                    if r < rank[u] {
                        rank[u] = r;
                        if buckets.len() <= r {
                            buckets.resize_with(r + 1, Vec::new);
                        }
                        buckets[r].push(head);
                    }
                }
            }
            level += 1;
        }
        if active_left > 0 {
            // The search ran out: some node with excess reaches no deficit.
            return Ok(false);
        }
        let top = level.min(levels);
        for v in 0..n {
            let r = if scanned[v] { rank[v] } else { top };
            if r > 0 {
                // r ≤ 3n + 3 and ε ≤ the largest scaled cost: `cost_scale` keeps this in range.
                let price = self.price[v] - (r as i64) * eps;
                if price < MIN_PRICE {
                    return Err(FlowError::Overflow);
                }
                self.price[v] = price;
                self.current[v] = self.first[v];
            }
        }
        Ok(true)
    }

    /// Exact potentials certifying the current flow optimal for the unscaled costs,
    /// normalised so that the smallest is zero, or `None` when some label needed more than
    /// `max_corrections` corrections (the flow may not be optimal yet): label-correcting
    /// shortest paths over the residual entries, from the prices divided by the scale and
    /// rounded down. When the queue empties, no residual entry has a negative reduced cost,
    /// which is the optimality certificate.
    fn exact_potentials(&self, max_corrections: u8) -> Option<Vec<i64>> {
        let n = self.n;
        let mut label: Vec<i64> = self
            .price
            .iter()
            .map(|p| p.div_euclid(self.scale))
            .collect();
        let mut corrections = vec![0u8; n];
        let mut queued = vec![true; n];
        let mut queue: VecDeque<u32> = (0..n).map(node_u32).collect();
        while let Some(u) = queue.pop_front() {
            let u = u as usize;
            queued[u] = false;
            let lu = label[u];
            for e in self.entries(u) {
                let Entry {
                    head, rcap, cost, ..
                } = self.entry[e];
                if rcap == 0 {
                    continue;
                }
                let v = head as usize;
                let candidate = lu + cost / self.scale;
                if candidate < label[v] {
                    label[v] = candidate;
                    corrections[v] += 1;
                    if corrections[v] > max_corrections {
                        return None;
                    }
                    if !queued[v] {
                        queued[v] = true;
                        queue.push_back(head);
                    }
                }
            }
        }
        let min = label.iter().copied().min().unwrap_or(0);
        label.iter_mut().for_each(|l| *l -= min);
        Some(label)
    }
}

#[cfg(test)]
mod tests {
    use super::super::network::{FlowStatus, NetworkSimplex};
    use super::*;

    /// (supplies, arcs as (from, to, capacity, cost))
    type Instance = (Vec<i64>, Vec<(usize, usize, i64, i64)>);

    fn load(inst: &Instance) -> NetworkSimplex {
        let (supply, arcs) = inst;
        let mut net = NetworkSimplex::with_capacity(supply.len(), arcs.len());
        for (v, &b) in supply.iter().enumerate() {
            net.set_supply(v, b);
        }
        for &(u, v, cap, cost) in arcs {
            net.add_arc(u, v, cap, cost);
        }
        net
    }

    /// Solves `inst` by cost scaling, expecting an optimum, and checks it against the input:
    /// conservation, bounds, complementary slackness with the returned potentials, and the
    /// total cost.
    fn certified(inst: &Instance) -> Solution {
        let net = load(inst);
        let sol = solve(net.graph())
            .expect("valid instance")
            .expect("feasible");
        let (supply, arcs) = inst;
        let mut balance = vec![0i64; supply.len()];
        let mut cost = 0i128;
        for (a, &(u, v, cap, c)) in arcs.iter().enumerate() {
            let x = sol.flow(a);
            assert!(
                (0..=cap).contains(&x),
                "arc {a}: flow {x} outside 0..={cap}"
            );
            balance[u] += x;
            balance[v] -= x;
            cost += i128::from(x) * i128::from(c);
            let rc = c + sol.potential(u) - sol.potential(v);
            assert_eq!(sol.reduced_cost(net.graph(), a), rc);
            assert!(
                rc <= 0 || x == 0,
                "arc {a}: reduced cost {rc} > 0, flow {x}"
            );
            assert!(
                rc >= 0 || x == cap,
                "arc {a}: reduced cost {rc} < 0, flow {x}"
            );
        }
        assert_eq!(&balance, supply, "conservation");
        assert_eq!(sol.total_cost(), cost);
        assert_eq!((0..supply.len()).map(|v| sol.potential(v)).min(), Some(0));
        sol
    }

    /// Deterministic pseudo-random numbers.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// A random transportation instance shaped like a booking component: `k` referrals of
    /// supply 1, `s` slots, a sink, each referral with up to 6 candidate slots and an unbooked
    /// arc, costs up to `max_cost`.
    fn booking_instance(rng: &mut Lcg, k: usize, s: usize, max_cost: u64) -> Instance {
        let sink = k + s;
        let mut supply = vec![1i64; k];
        supply.extend(std::iter::repeat_n(0, s));
        supply.push(-(k as i64));
        let mut arcs = Vec::new();
        for r in 0..k {
            for _ in 0..=rng.below(6) {
                let slot = k + rng.below(s as u64) as usize;
                arcs.push((r, slot, 1, rng.below(max_cost + 1) as i64));
            }
            arcs.push((r, sink, 1, rng.below(max_cost + 1) as i64 + max_cost as i64));
        }
        for j in 0..s {
            arcs.push((k + j, sink, rng.below(4) as i64, 0));
        }
        (supply, arcs)
    }

    #[test]
    fn a_hand_worked_transportation_problem() {
        // Two referrals (0, 1), one slot (2) of capacity 1, sink 3. Referral 0 saves 5 by
        // being booked (cost 1 against 6 unbooked), referral 1 saves 2 (3 against 5): referral
        // 0 gets the slot, total 1 + 5 = 6.
        let inst: Instance = (
            vec![1, 1, 0, -2],
            vec![
                (0, 2, 1, 1),
                (1, 2, 1, 3),
                (0, 3, 1, 6),
                (1, 3, 1, 5),
                (2, 3, 1, 0),
            ],
        );
        let sol = certified(&inst);
        let flows: Vec<i64> = (0..5).map(|a| sol.flow(a)).collect();
        assert_eq!(flows, vec![1, 0, 0, 1, 1]);
        assert_eq!(sol.total_cost(), 6);
    }

    #[test]
    fn same_optimum_as_the_network_simplex_on_random_booking_instances() {
        let mut rng = Lcg(7);
        for case in 0..300 {
            let k = 1 + rng.below(40) as usize;
            let s = 1 + rng.below(15) as usize;
            let max_cost = [0, 1, 10, 1_000, 1_000_000][case % 5];
            let inst = booking_instance(&mut rng, k, s, max_cost);
            let mut ns = load(&inst);
            assert_eq!(ns.solve(), Ok(FlowStatus::Optimal), "case {case}");
            assert_eq!(
                certified(&inst).total_cost(),
                ns.total_cost(),
                "case {case}"
            );
        }
    }

    #[test]
    fn same_optimum_as_the_network_simplex_on_general_networks() {
        // Random supplies, capacities, negative costs, parallel arcs and self-loops.
        let mut rng = Lcg(11);
        let mut infeasible = 0;
        for case in 0..300 {
            let n = 2 + rng.below(12) as usize;
            let mut supply = vec![0i64; n];
            for _ in 0..rng.below(4) {
                let (a, b) = (rng.below(n as u64) as usize, rng.below(n as u64) as usize);
                let q = rng.below(5) as i64;
                supply[a] += q;
                supply[b] -= q;
            }
            let arcs: Vec<_> = (0..rng.below(30))
                .map(|_| {
                    (
                        rng.below(n as u64) as usize,
                        rng.below(n as u64) as usize,
                        rng.below(6) as i64,
                        rng.below(41) as i64 - 20,
                    )
                })
                .collect();
            let inst = (supply, arcs);
            let mut ns = load(&inst);
            match ns.solve().expect("valid instance") {
                FlowStatus::Optimal => {
                    assert_eq!(
                        certified(&inst).total_cost(),
                        ns.total_cost(),
                        "case {case}"
                    );
                }
                FlowStatus::Infeasible => {
                    assert_eq!(solve(load(&inst).graph()), Ok(None), "case {case}");
                    infeasible += 1;
                }
            }
        }
        // Both outcomes were exercised.
        assert!((30..270).contains(&infeasible), "{infeasible} infeasible");
    }

    #[test]
    fn an_unroutable_supply_is_infeasible() {
        // Node 0 must send 2 units to node 1 over an arc of capacity 1.
        assert_eq!(
            solve(load(&(vec![2, -2], vec![(0, 1, 1, 3)])).graph()),
            Ok(None)
        );
        // Node 1 has no arc in at all; node 0 can only push flow round to node 2 and back.
        let inst = (
            vec![3, -3, 0],
            vec![(0, 2, 5, 1), (2, 0, 5, 1), (1, 0, 5, 1)],
        );
        assert_eq!(solve(load(&inst).graph()), Ok(None));
    }

    #[test]
    fn bad_input_and_costs_beyond_its_bounds_are_errors() {
        let net = load(&(vec![0, 0], vec![(0, 2, 1, 0)]));
        assert_eq!(
            solve(net.graph()),
            Err(FlowError::NodeOutOfRange { arc: 0, node: 2 })
        );
        let net = load(&(vec![0, 0], vec![(0, 1, -1, 0)]));
        assert_eq!(
            solve(net.graph()),
            Err(FlowError::NegativeCapacity { arc: 0 })
        );
        let net = load(&(vec![1, 0], vec![(0, 1, 1, 0)]));
        assert_eq!(
            solve(net.graph()),
            Err(FlowError::Unbalanced { total_supply: 1 })
        );
        // max|cost| · (n + 1) · (3n + 4) = c · 3 · 10 must stay within i64::MAX / 4.
        let limit = (i64::MAX / 4) / 30;
        let mut net = load(&(vec![1, -1], vec![(0, 1, 1, limit)]));
        let sol = solve(net.graph()).expect("in range").expect("feasible");
        assert_eq!(sol.total_cost(), i128::from(limit));
        net.set_cost(0, limit + 1);
        assert_eq!(solve(net.graph()), Err(FlowError::Overflow));
        // The network simplex takes it: the caller's fallback.
        assert_eq!(net.solve(), Ok(FlowStatus::Optimal));
        // An arc of capacity zero does not count.
        net.set_capacity(0, 0);
        net.set_supply(0, 0);
        net.set_supply(1, 0);
        let sol = solve(net.graph()).expect("in range").expect("feasible");
        assert_eq!(sol.total_cost(), 0);
    }

    #[test]
    fn a_solve_depends_only_on_the_instance() {
        let mut rng = Lcg(3);
        let inst = booking_instance(&mut rng, 60, 20, 1_000);
        let mut net = load(&inst);
        let first = solve(net.graph()).expect("valid").expect("feasible");
        // Solving with the simplex in between changes nothing that cost scaling reads.
        assert_eq!(net.solve(), Ok(FlowStatus::Optimal));
        assert_eq!(solve(net.graph()), Ok(Some(first)));
    }
}
