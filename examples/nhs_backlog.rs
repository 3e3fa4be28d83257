//! The main job on real NHS figures: build a trust's waiting list and capacity from published
//! figures, book it optimally, book it the ways lists are booked today, and compare.
//!
//! ```text
//! cargo run --release --example nhs_backlog
//! cargo run --release --example nhs_backlog -- --data ../shared/data --provider RAJ --tfc C_110 \
//!     [--icb E54000026] [--weeks 6] [--seed 2026] [--backend microlp|highs|cbc] \
//!     [--theatre-packing] [--time-limit SECONDS] [--out out]
//!     [--objective nhs_england|eighteen_weeks_first|clock_stop_breaches] [--what-if]
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
//! week marks), and `place_values.svg` (a heat map of what one more place would save, by site
//! and week of the horizon, from the optimiser's place values).
//!
//! `--what-if` then ranks one more list a week at each site for each service it offers (the
//! trust's sites, the board's community diagnostic centres and the independent-sector
//! provider), each found exactly by solving the list again with the lists added, prints the
//! best ten and writes `what_if.md` and `what_if.json`.

use appointment_optimiser::baselines::{book, Baseline};
use appointment_optimiser::report::{capacity, report, Comparison, Report};
use appointment_optimiser::scenario::{build, Figures, ScenarioConfig};
use appointment_optimiser::{
    prepare, solve, validate, Backend, Objective, Preset, Problem, Schedule, SolveOptions,
};
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: nhs_backlog [--data DIR --provider CODE --tfc CODE [--icb CODE]] [--weeks N] [--seed N] [--backend microlp|highs|cbc] [--theatre-packing] [--time-limit SECONDS] [--out DIR] [--objective nhs_england|eighteen_weeks_first|clock_stop_breaches] [--what-if]";

struct Args {
    data: Option<PathBuf>,
    provider: String,
    tfc: String,
    icb: Option<String>,
    config: ScenarioConfig,
    options: SolveOptions,
    out: PathBuf,
    objective: Preset,
    what_if: bool,
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
        what_if: false,
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
            "--what-if" => args.what_if = true,
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

    print!("{}", optimum.capacity_summary());

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
    heat_map(
        &out.join("place_values.svg"),
        &format!(
            "{}, {}",
            figures.provider_name, figures.treatment_function_name
        ),
        problem,
        &optimum,
    )?;
    eprintln!(
        "wrote schedule.json, report.json, report.md, waiting_times.svg and place_values.svg to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if args.what_if {
        what_if(problem, &args.options, out, started)?;
    }
    Ok(())
}

/// One more list a week at each site, for each service it offers: solved again with the lists
/// added, ranked by the objective's tiers, the best ten printed.
fn what_if(
    problem: &Problem,
    options: &SolveOptions,
    out: &Path,
    started: Instant,
) -> Result<(), String> {
    let additions = capacity::weekly_lists(problem);
    eprintln!(
        "[what-if {:>5.1} s] solving again with each of {} additions",
        started.elapsed().as_secs_f64(),
        additions.len()
    );
    let (_, ranked) = capacity::what_if(problem, options, &additions).map_err(|e| e.to_string())?;
    let names = problem.policy.objective.tier_names();
    let site_name = |id: &appointment_optimiser::SiteId| {
        problem
            .sites
            .iter()
            .find(|s| &s.id == id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let mut md = format!(
        "One more list a week at each site, for each service it offers: solved again exactly; the best {} of {}, ranked by the objective's tiers in order.\n\n| rank | site | kind | service | lists × places | booked | breaches | over 52 wk at end | over 65 wk | over 78 wk | first tier changed |\n|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|\n",
        ranked.len().min(10),
        ranked.len()
    );
    println!();
    println!(
        "One more list a week (exact, by solving again; best {} of {}, ranked by the objective's tiers):",
        ranked.len().min(10),
        ranked.len()
    );
    println!(
        "  {:>4}  {:<44} {:<26} {:>14} {:>7} {:>9} {:>8} {:>8} {:>8}  first tier changed",
        "rank",
        "site",
        "service",
        "lists x places",
        "booked",
        "breaches",
        "over 52",
        "over 65",
        "over 78"
    );
    for (k, w) in ranked.iter().take(10).enumerate() {
        let first = w
            .tiers
            .iter()
            .position(|&d| d != 0)
            .map_or("none".to_owned(), |t| {
                format!("{} {:+}", names[t], w.tiers[t])
            });
        let lists = format!("{} x {}", w.addition.dates.len(), w.addition.places);
        let kind = match w.addition.site_kind {
            appointment_optimiser::SiteKind::NhsTrust => "NHS trust",
            appointment_optimiser::SiteKind::CommunityDiagnosticCentre => {
                "community diagnostic centre"
            }
            appointment_optimiser::SiteKind::IndependentSector => "independent sector",
        };
        println!(
            "  {:>4}  {:<44} {:<26} {:>14} {:>+7} {:>+9} {:>+8} {:>+8} {:>+8}  {first}",
            k + 1,
            site_name(&w.addition.site),
            w.addition.service.to_string(),
            lists,
            w.booked,
            w.breaches,
            w.over_52_weeks,
            w.over_65_weeks,
            w.over_78_weeks
        );
        md.push_str(&format!(
            "| {} | {} | {kind} | {} | {lists} | {:+} | {:+} | {:+} | {:+} | {:+} | {first} |\n",
            k + 1,
            site_name(&w.addition.site),
            w.addition.service,
            w.booked,
            w.breaches,
            w.over_52_weeks,
            w.over_65_weeks,
            w.over_78_weeks
        ));
    }
    write(&out.join("what_if.md"), &md)?;
    let json = serde_json::to_string_pretty(&ranked).map_err(|e| e.to_string())?;
    write(&out.join("what_if.json"), &(json + "\n"))?;
    eprintln!(
        "[what-if {:>5.1} s] wrote what_if.md and what_if.json to {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// What one more place would save, by site and service (rows: each pair with a slot, in slot
/// order) and week of the horizon (columns): each cell shows the best place of that site and
/// service that week (the earliest tier it improves, then the largest saving), its colour the
/// tier, darker for a larger saving within the tier.
fn heat_map(
    path: &Path,
    title: &str,
    problem: &Problem,
    schedule: &Schedule,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    let names = problem.policy.objective.tier_names();
    let weeks = ((problem.horizon_end - problem.planning_date).num_days() / 7 + 1).max(1) as usize;
    let mut rows: Vec<(
        &appointment_optimiser::SiteId,
        &appointment_optimiser::Service,
    )> = Vec::new();
    for s in &problem.slots {
        if !rows.contains(&(&s.site, &s.service)) {
            rows.push((&s.site, &s.service));
        }
    }
    // Best (tier, saving) per (row, week).
    let mut best: Vec<Vec<Option<(usize, i64)>>> = vec![vec![None; weeks]; rows.len()];
    for v in &schedule.place_values {
        let (Some(saving), Some(tier), Some(row)) = (
            v.saving,
            names.iter().position(|n| *n == v.tier),
            rows.iter()
                .position(|&(site, service)| *site == v.site && *service == v.service),
        ) else {
            continue;
        };
        let week = (((v.date - problem.planning_date).num_days().max(0)) / 7) as usize;
        let cell = &mut best[row][week.min(weeks - 1)];
        let better = match *cell {
            None => true,
            Some((t, s)) => tier < t || (tier == t && saving > s),
        };
        if better {
            *cell = Some((tier, saving));
        }
    }
    let top = |tier: usize| {
        best.iter()
            .flatten()
            .flatten()
            .filter(|(t, _)| *t == tier)
            .map(|&(_, s)| s)
            .max()
            .unwrap_or(1)
            .max(1)
    };
    let palette = [
        RGBColor(200, 0, 0),
        RGBColor(230, 120, 0),
        RGBColor(0, 90, 200),
        RGBColor(0, 150, 80),
        RGBColor(120, 0, 160),
    ];
    let tiers_shown: Vec<usize> = {
        let mut t: Vec<usize> = best.iter().flatten().flatten().map(|&(t, _)| t).collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let colour_of = |tier: usize| {
        let k = tiers_shown.iter().position(|&t| t == tier).unwrap_or(0);
        palette[k % palette.len()]
    };
    let (left, top_margin, cell_w, cell_h) = (330i32, 70i32, 90i32, 34i32);
    let width = (left + cell_w * weeks as i32 + 20) as u32;
    let height =
        (top_margin + cell_h * rows.len() as i32 + 40 + 22 * tiers_shown.len() as i32) as u32;
    let root = SVGBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let font = ("sans-serif", 14).into_font();
    root.draw(&Text::new(
        format!("What one more place would save, by site, service and week: {title}"),
        (10, 10),
        ("sans-serif", 18).into_font(),
    ))
    .map_err(|e| err(&e))?;
    for w in 0..weeks {
        let day = problem.planning_date + chrono::Days::new(7 * w as u64);
        root.draw(&Text::new(
            format!("from {}", day.format("%d %b")),
            (left + cell_w * w as i32 + 6, top_margin - 22),
            font.clone(),
        ))
        .map_err(|e| err(&e))?;
    }
    for (row, (site, service)) in rows.iter().enumerate() {
        let y = top_margin + cell_h * row as i32;
        let name = problem
            .sites
            .iter()
            .find(|s| &s.id == *site)
            .map_or(site.to_string(), |s| s.name.chars().take(24).collect());
        let label = format!("{name}: {service}");
        root.draw(&Text::new(label, (10, y + 10), font.clone()))
            .map_err(|e| err(&e))?;
        for (w, cell) in best[row].iter().enumerate() {
            let x = left + cell_w * w as i32;
            let fill = match cell {
                Some((tier, saving)) => {
                    let c = colour_of(*tier);
                    c.mix(0.25 + 0.75 * (*saving as f64 / top(*tier) as f64))
                        .filled()
                }
                None => RGBColor(240, 240, 240).filled(),
            };
            root.draw(&Rectangle::new(
                [(x, y), (x + cell_w - 2, y + cell_h - 2)],
                fill,
            ))
            .map_err(|e| err(&e))?;
            if let Some((tier, saving)) = cell {
                root.draw(&Text::new(
                    format!("{}: {saving}", tier + 1),
                    (x + 6, y + 10),
                    font.clone(),
                ))
                .map_err(|e| err(&e))?;
            }
        }
    }
    let legend_y = top_margin + cell_h * rows.len() as i32 + 16;
    for (k, &tier) in tiers_shown.iter().enumerate() {
        let y = legend_y + 22 * k as i32;
        root.draw(&Rectangle::new(
            [(10, y), (26, y + 14)],
            colour_of(tier).filled(),
        ))
        .map_err(|e| err(&e))?;
        root.draw(&Text::new(
            format!(
                "tier {}: {} (saving in its units, for one place; grey: no place saves anything)",
                tier + 1,
                names[tier]
            ),
            (34, y),
            font.clone(),
        ))
        .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
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
