//! Every scenario file in the repository loads under the checks of
//! `Scenario::from_json`, the references checked before running included:
//! the presets, museum and findings (`static/scenarios/`), the benchmark
//! scenarios, the reference fixture (`tests/reference/`) and each lesson's
//! scenario (`static/lessons/`). A check that refused one of them would
//! break a file people already have.

use std::path::{Path, PathBuf};

use zablab_core::lesson::Lesson;
use zablab_core::Scenario;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_scenario_file_loads() {
    let mut files = Vec::new();
    json_files(&root().join("static/scenarios"), &mut files);
    json_files(&root().join("tests/reference"), &mut files);
    files.sort();
    let mut loaded = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "index.json" || name == "hashes.json" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        loaded += 1;
    }
    assert!(loaded >= 60, "only {loaded} scenario files found");
}

#[test]
fn every_lesson_scenario_and_try_it_action_loads() {
    let mut files = Vec::new();
    json_files(&root().join("static/lessons"), &mut files);
    let mut lessons = 0;
    for path in &files {
        if path.file_name().is_some_and(|n| n == "index.json") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let lesson = Lesson::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        lesson
            .base_scenario()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        lessons += 1;
    }
    assert!(lessons >= 10, "only {lessons} lessons found");
}

/// What the app records (`Simulation::act`, then export) loads: `act`
/// refuses a client that does not exist, so every recorded action comes
/// after its client's connect.
#[test]
fn a_session_recorded_with_act_loads() {
    use zablab_core::scenario::{ActionKind, RecipeKind, ServerRef};
    use zablab_core::Simulation;
    let text = r#"{ "zablab": 1, "seed": 3, "ensemble": { "participants": [1,2,3] },
        "until_ms": 4000, "actions": [ { "at_ms": 0, "do": "start", "servers": [1,2,3] } ] }"#;
    let mut sim = Simulation::new(Scenario::from_json(text).unwrap()).unwrap();
    sim.run_to_end();
    let write = |client: Option<&str>| ActionKind::Write {
        client: client.map(str::to_string),
        count: 2,
        op: None,
        path: None,
        data: None,
        version: None,
    };
    // Refused, so never recorded: a client nobody connected.
    assert!(sim.act(write(Some("ghost"))).is_err());
    for kind in [
        ActionKind::Connect {
            client: "a".into(),
            server: ServerRef::Sid(1),
            session_timeout_ms: None,
        },
        write(Some("a")),
        write(None),
        ActionKind::Read {
            client: "zablab".into(),
            path: "/".into(),
            op: None,
            count: 1,
            watch: false,
        },
        ActionKind::Recipe {
            client: "a".into(),
            recipe: RecipeKind::Group,
            path: "/g".into(),
            hold_ms: None,
            size: None,
            repeat: false,
        },
        ActionKind::Partition {
            groups: vec![vec![1], vec![2, 3]],
            clients: vec![vec!["a".into()], vec!["zablab".into()]],
        },
        ActionKind::Close { client: "a".into() },
    ] {
        sim.act(kind.clone())
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
    let exported = sim.scenario().to_json();
    Scenario::from_json(&exported).unwrap_or_else(|e| panic!("{e}\n{exported}"));
}
