//! Capacity what-ifs: the exact effect of one more list a week at a site, found by solving the
//! problem again with the list added.
//!
//! A place value ([`crate::PlaceValue`]) says what one more place would save, for one place;
//! a whole list (a clinic of 12, a scan session, a theatre list) every week of the horizon is
//! many places at once, whose savings need not add up. [`what_if`] solves the problem with each
//! candidate addition and reports what it changes: breaches, long waiters at the horizon end,
//! and every tier of the objective.

use super::{report, Report};
use crate::error::Result;
use crate::model::{Problem, Service, SiteId, SiteKind, Slot, SlotId, SlotStatus};
use crate::rules::{add_days, nhs_date};
use crate::schedule::Schedule;
use crate::solve::{solve, SolveOptions};
use chrono::{Days, NaiveDate, TimeDelta};
use serde::Serialize;
use std::collections::BTreeSet;

/// One more list a week at a site: copies of one session of the site's (its `session` slots:
/// same service, times of day, lengths, places and minutes), one on the session's weekday of
/// every week from the first day the minimum notice allows to the horizon end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListAddition {
    /// The site.
    pub site: SiteId,
    /// Its kind.
    pub site_kind: SiteKind,
    /// The service of the list.
    pub service: Service,
    /// The slots of the session copied, in input order: a slot of several places (a clinic, a
    /// theatre list) is a list by itself; one-place slots (scan appointments) make a session
    /// with the site's other one-place slots of the service that start in the 4 hours from the
    /// first.
    pub session: Vec<SlotId>,
    /// The NHS dates of the lists added, in order.
    pub dates: Vec<NaiveDate>,
    /// Places of each list (the session's).
    pub places: u32,
}

/// The candidate additions of a problem: for each site (input order) and each service it
/// offers (in the order its slots first offer them), one more list a week like the session of
/// the site's free slot of that service with the most places (the first such in input order):
/// that slot, and when it has one place, the site's other one-place free slots of the service
/// that start within 4 hours after it. A site offers a service when one of its free slots does; a list whose every
/// date falls outside the bookable days is left out.
pub fn weekly_lists(problem: &Problem) -> Vec<ListAddition> {
    let first_day = add_days(problem.planning_date, problem.policy.min_notice_days.max(1));
    let mut out = Vec::new();
    for site in &problem.sites {
        let mut services: Vec<&Service> = Vec::new();
        for s in problem
            .slots
            .iter()
            .filter(|s| s.site == site.id && s.status == SlotStatus::Free)
        {
            if !services.contains(&&s.service) {
                services.push(&s.service);
            }
        }
        for service in services {
            let Some(template) = problem
                .slots
                .iter()
                .filter(|s| {
                    s.site == site.id && s.status == SlotStatus::Free && &s.service == service
                })
                .fold(None::<&Slot>, |best, s| match best {
                    Some(b) if b.capacity >= s.capacity => Some(b),
                    _ => Some(s),
                })
            else {
                continue;
            };
            let dates = weekly_dates(nhs_date(&template.start), first_day, problem.horizon_end);
            if dates.is_empty() {
                continue;
            }
            let session: Vec<&Slot> = problem
                .slots
                .iter()
                .filter(|s| {
                    s.id == template.id
                        || (template.capacity == 1
                            && s.capacity == 1
                            && s.site == site.id
                            && s.status == SlotStatus::Free
                            && &s.service == service
                            && s.start >= template.start
                            && s.start < template.start + TimeDelta::hours(4))
                })
                .collect();
            out.push(ListAddition {
                site: site.id.clone(),
                site_kind: site.kind,
                service: service.clone(),
                session: session.iter().map(|s| s.id.clone()).collect(),
                dates,
                places: session.iter().map(|s| s.capacity).sum(),
            });
        }
    }
    out
}

/// The dates `day` ± whole weeks from `first` to `last`, both included.
fn weekly_dates(day: NaiveDate, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut d = day;
    while let Some(earlier) = d.checked_sub_days(Days::new(7)).filter(|e| *e >= first) {
        d = earlier;
    }
    while d < first {
        match d.checked_add_days(Days::new(7)) {
            Some(next) => d = next,
            None => return Vec::new(),
        }
    }
    let mut out = Vec::new();
    while d <= last {
        out.push(d);
        match d.checked_add_days(Days::new(7)) {
            Some(next) => d = next,
            None => break,
        }
    }
    out
}

/// `problem` with the lists of `addition` added as new free slots after the others, ids
/// `{slot}+w{k}` (k = 1, 2, ... for each date; a `'` is added while an id is taken).
pub fn with_lists(problem: &Problem, addition: &ListAddition) -> Problem {
    let mut out = problem.clone();
    let mut taken: BTreeSet<String> = problem.slots.iter().map(|s| s.id.0.clone()).collect();
    for (k, date) in addition.dates.iter().enumerate() {
        for id in &addition.session {
            let Some(template) = problem.slots.iter().find(|s| &s.id == id) else {
                continue;
            };
            let shift = date.signed_duration_since(nhs_date(&template.start));
            let mut new_id = format!("{}+w{}", template.id, k + 1);
            while taken.contains(&new_id) {
                new_id.push('\'');
            }
            taken.insert(new_id.clone());
            out.slots.push(Slot {
                id: SlotId(new_id),
                status: SlotStatus::Free,
                start: template.start + shift,
                end: template.end + shift,
                ..template.clone()
            });
        }
    }
    out
}

/// What one addition changes, against the schedule without it. Differences are the value with
/// the addition minus the value without (negative: fewer).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhatIf {
    /// The addition.
    pub addition: ListAddition,
    /// Places added over the horizon (lists × places).
    pub places_added: u32,
    /// Difference in referrals booked.
    pub booked: i64,
    /// Difference in breaches ([`Report::breaches`]).
    pub breaches: i64,
    /// Difference in the waiting list at the horizon end: over 18, 52, 65 and 78 weeks.
    pub over_18_weeks: i64,
    /// See `over_18_weeks`.
    pub over_52_weeks: i64,
    /// See `over_18_weeks`.
    pub over_65_weeks: i64,
    /// See `over_18_weeks`.
    pub over_78_weeks: i64,
    /// Difference in each tier of the objective, tier 1 first.
    pub tiers: Vec<i64>,
}

/// The schedule of `problem` and each addition's [`WhatIf`], best first: by the tiers of the
/// objective in order (the addition that lowers the earliest tier most first), then by input
/// order. Every schedule comes from [`solve`] with `options`.
///
/// # Errors
/// Any error of [`solve`] or [`report`].
pub fn what_if(
    problem: &Problem,
    options: &SolveOptions,
    additions: &[ListAddition],
) -> Result<(Schedule, Vec<WhatIf>)> {
    let base = solve(problem, options)?;
    let before = report(problem, &base)?;
    let mut out = Vec::with_capacity(additions.len());
    for addition in additions {
        let more = with_lists(problem, addition);
        let schedule = solve(&more, options)?;
        let after = report(&more, &schedule)?;
        out.push(difference(addition, &before, &after));
    }
    out.sort_by(|a, b| a.tiers.cmp(&b.tiers));
    Ok((base, out))
}

fn difference(addition: &ListAddition, before: &Report, after: &Report) -> WhatIf {
    let d = |a: usize, b: usize| {
        i64::try_from(a).unwrap_or(i64::MAX) - i64::try_from(b).unwrap_or(i64::MAX)
    };
    let (e, s) = (&after.waiting_list_end, &before.waiting_list_end);
    WhatIf {
        addition: addition.clone(),
        places_added: addition.places * u32::try_from(addition.dates.len()).unwrap_or(u32::MAX),
        booked: d(after.booked, before.booked),
        breaches: d(after.breaches, before.breaches),
        over_18_weeks: d(e.over_18_weeks, s.over_18_weeks),
        over_52_weeks: d(e.over_52_weeks, s.over_52_weeks),
        over_65_weeks: d(e.over_65_weeks, s.over_65_weeks),
        over_78_weeks: d(e.over_78_weeks, s.over_78_weeks),
        tiers: after
            .objective
            .values()
            .iter()
            .zip(before.objective.values())
            .map(|(a, b)| a - b)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn weekly_dates_step_back_to_the_first_bookable_week_and_on_to_the_horizon_end() {
        // A Thursday list on 21 May; bookable from 8 May; horizon to 11 June.
        assert_eq!(
            weekly_dates(d(5, 21), d(5, 8), d(6, 11)),
            [d(5, 14), d(5, 21), d(5, 28), d(6, 4), d(6, 11)]
        );
        assert_eq!(weekly_dates(d(5, 1), d(5, 8), d(5, 14)), [d(5, 8)]);
        assert_eq!(
            weekly_dates(d(5, 1), d(5, 9), d(5, 14)),
            Vec::<NaiveDate>::new()
        );
    }
}
