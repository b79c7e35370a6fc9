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
//!
//! Map: `view/message.rs` (what a message is: `Peer`, `MsgKind`,
//! `MsgDetail`), `view/history.rs` (the history and its two hooks),
//! `view/recent.rs` (the bounded sequence it is kept in),
//! `view/deadlines.rs` (each server's pending deadlines: election
//! timeouts, initLimit, syncLimit, the leader's tick, sessions, a pause),
//! `view/votes.rs` (each server's vote and why it last changed); this
//! file: the views of the moment (messages in flight, links, clients).

use serde::Serialize;

use super::{ActionError, ClientState, Role, Simulation};
use crate::proto::{ClientId, Sid};
use crate::server::ConnId;
use crate::zxid::Zxid;

mod deadlines;
mod history;
mod message;
mod recent;
#[cfg(test)]
mod tests;
mod votes;

pub use deadlines::{Deadline, DeadlineKind};
pub(super) use history::History;
pub use history::{Life, MsgRecord, Outcome, StateRecord};
pub use message::{MsgDetail, MsgKind, Peer};
pub use recent::Recent;
pub use votes::{Ballot, VoteChange, VoteReason, VoteView};

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
    /// Every message on its way now: scheduled deliveries (sorted by
    /// delivery time, then scheduling order) and, after them, packets and
    /// election notifications waiting at a cut. Messages already at a paused server are not in
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
        for (id, c) in self.conns.iter() {
            for dir in 0..2 {
                let (from, to) = if dir == 0 { (c.a, c.b) } else { (c.b, c.a) };
                for (k, item) in c.held[dir].iter().enumerate() {
                    let (kind, detail) = match item {
                        Some(p) => (MsgKind::of_packet(p), MsgDetail::of_packet(p)),
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
        for (&(from, to), held) in &self.election_held {
            for (k, n) in held.iter().enumerate() {
                out.push(InFlight {
                    id: (3 << 62) | ((from as u64) << 40) | ((to as u64) << 20) | k as u64,
                    from: Peer::Server(from),
                    to: Peer::Server(to),
                    kind: MsgKind::Notification,
                    sent_ms: None,
                    deliver_ms: None,
                    detail: message::vote_detail(n),
                });
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
                .map(|(id, c)| ConnView {
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
