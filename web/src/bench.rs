//! Measurement hook for the browser benchmark (`bench/browser.mjs`,
//! `scripts/bench`); the app never takes this path otherwise.
//!
//! `?bench-sim=PATH` opens no app: it fetches the scenario at `PATH`
//! (relative to the page, e.g. `scenarios/bench/bench-1h.json`), runs it to
//! its end exactly as `zablab bench` does natively (no history, no
//! rendering) and writes `events=N ms=T trace=0x… memory_mb=M` into
//! `<pre id="bench-sim">`, so the wasm and native speeds of the same run
//! can be compared (same trace hash: same work).

use wasm_bindgen::JsCast;
use zablab_core::{Scenario, Simulation};

use crate::browser;

/// The value of `?bench-sim=…`, if the page was opened with it.
fn bench_path() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("bench-sim="))
        .map(str::to_string)
}

fn report(text: &str) {
    if let Some(d) = browser::document() {
        if let (Ok(pre), Some(body)) = (d.create_element("pre"), d.body()) {
            pre.set_id("bench-sim");
            pre.set_text_content(Some(text));
            let _ = body.append_child(&pre);
        }
    }
}

fn run(json: &str) -> Result<String, String> {
    let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
    let started = browser::now();
    let mut sim = Simulation::new(scenario).map_err(|e| e.to_string())?;
    sim.run_to_end();
    let ms = browser::now() - started;
    let memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length())
        })
        .unwrap_or(0);
    Ok(format!(
        "events={} ms={} trace=0x{:016x} memory_mb={}",
        sim.events(),
        crate::dec(ms, 1),
        sim.trace_hash(),
        memory / (1024 * 1024)
    ))
}

/// Runs the benchmark if the page asked for it; true when it did (then
/// the app is not mounted).
pub fn start() -> bool {
    let Some(path) = bench_path() else {
        return false;
    };
    browser::fetch_text(&path, |r| {
        let text = r
            .and_then(|json| run(&json))
            .unwrap_or_else(|e| format!("error={e}"));
        report(&text);
    });
    true
}
