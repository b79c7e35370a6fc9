//! The diagnosis of imported lines, on lines as ZooKeeper 3.8 logs them.

use super::*;
use crate::import::evidence::testing::{settings, view};

fn find<'a>(f: &'a [Finding], id: &str) -> &'a Finding {
    f.iter()
        .flat_map(|c| std::iter::once(c).chain(c.consequences.iter()))
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("no {id} in {f:#?}"))
}

const HAVE_1: &str = "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000";
const HAVE_3: &str = "Have quorum of supporters, sids: [[1, 3]]; starting up and setting last processed zxid: 0x200000000";

#[test]
fn a_paused_leader_is_the_cause_of_the_time_without_a_leader() {
    let v = view(
        &[
            (0, 2, "INFO", "QuorumPeer", "LEADING"),
            (10, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:1|Follower sid: 1 : info : h:1:2:participant"),
            (11, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:3|Follower sid: 3 : info : h:1:2:participant"),
            (1000, 2, "INFO", "Leader", HAVE_1),
            (4600, 1, "WARN", "Follower", "Exception when following the leader\njava.net.SocketTimeoutException: Read timed out"),
            (4601, 3, "WARN", "Follower", "Exception when following the leader\njava.net.SocketTimeoutException: Read timed out"),
            (5000, 3, "INFO", "Leader", HAVE_3),
            (7000, 2, "ERROR", "LearnerHandler", "LearnerHandler-/x:1|Unexpected exception in LearnerHandler: \njava.net.SocketException: Connection reset"),
            (7010, 2, "INFO", "Leader", "Shutdown called. For the reason Not sufficient followers synced, only synced with sids: [ [2] ]"),
        ],
        settings(500),
    );
    let d = diagnose_view(&v);
    assert_eq!(d[0].id, "server_paused", "{d:#?}");
    assert_eq!(d[0].server, Some(2));
    assert!(
        d[0].cites.contains(&4) && d[0].cites.contains(&7),
        "{:?}",
        d[0].cites
    );
    assert!(d[0].settings.iter().any(|s| s.name == "syncLimit"));
    assert!(!d[0].advice.is_empty());
    let lc = &d[0].consequences[0];
    assert_eq!(lc.id, "leader_change");
    assert_eq!((lc.at_ms, lc.until_ms), (2100, Some(5000)));
    assert!(
        lc.text
            .starts_with("No leader for 2.90 s: leader 2 (epoch 1)"),
        "{}",
        lc.text
    );
}

#[test]
fn a_snap_names_the_leaders_reason_and_cites_its_line() {
    let v = view(
        &[
            (0, 1, "INFO", "LearnerHandler", "Synchronizing with Learner sid: 2 maxCommittedLog=0x200000003 minCommittedLog=0x100000001 lastProcessedZxid=0x200000003 peerLastZxid=0x10000000c"),
            (1, 1, "WARN", "LearnerHandler", "Cannot send TRUNC to peer sid: 2 peer zxid is from different epoch"),
            (2, 1, "INFO", "LearnerHandler", "Sending snapshot last zxid of peer is 0x10000000c, zxid of leader is 0x200000003, send zxid of db as 0x200000003, 1 concurrent snapshot sync, snapshot sync was exempt from throttle"),
            (5, 2, "INFO", "Learner", "Getting a snapshot from leader 0x200000003"),
        ],
        settings(200),
    );
    let d = diagnose_view(&v);
    let f = find(&d, "sync_snap");
    assert!(
        f.text.contains("does not TRUNC across epochs"),
        "{}",
        f.text
    );
    assert_eq!(f.cites, vec![0, 1, 3]);
    assert!(f
        .settings
        .iter()
        .any(|s| s.name == "zookeeper.commitLogCount"));
}

#[test]
fn sessions_disks_and_digests_each_get_their_finding() {
    let v = view(
        &[
            (0, 1, "INFO", "SessionTrackerImpl", "Expiring session 0x10000c708b60000, timeout of 800ms exceeded"),
            (10, 2, "WARN", "FileTxnLog", "fsync-ing the write ahead log in SyncThread:2 took 1500ms which will adversely effect operation latency.File size is 67108880 bytes. See the ZooKeeper troubleshooting guide"),
            (20, 2, "WARN", "FileTxnLog", "fsync-ing the write ahead log in SyncThread:2 took 3100ms which will adversely effect operation latency.File size is 67108880 bytes. See the ZooKeeper troubleshooting guide"),
            (30, 3, "WARN", "RateLogger", "Message:Digests are not matching. Value is Zxid. Value:8589934604"),
            (31, 3, "ERROR", "DataTree", "First digest mismatch on txn: 288231240449458177,0,8589934604,1796556119554,-10"),
        ],
        settings(500),
    );
    let d = diagnose_view(&v);
    let s = find(&d, "session_expired");
    assert_eq!(s.sessions, vec!["0x10000c708b60000"]);
    assert!(s.text.contains("through server 1"), "{}", s.text);
    let f = find(&d, "slow_disk");
    assert_eq!((f.server, f.cites.clone()), (Some(2), vec![1, 2]));
    assert!(f.text.contains("the worst 3.10 s"), "{}", f.text);
    assert!(f.text.contains("leader may drop it"), "{}", f.text);
    let g = find(&d, "digest_mismatch");
    assert_eq!(g.zxids, vec![crate::zxid::Zxid(0x20000000c)]);
    let at = |id: &str| d.iter().position(|x| x.id == id).unwrap();
    assert!(
        at("digest_mismatch") < at("session_expired"),
        "critical first"
    );
    assert!(at("digest_mismatch") < at("slow_disk"), "critical first");
}

#[test]
fn a_server_left_looking_says_whom_it_never_heard() {
    let mut s = settings(500);
    s.participants = vec![1, 2, 3];
    s.servers_from = "zoo.cfg";
    let v = view(
        &[
            (0, 1, "INFO", "QuorumPeer", "LOOKING"),
            (5, 1, "INFO", "FastLeaderElection$Messenger$WorkerReceiver", "Notification: my state:LOOKING; n.sid:1, n.state:LOOKING, n.leader:1, n.round:0x1, n.peerEpoch:0x0, n.zxid:0x0, message format version:0x2, n.config version:0x0"),
            (10, 1, "WARN", "QuorumCnxManager", "Cannot open channel to 2 at election address /h:3\njava.net.ConnectException: Connection refused"),
            (6000, 1, "INFO", "FastLeaderElection", "Notification time out: 6400 ms"),
        ],
        s,
    );
    let d = diagnose_view(&v);
    let f = find(&d, "server_looking");
    assert!(f.now);
    assert!(
        f.text
            .contains("heard notifications from 1 of the 3 voters"),
        "{}",
        f.text
    );
    assert!(
        f.text.contains("connections to 2 were refused"),
        "{}",
        f.text
    );
    assert!(f.text.contains("nothing came from 3"), "{}", f.text);
    assert!(d.iter().any(|x| x.id == "no_quorum"));
}
