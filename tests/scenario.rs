//! The scenario builder reproduces the figures it was given, byte for byte for a seed.

use appointment_optimiser::rules::{days_waited, WeekBand};
use appointment_optimiser::scenario::{build, Figures, ScenarioConfig, ScenarioError, WEEK_BANDS};
use appointment_optimiser::{Service, SiteKind};
use std::path::Path;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

#[test]
fn band_counts_are_reproduced_per_band() {
    let figures = Figures::embedded_default();
    assert_eq!(figures.total_waiting(), 16_131);
    let scenario = build(&figures, &ScenarioConfig::default());
    let p = &scenario.problem;
    assert_eq!(p.referrals.len(), 16_131);
    let mut counts = vec![0u32; WEEK_BANDS];
    for r in &p.referrals {
        let band = WeekBand::of_days(days_waited(r.clock_start, p.planning_date));
        counts[band.0 as usize] += 1;
    }
    assert_eq!(counts, figures.week_bands);
    // Within 18 weeks (bands 0-1 to 17-18): 5,322, as published.
    assert_eq!(counts[..18].iter().sum::<u32>(), 5_322);
    p.check().unwrap();
}

#[test]
fn monthly_flows_set_the_capacity() {
    let figures = Figures::embedded_default();
    let scenario = build(&figures, &ScenarioConfig::default());
    let p = &scenario.problem;
    // 6 weeks = 42 days. Clinic places: 1,207 non-admitted stops a month * 42 / 30.4375 =
    // 1,665.5 -> 1,666. Operations: 435 * 42 / 30.4375 = 600.2 -> 600.
    assert_eq!(scenario.clinic_places, 1_666);
    assert_eq!(scenario.theatre_places, 600);
    let capacity = |pred: &dyn Fn(&Service) -> bool| -> u32 {
        p.slots
            .iter()
            .filter(|s| pred(&s.service))
            .map(|s| s.capacity)
            .sum()
    };
    assert_eq!(capacity(&|s| matches!(s, Service::Outpatient(_))), 1_666);
    assert_eq!(capacity(&|s| matches!(s, Service::Operation(_))), 600);
    assert_eq!(
        capacity(&|s| matches!(s, Service::Diagnostic(_))),
        scenario.diagnostic_places
    );
    // Exactly the 3,881 waiting with a decision to admit wait for an operation.
    let operations = p
        .referrals
        .iter()
        .filter(|r| matches!(r.service, Service::Operation(_)))
        .count();
    assert_eq!(operations, 3_881);
    assert!(p
        .referrals
        .iter()
        .filter(|r| matches!(r.service, Service::Operation(_)))
        .all(|r| r.surgical_priority.is_some()));
    // All slots inside the horizon, after the planning date.
    assert!(p.slots.iter().all(|s| {
        let d = appointment_optimiser::rules::nhs_date(&s.start);
        d > p.planning_date && d <= p.horizon_end
    }));
    // Sites: two trust hubs, four CDCs, one independent provider.
    let kinds: Vec<SiteKind> = p.sites.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SiteKind::NhsTrust,
            SiteKind::NhsTrust,
            SiteKind::CommunityDiagnosticCentre,
            SiteKind::CommunityDiagnosticCentre,
            SiteKind::CommunityDiagnosticCentre,
            SiteKind::CommunityDiagnosticCentre,
            SiteKind::IndependentSector,
        ]
    );
}

#[test]
fn the_independent_provider_sits_among_the_trusts_sites() {
    let p = build(&Figures::embedded_default(), &ScenarioConfig::default()).problem;
    let isp = p
        .sites
        .iter()
        .find(|s| s.kind == SiteKind::IndependentSector)
        .unwrap();
    // Mean of the two hubs' and four CDCs' coordinates, worked out separately:
    // latitude 51.652751, longitude 0.553977.
    assert!((isp.location.unwrap().latitude - 51.652_751).abs() < 1e-6);
    assert!((isp.location.unwrap().longitude - 0.553_977).abs() < 1e-6);
    // Trauma and orthopaedics patients wait for MRI; ophthalmology has no DM01 test here.
    assert_eq!(
        appointment_optimiser::scenario::diagnostic_test_for("C_110"),
        Some(appointment_optimiser::DiagnosticTest::Mri)
    );
    assert_eq!(
        appointment_optimiser::scenario::diagnostic_test_for("C_130"),
        None
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let figures = Figures::embedded_default();
    let config = ScenarioConfig {
        horizon_weeks: 2,
        ..ScenarioConfig::default()
    };
    let a = build(&figures, &config).problem.to_json();
    assert_eq!(a, build(&figures, &config).problem.to_json());
    let other = ScenarioConfig { seed: 7, ..config };
    assert_ne!(a, build(&figures, &other).problem.to_json());
}

#[test]
fn theatre_packing_gives_lists_minutes() {
    let figures = Figures::embedded_default();
    let config = ScenarioConfig {
        theatre_packing: true,
        ..ScenarioConfig::default()
    };
    let p = build(&figures, &config).problem;
    let lists: Vec<_> = p
        .slots
        .iter()
        .filter(|s| matches!(s.service, Service::Operation(_)))
        .collect();
    assert!(!lists.is_empty());
    assert!(lists.iter().all(|s| s.minutes_capacity.is_some()));
    p.check().unwrap();
}

#[test]
fn reads_the_csv_files_for_any_provider_and_treatment_function() {
    let f = Figures::from_csv(fixtures(), "RAJ", "C_110", Some("E54000026")).unwrap();
    let embedded = Figures::embedded_default();
    assert_eq!(f.week_bands, embedded.week_bands);
    assert_eq!(
        (
            f.new_clock_starts,
            f.completed_admitted,
            f.completed_non_admitted,
            f.incomplete_with_dta
        ),
        (959, 435, 1_207, 3_881)
    );
    assert_eq!(f.trust_sites, embedded.trust_sites);
    assert_eq!(f.diagnostic_centres, embedded.diagnostic_centres);
    assert_eq!(f.provider_name, embedded.provider_name);
}

#[test]
fn says_clearly_when_a_code_is_not_in_the_file() {
    let err = Figures::from_csv(fixtures(), "RAJ", "C_999X", Some("E54000026")).unwrap_err();
    match &err {
        ScenarioError::NotFound { available, .. } => {
            assert_eq!(available, &vec!["C_110".to_owned()])
        }
        other => panic!("{other:?}"),
    }
    assert!(err
        .to_string()
        .contains("its treatment functions there are C_110"));
    // C_999 is the provider's total over all specialties, refused with a reason.
    let err = Figures::from_csv(fixtures(), "RAJ", "C_999", Some("E54000026")).unwrap_err();
    assert_eq!(err, ScenarioError::Total);
    // Codes in lower case are read as the files write them.
    let f = Figures::from_csv(fixtures(), "raj", "c_110", Some("E54000026")).unwrap();
    assert_eq!(f.provider_code, "RAJ");
    let err = Figures::from_csv(fixtures(), "ZZZ", "C_110", None).unwrap_err();
    assert!(
        err.to_string().contains("the provider is not in the file"),
        "{err}"
    );
}

#[test]
fn an_ambiguous_board_asks_for_its_code() {
    // RAJ's parent in the RTT file is "NHS ESSEX INTEGRATED CARE BOARD", which matches both
    // Mid and South Essex and Suffolk and North East Essex boards.
    let err = Figures::from_csv(fixtures(), "RAJ", "C_110", None).unwrap_err();
    match &err {
        ScenarioError::Icb { message } => {
            assert!(message.contains("E54000026"), "{message}");
            assert!(message.contains("pass --icb"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// The published files, when they sit beside the checkout (as in CI), hold the embedded figures.
#[test]
fn embedded_figures_match_the_published_files() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if !dir.exists() {
        eprintln!("shared/data not beside the checkout: compared with tests/data only");
        return;
    }
    let f = Figures::from_csv(dir, "RAJ", "C_110", Some("E54000026")).unwrap();
    let embedded = Figures::embedded_default();
    assert_eq!(f.week_bands, embedded.week_bands);
    assert_eq!(f.trust_sites, embedded.trust_sites);
    assert_eq!(f.diagnostic_centres, embedded.diagnostic_centres);
    assert_eq!(
        (
            f.completed_admitted,
            f.completed_non_admitted,
            f.incomplete_with_dta
        ),
        (435, 1_207, 3_881)
    );
}

/// Priority and surgical class follow the wait: urgent suspected cancer only up to 56 days
/// waited (and on the FDS and 62-day standards), urgent up to 91, P2 up to 42, P3 up to 182,
/// each class near its configured share of the 16,131 referrals (1%: 161; 12%: 1,936) or of
/// the 3,881 operations (P2 10%: 388; P3 30%: 1,164).
#[test]
fn priority_and_surgical_class_are_drawn_conditional_on_the_wait() {
    use appointment_optimiser::{ReferralPriority, SurgicalPriority, WaitingTimeStandard};
    let figures = Figures::embedded_default();
    let p = build(&figures, &ScenarioConfig::default()).problem;
    let wait = |r: &appointment_optimiser::Referral| days_waited(r.clock_start, p.planning_date);
    let of = |pred: &dyn Fn(&appointment_optimiser::Referral) -> bool| {
        p.referrals.iter().filter(|r| pred(r)).collect::<Vec<_>>()
    };
    let usc = of(&|r| r.priority == ReferralPriority::UrgentSuspectedCancer);
    let urgent = of(&|r| r.priority == ReferralPriority::Urgent);
    let p2 = of(&|r| r.surgical_priority == Some(SurgicalPriority::P2));
    let p3 = of(&|r| r.surgical_priority == Some(SurgicalPriority::P3));
    assert!(usc.iter().all(|r| wait(r) <= 56
        && r.standards
            .contains(&WaitingTimeStandard::CancerFasterDiagnosis28Days)
        && r.standards.contains(&WaitingTimeStandard::Cancer62Days)));
    assert!(urgent.iter().all(|r| wait(r) <= 91));
    assert!(p2.iter().all(|r| wait(r) <= 42));
    assert!(p3.iter().all(|r| wait(r) <= 182));
    let near = |got: usize, wanted: f64| (got as f64 - wanted).abs() <= 0.15 * wanted;
    assert!(near(usc.len(), 161.3), "{}", usc.len());
    assert!(near(urgent.len(), 1_935.7), "{}", urgent.len());
    assert!(near(p2.len(), 388.1), "{}", p2.len());
    assert!(near(p3.len(), 1_164.3), "{}", p3.len());
}
