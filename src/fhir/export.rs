//! A schedule written as FHIR: a transaction Bundle of Appointments and an OperationOutcome of
//! the referrals left unbooked.

use super::resources::{AppointmentOut, CodeableConcept, Coding, Participant, Reference};
use super::{
    DM01_SYSTEM, OPERATION_SYSTEM, PRACTICE_SETTING_SYSTEM, SNOMED_DM01, SNOMED_SYSTEM,
    UNBOOKED_REASON_SYSTEM,
};
use crate::error::{Error, Result};
use crate::model::{Problem, Referral, Service};
use crate::schedule::{Booking, BookingChange, Outcome, Schedule, UnbookedReason};
use chrono::{Duration, SecondsFormat};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The status the new Appointments are written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppointmentStatus {
    /// `proposed`: the booking team still offers the date to the patient (a reasonable offer)
    /// before it is booked. The patient participant's status is `needs-action`.
    Proposed,
    /// `booked`: the date is booked; the patient participant's status is `accepted`.
    Booked,
}

/// A schedule as FHIR JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct FhirExport {
    /// A transaction Bundle: one `POST Appointment` per new or moved booking, and one FHIRPath
    /// `PATCH Appointment/{id}` setting `status` to `cancelled` per existing Appointment moved
    /// or cancelled. Kept and pinned bookings are not written: their Appointments stand.
    pub transaction: String,
    /// An OperationOutcome with one issue per referral left unbooked (severity `information`,
    /// the reason coded in [`UNBOOKED_REASON_SYSTEM`] and described in words, `diagnostics`
    /// naming the ServiceRequest), and one `warning` per existing booking moved or cancelled
    /// that has no `appointment_id` to patch (cancel it in the booking system by hand).
    pub unbooked: String,
    /// How many Appointments the transaction creates.
    pub created: usize,
    /// How many existing Appointments it cancels.
    pub cancelled: usize,
    /// How many referrals are left unbooked.
    pub unbooked_referrals: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: &'static str,
    url: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Body {
    Appointment(Box<AppointmentOut>),
    Patch(Parameters),
}

#[derive(Serialize)]
struct Entry {
    resource: Body,
    request: Request,
}

/// A FHIRPath Patch (`Parameters`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Parameters {
    resource_type: &'static str,
    parameter: Vec<Parameter>,
}

#[derive(Serialize)]
struct Parameter {
    name: &'static str,
    part: Vec<Part>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_string: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionBundle {
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    entry: Vec<Entry>,
}

#[derive(Serialize)]
struct Issue {
    severity: &'static str,
    code: &'static str,
    details: CodeableConcept,
    #[serde(skip_serializing_if = "String::is_empty")]
    diagnostics: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationOutcome {
    resource_type: &'static str,
    issue: Vec<Issue>,
}

/// The FHIRPath Patch that cancels an Appointment.
fn cancel(appointment: &str) -> Entry {
    let part = |name, value_code, value_string| Part {
        name,
        value_code,
        value_string,
    };
    Entry {
        resource: Body::Patch(Parameters {
            resource_type: "Parameters",
            parameter: vec![Parameter {
                name: "operation",
                part: vec![
                    part("type", Some("replace"), None),
                    part("path", None, Some("Appointment.status")),
                    part("value", Some("cancelled"), None),
                ],
            }],
        }),
        request: Request {
            method: "PATCH",
            url: format!("Appointment/{appointment}"),
        },
    }
}

/// The codings of a service: `serviceType` for a test or an operation, `specialty` for a
/// clinic's treatment function.
fn service_codes(service: &Service) -> (Vec<CodeableConcept>, Vec<CodeableConcept>) {
    let coding = |system: &str, code: &str| Coding {
        system: Some(system.to_owned()),
        code: Some(code.to_owned()),
        display: None,
    };
    match service {
        Service::Diagnostic(test) => {
            let name = serde_json::to_value(test)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let mut codings = vec![coding(DM01_SYSTEM, &name)];
            if let Some((snomed, _)) = SNOMED_DM01.iter().find(|(_, t)| t == test) {
                codings.push(coding(SNOMED_SYSTEM, snomed));
            }
            (
                vec![CodeableConcept {
                    coding: codings,
                    text: None,
                }],
                Vec::new(),
            )
        }
        Service::Operation(name) => (
            vec![CodeableConcept {
                coding: vec![coding(OPERATION_SYSTEM, name)],
                text: None,
            }],
            Vec::new(),
        ),
        Service::Outpatient(tfc) => (
            Vec::new(),
            vec![CodeableConcept {
                coding: vec![coding(PRACTICE_SETTING_SYSTEM, tfc)],
                text: None,
            }],
        ),
    }
}

fn appointment(r: &Referral, b: &Booking, status: AppointmentStatus) -> AppointmentOut {
    let (service_type, specialty) = service_codes(&r.service);
    let end = b.start + Duration::minutes(i64::from(r.duration_minutes));
    let (status, patient_status) = match status {
        AppointmentStatus::Proposed => ("proposed", "needs-action"),
        AppointmentStatus::Booked => ("booked", "accepted"),
    };
    AppointmentOut {
        resource_type: "Appointment",
        status,
        service_type,
        specialty,
        start: b.start.to_rfc3339_opts(SecondsFormat::Secs, true),
        end: end.to_rfc3339_opts(SecondsFormat::Secs, true),
        minutes_duration: r.duration_minutes,
        slot: vec![Reference::to("Slot", b.slot.as_str())],
        based_on: vec![Reference::to("ServiceRequest", r.id.as_str())],
        participant: vec![
            Participant {
                actor: Reference::to("Patient", r.patient.as_str()),
                required: "required",
                status: patient_status,
            },
            Participant {
                actor: Reference::to("Location", b.site.as_str()),
                required: "required",
                status: "accepted",
            },
        ],
    }
}

fn reason_code(reason: &UnbookedReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("reason").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// Writes `schedule` (a schedule of `problem`) as FHIR: see [`FhirExport`]. The ids written are
/// the problem's (as [`super::import_bundle`] reads them: referral = ServiceRequest, slot =
/// Slot, site = Location, patient = Patient); an existing booking's Appointment is the one its
/// `appointment_id` names. Same input, same bytes.
///
/// # Errors
/// [`Error::Fhir`] when the schedule names a referral the problem does not have (element
/// `outcomes[k].referral`): the schedule is of another problem.
pub fn export_appointments(
    problem: &Problem,
    schedule: &Schedule,
    status: AppointmentStatus,
) -> Result<FhirExport> {
    let referrals: BTreeMap<&str, &Referral> = problem
        .referrals
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut entries = Vec::new();
    let mut issues = Vec::new();
    let (mut created, mut cancelled, mut unbooked) = (0, 0, 0);
    for (k, o) in schedule.outcomes.iter().enumerate() {
        let r = *referrals.get(o.referral.as_str()).ok_or_else(|| Error::Fhir {
            resource: "Schedule".into(),
            element: format!("outcomes[{k}].referral"),
            reason: format!(
                "`{}` is not a referral of the problem: export a schedule with the problem it was solved from",
                o.referral
            ),
        })?;
        let from = match &o.change {
            Some(BookingChange::Moved { from, .. } | BookingChange::Cancelled { from, .. }) => {
                Some(from)
            }
            _ => None,
        };
        if let Some(from) = from {
            match r
                .existing_booking
                .as_ref()
                .and_then(|e| e.appointment_id.as_deref())
            {
                Some(id) => {
                    entries.push(cancel(id));
                    cancelled += 1;
                }
                None => issues.push(Issue {
                    severity: "warning",
                    code: "informational",
                    details: CodeableConcept {
                        coding: Vec::new(),
                        text: Some(format!(
                            "the existing booking in Slot/{from} is not kept and has no appointment_id to cancel: cancel it in the booking system"
                        )),
                    },
                    diagnostics: format!("ServiceRequest/{}", r.id),
                }),
            }
        }
        match &o.outcome {
            Outcome::Booked(b) => {
                if b.pinned || matches!(o.change, Some(BookingChange::Kept)) {
                    continue;
                }
                entries.push(Entry {
                    resource: Body::Appointment(Box::new(appointment(r, b, status))),
                    request: Request {
                        method: "POST",
                        url: "Appointment".into(),
                    },
                });
                created += 1;
            }
            Outcome::Unbooked(reason) => {
                unbooked += 1;
                issues.push(Issue {
                    severity: "information",
                    code: "informational",
                    details: CodeableConcept {
                        coding: vec![Coding {
                            system: Some(UNBOOKED_REASON_SYSTEM.to_owned()),
                            code: Some(reason_code(reason)),
                            display: None,
                        }],
                        text: Some(reason.description()),
                    },
                    diagnostics: format!("ServiceRequest/{}", r.id),
                });
            }
        }
    }
    let bundle = TransactionBundle {
        resource_type: "Bundle",
        kind: "transaction",
        entry: entries,
    };
    if issues.is_empty() {
        // An OperationOutcome holds at least one issue.
        issues.push(Issue {
            severity: "information",
            code: "informational",
            details: CodeableConcept {
                coding: Vec::new(),
                text: Some("every referral is booked".into()),
            },
            diagnostics: String::new(),
        });
    }
    let outcome = OperationOutcome {
        resource_type: "OperationOutcome",
        issue: issues,
    };
    Ok(FhirExport {
        transaction: pretty(&bundle),
        unbooked: pretty(&outcome),
        created,
        cancelled,
        unbooked_referrals: unbooked,
    })
}

/// Pretty JSON of a value the export built (its types always serialise), with a final newline.
fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
