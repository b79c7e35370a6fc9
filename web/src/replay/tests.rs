//! The user's edits on the core's replay of a real failover
//! (`tests/real-zk/runs/kill-leader-after-writes`): unedited it is the
//! core's scenario; an inference switched off drops exactly its actions;
//! a moved one moves all its actions; a setting changes the ensemble.

use super::*;
use zablab_core::import::{import, InputFile};

fn plan() -> Plan {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/real-zk/runs/kill-leader-after-writes"
    );
    let mut files: Vec<InputFile> = (1..=3)
        .map(|s| InputFile {
            name: "zookeeper.log".into(),
            bytes: std::fs::read(format!("{dir}/s{s}/zookeeper.log")).unwrap(),
        })
        .collect();
    files.push(InputFile {
        name: "zoo.cfg".into(),
        bytes: std::fs::read(format!("{dir}/s1/zoo.cfg")).unwrap(),
    });
    Plan::of(&import(&files))
}

/// The first inference of `kind` that put actions in the scenario.
fn acting(p: &Plan, kind: &str) -> usize {
    p.inferences()
        .iter()
        .position(|i| i.kind == kind && !i.actions.is_empty())
        .unwrap_or_else(|| panic!("no {kind} in {:#?}", p.inferences()))
}

#[test]
fn unedited_the_plan_is_the_cores_scenario() {
    let p = plan();
    let s = p.scenario().unwrap();
    assert_eq!(s.actions, p.replay.scenario.actions);
    assert_eq!(
        (
            s.ensemble.tick_ms,
            s.ensemble.init_limit,
            s.ensemble.sync_limit
        ),
        (2000, 10, 5)
    );
}

#[test]
fn an_inference_switched_off_drops_its_actions_and_a_moved_one_moves_them() {
    let mut p = plan();
    let crash = acting(&p, "crash");
    let n = p.replay.scenario.actions.len();
    let mine = p.inferences()[crash].actions.len();
    p.toggle(crash);
    assert_eq!(p.scenario().unwrap().actions.len(), n - mine);
    p.toggle(crash);
    let at = p.at(crash).unwrap();
    p.move_to(crash, at + 1500);
    assert_eq!(p.at(crash), Some(at + 1500));
    let s = p.scenario().unwrap();
    let crashes: Vec<u64> = s
        .actions
        .iter()
        .filter(|a| a.kind.name() == "crash")
        .map(|a| a.at_ms)
        .collect();
    assert_eq!(crashes, [at + 1500]);
    assert!(
        s.actions.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
        "in time order"
    );
}

#[test]
fn a_setting_changed_is_the_replays() {
    let mut p = plan();
    p.set(Knob::SyncLimit, 2);
    p.set(Knob::TickMs, 0);
    let s = p.scenario().unwrap();
    assert_eq!(
        (s.ensemble.sync_limit, s.ensemble.tick_ms),
        (2, 1),
        "a tick is at least 1 ms"
    );
}
