//! What the servers' ghost events reveal in discovery and sync: the
//! proposals every delivery is checked against, two epoch quorums for one
//! epoch (Leadership2), a new leader lacking a committed txn
//! (LeaderLogCompleteness), a learner ACKing NEWLEADER with another history
//! (ProcessConsistency), a TRUNC removing a committed txn
//! (CommittedLogDurability), and the messages ZooKeeper's system spec flags
//! (ShouldNotBeTriggered).
//!
//! It only records and reports; the ghost events come from the servers,
//! which never read them back.

use super::{history, Checker, Ctx, ServerObs};
use crate::proto::{ServerState, Sid};
use crate::server::GhostEvent;
use crate::txn::TxnId;
use crate::zxid::Zxid;

impl Checker {
    /// One ghost event of server `sid`; `servers` is every server's
    /// observation when the event needs them (epoch quorums, NEWLEADER
    /// ACKs), else empty.
    pub(super) fn ghost_event(
        &mut self,
        ctx: &Ctx,
        sid: Sid,
        g: &GhostEvent,
        servers: &[ServerObs<'_>],
    ) {
        match g {
            GhostEvent::Proposed { epoch, txn } => self.record_proposal(*epoch, txn),
            GhostEvent::EpochQuorum { epoch } => {
                self.leadership2(ctx, sid, *epoch);
                // A prospective leader already superseded by a newer
                // epoch's quorum cannot hold what that epoch committed;
                // should it still be established, `Established` checks it.
                let superseded = self.epoch_quorum.range(epoch + 1..).next().is_some();
                if !superseded {
                    self.leader_log_completeness(ctx, sid, servers);
                }
            }
            GhostEvent::Established { .. } => self.leader_log_completeness(ctx, sid, servers),
            GhostEvent::NewLeaderAcked { leader, .. } => {
                self.process_consistency(ctx, sid, *leader, servers);
            }
            GhostEvent::TruncSent { learner } => {
                self.trunc_sent.insert(*learner, self.committed.len());
            }
            GhostEvent::Truncated { removed } => self.committed_log_durability(ctx, sid, removed),
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

    /// A proposal: by its counter in its epoch's sequence, or among the
    /// extra proposals when it clashes with one already there.
    fn record_proposal(&mut self, epoch: u32, txn: &TxnId) {
        let c = txn.zxid.counter() as usize;
        let seq = self.proposals.entry(epoch).or_default();
        if txn.zxid.epoch() != epoch || c == 0 {
            self.extra_proposals.insert(*txn);
        } else if c == seq.len() + 1 {
            seq.push(txn.digest);
        } else if seq.get(c - 1) != Some(&txn.digest) {
            self.extra_proposals.insert(*txn);
        }
    }

    /// Leadership2: one epoch, one quorum of ACKEPOCH.
    fn leadership2(&mut self, ctx: &Ctx, sid: Sid, epoch: u32) {
        match self.epoch_quorum.get(&epoch) {
            Some(other) if *other != sid => {
                let other = *other;
                self.fire(
                    ctx,
                    "Leadership2",
                    vec![other, sid],
                    vec![Zxid::epoch_start(epoch)],
                    format!("servers {other} and {sid} both gathered a quorum of ACKEPOCH for epoch {epoch}"),
                );
            }
            _ => {
                self.epoch_quorum.insert(epoch, sid);
            }
        }
    }

    /// ProcessConsistency: a learner that ACKs NEWLEADER has a history that
    /// is a prefix of its leader's.
    fn process_consistency(&mut self, ctx: &Ctx, sid: Sid, leader: Sid, servers: &[ServerObs<'_>]) {
        let f = servers.iter().find(|s| s.sid == sid);
        // A leader that crashed since has no history in memory to
        // compare with (and the ACK reaches nobody).
        let l = servers
            .iter()
            .find(|s| s.sid == leader && s.up && s.state == ServerState::Leading);
        let (Some(f), Some(l)) = (f, l) else {
            return;
        };
        let fh = history(f);
        let lh = history(l);
        // Below both floors the histories were checked against G already.
        let from = fh.start.max(lh.start);
        if let Some(i) = (from..fh.len()).find(|&i| lh.get(i) != fh.get(i)) {
            let fz = fh.get(i).map(|t| t.zxid).unwrap_or_default();
            self.fire(
                ctx,
                "ProcessConsistency",
                vec![sid, leader],
                vec![fz],
                format!("server {sid} ACKed NEWLEADER of {leader} but its history differs at position {i} (it has {fz}, the leader {})", lh.get(i).map_or("nothing".to_string(), |t| t.zxid.to_string())),
            );
        }
    }

    /// CommittedLogDurability: a TRUNC removes no txn that was committed
    /// when the leader sent it.
    fn committed_log_durability(&mut self, ctx: &Ctx, sid: Sid, removed: &[TxnId]) {
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

    /// LeaderLogCompleteness: a leader's history contains every committed txn.
    fn leader_log_completeness(&mut self, ctx: &Ctx, sid: Sid, servers: &[ServerObs<'_>]) {
        let Some(l) = servers.iter().find(|s| s.sid == sid) else {
            return;
        };
        let h = history(l);
        // Below the floors every server's history was checked against G.
        let from = h.start.max(self.committed.floor());
        let missing =
            (from..self.committed.len()).find(|&i| h.get(i).as_ref() != self.committed.get(i));
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
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::fixtures::{id, proposed, run, run_seq, Fake};
    use super::super::Checker;
    use crate::proto::ServerState;
    use crate::server::GhostEvent;
    use crate::txn::{Txn, TxnOp};
    use crate::zxid::Zxid;

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
    fn inconsistent_messages_fire() {
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
}
