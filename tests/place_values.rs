//! The marginal value of capacity (`Schedule::place_values`), worked by hand on a small list
//! and checked by re-solving.

use appointment_optimiser::{solve, validate, PlaceValue, Problem, Service, SolveOptions};
use chrono::NaiveDate;

const LIST: &str = include_str!("data/place_values.json");

/// Three MRI referrals on the 6-week (DM01) standard for two MRI slots (10 and 21 December),
/// and one CT referral with a CT slot of its own. Whichever MRI referral is left unbooked has
/// waited over 6 weeks on both snapshot dates (31 December, the month end and horizon end, and
/// 7 January, the default week of look-ahead after it): 2 patient-snapshots; the booked ones
/// are seen before either. One more place in either MRI slot books all three:
/// tier 9 falls from 2 to 0, and nothing before it changes. The CT slot saves nothing: its
/// referral is booked in time.
#[test]
fn one_more_mri_place_saves_two_patient_snapshots() {
    let problem = Problem::from_json(LIST).unwrap();
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    let tier = "rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days";
    let value = |slot: &str, day: u32| PlaceValue {
        slot: slot.into(),
        site: "CDC".into(),
        service: Service::Diagnostic(appointment_optimiser::DiagnosticTest::Mri),
        date: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
        tier: tier.into(),
        saving: Some(2),
    };
    assert_eq!(
        schedule.place_values,
        [value("MRI-1210", 10), value("MRI-1221", 21)]
    );
    let values = schedule.objective.values();
    assert_eq!(values[8], 2);

    for slot in ["MRI-1210", "MRI-1221"] {
        let mut more = problem.clone();
        more.slots
            .iter_mut()
            .find(|s| s.id.as_str() == slot)
            .unwrap()
            .capacity = 2;
        let again = solve(&more, &SolveOptions::new()).unwrap();
        assert_eq!(validate(&more, &again), vec![]);
        let after = again.objective.values();
        assert_eq!(&after[..8], &values[..8]);
        assert_eq!(after[8], 0);
        assert!(again.place_values.is_empty());
    }

    let summary = schedule.summary(&problem);
    assert!(summary.contains(
        "Where one more place saves most (exact, for one place; 2 slots save something):\n  MRI-1210         CDC        2026-12-10  rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days: 2 patient-snapshots\n"
    ), "{summary}");
}
