//! Unavoidable-breach certificates on hand-worked lists, and the validator catching a wrong one.

use appointment_optimiser::{solve, validate, Certificate, Problem, SolveOptions, Violation};
use chrono::NaiveDate;

const SMALL_CLINIC: &str = include_str!("../examples/data/small_clinic.json");

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The small clinic, by hand. Tier 9 (the 18-week, 6-week and 62-day backlogs at the snapshots
/// of 31 December and 7 January) has two groups:
/// - R-COL-1, R-COL-2 and R-COL-3 reach 6 weeks on 1, 14 and 28 December, so each is counted at
///   31 December unless seen by then; their only slot, the colonoscopy list of 10 December, has
///   240 minutes and their lengths are 60, 90 and 120: the two shortest fit (150 minutes), all
///   three (270) do not. 3 referrals, 2 places: 1 short.
/// - R-CT-1 (6 weeks on 13 December) has no CT slot at all: 1 referral, 0 places.
///
/// R-TO-1, past its urgent target on every date, is in a pathway step and so left out; R-TO-2
/// is pinned. No other tier has a group.
#[test]
fn the_small_clinic_has_two_groups_in_tier_9() {
    let problem = Problem::from_json(SMALL_CLINIC).unwrap();
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    let tier = "rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days";
    let by = Some(date(2026, 12, 31));
    assert_eq!(
        schedule.explanations,
        [
            Certificate {
                tier: tier.into(),
                referrals: vec!["R-COL-1".into(), "R-COL-2".into(), "R-COL-3".into()],
                in_time_by: vec![by, by, by],
                slots: vec!["ENDO-LIST-1210".into()],
                places: 2,
                shortfall: 1,
            },
            Certificate {
                tier: tier.into(),
                referrals: vec!["R-CT-1".into()],
                in_time_by: vec![by],
                slots: vec![],
                places: 0,
                shortfall: 1,
            },
        ]
    );
    // The schedule meets the bound: exactly one colonoscopy referral and the CT are late.
    assert!(schedule.summary(&problem).contains(
        "  rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days: at least 2 late in 2 groups; largest: 3 referrals (first R-COL-1) for 2 places in 1 slot, 1 short\n"
    ));
}

/// A certificate changed by hand is caught by the validator, from the problem alone.
#[test]
fn the_validator_recounts_every_certificate() {
    let problem = Problem::from_json(SMALL_CLINIC).unwrap();
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    let fault = |change: &dyn Fn(&mut Certificate)| {
        let mut wrong = schedule.clone();
        change(&mut wrong.explanations[0]);
        validate(&problem, &wrong)
            .into_iter()
            .filter_map(|v| match v {
                Violation::Certificate { index, fault, .. } => Some((index, fault)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(fault(&|c| c.places = 3), [(0, "places")]);
    assert_eq!(fault(&|c| c.shortfall = 2), [(0, "shortfall")]);
    assert_eq!(fault(&|c| c.slots.clear()), [(0, "open_slot")]);
    assert_eq!(
        fault(&|c| c.referrals.push("R-NONE".into())),
        [(0, "unknown_record")]
    );
    // Without R-COL-3 the two left fit in the list's 2 places: nothing is unavoidable.
    assert_eq!(
        fault(&|c| {
            c.referrals.pop();
            c.in_time_by.pop();
        }),
        [(0, "shortfall")]
    );
}
