//! The bug museum as mutation tests of the checker (`shared/BUG-MUSEUM.md`).
//!
//! Every file in `static/scenarios/museum/` is a scripted schedule for one
//! `bug_zk…` flag, named `<flag>.json`, with that flag (and only it) in
//! `ensemble.variants` and a `museum` block naming what it breaks. With the
//! flag on, every property in `museum.breaks` must fire; with `variants`
//! emptied, the same schedule must give no violation at all. A flag the
//! checker cannot catch fails here.

use std::path::PathBuf;

use zablab_core::{RunSummary, Scenario, Simulation, KNOWN_VARIANTS};

fn museum_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/scenarios/museum")
}

fn museum_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(museum_dir())
        .expect("static/scenarios/museum exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn run(scenario: Scenario) -> RunSummary {
    let mut sim = Simulation::new(scenario).expect("museum scenario loads");
    sim.run_to_end();
    sim.summary()
}

fn fired(s: &RunSummary) -> Vec<String> {
    s.violations.iter().map(|v| v.property.clone()).collect()
}

#[test]
fn every_museum_file_is_caught_with_its_flag_and_clean_without() {
    let files = museum_files();
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let scenario =
            Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let museum = scenario
            .museum
            .clone()
            .unwrap_or_else(|| panic!("{name}: no museum block"));
        assert_eq!(
            museum.flag, name,
            "{name}: the file is named after its flag"
        );
        assert_eq!(
            scenario.ensemble.variants,
            vec![name.clone()],
            "{name}: ensemble.variants holds exactly its flag"
        );
        assert!(!museum.breaks.is_empty(), "{name}: museum.breaks is empty");

        let on = run(scenario.clone());
        let got = fired(&on);
        for want in &museum.breaks {
            if !got.contains(want) {
                failures.push(format!(
                    "{name}: with the flag on, {want} did not fire (fired: {got:?})"
                ));
            }
        }
        let mut off_scenario = scenario;
        off_scenario.ensemble.variants.clear();
        let off = run(off_scenario);
        if !off.violations.is_empty() {
            failures.push(format!(
                "{name}: with the flag off, violations: {:#?}",
                off.violations
            ));
        }
        assert_ne!(
            on.trace_hash, off.trace_hash,
            "{name}: the flag changed nothing in this schedule"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_known_flag_has_a_museum_file() {
    let have: Vec<String> = museum_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    let missing: Vec<&&str> = KNOWN_VARIANTS
        .iter()
        .filter(|f| f.starts_with("bug_zk") && !have.iter().any(|h| h == **f))
        .collect();
    assert!(
        missing.is_empty(),
        "flags without a museum file: {missing:?}"
    );
}
