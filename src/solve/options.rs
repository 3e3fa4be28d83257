//! How to solve: the backend and the options of a solve.

use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

#[cfg(not(any(feature = "microlp", feature = "highs", feature = "cbc")))]
compile_error!(
    "appointment-optimiser needs at least one solver backend: enable Cargo feature `microlp` (the default, pure Rust), `highs` or `cbc`"
);

/// A MIP/LP backend, through `good_lp`. Which ones exist depends on the Cargo features the
/// crate was built with; [`Backend::compiled`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
    pub(super) backend: Backend,
    pub(super) time_limit: Option<Duration>,
    pub(super) mip_gap: Option<f64>,
    pub(super) network_flow: bool,
    pub(super) slot_pooling: bool,
    pub(super) cost_scaling: bool,
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

    /// Wall-clock limit for the whole solve, counted from the call to [`crate::solve()`] (model
    /// building included) or to [`crate::Prepared::solve`]. Each component solved by the backend takes
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
