//! Preparation (checks, candidates, costs, components) and the solve of a prepared problem:
//! options checked, components dispatched in parallel, merged in component order, assembled.

use super::dispatch::{by_network, BackendFn, Run, Solved};
use super::lp;
use super::options::{Backend, SolveOptions};
use crate::candidates::{self, Candidates, Component};
use crate::error::{Error, Result};
use crate::formulation::{costs, evaluate, Costs, ObjectiveValues};
use crate::model::{Index, Problem};
use crate::schedule::{assemble, Method, Outcome, Schedule, SolveStats, SolveStatus};
use rayon::prelude::*;
use std::sync::atomic::AtomicUsize;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Solves `problem`: checks it, builds candidates, splits it into independent components,
/// solves each, and returns the schedule with a reason for every referral not booked.
///
/// The result is the same, byte for byte, for the same problem and options (on one backend).
///
/// # Errors
/// Any error of [`Problem::check`]; [`Error::BackendNotCompiled`] when the chosen backend is not
/// in this build and some component needs it; [`Error::InvalidOption`] for a negative or
/// non-finite MIP gap; [`Error::ObjectiveOverflow`] when costs exceed 64-bit integers;
/// [`Error::Solver`] when the backend found no schedule for any component. A backend that fails
/// on some components does not fail the solve: their referrals come back unbooked with reason
/// `solver_stopped` and their statistics say why.
///
/// ```
/// use appointment_optimiser::{solve, validate, Problem, SolveOptions};
/// let problem = Problem::from_json(r#"{
///   "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
///   "sites": [{"id": "S1", "name": "Main", "kind": "nhs_trust",
///              "location": {"latitude": 51.5, "longitude": -0.1}}],
///   "slots": [{"id": "MRI-1", "site": "S1", "service": {"diagnostic": "mri"},
///              "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"}],
///   "referrals": [{"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"},
///                  "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"],
///                  "duration_minutes": 30}]
/// }"#)?;
/// let schedule = solve(&problem, &SolveOptions::new())?;
/// assert_eq!(schedule.bookings().count(), 1);
/// assert!(validate(&problem, &schedule).is_empty());
/// # Ok::<(), appointment_optimiser::Error>(())
/// ```
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<Schedule> {
    let started = Instant::now();
    prepare(problem)?.solve_from(options, started, &lp::solve_model)
}

/// A problem checked and turned into candidates, objective costs and independent components,
/// ready to solve (once or with several options). Borrowed from the problem.
#[derive(Debug)]
pub struct Prepared<'a> {
    pub(super) problem: &'a Problem,
    pub(super) index: Index,
    pub(super) cands: Candidates,
    pub(super) costs: Costs,
    pub(super) comps: Vec<Component>,
    pub(super) build_time: Duration,
}

/// Checks `problem` and builds its candidates, costs and components: the model-building half
/// of [`solve`].
///
/// # Errors
/// Any error of [`Problem::check`].
pub fn prepare(problem: &Problem) -> Result<Prepared<'_>> {
    let started = Instant::now();
    let index = problem.index()?;
    let cands = candidates::build(problem, &index);
    let costs = costs(problem, &index.slot_site, &cands);
    let comps = candidates::components(problem, &index, &cands);
    Ok(Prepared {
        problem,
        index,
        cands,
        costs,
        comps,
        build_time: started.elapsed(),
    })
}

impl Prepared<'_> {
    /// Number of independent components.
    pub fn component_count(&self) -> usize {
        self.comps.len()
    }

    /// The tiers of the policy's objective (counted from 0) that can be non-zero on this problem
    /// and are solved; every other tier costs 0 on every option (for example the
    /// existing-booking tiers of a list without confirmed bookings) and is skipped.
    pub fn active_tiers(&self) -> &[usize] {
        &self.costs.stored
    }

    /// Number of candidate (referral, slot) pairs: the model's variables.
    pub fn candidate_count(&self) -> usize {
        self.cands.per_referral.iter().map(Vec::len).sum()
    }

    /// Solves the prepared problem: the solving half of [`solve`], with the same errors except
    /// those of the problem check.
    ///
    /// # Errors
    /// [`Error::InvalidOption`], [`Error::BackendNotCompiled`], [`Error::ObjectiveOverflow`],
    /// [`Error::Solver`], as for [`solve`].
    pub fn solve(&self, options: &SolveOptions) -> Result<Schedule> {
        self.solve_from(options, Instant::now(), &lp::solve_model)
    }

    /// [`Prepared::solve`] with the time limit counted from `started` and `backend` solving the
    /// components that need a backend (tests pass one that fails).
    fn solve_from(
        &self,
        options: &SolveOptions,
        started: Instant,
        backend: &BackendFn<'_>,
    ) -> Result<Schedule> {
        if let Some(gap) = options.mip_gap {
            if !gap.is_finite() || gap < 0.0 {
                return Err(Error::InvalidOption {
                    option: "mip_gap",
                    reason: format!("{gap} is not a finite number 0 or more"),
                });
            }
        }
        let comps = &self.comps;
        let backend_components = comps.iter().filter(|c| !by_network(c, options)).count();
        if backend_components > 0 && !options.backend.is_compiled() {
            return Err(Error::BackendNotCompiled {
                backend: options.backend.name().to_owned(),
                compiled: Backend::compiled()
                    .iter()
                    .map(|b| b.name().to_owned())
                    .collect(),
            });
        }
        let run = Run {
            prepared: self,
            options,
            deadline: options.time_limit.map(|t| started + t),
            backend,
            backend_left: AtomicUsize::new(backend_components),
            fallback: OnceLock::new(),
        };
        // Components are independent: solved in parallel, merged in component order, so the
        // schedule is the same whatever the number of threads.
        let solved: Vec<Result<Solved>> = comps
            .par_iter()
            .enumerate()
            .map(|(k, comp)| run.component(k, comp))
            .collect();

        let n = self.problem.referrals.len();
        let mut chosen: Vec<Option<usize>> = vec![None; n];
        let mut stopped: Vec<Option<usize>> = vec![None; n];
        let mut stats = SolveStats {
            backend: options.backend.name().to_owned(),
            status: SolveStatus::Optimal,
            component_count: comps.len(),
            network_components: 0,
            variables: self.candidate_count(),
            constraints: 0,
            components: Vec::new(),
            elapsed: Duration::ZERO,
            build_time: self.build_time,
        };
        let mut first_failure: Option<(usize, String)> = None;
        let mut places = Vec::new();
        let mut failed = 0;
        for (k, result) in solved.into_iter().enumerate() {
            let solved = result?;
            if solved.stopped {
                failed += 1;
                if first_failure.is_none() {
                    let message = solved
                        .stats
                        .as_ref()
                        .and_then(|c| c.message.clone())
                        .unwrap_or_else(|| "no schedule".to_owned());
                    first_failure = Some((k, message));
                }
            }
            for (ri, ci) in solved.picks {
                chosen[ri] = ci;
            }
            places.extend(solved.places);
            if solved.stopped {
                for &ri in &comps[k].referrals {
                    stopped[ri] = Some(k);
                }
            }
            stats.constraints += solved.rows;
            match solved.stats {
                Some(component) => {
                    if component.method == Method::NetworkFlow
                        && component.status == SolveStatus::Optimal
                    {
                        stats.network_components += 1;
                    }
                    stats.components.push(component)
                }
                None => stats.network_components += 1,
            }
        }
        if let Some((component, message)) = first_failure.filter(|_| failed == comps.len()) {
            return Err(Error::Solver { component, message });
        }
        stats.status = stats
            .components
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(SolveStatus::Optimal);
        let mut schedule = assemble(
            self.problem,
            &self.index,
            &self.cands,
            &self.costs,
            &chosen,
            &stopped,
            stats,
        );
        schedule.explanations = super::certify::certificates(self.problem, &self.cands);
        schedule.place_values = place_values(self.problem, &self.cands, places);
        schedule.stats.elapsed = self.build_time + started.elapsed();
        Ok(schedule)
    }

    /// The value of `schedule`, a schedule of this problem (from any objective, a baseline or a
    /// booking made by hand), under this problem's objective, tier by tier and term by term:
    /// how a schedule found under one policy scores under another. A pinned booking has no
    /// travel regret, as in the solver's own schedules.
    ///
    /// # Errors
    /// [`crate::Error::InvalidOption`] (option `schedule`) when the schedule has another number
    /// of outcomes than the problem has referrals, or books a slot the problem does not have.
    pub fn evaluate(&self, schedule: &Schedule) -> Result<ObjectiveValues> {
        let seen = self.booked_slots(schedule)?;
        Ok(evaluate(
            self.problem,
            &self.index.slot_site,
            &self.cands,
            &seen,
        ))
    }

    /// Each referral's booking in `schedule`, a schedule of this problem: `Some((slot, pinned))`
    /// with the slot's problem index, `None` when unbooked.
    ///
    /// # Errors
    /// [`crate::Error::InvalidOption`] (option `schedule`) when the schedule has another number
    /// of outcomes than the problem has referrals, or books a slot the problem does not have.
    pub(crate) fn booked_slots(&self, schedule: &Schedule) -> Result<Vec<Option<(usize, bool)>>> {
        let problem = self.problem;
        if schedule.outcomes.len() != problem.referrals.len() {
            return Err(crate::Error::InvalidOption {
                option: "schedule",
                reason: format!(
                    "it has {} outcomes and the problem {} referrals: pass a schedule of this problem",
                    schedule.outcomes.len(),
                    problem.referrals.len()
                ),
            });
        }
        schedule
            .outcomes
            .iter()
            .map(|o| match &o.outcome {
                Outcome::Booked(b) => {
                    let si = self.index.slot.get(&b.slot).copied().ok_or_else(|| {
                        crate::Error::InvalidOption {
                            option: "schedule",
                            reason: format!(
                                "referral `{}` is booked in slot `{}`, which the problem does not have",
                                o.referral.as_str(),
                                b.slot.as_str()
                            ),
                        }
                    })?;
                    Ok(Some((si, b.pinned)))
                }
                Outcome::Unbooked(_) => Ok(None),
            })
            .collect()
    }

    /// The problem, candidates, costs and components, for the model export
    /// ([`crate::export`]).
    pub(crate) fn parts(&self) -> (&Problem, &Candidates, &Costs, &[Component]) {
        (self.problem, &self.cands, &self.costs, &self.comps)
    }
}

/// The schedule's place values from the components' (slot index, value), in the order
/// [`Schedule::place_values`] documents.
fn place_values(
    problem: &Problem,
    cands: &crate::candidates::Candidates,
    mut places: Vec<(usize, super::flow::Place)>,
) -> Vec<crate::schedule::PlaceValue> {
    use super::flow::Place;
    let names = problem.policy.objective.tier_names();
    let key = |&(s, v): &(usize, Place)| match v {
        Place::Saves { tier, saving } => (tier, std::cmp::Reverse(Some(saving)), s),
        Place::Unknown { tier } => (tier, std::cmp::Reverse(None), s),
    };
    places.sort_by_key(key);
    places
        .into_iter()
        .map(|(s, v)| {
            let slot = &problem.slots[s];
            let (tier, saving) = match v {
                Place::Saves { tier, saving } => (tier, Some(saving)),
                Place::Unknown { tier } => (tier, None),
            };
            crate::schedule::PlaceValue {
                slot: slot.id.clone(),
                site: slot.site.clone(),
                service: slot.service.clone(),
                date: cands.slot_date[s],
                tier: names[tier].clone(),
                saving,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::ComponentModel;
    use crate::schedule::{validate, Outcome, UnbookedReason};

    const SMALL_CLINIC: &str = include_str!("../../examples/data/small_clinic.json");

    #[test]
    fn a_failed_component_loses_only_its_own_referrals() {
        let problem = Problem::from_json(SMALL_CLINIC).unwrap();
        let prepared = prepare(&problem).unwrap();
        let colonoscopy: Vec<usize> = problem
            .referrals
            .iter()
            .enumerate()
            .filter(|(_, r)| r.id.as_str().starts_with("R-COL"))
            .map(|(ri, _)| ri)
            .collect();
        // A backend that fails on the colonoscopy list's component and solves the rest.
        let failing = |model: &ComponentModel,
                       backend: Backend,
                       limit: Option<Duration>,
                       gap: Option<f64>,
                       warm: Option<Vec<f64>>| {
            if model.vars.iter().any(|(ri, _)| colonoscopy.contains(ri)) {
                lp::ModelResult {
                    x: None,
                    status: SolveStatus::NoSolution,
                    tier1_value: 0,
                    tier1_bound: None,
                    message: Some("injected failure".to_owned()),
                }
            } else {
                lp::solve_model(model, backend, limit, gap, warm)
            }
        };
        let options = SolveOptions::new();
        let s = prepared
            .solve_from(&options, Instant::now(), &failing)
            .unwrap();
        assert_eq!(validate(&problem, &s), vec![]);

        // The MRI and clinic component (0) is booked as when nothing fails
        // (tests/hand_worked.rs); the colonoscopy list (component 1) comes back unbooked,
        // with the reason, and the stats say which component failed and why.
        let booked: Vec<(&str, Option<&str>)> = s
            .outcomes
            .iter()
            .map(|o| match &o.outcome {
                Outcome::Booked(b) => (o.referral.as_str(), Some(b.slot.as_str())),
                Outcome::Unbooked(_) => (o.referral.as_str(), None),
            })
            .collect();
        assert_eq!(
            booked,
            vec![
                ("R-USC-1", Some("MRI-NCDC-0904")),
                ("R-RTN-1", Some("MRI-RIV-0903")),
                ("R-RTN-2", Some("MRI-NCDC-1215")),
                ("R-RTN-3", Some("MRI-RIV-1222")),
                ("R-TO-1", Some("TO-CLINIC-1208")),
                ("R-TO-2", Some("TO-CLINIC-1208")),
                ("R-TO-3", None),
                ("R-COL-1", None),
                ("R-COL-2", None),
                ("R-COL-3", None),
                ("R-CT-1", None),
            ]
        );
        for &ri in &colonoscopy {
            assert_eq!(
                s.outcomes[ri].outcome,
                Outcome::Unbooked(UnbookedReason::SolverStopped { component: 1 })
            );
        }
        assert_eq!(s.stats.status, SolveStatus::NoSolution);
        let failed: Vec<(usize, SolveStatus, Option<&str>)> = s
            .stats
            .components
            .iter()
            .map(|c| (c.index, c.status, c.message.as_deref()))
            .collect();
        assert_eq!(
            failed,
            vec![
                (0, SolveStatus::Optimal, None),
                (1, SolveStatus::NoSolution, Some("injected failure"))
            ]
        );
    }

    #[test]
    fn no_schedule_at_all_is_an_error_that_says_so() {
        let problem = Problem::from_json(SMALL_CLINIC).unwrap();
        let prepared = prepare(&problem).unwrap();
        let failing = |_: &ComponentModel,
                       _: Backend,
                       _: Option<Duration>,
                       _: Option<f64>,
                       _: Option<Vec<f64>>| lp::ModelResult {
            x: None,
            status: SolveStatus::NoSolution,
            tier1_value: 0,
            tier1_bound: None,
            message: Some("injected failure".to_owned()),
        };
        let err = prepared
            .solve_from(&SolveOptions::new(), Instant::now(), &failing)
            .unwrap_err();
        assert!(matches!(
            &err,
            Error::Solver { component: 0, message } if message == "injected failure"
        ));
        assert_eq!(
            err.to_string(),
            "solver backend failed on every component; first failure in component 0: injected failure"
        );
    }
}
