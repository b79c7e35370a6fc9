//! The replay plan on plans written by hand (the inferences themselves are
//! the core's `import::episodes`, tested there): the scenario it builds,
//! an inference switched off or moved, a setting changed, the comparison.

use super::*;
use zablab_core::ActionKind;

fn plan() -> Plan {
    Plan {
        participants: vec![1, 2, 3],
        observers: Vec::new(),
        tick_ms: 2000,
        init_limit: 10,
        sync_limit: 5,
        settings_from: "zoo.cfg".into(),
        inferences: vec![
            Inference {
                act: Act::Start(1),
                at: 0,
                on: true,
                cites: vec![0],
            },
            Inference {
                act: Act::Start(2),
                at: 1000,
                on: true,
                cites: vec![5],
            },
            Inference {
                act: Act::Start(3),
                at: 3000,
                on: true,
                cites: vec![9],
            },
            Inference {
                act: Act::Crash {
                    sid: 2,
                    until: Some(12_000),
                },
                at: 8000,
                on: true,
                cites: vec![40, 41],
            },
            Inference {
                act: Act::Pause {
                    sid: 3,
                    until: None,
                },
                at: 13_000,
                on: true,
                cites: vec![50],
            },
        ],
        span_ms: 14_000,
    }
}

fn kinds(s: &Scenario) -> Vec<(u64, &'static str)> {
    s.actions.iter().map(|a| (a.at_ms, a.kind.name())).collect()
}

#[test]
fn the_plan_becomes_a_scenario_the_parser_accepts() {
    let s = plan().scenario("replay").unwrap();
    assert_eq!(s.ensemble.tick_ms, 2000);
    assert_eq!((s.ensemble.init_limit, s.ensemble.sync_limit), (10, 5));
    assert_eq!(
        kinds(&s),
        [
            (0, "start"),
            (1000, "start"),
            (3000, "start"),
            (8000, "crash"),
            (12_000, "restart"),
            (13_000, "pause")
        ]
    );
    // A pause to the end of the logs lasts until then.
    let pause = s.actions.iter().find(|a| a.kind.name() == "pause").unwrap();
    assert!(
        matches!(pause.kind, ActionKind::Pause { for_ms: 1000, .. }),
        "{:?}",
        pause.kind
    );
    assert_eq!(s.until_ms, 14_000 + AFTER_MS);
}

#[test]
fn an_inference_switched_off_or_moved_and_a_setting_changed_are_replayed_so() {
    let mut p = plan();
    p.inferences[3].on = false;
    p.inferences[4].at = 9000;
    p.set(Knob::SyncLimit, 2);
    p.set(Knob::TickMs, 0);
    let s = p.scenario("replay").unwrap();
    assert_eq!(
        kinds(&s),
        [
            (0, "start"),
            (1000, "start"),
            (3000, "start"),
            (9000, "pause")
        ]
    );
    assert_eq!(
        (s.ensemble.sync_limit, s.ensemble.tick_ms),
        (2, 1),
        "a tick is at least 1 ms"
    );
}

#[test]
fn the_comparison_marks_what_differs() {
    let real_l = [(2, 1), (3, 2)];
    let sim_l = [(2, 1), (1, 2)];
    let real_s = [(1, "DIFF".to_string()), (3, "SNAP".to_string())];
    let sim_s = [(1, "DIFF".to_string())];
    let rows = compare((&real_l, &real_s), (&sim_l, &sim_s));
    let differs: Vec<bool> = rows.iter().map(Row::differs).collect();
    assert_eq!(differs, [false, true, false, true]);
    assert_eq!(rows[3].replay, None);
    assert!(rows[0].leader && !rows[2].leader);
}
