//! # appointment-optimiser
//!
//! Books patients on NHS waiting lists into clinic, diagnostic-centre and theatre capacity.
//! This first layer holds the domain model ([`model`]) and the waiting-time rules ([`rules`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::float_cmp)]

mod error;
pub mod model;
pub mod rules;

pub use error::{Error, RecordKind, Result};
pub use model::*;
