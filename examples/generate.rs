//! Writes a generated instance as JSON, and times its solve.
//!
//! ```text
//! cargo run --release --example generate -- REFERRALS SLOTS [SEED] [--sessions] [--out FILE] [--no-solve]
//! ```

use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{solve, validate, SolveOptions};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| -> u64 {
        args.get(i)
            .filter(|a| !a.starts_with("--"))
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let mut config = InstanceConfig::capacity_only(
        number(0, 10_000) as usize,
        number(1, 2_500) as usize,
        number(2, 1),
    );
    if args.iter().any(|a| a == "--sessions") {
        config.sessions = true;
        config.slot_capacity = 8;
    }
    let t = Instant::now();
    let problem = generate(&config);
    println!("generated {config:?} in {:.2} s", t.elapsed().as_secs_f64());
    if let Some(i) = args.iter().position(|a| a == "--out") {
        if let Some(path) = args.get(i + 1) {
            if let Err(e) = std::fs::write(path, problem.to_json()) {
                eprintln!("cannot write {path}: {e}");
            }
        }
    }
    if args.iter().any(|a| a == "--no-solve") {
        return;
    }
    let t = Instant::now();
    match solve(&problem, &SolveOptions::new()) {
        Ok(schedule) => {
            let total = t.elapsed().as_secs_f64();
            print!(
                "{}",
                schedule
                    .summary(&problem)
                    .lines()
                    .take(9)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            println!(
                "\nsolve {:.2} s (candidates and models {:.2} s); validation: {} violations",
                total,
                schedule.stats.build_time.as_secs_f64(),
                validate(&problem, &schedule).len()
            );
        }
        Err(e) => eprintln!("error: {e}"),
    }
}
