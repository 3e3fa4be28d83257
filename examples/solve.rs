//! Solves a problem from a JSON file, prints a readable summary and writes the schedule as JSON.
//!
//! ```text
//! cargo run --release --example solve -- examples/data/small_clinic.json [--out schedule.json]
//!     [--backend microlp|highs|cbc] [--time-limit SECONDS] [--mip-gap FRACTION]
//! ```

use appointment_optimiser::{solve, validate, Backend, Problem, SolveOptions};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: solve PROBLEM.json [--out SCHEDULE.json] [--backend microlp|highs|cbc] [--time-limit SECONDS] [--mip-gap FRACTION]";

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
    let mut args = std::env::args().skip(1);
    let mut input = None;
    let mut out = String::from("schedule.json");
    let mut options = SolveOptions::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => out = value("--out")?,
            "--backend" => {
                let backend: Backend = value("--backend")?.parse().map_err(|e| format!("{e}"))?;
                options = options.backend(backend);
            }
            "--time-limit" => {
                let seconds: f64 = value("--time-limit")?
                    .parse()
                    .map_err(|_| "--time-limit takes seconds, for example 30".to_owned())?;
                if !seconds.is_finite() || seconds < 0.0 {
                    return Err("--time-limit takes a number of seconds, 0 or more".to_owned());
                }
                options = options.time_limit(Duration::from_secs_f64(seconds));
            }
            "--mip-gap" => {
                let gap: f64 = value("--mip-gap")?
                    .parse()
                    .map_err(|_| "--mip-gap takes a fraction, for example 0.01".to_owned())?;
                options = options.mip_gap(gap);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            path if input.is_none() && !path.starts_with('-') => input = Some(path.to_owned()),
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let input = input.ok_or(USAGE.to_owned())?;
    let json = std::fs::read_to_string(&input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let problem = Problem::from_json(&json).map_err(|e| e.to_string())?;
    let schedule = solve(&problem, &options).map_err(|e| e.to_string())?;
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
    std::fs::write(&out, schedule.to_json() + "\n")
        .map_err(|e| format!("cannot write {out}: {e}"))?;
    println!("Schedule written to {out}");
    if violations.is_empty() {
        Ok(())
    } else {
        Err("the schedule broke a hard rule (a bug: please report it with the input)".to_owned())
    }
}
