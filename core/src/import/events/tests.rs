//! Each event kind from a verbatim line of a real ZooKeeper 3.8.0 log
//! (`tests/real-zk/runs/*/s*/zookeeper.log`) or, where the real runs never
//! logged it, the line as ZooKeeper's source words it.

use super::*;
use crate::import::line::parse_line;

fn ev_in(cx: &mut Context, line: &str, more: &[&str]) -> Vec<EventKind> {
    let p = parse_line(line).unwrap_or_else(|| panic!("not a log line: {line}"));
    let more: Vec<String> = more.iter().map(|s| s.to_string()).collect();
    cx.events(p.thread, p.class, p.text, &more)
}

fn ev(line: &str) -> EventKind {
    let mut v = ev_in(&mut Context::default(), line, &[]);
    assert_eq!(v.len(), 1, "{line}: {v:?}");
    v.remove(0)
}

#[test]
fn election_lines() {
    assert_eq!(
        ev("2026-12-06 11:19:22,909 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=1"),
        EventKind::ProcessStart
    );
    assert_eq!(
        ev("2026-12-06 11:19:23,544 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):FastLeaderElection@946] - New election. My id = 1, proposed zxid=0x0"),
        EventKind::NewElection { proposed_zxid: 0 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:23,557 - INFO  [WorkerReceiver[myid=1]:FastLeaderElection$Messenger$WorkerReceiver@391] - Notification: my state:LOOKING; n.sid:1, n.state:LOOKING, n.leader:1, n.round:0x1, n.peerEpoch:0x0, n.zxid:0x0, message format version:0x2, n.config version:0x0"),
        EventKind::Notification {
            my_state: PeerState::Looking,
            from: 1,
            state: PeerState::Looking,
            leader: 1,
            round: 1,
            peer_epoch: 0,
            zxid: 0
        }
    );
    // ZooKeeper 3.5's form (a public 3.5 log, `[myid:N]` layout).
    assert_eq!(
        ev("2020-06-29 11:46:11,148 [myid:2] - INFO  [WorkerReceiver[myid=2]:FastLeaderElection@697] - Notification: 2 (message format version), 3 (n.leader), 0x0 (n.zxid), 0x1 (n.round), LOOKING (n.state), 3 (n.sid), 0x0 (n.peerEPoch), FOLLOWING (my state)0 (n.config version)"),
        EventKind::Notification {
            my_state: PeerState::Following,
            from: 3,
            state: PeerState::Looking,
            leader: 3,
            round: 1,
            peer_epoch: 0,
            zxid: 0
        }
    );
    assert_eq!(
        ev("2019-05-24 11:20:33,259 [myid:3] - INFO  [QuorumPeer[myid=3]/0:0:0:0:0:0:0:0:4181:FastLeaderElection@847] - Notification time out: 400"),
        EventKind::NotificationTimeout { ms: 400 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:23,770 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):FastLeaderElection@996] - Notification time out: 400 ms"),
        EventKind::NotificationTimeout { ms: 400 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:24,365 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Leader@588] - LEADING - LEADER ELECTION TOOK - 416 MS"),
        EventKind::ElectionTook { state: PeerState::Leading, ms: 416 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:50,400 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):QuorumPeer@1455] - LOOKING"),
        EventKind::State { state: PeerState::Looking }
    );
    assert_eq!(
        ev("2026-12-06 11:19:24,470 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):QuorumPeer@922] - Peer state changed: following - synchronization - diff"),
        EventKind::ZabState {
            state: PeerState::Following,
            zab: Some(ZabState::Synchronization),
            sync: Some(SyncMode::Diff)
        }
    );
}

#[test]
fn leader_lines() {
    assert_eq!(
        ev("2026-12-06 11:19:24,597 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Leader@1519] - Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000"),
        EventKind::Established { epoch: 1, zxid: 0x1_0000_0000, supporters: vec![1, 2] }
    );
    assert_eq!(
        ev("2026-12-06 11:19:33,847 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Leader@819] - Shutdown called. For the reason Not sufficient followers synced, only synced with sids: [ [2] ]"),
        EventKind::StepDown { reason: "Not sufficient followers synced, only synced with sids: [ [2] ]".into() }
    );
}

#[test]
fn a_learner_handler_thread_names_its_learner() {
    let mut cx = Context::default();
    let t = "2026-12-06 11:21:55,6";
    let l =
        |s: &str| format!("{t}33 - INFO  [LearnerHandler-/127.0.0.1:56370:LearnerHandler@1] - {s}");
    assert_eq!(
        ev_in(&mut cx, "2026-12-06 11:20:19,913 - INFO  [LearnerHandler-/127.0.0.1:59326:LearnerHandler@510] - Follower sid: 4 : info : 127.0.0.1:12004:13004:observer", &[]),
        vec![EventKind::LearnerInfo { learner: 4, observer: true }]
    );
    assert_eq!(
        ev_in(&mut cx, &l("Synchronizing with Learner sid: 5 maxCommittedLog=0x20000000b minCommittedLog=0x200000001 lastProcessedZxid=0x20000000b peerLastZxid=0x10000000d"), &[]),
        vec![EventKind::SyncStart {
            learner: 5,
            max_committed: Some(0x2_0000_000b),
            min_committed: Some(0x2_0000_0001),
            last_processed: Some(0x2_0000_000b),
            peer_last: Some(0x1_0000_000d)
        }]
    );
    assert_eq!(
        ev_in(&mut cx, "2026-12-06 11:21:55,633 - WARN  [LearnerHandler-/127.0.0.1:56370:LearnerHandler@1001] - Cannot send TRUNC to peer sid: 5 peer zxid is from different epoch", &[]),
        vec![EventKind::SyncReason { learner: 5, reason: SyncReason::TruncRefusedAcrossEpochs }]
    );
    assert_eq!(
        ev_in(&mut cx, "2026-12-06 11:21:55,634 - ERROR [LearnerHandler-/127.0.0.1:56370:LearnerHandler@932] - Unhandled scenario for peer sid: 5 fall back to use snapshot", &[]),
        vec![EventKind::SyncReason { learner: 5, reason: SyncReason::Fallback }]
    );
    // The snapshot line names no peer: the thread's learner.
    assert_eq!(
        ev_in(&mut cx, "2026-12-06 11:21:55,634 - INFO  [LearnerHandler-/127.0.0.1:56370:LearnerHandler@572] - Sending snapshot last zxid of peer is 0x10000000d, zxid of leader is 0x20000000b, send zxid of db as 0x20000000b, 1 concurrent snapshot sync, snapshot sync was exempt from throttle", &[]),
        vec![EventKind::SyncSent { learner: 5, mode: SyncMode::Snap, zxid: Some(0x2_0000_000b), peer_zxid: Some(0x1_0000_000d) }]
    );
    assert_eq!(
        ev_in(&mut cx, &l("Detected gap between end of txnlog: 0x10000000d and start of committedLog: 0x20000000b"), &[]),
        vec![EventKind::SyncReason { learner: 5, reason: SyncReason::GapInTxnLog }]
    );
    assert_eq!(
        ev_in(&mut cx, "2026-12-06 11:19:33,817 - ERROR [LearnerHandler-/127.0.0.1:56370:LearnerHandler@719] - Unexpected exception in LearnerHandler: ", &["java.net.SocketTimeoutException: Read timed out", "\tat java.base/x"]),
        vec![
            EventKind::LearnerGone { learner: Some(5), cause: "java.net.SocketTimeoutException: Read timed out".into() },
            EventKind::ReadTimeout { peer: Some(5) }
        ]
    );
}

#[test]
fn sync_decisions_and_sends() {
    assert_eq!(
        ev("2026-12-06 11:19:33,948 - INFO  [LearnerHandler-/127.0.0.1:60516:LearnerHandler@869] - Using committedLog for peer sid: 2"),
        EventKind::SyncReason { learner: 2, reason: SyncReason::CommittedLog }
    );
    assert_eq!(
        ev("2026-12-06 11:22:03,134 - INFO  [LearnerHandler-/127.0.0.1:56458:LearnerHandler@882] - Use txnlog and committedLog for peer sid: 1"),
        EventKind::SyncReason { learner: 1, reason: SyncReason::TxnLogAndCommittedLog }
    );
    assert_eq!(
        ev("2026-12-06 11:19:33,948 - INFO  [LearnerHandler-/127.0.0.1:60516:LearnerHandler@977] - Sending DIFF zxid=0x100000004  for peer sid: 2"),
        EventKind::SyncSent { learner: 2, mode: SyncMode::Diff, zxid: Some(0x1_0000_0004), peer_zxid: None }
    );
}

#[test]
fn learner_lines() {
    assert_eq!(
        ev("2026-12-06 11:19:24,470 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Learner@565] - Getting a diff from the leader 0x0"),
        EventKind::SyncReceived { mode: SyncMode::Diff, zxid: Some(0) }
    );
    assert_eq!(
        ev("2026-12-06 11:19:27,120 - INFO  [QuorumPeer[myid=3](plain=127.0.0.1:11003)(secure=disabled):Learner@576] - Getting a snapshot from leader 0x100000000"),
        EventKind::SyncReceived { mode: SyncMode::Snap, zxid: Some(0x1_0000_0000) }
    );
    assert_eq!(
        ev("2026-12-06 11:24:48,709 - WARN  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Learner@599] - Truncating log to get in sync with the leader 0x10000000b"),
        EventKind::SyncReceived { mode: SyncMode::Trunc, zxid: Some(0x1_0000_000b) }
    );
    assert_eq!(
        ev("2026-12-06 11:19:24,479 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Learner@737] - Learner received NEWLEADER message"),
        EventKind::LearnerReceived { packet: "NEWLEADER".into() }
    );
    let lost = ev_in(
        &mut Context::default(),
        "2026-12-06 11:19:31,122 - WARN  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Follower@128] - Exception when following the leader",
        &["java.net.SocketTimeoutException: Read timed out", "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)"],
    );
    assert_eq!(
        lost,
        vec![
            EventKind::LostLeader {
                cause: "java.net.SocketTimeoutException: Read timed out".into()
            },
            EventKind::ReadTimeout { peer: None }
        ]
    );
    assert_eq!(
        ev("2026-12-06 11:19:31,122 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Follower@142] - Disconnected from leader (with address: /127.0.0.1:12002). Was connected for 6697ms. Sync state: true"),
        EventKind::Disconnected { connected_ms: Some(6697) }
    );
    assert_eq!(
        ev("2026-12-06 11:20:19,871 - INFO  [QuorumPeer[myid=4](plain=127.0.0.1:11004)(secure=disabled):Observer@168] - Observing new leader sid=2 addr=/127.0.0.1:12002"),
        EventKind::ConnectedToLeader { leader: Some(2) }
    );
    assert_eq!(
        ev("2026-12-06 11:19:27,405 - WARN  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Follower@169] - Got zxid 0x100000001 expected 0x1"),
        EventKind::ZxidGap { got: 0x1_0000_0001, expected: 1 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:31,122 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Follower@286] - shutdown Follower"),
        EventKind::Shutdown { what: "Follower".into() }
    );
}

#[test]
fn sessions_disks_digests_and_links() {
    assert_eq!(
        ev("2026-12-06 11:19:27,415 - INFO  [CommitProcessor:1:LearnerSessionTracker@116] - Committing global session 0x10000c708b60000"),
        EventKind::SessionCreated { id: 0x10000c708b60000, timeout_ms: None }
    );
    assert_eq!(
        ev("2026-12-06 11:19:37,650 - INFO  [RequestThrottler:QuorumZooKeeperServer@163] - Submitting global closeSession request for session 0x10000c725090000"),
        EventKind::SessionClosed { id: 0x10000c725090000 }
    );
    // ZooKeeperServer.expire and finishSessionInit (3.5 logs the latter at INFO).
    assert_eq!(
        ev("2024-01-15 08:01:02,003 [myid:1] - INFO  [SessionTracker:ZooKeeperServer@610] - Expiring session 0x100000abc0001, timeout of 4000ms exceeded"),
        EventKind::SessionExpired { id: 0x100000abc0001, timeout_ms: 4000 }
    );
    assert_eq!(
        ev("2019-05-01 10:00:00,000 [myid:1] - INFO  [CommitProcessor:1:ZooKeeperServer@694] - Established session 0x16a7 with negotiated timeout 30000 for client /10.0.0.5:51234"),
        EventKind::SessionCreated { id: 0x16a7, timeout_ms: Some(30000) }
    );
    // FileTxnLog.commit.
    assert_eq!(
        ev("2024-01-15 08:01:02,003 [myid:2] - WARN  [SyncThread:2:FileTxnLog@291] - fsync-ing the write ahead log in SyncThread:2 took 1500ms which will adversely effect operation latency.File size is 67108880 bytes. See the ZooKeeper troubleshooting guide"),
        EventKind::SlowFsync { ms: 1500 }
    );
    assert_eq!(
        ev("2026-12-06 11:22:03,199 - WARN  [CommitProcessor:1:RateLogger@87] - Message:Digests are not matching. Value is Zxid. Value:8589934604"),
        EventKind::DigestMismatch { zxid: Some(8589934604) }
    );
    assert_eq!(
        ev("2026-12-06 11:22:03,200 - ERROR [CommitProcessor:1:DataTree@1818] - First digest mismatch on txn: 288231240449458177,0,8589934604,1796556119554,-10"),
        EventKind::DigestMismatch { zxid: Some(8589934604) }
    );
    assert_eq!(
        ev("2026-12-06 11:19:37,856 - WARN  [RecvWorker:1:QuorumCnxManager$RecvWorker@1402] - Connection broken for id 1, my id = 2"),
        EventKind::ConnectionBroken { peer: 1 }
    );
    assert_eq!(
        ev("2026-12-06 11:19:23,574 - WARN  [QuorumConnectionThread-[myid=1]-1:QuorumCnxManager@401] - Cannot open channel to 2 at election address /127.0.0.1:13002"),
        EventKind::CannotOpenChannel { peer: 2 }
    );
}

#[test]
fn housekeeping_gives_no_event() {
    let mut cx = Context::default();
    for l in [
        "2026-12-06 11:19:49,764 - INFO  [main:DatadirCleanupManager@78] - autopurge.snapRetainCount set to 3",
        "2026-12-06 11:19:24,479 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):QuorumPeer@1892] - Dynamic reconfig is disabled, we don't store the last seen config.",
        "2026-12-06 11:19:24,470 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):QuorumPeer@922] - Peer state changed: following - nonsense",
    ] {
        assert_eq!(ev_in(&mut cx, l, &[]), vec![], "{l}");
    }
}
