//! `appointment-optimiser`: the crate's command-line program.
//!
//! Exit codes: 0 done (every hard rule holds); 1 the input is invalid, or a file could not be
//! read or written (the message names the record and field, or the file); 2 bad command-line
//! arguments; 3 a schedule broke a hard rule (a bug: please report it with the input).

use appointment_optimiser::baselines::{self, Baseline};
use appointment_optimiser::report::{report, Comparison};
use appointment_optimiser::scenario::{build, Figures, ScenarioConfig};
use appointment_optimiser::{prepare, validate, Backend, Problem, Schedule, SolveOptions};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Books patients on NHS waiting lists into clinic, diagnostic and theatre capacity, optimally.
#[derive(Parser)]
#[command(version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 done; 1 invalid input or a file that could not be read or written; 2 bad arguments; 3 a schedule broke a hard rule (a bug).";

#[derive(Subcommand)]
enum Command {
    /// Solve a problem: problem JSON in, schedule JSON out, the summary on stderr.
    #[command(
        after_help = "Example:\n  appointment-optimiser solve examples/data/small_clinic.json --out schedule.json"
    )]
    Solve {
        /// The problem, as JSON (the input format of the README).
        problem: PathBuf,
        /// Where to write the schedule JSON; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// The optimiser against the booking baselines (first come first served, priority then
    /// first come first served, nearest site first) on one problem: the report side by side.
    #[command(
        after_help = "Example:\n  appointment-optimiser compare examples/data/small_clinic.json --format markdown"
    )]
    Compare {
        /// The problem, as JSON.
        problem: PathBuf,
        /// How to print the comparison.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        solver: SolverArgs,
    },
    /// Build a problem from the published NHS figures (RTT waiting list and clock stops of one
    /// provider and treatment function) and write its JSON: the nhs_backlog example's scenario.
    #[command(
        after_help = "Example:\n  appointment-optimiser scenario --data ../shared/data --provider RAJ --tfc C_110 --out problem.json"
    )]
    Scenario {
        /// The folder of the published files (RTT CSVs, sites); without it, the embedded
        /// default trust.
        #[arg(long, requires_all = ["provider", "tfc"])]
        data: Option<PathBuf>,
        /// The provider's ODS code, for example RAJ (with --data).
        #[arg(long, requires = "data")]
        provider: Option<String>,
        /// The treatment function code as published, for example C_110 (with --data).
        #[arg(long, requires = "data")]
        tfc: Option<String>,
        /// The integrated care board whose community diagnostic centres and independent-sector
        /// provider join the trust's sites, by ONS code (E54...) or name.
        #[arg(long)]
        icb: Option<String>,
        /// Horizon in weeks, 1 to 52.
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=52))]
        weeks: u32,
        /// Seed of the drawn patients and slots.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Pack theatre lists by minutes.
        #[arg(long)]
        theatre_packing: bool,
        /// Where to write the problem JSON; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// FHIR R4 (UK Core) in and out: a trust's Bundle read as a problem, a schedule written as
    /// Appointments (the README's "From a trust's systems" has the mapping).
    #[cfg(feature = "fhir")]
    #[command(subcommand)]
    Fhir(FhirCommand),
}

#[cfg(feature = "fhir")]
#[derive(Subcommand)]
enum FhirCommand {
    /// Read a FHIR Bundle (collection, searchset or transaction) of ServiceRequest, Patient,
    /// Slot, Schedule, Location, HealthcareService and Appointment into problem JSON; what was
    /// left out or assumed is printed on stderr as `note:` lines.
    #[command(
        after_help = "Example:\n  appointment-optimiser fhir import tests/data/fhir/trust_week.json --planning-date 2026-12-07 --out problem.json"
    )]
    Import {
        /// The FHIR Bundle, as JSON.
        bundle: PathBuf,
        /// The date the booking is made on (YYYY-MM-DD, the date in England).
        #[arg(long)]
        planning_date: chrono::NaiveDate,
        /// Last day of the horizon, included; six weeks after the planning date when absent.
        #[arg(long)]
        horizon_end: Option<chrono::NaiveDate>,
        /// Appointment length in minutes of a request that gives none.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
        duration_minutes: u32,
        /// A booking policy as JSON (the README's Policy fields); the default policy when absent.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Where to write the problem JSON; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a schedule of a problem as a FHIR transaction Bundle of Appointments (new and
    /// moved bookings; PATCHes cancelling moved or cancelled ones), and the referrals left
    /// unbooked as an OperationOutcome.
    #[command(
        after_help = "Example:\n  appointment-optimiser fhir export --problem problem.json --schedule schedule.json --out appointments.json --unbooked unbooked.json"
    )]
    Export {
        /// The problem JSON (as `fhir import` wrote it).
        #[arg(long)]
        problem: PathBuf,
        /// The schedule JSON (as `solve` wrote it) of that problem.
        #[arg(long)]
        schedule: PathBuf,
        /// The status of the new Appointments: `proposed` while the booking team still offers
        /// the dates to the patients (a reasonable offer), `booked` once they are agreed.
        #[arg(long, value_enum, default_value_t = Status::Proposed)]
        status: Status,
        /// Where to write the transaction Bundle; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Where to write the OperationOutcome of the unbooked referrals; not written when
        /// absent (their number is printed on stderr either way).
        #[arg(long)]
        unbooked: Option<PathBuf>,
    },
}

/// The status new Appointments are written with.
#[cfg(feature = "fhir")]
#[derive(Clone, Copy, ValueEnum)]
enum Status {
    /// `proposed`: dates to offer to the patients; the patient participant `needs-action`.
    Proposed,
    /// `booked`: dates agreed; the patient participant `accepted`.
    Booked,
}

#[derive(clap::Args)]
struct SolverArgs {
    /// The MIP backend for components that need one (microlp, highs or cbc, as compiled in);
    /// when absent, the best one compiled in, as `SolveOptions::new` chooses.
    #[arg(long)]
    backend: Option<String>,
    /// Seconds the MIP backend may use per component, 0 or more.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Relative MIP gap at which the backend may stop, for example 0.01.
    #[arg(long)]
    mip_gap: Option<f64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned text.
    Text,
    /// A Markdown table.
    Markdown,
    /// JSON.
    Json,
}

/// A failure and its exit code.
struct Failure {
    code: u8,
    message: String,
}

fn input_error(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

/// A spinner on standard error with the elapsed time and `message`; hidden when standard error
/// is not a terminal (a pipe, a log file, a test).
fn spinner(message: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Solves `problem` under `options` with a spinner through its two halves.
fn solve_with_progress(problem: &Problem, options: &SolveOptions) -> Result<Schedule, Failure> {
    let bar = spinner("checking the problem and building candidates");
    let prepared = prepare(problem).map_err(|e| {
        bar.finish_and_clear();
        input_error(e.to_string())
    })?;
    bar.set_message("solving");
    let schedule = prepared.solve(options);
    bar.finish_and_clear();
    schedule.map_err(|e| input_error(e.to_string()))
}

fn read_problem(path: &Path) -> Result<Problem, Failure> {
    let json = std::fs::read_to_string(path)
        .map_err(|e| input_error(format!("cannot read {}: {e}", path.display())))?;
    Problem::from_json(&json).map_err(|e| input_error(format!("{}: {e}", path.display())))
}

fn options(args: &SolverArgs) -> Result<SolveOptions, Failure> {
    let mut options = SolveOptions::new();
    if let Some(name) = &args.backend {
        let backend: Backend = name
            .parse()
            .map_err(|e: appointment_optimiser::Error| Failure {
                code: 2,
                message: e.to_string(),
            })?;
        options = options.backend(backend);
    }
    if let Some(seconds) = args.time_limit {
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(Failure {
                code: 2,
                message: "--time-limit takes a number of seconds, 0 or more".into(),
            });
        }
        options = options.time_limit(Duration::from_secs_f64(seconds));
    }
    if let Some(gap) = args.mip_gap {
        options = options.mip_gap(gap);
    }
    Ok(options)
}

/// Fails with exit code 3 when `schedule` breaks a hard rule of `problem`.
fn checked(problem: &Problem, schedule: Schedule, what: &str) -> Result<Schedule, Failure> {
    let violations = validate(problem, &schedule);
    if violations.is_empty() {
        Ok(schedule)
    } else {
        Err(Failure {
            code: 3,
            message: format!(
                "the {what} schedule broke {} hard rules (a bug: please report it with the input): {violations:?}",
                violations.len()
            ),
        })
    }
}

/// Writes `text` to `out`, or standard output when `None`.
fn write_out(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    match out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| input_error(format!("cannot write {}: {e}", path.display()))),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // The reader stopped early (`| head`): nothing more to say.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(input_error(format!("cannot write to standard output: {e}")))
                }
                _ => Ok(()),
            }
        }
    }
}

#[cfg(feature = "fhir")]
fn run_fhir(command: FhirCommand) -> Result<(), Failure> {
    use appointment_optimiser::fhir::{
        export_appointments, import_bundle, AppointmentStatus, ImportSettings,
    };
    match command {
        FhirCommand::Import {
            bundle,
            planning_date,
            horizon_end,
            duration_minutes,
            policy,
            out,
        } => {
            let json = std::fs::read_to_string(&bundle)
                .map_err(|e| input_error(format!("cannot read {}: {e}", bundle.display())))?;
            let mut settings = ImportSettings::new(planning_date);
            settings.horizon_end = horizon_end;
            settings.default_duration_minutes = duration_minutes;
            if let Some(path) = policy {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| input_error(format!("cannot read {}: {e}", path.display())))?;
                settings.policy = serde_json::from_str(&text)
                    .map_err(|e| input_error(format!("{}: not a policy: {e}", path.display())))?;
            }
            let import = import_bundle(&json, &settings).map_err(|e| match e {
                appointment_optimiser::Error::FhirBundle { errors } => {
                    let each: Vec<String> = errors.iter().map(|e| format!("\n  {e}")).collect();
                    input_error(format!(
                        "{}: {} faults in the FHIR bundle:{}",
                        bundle.display(),
                        errors.len(),
                        each.concat()
                    ))
                }
                e => input_error(format!("{}: {e}", bundle.display())),
            })?;
            for note in &import.notes {
                eprintln!("note: {note}");
            }
            let p = &import.problem;
            eprintln!(
                "imported: {} referrals, {} slots at {} sites, {} to {}",
                p.referrals.len(),
                p.slots.len(),
                p.sites.len(),
                p.planning_date,
                p.horizon_end
            );
            write_out(out.as_deref(), &(p.to_json() + "\n"))
        }
        FhirCommand::Export {
            problem,
            schedule,
            status,
            out,
            unbooked,
        } => {
            let problem = read_problem(&problem)?;
            let text = std::fs::read_to_string(&schedule)
                .map_err(|e| input_error(format!("cannot read {}: {e}", schedule.display())))?;
            let parsed: Schedule = serde_json::from_str(&text)
                .map_err(|e| input_error(format!("{}: not a schedule: {e}", schedule.display())))?;
            let violations = validate(&problem, &parsed);
            if !violations.is_empty() {
                return Err(input_error(format!(
                    "{} is not a valid schedule of the problem ({} hard rules broken, first {:?}): export the schedule `solve` wrote for this problem",
                    schedule.display(),
                    violations.len(),
                    violations[0]
                )));
            }
            let status = match status {
                Status::Proposed => AppointmentStatus::Proposed,
                Status::Booked => AppointmentStatus::Booked,
            };
            let export = export_appointments(&problem, &parsed, status)
                .map_err(|e| input_error(e.to_string()))?;
            eprintln!(
                "exported: {} Appointments to create, {} to cancel, {} Slot statuses to set; {} unbooked{}",
                export.created,
                export.cancelled,
                export.slots_updated,
                match export.unbooked_referrals {
                    1 => "1 referral".to_owned(),
                    n => format!("{n} referrals"),
                },
                if unbooked.is_some() {
                    ""
                } else {
                    " (write them with --unbooked FILE)"
                }
            );
            if let Some(path) = unbooked {
                write_out(Some(&path), &export.unbooked)?;
            }
            write_out(out.as_deref(), &export.transaction)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        #[cfg(feature = "fhir")]
        Command::Fhir(command) => run_fhir(command),
        Command::Scenario {
            data,
            provider,
            tfc,
            icb,
            weeks,
            seed,
            theatre_packing,
            out,
        } => {
            let figures = match (&data, &provider, &tfc) {
                (Some(dir), Some(provider), Some(tfc)) => {
                    Figures::from_csv(dir, provider, tfc, icb.as_deref())
                        .map_err(|e| input_error(e.to_string()))?
                }
                _ => Figures::embedded_default(),
            };
            let config = ScenarioConfig {
                horizon_weeks: weeks,
                seed,
                theatre_packing,
                ..ScenarioConfig::default()
            };
            let bar = spinner("building the scenario");
            let scenario = build(&figures, &config);
            bar.finish_and_clear();
            let p = &scenario.problem;
            eprintln!(
                "scenario: {} ({}), {} ({}): {} referrals, {} slots at {} sites, {} to {}",
                figures.provider_name,
                figures.provider_code,
                figures.treatment_function_name,
                figures.treatment_function,
                p.referrals.len(),
                p.slots.len(),
                p.sites.len(),
                p.planning_date,
                p.horizon_end
            );
            write_out(out.as_deref(), &(scenario.problem.to_json() + "\n"))
        }
        Command::Solve {
            problem,
            out,
            solver,
        } => {
            let options = options(&solver)?;
            let problem = read_problem(&problem)?;
            let schedule = solve_with_progress(&problem, &options)?;
            let schedule = checked(&problem, schedule, "optimiser's")?;
            eprint!("{}", schedule.summary(&problem));
            write_out(out.as_deref(), &(schedule.to_json() + "\n"))
        }
        Command::Compare {
            problem,
            format,
            solver,
        } => {
            let options = options(&solver)?;
            let problem = read_problem(&problem)?;
            let mut columns = Vec::new();
            let optimised = solve_with_progress(&problem, &options)?;
            let optimised = checked(&problem, optimised, "optimiser's")?;
            columns.push(("optimiser".to_owned(), optimised));
            for baseline in Baseline::ALL {
                let name = match baseline {
                    Baseline::FirstComeFirstServed => "FCFS",
                    Baseline::PriorityThenFcfs => "priority+FCFS",
                    Baseline::NearestSiteFirst => "nearest site",
                };
                let bar = spinner("booking the baselines");
                let schedule = baselines::book(&problem, baseline);
                bar.finish_and_clear();
                let schedule = schedule.map_err(|e| input_error(e.to_string()))?;
                columns.push((name.to_owned(), checked(&problem, schedule, name)?));
            }
            let mut reports = Vec::with_capacity(columns.len());
            for (name, schedule) in &columns {
                let r = report(&problem, schedule).map_err(|e| input_error(e.to_string()))?;
                reports.push((name.clone(), r));
            }
            let comparison = Comparison::new(reports);
            let text = match format {
                Format::Text => comparison.to_text(),
                Format::Markdown => comparison.to_markdown(),
                Format::Json => {
                    serde_json::to_string_pretty(&comparison).unwrap_or_default() + "\n"
                }
            };
            write_out(None, &text)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
