//! The disk's file layout against ZooKeeper 3.8.0's (`FileTxnLog`,
//! `FileTxnIterator`, `FileTxnSnapLog.truncateLog`, `PurgeTxnLog`), with the
//! names and sizes a real server's `version-2` directory showed.

use super::sizes::{config_node_bytes, DEFAULT_PREALLOC, FILE_HEADER};
use super::*;
use crate::txn::TxnOp;

const E1: u64 = 0x1_0000_0000;
/// `log.100000001` on a real server after its first append.
const ONE_BLOCK: u64 = FILE_HEADER + DEFAULT_PREALLOC;

fn txn(z: u64) -> Txn {
    Txn::new(Zxid(z), 1, 0, 0, TxnOp::CreateSession { timeout_ms: 4000 })
}

fn names(d: &Disk) -> Vec<String> {
    d.log_files().into_iter().map(|f| f.name).collect()
}

/// Appends `from..=to` of epoch 1, all flushed.
fn append(d: &mut Disk, from: u64, to: u64) {
    for c in from..=to {
        d.append(txn(E1 + c));
    }
    d.flush_to(d.log.len());
}

fn zxids(d: &Disk, read: &LogRead) -> Vec<u64> {
    d.read_txns(read).map(|t| t.zxid.0 - E1).collect()
}

#[test]
fn power_loss_loses_unflushed_tail_and_restore_replays_everything_logged() {
    let mut d = Disk::default();
    d.append(txn(E1 + 1));
    d.append(txn(E1 + 2));
    d.flush_to(2);
    d.append(txn(E1 + 3));
    assert_eq!(d.unflushed(), 1);
    d.lose_power();
    assert_eq!(d.last_logged_zxid(), Some(Zxid(E1 + 2)));
    let (tree, delivered, replayed) = d.restore();
    assert_eq!(tree.last_processed_zxid, Zxid(E1 + 2));
    assert_eq!((delivered, replayed.len()), (0, 2));
    d.take_snapshot(&tree, 2, 138);
    d.append(txn(E1 + 3));
    let (tree, delivered, replayed) = d.restore();
    assert_eq!(tree.last_processed_zxid, Zxid(E1 + 3));
    assert_eq!((delivered, replayed.len()), (2, 1));
}

/// A file is named by its first append; one opens at the first append of
/// a process, after a roll, and nowhere else (a snapshot alone, as after a
/// SNAP sync, does not start one).
#[test]
fn files_open_at_the_first_append_of_a_process_and_after_a_roll() {
    let mut d = Disk::default();
    assert_eq!(d.append(txn(E1 + 1)), Some(Zxid(E1 + 1)));
    assert_eq!(d.append(txn(E1 + 2)), None);
    d.take_snapshot(&DataTree::new(), 0, 138);
    assert_eq!(d.append(txn(E1 + 3)), None, "a snapshot does not roll");
    d.roll();
    assert_eq!(d.txns_since_roll, 0);
    assert_eq!(d.append(txn(E1 + 4)), Some(Zxid(E1 + 4)));
    d.flush_to(d.log.len());
    d.kill(d.log.len());
    assert_eq!(d.append(txn(E1 + 5)), Some(Zxid(E1 + 5)), "a restart");
    assert_eq!(
        names(&d),
        ["log.100000001", "log.100000004", "log.100000005"]
    );
    let files = d.log_files();
    assert_eq!(files[0].first, Some(Zxid(E1 + 1)));
    assert_eq!(files[0].last, Some(Zxid(E1 + 3)));
    assert!(files[2].current && !files[1].current);
    // Each file is preallocated: one 64 MiB block past its header.
    assert!(files.iter().all(|f| f.length == ONE_BLOCK));
    assert_eq!(files[0].written, FILE_HEADER + 3 * (13 + 48));
}

/// A kill keeps what reached the OS (the txns of an fsync begun, even if
/// it has not ended) and forgets what was still queued behind it, with the
/// file it would have opened; the OS writes the rest back, so it counts as
/// flushed.
#[test]
fn a_kill_keeps_what_reached_the_os_and_forgets_the_queue() {
    let mut d = Disk::default();
    append(&mut d, 1, 2);
    d.roll();
    d.append(txn(E1 + 3));
    d.append(txn(E1 + 4));
    // The fsync of 0x100000003 began; 0x100000004 waits behind it.
    d.kill(3);
    assert_eq!(d.last_logged_zxid(), Some(Zxid(E1 + 3)));
    assert_eq!((d.flushed, d.unflushed()), (3, 0));
    assert_eq!(names(&d), ["log.100000001", "log.100000003"]);
    assert_eq!(d.log_files()[1].txns, 1);
    // Queued behind an fsync: the txn that would open a file never got
    // there, so neither did the file.
    d.roll();
    d.append(txn(E1 + 4));
    d.kill(3);
    assert_eq!(names(&d), ["log.100000001", "log.100000003"]);
    d.append(txn(E1 + 4));
    assert_eq!(
        names(&d),
        ["log.100000001", "log.100000003", "log.100000004"]
    );
}

/// A power loss keeps only what was fsynced: a file none of whose txns
/// was fsynced is gone (it was never fsynced). No empty file is left whose
/// name could start a later read above txns logged after the restart.
#[test]
fn a_power_loss_forgets_a_file_that_was_never_fsynced() {
    let mut d = Disk::default();
    append(&mut d, 1, 2);
    d.roll();
    d.append(txn(E1 + 3));
    d.append(txn(E1 + 4));
    d.flush_to(2);
    d.lose_power();
    assert_eq!(names(&d), ["log.100000001"]);
    assert_eq!(d.last_logged_zxid(), Some(Zxid(E1 + 2)));
    d.append(txn(E1 + 3));
    assert_eq!(names(&d), ["log.100000001", "log.100000003"]);
    assert_eq!(d.log_files()[1].txns, 1);
}

/// `FileTxnIterator.init` for a start zxid keeps the files named at or
/// above it and the newest named below it, reads the oldest of them, and
/// `getStorageSize()` counts only the ones it has not opened yet.
#[test]
fn the_iterator_opens_the_file_holding_the_zxid_and_counts_the_newer_ones() {
    let mut d = Disk::default();
    append(&mut d, 1, 8);
    d.roll();
    append(&mut d, 9, 20);
    d.roll();
    append(&mut d, 21, 30);
    // Inside the newest file: nothing newer, storage size 0.
    let r = d.read(Zxid(E1 + 25), false);
    assert_eq!(
        (r.files.clone(), r.at, r.storage_size),
        (vec![2], Some(20), 0)
    );
    assert_eq!(zxids(&d, &r), (21..=30).collect::<Vec<_>>());
    // In the first file: the two newer files count, 64 MiB each.
    let r = d.read(Zxid(E1 + 5), false);
    assert_eq!(r.files, vec![0, 1, 2]);
    assert_eq!(r.storage_size, 2 * ONE_BLOCK);
    assert_eq!(zxids(&d, &r), (1..=30).collect::<Vec<_>>());
    // Exactly a file's first zxid: the file before it is read too, and
    // the file named by the zxid counts.
    let r = d.read(Zxid(E1 + 21), false);
    assert_eq!((r.files.clone(), r.storage_size), (vec![1, 2], ONE_BLOCK));
    assert_eq!(zxids(&d, &r)[0], 9);
    // Fast-forward: it points at the zxid, and past the files it left.
    let r = d.read(Zxid(E1 + 21), true);
    assert_eq!((r.at, r.storage_size), (Some(20), 0));
    // Below every file: its first txn is above the zxid.
    let mut late = Disk::default();
    append(&mut late, 5, 6);
    let r = late.read(Zxid(E1 + 3), false);
    assert_eq!(
        r.at.map(|i| late.log.get(i).unwrap().zxid),
        Some(Zxid(E1 + 5))
    );
    assert_eq!(Disk::default().read(Zxid(E1), false).at, None);
}

/// `FileTxnLog.truncate`: the file holding the zxid ends right after it,
/// newer files are deleted, and the next append opens a new file.
#[test]
fn truncate_cuts_the_file_holding_the_zxid_and_deletes_newer_files() {
    let mut d = Disk::default();
    append(&mut d, 1, 4);
    d.roll();
    append(&mut d, 5, 6);
    let (tree, _, _) = d.restore();
    d.take_snapshot(&tree, 0, 138);
    let removed = d.truncate_log(Zxid(E1 + 2), false).unwrap();
    assert_eq!(removed.len(), 4);
    assert_eq!(names(&d), ["log.100000001"]);
    let f = &d.log_files()[0];
    assert_eq!(
        (f.last, f.length),
        (Some(Zxid(E1 + 2)), FILE_HEADER + 2 * 61)
    );
    assert!(d.snapshots.is_empty());
    assert_eq!(d.restore().0.last_processed_zxid, Zxid(E1 + 2));
    assert_eq!(d.append(txn(E1 + 2)), Some(Zxid(E1 + 2)));
    assert_eq!(d.non_increasing_appends, 1);
}

/// A zxid the log lacks: the reader stops at the first txn above it, and
/// ZooKeeper keeps that one; nothing at or above it: `IOException`.
#[test]
fn truncate_keeps_the_first_txn_at_or_above_and_fails_past_the_end() {
    let mut d = Disk::default();
    for c in [1, 2, 5, 6] {
        d.append(txn(E1 + c));
    }
    let mut fixed = d.clone();
    d.truncate_log(Zxid(E1 + 3), false).unwrap();
    assert_eq!(d.last_logged_zxid(), Some(Zxid(E1 + 5)));
    assert_eq!(
        d.truncate_log(Zxid(E1 + 9), false),
        Err(NOTHING_TO_TRUNCATE)
    );
    assert_eq!(
        Disk::default().truncate_log(Zxid(E1), false),
        Err(NOTHING_TO_TRUNCATE)
    );
    // The counter-variant `fix_truncate_at_or_below` cuts 1:5 too, and
    // still keeps a target the log has.
    let removed = fixed.truncate_log(Zxid(E1 + 3), true).unwrap();
    assert_eq!(
        (removed.len(), fixed.last_logged_zxid()),
        (2, Some(Zxid(E1 + 2)))
    );
    fixed.append(txn(E1 + 7));
    fixed.truncate_log(Zxid(E1 + 7), true).unwrap();
    assert_eq!(fixed.last_logged_zxid(), Some(Zxid(E1 + 7)));
}

/// `PurgeTxnLog.purge`: the newest N snapshots stay, with the log file
/// that starts at or before the oldest of them and every later file.
#[test]
fn purge_keeps_the_newest_snapshots_and_the_files_to_replay_them() {
    let mut d = Disk::default();
    let mut tree = DataTree::new();
    for (from, to) in [(1, 10), (11, 20), (21, 30), (31, 40)] {
        append(&mut d, from, to);
        tree.last_processed_zxid = Zxid(E1 + to - 2);
        d.take_snapshot(&tree, 0, 138);
        d.roll();
    }
    assert_eq!(d.purge(5), (0, vec![]));
    let (dropped, removed) = d.purge(2);
    // Snapshots 0x1c and 0x26 stay; 0x1c is in log.100000015.
    assert_eq!(dropped, 20);
    assert_eq!(
        removed,
        [
            "log.100000001",
            "log.10000000b",
            "snapshot.100000008",
            "snapshot.100000012"
        ]
    );
    assert_eq!(names(&d), ["log.100000015", "log.10000001f"]);
    assert_eq!(d.log.len(), 20);
    assert_eq!(d.restore().0.last_processed_zxid, Zxid(E1 + 40));
}

/// `conf`'s `dataDirSize` on a real leader right after its first writes:
/// `log.100000001` (67108880), `snapshot.0` (595) and the two one-byte
/// epoch files: 67109477.
#[test]
fn the_directory_size_is_what_a_real_servers_conf_reported() {
    let mut d = Disk::default();
    d.take_snapshot(&DataTree::new(), 0, config_node_bytes(&[1, 2, 3], &[]));
    d.accepted_epoch = Some(1);
    d.current_epoch = Some(1);
    append(&mut d, 1, 11);
    assert_eq!(d.dir_bytes(), 67_109_477);
}

/// ZabLab's counter-variant: the covered txns go with their files.
#[test]
fn discarding_the_covered_log_deletes_its_files() {
    let mut d = Disk::default();
    append(&mut d, 1, 3);
    d.roll();
    append(&mut d, 4, 6);
    assert_eq!(d.discard_log_through(Zxid(E1 + 6)), 6);
    assert!(d.log_files().is_empty());
    assert_eq!(d.append(txn(E1 + 7)), Some(Zxid(E1 + 7)));
}
