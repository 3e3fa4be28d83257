//! Explanations of unbooked referrals on hand-made lists where the blockers and the smallest
//! fixes are known.

use appointment_optimiser::explain::{explain, Fix, TierDelta};
use appointment_optimiser::{solve, validate, Problem, SolveOptions};

/// Planned 1 December 2026 with 7 days' notice, horizon to 31 December. Slots: N1 on 3 December
/// at Near (inside the notice period), M on 10 December at Near (one place), F on 10 December
/// at Far, 0.3 degrees of latitude north (33.4 km). U, urgent, waited 40 days (12 days past its
/// 28-day target); R, routine, waited 30 days, lives at Near and travels at most 10 km.
const LIST: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "policy": {"min_notice_days": 7},
  "sites": [
    {"id": "Near", "name": "Near", "kind": "nhs_trust", "location": {"latitude": 52.0, "longitude": -1.0}},
    {"id": "Far", "name": "Far", "kind": "nhs_trust", "location": {"latitude": 52.3, "longitude": -1.0}}
  ],
  "slots": [
    {"id": "N1", "site": "Near", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "M", "site": "Near", "service": {"diagnostic": "mri"},
     "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
    {"id": "F", "site": "Far", "service": {"diagnostic": "mri"},
     "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}
  ],
  "referrals": [
    {"id": "U", "patient": "PU", "service": {"diagnostic": "mri"}, "clock_start": "2026-10-22",
     "standards": ["rtt_18_weeks"], "priority": "urgent", "duration_minutes": 30,
     "home": {"latitude": 52.0, "longitude": -1.0}, "max_travel_km": 10},
    {"id": "R", "patient": "PR", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 30,
     "home": {"latitude": 52.0, "longitude": -1.0}, "max_travel_km": 10}
  ]
}"#;

#[test]
fn the_blocker_the_deciding_tier_and_three_fixes() {
    let p = Problem::from_json(LIST).unwrap();
    let options = SolveOptions::new();
    let s = solve(&p, &options).unwrap();
    assert_eq!(validate(&p, &s), vec![]);
    let why = explain(&p, &s, "R", &options).unwrap();
    assert_eq!(why.booked_on, None);
    assert_eq!(why.blockers.len(), 1);
    let b = &why.blockers[0];
    assert_eq!(
        (b.referral.as_str(), b.slot.as_str(), b.pinned),
        ("U", "M", false)
    );
    // U unbooked would be seen on 8 January instead of 10 December: 29 more days late at
    // weight 4; R booked there instead stays inside every limit.
    assert_eq!(
        b.decided_by,
        Some(TierDelta {
            tier: "clinical_days_late".to_owned(),
            by: 4 * 29,
        })
    );
    // Far is 0.3 degrees north: 0.3 × 111.195 = 33.36 km, rounded up to 33.4.
    assert_eq!(
        why.fixes,
        vec![
            Fix::AcceptShortNotice,
            Fix::TravelFurther { km: 33.4 },
            Fix::OneMorePlace { slot: "M".into() },
        ]
    );
    let text = why.to_text();
    assert!(
        text.contains("U holds M: the trade would raise clinical_days_late by 116"),
        "{text}"
    );
    assert!(
        text.contains("would be booked: travelling up to 33.4 km"),
        "{text}"
    );
}

#[test]
fn an_unknown_referral_is_an_error() {
    let p = Problem::from_json(LIST).unwrap();
    let options = SolveOptions::new();
    let s = solve(&p, &options).unwrap();
    let err = explain(&p, &s, "X", &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "solve option `referral`: the problem has no referral `X`"
    );
}
