//! Bad input, one kind at a time: each must give the exact error variant naming the record and
//! field at fault, with a message that says what to fix, and never a panic.
//!
//! Every case starts from the valid `examples/data/small_clinic.json`, changes one thing and
//! reads it back with `Problem::from_json` (or, for values JSON cannot hold such as NaN, changes
//! the parsed `Problem` and calls `Problem::check`).

use appointment_optimiser::{solve, validate, Backend, Error, Problem, RecordKind, SolveOptions};
use serde_json::{json, Value};

const SMALL_CLINIC: &str = include_str!("../examples/data/small_clinic.json");

/// A distinctive patient id: it must never show up in an error message.
const SECRET_PATIENT: &str = "PATIENT-SECRET-123";

/// The valid instance as a JSON value, to mutate.
fn valid() -> Value {
    serde_json::from_str(SMALL_CLINIC).expect("small_clinic.json is JSON")
}

/// The valid instance as a checked problem, to mutate in code.
fn valid_problem() -> Problem {
    Problem::from_json(SMALL_CLINIC).expect("small_clinic.json is a valid problem")
}

/// The valid instance with one change, read back; it must be rejected.
#[track_caller]
fn rejected(change: impl FnOnce(&mut Value)) -> Error {
    let mut value = valid();
    change(&mut value);
    rejected_json(&value.to_string())
}

#[track_caller]
fn rejected_json(json: &str) -> Error {
    match Problem::from_json(json) {
        Ok(_) => panic!("the problem was accepted, expected an error"),
        Err(e) => e,
    }
}

#[track_caller]
fn rejected_in_code(change: impl FnOnce(&mut Problem)) -> Error {
    let mut problem = valid_problem();
    change(&mut problem);
    match problem.check() {
        Ok(()) => panic!("the problem passed check, expected an error"),
        Err(e) => e,
    }
}

/// The JSON object in `array` (`sites`, `slots`, `referrals`) with this id.
fn record<'a>(value: &'a mut Value, array: &str, id: &str) -> &'a mut Value {
    value[array]
        .as_array_mut()
        .expect("an array")
        .iter_mut()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {array} record `{id}` in small_clinic.json"))
}

fn referral<'a>(value: &'a mut Value, id: &str) -> &'a mut Value {
    record(value, "referrals", id)
}

fn slot<'a>(value: &'a mut Value, id: &str) -> &'a mut Value {
    record(value, "slots", id)
}

fn site<'a>(value: &'a mut Value, id: &str) -> &'a mut Value {
    record(value, "sites", id)
}

fn remove(object: &mut Value, key: &str) -> Value {
    object
        .as_object_mut()
        .expect("an object")
        .remove(key)
        .unwrap_or_else(|| panic!("no field `{key}` to remove"))
}

#[track_caller]
fn assert_mentions(err: &Error, needles: &[&str]) {
    let message = err.to_string();
    for needle in needles {
        assert!(
            message.contains(needle),
            "message {message:?} should mention {needle:?}"
        );
    }
}

/// Asserts `err` is `Error::Json` at exactly `path` and returns the parser's message.
#[track_caller]
fn expect_json(err: &Error, path: &str) -> String {
    match err {
        Error::Json { path: p, message } if p == path => {
            assert_mentions(err, &[&format!("`{path}`")]);
            message.clone()
        }
        other => panic!("expected Error::Json at path `{path}`, got {other:?}"),
    }
}

/// Asserts `err` is `Error::InvalidField` for exactly this record and field, that the message
/// names both, and returns the reason.
#[track_caller]
fn expect_invalid(err: &Error, kind: RecordKind, id: &str, field: &str) -> String {
    match err {
        Error::InvalidField {
            kind: k,
            id: i,
            field: f,
            reason,
        } if *k == kind && i == id && *f == field => {
            assert_mentions(err, &[&format!("{kind} `{id}`"), &format!("`{field}`")]);
            reason.clone()
        }
        other => panic!(
            "expected Error::InvalidField {{ kind: {kind:?}, id: {id:?}, field: {field:?} }}, got {other:?}"
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON: syntax, missing and unknown fields, wrong types
// ---------------------------------------------------------------------------------------------

#[test]
fn the_valid_instance_is_accepted() {
    let problem = valid_problem();
    assert_eq!(problem.referrals.len(), 11);
    // Re-serialising the mutable copy does not change validity.
    assert_eq!(Problem::from_json(&valid().to_string()), Ok(problem));
}

#[test]
fn malformed_json_is_a_json_error_at_the_document_with_line_and_column() {
    let err = rejected_json("not json");
    let message = expect_json(&err, ".");
    assert!(
        message.starts_with("a problem is a JSON object"),
        "{message}"
    );

    let err = rejected_json("");
    let message = expect_json(&err, ".");
    assert!(
        message.starts_with("a problem is a JSON object"),
        "{message}"
    );

    let err = rejected_json("{\"planning_date\": ");
    let message = expect_json(&err, "planning_date");
    assert!(message.contains("EOF while parsing"), "{message}");

    let err = rejected_json(&format!("{SMALL_CLINIC} x"));
    let message = expect_json(&err, ".");
    assert!(message.starts_with("trailing characters"), "{message}");

    assert_mentions(
        &err,
        &[
            "invalid problem JSON at `.`",
            "the README's input format lists every field",
        ],
    );
}

/// A syntax error inside the document should point at the record it is in (or `.` at the top
/// level), not at serde_path_to_error's placeholder segment `?`.
#[test]
fn syntax_error_path_names_the_enclosing_record_not_a_question_mark() {
    let in_referral = r#"{"planning_date": "2026-12-01", "horizon_end": "2026-12-31",
        "sites": [], "slots": [], "referrals": [{"id": "R1",}]}"#;
    let cases = [
        // Trailing comma at the top level.
        (r#"{"planning_date": "2026-12-01",}"#, ".", "trailing comma"),
        // Trailing comma inside a referral.
        (in_referral, "referrals[0]", "trailing comma"),
        // Not a string key at the top level.
        ("{1: 2}", ".", "key must be a string"),
    ];
    let mut wrong = Vec::new();
    for (json, want, starts) in cases {
        match rejected_json(json) {
            Error::Json { path, message } => {
                assert!(message.starts_with(starts), "{message}");
                if path != want {
                    wrong.push(format!("{json:?}: path `{path}`, expected `{want}`"));
                }
            }
            other => panic!("{json:?}: expected Error::Json, got {other:?}"),
        }
    }
    // A document cut off half way: the path is wherever it stopped, but never ends in `?`.
    let cut = &SMALL_CLINIC[..SMALL_CLINIC.len() / 2];
    match rejected_json(cut) {
        Error::Json { path, message } => {
            assert!(message.starts_with("EOF while parsing"), "{message}");
            if path.contains('?') {
                wrong.push(format!("small_clinic.json cut in half: path `{path}`"));
            }
        }
        other => panic!("expected Error::Json, got {other:?}"),
    }
    assert!(wrong.is_empty(), "unhelpful paths:\n{}", wrong.join("\n"));
}

#[test]
fn a_top_level_array_is_not_a_problem() {
    // serde's derive accepts a struct written as a positional array; a problem must be an object.
    let err = rejected_json(r#"["2026-12-01", "2026-12-31", {}, [], [], [], []]"#);
    expect_json(&err, ".");
}

#[test]
fn missing_required_field_names_the_record_and_the_field() {
    let err = rejected(|v| {
        remove(referral(v, "R-USC-1"), "duration_minutes");
    });
    let message = expect_json(&err, "referrals[0]");
    assert!(
        message.starts_with("missing field `duration_minutes`"),
        "{message}"
    );

    let err = rejected(|v| {
        remove(v, "slots");
    });
    let message = expect_json(&err, ".");
    assert!(message.starts_with("missing field `slots`"), "{message}");
}

#[test]
fn unknown_field_typo_is_rejected_and_named() {
    let err = rejected(|v| {
        let r = referral(v, "R-USC-1");
        let minutes = remove(r, "duration_minutes");
        r["duration_minute"] = minutes;
    });
    let message = expect_json(&err, "referrals[0].duration_minute");
    assert!(
        message.starts_with("unknown field `duration_minute`"),
        "{message}"
    );
    // The list of expected fields shows the right spelling.
    assert!(message.contains("`duration_minutes`"), "{message}");

    let err = rejected(|v| slot(v, "TO-CLINIC-1208")["capacitty"] = json!(2));
    let message = expect_json(&err, "slots[4].capacitty");
    assert!(
        message.starts_with("unknown field `capacitty`"),
        "{message}"
    );

    let err = rejected(|v| v["policy"]["min_notice"] = json!(2));
    let message = expect_json(&err, "policy.min_notice");
    assert!(message.contains("`min_notice_days`"), "{message}");

    let err = rejected(|v| {
        let steps = remove(v, "pathway_steps");
        v["pathway_step"] = steps;
    });
    let message = expect_json(&err, "pathway_step");
    assert!(
        message.starts_with("unknown field `pathway_step`"),
        "{message}"
    );
}

#[test]
fn wrong_type_names_the_path_and_the_expected_type() {
    let err = rejected(|v| slot(v, "TO-CLINIC-1208")["capacity"] = json!("two"));
    let message = expect_json(&err, "slots[4].capacity");
    assert!(
        message.starts_with("invalid type: string \"two\", expected u32"),
        "{message}"
    );

    let err = rejected(|v| site(v, "RIV")["location"]["latitude"] = json!("51.5"));
    let message = expect_json(&err, "sites[0].location.latitude");
    assert!(message.starts_with("invalid type: string"), "{message}");
    assert!(message.contains("expected f64"), "{message}");

    let err = rejected(|v| referral(v, "R-USC-1")["standards"] = json!("diagnostic_6_weeks"));
    let message = expect_json(&err, "referrals[0].standards");
    assert!(message.contains("expected a sequence"), "{message}");

    let err = rejected(|v| referral(v, "R-USC-1")["priority"] = json!("urgnt"));
    let message = expect_json(&err, "referrals[0].priority");
    // Text in a referral is not repeated (it could be free text about the patient).
    assert!(
        message
            .starts_with("invalid value (not shown: it may identify a patient), expected one of"),
        "{message}"
    );
    assert!(!message.contains("urgnt"), "{message}");
    assert!(message.contains("`urgent`"), "{message}");
    let err = rejected(|v| referral(v, "R-USC-1")["service"] = json!({"diagnostic": "mri_Jane"}));
    let message = expect_json(&err, "referrals[0].service.diagnostic");
    assert!(!message.contains("Jane"), "{message}");
    assert!(message.contains("`mri`"), "{message}");
    let err = rejected(|v| referral(v, "R-USC-1")["duration_minutes"] = json!("Jane Smith"));
    let message = expect_json(&err, "referrals[0].duration_minutes");
    assert!(
        message.starts_with(
            "invalid value (not shown: it may identify a patient), expected u32 at line 1"
        ),
        "{message}"
    );
    assert!(!message.contains("Jane"), "{message}");
    // A number is not text: it is repeated, as in a site or slot.
    let err = rejected(|v| referral(v, "R-USC-1")["duration_minutes"] = json!(-5));
    let message = expect_json(&err, "referrals[0].duration_minutes");
    assert!(
        message.starts_with("invalid value: integer `-5`"),
        "{message}"
    );

    let err = rejected(|v| referral(v, "R-USC-1")["clock_start"] = json!("2026-13-01"));
    expect_json(&err, "referrals[0].clock_start");
}

#[test]
fn negative_duration_is_a_json_error_at_the_field() {
    let err = rejected(|v| referral(v, "R-USC-1")["duration_minutes"] = json!(-5));
    let message = expect_json(&err, "referrals[0].duration_minutes");
    assert!(
        message.starts_with("invalid value: integer `-5`, expected u32"),
        "{message}"
    );
}

#[test]
fn a_number_too_large_for_f64_is_a_json_error_at_the_field() {
    let json = valid()
        .to_string()
        .replacen(r#""max_travel_km":40"#, r#""max_travel_km":1e400"#, 1);
    assert!(json.contains("1e400"), "the replacement happened");
    let err = rejected_json(&json);
    let message = expect_json(&err, "referrals[0].max_travel_km");
    assert!(message.starts_with("number out of range"), "{message}");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    assert!(matches!(rejected_json(&deep), Error::Json { .. }));

    let deep = "{".repeat(100_000);
    assert!(matches!(rejected_json(&deep), Error::Json { .. }));

    let deep = format!(r#"{{"sites": {}"#, "[".repeat(100_000));
    assert!(matches!(rejected_json(&deep), Error::Json { .. }));

    let deep = format!(
        r#"{{"planning_date": "2026-12-01", "horizon_end": "2026-12-31",
            "sites": [], "slots": [], "referrals": [], "pathway_steps": {}"#,
        "[".repeat(100_000)
    );
    assert!(matches!(rejected_json(&deep), Error::Json { .. }));

    let deep = format!(
        r#"{{"planning_date": "2026-12-01", "horizon_end": "2026-12-31",
            "sites": [], "slots": [], "referrals": [{}"#,
        r#"{"x":"#.repeat(100_000)
    );
    assert!(matches!(rejected_json(&deep), Error::Json { .. }));
}

// ---------------------------------------------------------------------------------------------
// Duplicate ids and unknown references
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_site_id() {
    let err = rejected(|v| {
        let mut copy = v["sites"][1].clone();
        copy["id"] = json!("RIV");
        v["sites"].as_array_mut().unwrap().push(copy);
    });
    assert_eq!(
        err,
        Error::DuplicateId {
            kind: RecordKind::Site,
            id: "RIV".into()
        }
    );
    assert_mentions(&err, &["duplicate site id `RIV`", "unique id"]);
}

#[test]
fn duplicate_slot_id() {
    let err = rejected(|v| {
        let mut copy = slot(v, "MRI-NCDC-1215").clone();
        copy["id"] = json!("MRI-RIV-0903");
        v["slots"].as_array_mut().unwrap().push(copy);
    });
    assert_eq!(
        err,
        Error::DuplicateId {
            kind: RecordKind::Slot,
            id: "MRI-RIV-0903".into()
        }
    );
    assert_mentions(&err, &["duplicate slot id `MRI-RIV-0903`", "unique id"]);
}

#[test]
fn duplicate_referral_id() {
    let err = rejected(|v| {
        let mut copy = referral(v, "R-CT-1").clone();
        copy["id"] = json!("R-COL-2");
        v["referrals"].as_array_mut().unwrap().push(copy);
    });
    assert_eq!(
        err,
        Error::DuplicateId {
            kind: RecordKind::Referral,
            id: "R-COL-2".into()
        }
    );
    assert_mentions(&err, &["duplicate referral id `R-COL-2`", "unique id"]);
}

#[test]
fn slot_at_unknown_site() {
    let err = rejected(|v| slot(v, "MRI-RIV-0903")["site"] = json!("NOWHERE"));
    assert_eq!(
        err,
        Error::UnknownReference {
            kind: RecordKind::Slot,
            id: "MRI-RIV-0903".into(),
            field: "site",
            target: RecordKind::Site,
            reference: "NOWHERE".into(),
        }
    );
    assert_mentions(
        &err,
        &[
            "slot `MRI-RIV-0903`",
            "`site`",
            "unknown site `NOWHERE`",
            "add that site",
        ],
    );
}

#[test]
fn referral_prefers_unknown_site() {
    let err = rejected(|v| referral(v, "R-RTN-2")["preferred_sites"] = json!(["NCDC", "XYZ"]));
    assert_eq!(
        err,
        Error::UnknownReference {
            kind: RecordKind::Referral,
            id: "R-RTN-2".into(),
            field: "preferred_sites",
            target: RecordKind::Site,
            reference: "XYZ".into(),
        }
    );
    assert_mentions(
        &err,
        &[
            "referral `R-RTN-2`",
            "`preferred_sites`",
            "unknown site `XYZ`",
            "correct the id",
        ],
    );
}

#[test]
fn referral_existing_booking_in_unknown_slot() {
    let err = rejected(|v| {
        referral(v, "R-TO-2")["existing_booking"]["slot"] = json!("TO-CLINIC-9999");
    });
    assert_eq!(
        err,
        Error::UnknownReference {
            kind: RecordKind::Referral,
            id: "R-TO-2".into(),
            field: "existing_booking",
            target: RecordKind::Slot,
            reference: "TO-CLINIC-9999".into(),
        }
    );
    assert_mentions(
        &err,
        &[
            "referral `R-TO-2`",
            "`existing_booking`",
            "unknown slot `TO-CLINIC-9999`",
        ],
    );
}

#[test]
fn pathway_step_names_unknown_referral() {
    let err = rejected(|v| v["pathway_steps"][0]["after"] = json!("R-NOPE"));
    assert_eq!(
        err,
        Error::UnknownReference {
            kind: RecordKind::PathwayStep,
            id: "pathway_steps[0]".into(),
            field: "after",
            target: RecordKind::Referral,
            reference: "R-NOPE".into(),
        }
    );
    assert_mentions(
        &err,
        &[
            "pathway step `pathway_steps[0]`",
            "`after`",
            "unknown referral `R-NOPE`",
        ],
    );

    let err = rejected(|v| {
        v["pathway_steps"]
            .as_array_mut()
            .unwrap()
            .push(json!({"before": {"referral": "R-GONE"}, "after": "R-CT-1"}));
    });
    assert_eq!(
        err,
        Error::UnknownReference {
            kind: RecordKind::PathwayStep,
            id: "pathway_steps[1]".into(),
            field: "before",
            target: RecordKind::Referral,
            reference: "R-GONE".into(),
        }
    );
    assert_mentions(
        &err,
        &[
            "pathway step `pathway_steps[1]`",
            "`before`",
            "unknown referral `R-GONE`",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Slots
// ---------------------------------------------------------------------------------------------

#[test]
fn slot_ending_at_or_before_its_start() {
    let err = rejected(|v| slot(v, "MRI-RIV-0903")["end"] = json!("2026-12-03T09:00:00Z"));
    let reason = expect_invalid(&err, RecordKind::Slot, "MRI-RIV-0903", "end");
    assert!(reason.contains("end must be after start"), "{reason}");

    let err = rejected(|v| slot(v, "MRI-RIV-0903")["end"] = json!("2026-12-03T08:30:00Z"));
    let reason = expect_invalid(&err, RecordKind::Slot, "MRI-RIV-0903", "end");
    assert!(reason.contains("end must be after start"), "{reason}");
}

#[test]
fn slot_with_zero_capacity() {
    let err = rejected(|v| slot(v, "TO-CLINIC-1208")["capacity"] = json!(0));
    let reason = expect_invalid(&err, RecordKind::Slot, "TO-CLINIC-1208", "capacity");
    assert!(reason.contains("at least 1"), "{reason}");
    assert!(reason.contains("blocked"), "{reason}");
}

#[test]
fn slot_with_zero_minutes_capacity() {
    let err = rejected(|v| slot(v, "ENDO-LIST-1210")["minutes_capacity"] = json!(0));
    let reason = expect_invalid(&err, RecordKind::Slot, "ENDO-LIST-1210", "minutes_capacity");
    assert!(reason.contains("at least 1 minute"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// Referrals
// ---------------------------------------------------------------------------------------------

#[test]
fn referral_with_zero_duration() {
    let err = rejected(|v| referral(v, "R-USC-1")["duration_minutes"] = json!(0));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-USC-1", "duration_minutes");
    assert!(reason.contains("at least 1"), "{reason}");
}

#[test]
fn referral_with_no_standards() {
    let err = rejected(|v| referral(v, "R-CT-1")["standards"] = json!([]));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-CT-1", "standards");
    assert!(reason.contains("at least one"), "{reason}");
}

#[test]
fn referral_with_custom_days_zero() {
    let err = rejected(|v| {
        referral(v, "R-CT-1")["standards"] = json!(["diagnostic_6_weeks", {"custom_days": 0}]);
    });
    let reason = expect_invalid(&err, RecordKind::Referral, "R-CT-1", "standards");
    assert!(reason.contains("custom_days"), "{reason}");
    assert!(reason.contains("at least 1 day"), "{reason}");
}

#[test]
fn referral_clock_start_after_planning_date() {
    let err = rejected(|v| referral(v, "R-RTN-3")["clock_start"] = json!("2026-12-05"));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-3", "clock_start");
    assert_eq!(
        reason,
        "clock start is after the planning date 2026-12-01: a referral on the list has started its clock"
    );

    // On the planning date itself is fine.
    let mut value = valid();
    referral(&mut value, "R-RTN-3")["clock_start"] = json!("2026-12-01");
    assert!(Problem::from_json(&value.to_string()).is_ok());
}

#[test]
fn referral_clock_start_implausibly_old() {
    let err = rejected(|v| referral(v, "R-RTN-3")["clock_start"] = json!("1990-01-01"));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-3", "clock_start");
    assert_eq!(
        reason,
        "clock start is more than 7305 days before the planning date 2026-12-01: check the date"
    );
}

#[test]
fn referral_did_not_attend_dates_out_of_order() {
    // R-RTN-3's clock started on 2026-11-25; the planning date is 2026-12-01.
    let dna = |date: &str, rebooked_on: &str| {
        let (date, rebooked_on) = (date.to_owned(), rebooked_on.to_owned());
        move |v: &mut Value| {
            referral(v, "R-RTN-3")["did_not_attend"] =
                json!([{"date": date, "first_appointment": true, "rebooked_on": rebooked_on}]);
        }
    };
    for (date, rebooked_on, expected) in [
        (
            "2026-11-20",
            "2026-11-28",
            "entry 0 (from 0): the missed appointment is before the clock start",
        ),
        (
            "2026-11-28",
            "2026-11-27",
            "entry 0 (from 0): rebooked before the missed appointment",
        ),
        (
            "2026-11-28",
            "2026-12-02",
            "entry 0 (from 0): rebooked after the planning date 2026-12-01: a rebooking decided in this run is dated the planning date",
        ),
    ] {
        let err = rejected(dna(date, rebooked_on));
        let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-3", "did_not_attend");
        assert_eq!(reason, expected);
    }

    // Missed and rebooked on the planning date itself is fine.
    let mut value = valid();
    dna("2026-12-01", "2026-12-01")(&mut value);
    assert!(Problem::from_json(&value.to_string()).is_ok());

    // A missing rebooking date is a JSON error at the field.
    let err = rejected(|v| {
        referral(v, "R-RTN-3")["did_not_attend"] =
            json!([{"date": "2026-11-28", "first_appointment": true}]);
    });
    let message = expect_json(&err, "referrals[3].did_not_attend[0]");
    assert!(message.contains("rebooked_on"), "{message}");
}

#[test]
fn referral_unavailable_period_ending_before_it_starts() {
    let err = rejected(|v| {
        referral(v, "R-RTN-2")["unavailable"] = json!([
            {"from": "2026-12-03", "to": "2026-12-04"},
            {"from": "2026-12-10", "to": "2026-12-01"}
        ]);
    });
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-2", "unavailable");
    assert_eq!(reason, "entry 1 (from 0): the period ends before it starts");

    // A one-day period (from == to) is fine.
    let mut value = valid();
    referral(&mut value, "R-RTN-2")["unavailable"] =
        json!([{"from": "2026-12-10", "to": "2026-12-10"}]);
    assert!(Problem::from_json(&value.to_string()).is_ok());
}

#[test]
fn referral_max_travel_km_negative_or_not_finite() {
    let err = rejected(|v| referral(v, "R-RTN-1")["max_travel_km"] = json!(-1.0));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-1", "max_travel_km");
    assert!(reason.contains("0 or more"), "{reason}");

    for km in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let err = rejected_in_code(|p| p.referrals[1].max_travel_km = Some(km));
        let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-1", "max_travel_km");
        assert!(reason.contains("finite"), "{km}: {reason}");
    }

    // Zero is allowed: the patient travels nowhere.
    let mut value = valid();
    referral(&mut value, "R-RTN-1")["max_travel_km"] = json!(0);
    assert!(Problem::from_json(&value.to_string()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Coordinates
// ---------------------------------------------------------------------------------------------

#[test]
fn site_latitude_out_of_range() {
    let err = rejected(|v| site(v, "RIV")["location"]["latitude"] = json!(91));
    let reason = expect_invalid(&err, RecordKind::Site, "RIV", "location.latitude");
    assert!(reason.contains("latitude 91"), "{reason}");
    assert!(reason.contains("-90..=90"), "{reason}");
}

#[test]
fn referral_home_longitude_out_of_range() {
    let err = rejected(|v| referral(v, "R-USC-1")["home"]["longitude"] = json!(-181));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-USC-1", "home.longitude");
    // A home is not repeated; a site's location is (above).
    assert_eq!(
        reason,
        "longitude (not shown: it may identify a patient) is outside -180..=180 degrees: give WGS84 degrees east"
    );
}

#[test]
fn non_finite_coordinates_built_in_code() {
    let err = rejected_in_code(|p| p.sites[0].location.as_mut().unwrap().latitude = f64::NAN);
    let reason = expect_invalid(&err, RecordKind::Site, "RIV", "location.latitude");
    assert!(reason.contains("latitude NaN"), "{reason}");

    let err = rejected_in_code(|p| p.sites[1].location.as_mut().unwrap().longitude = f64::INFINITY);
    let reason = expect_invalid(&err, RecordKind::Site, "NCDC", "location.longitude");
    assert!(reason.contains("longitude inf"), "{reason}");

    let err = rejected_in_code(|p| {
        if let Some(home) = p.referrals[0].home.as_mut() {
            home.latitude = f64::NEG_INFINITY;
        }
    });
    let reason = expect_invalid(&err, RecordKind::Referral, "R-USC-1", "home.latitude");
    assert!(!reason.contains("inf"), "{reason}");
    assert!(reason.contains("not shown"), "{reason}");
}

// ---------------------------------------------------------------------------------------------
// Problem dates and policy
// ---------------------------------------------------------------------------------------------

#[test]
fn planning_date_after_horizon_end() {
    let err = rejected(|v| v["horizon_end"] = json!("2026-11-30"));
    assert_eq!(
        err,
        Error::HorizonBeforePlanningDate {
            planning_date: "2026-12-01".parse().unwrap(),
            horizon_end: "2026-11-30".parse().unwrap(),
        }
    );
    assert_mentions(
        &err,
        &[
            "planning_date 2026-12-01",
            "horizon_end 2026-11-30",
            "on or after",
        ],
    );
}

#[test]
fn horizon_longer_than_the_maximum() {
    // The planning date plus MAX_HORIZON_DAYS is the last horizon end accepted.
    let planning: chrono::NaiveDate = "2026-12-01".parse().unwrap();
    let max_days = u64::try_from(appointment_optimiser::MAX_HORIZON_DAYS).unwrap();
    let longest = planning + chrono::Days::new(max_days);
    let too_long = longest + chrono::Days::new(1);

    let err = rejected(|v| v["horizon_end"] = json!(too_long.to_string()));
    let reason = expect_invalid(&err, RecordKind::Problem, "problem", "horizon_end");
    assert!(reason.contains("3660 days"), "{reason}");

    let mut value = valid();
    value["horizon_end"] = json!(longest.to_string());
    assert!(Problem::from_json(&value.to_string()).is_ok());
}

#[test]
fn zero_breach_weight() {
    let err = rejected(|v| v["policy"]["breach_weights"] = json!({"urgent": 0}));
    let reason = expect_invalid(&err, RecordKind::Policy, "policy", "breach_weights");
    assert!(reason.contains("`urgent`"), "{reason}");
    assert!(reason.contains("at least 1"), "{reason}");
}

#[test]
fn objective_errors_name_the_tier_or_the_path() {
    // An unknown term or preset: a JSON error at the path, listing what is allowed.
    let err = rejected(|v| {
        v["policy"]["objective"] = json!([[{"term": "clinical_days_late"}], [{"term": "over_52"}]])
    });
    let message = expect_json(&err, "policy.objective[1][0].term");
    assert!(message.contains("waiting_over_52_weeks"), "{message}");
    let err = rejected(|v| v["policy"]["objective"] = json!("nhs"));
    let message = expect_json(&err, "policy.objective");
    assert!(
        message.contains("unknown objective preset `nhs`: expected one of nhs_england, eighteen_weeks_first, clock_stop_breaches"),
        "{message}"
    );
    // An empty list, an empty tier, a zero weight: the policy's `objective` field.
    let err = rejected(|v| v["policy"]["objective"] = json!([]));
    let reason = expect_invalid(&err, RecordKind::Policy, "policy", "objective");
    assert!(reason.contains("the list of tiers is empty"), "{reason}");
    let err = rejected(|v| v["policy"]["objective"] = json!([[{"term": "treat_in_turn"}], []]));
    let reason = expect_invalid(&err, RecordKind::Policy, "policy", "objective");
    assert_eq!(
        reason,
        "tier 2 has no terms: give each tier at least one term"
    );
    let err = rejected(|v| {
        v["policy"]["objective"] = json!([[{"term": "rtt_over_18_weeks", "weight": 0}]])
    });
    let reason = expect_invalid(&err, RecordKind::Policy, "policy", "objective");
    assert_eq!(
        reason,
        "term `rtt_over_18_weeks` in tier 1 has weight 0: every weight must be at least 1"
    );
    let err = rejected(|v| v["policy"]["urgent_target_days"] = json!(0));
    expect_invalid(&err, RecordKind::Policy, "policy", "urgent_target_days");
    // A valid explicit objective reads back as written.
    let mut value = valid();
    value["policy"]["objective"] =
        json!([[{"term": "clinical_days_late"}], [{"term": "rtt_over_18_weeks", "weight": 2}]]);
    let p = Problem::from_json(&value.to_string()).unwrap();
    assert_eq!(
        p.policy.objective.tier_names(),
        vec!["clinical_days_late", "2*rtt_over_18_weeks"]
    );
}

#[test]
fn negative_or_non_finite_non_preferred_site_km() {
    let err = rejected(|v| v["policy"]["non_preferred_site_km"] = json!(-0.5));
    let reason = expect_invalid(&err, RecordKind::Policy, "policy", "non_preferred_site_km");
    assert!(reason.contains("0 or more"), "{reason}");

    for km in [f64::NAN, f64::INFINITY] {
        let err = rejected_in_code(|p| p.policy.non_preferred_site_km = km);
        expect_invalid(&err, RecordKind::Policy, "policy", "non_preferred_site_km");
    }
}

// ---------------------------------------------------------------------------------------------
// Pinned bookings and pathways
// ---------------------------------------------------------------------------------------------

#[test]
fn pinned_bookings_over_slot_capacity() {
    // TO-CLINIC-1208 takes 2; R-TO-2 is already pinned there.
    let err = rejected(|v| {
        for id in ["R-TO-1", "R-TO-3"] {
            referral(v, id)["existing_booking"] = json!({"slot": "TO-CLINIC-1208", "pinned": true});
        }
    });
    assert_eq!(
        err,
        Error::PinnedOverCapacity {
            slot: "TO-CLINIC-1208".into(),
            field: "capacity"
        }
    );
    assert_mentions(
        &err,
        &["slot `TO-CLINIC-1208`", "capacity", "unpin one or raise"],
    );

    // Unpinned existing bookings do not count against capacity.
    let mut value = valid();
    for id in ["R-TO-1", "R-TO-3"] {
        referral(&mut value, id)["existing_booking"] =
            json!({"slot": "TO-CLINIC-1208", "pinned": false});
    }
    assert!(Problem::from_json(&value.to_string()).is_ok());
}

#[test]
fn overlapping_pinned_bookings_of_one_patient() {
    // R-RTN-1 and R-TO-1 are both patient P-002: pin them to MRI-RIV-0903 (09:00-09:30 on
    // 3 December) and to a new clinic slot at 09:15 the same morning.
    let err = rejected(|v| {
        v["slots"].as_array_mut().unwrap().push(json!({
            "id": "TO-0915", "site": "RIV", "service": {"outpatient": "110"},
            "start": "2026-12-03T09:15:00Z", "end": "2026-12-03T09:35:00Z"
        }));
        referral(v, "R-RTN-1")["existing_booking"] =
            json!({"slot": "MRI-RIV-0903", "pinned": true});
        referral(v, "R-TO-1")["existing_booking"] = json!({"slot": "TO-0915", "pinned": true});
    });
    assert_eq!(
        err,
        Error::PinnedClash {
            first: "R-RTN-1".into(),
            second: "R-TO-1".into(),
        }
    );
    assert_mentions(&err, &["`R-RTN-1`", "`R-TO-1`", "unpin one"]);
    // Back to back (the clinic at 09:30) is fine.
    let ok = {
        let mut v = valid();
        v["slots"].as_array_mut().unwrap().push(json!({
            "id": "TO-0930", "site": "RIV", "service": {"outpatient": "110"},
            "start": "2026-12-03T09:30:00Z", "end": "2026-12-03T09:50:00Z"
        }));
        referral(&mut v, "R-RTN-1")["existing_booking"] =
            json!({"slot": "MRI-RIV-0903", "pinned": true});
        referral(&mut v, "R-TO-1")["existing_booking"] = json!({"slot": "TO-0930", "pinned": true});
        Problem::from_json(&v.to_string())
    };
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn pinned_booking_longer_than_its_slot() {
    // MRI-RIV-0903 runs 30 minutes; R-RTN-1 needs 45.
    let err = rejected(|v| {
        referral(v, "R-RTN-1")["duration_minutes"] = json!(45);
        referral(v, "R-RTN-1")["existing_booking"] =
            json!({"slot": "MRI-RIV-0903", "pinned": true});
    });
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-1", "existing_booking");
    assert!(reason.contains("`MRI-RIV-0903` of 30 minutes"), "{reason}");
    assert!(reason.contains("45-minute appointment"), "{reason}");
}

#[test]
fn pinned_bookings_over_slot_minutes_capacity() {
    // ENDO-LIST-1210: 6 appointments, 240 minutes; 60 + 90 + 120 = 270 minutes.
    let err = rejected(|v| {
        for id in ["R-COL-1", "R-COL-2", "R-COL-3"] {
            referral(v, id)["existing_booking"] = json!({"slot": "ENDO-LIST-1210", "pinned": true});
        }
    });
    assert_eq!(
        err,
        Error::PinnedOverCapacity {
            slot: "ENDO-LIST-1210".into(),
            field: "minutes_capacity"
        }
    );
    assert_mentions(
        &err,
        &["slot `ENDO-LIST-1210`", "minutes_capacity", "unpin one"],
    );
}

#[test]
fn pathway_cycle_of_two_referrals() {
    // small_clinic.json already has R-RTN-1 -> R-TO-1; add R-TO-1 -> R-RTN-1.
    let err = rejected(|v| {
        v["pathway_steps"]
            .as_array_mut()
            .unwrap()
            .push(json!({"before": {"referral": "R-TO-1"}, "after": "R-RTN-1"}));
    });
    assert_eq!(
        err,
        Error::PathwayCycle {
            referrals: vec!["R-RTN-1".into(), "R-TO-1".into()]
        }
    );
    assert_mentions(&err, &["R-RTN-1, R-TO-1", "remove one of the steps"]);
}

#[test]
fn pathway_self_loop() {
    let err = rejected(|v| {
        v["pathway_steps"]
            .as_array_mut()
            .unwrap()
            .push(json!({"before": {"referral": "R-CT-1"}, "after": "R-CT-1"}));
    });
    assert_eq!(
        err,
        Error::PathwayCycle {
            referrals: vec!["R-CT-1".into()]
        }
    );
    assert_mentions(&err, &["R-CT-1", "remove one of the steps"]);
}

// ---------------------------------------------------------------------------------------------
// The empty problem, backends and solve options
// ---------------------------------------------------------------------------------------------

const EMPTY: &str = r#"{"planning_date": "2026-12-01", "horizon_end": "2026-12-31",
                        "sites": [], "slots": [], "referrals": []}"#;

#[test]
fn empty_problem_is_valid_and_solves_to_an_empty_schedule() {
    let problem = Problem::from_json(EMPTY).expect("an empty problem is valid");
    assert_eq!(problem.check(), Ok(()));
    let schedule = solve(&problem, &SolveOptions::new()).expect("an empty problem solves");
    assert!(schedule.outcomes.is_empty());
    assert_eq!(schedule.bookings().count(), 0);
    assert_eq!(schedule.stats.component_count, 0);
    assert!(validate(&problem, &schedule).is_empty());

    // No component needs a backend, so any backend will do, compiled or not.
    for backend in Backend::ALL {
        let schedule = solve(&problem, &SolveOptions::new().backend(backend))
            .unwrap_or_else(|e| panic!("{backend}: {e}"));
        assert!(schedule.outcomes.is_empty());
    }
}

#[test]
fn unknown_backend_name() {
    let err = "cplex".parse::<Backend>().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidOption { option: "backend", reason } if reason.contains("`cplex`")),
        "{err:?}"
    );
    assert_mentions(&err, &["`backend`", "cplex", "microlp", "highs", "cbc"]);

    for backend in Backend::ALL {
        assert_eq!(backend.name().parse::<Backend>(), Ok(backend));
    }
}

#[test]
fn negative_nan_or_infinite_mip_gap() {
    let problem = valid_problem();
    for gap in [-0.01, f64::NAN, f64::INFINITY] {
        let err = solve(&problem, &SolveOptions::new().mip_gap(gap)).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::InvalidOption {
                    option: "mip_gap",
                    ..
                }
            ),
            "{gap}: {err:?}"
        );
        assert_mentions(&err, &["`mip_gap`", &gap.to_string(), "0 or more"]);
    }
}

#[cfg(not(feature = "highs"))]
#[test]
fn highs_not_compiled_lists_the_compiled_backends() {
    let problem = valid_problem();
    assert!(
        !problem.pathway_steps.is_empty(),
        "small_clinic.json has a pathway step, so it needs the MIP backend"
    );
    let err = solve(&problem, &SolveOptions::new().backend(Backend::Highs)).unwrap_err();
    let compiled: Vec<String> = Backend::compiled()
        .iter()
        .map(|b| b.name().to_owned())
        .collect();
    assert!(!compiled.is_empty());
    assert!(!compiled.contains(&"highs".to_owned()));
    assert_eq!(
        err,
        Error::BackendNotCompiled {
            backend: "highs".into(),
            compiled: compiled.clone(),
        }
    );
    let mut needles = vec!["`highs`", "enable Cargo feature `highs`"];
    needles.extend(compiled.iter().map(String::as_str));
    assert_mentions(&err, &needles);
}

#[cfg(not(feature = "cbc"))]
#[test]
fn cbc_not_compiled_lists_the_compiled_backends() {
    let err = solve(&valid_problem(), &SolveOptions::new().backend(Backend::Cbc)).unwrap_err();
    assert!(
        matches!(&err, Error::BackendNotCompiled { backend, compiled }
            if backend == "cbc" && !compiled.is_empty() && !compiled.contains(&"cbc".to_owned())),
        "{err:?}"
    );
    assert_mentions(&err, &["enable Cargo feature `cbc`"]);
}

// ---------------------------------------------------------------------------------------------
// Patient ids stay out of error messages
// ---------------------------------------------------------------------------------------------

/// Gives R-TO-2 (pinned into TO-CLINIC-1208) the secret patient id, then applies `change`.
#[track_caller]
fn rejected_with_secret_patient(case: &str, change: impl FnOnce(&mut Value)) -> Error {
    let mut value = valid();
    referral(&mut value, "R-TO-2")["patient"] = json!(SECRET_PATIENT);
    change(&mut value);
    match Problem::from_json(&value.to_string()) {
        Ok(_) => panic!("{case}: the problem was accepted, expected an error"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_no_patient_id(case: &str, err: &Error) {
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(!display.contains(SECRET_PATIENT), "{case}: {display}");
    assert!(!debug.contains(SECRET_PATIENT), "{case}: {debug}");
}

/// One change to the valid instance.
type Change = fn(&mut Value);

#[test]
fn error_messages_never_contain_patient_ids() {
    let cases: &[(&str, Change)] = &[
        ("zero duration", |v| {
            referral(v, "R-TO-2")["duration_minutes"] = json!(0)
        }),
        ("wrong type", |v| {
            referral(v, "R-TO-2")["duration_minutes"] = json!("twenty")
        }),
        ("negative", |v| {
            referral(v, "R-TO-2")["duration_minutes"] = json!(-20)
        }),
        ("unknown field", |v| {
            referral(v, "R-TO-2")["duration_minute"] = json!(20)
        }),
        ("missing field", |v| {
            remove(referral(v, "R-TO-2"), "clock_start");
        }),
        ("clock start", |v| {
            referral(v, "R-TO-2")["clock_start"] = json!("2027-01-01")
        }),
        ("no standards", |v| {
            referral(v, "R-TO-2")["standards"] = json!([])
        }),
        ("unavailable", |v| {
            referral(v, "R-TO-2")["unavailable"] =
                json!([{"from": "2026-12-10", "to": "2026-12-01"}]);
        }),
        ("home", |v| {
            referral(v, "R-TO-2")["home"] = json!({"latitude": 95, "longitude": 0})
        }),
        ("max travel", |v| {
            referral(v, "R-TO-2")["max_travel_km"] = json!(-3)
        }),
        ("preferred site", |v| {
            referral(v, "R-TO-2")["preferred_sites"] = json!(["XYZ"])
        }),
        ("existing booking", |v| {
            referral(v, "R-TO-2")["existing_booking"]["slot"] = json!("NOPE")
        }),
        ("pinned over capacity", |v| {
            slot(v, "TO-CLINIC-1208")["capacity"] = json!(1);
            referral(v, "R-TO-3")["existing_booking"] =
                json!({"slot": "TO-CLINIC-1208", "pinned": true});
        }),
        ("pinned over minutes", |v| {
            slot(v, "TO-CLINIC-1208")["minutes_capacity"] = json!(10)
        }),
        ("duplicate referral", |v| {
            let copy = referral(v, "R-TO-2").clone();
            v["referrals"].as_array_mut().unwrap().push(copy);
        }),
        ("cycle", |v| {
            v["pathway_steps"] = json!([
                {"before": {"referral": "R-TO-2"}, "after": "R-TO-3"},
                {"before": {"referral": "R-TO-3"}, "after": "R-TO-2"}
            ]);
        }),
    ];
    for &(name, change) in cases {
        let err = rejected_with_secret_patient(name, change);
        assert_no_patient_id(name, &err);
    }
}

/// A patient id sent as a JSON number (an NHS number, say) is a wrong type; the error must say
/// so without echoing the number.
#[test]
fn json_error_on_the_patient_field_does_not_echo_the_patient_id() {
    let err = rejected(|v| referral(v, "R-TO-2")["patient"] = json!(9_434_765_919_u64));
    let message = expect_json(&err, "referrals[5].patient");
    assert!(message.contains("expected a string"), "{message}");
    let display = err.to_string();
    assert!(!display.contains("9434765919"), "{display}");
}

// ---------------------------------------------------------------------------------------------
// Empty ids and coordinate arrays (found by a fresh-eyes trial, December 2026)
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_ids_are_refused_by_position() {
    let err = rejected(|v| referral(v, "R-USC-1")["id"] = json!(""));
    let reason = expect_invalid(&err, RecordKind::Referral, "referrals[0]", "id");
    assert_eq!(
        reason,
        "the id is empty: give each record a unique, non-empty id"
    );
    let err = rejected(|v| site(v, "RIV")["id"] = json!("  "));
    expect_invalid(&err, RecordKind::Site, "sites[0]", "id");
}

#[test]
fn an_empty_patient_id_is_refused() {
    // Two referrals with an empty patient would be one patient, who may not be in two places.
    let err = rejected(|v| referral(v, "R-RTN-1")["patient"] = json!(""));
    let reason = expect_invalid(&err, RecordKind::Referral, "R-RTN-1", "patient");
    assert!(reason.starts_with("the patient id is empty"), "{reason}");
}

#[test]
fn coordinates_as_an_array_are_refused() {
    // GeoJSON writes [longitude, latitude]: either order would be read silently.
    let err = rejected(|v| referral(v, "R-USC-1")["home"] = json!([51.5, -0.12]));
    let message = expect_json(&err, "referrals[0].home");
    assert!(message.contains("expected an object"), "{message}");
    assert!(!message.contains("51.5"), "{message}");
    let err = rejected(|v| site(v, "RIV")["location"] = json!([-0.12, 51.5]));
    let message = expect_json(&err, "sites[0].location");
    assert!(message.contains("expected an object"), "{message}");
    // The object form still names a bad or unknown field inside it.
    let err = rejected(|v| site(v, "RIV")["location"]["lat"] = json!(51.5));
    let message = expect_json(&err, "sites[0].location.lat");
    assert!(message.contains("unknown field `lat`"), "{message}");
}
