//! A schedule written as FHIR: a transaction Bundle of Appointments and an OperationOutcome of
//! the referrals left unbooked.

use super::resources::{
    AppointmentOut, CodeableConcept, Coding, Identifier, Participant, Reference,
};
use super::{
    BOOKING_IDENTIFIER_SYSTEM, CANCELLATION_REASON_SYSTEM, DM01_SYSTEM, OPERATION_SYSTEM,
    PRACTICE_SETTING_SYSTEM, SNOMED_DM01, SNOMED_SYSTEM, UNBOOKED_REASON_SYSTEM,
};
use crate::error::{Error, Result};
use crate::model::{Problem, Referral, Service, Slot, SlotStatus};
use crate::schedule::{
    Booking, BookingChange, ChangeReason, Outcome, ReferralOutcome, Schedule, UnbookedReason,
};
use chrono::{Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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
    /// A transaction Bundle:
    /// - one FHIRPath `PATCH Appointment/{id}` per existing Appointment moved or cancelled: it
    ///   sets `status` to `cancelled` and adds `cancelationReason` (code `prov` of
    ///   [`CANCELLATION_REASON_SYSTEM`], the reason in words). It is not conditional on the
    ///   Appointment's version (the import keeps none): apply the transaction to the bundle it
    ///   was planned from;
    /// - one `POST Appointment` per new or moved booking, with an identifier of
    ///   [`BOOKING_IDENTIFIER_SYSTEM`] and `ifNoneExist` on it and on a status other than
    ///   `cancelled`, so that applying the transaction twice creates it once, and a booking
    ///   moved away and back again is created anew;
    /// - one FHIRPath `PATCH Slot/{id}` per Slot gaining or losing a booking (not a blocked
    ///   one), setting `status` to `busy` when its places (or minutes) are all taken and `free`
    ///   otherwise, in slot id order.
    ///
    /// Kept and pinned bookings are not written: their Appointments stand.
    pub transaction: String,
    /// An OperationOutcome with one issue per referral left unbooked (severity `warning` when
    /// its due date falls inside the horizon, so it breaches, `information` otherwise; the
    /// reason coded in [`UNBOOKED_REASON_SYSTEM`] and described in words; `diagnostics`
    /// naming the ServiceRequest and its due date), and one `warning` per existing booking
    /// moved or cancelled that has no `appointment_id` to patch (cancel it in the booking
    /// system by hand), then one `warning` per likely data mistake of the input
    /// ([`Schedule::warnings`]: a service written two ways, coordinates outside the UK, ...).
    pub unbooked: String,
    /// How many Appointments the transaction creates.
    pub created: usize,
    /// How many existing Appointments it cancels.
    pub cancelled: usize,
    /// How many Slot statuses it sets.
    pub slots_updated: usize,
    /// How many referrals are left unbooked.
    pub unbooked_referrals: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: &'static str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    if_none_exist: Option<String>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    value_codeable_concept: Option<CodeableConcept>,
}

impl Part {
    fn code(name: &'static str, code: &'static str) -> Self {
        Part {
            name,
            value_code: Some(code),
            value_string: None,
            value_codeable_concept: None,
        }
    }

    fn string(name: &'static str, value: &'static str) -> Self {
        Part {
            name,
            value_code: None,
            value_string: Some(value),
            value_codeable_concept: None,
        }
    }
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

/// A FHIRPath Patch of `resource` (`Type/id`) with these operations.
fn patch(resource: String, operations: Vec<Vec<Part>>) -> Entry {
    Entry {
        resource: Body::Patch(Parameters {
            resource_type: "Parameters",
            parameter: operations
                .into_iter()
                .map(|part| Parameter {
                    name: "operation",
                    part,
                })
                .collect(),
        }),
        request: Request {
            method: "PATCH",
            url: resource,
            if_none_exist: None,
        },
    }
}

/// Why a booking the schedule does not keep was given up, in words.
fn change_reason(reason: Option<ChangeReason>) -> &'static str {
    match reason {
        Some(ChangeReason::SlotRemoved) => "its slot is no longer in the plan",
        Some(ChangeReason::SlotBlocked) => {
            "its slot is blocked (the list is cancelled or the equipment down)"
        }
        Some(ChangeReason::SlotBooked) => "its slot is taken by bookings outside the plan",
        Some(ChangeReason::SlotUnusable) => "its slot no longer fits the referral",
        Some(ChangeReason::NotKept) | None => {
            "the booking team's plan gives the slot to a referral ranked higher"
        }
    }
}

/// The FHIRPath Patch that cancels an Appointment, with the reason.
fn cancel(appointment: &str, moved: bool, reason: Option<ChangeReason>) -> Entry {
    let text = format!(
        "{}: {}",
        if moved {
            "moved to another appointment"
        } else {
            "cancelled"
        },
        change_reason(reason)
    );
    patch(
        format!("Appointment/{appointment}"),
        vec![
            vec![
                Part::code("type", "replace"),
                Part::string("path", "Appointment.status"),
                Part::code("value", "cancelled"),
            ],
            vec![
                Part::code("type", "add"),
                Part::string("path", "Appointment"),
                Part::string("name", "cancelationReason"),
                Part {
                    name: "value",
                    value_code: None,
                    value_string: None,
                    value_codeable_concept: Some(CodeableConcept {
                        coding: vec![Coding {
                            system: Some(CANCELLATION_REASON_SYSTEM.to_owned()),
                            code: Some("prov".to_owned()),
                            display: Some("Provider".to_owned()),
                        }],
                        text: Some(text),
                    }),
                },
            ],
        ],
    )
}

/// The FHIRPath Patch that sets a Slot's status.
fn slot_status(slot: &str, full: bool) -> Entry {
    patch(
        format!("Slot/{slot}"),
        vec![vec![
            Part::code("type", "replace"),
            Part::string("path", "Slot.status"),
            Part::code("value", if full { "busy" } else { "free" }),
        ]],
    )
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

/// The identifier value of a booking: `{referral}:{slot}:{start in UTC}`.
fn booking_identifier(r: &Referral, b: &Booking) -> String {
    format!(
        "{}:{}:{}",
        r.id,
        b.slot,
        b.start
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    )
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
        identifier: vec![Identifier {
            system: BOOKING_IDENTIFIER_SYSTEM,
            value: booking_identifier(r, b),
        }],
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

/// The OperationOutcome issue of a referral left unbooked.
fn unbooked_issue(r: &Referral, o: &ReferralOutcome, reason: &UnbookedReason) -> Issue {
    Issue {
        severity: if o.breached { "warning" } else { "information" },
        code: "informational",
        details: CodeableConcept {
            coding: vec![Coding {
                system: Some(UNBOOKED_REASON_SYSTEM.to_owned()),
                code: Some(reason_code(reason)),
                display: None,
            }],
            text: Some(reason.description()),
        },
        diagnostics: format!(
            "ServiceRequest/{}: due {}{}",
            r.id,
            o.due_date,
            if o.breached {
                ", inside the horizon: it breaches"
            } else {
                ""
            }
        ),
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
    let slots: BTreeMap<&str, &Slot> = problem.slots.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut cancels = Vec::new();
    let mut posts = Vec::new();
    let mut issues = Vec::new();
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    // Places and minutes each slot holds once the transaction is applied.
    let mut held: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut unbooked = 0;
    for (k, o) in schedule.outcomes.iter().enumerate() {
        let r = *referrals.get(o.referral.as_str()).ok_or_else(|| Error::Fhir {
            resource: "Schedule".into(),
            element: format!("outcomes[{k}].referral"),
            reason: format!(
                "`{}` is not a referral of the problem: export a schedule with the problem it was solved from",
                o.referral
            ),
        })?;
        let given_up = match &o.change {
            Some(BookingChange::Moved { from, because }) => Some((from, true, *because)),
            Some(BookingChange::Cancelled { from, reason }) => Some((from, false, Some(*reason))),
            _ => None,
        };
        if let Some((from, moved, reason)) = given_up {
            touched.insert(from.as_str());
            match r
                .existing_booking
                .as_ref()
                .and_then(|e| e.appointment_id.as_deref())
            {
                Some(id) => cancels.push(cancel(id, moved, reason)),
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
                let h = held.entry(b.slot.as_str()).or_default();
                h.0 += 1;
                h.1 += r.duration_minutes;
                if b.pinned || matches!(o.change, Some(BookingChange::Kept)) {
                    continue;
                }
                touched.insert(b.slot.as_str());
                posts.push(Entry {
                    resource: Body::Appointment(Box::new(appointment(r, b, status))),
                    request: Request {
                        method: "POST",
                        url: "Appointment".into(),
                        if_none_exist: Some(format!(
                            "identifier={BOOKING_IDENTIFIER_SYSTEM}|{}&status:not=cancelled",
                            booking_identifier(r, b)
                        )),
                    },
                });
            }
            Outcome::Unbooked(reason) => {
                unbooked += 1;
                issues.push(unbooked_issue(r, o, reason));
            }
        }
    }
    let (created, cancelled) = (posts.len(), cancels.len());
    let mut entries = cancels;
    entries.extend(posts);
    let mut slots_updated = 0;
    for id in touched {
        let Some(slot) = slots.get(id).filter(|s| s.status != SlotStatus::Blocked) else {
            continue;
        };
        let (places, minutes) = held.get(id).copied().unwrap_or_default();
        let full = places >= slot.capacity || slot.minutes_capacity.is_some_and(|m| minutes >= m);
        entries.push(slot_status(id, full));
        slots_updated += 1;
    }
    // The input's likely data mistakes, which the integration engine would not see otherwise.
    for w in &schedule.warnings {
        issues.push(Issue {
            severity: "warning",
            code: "informational",
            details: CodeableConcept {
                coding: Vec::new(),
                text: Some(w.to_string()),
            },
            diagnostics: String::new(),
        });
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
        slots_updated,
        unbooked_referrals: unbooked,
    })
}

/// Pretty JSON of a value the export built (its types always serialise), with a final newline.
fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
