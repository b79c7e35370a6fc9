//! Test fixtures of the four-letter words: the two servers of
//! docs/REAL-ZK.md's ensemble as their `srvr` answers showed them, and the
//! version line of its verbatim outputs. Test-only; no formatting here.

use super::{ClientConn, Conf, Metrics, Mode, ProposalSizes, Stats, Summary, Watch, ZK_VERSION};

/// The version line of docs/REAL-ZK.md's verbatim outputs.
pub(super) const REAL_VERSION: &str = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

/// A verbatim docs/REAL-ZK.md output with our version string substituted.
pub(super) fn real(text: &str) -> String {
    text.replace(REAL_VERSION, ZK_VERSION)
}

/// docs/REAL-ZK.md, LEADING (sid 3), as `srvr` saw it.
pub(super) fn leader_sid3() -> Stats {
    let mut conf = Conf::loopback(3, &[1, 2, 3], &[]);
    conf.data_dir_size = 67_109_477;
    conf.data_log_size = 67_109_477;
    Stats {
        serving: true,
        mode: Mode::Leader,
        peer_state: "leading - broadcast".to_string(),
        zxid: 0x1_0000_000b,
        packets_received: 3,
        packets_sent: 2,
        node_count: 6,
        connections: vec![ClientConn::four_letter_word("/127.0.0.1:51668")],
        global_sessions: 1,
        approximate_data_size: 186,
        quorum_size: 3,
        uptime_ms: 771,
        proposal_sizes: ProposalSizes {
            last: 60,
            min: 48,
            max: 88,
        },
        learners: 2,
        synced_followers: 2,
        leader_uptime_ms: 455,
        metrics: Metrics {
            proposal_count: 11,
            commit_count: 11,
            looking_count: 1,
            diff_count: 2,
            ..Metrics::default()
        },
        conf,
        ..Stats::default()
    }
}

/// docs/REAL-ZK.md, FOLLOWING (sid 1): 13 requests, 4..31 ms, 123 ms in all.
pub(super) fn follower_sid1() -> Stats {
    let mut conf = Conf::loopback(1, &[1, 2, 3], &[]);
    conf.data_dir_size = 67_109_477;
    conf.data_log_size = 67_109_477;
    let session = ClientConn {
        addr: "/127.0.0.1:58988".to_string(),
        interest_ops: 1,
        recved: 13,
        sent: 13,
        session_id: 0x0100_000e_1633_0000,
        last_op: "GETD".to_string(),
        established_ms: 1_795_574_895_490,
        timeout_ms: 10_000,
        last_cxid: 0xc,
        last_zxid: 0x1_0000_000b,
        last_response_ms: 923_605,
        last_latency_ms: 4,
        latency: Summary {
            count: 13,
            total: 123,
            min: 0,
            max: 31,
        },
        ..ClientConn::default()
    };
    Stats {
        serving: true,
        mode: Mode::Follower,
        peer_state: "following - broadcast".to_string(),
        zxid: 0x1_0000_000b,
        latency: Summary {
            count: 13,
            total: 123,
            min: 4,
            max: 31,
        },
        packets_received: 16,
        packets_sent: 15,
        node_count: 6,
        connections: vec![session, ClientConn::four_letter_word("/127.0.0.1:59034")],
        watching_connections: 1,
        watched_paths: 1,
        total_watches: 1,
        data_watches: vec![Watch {
            session_id: 0x0100_000e_1633_0000,
            path: "/a".to_string(),
        }],
        watch_count: 1,
        global_sessions: 1,
        approximate_data_size: 186,
        quorum_size: 3,
        uptime_ms: 653,
        metrics: Metrics {
            looking_count: 1,
            learner_proposal_received_count: 11,
            learner_commit_received_count: 11,
            ..Metrics::default()
        },
        conf,
        ..Stats::default()
    }
}
