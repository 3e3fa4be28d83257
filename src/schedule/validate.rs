//! The independent checker of every hard rule.
//!
//! It reads only the problem and the schedule (not the candidate or formulation layers), so a
//! bug there cannot hide itself here. Every schedule produced in the tests passes through it.

use super::{BookingChange, ChangeReason, Outcome, ReferralOutcome, Schedule};
use crate::model::{Prerequisite, Problem, SlotStatus};
use crate::rules::{add_days, due_date, nhs_date};
use chrono::{DateTime, FixedOffset, TimeDelta};
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
}

type Interval = (DateTime<FixedOffset>, DateTime<FixedOffset>);

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
        let site = &problem.sites[sites[b.site.as_str()]];
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
