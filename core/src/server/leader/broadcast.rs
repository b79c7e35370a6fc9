//! The leader in BROADCAST: `Leader.propose`, `processSync`, `processAck`
//! and `tryToCommit` (commits in zxid order, COMMIT to the followers and
//! INFORM to the observers), and the `lead()` loop's half-tick wake-up
//! (PING, the synced-quorum check, `SyncLimitCheck`).
//!
//! It owns the outstanding proposals and the pending syncs; it never talks
//! to a learner that is not synced (`LeaderState::forwarding`).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{ack_set, Proposal};
use crate::proto::{Packet, Sid};
use crate::server::{AfterFlush, ConnId, GhostEvent, Level, Server, TimerKind};
use crate::txn::Txn;
use crate::zxid::{Zxid, ROLLOVER_COUNTER};

impl Server {
    /// `Leader.lead` loop: one half-tick wake-up.
    pub(in crate::server) fn leader_tick(&mut self) {
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

    /// `Leader.propose`: PROPOSAL to the forwarding followers first, then
    /// the leader's own log write (its ACK comes after its fsync).
    pub(in crate::server) fn leader_propose(&mut self, txn: Txn) {
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
    /// too: the known non-linearizable sync, docs/MUSEUM.md "Jepsen").
    pub(in crate::server) fn leader_process_sync(
        &mut self,
        from: Option<ConnId>,
        session: u64,
        cxid: u32,
    ) {
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
    pub(in crate::server) fn leader_process_ack(&mut self, sid: Sid, zxid: Zxid) {
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
