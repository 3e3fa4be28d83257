//! Referrals: the waiting-list entries to book.

use super::geo::Location;
use super::ids::{Capability, PatientId, ReferralId, SiteId, SlotId};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The 15 key diagnostic tests of the DM01 diagnostic waiting times return
/// (NHS England DM01 guidance; `shared/docs/nhs-rules.md`, "DM01 test types").
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum DiagnosticTest {
    Mri,
    Ct,
    NonObstetricUltrasound,
    BariumEnema,
    DexaScan,
    AudiologyAssessment,
    Echocardiography,
    CardiacElectrophysiology,
    PeripheralNeurophysiology,
    SleepStudies,
    Urodynamics,
    Colonoscopy,
    FlexiSigmoidoscopy,
    Cystoscopy,
    Gastroscopy,
}

impl DiagnosticTest {
    /// All 15 DM01 tests, in the order of the DM01 return.
    pub const ALL: [DiagnosticTest; 15] = [
        DiagnosticTest::Mri,
        DiagnosticTest::Ct,
        DiagnosticTest::NonObstetricUltrasound,
        DiagnosticTest::BariumEnema,
        DiagnosticTest::DexaScan,
        DiagnosticTest::AudiologyAssessment,
        DiagnosticTest::Echocardiography,
        DiagnosticTest::CardiacElectrophysiology,
        DiagnosticTest::PeripheralNeurophysiology,
        DiagnosticTest::SleepStudies,
        DiagnosticTest::Urodynamics,
        DiagnosticTest::Colonoscopy,
        DiagnosticTest::FlexiSigmoidoscopy,
        DiagnosticTest::Cystoscopy,
        DiagnosticTest::Gastroscopy,
    ];
}

/// What a referral needs and a slot provides.
///
/// JSON is externally tagged: `{"diagnostic": "mri"}`, `{"outpatient": "110"}` (a treatment
/// function code, as in the RTT returns without the `C_` prefix), `{"operation": "hip_replacement"}`.
/// Two services match when they are equal.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// A DM01 diagnostic test.
    Diagnostic(DiagnosticTest),
    /// An outpatient clinic of a treatment function (three-digit TFC code, for example `"110"`
    /// trauma and orthopaedics).
    Outpatient(String),
    /// An operation on a theatre list, named by the trust (an OPCS code or a local procedure name).
    Operation(String),
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Service::Diagnostic(test) => write!(f, "diagnostic {test:?}"),
            Service::Outpatient(tfc) => write!(f, "outpatient clinic TFC {tfc}"),
            Service::Operation(name) => write!(f, "operation {name}"),
        }
    }
}

/// A waiting-time standard a referral is measured against. Its limit in days is
/// [`crate::rules::standard_limit_days`].
///
/// JSON: `"rtt_18_weeks"`, `"diagnostic_6_weeks"`, `"cancer_faster_diagnosis_28_days"`,
/// `"cancer_62_days"`, `"cancer_31_days"`, or `{"custom_days": 90}`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WaitingTimeStandard {
    /// Consultant-led referral to treatment, 18 weeks (RTT rules v5.0).
    #[serde(rename = "rtt_18_weeks")]
    Rtt18Weeks,
    /// Diagnostic test within 6 weeks (DM01).
    #[serde(rename = "diagnostic_6_weeks")]
    Diagnostic6Weeks,
    /// Cancer Faster Diagnosis Standard, 28 days.
    #[serde(rename = "cancer_faster_diagnosis_28_days")]
    CancerFasterDiagnosis28Days,
    /// Cancer referral to first definitive treatment, 62 days.
    #[serde(rename = "cancer_62_days")]
    Cancer62Days,
    /// Cancer decision to treat to treatment, 31 days.
    #[serde(rename = "cancer_31_days")]
    Cancer31Days,
    /// A local standard of the given number of days (at least 1).
    CustomDays(u32),
}

/// Referral priority (NHS Data Dictionary PRIORITY TYPE: 1 routine, 2 urgent, 3 two week wait).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferralPriority {
    /// Routine (PRIORITY TYPE 1).
    #[default]
    Routine,
    /// Urgent (PRIORITY TYPE 2).
    Urgent,
    /// Urgent suspected cancer, formerly two week wait (PRIORITY TYPE 3).
    UrgentSuspectedCancer,
}

/// Surgical prioritisation class (Federation of Surgical Specialty Associations / Royal College of
/// Surgeons clinical guide to surgical prioritisation). Its clinical target is
/// [`crate::rules::surgical_target_days`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum SurgicalPriority {
    /// Emergency: within 24 hours.
    P1a,
    /// Urgent: within 72 hours.
    P1b,
    /// Within 1 month.
    P2,
    /// Within 3 months.
    P3,
    /// Can wait longer than 3 months.
    P4,
}

/// A period the patient cannot attend, both dates included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailablePeriod {
    /// First day the patient is unavailable.
    pub from: NaiveDate,
    /// Last day the patient is unavailable (on or after `from`).
    pub to: NaiveDate,
}

impl UnavailablePeriod {
    /// Whether `date` falls inside the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// A booking the referral already holds.
///
/// What happens to it is in the schedule: [`crate::ReferralOutcome::change`] says whether it was
/// kept, moved or cancelled, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExistingBooking {
    /// The slot booked. For an unpinned booking the slot may be missing from the problem (it
    /// was removed from the plan): the booking is then cancelled, and the schedule says so. A
    /// pinned booking's slot must exist.
    pub slot: SlotId,
    /// When true the booking is kept exactly as it is. When false it is a booking the optimiser
    /// may move: its slot stays a candidate even inside the minimum notice period.
    #[serde(default)]
    pub pinned: bool,
    /// The patient has been told the date. Moving it, or cancelling it while its slot can still
    /// be used, is a hospital cancellation, which the objective's `cancelled_confirmed` and
    /// `disruption` terms count; when its slot is gone (blocked, booked or removed), the
    /// referral is to be rebooked within 28 days ([`crate::rules::REBOOK_AFTER_CANCELLATION_DAYS`]).
    /// Default false.
    #[serde(default)]
    pub confirmed: bool,
    /// The booking system's own id for this appointment (a PAS appointment number, a FHIR
    /// `Appointment.id`), carried unchanged so that an export can change that appointment;
    /// never used to decide anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_id: Option<String>,
}

/// A date offered to the patient and declined.
///
/// After a declined reasonable offer the next offer should fall within 6 weeks of the first
/// declined date, and two declined reasonable offers may lead the clinician to active
/// monitoring, reviewed every 12 weeks (RTT rules v5.0 §4.4.1.4, §8.3; `shared/docs/nhs-rules.md`,
/// "How each standard is measured"): [`crate::rules::declined_offer_deadline`] and
/// [`crate::rules::needs_clinical_review`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclinedOffer {
    /// The date offered (on or after the clock start).
    pub offered_date: NaiveDate,
    /// When the patient declined it (on or after the clock start, on or before the planning
    /// date).
    pub declined_on: NaiveDate,
    /// The offer was reasonable (at least 3 weeks' notice and the patient's choice of provider
    /// respected: RTT rules v5.0, reasonableness). Only reasonable offers count.
    pub reasonable: bool,
}

/// An appointment the patient did not attend (DNA) on the referral's pathway.
///
/// After a DNA at the *first* appointment the clock is nullified and a new one starts at zero
/// on the date the new appointment was agreed; after a later DNA the clock keeps running
/// (NHS England, Recording and reporting RTT waiting times v5.0, section 4.4.1.3;
/// `shared/docs/nhs-rules.md`, "Clock rules"). [`crate::rules::running_clock_start`] applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DidNotAttend {
    /// The date of the missed appointment (on or after the clock start, on or before the
    /// planning date).
    pub date: NaiveDate,
    /// Whether it was the first appointment of the pathway (the first outpatient attendance or
    /// the first test); after a first-appointment DNA the appointment being booked is again a
    /// first appointment.
    #[serde(default)]
    pub first_appointment: bool,
    /// The date the new appointment was agreed with the patient (the rebooking decision; on
    /// or after `date`, on or before the planning date). For a patient being rebooked in this
    /// run, the planning date.
    pub rebooked_on: NaiveDate,
}

/// A waiting-list entry: one appointment to book for one patient.
///
/// Dates are NHS (Europe/London) calendar dates. Only `id`, `patient`, `service`,
/// `clock_start`, `standards` and `duration_minutes` are required in JSON; unknown fields are
/// rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Unique referral id.
    pub id: ReferralId,
    /// Pseudonymous patient id.
    pub patient: PatientId,
    /// The service needed.
    pub service: Service,
    /// The date the waiting-time clock started (on or before the planning date). After a
    /// first-appointment DNA the running clock starts later: see
    /// [`crate::rules::running_clock_start`].
    pub clock_start: NaiveDate,
    /// The waiting-time standards the referral is on (at least one); its breach date is the
    /// earliest of their limits.
    pub standards: Vec<WaitingTimeStandard>,
    /// Referral priority; routine when absent.
    #[serde(default)]
    pub priority: ReferralPriority,
    /// Surgical prioritisation class, for operations.
    #[serde(default)]
    pub surgical_priority: Option<SurgicalPriority>,
    /// Appointment length in minutes (at least 1).
    pub duration_minutes: u32,
    /// The earliest date the referral may be booked (for example after a pre-operative assessment).
    #[serde(default)]
    pub earliest_date: Option<NaiveDate>,
    /// Periods the patient cannot attend.
    #[serde(default)]
    pub unavailable: Vec<UnavailablePeriod>,
    /// Where the patient lives; without it travel is not limited and not measured.
    #[serde(default)]
    pub home: Option<Location>,
    /// The farthest the patient will travel, in kilometres (great-circle); unlimited when absent.
    #[serde(default)]
    pub max_travel_km: Option<f64>,
    /// Capabilities every slot it is booked into must offer (the slot's or its site's).
    #[serde(default)]
    pub requirements: BTreeSet<Capability>,
    /// Sites the patient prefers; others carry the policy's non-preferred-site penalty.
    #[serde(default)]
    pub preferred_sites: Vec<SiteId>,
    /// A booking the referral already holds.
    #[serde(default)]
    pub existing_booking: Option<ExistingBooking>,
    /// The patient has agreed to dates inside the policy's minimum notice period.
    #[serde(default)]
    pub accepts_short_notice: bool,
    /// Appointments the patient did not attend on this pathway, in any order. A first-appointment
    /// DNA restarts the clock (see [`DidNotAttend`]).
    #[serde(default)]
    pub did_not_attend: Vec<DidNotAttend>,
    /// Dates offered and declined, in any order ([`DeclinedOffer`]).
    #[serde(default)]
    pub declined_offers: Vec<DeclinedOffer>,
}
