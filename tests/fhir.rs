//! The FHIR R4 (UK Core) adapter: the nine published UK Core examples and a bundle shaped like a
//! trust's week read into the problems worked out by hand, the schedule written back as
//! Appointments, and the round trip.
#![cfg(feature = "fhir")]

use appointment_optimiser::fhir::{
    export_appointments, import_bundle, AppointmentStatus, ImportNote, ImportSettings,
};
use appointment_optimiser::{
    solve, validate, BookingChange, ChangeReason, Error, InputWarning, Outcome, Problem, Schedule,
    Service, SlotStatus, SolveOptions, UnbookedReason,
};
use chrono::NaiveDate;
use serde_json::{json, Value};

const TRUST_WEEK: &str = include_str!("data/fhir/trust_week.json");
const TRUST_WEEK_PROBLEM: &str = include_str!("data/fhir/trust_week.problem.json");

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn week_settings() -> ImportSettings {
    ImportSettings::new(date(2026, 12, 7))
}

/// Solves and checks the schedule with the independent validator.
fn solved(problem: &Problem) -> Schedule {
    let schedule = solve(problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(problem, &schedule), vec![]);
    schedule
}

/// A referral's id, patient, (service, standards, priority) as JSON, clock start, earliest date
/// and preferred sites.
type ReferralRow<'a> = (
    &'a str,
    &'a str,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Vec<&'a str>,
);

fn skipped(resource: &str, reason: &str) -> ImportNote {
    ImportNote::Skipped {
        resource: resource.into(),
        reason: reason.into(),
    }
}

fn assumed(resource: &str, element: &str, value: &str) -> ImportNote {
    ImportNote::Assumed {
        resource: resource.into(),
        element: element.into(),
        assumed: value.into(),
    }
}

/// The nine UK Core examples (converted from the published XML, see
/// `tests/data/fhir/uk-core/README.md`) in one collection bundle, in file-name order.
fn uk_core_bundle() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fhir/uk-core");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    let entry: Vec<Value> = files
        .iter()
        .map(|p| json!({"resource": serde_json::from_str::<Value>(&std::fs::read_to_string(p).unwrap()).unwrap()}))
        .collect();
    json!({"resourceType": "Bundle", "type": "collection", "entry": entry}).to_string()
}

/// Worked by hand from the nine files, booking on 15 April 2024:
/// - sites: the two Locations (no `position`), then the GP nurse clinic the Schedule names but
///   the examples lack, read as a site without coordinates;
/// - the slot: clinical immunology (specialty 313; its SNOMED serviceType is no DM01 test),
///   20 December 2022 11:20-11:40 at +07:00, free, one place;
/// - the referrals, by their files: CT (SNOMED 169069000), colonoscopy (73761001), and the hip
///   review, whose code is no test: its treatment function 110 is the specialty of the
///   Appointment based on it. None has the waiting-list extension, so each clock starts on its
///   `authoredOn` (London date) and the standard follows the service;
/// - the Appointment (still `booked`, for 11 March 2022, no slot) is in the past and before the
///   hip request's clock start, so it is not read as a booking of that pathway whose outcome
///   is missing (which would keep the request from being booked again): left out, said so.
#[test]
fn the_nine_uk_core_examples_import_as_worked_by_hand() {
    let import = import_bundle(&uk_core_bundle(), &ImportSettings::new(date(2024, 4, 15))).unwrap();
    let p = &import.problem;
    assert_eq!(p.horizon_end, date(2024, 5, 27));

    let sites: Vec<(&str, &str, bool)> = p
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str(), s.location.is_some()))
        .collect();
    assert_eq!(
        sites,
        [
            (
                "UKCore-Location-CardiologySJUH-Example",
                "CARDIOLOGY SJUH",
                false
            ),
            (
                "UKCore-Location-HospitalSJUH-Example",
                "ST JAMES'S UNIVERSITY HOSPITAL",
                false
            ),
            (
                "UKCore-Location-GeneralPracticeNurseClinic-Example",
                "White Rose GP Practice Nurse Clinic",
                false
            ),
        ]
    );

    assert_eq!(p.slots.len(), 1);
    let slot = &p.slots[0];
    assert_eq!(slot.id.as_str(), "UKCore-Slot-AvailableWalkInVisit-Example");
    assert_eq!(
        slot.site.as_str(),
        "UKCore-Location-GeneralPracticeNurseClinic-Example"
    );
    assert_eq!(slot.service, Service::Outpatient("313".into()));
    assert_eq!(slot.start.to_rfc3339(), "2022-12-20T11:20:00+07:00");
    assert_eq!(slot.end.to_rfc3339(), "2022-12-20T11:40:00+07:00");
    assert_eq!(
        (slot.capacity, slot.minutes_capacity, slot.status),
        (1, None, SlotStatus::Free)
    );

    let hospital = "UKCore-Location-HospitalSJUH-Example";
    let referrals: Vec<ReferralRow> = p
        .referrals
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.patient.as_str(),
                serde_json::to_string(&(&r.service, &r.standards, r.priority)).unwrap(),
                r.clock_start,
                r.earliest_date,
                r.preferred_sites.iter().map(|s| s.as_str()).collect(),
            )
        })
        .collect();
    let patient = "UKCore-Patient-RichardSmith-Example";
    assert_eq!(
        referrals,
        [
            (
                "UKCore-ServiceRequest-CTChestScan-Example",
                patient,
                r#"[{"diagnostic":"ct"},["diagnostic_6_weeks"],"routine"]"#.to_owned(),
                date(2024, 4, 12),
                Some(date(2024, 4, 12)),
                vec![hospital],
            ),
            (
                "UKCore-ServiceRequest-ColonoscopyRequest-Example",
                patient,
                r#"[{"diagnostic":"colonoscopy"},["diagnostic_6_weeks"],"routine"]"#.to_owned(),
                date(2021, 10, 13),
                Some(date(2021, 10, 13)),
                vec![hospital],
            ),
            (
                "UKCore-ServiceRequest-HipReplacement-Example",
                patient,
                r#"[{"outpatient":"110"},["rtt_18_weeks"],"routine"]"#.to_owned(),
                date(2023, 5, 18),
                None,
                vec![hospital],
            ),
        ]
    );
    assert!(p
        .referrals
        .iter()
        .all(|r| r.home.is_none() && r.existing_booking.is_none() && r.duration_minutes == 30));

    let wle = |name: &str| format!("ServiceRequest.extension(waiting-list-entry).{name}");
    let mut expected = vec![assumed(
            "Schedule/UKCore-Schedule-Immunization-Example",
            "Schedule.actor",
            "Location/UKCore-Location-GeneralPracticeNurseClinic-Example is not in the bundle: read as a site without coordinates",
        )];
    for (request, clock_start) in [
        ("CTChestScan", "2024-04-12"),
        ("ColonoscopyRequest", "2021-10-13"),
        ("HipReplacement", "2023-05-18"),
    ] {
        let here = format!("ServiceRequest/UKCore-ServiceRequest-{request}-Example");
        expected.push(assumed(
            &here,
            &wle("clockStart"),
            &format!("not given: the clock starts on authoredOn, {clock_start}"),
        ));
        if request == "HipReplacement" {
            expected.push(skipped(
                "Appointment/UKCore-Appointment-OrthopaedicSurgery-Example",
                "on 2022-03-11, before the planning date and before the request's clock start (2023-05-18): not a booking of this pathway",
            ));
        }
        expected.extend([
            assumed(
                &here,
                &wle("durationMinutes"),
                "not given: 30 minutes (the import's default)",
            ),
            assumed(
                &here,
                "ServiceRequest.subject",
                "Patient/UKCore-Patient-RichardSmith-Example is not in the bundle: no home, so travel is not measured",
            ),
        ]);
    }
    for (extension, count) in [
        ("BookingOrganization", 1),
        ("DeliveryChannel", 1),
        ("SourceOfServiceRequest", 2),
    ] {
        expected.push(ImportNote::ExtensionNotRead {
            url: format!(
                "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-{extension}"
            ),
            count,
        });
    }
    expected.push(assumed(
        "Bundle",
        "(horizon end)",
        "not given: six weeks after the planning date, 2024-05-27",
    ));
    assert_eq!(import.notes, expected);

    // The one slot is in the past and of another service: nobody can be booked.
    let schedule = solved(p);
    assert_eq!(schedule.bookings().count(), 0);
    assert!(schedule.outcomes.iter().all(|o| matches!(
        o.outcome,
        Outcome::Unbooked(UnbookedReason::NoCandidate { .. })
    )));
    assert_eq!(schedule.warnings.len(), 3);
    assert!(schedule
        .warnings
        .iter()
        .all(|w| matches!(w, InputWarning::SiteWithoutLocation { .. })));
}

/// The trust's week (`tests/data/fhir/trust_week.json`) gives the problem written out by hand in
/// `trust_week.problem.json`: the T&O clinic's site and specialty come through its
/// HealthcareService, the CDC's CT list is coded with the crate's DM01 system and the
/// independent sector's with SNOMED, the clinic on the 15th is cancelled (busy-unavailable, so
/// blocked) with a confirmed booking in it, one request is completed and one Appointment
/// cancelled, and one Organization is not read.
#[test]
fn a_trust_week_imports_as_worked_by_hand() {
    let import = import_bundle(TRUST_WEEK, &week_settings()).unwrap();
    let expected = Problem::from_json(TRUST_WEEK_PROBLEM).unwrap();
    assert_eq!(import.problem, expected);
    assert_eq!(
        import.notes,
        [
            skipped("Appointment/APT-2", "status `cancelled` is not a booking to keep"),
            assumed(
                "ServiceRequest/SR-TO-3",
                "ServiceRequest.subject",
                "Patient/P-3 has no current address with a geolocation: travel is not measured"
            ),
            assumed(
                "ServiceRequest/SR-TO-4",
                "ServiceRequest.subject",
                "Patient/P-6 is not in the bundle: no home, so travel is not measured"
            ),
            assumed(
                "ServiceRequest/SR-CT-1",
                "ServiceRequest.subject",
                "Patient/P-4 is not in the bundle: no home, so travel is not measured"
            ),
            assumed(
                "ServiceRequest/SR-CT-2",
                "ServiceRequest.extension(waiting-list-entry).clockStart",
                "not given: the clock starts on authoredOn, 2026-11-20"
            ),
            assumed(
                "ServiceRequest/SR-CT-2",
                "ServiceRequest.priority",
                "`asap` read as urgent (urgent suspected cancer needs the waiting-list-entry extension's priority)"
            ),
            skipped(
                "ServiceRequest/SR-OLD",
                "status `completed`: only an active request is on the waiting list"
            ),
            ImportNote::NotRead {
                resource_type: "Organization".into(),
                count: 1
            },
            assumed(
                "Bundle",
                "(horizon end)",
                "not given: six weeks after the planning date, 2027-01-18"
            ),
        ]
    );
    let printed: Vec<String> = import.notes.iter().map(|n| n.to_string()).collect();
    assert_eq!(printed[7], "1 Organization not read (not used for booking)");
}

/// The week's schedule, by hand: the T&O clinic of the 8th has 3 places for 4 referrals. The
/// urgent one, the 40-week waiter and the confirmed patient whose clinic was cancelled (due to
/// be rebooked within 28 days) go before the routine referral of 2 weeks, which is left
/// unbooked. In the clinic they run back to back from 09:00 in turn order: urgent first, then
/// by clock start. The CT referral that cannot be seen before the 10th takes the independent
/// sector's scan that day; the urgent suspected cancer takes the CDC's on the 9th.
#[test]
fn the_trust_week_is_booked_as_worked_by_hand() {
    let import = import_bundle(TRUST_WEEK, &week_settings()).unwrap();
    let schedule = solved(&import.problem);
    let booked: Vec<(&str, &str, String)> = schedule
        .bookings()
        .map(|(r, b)| (r.as_str(), b.slot.as_str(), b.start.to_rfc3339()))
        .collect();
    assert_eq!(
        booked,
        [
            ("SR-TO-1", "TO-0908", "2026-12-08T09:20:00+00:00".to_owned()),
            ("SR-TO-2", "TO-0908", "2026-12-08T09:00:00+00:00".to_owned()),
            ("SR-TO-3", "TO-0908", "2026-12-08T09:40:00+00:00".to_owned()),
            (
                "SR-CT-1",
                "CT-1209-1",
                "2026-12-09T13:00:00+00:00".to_owned()
            ),
            (
                "SR-CT-2",
                "ISP-CT-1210",
                "2026-12-10T10:00:00+00:00".to_owned()
            ),
        ]
    );
    let to3 = schedule.outcome("SR-TO-3").unwrap();
    assert_eq!(
        to3.change,
        Some(BookingChange::Moved {
            from: "TO-1215".into(),
            because: Some(ChangeReason::SlotBlocked)
        })
    );
    let to4 = schedule.outcome("SR-TO-4").unwrap();
    assert_eq!(
        to4.outcome,
        Outcome::Unbooked(UnbookedReason::NoCapacity { candidates: 1 })
    );
    assert_eq!(
        schedule.warnings,
        [InputWarning::SiteWithoutLocation {
            site: "ISP-1".into()
        }]
    );
}

/// The transaction, entry by entry: one POST per new booking in referral order, and for the
/// moved booking the PATCH cancelling its Appointment before the POST of the new one; the
/// unbooked referral in the OperationOutcome. One Appointment in full, as the README's mapping
/// table says.
#[test]
fn the_schedule_is_written_as_appointments_with_every_mapped_element() {
    let import = import_bundle(TRUST_WEEK, &week_settings()).unwrap();
    let schedule = solved(&import.problem);
    let export =
        export_appointments(&import.problem, &schedule, AppointmentStatus::Proposed).unwrap();
    assert_eq!(
        (export.created, export.cancelled, export.unbooked_referrals),
        (5, 1, 1)
    );
    let bundle: Value = serde_json::from_str(&export.transaction).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "transaction");
    let requests: Vec<String> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let based_on = e["resource"]["basedOn"][0]["reference"]
                .as_str()
                .unwrap_or("");
            format!(
                "{} {} {based_on}",
                e["request"]["method"].as_str().unwrap(),
                e["request"]["url"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        requests,
        [
            "PATCH Appointment/APT-1 ",
            "POST Appointment ServiceRequest/SR-TO-1",
            "POST Appointment ServiceRequest/SR-TO-2",
            "POST Appointment ServiceRequest/SR-TO-3",
            "POST Appointment ServiceRequest/SR-CT-1",
            "POST Appointment ServiceRequest/SR-CT-2",
            "PATCH Slot/CT-1209-1 ",
            "PATCH Slot/ISP-CT-1210 ",
            "PATCH Slot/TO-0908 ",
        ]
    );
    assert_eq!(
        bundle["entry"][0]["resource"],
        json!({"resourceType": "Parameters", "parameter": [
            {"name": "operation", "part": [
                {"name": "type", "valueCode": "replace"},
                {"name": "path", "valueString": "Appointment.status"},
                {"name": "value", "valueCode": "cancelled"}]},
            {"name": "operation", "part": [
                {"name": "type", "valueCode": "add"},
                {"name": "path", "valueString": "Appointment"},
                {"name": "name", "valueString": "cancelationReason"},
                {"name": "value", "valueCodeableConcept": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", "code": "prov", "display": "Provider"}],
                    "text": "moved to another appointment: its slot is blocked (the list is cancelled or the equipment down)"}}]}]})
    );
    // The clinic of the 8th is full (3 places, 3 booked): busy.
    assert_eq!(
        bundle["entry"][8]["resource"]["parameter"][0]["part"][2],
        json!({"name": "value", "valueCode": "busy"})
    );
    let identifier = "SR-CT-2:ISP-CT-1210:2026-12-10T10:00:00Z";
    assert_eq!(
        bundle["entry"][5]["request"],
        json!({"method": "POST", "url": "Appointment",
            "ifNoneExist": format!("identifier=https://appointment-optimiser.org/fhir/NamingSystem/booking|{identifier}&status:not=cancelled")})
    );
    assert_eq!(
        bundle["entry"][5]["resource"],
        json!({
            "resourceType": "Appointment",
            "identifier": [{"system": "https://appointment-optimiser.org/fhir/NamingSystem/booking", "value": identifier}],
            "status": "proposed",
            "serviceType": [{"coding": [
                {"system": "https://appointment-optimiser.org/fhir/CodeSystem/dm01-test", "code": "ct"},
                {"system": "http://snomed.info/sct", "code": "77477000"}]}],
            "start": "2026-12-10T10:00:00Z",
            "end": "2026-12-10T10:20:00Z",
            "minutesDuration": 20,
            "slot": [{"reference": "Slot/ISP-CT-1210"}],
            "basedOn": [{"reference": "ServiceRequest/SR-CT-2"}],
            "participant": [
                {"actor": {"reference": "Patient/P-5"}, "required": "required", "status": "needs-action"},
                {"actor": {"reference": "Location/ISP-1"}, "required": "required", "status": "accepted"}]
        })
    );
    assert!(export
        .transaction
        .starts_with("{\n  \"resourceType\": \"Bundle\""));
    assert_eq!(
        bundle["entry"][1]["resource"]["specialty"],
        json!([{"coding": [{"system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-PracticeSettingCode", "code": "110"}]}])
    );
    let outcome: Value = serde_json::from_str(&export.unbooked).unwrap();
    assert_eq!(
        outcome,
        json!({"resourceType": "OperationOutcome", "issue": [{
            "severity": "information",
            "code": "informational",
            "details": {
                "coding": [{"system": "https://appointment-optimiser.org/fhir/CodeSystem/unbooked-reason", "code": "no_capacity"}],
                "text": "its 1 candidate slot went to referrals ranked higher"},
            "diagnostics": "ServiceRequest/SR-TO-4: due 2027-03-29"}, {
            "severity": "warning",
            "code": "informational",
            "details": {"text": "site `ISP-1`: no `location`, so travel to it is not measured"}}]})
    );
    // Same input, same bytes.
    let again =
        export_appointments(&import.problem, &schedule, AppointmentStatus::Proposed).unwrap();
    assert_eq!(again, export);
}

/// What a FHIR server does with the transaction, for the round trip: each POST becomes an
/// Appointment with the next id, each Appointment PATCH cancels its Appointment, each Slot
/// PATCH sets its Slot's status.
fn apply(bundle: &str, transaction: &str) -> String {
    let mut bundle: Value = serde_json::from_str(bundle).unwrap();
    let transaction: Value = serde_json::from_str(transaction).unwrap();
    let entries = bundle["entry"].as_array_mut().unwrap();
    for (k, e) in transaction["entry"].as_array().unwrap().iter().enumerate() {
        match e["request"]["method"].as_str().unwrap() {
            "POST" => {
                let mut resource = e["resource"].clone();
                resource["id"] = json!(format!("NEW-{k}"));
                entries.push(json!({ "resource": resource }));
            }
            _ => {
                let (kind, id) = e["request"]["url"]
                    .as_str()
                    .unwrap()
                    .split_once('/')
                    .unwrap();
                let target = entries
                    .iter_mut()
                    .find(|x| x["resource"]["resourceType"] == kind && x["resource"]["id"] == id)
                    .unwrap();
                let operation = &e["resource"]["parameter"][0]["part"];
                target["resource"]["status"] = operation[2]["valueCode"].clone();
            }
        }
    }
    bundle.to_string()
}

/// Export then import: every booking comes back as the referral's existing booking in the slot
/// the schedule gave it, with the new Appointment's id (confirmed when written `booked`); the
/// cancelled Appointment is left out and said so; solving again keeps every booking and writes
/// nothing.
#[test]
fn export_then_import_round_trips() {
    let first = import_bundle(TRUST_WEEK, &week_settings()).unwrap();
    let schedule = solved(&first.problem);
    for status in [AppointmentStatus::Proposed, AppointmentStatus::Booked] {
        let export = export_appointments(&first.problem, &schedule, status).unwrap();
        let updated = apply(TRUST_WEEK, &export.transaction);
        let second = import_bundle(&updated, &week_settings()).unwrap();
        let held: Vec<(&str, &str, bool, &str)> = second
            .problem
            .referrals
            .iter()
            .filter_map(|r| {
                let e = r.existing_booking.as_ref()?;
                Some((
                    r.id.as_str(),
                    e.slot.as_str(),
                    e.confirmed,
                    e.appointment_id.as_deref()?,
                ))
            })
            .collect();
        let confirmed = status == AppointmentStatus::Booked;
        assert_eq!(
            held,
            [
                ("SR-TO-1", "TO-0908", confirmed, "NEW-1"),
                ("SR-TO-2", "TO-0908", confirmed, "NEW-2"),
                ("SR-TO-3", "TO-0908", confirmed, "NEW-3"),
                ("SR-CT-1", "CT-1209-1", confirmed, "NEW-4"),
                ("SR-CT-2", "ISP-CT-1210", confirmed, "NEW-5"),
            ]
        );
        assert!(second.notes.contains(&skipped(
            "Appointment/APT-1",
            "status `cancelled` is not a booking to keep"
        )));
        let again = solved(&second.problem);
        assert!(again
            .outcomes
            .iter()
            .filter(|o| o.referral.as_str() != "SR-TO-4")
            .all(|o| o.change == Some(BookingChange::Kept)));
        let nothing = export_appointments(&second.problem, &again, status).unwrap();
        assert_eq!(
            (
                nothing.created,
                nothing.cancelled,
                nothing.unbooked_referrals
            ),
            (0, 0, 1)
        );
    }
}

fn fhir_error(json: &str) -> (String, String, String) {
    match import_bundle(json, &week_settings()) {
        Err(Error::Fhir {
            resource,
            element,
            reason,
        }) => (resource, element, reason),
        other => panic!("expected a FHIR error, got {other:?}"),
    }
}

/// Applies `change` to the resource with `id` in `bundle`.
fn change_in(bundle: &mut Value, id: &str, change: impl FnOnce(&mut Value)) {
    let entry = bundle["entry"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["resource"]["id"] == id)
        .unwrap();
    change(&mut entry["resource"]);
}

/// The trust week with one change to the resource with `id`.
fn changed(id: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut bundle: Value = serde_json::from_str(TRUST_WEEK).unwrap();
    change_in(&mut bundle, id, change);
    bundle.to_string()
}

/// Each error names the resource, its element path and what to do, without the patient's data.
#[test]
fn bad_bundles_are_errors_naming_the_resource_and_element() {
    let mut document: Value = serde_json::from_str(TRUST_WEEK).unwrap();
    document["type"] = json!("document");
    let (resource, element, reason) = fhir_error(&document.to_string());
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Bundle", "Bundle.type")
    );
    assert_eq!(
        reason,
        "`document`: the import reads a collection, searchset or transaction"
    );

    let (resource, element, _) = fhir_error(&changed("SR-TO-1", |r| {
        r.as_object_mut().unwrap().remove("subject");
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("ServiceRequest/SR-TO-1", "ServiceRequest.subject")
    );

    let (resource, element, reason) = fhir_error(&changed("TO-0908", |r| r["start"] = json!(5)));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Slot/TO-0908", "Slot.start")
    );
    assert!(reason.starts_with("wrong type"), "{reason}");

    let (resource, element, _) = fhir_error(&changed("CT-1209-1", |r| {
        r["schedule"] = json!({"reference": "Schedule/GONE"})
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Slot/CT-1209-1", "Slot.schedule")
    );

    let (resource, element, reason) = fhir_error(&changed("APT-1", |r| {
        r.as_object_mut().unwrap().remove("slot");
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Appointment/APT-1", "Appointment.slot")
    );
    assert!(reason.contains("must name its Slot"), "{reason}");

    let (resource, element, reason) =
        fhir_error(&changed(
            "SR-CT-1",
            |r| {
                r["code"] =
                    json!({"coding": [{"system": "http://snomed.info/sct", "code": "1234"}]})
            },
        ));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("ServiceRequest/SR-CT-1", "ServiceRequest.code")
    );
    assert!(
        reason.starts_with("no service (none of http://snomed.info/sct|1234 is read)"),
        "{reason}"
    );

    // A clock start after the planning date is the problem check's error, named by its request.
    let (resource, element, reason) = fhir_error(&changed("SR-TO-2", |r| {
        r["extension"][0]["extension"][0]["valueDate"] = json!("2026-12-20")
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("ServiceRequest/SR-TO-2", "(problem field `clock_start`)")
    );
    assert!(!reason.contains("P-2"), "{reason}");

    // A patient's coordinates of the wrong type: the element, not the value.
    let message = import_bundle(
        &changed("P-1", |r| {
            r["address"][0]["extension"][0]["extension"][0]["valueDecimal"] = json!("51.80")
        }),
        &week_settings(),
    )
    .unwrap_err()
    .to_string();
    assert!(message.starts_with("FHIR `Patient/P-1` element `Patient.address[0].extension[0].extension[0].valueDecimal`"), "{message}");
    assert!(!message.contains("51.80"), "{message}");
}

const WLE: &str = "https://appointment-optimiser.org/fhir/StructureDefinition/waiting-list-entry";

/// A change to the resource with the id.
type Change<'a> = (&'a str, fn(&mut Value));

/// The trust week with changes to several resources.
fn changed_all(changes: &[Change]) -> String {
    let mut bundle: Value = serde_json::from_str(TRUST_WEEK).unwrap();
    for &(id, change) in changes {
        change_in(&mut bundle, id, change);
    }
    bundle.to_string()
}

/// One of the crate's extensions read wrongly would change who is booked (the urgent suspected
/// cancer referral SR-CT-1 read as routine), so a misspelt url, an unknown or repeated
/// sub-extension, an extension on the wrong resource, an address of ours that names no
/// extension and a modifierExtension are each an error naming the resource and element.
#[test]
fn extensions_of_ours_misspelt_or_misplaced_are_errors() {
    let (resource, element, reason) = fhir_error(&changed("SR-CT-1", |r| {
        r["extension"][0]["url"] = json!(WLE.replace("https://", "http://"));
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        (
            "ServiceRequest/SR-CT-1",
            "ServiceRequest.extension(waiting-list-entry)"
        )
    );
    assert_eq!(
        reason,
        format!(
            "the url `{}` is not exactly `{WLE}`: write it exactly",
            WLE.replace("https://", "http://")
        )
    );

    let (_, element, reason) = fhir_error(&changed("SR-CT-1", |r| {
        r["extension"][0]["extension"][1]["url"] = json!("Priority");
    }));
    assert_eq!(element, "ServiceRequest.extension(waiting-list-entry)");
    assert_eq!(reason, "unknown sub-extension `Priority` (`priority`?): give clockStart, standard, customDays, priority, surgicalPriority, durationMinutes, maxTravelKm, acceptsShortNotice");

    let (_, element, reason) = fhir_error(&changed("SR-CT-1", |r| {
        r["extension"][0]["extension"][2] = json!({"url": "priority", "valueCode": "routine"});
    }));
    assert_eq!(
        (element.as_str(), reason.as_str()),
        (
            "ServiceRequest.extension(waiting-list-entry).priority",
            "given twice: give it once"
        )
    );

    let (resource, element, reason) = fhir_error(&changed("TO-0908", |r| {
        r["extension"][0]["url"] = json!(WLE);
    }));
    assert_eq!(
        (resource.as_str(), element.as_str(), reason.as_str()),
        (
            "Slot/TO-0908",
            "Slot.extension(waiting-list-entry)",
            "this extension goes on ServiceRequest, not on Slot"
        )
    );

    let (_, element, reason) = fhir_error(&changed("ISP-1", |r| {
        r["extension"][0]["url"] =
            json!("https://appointment-optimiser.org/fhir/StructureDefinition/site-type");
    }));
    assert_eq!(element, "Location.extension");
    assert!(
        reason.starts_with("`https://appointment-optimiser.org/fhir/StructureDefinition/site-type` is no extension of the crate's: they are "),
        "{reason}"
    );

    let (resource, element, reason) = fhir_error(&changed("TO-0908", |r| {
        r["modifierExtension"] =
            json!([{"url": "https://trust.example/overbooked", "valueBoolean": true}]);
    }));
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Slot/TO-0908", "Slot.modifierExtension")
    );
    assert!(
        reason.starts_with("`https://trust.example/overbooked` changes what the resource means"),
        "{reason}"
    );

    // Another body's extension is read by nobody here, and said so.
    let import = import_bundle(
        &changed("SR-TO-1", |r| {
            r["extension"]
                .as_array_mut()
                .unwrap()
                .push(json!({"url": "https://trust.example/ward", "valueString": "W1"}))
        }),
        &week_settings(),
    )
    .unwrap();
    assert!(import.notes.contains(&ImportNote::ExtensionNotRead {
        url: "https://trust.example/ward".into(),
        count: 1
    }));
    assert_eq!(
        ImportNote::ExtensionNotRead {
            url: "https://trust.example/ward".into(),
            count: 1
        }
        .to_string(),
        "1 extension(s) https://trust.example/ward not read (not used for booking)"
    );
}

/// The whole bundle is read before the import gives up: three faults in three resources come
/// back together, in the order the import reads them.
#[test]
fn every_fault_of_a_bundle_is_reported_at_once() {
    let bundle = changed_all(&[
        ("SR-TO-1", (|r: &mut Value| r["intent"] = json!(null))),
        (
            "SR-CT-1",
            (|r: &mut Value| {
                r["code"] =
                    json!({"coding": [{"system": "http://snomed.info/sct", "code": "1234"}]})
            }),
        ),
        ("TO-0908", (|r: &mut Value| r["status"] = json!("open"))),
    ]);
    let Err(Error::FhirBundle { errors }) = import_bundle(&bundle, &week_settings()) else {
        panic!("expected several faults");
    };
    let at: Vec<(String, String)> = errors
        .iter()
        .map(|e| match e {
            Error::Fhir {
                resource, element, ..
            } => (resource.clone(), element.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        at,
        [
            ("Slot/TO-0908".to_owned(), "Slot.status".to_owned()),
            (
                "ServiceRequest/SR-TO-1".to_owned(),
                "ServiceRequest.intent".to_owned()
            ),
            (
                "ServiceRequest/SR-CT-1".to_owned(),
                "ServiceRequest.code".to_owned()
            ),
        ]
    );
    let message = Error::FhirBundle { errors }.to_string();
    assert!(
        message.starts_with(
            "3 faults in the FHIR bundle; the first: FHIR `Slot/TO-0908` element `Slot.status`"
        ),
        "{message}"
    );
}

/// Requests that are not to be booked are left out, each said: one whose patient has died, one
/// that asks for the test not to be done, a proposal that is no order yet. A patient's expired
/// address is not their home.
#[test]
fn requests_not_to_book_are_left_out_and_expired_addresses_unused() {
    let bundle = changed_all(&[
        (
            "P-1",
            (|r: &mut Value| {
                r["address"][0]["period"] = json!({"end": "2026-06-30"});
            }),
        ),
        ("P-2", (|r: &mut Value| r["deceasedBoolean"] = json!(true))),
        ("SR-TO-4", (|r: &mut Value| r["doNotPerform"] = json!(true))),
        ("SR-CT-2", (|r: &mut Value| r["intent"] = json!("proposal"))),
    ]);
    let import = import_bundle(&bundle, &week_settings()).unwrap();
    let ids: Vec<&str> = import
        .problem
        .referrals
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["SR-TO-1", "SR-TO-3", "SR-CT-1"]);
    assert_eq!(import.problem.referrals[0].home, None);
    for note in [
        skipped(
            "ServiceRequest/SR-TO-2",
            "Patient/P-2 is recorded as deceased",
        ),
        skipped(
            "ServiceRequest/SR-TO-4",
            "doNotPerform: the request is that this is not done",
        ),
        skipped(
            "ServiceRequest/SR-CT-2",
            "intent `proposal`: only an order is booked",
        ),
        assumed(
            "ServiceRequest/SR-TO-1",
            "ServiceRequest.subject",
            "Patient/P-1 has no current address with a geolocation: travel is not measured",
        ),
    ] {
        assert!(import.notes.contains(&note), "{note:?}");
    }
    let schedule = solved(&import.problem);
    assert_eq!(schedule.bookings().count(), 3);
}

/// A booked Appointment whose Slot the bundle lacks (a clinic outside the extract) stands: its
/// request is not booked again, and the note says so. A proposed one is not kept and its
/// request is booked afresh.
#[test]
fn a_booking_in_a_slot_outside_the_bundle_stands() {
    let moved = |status: &'static str| {
        changed("APT-1", move |r| {
            r["status"] = json!(status);
            r["slot"] = json!([{"reference": "Slot/TO-0105"}]);
        })
    };
    let import = import_bundle(&moved("booked"), &week_settings()).unwrap();
    assert!(import
        .problem
        .referrals
        .iter()
        .all(|r| r.id.as_str() != "SR-TO-3"));
    assert!(import.notes.contains(&skipped(
        "ServiceRequest/SR-TO-3",
        "Appointment/APT-1 is booked in Slot/TO-0105, which is not in the bundle: the booking stands and the request is not booked again (add the Slot to re-plan it)"
    )));
    let export = export_appointments(
        &import.problem,
        &solved(&import.problem),
        AppointmentStatus::Proposed,
    )
    .unwrap();
    assert_eq!(export.cancelled, 0);

    let import = import_bundle(&moved("proposed"), &week_settings()).unwrap();
    let to3 = import
        .problem
        .referrals
        .iter()
        .find(|r| r.id.as_str() == "SR-TO-3")
        .unwrap();
    assert_eq!(to3.existing_booking, None);
    assert!(import.notes.contains(&skipped(
        "Appointment/APT-1",
        "proposed in Slot/TO-0105, which is not in the bundle: not kept, and the request is booked afresh"
    )));
}

/// The trust week as a transaction a system would POST: no ids, each entry named by a
/// `urn:uuid:` fullUrl and referred to by it, and one reference with a version. It reads as
/// the same problem.
#[test]
fn a_transaction_with_uuid_references_reads_as_the_collection_does() {
    let mut bundle: Value = serde_json::from_str(TRUST_WEEK).unwrap();
    bundle["type"] = json!("transaction");
    let mut uuids = Vec::new();
    for entry in bundle["entry"].as_array_mut().unwrap() {
        let kind = entry["resource"]["resourceType"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = entry["resource"]["id"].as_str().unwrap().to_owned();
        if kind == "Organization" {
            continue;
        }
        // The uuid is the id, so that the problem's ids stay the same.
        uuids.push((format!("{kind}/{id}"), format!("urn:uuid:{id}")));
        entry["fullUrl"] = json!(format!("urn:uuid:{id}"));
        entry["request"] = json!({"method": "POST", "url": kind});
        entry["resource"].as_object_mut().unwrap().remove("id");
    }
    let mut text = bundle.to_string();
    for (local, uuid) in &uuids {
        text = text.replace(
            &format!("\"reference\":\"{local}\""),
            &format!("\"reference\":\"{uuid}\""),
        );
    }
    text = text.replace(
        "\"reference\":\"urn:uuid:P-1\"",
        "\"reference\":\"Patient/P-1/_history/3\"",
    );
    assert!(!text.contains("\"reference\":\"ServiceRequest/"));
    let import = import_bundle(&text, &week_settings()).unwrap();
    assert_eq!(
        import.problem,
        Problem::from_json(TRUST_WEEK_PROBLEM).unwrap()
    );
    let ids_note = import
        .notes
        .iter()
        .find(|n| matches!(n, ImportNote::Assumed { element, .. } if element == "(entry ids)"));
    assert_eq!(ids_note, Some(&assumed(
        "Bundle",
        "(entry ids)",
        "25 resource(s) without an id (first Location/BROOMFIELD): each takes the uuid of its urn:uuid fullUrl; an export names them by those uuids, which the server that assigns their ids will not know: write back only a plan made from the server's own ids"
    )));
}

/// The slot of the problem with `id`.
fn slot_of<'a>(problem: &'a Problem, id: &str) -> &'a appointment_optimiser::Slot {
    problem.slots.iter().find(|s| s.id.as_str() == id).unwrap()
}

/// A trust engineer's week of write-backs and re-plans (the review of 7 December 2026): the
/// cases where a booking could be lost or a slot booked twice.
#[test]
fn bookings_that_are_no_requests_here_still_take_their_places() {
    // SR-CT-1 is completed while its Appointment, in the one-place CT slot, is still booked:
    // the slot stays taken, and nobody else is put in it.
    let bundle = changed_all(&[
        ("SR-CT-1", |r: &mut Value| r["status"] = json!("completed")),
        ("APT-2", |r: &mut Value| {
            r["status"] = json!("booked");
            r["basedOn"] = json!([{"reference": "ServiceRequest/SR-CT-1"}]);
            r["slot"] = json!([{"reference": "Slot/CT-1209-1"}]);
            r["start"] = json!("2026-12-09T13:00:00Z");
            r["participant"] = json!([{"actor": {"reference": "Patient/P-4"}}]);
        }),
    ]);
    let import = import_bundle(&bundle, &week_settings()).unwrap();
    let slot = slot_of(&import.problem, "CT-1209-1");
    assert_eq!(slot.status, SlotStatus::Booked);
    assert!(import.notes.contains(&assumed(
        "Slot/CT-1209-1",
        "Slot.status",
        "Appointment/APT-2 booked here and kept as it is: read as booked"
    )));
    let schedule = solved(&import.problem);
    assert!(schedule
        .bookings()
        .all(|(_, b)| b.slot.as_str() != "CT-1209-1"));

    // The same booking with no basedOn, for a patient with no request here: noted, and its
    // place in the three-place clinic is taken (2 left).
    let bundle = changed("APT-2", |r| {
        r["status"] = json!("booked");
        r.as_object_mut().unwrap().remove("basedOn");
        r["participant"] = json!([{"actor": {"reference": "Patient/P-9"}}]);
    });
    let import = import_bundle(&bundle, &week_settings()).unwrap();
    let clinic = slot_of(&import.problem, "TO-0908");
    assert_eq!((clinic.capacity, clinic.status), (2, SlotStatus::Free));

    // With no basedOn but for a patient who has a request here, it cannot be told which
    // request it books: an error, so the request is not booked twice.
    let bundle = changed("APT-2", |r| {
        r["status"] = json!("booked");
        r.as_object_mut().unwrap().remove("basedOn");
    });
    let (resource, element, reason) = fhir_error(&bundle);
    assert_eq!(
        (resource.as_str(), element.as_str()),
        ("Appointment/APT-2", "Appointment.basedOn")
    );
    assert!(
        reason.starts_with("a booking of Patient/P-1, who has a ServiceRequest here"),
        "{reason}"
    );
}

/// Each a fault the review found read silently before; now an error naming the element.
#[test]
fn the_review_s_silent_misreadings_are_errors() {
    let cases: Vec<(String, &str, &str)> = vec![
        (
            changed("APT-1", |r| r["status"] = json!("Booked")),
            "Appointment/APT-1",
            "Appointment.status",
        ),
        (
            changed(
                "APT-1",
                |r| {
                    r["slot"] =
                        json!([{"reference": "Slot/TO-1215"}, {"reference": "Slot/TO-0908"}])
                },
            ),
            "Appointment/APT-1",
            "Appointment.slot",
        ),
        (
            changed("APT-1", |r| {
                r["participant"] = json!([{"actor": {"reference": "Patient/P-1"}}])
            }),
            "Appointment/APT-1",
            "Appointment.participant",
        ),
        (
            changed("SR-CT-1", |r| {
                let wle = r["extension"][0].clone();
                r["extension"].as_array_mut().unwrap().push(wle);
            }),
            "ServiceRequest/SR-CT-1",
            "ServiceRequest.extension(waiting-list-entry)",
        ),
        (
            changed(
                "TO-0908",
                |r| r["extension"][0] = json!({"url": "https://appointment-optimiser.org/fhir/StructureDefinition/slot-capacity", "valueInteger": 2}),
            ),
            "Slot/TO-0908",
            "Slot.extension(slot-capacity)",
        ),
        (
            changed(
                "P-1",
                |r| {
                    r["address"][0]["modifierExtension"] =
                        json!([{"url": "https://trust.example/confidential", "valueBoolean": true}])
                },
            ),
            "Patient/P-1",
            "Patient.address[0].modifierExtension",
        ),
        (
            changed("SR-TO-1", |r| r["status"] = json!("ACTIVE")),
            "ServiceRequest/SR-TO-1",
            "ServiceRequest.status",
        ),
        (
            changed(
                "HS-TO",
                |r| r["location"] = json!([{"reference": "Location/BRAINTREE-CDC"}, {"reference": "Location/BROOMFIELD"}]),
            ),
            "HealthcareService/HS-TO",
            "HealthcareService.location",
        ),
    ];
    for (bundle, resource, element) in cases {
        let (r, e, reason) = fhir_error(&bundle);
        assert_eq!((r.as_str(), e.as_str()), (resource, element), "{reason}");
    }

    // One page of a search is not the list.
    let mut page: Value = serde_json::from_str(TRUST_WEEK).unwrap();
    page["type"] = json!("searchset");
    page["link"] =
        json!([{"relation": "next", "url": "https://trust.example/fhir/ServiceRequest?page=2"}]);
    assert_eq!(fhir_error(&page.to_string()).1, "Bundle.link");
    page["link"] = json!([]);
    page["total"] = json!(120);
    assert_eq!(fhir_error(&page.to_string()).1, "Bundle.total");
}

/// A booking before the planning date still `booked` (its outcome not recorded) keeps its
/// request from being booked again; an inactive (merged) Patient's request and an `old`
/// address are not used; a home outside the UK is warned about.
#[test]
fn stale_bookings_merged_patients_and_far_homes() {
    let bundle = changed_all(&[
        ("APT-2", |r: &mut Value| {
            r["status"] = json!("booked");
            r["start"] = json!("2026-12-01T09:00:00Z");
        }),
        ("P-2", |r: &mut Value| r["active"] = json!(false)),
        ("P-5", |r: &mut Value| r["address"][0]["use"] = json!("old")),
        ("P-1", |r: &mut Value| {
            r["address"][0]["extension"][0]["extension"] = json!([{"url": "latitude", "valueDecimal": 0.5}, {"url": "longitude", "valueDecimal": 51.8}])
        }),
    ]);
    let import = import_bundle(&bundle, &week_settings()).unwrap();
    let ids: Vec<&str> = import
        .problem
        .referrals
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["SR-TO-3", "SR-TO-4", "SR-CT-1", "SR-CT-2"]);
    assert!(import.notes.contains(&skipped(
        "ServiceRequest/SR-TO-1",
        "Appointment/APT-2 on 2026-12-01, before the planning date, has no outcome recorded (still booked): the request is not booked again until the booking system records one (fulfilled, noshow) or closes the request"
    )));
    assert!(import.notes.contains(&skipped(
        "ServiceRequest/SR-TO-2",
        "Patient/P-2 is not active (a merged or retired record): book the request of the record that replaces it"
    )));
    let ct2 = import
        .problem
        .referrals
        .iter()
        .find(|r| r.id.as_str() == "SR-CT-2")
        .unwrap();
    assert_eq!(ct2.home, None);

    // The swapped home, with the request booked again.
    let bundle = changed(
        "P-1",
        |r| r["address"][0]["extension"][0]["extension"] = json!([{"url": "latitude", "valueDecimal": 0.5}, {"url": "longitude", "valueDecimal": 51.8}]),
    );
    let import = import_bundle(&bundle, &week_settings()).unwrap();
    let schedule = solved(&import.problem);
    assert!(schedule.warnings.contains(&InputWarning::HomeOutsideUk {
        referral: "SR-TO-1".into(),
        swapped: true
    }));
}
