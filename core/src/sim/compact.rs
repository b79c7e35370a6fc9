//! Keeps the checks' own records bounded in a long run. ZooKeeper does not
//! keep them: they are every tree's applied txns (`ghost_applied`), the
//! committed order G and the proposals the checks compare deliveries with.
//! Once every history a server holds, or could rebuild from its disk,
//! agrees with G up to a position W, what lies before W is forgotten, in
//! whole blocks of 16,384 txns (`Seq::forget_before`).
//!
//! Contract:
//! - W is the lowest of: every server's settled position
//!   (`Checker::settled`: its deliveries compared with G, its history not
//!   rebuilt since); for every snapshot on every disk, its length and its
//!   delivered count (a restart or a TRUNC reloads a snapshot and replays
//!   the log after it, so what it replays lands at or above W, and what
//!   the snapshot holds below W was delivered, so checked); how far the
//!   recipes' committed tree has applied G. A server without a snapshot
//!   keeps W at 0, and so do a reported violation and a history out of
//!   zxid order. Without `autopurge` the `snapshot.0` a first start
//!   writes stays and pins W at 0: ZooKeeper's own retention decides what
//!   the checks may forget, as it decides what the disks keep.
//! - Forgotten: G and the proposals of epochs before its first held txn
//!   (`Checker::forget_before`), and the same blocks of every tree's
//!   `ghost_applied`, the live trees', the snapshots' (a snapshot shared
//!   with a time-travel checkpoint is copied first: the checkpoint keeps
//!   its own) and the recipes' committed tree.
//! - Before that, every live tree's full blocks of applied txns that equal
//!   G's share G's storage (`Seq::share_blocks_with`, also the full chunks
//!   of the block being filled): one copy of the order, not one per
//!   server. A snapshot taken later shares them too, and so does each
//!   time-travel checkpoint (shared when it is kept).
//! - Runs when G has grown by a block since the last attempt: every
//!   16,384 commits, so its cost (a pass over the servers and their
//!   snapshots) does not show.
//! - Observation only: no server reads what it forgets, so no run and no
//!   trace hash changes, and the same violations are reported (tests in
//!   `sim/tests.rs`, `compaction_`).
//! - Also here: what a simulation holds as time travel's checkpoint
//!   budget weighs it (`held_txns`, `committed_len`).

use std::sync::Arc;

use super::Simulation;
use crate::seq::Seq;
use crate::txn::TxnId;

/// Commits between two attempts: one block of G, what it can forget at a
/// time.
const EVERY: usize = Seq::<TxnId>::PER_BLOCK;

impl Simulation {
    /// Forget the checks' records before the watermark (module doc), when
    /// G has grown by a block since the last attempt.
    pub(super) fn compact_checks(&mut self) {
        let g = self.checker.committed().len();
        if self.compaction_off || g < self.compacted_at + EVERY {
            return;
        }
        self.compacted_at = g;
        self.share_applied_with_committed();
        let w = self.watermark();
        // Keep the txn at W - 1: a server's checks compare its next
        // delivery with the one before it.
        let Some(upto) = w.checked_sub(1) else {
            return;
        };
        if upto < EVERY {
            return;
        }
        self.checker.forget_before(upto);
        for n in &mut self.nodes {
            let s = &mut n.server;
            s.tree.ghost_applied.forget_before(upto);
            for snap in &mut s.disk.snapshots {
                if snap.tree.ghost_applied.floor() < upto / EVERY * EVERY {
                    Arc::make_mut(&mut snap.tree)
                        .ghost_applied
                        .forget_before(upto);
                }
            }
        }
        self.committed.tree.ghost_applied.forget_before(upto);
    }

    /// Every live tree's full blocks of applied txns, and the full chunks
    /// of the block it is filling, that equal G's at the same positions
    /// (the usual case: a server delivers G) share G's storage: one copy of
    /// the order instead of one per server. Time travel calls it on each
    /// checkpoint it keeps: without it every checkpoint held each server's
    /// last ~16,000 applied txns of its own (~2.5 MB with five servers).
    pub fn share_applied_with_committed(&mut self) {
        let g = self.checker.committed();
        for n in &mut self.nodes {
            n.server.tree.ghost_applied.share_blocks_with(g);
        }
        self.committed.tree.ghost_applied.share_blocks_with(g);
    }

    /// Txns this simulation holds, as time travel's budget weighs a
    /// checkpoint (`timetravel::policy::Held`): its largest txn log and
    /// the checks' committed order still held.
    pub fn held_txns(&self) -> u64 {
        let log = self.nodes.iter().map(|n| n.server.disk.log.len()).max();
        let g = self.checker.committed();
        (log.unwrap_or(0) + (g.len() - g.floor())) as u64
    }

    /// How many txns the checks have seen committed (G's length).
    pub fn committed_len(&self) -> usize {
        self.checker.committed().len()
    }

    /// The position before which every history agrees with G (module doc).
    fn watermark(&self) -> usize {
        let mut w = self.committed.applied.min(self.checker.committed().len());
        for n in &self.nodes {
            let s = &n.server;
            w = w.min(self.checker.settled(n.sid, &s.tree.ghost_applied));
            if !s.tree.ghost_increasing || s.disk.snapshots.is_empty() {
                return 0;
            }
            for snap in &s.disk.snapshots {
                if !snap.tree.ghost_increasing {
                    return 0;
                }
                w = w
                    .min(snap.ghost_delivered)
                    .min(snap.tree.ghost_applied.len());
            }
        }
        w
    }
}
