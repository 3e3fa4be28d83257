//! Model export for peers: any component's model as free MPS, and capacity-only components also
//! as DIMACS min-cost flow, so that an external solver can solve the identical model and its
//! optimum can be compared with this crate's.
//!
//! A component is numbered as in [`crate::Prepared::component_count`] (components ordered by
//! their first referral, the same numbering as [`crate::ComponentStats::index`]).
//!
//! What the optimum of an export equals:
//!
//! - [`ExportObjective::Tier`]`(k)`: the component's tier-`k` value minimised on its own. For
//!   `k = 0` that is tier 1 of this crate's optimal schedule; for `k > 0` it is a different
//!   problem (the earlier tiers are not held).
//! - [`ExportObjective::TierAfter`] (MPS only): tier `k` with each earlier tier held at or below
//!   a given value by a row. Given the earlier tiers' values of an optimal schedule
//!   ([`component_values`]), its optimum is that schedule's tier-`k` value: this is how a peer
//!   checks the whole lexicographic optimum with one solve per tier.
//! - [`ExportObjective::Lexicographic`]: one integer objective `w1*t1 + w2*t2 + ... + tn` whose
//!   weights ([`lexicographic_weights`]) make it exactly lexicographic, so its optimum is the
//!   tier values of an optimal schedule combined with the same weights ([`objective_value`]).
//!   The weights multiply the tiers' ranges, so they grow with the component and the number of
//!   tiers: on large components, and on most components under the nine tiers of `nhs_england`,
//!   they overflow 64-bit integers and the export returns [`Error::ObjectiveOverflow`]. Even where they fit,
//!   an LP solver working in floating point cannot separate tiers whose weights exceed its
//!   tolerances (the combined values pass 2^53 quickly): use it with exact integer solvers
//!   (min-cost flow) and `TierAfter` with LP/MIP solvers.
//!
//! Every cost is an exact integer in its tier's unit (see [`crate::Term`]), written without
//! rounding, and every
//! sum is computed with checked 64-bit arithmetic. The same prepared problem and arguments give
//! the same bytes every time.
//!
//! ```
//! use appointment_optimiser::export::{component_values, write_dimacs, write_mps, ExportObjective};
//! use appointment_optimiser::generate::{generate, InstanceConfig};
//! use appointment_optimiser::{prepare, SolveOptions};
//! let problem = generate(&InstanceConfig::capacity_only(40, 12, 1));
//! let prepared = prepare(&problem)?;
//! let schedule = prepared.solve(&SolveOptions::new())?;
//! let values = component_values(&prepared, 0, &schedule)?;
//! let mut mps = Vec::new();
//! write_mps(&prepared, 0, &ExportObjective::TierAfter { tier: 1, earlier: vec![values[0]] }, &mut mps)?;
//! let mut dimacs = Vec::new();
//! write_dimacs(&prepared, 0, &ExportObjective::Tier(0), &mut dimacs)?;
//! assert!(String::from_utf8(dimacs).unwrap().contains("\np min "));
//! # Ok::<(), appointment_optimiser::Error>(())
//! ```

mod dimacs;
mod mps;

pub use dimacs::write_dimacs;
pub use mps::write_mps;

use crate::candidates::{Candidates, Component};
use crate::error::{Error, Result};
use crate::formulation::Costs;
use crate::model::Problem;
use crate::schedule::{Outcome, Schedule};
use crate::solve::Prepared;

/// Which objective an export carries. Tiers are numbered from 0 in the order of the policy's
/// objective ([`crate::Objective::tiers`]; under `nhs_england`, 0 is clinical days late).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportObjective {
    /// The costs of one tier alone.
    Tier(usize),
    /// The costs of tier `tier` (1 or later), with each earlier tier `j` held by a row
    /// `fix_<tier name>`: tier `j`'s value at most `earlier[j]` (component values, constant
    /// included, in the tier's unit). `earlier` holds exactly `tier` values. MPS only: a
    /// min-cost flow has no side rows.
    TierAfter {
        /// The tier minimised.
        tier: usize,
        /// The values at which the earlier tiers are held, tier 0 first.
        earlier: Vec<i64>,
    },
    /// `w1*t1 + w2*t2 + ... + tn` with the weights of [`lexicographic_weights`]: minimising it
    /// is minimising the tiers lexicographically.
    Lexicographic,
}

/// Whether component `component` is capacity-only (a transportation problem, which DIMACS can
/// hold and whose MPS columns are continuous).
///
/// # Errors
/// [`Error::InvalidOption`] (option `component`) when there is no such component.
pub fn is_capacity_only(prepared: &Prepared<'_>, component: usize) -> Result<bool> {
    Ok(View::new(prepared, component)?.comp.is_capacity_only())
}

/// The weights `[w1, ..., wn]` (`wn = 1`, one per tier) of the exactly lexicographic combined
/// objective of component `component`.
///
/// Each referral is booked at most once, so tier `k` varies by at most `range_k`, the sum over
/// the component's referrals of the largest minus the smallest tier-`k` cost among its options
/// (each candidate slot, and unbooked). With `w_k = (range_{k+1} + 1) * w_{k+1}`, one unit of
/// tier `k` outweighs any change of the tiers after it combined. Also checked: every option's
/// combined cost, and the sum over referrals of the largest combined cost in absolute value (a
/// bound on any objective value), fit in `i64`.
///
/// # Errors
/// [`Error::InvalidOption`] when there is no such component; [`Error::ObjectiveOverflow`] when
/// a weight, a combined cost or the bound does not fit in `i64`, naming the tier whose weight
/// or product overflowed (the first tier for the bound).
pub fn lexicographic_weights(prepared: &Prepared<'_>, component: usize) -> Result<Vec<i64>> {
    View::new(prepared, component)?.weights()
}

/// The component's tier values `[t1, ..., tn]` in `schedule` (a schedule of the prepared
/// problem): the sum over the component's referrals of the cost of the option the schedule
/// took, in each tier's unit. For an optimal schedule, `values[0]` is the optimum of
/// `Tier(0)`, and `values[k]` the optimum of `TierAfter { tier: k, earlier: values[..k] }`.
///
/// # Errors
/// [`Error::InvalidOption`] when there is no such component, or when the schedule is not one of
/// this problem (another number of referrals, or a booking in a slot that is not a candidate);
/// [`Error::ObjectiveOverflow`] when a sum does not fit in `i64`.
pub fn component_values(
    prepared: &Prepared<'_>,
    component: usize,
    schedule: &Schedule,
) -> Result<Vec<i64>> {
    let view = View::new(prepared, component)?;
    if schedule.outcomes.len() != view.problem.referrals.len() {
        return Err(Error::InvalidOption {
            option: "schedule",
            reason: format!(
                "it has {} outcomes and the problem {} referrals: pass a schedule of this problem",
                schedule.outcomes.len(),
                view.problem.referrals.len()
            ),
        });
    }
    let mut values = vec![0i64; view.costs.names.len()];
    for &ri in &view.comp.referrals {
        let cost = match &schedule.outcomes[ri].outcome {
            Outcome::Booked(b) => {
                let ci = view.cands.per_referral[ri]
                    .iter()
                    .position(|c| view.problem.slots[c.slot].id == b.slot)
                    .ok_or_else(|| Error::InvalidOption {
                        option: "schedule",
                        reason: format!(
                            "referral `{}` is booked in slot `{}`, not one of its candidates: pass a schedule of this problem",
                            view.problem.referrals[ri].id.as_str(),
                            b.slot.as_str()
                        ),
                    })?;
                view.costs.expand(view.costs.booked(ri, ci))
            }
            Outcome::Unbooked(_) => view.costs.expand(view.costs.unbooked(ri)),
        };
        for (k, v) in values.iter_mut().enumerate() {
            *v = v.checked_add(cost[k]).ok_or(view.overflow(k))?;
        }
    }
    Ok(values)
}

/// The value the objective of an export of component `component` takes at `schedule`: tier `k`
/// of [`component_values`] for `Tier(k)` and `TierAfter { tier: k, .. }`, and the values
/// combined with [`lexicographic_weights`] for `Lexicographic`. For an optimal schedule (and, for
/// `TierAfter`, earlier values taken from it) this is the optimum a peer must find.
///
/// # Errors
/// Those of [`component_values`] and, for `Lexicographic`, of [`lexicographic_weights`];
/// [`Error::InvalidOption`] for a tier the objective does not have.
pub fn objective_value(
    prepared: &Prepared<'_>,
    component: usize,
    objective: &ExportObjective,
    schedule: &Schedule,
) -> Result<i64> {
    let values = component_values(prepared, component, schedule)?;
    match objective {
        ExportObjective::Tier(k) | ExportObjective::TierAfter { tier: k, .. } => {
            View::new(prepared, component)?.check_tier(*k)?;
            Ok(values[*k])
        }
        ExportObjective::Lexicographic => {
            let view = View::new(prepared, component)?;
            view.combine(&view.weights()?, &values)
        }
    }
}

/// The cost of one option under an export's objective, from its tier costs.
type CostOf<'a> = dyn Fn(&[i64]) -> Result<i64> + 'a;

/// One component of a prepared problem, with what the writers need.
pub(crate) struct View<'p> {
    pub(crate) index: usize,
    pub(crate) problem: &'p Problem,
    pub(crate) cands: &'p Candidates,
    pub(crate) costs: &'p Costs,
    pub(crate) comp: &'p Component,
}

impl<'p> View<'p> {
    pub(crate) fn new(prepared: &'p Prepared<'_>, index: usize) -> Result<Self> {
        let (problem, cands, costs, comps) = prepared.parts();
        let comp = comps.get(index).ok_or_else(|| Error::InvalidOption {
            option: "component",
            reason: format!(
                "component {index} does not exist: the problem has {} (numbered from 0)",
                comps.len()
            ),
        })?;
        Ok(View {
            index,
            problem,
            cands,
            costs,
            comp,
        })
    }

    pub(crate) fn overflow(&self, tier: usize) -> Error {
        Error::ObjectiveOverflow {
            component: self.index,
            tier: self.costs.names[tier].clone(),
        }
    }

    /// Err unless the objective has tier `tier` (counted from 0).
    pub(crate) fn check_tier(&self, tier: usize) -> Result<()> {
        let n = self.costs.names.len();
        if tier < n {
            Ok(())
        } else {
            Err(Error::InvalidOption {
                option: "objective",
                reason: format!(
                    "tier {tier} does not exist: the objective's tiers are 0 to {}",
                    n - 1
                ),
            })
        }
    }

    /// `tier k name` for tier `k` (counted from 0), as the export headers write it.
    pub(crate) fn tier_text(&self, k: usize) -> String {
        format!("tier {} {}", k + 1, self.costs.names[k])
    }

    /// The combined objective written out: `w1 * name1 + ... + wn * namen`.
    pub(crate) fn combined_text(&self, weights: &[i64]) -> String {
        weights
            .iter()
            .zip(&self.costs.names)
            .map(|(w, name)| format!("{w} * {name}"))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The tier costs of referral `ri`'s options, one per tier of the policy: each candidate in
    /// order, then unbooked.
    fn options(&self, ri: usize) -> impl Iterator<Item = Vec<i64>> + '_ {
        (0..self.cands.per_referral[ri].len())
            .map(move |ci| self.costs.expand(self.costs.booked(ri, ci)))
            .chain(std::iter::once(self.costs.expand(self.costs.unbooked(ri))))
    }

    fn weights(&self) -> Result<Vec<i64>> {
        let n = self.costs.names.len();
        let mut range = vec![0i64; n];
        for &ri in &self.comp.referrals {
            let (mut lo, mut hi) = (vec![i64::MAX; n], vec![i64::MIN; n]);
            for c in self.options(ri) {
                for k in 0..n {
                    lo[k] = lo[k].min(c[k]);
                    hi[k] = hi[k].max(c[k]);
                }
            }
            for (k, r) in range.iter_mut().enumerate() {
                let spread = hi[k].checked_sub(lo[k]).ok_or(self.overflow(k))?;
                *r = r.checked_add(spread).ok_or(self.overflow(k))?;
            }
        }
        let mut weights = vec![1i64; n];
        for k in (0..n.saturating_sub(1)).rev() {
            weights[k] = range[k + 1]
                .checked_add(1)
                .and_then(|r| r.checked_mul(weights[k + 1]))
                .ok_or(self.overflow(k))?;
        }
        let mut bound = 0i64;
        for &ri in &self.comp.referrals {
            let mut largest = 0i64;
            for c in self.options(ri) {
                largest = largest.max(
                    self.combine(&weights, &c)?
                        .checked_abs()
                        .ok_or(self.overflow(0))?,
                );
            }
            bound = bound.checked_add(largest).ok_or(self.overflow(0))?;
        }
        Ok(weights)
    }

    /// `w1*c1 + ... + wn*cn`, checked.
    fn combine(&self, weights: &[i64], c: &[i64]) -> Result<i64> {
        let mut total = 0i64;
        for k in 0..weights.len() {
            total = weights[k]
                .checked_mul(c[k])
                .and_then(|t| total.checked_add(t))
                .ok_or(self.overflow(k))?;
        }
        Ok(total)
    }

    /// The cost of each option of each referral of the component under `objective` (a single
    /// tier or the lexicographic combination), as (per referral in component order: candidate
    /// costs, unbooked cost). Checks that the sum over referrals of the largest absolute cost
    /// fits in `i64`, so that no objective value overflows.
    pub(crate) fn option_costs(&self, objective: &ExportObjective) -> Result<Vec<(Vec<i64>, i64)>> {
        let cost_of: Box<CostOf<'_>> = match objective {
            ExportObjective::Tier(k) | ExportObjective::TierAfter { tier: k, .. } => {
                self.check_tier(*k)?;
                let k = *k;
                Box::new(move |c: &[i64]| Ok(c[k]))
            }
            ExportObjective::Lexicographic => {
                let weights = self.weights()?;
                Box::new(move |c: &[i64]| self.combine(&weights, c))
            }
        };
        let bound_tier = match objective {
            ExportObjective::Tier(k) | ExportObjective::TierAfter { tier: k, .. } => *k,
            ExportObjective::Lexicographic => 0,
        };
        let mut bound = 0i64;
        let mut out = Vec::with_capacity(self.comp.referrals.len());
        for &ri in &self.comp.referrals {
            let booked = (0..self.cands.per_referral[ri].len())
                .map(|ci| cost_of(&self.costs.expand(self.costs.booked(ri, ci))))
                .collect::<Result<Vec<i64>>>()?;
            let unbooked = cost_of(&self.costs.expand(self.costs.unbooked(ri)))?;
            let largest = booked
                .iter()
                .chain(std::iter::once(&unbooked))
                .map(|c| c.checked_abs())
                .try_fold(0i64, |m, c| c.map(|c| m.max(c)))
                .ok_or(self.overflow(bound_tier))?;
            bound = bound
                .checked_add(largest)
                .ok_or(self.overflow(bound_tier))?;
            out.push((booked, unbooked));
        }
        Ok(out)
    }
}

/// Writes an `i64` or an integral `f64` without a fractional part, other `f64` in Rust's
/// shortest round-trip form.
pub(crate) fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
