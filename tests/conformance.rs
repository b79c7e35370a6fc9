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

/// A follower (3) is down while the leader (2) takes `writes` writes.
fn follower_down(writes: u32, ensemble: &str) -> (Simulation, RunSummary) {
    let actions = format!(
        r#"{STAGGERED},
    {{ "at_ms": 8000, "do": "connect", "client": "c1", "server": 2, "session_timeout_ms": 8000 }},
    {{ "at_ms": 8500, "do": "write", "client": "c1", "count": 5 }},
    {{ "at_ms": 10000, "do": "crash", "server": 3 }},
    {{ "at_ms": 10500, "do": "write", "client": "c1", "count": {writes} }},
    {{ "at_ms": 20000, "do": "restart", "server": 3 }}"#
    );
    let json = scenario(11, 30_000, &actions).replace(
        r#""sync_limit": 5 }"#,
        &format!(r#""sync_limit": 5{ensemble} }}"#),
    );
    let (sim, s) = run_at(&json, None);
    let sync = s.syncs.iter().rev().find(|y| y.learner == 3).unwrap();
    assert!(sync.at_ms >= 20_000);
    assert_eq!(state(&s, 3), "FOLLOWING");
    let z3 = s.servers.iter().find(|v| v.sid == 3).unwrap().last_zxid;
    let z2 = s.servers.iter().find(|v| v.sid == 2).unwrap().last_zxid;
    assert_eq!(z3, z2);
    (sim, s)
}

fn mode(s: &RunSummary) -> String {
    let sync = s.syncs.iter().rev().find(|y| y.learner == 3).unwrap();
    format!("{:?}", sync.mode)
}

fn leader_says(sim: &Simulation, start: &str) -> Option<String> {
    sim.log()
        .iter()
        .find(|l| l.sid == 2 && l.text.starts_with(start))
        .map(|l| l.text.clone())
}

fn file_names(sim: &Simulation, sid: u32) -> Vec<String> {
    let disk = &sim.server_state(sid).unwrap().disk;
    disk.log_files().into_iter().map(|f| f.name).collect()
}

/// Scenario g (`snapCount=50`): a follower down for 200 writes gets a DIFF
/// from the leader's committed log (the last 500 txns).
#[test]
fn g_follower_down_for_200_writes_diffs_from_the_committed_log() {
    let (sim, s) = follower_down(200, r#", "snap_count": 50"#);
    assert_eq!(mode(&s), "Diff");
    assert!(leader_says(&sim, "Using committedLog for peer sid: 3").is_some());
}

/// Scenario g_txnlog: 700 writes while a follower is down, more than the
/// committed log's 500. With the defaults the leader has never restarted
/// nor rolled its log (snapCount 100000): the follower's zxid is in its
/// only file, `log.100000001`, which the iterator opens first, so nothing
/// counts against the size limit and the leader reads its txn log. A real
/// 3.8.0 ensemble did the same (docs/REAL-ZK.md, run g_txnlog: `Use txnlog
/// and committedLog for peer sid: 1`, leader files `log.100000001`;
/// the restarted follower then had `log.100000001` and `log.100000009`).
#[test]
fn g_txnlog_700_writes_with_the_defaults_diff_from_the_txn_log() {
    let (sim, s) = follower_down(700, "");
    assert_eq!(mode(&s), "Diff");
    assert!(leader_says(&sim, "Use txnlog and committedLog for peer sid: 3").is_some());
    assert!(leader_says(&sim, "Txnlog size").is_none());
    assert_eq!(file_names(&sim, 2), ["log.100000001"]);
    // The follower's first append after its restart opened a new file,
    // named after the first txn of the DIFF.
    let peer = sim
        .log()
        .iter()
        .filter(|l| l.sid == 2)
        .find_map(|l| {
            l.text
                .strip_prefix("Synchronizing with Learner sid: 3 ")
                .filter(|t| !t.ends_with("peerLastZxid=0x0"))
                .map(str::to_string)
        })
        .unwrap();
    let peer = u64::from_str_radix(peer.rsplit("peerLastZxid=0x").next().unwrap(), 16).unwrap();
    assert_eq!(
        file_names(&sim, 3),
        ["log.100000001".to_string(), format!("log.{:x}", peer + 1)]
    );
}

/// The same with `snapCount=50` (as REAL-ZK.md's run g_txnlog): the log
/// rolls every 26 to 50 txns, so the follower's zxid is in an old file and
/// every newer one counts, each preallocated to 64 MiB: far above 0.33 ×
/// the newest snapshot. The real leader logged `Txnlog size: 1207959840
/// exceeds sizeLimit: 19297` (18 files; 0.33 × a 58476-byte snapshot) and
/// sent a SNAP.
#[test]
fn g_txnlog_700_writes_with_rolled_logs_snap_on_the_size_limit() {
    let (sim, s) = follower_down(700, r#", "snap_count": 50"#);
    assert_eq!(mode(&s), "Snap");
    assert!(leader_says(&sim, "Use txnlog").is_none());
    let line = leader_says(&sim, "Txnlog size: ").expect("the size line");
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    let (size, limit) = (nums[0], nums[1]);
    let files = file_names(&sim, 2).len() as u64;
    assert!(files > 10, "{files} files");
    assert!(size > 0 && size % 67_108_880 == 0 && size / 67_108_880 < files);
    let disk = &sim.server_state(2).unwrap().disk;
    assert_eq!(limit, disk.newest_snapshot().unwrap().bytes * 33 / 100);
    // The SNAP does not touch the follower's own log: no new file.
    assert_eq!(file_names(&sim, 3), ["log.100000001"]);
}

/// With `snapshotSizeFactor=-1` the txn-log path is off
/// (`Unhandled scenario ... txnLogSyncEnabled=false`, a real leader's line
/// in docs/REAL-ZK.md): SNAP.
#[test]
fn g_txnlog_700_writes_with_txn_log_sync_off_snap() {
    let (sim, s) = follower_down(700, r#", "snapshot_size_factor_pct": -1"#);
    assert_eq!(mode(&s), "Snap");
    let line = leader_says(&sim, "Unhandled scenario for peer sid: 3 ").unwrap();
    assert!(line.ends_with("txnLogSyncEnabled=false"), "{line}");
    assert!(leader_says(&sim, "On disk txn sync disabled").is_some());
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
