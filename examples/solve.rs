//! Solves a problem from a JSON file with the library: prints the summary and the validator's
//! verdict, and writes the schedule as JSON. The program does the same with every solver option
//! (`appointment-optimiser solve PROBLEM.json --backend highs --time-limit 30`; README, "The
//! command line").
//!
//! ```text
//! cargo run --release --example solve -- examples/data/small_clinic.json [--out schedule.json]
//! ```

use appointment_optimiser::{solve, validate, Problem, SolveOptions};
use std::process::ExitCode;

const USAGE: &str = "usage: solve PROBLEM.json [--out SCHEDULE.json] (solver options: appointment-optimiser solve --help)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, out) = match args.as_slice() {
        [input] => (input, "schedule.json"),
        [input, flag, out] if flag == "--out" => (input, out.as_str()),
        _ => return Err(USAGE.to_owned()),
    };
    let json = std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let problem = Problem::from_json(&json).map_err(|e| e.to_string())?;
    let schedule = solve(&problem, &SolveOptions::new()).map_err(|e| e.to_string())?;
    print!("{}", schedule.summary(&problem));
    let violations = validate(&problem, &schedule);
    if violations.is_empty() {
        println!("Validation: every hard rule holds.");
    } else {
        println!("Validation found {} violations:", violations.len());
        for v in &violations {
            println!("  {v:?}");
        }
    }
    std::fs::write(out, schedule.to_json() + "\n")
        .map_err(|e| format!("cannot write {out}: {e}"))?;
    println!("Schedule written to {out}");
    if violations.is_empty() {
        Ok(())
    } else {
        Err("the schedule broke a hard rule (a bug: please report it with the input)".to_owned())
    }
}
