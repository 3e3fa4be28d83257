//! The `nhs_england` objective against the first one (`clock_stop_breaches`) on instances
//! worked out by hand, on the network path and the LP path. Every schedule passes the
//! independent validator.

mod common;
use appointment_optimiser::{prepare, solve, validate, Problem, Schedule, SolveOptions, Term};
use common::bookings;

/// Planned on Tuesday 1 December 2026, horizon to 31 December, the default look-ahead of 7 days:
/// snapshots 31 December and 7 January; an unbooked referral counts as seen on 8 January.
fn problem(slots: &str, referrals: &str) -> Problem {
    Problem::from_json(&format!(
        r#"{{"planning_date": "2026-12-01", "horizon_end": "2026-12-31",
            "sites": [{{"id": "S", "name": "Main", "kind": "nhs_trust",
                        "location": {{"latitude": 52.0, "longitude": -1.0}}}}],
            "slots": [{slots}], "referrals": [{referrals}]}}"#
    ))
    .unwrap()
}

fn on_both_paths(problem: &Problem) -> Vec<Schedule> {
    [true, false]
        .into_iter()
        .map(|network| {
            let s = solve(problem, &SolveOptions::new().network_flow(network)).unwrap();
            assert_eq!(validate(problem, &s), vec![]);
            s
        })
        .collect()
}

/// One MRI slot on 5 December. A (routine, RTT) has waited 420 days, 60 weeks; B (routine,
/// RTT) 120 days, due on 7 December.
///
/// The first objective gives the slot to B: A breaches seen or not, B avoids a breach (tier 1:
/// 1 either way from A, then B's 124 days² against A's 424²). That is the incentive NHS England
/// withdrew in 2015: A stays on the list past 60 weeks.
///
/// `nhs_england` gives it to A: unbooked, A is over 52 weeks on both snapshots (tier 8: 2),
/// B is never over 52 weeks. Tier 9: B unbooked is over 18 weeks on 31 December (150 days) and
/// 7 January (157): 2. Tier 10: A seen on 5 December after 424 days, 424² = 179,776, B seen on
/// 8 January after 158, 158² = 24,964: 204,740.
#[test]
fn a_60_week_waiter_comes_before_a_patient_about_to_cross_18_weeks() {
    let mut p = problem(
        r#"{"id": "MRI-1205", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-05T09:00:00Z", "end": "2026-12-05T09:30:00Z"}"#,
        r#"{"id": "A", "patient": "PA", "service": {"diagnostic": "mri"}, "clock_start": "2025-10-07",
            "standards": ["rtt_18_weeks"], "duration_minutes": 30},
           {"id": "B", "patient": "PB", "service": {"diagnostic": "mri"}, "clock_start": "2026-08-03",
            "standards": ["rtt_18_weeks"], "duration_minutes": 30}"#,
    );
    for s in on_both_paths(&p) {
        assert_eq!(bookings(&s), vec![("A", Some("MRI-1205")), ("B", None)]);
        assert_eq!(
            s.objective.values(),
            vec![0, 0, 0, 0, 0, 0, 0, 0, 2, 204_740, 0]
        );
        assert_eq!(s.objective.tiers[7].tier, "waiting_over_52_weeks");
    }
    let nhs = p.clone();
    common::legacy_objective(&mut p);
    for s in on_both_paths(&p) {
        assert_eq!(bookings(&s), vec![("A", None), ("B", Some("MRI-1205"))]);
        // A unbooked counts as seen on 1 January: 451 days; B on 5 December, 124 days.
        assert_eq!(s.objective.values(), vec![1, 451 * 451 + 124 * 124, 0]);
        // The same schedule scored under nhs_england: A, still waiting, is over 65 weeks on
        // 7 January (457 days; 450 on 31 December) and over 52 and 18 weeks on both snapshots;
        // tier 10: A seen on 8 January after 458 days, 458² = 209,764, B 124² = 15,376.
        let scored = prepare(&nhs).unwrap().evaluate(&s).unwrap();
        assert_eq!(scored.values(), vec![0, 0, 0, 0, 0, 0, 1, 2, 2, 225_140, 0]);
        assert_eq!(scored.term(Term::WaitingOver65Weeks), Some(1));
    }
}

/// A schedule of another problem is refused by name.
#[test]
fn evaluating_a_schedule_of_another_problem_is_an_error() {
    let one = problem(
        r#"{"id": "MRI-1205", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-05T09:00:00Z", "end": "2026-12-05T09:30:00Z"}"#,
        r#"{"id": "A", "patient": "PA", "service": {"diagnostic": "mri"}, "clock_start": "2025-10-07",
            "standards": ["rtt_18_weeks"], "duration_minutes": 30}"#,
    );
    let s = solve(&one, &SolveOptions::new()).unwrap();
    let other = problem(
        r#"{"id": "MRI-1206", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-06T09:00:00Z", "end": "2026-12-06T09:30:00Z"}"#,
        r#"{"id": "A", "patient": "PA", "service": {"diagnostic": "mri"}, "clock_start": "2025-10-07",
            "standards": ["rtt_18_weeks"], "duration_minutes": 30}"#,
    );
    let err = prepare(&other).unwrap().evaluate(&s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "solve option `schedule`: referral `A` is booked in slot `MRI-1205`, which the problem does not have"
    );
}

/// Two MRI slots, 2 and 9 December. U, urgent suspected cancer on the FDS (weight 16), has
/// waited 40 days: its 28-day deadline was 19 November. R (routine, RTT) has waited 121 days and
/// is due on 6 December.
///
/// The first objective moves U to 9 December: U's FDS breach happens either way, and R on
/// 2 December avoids one (tier 1: 16 against 17).
///
/// `nhs_england` never parks an overdue urgent patient: U on 2 December is 13 days late,
/// 16 × 13 = 208, on 9 December 16 × 20 = 320. So U takes 2 December and R 9 December (seen
/// before the 31 December snapshot, so no 18-week count). Tier 3: U's one FDS breach.
/// Tier 10: U 41² × 16 = 26,896 and R 129² = 16,641: 43,537.
#[test]
fn an_overdue_urgent_suspected_cancer_patient_is_not_moved_later() {
    let mut p = problem(
        r#"{"id": "MRI-1202", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"},
           {"id": "MRI-1209", "site": "S", "service": {"diagnostic": "mri"},
            "start": "2026-12-09T09:00:00Z", "end": "2026-12-09T09:30:00Z"}"#,
        r#"{"id": "U", "patient": "PU", "service": {"diagnostic": "mri"}, "clock_start": "2026-10-22",
            "standards": ["cancer_faster_diagnosis_28_days"], "priority": "urgent_suspected_cancer",
            "duration_minutes": 30},
           {"id": "R", "patient": "PR", "service": {"diagnostic": "mri"}, "clock_start": "2026-08-02",
            "standards": ["rtt_18_weeks"], "duration_minutes": 30}"#,
    );
    for s in on_both_paths(&p) {
        assert_eq!(
            bookings(&s),
            vec![("U", Some("MRI-1202")), ("R", Some("MRI-1209"))]
        );
        assert_eq!(
            s.objective.values(),
            vec![0, 208, 1, 0, 0, 0, 0, 0, 0, 16 * 41 * 41 + 129 * 129, 0]
        );
        assert_eq!(
            s.objective
                .term(appointment_optimiser::Term::ClinicalDaysLate),
            Some(208)
        );
    }
    common::legacy_objective(&mut p);
    for s in on_both_paths(&p) {
        assert_eq!(
            bookings(&s),
            vec![("U", Some("MRI-1209")), ("R", Some("MRI-1202"))]
        );
        // U on 9 December: 48 days, 16 × 48² = 36,864; R on 2 December: 122² = 14,884.
        assert_eq!(s.objective.values(), vec![16, 36_864 + 14_884, 0]);
    }
}
