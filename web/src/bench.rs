//! Measurement hook for the browser benchmark (`bench/browser.mjs`,
//! `scripts/bench`); the app never takes this path otherwise.
//!
//! `?bench-sim=PATH` opens no app: it fetches the scenario at `PATH`
//! (relative to the page, e.g. `scenarios/bench/bench-1h.json`), runs it to
//! its end exactly as `zablab bench` does natively (no history, no
//! rendering) and hands the result to JavaScript twice: as the object
//! `window.zablabBenchSim` (`{events, ms, trace, memory_mb}` or
//! `{error}`, made from [`Outcome`] by `serde-wasm-bindgen`, which
//! `bench/browser.mjs` reads) and as the text `events=N ms=T trace=0x…
//! memory_mb=M` in `<pre id="bench-sim">` (for a person, and the element
//! the benchmark waits for). The wasm and native speeds of the same run
//! can so be compared (same trace hash: same work).

use std::fmt;

use serde::Serialize;
use zablab_core::{Scenario, Simulation};

use crate::browser;

/// One benchmark run, as JavaScript receives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchSim {
    /// Simulated events.
    pub events: u64,
    /// Wall time of the run, in ms (to 0.1 ms).
    pub ms: f64,
    /// The trace hash, `0x` and 16 hex digits (a JS number cannot hold it).
    pub trace: String,
    /// The wasm memory after the run, in MiB.
    pub memory_mb: u32,
}

/// What the page reports: a run, or why there was none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Done(BenchSim),
    Failed { error: String },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Done(b) => write!(
                f,
                "events={} ms={} trace={} memory_mb={}",
                b.events,
                crate::dec(b.ms, 1),
                b.trace,
                b.memory_mb
            ),
            Outcome::Failed { error } => write!(f, "error={error}"),
        }
    }
}

/// The value of `?bench-sim=…`, if the page was opened with it.
fn bench_path() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("bench-sim="))
        .map(str::to_string)
}

fn report(outcome: &Outcome) {
    if let (Some(w), Ok(v)) = (web_sys::window(), serde_wasm_bindgen::to_value(outcome)) {
        let _ = js_sys::Reflect::set(&w, &"zablabBenchSim".into(), &v);
    }
    if let Some(d) = browser::document() {
        if let (Ok(pre), Some(body)) = (d.create_element("pre"), d.body()) {
            pre.set_id("bench-sim");
            pre.set_text_content(Some(&outcome.to_string()));
            let _ = body.append_child(&pre);
        }
    }
}

fn run(json: &str) -> Result<BenchSim, String> {
    let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
    let started = browser::now();
    let mut sim = Simulation::new(scenario).map_err(|e| e.to_string())?;
    sim.run_to_end();
    let ms = browser::now() - started;
    Ok(BenchSim {
        events: sim.events(),
        ms: (ms * 10.0).round() / 10.0,
        trace: format!("0x{:016x}", sim.trace_hash()),
        memory_mb: browser::wasm_memory_mb(),
    })
}

/// Runs the benchmark if the page asked for it; true when it did (then
/// the app is not mounted).
pub fn start() -> bool {
    let Some(path) = bench_path() else {
        return false;
    };
    browser::fetch_text(&path, |r| {
        let outcome = match r.and_then(|json| run(&json)) {
            Ok(b) => Outcome::Done(b),
            Err(error) => Outcome::Failed { error },
        };
        report(&outcome);
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_the_one_the_benchmark_always_read() {
        let done = Outcome::Done(BenchSim {
            events: 12,
            ms: 3.25,
            trace: "0x00000000000000ff".into(),
            memory_mb: 4,
        });
        assert_eq!(
            done.to_string(),
            "events=12 ms=3.3 trace=0x00000000000000ff memory_mb=4"
        );
        let failed = Outcome::Failed {
            error: "no file".into(),
        };
        assert_eq!(failed.to_string(), "error=no file");
        // The object's fields: the same names, flat (untagged).
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            serde_json::json!({"error": "no file"})
        );
        assert_eq!(
            serde_json::to_value(&done).unwrap(),
            serde_json::json!({"events": 12, "ms": 3.25, "trace": "0x00000000000000ff", "memory_mb": 4})
        );
    }
}
