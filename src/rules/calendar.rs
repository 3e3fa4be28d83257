//! NHS dates, days waited and week bands.

use chrono::{DateTime, Days, NaiveDate, TimeZone};
use chrono_tz::Europe::London;
use serde::Serialize;
use std::fmt;

/// The NHS date of an instant: its local calendar date in Europe/London, whatever the offset it
/// was written with (a slot at 00:30 BST on 15 July, `2026-07-14T23:30:00Z`, is on 15 July).
pub fn nhs_date<Tz: TimeZone>(instant: &DateTime<Tz>) -> NaiveDate {
    instant.with_timezone(&London).date_naive()
}

/// `date` plus `days` calendar days, saturating at the latest representable date (so a limit
/// far beyond the calendar never wraps or panics).
pub fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` minus `days` calendar days, saturating at the earliest representable date.
pub fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// Days waited from clock start to `date`, counting calendar days (a clock change does not
/// shorten or lengthen a day). Negative when `date` is before the clock start.
pub fn days_waited(clock_start: NaiveDate, date: NaiveDate) -> i64 {
    (date - clock_start).num_days()
}

/// A weekly band of the RTT waiting-time returns: band `k` is "k to k+1 weeks".
///
/// Band 0-1 holds days 0 to 7; band k (k >= 1) holds days 7k+1 to 7k+7, so day 126 is in band
/// 17-18; band 104 is "over 104 weeks" and starts at day 729. Source: NHS England RTT waiting
/// times statistics, incomplete pathways by week band (`shared/docs/nhs-rules.md`,
/// "Long-wait milestones").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WeekBand(pub u32);

impl WeekBand {
    /// The open-ended top band, over 104 weeks.
    pub const OVER_104: WeekBand = WeekBand(104);

    /// The band of a wait of `days` days (0 or more; a negative wait is band 0-1).
    pub fn of_days(days: i64) -> WeekBand {
        if days <= 7 {
            return WeekBand(0);
        }
        let band = (days - 1) / 7;
        WeekBand(band.min(104) as u32)
    }
}

impl fmt::Display for WeekBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == WeekBand::OVER_104 {
            f.write_str("104+")
        } else {
            write!(f, "{}-{}", self.0, self.0 + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, FixedOffset};

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn week_band_boundaries() {
        assert_eq!(WeekBand::of_days(0), WeekBand(0));
        assert_eq!(WeekBand::of_days(7), WeekBand(0));
        assert_eq!(WeekBand::of_days(8), WeekBand(1));
        assert_eq!(WeekBand::of_days(126), WeekBand(17));
        assert_eq!(WeekBand::of_days(127), WeekBand(18));
        assert_eq!(WeekBand::of_days(728), WeekBand(103));
        assert_eq!(WeekBand::of_days(729), WeekBand::OVER_104);
        assert_eq!(WeekBand::of_days(5000), WeekBand::OVER_104);
        assert_eq!(WeekBand(17).to_string(), "17-18");
        assert_eq!(WeekBand::OVER_104.to_string(), "104+");
    }

    #[test]
    fn nhs_date_just_after_midnight_in_summer_time() {
        // 00:30 BST on 15 July 2026 is 23:30 UTC on 14 July.
        assert_eq!(nhs_date(&t("2026-07-14T23:30:00Z")), d(2026, 7, 15));
        assert_eq!(nhs_date(&t("2026-07-15T00:30:00+01:00")), d(2026, 7, 15));
        // In winter London is on UTC: 23:30 UTC stays on the same day.
        assert_eq!(nhs_date(&t("2026-12-14T23:30:00Z")), d(2026, 12, 14));
    }

    #[test]
    fn nhs_date_on_clock_change_days() {
        // Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
        assert_eq!(nhs_date(&t("2026-03-28T23:59:00Z")), d(2026, 3, 28));
        assert_eq!(nhs_date(&t("2026-03-29T23:30:00Z")), d(2026, 3, 30));
        assert_eq!(nhs_date(&t("2026-10-24T23:30:00Z")), d(2026, 10, 25));
        assert_eq!(nhs_date(&t("2026-10-25T23:30:00Z")), d(2026, 10, 25));
    }

    #[test]
    fn days_waited_counts_calendar_days_across_clock_change() {
        // 28 March to 30 March 2026 spans the spring clock change (47 hours): 2 days.
        assert_eq!(days_waited(d(2026, 3, 28), d(2026, 3, 30)), 2);
        // Across a year end.
        assert_eq!(days_waited(d(2026, 12, 20), d(2027, 1, 10)), 21);
    }
}
