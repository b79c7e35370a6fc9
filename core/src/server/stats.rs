//! What a server measures about itself (`ServerStats`, `ServerMetrics`,
//! the per-connection stats of `ServerCnxn`), fed from the points where
//! ZooKeeper feeds them.
//!
//! Contract: pure observation. Nothing here is read by the protocol, no
//! randomness is drawn and no output is pushed, so a run's events and trace
//! hash are the same with or without it. Latencies are virtual ms from the
//! request's arrival at this server to its reply (`Request.createTime` to
//! `FinalRequestProcessor`), as `srvr`'s `Latency min/avg/max`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::Server;
use crate::fourlw::BufferStats;
use crate::metrics::{top_namespace, Summary};
use crate::proto::{ClientId, ClientReply, RequestOp, ServerState, Sid, ZabState};
use crate::txn::{Txn, TxnOp};

use super::ClientEvent;

/// jute size of a `ReplyHeader` (xid, zxid, err).
const REPLY_HEADER_BYTES: u64 = 16;
/// jute size of a `Stat`.
const STAT_BYTES: u64 = 68;
/// `fsync.warningthresholdms` (ZooKeeper's default).
pub const FSYNC_WARNING_THRESHOLD_MS: u64 = 1000;
/// `DataTree.STAT_OVERHEAD_BYTES`, added to each read's namespace bytes.
const STAT_OVERHEAD_BYTES: u64 = 68;

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

/// A local client's request in process on this server
/// (`ZooKeeperServer.requestsInProcess`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProcess {
    pub arrived_ms: u64,
    /// `ServerCnxn`'s short name of the op (`CREA`, `GETD`, `SESS`, ...).
    pub op: &'static str,
    /// A txn (write, createSession, closeSession) rather than a read.
    pub write: bool,
    /// The response body ZooKeeper would serialize for a write, in bytes.
    pub body_bytes: u64,
}

/// `ServerCnxn`'s own statistics (what `cons` prints).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CnxnStats {
    pub established_ms: u64,
    pub last_op: &'static str,
    pub last_cxid: Option<u32>,
    pub last_response_ms: u64,
    pub last_latency_ms: u64,
    pub latency: Summary,
}

/// Bookkeeping behind the metrics: when things started, what is in
/// process. Never read by the protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsBook {
    /// Local requests in process, by (client, cxid); a connect is cxid 0.
    pub in_process: BTreeMap<(ClientId, u32), InProcess>,
    pub cnxn: BTreeMap<ClientId, CnxnStats>,
    /// When the current role's ZooKeeperServer was created (`zk_uptime`).
    pub role_started_ms: u64,
    /// `QuorumPeer.unavailableStartTime`.
    pub unavailable_since: Option<u64>,
    /// A learner's `syncWithLeader` start.
    pub sync_started_ms: Option<u64>,
    /// The fsync in flight began at.
    pub flush_started_ms: u64,
    /// `ServerStats.clientResponseStats`.
    pub response_sizes: BufferStats,
    /// The path of each read in process (for `read_per_namespace`).
    pub read_paths: BTreeMap<(ClientId, u32), Arc<str>>,
    /// Clients whose connect in process creates a session.
    pub new_sessions: BTreeSet<ClientId>,
}

/// `ServerCnxn`'s short op names (`Request.op2String` abbreviations), by
/// the op's ZooKeeper name (ops this table does not know print `NA`).
fn op_code(op: &RequestOp) -> &'static str {
    match op.name() {
        "createSession" => "SESS",
        "closeSession" => "CLOS",
        "create" => "CREA",
        "delete" => "DELE",
        "setData" => "SETD",
        "getData" => "GETD",
        "exists" => "EXIS",
        "getChildren" => "GETC",
        "check" => "CHEC",
        "multi" => "MULT",
        "sync" => "SYNC",
        _ => "NA",
    }
}

/// The path a read is about.
fn read_path(op: &RequestOp) -> Option<&Arc<str>> {
    match op {
        RequestOp::GetData { path, .. }
        | RequestOp::Exists { path, .. }
        | RequestOp::GetChildren { path, .. } => Some(path),
        _ => None,
    }
}

/// Approximate jute size of a client request on the wire (length prefix,
/// `RequestHeader`, record), for `zk_bytes_received_count`.
fn request_bytes(op: &RequestOp) -> u64 {
    const ACL: u64 = 4 + 4 + 4 + 5 + 4 + 6; // world:anyone, one entry
    let s = |p: &str| 4 + p.len() as u64;
    12 + match op {
        RequestOp::CreateSession { .. } => 37,
        RequestOp::Create { path, data, .. } => s(path) + s(data) + ACL + 4,
        RequestOp::Delete { path, .. } => s(path) + 4,
        RequestOp::SetData { path, data, .. } => s(path) + s(data) + 4,
        other => read_path(other).map_or(0, |p| s(p) + 1),
    }
}

/// The response body ZooKeeper serializes for a write.
fn write_response_body(op: &RequestOp) -> u64 {
    match op {
        RequestOp::Create { path, .. } => 4 + path.len() as u64,
        RequestOp::SetData { .. } => STAT_BYTES,
        _ => 0,
    }
}

impl Server {
    /// A client packet arrives (`NIOServerCnxn.readPayload`): count it and
    /// start the request's clock. Called before the request is handled.
    pub(super) fn stats_client_arrival(&mut self, client: ClientId, cxid: u32, op: &RequestOp) {
        let now = self.now;
        self.metrics.bytes_received_count += request_bytes(op);
        if !self.serving && matches!(op, RequestOp::CreateSession { .. }) {
            self.metrics.cnxn_closed_without_zk_server_running += 1;
        }
        if cxid == 0 {
            // A new connection: whatever its client had in process is gone.
            self.book.in_process.retain(|(c, _), _| *c != client);
            self.book.cnxn.insert(
                client,
                CnxnStats {
                    established_ms: now,
                    last_op: "NA",
                    ..CnxnStats::default()
                },
            );
        }
        self.book.in_process.insert(
            (client, cxid),
            InProcess {
                arrived_ms: now,
                op: op_code(op),
                write: !op.is_read(),
                body_bytes: write_response_body(op),
            },
        );
        if let Some(path) = read_path(op).cloned() {
            // `DataTree.updateReadStat` runs when the read is answered; the
            // path is kept with the arrival to find it then.
            self.book.read_paths.insert((client, cxid), path);
        }
    }

    /// A client went away: forget its requests and connection stats.
    pub(super) fn stats_client_gone(&mut self, client: ClientId) {
        self.book.in_process.retain(|(c, _), _| *c != client);
        self.book.read_paths.retain(|(c, _), _| *c != client);
        self.book.new_sessions.remove(&client);
        self.book.cnxn.remove(&client);
    }

    /// Every event sent to a client passes here (`ServerCnxn.sendResponse`
    /// and `FinalRequestProcessor.updateStats`).
    pub(super) fn stats_client_out(&mut self, e: &ClientEvent) {
        let now = self.now;
        // (Other events, such as notifications, are no request's reply.)
        let (client, cxid, size) = if let ClientEvent::Reply(r) = e {
            (r.client, r.cxid, self.reply_size(r))
        } else if let ClientEvent::Connected { client, .. } = e {
            (*client, 0, 0)
        } else if let ClientEvent::Pong { client } = e {
            (*client, u32::MAX, REPLY_HEADER_BYTES)
        } else {
            if let ClientEvent::Closed { client, .. } = e {
                self.stats_client_gone(*client);
            }
            return;
        };
        let (latency, op, write, counted) = if cxid == u32::MAX {
            (0, "PING", false, true)
        } else {
            match self.book.in_process.remove(&(client, cxid)) {
                // A re-attached session is not a request of the pipeline.
                Some(p) if cxid == 0 && matches!(e, ClientEvent::Connected { .. }) => (
                    now.saturating_sub(p.arrived_ms),
                    p.op,
                    true,
                    self.book.new_sessions.remove(&client),
                ),
                Some(p) => (now.saturating_sub(p.arrived_ms), p.op, p.write, true),
                None => return,
            }
        };
        if !counted {
            return;
        }
        self.stats_update_latency(latency, write);
        if let ClientEvent::Reply(r) = e {
            self.stats_reply_processed(client, cxid, r, latency);
        }
        if size > 0 {
            self.book.response_sizes.record(size as i64);
            self.metrics.response_bytes += size;
        }
        if let Some(cs) = self.book.cnxn.get_mut(&client) {
            cs.last_op = op;
            if cxid != u32::MAX && cxid != 0 {
                cs.last_cxid = Some(cxid);
            }
            cs.last_response_ms = now;
            cs.last_latency_ms = latency;
            cs.latency.add(latency);
        }
    }

    /// `ServerStats.updateLatency`: every request, reads and pings too;
    /// the update or read latency metric by kind.
    fn stats_update_latency(&mut self, latency: u64, write: bool) {
        let c = &mut self.counters;
        c.latency_min_ms = Some(c.latency_min_ms.map_or(latency, |m| m.min(latency)));
        c.latency_max_ms = c.latency_max_ms.max(latency);
        c.latency_total_ms += latency;
        c.latency_count += 1;
        if write {
            self.metrics.updatelatency.add(latency);
        } else {
            self.metrics.readlatency.add(latency);
        }
    }

    /// A reply's commit-processor time, and for a read the bytes it read
    /// per top-level namespace (`DataTree.updateReadStat`).
    fn stats_reply_processed(
        &mut self,
        client: ClientId,
        cxid: u32,
        r: &ClientReply,
        latency: u64,
    ) {
        if r.read.is_none() {
            self.metrics.write_commitproc_time_ms.add(latency);
            return;
        }
        self.metrics.read_commitproc_time_ms.add(latency);
        let path = self.book.read_paths.remove(&(client, cxid));
        if let (Some(path), Some(read)) = (path, &r.read) {
            if let Some(ns) = top_namespace(&path) {
                let bytes = read.data.as_ref().map_or(0, |d| d.len() as u64)
                    + read.children.iter().map(|c| c.len() as u64).sum::<u64>();
                add_to_set(
                    &mut self.metrics.read_per_namespace,
                    ns,
                    path.len() as u64 + bytes + STAT_OVERHEAD_BYTES,
                );
            }
        }
    }

    fn reply_size(&self, r: &ClientReply) -> u64 {
        let body = match (&r.read, r.err) {
            (_, e) if e != 0 => 0,
            (Some(read), _) => {
                let data = read.data.as_ref().map_or(0, |d| 4 + d.len() as u64);
                let children: u64 = read.children.iter().map(|c| 4 + c.len() as u64).sum();
                if read.children.is_empty() {
                    data + STAT_BYTES
                } else {
                    4 + children
                }
            }
            (None, _) => self
                .book
                .in_process
                .get(&(r.client, r.cxid))
                .map_or(0, |p| p.body_bytes),
        };
        REPLY_HEADER_BYTES + body
    }

    /// A connect request that creates a session (`processConnectRequest`
    /// with session id 0) goes through the request pipeline.
    pub(super) fn stats_new_session(&mut self, client: ClientId) {
        self.book.new_sessions.insert(client);
    }

    /// A role's `ZooKeeperServer` is created (`QuorumPeer.makeLeader` /
    /// `makeFollower` / `makeObserver`): its `ServerStats` start at zero.
    pub(super) fn stats_role_started(&mut self, election_ms: u64) {
        self.counters = Counters::default();
        self.book.role_started_ms = self.now;
        self.book.response_sizes = BufferStats::default();
        self.metrics.election_time.add(election_ms);
    }

    /// `QuorumPeer.run`, case LOOKING.
    pub(super) fn stats_looking(&mut self) {
        self.metrics.looking_count += 1;
        if self.book.unavailable_since.is_none() {
            self.book.unavailable_since = Some(self.now);
        }
    }

    /// `QuorumPeer.setZabState`.
    pub(super) fn stats_zab_state(&mut self, zab: ZabState) {
        let now = self.now;
        match zab {
            ZabState::Synchronization if self.learner().is_some() => {
                self.book.sync_started_ms = Some(now);
            }
            ZabState::Broadcast => {
                if let Some(since) = self.book.unavailable_since.take() {
                    let t = now.saturating_sub(since);
                    self.metrics.unavailable_time.add(t);
                    if self.state == ServerState::Leading {
                        self.metrics.leader_unavailable_time.add(t);
                    }
                }
                if let Some(start) = self.book.sync_started_ms.take() {
                    let t = now.saturating_sub(start);
                    if self.cfg.is_observer() {
                        self.metrics.observer_sync_time.add(t);
                    } else {
                        self.metrics.follower_sync_time.add(t);
                    }
                }
            }
            _ => {}
        }
    }

    /// `ZKDatabase.loadDataBase` (start, TRUNC, a reload after a failed
    /// SNAP): the snapshot read, then `replayed` txns from the log.
    pub(super) fn stats_database_loaded(&mut self, replayed: &[std::sync::Arc<Txn>]) {
        self.metrics.dbinittime.add(0);
        self.metrics.startup_snap_load_time.add(0);
        if !replayed.is_empty() {
            self.metrics.startup_txns_loaded.add(replayed.len() as u64);
            self.metrics.startup_txns_load_time.add(0);
            for t in replayed {
                self.stats_write_stat(t);
            }
        }
    }

    /// `ZKDatabase.initConfigInZKDatabase`: `/zookeeper/config` is set to
    /// the configuration's text (`QuorumVerifier.toString`).
    pub(super) fn stats_config_written(&mut self) {
        let mut members: Vec<(Sid, &str)> = self
            .cfg
            .participants
            .iter()
            .map(|&s| (s, "participant"))
            .chain(self.cfg.observers.iter().map(|&s| (s, "observer")))
            .collect();
        crate::sorting::sort(&mut members);
        let text: Vec<String> = members
            .iter()
            .map(|(s, t)| format!("server.{s}=127.0.0.1:{}:{}:{t}", 28880 + s, 38880 + s))
            .collect();
        let len = text.join("\n").len() + "\nversion=0".len();
        let path = "/zookeeper/config";
        self.metrics
            .write_per_namespace
            .entry("zookeeper".to_string())
            .or_default()
            .add((path.len() + len) as u64);
    }

    /// `DataTree.updateWriteStat` for one applied txn.
    pub(super) fn stats_write_stat(&mut self, txn: &Txn) {
        let (path, bytes) = match &txn.op {
            TxnOp::Create { path, data, .. } | TxnOp::SetData { path, data, .. } => {
                (path, data.len() as u64)
            }
            TxnOp::Delete { path } => (path, 0),
            _ => return,
        };
        if let Some(ns) = top_namespace(path) {
            add_to_set(
                &mut self.metrics.write_per_namespace,
                ns,
                path.len() as u64 + bytes,
            );
        }
    }

    /// A txn was applied to the tree (`FinalRequestProcessor` when
    /// serving; `DataTree.processTxn` always).
    pub(super) fn stats_applied(&mut self, txn: &Txn) {
        self.stats_write_stat(txn);
        if !self.serving {
            return;
        }
        let now = self.now;
        self.metrics.request_commit_queued += 1;
        self.metrics
            .propagation_latency
            .add(now.saturating_sub(txn.time_ms));
        if self.pending_replies.contains_key(&(txn.session, txn.cxid)) {
            self.metrics.local_write_committed_time_ms.add(0);
        } else {
            self.metrics.server_write_committed_time_ms.add(0);
        }
    }

    /// `Leader.propose`: one more proposal and the change records its
    /// request queued in `PrepRequestProcessor`.
    pub(super) fn stats_proposed(&mut self, txn: &Txn) {
        self.metrics.proposal_count += 1;
        self.metrics.prep_processor_request_queued += 1;
        self.metrics.outstanding_changes_queued += change_records(txn);
    }

    /// `Leader.commit` + `tryToCommit`'s quorum: the txn is committed.
    pub(super) fn stats_committed(&mut self, txn: &Txn) {
        self.metrics.commit_count += 1;
        self.metrics.outstanding_changes_removed += change_records(txn);
        self.metrics
            .quorum_ack_latency
            .add(self.now.saturating_sub(txn.time_ms));
    }

    /// `LearnerHandler.syncFollower` chose `snap` (or DIFF/TRUNC), with
    /// `in_flight` syncs now running (this one included).
    pub(super) fn stats_sync_led(&mut self, snap: bool, in_flight: u64) {
        if snap {
            self.metrics.snap_count += 1;
            self.metrics.inflight_snap_count.add(in_flight);
        } else {
            self.metrics.diff_count += 1;
            self.metrics.inflight_diff_count.add(in_flight);
        }
    }

    /// A follower received a PROPOSAL in broadcast.
    pub(super) fn stats_proposal_received(&mut self, txn: &Txn) {
        self.metrics.learner_proposal_received_count += 1;
        self.metrics
            .proposal_latency
            .add(self.now.saturating_sub(txn.time_ms));
    }

    /// A learner received a COMMIT (an observer: an INFORM) in broadcast.
    pub(super) fn stats_commit_received(&mut self, txn_time_ms: Option<u64>) {
        self.metrics.learner_commit_received_count += 1;
        if let Some(t) = txn_time_ms {
            self.metrics
                .commit_propagation_latency
                .add(self.now.saturating_sub(t));
        }
    }

    /// One more txn queued to the `SyncRequestProcessor`.
    pub(super) fn stats_log_queued(&mut self) {
        self.metrics.sync_processor_request_queued += 1;
        self.metrics
            .sync_processor_queue_size
            .add(self.to_flush.len() as u64);
    }

    /// An fsync of the txn log began.
    pub(super) fn stats_flush_started(&mut self) {
        self.book.flush_started_ms = self.now;
    }

    /// The fsync finished: its time, and for each txn it made durable
    /// (queued at `enqueued_ms`, created at `txn_ms`, acked after it or not)
    /// the queue and flush times.
    pub(super) fn stats_flushed(&mut self, txns: &[(u64, u64, bool)]) {
        let now = self.now;
        let start = self.book.flush_started_ms;
        let took = now.saturating_sub(start);
        self.metrics.fsynctime.add(took);
        if took > FSYNC_WARNING_THRESHOLD_MS {
            // `FileTxnLog.commit`; the log file is preallocated (64 MiB).
            let text = format!(
                "fsync-ing the write ahead log in SyncThread:{} took {took}ms which will adversely effect operation latency.File size is 67108880 bytes. See the ZooKeeper troubleshooting guide",
                self.sid()
            );
            self.log(super::Level::Warn, "FileTxnLog", text);
        }
        if txns.is_empty() {
            return;
        }
        self.metrics
            .sync_processor_batch_size
            .add(txns.len() as u64);
        for &(enqueued, txn_ms, acked) in txns {
            let m = &mut self.metrics;
            m.sync_processor_queue_time_ms
                .add(start.saturating_sub(enqueued));
            m.sync_processor_queue_flush_time_ms
                .add(now.saturating_sub(start.max(enqueued)));
            m.sync_processor_queue_and_flush_time_ms
                .add(now.saturating_sub(enqueued));
            if acked {
                m.proposal_ack_creation_latency
                    .add(now.saturating_sub(txn_ms));
            }
        }
    }

    /// A snapshot was written (`ZooKeeperServer.takeSnapshot`).
    pub(super) fn stats_snapshot(&mut self) {
        self.metrics.snapshottime.add(0);
    }

    /// Requests of local clients in process (`Outstanding:`).
    pub fn outstanding_requests(&self) -> u64 {
        self.book.in_process.len() as u64
    }

    /// Sockets and files the simulated process holds open
    /// (`zk_open_file_descriptor_count`): the client port, the election
    /// port of a voter, the quorum port of a leader, the current txn log
    /// file, each client connection and each quorum connection.
    pub fn open_file_descriptors(&self) -> u64 {
        let voter = u64::from(self.cfg.is_participant(self.sid()));
        let (listen_quorum, quorum_conns) = match &self.role {
            super::Role::Leader(l) => (1, l.handlers.len() as u64),
            super::Role::Learner(l) => (0, u64::from(l.conn.is_some())),
            super::Role::None => (0, 0),
        };
        1 + voter + listen_quorum + 1 + self.cnxns.len() as u64 + quorum_conns
    }
}

/// One data point for `key` of a `SummarySet` (no allocation when the key
/// is known, which is every time but the first).
fn add_to_set(set: &mut BTreeMap<String, Summary>, key: &str, value: u64) {
    match set.get_mut(key) {
        Some(s) => s.add(value),
        None => set.entry(key.to_string()).or_default().add(value),
    }
}

/// The `outstandingChanges` records `PrepRequestProcessor` queues for a
/// txn (`pRequest2Txn`, `addChangeRecord`): a create or a delete two (the
/// parent's and the node's), a setData one, a closeSession two per
/// ephemeral (the parent's too, since `zookeeper.digest.enabled` is on by
/// default), a multi the sum of its ops; a check none. A failed multi's
/// records are rolled back (`rollbackPendingChanges`), never removed by
/// `FinalRequestProcessor`, so they count for nothing.
fn change_records(txn: &Txn) -> u64 {
    fn of(op: &TxnOp) -> u64 {
        match op {
            TxnOp::Create { .. } | TxnOp::Delete { .. } => 2,
            TxnOp::SetData { .. } => 1,
            TxnOp::CloseSession { ephemerals } => 2 * ephemerals.len() as u64,
            TxnOp::Multi { ops } if !op.is_failed_multi() => ops.iter().map(of).sum(),
            _ => 0,
        }
    }
    of(&txn.op)
}

#[cfg(test)]
mod tests {
    use super::change_records;
    use crate::txn::{Txn, TxnOp};
    use crate::zxid::Zxid;

    fn txn(op: TxnOp) -> Txn {
        Txn::new(Zxid(0x100000002), 1, 1, 0, op)
    }

    /// A real 3.8.0 leader after ten creates counts 20 removed change
    /// records (a conform run of node-failure-follower), after one create
    /// and nine setData 11 (tests/real-zk/leader-mntr.txt).
    #[test]
    fn change_records_are_prep_request_processors() {
        let create = TxnOp::Create {
            path: "/a".into(),
            data: "v".into(),
            ephemeral: true,
            parent_cversion: 1,
        };
        let set = TxnOp::SetData {
            path: "/a".into(),
            data: "w".into(),
            version: 0,
        };
        assert_eq!(change_records(&txn(create.clone())), 2);
        assert_eq!(change_records(&txn(set.clone())), 1);
        assert_eq!(change_records(&txn(TxnOp::Delete { path: "/a".into() })), 2);
        let close = TxnOp::CloseSession {
            ephemerals: vec!["/a".into(), "/b".into()],
        };
        assert_eq!(change_records(&txn(close)), 4);
        let multi = TxnOp::Multi {
            ops: vec![create.clone(), set],
        };
        assert_eq!(change_records(&txn(multi)), 3);
        let failed = TxnOp::Multi {
            ops: vec![create, TxnOp::Error { code: -110 }],
        };
        assert_eq!(change_records(&txn(failed)), 0);
        assert_eq!(
            change_records(&txn(TxnOp::CreateSession { timeout_ms: 6000 })),
            0
        );
    }
}
