//! Re-planning a week that already has bookings: confirmed appointments are kept or moved with
//! a reason, never lost silently, on instances worked out by hand, on the network and LP paths.
//! Every schedule passes the independent validator.

mod common;
use appointment_optimiser::{
    solve, validate, BookingChange, ChangeReason, Outcome, Problem, Schedule, SlotStatus,
    SolveOptions, UnbookedReason,
};
use common::bookings;

/// Planned on Tuesday 1 December 2026, horizon to 31 December: three single MRI slots, M1 on
/// 3 December, M2 on 10 December, M3 on 17 December. A (waited 20 days) is confirmed in M1, B
/// (25 days) confirmed in M2; C (30 days) has no date. All routine, on the 6-week standard, so
/// nobody is near a clinical deadline and, seen before 31 December, nobody counts at a snapshot.
const WEEK: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
             "location": {"latitude": 52.0, "longitude": -1.0}}],
  "slots": [
    {"id": "M1", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "M2", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
    {"id": "M3", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-17T09:00:00Z", "end": "2026-12-17T09:30:00Z"}
  ],
  "referrals": [
    {"id": "A", "patient": "PA", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-11",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "existing_booking": {"slot": "M1", "confirmed": true}},
    {"id": "B", "patient": "PB", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-06",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "existing_booking": {"slot": "M2", "confirmed": true}},
    {"id": "C", "patient": "PC", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ]
}"#;

fn week() -> Problem {
    Problem::from_json(WEEK).unwrap()
}

/// Solved on both paths; each schedule validates and the two agree.
fn solved(problem: &Problem) -> Schedule {
    let network = solve(problem, &SolveOptions::new()).unwrap();
    let lp = solve(problem, &SolveOptions::new().network_flow(false)).unwrap();
    assert_eq!(validate(problem, &network), vec![]);
    assert_eq!(validate(problem, &lp), vec![]);
    assert_eq!(bookings(&network), bookings(&lp));
    assert_eq!(network.objective, lp.objective);
    network
}

fn change<'s>(s: &'s Schedule, referral: &str) -> Option<&'s BookingChange> {
    s.outcome(referral).unwrap().change.as_ref()
}

/// Nothing changed: A and B keep their dates, though C has waited longest and treat in turn
/// alone would give C the earliest slot. Disruption (tier 4) ranks above treat in turn.
/// Re-planning the same input twice gives the same bytes.
#[test]
fn a_replan_with_nothing_changed_keeps_every_confirmed_booking() {
    let p = week();
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![("A", Some("M1")), ("B", Some("M2")), ("C", Some("M3"))]
    );
    assert_eq!(change(&s, "A"), Some(&BookingChange::Kept));
    assert_eq!(change(&s, "B"), Some(&BookingChange::Kept));
    assert_eq!(change(&s, "C"), None);
    assert_eq!(s.to_json(), solved(&p).to_json());
    assert!(s
        .summary(&p)
        .contains("Changes to existing bookings: 2 kept, 0 moved, 0 cancelled"));
}

/// M2 is blocked (the scanner broke). B's appointment is gone: B is to be rebooked within 28
/// days (by 29 December), a clinical deadline, so B takes M3 and C, who had no date, waits.
/// Unbooked, B would be 10 days late (seen 8 January) in tier 2; C unbooked is over 6 weeks on
/// 31 December and 7 January, but that count is tier 9.
#[test]
fn a_blocked_session_moves_its_confirmed_patient_first() {
    let mut p = week();
    p.slots[1].status = SlotStatus::Blocked;
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![("A", Some("M1")), ("B", Some("M3")), ("C", None)]
    );
    assert_eq!(change(&s, "A"), Some(&BookingChange::Kept));
    assert_eq!(
        change(&s, "B"),
        Some(&BookingChange::Moved {
            from: "M2".into(),
            because: Some(ChangeReason::SlotBlocked),
        })
    );
    assert!(matches!(
        s.outcome("C").unwrap().outcome,
        Outcome::Unbooked(UnbookedReason::NoCapacity { .. })
    ));
    let text = s.summary(&p);
    assert!(
        text.contains("B            moved from M2 to M3 on 2026-12-17: its slot is blocked"),
        "{text}"
    );
}

/// The slot is removed from the plan altogether and no other slot is left for B: the booking
/// is cancelled, with the reason, not dropped.
#[test]
fn a_removed_slot_cancels_its_booking_with_the_reason() {
    let mut p = week();
    p.slots.retain(|s| s.id.as_str() == "M1");
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![("A", Some("M1")), ("B", None), ("C", None)]
    );
    assert_eq!(
        change(&s, "B"),
        Some(&BookingChange::Cancelled {
            from: "M2".into(),
            reason: ChangeReason::SlotRemoved,
        })
    );
    assert!(s
        .summary(&p)
        .contains("B            cancelled from M2: its slot was removed from the plan"));
}

/// A patient cancels (A is no longer on the list) and frees M1: C, who had no date, takes it,
/// and B keeps M2 (moving B to the earlier M1 would lower treat in turn, but disruption ranks
/// above it).
#[test]
fn a_freed_slot_goes_to_a_patient_without_a_date() {
    let mut p = week();
    p.referrals.remove(0);
    let s = solved(&p);
    assert_eq!(bookings(&s), vec![("B", Some("M2")), ("C", Some("M1"))]);
    assert_eq!(change(&s, "B"), Some(&BookingChange::Kept));
}

/// An urgent suspected cancer referral U, 40 days waited (past its 28-day target), can use only
/// M1 and M2, both confirmed for A and B. The confirmed appointments are kept (tier 1): U stays
/// unbooked for now, with its lateness in the objective, and no patient loses a date they were
/// told about.
#[test]
fn a_confirmed_appointment_is_not_cancelled_for_a_more_urgent_patient() {
    let mut p = week();
    p.slots.truncate(2);
    let u = r#"{"id": "U", "patient": "PU", "service": {"diagnostic": "mri"},
        "clock_start": "2026-10-22", "standards": ["cancer_faster_diagnosis_28_days"],
        "priority": "urgent_suspected_cancer", "duration_minutes": 30}"#;
    p.referrals.push(serde_json::from_str(u).unwrap());
    let s = solved(&p);
    assert_eq!(
        bookings(&s),
        vec![
            ("A", Some("M1")),
            ("B", Some("M2")),
            ("C", None),
            ("U", None)
        ]
    );
    assert_eq!(s.objective.tiers[0].tier, "cancelled_confirmed");
    assert_eq!(s.objective.values()[0], 0);
    // U unbooked: seen 8 January, 50 days after its 19 November deadline, weight 16.
    assert_eq!(s.objective.values()[1], 16 * 50);
}

use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::ExistingBooking;
use proptest::prelude::*;

/// The schedule's bookings written back into the problem as confirmed existing bookings: the
/// week as the booking team left it.
fn confirmed_from(problem: &Problem, schedule: &Schedule) -> Problem {
    let mut p = problem.clone();
    for (r, o) in p.referrals.iter_mut().zip(&schedule.outcomes) {
        if let Outcome::Booked(b) = &o.outcome {
            r.existing_booking = Some(ExistingBooking {
                slot: b.slot.clone(),
                pinned: false,
                confirmed: true,
                appointment_id: None,
            });
        }
    }
    p
}

proptest! {
    #![proptest_config(common::config(24))]

    /// Across random re-plans of a booked week (slots blocked, slots removed, patients
    /// cancelling), no confirmed booking disappears without a `cancelled` change naming a
    /// removed, blocked or unusable slot; with nothing changed, every booking is kept.
    #[test]
    fn no_confirmed_booking_disappears_silently(
        seed in 0u64..1000,
        referrals in 10usize..40,
        slots in 4usize..16,
        block in proptest::collection::vec(any::<bool>(), 16),
        remove in proptest::collection::vec(any::<bool>(), 16),
        leave in proptest::collection::vec(any::<bool>(), 40),
    ) {
        let base = generate(&InstanceConfig::capacity_only(referrals, slots, seed));
        let first = solve(&base, &SolveOptions::new()).unwrap();
        let week = confirmed_from(&base, &first);

        // Nothing changed: every booking kept, the same bookings.
        let again = solve(&week, &SolveOptions::new()).unwrap();
        prop_assert_eq!(validate(&week, &again), vec![]);
        prop_assert_eq!(bookings(&again), bookings(&first));
        for o in &again.outcomes {
            if o.change.is_some() {
                prop_assert_eq!(o.change.as_ref(), Some(&BookingChange::Kept));
            }
        }

        // Some slots blocked or removed, some patients off the list.
        let mut changed = week.clone();
        for (k, s) in changed.slots.iter_mut().enumerate() {
            if block[k % block.len()] && k % 3 == 0 {
                s.status = SlotStatus::Blocked;
            }
        }
        let mut k = 0;
        changed.slots.retain(|_| {
            k += 1;
            !(remove[k % remove.len()] && k % 4 == 0)
        });
        let mut i = 0;
        changed.referrals.retain(|_| {
            i += 1;
            !(leave[i % leave.len()] && i % 5 == 0)
        });
        let s = solve(&changed, &SolveOptions::new()).unwrap();
        prop_assert_eq!(validate(&changed, &s), vec![]);
        for (r, o) in changed.referrals.iter().zip(&s.outcomes) {
            let Some(existing) = &r.existing_booking else {
                prop_assert!(o.change.is_none());
                continue;
            };
            match (&o.outcome, &o.change) {
                (Outcome::Booked(_), Some(BookingChange::Kept | BookingChange::Moved { .. })) => {}
                (Outcome::Unbooked(_), Some(BookingChange::Cancelled { from, reason })) => {
                    prop_assert_eq!(from, &existing.slot);
                    prop_assert!(
                        matches!(
                            reason,
                            ChangeReason::SlotRemoved
                                | ChangeReason::SlotBlocked
                                | ChangeReason::SlotUnusable
                        ),
                        "{} cancelled from {} with {:?}\n{}",
                        r.id,
                        from,
                        reason,
                        changed.to_json()
                    );
                }
                other => prop_assert!(false, "{}: {:?}", r.id, other),
            }
        }
    }
}

/// The validator checks each change against the problem and the outcome.
#[test]
fn a_wrong_change_is_a_violation() {
    let mut p = week();
    p.slots[1].status = SlotStatus::Blocked;
    let good = solved(&p);
    let wrong = |edit: &dyn Fn(&mut Schedule)| {
        let mut s = good.clone();
        edit(&mut s);
        validate(&p, &s)
    };
    let expected = vec![appointment_optimiser::Violation::WrongChange {
        referral: "B".to_owned(),
    }];
    // Said to be kept, though booked elsewhere.
    assert_eq!(
        wrong(&|s| s.outcomes[1].change = Some(BookingChange::Kept)),
        expected
    );
    // Moved for a reason its slot's status does not give.
    assert_eq!(
        wrong(&|s| {
            s.outcomes[1].change = Some(BookingChange::Moved {
                from: "M2".into(),
                because: Some(ChangeReason::SlotRemoved),
            })
        }),
        expected
    );
    // Dropped altogether.
    assert_eq!(wrong(&|s| s.outcomes[1].change = None), expected);
}

/// Why C has no date in the blocked week: B holds M3 (the trade would leave B, whose slot is
/// gone, 10 days past the 28-day rebooking in tier 2) and A holds M1 (the trade would cancel a
/// confirmed appointment, tier 1); both routine, B has waited longer so is named first. One
/// more place in M1, C's earliest candidate, would book C.
#[test]
fn why_c_has_no_date() {
    use appointment_optimiser::explain::{explain, Fix};
    let mut p = week();
    p.slots[1].status = SlotStatus::Blocked;
    let options = SolveOptions::new();
    let s = solved(&p);
    let why = explain(&p, &s, "C", &options).unwrap();
    let named: Vec<String> = why
        .blockers
        .iter()
        .map(|b| {
            let d = b.decided_by.as_ref().unwrap();
            format!("{} {} {} {}", b.referral, b.slot, d.tier, d.by)
        })
        .collect();
    assert_eq!(
        named,
        vec!["B M3 clinical_days_late 10", "A M1 cancelled_confirmed 1"]
    );
    assert_eq!(why.fixes, vec![Fix::OneMorePlace { slot: "M1".into() }]);
}

/// A re-plan after a DNA: A (clock 1 October, 61 days) missed a first appointment on 25
/// November and a new one is being agreed today, so A's clock restarts on 1 December (RTT
/// rules v5.0 §4.4.1.3). With M1 (3 December) and M2 (10 December) for A and C (clock
/// 1 November): before the DNA, A the longer waiter takes M1 (A 63² + C 39² = 5,490 against
/// A 70² + C 32² = 5,924); after it, C does (A 9² + C 32² = 1,105 against A 2² + C 39² = 1,525).
#[test]
fn a_first_appointment_dna_reorders_the_week() {
    let json = |dna: &str| {
        format!(
            r#"{{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "sites": [{{"id": "S", "name": "Main", "kind": "nhs_trust",
                 "location": {{"latitude": 52.0, "longitude": -1.0}}}}],
      "slots": [
        {{"id": "M1", "site": "S", "service": {{"diagnostic": "mri"}},
         "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"}},
        {{"id": "M2", "site": "S", "service": {{"diagnostic": "mri"}},
         "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}}
      ],
      "referrals": [
        {{"id": "A", "patient": "PA", "service": {{"diagnostic": "mri"}}, "clock_start": "2026-10-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "did_not_attend": [{dna}]}},
        {{"id": "C", "patient": "PC", "service": {{"diagnostic": "mri"}}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}}
      ]
    }}"#
        )
    };
    let before = Problem::from_json(&json("")).unwrap();
    let s = solved(&before);
    assert_eq!(bookings(&s), vec![("A", Some("M1")), ("C", Some("M2"))]);
    assert_eq!(
        s.objective.term(appointment_optimiser::Term::TreatInTurn),
        Some(63 * 63 + 39 * 39)
    );
    let after = Problem::from_json(&json(
        r#"{"date": "2026-11-25", "first_appointment": true, "rebooked_on": "2026-12-01"}"#,
    ))
    .unwrap();
    let s = solved(&after);
    assert_eq!(bookings(&s), vec![("A", Some("M2")), ("C", Some("M1"))]);
    assert_eq!(
        s.objective.term(appointment_optimiser::Term::TreatInTurn),
        Some(9 * 9 + 32 * 32)
    );
}
