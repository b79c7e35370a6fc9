//! One server's simulated disk (`persistence.FileTxnSnapLog`: the txn log
//! files of `FileTxnLog` and the snapshot files of `FileSnap`; the
//! `acceptedEpoch`/`currentEpoch` files).
//!
//! Contract:
//! - The txn log is one flat sequence of txns (`log`), cut into files
//!   (`files`, [`txnlog`]) as ZooKeeper 3.8 cuts it: `log.<first zxid>`, a
//!   new file at the first append of a process, after a roll and after a
//!   TRUNC, each file preallocated in `preAllocSize` blocks. Only the
//!   methods here change `log`, so files and sequence always agree.
//! - The log has two stages: *appended* and *flushed* (fsynced). A process
//!   kill ([`Disk::kill`]) keeps what reached the OS, a power loss
//!   ([`Disk::lose_power`]) only the flushed prefix; a file whose txns were
//!   all lost is gone with them. The simulator decides when an fsync
//!   completes (`flush_to`).
//! - Snapshot files (`snapshot.<zxid>`) are written atomically and durably
//!   and all kept (`snapshots`, oldest first; the same name overwrites);
//!   ZooKeeper restores from the newest. Their sizes follow [`sizes`].
//! - Epoch files are written atomically; `None` means "not found yet", as on
//!   a first start (`QuorumPeer.loadDataBase` then creates them with 0).
//! - `restore` rebuilds a tree from the newest snapshot plus **every**
//!   logged txn after it, committed or not, read as `FileTxnIterator`
//!   reads (`ZKDatabase.loadDataBase`).
//! - Appending a zxid not above the last one is recorded, never refused:
//!   ZooKeeper only warns (`FileTxnLog.append`); the checks report it.
//! - Nothing is ever deleted by time: purging (`PurgeTxnLog.purge`) is
//!   [`Disk::purge`], which the autopurge task (`server/purge.rs`) calls.

pub mod sizes;
pub mod txnlog;

use std::sync::Arc;

use crate::seq::Seq;
use crate::txn::{DataTree, Txn, TxnId};
use crate::zxid::Zxid;
pub use txnlog::{LogFile, LogFiles, LogRead};

/// A snapshot file: a fuzzy copy of the tree at `zxid`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub zxid: Zxid,
    /// The file's size ([`sizes::snapshot_bytes`]).
    pub bytes: u64,
    /// Shared: a snapshot never changes once written.
    pub tree: Arc<DataTree>,
    /// Checks only: how many of `tree.ghost_applied` were delivered.
    pub ghost_delivered: usize,
}

impl Snapshot {
    /// `Util.makeSnapshotName`.
    pub fn name(&self) -> String {
        format!("snapshot.{:x}", self.zxid.0)
    }
}

/// One log file as an operator lists it (`ls -l version-2`), for views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFileView {
    /// `log.<hex>`.
    pub name: String,
    /// The zxids of its first and last txns (none after a crash lost them).
    pub first: Option<Zxid>,
    pub last: Option<Zxid>,
    pub txns: usize,
    /// `File.length()` (preallocated) and the bytes actually written.
    pub length: u64,
    pub written: u64,
    /// Appends go to it (`FileTxnLog`'s open stream).
    pub current: bool,
}

/// The disk of one server.
#[derive(Debug, Clone)]
pub struct Disk {
    /// Every txn of every log file, file after file. Shared with the
    /// packets that carried them and the other servers' logs (an `Arc`
    /// each: a txn is stored once, not once per server). Read freely;
    /// change only through `Disk`'s methods.
    pub log: Seq<Arc<Txn>>,
    pub flushed: usize,
    /// The `log.<zxid>` files over `log`.
    pub files: LogFiles,
    /// The snapshot files, oldest first.
    pub snapshots: Vec<Snapshot>,
    /// `zookeeper.preAllocSize` in bytes (`FilePadding`).
    pub prealloc: u64,
    pub accepted_epoch: Option<u32>,
    pub current_epoch: Option<u32>,
    /// Txns appended since the last log roll (`ZKDatabase.txnCount`; a new
    /// process starts at 0).
    pub txns_since_roll: u64,
    pub snapshots_taken: u64,
    /// Appends whose zxid was not above the previous one (should stay 0).
    pub non_increasing_appends: u64,
    /// Appends with the forbidden counter 0xffffffff (should stay 0).
    pub rollover_appends: u64,
}

impl Default for Disk {
    fn default() -> Self {
        Disk {
            log: Seq::new(),
            flushed: 0,
            files: LogFiles::default(),
            snapshots: Vec::new(),
            prealloc: sizes::DEFAULT_PREALLOC,
            accepted_epoch: None,
            current_epoch: None,
            txns_since_roll: 0,
            snapshots_taken: 0,
            non_increasing_appends: 0,
            rollover_appends: 0,
        }
    }
}

/// Why `FileTxnLog.truncate` gave up (`IOException`).
pub const NOTHING_TO_TRUNCATE: &str = "No log files found to truncate! This could happen if you still have snapshots from an old setup or log files were deleted accidentally or dataLogDir was changed in zoo.cfg.";

impl Disk {
    pub fn last_logged_zxid(&self) -> Option<Zxid> {
        self.log.last().map(|t| t.zxid)
    }

    /// `FileTxnLog.append` (and `ZKDatabase.append`'s count). Returns the
    /// zxid of the log file this append created, if it created one.
    pub fn append(&mut self, txn: impl Into<Arc<Txn>>) -> Option<Zxid> {
        let txn: Arc<Txn> = txn.into();
        if let Some(last) = self.last_logged_zxid() {
            if txn.zxid <= last {
                self.non_increasing_appends += 1;
            }
        }
        if txn.zxid.counter() == crate::zxid::ROLLOVER_COUNTER {
            self.rollover_appends += 1;
        }
        let created = self.files.on_append(self.log.len(), &txn, self.prealloc);
        self.log.push(txn);
        self.txns_since_roll += 1;
        created
    }

    /// `ZKDatabase.rollLog`: the next append opens a new file, and the
    /// count toward the next snapshot starts again.
    pub fn roll(&mut self) {
        self.files.roll();
        self.txns_since_roll = 0;
    }

    pub fn unflushed(&self) -> usize {
        self.log.len() - self.flushed
    }

    pub fn flush_to(&mut self, len: usize) {
        self.flushed = self.flushed.max(len.min(self.log.len()));
    }

    /// A process kill (`kill -9`): the JVM's buffers are gone, the OS's
    /// survive. `written` is how much of the log reached the OS: the txns
    /// of every fsync begun (`FileTxnLog.commit` flushes its stream before
    /// it forces the channel; `rollLog` flushes the older file). Txns after
    /// it were still in the `SyncRequestProcessor`'s queue, never written,
    /// so a file they would have opened never existed. What survives is
    /// then as good as fsynced: the OS writes it back. The next process
    /// opens a new file and counts txns from 0.
    pub fn kill(&mut self, written: usize) {
        let written = written.clamp(self.flushed, self.log.len());
        self.files.shorten(&self.log, written, true);
        self.log.truncate(written);
        self.flushed = written;
        self.after_restart();
    }

    /// A power loss: only what was fsynced survives. A log file none of
    /// whose txns was fsynced was never fsynced at all (a file is created
    /// by its first txn's append), so it is gone too. (A real file system
    /// may keep such a file, empty, when a periodic journal commit wrote
    /// its metadata; ZooKeeper then starts reading at it by name and skips
    /// older-named files logged later. Not modelled: `bench/README.md`.)
    pub fn lose_power(&mut self) {
        let flushed = self.flushed;
        self.files.shorten(&self.log, flushed, true);
        self.log.truncate(flushed);
        self.after_restart();
    }

    fn after_restart(&mut self) {
        self.files.roll();
        self.txns_since_roll = 0;
    }

    /// Takes back the txns from `len` on, which a log writer still held in
    /// its queue (bug museum, ZOOKEEPER-4712): they were never written, so
    /// a file they would have opened never existed.
    pub fn take_back_tail(&mut self, len: usize) -> Vec<Arc<Txn>> {
        let tail: Vec<Arc<Txn>> = self.log.iter_from(len).cloned().collect();
        self.files.shorten(&self.log, len, true);
        self.log.truncate(len);
        self.flushed = self.flushed.min(len);
        tail
    }

    /// `FileTxnSnapLog.save`: a snapshot file of `tree` at its last zxid;
    /// `config_len` is `/zookeeper/config`'s data length
    /// ([`sizes::config_node_bytes`]).
    pub fn take_snapshot(&mut self, tree: &DataTree, ghost_delivered: usize, config_len: u64) {
        let snap = Snapshot {
            zxid: tree.last_processed_zxid,
            bytes: sizes::snapshot_bytes(tree, config_len),
            tree: Arc::new(tree.clone()),
            ghost_delivered,
        };
        self.snapshots.retain(|s| s.zxid != snap.zxid);
        let at = self.snapshots.partition_point(|s| s.zxid < snap.zxid);
        self.snapshots.insert(at, snap);
        self.snapshots_taken += 1;
    }

    /// `FileSnap.findMostRecentSnapshot`: the newest snapshot file.
    pub fn newest_snapshot(&self) -> Option<&Snapshot> {
        self.snapshots.last()
    }

    /// `FileTxnLog.read(zxid, fastForward)`: what a `FileTxnIterator` opens.
    pub fn read(&self, zxid: Zxid, fast_forward: bool) -> LogRead {
        self.files.read(&self.log, zxid, fast_forward)
    }

    /// The txns a reader returns, in order.
    pub fn read_txns<'a>(&'a self, read: &LogRead) -> impl Iterator<Item = &'a Arc<Txn>> + 'a {
        self.files.txns(&self.log, read)
    }

    /// `FileTxnSnapLog.truncateLog` → `FileTxnLog.truncate`: a reader
    /// fast-forwarded to `zxid` stops at the first txn at or above it; its
    /// file is cut right after that txn, every newer file deleted, and the
    /// log reopened (the next append starts a file). `Err` when the log has
    /// no such txn (ZooKeeper's `IOException`). Returns the removed txns'
    /// ids. **Differs:** snapshot files newer than `zxid` are deleted too
    /// (ZooKeeper 3.8 leaves them; see docs/PROTOCOL.md §9).
    ///
    /// When the log lacks `zxid` itself, ZooKeeper keeps the txn the reader
    /// stopped at, above `zxid` (the finding "TRUNC to a zxid the learner
    /// lacks", docs/FINDINGS.md §3). `at_or_below` (the counter-variant
    /// `fix_truncate_at_or_below`, not ZooKeeper) cuts that txn too, so
    /// only txns at or below `zxid` stay.
    pub fn truncate_log(
        &mut self,
        zxid: Zxid,
        at_or_below: bool,
    ) -> Result<Vec<TxnId>, &'static str> {
        let read = self.read(zxid, true);
        let Some(at) = read.at else {
            return Err(NOTHING_TO_TRUNCATE);
        };
        let Some(file) = (0..self.files.files.len())
            .find(|&i| self.files.range(i, self.log.len()).contains(&at))
        else {
            return Err(NOTHING_TO_TRUNCATE);
        };
        let above = self.log.get(at).is_some_and(|t| t.zxid > zxid);
        let keep = if at_or_below && above { at } else { at + 1 };
        let removed: Vec<TxnId> = self.log.iter_from(keep).map(|t| t.id()).collect();
        self.files.cut_file(&self.log, file, keep);
        self.log.truncate(keep);
        self.flushed = self.flushed.min(keep);
        self.files.roll();
        self.snapshots.retain(|s| s.zxid <= zxid);
        Ok(removed)
    }

    /// Drops the logged txns at or below `zxid`, which a snapshot covers
    /// (the `fix_discard_log_on_snap` counter-variant only): files left
    /// without txns are deleted. Returns how many txns went.
    pub fn discard_log_through(&mut self, zxid: Zxid) -> usize {
        let k = self.log.partition_point(|t| t.zxid <= zxid);
        self.drop_log_prefix(k);
        k
    }

    /// The first `k` txns of the log are gone with their files.
    fn drop_log_prefix(&mut self, k: usize) {
        self.files.drop_prefix(&self.log, k);
        let mut rest = Seq::new();
        for t in self.log.iter_from(k) {
            rest.push(t.clone());
        }
        self.flushed = self.flushed.saturating_sub(k);
        self.log = rest;
    }

    /// `PurgeTxnLog.purge(dataDir, snapDir, retain)`: keep the `retain`
    /// newest snapshots (`findNRecentSnapshots`: all of them when there
    /// are fewer), the log file that starts at or before the oldest of
    /// them and every later file; delete the older files
    /// (`purgeOlderSnapshots`). Returns how many txns left the log (their
    /// files went) and the removed file names. ZooKeeper refuses `retain`
    /// below 3; the caller checks.
    pub fn purge(&mut self, retain: usize) -> (usize, Vec<String>) {
        if retain == 0 || self.snapshots.is_empty() {
            return (0, Vec::new());
        }
        let least = self.snapshots[self.snapshots.len().saturating_sub(retain)].zxid;
        // `getSnapshotLogs(least)`: from the newest file named at or below it.
        let from = self
            .files
            .files
            .iter()
            .map(|f| f.first_zxid)
            .filter(|&z| z <= least)
            .max()
            .unwrap_or(Zxid::ZERO);
        let mut removed: Vec<String> = Vec::new();
        let old: Vec<usize> = (0..self.files.files.len())
            .filter(|&i| self.files.files[i].first_zxid < from)
            .collect();
        // Files are created in zxid order, so the old ones are a prefix.
        let k = old
            .iter()
            .map(|&i| self.files.range(i, self.log.len()).end)
            .max()
            .unwrap_or(0);
        removed.extend(old.iter().map(|&i| self.files.files[i].name()));
        self.drop_log_prefix(k);
        self.files.files.retain(|f| f.first_zxid >= from);
        removed.extend(
            self.snapshots
                .iter()
                .filter(|s| s.zxid < least)
                .map(Snapshot::name),
        );
        self.snapshots.retain(|s| s.zxid >= least);
        (k, removed)
    }

    /// Rebuild the tree: newest snapshot, then every logged txn after it
    /// (`FileTxnSnapLog.restore` → `fastForwardFromEdits`). Returns the
    /// tree, how many of its applied txns the snapshot had delivered
    /// (checks only), and the txns replayed.
    pub fn restore(&self) -> (DataTree, usize, Vec<Arc<Txn>>) {
        let (mut tree, delivered) = match self.newest_snapshot() {
            Some(s) => ((*s.tree).clone(), s.ghost_delivered),
            None => (DataTree::new(), 0),
        };
        let replay = self.txns_after_shared(tree.last_processed_zxid);
        let mut replayed = Vec::new();
        for txn in replay {
            if txn.zxid > tree.last_processed_zxid {
                tree.apply(&txn);
                replayed.push(txn);
            }
        }
        (tree, delivered, replayed)
    }

    /// Logged txns above `zxid`, in order, as `FileTxnLog.read(zxid + 1)`
    /// returns them (restore, fast-forward).
    pub fn txns_after_shared(&self, zxid: Zxid) -> Vec<Arc<Txn>> {
        let read = self.read(Zxid(zxid.0.saturating_add(1)), true);
        self.read_txns(&read).cloned().collect()
    }

    /// The log files as `ls -l` shows them, oldest first.
    pub fn log_files(&self) -> Vec<LogFileView> {
        let n = self.files.files.len();
        (0..n)
            .map(|i| {
                let f = &self.files.files[i];
                let r = self.files.range(i, self.log.len());
                LogFileView {
                    name: f.name(),
                    first: self
                        .log
                        .get(r.start)
                        .filter(|_| !r.is_empty())
                        .map(|t| t.zxid),
                    last: r
                        .end
                        .checked_sub(1)
                        .filter(|_| !r.is_empty())
                        .and_then(|e| self.log.get(e))
                        .map(|t| t.zxid),
                    txns: r.len(),
                    length: f.length,
                    written: f.written,
                    current: self.files.open && i + 1 == n,
                }
            })
            .collect()
    }

    /// The size of `version-2` (`dataDirSize` / `dataLogSize`; one
    /// directory holds both): log files, snapshot files and the two epoch
    /// files (the epoch in decimal).
    pub fn dir_bytes(&self) -> u64 {
        let epoch = |e: Option<u32>| e.map_or(0, |e| e.to_string().len() as u64);
        self.files.files.iter().map(|f| f.length).sum::<u64>()
            + self.snapshots.iter().map(|s| s.bytes).sum::<u64>()
            + epoch(self.accepted_epoch)
            + epoch(self.current_epoch)
    }
}

#[cfg(test)]
mod tests;
