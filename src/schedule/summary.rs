//! A readable text summary of a schedule.

use super::{BookingChange, ChangeReason, Method, Outcome, Schedule, SolveStatus, UnbookedReason};

/// Why an existing booking was not kept, in words.
fn reason_text(reason: ChangeReason) -> &'static str {
    match reason {
        ChangeReason::SlotRemoved => "its slot was removed from the plan",
        ChangeReason::SlotBlocked => "its slot is blocked",
        ChangeReason::SlotBooked => "its slot is booked outside this plan",
        ChangeReason::SlotUnusable => "its slot no longer fits the referral",
        ChangeReason::NotKept => "its slot went to a referral the objective ranks higher",
    }
}
use crate::formulation::TierValue;
use crate::model::{Problem, ReferralPriority, SurgicalPriority};

/// A tier's unit when all its terms share one, else empty.
fn tier_unit(tier: &TierValue) -> &'static str {
    match tier.terms.split_first() {
        Some((first, rest)) if rest.iter().all(|t| t.term.unit() == first.term.unit()) => {
            first.term.unit()
        }
        _ => "",
    }
}
use std::fmt::Write;

impl Schedule {
    /// The two capacity sections of [`Schedule::summary`], on their own: the largest
    /// unavoidable-breach certificate of each tier ([`Schedule::explanations`]) and the five
    /// slots where one more place saves most ([`Schedule::place_values`]). Empty when the
    /// schedule has neither (a baseline's).
    pub fn capacity_summary(&self) -> String {
        let mut s = String::new();
        if !self.explanations.is_empty() {
            let _ = writeln!(
                s,
                "Breaches no booking could avoid (certificates; the largest group of each tier):"
            );
            let mut tiers: Vec<&str> = Vec::new();
            for c in &self.explanations {
                if !tiers.contains(&c.tier.as_str()) {
                    tiers.push(&c.tier);
                }
            }
            for tier in tiers {
                let of: Vec<_> = self
                    .explanations
                    .iter()
                    .filter(|c| c.tier == tier)
                    .collect();
                let total: u32 = of.iter().map(|c| c.shortfall).sum();
                let c = of[0];
                let n = |k: usize, one: &str, many: &str| {
                    format!("{k} {}", if k == 1 { one } else { many })
                };
                let _ = writeln!(
                    s,
                    "  {tier}: at least {total} late in {}; largest: {} (first {}) for {} in {}, {} short",
                    n(of.len(), "group", "groups"),
                    n(c.referrals.len(), "referral", "referrals"),
                    c.referrals.first().map_or("", |r| r.as_str()),
                    n(c.places as usize, "place", "places"),
                    n(c.slots.len(), "slot", "slots"),
                    c.shortfall
                );
            }
        }
        let saving: Vec<_> = self
            .place_values
            .iter()
            .filter(|v| v.saving.is_some())
            .collect();
        if !saving.is_empty() {
            let unmeasured = self.place_values.len() - saving.len();
            let _ = writeln!(
                s,
                "Where one more place saves most (exact, for one place; {} slots save something{}):",
                saving.len(),
                if unmeasured > 0 {
                    format!(", {unmeasured} not measured past a tier")
                } else {
                    String::new()
                }
            );
            for v in saving.iter().take(5) {
                let unit = self
                    .objective
                    .tiers
                    .iter()
                    .find(|t| t.tier == v.tier)
                    .map_or("", tier_unit);
                let _ = writeln!(
                    s,
                    "  {:<16} {:<10} {}  {}: {} {unit}",
                    v.slot.as_str(),
                    v.site.as_str(),
                    v.date,
                    v.tier,
                    v.saving.unwrap_or(0)
                );
            }
        }
        s
    }

    /// A readable summary: the input's warnings, counts booked and unbooked, breaches by referral
    /// priority, the value of each objective tier, what the solver did, and each unbooked
    /// referral with its reason.
    /// `problem` must be the one the schedule was made for (referrals are matched by position).
    pub fn summary(&self, problem: &Problem) -> String {
        let mut s = String::new();
        let total = self.outcomes.len();
        let booked = self.bookings().count();
        let pinned = self.bookings().filter(|(_, b)| b.pinned).count();
        let (mut no_candidate, mut no_capacity, mut ruled_out, mut stopped) = (0, 0, 0, 0);
        let mut no_gain = 0;
        for o in &self.outcomes {
            match &o.outcome {
                Outcome::Unbooked(UnbookedReason::NoCandidate { .. }) => no_candidate += 1,
                Outcome::Unbooked(UnbookedReason::NoCapacity { .. }) => no_capacity += 1,
                Outcome::Unbooked(
                    UnbookedReason::PathwayOrder { .. } | UnbookedReason::PatientClash { .. },
                ) => ruled_out += 1,
                Outcome::Unbooked(UnbookedReason::NoGain { .. }) => no_gain += 1,
                Outcome::Unbooked(
                    UnbookedReason::SolverStopped { .. } | UnbookedReason::NotChosen { .. },
                ) => stopped += 1,
                Outcome::Booked(_) => {}
            }
        }
        let _ = writeln!(
            s,
            "Schedule for {total} referrals, planning date {}, horizon to {}",
            problem.planning_date, problem.horizon_end
        );
        for w in &self.warnings {
            let _ = writeln!(s, "  warning: {w}");
        }
        let _ = writeln!(s, "  booked      {booked:>7}  ({pinned} pinned)");
        let _ = writeln!(
            s,
            "  unbooked    {:>7}  (no candidate slot {no_candidate}, no capacity left {no_capacity}, pathway or clash {ruled_out}, solver stopped {stopped}{})",
            total - booked,
            if no_gain > 0 {
                format!(", no gain under the objective {no_gain}")
            } else {
                String::new()
            }
        );
        // Each referral under its surgical class when it has one, else its referral priority.
        let mut by_class: Vec<(String, usize, usize)> = Vec::new();
        let classes = [
            "routine",
            "urgent",
            "urgent suspected cancer",
            "P1a",
            "P1b",
            "P2",
            "P3",
            "P4",
        ];
        let mut counts = [(0usize, 0usize); 8];
        for (o, r) in self.outcomes.iter().zip(&problem.referrals) {
            let k = match (r.surgical_priority, r.priority) {
                (Some(SurgicalPriority::P1a), _) => 3,
                (Some(SurgicalPriority::P1b), _) => 4,
                (Some(SurgicalPriority::P2), _) => 5,
                (Some(SurgicalPriority::P3), _) => 6,
                (Some(SurgicalPriority::P4), _) => 7,
                (None, ReferralPriority::Routine) => 0,
                (None, ReferralPriority::Urgent) => 1,
                (None, ReferralPriority::UrgentSuspectedCancer) => 2,
            };
            counts[k].0 += 1;
            if o.breached {
                counts[k].1 += 1;
            }
        }
        for (k, name) in classes.iter().enumerate() {
            // The three referral priorities always; a surgical class when some referral has it.
            if k < 3 || counts[k].0 > 0 {
                by_class.push(((*name).to_owned(), counts[k].1, counts[k].0));
            }
        }
        let breaches: usize = counts.iter().map(|p| p.1).sum();
        let _ = writeln!(
            s,
            "  breaches    {breaches:>7}  ({})",
            by_class
                .iter()
                .map(|(name, late, all)| format!("{name} {late}/{all}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(s, "Objective, strictly in this order:");
        for (k, tier) in self.objective.tiers.iter().enumerate() {
            let unit = tier_unit(tier);
            let _ = writeln!(
                s,
                "  {:>2} {:<50} {:>16}  {unit}",
                k + 1,
                tier.tier,
                tier.value
            );
        }
        let st = &self.stats;
        if st.status == SolveStatus::Heuristic {
            let _ = writeln!(
                s,
                "Booked by the rule {} (no solver), {:.3} s",
                st.backend,
                st.elapsed.as_secs_f64()
            );
        } else {
            let _ = writeln!(
            s,
            "Solver: {} component{} ({} by network flow, {} by {}), status {:?}, {} variables, {} rows, {:.3} s",
            st.component_count,
            if st.component_count == 1 { "" } else { "s" },
            st.network_components,
            st.components
                .iter()
                .filter(|c| c.method != Method::NetworkFlow)
                .count(),
            st.backend,
            st.status,
            st.variables,
            st.constraints,
            st.elapsed.as_secs_f64()
        );
        }
        for c in st
            .components
            .iter()
            .filter(|c| c.gap.is_some() || c.message.is_some())
        {
            let _ = writeln!(
                s,
                "  component {}: {:?}, tier-1 gap {}{}",
                c.index,
                c.status,
                c.gap
                    .map_or("n/a".to_owned(), |g| format!("{:.2}%", g * 100.0)),
                c.message
                    .as_ref()
                    .map_or(String::new(), |m| format!(", {m}"))
            );
        }
        // Places left in free slots inside the horizon, after every booking (pinned included):
        // a count for a slot of places, minutes for a session that packs by minutes.
        let unused: Vec<String> = self
            .unused
            .iter()
            .map(|u| match u.minutes {
                Some(m) => format!("{} ({}) {m} min", u.slot, u.date),
                None => format!("{} ({}) {}", u.slot, u.date, u.places),
            })
            .collect();
        if !unused.is_empty() {
            let more = if unused.len() > 10 {
                format!(" and {} more", unused.len() - 10)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "Unused capacity in {} slots (free places or minutes no booking took): {}{more}",
                unused.len(),
                unused[..unused.len().min(10)].join(", ")
            );
            let offers: Vec<_> = self
                .unused
                .iter()
                .filter(|u| u.short_notice_total > 0)
                .collect();
            if !offers.is_empty() {
                let _ = writeln!(
                    s,
                    "  could be offered at short notice (inside the minimum notice), in turn order:"
                );
            }
            for u in offers.iter().take(10) {
                let ids: Vec<&str> = u.short_notice.iter().map(|r| r.as_str()).collect();
                let more = if u.short_notice_total > ids.len() {
                    format!(" and {} more", u.short_notice_total - ids.len())
                } else {
                    String::new()
                };
                let _ = writeln!(s, "  {:<12} {}{more}", u.slot.as_str(), ids.join(", "));
            }
            if offers.len() > 10 {
                let _ = writeln!(
                    s,
                    "  and {} more slots with short-notice offers",
                    offers.len() - 10
                );
            }
        }
        let unbooked: Vec<_> = self
            .outcomes
            .iter()
            .filter_map(|o| match &o.outcome {
                Outcome::Unbooked(reason) => Some((o, reason)),
                Outcome::Booked(_) => None,
            })
            .collect();
        let changes: Vec<_> = self
            .outcomes
            .iter()
            .filter_map(|o| o.change.as_ref().map(|c| (o, c)))
            .collect();
        s.push_str(&self.capacity_summary());
        if !changes.is_empty() {
            let kept = changes
                .iter()
                .filter(|(_, c)| matches!(c, BookingChange::Kept))
                .count();
            let moved = changes
                .iter()
                .filter(|(_, c)| matches!(c, BookingChange::Moved { .. }))
                .count();
            let _ = writeln!(
                s,
                "Changes to existing bookings: {kept} kept, {moved} moved, {} cancelled",
                changes.len() - kept - moved
            );
            for (o, c) in changes {
                let line = match c {
                    BookingChange::Kept => continue,
                    BookingChange::Moved { from, because } => {
                        let to = match &o.outcome {
                            Outcome::Booked(b) => format!("{} on {}", b.slot, b.date),
                            Outcome::Unbooked(_) => String::new(),
                        };
                        match because {
                            Some(reason) => {
                                format!("moved from {from} to {to}: {}", reason_text(*reason))
                            }
                            None => format!("moved from {from} to {to}"),
                        }
                    }
                    BookingChange::Cancelled { from, reason } => {
                        format!("cancelled from {from}: {}", reason_text(*reason))
                    }
                };
                let _ = writeln!(s, "  {:<12} {line}", o.referral.as_str());
            }
        }
        if !unbooked.is_empty() {
            let _ = writeln!(s, "Unbooked referrals:");
        }
        for (o, reason) in unbooked {
            let why = reason.description();
            let breach = if o.breached {
                format!(" (breaches: due {})", o.due_date)
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {:<12} {why}{breach}", o.referral.as_str());
        }
        s
    }
}

impl UnbookedReason {
    /// One line saying why the referral is unbooked, as the summary prints it (no patient data:
    /// referral ids only).
    pub fn description(&self) -> String {
        match self {
            UnbookedReason::NoCandidate { exclusions } => format!(
                "no candidate slot; slots excluded by {}",
                exclusions
                    .reasons()
                    .iter()
                    .map(|(rule, n)| format!("{rule} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            UnbookedReason::NoCapacity { candidates: 1 } => {
                "its 1 candidate slot went to referrals ranked higher".to_owned()
            }
            UnbookedReason::NoCapacity { candidates } => {
                format!("its {candidates} candidate slots went to referrals ranked higher")
            }
            UnbookedReason::PathwayOrder { before, .. } => format!(
                "a candidate slot has room, but its earlier pathway step {before} is not booked early enough"
            ),
            UnbookedReason::PatientClash { with, .. } => format!(
                "a candidate slot has room, but it overlaps the same patient's booking for {with}"
            ),
            UnbookedReason::NoGain { .. } => {
                "a candidate slot has room, but booking it lowers no tier of the objective"
                    .to_owned()
            }
            UnbookedReason::NotChosen { .. } => {
                "a candidate slot has room: the solver stopped before using it".to_owned()
            }
            UnbookedReason::SolverStopped { component } => {
                format!("solver stopped on component {component} without a schedule")
            }
        }
    }
}
