//! The domain model: what a caller sends (referrals, sites, slots, pathway steps, policy).
//!
//! These are plain serde types, kept apart from the solver model that owns the LP variables.

mod geo;
mod ids;
mod pathway;
mod policy;
mod problem;
mod referral;
mod site;
mod slot;
mod warnings;

pub use geo::{Location, EARTH_RADIUS_KM};
pub use ids::{Capability, PatientId, ReferralId, SiteId, SlotId};
pub use pathway::{PathwayStep, Prerequisite};
pub use policy::{BreachWeights, Objective, Policy, Preset, Term, WeightedTerm};
pub(crate) use problem::Index;
pub use problem::{Problem, MAX_CLOCK_AGE_DAYS, MAX_HORIZON_DAYS};
pub use referral::{
    DeclinedOffer, DiagnosticTest, DidNotAttend, ExistingBooking, Referral, ReferralPriority,
    Service, SurgicalPriority, UnavailablePeriod, WaitingTimeStandard,
};
pub use site::{Site, SiteKind};
pub(crate) use slot::{clash, Clash};
pub use slot::{Slot, SlotStatus};
pub use warnings::InputWarning;
