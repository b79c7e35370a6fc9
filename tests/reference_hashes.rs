//! The reference scenarios (`tests/reference/`) natively: each runs to the
//! trace hash, event count and summary hash in `hashes.json`, runs clean, and
//! the set keeps covering what it claims (every sync mode, every action).
//! `web/tests/reference_hashes.rs` runs the same files in Chromium (wasm32)
//! against the same fixture.

use std::path::PathBuf;

use zablab_core::proto::SyncMode;
use zablab_core::reference::{self, Fixture, FIXTURE_FILE, REGENERATE};
use zablab_core::scenario::ACTION_NAMES;
use zablab_core::{RunSummary, Scenario, Simulation};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

/// Every scenario file, `(name, text)`, sorted by name.
fn scenarios() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir())
        .expect("tests/reference exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| !p.ends_with(FIXTURE_FILE))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(dir().join(FIXTURE_FILE)).unwrap_or_else(|e| {
        panic!("cannot read {FIXTURE_FILE} ({e}); write it with `{REGENERATE}`")
    });
    Fixture::from_json(&text).unwrap_or_else(|e| panic!("{e}; rewrite it with `{REGENERATE}`"))
}

fn run(name: &str) -> (Simulation, RunSummary) {
    let (_, text) = scenarios()
        .into_iter()
        .find(|(f, _)| f == name)
        .unwrap_or_else(|| panic!("no reference scenario {name}"));
    let (_, sim, summary) = reference::run(name, &text).unwrap();
    (sim, summary)
}

#[test]
fn every_scenario_runs_to_its_fixture_hash_natively() {
    let files = scenarios();
    let fixture = fixture();
    assert!(
        files.len() >= 20,
        "only {} reference scenarios",
        files.len()
    );
    assert_eq!(fixture.regenerate, REGENERATE);
    let problems = reference::check(&files, &fixture);
    assert!(
        problems.is_empty(),
        "{} of {} reference scenarios differ from {FIXTURE_FILE}:\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}

#[test]
fn every_scenario_runs_clean() {
    for (name, text) in scenarios() {
        let (_, _, s) = reference::run(&name, &text).unwrap();
        assert!(s.violations.is_empty(), "{name}: {:#?}", s.violations);
        assert!(s.action_errors.is_empty(), "{name}: {:#?}", s.action_errors);
        assert_eq!(
            s.end_ms,
            Scenario::from_json(&text).unwrap().until_ms,
            "{name}"
        );
    }
}

#[test]
fn the_set_uses_every_action_and_distinct_seeds() {
    let mut used: Vec<&str> = Vec::new();
    let mut seeds: Vec<u64> = Vec::new();
    let parsed: Vec<(String, Scenario)> = scenarios()
        .into_iter()
        .map(|(n, t)| {
            let s = Scenario::from_json(&t).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, s)
        })
        .collect();
    for (name, s) in &parsed {
        assert!(
            !seeds.contains(&s.seed),
            "{name}: seed {} used twice",
            s.seed
        );
        seeds.push(s.seed);
        used.extend(s.actions.iter().map(|a| a.kind.name()));
    }
    for name in ACTION_NAMES {
        assert!(used.contains(name), "no reference scenario uses `{name}`");
    }
    assert!(parsed
        .iter()
        .any(|(_, s)| s.ensemble.participants.len() == 5));
    assert!(parsed.iter().any(|(_, s)| !s.ensemble.observers.is_empty()));
}

/// The last sync of `learner` at or after `after_ms` in `name` is `mode`.
fn assert_sync(name: &str, learner: u32, after_ms: u64, mode: SyncMode) {
    let (_, s) = run(name);
    let sync = s
        .syncs
        .iter()
        .rev()
        .find(|y| y.learner == learner && y.at_ms >= after_ms)
        .unwrap_or_else(|| {
            panic!(
                "{name}: no sync of {learner} after {after_ms} ms: {:?}",
                s.syncs
            )
        });
    assert_eq!(sync.mode, mode, "{name}: learner {learner}");
}

#[test]
fn every_sync_mode_is_covered() {
    assert_sync("sync-diff.json", 3, 15_000, SyncMode::Diff);
    assert_sync("sync-snap.json", 3, 18_000, SyncMode::Snap);
    assert_sync("sync-trunc.json", 2, 20_000, SyncMode::Trunc);
    assert_sync("observer-diff.json", 4, 14_000, SyncMode::Diff);
}

#[test]
fn the_fault_scenarios_show_their_fault() {
    // A killed leader is replaced.
    let (_, s) = run("kill-leader.json");
    assert!(s.leaders.len() >= 2, "{:?}", s.leaders);
    let (_, s) = run("kill-leader-5-load.json");
    assert!(s.leaders.len() >= 3, "{:?}", s.leaders);
    // The isolated leader 2 is replaced by one of the majority side.
    let (_, s) = run("partition-minority-leader.json");
    assert_eq!(s.leaders[0].sid, 2);
    assert!(
        s.leaders.iter().any(|l| l.epoch >= 2 && l.sid != 2),
        "{:?}",
        s.leaders
    );
    // The minority side of 2 | 3 truncates what it could not commit.
    let (_, s) = run("partition-symmetric.json");
    assert!(
        s.syncs.iter().any(|y| y.mode == SyncMode::Trunc),
        "{:?}",
        s.syncs
    );
    // The leader stalled past syncLimit: a new epoch.
    let (_, s) = run("pause-leader-gc.json");
    assert!(s.leaders.len() >= 2, "{:?}", s.leaders);
    // The session times out on the leader.
    let (sim, _) = run("session-expiry.json");
    assert!(sim
        .log()
        .iter()
        .any(|l| l.text.starts_with("Expiring session 0x")
            && l.text.ends_with("timeout of 4000ms exceeded")));
    // The survivor of two crashes stops serving, then the quorum returns.
    let (_, s) = run("lose-quorum.json");
    assert_eq!(s.fourlw[0].output, "imok");
    assert!(s.fourlw[1].output.contains("not currently serving"));
    assert!(s.servers.iter().all(|v| v.serving));
    // Client errors are answered, not lost.
    let (_, s) = run("client-ops-close.json");
    for result in ["OK", "NodeExists", "NoNode"] {
        assert!(
            s.writes.iter().any(|w| w.result == result),
            "{result}: {:?}",
            s.writes
        );
    }
}

/// The README's command writes exactly the checked-in fixture (run on a
/// copy of the directory, so the test never rewrites the real one).
#[test]
fn the_fixture_command_writes_the_checked_in_fixture() {
    let copy = std::env::temp_dir().join(format!("zablab-reference-{}", std::process::id()));
    std::fs::create_dir_all(&copy).unwrap();
    for (name, text) in scenarios() {
        std::fs::write(copy.join(name), text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["fixture", copy.to_str().unwrap()])
        .output()
        .unwrap();
    let written = std::fs::read_to_string(copy.join(FIXTURE_FILE));
    std::fs::remove_dir_all(&copy).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checked_in = std::fs::read_to_string(dir().join(FIXTURE_FILE)).unwrap();
    assert_eq!(written.unwrap(), checked_in, "run `{REGENERATE}`");

    for args in [&["fixture"][..], &["fixture", "no/such/dir"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zablab"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}
