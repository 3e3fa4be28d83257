//! Text and Markdown rendering of reports: fixed-width tables, fixed precision.

use super::{clinical_class_label, site_kind_label, standard_label, Report, Utilisation};
use std::fmt::Write;

/// Shown for a figure that does not exist (a percentage of nothing, a mean over nobody).
pub(crate) const NOT_APPLICABLE: &str = "n/a";

/// A table of strings: the first column is left-aligned, the others right-aligned.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let w = cell.chars().count();
                match widths.get_mut(i) {
                    Some(width) => *width = (*width).max(w),
                    None => widths.push(w),
                }
            }
        }
        widths
    }

    /// Fixed-width text, columns two spaces apart, each line indented by `indent` spaces.
    pub(crate) fn text(&self, indent: usize) -> String {
        let widths = self.widths();
        let mut out = String::new();
        for line in std::iter::once(&self.header).chain(&self.rows) {
            let mut s = " ".repeat(indent);
            for (i, width) in widths.iter().enumerate() {
                let cell = line.get(i).map_or("", String::as_str);
                if i == 0 {
                    let _ = write!(s, "{cell:<width$}");
                } else {
                    let _ = write!(s, "  {cell:>width$}");
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        }
        out
    }

    /// A Markdown (GitHub) table; `|` inside cells is escaped.
    pub(crate) fn markdown(&self) -> String {
        let columns = self.widths().len();
        let escape = |s: &str| s.replace('|', "\\|");
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for i in 0..columns {
                let cell = cells.get(i).map_or("", String::as_str);
                let _ = write!(s, " {} |", escape(cell));
            }
            s.push('\n');
            s
        };
        let mut out = line(&self.header);
        out.push('|');
        for i in 0..columns {
            out.push_str(if i == 0 { "---|" } else { "---:|" });
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

/// A figure with one decimal, or `n/a`.
pub(crate) fn one_decimal(value: Option<f64>) -> String {
    value.map_or_else(|| NOT_APPLICABLE.to_owned(), |v| format!("{v:.1}"))
}

/// A signed difference with one decimal (`+1.5`, `-0.3`, `0.0`), or `n/a`.
pub(crate) fn signed_one_decimal(value: Option<f64>) -> String {
    match value {
        None => NOT_APPLICABLE.to_owned(),
        Some(v) if v.abs() < 0.05 => "0.0".to_owned(),
        Some(v) => format!("{v:+.1}"),
    }
}

/// A signed whole difference (`+2`, `-1`, `0`).
pub(crate) fn signed_whole(value: i64) -> String {
    if value == 0 {
        "0".to_owned()
    } else {
        format!("{value:+}")
    }
}

fn delta(start: usize, end: usize) -> String {
    let start = i64::try_from(start).unwrap_or(i64::MAX);
    let end = i64::try_from(end).unwrap_or(i64::MAX);
    signed_whole(end.saturating_sub(start))
}

/// The sections of a report, as (title, table) pairs, with the headline lines before them.
struct Sections {
    headline: Vec<String>,
    tables: Vec<(String, Table)>,
}

impl Report {
    fn sections(&self) -> Sections {
        // At most ten ids, then how many more: the JSON has them all.
        let ids = |list: &[crate::model::ReferralId]| {
            let mut text = list
                .iter()
                .take(10)
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if list.len() > 10 {
                text.push_str(&format!(" and {} more", list.len() - 10));
            }
            text
        };
        let mut headline = vec![
            format!(
                "Waiting-list report: planning date {}, horizon to {}",
                self.planning_date, self.horizon_end
            ),
            format!(
                "Referrals {}: booked {} ({} pinned), unbooked {}; breaches {}",
                self.referrals, self.booked, self.pinned, self.unbooked, self.breaches
            ),
            format!(
                "Objective, in order: {}",
                self.objective
                    .tiers
                    .iter()
                    .enumerate()
                    .map(|(k, t)| format!("{} {} {}", k + 1, t.tier, t.value))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ];
        if !self.clinical_review.is_empty() {
            headline.push(format!(
                "For clinical review (two reasonable offers declined): {}",
                ids(&self.clinical_review)
            ));
        }
        if !self.pidmas.is_empty() {
            headline.push(format!(
                "Eligible to move provider (PIDMAS: over 40 weeks, no date in the next 8 weeks): {} ({})",
                self.pidmas.len(),
                ids(&self.pidmas)
            ));
        }
        let mut tables = Vec::new();

        let mut t = Table::new(&[
            "Standard",
            "Limit days",
            "Referrals",
            "Booked",
            "Within",
            "Breaching",
            "Unbooked",
            "Past limit",
            "% within booked",
            "% within all",
        ]);
        for s in &self.standards {
            t.row(vec![
                standard_label(s.standard),
                s.limit_days.to_string(),
                s.referrals.to_string(),
                s.booked.to_string(),
                s.booked_within.to_string(),
                s.booked_breaching.to_string(),
                s.unbooked.to_string(),
                s.unbooked_past_limit.to_string(),
                one_decimal(s.percent_within_booked),
                one_decimal(s.percent_within_all),
            ]);
        }
        tables.push((
            "Waiting-time standards (within: seen by clock start + limit; unbooked: within if the limit is after the horizon end)".to_owned(),
            t,
        ));

        let (start, end) = (&self.waiting_list_start, &self.waiting_list_end);
        let start_header = format!("Start {}", start.date);
        let end_header = format!("End {}", end.date);
        let mut t = Table::new(&["Waiting list", &start_header, &end_header, "Change"]);
        t.row(vec![
            "waiting".to_owned(),
            start.total.to_string(),
            end.total.to_string(),
            delta(start.total, end.total),
        ]);
        t.row(vec![
            "% within 18 weeks".to_owned(),
            one_decimal(start.percent_within_18_weeks),
            one_decimal(end.percent_within_18_weeks),
            signed_one_decimal(
                end.percent_within_18_weeks
                    .zip(start.percent_within_18_weeks)
                    .map(|(e, s)| e - s),
            ),
        ]);
        for ((weeks, at_start), (_, at_end)) in start.over_weeks().into_iter().zip(end.over_weeks())
        {
            t.row(vec![
                format!("over {weeks} weeks"),
                at_start.to_string(),
                at_end.to_string(),
                delta(at_start, at_end),
            ]);
        }
        tables.push((
            "Waiting list (booked referrals leave it; unbooked ones still wait at the horizon end)"
                .to_owned(),
            t,
        ));

        let mut t = Table::new(&["Week band", "Start", "End"]);
        for (s, e) in start.week_bands.iter().zip(&end.week_bands) {
            if s.1 > 0 || e.1 > 0 {
                t.row(vec![s.0.to_string(), s.1.to_string(), e.1.to_string()]);
            }
        }
        tables.push((
            "Weeks waited (non-empty bands; the JSON has all 105)".to_owned(),
            t,
        ));

        let mut t = Table::new(&[
            "Priority",
            "Referrals",
            "Booked",
            "Breaches",
            "Mean wait days",
        ]);
        for p in &self.priorities {
            t.row(vec![
                p.class.to_string(),
                p.referrals.to_string(),
                p.booked.to_string(),
                p.breaches.to_string(),
                one_decimal(p.mean_wait_days),
            ]);
        }
        tables.push((
            "By priority (mean wait: clock start to appointment, booked referrals)".to_owned(),
            t,
        ));

        let mut t = Table::new(&[
            "Snapshot",
            "Waiting",
            "% within 18 weeks",
            "Over 18",
            "Over 52",
            "Over 65",
            "Over 78",
            "Over 104",
            "DM01 waiting",
            "DM01 % 6+ weeks",
        ]);
        for snap in &self.snapshots {
            let l = &snap.list;
            t.row(vec![
                l.date.to_string(),
                l.total.to_string(),
                one_decimal(l.percent_within_18_weeks),
                l.over_18_weeks.to_string(),
                l.over_52_weeks.to_string(),
                l.over_65_weeks.to_string(),
                l.over_78_weeks.to_string(),
                l.over_104_weeks.to_string(),
                snap.diagnostic_waiting.to_string(),
                one_decimal(snap.percent_diagnostic_6_weeks_or_more),
            ]);
        }
        tables.push((
            "Snapshots (still waiting: not seen on or before the date; month ends, the horizon end, the look-ahead date)"
                .to_owned(),
            t,
        ));

        if !self.clinical_lateness.is_empty() {
            let mut t = Table::new(&["Deadline set by", "Referrals", "Late", "Days late"]);
            for c in &self.clinical_lateness {
                t.row(vec![
                    clinical_class_label(c.class),
                    c.referrals.to_string(),
                    c.late.to_string(),
                    c.days_late.to_string(),
                ]);
            }
            tables.push((
                "Clinical lateness (days after the clinical deadline, unweighted; unbooked: to the day after the horizon end)"
                    .to_owned(),
                t,
            ));
        }

        let mut t = Table::new(&[
            "Site kind",
            "Slots",
            "Available",
            "Booked",
            "%",
            "Minutes available",
            "Minutes booked",
            "Minutes %",
        ]);
        let rows = self
            .utilisation
            .iter()
            .map(|u| (site_kind_label(u.kind), &u.utilisation))
            .chain(std::iter::once(("all sites", &self.utilisation_total)));
        for (label, u) in rows {
            t.row(utilisation_row(label, u));
        }
        tables.push((
            "Utilisation (free slots dated inside the horizon; minutes: sessions with a minutes capacity)".to_owned(),
            t,
        ));

        let mut t = Table::new(&["Travel", "Measured", "Mean km", "P95 km"]);
        t.row(vec![
            "home to booked site".to_owned(),
            self.travel.measured.to_string(),
            one_decimal(self.travel.mean_km),
            one_decimal(self.travel.p95_km),
        ]);
        tables.push((
            "Travel (booked referrals with a home; great-circle km; 95th percentile by nearest rank)".to_owned(),
            t,
        ));
        Sections { headline, tables }
    }

    /// The report as compact fixed-width text: a headline, then one table per section
    /// (standards, waiting list at start and end, week bands that are not empty, priority
    /// classes, utilisation by site kind, travel). Percentages, days and kilometres have one
    /// decimal; `n/a` marks a figure over nothing.
    pub fn to_text(&self) -> String {
        let sections = self.sections();
        let mut out = sections.headline.join("\n");
        out.push('\n');
        for (title, table) in sections.tables {
            let _ = write!(out, "\n{title}\n{}", table.text(2));
        }
        out
    }

    /// The report as Markdown: the headline as a list, each section as a level-3 heading and a
    /// table, the same figures as [`Report::to_text`].
    pub fn to_markdown(&self) -> String {
        let sections = self.sections();
        let mut lines = sections.headline.into_iter();
        let mut out = format!("## {}\n\n", lines.next().unwrap_or_default());
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
        for (title, table) in sections.tables {
            let _ = write!(out, "\n### {title}\n\n{}", table.markdown());
        }
        out
    }
}

fn utilisation_row(label: &str, u: &Utilisation) -> Vec<String> {
    let minutes = |v: u64| {
        if u.minutes_slots > 0 {
            v.to_string()
        } else {
            NOT_APPLICABLE.to_owned()
        }
    };
    vec![
        label.to_owned(),
        u.slots.to_string(),
        u.appointments_available.to_string(),
        u.appointments_booked.to_string(),
        one_decimal(u.percent),
        minutes(u.minutes_available),
        minutes(u.minutes_booked),
        one_decimal(u.minutes_percent),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_text_is_aligned_and_markdown_escaped() {
        let mut t = Table::new(&["Name", "Value"]);
        t.row(vec!["a|b".to_owned(), "1.5".to_owned()]);
        t.row(vec!["longer name".to_owned(), "12.0".to_owned()]);
        assert_eq!(
            t.text(1),
            " Name         Value\n a|b            1.5\n longer name   12.0\n"
        );
        assert_eq!(
            t.markdown(),
            "| Name | Value |\n|---|---:|\n| a\\|b | 1.5 |\n| longer name | 12.0 |\n"
        );
        assert_eq!(signed_one_decimal(Some(-0.04)), "0.0");
        assert_eq!(signed_one_decimal(Some(2.26)), "+2.3");
        assert_eq!(signed_one_decimal(Some(-1.0)), "-1.0");
        assert_eq!(signed_whole(-3), "-3");
        assert_eq!(one_decimal(None), "n/a");
    }
}
