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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Level, Role, Server, TimerKind};
use crate::proto::{
    ClientId, ClientReply, Packet, ReadResult, Request, RequestOp, WatchEventType, WatchedEvent,
};
use crate::txn::{code, parent_of, Txn, TxnOp};
use crate::zxid::Zxid;

use super::leader::ChangeRecord;
use super::ClientEvent;

/// `KeeperException.Code.SESSIONEXPIRED`.
pub const SESSION_EXPIRED: i32 = -112;

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
        self.watches = Watches::default();
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

    fn fire(&mut self, client: ClientId, kind: WatchEventType, path: Arc<str>, zxid: Zxid) {
        if self.cnxns.contains_key(&client) {
            self.client_out(ClientEvent::Watch(WatchedEvent {
                client,
                kind,
                path,
                zxid,
            }));
        }
    }

    /// `WatchManager.triggerWatch` for what `txn` changed: each watch
    /// fires once and is gone; a connection gets one event per path even
    /// if it had both a data and a child watch there.
    fn trigger_watches(&mut self, txn: &Txn) {
        if self.watches.data.is_empty() && self.watches.child.is_empty() {
            return;
        }
        for (path, kind) in txn.op.watch_triggers() {
            let mut who: BTreeSet<ClientId> = BTreeSet::new();
            if kind != WatchEventType::NodeChildrenChanged {
                who.extend(self.watches.data.remove(&path).unwrap_or_default());
            }
            if kind == WatchEventType::NodeChildrenChanged || kind == WatchEventType::NodeDeleted {
                who.extend(self.watches.child.remove(&path).unwrap_or_default());
            }
            if who.is_empty() {
                continue;
            }
            let m = &mut self.metrics;
            match kind {
                WatchEventType::NodeCreated => m.node_created_watch_count.add(who.len() as u64),
                WatchEventType::NodeDeleted => m.node_deleted_watch_count.add(who.len() as u64),
                WatchEventType::NodeDataChanged => m.node_changed_watch_count.add(who.len() as u64),
                WatchEventType::NodeChildrenChanged => {
                    m.node_children_watch_count.add(who.len() as u64)
                }
            }
            for client in who {
                self.fire(client, kind, path.clone(), txn.zxid);
            }
        }
    }

    /// `DataTree.setWatches`: after a reconnect, each watch is set again,
    /// or fires at once if its node changed after what the client saw.
    pub(super) fn client_set_watches(
        &mut self,
        client: ClientId,
        relative_zxid: Zxid,
        data: &[Arc<str>],
        exist: &[Arc<str>],
        child: &[Arc<str>],
    ) {
        if !self.cnxns.contains_key(&client) {
            return;
        }
        let zxid = self.tree.last_processed_zxid;
        for path in data {
            match self.tree.nodes.get(&**path) {
                None => self.fire(client, WatchEventType::NodeDeleted, path.clone(), zxid),
                Some(n) if n.mzxid > relative_zxid => {
                    self.fire(client, WatchEventType::NodeDataChanged, path.clone(), zxid)
                }
                Some(_) => {
                    self.watches.add(false, path, client);
                }
            }
        }
        for path in exist {
            if self.tree.nodes.contains_key(&**path) {
                self.fire(client, WatchEventType::NodeCreated, path.clone(), zxid);
            } else {
                self.watches.add(false, path, client);
            }
        }
        for path in child {
            match self.tree.nodes.get(&**path) {
                None => self.fire(client, WatchEventType::NodeDeleted, path.clone(), zxid),
                Some(n) if n.pzxid > relative_zxid => self.fire(
                    client,
                    WatchEventType::NodeChildrenChanged,
                    path.clone(),
                    zxid,
                ),
                Some(_) => {
                    self.watches.add(true, path, client);
                }
            }
        }
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

    /// What the leader's prep processor believes about `path`
    /// (`PrepRequestProcessor.getRecordForPath`): the changes staged by
    /// this request, then the outstanding changes, then the tree.
    fn prep_node(&self, staged: &[(Arc<str>, ChangeRecord)], path: &str) -> Option<ChangeRecord> {
        if let Some((_, c)) = staged.iter().rev().find(|(p, _)| &**p == path) {
            return c.exists.then(|| c.clone());
        }
        if let Some(l) = self.leader() {
            if let Some(c) = l.changes.get(path) {
                return c.exists.then(|| c.clone());
            }
        }
        self.tree.nodes.get(path).map(|n| ChangeRecord {
            zxid: n.mzxid,
            exists: true,
            version: n.version,
            ephemeral_owner: n.ephemeral_owner,
            cversion: n.cversion,
            num_children: n.num_children,
        })
    }

    fn record_change(&mut self, path: Arc<str>, rec: ChangeRecord) {
        if let Role::Leader(l) = &mut self.role {
            l.change_order.push_back((rec.zxid, path.clone()));
            l.changes.insert(path, rec);
        }
    }

    /// `PrepRequestProcessor.pRequest2Txn` for one node op: the txn, or
    /// the error code; the changes it implies are staged.
    fn prep_op(
        &self,
        zxid: Zxid,
        session: u64,
        op: &RequestOp,
        staged: &mut Vec<(Arc<str>, ChangeRecord)>,
    ) -> Result<TxnOp, i32> {
        let gone = |zxid| ChangeRecord {
            zxid,
            exists: false,
            version: 0,
            ephemeral_owner: 0,
            cversion: 0,
            num_children: 0,
        };
        let check_version = |want: i32, have: i32| {
            if want != -1 && want != have {
                Err(code::BAD_VERSION)
            } else {
                Ok(())
            }
        };
        match op {
            RequestOp::Create {
                path,
                data,
                ephemeral,
                sequential,
            } => {
                let parent_path: Arc<str> = Arc::from(parent_of(path));
                let Some(parent) = self.prep_node(staged, &parent_path) else {
                    return Err(code::NO_NODE);
                };
                let path: Arc<str> = if *sequential {
                    Arc::from(format!("{path}{:010}", parent.cversion).as_str())
                } else {
                    path.clone()
                };
                if self.prep_node(staged, &path).is_some() {
                    return Err(code::NODE_EXISTS);
                }
                if parent.ephemeral_owner != 0 {
                    return Err(code::NO_CHILDREN_FOR_EPHEMERALS);
                }
                let parent_cversion = parent.cversion + 1;
                let owner = if *ephemeral { session } else { 0 };
                staged.push((
                    parent_path,
                    ChangeRecord {
                        zxid,
                        cversion: parent_cversion,
                        num_children: parent.num_children + 1,
                        ..parent
                    },
                ));
                staged.push((
                    path.clone(),
                    ChangeRecord {
                        zxid,
                        exists: true,
                        version: 0,
                        ephemeral_owner: owner,
                        cversion: 0,
                        num_children: 0,
                    },
                ));
                Ok(TxnOp::Create {
                    path,
                    data: data.clone(),
                    ephemeral: *ephemeral,
                    parent_cversion,
                })
            }
            RequestOp::Delete { path, version } => {
                let Some(node) = self.prep_node(staged, path) else {
                    return Err(code::NO_NODE);
                };
                check_version(*version, node.version)?;
                if node.num_children > 0 {
                    return Err(code::NOT_EMPTY);
                }
                let parent_path: Arc<str> = Arc::from(parent_of(path));
                if let Some(parent) = self.prep_node(staged, &parent_path) {
                    staged.push((
                        parent_path,
                        ChangeRecord {
                            zxid,
                            num_children: parent.num_children.saturating_sub(1),
                            ..parent
                        },
                    ));
                }
                staged.push((path.clone(), gone(zxid)));
                Ok(TxnOp::Delete { path: path.clone() })
            }
            RequestOp::SetData {
                path,
                data,
                version,
            } => {
                let Some(node) = self.prep_node(staged, path) else {
                    return Err(code::NO_NODE);
                };
                check_version(*version, node.version)?;
                let new_version = node.version + 1;
                staged.push((
                    path.clone(),
                    ChangeRecord {
                        zxid,
                        version: new_version,
                        ..node
                    },
                ));
                Ok(TxnOp::SetData {
                    path: path.clone(),
                    data: data.clone(),
                    version: new_version,
                })
            }
            RequestOp::Check { path, version } => {
                let Some(node) = self.prep_node(staged, path) else {
                    return Err(code::NO_NODE);
                };
                check_version(*version, node.version)?;
                Ok(TxnOp::CheckVersion {
                    path: path.clone(),
                    version: *version,
                })
            }
            _ => Err(code::RUNTIME_INCONSISTENCY),
        }
    }

    /// `PrepRequestProcessor.pRequest`: a zxid for every request, an error
    /// txn when a check fails, then `Leader.propose`. A learner's sync
    /// (`conn` names its handler) or a local one goes to `processSync`.
    pub(super) fn leader_submit(&mut self, r: Request) {
        self.leader_submit_from(None, r);
    }

    pub(super) fn leader_submit_from(&mut self, from: Option<super::ConnId>, r: Request) {
        let Some(l) = self.leader() else {
            return;
        };
        if l.established_ms.is_none() {
            return;
        }
        if let RequestOp::Sync { .. } = r.op {
            self.leader_process_sync(from, r.session, r.cxid);
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
        let mut staged: Vec<(Arc<str>, ChangeRecord)> = Vec::new();
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
                    let parent_path: Arc<str> = Arc::from(parent_of(p));
                    if let Some(parent) = self.prep_node(&staged, &parent_path) {
                        staged.push((
                            parent_path,
                            ChangeRecord {
                                zxid,
                                num_children: parent.num_children.saturating_sub(1),
                                ..parent
                            },
                        ));
                    }
                    staged.push((
                        p.clone(),
                        ChangeRecord {
                            zxid,
                            exists: false,
                            version: 0,
                            ephemeral_owner: 0,
                            cversion: 0,
                            num_children: 0,
                        },
                    ));
                }
                if let Role::Leader(l) = &mut self.role {
                    l.closing.insert(r.session);
                }
                TxnOp::CloseSession { ephemerals: paths }
            }
            RequestOp::Multi { ops } => {
                let mut txns = Vec::with_capacity(ops.len());
                let mut failed = false;
                for op in ops {
                    if failed {
                        txns.push(err(code::RUNTIME_INCONSISTENCY));
                        continue;
                    }
                    match self.prep_op(zxid, r.session, op, &mut staged) {
                        Ok(t) => txns.push(t),
                        Err(c) => {
                            // `rollbackPendingChanges`: nothing of a failed
                            // multi stays outstanding.
                            failed = true;
                            staged.clear();
                            txns.push(err(c));
                        }
                    }
                }
                TxnOp::Multi { ops: txns }
            }
            RequestOp::GetData { .. }
            | RequestOp::Exists { .. }
            | RequestOp::GetChildren { .. }
            | RequestOp::Sync { .. } => {
                // Reads never reach the leader's prep processor.
                return;
            }
            op => match self.prep_op(zxid, r.session, op, &mut staged) {
                Ok(t) => t,
                Err(c) => {
                    staged.clear();
                    err(c)
                }
            },
        };
        for (path, rec) in staged {
            self.record_change(path, rec);
        }
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
        self.trigger_watches(txn);
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
                self.out.push(super::Output::Client(ClientEvent::Closed {
                    client,
                    reason: "session expired".to_string(),
                }));
            }
        }
    }
}
