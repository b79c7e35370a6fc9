//! Fast Leader Election (`FastLeaderElection`, the election-port rules of
//! `QuorumCnxManager`), as an event-driven loop.
//!
//! `lookForLeader` is a thread blocked in `recvqueue.poll(notTimeout)`; here
//! each delivered notification is one turn of its loop and the poll timeout
//! is the `ElectionPoll` timer, re-armed after every turn. The finalize loop
//! (`poll(finalizeWait)` while a quorum agrees) is the `Finalize` timer: a
//! notification that is not better is consumed and restarts it; a better one
//! ends it and is handled by the main loop. The receiver thread's rules
//! (`Messenger.WorkerReceiver`) run first for every notification, in any
//! state. Never panics; a notification from or for a non-voter is dropped
//! with ZooKeeper's warning.

use std::collections::BTreeMap;

use super::{Level, Server, TimerKind};
use crate::proto::{Notification, ServerState, Sid, Vote, ZabState};
use crate::zxid::hex_long;

/// `finalizeWait` = `minNotificationInterval`.
pub const FINALIZE_WAIT_MS: u64 = 200;
/// `maxNotificationInterval`.
pub const MAX_NOTIFICATION_INTERVAL_MS: u64 = 60_000;

/// The state of one `lookForLeader` (and what survives it: `logicalclock`
/// and the last proposal).
#[derive(Debug, Clone)]
pub struct Election {
    pub logicalclock: u64,
    pub proposed_leader: i64,
    pub proposed_zxid: i64,
    pub proposed_epoch: i64,
    pub recvset: BTreeMap<Sid, Vote>,
    pub outofelection: BTreeMap<Sid, Vote>,
    pub not_timeout_ms: u64,
    /// When the pending `poll(notTimeout)` ends if no notification comes
    /// first (0: none pending). Each notification restarts the poll.
    pub poll_due_ms: u64,
    /// When this server last sent its own notifications to every voter.
    pub last_sent_ms: u64,
    /// When this server last left LOOKING for a role.
    pub decided_ms: u64,
    pub finalizing: bool,
    pub started_ms: u64,
    /// Notifications sent by this server (for the UI and tests).
    pub sent: u64,
}

impl Default for Election {
    /// `FastLeaderElection`'s fields before the first `updateProposal`:
    /// no leader (-1) and no zxid (-1), as its first DEBUG line shows.
    fn default() -> Self {
        Election {
            logicalclock: 0,
            proposed_leader: -1,
            proposed_zxid: -1,
            proposed_epoch: -1,
            recvset: BTreeMap::new(),
            outofelection: BTreeMap::new(),
            not_timeout_ms: 0,
            poll_due_ms: 0,
            last_sent_ms: 0,
            decided_ms: 0,
            finalizing: false,
            started_ms: 0,
            sent: 0,
        }
    }
}

impl Server {
    fn initial_vote(&self) -> (i64, i64, i64) {
        if self.cfg.is_participant(self.sid()) {
            (
                self.sid() as i64,
                self.last_logged_zxid().0 as i64,
                self.current_epoch() as i64,
            )
        } else {
            (i64::MIN, i64::MIN, i64::MIN)
        }
    }

    /// `totalOrderPredicate(new, cur)`, with its DEBUG line (3.8.0's).
    fn total_order(&mut self, new: (i64, i64, i64), cur: (i64, i64, i64)) -> bool {
        let (new_id, new_zxid, new_epoch) = new;
        let (cur_id, cur_zxid, cur_epoch) = cur;
        self.log(
            Level::Debug,
            "FastLeaderElection",
            format!(
                "id: {new_id}, proposed id: {cur_id}, zxid: 0x{}, proposed zxid: 0x{}",
                hex_long(new_zxid),
                hex_long(cur_zxid)
            ),
        );
        if new_id < 0 || !self.cfg.is_participant(new_id as Sid) {
            return false;
        }
        new_epoch > cur_epoch
            || (new_epoch == cur_epoch
                && (new_zxid > cur_zxid || (new_zxid == cur_zxid && new_id > cur_id)))
    }

    fn proposal(&self) -> (i64, i64, i64) {
        let e = &self.election;
        (e.proposed_leader, e.proposed_zxid, e.proposed_epoch)
    }

    fn update_proposal(&mut self, v: (i64, i64, i64)) {
        let text = format!(
            "Updating proposal: {} (newleader), 0x{} (newzxid), {} (oldleader), 0x{} (oldzxid)",
            v.0,
            hex_long(v.1),
            self.election.proposed_leader,
            hex_long(self.election.proposed_zxid)
        );
        self.log(Level::Debug, "FastLeaderElection", text);
        let e = &mut self.election;
        e.proposed_leader = v.0;
        e.proposed_zxid = v.1;
        e.proposed_epoch = v.2;
    }

    /// `QuorumPeer.run` → `lookForLeader`: a new round.
    pub(super) fn look_for_leader(&mut self) {
        self.state = ServerState::Looking;
        self.zab_state = ZabState::Election;
        let e = &mut self.election;
        e.logicalclock += 1;
        e.recvset.clear();
        e.outofelection.clear();
        e.finalizing = false;
        e.not_timeout_ms = FINALIZE_WAIT_MS;
        e.started_ms = self.now;
        let init = self.initial_vote();
        self.update_proposal(init);
        self.log(
            Level::Info,
            "FastLeaderElection",
            format!(
                "New election. My id = {}, proposed zxid=0x{}",
                self.sid(),
                hex_long(init.1)
            ),
        );
        self.send_notifications();
        self.set_poll(FINALIZE_WAIT_MS);
    }

    fn send_notifications(&mut self) {
        let (leader, zxid, epoch) = self.proposal();
        let round = self.election.logicalclock;
        let voters = self.cfg.participants.clone();
        self.election.last_sent_ms = self.now;
        for to in voters {
            self.election.sent += 1;
            self.log(
                Level::Debug,
                "FastLeaderElection",
                format!(
                    "Sending Notification: {leader} (n.leader), 0x{} (n.zxid), 0x{round:x} (n.round), {to} (recipient), {} (myid), 0x{} (n.peerEpoch) ",
                    hex_long(zxid),
                    self.sid(),
                    hex_long(epoch)
                ),
            );
            self.out.push(super::Output::Notify {
                to,
                n: Notification {
                    sender: self.sid(),
                    state: ServerState::Looking,
                    leader,
                    zxid,
                    round,
                    peer_epoch: epoch,
                    config_version: 0,
                },
            });
        }
    }

    /// Reply to `to` with what we currently stand for.
    fn reply_vote(&mut self, to: Sid) {
        let n = if self.state == ServerState::Looking {
            let (leader, zxid, epoch) = self.proposal();
            Notification {
                sender: self.sid(),
                state: ServerState::Looking,
                leader,
                zxid,
                round: self.election.logicalclock,
                peer_epoch: epoch,
                config_version: 0,
            }
        } else {
            let v = self.current_vote;
            Notification {
                sender: self.sid(),
                state: self.state,
                leader: v.leader,
                zxid: v.zxid,
                round: v.round,
                peer_epoch: v.peer_epoch,
                config_version: 0,
            }
        };
        self.election.sent += 1;
        self.out.push(super::Output::Notify { to, n });
    }

    /// A notification arrives (`WorkerReceiver`, then `lookForLeader`).
    pub(super) fn on_notification(&mut self, n: Notification) {
        self.log(
            Level::Info,
            "FastLeaderElection$Messenger$WorkerReceiver",
            format!(
                "Notification: my state:{}; n.sid:{}, n.state:{}, n.leader:{}, n.round:0x{:x}, n.peerEpoch:0x{}, n.zxid:0x{}, message format version:0x2, n.config version:0x{:x}",
                self.state.name(),
                n.sender,
                n.state.name(),
                n.leader,
                n.round,
                hex_long(n.peer_epoch),
                hex_long(n.zxid),
                n.config_version
            ),
        );
        // Receiver rules.
        if !self.cfg.is_participant(n.sender) {
            // A non-voter gets our current vote at once and nothing else.
            self.reply_vote(n.sender);
            return;
        }
        if self.state != ServerState::Looking {
            if n.state == ServerState::Looking {
                self.reply_vote(n.sender);
            }
            return;
        }
        if n.state == ServerState::Looking && n.round < self.election.logicalclock {
            self.reply_vote(n.sender);
        }
        // lookForLeader.
        if self.election.finalizing {
            if self.total_order((n.leader, n.zxid, n.peer_epoch), self.proposal()) {
                // Pushed back: the main loop handles it.
                self.election.finalizing = false;
                self.cancel_timer(TimerKind::Finalize);
            } else {
                self.set_timer(TimerKind::Finalize, FINALIZE_WAIT_MS);
                return;
            }
        }
        self.election_main_loop(n);
        if self.state == ServerState::Looking && !self.election.finalizing {
            let t = self.election.not_timeout_ms;
            self.set_poll(t);
        }
    }

    /// One turn of `lookForLeader`'s loop for a notification from a voter:
    /// by the sender's state (`case LOOKING`, `case FOLLOWING`/`LEADING`;
    /// an observer's notification is ignored).
    fn election_main_loop(&mut self, n: Notification) {
        if n.leader < 0 || !self.cfg.is_participant(n.leader as Sid) {
            self.log(
                Level::Warn,
                "FastLeaderElection",
                format!(
                    "Ignoring notification for non-cluster member sid {} from sid {}",
                    n.leader, n.sender
                ),
            );
            return;
        }
        match n.state {
            ServerState::Looking => self.received_looking_notification(n),
            ServerState::Observing => {}
            ServerState::Following | ServerState::Leading => {
                self.received_following_notification(n);
            }
        }
    }

    /// `case LOOKING`: a newer round restarts ours with the better of the
    /// two votes, an older one is dropped, the same round adopts a better
    /// vote; the vote is recorded, and when a quorum agrees with ours the
    /// finalize wait starts.
    fn received_looking_notification(&mut self, n: Notification) {
        let nv = (n.leader, n.zxid, n.peer_epoch);
        let clock = self.election.logicalclock;
        if n.round > clock {
            self.election.logicalclock = n.round;
            self.election.recvset.clear();
            let init = self.initial_vote();
            let best = if self.total_order(nv, init) { nv } else { init };
            self.update_proposal(best);
            self.send_notifications();
        } else if n.round < clock {
            self.log(
                Level::Debug,
                "FastLeaderElection",
                format!(
                    "Notification election epoch is smaller than logicalclock. n.electionEpoch = 0x{:x}, logicalclock=0x{:x}",
                    n.round, clock
                ),
            );
            return;
        } else if self.total_order(nv, self.proposal()) {
            self.update_proposal(nv);
            self.send_notifications();
        }
        self.log(
            Level::Debug,
            "FastLeaderElection",
            format!(
                "Adding vote: from={}, proposed leader={}, proposed zxid=0x{}, proposed election epoch=0x{:x}",
                n.sender,
                n.leader,
                hex_long(n.zxid),
                n.round
            ),
        );
        self.election.recvset.insert(
            n.sender,
            Vote {
                state: ServerState::Looking,
                ..n.vote()
            },
        );
        let (leader, zxid, epoch) = self.proposal();
        let target = Vote {
            leader,
            zxid,
            round: self.election.logicalclock,
            peer_epoch: epoch,
            state: ServerState::Looking,
        };
        if self.votes_form_quorum(&self.election.recvset, &target) {
            self.election.finalizing = true;
            self.election.poll_due_ms = 0;
            self.cancel_timer(TimerKind::ElectionPoll);
            self.set_timer(TimerKind::Finalize, FINALIZE_WAIT_MS);
        }
    }

    /// `getVoteTracker(...).hasAllQuorums()` for one verifier.
    fn votes_form_quorum(&self, votes: &BTreeMap<Sid, Vote>, target: &Vote) -> bool {
        let strict = self.cfg.variant("bug_zk1732_strict_vote_equality");
        let agreeing = votes
            .iter()
            .filter(|(_, v)| v.same_as(target, strict))
            .map(|(s, _)| s);
        self.cfg.is_quorum(agreeing)
    }

    /// `checkLeader`.
    fn check_leader(&self, votes: &BTreeMap<Sid, Vote>, leader: i64, round: u64) -> bool {
        if leader != self.sid() as i64 {
            match votes.get(&(leader as Sid)) {
                Some(v) => v.state == ServerState::Leading,
                None => false,
            }
        } else {
            self.election.logicalclock == round
        }
    }

    /// `case FOLLOWING`/`LEADING`: a vote of the same round may complete
    /// a quorum with a leader that is up; otherwise the out-of-election
    /// votes may show the ensemble already follows someone.
    fn received_following_notification(&mut self, n: Notification) {
        let nv = n.vote();
        if n.round == self.election.logicalclock {
            self.election.recvset.insert(n.sender, nv);
            if self.votes_form_quorum(&self.election.recvset, &nv)
                && self.check_leader(&self.election.recvset, n.leader, n.round)
            {
                self.decide(n.leader, n.zxid, n.round, n.peer_epoch);
                return;
            }
        }
        self.election.outofelection.insert(n.sender, nv);
        if self.votes_form_quorum(&self.election.outofelection, &nv)
            && self.check_leader(&self.election.outofelection, n.leader, n.round)
        {
            self.election.logicalclock = n.round;
            self.decide(n.leader, n.zxid, n.round, n.peer_epoch);
        }
    }

    /// An empty `poll(notTimeout)`: resend, back off.
    pub(super) fn election_poll_timeout(&mut self) {
        if self.state != ServerState::Looking || self.election.finalizing {
            return;
        }
        self.send_notifications();
        let t = (self.election.not_timeout_ms * 2).min(MAX_NOTIFICATION_INTERVAL_MS);
        self.election.not_timeout_ms = t;
        self.log(
            Level::Info,
            "FastLeaderElection",
            format!("Notification time out: {t} ms"),
        );
        self.set_poll(t);
    }

    /// `recvqueue.poll(notTimeout)` begins: it ends after `t` ms unless a
    /// notification comes first.
    fn set_poll(&mut self, t: u64) {
        self.election.poll_due_ms = self.now + t;
        self.set_timer(TimerKind::ElectionPoll, t);
    }

    /// 200 ms of silence in the finalize loop: the proposal wins.
    pub(super) fn election_finalize_timeout(&mut self) {
        if self.state != ServerState::Looking || !self.election.finalizing {
            return;
        }
        let (leader, zxid, epoch) = self.proposal();
        let round = self.election.logicalclock;
        self.decide(leader, zxid, round, epoch);
    }

    /// `setPeerState` + `leaveInstance`, then run the role.
    fn decide(&mut self, leader: i64, zxid: i64, round: u64, peer_epoch: i64) {
        self.election.poll_due_ms = 0;
        self.election.decided_ms = self.now;
        self.cancel_timer(TimerKind::ElectionPoll);
        self.cancel_timer(TimerKind::Finalize);
        self.election.finalizing = false;
        let elapsed = self.now - self.election.started_ms;
        self.stats_role_started(elapsed);
        let me = self.sid() as i64;
        let state = if leader == me {
            ServerState::Leading
        } else if self.cfg.is_observer() {
            ServerState::Observing
        } else {
            ServerState::Following
        };
        self.state = state;
        self.current_vote = Vote {
            leader,
            zxid,
            round,
            peer_epoch,
            state,
        };
        let lower = state.name().to_lowercase();
        self.log(
            Level::Info,
            "QuorumPeer",
            format!("Peer state changed: {lower}"),
        );
        self.log(Level::Info, "QuorumPeer", state.name().to_string());
        match state {
            ServerState::Leading => {
                self.log(
                    Level::Info,
                    "Leader",
                    format!("LEADING - LEADER ELECTION TOOK - {elapsed} MS"),
                );
                self.lead();
            }
            ServerState::Following => {
                self.log(
                    Level::Info,
                    "Follower",
                    format!("FOLLOWING - LEADER ELECTION TOOK - {elapsed} MS"),
                );
                self.follow(leader as Sid);
            }
            ServerState::Observing => {
                self.log(
                    Level::Info,
                    "Observer",
                    format!("OBSERVING - LEADER ELECTION TOOK - {elapsed} MS"),
                );
                self.follow(leader as Sid);
            }
            ServerState::Looking => {}
        }
    }
}
