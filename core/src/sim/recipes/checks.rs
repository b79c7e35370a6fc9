//! The committed tree and the checks of the recipes.
//!
//! The **committed tree** is the data tree as the ensemble has committed
//! it: every txn of the checker's committed order, applied in order. It
//! only moves forward, whatever server crashes.
//!
//! Checks:
//! - `LockMutualExclusion` (a violation): a lock or election client that
//!   believes it holds, and whose session is alive in the committed tree,
//!   owns the lowest node under the lock's path there.
//! - `LockHolderExpired` (a hazard, not a violation): a client still
//!   believes it holds the lock while its session has expired. ZooKeeper
//!   allows this (the client learns of the expiry only when it reconnects):
//!   it is why real systems add fencing tokens.
//! - `SyncReadNotLinearizable` (a hazard): a read right after a `sync`
//!   returned state older than a write that completed before the sync
//!   was sent; ZooKeeper's sync does not confirm leadership (Jepsen).
//! - `LivenessGroupConverged` (an expectation, `expect.rs`): every live
//!   group member sees the committed membership (`groups_converged`).
//!
//! Contract: called from `run_checks` after every event (and from the
//! client answers for `check_sync_read`); reads the recipes and the
//! committed order, reports through the checker or `hazards`, and never
//! changes a server, a client or a recipe.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{join, lock_order, Step};
use crate::proto::{RequestOp, Sid};
use crate::scenario::RecipeKind;
use crate::sim::{ClientState, Hazard, Simulation};
use crate::txn::{DataTree, Txn, TxnId};
use crate::zxid::Zxid;

/// The committed tree: the checker's committed order applied in order.
#[derive(Debug, Clone, Default)]
pub(in crate::sim) struct CommittedTree {
    pub tree: DataTree,
    /// How many txns of the committed order are applied.
    pub applied: usize,
    /// Proposed txns not yet committed (or abandoned), by identity.
    pub proposals: BTreeMap<TxnId, Arc<Txn>>,
    /// Committed txns whose content was never seen (should stay 0).
    pub missing: u64,
}

impl Simulation {
    /// The data tree as the ensemble has committed it so far.
    pub fn committed_tree(&self) -> &DataTree {
        &self.committed.tree
    }

    // ----- the committed tree -----

    /// Remembers a proposal's content (called for each Proposed ghost).
    pub(in crate::sim) fn note_proposal(&mut self, sid: Sid, id: TxnId) {
        let Ok(i) = self.idx(sid) else {
            return;
        };
        let s = &self.nodes[i].server;
        let txn = s
            .leader()
            .and_then(|l| l.outstanding.get(&id.zxid))
            .map(|p| p.txn.clone())
            .filter(|t| t.id() == id);
        if let Some(t) = txn {
            self.committed.proposals.insert(id, t);
        }
    }

    /// Applies what the checker's committed order gained since last time.
    pub(in crate::sim) fn advance_committed(&mut self) {
        let order = self.checker.committed();
        while self.committed.applied < order.len() {
            let Some(id) = order.get(self.committed.applied).copied() else {
                break;
            };
            match self.committed.proposals.remove(&id) {
                Some(t) => self.committed.tree.apply(&t),
                None => self.committed.missing += 1,
            }
            self.committed.applied += 1;
        }
        // Proposals below the committed head were abandoned. They are a
        // prefix of the map (ordered by zxid first), so dropping them is
        // popping the front: a look at one key when there is none to drop
        // (a full `retain` after every event was a scan of every pending
        // proposal while a partition kept them from committing).
        if self.committed.proposals.len() > 64 {
            let head = self.committed.tree.last_processed_zxid;
            while self
                .committed
                .proposals
                .first_key_value()
                .is_some_and(|(k, _)| k.zxid <= head)
            {
                self.committed.proposals.pop_first();
            }
        }
    }

    // ----- checks -----

    /// Lock mutual exclusion (violation) and holders with a dead session
    /// (hazard), after every event of a run with lock recipes.
    pub(in crate::sim) fn check_locks(&mut self) {
        let mut believers: Vec<usize> = Vec::new();
        for (i, r) in self.recipes.iter().enumerate() {
            if r.holds_since.is_some() && matches!(r.kind, RecipeKind::Lock | RecipeKind::Election)
            {
                believers.push(i);
            }
        }
        if believers.is_empty() {
            return;
        }
        for ri in believers {
            self.check_lock_belief(ri);
        }
    }

    /// One lock or election client that believes it holds: with a live
    /// session it must own the lowest node (a violation if not); with an
    /// expired one it is a hazard.
    fn check_lock_belief(&mut self, ri: usize) {
        let r = &self.recipes[ri];
        let cl = &self.clients[r.client];
        let session = cl.session;
        let live = self.committed.tree.sessions.contains_key(&session);
        let children = self.committed.tree.children_of(&r.path);
        let order = lock_order(&children);
        let lowest = order.first().map(|c| join(&r.path, c));
        let mine = r.my_node.clone();
        let name = cl.name.clone();
        if !live {
            self.lock_holder_expired(ri, &name, session, lowest, mine);
        } else if lowest != mine {
            let holder = lowest
                .as_ref()
                .map(|n| self.committed.tree.owner_of(n))
                .unwrap_or(0);
            self.checker.report(
                "LockMutualExclusion",
                self.now_ms,
                self.events,
                vec![cl.server],
                Vec::new(),
                format!(
                    "{name} believes it holds {} with a live session 0x{session:x}, but the lowest node in the committed tree is {} (session 0x{holder:x})",
                    r.path,
                    lowest.as_deref().unwrap_or("none")
                ),
            );
        }
    }

    /// A holder whose session has expired in the committed tree: a hazard,
    /// reported once per client and node.
    fn lock_holder_expired(
        &mut self,
        ri: usize,
        name: &str,
        session: u64,
        lowest: Option<Arc<str>>,
        mine: Option<Arc<str>>,
    ) {
        let key = (name.to_string(), mine.as_deref().unwrap_or("").to_string());
        if self.lock_hazards_seen.contains(&key) {
            return;
        }
        self.lock_hazards_seen.insert(key);
        let r = &self.recipes[ri];
        let other = self
            .recipes
            .iter()
            .enumerate()
            .find(|(j, o)| {
                *j != ri && o.path == r.path && o.my_node.is_some() && o.my_node == lowest
            })
            .map(|(_, o)| self.clients[o.client].name.clone());
        let mut clients = vec![name.to_string()];
        let now_holder = match &other {
            Some(o) => {
                clients.push(o.clone());
                format!(
                    "; {o}'s node {} is now the lowest: {o} takes the lock",
                    lowest.as_deref().unwrap_or("")
                )
            }
            None => String::new(),
        };
        let what = if r.kind == RecipeKind::Lock {
            "holds the lock"
        } else {
            "leads"
        };
        self.hazards.push(Hazard {
            kind: "LockHolderExpired",
            at_ms: self.now_ms,
            clients,
            detail: format!(
                "{name} still believes it {what} {} (node {}), but its session 0x{session:x} has expired in the committed tree{now_holder}. It cannot know until it reconnects: fence the protected resource (e.g. with the node's zxid as a token)",
                r.path,
                mine.as_deref().unwrap_or("?"),
            ),
        });
    }

    /// Whether every live group member sees the committed membership.
    pub(in crate::sim) fn groups_converged(&self) -> Result<(), String> {
        for r in &self.recipes {
            if r.kind != RecipeKind::Group || r.ended.is_some() {
                continue;
            }
            let cl = &self.clients[r.client];
            if !matches!(cl.state, ClientState::Connected) {
                continue;
            }
            let committed: Vec<String> = self
                .committed
                .tree
                .children_of(&r.path)
                .iter()
                .map(|c| c.to_string())
                .collect();
            if r.step != Step::Waiting || r.members != committed {
                return Err(format!(
                    "{} sees [{}] ({:?}), the committed group is [{}]",
                    cl.name,
                    r.members.join(", "),
                    r.step,
                    committed.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// A read answered right after a sync: it must not be older than what
    /// had completed before the sync was sent, or the sync did not make it
    /// linearizable (the known stale-leader case).
    pub(in crate::sim) fn check_sync_read(
        &mut self,
        c: usize,
        floor: Zxid,
        zxid: Zxid,
        op: &RequestOp,
    ) {
        if zxid >= floor {
            return;
        }
        let cl = &self.clients[c];
        let detail = format!(
            "{} called sync, then {} {} on server {}: it read state as of {zxid}, but the write {floor} had completed before the sync was sent. ZooKeeper's sync does not confirm leadership: a deposed leader that has not noticed yet answers it (Jepsen)",
            cl.name,
            op.name(),
            op.path(),
            cl.server
        );
        let name = cl.name.clone();
        let key = (format!("sync-read {name}"), cl.server.to_string());
        if !self.lock_hazards_seen.insert(key) {
            return;
        }
        self.hazards.push(Hazard {
            kind: "SyncReadNotLinearizable",
            at_ms: self.now_ms,
            clients: vec![name],
            detail,
        });
    }
}
