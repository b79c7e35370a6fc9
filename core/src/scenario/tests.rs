use super::*;

const MINIMAL: &str = r#"{ "zablab": 1, "seed": 7,
    "ensemble": { "participants": [1,2,3] },
    "actions": [ { "at_ms": 0, "do": "start", "servers": [1,2,3] } ] }"#;

fn error_of(text: &str) -> String {
    Scenario::from_json(text).unwrap_err().to_string()
}

#[test]
fn minimal_file_takes_zoo_sample_defaults() {
    let s = Scenario::from_json(MINIMAL).unwrap();
    assert_eq!(s.ensemble.tick_ms, 2000);
    assert_eq!(s.ensemble.init_limit, 10);
    assert_eq!(s.ensemble.sync_limit, 5);
    assert_eq!(s.until_ms, 60_000);
    assert_eq!(s.network.latency_ms, [1, 5]);
    assert_eq!(s.actions.len(), 1);
}

#[test]
fn the_design_example_parses_and_round_trips() {
    let text = include_str!("../../../static/scenarios/kill-the-leader.json");
    let s = Scenario::from_json(text).unwrap();
    assert_eq!(s.actions.len(), 11);
    assert_eq!(
        s.actions[4].kind,
        ActionKind::Restart {
            server: ServerRef::Sid(3)
        }
    );
    assert_eq!(
        s.actions[3].kind,
        ActionKind::Crash {
            server: ServerRef::Leader,
            power_loss: false,
        }
    );
    let again = Scenario::from_json(&s.to_json()).unwrap();
    assert_eq!(again, s);
}

#[test]
fn bad_inputs_name_the_problem() {
    assert!(error_of("{ not json").starts_with("not valid JSON"));
    assert!(error_of(&MINIMAL.replace("\"seed\"", "\"sead\"")).starts_with("sead: unknown field"));
    let unknown_action = error_of(&MINIMAL.replace("\"start\"", "\"explode\""));
    assert!(
        unknown_action.contains("actions[0].do: unknown action \"explode\""),
        "{unknown_action}"
    );
    let bad_sid = error_of(&MINIMAL.replace("[1,2,3] } ]", "[1,2,9] } ]"));
    assert!(
        bad_sid.contains("actions[0].servers[2]: server 9 is not in the ensemble"),
        "{bad_sid}"
    );
    let negative = error_of(&MINIMAL.replace("\"at_ms\": 0", "\"at_ms\": -5"));
    assert!(
        negative.contains("actions[0].at_ms: -5 is negative"),
        "{negative}"
    );
    let nested = error_of(&MINIMAL.replace("\"participants\"", "\"voters\""));
    assert!(
        nested.contains("ensemble: unknown field `voters`"),
        "{nested}"
    );
    let action_field = error_of(&MINIMAL.replace("\"servers\"", "\"server\""));
    assert!(
        action_field.contains("actions[0]: unknown field `server`"),
        "{action_field}"
    );
    let version = error_of(&MINIMAL.replace("\"zablab\": 1", "\"zablab\": 2"));
    assert!(version.contains("version 2 is not supported"), "{version}");
}

#[test]
fn ensemble_shape_is_checked() {
    let dup = error_of(&MINIMAL.replace("[1,2,3] }", "[1,2,2] }"));
    assert!(dup.contains("appears twice"), "{dup}");
    let zero = error_of(&MINIMAL.replace("[1,2,3] }", "[0,2,3] }"));
    assert!(zero.contains("outside 1..=255"), "{zero}");
    let late = error_of(&MINIMAL.replace("\"at_ms\": 0", "\"at_ms\": 70000"));
    assert!(late.contains("after until_ms 60000"), "{late}");
}

/// A three-server scenario with `actions` after a start at 0.
fn with_actions(actions: &str) -> String {
    format!(
        r#"{{ "zablab": 1, "ensemble": {{ "participants": [1,2,3] }},
            "actions": [ {{ "at_ms": 0, "do": "start", "servers": [1,2,3] }}, {actions} ] }}"#
    )
}

#[test]
fn a_client_no_earlier_action_connects_is_bad_input() {
    let never = error_of(&with_actions(
        r#"{ "at_ms": 1000, "do": "write", "client": "c9", "count": 1 }"#,
    ));
    assert_eq!(
        never,
        "actions[1].client: client \"c9\" is never connected: add a \"connect\" action for it before this one"
    );
    let later = error_of(&with_actions(
        r#"{ "at_ms": 1000, "do": "read", "client": "a", "path": "/" },
           { "at_ms": 4000, "do": "connect", "client": "a", "server": 1 }"#,
    ));
    assert_eq!(
        later,
        "actions[1].client: client \"a\" is not connected yet: actions[2] connects it at 4000 ms, after this action (at 1000 ms)"
    );
    let same_ms = error_of(&with_actions(
        r#"{ "at_ms": 1000, "do": "close", "client": "a" },
           { "at_ms": 1000, "do": "connect", "client": "a", "server": 1 }"#,
    ));
    assert!(
        same_ms.starts_with(
            "actions[1].client: client \"a\" is not connected yet: actions[2] connects it at 1000 ms too, but later in the file"
        ),
        "{same_ms}"
    );
}

#[test]
fn every_action_that_names_a_client_is_checked() {
    for action in [
        r#"{ "at_ms": 5, "do": "write", "client": "x" }"#,
        r#"{ "at_ms": 5, "do": "read", "client": "x", "path": "/" }"#,
        r#"{ "at_ms": 5, "do": "sync", "client": "x", "path": "/" }"#,
        r#"{ "at_ms": 5, "do": "multi", "client": "x", "ops": [{ "op": "create", "path": "/a" }] }"#,
        r#"{ "at_ms": 5, "do": "recipe", "client": "x", "recipe": "group", "path": "/g" }"#,
        r#"{ "at_ms": 5, "do": "close", "client": "x" }"#,
        r#"{ "at_ms": 5, "do": "load", "client": "x", "rate_per_s": 10, "for_ms": 100 }"#,
        r#"{ "at_ms": 5, "do": "expect", "what": "writes_commit", "within_ms": 100, "client": "x" }"#,
    ] {
        let err = error_of(&with_actions(action));
        assert!(
            err.starts_with("actions[1].client: client \"x\" is never connected"),
            "{action}: {err}"
        );
        // Connected first, the same action is fine.
        let ok = with_actions(&format!(
            r#"{{ "at_ms": 1, "do": "connect", "client": "x", "server": 1 }}, {action}"#
        ));
        Scenario::from_json(&ok).unwrap_or_else(|e| panic!("{action}: {e}"));
    }
    let side = error_of(&with_actions(
        r#"{ "at_ms": 1, "do": "connect", "client": "a", "server": 1 },
           { "at_ms": 5, "do": "partition", "groups": [[1], [2, 3]], "clients": [["a"], ["b"]] }"#,
    ));
    assert!(
        side.starts_with("actions[2].clients[1][0]: client \"b\" is never connected"),
        "{side}"
    );
}

#[test]
fn actions_run_in_time_order_and_the_builtin_client_counts() {
    // The connect comes later in the file but earlier in time.
    Scenario::from_json(&with_actions(
        r#"{ "at_ms": 2000, "do": "write", "client": "a" },
           { "at_ms": 1000, "do": "connect", "client": "a", "server": 1 }"#,
    ))
    .unwrap();
    // A write with no client connects the built-in client "zablab".
    Scenario::from_json(&with_actions(
        r#"{ "at_ms": 1000, "do": "write" },
           { "at_ms": 2000, "do": "read", "client": "zablab", "path": "/" }"#,
    ))
    .unwrap();
    let early = error_of(&with_actions(
        r#"{ "at_ms": 500, "do": "read", "client": "zablab", "path": "/" }"#,
    ));
    assert!(
        early.starts_with(
            "actions[1].client: client \"zablab\" is never connected (it is the built-in client"
        ),
        "{early}"
    );
}

#[test]
fn references_within_one_action_are_checked() {
    let twice = error_of(&with_actions(
        r#"{ "at_ms": 1000, "do": "start", "servers": [1, 1] }"#,
    ));
    assert_eq!(twice, "actions[1].servers[1]: server 1 is listed twice");
    let two_sides = error_of(&with_actions(
        r#"{ "at_ms": 1, "do": "connect", "client": "a", "server": 1 },
           { "at_ms": 5, "do": "partition", "groups": [[1], [2, 3]], "clients": [["a"], ["a"]] }"#,
    ));
    assert_eq!(
        two_sides,
        "actions[2].clients[1][0]: client \"a\" is on two sides"
    );
    let word = error_of(&with_actions(
        r#"{ "at_ms": 5, "do": "4lw", "server": 1, "cmd": "stta" }"#,
    ));
    assert!(
        word.starts_with(
            "actions[1].cmd: \"stta\" is not a four-letter word ZooKeeper knows (known: conf, cons,"
        ),
        "{word}"
    );
    // ZooKeeper reads the first four bytes: `srvr\n` and `stmk` with its
    // mask are words it knows.
    for cmd in [
        "srvr\\n",
        "stmk\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0001\\u0032",
    ] {
        let text = with_actions(&format!(
            r#"{{ "at_ms": 5, "do": "4lw", "server": 1, "cmd": "{cmd}" }}"#
        ));
        Scenario::from_json(&text).unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }
}

#[test]
fn an_older_error_is_reported_before_a_reference() {
    // The unknown server (an error since v1) is reported, not the client.
    let err = error_of(&with_actions(
        r#"{ "at_ms": 5, "do": "write", "client": "x" },
           { "at_ms": 6, "do": "crash", "server": 9 }"#,
    ));
    assert!(
        err.starts_with("actions[2].server: server 9 is not in the ensemble"),
        "{err}"
    );
}

#[test]
fn the_builtin_client_is_the_one_the_simulator_connects() {
    assert_eq!(BUILTIN_CLIENT, crate::sim::BUILTIN_CLIENT);
}

/// `Ensemble::new` is what a file naming only the servers reads as.
#[test]
fn ensemble_new_is_the_files_defaults() {
    let e: Ensemble =
        serde_json::from_str(r#"{"participants": [1, 2, 3], "observers": [4]}"#).unwrap();
    assert_eq!(e, Ensemble::new(vec![1, 2, 3], vec![4]));
}
