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
            server: ServerRef::Leader
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
