//! Builds and solves generated capacity-only instances of 1,000 and 10,000 referrals, timing
//! the model build (`prepare`: checks, candidates, costs, components) apart from the solve.
//!
//! `cargo bench --bench solve`

use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{prepare, SolveOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    for (referrals, slots) in [(1_000, 250), (10_000, 2_500)] {
        let problem = generate(&InstanceConfig::capacity_only(referrals, slots, 1));
        let mut group = c.benchmark_group(format!("capacity_only_{referrals}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if referrals > 5_000 { 40 } else { 5 }));
        group.bench_function("build", |b| {
            b.iter(|| prepare(black_box(&problem)).map(|p| p.candidate_count()))
        });
        let prepared = match prepare(&problem) {
            Ok(p) => p,
            Err(e) => panic!("generated instance rejected: {e}"),
        };
        let options = SolveOptions::new();
        group.bench_function("solve", |b| {
            b.iter(|| prepared.solve(black_box(&options)).map(|s| s.objective))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
