//! Fuzz target `load_and_solve`: any bytes read as a problem and, when small, solved.
//!
//! Checks that `Problem::from_json` never panics and that a problem it accepts passes
//! `Problem::check` (the JSON round trip is left to `load`); then, for a problem of at most 40
//! referrals, 40 slots and a horizon of at most 120 days (so one execution stays fast), that
//! `solve` with the default options (microlp backend, network simplex for capacity-only
//! components) never panics, and that a schedule it returns
//! - passes the independent validator (`validate` is empty);
//! - has exactly one outcome per referral, in input order, with the same ids;
//! - is the same JSON, byte for byte, as a second solve's (determinism).
//!
//! A typed `Error` from `from_json` or `solve` is a correct answer, not a failure.

#![no_main]

use appointment_optimiser::{solve, validate, Problem, SolveOptions};
use libfuzzer_sys::fuzz_target;

const MAX_REFERRALS: usize = 40;
const MAX_SLOTS: usize = 40;
const MAX_HORIZON_DAYS: i64 = 120;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(problem) = Problem::from_json(json) else {
        return;
    };
    assert_eq!(
        problem.check(),
        Ok(()),
        "from_json accepted what check refuses"
    );

    let horizon_days = (problem.horizon_end - problem.planning_date).num_days();
    if problem.referrals.len() > MAX_REFERRALS
        || problem.slots.len() > MAX_SLOTS
        || horizon_days > MAX_HORIZON_DAYS
    {
        return;
    }

    let options = SolveOptions::new();
    let Ok(schedule) = solve(&problem, &options) else {
        return;
    };

    let violations = validate(&problem, &schedule);
    assert!(
        violations.is_empty(),
        "the validator rejects the solver's schedule: {violations:?}"
    );

    assert_eq!(
        schedule.outcomes.len(),
        problem.referrals.len(),
        "not one outcome per referral"
    );
    for (i, (outcome, referral)) in schedule.outcomes.iter().zip(&problem.referrals).enumerate() {
        assert_eq!(
            outcome.referral, referral.id,
            "outcome {i} is for another referral than input referral {i}"
        );
    }

    let first = schedule.to_json();
    match solve(&problem, &options) {
        Ok(again) => assert_eq!(first, again.to_json(), "a second solve differs"),
        Err(e) => panic!("the first solve succeeded, the second failed: {e}"),
    }
});
