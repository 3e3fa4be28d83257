//! Declined offers: the next date within 6 weeks of a declined reasonable offer, clinical review
//! after two, and the PIDMAS flag, on a list worked out by hand.

use appointment_optimiser::report::report;
use appointment_optimiser::{solve, validate, Error, Problem, RecordKind, SolveOptions};

/// Planned 1 December 2026, horizon to 31 December; MRI slots S1 on 10 December and S2 on 28
/// December. D (routine, RTT, clock 1 September) declined a reasonable offer for 10 November
/// (and an unreasonable one), so its next date is due by 22 December; E (routine, RTT, clock
/// 20 August) waited longer. F declined two reasonable offers; G has waited 303 days; neither
/// can be booked (a clinic with no slots).
const LIST: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
             "location": {"latitude": 52.0, "longitude": -1.0}}],
  "slots": [
    {"id": "S1", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
    {"id": "S2", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-28T09:00:00Z", "end": "2026-12-28T09:30:00Z"}
  ],
  "referrals": [
    {"id": "D", "patient": "PD", "service": {"diagnostic": "mri"}, "clock_start": "2026-09-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 30,
     "declined_offers": [
       {"offered_date": "2026-11-10", "declined_on": "2026-11-02", "reasonable": true},
       {"offered_date": "2026-11-03", "declined_on": "2026-11-02", "reasonable": false}]},
    {"id": "E", "patient": "PE", "service": {"diagnostic": "mri"}, "clock_start": "2026-08-20",
     "standards": ["rtt_18_weeks"], "duration_minutes": 30},
    {"id": "F", "patient": "PF", "service": {"outpatient": "110"}, "clock_start": "2026-11-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20,
     "declined_offers": [
       {"offered_date": "2026-11-20", "declined_on": "2026-11-10", "reasonable": true},
       {"offered_date": "2026-11-27", "declined_on": "2026-11-21", "reasonable": true}]},
    {"id": "G", "patient": "PG", "service": {"outpatient": "110"}, "clock_start": "2026-02-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20}
  ]
}"#;

#[test]
fn a_declined_offer_sets_a_six_week_deadline() {
    let p = Problem::from_json(LIST).unwrap();
    let s = solve(&p, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&p, &s), vec![]);
    // Without the offer, treat in turn would give E (the longer waiter) the earlier slot; D's
    // deadline of 22 December (10 November + 42 days) gives it to D: E in S2 is late for no
    // deadline, D in S2 would be 6 days late.
    let slot = |id: &str| match &s.outcome(id).unwrap().outcome {
        appointment_optimiser::Outcome::Booked(b) => Some(b.slot.as_str().to_owned()),
        _ => None,
    };
    assert_eq!(slot("D").as_deref(), Some("S1"));
    assert_eq!(slot("E").as_deref(), Some("S2"));
    // Only F is late: its first declined date, 20 November, + 42 days is 1 January, and
    // unbooked it counts as seen on 8 January: 7 days, weight 1.
    assert_eq!(
        s.objective
            .term(appointment_optimiser::Term::ClinicalDaysLate),
        Some(7)
    );

    let r = report(&p, &s).unwrap();
    assert_eq!(r.clinical_review, vec!["F".into()]);
    // G: 303 days at the planning date, no date: PIDMAS. F: 30 days. D, E: booked within
    // 8 weeks.
    assert_eq!(r.pidmas, vec!["G".into()]);
    let text = r.to_text();
    assert!(
        text.contains("For clinical review (two reasonable offers declined): F"),
        "{text}"
    );
    assert!(
        text.contains(
            "Eligible to move provider (PIDMAS: over 40 weeks, no date in the next 8 weeks): 1 (G)"
        ),
        "{text}"
    );
}

#[test]
fn an_offer_declined_after_the_planning_date_is_refused() {
    let json = LIST.replace(
        "\"declined_on\": \"2026-11-02\", \"reasonable\": true",
        "\"declined_on\": \"2026-12-05\", \"reasonable\": true",
    );
    match Problem::from_json(&json) {
        Err(Error::InvalidField {
            kind: RecordKind::Referral,
            id,
            field: "declined_offers",
            reason,
        }) => {
            assert_eq!(id, "D");
            assert_eq!(
                reason,
                "entry 0 (from 0): declined after the planning date 2026-12-01"
            );
        }
        other => panic!("{other:?}"),
    }
}
