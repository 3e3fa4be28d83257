//! Snapshot dates: when the list's waiting-time standards are measured.

use super::calendar::add_days;
use chrono::{Datelike, NaiveDate};

/// The snapshot dates of a plan, each once, in order: every month end after `planning_date`
/// up to `horizon_end` (RTT and DM01 are measured on the patients still waiting on the last day
/// of each calendar month: RTT guidance v5.0 §10.1.1.2), then `horizon_end`, then
/// `look_ahead_days` after it (so that a patient who crosses a threshold just after the horizon
/// is not ignored). With `look_ahead_days` 0 the horizon end is the last.
///
/// Dates are NHS (Europe/London) calendar dates; `horizon_end` is on or after `planning_date`.
pub fn snapshot_dates(
    planning_date: NaiveDate,
    horizon_end: NaiveDate,
    look_ahead_days: u32,
) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    let mut month_end = last_of_month(planning_date);
    while month_end <= horizon_end {
        if month_end > planning_date {
            dates.push(month_end);
        }
        month_end = last_of_month(add_days(month_end, 1));
    }
    if dates.last() != Some(&horizon_end) {
        dates.push(horizon_end);
    }
    let look_ahead = add_days(horizon_end, look_ahead_days);
    if look_ahead > horizon_end {
        dates.push(look_ahead);
    }
    dates
}

/// The last day of `date`'s month.
fn last_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_then_horizon_end_then_look_ahead() {
        // Planned on 30 April (a month end: not after the planning date), 6 weeks to 11 June:
        // 31 May, 11 June, and 18 June a week later.
        assert_eq!(
            snapshot_dates(d(2026, 4, 30), d(2026, 6, 11), 7),
            vec![d(2026, 5, 31), d(2026, 6, 11), d(2026, 6, 18)]
        );
        // A horizon ending on a month end lists it once; February in a leap year.
        assert_eq!(
            snapshot_dates(d(2028, 1, 15), d(2028, 2, 29), 0),
            vec![d(2028, 1, 31), d(2028, 2, 29)]
        );
        // Across the year end; a one-day horizon.
        assert_eq!(
            snapshot_dates(d(2026, 12, 1), d(2027, 1, 11), 10),
            vec![d(2026, 12, 31), d(2027, 1, 11), d(2027, 1, 21)]
        );
        assert_eq!(
            snapshot_dates(d(2026, 12, 1), d(2026, 12, 1), 0),
            vec![d(2026, 12, 1)]
        );
    }
}
