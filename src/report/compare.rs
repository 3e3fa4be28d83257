//! Several reports side by side, with the difference of each against the first.

use super::render::{one_decimal, signed_one_decimal, signed_whole, Table, NOT_APPLICABLE};
use super::{
    clinical_class_label, site_kind_label, standard_label, PriorityClass, Report, Utilisation,
    WaitingList, SITE_KINDS,
};
use crate::model::Term;
use crate::model::{SiteKind, WaitingTimeStandard};
use crate::rules::ClinicalClass;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Reports of several schedules side by side: typically the optimiser's schedule first, then
/// booking baselines ("first come, first served", ...) for the same problem.
///
/// [`Comparison::to_text`] and [`Comparison::to_markdown`] show the headline figures
/// ([`Comparison::headline_rows`]) one column per report, then one difference column per report
/// after the first: that report's figure minus the first report's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// (column name, report), in display order; differences are taken against the first.
    pub columns: Vec<(String, Report)>,
}

/// How a headline figure is measured, which sets how it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A whole number (referrals, breaches, objective terms); shown without decimals.
    Count,
    /// Percent, 0 to 100; shown with one decimal.
    Percent,
    /// Days; shown with one decimal.
    Days,
    /// Kilometres; shown with one decimal.
    Km,
}

/// One headline figure across the columns of a [`Comparison`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    /// What the figure is, with its unit, for example `within RTT 18 weeks, %`.
    pub label: String,
    /// Its unit.
    pub unit: Unit,
    /// The figure in each column, in column order; `None` where it does not exist (a
    /// percentage of nothing, a standard no referral of that column's problem is on).
    pub values: Vec<Option<f64>>,
}

impl HeadlineRow {
    /// For each column after the first: its value minus the first column's, in the row's unit
    /// (percentage points for percentages); `None` where either is `None`. Computed from the
    /// unrounded figures.
    pub fn differences(&self) -> Vec<Option<f64>> {
        let first = self.values.first().copied().flatten();
        self.values
            .iter()
            .skip(1)
            .map(|v| v.zip(first).map(|(v, f)| v - f))
            .collect()
    }
}

fn count(n: usize) -> Option<f64> {
    Some(n as f64)
}

impl Comparison {
    /// A comparison of these (name, report) columns; the first is the reference.
    pub fn new(columns: Vec<(String, Report)>) -> Self {
        Self { columns }
    }

    /// The headline figures, one row each, in this order: referrals; booked; breaches (count of
    /// breaching outcomes); referrals eligible to move provider (PIDMAS); `objective: TERM` for each term of any column's objective (its
    /// unweighted value, `None` where a column's objective lacks it); for each
    /// standard any column has, the percent of booked referrals seen within it
    /// ([`super::StandardFigures::percent_within_booked`]) and the percent of all referrals
    /// within it ([`super::StandardFigures::percent_within_all`]); the waiting list at the horizon end:
    /// total, percent within 18 weeks, and counts over 18, 52, 65, 78 and 104 weeks; at each
    /// snapshot date of the first column other than the horizon end, percent within 18 weeks, counts over 52, 65 and 78
    /// weeks and, where some column has diagnostic referrals waiting, the DM01 percent waiting 6
    /// weeks or more; for each clinical class any column has, patients late and days late; for
    /// each priority class any column has, the mean wait at appointment of its booked referrals in
    /// days (a lower figure means shorter waiters were seen, not shorter waits); utilisation percent
    /// (appointments) for each site kind and all sites, then minutes utilisation percent where
    /// some column has sessions with a minutes capacity; travel mean and 95th percentile in km.
    pub fn headline_rows(&self) -> Vec<HeadlineRow> {
        let reports: Vec<&Report> = self.columns.iter().map(|(_, r)| r).collect();
        let mut rows = Vec::new();
        let mut push = |label: String, unit: Unit, get: &dyn Fn(&Report) -> Option<f64>| {
            rows.push(HeadlineRow {
                label,
                unit,
                values: reports.iter().map(|r| get(r)).collect(),
            });
        };
        push("referrals".into(), Unit::Count, &|r| count(r.referrals));
        push("booked".into(), Unit::Count, &|r| count(r.booked));
        push("breaches".into(), Unit::Count, &|r| count(r.breaches));
        push(
            "eligible to move provider (PIDMAS)".into(),
            Unit::Count,
            &|r| count(r.pidmas.len()),
        );
        for term in Term::ALL {
            if reports.iter().any(|r| r.objective.term(term).is_some()) {
                push(format!("objective: {term}"), Unit::Count, &|r| {
                    r.objective.term(term).map(|v| v as f64)
                });
            }
        }

        let standards: BTreeSet<WaitingTimeStandard> = reports
            .iter()
            .flat_map(|r| r.standards.iter().map(|s| s.standard))
            .collect();
        for standard in standards {
            push(
                format!("booked within {}, % of booked", standard_label(standard)),
                Unit::Percent,
                &|r| r.standard(standard).and_then(|s| s.percent_within_booked),
            );
            push(
                format!("within {}, % of all referrals", standard_label(standard)),
                Unit::Percent,
                &|r| r.standard(standard).and_then(|s| s.percent_within_all),
            );
        }

        push("waiting at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.total)
        });
        push("within 18 weeks at end, %".into(), Unit::Percent, &|r| {
            r.waiting_list_end.percent_within_18_weeks
        });
        push("over 18 weeks at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.over_18_weeks)
        });
        push("over 52 weeks at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.over_52_weeks)
        });
        push("over 65 weeks at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.over_65_weeks)
        });
        push("over 78 weeks at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.over_78_weeks)
        });
        push("over 104 weeks at end".into(), Unit::Count, &|r| {
            count(r.waiting_list_end.over_104_weeks)
        });

        // Each snapshot date of the first report (the same for schedules of one problem) but
        // the horizon end, whose list the "at end" rows give.
        let dates: Vec<chrono::NaiveDate> = reports
            .first()
            .map(|r| {
                r.snapshots
                    .iter()
                    .map(|s| s.list.date)
                    .filter(|&d| d != r.horizon_end)
                    .collect()
            })
            .unwrap_or_default();
        let snapshot = |r: &Report, date: chrono::NaiveDate| {
            r.snapshots.iter().find(|s| s.list.date == date).cloned()
        };
        for &date in &dates {
            push(
                format!("within 18 weeks on {date}, %"),
                Unit::Percent,
                &|r| snapshot(r, date).and_then(|s| s.list.percent_within_18_weeks),
            );
            for (weeks, get) in [
                (
                    52,
                    (|l: &WaitingList| l.over_52_weeks) as fn(&WaitingList) -> usize,
                ),
                (65, |l: &WaitingList| l.over_65_weeks),
                (78, |l: &WaitingList| l.over_78_weeks),
            ] {
                push(format!("over {weeks} weeks on {date}"), Unit::Count, &|r| {
                    snapshot(r, date).and_then(|s| count(get(&s.list)))
                });
            }
            if reports
                .iter()
                .any(|r| snapshot(r, date).is_some_and(|s| s.diagnostic_waiting > 0))
            {
                push(format!("DM01 6+ weeks on {date}, %"), Unit::Percent, &|r| {
                    snapshot(r, date).and_then(|s| s.percent_diagnostic_6_weeks_or_more)
                });
            }
        }
        let clinical: BTreeSet<ClinicalClass> = reports
            .iter()
            .flat_map(|r| r.clinical_lateness.iter().map(|c| c.class))
            .collect();
        for class in clinical {
            let label = clinical_class_label(class);
            let row = |r: &Report| {
                r.clinical_lateness
                    .iter()
                    .find(|c| c.class == class)
                    .cloned()
            };
            push(format!("late, {label}"), Unit::Count, &|r| {
                row(r).and_then(|c| count(c.late))
            });
            push(format!("days late, {label}"), Unit::Count, &|r| {
                row(r).map(|c| c.days_late as f64)
            });
        }

        let classes: BTreeSet<PriorityClass> = reports
            .iter()
            .flat_map(|r| r.priorities.iter().map(|p| p.class))
            .collect();
        for class in classes {
            push(
                format!("mean wait when seen, {class}, days"),
                Unit::Days,
                &|r| r.priority(class).and_then(|p| p.mean_wait_days),
            );
        }

        let kinds: Vec<(&str, Option<SiteKind>)> = SITE_KINDS
            .iter()
            .map(|&k| (site_kind_label(k), Some(k)))
            .chain(std::iter::once(("all sites", None)))
            .collect();
        let utilisation = |r: &Report, kind: Option<SiteKind>| -> Option<Utilisation> {
            match kind {
                Some(k) => r.site_kind(k).cloned(),
                None => Some(r.utilisation_total.clone()),
            }
        };
        for &(label, kind) in &kinds {
            push(format!("utilisation {label}, %"), Unit::Percent, &|r| {
                utilisation(r, kind).and_then(|u| u.percent)
            });
        }
        for &(label, kind) in &kinds {
            let any_minutes = reports
                .iter()
                .any(|r| utilisation(r, kind).is_some_and(|u| u.minutes_slots > 0));
            if any_minutes {
                push(
                    format!("minutes utilisation {label}, %"),
                    Unit::Percent,
                    &|r| utilisation(r, kind).and_then(|u| u.minutes_percent),
                );
            }
        }

        push("travel mean, km".into(), Unit::Km, &|r| r.travel.mean_km);
        push("travel p95, km".into(), Unit::Km, &|r| r.travel.p95_km);
        rows
    }

    fn table(&self) -> Table {
        let mut header: Vec<String> = vec!["Figure".to_owned()];
        header.extend(self.columns.iter().map(|(name, _)| name.clone()));
        header.extend(
            self.columns
                .iter()
                .skip(1)
                .map(|(name, _)| format!("Δ {name}")),
        );
        let mut table = Table {
            header,
            rows: Vec::new(),
        };
        for row in self.headline_rows() {
            let mut cells = vec![row.label.clone()];
            let value = |v: Option<f64>| match (row.unit, v) {
                (_, None) => NOT_APPLICABLE.to_owned(),
                (Unit::Count, Some(v)) => format!("{}", v.round() as i64),
                (_, v) => one_decimal(v),
            };
            let difference = |d: Option<f64>| match (row.unit, d) {
                (Unit::Count, Some(d)) => signed_whole(d.round() as i64),
                (_, d) => signed_one_decimal(d),
            };
            cells.extend(row.values.iter().map(|&v| value(v)));
            cells.extend(row.differences().into_iter().map(difference));
            table.row(cells);
        }
        table
    }

    fn title(&self) -> String {
        let mut title = format!(
            "Comparison of {} schedule{}",
            self.columns.len(),
            if self.columns.len() == 1 { "" } else { "s" }
        );
        if let Some((first, _)) = self.columns.first().filter(|_| self.columns.len() > 1) {
            let _ = write!(title, " (Δ: the column minus {first})");
        }
        title
    }

    /// The waiting list at the start, the same for every column: a line for the titles.
    fn start_line(&self) -> Option<String> {
        let (_, first) = self.columns.first()?;
        let w = &first.waiting_list_start;
        Some(format!(
            "At the start ({}): {} waiting, {} within 18 weeks; over 18 / 52 / 65 / 78 / 104 weeks: {} / {} / {} / {} / {}",
            w.date,
            w.total,
            w.percent_within_18_weeks
                .map_or(NOT_APPLICABLE.to_owned(), |p| format!("{}%", one_decimal(Some(p)))),
            w.over_18_weeks,
            w.over_52_weeks,
            w.over_65_weeks,
            w.over_78_weeks,
            w.over_104_weeks
        ))
    }

    /// The headline figures side by side as compact fixed-width text: a title line, the
    /// waiting list at the start, then a table with one row per [`HeadlineRow`], one column per report and one `Δ name` column
    /// per report after the first (its figure minus the first's: whole numbers for counts,
    /// one decimal for percentages, days and km; `n/a` where a figure does not exist).
    pub fn to_text(&self) -> String {
        match self.start_line() {
            Some(start) => format!("{}\n{start}\n{}", self.title(), self.table().text(2)),
            None => format!("{}\n{}", self.title(), self.table().text(2)),
        }
    }

    /// The same as [`Comparison::to_text`], as a Markdown heading and table.
    pub fn to_markdown(&self) -> String {
        match self.start_line() {
            Some(start) => format!(
                "### {}\n\n{start}\n\n{}",
                self.title(),
                self.table().markdown()
            ),
            None => format!("### {}\n\n{}", self.title(), self.table().markdown()),
        }
    }
}
