//! The solve layer: backends, options, decomposition into components and the lexicographic
//! solve of each.
//!
//! Independent components are solved in parallel (rayon; `RAYON_NUM_THREADS` or the caller's
//! thread pool set the number of threads) and merged in component order, so the schedule is
//! the same whatever the number of threads. Each is solved by its structure. A capacity-only component (slot
//! counts and "each referral at most once", nothing else) is a transportation problem whose LP
//! is integral: this crate's network simplex solves it exactly. Every other component (minutes
//! capacity that can bind, two referrals of one patient whose slots overlap, pathway order) goes
//! to the MIP backend with binary variables, starting from the schedule that priority then
//! first come, first served books, which it keeps if the backend finds nothing better for tier 1
//! in time.
//!
//! The objective tiers (as many as the policy's objective has) are solved lexicographically:
//! minimise tier 1; fix it at its optimum; minimise tier 2; fix it; and so on. In the network
//! simplex and cost scaling the fixing is exact: every
//! arc whose reduced cost is non-zero at the tier's optimum is held at its bound, which keeps
//! exactly the flows optimal for that tier. In the MIP a row `tier_k <= optimum_k + 0.5` (the
//! costs are integers) does the same.

mod cost_scaling;
mod flow;
mod lp;
pub(crate) mod network;
mod pool;

use crate::baselines::{self, Baseline};
use crate::candidates::{self, Candidates, Component};
use crate::error::{Error, Result};
use crate::formulation::{costs, evaluate, ComponentModel, Costs, ObjectiveValues};
use crate::model::{Index, Problem};
use crate::schedule::{
    assemble, ComponentStats, Method, Outcome, Schedule, SolveStats, SolveStatus,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[cfg(not(any(feature = "microlp", feature = "highs", feature = "cbc")))]
compile_error!(
    "appointment-optimiser needs at least one solver backend: enable Cargo feature `microlp` (the default, pure Rust), `highs` or `cbc`"
);

/// A MIP/LP backend, through `good_lp`. Which ones exist depends on the Cargo features the
/// crate was built with; [`Backend::compiled`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// microlp, pure Rust (feature `microlp`, the default). Needs nothing to build; fine for
    /// components of up to about 10^4 variables.
    Microlp,
    /// HiGHS (feature `highs`): the recommended production backend. Needs `cmake` and a C++
    /// compiler (and libclang) to build.
    Highs,
    /// COIN-OR CBC (feature `cbc`). Needs the system's Cbc libraries (`coinor-libcbc-dev`).
    Cbc,
}

impl Backend {
    /// Every backend this crate knows, compiled or not.
    pub const ALL: [Backend; 3] = [Backend::Microlp, Backend::Highs, Backend::Cbc];

    /// The backend's name, as accepted by [`Backend::from_str`] and as the Cargo feature.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
            Backend::Cbc => "cbc",
        }
    }

    /// Whether this build includes the backend.
    pub fn is_compiled(self) -> bool {
        match self {
            Backend::Microlp => cfg!(feature = "microlp"),
            Backend::Highs => cfg!(feature = "highs"),
            Backend::Cbc => cfg!(feature = "cbc"),
        }
    }

    /// The backends this build includes, best first (HiGHS, CBC, microlp).
    pub fn compiled() -> Vec<Backend> {
        [Backend::Highs, Backend::Cbc, Backend::Microlp]
            .into_iter()
            .filter(|b| b.is_compiled())
            .collect()
    }

    /// The default: the best compiled backend, HiGHS before CBC before microlp.
    pub fn best_compiled() -> Backend {
        Backend::compiled()
            .first()
            .copied()
            .unwrap_or(Backend::Microlp)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// Parses `microlp`, `highs` or `cbc`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for another name.
    fn from_str(s: &str) -> Result<Backend> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| Error::InvalidOption {
                option: "backend",
                reason: format!("unknown backend `{s}`: choose microlp, highs or cbc"),
            })
    }
}

/// How to solve: backend, time limit, MIP gap. A consuming builder:
///
/// ```
/// use appointment_optimiser::{Backend, SolveOptions};
/// use std::time::Duration;
/// let options = SolveOptions::new()
///     .backend(Backend::Microlp)
///     .time_limit(Duration::from_secs(30))
///     .mip_gap(0.01);
/// assert_eq!(options.get_backend(), Backend::Microlp);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct SolveOptions {
    backend: Backend,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
    network_flow: bool,
    slot_pooling: bool,
    cost_scaling: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            backend: Backend::best_compiled(),
            time_limit: None,
            mip_gap: None,
            network_flow: true,
            slot_pooling: true,
            cost_scaling: true,
        }
    }
}

impl SolveOptions {
    /// The defaults: best compiled backend, no time limit, gap 0 (prove optimality),
    /// capacity-only components by network flow (network simplex, cost scaling for tiers of
    /// many distinct costs), slot pooling on.
    pub fn new() -> Self {
        Self::default()
    }

    /// The MIP/LP backend for components that need one.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Wall-clock limit for the whole solve, counted from the call to [`solve`] (model
    /// building included) or to [`Prepared::solve`]. Each component solved by the backend takes
    /// an equal share of what is left when it starts and keeps the best schedule found when
    /// stopped (never worse on tier 1 than priority then first come, first served, which it
    /// starts from); a component not started when the limit is reached keeps the
    /// priority-then-FCFS schedule. Either way its status is `time_limit`.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Relative MIP gap at which the backend may stop (0.01 = 1%); finite and 0 or more.
    pub fn mip_gap(mut self, gap: f64) -> Self {
        self.mip_gap = Some(gap);
        self
    }

    /// Whether capacity-only components use the network simplex (default true). With false they
    /// go to the backend as LPs (continuous variables: their LP is integral); the tests use this
    /// to cross-check the two.
    pub fn network_flow(mut self, on: bool) -> Self {
        self.network_flow = on;
        self
    }

    /// Whether interchangeable slots of a capacity-only component solved by network flow are
    /// pooled into one node (default true): same site, service, NHS date, length,
    /// own capabilities and minutes capacity, and usable by exactly the same referrals at the
    /// same costs. Pooling changes no objective value; within a pooled group the highest breach
    /// weight, then the longest wait, then the referral id gets the earliest time. With false
    /// every slot is its own node (the tests compare the two).
    pub fn slot_pooling(mut self, on: bool) -> Self {
        self.slot_pooling = on;
        self
    }

    /// Whether the tiers of a capacity-only component with many distinct costs on their free
    /// arcs (more than 256: treat in turn, weight × days², and clinical days late) are solved by
    /// cost scaling (default true) rather than by the network simplex. Only capacity-only
    /// components solved by network flow are concerned (not those sent to the backend, nor any
    /// when [`network_flow`](Self::network_flow) is false). Both engines are exact and give the
    /// same objective values; cost scaling is faster on such costs (1.5 to 3 times end to end on
    /// the generated lists), the simplex on tiers of few distinct costs. Should cost scaling refuse a component (its bounds on costs are tighter than the
    /// simplex's) or fail, the simplex solves that tier instead; nothing in the schedule says
    /// which engine did. The tests compare the two.
    pub fn cost_scaling(mut self, on: bool) -> Self {
        self.cost_scaling = on;
        self
    }

    /// The backend chosen.
    pub fn get_backend(&self) -> Backend {
        self.backend
    }
}

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
    problem: &'a Problem,
    index: Index,
    cands: Candidates,
    costs: Costs,
    comps: Vec<Component>,
    build_time: Duration,
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
        let mut seen = Vec::with_capacity(schedule.outcomes.len());
        for o in &schedule.outcomes {
            seen.push(match &o.outcome {
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
                    Some((si, b.pinned))
                }
                Outcome::Unbooked(_) => None,
            });
        }
        Ok(evaluate(problem, &self.index.slot_site, &self.cands, &seen))
    }

    /// The problem, candidates, costs and components, for the model export
    /// ([`crate::export`]).
    pub(crate) fn parts(&self) -> (&Problem, &Candidates, &Costs, &[Component]) {
        (self.problem, &self.cands, &self.costs, &self.comps)
    }
}

/// Solves one component's model on a backend: `(model, backend, time limit, MIP gap, start)`.
type BackendFn<'f> = dyn Fn(&ComponentModel, Backend, Option<Duration>, Option<f64>, Option<Vec<f64>>) -> lp::ModelResult
    + Sync
    + 'f;

fn by_network(comp: &Component, options: &SolveOptions) -> bool {
    comp.is_capacity_only() && options.network_flow
}

/// One solve of a prepared problem, shared by the threads that solve its components.
struct Run<'p, 'a> {
    prepared: &'p Prepared<'a>,
    options: &'p SolveOptions,
    deadline: Option<Instant>,
    backend: &'p BackendFn<'p>,
    /// Backend components not yet started: each takes an equal share of the time left.
    backend_left: AtomicUsize,
    /// The priority-then-FCFS choice: the MIP's starting schedule, and the schedule of a
    /// component the time limit stops before it starts. Built once, when first needed.
    fallback: OnceLock<Vec<Option<usize>>>,
}

/// What solving one component gave.
struct Solved {
    /// (referral, candidate position or `None`) for the component's referrals.
    picks: Vec<(usize, Option<usize>)>,
    /// The backend found no schedule: its referrals are unbooked with `solver_stopped`.
    stopped: bool,
    /// Backend model rows.
    rows: usize,
    /// `None` for a component the network simplex solved to optimality.
    stats: Option<ComponentStats>,
}

impl Run<'_, '_> {
    fn fallback(&self) -> &[Option<usize>] {
        self.fallback.get_or_init(|| {
            let p = self.prepared;
            baselines::choose(p.problem, &p.index, &p.cands, Baseline::PriorityThenFcfs)
        })
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn component(&self, k: usize, comp: &Component) -> Result<Solved> {
        let p = self.prepared;
        if by_network(comp, self.options) {
            if self.past_deadline() {
                let fallback = self.fallback();
                return Ok(Solved {
                    picks: comp.referrals.iter().map(|&ri| (ri, fallback[ri])).collect(),
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
            let (picks, fallbacks) = match pooled {
                Some(pooled) => {
                    let solved =
                        flow::solve_component(&pooled.cands, &pooled.costs, &pooled.comp, scaling)
                            .map_err(failed)?;
                    let picks = pooled.expand(p.problem, &p.cands, comp, &solved.picks);
                    (picks, solved.fallbacks)
                }
                None => {
                    let solved =
                        flow::solve_component(&p.cands, &p.costs, comp, scaling).map_err(failed)?;
                    (solved.picks, solved.fallbacks)
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
            stopped: result.x.is_none(),
            rows: model.rows.len(),
            stats: Some(record(k, comp, &model, &result)),
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
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
