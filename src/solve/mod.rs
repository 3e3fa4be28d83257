//! The solve layer: backends, options, decomposition into components and the lexicographic
//! solve of each.
//!
//! Each independent component is solved by its structure. A capacity-only component (slot
//! counts and "each referral at most once", nothing else) is a transportation problem whose LP
//! is integral: this crate's network simplex solves it exactly. Every other component (minutes
//! capacity that can bind, two referrals of one patient whose slots overlap, pathway order) goes
//! to the MIP backend with binary variables, starting from the schedule that priority then
//! first come, first served books, which it keeps if the backend finds nothing better for tier 1
//! in time.
//!
//! The objective tiers are solved lexicographically: minimise tier 1; fix it at its optimum;
//! minimise tier 2; fix it; minimise tier 3. In the network simplex the fixing is exact: every
//! arc whose reduced cost is non-zero at the tier's optimum is held at its bound, which keeps
//! exactly the flows optimal for that tier. In the MIP a row `tier_k <= optimum_k + 0.5` (the
//! costs are integers) does the same.

mod flow;
mod lp;
pub(crate) mod network;

use crate::baselines::{self, Baseline};
use crate::candidates::{self, Candidates, Component};
use crate::error::{Error, Result};
use crate::formulation::{costs, ComponentModel, Costs};
use crate::model::{Index, Problem};
use crate::schedule::{assemble, ComponentStats, Method, Schedule, SolveStats, SolveStatus};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
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
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            backend: Backend::best_compiled(),
            time_limit: None,
            mip_gap: None,
            network_flow: true,
        }
    }
}

impl SolveOptions {
    /// The defaults: best compiled backend, no time limit, gap 0 (prove optimality), network
    /// simplex for capacity-only components.
    pub fn new() -> Self {
        Self::default()
    }

    /// The MIP/LP backend for components that need one.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Wall-clock limit for the whole solve. Components solved by the backend share what is
    /// left of it; a component stopped by it keeps the best schedule found.
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
/// non-finite MIP gap; [`Error::ObjectiveOverflow`] when costs exceed 64-bit integers. A backend
/// that fails on a component does not fail the solve: the component's referrals come back
/// unbooked with reason `solver_stopped` and its status says why.
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
    prepare(problem)?.solve(options)
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
    /// as for [`solve`].
    pub fn solve(&self, options: &SolveOptions) -> Result<Schedule> {
        let started = Instant::now();
        if let Some(gap) = options.mip_gap {
            if !gap.is_finite() || gap < 0.0 {
                return Err(Error::InvalidOption {
                    option: "mip_gap",
                    reason: format!("{gap} is not a finite number 0 or more"),
                });
            }
        }
        let (problem, cands, costs, comps) = (self.problem, &self.cands, &self.costs, &self.comps);
        let by_network = |c: &Component| c.is_capacity_only() && options.network_flow;
        let backend_components = comps.iter().filter(|c| !by_network(c)).count();
        if backend_components > 0 && !options.backend.is_compiled() {
            return Err(Error::BackendNotCompiled {
                backend: options.backend.name().to_owned(),
                compiled: Backend::compiled()
                    .iter()
                    .map(|b| b.name().to_owned())
                    .collect(),
            });
        }
        let deadline = options.time_limit.map(|t| started + t);

        let n = problem.referrals.len();
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
        // A feasible start for the MIP components, never worse on tier 1 than booking by
        // priority then first come, first served.
        let warm_choice = comps
            .iter()
            .any(|c| !by_network(c) && !c.is_capacity_only())
            .then(|| baselines::choose(problem, &self.index, cands, Baseline::PriorityThenFcfs));
        let mut backend_left = backend_components;
        for (k, comp) in comps.iter().enumerate() {
            if by_network(comp) {
                let picks = flow::solve_component(cands, costs, comp)
                    .map_err(|tier| Error::ObjectiveOverflow { component: k, tier })?;
                for (ri, ci) in picks {
                    chosen[ri] = ci;
                }
                stats.network_components += 1;
                continue;
            }
            let budget = deadline.map(|d| {
                let left = d.saturating_duration_since(Instant::now());
                left / u32::try_from(backend_left.max(1)).unwrap_or(u32::MAX)
            });
            backend_left = backend_left.saturating_sub(1);
            let model = ComponentModel::build(problem, cands, costs, comp);
            let warm = warm_choice
                .as_ref()
                .filter(|_| model.integer)
                .map(|choice| {
                    model
                        .vars
                        .iter()
                        .map(|&(ri, ci)| if choice[ri] == Some(ci) { 1.0 } else { 0.0 })
                        .collect()
                });
            let result = lp::solve_model(&model, options.backend, budget, options.mip_gap, warm);
            stats.constraints += model.rows.len();
            record(&mut stats, k, comp, &model, &result);
            match &result.x {
                Some(x) => {
                    for (v, &(ri, ci)) in model.vars.iter().enumerate() {
                        if x[v] > 0.5 {
                            chosen[ri] = Some(ci);
                        }
                    }
                }
                None => {
                    for &ri in &comp.referrals {
                        stopped[ri] = Some(k);
                    }
                }
            }
        }
        stats.status = stats
            .components
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(SolveStatus::Optimal);
        let mut schedule = assemble(problem, &self.index, cands, costs, &chosen, &stopped, stats);
        schedule.stats.elapsed = self.build_time + started.elapsed();
        Ok(schedule)
    }

    /// The problem, candidates, costs and components, for the model export
    /// ([`crate::export`]).
    pub(crate) fn parts(&self) -> (&Problem, &Candidates, &Costs, &[Component]) {
        (self.problem, &self.cands, &self.costs, &self.comps)
    }
}

fn record(
    stats: &mut SolveStats,
    index: usize,
    comp: &Component,
    model: &ComponentModel,
    result: &lp::ModelResult,
) {
    stats.components.push(ComponentStats {
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
    });
}
