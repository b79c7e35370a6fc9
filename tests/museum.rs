//! The bug museum as mutation tests of the checker (`docs/MUSEUM.md`).
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

/// Flags this model cannot show yet, and why. Each must still be accepted
/// and must leave a schedule where it would act unchanged (so a model
/// change that makes it observable shows up here).
const NOT_SHOWABLE: &[(&str, &str)] = &[(
    "bug_zk3104_newleader_before_snapshot",
    "the model applies a txn the moment it commits and serializes a SNAP in \
     the same instant it is queued, so NEWLEADER before or after the snapshot \
     sends the same packets; showing it needs a commit-to-apply gap and a \
     snapshot that takes time",
)];

#[test]
fn flags_the_model_cannot_show_change_nothing() {
    // A SNAP sync with writes in flight: where 3104's ordering would act.
    // (Txn-log sync off: the leader never rolled its log, so with it on
    // the learner, 750 txns behind, would get a DIFF from the txn log.)
    let json = r#"{"zablab":1,"seed":3,"ensemble":{"participants":[1,2,3],"snapshot_size_factor_pct":-1},
        "until_ms":12000,"actions":[
        {"at_ms":0,"do":"start","servers":[1,2,3]},
        {"at_ms":1000,"do":"connect","client":"c","server":3},
        {"at_ms":1500,"do":"crash","server":1},
        {"at_ms":1600,"do":"load","client":"c","rate_per_s":500,"for_ms":3000},
        {"at_ms":3000,"do":"restart","server":1}]}"#;
    for (flag, why) in NOT_SHOWABLE {
        assert!(KNOWN_VARIANTS.contains(flag), "{flag} is not a known flag");
        let off = Scenario::from_json(json).unwrap();
        let mut on = off.clone();
        on.ensemble.variants = vec![flag.to_string()];
        let (a, b) = (run(off), run(on));
        assert!(b
            .syncs
            .iter()
            .any(|s| s.mode == zablab_core::proto::SyncMode::Snap));
        assert_eq!(
            a.trace_hash, b.trace_hash,
            "{flag} now changes the run; it was listed as not showable because {why}: write its museum file"
        );
    }
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
        .filter(|f| !NOT_SHOWABLE.iter().any(|(n, _)| n == *f))
        .collect();
    assert!(
        missing.is_empty(),
        "flags without a museum file: {missing:?}"
    );
}

/// ZabLab's own findings (`static/scenarios/findings/`, `docs/FINDINGS.md`):
/// schedules where the model, following ZooKeeper's source, breaks a
/// property with every flag off. `museum.flag` names the counter-variant
/// (not ZooKeeper) that fixes it: with it on, the same schedule must be
/// clean.
#[test]
fn every_finding_fails_as_zookeeper_and_passes_with_its_fix() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/scenarios/findings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("static/scenarios/findings exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let name = path.display().to_string();
        let scenario = Scenario::from_json(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let museum = scenario.museum.clone().expect("a museum block");
        assert!(
            museum.flag.starts_with("fix_"),
            "{name}: the fix is a fix_ flag"
        );
        assert!(
            scenario.ensemble.variants.is_empty(),
            "{name}: runs as ZooKeeper"
        );
        let got = fired(&run(scenario.clone()));
        for want in &museum.breaks {
            assert!(
                got.contains(want),
                "{name}: {want} did not fire (fired: {got:?})"
            );
        }
        let mut fixed = scenario;
        fixed.ensemble.variants = vec![museum.flag.clone()];
        let clean = run(fixed);
        assert!(
            clean.violations.is_empty(),
            "{name}: with {} on: {:#?}",
            museum.flag,
            clean.violations
        );
    }
}

/// A museum or finding file that carries a real ensemble's lines
/// (`museum.real`) recreates that run: every line the model can log has
/// its counterpart in the simulated log (same server, level and class, the
/// same text with zxids masked; `pair_real_lines`), in the real order per
/// server. A line it cannot log says why (`unmodelled`).
#[test]
fn every_real_line_has_its_simulated_counterpart() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/scenarios");
    let mut seen = 0;
    for sub in ["museum", "findings"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let scenario = Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let Some(real) = scenario.museum.as_ref().and_then(|m| m.real.clone()) else {
                continue;
            };
            seen += 1;
            assert!(!real.source.is_empty() && !real.lines.is_empty());
            let mut sim = Simulation::new(scenario).unwrap();
            sim.run_to_end();
            let pairs = zablab_core::sim::pair_real_lines(sim.log().iter(), &real.lines);
            let mut last_ms = 0;
            for (line, got) in real.lines.iter().zip(pairs) {
                if let Some(e) = got {
                    assert!(
                        e.at_ms >= last_ms,
                        "{}: s{} `{}` pairs with a line at {} ms, before the previous real line's",
                        path.display(),
                        line.sid,
                        line.text,
                        e.at_ms
                    );
                    last_ms = e.at_ms;
                }
                assert!(
                    got.is_some() || line.unmodelled.is_some(),
                    "{}: no simulated counterpart of s{} {} {} - {}",
                    path.display(),
                    line.sid,
                    line.level,
                    line.class,
                    line.text
                );
            }
        }
    }
    assert!(seen > 0, "no file carries museum.real");
}
