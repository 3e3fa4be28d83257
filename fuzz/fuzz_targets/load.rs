//! Fuzz target `load`: any bytes read as a problem.
//!
//! Checks that `Problem::from_json` never panics, whatever the input: malformed JSON, wrong
//! types, unknown fields, deep nesting, bad references, out-of-range numbers and dates. When it
//! accepts a problem:
//! - `Problem::check` accepts it too (from_json already ran it);
//! - the problem written back with `Problem::to_json` reads back without error, to the same
//!   problem: every string, date, integer, enum and number exactly (`MAX_ULPS` is 0: the library
//!   turns on serde_json's `float_roundtrip` since this target found a coordinate read back one
//!   unit in the last place off, `fuzz/regressions/load_float_round_trip.json`).

#![no_main]

use appointment_optimiser::Problem;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Largest difference allowed between a non-integer number and its round trip, in units in the
/// last place of an f64.
const MAX_ULPS: u64 = 0;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(problem) = Problem::from_json(json) else {
        return;
    };
    assert_eq!(
        problem.check(),
        Ok(()),
        "from_json accepted what check refuses"
    );
    let written = problem.to_json();
    let again = match Problem::from_json(&written) {
        Ok(again) => again,
        Err(e) => panic!("a valid problem, written back, is refused: {e}\n{written}"),
    };
    if again != problem {
        let (before, after) = (tree(&problem), tree(&again));
        if let Some(path) = difference(&before, &after, String::new()) {
            panic!("the problem changed on a JSON round trip at `{path}`\n{written}");
        }
    }
});

/// The problem as a JSON tree, built from the values in memory (no parsing involved).
fn tree(problem: &Problem) -> Value {
    match serde_json::to_value(problem) {
        Ok(value) => value,
        Err(e) => panic!("a problem does not serialise: {e}"),
    }
}

/// The path of the first difference between two trees, beyond `MAX_ULPS` for non-integers.
fn difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64()?, y.as_f64()?);
            let close = x.is_sign_negative() == y.is_sign_negative()
                && x.to_bits().abs_diff(y.to_bits()) <= MAX_ULPS;
            (!close && x != y).then_some(path)
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, format!("{path}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(key, x)| match y.get(key) {
                Some(y) => difference(x, y, format!("{path}.{key}")),
                None => Some(format!("{path}.{key}")),
            })
        }
        _ => (a != b).then_some(path),
    }
}
