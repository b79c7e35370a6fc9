//! ZAB's safety properties, checked after every event with global
//! knowledge no server has (ZAB.md §14; names from the Apache and NJU
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
    proposals: BTreeMap<u32, Seq<u64>>,
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

    fn ghost_event(&mut self, ctx: &Ctx, sid: Sid, g: &GhostEvent, servers: &[ServerObs<'_>]) {
        match g {
            GhostEvent::Proposed { epoch, txn } => {
                let c = txn.zxid.counter() as usize;
                let seq = self.proposals.entry(*epoch).or_default();
                if txn.zxid.epoch() != *epoch || c == 0 {
                    self.extra_proposals.insert(*txn);
                } else if c == seq.len() + 1 {
                    seq.push(txn.digest);
                } else if seq.get(c - 1) != Some(&txn.digest) {
                    self.extra_proposals.insert(*txn);
                }
            }
            GhostEvent::EpochQuorum { epoch } => {
                match self.epoch_quorum.get(epoch) {
                    Some(other) if *other != sid => {
                        let other = *other;
                        self.fire(
                            ctx,
                            "Leadership2",
                            vec![other, sid],
                            vec![Zxid::epoch_start(*epoch)],
                            format!("servers {other} and {sid} both gathered a quorum of ACKEPOCH for epoch {epoch}"),
                        );
                    }
                    _ => {
                        self.epoch_quorum.insert(*epoch, sid);
                    }
                }
                self.leader_log_completeness(ctx, sid, servers);
            }
            GhostEvent::Established { .. } => self.leader_log_completeness(ctx, sid, servers),
            GhostEvent::NewLeaderAcked { leader, .. } => {
                let f = servers.iter().find(|s| s.sid == sid);
                // A leader that crashed since has no history in memory to
                // compare with (and the ACK reaches nobody).
                let l = servers
                    .iter()
                    .find(|s| s.sid == *leader && s.up && s.state == ServerState::Leading);
                if let (Some(f), Some(l)) = (f, l) {
                    let fh = history(f);
                    let lh = history(l);
                    if let Some(i) = (0..fh.len()).find(|&i| lh.get(i) != fh.get(i)) {
                        let fz = fh.get(i).map(|t| t.zxid).unwrap_or_default();
                        self.fire(
                            ctx,
                            "ProcessConsistency",
                            vec![sid, *leader],
                            vec![fz],
                            format!("server {sid} ACKed NEWLEADER of {leader} but its history differs at position {i} (it has {fz}, the leader {})", lh.get(i).map_or("nothing".to_string(), |t| t.zxid.to_string())),
                        );
                    }
                }
            }
            GhostEvent::TruncSent { learner } => {
                self.trunc_sent.insert(*learner, self.committed.len());
            }
            GhostEvent::Truncated { removed } => {
                // The TRUNC was computed from the leader's maxCommittedLog
                // when it was sent; a proposal still outstanding then may
                // commit before the learner applies the TRUNC, and the
                // leader sends it again right behind (`startForwarding`).
                // Only a txn already committed when the TRUNC was sent is
                // lost by it.
                let limit = self.trunc_sent.remove(&sid).unwrap_or(self.committed.len());
                if let Some(t) = removed
                    .iter()
                    .find(|t| self.committed_index(t).is_some_and(|i| i < limit))
                {
                    self.fire(
                        ctx,
                        "CommittedLogDurability",
                        vec![sid],
                        vec![t.zxid],
                        format!(
                            "TRUNC removed the committed txn {} from server {sid}",
                            t.zxid
                        ),
                    );
                }
            }
            GhostEvent::Inconsistent { kind, zxid } => {
                self.fire(
                    ctx,
                    "ShouldNotBeTriggered",
                    vec![sid],
                    vec![*zxid],
                    format!("{kind} on server {sid} at {zxid}"),
                );
            }
            GhostEvent::Announced { epoch } => {
                let e = self.announced.entry(sid).or_insert(0);
                *e = (*e).max(*epoch);
            }
            GhostEvent::Synced { .. } => {}
        }
    }

    /// LeaderLogCompleteness: a leader's history contains every committed txn.
    fn leader_log_completeness(&mut self, ctx: &Ctx, sid: Sid, servers: &[ServerObs<'_>]) {
        let Some(l) = servers.iter().find(|s| s.sid == sid) else {
            return;
        };
        let h = history(l);
        let missing = (0..self.committed.len()).find(|&i| h.get(i) != self.committed.get(i));
        if let Some(i) = missing {
            let z = self.committed.get(i).map(|t| t.zxid).unwrap_or_default();
            self.fire(
                ctx,
                "LeaderLogCompleteness",
                vec![sid],
                vec![z],
                format!("leader {sid} lacks the committed txn {z} (position {i} of its history)"),
            );
        }
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

    fn deliveries(&mut self, ctx: &Ctx, s: &ServerObs<'_>, slot: usize) {
        let p = self.progress[slot].1;
        let mut start = p.checked;
        let end = s.delivered.min(s.applied.len());
        if start == end && start > 0 && start <= s.delivered {
            // Nothing new, unless the history was rebuilt under the same
            // length (restart, SNAP): then it is checked from the start.
            if s.applied.get(start - 1).copied() == p.last {
                return;
            }
        }
        let rebuilt =
            start > s.delivered || (start > 0 && s.applied.get(start - 1).copied() != p.last);
        if rebuilt {
            start = 0;
        }
        for pos in start..end {
            let Some(t) = s.applied.get(pos).copied() else {
                break;
            };
            self.check_delivery(ctx, s, pos, t, !rebuilt);
        }
        let last = if end > 0 {
            s.applied.get(end - 1).copied()
        } else {
            None
        };
        let p = &mut self.progress[slot].1;
        p.checked = end;
        p.last = last;
    }

    fn check_delivery(&mut self, ctx: &Ctx, s: &ServerObs<'_>, pos: usize, t: TxnId, new: bool) {
        let sid = s.sid;
        if !self.proposed(&t) {
            self.fire(
                ctx,
                "Integrity",
                vec![sid],
                vec![t.zxid],
                format!("server {sid} delivered {} that no leader proposed", t.zxid),
            );
        }
        if new {
            let (e, c) = (t.zxid.epoch(), t.zxid.counter());
            if pos > 0 {
                if let Some(prev) = s.applied.get(pos - 1) {
                    if prev.zxid.epoch() > e {
                        self.fire(
                            ctx,
                            "GlobalPrimaryOrder",
                            vec![sid],
                            vec![prev.zxid, t.zxid],
                            format!(
                                "server {sid} delivered {} (epoch {e}) after {} of a later epoch",
                                t.zxid, prev.zxid
                            ),
                        );
                    }
                }
            }
            if c > 1 {
                let before = Zxid::new(e, c - 1);
                let was_proposed = self
                    .proposals
                    .get(&e)
                    .is_some_and(|s| s.len() >= (c - 1) as usize);
                let i = s.applied.partition_point(|x| x.zxid < before);
                let delivered_before =
                    i < pos && s.applied.get(i).is_some_and(|x| x.zxid == before);
                if was_proposed && !delivered_before {
                    self.fire(
                        ctx,
                        "LocalPrimaryOrder",
                        vec![sid],
                        vec![before, t.zxid],
                        format!("server {sid} delivered {} without first delivering {before}, proposed before it by the same leader", t.zxid),
                    );
                }
            }
        }
        match self.committed.get(pos).copied() {
            Some(g) if g == t => {}
            Some(g) => {
                self.fire(
                    ctx,
                    "PrefixConsistency",
                    vec![sid],
                    vec![g.zxid, t.zxid],
                    format!(
                        "server {sid} delivered {} at position {pos}, where {} was delivered",
                        t.zxid, g.zxid
                    ),
                );
                match self.committed_index(&t) {
                    None => self.fire(
                        ctx,
                        "Agreement",
                        vec![sid],
                        vec![g.zxid, t.zxid],
                        format!("server {sid} delivered {} but not {}; whoever delivered {} did not deliver {}", t.zxid, g.zxid, g.zxid, t.zxid),
                    ),
                    Some(q) => self.fire(
                        ctx,
                        "TotalOrder",
                        vec![sid],
                        vec![g.zxid, t.zxid],
                        format!("server {sid} delivered {} at position {pos}, others delivered it at position {q}", t.zxid),
                    ),
                }
            }
            None if pos == self.committed.len() => self.committed.push(t),
            None => {}
        }
    }

    /// Every check of one server's own state (LocalSanity, LeaderPromise).
    fn own_state(&mut self, ctx: &Ctx, s: &ServerObs<'_>) {
        if s.accepted_epoch < s.current_epoch {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!(
                    "server {}: acceptedEpoch {} < currentEpoch {}",
                    s.sid, s.accepted_epoch, s.current_epoch
                ),
            );
        }
        // LeaderPromise (ZOOKEEPER-1291): a leader persists
        // acceptedEpoch := e before any handler announces e, so after a
        // restart it can never promise an epoch it already proposed.
        if let Some(&e) = self.announced.get(&s.sid) {
            if s.accepted_epoch < e {
                self.fire(
                    ctx,
                    "LeaderPromise",
                    vec![s.sid],
                    vec![Zxid::epoch_start(e)],
                    format!(
                        "server {} announced epoch {e} in LEADERINFO but its acceptedEpoch is {}",
                        s.sid, s.accepted_epoch
                    ),
                );
            }
        }
        if s.non_increasing_appends > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!(
                    "server {}: a zxid was logged that is not above the previous one",
                    s.sid
                ),
            );
        }
        if s.rollover_appends > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!("server {}: a txn with counter 0xffffffff was logged", s.sid),
            );
        }
        if s.apply_mismatches > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!("server {}: a txn did not fit its data tree", s.sid),
            );
        }
    }

    /// Leadership1 over every server: two leaders of one epoch.
    fn leadership1<'a>(&mut self, ctx: &Ctx, n: usize, obs: &dyn Fn(usize) -> ServerObs<'a>) {
        let mut leaders: Vec<(u32, Sid)> = Vec::new();
        for s in (0..n).map(obs) {
            if leading(&s).is_some() {
                match leaders.iter_mut().find(|(e, _)| *e == s.current_epoch) {
                    Some((_, other)) => {
                        let o = *other;
                        *other = s.sid;
                        self.fire(
                            ctx,
                            "Leadership1",
                            vec![o, s.sid],
                            vec![Zxid::epoch_start(s.current_epoch)],
                            format!(
                                "servers {o} and {} both lead epoch {}",
                                s.sid, s.current_epoch
                            ),
                        );
                    }
                    None => leaders.push((s.current_epoch, s.sid)),
                }
            }
        }
    }

    /// The state checks with every server changed (the reference order:
    /// Leadership1, each server's own state, PrimaryIntegrity).
    fn state_checks_all<'a>(&mut self, ctx: &Ctx, n: usize, obs: &dyn Fn(usize) -> ServerObs<'a>) {
        if !self.leadership1_fired {
            self.leadership1(ctx, n, obs);
        }
        for s in (0..n).map(obs) {
            self.own_state(ctx, &s);
        }
        // PrimaryIntegrity: a BROADCAST follower has delivered no older-epoch
        // txn its BROADCAST leader lacks.
        for l in (0..n).map(obs) {
            if broadcast_leader(&l).is_some() {
                for f in (0..n).map(obs) {
                    self.primary_integrity(ctx, &l, &f);
                }
            }
        }
        for s in (0..n).map(obs) {
            let slot = self.slot(s.sid);
            let p = &mut self.progress[slot].1;
            p.leading = leading(&s);
            p.broadcast_leader = broadcast_leader(&s);
        }
    }

    /// Everything after an event that changed server `i` only. The other
    /// servers are as they were at the previous check, where every property
    /// held (or had fired already), so only what involves `i` can newly
    /// fail, and it is reported in the order `state_checks_all` would:
    /// - Leadership1 only when `i` starts leading an epoch;
    /// - PrimaryIntegrity with `i` as the leader only when its epoch or
    ///   delivered count changed, with `i` as a follower for its leader.
    fn check_one<'a>(
        &mut self,
        ctx: &Ctx,
        n: usize,
        obs: &dyn Fn(usize) -> ServerObs<'a>,
        i: usize,
    ) {
        let s = obs(i);
        let slot = self.slot(s.sid);
        self.deliveries(ctx, &s, slot);
        let lead = leading(&s);
        let bl = broadcast_leader(&s);
        let p = &mut self.progress[slot].1;
        let (was_leading, was_bl) = (p.leading, p.broadcast_leader);
        p.leading = lead;
        p.broadcast_leader = bl;
        if !self.leadership1_fired && lead.is_some() && lead != was_leading {
            self.leadership1(ctx, n, obs);
        }
        self.own_state(ctx, &s);
        if bl.is_some() {
            if bl != was_bl {
                for f in (0..n).map(obs) {
                    self.primary_integrity(ctx, &s, &f);
                }
            }
        } else if let (true, ZabState::Broadcast, Some(leader)) = (s.up, s.zab_state, s.following) {
            // The servers are sorted by sid (the simulator's order); the
            // leader is usually where it was last time.
            let hint = self.leader_hint;
            let at = if hint < n && obs(hint).sid == leader {
                Some(hint)
            } else {
                let (mut lo, mut hi) = (0, n);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if obs(mid).sid < leader {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                (lo < n).then_some(lo)
            };
            if let Some(li) = at {
                let l = obs(li);
                if l.sid == leader {
                    self.leader_hint = li;
                    if broadcast_leader(&l).is_some() {
                        self.primary_integrity(ctx, &l, &s);
                    }
                }
            }
        }
    }

    fn primary_integrity(&mut self, ctx: &Ctx, l: &ServerObs<'_>, f: &ServerObs<'_>) {
        let epoch = l.current_epoch;
        if f.up
            && f.following == Some(l.sid)
            && f.zab_state == ZabState::Broadcast
            && f.current_epoch == epoch
            && f.delivered > l.delivered
        {
            if let Some(t) = f.applied.get(l.delivered) {
                if t.zxid.epoch() < epoch {
                    self.fire(
                        ctx,
                        "PrimaryIntegrity",
                        vec![l.sid, f.sid],
                        vec![t.zxid],
                        format!(
                            "follower {} delivered {} of an older epoch that its leader {} has not",
                            f.sid, t.zxid, l.sid
                        ),
                    );
                }
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

/// A server's history: the txns applied to its tree, then the logged txns
/// above its `lastProcessedZxid` (what a restart would replay).
fn history(s: &ServerObs<'_>) -> Vec<TxnId> {
    let mut h: Vec<TxnId> = s.applied.iter().copied().collect();
    let last = h
        .last()
        .map(|t| t.zxid)
        .unwrap_or_default()
        .max(s.last_processed);
    let start = s.log.partition_point(|t| t.zxid <= last);
    h.extend(s.log.iter_from(start).map(|t| t.id()));
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::TxnOp;

    fn id(e: u32, c: u32, d: u64) -> TxnId {
        TxnId {
            zxid: Zxid::new(e, c),
            digest: d,
        }
    }

    struct Fake {
        sid: Sid,
        state: ServerState,
        zab: ZabState,
        epochs: (u32, u32),
        following: Option<Sid>,
        applied: Seq<TxnId>,
        delivered: usize,
        log: Seq<Arc<Txn>>,
        bad_appends: u64,
    }

    impl Fake {
        fn new(sid: Sid, applied: &[TxnId], delivered: usize) -> Fake {
            Fake {
                sid,
                state: ServerState::Following,
                zab: ZabState::Broadcast,
                epochs: (1, 1),
                following: None,
                applied: applied.iter().copied().collect(),
                delivered,
                log: Seq::new(),
                bad_appends: 0,
            }
        }
        fn obs(&self) -> ServerObs<'_> {
            ServerObs {
                sid: self.sid,
                up: true,
                state: self.state,
                zab_state: self.zab,
                accepted_epoch: self.epochs.0,
                current_epoch: self.epochs.1,
                following: self.following,
                applied: &self.applied,
                delivered: self.delivered,
                last_processed: self.applied.last().map(|t| t.zxid).unwrap_or_default(),
                log: &self.log,
                non_increasing_appends: self.bad_appends,
                rollover_appends: 0,
                apply_mismatches: 0,
            }
        }
    }

    fn proposed(ids: &[TxnId]) -> Vec<(Sid, GhostEvent)> {
        ids.iter()
            .map(|t| {
                (
                    1,
                    GhostEvent::Proposed {
                        epoch: t.zxid.epoch(),
                        txn: *t,
                    },
                )
            })
            .collect()
    }

    fn run(ghost: &[(Sid, GhostEvent)], fakes: &[&Fake]) -> Vec<String> {
        let mut c = Checker::new();
        let obs: Vec<ServerObs<'_>> = fakes.iter().map(|f| f.obs()).collect();
        c.after_event(0, 0, &obs, ghost);
        c.violations.iter().map(|v| v.property.clone()).collect()
    }

    fn run_seq(ghost: &[(Sid, GhostEvent)], steps: &[Vec<&Fake>]) -> Vec<String> {
        let mut c = Checker::new();
        for (i, fakes) in steps.iter().enumerate() {
            let obs: Vec<ServerObs<'_>> = fakes.iter().map(|f| f.obs()).collect();
            let g = if i == 0 { ghost } else { &[] };
            c.after_event(i as u64, i as u64, &obs, g);
        }
        c.violations.iter().map(|v| v.property.clone()).collect()
    }

    #[test]
    fn a_consistent_history_passes() {
        let a = [id(1, 1, 1), id(1, 2, 2), id(2, 1, 3)];
        let f1 = Fake::new(1, &a, 3);
        let f2 = Fake::new(2, &a[..2], 2);
        assert!(run(&proposed(&a), &[&f1, &f2]).is_empty());
    }

    #[test]
    fn prefix_consistency_and_agreement_fire_on_divergent_deliveries() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 1, 1), id(1, 2, 9)];
        let mut g = proposed(&a);
        g.push((
            2,
            GhostEvent::Proposed {
                epoch: 1,
                txn: b[1],
            },
        ));
        let v = run(&g, &[&Fake::new(1, &a, 2), &Fake::new(2, &b, 2)]);
        assert!(v.contains(&"PrefixConsistency".to_string()), "{v:?}");
        assert!(v.contains(&"Agreement".to_string()), "{v:?}");
    }

    #[test]
    fn total_order_fires_on_the_same_txns_in_another_order() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 2, 2), id(1, 1, 1)];
        let v = run(&proposed(&a), &[&Fake::new(1, &a, 2), &Fake::new(2, &b, 2)]);
        assert!(v.contains(&"TotalOrder".to_string()), "{v:?}");
    }

    #[test]
    fn integrity_fires_on_an_unproposed_delivery() {
        let a = [id(1, 1, 1)];
        let v = run(&[], &[&Fake::new(1, &a, 1)]);
        assert_eq!(v, vec!["Integrity".to_string()]);
    }

    #[test]
    fn local_primary_order_fires_on_a_skipped_proposal() {
        let all = [id(1, 1, 1), id(1, 2, 2), id(1, 3, 3)];
        let skip = [id(1, 1, 1), id(1, 3, 3)];
        let v = run(&proposed(&all), &[&Fake::new(1, &skip, 2)]);
        assert!(v.contains(&"LocalPrimaryOrder".to_string()), "{v:?}");
    }

    #[test]
    fn global_primary_order_fires_on_an_older_epoch_after_a_newer() {
        let a = [id(2, 1, 1), id(1, 1, 2)];
        let v = run(&proposed(&a), &[&Fake::new(1, &a, 2)]);
        assert!(v.contains(&"GlobalPrimaryOrder".to_string()), "{v:?}");
    }

    #[test]
    fn leadership1_fires_on_two_leaders_of_one_epoch() {
        let mut l1 = Fake::new(1, &[], 0);
        l1.state = ServerState::Leading;
        let mut l2 = Fake::new(2, &[], 0);
        l2.state = ServerState::Leading;
        l2.zab = ZabState::Synchronization;
        assert_eq!(run(&[], &[&l1, &l2]), vec!["Leadership1".to_string()]);
        l2.epochs = (2, 2);
        assert!(run(&[], &[&l1, &l2]).is_empty());
    }

    #[test]
    fn leadership2_fires_on_two_epoch_quorums() {
        let g = vec![
            (1, GhostEvent::EpochQuorum { epoch: 3 }),
            (2, GhostEvent::EpochQuorum { epoch: 3 }),
        ];
        let v = run(&g, &[&Fake::new(1, &[], 0), &Fake::new(2, &[], 0)]);
        assert_eq!(v, vec!["Leadership2".to_string()]);
    }

    #[test]
    fn primary_integrity_fires_when_a_follower_delivered_more_of_an_old_epoch() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let mut l = Fake::new(1, &a[..1], 1);
        l.state = ServerState::Leading;
        l.epochs = (2, 2);
        let mut f = Fake::new(2, &a, 2);
        f.epochs = (2, 2);
        f.following = Some(1);
        let v = run(&proposed(&a), &[&l, &f]);
        assert!(v.contains(&"PrimaryIntegrity".to_string()), "{v:?}");
    }

    #[test]
    fn committed_log_durability_fires_when_trunc_removes_a_committed_txn() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let f = Fake::new(1, &a, 2);
        let mut g = proposed(&a);
        g.push((
            2,
            GhostEvent::Truncated {
                removed: vec![a[1]],
            },
        ));
        // The delivery and the TRUNC in two steps: the txn is committed first.
        let v = run_seq(&proposed(&a), &[vec![&f]]);
        assert!(v.is_empty());
        let mut c = Checker::new();
        c.after_event(0, 0, &[f.obs()], &proposed(&a));
        c.after_event(
            1,
            1,
            &[f.obs()],
            &[(
                2,
                GhostEvent::Truncated {
                    removed: vec![a[1]],
                },
            )],
        );
        assert_eq!(c.violations[0].property, "CommittedLogDurability");
        assert_eq!(c.violations[0].zxids, vec![a[1].zxid]);
    }

    #[test]
    fn a_trunc_sent_before_the_commit_of_what_it_removes_is_not_a_loss() {
        // Server 2 logged 1:2; a leader sent it TRUNC(1:1) while 1:2 was
        // still outstanding; 1:2 commits (server 1 delivers it) before
        // server 2 applies the TRUNC. The leader re-sends 1:2 right behind.
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let before = Fake::new(1, &a[..1], 1);
        let after = Fake::new(1, &a, 2);
        let mut c = Checker::new();
        c.after_event(0, 0, &[before.obs()], &proposed(&a));
        c.after_event(
            1,
            1,
            &[before.obs()],
            &[(3, GhostEvent::TruncSent { learner: 2 })],
        );
        c.after_event(2, 2, &[after.obs()], &[]);
        let truncated = [(
            2,
            GhostEvent::Truncated {
                removed: vec![a[1]],
            },
        )];
        c.after_event(3, 3, &[after.obs()], &truncated);
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        // The same TRUNC sent after the commit loses a committed txn.
        c.after_event(
            4,
            4,
            &[after.obs()],
            &[(3, GhostEvent::TruncSent { learner: 2 })],
        );
        c.after_event(5, 5, &[after.obs()], &truncated);
        assert_eq!(c.violations[0].property, "CommittedLogDurability");
    }

    #[test]
    fn leader_log_completeness_fires_when_a_new_leader_lacks_a_committed_txn() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let f = Fake::new(1, &a, 2);
        let l = Fake::new(2, &a[..1], 0);
        let mut c = Checker::new();
        c.after_event(0, 0, &[f.obs(), l.obs()], &proposed(&a));
        c.after_event(
            1,
            1,
            &[f.obs(), l.obs()],
            &[(2, GhostEvent::EpochQuorum { epoch: 2 })],
        );
        let names: Vec<_> = c.violations.iter().map(|v| v.property.as_str()).collect();
        assert_eq!(names, vec!["LeaderLogCompleteness"]);
    }

    #[test]
    fn process_consistency_fires_when_a_follower_history_is_not_a_prefix() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 1, 1), id(1, 3, 7)];
        let mut l = Fake::new(1, &a, 0);
        l.state = ServerState::Leading;
        let f = Fake::new(2, &b, 0);
        let g = vec![(
            2,
            GhostEvent::NewLeaderAcked {
                leader: 1,
                epoch: 2,
            },
        )];
        assert_eq!(run(&g, &[&l, &f]), vec!["ProcessConsistency".to_string()]);
        // The follower's unapplied log tail counts as history too.
        let mut f2 = Fake::new(2, &a[..1], 0);
        f2.log = [Arc::new(Txn::new(
            Zxid::new(1, 3),
            0,
            0,
            0,
            TxnOp::Error { code: 0 },
        ))]
        .into_iter()
        .collect();
        assert_eq!(run(&g, &[&l, &f2]), vec!["ProcessConsistency".to_string()]);
        // A server that no longer leads (it crashed, or stepped down) has
        // no epoch history to compare with: nothing to check.
        let gone = Fake::new(1, &[], 0);
        assert!(run(&g, &[&gone, &f]).is_empty());
    }

    #[test]
    fn leader_promise_fires_when_an_announced_epoch_is_not_accepted() {
        let g = vec![(1, GhostEvent::Announced { epoch: 2 })];
        let mut l = Fake::new(1, &[], 0);
        l.state = ServerState::Leading;
        l.epochs = (2, 1);
        assert!(run(&g, &[&l]).is_empty());
        // The same announcement from a leader whose acceptedEpoch is still 1
        // (it crashed before persisting it).
        l.epochs = (1, 1);
        let mut c = Checker::new();
        c.after_event(0, 0, &[l.obs()], &g);
        assert_eq!(c.violations[0].property, "LeaderPromise");
        assert_eq!(c.violations[0].servers, vec![1]);
    }

    #[test]
    fn local_sanity_and_inconsistent_messages_fire() {
        let mut f = Fake::new(1, &[], 0);
        f.epochs = (1, 2);
        assert_eq!(run(&[], &[&f]), vec!["LocalSanity".to_string()]);
        let mut f = Fake::new(1, &[], 0);
        f.bad_appends = 1;
        assert_eq!(run(&[], &[&f]), vec!["LocalSanity".to_string()]);
        let g = vec![(
            1,
            GhostEvent::Inconsistent {
                kind: "commitInconsistent",
                zxid: Zxid(5),
            },
        )];
        assert_eq!(
            run(&g, &[&Fake::new(1, &[], 0)]),
            vec!["ShouldNotBeTriggered".to_string()]
        );
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
