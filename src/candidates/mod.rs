//! Candidates: which slots each referral may use, why the others are excluded, and the
//! independent components of the problem.
//!
//! A slot is a candidate for a referral when, checked in this order, the service matches, the
//! slot is free, its NHS date is inside the horizon, it is long enough, it offers every
//! requirement (slot or site capability), its date is on or after the later of the referral's
//! earliest date and the planning date plus the minimum notice (waived when the patient accepts
//! short notice, and for the slot of an unpinned existing booking), the patient is available,
//! the site is within the patient's travel distance, and it fits around the patient's pinned
//! bookings and done or pinned pathway steps. The first rule a slot fails is the one counted
//! against it in [`Exclusions`].

mod components;
pub(crate) mod greedy;

pub(crate) use components::{components, Component};

use crate::model::{clash, Clash, Index, Prerequisite, Problem, Referral, Service, SlotStatus};
use crate::rules::{add_days, nhs_date, sub_days};
use chrono::{DateTime, FixedOffset, NaiveDate};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many slots each rule excluded for a referral that has no candidate slot (each slot
/// counted once, against the first rule it fails, in the order of the fields). All zero for a
/// referral that has candidates or a pinned booking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// Slots of another service.
    pub service: u32,
    /// Slots booked, blocked, or filled by pinned bookings.
    pub not_free: u32,
    /// Slots dated before the planning date or after the horizon end.
    pub outside_horizon: u32,
    /// Slots shorter than the appointment, or sessions with fewer minutes left than it needs.
    pub too_short: u32,
    /// Slots lacking a required capability.
    pub requirements: u32,
    /// Slots before the referral's earliest date or inside the minimum notice.
    pub too_early: u32,
    /// Slots on days the patient is unavailable.
    pub patient_unavailable: u32,
    /// Slots at sites beyond the patient's travel distance.
    pub too_far: u32,
    /// Slots that break the order of a done or pinned pathway step.
    pub pathway_order: u32,
    /// Slots overlapping another pinned booking of the same patient.
    pub clashes_with_pinned: u32,
}

/// A candidate rule, in check order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    NotFree,
    OutsideHorizon,
    TooShort,
    Requirements,
    TooEarly,
    PatientUnavailable,
    TooFar,
    PathwayOrder,
    ClashesWithPinned,
}

impl Exclusions {
    fn count(&mut self, rule: Rule) {
        let field = match rule {
            Rule::NotFree => &mut self.not_free,
            Rule::OutsideHorizon => &mut self.outside_horizon,
            Rule::TooShort => &mut self.too_short,
            Rule::Requirements => &mut self.requirements,
            Rule::TooEarly => &mut self.too_early,
            Rule::PatientUnavailable => &mut self.patient_unavailable,
            Rule::TooFar => &mut self.too_far,
            Rule::PathwayOrder => &mut self.pathway_order,
            Rule::ClashesWithPinned => &mut self.clashes_with_pinned,
        };
        *field += 1;
    }

    /// The rules that excluded at least one slot, as `(rule, slots)` in check order.
    pub fn reasons(&self) -> Vec<(&'static str, u32)> {
        [
            ("service", self.service),
            ("not_free", self.not_free),
            ("outside_horizon", self.outside_horizon),
            ("too_short", self.too_short),
            ("requirements", self.requirements),
            ("too_early", self.too_early),
            ("patient_unavailable", self.patient_unavailable),
            ("too_far", self.too_far),
            ("pathway_order", self.pathway_order),
            ("clashes_with_pinned", self.clashes_with_pinned),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

/// One slot a referral may use.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Candidate {
    /// Slot index in `Problem::slots`.
    pub slot: usize,
    /// The slot's NHS date.
    pub date: NaiveDate,
    /// Great-circle km from the patient's home to the site, when the home is known.
    pub distance_km: Option<f64>,
}

/// Everything the formulation needs from the candidate step.
#[derive(Debug)]
pub(crate) struct Candidates {
    /// Candidate slots per referral, in slot order; empty for pinned referrals.
    pub per_referral: Vec<Vec<Candidate>>,
    /// Exclusion counts per referral (only for referrals without candidates).
    pub exclusions: Vec<Exclusions>,
    /// Slot index of each pinned referral.
    pub pinned: Vec<Option<usize>>,
    /// NHS date of each slot.
    pub slot_date: Vec<NaiveDate>,
    /// Count capacity left per slot after pinned bookings (0 for slots that are not free).
    pub count_left: Vec<u32>,
    /// Minutes left per slot after pinned bookings, for slots with a minutes capacity (never
    /// more than the slot's length).
    pub minutes_left: Vec<Option<u32>>,
    /// The pinned booking (referral index) that has the first place of a multi-place slot
    /// (slot index), as the problem check found them (`Index::first_pinned`).
    pub first_pinned: BTreeMap<usize, usize>,
    /// Per referral, the slots (indices, ascending) that only the minimum notice keeps out of
    /// its candidates: it could be offered them at short notice.
    pub short_notice: Vec<Vec<usize>>,
}

/// What the one-patient-one-place rule asks of two bookings of one patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairRule {
    /// Both may be booked as they are.
    Free,
    /// Both may be booked if `referral` has the first place of `slot` (slot and referral
    /// indices).
    First {
        /// Slot index.
        slot: usize,
        /// Referral index.
        referral: usize,
    },
    /// Never both.
    Exclusive,
}

impl PairRule {
    /// Whether the two bookings may stand together, given who has each slot's first place so
    /// far (`first`: slot index to referral index): a first place nobody has is free to take.
    pub(crate) fn allows(self, first: &BTreeMap<usize, usize>) -> bool {
        match self {
            PairRule::Free => true,
            PairRule::Exclusive => false,
            PairRule::First { slot, referral } => first.get(&slot).is_none_or(|&h| h == referral),
        }
    }
}

/// Whether referral `ri` could be booked in slot `si` beside the bookings (`slot_of`) of
/// `others`, its patient's other referrals, with the first places `first` gives
/// ([`PairRule::allows`]).
pub(crate) fn fits_beside(
    problem: &Problem,
    ri: usize,
    si: usize,
    others: &[usize],
    slot_of: &[Option<usize>],
    first: &BTreeMap<usize, usize>,
) -> bool {
    others
        .iter()
        .filter(|&&rj| rj != ri)
        .all(|&rj| slot_of[rj].is_none_or(|sj| pair_rule(problem, ri, si, rj, sj).allows(first)))
}

/// The rule for booking referral `ri` in slot `si` and referral `rj` (the same patient's) in
/// slot `sj`, from [`clash`].
pub(crate) fn pair_rule(problem: &Problem, ri: usize, si: usize, rj: usize, sj: usize) -> PairRule {
    let (a, b) = (&problem.referrals[ri], &problem.referrals[rj]);
    match clash(
        &problem.slots[si],
        a.duration_minutes,
        &problem.slots[sj],
        b.duration_minutes,
    ) {
        Clash::Never => PairRule::Free,
        Clash::Always => PairRule::Exclusive,
        Clash::FirstPlace(true) => PairRule::First {
            slot: si,
            referral: ri,
        },
        Clash::FirstPlace(false) => PairRule::First {
            slot: sj,
            referral: rj,
        },
    }
}

/// Which booking has the first place of each multi-place slot (slot index to referral index)
/// in a set of bookings (`slot_of[r]`, pinned ones included): a booking whose patient's other
/// booking needs it first ([`PairRule::First`]). Where two would need one first place (a
/// schedule breaking the rule), the lower referral index has it.
pub(crate) fn first_places(problem: &Problem, slot_of: &[Option<usize>]) -> BTreeMap<usize, usize> {
    let mut by_patient: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in problem.referrals.iter().enumerate() {
        if slot_of[ri].is_some() {
            by_patient.entry(r.patient.as_str()).or_default().push(ri);
        }
    }
    let mut first = BTreeMap::new();
    for list in by_patient.values().filter(|l| l.len() > 1) {
        for (i, &a) in list.iter().enumerate() {
            for &b in &list[i + 1..] {
                let (sa, sb) = (slot_of[a].unwrap_or(0), slot_of[b].unwrap_or(0));
                if let PairRule::First { slot, referral } = pair_rule(problem, a, sa, b, sb) {
                    let holder = first.entry(slot).or_insert(referral);
                    *holder = (*holder).min(referral);
                }
            }
        }
    }
    first
}

/// Pathway steps between two unpinned referrals of the problem, as `(before, after, minimum gap
/// in days)` by referral index, in step order. Steps from a done date or to or from a pinned
/// booking are not here: the candidate rules already apply them.
pub(crate) fn unpinned_pathway_steps(
    problem: &Problem,
    index: &Index,
    cands: &Candidates,
) -> Vec<(usize, usize, u32)> {
    problem
        .pathway_steps
        .iter()
        .filter_map(|step| {
            let Prerequisite::Referral(before) = &step.before else {
                return None;
            };
            let b = *index.referral.get(before)?;
            let a = *index.referral.get(&step.after)?;
            (cands.pinned[a].is_none() && cands.pinned[b].is_none()).then_some((
                b,
                a,
                step.min_gap_days,
            ))
        })
        .collect()
}

/// Builds the candidates of every referral. The problem must have passed `Problem::index`.
pub(crate) fn build(problem: &Problem, index: &Index) -> Candidates {
    let slots = &problem.slots;
    let slot_date: Vec<NaiveDate> = slots.iter().map(|s| nhs_date(&s.start)).collect();

    // Pinned bookings first: they use capacity and constrain the patient's other referrals.
    let pinned: Vec<Option<usize>> = problem
        .referrals
        .iter()
        .map(|r| {
            r.existing_booking
                .as_ref()
                .filter(|b| b.pinned)
                .and_then(|b| index.slot.get(&b.slot).copied())
        })
        .collect();
    let mut count_left: Vec<u32> = slots
        .iter()
        .map(|s| {
            if s.status == SlotStatus::Free {
                s.capacity
            } else {
                0
            }
        })
        .collect();
    let mut minutes_left: Vec<Option<u32>> = slots
        .iter()
        .map(|s| {
            let length = u32::try_from(s.duration_minutes()).unwrap_or(u32::MAX);
            s.minutes_capacity.map(|m| m.min(length))
        })
        .collect();
    // Referrals of each patient with a pinned booking.
    let mut pinned_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in problem.referrals.iter().enumerate() {
        if let Some(si) = pinned[ri] {
            count_left[si] = count_left[si].saturating_sub(1);
            if let Some(m) = &mut minutes_left[si] {
                *m = m.saturating_sub(r.duration_minutes);
            }
            pinned_of.entry(r.patient.as_str()).or_default().push(ri);
        }
    }
    let first_pinned = index.first_pinned.clone();

    // Pathway windows from done or pinned steps: (not before, not after) per referral.
    let mut not_before: Vec<Option<(NaiveDate, DateTime<FixedOffset>)>> =
        vec![None; problem.referrals.len()];
    let mut not_after: Vec<Option<(NaiveDate, DateTime<FixedOffset>)>> =
        vec![None; problem.referrals.len()];
    for step in &problem.pathway_steps {
        let Some(&after) = index.referral.get(&step.after) else {
            continue;
        };
        match &step.before {
            Prerequisite::DoneOn(date) => {
                let bound = add_days(*date, step.min_gap_days);
                let entry = &mut not_before[after];
                let earliest = DateTime::<FixedOffset>::MIN_UTC.fixed_offset();
                if entry.is_none_or(|(d, _)| d < bound) {
                    *entry = Some((bound, earliest));
                }
            }
            Prerequisite::Referral(before_id) => {
                let Some(&before) = index.referral.get(before_id) else {
                    continue;
                };
                if let Some(si) = pinned[before] {
                    let bound = add_days(slot_date[si], step.min_gap_days);
                    let (_, end) =
                        slots[si].latest_interval(problem.referrals[before].duration_minutes);
                    let entry = &mut not_before[after];
                    if entry.is_none_or(|(d, t)| (d, t) < (bound, end)) {
                        *entry = Some((bound, end));
                    }
                }
                if let Some(si) = pinned[after] {
                    let bound = sub_days(slot_date[si], step.min_gap_days);
                    let entry = &mut not_after[before];
                    if entry.is_none_or(|(d, t)| (d, t) > (bound, slots[si].start)) {
                        *entry = Some((bound, slots[si].start));
                    }
                }
            }
        }
    }

    // Same-service slots grouped by site, so that a site beyond a patient's travel distance is
    // skipped whole.
    let mut by_service: BTreeMap<&Service, BTreeMap<usize, Vec<usize>>> = BTreeMap::new();
    for (si, s) in slots.iter().enumerate() {
        by_service
            .entry(&s.service)
            .or_default()
            .entry(index.slot_site[si])
            .or_default()
            .push(si);
    }
    let notice_date = add_days(problem.planning_date, problem.policy.min_notice_days);

    // Each referral's candidates depend only on shared, read-only data: built in parallel and
    // collected in referral order.
    let one = |ri: usize, r: &Referral| -> (Vec<Candidate>, Exclusions, Vec<usize>) {
        let mut list = Vec::new();
        let mut ex = Exclusions::default();
        let mut short = Vec::new();
        let Some(groups) = by_service.get(&r.service).filter(|_| pinned[ri].is_none()) else {
            if pinned[ri].is_none() {
                ex.service = slots.len() as u32;
            }
            return (list, ex, short);
        };
        let existing = r
            .existing_booking
            .as_ref()
            .and_then(|b| index.slot.get(&b.slot).copied());
        let earliest_any = r.earliest_date.unwrap_or(NaiveDate::MIN);
        let pinned_siblings = pinned_of
            .get(r.patient.as_str())
            .map_or(&[][..], Vec::as_slice);
        // Whether a booking in `si` can sit beside every pinned booking of the patient: a first
        // place it or a pinned booking needs must not be another pinned booking's.
        let fits_pinned =
            |si: usize| fits_beside(problem, ri, si, pinned_siblings, &pinned, &first_pinned);
        // The first rule slot `si` at `distance` km fails, or None when it is a candidate; the
        // minimum notice waived when `waive_notice`.
        let rule_of = |si: usize, distance: Option<f64>, waive_notice: bool| -> Option<Rule> {
            let s = &slots[si];
            let date = slot_date[si];
            let (_, end) = s.latest_interval(r.duration_minutes);
            if s.status != SlotStatus::Free || count_left[si] == 0 {
                Some(Rule::NotFree)
            } else if date < problem.planning_date || date > problem.horizon_end {
                Some(Rule::OutsideHorizon)
            } else if i64::from(r.duration_minutes) > s.duration_minutes()
                || minutes_left[si].is_some_and(|m| r.duration_minutes > m)
            {
                Some(Rule::TooShort)
            } else if !r.requirements.iter().all(|c| {
                s.capabilities.contains(c)
                    || problem.sites[index.slot_site[si]].capabilities.contains(c)
            }) {
                Some(Rule::Requirements)
            } else if date < earliest_any
                || (date < notice_date
                    && !r.accepts_short_notice
                    && existing != Some(si)
                    && !waive_notice)
            {
                Some(Rule::TooEarly)
            } else if r.unavailable.iter().any(|p| p.contains(date)) {
                Some(Rule::PatientUnavailable)
            } else if distance.is_some_and(|d| r.max_travel_km.is_some_and(|max| d > max)) {
                Some(Rule::TooFar)
            } else if not_before[ri].is_some_and(|(d, t)| date < d || s.start < t)
                || not_after[ri].is_some_and(|(d, t)| date > d || end > t)
            {
                Some(Rule::PathwayOrder)
            } else if !fits_pinned(si) {
                Some(Rule::ClashesWithPinned)
            } else {
                None
            }
        };
        let failed_rule = |si: usize, distance: Option<f64>| rule_of(si, distance, false);
        let site_distance = |site: usize| {
            r.home
                .as_ref()
                .and_then(|h| problem.sites[site].distance_km_from(h))
        };
        for (&site, group) in groups {
            // Most sites of a large list are too far by latitude alone (no trigonometry).
            if let (Some(home), Some(max)) = (&r.home, r.max_travel_km) {
                if (problem.sites[site].location.as_ref())
                    .is_some_and(|l| home.certainly_farther_than(l, max))
                {
                    continue;
                }
            }
            let distance = site_distance(site);
            if distance.is_some_and(|d| r.max_travel_km.is_some_and(|max| d > max)) {
                continue;
            }
            for &si in group {
                match failed_rule(si, distance) {
                    None => list.push(Candidate {
                        slot: si,
                        date: slot_date[si],
                        distance_km: distance,
                    }),
                    Some(Rule::TooEarly)
                        if slot_date[si] < notice_date && rule_of(si, distance, true).is_none() =>
                    {
                        short.push(si);
                    }
                    Some(_) => {}
                }
            }
        }
        if list.is_empty() {
            // Say why: count every slot against the first rule it fails.
            let same_service: usize = groups.values().map(Vec::len).sum();
            ex.service = (slots.len() - same_service) as u32;
            for (&site, group) in groups {
                let distance = site_distance(site);
                for &si in group {
                    if let Some(rule) = failed_rule(si, distance) {
                        ex.count(rule);
                    }
                }
            }
        }
        list.sort_by_key(|c| c.slot);
        short.sort_unstable();
        (list, ex, short)
    };
    let built: Vec<_> = problem
        .referrals
        .par_iter()
        .enumerate()
        .map(|(ri, r)| one(ri, r))
        .collect();
    let mut per_referral = Vec::with_capacity(built.len());
    let mut exclusions = Vec::with_capacity(built.len());
    let mut short_notice = Vec::with_capacity(built.len());
    for (list, ex, short) in built {
        per_referral.push(list);
        exclusions.push(ex);
        short_notice.push(short);
    }
    Candidates {
        per_referral,
        exclusions,
        pinned,
        slot_date,
        count_left,
        minutes_left,
        first_pinned,
        short_notice,
    }
}
