//! The app's optional history of delivered messages and server state
//! changes, for the space-time diagram.
//!
//! Contract:
//! - Written only by the two hooks of [`Simulation::step`]: `view_before`
//!   reads the event about to be handled (and what will become of it,
//!   `outcome_of`, which follows `handle`'s rules without applying them);
//!   `view_after` reads the servers the event may have changed. Neither
//!   draws from the RNG, schedules or changes anything else: the trace is
//!   the same with the history on or off.
//! - Off by default; [`Simulation::record_history`] turns it on with a
//!   bound (the oldest chunks of [`Recent`] are dropped).
//! - Besides messages and states it keeps each server's last vote change
//!   (`view/votes.rs`): the vote before and after each event that may
//!   change it, and the notification handled as its cause.

use serde::Serialize;

use super::votes::{ballot_of, reason, Ballot, VoteChange};
use super::{MsgDetail, MsgKind, Peer, Recent};
use crate::proto::{ServerState, Sid, ZabState};
use crate::server::Input;
use crate::sim::{ClientEv, Event, Scheduled, Simulation};

/// What became of a delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The receiver handled it.
    Handled,
    /// The receiver is paused (GC stall): it waits there until it resumes.
    Held,
    /// Nobody took it: the receiver died or restarted, or the connection
    /// was closed meanwhile.
    Lost,
}

/// One message of the history (compact: the space-time diagram keeps many).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MsgRecord {
    pub sent_ms: u64,
    pub at_ms: u64,
    pub from: Peer,
    pub to: Peer,
    pub kind: MsgKind,
    pub outcome: Outcome,
    pub detail: MsgDetail,
}

/// What a server is, as the cluster view draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Life {
    Down,
    Paused,
    Running,
}

/// A server's state from some moment on (the space-time lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateRecord {
    pub at_ms: u64,
    pub sid: Sid,
    pub life: Life,
    pub state: ServerState,
    pub zab_state: ZabState,
    pub current_epoch: u32,
}

/// The history the two `step` hooks write (off until `record_history`).
#[derive(Debug, Clone)]
pub(in crate::sim) struct History {
    on: bool,
    messages: Recent<MsgRecord>,
    states: Recent<StateRecord>,
    /// The last recorded state per server, by node index.
    last: Vec<Option<StateRecord>>,
    /// Which nodes the event being handled may change: None = none,
    /// Some(None) = all (an action), Some(Some(i)) = node i.
    touched: Option<Option<usize>>,
    /// Per node: the vote it stood for after the last event that touched
    /// it (None while it is down), and whether it was LOOKING.
    votes: Vec<Option<(Ballot, bool)>>,
    /// Per node: its vote's last change.
    vote_changes: Vec<Option<VoteChange>>,
    /// The notification being handled (sender, round), if the event is one.
    cause: Option<(Sid, u64)>,
}

impl Default for History {
    fn default() -> Self {
        History {
            on: false,
            messages: Recent::new(0),
            states: Recent::new(0),
            last: Vec::new(),
            touched: None,
            votes: Vec::new(),
            vote_changes: Vec::new(),
            cause: None,
        }
    }
}

impl History {
    /// Node `i`'s last vote change (None with the history off).
    pub(in crate::sim) fn vote_change(&self, i: usize) -> Option<VoteChange> {
        self.vote_changes.get(i).copied().flatten()
    }
}

impl Simulation {
    /// Turns the message and state history on, keeping about the last
    /// `messages` messages (and as many state changes). 0 turns it off and
    /// forgets it. Changes nothing in the run.
    pub fn record_history(&mut self, messages: usize) {
        self.history = History::default();
        if messages > 0 {
            self.history.on = true;
            self.history.messages = Recent::new(messages);
            self.history.states = Recent::new(messages);
            self.history.last = vec![None; self.nodes.len()];
            self.history.votes = vec![None; self.nodes.len()];
            self.history.vote_changes = vec![None; self.nodes.len()];
            for i in 0..self.nodes.len() {
                self.note_state(i);
                self.note_vote(i);
            }
        }
    }

    /// Forgets every message of the history so far, and keeps recording
    /// (the state changes stay). For checkpoints: a replay from one records
    /// the messages after it. Changes nothing in the run.
    pub fn forget_message_history(&mut self) {
        self.history.messages.clear();
    }

    /// Delivered messages, in delivery order (empty when the history is off).
    pub fn message_history(&self) -> &Recent<MsgRecord> {
        &self.history.messages
    }

    /// Server state changes, in time order (empty when the history is off).
    /// The first record of each server is its state when recording began.
    pub fn state_history(&self) -> &Recent<StateRecord> {
        &self.history.states
    }

    /// What will become of a message event handled now (read before
    /// `handle`, following its rules).
    fn outcome_of(&self, event: &Event) -> Outcome {
        match event {
            Event::Server { sid, inc, input } => {
                let Ok(i) = self.idx(*sid) else {
                    return Outcome::Lost;
                };
                let n = &self.nodes[i];
                if !n.up || n.inc != *inc {
                    return Outcome::Lost;
                }
                if n.paused_until.is_some() {
                    return Outcome::Held;
                }
                match input {
                    Input::Packet { conn, .. } | Input::Closed { conn } => {
                        let reset =
                            matches!(input, Input::Closed { .. }) && !self.conns.contains_key(conn);
                        let open = reset
                            || self.conns.get(conn).is_some_and(|c| {
                                (c.a == *sid && c.open[0] && c.a_inc == *inc)
                                    || (c.b == *sid && c.open[1] && c.b_inc == *inc)
                            });
                        if open {
                            Outcome::Handled
                        } else {
                            Outcome::Lost
                        }
                    }
                    _ => Outcome::Handled,
                }
            }
            Event::Client { id, gen, ev } => {
                let live = self.clients.iter().find(|c| c.id == *id).is_some_and(|c| {
                    c.gen == *gen
                        && match ev {
                            ClientEv::FromServer(sid, _) => c.server == *sid,
                            _ => true,
                        }
                });
                if live {
                    Outcome::Handled
                } else {
                    Outcome::Lost
                }
            }
            _ => Outcome::Handled,
        }
    }

    /// Hook 1 of `step`: the event `next` is about to be handled.
    pub(in crate::sim) fn view_before(&mut self, next: &Scheduled) {
        if !self.history.on {
            return;
        }
        self.history.touched = match &next.event {
            Event::Action(_) => Some(None),
            Event::Server { sid, .. } | Event::Resume { sid, .. } => self.idx(*sid).ok().map(Some),
            _ => None,
        };
        self.history.cause = match &next.event {
            Event::Server {
                input: Input::Election(n),
                ..
            } => Some((n.sender, n.round)),
            _ => None,
        };
        // A message handled after a pause was recorded when it arrived
        // (Held); the resume reschedules it in class 0.
        if next.class == 0 {
            return;
        }
        if let Some((from, to, kind, detail)) = self.message_of(&next.event) {
            let outcome = self.outcome_of(&next.event);
            self.history.messages.push(MsgRecord {
                sent_ms: next.sent_ms,
                at_ms: next.time_ms,
                from,
                to,
                kind,
                outcome,
                detail,
            });
        }
    }

    /// Hook 2 of `step`: the event was handled; note state changes.
    pub(in crate::sim) fn view_after(&mut self) {
        if !self.history.on {
            return;
        }
        match self.history.touched.take() {
            None => {}
            Some(Some(i)) => {
                self.note_state(i);
                self.note_vote(i);
            }
            Some(None) => {
                for i in 0..self.nodes.len() {
                    self.note_state(i);
                    self.note_vote(i);
                }
            }
        }
    }

    /// Notes node `i`'s vote; a change (while it runs) is kept with its
    /// reason.
    fn note_vote(&mut self, i: usize) {
        let n = &self.nodes[i];
        let s = &n.server;
        let now = (n.up && s.running).then(|| (ballot_of(s), s.state == ServerState::Looking));
        let Some(slot) = self.history.votes.get_mut(i) else {
            return;
        };
        let before = std::mem::replace(slot, now);
        let (Some((from, was_looking)), Some((to, _))) = (before, now) else {
            if before.is_none() && now.is_some() {
                // Started: a new election from nothing.
                self.history.vote_changes[i] = None;
            }
            return;
        };
        if from != to {
            let cause = self.history.cause;
            self.history.vote_changes[i] = Some(VoteChange {
                at_ms: self.now_ms,
                from,
                to,
                reason: reason(from, to, was_looking, s.state, cause),
                cause: cause.map(|(sid, _)| sid),
            });
        }
    }

    fn note_state(&mut self, i: usize) {
        let n = &self.nodes[i];
        let s = &n.server;
        let life = if !(n.up && s.running) {
            Life::Down
        } else if n.paused_until.is_some() {
            Life::Paused
        } else {
            Life::Running
        };
        let rec = StateRecord {
            at_ms: self.now_ms,
            sid: n.sid,
            life,
            state: s.state,
            zab_state: s.zab_state,
            current_epoch: s.current_epoch(),
        };
        let same = self
            .history
            .last
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|l| {
                (l.life, l.state, l.zab_state, l.current_epoch)
                    == (rec.life, rec.state, rec.zab_state, rec.current_epoch)
            });
        if !same {
            if let Some(slot) = self.history.last.get_mut(i) {
                *slot = Some(rec);
            }
            self.history.states.push(rec);
        }
    }
}
