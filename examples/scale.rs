//! Times and sizes the solver at trust, regional and national scale on generated instances,
//! and measures memory per referral when loading JSON. Prints one line per figure.
//!
//! ```text
//! cargo run --release --example scale -- peers              # 20,000 x 5,000, 30 candidates
//! cargo run --release --example scale -- trust              # 100,000 x 25,000
//! cargo run --release --example scale -- england [N]        # N referrals (1,600,000), 42 ICBs x 15 tests
//! cargo run --release --example scale -- load [N]           # bytes per referral, loading N (1,000,000)
//! cargo run --release --features highs --example scale -- sessions   # 2,000 x 500 sessions, 60 s
//! ```
//!
//! `sessions` is the generalised assignment list of `benches/solve.rs` (2,000 referrals of 30,
//! 60 or 90 minutes in 500 four-hour sessions of 8 places), solved by the best compiled backend
//! with a 60-second limit; it prints each component's status, tier-1 value, bound and gap.
//!
//! `--simplex-only` (after the mode) solves tier 2 with the network simplex instead of cost
//! scaling (`SolveOptions::cost_scaling(false)`), to compare the two engines.
//!
//! Peak memory is the process's high-water mark (`VmHWM` in `/proc/self/status`, Linux).

use appointment_optimiser::generate::{england_diagnostics, generate, InstanceConfig};
use appointment_optimiser::{prepare, validate, Backend, Problem, SolveOptions};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let simplex_only = args.iter().any(|a| a == "--simplex-only");
    args.retain(|a| a != "--simplex-only");
    let options = SolveOptions::new().cost_scaling(!simplex_only);
    let number = |default: usize| {
        args.get(1)
            .and_then(|a| a.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("peers") => solve_and_report(
            "20,000 x 5,000 x 30",
            generate(&InstanceConfig::capacity_only(20_000, 5_000, 1)),
            &options,
        ),
        Some("trust") => solve_and_report(
            "100,000 x 25,000 x 30",
            generate(&InstanceConfig::capacity_only(100_000, 25_000, 1)),
            &options,
        ),
        Some("england") => {
            let n = number(1_600_000);
            let started = Instant::now();
            let problem = england_diagnostics(n, 1);
            println!(
                "generated {} referrals, {} slots, {} sites in {:.1} s",
                problem.referrals.len(),
                problem.slots.len(),
                problem.sites.len(),
                started.elapsed().as_secs_f64()
            );
            solve_and_report("England diagnostics", problem, &options)
        }
        Some("sessions") => solve_and_report(
            "2,000 x 500 sessions",
            generate(&InstanceConfig {
                sessions: true,
                slot_capacity: 8,
                ..InstanceConfig::capacity_only(2_000, 500, 1)
            }),
            &options
                .backend(Backend::best_compiled())
                .time_limit(Duration::from_secs(60)),
        ),
        Some("load") => load(number(1_000_000)),
        _ => {
            eprintln!(
                "usage: scale peers | trust | england [REFERRALS] | sessions | load [REFERRALS] [--simplex-only]"
            );
            ExitCode::FAILURE
        }
    }
}

fn solve_and_report(name: &str, problem: Problem, options: &SolveOptions) -> ExitCode {
    let started = Instant::now();
    let prepared = match prepare(&problem) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let built = started.elapsed().as_secs_f64();
    let schedule = match prepared.solve(options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let total = started.elapsed().as_secs_f64();
    let booked = schedule.bookings().count();
    println!(
        "{name}: {} referrals, {} slots, {} candidate pairs, {} component{} ({} by network flow), status {:?}",
        problem.referrals.len(),
        problem.slots.len(),
        prepared.candidate_count(),
        prepared.component_count(),
        if prepared.component_count() == 1 { "" } else { "s" },
        schedule.stats.network_components,
        schedule.stats.status,
    );
    println!(
        "  end to end {total:.1} s (checks and candidates {built:.1} s, solve and schedule {:.1} s); booked {booked}; objective {:?}",
        total - built,
        schedule.objective.values()
    );
    let saving = schedule
        .place_values
        .iter()
        .filter(|v| v.saving.is_some())
        .count();
    println!(
        "  certificates {}; place values: {saving} slots save something, {} not measured past a tier",
        schedule.explanations.len(),
        schedule.place_values.len() - saving
    );
    println!("  peak memory {}", peak_memory());
    for c in schedule.stats.components.iter().filter(|c| c.gap.is_some()) {
        println!(
            "  component {}: {:?}, {:?}, tier 1 {} against bound {:?}, gap {:?}{}",
            c.index,
            c.method,
            c.status,
            c.tier1_value,
            c.tier1_bound,
            c.gap,
            c.message
                .as_ref()
                .map_or(String::new(), |m| format!(" ({m})"))
        );
    }
    let started = Instant::now();
    let violations = validate(&problem, &schedule).len();
    println!(
        "  validation: {violations} violations ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Loads `n` generated referrals from JSON and reports the memory the problem takes.
fn load(n: usize) -> ExitCode {
    let config = InstanceConfig {
        sites: 200,
        ..InstanceConfig::capacity_only(n, (n / 4).max(1), 1)
    };
    let json = generate(&config).to_json();
    let before = resident_kb();
    let started = Instant::now();
    let problem = match Problem::from_json(&json) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let after = resident_kb();
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "loaded {} referrals and {} slots from {:.0} MB of JSON in {seconds:.1} s: {} bytes per referral in memory (slots included), JSON {} bytes per referral",
            problem.referrals.len(),
            problem.slots.len(),
            json.len() as f64 / 1e6,
            (after.saturating_sub(before)) * 1024 / n.max(1) as u64,
            json.len() / n.max(1),
        ),
        _ => println!("memory figures need Linux (/proc/self/status)"),
    }
    ExitCode::SUCCESS
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn resident_kb() -> Option<u64> {
    status_kb("VmRSS:")
}

fn peak_memory() -> String {
    status_kb("VmHWM:").map_or("n/a (needs Linux)".to_owned(), |kb| {
        format!("{} MB", kb / 1024)
    })
}
