//! One ZooKeeper server as a sans-IO state machine (`QuorumPeer` and the
//! roles it runs).
//!
//! Contract (the drive loop, see `crate::sim`):
//! 1. The simulator calls [`Server::handle`] with the current virtual time
//!    and one [`Input`]: a delivered notification or packet, a connection
//!    result or close, a timer, a completed fsync, a client request.
//! 2. The server changes its state and pushes [`Output`]s: messages to send,
//!    connections to open or close, timers, fsyncs to start, client replies,
//!    log lines in ZooKeeper's words, and `Exit` when ZooKeeper would end
//!    the process (`ServiceUtils.requestSystemExit`).
//! 3. The simulator drains them with [`Server::take_outputs`].
//!
//! The server never reads a clock, a socket or a random source: time comes
//! in `handle`, randomness from the `entropy` given at start. Crash and
//! restart are [`Server::crash`] and `Input::Start`: a crash keeps only the
//! [`Disk`]'s durable part. Timers carry a token; a timer whose token is not
//! the latest of its kind is stale and ignored, so nothing needs cancelling.
//!
//! Submodules follow ZooKeeper's classes: `election` (FastLeaderElection),
//! `leader` (Leader + LearnerHandler), `learner` (Learner, Follower,
//! Observer), `requests` (the request processors, sessions, clients).

mod election;
mod leader;
mod learner;
mod requests;
mod stats;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use crate::metrics::Metrics;
use crate::proto::{
    ClientId, Notification, Packet, RequestOp, ServerState, Sid, SyncMode, Vote, ZabState,
};
use crate::rng::Pcg32;
use crate::seq::Window;
use crate::storage::Disk;
use crate::txn::{DataTree, Txn, TxnId};
use crate::zxid::Zxid;

pub use election::Election;
pub use leader::{HandlerPhase, LeaderPhase, LeaderState};
pub use learner::LearnerState;
pub use stats::{CnxnStats, InProcess, StatsBook, FSYNC_WARNING_THRESHOLD_MS};

/// A quorum-port connection, numbered by the simulator.
pub type ConnId = u64;

/// ZooKeeper's `commitLogCount` floor (`ZKDatabase`).
pub const MIN_COMMIT_LOG_COUNT: u64 = 500;

/// Settings of one server, shared by the ensemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub sid: Sid,
    pub participants: Vec<Sid>,
    pub observers: Vec<Sid>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    /// Effective window (the configured value, raised to 500).
    pub commit_log_count: u64,
    pub configured_commit_log_count: u64,
    pub snap_count: u64,
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    /// `zookeeper.snapshotSizeFactor` (0.33 by default), in hundredths.
    pub snapshot_size_factor_pct: i64,
    /// Test hook `zookeeper.testingonly.initialZxid`: the counter each
    /// established epoch starts from (0 normally).
    pub initial_zxid_counter: u32,
    pub variants: Vec<String>,
}

impl Config {
    pub fn is_participant(&self, sid: Sid) -> bool {
        self.participants.contains(&sid)
    }

    pub fn is_observer(&self) -> bool {
        self.observers.contains(&self.sid)
    }

    /// `QuorumMaj.containsQuorum`: more than half of the voters.
    pub fn is_quorum<'a>(&self, sids: impl IntoIterator<Item = &'a Sid>) -> bool {
        let n = sids
            .into_iter()
            .filter(|s| self.participants.contains(s))
            .count();
        n > self.participants.len() / 2
    }

    pub fn quorum_size(&self) -> usize {
        self.participants.len() / 2 + 1
    }

    pub fn variant(&self, flag: &str) -> bool {
        self.variants.iter().any(|v| v == flag)
    }

    pub fn init_timeout_ms(&self) -> u64 {
        self.init_limit * self.tick_ms
    }

    pub fn sync_timeout_ms(&self) -> u64 {
        self.sync_limit * self.tick_ms
    }
}

/// Log levels, as log4j prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One line of the server log: ZooKeeper's class and message text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub level: Level,
    pub class: &'static str,
    pub text: String,
}

/// Timers a server can set. One live timer per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// `recvqueue.poll(notTimeout)` in `lookForLeader`.
    ElectionPoll,
    /// The 200 ms `finalizeWait` poll.
    Finalize,
    /// `zookeeper.observer.election.DelayMs` before an observer looks.
    ObserverDelay,
    /// The leader thread's current wait (epoch, ACKEPOCH or NEWLEADER quorum).
    LeaderWait,
    /// `Leader.lead`'s half-tick wake-up.
    LeaderTick,
    /// The leader's session expiry check (`SessionTrackerImpl`).
    SessionExpiry,
    /// A LearnerHandler's wait or socket read timeout.
    Handler(ConnId),
    /// The learner's socket read timeout.
    LearnerRead,
    /// A learner's pause between connection attempts.
    LearnerConnect,
}

/// Everything that can happen to a server.
#[derive(Debug, Clone)]
pub enum Input {
    /// Process start (first start or restart after a crash).
    Start {
        entropy: u64,
    },
    /// An election notification was delivered.
    Election(Notification),
    /// A learner's connection attempt to `to` finished.
    ConnectResult {
        to: Sid,
        conn: Option<ConnId>,
    },
    /// The leader accepted a learner's connection.
    Accepted {
        conn: ConnId,
        from: Sid,
    },
    Packet {
        conn: ConnId,
        packet: Packet,
    },
    /// The connection was closed by the other end or broke.
    Closed {
        conn: ConnId,
    },
    Timer {
        kind: TimerKind,
        token: u64,
    },
    /// The disk finished the fsync of the first `upto` log entries.
    FsyncDone {
        upto: usize,
    },
    ClientConnect {
        client: ClientId,
        session: u64,
        timeout_ms: u64,
        last_zxid_seen: Zxid,
    },
    ClientRequest {
        client: ClientId,
        cxid: u32,
        op: crate::proto::RequestOp,
    },
    ClientPing {
        client: ClientId,
    },
    /// `SetWatches` after a reconnect: the client's watches, to register
    /// again or fire at once if their node changed after `relative_zxid`.
    ClientSetWatches {
        client: ClientId,
        relative_zxid: Zxid,
        data: Vec<Arc<str>>,
        exist: Vec<Arc<str>>,
        child: Vec<Arc<str>>,
    },
    /// The client went away (closed its socket).
    ClientGone {
        client: ClientId,
    },
}

/// What the server asks the world to do.
#[derive(Debug, Clone)]
pub enum Output {
    Notify {
        to: Sid,
        n: Notification,
    },
    Connect {
        to: Sid,
    },
    Send {
        conn: ConnId,
        packet: Packet,
    },
    Close {
        conn: ConnId,
    },
    Timer {
        kind: TimerKind,
        at_ms: u64,
        token: u64,
    },
    Fsync {
        upto: usize,
    },
    Client(ClientEvent),
    Log(LogLine),
    /// The process exits (ZooKeeper's `requestSystemExit`).
    Exit {
        reason: String,
    },
}

/// What a client sees from its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    Connected {
        client: ClientId,
        session: u64,
        timeout_ms: u64,
    },
    Reply(crate::proto::ClientReply),
    /// A one-shot watch fired (`WatchedEvent`, sent before the reply of
    /// the txn that fired it).
    Watch(crate::proto::WatchedEvent),
    Pong {
        client: ClientId,
    },
    /// The server closed the connection (not serving, refused, expired).
    Closed {
        client: ClientId,
        reason: String,
    },
}

impl ClientEvent {
    /// The client this event is for.
    pub fn client(&self) -> ClientId {
        match self {
            ClientEvent::Connected { client, .. }
            | ClientEvent::Pong { client }
            | ClientEvent::Closed { client, .. } => *client,
            ClientEvent::Reply(r) => r.client,
            ClientEvent::Watch(w) => w.client,
        }
    }
}

/// Things the checks need to know that happened inside the last input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GhostEvent {
    /// A leader proposed a txn.
    Proposed { epoch: u32, txn: TxnId },
    /// A LearnerHandler sent LEADERINFO proposing `epoch`.
    Announced { epoch: u32 },
    /// A leader gathered a quorum of ACKEPOCH for `epoch`.
    EpochQuorum { epoch: u32 },
    /// A leader became established (quorum of NEWLEADER ACKs).
    Established { epoch: u32 },
    /// This learner ACKed NEWLEADER of `leader` for `epoch`.
    NewLeaderAcked { leader: Sid, epoch: u32 },
    /// This learner started a sync with `leader` in `mode`.
    Synced { leader: Sid, mode: SyncMode },
    /// A LearnerHandler decided to TRUNC this learner (its sync starts).
    TruncSent { learner: Sid },
    /// TRUNC removed these logged txns.
    Truncated { removed: Vec<TxnId> },
    /// A message that ZooKeeper's system spec flags (`ShouldNotBeTriggered`).
    Inconsistent { kind: &'static str, zxid: Zxid },
}

/// Which role the server runs.
#[derive(Debug, Clone)]
pub enum Role {
    None,
    Leader(Box<LeaderState>),
    Learner(Box<LearnerState>),
}

/// A txn waiting for the fsync that makes it durable, and what to do then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterFlush {
    /// The leader's own ACK (`AckRequestProcessor`).
    LeaderAck,
    /// A follower's ACK on its leader connection (`SendAckRequestProcessor`).
    FollowerAck {
        conn: ConnId,
    },
    Nothing,
}

/// A client connection on this server (`ServerCnxn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cnxn {
    pub session: u64,
    pub timeout_ms: u64,
    pub received: u64,
    pub sent: u64,
    pub last_zxid: Zxid,
}

/// One entry of a session's order on this server (`CommitProcessor`'s
/// per-session queue): a write waiting for its commit, or a read waiting
/// behind the writes before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOp {
    Write {
        cxid: u32,
    },
    Read {
        client: ClientId,
        cxid: u32,
        op: RequestOp,
    },
}

/// `WatchManager`: path -> watching connections, for data watches
/// (getData, exists) and child watches (getChildren).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watches {
    pub data: BTreeMap<Arc<str>, BTreeSet<ClientId>>,
    pub child: BTreeMap<Arc<str>, BTreeSet<ClientId>>,
}

impl Watches {
    /// How many (path, connection) watches are set (`wchs` total).
    pub fn count(&self) -> usize {
        self.data
            .values()
            .chain(self.child.values())
            .map(|s| s.len())
            .sum()
    }

    /// Paths watched (`wchs`: "watching N paths").
    pub fn paths(&self) -> usize {
        let mut paths: BTreeSet<&Arc<str>> = self.data.keys().collect();
        paths.extend(self.child.keys());
        paths.len()
    }

    /// Connections with at least one watch.
    pub fn connections(&self) -> usize {
        let mut c: BTreeSet<ClientId> = BTreeSet::new();
        for s in self.data.values().chain(self.child.values()) {
            c.extend(s);
        }
        c.len()
    }

    /// Sets a data watch (`child` false) or a child watch on `path`.
    pub fn add(&mut self, child: bool, path: &Arc<str>, client: ClientId) {
        let table = if child {
            &mut self.child
        } else {
            &mut self.data
        };
        table.entry(path.clone()).or_default().insert(client);
    }

    pub fn remove_client(&mut self, client: ClientId) {
        for table in [&mut self.data, &mut self.child] {
            table.retain(|_, s| {
                s.remove(&client);
                !s.is_empty()
            });
        }
    }
}

/// `ServerStats` of the current role's ZooKeeperServer (`srvr`'s
/// counters): zeroed when a role starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Reads answered from this server's tree.
    pub reads: u64,
    pub packets_received: u64,
    pub packets_sent: u64,
    pub latency_min_ms: Option<u64>,
    pub latency_max_ms: u64,
    pub latency_total_ms: u64,
    pub latency_count: u64,
    pub proposal_size_last: i64,
    pub proposal_size_min: i64,
    pub proposal_size_max: i64,
    pub proposals: u64,
}

/// One ZooKeeper server.
#[derive(Debug, Clone)]
pub struct Server {
    pub cfg: Arc<Config>,
    pub disk: Disk,
    pub running: bool,
    /// Why the process refused to start, if it did.
    pub start_failure: Option<String>,
    pub state: ServerState,
    pub zab_state: ZabState,
    pub sync_mode: SyncMode,
    pub serving: bool,
    pub tree: DataTree,
    /// Checks only: how many of `tree.ghost_applied` are delivered (known
    /// committed when applied).
    pub ghost_delivered: usize,
    /// `ZKDatabase.committedLog`: the last `commit_log_count` applied txns
    /// (a `Window`: a checkpoint shares its full chunks).
    pub committed_log: Window<Arc<Txn>>,
    pub election: Election,
    /// `QuorumPeer.currentVote`: what we answer when not LOOKING.
    pub current_vote: Vote,
    pub role: Role,
    pub cnxns: BTreeMap<ClientId, Cnxn>,
    pub counters: Counters,
    /// Process-wide metrics (`mntr`); zeroed by a restart.
    pub metrics: Metrics,
    /// What the metrics are computed from (observation only).
    pub book: StatsBook,
    pub started_ms: u64,
    now: u64,
    rng: Pcg32,
    timers: BTreeMap<TimerKind, u64>,
    next_token: u64,
    out: Vec<Output>,
    ghost: Vec<GhostEvent>,
    /// Logged txns waiting for their fsync: (log length after it, zxid,
    /// action, (when queued, the txn's creation time) for the metrics).
    to_flush: VecDeque<(usize, Zxid, AfterFlush, (u64, u64))>,
    flush_in_flight: Option<usize>,
    /// How many log entries the fsync in flight makes durable at most (the
    /// log was truncated or renumbered under it); `usize::MAX` normally.
    flush_cap: usize,
    /// Bug museum (`bug_zk4712_stale_log_writer`): txns still queued in
    /// the log writer of a role we left; it appends them when its fsync in
    /// flight returns.
    stale_writer: Vec<Arc<Txn>>,
    /// `SyncRequestProcessor.randRoll`.
    rand_roll: u64,
    next_session_id: u64,
    /// Requests of local clients waiting for their txn: (session, cxid).
    pending_replies: BTreeMap<(u64, u32), ClientId>,
    /// Per-session order of this server's clients (`CommitProcessor`).
    session_order: BTreeMap<u64, VecDeque<SessionOp>>,
    /// When the session expiry timer is due.
    session_timer_at: Option<u64>,
    /// `WatchManager`: one-shot data and child watches of this server's
    /// client connections (gone with the connection).
    pub watches: Watches,
    /// `FollowerZooKeeperServer.pendingSyncs`: syncs forwarded to the
    /// leader, answered in order by its SYNC packets.
    learner_syncs: VecDeque<(u64, u32)>,
    /// `bug_zk2355_early_last_processed` only: the tree's real position
    /// while lastProcessedZxid carries the DIFF packet's zxid. Txns above it
    /// are still applied (`DataTree.processTxn` applies whatever
    /// lastProcessedZxid says).
    label_ahead_of: Option<Zxid>,
}

impl Server {
    pub fn new(cfg: Arc<Config>) -> Server {
        let sid = cfg.sid;
        Server {
            cfg,
            disk: Disk::default(),
            running: false,
            start_failure: None,
            state: ServerState::Looking,
            zab_state: ZabState::Election,
            sync_mode: SyncMode::None,
            serving: false,
            tree: DataTree::new(),
            ghost_delivered: 0,
            committed_log: Window::default(),
            election: Election::default(),
            current_vote: Vote {
                leader: sid as i64,
                zxid: 0,
                round: 0,
                peer_epoch: 0,
                state: ServerState::Looking,
            },
            role: Role::None,
            cnxns: BTreeMap::new(),
            counters: Counters::default(),
            metrics: Metrics::default(),
            book: StatsBook::default(),
            started_ms: 0,
            now: 0,
            rng: Pcg32::new(0, 0),
            timers: BTreeMap::new(),
            next_token: 0,
            out: Vec::new(),
            ghost: Vec::new(),
            to_flush: VecDeque::new(),
            flush_in_flight: None,
            flush_cap: usize::MAX,
            stale_writer: Vec::new(),
            rand_roll: 0,
            next_session_id: 0,
            pending_replies: BTreeMap::new(),
            session_order: BTreeMap::new(),
            session_timer_at: None,
            watches: Watches::default(),
            learner_syncs: VecDeque::new(),
            label_ahead_of: None,
        }
    }

    pub fn sid(&self) -> Sid {
        self.cfg.sid
    }

    /// Drain the outputs of the last `handle` calls.
    pub fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.out)
    }

    /// Drain the ghost events of the last `handle` calls (checks only).
    pub fn take_ghost(&mut self) -> Vec<GhostEvent> {
        std::mem::take(&mut self.ghost)
    }

    /// `QuorumPeer.getLastLoggedZxid`: the tree's `lastProcessedZxid`.
    pub fn last_logged_zxid(&self) -> Zxid {
        self.tree.last_processed_zxid
    }

    pub fn accepted_epoch(&self) -> u32 {
        self.disk.accepted_epoch.unwrap_or(0)
    }

    pub fn current_epoch(&self) -> u32 {
        self.disk.current_epoch.unwrap_or(0)
    }

    pub fn leader(&self) -> Option<&LeaderState> {
        match &self.role {
            Role::Leader(l) => Some(l),
            _ => None,
        }
    }

    pub fn learner(&self) -> Option<&LearnerState> {
        match &self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    /// Whether a learner's connection to us would be accepted.
    pub fn accepts_learners(&self) -> bool {
        self.running && matches!(self.role, Role::Leader(_))
    }

    /// `QuorumPeer.getDetailedPeerState`, e.g. `following - broadcast`.
    pub fn detailed_peer_state(&self) -> String {
        let mut s = self.state.name().to_lowercase();
        if self.zab_state != ZabState::Election {
            s.push_str(" - ");
            s.push_str(&self.zab_state.name().to_lowercase());
        }
        if self.sync_mode != SyncMode::None {
            s.push_str(" - ");
            s.push_str(&self.sync_mode.name().to_lowercase());
        }
        s
    }

    // ----- plumbing shared by the roles -----

    fn log(&mut self, level: Level, class: &'static str, text: String) {
        self.out.push(Output::Log(LogLine { level, class, text }));
    }

    fn set_timer(&mut self, kind: TimerKind, after_ms: u64) {
        self.next_token += 1;
        let token = self.next_token;
        self.timers.insert(kind, token);
        self.out.push(Output::Timer {
            kind,
            at_ms: self.now + after_ms,
            token,
        });
    }

    fn cancel_timer(&mut self, kind: TimerKind) {
        self.timers.remove(&kind);
    }

    fn send(&mut self, conn: ConnId, packet: Packet) {
        self.out.push(Output::Send { conn, packet });
    }

    fn set_zab_state(&mut self, zab: ZabState) {
        self.stats_zab_state(zab);
        self.zab_state = zab;
        self.log(
            Level::Info,
            "QuorumPeer",
            format!("Peer state changed: {}", self.detailed_peer_state()),
        );
    }

    fn set_sync_mode(&mut self, mode: SyncMode) {
        self.sync_mode = mode;
        if mode != SyncMode::None {
            self.log(
                Level::Info,
                "QuorumPeer",
                format!("Peer state changed: {}", self.detailed_peer_state()),
            );
        }
    }

    fn set_accepted_epoch(&mut self, epoch: u32) {
        self.disk.accepted_epoch = Some(epoch);
    }

    fn set_current_epoch(&mut self, epoch: u32) {
        self.disk.current_epoch = Some(epoch);
    }

    /// `QuorumPeer.updateElectionVote`: joiners see one consistent vote.
    fn update_election_vote(&mut self, epoch: u32) {
        // Bug museum: before ZOOKEEPER-1818 the vote kept the peerEpoch of
        // the election that made it.
        if self.cfg.variant("bug_zk1732_strict_vote_equality") {
            return;
        }
        self.current_vote.peer_epoch = epoch as i64;
    }

    // ----- the entry point -----

    /// Handle one input at virtual time `now` (see the module doc).
    pub fn handle(&mut self, now: u64, input: Input) {
        self.now = now;
        if let Input::Start { entropy } = input {
            self.start(entropy);
            return;
        }
        if !self.running {
            return;
        }
        match input {
            Input::Start { .. } => {}
            Input::Election(n) => self.on_notification(n),
            Input::ConnectResult { to, conn } => self.learner_connect_result(to, conn),
            Input::Accepted { conn, from } => self.leader_accept(conn, from),
            Input::Packet { conn, packet } => self.on_packet(conn, packet),
            Input::Closed { conn } => self.on_closed(conn),
            Input::Timer { kind, token } => {
                if self.timers.get(&kind) == Some(&token) {
                    self.timers.remove(&kind);
                    self.on_timer(kind);
                }
            }
            Input::FsyncDone { upto } => self.on_fsync_done(upto),
            Input::ClientConnect {
                client,
                session,
                timeout_ms,
                last_zxid_seen,
            } => {
                let op = crate::proto::RequestOp::CreateSession {
                    timeout_ms: timeout_ms as u32,
                };
                self.stats_client_arrival(client, 0, &op);
                if session == 0 {
                    self.stats_new_session(client);
                }
                self.client_connect(client, session, timeout_ms, last_zxid_seen);
                if !self.cnxns.contains_key(&client) {
                    // Refused: nothing of it stays in process.
                    self.stats_client_gone(client);
                }
            }
            Input::ClientRequest { client, cxid, op } => {
                self.stats_client_arrival(client, cxid, &op);
                self.client_request(client, cxid, op);
                if !self.cnxns.contains_key(&client) {
                    self.stats_client_gone(client);
                }
            }
            Input::ClientPing { client } => self.client_ping(client),
            Input::ClientSetWatches {
                client,
                relative_zxid,
                data,
                exist,
                child,
            } => self.client_set_watches(client, relative_zxid, &data, &exist, &child),
            Input::ClientGone { client } => {
                self.drop_cnxn(client);
                self.stats_client_gone(client);
            }
        }
    }

    fn on_packet(&mut self, conn: ConnId, packet: Packet) {
        match &self.role {
            Role::Leader(_) => self.leader_packet(conn, packet),
            Role::Learner(l) if l.conn == Some(conn) => self.learner_packet(packet),
            _ => {}
        }
    }

    fn on_closed(&mut self, conn: ConnId) {
        match &self.role {
            Role::Leader(_) => self.leader_handler_closed(conn),
            Role::Learner(l) if l.conn == Some(conn) => self.learner_lost_leader(
                "java.io.EOFException (the leader closed the connection)".to_string(),
            ),
            _ => {}
        }
    }

    fn on_timer(&mut self, kind: TimerKind) {
        match kind {
            TimerKind::ElectionPoll => self.election_poll_timeout(),
            TimerKind::Finalize => self.election_finalize_timeout(),
            TimerKind::ObserverDelay => self.look_for_leader(),
            TimerKind::LeaderWait => self.leader_wait_timeout(),
            TimerKind::LeaderTick => self.leader_tick(),
            TimerKind::SessionExpiry => self.session_expiry_check(),
            TimerKind::Handler(conn) => self.handler_timer(conn),
            TimerKind::LearnerRead => self.learner_read_timer(),
            TimerKind::LearnerConnect => self.learner_try_connect(),
        }
    }

    // ----- process life -----

    /// `QuorumPeer.start`: load the database, then look for a leader.
    fn start(&mut self, entropy: u64) {
        let sid = self.sid();
        let now = self.now;
        *self = Server {
            disk: std::mem::take(&mut self.disk),
            ..Server::new(self.cfg.clone())
        };
        self.now = now;
        self.rng = Pcg32::new(entropy, sid as u64);
        self.started_ms = self.now;
        self.log(
            Level::Info,
            "QuorumPeerMain",
            format!("Starting quorum peer, myid={sid}"),
        );
        if self.cfg.configured_commit_log_count < MIN_COMMIT_LOG_COUNT {
            self.log(
                Level::Warn,
                "ZKDatabase",
                format!(
                    "The configured commitLogCount {} is less than the recommended {}, going to use the recommended one",
                    self.cfg.configured_commit_log_count, MIN_COMMIT_LOG_COUNT
                ),
            );
        }
        // `QuorumPeer.loadDataBase`.
        self.reload_database();
        if self.disk.current_epoch.is_none() {
            self.log(Level::Info, "QuorumPeer", "currentEpoch not found! Creating with a reasonable default of 0. This should only happen when you are upgrading your installation".to_string());
            self.disk.current_epoch = Some(0);
        }
        if self.disk.accepted_epoch.is_none() {
            self.log(Level::Info, "QuorumPeer", "acceptedEpoch not found! Creating with a reasonable default of 0. This should only happen when you are upgrading your installation".to_string());
            self.disk.accepted_epoch = Some(0);
        }
        let (accepted, current) = (self.accepted_epoch(), self.current_epoch());
        if accepted < current {
            let msg =
                format!("The accepted epoch, {accepted} is less than the current epoch, {current}");
            self.log(
                Level::Error,
                "QuorumPeer",
                format!("Unable to load database on disk: {msg}"),
            );
            self.start_failure = Some(msg);
            return;
        }
        let last_epoch = self.tree.last_processed_zxid.epoch();
        if last_epoch > current {
            let msg = format!(
                "The current epoch, {current}, is older than the last zxid, {}",
                self.tree.last_processed_zxid
            );
            self.log(
                Level::Error,
                "QuorumPeer",
                format!("Unable to load database on disk: {msg}"),
            );
            self.start_failure = Some(msg);
            return;
        }
        self.next_session_id = ((sid as u64) << 56) | ((self.now & 0xff_ffff_ffff) << 16);
        self.reset_rand_roll();
        self.running = true;
        self.log(
            Level::Info,
            "FastLeaderElection",
            "zookeeper.fastleader.minNotificationInterval = 200 ms".to_string(),
        );
        self.current_vote = Vote {
            leader: sid as i64,
            zxid: self.last_logged_zxid().0 as i64,
            round: 0,
            peer_epoch: self.current_epoch() as i64,
            state: ServerState::Looking,
        };
        self.stats_config_written();
        self.log(Level::Info, "QuorumPeer", "LOOKING".to_string());
        self.stats_looking();
        self.look_for_leader();
    }

    /// The process is killed: everything but the durable disk is lost.
    pub fn crash(&mut self) {
        self.disk.crash();
        let disk = std::mem::take(&mut self.disk);
        *self = Server {
            disk,
            ..Server::new(self.cfg.clone())
        };
    }

    fn rebuild_committed_log(&mut self) {
        self.committed_log.clear();
        let base = self.disk.snapshot.as_ref().map_or(Zxid::ZERO, |s| s.zxid);
        let max = self.cfg.commit_log_count as usize;
        let txns: Vec<Arc<Txn>> = self.disk.txns_after_shared(base).cloned().collect();
        for t in txns
            .into_iter()
            .filter(|t| t.zxid <= self.tree.last_processed_zxid)
        {
            self.committed_log.push_back(t);
            if self.committed_log.len() > max {
                self.committed_log.pop_front();
            }
        }
    }

    fn reset_rand_roll(&mut self) {
        let half = (self.cfg.snap_count / 2).max(1);
        self.rand_roll = self.rng.next_u64() % half;
    }

    /// Apply a txn to the tree and the committed log (`ZKDatabase.processTxn`
    /// and `addCommittedProposal`). `delivered` says whether the txn is
    /// known committed (checks only).
    fn apply_txn(&mut self, txn: &Arc<Txn>, delivered: bool) {
        self.apply_txn_window(txn, delivered, true);
    }

    /// [`Server::apply_txn`], optionally without `addCommittedProposal`
    /// (only the bug museum's `bug_zk4925_sync_txns_skip_committed_log`
    /// passes `false`).
    fn apply_txn_window(&mut self, txn: &Arc<Txn>, delivered: bool, add_to_window: bool) {
        if let Some(floor) = self.label_ahead_of {
            if txn.zxid > floor {
                self.apply_below_label(txn, delivered);
                return;
            }
        }
        if txn.zxid <= self.tree.last_processed_zxid {
            // Already in the tree (a COMMIT for a txn a snapshot included).
            if delivered {
                self.deliver_upto(txn.zxid);
            }
            return;
        }
        self.tree.apply(txn);
        self.stats_applied(txn);
        if add_to_window {
            self.committed_log.push_back(txn.clone());
            if self.committed_log.len() > self.cfg.commit_log_count as usize {
                self.committed_log.pop_front();
            }
        }
        if delivered {
            self.ghost_delivered = self.tree.ghost_applied.len();
        }
        self.after_apply(txn);
    }

    /// `bug_zk2355_early_last_processed`: the tree is behind its label;
    /// apply the txn and keep the label where it is until the tree
    /// catches up with it.
    fn apply_below_label(&mut self, txn: &Arc<Txn>, delivered: bool) {
        let label = self.tree.last_processed_zxid;
        self.tree.apply(txn);
        self.stats_applied(txn);
        self.tree.last_processed_zxid = label.max(txn.zxid);
        self.label_ahead_of = (txn.zxid < label).then_some(txn.zxid);
        self.committed_log.push_back(txn.clone());
        if self.committed_log.len() > self.cfg.commit_log_count as usize {
            self.committed_log.pop_front();
        }
        if delivered {
            self.ghost_delivered = self.tree.ghost_applied.len();
        }
        self.after_apply(txn);
    }

    /// Mark every applied txn up to `zxid` delivered (checks only).
    fn deliver_upto(&mut self, zxid: Zxid) {
        let applied = &self.tree.ghost_applied;
        let upto = applied.partition_point(|t| t.zxid <= zxid);
        if upto > self.ghost_delivered {
            self.ghost_delivered = upto;
        }
    }

    /// Deliver everything in the tree (a leader adopting its history).
    pub(super) fn deliver_all(&mut self) {
        self.ghost_delivered = self.tree.ghost_applied.len();
    }

    /// `ZooKeeperServer.shutdown(false)` → `fastForwardDataBase`: replay the
    /// logged txns the tree lacks, so the next vote carries the log tail.
    fn fast_forward(&mut self) {
        let txns: Vec<Arc<Txn>> = self
            .disk
            .txns_after_shared(self.tree.last_processed_zxid)
            .cloned()
            .collect();
        for t in txns {
            self.apply_txn(&t, false);
        }
    }

    /// Reload the tree from disk (`ZKDatabase.clear` then `loadDataBase`).
    fn reload_database(&mut self) {
        let (tree, delivered) = self.disk.restore();
        self.tree = tree;
        self.ghost_delivered = delivered;
        self.rebuild_committed_log();
        let base = self.disk.snapshot.as_ref().map_or(Zxid::ZERO, |s| s.zxid);
        let replayed: Vec<Txn> = self.disk.txns_after(base).cloned().collect();
        self.stats_database_loaded(&replayed);
    }

    // ----- the txn log pipeline (`SyncRequestProcessor`) -----

    fn log_txn(&mut self, txn: impl Into<Arc<Txn>>, after: AfterFlush) {
        let txn: Arc<Txn> = txn.into();
        let zxid = txn.zxid;
        let times = (self.now, txn.time_ms);
        self.stats_log_queued();
        self.disk.append(txn);
        self.to_flush
            .push_back((self.disk.log.len(), zxid, after, times));
        if self.disk.txns_since_roll > self.cfg.snap_count / 2 + self.rand_roll {
            self.log(
                Level::Info,
                "SyncRequestProcessor",
                "Creating new log file".to_string(),
            );
            self.take_snapshot();
            self.reset_rand_roll();
        }
        self.maybe_flush();
    }

    fn maybe_flush(&mut self) {
        if self.flush_in_flight.is_none() && self.disk.unflushed() > 0 {
            let upto = self.disk.log.len();
            self.flush_in_flight = Some(upto);
            self.stats_flush_started();
            self.out.push(Output::Fsync { upto });
        }
    }

    fn on_fsync_done(&mut self, upto: usize) {
        if self.flush_in_flight != Some(upto) {
            return;
        }
        self.flush_in_flight = None;
        let cap = std::mem::replace(&mut self.flush_cap, usize::MAX);
        self.disk.flush_to(upto.min(cap));
        let mut flushed = Vec::new();
        while let Some(&(len, zxid, after, (queued, created))) = self.to_flush.front() {
            if len > self.disk.flushed {
                break;
            }
            self.to_flush.pop_front();
            flushed.push((queued, created, after != AfterFlush::Nothing));
            match after {
                AfterFlush::LeaderAck => self.leader_process_ack(self.sid(), zxid),
                AfterFlush::FollowerAck { conn } => {
                    if matches!(&self.role, Role::Learner(l) if l.conn == Some(conn)) {
                        self.send(conn, Packet::Ack { zxid });
                    }
                }
                AfterFlush::Nothing => {}
            }
        }
        self.stats_flushed(&flushed);
        // The old role's log writer, never stopped, takes its next queued
        // txns now (bug museum, ZOOKEEPER-4712).
        for txn in std::mem::take(&mut self.stale_writer) {
            self.log(
                Level::Warn,
                "SyncRequestProcessor",
                format!("Stale log writer appends 0x{:x}", txn.zxid.0),
            );
            let zxid = txn.zxid;
            let times = (self.now, txn.time_ms);
            self.disk.append(txn);
            self.to_flush
                .push_back((self.disk.log.len(), zxid, AfterFlush::Nothing, times));
        }
        self.learner_fsync_done();
        self.maybe_flush();
    }

    /// `FileTxnSnapLog.truncateLog`. Writes still queued for the removed
    /// txns are gone with them (their positions will be reused).
    fn truncate_log(&mut self, zxid: Zxid) -> Vec<TxnId> {
        let removed = self.disk.truncate_log(zxid);
        let len = self.disk.log.len();
        self.to_flush.retain(|e| e.0 <= len);
        if let Some(upto) = self.flush_in_flight {
            self.flush_cap = self.flush_cap.min(upto).min(len);
        }
        removed
    }

    /// Drops the log a snapshot covers (`fix_discard_log_on_snap` only);
    /// queued writes are renumbered, those of dropped txns forgotten.
    fn discard_log_through(&mut self, zxid: Zxid) {
        let before = self.disk.log.len();
        self.disk.discard_log_through(zxid);
        let k = before - self.disk.log.len();
        self.to_flush.retain(|e| e.0 > k);
        for e in self.to_flush.iter_mut() {
            e.0 -= k;
        }
        if let Some(upto) = self.flush_in_flight {
            self.flush_cap = self.flush_cap.min(upto).saturating_sub(k);
        }
    }

    fn take_snapshot(&mut self) {
        let z = self.tree.last_processed_zxid;
        self.log(
            Level::Info,
            "FileTxnSnapLog",
            format!("Snapshotting: {z} to snapshot.{:x}", z.0),
        );
        let delivered = self.ghost_delivered;
        self.disk.take_snapshot(&self.tree, delivered);
        self.stats_snapshot();
    }

    /// Leave the current role (`Leader.shutdown` / `Learner.shutdown` +
    /// `ZooKeeperServer.shutdown`), then look for a leader again.
    fn leave_role(&mut self, clear_tree: bool) {
        let conns: Vec<ConnId> = match &self.role {
            Role::Leader(l) => l.handlers.keys().copied().collect(),
            Role::Learner(l) => l.conn.into_iter().collect(),
            Role::None => Vec::new(),
        };
        for conn in conns {
            self.out.push(Output::Close { conn });
        }
        let was_learner = matches!(self.role, Role::Learner(_));
        self.role = Role::None;
        self.label_ahead_of = None;
        self.timers.clear();
        // The log writer of the old role stops: no more ACKs from it.
        for entry in self.to_flush.iter_mut() {
            entry.2 = AfterFlush::Nothing;
        }
        // Bug museum: before ZOOKEEPER-4712's fix, `Learner.shutdown` did not
        // stop and drain the `SyncRequestProcessor`. While it waits on an
        // fsync, the txns behind it are still in its queue, not in the log,
        // so the fast-forward below cannot see them; the writer appends
        // them later.
        if was_learner && self.cfg.variant("bug_zk4712_stale_log_writer") {
            if let Some(written) = self.flush_in_flight {
                if self.disk.log.len() > written {
                    let queued: Vec<Arc<Txn>> = self.disk.log.iter_from(written).cloned().collect();
                    self.disk.log.truncate(written);
                    self.to_flush.retain(|(len, _, _, _)| *len <= written);
                    self.stale_writer.extend(queued);
                }
            }
        }
        self.close_all_clients("ZooKeeperServer not running");
        self.book.in_process.clear();
        self.book.read_paths.clear();
        self.book.new_sessions.clear();
        self.book.cnxn.clear();
        self.book.sync_started_ms = None;
        self.pending_replies.clear();
        self.session_order.clear();
        self.learner_syncs.clear();
        self.serving = false;
        if clear_tree {
            self.reload_database();
        } else if !self.cfg.variant("bug_zk2845_no_fast_forward") {
            // ZOOKEEPER-2845: before 722ba9409, `ZooKeeperServer.shutdown`
            // did not fast-forward, so lastProcessedZxid (the next vote and
            // ACKEPOCH) could lag behind the logged tail.
            self.fast_forward();
        }
        self.sync_mode = SyncMode::None;
        self.state = ServerState::Looking;
        self.zab_state = ZabState::Election;
        self.log(
            Level::Info,
            "QuorumPeer",
            "Peer state changed: looking".to_string(),
        );
        self.log(
            Level::Warn,
            "QuorumPeer",
            "PeerState set to LOOKING".to_string(),
        );
        self.log(Level::Info, "QuorumPeer", "LOOKING".to_string());
        self.stats_looking();
        if self.cfg.is_observer() {
            let delay = self.rng.below(200) as u64;
            self.set_timer(TimerKind::ObserverDelay, delay);
        } else {
            self.look_for_leader();
        }
    }

    fn exit(&mut self, reason: String) {
        self.log(
            Level::Error,
            "ServiceUtils",
            format!("Exiting JVM with code 13: {reason}"),
        );
        self.out.push(Output::Exit { reason });
    }

    fn ghost(&mut self, e: GhostEvent) {
        self.ghost.push(e);
    }
}
