//! The `zablab` command line's contract beyond `tests/cli.rs`: each
//! command's help states its inputs, outputs and exit codes; usage errors
//! exit 2 with one line on stderr; a scenario whose actions refer to what
//! cannot exist is bad input (exit 2), not an action error of the run.

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

/// Writes `text` to a fresh file and runs `zablab run` on it.
fn run_text(name: &str, text: &str) -> Output {
    let dir = std::env::temp_dir().join(format!("zablab-contract-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, text).unwrap();
    let out = zablab(&["run", file.to_str().unwrap(), "--json"]);
    std::fs::remove_dir_all(&dir).ok();
    out
}

#[test]
fn a_client_no_earlier_action_connects_exits_2_naming_the_action() {
    let out = run_text(
        "unconnected",
        r#"{ "zablab": 1, "ensemble": { "participants": [1,2,3] },
            "actions": [ { "at_ms": 0, "do": "start", "servers": [1,2,3] },
                         { "at_ms": 1000, "do": "write", "client": "c9", "count": 2 } ] }"#,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(": actions[1].client: client \"c9\" is never connected"),
        "{err}"
    );
}

#[test]
fn an_unknown_four_letter_word_exits_2() {
    let out = run_text(
        "word",
        r#"{ "zablab": 1, "ensemble": { "participants": [1] },
            "actions": [ { "at_ms": 0, "do": "start", "servers": [1] },
                         { "at_ms": 9000, "do": "4lw", "server": 1, "cmd": "sttt" } ] }"#,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("actions[1].cmd: \"sttt\" is not a four-letter word"),
        "{}",
        stderr(&out)
    );
}
