//! The importer end to end on small inputs: servers identified, stack
//! traces attached, messy files reported, splits that change nothing.

use super::*;

// Verbatim lines of tests/real-zk/runs/gc-pause-leader (ZooKeeper 3.8.0,
// Debian layout), a leader (s2) and a learner (s1).
const S2: &str = "\
2026-12-06 11:19:22,901 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=2
2026-12-06 11:19:24,365 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Leader@588] - LEADING - LEADER ELECTION TOOK - 416 MS
2026-12-06 11:19:24,366 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):QuorumPeer@1467] - LEADING
2026-12-06 11:19:24,440 - INFO  [LearnerHandler-/127.0.0.1:40268:LearnerHandler@510] - Follower sid: 1 : info : 127.0.0.1:12001:13001:participant
2026-12-06 11:19:24,449 - INFO  [LearnerHandler-/127.0.0.1:40268:LearnerHandler@805] - Synchronizing with Learner sid: 1 maxCommittedLog=0x0 minCommittedLog=0x0 lastProcessedZxid=0x0 peerLastZxid=0x0
2026-12-06 11:19:24,449 - INFO  [LearnerHandler-/127.0.0.1:40268:LearnerHandler@850] - Sending DIFF zxid=0x0 for peer sid: 1
2026-12-06 11:19:24,597 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:11002)(secure=disabled):Leader@1519] - Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000
";
const S1: &str = "\
2026-12-06 11:19:22,909 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=1
2026-12-06 11:19:24,420 - INFO  [LeaderConnector-/127.0.0.1:12002:Learner$LeaderConnector@384] - Successfully connected to leader, using address: /127.0.0.1:12002
2026-12-06 11:19:24,470 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Learner@565] - Getting a diff from the leader 0x0
2026-12-06 11:19:24,479 - INFO  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Learner@737] - Learner received NEWLEADER message
2026-12-06 11:19:31,122 - WARN  [QuorumPeer[myid=1](plain=127.0.0.1:11001)(secure=disabled):Follower@128] - Exception when following the leader
java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
";

fn file(name: &str, text: &str) -> InputFile {
    InputFile {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

fn two() -> Import {
    import(&[file("a/zookeeper.log", S2), file("b/zookeeper.log", S1)])
}

#[test]
fn servers_come_from_the_logs_own_words() {
    let imp = two();
    assert_eq!(
        imp.servers.iter().map(|s| s.sid).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(imp.servers.iter().all(|s| s.sid_from == SidSource::LogText));
    assert_eq!(imp.lines.len(), 12);
    assert_eq!(imp.unknown.total, 0);
    assert!(imp.problems.is_empty(), "{:?}", imp.problems);
    // The stack trace belongs to the line above it.
    let lost = imp
        .lines
        .iter()
        .find(|l| l.text.starts_with("Exception when"))
        .unwrap();
    assert_eq!(lost.more.len(), 2);
    assert!(imp
        .events
        .iter()
        .any(|e| e.kind == EventKind::ReadTimeout { peer: None } && e.sid == 1));
    // Time order, events pointing at their lines.
    assert!(imp.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert!(imp
        .events
        .iter()
        .all(|e| imp.lines[e.line].at_ms == e.at_ms && imp.lines[e.line].sid == e.sid));
}

#[test]
fn the_summary_has_the_leader_and_the_sync() {
    let s = summary(&two());
    assert_eq!(s.leaders.len(), 1);
    assert_eq!((s.leaders[0].sid, s.leaders[0].epoch), (2, 1));
    assert_eq!(s.syncs.len(), 1);
    let y = &s.syncs[0];
    assert_eq!(
        (y.learner, y.leader, y.epoch, y.mode),
        (1, 2, Some(1), SyncMode::Diff)
    );
}

/// `text` with every stamp of the lines moved by `ms`.
fn shifted(text: &str, ms: i64) -> String {
    text.lines()
        .map(|l| match line::parse_stamp(l) {
            Some(t) => format!("{}{}\n", line::format_stamp(t + ms), &l[23..]),
            None => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn a_learner_whose_clock_runs_ahead_is_corrected_within_the_bounds_of_its_pairs() {
    let imp = import(&[
        file("a/zookeeper.log", S2),
        file("b/zookeeper.log", &shifted(S1, 5_000)),
    ]);
    let k = imp.skew.iter().find(|k| k.sid == 1).unwrap();
    assert_eq!(k.reference, 2);
    // Sending DIFF 24,449 -> Getting a diff 29,470: at most 5021;
    // NEWLEADER 29,479 -> Have quorum 24,597: at least 4882;
    // connected 29,420 -> Follower sid 24,440: at least 4980.
    assert_eq!((k.lower_ms, k.upper_ms), (Some(4_980), Some(5_021)));
    assert_eq!(k.offset_ms, 4_980);
    assert_eq!(k.pairs.len(), 3);
    let s = summary(&imp);
    assert_eq!((s.syncs[0].leader, s.syncs[0].epoch), (2, Some(1)));
    let getting = imp
        .lines
        .iter()
        .find(|l| l.text.starts_with("Getting a diff"))
        .unwrap();
    assert_eq!(getting.raw_ms - getting.at_ms, 4_980);
    // Unshifted, the pairs allow 0: no correction.
    assert!(two().skew.iter().all(|k| k.offset_ms == 0));
}

#[test]
fn any_split_of_the_feed_gives_the_same_import() {
    let whole = two();
    for step in [1usize, 2, 3, 7, 64, 1000] {
        let mut im = Importer::new();
        let a = im.add_file("a/zookeeper.log", None);
        let b = im.add_file("b/zookeeper.log", None);
        // Interleaved slices of both files.
        let (x, y) = (S2.as_bytes(), S1.as_bytes());
        for k in (0..x.len().max(y.len())).step_by(step) {
            im.feed(a, x.get(k..(k + step).min(x.len())).unwrap_or(&[]));
            im.feed(b, y.get(k..(k + step).min(y.len())).unwrap_or(&[]));
        }
        assert_eq!(im.finish(), whole, "step {step}");
    }
}

#[test]
fn messy_files_each_get_a_clear_problem_and_the_rest_is_kept() {
    let mut latin1 = S1.as_bytes().to_vec();
    latin1.extend_from_slice(b"2026-12-06 11:19:32,000 - INFO  [main:X@1] - caf\xe9\n");
    let crlf_bom = format!("\u{feff}{}", S2.replace('\n', "\r\n"));
    let imp = import(&[
        file("s2/zookeeper.log", &crlf_bom),
        InputFile {
            name: "s1/zookeeper.log".into(),
            bytes: latin1,
        },
        InputFile {
            name: "core.bin".into(),
            bytes: vec![0, 1, 2, 0xff, 0, 10, 0, 0],
        },
        file(
            "syslog",
            "Dec  6 11:19:50 host kernel: usb 1-1: new device\nDec  6 11:19:51 host cron[1]: job\n",
        ),
        file(
            "s3/zookeeper.log",
            "2026-12-06 11:19:22,909 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, my",
        ),
        file("empty.log", ""),
    ]);
    let kinds: Vec<(usize, ProblemKind)> = imp.problems.iter().map(|p| (p.file, p.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (1, ProblemKind::Encoding),
            (2, ProblemKind::Binary),
            (3, ProblemKind::NotZooKeeper),
            (4, ProblemKind::Truncated),
            (5, ProblemKind::Empty),
        ]
    );
    // BOM and CRLF change nothing; the Latin-1 line is kept, replaced.
    assert_eq!(imp.lines.iter().filter(|l| l.sid == 2).count(), 7);
    assert!(imp.lines.iter().all(|l| !l.text.ends_with('\r')));
    assert!(imp.lines.iter().any(|l| l.text == "caf\u{fffd}"));
    // The cut line is read as it is: server 3 from its file name.
    assert_eq!(imp.files[4].sid_from, SidSource::FileName);
    // The binary file's and the syslog's lines are not "lines not
    // understood": their problems say the files were not read.
    assert_eq!(imp.unknown.total, 0);
    assert_eq!(imp.unknown.in_files_not_read, 2 + 2);
    assert!(imp.unknown.files.is_empty());
}

#[test]
fn the_layouts_myid_wins_over_the_users_word_which_wins_over_the_name() {
    let myid = "2024-01-15 08:01:02,003 [myid:3] - INFO  [main:QuorumPeerMain@1] - hello\n";
    let plain = "2024-01-15 08:01:02,003 - INFO  [main:X@1] - hello\n";
    let mut im = Importer::new();
    let a = im.add_file("s1/zookeeper.log", Some(4));
    im.feed(a, myid.as_bytes());
    let b = im.add_file("s1/zookeeper.log", Some(4));
    im.feed(b, plain.as_bytes());
    let c = im.add_file("s1/zookeeper.log", None);
    im.feed(c, plain.as_bytes());
    let d = im.add_file("x.log", None);
    im.feed(d, plain.as_bytes());
    let imp = im.finish();
    let got: Vec<(u32, SidSource)> = imp.files.iter().map(|f| (f.sid, f.sid_from)).collect();
    assert_eq!(
        got,
        vec![
            (3, SidSource::Myid),
            (4, SidSource::User),
            (1, SidSource::FileName),
            (0, SidSource::Unknown)
        ]
    );
    let kinds: Vec<ProblemKind> = imp.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::SidConflict, ProblemKind::NoSid]);
}

#[test]
fn rolled_files_of_a_server_are_read_oldest_first() {
    let old = "2026-12-06 10:00:00,000 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=1\n";
    let new = "2026-12-06 11:00:00,000 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=1\n";
    let imp = import(&[file("zookeeper.log", new), file("zookeeper.log.1", old)]);
    assert_eq!(imp.servers.len(), 1);
    assert_eq!(imp.servers[0].files, vec![1, 0]);
    assert_eq!(imp.servers[0].starts, 2);
}

#[test]
fn config_and_fourlw_files_are_recognized_by_content() {
    let imp = import(&[
        file("conf/zoo.cfg", "tickTime=2000\ninitLimit=10\nsyncLimit=5\nserver.1=h1:2888:3888\nserver.2=h2:2888:3888:observer\n"),
        file("out.txt", "zk_version\t3.8.0\nzk_server_state\tfollower\n"),
    ]);
    let cfg = imp.config.as_ref().unwrap();
    assert_eq!(cfg.sync_limit, Some(5));
    assert_eq!(cfg.servers.len(), 2);
    assert_eq!(imp.fourlw.len(), 1);
    assert_eq!(imp.fourlw[0].mode.as_deref(), Some("follower"));
    assert!(imp.problems.is_empty());
}

#[test]
fn a_myid_file_names_the_server_of_the_logs_above_it_and_data_files_are_not_read() {
    let plain = "2024-01-15 08:01:02,003 - INFO  [main:X@1] - hello\n";
    let mut long = "2024-01-15 08:01:02,004 - INFO  [main:X@1] - ".to_string();
    long.push_str(&"é".repeat(40_000));
    long.push('\n');
    let imp = import(&[
        file("host-a/logs/zookeeper.log", &format!("{plain}{long}")),
        file("host-a/logs/data/myid", "7\n"),
        InputFile {
            name: "host-a/logs/data/version-2/log.100000001".into(),
            bytes: vec![0; 4096],
        },
    ]);
    assert_eq!(
        (imp.files[0].sid, imp.files[0].sid_from),
        (7, SidSource::MyidFile)
    );
    assert_eq!(
        imp.files[2].kind,
        FileKind::DataFile {
            what: "txn log".into()
        }
    );
    // The 80,000-byte line is cut at 64 KiB (inside a character: replaced).
    assert_eq!(imp.files[0].cut, 1);
    // 65,536 bytes less the 45 before the message: 65,491, an odd count of
    // two-byte characters; the half one is replaced by U+FFFD (3 bytes).
    assert_eq!(imp.lines[1].text.len(), reader::MAX_LINE - 45 - 1 + 3);
    let kinds: Vec<ProblemKind> = imp.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![ProblemKind::Truncated, ProblemKind::Encoding]);
}
