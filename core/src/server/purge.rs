//! The autopurge task: `DatadirCleanupManager` scheduling `PurgeTxnLog.purge`
//! every `autopurge.purgeInterval` hours, keeping the newest
//! `autopurge.snapRetainCount` snapshots and the txn log files that may hold
//! txns after the oldest of them (which files go is
//! [`crate::storage::Disk::purge`]'s).
//!
//! Contract:
//! - Off (`purgeInterval` 0, the default) it does nothing at all: no log
//!   line, no timer, so runs without autopurge are the runs they always
//!   were. ZooKeeper logs its `autopurge.*` lines and `Purge task is not
//!   scheduled.` at every start; the model leaves them out when off.
//! - On, the task belongs to the process (`QuorumPeerMain` starts it
//!   before `QuorumPeer` loads its database): it runs once at process
//!   start (`scheduleAtFixedRate(task, 0, interval)`), then every interval
//!   of virtual time, whatever the role; a role change never stops it
//!   (`stop_role` keeps its timer), a crash does (the process is gone).
//!   A GC pause holds it like every other input of the server.
//! - A purge only removes what no restore needs: the newest snapshot and
//!   every logged txn after it stay, so the tree, the vote and the checks'
//!   view of the log are unchanged. What changes is what a later sync can
//!   read from the txn log (`getProposalsFromTxnLog`): a learner behind the
//!   oldest kept log file gets a SNAP.
//! - Log positions held elsewhere (queued fsync releases, a learner's
//!   NEWLEADER fsync wait) are renumbered after the purge.
//!
//! The `Removing file:` line omits the file's date and directory
//! (`DateFormat` of its `lastModified`, the dataDir path): a simulated disk
//! has neither.

use super::{Level, Server, TimerKind};

/// One virtual hour, the unit of `autopurge.purgeInterval`.
pub const HOUR_MS: u64 = 3_600_000;

impl Server {
    /// `QuorumPeerConfig`'s check and `DatadirCleanupManager.start`, at
    /// process start (before the database is loaded). Nothing when off.
    pub(super) fn start_purge_task(&mut self) {
        let interval = self.cfg.autopurge_purge_interval;
        if interval == 0 {
            return;
        }
        let configured = self.cfg.autopurge_snap_retain_count;
        let retain = self.cfg.snap_retain_count();
        if configured != retain {
            self.log(
                Level::Warn,
                "QuorumPeerConfig",
                format!("Invalid autopurge.snapRetainCount: {configured}. Defaulting to {retain}"),
            );
        }
        self.log(
            Level::Info,
            "DatadirCleanupManager",
            format!("autopurge.snapRetainCount set to {retain}"),
        );
        self.log(
            Level::Info,
            "DatadirCleanupManager",
            format!("autopurge.purgeInterval set to {interval}"),
        );
        self.purge_task();
    }

    /// `DatadirCleanupManager.PurgeTask.run`: `PurgeTxnLog.purge`, then
    /// the next run one interval later.
    pub(super) fn purge_task(&mut self) {
        self.log(
            Level::Info,
            "DatadirCleanupManager",
            "Purge task started.".to_string(),
        );
        let retain = self.cfg.snap_retain_count() as usize;
        let (dropped, removed) = self.disk.purge(retain);
        for name in removed {
            self.log(
                Level::Info,
                "PurgeTxnLog",
                format!("Removing file: version-2/{name}"),
            );
        }
        if dropped > 0 {
            self.after_log_prefix_dropped(dropped);
            if let super::Role::Learner(l) = &mut self.role {
                l.newleader_flush_upto = l.newleader_flush_upto.saturating_sub(dropped);
            }
        }
        self.log(
            Level::Info,
            "DatadirCleanupManager",
            "Purge task completed.".to_string(),
        );
        self.set_timer(
            TimerKind::Purge,
            self.cfg.autopurge_purge_interval * HOUR_MS,
        );
    }
}
