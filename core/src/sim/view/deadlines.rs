//! The deadlines that decide what a server does next, as ZooKeeper counts
//! them, for the app to draw around each server (as RaftScope draws its
//! election timeouts):
//!
//! - LOOKING: `FastLeaderElection.lookForLeader`'s `recvqueue.poll(notTimeout)`
//!   (no notification in time: resend and double notTimeout, 200 ms up to
//!   `maxNotificationInterval`, 60 s) or, once a quorum agrees, the
//!   `finalizeWait` poll (200 ms without a better vote: the proposal wins);
//!   an observer's `observer.election.DelayMs` before it looks;
//! - a learner (`Learner.connectToLeader`, `syncWithLeader`, `Follower`):
//!   the pause between connection attempts, the `initLimit × tickTime`
//!   window while it connects and syncs, then the socket read timeout of
//!   `syncLimit × tickTime` since its last packet from the leader;
//! - the leader (`Leader.lead`): its discovery waits (`getEpochToPropose`,
//!   `waitForEpochAck`, `waitForNewLeaderAck`, `initLimit × tickTime`),
//!   then the synced-quorum check once per tick and the tick at which,
//!   if no learner is heard again, fewer than a quorum are synced and it
//!   gives up; each `LearnerHandler`'s read timeout or wait; the next
//!   session to expire (`SessionTrackerImpl`);
//! - a paused server (GC stall): when it resumes.
//!
//! Contract: read-only. Everything comes from the queued events (each
//! timer's due time and the time it was set) and the servers' state (a
//! timer the server no longer holds is stale or cancelled and not shown);
//! nothing here draws from the RNG, schedules or changes a server, so the
//! trace is the same whether or not the views are asked (tested below and
//! by the reference hashes). Deterministic order: by sid, the deciding
//! deadline first, then by due time.

use std::collections::BTreeMap;

use super::super::{Event, Simulation};
use crate::proto::{ServerState, Sid};
use crate::server::{
    Handler, HandlerPhase, Input, LeaderPhase, LeaderState, LearnerPhase, LearnerState, Server,
    TimerKind,
};

/// What a deadline is, in ZooKeeper's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    /// `recvqueue.poll(notTimeout)`: with no notification by then, the
    /// server sends its vote again and doubles `notTimeout` (now
    /// `interval_ms`; 200 ms doubling up to 60 s).
    NotificationTimeout { interval_ms: u64 },
    /// `finalizeWait` (200 ms): a quorum agrees with the proposal; unless a
    /// better vote arrives by then, it wins.
    FinalizeWait,
    /// `zookeeper.observer.election.DelayMs` before an observer looks.
    ObserverDelay,
    /// `connectToLeader`'s pause before the next try (`tries` made).
    ConnectRetry { tries: u32 },
    /// A learner connecting and syncing: `initLimit × tickTime` (the
    /// connect window, then the socket read timeout until NEWLEADER).
    LearnerInitLimit,
    /// A learner after NEWLEADER: the socket read timeout,
    /// `syncLimit × tickTime` since its last packet from the leader.
    LearnerSyncLimit,
    /// The leader's discovery wait for a quorum (`initLimit × tickTime`):
    /// `getEpochToPropose`, `waitForEpochAck` or `waitForNewLeaderAck`.
    LeaderWait { phase: LeaderPhase },
    /// `Leader.lead`'s synced-quorum check, once per tick (the next one,
    /// tick number `tick`).
    TickCheck { tick: u64 },
    /// The check at which fewer than a quorum would be synced (no learner
    /// heard within `syncLimit` ticks) and the leader gives up, if nothing
    /// arrives before; `synced` learners keep it until then.
    SyncedQuorum { synced: usize },
    /// A `LearnerHandler` on the leader: its read timeout on learner
    /// `learner` (`initLimit` before the learner is synced, `syncLimit`
    /// after), or its wait in a discovery barrier (`init`).
    HandlerRead { learner: Option<Sid>, init: bool },
    /// The leader's next session expiry (`SessionTrackerImpl`): `session`
    /// is closed then unless its client is heard from.
    SessionExpiry { session: u64, timeout_ms: u64 },
    /// A paused server (a GC stall) resumes.
    Resume,
}

/// One pending deadline of one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub sid: Sid,
    pub kind: DeadlineKind,
    /// When the wait began (the timer was set, the last packet arrived).
    pub start_ms: u64,
    /// When it is due (at or before `start_ms` when already overdue is
    /// impossible: `due_ms >= start_ms` always).
    pub due_ms: u64,
    /// The deadline that decides what this server does next (one per
    /// server at most; drawn as its ring).
    pub decides: bool,
}

/// The live queued timers of one server: kind → (due, set at).
type Timers = BTreeMap<TimerKind, (u64, u64)>;

impl Simulation {
    /// Every server's pending deadlines now (see the module doc).
    pub fn deadlines(&self) -> Vec<Deadline> {
        let timers = self.live_timers();
        let mut out = Vec::new();
        for n in &self.nodes {
            if !n.up || !n.server.running {
                continue;
            }
            let empty = Timers::new();
            let t = timers.get(&n.sid).unwrap_or(&empty);
            let mut mine = Vec::new();
            if let Some(until) = n.paused_until {
                let start = self.resume_set_at(n.sid).unwrap_or(self.now_ms);
                mine.push(deadline(n.sid, DeadlineKind::Resume, start, until));
            }
            server_deadlines(&n.server, t, &mut mine);
            crate::sorting::sort_by_key(&mut mine, |d| (rank(d.kind), d.due_ms));
            if let Some(first) = mine.first_mut() {
                first.decides = decisive(first.kind);
            }
            out.extend(mine);
        }
        out
    }

    /// The queued timers each running server still holds (its latest token
    /// of that kind), by sid.
    fn live_timers(&self) -> BTreeMap<Sid, Timers> {
        let mut out: BTreeMap<Sid, Timers> = BTreeMap::new();
        for q in self.queue.iter() {
            let Event::Server {
                sid,
                inc,
                input: Input::Timer { kind, token },
            } = q.event
            else {
                continue;
            };
            let Some(n) = self.node(*sid) else {
                continue;
            };
            if n.inc == *inc && n.server.live_timer(*kind) == Some(*token) {
                out.entry(*sid)
                    .or_default()
                    .insert(*kind, (q.time_ms, q.sent_ms));
            }
        }
        out
    }

    /// When the queued resume of a paused server was scheduled (the pause
    /// began).
    fn resume_set_at(&self, sid: Sid) -> Option<u64> {
        self.queue.iter().find_map(|q| match q.event {
            Event::Resume { sid: s, .. } if *s == sid => Some(q.sent_ms),
            _ => None,
        })
    }
}

fn deadline(sid: Sid, kind: DeadlineKind, start_ms: u64, due_ms: u64) -> Deadline {
    Deadline {
        sid,
        kind,
        start_ms: start_ms.min(due_ms),
        due_ms,
        decides: false,
    }
}

/// Which deadline comes first in a server's list: what decides its next
/// step before the others.
fn rank(k: DeadlineKind) -> u8 {
    match k {
        DeadlineKind::Resume => 0,
        DeadlineKind::FinalizeWait
        | DeadlineKind::NotificationTimeout { .. }
        | DeadlineKind::ObserverDelay => 1,
        DeadlineKind::LearnerInitLimit | DeadlineKind::LearnerSyncLimit => 2,
        DeadlineKind::ConnectRetry { .. } => 3,
        DeadlineKind::LeaderWait { .. } => 4,
        DeadlineKind::SyncedQuorum { .. } => 5,
        DeadlineKind::TickCheck { .. } => 6,
        DeadlineKind::SessionExpiry { .. } => 7,
        DeadlineKind::HandlerRead { .. } => 8,
    }
}

/// Whether a kind can be the one that decides (a session expiry or a
/// handler's timeout changes a client or one learner, not the server).
fn decisive(k: DeadlineKind) -> bool {
    rank(k) <= 6
}

fn server_deadlines(s: &Server, t: &Timers, out: &mut Vec<Deadline>) {
    let sid = s.sid();
    let timer = |kind: TimerKind| t.get(&kind).copied();
    if s.state == ServerState::Looking {
        if let Some((due, set)) = timer(TimerKind::Finalize) {
            out.push(deadline(sid, DeadlineKind::FinalizeWait, set, due));
        }
        if let Some((due, set)) = timer(TimerKind::ElectionPoll) {
            let interval_ms = s.election.not_timeout_ms;
            let kind = DeadlineKind::NotificationTimeout { interval_ms };
            out.push(deadline(sid, kind, set, due));
        }
        if let Some((due, set)) = timer(TimerKind::ObserverDelay) {
            out.push(deadline(sid, DeadlineKind::ObserverDelay, set, due));
        }
    }
    if let Some(l) = s.learner() {
        learner_deadlines(s, l, t, out);
    }
    if let Some(l) = s.leader() {
        leader_deadlines(s, l, t, out);
    }
}

fn learner_deadlines(s: &Server, l: &LearnerState, t: &Timers, out: &mut Vec<Deadline>) {
    let sid = s.sid();
    let init = s.cfg.init_timeout_ms();
    if l.phase == LearnerPhase::Connecting {
        // `connectToLeader` tries while `initLimit` has not passed.
        let kind = DeadlineKind::LearnerInitLimit;
        out.push(deadline(
            sid,
            kind,
            l.connect_started_ms,
            l.connect_started_ms + init,
        ));
        if let Some(&(due, set)) = t.get(&TimerKind::LearnerConnect) {
            let kind = DeadlineKind::ConnectRetry { tries: l.tries };
            out.push(deadline(sid, kind, set, due));
        }
        return;
    }
    if s.live_timer(TimerKind::LearnerRead).is_some() {
        // The read timer wakes up early and re-arms itself: the deadline is
        // the last packet plus the socket timeout (set to syncLimit at
        // NEWLEADER).
        let after_newleader = matches!(
            l.phase,
            LearnerPhase::WaitNewLeaderFsync | LearnerPhase::WaitUpToDate | LearnerPhase::Broadcast
        );
        let kind = if after_newleader {
            DeadlineKind::LearnerSyncLimit
        } else {
            DeadlineKind::LearnerInitLimit
        };
        out.push(deadline(
            sid,
            kind,
            l.last_recv_ms,
            l.last_recv_ms + l.read_timeout_ms,
        ));
    }
}

fn leader_deadlines(s: &Server, l: &LeaderState, t: &Timers, out: &mut Vec<Deadline>) {
    let sid = s.sid();
    let tick_ms = s.cfg.tick_ms.max(1);
    if let Some(&(due, _)) = t.get(&TimerKind::LeaderWait) {
        if l.phase != LeaderPhase::Broadcast {
            let kind = DeadlineKind::LeaderWait { phase: l.phase };
            out.push(deadline(sid, kind, l.wait_started_ms, due));
        }
    }
    if let Some(&(wake, _)) = t.get(&TimerKind::LeaderTick) {
        // Every other half-tick wake-up counts a tick and checks.
        let half = (tick_ms / 2).max(1);
        let next = if l.tick_skip { wake + half } else { wake };
        let kind = DeadlineKind::TickCheck { tick: l.tick + 1 };
        out.push(deadline(sid, kind, next.saturating_sub(tick_ms), next));
        if let Some((due, synced)) = quorum_lost_at(s, l, next) {
            let start = due.saturating_sub(s.cfg.sync_timeout_ms());
            out.push(deadline(
                sid,
                DeadlineKind::SyncedQuorum { synced },
                start,
                due,
            ));
        }
    }
    for h in l.handlers.values() {
        if let Some((start, due)) = handler_window(s, h) {
            let init =
                h.phase != HandlerPhase::Running || h.read_timeout_ms != s.cfg.sync_timeout_ms();
            let kind = DeadlineKind::HandlerRead {
                learner: h.sid,
                init,
            };
            out.push(deadline(sid, kind, start, due));
        }
    }
    if l.established_ms.is_some() {
        let next = l
            .session_deadlines
            .iter()
            .filter(|(s, _)| !l.closing.contains(s))
            .min_by_key(|(s, d)| (**d, **s));
        if let Some((&session, &due)) = next {
            let timeout_ms = s.tree.sessions.get(&session).copied().unwrap_or(0) as u64;
            let kind = DeadlineKind::SessionExpiry {
                session,
                timeout_ms,
            };
            out.push(deadline(sid, kind, due.saturating_sub(timeout_ms), due));
        }
    }
}

/// A `LearnerHandler`'s pending wait, (start, due): its discovery barrier
/// (`initLimit`) or its socket read timeout since its last packet. At the
/// due time, unless something arrives, the handler closes and the learner
/// leaves the leader's synced set.
fn handler_window(s: &Server, h: &Handler) -> Option<(u64, u64)> {
    match h.phase {
        HandlerPhase::WaitStartup => None,
        HandlerPhase::WaitEpoch
        | HandlerPhase::WaitElectionFinished
        | HandlerPhase::WaitNewLeaderQuorum => {
            let start = h.wait_deadline_ms.saturating_sub(s.cfg.init_timeout_ms());
            Some((start, h.wait_deadline_ms))
        }
        _ => Some((h.last_recv_ms, h.last_recv_ms + h.read_timeout_ms)),
    }
}

/// When the leader's synced-quorum check first fails if no learner is
/// heard again (the check at `next` counts tick `l.tick + 1`, then one per
/// tick), and how many learners are synced now. A learner stays in the
/// synced set at tick k while k ≤ its `tickOfNextAckDeadline` and its
/// handler has not closed (read timeout) before that check. None when no
/// tick ever loses it.
fn quorum_lost_at(s: &Server, l: &LeaderState, next: u64) -> Option<(u64, usize)> {
    let me = s.sid();
    let tick_ms = s.cfg.tick_ms.max(1);
    let first = l.tick + 1;
    let time_of = |k: u64| next + (k - first) * tick_ms;
    // Per learner: its last tick in the synced set, by either limit.
    let last_tick: Vec<(Sid, u64)> = l
        .handlers
        .values()
        .filter_map(|h| {
            let sid = h.sid?;
            let mut last = h.tick_of_next_ack_deadline;
            if let Some((_, closes)) = handler_window(s, h) {
                // The first check at or after the close no longer sees it.
                let gone = if closes <= next {
                    first
                } else {
                    first + (closes - next).div_ceil(tick_ms)
                };
                last = last.min(gone.saturating_sub(1));
            }
            Some((sid, last))
        })
        .collect();
    let synced = last_tick.iter().filter(|(_, d)| l.tick < *d).count();
    let mut candidates: Vec<u64> = last_tick.iter().map(|(_, d)| d + 1).collect();
    candidates.push(first);
    crate::sorting::sort(&mut candidates);
    candidates.dedup();
    candidates
        .into_iter()
        .filter(|&k| k >= first)
        .find(|&k| {
            let mut set: Vec<Sid> = vec![me];
            set.extend(last_tick.iter().filter(|(_, d)| k <= *d).map(|(s, _)| *s));
            !s.cfg.is_quorum(&set)
        })
        .map(|k| (time_of(k), synced))
}

#[cfg(test)]
mod tests;
