//! One `LearnerHandler` outside its sync: the learner's connection is
//! accepted, FOLLOWERINFO/OBSERVERINFO → LEADERINFO, ACKEPOCH, the
//! NEWLEADER ACK → UPTODATE, then the broadcast-time packets (ACK, PING,
//! REQUEST); its read timeouts and its end (`LearnerHandler.run`,
//! `LearnerHandler.shutdown`), and `SyncLimitCheck`.
//!
//! A handler blocked in one of the leader's waits defers the packets it
//! receives (TCP would hold them) and drains them when released. It never
//! decides the sync (`super::sync`) nor commits (`super::broadcast`).

use std::collections::VecDeque;

use super::{Handler, HandlerPhase};
use crate::proto::{Packet, Sid, SyncMode};
use crate::server::{ConnId, GhostEvent, Level, Output, Server, TimerKind};
use crate::zxid::Zxid;

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

impl Server {
    pub(in crate::server) fn leader_accept(&mut self, conn: ConnId, _from: Sid) {
        let now = self.now;
        let init = self.cfg.init_timeout_ms();
        let (init_limit, sync_limit) = (self.cfg.init_limit, self.cfg.sync_limit);
        let Some(l) = self.leader_mut() else {
            self.out.push(Output::Close { conn });
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
                newleader_sent_ms: 0,
                sync_mode: SyncMode::None,
                sync_limit_check: SyncLimitCheck::default(),
                deferred: VecDeque::new(),
            },
        );
        self.set_timer(TimerKind::Handler(conn), init);
    }

    pub(in crate::server) fn leader_packet(&mut self, conn: ConnId, packet: Packet) {
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

    /// One packet from the learner, by where the handler is
    /// (`LearnerHandler.run`: the handshake reads, then its main loop).
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
            (
                HandlerPhase::Running,
                p @ (Packet::Ack { .. } | Packet::Ping { .. } | Packet::Request { .. }),
            ) => self.handler_running_packet(conn, p),
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

    /// `LearnerHandler.run`'s main loop once the learner is up to date:
    /// ACK (to `Leader.processAck`, checked by `SyncLimitCheck`), PING (the
    /// learner's session touches), REQUEST (to the prep processor).
    fn handler_running_packet(&mut self, conn: ConnId, packet: Packet) {
        match packet {
            Packet::Ack { zxid } => {
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
            Packet::Ping { touches, .. } => {
                for (session, timeout) in touches {
                    self.touch_session_at_leader(session, timeout as u64);
                }
            }
            Packet::Request { request } => self.leader_submit_from(Some(conn), request),
            _ => {}
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

    pub(super) fn handler_send_leaderinfo(&mut self, conn: ConnId, epoch: u32) {
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

    pub(super) fn handler_rearm_read(&mut self, conn: ConnId) {
        let now = self.now;
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let deadline = h.last_recv_ms.max(now.saturating_sub(0)) + h.read_timeout_ms;
        let after = deadline.saturating_sub(now).max(1);
        self.set_timer(TimerKind::Handler(conn), after);
    }

    pub(super) fn handler_drain_deferred(&mut self, conn: ConnId) {
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

    /// Send a packet on a handler, tracking proposals for `SyncLimitCheck`.
    pub(super) fn handler_queue_packet(&mut self, conn: ConnId, p: Packet) {
        let now = self.now;
        if let Packet::Proposal { txn } = &p {
            if let Some(h) = self.handler_mut(conn) {
                h.sync_limit_check.update_proposal(txn.zxid, now);
            }
        }
        self.send(conn, p);
    }

    fn handler_newleader_ack(&mut self, conn: ConnId, zxid: Zxid) {
        let sync_timeout = self.cfg.sync_timeout_ms();
        let now = self.now;
        let Some(h) = self.handler_mut(conn) else {
            return;
        };
        let Some(sid) = h.sid else {
            return;
        };
        h.read_timeout_ms = sync_timeout;
        let age = now.saturating_sub(h.newleader_sent_ms);
        self.log(
            Level::Debug,
            "LearnerHandler",
            format!("Received NEWLEADER-ACK message from {sid}"),
        );
        if age >= sync_timeout && self.cfg.variant("fix_newleader_ack_age") {
            self.handler_refuse_late_ack(conn, sid, age);
            return;
        }
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

    pub(super) fn handler_send_uptodate(&mut self, conn: ConnId) {
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

    pub(in crate::server) fn handler_timer(&mut self, conn: ConnId) {
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

    /// The counter-variant `fix_newleader_ack_age` (not ZooKeeper; the fix
    /// ZabLab proposes for its finding "a paused new leader establishes an
    /// old epoch", docs/FINDINGS.md): an ACK read `syncLimit*tickTime` or
    /// more after this handler sent NEWLEADER is not counted. The learner
    /// set its read timeout to `syncLimit*tickTime` before it sent that
    /// ACK (`Learner.syncWithLeader`) and hears nothing more until
    /// UPTODATE, so by now it has given up on this leader (or will within
    /// one network latency: refusing is safe, it costs only this round)
    /// and may have helped a newer epoch commit; `Leader.waitForNewLeaderAck` has no such
    /// check and counts the ACK however old it is.
    fn handler_refuse_late_ack(&mut self, conn: ConnId, sid: Sid, age: u64) {
        let text = format!(
            "NEWLEADER ACK from sid: {sid} read {age} ms after NEWLEADER, not less than syncLimit*tickTime: the learner has given up, not counted"
        );
        self.log(Level::Warn, "LearnerHandler", text);
        self.handler_close(conn);
    }

    /// The handler ends: close its socket, forget it.
    pub(super) fn handler_close(&mut self, conn: ConnId) {
        self.out.push(Output::Close { conn });
        self.leader_handler_closed(conn);
    }

    pub(in crate::server) fn leader_handler_closed(&mut self, conn: ConnId) {
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
}
