//! Limits that hold: the same output whatever the number of threads and whatever the caller's
//! time zone, and a time limit that has run out before solving still returns a schedule (the
//! priority-then-FCFS one) with status `time_limit`, never an error or an empty answer.

mod common;
use appointment_optimiser::baselines::{self, Baseline};
use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::report::report;
use appointment_optimiser::{solve, validate, Method, Problem, SolveOptions, SolveStatus};
use common::bookings;
use std::process::Command;
use std::time::Duration;

const SMALL_CLINIC: &str = include_str!("../examples/data/small_clinic.json");

/// Several independent components of each kind: generated capacity-only sites far apart, and
/// the small clinic's MIP components.
fn many_components() -> Problem {
    let mut config = InstanceConfig::capacity_only(600, 150, 7);
    config.candidates_per_referral = 3;
    config.sites = 12;
    generate(&config)
}

fn solved_with_threads(problem: &Problem, threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let schedule = pool
        .install(|| solve(problem, &SolveOptions::new()))
        .unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    schedule.to_json()
}

#[test]
fn same_output_on_one_thread_and_on_four() {
    for problem in [many_components(), common::legacy_problem(SMALL_CLINIC)] {
        let one = solved_with_threads(&problem, 1);
        let prepared = appointment_optimiser::prepare(&problem).unwrap();
        assert!(prepared.component_count() > 1);
        for threads in [2, 4] {
            assert!(
                one == solved_with_threads(&problem, threads),
                "{threads} threads"
            );
        }
    }
}

#[test]
fn a_time_limit_that_ran_out_before_solving_keeps_the_priority_then_fcfs_schedule() {
    let problem = many_components();
    let options = SolveOptions::new().time_limit(Duration::ZERO);
    let schedule = solve(&problem, &options).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    let baseline = baselines::book(&problem, Baseline::PriorityThenFcfs).unwrap();
    assert_eq!(bookings(&schedule), bookings(&baseline));
    assert_eq!(schedule.stats.status, SolveStatus::TimeLimit);
    let prepared = appointment_optimiser::prepare(&problem).unwrap();
    assert_eq!(schedule.stats.components.len(), prepared.component_count());
    assert!(schedule.stats.components.iter().all(|c| {
        c.method == Method::NetworkFlow
            && c.status == SolveStatus::TimeLimit
            && c.message
                .as_deref()
                .is_some_and(|m| m.contains("not started"))
    }));
    // With time to spare the optimiser does at least as well on tier 1.
    let optimal = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(optimal.stats.status, SolveStatus::Optimal);
    assert!(optimal.objective.values()[0] <= schedule.objective.values()[0]);
}

const CHILD: &str = "APPOINTMENT_OPTIMISER_TZ_CHILD";

/// Slots around midnight in British Summer Time and on the day the clocks go back, so that
/// a time-zone mistake would move them to another NHS date.
const AROUND_MIDNIGHT: &str = r#"{
  "planning_date": "2026-07-01", "horizon_end": "2026-10-31",
  "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
             "location": {"latitude": 52.0, "longitude": -1.0}}],
  "slots": [
    {"id": "LATE-0714", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-07-14T23:30:00Z", "end": "2026-07-15T00:00:00Z"},
    {"id": "EARLY-0716", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-07-16T00:30:00+01:00", "end": "2026-07-16T01:00:00+01:00"},
    {"id": "CLOCKS-1025", "site": "S", "service": {"diagnostic": "mri"},
     "start": "2026-10-25T00:30:00Z", "end": "2026-10-25T01:00:00Z"}
  ],
  "referrals": [
    {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"}, "clock_start": "2026-06-02",
     "standards": [{"custom_days": 43}], "duration_minutes": 30},
    {"id": "R2", "patient": "P2", "service": {"diagnostic": "mri"}, "clock_start": "2026-06-20",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
     "unavailable": [{"from": "2026-07-14", "to": "2026-07-14"}]},
    {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"}, "clock_start": "2026-06-25",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ]
}"#;

/// What the library writes for the two problems: schedules and reports as JSON.
fn output() -> String {
    let mut out = String::new();
    for json in [SMALL_CLINIC, AROUND_MIDNIGHT] {
        let problem = common::legacy_problem(json);
        let schedule = solve(&problem, &SolveOptions::new()).unwrap();
        assert_eq!(validate(&problem, &schedule), vec![]);
        out.push_str(&schedule.to_json());
        out.push_str(&report(&problem, &schedule).unwrap().to_json());
    }
    out
}

/// Run only as a child of [`same_output_in_every_time_zone`], with `TZ` set.
#[test]
#[ignore = "run in a child process by same_output_in_every_time_zone"]
fn time_zone_child() {
    if std::env::var_os(CHILD).is_some() {
        print!("<<<{}>>>", output());
    }
}

#[test]
fn same_output_in_every_time_zone() {
    let here = output();
    // LATE-0714 is on 15 July (00:30 BST), EARLY-0716 on 16 July, CLOCKS-1025 on 25 October
    // (01:30 BST, before the clocks go back at 02:00 BST).
    assert!(here.contains(r#""date": "2026-07-15""#), "{here}");
    assert!(here.contains(r#""date": "2026-07-16""#), "{here}");
    let exe = std::env::current_exe().unwrap();
    for tz in [
        "UTC",
        "Europe/London",
        "Pacific/Auckland",
        "America/Los_Angeles",
    ] {
        let child = Command::new(&exe)
            .args([
                "--exact",
                "time_zone_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("TZ", tz)
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(child.status.success(), "TZ={tz}");
        let stdout = String::from_utf8(child.stdout).unwrap();
        let (_, rest) = stdout.split_once("<<<").unwrap();
        let (theirs, _) = rest.rsplit_once(">>>").unwrap();
        assert!(theirs == here, "output differs under TZ={tz}");
    }
}

/// Costs beyond cost scaling's bounds but inside the network simplex's: treat in turn, with a
/// priority weight of 10^8 and waits of about 3,000 days, costs about 10^15 per arc, which cost
/// scaling refuses on a component of this size. The simplex solves the tier instead, to the same
/// optimum, and the component's statistics say so (status still `optimal`).
#[test]
fn a_cost_scaling_fallback_is_recorded() {
    let mut problem = generate(&InstanceConfig::capacity_only(200, 50, 3));
    let w = 100_000_000;
    let weights = &mut problem.policy.breach_weights;
    (
        weights.routine,
        weights.urgent,
        weights.urgent_suspected_cancer,
    ) = (w, w, w);
    for r in &mut problem.referrals {
        r.clock_start = r.clock_start - chrono::Days::new(3_000);
    }
    let scaled = solve(&problem, &SolveOptions::new()).unwrap();
    let simplex = solve(&problem, &SolveOptions::new().cost_scaling(false)).unwrap();
    assert_eq!(validate(&problem, &scaled), vec![]);
    assert_eq!(scaled.objective, simplex.objective);
    assert_eq!(scaled.stats.status, SolveStatus::Optimal);
    let fallen: Vec<_> = scaled
        .stats
        .components
        .iter()
        .filter(|c| c.method == Method::NetworkFlow)
        .collect();
    assert!(!fallen.is_empty(), "{:?}", scaled.stats);
    for c in &fallen {
        assert_eq!(c.status, SolveStatus::Optimal);
        let message = c.message.as_deref().unwrap_or("");
        assert!(
            message.contains("tier treat_in_turn: cost scaling refused")
                && message.contains("solved by the network simplex"),
            "{message}"
        );
    }
    // Counted as solved by network flow, and no fallback without cost scaling.
    assert_eq!(
        scaled.stats.network_components,
        scaled.stats.component_count
    );
    assert!(simplex.stats.components.is_empty());
}
