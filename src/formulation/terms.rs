//! The named terms of the objective, one function each ([`crate::Term`] names them).
//!
//! Each function gives one referral's cost when it is seen on `seen` (its appointment date, or,
//! for a referral left unbooked, the day after the last snapshot date). None needs a solver, so
//! each is tested on its own against hand-worked numbers. Waits run from the running clock
//! start ([`running_clock_start`]); "days waited on date s" is `s - clock start` in calendar
//! days ([`days_waited`]).

use crate::model::{Problem, Referral, Term, WaitingTimeStandard};
use crate::rules::{
    add_days, cancer_limits, clinical_deadline, days_waited, due_date, running_clock_start,
    snapshot_dates,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// What every date-based term needs about the plan: its snapshot dates and horizon end.
#[derive(Clone, Debug)]
pub(crate) struct Measure<'p> {
    /// The problem.
    pub problem: &'p Problem,
    /// Snapshot dates ([`snapshot_dates`]), in order; at least one.
    pub snapshots: Vec<NaiveDate>,
    /// The day an unbooked referral counts as seen: the day after the last snapshot.
    pub unbooked_seen: NaiveDate,
}

impl<'p> Measure<'p> {
    /// The snapshot dates of `problem`'s plan under its policy's look-ahead.
    pub(crate) fn new(problem: &'p Problem) -> Self {
        let snapshots = snapshot_dates(
            problem.planning_date,
            problem.horizon_end,
            problem.policy.look_ahead_days,
        );
        let last = snapshots.last().copied().unwrap_or(problem.horizon_end);
        Measure {
            problem,
            snapshots,
            unbooked_seen: add_days(last, 1),
        }
    }

    /// The value of a date-based `term` for referral `ri` seen on `date` (`None`: unbooked).
    /// [`Term::TravelRegret`] is not date-based: 0 here (see `objective::travel_cost`).
    pub(crate) fn wait_term(&self, term: Term, ri: usize, date: Option<NaiveDate>) -> i64 {
        let r = &self.problem.referrals[ri];
        let seen = date.unwrap_or(self.unbooked_seen);
        let horizon_end = self.problem.horizon_end;
        let s = &self.snapshots;
        match term {
            Term::ClinicalDaysLate => clinical_days_late(self.problem, r, seen),
            Term::CancerBreaches => cancer_breaches(r, date, horizon_end),
            Term::WaitingOver104Weeks => waiting_over_weeks(r, 104, seen, s),
            Term::WaitingOver78Weeks => waiting_over_weeks(r, 78, seen, s),
            Term::WaitingOver65Weeks => waiting_over_weeks(r, 65, seen, s),
            Term::WaitingOver52Weeks => waiting_over_weeks(r, 52, seen, s),
            Term::RttOver18Weeks => rtt_over_18_weeks(r, seen, s),
            Term::DiagnosticOver6Weeks => diagnostic_over_6_weeks(r, seen, s),
            Term::CancerOver62Days => cancer_over_62_days(r, seen, s),
            Term::TreatInTurn => treat_in_turn(self.problem, r, seen),
            Term::ClockStopBreaches => clock_stop_breaches(self.problem, r, date),
            Term::TravelRegret => 0,
        }
    }
}

/// The referral's priority weight ([`crate::BreachWeights::weight`]).
fn weight(problem: &Problem, r: &Referral) -> i64 {
    i64::from(
        problem
            .policy
            .breach_weights
            .weight(r.priority, r.surgical_priority),
    )
}

/// Priority weight × days seen after the clinical deadline ([`clinical_deadline`]: the
/// earliest of the cancer standards' limits, the surgical class's target and, for urgent
/// referrals, the policy's `urgent_target_days`); 0 on or before it and with no deadline.
/// Every day later costs more, so an overdue urgent patient is never parked.
///
/// Source: clinical priority outranks waiting time (RTT guidance v5.0 §9.1); the surgical
/// targets (FSSA / RCS clinical guide to surgical prioritisation) and cancer limits (NHS
/// England cancer waiting times standards) in `shared/docs/nhs-rules.md`.
pub(crate) fn clinical_days_late(problem: &Problem, r: &Referral, seen: NaiveDate) -> i64 {
    match clinical_deadline(r, problem.policy.urgent_target_days) {
        Some(deadline) if seen > deadline.date => {
            weight(problem, r).saturating_mul((seen - deadline.date).num_days())
        }
        _ => 0,
    }
}

/// One breach per cancer standard (FDS 28 days, 62 days, 31 days) the referral misses, counted
/// on clock stops as NHS England counts them: booked on `date` after the limit, or unbooked
/// (`date` `None`) with the limit on or before `horizon_end`.
///
/// Source: NHS England cancer waiting times standards ("How each standard is measured" in
/// `shared/docs/nhs-rules.md`: patients told or treated in the month, breach if seen after the
/// limit). A standard listed twice counts once.
pub(crate) fn cancer_breaches(
    r: &Referral,
    date: Option<NaiveDate>,
    horizon_end: NaiveDate,
) -> i64 {
    cancer_limits(r)
        .filter(|&(_, limit)| match date {
            Some(d) => d > limit,
            None => limit <= horizon_end,
        })
        .map(|(standard, _)| standard)
        .collect::<BTreeSet<_>>()
        .len() as i64
}

/// Snapshot dates on which the referral, seen on `seen`, is still waiting (not seen on or
/// before the date) having waited `min_days` days or more.
fn still_waiting(r: &Referral, min_days: i64, seen: NaiveDate, snapshots: &[NaiveDate]) -> i64 {
    let clock = running_clock_start(r);
    snapshots
        .iter()
        .filter(|&&s| seen > s && days_waited(clock, s) >= min_days)
        .count() as i64
}

/// For a referral on the RTT standard, the snapshot dates on which it is still waiting over
/// `weeks` weeks: 7 × `weeks` + 1 days or more (over 52 weeks is 365 days or more). 0 for a
/// referral not on `rtt_18_weeks`.
///
/// Source: RTT incomplete pathways at each month end, RTT guidance v5.0 §10.1.1.2; the long-wait
/// milestones over 52, 65, 78 and 104 weeks ("How each standard is measured").
pub(crate) fn waiting_over_weeks(
    r: &Referral,
    weeks: i64,
    seen: NaiveDate,
    snapshots: &[NaiveDate],
) -> i64 {
    if !r.standards.contains(&WaitingTimeStandard::Rtt18Weeks) {
        return 0;
    }
    still_waiting(r, 7 * weeks + 1, seen, snapshots)
}

/// For a referral on the RTT standard, the snapshot dates on which it is still waiting more
/// than 126 days (over 18 weeks; 126 days exactly is within, in the 17-18 band).
///
/// Source: RTT guidance v5.0 §10.1.1.2 and §10.1.7.
pub(crate) fn rtt_over_18_weeks(r: &Referral, seen: NaiveDate, snapshots: &[NaiveDate]) -> i64 {
    if !r.standards.contains(&WaitingTimeStandard::Rtt18Weeks) {
        return 0;
    }
    still_waiting(r, 127, seen, snapshots)
}

/// For a referral on the `diagnostic_6_weeks` standard, the snapshot dates on which it is
/// still waiting 42 days or more (DM01 counts waits of 6 weeks or more).
///
/// Source: DM01 diagnostics waiting times, month-end snapshot ("How each standard is measured").
pub(crate) fn diagnostic_over_6_weeks(
    r: &Referral,
    seen: NaiveDate,
    snapshots: &[NaiveDate],
) -> i64 {
    if !r.standards.contains(&WaitingTimeStandard::Diagnostic6Weeks) {
        return 0;
    }
    still_waiting(r, 42, seen, snapshots)
}

/// For a referral on the `cancer_62_days` standard, the snapshot dates on which it is still
/// waiting more than 62 days: the backlog NHS England tracks.
///
/// Source: NHS England cancer waiting times, the weekly backlog of patients waiting over 62 days
/// ("How each standard is measured").
pub(crate) fn cancer_over_62_days(r: &Referral, seen: NaiveDate, snapshots: &[NaiveDate]) -> i64 {
    if !r.standards.contains(&WaitingTimeStandard::Cancer62Days) {
        return 0;
    }
    still_waiting(r, 63, seen, snapshots)
}

/// Priority weight × (days waited on `seen`)², 0 before the clock start. Convex: moving capacity
/// from a short waiter to a long waiter of the same weight lowers the sum, so patients are seen
/// in turn, each as early as it can be.
///
/// Source: within a priority class, patients are seen in turn (RTT guidance v5.0 §9.1, §5.2.1).
pub(crate) fn treat_in_turn(problem: &Problem, r: &Referral, seen: NaiveDate) -> i64 {
    let days = days_waited(running_clock_start(r), seen).max(0);
    weight(problem, r).saturating_mul(days.saturating_mul(days))
}

/// Priority weight when the referral is booked on `date` after its due date ([`due_date`]), or
/// unbooked (`None`) with the due date on or before the horizon end; else 0. A patient already
/// past the due date costs the same seen tomorrow or never: the completed-pathway logic NHS
/// England withdrew in June 2015 (RTT guidance v5.0 §1.1), kept for comparison.
pub(crate) fn clock_stop_breaches(problem: &Problem, r: &Referral, date: Option<NaiveDate>) -> i64 {
    let due = due_date(r);
    let breached = match date {
        Some(d) => d > due,
        None => due <= problem.horizon_end,
    };
    if breached {
        weight(problem, r)
    } else {
        0
    }
}
