//! The booking baselines (first come, first served; priority then first come, first served;
//! nearest site first): small lists whose schedules are worked out by hand, cases where the
//! baselines and the optimiser differ, pathway, patient-overlap and pinned rules, and a property
//! test on random small problems. Every schedule passes the independent validator.
//!
//! All dates are in December 2026 (GMT, so a `Z` time's NHS date is its UTC date) unless said
//! otherwise; the planning date is 1 December and the horizon ends on 31 December. Due dates:
//! `diagnostic_6_weeks` is clock start + 42 days, `rtt_18_weeks` + 126,
//! `cancer_faster_diagnosis_28_days` + 28, `cancer_62_days` + 62; surgical P1b + 3, P2 + 28,
//! P3 + 90. Default weights: routine 1, urgent 4, urgent suspected cancer 16, P1b 32, P2 16,
//! P3 4.

mod common;
use appointment_optimiser::baselines::{book, Baseline};
use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{
    solve, validate, Capability, Error, ExistingBooking, Location, Outcome, PathwayStep, PatientId,
    Prerequisite, Problem, ReferralId, ReferralPriority, Schedule, SolveOptions, SolveStatus,
    SurgicalPriority, UnbookedReason,
};
use chrono::{DateTime, FixedOffset};
use common::{bookings, config};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Books `problem` by `baseline`, checks the schedule with the validator and its shape.
fn booked(problem: &Problem, baseline: Baseline) -> Schedule {
    let schedule = book(problem, baseline).unwrap();
    assert_eq!(validate(problem, &schedule), vec![], "{baseline}");
    let ids: Vec<&str> = schedule
        .outcomes
        .iter()
        .map(|o| o.referral.as_str())
        .collect();
    let expected: Vec<&str> = problem.referrals.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids, expected,
        "{baseline}: one outcome per referral, in order"
    );
    assert_eq!(schedule.stats.backend, baseline.backend_id());
    assert_ne!(
        schedule.stats.status,
        SolveStatus::Optimal,
        "not an optimum"
    );
    schedule
}

/// The optimiser's schedule, validated.
fn optimised(problem: &Problem) -> Schedule {
    let schedule = solve(problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    schedule
}

fn reason<'a>(schedule: &'a Schedule, referral: &str) -> &'a UnbookedReason {
    match &schedule.outcome(referral).unwrap().outcome {
        Outcome::Unbooked(reason) => reason,
        Outcome::Booked(b) => panic!("{referral} is booked into {}", b.slot),
    }
}

fn breached(schedule: &Schedule) -> Vec<&str> {
    schedule
        .outcomes
        .iter()
        .filter(|o| o.breached)
        .map(|o| o.referral.as_str())
        .collect()
}

fn time(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

#[test]
fn names_ids_and_json_forms() {
    assert_eq!(
        Baseline::ALL,
        [
            Baseline::FirstComeFirstServed,
            Baseline::PriorityThenFcfs,
            Baseline::NearestSiteFirst
        ]
    );
    let names: Vec<&str> = Baseline::ALL.iter().map(|b| b.name()).collect();
    assert_eq!(
        names,
        [
            "first come, first served",
            "priority, then first come, first served",
            "nearest site first"
        ]
    );
    assert_eq!(Baseline::NearestSiteFirst.to_string(), "nearest site first");
    let ids: Vec<&str> = Baseline::ALL.iter().map(|b| b.backend_id()).collect();
    assert_eq!(
        ids,
        [
            "baseline:fcfs",
            "baseline:priority",
            "baseline:nearest_site"
        ]
    );
    for (baseline, json) in Baseline::ALL.into_iter().zip([
        "\"first_come_first_served\"",
        "\"priority_then_fcfs\"",
        "\"nearest_site_first\"",
    ]) {
        assert_eq!(serde_json::to_string(&baseline).unwrap(), json);
        assert_eq!(serde_json::from_str::<Baseline>(json).unwrap(), baseline);
    }
}

#[test]
fn errors_are_those_of_the_problem_check() {
    let mut problem = common::legacy_problem(FOUR_WAYS);
    let duplicate = problem.referrals[0].clone();
    problem.referrals.push(duplicate);
    let expected = problem.check().unwrap_err();
    assert!(matches!(expected, Error::DuplicateId { .. }));
    for baseline in Baseline::ALL {
        assert_eq!(book(&problem, baseline).unwrap_err(), expected);
    }

    let mut problem = common::legacy_problem(PATHWAY);
    problem.pathway_steps.push(PathwayStep {
        before: Prerequisite::Referral(ReferralId::from("CLINIC")),
        after: ReferralId::from("SCAN"),
        min_gap_days: 0,
    });
    for baseline in Baseline::ALL {
        assert!(matches!(
            book(&problem, baseline),
            Err(Error::PathwayCycle { .. })
        ));
    }
}

#[test]
fn stats_say_what_made_the_schedule() {
    let problem = common::legacy_problem(FOUR_WAYS);
    for baseline in Baseline::ALL {
        let s = booked(&problem, baseline);
        assert_eq!(s.stats.status, SolveStatus::Heuristic);
        assert_eq!(s.stats.component_count, 0);
        assert_eq!(s.stats.network_components, 0);
        assert_eq!((s.stats.variables, s.stats.constraints), (0, 0));
        assert!(s.stats.components.is_empty());
        assert!(s.stats.elapsed >= s.stats.build_time);
        // Deterministic: the same problem gives the same bytes.
        assert_eq!(s.to_json(), book(&problem, baseline).unwrap().to_json());
    }
}

#[test]
fn the_worked_example_validates_for_every_baseline() {
    let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
    let problem = common::legacy_problem(&json);
    let best = optimised(&problem);
    for baseline in Baseline::ALL {
        let s = booked(&problem, baseline);
        assert!(best.objective.values()[0] <= s.objective.values()[0]);
        // The pinned clinic booking is kept by every baseline.
        let pinned = s.outcome("R-TO-2").unwrap();
        assert!(matches!(&pinned.outcome, Outcome::Booked(b) if b.pinned));
    }
}

// ---------------------------------------------------------------------------------------------
// One list, four schedules: the three baselines and the optimiser all differ
// ---------------------------------------------------------------------------------------------

/// Two MRI sites 11 km apart, North (51.60 N) and South (51.50 N); one early and one late slot
/// at each. R1 is long past its due date, R2 is due on 3 December, R4 (urgent suspected cancer)
/// on 8 December, R3 (urgent) not until 1 January 2027, after the horizon.
const FOUR_WAYS: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "N", "name": "North", "kind": "nhs_trust",
     "location": {"latitude": 51.60, "longitude": -0.10}},
    {"id": "S", "name": "South", "kind": "community_diagnostic_centre",
     "location": {"latitude": 51.50, "longitude": -0.10}}
  ],
  "slots": [
    {"id": "N-0202", "site": "N", "service": {"diagnostic": "mri"},
     "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"},
    {"id": "S-0203", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "N-1221", "site": "N", "service": {"diagnostic": "mri"},
     "start": "2026-12-21T09:00:00Z", "end": "2026-12-21T09:30:00Z"},
    {"id": "S-1222", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-22T09:00:00Z", "end": "2026-12-22T09:30:00Z"}
  ],
  "referrals": [
    {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.61, "longitude": -0.10}},
    {"id": "R2", "patient": "P2", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-22", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.49, "longitude": -0.10}},
    {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"}, "priority": "urgent",
     "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.61, "longitude": -0.10}},
    {"id": "R4", "patient": "P4", "service": {"diagnostic": "mri"},
     "priority": "urgent_suspected_cancer", "clock_start": "2026-11-10",
     "standards": ["cancer_faster_diagnosis_28_days"], "duration_minutes": 30,
     "home": {"latitude": 51.49, "longitude": -0.10}}
  ]
}"#;

#[test]
fn four_ways_first_come_first_served() {
    let p = common::legacy_problem(FOUR_WAYS);
    let s = booked(&p, Baseline::FirstComeFirstServed);
    // Clock-start order R1 (1 Oct), R2 (22 Oct), R4 (10 Nov), R3 (20 Nov); each takes the
    // earliest slot left: R1 the 2 December slot (it is 20 days past its 12 November due date
    // whatever it gets), R2 3 December (its due date: no breach), R4 21 December (13 days past
    // its 8 December due date: a breach of weight 16), R3 22 December.
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", Some("N-0202")),
            ("R2", Some("S-0203")),
            ("R3", Some("S-1222")),
            ("R4", Some("N-1221")),
        ]
    );
    assert_eq!(breached(&s), vec!["R1", "R4"]);
    assert_eq!(s.objective.values()[0], 1 + 16);
    // Tier 2, weight × days waited²: R1 62 days, R2 42, R3 4 × 32², R4 16 × 41².
    assert_eq!(
        s.objective.values()[1],
        62 * 62 + 42 * 42 + 4 * 32 * 32 + 16 * 41 * 41
    );
    assert_eq!(s.outcome("R4").unwrap().days_late, 13);
}

#[test]
fn four_ways_priority_then_fcfs() {
    let p = common::legacy_problem(FOUR_WAYS);
    let s = booked(&p, Baseline::PriorityThenFcfs);
    // Weight order R4 (16), R3 (4), then the routine R1 (1 Oct) and R2 (22 Oct): R4 and R3 take
    // the two early slots, R1 21 December (a breach anyway), R2 22 December (due 3 December:
    // a breach the optimiser avoids).
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", Some("N-1221")),
            ("R2", Some("S-1222")),
            ("R3", Some("S-0203")),
            ("R4", Some("N-0202")),
        ]
    );
    assert_eq!(breached(&s), vec!["R1", "R2"]);
    assert_eq!(s.objective.values()[0], 2);
}

#[test]
fn four_ways_nearest_site_first() {
    let p = common::legacy_problem(FOUR_WAYS);
    let s = booked(&p, Baseline::NearestSiteFirst);
    // Clock-start order as first come, first served, each at its own site while it has room:
    // R1 (lives by North) North 2 December; R2 (South) South 3 December; R4 (South) South
    // 22 December, though North has 21 December free (14 days late, weight 16); R3 (North) North
    // 21 December.
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", Some("N-0202")),
            ("R2", Some("S-0203")),
            ("R3", Some("N-1221")),
            ("R4", Some("S-1222")),
        ]
    );
    assert_eq!(breached(&s), vec!["R1", "R4"]);
    assert_eq!(s.objective.values()[0], 17);
    assert_eq!(s.objective.values()[2], 0, "everyone at their nearest site");
    assert_eq!(s.outcome("R4").unwrap().days_late, 14);
}

#[test]
fn four_ways_the_optimiser_saves_breaches_every_baseline_makes() {
    let p = common::legacy_problem(FOUR_WAYS);
    let s = optimised(&p);
    // Tier 1: R1 breaches whatever it gets; R2 (due 3 December) and R4 (due 8 December) both
    // need one of the two early slots, so they take them and R1 and R3 the late ones: 1.
    // Tier 2 places them: R4 2 December and R2 3 December cost 16 × 22² + 42² = 9,508 against
    // 16 × 23² + 41² = 10,145 the other way; R3 21 December and R1 22 December cost 4 × 31² + 82²
    // = 10,568 against 81² + 4 × 32² = 10,657.
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", Some("S-1222")),
            ("R2", Some("S-0203")),
            ("R3", Some("N-1221")),
            ("R4", Some("N-0202")),
        ]
    );
    assert_eq!(s.objective.values()[0], 1);
    assert_eq!(
        s.objective.values()[1],
        16 * 22 * 22 + 42 * 42 + 4 * 31 * 31 + 82 * 82
    );

    // Four different schedules, and the optimiser strictly best on tier 1.
    let mut all: Vec<Vec<(&str, Option<&str>)>> = vec![bookings(&s)];
    let schedules: Vec<Schedule> = Baseline::ALL.iter().map(|&b| booked(&p, b)).collect();
    for b in &schedules {
        assert!(s.objective.values()[0] < b.objective.values()[0]);
        all.push(bookings(b));
    }
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            assert_ne!(all[i], all[j], "schedules {i} and {j}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// First come, first served: ties, capacity, requirements, unbooked reasons
// ---------------------------------------------------------------------------------------------

/// Two sites; A-0203 and B-0203 start at the same time (A-0203 first in input order); the only
/// contrast slot is B-0204. F1 and F3 have the same clock start (F1 first in input order).
const FCFS: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "A", "name": "Site A", "kind": "nhs_trust",
     "location": {"latitude": 52.00, "longitude": -1.00}},
    {"id": "B", "name": "Site B", "kind": "independent_sector",
     "location": {"latitude": 52.10, "longitude": -1.00}}
  ],
  "slots": [
    {"id": "A-0203", "site": "A", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "B-0203", "site": "B", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "A-0202", "site": "A", "service": {"diagnostic": "mri"},
     "start": "2026-12-02T16:00:00Z", "end": "2026-12-02T16:30:00Z"},
    {"id": "B-0204", "site": "B", "service": {"diagnostic": "mri"}, "capabilities": ["contrast"],
     "start": "2026-12-04T09:00:00Z", "end": "2026-12-04T09:30:00Z"}
  ],
  "referrals": [
    {"id": "F1", "patient": "P1", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "F2", "patient": "P2", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-15", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "F3", "patient": "P3", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "F4", "patient": "P4", "service": {"diagnostic": "mri"}, "requirements": ["contrast"],
     "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "F5", "patient": "P5", "service": {"diagnostic": "mri"}, "requirements": ["contrast"],
     "clock_start": "2026-11-10", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "F6", "patient": "P6", "service": {"diagnostic": "ct"},
     "clock_start": "2026-10-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ]
}"#;

#[test]
fn fcfs_by_clock_start_then_input_order_earliest_slot_then_slot_order() {
    let p = common::legacy_problem(FCFS);
    let s = booked(&p, Baseline::FirstComeFirstServed);
    // Order F6 (1 Oct), F2 (15 Oct), F1 and F3 (1 Nov, input order), F5 (10 Nov), F4 (20 Nov).
    // F6 (CT): no CT slot, unbooked. F2: the earliest slot, A-0202 on 2 December at 16:00.
    // F1: A-0203 and B-0203 both start at 09:00 on 3 December, A-0203 comes first in input.
    // F3: B-0203. F5: the only contrast slot, B-0204. F4: the contrast slot is full.
    assert_eq!(
        bookings(&s),
        vec![
            ("F1", Some("A-0203")),
            ("F2", Some("A-0202")),
            ("F3", Some("B-0203")),
            ("F4", None),
            ("F5", Some("B-0204")),
            ("F6", None),
        ]
    );
    // Breaches: F2 is due 26 November and booked 2 December (6 days late); F6 is due
    // 12 November and unbooked inside the horizon. F4 (due 1 January 2027) is unbooked without
    // a breach. Tier 1: 1 + 1.
    assert_eq!(breached(&s), vec!["F2", "F6"]);
    assert_eq!(s.objective.values()[0], 2);
    assert_eq!(s.outcome("F2").unwrap().days_late, 6);
    assert_eq!(
        reason(&s, "F4"),
        &UnbookedReason::NoCapacity { candidates: 1 }
    );
    match reason(&s, "F6") {
        UnbookedReason::NoCandidate { exclusions } => assert_eq!(exclusions.service, 4),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Priority, then first come, first served: surgical classes by weight
// ---------------------------------------------------------------------------------------------

/// Four theatre sessions of an hour at two sites, five hip operations of an hour.
/// Due dates: P-A (P3, clock 1 September) 30 November, already past; P-B (P2, 10 November)
/// 8 December; P-C (urgent, RTT, 1 October) 4 February 2027; P-D (urgent suspected cancer,
/// 62 days, 25 November) 26 January 2027; P-E (P1b, 28 November) 1 December, already past
/// for every slot.
const PRIORITY: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "A", "name": "Site A", "kind": "nhs_trust",
     "location": {"latitude": 53.00, "longitude": -2.00}},
    {"id": "B", "name": "Site B", "kind": "independent_sector",
     "location": {"latitude": 53.20, "longitude": -2.00}}
  ],
  "slots": [
    {"id": "T-A-0202", "site": "A", "service": {"operation": "hip"},
     "start": "2026-12-02T08:00:00Z", "end": "2026-12-02T09:00:00Z"},
    {"id": "T-B-0203", "site": "B", "service": {"operation": "hip"},
     "start": "2026-12-03T08:00:00Z", "end": "2026-12-03T09:00:00Z"},
    {"id": "T-A-0210", "site": "A", "service": {"operation": "hip"},
     "start": "2026-12-10T08:00:00Z", "end": "2026-12-10T09:00:00Z"},
    {"id": "T-B-0217", "site": "B", "service": {"operation": "hip"},
     "start": "2026-12-17T08:00:00Z", "end": "2026-12-17T09:00:00Z"}
  ],
  "referrals": [
    {"id": "P-A", "patient": "PA", "service": {"operation": "hip"}, "surgical_priority": "P3",
     "clock_start": "2026-09-01", "standards": ["rtt_18_weeks"], "duration_minutes": 60},
    {"id": "P-B", "patient": "PB", "service": {"operation": "hip"}, "surgical_priority": "P2",
     "clock_start": "2026-11-10", "standards": ["rtt_18_weeks"], "duration_minutes": 60},
    {"id": "P-C", "patient": "PC", "service": {"operation": "hip"}, "priority": "urgent",
     "clock_start": "2026-10-01", "standards": ["rtt_18_weeks"], "duration_minutes": 60},
    {"id": "P-D", "patient": "PD", "service": {"operation": "hip"},
     "priority": "urgent_suspected_cancer",
     "clock_start": "2026-11-25", "standards": ["cancer_62_days"], "duration_minutes": 60},
    {"id": "P-E", "patient": "PE", "service": {"operation": "hip"}, "surgical_priority": "P1b",
     "clock_start": "2026-11-28", "standards": ["rtt_18_weeks"], "duration_minutes": 60}
  ]
}"#;

#[test]
fn priority_by_weight_then_clock_start() {
    let p = common::legacy_problem(PRIORITY);
    assert_eq!(
        p.referrals[4].surgical_priority,
        Some(SurgicalPriority::P1b)
    );
    let s = booked(&p, Baseline::PriorityThenFcfs);
    // Weights: P-E 32 (P1b); P-B 16 (P2) and P-D 16 (urgent suspected cancer), one class, in
    // clock-start order P-B (10 Nov), P-D (25 Nov); P-A 4 (P3) and P-C 4 (urgent), one class,
    // P-A (1 Sep) before P-C (1 Oct). Slots in date order: P-E 2 December (a day late: 32), P-B
    // 3 December (in time), P-D 10 December, P-A 17 December (late: 4); P-C is left without a
    // slot but is not due inside the horizon.
    assert_eq!(
        bookings(&s),
        vec![
            ("P-A", Some("T-B-0217")),
            ("P-B", Some("T-B-0203")),
            ("P-C", None),
            ("P-D", Some("T-A-0210")),
            ("P-E", Some("T-A-0202")),
        ]
    );
    assert_eq!(breached(&s), vec!["P-A", "P-E"]);
    assert_eq!(s.objective.values()[0], 32 + 4);
    assert_eq!(
        reason(&s, "P-C"),
        &UnbookedReason::NoCapacity { candidates: 4 }
    );

    // First come, first served on the same list: P-A (1 Sep), P-C (1 Oct), P-B (10 Nov), P-D
    // (25 Nov), P-E (28 Nov). P-A 2 December (late: 4), P-C 3 December, P-B 10 December (two
    // days after its P2 target: 16), P-D 17 December, P-E unbooked (due 1 December: 32).
    let f = booked(&p, Baseline::FirstComeFirstServed);
    assert_eq!(
        bookings(&f),
        vec![
            ("P-A", Some("T-A-0202")),
            ("P-B", Some("T-A-0210")),
            ("P-C", Some("T-B-0203")),
            ("P-D", Some("T-B-0217")),
            ("P-E", None),
        ]
    );
    assert_eq!(f.objective.values()[0], 4 + 16 + 32);

    // The optimiser cannot do better than priority here on tier 1: P-A and P-E are late for
    // every slot, P-B fits in either early slot.
    assert_eq!(optimised(&p).objective.values()[0], 36);
}

#[test]
fn priority_classes_follow_the_policy_weights() {
    // With urgent weighted 20, urgent moves above the urgent suspected cancer and P2 class (16)
    // but stays below P1b (32): order P-E (32), P-C (20), P-B and P-D (16), P-A (4).
    let mut p = common::legacy_problem(PRIORITY);
    p.policy.breach_weights.urgent = 20;
    assert_eq!(p.referrals[2].priority, ReferralPriority::Urgent);
    let s = booked(&p, Baseline::PriorityThenFcfs);
    // P-E 2 December (late: 32), P-C 3 December, P-B 10 December (late: 16), P-D 17 December,
    // P-A unbooked (due 30 November: 4).
    assert_eq!(
        bookings(&s),
        vec![
            ("P-A", None),
            ("P-B", Some("T-A-0210")),
            ("P-C", Some("T-B-0203")),
            ("P-D", Some("T-B-0217")),
            ("P-E", Some("T-A-0202")),
        ]
    );
    assert_eq!(s.objective.values()[0], 32 + 16 + 4);
}

// ---------------------------------------------------------------------------------------------
// Nearest site first: the nearest site while it has room, then the next; no home: FCFS
// ---------------------------------------------------------------------------------------------

/// North (51.60 N) and South (51.50 N), 11 km apart. South has the earliest slot.
const NEAREST: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "N", "name": "North", "kind": "nhs_trust",
     "location": {"latitude": 51.60, "longitude": -0.10}},
    {"id": "S", "name": "South", "kind": "nhs_trust",
     "location": {"latitude": 51.50, "longitude": -0.10}}
  ],
  "slots": [
    {"id": "N-0203", "site": "N", "service": {"diagnostic": "mri"},
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "S-0202", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"},
    {"id": "S-0210", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
    {"id": "N-0215", "site": "N", "service": {"diagnostic": "mri"},
     "start": "2026-12-15T09:00:00Z", "end": "2026-12-15T09:30:00Z"}
  ],
  "referrals": [
    {"id": "K1", "patient": "P1", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.62, "longitude": -0.10}},
    {"id": "K2", "patient": "P2", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-25", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.61, "longitude": -0.11}},
    {"id": "K3", "patient": "P3", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.58, "longitude": -0.10}},
    {"id": "K4", "patient": "P4", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-05", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "K5", "patient": "P5", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-10", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "home": {"latitude": 51.49, "longitude": -0.10}}
  ]
}"#;

#[test]
fn nearest_site_while_it_has_room_then_the_next() {
    let p = common::legacy_problem(NEAREST);
    let s = booked(&p, Baseline::NearestSiteFirst);
    // Clock-start order K1..K5. K1, K2 and K3 live nearer North. K1: North's earliest,
    // 3 December (due 1 December: 2 days late). K2: North still has 15 December, so it waits for
    // it although South has 2 December free (due 6 December: 9 days late). K3: North is full, so
    // the next nearest, South, earliest 2 December (due 13 December). K4 has no home: first
    // come, first served, the earliest left, South 10 December (due 17 December). K5: nothing
    // left, unbooked while due 22 December. Tier 1: 1 + 1 + 1.
    assert_eq!(
        bookings(&s),
        vec![
            ("K1", Some("N-0203")),
            ("K2", Some("N-0215")),
            ("K3", Some("S-0202")),
            ("K4", Some("S-0210")),
            ("K5", None),
        ]
    );
    assert_eq!(breached(&s), vec!["K1", "K2", "K5"]);
    assert_eq!(s.objective.values()[0], 3);
    assert_eq!(s.outcome("K2").unwrap().days_late, 9);

    // First come, first served on the same list: K1 South 2 December (a day late), K2 North
    // 3 December, K3 South 10 December, K4 North 15 December, K5 unbooked: tier 1 is 2.
    let f = booked(&p, Baseline::FirstComeFirstServed);
    assert_eq!(
        bookings(&f),
        vec![
            ("K1", Some("S-0202")),
            ("K2", Some("N-0203")),
            ("K3", Some("S-0210")),
            ("K4", Some("N-0215")),
            ("K5", None),
        ]
    );
    assert_eq!(f.objective.values()[0], 2);
    // Tier 3, metres beyond the nearest suitable site: nearest site first sends only K3 to
    // South; first come, first served sends K1 and K3 there.
    let (north, south) = (Location::new(51.60, -0.10), Location::new(51.50, -0.10));
    let regret = |home: Location| {
        ((home.distance_km(&south) - home.distance_km(&north)) * 1000.0).round() as i64
    };
    let (k1, k3) = (Location::new(51.62, -0.10), Location::new(51.58, -0.10));
    assert_eq!(s.objective.values()[2], regret(k3));
    assert_eq!(f.objective.values()[2], regret(k1) + regret(k3));
}

#[test]
fn nearest_site_without_homes_is_first_come_first_served() {
    let mut p = common::legacy_problem(NEAREST);
    for r in &mut p.referrals {
        r.home = None;
    }
    let nearest = booked(&p, Baseline::NearestSiteFirst);
    let fcfs = booked(&p, Baseline::FirstComeFirstServed);
    assert_eq!(bookings(&nearest), bookings(&fcfs));
    assert_eq!(nearest.objective, fcfs.objective);
}

// ---------------------------------------------------------------------------------------------
// Pathway order and one patient, one place
// ---------------------------------------------------------------------------------------------

/// CLINIC (a results clinic) follows SCAN by at least 2 days, both for patient P1; CLINIC's
/// clock started first. Patient P2 has an MRI and a CT whose earliest slots overlap (09:00-09:30
/// and 09:15-09:45 on 3 December).
const PATHWAY: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "A", "name": "Site A", "kind": "nhs_trust",
     "location": {"latitude": 52.00, "longitude": 0.10}},
    {"id": "B", "name": "Site B", "kind": "community_diagnostic_centre",
     "location": {"latitude": 52.05, "longitude": 0.10}}
  ],
  "slots": [
    {"id": "M-0203", "site": "A", "service": {"diagnostic": "mri"}, "capacity": 2,
     "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
    {"id": "C-0202", "site": "A", "service": {"outpatient": "110"},
     "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T10:20:00Z"},
    {"id": "C-0204", "site": "B", "service": {"outpatient": "110"},
     "start": "2026-12-04T10:00:00Z", "end": "2026-12-04T10:20:00Z"},
    {"id": "C-0207", "site": "B", "service": {"outpatient": "110"},
     "start": "2026-12-07T10:00:00Z", "end": "2026-12-07T10:20:00Z"},
    {"id": "CT-0203", "site": "B", "service": {"diagnostic": "ct"},
     "start": "2026-12-03T09:15:00Z", "end": "2026-12-03T09:45:00Z"},
    {"id": "CT-0210", "site": "B", "service": {"diagnostic": "ct"},
     "start": "2026-12-10T09:15:00Z", "end": "2026-12-10T09:45:00Z"}
  ],
  "referrals": [
    {"id": "CLINIC", "patient": "P1", "service": {"outpatient": "110"},
     "clock_start": "2026-10-01", "standards": ["rtt_18_weeks"], "duration_minutes": 20},
    {"id": "SCAN", "patient": "P1", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-15", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "Q-MRI", "patient": "P2", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-10", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "Q-CT", "patient": "P2", "service": {"diagnostic": "ct"},
     "clock_start": "2026-10-20", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ],
  "pathway_steps": [
    {"before": {"referral": "SCAN"}, "after": "CLINIC", "min_gap_days": 2}
  ]
}"#;

#[test]
fn pathway_steps_first_and_patients_in_one_place() {
    let p = common::legacy_problem(PATHWAY);
    // No homes and every referral routine: the three baselines take the same order and give
    // the same schedule.
    let s = booked(&p, Baseline::FirstComeFirstServed);
    // Ranked CLINIC (1 Oct), Q-MRI (10 Oct), Q-CT (20 Oct), SCAN (15 Nov); CLINIC waits for
    // SCAN, so SCAN is considered first: M-0203, 3 December 09:00. CLINIC: 2 December is before
    // the scan, 4 December only 1 day after it (gap 2), so 7 December. Q-MRI: M-0203's second
    // place. Q-CT: CT-0203 (09:15-09:45) overlaps Q-MRI (09:00-09:30), so CT-0210.
    assert_eq!(
        bookings(&s),
        vec![
            ("CLINIC", Some("C-0207")),
            ("SCAN", Some("M-0203")),
            ("Q-MRI", Some("M-0203")),
            ("Q-CT", Some("CT-0210")),
        ]
    );
    // Q-MRI is due 21 November (booked 3 December) and Q-CT 1 December (booked 10 December).
    assert_eq!(breached(&s), vec!["Q-MRI", "Q-CT"]);
    assert_eq!(s.objective.values()[0], 2);
    for baseline in [Baseline::PriorityThenFcfs, Baseline::NearestSiteFirst] {
        assert_eq!(bookings(&booked(&p, baseline)), bookings(&s), "{baseline}");
    }
    let best = optimised(&p);
    assert!(best.objective.values()[0] <= s.objective.values()[0]);
}

#[test]
fn a_later_step_waits_for_its_earlier_step() {
    // The scan needs contrast, which no site offers: it has no candidate slot, so the clinic
    // cannot be booked either, and says which step it waits for.
    let mut p = common::legacy_problem(PATHWAY);
    p.referrals[1]
        .requirements
        .insert(Capability::from("contrast"));
    for baseline in Baseline::ALL {
        let s = booked(&p, baseline);
        assert_eq!(
            reason(&s, "CLINIC"),
            &UnbookedReason::PathwayOrder {
                candidates: 3,
                before: ReferralId::from("SCAN"),
            },
            "{baseline}"
        );
        assert!(matches!(
            reason(&s, "SCAN"),
            UnbookedReason::NoCandidate { .. }
        ));
    }
}

#[test]
fn a_clash_the_patient_cannot_avoid_leaves_the_later_referral_unbooked() {
    // Without CT-0210, Q-CT's only slot overlaps Q-MRI's booking.
    let mut p = common::legacy_problem(PATHWAY);
    p.slots.retain(|s| s.id.as_str() != "CT-0210");
    for baseline in Baseline::ALL {
        let s = booked(&p, baseline);
        assert_eq!(
            reason(&s, "Q-CT"),
            &UnbookedReason::PatientClash {
                candidates: 1,
                with: ReferralId::from("Q-MRI"),
            },
            "{baseline}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Pinned bookings are kept; sessions that pack appointments by minutes
// ---------------------------------------------------------------------------------------------

/// PIN holds X (2 December) pinned; FOLLOW is a clinic at least 3 days after PIN. LIST-A is a
/// 4-hour theatre list that takes 120 minutes, 60 of them pinned to PIN-L; LIST-B takes 240.
const PINNED: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [
    {"id": "A", "name": "Site A", "kind": "nhs_trust",
     "location": {"latitude": 53.40, "longitude": -1.50}},
    {"id": "B", "name": "Site B", "kind": "independent_sector",
     "location": {"latitude": 53.50, "longitude": -1.50}}
  ],
  "slots": [
    {"id": "X", "site": "A", "service": {"diagnostic": "mri"},
     "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"},
    {"id": "Y", "site": "B", "service": {"diagnostic": "mri"},
     "start": "2026-12-09T09:00:00Z", "end": "2026-12-09T09:30:00Z"},
    {"id": "LIST-A", "site": "A", "service": {"operation": "cataract"},
     "capacity": 4, "minutes_capacity": 120,
     "start": "2026-12-04T08:00:00Z", "end": "2026-12-04T12:00:00Z"},
    {"id": "LIST-B", "site": "B", "service": {"operation": "cataract"},
     "capacity": 4, "minutes_capacity": 240,
     "start": "2026-12-11T08:00:00Z", "end": "2026-12-11T12:00:00Z"},
    {"id": "CL-0203", "site": "A", "service": {"outpatient": "130"},
     "start": "2026-12-03T14:00:00Z", "end": "2026-12-03T14:20:00Z"},
    {"id": "CL-0208", "site": "A", "service": {"outpatient": "130"},
     "start": "2026-12-08T14:00:00Z", "end": "2026-12-08T14:20:00Z"}
  ],
  "referrals": [
    {"id": "PIN", "patient": "P1", "service": {"diagnostic": "mri"},
     "clock_start": "2026-11-25", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "existing_booking": {"slot": "X", "pinned": true}},
    {"id": "EARLY", "patient": "P2", "service": {"diagnostic": "mri"},
     "clock_start": "2026-10-01", "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "FOLLOW", "patient": "P1", "service": {"outpatient": "130"},
     "clock_start": "2026-09-01", "standards": ["rtt_18_weeks"], "duration_minutes": 20},
    {"id": "PIN-L", "patient": "P3", "service": {"operation": "cataract"},
     "clock_start": "2026-11-01", "standards": ["rtt_18_weeks"], "duration_minutes": 60,
     "existing_booking": {"slot": "LIST-A", "pinned": true}},
    {"id": "L1", "patient": "P4", "service": {"operation": "cataract"},
     "clock_start": "2026-10-01", "standards": ["rtt_18_weeks"], "duration_minutes": 45},
    {"id": "L2", "patient": "P5", "service": {"operation": "cataract"},
     "clock_start": "2026-10-05", "standards": ["rtt_18_weeks"], "duration_minutes": 30},
    {"id": "L3", "patient": "P6", "service": {"operation": "cataract"},
     "clock_start": "2026-10-10", "standards": ["rtt_18_weeks"], "duration_minutes": 15}
  ],
  "pathway_steps": [
    {"before": {"referral": "PIN"}, "after": "FOLLOW", "min_gap_days": 3}
  ]
}"#;

#[test]
fn pinned_bookings_are_kept_and_sessions_fill_by_minutes() {
    let p = common::legacy_problem(PINNED);
    for baseline in Baseline::ALL {
        let s = booked(&p, baseline);
        // PIN keeps X, so EARLY (the longest MRI waiter) gets Y. FOLLOW must be 3 days after
        // PIN's 2 December: not 3 December, 8 December. LIST-A has 120 - 60 (PIN-L) = 60 minutes
        // left: L1 (1 Oct, 45 minutes) takes it, leaving 15; L2 (30 minutes) does not fit and
        // goes to LIST-B; L3 (15 minutes) fits in LIST-A. No weights differ and no homes are
        // given, so every baseline books alike.
        assert_eq!(
            bookings(&s),
            vec![
                ("PIN", Some("X")),
                ("EARLY", Some("Y")),
                ("FOLLOW", Some("CL-0208")),
                ("PIN-L", Some("LIST-A")),
                ("L1", Some("LIST-A")),
                ("L2", Some("LIST-B")),
                ("L3", Some("LIST-A")),
            ],
            "{baseline}"
        );
        for id in ["PIN", "PIN-L"] {
            assert!(
                matches!(&s.outcome(id).unwrap().outcome, Outcome::Booked(b) if b.pinned),
                "{id}"
            );
        }
        // Inside LIST-A appointments follow each other by clock start (equal weights): L1 from
        // 08:00, L3 from 08:45, PIN-L from 09:00.
        let start = |id: &str| match &s.outcome(id).unwrap().outcome {
            Outcome::Booked(b) => b.start,
            Outcome::Unbooked(_) => panic!("{id} unbooked"),
        };
        assert_eq!(start("L1"), time("2026-12-04T08:00:00Z"));
        assert_eq!(start("L3"), time("2026-12-04T08:45:00Z"));
        assert_eq!(start("PIN-L"), time("2026-12-04T09:00:00Z"));
        // EARLY is due 12 November: the only breach.
        assert_eq!(breached(&s), vec!["EARLY"]);
        assert_eq!(s.objective.values()[0], 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Property: every baseline validates, and the optimiser is never worse on tier 1
// ---------------------------------------------------------------------------------------------

/// Variety on top of a generated problem: pathway steps (always from an earlier referral to a
/// later one, so without cycles), shared patients, pinned bookings, short notice, surgical
/// classes. Each is a list of (referral, other referral or slot) picks.
#[derive(Clone, Debug)]
struct Twists {
    steps: Vec<(usize, usize, u32)>,
    shared: Vec<(usize, usize)>,
    pins: Vec<(usize, usize)>,
    surgical: Vec<(usize, u8)>,
    min_notice_days: u32,
}

fn twisted(mut p: Problem, t: &Twists) -> Problem {
    let n = p.referrals.len();
    let m = p.slots.len();
    if n == 0 {
        return p;
    }
    p.policy.min_notice_days = t.min_notice_days;
    for &(a, b, gap) in &t.steps {
        let (a, b) = (a % n, b % n);
        if a < b {
            p.pathway_steps.push(PathwayStep {
                before: Prerequisite::Referral(p.referrals[a].id.clone()),
                after: p.referrals[b].id.clone(),
                min_gap_days: gap,
            });
        }
    }
    for &(a, b) in &t.shared {
        let patient: PatientId = p.referrals[a % n].patient.clone();
        p.referrals[b % n].patient = patient;
    }
    for &(r, k) in &t.surgical {
        p.referrals[r % n].surgical_priority = match k % 4 {
            0 => Some(SurgicalPriority::P1b),
            1 => Some(SurgicalPriority::P2),
            2 => Some(SurgicalPriority::P3),
            _ => None,
        };
    }
    if m > 0 {
        // At most one pin per slot, and only for appointments that fit it.
        let mut used = vec![false; m];
        for &(r, k) in &t.pins {
            let (r, k) = (r % n, k % m);
            let fits = i64::from(p.referrals[r].duration_minutes) <= p.slots[k].duration_minutes();
            if !used[k] && fits && p.referrals[r].existing_booking.is_none() {
                used[k] = true;
                p.referrals[r].existing_booking = Some(ExistingBooking {
                    slot: p.slots[k].id.clone(),
                    pinned: true,
                    confirmed: false,
                    appointment_id: None,
                });
            }
        }
    }
    if p.check().is_err() {
        // Two pinned bookings of one patient that overlap: unpin them all.
        for r in &mut p.referrals {
            r.existing_booking = None;
        }
    }
    p
}

fn twists() -> impl Strategy<Value = Twists> {
    (
        prop::collection::vec((0usize..12, 0usize..12, 0u32..4), 0..4),
        prop::collection::vec((0usize..12, 0usize..12), 0..4),
        prop::collection::vec((0usize..12, 0usize..12), 0..3),
        prop::collection::vec((0usize..12, 0u8..4), 0..3),
        0u32..4,
    )
        .prop_map(|(steps, shared, pins, surgical, min_notice_days)| Twists {
            steps,
            shared,
            pins,
            surgical,
            min_notice_days,
        })
}

fn instance() -> impl Strategy<Value = InstanceConfig> {
    (
        1usize..12,
        1usize..10,
        1usize..4,
        1u32..3,
        2usize..8,
        any::<bool>(),
        5u32..30,
        20.0f64..80.0,
        any::<u64>(),
    )
        .prop_map(
            |(
                referrals,
                slots,
                sites,
                slot_capacity,
                candidates,
                sessions,
                horizon,
                wait,
                seed,
            )| {
                InstanceConfig {
                    referrals,
                    slots,
                    sites,
                    slot_capacity,
                    candidates_per_referral: candidates,
                    sessions,
                    horizon_days: horizon,
                    mean_wait_days: wait,
                    seed,
                }
            },
        )
}

proptest! {
    #![proptest_config(config(40))]

    #[test]
    fn baselines_validate_and_the_optimiser_is_never_worse_lexicographically(
        shape in instance(),
        twist in twists(),
        preset in proptest::sample::select(appointment_optimiser::Preset::ALL.to_vec()),
    ) {
        let mut problem = twisted(generate(&shape), &twist);
        problem.policy.objective = appointment_optimiser::Objective::Preset(preset);
        prop_assert!(problem.check().is_ok());
        let best = solve(&problem, &SolveOptions::new()).unwrap();
        prop_assert_eq!(validate(&problem, &best), vec![]);
        prop_assert_eq!(best.stats.status, SolveStatus::Optimal);
        for baseline in Baseline::ALL {
            let s = book(&problem, baseline).unwrap();
            prop_assert_eq!(validate(&problem, &s), vec![], "{}", baseline);
            prop_assert_eq!(s.outcomes.len(), problem.referrals.len());
            for (o, r) in s.outcomes.iter().zip(&problem.referrals) {
                prop_assert_eq!(&o.referral, &r.id);
            }
            // Proven optimal, so no worse in the lexicographic order of every tier.
            prop_assert!(
                best.objective.values() <= s.objective.values(),
                "{} under {}: optimiser {:?} > baseline {:?}",
                baseline,
                preset,
                best.objective.values(),
                s.objective.values()
            );
            // A baseline never claims a solver stopped on it.
            for o in &s.outcomes {
                let stopped = matches!(
                    o.outcome,
                    Outcome::Unbooked(UnbookedReason::SolverStopped { .. })
                );
                prop_assert!(!stopped, "{}: {}", baseline, o.referral);
            }
        }
    }
}

/// Cases the property test found, each checked as the property does: the optimiser proves the
/// schedule optimal, it validates, and no baseline has fewer weighted breaches.
fn check_found_case(shape: InstanceConfig, twist: Twists) {
    let problem = twisted(generate(&shape), &twist);
    let best = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &best), vec![]);
    assert_eq!(best.stats.status, SolveStatus::Optimal, "{:?}", best.stats);
    for baseline in Baseline::ALL {
        let s = book(&problem, baseline).unwrap();
        assert_eq!(validate(&problem, &s), vec![], "{baseline}");
        assert!(
            best.objective.values()[0] <= s.objective.values()[0],
            "{baseline}: optimiser {} > baseline {}",
            best.objective.values()[0],
            s.objective.values()[0]
        );
    }
}

/// Found in CI (December 2026) with HiGHS: a later tier with a zero objective, which HiGHS's
/// presolve reduced to empty and then failed on.
#[test]
fn found_sessions_shared_patient_and_pin_solve_to_optimal() {
    check_found_case(
        InstanceConfig {
            referrals: 10,
            slots: 9,
            sites: 2,
            slot_capacity: 2,
            candidates_per_referral: 2,
            sessions: true,
            horizon_days: 7,
            mean_wait_days: 58.67058643318649,
            seed: 4797559994009211476,
        },
        Twists {
            steps: vec![],
            shared: vec![(5, 1)],
            pins: vec![(7, 0)],
            surgical: vec![],
            min_notice_days: 2,
        },
    );
}

#[test]
fn found_sessions_shared_patient_and_pin_never_worse_than_a_baseline() {
    check_found_case(
        InstanceConfig {
            referrals: 8,
            slots: 4,
            sites: 2,
            slot_capacity: 1,
            candidates_per_referral: 3,
            sessions: true,
            horizon_days: 15,
            mean_wait_days: 20.920841694272433,
            seed: 7737404038530784192,
        },
        Twists {
            steps: vec![],
            shared: vec![(0, 2)],
            pins: vec![(9, 5)],
            surgical: vec![],
            min_notice_days: 0,
        },
    );
}
