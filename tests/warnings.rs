//! Likely data mistakes are warned about, not passed silently: returned with the schedule and
//! printed in its summary, each naming its record.

use appointment_optimiser::{solve, validate, InputWarning, Problem, SolveOptions};

/// Two sites, one with latitude and longitude swapped; T&O referrals coded `C_110` beside
/// clinics coded `110`; a pinned booking of an MRI referral in a CT slot.
const MISTAKES: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "LEEDS", "name": "Leeds", "kind": "nhs_trust", "location": {"latitude": 53.80, "longitude": -1.55}},
    {"id": "YORK", "name": "York", "kind": "nhs_trust", "location": {"latitude": -1.08, "longitude": 53.96}}
  ],
  "slots": [
    {"id": "TO-1", "site": "LEEDS", "service": {"outpatient": "110"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
    {"id": "CT-1", "site": "YORK", "service": {"diagnostic": "ct"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}
  ],
  "referrals": [
    {"id": "R1", "patient": "P1", "service": {"outpatient": "C_110"}, "clock_start": "2026-10-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20, "home": {"latitude": 53.79, "longitude": -1.50}},
    {"id": "R2", "patient": "P2", "service": {"outpatient": "C_110"}, "clock_start": "2026-10-02",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20, "home": {"latitude": 53.95, "longitude": -1.10}},
    {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 20, "existing_booking": {"slot": "CT-1", "pinned": true}}
  ]
}"#;

#[test]
fn swapped_coordinates_prefixed_codes_and_a_pinned_booking_of_another_service_are_warned() {
    let problem = Problem::from_json(MISTAKES).unwrap();
    let expected = vec![
        InputWarning::SiteOutsideUk {
            site: "YORK".into(),
            swapped: true,
        },
        InputWarning::ServiceNotOffered {
            service: "outpatient clinic TFC C_110".into(),
            offered: "outpatient clinic TFC 110".into(),
            first_referral: "R1".into(),
            referrals: 2,
        },
        InputWarning::PinnedOtherService {
            referral: "R3".into(),
            slot: "CT-1".into(),
        },
    ];
    assert_eq!(problem.warnings(), expected);

    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    assert_eq!(schedule.warnings, expected);
    let summary = schedule.summary(&problem);
    let lines: Vec<&str> = summary
        .lines()
        .filter(|l| l.starts_with("  warning: "))
        .collect();
    assert_eq!(
        lines,
        [
            "  warning: site `YORK`: `location` is outside the UK while the patients' homes are inside it (latitude and longitude look swapped)",
            "  warning: referral `R1` (and 1 more): `service` outpatient clinic TFC C_110 is offered by no slot, but outpatient clinic TFC 110 is: the same code written another way?",
            "  warning: referral `R3`: `existing_booking` is pinned to slot `CT-1` of another service",
        ]
    );
    assert!(schedule
        .to_json()
        .contains(r#""warning": "site_outside_uk""#));
}

/// The shipped examples are clean: no warnings, and no `warnings` key in their schedule JSON.
#[test]
fn clean_input_has_no_warnings() {
    for json in [
        include_str!("../examples/data/small_clinic.json"),
        include_str!("../examples/data/replan_week.json"),
    ] {
        let problem = Problem::from_json(json).unwrap();
        assert_eq!(problem.warnings(), vec![]);
        let schedule = solve(&problem, &SolveOptions::new()).unwrap();
        assert!(!schedule.to_json().contains("\"warnings\""));
    }
}

/// A site abroad with every patient abroad too (a problem set outside the UK) is not warned
/// about; neither is a service no slot offers when nothing offered looks like it.
#[test]
fn what_is_merely_unusual_is_not_warned() {
    let json = MISTAKES
        .replace(
            r#""latitude": 53.79, "longitude": -1.50"#,
            r#""latitude": 1.0, "longitude": 1.0"#,
        )
        .replace(
            r#""latitude": 53.95, "longitude": -1.10"#,
            r#""latitude": 1.0, "longitude": 1.0"#,
        )
        .replace("C_110", "120")
        .replace(
            r#""slot": "CT-1", "pinned": true"#,
            r#""slot": "CT-1", "pinned": false"#,
        );
    let problem = Problem::from_json(&json).unwrap();
    assert_eq!(problem.warnings(), vec![]);
}

/// One referral with an unmatched code is named alone, without "and 0 more".
#[test]
fn a_single_unmatched_referral_is_named_alone() {
    let json = MISTAKES.replacen("C_110", "110", 1);
    let problem = Problem::from_json(&json).unwrap();
    let line = problem
        .warnings()
        .iter()
        .map(ToString::to_string)
        .find(|w| w.contains("offered by no slot"))
        .unwrap();
    assert_eq!(line, "referral `R2`: `service` outpatient clinic TFC C_110 is offered by no slot, but outpatient clinic TFC 110 is: the same code written another way?");
}

/// A site without a location: travel to it is not measured, so the 10 km limit keeps the
/// patient from the located site 40 km away but not from the one whose distance is unknown; the
/// schedule warns.
#[test]
fn a_site_without_location_is_warned_and_travel_to_it_is_not_measured() {
    let json = r#"{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "sites": [
        {"id": "FAR", "name": "Far", "kind": "nhs_trust", "location": {"latitude": 53.80, "longitude": -1.55}},
        {"id": "UNKNOWN", "name": "Unknown", "kind": "community_diagnostic_centre"}
      ],
      "slots": [
        {"id": "FAR-1", "site": "FAR", "service": {"diagnostic": "ct"}, "start": "2026-12-08T09:00:00Z", "end": "2026-12-08T09:30:00Z"},
        {"id": "UNK-1", "site": "UNKNOWN", "service": {"diagnostic": "ct"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}
      ],
      "referrals": [
        {"id": "R1", "patient": "P1", "service": {"diagnostic": "ct"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 20,
         "home": {"latitude": 53.44, "longitude": -1.55}, "max_travel_km": 10}
      ]
    }"#;
    let problem = Problem::from_json(json).unwrap();
    let expected = vec![InputWarning::SiteWithoutLocation {
        site: "UNKNOWN".into(),
    }];
    assert_eq!(problem.warnings(), expected);
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    assert_eq!(schedule.warnings, expected);
    let booked: Vec<&str> = schedule.bookings().map(|(_, b)| b.slot.as_str()).collect();
    assert_eq!(booked, ["UNK-1"]);
    assert!(schedule
        .summary(&problem)
        .lines()
        .any(|l| l == "  warning: site `UNKNOWN`: no `location`, so travel to it is not measured"));
}

/// A patient's home with latitude and longitude swapped, and one at 0, 0 (a missing value
/// written as zeros), while the site is in the UK: warned about by referral, without the
/// coordinates.
#[test]
fn homes_outside_the_uk_are_warned() {
    let json = MISTAKES
        .replace(
            r#""latitude": -1.08, "longitude": 53.96"#,
            r#""latitude": 53.96, "longitude": -1.08"#,
        )
        .replace(
            r#""home": {"latitude": 53.79, "longitude": -1.50}"#,
            r#""home": {"latitude": -1.50, "longitude": 53.79}"#,
        )
        .replace(
            r#""home": {"latitude": 53.95, "longitude": -1.10}"#,
            r#""home": {"latitude": 0.0, "longitude": 0.0}"#,
        );
    let problem = Problem::from_json(&json).unwrap();
    let homes: Vec<InputWarning> = problem
        .warnings()
        .into_iter()
        .filter(|w| matches!(w, InputWarning::HomeOutsideUk { .. }))
        .collect();
    assert_eq!(
        homes,
        [
            InputWarning::HomeOutsideUk {
                referral: "R1".into(),
                swapped: true
            },
            InputWarning::HomeOutsideUk {
                referral: "R2".into(),
                swapped: false
            },
        ]
    );
    assert_eq!(
        homes[0].to_string(),
        "referral `R1`: `home` is outside the UK while the sites are inside it (latitude and longitude look swapped)"
    );
}

/// A pinned booking in a blocked slot (a cancelled list) is kept, as pinned bookings are, and
/// warned about: the patient may have no appointment to come to.
#[test]
fn a_pinned_booking_in_a_blocked_slot_is_warned() {
    let json = MISTAKES.replace(
        r#""id": "CT-1", "site": "YORK", "service": {"diagnostic": "ct"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z""#,
        r#""id": "CT-1", "site": "YORK", "service": {"diagnostic": "mri"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z", "status": "blocked""#,
    );
    let problem = Problem::from_json(&json).unwrap();
    let warning = InputWarning::PinnedInSlotNotFree {
        referral: "R3".into(),
        slot: "CT-1".into(),
    };
    assert!(problem.warnings().contains(&warning));
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    assert!(schedule.warnings.contains(&warning));
    assert_eq!(
        warning.to_string(),
        "referral `R3`: `existing_booking` is pinned to slot `CT-1`, which is not free (blocked or booked): kept, but check the patient still has an appointment"
    );
}
