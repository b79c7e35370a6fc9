//! Followers and observers (`Learner`, `Follower`, `Observer`,
//! `FollowerZooKeeperServer`, `ObserverZooKeeperServer`).
//!
//! `followLeader`: connect (up to 5 tries, 100 ms apart, within
//! `initLimit*tickTime`), FOLLOWERINFO/OBSERVERINFO, LEADERINFO → ACKEPOCH,
//! then `syncWithLeader`: the first packet picks DIFF/SNAP/TRUNC; PROPOSAL
//! and COMMIT are collected; at NEWLEADER, in this order, snapshot (after
//! SNAP/TRUNC), log + apply + fsync the sync txns already committed,
//! persist `currentEpoch`, ACK; at UPTODATE, ACK, serve, log the still
//! pending proposals (normal ACKs after fsync) and commit those marked
//! committed. Then broadcast: PROPOSAL → log → ACK after fsync; COMMIT must
//! match the head of `pendingTxns` or the process exits.
//!
//! The learner's thread blocks on the NEWLEADER fsync; packets that arrive
//! meanwhile wait in `deferred`, as they would in the socket buffer.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::{AfterFlush, ConnId, GhostEvent, Level, Role, Server, TimerKind};
use crate::proto::{Packet, Sid, SnapData, SyncMode, ZabState};
use crate::txn::Txn;
use crate::zxid::Zxid;

/// How many times `connectToLeader` tries.
const CONNECT_TRIES: u32 = 5;
const CONNECT_RETRY_MS: u64 = 100;

/// Where the learner is in `followLeader`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnerPhase {
    Connecting,
    WaitLeaderInfo,
    WaitSyncStart,
    Syncing,
    /// Blocked on the fsync of the committed sync txns at NEWLEADER.
    WaitNewLeaderFsync,
    WaitUpToDate,
    Broadcast,
}

/// A follower's or observer's state.
#[derive(Debug, Clone)]
pub struct LearnerState {
    pub leader: Sid,
    pub observer: bool,
    pub conn: Option<ConnId>,
    pub phase: LearnerPhase,
    pub tries: u32,
    pub connect_started_ms: u64,
    pub last_recv_ms: u64,
    pub read_timeout_ms: u64,
    pub new_epoch: u32,
    pub snapshot_needed: bool,
    pub write_to_txn_log: bool,
    /// `packetsNotCommitted` during sync.
    pub not_committed: VecDeque<Arc<Txn>>,
    /// `packetsCommitted` during sync.
    pub committed: VecDeque<Zxid>,
    /// `FollowerZooKeeperServer.pendingTxns` in broadcast.
    pub pending_txns: VecDeque<Arc<Txn>>,
    pub last_queued: Option<Zxid>,
    pub deferred: VecDeque<Packet>,
    pub newleader_zxid: Zxid,
    /// Log length that must be durable before the NEWLEADER ACK.
    pub newleader_flush_upto: usize,
    /// The connection broke while the learner thread was blocked in the
    /// NEWLEADER fsync: it notices after the fsync (and after persisting
    /// currentEpoch), when it next uses the socket.
    pub lost_during_fsync: Option<String>,
    /// `LearnerSessionTracker.touchTable`: session -> timeout.
    pub touches: BTreeMap<u64, u32>,
}

impl Server {
    fn learner_mut(&mut self) -> Option<&mut LearnerState> {
        match &mut self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    /// `Follower.followLeader` / `Observer.observeLeader`.
    pub(super) fn follow(&mut self, leader: Sid) {
        let observer = self.cfg.is_observer();
        self.role = Role::Learner(Box::new(LearnerState {
            leader,
            observer,
            conn: None,
            phase: LearnerPhase::Connecting,
            tries: 0,
            connect_started_ms: self.now,
            last_recv_ms: self.now,
            read_timeout_ms: self.cfg.init_timeout_ms(),
            new_epoch: 0,
            snapshot_needed: false,
            write_to_txn_log: false,
            not_committed: VecDeque::new(),
            committed: VecDeque::new(),
            pending_txns: VecDeque::new(),
            last_queued: None,
            deferred: VecDeque::new(),
            newleader_zxid: Zxid::ZERO,
            newleader_flush_upto: 0,
            lost_during_fsync: None,
            touches: BTreeMap::new(),
        }));
        self.set_zab_state(ZabState::Discovery);
        self.learner_try_connect();
    }

    pub(super) fn learner_try_connect(&mut self) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        if l.phase != LearnerPhase::Connecting {
            return;
        }
        l.tries += 1;
        let to = l.leader;
        self.out.push(super::Output::Connect { to });
    }

    pub(super) fn learner_connect_result(&mut self, to: Sid, conn: Option<ConnId>) {
        let now = self.now;
        let init = self.cfg.init_timeout_ms();
        let sid = self.sid();
        let accepted = self.accepted_epoch();
        let Some(l) = self.learner_mut() else {
            if let Some(c) = conn {
                self.out.push(super::Output::Close { conn: c });
            }
            return;
        };
        if l.phase != LearnerPhase::Connecting || l.leader != to {
            if let Some(c) = conn {
                self.out.push(super::Output::Close { conn: c });
            }
            return;
        }
        match conn {
            Some(c) => {
                l.conn = Some(c);
                l.phase = LearnerPhase::WaitLeaderInfo;
                l.last_recv_ms = now;
                let observer = l.observer;
                self.log(
                    Level::Info,
                    "Learner$LeaderConnector",
                    format!(
                        "Successfully connected to leader, using address: /127.0.0.1:{}",
                        28880 + to
                    ),
                );
                let z = Zxid::epoch_start(accepted);
                let p = if observer {
                    Packet::ObserverInfo {
                        sid,
                        accepted_epoch_zxid: z,
                        config_version: 0,
                    }
                } else {
                    Packet::FollowerInfo {
                        sid,
                        accepted_epoch_zxid: z,
                        config_version: 0,
                    }
                };
                self.send(c, p);
                self.set_timer(TimerKind::LearnerRead, init);
            }
            None => {
                let (tries, started) = (l.tries, l.connect_started_ms);
                self.log(
                    Level::Warn,
                    "Learner",
                    format!(
                        "Unexpected exception, tries={}, remaining init limit={}, connecting to /127.0.0.1:{}",
                        tries - 1,
                        (started + init).saturating_sub(now),
                        28880 + to
                    ),
                );
                if tries >= CONNECT_TRIES || now + CONNECT_RETRY_MS >= started + init {
                    self.learner_lost_leader(format!(
                        "java.io.IOException: Failed connect to /127.0.0.1:{}",
                        28880 + to
                    ));
                } else {
                    self.set_timer(TimerKind::LearnerConnect, CONNECT_RETRY_MS);
                }
            }
        }
    }

    /// The learner gives up on its leader (`Follower@128`), back to LOOKING.
    /// `reason` is the exception, as log4j prints it on the line after
    /// ZooKeeper's message (`Exception when following the leader`).
    pub(super) fn learner_lost_leader(&mut self, reason: String) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        // `Learner.syncWithLeader` runs in one thread: blocked in the
        // NEWLEADER fsync, it sees a broken socket only afterwards.
        if l.phase == LearnerPhase::WaitNewLeaderFsync {
            l.lost_during_fsync.get_or_insert(reason);
            return;
        }
        let what = if l.observer { "observing" } else { "following" };
        let class = if l.observer { "Observer" } else { "Follower" };
        self.log(
            Level::Warn,
            class,
            format!("Exception when {what} the leader\n{reason}"),
        );
        let mid_snap = self.sync_mode == SyncMode::Snap
            && !self.cfg.variant("bug_zk3642_keep_db_after_partial_snap");
        self.leave_role(mid_snap);
    }

    pub(super) fn learner_read_timer(&mut self) {
        let now = self.now;
        let Some(l) = self.learner() else {
            return;
        };
        let deadline = l.last_recv_ms + l.read_timeout_ms;
        if now >= deadline {
            self.learner_lost_leader("java.net.SocketTimeoutException: Read timed out".to_string());
        } else {
            self.set_timer(TimerKind::LearnerRead, deadline - now);
        }
    }

    pub(super) fn learner_packet(&mut self, packet: Packet) {
        let now = self.now;
        let Some(l) = self.learner_mut() else {
            return;
        };
        l.last_recv_ms = now;
        if l.phase == LearnerPhase::WaitNewLeaderFsync {
            l.deferred.push_back(packet);
            return;
        }
        self.learner_process(packet);
    }

    fn learner_process(&mut self, packet: Packet) {
        let Some(l) = self.learner() else {
            return;
        };
        match l.phase {
            LearnerPhase::Connecting => {}
            LearnerPhase::WaitLeaderInfo => self.learner_leaderinfo(packet),
            LearnerPhase::WaitSyncStart => self.learner_sync_start(packet),
            LearnerPhase::Syncing | LearnerPhase::WaitUpToDate => self.learner_sync_packet(packet),
            LearnerPhase::WaitNewLeaderFsync => {}
            LearnerPhase::Broadcast => self.learner_broadcast_packet(packet),
        }
    }

    fn learner_leaderinfo(&mut self, packet: Packet) {
        let Packet::LeaderInfo { new_epoch_zxid } = packet else {
            self.learner_lost_leader(format!(
                "java.io.IOException: First packet {} is not LEADERINFO",
                packet.name()
            ));
            return;
        };
        let new_epoch = new_epoch_zxid.epoch();
        let accepted = self.accepted_epoch();
        let current = self.current_epoch() as i64;
        let last = self.last_logged_zxid();
        let Some(conn) = self.learner().and_then(|l| l.conn) else {
            return;
        };
        let ack = if new_epoch > accepted {
            self.set_accepted_epoch(new_epoch);
            Packet::AckEpoch {
                current_epoch: current,
                last_zxid: last,
            }
        } else if new_epoch == accepted {
            Packet::AckEpoch {
                current_epoch: -1,
                last_zxid: last,
            }
        } else {
            self.learner_lost_leader(format!(
                "java.io.IOException: Leaders epoch, {new_epoch} is less than accepted epoch, {accepted}"
            ));
            return;
        };
        self.send(conn, ack);
        if let Some(l) = self.learner_mut() {
            l.new_epoch = new_epoch;
            l.phase = LearnerPhase::WaitSyncStart;
        }
        self.set_zab_state(ZabState::Synchronization);
    }

    fn learner_sync_start(&mut self, packet: Packet) {
        let leader = self.learner().map_or(0, |l| l.leader);
        let mode = match packet {
            Packet::Diff { zxid } => {
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
            Packet::Snap { zxid, data } => {
                self.log(
                    Level::Info,
                    "Learner",
                    format!("Getting a snapshot from leader 0x{:x}", zxid.0),
                );
                self.set_sync_mode(SyncMode::Snap);
                let SnapData {
                    tree,
                    ghost_delivered,
                } = (*data).clone();
                self.tree = tree;
                self.tree.last_processed_zxid = zxid;
                self.ghost_delivered = ghost_delivered;
                self.committed_log.clear();
                SyncMode::Snap
            }
            Packet::Trunc { zxid } => {
                self.log(
                    Level::Warn,
                    "Learner",
                    format!(
                        "Truncating log to get in sync with the leader 0x{:x}",
                        zxid.0
                    ),
                );
                self.set_sync_mode(SyncMode::Trunc);
                let removed = self.truncate_log(zxid);
                self.ghost(GhostEvent::Truncated { removed });
                self.reload_database();
                SyncMode::Trunc
            }
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

    fn learner_sync_packet(&mut self, packet: Packet) {
        match packet {
            Packet::Proposal { txn } => {
                let warn = {
                    let Some(l) = self.learner_mut() else {
                        return;
                    };
                    let expected = l.last_queued.map(|z| z.next());
                    l.last_queued = Some(txn.zxid);
                    let z = txn.zxid;
                    l.not_committed.push_back(txn);
                    expected.filter(|e| *e != z).map(|e| (z, e))
                };
                if let Some((z, e)) = warn {
                    self.log(
                        Level::Warn,
                        "Learner",
                        format!("Got zxid 0x{:x} expected 0x{:x}", z.0, e.0),
                    );
                }
            }
            Packet::Commit { zxid } => {
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
                if !l.write_to_txn_log {
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
                } else {
                    l.committed.push_back(zxid);
                }
            }
            Packet::Inform { txn } => {
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

    /// NEWLEADER, in ZooKeeper's order (see the module doc).
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
        // (1) snapshot after SNAP/TRUNC.
        if snapshot_needed {
            self.take_snapshot();
            // Not ZooKeeper (a counter-variant, see BUG-MUSEUM.md's
            // "ZabLab finding"): a SNAP supersedes the whole txn log, as in
            // Raft. ZooKeeper keeps the old log files, uncommitted txns of
            // an abandoned epoch included, and a later txn-log sync
            // (`ZKDatabase.getProposalsFromTxnLog`) can read them back.
            if self.sync_mode == SyncMode::Snap && self.cfg.variant("fix_discard_log_on_snap") {
                let z = self.tree.last_processed_zxid;
                self.discard_log_through(z);
            }
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
        // (2) a follower logs, applies and fsyncs the committed sync txns.
        // ZOOKEEPER-3911 (and before it ZOOKEEPER-1282): `Learner.syncWithLeader`
        // left them in packetsNotCommitted/packetsCommitted until UPTODATE,
        // so the NEWLEADER ACK vouched for txns only held in memory.
        let log_at_uptodate = self.cfg.variant("bug_zk3911_log_diff_after_uptodate")
            || self.cfg.variant("bug_zk1282_epoch_at_uptodate");
        if !observer && !log_at_uptodate {
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
                let next = {
                    let Some(l) = self.learner_mut() else {
                        return;
                    };
                    match (l.committed.front(), l.not_committed.front()) {
                        (Some(c), Some(t)) if *c == t.zxid => {
                            l.committed.pop_front();
                            l.not_committed.pop_front().map(|t| (t, true))
                        }
                        (_, Some(_)) if flush_all => {
                            l.not_committed.pop_front().map(|t| (t, false))
                        }
                        _ => None,
                    }
                };
                let Some((t, committed)) = next else {
                    break;
                };
                if async_log {
                    self.log_txn(t.clone(), AfterFlush::Nothing);
                } else if ack_each {
                    self.log_txn(t.clone(), AfterFlush::FollowerAck { conn });
                } else {
                    self.disk.append(t.clone());
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
                return;
            }
        }
        self.learner_newleader_ack();
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
    pub(super) fn learner_fsync_done(&mut self) {
        let flushed = self.disk.flushed;
        let done = self.learner().is_some_and(|l| {
            l.phase == LearnerPhase::WaitNewLeaderFsync && flushed >= l.newleader_flush_upto
        });
        if done {
            self.learner_newleader_ack();
        }
    }

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

    /// `FollowerZooKeeperServer.logRequest`.
    fn follower_log_request(&mut self, txn: Arc<Txn>) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        let conn = l.conn.unwrap_or(0);
        l.pending_txns.push_back(txn.clone());
        self.log_txn(txn, AfterFlush::FollowerAck { conn });
    }

    /// `FollowerZooKeeperServer.commit`.
    fn follower_commit(&mut self, zxid: Zxid) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        match l.pending_txns.front() {
            None => {
                self.log(
                    Level::Warn,
                    "FollowerZooKeeperServer",
                    format!("Committing 0x{:x} without seeing txn", zxid.0),
                );
            }
            Some(t) if t.zxid != zxid => {
                let first = t.zxid;
                self.log(
                    Level::Error,
                    "FollowerZooKeeperServer",
                    format!(
                        "Committing zxid 0x{:x} but next pending txn 0x{:x}",
                        zxid.0, first.0
                    ),
                );
                self.ghost(GhostEvent::Inconsistent {
                    kind: "commitInconsistent",
                    zxid,
                });
                self.exit("Unmatched commit".to_string());
            }
            Some(_) => {
                if let Some(t) = l.pending_txns.pop_front() {
                    self.apply_txn(&t, true);
                }
            }
        }
    }

    fn learner_broadcast_packet(&mut self, packet: Packet) {
        let observer = self.learner().is_some_and(|l| l.observer);
        match packet {
            Packet::Ping { .. } => {
                let Some(l) = self.learner_mut() else {
                    return;
                };
                let touches: Vec<(u64, u32)> = std::mem::take(&mut l.touches).into_iter().collect();
                let conn = l.conn;
                let zxid = self.last_logged_zxid();
                if let Some(conn) = conn {
                    self.send(conn, Packet::Ping { zxid, touches });
                }
            }
            Packet::Proposal { txn } if !observer => {
                let warn = {
                    let Some(l) = self.learner_mut() else {
                        return;
                    };
                    let expected = l.last_queued.map(|z| z.next());
                    l.last_queued = Some(txn.zxid);
                    expected.filter(|e| *e != txn.zxid)
                };
                if let Some(e) = warn {
                    self.log(
                        Level::Warn,
                        "Follower",
                        format!("Got zxid 0x{:x} expected 0x{:x}", txn.zxid.0, e.0),
                    );
                }
                self.stats_proposal_received(&txn);
                self.follower_log_request(txn);
            }
            Packet::Commit { zxid } if !observer => {
                let created = self.learner().and_then(|l| {
                    l.pending_txns
                        .front()
                        .filter(|t| t.zxid == zxid)
                        .map(|t| t.time_ms)
                });
                self.stats_commit_received(created);
                self.follower_commit(zxid)
            }
            Packet::Sync => self.learner_sync_answered(),
            Packet::Inform { txn } if observer => {
                self.stats_commit_received(Some(txn.time_ms));
                self.log_txn(txn.clone(), AfterFlush::Nothing);
                self.apply_txn(&txn, true);
            }
            Packet::Proposal { .. } | Packet::Commit { .. } => {}
            Packet::UpToDate => {
                self.log(
                    Level::Error,
                    "Follower",
                    "Received an UPTODATE message after Follower started".to_string(),
                );
            }
            other => {
                let text = format!("Unknown packet type: {}", other.name());
                self.log(Level::Warn, "Follower", text);
                self.ghost(GhostEvent::Inconsistent {
                    kind: "messageIllegal",
                    zxid: other.zxid(),
                });
            }
        }
    }
}
