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

mod certify;
mod cost_scaling;
mod dispatch;
mod flow;
mod graph;
mod lp;
mod max_flow;
pub(crate) mod network;
mod options;
mod paths;
mod prepare;

pub use options::{Backend, SolveOptions};
pub use prepare::{prepare, solve, Prepared};
