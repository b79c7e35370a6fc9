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
//!
//! Layout: this file is `followLeader` up to the sync (connect, register,
//! LEADERINFO → ACKEPOCH) and losing the leader; `sync` is
//! `syncWithLeader`, `broadcast` the packets after UPTODATE.
//!
//! This file owns [`LearnerState`] and the acceptedEpoch a LEADERINFO
//! raises; it never applies or logs a txn (`sync` and `broadcast` do).

mod broadcast;
mod sync;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::{ConnId, Level, Output, Role, Server, TimerKind};
use crate::proto::{Packet, Sid, SyncMode, ZabState};
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
    /// `Learner.syncWithLeader`'s `lastQueued` (a local starting at 0).
    pub sync_last_queued: Zxid,
    /// `Follower.lastQueued` (a field of each new `Follower`, 0 at first):
    /// so 3.8.0 warns `Got zxid 0x… expected 0x1` at the first proposal of
    /// a sync and of a broadcast.
    pub last_queued: Zxid,
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
            sync_last_queued: Zxid::ZERO,
            last_queued: Zxid::ZERO,
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
        self.out.push(Output::Connect { to });
    }

    /// `Learner.connectToLeader`'s attempt to `to` ended: on success,
    /// register with the leader; on failure, retry 100 ms later while tries
    /// and `initLimit` last.
    pub(super) fn learner_connect_result(&mut self, to: Sid, conn: Option<ConnId>) {
        let Some(l) = self.learner_mut() else {
            if let Some(c) = conn {
                self.out.push(Output::Close { conn: c });
            }
            return;
        };
        if l.phase != LearnerPhase::Connecting || l.leader != to {
            if let Some(c) = conn {
                self.out.push(Output::Close { conn: c });
            }
            return;
        }
        match conn {
            Some(c) => self.learner_register(to, c),
            None => self.learner_connect_failed(to),
        }
    }

    /// `Learner.registerWithLeader`: FOLLOWERINFO (OBSERVERINFO) with our
    /// acceptedEpoch, then wait for LEADERINFO within `initLimit`.
    fn learner_register(&mut self, to: Sid, c: ConnId) {
        let now = self.now;
        let init = self.cfg.init_timeout_ms();
        let sid = self.sid();
        let accepted = self.accepted_epoch();
        let Some(l) = self.learner_mut() else {
            return;
        };
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

    /// A failed attempt of `Learner.connectToLeader`: retry after
    /// [`CONNECT_RETRY_MS`], or give up after [`CONNECT_TRIES`] tries or
    /// when `initLimit` would pass.
    fn learner_connect_failed(&mut self, to: Sid) {
        let now = self.now;
        let init = self.cfg.init_timeout_ms();
        let Some((tries, started)) = self.learner().map(|l| (l.tries, l.connect_started_ms)) else {
            return;
        };
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
}
