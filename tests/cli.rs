//! The `zablab` command line: exit codes and messages a person reads.

use std::process::{Command, Output};

fn zablab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the zablab binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_names_the_commands() {
    let out = zablab(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("zablab run FILE.json [--json]"), "{text}");
    assert!(text.contains("[--diagnose]"), "{text}");
}

#[test]
fn run_on_a_missing_file_exits_2_with_one_line() {
    let out = zablab(&["run", "no/such/scenario.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("zablab: cannot read scenario `no/such/scenario.json`:"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["run"][..],
        &["run", "a.json", "--yaml"][..],
    ] {
        let out = zablab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn run_json_prints_the_summary_and_is_deterministic() {
    let once = zablab(&["run", "static/scenarios/three-servers.json", "--json"]);
    assert_eq!(once.status.code(), Some(0), "{}", stderr(&once));
    let summary: serde_json::Value = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(summary["end_ms"], 20000);
    assert_eq!(summary["servers"].as_array().unwrap().len(), 3);
    assert!(summary["trace_hash"].as_str().unwrap().starts_with("0x"));
    let twice = zablab(&["run", "static/scenarios/three-servers.json", "--json"]);
    assert_eq!(once.stdout, twice.stdout);
}

#[test]
fn run_diagnose_prints_the_findings_and_json_carries_them() {
    let out = zablab(&["run", "static/scenarios/kill-the-leader.json", "--diagnose"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let tail = &text[text.find("diagnosis at 60000 ms:\n").expect(&text)..];
    assert!(
        tail.contains("    └ [INFO] leader_change (ensemble, 9000..")
            && tail.contains("Leader 3 (epoch 1) was lost at 9000 ms: it was killed."),
        "{tail}"
    );
    assert!(
        tail.contains("    setting: syncLimit = 5 ticks (10000 ms)"),
        "{tail}"
    );
    let json = zablab(&["run", "static/scenarios/kill-the-leader.json", "--json"]);
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // The leader's loss is a consequence of its crash, folded under it.
    let findings = summary["diagnosis"]["findings"].as_array().unwrap();
    let crash = findings
        .iter()
        .find(|f| f["id"] == "server_down" && f["servers"] == serde_json::json!([3]))
        .expect("the crash's card");
    assert!(crash["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "leader_change"
            && f["servers"] == serde_json::json!([3, 2])
            && f["cause"] == crash["key"]));
    assert_eq!(summary["diagnosis"]["at_ms"], 60000);
}

/// The five malformed files of the ZAB core issue: each exits 2 with one
/// line naming the problem, never a panic.
#[test]
fn malformed_scenarios_exit_2_naming_the_problem() {
    let dir = std::env::temp_dir().join(format!("zablab-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let head = r#""zablab": 1, "name": "bad", "seed": 1, "ensemble": { "participants": [1,2,3] }"#;
    let cases = [
        ("bad-json", format!("{{ {head}, \"actions\": [ "), "not valid JSON"),
        (
            "unknown-field",
            format!("{{ {head}, \"actions\": [], \"speed\": 3 }}"),
            "speed: unknown field; expected one of zablab",
        ),
        (
            "unknown-action",
            format!("{{ {head}, \"actions\": [ {{ \"at_ms\": 0, \"do\": \"explode\" }} ] }}"),
            "actions[0].do: unknown action \"explode\"",
        ),
        (
            "unknown-server",
            format!("{{ {head}, \"actions\": [ {{ \"at_ms\": 0, \"do\": \"crash\", \"server\": 7 }} ] }}"),
            "actions[0].server: server 7 is not in the ensemble",
        ),
        (
            "negative-time",
            format!("{{ {head}, \"actions\": [ {{ \"at_ms\": -5, \"do\": \"heal\" }} ] }}"),
            "actions[0].at_ms: -5 is negative",
        ),
    ];
    for (name, text, expected) in cases {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, text).unwrap();
        let out = zablab(&["run", file.to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        let err = stderr(&out);
        assert!(err.contains(expected), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_malformed_scenario_exits_2_naming_the_problem() {
    let dir = std::env::temp_dir().join(format!("zablab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(
        &file,
        r#"{ "zablab": 1, "ensemble": { "participants": [1,2,3] },
            "actions": [ { "at_ms": 0, "do": "start", "servers": [1,2,4] } ] }"#,
    )
    .unwrap();
    let out = zablab(&["run", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("actions[0].servers[2]: server 4 is not in the ensemble"),
        "{err}"
    );
}
