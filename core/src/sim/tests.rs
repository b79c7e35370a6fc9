//! Tests of the drive loop in `sim.rs`: elections and crashes, determinism,
//! checkpoints, live actions, refused actions, pauses, and the incremental
//! checks against a shadow checker that sees every server.

use super::*;
use crate::scenario::{ActionKind, Expectation, ServerRef};

fn three_servers(seed: u64) -> Simulation {
    let text = include_str!("../../../static/scenarios/three-servers.json")
        .replace("\"seed\": 1", &format!("\"seed\": {seed}"));
    Simulation::new(Scenario::from_json(&text).unwrap()).unwrap()
}

#[test]
fn an_ensemble_elects_and_a_crash_is_noticed() {
    let mut sim = three_servers(1);
    assert!(sim.servers().iter().all(|s| s.state == "DOWN"));
    sim.run_until(5000);
    assert!(sim.established_leader().is_some());
    let serving = sim.servers().iter().filter(|s| s.serving).count();
    assert_eq!(serving, 3);
    sim.run_until(9000);
    assert_eq!(sim.server(3).unwrap().state, "DOWN", "crashed at 8000");
    sim.run_to_end();
    assert_eq!(
        sim.server(3).unwrap().state,
        "FOLLOWING",
        "restarted at 14000"
    );
    assert_eq!(sim.now_ms(), 20_000);
    assert!(sim.action_errors().is_empty());
    assert!(sim.violations().is_empty());
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let run = |seed| {
        let mut sim = three_servers(seed);
        sim.run_to_end();
        (sim.events(), sim.trace_hash())
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1).1, run(2).1);
}

/// The checker sees only the server an event changed; a shadow checker
/// that sees every server after every event must agree, violation for
/// violation, on fuzz seeds with and without bug-museum flags.
#[test]
fn incremental_checks_report_what_checking_everything_reports() {
    let mut fired = 0;
    for (k, variant) in [
        None,
        Some("bug_zk1154_diff_without_trunc"),
        Some("bug_zk4394_flush_all_at_newleader"),
        Some("bug_zk1291_late_leader_accepted_epoch"),
        Some("bug_zk4646_ack_before_fsync"),
    ]
    .iter()
    .enumerate()
    {
        let variants: Vec<String> = variant.iter().map(|v| v.to_string()).collect();
        for seed in 1..=40 {
            let scenario = crate::fuzz::generate(seed + 1000 * k as u64, &variants);
            let mut sim = Simulation::new(scenario).unwrap();
            sim.shadow = Some(Box::default());
            sim.run_to_end();
            fired += sim.violations().len();
        }
    }
    assert!(
        fired > 0,
        "some seeds must break a property for this to mean anything"
    );
}

#[test]
fn a_clone_is_a_checkpoint() {
    let mut sim = three_servers(3);
    sim.run_until(5000);
    let mut copy = sim.clone();
    sim.run_to_end();
    copy.run_to_end();
    assert_eq!(sim.trace_hash(), copy.trace_hash());
    assert_eq!(sim.summary(), copy.summary());
}

#[test]
fn live_actions_replay_to_the_same_trace() {
    let mut live = three_servers(4);
    live.run_until(3000);
    live.act(ActionKind::Crash {
        server: ServerRef::Leader,
        power_loss: false,
    })
    .unwrap();
    live.step();
    live.act(ActionKind::Pause {
        server: ServerRef::Sid(2),
        for_ms: 1500,
    })
    .unwrap();
    live.run_until(12_000);
    live.act(ActionKind::Partition {
        groups: vec![vec![1], vec![2, 3]],
        clients: Vec::new(),
    })
    .unwrap();
    live.run_until(13_000);
    live.act(ActionKind::Heal).unwrap();
    live.run_to_end();

    let mut replay = Simulation::new(live.scenario().clone()).unwrap();
    replay.run_until(live.now_ms());
    assert_eq!(replay.events(), live.events());
    assert_eq!(replay.trace_hash(), live.trace_hash());
    assert_eq!(replay.servers(), live.servers());
}

#[test]
fn impossible_actions_are_refused_without_changing_anything() {
    let mut sim = three_servers(5);
    sim.run_until(100);
    let before = (sim.scenario().actions.len(), sim.trace_hash());
    assert_eq!(
        sim.act(ActionKind::Restart {
            server: ServerRef::Sid(1)
        }),
        Err(ActionError::AlreadyUp(1))
    );
    assert_eq!(
        sim.act(ActionKind::Crash {
            server: ServerRef::Sid(9),
            power_loss: false,
        }),
        Err(ActionError::UnknownServer(9))
    );
    assert_eq!(
        sim.act(ActionKind::Crash {
            server: ServerRef::Leader,
            power_loss: false,
        }),
        Err(ActionError::NoLeader(100))
    );
    assert_eq!(
        sim.act(ActionKind::Close {
            client: "nobody".into()
        }),
        Err(ActionError::UnknownClient("nobody".into()))
    );
    // What a file's static checks refuse, `act` refuses too, so a recorded
    // session always exports to a file that loads.
    assert_eq!(
        sim.act(ActionKind::Expect {
            what: Expectation::WritesCommit,
            within_ms: 1000,
            client: Some("nobody".into()),
        }),
        Err(ActionError::UnknownClient("nobody".into()))
    );
    assert_eq!(
        sim.act(ActionKind::FourLetterWord {
            server: ServerRef::Sid(1),
            cmd: "stst".into(),
        }),
        Err(ActionError::UnknownWord("stst".into()))
    );
    assert_eq!(before, (sim.scenario().actions.len(), sim.trace_hash()));
}

#[test]
fn unknown_variants_are_refused_when_loading() {
    let text = include_str!("../../../static/scenarios/three-servers.json").replace(
        "\"sync_limit\": 5",
        "\"sync_limit\": 5, \"variants\": [\"bug_zk9999_nope\"]",
    );
    let err = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("ensemble.variants: \"bug_zk9999_nope\""),
        "{err}"
    );
}

#[test]
fn a_paused_server_handles_nothing_until_it_resumes() {
    let mut sim = three_servers(6);
    sim.run_until(5000);
    let leader = sim.established_leader().unwrap();
    let follower = (1..=3).find(|&s| s != leader && s != 3).unwrap();
    sim.act(ActionKind::Pause {
        server: ServerRef::Sid(follower),
        for_ms: 1000,
    })
    .unwrap();
    let log_len = sim.log().iter().filter(|l| l.sid == follower).count();
    sim.run_until(5900);
    assert!(sim.server(follower).unwrap().paused);
    assert_eq!(
        log_len,
        sim.log().iter().filter(|l| l.sid == follower).count()
    );
    sim.run_until(7000);
    // A one-second stall is shorter than syncLimit*tickTime: no election.
    assert_eq!(sim.server(follower).unwrap().state, "FOLLOWING");
    assert!(!sim.server(follower).unwrap().paused);
}

/// A run long enough for autopurge to let the checks forget (sim/compact.rs):
/// three servers at 30 writes/s for 75 minutes, snapshots every ~1,000
/// txns, a purge every hour keeping 3; a crash and restart and a partition
/// after the first purge, so histories are rebuilt from compacted
/// snapshots and synced from a compacted leader.
fn long_purged_run(compaction: bool) -> Simulation {
    let text = r#"{ "zablab": 1, "name": "compaction", "seed": 7,
      "ensemble": { "participants": [1, 2, 3], "tick_ms": 2000, "init_limit": 10, "sync_limit": 5,
                    "snap_count": 2000, "autopurge_purge_interval": 1, "autopurge_snap_retain_count": 3 },
      "network": { "latency_ms": [1, 5], "fsync_ms": [1, 3] },
      "until_ms": 4500000,
      "actions": [
        { "at_ms": 0, "do": "start", "servers": [1, 2, 3] },
        { "at_ms": 3000, "do": "connect", "client": "load", "server": 1, "session_timeout_ms": 30000 },
        { "at_ms": 4000, "do": "load", "client": "load", "rate_per_s": 30, "for_ms": 4496000 },
        { "at_ms": 3900000, "do": "crash", "server": 2 },
        { "at_ms": 3930000, "do": "restart", "server": 2 },
        { "at_ms": 4200000, "do": "partition", "groups": [[1], [2, 3]] },
        { "at_ms": 4230000, "do": "heal" }
      ] }"#;
    let mut sim = Simulation::new(Scenario::from_json(text).unwrap()).unwrap();
    sim.compaction_off = !compaction;
    sim.run_to_end();
    sim
}

#[test]
fn compaction_forgets_what_every_history_agrees_on_and_changes_no_run() {
    let on = long_purged_run(true);
    let off = long_purged_run(false);
    assert!(on.violations().is_empty(), "{:?}", on.violations());
    assert_eq!(on.trace_hash(), off.trace_hash());
    assert_eq!(on.summary(), off.summary());
    let g = on.checker.committed();
    assert!(g.len() > 120_000, "{} commits", g.len());
    assert!(
        g.floor() >= 65_536,
        "G kept from {} of {}",
        g.floor(),
        g.len()
    );
    assert_eq!(off.checker.committed().floor(), 0);
    for n in &on.nodes {
        let a = &n.server.tree.ghost_applied;
        assert!(
            a.floor() >= 65_536,
            "server {} kept from {}",
            n.sid,
            a.floor()
        );
        for s in &n.server.disk.snapshots {
            assert!(
                s.tree.ghost_applied.floor() > 0,
                "server {}'s snapshot {}",
                n.sid,
                s.name()
            );
        }
    }
}

/// The file's actions are queued one at a time, yet handled in the order
/// the start's queue of all of them gave: by time, and in file order at
/// one instant, before the protocol's events of that instant. A
/// checkpoint shares the scenario until a user action changes it.
#[test]
fn file_actions_are_queued_one_at_a_time_in_due_order() {
    let sc = Scenario::from_json(
        r#"{ "zablab": 1, "name": "unsorted", "seed": 3,
  "ensemble": { "participants": [1, 2, 3] }, "until_ms": 20000,
  "actions": [
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3] },
    { "at_ms": 9000, "do": "write", "client": "c", "path": "/b", "data": "2" },
    { "at_ms": 4000, "do": "connect", "client": "c", "server": 1 },
    { "at_ms": 9000, "do": "write", "client": "c", "path": "/c", "data": "3" },
    { "at_ms": 6000, "do": "write", "client": "c", "path": "/a", "data": "1" },
    { "at_ms": 9000, "do": "crash", "server": 3 } ] }"#,
    )
    .unwrap();
    let mut sim = Simulation::new(sc).unwrap();
    let mut handled = Vec::new();
    while let Some(next) = sim.queue.peek().filter(|q| q.time_ms <= 20_000) {
        let file = sim.queue.iter().filter(|q| q.class == 0).count();
        assert!(file <= 1, "{file} file actions queued at once");
        if let Event::Action(i) = next.event {
            assert_eq!(next.seq, *i as u64, "an action's seq is its index");
            handled.push(*i);
        }
        sim.step();
    }
    assert_eq!(handled, [0, 2, 4, 1, 3, 5]);
    let checkpoint = sim.clone();
    assert!(std::rc::Rc::ptr_eq(&checkpoint.scenario, &sim.scenario));
    sim.act(ActionKind::Heal).unwrap();
    assert_eq!(checkpoint.scenario().actions.len(), 6);
    assert_eq!(sim.scenario().actions.len(), 7);
}
