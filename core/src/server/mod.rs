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
//! Submodules follow ZooKeeper's classes:
//! - `io`: the inputs, outputs, timers, log lines and ghost events;
//! - `config`: the settings (`QuorumPeerConfig`, `QuorumMaj`);
//! - `lifecycle`: the process (`QuorumPeer.start`, `loadDataBase`, the
//!   role changes of `QuorumPeer.run`, exit);
//! - `purge`: the autopurge task (`DatadirCleanupManager`, `PurgeTxnLog`);
//! - `database`: `ZKDatabase`, `SyncRequestProcessor`, `FileTxnSnapLog`;
//! - `election`: `FastLeaderElection`;
//! - `leader`: `Leader` and `LearnerHandler` (discovery, sync, broadcast);
//! - `learner`: `Learner`, `Follower`, `Observer`;
//! - `requests`: the client side (connections, the request processors,
//!   watches, sessions);
//! - `stats`: what the server measures about itself (observation only).
//!
//! This file holds [`Server`], its plumbing (log, timers, send) and the
//! entry point [`Server::handle`], which dispatches each input to the role
//! or module that owns it.

mod config;
mod database;
mod election;
mod io;
mod leader;
mod learner;
mod lifecycle;
mod purge;
mod requests;
mod stats;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::metrics::Metrics;
use crate::proto::{ClientId, Packet, ServerState, Sid, SyncMode, Vote, ZabState};
use crate::rng::Pcg32;
use crate::seq::Window;
use crate::storage::Disk;
use crate::txn::{DataTree, Txn};
use crate::zxid::Zxid;

pub use config::{Config, MIN_COMMIT_LOG_COUNT};
use database::AfterFlush;
pub use election::{Election, MAX_NOTIFICATION_INTERVAL_MS};
pub use io::{ClientEvent, ConnId, GhostEvent, Input, Level, LogLine, Output, TimerKind};
pub use leader::{Handler, HandlerPhase, LeaderPhase, LeaderState};
pub use learner::{LearnerPhase, LearnerState};
pub use requests::{Cnxn, SessionOp, Watches};
pub use stats::{CnxnStats, Counters, InProcess, StatsBook, FSYNC_WARNING_THRESHOLD_MS};

/// Which role the server runs.
#[derive(Debug, Clone)]
pub enum Role {
    None,
    Leader(Box<LeaderState>),
    Learner(Box<LearnerState>),
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

    /// [`Server::take_outputs`] into `into` (emptied first), giving the
    /// server `into`'s buffer in exchange: a caller that hands the same
    /// buffer back every time allocates no vector per event.
    pub fn swap_outputs(&mut self, into: &mut Vec<Output>) {
        into.clear();
        std::mem::swap(&mut self.out, into);
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

    /// The token of the live timer of `kind`, if one is set: a queued
    /// timer with another token is stale or cancelled and will be ignored
    /// when it fires. Read-only, for the views of pending deadlines.
    pub fn live_timer(&self, kind: TimerKind) -> Option<u64> {
        self.timers.get(&kind).copied()
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
            TimerKind::Purge => self.purge_task(),
        }
    }

    fn ghost(&mut self, e: GhostEvent) {
        self.ghost.push(e);
    }
}
