//! The formulation layer: the tiered objective and the assignment model of a component.

mod model;
mod objective;
pub(crate) mod terms;

pub(crate) use model::{
    ComponentModel, BOOK_AT_MOST_ONCE, PATHWAY_ORDER, PATIENT_OVERLAP, SLOT_COUNT, SLOT_MINUTES,
};
pub(crate) use objective::{costs, evaluate, turn_order, Costs};
pub use objective::{ObjectiveValues, TermValue, TierValue};
