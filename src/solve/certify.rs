//! Unavoidable-breach certificates: for each tier of the policy that counts breaches or long
//! waits, groups of referrals that provably cannot all be seen in time, whatever is booked.
//!
//! A referral is *at risk* in a tier when leaving it unbooked costs something there, and *in
//! time* on a date when seeing it then costs nothing there; every such term is non-decreasing in
//! the date, so it is in time exactly on the dates up to its `in_time_by` date. A group of `k`
//! at-risk referrals whose candidate slots on or before those dates hold `j < k` places in all
//! (Hall's condition fails) has at least `k - j` referrals that no schedule sees in time: the
//! group's shortfall. The groups come from a maximum flow of the in-time candidates (source to
//! each referral, capacity 1; referral to each in-time candidate slot; slot to sink, its places
//! left after pinned bookings): the referrals and slots on the source side of its minimum cut,
//! split into connected groups. Their shortfalls add up to the maximum flow's deficiency, the
//! fewest at-risk referrals any schedule leaves out of time under capacity alone. The other
//! rules of a component (minutes, one patient's overlapping slots, pathway order) only make
//! things worse, so a certificate holds for MIP components too; what it does not prove there is
//! that the solver's schedule meets the bound.
//!
//! Left out, to keep every certificate checkable by the validator from the single-booking
//! rules alone: pinned referrals, referrals in a pathway step, and referrals of a patient with
//! a pinned booking (their candidates also depend on other bookings). Leaving referrals out can
//! only weaken the bound, never make a certificate false.

use super::graph::FlowGraph;
use super::max_flow::max_flow;
use crate::candidates::Candidates;
use crate::formulation::terms::Measure;
use crate::model::{Prerequisite, Problem, Term};
use crate::rules::add_days;
use crate::schedule::Certificate;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Whether a term counts a breach or a long wait: a date-based term that is zero up to a date
/// and positive after it (not treat in turn, travel, or the terms of confirmed bookings).
fn counts_breaches(term: Term) -> bool {
    !matches!(
        term,
        Term::CancelledConfirmed | Term::Disruption | Term::TreatInTurn | Term::TravelRegret
    )
}

/// The certificates of every tier of `problem`'s objective made only of terms that count
/// breaches or long waits, tier by tier in the objective's order, within a tier by shortfall
/// (largest first), then by their first referral's input position.
pub(crate) fn certificates(problem: &Problem, cands: &Candidates) -> Vec<Certificate> {
    let measure = Measure::with_bookings(problem);
    let tiers = problem.policy.objective.tiers();
    let names = problem.policy.objective.tier_names();
    let excluded = excluded(problem, cands);
    let mut out = Vec::new();
    for (tier, name) in tiers.iter().zip(&names) {
        if tier.is_empty() || !tier.iter().all(|t| counts_breaches(t.term)) {
            continue;
        }
        let cost = |ri: usize, date: Option<NaiveDate>| -> i64 {
            tier.iter()
                .map(|t| i64::from(t.weight).saturating_mul(measure.wait_term(t.term, ri, date)))
                .fold(0i64, i64::saturating_add)
        };
        // At-risk referrals and the last date each is in time.
        let mut at_risk: Vec<(usize, Option<NaiveDate>)> = Vec::new();
        for (ri, &left_out) in excluded.iter().enumerate() {
            if left_out || cost(ri, None) == 0 {
                continue;
            }
            at_risk.push((ri, in_time_by(problem, |d| cost(ri, Some(d)) == 0)));
        }
        out.extend(tier_certificates(problem, cands, name, &at_risk));
    }
    out
}

/// Referrals left out of the certificates (see the module documentation).
fn excluded(problem: &Problem, cands: &Candidates) -> Vec<bool> {
    let mut out: Vec<bool> = cands.pinned.iter().map(Option::is_some).collect();
    let index = |id: &str| problem.referrals.iter().position(|r| r.id.as_str() == id);
    for step in &problem.pathway_steps {
        if let Some(ri) = index(step.after.as_str()) {
            out[ri] = true;
        }
        if let Prerequisite::Referral(before) = &step.before {
            if let Some(ri) = index(before.as_str()) {
                out[ri] = true;
            }
        }
    }
    let pinned_patients: BTreeSet<&str> = problem
        .referrals
        .iter()
        .zip(&cands.pinned)
        .filter(|(_, p)| p.is_some())
        .map(|(r, _)| r.patient.as_str())
        .collect();
    for (ri, r) in problem.referrals.iter().enumerate() {
        if pinned_patients.contains(r.patient.as_str()) {
            out[ri] = true;
        }
    }
    out
}

/// The last date of the horizon on which `free` holds, for a `free` that holds up to some date
/// and not after (the tier's cost is non-decreasing in the date); `None` when it does not hold
/// on the planning date.
fn in_time_by(problem: &Problem, free: impl Fn(NaiveDate) -> bool) -> Option<NaiveDate> {
    let (mut lo, mut hi) = (problem.planning_date, problem.horizon_end);
    if !free(lo) {
        return None;
    }
    if free(hi) {
        return Some(hi);
    }
    // free(lo) and not free(hi).
    while (hi - lo).num_days() > 1 {
        let mid = add_days(lo, ((hi - lo).num_days() / 2) as u32);
        if free(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// The most of `referrals` a slot with `count` places and `minutes` minutes left (a session)
/// can take: every place, or in a session as many of their appointments as fit, shortest
/// first.
fn fits(problem: &Problem, count: u32, minutes: Option<u32>, referrals: &[usize]) -> u32 {
    let Some(minutes) = minutes else {
        return count;
    };
    let mut lengths: Vec<u32> = referrals
        .iter()
        .map(|&ri| problem.referrals[ri].duration_minutes)
        .collect();
    lengths.sort_unstable();
    let mut used = 0u32;
    let mut n = 0u32;
    for l in lengths {
        if n == count || used.saturating_add(l) > minutes {
            break;
        }
        used += l;
        n += 1;
    }
    n
}

/// One tier's certificates from its at-risk referrals and their in-time dates.
fn tier_certificates(
    problem: &Problem,
    cands: &Candidates,
    tier: &str,
    at_risk: &[(usize, Option<NaiveDate>)],
) -> Vec<Certificate> {
    // In-time candidate slots of each at-risk referral (problem slot indices, with places left).
    let in_time: Vec<Vec<usize>> = at_risk
        .iter()
        .map(|&(ri, by)| match by {
            None => Vec::new(),
            Some(by) => {
                let mut slots: Vec<usize> = cands.per_referral[ri]
                    .iter()
                    .filter(|c| c.date <= by && cands.count_left[c.slot] > 0)
                    .map(|c| c.slot)
                    .collect();
                slots.sort_unstable();
                slots.dedup();
                slots
            }
        })
        .collect();
    // Nodes: source 0, referrals 1..=k, the slots used, sink last.
    let mut slot_node: Vec<Option<usize>> = vec![None; problem.slots.len()];
    let mut slots_used: Vec<usize> = Vec::new();
    let k = at_risk.len();
    for list in &in_time {
        for &si in list {
            if slot_node[si].is_none() {
                slot_node[si] = Some(1 + k + slots_used.len());
                slots_used.push(si);
            }
        }
    }
    let sink = 1 + k + slots_used.len();
    let edges: usize = in_time.iter().map(Vec::len).sum();
    let mut g = FlowGraph::with_capacity(sink + 1, k + edges + slots_used.len());
    for (a, list) in in_time.iter().enumerate() {
        g.add_arc(0, 1 + a, 1, 0);
        for &si in list {
            g.add_arc(1 + a, slot_node[si].unwrap_or(sink), 1, 0);
        }
    }
    // A slot's capacity: its places left, and in a session no more of the at-risk referrals
    // that can use it in time than its minutes left hold, shortest first.
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); slots_used.len()];
    for (a, list) in in_time.iter().enumerate() {
        for &si in list {
            if let Some(node) = slot_node[si] {
                users[node - 1 - k].push(at_risk[a].0);
            }
        }
    }
    let places = |si: usize, users: &[usize]| -> u32 {
        fits(problem, cands.count_left[si], cands.minutes_left[si], users)
    };
    for (u, &si) in slots_used.iter().enumerate() {
        g.add_arc(
            slot_node[si].unwrap_or(sink),
            sink,
            i64::from(places(si, &users[u])),
            0,
        );
    }
    let flow = max_flow(&g, 0, sink);
    if flow.value == k as i64 {
        return Vec::new();
    }

    // Connected groups of the source side, through in-time edges (union-find).
    let mut parent: Vec<usize> = (0..=sink).collect();
    fn root(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    for (a, list) in in_time.iter().enumerate() {
        if !flow.source_side[1 + a] {
            continue;
        }
        for &si in list {
            let node = slot_node[si].unwrap_or(sink);
            if flow.source_side[node] {
                let (x, y) = (root(&mut parent, 1 + a), root(&mut parent, node));
                parent[x.max(y)] = x.min(y);
            }
        }
    }
    // Groups by their root; referrals without an in-time slot all go in one group.
    let mut groups: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for (a, list) in in_time.iter().enumerate() {
        if !flow.source_side[1 + a] {
            continue;
        }
        let key = if list.is_empty() {
            usize::MAX
        } else {
            root(&mut parent, 1 + a)
        };
        groups.entry(key).or_default().0.push(a);
    }
    for &si in &slots_used {
        let node = slot_node[si].unwrap_or(sink);
        if flow.source_side[node] {
            let key = root(&mut parent, node);
            groups.entry(key).or_default().1.push(si);
        }
    }
    let mut out: Vec<(usize, Certificate)> = groups
        .into_values()
        .filter_map(|(members, mut slots)| {
            slots.sort_unstable();
            // Places counted for the group's own referrals: a session's minutes hold no more of
            // them than of all the at-risk referrals the flow counted, so the shortfall is at
            // least the flow's deficiency in the group.
            let group: BTreeSet<usize> = members.iter().map(|&a| at_risk[a].0).collect();
            let places: u32 = slots
                .iter()
                .map(|&si| {
                    let u = slot_node[si].map_or(0, |node| node - 1 - k);
                    let own: Vec<usize> = users[u]
                        .iter()
                        .copied()
                        .filter(|ri| group.contains(ri))
                        .collect();
                    places(si, &own)
                })
                .sum();
            let shortfall = (members.len() as u32).checked_sub(places)?;
            if shortfall == 0 {
                return None;
            }
            let first = at_risk[*members.first()?].0;
            Some((
                first,
                Certificate {
                    tier: tier.to_owned(),
                    referrals: members
                        .iter()
                        .map(|&a| problem.referrals[at_risk[a].0].id.clone())
                        .collect(),
                    in_time_by: members.iter().map(|&a| at_risk[a].1).collect(),
                    slots: slots
                        .iter()
                        .map(|&si| problem.slots[si].id.clone())
                        .collect(),
                    places,
                    shortfall,
                },
            ))
        })
        .collect();
    out.sort_by(|(fa, a), (fb, b)| b.shortfall.cmp(&a.shortfall).then(fa.cmp(fb)));
    out.into_iter().map(|(_, c)| c).collect()
}
