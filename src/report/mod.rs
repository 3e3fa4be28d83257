//! The waiting-list report of a schedule, and side-by-side comparisons of schedules.
//!
//! [`report`] computes, for one [`Schedule`] of a [`Problem`], the figures a booking manager or
//! a board paper asks for: performance against each waiting-time standard, the waiting list at
//! the start and at the end of the horizon, figures by priority class, utilisation of capacity
//! by site kind and travel distances. [`Report`] is a serde type (JSON in and out) and renders as
//! an aligned text table ([`Report::to_text`]) or Markdown ([`Report::to_markdown`]).
//! [`Comparison`] puts several reports side by side (the optimiser against booking baselines,
//! say) with the difference of each column against the first.
//!
//! Units: waits and limits in calendar days ([`crate::rules::days_waited`]), distances in
//! great-circle kilometres ([`crate::Location::distance_km`]), percentages in percent (0 to 100).
//! Dates are NHS (Europe/London) calendar dates. A percentage or mean over nothing is `None`,
//! shown as `n/a`.
//!
//! ```
//! use appointment_optimiser::{report::report, solve, Problem, SolveOptions};
//! let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
//! let problem = Problem::from_json(&json)?;
//! let schedule = solve(&problem, &SolveOptions::new())?;
//! let report = report(&problem, &schedule)?;
//! // Under the default objective (nhs_england); the clock_stop_breaches preset, which minimises
//! // this count first, gets 3 by leaving a patient already past the due date.
//! assert_eq!(report.breaches, 4);
//! println!("{}", report.to_text());
//! # Ok::<(), appointment_optimiser::Error>(())
//! ```

pub mod capacity;
mod compare;
mod render;

pub use compare::{Comparison, HeadlineRow, Unit};

use crate::error::{Error, RecordKind, Result};
use crate::formulation::ObjectiveValues;
use crate::model::ReferralId;
use crate::model::{
    Problem, ReferralPriority, SiteKind, SlotStatus, SurgicalPriority, WaitingTimeStandard,
};
use crate::rules::{
    add_days, clinical_deadline, days_waited, needs_clinical_review, nhs_date, running_clock_start,
    snapshot_dates, standard_limit_days, ClinicalClass, WeekBand,
};
use crate::schedule::{Booking, Outcome, Schedule};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Days of the RTT 18-week standard: a wait of at most this many days is within 18 weeks
/// ([`crate::rules::standard_limit_days`] of [`WaitingTimeStandard::Rtt18Weeks`]).
pub const RTT_18_WEEKS_DAYS: i64 = 126;

/// Number of week bands of the RTT returns: bands 0-1 to 103-104 and the open band 104+
/// ([`WeekBand`]).
pub const WEEK_BAND_COUNT: usize = 105;

/// The waiting-list report of one schedule. Build it with [`report`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The problem's planning date: the start of the horizon, where the waiting list at the
    /// start is measured.
    pub planning_date: NaiveDate,
    /// The problem's last day of the horizon, included: where the waiting list at the end is
    /// measured.
    pub horizon_end: NaiveDate,
    /// Referrals in the problem (entries on the waiting list at the planning date).
    pub referrals: usize,
    /// Referrals with a booking in the schedule, pinned ones included.
    pub booked: usize,
    /// Of `booked`, the pinned existing bookings kept as they were.
    pub pinned: usize,
    /// Referrals left unbooked (`referrals - booked`).
    pub unbooked: usize,
    /// Referrals whose outcome is [`crate::ReferralOutcome::breached`]: booked after their due
    /// date (the earlier of breach date and surgical clinical target), or unbooked with the due
    /// date on or before the horizon end.
    pub breaches: usize,
    /// The schedule's objective values, tier by tier and term by term, copied from
    /// [`Schedule::objective`] (under the objective the schedule was scored with).
    pub objective: ObjectiveValues,
    /// One row per waiting-time standard that at least one referral is on, in the order RTT 18
    /// weeks, diagnostic 6 weeks, cancer 28-day Faster Diagnosis, cancer 62 days, cancer 31
    /// days, then custom standards by their number of days. A referral on several standards
    /// counts under each.
    pub standards: Vec<StandardFigures>,
    /// The waiting list at the planning date: every referral, its wait counted to the planning
    /// date.
    pub waiting_list_start: WaitingList,
    /// The waiting list at the horizon end if the schedule is carried out. Assumption: a
    /// referral booked on or before `horizon_end` has been seen and leaves the list; an
    /// unbooked referral (or one whose booking falls after `horizon_end`, which only a pinned
    /// booking can) is still waiting on `horizon_end`, its wait counted to that day.
    pub waiting_list_end: WaitingList,
    /// One row per referral priority (routine, urgent, urgent suspected cancer, always all
    /// three), then one per surgical class P1a..P4 that at least one referral has. A referral
    /// with a surgical class counts under its referral priority and under its surgical class.
    pub priorities: Vec<PriorityFigures>,
    /// Capacity used, per site kind, always the three kinds in the order NHS trust, community
    /// diagnostic centre, independent sector.
    pub utilisation: Vec<SiteKindUtilisation>,
    /// Capacity used over all sites (the sum of the rows of `utilisation`).
    pub utilisation_total: Utilisation,
    /// Travel from home to the booked site.
    pub travel: Travel,
    /// The list at each snapshot date of the plan ([`crate::rules::snapshot_dates`] under the
    /// policy's look-ahead: month ends, the horizon end, the look-ahead date), as NHS England
    /// measures RTT and DM01: the patients still waiting (not seen on or before the date).
    pub snapshots: Vec<Snapshot>,
    /// Clinical lateness by the class that sets each referral's clinical deadline
    /// ([`crate::rules::clinical_deadline`] with the policy's `urgent_target_days`): cancer
    /// standards, then surgical classes P1a to P3 (as themselves, not under their referral
    /// priority), then urgent; only classes some referral has.
    pub clinical_lateness: Vec<ClinicalLateness>,
    /// Referrals that declined two or more reasonable offers, for the clinician to review
    /// ([`crate::rules::needs_clinical_review`]), in input order.
    pub clinical_review: Vec<ReferralId>,
    /// Referrals eligible to be offered a move of provider (PIDMAS, since 31 October 2023): on
    /// the RTT standard, waiting over 40 weeks (more than 280 days) at the planning date with no date in the
    /// next 8 weeks (unbooked, or booked more than 56 days after the planning date), in input
    /// order. Source: `shared/docs/nhs-rules.md`, "How each standard is measured".
    pub pidmas: Vec<ReferralId>,
}

/// The list on one snapshot date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Every referral still waiting on the date (booked after it, or unbooked), its wait
    /// counted to the date, measured the RTT way ([`WaitingList`]).
    pub list: WaitingList,
    /// Of them, referrals on the `diagnostic_6_weeks` standard (DM01).
    pub diagnostic_waiting: usize,
    /// Of those, waiting 42 days or more (DM01 counts waits of 6 weeks or more).
    pub diagnostic_6_weeks_or_more: usize,
    /// `diagnostic_6_weeks_or_more / diagnostic_waiting`, in percent (the DM01 standard: at most
    /// 1%); `None` when none is waiting.
    pub percent_diagnostic_6_weeks_or_more: Option<f64>,
}

/// Lateness against the clinical deadline, for the referrals one class sets it for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicalLateness {
    /// The class ([`ClinicalClass`]).
    pub class: ClinicalClass,
    /// Referrals whose deadline this class sets.
    pub referrals: usize,
    /// Of them, late: booked after the deadline, or unbooked with the deadline on or before the
    /// horizon end.
    pub late: usize,
    /// Days late summed over them, unweighted: the appointment date minus the deadline, or for
    /// an unbooked referral at least the day after the horizon end minus the deadline. Unit:
    /// patient-days.
    pub days_late: i64,
}

/// Performance against one waiting-time standard.
///
/// The *limit date* of a referral is its clock start plus the standard's limit in days
/// ([`crate::rules::standard_limit_days`]). An appointment on or before the limit date is within
/// the standard; one after it breaches. An unbooked referral is seen, at the earliest, the day
/// after the horizon end, so it is within only if its limit date falls after `horizon_end`.
/// Every referral on the standard falls in exactly one of `booked_within`, `booked_breaching`,
/// `unbooked - unbooked_past_limit` and `unbooked_past_limit`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardFigures {
    /// The standard.
    pub standard: WaitingTimeStandard,
    /// Its limit, in days from clock start.
    pub limit_days: u32,
    /// Referrals on this standard (a referral listing it twice counts once).
    pub referrals: usize,
    /// Of them, booked (pinned included).
    pub booked: usize,
    /// Booked with the appointment's NHS date on or before the limit date.
    pub booked_within: usize,
    /// Booked with the appointment's NHS date after the limit date.
    pub booked_breaching: usize,
    /// Not booked.
    pub unbooked: usize,
    /// Not booked, with the limit date on or before `horizon_end`: at the end of the horizon
    /// they have reached their limit unseen, so they are seen after it whatever happens next
    /// (the convention of [`crate::ReferralOutcome::breached`]).
    pub unbooked_past_limit: usize,
    /// `booked_within / booked`, in percent; `None` when none is booked.
    pub percent_within_booked: Option<f64>,
    /// `(booked_within + unbooked - unbooked_past_limit) / referrals`, in percent: the share
    /// of all referrals on the standard that are, or can still be, seen within it; `None` when
    /// no referral is on the standard.
    pub percent_within_all: Option<f64>,
}

/// The waiting list on one date: who is still waiting and how long they have waited.
///
/// Waits are calendar days from clock start to `date` ([`crate::rules::days_waited`]). Every
/// referral on the list counts, whatever its standards, measured the RTT way: within 18 weeks
/// is a wait of at most 126 days; over N weeks is a wait of more than 7N days (the same as a
/// [`WeekBand`] of N or more, so over 104 weeks starts at day 729).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitingList {
    /// The date the waits are measured to.
    pub date: NaiveDate,
    /// Referrals waiting.
    pub total: usize,
    /// Waiting at most 126 days (18 weeks).
    pub within_18_weeks: usize,
    /// `within_18_weeks / total`, in percent; `None` for an empty list.
    pub percent_within_18_weeks: Option<f64>,
    /// Waiting more than 126 days (18 weeks).
    pub over_18_weeks: usize,
    /// Waiting more than 364 days (52 weeks).
    pub over_52_weeks: usize,
    /// Waiting more than 455 days (65 weeks).
    pub over_65_weeks: usize,
    /// Waiting more than 546 days (78 weeks).
    pub over_78_weeks: usize,
    /// Waiting more than 728 days (104 weeks).
    pub over_104_weeks: usize,
    /// Referrals per week band, for charts: all 105 bands in order, from 0-1 weeks to 104+
    /// ([`WeekBand::of_days`]), zero counts included. JSON: `[[band, count], ...]`.
    #[serde(deserialize_with = "deserialize_bands")]
    pub week_bands: Vec<(WeekBand, usize)>,
}

/// [`WeekBand`] serialises as its number; read it back the same way.
fn deserialize_bands<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<(WeekBand, usize)>, D::Error> {
    let raw = Vec::<(u32, usize)>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(band, count)| (WeekBand(band), count))
        .collect())
}

/// A priority class: a referral priority or a surgical prioritisation class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityClass {
    /// Referral priority (routine, urgent, urgent suspected cancer).
    Referral(ReferralPriority),
    /// Surgical prioritisation class (P1a to P4).
    Surgical(SurgicalPriority),
}

impl fmt::Display for PriorityClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PriorityClass::Referral(ReferralPriority::Routine) => "routine",
            PriorityClass::Referral(ReferralPriority::Urgent) => "urgent",
            PriorityClass::Referral(ReferralPriority::UrgentSuspectedCancer) => {
                "urgent suspected cancer"
            }
            PriorityClass::Surgical(SurgicalPriority::P1a) => "P1a",
            PriorityClass::Surgical(SurgicalPriority::P1b) => "P1b",
            PriorityClass::Surgical(SurgicalPriority::P2) => "P2",
            PriorityClass::Surgical(SurgicalPriority::P3) => "P3",
            PriorityClass::Surgical(SurgicalPriority::P4) => "P4",
        })
    }
}

/// Figures of one priority class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityFigures {
    /// The class.
    pub class: PriorityClass,
    /// Referrals of the class.
    pub referrals: usize,
    /// Of them, booked (pinned included).
    pub booked: usize,
    /// Of them, breaching: [`crate::ReferralOutcome::breached`] (against the due date, which
    /// includes the surgical clinical target).
    pub breaches: usize,
    /// Mean wait at the appointment, in days: the mean over the booked referrals of the days
    /// from clock start to the appointment's NHS date; `None` when none is booked.
    pub mean_wait_days: Option<f64>,
}

/// Capacity offered and used.
///
/// Counted slots are the slots with status `free` whose NHS date (the Europe/London date of
/// their start) lies in `planning_date..=horizon_end`: the capacity the schedule could use.
/// Bookings in other slots (pinned bookings in a slot outside the horizon) are not counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Utilisation {
    /// Counted slots.
    pub slots: usize,
    /// Appointments the counted slots take: the sum of their `capacity`.
    pub appointments_available: u64,
    /// Bookings of the schedule in the counted slots, pinned included.
    pub appointments_booked: u64,
    /// `appointments_booked / appointments_available`, in percent; `None` when nothing is
    /// available.
    pub percent: Option<f64>,
    /// Counted slots that have a `minutes_capacity` (sessions packing appointments by minutes).
    pub minutes_slots: usize,
    /// Minutes those slots take: the sum of their `minutes_capacity`, each capped to the slot's
    /// length as the solver caps it.
    pub minutes_available: u64,
    /// Minutes booked in those slots: the sum of the `duration_minutes` of their bookings.
    pub minutes_booked: u64,
    /// `minutes_booked / minutes_available`, in percent; `None` when no counted slot has a
    /// minutes capacity.
    pub minutes_percent: Option<f64>,
}

/// Capacity offered and used at the sites of one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteKindUtilisation {
    /// The kind of site.
    pub kind: SiteKind,
    /// Its figures.
    pub utilisation: Utilisation,
}

/// Travel from home to the booked site.
///
/// Measured for every booked referral (pinned included) that has a `home`: the great-circle
/// distance in kilometres ([`crate::Location::distance_km`]) from home to the site of the booked
/// slot. Referrals without a home are not measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Travel {
    /// Booked referrals measured.
    pub measured: usize,
    /// Mean distance, in km; `None` when none is measured.
    pub mean_km: Option<f64>,
    /// 95th percentile of the distance, in km, by the nearest-rank method: the distances sorted
    /// ascending, the value at rank `ceil(0.95 × measured)` (counted from 1), so below 20
    /// measured it is the largest; `None` when none is measured.
    pub p95_km: Option<f64>,
}

/// `part / whole` in percent, `None` when `whole` is 0.
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The value at rank `ceil(p / 100 × n)` (from 1, at least 1) of `sorted` (ascending): the
/// nearest-rank percentile. `None` for an empty slice.
pub(crate) fn nearest_rank(sorted: &[f64], p: u32) -> Option<f64> {
    let n = sorted.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    let index = usize::try_from(rank - 1).ok()?;
    sorted
        .get(index.min(sorted.len().saturating_sub(1)))
        .copied()
}

/// The waiting list of `(clock start)` entries measured to `date`.
fn waiting_list(date: NaiveDate, clock_starts: impl Iterator<Item = NaiveDate>) -> WaitingList {
    let mut bands = [0usize; WEEK_BAND_COUNT];
    let mut list = WaitingList {
        date,
        total: 0,
        within_18_weeks: 0,
        percent_within_18_weeks: None,
        over_18_weeks: 0,
        over_52_weeks: 0,
        over_65_weeks: 0,
        over_78_weeks: 0,
        over_104_weeks: 0,
        week_bands: Vec::new(),
    };
    for start in clock_starts {
        let days = days_waited(start, date);
        list.total += 1;
        if days <= RTT_18_WEEKS_DAYS {
            list.within_18_weeks += 1;
        }
        let over = |weeks: i64| usize::from(days > 7 * weeks);
        list.over_18_weeks += over(18);
        list.over_52_weeks += over(52);
        list.over_65_weeks += over(65);
        list.over_78_weeks += over(78);
        list.over_104_weeks += over(104);
        let band = WeekBand::of_days(days).0 as usize;
        if let Some(count) = bands.get_mut(band.min(WEEK_BAND_COUNT - 1)) {
            *count += 1;
        }
    }
    list.percent_within_18_weeks = percent(list.within_18_weeks as u64, list.total as u64);
    list.week_bands = bands
        .iter()
        .enumerate()
        .map(|(band, &count)| (WeekBand(band as u32), count))
        .collect();
    list
}

/// Site kinds in report order.
pub(crate) const SITE_KINDS: [SiteKind; 3] = [
    SiteKind::NhsTrust,
    SiteKind::CommunityDiagnosticCentre,
    SiteKind::IndependentSector,
];

fn mismatch(reason: String) -> Error {
    Error::InvalidField {
        kind: RecordKind::Problem,
        id: "schedule".to_owned(),
        field: "outcomes",
        reason,
    }
}

/// The waiting-list report of `schedule`, a schedule for `problem`.
///
/// Referrals and outcomes are matched by position: `schedule.outcomes[i]` must be the outcome of
/// `problem.referrals[i]`, as [`crate::solve()`] returns them. Booked referrals are located through
/// their booked slot (its site gives the site kind and the travel destination). The schedule is
/// not validated: run [`crate::validate`] for that; a schedule that breaks hard rules (a slot over
/// capacity, say) is reported as it is.
///
/// # Errors
/// - the problem's own errors ([`Problem::check`]): the report needs its references to hold;
/// - [`Error::InvalidField`] (record `problem`, id `schedule`, field `outcomes`) when the
///   schedule has a different number of outcomes than the problem has referrals, or when the
///   outcome at some position is for another referral than the problem's referral there;
/// - [`Error::UnknownReference`] (record the referral, field `outcome.slot`) when a booking
///   names a slot that is not in the problem.
pub fn report(problem: &Problem, schedule: &Schedule) -> Result<Report> {
    let index = problem.index()?;
    if schedule.outcomes.len() != problem.referrals.len() {
        return Err(mismatch(format!(
            "the schedule has {} outcomes for {} referrals: report a schedule with the problem it was made for",
            schedule.outcomes.len(),
            problem.referrals.len()
        )));
    }
    // Per referral: its booking and the index of the booked slot.
    let mut booked: Vec<Option<(&Booking, usize)>> = Vec::with_capacity(problem.referrals.len());
    for (i, (r, o)) in problem.referrals.iter().zip(&schedule.outcomes).enumerate() {
        if o.referral != r.id {
            return Err(mismatch(format!(
                "outcome {i} is for referral `{}` but referral {i} of the problem is `{}`: outcomes must be in the problem's referral order",
                o.referral, r.id
            )));
        }
        booked.push(match &o.outcome {
            Outcome::Booked(b) => {
                let Some(&si) = index.slot.get(&b.slot) else {
                    return Err(Error::UnknownReference {
                        kind: RecordKind::Referral,
                        id: r.id.0.clone(),
                        field: "outcome.slot",
                        target: RecordKind::Slot,
                        reference: b.slot.0.clone(),
                    });
                };
                Some((b, si))
            }
            Outcome::Unbooked(_) => None,
        });
    }
    let referrals = problem.referrals.len();
    let booked_count = booked.iter().filter(|b| b.is_some()).count();

    // 1. Standards.
    let mut standards: BTreeMap<WaitingTimeStandard, StandardFigures> = BTreeMap::new();
    for (r, b) in problem.referrals.iter().zip(&booked) {
        let distinct: BTreeSet<WaitingTimeStandard> = r.standards.iter().copied().collect();
        for standard in distinct {
            let limit_days = standard_limit_days(standard);
            let limit = add_days(running_clock_start(r), limit_days);
            let row = standards.entry(standard).or_insert(StandardFigures {
                standard,
                limit_days,
                referrals: 0,
                booked: 0,
                booked_within: 0,
                booked_breaching: 0,
                unbooked: 0,
                unbooked_past_limit: 0,
                percent_within_booked: None,
                percent_within_all: None,
            });
            row.referrals += 1;
            match b {
                Some((booking, _)) => {
                    row.booked += 1;
                    if booking.date <= limit {
                        row.booked_within += 1;
                    } else {
                        row.booked_breaching += 1;
                    }
                }
                None => {
                    row.unbooked += 1;
                    if limit <= problem.horizon_end {
                        row.unbooked_past_limit += 1;
                    }
                }
            }
        }
    }
    let standards: Vec<StandardFigures> = standards
        .into_values()
        .map(|mut row| {
            row.percent_within_booked = percent(row.booked_within as u64, row.booked as u64);
            let within = row.booked_within + row.unbooked - row.unbooked_past_limit;
            row.percent_within_all = percent(within as u64, row.referrals as u64);
            row
        })
        .collect();

    // 2. Waiting list at the start and at the end.
    let waiting_list_start = waiting_list(
        problem.planning_date,
        problem.referrals.iter().map(running_clock_start),
    );
    let waiting_list_end = waiting_list(
        problem.horizon_end,
        problem
            .referrals
            .iter()
            .zip(&booked)
            .filter(|(_, b)| !b.is_some_and(|(booking, _)| booking.date <= problem.horizon_end))
            .map(|(r, _)| running_clock_start(r)),
    );

    // 3. Priority classes: (referrals, booked, breaches, total wait days of the booked).
    let mut classes: BTreeMap<PriorityClass, (usize, usize, usize, i64)> = [
        ReferralPriority::Routine,
        ReferralPriority::Urgent,
        ReferralPriority::UrgentSuspectedCancer,
    ]
    .into_iter()
    .map(|p| (PriorityClass::Referral(p), (0, 0, 0, 0)))
    .collect();
    for ((r, o), b) in problem
        .referrals
        .iter()
        .zip(&schedule.outcomes)
        .zip(&booked)
    {
        let mut keys = vec![PriorityClass::Referral(r.priority)];
        keys.extend(r.surgical_priority.map(PriorityClass::Surgical));
        for key in keys {
            let entry = classes.entry(key).or_default();
            entry.0 += 1;
            if let Some((booking, _)) = b {
                entry.1 += 1;
                entry.3 = entry
                    .3
                    .saturating_add(days_waited(running_clock_start(r), booking.date));
            }
            if o.breached {
                entry.2 += 1;
            }
        }
    }
    let priorities = classes
        .into_iter()
        .map(
            |(class, (referrals, booked, breaches, wait))| PriorityFigures {
                class,
                referrals,
                booked,
                breaches,
                mean_wait_days: (booked > 0).then(|| wait as f64 / booked as f64),
            },
        )
        .collect();

    // 4. Utilisation by site kind.
    let in_horizon: Vec<bool> = problem
        .slots
        .iter()
        .map(|s| {
            let date = nhs_date(&s.start);
            s.status == SlotStatus::Free
                && problem.planning_date <= date
                && date <= problem.horizon_end
        })
        .collect();
    let slot_kind = |si: usize| {
        index
            .slot_site
            .get(si)
            .and_then(|&site| problem.sites.get(site))
            .map(|site| site.kind)
    };
    let mut by_kind: BTreeMap<SiteKind, Utilisation> = SITE_KINDS
        .iter()
        .map(|&k| (k, Utilisation::default()))
        .collect();
    for (si, s) in problem.slots.iter().enumerate() {
        if !in_horizon[si] {
            continue;
        }
        let Some(u) = slot_kind(si).and_then(|k| by_kind.get_mut(&k)) else {
            continue;
        };
        u.slots += 1;
        u.appointments_available += u64::from(s.capacity);
        if let Some(minutes) = s.minutes_capacity {
            let length = u64::try_from(s.duration_minutes()).unwrap_or(0);
            u.minutes_slots += 1;
            u.minutes_available += u64::from(minutes).min(length);
        }
    }
    for (r, b) in problem.referrals.iter().zip(&booked) {
        let Some((_, si)) = *b else { continue };
        if !in_horizon[si] {
            continue;
        }
        let Some(u) = slot_kind(si).and_then(|k| by_kind.get_mut(&k)) else {
            continue;
        };
        u.appointments_booked += 1;
        if problem.slots[si].minutes_capacity.is_some() {
            u.minutes_booked += u64::from(r.duration_minutes);
        }
    }
    let mut total = Utilisation::default();
    let utilisation: Vec<SiteKindUtilisation> = by_kind
        .into_iter()
        .map(|(kind, mut u)| {
            u.percent = percent(u.appointments_booked, u.appointments_available);
            u.minutes_percent = (u.minutes_slots > 0)
                .then(|| percent(u.minutes_booked, u.minutes_available))
                .flatten();
            total.slots += u.slots;
            total.appointments_available += u.appointments_available;
            total.appointments_booked += u.appointments_booked;
            total.minutes_slots += u.minutes_slots;
            total.minutes_available += u.minutes_available;
            total.minutes_booked += u.minutes_booked;
            SiteKindUtilisation {
                kind,
                utilisation: u,
            }
        })
        .collect();
    total.percent = percent(total.appointments_booked, total.appointments_available);
    total.minutes_percent = (total.minutes_slots > 0)
        .then(|| percent(total.minutes_booked, total.minutes_available))
        .flatten();

    // 5. Travel.
    let mut distances: Vec<f64> = problem
        .referrals
        .iter()
        .zip(&booked)
        .filter_map(|(r, b)| {
            let (_, si) = (*b)?;
            let home = r.home?;
            let site = problem.sites.get(*index.slot_site.get(si)?)?;
            site.distance_km_from(&home)
        })
        .collect();
    distances.sort_by(f64::total_cmp);
    let measured = distances.len();
    let travel = Travel {
        measured,
        mean_km: (measured > 0).then(|| distances.iter().sum::<f64>() / measured as f64),
        p95_km: nearest_rank(&distances, 95),
    };

    // 6. Snapshots: who is still waiting on each date.
    let snapshots = snapshot_dates(
        problem.planning_date,
        problem.horizon_end,
        problem.policy.look_ahead_days,
    )
    .into_iter()
    .map(|date| {
        let waiting: Vec<&crate::model::Referral> = problem
            .referrals
            .iter()
            .zip(&booked)
            .filter(|(_, b)| !b.is_some_and(|(booking, _)| booking.date <= date))
            .map(|(r, _)| r)
            .collect();
        let diagnostic: Vec<i64> = waiting
            .iter()
            .filter(|r| r.standards.contains(&WaitingTimeStandard::Diagnostic6Weeks))
            .map(|r| days_waited(running_clock_start(r), date))
            .collect();
        let over = diagnostic.iter().filter(|&&d| d >= 42).count();
        Snapshot {
            list: waiting_list(date, waiting.iter().map(|r| running_clock_start(r))),
            diagnostic_waiting: diagnostic.len(),
            diagnostic_6_weeks_or_more: over,
            percent_diagnostic_6_weeks_or_more: percent(over as u64, diagnostic.len() as u64),
        }
    })
    .collect();

    // 7. Clinical lateness by the class that sets the deadline.
    let mut lateness: BTreeMap<ClinicalClass, ClinicalLateness> = BTreeMap::new();
    for (r, b) in problem.referrals.iter().zip(&booked) {
        let Some(deadline) = clinical_deadline(r, problem.policy.urgent_target_days) else {
            continue;
        };
        let row = lateness.entry(deadline.class).or_insert(ClinicalLateness {
            class: deadline.class,
            referrals: 0,
            late: 0,
            days_late: 0,
        });
        row.referrals += 1;
        let seen = match b {
            Some((booking, _)) => booking.date,
            None => add_days(problem.horizon_end, 1),
        };
        let late = (seen - deadline.date).num_days();
        if late > 0 {
            row.late += 1;
            row.days_late = row.days_late.saturating_add(late);
        }
    }

    // 8. Flags: clinical review after two declined reasonable offers; PIDMAS.
    let clinical_review = problem
        .referrals
        .iter()
        .filter(|r| needs_clinical_review(r))
        .map(|r| r.id.clone())
        .collect();
    let eight_weeks = add_days(problem.planning_date, 56);
    let pidmas = problem
        .referrals
        .iter()
        .zip(&booked)
        .filter(|(r, b)| {
            r.standards.contains(&WaitingTimeStandard::Rtt18Weeks)
                && days_waited(running_clock_start(r), problem.planning_date) > 280
                && !b.is_some_and(|(booking, _)| booking.date <= eight_weeks)
        })
        .map(|(r, _)| r.id.clone())
        .collect();

    Ok(Report {
        planning_date: problem.planning_date,
        horizon_end: problem.horizon_end,
        referrals,
        booked: booked_count,
        pinned: booked
            .iter()
            .filter(|b| b.is_some_and(|(booking, _)| booking.pinned))
            .count(),
        unbooked: referrals - booked_count,
        breaches: schedule.outcomes.iter().filter(|o| o.breached).count(),
        objective: schedule.objective.clone(),
        standards,
        waiting_list_start,
        waiting_list_end,
        priorities,
        utilisation,
        utilisation_total: total,
        travel,
        snapshots,
        clinical_lateness: lateness.into_values().collect(),
        clinical_review,
        pidmas,
    })
}

impl WaitingList {
    /// The long-wait counts as (weeks, referrals waiting more than 7 × weeks days), for 18, 52,
    /// 65, 78 and 104 weeks.
    pub fn over_weeks(&self) -> [(u32, usize); 5] {
        [
            (18, self.over_18_weeks),
            (52, self.over_52_weeks),
            (65, self.over_65_weeks),
            (78, self.over_78_weeks),
            (104, self.over_104_weeks),
        ]
    }
}

impl Report {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The figures of one standard, if any referral is on it.
    pub fn standard(&self, standard: WaitingTimeStandard) -> Option<&StandardFigures> {
        self.standards.iter().find(|s| s.standard == standard)
    }

    /// The figures of one priority class, if present (the three referral priorities always are).
    pub fn priority(&self, class: PriorityClass) -> Option<&PriorityFigures> {
        self.priorities.iter().find(|p| p.class == class)
    }

    /// The utilisation of one kind of site.
    pub fn site_kind(&self, kind: SiteKind) -> Option<&Utilisation> {
        self.utilisation
            .iter()
            .find(|u| u.kind == kind)
            .map(|u| &u.utilisation)
    }
}

/// Short readable name of a standard, as in the report's tables.
pub fn standard_label(standard: WaitingTimeStandard) -> String {
    match standard {
        WaitingTimeStandard::Rtt18Weeks => "RTT 18 weeks".to_owned(),
        WaitingTimeStandard::Diagnostic6Weeks => "diagnostic 6 weeks".to_owned(),
        WaitingTimeStandard::CancerFasterDiagnosis28Days => "cancer 28-day FDS".to_owned(),
        WaitingTimeStandard::Cancer62Days => "cancer 62 days".to_owned(),
        WaitingTimeStandard::Cancer31Days => "cancer 31 days".to_owned(),
        WaitingTimeStandard::CustomDays(days) => format!("custom {days} days"),
    }
}

/// Readable name of a clinical class, as in the report's tables: the cancer standard's label,
/// the surgical class, `urgent`, or `hospital cancellation`.
pub fn clinical_class_label(class: ClinicalClass) -> String {
    match class {
        ClinicalClass::Cancer(standard) => standard_label(standard),
        ClinicalClass::Surgical(p) => PriorityClass::Surgical(p).to_string(),
        ClinicalClass::Urgent => "urgent".to_owned(),
        ClinicalClass::HospitalCancellation => "hospital cancellation".to_owned(),
        ClinicalClass::DeclinedOffer => "declined offer".to_owned(),
    }
}

/// Readable name of a site kind, as in the report's tables.
pub fn site_kind_label(kind: SiteKind) -> &'static str {
    match kind {
        SiteKind::NhsTrust => "NHS trust",
        SiteKind::CommunityDiagnosticCentre => "community diagnostic centre",
        SiteKind::IndependentSector => "independent sector",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentile() {
        assert_eq!(nearest_rank(&[], 95), None);
        assert_eq!(nearest_rank(&[3.0], 95), Some(3.0));
        // 20 values 1..=20: rank ceil(0.95 * 20) = 19.
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(nearest_rank(&v, 95), Some(19.0));
        // 21 values: rank ceil(19.95) = 20.
        let v: Vec<f64> = (1..=21).map(f64::from).collect();
        assert_eq!(nearest_rank(&v, 95), Some(20.0));
        // 100 values: rank 95; the median of 4 values is rank 2.
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(nearest_rank(&v, 95), Some(95.0));
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0, 4.0], 50), Some(2.0));
    }

    #[test]
    fn waiting_list_thresholds() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let back = |days: u32| crate::rules::sub_days(date, days);
        // Days 126 (within), 127 (over 18), 364 (not over 52), 365, 455, 456, 546, 547, 728, 729.
        let waits = [126, 127, 364, 365, 455, 456, 546, 547, 728, 729];
        let list = waiting_list(date, waits.iter().map(|&d| back(d)));
        assert_eq!(list.total, 10);
        assert_eq!(list.within_18_weeks, 1);
        assert_eq!(list.percent_within_18_weeks, Some(10.0));
        assert_eq!(list.over_18_weeks, 9);
        assert_eq!(list.over_52_weeks, 7);
        assert_eq!(list.over_65_weeks, 5);
        assert_eq!(list.over_78_weeks, 3);
        assert_eq!(list.over_104_weeks, 1);
        assert_eq!(list.week_bands.len(), WEEK_BAND_COUNT);
        // Band of 126 is 17, of 127 is 18; 729 is 104+.
        assert_eq!(list.week_bands[17], (WeekBand(17), 1));
        assert_eq!(list.week_bands[18], (WeekBand(18), 1));
        assert_eq!(list.week_bands[104], (WeekBand::OVER_104, 1));
        assert_eq!(list.week_bands[103], (WeekBand(103), 1));
        let empty = waiting_list(date, std::iter::empty());
        assert_eq!(empty.percent_within_18_weeks, None);
    }
}
