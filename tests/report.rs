//! The waiting-list report on a small hand-made problem: every figure worked out by hand.

mod common;

use appointment_optimiser::report::{report, Comparison, PriorityClass, Report, Unit};
use appointment_optimiser::{
    solve, validate, Error, Outcome, Problem, ReferralPriority, Schedule, SiteKind, SolveOptions,
    SurgicalPriority, UnbookedReason, WaitingTimeStandard,
};
use chrono::NaiveDate;

/// Planning date Tuesday 1 December 2026, horizon to 31 December (London is on UTC in
/// December, so every slot's NHS date is its UTC date).
///
/// Sites, all on longitude 0.10 W, so every home-to-site distance (homes are on the same
/// meridian) is the latitude difference times 2π × 6371.0088 / 360 = 111.19508 km per degree:
/// TRUST (NHS trust) 51.50 N, CDC (community diagnostic centre) 51.60 N, IS (independent
/// sector) 51.40 N.
///
/// Slots:
/// - S1 TRUST clinic 110, 8 Dec, capacity 2;
/// - S2 CDC MRI, 3 Dec; S3 CDC MRI, 17 Dec; S7 CDC CT, 29 Dec, capacity 2 (no CT referral);
/// - S4 IS hip list, 10 Dec 08:00-12:00 (240 minutes), capacity 3, minutes capacity 300
///   (capped to the 240-minute length);
/// - S5 TRUST MRI, 5 Jan 2027 (outside the horizon); S6 TRUST clinic 110, 15 Dec, blocked.
///
/// Referrals (days waited at 1 Dec / at 31 Dec):
/// - R1 clinic, RTT, routine, clock 2024-11-21 (740 / 770 days: over 104 weeks), home 51.55;
/// - R2 clinic, RTT, urgent, clock 2026-09-01 (91 / 121), no home;
/// - R3 clinic, RTT, routine, clock 2025-12-16 (350 / 380), home 51.52;
/// - R4 MRI, FDS 28 + diagnostic 6 weeks + cancer 62, urgent suspected cancer, clock 2026-11-25
///   (6 / 36), home 51.62;
/// - R5 MRI, diagnostic 6 weeks + cancer 31, routine, clock 2026-10-15 (47 / 77), home 51.58;
/// - R6 MRI, diagnostic 6 weeks, routine, clock 2026-11-10 (21 / 51), home 51.70;
/// - R7 hip, RTT + custom 60 days, routine, P2, 90 minutes, clock 2026-11-20 (11 / 41),
///   home 51.25;
/// - R8 hip, RTT, routine, P3, 120 minutes, clock 2026-06-01 (183 / 213), pinned in S4,
///   home 51.44.
const PROBLEM: &str = r#"{
  "planning_date": "2026-12-01",
  "horizon_end": "2026-12-31",
  "sites": [
    { "id": "TRUST", "name": "Riverside Hospital", "kind": "nhs_trust",
      "location": { "latitude": 51.50, "longitude": -0.10 } },
    { "id": "CDC", "name": "Northgate CDC", "kind": "community_diagnostic_centre",
      "location": { "latitude": 51.60, "longitude": -0.10 } },
    { "id": "IS", "name": "Southfield Independent Hospital", "kind": "independent_sector",
      "location": { "latitude": 51.40, "longitude": -0.10 } }
  ],
  "slots": [
    { "id": "S1", "site": "TRUST", "service": { "outpatient": "110" },
      "start": "2026-12-08T09:00:00Z", "end": "2026-12-08T09:20:00Z", "capacity": 2 },
    { "id": "S2", "site": "CDC", "service": { "diagnostic": "mri" },
      "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z" },
    { "id": "S3", "site": "CDC", "service": { "diagnostic": "mri" },
      "start": "2026-12-17T09:00:00Z", "end": "2026-12-17T09:30:00Z" },
    { "id": "S4", "site": "IS", "service": { "operation": "hip_replacement" },
      "start": "2026-12-10T08:00:00Z", "end": "2026-12-10T12:00:00Z",
      "capacity": 3, "minutes_capacity": 300 },
    { "id": "S5", "site": "TRUST", "service": { "diagnostic": "mri" },
      "start": "2027-01-05T09:00:00Z", "end": "2027-01-05T09:30:00Z" },
    { "id": "S6", "site": "TRUST", "service": { "outpatient": "110" },
      "start": "2026-12-15T09:00:00Z", "end": "2026-12-15T09:20:00Z", "status": "blocked" },
    { "id": "S7", "site": "CDC", "service": { "diagnostic": "ct" },
      "start": "2026-12-29T09:00:00Z", "end": "2026-12-29T09:30:00Z", "capacity": 2 }
  ],
  "referrals": [
    { "id": "R1", "patient": "P1", "service": { "outpatient": "110" },
      "clock_start": "2024-11-21", "standards": ["rtt_18_weeks"], "duration_minutes": 20,
      "home": { "latitude": 51.55, "longitude": -0.10 } },
    { "id": "R2", "patient": "P2", "service": { "outpatient": "110" },
      "clock_start": "2026-09-01", "standards": ["rtt_18_weeks"], "priority": "urgent",
      "duration_minutes": 20 },
    { "id": "R3", "patient": "P3", "service": { "outpatient": "110" },
      "clock_start": "2025-12-16", "standards": ["rtt_18_weeks"], "duration_minutes": 20,
      "home": { "latitude": 51.52, "longitude": -0.10 } },
    { "id": "R4", "patient": "P4", "service": { "diagnostic": "mri" },
      "clock_start": "2026-11-25",
      "standards": ["cancer_faster_diagnosis_28_days", "diagnostic_6_weeks", "cancer_62_days"],
      "priority": "urgent_suspected_cancer", "duration_minutes": 30,
      "home": { "latitude": 51.62, "longitude": -0.10 } },
    { "id": "R5", "patient": "P5", "service": { "diagnostic": "mri" },
      "clock_start": "2026-10-15", "standards": ["diagnostic_6_weeks", "cancer_31_days"],
      "duration_minutes": 30, "home": { "latitude": 51.58, "longitude": -0.10 } },
    { "id": "R6", "patient": "P6", "service": { "diagnostic": "mri" },
      "clock_start": "2026-11-10", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
      "home": { "latitude": 51.70, "longitude": -0.10 } },
    { "id": "R7", "patient": "P7", "service": { "operation": "hip_replacement" },
      "clock_start": "2026-11-20", "standards": ["rtt_18_weeks", { "custom_days": 60 }],
      "surgical_priority": "P2", "duration_minutes": 90,
      "home": { "latitude": 51.25, "longitude": -0.10 } },
    { "id": "R8", "patient": "P8", "service": { "operation": "hip_replacement" },
      "clock_start": "2026-06-01", "standards": ["rtt_18_weeks"], "surgical_priority": "P3",
      "duration_minutes": 120, "home": { "latitude": 51.44, "longitude": -0.10 },
      "existing_booking": { "slot": "S4", "pinned": true } }
  ]
}"#;

/// Kilometres per degree of latitude along a meridian: 2π × 6371.0088 / 360.
const KM_PER_DEGREE: f64 = 111.195_083_724;

fn problem() -> Problem {
    common::legacy_problem(PROBLEM)
}

fn solved(problem: &Problem) -> Schedule {
    let schedule = solve(problem, &SolveOptions::new()).unwrap();
    assert!(validate(problem, &schedule).is_empty());
    schedule
}

fn booked_slot<'a>(schedule: &'a Schedule, referral: &str) -> Option<&'a str> {
    match &schedule.outcome(referral).unwrap().outcome {
        Outcome::Booked(b) => Some(b.slot.as_str()),
        Outcome::Unbooked(_) => None,
    }
}

fn close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or(f64::NAN);
    assert!((a - expected).abs() < 1e-6, "{actual:?} != {expected}");
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_schedule_is_the_hand_worked_optimum() {
    let p = problem();
    let s = solved(&p);
    // Clinic S1 (8 Dec, 2 places) for R1, R2, R3. Tier 1 does not choose: R1 (due 27 Mar 2025)
    // and R3 (due 21 Apr 2026) breach booked or not, R2 (due 5 Jan 2027) breaches neither way.
    // Tier 2 gain of booking on 8 Dec rather than counting to 1 Jan (24 days more):
    // R1 747^2 vs 771^2: 24 × 1518 = 36,432; R2 4 × (122^2 - 98^2) = 4 × 24 × 220 = 21,120;
    // R3 381^2 - 357^2 = 24 × 738 = 17,712. R1 and R2 take the clinic.
    assert_eq!(booked_slot(&s, "R1"), Some("S1"));
    assert_eq!(booked_slot(&s, "R2"), Some("S1"));
    assert_eq!(booked_slot(&s, "R3"), None);
    // MRI S2 (3 Dec), S3 (17 Dec) for R4 (due 23 Dec, weight 16), R5 (due 15 Nov, breaches
    // anyway), R6 (due 22 Dec): booking R4 and R6 leaves one breach (R5), the fewest. Tier 2:
    // R4 on 3 Dec and R6 on 17 Dec costs 16 × 8^2 + 37^2 = 2,393, the other way round
    // 16 × 22^2 + 23^2 = 8,273.
    assert_eq!(booked_slot(&s, "R4"), Some("S2"));
    assert_eq!(booked_slot(&s, "R5"), None);
    assert_eq!(booked_slot(&s, "R6"), Some("S3"));
    // Hip list S4: R8 pinned (120 min), R7 (90 min) fits in the 240 left of 300 capped to 240.
    assert_eq!(booked_slot(&s, "R7"), Some("S4"));
    assert_eq!(booked_slot(&s, "R8"), Some("S4"));
    assert!(matches!(
        s.outcome("R3").unwrap().outcome,
        Outcome::Unbooked(UnbookedReason::NoCapacity { .. })
    ));
}

#[test]
fn headline_figures() {
    let p = problem();
    let s = solved(&p);
    let r = report(&p, &s).unwrap();
    assert_eq!(r.planning_date, date("2026-12-01"));
    assert_eq!(r.horizon_end, date("2026-12-31"));
    assert_eq!((r.referrals, r.booked, r.pinned, r.unbooked), (8, 6, 1, 2));
    // Breaches: R1 (booked 8 Dec, due 27 Mar 2025), R3 (unbooked, due 21 Apr 2026), R5
    // (unbooked, due 15 Nov 2026), R8 (pinned 10 Dec, due 30 Aug 2026 by P3's 90 days).
    assert_eq!(r.breaches, 4);
    // Weights: R1, R3, R5 routine 1 each; R8 max(routine 1, P3 4) = 4: 7.
    assert_eq!(r.objective.values()[0], 7);
    assert_eq!(r.objective, s.objective);
}

#[test]
fn standards() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    let order: Vec<WaitingTimeStandard> = r.standards.iter().map(|s| s.standard).collect();
    assert_eq!(
        order,
        vec![
            WaitingTimeStandard::Rtt18Weeks,
            WaitingTimeStandard::Diagnostic6Weeks,
            WaitingTimeStandard::CancerFasterDiagnosis28Days,
            WaitingTimeStandard::Cancer62Days,
            WaitingTimeStandard::Cancer31Days,
            WaitingTimeStandard::CustomDays(60),
        ]
    );
    let row = |s| r.standard(s).unwrap();
    let counts = |s| {
        let x = row(s);
        [
            x.limit_days as usize,
            x.referrals,
            x.booked,
            x.booked_within,
            x.booked_breaching,
            x.unbooked,
            x.unbooked_past_limit,
        ]
    };
    // RTT (126 days): R1 limit 27 Mar 2025, booked 8 Dec 2026: breaching. R2 limit 5 Jan
    // 2027, booked 8 Dec: within. R3 unbooked, limit 21 Apr 2026 <= 31 Dec: past. R7 limit
    // 26 Mar 2027, booked 10 Dec: within. R8 limit 5 Oct 2026, booked 10 Dec: breaching.
    // Within of booked 2/4 = 50 %; within of all 2/5 = 40 %.
    assert_eq!(
        counts(WaitingTimeStandard::Rtt18Weeks),
        [126, 5, 4, 2, 2, 1, 1]
    );
    close(
        row(WaitingTimeStandard::Rtt18Weeks).percent_within_booked,
        50.0,
    );
    close(
        row(WaitingTimeStandard::Rtt18Weeks).percent_within_all,
        40.0,
    );
    // Diagnostic 6 weeks (42): R4 limit 6 Jan 2027, booked 3 Dec: within. R5 limit 26 Nov,
    // unbooked: past. R6 limit 22 Dec, booked 17 Dec: within. 2/2 = 100 %; 2/3 = 66.67 %.
    assert_eq!(
        counts(WaitingTimeStandard::Diagnostic6Weeks),
        [42, 3, 2, 2, 0, 1, 1]
    );
    close(
        row(WaitingTimeStandard::Diagnostic6Weeks).percent_within_booked,
        100.0,
    );
    close(
        row(WaitingTimeStandard::Diagnostic6Weeks).percent_within_all,
        200.0 / 3.0,
    );
    // FDS 28: R4 limit 23 Dec, booked 3 Dec. 62 days: R4 limit 26 Jan 2027. Custom 60: R7
    // limit 19 Jan 2027, booked 10 Dec. All within: 100 % and 100 %.
    for (standard, limit) in [
        (WaitingTimeStandard::CancerFasterDiagnosis28Days, 28),
        (WaitingTimeStandard::Cancer62Days, 62),
        (WaitingTimeStandard::CustomDays(60), 60),
    ] {
        assert_eq!(counts(standard), [limit, 1, 1, 1, 0, 0, 0]);
        close(row(standard).percent_within_booked, 100.0);
        close(row(standard).percent_within_all, 100.0);
    }
    // Cancer 31: R5 only, unbooked, limit 15 Nov: past. None booked: no booked percentage.
    assert_eq!(
        counts(WaitingTimeStandard::Cancer31Days),
        [31, 1, 0, 0, 0, 1, 1]
    );
    assert_eq!(
        row(WaitingTimeStandard::Cancer31Days).percent_within_booked,
        None
    );
    close(
        row(WaitingTimeStandard::Cancer31Days).percent_within_all,
        0.0,
    );
}

#[test]
fn waiting_list_at_start_and_end() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    // Start, 1 Dec: waits 740, 91, 350, 6, 47, 21, 11, 183 days. Within 126: five of eight =
    // 62.5 %. Over 126: R1, R3, R8 = 3; over 364: R1; over 455, 546, 728: R1.
    let start = &r.waiting_list_start;
    assert_eq!(start.date, date("2026-12-01"));
    assert_eq!((start.total, start.within_18_weeks), (8, 5));
    close(start.percent_within_18_weeks, 62.5);
    assert_eq!(
        [
            start.over_18_weeks,
            start.over_52_weeks,
            start.over_65_weeks,
            start.over_78_weeks,
            start.over_104_weeks
        ],
        [3, 1, 1, 1, 1]
    );
    // Bands (days - 1) / 7, days <= 7 in band 0: 740 -> 104+, 91 -> 12, 350 -> 49, 6 -> 0,
    // 47 -> 6, 21 -> 2, 11 -> 1, 183 -> 26.
    let nonzero = |bands: &[(appointment_optimiser::rules::WeekBand, usize)]| {
        bands
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(b, c)| (b.0, *c))
            .collect::<Vec<_>>()
    };
    assert_eq!(start.week_bands.len(), 105);
    assert_eq!(
        nonzero(&start.week_bands),
        vec![
            (0, 1),
            (1, 1),
            (2, 1),
            (6, 1),
            (12, 1),
            (26, 1),
            (49, 1),
            (104, 1)
        ]
    );
    // End, 31 Dec: every booking is dated inside the horizon, so only the unbooked R3 (380
    // days) and R5 (77) wait. Within 126: R5, 1/2 = 50 %. Over 18 and 52 weeks: R3.
    let end = &r.waiting_list_end;
    assert_eq!(end.date, date("2026-12-31"));
    assert_eq!((end.total, end.within_18_weeks), (2, 1));
    close(end.percent_within_18_weeks, 50.0);
    assert_eq!(
        [
            end.over_18_weeks,
            end.over_52_weeks,
            end.over_65_weeks,
            end.over_78_weeks,
            end.over_104_weeks
        ],
        [1, 1, 0, 0, 0]
    );
    // 380 -> band 54, 77 -> band 10.
    assert_eq!(nonzero(&end.week_bands), vec![(10, 1), (54, 1)]);
}

#[test]
fn priority_classes() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    let classes: Vec<PriorityClass> = r.priorities.iter().map(|x| x.class).collect();
    assert_eq!(
        classes,
        vec![
            PriorityClass::Referral(ReferralPriority::Routine),
            PriorityClass::Referral(ReferralPriority::Urgent),
            PriorityClass::Referral(ReferralPriority::UrgentSuspectedCancer),
            PriorityClass::Surgical(SurgicalPriority::P2),
            PriorityClass::Surgical(SurgicalPriority::P3),
        ]
    );
    let row = |c| {
        let x = r.priority(c).unwrap();
        (x.referrals, x.booked, x.breaches, x.mean_wait_days)
    };
    // Routine: R1, R3, R5, R6, R7, R8. Booked R1 (747 days on 8 Dec), R6 (37 on 17 Dec), R7
    // (20 on 10 Dec), R8 (192 on 10 Dec): mean 996 / 4 = 249. Breaches R1, R3, R5, R8.
    let (n, b, x, mean) = row(PriorityClass::Referral(ReferralPriority::Routine));
    assert_eq!((n, b, x), (6, 4, 4));
    close(mean, 249.0);
    // Urgent: R2, 98 days on 8 Dec. Urgent suspected cancer: R4, 8 days on 3 Dec.
    let (n, b, x, mean) = row(PriorityClass::Referral(ReferralPriority::Urgent));
    assert_eq!((n, b, x), (1, 1, 0));
    close(mean, 98.0);
    let (n, b, x, mean) = row(PriorityClass::Referral(
        ReferralPriority::UrgentSuspectedCancer,
    ));
    assert_eq!((n, b, x), (1, 1, 0));
    close(mean, 8.0);
    // P2: R7, 20 days, due 18 Dec, booked 10 Dec. P3: R8, 192 days, breached.
    let (n, b, x, mean) = row(PriorityClass::Surgical(SurgicalPriority::P2));
    assert_eq!((n, b, x), (1, 1, 0));
    close(mean, 20.0);
    let (n, b, x, mean) = row(PriorityClass::Surgical(SurgicalPriority::P3));
    assert_eq!((n, b, x), (1, 1, 1));
    close(mean, 192.0);
    assert!(r
        .priority(PriorityClass::Surgical(SurgicalPriority::P1a))
        .is_none());
}

#[test]
fn utilisation_by_site_kind() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    let kinds: Vec<SiteKind> = r.utilisation.iter().map(|u| u.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SiteKind::NhsTrust,
            SiteKind::CommunityDiagnosticCentre,
            SiteKind::IndependentSector
        ]
    );
    // NHS trust: S1 only (S5 is after the horizon, S6 blocked): 2 places, R1 and R2: 100 %.
    let trust = r.site_kind(SiteKind::NhsTrust).unwrap();
    assert_eq!(
        (
            trust.slots,
            trust.appointments_available,
            trust.appointments_booked
        ),
        (1, 2, 2)
    );
    close(trust.percent, 100.0);
    assert_eq!(
        (
            trust.minutes_slots,
            trust.minutes_available,
            trust.minutes_booked
        ),
        (0, 0, 0)
    );
    assert_eq!(trust.minutes_percent, None);
    // CDC: S2, S3 (1 each) and S7 (2, unused): 4 places, R4 and R6: 50 %.
    let cdc = r.site_kind(SiteKind::CommunityDiagnosticCentre).unwrap();
    assert_eq!(
        (
            cdc.slots,
            cdc.appointments_available,
            cdc.appointments_booked
        ),
        (3, 4, 2)
    );
    close(cdc.percent, 50.0);
    assert_eq!(cdc.minutes_percent, None);
    // Independent sector: S4, 3 places, R7 and R8 (pinned): 66.67 %. Minutes: 300 capped to
    // the 240-minute session; 90 + 120 = 210 booked: 87.5 %.
    let is = r.site_kind(SiteKind::IndependentSector).unwrap();
    assert_eq!(
        (is.slots, is.appointments_available, is.appointments_booked),
        (1, 3, 2)
    );
    close(is.percent, 200.0 / 3.0);
    assert_eq!(
        (is.minutes_slots, is.minutes_available, is.minutes_booked),
        (1, 240, 210)
    );
    close(is.minutes_percent, 87.5);
    // All sites: 5 slots, 9 places, 6 booked: 66.67 %.
    let all = &r.utilisation_total;
    assert_eq!(
        (
            all.slots,
            all.appointments_available,
            all.appointments_booked
        ),
        (5, 9, 6)
    );
    close(all.percent, 600.0 / 9.0);
    close(all.minutes_percent, 87.5);
}

#[test]
fn travel() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    // Booked with a home: R1 51.55 -> TRUST 51.50 (0.05 degrees), R4 51.62 -> CDC 51.60
    // (0.02), R6 51.70 -> CDC (0.10), R7 51.25 -> IS 51.40 (0.15), R8 51.44 -> IS (0.04).
    // R2 has no home. Sorted km: 2.2239, 4.4478, 5.5598, 11.1195, 16.6793.
    // Mean 0.36 / 5 = 0.072 degrees = 8.0060 km. P95 rank ceil(0.95 × 5) = 5: 16.6793 km.
    assert_eq!(r.travel.measured, 5);
    let mean = r.travel.mean_km.unwrap();
    let p95 = r.travel.p95_km.unwrap();
    assert!((mean - 0.072 * KM_PER_DEGREE).abs() < 1e-6, "{mean}");
    assert!((mean - 8.0060).abs() < 1e-4);
    assert!((p95 - 0.15 * KM_PER_DEGREE).abs() < 1e-6, "{p95}");
    assert!((p95 - 16.6793).abs() < 1e-4);
}

/// The solved schedule changed by hand: R6's appointment moved to its 6-week limit date (22 Dec)
/// and then a day later; R4 unbooked.
#[test]
fn boundaries_on_a_hand_made_schedule() {
    let p = problem();
    let mut s = solved(&p);
    let set_r6_date = |s: &mut Schedule, d: &str| {
        let o = s.outcomes.iter_mut().find(|o| o.referral.as_str() == "R6");
        if let Some(Outcome::Booked(b)) = o.map(|o| &mut o.outcome) {
            b.date = date(d);
        }
    };
    // 22 Dec = 10 Nov + 42: on the limit date is within.
    set_r6_date(&mut s, "2026-12-22");
    let r = report(&p, &s).unwrap();
    let diag = r.standard(WaitingTimeStandard::Diagnostic6Weeks).unwrap();
    assert_eq!((diag.booked_within, diag.booked_breaching), (2, 0));
    // 23 Dec: a day late.
    set_r6_date(&mut s, "2026-12-23");
    let r = report(&p, &s).unwrap();
    let diag = r.standard(WaitingTimeStandard::Diagnostic6Weeks).unwrap();
    assert_eq!((diag.booked_within, diag.booked_breaching), (1, 1));
    close(diag.percent_within_booked, 50.0);
    close(diag.percent_within_all, 100.0 / 3.0);
    // R6 booked 23 Dec waits 43 days: routine mean (747 + 43 + 20 + 192) / 4 = 250.5.
    close(
        r.priority(PriorityClass::Referral(ReferralPriority::Routine))
            .unwrap()
            .mean_wait_days,
        250.5,
    );

    // R4 unbooked: its FDS limit (23 Dec) is on or before 31 Dec, so it is past the limit; its
    // 62-day limit (26 Jan 2027) is after, so it can still be seen within. It stays on the list
    // at the end (36 days) and S2 is unused.
    if let Some(o) = s.outcomes.iter_mut().find(|o| o.referral.as_str() == "R4") {
        o.outcome = Outcome::Unbooked(UnbookedReason::NotChosen { candidates: 2 });
    }
    let r = report(&p, &s).unwrap();
    let fds = r
        .standard(WaitingTimeStandard::CancerFasterDiagnosis28Days)
        .unwrap();
    assert_eq!((fds.unbooked, fds.unbooked_past_limit), (1, 1));
    assert_eq!(fds.percent_within_booked, None);
    close(fds.percent_within_all, 0.0);
    let c62 = r.standard(WaitingTimeStandard::Cancer62Days).unwrap();
    assert_eq!((c62.unbooked, c62.unbooked_past_limit), (1, 0));
    close(c62.percent_within_all, 100.0);
    assert_eq!(r.waiting_list_end.total, 3);
    assert_eq!(r.booked, 5);
    let cdc = r.site_kind(SiteKind::CommunityDiagnosticCentre).unwrap();
    assert_eq!(cdc.appointments_booked, 1);
    close(cdc.percent, 25.0);
    // Travel: R4 no longer measured; 0.05, 0.10, 0.15, 0.04 degrees: mean 0.085 degrees.
    assert_eq!(r.travel.measured, 4);
    close(r.travel.mean_km, 0.085 * KM_PER_DEGREE);
    // A booking dated after the horizon (only pinned bookings can be) keeps its referral on
    // the list at the end.
    if let Some(o) = s.outcomes.iter_mut().find(|o| o.referral.as_str() == "R8") {
        if let Outcome::Booked(b) = &mut o.outcome {
            b.date = date("2027-01-04");
        }
    }
    let r = report(&p, &s).unwrap();
    assert_eq!(r.waiting_list_end.total, 4);
}

#[test]
fn mismatched_schedules_are_refused() {
    let p = problem();
    let s = solved(&p);
    let mut short = s.clone();
    short.outcomes.pop();
    assert!(matches!(
        report(&p, &short),
        Err(Error::InvalidField {
            field: "outcomes",
            ..
        })
    ));
    let mut swapped = s.clone();
    swapped.outcomes.swap(0, 1);
    let err = report(&p, &swapped).unwrap_err();
    assert!(
        err.to_string().contains("outcome 0 is for referral `R2`"),
        "{err}"
    );
    let mut unknown = s.clone();
    if let Outcome::Booked(b) = &mut unknown.outcomes[0].outcome {
        b.slot = "NOPE".into();
    }
    assert!(matches!(
        report(&p, &unknown),
        Err(Error::UnknownReference {
            field: "outcome.slot",
            ..
        })
    ));
}

#[test]
fn json_round_trip_and_renderings() {
    let p = problem();
    let r = report(&p, &solved(&p)).unwrap();
    let json = r.to_json();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_text(), r.to_text());
    assert_eq!(
        back.waiting_list_start.week_bands,
        r.waiting_list_start.week_bands
    );
    assert_eq!(back.to_json(), json);

    let text = r.to_text();
    assert!(text.contains("Referrals 8: booked 6 (1 pinned), unbooked 2; breaches 4"));
    assert!(text.contains("Objective, in order: 1 clock_stop_breaches 7; 2 treat_in_turn "));
    // Aligned rows, one decimal.
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("RTT 18 weeks"),
        "RTT 18 weeks 126 5 4 2 2 1 1 50.0 40.0"
    );
    assert_eq!(
        line("diagnostic 6 weeks"),
        "diagnostic 6 weeks 42 3 2 2 0 1 1 100.0 66.7"
    );
    assert_eq!(
        line("cancer 31 days"),
        "cancer 31 days 31 1 0 0 0 1 1 n/a 0.0"
    );
    assert_eq!(line("waiting"), "waiting 8 2 -6");
    assert_eq!(
        line("% within 18 weeks"),
        "% within 18 weeks 62.5 50.0 -12.5"
    );
    assert_eq!(line("over 104 weeks"), "over 104 weeks 1 0 -1");
    assert_eq!(line("104+"), "104+ 1 0");
    assert_eq!(line("routine"), "routine 6 4 4 249.0");
    assert_eq!(
        line("independent sector"),
        "independent sector 1 3 2 66.7 240 210 87.5"
    );
    assert_eq!(line("NHS trust"), "NHS trust 1 2 2 100.0 n/a n/a n/a");
    assert_eq!(
        line("home to booked site"),
        "home to booked site 5 8.0 16.7"
    );
    // Fixed-width: every row of a table has the same length as its header where the last
    // column is full.
    let standards: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Standard"))
        .take(7)
        .collect();
    assert!(standards.iter().all(|l| l.len() == standards[0].len()));

    let md = r.to_markdown();
    assert!(md.starts_with("## Waiting-list report: planning date 2026-12-01"));
    assert!(md.contains("| RTT 18 weeks | 126 | 5 | 4 | 2 | 2 | 1 | 1 | 50.0 | 40.0 |"));
    assert!(md.contains("|---|---:|"));
}

#[test]
fn comparison_of_two_schedules() {
    let p = problem();
    let optimiser = solved(&p);
    // A worse schedule by hand: R4 (urgent suspected cancer) left unbooked, which breaches
    // (due 23 Dec, inside the horizon): weight 16 more.
    let mut worse = optimiser.clone();
    if let Some(o) = worse
        .outcomes
        .iter_mut()
        .find(|o| o.referral.as_str() == "R4")
    {
        o.outcome = Outcome::Unbooked(UnbookedReason::NotChosen { candidates: 2 });
        o.breached = true;
    }
    worse.objective.tiers[0].value += 16;
    worse.objective.tiers[0].terms[0].value += 16;
    let a = report(&p, &optimiser).unwrap();
    let b = report(&p, &worse).unwrap();
    let comparison = Comparison::new(vec![("optimiser".into(), a), ("by hand".into(), b)]);

    let rows = comparison.headline_rows();
    let get = |label: &str| rows.iter().find(|r| r.label == label).unwrap();
    assert_eq!(get("breaches").values, vec![Some(4.0), Some(5.0)]);
    assert_eq!(get("breaches").differences(), vec![Some(1.0)]);
    let weighted = get("objective: clock_stop_breaches");
    assert_eq!(weighted.unit, Unit::Count);
    assert_eq!(weighted.values, vec![Some(7.0), Some(23.0)]);
    // Diagnostic 6 weeks, % of all: 2/3 = 66.7 -> R4 unbooked with limit 6 Jan 2027 still
    // counts within: 66.7. FDS 28: 100 -> 0 (limit 23 Dec inside the horizon).
    let fds = get("within cancer 28-day FDS, % of all referrals");
    assert_eq!(fds.differences(), vec![Some(-100.0)]);
    // Mean wait of urgent suspected cancer: 8.0 -> none booked: n/a.
    assert_eq!(
        get("mean wait when seen, urgent suspected cancer, days").values,
        vec![Some(8.0), None]
    );

    let text = comparison.to_text();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(text.starts_with("Comparison of 2 schedules (Δ: the column minus optimiser)"));
    // The list at the start, the same for both (asserted figure by figure above).
    assert_eq!(
        text.lines().nth(1),
        Some("At the start (2026-12-01): 8 waiting, 62.5% within 18 weeks; over 18 / 52 / 65 / 78 / 104 weeks: 3 / 1 / 1 / 1 / 1")
    );
    assert_eq!(line("Figure"), "Figure optimiser by hand Δ by hand");
    assert_eq!(line("referrals"), "referrals 8 8 0");
    assert_eq!(line("breaches"), "breaches 4 5 +1");
    assert_eq!(
        line("objective: clock_stop_breaches"),
        "objective: clock_stop_breaches 7 23 +16"
    );
    assert_eq!(
        line("within RTT 18 weeks, % of all"),
        "within RTT 18 weeks, % of all referrals 40.0 40.0 0.0"
    );
    assert_eq!(
        line("within cancer 28-day FDS, % of all"),
        "within cancer 28-day FDS, % of all referrals 100.0 0.0 -100.0"
    );
    // R4, the only referral on the FDS, booked within it; left unbooked, no booked referral.
    assert_eq!(
        line("booked within cancer 28-day FDS"),
        "booked within cancer 28-day FDS, % of booked 100.0 n/a n/a"
    );
    // Waiting at end: R3, R5, then R4 too (36 days, within 18 weeks): 1/2 -> 2/3.
    assert_eq!(line("waiting at end"), "waiting at end 2 3 +1");
    assert_eq!(
        line("within 18 weeks at end, %"),
        "within 18 weeks at end, % 50.0 66.7 +16.7"
    );
    assert_eq!(line("over 52 weeks at end"), "over 52 weeks at end 1 1 0");
    assert_eq!(line("over 104 weeks at end"), "over 104 weeks at end 0 0 0");
    assert_eq!(
        line("mean wait when seen, urgent suspected cancer, days"),
        "mean wait when seen, urgent suspected cancer, days 8.0 n/a n/a"
    );
    assert_eq!(
        line("mean wait when seen, routine, days"),
        "mean wait when seen, routine, days 249.0 249.0 0.0"
    );
    // CDC: 2/4 -> 1/4 booked; all sites 6/9 -> 5/9.
    assert_eq!(
        line("utilisation community diagnostic centre, %"),
        "utilisation community diagnostic centre, % 50.0 25.0 -25.0"
    );
    assert_eq!(
        line("utilisation all sites, %"),
        "utilisation all sites, % 66.7 55.6 -11.1"
    );
    assert_eq!(
        line("minutes utilisation independent sector, %"),
        "minutes utilisation independent sector, % 87.5 87.5 0.0"
    );
    // Travel without R4 (0.02 degrees): mean 0.34 / 4 = 0.085 degrees = 9.4516 km, +1.4456.
    assert_eq!(line("travel mean, km"), "travel mean, km 8.0 9.5 +1.4");
    assert_eq!(line("travel p95, km"), "travel p95, km 16.7 16.7 0.0");

    let md = comparison.to_markdown();
    assert!(md.contains("| breaches | 4 | 5 | +1 |"));
    assert!(md.contains("| Figure | optimiser | by hand | Δ by hand |"));
}

/// Snapshots under a 7-day look-ahead (31 December, 7 January) and clinical lateness, of the
/// hand-worked schedule (R1, R2 on 8 December; R4 3 December; R6 17 December; R7, R8 10
/// December; R3 and R5 unbooked).
#[test]
fn snapshots_and_clinical_lateness() {
    let p = problem();
    let s = solved(&p);
    let mut ahead = p.clone();
    ahead.policy.look_ahead_days = 7;
    let r = report(&ahead, &s).unwrap();
    // Still waiting on both dates: R3 (380 days on 31 December, 387 on 7 January: over 52
    // weeks) and R5 (77 and 84 days, on the DM01 standard, over 6 weeks).
    let dates: Vec<NaiveDate> = r.snapshots.iter().map(|x| x.list.date).collect();
    assert_eq!(dates, vec![date("2026-12-31"), date("2027-01-07")]);
    for snap in &r.snapshots {
        let l = &snap.list;
        assert_eq!(
            (l.total, l.within_18_weeks, l.over_52_weeks, l.over_65_weeks),
            (2, 1, 1, 0)
        );
        close(l.percent_within_18_weeks, 50.0);
        assert_eq!(
            (snap.diagnostic_waiting, snap.diagnostic_6_weeks_or_more),
            (1, 1)
        );
        close(snap.percent_diagnostic_6_weeks_or_more, 100.0);
    }
    // Deadlines: R4 FDS 23 December (seen 3 December); R5 cancer 31 days, 15 November,
    // unbooked: 47 days to 1 January; R7 P2 18 December (seen 10 December); R8 P3 30 August,
    // seen 10 December: 102 days; R2 urgent, 28 days: 29 September, seen 8 December: 70 days.
    let rows: Vec<(String, usize, usize, i64)> = r
        .clinical_lateness
        .iter()
        .map(|c| {
            (
                appointment_optimiser::report::clinical_class_label(c.class),
                c.referrals,
                c.late,
                c.days_late,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("cancer 28-day FDS".to_owned(), 1, 0, 0),
            ("cancer 31 days".to_owned(), 1, 1, 47),
            ("P2".to_owned(), 1, 0, 0),
            ("P3".to_owned(), 1, 1, 102),
            ("urgent".to_owned(), 1, 1, 70),
        ]
    );
    let text = r.to_text();
    assert!(text.contains("Clinical lateness"), "{text}");
}

/// The summary counts a referral with a surgical class under its class, not its priority:
/// R7 (P2) and R8 (P3, pinned on 10 December, due 30 August) apart from the four routine ones.
#[test]
fn summary_breaches_by_class_show_surgical_classes() {
    let p = problem();
    let s = solved(&p);
    let text = s.summary(&p);
    assert!(
        text.contains(
            "  breaches          4  (routine 3/4, urgent 0/1, urgent suspected cancer 0/1, P2 0/1, P3 1/1)"
        ),
        "{text}"
    );
}
