//! The leader (`Leader`, `LearnerHandler`, `LeaderZooKeeperServer`).
//!
//! ZooKeeper runs one leader thread and one `LearnerHandler` thread per
//! learner, and they meet in three blocking waits: `getEpochToPropose`,
//! `waitForEpochAck`, `waitForNewLeaderAck` (then `waitForStartup`). Here
//! each wait is a phase with a deadline of `initLimit*tickTime`; when a
//! quorum completes, the leader continues first, then every handler waiting
//! on the same condition, in sid order. Packets a handler receives while it
//! waits are deferred, as TCP would hold them.
//!
//! Sync follows `LearnerHandler.syncFollower` and `queueCommittedProposals`
//! rule for rule (see docs/PROTOCOL.md §6); broadcast follows `Leader.propose`,
//! `processAck`, `tryToCommit`; liveness follows the `lead()` loop (PING
//! every half tick, synced-quorum check once per tick) and `SyncLimitCheck`.
//!
//! Layout: this file is the leader thread through discovery (`Leader.lead`
//! up to `startZkServer`: `getEpochToPropose`, `waitForEpochAck`,
//! `waitForNewLeaderAck`) with the leader's state; `handler` is one
//! `LearnerHandler`'s life, `sync` its `syncFollower`, `broadcast`
//! `Leader.propose` / `processAck` / `tryToCommit` and the ping loop.
//!
//! This file owns [`LeaderState`] and the epoch the leader proposes; the
//! leader thread never writes to a learner itself: it releases the handlers
//! waiting on it, which do.

mod broadcast;
mod handler;
mod sync;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use super::requests::ChangeRecord;
use super::{ConnId, GhostEvent, Level, Role, Server, TimerKind};
use crate::proto::{Packet, Sid, SyncMode, ZabState};
use crate::txn::Txn;
use crate::zxid::Zxid;

pub use handler::SyncLimitCheck;

/// Where the leader thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaderPhase {
    /// `getEpochToPropose`: waiting for a quorum of FOLLOWERINFO.
    WaitEpoch,
    /// `waitForEpochAck`: waiting for a quorum of ACKEPOCH.
    WaitEpochAck,
    /// `waitForNewLeaderAck`: waiting for a quorum of NEWLEADER ACKs.
    WaitNewLeaderAck,
    /// Established: the `lead()` ping loop.
    Broadcast,
}

/// Where one `LearnerHandler` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerPhase {
    WaitInfo,
    WaitEpoch,
    WaitAckEpoch,
    WaitElectionFinished,
    WaitNewLeaderAck,
    WaitNewLeaderQuorum,
    WaitStartup,
    Running,
}

/// One learner connection, as the leader sees it.
#[derive(Debug, Clone)]
pub struct Handler {
    pub conn: ConnId,
    pub sid: Option<Sid>,
    pub observer: bool,
    pub phase: HandlerPhase,
    pub accepted_epoch: u32,
    pub peer_last_zxid: Zxid,
    pub tick_of_next_ack_deadline: u64,
    pub last_recv_ms: u64,
    pub read_timeout_ms: u64,
    pub wait_deadline_ms: u64,
    pub sending_started: bool,
    /// When this handler sent NEWLEADER (the `fix_newleader_ack_age`
    /// counter-variant reads it).
    pub newleader_sent_ms: u64,
    pub sync_mode: SyncMode,
    /// `LearnerHandler.SyncLimitCheck`.
    pub sync_limit_check: SyncLimitCheck,
    pub deferred: VecDeque<Packet>,
}

/// A proposal waiting for its quorum.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub txn: Arc<Txn>,
    pub acks: BTreeSet<Sid>,
}

/// The leader's state.
#[derive(Debug, Clone)]
pub struct LeaderState {
    pub epoch: u32,
    pub phase: LeaderPhase,
    pub wait_started_ms: u64,
    pub waiting_for_new_epoch: bool,
    pub connecting: BTreeSet<Sid>,
    pub electing: BTreeSet<Sid>,
    pub election_finished: bool,
    pub newleader_acks: BTreeSet<Sid>,
    pub quorum_formed: bool,
    pub established_ms: Option<u64>,
    /// `leaderStateSummary`: (currentEpoch, lastProcessedZxid) at lead().
    pub summary: (u32, Zxid),
    pub handlers: BTreeMap<ConnId, Handler>,
    pub tick: u64,
    pub tick_skip: bool,
    pub outstanding: BTreeMap<Zxid, Proposal>,
    /// `Leader.pendingSyncs`: learners' syncs waiting for the commit of
    /// the zxid that was last proposed when they arrived.
    pub pending_syncs: BTreeMap<Zxid, Vec<ConnId>>,
    pub last_proposed: Zxid,
    pub last_committed: Zxid,
    /// `ZooKeeperServer.hzxid`: the last zxid handed out.
    pub hzxid: Zxid,
    pub changes: BTreeMap<Arc<str>, ChangeRecord>,
    pub change_order: VecDeque<(Zxid, Arc<str>)>,
    /// session -> expiry time (`ExpiryQueue`), ms.
    pub session_deadlines: BTreeMap<u64, u64>,
    pub closing: BTreeSet<u64>,
}

impl LeaderState {
    /// Handlers of synced participants (`getForwardingFollowers`).
    pub fn forwarding(&self) -> impl Iterator<Item = &Handler> + '_ {
        self.handlers
            .values()
            .filter(|h| h.sending_started && !h.observer)
    }

    pub fn learner_sids(&self) -> Vec<Sid> {
        self.handlers.values().filter_map(|h| h.sid).collect()
    }
}

fn ack_set(s: &BTreeSet<Sid>) -> String {
    let v: Vec<String> = s.iter().map(|x| x.to_string()).collect();
    format!("[{}]", v.join(", "))
}

impl Server {
    fn leader_mut(&mut self) -> Option<&mut LeaderState> {
        match &mut self.role {
            Role::Leader(l) => Some(l),
            _ => None,
        }
    }

    fn handler_mut(&mut self, conn: ConnId) -> Option<&mut Handler> {
        self.leader_mut().and_then(|l| l.handlers.get_mut(&conn))
    }

    /// The handlers blocked in one of `phases`, in connection order.
    fn handlers_in(&self, phases: &[HandlerPhase]) -> Vec<ConnId> {
        self.leader()
            .map(|l| {
                l.handlers
                    .values()
                    .filter(|h| phases.contains(&h.phase))
                    .map(|h| h.conn)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `Leader.lead()` up to the first wait.
    pub(super) fn lead(&mut self) {
        self.role = Role::Leader(Box::new(LeaderState {
            epoch: 0,
            phase: LeaderPhase::WaitEpoch,
            wait_started_ms: self.now,
            waiting_for_new_epoch: true,
            connecting: BTreeSet::new(),
            electing: BTreeSet::new(),
            election_finished: false,
            newleader_acks: BTreeSet::new(),
            quorum_formed: false,
            established_ms: None,
            summary: (self.current_epoch(), self.tree.last_processed_zxid),
            handlers: BTreeMap::new(),
            tick: 0,
            tick_skip: true,
            outstanding: BTreeMap::new(),
            pending_syncs: BTreeMap::new(),
            last_proposed: Zxid::ZERO,
            last_committed: Zxid::ZERO,
            hzxid: Zxid::ZERO,
            changes: BTreeMap::new(),
            change_order: VecDeque::new(),
            session_deadlines: BTreeMap::new(),
            closing: BTreeSet::new(),
        }));
        self.set_zab_state(ZabState::Discovery);
        // zk.loadData(): the tree is current; take a clean snapshot.
        self.take_snapshot();
        let me = self.sid();
        let accepted = self.accepted_epoch();
        self.get_epoch_to_propose(me, accepted);
        let init = self.cfg.init_timeout_ms();
        if self
            .leader()
            .is_some_and(|l| l.phase == LeaderPhase::WaitEpoch)
        {
            self.set_timer(TimerKind::LeaderWait, init);
        }
    }

    /// `Leader.getEpochToPropose`. Returns the epoch once it is fixed.
    fn get_epoch_to_propose(&mut self, sid: Sid, last_accepted: u32) -> Option<u32> {
        let is_participant = self.cfg.is_participant(sid);
        let me = self.sid();
        let cfg = self.cfg.clone();
        let l = self.leader_mut()?;
        if !l.waiting_for_new_epoch {
            // Counter-variant (not ZooKeeper): a voter whose acceptedEpoch
            // is above this leader's epoch can never follow it
            // (`Learner.registerWithLeader`: "Leaders epoch, N is less than
            // accepted epoch, M"), and FastLeaderElection keeps electing
            // this leader while it holds its quorum; step down so the next
            // `getEpochToPropose` can count that voter's epoch.
            if is_participant
                && last_accepted > l.epoch
                && cfg.variant("fix_step_down_for_higher_accepted_epoch")
            {
                let epoch = l.epoch;
                self.leader_shutdown(format!(
                    "learner {sid} has accepted epoch {last_accepted}, above this leader's {epoch}"
                ));
                return None;
            }
            return Some(l.epoch);
        }
        if last_accepted >= l.epoch {
            l.epoch = last_accepted + 1;
        }
        if is_participant {
            l.connecting.insert(sid);
        }
        if l.connecting.contains(&me) && cfg.is_quorum(&l.connecting) {
            l.waiting_for_new_epoch = false;
            let epoch = l.epoch;
            self.epoch_fixed(epoch);
            return Some(epoch);
        }
        None
    }

    /// The epoch is fixed: persist it and let everyone waiting go on.
    fn epoch_fixed(&mut self, epoch: u32) {
        // ZOOKEEPER-1291: before f8f15de5f the leader released the handlers
        // (which send LEADERINFO) without persisting acceptedEpoch; it is
        // written only once the leader thread goes on, after the ACKEPOCH
        // quorum (`Leader.lead`).
        if !self.cfg.variant("bug_zk1291_late_leader_accepted_epoch") {
            self.set_accepted_epoch(epoch);
        }
        let start = Zxid::epoch_start(epoch);
        let now = self.now;
        if let Some(l) = self.leader_mut() {
            l.hzxid = start;
            l.last_proposed = start;
            l.phase = LeaderPhase::WaitEpochAck;
            l.wait_started_ms = now;
        }
        let init = self.cfg.init_timeout_ms();
        self.set_timer(TimerKind::LeaderWait, init);
        // The leader thread: waitForEpochAck(myid, leaderStateSummary).
        let me = self.sid();
        let summary = self.leader().map(|l| l.summary).unwrap_or_default();
        self.wait_for_epoch_ack(me, summary.0 as i64, summary.1);
        // Handlers blocked in getEpochToPropose.
        let waiting = self.handlers_in(&[HandlerPhase::WaitEpoch]);
        for conn in waiting {
            self.handler_send_leaderinfo(conn, epoch);
        }
    }

    /// `Leader.waitForEpochAck`. Returns false if this learner must be
    /// dropped (it is more recent than the leader).
    fn wait_for_epoch_ack(&mut self, sid: Sid, current_epoch: i64, last_zxid: Zxid) -> bool {
        let me = self.sid();
        let cfg = self.cfg.clone();
        let Some(l) = self.leader_mut() else {
            return false;
        };
        if l.election_finished {
            return true;
        }
        if current_epoch != -1 {
            let (le, lz) = l.summary;
            let more_recent =
                current_epoch > le as i64 || (current_epoch == le as i64 && last_zxid > lz);
            if more_recent {
                let text = format!(
                    "Follower is ahead of the leader, leader summary: {} (current epoch), {} (last zxid)",
                    le, lz
                );
                self.log(Level::Error, "LearnerHandler", text);
                return false;
            }
            if cfg.is_participant(sid) {
                l.electing.insert(sid);
            }
        }
        if l.electing.contains(&me) && cfg.is_quorum(&l.electing) {
            l.election_finished = true;
            let epoch = l.epoch;
            self.election_finished_now(epoch);
        }
        true
    }

    /// A quorum ACKed the new epoch: the leader moves to SYNCHRONIZATION,
    /// then the handlers that waited sync their learners.
    fn election_finished_now(&mut self, epoch: u32) {
        self.ghost(GhostEvent::EpochQuorum { epoch });
        if self.cfg.variant("bug_zk1291_late_leader_accepted_epoch") {
            self.set_accepted_epoch(epoch);
        }
        self.set_current_epoch(epoch);
        let now = self.now;
        if let Some(l) = self.leader_mut() {
            l.phase = LeaderPhase::WaitNewLeaderAck;
            l.wait_started_ms = now;
        }
        self.set_zab_state(ZabState::Synchronization);
        let init = self.cfg.init_timeout_ms();
        self.set_timer(TimerKind::LeaderWait, init);
        let me = self.sid();
        self.wait_for_newleader_ack(me, Zxid::epoch_start(epoch));
        let waiting = self.handlers_in(&[HandlerPhase::WaitElectionFinished]);
        for conn in waiting {
            self.handler_sync(conn);
        }
    }

    /// `Leader.waitForNewLeaderAck`.
    fn wait_for_newleader_ack(&mut self, sid: Sid, zxid: Zxid) {
        let cfg = self.cfg.clone();
        let now = self.now;
        let Some(l) = self.leader_mut() else {
            return;
        };
        if l.quorum_formed {
            return;
        }
        let current = Zxid::epoch_start(l.epoch);
        if zxid != current {
            let text = format!(
                "NEWLEADER ACK from sid: {sid} is from a different epoch - current 0x{:x} received 0x{:x}",
                current.0, zxid.0
            );
            self.log(Level::Error, "Leader", text);
            // An ACK that is not the NEWLEADER ACK where one must be (the
            // system spec's `ackInconsistent`).
            self.ghost(GhostEvent::Inconsistent {
                kind: "ackInconsistent",
                zxid,
            });
            return;
        }
        if cfg.is_participant(sid) {
            l.newleader_acks.insert(sid);
        }
        // The counter-variant `fix_newleader_ack_age` (not ZooKeeper), at
        // the quorum too: a learner whose NEWLEADER went out
        // `syncLimit*tickTime` or more ago has given up on this leader
        // (it heard nothing since: no UPTODATE before the quorum), so its
        // ACK, however promptly it was read, no longer counts; nor does
        // the ACK of a learner whose connection has ended.
        if cfg.variant("fix_newleader_ack_age") {
            let sync = cfg.sync_timeout_ms();
            let live: BTreeSet<Sid> = l
                .handlers
                .values()
                .filter(|h| now.saturating_sub(h.newleader_sent_ms) < sync)
                .filter_map(|h| h.sid)
                .collect();
            l.newleader_acks
                .retain(|s| *s == cfg.sid || live.contains(s));
        }
        if cfg.is_quorum(&l.newleader_acks) && l.newleader_acks.contains(&cfg.sid) {
            l.quorum_formed = true;
            self.start_zk_server();
        }
    }

    /// `Leader.startZkServer` and the rest of `lead()` before its loop.
    fn start_zk_server(&mut self) {
        let now = self.now;
        let initial_counter = self.cfg.initial_zxid_counter;
        let Some(l) = self.leader_mut() else {
            return;
        };
        let epoch = l.epoch;
        let start = Zxid::epoch_start(epoch);
        l.last_committed = start;
        l.phase = LeaderPhase::Broadcast;
        l.established_ms = Some(now);
        // ZooKeeper's test hook `zookeeper.testingonly.initialZxid`: the
        // epoch's counter starts high (rollover demonstrations).
        if initial_counter > 0 {
            l.hzxid = Zxid::new(epoch, initial_counter);
        }
        let acks = ack_set(&l.newleader_acks);
        self.log(
            Level::Info,
            "Leader",
            format!(
                "Have quorum of supporters, sids: [{acks}]; starting up and setting last processed zxid: 0x{:x}",
                start.0
            ),
        );
        self.cancel_timer(TimerKind::LeaderWait);
        // The new leader adopts its whole log as the epoch's initial history.
        self.deliver_all();
        self.ghost(GhostEvent::Established { epoch });
        self.tree.last_processed_zxid = start;
        // `zk.startup()`: the role's `SyncRequestProcessor` starts and draws
        // its roll threshold.
        self.reset_rand_roll();
        self.serving = true;
        self.update_election_vote(epoch);
        self.set_zab_state(ZabState::Broadcast);
        // A new leader gives every session a fresh timeout.
        let sessions: Vec<(u64, u32)> = self.tree.sessions.iter().map(|(s, t)| (*s, *t)).collect();
        for (s, t) in sessions {
            self.track_session_at_leader(s, t as u64);
        }
        self.arm_session_expiry();
        let half = (self.cfg.tick_ms / 2).max(1);
        self.set_timer(TimerKind::LeaderTick, half);
        let waiting =
            self.handlers_in(&[HandlerPhase::WaitNewLeaderQuorum, HandlerPhase::WaitStartup]);
        for conn in waiting {
            self.handler_send_uptodate(conn);
        }
    }

    pub(super) fn leader_wait_timeout(&mut self) {
        let Some(l) = self.leader() else {
            return;
        };
        let reason = match l.phase {
            LeaderPhase::WaitEpoch => "Timeout while waiting for epoch from quorum".to_string(),
            LeaderPhase::WaitEpochAck => {
                "Timeout while waiting for epoch to be acked by quorum".to_string()
            }
            LeaderPhase::WaitNewLeaderAck => {
                let acks = ack_set(&l.newleader_acks);
                self.leader_shutdown(format!(
                    "Waiting for a quorum of followers, only synced with sids: [ {acks} ]"
                ));
                return;
            }
            LeaderPhase::Broadcast => return,
        };
        self.log(
            Level::Warn,
            "QuorumPeer",
            format!("Unexpected exception java.lang.InterruptedException: {reason}"),
        );
        self.leader_shutdown("Forcing shutdown".to_string());
    }

    /// `Leader.shutdown(reason)`, then back to LOOKING.
    pub(super) fn leader_shutdown(&mut self, reason: String) {
        self.log(
            Level::Info,
            "Leader",
            format!("Shutdown called. For the reason {reason}"),
        );
        self.leave_role(false);
    }
}
