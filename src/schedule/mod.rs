//! What a caller gets back: bookings, reasons, breach status, objective values and solver
//! statistics; the independent validator; and a readable summary.

mod assemble;
mod summary;
mod validate;

pub(crate) use assemble::assemble;
pub use validate::{validate, Violation};

use crate::candidates::Exclusions;
use crate::formulation::ObjectiveValues;
use crate::model::{InputWarning, ReferralId, Service, SiteId, SlotId};
use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The result of a solve: one outcome per referral, in the order of `Problem::referrals`.
///
/// Serialises to the same bytes for the same problem and options (solve time is kept out of the
/// JSON: it is in [`SolveStats::elapsed`] and the text summary only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Schedule {
    /// One outcome per referral, in input order.
    pub outcomes: Vec<ReferralOutcome>,
    /// Value of each objective tier.
    pub objective: ObjectiveValues,
    /// What the solver did.
    pub stats: SolveStats,
    /// Free slots inside the horizon with places (or, in a session, minutes) no booking took,
    /// in slot input order, each with who could be offered it at short notice. Absent from the
    /// JSON when every place is used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unused: Vec<UnusedPlace>,
    /// Likely data mistakes in the input ([`Problem::warnings`](crate::Problem::warnings)):
    /// valid input solved as given, each naming its record. Absent from the JSON when there are
    /// none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<InputWarning>,
    /// Unavoidable-breach certificates: groups of referrals that no schedule can all see in
    /// time in a tier that counts breaches or long waits ([`Certificate`]), tier by tier in the
    /// objective's order, within a tier largest shortfall first. Computed by the optimiser's
    /// solve (a baseline's schedule has none); absent from the JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanations: Vec<Certificate>,
    /// What one more place would save, for each slot where it saves something or where it
    /// could not be measured past a tier ([`PlaceValue`]), tier by tier in the objective's
    /// order, within a tier largest saving first, then in slot input order. A slot not listed
    /// saves nothing on the tiers measured (every tier before the first with treat in turn or
    /// travel), or is not measured: a slot in a component the MIP backend solved (the
    /// schedule's statistics say which components those are), or one whose places pinned
    /// bookings fill (no referral has it as a candidate, so no network holds it). Computed by the optimiser's solve; absent
    /// from the JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place_values: Vec<PlaceValue>,
}

/// The marginal value of capacity: what one more place in `slot` would save, exactly, on the
/// lexicographic objective. `tier` is the first tier one more place would improve, and
/// `saving` by how much, in the tier's units (a count tier: patient-snapshots or breaches; clinical
/// days late: weighted days), every tier before it staying at its optimum. It holds for one
/// place: a second place in the same slot may save less (or, for a group of referrals, more).
///
/// How it is found: at each tier's optimum the network flow of the slot's component has a
/// residual network with no negative cycle; one more unit of capacity on the slot's arc saves
/// minus the shortest cycle through it, when negative (found from the tier's potentials, so
/// it is the same whichever optimal duals the engine returned). A slot whose arc has reduced
/// cost 0 and no negative cycle keeps every tier as it is and is measured again on the next
/// tier; one that no optimal schedule of a tier uses saves nothing on any later tier.
///
/// `saving` is absent when one more place leaves this tier (and those before it) as they are
/// but would let other schedules tie on it (the tier's duals are not unique there), so the
/// tiers after it were not measured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlaceValue {
    /// The slot.
    pub slot: SlotId,
    /// Its site.
    pub site: SiteId,
    /// Its service.
    pub service: Service,
    /// Its NHS date.
    pub date: NaiveDate,
    /// The tier's name, as in [`crate::Objective::tier_names`].
    pub tier: String,
    /// What one more place saves on the tier, in its units, at least 1; absent: not measured
    /// past this tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saving: Option<i64>,
}

/// A proof, checkable without the solver, that some referrals of one tier cannot all be seen in
/// time however the slots are booked: the `referrals` (at risk in the tier: unbooked, they cost
/// something there) can each be seen in time only on or before their `in_time_by` date, and all
/// their candidate slots by those dates are `slots`, which hold `places` places (capacity left
/// after pinned bookings) in all, fewer than there are referrals. At least `shortfall`
/// (`referrals.len() - places`) of them are therefore seen late or not at all in that tier, by
/// any schedule; adding `shortfall` places to these slots (one at a slot of each referral left
/// out) is what it takes for all of them to be in time. The validator ([`crate::validate`])
/// recounts the places and checks that no other slot a referral could use in time is missing.
///
/// A referral with `in_time_by` absent cannot be in time on any date of the horizon (already
/// past the tier's limit); those, and referrals with no candidate slot in time, are gathered in
/// one group without slots. Left out of every certificate: pinned referrals, referrals in a
/// pathway step and referrals of a patient with a pinned booking (leaving referrals out only
/// weakens the bound). The other rules of a component (minutes, one patient's overlapping
/// slots, pathway order) can only make things worse, so the bound holds for components the MIP
/// backend solves too; there it is not proven that the schedule meets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Certificate {
    /// The tier's name, as in [`crate::Objective::tier_names`].
    pub tier: String,
    /// The referrals of the group, in input order.
    pub referrals: Vec<ReferralId>,
    /// For each referral (same order), the last NHS date on which seeing it costs nothing in the
    /// tier; absent when no date of the horizon does.
    pub in_time_by: Vec<Option<NaiveDate>>,
    /// Every slot any of the referrals could use in time, in input order.
    pub slots: Vec<SlotId>,
    /// Places those slots hold, after pinned bookings.
    pub places: u32,
    /// Referrals of the group no schedule sees in time: `referrals.len() - places`, at least 1.
    pub shortfall: u32,
}

/// A free slot inside the horizon with room no booking took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnusedPlace {
    /// The slot.
    pub slot: SlotId,
    /// Its NHS date.
    pub date: NaiveDate,
    /// Places left (count capacity minus every booking, pinned ones included).
    pub places: u32,
    /// Minutes left, for a session that packs appointments by minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// Referrals the slot is out of reach for only because it falls inside the minimum notice
    /// period (they have not said they accept short notice), who are unbooked or booked on a
    /// later date, whose appointment fits the minutes left and beside their patient's other
    /// bookings: the people to ring. In the policy's turn order (priority weight, then clock
    /// start, then id), at most [`SHORT_NOTICE_LISTED`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub short_notice: Vec<ReferralId>,
    /// How many referrals could be offered it at short notice in all (`short_notice` lists the
    /// first of them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub short_notice_total: usize,
}

/// How many short-notice offers [`UnusedPlace::short_notice`] lists at most.
pub const SHORT_NOTICE_LISTED: usize = 5;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What happened to one referral.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReferralOutcome {
    /// The referral.
    pub referral: ReferralId,
    /// Booked, or unbooked with the reason.
    pub outcome: Outcome,
    /// The date that matters: the earlier of breach date and clinical target date.
    pub due_date: NaiveDate,
    /// Booked after the due date, or unbooked while the due date is inside the horizon.
    pub breached: bool,
    /// Days after the due date: the appointment date minus the due date when booked late; for an
    /// unbooked breach, at least the day after the horizon end minus the due date; else 0.
    pub days_late: u32,
    /// What happened to the referral's existing booking; absent (`None`) when it had none.
    /// Nothing the caller passed is dropped silently: a booking not kept is `moved` or
    /// `cancelled`, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<BookingChange>,
}

/// What happened to an existing booking.
///
/// JSON: `"kept"`, `{"moved": {"from": "S1"}}` (with `"because"` when its slot could not be
/// used), or `{"cancelled": {"from": "S1", "reason": "slot_blocked"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingChange {
    /// Booked where it was.
    Kept,
    /// Booked in another slot.
    Moved {
        /// The slot it was in.
        from: SlotId,
        /// Why its slot could not be kept, when it could not; absent when the schedule chose
        /// to move it (its slot was still usable).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        because: Option<ChangeReason>,
    },
    /// Left without an appointment.
    Cancelled {
        /// The slot it was in.
        from: SlotId,
        /// Why.
        reason: ChangeReason,
    },
}

/// Why an existing booking was not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// Its slot is not in the problem any more (removed from the plan).
    SlotRemoved,
    /// Its slot's status is `blocked` (a broken scanner, a cancelled list).
    SlotBlocked,
    /// Its slot's status is `booked` (taken by bookings outside the problem).
    SlotBooked,
    /// Its slot is still free but no longer fits the referral (a candidate rule excludes it:
    /// the patient is now unavailable that day, the slot is outside the horizon, ...).
    SlotUnusable,
    /// Its slot could still be used, but the schedule did not keep it (an unconfirmed booking
    /// given up for a patient the objective ranks higher, or a solver that stopped early).
    NotKept,
}

/// Booked or not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Booked into a slot.
    Booked(Booking),
    /// Not booked.
    Unbooked(UnbookedReason),
}

/// One appointment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Booking {
    /// The slot.
    pub slot: SlotId,
    /// The slot's site.
    pub site: SiteId,
    /// Appointment start. In a one-place slot, the slot start. In a multi-place slot each
    /// patient has their own time, in the slot's order: the booking that needs the first place
    /// (its patient's other appointment that day starts soon after the slot does) first, then
    /// the policy's turn order (priority weight, highest first, then clock start, then referral
    /// id), back to back from the slot start. In a clinic counted by places, an appointment that
    /// would run past the slot end starts again at the slot start, in parallel (the slot has
    /// more places than its length holds one after another: another room or clinician).
    pub start: DateTime<FixedOffset>,
    /// The NHS (Europe/London) date of the appointment.
    pub date: NaiveDate,
    /// True when this is the referral's pinned existing booking, kept as it was.
    pub pinned: bool,
}

/// Why a referral was not booked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum UnbookedReason {
    /// No slot passed the candidate rules; the counts say which rule excluded how many slots.
    NoCandidate {
        /// Slots excluded, by rule.
        exclusions: Exclusions,
    },
    /// Every candidate slot is full: the optimum gave them to referrals the objective ranks
    /// higher.
    NoCapacity {
        /// How many candidate slots it had.
        candidates: usize,
    },
    /// A candidate slot has room, but the earlier step of its pathway is not booked, or not
    /// early enough for the gap.
    PathwayOrder {
        /// How many candidate slots it had.
        candidates: usize,
        /// The earlier step's referral.
        before: ReferralId,
    },
    /// A candidate slot has room, but it may overlap another booking of the same patient,
    /// however the two are placed in their slots (or only with a first place another booking
    /// has).
    PatientClash {
        /// How many candidate slots it had.
        candidates: usize,
        /// The patient's referral booked at an overlapping time.
        with: ReferralId,
    },
    /// A candidate slot has room and nothing forbids it, but booking it would lower no tier of
    /// the objective (for example an objective without `treat_in_turn`, and a referral that
    /// stays inside every limit and snapshot either way): leaving it is as good.
    NoGain {
        /// How many candidate slots it had.
        candidates: usize,
    },
    /// A candidate slot has room and nothing forbids it: the solver stopped (time limit or gap)
    /// before using it.
    NotChosen {
        /// How many candidate slots it had.
        candidates: usize,
    },
    /// The solver stopped on its component without any schedule (time limit or failure).
    SolverStopped {
        /// The component, as numbered in [`ComponentStats::index`].
        component: usize,
    },
}

/// Which method solved a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// This crate's network simplex (capacity-only component: a transportation problem).
    NetworkFlow,
    /// The LP backend on a capacity-only component (its LP is integral).
    LinearProgram,
    /// The MIP backend with binary variables.
    MixedInteger,
}

/// What the solver said, honestly.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal in every tier.
    Optimal,
    /// Feasible, stopped within the requested MIP gap (see the component's `gap`).
    GapLimit,
    /// Built by a booking rule (a baseline), not a solver: feasible, no optimality claim.
    Heuristic,
    /// Stopped at the time limit with the best schedule found.
    TimeLimit,
    /// The backend returned an error (not a limit) on a tier: the schedule is the best of the
    /// tiers before it, or the priority-then-FCFS starting schedule when it failed on the
    /// first; the component's `message` says what the backend said.
    BackendError,
    /// Stopped without any schedule: its referrals are unbooked with reason `solver_stopped`.
    NoSolution,
}

/// Statistics of one component solved by a backend, or of a network component the time limit
/// stopped or on which a tier fell back from cost scaling to the network simplex (its
/// `message` says which; other network components solved to optimality are only counted, in
/// [`SolveStats::network_components`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ComponentStats {
    /// Index of the component (components are numbered by their first referral).
    pub index: usize,
    /// Referrals in it.
    pub referrals: usize,
    /// Slots in it.
    pub slots: usize,
    /// Method used.
    pub method: Method,
    /// Status.
    pub status: SolveStatus,
    /// Model variables.
    pub variables: usize,
    /// Model rows.
    pub constraints: usize,
    /// Tier-1 value of the schedule found.
    pub tier1_value: i64,
    /// Lower bound on tier 1 from the LP relaxation, when the solve was not proven optimal.
    pub tier1_bound: Option<f64>,
    /// Relative tier-1 gap `(value - bound) / max(value, 1)`, when a bound was computed.
    pub gap: Option<f64>,
    /// What the backend said, when it failed.
    pub message: Option<String>,
}

/// Solver statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SolveStats {
    /// The MIP/LP backend used for components that needed one.
    pub backend: String,
    /// The worst status over all components.
    pub status: SolveStatus,
    /// Number of independent components.
    pub component_count: usize,
    /// Components solved to optimality by network flow (the network simplex, with cost scaling
    /// for tiers of many distinct costs).
    pub network_components: usize,
    /// Total variables (candidate arcs) over all components.
    pub variables: usize,
    /// Total constraint rows of the backend models.
    pub constraints: usize,
    /// Components solved by the LP/MIP backend, network components the time limit stopped
    /// before they started, and network components on which a tier fell back from cost scaling
    /// to the network simplex, in component order.
    pub components: Vec<ComponentStats>,
    /// Wall-clock time of the solve; not serialised, so output stays byte-identical.
    #[serde(skip)]
    pub elapsed: Duration,
    /// Time spent building candidates and models; not serialised.
    #[serde(skip)]
    pub build_time: Duration,
}

impl Schedule {
    /// The JSON Schema (draft 2020-12) of the schedule JSON ([`Schedule::to_json`]),
    /// pretty-printed; the repository commits it as `schema/schedule.schema.json`.
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(&schemars::schema_for!(Schedule)).unwrap_or_default()
    }

    /// The schedule as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The bookings, in referral order.
    pub fn bookings(&self) -> impl Iterator<Item = (&ReferralId, &Booking)> {
        self.outcomes.iter().filter_map(|o| match &o.outcome {
            Outcome::Booked(b) => Some((&o.referral, b)),
            Outcome::Unbooked(_) => None,
        })
    }

    /// The outcome of one referral.
    pub fn outcome(&self, referral: &str) -> Option<&ReferralOutcome> {
        self.outcomes
            .iter()
            .find(|o| o.referral.as_str() == referral)
    }
}
