//! Model export: the exact MPS and DIMACS text of a hand-worked component, and round trips (the
//! exported files read back by readers written here, independently of the writers, solved by a
//! `good_lp` backend, and compared with the optimiser's values). Every schedule passes the
//! independent validator.
//!
//! The readers solve with microlp, the default backend: without it these tests are left out.
#![cfg(feature = "microlp")]

mod common;

use appointment_optimiser::export::{
    component_values, is_capacity_only, lexicographic_weights, objective_value, write_dimacs,
    write_mps, ExportObjective,
};
use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{
    prepare, validate, Error, Prepared, Problem, Schedule, SiteId, SolveOptions, SolveStatus,
};
use std::collections::HashMap;

/// Three referrals for two MRI slots of capacity 1, at sites S1 (3 December) and S2
/// (10 December). No home locations: tier 3 is only the non-preferred-site penalty (10 km).
///
/// - R1: routine (weight 1), clock start 1 November, due 13 December, prefers S1.
/// - R2: urgent (weight 4), clock start 1 October, due 12 November: breaches whatever happens.
/// - R3: routine, clock start 20 November, due 1 January 2027: after the horizon.
///
/// Costs (tier 1, tier 2 = weight * days waited², tier 3 in metres), unbooked counted to the
/// day after the horizon (1 January):
///
/// | referral | A (3 Dec)       | B (10 Dec)         | unbooked       |
/// |----------|-----------------|--------------------|----------------|
/// | R1       | 0, 32² = 1024, 0 | 0, 39² = 1521, 10000 | 1, 61² = 3721, 0 |
/// | R2       | 4, 4*63² = 15876, 0 | 4, 4*70² = 19600, 0 | 4, 4*92² = 33856, 0 |
/// | R3       | 0, 13² = 169, 0 | 0, 20² = 400, 0    | 0, 42² = 1764, 0 |
///
/// Tier 1: R2 breaches anyway (4), R1 must be booked (else 1 more): 4. Tier 2 with R1 booked:
/// R1 A + R2 B = 1024 + 19600 + 1764 = 22388; R1 A + R3 B = 35280; R1 B + R2 A = 1521 + 15876 +
/// 1764 = 19161; R1 B + R3 A = 35546. So 19161: R1 at B (S2, not preferred), R2 at A, R3
/// unbooked; tier 3 = 10000.
const TINY: &str = r#"{
  "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
  "sites": [{"id": "S1", "name": "One", "kind": "nhs_trust",
             "location": {"latitude": 51.5, "longitude": 0.0}},
            {"id": "S2", "name": "Two", "kind": "community_diagnostic_centre",
             "location": {"latitude": 51.6, "longitude": 0.0}}],
  "slots": [{"id": "A", "site": "S1", "service": {"diagnostic": "mri"},
             "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
            {"id": "B", "site": "S2", "service": {"diagnostic": "mri"},
             "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}],
  "referrals": [
    {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "preferred_sites": ["S1"]},
    {"id": "R2", "patient": "P2", "service": {"diagnostic": "mri"}, "clock_start": "2026-10-01",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "priority": "urgent"},
    {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-20",
     "standards": ["diagnostic_6_weeks"], "duration_minutes": 30}
  ]
}"#;

fn solved(prepared: &Prepared<'_>, problem: &Problem) -> Schedule {
    let schedule = prepared.solve(&SolveOptions::new()).unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    assert_eq!(schedule.stats.status, SolveStatus::Optimal);
    schedule
}

fn mps(prepared: &Prepared<'_>, component: usize, objective: &ExportObjective) -> String {
    let mut out = Vec::new();
    write_mps(prepared, component, objective, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn dimacs(prepared: &Prepared<'_>, component: usize, objective: &ExportObjective) -> String {
    let mut out = Vec::new();
    write_dimacs(prepared, component, objective, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn hand_worked_values_and_weights() {
    let problem = common::legacy_problem(TINY);
    let prepared = prepare(&problem).unwrap();
    assert_eq!(prepared.component_count(), 1);
    assert!(is_capacity_only(&prepared, 0).unwrap());
    let schedule = solved(&prepared, &problem);
    assert_eq!(
        component_values(&prepared, 0, &schedule).unwrap(),
        [4, 19161, 10000]
    );
    // range 3 = 10000 (R1: 0 to 10000): w2 = 10001. range 2 = (3721 - 1024) + (33856 - 15876)
    // + (1764 - 169) = 22272: w1 = 22273 * 10001 = 222752273.
    assert_eq!(
        lexicographic_weights(&prepared, 0).unwrap(),
        [222_752_273, 10_001, 1]
    );
    // 4 * 222752273 + 19161 * 10001 + 10000
    assert_eq!(
        objective_value(&prepared, 0, &ExportObjective::Lexicographic, &schedule).unwrap(),
        1_082_648_253
    );
    assert_eq!(
        objective_value(&prepared, 0, &ExportObjective::Tier(1), &schedule).unwrap(),
        19161
    );
}

#[test]
fn hand_worked_mps_text() {
    let problem = common::legacy_problem(TINY);
    let prepared = prepare(&problem).unwrap();
    let objective = ExportObjective::TierAfter {
        tier: 1,
        earlier: vec![4],
    };
    // Columns relative to unbooked: tier 2 R1 1024 - 3721 = -2697, 1521 - 3721 = -2200; R2
    // 15876 - 33856 = -17980, 19600 - 33856 = -14256; R3 169 - 1764 = -1595, 400 - 1764 =
    // -1364. Constant 3721 + 33856 + 1764 = 39341. Tier 1 relative: R1 -1 on both slots, R2 0,
    // R3 0; constant 1 + 4 = 5, so the fixing row's RHS is 4 - 5 = -1.
    let expected = "\
* appointment-optimiser: component 0, 3 referrals, 2 slots, 6 columns, 6 rows
* objective: minimise tier 2 treat_in_turn with tier 1 clock_stop_breaches <= 4
* objective constant: 39341 (the RHS of row obj is its negation)
* column x<r>_<s>: referral r booked in slot s (positions in the problem's referrals and slots, from 0)
NAME component_0
ROWS
 N obj
 L once_r0
 L once_r1
 L once_r2
 L count_s0
 L count_s1
 L fix_tier_1
COLUMNS
 x0_0 obj -2697
 x0_0 once_r0 1
 x0_0 count_s0 1
 x0_0 fix_tier_1 -1
 x0_1 obj -2200
 x0_1 once_r0 1
 x0_1 count_s1 1
 x0_1 fix_tier_1 -1
 x1_0 obj -17980
 x1_0 once_r1 1
 x1_0 count_s0 1
 x1_1 obj -14256
 x1_1 once_r1 1
 x1_1 count_s1 1
 x2_0 obj -1595
 x2_0 once_r2 1
 x2_0 count_s0 1
 x2_1 obj -1364
 x2_1 once_r2 1
 x2_1 count_s1 1
RHS
 RHS obj -39341
 RHS once_r0 1
 RHS once_r1 1
 RHS once_r2 1
 RHS count_s0 1
 RHS count_s1 1
 RHS fix_tier_1 -1
BOUNDS
 UP BND x0_0 1
 UP BND x0_1 1
 UP BND x1_0 1
 UP BND x1_1 1
 UP BND x2_0 1
 UP BND x2_1 1
ENDATA
";
    assert_eq!(mps(&prepared, 0, &objective), expected);
    // The same bytes every time.
    assert_eq!(mps(&prepared, 0, &objective), expected);
    // Its optimum, read back and solved, is the hand-worked 19161.
    assert_eq!(solve_mps(&mps(&prepared, 0, &objective)), 19161);
}

#[test]
fn hand_worked_dimacs_text() {
    let problem = common::legacy_problem(TINY);
    let prepared = prepare(&problem).unwrap();
    // Arc costs w1*t1 + w2*t2 + t3 with w = (222752273, 10001, 1), e.g. R1 at B:
    // 1521 * 10001 + 10000 = 15221521; R1 unbooked: 222752273 + 3721 * 10001 = 259965994.
    let expected = "\
c appointment-optimiser: component 0, 3 referrals, 2 slots
c cost: 222752273 * clock_stop_breaches + 10001 * treat_in_turn + 1 * travel_regret (exactly lexicographic)
c nodes 1..3 referrals (supply 1), 4..5 slots, 6 sink; the optimum is the objective value
p min 6 11
n 1 1
n 2 1
n 3 1
n 6 -3
a 1 4 0 1 10241024
a 1 5 0 1 15221521
a 1 6 0 1 259965994
a 2 4 0 1 1049784968
a 2 5 0 1 1087028692
a 2 6 0 1 1229602948
a 3 4 0 1 1690169
a 3 5 0 1 4000400
a 3 6 0 1 17641764
a 4 6 0 1 0
a 5 6 0 1 0
";
    assert_eq!(
        dimacs(&prepared, 0, &ExportObjective::Lexicographic),
        expected
    );
    assert_eq!(
        solve_dimacs(&dimacs(&prepared, 0, &ExportObjective::Lexicographic)),
        1_082_648_253
    );
    let tier1 = dimacs(&prepared, 0, &ExportObjective::Tier(0));
    assert!(tier1.contains("\na 1 6 0 1 1\na 2 4 0 1 4\n"), "{tier1}");
    assert_eq!(solve_dimacs(&tier1), 4);
}

#[test]
fn export_errors() {
    let problem = common::legacy_problem(TINY);
    let prepared = prepare(&problem).unwrap();
    let mut sink = Vec::new();
    assert!(matches!(
        write_mps(&prepared, 1, &ExportObjective::Tier(0), &mut sink),
        Err(Error::InvalidOption {
            option: "component",
            ..
        })
    ));
    assert!(matches!(
        write_mps(&prepared, 0, &ExportObjective::Tier(3), &mut sink),
        Err(Error::InvalidOption {
            option: "objective",
            ..
        })
    ));
    let wrong_length = ExportObjective::TierAfter {
        tier: 2,
        earlier: vec![4],
    };
    assert!(matches!(
        write_mps(&prepared, 0, &wrong_length, &mut sink),
        Err(Error::InvalidOption {
            option: "objective",
            ..
        })
    ));
    let held = ExportObjective::TierAfter {
        tier: 1,
        earlier: vec![4],
    };
    assert!(matches!(
        write_dimacs(&prepared, 0, &held, &mut sink),
        Err(Error::InvalidOption {
            option: "objective",
            ..
        })
    ));
    // A component with side constraints (sessions packing appointments by minutes) has no
    // DIMACS form, and its MPS columns are binary.
    let sessions = session_instance(3);
    let prepared = prepare(&sessions).unwrap();
    let k = (0..prepared.component_count())
        .find(|&k| !is_capacity_only(&prepared, k).unwrap())
        .unwrap();
    assert_eq!(
        write_dimacs(&prepared, k, &ExportObjective::Tier(0), &mut sink),
        Err(Error::NotCapacityOnly { component: k })
    );
    let text = mps(&prepared, k, &ExportObjective::Tier(0));
    assert!(text.contains("\nCOLUMNS\n MARKER 'MARKER' 'INTORG'\n"));
    assert!(text.contains(" MARKER 'MARKER' 'INTEND'\nRHS\n"));
    assert!(text.contains("\nBOUNDS\n BV BND x"));
    assert!(text.contains("\n L minutes_s"));
    // A writer that fails gives Error::Io.
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    assert!(matches!(
        write_mps(&prepared, k, &ExportObjective::Tier(0), Broken),
        Err(Error::Io { .. })
    ));
}

#[test]
fn combined_weights_that_overflow_are_reported() {
    // Breach weight 10^9 and waits of about 1,000 days: tier 2 ranges over about 10^14 per
    // referral, so w1 * (a breach of weight 10^9) cannot fit in 64 bits.
    let mut problem = common::legacy_problem(TINY);
    problem.policy.breach_weights.routine = 1_000_000_000;
    problem.policy.breach_weights.urgent = 1_000_000_000;
    for r in &mut problem.referrals {
        r.clock_start = r.clock_start - chrono::Days::new(1000);
    }
    let prepared = prepare(&problem).unwrap();
    let schedule = solved(&prepared, &problem);
    let overflow = |r: Result<_, Error>| {
        matches!(
            r,
            Err(Error::ObjectiveOverflow {
                component: 0,
                ref tier,
            }) if tier == "clock_stop_breaches" || tier == "treat_in_turn"
        )
    };
    assert!(overflow(lexicographic_weights(&prepared, 0).map(|_| ())));
    let mut sink = Vec::new();
    assert!(overflow(write_mps(
        &prepared,
        0,
        &ExportObjective::Lexicographic,
        &mut sink
    )));
    assert!(overflow(write_dimacs(
        &prepared,
        0,
        &ExportObjective::Lexicographic,
        &mut sink
    )));
    assert!(overflow(
        objective_value(&prepared, 0, &ExportObjective::Lexicographic, &schedule).map(|_| ())
    ));
    // Tier by tier still works, and round-trips.
    let values = component_values(&prepared, 0, &schedule).unwrap();
    assert_eq!(
        solve_dimacs(&dimacs(&prepared, 0, &ExportObjective::Tier(0))),
        values[0]
    );
    for tier in 1..3 {
        let objective = ExportObjective::TierAfter {
            tier,
            earlier: values[..tier].to_vec(),
        };
        assert_eq!(solve_mps(&mps(&prepared, 0, &objective)), values[tier]);
    }
}

fn capacity_instance(seed: u64) -> Problem {
    let mut problem = generate(&InstanceConfig {
        sites: 4,
        candidates_per_referral: 6,
        ..InstanceConfig::capacity_only(40, 12, seed)
    });
    // Some referrals prefer a site, so that tier 3 has penalties as well as travel.
    for (i, r) in problem.referrals.iter_mut().enumerate() {
        if i % 3 == 0 {
            r.preferred_sites = vec![SiteId(format!("SITE{:04}", i % 4))];
        }
    }
    problem
}

fn session_instance(seed: u64) -> Problem {
    generate(&InstanceConfig {
        sessions: true,
        slot_capacity: 8,
        sites: 2,
        candidates_per_referral: 3,
        ..InstanceConfig::capacity_only(14, 4, seed)
    })
}

/// Every component of `problem`: its MPS, tier by tier with the earlier tiers held, read back
/// and solved, gives the optimiser's tier values; so does tier 1 of its DIMACS when it is
/// capacity-only.
fn round_trip_tiers(problem: &Problem) {
    let prepared = prepare(problem).unwrap();
    let schedule = solved(&prepared, problem);
    for k in 0..prepared.component_count() {
        let values = component_values(&prepared, k, &schedule).unwrap();
        assert_eq!(
            solve_mps(&mps(&prepared, k, &ExportObjective::Tier(0))),
            values[0]
        );
        for tier in 1..3 {
            let objective = ExportObjective::TierAfter {
                tier,
                earlier: values[..tier].to_vec(),
            };
            assert_eq!(
                solve_mps(&mps(&prepared, k, &objective)),
                values[tier],
                "component {k} tier {tier}"
            );
        }
        if is_capacity_only(&prepared, k).unwrap() {
            let tier1 = dimacs(&prepared, k, &ExportObjective::Tier(0));
            assert_eq!(solve_dimacs(&tier1), values[0], "component {k}");
        }
    }
}

#[test]
fn mps_round_trip_capacity_only() {
    for seed in 1..=4 {
        let problem = capacity_instance(seed);
        assert!(prepare(&problem).unwrap().candidate_count() > 100);
        round_trip_tiers(&problem);
    }
}

#[test]
fn mps_round_trip_with_side_constraints() {
    for seed in 1..=3 {
        let problem = session_instance(seed);
        let prepared = prepare(&problem).unwrap();
        assert!((0..prepared.component_count()).any(|k| !is_capacity_only(&prepared, k).unwrap()));
        round_trip_tiers(&problem);
    }
}

/// A MIP component whose transportation part is continuous: referrals of one patient (overlap
/// rows) among others that are only in count rows. Its MPS marks exactly the overlap columns
/// binary, and each tier read back gives the optimiser's value.
#[test]
fn mps_round_trip_with_a_continuous_part() {
    for seed in 1..=3 {
        let mut problem = capacity_instance(seed);
        for i in (1..problem.referrals.len()).step_by(5) {
            problem.referrals[i].patient = problem.referrals[i - 1].patient.clone();
        }
        let prepared = prepare(&problem).unwrap();
        let mixed = (0..prepared.component_count()).find(|&k| {
            let text = mps(&prepared, k, &ExportObjective::Tier(0));
            text.contains(" BV BND x") && text.contains(" UP BND x")
        });
        let k = mixed.unwrap_or_else(|| panic!("seed {seed}: no component with both kinds"));
        let text = mps(&prepared, k, &ExportObjective::Tier(0));
        // Every column between INTORG and INTEND is bound BV, every other UP 1.
        let mut marked = std::collections::BTreeSet::new();
        let mut inside = false;
        for line in text.lines() {
            match line {
                " MARKER 'MARKER' 'INTORG'" => inside = true,
                " MARKER 'MARKER' 'INTEND'" => inside = false,
                _ if inside => {
                    marked.insert(line.split_whitespace().next().unwrap().to_owned());
                }
                _ => {}
            }
        }
        for line in text.lines() {
            if let Some(column) = line.strip_prefix(" BV BND ") {
                assert!(marked.contains(column), "{column} is BV but not marked");
            }
            if let Some(column) = line.strip_prefix(" UP BND ") {
                let column = column.trim_end_matches(" 1");
                assert!(!marked.contains(column), "{column} is marked but UP 1");
            }
        }
        round_trip_tiers(&problem);
    }
}

#[test]
fn lexicographic_round_trip() {
    // Small waits and a 5-metre non-preferred-site penalty in place of travel keep the combined
    // costs well inside what a floating-point LP solves exactly.
    let mut travel_exercised = false;
    for seed in 1..=4 {
        let mut problem = generate(&InstanceConfig {
            sites: 3,
            slot_capacity: 2,
            mean_wait_days: 20.0,
            horizon_days: 14,
            ..InstanceConfig::capacity_only(24, 6, seed)
        });
        problem.policy.non_preferred_site_km = 0.005;
        // Three tiers (travel third): the combined weights of nine overflow 64 bits.
        common::legacy_objective(&mut problem);
        for (i, r) in problem.referrals.iter_mut().enumerate() {
            r.home = None;
            r.max_travel_km = None;
            if i % 2 == 0 {
                r.preferred_sites = vec![SiteId("SITE0000".to_owned())];
            }
        }
        let prepared = prepare(&problem).unwrap();
        let schedule = solved(&prepared, &problem);
        for k in 0..prepared.component_count() {
            let expected =
                objective_value(&prepared, k, &ExportObjective::Lexicographic, &schedule).unwrap();
            let values = component_values(&prepared, k, &schedule).unwrap();
            travel_exercised |= values[2] > 0;
            assert_eq!(
                solve_dimacs(&dimacs(&prepared, k, &ExportObjective::Lexicographic)),
                expected,
                "seed {seed} component {k}"
            );
            assert_eq!(
                solve_mps(&mps(&prepared, k, &ExportObjective::Lexicographic)),
                expected,
                "seed {seed} component {k}"
            );
        }
    }
    assert!(travel_exercised, "some optimum has a non-preferred site");
}

#[test]
fn component_values_refuse_another_problems_schedule() {
    let problem = common::legacy_problem(TINY);
    let prepared = prepare(&problem).unwrap();
    let other = capacity_instance(1);
    let schedule = prepare(&other)
        .unwrap()
        .solve(&SolveOptions::new())
        .unwrap();
    assert!(matches!(
        component_values(&prepared, 0, &schedule),
        Err(Error::InvalidOption {
            option: "schedule",
            ..
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Readers, written from the formats' descriptions, not from the writers, and solved with
// good_lp's default backend.

/// A linear program read from free MPS: `min c.x + offset` over rows and bounds.
struct Lp {
    columns: Vec<Column>,
    rows: Vec<LpRow>,
    offset: f64,
}

/// (sense: 'L', 'G' or 'E', coefficients by column, right-hand side)
type LpRow = (char, Vec<(usize, f64)>, f64);

struct Column {
    integer: bool,
    lower: f64,
    upper: f64,
    cost: f64,
}

/// Reads free MPS: sections NAME, ROWS, COLUMNS (with integer markers), RHS (the objective
/// row's RHS is the negated constant), BOUNDS (UP, LO, FX, BV, FR, MI, PL), ENDATA.
fn read_mps(text: &str) -> Lp {
    let mut section = "";
    let mut objective = String::new();
    let mut row_index: HashMap<String, usize> = HashMap::new();
    let mut senses = Vec::new();
    let mut rhs = Vec::new();
    let mut terms: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut column_index: HashMap<String, usize> = HashMap::new();
    let mut integer = false;
    let mut offset = 0.0;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('*') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = fields[0];
            assert!(
                ["NAME", "ROWS", "COLUMNS", "RHS", "BOUNDS", "ENDATA"].contains(&section),
                "unexpected section {line}"
            );
            continue;
        }
        let value = |s: &str| -> f64 { s.parse().unwrap() };
        match section {
            "ROWS" => {
                let (sense, name) = (fields[0], fields[1].to_owned());
                if sense == "N" {
                    assert!(objective.is_empty(), "one objective row");
                    objective = name;
                } else {
                    row_index.insert(name, senses.len());
                    senses.push(sense.chars().next().unwrap());
                    rhs.push(0.0);
                    terms.push(Vec::new());
                }
            }
            "COLUMNS" => {
                if fields.get(1) == Some(&"'MARKER'") {
                    integer = match fields[2] {
                        "'INTORG'" => true,
                        "'INTEND'" => false,
                        other => panic!("marker {other}"),
                    };
                    continue;
                }
                let c = *column_index.entry(fields[0].to_owned()).or_insert_with(|| {
                    columns.push(Column {
                        integer,
                        lower: 0.0,
                        upper: f64::INFINITY,
                        cost: 0.0,
                    });
                    columns.len() - 1
                });
                assert_eq!(c + 1, columns.len(), "a column's entries are together");
                for pair in fields[1..].chunks(2) {
                    let v = value(pair[1]);
                    if pair[0] == objective {
                        columns[c].cost += v;
                    } else {
                        terms[row_index[pair[0]]].push((c, v));
                    }
                }
            }
            "RHS" => {
                for pair in fields[1..].chunks(2) {
                    let v = value(pair[1]);
                    if pair[0] == objective {
                        offset = -v;
                    } else {
                        rhs[row_index[pair[0]]] = v;
                    }
                }
            }
            "BOUNDS" => {
                let c = &mut columns[column_index[fields[2]]];
                match fields[0] {
                    "UP" => c.upper = value(fields[3]),
                    "LO" => c.lower = value(fields[3]),
                    "FX" => (c.lower, c.upper) = (value(fields[3]), value(fields[3])),
                    "BV" => (c.lower, c.upper, c.integer) = (0.0, 1.0, true),
                    "FR" => (c.lower, c.upper) = (f64::NEG_INFINITY, f64::INFINITY),
                    "MI" => c.lower = f64::NEG_INFINITY,
                    "PL" => c.upper = f64::INFINITY,
                    other => panic!("bound type {other}"),
                }
            }
            other => panic!("data line in section {other}: {line}"),
        }
    }
    assert_eq!(section, "ENDATA");
    Lp {
        columns,
        rows: senses
            .into_iter()
            .zip(terms)
            .zip(rhs)
            .map(|((s, t), r)| (s, t, r))
            .collect(),
        offset,
    }
}

/// Solves `lp` with good_lp's default backend and returns the optimum, rounded to an integer.
fn solve_lp(lp: &Lp) -> i64 {
    use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel};
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = lp
        .columns
        .iter()
        .map(|c| {
            let mut v = variable();
            if c.lower.is_finite() {
                v = v.min(c.lower);
            }
            if c.upper.is_finite() {
                v = v.max(c.upper);
            }
            vars.add(if c.integer { v.integer() } else { v })
        })
        .collect();
    let objective: Expression = lp.columns.iter().zip(&x).map(|(c, &v)| c.cost * v).sum();
    let mut model = vars
        .minimise(objective.clone())
        .using(good_lp::solvers::microlp::microlp);
    for (sense, terms, rhs) in &lp.rows {
        let lhs: Expression = terms.iter().map(|&(c, a)| a * x[c]).sum();
        model.add_constraint(match sense {
            'L' => lhs.leq(*rhs),
            'G' => lhs.geq(*rhs),
            'E' => lhs.eq(*rhs),
            other => panic!("row sense {other}"),
        });
    }
    let solution = model.solve().unwrap();
    let value = solution.eval(&objective) + lp.offset;
    assert!(
        (value - value.round()).abs() < 1e-6 * value.abs().max(1.0),
        "integral optimum, got {value}"
    );
    value.round() as i64
}

fn solve_mps(text: &str) -> i64 {
    solve_lp(&read_mps(text))
}

/// Reads DIMACS min-cost flow (`p min N A`, `n id supply`, `a from to low cap cost`, comments
/// `c`) as an LP: one column per arc within its bounds, flow conservation at every node.
fn read_dimacs(text: &str) -> Lp {
    let mut nodes = 0usize;
    let mut supply = Vec::new();
    let mut arcs = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let int = |i: usize| -> i64 { f[i].parse().unwrap() };
        match f.first() {
            Some(&"c") | None => {}
            Some(&"p") => {
                assert_eq!(f[1], "min");
                nodes = f[2].parse().unwrap();
                supply = vec![0.0; nodes];
            }
            Some(&"n") => supply[int(1) as usize - 1] = int(2) as f64,
            Some(&"a") => arcs.push((
                int(1) as usize - 1,
                int(2) as usize - 1,
                int(3),
                int(4),
                int(5),
            )),
            Some(other) => panic!("line type {other}"),
        }
    }
    let mut rows: Vec<LpRow> = supply.iter().map(|&b| ('E', Vec::new(), b)).collect();
    let mut columns = Vec::new();
    for (a, &(from, to, low, cap, cost)) in arcs.iter().enumerate() {
        rows[from].1.push((a, 1.0));
        rows[to].1.push((a, -1.0));
        columns.push(Column {
            integer: false,
            lower: low as f64,
            upper: cap as f64,
            cost: cost as f64,
        });
    }
    assert_eq!(rows.len(), nodes);
    Lp {
        columns,
        rows,
        offset: 0.0,
    }
}

fn solve_dimacs(text: &str) -> i64 {
    solve_lp(&read_dimacs(text))
}
