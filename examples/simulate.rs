//! A year of weeks: the default trust's list booked week by week by the optimiser and the three
//! booking baselines, on the same world, measured at every month end against the targets.
//!
//! ```text
//! cargo run --release --example simulate -- [--weeks 52] [--seed 2026] [--capacity-factor 1.0]
//!     [--bookers optimiser,clock-stop,eighteen-weeks,fcfs,priority,nearest] [--out out/simulation] [--seeds N] [--what-if]
//! ```
//!
//! `--extra SITE --extra-from DATE` adds, from that date, one more list a week of each service
//! the site offers (`report::capacity::weekly_lists`: an independent-sector list, a community
//! diagnostic centre open longer), for every booker. `--seeds N` runs seeds `seed` to `seed + N - 1` and prints each booker's range at the year
//! end (the files are the first seed's). `--what-if` finds, for each booker, the capacity
//! factor that reaches the trust's target by the year end (18-week share up 7 points and under
//! 1% over 52 weeks), by bisection between 1 and 2.5 (six halvings: to within 0.025).
//!
//! Writes `monthly.csv` and `monthly.json` (one row per booker and month end) and
//! `within_18_weeks.svg` and `over_52_weeks.svg` (one line per booker, with the target lines)
//! to the output folder, and prints the year-end table.

use appointment_optimiser::baselines::Baseline;
use appointment_optimiser::report::capacity;
use appointment_optimiser::scenario::{Figures, ScenarioConfig};
use appointment_optimiser::simulate::{to_csv, Booker, MonthEnd, SimulationConfig, World};
use appointment_optimiser::{Preset, SolveOptions};
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: simulate [--weeks N] [--seed N] [--capacity-factor F] [--bookers optimiser,clock-stop,eighteen-weeks,fcfs,priority,nearest] [--out DIR] [--seeds N] [--what-if] [--extra SITE --extra-from YYYY-MM-DD]";

/// The 2026/27 target for each trust: at least 65% within 18 weeks, or 7 points more than at
/// the start (Medium Term Planning Framework, October 2025; `shared/docs/nhs-rules.md`).
const TARGET_18_WEEKS_PCT: f64 = 65.0;
/// Under 1% of the list over 52 weeks (2025/26 planning guidance).
const TARGET_OVER_52_WEEKS_PCT: f64 = 1.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut config = SimulationConfig::default();
    let mut scenario = ScenarioConfig::default();
    let mut out = PathBuf::from("out/simulation");
    let mut bookers = vec![
        Booker::Optimiser(Preset::NhsEngland),
        Booker::Baseline(Baseline::FirstComeFirstServed),
        Booker::Baseline(Baseline::PriorityThenFcfs),
        Booker::Baseline(Baseline::NearestSiteFirst),
    ];
    let mut seeds = 1u64;
    let mut extra_site: Option<String> = None;
    let mut extra_from: Option<chrono::NaiveDate> = None;
    let mut what_if = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--weeks" => config.weeks = value()?.parse().map_err(|_| "--weeks: a whole number")?,
            "--seed" => scenario.seed = value()?.parse().map_err(|_| "--seed: a whole number")?,
            "--capacity-factor" => {
                scenario.capacity_factor = value()?
                    .parse()
                    .map_err(|_| "--capacity-factor: a number")?
            }
            "--out" => out = PathBuf::from(value()?),
            "--seeds" => seeds = value()?.parse().map_err(|_| "--seeds: a whole number")?,
            "--what-if" => what_if = true,
            "--extra" => extra_site = Some(value()?),
            "--extra-from" => {
                extra_from = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--extra-from: a date, YYYY-MM-DD")?,
                )
            }
            "--bookers" => {
                bookers = value()?
                    .split(',')
                    .map(|b| match b {
                        "optimiser" => Ok(Booker::Optimiser(Preset::NhsEngland)),
                        "clock-stop" => Ok(Booker::Optimiser(Preset::ClockStopBreaches)),
                        "eighteen-weeks" => Ok(Booker::Optimiser(Preset::EighteenWeeksFirst)),
                        "fcfs" => Ok(Booker::Baseline(Baseline::FirstComeFirstServed)),
                        "priority" => Ok(Booker::Baseline(Baseline::PriorityThenFcfs)),
                        "nearest" => Ok(Booker::Baseline(Baseline::NearestSiteFirst)),
                        other => Err(format!("unknown booker `{other}`\n{USAGE}")),
                    })
                    .collect::<Result<_, _>>()?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    let started = Instant::now();
    if let Some(site) = &extra_site {
        let plain = World::new(&Figures::embedded_default(), &scenario, &config);
        let from = extra_from.unwrap_or(plain.problem.planning_date);
        config.extra = capacity::weekly_lists(&plain.problem)
            .into_iter()
            .filter(|a| a.site.as_str() == site)
            .map(|mut a| {
                a.dates.retain(|d| *d >= from);
                a
            })
            .collect();
        if config.extra.is_empty() {
            return Err(format!(
                "--extra: no site `{site}` with free slots (sites: {})",
                plain
                    .problem
                    .sites
                    .iter()
                    .map(|s| s.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        eprintln!(
            "extra: {} list(s) a week at {site} from {from} ({})",
            config.extra.len(),
            config
                .extra
                .iter()
                .map(|a| a.service.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let world = World::new(&Figures::embedded_default(), &scenario, &config);
    eprintln!(
        "[{:>5.1} s] world built: {} waiting, {} slots over {} weeks",
        started.elapsed().as_secs_f64(),
        world.problem.referrals.len(),
        world.problem.slots.len(),
        config.weeks + config.booking_window_weeks
    );
    let simulation = world
        .simulate(&bookers, &SolveOptions::new())
        .map_err(|e| e.to_string())?;
    eprintln!(
        "[{:>5.1} s] simulated {} bookers over {} weeks; hard rules broken: {}",
        started.elapsed().as_secs_f64(),
        bookers.len(),
        config.weeks,
        simulation.violations
    );
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write(&out.join("monthly.csv"), &to_csv(&simulation.months))?;
    let json = serde_json::to_string_pretty(&simulation).map_err(|e| e.to_string())?;
    write(&out.join("monthly.json"), &(json + "\n"))?;

    let start_pct = simulation.within_18_weeks_at_start_pct.unwrap_or(0.0);
    println!(
        "At the start ({}): {} waiting, {:.1}% within 18 weeks, {} over 52 weeks. Targets: {:.0}% within 18 weeks or {:.1}% (+7 points); under {:.0}% over 52 weeks.",
        simulation.start,
        simulation.waiting_at_start,
        start_pct,
        simulation.over_52_weeks_at_start,
        TARGET_18_WEEKS_PCT,
        start_pct + 7.0,
        TARGET_OVER_52_WEEKS_PCT
    );
    println!(
        "{:<40} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>12} {:>9} {:>9} {:>12}",
        "booker",
        "month end",
        "waiting",
        "18 wk %",
        "over 52",
        "over 65",
        "over 78",
        "past clinical",
        "cancer %",
        "seen",
        "days late (seen)"
    );
    let names: Vec<String> = bookers.iter().map(|b| b.name()).collect();
    for name in &names {
        let rows: Vec<&MonthEnd> = simulation
            .months
            .iter()
            .filter(|m| &m.booker == name)
            .collect();
        let Some(last) = rows.last() else { continue };
        let seen: usize = rows.iter().map(|m| m.seen).sum();
        let late: u64 = rows.iter().map(|m| m.clinical_days_late).sum();
        let pct = |p: Option<f64>| p.map_or("n/a".to_owned(), |p| format!("{p:.1}"));
        println!(
            "{:<40} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>12} {:>9} {:>9} {:>12}",
            name,
            last.month_end.to_string(),
            last.waiting,
            pct(last.within_18_weeks_pct),
            last.over_52_weeks,
            last.over_65_weeks,
            last.over_78_weeks,
            last.past_clinical_deadline,
            pct(last.cancer_28_days_pct),
            seen,
            late
        );
    }
    chart(
        &out.join("within_18_weeks.svg"),
        "Within 18 weeks at each month end, %",
        &simulation.months,
        &names,
        |m| m.within_18_weeks_pct.unwrap_or(0.0),
        &[
            (TARGET_18_WEEKS_PCT, "65% target".to_owned()),
            (start_pct + 7.0, "start + 7 points".to_owned()),
        ],
    )?;
    let one_pct = |m: &MonthEnd| m.waiting as f64 * TARGET_OVER_52_WEEKS_PCT / 100.0;
    let target_52 = simulation.months.last().map_or(0.0, one_pct);
    chart(
        &out.join("over_52_weeks.svg"),
        "Waiting over 52 weeks at each month end",
        &simulation.months,
        &names,
        |m| m.over_52_weeks as f64,
        &[(target_52, "1% of the list at the year end".to_owned())],
    )?;
    eprintln!(
        "[{:>5.1} s] wrote monthly.csv, monthly.json, within_18_weeks.svg and over_52_weeks.svg to {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    if seeds > 1 {
        println!();
        println!(
            "Year end over seeds {} to {}:",
            scenario.seed,
            scenario.seed + seeds - 1
        );
        let mut ends: Vec<Vec<MonthEnd>> = vec![year_end(&simulation.months, &names)];
        for k in 1..seeds {
            let other = ScenarioConfig {
                seed: scenario.seed + k,
                ..scenario.clone()
            };
            let sim = World::new(&Figures::embedded_default(), &other, &config)
                .simulate(&bookers, &SolveOptions::new())
                .map_err(|e| e.to_string())?;
            ends.push(year_end(&sim.months, &names));
            eprintln!(
                "[{:>5.1} s] seed {} done",
                started.elapsed().as_secs_f64(),
                other.seed
            );
        }
        for (b, name) in names.iter().enumerate() {
            let range = |f: &dyn Fn(&MonthEnd) -> f64| {
                let v: Vec<f64> = ends.iter().map(|e| f(&e[b])).collect();
                (
                    v.iter().copied().fold(f64::INFINITY, f64::min),
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                )
            };
            let (a, z) = range(&|m| m.within_18_weeks_pct.unwrap_or(0.0));
            let (c, d) = range(&|m| m.over_52_weeks as f64);
            let (e, g) = range(&|m| m.past_clinical_deadline as f64);
            println!(
                "  {name:<40} within 18 weeks {a:.1} to {z:.1}%; over 52 weeks {c:.0} to {d:.0}; past clinical deadline {e:.0} to {g:.0}"
            );
        }
    }
    if what_if {
        println!();
        println!(
            "Capacity to reach the target by the year end (18 weeks at least {:.1}%, under 1% over 52 weeks), as a factor on the published activity:",
            start_pct + 7.0
        );
        for &booker in &bookers {
            let meets = |factor: f64| -> Result<bool, String> {
                let trial = ScenarioConfig {
                    capacity_factor: factor,
                    ..scenario.clone()
                };
                let sim = World::new(&Figures::embedded_default(), &trial, &config)
                    .simulate(&[booker], &SolveOptions::new())
                    .map_err(|e| e.to_string())?;
                let last = sim.months.last().ok_or("no month end")?;
                Ok(last.within_18_weeks_pct.unwrap_or(0.0) >= start_pct + 7.0
                    && (last.over_52_weeks as f64) < last.waiting as f64 / 100.0)
            };
            let (mut lo, mut hi) = (1.0f64, 2.5f64);
            let answer = if meets(lo)? {
                "already at 1.0 (the published activity)".to_owned()
            } else if !meets(hi)? {
                "more than 2.5".to_owned()
            } else {
                for _ in 0..6 {
                    let mid = (lo + hi) / 2.0;
                    if meets(mid)? {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                format!("{lo:.3} to {hi:.3}")
            };
            println!("  {:<40} {answer}", booker.name());
            eprintln!(
                "[{:>5.1} s] what-if for {} done",
                started.elapsed().as_secs_f64(),
                booker.name()
            );
        }
    }
    Ok(())
}

/// Each booker's last month end, in `names` order.
fn year_end(months: &[MonthEnd], names: &[String]) -> Vec<MonthEnd> {
    names
        .iter()
        .filter_map(|n| months.iter().rev().find(|m| &m.booker == n).cloned())
        .collect()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One line per booker of `value` by month end, and grey target lines.
fn chart(
    path: &Path,
    title: &str,
    months: &[MonthEnd],
    names: &[String],
    value: impl Fn(&MonthEnd) -> f64,
    targets: &[(f64, String)],
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    let n = months
        .iter()
        .filter(|m| m.booker == names[0])
        .count()
        .max(1);
    let top = months
        .iter()
        .map(&value)
        .chain(targets.iter().map(|t| t.0))
        .fold(1.0f64, f64::max)
        * 1.1;
    let root = SVGBackend::new(path, (960, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1usize..n, 0.0..top)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("month end of the simulation")
        .draw()
        .map_err(|e| err(&e))?;
    for (y, label) in targets {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1, *y), (n, *y)],
                RGBColor(150, 150, 150).stroke_width(1),
            )))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (1, *y),
                ("sans-serif", 12).into_font(),
            )))
            .map_err(|e| err(&e))?;
    }
    let palette = [BLUE, RED, RGBColor(0, 150, 0), RGBColor(200, 120, 0)];
    for (k, name) in names.iter().enumerate() {
        let colour = palette[k % palette.len()];
        let points: Vec<(usize, f64)> = months
            .iter()
            .filter(|m| &m.booker == name)
            .enumerate()
            .map(|(i, m)| (i + 1, value(m)))
            .collect();
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label(name.clone())
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
