//! Builds and solves generated capacity-only instances of 1,000, 10,000, 20,000 (the peer
//! comparison instance: 5,000 slots, about 30 candidates each) and 100,000 referrals, timing
//! the model build (`prepare`: checks, candidates, costs, components) apart from the solve, and
//! one session (minutes) instance for the MIP backend.
//!
//! ```text
//! cargo bench --bench solve                        # all; 100k takes several minutes
//! cargo bench --bench solve -- capacity_only_1000  # one group
//! cargo bench --bench solve --features highs -- sessions
//! cargo bench --bench solve -- backfill            # one freed-place query, default scenario
//! ```

use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{prepare, Backend, Problem, SolveOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn group(c: &mut Criterion, name: &str, problem: &Problem, options: &SolveOptions, secs: u64) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(secs));
    group.bench_function("build", |b| {
        b.iter(|| prepare(black_box(problem)).map(|p| p.candidate_count()))
    });
    let prepared = match prepare(problem) {
        Ok(p) => p,
        Err(e) => panic!("generated instance rejected: {e}"),
    };
    group.bench_function("solve", |b| {
        b.iter(|| prepared.solve(black_box(options)).map(|s| s.objective))
    });
    group.finish();
}

fn capacity_only(c: &mut Criterion) {
    let options = SolveOptions::new();
    for (referrals, slots, secs) in [
        (1_000, 250, 5),
        (10_000, 2_500, 40),
        (20_000, 5_000, 60),
        (100_000, 25_000, 300),
    ] {
        let problem = generate(&InstanceConfig::capacity_only(referrals, slots, 1));
        group(
            c,
            &format!("capacity_only_{referrals}"),
            &problem,
            &options,
            secs,
        );
    }
}

/// 2,000 referrals of 30, 60 or 90 minutes in 500 four-hour sessions of 8 places: a generalised
/// assignment problem, solved by the best compiled backend with a 60-second limit.
fn sessions(c: &mut Criterion) {
    let config = InstanceConfig {
        sessions: true,
        slot_capacity: 8,
        ..InstanceConfig::capacity_only(2_000, 500, 1)
    };
    let options = SolveOptions::new()
        .backend(Backend::best_compiled())
        .time_limit(Duration::from_secs(60));
    group(c, "sessions_2000", &generate(&config), &options, 600);
}

/// A backfill query on the default `nhs_backlog` scenario (16,131 referrals): the schedule
/// indexed once, then the offers for one freed clinic place, timed per query.
fn backfill(c: &mut Criterion) {
    use appointment_optimiser::backfill::Backfill;
    use appointment_optimiser::scenario::{build, Figures, ScenarioConfig};
    let problem = build(&Figures::embedded_default(), &ScenarioConfig::default()).problem;
    let prepared = match prepare(&problem) {
        Ok(p) => p,
        Err(e) => panic!("scenario rejected: {e}"),
    };
    let schedule = match prepared.solve(&SolveOptions::new()) {
        Ok(s) => s,
        Err(e) => panic!("scenario not solved: {e}"),
    };
    let index = match Backfill::new(&prepared, &schedule) {
        Ok(b) => b,
        Err(e) => panic!("schedule not indexed: {e}"),
    };
    let slot = problem.slots[problem.slots.len() / 2]
        .id
        .as_str()
        .to_owned();
    let mut group = c.benchmark_group("backfill");
    group.bench_function("index", |b| {
        b.iter(|| Backfill::new(black_box(&prepared), black_box(&schedule)).is_ok())
    });
    group.bench_function("offers", |b| {
        b.iter(|| index.offers(black_box(&slot)).map(|o| o.len()))
    });
    group.finish();
}

criterion_group!(benches, capacity_only, sessions, backfill);
criterion_main!(benches);
