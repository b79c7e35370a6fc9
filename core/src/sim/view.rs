//! Read-only views of a running [`Simulation`] for the browser app: the
//! messages in flight (with their send and delivery times), the links
//! (cuts, slow links, quorum connections), the clients, and an optional,
//! bounded history of delivered messages and server state changes for the
//! space-time diagram.
//!
//! Contract:
//! - Nothing here changes the run. The views read the simulator's queue
//!   and tables; the history is written by two hooks in
//!   [`Simulation::step`] that only read the event about to be handled and
//!   the servers afterwards. The trace hash, the summary and the event
//!   order are the same with the history on or off (tested here and by
//!   `tests/reference_hashes.rs`).
//! - The history is off by default (the CLI and the fuzzer pay nothing but
//!   one `u64` per scheduled event, its send time). [`Simulation::record_history`]
//!   turns it on with a bound: at most that many messages are kept (the
//!   oldest chunks are dropped), in [`Recent`], whose clone shares full
//!   chunks, so a checkpoint stays cheap.
//! - Orders are deterministic: in-flight messages are sorted by delivery
//!   time and scheduling order, never by hash-map or heap order.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::Serialize;

use super::{
    ActionError, ClientState, Event, FourLwRecord, ReadRecord, Role, Scheduled, Simulation,
};
use crate::proto::{ClientId, Packet, ServerState, Sid, ZabState};
use crate::server::{ClientEvent, ConnId, Input};
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
    fn of_packet(p: &Packet) -> MsgKind {
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
    /// A quorum packet's zxid.
    Zxid(Zxid),
    /// A client request or reply: its cxid (and the reply's zxid).
    Client {
        cxid: u32,
        zxid: Zxid,
    },
}

/// A message on its way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InFlight {
    /// Stable while the message travels (a key for lists).
    pub id: u64,
    pub from: Peer,
    pub to: Peer,
    pub kind: MsgKind,
    /// When it was put on the wire (None: held at a cut since before the
    /// simulator kept send times).
    pub sent_ms: Option<u64>,
    /// When it will be delivered; None while it waits at a cut (a partition
    /// or one-way cut: TCP retransmits until the cut heals or a side gives up).
    pub deliver_ms: Option<u64>,
    pub detail: MsgDetail,
}

/// What became of a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The receiver handled it.
    Handled,
    /// The receiver is paused (GC stall): it waits there until it resumes.
    Held,
    /// Nobody took it: the receiver died or restarted, or the connection
    /// was closed meanwhile.
    Lost,
}

/// One message of the history (compact: the space-time diagram keeps many).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MsgRecord {
    pub sent_ms: u64,
    pub at_ms: u64,
    pub from: Peer,
    pub to: Peer,
    pub kind: MsgKind,
    pub outcome: Outcome,
    pub detail: MsgDetail,
}

/// What a server is, as the cluster view draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Life {
    Down,
    Paused,
    Running,
}

/// A server's state from some moment on (the space-time lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateRecord {
    pub at_ms: u64,
    pub sid: Sid,
    pub life: Life,
    pub state: ServerState,
    pub zab_state: ZabState,
    pub current_epoch: u32,
}

/// A quorum-port connection (learner to leader) and what waits on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnView {
    pub id: ConnId,
    /// The end that dialed (the learner) and the end that accepted.
    pub learner: Sid,
    pub leader: Sid,
    /// Whether each end (learner, leader) still has it open.
    pub open: [bool; 2],
    /// Packets held at a cut, per direction (learner→leader, leader→learner).
    pub held: [usize; 2],
}

/// The network as the fault actions left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LinksView {
    /// `(from, to)`: nothing from `from` reaches `to` (partition or cut).
    pub cuts: Vec<(Sid, Sid)>,
    /// `(from, to, latency_ms)` of slowed links.
    pub slow: Vec<(Sid, Sid, u64)>,
    /// `(from, to)`: the next message on this link will be dropped.
    pub drop_next: Vec<(Sid, Sid)>,
    pub conns: Vec<ConnView>,
}

/// A client handle, as the controls list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientView {
    pub name: String,
    pub id: ClientId,
    pub server: Sid,
    /// CONNECTING, CONNECTED, CLOSING, CLOSED or EXPIRED.
    pub state: &'static str,
    pub session: u64,
    pub last_zxid: Zxid,
    /// Requests sent and not answered yet, plus those queued.
    pub pending: usize,
}

const CHUNK: usize = 1024;

/// A bounded, append-only sequence that is cheap to clone: full chunks are
/// shared behind `Arc`; past `capacity` the oldest chunks are dropped.
/// Indexes are absolute (`first()` is the index of the oldest kept item).
#[derive(Debug, Clone)]
pub struct Recent<T: Clone> {
    chunks: VecDeque<Arc<Vec<T>>>,
    tail: Vec<T>,
    dropped: usize,
    max_chunks: usize,
}

impl<T: Clone> Recent<T> {
    /// Keeps at least `capacity` items (rounded up to whole chunks).
    pub fn new(capacity: usize) -> Self {
        Recent {
            chunks: VecDeque::new(),
            tail: Vec::new(),
            dropped: 0,
            max_chunks: capacity.div_ceil(CHUNK),
        }
    }

    /// Absolute index of the oldest kept item.
    pub fn first(&self) -> usize {
        self.dropped
    }

    /// Absolute index one past the newest item (items ever pushed).
    pub fn end(&self) -> usize {
        self.dropped + self.chunks.len() * CHUNK + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first() == self.end()
    }

    /// Whether items were dropped for the bound.
    pub fn truncated(&self) -> bool {
        self.dropped > 0
    }

    pub fn push(&mut self, item: T) {
        self.tail.push(item);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push_back(Arc::new(full));
            while self.chunks.len() > self.max_chunks {
                self.chunks.pop_front();
                self.dropped += CHUNK;
            }
        }
    }

    /// Drops the oldest whole chunks while at least `n` items stay.
    pub fn keep_newest(&mut self, n: usize) {
        while !self.chunks.is_empty() && (self.chunks.len() - 1) * CHUNK + self.tail.len() >= n {
            self.chunks.pop_front();
            self.dropped += CHUNK;
        }
    }

    /// The item at absolute index `i`, if it is kept.
    pub fn get(&self, i: usize) -> Option<&T> {
        let rel = i.checked_sub(self.dropped)?;
        let chunk = rel / CHUNK;
        if chunk < self.chunks.len() {
            self.chunks[chunk].get(rel % CHUNK)
        } else {
            self.tail.get(rel - self.chunks.len() * CHUNK)
        }
    }

    /// Items from absolute index `start` on (clamped to what is kept).
    pub fn iter_from(&self, start: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let start = start.max(self.first()).min(self.end());
        (start..self.end()).filter_map(move |i| self.get(i))
    }

    /// First absolute index for which `pred` is false, assuming the kept
    /// items are partitioned (all true, then all false).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (self.first(), self.end());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(item) if pred(item) => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }
}

/// The history the two `step` hooks write (off until `record_history`).
#[derive(Debug, Clone)]
pub(super) struct History {
    on: bool,
    messages: Recent<MsgRecord>,
    states: Recent<StateRecord>,
    /// The last recorded state per server, by node index.
    last: Vec<Option<StateRecord>>,
    /// Which nodes the event being handled may change: None = none,
    /// Some(None) = all (an action), Some(Some(i)) = node i.
    touched: Option<Option<usize>>,
}

impl Default for History {
    fn default() -> Self {
        History {
            on: false,
            messages: Recent::new(0),
            states: Recent::new(0),
            last: Vec::new(),
            touched: None,
        }
    }
}

/// The property names the app lists: the checker's, the client-history
/// checks and the liveness expectations.
pub fn property_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = crate::checks::PROPERTIES.to_vec();
    v.extend(["ClientSessionOrder", "ClientWriteLinearizability"]);
    v.extend([
        crate::scenario::Expectation::Leader.property(),
        crate::scenario::Expectation::WritesCommit.property(),
        crate::scenario::Expectation::AllSynced.property(),
    ]);
    v
}

fn vote_detail(n: &crate::proto::Notification) -> MsgDetail {
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

fn client_state_name(s: ClientState) -> &'static str {
    match s {
        ClientState::Connecting => "CONNECTING",
        ClientState::Connected => "CONNECTED",
        ClientState::Closing => "CLOSING",
        ClientState::Closed => "CLOSED",
        ClientState::Expired => "EXPIRED",
    }
}

impl Simulation {
    /// Turns the message and state history on, keeping about the last
    /// `messages` messages (and as many state changes). 0 turns it off and
    /// forgets it. Changes nothing in the run.
    pub fn record_history(&mut self, messages: usize) {
        self.history = History::default();
        if messages > 0 {
            self.history.on = true;
            self.history.messages = Recent::new(messages);
            self.history.states = Recent::new(messages);
            self.history.last = vec![None; self.nodes.len()];
            for i in 0..self.nodes.len() {
                self.note_state(i);
            }
        }
    }

    /// Keeps only about the newest `messages` messages of the history (whole
    /// chunks; at least that many). For checkpoints: the newest messages are
    /// what a diagram right after a seek shows, and the head keeps the rest.
    /// Changes nothing in the run.
    pub fn trim_history(&mut self, messages: usize) {
        self.history.messages.keep_newest(messages);
    }

    /// Delivered messages, in delivery order (empty when the history is off).
    pub fn message_history(&self) -> &Recent<MsgRecord> {
        &self.history.messages
    }

    /// Server state changes, in time order (empty when the history is off).
    /// The first record of each server is its state when recording began.
    pub fn state_history(&self) -> &Recent<StateRecord> {
        &self.history.states
    }

    /// The sender, kind and detail of a message event, if it is one.
    fn message_of(&self, event: &Event) -> Option<(Peer, Peer, MsgKind, MsgDetail)> {
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
                            MsgDetail::Zxid(packet.zxid()),
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
                ev: super::ClientEv::FromServer(sid, ev),
                ..
            } => {
                let (kind, detail) = client_out(ev);
                Some((Peer::Server(*sid), Peer::Client(*id), kind, detail))
            }
            _ => None,
        }
    }

    /// What will become of a message event handled now (read before
    /// `handle`, following its rules).
    fn outcome_of(&self, event: &Event) -> Outcome {
        match event {
            Event::Server { sid, inc, input } => {
                let Ok(i) = self.idx(*sid) else {
                    return Outcome::Lost;
                };
                let n = &self.nodes[i];
                if !n.up || n.inc != *inc {
                    return Outcome::Lost;
                }
                if n.paused_until.is_some() {
                    return Outcome::Held;
                }
                match input {
                    Input::Packet { conn, .. } | Input::Closed { conn } => {
                        let reset =
                            matches!(input, Input::Closed { .. }) && !self.conns.contains_key(conn);
                        let open = reset
                            || self.conns.get(conn).is_some_and(|c| {
                                (c.a == *sid && c.open[0] && c.a_inc == *inc)
                                    || (c.b == *sid && c.open[1] && c.b_inc == *inc)
                            });
                        if open {
                            Outcome::Handled
                        } else {
                            Outcome::Lost
                        }
                    }
                    _ => Outcome::Handled,
                }
            }
            Event::Client { id, gen, ev } => {
                let live = self.clients.iter().find(|c| c.id == *id).is_some_and(|c| {
                    c.gen == *gen
                        && match ev {
                            super::ClientEv::FromServer(sid, _) => c.server == *sid,
                            _ => true,
                        }
                });
                if live {
                    Outcome::Handled
                } else {
                    Outcome::Lost
                }
            }
            _ => Outcome::Handled,
        }
    }

    /// Hook 1 of `step`: the event `next` is about to be handled.
    pub(super) fn view_before(&mut self, next: &Scheduled) {
        if !self.history.on {
            return;
        }
        self.history.touched = match &next.event {
            Event::Action(_) => Some(None),
            Event::Server { sid, .. } | Event::Resume { sid, .. } => self.idx(*sid).ok().map(Some),
            _ => None,
        };
        // A message handled after a pause was recorded when it arrived
        // (Held); the resume reschedules it in class 0.
        if next.class == 0 {
            return;
        }
        if let Some((from, to, kind, detail)) = self.message_of(&next.event) {
            let outcome = self.outcome_of(&next.event);
            self.history.messages.push(MsgRecord {
                sent_ms: next.sent_ms,
                at_ms: next.time_ms,
                from,
                to,
                kind,
                outcome,
                detail,
            });
        }
    }

    /// Hook 2 of `step`: the event was handled; note state changes.
    pub(super) fn view_after(&mut self) {
        if !self.history.on {
            return;
        }
        match self.history.touched.take() {
            None => {}
            Some(Some(i)) => self.note_state(i),
            Some(None) => {
                for i in 0..self.nodes.len() {
                    self.note_state(i);
                }
            }
        }
    }

    fn note_state(&mut self, i: usize) {
        let n = &self.nodes[i];
        let s = &n.server;
        let life = if !(n.up && s.running) {
            Life::Down
        } else if n.paused_until.is_some() {
            Life::Paused
        } else {
            Life::Running
        };
        let rec = StateRecord {
            at_ms: self.now_ms,
            sid: n.sid,
            life,
            state: s.state,
            zab_state: s.zab_state,
            current_epoch: s.current_epoch(),
        };
        let same = self
            .history
            .last
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|l| {
                (l.life, l.state, l.zab_state, l.current_epoch)
                    == (rec.life, rec.state, rec.zab_state, rec.current_epoch)
            });
        if !same {
            if let Some(slot) = self.history.last.get_mut(i) {
                *slot = Some(rec);
            }
            self.history.states.push(rec);
        }
    }

    /// Every message on its way now: scheduled deliveries (sorted by
    /// delivery time, then scheduling order) and, after them, packets
    /// waiting at a cut. Messages already at a paused server are not in
    /// flight: see [`Simulation::waiting_at`].
    pub fn in_flight(&self) -> Vec<InFlight> {
        let mut v: Vec<(u64, u64, InFlight)> = self
            .queue
            .iter()
            .filter(|s| s.class == 1)
            .filter_map(|s| {
                let (from, to, kind, detail) = self.message_of(s.event)?;
                Some((
                    s.time_ms,
                    s.seq,
                    InFlight {
                        id: s.seq,
                        from,
                        to,
                        kind,
                        sent_ms: Some(s.sent_ms),
                        deliver_ms: Some(s.time_ms),
                        detail,
                    },
                ))
            })
            .collect();
        v.sort_by_key(|(t, seq, _)| (*t, *seq));
        let mut out: Vec<InFlight> = v.into_iter().map(|(_, _, m)| m).collect();
        for (id, c) in &self.conns {
            for dir in 0..2 {
                let (from, to) = if dir == 0 { (c.a, c.b) } else { (c.b, c.a) };
                for (k, item) in c.held[dir].iter().enumerate() {
                    let (kind, detail) = match item {
                        Some(p) => (MsgKind::of_packet(p), MsgDetail::Zxid(p.zxid())),
                        None => (MsgKind::Fin, MsgDetail::None),
                    };
                    out.push(InFlight {
                        id: (1 << 63) | (id << 24) | ((dir as u64) << 23) | k as u64,
                        from: Peer::Server(from),
                        to: Peer::Server(to),
                        kind,
                        sent_ms: None,
                        deliver_ms: None,
                        detail,
                    });
                }
            }
        }
        out
    }

    /// Events waiting at a paused server (0 when it is not paused).
    pub fn waiting_at(&self, sid: Sid) -> usize {
        self.node(sid).map_or(0, |n| n.held.len())
    }

    /// When a paused server resumes.
    pub fn paused_until(&self, sid: Sid) -> Option<u64> {
        self.node(sid).and_then(|n| n.paused_until)
    }

    /// The fsync latency a `slow_disk` set on this server, if any.
    pub fn slow_disk_ms(&self, sid: Sid) -> Option<u64> {
        self.node(sid).and_then(|n| n.fsync_ms)
    }

    /// Cuts, slow links, pending drops and quorum connections, sorted.
    pub fn links(&self) -> LinksView {
        LinksView {
            cuts: self.cuts.iter().copied().collect(),
            slow: self
                .link_latency
                .iter()
                .map(|(&(a, b), &l)| (a, b, l))
                .collect(),
            drop_next: self.drop_next.iter().copied().collect(),
            conns: self
                .conns
                .iter()
                .map(|(&id, c)| ConnView {
                    id,
                    learner: c.a,
                    leader: c.b,
                    open: c.open,
                    held: [c.held[0].len(), c.held[1].len()],
                })
                .collect(),
        }
    }

    /// The client handles, in creation order.
    pub fn clients_view(&self) -> Vec<ClientView> {
        self.clients
            .iter()
            .map(|c| ClientView {
                name: c.name.clone(),
                id: c.id,
                server: c.server,
                state: client_state_name(c.state),
                session: c.session,
                last_zxid: c.last_zxid,
                pending: c.in_flight.len() + c.queue.len(),
            })
            .collect()
    }

    /// The servers each client cannot reach (a partition placed it on a
    /// side), by client name, in order.
    pub fn client_cuts(&self) -> Vec<(String, Sid)> {
        self.client_cuts.iter().cloned().collect()
    }

    /// The reads answered so far (what each saw), oldest first.
    pub fn reads(&self) -> &[ReadRecord] {
        &self.reads
    }

    /// The answers of the `4lw` actions so far.
    pub fn fourlw_records(&self) -> &[FourLwRecord] {
        &self.fourlw
    }

    /// What `cmd` would answer on server `sid` now, without recording an
    /// action: it is asked of a copy, so the run (and the server's own
    /// 4lw counters) stay as they are.
    pub fn four_letter_word_now(&self, sid: Sid, cmd: &str) -> Result<String, ActionError> {
        let i = self.idx(sid)?;
        if !self.nodes[i].up {
            return Err(ActionError::AlreadyDown(sid));
        }
        Ok(self.clone().four_letter_word(i, cmd))
    }

    /// Whether the server is an observer.
    pub fn is_observer(&self, sid: Sid) -> bool {
        self.node(sid).is_some_and(|n| n.role == Role::Observer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ActionKind, Scenario, ServerRef};

    fn sim(name: &str) -> Simulation {
        let text = match name {
            "kill" => include_str!("../../../static/scenarios/kill-the-leader.json"),
            _ => include_str!("../../../static/scenarios/three-servers.json"),
        };
        Simulation::new(Scenario::from_json(text).unwrap()).unwrap()
    }

    #[test]
    fn recent_keeps_the_newest_chunks_and_clones_cheaply() {
        let mut r: Recent<u64> = Recent::new(2 * CHUNK);
        for i in 0..(5 * CHUNK as u64 + 10) {
            r.push(i);
        }
        assert_eq!(r.end(), 5 * CHUNK + 10);
        assert_eq!(r.first(), 3 * CHUNK);
        assert!(r.truncated());
        assert_eq!(r.get(0), None);
        assert_eq!(r.get(3 * CHUNK), Some(&(3 * CHUNK as u64)));
        assert_eq!(r.get(5 * CHUNK + 9), Some(&(5 * CHUNK as u64 + 9)));
        assert_eq!(r.get(5 * CHUNK + 10), None);
        let copy = r.clone();
        r.push(7);
        assert_eq!(copy.end() + 1, r.end());
        assert_eq!(r.partition_point(|&x| x < 4000), 4000);
        assert_eq!(r.iter_from(0).count(), 2 * CHUNK + 11);
        let mut off: Recent<u8> = Recent::new(0);
        off.push(1);
        assert_eq!(off.end(), 1);
    }

    #[test]
    fn every_kind_has_a_name_and_server_kinds_come_first() {
        for (i, k) in MsgKind::ALL.iter().enumerate() {
            assert!(!k.name().is_empty());
            assert_eq!(k.between_servers(), i <= 18, "{k:?}");
        }
        assert_eq!(MsgKind::of_packet(&Packet::UpToDate), MsgKind::UpToDate);
        assert_eq!(
            MsgKind::of_packet(&Packet::Ack { zxid: Zxid::ZERO }),
            MsgKind::Ack
        );
    }

    #[test]
    fn history_changes_nothing_in_the_run() {
        for name in ["kill", "three"] {
            let mut plain = sim(name);
            let mut seen = sim(name);
            seen.record_history(100_000);
            plain.run_to_end();
            seen.run_to_end();
            assert_eq!(plain.trace_hash(), seen.trace_hash(), "{name}");
            assert_eq!(plain.summary(), seen.summary(), "{name}");
            assert!(!seen.message_history().is_empty());
            assert!(plain.message_history().is_empty());
        }
    }

    #[test]
    fn every_reference_scenario_hashes_the_same_with_the_history_on() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference");
        let fixture = crate::reference::Fixture::from_json(
            &std::fs::read_to_string(dir.join(crate::reference::FIXTURE_FILE)).unwrap(),
        )
        .unwrap();
        assert!(fixture.scenarios.len() >= 20);
        for want in &fixture.scenarios {
            let text = std::fs::read_to_string(dir.join(&want.file)).unwrap();
            let mut s = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
            // A small bound, so that chunks are dropped on the way too.
            s.record_history(2048);
            s.run_to_end();
            assert_eq!(
                (format!("0x{:016x}", s.trace_hash()), s.events()),
                (want.trace_hash.clone(), want.events),
                "{}",
                want.file
            );
        }
    }

    #[test]
    fn in_flight_messages_have_send_and_delivery_times() {
        let mut s = sim("three");
        s.run_until(0);
        let m = s.in_flight();
        assert!(!m.is_empty(), "start sends notifications");
        for x in &m {
            let (sent, at) = (x.sent_ms.unwrap(), x.deliver_ms.unwrap());
            assert!(sent <= at && sent <= s.now_ms(), "{x:?}");
        }
        assert!(
            m.iter()
                .any(|x| x.kind == MsgKind::Notification
                    && matches!(x.detail, MsgDetail::Vote { .. }))
        );
        let mut sorted = m.clone();
        sorted.sort_by_key(|x| x.deliver_ms);
        assert_eq!(sorted, m, "sorted by delivery time");
        // Later, the broadcast phase: PINGs between leader and followers.
        s.run_until(1500);
        let kinds: Vec<MsgKind> = (0..2000)
            .flat_map(|_| {
                s.step();
                s.in_flight()
                    .into_iter()
                    .map(|m| m.kind)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(kinds.contains(&MsgKind::Ping), "{kinds:?}");
    }

    #[test]
    fn the_history_sees_the_whole_zab_story_and_state_changes() {
        let mut s = sim("kill");
        s.record_history(1 << 20);
        s.run_until(12_000);
        let h = s.message_history();
        let kinds: std::collections::BTreeSet<MsgKind> = h.iter_from(0).map(|r| r.kind).collect();
        for k in [
            MsgKind::Notification,
            MsgKind::FollowerInfo,
            MsgKind::LeaderInfo,
            MsgKind::AckEpoch,
            MsgKind::Diff,
            MsgKind::NewLeader,
            MsgKind::UpToDate,
            MsgKind::Proposal,
            MsgKind::Ack,
            MsgKind::Commit,
            MsgKind::Ping,
            MsgKind::ClientRequest,
            MsgKind::ClientReply,
        ] {
            assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
        }
        // Delivery order is time order.
        let times: Vec<u64> = h.iter_from(0).map(|r| r.at_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(h.iter_from(0).all(|r| r.sent_ms <= r.at_ms));
        // The crash of the leader at 9000 ms is in the state history, then
        // a new epoch.
        let states: Vec<StateRecord> = s.state_history().iter_from(0).copied().collect();
        assert!(states
            .iter()
            .any(|r| r.at_ms == 9000 && r.life == Life::Down));
        assert!(states
            .iter()
            .any(|r| r.at_ms > 9000 && r.state == ServerState::Leading && r.current_epoch == 2));
    }

    #[test]
    fn a_paused_server_holds_what_arrives_and_cuts_hold_packets() {
        let mut s = sim("three");
        s.record_history(100_000);
        s.run_until(5000);
        s.act(ActionKind::Pause {
            server: ServerRef::Sid(1),
            for_ms: 3000,
        })
        .unwrap();
        s.run_until(6500);
        assert!(s.waiting_at(1) > 0);
        assert_eq!(s.paused_until(1), Some(8000));
        assert!(s
            .message_history()
            .iter_from(0)
            .any(|r| r.outcome == Outcome::Held && r.to == Peer::Server(1)));
        s.run_until(9000);
        let leader = s.established_leader().unwrap();
        let other = (1..=3).find(|&x| x != leader).unwrap();
        s.act(ActionKind::Cut {
            from: leader,
            to: other,
        })
        .unwrap();
        s.run_until(11_000);
        let links = s.links();
        assert_eq!(links.cuts, vec![(leader, other)]);
        let held: Vec<InFlight> = s
            .in_flight()
            .into_iter()
            .filter(|m| m.deliver_ms.is_none())
            .collect();
        assert!(!held.is_empty(), "PINGs wait at the cut");
        assert!(held.iter().all(|m| m.from == Peer::Server(leader)));
        assert!(links.conns.iter().any(|c| c.held.iter().sum::<usize>() > 0));
    }

    #[test]
    fn four_letter_words_can_be_read_without_an_action() {
        let mut s = sim("three");
        s.run_until(3000);
        let before = (s.trace_hash(), s.scenario().actions.len());
        let out = s.four_letter_word_now(1, "srvr").unwrap();
        assert!(out.starts_with("Zookeeper version:"), "{out}");
        assert_eq!(before, (s.trace_hash(), s.scenario().actions.len()));
        assert_eq!(
            s.four_letter_word_now(9, "srvr"),
            Err(ActionError::UnknownServer(9))
        );
        assert!(property_names().contains(&"Leadership1"));
        assert!(property_names().contains(&"LivenessLeaderEstablished"));
    }
}
