//! The independent checker of every hard rule.
//!
//! It reads only the problem and the schedule (not the candidate or formulation layers), so a
//! bug there cannot hide itself here. Every schedule produced in the tests passes through it.

use super::{BookingChange, Certificate, ChangeReason, Outcome, ReferralOutcome, Schedule};
use crate::model::{Prerequisite, Problem, Referral, Service, Site, Slot, SlotStatus};
use crate::rules::{add_days, due_date, nhs_date};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A hard rule a schedule breaks, naming the records involved.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
#[non_exhaustive]
pub enum Violation {
    /// A referral of the problem has no outcome.
    MissingReferral {
        /// The referral.
        referral: String,
    },
    /// A referral has more than one outcome.
    DuplicateOutcome {
        /// The referral.
        referral: String,
    },
    /// An outcome names a referral that is not in the problem.
    UnknownReferral {
        /// The referral.
        referral: String,
    },
    /// A booking names a slot that is not in the problem, or the wrong site for it.
    UnknownSlot {
        /// The referral.
        referral: String,
        /// The slot.
        slot: String,
    },
    /// A pinned booking was not kept exactly.
    PinnedNotKept {
        /// The referral.
        referral: String,
    },
    /// The outcome's `change` disagrees with the referral's existing booking and outcome: absent
    /// for a referral that had one (or present for one that had none), `kept` without being
    /// booked in the same slot, `moved` or `cancelled` naming another slot, or a reason that
    /// disagrees with the slot's status or presence.
    WrongChange {
        /// The referral.
        referral: String,
    },
    /// A booking breaks a candidate rule (`rule` is the [`crate::Exclusions`] field name:
    /// `service`, `not_free`, `outside_horizon`, `too_short`, `requirements`, `too_early`,
    /// `patient_unavailable`, `too_far`) or has a start or date inconsistent with its slot
    /// (`appointment_time`).
    BookingRule {
        /// The referral.
        referral: String,
        /// The slot.
        slot: String,
        /// The rule broken.
        broken: &'static str,
    },
    /// More appointments than the slot's count.
    OverCapacity {
        /// The slot.
        slot: String,
        /// Appointments booked (pinned included).
        booked: u32,
        /// The slot's capacity.
        capacity: u32,
    },
    /// More minutes than the slot's minutes capacity.
    OverMinutes {
        /// The slot.
        slot: String,
        /// Minutes booked (pinned included).
        minutes: u64,
        /// The slot's minutes capacity.
        capacity: u32,
    },
    /// Two appointments in one session that packs appointments by minutes overlap in time:
    /// they run back to back.
    SessionOverlap {
        /// The slot.
        slot: String,
        /// One referral.
        first: String,
        /// The other.
        second: String,
    },
    /// Two appointments of one patient overlap in time.
    PatientOverlap {
        /// One referral.
        first: String,
        /// The other.
        second: String,
    },
    /// A pathway step is booked without its earlier step, before it, or inside the gap (a
    /// pinned later step is kept as it was and not checked).
    PathwayOrder {
        /// Index of the pathway step.
        step: usize,
        /// The later referral.
        after: String,
    },
    /// The outcome's due date, breach flag or days late disagree with the rules.
    BreachStatus {
        /// The referral.
        referral: String,
    },
    /// An unavoidable-breach certificate ([`crate::Certificate`]) does not hold when counted
    /// from the problem: `fault` is `unknown_record` (a referral or slot not in the problem, or
    /// `in_time_by` not one per referral), `open_slot` (a slot with a free place, and in a session free
    /// minutes enough, that one of its referrals may use on or before its `in_time_by` date by
    /// the single-booking rules, is not listed), `places` (the listed slots' free places, in a session no more of the
    /// group's referrals than its free minutes hold, are not `places`) or `shortfall` (not the
    /// referrals less the places, or not at least 1).
    Certificate {
        /// Position of the certificate in `explanations`.
        index: usize,
        /// Its tier.
        tier: String,
        /// What does not hold.
        fault: &'static str,
    },
}

type Interval = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// The single-booking rules a booking of `r` in slot `s` (at `site`) would break, by name, in
/// this order: `service`, `not_free`, `outside_horizon`, `too_short`, `requirements`,
/// `too_early` (its earliest date, or inside the notice period `notice` without agreement,
/// unless it is the referral's existing booking), `patient_unavailable`, `too_far`.
fn slot_rules(
    problem: &Problem,
    r: &Referral,
    s: &Slot,
    site: &Site,
    notice: NaiveDate,
) -> Vec<&'static str> {
    let mut broken = Vec::new();
    let date = nhs_date(&s.start);
    if s.service != r.service {
        broken.push("service");
    }
    if s.status != SlotStatus::Free {
        broken.push("not_free");
    }
    if date < problem.planning_date || date > problem.horizon_end {
        broken.push("outside_horizon");
    }
    if i64::from(r.duration_minutes) > s.duration_minutes() {
        broken.push("too_short");
    }
    if r.requirements
        .iter()
        .any(|c| !s.capabilities.contains(c) && !site.capabilities.contains(c))
    {
        broken.push("requirements");
    }
    let existing = r.existing_booking.as_ref().is_some_and(|e| e.slot == s.id);
    if r.earliest_date.is_some_and(|e| date < e)
        || (date < notice && !r.accepts_short_notice && !existing)
    {
        broken.push("too_early");
    }
    if r.unavailable.iter().any(|p| p.contains(date)) {
        broken.push("patient_unavailable");
    }
    if let (Some(home), Some(max)) = (&r.home, r.max_travel_km) {
        if site.distance_km_from(home).is_some_and(|d| d > max) {
            broken.push("too_far");
        }
    }
    broken
}

/// What the certificate checks read once: the validator's maps of slot and referral ids to
/// positions, the slots of each service, each slot's site, and each slot's free places and
/// minutes ([`free_places`]).
struct CertificateContext<'p, 'm> {
    slot: &'m HashMap<&'p str, usize>,
    referral: &'m HashMap<&'p str, usize>,
    by_service: HashMap<&'p Service, Vec<usize>>,
    site: Vec<Option<&'p Site>>,
    free: Vec<(u32, Option<u32>)>,
}

impl<'p, 'm> CertificateContext<'p, 'm> {
    /// From the problem and the validator's maps of slot, site and referral ids to positions.
    fn new(
        problem: &'p Problem,
        slots: &'m HashMap<&'p str, usize>,
        sites: &HashMap<&str, usize>,
        referrals: &'m HashMap<&'p str, usize>,
    ) -> Self {
        let mut by_service: HashMap<&Service, Vec<usize>> = HashMap::new();
        for (si, s) in problem.slots.iter().enumerate() {
            by_service.entry(&s.service).or_default().push(si);
        }
        Self {
            slot: slots,
            referral: referrals,
            by_service,
            site: problem
                .slots
                .iter()
                .map(|s| sites.get(s.site.as_str()).map(|&i| &problem.sites[i]))
                .collect(),
            free: free_places(problem, slots),
        }
    }
}

/// What is wrong with certificate `c`, if anything, counted from the problem alone: see
/// [`Violation::Certificate`].
fn certificate_fault(
    problem: &Problem,
    c: &Certificate,
    notice: NaiveDate,
    cx: &CertificateContext<'_, '_>,
) -> Option<&'static str> {
    let referral = |id: &str| cx.referral.get(id).copied();
    let slot = |id: &str| cx.slot.get(id).copied();
    let members: Option<Vec<usize>> = c.referrals.iter().map(|id| referral(id.as_str())).collect();
    let listed: Option<Vec<usize>> = c.slots.iter().map(|id| slot(id.as_str())).collect();
    let (Some(members), Some(listed)) = (members, listed) else {
        return Some("unknown_record");
    };
    if members.len() != c.in_time_by.len() {
        return Some("unknown_record");
    }
    let mut is_listed = vec![false; problem.slots.len()];
    for &si in &listed {
        is_listed[si] = true;
    }
    // May referral `ri` use slot `si` by `by`, with a free place and, in a session, enough
    // free minutes?
    let usable = |ri: usize, si: usize, by: NaiveDate| {
        let s = &problem.slots[si];
        let (count, minutes) = cx.free[si];
        count > 0
            && minutes.is_none_or(|m| m >= problem.referrals[ri].duration_minutes)
            && nhs_date(&s.start) <= by
            && cx.site[si].is_some_and(|site| {
                slot_rules(problem, &problem.referrals[ri], s, site, notice).is_empty()
            })
    };
    // No slot a referral could use in time is missing (only slots of its service can be).
    for (&ri, by) in members.iter().zip(&c.in_time_by) {
        let Some(by) = *by else { continue };
        let same = cx.by_service.get(&problem.referrals[ri].service);
        if same
            .into_iter()
            .flatten()
            .any(|&si| !is_listed[si] && usable(ri, si, by))
        {
            return Some("open_slot");
        }
    }
    // The places: each slot's free places, and in a session no more of the group's referrals
    // that may use it in time than its free minutes hold, shortest first.
    let mut places = 0u32;
    for &si in &listed {
        let (count, minutes) = cx.free[si];
        let mut lengths: Vec<u32> = members
            .iter()
            .zip(&c.in_time_by)
            .filter(|(&ri, by)| by.is_some_and(|by| usable(ri, si, by)))
            .map(|(&ri, _)| problem.referrals[ri].duration_minutes)
            .collect();
        lengths.sort_unstable();
        let fit = match minutes {
            None => count,
            Some(m) => {
                let (mut n, mut used) = (0u32, 0u32);
                for l in lengths {
                    if n == count || used.saturating_add(l) > m {
                        break;
                    }
                    used += l;
                    n += 1;
                }
                n
            }
        };
        places += fit;
    }
    if places != c.places {
        return Some("places");
    }
    let shortfall = (members.len() as u32).saturating_sub(places);
    if shortfall == 0 || shortfall != c.shortfall {
        return Some("shortfall");
    }
    None
}

/// Per slot, the places and minutes (in a session: its minutes capacity or its length, whichever
/// is less) left after the pinned bookings in it; none when the slot is not free.
fn free_places(problem: &Problem, slot: &HashMap<&str, usize>) -> Vec<(u32, Option<u32>)> {
    let mut pinned = vec![(0u32, 0u32); problem.slots.len()];
    for r in &problem.referrals {
        if let Some(&si) = r
            .existing_booking
            .as_ref()
            .filter(|b| b.pinned)
            .and_then(|b| slot.get(b.slot.as_str()))
        {
            pinned[si].0 += 1;
            pinned[si].1 = pinned[si].1.saturating_add(r.duration_minutes);
        }
    }
    problem
        .slots
        .iter()
        .zip(pinned)
        .map(|(s, (n, minutes))| {
            if s.status != SlotStatus::Free {
                (0, s.minutes_capacity.map(|_| 0))
            } else {
                // A session's appointments run back to back inside it: no more minutes than
                // its length.
                let length = u32::try_from(s.duration_minutes()).unwrap_or(u32::MAX);
                (
                    s.capacity.saturating_sub(n),
                    s.minutes_capacity
                        .map(|m| m.min(length).saturating_sub(minutes)),
                )
            }
        })
        .collect()
}

/// Whether the outcome's `change` is what happened to the referral's existing booking: which
/// slot it came from, whether the referral is booked there, elsewhere or not at all, and a
/// reason that matches the slot's presence and status (`slot_unusable` and `not_kept` are both
/// accepted for a free slot: telling them apart needs the candidate rules).
fn change_agrees(
    problem: &Problem,
    slots: &HashMap<&str, usize>,
    r: &crate::model::Referral,
    o: &ReferralOutcome,
) -> bool {
    let (existing, change) = match (&r.existing_booking, &o.change) {
        (None, None) => return true,
        (Some(e), Some(c)) => (e, c),
        _ => return false,
    };
    let booked_slot = match &o.outcome {
        Outcome::Booked(b) => Some(&b.slot),
        Outcome::Unbooked(_) => None,
    };
    let status = slots
        .get(existing.slot.as_str())
        .map(|&si| problem.slots[si].status);
    let reason_fits = |reason: ChangeReason| {
        matches!(
            (reason, status),
            (ChangeReason::SlotRemoved, None)
                | (ChangeReason::SlotBlocked, Some(SlotStatus::Blocked))
                | (ChangeReason::SlotBooked, Some(SlotStatus::Booked))
                | (
                    ChangeReason::SlotUnusable | ChangeReason::NotKept,
                    Some(SlotStatus::Free)
                )
        )
    };
    match change {
        BookingChange::Kept => booked_slot == Some(&existing.slot),
        BookingChange::Moved { from, because } => {
            from == &existing.slot
                && booked_slot.is_some_and(|s| s != &existing.slot)
                && because
                    .is_none_or(|reason| reason != ChangeReason::NotKept && reason_fits(reason))
        }
        BookingChange::Cancelled { from, reason } => {
            from == &existing.slot && booked_slot.is_none() && reason_fits(*reason)
        }
    }
}

/// Checks `schedule` against every hard rule of `problem`; returns each violation (empty when
/// the schedule is valid). Never panics, whatever the schedule holds.
pub fn validate(problem: &Problem, schedule: &Schedule) -> Vec<Violation> {
    let mut out = Vec::new();
    let slots: HashMap<&str, usize> = problem
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let sites: HashMap<&str, usize> = problem
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let referrals: HashMap<&str, usize> = problem
        .referrals
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let notice = add_days(problem.planning_date, problem.policy.min_notice_days);
    let mut seen = vec![0u32; problem.referrals.len()];
    // Per referral: (slot index, appointment interval) when booked.
    let mut booked: Vec<Option<(usize, Interval)>> = vec![None; problem.referrals.len()];
    for o in &schedule.outcomes {
        let Some(&ri) = referrals.get(o.referral.as_str()) else {
            out.push(Violation::UnknownReferral {
                referral: o.referral.0.clone(),
            });
            continue;
        };
        seen[ri] += 1;
        if seen[ri] == 2 {
            out.push(Violation::DuplicateOutcome {
                referral: o.referral.0.clone(),
            });
        }
        if seen[ri] > 1 {
            continue;
        }
        let r = &problem.referrals[ri];
        let pinned = r.existing_booking.as_ref().filter(|b| b.pinned);
        let due = due_date(r);
        let (breached, late) = match &o.outcome {
            Outcome::Booked(b) => {
                let late = (b.date - due).num_days().max(0);
                (late > 0, late)
            }
            Outcome::Unbooked(_) if due <= problem.horizon_end => {
                (true, (problem.horizon_end - due).num_days() + 1)
            }
            Outcome::Unbooked(_) => (false, 0),
        };
        if o.due_date != due || o.breached != breached || i64::from(o.days_late) != late {
            out.push(Violation::BreachStatus {
                referral: r.id.0.clone(),
            });
        }
        if !change_agrees(problem, &slots, r, o) {
            out.push(Violation::WrongChange {
                referral: r.id.0.clone(),
            });
        }
        let b = match &o.outcome {
            Outcome::Booked(b) => b,
            Outcome::Unbooked(_) => {
                if pinned.is_some() {
                    out.push(Violation::PinnedNotKept {
                        referral: r.id.0.clone(),
                    });
                }
                continue;
            }
        };
        let Some(&si) = slots.get(b.slot.as_str()) else {
            out.push(Violation::UnknownSlot {
                referral: r.id.0.clone(),
                slot: b.slot.0.clone(),
            });
            continue;
        };
        let s = &problem.slots[si];
        if s.site != b.site || !sites.contains_key(b.site.as_str()) {
            out.push(Violation::UnknownSlot {
                referral: r.id.0.clone(),
                slot: b.slot.0.clone(),
            });
            continue;
        }
        let end = b.start + TimeDelta::minutes(i64::from(r.duration_minutes));
        booked[ri] = Some((si, (b.start, end)));
        let mut broken: Vec<&'static str> = Vec::new();
        let date = nhs_date(&s.start);
        if b.start < s.start || end > s.end || b.date != date {
            broken.push("appointment_time");
        }
        if let Some(p) = pinned {
            out.extend(broken.drain(..).map(|rule| Violation::BookingRule {
                referral: r.id.0.clone(),
                slot: s.id.0.clone(),
                broken: rule,
            }));
            if p.slot != s.id || !b.pinned {
                out.push(Violation::PinnedNotKept {
                    referral: r.id.0.clone(),
                });
            }
            continue;
        }
        if b.pinned {
            out.push(Violation::PinnedNotKept {
                referral: r.id.0.clone(),
            });
        }
        let site = &problem.sites[sites[b.site.as_str()]];
        broken.extend(slot_rules(problem, r, s, site, notice));
        out.extend(broken.into_iter().map(|rule| Violation::BookingRule {
            referral: r.id.0.clone(),
            slot: s.id.0.clone(),
            broken: rule,
        }));
    }
    for (ri, r) in problem.referrals.iter().enumerate() {
        if seen[ri] == 0 {
            out.push(Violation::MissingReferral {
                referral: r.id.0.clone(),
            });
        }
    }

    let context = (!schedule.explanations.is_empty())
        .then(|| CertificateContext::new(problem, &slots, &sites, &referrals));
    for (index, c) in schedule.explanations.iter().enumerate() {
        let fault = context
            .as_ref()
            .and_then(|cx| certificate_fault(problem, c, notice, cx));
        if let Some(fault) = fault {
            out.push(Violation::Certificate {
                index,
                tier: c.tier.clone(),
                fault,
            });
        }
    }

    // Capacity, pinned bookings included; slots that are not free hold no capacity for us,
    // but a pinned booking there is kept as it was.
    let mut count: BTreeMap<usize, (u32, u64)> = BTreeMap::new();
    for (ri, b) in booked.iter().enumerate() {
        if let Some((si, _)) = b {
            let e = count.entry(*si).or_default();
            e.0 += 1;
            e.1 += u64::from(problem.referrals[ri].duration_minutes);
        }
    }
    for (si, (n, minutes)) in count {
        let s = &problem.slots[si];
        if s.status != SlotStatus::Free {
            continue;
        }
        if n > s.capacity {
            out.push(Violation::OverCapacity {
                slot: s.id.0.clone(),
                booked: n,
                capacity: s.capacity,
            });
        }
        if let Some(m) = s.minutes_capacity {
            if minutes > u64::from(m) {
                out.push(Violation::OverMinutes {
                    slot: s.id.0.clone(),
                    minutes,
                    capacity: m,
                });
            }
        }
    }

    // Appointments in one session run one after another.
    let mut by_session: BTreeMap<usize, Vec<(Interval, usize)>> = BTreeMap::new();
    for (ri, b) in booked.iter().enumerate() {
        if let Some((si, interval)) = b {
            if problem.slots[*si].minutes_capacity.is_some() {
                by_session.entry(*si).or_default().push((*interval, ri));
            }
        }
    }
    for (si, list) in &mut by_session {
        list.sort();
        for pair in list.windows(2) {
            if pair[1].0 .0 < pair[0].0 .1 {
                out.push(Violation::SessionOverlap {
                    slot: problem.slots[*si].id.0.clone(),
                    first: problem.referrals[pair[0].1].id.0.clone(),
                    second: problem.referrals[pair[1].1].id.0.clone(),
                });
            }
        }
    }

    // One patient, one place at a time.
    let mut by_patient: BTreeMap<&str, Vec<(Interval, usize)>> = BTreeMap::new();
    for (ri, b) in booked.iter().enumerate() {
        if let Some((_, interval)) = b {
            by_patient
                .entry(problem.referrals[ri].patient.as_str())
                .or_default()
                .push((*interval, ri));
        }
    }
    for list in by_patient.values_mut() {
        list.sort();
        for i in 0..list.len() {
            for j in i + 1..list.len() {
                if list[j].0 .0 >= list[i].0 .1 {
                    break;
                }
                out.push(Violation::PatientOverlap {
                    first: problem.referrals[list[i].1].id.0.clone(),
                    second: problem.referrals[list[j].1].id.0.clone(),
                });
            }
        }
    }

    // Pathway order.
    for (k, step) in problem.pathway_steps.iter().enumerate() {
        let Some(&a) = referrals.get(step.after.as_str()) else {
            continue;
        };
        let pinned = problem.referrals[a]
            .existing_booking
            .as_ref()
            .is_some_and(|b| b.pinned);
        let Some((asi, (a_start, _))) = booked[a].filter(|_| !pinned) else {
            continue;
        };
        let a_date = nhs_date(&problem.slots[asi].start);
        let ok = match &step.before {
            Prerequisite::DoneOn(done) => {
                (a_date - *done).num_days() >= i64::from(step.min_gap_days)
            }
            Prerequisite::Referral(before) => {
                match referrals.get(before.as_str()).and_then(|&b| booked[b]) {
                    Some((bsi, (_, b_end))) => {
                        let b_date = nhs_date(&problem.slots[bsi].start);
                        (a_date - b_date).num_days() >= i64::from(step.min_gap_days)
                            && b_end <= a_start
                    }
                    None => false,
                }
            }
        };
        if !ok {
            out.push(Violation::PathwayOrder {
                step: k,
                after: step.after.0.clone(),
            });
        }
    }
    out
}
