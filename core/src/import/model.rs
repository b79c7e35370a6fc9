//! The data an import produces: the contract between the parser
//! (`import::line`, `import::events`, …), its callers (the `zablab
//! import` CLI, the browser's drop zone) and the readers built on it
//! (diagnosis, replay, the app's views).
//!
//! Contract: types only (serde `Serialize`, documented), no behaviour
//! beyond names. Times are milliseconds since the Unix epoch of the wall
//! clock the server logged (log4j/logback print local time without a zone:
//! read as UTC), `at_ms` after skew correction, `raw_ms` as written.
//! Indices (`file`, `line`) point into [`Import::files`] and
//! [`Import::lines`]. Names follow ZooKeeper's own (`QuorumPeer.ServerState`,
//! `QuorumPeer.ZabState`, `QuorumPeer.SyncMode`, the `LearnerHandler`
//! decision lines).

use serde::Serialize;

pub use crate::proto::{ServerState as PeerState, SyncMode, ZabState};

/// One input file, whole (the streaming form is [`super::Importer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The name as the user gave it (a path or a browser file name): used
    /// for messages and as a hint of the server (`s3/…`, `zookeeper-3.log`).
    pub name: String,
    /// Its bytes, already decompressed (`.gz` is the caller's job).
    pub bytes: Vec<u8>,
}

/// How a file's (or server's) id was found, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SidSource {
    /// The layout's `[myid:N]` on the lines themselves.
    Myid,
    /// ZooKeeper's own words in the log: thread names `QuorumPeer[myid=N]`,
    /// `WorkerReceiver[myid=N]`, `Starting quorum peer, myid=N`.
    LogText,
    /// Given by the user (`--sid FILE=N`, the app's picker).
    User,
    /// A `myid` file in the log's folder or below it (its data dir).
    MyidFile,
    /// Guessed from the file name (`s3/…`, `zookeeper-3.log`, `…server3…`,
    /// `myid3`).
    FileName,
    /// Not found: the file's lines have sid 0 and a [`Problem`] says so.
    Unknown,
}

/// What a file turned out to be (from its content, its name as a tie
/// breaker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FileKind {
    /// A server log in one of [`Layout`].
    Log { layout: Layout },
    /// `zoo.cfg` (static) or a dynamic config file (`server.N=…` only).
    Config,
    /// A saved four-letter word answer (`srvr`, `stat`, `mntr`, `conf`).
    FourLw { command: String },
    /// A ZooKeeper data file, known by its name and not read: `snapshot.N`,
    /// `log.N` (txn log), `acceptedEpoch`, `currentEpoch`, `myid` (whose
    /// number names the server of the logs above it).
    DataFile { what: String },
    /// Nothing ZabLab reads: binary, another program's log, empty.
    Other,
}

/// The log line layouts understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// ZooKeeper's `conf/log4j.properties` (3.5–3.7) and `conf/logback.xml`
    /// (3.8+): `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n`.
    Myid,
    /// Debian's and others': `%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`
    /// (no `[myid:]`).
    Plain,
}

/// One input file as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub kind: FileKind,
    /// The server it belongs to (0: unknown) and how that was found.
    pub sid: u32,
    pub sid_from: SidSource,
    pub bytes: u64,
    /// Physical lines (`\n`-separated).
    pub lines: u64,
    /// Log lines parsed into [`LogLine`]s.
    pub parsed: u64,
    /// Lines attached to the log line above (stack traces, multi-line
    /// messages).
    pub continued: u64,
    /// Lines neither parsed nor continued (counted in [`UnknownLines`]).
    pub unknown: u64,
    /// Lines replaced because their bytes were not UTF-8.
    pub replaced: u64,
    /// Lines longer than 64 KiB, cut there.
    pub cut: u64,
    /// First and last raw time in the file.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

/// One server: its files, in time order (rolled files `zookeeper.log.2`,
/// `.1`, then `zookeeper.log`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    pub sid: u32,
    /// The strongest way any of its files was identified.
    pub sid_from: SidSource,
    /// Indices into [`Import::files`], oldest first.
    pub files: Vec<usize>,
    pub lines: u64,
    /// JVM starts seen (`Starting quorum peer`).
    pub starts: u32,
    /// First and last corrected time of its lines.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// The role it last logged (`LOOKING`, `FOLLOWING`, …).
    pub last_state: Option<PeerState>,
}

/// A log line's level (`%-5p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    /// As the layout prints it (`%p`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// One parsed log line (with its continuation lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// Corrected time (raw minus the server's skew offset).
    pub at_ms: i64,
    /// The time as written.
    pub raw_ms: i64,
    pub sid: u32,
    /// Index into [`Import::files`] and the 1-based line number there.
    pub file: usize,
    pub line_no: u64,
    pub level: Level,
    /// `%t`, e.g. `QuorumPeer[myid=1](plain=127.0.0.1:2181)(secure=disabled)`.
    pub thread: String,
    /// `%C{1}`, e.g. `Leader`, `Learner$LeaderConnector`.
    pub class: String,
    /// `%L`, the source line.
    pub src_line: u32,
    /// `%m`, the message.
    pub text: String,
    /// The lines below it that belong to it (a stack trace), without
    /// their line ends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<String>,
}

/// A protocol event found in a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Corrected time (the line's `at_ms`).
    pub at_ms: i64,
    pub raw_ms: i64,
    pub sid: u32,
    /// Index into [`Import::lines`].
    pub line: usize,
    pub kind: EventKind,
}

/// Why a leader sent a learner what it sent (`LearnerHandler.syncFollower`
/// and its log lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncReason {
    /// `Using committedLog for peer sid: N`.
    CommittedLog,
    /// `Use txnlog and committedLog for peer sid: N`.
    TxnLogAndCommittedLog,
    /// `Detected gap between end of txnlog: … and start of committedLog: …`.
    GapInTxnLog,
    /// `Cannot send TRUNC to peer sid: N peer zxid is from different epoch`.
    TruncRefusedAcrossEpochs,
    /// `Unhandled scenario for peer sid: N fall back to use snapshot`.
    Fallback,
    /// `Forcing snapshot sync - should not see this in production`.
    ForcedSnap,
    /// `Sending snapshot …` (the leader sends its snapshot).
    Snapshot,
}

/// What the line says, in ZooKeeper's names. Every field is as logged;
/// `sid`s of peers are as the logging server names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// `QuorumPeerMain`: `Starting quorum peer[, myid=N]` (a JVM start).
    ProcessStart,
    /// `QuorumPeer`: a bare `LOOKING`/`FOLLOWING`/`LEADING`/`OBSERVING`.
    State { state: PeerState },
    /// `Peer state changed: following - synchronization - diff`.
    ZabState {
        state: PeerState,
        zab: Option<ZabState>,
        sync: Option<SyncMode>,
    },
    /// `FastLeaderElection`: `New election. My id = N, proposed zxid=0x…`.
    NewElection { proposed_zxid: u64 },
    /// `Notification: my state:LOOKING; n.sid:2, n.state:LOOKING,
    /// n.leader:3, n.round:0x1, n.peerEpoch:0x0, n.zxid:0x0, …`.
    Notification {
        my_state: PeerState,
        from: u32,
        state: PeerState,
        leader: u32,
        round: u64,
        peer_epoch: u64,
        zxid: u64,
    },
    /// `Notification time out: N ms` (FLE doubling its wait).
    NotificationTimeout { ms: u64 },
    /// `LEADING - LEADER ELECTION TOOK - 215 MS` (also FOLLOWING,
    /// OBSERVING).
    ElectionTook { state: PeerState, ms: u64 },
    /// `Leader`: `Have quorum of supporters, sids: [[1, 2]]; starting up
    /// and setting last processed zxid: 0x100000000`.
    Established {
        epoch: u32,
        zxid: u64,
        supporters: Vec<u32>,
    },
    /// `LearnerHandler`: `Follower sid: N : info : host:port:port:participant`.
    LearnerInfo { learner: u32, observer: bool },
    /// `Synchronizing with Learner sid: N maxCommittedLog=0x…
    /// minCommittedLog=0x… lastProcessedZxid=0x… peerLastZxid=0x…`.
    SyncStart {
        learner: u32,
        max_committed: Option<u64>,
        min_committed: Option<u64>,
        last_processed: Option<u64>,
        peer_last: Option<u64>,
    },
    /// A reason line of the leader's decision (`learner` is 0 when the
    /// line does not name it: `Detected gap …`).
    SyncReason { learner: u32, reason: SyncReason },
    /// The leader's send: `Sending DIFF zxid=0x… for peer sid: N`,
    /// `Sending TRUNC zxid=0x… for peer sid: N`, `Sending snapshot last
    /// zxid of peer is 0x…, zxid of leader is 0x…` (the learner is the
    /// LearnerHandler's, from the thread or the line before).
    SyncSent {
        learner: u32,
        mode: SyncMode,
        zxid: Option<u64>,
        peer_zxid: Option<u64>,
    },
    /// The learner's `Getting a diff from the leader 0x…`, `Getting a
    /// snapshot from leader 0x…`, `Truncating log to get in sync with the
    /// leader 0x…`.
    SyncReceived { mode: SyncMode, zxid: Option<u64> },
    /// `Learner received NEWLEADER message` / `UPTODATE`.
    LearnerReceived { packet: String },
    /// `Observing new leader sid=N addr=…`, a follower's `Successfully
    /// connected to leader`.
    ConnectedToLeader { leader: Option<u32> },
    /// A leader's `Shutdown called. For the reason …` (also `Shutting
    /// down`, reason empty).
    StepDown { reason: String },
    /// A learner's `Exception when following the leader` / `… observing
    /// the leader`, with the cause from its stack trace.
    LostLeader { cause: String },
    /// A leader's `Unexpected exception in LearnerHandler` or `*******
    /// GOODBYE …`: the link to a learner ended (`cause`: the stack trace's
    /// first line).
    LearnerGone { learner: Option<u32>, cause: String },
    /// `Disconnected from leader (with address: …). Was connected for Nms.`
    Disconnected { connected_ms: Option<u64> },
    /// `java.net.SocketTimeoutException: Read timed out` under a line
    /// (`peer`: the learner sid when a LearnerHandler logged it).
    ReadTimeout { peer: Option<u32> },
    /// `QuorumCnxManager`: `Connection broken for id N, my id = M`.
    ConnectionBroken { peer: u32 },
    /// `Cannot open channel to N at election address …`.
    CannotOpenChannel { peer: u32 },
    /// `Got zxid 0x… expected 0x…` (a learner's log has a hole).
    ZxidGap { got: u64, expected: u64 },
    /// `Established session 0x… with negotiated timeout N for client …`
    /// (3.5), `Committing global session 0x…` (3.6+, no timeout logged).
    SessionCreated { id: u64, timeout_ms: Option<u64> },
    /// `Submitting global closeSession request for session 0x…`.
    SessionClosed { id: u64 },
    /// `Expiring session 0x…, timeout of Nms exceeded`.
    SessionExpired { id: u64, timeout_ms: u64 },
    /// `fsync-ing the write ahead log in SyncThread:N took Nms which will
    /// adversely effect operation latency`.
    SlowFsync { ms: u64 },
    /// `Digests are not matching. Value is Zxid.`, `First digest mismatch
    /// on txn: …`.
    DigestMismatch { zxid: Option<u64> },
    /// `Snapshotting: 0x… to …`.
    Snapshot { zxid: u64 },
    /// A server's own shutdown: `shutdown Follower`, `shutdown Observer`,
    /// `ZooKeeperServer … shutting down`.
    Shutdown { what: String },
}

/// Lines not understood: never dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnknownLines {
    /// The unknown lines of the files read as logs (or 4lw, config).
    pub total: u64,
    /// Lines of the files not read at all (binary, another program's log,
    /// UTF-16), each named in [`Import::problems`]; not in `total`.
    pub in_files_not_read: u64,
    /// Log lines parsed whose message gave no event (not an error: most
    /// of a log is settings and housekeeping).
    pub without_event: u64,
    /// Per file with any, in input order.
    pub files: Vec<UnknownFile>,
}

/// One file's unknown lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownFile {
    pub file: usize,
    pub count: u64,
    /// The first [`super::UNKNOWN_KEPT`] of them.
    pub first: Vec<UnknownLine>,
}

/// One line not understood, as read (shortened to 200 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownLine {
    pub line_no: u64,
    pub text: String,
}

/// One pair of causally ordered lines (a send and its receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkewPair {
    /// Indices into [`Import::lines`]: the sender's and the receiver's.
    pub send: usize,
    pub receive: usize,
    /// Receiver's raw time minus sender's raw time.
    pub delta_ms: i64,
}

/// A server's clock offset against the reference server: its raw times
/// minus `offset_ms` are the reference's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skew {
    pub sid: u32,
    pub reference: u32,
    pub offset_ms: i64,
    /// The bounds the pairs give (a receive cannot precede its send):
    /// `lower_ms <= offset <= upper_ms` where known.
    pub lower_ms: Option<i64>,
    pub upper_ms: Option<i64>,
    /// The pairs it rests on (empty: no evidence, offset 0).
    pub pairs: Vec<SkewPair>,
}

/// A server of the configuration (`server.N=host:quorum:election[:role][;client]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CfgServer {
    pub sid: u32,
    pub host: String,
    pub quorum_port: Option<u16>,
    pub election_port: Option<u16>,
    pub observer: bool,
    pub client_port: Option<u16>,
}

/// `zoo.cfg` (and a dynamic file) as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ZooCfg {
    /// The files it came from.
    pub files: Vec<usize>,
    pub tick_time: Option<u64>,
    pub init_limit: Option<u64>,
    pub sync_limit: Option<u64>,
    pub snap_count: Option<u64>,
    pub client_port: Option<u16>,
    pub data_dir: Option<String>,
    pub autopurge_snap_retain_count: Option<u64>,
    pub autopurge_purge_interval: Option<u64>,
    pub min_session_timeout: Option<u64>,
    pub max_session_timeout: Option<u64>,
    pub dynamic_config_file: Option<String>,
    pub servers: Vec<CfgServer>,
    /// Every `key=value` in file order (the above included).
    pub entries: Vec<(String, String)>,
}

/// A saved four-letter word answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FourLwCapture {
    pub file: usize,
    /// `srvr`, `stat`, `mntr` or `conf`.
    pub command: String,
    /// The server it came from, when known (name or content).
    pub sid: Option<u32>,
    /// `Mode:`/`zk_server_state`, e.g. `leader`.
    pub mode: Option<String>,
    /// `Zxid:`/`zk_zxid`.
    pub zxid: Option<u64>,
    /// Every field as written, in order.
    pub fields: Vec<(String, String)>,
}

/// What was wrong with a file, in a sentence the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// NUL bytes or mostly non-text.
    Binary,
    /// Text, but no line of a ZooKeeper layout, config or 4lw.
    NotZooKeeper,
    /// Bytes that are not UTF-8 (replaced; Latin-1 or similar).
    Encoding,
    /// The last line has no line end (a file cut while written).
    Truncated,
    /// A log without a way to tell its server.
    NoSid,
    /// Lines out of time order beyond the tolerance of one log.
    TimeOrder,
    Empty,
    /// Two sources disagree on a file's sid (the log's own wins).
    SidConflict,
}

/// A per-file problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: usize,
    pub kind: ProblemKind,
    pub message: String,
}

/// Everything an import found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Import {
    pub files: Vec<FileInfo>,
    /// By sid.
    pub servers: Vec<ServerInfo>,
    /// In corrected time order (ties: sid, then line order).
    pub events: Vec<Event>,
    /// Every parsed line, in corrected time order (ties: sid, file order).
    pub lines: Vec<LogLine>,
    pub unknown: UnknownLines,
    /// One per server with lines (the reference has offset 0).
    pub skew: Vec<Skew>,
    pub config: Option<ZooCfg>,
    pub fourlw: Vec<FourLwCapture>,
    pub problems: Vec<Problem>,
}

/// A leader established, as `zablab run --json` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaderFact {
    pub sid: u32,
    pub epoch: u32,
    pub established_ms: i64,
    /// Index into [`Import::lines`] of its `Have quorum of supporters`.
    pub line: usize,
}

/// A learner's sync, as `zablab run --json` names it, plus the leader's
/// term and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncFact {
    pub learner: u32,
    /// 0 when no leader's `Synchronizing with Learner` was found.
    pub leader: u32,
    pub epoch: Option<u32>,
    pub mode: SyncMode,
    /// The leader's reason, as `src/conform/facts.rs` words it
    /// (`committedLog`, `TRUNC refused across epochs`, …; empty: none).
    pub how: String,
    pub at_ms: i64,
    /// Index into [`Import::lines`] of the learner's line.
    pub line: usize,
}

/// Time without a leader before `leaders[next]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GapFact {
    pub next: usize,
    pub lost_ms: i64,
    pub ms: i64,
    pub why: String,
}

/// The protocol facts of an import (`summary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub leaders: Vec<LeaderFact>,
    pub syncs: Vec<SyncFact>,
    pub gaps: Vec<GapFact>,
}
