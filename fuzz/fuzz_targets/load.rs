//! Fuzz target `load`: any bytes read as a problem.
//!
//! Checks that `Problem::from_json` never panics, whatever the input: malformed JSON, wrong
//! types, unknown fields, deep nesting, bad references, out-of-range numbers and dates. When it
//! accepts a problem, `Problem::check` must accept it too (from_json already ran it), and the
//! problem written back with `Problem::to_json` must read back to the same problem (nothing is
//! lost and nothing valid becomes invalid on the way).

#![no_main]

use appointment_optimiser::Problem;
use libfuzzer_sys::fuzz_target;

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
    match Problem::from_json(&written) {
        Ok(again) => assert_eq!(again, problem, "the problem changed on a JSON round trip"),
        Err(e) => panic!("a valid problem, written back, is refused: {e}\n{written}"),
    }
});
