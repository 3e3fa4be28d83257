//! Turns the solved assignment back into a [`Schedule`].

use super::{
    Booking, BookingChange, ChangeReason, Outcome, ReferralOutcome, Schedule, SolveStats,
    UnbookedReason, UnusedPlace, SHORT_NOTICE_LISTED,
};
use crate::candidates::{first_places, fits_beside, pair_rule, Candidates};
use crate::formulation::{evaluate, turn_order, Costs};
use crate::model::{Index, Prerequisite, Problem, ReferralId, SlotStatus};
use crate::rules::due_date;
use chrono::{DateTime, FixedOffset, TimeDelta};
use std::collections::{BTreeMap, HashMap};

/// Assembles the schedule. `chosen[r]` is the candidate position booked for an unpinned
/// referral; `stopped[r]` the component whose solver stopped without a schedule.
pub(crate) fn assemble(
    problem: &Problem,
    index: &Index,
    cands: &Candidates,
    costs: &Costs,
    chosen: &[Option<usize>],
    stopped: &[Option<usize>],
    stats: SolveStats,
) -> Schedule {
    let slot_of: Vec<Option<usize>> = (0..problem.referrals.len())
        .map(|ri| cands.pinned[ri].or_else(|| chosen[ri].map(|ci| cands.per_referral[ri][ci].slot)))
        .collect();
    let first = first_places(problem, &slot_of);
    let starts = appointment_starts(problem, &slot_of, &first);
    let why = Why::new(problem, index, cands, costs, &slot_of, &first);

    let mut totals = vec![0i64; costs.tiers()];
    let mut outcomes = Vec::with_capacity(problem.referrals.len());
    for (ri, r) in problem.referrals.iter().enumerate() {
        let due = due_date(r);
        let tier = match (cands.pinned[ri], chosen[ri]) {
            (Some(_), _) => costs.pinned(ri),
            (None, Some(ci)) => costs.booked(ri, ci),
            (None, None) => costs.unbooked(ri),
        };
        for (t, c) in totals.iter_mut().zip(tier) {
            *t = t.saturating_add(*c);
        }
        let (outcome, breached, days_late) = match slot_of[ri] {
            Some(si) => {
                let date = cands.slot_date[si];
                let late = (date - due).num_days().max(0);
                let booking = Booking {
                    slot: problem.slots[si].id.clone(),
                    site: problem.sites[index.slot_site[si]].id.clone(),
                    start: starts[ri].unwrap_or(problem.slots[si].start),
                    date,
                    pinned: cands.pinned[ri].is_some(),
                };
                (Outcome::Booked(booking), late > 0, late)
            }
            None => {
                let reason = if let Some(component) = stopped[ri] {
                    UnbookedReason::SolverStopped { component }
                } else if cands.per_referral[ri].is_empty() {
                    UnbookedReason::NoCandidate {
                        exclusions: cands.exclusions[ri].clone(),
                    }
                } else {
                    why.unbooked(ri)
                };
                let breached = due <= problem.horizon_end;
                let late = if breached {
                    (problem.horizon_end - due).num_days() + 1
                } else {
                    0
                };
                (Outcome::Unbooked(reason), breached, late)
            }
        };
        let change = change_of(problem, index, cands, ri, slot_of[ri]);
        outcomes.push(ReferralOutcome {
            referral: r.id.clone(),
            outcome,
            due_date: due,
            breached,
            days_late: u32::try_from(days_late).unwrap_or(u32::MAX),
            change,
        });
    }
    let seen: Vec<Option<(usize, bool)>> = slot_of
        .iter()
        .enumerate()
        .map(|(ri, s)| s.map(|si| (si, cands.pinned[ri].is_some())))
        .collect();
    let objective = evaluate(problem, &index.slot_site, cands, &seen);
    // The term-by-term evaluation and the solver's tier costs are two computations of one sum.
    debug_assert_eq!(objective.values(), costs.expand(&totals));
    let unused = unused_places(problem, cands, &why, &slot_of);
    Schedule {
        outcomes,
        objective,
        stats,
        unused,
        warnings: problem.warnings(),
        explanations: Vec::new(),
        place_values: Vec::new(),
    }
}

/// The free slots inside the horizon with room left after every booking, each with the
/// referrals who could be offered it at short notice (see [`UnusedPlace::short_notice`]).
fn unused_places(
    problem: &Problem,
    cands: &Candidates,
    why: &Why,
    slot_of: &[Option<usize>],
) -> Vec<UnusedPlace> {
    let mut offers: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (ri, slots) in cands.short_notice.iter().enumerate() {
        for &si in slots {
            offers.entry(si).or_default().push(ri);
        }
    }
    let mut out = Vec::new();
    for (si, slot) in problem.slots.iter().enumerate() {
        let date = cands.slot_date[si];
        if slot.status != SlotStatus::Free
            || date < problem.planning_date
            || date > problem.horizon_end
            || why.count[si] == 0
            || why.minutes[si] == Some(0)
        {
            continue;
        }
        let mut takers: Vec<usize> = offers
            .get(&si)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&ri| {
                let later = slot_of[ri].is_none_or(|sj| cands.slot_date[sj] > date);
                let others = why
                    .by_patient
                    .get(problem.referrals[ri].patient.as_str())
                    .map_or(&[][..], Vec::as_slice);
                let fits =
                    why.minutes[si].is_none_or(|m| m >= problem.referrals[ri].duration_minutes);
                later && fits && fits_beside(problem, ri, si, others, slot_of, why.first)
            })
            .collect();
        takers.sort_by_key(|&ri| turn_order(problem, ri));
        out.push(UnusedPlace {
            slot: slot.id.clone(),
            date,
            places: why.count[si],
            minutes: why.minutes[si],
            short_notice_total: takers.len(),
            short_notice: takers
                .iter()
                .take(SHORT_NOTICE_LISTED)
                .map(|&ri| problem.referrals[ri].id.clone())
                .collect(),
        });
    }
    out
}

/// What happened to referral `ri`'s existing booking, booked now in `booked` (problem slot
/// index; `None`: unbooked); `None` when it had no existing booking.
fn change_of(
    problem: &Problem,
    index: &Index,
    cands: &Candidates,
    ri: usize,
    booked: Option<usize>,
) -> Option<BookingChange> {
    let b = problem.referrals[ri].existing_booking.as_ref()?;
    let original = index.slot.get(&b.slot).copied();
    // Why the original slot cannot be kept, if it cannot.
    let unusable = match original {
        None => Some(ChangeReason::SlotRemoved),
        Some(si) => match problem.slots[si].status {
            SlotStatus::Blocked => Some(ChangeReason::SlotBlocked),
            SlotStatus::Booked => Some(ChangeReason::SlotBooked),
            SlotStatus::Free
                if cands.pinned[ri] != Some(si)
                    && !cands.per_referral[ri].iter().any(|c| c.slot == si) =>
            {
                Some(ChangeReason::SlotUnusable)
            }
            SlotStatus::Free => None,
        },
    };
    Some(match booked {
        Some(si) if Some(si) == original => BookingChange::Kept,
        Some(_) => BookingChange::Moved {
            from: b.slot.clone(),
            because: unusable,
        },
        None => BookingChange::Cancelled {
            from: b.slot.clone(),
            reason: unusable.unwrap_or(ChangeReason::NotKept),
        },
    })
}

/// What it takes to say why a referral was left unbooked, computed once for the schedule: the
/// room left in each slot, each referral's pathway prerequisites and each patient's referrals.
struct Why<'a> {
    problem: &'a Problem,
    costs: &'a Costs,
    cands: &'a Candidates,
    slot_of: &'a [Option<usize>],
    /// The booking with the first place of each multi-place slot.
    first: &'a BTreeMap<usize, usize>,
    /// Count left per slot after every booking.
    count: Vec<u32>,
    /// Minutes left per session after every booking.
    minutes: Vec<Option<u32>>,
    /// Per referral, the earlier steps it waits for: (before referral id and index, gap days).
    before: BTreeMap<usize, Vec<(&'a ReferralId, usize, u32)>>,
    /// Referrals of each patient, in input order.
    by_patient: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Why<'a> {
    fn new(
        problem: &'a Problem,
        index: &Index,
        cands: &'a Candidates,
        costs: &'a Costs,
        slot_of: &'a [Option<usize>],
        first: &'a BTreeMap<usize, usize>,
    ) -> Self {
        let mut count = cands.count_left.clone();
        let mut minutes = cands.minutes_left.clone();
        for (rj, slot) in slot_of.iter().enumerate() {
            if let (Some(si), None) = (*slot, cands.pinned[rj]) {
                count[si] = count[si].saturating_sub(1);
                if let Some(m) = &mut minutes[si] {
                    *m = m.saturating_sub(problem.referrals[rj].duration_minutes);
                }
            }
        }
        let mut before: BTreeMap<usize, Vec<(&ReferralId, usize, u32)>> = BTreeMap::new();
        for step in &problem.pathway_steps {
            let Prerequisite::Referral(id) = &step.before else {
                continue;
            };
            if let (Some(&after), Some(&rb)) =
                (index.referral.get(&step.after), index.referral.get(id))
            {
                before
                    .entry(after)
                    .or_default()
                    .push((id, rb, step.min_gap_days));
            }
        }
        let mut by_patient: HashMap<&str, Vec<usize>> = HashMap::new();
        for (ri, r) in problem.referrals.iter().enumerate() {
            by_patient.entry(r.patient.as_str()).or_default().push(ri);
        }
        Why {
            problem,
            costs,
            cands,
            slot_of,
            first,
            count,
            minutes,
            before,
            by_patient,
        }
    }

    /// Why referral `ri`, which has candidate slots, was left unbooked: every candidate full,
    /// or one with room ruled out by its pathway or by a clash with the patient's other booking,
    /// or booking it would lower no tier of the objective, or else not chosen (the solver
    /// stopped early).
    fn unbooked(&self, ri: usize) -> UnbookedReason {
        let (problem, cands, slot_of) = (self.problem, self.cands, self.slot_of);
        let r = &problem.referrals[ri];
        let candidates = cands.per_referral[ri].len();
        let roomy: Vec<_> = cands.per_referral[ri]
            .iter()
            .filter(|c| {
                self.count[c.slot] > 0
                    && self.minutes[c.slot].is_none_or(|m| m >= r.duration_minutes)
            })
            .collect();
        if roomy.is_empty() {
            return UnbookedReason::NoCapacity { candidates };
        }
        for &(before, rb, gap) in self.before.get(&ri).into_iter().flatten() {
            let blocked = roomy.iter().all(|c| match slot_of[rb] {
                None => true,
                Some(bsi) => {
                    let (_, b_end) =
                        problem.slots[bsi].latest_interval(problem.referrals[rb].duration_minutes);
                    (c.date - cands.slot_date[bsi]).num_days() < i64::from(gap)
                        || b_end > problem.slots[c.slot].start
                }
            });
            if blocked {
                return UnbookedReason::PathwayOrder {
                    candidates,
                    before: before.clone(),
                };
            }
        }
        let same_patient = self.by_patient.get(r.patient.as_str());
        for &rj in same_patient.into_iter().flatten() {
            if rj == ri {
                continue;
            }
            if let Some(sj) = slot_of[rj] {
                let clash = roomy
                    .iter()
                    .any(|c| !pair_rule(problem, ri, c.slot, rj, sj).allows(self.first));
                if clash {
                    return UnbookedReason::PatientClash {
                        candidates,
                        with: problem.referrals[rj].id.clone(),
                    };
                }
            }
        }
        // Booking it in a slot with room would lower no tier: the objective has nothing to gain
        // (an objective without treat in turn, say, and a referral inside every limit).
        let no_gain = cands.per_referral[ri].iter().enumerate().all(|(ci, c)| {
            let roomy = self.count[c.slot] > 0
                && self.minutes[c.slot].is_none_or(|m| m >= r.duration_minutes);
            !roomy || self.costs.booked(ri, ci) >= self.costs.unbooked(ri)
        });
        if no_gain {
            return UnbookedReason::NoGain { candidates };
        }
        UnbookedReason::NotChosen { candidates }
    }
}

/// Start time of each booking (`slot_of[r]`, pinned ones included): in a one-place slot its
/// start (more than one pinned booking there are laid out like a multi-place slot's); in a
/// multi-place slot, at the offset [`Slot::place_offsets`](crate::Slot) gives it in
/// the slot's order: the booking with its first place (`first`) ahead, then the policy's turn
/// order (priority weight, highest first, clock start, then referral id). `None` for an
/// unbooked referral.
fn appointment_starts(
    problem: &Problem,
    slot_of: &[Option<usize>],
    first: &BTreeMap<usize, usize>,
) -> Vec<Option<DateTime<FixedOffset>>> {
    let mut by_slot: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let starts = slot_of
        .iter()
        .enumerate()
        .map(|(ri, slot)| {
            by_slot.entry((*slot)?).or_default().push(ri);
            Some(problem.slots[(*slot)?].start)
        })
        .collect();
    let mut starts: Vec<Option<DateTime<FixedOffset>>> = starts;
    for (si, mut referrals) in by_slot {
        referrals.sort_by_key(|&ri| (first.get(&si) != Some(&ri), turn_order(problem, ri)));
        let slot = &problem.slots[si];
        let durations: Vec<u32> = referrals
            .iter()
            .map(|&ri| problem.referrals[ri].duration_minutes)
            .collect();
        for (ri, offset) in referrals.into_iter().zip(slot.place_offsets(&durations)) {
            starts[ri] = Some(slot.start + TimeDelta::minutes(offset));
        }
    }
    starts
}
