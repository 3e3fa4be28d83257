//! Helpers shared by the integration tests.

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use appointment_optimiser::{Objective, Outcome, Preset, Problem, Schedule};
use proptest::test_runner::{Config as ProptestConfig, RngSeed};

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

/// `cases` proptest cases, or `PROPTEST_CASES` when set (for a deeper run), from a fixed seed,
/// or `PROPTEST_RNG_SEED` when set (to explore other cases), so that every run of the suite,
/// CI's included, tries the same cases; no regression files are written next to the tests.
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let defaults = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        RngSeed::Fixed(20_261_202)
    };
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed,
        // Property 7 rejects about a quarter of its cases: allow that at any case count.
        max_global_rejects: defaults.max_global_rejects.max(cases),
        ..defaults
    }
}

/// Pins `problem` to the crate's first objective, the `clock_stop_breaches` preset measured at
/// the horizon end (look-ahead 0): (1) weighted clock-stop breaches, (2) treat in turn with an
/// unbooked referral seen the day after the horizon, (3) travel regret. The hand-worked
/// schedules written for that objective keep their numbers under it.
pub fn legacy_objective(problem: &mut Problem) {
    problem.policy.objective = Objective::Preset(Preset::ClockStopBreaches);
    problem.policy.look_ahead_days = 0;
}

/// The problem in `json`, pinned to the first objective ([`legacy_objective`]).
pub fn legacy_problem(json: &str) -> Problem {
    let mut problem = Problem::from_json(json).unwrap();
    legacy_objective(&mut problem);
    problem
}
