//! Transactions and the data tree (`server.DataTree`, `txn.*Txn`), and
//! the watch events applying a txn fires (`Watcher.Event.EventType`; the
//! wire types in `crate::proto` re-export it, this module never imports
//! them).
//!
//! Every state change ZooKeeper replicates is a txn with a zxid: client
//! writes, but also `createSession`, `closeSession` (with the ephemerals it
//! deletes, `CloseSessionTxn.paths2Delete`) and failed requests, which become
//! `error` txns that still take a zxid (`PrepRequestProcessor`).
//!
//! The tree carries one field ZooKeeper does not have: `ghost_applied`, the
//! ids of the txns applied to it in order. Only the checks read it (global
//! knowledge for PrefixConsistency and friends); the protocol never does.
//! Applying a txn never panics: a txn that does not fit the tree (it cannot
//! happen with correct sync) is counted in `apply_mismatches`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::seq::Seq;
use crate::trace::TraceHasher;
use crate::zxid::Zxid;

/// ZooKeeper's error codes (`KeeperException.Code`) used by error txns.
pub mod code {
    pub const OK: i32 = 0;
    pub const RUNTIME_INCONSISTENCY: i32 = -2;
    pub const NO_NODE: i32 = -101;
    pub const BAD_VERSION: i32 = -103;
    pub const NODE_EXISTS: i32 = -110;
    pub const NOT_EMPTY: i32 = -111;
    pub const NO_CHILDREN_FOR_EPHEMERALS: i32 = -108;

    /// `KeeperException.Code` names, as a client sees them.
    pub fn name(code: i32) -> &'static str {
        match code {
            OK => "OK",
            RUNTIME_INCONSISTENCY => "RuntimeInconsistency",
            NO_NODE => "NoNode",
            BAD_VERSION => "BadVersion",
            NO_CHILDREN_FOR_EPHEMERALS => "NoChildrenForEphemerals",
            NODE_EXISTS => "NodeExists",
            NOT_EMPTY => "NotEmpty",
            -112 => "SessionExpired",
            _ => "Error",
        }
    }
}

/// What a txn does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxnOp {
    CreateSession {
        timeout_ms: u32,
    },
    CloseSession {
        ephemerals: Vec<Arc<str>>,
    },
    /// `parent_cversion`: the parent's cversion after this create
    /// (`CreateTxn.parentCVersion`); the tree takes it if it is higher.
    Create {
        path: Arc<str>,
        data: Arc<str>,
        ephemeral: bool,
        parent_cversion: i32,
    },
    Delete {
        path: Arc<str>,
    },
    /// `multi`'s check op (`CheckVersionTxn`): changes nothing.
    CheckVersion {
        path: Arc<str>,
        version: i32,
    },
    /// `OpCode.multi`: every op applies, in order; a multi holding an
    /// `Error` failed, and then none of its ops applies (`DataTree`
    /// turns them into errors at apply time).
    Multi {
        ops: Vec<TxnOp>,
    },
    SetData {
        path: Arc<str>,
        data: Arc<str>,
        version: i32,
    },
    Error {
        code: i32,
    },
}

impl TxnOp {
    /// ZooKeeper's `OpCode` name, as the txn log prints it.
    pub fn name(&self) -> &'static str {
        match self {
            TxnOp::CreateSession { .. } => "createSession",
            TxnOp::CloseSession { .. } => "closeSession",
            TxnOp::Create { .. } => "create",
            TxnOp::Delete { .. } => "delete",
            TxnOp::SetData { .. } => "setData",
            TxnOp::Multi { .. } => "multi",
            TxnOp::CheckVersion { .. } => "check",
            TxnOp::Error { .. } => "error",
        }
    }

    /// A multi with an error op (nothing of it applies).
    pub fn is_failed_multi(&self) -> bool {
        matches!(self, TxnOp::Multi { ops } if ops.iter().any(|o| matches!(o, TxnOp::Error { .. })))
    }

    /// The error code a client gets for this txn (0 for success; a failed
    /// multi answers with the first real failure).
    pub fn result_code(&self) -> i32 {
        match self {
            TxnOp::Error { code } => *code,
            TxnOp::Multi { ops } => ops
                .iter()
                .find_map(|o| match o {
                    TxnOp::Error { code }
                        if *code != code::OK && *code != code::RUNTIME_INCONSISTENCY =>
                    {
                        Some(*code)
                    }
                    _ => None,
                })
                .unwrap_or(code::OK),
            _ => code::OK,
        }
    }

    /// The nodes this txn creates, in order (a sequential node's name).
    pub fn created_paths(&self) -> Vec<Arc<str>> {
        match self {
            TxnOp::Create { path, .. } => vec![path.clone()],
            TxnOp::Multi { ops } if !self.is_failed_multi() => {
                ops.iter().flat_map(|o| o.created_paths()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Feeds the op's content to a digest (not `parent_cversion`, which
    /// the path already implies).
    fn digest_into(&self, h: &mut TraceHasher) {
        h.bytes(self.name().as_bytes());
        match self {
            TxnOp::CreateSession { timeout_ms } => h.word(*timeout_ms as u64),
            TxnOp::CloseSession { ephemerals } => {
                for p in ephemerals {
                    h.bytes(p.as_bytes());
                }
            }
            TxnOp::Create {
                path,
                data,
                ephemeral,
                ..
            } => {
                h.bytes(path.as_bytes());
                h.bytes(data.as_bytes());
                h.word(*ephemeral as u64);
            }
            TxnOp::Delete { path } => h.bytes(path.as_bytes()),
            TxnOp::SetData {
                path,
                data,
                version,
            } => {
                h.bytes(path.as_bytes());
                h.bytes(data.as_bytes());
                h.word(*version as u64);
            }
            TxnOp::CheckVersion { path, version } => {
                h.bytes(path.as_bytes());
                h.word(*version as u64);
            }
            TxnOp::Multi { ops } => {
                h.word(ops.len() as u64);
                for op in ops {
                    op.digest_into(h);
                }
            }
            TxnOp::Error { code } => h.word(*code as u64),
        }
    }

    fn size_bytes(&self) -> u64 {
        match self {
            TxnOp::CreateSession { .. } => 4,
            TxnOp::CloseSession { ephemerals } => {
                4 + ephemerals.iter().map(|p| 4 + p.len() as u64).sum::<u64>()
            }
            // path, data, one `world:anyone` ACL (vector 4 + perms 4 +
            // scheme 4+5 + id 4+6), ephemeral 1, parentCVersion 4
            TxnOp::Create { path, data, .. } => {
                4 + path.len() as u64 + 4 + data.len() as u64 + 27 + 1 + 4
            }
            TxnOp::Delete { path } => 4 + path.len() as u64,
            TxnOp::SetData { path, data, .. } => 4 + path.len() as u64 + 4 + data.len() as u64 + 4,
            TxnOp::Multi { ops } => 4 + ops.iter().map(|o| 8 + o.size_bytes()).sum::<u64>(),
            TxnOp::CheckVersion { path, .. } => 4 + path.len() as u64 + 4,
            TxnOp::Error { .. } => 4,
        }
    }
}

/// `Watcher.Event.EventType`: what applying a txn to the tree fires
/// ([`TxnOp::watch_triggers`]), as a client receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WatchEventType {
    NodeCreated,
    NodeDeleted,
    NodeDataChanged,
    NodeChildrenChanged,
}

impl WatchEventType {
    pub fn name(self) -> &'static str {
        match self {
            WatchEventType::NodeCreated => "NodeCreated",
            WatchEventType::NodeDeleted => "NodeDeleted",
            WatchEventType::NodeDataChanged => "NodeDataChanged",
            WatchEventType::NodeChildrenChanged => "NodeChildrenChanged",
        }
    }
}

impl TxnOp {
    /// The watch events applying this op fires (`DataTree` →
    /// `WatchManager.triggerWatch`): a create fires NodeCreated on the
    /// node and NodeChildrenChanged on its parent, a delete NodeDeleted
    /// and the parent's NodeChildrenChanged, a setData NodeDataChanged.
    pub fn watch_triggers(&self) -> Vec<(Arc<str>, WatchEventType)> {
        use WatchEventType as E;
        let mut out = Vec::new();
        let parent = |p: &str| Arc::<str>::from(parent_of(p));
        match self {
            TxnOp::Create { path, .. } => {
                out.push((path.clone(), E::NodeCreated));
                out.push((parent(path), E::NodeChildrenChanged));
            }
            TxnOp::Delete { path } => {
                out.push((path.clone(), E::NodeDeleted));
                out.push((parent(path), E::NodeChildrenChanged));
            }
            TxnOp::CloseSession { ephemerals } => {
                for path in ephemerals {
                    out.push((path.clone(), E::NodeDeleted));
                    out.push((parent(path), E::NodeChildrenChanged));
                }
            }
            TxnOp::SetData { path, .. } => out.push((path.clone(), E::NodeDataChanged)),
            TxnOp::Multi { ops } if !self.is_failed_multi() => {
                for op in ops {
                    out.extend(op.watch_triggers());
                }
            }
            TxnOp::Multi { .. }
            | TxnOp::CheckVersion { .. }
            | TxnOp::CreateSession { .. }
            | TxnOp::Error { .. } => {}
        }
        out
    }
}

/// The identity of a txn for the checks: its zxid and a digest of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId {
    pub zxid: Zxid,
    pub digest: u64,
}

/// One transaction (`TxnHeader` + record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txn {
    pub zxid: Zxid,
    pub session: u64,
    pub cxid: u32,
    pub time_ms: u64,
    pub op: TxnOp,
    pub digest: u64,
}

impl Txn {
    pub fn new(zxid: Zxid, session: u64, cxid: u32, time_ms: u64, op: TxnOp) -> Txn {
        let mut h = TraceHasher::new();
        h.word(zxid.0);
        h.word(session);
        h.word(cxid as u64);
        h.word(time_ms);
        op.digest_into(&mut h);
        let digest = h.finish();
        Txn {
            zxid,
            session,
            cxid,
            time_ms,
            op,
            digest,
        }
    }

    pub fn id(&self) -> TxnId {
        TxnId {
            zxid: self.zxid,
            digest: self.digest,
        }
    }

    /// Marshalled size in bytes (`Util.marshallTxnEntry`): the `TxnHeader`
    /// (sessionId 8, cxid 4, zxid 8, time 8, type 4), the Jute record, and
    /// the `TxnDigest` (version 4, digest 8) that 3.8 adds by default.
    /// `Proposal sizes` reports it; a log file adds
    /// `storage::sizes::ENTRY_FRAMING` around it.
    pub fn size_bytes(&self) -> u64 {
        32 + self.op.size_bytes() + 12
    }
}

/// A znode's data and stat (`DataNode` + `StatPersisted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub data: Arc<str>,
    pub czxid: Zxid,
    pub mzxid: Zxid,
    pub pzxid: Zxid,
    pub version: i32,
    pub cversion: i32,
    pub ephemeral_owner: u64,
    pub num_children: u32,
}

impl Node {
    fn new(data: Arc<str>, zxid: Zxid, ephemeral_owner: u64) -> Node {
        Node {
            data,
            czxid: zxid,
            mzxid: zxid,
            pzxid: zxid,
            version: 0,
            cversion: 0,
            ephemeral_owner,
            num_children: 0,
        }
    }
}

/// The replicated state: znodes and global sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTree {
    pub nodes: BTreeMap<Arc<str>, Node>,
    /// session id -> timeout (ms)
    pub sessions: BTreeMap<u64, u32>,
    pub last_processed_zxid: Zxid,
    /// Checks only: the txns applied to this tree, in order.
    pub ghost_applied: Seq<TxnId>,
    /// Checks only: every zxid in `ghost_applied` is above the one before
    /// it (false from the first that is not; lets the checks find a txn's
    /// predecessor without a binary search).
    pub ghost_increasing: bool,
    /// Txns that did not fit the tree when applied (should stay 0).
    pub apply_mismatches: u64,
}

impl Default for DataTree {
    fn default() -> Self {
        DataTree::new()
    }
}

/// The parent path of `path` ("/a/b" -> "/a", "/a" -> "/").
pub fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

impl DataTree {
    /// An empty tree with ZooKeeper's system nodes: `/`, `/zookeeper`,
    /// `/zookeeper/quota`, `/zookeeper/config` (node count 5: see
    /// [`DataTree::node_count`]).
    pub fn new() -> DataTree {
        let mut nodes = BTreeMap::new();
        for p in ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"] {
            nodes.insert(Arc::from(p), Node::new(Arc::from(""), Zxid::ZERO, 0));
        }
        if let Some(n) = nodes.get_mut("/") {
            n.num_children = 1;
        }
        if let Some(n) = nodes.get_mut("/zookeeper") {
            n.num_children = 2;
        }
        DataTree {
            nodes,
            sessions: BTreeMap::new(),
            last_processed_zxid: Zxid::ZERO,
            ghost_applied: Seq::new(),
            ghost_increasing: true,
            apply_mismatches: 0,
        }
    }

    /// ZooKeeper's `DataTree.getNodeCount()`, `nodes.size()`: its
    /// constructor puts the root under two keys, `""` and `"/"`
    /// (`nodes.put("", root)`, `nodes.putWithoutDigest("/", root)`), so
    /// the root counts twice (an empty 3.8.0 server's `srvr` says `Node
    /// count: 5`; found by `zablab conform`).
    pub fn node_count(&self) -> usize {
        self.nodes.len() + 1
    }

    /// The names of `path`'s children, in order (getChildren).
    pub fn children_of(&self, path: &str) -> Vec<Arc<str>> {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        self.nodes
            .range::<str, _>((
                std::ops::Bound::Excluded(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .map(|(p, _)| Arc::from(&p[prefix.len()..]))
            .collect()
    }

    pub fn ephemerals_of(&self, session: u64) -> Vec<Arc<str>> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.ephemeral_owner == session)
            .map(|(p, _)| p.clone())
            .collect()
    }

    pub fn ephemerals_count(&self) -> usize {
        self.nodes
            .values()
            .filter(|n| n.ephemeral_owner != 0)
            .count()
    }

    /// Approximate data size (`DataTree.approximateDataSize`): path + data.
    pub fn approximate_data_size(&self) -> u64 {
        self.nodes
            .iter()
            .map(|(p, n)| p.len() as u64 + n.data.len() as u64)
            .sum()
    }

    /// Apply one txn (`DataTree.processTxn`); `lastProcessedZxid` moves to
    /// its zxid whatever the op.
    pub fn apply(&mut self, txn: &Txn) {
        let ok = self.apply_op(&txn.op, txn.session, txn.zxid);
        if !ok {
            self.apply_mismatches += 1;
        }
        self.last_processed_zxid = txn.zxid;
        if self
            .ghost_applied
            .last()
            .is_some_and(|l| l.zxid >= txn.zxid)
        {
            self.ghost_increasing = false;
        }
        self.ghost_applied.push(txn.id());
    }

    /// One op of a txn; false when it does not fit the tree.
    fn apply_op(&mut self, op: &TxnOp, session: u64, zxid: Zxid) -> bool {
        match op {
            TxnOp::CreateSession { timeout_ms } => {
                self.sessions.insert(session, *timeout_ms);
                true
            }
            TxnOp::CloseSession { ephemerals } => {
                let mut ok = true;
                for p in ephemerals {
                    ok &= self.delete_node(p, zxid);
                }
                self.sessions.remove(&session);
                ok
            }
            TxnOp::Create {
                path,
                data,
                ephemeral,
                parent_cversion,
            } => {
                let owner = if *ephemeral { session } else { 0 };
                let parent = parent_of(path);
                if self.nodes.contains_key(&**path) || !self.nodes.contains_key(parent) {
                    false
                } else {
                    if let Some(p) = self.nodes.get_mut(parent) {
                        // `DataTree.createNode`: the txn's parentCVersion
                        // wins if it is higher.
                        p.cversion = p.cversion.max(*parent_cversion);
                        p.num_children += 1;
                        p.pzxid = p.pzxid.max(zxid);
                    }
                    self.nodes
                        .insert(path.clone(), Node::new(data.clone(), zxid, owner));
                    true
                }
            }
            TxnOp::Delete { path } => self.delete_node(path, zxid),
            TxnOp::SetData { path, data, .. } => match self.nodes.get_mut(&**path) {
                Some(n) => {
                    n.data = data.clone();
                    n.version += 1;
                    n.mzxid = zxid;
                    true
                }
                None => false,
            },
            TxnOp::Multi { ops } if !op.is_failed_multi() => {
                let mut ok = true;
                for op in ops {
                    ok &= self.apply_op(op, session, zxid);
                }
                ok
            }
            TxnOp::Multi { .. } | TxnOp::CheckVersion { .. } | TxnOp::Error { .. } => true,
        }
    }

    /// The owner session of `path` (0: persistent or missing).
    pub fn owner_of(&self, path: &str) -> u64 {
        self.nodes.get(path).map_or(0, |n| n.ephemeral_owner)
    }

    fn delete_node(&mut self, path: &str, zxid: Zxid) -> bool {
        if self.nodes.remove(path).is_none() {
            return false;
        }
        // `DataTree.deleteNode`: the parent's cversion does not move (only
        // creates raise it), its pzxid does.
        if let Some(p) = self.nodes.get_mut(parent_of(path)) {
            p.num_children = p.num_children.saturating_sub(1);
            p.pzxid = p.pzxid.max(zxid);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(z: u64, path: &str, session: u64, eph: bool) -> Txn {
        Txn::new(
            Zxid(z),
            session,
            1,
            0,
            TxnOp::Create {
                path: Arc::from(path),
                data: Arc::from("x"),
                ephemeral: eph,
                parent_cversion: 0,
            },
        )
    }

    #[test]
    fn apply_creates_sessions_ephemerals_and_close_deletes_them() {
        let mut t = DataTree::new();
        assert_eq!(t.node_count(), 5);
        t.apply(&Txn::new(
            Zxid(0x1_0000_0001),
            7,
            0,
            0,
            TxnOp::CreateSession { timeout_ms: 4000 },
        ));
        t.apply(&create(0x1_0000_0002, "/a", 7, true));
        t.apply(&create(0x1_0000_0003, "/b", 7, false));
        assert_eq!(t.node_count(), 7);
        // The creates carried parentCVersion 0 (as written here): the tree
        // keeps the higher of its own and the txn's.
        assert_eq!(t.nodes["/"].cversion, 0);
        assert_eq!(t.nodes["/"].num_children, 3);
        assert_eq!(t.ephemerals_of(7), vec![Arc::<str>::from("/a")]);
        let eph = t.ephemerals_of(7);
        t.apply(&Txn::new(
            Zxid(0x1_0000_0004),
            7,
            0,
            0,
            TxnOp::CloseSession { ephemerals: eph },
        ));
        assert_eq!(t.node_count(), 6);
        assert!(t.sessions.is_empty());
        assert_eq!(t.last_processed_zxid, Zxid(0x1_0000_0004));
        assert_eq!(t.ghost_applied.len(), 4);
        assert_eq!(t.apply_mismatches, 0);
        // An error txn changes nothing but lastProcessedZxid.
        t.apply(&Txn::new(
            Zxid(0x1_0000_0005),
            7,
            2,
            0,
            TxnOp::Error {
                code: code::NODE_EXISTS,
            },
        ));
        assert_eq!(t.node_count(), 6);
        assert_eq!(t.last_processed_zxid, Zxid(0x1_0000_0005));
        // A create under a missing parent does not fit.
        t.apply(&create(0x1_0000_0006, "/x/y", 0, false));
        assert_eq!(t.apply_mismatches, 1);
    }

    #[test]
    fn digests_differ_by_content() {
        assert_ne!(
            create(1, "/a", 0, false).digest,
            create(1, "/b", 0, false).digest
        );
        assert_eq!(
            create(1, "/a", 0, false).digest,
            create(1, "/a", 0, false).digest
        );
    }
}
