//! FHIR R4 (UK Core) in and out: a trust's waiting list and capacity as a FHIR Bundle read into a
//! [`Problem`], and a schedule written back as a transaction Bundle of Appointments.
//!
//! [`import_bundle`] reads a Bundle (`collection`, `searchset` or `transaction`) of
//! ServiceRequest (the waiting-list entries), Patient (the home location, where present),
//! Slot, Schedule, Location, HealthcareService and Appointment (existing bookings).
//! [`export_appointments`] writes the bookings as a transaction Bundle and the referrals left
//! unbooked as an OperationOutcome. The README's "From a trust's systems" has the mapping
//! table element by element; the short form:
//!
//! - a referral's service is a DM01 test when `ServiceRequest.code` carries one of
//!   [`SNOMED_DM01`] or a code of [`DM01_SYSTEM`], an operation when it carries a code of
//!   [`OPERATION_SYSTEM`], and otherwise the treatment function of a
//!   [`PRACTICE_SETTING_SYSTEM`] coding in `category` or `performerType`, or in the `specialty`
//!   of an Appointment based on it; a slot's the same from `serviceType` and `specialty` (its
//!   own, then its Schedule's, then the HealthcareService the Schedule names);
//! - the RTT clock start, the waiting-time standards, urgent suspected cancer, the surgical
//!   priority class, the appointment length and the travel limit come from the
//!   [`WAITING_LIST_ENTRY`] extension, which core FHIR lacks; without it the clock starts on
//!   `authoredOn` (noted) and the standards follow the service;
//! - a site is a Location; without `position` travel to it is not measured (and the schedule
//!   warns); a Location a Schedule names but the bundle lacks becomes a site without
//!   coordinates (noted);
//! - a slot takes one patient unless the [`SLOT_CAPACITY`] extension gives its places and
//!   minutes.
//!
//! Nothing read is dropped silently: a resource left out (a ServiceRequest no longer active, a
//! cancelled or past Appointment, resource types the adapter does not read) and every value
//! assumed is an [`ImportNote`]. Errors are [`Error::Fhir`], naming the resource and element.
//!
//! The crate's own extensions and code systems live under
//! `https://appointment-optimiser.org/fhir/`; the addresses identify them and do not resolve.

mod export;
mod import;
mod resources;

pub use export::{export_appointments, AppointmentStatus, FhirExport};
pub use import::{import_bundle, FhirImport, ImportNote, ImportSettings};

#[cfg(doc)]
use crate::{Error, Problem};

/// UK Core practice setting (specialty) code system, whose codes are the NHS treatment function
/// codes of the RTT returns (`110` trauma and orthopaedics).
pub const PRACTICE_SETTING_SYSTEM: &str =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-PracticeSettingCode";

/// SNOMED CT.
pub const SNOMED_SYSTEM: &str = "http://snomed.info/sct";

/// The crate's code system of the 15 DM01 tests: codes are the JSON names of
/// [`crate::DiagnosticTest`] (`mri`, `ct`, `non_obstetric_ultrasound`, `colonoscopy`, ...).
pub const DM01_SYSTEM: &str = "https://appointment-optimiser.org/fhir/CodeSystem/dm01-test";

/// The crate's code system of operations: the code is the trust's procedure name or OPCS-4 code,
/// read as [`crate::Service::Operation`].
pub const OPERATION_SYSTEM: &str = "https://appointment-optimiser.org/fhir/CodeSystem/operation";

/// The crate's code system of the reasons a referral was left unbooked, in the exported
/// OperationOutcome: codes are the `reason` names of [`crate::UnbookedReason`].
pub const UNBOOKED_REASON_SYSTEM: &str =
    "https://appointment-optimiser.org/fhir/CodeSystem/unbooked-reason";

/// The crate's identifier system of the Appointments it writes: the value is
/// `{referral}:{slot}:{start}` (start in UTC, `2026-12-08T09:20:00Z`), the same for the same
/// booking, so that a transaction applied twice creates each Appointment once (`ifNoneExist`).
pub const BOOKING_IDENTIFIER_SYSTEM: &str =
    "https://appointment-optimiser.org/fhir/NamingSystem/booking";

/// HL7's code system of appointment cancellation reasons; a booking the schedule moves or
/// cancels is cancelled with code `prov` (Provider) and the reason in words.
pub const CANCELLATION_REASON_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason";

/// SNOMED CT procedures read as DM01 tests: `(code, test)`. A code not listed here is not read
/// as a test (the adapter has no terminology server to find a code's parents): code a test
/// with [`DM01_SYSTEM`] instead.
pub const SNOMED_DM01: [(&str, crate::DiagnosticTest); 6] = [
    ("113091000", crate::DiagnosticTest::Mri),
    ("77477000", crate::DiagnosticTest::Ct),
    ("169069000", crate::DiagnosticTest::Ct),
    ("16310003", crate::DiagnosticTest::NonObstetricUltrasound),
    ("40701008", crate::DiagnosticTest::Echocardiography),
    ("73761001", crate::DiagnosticTest::Colonoscopy),
];

/// Complex extension on ServiceRequest with what core FHIR has no element for. Sub-extensions,
/// each optional: `clockStart` (valueDate: the RTT clock start), `standard` (valueCode,
/// repeating: `rtt_18_weeks`, `diagnostic_6_weeks`, `cancer_faster_diagnosis_28_days`,
/// `cancer_62_days`, `cancer_31_days`), `customDays` (valueInteger, repeating: a local
/// standard of that many days), `priority` (valueCode: `routine`, `urgent`,
/// `urgent_suspected_cancer`), `surgicalPriority` (valueCode: `P1a`, `P1b`, `P2`, `P3`,
/// `P4`), `durationMinutes` (valueInteger), `maxTravelKm` (valueDecimal, kilometres) and
/// `acceptsShortNotice` (valueBoolean).
pub const WAITING_LIST_ENTRY: &str =
    "https://appointment-optimiser.org/fhir/StructureDefinition/waiting-list-entry";

/// Complex extension on Slot: `places` (valueInteger, at least 1: the appointments the slot
/// takes; 1 without it) and `minutes` (valueInteger: the minutes of appointments a session
/// packs).
pub const SLOT_CAPACITY: &str =
    "https://appointment-optimiser.org/fhir/StructureDefinition/slot-capacity";

/// Extension on Location (valueCode `nhs_trust`, `community_diagnostic_centre` or
/// `independent_sector`): the kind of provider; `nhs_trust` without it.
pub const SITE_KIND: &str = "https://appointment-optimiser.org/fhir/StructureDefinition/site-kind";

/// Extension on Appointment (valueBoolean): the booking is pinned, kept exactly as it is.
pub const PINNED_BOOKING: &str =
    "https://appointment-optimiser.org/fhir/StructureDefinition/pinned-booking";

/// Core FHIR's geolocation extension on Address (sub-extensions `latitude` and `longitude`,
/// valueDecimal degrees): a patient's home.
pub const GEOLOCATION: &str = "http://hl7.org/fhir/StructureDefinition/geolocation";
