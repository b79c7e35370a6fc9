//! Reference hashes: what each reference scenario must give, on every target.
//!
//! `tests/reference/` holds scenario files and [`FIXTURE_FILE`], the
//! fixture `zablab fixture tests/reference` writes from a native run. The
//! native test (`tests/reference_hashes.rs`) and the browser test
//! (`web/tests/reference_hashes.rs`, wasm32 in Chromium) both call [`check`]:
//! a scenario whose run differs from its fixture entry is a mismatch that
//! names the file. Pure: text in, text out; the callers read the files.

use serde::{Deserialize, Serialize};

use crate::sim::{RunSummary, Simulation};
use crate::trace::TraceHasher;
use crate::Scenario;

/// The fixture's file name inside the reference directory.
pub const FIXTURE_FILE: &str = "hashes.json";

/// The command that rewrites the fixture (run from the repository root).
pub const REGENERATE: &str = "cargo run -- fixture tests/reference";

/// What one scenario run gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceHash {
    /// The scenario's file name (no directory).
    pub file: String,
    /// [`RunSummary::trace_hash`]: every handled event, in order.
    pub trace_hash: String,
    /// [`RunSummary::events`].
    pub events: u64,
    /// FNV-1a of the summary's compact JSON: what the run reports (states,
    /// writes, syncs, four-letter-word output, violations), which the trace
    /// hash does not cover.
    pub summary_hash: String,
}

/// The fixture file: how to regenerate it, then one entry per scenario,
/// sorted by file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub regenerate: String,
    pub scenarios: Vec<ReferenceHash>,
}

impl Fixture {
    pub fn from_json(text: &str) -> Result<Fixture, String> {
        serde_json::from_str(text).map_err(|e| format!("{FIXTURE_FILE}: {e}"))
    }

    /// The file text: one scenario a line, so a changed hash is a one-line diff.
    pub fn to_json(&self) -> String {
        let regenerate = serde_json::to_string(&self.regenerate).expect("a string serializes");
        let lines: Vec<String> = self
            .scenarios
            .iter()
            .map(|e| {
                format!(
                    "    {}",
                    serde_json::to_string(e).expect("an entry serializes")
                )
            })
            .collect();
        format!(
            "{{\n  \"regenerate\": {regenerate},\n  \"scenarios\": [\n{}\n  ]\n}}\n",
            lines.join(",\n")
        )
    }

    pub fn get(&self, file: &str) -> Option<&ReferenceHash> {
        self.scenarios.iter().find(|e| e.file == file)
    }
}

/// Runs one scenario file's text to its `until_ms`.
pub fn run(file: &str, text: &str) -> Result<(ReferenceHash, Simulation, RunSummary), String> {
    let scenario = Scenario::from_json(text).map_err(|e| format!("{file}: {e}"))?;
    let mut sim = Simulation::new(scenario).map_err(|e| format!("{file}: {e}"))?;
    sim.run_to_end();
    let summary = sim.summary();
    let json = serde_json::to_string(&summary).expect("the summary always serializes");
    let mut h = TraceHasher::new();
    h.bytes(json.as_bytes());
    let entry = ReferenceHash {
        file: file.to_string(),
        trace_hash: summary.trace_hash.clone(),
        events: summary.events,
        summary_hash: format!("0x{:016x}", h.finish()),
    };
    Ok((entry, sim, summary))
}

/// Runs every `(file name, text)` and builds the fixture, sorted by name.
pub fn fixture(files: &[(String, String)]) -> Result<Fixture, String> {
    let mut scenarios = Vec::with_capacity(files.len());
    for (file, text) in files {
        scenarios.push(run(file, text)?.0);
    }
    crate::sorting::sort_by(&mut scenarios, &|a, b| a.file.cmp(&b.file));
    Ok(Fixture {
        regenerate: REGENERATE.to_string(),
        scenarios,
    })
}

/// Runs every `(file name, text)` and compares it with the fixture. Returns
/// one line per problem (empty: all match): a scenario without an entry, an
/// entry without a scenario, a scenario that does not run, or a run whose
/// hashes or event count differ. Each line names the file.
pub fn check<S: AsRef<str>>(files: &[(S, S)], fixture: &Fixture) -> Vec<String> {
    let mut problems = Vec::new();
    let hint = format!(
        "(if the simulation or the scenario set changed on purpose, regenerate with `{REGENERATE}`)"
    );
    for entry in &fixture.scenarios {
        if !files.iter().any(|(f, _)| f.as_ref() == entry.file) {
            problems.push(format!(
                "{}: in {FIXTURE_FILE} but no such scenario file {hint}",
                entry.file
            ));
        }
    }
    for (file, text) in files {
        let file = file.as_ref();
        let Some(want) = fixture.get(file) else {
            problems.push(format!("{file}: no entry in {FIXTURE_FILE} {hint}"));
            continue;
        };
        match run(file, text.as_ref()) {
            Err(e) => problems.push(e),
            Ok((got, _, _)) => {
                if got != *want {
                    problems.push(format!(
                        "{file}: expected trace_hash {} ({} events, summary_hash {}), got trace_hash {} ({} events, summary_hash {}) {hint}",
                        want.trace_hash,
                        want.events,
                        want.summary_hash,
                        got.trace_hash,
                        got.events,
                        got.summary_hash
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"{ "zablab": 1, "name": "t", "seed": 3,
      "ensemble": { "participants": [1, 2, 3] }, "until_ms": 8000,
      "actions": [ { "at_ms": 0, "do": "start", "servers": [1, 2, 3] } ] }"#;

    fn files() -> Vec<(String, String)> {
        vec![("a.json".to_string(), SCENARIO.to_string())]
    }

    #[test]
    fn a_fresh_fixture_checks_clean_and_round_trips() {
        let fx = fixture(&files()).unwrap();
        assert_eq!(fx.scenarios.len(), 1);
        assert!(fx.scenarios[0].events > 0);
        assert_eq!(check(&files(), &fx), Vec::<String>::new());
        assert_eq!(Fixture::from_json(&fx.to_json()).unwrap(), fx);
    }

    #[test]
    fn an_altered_hash_a_missing_entry_and_a_stray_entry_are_named() {
        let mut fx = fixture(&files()).unwrap();
        fx.scenarios[0].trace_hash = "0x0000000000000000".to_string();
        let p = check(&files(), &fx);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("a.json: expected trace_hash 0x0000000000000000"));
        assert!(p[0].contains(REGENERATE));

        let mut fx = fixture(&files()).unwrap();
        fx.scenarios[0].events += 1;
        assert_eq!(check(&files(), &fx).len(), 1);

        let mut fx = fixture(&files()).unwrap();
        fx.scenarios[0].file = "b.json".to_string();
        let mut p = check(&files(), &fx);
        p.sort();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("a.json: no entry in hashes.json"));
        assert!(p[1].starts_with("b.json: in hashes.json but no such scenario file"));
    }

    #[test]
    fn a_bad_scenario_is_a_problem_not_a_panic() {
        let fx = fixture(&files()).unwrap();
        let bad = vec![("a.json".to_string(), "{".to_string())];
        let p = check(&bad, &fx);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("a.json: not valid JSON"), "{p:?}");
    }
}
