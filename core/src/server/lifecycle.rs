//! The process and its role changes (`QuorumPeer`): start
//! (`QuorumPeer.start` → `loadDataBase` → the first `lookForLeader`),
//! crash, leaving a role back to LOOKING (`Leader.shutdown` /
//! `Learner.shutdown`, `ZooKeeperServer.shutdown`, then `QuorumPeer.run`'s
//! next loop) and exit (`ServiceUtils.requestSystemExit`).
//!
//! It owns which role runs and what survives a change; it never decides
//! *when* a role ends (the roles call `leave_role`) and never
//! reads the disk beyond what `loadDataBase` reads.

use std::sync::Arc;

use super::database::AfterFlush;
use super::{ConnId, Level, Output, Role, Server, TimerKind, MIN_COMMIT_LOG_COUNT};
use crate::proto::{ServerState, SyncMode, Vote, ZabState};
use crate::rng::Pcg32;
use crate::txn::Txn;
use crate::zxid::Zxid;

impl Server {
    /// `QuorumPeer.start`: load the database, then look for a leader.
    pub(super) fn start(&mut self, entropy: u64) {
        let sid = self.sid();
        let now = self.now;
        *self = Server {
            disk: std::mem::take(&mut self.disk),
            ..Server::new(self.cfg.clone())
        };
        self.now = now;
        self.rng = Pcg32::new(entropy, sid as u64);
        self.started_ms = self.now;
        self.log(
            Level::Info,
            "QuorumPeerMain",
            format!("Starting quorum peer, myid={sid}"),
        );
        if self.cfg.configured_commit_log_count < MIN_COMMIT_LOG_COUNT {
            self.log(
                Level::Warn,
                "ZKDatabase",
                format!(
                    "The configured commitLogCount {} is less than the recommended {}, going to use the recommended one",
                    self.cfg.configured_commit_log_count, MIN_COMMIT_LOG_COUNT
                ),
            );
        }
        // `new ZKDatabase`: the factor for the txn-log sync path.
        if self.cfg.snapshot_size_factor_pct != self.cfg.size_factor_pct() {
            self.log(
                Level::Warn,
                "ZKDatabase",
                "The configured zookeeper.snapshotSizeFactor is invalid, going to use the default 0.33"
                    .to_string(),
            );
        }
        self.log(
            Level::Info,
            "ZKDatabase",
            format!(
                "zookeeper.snapshotSizeFactor = {}",
                super::config::java_factor(self.cfg.size_factor_pct())
            ),
        );
        self.start_purge_task();
        if let Err(msg) = self.load_data_base() {
            self.start_failure = Some(msg);
            return;
        }
        self.next_session_id = ((sid as u64) << 56) | ((self.now & 0xff_ffff_ffff) << 16);
        self.reset_rand_roll();
        self.running = true;
        self.log(
            Level::Info,
            "FastLeaderElection",
            "zookeeper.fastleader.minNotificationInterval = 200 ms".to_string(),
        );
        self.current_vote = Vote {
            leader: sid as i64,
            zxid: self.last_logged_zxid().0 as i64,
            round: 0,
            peer_epoch: self.current_epoch() as i64,
            state: ServerState::Looking,
        };
        self.stats_config_written();
        self.log(Level::Info, "QuorumPeer", "LOOKING".to_string());
        self.stats_looking();
        self.look_for_leader();
    }

    /// `QuorumPeer.loadDataBase`: the tree from the snapshot and the log,
    /// then the epoch files (created with 0 when missing), which must agree
    /// with each other and with the last zxid. `Err` is why the process
    /// refuses to start (logged here).
    fn load_data_base(&mut self) -> Result<(), String> {
        self.reload_database();
        if self.disk.current_epoch.is_none() {
            self.log(Level::Info, "QuorumPeer", "currentEpoch not found! Creating with a reasonable default of 0. This should only happen when you are upgrading your installation".to_string());
            self.disk.current_epoch = Some(0);
        }
        if self.disk.accepted_epoch.is_none() {
            self.log(Level::Info, "QuorumPeer", "acceptedEpoch not found! Creating with a reasonable default of 0. This should only happen when you are upgrading your installation".to_string());
            self.disk.accepted_epoch = Some(0);
        }
        let (accepted, current) = (self.accepted_epoch(), self.current_epoch());
        if self.tree.last_processed_zxid.epoch() > current
            && self.cfg.variant("fix_drop_unacked_epoch_at_load")
        {
            self.drop_unacked_epoch(current);
        }
        let msg = if accepted < current {
            format!("The accepted epoch, {accepted} is less than the current epoch, {current}")
        } else if self.tree.last_processed_zxid.epoch() > current {
            format!(
                "The current epoch, {current}, is older than the last zxid, {}",
                // A long: ZooKeeper prints it in decimal.
                self.tree.last_processed_zxid.0
            )
        } else {
            return Ok(());
        };
        self.log(
            Level::Error,
            "QuorumPeer",
            format!("Unable to load database on disk\njava.io.IOException: {msg}"),
        );
        Err(msg)
    }

    /// The counter-variant `fix_drop_unacked_epoch_at_load` (not
    /// ZooKeeper; docs/FINDINGS.md §5): txns of an epoch above
    /// `currentEpoch` can only have been logged at a NEWLEADER this server
    /// never ACKed (it persists `currentEpoch` before its ACK), so nobody
    /// counted them; they are cut from the log, not refused at start-up.
    fn drop_unacked_epoch(&mut self, current: u32) {
        let cut = Zxid::epoch_start(current + 1);
        if self.disk.truncate_log(cut, true).is_ok() {
            self.log(
                Level::Warn,
                "QuorumPeer",
                format!("Dropping the txns above {cut}: logged for an epoch never acknowledged (currentEpoch {current})"),
            );
            self.reload_database();
        }
    }

    /// The process is killed (`kill -9`), or with `power_loss` its machine
    /// loses power: everything but the disk is lost, and of the log what
    /// had not reached the OS (a kill: the txns queued behind the fsync in
    /// flight) or had not been fsynced (a power loss).
    pub fn crash(&mut self, power_loss: bool) {
        if power_loss {
            self.disk.lose_power();
        } else {
            let written = match self.flush_in_flight {
                Some(upto) => upto.min(self.flush_cap),
                None => self.disk.flushed,
            };
            self.disk.kill(written);
        }
        let disk = std::mem::take(&mut self.disk);
        *self = Server {
            disk,
            ..Server::new(self.cfg.clone())
        };
    }

    /// Leave the current role (`Leader.shutdown` / `Learner.shutdown` +
    /// `ZooKeeperServer.shutdown`), then look for a leader again.
    pub(super) fn leave_role(&mut self, clear_tree: bool) {
        self.stop_role();
        self.shutdown_zk_server(clear_tree);
        self.set_looking();
    }

    /// `Leader.shutdown` / `Learner.shutdown`: the quorum connections close,
    /// the role's timers stop, and its log writer sends no more ACKs.
    fn stop_role(&mut self) {
        let conns: Vec<ConnId> = match &self.role {
            Role::Leader(l) => l.handlers.keys().copied().collect(),
            Role::Learner(l) => l.conn.into_iter().collect(),
            Role::None => Vec::new(),
        };
        for conn in conns {
            self.out.push(Output::Close { conn });
        }
        let was_learner = matches!(self.role, Role::Learner(_));
        self.role = Role::None;
        self.label_ahead_of = None;
        // The purge task is the process's, not the role's.
        self.timers.retain(|k, _| *k == TimerKind::Purge);
        // The log writer of the old role stops: no more ACKs from it.
        for entry in self.to_flush.iter_mut() {
            entry.2 = AfterFlush::Nothing;
        }
        // Bug museum: before ZOOKEEPER-4712's fix, `Learner.shutdown` did not
        // stop and drain the `SyncRequestProcessor`. While it waits on an
        // fsync, the txns behind it are still in its queue, not in the log,
        // so the fast-forward below cannot see them; the writer appends
        // them later.
        if was_learner && self.cfg.variant("bug_zk4712_stale_log_writer") {
            if let Some(written) = self.flush_in_flight {
                if self.disk.log.len() > written {
                    let queued: Vec<Arc<Txn>> = self.disk.take_back_tail(written);
                    self.to_flush.retain(|(len, _, _, _)| *len <= written);
                    self.stale_writer.extend(queued);
                }
            }
        }
    }

    /// `ZooKeeperServer.shutdown`: clients are closed, the requests in the
    /// pipeline dropped; the tree is reloaded from disk (`clear_tree`, a
    /// learner that stopped mid-SNAP) or fast-forwarded over the logged
    /// tail.
    fn shutdown_zk_server(&mut self, clear_tree: bool) {
        self.close_all_clients("ZooKeeperServer not running");
        self.book.in_process.clear();
        self.book.read_paths.clear();
        self.book.new_sessions.clear();
        self.book.cnxn.clear();
        self.book.sync_started_ms = None;
        self.pending_replies.clear();
        self.session_order.clear();
        self.learner_syncs.clear();
        self.serving = false;
        if clear_tree {
            self.reload_database();
        } else if !self.cfg.variant("bug_zk2845_no_fast_forward") {
            // ZOOKEEPER-2845: before 722ba9409, `ZooKeeperServer.shutdown`
            // did not fast-forward, so lastProcessedZxid (the next vote and
            // ACKEPOCH) could lag behind the logged tail.
            self.fast_forward();
        }
    }

    /// `QuorumPeer.setPeerState(LOOKING)` and the next turn of
    /// `QuorumPeer.run`: look for a leader (an observer after
    /// `zookeeper.observer.election.DelayMs`).
    fn set_looking(&mut self) {
        self.sync_mode = SyncMode::None;
        self.state = ServerState::Looking;
        self.zab_state = ZabState::Election;
        self.log(
            Level::Info,
            "QuorumPeer",
            "Peer state changed: looking".to_string(),
        );
        self.log(
            Level::Warn,
            "QuorumPeer",
            "PeerState set to LOOKING".to_string(),
        );
        self.log(Level::Info, "QuorumPeer", "LOOKING".to_string());
        self.stats_looking();
        if self.cfg.is_observer() {
            let delay = self.rng.below(200) as u64;
            self.set_timer(TimerKind::ObserverDelay, delay);
        } else {
            self.look_for_leader();
        }
    }

    /// The process exits (`ServiceUtils.requestSystemExit`).
    pub(super) fn exit(&mut self, reason: String) {
        self.log(
            Level::Error,
            "ServiceUtils",
            format!("Exiting JVM with code 13: {reason}"),
        );
        self.out.push(Output::Exit { reason });
    }
}
