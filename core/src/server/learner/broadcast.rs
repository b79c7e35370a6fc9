//! The learner in BROADCAST: `Follower.processPacket` (PROPOSAL → log →
//! ACK after fsync, COMMIT, SYNC, PING with the session touches) and
//! `Observer.processPacket` (INFORM), with
//! `FollowerZooKeeperServer.logRequest` and `commit`.
//!
//! A COMMIT must match the head of `pendingTxns` or the process exits
//! (`Unmatched commit`); nothing here changes the learner's phase.

use std::sync::Arc;

use crate::proto::Packet;
use crate::server::{AfterFlush, GhostEvent, Level, Server};
use crate::txn::Txn;
use crate::zxid::Zxid;

impl Server {
    /// `FollowerZooKeeperServer.logRequest`.
    pub(super) fn follower_log_request(&mut self, txn: Arc<Txn>) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        let conn = l.conn.unwrap_or(0);
        l.pending_txns.push_back(txn.clone());
        self.log_txn(txn, AfterFlush::FollowerAck { conn });
    }

    /// `FollowerZooKeeperServer.commit`.
    pub(super) fn follower_commit(&mut self, zxid: Zxid) {
        let Some(l) = self.learner_mut() else {
            return;
        };
        match l.pending_txns.front() {
            None => {
                self.log(
                    Level::Warn,
                    "FollowerZooKeeperServer",
                    format!("Committing 0x{:x} without seeing txn", zxid.0),
                );
            }
            Some(t) if t.zxid != zxid => {
                let first = t.zxid;
                self.log(
                    Level::Error,
                    "FollowerZooKeeperServer",
                    format!(
                        "Committing zxid 0x{:x} but next pending txn 0x{:x}",
                        zxid.0, first.0
                    ),
                );
                self.ghost(GhostEvent::Inconsistent {
                    kind: "commitInconsistent",
                    zxid,
                });
                self.exit("Unmatched commit".to_string());
            }
            Some(_) => {
                if let Some(t) = l.pending_txns.pop_front() {
                    self.apply_txn(&t, true);
                }
            }
        }
    }

    pub(super) fn learner_broadcast_packet(&mut self, packet: Packet) {
        let observer = self.learner().is_some_and(|l| l.observer);
        match packet {
            Packet::Ping { .. } => {
                let Some(l) = self.learner_mut() else {
                    return;
                };
                let touches: Vec<(u64, u32)> = std::mem::take(&mut l.touches).into_iter().collect();
                let conn = l.conn;
                let zxid = self.last_logged_zxid();
                if let Some(conn) = conn {
                    self.send(conn, Packet::Ping { zxid, touches });
                }
            }
            Packet::Proposal { txn } if !observer => {
                let warn = {
                    let Some(l) = self.learner_mut() else {
                        return;
                    };
                    let expected = l.last_queued.next();
                    l.last_queued = txn.zxid;
                    (expected != txn.zxid).then_some(expected)
                };
                if let Some(e) = warn {
                    self.log(
                        Level::Warn,
                        "Follower",
                        format!("Got zxid 0x{:x} expected 0x{:x}", txn.zxid.0, e.0),
                    );
                }
                self.stats_proposal_received(&txn);
                self.follower_log_request(txn);
            }
            Packet::Commit { zxid } if !observer => {
                let created = self.learner().and_then(|l| {
                    l.pending_txns
                        .front()
                        .filter(|t| t.zxid == zxid)
                        .map(|t| t.time_ms)
                });
                self.stats_commit_received(created);
                self.follower_commit(zxid)
            }
            Packet::Sync => self.learner_sync_answered(),
            Packet::Inform { txn } if observer => {
                self.stats_commit_received(Some(txn.time_ms));
                self.log_txn(txn.clone(), AfterFlush::Nothing);
                self.apply_txn(&txn, true);
            }
            Packet::Proposal { .. } | Packet::Commit { .. } => {}
            Packet::UpToDate => {
                self.log(
                    Level::Error,
                    "Follower",
                    "Received an UPTODATE message after Follower started".to_string(),
                );
            }
            other => {
                let text = format!("Unknown packet type: {}", other.name());
                self.log(Level::Warn, "Follower", text);
                self.ghost(GhostEvent::Inconsistent {
                    kind: "messageIllegal",
                    zxid: other.zxid(),
                });
            }
        }
    }
}
