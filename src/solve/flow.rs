//! Capacity-only components as min-cost flow, solved exactly tier by tier.
//!
//! Nodes: one per referral (supply 1), one per slot, and a sink (demand = the referrals).
//! Arcs: referral -> candidate slot (capacity 1, cost = the tier cost of that booking), referral
//! -> sink (capacity 1, cost = the tier cost of leaving it unbooked), slot -> sink (capacity =
//! the slot's count left, cost 0). After each tier, arcs with non-zero reduced cost are held at
//! their bound (which leaves exactly the tier's optimal flows) before the next tier's costs go in.
//!
//! A tier whose costs are all zero on the arcs still free is skipped: it cannot tell the
//! optimal schedules of the tiers before it apart. The engine for each tier follows from its
//! costs, not its position: a tier with many distinct costs on the free arcs (treat in turn,
//! weight × days², a distinct cost on nearly every arc) goes to cost scaling, faster there (end
//! to end on the generated 20,000 × 5,000 list 2.6-3.4 s against 4.6 s, on 100,000 × 25,000
//! 26-38 s against 87.5 s), unless the caller turned it off (`SolveOptions::cost_scaling`);
//! tiers with few distinct costs (counts at snapshot dates, breaches, travel on the few arcs
//! left free) go to the network simplex. Should cost scaling refuse the instance (its bounds on
//! costs are tighter) or fail in any other way, the network simplex takes the tier instead.

use super::cost_scaling::{self, Solution};
use super::network::{FlowError, FlowStatus, NetworkSimplex};
use super::paths::residual_distances;
use crate::candidates::{Candidates, Component};
use crate::formulation::Costs;
use std::collections::HashSet;

/// A tier with more distinct costs than this on its free arcs goes to cost scaling (when on).
const COST_SCALING_MIN_DISTINCT: usize = 256;

/// A component solved by network flow.
pub(crate) struct FlowSolution {
    /// (referral, candidate position or `None`: unbooked) for each referral of the component.
    pub picks: Vec<(usize, Option<usize>)>,
    /// One line per tier that cost scaling was to solve but refused or failed, so the network
    /// simplex solved it instead (the same optimum).
    pub fallbacks: Vec<String>,
    /// What one more place would save, per slot of the component (its position in
    /// `Component::slots`) that has a value; a slot not listed saves nothing on the tiers
    /// measured.
    pub places: Vec<(usize, Place)>,
}

/// The marginal value of one more place in a slot, on the lexicographic objective: the first
/// tier it improves, by how much, exactly. Tier 1 is measured first; a place that cannot
/// change tier `t` (the slot's arc has reduced cost 0 and no residual cycle through it is
/// negative) keeps the optimal schedules of tiers up to `t` as they are, so tier `t + 1` is
/// measured next, on the same network the solve uses. A slot whose arc has a positive reduced
/// cost in a tier is not used by any schedule optimal there, with or without the place: it
/// saves nothing on any later tier either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Policy tier `tier` falls by `saving` (its cost units) with one more place, every tier
    /// before it staying as it is.
    Saves { tier: usize, saving: i64 },
    /// One more place leaves policy tier `tier` and those before it as they are but may make
    /// room for other optimal schedules of it (ties in the duals), so the tiers after it are
    /// not measured.
    Unknown { tier: usize },
}

/// Why a component could not be solved by network flow, and in which tier.
#[derive(Debug)]
pub(crate) struct FlowFailure {
    /// The tier's name.
    pub tier: String,
    /// The costs or supplies were too large for exact arithmetic.
    pub overflow: bool,
    /// What the network simplex said.
    pub message: String,
}

/// The candidate position chosen for each referral of the component (`None`: unbooked), with
/// tiers of many distinct costs solved by cost scaling when `cost_scaling` is true and by the
/// network simplex otherwise (the same optimum either way), and the value of one more place
/// in each slot ([`Place`]) on the policy tiers `measure` marks, from tier 1 until the first
/// tier it does not mark. Err names the tier that failed and whether its costs overflowed.
pub(crate) fn solve_component(
    cands: &Candidates,
    costs: &Costs,
    comp: &Component,
    cost_scaling: bool,
    measure: &[bool],
) -> Result<FlowSolution, FlowFailure> {
    let k = comp.referrals.len();
    let slot_node: std::collections::HashMap<usize, usize> = comp
        .slots
        .iter()
        .enumerate()
        .map(|(j, &s)| (s, k + j))
        .collect();
    let sink = k + comp.slots.len();
    let arcs_hint: usize = comp
        .referrals
        .iter()
        .map(|&ri| cands.per_referral[ri].len() + 1)
        .sum::<usize>()
        + comp.slots.len();
    let mut net = NetworkSimplex::with_capacity(sink + 1, arcs_hint);
    // (arc, referral index, candidate position or None for the unbooked arc)
    let mut choice_arcs = Vec::with_capacity(arcs_hint);
    let mut capacity = Vec::with_capacity(arcs_hint);
    let mut ends = Vec::with_capacity(arcs_hint);
    let mut supply = vec![0i64; sink + 1];
    for (node, &ri) in comp.referrals.iter().enumerate() {
        supply[node] = 1;
        for (ci, c) in cands.per_referral[ri].iter().enumerate() {
            let to = slot_node[&c.slot];
            let arc = net.add_arc(node, to, 1, 0);
            choice_arcs.push((arc, ri, Some(ci)));
            capacity.push(1);
            ends.push((node, to));
        }
        let arc = net.add_arc(node, sink, 1, 0);
        choice_arcs.push((arc, ri, None));
        capacity.push(1);
        ends.push((node, sink));
    }
    let mut slot_arcs = Vec::with_capacity(comp.slots.len());
    for (j, &s) in comp.slots.iter().enumerate() {
        let cap = i64::from(cands.count_left[s]);
        slot_arcs.push(net.add_arc(k + j, sink, cap, 0));
        capacity.push(cap);
        ends.push((k + j, sink));
    }
    supply[sink] = -(k as i64);
    let mut forced = vec![false; capacity.len()];

    // The last solved tier's optimum when cost scaling found it (else the simplex holds it).
    let mut scaled: Option<Solution> = None;
    let mut solved_once = false;
    let mut fallbacks = Vec::new();
    // Slots whose place value is still to be found, and the values found.
    let mut open = vec![true; comp.slots.len()];
    let mut measuring = true;
    let mut places = Vec::new();
    let tiers = costs.tiers();
    for tier in 0..tiers {
        let name = costs.name(tier).to_owned();
        let mut distinct = HashSet::new();
        // Whether some referral's free arcs differ in cost: if none does, every schedule left
        // has the same value in this tier (each referral takes one of its equal arcs).
        let mut differs = false;
        let mut first_free: Option<(usize, i64)> = None;
        for &(arc, ri, ci) in &choice_arcs {
            let cost = tier_cost(costs, ri, ci, tier);
            net.set_cost(arc, cost);
            if capacity[arc] == 0 {
                continue;
            }
            if distinct.len() <= COST_SCALING_MIN_DISTINCT {
                distinct.insert(cost);
            }
            match first_free {
                Some((r, c)) if r == ri => differs |= c != cost,
                _ => first_free = Some((ri, cost)),
            }
        }
        if !differs {
            continue;
        }
        for (node, &s) in supply.iter().enumerate() {
            net.set_supply(node, s);
        }
        scaled = if cost_scaling && distinct.len() > COST_SCALING_MIN_DISTINCT {
            // Any refusal (costs beyond cost scaling's tighter bounds) or failure: the simplex
            // takes the tier below, and the component's statistics say so.
            match cost_scaling::solve(net.graph()) {
                Ok(Some(solution)) => Some(solution),
                Ok(None) => {
                    fallbacks.push(format!(
                        "tier {name}: cost scaling found no feasible flow; solved by the network simplex"
                    ));
                    None
                }
                Err(e) => {
                    fallbacks.push(format!(
                        "tier {name}: cost scaling refused ({e}); solved by the network simplex"
                    ));
                    None
                }
            }
        } else {
            None
        };
        if scaled.is_none() {
            // The first solve starts cold (`resolve` does when there is no previous tree). After
            // it, the previous tier's optimal tree is still feasible after the fixing; when cost
            // scaling solved a tier in between, the tree is an earlier tier's: resolve reuses it
            // if it still fits the fixed arcs and supplies and otherwise solves afresh.
            let result = net.resolve();
            // The unbooked arcs make every instance feasible: any failure but overflow is a
            // defect, reported as such.
            let failure = |overflow: bool, message: String| FlowFailure {
                tier: name.clone(),
                overflow,
                message,
            };
            match result {
                Ok(FlowStatus::Optimal) => {}
                Ok(FlowStatus::Infeasible) => {
                    return Err(failure(false, "the flow is infeasible".to_owned()))
                }
                Err(e @ FlowError::Overflow) => return Err(failure(true, e.to_string())),
                Err(e) => return Err(failure(false, e.to_string())),
            }
        }
        solved_once = true;
        if measuring {
            let policy_tier = costs.stored[tier];
            measuring = measure.get(policy_tier).copied().unwrap_or(false);
            if measuring && open.contains(&true) {
                measuring = place_values(
                    &net,
                    scaled.as_ref(),
                    (k, sink, &slot_arcs),
                    policy_tier,
                    &mut open,
                    &mut places,
                );
            }
        }
        if tier + 1 == tiers {
            break;
        }
        for arc in 0..net.arc_count() {
            let rc = match &scaled {
                Some(solution) => solution.reduced_cost(net.graph(), arc),
                None => net.reduced_cost(arc),
            };
            if rc == 0 || capacity[arc] == 0 {
                continue;
            }
            if rc < 0 {
                // Held at capacity: move its flow into the supplies.
                let (from, to) = ends[arc];
                supply[from] -= capacity[arc];
                supply[to] += capacity[arc];
                forced[arc] = true;
            }
            capacity[arc] = 0;
            net.set_capacity(arc, 0);
        }
    }

    let mut picks: Vec<(usize, Option<usize>)> =
        comp.referrals.iter().map(|&ri| (ri, None)).collect();
    if !solved_once {
        // No tier tells any two schedules apart: leaving every referral unbooked is optimal,
        // and no place changes any tier.
        return Ok(FlowSolution {
            picks,
            fallbacks,
            places,
        });
    }
    let position: std::collections::HashMap<usize, usize> = comp
        .referrals
        .iter()
        .enumerate()
        .map(|(p, &ri)| (ri, p))
        .collect();
    for &(arc, ri, ci) in &choice_arcs {
        let flow = match &scaled {
            Some(solution) => solution.flow(arc),
            None => net.flow(arc),
        };
        if ci.is_some() && (flow > 0 || forced[arc]) {
            picks[position[&ri]].1 = ci;
        }
    }
    places.sort_by_key(|&(j, _)| j);
    Ok(FlowSolution {
        picks,
        fallbacks,
        places,
    })
}

/// The place values found at the optimum of policy tier `tier` (see [`Place`]): for each open
/// slot `j` (node `k + j`, arc `slot_arcs[j]` to the sink), one more place saves
/// `max(0, −dist(sink, slot))`, the shortest residual path back from the sink closing a cycle
/// through the new unit. Returns whether the next tier can be measured (false when the
/// engine's potentials could not be used, and every open slot is then `Unknown`).
fn place_values(
    net: &NetworkSimplex,
    scaled: Option<&Solution>,
    (k, sink, slot_arcs): (usize, usize, &[usize]),
    tier: usize,
    open: &mut [bool],
    places: &mut Vec<(usize, Place)>,
) -> bool {
    let graph = net.graph();
    let (dist, reduced): (_, Box<dyn Fn(usize) -> i64>) = match scaled {
        Some(solution) => (
            residual_distances(
                graph,
                &|a| solution.flow(a),
                &|v| solution.potential(v),
                sink,
            ),
            Box::new(|a| solution.reduced_cost(graph, a)),
        ),
        None => (
            residual_distances(graph, &|a| net.flow(a), &|v| net.potential(v), sink),
            Box::new(|a| net.reduced_cost(a)),
        ),
    };
    let Some(dist) = dist else {
        for (j, o) in open.iter_mut().enumerate() {
            if std::mem::take(o) {
                places.push((j, Place::Unknown { tier }));
            }
        }
        return false;
    };
    for (j, o) in open.iter_mut().enumerate() {
        if !*o {
            continue;
        }
        // Unreachable from the sink: no cycle can use the new place.
        let saving = dist[k + j].map_or(0, |d| d.saturating_neg().max(0));
        let rc = reduced(slot_arcs[j]);
        if saving > 0 {
            places.push((j, Place::Saves { tier, saving }));
            *o = false;
        } else if rc > 0 {
            *o = false;
        } else if rc < 0 {
            places.push((j, Place::Unknown { tier }));
            *o = false;
        }
    }
    true
}

/// The cost in `tier` of a referral's candidate `ci` (`None`: left unbooked).
fn tier_cost(costs: &Costs, ri: usize, ci: Option<usize>, tier: usize) -> i64 {
    match ci {
        Some(ci) => costs.booked(ri, ci)[tier],
        None => costs.unbooked(ri)[tier],
    }
}
