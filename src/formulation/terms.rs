//! The named terms of the objective, one function each ([`crate::Term`] names them).
//!
//! Each function gives one referral's cost when it is seen on `seen` (its appointment date, or,
//! for a referral left unbooked, the day after the last snapshot date). None needs a solver, so
//! each is tested on its own against hand-worked numbers. Waits run from the running clock
//! start ([`running_clock_start`]); "days waited on date s" is `s - clock start` in calendar
//! days ([`days_waited`]).

use crate::model::{Problem, Referral, SlotStatus, Term, WaitingTimeStandard};
use crate::rules::{
    add_days, cancer_limits, clinical_deadline, days_waited, due_date, nhs_date,
    running_clock_start, snapshot_dates, REBOOK_AFTER_CANCELLATION_DAYS,
};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// What every term needs about the plan: its snapshot dates and horizon end, and each
/// referral's existing booking.
#[derive(Clone, Debug)]
pub(crate) struct Measure<'p> {
    /// The problem.
    pub problem: &'p Problem,
    /// Snapshot dates ([`snapshot_dates`]), in order; at least one.
    pub snapshots: Vec<NaiveDate>,
    /// The day an unbooked referral counts as seen: the day after the last snapshot.
    pub unbooked_seen: NaiveDate,
    /// Per referral with a confirmed, unpinned existing booking: what the schedule may do with
    /// it (`None` for the others).
    pub confirmed: Vec<Option<Confirmed>>,
}

/// A confirmed, unpinned existing booking, as the terms see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Confirmed {
    /// The slot (problem index) when it still exists and is free, so the appointment is the
    /// schedule's to keep or give up; `None` when the slot is gone. Whether the referral can
    /// still use it (its candidate rules) is deliberately not asked: that depends on capacity,
    /// and a cost that changed with capacity would let more capacity worsen a tier.
    pub keepable: Option<usize>,
    /// The original date is inside the minimum notice period.
    pub short_notice: bool,
    /// The slot is gone (removed from the plan, blocked or booked): the referral is to be
    /// rebooked by this date.
    pub rebook_by: Option<NaiveDate>,
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
            confirmed: vec![None; problem.referrals.len()],
        }
    }

    /// As [`Measure::new`], with each confirmed, unpinned existing booking read against the
    /// problem's slots.
    pub(crate) fn with_bookings(problem: &'p Problem) -> Self {
        let mut m = Self::new(problem);
        let slot_of: std::collections::HashMap<&str, usize> = problem
            .slots
            .iter()
            .enumerate()
            .map(|(si, s)| (s.id.as_str(), si))
            .collect();
        let notice = add_days(problem.planning_date, problem.policy.min_notice_days);
        for (ri, r) in problem.referrals.iter().enumerate() {
            let Some(b) = r
                .existing_booking
                .as_ref()
                .filter(|b| b.confirmed && !b.pinned)
            else {
                continue;
            };
            let slot = slot_of.get(b.slot.as_str()).copied();
            let gone = slot.is_none_or(|si| problem.slots[si].status != SlotStatus::Free);
            m.confirmed[ri] = Some(Confirmed {
                keepable: slot.filter(|_| !gone),
                short_notice: slot.is_some_and(|si| nhs_date(&problem.slots[si].start) <= notice),
                rebook_by: gone
                    .then(|| add_days(problem.planning_date, REBOOK_AFTER_CANCELLATION_DAYS)),
            });
        }
        m
    }

    /// The value of any term but travel regret for referral `ri` seen on `date` in `slot`
    /// (both `None`: unbooked): [`Measure::wait_term`] for the date-based terms,
    /// [`Measure::slot_term`] for those of a confirmed booking.
    pub(crate) fn term_at(
        &self,
        term: Term,
        ri: usize,
        date: Option<NaiveDate>,
        slot: Option<usize>,
    ) -> i64 {
        match term {
            Term::CancelledConfirmed | Term::Disruption => self.slot_term(term, ri, slot),
            _ => self.wait_term(term, ri, date),
        }
    }

    /// The value of a term that depends on the slot booked, not only on its date, for referral
    /// `ri` booked in `slot` (problem index; `None`: unbooked): [`cancelled_confirmed`] and
    /// [`disruption`]; 0 for every other term.
    pub(crate) fn slot_term(&self, term: Term, ri: usize, slot: Option<usize>) -> i64 {
        let confirmed = self.confirmed[ri];
        match term {
            Term::CancelledConfirmed => cancelled_confirmed(confirmed, slot),
            Term::Disruption => disruption(confirmed, slot),
            _ => 0,
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
            Term::ClinicalDaysLate => {
                let rebook_by = self.confirmed[ri].and_then(|c| c.rebook_by);
                clinical_days_late(self.problem, r, rebook_by, seen)
            }
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
            Term::TravelRegret | Term::CancelledConfirmed | Term::Disruption => 0,
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
/// referrals, the policy's `urgent_target_days`; and `rebook_by`, the rebooking date of a
/// confirmed appointment whose slot is gone); 0 on or before it and with no deadline. Every day
/// later costs more, so an overdue urgent patient is never parked, nor a patient the hospital
/// cancelled.
///
/// Source: clinical priority outranks waiting time (RTT guidance v5.0 §9.1); the surgical
/// targets (FSSA / RCS clinical guide to surgical prioritisation) and cancer limits (NHS
/// England cancer waiting times standards) in `shared/docs/nhs-rules.md`; the 28-day rebooking
/// of [`REBOOK_AFTER_CANCELLATION_DAYS`].
pub(crate) fn clinical_days_late(
    problem: &Problem,
    r: &Referral,
    rebook_by: Option<NaiveDate>,
    seen: NaiveDate,
) -> i64 {
    let clinical = clinical_deadline(r, problem.policy.urgent_target_days).map(|d| d.date);
    let deadline = match (clinical, rebook_by) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    match deadline {
        Some(deadline) if seen > deadline => {
            weight(problem, r).saturating_mul((seen - deadline).num_days())
        }
        _ => 0,
    }
}

/// 1 when a confirmed booking whose slot still exists and is free is left unbooked (`slot` `None`): a hospital cancellation by choice. 0 otherwise, and for a
/// referral without a confirmed, unpinned booking.
///
/// Source: this crate's rule, placed above clinical lateness in `nhs_england`: an appointment
/// the patient was told about is kept, or moved, never dropped while its slot can still be
/// used. A patient whose slot is gone is rebooked within 28 days
/// ([`REBOOK_AFTER_CANCELLATION_DAYS`]).
pub(crate) fn cancelled_confirmed(confirmed: Option<Confirmed>, slot: Option<usize>) -> i64 {
    match confirmed {
        Some(Confirmed {
            keepable: Some(_), ..
        }) if slot.is_none() => 1,
        _ => 0,
    }
}

/// For a confirmed booking whose slot still exists and is free: 0 when booked in it, otherwise (moved
/// to another slot, or cancelled) 1, or 2 when its date was inside the minimum notice period.
/// 0 for a referral without one, and when its slot is gone (the change was not the schedule's
/// choice; the referral's rebooking is counted by [`clinical_days_late`]).
///
/// Source: this crate's choice: for the patient a moved appointment is a cancellation by the
/// hospital, and one inside the notice period (a reasonable offer gives at least 21 days: RTT
/// rules v5.0) weighs double.
pub(crate) fn disruption(confirmed: Option<Confirmed>, slot: Option<usize>) -> i64 {
    match confirmed {
        Some(Confirmed {
            keepable: Some(kept),
            short_notice,
            ..
        }) if slot != Some(kept) => {
            if short_notice {
                2
            } else {
                1
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Planned on 30 April 2026, horizon to 11 June, look-ahead `look_ahead` days: snapshots
    /// 31 May, 11 June and (look-ahead 7) 18 June. One referral per entry of `referrals`
    /// (JSON objects without the common fields).
    fn problem(look_ahead: u32, referrals: &[&str]) -> Problem {
        let referrals: Vec<String> = referrals
            .iter()
            .enumerate()
            .map(|(i, extra)| {
                format!(
                    r#"{{"id": "R{i}", "patient": "P{i}", "service": {{"diagnostic": "mri"}},
                        "duration_minutes": 30, {extra}}}"#
                )
            })
            .collect();
        Problem::from_json(&format!(
            r#"{{"planning_date": "2026-04-30", "horizon_end": "2026-06-11",
                "policy": {{"look_ahead_days": {look_ahead}}},
                "sites": [], "slots": [], "referrals": [{}]}}"#,
            referrals.join(",")
        ))
        .unwrap()
    }

    #[test]
    fn snapshot_dates_and_the_unbooked_day() {
        let p = problem(7, &[]);
        let m = Measure::new(&p);
        assert_eq!(
            m.snapshots,
            vec![d(2026, 5, 31), d(2026, 6, 11), d(2026, 6, 18)]
        );
        assert_eq!(m.unbooked_seen, d(2026, 6, 19));
        assert_eq!(Measure::new(&problem(0, &[])).unbooked_seen, d(2026, 6, 12));
    }

    /// Clock start 5 June 2025: 360 days on 31 May (under 52 weeks), 371 on 11 June and 378 on
    /// 18 June (over 52 weeks: 365 days or more). It crosses 52 weeks between two snapshots.
    #[test]
    fn a_patient_crossing_52_weeks_between_two_snapshots() {
        let p = problem(
            7,
            &[r#""clock_start": "2025-06-05", "standards": ["rtt_18_weeks"]"#],
        );
        let m = Measure::new(&p);
        let over_52 = |date| m.wait_term(Term::WaitingOver52Weeks, 0, date);
        let over_18 = |date| m.wait_term(Term::RttOver18Weeks, 0, date);
        // Seen on 1 June: still waiting only on 31 May, at 360 days: no 52-week count, one
        // 18-week count.
        assert_eq!(over_52(Some(d(2026, 6, 1))), 0);
        assert_eq!(over_18(Some(d(2026, 6, 1))), 1);
        // Seen on 31 May, the snapshot date itself: not waiting on it.
        assert_eq!(over_18(Some(d(2026, 5, 31))), 0);
        // Seen on 11 June, the horizon end's snapshot: counted on neither 11 nor 18 June.
        assert_eq!(over_52(Some(d(2026, 6, 11))), 0);
        // A day later: still waiting on 11 June at 371 days.
        assert_eq!(over_52(Some(d(2026, 6, 12))), 1);
        // Unbooked (seen 19 June): 11 and 18 June over 52 weeks; all three over 18 weeks.
        assert_eq!(over_52(None), 2);
        assert_eq!(over_18(None), 3);
        // Not over 65 weeks (456 days) on any snapshot.
        assert_eq!(m.wait_term(Term::WaitingOver65Weeks, 0, None), 0);
    }

    /// Clock start 18 June 2025 reaches 365 days on 18 June 2026, the look-ahead date: counted
    /// unbooked with a look-ahead of 7 days, not with 0.
    #[test]
    fn the_look_ahead_date_counts_a_patient_crossing_after_the_horizon() {
        let r = r#""clock_start": "2025-06-18", "standards": ["rtt_18_weeks"]"#;
        let with = problem(7, &[r]);
        let without = problem(0, &[r]);
        assert_eq!(
            Measure::new(&with).wait_term(Term::WaitingOver52Weeks, 0, None),
            1
        );
        assert_eq!(
            Measure::new(&without).wait_term(Term::WaitingOver52Weeks, 0, None),
            0
        );
        // Booked inside the horizon, it never waits on 18 June.
        assert_eq!(
            Measure::new(&with).wait_term(Term::WaitingOver52Weeks, 0, Some(d(2026, 6, 10))),
            0
        );
    }

    /// The same 5 June 2025 clock start, but the patient did not attend a first appointment and
    /// a new one was agreed on 1 March 2026: the clock restarts then (RTT v5.0 §4.4.1.3), so on
    /// 11 June the wait is 102 days and on 18 June 109: under 18 weeks throughout.
    #[test]
    fn a_first_appointment_dna_restarts_every_count() {
        let p = problem(
            7,
            &[
                r#""clock_start": "2025-06-05", "standards": ["rtt_18_weeks"],
                   "did_not_attend": [{"date": "2026-02-20", "first_appointment": true,
                                       "rebooked_on": "2026-03-01"}]"#,
            ],
        );
        let m = Measure::new(&p);
        assert_eq!(m.wait_term(Term::WaitingOver52Weeks, 0, None), 0);
        assert_eq!(m.wait_term(Term::RttOver18Weeks, 0, None), 0);
        // Treat in turn counts from the restart too: 110 days to 19 June, 110² = 12100.
        assert_eq!(m.wait_term(Term::TreatInTurn, 0, None), 12_100);
    }

    /// Urgent (weight 4), clock start 20 April 2026, urgent target 28 days: deadline 18 May.
    /// Urgent suspected cancer (weight 16) on FDS and 62 days from the same date: FDS limit
    /// 18 May, 62-day limit 21 June (after the horizon end, 11 June).
    #[test]
    fn clinical_days_late_and_cancer_breaches() {
        let p = problem(
            7,
            &[
                r#""clock_start": "2026-04-20", "standards": ["rtt_18_weeks"], "priority": "urgent""#,
                r#""clock_start": "2026-04-20", "priority": "urgent_suspected_cancer",
                   "standards": ["cancer_faster_diagnosis_28_days", "cancer_62_days"]"#,
            ],
        );
        let m = Measure::new(&p);
        let late = |ri, date| m.wait_term(Term::ClinicalDaysLate, ri, date);
        assert_eq!(late(0, Some(d(2026, 5, 18))), 0);
        assert_eq!(late(0, Some(d(2026, 5, 20))), 4 * 2);
        // Unbooked: seen 19 June, 32 days late.
        assert_eq!(late(0, None), 4 * 32);
        assert_eq!(late(1, Some(d(2026, 5, 19))), 16);
        let breaches = |date| m.wait_term(Term::CancerBreaches, 1, date);
        assert_eq!(breaches(Some(d(2026, 5, 18))), 0);
        assert_eq!(breaches(Some(d(2026, 5, 20))), 1);
        assert_eq!(breaches(Some(d(2026, 6, 22))), 2);
        // Unbooked: only the FDS limit is inside the horizon.
        assert_eq!(breaches(None), 1);
        // Still waiting over 62 days at a snapshot: 21 June is after every snapshot, so none.
        assert_eq!(m.wait_term(Term::CancerOver62Days, 1, None), 0);
        // Not an RTT referral: no RTT counts; the urgent one is.
        assert_eq!(m.wait_term(Term::RttOver18Weeks, 1, None), 0);
        assert_eq!(m.wait_term(Term::ClockStopBreaches, 0, None), 0);
    }

    /// DM01 counts waits of 6 weeks or more: clock start 19 April is 42 days on 31 May.
    #[test]
    fn diagnostic_six_weeks_counts_from_day_42() {
        let p = problem(
            7,
            &[r#""clock_start": "2026-04-19", "standards": ["diagnostic_6_weeks"]"#],
        );
        let m = Measure::new(&p);
        assert_eq!(
            m.wait_term(Term::DiagnosticOver6Weeks, 0, Some(d(2026, 5, 31))),
            0
        );
        assert_eq!(
            m.wait_term(Term::DiagnosticOver6Weeks, 0, Some(d(2026, 6, 1))),
            1
        );
        assert_eq!(m.wait_term(Term::DiagnosticOver6Weeks, 0, None), 3);
        // Due 31 May (42 days): a clock-stop breach seen on 1 June, weight 1.
        assert_eq!(
            m.wait_term(Term::ClockStopBreaches, 0, Some(d(2026, 6, 1))),
            1
        );
    }

    /// Every date-based term is non-decreasing in the appointment date, and leaving a referral
    /// unbooked costs at least as much as any booking in the horizon: seeing a patient earlier
    /// never worsens any tier. Checked on every day of the horizon for a grid of referrals
    /// (clock starts from 1 to 800 days back, each standard, priority and surgical class).
    #[test]
    fn every_term_is_non_decreasing_in_the_appointment_date() {
        let standards = [
            "rtt_18_weeks",
            "diagnostic_6_weeks",
            "cancer_faster_diagnosis_28_days",
            "cancer_62_days",
            "cancer_31_days",
        ];
        let priorities = ["routine", "urgent", "urgent_suspected_cancer"];
        let surgical = ["null", r#""P1a""#, r#""P2""#, r#""P3""#, r#""P4""#];
        let mut referrals = Vec::new();
        for back in [
            1u32, 20, 41, 61, 120, 130, 300, 364, 400, 455, 546, 728, 800,
        ] {
            let clock = d(2026, 4, 30) - chrono::Days::new(u64::from(back));
            for (k, standard) in standards.iter().enumerate() {
                let priority = priorities[k % 3];
                let class = surgical[(back as usize + k) % 5];
                referrals.push(format!(
                    r#""clock_start": "{clock}", "standards": ["{standard}", "rtt_18_weeks"],
                       "priority": "{priority}", "surgical_priority": {class}"#
                ));
            }
        }
        let refs: Vec<&str> = referrals.iter().map(String::as_str).collect();
        let p = problem(7, &refs);
        let m = Measure::new(&p);
        let mut checked = 0;
        for ri in 0..p.referrals.len() {
            for term in Term::ALL {
                let unbooked = m.wait_term(term, ri, None);
                let mut previous = i64::MIN;
                let mut date = p.planning_date;
                while date <= p.horizon_end {
                    let v = m.wait_term(term, ri, Some(date));
                    assert!(v >= previous, "{term} of R{ri} falls on {date}");
                    assert!(v <= unbooked, "{term} of R{ri} on {date} above unbooked");
                    previous = v;
                    date = add_days(date, 1);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 65 * 14 * 43);
    }
}
