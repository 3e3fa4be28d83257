//! On random scenarios built from figures shaped like published ones, under each objective
//! preset, the optimiser is never worse than any baseline: lexicographically when proven
//! optimal, on tier 1 otherwise; every schedule validates.

mod common;
use appointment_optimiser::baselines::{book, Baseline};
use appointment_optimiser::scenario::{build, Figures, ScenarioConfig, SiteFigure, WEEK_BANDS};
use appointment_optimiser::{
    solve, validate, Objective, Preset, SiteKind, SolveOptions, SolveStatus,
};
use proptest::prelude::*;

fn figures(bands: Vec<u32>, admitted: u32, non_admitted: u32, dta: u32) -> Figures {
    let mut week_bands = vec![0; WEEK_BANDS];
    for (i, n) in bands.into_iter().enumerate() {
        // Spread the few patients over the bands, long waits included.
        week_bands[(i * 7) % WEEK_BANDS] += n;
    }
    let total: u32 = week_bands.iter().sum();
    let site = |name: &str, kind, latitude, longitude| SiteFigure {
        name: name.into(),
        kind,
        latitude,
        longitude,
    };
    Figures {
        provider_code: "TST".into(),
        provider_name: "TEST TRUST".into(),
        treatment_function: "C_110".into(),
        treatment_function_name: "Trauma and Orthopaedic Service".into(),
        week_bands,
        new_clock_starts: 10,
        completed_admitted: admitted,
        completed_non_admitted: non_admitted,
        incomplete_with_dta: dta.min(total),
        trust_sites: vec![
            site("North", SiteKind::NhsTrust, 51.88, 0.54),
            site("South", SiteKind::NhsTrust, 51.55, 0.69),
        ],
        diagnostic_centres: vec![site(
            "CDC",
            SiteKind::CommunityDiagnosticCentre,
            51.57,
            0.50,
        )],
    }
}

proptest! {
    #![proptest_config(common::config(24))]

    #[test]
    fn optimiser_never_worse_than_a_baseline(
        preset in proptest::sample::select(Preset::ALL.to_vec()),
        bands in proptest::collection::vec(0u32..4, 15),
        admitted in 0u32..20,
        non_admitted in 0u32..40,
        dta in 0u32..12,
        seed in 0u64..1000,
        weeks in 1u32..4,
        packing in any::<bool>(),
    ) {
        let config = ScenarioConfig {
            seed,
            horizon_weeks: weeks,
            theatre_packing: packing,
            clinic_size: 3,
            unavailable_share: 0.3,
            ..ScenarioConfig::default()
        };
        let mut problem = build(&figures(bands, admitted, non_admitted, dta), &config).problem;
        problem.policy.objective = Objective::Preset(preset);
        let optimum = solve(&problem, &SolveOptions::new()).unwrap();
        prop_assert_eq!(validate(&problem, &optimum), vec![]);
        for baseline in Baseline::ALL {
            let schedule = book(&problem, baseline).unwrap();
            prop_assert_eq!(validate(&problem, &schedule), vec![]);
            let (ours, theirs) = (optimum.objective.values(), schedule.objective.values());
            if optimum.stats.status == SolveStatus::Optimal {
                prop_assert!(ours <= theirs, "{:?} under {}: optimiser {:?} > baseline {:?}", baseline, preset, ours, theirs);
            } else {
                prop_assert!(ours[0] <= theirs[0], "{:?} under {}: optimiser {:?} > baseline {:?}", baseline, preset, ours, theirs);
            }
        }
    }
}
