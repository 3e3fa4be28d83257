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

/// One more list a week, found by solving again: on the small list, one more MRI slot every
/// Thursday books the third MRI referral (one breach and 2 patient-snapshots fewer); one more
/// CT slot a week changes nothing that counts (its referral is booked in time already).
#[test]
fn one_more_list_a_week_is_found_by_solving_again() {
    use appointment_optimiser::report::capacity::{weekly_lists, what_if, with_lists};
    let problem = Problem::from_json(LIST).unwrap();
    let additions = weekly_lists(&problem);
    let rows: Vec<(&str, Vec<&str>, Vec<NaiveDate>, u32)> = additions
        .iter()
        .map(|a| {
            (
                a.site.as_str(),
                a.session.iter().map(|s| s.as_str()).collect(),
                a.dates.clone(),
                a.places,
            )
        })
        .collect();
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    assert_eq!(
        rows,
        [
            (
                "CDC",
                vec!["MRI-1210"],
                vec![day(3), day(10), day(17), day(24), day(31)],
                1
            ),
            (
                "CDC",
                vec!["CT-1215"],
                vec![day(8), day(15), day(22), day(29)],
                1
            ),
        ]
    );
    let more = with_lists(&problem, &additions[0]);
    assert_eq!(more.slots.len(), problem.slots.len() + 5);
    assert_eq!(more.slots[3].id.as_str(), "MRI-1210+w1");
    assert_eq!(
        more.slots[3].start.to_rfc3339(),
        "2026-12-03T09:00:00+00:00"
    );

    let (base, ranked) = what_if(&problem, &SolveOptions::new(), &additions).unwrap();
    assert_eq!(validate(&problem, &base), vec![]);
    // The schedules behind each row, solved the same way, keep every hard rule.
    for a in &additions {
        let more = with_lists(&problem, a);
        let schedule = solve(&more, &SolveOptions::new()).unwrap();
        assert_eq!(validate(&more, &schedule), vec![]);
    }
    let mri = &ranked[0];
    assert_eq!(mri.addition.session[0].as_str(), "MRI-1210");
    assert_eq!((mri.places_added, mri.booked, mri.breaches), (5, 1, -1));
    assert_eq!(&mri.tiers[..9], &[0, 0, 0, 0, 0, 0, 0, 0, -2]);
    let ct = &ranked[1];
    assert_eq!((ct.booked, ct.breaches), (0, 0));
    assert_eq!(&ct.tiers[..9], &[0; 9]);
}
