//! Each patient in a multi-place clinic or session gets their own start time, and the
//! one-patient-one-place rule is checked on those times: worked by hand. Every schedule passes
//! the independent validator.

mod common;
use appointment_optimiser::{
    solve, validate, Outcome, Problem, Schedule, SolveOptions, UnbookedReason, Violation,
};
use common::bookings;

fn solved(problem: &Problem) -> Schedule {
    let schedule = solve(problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    schedule
}

/// The start time of referral `id`'s booking, as `HH:MM` (UTC).
fn start(s: &Schedule, id: &str) -> String {
    match &s.outcome(id).unwrap().outcome {
        Outcome::Booked(b) => b.start.format("%H:%M").to_string(),
        other => panic!("{id}: {other:?}"),
    }
}

const SITE: &str = r#"[{"id": "S", "name": "Site", "kind": "nhs_trust",
                       "location": {"latitude": 52.0, "longitude": -1.0}}]"#;

/// A four-hour colonoscopy session packed by minutes and a one-place MRI at 12:00, that day.
const COL_AND_MRI: &str = r#"{"id": "COL", "site": "S", "service": {"diagnostic": "colonoscopy"},
            "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T13:00:00Z",
            "capacity": 6, "minutes_capacity": 240},
           {"id": "MRI", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-10T12:00:00Z", "end": "2026-12-10T12:30:00Z"}"#;

/// Patient P's 30-minute colonoscopy and MRI (clock start 20 November).
const P_COL_AND_MRI: &str = r#"{"id": "P-COL", "patient": "P", "service": {"diagnostic": "colonoscopy"},
            "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
           {"id": "P-MRI", "patient": "P", "service": {"diagnostic": "mri"},
            "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}"#;

fn problem(slots: &str, referrals: &str, legacy: bool) -> Problem {
    let json = format!(
        r#"{{"planning_date": "2026-12-01", "horizon_end": "2026-12-31", "sites": {SITE},
            "slots": [{slots}], "referrals": [{referrals}]}}"#
    );
    if legacy {
        common::legacy_problem(&json)
    } else {
        Problem::from_json(&json).unwrap()
    }
}

/// A four-hour colonoscopy session (09:00-13:00, 240 minutes) and a 12:00 MRI. Patient P has a
/// 30-minute colonoscopy and the MRI; Q and R, who have waited longer, 60-minute colonoscopies.
/// In turn order Q and R would go first and P's colonoscopy would run 11:00-11:30, but P needs
/// the session's first place to be out by 12:00, so P is at 09:00, then Q at 09:30 and R at
/// 10:30. Both of P's appointments are booked: when the whole session counted as busy, P's
/// colonoscopy blocked the 12:00 MRI.
#[test]
fn a_short_colonoscopy_in_a_long_session_leaves_the_same_days_mri_free() {
    let p = problem(
        COL_AND_MRI,
        &format!(
            r#"{P_COL_AND_MRI}, {{"id": "Q-COL", "patient": "Q", "service": {{"diagnostic": "colonoscopy"}},
            "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 60}},
           {{"id": "R-COL", "patient": "R", "service": {{"diagnostic": "colonoscopy"}},
            "clock_start": "2026-11-05", "standards": ["diagnostic_6_weeks"], "duration_minutes": 60}}"#
        ),
        false,
    );
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![
            ("P-COL", Some("COL")),
            ("P-MRI", Some("MRI")),
            ("Q-COL", Some("COL")),
            ("R-COL", Some("COL"))
        ]
    );
    let times: Vec<String> = ["P-COL", "Q-COL", "R-COL", "P-MRI"]
        .iter()
        .map(|id| start(&s, id))
        .collect();
    assert_eq!(times, ["09:00", "09:30", "10:30", "12:00"]);
}

/// The same session with the MRI already pinned at 12:00: the colonoscopy is still a candidate
/// (it fits in the first place) and is booked at 09:00.
#[test]
fn a_pinned_appointment_leaves_the_first_place_open() {
    let p = problem(
        COL_AND_MRI,
        r#"{"id": "P-COL", "patient": "P", "service": {"diagnostic": "colonoscopy"},
            "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
           {"id": "P-MRI", "patient": "P", "service": {"diagnostic": "mri"},
            "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
            "existing_booking": {"slot": "MRI", "pinned": true}},
           {"id": "Q-COL", "patient": "Q", "service": {"diagnostic": "colonoscopy"},
            "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 60}"#,
        false,
    );
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![
            ("P-COL", Some("COL")),
            ("P-MRI", Some("MRI")),
            ("Q-COL", Some("COL"))
        ]
    );
    assert_eq!(start(&s, "P-COL"), "09:00");
    assert_eq!(start(&s, "Q-COL"), "09:30");
}

/// Two patients who would each need the session's first place: P (colonoscopy, MRI at 12:00)
/// and Q (colonoscopy, CT at 09:45; 30 minutes from 09:00 ends at 09:30). Only one can have it,
/// so one of the four appointments is left out. Nobody breaches in the horizon, so under the
/// first objective tier 2 (weight x days waited^2 at the appointment, against the horizon end
/// when unbooked) decides: Q's CT has the shortest wait (clock start 28 November), and leaving
/// it out costs the least. It is reported as a clash with Q's colonoscopy.
#[test]
fn two_patients_cannot_share_one_first_place() {
    let p = problem(
        &format!(
            r#"{COL_AND_MRI}, {{"id": "CT", "site": "S", "service": {{"diagnostic": "ct"}},
            "start": "2026-12-10T09:45:00Z", "end": "2026-12-10T10:15:00Z"}}"#
        ),
        &format!(
            r#"{P_COL_AND_MRI}, {{"id": "Q-COL", "patient": "Q", "service": {{"diagnostic": "colonoscopy"}},
            "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}},
           {{"id": "Q-CT", "patient": "Q", "service": {{"diagnostic": "ct"}},
            "clock_start": "2026-11-28", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}}"#
        ),
        true,
    );
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![
            ("P-COL", Some("COL")),
            ("P-MRI", Some("MRI")),
            ("Q-COL", Some("COL")),
            ("Q-CT", None)
        ]
    );
    assert_eq!(start(&s, "P-COL"), "09:00");
    assert_eq!(start(&s, "Q-COL"), "09:30");
    assert_eq!(
        s.outcome("Q-CT").unwrap().outcome,
        Outcome::Unbooked(UnbookedReason::PatientClash {
            candidates: 1,
            with: "Q-COL".into()
        })
    );
}

/// A clinic of four 15-minute places (09:00-10:00) and three patients: in turn order (longest
/// wait first) at 09:00, 09:15 and 09:30. Patient C, last in turn, also has a scan at 09:20
/// that day: C takes the first place (09:00-09:15, out before 09:20) and A and B follow.
#[test]
fn a_clinic_gives_each_patient_a_place_in_turn_order() {
    let clinic = r#"{"id": "CLINIC", "site": "S", "service": {"outpatient": "100"},
            "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T10:00:00Z", "capacity": 4}"#;
    let referral = |id: &str, patient: &str, clock_start: &str| {
        format!(
            r#"{{"id": "{id}", "patient": "{patient}", "service": {{"outpatient": "100"}},
                "clock_start": "{clock_start}", "standards": ["rtt_18_weeks"],
                "duration_minutes": 15}}"#
        )
    };
    let three = [
        referral("A", "PA", "2026-10-01"),
        referral("B", "PB", "2026-10-15"),
        referral("C", "PC", "2026-11-01"),
    ]
    .join(",");
    let s = solved(&problem(clinic, &three, false));
    let times: Vec<String> = ["A", "B", "C"].iter().map(|id| start(&s, id)).collect();
    assert_eq!(times, ["09:00", "09:15", "09:30"]);

    let scan = r#"{"id": "US", "site": "S", "service": {"diagnostic": "non_obstetric_ultrasound"},
            "start": "2026-12-10T09:20:00Z", "end": "2026-12-10T09:50:00Z"}"#;
    let with_scan = format!(
        r#"{three}, {{"id": "C-US", "patient": "PC",
            "service": {{"diagnostic": "non_obstetric_ultrasound"}}, "clock_start": "2026-11-01",
            "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}}"#
    );
    let s = solved(&problem(&format!("{clinic}, {scan}"), &with_scan, false));
    let times: Vec<String> = ["C", "A", "B", "C-US"]
        .iter()
        .map(|id| start(&s, id))
        .collect();
    assert_eq!(times, ["09:00", "09:15", "09:30", "09:20"]);
}

/// The validator checks the times themselves: two appointments overlapping in one session, or
/// a patient's appointment moved onto their other one, are violations.
#[test]
fn the_validator_checks_the_times_of_each_place() {
    let p = problem(
        COL_AND_MRI,
        &format!(
            r#"{P_COL_AND_MRI}, {{"id": "Q-COL", "patient": "Q", "service": {{"diagnostic": "colonoscopy"}},
            "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 60}}"#
        ),
        false,
    );
    let s = solved(&p);
    let moved = |id: &str, to: &str| {
        let mut bad = s.clone();
        let o = bad.outcomes.iter_mut().find(|o| o.referral.as_str() == id);
        if let Some(Outcome::Booked(b)) = o.map(|o| &mut o.outcome) {
            b.start = to.parse().unwrap();
        }
        bad
    };
    assert_eq!(
        validate(&p, &moved("Q-COL", "2026-12-10T09:15:00Z")),
        vec![Violation::SessionOverlap {
            slot: "COL".into(),
            first: "P-COL".into(),
            second: "Q-COL".into()
        }]
    );
    assert_eq!(
        validate(&p, &moved("P-COL", "2026-12-10T11:45:00Z")),
        vec![Violation::PatientOverlap {
            first: "P-COL".into(),
            second: "P-MRI".into()
        }]
    );
}
