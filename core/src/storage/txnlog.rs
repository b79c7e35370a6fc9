//! The txn log's files as ZooKeeper 3.8 lays them out
//! (`persistence.FileTxnLog`) and what its reader opens
//! (`FileTxnLog.FileTxnIterator`).
//!
//! Contract:
//! - A file is `log.<hex zxid of its first append>`. `FileTxnLog.append`
//!   opens a new one whenever no stream is open: at the first append of a
//!   process, after `rollLog` (a snapshot is due) and after a TRUNC
//!   (`FileTxnSnapLog.truncateLog` reopens the log). Nothing else starts a
//!   file: a SNAP sync neither rolls nor cuts the learner's log.
//! - A file is described by numbers only: where its txns start in the
//!   disk's flat sequence, the bytes written (header and entries) and its
//!   length as `File.length()` reports it, which `FilePadding` grows in
//!   `preAllocSize` blocks (64 MiB by default) ahead of the writes.
//! - [`LogFiles::read`] is `FileTxnIterator`'s choice of files for a start
//!   zxid and its `getStorageSize()`, computed as ZooKeeper computes it; the
//!   caller walks the txns it names. Nothing here sends, applies or logs.

use std::sync::Arc;

use super::sizes::{log_entry_bytes, padded_length, FILE_HEADER};
use crate::seq::Seq;
use crate::txn::Txn;
use crate::zxid::Zxid;

/// One `log.<hex>` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The zxid in its name: its first append's.
    pub first_zxid: Zxid,
    /// Index in the disk's flat txn sequence of its first txn; its txns run
    /// to the next file's `start` (or the end).
    pub start: usize,
    /// Header plus entries written (the stream's position).
    pub written: u64,
    /// `File.length()`: `written` rounded up by `FilePadding`.
    pub length: u64,
}

impl LogFile {
    /// `Util.makeLogName`.
    pub fn name(&self) -> String {
        format!("log.{:x}", self.first_zxid.0)
    }
}

/// What a `FileTxnIterator` built for a start zxid opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRead {
    /// The files it reads, oldest first (indexes into [`LogFiles::files`]).
    pub files: Vec<usize>,
    /// Index in the flat sequence of the txn it points at after `init`
    /// (and the fast-forward, if asked); `None` when there is none
    /// (`getHeader()` is null).
    pub at: Option<usize>,
    /// `getStorageSize()`: the lengths of the files it has not opened yet,
    /// that is every chosen file newer than the one holding `at`.
    pub storage_size: u64,
}

/// The txn log's files, in the order they were created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFiles {
    pub files: Vec<LogFile>,
    /// `FileTxnLog.logStream != null`: appends go to the last file.
    pub open: bool,
}

impl LogFiles {
    /// The flat-sequence range of file `i`'s txns, given the sequence's
    /// length.
    pub fn range(&self, i: usize, len: usize) -> std::ops::Range<usize> {
        let end = self.files.get(i + 1).map_or(len, |f| f.start);
        let start = self.files[i].start.min(end);
        start..end
    }

    /// `FileTxnLog.append`'s bookkeeping for the txn just pushed at index
    /// `at`: a new file when no stream is open (returned, for the "Creating
    /// new log file" line), then the padding and the entry.
    pub fn on_append(&mut self, at: usize, txn: &Txn, prealloc: u64) -> Option<Zxid> {
        let mut created = None;
        if !self.open {
            // `new FileOutputStream(log.<zxid>)` replaces a file of that
            // name: only an empty one can collide (a crash lost its txns).
            if let Some(k) = self
                .files
                .iter()
                .position(|f| f.first_zxid == txn.zxid && f.start == at)
            {
                self.files.remove(k);
            }
            self.files.push(LogFile {
                first_zxid: txn.zxid,
                start: at,
                written: FILE_HEADER,
                length: FILE_HEADER,
            });
            self.open = true;
            created = Some(txn.zxid);
        }
        if let Some(f) = self.files.last_mut() {
            f.length = padded_length(f.written, f.length, prealloc);
            f.written += log_entry_bytes(txn);
        }
        created
    }

    /// `FileTxnLog.rollLog`: the next append starts a new file.
    pub fn roll(&mut self) {
        self.open = false;
    }

    /// The flat sequence `log` is about to lose its txns from `len` on (a
    /// crash, or a writer's queue taken back): each file keeps what is left
    /// of its txns; a file left with none still exists (its header and
    /// padding are on disk) unless `never_written` (then the stream is as
    /// it was before that file was opened: closed). Lengths never shrink.
    pub fn shorten(&mut self, log: &Seq<Arc<Txn>>, len: usize, never_written: bool) {
        if never_written {
            while self.files.last().is_some_and(|f| f.start >= len) {
                self.files.pop();
                self.open = false;
            }
        }
        for i in 0..self.files.len() {
            let r = self.range(i, log.len());
            if r.end > len {
                self.files[i].written = FILE_HEADER + entries_bytes(log, r.start..len.max(r.start));
            }
        }
        for f in &mut self.files {
            f.start = f.start.min(len);
        }
    }

    /// `FileTxnLog.truncate` (via `RandomAccessFile.setLength`): file `i`
    /// ends after its txns below `keep_end`, its length is what remains;
    /// every file created after it is deleted. `log` is the sequence before
    /// the cut.
    pub fn cut_file(&mut self, log: &Seq<Arc<Txn>>, i: usize, keep_end: usize) {
        let r = self.range(i, log.len());
        let written = FILE_HEADER + entries_bytes(log, r.start..keep_end.clamp(r.start, r.end));
        self.files.truncate(i + 1);
        let f = &mut self.files[i];
        f.written = written;
        f.length = written;
    }

    /// `log` is about to lose its first `k` txns (a purge, or ZabLab's
    /// `fix_discard_log_on_snap`): a file with none left is deleted (an
    /// empty one at or after the cut stays), the others renumbered; a file
    /// cut in the middle keeps its name.
    pub fn drop_prefix(&mut self, log: &Seq<Arc<Txn>>, k: usize) {
        let n = self.files.len();
        let mut kept = Vec::with_capacity(n);
        for i in 0..n {
            let r = self.range(i, log.len());
            if r.end > k || r.start >= k {
                let mut f = self.files[i].clone();
                if r.start < k {
                    f.written = FILE_HEADER + entries_bytes(log, k..r.end);
                }
                f.start = f.start.max(k) - k;
                kept.push(f);
            } else if i + 1 == n {
                self.open = false;
            }
        }
        self.files = kept;
    }

    /// `FileTxnIterator(logDir, zxid, fastForward)`: `init` keeps every file
    /// named at or above `zxid` and the newest one named below it, opens
    /// the oldest of those and reads its first txn (moving on past files
    /// with none); with `fast_forward` it then skips txns below `zxid`.
    pub fn read(&self, log: &Seq<Arc<Txn>>, zxid: Zxid, fast_forward: bool) -> LogRead {
        let mut by_name: Vec<usize> = (0..self.files.len()).collect();
        crate::sorting::sort_by_key(&mut by_name, |&i| (self.files[i].first_zxid, i));
        // `storedFiles`, newest first, as `init` builds it.
        let mut stored: Vec<usize> = Vec::new();
        for &i in by_name.iter().rev() {
            stored.push(i);
            if self.files[i].first_zxid < zxid {
                break;
            }
        }
        let files: Vec<usize> = stored.iter().rev().copied().collect();
        // `goToNextLog` then `next()`: open files oldest first until one
        // has a txn.
        let mut opened = 0;
        let mut at = None;
        while opened < files.len() {
            let r = self.range(files[opened], log.len());
            opened += 1;
            if !r.is_empty() {
                at = Some(r.start);
                break;
            }
        }
        if fast_forward {
            let mut pos = at;
            while let Some(p) = pos {
                if log.get(p).is_some_and(|t| t.zxid >= zxid) {
                    break;
                }
                pos = self.next_in(log, &files, &mut opened, p);
            }
            at = pos;
        }
        let storage_size = files[opened.min(files.len())..]
            .iter()
            .map(|&i| self.files[i].length)
            .sum();
        LogRead {
            files,
            at,
            storage_size,
        }
    }

    /// The txn after index `p` for a reader whose files are `files`, of
    /// which `opened` are open: the next in the same file, or the first of
    /// the next file that has one.
    fn next_in(
        &self,
        log: &Seq<Arc<Txn>>,
        files: &[usize],
        opened: &mut usize,
        p: usize,
    ) -> Option<usize> {
        let current = self.range(files[*opened - 1], log.len());
        if p + 1 < current.end {
            return Some(p + 1);
        }
        while *opened < files.len() {
            let r = self.range(files[*opened], log.len());
            *opened += 1;
            if !r.is_empty() {
                return Some(r.start);
            }
        }
        None
    }

    /// The txns a reader returns from where [`LogFiles::read`] left it to
    /// the end of its last file, in file order.
    pub fn txns<'a>(
        &'a self,
        log: &'a Seq<Arc<Txn>>,
        read: &LogRead,
    ) -> impl Iterator<Item = &'a Arc<Txn>> + 'a {
        let mut ranges = Vec::new();
        if let Some(at) = read.at {
            let mut started = false;
            for &i in &read.files {
                let r = self.range(i, log.len());
                if !started && r.contains(&at) {
                    started = true;
                    ranges.push(at..r.end);
                } else if started {
                    ranges.push(r);
                }
            }
        }
        ranges
            .into_iter()
            .flat_map(move |r| log.iter_from(r.start).take(r.len()))
    }
}

/// Bytes of the entries at `range` of the flat sequence.
fn entries_bytes(log: &Seq<Arc<Txn>>, range: std::ops::Range<usize>) -> u64 {
    log.iter_from(range.start)
        .take(range.len())
        .map(|t| log_entry_bytes(t))
        .sum()
}
