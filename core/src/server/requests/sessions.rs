//! Session tracking: `SessionTrackerImpl` on the leader (an `ExpiryQueue`
//! at tick granularity: deadline = now + timeout rounded up to the next
//! tick; expiry submits a global closeSession) and `LearnerSessionTracker`'s
//! touch table on a learner (sent to the leader in PING replies).
//!
//! It owns the leader's session deadlines and the expiry timer; it never
//! closes a session itself: expiry goes through the request pipeline.

use crate::proto::{Request, RequestOp, ServerState};
use crate::server::{Level, Role, Server, TimerKind};
use crate::txn::{Txn, TxnOp};

impl Server {
    /// A session shows life on this server.
    pub(super) fn touch(&mut self, session: u64, timeout_ms: u64) {
        match &mut self.role {
            Role::Leader(_) => self.touch_session_at_leader(session, timeout_ms),
            Role::Learner(l) => {
                l.touches.insert(session, timeout_ms as u32);
            }
            Role::None => {}
        }
    }

    /// `SessionTrackerImpl.touchSession` on the leader: only a tracked,
    /// not closing session moves to a later bucket.
    pub(in crate::server) fn touch_session_at_leader(&mut self, session: u64, timeout_ms: u64) {
        let tick = self.cfg.tick_ms.max(1);
        let deadline = (self.now + timeout_ms) / tick * tick + tick;
        if let Role::Leader(l) = &mut self.role {
            if l.closing.contains(&session) {
                return;
            }
            if let Some(d) = l.session_deadlines.get_mut(&session) {
                *d = (*d).max(deadline);
            }
        }
        self.arm_session_expiry();
    }

    /// `SessionTrackerImpl.trackSession` / `addSession`.
    pub(in crate::server) fn track_session_at_leader(&mut self, session: u64, timeout_ms: u64) {
        if let Role::Leader(l) = &mut self.role {
            l.session_deadlines.insert(session, 0);
        }
        self.touch_session_at_leader(session, timeout_ms);
    }

    pub(in crate::server) fn arm_session_expiry(&mut self) {
        let now = self.now;
        let next = self
            .leader()
            .filter(|l| l.established_ms.is_some())
            .and_then(|l| l.session_deadlines.values().min().copied());
        if let Some(at) = next {
            let current = self.timers.contains_key(&TimerKind::SessionExpiry);
            if !current || self.session_timer_at.is_none_or(|t| at < t) {
                self.session_timer_at = Some(at);
                self.set_timer(TimerKind::SessionExpiry, at.saturating_sub(now));
            }
        }
    }

    /// `SessionTrackerImpl.run`: expire every session whose bucket is due.
    pub(in crate::server) fn session_expiry_check(&mut self) {
        self.session_timer_at = None;
        let now = self.now;
        let due: Vec<(u64, u64)> = self
            .leader()
            .map(|l| {
                l.session_deadlines
                    .iter()
                    .filter(|(_, d)| **d <= now)
                    .map(|(s, _)| (*s, self.tree.sessions.get(s).copied().unwrap_or(0) as u64))
                    .collect()
            })
            .unwrap_or_default();
        for (session, timeout) in due {
            if let Role::Leader(l) = &mut self.role {
                l.session_deadlines.remove(&session);
            }
            self.log(
                Level::Info,
                "ZooKeeperServer",
                format!("Expiring session 0x{session:x}, timeout of {timeout}ms exceeded"),
            );
            self.log(
                Level::Info,
                "QuorumZooKeeperServer",
                format!("Submitting global closeSession request for session 0x{session:x}"),
            );
            self.leader_submit(Request {
                session,
                cxid: 0,
                op: RequestOp::CloseSession,
            });
        }
        self.arm_session_expiry();
    }

    /// A session txn was applied: a closed session leaves the leader's
    /// tracker; a created one is committed as global
    /// (`LeaderSessionTracker` / `LearnerSessionTracker`).
    pub(super) fn session_applied(&mut self, txn: &Txn) {
        if let Role::Leader(l) = &mut self.role {
            if let TxnOp::CloseSession { .. } = txn.op {
                l.session_deadlines.remove(&txn.session);
                l.closing.remove(&txn.session);
            }
        }
        if let TxnOp::CreateSession { .. } = txn.op {
            if self.state == ServerState::Leading {
                self.log(
                    Level::Info,
                    "LeaderSessionTracker",
                    format!("Committing global session 0x{:x}", txn.session),
                );
            } else {
                self.log(
                    Level::Info,
                    "LearnerSessionTracker",
                    format!("Committing global session 0x{:x}", txn.session),
                );
            }
        }
    }
}
