//! `docs/SCENARIO.md` documents every part of scenario v1 the parser knows.
//! The lists come from the code, not from a copy: the top-level fields and
//! the action kinds are the parser's own (`TOP_FIELDS`, `ACTION_KINDS`, the
//! table it dispatches on), the fields of `ensemble`, `network`, `museum`,
//! each action and each `multi` op are what the parser lists when it meets
//! an unknown field there, and the `--json` summary fields are those of a
//! real run. Every JSON example of the page must parse.

use std::path::PathBuf;

use zablab_core::scenario::{Scenario, ACTION_KINDS, TOP_FIELDS};
use zablab_core::Simulation;

fn doc() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/SCENARIO.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text under `heading` (a whole line, e.g. "## `ensemble`") up to the
/// next heading of the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let start = doc
        .lines()
        .position(|l| l == heading)
        .unwrap_or_else(|| panic!("docs/SCENARIO.md has no heading {heading:?}"));
    let lines: Vec<&str> = doc.lines().collect();
    let end = lines[start + 1..]
        .iter()
        .position(|l| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            hashes > 0 && hashes <= level && l.chars().nth(hashes) == Some(' ')
        })
        .map_or(lines.len(), |i| start + 1 + i);
    let from = doc.find(lines[start]).unwrap();
    let to = if end == lines.len() {
        doc.len()
    } else {
        doc.find(&format!("\n{}\n", lines[end]))
            .unwrap_or(doc.len())
    };
    &doc[from..to]
}

/// The fields the parser knows at a place, as it lists them when it meets
/// the unknown field `zz_unknown` there (`text` holds it).
fn known_fields(text: &str) -> Vec<String> {
    let err = match Scenario::from_json(text) {
        Ok(_) => panic!("{text}: an unknown field was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("unknown field `zz_unknown`"), "{text}: {err}");
    let Some((_, expected)) = err.split_once("expected") else {
        return Vec::new(); // "there are no fields"
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// A scenario around one action, with a start and a connect of `c1`.
fn around(action: &str) -> String {
    format!(
        r#"{{ "zablab": 1, "ensemble": {{ "participants": [1, 2, 3] }}, "until_ms": 3600000,
            "actions": [ {{ "at_ms": 0, "do": "start", "servers": [1, 2, 3] }},
                         {{ "at_ms": 0, "do": "connect", "client": "c1", "server": 1 }},
                         {action} ] }}"#
    )
}

fn json_blocks(text: &str) -> Vec<&str> {
    text.split("```json\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default())
        .collect()
}

fn assert_rows(doc: &str, heading: &str, fields: &[String]) {
    let s = section(doc, heading);
    for f in fields {
        assert!(
            s.contains(&format!("| `{f}` |")),
            "docs/SCENARIO.md, {heading}: no row for `{f}`"
        );
    }
}

#[test]
fn every_top_level_ensemble_network_and_museum_field_has_its_row() {
    let doc = doc();
    let top: Vec<String> = TOP_FIELDS.iter().map(|f| f.to_string()).collect();
    assert_rows(&doc, "## Top level", &top);
    let ensemble =
        known_fields(r#"{ "zablab": 1, "ensemble": { "participants": [1], "zz_unknown": 1 } }"#);
    assert!(ensemble.len() >= 10, "{ensemble:?}");
    assert_rows(&doc, "## `ensemble`", &ensemble);
    let network = known_fields(
        r#"{ "zablab": 1, "ensemble": { "participants": [1] }, "network": { "zz_unknown": 1 } }"#,
    );
    assert_eq!(network, ["latency_ms", "fsync_ms"]);
    assert_rows(&doc, "## `network`", &network);
    let museum = known_fields(
        r#"{ "zablab": 1, "ensemble": { "participants": [1] }, "museum": { "zz_unknown": 1 } }"#,
    );
    assert_rows(&doc, "## `museum`", &museum);
    let conform = known_fields(
        r#"{ "zablab": 1, "ensemble": { "participants": [1] }, "conform": { "zz_unknown": 1 } }"#,
    );
    assert_eq!(conform, ["either"]);
    assert_rows(&doc, "## `conform`", &conform);
    let either = known_fields(
        r#"{ "zablab": 1, "ensemble": { "participants": [1] }, "conform": { "either": [{ "zz_unknown": 1 }] } }"#,
    );
    assert_eq!(either, ["fact", "of", "why"]);
    assert_rows(&doc, "## `conform`", &either);
    for example in json_blocks(section(&doc, "## `conform`")) {
        let whole = format!(
            r#"{{ "zablab": 1, "ensemble": {{ "participants": [1] }}, {} }}"#,
            example
                .trim()
                .trim_start_matches('{')
                .trim_end()
                .trim_end_matches('}')
        );
        Scenario::from_json(&whole)
            .unwrap_or_else(|e| panic!("docs/SCENARIO.md `conform` example: {e}"));
    }
}

#[test]
fn every_action_kind_has_its_section_example_and_fields() {
    let doc = doc();
    let actions = section(&doc, "## Actions");
    for kind in ACTION_KINDS {
        let s = section(actions, &format!("#### `{kind}`"));
        let examples = json_blocks(s);
        assert!(
            examples
                .iter()
                .any(|e| e.contains(&format!("\"do\": \"{kind}\""))),
            "docs/SCENARIO.md, `{kind}`: no JSON example"
        );
        let fields = known_fields(&around(&format!(
            r#"{{ "at_ms": 5, "do": "{kind}", "zz_unknown": 1 }}"#
        )));
        for f in &fields {
            assert!(
                s.contains(&format!("`{f}`")),
                "docs/SCENARIO.md, `{kind}`: field `{f}` is not described"
            );
        }
    }
    let op_fields = known_fields(&around(
        r#"{ "at_ms": 5, "do": "multi", "client": "c1", "ops": [{ "op": "create", "path": "/a", "zz_unknown": 1 }] }"#,
    ));
    let multi = section(actions, "#### `multi`");
    for f in &op_fields {
        assert!(multi.contains(&format!("`{f}`")), "multi op field `{f}`");
    }
}

#[test]
fn every_json_example_parses() {
    let doc = doc();
    let whole = json_blocks(section(&doc, "## A whole file"));
    assert_eq!(whole.len(), 1);
    Scenario::from_json(whole[0]).unwrap_or_else(|e| panic!("the whole-file example: {e}"));
    let examples = json_blocks(section(&doc, "## Actions"));
    assert!(examples.len() >= ACTION_KINDS.len(), "{}", examples.len());
    for example in examples {
        Scenario::from_json(&around(example))
            .unwrap_or_else(|e| panic!("docs/SCENARIO.md example {example}: {e}"));
    }
}

#[test]
fn every_field_of_the_json_summary_has_its_row() {
    // A run with recipes, hazards and watches, so that every field shows.
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static/scenarios/lock-fencing-hazard.json");
    let text = std::fs::read_to_string(path).unwrap();
    let mut sim = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
    sim.run_to_end();
    let summary = serde_json::to_value(sim.summary()).unwrap();
    let mut fields: Vec<String> = summary.as_object().unwrap().keys().cloned().collect();
    fields.push("diagnosis".to_string()); // `zablab run --json` adds it
    for f in ["hazards", "recipes", "watches"] {
        assert!(fields.iter().any(|x| x == f), "the run shows no {f}");
    }
    let doc = doc();
    assert_rows(&doc, "## `zablab run --json`", &fields);
    assert!(section(&doc, "## Exit codes").contains("| 2 |"));
}
