//! # appointment-optimiser
//!
//! Books patients on NHS waiting lists into clinic, diagnostic-centre and theatre capacity,
//! optimally, and says why for everything it could not book.
//!
//! The layers, in the order data flows through them:
//! [`model`] (what a caller sends) -> [`rules`] (waiting-time standards, breach dates, NHS dates)
//! -> candidates (which slots each referral may use, and why not the others) -> formulation
//! (the tiered objective and the assignment model) -> [`mod@solve`] (network simplex and cost scaling for
//! capacity-only components, a `good_lp` backend for the rest) -> [`Schedule`], [`validate`]
//! and the text summary. [`export`] writes a component's model as MPS or DIMACS min-cost flow
//! for peer solvers.
//!
//! ```
//! use appointment_optimiser::{solve, validate, Problem, SolveOptions};
//! let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
//! let problem = Problem::from_json(&json)?;
//! let schedule = solve(&problem, &SolveOptions::new())?;
//! assert!(validate(&problem, &schedule).is_empty());
//! println!("{}", schedule.summary(&problem));
//! # Ok::<(), appointment_optimiser::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::float_cmp)]

pub mod backfill;
pub mod baselines;
mod candidates;
mod error;
pub mod explain;
pub mod export;
#[cfg(feature = "fhir")]
pub mod fhir;
mod formulation;
pub mod generate;
pub mod model;
pub mod report;
pub mod rules;
pub mod scenario;
mod schedule;
pub mod simulate;
pub mod solve;

pub use candidates::Exclusions;
pub use error::{Error, RecordKind, Result};
pub use formulation::{ObjectiveValues, TermValue, TierValue};
pub use model::*;
pub use schedule::{
    validate, Booking, BookingChange, Certificate, ChangeReason, ComponentStats, Method, Outcome,
    PlaceValue, ReferralOutcome, Schedule, SolveStats, SolveStatus, UnbookedReason, UnusedPlace,
    Violation, SHORT_NOTICE_LISTED,
};
pub use solve::{prepare, solve, Backend, Prepared, SolveOptions};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
