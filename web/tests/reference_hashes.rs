//! Native == wasm: every reference scenario (`tests/reference/`) runs with
//! `zablab_core` inside Chromium (wasm32) and must give the trace hash,
//! event count and summary hash the native build wrote to
//! `tests/reference/hashes.json`. `build.rs` embeds the files.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use zablab_core::reference::{self, Fixture};

wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/reference_scenarios.rs"));

#[wasm_bindgen_test]
fn every_reference_scenario_hashes_in_wasm_as_natively() {
    assert!(
        SCENARIOS.len() >= 20,
        "only {} reference scenarios embedded",
        SCENARIOS.len()
    );
    let fixture = Fixture::from_json(FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let problems = reference::check(SCENARIOS, &fixture);
    assert!(
        problems.is_empty(),
        "wasm32 differs from the native fixture in {} of {} reference scenarios:\n{}",
        problems.len(),
        SCENARIOS.len(),
        problems.join("\n")
    );
}
