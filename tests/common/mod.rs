//! Helpers shared by the integration tests.

use appointment_optimiser::{Outcome, Schedule};

/// (referral, slot booked or None) for every referral, in input order.
pub fn bookings(schedule: &Schedule) -> Vec<(&str, Option<&str>)> {
    schedule
        .outcomes
        .iter()
        .map(|o| {
            let slot = match &o.outcome {
                Outcome::Booked(b) => Some(b.slot.as_str()),
                Outcome::Unbooked(_) => None,
            };
            (o.referral.as_str(), slot)
        })
        .collect()
}
