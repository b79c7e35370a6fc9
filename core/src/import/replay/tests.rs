//! The replay of imported lines, on lines as ZooKeeper 3.8 logs them.

use super::*;
use crate::import::evidence::testing::{settings, view};

fn rows() -> Vec<(u64, u32, &'static str, &'static str, &'static str)> {
    vec![
        (0, 1, "INFO", "QuorumPeerConfig", "Reading configuration from: /c/zoo.cfg"),
        (700, 1, "INFO", "QuorumPeer", "LOOKING"),
        (800, 2, "INFO", "QuorumPeerConfig", "Reading configuration from: /c/zoo.cfg"),
        (1500, 2, "INFO", "QuorumPeer", "LOOKING"),
        (1510, 1, "INFO", "FastLeaderElection$Messenger$WorkerReceiver", "Notification: my state:LOOKING; n.sid:2, n.state:LOOKING, n.leader:2, n.round:0x1, n.peerEpoch:0x0, n.zxid:0x0, message format version:0x2, n.config version:0x0"),
        (1700, 2, "INFO", "QuorumPeer", "LEADING"),
        (1710, 1, "INFO", "QuorumPeer", "FOLLOWING"),
        (1720, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:1|Follower sid: 1 : info : h:1:2:participant"),
        (1800, 2, "INFO", "Leader", "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000"),
        (2000, 3, "INFO", "QuorumPeerConfig", "Reading configuration from: /c/zoo.cfg"),
        (2600, 3, "INFO", "QuorumPeer", "LOOKING"),
        (3000, 1, "INFO", "LearnerSessionTracker", "CommitProcessor:1|Committing global session 0x10000c708b60000"),
        (3500, 1, "INFO", "SyncThread:1", "Creating new log file: log.100000002"),
        (6000, 3, "INFO", "FastLeaderElection", "New election. My id = 3, proposed zxid=0x10000000b"),
    ]
}

#[test]
fn starts_sessions_and_writes_follow_the_lines() {
    let mut s = settings(500);
    s.participants = vec![1, 2, 3];
    let r = replay_view(&view(&rows(), s), false);
    r.scenario.check().unwrap();
    let acts: Vec<(u64, &str)> = r
        .scenario
        .actions
        .iter()
        .map(|a| (a.at_ms, a.kind.name()))
        .collect();
    assert_eq!(
        acts,
        vec![
            (1510, "start"),
            (2600, "start"),
            (2970, "connect"),
            (2971, "write"),
            (3501, "write")
        ],
        "{:#?}",
        r.inferences
    );
    assert_eq!(
        r.scenario.actions[0].kind,
        ActionKind::Start {
            servers: vec![1, 2]
        }
    );
    // 0x…02 less the session's txn: 1 write; then up to 0x…0b: 9.
    let counts: Vec<u64> = r
        .scenario
        .actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::Write { count, .. } => Some(*count),
            _ => None,
        })
        .collect();
    assert_eq!(counts, vec![1, 9]);
    let w = r
        .inferences
        .iter()
        .position(|i| i.kind == "writes")
        .unwrap();
    let mut on = vec![true; r.inferences.len()];
    on[w] = false;
    assert_eq!(r.to_scenario(&on).actions.len(), 4);
    assert!(r
        .inferences
        .iter()
        .all(|i| i.kind == "ensemble" || i.kind == "settings" || !i.lines.is_empty()));
}
