//! The leader's `PrepRequestProcessor` (`pRequest`, `pRequest2Txn`,
//! `getRecordForPath`, `addChangeRecord`): every request that changes state
//! gets the next zxid and is checked against the tree plus the outstanding
//! changes; a failed check still takes its zxid as an `error` txn (a failed
//! multi rolls back its staged changes). The txn then goes to
//! `Leader.propose`.
//!
//! It owns the outstanding changes ([`ChangeRecord`]) and never applies a
//! txn or answers a client: that happens when the txn commits.

use std::sync::Arc;

use crate::proto::{Request, RequestOp};
use crate::server::{ConnId, Level, Role, Server};
use crate::txn::{code, parent_of, Txn, TxnOp};
use crate::zxid::Zxid;

/// `KeeperException.Code.SESSIONEXPIRED`.
pub const SESSION_EXPIRED: i32 = -112;

/// A pending change seen by `PrepRequestProcessor` (`outstandingChanges`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    pub zxid: Zxid,
    pub exists: bool,
    pub version: i32,
    pub ephemeral_owner: u64,
    /// The node's cversion and child count as the prep processor sees
    /// them (sequential names and NotEmpty checks).
    pub cversion: i32,
    pub num_children: u32,
}

/// The changes one request stages, in order, before they become
/// outstanding.
type Staged = Vec<(Arc<str>, ChangeRecord)>;

impl ChangeRecord {
    /// The record of a node a txn deletes.
    fn gone(zxid: Zxid) -> ChangeRecord {
        ChangeRecord {
            zxid,
            exists: false,
            version: 0,
            ephemeral_owner: 0,
            cversion: 0,
            num_children: 0,
        }
    }
}

impl Server {
    /// What the leader's prep processor believes about `path`
    /// (`PrepRequestProcessor.getRecordForPath`): the changes staged by
    /// this request, then the outstanding changes, then the tree.
    fn prep_node(&self, staged: &Staged, path: &str) -> Option<ChangeRecord> {
        if let Some((_, c)) = staged.iter().rev().find(|(p, _)| &**p == path) {
            return c.exists.then(|| c.clone());
        }
        if let Some(l) = self.leader() {
            if let Some(c) = l.changes.get(path) {
                return c.exists.then(|| c.clone());
            }
        }
        self.tree.nodes.get(path).map(|n| ChangeRecord {
            zxid: n.mzxid,
            exists: true,
            version: n.version,
            ephemeral_owner: n.ephemeral_owner,
            cversion: n.cversion,
            num_children: n.num_children,
        })
    }

    /// `addChangeRecord`: a staged change becomes outstanding.
    fn record_change(&mut self, path: Arc<str>, rec: ChangeRecord) {
        if let Role::Leader(l) = &mut self.role {
            l.change_order.push_back((rec.zxid, path.clone()));
            l.changes.insert(path, rec);
        }
    }

    /// `PrepRequestProcessor.pRequest2Txn` for one node op: the txn, or
    /// the error code; the changes it implies are staged.
    fn prep_op(
        &self,
        zxid: Zxid,
        session: u64,
        op: &RequestOp,
        staged: &mut Staged,
    ) -> Result<TxnOp, i32> {
        match op {
            RequestOp::Create { .. } => self.prep_create(zxid, session, op, staged),
            RequestOp::Delete { path, version } => self.prep_delete(zxid, path, *version, staged),
            RequestOp::SetData {
                path,
                data,
                version,
            } => self.prep_set_data(zxid, path, data, *version, staged),
            RequestOp::Check { path, version } => self.prep_check(path, *version, staged),
            _ => Err(code::RUNTIME_INCONSISTENCY),
        }
    }

    /// create: the parent must exist and not be ephemeral, the node must
    /// not; a sequential name takes the parent's cversion.
    fn prep_create(
        &self,
        zxid: Zxid,
        session: u64,
        op: &RequestOp,
        staged: &mut Staged,
    ) -> Result<TxnOp, i32> {
        let RequestOp::Create {
            path,
            data,
            ephemeral,
            sequential,
        } = op
        else {
            return Err(code::RUNTIME_INCONSISTENCY);
        };
        let parent_path: Arc<str> = Arc::from(parent_of(path));
        let Some(parent) = self.prep_node(staged, &parent_path) else {
            return Err(code::NO_NODE);
        };
        let path: Arc<str> = if *sequential {
            Arc::from(format!("{path}{:010}", parent.cversion).as_str())
        } else {
            path.clone()
        };
        if self.prep_node(staged, &path).is_some() {
            return Err(code::NODE_EXISTS);
        }
        if parent.ephemeral_owner != 0 {
            return Err(code::NO_CHILDREN_FOR_EPHEMERALS);
        }
        let parent_cversion = parent.cversion + 1;
        let owner = if *ephemeral { session } else { 0 };
        staged.push((
            parent_path,
            ChangeRecord {
                zxid,
                cversion: parent_cversion,
                num_children: parent.num_children + 1,
                ..parent
            },
        ));
        staged.push((
            path.clone(),
            ChangeRecord {
                zxid,
                exists: true,
                version: 0,
                ephemeral_owner: owner,
                cversion: 0,
                num_children: 0,
            },
        ));
        Ok(TxnOp::Create {
            path,
            data: data.clone(),
            ephemeral: *ephemeral,
            parent_cversion,
        })
    }

    /// delete: the node must exist at the expected version and have no
    /// children; its parent loses a child.
    fn prep_delete(
        &self,
        zxid: Zxid,
        path: &Arc<str>,
        version: i32,
        staged: &mut Staged,
    ) -> Result<TxnOp, i32> {
        let Some(node) = self.prep_node(staged, path) else {
            return Err(code::NO_NODE);
        };
        check_version(version, node.version)?;
        if node.num_children > 0 {
            return Err(code::NOT_EMPTY);
        }
        self.stage_removal(zxid, path, staged);
        Ok(TxnOp::Delete { path: path.clone() })
    }

    /// setData: the node must exist at the expected version; its version
    /// goes up by one.
    fn prep_set_data(
        &self,
        zxid: Zxid,
        path: &Arc<str>,
        data: &Arc<str>,
        version: i32,
        staged: &mut Staged,
    ) -> Result<TxnOp, i32> {
        let Some(node) = self.prep_node(staged, path) else {
            return Err(code::NO_NODE);
        };
        check_version(version, node.version)?;
        let new_version = node.version + 1;
        staged.push((
            path.clone(),
            ChangeRecord {
                zxid,
                version: new_version,
                ..node
            },
        ));
        Ok(TxnOp::SetData {
            path: path.clone(),
            data: data.clone(),
            version: new_version,
        })
    }

    /// check (a multi's version check): the node must exist at the
    /// expected version; nothing is staged.
    fn prep_check(&self, path: &Arc<str>, version: i32, staged: &Staged) -> Result<TxnOp, i32> {
        let Some(node) = self.prep_node(staged, path) else {
            return Err(code::NO_NODE);
        };
        check_version(version, node.version)?;
        Ok(TxnOp::CheckVersion {
            path: path.clone(),
            version,
        })
    }

    /// Stages the removal of `path`: its parent (if known) loses a child,
    /// the node is gone.
    fn stage_removal(&self, zxid: Zxid, path: &Arc<str>, staged: &mut Staged) {
        let parent_path: Arc<str> = Arc::from(parent_of(path));
        if let Some(parent) = self.prep_node(staged, &parent_path) {
            staged.push((
                parent_path,
                ChangeRecord {
                    zxid,
                    num_children: parent.num_children.saturating_sub(1),
                    ..parent
                },
            ));
        }
        staged.push((path.clone(), ChangeRecord::gone(zxid)));
    }

    /// A txn was applied: the leader's outstanding changes up to its zxid
    /// are no longer outstanding (unless a later change replaced them).
    pub(super) fn drop_outstanding_changes(&mut self, txn: &Txn) {
        if let Role::Leader(l) = &mut self.role {
            while let Some((z, _)) = l.change_order.front() {
                if *z > txn.zxid {
                    break;
                }
                if let Some((z, p)) = l.change_order.pop_front() {
                    if l.changes.get(&p).is_some_and(|c| c.zxid == z) {
                        l.changes.remove(&p);
                    }
                }
            }
        }
    }

    /// A request of a local client or of the session tracker (see
    /// `leader_submit_from`).
    pub(in crate::server) fn leader_submit(&mut self, r: Request) {
        self.leader_submit_from(None, r);
    }

    /// `PrepRequestProcessor.pRequest`: a zxid for every request, an error
    /// txn when a check fails, then `Leader.propose`. A learner's sync
    /// (`from` names its handler) or a local one goes to `processSync`.
    pub(in crate::server) fn leader_submit_from(&mut self, from: Option<ConnId>, r: Request) {
        let Some(l) = self.leader() else {
            return;
        };
        if l.established_ms.is_none() {
            return;
        }
        if let RequestOp::Sync { .. } = r.op {
            self.leader_process_sync(from, r.session, r.cxid);
            return;
        }
        let zxid = l.hzxid.next();
        let known = self.tree.sessions.contains_key(&r.session)
            || l.session_deadlines.contains_key(&r.session);
        let closing = l.closing.contains(&r.session);
        if let Role::Leader(l) = &mut self.role {
            l.hzxid = zxid;
        }
        let mut staged: Staged = Vec::new();
        let op = match &r.op {
            RequestOp::CreateSession { timeout_ms } => {
                self.log(
                    Level::Debug,
                    "SessionTrackerImpl",
                    format!("Adding session 0x{:x}", r.session),
                );
                self.track_session_at_leader(r.session, *timeout_ms as u64);
                TxnOp::CreateSession {
                    timeout_ms: *timeout_ms,
                }
            }
            _ if !known || (closing && r.op != RequestOp::CloseSession) => TxnOp::Error {
                code: SESSION_EXPIRED,
            },
            RequestOp::CloseSession => self.prep_close_session(zxid, r.session, &mut staged),
            RequestOp::Multi { ops } => self.prep_multi(zxid, r.session, ops, &mut staged),
            RequestOp::GetData { .. }
            | RequestOp::Exists { .. }
            | RequestOp::GetChildren { .. }
            | RequestOp::Sync { .. } => {
                // Reads never reach the leader's prep processor.
                return;
            }
            op => match self.prep_op(zxid, r.session, op, &mut staged) {
                Ok(t) => t,
                Err(c) => {
                    staged.clear();
                    TxnOp::Error { code: c }
                }
            },
        };
        for (path, rec) in staged {
            self.record_change(path, rec);
        }
        let txn = Txn::new(zxid, r.session, r.cxid, self.now, op);
        self.leader_propose(txn);
    }

    /// closeSession: the session's ephemerals (in the tree and outstanding)
    /// are deleted with it, in path order; the session is closing from now.
    fn prep_close_session(&mut self, zxid: Zxid, session: u64, staged: &mut Staged) -> TxnOp {
        let mut paths: Vec<Arc<str>> = self.tree.ephemerals_of(session);
        if let Some(l) = self.leader() {
            paths.retain(|p| l.changes.get(p).is_none_or(|c| c.exists));
            for (p, c) in &l.changes {
                if c.exists && c.ephemeral_owner == session && !paths.contains(p) {
                    paths.push(p.clone());
                }
            }
        }
        crate::sorting::sort(&mut paths);
        for p in &paths {
            self.stage_removal(zxid, p, staged);
        }
        if let Role::Leader(l) = &mut self.role {
            l.closing.insert(session);
        }
        TxnOp::CloseSession { ephemerals: paths }
    }

    /// multi: each op in order; after the first failure the rest are
    /// `RUNTIME_INCONSISTENCY` and nothing stays staged
    /// (`rollbackPendingChanges`).
    fn prep_multi(
        &self,
        zxid: Zxid,
        session: u64,
        ops: &[RequestOp],
        staged: &mut Staged,
    ) -> TxnOp {
        let mut txns = Vec::with_capacity(ops.len());
        let mut failed = false;
        for op in ops {
            if failed {
                txns.push(TxnOp::Error {
                    code: code::RUNTIME_INCONSISTENCY,
                });
                continue;
            }
            match self.prep_op(zxid, session, op, staged) {
                Ok(t) => txns.push(t),
                Err(c) => {
                    failed = true;
                    staged.clear();
                    txns.push(TxnOp::Error { code: c });
                }
            }
        }
        TxnOp::Multi { ops: txns }
    }
}

/// `PrepRequestProcessor.checkAndIncVersion`'s check: `-1` matches any
/// version.
fn check_version(want: i32, have: i32) -> Result<(), i32> {
    if want != -1 && want != have {
        Err(code::BAD_VERSION)
    } else {
        Ok(())
    }
}
