//! Small instances whose optimum is worked out by hand, on every compiled backend and on the
//! network path. Every schedule passes the independent validator.

mod common;
use appointment_optimiser::{
    solve, validate, Backend, Location, Outcome, Problem, Schedule, SolveOptions, SolveStatus,
    UnbookedReason,
};
use common::bookings;

const SMALL_CLINIC: &str = include_str!("../examples/data/small_clinic.json");

fn solved(problem: &Problem, options: &SolveOptions) -> Schedule {
    let schedule = solve(problem, options).unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    assert_eq!(schedule.outcomes.len(), problem.referrals.len());
    schedule
}

#[test]
fn small_clinic_optimum_on_every_backend() {
    let problem = common::legacy_problem(SMALL_CLINIC);
    for backend in Backend::compiled() {
        let s = solved(&problem, &SolveOptions::new().backend(backend));
        // MRI: R-RTN-1 needs contrast (Riverside only) on or before 5 December (its clinic
        // R-TO-1 follows 3 days later on 8 December): Riverside 3 December. R-USC-1 is due
        // 18 December: Northgate 4 December. R-RTN-2 is away until 10 December and is due 22
        // December: the two later slots remain; the convex tier 2 gives the longer waiter
        // (R-RTN-2, 35 days on 15 December) the earlier one.
        // Clinic: one place left beside the pinned R-TO-2; R-TO-1 (urgent, 160 days on
        // 8 December) gains 4 * (184^2 - 160^2) = 33,024 from it, R-TO-3 only 92^2 - 68^2 = 3,840.
        // Colonoscopy list, 240 minutes: R-COL-1 (60) breaches whether booked or not (due 1
        // December, list on 10 December), so R-COL-2 (90) and R-COL-3 (120) take the list.
        assert_eq!(
            bookings(&s),
            vec![
                ("R-USC-1", Some("MRI-NCDC-0904")),
                ("R-RTN-1", Some("MRI-RIV-0903")),
                ("R-RTN-2", Some("MRI-NCDC-1215")),
                ("R-RTN-3", Some("MRI-RIV-1222")),
                ("R-TO-1", Some("TO-CLINIC-1208")),
                ("R-TO-2", Some("TO-CLINIC-1208")),
                ("R-TO-3", None),
                ("R-COL-1", None),
                ("R-COL-2", Some("ENDO-LIST-1210")),
                ("R-COL-3", Some("ENDO-LIST-1210")),
                ("R-CT-1", None),
            ],
            "backend {backend}"
        );
        // Tier 1: R-TO-1 (urgent, weight 4) is long past its 4 November breach date; R-COL-1
        // and R-CT-1 (no CT slot) are unbooked with due dates inside the horizon: 4 + 1 + 1.
        assert_eq!(s.objective.values()[0], 6);
        // Tier 2, weight * days waited^2: 16*14^2 + 38^2 + 35^2 + 27^2 + 4*160^2 + 84^2 (pinned)
        // + 92^2 + 73^2 + 61^2 (unbooked, counted to 1 January) + 38^2 + 24^2 = 135,524.
        assert_eq!(s.objective.values()[1], 135_524);
        // Tier 3: R-RTN-3 lives 1.3 km from Northgate but is booked at Riverside.
        let home = Location::new(51.59, -0.11);
        let regret = home.distance_km(&Location::new(51.50, -0.10))
            - home.distance_km(&Location::new(51.60, -0.10));
        assert_eq!(s.objective.values()[2], (regret * 1000.0).round() as i64);
        assert_eq!(s.stats.status, SolveStatus::Optimal);

        let col3 = s.outcome("R-COL-3").unwrap();
        match &col3.outcome {
            // Packed after R-COL-2 (clock start 2 November, 90 minutes) from 08:30.
            Outcome::Booked(b) => assert_eq!(b.start.to_rfc3339(), "2026-12-10T10:00:00+00:00"),
            other => panic!("{other:?}"),
        }
        let ct = s.outcome("R-CT-1").unwrap();
        match &ct.outcome {
            Outcome::Unbooked(UnbookedReason::NoCandidate { exclusions }) => {
                assert_eq!(exclusions.reasons(), vec![("service", 6)])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((ct.breached, ct.days_late), (true, 19));
    }
}

/// One slot, two referrals. Booking the long waiter B (700 days on 2 December) is worth far more
/// in tier 2 (729^2 - 700^2 = 41,441) than booking A (67^2 - 38^2 = 3,045), but A is due on
/// 6 December and breaches if left unbooked, while B breaches either way: tier 1 must win,
/// whatever the size of tier 2.
const STRICT_TIERS: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-30",
  "sites": [{"id": "S", "name": "Site", "kind": "nhs_trust", "location": {"latitude": 52.0, "longitude": -1.0}}],
  "slots": [{"id": "X", "site": "S", "service": {"diagnostic": "ct"},
             "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:30:00Z"}],
  "referrals": [
    {"id": "A", "patient": "PA", "service": {"diagnostic": "ct"}, "clock_start": "2026-10-25",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
    {"id": "B", "patient": "PB", "service": {"diagnostic": "ct"}, "clock_start": "2025-01-01",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ]
}"#;

#[test]
fn no_amount_of_tier_two_buys_a_breach() {
    let problem = common::legacy_problem(STRICT_TIERS);
    for options in [SolveOptions::new(), SolveOptions::new().network_flow(false)] {
        let s = solved(&problem, &options);
        assert_eq!(bookings(&s), vec![("A", Some("X")), ("B", None)]);
        assert_eq!(s.objective.values()[0], 1);
        // A waits 38 days; B is counted to 31 December: 729 days.
        assert_eq!(s.objective.values()[1], 38 * 38 + 729 * 729);
    }
}

/// Capacity only: three referrals, two single slots at two sites, nobody breaches in the
/// horizon. Tier 2 books the two longest waiters (C and A) and leaves B; tier 3 then puts each at
/// its nearer site.
const TRAVEL: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-02",
  "sites": [
    {"id": "N", "name": "North", "kind": "nhs_trust", "location": {"latitude": 53.0, "longitude": -1.0}},
    {"id": "S", "name": "South", "kind": "independent_sector", "location": {"latitude": 52.0, "longitude": -1.0}}],
  "slots": [
    {"id": "XN", "site": "N", "service": {"outpatient": "130"}, "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:20:00Z"},
    {"id": "XS", "site": "S", "service": {"outpatient": "130"}, "start": "2026-12-02T09:00:00Z", "end": "2026-12-02T09:20:00Z"}],
  "referrals": [
    {"id": "A", "patient": "PA", "service": {"outpatient": "130"}, "clock_start": "2026-11-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20, "home": {"latitude": 52.1, "longitude": -1.0}},
    {"id": "B", "patient": "PB", "service": {"outpatient": "130"}, "clock_start": "2026-11-20",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20, "home": {"latitude": 52.9, "longitude": -1.0}},
    {"id": "C", "patient": "PC", "service": {"outpatient": "130"}, "clock_start": "2026-10-01",
     "standards": ["rtt_18_weeks"], "duration_minutes": 20, "home": {"latitude": 52.8, "longitude": -1.0}}
  ]
}"#;

#[test]
fn capacity_only_network_and_lp_agree_on_the_hand_optimum() {
    let problem = common::legacy_problem(TRAVEL);
    let network = solved(&problem, &SolveOptions::new());
    let lp = solved(&problem, &SolveOptions::new().network_flow(false));
    assert_eq!(network.stats.network_components, 1);
    assert_eq!(lp.stats.network_components, 0);
    for s in [&network, &lp] {
        assert_eq!(
            bookings(s),
            vec![("A", Some("XS")), ("B", None), ("C", Some("XN"))]
        );
        assert_eq!(s.objective.values()[0], 0);
        // A 31 days, C 62 days on 2 December; B unbooked counted to 3 December: 13 days.
        assert_eq!(s.objective.values()[1], 31 * 31 + 62 * 62 + 13 * 13);
        // Both at their nearest site.
        assert_eq!(s.objective.values()[2], 0);
    }
    assert_eq!(network.outcomes, lp.outcomes);
}

#[test]
fn an_empty_problem_gives_an_empty_schedule() {
    let problem = Problem::from_json(
        r#"{"planning_date": "2026-12-01", "horizon_end": "2026-12-01",
            "sites": [], "slots": [], "referrals": []}"#,
    )
    .unwrap();
    let s = solved(&problem, &SolveOptions::new());
    assert!(s.outcomes.is_empty());
    // The default objective, nhs_england: eleven tiers, every one 0.
    assert_eq!(s.objective.values(), vec![0; 11]);
    assert_eq!(s.objective.tiers[0].tier, "cancelled_confirmed");
    assert_eq!(s.objective.tiers[1].tier, "clinical_days_late");
    assert_eq!(
        s.objective.tiers[8].tier,
        "rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days"
    );
}

/// The NHS date of a slot is its Europe/London date: 23:30 UTC on 15 July is 00:30 BST on 16
/// July, a day after the referral's due date.
#[test]
fn a_slot_just_after_midnight_in_summer_time_is_on_the_next_day() {
    let json = r#"{
      "planning_date": "2026-07-01", "horizon_end": "2026-07-31",
      "sites": [{"id": "S", "name": "Site", "kind": "nhs_trust", "location": {"latitude": 52.0, "longitude": -1.0}}],
      "slots": [{"id": "LATE", "site": "S", "service": {"diagnostic": "sleep_studies"},
                 "start": "2026-07-15T23:30:00Z", "end": "2026-07-16T07:00:00Z"}],
      "referrals": [{"id": "R", "patient": "P", "service": {"diagnostic": "sleep_studies"},
                     "clock_start": "2026-06-03", "standards": ["diagnostic_6_weeks"], "duration_minutes": 420}]
    }"#;
    let problem = common::legacy_problem(json);
    let s = solved(&problem, &SolveOptions::new());
    let o = s.outcome("R").unwrap();
    // Clock start 3 June + 42 days = 15 July; the slot's NHS date is 16 July: one day late.
    assert_eq!(o.due_date.to_string(), "2026-07-15");
    match &o.outcome {
        Outcome::Booked(b) => assert_eq!(b.date.to_string(), "2026-07-16"),
        other => panic!("{other:?}"),
    }
    assert_eq!((o.breached, o.days_late), (true, 1));
}

/// The reason given for a referral whose candidate slot stays empty names the rule that kept it
/// out: the earlier pathway step booked too late, or the patient's other appointment.
#[test]
fn unbooked_reasons_name_the_pathway_step_or_the_clash() {
    let json = r#"{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "sites": [{"id": "S", "name": "Site", "kind": "nhs_trust", "location": {"latitude": 52.0, "longitude": -1.0}}],
      "slots": [
        {"id": "CT-10", "site": "S", "service": {"diagnostic": "ct"}, "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"},
        {"id": "OP-11", "site": "S", "service": {"outpatient": "100"}, "start": "2026-12-11T09:00:00Z", "end": "2026-12-11T09:30:00Z"},
        {"id": "US-15", "site": "S", "service": {"diagnostic": "non_obstetric_ultrasound"}, "start": "2026-12-15T10:00:00Z", "end": "2026-12-15T10:30:00Z"},
        {"id": "ECHO-15", "site": "S", "service": {"diagnostic": "echocardiography"}, "start": "2026-12-15T10:15:00Z", "end": "2026-12-15T10:45:00Z"}
      ],
      "referrals": [
        {"id": "SCAN", "patient": "P1", "service": {"diagnostic": "ct"}, "clock_start": "2026-11-20",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "CLINIC", "patient": "P1", "service": {"outpatient": "100"}, "clock_start": "2026-11-20",
         "standards": ["rtt_18_weeks"], "duration_minutes": 30},
        {"id": "US", "patient": "P2", "service": {"diagnostic": "non_obstetric_ultrasound"}, "clock_start": "2026-11-20",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "priority": "urgent"},
        {"id": "ECHO", "patient": "P2", "service": {"diagnostic": "echocardiography"}, "clock_start": "2026-11-20",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
      ],
      "pathway_steps": [{"before": {"referral": "SCAN"}, "after": "CLINIC", "min_gap_days": 3}]
    }"#;
    let problem = common::legacy_problem(json);
    let s = solved(&problem, &SolveOptions::new());
    // The scan on 10 December leaves the clinic on 11 December inside the 3-day gap. Booking
    // the ultrasound (urgent, weight 4) on 15 December saves 4 * (42^2 - 25^2) = 4,556 of tier 2
    // against 42^2 - 25^2 = 1,139 for the echo, so it takes 10:00-10:30 and P2's echo at 10:15
    // would overlap it.
    assert_eq!(
        bookings(&s),
        vec![
            ("SCAN", Some("CT-10")),
            ("CLINIC", None),
            ("US", Some("US-15")),
            ("ECHO", None)
        ]
    );
    let reason = |id: &str| match &s.outcome(id).unwrap().outcome {
        Outcome::Unbooked(reason) => reason.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reason("CLINIC"),
        UnbookedReason::PathwayOrder {
            candidates: 1,
            before: "SCAN".into()
        }
    );
    assert_eq!(
        reason("ECHO"),
        UnbookedReason::PatientClash {
            candidates: 1,
            with: "US".into()
        }
    );
}

/// With no time at all, a MIP component still gets a schedule: the priority-then-FCFS start it
/// was given, so the optimiser is never worse than that baseline on tier 1.
#[test]
fn without_time_the_mip_keeps_its_starting_schedule() {
    let problem = common::legacy_problem(SMALL_CLINIC);
    let baseline = appointment_optimiser::baselines::book(
        &problem,
        appointment_optimiser::baselines::Baseline::PriorityThenFcfs,
    )
    .unwrap();
    let s = solved(
        &problem,
        &SolveOptions::new().time_limit(std::time::Duration::ZERO),
    );
    assert!(s.objective.values()[0] <= baseline.objective.values()[0]);
    assert!(s.outcomes.iter().all(|o| !matches!(
        o.outcome,
        Outcome::Unbooked(UnbookedReason::SolverStopped { .. })
    )));
    assert_ne!(s.stats.status, SolveStatus::NoSolution);
}

/// Under the default objective the colonoscopy list books R-COL-1 (60 minutes) and R-COL-2
/// (90) in its 240 minutes: 90 minutes are left, too few for R-COL-3 (120), and the summary
/// says so beside R-COL-3's breach.
#[test]
fn the_summary_shows_unused_minutes() {
    let problem = Problem::from_json(SMALL_CLINIC).unwrap();
    let s = solved(&problem, &SolveOptions::new());
    let text = s.summary(&problem);
    assert!(
        text.contains("Unused capacity in 1 slots (free places or minutes no booking took): ENDO-LIST-1210 (2026-12-10) 90 min"),
        "{text}"
    );
}
