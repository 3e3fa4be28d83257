//! Dispatch of one component to its engine: network flow (with slot pooling) for a
//! capacity-only component, the backend's lexicographic stages for the others; the time limit
//! shared between backend components; the statistics of each.

use super::flow;
use super::lp;
use super::options::{Backend, SolveOptions};
use super::prepare::Prepared;
use crate::candidates::greedy::{self, Baseline};
use crate::candidates::{Candidates, Component};
use crate::error::{Error, Result};
use crate::formulation::{pool, ComponentModel};
use crate::model::Term;
use crate::schedule::{ComponentStats, Method, SolveStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Solves one component's model on a backend: `(model, backend, time limit, MIP gap, start)`.
pub(super) type BackendFn<'f> = dyn Fn(&ComponentModel, Backend, Option<Duration>, Option<f64>, Option<Vec<f64>>) -> lp::ModelResult
    + Sync
    + 'f;

pub(super) fn by_network(comp: &Component, options: &SolveOptions) -> bool {
    comp.is_capacity_only() && options.network_flow
}

/// One solve of a prepared problem, shared by the threads that solve its components.
pub(super) struct Run<'p, 'a> {
    pub(super) prepared: &'p Prepared<'a>,
    pub(super) options: &'p SolveOptions,
    pub(super) deadline: Option<Instant>,
    pub(super) backend: &'p BackendFn<'p>,
    /// Backend components not yet started: each takes an equal share of the time left.
    pub(super) backend_left: AtomicUsize,
    /// The priority-then-FCFS choice: the MIP's starting schedule, and the schedule of a
    /// component the time limit stops before it starts. Built once, when first needed.
    pub(super) fallback: OnceLock<Vec<Option<usize>>>,
}

/// What solving one component gave.
pub(super) struct Solved {
    /// (referral, candidate position or `None`) for the component's referrals.
    pub(super) picks: Vec<(usize, Option<usize>)>,
    /// (slot index, its place value) for the slots of a network component with a value;
    /// empty for a backend component (not measured).
    pub(super) places: Vec<(usize, flow::Place)>,
    /// The backend found no schedule: its referrals are unbooked with `solver_stopped`.
    pub(super) stopped: bool,
    /// Backend model rows.
    pub(super) rows: usize,
    /// `None` for a component the network simplex solved to optimality.
    pub(super) stats: Option<ComponentStats>,
}

impl Run<'_, '_> {
    fn fallback(&self) -> &[Option<usize>] {
        self.fallback.get_or_init(|| {
            let p = self.prepared;
            greedy::choose(p.problem, &p.index, &p.cands, Baseline::PriorityThenFcfs)
        })
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    pub(super) fn component(&self, k: usize, comp: &Component) -> Result<Solved> {
        let p = self.prepared;
        if by_network(comp, self.options) {
            if self.past_deadline() {
                let fallback = self.fallback();
                return Ok(Solved {
                    picks: comp.referrals.iter().map(|&ri| (ri, fallback[ri])).collect(),
                    places: Vec::new(),
                    stopped: false,
                    rows: 0,
                    stats: Some(network_stats(
                        k,
                        comp,
                        &p.cands,
                        SolveStatus::TimeLimit,
                        "not started: the time limit was reached first; the priority-then-FCFS schedule is kept"
                            .to_owned(),
                    )),
                });
            }
            let failed = |f: flow::FlowFailure| {
                if f.overflow {
                    Error::ObjectiveOverflow {
                        component: k,
                        tier: f.tier,
                    }
                } else {
                    Error::NetworkFlow {
                        component: k,
                        tier: f.tier,
                        message: f.message,
                    }
                }
            };
            let pooled = self
                .options
                .slot_pooling
                .then(|| pool::pool(p.problem, &p.cands, &p.costs, comp))
                .flatten();
            let scaling = self.options.cost_scaling;
            let measure = measured_tiers(p.problem);
            let (picks, fallbacks, places) = match pooled {
                Some(pooled) => {
                    let solved = flow::solve_component(
                        &pooled.cands,
                        &pooled.costs,
                        &pooled.comp,
                        scaling,
                        &measure,
                    )
                    .map_err(failed)?;
                    let picks = pooled.expand(p.problem, &p.cands, comp, &solved.picks);
                    // A place in any slot of a bucket is a place in the bucket.
                    let places = solved
                        .places
                        .iter()
                        .flat_map(|&(b, v)| pooled.bucket(b).iter().map(move |&s| (s, v)))
                        .collect();
                    (picks, solved.fallbacks, places)
                }
                None => {
                    let solved = flow::solve_component(&p.cands, &p.costs, comp, scaling, &measure)
                        .map_err(failed)?;
                    let places = solved
                        .places
                        .iter()
                        .map(|&(j, v)| (comp.slots[j], v))
                        .collect();
                    (solved.picks, solved.fallbacks, places)
                }
            };
            // Solved exactly; a cost-scaling fallback is recorded, the rest only counted.
            let stats = (!fallbacks.is_empty()).then(|| {
                network_stats(
                    k,
                    comp,
                    &p.cands,
                    SolveStatus::Optimal,
                    fallbacks.join("; "),
                )
            });
            return Ok(Solved {
                picks,
                places,
                stopped: false,
                rows: 0,
                stats,
            });
        }
        // An equal share of the time left; the backend is given nine tenths of it, the rest
        // kept for building its models and reading back (HiGHS was seen to overrun its own
        // limit by about a second in 15).
        let budget = self.deadline.map(|d| {
            let left = d.saturating_duration_since(Instant::now());
            let sharing = self.backend_left.fetch_sub(1, Ordering::SeqCst).max(1);
            left / u32::try_from(sharing).unwrap_or(u32::MAX) * 9 / 10
        });
        let model = ComponentModel::build(p.problem, &p.cands, &p.costs, comp);
        let warm = model.integer.then(|| {
            let choice = self.fallback();
            model
                .vars
                .iter()
                .map(|&(ri, ci)| if choice[ri] == Some(ci) { 1.0 } else { 0.0 })
                .collect()
        });
        let result = (self.backend)(
            &model,
            self.options.backend,
            budget,
            self.options.mip_gap,
            warm,
        );
        let picks = match &result.x {
            Some(x) => model
                .vars
                .iter()
                .zip(x)
                .filter(|(_, &v)| v > 0.5)
                .map(|(&(ri, ci), _)| (ri, Some(ci)))
                .collect(),
            None => Vec::new(),
        };
        Ok(Solved {
            picks,
            places: Vec::new(),
            stopped: result.x.is_none(),
            rows: model.rows.len(),
            stats: Some(record(k, comp, &model, &result)),
        })
    }
}

/// The policy tiers on which place values are measured: every tier before the first that
/// holds treat in turn or travel (their costs differ on nearly every booking, so nearly every
/// place would change them, and they are not what a capacity decision is about).
fn measured_tiers(problem: &crate::model::Problem) -> Vec<bool> {
    let mut on = true;
    problem
        .policy
        .objective
        .tiers()
        .iter()
        .map(|tier| {
            on &= !tier
                .iter()
                .any(|t| matches!(t.term, Term::TreatInTurn | Term::TravelRegret));
            on
        })
        .collect()
}

/// Statistics of network component `index` with `status` and `message` (no rows, no bound).
fn network_stats(
    index: usize,
    comp: &Component,
    cands: &Candidates,
    status: SolveStatus,
    message: String,
) -> ComponentStats {
    ComponentStats {
        index,
        referrals: comp.referrals.len(),
        slots: comp.slots.len(),
        method: Method::NetworkFlow,
        status,
        variables: comp
            .referrals
            .iter()
            .map(|&ri| cands.per_referral[ri].len())
            .sum(),
        constraints: 0,
        tier1_value: 0,
        tier1_bound: None,
        gap: None,
        message: Some(message),
    }
}

fn record(
    index: usize,
    comp: &Component,
    model: &ComponentModel,
    result: &lp::ModelResult,
) -> ComponentStats {
    ComponentStats {
        index,
        referrals: comp.referrals.len(),
        slots: comp.slots.len(),
        method: if model.integer {
            Method::MixedInteger
        } else {
            Method::LinearProgram
        },
        status: result.status,
        variables: model.vars.len(),
        constraints: model.rows.len(),
        tier1_value: result.tier1_value,
        tier1_bound: result.tier1_bound,
        gap: result.tier1_bound.map(|bound| {
            let value = result.tier1_value as f64;
            ((value - bound) / value.max(1.0)).max(0.0)
        }),
        message: result.message.clone(),
    }
}
