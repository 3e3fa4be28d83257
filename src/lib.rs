//! # appointment-optimiser
//!
//! Books patients on NHS waiting lists into clinic, diagnostic-centre and theatre capacity.
//! The domain model ([`model`]), the waiting-time rules ([`rules`]), candidates and the
//! tiered objective with the assignment model of a component.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::float_cmp)]

#[allow(dead_code)]
mod candidates;
mod error;
#[allow(dead_code)]
mod formulation;
pub mod model;
pub mod rules;

pub use candidates::Exclusions;
pub use error::{Error, RecordKind, Result};
pub use formulation::{ObjectiveValues, TIER_NAMES};
pub use model::*;
