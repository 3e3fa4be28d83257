//! A year of weeks (`simulate`): one week's cycle worked by hand on a small list, and the
//! simulation against queue arithmetic (a level list when capacity equals demand, NHS-R's
//! relief capacity, Little's law). Every week's schedule is checked by the validator inside the
//! simulation (`Simulation::violations`).

use appointment_optimiser::baselines::Baseline;
use appointment_optimiser::scenario::{Figures, ScenarioConfig, SiteFigure, WEEK_BANDS};
use appointment_optimiser::simulate::{Booker, MonthEnd, Simulation, SimulationConfig, World};
use appointment_optimiser::{Preset, SiteKind, SolveOptions};

/// A clinic-only list at one site: `waiting` patients in week band `band`, `per_month` new
/// clock starts and `stops` clinic clock stops a month (the capacity).
fn figures(waiting: u32, band: usize, per_month: u32, stops: u32) -> Figures {
    let mut week_bands = vec![0; WEEK_BANDS];
    week_bands[band] = waiting;
    Figures {
        provider_code: "TST".into(),
        provider_name: "Test trust".into(),
        treatment_function: "C_110".into(),
        treatment_function_name: "Trauma and Orthopaedic Service".into(),
        week_bands,
        new_clock_starts: per_month,
        completed_admitted: 0,
        completed_non_admitted: stops,
        incomplete_with_dta: 0,
        trust_sites: vec![SiteFigure {
            name: "Hospital".into(),
            kind: SiteKind::NhsTrust,
            latitude: 51.5,
            longitude: -0.1,
        }],
        diagnostic_centres: vec![],
    }
}

/// Routine clinic patients only, no independent provider, no notice period, nobody away.
fn plain() -> ScenarioConfig {
    ScenarioConfig {
        urgent_suspected_cancer_share: 0.0,
        urgent_share: 0.0,
        diagnostic_share: 0.0,
        wheelchair_share: 0.0,
        unavailable_share: 0.0,
        independent_sector: false,
        min_notice_days: 0,
        ..ScenarioConfig::default()
    }
}

fn quiet(weeks: u32) -> SimulationConfig {
    SimulationConfig {
        weeks,
        dna_rate: 0.0,
        hospital_cancellation_rate: 0.0,
        decline_rate: 0.0,
        ..SimulationConfig::default()
    }
}

fn run(
    figures: &Figures,
    scenario: &ScenarioConfig,
    config: &SimulationConfig,
    booker: Booker,
) -> Simulation {
    let world = World::new(figures, scenario, config);
    let simulation = world.simulate(&[booker], &SolveOptions::new()).unwrap();
    assert_eq!(simulation.violations, 0);
    simulation
}

const FCFS: Booker = Booker::Baseline(Baseline::FirstComeFirstServed);

/// Four patients waiting 57 weeks, plenty of clinics (300 places a month), nobody new. Worked
/// by hand over five weeks to the first month end, 31 May:
/// - nobody missing: all four are booked in the first week and seen: the list is empty;
/// - every appointment a DNA (a first appointment): nobody is seen, and each DNA restarts the
///   clock, so on 31 May all four wait under 18 weeks and nobody is over 52, after one DNA a
///   week each (five weeks: 20 DNAs);
/// - every appointment cancelled by the hospital: nobody is seen, the clocks run on (57 weeks
///   and more: all four over 52 weeks), 20 cancellations;
/// - every first date declined: each declines once, is offered another date the week after
///   and is seen: 4 declined, 4 seen.
#[test]
fn one_week_s_cycle_worked_by_hand() {
    let f = figures(4, 57, 0, 300);
    for booker in [FCFS, Booker::Optimiser(Preset::NhsEngland)] {
        let row = |config: SimulationConfig| -> MonthEnd {
            let sim = run(&f, &plain(), &config, booker);
            assert_eq!(sim.waiting_at_start, 4);
            assert_eq!(sim.over_52_weeks_at_start, 4);
            sim.months[0].clone()
        };
        let seen = row(quiet(5));
        assert_eq!((seen.waiting, seen.seen, seen.dna), (0, 4, 0));
        assert!(seen.mean_wait_seen_days.unwrap() > 399.0);

        let dna = row(SimulationConfig {
            dna_rate: 1.0,
            ..quiet(5)
        });
        assert_eq!((dna.waiting, dna.seen, dna.dna), (4, 0, 20));
        assert_eq!(dna.within_18_weeks_pct, Some(100.0));
        assert_eq!(dna.over_52_weeks, 0);

        let cancelled = row(SimulationConfig {
            hospital_cancellation_rate: 1.0,
            ..quiet(5)
        });
        assert_eq!(
            (cancelled.waiting, cancelled.seen, cancelled.cancelled),
            (4, 0, 20)
        );
        assert_eq!(cancelled.over_52_weeks, 4);

        let declined = row(SimulationConfig {
            decline_rate: 1.0,
            ..quiet(5)
        });
        assert_eq!(
            (declined.waiting, declined.seen, declined.declined),
            (0, 4, 4)
        );
    }
}

/// New referrals at 61 a month join at 14 a week (61 x 7 / 30.4375 = 14.03, the fraction
/// carried): 14 by the second week, each with its clock start in the week before it joins.
#[test]
fn arrivals_join_at_the_published_rate() {
    let f = figures(0, 0, 61, 300);
    let sim = run(&f, &plain(), &quiet(5), FCFS);
    // Weeks 1 to 4 take the arrivals of weeks 0 to 3; of the fifth week's 14 (29 May to 4 June),
    // those referred by 31 May are on the list that day, though they join the booking a week
    // later (here 7 of them).
    let m = &sim.months[0];
    assert_eq!(m.arrived, 14 * 4);
    assert_eq!(m.seen + m.waiting, 14 * 4 + 7);
}

/// Queue arithmetic: with capacity equal to demand (300 a month each) and no DNAs, the list
/// of 600 stays level: within 10% at every month end of half a year.
#[test]
fn capacity_equal_to_demand_keeps_the_list_level() {
    let f = figures(600, 10, 300, 300);
    let sim = run(&f, &plain(), &quiet(26), FCFS);
    for m in &sim.months {
        assert!(
            (540..=660).contains(&m.waiting),
            "{}: {} waiting",
            m.month_end,
            m.waiting
        );
    }
}

/// NHS-R's relief capacity (`NHSRwaitinglist`, Fong et al. 2022): demand 300 a month (69 a
/// week), target wait 18 weeks, so target queue = 69 x 18 / 4 = 310; from 600, relief capacity
/// over 13 weeks is 69 + (600 - 310) / 13 = 91.3 a week, a capacity factor of 1.32. The list
/// reaches about the target in about 13 weeks: within 15% at the month end 13 weeks in
/// (31 July).
#[test]
fn relief_capacity_reaches_the_target_queue_in_the_weeks_it_says() {
    let weekly = 300.0 * 7.0 / 30.4375;
    let target = weekly * 18.0 / 4.0;
    let relief = weekly + (600.0 - target) / 13.0;
    let scenario = ScenarioConfig {
        capacity_factor: relief / weekly,
        ..plain()
    };
    let sim = run(&figures(600, 10, 300, 300), &scenario, &quiet(14), FCFS);
    let july = sim
        .months
        .iter()
        .find(|m| m.month_end.to_string() == "2026-07-31")
        .unwrap();
    let off = (july.waiting as f64 - target).abs() / target;
    assert!(
        off < 0.15,
        "{} waiting against a target of {target:.0}",
        july.waiting
    );
}

/// Little's law, L = λW, on the level list once the patients waiting at the start are seen:
/// the list (600) against the arrival rate (300 a month) times the mean wait of those seen,
/// within 15% in each of the last three months of the half year.
#[test]
fn mean_wait_and_list_size_agree_with_little_s_law() {
    let sim = run(&figures(600, 10, 300, 300), &plain(), &quiet(26), FCFS);
    let per_day = 300.0 / 30.4375;
    for m in sim.months.iter().rev().take(3) {
        let w = m.mean_wait_seen_days.unwrap();
        let l = m.waiting as f64;
        let off = (l - per_day * w).abs() / l;
        assert!(off < 0.15, "{}: L {l}, λW {:.0}", m.month_end, per_day * w);
    }
}

/// Same seed, same bytes; and every booker faces the same arrivals.
#[test]
fn same_seed_same_numbers_and_the_same_world_for_every_booker() {
    let f = figures(200, 30, 150, 140);
    let config = SimulationConfig {
        weeks: 9,
        ..SimulationConfig::default()
    };
    let world = World::new(&f, &plain(), &config);
    let bookers = [FCFS, Booker::Optimiser(Preset::NhsEngland)];
    let a = world.simulate(&bookers, &SolveOptions::new()).unwrap();
    let b = World::new(&f, &plain(), &config)
        .simulate(&bookers, &SolveOptions::new())
        .unwrap();
    assert_eq!(
        appointment_optimiser::simulate::to_csv(&a.months),
        appointment_optimiser::simulate::to_csv(&b.months)
    );
    assert_eq!(a.violations, 0);
    let arrived = |name: &str| -> Vec<usize> {
        a.months
            .iter()
            .filter(|m| m.booker == name)
            .map(|m| m.arrived)
            .collect()
    };
    assert_eq!(arrived("optimiser"), arrived("first come, first served"));
}

/// The CSV quotes a booker's name that holds a comma, so that every row has the header's
/// columns.
#[test]
fn the_csv_quotes_names_with_commas() {
    let sim = run(&figures(20, 5, 30, 30), &plain(), &quiet(5), FCFS);
    let csv = appointment_optimiser::simulate::to_csv(&sim.months);
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("booker,month_end,waiting,within_18_weeks_pct,"));
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("\"first come, first served\",2026-05-31,"),
        "{row}"
    );
    assert_eq!(
        row.matches(',').count() - 1,
        header.matches(',').count(),
        "{row}"
    );
}
