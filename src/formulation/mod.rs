//! The formulation layer: the tiered objective and the assignment model of a component.

mod model;
mod objective;

pub(crate) use model::ComponentModel;
pub(crate) use objective::{costs, Costs};
pub use objective::{ObjectiveValues, TIER_NAMES};
