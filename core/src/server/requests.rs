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

use std::sync::Arc;

use super::{Cnxn, Level, Role, Server, SessionOp, TimerKind};
use crate::proto::{ClientId, ClientReply, Packet, ReadResult, Request, RequestOp};
use crate::txn::{code, parent_of, Txn, TxnOp};
use crate::zxid::Zxid;

use super::leader::ChangeRecord;
use super::ClientEvent;

/// `KeeperException.Code.SESSIONEXPIRED`.
pub const SESSION_EXPIRED: i32 = -112;

impl Server {
    fn client_out(&mut self, e: ClientEvent) {
        self.stats_client_out(&e);
        self.counters.packets_sent += 1;
        if let Some(c) = self.cnxns.get_mut(&e.client()) {
            c.sent += 1;
        }
        self.out.push(super::Output::Client(e));
    }

    pub(super) fn close_all_clients(&mut self, reason: &str) {
        let clients: Vec<ClientId> = self.cnxns.keys().copied().collect();
        self.cnxns.clear();
        for client in clients {
            self.out.push(super::Output::Client(ClientEvent::Closed {
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

    /// A client opens a connection (`ZooKeeperServer.processConnectRequest`).
    pub(super) fn client_connect(
        &mut self,
        client: ClientId,
        session: u64,
        timeout_ms: u64,
        last_zxid_seen: Zxid,
    ) {
        self.counters.packets_received += 1;
        if !self.serving {
            self.out.push(super::Output::Client(ClientEvent::Closed {
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
            self.out.push(super::Output::Client(ClientEvent::Closed {
                client,
                reason: "client must try another server".to_string(),
            }));
            return;
        }
        let timeout = self.negotiate_timeout(timeout_ms);
        if session != 0 {
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
                        format!("Invalid session 0x{session:x} for client /127.0.0.1:{}, probably expired", 50000 + client),
                    );
                    self.out.push(super::Output::Client(ClientEvent::Closed {
                        client,
                        reason: "session expired".to_string(),
                    }));
                }
            }
            return;
        }
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
            self.out.push(super::Output::Client(ClientEvent::Closed {
                client,
                reason: "not connected".to_string(),
            }));
            return;
        };
        c.received += 1;
        let (session, timeout) = (c.session, c.timeout_ms);
        self.touch(session, timeout);
        if op.is_read() {
            // `CommitProcessor`: a read waits behind its own session's
            // pending writes, so a session never reads older than it wrote.
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
        self.submit(Request { session, cxid, op });
    }

    /// `FinalRequestProcessor` for a read: from this server's own tree, as
    /// of its last processed zxid (so a lagging follower answers stale).
    fn answer_read(&mut self, client: ClientId, cxid: u32, op: &RequestOp) {
        let (path, children) = match op {
            RequestOp::GetData { path } | RequestOp::Exists { path } => (path, false),
            RequestOp::GetChildren { path } => (path, true),
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
        let err = match op {
            RequestOp::Exists { .. } => 0,
            _ if node.is_none() => code::NO_NODE,
            _ => 0,
        };
        let zxid = self.tree.last_processed_zxid;
        self.counters.reads += 1;
        self.client_out(ClientEvent::Reply(ClientReply {
            client,
            cxid,
            zxid,
            err,
            read: Some(read),
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

    /// A session shows life on this server.
    fn touch(&mut self, session: u64, timeout_ms: u64) {
        match &mut self.role {
            Role::Leader(_) => self.touch_session_at_leader(session, timeout_ms),
            Role::Learner(l) => {
                l.touches.insert(session, timeout_ms as u32);
            }
            Role::None => {}
        }
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

    /// What the leader's prep processor believes about `path`: exists,
    /// version, owner.
    fn prep_node(&self, path: &str) -> Option<(i32, u64)> {
        if let Some(l) = self.leader() {
            if let Some(c) = l.changes.get(path) {
                return c.exists.then_some((c.version, c.ephemeral_owner));
            }
        }
        self.tree
            .nodes
            .get(path)
            .map(|n| (n.version, n.ephemeral_owner))
    }

    fn record_change(&mut self, path: Arc<str>, rec: ChangeRecord) {
        if let Role::Leader(l) = &mut self.role {
            l.change_order.push_back((rec.zxid, path.clone()));
            l.changes.insert(path, rec);
        }
    }

    /// `PrepRequestProcessor.pRequest`: a zxid for every request, an error
    /// txn when a check fails, then `Leader.propose`.
    pub(super) fn leader_submit(&mut self, r: Request) {
        let Some(l) = self.leader() else {
            return;
        };
        if l.established_ms.is_none() {
            return;
        }
        let zxid = l.hzxid.next();
        let known = self.tree.sessions.contains_key(&r.session)
            || l.session_deadlines.contains_key(&r.session);
        let closing = l.closing.contains(&r.session);
        if let Role::Leader(l) = &mut self.role {
            l.hzxid = zxid;
        }
        let err = |code| TxnOp::Error { code };
        let op = match &r.op {
            RequestOp::CreateSession { timeout_ms } => {
                self.log(
                    Level::Debug,
                    "SessionTrackerImpl",
                    format!("Adding session 0x{:x}", r.session),
                );
                self.track_session_at_leader(r.session, *timeout_ms as u64);
                TxnOp::CreateSession {
                    timeout_ms: *timeout_ms,
                }
            }
            _ if !known || (closing && r.op != RequestOp::CloseSession) => err(SESSION_EXPIRED),
            RequestOp::CloseSession => {
                let mut paths: Vec<Arc<str>> = self.tree.ephemerals_of(r.session);
                if let Some(l) = self.leader() {
                    paths.retain(|p| l.changes.get(p).is_none_or(|c| c.exists));
                    for (p, c) in &l.changes {
                        if c.exists && c.ephemeral_owner == r.session && !paths.contains(p) {
                            paths.push(p.clone());
                        }
                    }
                }
                paths.sort();
                for p in &paths {
                    self.record_change(
                        p.clone(),
                        ChangeRecord {
                            zxid,
                            exists: false,
                            version: 0,
                            ephemeral_owner: 0,
                        },
                    );
                }
                if let Role::Leader(l) = &mut self.role {
                    l.closing.insert(r.session);
                }
                TxnOp::CloseSession { ephemerals: paths }
            }
            RequestOp::Create {
                path,
                data,
                ephemeral,
            } => {
                if self.prep_node(parent_of(path)).is_none() {
                    err(code::NO_NODE)
                } else if self.prep_node(path).is_some() {
                    err(code::NODE_EXISTS)
                } else {
                    let owner = if *ephemeral { r.session } else { 0 };
                    self.record_change(
                        path.clone(),
                        ChangeRecord {
                            zxid,
                            exists: true,
                            version: 0,
                            ephemeral_owner: owner,
                        },
                    );
                    TxnOp::Create {
                        path: path.clone(),
                        data: data.clone(),
                        ephemeral: *ephemeral,
                    }
                }
            }
            RequestOp::Delete { path, version } => match self.prep_node(path) {
                None => err(code::NO_NODE),
                Some((v, _)) if *version != -1 && *version != v => err(code::BAD_VERSION),
                Some(_)
                    if self
                        .tree
                        .nodes
                        .get(&**path)
                        .is_some_and(|n| n.num_children > 0) =>
                {
                    err(code::NOT_EMPTY)
                }
                Some(_) => {
                    self.record_change(
                        path.clone(),
                        ChangeRecord {
                            zxid,
                            exists: false,
                            version: 0,
                            ephemeral_owner: 0,
                        },
                    );
                    TxnOp::Delete { path: path.clone() }
                }
            },
            RequestOp::GetData { .. }
            | RequestOp::Exists { .. }
            | RequestOp::GetChildren { .. } => {
                // Reads never reach the leader's prep processor.
                return;
            }
            RequestOp::SetData {
                path,
                data,
                version,
            } => match self.prep_node(path) {
                None => err(code::NO_NODE),
                Some((v, _)) if *version != -1 && *version != v => err(code::BAD_VERSION),
                Some((v, owner)) => {
                    self.record_change(
                        path.clone(),
                        ChangeRecord {
                            zxid,
                            exists: true,
                            version: v + 1,
                            ephemeral_owner: owner,
                        },
                    );
                    TxnOp::SetData {
                        path: path.clone(),
                        data: data.clone(),
                        version: v + 1,
                    }
                }
            },
        };
        let txn = Txn::new(zxid, r.session, r.cxid, self.now, op);
        self.leader_propose(txn);
    }

    /// `SessionTrackerImpl.touchSession` on the leader: only a tracked,
    /// not closing session moves to a later bucket.
    pub(super) fn touch_session_at_leader(&mut self, session: u64, timeout_ms: u64) {
        let tick = self.cfg.tick_ms.max(1);
        let deadline = (self.now + timeout_ms) / tick * tick + tick;
        if let Role::Leader(l) = &mut self.role {
            if l.closing.contains(&session) {
                return;
            }
            if let Some(d) = l.session_deadlines.get_mut(&session) {
                *d = (*d).max(deadline);
            }
        }
        self.arm_session_expiry();
    }

    /// `SessionTrackerImpl.trackSession` / `addSession`.
    pub(super) fn track_session_at_leader(&mut self, session: u64, timeout_ms: u64) {
        if let Role::Leader(l) = &mut self.role {
            l.session_deadlines.insert(session, 0);
        }
        self.touch_session_at_leader(session, timeout_ms);
    }

    pub(super) fn arm_session_expiry(&mut self) {
        let now = self.now;
        let next = self
            .leader()
            .filter(|l| l.established_ms.is_some())
            .and_then(|l| l.session_deadlines.values().min().copied());
        if let Some(at) = next {
            let current = self.timers.contains_key(&TimerKind::SessionExpiry);
            if !current || self.session_timer_at.is_none_or(|t| at < t) {
                self.session_timer_at = Some(at);
                self.set_timer(TimerKind::SessionExpiry, at.saturating_sub(now));
            }
        }
    }

    /// `SessionTrackerImpl.run`: expire every session whose bucket is due.
    pub(super) fn session_expiry_check(&mut self) {
        self.session_timer_at = None;
        let now = self.now;
        let due: Vec<(u64, u64)> = self
            .leader()
            .map(|l| {
                l.session_deadlines
                    .iter()
                    .filter(|(_, d)| **d <= now)
                    .map(|(s, _)| (*s, self.tree.sessions.get(s).copied().unwrap_or(0) as u64))
                    .collect()
            })
            .unwrap_or_default();
        for (session, timeout) in due {
            if let Role::Leader(l) = &mut self.role {
                l.session_deadlines.remove(&session);
            }
            self.log(
                Level::Info,
                "ZooKeeperServer",
                format!("Expiring session 0x{session:x}, timeout of {timeout}ms exceeded"),
            );
            self.log(
                Level::Info,
                "QuorumZooKeeperServer",
                format!("Submitting global closeSession request for session 0x{session:x}"),
            );
            self.leader_submit(Request {
                session,
                cxid: 0,
                op: RequestOp::CloseSession,
            });
        }
        self.arm_session_expiry();
    }

    /// After a txn is applied: answer the local client, drop the leader's
    /// outstanding change, keep the session tracker in step.
    pub(super) fn after_apply(&mut self, txn: &Txn) {
        if let Role::Leader(l) = &mut self.role {
            while let Some((z, _)) = l.change_order.front() {
                if *z > txn.zxid {
                    break;
                }
                if let Some((z, p)) = l.change_order.pop_front() {
                    if l.changes.get(&p).is_some_and(|c| c.zxid == z) {
                        l.changes.remove(&p);
                    }
                }
            }
            if let TxnOp::CloseSession { .. } = txn.op {
                l.session_deadlines.remove(&txn.session);
                l.closing.remove(&txn.session);
            }
        }
        if let TxnOp::CreateSession { .. } = txn.op {
            if self.state == crate::proto::ServerState::Leading {
                self.log(
                    Level::Info,
                    "LeaderSessionTracker",
                    format!("Committing global session 0x{:x}", txn.session),
                );
            } else {
                self.log(
                    Level::Info,
                    "LearnerSessionTracker",
                    format!("Committing global session 0x{:x}", txn.session),
                );
            }
        }
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
                    let err = match op {
                        TxnOp::Error { code } => *code,
                        _ => 0,
                    };
                    self.client_out(ClientEvent::Reply(ClientReply {
                        client,
                        cxid: txn.cxid,
                        zxid: txn.zxid,
                        err,
                        read: None,
                    }));
                    self.release_session_reads(txn.session, txn.cxid);
                    if let TxnOp::CloseSession { .. } = op {
                        self.cnxns.remove(&client);
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
                self.cnxns.remove(&client);
                self.out.push(super::Output::Client(ClientEvent::Closed {
                    client,
                    reason: "session expired".to_string(),
                }));
            }
        }
    }
}
