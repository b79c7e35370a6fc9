//! Conformance with a real ZooKeeper 3.8 ensemble (`docs/REAL-ZK.md`):
//! each test replays one observed scenario and checks the outcome
//! ZooKeeper showed, plus determinism (the same scenario twice gives the
//! same trace hash) and a clean safety report.

use zablab_core::{RunSummary, Scenario, Simulation};

fn run_at(json: &str, until: Option<u64>) -> (Simulation, RunSummary) {
    let scenario = Scenario::from_json(json).expect("test scenario parses");
    let mut sim = Simulation::new(scenario.clone()).expect("test scenario runs");
    match until {
        Some(t) => sim.run_until(t),
        None => sim.run_to_end(),
    }
    let summary = sim.summary();
    // Determinism: a second run of the same scenario is identical.
    let mut again = Simulation::new(scenario).unwrap();
    match until {
        Some(t) => again.run_until(t),
        None => again.run_to_end(),
    }
    assert_eq!(
        again.summary().trace_hash,
        summary.trace_hash,
        "non-deterministic run"
    );
    assert!(
        summary.violations.is_empty(),
        "violations: {:#?}",
        summary.violations
    );
    assert!(
        summary.action_errors.is_empty(),
        "{:#?}",
        summary.action_errors
    );
    (sim, summary)
}

fn scenario(seed: u64, until_ms: u64, actions: &str) -> String {
    format!(
        r#"{{ "zablab": 1, "name": "conformance", "seed": {seed},
  "ensemble": {{ "participants": [1,2,3], "tick_ms": 2000, "init_limit": 10, "sync_limit": 5 }},
  "until_ms": {until_ms},
  "actions": [ {actions} ] }}"#
    )
}

fn state(s: &RunSummary, sid: u32) -> &str {
    &s.servers.iter().find(|v| v.sid == sid).unwrap().state
}

/// Start 1, then 2, then 3 (scenario b): 2 leads, 3 joins as follower.
const STAGGERED: &str = r#"
    { "at_ms": 0, "do": "start", "servers": [1] },
    { "at_ms": 1000, "do": "start", "servers": [2] },
    { "at_ms": 5000, "do": "start", "servers": [3] }"#;

#[test]
fn b_start_1_2_then_3_two_leads_and_three_follows() {
    for seed in 1..=5 {
        let (sim, s) = run_at(&scenario(seed, 12_000, STAGGERED), None);
        assert_eq!(s.leaders.len(), 1, "seed {seed}: {:?}", s.leaders);
        assert_eq!((s.leaders[0].sid, s.leaders[0].epoch), (2, 1));
        assert_eq!(state(&s, 2), "LEADING");
        assert_eq!(state(&s, 1), "FOLLOWING");
        assert_eq!(state(&s, 3), "FOLLOWING");
        assert!(s.servers.iter().all(|v| v.serving));
        // The leader's log line, in ZooKeeper's words.
        assert!(sim.log().iter().any(|l| l.sid == 2
            && l.text == "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000"));
        assert!(sim
            .log()
            .iter()
            .any(|l| l.sid == 3 && l.text.starts_with("FOLLOWING - LEADER ELECTION TOOK - ")));
    }
}

/// Scenario c + d: 10 writes, kill the leader, the survivor with the
/// highest (zxid, sid) leads epoch 2; the re-attached session's first write
/// is 0x200000001; closeSession takes counter 2, a new session's
/// createSession counter 3 and its first write 0x200000004; the restarted
/// ex-leader syncs by DIFF and ends at the leader's zxid.
#[test]
fn c_d_kill_the_leader_then_restart_it() {
    let actions = r#"
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3] },
    { "at_ms": 4000, "do": "connect", "client": "c1", "server": 1, "session_timeout_ms": 8000 },
    { "at_ms": 4500, "do": "write", "client": "c1", "count": 10 },
    { "at_ms": 9000, "do": "crash", "server": "leader" },
    { "at_ms": 14000, "do": "write", "client": "c1" },
    { "at_ms": 15000, "do": "close", "client": "c1" },
    { "at_ms": 16000, "do": "connect", "client": "c2", "server": 1, "session_timeout_ms": 8000 },
    { "at_ms": 17000, "do": "write", "client": "c2" }"#;
    for seed in 1..=4 {
        let json = scenario(seed, 30_000, actions);
        let (_, before) = run_at(&json, Some(8999));
        let old = before.leaders[0].sid;
        assert!(before
            .servers
            .iter()
            .all(|v| v.last_zxid.to_string() == "0x10000000b"));
        let (_, s) = run_at(&json, None);
        let survivors: Vec<u32> = (1..=3).filter(|&x| x != old).collect();
        let expected = *survivors.iter().max().unwrap();
        assert_eq!(s.leaders.len(), 2, "seed {seed}: {:?}", s.leaders);
        assert_eq!(
            (s.leaders[1].sid, s.leaders[1].epoch),
            (expected, 2),
            "seed {seed}"
        );
        let zxids: Vec<String> = s
            .writes
            .iter()
            .map(|w| w.zxid.map(|z| z.to_string()).unwrap_or_default())
            .collect();
        // 10 writes in epoch 1 (after createSession 0x100000001), then epoch 2.
        assert_eq!(zxids[0], "0x100000002");
        assert_eq!(zxids[9], "0x10000000b");
        assert_eq!(
            &zxids[10..],
            ["0x200000001", "0x200000002", "0x200000004"],
            "seed {seed}"
        );
        assert!(s.writes.iter().all(|w| w.result == "OK"), "{:?}", s.writes);

        // d: restart the ex-leader; it rejoins by DIFF.
        let restart = json.replace(
            r#"{ "at_ms": 17000, "do": "write", "client": "c2" }"#,
            &format!(
                r#"{{ "at_ms": 17000, "do": "write", "client": "c2" }},
                {{ "at_ms": 20000, "do": "restart", "server": {old} }}"#
            ),
        );
        let (_, s) = run_at(&restart, None);
        let sync = s.syncs.iter().rev().find(|y| y.learner == old).unwrap();
        assert_eq!(format!("{:?}", sync.mode), "Diff");
        assert!(sync.at_ms >= 20_000);
        assert_eq!(state(&s, old), "FOLLOWING");
        let lead = s.servers.iter().find(|v| v.sid == expected).unwrap();
        let ex = s.servers.iter().find(|v| v.sid == old).unwrap();
        assert_eq!(ex.last_zxid, lead.last_zxid);
        assert_eq!(ex.last_zxid.to_string(), "0x200000004");
    }
}

/// Scenario g: a follower down for 200 writes gets DIFF; for 700 writes
/// (more than commitLogCount 500) it gets SNAP.
#[test]
fn g_follower_down_for_200_writes_diffs_for_700_snaps() {
    for (writes, mode) in [(200, "Diff"), (700, "Snap")] {
        let actions = format!(
            r#"{STAGGERED},
    {{ "at_ms": 8000, "do": "connect", "client": "c1", "server": 2, "session_timeout_ms": 8000 }},
    {{ "at_ms": 8500, "do": "write", "client": "c1", "count": 5 }},
    {{ "at_ms": 10000, "do": "crash", "server": 3 }},
    {{ "at_ms": 10500, "do": "write", "client": "c1", "count": {writes} }},
    {{ "at_ms": 20000, "do": "restart", "server": 3 }}"#
        );
        let (sim, s) = run_at(&scenario(11, 30_000, &actions), None);
        let sync = s.syncs.iter().rev().find(|y| y.learner == 3).unwrap();
        assert_eq!(format!("{:?}", sync.mode), mode, "{writes} writes");
        assert!(sync.at_ms >= 20_000);
        assert_eq!(state(&s, 3), "FOLLOWING");
        let z3 = s.servers.iter().find(|v| v.sid == 3).unwrap().last_zxid;
        let z2 = s.servers.iter().find(|v| v.sid == 2).unwrap().last_zxid;
        assert_eq!(z3, z2);
        let line = if mode == "Diff" {
            "Using committedLog for peer sid: 3"
        } else {
            "Getting a snapshot from leader"
        };
        assert!(sim.log().iter().any(|l| l.text.starts_with(line)), "{line}");
    }
}

/// Scenario g_trunc: the leader logged one txn no follower got (a one-way
/// cut), then died; the others elect epoch 2 without it; the ex-leader
/// comes back and is told to TRUNC.
#[test]
fn g_trunc_an_ex_leader_with_one_unacked_txn_truncates() {
    let actions = format!(
        r#"{STAGGERED},
    {{ "at_ms": 8000, "do": "connect", "client": "c1", "server": 2, "session_timeout_ms": 8000 }},
    {{ "at_ms": 8500, "do": "write", "client": "c1", "count": 10 }},
    {{ "at_ms": 10000, "do": "cut", "from": 2, "to": 1 }},
    {{ "at_ms": 10000, "do": "cut", "from": 2, "to": 3 }},
    {{ "at_ms": 10001, "do": "write", "client": "c1" }},
    {{ "at_ms": 10500, "do": "crash", "server": 2 }},
    {{ "at_ms": 10600, "do": "heal" }},
    {{ "at_ms": 20000, "do": "restart", "server": 2 }}"#
    );
    let (sim, s) = run_at(&scenario(5, 30_000, &actions), None);
    assert_eq!(s.leaders.len(), 2);
    assert_eq!(s.leaders[1].epoch, 2);
    let sync = s.syncs.iter().rev().find(|y| y.learner == 2).unwrap();
    assert_eq!(format!("{:?}", sync.mode), "Trunc");
    assert!(sim.log().iter().any(
        |l| l.sid == 2 && l.text == "Truncating log to get in sync with the leader 0x10000000b"
    ));
    // The unacknowledged txn is gone: the ex-leader's log ends at 0x10000000b.
    let ex = sim.server_state(2).unwrap();
    assert_eq!(
        ex.disk.last_logged_zxid().unwrap().to_string(),
        "0x10000000b"
    );
}

/// Scenario e1: kill the leader and one follower: the survivor stops
/// serving; ruok still answers imok, srvr says it is not serving.
#[test]
fn e1_kill_two_of_three_the_survivor_stops_serving() {
    let actions = format!(
        r#"{STAGGERED},
    {{ "at_ms": 10000, "do": "crash", "server": 2 }},
    {{ "at_ms": 10000, "do": "crash", "server": 1 }},
    {{ "at_ms": 10200, "do": "4lw", "server": 3, "cmd": "ruok" }},
    {{ "at_ms": 10200, "do": "4lw", "server": 3, "cmd": "srvr" }}"#
    );
    let (_, s) = run_at(&scenario(3, 20_000, &actions), None);
    assert_eq!(state(&s, 3), "LOOKING");
    assert!(!s.servers.iter().any(|v| v.serving));
    assert_eq!(s.fourlw[0].output, "imok");
    assert_eq!(
        s.fourlw[1].output,
        "This ZooKeeper instance is not currently serving requests\n"
    );
}

/// Scenario e2: kill both followers: the leader notices at its next tick
/// check (`docs/REAL-ZK.md`: 1710 ms with tickTime 2000), not at once.
#[test]
fn e2_kill_both_followers_the_leader_steps_down_at_a_tick() {
    let actions = format!(
        r#"{STAGGERED},
    {{ "at_ms": 10000, "do": "crash", "server": 1 }},
    {{ "at_ms": 10000, "do": "crash", "server": 3 }}"#
    );
    let json = scenario(4, 20_000, &actions);
    let (_, s) = run_at(&json, Some(10_020));
    assert_eq!(state(&s, 2), "LEADING", "not at once");
    let (sim, s) = run_at(&json, None);
    assert_eq!(state(&s, 2), "LOOKING");
    let down = sim
        .log()
        .iter()
        .find(|l| {
            l.sid == 2
                && l.text
                    .starts_with("Shutdown called. For the reason Not sufficient followers synced")
        })
        .expect("the leader logs why it steps down");
    assert_eq!(down.text, "Shutdown called. For the reason Not sufficient followers synced, only synced with sids: [ [2] ]");
    assert!(
        down.at_ms > 10_000 && down.at_ms <= 10_000 + 2000 + 10,
        "{}",
        down.at_ms
    );
}

/// A silent partition of the leader: followers go LOOKING only after
/// syncLimit × tickTime of silence; the leader steps down after about
/// syncLimit ticks.
#[test]
fn silent_partition_followers_look_after_sync_limit_times_tick() {
    let actions = format!(
        r#"{STAGGERED},
    {{ "at_ms": 10000, "do": "partition", "groups": [[2], [1, 3]] }}"#
    );
    let json = scenario(6, 40_000, &actions);
    let (_, s) = run_at(&json, Some(10_000 + 8_900));
    assert_eq!(state(&s, 1), "FOLLOWING");
    assert_eq!(state(&s, 3), "FOLLOWING");
    assert_eq!(state(&s, 2), "LEADING");
    let (sim, s) = run_at(&json, None);
    let looking = |sid| {
        sim.log()
            .iter()
            .find(|l| l.sid == sid && l.at_ms > 10_000 && l.text == "Peer state changed: looking")
            .map(|l| l.at_ms)
            .unwrap()
    };
    for sid in [1, 3] {
        let t = looking(sid);
        assert!(
            (19_000..=21_100).contains(&t),
            "follower {sid} went LOOKING at {t}"
        );
    }
    let t = looking(2);
    assert!((18_000..=24_100).contains(&t), "leader stepped down at {t}");
    // The majority side elects a new leader of epoch 2.
    assert!(s.leaders.iter().any(|l| l.epoch == 2 && l.sid != 2));
}
