//! A FHIR Bundle read into a [`Problem`].

use super::resources::{
    AppointmentIn, Bundle, CodeableConcept, Extension, HealthcareService, Location, Patient,
    Reference, Schedule, ServiceRequest, Slot as FhirSlot,
};
use super::{
    DM01_SYSTEM, GEOLOCATION, OPERATION_SYSTEM, PINNED_BOOKING, PRACTICE_SETTING_SYSTEM, SITE_KIND,
    SLOT_CAPACITY, SNOMED_DM01, SNOMED_SYSTEM, WAITING_LIST_ENTRY,
};
use crate::error::{Error, Result};
use crate::model::{
    DiagnosticTest, ExistingBooking, Location as Point, PatientId, Policy, Problem, Referral,
    ReferralId, ReferralPriority, Service, Site, SiteId, SiteKind, Slot, SlotId, SlotStatus,
    SurgicalPriority, WaitingTimeStandard,
};
use crate::rules::nhs_date;
use crate::RecordKind;
use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What the bundle does not say and the import needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportSettings {
    /// The date the booking is made on (NHS date).
    pub planning_date: NaiveDate,
    /// Last day of the horizon, included; six weeks after the planning date when `None`.
    pub horizon_end: Option<NaiveDate>,
    /// The booking policy (notice, objective).
    pub policy: Policy,
    /// Appointment length in minutes of a ServiceRequest whose waiting-list-entry extension
    /// gives none (30 from [`ImportSettings::new`]).
    pub default_duration_minutes: u32,
}

impl ImportSettings {
    /// Settings for a booking made on `planning_date`: a six-week horizon, the default policy,
    /// 30-minute appointments unless a ServiceRequest says otherwise.
    pub fn new(planning_date: NaiveDate) -> Self {
        Self {
            planning_date,
            horizon_end: None,
            policy: Policy::default(),
            default_duration_minutes: 30,
        }
    }
}

/// A bundle read: the problem and what the import left out or assumed.
#[derive(Clone, Debug, PartialEq)]
pub struct FhirImport {
    /// The problem, checked.
    pub problem: Problem,
    /// What was left out or assumed, in bundle order (resource types not read last).
    pub notes: Vec<ImportNote>,
}

/// Something the import left out or assumed, naming the resource (`Type/id`) and never the
/// patient's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum ImportNote {
    /// Resources of a type the adapter does not read (Organization, Practitioner, ...).
    NotRead {
        /// The resource type.
        resource_type: String,
        /// How many the bundle holds.
        count: usize,
    },
    /// A resource read but left out of the problem, and why.
    Skipped {
        /// `Type/id`.
        resource: String,
        /// Why.
        reason: String,
    },
    /// An element the bundle does not give, or gives in a form the model lacks, and the value
    /// used instead.
    Assumed {
        /// `Type/id`.
        resource: String,
        /// The element path.
        element: String,
        /// What was used.
        assumed: String,
    },
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportNote::NotRead {
                resource_type,
                count,
            } => write!(f, "{count} {resource_type} not read (not used for booking)"),
            ImportNote::Skipped { resource, reason } => write!(f, "{resource} left out: {reason}"),
            ImportNote::Assumed {
                resource,
                element,
                assumed,
            } => write!(f, "{resource} {element}: {assumed}"),
        }
    }
}

fn fhir(
    resource: impl Into<String>,
    element: impl Into<String>,
    reason: impl Into<String>,
) -> Error {
    Error::Fhir {
        resource: resource.into(),
        element: element.into(),
        reason: reason.into(),
    }
}

/// One resource of the bundle, typed, with its id and its place in the bundle.
struct Read<T> {
    id: String,
    value: T,
}

/// The resources of a bundle by type, in bundle order.
#[derive(Default)]
struct Resources {
    service_requests: Vec<Read<ServiceRequest>>,
    patients: Vec<Read<Patient>>,
    locations: Vec<Read<Location>>,
    services: Vec<Read<HealthcareService>>,
    schedules: Vec<Read<Schedule>>,
    slots: Vec<Read<FhirSlot>>,
    appointments: Vec<Read<AppointmentIn>>,
    not_read: BTreeMap<String, usize>,
    notes: Vec<ImportNote>,
}

/// Reads one entry's resource as `T`, with errors at its element path.
fn typed<T: DeserializeOwned>(kind: &str, at: &str, value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let element = if path == "." {
            kind.to_owned()
        } else {
            format!("{kind}.{path}")
        };
        // serde's message may quote the value; keep only what it expected.
        let inner = e.inner().to_string();
        let reason = match inner.find(", expected") {
            Some(i) => format!("wrong type{}", &inner[i..]),
            None => inner,
        };
        fhir(at, element, reason)
    })
}

/// Reads one resource as `T` and adds it to `list`, refusing a second resource of one id.
fn add<T: DeserializeOwned>(
    list: &mut Vec<Read<T>>,
    kind: &str,
    here: &str,
    id: String,
    value: serde_json::Value,
) -> Result<()> {
    let value = typed(kind, here, value)?;
    if list.iter().any(|r| r.id == id) {
        return Err(fhir(
            format!("{kind}/{id}"),
            format!("{kind}.id"),
            "two resources of this type share the id: give each its own",
        ));
    }
    list.push(Read { id, value });
    Ok(())
}

fn read_bundle(json: &str) -> Result<Resources> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| fhir("Bundle", "Bundle", format!("not JSON: {e}")))?;
    match value.get("resourceType").and_then(|t| t.as_str()) {
        Some("Bundle") => {}
        Some(other) => {
            return Err(fhir(
                "Bundle",
                "Bundle.resourceType",
                format!("`{other}` given: the import reads a Bundle of resources"),
            ))
        }
        None => {
            return Err(fhir(
                "Bundle",
                "Bundle.resourceType",
                "missing: the import reads a FHIR Bundle, a JSON object with \"resourceType\": \"Bundle\"",
            ))
        }
    }
    let bundle: Bundle = typed("Bundle", "Bundle", value)?;
    match bundle.kind.as_deref() {
        Some("collection" | "searchset" | "transaction") => {}
        other => {
            return Err(fhir(
                "Bundle",
                "Bundle.type",
                format!(
                    "{}: the import reads a collection, searchset or transaction",
                    other.map_or("missing".to_owned(), |t| format!("`{t}`"))
                ),
            ))
        }
    }
    let mut out = Resources::default();
    for (k, entry) in bundle.entry.into_iter().enumerate() {
        let at = format!("Bundle.entry[{k}]");
        let Some(value) = entry.resource else {
            out.notes.push(ImportNote::Skipped {
                resource: at,
                reason: "the entry has no resource".into(),
            });
            continue;
        };
        let kind = value
            .get("resourceType")
            .and_then(|t| t.as_str())
            .ok_or_else(|| {
                fhir(
                    &at,
                    "resourceType",
                    "missing: every resource names its type",
                )
            })?
            .to_owned();
        let read = [
            "ServiceRequest",
            "Patient",
            "Location",
            "HealthcareService",
            "Schedule",
            "Slot",
            "Appointment",
        ];
        if !read.contains(&kind.as_str()) {
            *out.not_read.entry(kind).or_default() += 1;
            continue;
        }
        let id = value
            .get("id")
            .and_then(|t| t.as_str())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                fhir(
                    &at,
                    format!("{kind}.id"),
                    "missing: every resource the import reads needs an id, which references name",
                )
            })?
            .to_owned();
        let here = format!("{kind}/{id}");
        match kind.as_str() {
            "ServiceRequest" => add(&mut out.service_requests, &kind, &here, id, value)?,
            "Patient" => add(&mut out.patients, &kind, &here, id, value)?,
            "Location" => add(&mut out.locations, &kind, &here, id, value)?,
            "HealthcareService" => add(&mut out.services, &kind, &here, id, value)?,
            "Schedule" => add(&mut out.schedules, &kind, &here, id, value)?,
            "Slot" => add(&mut out.slots, &kind, &here, id, value)?,
            _ => add(&mut out.appointments, &kind, &here, id, value)?,
        }
    }
    Ok(out)
}

/// The sub-extensions of the first extension with `url`.
fn complex<'a>(extensions: &'a [Extension], url: &str) -> &'a [Extension] {
    extensions
        .iter()
        .find(|e| e.url == url)
        .map_or(&[], |e| e.extension.as_slice())
}

fn sub<'a>(parts: &'a [Extension], name: &str) -> impl Iterator<Item = &'a Extension> {
    let name = name.to_owned();
    parts.iter().filter(move |e| e.url == name)
}

/// A sub-extension's `valueInteger` that must be a whole number of at least 1.
fn positive(e: &Extension, at: &str, element: &str) -> Result<u32> {
    e.value_integer
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| fhir(at, element, "give valueInteger, at least 1"))
}

/// An instant (`dateTime` with a time and offset).
fn instant(value: &str, at: &str, element: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(value).map_err(|_| {
        fhir(
            at,
            element,
            "not an instant: give the date, time and offset, for example 2026-12-01T09:00:00+00:00",
        )
    })
}

/// The NHS date of a FHIR `date` or `dateTime` (a date-only value as it is).
fn date_of(value: &str, at: &str, element: &str) -> Result<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(d);
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| nhs_date(&t))
        .map_err(|_| {
            fhir(
                at,
                element,
                "not a date: give a full date (2026-04-01) or date and time with offset",
            )
        })
}

/// The DM01 test or operation a concept codes, if any.
fn coded_service(concept: &CodeableConcept) -> Option<Service> {
    if let Some(code) = concept.code_in(OPERATION_SYSTEM) {
        return Some(Service::Operation(code.to_owned()));
    }
    if let Some(code) = concept.code_in(DM01_SYSTEM) {
        let test: Option<DiagnosticTest> =
            serde_json::from_value(serde_json::Value::String(code.to_owned())).ok();
        if let Some(test) = test {
            return Some(Service::Diagnostic(test));
        }
    }
    concept.coding.iter().find_map(|c| {
        if c.system.as_deref() != Some(SNOMED_SYSTEM) {
            return None;
        }
        let code = c.code.as_deref()?;
        SNOMED_DM01
            .iter()
            .find(|(k, _)| *k == code)
            .map(|&(_, t)| Service::Diagnostic(t))
    })
}

/// The treatment function a concept codes, if any.
fn treatment_function(concept: &CodeableConcept) -> Option<Service> {
    concept
        .code_in(PRACTICE_SETTING_SYSTEM)
        .map(|c| Service::Outpatient(c.to_owned()))
}

fn code_of<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// Reads a FHIR R4 JSON Bundle into a checked [`Problem`]; see the module documentation and
/// the README's "From a trust's systems" for the mapping.
///
/// Site ids are the Location ids, slot ids the Slot ids, referral ids the ServiceRequest ids
/// and patient ids the ids the ServiceRequests' `subject` references name, so that
/// [`super::export_appointments`] can refer back to them.
///
/// # Errors
/// [`Error::Fhir`] naming the resource (`Type/id`) and element path: a bundle that is not a
/// `collection`, `searchset` or `transaction`; a resource without an id or with a value of the
/// wrong type; a ServiceRequest without a Patient `subject`, a service or a clock start; a
/// Slot without its Schedule, a site or a service; an Appointment to keep that names no Slot;
/// two Appointments to keep for one ServiceRequest. Then any error of [`Problem::check`], with
/// a referral's named as its ServiceRequest, a slot's as its Slot and a site's as its Location.
pub fn import_bundle(json: &str, settings: &ImportSettings) -> Result<FhirImport> {
    let res = read_bundle(json)?;
    let mut notes = res.notes;
    let planning = settings.planning_date;

    let requests: BTreeSet<&str> = res.service_requests.iter().map(|r| r.id.as_str()).collect();

    // Existing bookings: the Appointments to keep, by ServiceRequest.
    let mut bookings: BTreeMap<&str, (&str, ExistingBooking)> = BTreeMap::new();
    for a in &res.appointments {
        let here = format!("Appointment/{}", a.id);
        let based_on = a
            .value
            .based_on
            .iter()
            .find_map(|r| r.id_of("ServiceRequest"));
        let Some(request) = based_on.filter(|r| requests.contains(r)) else {
            notes.push(ImportNote::Skipped {
                resource: here,
                reason: "basedOn names no ServiceRequest in the bundle".into(),
            });
            continue;
        };
        let status = a
            .value
            .status
            .as_deref()
            .ok_or_else(|| fhir(&here, "Appointment.status", "missing (it is required)"))?;
        let confirmed = match status {
            "booked" | "arrived" | "checked-in" => true,
            "proposed" | "pending" => false,
            other => {
                notes.push(ImportNote::Skipped {
                    resource: here,
                    reason: format!("status `{other}` is not a booking to keep"),
                });
                continue;
            }
        };
        let start = match &a.value.start {
            Some(s) => Some(instant(s, &here, "Appointment.start")?),
            None => None,
        };
        if start.is_some_and(|s| nhs_date(&s) < planning) {
            notes.push(ImportNote::Skipped {
                resource: here,
                reason: "it starts before the planning date".into(),
            });
            continue;
        }
        let Some(slot) = a.value.slot.iter().find_map(|r| r.id_of("Slot")) else {
            return Err(fhir(
                here,
                "Appointment.slot",
                "missing: a booking on or after the planning date must name its Slot so it can be kept",
            ));
        };
        let pinned = a
            .value
            .extension
            .iter()
            .find(|e| e.url == PINNED_BOOKING)
            .and_then(|e| e.value_boolean)
            .unwrap_or(false);
        let booking = ExistingBooking {
            slot: SlotId(slot.to_owned()),
            pinned,
            confirmed,
            appointment_id: Some(a.id.clone()),
        };
        if let Some((first, _)) = bookings.insert(request, (a.id.as_str(), booking)) {
            return Err(fhir(
                here,
                "Appointment.basedOn",
                format!("ServiceRequest/{request} already has Appointment/{first} to keep: cancel one of them"),
            ));
        }
    }
    let held: BTreeSet<&str> = bookings.values().map(|(_, b)| b.slot.as_str()).collect();

    // Sites: every Location, then Locations named but not in the bundle.
    let mut sites: Vec<Site> = Vec::new();
    for l in &res.locations {
        let here = format!("Location/{}", l.id);
        let kind = match l.value.extension.iter().find(|e| e.url == SITE_KIND) {
            Some(e) => e
                .value_code
                .as_deref()
                .and_then(code_of::<SiteKind>)
                .ok_or_else(|| {
                    fhir(
                        &here,
                        "Location.extension(site-kind).valueCode",
                        "give nhs_trust, community_diagnostic_centre or independent_sector",
                    )
                })?,
            None => SiteKind::NhsTrust,
        };
        sites.push(Site {
            id: SiteId(l.id.clone()),
            name: l.value.name.clone().unwrap_or_else(|| l.id.clone()),
            kind,
            location: l
                .value
                .position
                .as_ref()
                .map(|p| Point::new(p.latitude, p.longitude)),
            capabilities: BTreeSet::new(),
        });
    }
    let mut site_of_reference =
        |r: &Reference, at: &str, element: &str, notes: &mut Vec<ImportNote>| {
            let id = r.id_of("Location")?;
            if !sites.iter().any(|s| s.id.as_str() == id) {
                notes.push(ImportNote::Assumed {
                    resource: at.to_owned(),
                    element: element.to_owned(),
                    assumed: format!(
                        "Location/{id} is not in the bundle: read as a site without coordinates"
                    ),
                });
                sites.push(Site {
                    id: SiteId(id.to_owned()),
                    name: r.display.clone().unwrap_or_else(|| id.to_owned()),
                    kind: SiteKind::NhsTrust,
                    location: None,
                    capabilities: BTreeSet::new(),
                });
            }
            Some(SiteId(id.to_owned()))
        };

    // Slots.
    let mut slots = Vec::new();
    for s in &res.slots {
        let here = format!("Slot/{}", s.id);
        let status = match s.value.status.as_deref() {
            Some("free") => SlotStatus::Free,
            Some("busy" | "busy-tentative") if held.contains(s.id.as_str()) => SlotStatus::Free,
            Some("busy" | "busy-tentative") => SlotStatus::Booked,
            Some("busy-unavailable") => SlotStatus::Blocked,
            Some("entered-in-error") => {
                notes.push(ImportNote::Skipped {
                    resource: here,
                    reason: "status `entered-in-error`".into(),
                });
                continue;
            }
            Some(other) => {
                return Err(fhir(
                    here,
                    "Slot.status",
                    format!("`{other}`: give free, busy, busy-unavailable, busy-tentative or entered-in-error"),
                ))
            }
            None => return Err(fhir(here, "Slot.status", "missing (it is required)")),
        };
        let start = s
            .value
            .start
            .as_deref()
            .ok_or_else(|| fhir(&here, "Slot.start", "missing (it is required)"))?;
        let end = s
            .value
            .end
            .as_deref()
            .ok_or_else(|| fhir(&here, "Slot.end", "missing (it is required)"))?;
        let (start, end) = (
            instant(start, &here, "Slot.start")?,
            instant(end, &here, "Slot.end")?,
        );
        let schedule_id = s
            .value
            .schedule
            .as_ref()
            .and_then(|r| r.id_of("Schedule"))
            .ok_or_else(|| {
                fhir(
                    &here,
                    "Slot.schedule",
                    "missing: it names the Schedule, whose actor is the site",
                )
            })?;
        let schedule = res
            .schedules
            .iter()
            .find(|x| x.id == schedule_id)
            .ok_or_else(|| {
                fhir(
                    &here,
                    "Slot.schedule",
                    format!("Schedule/{schedule_id} is not in the bundle: add it (its actor is the slot's site)"),
                )
            })?;
        let schedule_at = format!("Schedule/{schedule_id}");
        let service_of_actor = schedule.value.actor.iter().find_map(|r| {
            let id = r.id_of("HealthcareService")?;
            res.services.iter().find(|x| x.id == id)
        });
        let direct = schedule
            .value
            .actor
            .iter()
            .find(|r| r.id_of("Location").is_some());
        let site = match (direct, service_of_actor) {
            (Some(r), _) => site_of_reference(r, &schedule_at, "Schedule.actor", &mut notes),
            (None, Some(hs)) => hs.value.location.first().and_then(|r| {
                site_of_reference(
                    r,
                    &format!("HealthcareService/{}", hs.id),
                    "HealthcareService.location",
                    &mut notes,
                )
            }),
            (None, None) => None,
        }
        .ok_or_else(|| {
            fhir(
                &schedule_at,
                "Schedule.actor",
                "names no Location, nor a HealthcareService in the bundle with a location: the slot has no site",
            )
        })?;
        let service = s
            .value
            .service_type
            .iter()
            .chain(&schedule.value.service_type)
            .find_map(coded_service)
            .or_else(|| {
                s.value
                    .specialty
                    .iter()
                    .chain(&schedule.value.specialty)
                    .chain(service_of_actor.map_or(&[][..], |hs| &hs.value.specialty))
                    .find_map(treatment_function)
            })
            .ok_or_else(|| {
                fhir(
                    &here,
                    "Slot.serviceType",
                    "no service: code serviceType with a DM01 test or an operation, or specialty (the Slot's, its Schedule's or its HealthcareService's) with UKCore-PracticeSettingCode",
                )
            })?;
        let capacity = complex(&s.value.extension, SLOT_CAPACITY);
        let places = match sub(capacity, "places").next() {
            Some(e) => positive(e, &here, "Slot.extension(slot-capacity).places")?,
            None => 1,
        };
        let minutes = match sub(capacity, "minutes").next() {
            Some(e) => Some(positive(e, &here, "Slot.extension(slot-capacity).minutes")?),
            None => None,
        };
        slots.push(Slot {
            id: SlotId(s.id.clone()),
            site,
            service,
            start,
            end,
            capacity: places,
            minutes_capacity: minutes,
            capabilities: BTreeSet::new(),
            status,
        });
    }

    // Referrals.
    let mut referrals = Vec::new();
    for r in &res.service_requests {
        let here = format!("ServiceRequest/{}", r.id);
        let sr = &r.value;
        match sr.status.as_deref() {
            Some("active") => {}
            Some(other) => {
                notes.push(ImportNote::Skipped {
                    resource: here,
                    reason: format!(
                        "status `{other}`: only an active request is on the waiting list"
                    ),
                });
                continue;
            }
            None => {
                return Err(fhir(
                    here,
                    "ServiceRequest.status",
                    "missing (it is required)",
                ))
            }
        }
        let patient = sr
            .subject
            .as_ref()
            .and_then(|s| s.id_of("Patient"))
            .ok_or_else(|| {
                fhir(
                    &here,
                    "ServiceRequest.subject",
                    "must reference a Patient (Patient/id)",
                )
            })?;
        let from_appointment = || {
            res.appointments
                .iter()
                .filter(|a| {
                    a.value
                        .based_on
                        .iter()
                        .any(|b| b.id_of("ServiceRequest") == Some(&r.id))
                })
                .flat_map(|a| &a.value.specialty)
                .find_map(treatment_function)
        };
        let service = sr
            .code
            .as_ref()
            .and_then(coded_service)
            .or_else(|| {
                sr.category
                    .iter()
                    .chain(&sr.performer_type)
                    .find_map(treatment_function)
            })
            .or_else(from_appointment)
            .ok_or_else(|| {
                fhir(
                    &here,
                    "ServiceRequest.code",
                    "no service: code it with a DM01 test or an operation, or give a UKCore-PracticeSettingCode treatment function in category or performerType",
                )
            })?;
        let wle = complex(&sr.extension, WAITING_LIST_ENTRY);
        let element = |name: &str| format!("ServiceRequest.extension(waiting-list-entry).{name}");
        let clock_start = match sub(wle, "clockStart").next() {
            Some(e) => {
                let v = e
                    .value_date
                    .as_deref()
                    .ok_or_else(|| fhir(&here, element("clockStart"), "give valueDate"))?;
                date_of(v, &here, &element("clockStart"))?
            }
            None => {
                let authored = sr.authored_on.as_deref().ok_or_else(|| {
                    fhir(
                        &here,
                        element("clockStart"),
                        "missing, and no authoredOn either: the RTT clock start is needed",
                    )
                })?;
                let d = date_of(authored, &here, "ServiceRequest.authoredOn")?;
                notes.push(ImportNote::Assumed {
                    resource: here.clone(),
                    element: element("clockStart"),
                    assumed: format!("not given: the clock starts on authoredOn, {d}"),
                });
                d
            }
        };
        let priority = match sub(wle, "priority").next() {
            Some(e) => e
                .value_code
                .as_deref()
                .and_then(code_of::<ReferralPriority>)
                .ok_or_else(|| {
                    fhir(
                        &here,
                        element("priority"),
                        "give valueCode routine, urgent or urgent_suspected_cancer",
                    )
                })?,
            None => match sr.priority.as_deref() {
                None | Some("routine") => ReferralPriority::Routine,
                Some("urgent") => ReferralPriority::Urgent,
                Some(p @ ("asap" | "stat")) => {
                    notes.push(ImportNote::Assumed {
                        resource: here.clone(),
                        element: "ServiceRequest.priority".into(),
                        assumed: format!("`{p}` read as urgent (urgent suspected cancer needs the waiting-list-entry extension's priority)"),
                    });
                    ReferralPriority::Urgent
                }
                Some(other) => {
                    return Err(fhir(
                        here,
                        "ServiceRequest.priority",
                        format!("`{other}`: give routine, urgent, asap or stat"),
                    ))
                }
            },
        };
        let mut standards = Vec::new();
        for e in sub(wle, "standard") {
            let s = e
                .value_code
                .as_deref()
                .and_then(code_of::<WaitingTimeStandard>)
                .ok_or_else(|| {
                    fhir(
                        &here,
                        element("standard"),
                        "give valueCode rtt_18_weeks, diagnostic_6_weeks, cancer_faster_diagnosis_28_days, cancer_62_days or cancer_31_days",
                    )
                })?;
            standards.push(s);
        }
        for e in sub(wle, "customDays") {
            let days = e
                .value_integer
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    fhir(
                        &here,
                        element("customDays"),
                        "give valueInteger, at least 1",
                    )
                })?;
            standards.push(WaitingTimeStandard::CustomDays(days));
        }
        if standards.is_empty() {
            standards.push(match service {
                Service::Diagnostic(_) => WaitingTimeStandard::Diagnostic6Weeks,
                _ => WaitingTimeStandard::Rtt18Weeks,
            });
            if priority == ReferralPriority::UrgentSuspectedCancer {
                standards.push(WaitingTimeStandard::CancerFasterDiagnosis28Days);
                standards.push(WaitingTimeStandard::Cancer62Days);
            }
        }
        let surgical_priority = match sub(wle, "surgicalPriority").next() {
            Some(e) => Some(
                e.value_code
                    .as_deref()
                    .and_then(code_of::<SurgicalPriority>)
                    .ok_or_else(|| {
                        fhir(
                            &here,
                            element("surgicalPriority"),
                            "give valueCode P1a, P1b, P2, P3 or P4",
                        )
                    })?,
            ),
            None => None,
        };
        let duration_minutes = match sub(wle, "durationMinutes").next() {
            Some(e) => positive(e, &here, &element("durationMinutes"))?,
            None => settings.default_duration_minutes,
        };
        let max_travel_km = match sub(wle, "maxTravelKm").next() {
            Some(e) => Some(
                e.value_decimal
                    .filter(|km| km.is_finite() && *km >= 0.0)
                    .ok_or_else(|| {
                        fhir(
                            &here,
                            element("maxTravelKm"),
                            "give valueDecimal, kilometres, 0 or more",
                        )
                    })?,
            ),
            None => None,
        };
        let accepts_short_notice = sub(wle, "acceptsShortNotice")
            .next()
            .and_then(|e| e.value_boolean)
            .unwrap_or(false);
        let earliest_date = match sr.occurrence_date_time.as_deref().or(sr
            .occurrence_period
            .as_ref()
            .and_then(|p| p.start.as_deref()))
        {
            Some(v) => Some(date_of(v, &here, "ServiceRequest.occurrence")?),
            None => None,
        };
        let home = res.patients.iter().find(|p| p.id == patient).and_then(|p| {
            let mut addresses: Vec<_> = p.value.address.iter().collect();
            addresses.sort_by_key(|a| a.usage.as_deref() != Some("home"));
            addresses.into_iter().find_map(|a| {
                let geo = complex(&a.extension, GEOLOCATION);
                let lat = sub(geo, "latitude").next()?.value_decimal?;
                let lon = sub(geo, "longitude").next()?.value_decimal?;
                Some(Point::new(lat, lon))
            })
        });
        let mut preferred_sites = Vec::new();
        for l in &sr.location_reference {
            let Some(id) = l.id_of("Location") else {
                continue;
            };
            if sites.iter().any(|s| s.id.as_str() == id) {
                preferred_sites.push(SiteId(id.to_owned()));
            } else {
                notes.push(ImportNote::Skipped {
                    resource: here.clone(),
                    reason: format!("locationReference Location/{id} is not in the bundle, so it is not a preferred site"),
                });
            }
        }
        referrals.push(Referral {
            id: ReferralId(r.id.clone()),
            patient: PatientId(patient.to_owned()),
            service,
            clock_start,
            standards,
            priority,
            surgical_priority,
            duration_minutes,
            earliest_date,
            unavailable: Vec::new(),
            home,
            max_travel_km,
            requirements: BTreeSet::new(),
            preferred_sites,
            existing_booking: bookings.remove(r.id.as_str()).map(|(_, b)| b),
            accepts_short_notice,
            did_not_attend: Vec::new(),
            declined_offers: Vec::new(),
        });
    }
    // Appointments of ServiceRequests left out: said, not dropped.
    for (request, (appointment, _)) in bookings {
        notes.push(ImportNote::Skipped {
            resource: format!("Appointment/{appointment}"),
            reason: format!("ServiceRequest/{request} is not on the waiting list"),
        });
    }
    for (resource_type, count) in res.not_read {
        notes.push(ImportNote::NotRead {
            resource_type,
            count,
        });
    }

    let horizon_end = settings
        .horizon_end
        .unwrap_or_else(|| planning.checked_add_days(Days::new(42)).unwrap_or(planning));
    let problem = Problem {
        planning_date: planning,
        horizon_end,
        policy: settings.policy.clone(),
        sites,
        slots,
        referrals,
        pathway_steps: Vec::new(),
    };
    problem.check().map_err(as_fhir)?;
    Ok(FhirImport { problem, notes })
}

/// A problem check's error, named by the FHIR resource the record came from.
fn as_fhir(e: Error) -> Error {
    let resource = |kind: RecordKind, id: &str| match kind {
        RecordKind::Referral => Some(format!("ServiceRequest/{id}")),
        RecordKind::Slot => Some(format!("Slot/{id}")),
        RecordKind::Site => Some(format!("Location/{id}")),
        _ => None,
    };
    match &e {
        Error::InvalidField {
            kind,
            id,
            field,
            reason,
        } => match resource(*kind, id) {
            Some(r) => fhir(r, format!("(problem field `{field}`)"), reason.clone()),
            None => e,
        },
        Error::UnknownReference {
            kind,
            id,
            field,
            reference,
            ..
        } => match resource(*kind, id) {
            Some(r) => fhir(
                r,
                format!("(problem field `{field}`)"),
                format!("names `{reference}`, which is not in the bundle"),
            ),
            None => e,
        },
        _ => e,
    }
}
