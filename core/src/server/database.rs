//! The server's database and its txn log pipeline: `ZKDatabase`
//! (`processTxn`, `addCommittedProposal`, `committedLog`, `loadDataBase`,
//! `fastForwardDataBase`), `SyncRequestProcessor` (append, roll and
//! snapshot, the fsync in flight and what its end releases) and
//! `FileTxnSnapLog` (`truncateLog`, `save`); the files themselves are
//! `crate::storage`'s.
//!
//! It owns the tree, the committed log window, the queued and in-flight
//! fsyncs and the checks' delivered count. It never sends a packet itself:
//! what an fsync releases is the role's (`AfterFlush`: the leader's own
//! ACK, a follower's ACK) and the role decides the rest.

use std::sync::Arc;

use super::{ConnId, Level, Output, Role, Server};
use crate::proto::Packet;
use crate::txn::{Txn, TxnId};
use crate::zxid::Zxid;

/// A txn waiting for the fsync that makes it durable, and what to do then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterFlush {
    /// The leader's own ACK (`AckRequestProcessor`).
    LeaderAck,
    /// A follower's ACK on its leader connection (`SendAckRequestProcessor`).
    FollowerAck {
        conn: ConnId,
    },
    Nothing,
}

impl Server {
    // ----- `ZKDatabase`: the tree and the committed log -----

    /// `ZKDatabase.committedLog` rebuilt as `loadDataBase`'s playback
    /// listener fills it: every txn replayed from the log, the last
    /// `commitLogCount` kept.
    fn rebuild_committed_log(&mut self, replayed: &[Arc<Txn>]) {
        self.committed_log.clear();
        let max = self.cfg.commit_log_count as usize;
        for t in replayed {
            self.committed_log.push_back(t.clone());
            if self.committed_log.len() > max {
                self.committed_log.pop_front();
            }
        }
    }

    /// `SyncRequestProcessor.resetSnapshotStats`: the next roll comes after
    /// `snapCount / 2 + randRoll` txns. Drawn when a role's
    /// `SyncRequestProcessor` starts (`run`) and after each roll.
    pub(super) fn reset_rand_roll(&mut self) {
        let half = (self.cfg.snap_count / 2).max(1);
        self.rand_roll = self.rng.next_u64() % half;
    }

    /// Apply a txn to the tree and the committed log (`ZKDatabase.processTxn`
    /// and `addCommittedProposal`). `delivered` says whether the txn is
    /// known committed (checks only).
    pub(super) fn apply_txn(&mut self, txn: &Arc<Txn>, delivered: bool) {
        self.apply_txn_window(txn, delivered, true);
    }

    /// [`Server::apply_txn`], optionally without `addCommittedProposal`
    /// (only the bug museum's `bug_zk4925_sync_txns_skip_committed_log`
    /// passes `false`).
    pub(super) fn apply_txn_window(
        &mut self,
        txn: &Arc<Txn>,
        delivered: bool,
        add_to_window: bool,
    ) {
        if let Some(floor) = self.label_ahead_of {
            if txn.zxid > floor {
                self.apply_below_label(txn, delivered);
                return;
            }
        }
        if txn.zxid <= self.tree.last_processed_zxid {
            // Already in the tree (a COMMIT for a txn a snapshot included).
            if delivered {
                self.deliver_upto(txn.zxid);
            }
            return;
        }
        self.tree.apply(txn);
        self.stats_applied(txn);
        if add_to_window {
            self.committed_log.push_back(txn.clone());
            if self.committed_log.len() > self.cfg.commit_log_count as usize {
                self.committed_log.pop_front();
            }
        }
        if delivered {
            self.ghost_delivered = self.tree.ghost_applied.len();
        }
        self.after_apply(txn);
    }

    /// `bug_zk2355_early_last_processed`: the tree is behind its label;
    /// apply the txn and keep the label where it is until the tree
    /// catches up with it.
    fn apply_below_label(&mut self, txn: &Arc<Txn>, delivered: bool) {
        let label = self.tree.last_processed_zxid;
        self.tree.apply(txn);
        self.stats_applied(txn);
        self.tree.last_processed_zxid = label.max(txn.zxid);
        self.label_ahead_of = (txn.zxid < label).then_some(txn.zxid);
        self.committed_log.push_back(txn.clone());
        if self.committed_log.len() > self.cfg.commit_log_count as usize {
            self.committed_log.pop_front();
        }
        if delivered {
            self.ghost_delivered = self.tree.ghost_applied.len();
        }
        self.after_apply(txn);
    }

    /// Mark every applied txn up to `zxid` delivered (checks only).
    fn deliver_upto(&mut self, zxid: Zxid) {
        let applied = &self.tree.ghost_applied;
        let upto = applied.partition_point(|t| t.zxid <= zxid);
        if upto > self.ghost_delivered {
            self.ghost_delivered = upto;
        }
    }

    /// Deliver everything in the tree (a leader adopting its history).
    pub(super) fn deliver_all(&mut self) {
        self.ghost_delivered = self.tree.ghost_applied.len();
    }

    /// `ZooKeeperServer.shutdown(false)` → `fastForwardDataBase`: replay the
    /// logged txns the tree lacks, so the next vote carries the log tail.
    pub(super) fn fast_forward(&mut self) {
        let txns = self.disk.txns_after_shared(self.tree.last_processed_zxid);
        for t in txns {
            self.apply_txn(&t, false);
        }
    }

    /// Reload the tree from disk (`ZKDatabase.clear` then `loadDataBase`):
    /// the newest snapshot and the log after it. With no snapshot and an
    /// empty log (a first start) `FileTxnSnapLog.restore` writes
    /// `snapshot.0` of the empty tree.
    pub(super) fn reload_database(&mut self) {
        let (tree, delivered, replayed) = self.disk.restore();
        self.tree = tree;
        self.ghost_delivered = delivered;
        self.rebuild_committed_log(&replayed);
        self.stats_database_loaded(&replayed);
        if self.disk.snapshots.is_empty() && self.disk.log.is_empty() {
            self.take_snapshot();
        }
    }

    // ----- the txn log pipeline (`SyncRequestProcessor`) -----

    /// `SyncRequestProcessor.processRequest`: append, roll the log and
    /// snapshot when due, and start an fsync if none is in flight.
    pub(super) fn log_txn(&mut self, txn: impl Into<Arc<Txn>>, after: AfterFlush) {
        let txn: Arc<Txn> = txn.into();
        let zxid = txn.zxid;
        let times = (self.now, txn.time_ms);
        self.stats_log_queued();
        self.append_to_log(txn);
        self.to_flush
            .push_back((self.disk.log.len(), zxid, after, times));
        // `shouldSnapshot` (the 4 GB `snapSizeInBytes` rule is not
        // modelled): reset the stats, roll the log, take a snapshot.
        if self.disk.txns_since_roll > self.cfg.snap_count / 2 + self.rand_roll {
            self.reset_rand_roll();
            self.disk.roll();
            self.take_snapshot();
        }
        self.maybe_flush();
    }

    /// `ZKDatabase.append` → `FileTxnLog.append`, with its line when the
    /// append opens a new log file.
    pub(super) fn append_to_log(&mut self, txn: Arc<Txn>) {
        if let Some(z) = self.disk.append(txn) {
            self.log(
                Level::Info,
                "FileTxnLog",
                format!("Creating new log file: log.{:x}", z.0),
            );
        }
    }

    /// Start an fsync of everything appended, unless one is in flight.
    pub(super) fn maybe_flush(&mut self) {
        if self.flush_in_flight.is_none() && self.disk.unflushed() > 0 {
            let upto = self.disk.log.len();
            self.flush_in_flight = Some(upto);
            self.stats_flush_started();
            self.out.push(Output::Fsync { upto });
        }
    }

    /// An fsync ended: what it made durable is released (the role's ACKs),
    /// a stale log writer appends its queue, the next fsync starts.
    pub(super) fn on_fsync_done(&mut self, upto: usize) {
        if self.flush_in_flight != Some(upto) {
            return;
        }
        self.flush_in_flight = None;
        let cap = std::mem::replace(&mut self.flush_cap, usize::MAX);
        self.disk.flush_to(upto.min(cap));
        let mut flushed = Vec::new();
        while let Some(&(len, zxid, after, (queued, created))) = self.to_flush.front() {
            if len > self.disk.flushed {
                break;
            }
            self.to_flush.pop_front();
            flushed.push((queued, created, after != AfterFlush::Nothing));
            match after {
                AfterFlush::LeaderAck => self.leader_process_ack(self.sid(), zxid),
                AfterFlush::FollowerAck { conn } => {
                    if matches!(&self.role, Role::Learner(l) if l.conn == Some(conn)) {
                        self.send(conn, Packet::Ack { zxid });
                    }
                }
                AfterFlush::Nothing => {}
            }
        }
        self.stats_flushed(&flushed);
        // The old role's log writer, never stopped, takes its next queued
        // txns now (bug museum, ZOOKEEPER-4712).
        for txn in std::mem::take(&mut self.stale_writer) {
            self.log(
                Level::Warn,
                "SyncRequestProcessor",
                format!("Stale log writer appends 0x{:x}", txn.zxid.0),
            );
            let zxid = txn.zxid;
            let times = (self.now, txn.time_ms);
            self.append_to_log(txn);
            self.to_flush
                .push_back((self.disk.log.len(), zxid, AfterFlush::Nothing, times));
        }
        self.learner_fsync_done();
        self.maybe_flush();
    }

    /// `FileTxnSnapLog.truncateLog`. Writes still queued for the removed
    /// txns are gone with them (their positions will be reused). `Err`:
    /// ZooKeeper's `Unable to truncate Txn log` (logged here).
    pub(super) fn truncate_log(&mut self, zxid: Zxid) -> Result<Vec<TxnId>, ()> {
        let at_or_below = self.cfg.variant("fix_truncate_at_or_below");
        let removed = match self.disk.truncate_log(zxid, at_or_below) {
            Ok(removed) => removed,
            Err(why) => {
                self.log(
                    Level::Error,
                    "FileTxnSnapLog",
                    format!("Unable to truncate Txn log\njava.io.IOException: {why}"),
                );
                return Err(());
            }
        };
        let len = self.disk.log.len();
        self.to_flush.retain(|e| e.0 <= len);
        if let Some(upto) = self.flush_in_flight {
            self.flush_cap = self.flush_cap.min(upto).min(len);
        }
        Ok(removed)
    }

    /// Drops the log a snapshot covers (`fix_discard_log_on_snap` only);
    /// queued writes are renumbered, those of dropped txns forgotten.
    pub(super) fn discard_log_through(&mut self, zxid: Zxid) {
        let k = self.disk.discard_log_through(zxid);
        self.after_log_prefix_dropped(k);
    }

    /// The first `k` logged txns left the log (with their files): queued
    /// writes are renumbered, those of dropped txns forgotten. A purge
    /// (`PurgeTxnLog`) calls this too.
    pub(super) fn after_log_prefix_dropped(&mut self, k: usize) {
        self.to_flush.retain(|e| e.0 > k);
        for e in self.to_flush.iter_mut() {
            e.0 -= k;
        }
        if let Some(upto) = self.flush_in_flight {
            self.flush_cap = self.flush_cap.min(upto).saturating_sub(k);
        }
    }

    /// `FileTxnSnapLog.save`: a snapshot of the tree at its last zxid.
    pub(super) fn take_snapshot(&mut self) {
        let z = self.tree.last_processed_zxid;
        self.log(
            Level::Info,
            "FileTxnSnapLog",
            format!("Snapshotting: {z} to snapshot.{:x}", z.0),
        );
        let delivered = self.ghost_delivered;
        let config =
            crate::storage::sizes::config_node_bytes(&self.cfg.participants, &self.cfg.observers);
        self.disk.take_snapshot(&self.tree, delivered, config);
        self.stats_snapshot();
    }
}
