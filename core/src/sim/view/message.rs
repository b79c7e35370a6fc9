//! What a message is, for the views: its two ends (`Peer`), its kind in
//! ZooKeeper's words (`MsgKind`) and what it carries (`MsgDetail`), read
//! off a queued event by `message_of`.
//!
//! Contract: pure classification of events the simulator already holds;
//! an event this file does not know is a generic kind (`OtherPacket`,
//! `ClientEvent`), never a panic. Never changes the run.

use serde::Serialize;

use crate::proto::{ClientId, Packet, ServerState, Sid};
use crate::server::{ClientEvent, Input};
use crate::sim::{ClientEv, Event, Simulation};
use crate::zxid::Zxid;

/// One end of a message: a server or a client handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Peer {
    Server(Sid),
    Client(ClientId),
}

/// What a message is, in ZooKeeper's words (`Leader.getPacketType` for the
/// quorum port). `Fin` is a connection close travelling to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MsgKind {
    Notification,
    FollowerInfo,
    ObserverInfo,
    LeaderInfo,
    AckEpoch,
    Diff,
    Trunc,
    Snap,
    Proposal,
    Commit,
    Inform,
    NewLeader,
    UpToDate,
    Ack,
    Ping,
    Request,
    /// `Leader.SYNC`: the leader's answer to a forwarded sync.
    Sync,
    /// A quorum packet type this view does not know by name yet.
    OtherPacket,
    Fin,
    /// Client to server: session connect, request, ping, goodbye.
    ClientConnect,
    ClientRequest,
    ClientPing,
    ClientGone,
    /// Server to client: connected, reply, pong, connection closed.
    ClientConnected,
    ClientReply,
    ClientPong,
    ClientClosed,
    /// Any other server-to-client push (a watch notification).
    ClientEvent,
}

impl MsgKind {
    /// Every kind, in declaration order (legends, colour tables).
    pub const ALL: [MsgKind; 28] = [
        MsgKind::Notification,
        MsgKind::FollowerInfo,
        MsgKind::ObserverInfo,
        MsgKind::LeaderInfo,
        MsgKind::AckEpoch,
        MsgKind::Diff,
        MsgKind::Trunc,
        MsgKind::Snap,
        MsgKind::Proposal,
        MsgKind::Commit,
        MsgKind::Inform,
        MsgKind::NewLeader,
        MsgKind::UpToDate,
        MsgKind::Ack,
        MsgKind::Ping,
        MsgKind::Request,
        MsgKind::Sync,
        MsgKind::OtherPacket,
        MsgKind::Fin,
        MsgKind::ClientConnect,
        MsgKind::ClientRequest,
        MsgKind::ClientPing,
        MsgKind::ClientGone,
        MsgKind::ClientConnected,
        MsgKind::ClientReply,
        MsgKind::ClientPong,
        MsgKind::ClientClosed,
        MsgKind::ClientEvent,
    ];

    /// The packet type name (quorum port), `notification` for the election
    /// port, and short names for the rest.
    pub fn name(self) -> &'static str {
        match self {
            MsgKind::Notification => "notification",
            MsgKind::FollowerInfo => "FOLLOWERINFO",
            MsgKind::ObserverInfo => "OBSERVERINFO",
            MsgKind::LeaderInfo => "LEADERINFO",
            MsgKind::AckEpoch => "ACKEPOCH",
            MsgKind::Diff => "DIFF",
            MsgKind::Trunc => "TRUNC",
            MsgKind::Snap => "SNAP",
            MsgKind::Proposal => "PROPOSAL",
            MsgKind::Commit => "COMMIT",
            MsgKind::Inform => "INFORM",
            MsgKind::NewLeader => "NEWLEADER",
            MsgKind::UpToDate => "UPTODATE",
            MsgKind::Ack => "ACK",
            MsgKind::Ping => "PING",
            MsgKind::Request => "REQUEST",
            MsgKind::Sync => "SYNC",
            MsgKind::OtherPacket => "packet",
            MsgKind::Fin => "FIN",
            MsgKind::ClientConnect => "connect",
            MsgKind::ClientRequest => "request",
            MsgKind::ClientPing => "ping",
            MsgKind::ClientGone => "bye",
            MsgKind::ClientConnected => "connected",
            MsgKind::ClientReply => "reply",
            MsgKind::ClientPong => "pong",
            MsgKind::ClientClosed => "closed",
            MsgKind::ClientEvent => "event",
        }
    }

    /// Election or quorum port (server to server), not client traffic.
    pub fn between_servers(self) -> bool {
        self <= MsgKind::Fin
    }

    /// By the packet's wire name (`Packet::name`), so that a packet type
    /// added to `proto.rs` shows as a packet instead of breaking the view.
    pub(super) fn of_packet(p: &Packet) -> MsgKind {
        match p.name() {
            "FOLLOWERINFO" => MsgKind::FollowerInfo,
            "OBSERVERINFO" => MsgKind::ObserverInfo,
            "LEADERINFO" => MsgKind::LeaderInfo,
            "ACKEPOCH" => MsgKind::AckEpoch,
            "DIFF" => MsgKind::Diff,
            "TRUNC" => MsgKind::Trunc,
            "SNAP" => MsgKind::Snap,
            "PROPOSAL" => MsgKind::Proposal,
            "COMMIT" => MsgKind::Commit,
            "INFORM" => MsgKind::Inform,
            "NEWLEADER" => MsgKind::NewLeader,
            "UPTODATE" => MsgKind::UpToDate,
            "ACK" => MsgKind::Ack,
            "PING" => MsgKind::Ping,
            "REQUEST" => MsgKind::Request,
            "SYNC" => MsgKind::Sync,
            _ => MsgKind::OtherPacket,
        }
    }
}

/// What a message carries that a person hovering it wants to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MsgDetail {
    None,
    /// An election notification: the sender's state and its vote.
    Vote {
        state: ServerState,
        leader: i64,
        zxid: i64,
        round: u64,
        peer_epoch: i64,
    },
    /// A quorum packet's zxid (FOLLOWERINFO's and OBSERVERINFO's carry the
    /// acceptedEpoch, LEADERINFO's the new epoch, in the high 32 bits).
    Zxid(Zxid),
    /// ACKEPOCH: the follower's currentEpoch (-1 when it already accepted
    /// this epoch) and its last zxid.
    AckEpoch {
        current_epoch: i64,
        last_zxid: Zxid,
    },
    /// A client request or reply: its cxid (and the reply's zxid).
    Client {
        cxid: u32,
        zxid: Zxid,
    },
}

impl MsgDetail {
    /// What a quorum packet carries.
    pub(super) fn of_packet(p: &Packet) -> MsgDetail {
        match p {
            Packet::AckEpoch {
                current_epoch,
                last_zxid,
            } => MsgDetail::AckEpoch {
                current_epoch: *current_epoch,
                last_zxid: *last_zxid,
            },
            _ => MsgDetail::Zxid(p.zxid()),
        }
    }
}

pub(in crate::sim) fn vote_detail(n: &crate::proto::Notification) -> MsgDetail {
    MsgDetail::Vote {
        state: n.state,
        leader: n.leader,
        zxid: n.zxid,
        round: n.round,
        peer_epoch: n.peer_epoch,
    }
}

fn client_in(input: &Input) -> Option<(ClientId, MsgKind, MsgDetail)> {
    match input {
        Input::ClientConnect { client, .. } => {
            Some((*client, MsgKind::ClientConnect, MsgDetail::None))
        }
        Input::ClientRequest { client, cxid, .. } => Some((
            *client,
            MsgKind::ClientRequest,
            MsgDetail::Client {
                cxid: *cxid,
                zxid: Zxid::ZERO,
            },
        )),
        Input::ClientPing { client } => Some((*client, MsgKind::ClientPing, MsgDetail::None)),
        Input::ClientGone { client } => Some((*client, MsgKind::ClientGone, MsgDetail::None)),
        _ => None,
    }
}

/// Server-to-client kinds; anything this view does not name (a watch
/// notification, say) is a `ClientEvent`, never a broken view.
fn client_out(ev: &ClientEvent) -> (MsgKind, MsgDetail) {
    if let ClientEvent::Reply(r) = ev {
        let detail = MsgDetail::Client {
            cxid: r.cxid,
            zxid: r.zxid,
        };
        return (MsgKind::ClientReply, detail);
    }
    let kind = if matches!(ev, ClientEvent::Connected { .. }) {
        MsgKind::ClientConnected
    } else if matches!(ev, ClientEvent::Pong { .. }) {
        MsgKind::ClientPong
    } else if matches!(ev, ClientEvent::Closed { .. }) {
        MsgKind::ClientClosed
    } else {
        MsgKind::ClientEvent
    };
    (kind, MsgDetail::None)
}

impl Simulation {
    /// The sender, kind and detail of a message event, if it is one.
    pub(super) fn message_of(&self, event: &Event) -> Option<(Peer, Peer, MsgKind, MsgDetail)> {
        match event {
            Event::Server { sid, input, .. } => {
                let to = Peer::Server(*sid);
                match input {
                    Input::Election(n) => Some((
                        Peer::Server(n.sender),
                        to,
                        MsgKind::Notification,
                        vote_detail(n),
                    )),
                    Input::Packet { conn, packet } => {
                        let c = self.conns.get(conn)?;
                        let from = if c.a == *sid { c.b } else { c.a };
                        Some((
                            Peer::Server(from),
                            to,
                            MsgKind::of_packet(packet),
                            MsgDetail::of_packet(packet),
                        ))
                    }
                    Input::Closed { conn } => {
                        let c = self.conns.get(conn)?;
                        let from = if c.a == *sid { c.b } else { c.a };
                        Some((Peer::Server(from), to, MsgKind::Fin, MsgDetail::None))
                    }
                    other => {
                        let (client, kind, detail) = client_in(other)?;
                        Some((Peer::Client(client), to, kind, detail))
                    }
                }
            }
            Event::Client {
                id,
                ev: ClientEv::FromServer(sid, ev),
                ..
            } => {
                let (kind, detail) = client_out(ev);
                Some((Peer::Server(*sid), Peer::Client(*id), kind, detail))
            }
            _ => None,
        }
    }
}
