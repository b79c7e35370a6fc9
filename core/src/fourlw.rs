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
//! against the verbatim outputs in REAL-ZK.md; where that page and the source
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

use std::fmt::Write as _;

pub use crate::metrics::{Metrics, PctSummary, Summary};

mod mntr;

/// `mntr` keys of machinery ZabLab does not model, with the reason.
pub use mntr::UNMODELLED as MNTR_UNMODELLED;

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

/// `LearnerType`: a server's role in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerType {
    /// Voting member (`peerType=0`, `:participant`).
    Participant,
    /// Non-voting observer (`peerType=1`, `:observer`).
    Observer,
}

impl PeerType {
    fn ordinal(self) -> u8 {
        match self {
            PeerType::Participant => 0,
            PeerType::Observer => 1,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            PeerType::Participant => "participant",
            PeerType::Observer => "observer",
        }
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

/// One client connection (`ServerCnxn`), as `stat` and `cons` list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConn {
    /// Remote address as Java prints an `InetSocketAddress`:
    /// `/127.0.0.1:51668`.
    pub addr: String,
    /// Selector interest ops: `0` once a 4lw connection stopped reading,
    /// `1` (OP_READ) for a normal idle session; printed in hex.
    pub interest_ops: u32,
    /// Outstanding requests of this connection.
    pub queued: u64,
    /// Packets received on it (a 4lw connection: 1).
    pub recved: u64,
    /// Packets sent on it.
    pub sent: u64,
    /// Session id; `0` (no session, e.g. a 4lw connection) prints the brief
    /// form even in `cons`.
    pub session_id: u64,
    /// Last operation's short name (`GETD`, `CREA`, `PING`, `SESS`, ...);
    /// `NA` before any.
    pub last_op: String,
    /// Wall-clock time the connection was accepted, ms since the epoch.
    pub established_ms: i64,
    /// Negotiated session timeout, ms.
    pub timeout_ms: u64,
    /// Last client xid; `-1` before any (then `lcxid` is not printed).
    pub last_cxid: i64,
    /// Zxid of the last response; `-1` before any.
    pub last_zxid: i64,
    /// Time of the last response on ZooKeeper's elapsed (monotonic) clock,
    /// ms; `0` before any.
    pub last_response_ms: i64,
    /// Latency of the last response, ms.
    pub last_latency_ms: i64,
    /// This connection's response latencies: `minlat`, `maxlat` and
    /// `avglat` (an integer division here, unlike the server's average).
    pub latency: Summary,
}

impl Default for ClientConn {
    fn default() -> Self {
        ClientConn {
            addr: String::new(),
            interest_ops: 0,
            queued: 0,
            recved: 0,
            sent: 0,
            session_id: 0,
            last_op: "NA".to_string(),
            established_ms: 0,
            timeout_ms: 0,
            last_cxid: -1,
            last_zxid: -1,
            last_response_ms: 0,
            last_latency_ms: 0,
            latency: Summary::default(),
        }
    }
}

impl ClientConn {
    /// The connection a 4lw itself arrives on, as it shows while its command
    /// runs: `[0](queued=0,recved=1,sent=0)`.
    pub fn four_letter_word(addr: &str) -> Self {
        ClientConn {
            addr: addr.to_string(),
            recved: 1,
            ..ClientConn::default()
        }
    }

    /// `ServerCnxn.dumpConnectionInfo(pw, brief)`, without a line end.
    fn dump(&self, brief: bool, out: &mut String) {
        out.push(' ');
        out.push_str(&self.addr);
        out.push('[');
        let _ = write!(out, "{:x}", self.interest_ops);
        let _ = write!(
            out,
            "](queued={},recved={},sent={}",
            self.queued, self.recved, self.sent
        );
        if !brief && self.session_id != 0 {
            let _ = write!(
                out,
                ",sid=0x{:x},lop={},est={},to={}",
                self.session_id, self.last_op, self.established_ms, self.timeout_ms
            );
            if self.last_cxid >= 0 {
                let _ = write!(out, ",lcxid=0x{:x}", self.last_cxid);
            }
            let avg = self
                .latency
                .total
                .checked_div(self.latency.count)
                .unwrap_or(0);
            let _ = write!(
                out,
                ",lzxid=0x{:x},lresp={},llat={},minlat={},avglat={},maxlat={}",
                self.last_zxid as u64,
                self.last_response_ms,
                self.last_latency_ms,
                self.latency.min_or_zero(),
                avg,
                self.latency.max_or_zero()
            );
        }
        out.push(')');
    }
}

/// One server of the configuration (`QuorumServer`), a `server.N=` line of
/// `conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Server id.
    pub sid: u64,
    /// Host of both ports (IPv6 is printed in brackets).
    pub host: String,
    /// Quorum (learner) port.
    pub quorum_port: u32,
    /// Election port.
    pub election_port: u32,
    /// Participant or observer.
    pub peer_type: PeerType,
}

/// The configuration `conf` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conf {
    /// `clientPort`.
    pub client_port: i64,
    /// `secureClientPort` (-1: none).
    pub secure_client_port: i64,
    /// `dataDir` (the snapshot directory, `.../version-2`).
    pub data_dir: String,
    /// `dataDirSize`, bytes (also `dirs`' `datadir_size`).
    pub data_dir_size: u64,
    /// `dataLogDir` (the txn log directory, `.../version-2`).
    pub data_log_dir: String,
    /// `dataLogSize`, bytes (also `dirs`' `logdir_size`).
    pub data_log_size: u64,
    /// `tickTime`, ms.
    pub tick_time: u64,
    /// `maxClientCnxns` (per host).
    pub max_client_cnxns: u64,
    /// `minSessionTimeout`, ms (default 2 ticks).
    pub min_session_timeout: u64,
    /// `maxSessionTimeout`, ms (default 20 ticks).
    pub max_session_timeout: u64,
    /// `clientPortListenBacklog` (-1: the OS default).
    pub client_port_listen_backlog: i64,
    /// `serverId` (ZooKeeper prints 0 for a standalone server).
    pub server_id: u64,
    /// `initLimit`, ticks.
    pub init_limit: u64,
    /// `syncLimit`, ticks.
    pub sync_limit: u64,
    /// `electionAlg` (3: fast leader election over TCP).
    pub election_alg: u32,
    /// `electionPort` of this server.
    pub election_port: u32,
    /// `quorumPort` of this server.
    pub quorum_port: u32,
    /// `peerType` of this server.
    pub peer_type: PeerType,
    /// The members of the current configuration, printed in this order
    /// (ZooKeeper's order is ascending sid).
    pub members: Vec<Member>,
    /// The configuration's version (`version=`, hex; 0 for a static config).
    pub config_version: u64,
    /// `readonlymode.enabled`: puts `isro` in the default whitelist.
    pub readonly_mode_enabled: bool,
    /// The host's `ulimit -n` (`zk_max_file_descriptor_count`).
    pub max_file_descriptor_count: u64,
    /// `zookeeper.connection_throttle_drop_probability`, in thousandths
    /// (`zk_connection_drop_probability`; 0: throttling off).
    pub connection_drop_probability_milli: u64,
}

impl Default for Conf {
    fn default() -> Self {
        Conf {
            client_port: 2181,
            secure_client_port: -1,
            data_dir: String::new(),
            data_dir_size: 0,
            data_log_dir: String::new(),
            data_log_size: 0,
            tick_time: 2000,
            max_client_cnxns: 60,
            min_session_timeout: 4000,
            max_session_timeout: 40000,
            client_port_listen_backlog: -1,
            server_id: 0,
            init_limit: 10,
            sync_limit: 5,
            election_alg: 3,
            election_port: 3888,
            quorum_port: 2888,
            peer_type: PeerType::Participant,
            members: Vec::new(),
            config_version: 0,
            readonly_mode_enabled: false,
            max_file_descriptor_count: 20_000,
            connection_drop_probability_milli: 0,
        }
    }
}

impl Conf {
    /// The loopback layout of REAL-ZK.md for server `server_id`: client port
    /// `21810+N`, quorum port `28880+N`, election port `38880+N`, host
    /// `127.0.0.1`, data in `/var/lib/zookeeper/sN/data/version-2`;
    /// `participants` and `observers` are the members' sids. Other fields
    /// keep their defaults (tickTime 2000, initLimit 10, syncLimit 5).
    pub fn loopback(server_id: u64, participants: &[u64], observers: &[u64]) -> Self {
        let port =
            |base: u32, sid: u64| base.saturating_add(u32::try_from(sid).unwrap_or(u32::MAX));
        let mut members: Vec<Member> = participants
            .iter()
            .map(|&sid| (sid, PeerType::Participant))
            .chain(observers.iter().map(|&sid| (sid, PeerType::Observer)))
            .map(|(sid, peer_type)| Member {
                sid,
                host: "127.0.0.1".to_string(),
                quorum_port: port(28880, sid),
                election_port: port(38880, sid),
                peer_type,
            })
            .collect();
        members.sort_by_key(|m| m.sid);
        let dir = format!("/var/lib/zookeeper/s{server_id}/data/version-2");
        Conf {
            client_port: i64::from(port(21810, server_id)),
            data_dir: dir.clone(),
            data_log_dir: dir,
            server_id,
            election_port: port(38880, server_id),
            quorum_port: port(28880, server_id),
            peer_type: if observers.contains(&server_id) {
                PeerType::Observer
            } else {
                PeerType::Participant
            },
            members,
            ..Conf::default()
        }
    }
}

/// A data watch (`getData`/`exists` watch) set by a connection's session:
/// what `wchc` and `wchp` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// The watching connection's session id.
    pub session_id: u64,
    /// The watched path.
    pub path: String,
}

/// One bucket of an `ExpiryQueue` (`dump`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryBucket {
    /// Wall-clock expiry time of the bucket, ms since the epoch.
    pub expire_at_ms: i64,
    /// Session ids (session tracker) or indexes into [`Stats::connections`]
    /// (connection expiry queue; an index out of range is left out, also
    /// from the counts).
    pub members: Vec<u64>,
}

/// The session tracker part of `dump`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionDump {
    /// Leader or standalone (`SessionTrackerImpl`, local sessions off):
    /// sessions by expiry bucket, ascending time.
    Expiry(Vec<ExpiryBucket>),
    /// Follower or observer (`LearnerSessionTracker`): the global sessions
    /// this learner knows, `(session id, timeout ms)`.
    Learner(Vec<(u64, u64)>),
}

impl Default for SessionDump {
    fn default() -> Self {
        SessionDump::Expiry(Vec::new())
    }
}

/// What `dump` prints besides the header lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpData {
    /// The session tracker.
    pub sessions: SessionDump,
    /// Sessions holding ephemeral nodes, with their paths.
    pub ephemerals: Vec<(u64, Vec<String>)>,
    /// The NIO connection expiry queue, ascending time.
    pub connection_expiry: Vec<ExpiryBucket>,
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
    match word {
        "ruok" => return "imok".to_string(),
        "envi" => return envi(s),
        "gtmk" => return s.trace_mask.to_string(),
        "stmk" => {
            return match cmd
                .as_bytes()
                .get(4..12)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
            {
                Some(mask) => i64::from_be_bytes(mask).to_string(),
                None => String::new(),
            }
        }
        _ => {}
    }
    if !s.serving {
        return match word {
            "isro" => "null".to_string(),
            "hash" => NOT_SERVING.to_string(),
            _ => format!("{NOT_SERVING}\n"),
        };
    }
    let mut out = String::new();
    match word {
        "srvr" => stat(s, false, &mut out),
        "stat" => stat(s, true, &mut out),
        "conf" => conf(s, &mut out),
        "cons" => {
            for c in &s.connections {
                c.dump(false, &mut out);
                out.push('\n');
            }
            out.push('\n');
        }
        "wchs" => {
            let _ = writeln!(
                out,
                "{} connections watching {} paths\nTotal watches:{}",
                s.watching_connections, s.watched_paths, s.total_watches
            );
        }
        "wchc" => wchc(s, &mut out),
        "wchp" => wchp(s, &mut out),
        "mntr" => mntr::mntr(s, &mut out),
        "isro" => out.push_str(if s.mode == Mode::ReadOnly { "ro" } else { "rw" }),
        "crst" => out.push_str("Connection stats reset.\n"),
        "srst" => out.push_str("Server stats reset.\n"),
        "dirs" => {
            let _ = writeln!(out, "datadir_size: {}", s.conf.data_dir_size);
            let _ = writeln!(out, "logdir_size: {}", s.conf.data_log_size);
        }
        "hash" => {
            for (zxid, digest) in &s.digest_log {
                let _ = writeln!(out, "{zxid:x}: {digest}");
            }
        }
        "dump" => dump(s, &mut out),
        _ => {}
    }
    out
}

/// `StatCommand`: `srvr` (no client list) and `stat`.
fn stat(s: &Stats, with_clients: bool, out: &mut String) {
    let _ = writeln!(out, "Zookeeper version: {ZK_VERSION}");
    if s.mode == Mode::ReadOnly {
        out.push_str("READ-ONLY mode; serving only read-only clients\n");
    }
    if with_clients {
        out.push_str("Clients:\n");
        for c in &s.connections {
            c.dump(true, out);
            out.push('\n');
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Latency min/avg/max: {}/{}/{}",
        s.latency.min_or_zero(),
        java_double(s.latency.avg()),
        s.latency.max_or_zero()
    );
    let _ = writeln!(out, "Received: {}", s.packets_received);
    let _ = writeln!(out, "Sent: {}", s.packets_sent);
    let _ = writeln!(out, "Connections: {}", s.connections.len());
    let _ = writeln!(out, "Outstanding: {}", s.outstanding_requests);
    let _ = writeln!(out, "Zxid: 0x{:x}", s.zxid);
    let _ = writeln!(out, "Mode: {}", s.mode.as_str());
    let _ = writeln!(out, "Node count: {}", s.node_count);
    if s.mode == Mode::Leader {
        let p = s.proposal_sizes;
        let _ = writeln!(
            out,
            "Proposal sizes last/min/max: {}/{}/{}",
            p.last, p.min, p.max
        );
    }
}

/// `dumpConf` of the serving subclass.
fn conf(s: &Stats, out: &mut String) {
    let c = &s.conf;
    let _ = writeln!(out, "clientPort={}", c.client_port);
    let _ = writeln!(out, "secureClientPort={}", c.secure_client_port);
    let _ = writeln!(out, "dataDir={}", c.data_dir);
    let _ = writeln!(out, "dataDirSize={}", c.data_dir_size);
    let _ = writeln!(out, "dataLogDir={}", c.data_log_dir);
    let _ = writeln!(out, "dataLogSize={}", c.data_log_size);
    let _ = writeln!(out, "tickTime={}", c.tick_time);
    let _ = writeln!(out, "maxClientCnxns={}", c.max_client_cnxns);
    let _ = writeln!(out, "minSessionTimeout={}", c.min_session_timeout);
    let _ = writeln!(out, "maxSessionTimeout={}", c.max_session_timeout);
    let _ = writeln!(
        out,
        "clientPortListenBacklog={}",
        c.client_port_listen_backlog
    );
    let _ = writeln!(out, "serverId={}", c.server_id);
    if s.mode == Mode::Standalone {
        return;
    }
    let _ = writeln!(out, "initLimit={}", c.init_limit);
    let _ = writeln!(out, "syncLimit={}", c.sync_limit);
    let _ = writeln!(out, "electionAlg={}", c.election_alg);
    let _ = writeln!(out, "electionPort={}", c.election_port);
    let _ = writeln!(out, "quorumPort={}", c.quorum_port);
    let _ = writeln!(out, "peerType={}", c.peer_type.ordinal());
    if !s.mode.is_quorum() {
        // ReadOnlyZooKeeperServer stops after peerType.
        return;
    }
    out.push_str("membership: \n");
    for m in &c.members {
        let host = if m.host.contains(':') {
            format!("[{}]", m.host)
        } else {
            m.host.clone()
        };
        let _ = writeln!(
            out,
            "server.{}={}:{}:{}:{}",
            m.sid,
            host,
            m.quorum_port,
            m.election_port,
            m.peer_type.as_str()
        );
    }
    let _ = write!(out, "version={:x}", c.config_version);
}

/// `wchc`: data watches by session, then the command's blank line.
fn wchc(s: &Stats, out: &mut String) {
    let mut sessions: Vec<u64> = Vec::new();
    for w in &s.data_watches {
        if !sessions.contains(&w.session_id) {
            sessions.push(w.session_id);
        }
    }
    for sid in sessions {
        let _ = writeln!(out, "0x{sid:x}");
        for w in s.data_watches.iter().filter(|w| w.session_id == sid) {
            let _ = writeln!(out, "\t{}", w.path);
        }
    }
    out.push('\n');
}

/// `wchp`: data watches by path, then the command's blank line.
fn wchp(s: &Stats, out: &mut String) {
    let mut paths: Vec<&str> = Vec::new();
    for w in &s.data_watches {
        if !paths.contains(&w.path.as_str()) {
            paths.push(&w.path);
        }
    }
    for path in paths {
        let _ = writeln!(out, "{path}");
        for w in s.data_watches.iter().filter(|w| w.path == path) {
            let _ = writeln!(out, "\t0x{:x}", w.session_id);
        }
    }
    out.push('\n');
}

/// `EnvCommand`.
fn envi(s: &Stats) -> String {
    let mut out = format!("Environment:\nzookeeper.version={ZK_VERSION}\n");
    for (k, v) in &s.env {
        let _ = writeln!(out, "{k}={v}");
    }
    out
}

/// `ExpiryQueue.dump` after its caller's prefix word.
fn expiry_dump(buckets: &[ExpiryBucket], out: &mut String, elem: impl Fn(u64, &mut String)) {
    let elems: usize = buckets.iter().map(|b| b.members.len()).sum();
    let _ = writeln!(out, "Sets ({})/({}):", buckets.len(), elems);
    for b in buckets {
        let _ = writeln!(
            out,
            "{} expire at {}:",
            b.members.len(),
            java_date(b.expire_at_ms)
        );
        for &e in &b.members {
            out.push('\t');
            elem(e, out);
            out.push('\n');
        }
    }
}

/// `DumpCommand`.
fn dump(s: &Stats, out: &mut String) {
    out.push_str("SessionTracker dump:\n");
    match &s.dump.sessions {
        SessionDump::Expiry(buckets) => {
            out.push_str("Session ");
            expiry_dump(buckets, out, |sid, o| {
                let _ = write!(o, "0x{sid:x}");
            });
        }
        SessionDump::Learner(sessions) => {
            let mut sorted = sessions.clone();
            sorted.sort_unstable();
            let _ = writeln!(out, "Global Sessions({}):", sorted.len());
            for (sid, timeout) in sorted {
                let _ = writeln!(out, "0x{sid:x}\t{timeout}ms");
            }
        }
    }
    out.push_str("ephemeral nodes dump:\n");
    let _ = writeln!(
        out,
        "Sessions with Ephemerals ({}):",
        s.dump.ephemerals.len()
    );
    for (sid, paths) in &s.dump.ephemerals {
        let _ = writeln!(out, "0x{sid:x}:");
        for p in paths {
            let _ = writeln!(out, "\t{p}");
        }
    }
    out.push_str("Connections dump:\n");
    out.push_str("Connections ");
    let conn = |idx: u64| usize::try_from(idx).ok().and_then(|i| s.connections.get(i));
    let buckets: Vec<ExpiryBucket> = s
        .dump
        .connection_expiry
        .iter()
        .map(|b| ExpiryBucket {
            expire_at_ms: b.expire_at_ms,
            members: b
                .members
                .iter()
                .copied()
                .filter(|&i| conn(i).is_some())
                .collect(),
        })
        .collect();
    expiry_dump(&buckets, out, |idx, o| {
        if let Some(c) = conn(idx) {
            c.dump(false, o);
        }
    });
}

/// Java's `Double.toString`: plain decimal with at least one fractional
/// digit for 10^-3 <= |x| < 10^7 (`0.0`, `9.4615`, `719.0`), else
/// computerized scientific notation (`1.0E-4`, `1.2E7`).
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let a = x.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let mut t = format!("{x}");
        if !t.contains('.') {
            t.push_str(".0");
        }
        return t;
    }
    let t = format!("{x:e}");
    let (mant, exp) = t.split_once('e').unwrap_or((t.as_str(), "0"));
    let mant = if mant.contains('.') {
        mant.to_string()
    } else {
        format!("{mant}.0")
    };
    format!("{mant}E{exp}")
}

/// Java's `Date.toString()` in UTC: `Wed Nov 25 02:48:15 UTC 2026`.
fn java_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let weekday = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday} {month_name} {day:02} {:02}:{:02}:{:02} UTC {year}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version line of REAL-ZK.md's verbatim outputs.
    const REAL_VERSION: &str = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

    /// A verbatim REAL-ZK.md output with our version string substituted.
    fn real(text: &str) -> String {
        text.replace(REAL_VERSION, ZK_VERSION)
    }

    /// REAL-ZK.md, LEADING (sid 3), as `srvr` saw it.
    fn leader_sid3() -> Stats {
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

    /// REAL-ZK.md, FOLLOWING (sid 1): 13 requests, 4..31 ms, 123 ms in all.
    fn follower_sid1() -> Stats {
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

    #[test]
    fn leader_srvr_is_byte_exact() {
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 0/0.0/0
Received: 3
Sent: 2
Connections: 1
Outstanding: 0
Zxid: 0x10000000b
Mode: leader
Node count: 6
Proposal sizes last/min/max: 60/48/88
",
        );
        assert_eq!(run("srvr", &leader_sid3(), true), want);
        // Default whitelist: srvr is always enabled.
        assert_eq!(run("srvr", &leader_sid3(), false), want);
    }

    #[test]
    fn leader_stat_is_byte_exact() {
        let mut s = leader_sid3();
        s.packets_received = 4;
        s.packets_sent = 3;
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Clients:
 /127.0.0.1:51668[0](queued=0,recved=1,sent=0)

Latency min/avg/max: 0/0.0/0
Received: 4
Sent: 3
Connections: 1
Outstanding: 0
Zxid: 0x10000000b
Mode: leader
Node count: 6
Proposal sizes last/min/max: 60/48/88
",
        );
        assert_eq!(run("stat", &s, true), want);
    }

    #[test]
    fn leader_conf_is_byte_exact_and_has_no_final_newline() {
        // REAL-ZK.md cannot show the end; QuorumMaj.toString ends in
        // `version=0` and dumpConf print()s it without a line end.
        let want = "clientPort=21813
secureClientPort=-1
dataDir=/var/lib/zookeeper/s3/data/version-2
dataDirSize=67109477
dataLogDir=/var/lib/zookeeper/s3/data/version-2
dataLogSize=67109477
tickTime=2000
maxClientCnxns=60
minSessionTimeout=4000
maxSessionTimeout=40000
clientPortListenBacklog=-1
serverId=3
initLimit=10
syncLimit=5
electionAlg=3
electionPort=38883
quorumPort=28883
peerType=0
membership: 
server.1=127.0.0.1:28881:38881:participant
server.2=127.0.0.1:28882:38882:participant
server.3=127.0.0.1:28883:38883:participant
version=0";
        assert_eq!(run("conf", &leader_sid3(), true), want);
    }

    #[test]
    fn cons_lines_are_byte_exact_with_the_trailing_blank_line() {
        // REAL-ZK.md trims the end; ConsCommand println()s after the list.
        let mut s = leader_sid3();
        s.connections = vec![ClientConn::four_letter_word("/127.0.0.1:51684")];
        assert_eq!(
            run("cons", &s, true),
            " /127.0.0.1:51684[0](queued=0,recved=1,sent=0)\n\n"
        );
        let want = " /127.0.0.1:58988[1](queued=0,recved=13,sent=13,sid=0x100000e16330000,lop=GETD,est=1795574895490,to=10000,lcxid=0xc,lzxid=0x10000000b,lresp=923605,llat=4,minlat=0,avglat=9,maxlat=31)
 /127.0.0.1:59034[0](queued=0,recved=1,sent=0)

";
        assert_eq!(run("cons", &follower_sid1(), true), want);
        s.connections.clear();
        assert_eq!(run("cons", &s, true), "\n");
    }

    #[test]
    fn cons_without_a_cxid_and_before_any_response() {
        let mut s = leader_sid3();
        s.connections = vec![ClientConn {
            addr: "/127.0.0.1:1".to_string(),
            interest_ops: 1,
            session_id: 0x3000_0000_0000_0001,
            timeout_ms: 4000,
            ..ClientConn::default()
        }];
        assert_eq!(
            run("cons", &s, true),
            " /127.0.0.1:1[1](queued=0,recved=0,sent=0,sid=0x3000000000000001,lop=NA,est=0,to=4000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n"
        );
    }

    #[test]
    fn wchs_is_byte_exact() {
        assert_eq!(
            run("wchs", &leader_sid3(), true),
            "0 connections watching 0 paths\nTotal watches:0\n"
        );
        assert_eq!(
            run("wchs", &follower_sid1(), true),
            "1 connections watching 1 paths\nTotal watches:1\n"
        );
    }

    #[test]
    fn wchc_and_wchp_group_the_data_watches() {
        let mut s = follower_sid1();
        s.data_watches.push(Watch {
            session_id: 0x2,
            path: "/a".to_string(),
        });
        s.data_watches.push(Watch {
            session_id: 0x2,
            path: "/b".to_string(),
        });
        assert_eq!(
            run("wchc", &s, true),
            "0x100000e16330000\n\t/a\n0x2\n\t/a\n\t/b\n\n"
        );
        assert_eq!(
            run("wchp", &s, true),
            "/a\n\t0x100000e16330000\n\t0x2\n/b\n\t0x2\n\n"
        );
        s.data_watches.clear();
        assert_eq!(run("wchc", &s, true), "\n");
    }

    #[test]
    fn follower_srvr_and_stat_are_byte_exact() {
        let s = follower_sid1();
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 4/9.4615/31
Received: 16
Sent: 15
Connections: 2
Outstanding: 0
Zxid: 0x10000000b
Mode: follower
Node count: 6
",
        );
        assert_eq!(run("srvr", &s, true), want);
        let mut s = s;
        s.packets_received = 17;
        s.packets_sent = 16;
        s.connections = vec![
            ClientConn::four_letter_word("/127.0.0.1:59020"),
            s.connections[0].clone(),
        ];
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Clients:
 /127.0.0.1:59020[0](queued=0,recved=1,sent=0)
 /127.0.0.1:58988[1](queued=0,recved=13,sent=13)

Latency min/avg/max: 4/9.4615/31
Received: 17
Sent: 16
Connections: 2
Outstanding: 0
Zxid: 0x10000000b
Mode: follower
Node count: 6
",
        );
        assert_eq!(run("stat", &s, true), want);
    }

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
        // DigestCommand print()s it: no line end (ZAB.md §13 lists it with
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
    fn mntr_of_a_leader() {
        let out = run("mntr", &leader_sid3(), true);
        for line in [
            "zk_version\t3.8.0-zablab, built on 2026-11-25 00:00 UTC\n",
            "zk_server_state\tleader\n",
            "zk_peer_state\tleading - broadcast\n",
            "zk_learners\t2\n",
            "zk_synced_followers\t2\n",
            "zk_synced_non_voting_followers\t0\n",
            "zk_synced_observers\t0\n",
            "zk_pending_syncs\t0\n",
            "zk_leader_uptime\t455\n",
            "zk_last_proposal_size\t60\n",
            "zk_min_proposal_size\t48\n",
            "zk_max_proposal_size\t88\n",
            "zk_avg_latency\t0.0\n",
            "zk_num_alive_connections\t1\n",
            "zk_quorum_size\t3\n",
            "zk_znode_count\t6\n",
            "zk_approximate_data_size\t186\n",
            "zk_global_sessions\t1\n",
            "zk_uptime\t771\n",
            "zk_proposal_count\t11\n",
            "zk_diff_count\t2\n",
            "zk_avg_election_time\t0.0\n",
        ] {
            assert!(out.contains(line), "missing {line:?} in\n{out}");
        }
        assert!(out.starts_with("zk_version\t"));
        for line in out.lines() {
            let (key, value) = line.split_once('\t').expect("tab");
            assert!(key.starts_with("zk_") && !value.is_empty(), "{line}");
        }
        // The real server's relative order (REAL-ZK.md): spot checks.
        let pos = |k: &str| out.find(&format!("\n{k}\t")).expect(k);
        assert!(pos("zk_avg_latency") < pos("zk_min_proposal_size"));
        assert!(pos("zk_leader_uptime") < pos("zk_uptime"));
        assert!(pos("zk_learners") < pos("zk_quorum_size"));
        assert!(pos("zk_quorum_size") < pos("zk_proposal_count"));
    }

    #[test]
    fn mntr_of_a_follower_has_no_leader_keys() {
        let out = run("mntr", &follower_sid1(), true);
        assert!(out.contains("zk_server_state\tfollower\n"));
        assert!(out.contains("zk_peer_state\tfollowing - broadcast\n"));
        assert!(out.contains("zk_avg_latency\t9.4615\n"));
        assert!(out.contains("zk_min_latency\t4\n"));
        assert!(out.contains("zk_max_latency\t31\n"));
        assert!(out.contains("zk_num_alive_connections\t2\n"));
        assert!(out.contains("zk_watch_count\t1\n"));
        assert!(out.contains("zk_learner_commit_received_count\t11\n"));
        for key in [
            "zk_learners",
            "zk_synced_followers",
            "zk_synced_non_voting_followers",
            "zk_synced_observers",
            "zk_pending_syncs",
            "zk_leader_uptime",
            "zk_last_proposal_size",
            "zk_min_proposal_size",
            "zk_max_proposal_size",
        ] {
            assert!(!out.contains(&format!("{key}\t")), "{key} in\n{out}");
        }
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
    fn observer_conf_lines() {
        let mut s = follower_sid1();
        s.mode = Mode::Observer;
        s.conf = Conf::loopback(4, &[1, 2, 3], &[4]);
        let conf = run("conf", &s, true);
        assert!(conf.contains("peerType=1\nmembership: \n"));
        assert!(conf.ends_with("server.4=127.0.0.1:28884:38884:observer\nversion=0"));
        s.conf.config_version = 0x1_0000_0003;
        assert!(run("conf", &s, true).ends_with("\nversion=100000003"));
    }

    #[test]
    fn small_commands() {
        let s = leader_sid3();
        assert_eq!(run("crst", &s, true), "Connection stats reset.\n");
        assert_eq!(run("srst", &s, true), "Server stats reset.\n");
        assert_eq!(
            run("dirs", &s, true),
            "datadir_size: 67109477\nlogdir_size: 67109477\n"
        );
        assert_eq!(run("hash", &s, true), "");
        let mut h = s.clone();
        h.digest_log = vec![(0x1_0000_000a, 1234), (0x1_0000_000b, -5)];
        assert_eq!(run("hash", &h, true), "10000000a: 1234\n10000000b: -5\n");
        assert_eq!(run("isro", &s, true), "rw");
        let mut e = s;
        e.env = vec![("host.name".to_string(), "localhost".to_string())];
        assert_eq!(
            run("envi", &e, true),
            format!("Environment:\nzookeeper.version={ZK_VERSION}\nhost.name=localhost\n")
        );
    }

    #[test]
    fn dump_of_a_leader_and_a_follower() {
        let mut s = leader_sid3();
        s.dump = DumpData {
            sessions: SessionDump::Expiry(vec![ExpiryBucket {
                expire_at_ms: 1_795_574_896_000,
                members: vec![0x0030_000f_9537_0000],
            }]),
            ephemerals: vec![(0x0030_000f_9537_0000, vec!["/e".to_string()])],
            connection_expiry: vec![ExpiryBucket {
                expire_at_ms: 1_795_574_905_000,
                members: vec![0, 7],
            }],
        };
        assert_eq!(
            run("dump", &s, true),
            "SessionTracker dump:
Session Sets (1)/(1):
1 expire at Wed Nov 25 02:48:16 UTC 2026:
\t0x30000f95370000
ephemeral nodes dump:
Sessions with Ephemerals (1):
0x30000f95370000:
\t/e
Connections dump:
Connections Sets (1)/(1):
1 expire at Wed Nov 25 02:48:25 UTC 2026:
\t /127.0.0.1:51668[0](queued=0,recved=1,sent=0)
"
        );
        let mut f = follower_sid1();
        f.dump.sessions = SessionDump::Learner(vec![(0x2, 8000), (0x1, 4000)]);
        assert_eq!(
            run("dump", &f, true),
            "SessionTracker dump:
Global Sessions(2):
0x1\t4000ms
0x2\t8000ms
ephemeral nodes dump:
Sessions with Ephemerals (0):
Connections dump:
Connections Sets (0)/(0):
"
        );
    }

    #[test]
    fn averages_round_half_up_to_4_decimals() {
        let avg = |count, total| {
            java_double(
                Summary {
                    count,
                    total,
                    min: 0,
                    max: 0,
                }
                .avg(),
            )
        };
        assert_eq!(avg(0, 0), "0.0");
        assert_eq!(avg(13, 123), "9.4615");
        assert_eq!(avg(11, 16), "1.4545");
        assert_eq!(avg(21, 11), "0.5238");
        assert_eq!(avg(11, 10), "0.9091");
        assert_eq!(avg(1, 719), "719.0");
        // 33/32 = 1.03125 exactly: HALF_UP gives 1.0313 (half-even 1.0312).
        assert_eq!(avg(32, 33), "1.0313");
        // 1/10000 -> 1.0E-4, Java's scientific form below 10^-3.
        assert_eq!(avg(10_000, 1), "1.0E-4");
        assert_eq!(avg(1_000_000, 1), "0.0");
        assert_eq!(avg(1, 12_345_678), "1.2345678E7");
    }

    #[test]
    fn java_double_forms() {
        assert_eq!(java_double(0.0), "0.0");
        assert_eq!(java_double(1.0), "1.0");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(java_double(9_999_999.0), "9999999.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(-2.5e-5), "-2.5E-5");
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

    #[test]
    fn java_dates() {
        assert_eq!(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(java_date(-86_400_000), "Wed Dec 31 00:00:00 UTC 1969");
        assert_eq!(java_date(1_795_574_895_490), "Wed Nov 25 02:48:15 UTC 2026");
        assert_eq!(java_date(951_782_400_000), "Tue Feb 29 00:00:00 UTC 2000");
    }
}
