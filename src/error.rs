//! The crate's error type.

use chrono::NaiveDate;
use std::fmt;

/// The kind of record an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// The problem itself (planning date, horizon).
    Problem,
    /// The booking policy.
    Policy,
    /// A site.
    Site,
    /// A slot.
    Slot,
    /// A referral.
    Referral,
    /// A pathway step (identified as `pathway_steps[k]`, its position counted from 0).
    PathwayStep,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Problem => "problem",
            RecordKind::Policy => "policy",
            RecordKind::Site => "site",
            RecordKind::Slot => "slot",
            RecordKind::Referral => "referral",
            RecordKind::PathwayStep => "pathway step",
        })
    }
}

/// Everything that can go wrong. Each variant names the record and field at fault and its
/// message says how to fix it. Patient data never appears beyond record ids.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JSON could not be read into a [`crate::Problem`]: malformed JSON, a missing required
    /// field, an unknown field, or a value of the wrong type. `path` is where, for example
    /// `referrals[3].duration_minutes`.
    #[error(
        "invalid problem JSON at `{path}`: {message}; the README's input format lists every field"
    )]
    Json {
        /// Path to the offending element (`.` when the document as a whole is at fault).
        path: String,
        /// What the parser said, with line and column.
        message: String,
    },
    /// Two records of one kind share an id.
    #[error("duplicate {kind} id `{id}`: give every {kind} a unique id")]
    DuplicateId {
        /// Kind of record.
        kind: RecordKind,
        /// The repeated id.
        id: String,
    },
    /// A record names a site, slot or referral that is not in the problem.
    #[error("{kind} `{id}` field `{field}` names unknown {target} `{reference}`: add that {target} to the problem or correct the id")]
    UnknownReference {
        /// Kind of the record holding the reference.
        kind: RecordKind,
        /// Its id.
        id: String,
        /// The field holding the reference.
        field: &'static str,
        /// Kind of record referred to.
        target: RecordKind,
        /// The id that was not found.
        reference: String,
    },
    /// A field holds a value outside what it may take.
    #[error("{kind} `{id}` field `{field}`: {reason}")]
    InvalidField {
        /// Kind of record.
        kind: RecordKind,
        /// Its id.
        id: String,
        /// The field.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The planning date is after the horizon end.
    #[error("planning_date {planning_date} is after horizon_end {horizon_end}: the horizon must end on or after the planning date")]
    HorizonBeforePlanningDate {
        /// The planning date.
        planning_date: NaiveDate,
        /// The horizon's last day.
        horizon_end: NaiveDate,
    },
    /// Pathway steps form a cycle, so no order satisfies them.
    #[error("pathway steps form a cycle through referrals {}: remove one of the steps", .referrals.join(", "))]
    PathwayCycle {
        /// The referral ids on the cycle, sorted.
        referrals: Vec<String>,
    },
    /// Pinned bookings alone exceed a free slot's count or minutes.
    #[error("slot `{slot}` holds more pinned bookings than its {field} allows: unpin one or raise the slot's {field}")]
    PinnedOverCapacity {
        /// The slot.
        slot: String,
        /// `capacity` or `minutes_capacity`.
        field: &'static str,
    },
    /// Two pinned bookings of one patient overlap in time however they are placed in their slots
    /// (a multi-place slot gives each booking its own start time, and only one booking its first
    /// place), so both cannot be kept.
    #[error("referrals `{first}` and `{second}` are pinned to overlapping times for the same patient: unpin one of them")]
    PinnedClash {
        /// The earlier referral.
        first: String,
        /// The later referral.
        second: String,
    },
    /// A backend was asked for that this build does not include.
    #[error("backend `{backend}` is not compiled into this build: enable Cargo feature `{backend}` or choose one of {}", .compiled.join(", "))]
    BackendNotCompiled {
        /// The backend asked for.
        backend: String,
        /// The backends this build has.
        compiled: Vec<String>,
    },
    /// A solve option is out of range.
    #[error("solve option `{option}`: {reason}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Objective costs grew too large for exact integer arithmetic.
    #[error("objective tier `{tier}` overflows 64-bit integer arithmetic in component {component}: split the problem or shorten the horizon")]
    ObjectiveOverflow {
        /// Component index.
        component: usize,
        /// Tier name (its terms joined by `+`, as in [`crate::Objective::tier_names`]).
        tier: String,
    },
    /// The network flow engines failed on a capacity-only component for a reason other than
    /// overflow. The unbooked arcs make every such component feasible, so this is a defect of
    /// the crate: please report it with the problem.
    #[error("network flow failed on tier `{tier}` of component {component}: {message} (a defect: please report it with the problem)")]
    NetworkFlow {
        /// Component index.
        component: usize,
        /// Tier name.
        tier: String,
        /// What the engine said.
        message: String,
    },
    /// An export asked for DIMACS min-cost flow of a component that has side constraints
    /// (minutes capacity that can bind, one patient's overlapping slots, pathway order): only
    /// capacity-only components are min-cost flow problems. Write it as MPS instead.
    #[error("component {component} is not capacity-only (it has minutes, patient-overlap or pathway rows): DIMACS min-cost flow holds only capacity-only components; export it as MPS")]
    NotCapacityOnly {
        /// Component index.
        component: usize,
    },
    /// Writing an export failed.
    #[error("cannot write the export ({kind:?}): {message}")]
    Io {
        /// The I/O error's kind.
        kind: std::io::ErrorKind,
        /// What the operating system said.
        message: String,
    },
    /// A FHIR bundle could not be read into a problem (`crate::fhir::import_bundle`), or a
    /// schedule of another problem was given to `crate::fhir::export_appointments`.
    /// `resource` is the resource's type and id (`ServiceRequest/abc`), or its place in the
    /// bundle (`Bundle.entry[3]`) when it has no id; `element` is the FHIR element path at fault
    /// (`ServiceRequest.subject.reference`). Values of the patient's own data are never repeated.
    #[error("FHIR `{resource}` element `{element}`: {reason}")]
    Fhir {
        /// The resource, as `Type/id`, or `Bundle` / `Bundle.entry[k]`.
        resource: String,
        /// The element path, from the resource type.
        element: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Several resources of a FHIR bundle are at fault: [`crate::fhir::import_bundle`] reads the
    /// whole bundle before it gives up, and `errors` holds each (every one an [`Error::Fhir`]),
    /// in the order the import reads them.
    #[error("{} faults in the FHIR bundle; the first: {}", .errors.len(), .errors.first().map(ToString::to_string).unwrap_or_default())]
    FhirBundle {
        /// Each fault, at least two.
        errors: Vec<Error>,
    },
    /// The backend found no schedule for any component, so there is no schedule at all. When
    /// some components are solved, the schedule comes back instead, with the failed components'
    /// referrals unbooked (reason `solver_stopped`) and the failure in its statistics.
    #[error("solver backend failed on every component; first failure in component {component}: {message}")]
    Solver {
        /// Component index.
        component: usize,
        /// What the backend said.
        message: String,
    },
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}
