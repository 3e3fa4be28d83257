//! Independent components: referrals and slots that share no candidate, no pathway step and no
//! patient are solved apart.

use super::{Candidates, PairRule};
use crate::model::{Index, Problem};
use petgraph::unionfind::UnionFind;
use std::collections::BTreeMap;

/// A candidate, named by referral index and its position in that referral's candidate list.
pub(crate) type CandidateRef = (usize, usize);

/// One independent part of the problem.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// Referral indices (unpinned), ascending.
    pub referrals: Vec<usize>,
    /// Slot indices used by its candidates, ascending.
    pub slots: Vec<usize>,
    /// Pathway orders between its referrals: (before, after, minimum gap in days).
    pub pathway: Vec<(usize, usize, u32)>,
    /// Pairs of candidates of one patient whose times may overlap: at most one may be chosen.
    pub overlaps: Vec<(CandidateRef, CandidateRef)>,
    /// Sets of candidates of which at most all but one may be chosen: chosen together, two
    /// referrals would each need the first place of one multi-place slot.
    pub first_places: Vec<Vec<CandidateRef>>,
    /// Slots whose minutes capacity can bind (the longest appointments that could fill the
    /// count would not fit in the minutes).
    pub minutes_slots: Vec<usize>,
}

impl Component {
    /// True when only slot counts and "each referral at most once" constrain it: a
    /// transportation problem, whose LP is integral.
    pub fn is_capacity_only(&self) -> bool {
        self.pathway.is_empty()
            && self.overlaps.is_empty()
            && self.first_places.is_empty()
            && self.minutes_slots.is_empty()
    }
}

/// Splits the problem into independent components, ordered by their first referral.
pub(crate) fn components(problem: &Problem, index: &Index, cands: &Candidates) -> Vec<Component> {
    let n_ref = problem.referrals.len();
    let mut uf = UnionFind::<usize>::new(n_ref + problem.slots.len());
    let mut linked = vec![false; n_ref];
    for (ri, list) in cands.per_referral.iter().enumerate() {
        for c in list {
            uf.union(ri, n_ref + c.slot);
        }
    }

    // A later step without candidates stays unbooked whatever its earlier step does.
    let pathway: Vec<_> = super::unpinned_pathway_steps(problem, index, cands)
        .into_iter()
        .filter(|&(_, a, _)| !cands.per_referral[a].is_empty())
        .collect();
    for &(b, a, _) in &pathway {
        uf.union(a, b);
        linked[a] = true;
        linked[b] = true;
    }

    let (overlaps, first_places) = overlap_rows(problem, cands);
    for &((r1, _), (r2, _)) in &overlaps {
        uf.union(r1, r2);
    }
    for set in &first_places {
        for pair in set.windows(2) {
            uf.union(pair[0].0, pair[1].0);
        }
    }

    let minutes_binding = binding_minutes(problem, cands);

    let mut by_root: BTreeMap<usize, Component> = BTreeMap::new();
    let mut root_of = vec![usize::MAX; n_ref];
    for ri in 0..n_ref {
        if cands.pinned[ri].is_some() || (cands.per_referral[ri].is_empty() && !linked[ri]) {
            continue;
        }
        let root = uf.find(ri);
        root_of[ri] = root;
        by_root
            .entry(root)
            .or_insert_with(|| Component {
                referrals: Vec::new(),
                slots: Vec::new(),
                pathway: Vec::new(),
                overlaps: Vec::new(),
                first_places: Vec::new(),
                minutes_slots: Vec::new(),
            })
            .referrals
            .push(ri);
    }
    for comp in by_root.values_mut() {
        let mut slots: Vec<usize> = comp
            .referrals
            .iter()
            .flat_map(|&ri| cands.per_referral[ri].iter().map(|c| c.slot))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        comp.minutes_slots = slots
            .iter()
            .copied()
            .filter(|&s| minutes_binding[s])
            .collect();
        comp.slots = slots;
    }
    for (b, a, gap) in pathway {
        if let Some(c) = by_root.get_mut(&root_of[a]) {
            c.pathway.push((b, a, gap));
        }
    }
    for pair in overlaps {
        if let Some(c) = by_root.get_mut(&root_of[pair.0 .0]) {
            c.overlaps.push(pair);
        }
    }
    for set in first_places {
        if let Some(c) = by_root.get_mut(&root_of[set[0].0]) {
            c.first_places.push(set);
        }
    }
    let mut out: Vec<Component> = by_root.into_values().collect();
    out.sort_by_key(|c| c.referrals[0]);
    out
}

/// The one-patient-one-place rows of the problem: pairs of candidates of one patient that may
/// overlap however they are placed ([`PairRule::Exclusive`], or a first place a pinned booking
/// already has), and sets of candidates at most all but one of which may be chosen, where two
/// referrals would each need the first place of one slot ([`PairRule::First`]).
#[allow(clippy::type_complexity)]
fn overlap_rows(
    problem: &Problem,
    cands: &Candidates,
) -> (Vec<(CandidateRef, CandidateRef)>, Vec<Vec<CandidateRef>>) {
    let mut by_patient: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in problem.referrals.iter().enumerate() {
        if cands.pinned[ri].is_some() || !cands.per_referral[ri].is_empty() {
            by_patient.entry(r.patient.as_str()).or_default().push(ri);
        }
    }
    let mut pairs = Vec::new();
    // Per slot: (referral that needs its first place, the candidates that need it chosen).
    let mut needs: BTreeMap<usize, Vec<(usize, Vec<CandidateRef>)>> = BTreeMap::new();
    for referrals in by_patient.values().filter(|v| v.len() > 1) {
        // (latest interval, referral, candidate position or None when pinned, slot).
        let mut items = Vec::new();
        for &ri in referrals {
            let duration = problem.referrals[ri].duration_minutes;
            let mut push = |ci: Option<usize>, si: usize| {
                let (start, end) = problem.slots[si].latest_interval(duration);
                items.push((start, end, ri, ci, si));
            };
            match cands.pinned[ri] {
                Some(si) => push(None, si),
                None => {
                    for (ci, c) in cands.per_referral[ri].iter().enumerate() {
                        push(Some(ci), c.slot);
                    }
                }
            }
        }
        items.sort();
        for (i, &(_, end, ri, ci, si)) in items.iter().enumerate() {
            for &(start2, _, rj, cj, sj) in &items[i + 1..] {
                if start2 >= end {
                    break;
                }
                if ri == rj || (ci.is_none() && cj.is_none()) {
                    continue;
                }
                let chosen: Vec<CandidateRef> = [(ri, ci), (rj, cj)]
                    .into_iter()
                    .filter_map(|(r, c)| c.map(|c| (r, c)))
                    .collect();
                let rule = super::pair_rule(problem, ri, si, rj, sj);
                if let PairRule::First { slot, referral } = rule {
                    if !cands.first_pinned.contains_key(&slot) {
                        needs.entry(slot).or_default().push((referral, chosen));
                        continue;
                    }
                }
                // Never both, or a first place a pinned booking has (candidate generation kept
                // only pairs of two candidates then).
                if !rule.allows(&cands.first_pinned) {
                    if let [a, b] = chosen[..] {
                        pairs.push((a.min(b), a.max(b)));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut sets = Vec::new();
    for list in needs.values() {
        for (i, (ra, va)) in list.iter().enumerate() {
            for (rb, vb) in &list[i + 1..] {
                if ra != rb {
                    let mut set: Vec<CandidateRef> = va.iter().chain(vb).copied().collect();
                    set.sort_unstable();
                    set.dedup();
                    sets.push(set);
                }
            }
        }
    }
    sets.sort();
    sets.dedup();
    (pairs, sets)
}

/// For each slot, whether its minutes capacity can bind: the longest appointments that could
/// fill its remaining count add up to more than its remaining minutes.
fn binding_minutes(problem: &Problem, cands: &Candidates) -> Vec<bool> {
    let mut durations: Vec<Vec<u32>> = vec![Vec::new(); problem.slots.len()];
    for (ri, list) in cands.per_referral.iter().enumerate() {
        for c in list {
            durations[c.slot].push(problem.referrals[ri].duration_minutes);
        }
    }
    durations
        .into_iter()
        .enumerate()
        .map(|(si, mut d)| match cands.minutes_left[si] {
            None => false,
            Some(minutes) => {
                d.sort_unstable_by(|a, b| b.cmp(a));
                let fill: u64 = d
                    .iter()
                    .take(cands.count_left[si] as usize)
                    .map(|&m| u64::from(m))
                    .sum();
                fill > u64::from(minutes)
            }
        })
        .collect()
}
