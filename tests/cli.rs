//! The `appointment-optimiser` program on the shipped examples: exact outputs, and bad
//! arguments with their messages and exit codes.
#![cfg(feature = "cli")]

use appointment_optimiser::{solve, validate, Problem, SolveOptions};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_appointment-optimiser"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const SMALL_CLINIC: &str = "examples/data/small_clinic.json";

/// `solve` writes exactly the library's schedule JSON, and the summary on stderr.
#[test]
fn solve_writes_the_schedule_json_and_the_summary() {
    let problem = Problem::from_json(&std::fs::read_to_string(SMALL_CLINIC).unwrap()).unwrap();
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    let expected = schedule.to_json() + "\n";

    let out = run(&["solve", SMALL_CLINIC]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), expected);
    let summary = text(&out.stderr);
    assert!(summary.starts_with(
        "Schedule for 11 referrals, planning date 2026-12-01, horizon to 2026-12-31\n  booked            8  (1 pinned)\n"
    ), "{summary}");

    let dir = std::env::temp_dir().join(format!("ao-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("schedule.json");
    let out = run(&["solve", SMALL_CLINIC, "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `compare` prints the optimiser beside the three baselines: on the small clinic the
/// optimiser and FCFS breach 4 referrals, priority+FCFS and nearest site first 5.
#[test]
fn compare_puts_the_optimiser_beside_the_baselines() {
    let out = run(&["compare", SMALL_CLINIC]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Comparison of 4 schedules (Δ: the column minus optimiser)\n"));
    let breaches = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("breaches"))
        .unwrap();
    let figures: Vec<&str> = breaches.split_whitespace().skip(1).collect();
    assert_eq!(figures, ["4", "4", "5", "5", "0", "+1", "+1"]);

    let json = run(&["compare", SMALL_CLINIC, "--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["columns"].as_array().map(Vec::len), Some(4));
}

/// Exit code 1 for input the library refuses or a file it cannot read, 2 for bad arguments;
/// each message says what is wrong.
#[test]
fn bad_input_and_bad_arguments_have_their_exit_codes() {
    let out = run(&["solve", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error: cannot read no-such-file.json: "));

    let dir = std::env::temp_dir().join(format!("ao-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"planning_date": "1 December"}"#).unwrap();
    let out = run(&["solve", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let message = text(&out.stderr);
    assert!(
        message.contains("invalid problem JSON at `planning_date`"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let out = run(&["solve", SMALL_CLINIC, "--backend", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: solve option `backend`: unknown backend `nope`: choose microlp, highs or cbc\n"
    );
    let out = run(&["solve", SMALL_CLINIC, "--time-limit=-1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --time-limit takes a number of seconds, 0 or more\n"
    );
    let out = run(&["bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("error: unrecognized subcommand 'bogus'"));
}

/// Every subcommand's `--help` ends with an example.
#[test]
fn help_gives_an_example() {
    for sub in ["solve", "compare", "scenario"] {
        let out = run(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        assert!(
            help.contains(&format!("Example:\n  appointment-optimiser {sub} ")),
            "{help}"
        );
    }
    let out = run(&["--help"]);
    assert!(text(&out.stdout).contains("Exit codes: 0 done; 1 invalid input"));
}

/// `scenario` writes exactly the library's problem for the same figures and configuration; a
/// `--data` folder without the provider and treatment function is a usage error.
#[test]
fn scenario_writes_the_problem_json() {
    use appointment_optimiser::scenario::{build, Figures, ScenarioConfig};
    let config = ScenarioConfig {
        horizon_weeks: 2,
        seed: 7,
        ..ScenarioConfig::default()
    };
    let expected = build(&Figures::embedded_default(), &config)
        .problem
        .to_json()
        + "\n";
    let out = run(&["scenario", "--weeks", "2", "--seed", "7"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected);
    assert!(Problem::from_json(&expected).is_ok());
    let said = text(&out.stderr);
    assert!(said.starts_with("scenario: "), "{said}");
    assert!(said.contains(" referrals, "), "{said}");

    let out = run(&["scenario", "--data", "../shared/data", "--provider", "RAJ"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--tfc <TFC>"));
    let out = run(&["scenario", "--provider", "XYZ", "--tfc", "C_999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--data <DATA>"));
    let out = run(&["scenario", "--weeks", "60"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("60 is not in 1..=52"));
}

#[cfg(feature = "fhir")]
const TRUST_WEEK: &str = "tests/data/fhir/trust_week.json";

/// `fhir import` writes exactly the library's problem, with the notes and a one-line account on
/// stderr; `fhir export` of the program's own schedule writes exactly the library's transaction
/// and OperationOutcome.
#[cfg(feature = "fhir")]
#[test]
fn fhir_import_and_export_write_what_the_library_does() {
    use appointment_optimiser::fhir::{
        export_appointments, import_bundle, AppointmentStatus, ImportSettings,
    };
    let settings = ImportSettings::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
    let import = import_bundle(&std::fs::read_to_string(TRUST_WEEK).unwrap(), &settings).unwrap();

    let dir = std::env::temp_dir().join(format!("ao-cli-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let out = run(&[
        "fhir",
        "import",
        TRUST_WEEK,
        "--planning-date",
        "2026-12-07",
        "--out",
        &path("p.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(path("p.json")).unwrap(),
        import.problem.to_json() + "\n"
    );
    let mut expected: Vec<String> = import
        .notes
        .iter()
        .map(|n| format!("note: {n}\n"))
        .collect();
    expected.push("imported: 6 referrals, 5 slots at 3 sites, 2026-12-07 to 2027-01-18\n".into());
    assert_eq!(text(&out.stderr), expected.concat());
    assert_eq!(
        expected[0],
        "note: Appointment/APT-2 left out: status `cancelled` is not a booking to keep\n"
    );

    // Three faults (two blocked slots, one request): each reported, one per line, exit code 1.
    let broken = std::fs::read_to_string(TRUST_WEEK)
        .unwrap()
        .replace("\"status\": \"busy-unavailable\"", "\"status\": \"closed\"")
        .replace(
            "\"id\": \"SR-TO-4\", \"status\": \"active\", \"intent\": \"order\"",
            "\"id\": \"SR-TO-4\", \"status\": \"active\"",
        );
    std::fs::write(path("broken.json"), broken).unwrap();
    let out = run(&[
        "fhir",
        "import",
        &path("broken.json"),
        "--planning-date",
        "2026-12-07",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "error: {}: 3 faults in the FHIR bundle:\n  FHIR `Slot/TO-1215` element `Slot.status`: `closed`: give free, busy, busy-unavailable, busy-tentative or entered-in-error\n  FHIR `Slot/CT-1209-2` element `Slot.status`: `closed`: give free, busy, busy-unavailable, busy-tentative or entered-in-error\n  FHIR `ServiceRequest/SR-TO-4` element `ServiceRequest.intent`: missing (it is required): a waiting-list entry is an `order`\n",
            path("broken.json")
        )
    );

    let out = run(&["solve", &path("p.json"), "--out", &path("s.json")]);
    assert_eq!(out.status.code(), Some(0));
    let schedule = solve(&import.problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&import.problem, &schedule), vec![]);
    let expected =
        export_appointments(&import.problem, &schedule, AppointmentStatus::Booked).unwrap();
    let out = run(&[
        "fhir",
        "export",
        "--problem",
        &path("p.json"),
        "--schedule",
        &path("s.json"),
        "--status",
        "booked",
        "--unbooked",
        &path("u.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected.transaction);
    assert_eq!(
        std::fs::read_to_string(path("u.json")).unwrap(),
        expected.unbooked
    );
    assert_eq!(
        text(&out.stderr),
        "exported: 5 Appointments to create, 1 to cancel, 3 Slot statuses to set; 1 referral unbooked\n"
    );

    // A schedule of another problem is refused, not written.
    let out = run(&[
        "fhir",
        "export",
        "--problem",
        SMALL_CLINIC,
        "--schedule",
        &path("s.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not a valid schedule of the problem"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A bundle the import refuses is exit code 1 with the resource and element; a date the
/// program cannot read is exit code 2.
#[cfg(feature = "fhir")]
#[test]
fn fhir_import_errors_have_their_exit_codes() {
    let out = run(&[
        "fhir",
        "import",
        SMALL_CLINIC,
        "--planning-date",
        "2026-12-07",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: examples/data/small_clinic.json: FHIR `Bundle` element `Bundle.resourceType`: missing: the import reads a FHIR Bundle, a JSON object with \"resourceType\": \"Bundle\"\n"
    );
    let out = run(&["fhir", "import", TRUST_WEEK, "--planning-date", "7/12/2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr)
        .starts_with("error: invalid value '7/12/2026' for '--planning-date <PLANNING_DATE>'"));
}
