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
//! rule for rule (see ZAB.md §6); broadcast follows `Leader.propose`,
//! `processAck`, `tryToCommit`; liveness follows the `lead()` loop (PING
//! every half tick, synced-quorum check once per tick) and `SyncLimitCheck`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use super::{AfterFlush, ConnId, GhostEvent, Level, Role, Server, TimerKind};
use crate::proto::{Packet, Sid, SnapData, SyncMode, ZabState};
use crate::txn::Txn;
use crate::zxid::{Zxid, ROLLOVER_COUNTER};

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
    pub sync_mode: SyncMode,
    /// `LearnerHandler.SyncLimitCheck`.
    pub sync_limit_check: SyncLimitCheck,
    pub deferred: VecDeque<Packet>,
}

/// `LearnerHandler.SyncLimitCheck`: two slots, the oldest proposal sent
/// and not ACKed and the latest one sent after it, with their send times.
/// Only proposals sent after the NEWLEADER ACK count (`start`), so the
/// sync's own proposals, which a follower never ACKs one by one, do not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncLimitCheck {
    started: bool,
    current: Option<(Zxid, u64)>,
    next: Option<(Zxid, u64)>,
}

impl SyncLimitCheck {
    pub fn start(&mut self) {
        self.started = true;
    }

    pub fn update_proposal(&mut self, zxid: Zxid, now: u64) {
        if !self.started {
            return;
        }
        if self.current.is_none() {
            self.current = Some((zxid, now));
        } else {
            self.next = Some((zxid, now));
        }
    }

    /// Returns the oldest tracked proposal when the ACK skipped it
    /// (ZooKeeper warns "ACK for 0x… received before ACK for 0x…").
    pub fn update_ack(&mut self, zxid: Zxid) -> Option<Zxid> {
        match (self.current, self.next) {
            (Some((c, _)), _) if c == zxid => {
                self.current = self.next.take();
                None
            }
            (Some((c, _)), Some((n, _))) if n == zxid => {
                self.next = None;
                Some(c)
            }
            _ => None,
        }
    }

    /// Whether the oldest tracked proposal is still within `timeout_ms`.
    pub fn check(&self, now: u64, timeout_ms: u64) -> bool {
        self.current.is_none_or(|(_, sent)| now - sent < timeout_ms)
    }
}

/// A proposal waiting for its quorum.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub txn: Arc<Txn>,
    pub acks: BTreeSet<Sid>,
}

/// A pending change seen by `PrepRequestProcessor` (`outstandingChanges`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    pub zxid: Zxid,
    pub exists: bool,
    pub version: i32,
    pub ephemeral_owner: u64,
    /// The node's cversion and child count as the prep processor sees
    /// them (sequential names and NotEmpty checks).
    pub cversion: i32,
    pub num_children: u32,
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

    // ----- LearnerHandler -----

    pub(super) fn leader_accept(&mut self, conn: ConnId, _from: Sid) {
        let now = self.now;
        let init = self.cfg.init_timeout_ms();
        let (init_limit, sync_limit) = (self.cfg.init_limit, self.cfg.sync_limit);
        let Some(l) = self.leader_mut() else {
            self.out.push(super::Output::Close { conn });
            return;
        };
        let tick = l.tick;
        l.handlers.insert(
            conn,
            Handler {
                conn,
                sid: None,
                observer: false,
                phase: HandlerPhase::WaitInfo,
                accepted_epoch: 0,
                peer_last_zxid: Zxid::ZERO,
                tick_of_next_ack_deadline: tick + init_limit + sync_limit,
                last_recv_ms: now,
                read_timeout_ms: init,
                wait_deadline_ms: 0,
                sending_started: false,
                sync_mode: SyncMode::None,
                sync_limit_check: SyncLimitCheck::default(),
                deferred: VecDeque::new(),
            },
        );
        self.set_timer(TimerKind::Handler(conn), init);
    }

    pub(super) fn leader_packet(&mut self, conn: ConnId, packet: Packet) {
        let now = self.now;
        let sync_limit = self.cfg.sync_limit;
        let Some(l) = self.leader_mut() else {
            return;
        };
        let tick = l.tick;
        let Some(h) = l.handlers.get_mut(&conn) else {
            return;
        };
        h.last_recv_ms = now;
        match h.phase {
            HandlerPhase::WaitEpoch
            | HandlerPhase::WaitElectionFinished
            | HandlerPhase::WaitNewLeaderQuorum
            | HandlerPhase::WaitStartup => {
                h.deferred.push_back(packet);
                return;
            }
            HandlerPhase::Running => h.tick_of_next_ack_deadline = tick + sync_limit,
            _ => {}
        }
        self.handler_process(conn, packet);
    }

    fn handler_process(&mut self, conn: ConnId, packet: Packet) {
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let phase = h.phase;
        match (phase, packet) {
            (
                HandlerPhase::WaitInfo,
                Packet::FollowerInfo {
                    sid,
                    accepted_epoch_zxid,
                    ..
                },
            ) => {
                self.handler_learner_info(conn, sid, false, accepted_epoch_zxid.epoch());
            }
            (
                HandlerPhase::WaitInfo,
                Packet::ObserverInfo {
                    sid,
                    accepted_epoch_zxid,
                    ..
                },
            ) => {
                self.handler_learner_info(conn, sid, true, accepted_epoch_zxid.epoch());
            }
            (
                HandlerPhase::WaitAckEpoch,
                Packet::AckEpoch {
                    current_epoch,
                    last_zxid,
                },
            ) => {
                self.handler_ackepoch(conn, current_epoch, last_zxid);
            }
            (HandlerPhase::WaitNewLeaderAck, Packet::Ack { zxid }) => {
                self.handler_newleader_ack(conn, zxid);
            }
            (HandlerPhase::WaitNewLeaderAck, other) => {
                let text = format!(
                    "Next packet was supposed to be an ACK, but received packet: {}",
                    other.name()
                );
                self.log(Level::Error, "LearnerHandler", text);
                self.ghost(GhostEvent::Inconsistent {
                    kind: "ackInconsistent",
                    zxid: other.zxid(),
                });
                self.handler_close(conn);
            }
            (HandlerPhase::Running, Packet::Ack { zxid }) => {
                let (sid, skipped) = match self.handler_mut(conn) {
                    Some(h) => (h.sid, h.sync_limit_check.update_ack(zxid)),
                    None => (None, None),
                };
                if let Some(older) = skipped {
                    self.log(
                        Level::Warn,
                        "LearnerHandler",
                        format!(
                            "ACK for 0x{:x} received before ACK for 0x{:x}",
                            zxid.0, older.0
                        ),
                    );
                }
                if let Some(sid) = sid {
                    self.leader_process_ack(sid, zxid);
                }
            }
            (HandlerPhase::Running, Packet::Ping { touches, .. }) => {
                for (session, timeout) in touches {
                    self.touch_session_at_leader(session, timeout as u64);
                }
            }
            (HandlerPhase::Running, Packet::Request { request }) => {
                self.leader_submit_from(Some(conn), request);
            }
            (_, other) => {
                let text = format!("unexpected packet {} from learner", other.name());
                self.log(Level::Warn, "LearnerHandler", text);
                self.ghost(GhostEvent::Inconsistent {
                    kind: "messageIllegal",
                    zxid: other.zxid(),
                });
            }
        }
    }

    /// FOLLOWERINFO/OBSERVERINFO: the learner's sid (from `LearnerInfo`)
    /// and acceptedEpoch.
    fn handler_learner_info(&mut self, conn: ConnId, sid: Sid, observer: bool, accepted: u32) {
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        if h.phase != HandlerPhase::WaitInfo {
            return;
        }
        h.sid = Some(sid);
        h.observer = observer;
        h.accepted_epoch = accepted;
        let role = if observer { "observer" } else { "participant" };
        self.log(
            Level::Info,
            "LearnerHandler",
            format!(
                "Follower sid: {sid} : info : 127.0.0.1:{}:{}:{role}",
                28880 + sid,
                38880 + sid
            ),
        );
        match self.get_epoch_to_propose(sid, accepted) {
            Some(epoch) => self.handler_send_leaderinfo(conn, epoch),
            None => {
                let init = self.cfg.init_timeout_ms();
                let now = self.now;
                if let Some(h) = self.handler_mut(conn) {
                    h.phase = HandlerPhase::WaitEpoch;
                    h.wait_deadline_ms = now + init;
                }
                self.set_timer(TimerKind::Handler(conn), init);
            }
        }
    }

    fn handler_send_leaderinfo(&mut self, conn: ConnId, epoch: u32) {
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        h.phase = HandlerPhase::WaitAckEpoch;
        self.send(
            conn,
            Packet::LeaderInfo {
                new_epoch_zxid: Zxid::epoch_start(epoch),
            },
        );
        self.ghost(GhostEvent::Announced { epoch });
        self.handler_rearm_read(conn);
        self.handler_drain_deferred(conn);
    }

    fn handler_rearm_read(&mut self, conn: ConnId) {
        let now = self.now;
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let deadline = h.last_recv_ms.max(now.saturating_sub(0)) + h.read_timeout_ms;
        let after = deadline.saturating_sub(now).max(1);
        self.set_timer(TimerKind::Handler(conn), after);
    }

    fn handler_drain_deferred(&mut self, conn: ConnId) {
        loop {
            let Some(h) = self.handler_mut(conn) else {
                return;
            };
            if matches!(
                h.phase,
                HandlerPhase::WaitEpoch
                    | HandlerPhase::WaitElectionFinished
                    | HandlerPhase::WaitNewLeaderQuorum
                    | HandlerPhase::WaitStartup
            ) {
                return;
            }
            let Some(p) = h.deferred.pop_front() else {
                return;
            };
            self.handler_process(conn, p);
        }
    }

    fn handler_ackepoch(&mut self, conn: ConnId, current_epoch: i64, last_zxid: Zxid) {
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        h.peer_last_zxid = last_zxid;
        let Some(sid) = h.sid else {
            return;
        };
        if !self.wait_for_epoch_ack(sid, current_epoch, last_zxid) {
            self.handler_close(conn);
            return;
        }
        let finished = self.leader().is_some_and(|l| l.election_finished);
        if finished {
            self.handler_sync(conn);
        } else {
            let init = self.cfg.init_timeout_ms();
            let now = self.now;
            if let Some(h) = self.handler_mut(conn) {
                h.phase = HandlerPhase::WaitElectionFinished;
                h.wait_deadline_ms = now + init;
            }
            self.set_timer(TimerKind::Handler(conn), init);
        }
    }

    /// `LearnerHandler.syncFollower` + `startForwarding` + NEWLEADER.
    fn handler_sync(&mut self, conn: ConnId) {
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let (sid, observer, peer) = (h.sid.unwrap_or(0), h.observer, h.peer_last_zxid);
        let lpz = self.tree.last_processed_zxid;
        let (min, max) = match (self.committed_log.front(), self.committed_log.back()) {
            (Some(a), Some(b)) => (a.zxid, b.zxid),
            _ => (lpz, lpz),
        };
        self.log(
            Level::Info,
            "LearnerHandler",
            format!(
                "Synchronizing with Learner sid: {sid} maxCommittedLog=0x{:x} minCommittedLog=0x{:x} lastProcessedZxid=0x{:x} peerLastZxid=0x{:x}",
                max.0, min.0, lpz.0, peer.0
            ),
        );
        let mut queued: Vec<Packet> = Vec::new();
        let mut need_snap = true;
        let mut need_op = true;
        let mut current = peer;
        let txnlog_enabled = self.cfg.snapshot_size_factor_pct >= 0;
        if peer == lpz {
            self.log(
                Level::Info,
                "LearnerHandler",
                format!("Sending DIFF zxid=0x{:x} for peer sid: {sid}", peer.0),
            );
            queued.push(Packet::Diff { zxid: peer });
            need_snap = false;
            need_op = false;
        } else if peer > max && peer.counter() != 0 {
            self.log(
                Level::Debug,
                "LearnerHandler",
                format!(
                    "Sending TRUNC to follower zxidToSend=0x{:x} for peer sid:{sid}",
                    max.0
                ),
            );
            queued.push(Packet::Trunc { zxid: max });
            current = max;
            need_snap = false;
            need_op = false;
        } else if peer >= min && peer <= max {
            self.log(
                Level::Info,
                "LearnerHandler",
                format!("Using committedLog for peer sid: {sid}"),
            );
            let txns: Vec<Arc<Txn>> = self.committed_log.iter().cloned().collect();
            current = self.queue_committed_proposals(
                sid,
                &txns,
                peer,
                None,
                max,
                &mut need_op,
                &mut queued,
            );
            need_snap = false;
        } else if peer < min && txnlog_enabled {
            if let Some(txns) = self.txnlog_proposals(peer) {
                self.log(
                    Level::Info,
                    "LearnerHandler",
                    format!("Use txnlog and committedLog for peer sid: {sid}"),
                );
                let q = self.queue_committed_proposals(
                    sid,
                    &txns,
                    peer,
                    Some(min),
                    max,
                    &mut need_op,
                    &mut queued,
                );
                if q < min {
                    self.log(
                        Level::Info,
                        "LearnerHandler",
                        format!(
                            "Detected gap between end of txnlog: 0x{:x} and start of committedLog: 0x{:x}",
                            q.0, min.0
                        ),
                    );
                    queued.clear();
                    current = peer;
                    need_op = true;
                } else {
                    let log: Vec<Arc<Txn>> = self.committed_log.iter().cloned().collect();
                    current = self.queue_committed_proposals(
                        sid,
                        &log,
                        q,
                        None,
                        max,
                        &mut need_op,
                        &mut queued,
                    );
                    need_snap = false;
                }
            }
        } else {
            self.log(
                Level::Warn,
                "LearnerHandler",
                format!(
                    "Unhandled scenario for peer sid: {sid} maxCommittedLog=0x{:x} minCommittedLog=0x{:x} lastProcessedZxid=0x{:x} peerLastZxid=0x{:x} txnLogSyncEnabled={}",
                    max.0, min.0, lpz.0, peer.0, txnlog_enabled
                ),
            );
        }
        if need_snap {
            current = lpz;
        }
        let leader_last = self.start_forwarding(current, observer, &mut queued);
        if need_op && !need_snap {
            self.log(
                Level::Error,
                "LearnerHandler",
                format!("Unhandled scenario for peer sid: {sid} fall back to use snapshot"),
            );
            need_snap = true;
        }
        let mode = if need_snap {
            SyncMode::Snap
        } else {
            match queued.first() {
                Some(Packet::Trunc { .. }) => SyncMode::Trunc,
                _ => SyncMode::Diff,
            }
        };
        let in_flight = self.leader().map_or(0, |l| {
            l.handlers
                .values()
                .filter(|h| {
                    h.conn != conn
                        && matches!(
                            h.phase,
                            HandlerPhase::WaitNewLeaderAck
                                | HandlerPhase::WaitNewLeaderQuorum
                                | HandlerPhase::WaitStartup
                        )
                })
                .count() as u64
        });
        self.stats_sync_led(need_snap, in_flight + 1);
        if mode == SyncMode::Trunc {
            self.ghost(GhostEvent::TruncSent { learner: sid });
        }
        let epoch = self.leader().map_or(0, |l| l.epoch);
        // ZOOKEEPER-3104: before 148c2cd6b NEWLEADER was queued here, right
        // after `startForwarding`, and the snapshot serialized afterwards
        // while commits went on, so txns under the snapshot's label could
        // follow NEWLEADER. Here the snapshot is taken in the same instant
        // as `startForwarding` and a leader applies a txn when it commits
        // (no `toBeApplied` gap), so both orders put the same packets before
        // NEWLEADER: the flag is hooked but cannot change a trace.
        let newleader_queued_early = self.cfg.variant("bug_zk3104_newleader_before_snapshot");
        if newleader_queued_early {
            queued.push(Packet::NewLeader {
                zxid: Zxid::epoch_start(epoch),
            });
        }
        if need_snap {
            let exempt = if observer { "not exempt" } else { "exempt" };
            self.log(
                Level::Info,
                "LearnerHandler",
                format!(
                    "Sending snapshot last zxid of peer is 0x{:x}, zxid of leader is 0x{:x}, send zxid of db as 0x{:x}, 1 concurrent snapshot sync, snapshot sync was {exempt} from throttle",
                    peer.0, leader_last.0, lpz.0
                ),
            );
            let data = Arc::new(SnapData {
                tree: self.tree.clone(),
                ghost_delivered: self.ghost_delivered,
            });
            self.send(conn, Packet::Snap { zxid: lpz, data });
        }
        for p in queued {
            if matches!(p, Packet::NewLeader { .. }) {
                self.log(
                    Level::Debug,
                    "LearnerHandler",
                    format!("Sending NEWLEADER message to {sid}"),
                );
            }
            self.handler_queue_packet(conn, p);
        }
        if !newleader_queued_early {
            self.log(
                Level::Debug,
                "LearnerHandler",
                format!("Sending NEWLEADER message to {sid}"),
            );
            self.send(
                conn,
                Packet::NewLeader {
                    zxid: Zxid::epoch_start(epoch),
                },
            );
        }
        if let Some(h) = self.handler_mut(conn) {
            h.phase = HandlerPhase::WaitNewLeaderAck;
            h.sending_started = true;
            h.sync_mode = mode;
        }
        self.handler_rearm_read(conn);
        self.handler_drain_deferred(conn);
    }

    /// Send a packet on a handler, tracking proposals for `SyncLimitCheck`.
    fn handler_queue_packet(&mut self, conn: ConnId, p: Packet) {
        let now = self.now;
        if let Packet::Proposal { txn } = &p {
            if let Some(h) = self.handler_mut(conn) {
                h.sync_limit_check.update_proposal(txn.zxid, now);
            }
        }
        self.send(conn, p);
    }

    /// `ZKDatabase.getProposalsFromTxnLog`: the logged txns from `peer` on,
    /// if the log holds `peer` itself and reading them costs less than
    /// `snapshotSizeFactor` of the newest snapshot.
    fn txnlog_proposals(&self, peer: Zxid) -> Option<Vec<Arc<Txn>>> {
        if !self.disk.log_starts_at_or_before(peer) {
            return None;
        }
        let snap_size: u64 = self
            .tree
            .nodes
            .iter()
            .map(|(p, n)| p.len() as u64 + n.data.len() as u64 + 60)
            .sum::<u64>()
            + self.tree.sessions.len() as u64 * 12;
        let limit = snap_size * self.cfg.snapshot_size_factor_pct as u64 / 100;
        // The iterator fast-forwards to `peer`; if the log does not hold
        // exactly that zxid ZooKeeper gives up ("Unable to find proposals
        // from txnlog for zxid") and the learner gets a SNAP.
        let start = self.disk.log.partition_point(|t| t.zxid < peer);
        if self.disk.log.get(start).map(|t| t.zxid) != Some(peer) {
            return None;
        }
        let mut bytes = 0;
        let mut out = Vec::new();
        for t in self.disk.log.iter_from(start) {
            bytes += t.size_bytes();
            if bytes > limit {
                return None;
            }
            out.push(t.clone());
        }
        Some(out)
    }

    /// `LearnerHandler.queueCommittedProposals`. Returns the last queued
    /// zxid and whether an op packet (DIFF/TRUNC) is still needed.
    // ZooKeeper's four arguments plus the handler's sid, `needOpPacket` and
    // packet queue, which are fields of LearnerHandler there.
    #[allow(clippy::too_many_arguments)]
    fn queue_committed_proposals(
        &mut self,
        sid: Sid,
        txns: &[Arc<Txn>],
        peer: Zxid,
        max_zxid: Option<Zxid>,
        last_committed: Zxid,
        need_op: &mut bool,
        queued: &mut Vec<Packet>,
    ) -> Zxid {
        let new_epoch_peer = peer.counter() == 0;
        let mut queued_zxid = peer;
        let mut prev: Option<Zxid> = None;
        let diff_without_trunc = self.cfg.variant("bug_zk1154_diff_without_trunc");
        for t in txns {
            let z = t.zxid;
            if max_zxid.is_some_and(|m| z > m) {
                break;
            }
            if z < peer {
                prev = Some(z);
                continue;
            }
            if *need_op {
                if z == peer {
                    self.queue_diff(sid, last_committed, queued);
                    *need_op = false;
                    continue;
                }
                if new_epoch_peer || diff_without_trunc {
                    self.queue_diff(sid, last_committed, queued);
                    *need_op = false;
                } else if z > peer {
                    if z.epoch() != peer.epoch() {
                        self.log(
                            Level::Warn,
                            "LearnerHandler",
                            format!("Cannot send TRUNC to peer sid: {sid} peer zxid is from different epoch"),
                        );
                        return queued_zxid;
                    }
                    let to = prev.unwrap_or(Zxid::ZERO);
                    self.log(
                        Level::Info,
                        "LearnerHandler",
                        format!("Sending TRUNC zxid=0x{:x}  for peer sid: {sid}", to.0),
                    );
                    queued.push(Packet::Trunc { zxid: to });
                    *need_op = false;
                }
            }
            if z <= queued_zxid {
                continue;
            }
            queued.push(Packet::Proposal { txn: t.clone() });
            queued.push(Packet::Commit { zxid: z });
            queued_zxid = z;
        }
        if *need_op && new_epoch_peer {
            self.queue_diff(sid, last_committed, queued);
            *need_op = false;
        }
        queued_zxid
    }

    /// The DIFF op packet of `queueCommittedProposals`, with its log line.
    fn queue_diff(&mut self, sid: Sid, last_committed: Zxid, queued: &mut Vec<Packet>) {
        self.log(
            Level::Info,
            "LearnerHandler",
            format!(
                "Sending DIFF zxid=0x{:x}  for peer sid: {sid}",
                last_committed.0
            ),
        );
        queued.push(Packet::Diff {
            zxid: last_committed,
        });
    }

    /// `Leader.startForwarding`: outstanding proposals above `last_seen`
    /// (participants only), then live broadcast from now on.
    fn start_forwarding(
        &mut self,
        last_seen: Zxid,
        observer: bool,
        queued: &mut Vec<Packet>,
    ) -> Zxid {
        let Some(l) = self.leader() else {
            return Zxid::ZERO;
        };
        if l.last_proposed > last_seen && !observer {
            for (z, p) in &l.outstanding {
                if *z > last_seen {
                    queued.push(Packet::Proposal { txn: p.txn.clone() });
                }
            }
        }
        l.last_proposed
    }

    fn handler_newleader_ack(&mut self, conn: ConnId, zxid: Zxid) {
        let sync_timeout = self.cfg.sync_timeout_ms();
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let Some(sid) = h.sid else {
            return;
        };
        h.read_timeout_ms = sync_timeout;
        self.log(
            Level::Debug,
            "LearnerHandler",
            format!("Received NEWLEADER-ACK message from {sid}"),
        );
        self.wait_for_newleader_ack(sid, zxid);
        // syncLimitCheck.start(): proposals count from here on.
        if let Some(h) = self.handler_mut(conn) {
            h.sync_limit_check.start();
        }
        let l = self.leader();
        let established = l.is_some_and(|l| l.established_ms.is_some());
        let formed = l.is_some_and(|l| l.quorum_formed);
        if established {
            self.handler_send_uptodate(conn);
        } else {
            let init = self.cfg.init_timeout_ms();
            let now = self.now;
            if let Some(h) = self.handler_mut(conn) {
                h.phase = if formed || zxid.counter() != 0 {
                    HandlerPhase::WaitStartup
                } else {
                    HandlerPhase::WaitNewLeaderQuorum
                };
                h.wait_deadline_ms = now + init;
            }
            self.set_timer(TimerKind::Handler(conn), init);
        }
    }

    fn handler_send_uptodate(&mut self, conn: ConnId) {
        let now = self.now;
        let sync_limit = self.cfg.sync_limit;
        let Some(l) = self.leader_mut() else {
            return;
        };
        let tick = l.tick;
        let Some(h) = l.handlers.get_mut(&conn) else {
            return;
        };
        h.phase = HandlerPhase::Running;
        h.last_recv_ms = h.last_recv_ms.max(now);
        h.tick_of_next_ack_deadline = h.tick_of_next_ack_deadline.max(tick + sync_limit);
        let sid = h.sid.unwrap_or(0);
        self.log(
            Level::Debug,
            "LearnerHandler",
            format!("Sending UPTODATE message to {sid}"),
        );
        self.send(conn, Packet::UpToDate);
        self.handler_rearm_read(conn);
        self.handler_drain_deferred(conn);
    }

    pub(super) fn handler_timer(&mut self, conn: ConnId) {
        let now = self.now;
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let waiting = matches!(
            h.phase,
            HandlerPhase::WaitEpoch
                | HandlerPhase::WaitElectionFinished
                | HandlerPhase::WaitNewLeaderQuorum
        );
        if h.phase == HandlerPhase::WaitStartup {
            return;
        }
        let deadline = if waiting {
            h.wait_deadline_ms
        } else {
            h.last_recv_ms + h.read_timeout_ms
        };
        if now < deadline {
            let after = deadline - now;
            self.set_timer(TimerKind::Handler(conn), after);
            return;
        }
        let sid = h.sid;
        let text = match (waiting, sid) {
            (true, _) => "Unexpected exception causing shutdown while sock still open: java.lang.InterruptedException: Timeout while waiting".to_string(),
            (false, Some(s)) => format!("Unexpected exception causing shutdown while sock still open: java.net.SocketTimeoutException: Read timed out (peer sid {s})"),
            (false, None) => "Unexpected exception causing shutdown while sock still open: java.net.SocketTimeoutException: Read timed out".to_string(),
        };
        self.log(Level::Error, "LearnerHandler", text);
        self.handler_close(conn);
    }

    /// The handler ends: close its socket, forget it.
    pub(super) fn handler_close(&mut self, conn: ConnId) {
        self.out.push(super::Output::Close { conn });
        self.leader_handler_closed(conn);
    }

    pub(super) fn leader_handler_closed(&mut self, conn: ConnId) {
        let Some(l) = self.leader_mut() else {
            return;
        };
        if l.handlers.remove(&conn).is_some() {
            self.cancel_timer(TimerKind::Handler(conn));
            self.log(
                Level::Warn,
                "LearnerHandler",
                format!(
                    "******* GOODBYE /127.0.0.1:{} ********",
                    40000 + conn % 20000
                ),
            );
        }
    }

    /// `Leader.lead` loop: one half-tick wake-up.
    pub(super) fn leader_tick(&mut self) {
        let me = self.sid();
        let cfg = self.cfg.clone();
        let now = self.now;
        let Some(l) = self.leader_mut() else {
            return;
        };
        if !l.tick_skip {
            l.tick += 1;
        }
        let tick = l.tick;
        let mut synced: BTreeSet<Sid> = BTreeSet::new();
        synced.insert(me);
        for h in l.handlers.values() {
            if let Some(s) = h.sid {
                if tick <= h.tick_of_next_ack_deadline {
                    synced.insert(s);
                }
            }
        }
        if !l.tick_skip && !cfg.is_quorum(&synced) {
            let set = ack_set(&synced);
            self.leader_shutdown(format!(
                "Not sufficient followers synced, only synced with sids: [ {set} ]"
            ));
            return;
        }
        l.tick_skip = !l.tick_skip;
        // Ping every learner whose sender runs; SyncLimitCheck first.
        let sync_timeout = cfg.sync_timeout_ms();
        let last_proposed = l.last_proposed;
        let mut late = Vec::new();
        let mut ping = Vec::new();
        for h in l.handlers.values() {
            if !h.sending_started {
                continue;
            }
            if h.sync_limit_check.check(now, sync_timeout) {
                ping.push(h.conn);
            } else {
                late.push(h.conn);
            }
        }
        for conn in ping {
            self.send(
                conn,
                Packet::Ping {
                    zxid: last_proposed,
                    touches: Vec::new(),
                },
            );
        }
        for conn in late {
            self.log(
                Level::Warn,
                "LearnerHandler",
                "Closing connection to peer due to transaction timeout.".to_string(),
            );
            self.handler_close(conn);
        }
        let half = (cfg.tick_ms / 2).max(1);
        self.set_timer(TimerKind::LeaderTick, half);
    }

    // ----- broadcast -----

    /// `Leader.propose`: PROPOSAL to the forwarding followers first, then
    /// the leader's own log write (its ACK comes after its fsync).
    pub(super) fn leader_propose(&mut self, txn: Txn) {
        if txn.zxid.counter() == ROLLOVER_COUNTER
            && !self.cfg.variant("bug_zk1277_no_rollover_guard")
        {
            self.leader_shutdown(
                "zxid lower 32 bits have rolled over, forcing re-election, and therefore new epoch start"
                    .to_string(),
            );
            return;
        }
        let txn: Arc<Txn> = Arc::new(txn);
        self.stats_proposed(&txn);
        let size = txn.size_bytes() as i64;
        let c = &mut self.counters;
        c.proposals += 1;
        c.proposal_size_last = size;
        c.proposal_size_min = if c.proposals == 1 {
            size
        } else {
            c.proposal_size_min.min(size)
        };
        c.proposal_size_max = c.proposal_size_max.max(size);
        let Some(l) = self.leader_mut() else {
            return;
        };
        let epoch = l.epoch;
        l.last_proposed = txn.zxid;
        l.outstanding.insert(
            txn.zxid,
            Proposal {
                txn: txn.clone(),
                acks: BTreeSet::new(),
            },
        );
        let targets: Vec<ConnId> = l.forwarding().map(|h| h.conn).collect();
        self.ghost(GhostEvent::Proposed {
            epoch,
            txn: txn.id(),
        });
        for conn in targets {
            self.handler_queue_packet(conn, Packet::Proposal { txn: txn.clone() });
        }
        self.log_txn(txn, AfterFlush::LeaderAck);
    }

    /// `Leader.processSync`: answer at once when nothing is outstanding,
    /// else when the last proposed zxid commits. The leader does not check
    /// that it still leads (a deposed leader that has not noticed answers
    /// too: the known non-linearizable sync, BUG-MUSEUM.md "Jepsen").
    pub(super) fn leader_process_sync(&mut self, from: Option<ConnId>, session: u64, cxid: u32) {
        let Some(conn) = from else {
            // A local client's sync is answered in its session order by
            // the client side (`CommitProcessor` with matchSyncs off).
            let _ = (session, cxid);
            return;
        };
        let Some(l) = self.leader_mut() else {
            return;
        };
        if l.outstanding.is_empty() {
            self.send(conn, Packet::Sync);
        } else {
            let at = l.last_proposed;
            l.pending_syncs.entry(at).or_default().push(conn);
        }
    }

    /// `Leader.processAck` + `tryToCommit`.
    pub(super) fn leader_process_ack(&mut self, sid: Sid, zxid: Zxid) {
        let cfg = self.cfg.clone();
        let Some(l) = self.leader_mut() else {
            return;
        };
        if zxid.counter() == 0 {
            return;
        }
        if l.outstanding.is_empty() || l.last_committed >= zxid {
            return;
        }
        let Some(p) = l.outstanding.get_mut(&zxid) else {
            let text = format!(
                "Trying to commit future proposal: zxid 0x{:x} from {sid}",
                zxid.0
            );
            self.log(Level::Warn, "Leader", text);
            self.ghost(GhostEvent::Inconsistent {
                kind: "ackInconsistent",
                zxid,
            });
            return;
        };
        if cfg.is_participant(sid) {
            p.acks.insert(sid);
        }
        self.try_to_commit(zxid);
    }

    fn try_to_commit(&mut self, zxid: Zxid) {
        let cfg = self.cfg.clone();
        let Some(l) = self.leader_mut() else {
            return;
        };
        if l.outstanding.contains_key(&Zxid(zxid.0.wrapping_sub(1))) {
            return;
        }
        let Some(p) = l.outstanding.get(&zxid) else {
            return;
        };
        if !cfg.is_quorum(&p.acks) {
            return;
        }
        let Some(p) = l.outstanding.remove(&zxid) else {
            return;
        };
        l.last_committed = zxid;
        let followers: Vec<ConnId> = l.forwarding().map(|h| h.conn).collect();
        let observers: Vec<ConnId> = l
            .handlers
            .values()
            .filter(|h| h.observer && h.sending_started)
            .map(|h| h.conn)
            .collect();
        for conn in followers {
            self.send(conn, Packet::Commit { zxid });
        }
        for conn in observers {
            self.send(conn, Packet::Inform { txn: p.txn.clone() });
        }
        self.stats_committed(&p.txn);
        self.apply_txn(&p.txn, true);
        let synced = self
            .leader_mut()
            .and_then(|l| l.pending_syncs.remove(&zxid))
            .unwrap_or_default();
        for conn in synced {
            self.send(conn, Packet::Sync);
        }
        // The next proposal may already have its quorum.
        let next = zxid.next();
        if self
            .leader()
            .is_some_and(|l| l.outstanding.contains_key(&next))
        {
            self.try_to_commit(next);
        }
    }
}
