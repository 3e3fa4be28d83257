//! The problem a caller sends, its JSON form and its checks.

use super::geo::Location;
use super::ids::{ReferralId, SlotId};
use super::pathway::{PathwayStep, Prerequisite};
use super::policy::Policy;
use super::referral::{Referral, WaitingTimeStandard};
use super::site::Site;
use super::slot::{clash, Clash, Slot, SlotStatus};
use crate::error::{Error, RecordKind, Result};
use chrono::NaiveDate;
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Longest horizon accepted, in days (ten years): longer horizons are almost certainly a date typo.
pub const MAX_HORIZON_DAYS: i64 = 3660;
/// Earliest clock start accepted, in days before the planning date (twenty years).
pub const MAX_CLOCK_AGE_DAYS: i64 = 7305;

/// A booking problem: the capacity a trust has and the waiting list to book into it.
///
/// Slots whose NHS date lies outside `planning_date..=horizon_end` are not used. Unknown JSON
/// fields are rejected. Build one with [`Problem::from_json`] or in code and call
/// [`Problem::check`] (the solver calls it too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// The date the booking is made on (NHS date).
    pub planning_date: NaiveDate,
    /// Last day of the planning horizon, included (NHS date, on or after `planning_date`).
    pub horizon_end: NaiveDate,
    /// Notice and weights.
    #[serde(default)]
    pub policy: Policy,
    /// Sites.
    pub sites: Vec<Site>,
    /// Slots.
    pub slots: Vec<Slot>,
    /// Referrals (the waiting list).
    pub referrals: Vec<Referral>,
    /// Orders between referrals of one pathway.
    #[serde(default)]
    pub pathway_steps: Vec<PathwayStep>,
}

/// Look-ups from ids to positions, built by [`Problem::check`].
#[derive(Debug)]
pub(crate) struct Index {
    pub(crate) slot: HashMap<SlotId, usize>,
    pub(crate) referral: HashMap<ReferralId, usize>,
    /// Site index of each slot.
    pub(crate) slot_site: Vec<usize>,
    /// The pinned booking (referral index) that has the first place of a multi-place slot
    /// (slot index), from [`Problem::pinned_first_places`].
    pub(crate) first_pinned: BTreeMap<usize, usize>,
}

fn invalid(kind: RecordKind, id: &str, field: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidField {
        kind,
        id: id.to_owned(),
        field,
        reason: reason.into(),
    }
}

/// Checks a location; `fields` names its latitude and longitude fields, e.g.
/// `("home.latitude", "home.longitude")`. A site's bad value is repeated in the message; a
/// referral's (a patient's home) is not.
fn check_location(
    kind: RecordKind,
    id: &str,
    fields: (&'static str, &'static str),
    loc: &Location,
) -> Result<()> {
    let shown = |value: f64| {
        if kind == RecordKind::Referral {
            "(not shown: it may identify a patient)".to_owned()
        } else {
            value.to_string()
        }
    };
    if !loc.latitude.is_finite() || !(-90.0..=90.0).contains(&loc.latitude) {
        return Err(invalid(
            kind,
            id,
            fields.0,
            format!(
                "latitude {} is outside -90..=90 degrees: give WGS84 degrees north",
                shown(loc.latitude)
            ),
        ));
    }
    if !loc.longitude.is_finite() || !(-180.0..=180.0).contains(&loc.longitude) {
        return Err(invalid(
            kind,
            id,
            fields.1,
            format!(
                "longitude {} is outside -180..=180 degrees: give WGS84 degrees east",
                shown(loc.longitude)
            ),
        ));
    }
    Ok(())
}

/// The path as the caller reads it: without the `?` that marks an element the parser had not
/// identified yet, and `.` for the document itself.
fn json_path(raw: &str) -> String {
    let trimmed = raw.strip_suffix('?').unwrap_or(raw).trim_end_matches('.');
    if trimmed.is_empty() {
        ".".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Adds the expected format to a date or time that did not parse.
fn hint(path: &str, message: String) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    if message.starts_with("missing field") || message.starts_with("unknown field") {
        return message;
    }
    match field {
        "start" | "end" => format!(
            "{message} (times are RFC 3339 with an offset, for example 2026-12-01T09:00:00Z or 2026-07-01T09:00:00+01:00)"
        ),
        "planning_date" | "horizon_end" | "clock_start" | "earliest_date" | "from" | "to"
        | "done_on" | "date" | "rebooked_on" => format!("{message} (dates are YYYY-MM-DD, for example 2026-12-01)"),
        _ => message,
    }
}

/// Keeps patient data out of error messages: in a referral, a bad value in `patient` or `home`
/// is not repeated, nor is text given anywhere else (an unknown variant or a string where
/// something else was expected, which could be free text about the patient); only what was
/// expected is.
fn scrub(path: &str, message: String) -> String {
    let echoes_value = message.starts_with("invalid type:")
        || message.starts_with("invalid value:")
        || message.starts_with("invalid length");
    let echoes_text = message.starts_with("unknown variant")
        || message.starts_with("invalid type: string")
        || message.starts_with("invalid value: string");
    let personal_field = path.ends_with(".patient") || path.contains(".home");
    let hidden = path.starts_with("referrals") && (echoes_text || personal_field && echoes_value);
    if !hidden {
        return message;
    }
    match message.split_once(", expected ") {
        Some((_, expected)) => {
            format!("invalid value (not shown: it may identify a patient), expected {expected}")
        }
        None => "invalid value (not shown: it may identify a patient)".to_owned(),
    }
}

/// Indexes the ids of one list of records (`list`, e.g. `referrals`), refusing an empty (or
/// blank) id, named by its position, e.g. `referrals[3]`, and a repeated one.
fn unique<K: std::hash::Hash + Eq + Clone>(
    kind: RecordKind,
    list: &str,
    ids: impl Iterator<Item = (K, String)>,
) -> Result<HashMap<K, usize>> {
    let mut map = HashMap::new();
    for (i, (key, shown)) in ids.enumerate() {
        if shown.trim().is_empty() {
            return Err(invalid(
                kind,
                &format!("{list}[{i}]"),
                "id",
                "the id is empty: give each record a unique, non-empty id",
            ));
        }
        if map.insert(key, i).is_some() {
            return Err(Error::DuplicateId { kind, id: shown });
        }
    }
    Ok(map)
}

impl Problem {
    /// Reads a problem from JSON and checks it.
    ///
    /// # Errors
    /// [`Error::Json`] with the path of the offending element for malformed JSON, missing or
    /// unknown fields and wrong types (nesting deeper than 128 levels is refused the same way);
    /// then every error of [`Problem::check`].
    pub fn from_json(json: &str) -> Result<Problem> {
        if !json.trim_start().starts_with('{') {
            return Err(Error::Json {
                path: ".".to_owned(),
                message: "a problem is a JSON object: `{\"planning_date\": ..., \"horizon_end\": ..., \"sites\": [...], \"slots\": [...], \"referrals\": [...]}`".to_owned(),
            });
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let problem: Problem = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = json_path(&e.path().to_string());
            let message = scrub(&path, e.inner().to_string());
            let message = if e.inner().is_data() {
                hint(&path, message)
            } else {
                message
            };
            Error::Json { path, message }
        })?;
        de.end().map_err(|e| Error::Json {
            path: ".".to_owned(),
            message: e.to_string(),
        })?;
        problem.check()?;
        Ok(problem)
    }

    /// The JSON Schema (draft 2020-12) of the problem format, pretty-printed: what
    /// [`Problem::from_json`] reads, so that an integrator can validate their output before
    /// calling the library. The repository commits it as `schema/problem.schema.json`. The
    /// problem check ([`Problem::check`]) enforces more than a schema can say (ids that refer
    /// to records, dates in order, capacities that fit).
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(&schemars::schema_for!(Problem)).unwrap_or_default()
    }

    /// The problem as pretty JSON (the format [`Problem::from_json`] reads).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every record: unique ids, known references, positive durations and capacities,
    /// coordinates in range, finite numbers, dates in order, pinned bookings within capacity and
    /// pathway steps without cycles. An empty problem is valid.
    ///
    /// # Errors
    /// [`Error::DuplicateId`], [`Error::UnknownReference`], [`Error::InvalidField`],
    /// [`Error::HorizonBeforePlanningDate`], [`Error::PinnedOverCapacity`], [`Error::PinnedClash`],
    /// [`Error::PathwayCycle`]; the first one found, in the order sites, slots, referrals,
    /// pathway steps.
    pub fn check(&self) -> Result<()> {
        self.index().map(|_| ())
    }

    pub(crate) fn index(&self) -> Result<Index> {
        if self.planning_date > self.horizon_end {
            return Err(Error::HorizonBeforePlanningDate {
                planning_date: self.planning_date,
                horizon_end: self.horizon_end,
            });
        }
        if (self.horizon_end - self.planning_date).num_days() > MAX_HORIZON_DAYS {
            return Err(invalid(
                RecordKind::Problem,
                "problem",
                "horizon_end",
                format!("the horizon is longer than {MAX_HORIZON_DAYS} days: check the date"),
            ));
        }
        let policy = &self.policy;
        if !policy.non_preferred_site_km.is_finite() || policy.non_preferred_site_km < 0.0 {
            return Err(invalid(
                RecordKind::Policy,
                "policy",
                "non_preferred_site_km",
                "must be a finite number of kilometres, 0 or more",
            ));
        }
        if policy.urgent_target_days == 0 {
            return Err(invalid(
                RecordKind::Policy,
                "policy",
                "urgent_target_days",
                "must be at least 1 day",
            ));
        }
        let tiers = policy.objective.tiers();
        if tiers.is_empty() {
            return Err(invalid(
                RecordKind::Policy,
                "policy",
                "objective",
                "the list of tiers is empty: give at least one tier, or a preset name",
            ));
        }
        for (k, tier) in tiers.iter().enumerate() {
            if tier.is_empty() {
                return Err(invalid(
                    RecordKind::Policy,
                    "policy",
                    "objective",
                    format!(
                        "tier {} has no terms: give each tier at least one term",
                        k + 1
                    ),
                ));
            }
            if let Some(t) = tier.iter().find(|t| t.weight == 0) {
                return Err(invalid(
                    RecordKind::Policy,
                    "policy",
                    "objective",
                    format!(
                        "term `{}` in tier {} has weight 0: every weight must be at least 1",
                        t.term,
                        k + 1
                    ),
                ));
            }
        }
        for (name, weight) in policy.breach_weights.all() {
            if weight == 0 {
                return Err(invalid(
                    RecordKind::Policy,
                    "policy",
                    "breach_weights",
                    format!("weight `{name}` is 0: every breach weight must be at least 1"),
                ));
            }
        }

        let site = unique(
            RecordKind::Site,
            "sites",
            self.sites.iter().map(|s| (s.id.clone(), s.id.0.clone())),
        )?;
        for s in &self.sites {
            if let Some(location) = &s.location {
                check_location(
                    RecordKind::Site,
                    &s.id.0,
                    ("location.latitude", "location.longitude"),
                    location,
                )?;
            }
        }

        let slot = unique(
            RecordKind::Slot,
            "slots",
            self.slots.iter().map(|s| (s.id.clone(), s.id.0.clone())),
        )?;
        let mut slot_site = Vec::with_capacity(self.slots.len());
        for s in &self.slots {
            let id = &s.id.0;
            let Some(&site_index) = site.get(&s.site) else {
                return Err(Error::UnknownReference {
                    kind: RecordKind::Slot,
                    id: id.clone(),
                    field: "site",
                    target: RecordKind::Site,
                    reference: s.site.0.clone(),
                });
            };
            slot_site.push(site_index);
            if s.end <= s.start {
                return Err(invalid(
                    RecordKind::Slot,
                    id,
                    "end",
                    format!(
                        "the slot ends ({}) at or before it starts ({}): end must be after start",
                        s.end, s.start
                    ),
                ));
            }
            if s.capacity == 0 {
                return Err(invalid(
                    RecordKind::Slot,
                    id,
                    "capacity",
                    "capacity is 0: a slot takes at least 1 appointment (use status `blocked` to close it)",
                ));
            }
            if s.minutes_capacity == Some(0) {
                return Err(invalid(
                    RecordKind::Slot,
                    id,
                    "minutes_capacity",
                    "minutes_capacity is 0: give at least 1 minute or leave it out",
                ));
            }
        }

        let referral = unique(
            RecordKind::Referral,
            "referrals",
            self.referrals
                .iter()
                .map(|r| (r.id.clone(), r.id.0.clone())),
        )?;
        let mut pinned_count = vec![0u64; self.slots.len()];
        let mut pinned_minutes = vec![0u64; self.slots.len()];
        for r in &self.referrals {
            let id = &r.id.0;
            let kind = RecordKind::Referral;
            if r.patient.as_str().trim().is_empty() {
                return Err(invalid(
                    kind,
                    id,
                    "patient",
                    "the patient id is empty: give the patient's identifier (one patient's referrals share it, so an empty one would join unrelated patients)",
                ));
            }
            if r.standards.is_empty() {
                return Err(invalid(
                    kind,
                    id,
                    "standards",
                    "no waiting-time standard: give at least one, for example \"rtt_18_weeks\"",
                ));
            }
            if r.standards.contains(&WaitingTimeStandard::CustomDays(0)) {
                return Err(invalid(
                    kind,
                    id,
                    "standards",
                    "custom_days is 0: a standard's limit is at least 1 day",
                ));
            }
            if r.duration_minutes == 0 {
                return Err(invalid(
                    kind,
                    id,
                    "duration_minutes",
                    "duration is 0 minutes: give the appointment length, at least 1",
                ));
            }
            if r.clock_start > self.planning_date {
                return Err(invalid(
                    kind,
                    id,
                    "clock_start",
                    format!(
                        "clock start is after the planning date {}: a referral on the list has started its clock",
                        self.planning_date
                    ),
                ));
            }
            if (self.planning_date - r.clock_start).num_days() > MAX_CLOCK_AGE_DAYS {
                return Err(invalid(
                    kind,
                    id,
                    "clock_start",
                    format!(
                        "clock start is more than {MAX_CLOCK_AGE_DAYS} days before the planning date {}: check the date",
                        self.planning_date
                    ),
                ));
            }
            // A patient's own dates are not repeated: the entry is named by its position.
            for (k, dna) in r.did_not_attend.iter().enumerate() {
                let problem = if dna.date < r.clock_start {
                    Some(format!(
                        "entry {k} (from 0): the missed appointment is before the clock start"
                    ))
                } else if dna.rebooked_on < dna.date {
                    Some(format!(
                        "entry {k} (from 0): rebooked before the missed appointment"
                    ))
                } else if dna.rebooked_on > self.planning_date {
                    Some(format!(
                        "entry {k} (from 0): rebooked after the planning date {}: a rebooking decided in this run is dated the planning date",
                        self.planning_date
                    ))
                } else {
                    None
                };
                if let Some(message) = problem {
                    return Err(invalid(kind, id, "did_not_attend", message));
                }
            }
            for (k, offer) in r.declined_offers.iter().enumerate() {
                let problem =
                    if offer.declined_on < r.clock_start || offer.offered_date < r.clock_start {
                        Some(format!(
                            "entry {k} (from 0): offered or declined before the clock start"
                        ))
                    } else if offer.declined_on > self.planning_date {
                        Some(format!(
                            "entry {k} (from 0): declined after the planning date {}",
                            self.planning_date
                        ))
                    } else {
                        None
                    };
                if let Some(message) = problem {
                    return Err(invalid(kind, id, "declined_offers", message));
                }
            }
            for (k, p) in r.unavailable.iter().enumerate() {
                if p.to < p.from {
                    return Err(invalid(
                        kind,
                        id,
                        "unavailable",
                        format!("entry {k} (from 0): the period ends before it starts"),
                    ));
                }
            }
            if let Some(home) = &r.home {
                check_location(kind, id, ("home.latitude", "home.longitude"), home)?;
            }
            if let Some(km) = r.max_travel_km {
                if !km.is_finite() || km < 0.0 {
                    return Err(invalid(
                        kind,
                        id,
                        "max_travel_km",
                        "must be a finite number of kilometres, 0 or more, or left out for no limit",
                    ));
                }
            }
            for s in &r.preferred_sites {
                if !site.contains_key(s) {
                    return Err(Error::UnknownReference {
                        kind,
                        id: id.clone(),
                        field: "preferred_sites",
                        target: RecordKind::Site,
                        reference: s.0.clone(),
                    });
                }
            }
            if let Some(b) = &r.existing_booking {
                let Some(&si) = slot.get(&b.slot) else {
                    if !b.pinned {
                        // A slot removed from the plan: the booking is cancelled, and said so.
                        continue;
                    }
                    return Err(Error::UnknownReference {
                        kind,
                        id: id.clone(),
                        field: "existing_booking",
                        target: RecordKind::Slot,
                        reference: b.slot.0.clone(),
                    });
                };
                let slot_minutes = self.slots[si].duration_minutes();
                if b.pinned && i64::from(r.duration_minutes) > slot_minutes {
                    return Err(invalid(
                        kind,
                        id,
                        "existing_booking",
                        format!(
                            "pinned to slot `{}` of {slot_minutes} minutes, shorter than the {}-minute appointment: correct the duration or unpin the booking",
                            b.slot, r.duration_minutes
                        ),
                    ));
                }
                if b.pinned && self.slots[si].status == SlotStatus::Free {
                    pinned_count[si] += 1;
                    pinned_minutes[si] += u64::from(r.duration_minutes);
                }
            }
        }
        let first_pinned = self.check_pinned_clashes(&slot)?;
        for (si, s) in self.slots.iter().enumerate() {
            if pinned_count[si] > u64::from(s.capacity) {
                return Err(Error::PinnedOverCapacity {
                    slot: s.id.0.clone(),
                    field: "capacity",
                });
            }
            if let Some(m) = s.minutes_capacity {
                if pinned_minutes[si] > u64::from(m) {
                    return Err(Error::PinnedOverCapacity {
                        slot: s.id.0.clone(),
                        field: "minutes_capacity",
                    });
                }
            }
        }

        self.check_pathways(&referral)?;
        Ok(Index {
            slot,
            referral,
            slot_site,
            first_pinned,
        })
    }

    /// Two pinned bookings of one patient that overlap can never both be kept; the first places
    /// pinned bookings take ([`Problem::pinned_first_places`]).
    fn check_pinned_clashes(
        &self,
        slot: &HashMap<SlotId, usize>,
    ) -> Result<BTreeMap<usize, usize>> {
        let pinned: Vec<Option<usize>> = self
            .referrals
            .iter()
            .map(|r| {
                let b = r.existing_booking.as_ref().filter(|b| b.pinned)?;
                slot.get(&b.slot).copied()
            })
            .collect();
        self.pinned_first_places(&pinned)
    }

    /// Which pinned booking takes the first place of each multi-place slot (slot index to
    /// referral index), for the one-patient-one-place rule: a pinned booking whose patient's
    /// other pinned booking starts after it would end from its slot's start, but might overlap
    /// it placed later ([`Clash::FirstPlace`]). `pinned[r]` is the slot index of referral `r`'s
    /// pinned booking.
    ///
    /// # Errors
    /// [`Error::PinnedClash`] when two pinned bookings of one patient overlap however they are
    /// placed, or need a first place another pinned booking already has.
    fn pinned_first_places(&self, pinned: &[Option<usize>]) -> Result<BTreeMap<usize, usize>> {
        let mut by_patient: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (ri, r) in self.referrals.iter().enumerate() {
            if pinned[ri].is_some() {
                by_patient.entry(r.patient.as_str()).or_default().push(ri);
            }
        }
        let mut first: BTreeMap<usize, usize> = BTreeMap::new();
        for list in by_patient.values() {
            for (i, &a) in list.iter().enumerate() {
                for &b in &list[i + 1..] {
                    let (sa, sb) = (pinned[a].unwrap_or(0), pinned[b].unwrap_or(0));
                    let (ra, rb) = (&self.referrals[a], &self.referrals[b]);
                    let clashing = || Error::PinnedClash {
                        first: ra.id.to_string(),
                        second: rb.id.to_string(),
                    };
                    let needs = match clash(
                        &self.slots[sa],
                        ra.duration_minutes,
                        &self.slots[sb],
                        rb.duration_minutes,
                    ) {
                        Clash::Never => continue,
                        Clash::Always => return Err(clashing()),
                        Clash::FirstPlace(true) => (sa, a),
                        Clash::FirstPlace(false) => (sb, b),
                    };
                    if *first.entry(needs.0).or_insert(needs.1) != needs.1 {
                        return Err(clashing());
                    }
                }
            }
        }
        Ok(first)
    }

    fn check_pathways(&self, referral: &HashMap<ReferralId, usize>) -> Result<()> {
        let mut graph = DiGraph::<usize, ()>::new();
        let nodes: Vec<_> = (0..self.referrals.len())
            .map(|i| graph.add_node(i))
            .collect();
        for (k, step) in self.pathway_steps.iter().enumerate() {
            let unknown = |field, reference: &ReferralId| Error::UnknownReference {
                kind: RecordKind::PathwayStep,
                id: format!("pathway_steps[{k}]"),
                field,
                target: RecordKind::Referral,
                reference: reference.0.clone(),
            };
            let after = *referral
                .get(&step.after)
                .ok_or_else(|| unknown("after", &step.after))?;
            if let Prerequisite::Referral(before) = &step.before {
                let before = *referral
                    .get(before)
                    .ok_or_else(|| unknown("before", before))?;
                graph.add_edge(nodes[before], nodes[after], ());
            }
        }
        for component in tarjan_scc(&graph) {
            let cyclic = component.len() > 1
                || component
                    .first()
                    .is_some_and(|&n| graph.contains_edge(n, n));
            if cyclic {
                let mut referrals: Vec<String> = component
                    .iter()
                    .map(|&n| self.referrals[graph[n]].id.0.clone())
                    .collect();
                referrals.sort();
                return Err(Error::PathwayCycle { referrals });
            }
        }
        Ok(())
    }
}
