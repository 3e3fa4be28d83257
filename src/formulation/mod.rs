//! The formulation layer: the named terms and tiered objective, the assignment model of a
//! component, and slot pooling (interchangeable slots of a capacity-only component as one
//! bucket, before the flow engines see it).

mod model;
mod objective;
pub(crate) mod pool;
pub(crate) mod terms;

pub(crate) use model::{
    ComponentModel, BOOK_AT_MOST_ONCE, FIRST_PLACE, PATHWAY_ORDER, PATIENT_OVERLAP, SLOT_COUNT,
    SLOT_MINUTES,
};
pub(crate) use objective::{costs, evaluate, turn_order, Costs};
pub use objective::{ObjectiveValues, TermValue, TierValue};
