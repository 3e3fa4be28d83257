//! Serde types for exactly the FHIR R4 elements the adapter reads and writes. Unknown elements
//! are ignored when reading (a UK Core resource carries many the booking model has no use for);
//! absent elements are left out when writing.

use serde::{Deserialize, Serialize};

/// `Coding`: one code from one code system.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub(crate) struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// `CodeableConcept`: codings and text.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub(crate) struct CodeableConcept {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `Reference`: a literal reference (`Type/id`) and its display.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub(crate) struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    /// A reference to `kind/id`.
    pub fn to(kind: &str, id: &str) -> Self {
        Self {
            reference: Some(format!("{kind}/{id}")),
            display: None,
        }
    }

    /// The id when the reference is to a resource of type `kind` (`Patient/abc` or a full URL
    /// ending in `/Patient/abc`).
    pub fn id_of(&self, kind: &str) -> Option<&str> {
        let r = self.reference.as_deref()?;
        let (head, id) = r.rsplit_once('/')?;
        let ty = head.rsplit('/').next()?;
        (ty == kind && !id.is_empty()).then_some(id)
    }
}

/// `Extension`, simple or complex, with the value types the adapter uses.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Extension {
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
}

/// `Period`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct Period {
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
}

/// `Bundle` as read: its type and the resources of its entries, each kept as JSON until its
/// type is known.
#[derive(Debug, Deserialize)]
pub(crate) struct Bundle {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub total: Option<u64>,
    #[serde(default)]
    pub link: Vec<BundleLink>,
    #[serde(default)]
    pub entry: Vec<BundleEntry>,
}

/// `Bundle.link`: a searchset's paging.
#[derive(Debug, Deserialize)]
pub(crate) struct BundleLink {
    pub relation: Option<String>,
}

/// One `Bundle.entry`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BundleEntry {
    #[serde(default)]
    pub full_url: Option<String>,
    #[serde(default)]
    pub resource: Option<serde_json::Value>,
    #[serde(default)]
    pub request: Option<EntryRequest>,
    #[serde(default)]
    pub search: Option<EntrySearch>,
}

/// `Bundle.entry.search` of a searchset.
#[derive(Debug, Deserialize)]
pub(crate) struct EntrySearch {
    #[serde(default)]
    pub mode: Option<String>,
}

/// `Bundle.entry.request` of a transaction.
#[derive(Debug, Deserialize)]
pub(crate) struct EntryRequest {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// `ServiceRequest`: a waiting-list entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceRequest {
    #[serde(default)]
    pub extension: Vec<Extension>,
    pub status: Option<String>,
    pub intent: Option<String>,
    pub do_not_perform: Option<bool>,
    pub priority: Option<String>,
    #[serde(default)]
    pub category: Vec<CodeableConcept>,
    pub code: Option<CodeableConcept>,
    pub performer_type: Option<CodeableConcept>,
    pub subject: Option<Reference>,
    pub occurrence_date_time: Option<String>,
    pub occurrence_period: Option<Period>,
    pub authored_on: Option<String>,
    #[serde(default)]
    pub location_reference: Vec<Reference>,
}

/// `Patient`, for the home location and whether the patient has died.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Patient {
    #[serde(default)]
    pub extension: Vec<Extension>,
    pub active: Option<bool>,
    pub deceased_boolean: Option<bool>,
    pub deceased_date_time: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
}

/// `Address`, for its `use`, its period and the core geolocation extension only.
#[derive(Debug, Deserialize)]
pub(crate) struct Address {
    #[serde(rename = "use")]
    pub usage: Option<String>,
    pub period: Option<Period>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

/// `Location.position`.
#[derive(Debug, Deserialize)]
pub(crate) struct Position {
    pub longitude: f64,
    pub latitude: f64,
}

/// `Location`: a site.
#[derive(Debug, Deserialize)]
pub(crate) struct Location {
    #[serde(default)]
    pub extension: Vec<Extension>,
    pub name: Option<String>,
    pub position: Option<Position>,
}

/// `HealthcareService`: a service at locations.
#[derive(Debug, Deserialize)]
pub(crate) struct HealthcareService {
    #[serde(default)]
    pub extension: Vec<Extension>,
    #[serde(default)]
    pub specialty: Vec<CodeableConcept>,
    #[serde(default)]
    pub location: Vec<Reference>,
}

/// `Schedule`: whose slots they are.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Schedule {
    #[serde(default)]
    pub extension: Vec<Extension>,
    #[serde(default)]
    pub service_type: Vec<CodeableConcept>,
    #[serde(default)]
    pub specialty: Vec<CodeableConcept>,
    #[serde(default)]
    pub actor: Vec<Reference>,
}

/// `Slot`: capacity.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Slot {
    #[serde(default)]
    pub extension: Vec<Extension>,
    #[serde(default)]
    pub service_type: Vec<CodeableConcept>,
    #[serde(default)]
    pub specialty: Vec<CodeableConcept>,
    pub schedule: Option<Reference>,
    pub status: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// `Appointment` as read: an existing booking.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppointmentIn {
    #[serde(default)]
    pub extension: Vec<Extension>,
    pub status: Option<String>,
    #[serde(default)]
    pub specialty: Vec<CodeableConcept>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub minutes_duration: Option<u32>,
    #[serde(default)]
    pub slot: Vec<Reference>,
    #[serde(default)]
    pub based_on: Vec<Reference>,
    #[serde(default)]
    pub participant: Vec<ParticipantIn>,
}

/// `Appointment.participant` as read: its actor only.
#[derive(Debug, Deserialize)]
pub(crate) struct ParticipantIn {
    pub actor: Option<Reference>,
}

/// `Identifier`: a business identifier.
#[derive(Debug, Serialize)]
pub(crate) struct Identifier {
    pub system: &'static str,
    pub value: String,
}

/// `Appointment.participant` as written.
#[derive(Debug, Serialize)]
pub(crate) struct Participant {
    pub actor: Reference,
    pub required: &'static str,
    pub status: &'static str,
}

/// `Appointment` as written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppointmentOut {
    pub resource_type: &'static str,
    pub identifier: Vec<Identifier>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_type: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub specialty: Vec<CodeableConcept>,
    pub start: String,
    pub end: String,
    pub minutes_duration: u32,
    pub slot: Vec<Reference>,
    pub based_on: Vec<Reference>,
    pub participant: Vec<Participant>,
}
