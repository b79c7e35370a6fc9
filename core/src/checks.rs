//! ZAB's safety properties, checked after every event with global
//! knowledge no server has (docs/PROTOCOL.md §14; names from the Apache and NJU
//! TLA+ specs).
//!
//! Inputs per event: an observation of every server ([`ServerObs`]: state,
//! epochs, the txns applied to its tree in order and how many of them it
//! delivered, its txn log, disk sanity counters) and the ghost events the
//! servers emitted ([`GhostEvent`]: proposals, epoch quorums, NEWLEADER
//! ACKs, truncations, inconsistent messages).
//!
//! The checker keeps `committed` (G): the one delivery order every server
//! must follow. A server's delivered sequence must be a prefix of G; each
//! new delivery is compared with G (or extends it). Deliveries are checked
//! incrementally; when a server's delivered sequence was rebuilt (restart,
//! SNAP) it is re-checked from the start.
//!
//! A violation is data ([`Violation`]); each property is reported once per
//! run (its first occurrence). The checker never panics.
//!
//! Layout, by what a property is about:
//! - this file: the observation ([`ServerObs`]), the checker's memory, the
//!   per-event entry points and the observation helpers;
//! - `ghost`: what the servers' ghost events reveal in discovery and sync
//!   (Leadership2, LeaderLogCompleteness, ProcessConsistency,
//!   CommittedLogDurability, ShouldNotBeTriggered);
//! - `delivery`: each delivery against the committed order and the
//!   proposals (Integrity, PrefixConsistency, Agreement, TotalOrder,
//!   Local/GlobalPrimaryOrder);
//! - `state`: the servers' states after the event (Leadership1,
//!   LocalSanity, LeaderPromise, PrimaryIntegrity).
//!
//! Observation only: the checker never changes a server or the run.

mod delivery;
#[cfg(test)]
mod fixtures;
mod ghost;
mod state;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::proto::{ServerState, Sid, ZabState};
use crate::seq::Seq;
use crate::server::GhostEvent;
use crate::txn::{Txn, TxnId};
use crate::zxid::Zxid;

/// Which servers an event changed (see [`Checker::after_event_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// Any of them (an action, a start).
    All,
    /// Only server `i` (the one that handled the event).
    One(usize),
    /// None (a client's event: servers only see it later, as input).
    None,
}

/// What the checks see of one server after an event.
#[derive(Debug, Clone, Copy)]
pub struct ServerObs<'a> {
    pub sid: Sid,
    pub up: bool,
    pub state: ServerState,
    pub zab_state: ZabState,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    /// The leader it follows, when FOLLOWING/OBSERVING.
    pub following: Option<Sid>,
    /// Txns applied to its tree, in order.
    pub applied: &'a Seq<TxnId>,
    /// Every zxid in `applied` is above the one before it.
    pub applied_increasing: bool,
    /// How many of `applied` it delivered (applied as committed).
    pub delivered: usize,
    /// The tree's `lastProcessedZxid` (logged txns above it are history
    /// not yet applied; below it, a snapshot covers them).
    pub last_processed: Zxid,
    pub log: &'a Seq<Arc<Txn>>,
    pub non_increasing_appends: u64,
    pub rollover_appends: u64,
    pub apply_mismatches: u64,
}

/// A property that failed, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub property: String,
    pub at_ms: u64,
    pub event: u64,
    pub servers: Vec<Sid>,
    pub zxids: Vec<Zxid>,
    pub detail: String,
}

/// Every property name this checker can report.
pub const PROPERTIES: &[&str] = &[
    "Leadership1",
    "Leadership2",
    "PrefixConsistency",
    "Integrity",
    "Agreement",
    "TotalOrder",
    "LocalPrimaryOrder",
    "GlobalPrimaryOrder",
    "PrimaryIntegrity",
    "CommittedLogDurability",
    "LeaderLogCompleteness",
    "ProcessConsistency",
    "LocalSanity",
    "LeaderPromise",
    "ShouldNotBeTriggered",
];

#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    checked: usize,
    last: Option<TxnId>,
    /// The epoch it led (Leadership1's sense) at its last check.
    leading: Option<u32>,
    /// (epoch, delivered) when it was a BROADCAST leader at its last check.
    broadcast_leader: Option<(u32, usize)>,
}

/// The checker's memory of the run.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    committed: Seq<TxnId>,
    /// epoch -> proposal digests by counter-1.
    pub(crate) proposals: BTreeMap<u32, Seq<u64>>,
    /// Proposals that clashed with another at the same zxid.
    extra_proposals: BTreeSet<TxnId>,
    epoch_quorum: BTreeMap<u32, Sid>,
    /// The highest epoch each server proposed in a LEADERINFO.
    announced: BTreeMap<Sid, u32>,
    /// Per learner: how long the committed order was when a leader sent
    /// it a TRUNC.
    trunc_sent: BTreeMap<Sid, usize>,
    /// Per server, sorted by sid.
    progress: Vec<(Sid, Progress)>,
    fired: BTreeSet<String>,
    /// Leadership1 fired (then it is not looked for again).
    leadership1_fired: bool,
    /// Where the last follower's leader was among the servers.
    leader_hint: usize,
    pub violations: Vec<Violation>,
}

struct Ctx {
    at_ms: u64,
    event: u64,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// The committed order so far (G).
    pub fn committed(&self) -> &Seq<TxnId> {
        &self.committed
    }

    /// How much of `sid`'s applied history the checks have compared with G
    /// and found in agreement, as it is now: the deliveries checked so far
    /// when the history still ends its checked part with the txn last seen
    /// there, else 0 (rebuilt since, or never checked). With a violation
    /// already reported, 0.
    pub fn settled(&self, sid: Sid, applied: &Seq<TxnId>) -> usize {
        if !self.violations.is_empty() {
            return 0;
        }
        let Ok(i) = self.progress.binary_search_by_key(&sid, |(s, _)| *s) else {
            return 0;
        };
        let p = self.progress[i].1;
        let same = p.checked > 0 && applied.get(p.checked - 1).copied() == p.last;
        if same {
            p.checked
        } else {
            0
        }
    }

    /// Forget the committed order before `index` (whole blocks of it, see
    /// [`Seq::forget_before`]) and the proposals of every epoch older than
    /// the first committed txn still held: no delivery at a held position
    /// can be of an older epoch without breaking GlobalPrimaryOrder against
    /// G. The caller vouches that every history any server holds or can
    /// rebuild agrees with G before `index` (`sim/compact.rs`).
    pub fn forget_before(&mut self, index: usize) {
        let floor = self.committed.forget_before(index);
        let Some(first) = self.committed.get(floor).copied() else {
            return;
        };
        self.proposals = self.proposals.split_off(&first.zxid.epoch());
        self.extra_proposals
            .retain(|t| t.zxid.epoch() >= first.zxid.epoch());
    }

    fn fire(
        &mut self,
        ctx: &Ctx,
        property: &str,
        servers: Vec<Sid>,
        zxids: Vec<Zxid>,
        detail: String,
    ) {
        if self.fired.contains(property) {
            return;
        }
        if property == "Leadership1" {
            self.leadership1_fired = true;
        }
        if self.fired.insert(property.to_string()) {
            self.violations.push(Violation {
                property: property.to_string(),
                at_ms: ctx.at_ms,
                event: ctx.event,
                servers,
                zxids,
                detail,
            });
        }
    }

    /// Reports a failure found outside the per-event checks (the
    /// simulator's liveness expectations), once per property like the rest.
    pub fn report(
        &mut self,
        property: &str,
        at_ms: u64,
        event: u64,
        servers: Vec<Sid>,
        zxids: Vec<Zxid>,
        detail: String,
    ) {
        self.fire(&Ctx { at_ms, event }, property, servers, zxids, detail);
    }

    /// Check everything after one event.
    pub fn after_event(
        &mut self,
        at_ms: u64,
        event: u64,
        servers: &[ServerObs<'_>],
        ghost: &[(Sid, GhostEvent)],
    ) {
        self.after_event_of(
            at_ms,
            event,
            servers.len(),
            &|i| servers[i],
            ghost,
            Changed::All,
        );
    }

    /// [`Checker::after_event`] for a caller that knows which servers the
    /// event changed: `obs(i)` observes server `i` of `n` (asked only for
    /// what is checked), and the servers not `changed` are exactly as they
    /// were at the previous call. Reports the same violations in the same
    /// order as checking everything: a property that held (or had fired)
    /// over unchanged servers still does, so only what involves a changed
    /// server is evaluated (its deliveries, its own state, the
    /// Leadership1 scan when it leads, PrimaryIntegrity's pairs with it).
    pub fn after_event_of<'a>(
        &mut self,
        at_ms: u64,
        event: u64,
        n: usize,
        obs: &dyn Fn(usize) -> ServerObs<'a>,
        ghost: &[(Sid, GhostEvent)],
        changed: Changed,
    ) {
        let ctx = Ctx { at_ms, event };
        if !ghost.is_empty() {
            let needs_all = ghost.iter().any(|(_, g)| {
                matches!(
                    g,
                    GhostEvent::EpochQuorum { .. }
                        | GhostEvent::Established { .. }
                        | GhostEvent::NewLeaderAcked { .. }
                )
            });
            let all: Vec<ServerObs<'a>> = if needs_all {
                (0..n).map(obs).collect()
            } else {
                Vec::new()
            };
            for (sid, g) in ghost {
                self.ghost_event(&ctx, *sid, g, &all);
            }
        }
        match changed {
            Changed::All => {
                for i in 0..n {
                    let s = obs(i);
                    let slot = self.slot(s.sid);
                    self.deliveries(&ctx, &s, slot);
                }
                self.state_checks_all(&ctx, n, obs);
            }
            Changed::One(i) if i < n => self.check_one(&ctx, n, obs, i),
            _ => {}
        }
    }

    fn proposed(&self, t: &TxnId) -> bool {
        let c = t.zxid.counter() as usize;
        let by_counter = c > 0
            && self
                .proposals
                .get(&t.zxid.epoch())
                .and_then(|s| s.get(c - 1))
                .is_some_and(|d| *d == t.digest);
        by_counter || self.extra_proposals.contains(t)
    }

    fn committed_index(&self, t: &TxnId) -> Option<usize> {
        let i = self.committed.partition_point(|x| x.zxid < t.zxid);
        (self.committed.get(i) == Some(t)).then_some(i)
    }

    /// The index of `sid`'s entry in `progress` (created on first use).
    fn slot(&mut self, sid: Sid) -> usize {
        match self.progress.binary_search_by_key(&sid, |(s, _)| *s) {
            Ok(i) => i,
            Err(i) => {
                self.progress.insert(i, (sid, Progress::default()));
                i
            }
        }
    }
}

/// The epoch `s` leads (up, LEADING, in SYNCHRONIZATION or BROADCAST).
fn leading(s: &ServerObs<'_>) -> Option<u32> {
    (s.up
        && s.state == ServerState::Leading
        && matches!(s.zab_state, ZabState::Synchronization | ZabState::Broadcast))
    .then_some(s.current_epoch)
}

/// (epoch, delivered) of a BROADCAST leader.
fn broadcast_leader(s: &ServerObs<'_>) -> Option<(u32, usize)> {
    (s.up && s.state == ServerState::Leading && s.zab_state == ZabState::Broadcast)
        .then_some((s.current_epoch, s.delivered))
}

/// A server's history from where its applied txns are still held (their
/// [`Seq::floor`]): the txns applied to its tree, then the logged txns
/// above its `lastProcessedZxid` (what a restart would replay). Indexed by
/// absolute position. A view over the server's own sequences: copied into
/// one vector, a leader's and a follower's histories took ~22 MB at each
/// election after an hour at 200 writes/s, a peak the browser's wasm
/// memory never gives back.
struct History<'a> {
    start: usize,
    applied: &'a Seq<TxnId>,
    log: &'a Seq<Arc<Txn>>,
    /// Where in `log` the history goes on after `applied`.
    log_start: usize,
}

impl History<'_> {
    fn len(&self) -> usize {
        self.applied.len() + self.log.len().saturating_sub(self.log_start)
    }

    /// The txn at absolute position `i` (`None` below `start` too).
    fn get(&self, i: usize) -> Option<TxnId> {
        if i < self.start {
            return None;
        }
        match i.checked_sub(self.applied.len()) {
            None => self.applied.get(i).copied(),
            Some(k) => self.log.get(self.log_start + k).map(|t| t.id()),
        }
    }
}

fn history<'a>(s: &ServerObs<'a>) -> History<'a> {
    let last = s
        .applied
        .last()
        .map(|t| t.zxid)
        .unwrap_or_default()
        .max(s.last_processed);
    History {
        start: s.applied.floor(),
        applied: s.applied,
        log: s.log,
        log_start: s.log.partition_point(|t| t.zxid <= last),
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{id, proposed, run, Fake};
    use super::*;

    #[test]
    fn a_consistent_history_passes() {
        let a = [id(1, 1, 1), id(1, 2, 2), id(2, 1, 3)];
        let f1 = Fake::new(1, &a, 3);
        let f2 = Fake::new(2, &a[..2], 2);
        assert!(run(&proposed(&a), &[&f1, &f2]).is_empty());
    }

    #[test]
    fn a_rebuilt_delivery_is_rechecked_and_each_property_fires_once() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 1, 1), id(1, 2, 9)];
        let f = Fake::new(1, &a, 2);
        let mut c = Checker::new();
        let mut g = proposed(&a);
        g.push((
            2,
            GhostEvent::Proposed {
                epoch: 1,
                txn: b[1],
            },
        ));
        c.after_event(0, 0, &[f.obs()], &g);
        assert!(c.violations.is_empty());
        // The same server, rebuilt with a different second txn.
        let f = Fake::new(1, &b, 2);
        c.after_event(1, 1, &[f.obs()], &[]);
        c.after_event(2, 2, &[Fake::new(1, &b, 2).obs()], &[]);
        let names: Vec<_> = c.violations.iter().map(|v| v.property.as_str()).collect();
        assert_eq!(names, vec!["PrefixConsistency", "Agreement"]);
    }
}
