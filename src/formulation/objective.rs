//! The tiered objective: weighted breaches, then treat in turn, then travel.
//!
//! Every cost is an exact integer. The tiers are strictly ordered: the solver minimises tier 1,
//! then tier 2 among the schedules optimal for tier 1, then tier 3 among those (lexicographic
//! solves, see [`crate::solve`]), so no amount of a lower tier can buy one unit of a higher one.
//!
//! - **Tier 1, weighted breaches.** A referral breaches when it is booked on a date after its
//!   due date ([`crate::rules::due_date`]), or left unbooked while its due date falls inside the
//!   horizon. Each breach costs the referral's priority weight ([`crate::BreachWeights`]).
//! - **Tier 2, treat in turn.** Weight × (days waited at the appointment date)²; an unbooked
//!   referral counts as seen the day after the horizon ends. The square is convex: moving
//!   capacity from a short waiter to a long waiter lowers the sum, so the longest waiters of each
//!   priority are booked first, and each is booked as early as it can be. Unit: weighted day².
//! - **Tier 3, travel.** Regret: metres travelled beyond the patient's nearest suitable site
//!   (the nearest site among its candidate slots), plus the policy's non-preferred-site penalty
//!   when the patient named preferred sites and this is not one. 0 when the home is unknown and
//!   for unbooked or pinned referrals. Unit: metres.

use crate::candidates::Candidates;
use crate::model::{Problem, ReferralId};
use crate::rules::{days_waited, due_date, running_clock_start};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Sort key of referral `ri` among referrals sharing one slot, session or pool of slots: the
/// highest breach weight first, then the longest wait (earliest running clock start), then the
/// referral id. The earlier in this order, the earlier the appointment time it is given.
pub(crate) fn turn_order(problem: &Problem, ri: usize) -> (Reverse<u32>, NaiveDate, &ReferralId) {
    let r = &problem.referrals[ri];
    let weights = &problem.policy.breach_weights;
    (
        Reverse(weights.weight(r.priority, r.surgical_priority)),
        running_clock_start(r),
        &r.id,
    )
}

/// Names of the three tiers, in order, as they appear in errors and reports.
pub const TIER_NAMES: [&str; 3] = ["weighted_breaches", "treat_in_turn", "travel_regret"];

/// The value of each objective tier for a schedule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveValues {
    /// Tier 1: sum of priority weights of breaching referrals.
    pub weighted_breaches: i64,
    /// Tier 2: sum of weight × days waited² (weighted day²).
    pub treat_in_turn: i64,
    /// Tier 3: metres of travel regret plus non-preferred-site penalties.
    pub travel_regret_m: i64,
}

impl ObjectiveValues {
    /// The tiers as an array, tier 1 first.
    pub fn as_array(&self) -> [i64; 3] {
        [
            self.weighted_breaches,
            self.treat_in_turn,
            self.travel_regret_m,
        ]
    }

    /// Values from an array, tier 1 first.
    pub fn from_array(v: [i64; 3]) -> Self {
        Self {
            weighted_breaches: v[0],
            treat_in_turn: v[1],
            travel_regret_m: v[2],
        }
    }
}

/// The three tier costs of each option of each referral.
#[derive(Debug)]
pub(crate) struct Costs {
    /// Per referral, per candidate (same order as `Candidates::per_referral`): tier costs.
    pub booked: Vec<Vec<[i64; 3]>>,
    /// Per referral: tier costs of leaving it unbooked.
    pub unbooked: Vec<[i64; 3]>,
    /// Per referral: tier costs of its pinned booking (zero when not pinned).
    pub pinned: Vec<[i64; 3]>,
}

/// Tier-1 and tier-2 cost of seeing referral `ri` on `date` (or unbooked when `None`).
pub(crate) fn wait_costs(
    problem: &Problem,
    ri: usize,
    date: Option<chrono::NaiveDate>,
) -> [i64; 2] {
    let r = &problem.referrals[ri];
    let weight = i64::from(
        problem
            .policy
            .breach_weights
            .weight(r.priority, r.surgical_priority),
    );
    let due = due_date(r);
    let (breached, days) = match date {
        Some(d) => (d > due, days_waited(running_clock_start(r), d)),
        None => (
            due <= problem.horizon_end,
            days_waited(running_clock_start(r), problem.horizon_end) + 1,
        ),
    };
    let days = days.max(0);
    [
        if breached { weight } else { 0 },
        weight.saturating_mul(days.saturating_mul(days)),
    ]
}

/// Tier-3 cost, in metres, of a booking at `distance_km` for a referral whose nearest suitable
/// site is `nearest_km` away.
pub(crate) fn travel_cost(
    problem: &Problem,
    ri: usize,
    site: usize,
    distance_km: Option<f64>,
    nearest_km: Option<f64>,
) -> i64 {
    let r = &problem.referrals[ri];
    let regret = match (distance_km, nearest_km) {
        (Some(d), Some(n)) => ((d - n).max(0.0) * 1000.0).round() as i64,
        _ => 0,
    };
    let site_id = &problem.sites[site].id;
    let penalty = if !r.preferred_sites.is_empty() && !r.preferred_sites.contains(site_id) {
        (problem.policy.non_preferred_site_km * 1000.0).round() as i64
    } else {
        0
    };
    regret.saturating_add(penalty)
}

/// Nearest candidate distance of each referral, in km.
pub(crate) fn nearest_km(cands: &Candidates) -> Vec<Option<f64>> {
    cands
        .per_referral
        .iter()
        .map(|list| {
            list.iter()
                .filter_map(|c| c.distance_km)
                .min_by(f64::total_cmp)
        })
        .collect()
}

/// Costs of every option of every referral.
pub(crate) fn costs(problem: &Problem, slot_site: &[usize], cands: &Candidates) -> Costs {
    let nearest = nearest_km(cands);
    let mut booked = Vec::with_capacity(problem.referrals.len());
    let mut unbooked = Vec::with_capacity(problem.referrals.len());
    let mut pinned = Vec::with_capacity(problem.referrals.len());
    for (ri, list) in cands.per_referral.iter().enumerate() {
        booked.push(
            list.iter()
                .map(|c| {
                    let [t1, t2] = wait_costs(problem, ri, Some(c.date));
                    let t3 =
                        travel_cost(problem, ri, slot_site[c.slot], c.distance_km, nearest[ri]);
                    [t1, t2, t3]
                })
                .collect(),
        );
        let [u1, u2] = wait_costs(problem, ri, None);
        unbooked.push([u1, u2, 0]);
        pinned.push(match cands.pinned[ri] {
            Some(si) => {
                let [t1, t2] = wait_costs(problem, ri, Some(cands.slot_date[si]));
                [t1, t2, 0]
            }
            None => [0; 3],
        });
    }
    Costs {
        booked,
        unbooked,
        pinned,
    }
}
