//! `Learner.syncWithLeader`: the first packet picks DIFF, SNAP or TRUNC;
//! PROPOSAL and COMMIT are collected (`packetsNotCommitted`,
//! `packetsCommitted`); NEWLEADER snapshots, logs the committed sync txns,
//! persists currentEpoch and ACKs (after their fsync); UPTODATE ACKs,
//! serves and hands what is still pending to the broadcast pipeline.
//!
//! It owns the learner's sync-time state; it never answers a client and
//! never ACKs a single proposal before the NEWLEADER ACK (unless a bug
//! museum flag restores that old behaviour).

use std::collections::VecDeque;
use std::sync::Arc;

use super::LearnerPhase;
use crate::proto::{Packet, SnapData, SyncMode, ZabState};
use crate::server::{AfterFlush, GhostEvent, Level, Server, TimerKind};
use crate::txn::Txn;
use crate::zxid::Zxid;

impl Server {
    /// The first packet of `syncWithLeader` picks the sync: DIFF, SNAP or
    /// TRUNC (anything else ends the process); then the learner collects
    /// the sync's proposals.
    pub(super) fn learner_sync_start(&mut self, packet: Packet) {
        let leader = self.learner().map_or(0, |l| l.leader);
        let mode = match packet {
            Packet::Diff { zxid } => self.sync_diff(zxid),
            Packet::Snap { zxid, data } => self.sync_snap(zxid, &data),
            Packet::Trunc { zxid } => match self.sync_trunc(zxid) {
                Some(mode) => mode,
                None => return,
            },
            other => {
                self.exit(format!(
                    "Got unexpected packet from leader: {}, exiting ... ",
                    other.name()
                ));
                return;
            }
        };
        // `ZKDatabase.initConfigInZKDatabase` after any of the three.
        self.stats_config_written();
        self.ghost(GhostEvent::Synced { leader, mode });
        if let Some(l) = self.learner_mut() {
            l.snapshot_needed = mode != SyncMode::Diff;
            l.write_to_txn_log = mode == SyncMode::Diff;
            l.phase = LearnerPhase::Syncing;
        }
    }

    /// DIFF: the txns that follow are applied on top of our tree.
    fn sync_diff(&mut self, zxid: Zxid) -> SyncMode {
        self.log(
            Level::Info,
            "Learner",
            format!("Getting a diff from the leader 0x{:x}", zxid.0),
        );
        self.set_sync_mode(SyncMode::Diff);
        // ZOOKEEPER-2355: before 697101810 `Learner.syncWithLeader`
        // set lastProcessedZxid from the DIFF packet too, before any
        // of the txns it announces had been applied.
        if self.cfg.variant("bug_zk2355_early_last_processed")
            && zxid > self.tree.last_processed_zxid
        {
            self.label_ahead_of = Some(self.tree.last_processed_zxid);
            self.tree.last_processed_zxid = zxid;
        }
        SyncMode::Diff
    }

    /// SNAP: the leader's tree replaces ours (`deserializeSnapshot`).
    fn sync_snap(&mut self, zxid: Zxid, data: &SnapData) -> SyncMode {
        self.log(
            Level::Info,
            "Learner",
            format!("Getting a snapshot from leader 0x{:x}", zxid.0),
        );
        self.set_sync_mode(SyncMode::Snap);
        let SnapData {
            tree,
            ghost_delivered,
        } = data.clone();
        self.tree = tree;
        self.tree.last_processed_zxid = zxid;
        self.ghost_delivered = ghost_delivered;
        self.committed_log.clear();
        SyncMode::Snap
    }

    /// TRUNC: the log is cut back to `zxid` and the tree reloaded from it;
    /// `None` when the log cannot be cut (the process exits).
    fn sync_trunc(&mut self, zxid: Zxid) -> Option<SyncMode> {
        self.log(
            Level::Warn,
            "Learner",
            format!(
                "Truncating log to get in sync with the leader 0x{:x}",
                zxid.0
            ),
        );
        self.set_sync_mode(SyncMode::Trunc);
        let Ok(removed) = self.truncate_log(zxid) else {
            self.log(
                Level::Error,
                "Learner",
                format!("Not able to truncate the log 0x{:x}", zxid.0),
            );
            self.exit(format!("Not able to truncate the log 0x{:x}", zxid.0));
            return None;
        };
        self.ghost(GhostEvent::Truncated { removed });
        self.reload_database();
        Some(SyncMode::Trunc)
    }

    /// `syncWithLeader`'s read loop after the first packet.
    pub(super) fn learner_sync_packet(&mut self, packet: Packet) {
        match packet {
            Packet::Proposal { txn } => self.sync_proposal(txn),
            Packet::Commit { zxid } => self.sync_commit(zxid),
            Packet::Inform { txn } => self.sync_inform(txn),
            Packet::NewLeader { zxid } => self.learner_newleader(zxid),
            Packet::UpToDate => self.learner_uptodate(),
            Packet::Ping { .. } => {}
            other => {
                let text = format!("Unexpected packet {} during sync", other.name());
                self.log(Level::Warn, "Learner", text);
                self.ghost(GhostEvent::Inconsistent {
                    kind: "stateInconsistent",
                    zxid: other.zxid(),
                });
            }
        }
    }

    /// PROPOSAL during sync: into `packetsNotCommitted` (a gap in the
    /// zxids is only warned about).
    fn sync_proposal(&mut self, txn: Arc<Txn>) {
        let warn = {
            let Some(l) = self.learner_mut() else {
                return;
            };
            let expected = l.sync_last_queued.next();
            l.sync_last_queued = txn.zxid;
            let z = txn.zxid;
            l.not_committed.push_back(txn);
            (expected != z).then_some((z, expected))
        };
        if let Some((z, e)) = warn {
            self.log(
                Level::Warn,
                "Learner",
                format!("Got zxid 0x{:x} expected 0x{:x}", z.0, e.0),
            );
        }
    }

    /// COMMIT during sync: applied at once before NEWLEADER (SNAP/TRUNC),
    /// else remembered in `packetsCommitted`.
    fn sync_commit(&mut self, zxid: Zxid) {
        let flush_all = self.cfg.variant("bug_zk4394_flush_all_at_newleader");
        let Some(l) = self.learner_mut() else {
            return;
        };
        // `syncWithLeader` dereferences `packetsNotCommitted.peekFirst()`
        // first: with nothing pending it throws a NullPointerException
        // and `followLeader` gives up on the leader. Only the bug
        // museum's NEWLEADER flush leaves a COMMIT with nothing pending.
        if flush_all && l.not_committed.is_empty() {
            self.ghost(GhostEvent::Inconsistent {
                kind: "commitInconsistent",
                zxid,
            });
            self.learner_lost_leader(format!(
                "java.lang.NullPointerException (COMMIT 0x{:x} with no pending proposal)",
                zxid.0
            ));
            return;
        }
        if l.write_to_txn_log {
            l.committed.push_back(zxid);
            return;
        }
        match l.not_committed.front() {
            Some(t) if t.zxid == zxid => {
                let t = l.not_committed.pop_front();
                if let Some(t) = t {
                    // Delivered only at UPTODATE (see there).
                    self.apply_txn(&t, false);
                }
            }
            front => {
                let next = front.map_or(Zxid::ZERO, |t| t.zxid);
                self.log(
                    Level::Warn,
                    "Learner",
                    format!(
                        "Committing 0x{:x}, but next proposal is 0x{:x}",
                        zxid.0, next.0
                    ),
                );
            }
        }
    }

    /// INFORM during sync (an observer): a proposal and its commit at once.
    fn sync_inform(&mut self, txn: Arc<Txn>) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        if !l.write_to_txn_log {
            self.apply_txn(&txn, false);
        } else {
            l.committed.push_back(txn.zxid);
            l.not_committed.push_back(txn);
        }
    }

    /// NEWLEADER, in ZooKeeper's order (see the `learner` module doc): (1) the
    /// snapshot, the read timeout becomes `syncLimit`, (2) a follower logs
    /// and applies the committed sync txns, then (3) and (5) in
    /// `learner_newleader_ack`, at once or after their fsync.
    fn learner_newleader(&mut self, zxid: Zxid) {
        self.log(
            Level::Info,
            "Learner",
            "Learner received NEWLEADER message".to_string(),
        );
        let Some(l) = self.learner() else {
            return;
        };
        if l.phase != LearnerPhase::Syncing {
            self.ghost(GhostEvent::Inconsistent {
                kind: "stateInconsistent",
                zxid,
            });
            return;
        }
        let (snapshot_needed, observer) = (l.snapshot_needed, l.observer);
        if snapshot_needed {
            self.newleader_snapshot();
        }
        let sync_timeout = self.cfg.sync_timeout_ms();
        let now = self.now;
        let mut rearm = 0;
        if let Some(l) = self.learner_mut() {
            l.write_to_txn_log = true;
            l.read_timeout_ms = sync_timeout;
            l.newleader_zxid = zxid;
            rearm = (l.last_recv_ms + sync_timeout).saturating_sub(now).max(1);
        }
        // sock.setSoTimeout(syncLimit * tickTime)
        self.set_timer(TimerKind::LearnerRead, rearm);
        self.sync_mode = SyncMode::None;
        // `zk.startupWithoutServing()`: the role's `SyncRequestProcessor`
        // starts and draws its roll threshold.
        self.reset_rand_roll();
        // ZOOKEEPER-3911 (and before it ZOOKEEPER-1282): `Learner.syncWithLeader`
        // left the committed sync txns in packetsNotCommitted/packetsCommitted
        // until UPTODATE, so the NEWLEADER ACK vouched for txns only held in
        // memory.
        let log_at_uptodate = self.cfg.variant("bug_zk3911_log_diff_after_uptodate")
            || self.cfg.variant("bug_zk1282_epoch_at_uptodate");
        if !observer && !log_at_uptodate && !self.newleader_log_committed() {
            return;
        }
        self.learner_newleader_ack();
    }

    /// NEWLEADER step (1), after SNAP or TRUNC: snapshot the synced tree.
    fn newleader_snapshot(&mut self) {
        self.take_snapshot();
        // Not ZooKeeper (a counter-variant, see docs/MUSEUM.md's
        // "ZabLab finding"): a SNAP supersedes the whole txn log, as in
        // Raft. ZooKeeper keeps the old log files, uncommitted txns of
        // an abandoned epoch included, and a later txn-log sync
        // (`ZKDatabase.getProposalsFromTxnLog`) can read them back.
        if self.sync_mode == SyncMode::Snap && self.cfg.variant("fix_discard_log_on_snap") {
            let z = self.tree.last_processed_zxid;
            self.discard_log_through(z);
        }
    }

    /// NEWLEADER step (2), a follower: log and apply the sync txns already
    /// committed. Returns whether the NEWLEADER ACK may go now: false when
    /// it waits for their fsync (the learner thread blocks) or the learner
    /// role ended meanwhile.
    fn newleader_log_committed(&mut self) -> bool {
        // Bug museum: `Learner.syncWithLeader` before ZOOKEEPER-4785
        // persisted currentEpoch first, then wrote the sync txns.
        if self.cfg.variant("bug_zk4643_epoch_before_log") {
            let epoch = self.learner().map_or(0, |l| l.new_epoch);
            self.set_current_epoch(epoch);
        }
        // Bug museum: before ZOOKEEPER-4394's fix, every pending sync
        // proposal, committed or not, went to the log at NEWLEADER and
        // left `packetsNotCommitted`.
        let flush_all = self.cfg.variant("bug_zk4394_flush_all_at_newleader");
        // Bug museum: before ZOOKEEPER-4785, the sync txns went through
        // `FollowerZooKeeperServer.logRequest` (the asynchronous
        // `SyncRequestProcessor`): the NEWLEADER ACK did not wait for
        // their fsync (4646), and their own ACKs could precede it (4685).
        let async_log = self.cfg.variant("bug_zk4646_ack_before_fsync");
        let ack_each = self
            .cfg
            .variant("bug_zk4685_ack_proposal_before_newleader_ack");
        // Bug museum: 3.9.3 applied the DIFF sync txns without
        // `ZKDatabase.addCommittedProposal` (ZOOKEEPER-4925).
        let in_window = !self.cfg.variant("bug_zk4925_sync_txns_skip_committed_log");
        let conn = self.learner().and_then(|l| l.conn).unwrap_or(0);
        loop {
            if self.learner().is_none() {
                return false;
            }
            let Some((t, committed)) = self.pop_sync_txn(flush_all) else {
                break;
            };
            if async_log {
                self.log_txn(t.clone(), AfterFlush::Nothing);
            } else if ack_each {
                self.log_txn(t.clone(), AfterFlush::FollowerAck { conn });
            } else {
                self.append_to_log(t.clone());
            }
            if committed {
                self.apply_txn_window(&t, false, in_window);
            } else if let Some(l) = self.learner_mut() {
                // 4394: logged like `FollowerZooKeeperServer.logRequest`,
                // so its COMMIT is expected in `pendingTxns`.
                l.pending_txns.push_back(t);
            }
        }
        if self.disk.unflushed() > 0 && !async_log {
            let upto = self.disk.log.len();
            if let Some(l) = self.learner_mut() {
                l.phase = LearnerPhase::WaitNewLeaderFsync;
                l.newleader_flush_upto = upto;
            }
            self.maybe_flush();
            return false;
        }
        true
    }

    /// The next sync txn NEWLEADER logs: the head of `packetsNotCommitted`
    /// when it is also the head of `packetsCommitted` (committed: true), or
    /// any head with the 4394 flush (committed: false).
    fn pop_sync_txn(&mut self, flush_all: bool) -> Option<(Arc<Txn>, bool)> {
        let l = self.learner_mut()?;
        match (l.committed.front(), l.not_committed.front()) {
            (Some(c), Some(t)) if *c == t.zxid => {
                l.committed.pop_front();
                l.not_committed.pop_front().map(|t| (t, true))
            }
            (_, Some(_)) if flush_all => l.not_committed.pop_front().map(|t| (t, false)),
            _ => None,
        }
    }

    /// (3) persist currentEpoch, (5) ACK NEWLEADER.
    fn learner_newleader_ack(&mut self) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        l.phase = LearnerPhase::WaitUpToDate;
        let (epoch, zxid, conn, leader) = (l.new_epoch, l.newleader_zxid, l.conn, l.leader);
        // ZOOKEEPER-1282: `Learner.syncWithLeader` wrote currentEpoch only at
        // UPTODATE, after it had ACKed NEWLEADER.
        if !self.cfg.variant("bug_zk1282_epoch_at_uptodate") {
            self.set_current_epoch(epoch);
        }
        if let Some(reason) = self.learner_mut().and_then(|l| l.lost_during_fsync.take()) {
            self.learner_lost_leader(reason);
            return;
        }
        if let Some(conn) = conn {
            self.send(conn, Packet::Ack { zxid });
        }
        self.ghost(GhostEvent::NewLeaderAcked { leader, epoch });
        // Packets that waited behind the fsync.
        loop {
            let Some(l) = self.learner_mut() else {
                return;
            };
            if l.phase == LearnerPhase::WaitNewLeaderFsync {
                return;
            }
            let Some(p) = l.deferred.pop_front() else {
                return;
            };
            self.learner_process(p);
        }
    }

    /// Called after every fsync: the NEWLEADER wait may be over.
    pub(in crate::server) fn learner_fsync_done(&mut self) {
        let flushed = self.disk.flushed;
        let done = self.learner().is_some_and(|l| {
            l.phase == LearnerPhase::WaitNewLeaderFsync && flushed >= l.newleader_flush_upto
        });
        if done {
            self.learner_newleader_ack();
        }
    }

    /// UPTODATE: ACK it, serve, and hand what the sync left pending to the
    /// broadcast pipeline (a follower logs the proposals and commits the
    /// committed ones; an observer applies the committed ones).
    fn learner_uptodate(&mut self) {
        self.log(
            Level::Info,
            "Learner",
            "Learner received UPTODATE message".to_string(),
        );
        let Some(l) = self.learner_mut() else {
            return;
        };
        if l.phase != LearnerPhase::WaitUpToDate {
            self.ghost(GhostEvent::Inconsistent {
                kind: "stateInconsistent",
                zxid: Zxid::ZERO,
            });
            return;
        }
        l.phase = LearnerPhase::Broadcast;
        let (epoch, conn, observer) = (l.new_epoch, l.conn, l.observer);
        let not_committed: Vec<Arc<Txn>> = l.not_committed.drain(..).collect();
        let committed: Vec<Zxid> = l.committed.drain(..).collect();
        if let Some(conn) = conn {
            self.send(
                conn,
                Packet::Ack {
                    zxid: Zxid::epoch_start(epoch),
                },
            );
        }
        if self.cfg.variant("bug_zk1282_epoch_at_uptodate") {
            self.set_current_epoch(epoch);
        }
        // The sync txns applied so far count as delivered only now: UPTODATE
        // means the leader is established, a quorum holds its initial
        // history. Before that a COMMIT in the sync only says the leader
        // has the txn, which the next leader may not (checks only).
        self.deliver_all();
        self.serving = true;
        self.update_election_vote(epoch);
        if observer {
            self.observer_apply_synced(not_committed, committed);
        } else {
            for t in not_committed {
                self.follower_log_request(t);
            }
            for z in committed {
                self.follower_commit(z);
                if self.learner().is_none() {
                    return;
                }
            }
        }
        self.set_zab_state(ZabState::Broadcast);
    }

    /// An observer at UPTODATE: log and apply the pending sync txns that
    /// were committed, in order; a proposal out of that order is warned
    /// about and dropped.
    fn observer_apply_synced(&mut self, not_committed: Vec<Arc<Txn>>, committed: Vec<Zxid>) {
        let mut committed: VecDeque<Zxid> = committed.into();
        for t in not_committed {
            match committed.front() {
                Some(z) if *z == t.zxid => {
                    committed.pop_front();
                    self.log_txn(t.clone(), AfterFlush::Nothing);
                    self.apply_txn(&t, true);
                }
                other => {
                    let next = other.copied().unwrap_or(Zxid::ZERO);
                    self.log(
                        Level::Warn,
                        "Learner",
                        format!(
                            "Committing 0x{:x}, but next proposal is 0x{:x}",
                            next.0, t.zxid.0
                        ),
                    );
                }
            }
        }
    }
}
