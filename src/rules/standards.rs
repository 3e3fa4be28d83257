//! Waiting-time standards, clinical targets and breach dates.

use super::calendar::add_days;
use crate::model::{Referral, ReferralPriority, SurgicalPriority, WaitingTimeStandard};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Limit of a waiting-time standard, in days from clock start. A referral seen on
/// clock start + limit has not breached; one seen the day after has.
///
/// Sources (`shared/docs/nhs-rules.md`, "Waiting-time standards"):
/// - RTT 18 weeks = 126 days: NHS England, Recording and reporting RTT waiting times v5.0
///   (February 2025), section 2;
/// - diagnostic 6 weeks = 42 days: DM01 diagnostics guidance;
/// - cancer Faster Diagnosis Standard 28 days, 62-day and 31-day standards: NHS England cancer
///   waiting times standards (three standards since 1 October 2023);
/// - custom: the caller's number of days.
pub fn standard_limit_days(standard: WaitingTimeStandard) -> u32 {
    match standard {
        WaitingTimeStandard::Rtt18Weeks => 126,
        WaitingTimeStandard::Diagnostic6Weeks => 42,
        WaitingTimeStandard::CancerFasterDiagnosis28Days => 28,
        WaitingTimeStandard::Cancer62Days => 62,
        WaitingTimeStandard::Cancer31Days => 31,
        WaitingTimeStandard::CustomDays(days) => days,
    }
}

/// Clinical target of a surgical prioritisation class, in days from clock start; `None` for
/// P4, which has no target beyond the waiting-time standards.
///
/// Source: FSSA / Royal College of Surgeons clinical guide to surgical prioritisation
/// (`shared/docs/nhs-rules.md`, "Priority classes"): P1a within 24 hours (1 day), P1b within
/// 72 hours (3 days), P2 within 1 month (taken as 4 weeks, 28 days), P3 within 3 months
/// (taken as 90 days).
pub fn surgical_target_days(priority: SurgicalPriority) -> Option<u32> {
    match priority {
        SurgicalPriority::P1a => Some(1),
        SurgicalPriority::P1b => Some(3),
        SurgicalPriority::P2 => Some(28),
        SurgicalPriority::P3 => Some(90),
        SurgicalPriority::P4 => None,
    }
}

/// The start of the referral's running clock: its `clock_start`, or, after a DNA at the first
/// appointment, the latest date a new appointment was agreed (the clock is nullified and a new
/// one starts at zero then). A DNA later in the pathway leaves the clock running.
///
/// Source: NHS England, Recording and reporting RTT waiting times v5.0 (February 2025),
/// section 4.4.1.3 (`shared/docs/nhs-rules.md`, "Clock rules"). Every wait, breach date and
/// clinical target of this crate counts from this date.
pub fn running_clock_start(referral: &Referral) -> NaiveDate {
    referral
        .did_not_attend
        .iter()
        .filter(|dna| dna.first_appointment)
        .map(|dna| dna.rebooked_on)
        .fold(referral.clock_start, NaiveDate::max)
}

/// Breach date: the running clock's start ([`running_clock_start`]) plus the shortest limit of the referral's standards (a patient's
/// breach date is the earliest of the limits of the standards they are on; `nhs-rules.md`,
/// "Priority classes"). With no standard, `NaiveDate::MAX` (the problem check rejects that).
pub fn breach_date(referral: &Referral) -> NaiveDate {
    referral
        .standards
        .iter()
        .map(|s| add_days(running_clock_start(referral), standard_limit_days(*s)))
        .min()
        .unwrap_or(NaiveDate::MAX)
}

/// Clinical target date: the running clock's start ([`running_clock_start`]) plus the surgical
/// class's target, if it has one.
pub fn clinical_target_date(referral: &Referral) -> Option<NaiveDate> {
    referral
        .surgical_priority
        .and_then(surgical_target_days)
        .map(|days| add_days(running_clock_start(referral), days))
}

/// The date that matters: the earlier of the breach date and the clinical target date. A
/// referral booked on a date after this has breached; on this date it has not.
pub fn due_date(referral: &Referral) -> NaiveDate {
    let breach = breach_date(referral);
    clinical_target_date(referral).map_or(breach, |t| t.min(breach))
}

/// Days within which a patient whose confirmed appointment the hospital cancelled is to be
/// rebooked: 28. Source: the NHS Constitution's pledge and NHS England's cancelled elective
/// operations standard (patients whose operation is cancelled for non-clinical reasons are
/// offered another binding date within 28 days), applied here to every confirmed appointment
/// whose slot is gone.
pub const REBOOK_AFTER_CANCELLATION_DAYS: u32 = 28;

/// Days after the first declined reasonable offer within which the next offer should fall: 42
/// (6 weeks). Source: RTT rules v5.0 §4.4.1.4 (`shared/docs/nhs-rules.md`).
pub const NEXT_OFFER_WITHIN_DAYS: u32 = 42;

/// The date by which a referral that declined a reasonable offer should be seen: the earliest
/// declined reasonable offer's date plus [`NEXT_OFFER_WITHIN_DAYS`]; `None` without one.
pub fn declined_offer_deadline(referral: &Referral) -> Option<NaiveDate> {
    referral
        .declined_offers
        .iter()
        .filter(|o| o.reasonable)
        .map(|o| add_days(o.offered_date, NEXT_OFFER_WITHIN_DAYS))
        .min()
}

/// Two or more reasonable offers declined: the clinician should review the referral (it may
/// move to active monitoring, a clock stop, reviewed every 12 weeks). Source: RTT rules v5.0
/// §4.4.1.4 and §8.3.
pub fn needs_clinical_review(referral: &Referral) -> bool {
    referral
        .declined_offers
        .iter()
        .filter(|o| o.reasonable)
        .count()
        >= 2
}

/// What sets a referral's clinical deadline ([`clinical_deadline`]): the class its clinical
/// lateness is reported under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalClass {
    /// A cancer standard's limit (FDS 28 days, 62 days, 31 days).
    Cancer(WaitingTimeStandard),
    /// A surgical class's target (P1a to P3).
    Surgical(SurgicalPriority),
    /// The policy's target for urgent referrals.
    Urgent,
    /// A confirmed appointment whose slot is gone, to be rebooked within
    /// [`REBOOK_AFTER_CANCELLATION_DAYS`] of the planning date.
    HospitalCancellation,
    /// A declined reasonable offer: the next date within [`NEXT_OFFER_WITHIN_DAYS`] of it.
    DeclinedOffer,
}

/// A referral's clinical deadline: the last day it can be seen on time, and what sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClinicalDeadline {
    /// The last day on time (seen the day after: one day late).
    pub date: NaiveDate,
    /// What sets it.
    pub class: ClinicalClass,
}

/// The cancer standards (FDS 28 days, 62 days, 31 days) the referral is on, with the last day
/// each is met: the running clock start plus the standard's limit. Source: NHS England cancer
/// waiting times standards (three standards since 1 October 2023).
pub fn cancer_limits(
    referral: &Referral,
) -> impl Iterator<Item = (WaitingTimeStandard, NaiveDate)> + '_ {
    let clock = running_clock_start(referral);
    referral
        .standards
        .iter()
        .filter(|s| {
            matches!(
                s,
                WaitingTimeStandard::CancerFasterDiagnosis28Days
                    | WaitingTimeStandard::Cancer62Days
                    | WaitingTimeStandard::Cancer31Days
            )
        })
        .map(move |&s| (s, add_days(clock, standard_limit_days(s))))
}

/// The referral's clinical deadline, one per referral: the earliest of its cancer standards'
/// limits ([`cancer_limits`]), its surgical class's target ([`surgical_target_days`]: P1a to
/// P3) and, for an urgent or urgent suspected cancer referral, `urgent_target_days` (the
/// policy's target for urgent referrals), all counted from the running clock
/// start; and, after a declined reasonable offer, [`declined_offer_deadline`]. `None` for a routine referral with no cancer standard and no surgical target (P4 or
/// none). On a tie the cancer standard, then the surgical class, names the class.
///
/// Sources: `shared/docs/nhs-rules.md`, "Waiting-time standards" and "Priority classes";
/// clinical priority outranks waiting time (RTT guidance v5.0 §9.1).
pub fn clinical_deadline(referral: &Referral, urgent_target_days: u32) -> Option<ClinicalDeadline> {
    let clock = running_clock_start(referral);
    let cancer = cancer_limits(referral).map(|(s, date)| ClinicalDeadline {
        date,
        class: ClinicalClass::Cancer(s),
    });
    let surgical = referral.surgical_priority.and_then(|p| {
        surgical_target_days(p).map(|days| ClinicalDeadline {
            date: add_days(clock, days),
            class: ClinicalClass::Surgical(p),
        })
    });
    let urgent = (referral.priority != ReferralPriority::Routine).then(|| ClinicalDeadline {
        date: add_days(clock, urgent_target_days),
        class: ClinicalClass::Urgent,
    });
    let offer = declined_offer_deadline(referral).map(|date| ClinicalDeadline {
        date,
        class: ClinicalClass::DeclinedOffer,
    });
    // min_by_key keeps the first of equal dates: cancer, then surgical, urgent, declined offer.
    cancer
        .chain(surgical)
        .chain(urgent)
        .chain(offer)
        .min_by_key(|d| d.date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DidNotAttend, PatientId, ReferralId, Service};

    pub(crate) fn referral(
        clock_start: NaiveDate,
        standards: Vec<WaitingTimeStandard>,
    ) -> Referral {
        Referral {
            id: ReferralId::from("R1"),
            patient: PatientId::from("P1"),
            service: Service::Outpatient("110".into()),
            clock_start,
            standards,
            priority: Default::default(),
            surgical_priority: None,
            duration_minutes: 20,
            earliest_date: None,
            unavailable: vec![],
            home: None,
            max_travel_km: None,
            requirements: Default::default(),
            preferred_sites: vec![],
            existing_booking: None,
            accepts_short_notice: false,
            did_not_attend: vec![],
            declined_offers: vec![],
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn rtt_breach_date_is_126_days_after_clock_start() {
        // 2026-01-01 + 126 days = 2026-05-07 (Jan 30 + Feb 28 + Mar 31 + Apr 30 = 119, +7).
        let r = referral(d(2026, 1, 1), vec![WaitingTimeStandard::Rtt18Weeks]);
        assert_eq!(breach_date(&r), d(2026, 5, 7));
        assert_eq!(due_date(&r), d(2026, 5, 7));
        assert_eq!(clinical_target_date(&r), None);
    }

    #[test]
    fn earliest_standard_wins() {
        let r = referral(
            d(2026, 3, 1),
            vec![
                WaitingTimeStandard::Rtt18Weeks,
                WaitingTimeStandard::Diagnostic6Weeks,
                WaitingTimeStandard::CustomDays(60),
            ],
        );
        // 2026-03-01 + 42 = 2026-04-12.
        assert_eq!(breach_date(&r), d(2026, 4, 12));
    }

    #[test]
    fn clock_start_on_29_february() {
        // 2028 is a leap year: 2028-02-29 + 28 days = 2028-03-28.
        let r = referral(
            d(2028, 2, 29),
            vec![WaitingTimeStandard::CancerFasterDiagnosis28Days],
        );
        assert_eq!(breach_date(&r), d(2028, 3, 28));
    }

    #[test]
    fn surgical_target_is_earlier_than_rtt() {
        let mut r = referral(d(2026, 11, 1), vec![WaitingTimeStandard::Rtt18Weeks]);
        r.surgical_priority = Some(SurgicalPriority::P2);
        assert_eq!(clinical_target_date(&r), Some(d(2026, 11, 29)));
        assert_eq!(due_date(&r), d(2026, 11, 29));
        r.surgical_priority = Some(SurgicalPriority::P4);
        assert_eq!(due_date(&r), d(2027, 3, 7));
        assert_eq!(surgical_target_days(SurgicalPriority::P1a), Some(1));
        assert_eq!(surgical_target_days(SurgicalPriority::P1b), Some(3));
        assert_eq!(surgical_target_days(SurgicalPriority::P3), Some(90));
    }

    fn dna(date: NaiveDate, first_appointment: bool, rebooked_on: NaiveDate) -> DidNotAttend {
        DidNotAttend {
            date,
            first_appointment,
            rebooked_on,
        }
    }

    #[test]
    fn first_appointment_dna_restarts_the_clock_at_the_rebooking_date() {
        // RTT 4.4.1.3: clock started 1 September, first appointment missed on 20 October,
        // new appointment agreed on 23 October: the new clock starts on 23 October at zero,
        // so the 18-week breach date is 23 October + 126 days = 26 February 2027
        // (Oct 8 + Nov 30 + Dec 31 + Jan 31 = 100 days to 31 January, + 26).
        let mut r = referral(d(2026, 9, 1), vec![WaitingTimeStandard::Rtt18Weeks]);
        assert_eq!(breach_date(&r), d(2027, 1, 5));
        r.did_not_attend = vec![dna(d(2026, 10, 20), true, d(2026, 10, 23))];
        assert_eq!(running_clock_start(&r), d(2026, 10, 23));
        assert_eq!(breach_date(&r), d(2027, 2, 26));
        assert_eq!(due_date(&r), d(2027, 2, 26));
    }

    #[test]
    fn later_dna_leaves_the_clock_running() {
        let mut r = referral(d(2026, 9, 1), vec![WaitingTimeStandard::Rtt18Weeks]);
        r.did_not_attend = vec![dna(d(2026, 10, 20), false, d(2026, 10, 23))];
        assert_eq!(running_clock_start(&r), d(2026, 9, 1));
        assert_eq!(breach_date(&r), d(2027, 1, 5));
    }

    #[test]
    fn the_latest_first_appointment_rebooking_counts() {
        // Two first-appointment DNAs in a row (the rebooked first appointment was missed too),
        // listed out of order, and a later-appointment DNA after them that changes nothing.
        let mut r = referral(d(2026, 6, 1), vec![WaitingTimeStandard::Diagnostic6Weeks]);
        r.surgical_priority = Some(SurgicalPriority::P2);
        r.did_not_attend = vec![
            dna(d(2026, 8, 3), true, d(2026, 8, 10)),
            dna(d(2026, 7, 1), true, d(2026, 7, 2)),
            dna(d(2026, 8, 20), false, d(2026, 8, 25)),
        ];
        assert_eq!(running_clock_start(&r), d(2026, 8, 10));
        // 10 August + 42 = 21 September; + 28 (P2) = 7 September, the earlier.
        assert_eq!(breach_date(&r), d(2026, 9, 21));
        assert_eq!(clinical_target_date(&r), Some(d(2026, 9, 7)));
        assert_eq!(due_date(&r), d(2026, 9, 7));
    }

    #[test]
    fn standard_limits() {
        assert_eq!(standard_limit_days(WaitingTimeStandard::Rtt18Weeks), 126);
        assert_eq!(
            standard_limit_days(WaitingTimeStandard::Diagnostic6Weeks),
            42
        );
        assert_eq!(standard_limit_days(WaitingTimeStandard::Cancer62Days), 62);
        assert_eq!(standard_limit_days(WaitingTimeStandard::Cancer31Days), 31);
        assert_eq!(standard_limit_days(WaitingTimeStandard::CustomDays(9)), 9);
    }

    #[test]
    fn clinical_deadline_is_the_earliest_of_cancer_surgical_and_urgent() {
        // Clock 1 March 2026. Routine, RTT only: no clinical deadline.
        let mut r = referral(d(2026, 3, 1), vec![WaitingTimeStandard::Rtt18Weeks]);
        assert_eq!(clinical_deadline(&r, 28), None);
        // Urgent: 1 March + 28 = 29 March.
        r.priority = ReferralPriority::Urgent;
        let urgent = clinical_deadline(&r, 28).unwrap();
        assert_eq!(
            (urgent.date, urgent.class),
            (d(2026, 3, 29), ClinicalClass::Urgent)
        );
        // P1b (3 days) is earlier: 4 March, reported as surgical.
        r.surgical_priority = Some(SurgicalPriority::P1b);
        let surgical = clinical_deadline(&r, 28).unwrap();
        assert_eq!(
            (surgical.date, surgical.class),
            (
                d(2026, 3, 4),
                ClinicalClass::Surgical(SurgicalPriority::P1b)
            )
        );
        // A P4 urgent suspected cancer referral on FDS and 62 days: FDS (29 March) ties with
        // the urgent target and names the class.
        r.surgical_priority = Some(SurgicalPriority::P4);
        r.priority = ReferralPriority::UrgentSuspectedCancer;
        r.standards = vec![
            WaitingTimeStandard::Cancer62Days,
            WaitingTimeStandard::CancerFasterDiagnosis28Days,
        ];
        let cancer = clinical_deadline(&r, 28).unwrap();
        assert_eq!(
            (cancer.date, cancer.class),
            (
                d(2026, 3, 29),
                ClinicalClass::Cancer(WaitingTimeStandard::CancerFasterDiagnosis28Days)
            )
        );
        // With a 14-day urgent target the urgent target (15 March) is the earliest.
        assert_eq!(clinical_deadline(&r, 14).unwrap().date, d(2026, 3, 15));
        let limits: Vec<_> = cancer_limits(&r).collect();
        assert_eq!(
            limits,
            vec![
                (WaitingTimeStandard::Cancer62Days, d(2026, 5, 2)),
                (
                    WaitingTimeStandard::CancerFasterDiagnosis28Days,
                    d(2026, 3, 29)
                )
            ]
        );
    }
}
