//! Backfilling a freed place: given a schedule and a slot with a place free (a cancellation,
//! or new capacity), the referrals who could take it, ranked by what booking them there gains
//! under the policy's tiers.
//!
//! [`Backfill::new`] indexes the schedule once; each [`Backfill::offers`] query then reads only
//! the referrals for whom the slot is a candidate (under a millisecond on the default
//! `nhs_backlog` scenario: `cargo bench --bench solve -- backfill`).
//!
//! ```
//! use appointment_optimiser::backfill::Backfill;
//! use appointment_optimiser::{prepare, Problem, SolveOptions};
//! let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
//! let problem = Problem::from_json(&json)?;
//! let prepared = prepare(&problem)?;
//! let schedule = prepared.solve(&SolveOptions::new())?;
//! let backfill = Backfill::new(&prepared, &schedule)?;
//! let offers = backfill.offers("TO-CLINIC-1208")?;
//! assert_eq!(offers[0].referral.as_str(), "R-TO-3");
//! # Ok::<(), appointment_optimiser::Error>(())
//! ```

use crate::candidates::{first_places, fits_beside};
use crate::error::{Error, Result};
use crate::formulation::turn_order;
use crate::model::{ReferralId, SlotId};
use crate::rules::add_days;
use crate::schedule::Schedule;
use crate::solve::Prepared;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// One referral that could take the freed place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The referral.
    pub referral: ReferralId,
    /// What booking it in the slot instead of its present outcome lowers, tier by tier (the
    /// objective's active tiers, [`Prepared::active_tiers`], first first; positive is better).
    /// The offers are ranked by it, lexicographically.
    pub gain: Vec<i64>,
    /// The slot's date is inside the minimum notice period: the offer is at short notice (the
    /// referral accepts short notice, or the slot would not be one of its candidates).
    pub short_notice: bool,
    /// The slot the referral holds now and would give up, freeing it in turn; `None` when it is
    /// unbooked.
    pub frees: Option<SlotId>,
}

/// A schedule indexed for backfill queries.
#[derive(Debug)]
pub struct Backfill<'p, 'a> {
    prepared: &'p Prepared<'a>,
    /// Per slot (problem index), the (referral, candidate position) pairs that may use it.
    by_slot: HashMap<usize, Vec<(usize, usize)>>,
    /// Per referral: its present tier costs (booked option, or unbooked).
    present: Vec<Vec<i64>>,
    /// Per referral: the slot it holds now (problem index).
    holds: Vec<Option<usize>>,
    /// The booking with the first place of each multi-place slot (slot to referral index).
    first: BTreeMap<usize, usize>,
    /// Per patient, the referrals (indices) that hold a slot.
    booked_of: HashMap<&'p str, Vec<usize>>,
}

impl<'p, 'a> Backfill<'p, 'a> {
    /// Indexes `schedule`, a schedule of the prepared problem.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (option `schedule`) when the schedule has another number of
    /// outcomes than the problem has referrals, or books a slot the problem does not have.
    pub fn new(prepared: &'p Prepared<'a>, schedule: &Schedule) -> Result<Self> {
        let (problem, cands, costs, _) = prepared.parts();
        let holds: Vec<Option<usize>> = prepared
            .booked_slots(schedule)?
            .into_iter()
            .map(|b| b.map(|(si, _)| si))
            .collect();
        let mut present = Vec::with_capacity(problem.referrals.len());
        for (ri, &si) in holds.iter().enumerate() {
            let now = match si.and_then(|si| {
                cands.per_referral[ri]
                    .iter()
                    .position(|c| c.slot == si)
                    .map(|ci| costs.booked(ri, ci))
            }) {
                Some(c) => c.to_vec(),
                // Unbooked, or pinned (its cost is fixed: it is not offered anything).
                None if si.is_some() => costs.pinned(ri).to_vec(),
                None => costs.unbooked(ri).to_vec(),
            };
            present.push(now);
        }
        let mut by_slot: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for (ri, list) in cands.per_referral.iter().enumerate() {
            for (ci, c) in list.iter().enumerate() {
                by_slot.entry(c.slot).or_default().push((ri, ci));
            }
        }
        let mut booked_of: HashMap<&str, Vec<usize>> = HashMap::new();
        for (ri, r) in problem.referrals.iter().enumerate() {
            if holds[ri].is_some() {
                booked_of.entry(r.patient.as_str()).or_default().push(ri);
            }
        }
        Ok(Backfill {
            prepared,
            by_slot,
            first: first_places(problem, &holds),
            present,
            holds,
            booked_of,
        })
    }

    /// Whether referral `ri` could be booked in slot `si` beside its patient's other bookings
    /// (one patient, one place at a time, with the first places the schedule gives).
    fn fits_patient(&self, ri: usize, si: usize) -> bool {
        let problem = self.prepared.parts().0;
        let others = self
            .booked_of
            .get(problem.referrals[ri].patient.as_str())
            .map_or(&[][..], Vec::as_slice);
        fits_beside(problem, ri, si, others, &self.holds, &self.first)
    }

    /// The referrals who could take one more booking in `slot`, best first: those for whom
    /// the slot is a candidate, who are not booked in it already, whose patient's other
    /// bookings leave room for it (one patient, one place at a time), and whom booking there would
    /// lower the objective lexicographically (their [`Offer::gain`] is positive in its first
    /// non-zero tier); ties by the policy's turn order. The place is assumed free: the caller
    /// frees it (a cancellation) or adds it (new capacity). An empty list means nobody would
    /// gain.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (option `slot`) when the problem has no such slot.
    pub fn offers(&self, slot: &str) -> Result<Vec<Offer>> {
        let (problem, cands, costs, _) = self.prepared.parts();
        let si = problem
            .slots
            .iter()
            .position(|s| s.id.as_str() == slot)
            .ok_or_else(|| Error::InvalidOption {
                option: "slot",
                reason: format!("the problem has no slot `{slot}`"),
            })?;
        let notice = add_days(problem.planning_date, problem.policy.min_notice_days);
        let short_notice = cands.slot_date[si] < notice;
        let mut offers: Vec<(usize, Offer)> = self
            .by_slot
            .get(&si)
            .into_iter()
            .flatten()
            .filter(|&&(ri, _)| self.holds[ri] != Some(si) && self.fits_patient(ri, si))
            .filter_map(|&(ri, ci)| {
                let there = costs.booked(ri, ci);
                let gain: Vec<i64> = self.present[ri]
                    .iter()
                    .zip(there)
                    .map(|(now, then)| now - then)
                    .collect();
                let better = gain.iter().find(|&&g| g != 0).is_some_and(|&g| g > 0);
                better.then(|| {
                    (
                        ri,
                        Offer {
                            referral: problem.referrals[ri].id.clone(),
                            gain,
                            short_notice,
                            frees: self.holds[ri].map(|h| problem.slots[h].id.clone()),
                        },
                    )
                })
            })
            .collect();
        offers.sort_by(|(a, x), (b, y)| match y.gain.cmp(&x.gain) {
            Ordering::Equal => turn_order(problem, *a).cmp(&turn_order(problem, *b)),
            other => other,
        });
        Ok(offers.into_iter().map(|(_, o)| o).collect())
    }
}
