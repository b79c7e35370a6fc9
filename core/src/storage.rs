//! One server's simulated disk (`persistence.FileTxnSnapLog`,
//! `server.ZKDatabase`, the `acceptedEpoch`/`currentEpoch` files).
//!
//! Contract:
//! - The txn log has two stages: *appended* (written, in the OS buffer) and
//!   *flushed* (fsynced). A crash keeps only the flushed prefix. The
//!   simulator decides when an fsync completes; `flush_to` records it.
//! - Snapshots are written atomically and durably (we keep the newest one;
//!   ZooKeeper keeps several but restores from the newest valid one).
//! - Epoch files are written atomically; `None` means "not found yet", as on
//!   a first start (`QuorumPeer.loadDataBase` then creates them with 0).
//! - `restore` rebuilds a tree from the newest snapshot plus **every** logged
//!   txn after it, committed or not (`ZKDatabase.loadDataBase`).
//! - Appending a zxid not above the last one is recorded, never refused:
//!   ZooKeeper only warns (`FileTxnLog.append`); the checks report it.

use std::sync::Arc;

use crate::seq::Seq;
use crate::txn::{DataTree, Txn, TxnId};
use crate::zxid::Zxid;

/// A snapshot file: a fuzzy copy of the tree at `zxid`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub zxid: Zxid,
    pub tree: DataTree,
    /// Checks only: how many of `tree.ghost_applied` were delivered.
    pub ghost_delivered: usize,
}

/// The disk of one server.
#[derive(Debug, Clone, Default)]
pub struct Disk {
    /// Shared with the packets that carried them and the other servers'
    /// logs (an `Arc` each: a txn is stored once, not once per server).
    pub log: Seq<Arc<Txn>>,
    pub flushed: usize,
    pub snapshot: Option<Snapshot>,
    pub accepted_epoch: Option<u32>,
    pub current_epoch: Option<u32>,
    /// Txns appended since the last log roll (`SyncRequestProcessor`).
    pub txns_since_roll: u64,
    pub snapshots_taken: u64,
    /// Appends whose zxid was not above the previous one (should stay 0).
    pub non_increasing_appends: u64,
    /// Appends with the forbidden counter 0xffffffff (should stay 0).
    pub rollover_appends: u64,
}

impl Disk {
    pub fn last_logged_zxid(&self) -> Option<Zxid> {
        self.log.last().map(|t| t.zxid)
    }

    pub fn append(&mut self, txn: impl Into<Arc<Txn>>) {
        let txn: Arc<Txn> = txn.into();
        if let Some(last) = self.last_logged_zxid() {
            if txn.zxid <= last {
                self.non_increasing_appends += 1;
            }
        }
        if txn.zxid.counter() == crate::zxid::ROLLOVER_COUNTER {
            self.rollover_appends += 1;
        }
        self.log.push(txn);
        self.txns_since_roll += 1;
    }

    pub fn unflushed(&self) -> usize {
        self.log.len() - self.flushed
    }

    pub fn flush_to(&mut self, len: usize) {
        self.flushed = self.flushed.max(len.min(self.log.len()));
    }

    /// A crash: the OS buffer is gone.
    pub fn crash(&mut self) {
        let flushed = self.flushed;
        self.log.truncate(flushed);
    }

    pub fn take_snapshot(&mut self, tree: &DataTree, ghost_delivered: usize) {
        self.snapshot = Some(Snapshot {
            zxid: tree.last_processed_zxid,
            tree: tree.clone(),
            ghost_delivered,
        });
        self.snapshots_taken += 1;
        self.txns_since_roll = 0;
    }

    /// `FileTxnSnapLog.truncateLog`: drop logged txns above `zxid` and any
    /// snapshot newer than it. Returns the removed txns' ids.
    pub fn truncate_log(&mut self, zxid: Zxid) -> Vec<TxnId> {
        let keep = self.log.partition_point(|t| t.zxid <= zxid);
        let removed: Vec<TxnId> = self.log.iter_from(keep).map(|t| t.id()).collect();
        self.log.truncate(keep);
        self.flushed = self.flushed.min(keep);
        if self.snapshot.as_ref().is_some_and(|s| s.zxid > zxid) {
            self.snapshot = None;
        }
        removed
    }

    /// Drops the logged txns at or below `zxid`, which a snapshot covers
    /// (the `fix_discard_log_on_snap` counter-variant only).
    pub fn discard_log_through(&mut self, zxid: Zxid) {
        let k = self.log.partition_point(|t| t.zxid <= zxid);
        let mut rest = Seq::new();
        for t in self.log.iter_from(k) {
            rest.push(t.clone());
        }
        self.flushed = self.flushed.saturating_sub(k);
        self.log = rest;
    }

    /// Rebuild the tree: newest snapshot, then every logged txn after it.
    /// Returns the tree and how many of its applied txns the snapshot had
    /// delivered (checks only).
    pub fn restore(&self) -> (DataTree, usize) {
        let (mut tree, delivered) = match &self.snapshot {
            Some(s) => (s.tree.clone(), s.ghost_delivered),
            None => (DataTree::new(), 0),
        };
        let base = tree.last_processed_zxid;
        let start = self.log.partition_point(|t| t.zxid <= base);
        for txn in self.log.iter_from(start) {
            if txn.zxid > tree.last_processed_zxid {
                tree.apply(txn);
            }
        }
        (tree, delivered)
    }

    /// Logged txns above `zxid`, in order (fast-forward, txn-log sync).
    pub fn txns_after(&self, zxid: Zxid) -> impl Iterator<Item = &Txn> + '_ {
        let start = self.log.partition_point(|t| t.zxid <= zxid);
        self.log.iter_from(start).map(|t| &**t)
    }

    /// The same, as the shared txns the log holds.
    pub fn txns_after_shared(&self, zxid: Zxid) -> impl Iterator<Item = &Arc<Txn>> + '_ {
        let start = self.log.partition_point(|t| t.zxid <= zxid);
        self.log.iter_from(start)
    }

    /// Index of the first logged txn with zxid >= `zxid`, if the log reaches
    /// back that far (txn-log sync: "the log starts at or before").
    pub fn log_starts_at_or_before(&self, zxid: Zxid) -> bool {
        self.log.get(0).is_some_and(|t| t.zxid <= zxid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::TxnOp;

    fn txn(z: u64) -> Txn {
        Txn::new(Zxid(z), 1, 0, 0, TxnOp::CreateSession { timeout_ms: 4000 })
    }

    #[test]
    fn crash_loses_unflushed_tail_and_restore_replays_everything_logged() {
        let mut d = Disk::default();
        d.append(txn(0x1_0000_0001));
        d.append(txn(0x1_0000_0002));
        d.flush_to(2);
        d.append(txn(0x1_0000_0003));
        assert_eq!(d.unflushed(), 1);
        d.crash();
        assert_eq!(d.last_logged_zxid(), Some(Zxid(0x1_0000_0002)));
        let (tree, delivered) = d.restore();
        assert_eq!(tree.last_processed_zxid, Zxid(0x1_0000_0002));
        assert_eq!(delivered, 0);
        d.take_snapshot(&tree, 2);
        d.append(txn(0x1_0000_0003));
        let (tree, delivered) = d.restore();
        assert_eq!(tree.last_processed_zxid, Zxid(0x1_0000_0003));
        assert_eq!(delivered, 2);
    }

    #[test]
    fn truncate_removes_the_tail_and_newer_snapshots() {
        let mut d = Disk::default();
        for z in 1..=4 {
            d.append(txn(0x1_0000_0000 + z));
        }
        d.flush_to(4);
        let (tree, _) = d.restore();
        d.take_snapshot(&tree, 0);
        let removed = d.truncate_log(Zxid(0x1_0000_0002));
        assert_eq!(removed.len(), 2);
        assert!(d.snapshot.is_none());
        assert_eq!(d.restore().0.last_processed_zxid, Zxid(0x1_0000_0002));
        d.append(txn(0x1_0000_0002));
        assert_eq!(d.non_increasing_appends, 1);
    }
}
