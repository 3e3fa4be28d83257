//! The assignment model of one component, independent of any solver.
//!
//! One variable `x[r,c]` per referral `r` and candidate slot `c` (1 = booked there). Hard
//! constraint families, each a function with a stable name used in tests and explanations:
//! `book_at_most_once`, `slot_count`, `slot_minutes`, `patient_overlap`, `first_place`,
//! `pathway_order`.
//! The objective of tier `k` is `constant[k] + sum(objective[k][v] * x[v])`, where the constant
//! is the cost of leaving every referral unbooked and each coefficient is the change from
//! booking.

use super::objective::Costs;
use crate::candidates::{Candidates, Component};
use crate::model::Problem;

/// One linear row: `sum(coefficient * x[variable]) <= upper`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    /// The constraint family.
    pub family: &'static str,
    /// (variable index, coefficient).
    pub terms: Vec<(usize, f64)>,
    /// Right-hand side.
    pub upper: f64,
}

/// A component as a linear model.
#[derive(Clone, Debug)]
pub(crate) struct ComponentModel {
    /// (referral index, candidate position) of each variable.
    pub vars: Vec<(usize, usize)>,
    /// Whether the component needs the MIP (false for capacity-only components).
    pub integer: bool,
    /// Per variable, whether it is declared binary in the MIP: it is in a minutes, overlap,
    /// first-place or pathway row. The others are only in `book_at_most_once` and `slot_count` rows, and stay
    /// continuous in 0..=1: once the binary ones are fixed, what is left is a transportation
    /// problem with integer right-hand sides, whose LP (and each tier's optimal face) has 0/1
    /// vertices.
    pub binary: Vec<bool>,
    /// All rows.
    pub rows: Vec<Row>,
    /// The name of each stored tier ([`Costs`] keeps only tiers that can be non-zero).
    pub names: Vec<String>,
    /// Per tier, the coefficient of each variable.
    pub objective: Vec<Vec<i64>>,
    /// Per tier, the cost with nothing booked.
    pub constant: Vec<i64>,
}

/// Family name: each referral is booked at most once.
pub(crate) const BOOK_AT_MOST_ONCE: &str = "book_at_most_once";
/// Family name: a slot takes at most its remaining count.
pub(crate) const SLOT_COUNT: &str = "slot_count";
/// Family name: appointments in a session fit its remaining minutes.
pub(crate) const SLOT_MINUTES: &str = "slot_minutes";
/// Family name: one patient is never in two places at once.
pub(crate) const PATIENT_OVERLAP: &str = "patient_overlap";
/// Family name: two referrals never both need the first place of one multi-place slot.
pub(crate) const FIRST_PLACE: &str = "first_place";
/// Family name: a later pathway step is booked only after the earlier one, with the gap.
pub(crate) const PATHWAY_ORDER: &str = "pathway_order";

impl ComponentModel {
    /// Builds the model of `comp`.
    pub(crate) fn build(
        problem: &Problem,
        cands: &Candidates,
        costs: &Costs,
        comp: &Component,
    ) -> ComponentModel {
        let mut vars = Vec::new();
        let mut first_var = std::collections::HashMap::new();
        for &ri in &comp.referrals {
            first_var.insert(ri, vars.len());
            for ci in 0..cands.per_referral[ri].len() {
                vars.push((ri, ci));
            }
        }
        let var = |ri: usize, ci: usize| first_var[&ri] + ci;

        let tiers = costs.tiers();
        let mut objective: Vec<Vec<i64>> = vec![Vec::with_capacity(vars.len()); tiers];
        let mut constant = vec![0i64; tiers];
        for &ri in &comp.referrals {
            for (c, u) in constant.iter_mut().zip(costs.unbooked(ri)) {
                *c = c.saturating_add(*u);
            }
        }
        for &(ri, ci) in &vars {
            let unbooked = costs.unbooked(ri);
            for ((obj, b), u) in objective.iter_mut().zip(costs.booked(ri, ci)).zip(unbooked) {
                obj.push(b.saturating_sub(*u));
            }
        }

        let mut rows = Vec::new();
        rows.extend(book_at_most_once(cands, comp, &var));
        rows.extend(slot_count(cands, comp, &vars));
        rows.extend(slot_minutes(problem, cands, comp, &vars));
        rows.extend(patient_overlap(comp, &var));
        rows.extend(first_place(comp, &var));
        rows.extend(pathway_order(problem, cands, comp, &var));
        let integer = !comp.is_capacity_only();
        let mut binary = vec![false; vars.len()];
        if integer {
            let needs_binary = [SLOT_MINUTES, PATIENT_OVERLAP, FIRST_PLACE, PATHWAY_ORDER];
            for row in rows.iter().filter(|r| needs_binary.contains(&r.family)) {
                for &(v, _) in &row.terms {
                    binary[v] = true;
                }
            }
        }
        ComponentModel {
            vars,
            names: (0..tiers).map(|j| costs.name(j).to_owned()).collect(),
            integer,
            binary,
            rows,
            objective,
            constant,
        }
    }

    /// Value of tier `tier` (counted from 0) at the assignment `x`.
    pub(crate) fn tier_value(&self, tier: usize, x: &[f64]) -> f64 {
        self.constant[tier] as f64
            + self.objective[tier]
                .iter()
                .zip(x)
                .map(|(&c, &v)| c as f64 * v)
                .sum::<f64>()
    }

    /// The families of the rows that `x` breaks (by more than 1e-6).
    pub(crate) fn violated(&self, x: &[f64]) -> Vec<&'static str> {
        self.rows
            .iter()
            .filter(|row| row.terms.iter().map(|&(v, c)| c * x[v]).sum::<f64>() > row.upper + 1e-6)
            .map(|row| row.family)
            .collect()
    }
}

fn book_at_most_once(
    cands: &Candidates,
    comp: &Component,
    var: &dyn Fn(usize, usize) -> usize,
) -> Vec<Row> {
    comp.referrals
        .iter()
        .filter(|&&ri| !cands.per_referral[ri].is_empty())
        .map(|&ri| Row {
            family: BOOK_AT_MOST_ONCE,
            terms: (0..cands.per_referral[ri].len())
                .map(|ci| (var(ri, ci), 1.0))
                .collect(),
            upper: 1.0,
        })
        .collect()
}

fn vars_by_slot(
    cands: &Candidates,
    vars: &[(usize, usize)],
) -> std::collections::BTreeMap<usize, Vec<usize>> {
    let mut by_slot: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (v, &(ri, ci)) in vars.iter().enumerate() {
        by_slot
            .entry(cands.per_referral[ri][ci].slot)
            .or_default()
            .push(v);
    }
    by_slot
}

fn slot_count(cands: &Candidates, comp: &Component, vars: &[(usize, usize)]) -> Vec<Row> {
    let by_slot = vars_by_slot(cands, vars);
    comp.slots
        .iter()
        .filter_map(|si| by_slot.get(si).map(|vs| (si, vs)))
        .filter(|(si, vs)| vs.len() > cands.count_left[**si] as usize)
        .map(|(si, vs)| Row {
            family: SLOT_COUNT,
            terms: vs.iter().map(|&v| (v, 1.0)).collect(),
            upper: f64::from(cands.count_left[*si]),
        })
        .collect()
}

fn slot_minutes(
    problem: &Problem,
    cands: &Candidates,
    comp: &Component,
    vars: &[(usize, usize)],
) -> Vec<Row> {
    let by_slot = vars_by_slot(cands, vars);
    comp.minutes_slots
        .iter()
        .filter_map(|si| {
            let minutes = cands.minutes_left[*si]?;
            let vs = by_slot.get(si)?;
            Some(Row {
                family: SLOT_MINUTES,
                terms: vs
                    .iter()
                    .map(|&v| (v, f64::from(problem.referrals[vars[v].0].duration_minutes)))
                    .collect(),
                upper: f64::from(minutes),
            })
        })
        .collect()
}

fn patient_overlap(comp: &Component, var: &dyn Fn(usize, usize) -> usize) -> Vec<Row> {
    comp.overlaps
        .iter()
        .map(|&((r1, c1), (r2, c2))| Row {
            family: PATIENT_OVERLAP,
            terms: vec![(var(r1, c1), 1.0), (var(r2, c2), 1.0)],
            upper: 1.0,
        })
        .collect()
}

fn first_place(comp: &Component, var: &dyn Fn(usize, usize) -> usize) -> Vec<Row> {
    comp.first_places
        .iter()
        .map(|set| Row {
            family: FIRST_PLACE,
            terms: set.iter().map(|&(r, c)| (var(r, c), 1.0)).collect(),
            upper: (set.len() - 1) as f64,
        })
        .collect()
}

fn pathway_order(
    problem: &Problem,
    cands: &Candidates,
    comp: &Component,
    var: &dyn Fn(usize, usize) -> usize,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for &(before, after, gap) in &comp.pathway {
        let before_duration = problem.referrals[before].duration_minutes;
        for (ca, a) in cands.per_referral[after].iter().enumerate() {
            let a_start = problem.slots[a.slot].start;
            let mut terms = vec![(var(after, ca), 1.0)];
            for (cb, b) in cands.per_referral[before].iter().enumerate() {
                let (_, b_end) = problem.slots[b.slot].latest_interval(before_duration);
                let gap_ok = (a.date - b.date).num_days() >= i64::from(gap);
                if gap_ok && b_end <= a_start {
                    terms.push((var(before, cb), -1.0));
                }
            }
            rows.push(Row {
                family: PATHWAY_ORDER,
                terms,
                upper: 0.0,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidates::{self, Candidates, Component};
    use crate::formulation::costs;

    const JSON: &str = r#"{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "sites": [{"id": "S", "name": "Site", "kind": "nhs_trust",
                 "location": {"latitude": 51.5, "longitude": 0.0}}],
      "slots": [
        {"id": "A", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
        {"id": "B", "site": "S", "service": {"diagnostic": "mri"},
         "start": "2026-12-03T09:15:00Z", "end": "2026-12-03T09:45:00Z"},
        {"id": "C", "site": "S", "service": {"diagnostic": "colonoscopy"},
         "start": "2026-12-04T09:00:00Z", "end": "2026-12-04T12:00:00Z",
         "capacity": 3, "minutes_capacity": 60},
        {"id": "CT", "site": "S", "service": {"diagnostic": "ct"},
         "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T10:30:00Z"},
        {"id": "OP1", "site": "S", "service": {"outpatient": "110"},
         "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T10:30:00Z"},
        {"id": "OP2", "site": "S", "service": {"outpatient": "110"},
         "start": "2026-12-07T10:00:00Z", "end": "2026-12-07T10:30:00Z"}
      ],
      "referrals": [
        {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "R2", "patient": "P1", "service": {"diagnostic": "mri"}, "clock_start": "2026-11-11",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "R3", "patient": "P2", "service": {"diagnostic": "mri"}, "clock_start": "2026-10-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30, "priority": "urgent"},
        {"id": "R4", "patient": "P3", "service": {"diagnostic": "colonoscopy"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 40},
        {"id": "R5", "patient": "P4", "service": {"diagnostic": "colonoscopy"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 40},
        {"id": "R6", "patient": "P5", "service": {"diagnostic": "ct"}, "clock_start": "2026-11-01",
         "standards": ["diagnostic_6_weeks"], "duration_minutes": 30},
        {"id": "R7", "patient": "P5", "service": {"outpatient": "110"}, "clock_start": "2026-11-01",
         "standards": ["rtt_18_weeks"], "duration_minutes": 30}
      ],
      "pathway_steps": [{"before": {"referral": "R6"}, "after": "R7", "min_gap_days": 3}]
    }"#;

    struct Fixture {
        problem: Problem,
        cands: Candidates,
        costs: Costs,
        comps: Vec<Component>,
    }

    fn fixture() -> Fixture {
        // The first objective (clock-stop breaches, treat in turn, travel) at the horizon end:
        // the numbers below are worked for it.
        let mut problem = Problem::from_json(JSON).unwrap();
        problem.policy.objective = crate::Objective::Preset(crate::Preset::ClockStopBreaches);
        problem.policy.look_ahead_days = 0;
        let index = problem.index().unwrap();
        let cands = candidates::build(&problem, &index);
        let costs = costs(&problem, &index.slot_site, &cands);
        let comps = candidates::components(&problem, &index, &cands);
        Fixture {
            problem,
            cands,
            costs,
            comps,
        }
    }

    impl Fixture {
        fn referral(&self, id: &str) -> usize {
            self.problem
                .referrals
                .iter()
                .position(|r| r.id.as_str() == id)
                .unwrap()
        }
        fn slot(&self, id: &str) -> usize {
            self.problem
                .slots
                .iter()
                .position(|s| s.id.as_str() == id)
                .unwrap()
        }
        /// The model of the component holding `referral`.
        fn model(&self, referral: &str) -> ComponentModel {
            let ri = self.referral(referral);
            let comp = self
                .comps
                .iter()
                .find(|c| c.referrals.contains(&ri))
                .unwrap();
            ComponentModel::build(&self.problem, &self.cands, &self.costs, comp)
        }
        /// An assignment of the model: each (referral, slot) pair booked.
        fn assign(&self, model: &ComponentModel, bookings: &[(&str, &str)]) -> Vec<f64> {
            let mut x = vec![0.0; model.vars.len()];
            for (r, s) in bookings {
                let (ri, si) = (self.referral(r), self.slot(s));
                let v = model
                    .vars
                    .iter()
                    .position(|&(vr, ci)| vr == ri && self.cands.per_referral[vr][ci].slot == si)
                    .unwrap();
                x[v] = 1.0;
            }
            x
        }
    }

    #[test]
    fn components_split_by_structure() {
        let f = fixture();
        // MRI (R1, R2, R3 on A, B), colonoscopy (R4, R5 on C), CT then clinic (R6, R7).
        assert_eq!(f.comps.len(), 3);
        let mri = &f.comps[0];
        assert_eq!(mri.referrals, vec![0, 1, 2]);
        assert_eq!(mri.overlaps.len(), 4, "R1/R2 on A-A, A-B, B-A, B-B");
        assert!(!mri.is_capacity_only());
        assert_eq!(f.comps[1].minutes_slots, vec![f.slot("C")]);
        assert_eq!(f.comps[2].pathway, vec![(5, 6, 3)]);
    }

    #[test]
    fn book_at_most_once() {
        let f = fixture();
        let m = f.model("R3");
        assert_eq!(
            m.violated(&f.assign(&m, &[("R3", "A"), ("R3", "B")])),
            vec![BOOK_AT_MOST_ONCE]
        );
        assert!(m.violated(&f.assign(&m, &[("R3", "A")])).is_empty());
    }

    #[test]
    fn slot_count() {
        let f = fixture();
        let m = f.model("R3");
        assert_eq!(
            m.violated(&f.assign(&m, &[("R1", "A"), ("R3", "A")])),
            vec![SLOT_COUNT]
        );
    }

    #[test]
    fn slot_minutes() {
        let f = fixture();
        let m = f.model("R4");
        // 40 + 40 minutes in a 60-minute session (count 3 is not the limit).
        assert_eq!(
            m.violated(&f.assign(&m, &[("R4", "C"), ("R5", "C")])),
            vec![SLOT_MINUTES]
        );
        assert!(m.violated(&f.assign(&m, &[("R5", "C")])).is_empty());
    }

    #[test]
    fn patient_overlap() {
        let f = fixture();
        let m = f.model("R1");
        // A is 09:00-09:30 and B 09:15-09:45: one patient cannot be at both.
        assert_eq!(
            m.violated(&f.assign(&m, &[("R1", "A"), ("R2", "B")])),
            vec![PATIENT_OVERLAP]
        );
        assert!(m
            .violated(&f.assign(&m, &[("R1", "A"), ("R3", "B")]))
            .is_empty());
    }

    #[test]
    fn pathway_order() {
        let f = fixture();
        let m = f.model("R7");
        // The clinic without the CT, and the clinic on 5 December: only 2 days after the CT.
        assert_eq!(
            m.violated(&f.assign(&m, &[("R7", "OP2")])),
            vec![PATHWAY_ORDER]
        );
        assert_eq!(
            m.violated(&f.assign(&m, &[("R6", "CT"), ("R7", "OP1")])),
            vec![PATHWAY_ORDER]
        );
        assert!(m
            .violated(&f.assign(&m, &[("R6", "CT"), ("R7", "OP2")]))
            .is_empty());
    }

    #[test]
    fn binary_only_where_a_side_row_needs_it() {
        let f = fixture();
        let binary_of = |m: &ComponentModel, referral: &str| -> Vec<bool> {
            let ri = f.referral(referral);
            (0..m.vars.len())
                .filter(|&v| m.vars[v].0 == ri)
                .map(|v| m.binary[v])
                .collect()
        };
        // MRI: R1 and R2 (one patient) are in overlap rows on A and B; R3 only in count rows.
        let mri = f.model("R1");
        assert_eq!(binary_of(&mri, "R1"), vec![true, true]);
        assert_eq!(binary_of(&mri, "R2"), vec![true, true]);
        assert_eq!(binary_of(&mri, "R3"), vec![false, false]);
        // The minutes session and the pathway: every variable.
        assert!(f.model("R4").binary.iter().all(|&b| b));
        assert!(f.model("R7").binary.iter().all(|&b| b));
    }

    #[test]
    fn objective_terms_on_a_hand_assignment() {
        let f = fixture();
        let m = f.model("R1");
        let x = f.assign(&m, &[("R1", "A"), ("R3", "B")]);
        // Due dates: R1 2026-12-13, R2 2026-12-23, R3 (urgent, weight 4) 2026-11-12.
        // Tier 1: R3 breaches booked on 3 December (weight 4); R2 unbooked with its due date
        // inside the horizon breaches (weight 1). Total 5.
        assert!((m.tier_value(0, &x) - 5.0).abs() < 1e-9);
        // Tier 2: R1 waits 32 days (1 * 32^2 = 1024); R3 waits 63 days (4 * 63^2 = 15876); R2
        // unbooked counts as seen on 1 January 2027, 51 days (51^2 = 2601). Total 19501.
        assert!((m.tier_value(1, &x) - 19501.0).abs() < 1e-9);
        // Tier 3: no home locations and no preferred sites, so travel regret is 0 on every
        // option and the tier is not stored.
        assert_eq!(f.costs.stored, vec![0, 1]);
        assert_eq!(m.objective.len(), 2);
        // Nothing booked: everyone unbooked, R3 and R1 and R2 all breach: 4 + 1 + 1.
        assert!((m.tier_value(0, &vec![0.0; m.vars.len()]) - 6.0).abs() < 1e-9);
    }
}
