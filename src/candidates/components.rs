//! Independent components: referrals and slots that share no candidate, no pathway step and no
//! patient are solved apart.

use super::Candidates;
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
    /// Pairs of candidates of one patient whose times overlap: at most one may be chosen.
    pub overlaps: Vec<(CandidateRef, CandidateRef)>,
    /// Slots whose minutes capacity can bind (the longest appointments that could fill the
    /// count would not fit in the minutes).
    pub minutes_slots: Vec<usize>,
}

impl Component {
    /// True when only slot counts and "each referral at most once" constrain it: a
    /// transportation problem, whose LP is integral.
    pub fn is_capacity_only(&self) -> bool {
        self.pathway.is_empty() && self.overlaps.is_empty() && self.minutes_slots.is_empty()
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

    let overlaps = overlap_pairs(problem, cands);
    for &((r1, _), (r2, _)) in &overlaps {
        uf.union(r1, r2);
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
    let mut out: Vec<Component> = by_root.into_values().collect();
    out.sort_by_key(|c| c.referrals[0]);
    out
}

/// Pairs of candidates of different referrals of one patient that overlap in time.
fn overlap_pairs(problem: &Problem, cands: &Candidates) -> Vec<(CandidateRef, CandidateRef)> {
    let mut by_patient: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (ri, r) in problem.referrals.iter().enumerate() {
        if cands.pinned[ri].is_none() && !cands.per_referral[ri].is_empty() {
            by_patient.entry(r.patient.as_str()).or_default().push(ri);
        }
    }
    let mut pairs = Vec::new();
    for referrals in by_patient.values().filter(|v| v.len() > 1) {
        let mut items = Vec::new();
        for &ri in referrals {
            let duration = problem.referrals[ri].duration_minutes;
            for (ci, c) in cands.per_referral[ri].iter().enumerate() {
                let (start, end) = problem.slots[c.slot].busy_interval(duration);
                items.push((start, end, ri, ci));
            }
        }
        items.sort();
        for (i, &(_, end, ri, ci)) in items.iter().enumerate() {
            for &(start2, _, rj, cj) in &items[i + 1..] {
                if start2 >= end {
                    break;
                }
                if ri != rj {
                    let (a, b) = if ri < rj {
                        ((ri, ci), (rj, cj))
                    } else {
                        ((rj, cj), (ri, ci))
                    };
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
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
