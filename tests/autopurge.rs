//! ZooKeeper's autopurge (`autopurge.purgeInterval`,
//! `autopurge.snapRetainCount`) and what it means for a later sync: the
//! purge keeps the newest N snapshots and the txn log files that may hold
//! txns after the oldest of them (`PurgeTxnLog.purgeOlderSnapshots`), so a
//! learner whose last zxid is older than the leader's oldest kept log file
//! can no longer get a DIFF from the txn log and gets a SNAP; a learner
//! within the kept files still gets its DIFF.
//!
//! The ensemble sets `snapshot_size_factor_pct` to 0 (a txn-log DIFF of any
//! size, `ZKDatabase.calculateTxnLogSizeLimit` = 0): with the default 0.33
//! every 64 MiB preallocated file after the learner's own counts against a
//! few-KiB snapshot and the leader sends a SNAP whether or not it purged,
//! which would hide what the purge decides.

use zablab_core::{RunSummary, Scenario, Simulation};

const HOUR: u64 = 3_600_000;

/// Five voters, one roll and snapshot every 101 to 200 txns. Server 1 goes
/// down before 3,000 writes (100 a second), server 2 after 2,200 of them
/// (800 behind:
/// beyond the leader's committed log of 500, within its last ten
/// snapshots' files, which span at least 9 × 101 txns). The purge runs at
/// each start (nothing to purge) and one hour later; both come back after
/// it. Server 5 leads throughout.
fn scenario(purge_interval_h: u64) -> Scenario {
    let json = format!(
        r#"{{ "zablab": 1, "name": "autopurge and sync", "seed": 7,
  "ensemble": {{ "participants": [1, 2, 3, 4, 5], "snap_count": 200,
                 "snapshot_size_factor_pct": 0,
                 "autopurge_snap_retain_count": 10,
                 "autopurge_purge_interval": {purge_interval_h} }},
  "until_ms": {until},
  "actions": [
    {{ "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4, 5] }},
    {{ "at_ms": 6000, "do": "connect", "client": "c1", "server": 3, "session_timeout_ms": 30000 }},
    {{ "at_ms": 8000, "do": "crash", "server": 1 }},
    {{ "at_ms": 10000, "do": "load", "client": "c1", "rate_per_s": 100, "for_ms": 30000 }},
    {{ "at_ms": 32000, "do": "crash", "server": 2 }},
    {{ "at_ms": {back}, "do": "restart", "server": 1 }},
    {{ "at_ms": {back2}, "do": "restart", "server": 2 }}
  ] }}"#,
        until = HOUR + 120_000,
        back = HOUR + 30_000,
        back2 = HOUR + 60_000,
    );
    Scenario::from_json(&json).expect("the test scenario parses")
}

fn run(purge_interval_h: u64) -> (Simulation, RunSummary) {
    let mut sim = Simulation::new(scenario(purge_interval_h)).expect("runs");
    sim.run_to_end();
    let s = sim.summary();
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    assert!(s.action_errors.is_empty(), "{:#?}", s.action_errors);
    (sim, s)
}

/// The mode of `sid`'s last sync, and that it caught up.
fn last_sync(s: &RunSummary, sid: u32) -> String {
    let sync = s.syncs.iter().rev().find(|y| y.learner == sid).unwrap();
    assert!(sync.at_ms > HOUR, "{sync:?}");
    let z = |sid: u32| s.servers.iter().find(|v| v.sid == sid).unwrap().last_zxid;
    assert_eq!(z(sid), z(5), "server {sid} caught up with the leader");
    format!("{:?}", sync.mode)
}

/// The established leader's sid.
fn leader(s: &RunSummary) -> u32 {
    s.servers.iter().find(|v| v.state == "LEADING").unwrap().sid
}

fn said(sim: &Simulation, sid: u32, start: &str) -> Vec<String> {
    sim.log()
        .iter()
        .filter(|l| l.sid == sid && l.text.starts_with(start))
        .map(|l| l.text.clone())
        .collect()
}

/// The learner's zxid in the leader's `Synchronizing with Learner` line.
fn peer_zxid(sim: &Simulation, leader: u32, sid: u32) -> u64 {
    let line = said(
        sim,
        leader,
        &format!("Synchronizing with Learner sid: {sid} "),
    )
    .pop()
    .unwrap();
    u64::from_str_radix(line.rsplit("peerLastZxid=0x").next().unwrap(), 16).unwrap()
}

#[test]
fn without_autopurge_both_learners_diff_from_the_txn_log() {
    let (sim, s) = run(0);
    let l = leader(&s);
    assert_eq!(last_sync(&s, 1), "Diff");
    assert_eq!(last_sync(&s, 2), "Diff");
    assert_eq!(
        said(&sim, l, "Use txnlog and committedLog for peer sid: ").len(),
        2
    );
    assert!(said(&sim, l, "Purge task").is_empty());
    // Every snapshot and every log file is still there.
    let disk = &sim.server_state(l).unwrap().disk;
    assert!(disk.snapshots.len() > 15, "{}", disk.snapshots.len());
    assert_eq!(disk.log_files()[0].name, "log.100000001");
}

#[test]
fn after_the_hourly_purge_the_learner_behind_the_kept_logs_gets_a_snap() {
    let (sim, s) = run(1);
    let l = leader(&s);
    // The task ran at each start and an hour later, on every server.
    for sid in 1..=5 {
        let lines = said(&sim, sid, "Purge task completed.");
        assert!(lines.len() >= 2, "server {sid}: {lines:?}");
    }
    // Server 1 is behind the oldest kept file: the txn log cannot serve
    // it, it gets a SNAP.
    let (p1, p2) = (peer_zxid(&sim, l, 1), peer_zxid(&sim, l, 2));
    assert_eq!(last_sync(&s, 1), "Snap");
    assert!(!said(
        &sim,
        l,
        &format!("Unable to find proposals from txnlog for zxid: 0x{p1:x}")
    )
    .is_empty());
    // Server 2 is within the kept files: still a DIFF from the txn log.
    assert_eq!(last_sync(&s, 2), "Diff");
    assert_eq!(
        said(&sim, l, "Use txnlog and committedLog for peer sid: 2").len(),
        1
    );
    assert!(!said(&sim, l, "Removing file: version-2/log.100000001").is_empty());
    let disk = &sim.server_state(l).unwrap().disk;
    // PurgeTxnLog's rule: the ten newest snapshots, and the log files from
    // the newest one named at or below the oldest of them.
    assert_eq!(disk.snapshots.len(), 10);
    let least = disk.snapshots[0].zxid.0;
    let files = disk.log_files();
    let first = |i: usize| u64::from_str_radix(&files[i].name[4..], 16).unwrap();
    assert!(first(0) <= least && least < first(1), "{files:?} {least:x}");
    assert!(p1 < first(0) && first(0) <= p2, "{p1:x} {p2:x} {files:?}");
}

/// A purge never takes what a restart needs: a server that purged
/// reloads the same tree from its newest snapshot and the kept logs.
#[test]
fn a_purged_server_restarts_with_the_same_tree() {
    let mut scenario = scenario(1);
    scenario.until_ms = HOUR + 20_000;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.run_until(HOUR + 1_000);
    let before = sim.server_state(3).unwrap().disk.restore().0;
    let tree = &sim.server_state(3).unwrap().tree;
    assert_eq!(before.last_processed_zxid, tree.last_processed_zxid);
    assert_eq!(before.nodes, tree.nodes);
    assert_eq!(before.sessions, tree.sessions);
    // And the purge did go: the first log file is gone.
    let disk = &sim.server_state(3).unwrap().disk;
    assert_ne!(disk.log_files()[0].name, "log.100000001");
}

/// What ZooKeeper keeps in memory per server does not grow with the run:
/// `ZKDatabase.committedLog` holds the last `commitLogCount` (500)
/// proposals however many were committed (here 24,000 in two minutes of
/// the benchmark's 200 writes/s).
#[test]
fn the_committed_log_stays_at_commit_log_count() {
    let mut s = Scenario::from_json(include_str!("../static/scenarios/bench/bench-1h.json"))
        .expect("the bench scenario parses");
    s.until_ms = 130_000;
    s.actions.retain(|a| a.at_ms <= s.until_ms);
    let mut sim = Simulation::new(s).unwrap();
    sim.run_to_end();
    for sid in 1..=5 {
        let server = sim.server_state(sid).unwrap();
        assert!(server.tree.ghost_applied.len() > 20_000, "server {sid}");
        assert_eq!(server.committed_log.len(), 500, "server {sid}");
    }
}
