//! The client side of a server: connections, sessions and the request
//! processors (`PrepRequestProcessor`, `FinalRequestProcessor`,
//! `SessionTrackerImpl`, `LearnerSessionTracker`).
//!
//! - A client talks to one server. A learner forwards every state-changing
//!   request to the leader as REQUEST; the leader's `PrepRequestProcessor`
//!   assigns the next zxid and validates against the tree plus its
//!   outstanding changes. A failed check still takes a zxid: it becomes an
//!   `error` txn and the client gets the error when it commits.
//! - The server that holds the client's connection answers it when it
//!   applies the txn (`FinalRequestProcessor`).
//! - Sessions: createSession/closeSession are txns. The leader's tracker
//!   expires a session at tick granularity (`ExpiryQueue`: deadline = now +
//!   timeout rounded up to the next tick); touches on a learner reach the
//!   leader only in PING replies; a new leader gives every session a fresh
//!   timeout.
//!
//! Layout: this file is the connection side (`ServerCnxn`,
//! `processConnectRequest`, the per-session order of `CommitProcessor`,
//! `FinalRequestProcessor`'s answers); `prep` is the leader's
//! `PrepRequestProcessor`, `watches` the `WatchManager`, `sessions` the
//! session trackers.
//!
//! This file owns the client connections ([`Cnxn`]) and each session's
//! order ([`SessionOp`]); it never assigns a zxid (only the leader's
//! `prep` does) and answers a write only once its txn is applied here.

mod prep;
mod sessions;
mod watches;

use super::{ClientEvent, Level, Output, Role, Server};
use crate::proto::{ClientId, ClientReply, Packet, ReadResult, Request, RequestOp};
use crate::txn::{code, Txn, TxnOp};
use crate::zxid::Zxid;

pub(super) use prep::ChangeRecord;
pub use watches::Watches;

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

impl Server {
    fn client_out(&mut self, e: ClientEvent) {
        self.stats_client_out(&e);
        self.counters.packets_sent += 1;
        if let Some(c) = self.cnxns.get_mut(&e.client()) {
            c.sent += 1;
        }
        self.out.push(Output::Client(e));
    }

    pub(super) fn close_all_clients(&mut self, reason: &str) {
        let clients: Vec<ClientId> = self.cnxns.keys().copied().collect();
        self.cnxns.clear();
        self.watches = Watches::default();
        for client in clients {
            self.out.push(Output::Client(ClientEvent::Closed {
                client,
                reason: reason.to_string(),
            }));
        }
    }

    fn negotiate_timeout(&self, requested: u64) -> u64 {
        let min = 2 * self.cfg.tick_ms;
        let max = 20 * self.cfg.tick_ms;
        requested.clamp(min, max)
    }

    /// A client opens a connection (`ZooKeeperServer.processConnectRequest`):
    /// refused when this server does not serve or is behind what the
    /// client has seen; then its session is reopened or a new one created.
    pub(super) fn client_connect(
        &mut self,
        client: ClientId,
        session: u64,
        timeout_ms: u64,
        last_zxid_seen: Zxid,
    ) {
        self.counters.packets_received += 1;
        if !self.serving {
            self.out.push(Output::Client(ClientEvent::Closed {
                client,
                reason: "ZooKeeperServer not running".to_string(),
            }));
            return;
        }
        let ours = self.tree.last_processed_zxid;
        if last_zxid_seen > ours {
            self.log(
                Level::Info,
                "ZooKeeperServer",
                format!(
                    "Refusing session request for client /127.0.0.1:{} as it has seen zxid {last_zxid_seen} our last zxid is {ours} client must try another server",
                    50000 + client
                ),
            );
            self.out.push(Output::Client(ClientEvent::Closed {
                client,
                reason: "client must try another server".to_string(),
            }));
            return;
        }
        if session != 0 {
            self.reopen_session(client, session);
        } else {
            self.create_session(client, timeout_ms);
        }
    }

    /// `ZooKeeperServer.reopenSession`: a known session moves to this
    /// connection with its timeout; an unknown one has expired.
    fn reopen_session(&mut self, client: ClientId, session: u64) {
        let ours = self.tree.last_processed_zxid;
        match self.tree.sessions.get(&session).copied() {
            Some(t) => {
                self.cnxns.insert(
                    client,
                    Cnxn {
                        session,
                        timeout_ms: t as u64,
                        received: 1,
                        sent: 0,
                        last_zxid: ours,
                    },
                );
                self.touch(session, t as u64);
                self.client_out(ClientEvent::Connected {
                    client,
                    session,
                    timeout_ms: t as u64,
                });
            }
            None => {
                self.log(
                    Level::Info,
                    "ZooKeeperServer",
                    format!(
                        "Invalid session 0x{session:x} for client /127.0.0.1:{}, probably expired",
                        50000 + client
                    ),
                );
                self.out.push(Output::Client(ClientEvent::Closed {
                    client,
                    reason: "session expired".to_string(),
                }));
            }
        }
    }

    /// A new session (`createSession`): a txn through the request
    /// pipeline with the negotiated timeout; the client is answered when it
    /// commits.
    fn create_session(&mut self, client: ClientId, timeout_ms: u64) {
        let ours = self.tree.last_processed_zxid;
        let timeout = self.negotiate_timeout(timeout_ms);
        self.next_session_id += 1;
        let session = self.next_session_id;
        self.cnxns.insert(
            client,
            Cnxn {
                session,
                timeout_ms: timeout,
                received: 1,
                sent: 0,
                last_zxid: ours,
            },
        );
        self.pending_replies.insert((session, 0), client);
        self.submit(Request {
            session,
            cxid: 0,
            op: RequestOp::CreateSession {
                timeout_ms: timeout as u32,
            },
        });
    }

    pub(super) fn client_request(&mut self, client: ClientId, cxid: u32, op: RequestOp) {
        self.counters.packets_received += 1;
        let Some(c) = self.cnxns.get_mut(&client) else {
            self.out.push(Output::Client(ClientEvent::Closed {
                client,
                reason: "not connected".to_string(),
            }));
            return;
        };
        c.received += 1;
        let (session, timeout) = (c.session, c.timeout_ms);
        self.touch(session, timeout);
        let leader_sync =
            matches!(op, RequestOp::Sync { .. }) && matches!(self.role, Role::Leader(_));
        if op.is_read() || leader_sync {
            // `CommitProcessor`: a read waits behind its own session's
            // pending writes, so a session never reads older than it wrote.
            // A sync at the leader does too, and needs no commit
            // (`matchSyncs` is off there).
            let waits = self
                .session_order
                .get(&session)
                .is_some_and(|q| !q.is_empty());
            if waits && !self.cfg.variant("broken_reads_skip_session_order") {
                self.session_order
                    .entry(session)
                    .or_default()
                    .push_back(SessionOp::Read { client, cxid, op });
            } else {
                self.answer_read(client, cxid, &op);
            }
            return;
        }
        self.session_order
            .entry(session)
            .or_default()
            .push_back(SessionOp::Write { cxid });
        self.pending_replies.insert((session, cxid), client);
        if let RequestOp::Sync { .. } = op {
            // `FollowerRequestProcessor`: forwarded, and answered when the
            // leader's SYNC for it arrives (in forwarding order).
            self.learner_syncs.push_back((session, cxid));
        }
        self.submit(Request { session, cxid, op });
    }

    /// The leader's SYNC: the oldest forwarded sync is answered, as of
    /// this server's tree (every COMMIT sent before it is applied).
    pub(super) fn learner_sync_answered(&mut self) {
        let Some((session, cxid)) = self.learner_syncs.pop_front() else {
            self.log(
                Level::Warn,
                "FollowerZooKeeperServer",
                "Not expecting a sync.".to_string(),
            );
            return;
        };
        if let Some(client) = self.pending_replies.remove(&(session, cxid)) {
            let zxid = self.tree.last_processed_zxid;
            self.client_out(ClientEvent::Reply(ClientReply {
                client,
                cxid,
                zxid,
                err: 0,
                read: None,
                created: Vec::new(),
            }));
            self.release_session_reads(session, cxid);
        }
    }

    /// A client connection is gone: its watches go with it
    /// (`DataTree.removeCnxn`).
    pub(super) fn drop_cnxn(&mut self, client: ClientId) {
        self.cnxns.remove(&client);
        self.watches.remove_client(client);
    }

    /// `FinalRequestProcessor` for a read: from this server's own tree, as
    /// of its last processed zxid (so a lagging follower answers stale); a
    /// watch is left on this server. A leader-local sync is answered here
    /// too, in its session's order.
    fn answer_read(&mut self, client: ClientId, cxid: u32, op: &RequestOp) {
        let zxid = self.tree.last_processed_zxid;
        let (path, watch, children) = match op {
            RequestOp::GetData { path, watch } | RequestOp::Exists { path, watch } => {
                (path, *watch, false)
            }
            RequestOp::GetChildren { path, watch } => (path, *watch, true),
            RequestOp::Sync { .. } => {
                self.client_out(ClientEvent::Reply(ClientReply {
                    client,
                    cxid,
                    zxid,
                    err: 0,
                    read: None,
                    created: Vec::new(),
                }));
                return;
            }
            _ => return,
        };
        let node = self.tree.nodes.get(&**path);
        let read = ReadResult {
            data: node.map(|n| n.data.clone()),
            version: node.map_or(-1, |n| n.version),
            children: if children && node.is_some() {
                self.tree.children_of(path)
            } else {
                Vec::new()
            },
        };
        let exists = node.is_some();
        let err = match op {
            RequestOp::Exists { .. } => 0,
            _ if !exists => code::NO_NODE,
            _ => 0,
        };
        if watch {
            // getData/getChildren on a missing node fail and leave no
            // watch; exists leaves one either way.
            match op {
                RequestOp::Exists { .. } => self.watches.add(false, path, client),
                RequestOp::GetData { .. } if exists => self.watches.add(false, path, client),
                RequestOp::GetChildren { .. } if exists => self.watches.add(true, path, client),
                _ => {}
            }
        }
        self.counters.reads += 1;
        self.client_out(ClientEvent::Reply(ClientReply {
            client,
            cxid,
            zxid,
            err,
            read: Some(read),
            created: Vec::new(),
        }));
    }

    /// A session's write was answered: the reads queued behind it go now.
    fn release_session_reads(&mut self, session: u64, cxid: u32) {
        let mut ready = Vec::new();
        if let Some(q) = self.session_order.get_mut(&session) {
            if let Some(k) = q
                .iter()
                .position(|o| matches!(o, SessionOp::Write { cxid: c } if *c == cxid))
            {
                q.remove(k);
            }
            while let Some(SessionOp::Read { .. }) = q.front() {
                if let Some(SessionOp::Read { client, cxid, op }) = q.pop_front() {
                    ready.push((client, cxid, op));
                }
            }
            if q.is_empty() {
                self.session_order.remove(&session);
            }
        }
        for (client, cxid, op) in ready {
            self.answer_read(client, cxid, &op);
        }
    }

    pub(super) fn client_ping(&mut self, client: ClientId) {
        self.counters.packets_received += 1;
        let Some(c) = self.cnxns.get_mut(&client) else {
            return;
        };
        c.received += 1;
        let (session, timeout) = (c.session, c.timeout_ms);
        self.touch(session, timeout);
        self.client_out(ClientEvent::Pong { client });
    }

    fn submit(&mut self, request: Request) {
        match &self.role {
            Role::Leader(_) => self.leader_submit(request),
            Role::Learner(l) => {
                if let Some(conn) = l.conn {
                    self.send(conn, Packet::Request { request });
                }
            }
            Role::None => {}
        }
    }

    /// After a txn is applied (`FinalRequestProcessor`): watches fire, the
    /// leader's outstanding change and session tracker follow, then the
    /// local client is answered.
    pub(super) fn after_apply(&mut self, txn: &Txn) {
        self.trigger_watches(txn);
        self.drop_outstanding_changes(txn);
        self.session_applied(txn);
        self.answer_applied(txn);
    }

    /// `FinalRequestProcessor`'s reply: to the client of this server whose
    /// request the txn was; a session closed by expiry closes its
    /// connection here, if it has one.
    fn answer_applied(&mut self, txn: &Txn) {
        if let Some(client) = self.pending_replies.remove(&(txn.session, txn.cxid)) {
            if let Some(cn) = self.cnxns.get_mut(&client) {
                cn.last_zxid = txn.zxid;
            }
            match &txn.op {
                TxnOp::CreateSession { timeout_ms } => self.client_out(ClientEvent::Connected {
                    client,
                    session: txn.session,
                    timeout_ms: *timeout_ms as u64,
                }),
                op => {
                    self.client_out(ClientEvent::Reply(ClientReply {
                        client,
                        cxid: txn.cxid,
                        zxid: txn.zxid,
                        err: op.result_code(),
                        read: None,
                        created: op.created_paths(),
                    }));
                    self.release_session_reads(txn.session, txn.cxid);
                    if let TxnOp::CloseSession { .. } = op {
                        self.drop_cnxn(client);
                    }
                }
            }
        } else if let TxnOp::CloseSession { .. } = txn.op {
            // The session expired: its connection, if here, is closed.
            let gone: Vec<ClientId> = self
                .cnxns
                .iter()
                .filter(|(_, c)| c.session == txn.session)
                .map(|(id, _)| *id)
                .collect();
            for client in gone {
                self.drop_cnxn(client);
                self.out.push(Output::Client(ClientEvent::Closed {
                    client,
                    reason: "session expired".to_string(),
                }));
            }
        }
    }
}
