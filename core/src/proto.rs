//! The messages ZooKeeper servers exchange, by port.
//!
//! - Election port (`FastLeaderElection.Notification`/`ToSend`): a vote plus
//!   the sender's state, round (`electionEpoch`) and `peerEpoch`.
//! - Quorum port (`QuorumPacket` with `Leader.*` types): FOLLOWERINFO,
//!   OBSERVERINFO, LEADERINFO, ACKEPOCH, DIFF, TRUNC, SNAP, PROPOSAL, COMMIT,
//!   INFORM, NEWLEADER, UPTODATE, ACK, PING, REQUEST.
//! - Client port: connect, request, ping (the simulator's clients).
//!
//! Pure data: no behaviour beyond names and one-line descriptions. It
//! carries txns and trees (`crate::txn`) but the data tree never imports
//! these types: [`WatchEventType`] belongs to the tree that fires it and is
//! re-exported here for the client port.

use std::sync::Arc;

use serde::Serialize;

pub use crate::txn::WatchEventType;
use crate::txn::{DataTree, Txn};
use crate::zxid::Zxid;

/// A server id (`myid`).
pub type Sid = u32;

/// `QuorumPeer.ServerState`. DOWN is ours and lives in the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum ServerState {
    Looking,
    Following,
    Leading,
    Observing,
}

impl ServerState {
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
            ServerState::Observing => "OBSERVING",
        }
    }
}

/// `QuorumPeer.ZabState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum ZabState {
    Election,
    Discovery,
    Synchronization,
    Broadcast,
}

impl ZabState {
    pub fn name(self) -> &'static str {
        match self {
            ZabState::Election => "ELECTION",
            ZabState::Discovery => "DISCOVERY",
            ZabState::Synchronization => "SYNCHRONIZATION",
            ZabState::Broadcast => "BROADCAST",
        }
    }
}

/// `QuorumPeer.SyncMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum SyncMode {
    None,
    Diff,
    Snap,
    Trunc,
}

impl SyncMode {
    pub fn name(self) -> &'static str {
        match self {
            SyncMode::None => "NONE",
            SyncMode::Diff => "DIFF",
            SyncMode::Snap => "SNAP",
            SyncMode::Trunc => "TRUNC",
        }
    }
}

/// A vote (`Vote`): values are Java longs, so observers can vote
/// `Long.MIN_VALUE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    pub leader: i64,
    pub zxid: i64,
    pub round: u64,
    pub peer_epoch: i64,
    pub state: ServerState,
}

impl Vote {
    /// `Vote.equals`: with a LOOKING side every field counts; between two
    /// settled votes only the leader and its epoch do.
    pub fn same_as(&self, other: &Vote, strict: bool) -> bool {
        if strict || self.state == ServerState::Looking || other.state == ServerState::Looking {
            self.leader == other.leader
                && self.zxid == other.zxid
                && self.round == other.round
                && self.peer_epoch == other.peer_epoch
        } else {
            self.leader == other.leader && self.peer_epoch == other.peer_epoch
        }
    }
}

/// An election-port message. The sender's sid comes from the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub sender: Sid,
    pub state: ServerState,
    pub leader: i64,
    pub zxid: i64,
    pub round: u64,
    pub peer_epoch: i64,
    pub config_version: u64,
}

impl Notification {
    pub fn vote(&self) -> Vote {
        Vote {
            leader: self.leader,
            zxid: self.zxid,
            round: self.round,
            peer_epoch: self.peer_epoch,
            state: self.state,
        }
    }
}

/// A client request, as the request processors see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOp {
    CreateSession {
        timeout_ms: u32,
    },
    CloseSession,
    /// `sequential`: the server appends the parent's `cversion` as
    /// `%010d` (`PrepRequestProcessor`), and the reply names the node.
    Create {
        path: Arc<str>,
        data: Arc<str>,
        ephemeral: bool,
        sequential: bool,
    },
    Delete {
        path: Arc<str>,
        version: i32,
    },
    SetData {
        path: Arc<str>,
        data: Arc<str>,
        version: i32,
    },
    /// `multi`'s check op: the node's version must be `version`.
    Check {
        path: Arc<str>,
        version: i32,
    },
    /// All-or-nothing: one txn (`OpCode.multi`) holding every op, or an
    /// error for all of them.
    Multi {
        ops: Vec<RequestOp>,
    },
    /// `sync`: a learner forwards it to the leader, which answers (SYNC)
    /// once what it has proposed so far is committed; not a quorum round.
    Sync {
        path: Arc<str>,
    },
    /// Reads, answered by the connected server from its own tree; `watch`
    /// leaves a one-shot watch on that server.
    GetData {
        path: Arc<str>,
        watch: bool,
    },
    Exists {
        path: Arc<str>,
        watch: bool,
    },
    GetChildren {
        path: Arc<str>,
        watch: bool,
    },
}

impl RequestOp {
    /// A read is answered locally (`FinalRequestProcessor`), never proposed.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            RequestOp::GetData { .. } | RequestOp::Exists { .. } | RequestOp::GetChildren { .. }
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            RequestOp::GetData { .. } => "getData",
            RequestOp::Exists { .. } => "exists",
            RequestOp::GetChildren { .. } => "getChildren",
            RequestOp::CreateSession { .. } => "createSession",
            RequestOp::CloseSession => "closeSession",
            RequestOp::Create { .. } => "create",
            RequestOp::Delete { .. } => "delete",
            RequestOp::SetData { .. } => "setData",
            RequestOp::Check { .. } => "check",
            RequestOp::Multi { .. } => "multi",
            RequestOp::Sync { .. } => "sync",
        }
    }

    /// The path a single-node request is about ("" for session ops and
    /// multi).
    pub fn path(&self) -> &str {
        match self {
            RequestOp::Create { path, .. }
            | RequestOp::Delete { path, .. }
            | RequestOp::SetData { path, .. }
            | RequestOp::Check { path, .. }
            | RequestOp::Sync { path }
            | RequestOp::GetData { path, .. }
            | RequestOp::Exists { path, .. }
            | RequestOp::GetChildren { path, .. } => path,
            RequestOp::CreateSession { .. } | RequestOp::CloseSession | RequestOp::Multi { .. } => {
                ""
            }
        }
    }
}

/// What a watch is on: a node's data (getData, and exists on a node that
/// exists), its existence (exists on a missing node) or its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WatchKind {
    Data,
    Exist,
    Child,
}

/// A fired watch (`WatchedEvent`): what happened to which path, and the
/// zxid of the txn that fired it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedEvent {
    pub client: ClientId,
    pub kind: WatchEventType,
    pub path: Arc<str>,
    pub zxid: Zxid,
}

/// A request forwarded to the leader (`Leader.REQUEST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub session: u64,
    pub cxid: u32,
    pub op: RequestOp,
}

/// What a SNAP carries: the leader's serialized tree.
#[derive(Debug, Clone)]
pub struct SnapData {
    pub tree: DataTree,
    /// Checks only: how many of the tree's applied txns the leader delivered.
    pub ghost_delivered: usize,
}

/// A quorum-port packet.
#[derive(Debug, Clone)]
pub enum Packet {
    FollowerInfo {
        sid: Sid,
        accepted_epoch_zxid: Zxid,
        config_version: u64,
    },
    ObserverInfo {
        sid: Sid,
        accepted_epoch_zxid: Zxid,
        config_version: u64,
    },
    LeaderInfo {
        new_epoch_zxid: Zxid,
    },
    AckEpoch {
        current_epoch: i64,
        last_zxid: Zxid,
    },
    Diff {
        zxid: Zxid,
    },
    Trunc {
        zxid: Zxid,
    },
    Snap {
        zxid: Zxid,
        data: Arc<SnapData>,
    },
    Proposal {
        txn: Arc<Txn>,
    },
    Commit {
        zxid: Zxid,
    },
    Inform {
        txn: Arc<Txn>,
    },
    NewLeader {
        zxid: Zxid,
    },
    UpToDate,
    Ack {
        zxid: Zxid,
    },
    Ping {
        zxid: Zxid,
        touches: Vec<(u64, u32)>,
    },
    Request {
        request: Request,
    },
    /// `Leader.SYNC`: the answer to the oldest sync this learner forwarded.
    Sync,
}

impl Packet {
    /// `Leader.getPacketType` names.
    pub fn name(&self) -> &'static str {
        match self {
            Packet::FollowerInfo { .. } => "FOLLOWERINFO",
            Packet::ObserverInfo { .. } => "OBSERVERINFO",
            Packet::LeaderInfo { .. } => "LEADERINFO",
            Packet::AckEpoch { .. } => "ACKEPOCH",
            Packet::Diff { .. } => "DIFF",
            Packet::Trunc { .. } => "TRUNC",
            Packet::Snap { .. } => "SNAP",
            Packet::Proposal { .. } => "PROPOSAL",
            Packet::Commit { .. } => "COMMIT",
            Packet::Inform { .. } => "INFORM",
            Packet::NewLeader { .. } => "NEWLEADER",
            Packet::UpToDate => "UPTODATE",
            Packet::Ack { .. } => "ACK",
            Packet::Ping { .. } => "PING",
            Packet::Request { .. } => "REQUEST",
            Packet::Sync => "SYNC",
        }
    }

    /// The zxid the packet carries (0 when it has none).
    pub fn zxid(&self) -> Zxid {
        match self {
            Packet::FollowerInfo {
                accepted_epoch_zxid: z,
                ..
            }
            | Packet::ObserverInfo {
                accepted_epoch_zxid: z,
                ..
            }
            | Packet::LeaderInfo { new_epoch_zxid: z }
            | Packet::AckEpoch { last_zxid: z, .. }
            | Packet::Diff { zxid: z }
            | Packet::Trunc { zxid: z }
            | Packet::Snap { zxid: z, .. }
            | Packet::Commit { zxid: z }
            | Packet::NewLeader { zxid: z }
            | Packet::Ack { zxid: z }
            | Packet::Ping { zxid: z, .. } => *z,
            Packet::Proposal { txn } | Packet::Inform { txn } => txn.zxid,
            Packet::UpToDate | Packet::Request { .. } | Packet::Sync => Zxid::ZERO,
        }
    }
}

/// A client's handle inside the simulator.
pub type ClientId = u32;

/// The result of a client request (`KeeperException.Code`, 0 = OK).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReply {
    pub client: ClientId,
    pub cxid: u32,
    /// For a write, its txn's zxid; for a read, the answering server's
    /// last processed zxid (ZooKeeper's `ReplyHeader.zxid`).
    pub zxid: Zxid,
    pub err: i32,
    /// What a read saw (None for writes).
    pub read: Option<ReadResult>,
    /// The nodes a create (or a multi's creates) made: a sequential
    /// node's name is only known from here.
    pub created: Vec<Arc<str>>,
}

/// What a read returned: the node's data and version (None: no such node)
/// and, for getChildren, the child names in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    pub data: Option<Arc<str>>,
    pub version: i32,
    pub children: Vec<Arc<str>>,
}
