//! The greedy booker under the baselines and under the solver: each referral in a rule's order
//! takes the first compatible slot (the rules and what "compatible" means are documented in
//! [`crate::baselines`]). The solver starts its MIP components from, and falls back to, the
//! priority-then-FCFS choice made here; [`crate::baselines::book`] turns a choice into a
//! schedule.

use super::{pair_rule, Candidate, Candidates, PairRule};
use crate::model::{Index, Problem};
use crate::rules::running_clock_start;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A way of booking a waiting list without an optimiser.
///
/// Every baseline takes, for each referral in its order, the first compatible slot by its rule
/// (see [`crate::baselines`] for "compatible" and for how pathway steps change the order). Ties not broken by the rule fall to input order: referrals in the order of
/// `Problem::referrals`, slots in the order of `Problem::slots`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// First come, first served: referrals in clock-start order (earliest first), each taking
    /// the compatible slot that starts earliest.
    FirstComeFirstServed,
    /// Priority, then first come, first served: referrals by clinical priority, highest first,
    /// each priority class in clock-start order; each takes the compatible slot that starts
    /// earliest.
    ///
    /// The priority class is the crate's breach weight, `policy.breach_weights.weight(priority,
    /// surgical_priority)` (the larger of the referral-priority and surgical-class weights), the
    /// same weight the objective puts on a breach. With the default weights urgent suspected
    /// cancer (16) comes before urgent (4) before routine (1), and a surgical class ranks by its
    /// own weight (P1a 64, P1b 32, P2 16, P3 4, P4 1): a P2 referral and an urgent suspected
    /// cancer one are one class, in clock-start order. Custom weights reorder the classes.
    PriorityThenFcfs,
    /// Nearest site first: referrals in clock-start order, each taking the earliest compatible
    /// slot at the nearest site (great-circle distance from home, among the sites of its
    /// candidate slots) that still has a compatible slot for it, else at the next nearest, and so
    /// on: a patient waits for a later date at the near site rather than travel to an earlier one.
    /// Sites at equal distance are taken in site input order. A referral without a home location
    /// is booked first come, first served.
    NearestSiteFirst,
}

impl Baseline {
    /// Every baseline, in the order they are usually reported.
    pub const ALL: [Baseline; 3] = [
        Baseline::FirstComeFirstServed,
        Baseline::PriorityThenFcfs,
        Baseline::NearestSiteFirst,
    ];

    /// The baseline's name for people: "first come, first served", "priority, then first come,
    /// first served" or "nearest site first".
    pub fn name(self) -> &'static str {
        match self {
            Baseline::FirstComeFirstServed => "first come, first served",
            Baseline::PriorityThenFcfs => "priority, then first come, first served",
            Baseline::NearestSiteFirst => "nearest site first",
        }
    }

    /// The short id written as [`crate::SolveStats::backend`] of its schedules: `baseline:fcfs`,
    /// `baseline:priority` or `baseline:nearest_site`.
    pub fn backend_id(self) -> &'static str {
        match self {
            Baseline::FirstComeFirstServed => "baseline:fcfs",
            Baseline::PriorityThenFcfs => "baseline:priority",
            Baseline::NearestSiteFirst => "baseline:nearest_site",
        }
    }
}

impl fmt::Display for Baseline {
    /// Writes [`Baseline::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The candidate position `baseline` books for each referral (`None`: unbooked or pinned).
/// The solver uses it as a feasible starting schedule for its MIP components.
pub(crate) fn choose(
    problem: &Problem,
    index: &Index,
    cands: &Candidates,
    baseline: Baseline,
) -> Vec<Option<usize>> {
    let prereqs = prerequisites(problem, index, cands);
    let ranked = ranked(problem, cands, baseline);
    let order = with_prerequisites_first(&ranked, &prereqs);
    greedy(problem, index, cands, &prereqs, &order, baseline)
}

/// Per referral: the earlier pathway steps it waits for, as `(before referral, min gap days)`,
/// for steps whose two referrals are both unpinned (done and pinned steps are already in the
/// candidate rules).
fn prerequisites(problem: &Problem, index: &Index, cands: &Candidates) -> Vec<Vec<(usize, u32)>> {
    let mut out: Vec<Vec<(usize, u32)>> = vec![Vec::new(); problem.referrals.len()];
    for (b, a, gap) in super::unpinned_pathway_steps(problem, index, cands) {
        out[a].push((b, gap));
    }
    out
}

/// The unpinned referrals in the baseline's rank order (before pathway steps are considered).
fn ranked(problem: &Problem, cands: &Candidates, baseline: Baseline) -> Vec<usize> {
    let referrals = &problem.referrals;
    let mut order: Vec<usize> = (0..referrals.len())
        .filter(|&ri| cands.pinned[ri].is_none())
        .collect();
    match baseline {
        Baseline::FirstComeFirstServed | Baseline::NearestSiteFirst => {
            // A stable sort keeps input order among equal clock starts.
            order.sort_by_key(|&ri| running_clock_start(&referrals[ri]));
        }
        Baseline::PriorityThenFcfs => {
            let weights = &problem.policy.breach_weights;
            order.sort_by_key(|&ri| {
                let r = &referrals[ri];
                (
                    std::cmp::Reverse(weights.weight(r.priority, r.surgical_priority)),
                    running_clock_start(r),
                )
            });
        }
    }
    order
}

/// `ranked`, with each referral's unconsidered earlier pathway steps moved to just before it
/// (recursively, each referral's steps in rank order). Pathway steps have no cycles (the problem
/// check refuses them); a cycle would only stop the order from following it.
fn with_prerequisites_first(ranked: &[usize], prereqs: &[Vec<(usize, u32)>]) -> Vec<usize> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut position = vec![usize::MAX; prereqs.len()];
    for (k, &ri) in ranked.iter().enumerate() {
        position[ri] = k;
    }
    // Each referral's earlier steps in rank order; only ranked (unpinned) ones take part.
    let sorted: Vec<Vec<usize>> = prereqs
        .iter()
        .map(|list| {
            let mut before: Vec<usize> = list
                .iter()
                .map(|&(b, _)| b)
                .filter(|&b| position[b] != usize::MAX)
                .collect();
            before.sort_by_key(|&b| position[b]);
            before.dedup();
            before
        })
        .collect();
    let mut state = vec![NEW; prereqs.len()];
    let mut order = Vec::with_capacity(ranked.len());
    // Depth-first, without recursion: (referral, next earlier step to look at).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &root in ranked {
        if state[root] != NEW {
            continue;
        }
        state[root] = OPEN;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let (ri, next) = *top;
            if let Some(&before) = sorted[ri].get(next) {
                top.1 += 1;
                if state[before] == NEW {
                    state[before] = OPEN;
                    stack.push((before, 0));
                }
            } else {
                stack.pop();
                state[ri] = DONE;
                order.push(ri);
            }
        }
    }
    order
}

/// Books the referrals of `order` one by one; returns, per referral, the position in its
/// candidate list of the slot it took (`None` for unbooked and pinned referrals).
fn greedy(
    problem: &Problem,
    index: &Index,
    cands: &Candidates,
    prereqs: &[Vec<(usize, u32)>],
    order: &[usize],
    baseline: Baseline,
) -> Vec<Option<usize>> {
    let referrals = &problem.referrals;
    let slots = &problem.slots;
    let n = referrals.len();
    let mut count = cands.count_left.clone();
    let mut minutes = cands.minutes_left.clone();
    // Slot of every booking so far, pinned ones included.
    let mut booked: Vec<Option<usize>> = cands.pinned.clone();
    let mut chosen: Vec<Option<usize>> = vec![None; n];

    let mut by_patient: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in referrals.iter().enumerate() {
        by_patient.entry(r.patient.as_str()).or_default().push(ri);
    }
    // The booking (referral index) with the first place of each multi-place slot.
    let mut first: BTreeMap<usize, usize> = cands.first_pinned.clone();

    // The first places booking `ri` in `si` needs beside the patient's bookings so far, as
    // (slot, referral); `None` when it cannot be booked there.
    let first_claims = |ri: usize,
                        si: usize,
                        booked: &[Option<usize>],
                        first: &BTreeMap<usize, usize>|
     -> Option<Vec<(usize, usize)>> {
        let siblings = by_patient
            .get(referrals[ri].patient.as_str())
            .map_or(&[][..], Vec::as_slice);
        let mut claims = Vec::new();
        for &rj in siblings.iter().filter(|&&rj| rj != ri) {
            let Some(sj) = booked[rj] else { continue };
            let rule = pair_rule(problem, ri, si, rj, sj);
            if !rule.allows(first) {
                return None;
            }
            if let PairRule::First { slot, referral } = rule {
                if claims.iter().any(|&(s, h)| s == slot && h != referral) {
                    return None;
                }
                claims.push((slot, referral));
            }
        }
        Some(claims)
    };

    for &ri in order {
        let r = &referrals[ri];

        let compatible = |c: &Candidate| -> bool {
            let si = c.slot;
            if count[si] == 0 || minutes[si].is_some_and(|m| m < r.duration_minutes) {
                return false;
            }
            let slot_start = slots[si].start;
            for &(before, gap) in &prereqs[ri] {
                let Some(bsi) = booked[before] else {
                    return false;
                };
                let (_, before_end) =
                    slots[bsi].latest_interval(referrals[before].duration_minutes);
                let gap_ok = (c.date - cands.slot_date[bsi]).num_days() >= i64::from(gap);
                if !gap_ok || slot_start < before_end {
                    return false;
                }
            }
            first_claims(ri, si, &booked, &first).is_some()
        };
        // Earliest start, then slot input order.
        let earliest = |a: &Candidate, b: &Candidate| {
            slots[a.slot]
                .start
                .cmp(&slots[b.slot].start)
                .then(a.slot.cmp(&b.slot))
        };
        let nearest = |a: &Candidate, b: &Candidate| {
            let distance = |c: &Candidate| c.distance_km.unwrap_or(0.0);
            distance(a)
                .total_cmp(&distance(b))
                .then(index.slot_site[a.slot].cmp(&index.slot_site[b.slot]))
                .then_with(|| earliest(a, b))
        };
        let by_site = baseline == Baseline::NearestSiteFirst && r.home.is_some();
        let pick = cands.per_referral[ri]
            .iter()
            .enumerate()
            .filter(|(_, c)| compatible(c))
            .min_by(|(_, a), (_, b)| -> Ordering {
                if by_site {
                    nearest(a, b)
                } else {
                    earliest(a, b)
                }
            });
        if let Some((ci, c)) = pick {
            let si = c.slot;
            for (slot, holder) in first_claims(ri, si, &booked, &first).unwrap_or_default() {
                first.insert(slot, holder);
            }
            count[si] = count[si].saturating_sub(1);
            if let Some(m) = &mut minutes[si] {
                *m = m.saturating_sub(r.duration_minutes);
            }
            booked[ri] = Some(si);
            chosen[ri] = Some(ci);
        }
    }
    chosen
}
