//! Helpers shared by the integration tests.

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use appointment_optimiser::{Outcome, Schedule};
use proptest::test_runner::Config as ProptestConfig;

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

/// `cases` proptest cases, or `PROPTEST_CASES` when set (for a deeper run); no regression files
/// are written next to the tests.
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
