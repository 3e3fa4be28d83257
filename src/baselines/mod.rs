//! Booking baselines: how lists are booked without an optimiser (first come, first served;
//! priority then first come, first served; nearest site first).
//!
//! Each baseline works through the waiting list one referral at a time and gives it the first
//! compatible free slot by its own rule, never revisiting a booking. The result is the same
//! [`Schedule`] the optimiser returns, assembled by the same code, so outcomes, unbooked
//! reasons, breach status and every objective tier are computed exactly as for
//! [`crate::solve()`], and it passes the same [`crate::validate`]. Comparing the two shows what
//! the optimiser gains over how lists are booked today.
//!
//! # What "compatible" means
//!
//! A slot is compatible with a referral when all of these hold:
//!
//! - it is one of the referral's candidate slots: the candidate rules of the optimiser (service,
//!   status, horizon, length, requirements, notice and earliest date, availability, travel
//!   distance, done or pinned pathway steps, clashes with pinned bookings);
//! - it has count capacity left (after pinned bookings and the bookings this baseline made so
//!   far) and, for a session with a minutes capacity, at least the referral's duration in minutes
//!   left;
//! - it does not overlap another booking of the same patient, by the optimiser's rule: two
//!   bookings may overlap when a multi-place slot could place them at overlapping times, unless
//!   the one in the slot that starts first ends, from that slot's start, by the other slot's
//!   start and can have its slot's first place (one booking per slot has it);
//! - for every pathway step whose `after` is this referral and whose `before` is another unpinned
//!   referral: the `before` referral is booked, this slot's NHS date is at least `min_gap_days`
//!   after its date, and this slot starts at or after the latest time that booking could end
//!   in its slot.
//!
//! # Processing order
//!
//! Each baseline ranks the unpinned referrals (see [`Baseline`]). They are then taken in rank
//! order, except that a referral is only considered once every earlier pathway step it depends
//! on (an unpinned referral named as `before` of a step whose `after` it is) has been
//! considered: when a referral's turn comes, its unconsidered earlier steps are considered first,
//! immediately before it, in their own rank order (recursively). This is what a booking clerk
//! working down the list does on reaching a results clinic whose scan is not booked yet: book
//! the scan first. Pinned referrals keep their pinned booking and are not processed.
//!
//! A baseline is deterministic: the same problem gives the same schedule, byte for byte.

pub use crate::candidates::greedy::Baseline;
use crate::candidates::{self, greedy::choose};
use crate::error::Error;
use crate::formulation::costs;
use crate::model::Problem;
use crate::schedule::{assemble, Schedule, SolveStats, SolveStatus};
use std::time::Instant;

/// The status a baseline schedule reports in [`SolveStats::status`]: built by a rule, feasible,
/// no claim of optimality.
const BASELINE_STATUS: SolveStatus = SolveStatus::Heuristic;

/// Books `problem` by `baseline` and returns the schedule, with outcomes, unbooked reasons,
/// breach status and objective values computed as for [`crate::solve()`].
///
/// The schedule's [`SolveStats`] say what made it: `backend` is [`Baseline::backend_id`]
/// (for example `baseline:fcfs`), there are no components, variables or rows, and `status` is
/// [`SolveStatus::Heuristic`]: built by a rule, feasible, with no claim of optimality. `elapsed` is the wall-clock time of the whole
/// call and `build_time` the part spent checking the problem and building candidates and costs.
///
/// # Errors
/// Any error of [`Problem::check`]: [`Error::DuplicateId`], [`Error::UnknownReference`],
/// [`Error::InvalidField`], [`Error::HorizonBeforePlanningDate`],
/// [`Error::PinnedOverCapacity`], [`Error::PinnedClash`], [`Error::PathwayCycle`].
///
/// ```
/// use appointment_optimiser::baselines::{book, Baseline};
/// use appointment_optimiser::{validate, Problem};
/// let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
/// let problem = Problem::from_json(&json)?;
/// for baseline in Baseline::ALL {
///     let schedule = book(&problem, baseline)?;
///     assert!(validate(&problem, &schedule).is_empty());
///     println!("{baseline}: {:?}", schedule.objective.values());
/// }
/// # Ok::<(), appointment_optimiser::Error>(())
/// ```
pub fn book(problem: &Problem, baseline: Baseline) -> Result<Schedule, Error> {
    let started = Instant::now();
    let index = problem.index()?;
    let cands = candidates::build(problem, &index);
    let costs = costs(problem, &index.slot_site, &cands);
    let build_time = started.elapsed();

    let chosen = choose(problem, &index, &cands, baseline);

    let stats = SolveStats {
        backend: baseline.backend_id().to_owned(),
        status: BASELINE_STATUS,
        component_count: 0,
        network_components: 0,
        variables: 0,
        constraints: 0,
        components: Vec::new(),
        elapsed: build_time,
        build_time,
    };
    let stopped = vec![None; problem.referrals.len()];
    let mut schedule = assemble(problem, &index, &cands, &costs, &chosen, &stopped, stats);
    schedule.stats.elapsed = started.elapsed();
    Ok(schedule)
}
