//! Slot pooling: interchangeable slots of a capacity-only component become one bucket.
//!
//! Slots at one site, for one service, on one NHS date, of one length, with the same own
//! capabilities and minutes capacity are *interchangeable* when, besides, every referral of
//! the component that may use one of them may use all of them at the same tier costs (the
//! candidate rules that look at times, such as a clash with a pinned booking or the slot of
//! an unpinned existing booking inside the notice period, can tell them apart; such a group is
//! left unpooled). A pooled group is one node of the network with the group's total count, and
//! one arc per referral instead of one per slot. Pooling changes no objective value: costs
//! depend only on the referral, the site and the date, so a flow into a bucket costs what the
//! same flow spread over its slots costs, and any spread within the counts is feasible.
//!
//! After the solve each bucket's referrals are given times by a documented, deterministic rule
//! ([`Pooled::expand`]): the highest breach weight first, then the longest wait (earliest
//! running clock start), then referral id, take the slots in time order (start, then slot id),
//! each slot up to its count.

use crate::candidates::{Candidate, Candidates, Component, Exclusions};
use crate::formulation::{turn_order, Costs};
use crate::model::{Capability, Problem, Service, SiteId};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// What makes slots look alike; interchangeability is then checked referral by referral.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key<'p> {
    site: &'p SiteId,
    service: &'p Service,
    date: NaiveDate,
    minutes: i64,
    capabilities: &'p BTreeSet<Capability>,
    minutes_capacity: Option<u32>,
}

/// A capacity-only component with its interchangeable slots pooled, ready for the network
/// simplex: referrals `0..k` (the component's, in order) and buckets `0..b` stand in for the
/// component's referrals and slots.
pub(crate) struct Pooled {
    /// Candidates of the pooled referrals: `slot` is a bucket index.
    pub cands: Candidates,
    /// Tier costs of the pooled candidates.
    pub costs: Costs,
    /// The pooled component.
    pub comp: Component,
    /// Per bucket, its slots (problem indices) in time order: start, then slot id.
    buckets: Vec<Vec<usize>>,
    /// Per pooled referral, per pooled candidate: the original candidate position (for a
    /// bucket of one slot, the only one; for a pooled bucket, the first).
    original: Vec<Vec<usize>>,
}

/// Pools `comp`, a capacity-only component, or returns `None` when no two of its slots are
/// interchangeable.
pub(crate) fn pool(
    problem: &Problem,
    cands: &Candidates,
    costs: &Costs,
    comp: &Component,
) -> Option<Pooled> {
    let mut groups: BTreeMap<Key<'_>, Vec<usize>> = BTreeMap::new();
    for &s in &comp.slots {
        let slot = &problem.slots[s];
        let key = Key {
            site: &slot.site,
            service: &slot.service,
            date: cands.slot_date[s],
            minutes: slot.duration_minutes(),
            capabilities: &slot.capabilities,
            minutes_capacity: slot.minutes_capacity,
        };
        groups.entry(key).or_default().push(s);
    }
    let mut group_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for slots in groups.into_values().filter(|g| g.len() > 1) {
        for &s in &slots {
            group_of.insert(s, members.len());
        }
        members.push(slots);
    }
    if members.is_empty() {
        return None;
    }

    // A group is interchangeable when each referral uses none or all of its slots, at one cost.
    let mut usable = vec![true; members.len()];
    for &ri in &comp.referrals {
        let mut seen: BTreeMap<usize, (usize, &[i64])> = BTreeMap::new();
        for (ci, c) in cands.per_referral[ri].iter().enumerate() {
            if let Some(&g) = group_of.get(&c.slot) {
                let cost = costs.booked(ri, ci);
                let entry = seen.entry(g).or_insert((0, cost));
                entry.0 += 1;
                if entry.1 != cost {
                    usable[g] = false;
                }
            }
        }
        for (g, (count, _)) in seen {
            if count != members[g].len() {
                usable[g] = false;
            }
        }
    }
    if !usable.iter().any(|&u| u) {
        return None;
    }

    // Buckets in the order of the component's slots: a pooled group where its first slot
    // stands, every other slot on its own.
    let mut bucket_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut buckets: Vec<Vec<usize>> = Vec::new();
    for &s in &comp.slots {
        if bucket_of.contains_key(&s) {
            continue;
        }
        let slots = match group_of.get(&s) {
            Some(&g) if usable[g] => {
                let mut slots = members[g].clone();
                slots.sort_by(|&a, &b| {
                    let (sa, sb) = (&problem.slots[a], &problem.slots[b]);
                    sa.start.cmp(&sb.start).then(sa.id.cmp(&sb.id))
                });
                slots
            }
            _ => vec![s],
        };
        for &member in &slots {
            bucket_of.insert(member, buckets.len());
        }
        buckets.push(slots);
    }

    let k = comp.referrals.len();
    let mut per_referral = Vec::with_capacity(k);
    let mut booked = Vec::with_capacity(k);
    let mut original = Vec::with_capacity(k);
    for &ri in &comp.referrals {
        let mut list: Vec<Candidate> = Vec::new();
        let mut list_costs = Vec::new();
        let mut positions = Vec::new();
        let mut taken = BTreeSet::new();
        for (ci, c) in cands.per_referral[ri].iter().enumerate() {
            let b = bucket_of.get(&c.slot).copied().unwrap_or(usize::MAX);
            if taken.insert(b) {
                list.push(Candidate {
                    slot: b,
                    date: c.date,
                    distance_km: c.distance_km,
                });
                list_costs.extend_from_slice(costs.booked(ri, ci));
                positions.push(ci);
            }
        }
        per_referral.push(list);
        booked.push(list_costs);
        original.push(positions);
    }
    let count_left = buckets
        .iter()
        .map(|slots| {
            slots
                .iter()
                .fold(0u32, |sum, &s| sum.saturating_add(cands.count_left[s]))
        })
        .collect();
    let unbooked = comp
        .referrals
        .iter()
        .flat_map(|&ri| costs.unbooked(ri).iter().copied())
        .collect();
    Some(Pooled {
        cands: Candidates {
            per_referral,
            exclusions: vec![Exclusions::default(); k],
            pinned: vec![None; k],
            slot_date: buckets.iter().map(|s| cands.slot_date[s[0]]).collect(),
            count_left,
            minutes_left: vec![None; buckets.len()],
            first_pinned: BTreeMap::new(),
            short_notice: vec![Vec::new(); k],
        },
        costs: Costs::like(costs, booked, unbooked),
        comp: Component {
            referrals: (0..k).collect(),
            slots: (0..buckets.len()).collect(),
            pathway: Vec::new(),
            overlaps: Vec::new(),
            first_places: Vec::new(),
            minutes_slots: Vec::new(),
        },
        buckets,
        original,
    })
}

impl Pooled {
    /// The slots (problem indices) of bucket `b`, in time order.
    pub(crate) fn bucket(&self, b: usize) -> &[usize] {
        &self.buckets[b]
    }

    /// Turns the pooled choice (pooled referral, pooled candidate) back into the component's
    /// referrals and candidate positions. In a pooled bucket the referrals are ordered by
    /// breach weight (highest first), running clock start (earliest first) and referral id,
    /// and fill the bucket's slots in time order, each up to its count left.
    pub(crate) fn expand(
        &self,
        problem: &Problem,
        cands: &Candidates,
        comp: &Component,
        picks: &[(usize, Option<usize>)],
    ) -> Vec<(usize, Option<usize>)> {
        let mut out: Vec<(usize, Option<usize>)> =
            comp.referrals.iter().map(|&ri| (ri, None)).collect();
        let mut by_bucket: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(j, pc) in picks {
            let Some(pc) = pc else { continue };
            let bucket = self.cands.per_referral[j][pc].slot;
            if self.buckets[bucket].len() == 1 {
                out[j].1 = Some(self.original[j][pc]);
            } else {
                by_bucket.entry(bucket).or_default().push(j);
            }
        }
        for (bucket, mut referrals) in by_bucket {
            referrals.sort_by_key(|&j| turn_order(problem, comp.referrals[j]));
            let mut slots = self.buckets[bucket]
                .iter()
                .flat_map(|&s| std::iter::repeat_n(s, cands.count_left[s] as usize));
            for j in referrals {
                let ri = comp.referrals[j];
                let Some(s) = slots.next() else { break };
                out[j].1 = cands.per_referral[ri].iter().position(|c| c.slot == s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::costs;

    /// Three MRI slots at one site on one day (capacity 1, 2, 1), one on the next day, and a
    /// referral whose pinned booking clashes with the 09:00 slot.
    const JSON: &str = r#"{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
                 "location": {"latitude": 52.0, "longitude": -1.0}}],
      "slots": [
        {"id": "A-1000", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T10:30:00Z"},
        {"id": "A-0900", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z", "capacity": 2},
        {"id": "A-1100", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-03T11:00:00Z", "end": "2026-12-03T11:30:00Z"},
        {"id": "B-0900", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-04T09:00:00Z", "end": "2026-12-04T09:30:00Z"}
      ],
      "referrals": [
        {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-20",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "R2", "patient": "P2", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-10",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "priority": "urgent"}
      ]
    }"#;

    fn pooled(json: &str) -> (Problem, Candidates, Vec<Component>, Option<Pooled>) {
        let problem = Problem::from_json(json).unwrap();
        let index = problem.index().unwrap();
        let cands = crate::candidates::build(&problem, &index);
        let costs = costs(&problem, &index.slot_site, &cands);
        let comps = crate::candidates::components(&problem, &index, &cands);
        let pooled = pool(&problem, &cands, &costs, &comps[0]);
        (problem, cands, comps, pooled)
    }

    #[test]
    fn same_day_slots_become_one_bucket_with_their_total_count() {
        let (_, _, comps, pooled) = pooled(JSON);
        assert_eq!(comps.len(), 1);
        let p = pooled.unwrap();
        // Slots 0, 1, 2 (3 December) pool, in time order 09:00, 10:00, 11:00; slot 3 stays.
        assert_eq!(p.buckets, vec![vec![1, 0, 2], vec![3]]);
        assert_eq!(p.cands.count_left, vec![4, 1]);
        // Each referral has one arc per bucket instead of one per slot.
        for list in &p.cands.per_referral {
            assert_eq!(list.iter().map(|c| c.slot).collect::<Vec<_>>(), vec![0, 1]);
        }
        assert_eq!(p.original, vec![vec![0, 3], vec![0, 3], vec![0, 3]]);
    }

    #[test]
    fn expanding_gives_the_earliest_times_to_the_highest_weight_then_the_longest_wait() {
        let (problem, cands, comps, pooled) = pooled(JSON);
        let p = pooled.unwrap();
        // All three in the pooled bucket: R3 (urgent) takes 09:00, then R2 (waited since
        // 1 November) the second place at 09:00, then R1 10:00.
        let picks = vec![(0, Some(0)), (1, Some(0)), (2, Some(0))];
        let out = p.expand(&problem, &cands, &comps[0], &picks);
        let slot = |(ri, ci): (usize, Option<usize>)| {
            ci.map(|ci| problem.slots[cands.per_referral[ri][ci].slot].id.0.clone())
        };
        let slots: Vec<Option<String>> = out.into_iter().map(slot).collect();
        assert_eq!(
            slots,
            vec![
                Some("A-1000".to_owned()),
                Some("A-0900".to_owned()),
                Some("A-0900".to_owned())
            ]
        );
        // R1 on the next day's bucket of one slot, the others unbooked.
        let out = p.expand(
            &problem,
            &cands,
            &comps[0],
            &[(0, Some(1)), (1, None), (2, None)],
        );
        let slots: Vec<Option<String>> = out.into_iter().map(slot).collect();
        assert_eq!(slots, vec![Some("B-0900".to_owned()), None, None]);
    }

    #[test]
    fn a_group_one_referral_can_only_partly_use_is_not_pooled() {
        // R1 is pinned elsewhere at 10:00 on 3 December (a CT slot of the same patient), so
        // A-1000 clashes for P1's other referral: the 3 December group is not interchangeable.
        let json = JSON
            .replace(
                r#"{"id": "B-0900""#,
                r#"{"id": "CT", "site": "S", "service": {"diagnostic": "ct"},
         "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T10:30:00Z"},
        {"id": "B-0900""#,
            )
            .replace(
                r#""priority": "urgent"}"#,
                r#""priority": "urgent"},
        {"id": "R4", "patient": "P1", "service": {"diagnostic": "ct"}, "clock_start": "2026-11-20",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30,
         "existing_booking": {"slot": "CT", "pinned": true}}"#,
            );
        let (_, _, comps, pooled) = pooled(&json);
        assert_eq!(comps.len(), 1);
        assert!(pooled.is_none());
    }
}
