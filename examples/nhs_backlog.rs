//! The main job on real NHS figures: build a trust's waiting list and capacity from published
//! figures, book it optimally, book it the ways lists are booked today, and compare.
//!
//! ```text
//! cargo run --release --example nhs_backlog
//! cargo run --release --example nhs_backlog -- --data ../shared/data --provider RAJ --tfc C_110 \
//!     [--icb E54000026] [--weeks 6] [--seed 2026] [--backend microlp|highs|cbc] \
//!     [--theatre-packing] [--time-limit SECONDS] [--out out]
//!     [--objective nhs_england|eighteen_weeks_first|clock_stop_breaches]
//! ```
//!
//! Columns: the optimiser under `--objective` (default `nhs_england`); the optimiser under the
//! crate's first objective, `clock_stop_breaches` (what that objective buys); FCFS, first come,
//! first served (clock-start order, earliest compatible slot); priority+FCFS, the same within
//! urgent suspected cancer, urgent, then routine; nearest site, each patient's nearest suitable
//! site first. The `objective:` rows give every schedule's value on each term of the chosen
//! objective.
//!
//! Writes to the output folder (default `out/`): `schedule.json` (the optimiser's schedule),
//! `report.json` and `report.md` (the side-by-side report) and `waiting_times.svg` (the
//! waiting-time distribution at the start and, for the optimiser, priority then first come first
//! served and first come first served, at the end of the horizon, with the 18, 52, 65 and 78
//! week marks).

use appointment_optimiser::baselines::{book, Baseline};
use appointment_optimiser::report::{report, Comparison, Report};
use appointment_optimiser::scenario::{build, Figures, ScenarioConfig};
use appointment_optimiser::{
    prepare, solve, validate, Backend, Objective, Preset, Problem, Schedule, SolveOptions,
};
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: nhs_backlog [--data DIR --provider CODE --tfc CODE [--icb CODE]] [--weeks N] [--seed N] [--backend microlp|highs|cbc] [--theatre-packing] [--time-limit SECONDS] [--out DIR] [--objective nhs_england|eighteen_weeks_first|clock_stop_breaches]";

struct Args {
    data: Option<PathBuf>,
    provider: String,
    tfc: String,
    icb: Option<String>,
    config: ScenarioConfig,
    options: SolveOptions,
    out: PathBuf,
    objective: Preset,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        data: None,
        provider: "RAJ".into(),
        tfc: "C_110".into(),
        icb: None,
        config: ScenarioConfig::default(),
        options: SolveOptions::new(),
        out: PathBuf::from("out"),
        objective: Preset::NhsEngland,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--data" => args.data = Some(PathBuf::from(value("--data")?)),
            "--provider" => args.provider = value("--provider")?,
            "--tfc" => args.tfc = value("--tfc")?,
            "--icb" => args.icb = Some(value("--icb")?),
            "--weeks" => {
                args.config.horizon_weeks = value("--weeks")?
                    .parse()
                    .ok()
                    .filter(|w| (1..=52).contains(w))
                    .ok_or("--weeks takes a whole number of weeks, 1 to 52")?
            }
            "--seed" => {
                args.config.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed takes a whole number")?
            }
            "--backend" => {
                let backend: Backend = value("--backend")?.parse().map_err(|e| format!("{e}"))?;
                args.options = args.options.clone().backend(backend);
            }
            "--time-limit" => {
                let seconds: f64 = value("--time-limit")?
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or("--time-limit takes a number of seconds")?;
                args.options = args
                    .options
                    .clone()
                    .time_limit(Duration::from_secs_f64(seconds));
            }
            "--theatre-packing" => args.config.theatre_packing = true,
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--objective" => args.objective = value("--objective")?.parse()?,
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Progress on standard error, so the report on standard output stays clean.
fn step(n: usize, what: &str, started: Instant) {
    eprintln!("[{n}/5 {:>5.1} s] {what}", started.elapsed().as_secs_f64());
}

fn run() -> Result<(), String> {
    let args = parse()?;
    let started = Instant::now();
    step(1, "building the scenario", started);
    let figures = match &args.data {
        Some(dir) => Figures::from_csv(dir, &args.provider, &args.tfc, args.icb.as_deref())
            .map_err(|e| e.to_string())?,
        None => Figures::embedded_default(),
    };
    let mut scenario = build(&figures, &args.config);
    scenario.problem.policy.objective = Objective::Preset(args.objective);
    let problem = &scenario.problem;
    let context = format!(
        "{} ({}), {} ({}): {} waiting on {}; horizon {} weeks to {}\ncapacity from the monthly clock stops: {} clinic places, {} operations, {} diagnostic tests, at {} sites; no new referrals join during the horizon",
        figures.provider_name,
        figures.provider_code,
        figures.treatment_function_name,
        figures.treatment_function,
        problem.referrals.len(),
        problem.planning_date,
        args.config.horizon_weeks,
        problem.horizon_end,
        scenario.clinic_places,
        scenario.theatre_places,
        scenario.diagnostic_places,
        problem.sites.len()
    );
    println!("{context}");

    step(2, "optimising", started);
    let prepared = prepare(problem).map_err(|e| e.to_string())?;
    let optimum = prepared.solve(&args.options).map_err(|e| e.to_string())?;
    check(problem, &optimum, "optimiser")?;
    println!(
        "optimiser: {} components, {} candidate pairs, status {:?}, {:.1} s",
        optimum.stats.component_count,
        optimum.stats.variables,
        optimum.stats.status,
        optimum.stats.elapsed.as_secs_f64()
    );

    step(3, "booking the baselines", started);
    let mut columns = vec![("optimiser".to_owned(), report_of(problem, &optimum)?)];
    if args.objective != Preset::ClockStopBreaches {
        // The same list booked under the first objective, scored under the chosen one.
        let mut first = problem.clone();
        first.policy.objective = Objective::Preset(Preset::ClockStopBreaches);
        let mut schedule = solve(&first, &args.options).map_err(|e| e.to_string())?;
        check(problem, &schedule, "clock-stop objective")?;
        eprintln!(
            "clock-stop objective: status {:?}, {:.1} s",
            schedule.stats.status,
            schedule.stats.elapsed.as_secs_f64()
        );
        schedule.objective = prepared.evaluate(&schedule).map_err(|e| e.to_string())?;
        columns.push((
            "clock-stop objective".to_owned(),
            report_of(problem, &schedule)?,
        ));
    }
    let mut fcfs_end = None;
    let mut priority_end = None;
    for baseline in Baseline::ALL {
        let schedule = book(problem, baseline).map_err(|e| e.to_string())?;
        check(problem, &schedule, baseline.name())?;
        let r = report_of(problem, &schedule)?;
        if baseline == Baseline::FirstComeFirstServed {
            fcfs_end = Some(r.waiting_list_end.clone());
        }
        if baseline == Baseline::PriorityThenFcfs {
            priority_end = Some(r.waiting_list_end.clone());
        }
        let label = match baseline {
            Baseline::FirstComeFirstServed => "FCFS",
            Baseline::PriorityThenFcfs => "priority+FCFS",
            Baseline::NearestSiteFirst => "nearest site",
        };
        columns.push((label.to_owned(), r));
    }

    step(4, "reporting", started);
    let comparison = Comparison::new(columns);
    println!();
    print!("{}", comparison.to_text());

    step(5, "writing the output folder", started);
    let out = &args.out;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write(&out.join("schedule.json"), &(optimum.to_json() + "\n"))?;
    let json = serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())?;
    write(&out.join("report.json"), &(json + "\n"))?;
    let heading = format!(
        "## {}\n\n{}\n\n",
        figures.provider_name,
        context.replace('\n', "  \n")
    );
    write(
        &out.join("report.md"),
        &(heading + &comparison.to_markdown()),
    )?;
    let start = &comparison.columns[0].1.waiting_list_start;
    let end = &comparison.columns[0].1.waiting_list_end;
    chart(
        &out.join("waiting_times.svg"),
        &format!(
            "{}, {}",
            figures.provider_name, figures.treatment_function_name
        ),
        &[
            (format!("start, {}", start.date), start, BLACK),
            (format!("optimiser, {}", end.date), end, BLUE),
        ],
        priority_end.as_ref(),
        fcfs_end.as_ref(),
    )?;
    eprintln!(
        "wrote schedule.json, report.json, report.md and waiting_times.svg to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn report_of(problem: &Problem, schedule: &Schedule) -> Result<Report, String> {
    report(problem, schedule).map_err(|e| e.to_string())
}

fn check(problem: &Problem, schedule: &Schedule, who: &str) -> Result<(), String> {
    let violations = validate(problem, schedule);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{who}'s schedule broke {} hard rules, first {:?} (a bug: please report it)",
            violations.len(),
            violations[0]
        ))
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

type WaitingList = appointment_optimiser::report::WaitingList;

/// Patients waiting per week band, as lines: the start, the optimiser's end, priority then first
/// come first served's end and first come first served's end; grey marks at 18, 52, 65 and 78
/// weeks.
fn chart(
    path: &Path,
    title: &str,
    lines: &[(String, &WaitingList, RGBColor)],
    priority: Option<&WaitingList>,
    fcfs: Option<&WaitingList>,
) -> Result<(), String> {
    let priority_line = priority.map(|w| {
        (
            format!("priority, then first come, first served, {}", w.date),
            w,
            RGBColor(0, 150, 0),
        )
    });
    let fcfs_line = fcfs.map(|w| (format!("first come, first served, {}", w.date), w, RED));
    let all: Vec<_> = lines
        .iter()
        .cloned()
        .chain(priority_line)
        .chain(fcfs_line)
        .collect();
    let top = all
        .iter()
        .flat_map(|(_, w, _)| w.week_bands.iter().map(|&(_, n)| n))
        .max()
        .unwrap_or(1)
        .max(1);
    let root = SVGBackend::new(path, (960, 540)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Patients waiting by weeks waited: {title}"),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0u32..105u32, 0usize..top + top / 10)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("weeks waited (band 104 = over 104 weeks)")
        .y_desc("patients")
        .draw()
        .map_err(|e| err(&e))?;
    let y_top = top + top / 10;
    for weeks in [18u32, 52, 65, 78] {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(weeks, 0), (weeks, y_top)],
                RGBColor(160, 160, 160).stroke_width(1),
            )))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{weeks} wk"),
                (weeks, y_top),
                ("sans-serif", 12).into_font(),
            )))
            .map_err(|e| err(&e))?;
    }
    for (label, list, colour) in all {
        let colour = colour.to_owned();
        chart
            .draw_series(LineSeries::new(
                list.week_bands.iter().map(|&(band, n)| (band.0, n)),
                colour.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}
