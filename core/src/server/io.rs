//! What crosses a server's boundary: the [`Input`]s the simulator hands
//! [`Server::handle`](super::Server::handle), the [`Output`]s it drains, the
//! log lines and client events among them, the timers, and the ghost events
//! only the checks read.
//!
//! Pure data: nothing here changes a server or reads the simulator.

use std::sync::Arc;

use serde::Serialize;

use crate::proto::{ClientId, Notification, Packet, Sid, SyncMode};
use crate::txn::TxnId;
use crate::zxid::Zxid;

/// A quorum-port connection, numbered by the simulator.
pub type ConnId = u64;

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
    /// The autopurge task's next run (`DatadirCleanupManager`'s timer).
    Purge,
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
