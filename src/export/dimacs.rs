//! A capacity-only component as a DIMACS minimum-cost flow problem.

use super::{ExportObjective, View};
use crate::error::{Error, Result};
use crate::solve::Prepared;
use std::io::Write;

/// Writes capacity-only component `component` as a DIMACS minimum-cost flow problem to `out`,
/// with the costs of `objective` (`Tier(k)` or `Lexicographic`).
///
/// The network is the one this crate's network simplex solves. Nodes, numbered from 1:
/// `1..=R` the component's referrals in ascending position in `Problem::referrals`, each with
/// supply 1; `R+1..=R+S` its slots in ascending position in `Problem::slots`; `R+S+1` the sink,
/// supply `-R`. Arcs (`a from to low cap cost`, lower bounds 0), referral by referral: to each
/// candidate slot in the order of the slots (capacity 1, the cost of that booking), then to the
/// sink (capacity 1, the cost of leaving it unbooked); then each slot to the sink (capacity:
/// its count left, cost 0). Costs are absolute, not relative to unbooked, so the optimal flow's
/// cost is the component's objective value with no constant (see
/// [`super::objective_value`]). A few comment lines (`c`) come first. The same arguments give
/// the same bytes every time.
///
/// # Errors
/// [`Error::InvalidOption`] when there is no such component, for a tier outside 0..=2, or for
/// [`ExportObjective::TierAfter`] (a min-cost flow has no side rows: export it as MPS);
/// [`Error::NotCapacityOnly`] when the component has side constraints;
/// [`Error::ObjectiveOverflow`] when the costs or combination weights do not fit in `i64`, or the
/// cost of a flow might not (see [`super::lexicographic_weights`]); [`Error::Io`] when writing
/// fails.
pub fn write_dimacs<W: Write>(
    prepared: &Prepared<'_>,
    component: usize,
    objective: &ExportObjective,
    out: W,
) -> Result<()> {
    let view = View::new(prepared, component)?;
    if let ExportObjective::TierAfter { .. } = objective {
        return Err(Error::InvalidOption {
            option: "objective",
            reason: "DIMACS min-cost flow cannot hold earlier tiers as rows: use Tier or Lexicographic, or write MPS".to_owned(),
        });
    }
    if !view.comp.is_capacity_only() {
        return Err(Error::NotCapacityOnly { component });
    }
    let costs = view.option_costs(objective)?;
    let comp = view.comp;
    let (r, s) = (comp.referrals.len(), comp.slots.len());
    let sink = r + s + 1;
    // Slot index -> node number (slots are ascending in the component).
    let slot_node = |slot: usize| comp.slots.binary_search(&slot).map(|j| r + j + 1);
    let arcs: usize = comp
        .referrals
        .iter()
        .map(|&ri| view.cands.per_referral[ri].len() + 1)
        .sum::<usize>()
        + s;

    let mut w = std::io::BufWriter::new(out);
    writeln!(
        w,
        "c appointment-optimiser: component {component}, {r} referrals, {s} slots"
    )?;
    match objective {
        ExportObjective::Lexicographic => {
            let weights = view.weights()?;
            writeln!(
                w,
                "c cost: {} (exactly lexicographic)",
                view.combined_text(&weights)
            )?;
        }
        ExportObjective::Tier(k) | ExportObjective::TierAfter { tier: k, .. } => {
            view.check_tier(*k)?;
            writeln!(w, "c cost: {}", view.tier_text(*k))?;
        }
    }
    writeln!(
        w,
        "c nodes 1..{r} referrals (supply 1), {}..{} slots, {sink} sink; the optimum is the objective value",
        r + 1,
        r + s
    )?;
    writeln!(w, "p min {sink} {arcs}")?;
    for node in 1..=r {
        writeln!(w, "n {node} 1")?;
    }
    writeln!(w, "n {sink} -{r}")?;
    for (p, &ri) in comp.referrals.iter().enumerate() {
        let (booked, unbooked) = &costs[p];
        for (c, cost) in view.cands.per_referral[ri].iter().zip(booked) {
            let to = slot_node(c.slot).map_err(|_| Error::InvalidOption {
                option: "component",
                reason: format!("internal: slot {} is not in component {component}", c.slot),
            })?;
            writeln!(w, "a {} {to} 0 1 {cost}", p + 1)?;
        }
        writeln!(w, "a {} {sink} 0 1 {unbooked}", p + 1)?;
    }
    for (j, &slot) in comp.slots.iter().enumerate() {
        writeln!(
            w,
            "a {} {sink} 0 {} 0",
            r + j + 1,
            view.cands.count_left[slot]
        )?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::objective_value;
    use crate::generate::{generate, InstanceConfig};
    use crate::solve::network::{FlowStatus, NetworkSimplex};
    use crate::{prepare, validate, SolveOptions};

    /// Reads the DIMACS text back into this crate's network simplex (exact integers) and
    /// returns the optimal cost.
    fn solve_exactly(text: &str) -> i128 {
        let mut net = NetworkSimplex::new(0);
        for line in text.lines() {
            let f: Vec<i64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|t| t.parse().ok())
                .collect();
            match line.as_bytes().first() {
                Some(b'p') => net = NetworkSimplex::new(f[0] as usize),
                Some(b'n') => net.set_supply(f[0] as usize - 1, f[1]),
                Some(b'a') => {
                    assert_eq!(f[2], 0);
                    net.add_arc(f[0] as usize - 1, f[1] as usize - 1, f[3], f[4]);
                }
                _ => {}
            }
        }
        assert_eq!(net.solve(), Ok(FlowStatus::Optimal));
        net.total_cost()
    }

    /// One min-cost flow with the combined costs, solved in exact integers, finds the optimum
    /// of the three lexicographic solves, travel included, on generated instances.
    #[test]
    fn one_combined_solve_equals_the_lexicographic_optimum() {
        for (referrals, slots, seed) in [(60, 15, 1), (60, 15, 2), (300, 75, 3)] {
            // Three tiers: the combined weights of nine (nhs_england) overflow 64 bits here.
            let mut problem = generate(&InstanceConfig::capacity_only(referrals, slots, seed));
            problem.policy.objective = crate::Objective::Preset(crate::Preset::ClockStopBreaches);
            let prepared = prepare(&problem).unwrap();
            let schedule = prepared.solve(&SolveOptions::new()).unwrap();
            assert!(validate(&problem, &schedule).is_empty());
            for k in 0..prepared.component_count() {
                let objective = ExportObjective::Lexicographic;
                let mut text = Vec::new();
                write_dimacs(&prepared, k, &objective, &mut text).unwrap();
                let ours = objective_value(&prepared, k, &objective, &schedule).unwrap();
                assert_eq!(
                    solve_exactly(&String::from_utf8(text).unwrap()),
                    i128::from(ours),
                    "{referrals} x {slots} seed {seed} component {k}"
                );
            }
        }
    }
}
