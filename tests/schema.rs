//! The JSON Schemas of the problem and schedule formats: generated from the types, committed
//! under `schema/`, and checked against the shipped examples and their schedules.
//!
//! After changing a format, regenerate the committed files with
//! `UPDATE_SCHEMA=1 cargo test --test schema`.

use appointment_optimiser::{solve, Problem, Schedule, SolveOptions};
use serde_json::Value;

fn committed(name: &str, generated: &str) {
    let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, format!("{generated}\n")).unwrap();
    }
    let file = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        file,
        format!("{generated}\n"),
        "{path} is not the schema the types generate: run UPDATE_SCHEMA=1 cargo test --test schema"
    );
}

#[test]
fn the_committed_schemas_are_the_generated_ones() {
    committed("problem.schema.json", &Problem::json_schema());
    committed("schedule.schema.json", &Schedule::json_schema());
}

fn validator(schema: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&serde_json::from_str::<Value>(schema).unwrap()).unwrap()
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

const EXAMPLES: [&str; 2] = [
    include_str!("../examples/data/small_clinic.json"),
    include_str!("../examples/data/replan_week.json"),
];

/// Every shipped example is valid under the problem schema, and its schedule under the
/// schedule schema.
#[test]
fn the_shipped_examples_and_their_schedules_validate() {
    let problems = validator(&Problem::json_schema());
    let schedules = validator(&Schedule::json_schema());
    for json in EXAMPLES {
        let value: Value = serde_json::from_str(json).unwrap();
        assert_eq!(errors(&problems, &value), Vec::<String>::new());
        let problem = Problem::from_json(json).unwrap();
        let schedule = solve(&problem, &SolveOptions::new()).unwrap();
        let value: Value = serde_json::from_str(&schedule.to_json()).unwrap();
        assert_eq!(errors(&schedules, &value), Vec::<String>::new());
    }
}

/// Mistakes the schema can see are refused by it, at the offending path: a latitude out of
/// range, an unknown field, a missing one, an unknown diagnostic test.
#[test]
fn the_problem_schema_refuses_what_the_library_refuses() {
    let problems = validator(&Problem::json_schema());
    let mut value: Value = serde_json::from_str(EXAMPLES[0]).unwrap();
    value["sites"][0]["location"]["latitude"] = Value::from(100.0);
    value["slots"][0]["colour"] = Value::from("blue");
    value["referrals"][0]
        .as_object_mut()
        .unwrap()
        .remove("clock_start");
    value["referrals"][1]["service"] = serde_json::json!({"diagnostic": "x_ray"});
    let found = errors(&problems, &value);
    for path in [
        "/sites/0/location",
        "/slots/0",
        "/referrals/0",
        "/referrals/1/service",
    ] {
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}: "))),
            "{path} not in {found:#?}"
        );
    }
    assert!(Problem::from_json(&value.to_string()).is_err());
}
