//! A FHIR Bundle read into a [`Problem`].

use super::resources::{
    Address, AppointmentIn, Bundle, BundleEntry, CodeableConcept, Extension, HealthcareService,
    Location, Patient, Reference, Schedule, ServiceRequest, Slot as FhirSlot,
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
    /// Extensions of a url the import does not read (UK Core's own, a trust's), on the
    /// resources it reads (and their addresses).
    ExtensionNotRead {
        /// The extension's url.
        url: String,
        /// How many the bundle holds.
        count: usize,
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
            ImportNote::ExtensionNotRead { url, count } => {
                write!(
                    f,
                    "{count} extension(s) {url} not read (not used for booking)"
                )
            }
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

/// Rust's names for the JSON types serde expected, in FHIR's words.
fn fhir_types(message: &str) -> String {
    [
        ("i64", "an integer"),
        ("u32", "a whole number"),
        ("f64", "a decimal"),
        ("a boolean", "true or false"),
        ("a sequence", "an array"),
        ("struct ", "an object "),
    ]
    .iter()
    .fold(message.to_owned(), |m, (rust, fhir)| m.replace(rust, fhir))
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
            Some(i) => format!("wrong type{}", fhir_types(&inner[i..])),
            None => fhir_types(&inner),
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

/// The resource types the import reads.
const READ: [&str; 7] = [
    "ServiceRequest",
    "Patient",
    "Location",
    "HealthcareService",
    "Schedule",
    "Slot",
    "Appointment",
];

/// Where an entry's id came from when its resource has none.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum IdFrom {
    /// The uuid of its `urn:uuid:` fullUrl.
    Uuid,
    /// The id of its `PUT Type/id` request url.
    PutUrl,
}

/// The id of an entry's resource: its `id`; in a transaction, a resource without one (a
/// `POST`) takes the uuid of its `urn:uuid:` fullUrl, or the id of its `PUT` url.
fn entry_id(
    kind: &str,
    value: &serde_json::Value,
    entry: &BundleEntry,
) -> Option<(String, Option<IdFrom>)> {
    if let Some(id) = value
        .get("id")
        .and_then(|t| t.as_str())
        .filter(|id| !id.is_empty())
    {
        return Some((id.to_owned(), None));
    }
    if let Some(uuid) = entry
        .full_url
        .as_deref()
        .and_then(|u| u.strip_prefix("urn:uuid:"))
    {
        return Some((uuid.to_owned(), Some(IdFrom::Uuid)));
    }
    let url = entry
        .request
        .as_ref()
        .filter(|r| r.method.as_deref() == Some("PUT"))
        .and_then(|r| r.url.as_deref())?;
    let (ty, id) = url.split_once('/')?;
    if ty != kind || id.is_empty() || id.contains(['/', '?']) {
        return None;
    }
    Some((id.to_owned(), Some(IdFrom::PutUrl)))
}

/// Rewrites every `reference` in `value` that names an entry by its fullUrl (`urn:uuid:...`,
/// or an absolute URL) as `Type/id`, and drops a version (`Patient/1/_history/2` is
/// `Patient/1`): the import books against the current resource.
fn resolve_references(
    value: &mut serde_json::Value,
    full_urls: &BTreeMap<String, String>,
    elsewhere: &mut BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(s) if key == "reference" => {
                        if let Some(i) = s.find("/_history/") {
                            s.truncate(i);
                        }
                        if let Some(local) = full_urls.get(s.as_str()) {
                            *s = local.clone();
                        } else if s.starts_with("http://") || s.starts_with("https://") {
                            // The base: all but the last two segments (`Type/id`).
                            let mut parts = s.rsplitn(3, '/');
                            let (_, _, base) = (parts.next(), parts.next(), parts.next());
                            elsewhere.insert(format!("{}/", base.unwrap_or(s)));
                        }
                    }
                    _ => resolve_references(v, full_urls, elsewhere),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                resolve_references(v, full_urls, elsewhere);
            }
        }
        _ => {}
    }
}

fn read_bundle(json: &str, errors: &mut Vec<Error>) -> Result<Resources> {
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
    if bundle
        .link
        .iter()
        .any(|l| l.relation.as_deref() == Some("next"))
    {
        return Err(fhir(
            "Bundle",
            "Bundle.link",
            "a `next` link: this is one page of a search; fetch every page and import them as one bundle, or the bookings and slots on the other pages are missed",
        ));
    }
    let matches = bundle
        .entry
        .iter()
        .filter(|e| e.search.as_ref().and_then(|s| s.mode.as_deref()) != Some("outcome"))
        .count();
    if let Some(total) = bundle
        .total
        .filter(|&t| bundle.kind.as_deref() == Some("searchset") && t > matches as u64)
    {
        return Err(fhir(
            "Bundle",
            "Bundle.total",
            format!("{total} resources match the search but the bundle holds {matches}: import every page as one bundle"),
        ));
    }
    let mut out = Resources::default();
    // First the ids, so that references by fullUrl can be resolved.
    let mut entries = Vec::new();
    let mut full_urls = BTreeMap::new();
    let mut without_id: BTreeMap<IdFrom, Vec<String>> = BTreeMap::new();
    for (k, entry) in bundle.entry.iter().enumerate() {
        let at = format!("Bundle.entry[{k}]");
        let Some(value) = &entry.resource else {
            out.notes.push(ImportNote::Skipped {
                resource: at,
                reason: "the entry has no resource".into(),
            });
            continue;
        };
        let Some(kind) = value.get("resourceType").and_then(|t| t.as_str()) else {
            errors.push(fhir(
                &at,
                "resourceType",
                "missing: every resource names its type",
            ));
            continue;
        };
        if !READ.contains(&kind) {
            *out.not_read.entry(kind.to_owned()).or_default() += 1;
            continue;
        }
        let Some((id, from)) = entry_id(kind, value, entry) else {
            errors.push(fhir(
                &at,
                format!("{kind}.id"),
                "missing: every resource the import reads needs an id (or, in a transaction, a urn:uuid fullUrl), which references name",
            ));
            continue;
        };
        if let Some(url) = &entry.full_url {
            full_urls.insert(url.clone(), format!("{kind}/{id}"));
        }
        if let Some(from) = from {
            without_id
                .entry(from)
                .or_default()
                .push(format!("{kind}/{id}"));
        }
        entries.push((kind.to_owned(), id, k));
    }
    let mut resources: Vec<Option<serde_json::Value>> =
        bundle.entry.into_iter().map(|e| e.resource).collect();
    let mut elsewhere: BTreeSet<String> = BTreeSet::new();
    for (kind, id, k) in entries {
        let Some(mut value) = resources[k].take() else {
            continue;
        };
        let here = format!("{kind}/{id}");
        if let Some((path, url)) = modifier(&value, "") {
            let what = if path.is_empty() {
                "resource"
            } else {
                "element"
            };
            errors.push(fhir(
                &here,
                format!("{kind}{path}.modifierExtension"),
                format!("`{url}` changes what the {what} means and the import does not know it: the resource cannot be booked from"),
            ));
            continue;
        }
        resolve_references(&mut value, &full_urls, &mut elsewhere);
        let added = match kind.as_str() {
            "ServiceRequest" => add(&mut out.service_requests, &kind, &here, id, value),
            "Patient" => add(&mut out.patients, &kind, &here, id, value),
            "Location" => add(&mut out.locations, &kind, &here, id, value),
            "HealthcareService" => add(&mut out.services, &kind, &here, id, value),
            "Schedule" => add(&mut out.schedules, &kind, &here, id, value),
            "Slot" => add(&mut out.slots, &kind, &here, id, value),
            _ => add(&mut out.appointments, &kind, &here, id, value),
        };
        if let Err(e) = added {
            errors.push(e);
        }
    }
    for (from, resources) in without_id {
        let (source, consequence) = match from {
            IdFrom::Uuid => (
                "the uuid of its urn:uuid fullUrl",
                "; an export names them by those uuids, which the server that assigns their ids will not know: write back only a plan made from the server's own ids",
            ),
            IdFrom::PutUrl => ("the id of its PUT request url", ""),
        };
        out.notes.push(ImportNote::Assumed {
            resource: "Bundle".into(),
            element: "(entry ids)".into(),
            assumed: format!(
                "{} resource(s) without an id (first {}): each takes {source}{consequence}",
                resources.len(),
                resources[0]
            ),
        });
    }
    for base in elsewhere {
        out.notes.push(ImportNote::Assumed {
            resource: "Bundle".into(),
            element: "(references)".into(),
            assumed: format!("references under `{base}` name no entry's fullUrl: each is read as the resource of its type and id in this bundle"),
        });
    }
    Ok(out)
}

/// The first `modifierExtension` of a resource, at any depth: its path from the resource
/// (empty for the resource's own, `.address[0]` below it) and its first url. One the import
/// does not know changes what the resource means, so it cannot be read (FHIR R4,
/// Extensibility, 2.4.2); the import knows none.
fn modifier(value: &serde_json::Value, at: &str) -> Option<(String, String)> {
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(key, v)| {
            if key == "modifierExtension" {
                let url = v
                    .get(0)
                    .and_then(|m| m.get("url"))
                    .and_then(|u| u.as_str())
                    .unwrap_or("");
                return Some((at.to_owned(), url.to_owned()));
            }
            modifier(v, &format!("{at}.{key}"))
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(k, v)| modifier(v, &format!("{at}[{k}]"))),
        _ => None,
    }
}

/// The crate's extensions: url, the resource type that carries it, its sub-extensions (none
/// for a simple one) and which of them repeat.
const OURS: [(&str, &str, &[&str], &[&str]); 4] = [
    (
        WAITING_LIST_ENTRY,
        "ServiceRequest",
        &[
            "clockStart",
            "standard",
            "customDays",
            "priority",
            "surgicalPriority",
            "durationMinutes",
            "maxTravelKm",
            "acceptsShortNotice",
        ],
        &["standard", "customDays"],
    ),
    (SLOT_CAPACITY, "Slot", &["places", "minutes"], &[]),
    (SITE_KIND, "Location", &[], &[]),
    (PINNED_BOOKING, "Appointment", &[], &[]),
];

/// A url compared loosely: no scheme, `www.` or trailing slash, lower case.
fn loosely(url: &str) -> String {
    let u = url.trim().trim_end_matches('/').to_ascii_lowercase();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(&u);
    u.strip_prefix("www.").unwrap_or(u).to_owned()
}

/// The last segment of an extension url, as element paths show it (`waiting-list-entry`).
fn short(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// Checks the top-level extensions of a resource (or of a Patient's address): one of the
/// crate's, misspelt, misplaced or with an unknown or repeated sub-extension, is an error (it
/// would change who is booked if read wrongly); the geolocation extension's sub-extensions are
/// checked the same way; any other is counted in `unread` and noted.
fn vet(
    here: &str,
    path: &str,
    kind: &str,
    extensions: &[Extension],
    unread: &mut BTreeMap<String, usize>,
) -> Result<()> {
    let mut ours_seen = BTreeSet::new();
    for e in extensions {
        let known = OURS
            .iter()
            .copied()
            .chain([(
                GEOLOCATION,
                "Address",
                &["latitude", "longitude"][..],
                &[][..],
            )])
            .find(|(url, ..)| loosely(url) == loosely(&e.url));
        let Some((url, on, subs, repeating)) = known else {
            if e.url
                .to_ascii_lowercase()
                .contains("appointment-optimiser.org")
            {
                let ours: Vec<&str> = OURS.iter().map(|o| o.0).collect();
                return Err(fhir(
                    here,
                    format!("{path}.extension"),
                    format!(
                        "`{}` is no extension of the crate's: they are {}",
                        e.url,
                        ours.join(", ")
                    ),
                ));
            }
            *unread.entry(e.url.clone()).or_default() += 1;
            continue;
        };
        let element = format!("{path}.extension({})", short(url));
        if e.url != url {
            return Err(fhir(
                here,
                &element,
                format!(
                    "the url `{}` is not exactly `{url}`: write it exactly",
                    e.url
                ),
            ));
        }
        if on != kind {
            return Err(fhir(
                here,
                &element,
                format!("this extension goes on {on}, not on {kind}"),
            ));
        }
        if !ours_seen.insert(url) {
            return Err(fhir(here, &element, "given twice: give it once"));
        }
        let has_value = e.value_date.is_some()
            || e.value_code.is_some()
            || e.value_string.is_some()
            || e.value_integer.is_some()
            || e.value_decimal.is_some()
            || e.value_boolean.is_some();
        if !subs.is_empty() && has_value {
            return Err(fhir(
                here,
                &element,
                format!(
                    "a complex extension: give its sub-extensions ({}), not a value",
                    subs.join(", ")
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        for part in &e.extension {
            if !subs.contains(&part.url.as_str()) {
                let near = subs
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(&part.url))
                    .map_or(String::new(), |s| format!(" (`{s}`?)"));
                let reason = if subs.is_empty() {
                    "a simple extension: give its value, with no sub-extension".to_owned()
                } else {
                    format!(
                        "unknown sub-extension `{}`{near}: give {}",
                        part.url,
                        subs.join(", ")
                    )
                };
                return Err(fhir(here, &element, reason));
            }
            if !seen.insert(part.url.as_str()) && !repeating.contains(&part.url.as_str()) {
                return Err(fhir(
                    here,
                    format!("{element}.{}", part.url),
                    "given twice: give it once",
                ));
            }
        }
    }
    Ok(())
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

/// Every DM01 test or operation the codings of `concept` name, in coding order, each once.
///
/// # Errors
/// A code of [`DM01_SYSTEM`] that names no DM01 test.
fn coded_services(concept: &CodeableConcept, here: &str, element: &str) -> Result<Vec<Service>> {
    let mut out = Vec::new();
    for c in &concept.coding {
        let (Some(system), Some(code)) = (c.system.as_deref(), c.code.as_deref()) else {
            continue;
        };
        let service = match system {
            OPERATION_SYSTEM => Some(Service::Operation(code.to_owned())),
            DM01_SYSTEM => Some(Service::Diagnostic(
                code_of::<DiagnosticTest>(code).ok_or_else(|| {
                    fhir(
                        here,
                        element,
                        format!("`{code}` is no DM01 test of {DM01_SYSTEM}: give mri, ct, non_obstetric_ultrasound, barium_enema, dexa_scan, audiology_assessment, echocardiography, electrophysiology, neurophysiology, urodynamics, colonoscopy, flexi_sigmoidoscopy, cystoscopy, gastroscopy or sleep_studies"),
                    )
                })?,
            )),
            SNOMED_SYSTEM => SNOMED_DM01
                .iter()
                .find(|(k, _)| *k == code)
                .map(|&(_, t)| Service::Diagnostic(t)),
            _ => None,
        };
        if let Some(s) = service.filter(|s| !out.contains(s)) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Every treatment function the [`PRACTICE_SETTING_SYSTEM`] codings of `concepts` name, each
/// once.
fn treatment_functions<'a>(
    concepts: impl IntoIterator<Item = &'a CodeableConcept>,
) -> Vec<Service> {
    let mut out = Vec::new();
    for concept in concepts {
        for c in &concept.coding {
            if c.system.as_deref() != Some(PRACTICE_SETTING_SYSTEM) {
                continue;
            }
            if let Some(s) = c
                .code
                .as_deref()
                .map(|code| Service::Outpatient(code.to_owned()))
                .filter(|s| !out.contains(s))
            {
                out.push(s);
            }
        }
    }
    out
}

/// The first of the services found; more than one is noted, naming the one read.
fn first_of(
    found: Vec<Service>,
    here: &str,
    element: &str,
    notes: &mut Vec<ImportNote>,
) -> Option<Service> {
    if found.len() > 1 {
        let all: Vec<String> = found.iter().map(ToString::to_string).collect();
        notes.push(ImportNote::Assumed {
            resource: here.to_owned(),
            element: element.to_owned(),
            assumed: format!("codes {}: read as {}", all.join(" and "), all[0]),
        });
    }
    found.into_iter().next()
}

/// The codings given, as `system|code`, for an error that none is read.
fn codes_given<'a>(concepts: impl IntoIterator<Item = &'a CodeableConcept>) -> String {
    let codes: Vec<String> = concepts
        .into_iter()
        .flat_map(|c| &c.coding)
        .map(|c| {
            format!(
                "{}|{}",
                c.system.as_deref().unwrap_or(""),
                c.code.as_deref().unwrap_or("")
            )
        })
        .collect();
    if codes.is_empty() {
        "no coding is given".to_owned()
    } else {
        format!("none of {} is read", codes.join(", "))
    }
}

fn code_of<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// Adds the error of `result`, if any, to `errors`.
fn keep<T>(errors: &mut Vec<Error>, result: Result<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// The `valueBoolean` of a simple extension or sub-extension that must have one.
fn boolean(e: &Extension, at: &str, element: &str) -> Result<bool> {
    e.value_boolean
        .ok_or_else(|| fhir(at, element, "give valueBoolean, true or false"))
}

/// A patient as the booking needs them: the home, whether they have died, whether the record
/// is active.
struct PatientRead {
    home: Option<Point>,
    deceased: bool,
    active: bool,
}

/// The home of a Patient: the geolocation of an address current on the planning date (no
/// `period`, or one that includes it) whose `use` is `home`, `temp` or not given, a `home`
/// address first (an `old`, `work` or `billing` address is not where the patient travels
/// from).
fn patient_of(p: &Read<Patient>, planning: NaiveDate) -> Result<PatientRead> {
    let here = format!("Patient/{}", p.id);
    let mut addresses: Vec<(usize, &Address)> = p.value.address.iter().enumerate().collect();
    addresses.sort_by_key(|(_, a)| a.usage.as_deref() != Some("home"));
    let mut home = None;
    for (k, a) in addresses {
        if !matches!(a.usage.as_deref(), None | Some("home" | "temp")) {
            continue;
        }
        let at = |e: &str| format!("Patient.address[{k}].{e}");
        if let Some(period) = &a.period {
            if let Some(end) = &period.end {
                if date_of(end, &here, &at("period.end"))? < planning {
                    continue;
                }
            }
            if let Some(start) = &period.start {
                if date_of(start, &here, &at("period.start"))? > planning {
                    continue;
                }
            }
        }
        let geo = complex(&a.extension, GEOLOCATION);
        if a.extension.iter().all(|e| e.url != GEOLOCATION) {
            continue;
        }
        let degrees = |name: &str| sub(geo, name).next().and_then(|e| e.value_decimal);
        match (degrees("latitude"), degrees("longitude")) {
            (Some(lat), Some(lon)) => {
                home = Some(Point::new(lat, lon));
                break;
            }
            _ => {
                return Err(fhir(
                    &here,
                    at("extension(geolocation)"),
                    "give latitude and longitude, each valueDecimal degrees",
                ))
            }
        }
    }
    Ok(PatientRead {
        home,
        deceased: p.value.deceased_boolean == Some(true) || p.value.deceased_date_time.is_some(),
        active: p.value.active != Some(false),
    })
}

/// What an Appointment is to the booking.
enum AppointmentRead<'a> {
    /// The existing booking of a ServiceRequest in the bundle.
    Keep(&'a str, ExistingBooking),
    /// A booking of a ServiceRequest in the bundle on a date before the planning date whose
    /// outcome is not recorded (still `booked`, `arrived` or `checked-in`): the request is not
    /// booked again. (ServiceRequest, NHS date.)
    OutcomeMissing(&'a str, NaiveDate),
    /// A confirmed booking on or after the planning date that is no ServiceRequest's here: it
    /// still takes a place in its Slot. (Slot id, minutes.)
    Occupies(&'a str, Option<u32>),
    /// Nothing to keep (noted).
    Nothing,
}

/// The statuses of a ServiceRequest (FHIR R4 `request-status`).
const REQUEST_STATUSES: [&str; 7] = [
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
];

/// The intents of a ServiceRequest (FHIR R4 `request-intent`).
const REQUEST_INTENTS: [&str; 9] = [
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
];

/// The statuses of an Appointment (FHIR R4 `appointmentstatus`).
const APPOINTMENT_STATUSES: [&str; 10] = [
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
];

/// An Appointment read: the existing booking of its ServiceRequest, a booking whose outcome
/// is missing, a place taken in a Slot, or nothing (noted). `subjects` gives each
/// ServiceRequest's Patient.
fn booking_of<'a>(
    a: &'a Read<AppointmentIn>,
    subjects: &BTreeMap<&str, Option<&str>>,
    planning: NaiveDate,
    notes: &mut Vec<ImportNote>,
) -> Result<AppointmentRead<'a>> {
    let here = format!("Appointment/{}", a.id);
    let status = a
        .value
        .status
        .as_deref()
        .ok_or_else(|| fhir(&here, "Appointment.status", "missing (it is required)"))?;
    if !APPOINTMENT_STATUSES.contains(&status) {
        return Err(fhir(
            &here,
            "Appointment.status",
            format!(
                "`{status}` is not a status of FHIR R4 (codes are lower case): give {}",
                APPOINTMENT_STATUSES.join(", ")
            ),
        ));
    }
    let open = matches!(status, "booked" | "arrived" | "checked-in");
    let confirmed = match status {
        "booked" | "arrived" | "checked-in" => true,
        "proposed" | "pending" => false,
        other => {
            notes.push(ImportNote::Skipped {
                resource: here,
                reason: format!("status `{other}` is not a booking to keep"),
            });
            return Ok(AppointmentRead::Nothing);
        }
    };
    let start = match &a.value.start {
        Some(s) => Some(instant(s, &here, "Appointment.start")?),
        None => None,
    };
    let end = match &a.value.end {
        Some(s) => Some(instant(s, &here, "Appointment.end")?),
        None => None,
    };
    let minutes = a.value.minutes_duration.or_else(|| {
        let (start, end) = (start?, end?);
        u32::try_from((end - start).num_minutes()).ok()
    });
    let slots: Vec<&str> = a
        .value
        .slot
        .iter()
        .filter_map(|r| r.id_of("Slot"))
        .collect();
    if slots.len() > 1 {
        return Err(fhir(
            &here,
            "Appointment.slot",
            format!("names {} Slots: the import keeps a booking in one slot; give one Appointment per Slot", slots.len()),
        ));
    }
    let patients: Vec<&str> = a
        .value
        .participant
        .iter()
        .filter_map(|p| p.actor.as_ref()?.id_of("Patient"))
        .collect();
    let based_on = a
        .value
        .based_on
        .iter()
        .find_map(|r| r.id_of("ServiceRequest"));
    let Some(request) = based_on.filter(|r| subjects.contains_key(r)) else {
        let patient_on_list = patients
            .iter()
            .find(|p| subjects.values().any(|s| s == &Some(**p)));
        let past = start.is_some_and(|s| nhs_date(&s) < planning);
        if let (Some(patient), true, false) = (patient_on_list, confirmed, past) {
            return Err(fhir(
                &here,
                "Appointment.basedOn",
                format!("a booking of Patient/{patient}, who has a ServiceRequest here, that names none of them: give basedOn, so that the request is not booked twice"),
            ));
        }
        notes.push(ImportNote::Skipped {
            resource: here,
            reason: "basedOn names no ServiceRequest in the bundle".into(),
        });
        return Ok(match (confirmed && !past, slots.first()) {
            (true, Some(slot)) => AppointmentRead::Occupies(slot, minutes),
            _ => AppointmentRead::Nothing,
        });
    };
    let subject = subjects.get(request).copied().flatten();
    if let Some(other) = patients.iter().find(|p| Some(**p) != subject) {
        return Err(fhir(
            &here,
            "Appointment.participant",
            format!("Patient/{other} is not the subject of ServiceRequest/{request}: the booking is another patient's"),
        ));
    }
    if let Some(day) = start.map(|s| nhs_date(&s)).filter(|d| *d < planning) {
        if open {
            return Ok(AppointmentRead::OutcomeMissing(request, day));
        }
        notes.push(ImportNote::Skipped {
            resource: here,
            reason: "it starts before the planning date".into(),
        });
        return Ok(AppointmentRead::Nothing);
    }
    let Some(slot) = slots.first() else {
        return Err(fhir(
            here,
            "Appointment.slot",
            "missing: a booking on or after the planning date must name its Slot so it can be kept",
        ));
    };
    let pinned = match a.value.extension.iter().find(|e| e.url == PINNED_BOOKING) {
        Some(e) => boolean(e, &here, "Appointment.extension(pinned-booking)")?,
        None => false,
    };
    Ok(AppointmentRead::Keep(
        request,
        ExistingBooking {
            slot: SlotId((*slot).to_owned()),
            pinned,
            confirmed,
            appointment_id: Some(a.id.clone()),
        },
    ))
}

/// Reads a FHIR R4 JSON Bundle into a checked [`Problem`]; see the module documentation and
/// the README's "From a trust's systems" for the mapping.
///
/// Site ids are the Location ids, slot ids the Slot ids, referral ids the ServiceRequest ids
/// and patient ids the ids the ServiceRequests' `subject` references name, so that
/// [`super::export_appointments`] can refer back to them. References by fullUrl (`urn:uuid:`)
/// are resolved and versions (`/_history/n`) dropped.
///
/// The whole bundle is read before the import gives up, so one call reports every resource at
/// fault.
///
/// # Errors
/// [`Error::Fhir`] naming the resource (`Type/id`) and element path, or, when several
/// resources are at fault, [`Error::FhirBundle`] with each: a bundle that is not a
/// `collection`, `searchset` or `transaction`; a resource without an id or with a value of the
/// wrong type; one of the crate's extensions misspelt, on the wrong resource, with an unknown
/// or repeated sub-extension or a value of the wrong type; a `modifierExtension`; a
/// ServiceRequest without a status, an intent, a Patient `subject`, a service or a clock
/// start; a Slot without its Schedule, a site or a service; an Appointment to keep that names
/// no Slot; two Appointments to keep for one ServiceRequest. Then any error of
/// [`Problem::check`], with a referral's named as its ServiceRequest, a slot's as its Slot and
/// a site's as its Location.
pub fn import_bundle(json: &str, settings: &ImportSettings) -> Result<FhirImport> {
    let mut errors = Vec::new();
    let Resources {
        service_requests,
        patients,
        locations,
        services,
        schedules,
        slots: fhir_slots,
        appointments,
        not_read,
        notes: bundle_notes,
    } = read_bundle(json, &mut errors)?;
    let mut notes = bundle_notes;
    let planning = settings.planning_date;

    // Extensions of everything read (modifierExtensions were refused when the bundle was read).
    let mut unread: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad: BTreeSet<String> = BTreeSet::new();
    let mut check = |here: String, path: &str, kind: &str, extensions: &[Extension]| {
        if keep(&mut errors, vet(&here, path, kind, extensions, &mut unread)).is_none() {
            bad.insert(here);
        }
    };
    let at = |kind: &str, id: &str| format!("{kind}/{id}");
    let read: Vec<(&str, &str, &[Extension])> = service_requests
        .iter()
        .map(|r| ("ServiceRequest", r.id.as_str(), &r.value.extension[..]))
        .chain(
            patients
                .iter()
                .map(|r| ("Patient", r.id.as_str(), &r.value.extension[..])),
        )
        .chain(
            locations
                .iter()
                .map(|r| ("Location", r.id.as_str(), &r.value.extension[..])),
        )
        .chain(
            services
                .iter()
                .map(|r| ("HealthcareService", r.id.as_str(), &r.value.extension[..])),
        )
        .chain(
            schedules
                .iter()
                .map(|r| ("Schedule", r.id.as_str(), &r.value.extension[..])),
        )
        .chain(
            fhir_slots
                .iter()
                .map(|r| ("Slot", r.id.as_str(), &r.value.extension[..])),
        )
        .chain(
            appointments
                .iter()
                .map(|r| ("Appointment", r.id.as_str(), &r.value.extension[..])),
        )
        .collect();
    for (kind, id, extensions) in read {
        check(at(kind, id), kind, kind, extensions);
    }
    for r in &patients {
        for (k, a) in r.value.address.iter().enumerate() {
            let path = format!("Patient.address[{k}]");
            check(at("Patient", &r.id), &path, "Address", &a.extension);
        }
    }
    let ok = |kind: &str, id: &str| !bad.contains(&format!("{kind}/{id}"));

    let subjects: BTreeMap<&str, Option<&str>> = service_requests
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.value.subject.as_ref().and_then(|s| s.id_of("Patient")),
            )
        })
        .collect();

    // Existing bookings: the Appointments to keep, by ServiceRequest; requests whose last
    // booking has no outcome yet; places taken by bookings that are no request's here.
    let mut bookings: BTreeMap<&str, (&str, ExistingBooking)> = BTreeMap::new();
    let mut outcome_missing: BTreeMap<&str, (&str, NaiveDate)> = BTreeMap::new();
    let mut occupied: BTreeMap<String, Vec<(String, Option<u32>)>> = BTreeMap::new();
    for a in appointments.iter().filter(|a| ok("Appointment", &a.id)) {
        let Some(read) = keep(&mut errors, booking_of(a, &subjects, planning, &mut notes)) else {
            continue;
        };
        match read {
            AppointmentRead::Keep(request, booking) => {
                if let Some((first, _)) = bookings.get(request) {
                    errors.push(fhir(
                        format!("Appointment/{}", a.id),
                        "Appointment.basedOn",
                        format!("ServiceRequest/{request} already has Appointment/{first} to keep: cancel one of them"),
                    ));
                    continue;
                }
                bookings.insert(request, (a.id.as_str(), booking));
            }
            AppointmentRead::OutcomeMissing(request, day) => {
                outcome_missing
                    .entry(request)
                    .or_insert((a.id.as_str(), day));
            }
            AppointmentRead::Occupies(slot, minutes) => {
                occupied
                    .entry(slot.to_owned())
                    .or_default()
                    .push((a.id.clone(), minutes));
            }
            AppointmentRead::Nothing => {}
        }
    }
    let held: BTreeSet<&str> = bookings.values().map(|(_, b)| b.slot.as_str()).collect();

    // Sites: every Location, then Locations named but not in the bundle.
    let mut sites: Vec<Site> = Vec::new();
    for l in locations.iter().filter(|l| ok("Location", &l.id)) {
        let here = format!("Location/{}", l.id);
        let kind = match l.value.extension.iter().find(|e| e.url == SITE_KIND) {
            Some(e) => keep(
                &mut errors,
                e.value_code
                    .as_deref()
                    .and_then(code_of::<SiteKind>)
                    .ok_or_else(|| {
                        fhir(
                            &here,
                            "Location.extension(site-kind).valueCode",
                            "give nhs_trust, community_diagnostic_centre or independent_sector",
                        )
                    }),
            ),
            None => Some(SiteKind::NhsTrust),
        };
        let Some(kind) = kind else { continue };
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
    for s in fhir_slots.iter().filter(|s| ok("Slot", &s.id)) {
        let here = format!("Slot/{}", s.id);
        let read = (|| -> Result<Option<Slot>> {
            let status = match s.value.status.as_deref() {
                Some("free") => SlotStatus::Free,
                Some("busy" | "busy-tentative") if held.contains(s.id.as_str()) => SlotStatus::Free,
                Some("busy" | "busy-tentative") => SlotStatus::Booked,
                Some("busy-unavailable") => SlotStatus::Blocked,
                Some("entered-in-error") => {
                    notes.push(ImportNote::Skipped {
                        resource: here.clone(),
                        reason: "status `entered-in-error`".into(),
                    });
                    return Ok(None);
                }
                Some(other) => {
                    return Err(fhir(
                        &here,
                        "Slot.status",
                        format!("`{other}`: give free, busy, busy-unavailable, busy-tentative or entered-in-error"),
                    ))
                }
                None => return Err(fhir(&here, "Slot.status", "missing (it is required)")),
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
            let schedule = schedules
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
                services.iter().find(|x| x.id == id)
            });
            let direct = schedule
                .value
                .actor
                .iter()
                .find(|r| r.id_of("Location").is_some());
            let site = match (direct, service_of_actor) {
                (Some(r), _) => site_of_reference(r, &schedule_at, "Schedule.actor", &mut notes),
                (None, Some(hs)) if hs.value.location.len() > 1 => {
                    return Err(fhir(
                        format!("HealthcareService/{}", hs.id),
                        "HealthcareService.location",
                        format!("names {} Locations, so Schedule/{schedule_id}'s slots have no one site: give the Schedule a Location actor", hs.value.location.len()),
                    ))
                }
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
            let mut coded = Vec::new();
            for concept in s
                .value
                .service_type
                .iter()
                .chain(&schedule.value.service_type)
            {
                for found in coded_services(concept, &here, "Slot.serviceType")? {
                    if !coded.contains(&found) {
                        coded.push(found);
                    }
                }
            }
            if coded.is_empty() {
                coded = treatment_functions(
                    s.value
                        .specialty
                        .iter()
                        .chain(&schedule.value.specialty)
                        .chain(service_of_actor.map_or(&[][..], |hs| &hs.value.specialty)),
                );
            }
            let service = first_of(coded, &here, "Slot.serviceType", &mut notes).ok_or_else(|| {
                fhir(
                    &here,
                    "Slot.serviceType",
                    format!(
                        "no service ({}): code serviceType with a DM01 test or an operation, or specialty (the Slot's, its Schedule's or its HealthcareService's) with UKCore-PracticeSettingCode",
                        codes_given(
                            s.value
                                .service_type
                                .iter()
                                .chain(&schedule.value.service_type)
                                .chain(&s.value.specialty)
                                .chain(&schedule.value.specialty)
                        )
                    ),
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
            Ok(Some(Slot {
                id: SlotId(s.id.clone()),
                site,
                service,
                start,
                end,
                capacity: places,
                minutes_capacity: minutes,
                capabilities: BTreeSet::new(),
                status,
            }))
        })();
        if let Some(Some(slot)) = keep(&mut errors, read) {
            slots.push(slot);
        }
    }
    let slot_ids: BTreeSet<&str> = slots.iter().map(|s| s.id.as_str()).collect();

    // Patients: the home and whether they have died.
    let mut patients_read: BTreeMap<&str, PatientRead> = BTreeMap::new();
    for p in patients.iter().filter(|p| ok("Patient", &p.id)) {
        if let Some(read) = keep(&mut errors, patient_of(p, planning)) {
            patients_read.insert(p.id.as_str(), read);
        }
    }

    // Referrals.
    let mut referrals = Vec::new();
    for r in service_requests
        .iter()
        .filter(|r| ok("ServiceRequest", &r.id))
    {
        let here = format!("ServiceRequest/{}", r.id);
        let sr = &r.value;
        let read = (|| -> Result<Option<Referral>> {
            let skip = |notes: &mut Vec<ImportNote>, reason: String| {
                notes.push(ImportNote::Skipped {
                    resource: here.clone(),
                    reason,
                });
                Ok(None)
            };
            match sr.status.as_deref() {
                Some("active") => {}
                Some(other) if !REQUEST_STATUSES.contains(&other) => {
                    return Err(fhir(
                        &here,
                        "ServiceRequest.status",
                        format!(
                            "`{other}` is not a status of FHIR R4 (codes are lower case): give {}",
                            REQUEST_STATUSES.join(", ")
                        ),
                    ))
                }
                Some(other) => {
                    return skip(
                        &mut notes,
                        format!("status `{other}`: only an active request is on the waiting list"),
                    )
                }
                None => {
                    return Err(fhir(
                        &here,
                        "ServiceRequest.status",
                        "missing (it is required)",
                    ))
                }
            }
            if sr.do_not_perform == Some(true) {
                return skip(
                    &mut notes,
                    "doNotPerform: the request is that this is not done".into(),
                );
            }
            match sr.intent.as_deref() {
                Some(
                    "order" | "original-order" | "reflex-order" | "filler-order" | "instance-order",
                ) => {}
                Some(other) if !REQUEST_INTENTS.contains(&other) => {
                    return Err(fhir(
                        &here,
                        "ServiceRequest.intent",
                        format!(
                            "`{other}` is not an intent of FHIR R4 (codes are lower case): give {}",
                            REQUEST_INTENTS.join(", ")
                        ),
                    ))
                }
                Some(other) => {
                    return skip(
                        &mut notes,
                        format!("intent `{other}`: only an order is booked"),
                    )
                }
                None => {
                    return Err(fhir(
                        &here,
                        "ServiceRequest.intent",
                        "missing (it is required): a waiting-list entry is an `order`",
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
            let person = patients_read.get(patient);
            if person.is_some_and(|p| p.deceased) {
                return skip(
                    &mut notes,
                    format!("Patient/{patient} is recorded as deceased"),
                );
            }
            if person.is_some_and(|p| !p.active) {
                return skip(
                    &mut notes,
                    format!("Patient/{patient} is not active (a merged or retired record): book the request of the record that replaces it"),
                );
            }
            let mut coded = match &sr.code {
                Some(code) => coded_services(code, &here, "ServiceRequest.code")?,
                None => Vec::new(),
            };
            let mut coded_in = "ServiceRequest.code";
            if coded.is_empty() {
                coded = treatment_functions(sr.category.iter().chain(&sr.performer_type));
                coded_in = "ServiceRequest.category";
            }
            if coded.is_empty() {
                coded_in = "Appointment.specialty";
                coded = treatment_functions(
                    appointments
                        .iter()
                        .filter(|a| {
                            a.value
                                .based_on
                                .iter()
                                .any(|b| b.id_of("ServiceRequest") == Some(&r.id))
                        })
                        .flat_map(|a| &a.value.specialty),
                );
            }
            let service = first_of(coded, &here, coded_in, &mut notes).ok_or_else(|| {
                fhir(
                    &here,
                    "ServiceRequest.code",
                    format!(
                        "no service ({}): code it with a DM01 test or an operation, or give a UKCore-PracticeSettingCode treatment function in category or performerType",
                        codes_given(sr.code.iter().chain(&sr.category).chain(&sr.performer_type))
                    ),
                )
            })?;
            let wle = complex(&sr.extension, WAITING_LIST_ENTRY);
            let element =
                |name: &str| format!("ServiceRequest.extension(waiting-list-entry).{name}");
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
            if let Some((appointment, day)) = outcome_missing.get(r.id.as_str()) {
                if *day >= clock_start {
                    return skip(
                        &mut notes,
                        format!("Appointment/{appointment} on {day}, before the planning date, has no outcome recorded (still booked): the request is not booked again until the booking system records one (fulfilled, noshow) or closes the request"),
                    );
                }
                notes.push(ImportNote::Skipped {
                    resource: format!("Appointment/{appointment}"),
                    reason: format!("on {day}, before the planning date and before the request's clock start ({clock_start}): not a booking of this pathway"),
                });
            }
            let priority = match sub(wle, "priority").next() {
                Some(e) => {
                    let given = e
                        .value_code
                        .as_deref()
                        .and_then(code_of::<ReferralPriority>)
                        .ok_or_else(|| {
                            fhir(
                                &here,
                                element("priority"),
                                "give valueCode routine, urgent or urgent_suspected_cancer",
                            )
                        })?;
                    let core = match sr.priority.as_deref() {
                        Some("urgent" | "asap" | "stat") => Some(false),
                        Some("routine") => Some(true),
                        _ => None,
                    };
                    if core.is_some_and(|routine| routine != (given == ReferralPriority::Routine)) {
                        notes.push(ImportNote::Assumed {
                            resource: here.clone(),
                            element: "ServiceRequest.priority".into(),
                            assumed: format!(
                                "`{}` disagrees with the waiting-list-entry extension's priority: the extension's is read",
                                sr.priority.as_deref().unwrap_or("")
                            ),
                        });
                    }
                    given
                }
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
                            &here,
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
                standards.push(WaitingTimeStandard::CustomDays(positive(
                    e,
                    &here,
                    &element("customDays"),
                )?));
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
                None => {
                    notes.push(ImportNote::Assumed {
                        resource: here.clone(),
                        element: element("durationMinutes"),
                        assumed: format!(
                            "not given: {} minutes (the import's default)",
                            settings.default_duration_minutes
                        ),
                    });
                    settings.default_duration_minutes
                }
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
            let accepts_short_notice = match sub(wle, "acceptsShortNotice").next() {
                Some(e) => boolean(e, &here, &element("acceptsShortNotice"))?,
                None => false,
            };
            let earliest_date = match sr.occurrence_date_time.as_deref().or(sr
                .occurrence_period
                .as_ref()
                .and_then(|p| p.start.as_deref()))
            {
                Some(v) => Some(date_of(v, &here, "ServiceRequest.occurrence")?),
                None => None,
            };
            let home = person.and_then(|p| p.home);
            if home.is_none() {
                notes.push(ImportNote::Assumed {
                    resource: here.clone(),
                    element: "ServiceRequest.subject".into(),
                    assumed: if person.is_some() {
                        format!("Patient/{patient} has no current address with a geolocation: travel is not measured")
                    } else {
                        format!("Patient/{patient} is not in the bundle: no home, so travel is not measured")
                    },
                });
            }
            let mut preferred_sites = Vec::new();
            for l in &sr.location_reference {
                let Some(id) = l.id_of("Location") else {
                    continue;
                };
                if sites.iter().any(|s| s.id.as_str() == id) {
                    preferred_sites.push(SiteId(id.to_owned()));
                } else {
                    notes.push(ImportNote::Assumed {
                        resource: here.clone(),
                        element: "ServiceRequest.locationReference".into(),
                        assumed: format!(
                            "Location/{id} is not in the bundle: not a preferred site"
                        ),
                    });
                }
            }
            let mut existing_booking = None;
            if let Some((appointment, booking)) = bookings.remove(r.id.as_str()) {
                if slot_ids.contains(booking.slot.as_str()) {
                    existing_booking = Some(booking);
                } else if booking.confirmed {
                    return skip(
                        &mut notes,
                        format!("Appointment/{appointment} is booked in Slot/{}, which is not in the bundle: the booking stands and the request is not booked again (add the Slot to re-plan it)", booking.slot),
                    );
                } else {
                    notes.push(ImportNote::Skipped {
                        resource: format!("Appointment/{appointment}"),
                        reason: format!("proposed in Slot/{}, which is not in the bundle: not kept, and the request is booked afresh", booking.slot),
                    });
                }
            }
            Ok(Some(Referral {
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
                existing_booking,
                accepts_short_notice,
                did_not_attend: Vec::new(),
                declined_offers: Vec::new(),
            }))
        })();
        if let Some(Some(referral)) = keep(&mut errors, read) {
            referrals.push(referral);
        }
    }
    // Appointments of ServiceRequests left out: said, not dropped; a confirmed one still takes
    // its place.
    for (request, (appointment, booking)) in bookings {
        notes.push(ImportNote::Skipped {
            resource: format!("Appointment/{appointment}"),
            reason: format!("ServiceRequest/{request} is not on the waiting list"),
        });
        if booking.confirmed && slot_ids.contains(booking.slot.as_str()) {
            occupied
                .entry(booking.slot.as_str().to_owned())
                .or_default()
                .push((appointment.to_owned(), None));
        }
    }
    // Places that bookings outside the problem take.
    for slot in &mut slots {
        let Some(taken) = occupied.get(slot.id.as_str()) else {
            continue;
        };
        if slot.status != SlotStatus::Free {
            continue;
        }
        let names: Vec<String> = taken
            .iter()
            .map(|(a, _)| format!("Appointment/{a}"))
            .collect();
        let places = u32::try_from(taken.len()).unwrap_or(u32::MAX);
        let assumed = if places >= slot.capacity {
            slot.status = SlotStatus::Booked;
            format!(
                "{} booked here and kept as it is: read as booked",
                names.join(", ")
            )
        } else {
            slot.capacity -= places;
            if let Some(m) = slot.minutes_capacity.as_mut() {
                let used: u32 = taken.iter().map(|(_, m)| m.unwrap_or(0)).sum();
                *m = m.saturating_sub(used).max(1);
            }
            format!(
                "{} booked here and kept as it is: {} place(s) left",
                names.join(", "),
                slot.capacity
            )
        };
        notes.push(ImportNote::Assumed {
            resource: format!("Slot/{}", slot.id),
            element: "Slot.status".into(),
            assumed,
        });
    }
    for (resource_type, count) in not_read {
        notes.push(ImportNote::NotRead {
            resource_type,
            count,
        });
    }
    for (url, count) in unread {
        notes.push(ImportNote::ExtensionNotRead { url, count });
    }

    let horizon_end = match settings.horizon_end {
        Some(end) => end,
        None => {
            let end = planning.checked_add_days(Days::new(42)).unwrap_or(planning);
            notes.push(ImportNote::Assumed {
                resource: "Bundle".into(),
                element: "(horizon end)".into(),
                assumed: format!("not given: six weeks after the planning date, {end}"),
            });
            end
        }
    };
    // One fault found through several resources (a Schedule of many Slots) is said once.
    let mut said = BTreeSet::new();
    errors.retain(|e| said.insert(e.to_string()));
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0)),
        _ => return Err(Error::FhirBundle { errors }),
    }
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
