//! The tiered objective: the policy's ordered tiers ([`crate::Objective`]), each a weighted sum
//! of named terms ([`crate::Term`], one function each in `terms`).
//!
//! Every cost is an exact integer. The tiers are strictly ordered: the solver minimises tier 1,
//! then tier 2 among the schedules optimal for tier 1, and so on (lexicographic solves, see
//! [`crate::solve`]), so no amount of a lower tier can buy one unit of a higher one. Each term is
//! a cost on one (referral, appointment date) pair or on leaving the referral unbooked, so a
//! capacity-only component stays a transportation problem whatever the tiers.
//!
//! Travel regret is metres travelled beyond the patient's nearest suitable site (the nearest
//! site among its candidate slots), plus the policy's non-preferred-site penalty when the
//! patient named preferred sites and this is not one; 0 when the home is unknown and for
//! unbooked or pinned referrals.

use super::terms::Measure;
use crate::candidates::Candidates;
use crate::model::{Problem, ReferralId, Term, WeightedTerm};
use crate::rules::running_clock_start;
use chrono::NaiveDate;
use schemars::JsonSchema;
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

/// The value of one term in a schedule, as part of its tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TermValue {
    /// The term.
    pub term: Term,
    /// Its weight in the tier.
    pub weight: u32,
    /// Its value summed over the referrals, before the weight (unit: the term's own, see
    /// [`Term`]).
    pub value: i64,
}

/// The value of one tier in a schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierValue {
    /// The tier's name: its terms joined by `+` ([`crate::Objective::tier_names`]).
    pub tier: String,
    /// The tier's value: the sum of weight × value over its terms.
    pub value: i64,
    /// Each term of the tier.
    pub terms: Vec<TermValue>,
}

/// The value of each tier of the policy's objective for a schedule, tier 1 first.
///
/// JSON: `{"tiers": [{"tier": "clinical_days_late", "value": 12, "terms": [{"term":
/// "clinical_days_late", "weight": 1, "value": 12}]}, ...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveValues {
    /// One entry per tier, in the objective's order.
    pub tiers: Vec<TierValue>,
}

impl ObjectiveValues {
    /// The tiers' values, tier 1 first.
    pub fn values(&self) -> Vec<i64> {
        self.tiers.iter().map(|t| t.value).collect()
    }

    /// The unweighted value of `term` where it first appears in the objective; `None` when the
    /// objective does not use it.
    pub fn term(&self, term: Term) -> Option<i64> {
        self.tiers
            .iter()
            .flat_map(|t| &t.terms)
            .find(|t| t.term == term)
            .map(|t| t.value)
    }
}

/// The tier costs of each option of each referral. Only the *stored* tiers are kept: a tier
/// that costs 0 on every option of every referral tells no schedules apart and takes no memory
/// (the cancer tiers of a list without cancer referrals, say). Stored tier `j` is policy tier
/// `stored[j]`.
#[derive(Clone, Debug)]
pub(crate) struct Costs {
    /// Names of every tier of the policy's objective, first first.
    pub names: Vec<String>,
    /// Policy index of each stored tier, in order.
    pub stored: Vec<usize>,
    /// Per referral, its candidates' stored-tier costs one after another (candidate `ci`'s
    /// stored tier `j` at `ci * tiers + j`; same order as `Candidates::per_referral`).
    booked: Vec<Vec<i64>>,
    /// Stored-tier costs of leaving each referral unbooked (referral `ri`'s stored tier `j` at
    /// `ri * tiers + j`).
    unbooked: Vec<i64>,
    /// Stored-tier costs of each referral's pinned booking (zero when not pinned), laid out as
    /// `unbooked`.
    pinned: Vec<i64>,
}

impl Costs {
    /// Costs with the tiers of `template` and no pinned bookings: `booked[r]` holds referral
    /// `r`'s candidates' stored-tier costs one after another, `unbooked` each referral's.
    pub(crate) fn like(template: &Costs, booked: Vec<Vec<i64>>, unbooked: Vec<i64>) -> Self {
        let pinned = vec![0; unbooked.len()];
        Costs {
            names: template.names.clone(),
            stored: template.stored.clone(),
            booked,
            unbooked,
            pinned,
        }
    }

    /// The number of stored tiers.
    pub(crate) fn tiers(&self) -> usize {
        self.stored.len()
    }

    /// The name of stored tier `j`.
    pub(crate) fn name(&self, j: usize) -> &str {
        &self.names[self.stored[j]]
    }

    /// Stored-tier costs of booking referral `ri` at its candidate `ci`.
    pub(crate) fn booked(&self, ri: usize, ci: usize) -> &[i64] {
        let n = self.tiers();
        &self.booked[ri][ci * n..(ci + 1) * n]
    }

    /// Stored-tier costs of leaving referral `ri` unbooked.
    pub(crate) fn unbooked(&self, ri: usize) -> &[i64] {
        let n = self.tiers();
        &self.unbooked[ri * n..(ri + 1) * n]
    }

    /// Stored-tier costs of referral `ri`'s pinned booking (zero when not pinned).
    pub(crate) fn pinned(&self, ri: usize) -> &[i64] {
        let n = self.tiers();
        &self.pinned[ri * n..(ri + 1) * n]
    }

    /// Stored-tier costs spread over every tier of the policy (0 in the tiers not stored).
    pub(crate) fn expand(&self, stored: &[i64]) -> Vec<i64> {
        let mut all = vec![0; self.names.len()];
        for (&k, &c) in self.stored.iter().zip(stored) {
            all[k] = c;
        }
        all
    }
}

/// Weighted sum of the tier's terms at one option: `wait` gives a date-based term's value,
/// `travel` the travel regret.
fn tier_cost(tier: &[WeightedTerm], wait: impl Fn(Term) -> i64, travel: i64) -> i64 {
    tier.iter().fold(0i64, |sum, t| {
        let v = match t.term {
            Term::TravelRegret => travel,
            term => wait(term),
        };
        sum.saturating_add(i64::from(t.weight).saturating_mul(v))
    })
}

/// Travel regret, in metres, of a booking at `distance_km` for a referral whose nearest suitable
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

/// Costs of every option of every referral under the problem's objective.
pub(crate) fn costs(problem: &Problem, slot_site: &[usize], cands: &Candidates) -> Costs {
    let all_tiers = problem.policy.objective.tiers();
    let names = problem.policy.objective.tier_names();
    let measure = Measure::with_bookings(problem);
    let nearest = nearest_km(cands);
    // Every date-based term is non-decreasing in the date and costs most unbooked (a pinned
    // booking may lie beyond the horizon: it is checked itself), so a tier is 0 on every option
    // of a referral when it is 0 unbooked and pinned and has no travel regret; travel can only
    // be non-zero for a referral with a home or preferred sites.
    let travels = problem
        .referrals
        .iter()
        .any(|r| r.home.is_some() || !r.preferred_sites.is_empty());
    let stored: Vec<usize> = all_tiers
        .iter()
        .enumerate()
        .filter(|(_, tier)| {
            (travels && tier.iter().any(|t| t.term == Term::TravelRegret))
                || (0..problem.referrals.len()).any(|ri| {
                    let pinned = cands.pinned[ri];
                    tier_cost(tier, |t| measure.term_at(t, ri, None, None), 0) != 0
                        || pinned.is_some_and(|si| {
                            let date = Some(cands.slot_date[si]);
                            tier_cost(tier, |t| measure.term_at(t, ri, date, Some(si)), 0) != 0
                        })
                })
        })
        .map(|(k, _)| k)
        .collect();
    // With nothing to tell apart, the first tier still goes to the solvers (all zero), so that
    // every engine returns a schedule.
    let stored = if stored.is_empty() { vec![0] } else { stored };
    let tiers: Vec<&Vec<WeightedTerm>> = stored.iter().map(|&k| &all_tiers[k]).collect();
    let n = tiers.len();
    // Per tier, the total weight of travel regret in it.
    let travel_weight: Vec<i64> = tiers
        .iter()
        .map(|tier| {
            tier.iter()
                .filter(|t| t.term == Term::TravelRegret)
                .map(|t| i64::from(t.weight))
                .sum()
        })
        .collect();
    let any_travel = travel_weight.iter().any(|&w| w > 0);
    let mut booked = Vec::with_capacity(problem.referrals.len());
    let mut unbooked = Vec::with_capacity(problem.referrals.len() * n);
    let mut pinned = Vec::with_capacity(problem.referrals.len() * n);
    for (ri, list) in cands.per_referral.iter().enumerate() {
        let mut flat = Vec::with_capacity(list.len() * n);
        // Candidates come in slot order, so runs of one date are common: the date-based part of
        // each tier is computed once per run.
        let mut last_date: Option<NaiveDate> = None;
        let mut wait = vec![0i64; n];
        // The terms of a confirmed booking depend on the slot itself.
        let has_booking = measure.confirmed[ri].is_some();
        for c in list {
            if last_date != Some(c.date) {
                for (w, tier) in wait.iter_mut().zip(&tiers) {
                    *w = tier_cost(tier, |t| measure.wait_term(t, ri, Some(c.date)), 0);
                }
                last_date = Some(c.date);
            }
            let travel = if any_travel {
                travel_cost(problem, ri, slot_site[c.slot], c.distance_km, nearest[ri])
            } else {
                0
            };
            for ((w, tw), tier) in wait.iter().zip(&travel_weight).zip(&tiers) {
                let by_slot = if has_booking {
                    tier_cost(tier, |t| measure.slot_term(t, ri, Some(c.slot)), 0)
                } else {
                    0
                };
                flat.push(
                    w.saturating_add(tw.saturating_mul(travel))
                        .saturating_add(by_slot),
                );
            }
        }
        booked.push(flat);
        for tier in &tiers {
            unbooked.push(tier_cost(tier, |t| measure.term_at(t, ri, None, None), 0));
        }
        match cands.pinned[ri] {
            Some(si) => {
                let date = Some(cands.slot_date[si]);
                for tier in &tiers {
                    pinned.push(tier_cost(
                        tier,
                        |t| measure.term_at(t, ri, date, Some(si)),
                        0,
                    ));
                }
            }
            None => pinned.extend(std::iter::repeat_n(0, n)),
        }
    }
    Costs {
        names,
        stored,
        booked,
        unbooked,
        pinned,
    }
}

/// Position of `term` in [`Term::ALL`].
fn term_index(term: Term) -> usize {
    Term::ALL.iter().position(|&t| t == term).unwrap_or(0)
}

/// The objective's value, tier by tier and term by term, when each referral `ri` is seen as
/// `seen[ri]` says: `Some((slot, pinned))` booked in that slot (problem index), `None` unbooked.
/// A pinned booking has no travel regret (it is not the optimiser's choice).
pub(crate) fn evaluate(
    problem: &Problem,
    slot_site: &[usize],
    cands: &Candidates,
    seen: &[Option<(usize, bool)>],
) -> ObjectiveValues {
    let tiers = problem.policy.objective.tiers();
    let names = problem.policy.objective.tier_names();
    let measure = Measure::with_bookings(problem);
    let nearest = nearest_km(cands);
    let mut totals = vec![0i64; Term::ALL.len()];
    for (ri, s) in seen.iter().enumerate() {
        let date = s.map(|(si, _)| cands.slot_date[si]);
        for (k, &term) in Term::ALL.iter().enumerate() {
            let v = match (term, s) {
                (Term::TravelRegret, Some((si, false))) => {
                    let distance = cands.per_referral[ri]
                        .iter()
                        .find(|c| c.slot == *si)
                        .and_then(|c| c.distance_km);
                    travel_cost(problem, ri, slot_site[*si], distance, nearest[ri])
                }
                (Term::TravelRegret, _) => 0,
                (term, s) => measure.term_at(term, ri, date, s.map(|(si, _)| si)),
            };
            totals[k] = totals[k].saturating_add(v);
        }
    }
    ObjectiveValues {
        tiers: tiers
            .iter()
            .zip(names)
            .map(|(tier, name)| {
                let terms: Vec<TermValue> = tier
                    .iter()
                    .map(|t| TermValue {
                        term: t.term,
                        weight: t.weight,
                        value: totals[term_index(t.term)],
                    })
                    .collect();
                let value = terms.iter().fold(0i64, |sum, t| {
                    sum.saturating_add(i64::from(t.weight).saturating_mul(t.value))
                });
                TierValue {
                    tier: name,
                    value,
                    terms,
                }
            })
            .collect(),
    }
}
