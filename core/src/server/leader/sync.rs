//! How a `LearnerHandler` brings its learner in sync
//! (`LearnerHandler.syncFollower`, `queueCommittedProposals`,
//! `ZKDatabase.getProposalsFromTxnLog`, `Leader.startForwarding`), then the
//! sync half of `LearnerHandler.run`: SNAP, the queued DIFF/TRUNC and
//! proposals, NEWLEADER. Rule for rule as docs/PROTOCOL.md §6 describes.
//!
//! It reads the leader's tree, committed log and txn log and never changes
//! them; it sends only on the learner's own connection, in the order the
//! learner must apply it.

use std::sync::Arc;

use super::HandlerPhase;
use crate::proto::{Packet, Sid, SnapData, SyncMode};
use crate::server::{ConnId, GhostEvent, Level, Server};
use crate::txn::Txn;
use crate::zxid::Zxid;

/// What `syncFollower` decided for one learner.
struct SyncPlan {
    sid: Sid,
    observer: bool,
    /// The learner's last zxid (`peerLastZxid`).
    peer: Zxid,
    /// The leader's `lastProcessedZxid`.
    lpz: Zxid,
    /// `minCommittedLog` and `maxCommittedLog`.
    min: Zxid,
    max: Zxid,
    /// DIFF or TRUNC, then the proposals and commits to send before
    /// NEWLEADER.
    queued: Vec<Packet>,
    need_snap: bool,
    /// `needOpPacket`: no DIFF or TRUNC chosen yet.
    need_op: bool,
    /// Where the queued packets bring the learner (`currentZxid`).
    current: Zxid,
    /// `leaderLastZxid`, from `startForwarding`.
    leader_last: Zxid,
}

impl Server {
    /// `LearnerHandler.run` from `syncFollower` to NEWLEADER: decide the
    /// sync, count it, then send it.
    pub(super) fn handler_sync(&mut self, conn: ConnId) {
        let Some(plan) = self.sync_follower(conn) else {
            return;
        };
        let mode = if plan.need_snap {
            SyncMode::Snap
        } else {
            match plan.queued.first() {
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
        self.stats_sync_led(plan.need_snap, in_flight + 1);
        if mode == SyncMode::Trunc {
            self.ghost(GhostEvent::TruncSent { learner: plan.sid });
        }
        self.handler_send_sync(conn, plan, mode);
    }

    /// `LearnerHandler.syncFollower`: choose the sync (`sync_choose`), then
    /// `Leader.startForwarding`, and fall back to a snapshot when no op
    /// packet (DIFF/TRUNC) could be chosen.
    fn sync_follower(&mut self, conn: ConnId) -> Option<SyncPlan> {
        let h = self.handler_mut(conn)?;
        let (sid, observer, peer) = (h.sid.unwrap_or(0), h.observer, h.peer_last_zxid);
        // `ZKDatabase.isTxnLogSyncEnabled`, asked before taking the lock.
        let factor = self.cfg.size_factor_pct();
        let enabled = if factor >= 0 {
            format!(
                "On disk txn sync enabled with snapshotSizeFactor {}",
                crate::server::config::java_factor(factor)
            )
        } else {
            "On disk txn sync disabled".to_string()
        };
        self.log(Level::Info, "ZKDatabase", enabled);
        let lpz = self.tree.last_processed_zxid;
        let ends = self
            .committed_log
            .front()
            .zip(self.committed_log.back())
            .map(|(a, b)| (a.zxid, b.zxid));
        // An empty committed log's ends are lastProcessedZxid; the line
        // comes before that substitution, as in 3.8, and prints ZKDatabase's
        // cleared fields, 0x0.
        let (min, max) = ends.unwrap_or((lpz, lpz));
        let (min_shown, max_shown) = ends.map_or((0, 0), |(a, b)| (a.0, b.0));
        self.log(
            Level::Info,
            "LearnerHandler",
            format!(
                "Synchronizing with Learner sid: {sid} maxCommittedLog=0x{max_shown:x} minCommittedLog=0x{min_shown:x} lastProcessedZxid=0x{:x} peerLastZxid=0x{:x}",
                lpz.0, peer.0
            ),
        );
        let mut plan = SyncPlan {
            sid,
            observer,
            peer,
            lpz,
            min,
            max,
            queued: Vec::new(),
            need_snap: true,
            need_op: true,
            current: peer,
            leader_last: Zxid::ZERO,
        };
        self.sync_choose(&mut plan);
        if plan.need_snap {
            plan.current = lpz;
        }
        plan.leader_last = self.start_forwarding(plan.current, observer, &mut plan.queued);
        if plan.need_op && !plan.need_snap {
            self.log(
                Level::Error,
                "LearnerHandler",
                format!("Unhandled scenario for peer sid: {sid} fall back to use snapshot"),
            );
            plan.need_snap = true;
        }
        Some(plan)
    }

    /// The cases `syncFollower` documents (a forced snapshot, its case 1, is
    /// a test hook not modelled): (2) the learner is in sync: an empty DIFF;
    /// (3) it has txns the leader lacks: TRUNC to `maxCommittedLog`; (4) it
    /// is within the committed log: DIFF (or TRUNC) and the proposals from
    /// there; (5) it is below: `sync_from_txnlog`. Anything else stays a
    /// snapshot.
    fn sync_choose(&mut self, plan: &mut SyncPlan) {
        let (sid, peer, lpz, min, max) = (plan.sid, plan.peer, plan.lpz, plan.min, plan.max);
        let txnlog_enabled = self.cfg.size_factor_pct() >= 0;
        if peer == lpz {
            self.log(
                Level::Info,
                "LearnerHandler",
                format!("Sending DIFF zxid=0x{:x} for peer sid: {sid}", peer.0),
            );
            plan.queued.push(Packet::Diff { zxid: peer });
            plan.need_snap = false;
            plan.need_op = false;
        } else if peer > max && peer.counter() != 0 {
            self.log(
                Level::Debug,
                "LearnerHandler",
                format!(
                    "Sending TRUNC to follower zxidToSend=0x{:x} for peer sid:{sid}",
                    max.0
                ),
            );
            plan.queued.push(Packet::Trunc { zxid: max });
            plan.current = max;
            plan.need_snap = false;
            plan.need_op = false;
        } else if peer >= min && peer <= max {
            self.log(
                Level::Info,
                "LearnerHandler",
                format!("Using committedLog for peer sid: {sid}"),
            );
            let txns: Vec<Arc<Txn>> = self.committed_log.iter().cloned().collect();
            plan.current = self.queue_committed_proposals(
                sid,
                &txns,
                peer,
                None,
                max,
                &mut plan.need_op,
                &mut plan.queued,
            );
            plan.need_snap = false;
        } else if peer < min && txnlog_enabled {
            self.sync_from_txnlog(plan);
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
    }

    /// `syncFollower`'s case (5): the learner is below the committed log.
    /// Its proposals come from the txn log (when it holds them and reading
    /// them is cheaper than a snapshot), then from the committed log; a gap
    /// between the two leaves a snapshot.
    fn sync_from_txnlog(&mut self, plan: &mut SyncPlan) {
        let (sid, peer, min, max) = (plan.sid, plan.peer, plan.min, plan.max);
        let Some(txns) = self.txnlog_proposals(peer, min) else {
            return;
        };
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
            &mut plan.need_op,
            &mut plan.queued,
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
            plan.queued.clear();
            plan.current = peer;
            plan.need_op = true;
        } else {
            let log: Vec<Arc<Txn>> = self.committed_log.iter().cloned().collect();
            plan.current = self.queue_committed_proposals(
                sid,
                &log,
                q,
                None,
                max,
                &mut plan.need_op,
                &mut plan.queued,
            );
            plan.need_snap = false;
        }
    }

    /// The sync half of `LearnerHandler.run` after `syncFollower`: the
    /// snapshot when needed, the queued packets, NEWLEADER; then the handler
    /// waits for the NEWLEADER ACK.
    fn handler_send_sync(&mut self, conn: ConnId, plan: SyncPlan, mode: SyncMode) {
        let SyncPlan {
            sid,
            observer,
            peer,
            lpz,
            leader_last,
            need_snap,
            mut queued,
            ..
        } = plan;
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
            self.handler_send_snapshot(conn, observer, peer, leader_last, lpz);
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
        let now = self.now;
        if let Some(h) = self.handler_mut(conn) {
            h.phase = HandlerPhase::WaitNewLeaderAck;
            h.sending_started = true;
            h.newleader_sent_ms = now;
            h.sync_mode = mode;
        }
        self.handler_rearm_read(conn);
        self.handler_drain_deferred(conn);
    }

    /// `LearnerHandler.run`'s "not truncating or sending a diff": SNAP with
    /// the leader's tree as of its `lastProcessedZxid` (`lpz`), taken in the
    /// same instant as `startForwarding`.
    fn handler_send_snapshot(
        &mut self,
        conn: ConnId,
        observer: bool,
        peer: Zxid,
        leader_last: Zxid,
        lpz: Zxid,
    ) {
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

    /// `ZKDatabase.calculateTxnLogSizeLimit` then `getProposalsFromTxnLog`:
    /// a `FileTxnIterator` for `peer` without fast-forward (it points at the
    /// first txn of the file holding `peer`). No txns when that txn is
    /// above `peer` (the log does not reach back), when the files it has
    /// not opened yet are larger than `snapshotSizeFactor` × the newest
    /// snapshot file (each is preallocated, 64 MiB by default), or when it
    /// has no txn at all. Else the logged txns from that file on, up to
    /// `min` (where `queueCommittedProposals` stops).
    fn txnlog_proposals(&mut self, peer: Zxid, min: Zxid) -> Option<Vec<Arc<Txn>>> {
        let snap_size = self.disk.newest_snapshot().map_or(0, |s| s.bytes);
        let limit = snap_size * self.cfg.size_factor_pct().max(0) as u64 / 100;
        let read = self.disk.read(peer, false);
        let first = read.at.and_then(|i| self.disk.log.get(i)).map(|t| t.zxid);
        if first.is_some_and(|z| z > peer) {
            self.log(
                Level::Warn,
                "ZKDatabase",
                format!(
                    "Unable to find proposals from txnlog for zxid: 0x{:x}",
                    peer.0
                ),
            );
            return None;
        }
        if limit > 0 && read.storage_size > limit {
            self.log(
                Level::Info,
                "ZKDatabase",
                format!(
                    "Txnlog size: {} exceeds sizeLimit: {limit}",
                    read.storage_size
                ),
            );
            return None;
        }
        first?;
        Some(
            self.disk
                .read_txns(&read)
                .take_while(|t| t.zxid <= min)
                .cloned()
                .collect(),
        )
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
}
