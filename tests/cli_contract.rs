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

#[test]
fn help_states_the_commands_the_scenario_contract_and_the_exit_codes() {
    let help = zablab(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    for needle in [
        "zablab run FILE.json [--json] [--log] [--diagnose]",
        "zablab fuzz --seeds N [--from S] [--variant FLAG] [--recipes] [--out DIR] [--jobs J] [--shrink K]",
        "zablab fixture DIR",
        "zablab bench [--quick] [--memory [--hours N] [--bare] [--purge-interval H] [--snap-retain-count N]]",
        "docs/SCENARIO.md",
        "Exit codes: 0 no property violated, 1 a property violated, 2 bad input",
        "`fuzz: N seeds, V violations, L liveness failures, R seeds/s`",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
    for same in [&["-h"][..], &["help"][..]] {
        let out = zablab(same);
        assert_eq!(out.status.code(), Some(0), "{same:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), text, "{same:?}");
    }
    let version = zablab(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("zablab {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn each_command_has_a_help_with_its_flags_output_and_exit_codes() {
    for (command, needles) in [
        (
            "run",
            &[
                "<FILE.json>",
                "--json",
                "--log",
                "--diagnose",
                "action_errors",
            ][..],
        ),
        (
            "fuzz",
            &[
                "--seeds <N>",
                "--from <S>",
                "--variant <FLAG>",
                "--recipes",
                "--out <DIR>",
                "--jobs <J>",
                "--shrink <K>",
                "[default: 100]",
                "[default: target/fuzz]",
                "coverage: name: value",
            ][..],
        ),
        ("fixture", &["<DIR>", "hashes.json"][..]),
        (
            "bench",
            &[
                "--quick",
                "--memory",
                "--hours <N>",
                "--bare",
                "--purge-interval <H>",
                "--snap-retain-count <N>",
                "bare_peak_rss_mb",
                "sim_1h_trace",
                "seek_by_age_max_events",
                "name: value unit",
            ][..],
        ),
    ] {
        for args in [vec![command, "--help"], vec!["help", command]] {
            let out = zablab(&args);
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains(&format!("Usage: zablab {command}")),
                "{args:?}: {text}"
            );
            assert!(text.contains("Exit codes: 0"), "{args:?}: {text}");
            for needle in needles {
                assert!(text.contains(needle), "{args:?}: {needle}:\n{text}");
            }
        }
    }
}

#[test]
fn usage_errors_exit_2_with_one_line_naming_the_problem() {
    for (args, expected) in [
        (&[][..], "zablab: no command given; try `zablab --help`"),
        (&["frobnicate"][..], "'frobnicate'"),
        (&["run"][..], "<FILE.json>"),
        (&["run", "a.json", "b.json"][..], "'b.json'"),
        (&["run", "--jsn", "a.json"][..], "'--json'"),
        (&["fuzz", "--seeds"][..], "--seeds"),
        (&["fuzz", "--seeds", "many"][..], "needs a whole number"),
        (&["fuzz", "--seeds", "0"][..], "must be at least 1"),
        (&["fuzz", "--jobs", "-3"][..], "'-3'"),
        (
            &["fuzz", "--variant", "bug_nope"][..],
            "not a bug-museum flag this build knows (known: bug_zk1154",
        ),
        (&["fixture"][..], "<DIR>"),
        (&["fixture", "a", "b"][..], "'b'"),
        (&["bench", "--slow"][..], "'--slow'"),
        (&["help", "nope"][..], "'nope'"),
    ] {
        let out = zablab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("zablab: "), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {expected}: {err}");
        assert!(err.trim_end().ends_with("--help`"), "{args:?}: {err}");
    }
}

#[test]
fn fixture_on_a_missing_directory_exits_2() {
    let out = zablab(&["fixture", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("zablab: cannot read directory `no/such/dir`:"),
        "{}",
        stderr(&out)
    );
}
