//! Four-letter words ("4lw"): the text a ZooKeeper 3.8.0 server writes back
//! when an operator sends `srvr`, `stat`, `mntr`, ... to its client port.
//!
//! This module is pure formatting. [`run`] is a function of a command word,
//! a plain-data snapshot of one server ([`Stats`]) and the whitelist switch;
//! it knows nothing about the simulator, keeps no state and performs no side
//! effect. Formats follow ZooKeeper's own code (`server/command/*Command`,
//! `ServerStats.toString`, `ServerCnxn.dumpConnectionInfo`,
//! `ZooKeeperServer`/`QuorumZooKeeperServer.dumpConf`, `WatchManager`,
//! `MonitorCommand` and the registered gauges) and were checked byte for byte
//! against the verbatim outputs in docs/REAL-ZK.md; where that page and the source
//! differ (trailing newlines), the source wins and a test says so.
//!
//! # Contract
//! - The caller answers only for a running process; a killed server answers
//!   nothing (the connection is refused). [`run`] returns exactly the bytes
//!   ZooKeeper writes before closing the connection: most answers end in
//!   `\n`, `ruok`, `isro`, `gtmk`, `stmk` and `conf` do not (see [`run`]).
//! - The caller owns every side effect the real command has: `crst` resets
//!   each connection's counters, `srst` resets the server counters, the
//!   metrics and the leader's proposal sizes, `stmk` sets the trace mask.
//! - What the querying connection does to the counters is also the caller's:
//!   ZooKeeper counts the 4-byte word as one received packet (connection and
//!   server) before running the command, and the querying connection is
//!   listed by `stat`/`cons` and counted in `Connections:`. Put it in
//!   [`Stats::connections`] (see [`ClientConn::four_letter_word`]).
//! - Orders that come from Java hash maps (connections, watches, sessions
//!   with ephemerals) are the caller's order; `mntr` keys follow the order a
//!   real 3.8.0 server printed them in.
//!
//! It never panics: no indexing, no `unwrap`, no unchecked arithmetic; a
//! command word that is not valid UTF-8 or shorter than four bytes is simply
//! not a command.
//!
//! # Layout
//! One file per command family, each with its own tests:
//! - this file: the command words, the whitelist, [`run`] (the dispatcher)
//!   and [`Stats`], the plain-data snapshot every family reads;
//! - `srvr`: server statistics (`srvr`, `stat`, `srst`);
//! - `cons`: client connections (`cons`, `crst`, [`ClientConn`]);
//! - `conf`: configuration and environment (`conf`, `envi`, [`Conf`]);
//! - `watches`: `wchs`, `wchc`, `wchp` ([`Watch`]);
//! - `dump`: session and connection expiry (`dump`, [`DumpData`]);
//! - `mntr`: the monitor command's keys, in the real server's order;
//! - `misc`: health and small answers (`ruok`, `isro`, `dirs`, `gtmk`,
//!   `stmk`, `hash`) and what a server that is not serving answers;
//! - `java`: Java's `Double.toString` and `Date.toString`.
//!
//! A family formats only from [`Stats`] and its own types. Families do not
//! call each other, except that `stat` and `dump` list connections the way
//! `cons` does ([`ClientConn`]'s `dumpConnectionInfo`); `java` is shared.

pub use crate::metrics::{Metrics, PctSummary, Summary};

mod conf;
mod cons;
mod dump;
#[cfg(test)]
mod fixtures;
mod java;
mod misc;
mod mntr;
mod srvr;
mod watches;

pub use conf::{Conf, Member, PeerType};
pub use cons::ClientConn;
pub use dump::{DumpData, ExpiryBucket, SessionDump};
pub use java::java_double;
/// `mntr` keys of machinery ZabLab does not model, with the reason.
pub use mntr::UNMODELLED as MNTR_UNMODELLED;
pub use watches::Watch;

/// Our `Version.getFullVersion()`: the version line of `srvr`/`stat`, the
/// `zk_version` of `mntr` and `zookeeper.version` of `envi`. Real 3.8.0 says
/// `3.8.0-<git commit>, built on <date> UTC`.
pub const ZK_VERSION: &str = "3.8.0-zablab, built on 2026-11-25 00:00 UTC";

/// `AbstractFourLetterCommand.ZK_NOT_SERVING`, without the line end.
pub const NOT_SERVING: &str = "This ZooKeeper instance is not currently serving requests";

/// Every word `FourLetterCommands` knows (its `cmd2String`, less the telnet
/// close sequence, which is not UTF-8). `*` in the whitelist enables these.
pub const KNOWN_COMMANDS: [&str; 18] = [
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat",
    "wchc", "wchp", "wchs", "mntr", "isro", "hash",
];

/// `ZooTrace`'s initial text trace mask (client request, server packet,
/// session and warning bits), what `gtmk` prints until `stmk` changes it.
pub const DEFAULT_TRACE_MASK: i64 = 0b1_0011_0010;

/// Which `ZooKeeperServer` subclass is serving: the `Mode:` line of
/// `srvr`/`stat` and `zk_server_state` of `mntr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `LeaderZooKeeperServer`.
    Leader,
    /// `FollowerZooKeeperServer`.
    Follower,
    /// `ObserverZooKeeperServer`.
    Observer,
    /// Plain `ZooKeeperServer` (no ensemble).
    Standalone,
    /// `ReadOnlyZooKeeperServer` (a partitioned peer with
    /// `readonlymode.enabled`).
    ReadOnly,
}

impl Mode {
    /// `ZooKeeperServer.getState()` of that subclass.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Leader => "leader",
            Mode::Follower => "follower",
            Mode::Observer => "observer",
            Mode::Standalone => "standalone",
            Mode::ReadOnly => "read-only",
        }
    }

    /// A `QuorumZooKeeperServer` (has `peer_state`, `quorum_size` and the
    /// `membership:` part of `conf`).
    fn is_quorum(self) -> bool {
        matches!(self, Mode::Leader | Mode::Follower | Mode::Observer)
    }
}
/// The leader's `BufferStats` of serialized proposal sizes (bytes): `-1`
/// each before the first proposal and after `srst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProposalSizes {
    /// Size of the last proposal.
    pub last: i64,
    /// Smallest.
    pub min: i64,
    /// Largest.
    pub max: i64,
}

impl Default for ProposalSizes {
    fn default() -> Self {
        ProposalSizes {
            last: -1,
            min: -1,
            max: -1,
        }
    }
}

/// ZooKeeper's `BufferStats` (last/min/max of a buffer size), the type
/// behind both the proposal and the client response sizes.
pub type BufferStats = ProposalSizes;

impl ProposalSizes {
    /// `BufferStats.setLastBufferSize`.
    pub fn record(&mut self, size: i64) {
        self.last = size;
        if self.min == -1 || size < self.min {
            self.min = size;
        }
        if size > self.max {
            self.max = size;
        }
    }
}
/// A snapshot of one running server: everything the 4lw answers print.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// `isRunning()` of its ZooKeeperServer: false while LOOKING, while a
    /// learner syncs (before UPTODATE) and while a leader waits for a quorum
    /// of NEWLEADER ACKs.
    pub serving: bool,
    /// The serving subclass.
    pub mode: Mode,
    /// `QuorumPeer.getDetailedPeerState()`, e.g. `leading - broadcast`,
    /// `following - synchronization - diff` (`zk_peer_state`).
    pub peer_state: String,
    /// Last processed zxid (`Zxid:`).
    pub zxid: u64,
    /// Request latencies, ms (`Latency min/avg/max`, `zk_*_latency`).
    pub latency: Summary,
    /// Packets received from clients (`Received:`, `zk_packets_received`).
    pub packets_received: u64,
    /// Packets sent to clients (`Sent:`, `zk_packets_sent`).
    pub packets_sent: u64,
    /// Requests in the processor pipeline (`Outstanding:`).
    pub outstanding_requests: u64,
    /// Znodes in the tree, including `/`, `/zookeeper` and its children
    /// (`Node count:`, `zk_znode_count`).
    pub node_count: u64,
    /// Client connections, the querying one included; their number is
    /// `Connections:` and `zk_num_alive_connections`.
    pub connections: Vec<ClientConn>,
    /// `wchs`: connections with at least one data watch.
    pub watching_connections: u64,
    /// `wchs`: paths with at least one data watch.
    pub watched_paths: u64,
    /// `wchs`: data watches (one per connection and path).
    pub total_watches: u64,
    /// The data watches themselves, for `wchc`/`wchp`.
    pub data_watches: Vec<Watch>,
    /// `zk_watch_count`: data watches plus child watches.
    pub watch_count: u64,
    /// Ephemeral znodes (`zk_ephemerals_count`).
    pub ephemerals_count: u64,
    /// Sum over znodes of path length plus data length
    /// (`zk_approximate_data_size`).
    pub approximate_data_size: u64,
    /// Global sessions in this server's database (`zk_global_sessions`).
    pub global_sessions: u64,
    /// Voting members of the configuration (`zk_quorum_size`).
    pub quorum_size: u64,
    /// ms since this ZooKeeperServer object (one per role stint) was created
    /// (`zk_uptime`).
    pub uptime_ms: u64,
    /// Leader only: proposal sizes (`Proposal sizes last/min/max`).
    pub proposal_sizes: ProposalSizes,
    /// Leader only: learner handlers, synced or not, observers included
    /// (`zk_learners`).
    pub learners: u64,
    /// Leader only: synced followers receiving broadcast
    /// (`zk_synced_followers`).
    pub synced_followers: u64,
    /// Leader only: synced followers that are not voters of the current
    /// configuration (`zk_synced_non_voting_followers`).
    pub synced_non_voting_followers: u64,
    /// Leader only: synced observers (`zk_synced_observers`; a follower has
    /// this gauge only as an observer master, not modelled here).
    pub synced_observers: u64,
    /// Leader only: sync requests waiting for their commit
    /// (`zk_pending_syncs`).
    pub pending_syncs: u64,
    /// Leader only: ms since the leader began serving (`zk_leader_uptime`).
    pub leader_uptime_ms: u64,
    /// `ServerStats.clientResponseStats`: sizes of the responses sent to
    /// clients (`zk_last/min/max_client_response_size`, `-1` before any).
    pub client_response_sizes: BufferStats,
    /// File descriptors the process holds (`zk_open_file_descriptor_count`):
    /// here the sockets and files the simulated server has open.
    pub open_file_descriptor_count: u64,
    /// Bytes of watch paths (`zk_watch_bytes`).
    pub watch_bytes: u64,
    /// Leader only: per learner sid, the packets queued to it and not yet
    /// delivered, now. Not a 4lw line (ZooKeeper shows it only through the
    /// `learner_handler_qp_size` summaries); for the UI and the diagnosis.
    pub learner_queues: Vec<(u64, u64)>,
    /// Process-wide metrics.
    pub metrics: Metrics,
    /// The configuration.
    pub conf: Conf,
    /// `hash`: the recent `(zxid, digest)` pairs of the tree's digest log.
    pub digest_log: Vec<(u64, i64)>,
    /// `gtmk`: the text trace mask.
    pub trace_mask: i64,
    /// `envi`: the entries after `zookeeper.version`, in ZooKeeper's order
    /// (`host.name`, `java.version`, ..., `os.memory.total`).
    pub env: Vec<(String, String)>,
    /// `dump`.
    pub dump: DumpData,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            serving: false,
            mode: Mode::Standalone,
            peer_state: String::new(),
            zxid: 0,
            latency: Summary::default(),
            packets_received: 0,
            packets_sent: 0,
            outstanding_requests: 0,
            node_count: 0,
            connections: Vec::new(),
            watching_connections: 0,
            watched_paths: 0,
            total_watches: 0,
            data_watches: Vec::new(),
            watch_count: 0,
            ephemerals_count: 0,
            approximate_data_size: 0,
            global_sessions: 0,
            quorum_size: 0,
            uptime_ms: 0,
            proposal_sizes: ProposalSizes::default(),
            learners: 0,
            synced_followers: 0,
            synced_non_voting_followers: 0,
            synced_observers: 0,
            pending_syncs: 0,
            leader_uptime_ms: 0,
            client_response_sizes: BufferStats::default(),
            open_file_descriptor_count: 0,
            watch_bytes: 0,
            learner_queues: Vec::new(),
            metrics: Metrics::default(),
            conf: Conf::default(),
            digest_log: Vec::new(),
            trace_mask: DEFAULT_TRACE_MASK,
            env: Vec::new(),
            dump: DumpData::default(),
        }
    }
}

/// Whether ZooKeeper knows this four-letter word.
pub fn is_known(word: &str) -> bool {
    KNOWN_COMMANDS.contains(&word)
}

/// Whether a four-letter-word connection that sends `cmd` asks for a word
/// ZooKeeper knows: it reads the first four bytes; the rest (`srvr\n`,
/// `stmk`'s 8-byte mask) may follow.
pub fn starts_with_known(cmd: &str) -> bool {
    cmd.as_bytes()
        .get(..4)
        .and_then(|w| std::str::from_utf8(w).ok())
        .is_some_and(is_known)
}

/// `FourLetterCommands.isEnabled`: every known word with `*`
/// (`whitelist_all`), else only `srvr`, plus `isro` when
/// `readonlymode.enabled` is set.
pub fn is_whitelisted(word: &str, s: &Stats, whitelist_all: bool) -> bool {
    (whitelist_all && is_known(word))
        || word == "srvr"
        || (word == "isro" && s.conf.readonly_mode_enabled)
}
/// The bytes a ZooKeeper 3.8.0 server writes back for `cmd`.
///
/// ZooKeeper reads the first four bytes of a new connection; the rest
/// (`srvr\n` from `echo srvr | nc`) is ignored, except by `stmk`, which
/// reads the next 8 bytes as a big-endian mask.
///
/// - Unknown word (or fewer than four bytes): ZooKeeper takes the bytes for
///   a packet length, finds it over `jute.maxbuffer`, and closes the
///   connection without a byte: `""`.
/// - Known word not whitelisted: `<cmd> is not executed because it is not in
///   the whitelist.\n`, whatever the server's state (`ruok` included).
/// - `ruok`: `imok`, serving or not (no line end). `envi`, `gtmk`, `stmk`
///   also answer when not serving.
/// - Not serving: `isro` → `null`; `hash` → [`NOT_SERVING`] without a line
///   end; every other command → [`NOT_SERVING`] + `\n`.
/// - Serving: `srvr`, `stat`, `conf` (no final line end: the configuration
///   ends in `version=<hex>`), `cons` (a blank line after the list, so just
///   `\n` with no connection), `wchs`, `wchc`, `wchp`, `mntr`, `isro` (`rw`,
///   `ro` read-only), `crst`, `srst`, `dirs`, `hash`, `dump`.
/// - `stmk` without its 8-byte argument: the server fails reading it and
///   closes the connection: `""`.
pub fn run(cmd: &str, s: &Stats, whitelist_all: bool) -> String {
    let Some(word) = cmd.as_bytes().get(..4) else {
        return String::new();
    };
    let Ok(word) = std::str::from_utf8(word) else {
        return String::new();
    };
    if !is_known(word) {
        return String::new();
    }
    if !is_whitelisted(word, s, whitelist_all) {
        return format!("{word} is not executed because it is not in the whitelist.\n");
    }
    // The commands that answer whether the server serves or not.
    match word {
        "ruok" => return misc::ruok(),
        "envi" => return conf::envi(s),
        "gtmk" => return misc::gtmk(s),
        "stmk" => return misc::stmk(cmd),
        _ => {}
    }
    if !s.serving {
        return misc::not_serving(word);
    }
    let mut out = String::new();
    match word {
        "srvr" => srvr::stat(s, false, &mut out),
        "stat" => srvr::stat(s, true, &mut out),
        "srst" => srvr::srst(&mut out),
        "cons" => cons::cons(s, &mut out),
        "crst" => cons::crst(&mut out),
        "conf" => conf::conf(s, &mut out),
        "wchs" => watches::wchs(s, &mut out),
        "wchc" => watches::wchc(s, &mut out),
        "wchp" => watches::wchp(s, &mut out),
        "mntr" => mntr::mntr(s, &mut out),
        "dump" => dump::dump(s, &mut out),
        "isro" => misc::isro(s, &mut out),
        "dirs" => misc::dirs(s, &mut out),
        "hash" => misc::hash(s, &mut out),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fixtures::{follower_sid1, leader_sid3};
    use super::*;

    #[test]
    fn not_serving_answers() {
        let mut s = leader_sid3();
        s.serving = false;
        for cmd in [
            "srvr", "stat", "mntr", "conf", "cons", "wchs", "wchc", "wchp", "dump", "crst", "srst",
            "dirs",
        ] {
            assert_eq!(
                run(cmd, &s, true),
                "This ZooKeeper instance is not currently serving requests\n",
                "{cmd}"
            );
        }
        // DigestCommand print()s it: no line end (docs/PROTOCOL.md §13 lists it with
        // the others).
        assert_eq!(
            run("hash", &s, true),
            "This ZooKeeper instance is not currently serving requests"
        );
        assert_eq!(run("isro", &s, true), "null");
        assert_eq!(run("ruok", &s, true), "imok");
        assert_eq!(run("gtmk", &s, true), "306");
        assert!(run("envi", &s, true).starts_with("Environment:\nzookeeper.version=3.8.0-"));
    }

    #[test]
    fn ruok_is_imok_without_newline() {
        assert_eq!(run("ruok", &leader_sid3(), true), "imok");
        assert_eq!(run("ruok\n", &follower_sid1(), true), "imok");
    }

    #[test]
    fn whitelist_refuses_known_words_but_srvr() {
        let s = leader_sid3();
        assert_eq!(
            run("stat", &s, false),
            "stat is not executed because it is not in the whitelist.\n"
        );
        assert_eq!(
            run("mntr", &s, false),
            "mntr is not executed because it is not in the whitelist.\n"
        );
        // ruok is not in the default whitelist either.
        assert_eq!(
            run("ruok", &s, false),
            "ruok is not executed because it is not in the whitelist.\n"
        );
        assert_eq!(
            run("isro", &s, false),
            "isro is not executed because it is not in the whitelist.\n"
        );
        // The refusal does not depend on serving.
        let mut down = s.clone();
        down.serving = false;
        assert_eq!(
            run("cons", &down, false),
            "cons is not executed because it is not in the whitelist.\n"
        );
        assert!(run("srvr", &s, false).starts_with("Zookeeper version: "));
        let mut ro = s;
        ro.conf.readonly_mode_enabled = true;
        assert_eq!(run("isro", &ro, false), "rw");
    }

    #[test]
    fn unknown_or_short_words_get_no_answer() {
        let s = leader_sid3();
        assert_eq!(run("abcd", &s, true), "");
        assert_eq!(run("SRVR", &s, true), "");
        assert_eq!(run("srv", &s, true), "");
        assert_eq!(run("", &s, false), "");
        assert_eq!(run("sr\u{e9}", &s, true), "");
        assert_eq!(run("stmk", &s, true), "");
        assert_eq!(run("stmk\0\0\0\0\0\0\x01\x32", &s, true), "306");
        assert!(run("srvr\n", &s, true).starts_with("Zookeeper version: "));
    }

    #[test]
    fn standalone_has_no_quorum_keys_or_membership() {
        let mut s = leader_sid3();
        s.mode = Mode::Standalone;
        s.conf.server_id = 0;
        let out = run("mntr", &s, true);
        assert!(out.contains("zk_server_state\tstandalone\n"));
        assert!(!out.contains("zk_peer_state"));
        assert!(!out.contains("zk_quorum_size"));
        assert!(!out.contains("zk_learners"));
        let conf = run("conf", &s, true);
        assert!(
            conf.ends_with("clientPortListenBacklog=-1\nserverId=0\n"),
            "{conf}"
        );
        assert!(!run("srvr", &s, true).contains("Proposal sizes"));
    }

    #[test]
    fn read_only_mode() {
        let mut s = follower_sid1();
        s.mode = Mode::ReadOnly;
        assert_eq!(run("isro", &s, true), "ro");
        let srvr = run("srvr", &s, true);
        assert!(srvr.contains(
            "UTC\nREAD-ONLY mode; serving only read-only clients\nLatency min/avg/max: "
        ));
        assert!(srvr.contains("Mode: read-only\n"));
        let conf = run("conf", &s, true);
        assert!(conf.ends_with("quorumPort=28881\npeerType=0\n"), "{conf}");
        assert!(!run("mntr", &s, true).contains("zk_peer_state"));
        assert_eq!(run("isro", &follower_sid1(), true), "rw");
    }

    #[test]
    fn summary_and_proposal_sizes_accumulate() {
        let mut l = Summary::default();
        for v in [5, 1, 9] {
            l.add(v);
        }
        assert_eq!((l.count, l.total, l.min, l.max), (3, 15, 1, 9));
        assert_eq!(java_double(l.avg()), "5.0");
        let mut p = ProposalSizes::default();
        let mut s = leader_sid3();
        s.proposal_sizes = p;
        assert!(run("srvr", &s, true).ends_with("Proposal sizes last/min/max: -1/-1/-1\n"));
        p.record(60);
        p.record(48);
        p.record(88);
        p.record(60);
        assert_eq!(
            p,
            ProposalSizes {
                last: 60,
                min: 48,
                max: 88
            }
        );
    }
}
