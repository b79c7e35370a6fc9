//! How many bytes ZooKeeper 3.8 writes to disk, as plain numbers: a txn
//! log entry (`FileTxnLog.append`), a log file's header and preallocation
//! (`FilePadding`), and a snapshot file (`FileSnap.serialize`).
//!
//! Contract: pure arithmetic on the model's types; no buffers are built.
//! The figures are Jute's binary encoding with ZooKeeper's defaults
//! (`zookeeper.digest.enabled=true`, uncompressed `CHECKED` snapshots,
//! every znode with `OPEN_ACL_UNSAFE`), checked against files a real 3.8.0
//! server wrote (the tests below quote them). What one txn costs is
//! `Txn::size_bytes` (`Util.marshallTxnEntry`: header, record, digest);
//! this module adds the framing around it. It never decides anything.

use crate::txn::{DataTree, Txn};

/// `FileHeader` at the start of a log or snapshot file: magic 4, version
/// 4, dbid 8.
pub const FILE_HEADER: u64 = 16;

/// What `FileTxnLog.append` adds around a marshalled txn: the Adler32
/// checksum (long 8), the length prefix (int 4) and the end-of-record byte
/// `'B'` (1).
pub const ENTRY_FRAMING: u64 = 13;

/// `FilePadding.preAllocSize` default: 64 MiB (`zookeeper.preAllocSize` is
/// in KiB).
pub const DEFAULT_PREALLOC: u64 = 64 * 1024 * 1024;

/// Bytes one txn takes in a log file.
pub fn log_entry_bytes(txn: &Txn) -> u64 {
    ENTRY_FRAMING + txn.size_bytes()
}

/// `FilePadding.calculateFileSizeWithPadding`: the file's length after
/// padding, given the write position, the current length and the
/// preallocation size. A file grows by whole `prealloc` blocks when the
/// position comes within 4 KiB of its end.
pub fn padded_length(position: u64, length: u64, prealloc: u64) -> u64 {
    if prealloc == 0 || position + 4096 < length {
        return length;
    }
    if position > length {
        let grown = position + prealloc;
        grown - grown % prealloc
    } else {
        length + prealloc
    }
}

/// `/zookeeper/config`'s data: `QuorumMaj.toString()`, one
/// `server.N=127.0.0.1:<2888x>:<3888x>:participant` line per member (the
/// loopback layout of `fourlw::conf::Conf::loopback`) and `version=0`.
pub fn config_node_bytes(participants: &[u32], observers: &[u32]) -> u64 {
    let digits = |n: u64| n.to_string().len() as u64;
    let line = |sid: u32, kind: &str| {
        let sid = u64::from(sid);
        // "server." sid "=" "127.0.0.1" ":" qport ":" eport ":" kind "\n"
        7 + digits(sid)
            + 1
            + 9
            + 1
            + digits(28_880 + sid)
            + 1
            + digits(38_880 + sid)
            + 1
            + kind.len() as u64
            + 1
    };
    let members: u64 = participants
        .iter()
        .map(|&s| line(s, "participant"))
        .sum::<u64>()
        + observers.iter().map(|&s| line(s, "observer")).sum::<u64>();
    members + "version=0".len() as u64
}

/// One serialized ACL list in the snapshot's ACL cache: its key (long 8),
/// the vector length (int 4) and one `world:anyone` ACL (perms 4, scheme
/// 4+5, id 4+6).
const ACL_ENTRY: u64 = 8 + 4 + 4 + (4 + 5) + (4 + 6);

/// Fixed parts of a snapshot: the file header, the session count, the ACL
/// cache's count, the `/` end marker, the checksum seal (long 8 + `/`),
/// the zxid digest (8 + 4 + 8) and its seal.
const SNAP_FIXED: u64 = FILE_HEADER + 4 + 4 + (4 + 1) + (8 + 5) + 20 + (8 + 5);

/// One znode in a snapshot: its path (4 + length; the root is written as
/// the empty path), its data (4 + length), its ACL key (8) and
/// `StatPersisted` (60).
fn node_bytes(path: &str, data_len: u64) -> u64 {
    let path_len = if path == "/" { 0 } else { path.len() as u64 };
    4 + path_len + 4 + data_len + 8 + 60
}

/// Size of the snapshot file `FileSnap.serialize` writes for `tree`;
/// `config_len` is `/zookeeper/config`'s data ([`config_node_bytes`]),
/// which the model's tree does not hold.
pub fn snapshot_bytes(tree: &DataTree, config_len: u64) -> u64 {
    const SYSTEM: [&str; 4] = ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"];
    let mut user_nodes = false;
    let nodes: u64 = tree
        .nodes
        .iter()
        .map(|(p, n)| {
            if &**p == "/zookeeper/config" {
                node_bytes(p, config_len)
            } else {
                user_nodes |= !SYSTEM.contains(&&**p);
                node_bytes(p, n.data.len() as u64)
            }
        })
        .sum();
    // The ACL cache holds `/zookeeper/config`'s READ_ACL_UNSAFE and, while
    // any other znode exists, OPEN_ACL_UNSAFE.
    let acls = 1 + u64::from(user_nodes);
    SNAP_FIXED + acls * ACL_ENTRY + 12 * tree.sessions.len() as u64 + nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fourlw::{Conf, PeerType};
    use crate::txn::TxnOp;
    use crate::zxid::Zxid;
    use std::sync::Arc;

    fn txn(op: TxnOp) -> Txn {
        Txn::new(Zxid(0x1_0000_0001), 1, 0, 0, op)
    }

    /// A real 3.8.0 leader after a createSession, `create /a` with two
    /// bytes and setData on it answered `Proposal sizes last/min/max:
    /// 60/48/88` (docs/REAL-ZK.md, `srvr`).
    #[test]
    fn marshalled_txn_sizes_match_a_real_leaders_proposal_sizes() {
        let a: Arc<str> = Arc::from("/a");
        let d: Arc<str> = Arc::from("v1");
        let session = txn(TxnOp::CreateSession { timeout_ms: 30_000 });
        let create = txn(TxnOp::Create {
            path: a.clone(),
            data: d.clone(),
            ephemeral: false,
            parent_cversion: 1,
        });
        let set = txn(TxnOp::SetData {
            path: a,
            data: d,
            version: 0,
        });
        assert_eq!(session.size_bytes(), 48);
        assert_eq!(create.size_bytes(), 88);
        assert_eq!(set.size_bytes(), 60);
        assert_eq!(log_entry_bytes(&set), 73);
    }

    /// `ls -l` of a real server's `version-2` after its first append:
    /// `log.100000001` is 67108880 bytes (header + one 64 MiB block).
    #[test]
    fn a_new_log_file_is_its_header_plus_one_preallocated_block() {
        assert_eq!(
            padded_length(FILE_HEADER, FILE_HEADER, DEFAULT_PREALLOC),
            67_108_880
        );
        // Far from the end: no growth; within 4 KiB of it: one more block.
        assert_eq!(
            padded_length(1000, 67_108_880, DEFAULT_PREALLOC),
            67_108_880
        );
        assert_eq!(
            padded_length(67_108_880 - 100, 67_108_880, DEFAULT_PREALLOC),
            67_108_880 + DEFAULT_PREALLOC
        );
        // Past the end (a huge entry): rounded up to whole blocks.
        assert_eq!(padded_length(200, 100, 64), 256);
        // `zookeeper.preAllocSize=0`: no padding at all.
        assert_eq!(padded_length(5000, 16, 0), 16);
    }

    #[test]
    fn the_config_node_is_the_membership_conf_prints() {
        let conf = Conf::loopback(1, &[1, 2, 3, 12], &[4]);
        let members: String = conf
            .members
            .iter()
            .map(|m| {
                format!(
                    "server.{}={}:{}:{}:{}\n",
                    m.sid,
                    m.host,
                    m.quorum_port,
                    m.election_port,
                    match m.peer_type {
                        PeerType::Participant => "participant",
                        _ => "observer",
                    }
                )
            })
            .collect();
        let expected = members.len() as u64 + "version=0".len() as u64;
        assert_eq!(config_node_bytes(&[1, 2, 3, 12], &[4]), expected);
        assert_eq!(config_node_bytes(&[1, 2, 3], &[]), 138);
    }

    /// Snapshot files a real 3.8.0 three-server ensemble wrote: `snapshot.0`
    /// of an empty tree is 595 bytes; after a session created `/a` (data
    /// `v5` after five setData), closed, and another created `/n1` …
    /// `/n700` with data `d1` … `d700` and closed, the SNAP-synced learner
    /// wrote `snapshot.1000002c6` of 59994 bytes.
    #[test]
    fn snapshot_sizes_match_a_real_servers_files() {
        let config = config_node_bytes(&[1, 2, 3], &[]);
        let mut tree = DataTree::new();
        assert_eq!(snapshot_bytes(&tree, config), 595);
        let mut z = 1;
        let mut apply = |tree: &mut DataTree, op: TxnOp| {
            tree.apply(&Txn::new(Zxid(0x1_0000_0000 + z), 7, 0, 0, op));
            z += 1;
        };
        apply(&mut tree, TxnOp::CreateSession { timeout_ms: 30_000 });
        assert_eq!(snapshot_bytes(&tree, config), 595 + 12);
        apply(
            &mut tree,
            TxnOp::Create {
                path: Arc::from("/a"),
                data: Arc::from("v5"),
                ephemeral: false,
                parent_cversion: 1,
            },
        );
        for k in 1..=700 {
            apply(
                &mut tree,
                TxnOp::Create {
                    path: Arc::from(format!("/n{k}")),
                    data: Arc::from(format!("d{k}")),
                    ephemeral: false,
                    parent_cversion: k + 1,
                },
            );
        }
        apply(&mut tree, TxnOp::CloseSession { ephemerals: vec![] });
        assert_eq!(snapshot_bytes(&tree, config), 59_994);
    }
}
