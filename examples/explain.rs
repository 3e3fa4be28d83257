//! Explains why one referral of a problem has no date, or a late one: who holds its candidate
//! slots and what the trade would cost, and the changes that would get it a date.
//!
//! ```text
//! cargo run --release --example explain -- examples/data/small_clinic.json R-TO-3
//! ```

use appointment_optimiser::explain::explain;
use appointment_optimiser::{solve, Problem, SolveOptions};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, referral] = args.as_slice() else {
        eprintln!("usage: explain PROBLEM.json REFERRAL");
        return ExitCode::FAILURE;
    };
    let run = || -> Result<String, String> {
        let json = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let problem = Problem::from_json(&json).map_err(|e| e.to_string())?;
        let options = SolveOptions::new();
        let schedule = solve(&problem, &options).map_err(|e| e.to_string())?;
        let why = explain(&problem, &schedule, referral, &options).map_err(|e| e.to_string())?;
        Ok(why.to_text())
    };
    match run() {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
