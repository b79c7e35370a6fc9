//! From the files read ([`FileReader`]) to an [`Import`]: which server each
//! file is, rolled files in time order, events, skew, one timeline.
//!
//! Contract: deterministic (BTreeMap and stable sorts only); a file's sid
//! comes from the log's own `[myid:N]`, else ZooKeeper's words in it
//! (thread `QuorumPeer[myid=N]`, `Starting quorum peer, myid=N`), else
//! the user's hint, else the file name; every file that is not read whole
//! gets a [`Problem`] in a sentence. Never panics.

use std::collections::BTreeMap;

use super::events::Context;
use super::files;
use super::model::*;
use super::reader::FileReader;
use super::skew;

/// The strongest vote (most lines; ties: the lower sid).
fn top(votes: &[(u32, u64)]) -> Option<u32> {
    votes
        .iter()
        .max_by_key(|(sid, n)| (*n, std::cmp::Reverse(*sid)))
        .map(|(sid, _)| *sid)
}

fn problem(imp: &mut Import, file: usize, kind: ProblemKind, message: String) {
    imp.problems.push(Problem {
        file,
        kind,
        message,
    });
}

/// The sid of a `myid` file in `dir` or below it, if exactly one.
fn myid_below(myids: &[(String, u32)], dir: &str) -> Option<u32> {
    let mut found = myids
        .iter()
        .filter(|(d, _)| dir.is_empty() || d == dir || d.starts_with(&format!("{dir}/")))
        .map(|(_, s)| *s);
    let first = found.next()?;
    found.all(|s| s == first).then_some(first)
}

/// The file's sid and how it was found (and a conflict, if any).
fn resolve_sid(f: &FileReader, myids: &[(String, u32)]) -> (u32, SidSource, Option<String>) {
    let log = top(&f.myid_votes)
        .map(|s| (s, SidSource::Myid))
        .or_else(|| top(&f.text_votes).map(|s| (s, SidSource::LogText)));
    match (log, f.hint) {
        (Some((s, how)), Some(h)) if s != h => (
            s,
            how,
            Some(format!(
                "the log itself says it is server {s} (myid); the sid given for it, {h}, was not used"
            )),
        ),
        (Some((s, how)), _) => (s, how, None),
        (None, Some(h)) => (h, SidSource::User, None),
        (None, None) => match myid_below(myids, files::dir_name(&f.name)) {
            Some(s) => (s, SidSource::MyidFile, None),
            None => match files::sid_from_name(&f.name) {
                Some(s) => (s, SidSource::FileName, None),
                None => (0, SidSource::Unknown, None),
            },
        },
    }
}

fn file_problems(imp: &mut Import, i: usize, f: &FileReader, parsed: u64) {
    let name = files::base_name(&f.name).to_string();
    if matches!(f.kind, Some(FileKind::DataFile { .. })) {
        return;
    }
    if f.bytes == 0 {
        problem(imp, i, ProblemKind::Empty, format!("{name}: empty file"));
        return;
    }
    if f.cut > 0 && parsed > 0 {
        problem(
            imp,
            i,
            ProblemKind::Truncated,
            format!("{name}: {} lines longer than 64 KiB were cut there", f.cut),
        );
    }
    if f.utf16 {
        problem(
            imp,
            i,
            ProblemKind::Encoding,
            format!("{name}: UTF-16 text, which is not read; save it as UTF-8 and load it again"),
        );
    } else if f.control_bytes > 0 && (parsed == 0 || f.control_bytes * 100 > f.bytes) {
        problem(imp, i, ProblemKind::Binary, format!(
            "{name}: binary data ({} control bytes), not a text log; compressed files must end in .gz, other archives must be unpacked first",
            f.control_bytes));
    } else if f.control_bytes > 0 {
        problem(imp, i, ProblemKind::Binary, format!(
            "{name}: {} NUL or control bytes among the text (a log cut by a crash or a disk error?); the lines around them are counted as not understood",
            f.control_bytes));
    }
    let binary = f.control_bytes > 0 && (parsed == 0 || f.control_bytes * 100 > f.bytes);
    if f.replaced > 0 && !f.utf16 && !binary {
        problem(imp, i, ProblemKind::Encoding, format!(
            "{name}: {} lines were not UTF-8 (Latin-1 or another encoding?): their odd bytes were replaced by \u{fffd}",
            f.replaced));
    }
    if f.kind == Some(FileKind::Other) && f.control_bytes == 0 && !f.utf16 {
        let first = f
            .unknown_first
            .first()
            .map(|u| u.text.clone())
            .unwrap_or_default();
        problem(imp, i, ProblemKind::NotZooKeeper, format!(
            "{name}: not a ZooKeeper server log, zoo.cfg or four-letter-word output ({} lines, none in a ZooKeeper layout; the first: {first:?})",
            f.line_no));
    }
    if f.ended_mid_line && matches!(f.kind, Some(FileKind::Log { .. })) {
        problem(imp, i, ProblemKind::Truncated, format!(
            "{name}: the last line has no line end (the file was cut while being written); it was read as it is"));
    }
}

/// One file's sid, problems, unknown lines and [`FileInfo`] (its lines
/// get their file index and sid); returns its sid and kind.
fn one_file(
    imp: &mut Import,
    i: usize,
    f: &mut FileReader,
    myids: &[(String, u32)],
) -> (u32, FileKind) {
    let kind = f.kind.clone().unwrap_or(FileKind::Other);
    let is_log = matches!(kind, FileKind::Log { .. });
    let (sid, sid_from, conflict) = if is_log {
        resolve_sid(f, myids)
    } else {
        let from = if f.hint.is_some() {
            SidSource::User
        } else {
            SidSource::Unknown
        };
        (f.hint.unwrap_or(0), from, None)
    };
    let name = files::base_name(&f.name).to_string();
    if let Some(c) = conflict {
        problem(imp, i, ProblemKind::SidConflict, format!("{name}: {c}"));
    }
    if is_log && sid == 0 && f.own_myid.iter().any(|o| !o) {
        problem(imp, i, ProblemKind::NoSid, format!(
            "{name}: no way to tell which server wrote this log (no [myid:N], no myid in its lines or its name); give it with --sid FILE=N or in the app"));
    }
    let parsed = f.lines.len() as u64;
    file_problems(imp, i, f, parsed);
    for (l, own) in f.lines.iter_mut().zip(&f.own_myid) {
        l.file = i;
        if !own {
            l.sid = sid;
        }
    }
    let backwards = f
        .lines
        .windows(2)
        .filter(|w| w[1].raw_ms + 1000 < w[0].raw_ms)
        .count();
    if backwards > 0 {
        problem(imp, i, ProblemKind::TimeOrder, format!(
            "{name}: its time goes back by more than a second {backwards} times (a clock reset, or files of two servers in one?); lines are ordered by time"));
    }
    if kind == FileKind::Other {
        // Not a log (binary, another program's, UTF-16): the problem above
        // names it; its lines are no log's lines not understood.
        imp.unknown.in_files_not_read += f.line_no;
    } else if f.unknown > 0 {
        imp.unknown.total += f.unknown;
        imp.unknown.files.push(UnknownFile {
            file: i,
            count: f.unknown,
            first: std::mem::take(&mut f.unknown_first),
        });
    }
    imp.files.push(FileInfo {
        name: f.name.clone(),
        kind: kind.clone(),
        sid,
        sid_from,
        bytes: f.bytes,
        lines: f.line_no,
        parsed,
        continued: f.continued,
        unknown: f.unknown,
        replaced: f.replaced,
        cut: f.cut,
        first_ms: f.lines.iter().map(|l| l.raw_ms).min(),
        last_ms: f.lines.iter().map(|l| l.raw_ms).max(),
    });
    (sid, kind)
}

/// Everything the readers hold, as one [`Import`].
pub fn assemble(readers: Vec<FileReader>) -> Import {
    let mut f = Finishing::new(readers);
    while !f.step(usize::MAX) {}
    f.into_import()
}

/// An import being finished in steps ([`Finishing::step`]), so that a
/// caller on a page's one thread can yield between them; the result is
/// the same whatever the steps' sizes.
#[derive(Debug)]
pub struct Finishing {
    imp: Import,
    readers: Vec<FileReader>,
    /// The servers not started yet, (sid, files oldest first), last first.
    todo: Vec<(u32, Vec<usize>)>,
    /// The server being read: its sid, its files left (last first), the
    /// lines left of the file being read (last first), its context.
    current: Option<(u32, Vec<usize>, Vec<LogLine>, Context)>,
    lines: Vec<LogLine>,
    evs: Vec<(usize, EventKind)>,
    server_files: BTreeMap<u32, Vec<usize>>,
    /// After the events: the skew found (one step), then the lines
    /// ordered (one step), then the servers (one step).
    skews: Option<Vec<Skew>>,
    ordered: bool,
    done: bool,
}

impl Finishing {
    /// Every file's sid, kind and problems, the config and 4lw read; the
    /// log lines wait for [`Finishing::step`].
    pub fn new(mut readers: Vec<FileReader>) -> Finishing {
        let mut imp = Import::default();
        let mut cfg = ZooCfg::default();
        // Each server's log files, in input order.
        let mut by_sid: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for f in readers.iter_mut() {
            f.finish();
        }
        // `myid` files: (their folder, the number in them).
        let myids: Vec<(String, u32)> = readers
            .iter()
            .filter(|f| matches!(&f.kind, Some(FileKind::DataFile { what }) if what == "myid"))
            .filter_map(|f| {
                Some((
                    files::dir_name(&f.name).to_string(),
                    f.text.trim().parse().ok()?,
                ))
            })
            .collect();
        for (i, f) in readers.iter_mut().enumerate() {
            let (sid, kind) = one_file(&mut imp, i, f, &myids);
            match &kind {
                FileKind::Config => files::read_cfg(&mut cfg, i, &f.text),
                FileKind::FourLw { command } => {
                    let c = files::read_fourlw(i, &f.name, command, &f.text);
                    imp.fourlw.push(c);
                }
                FileKind::Log { .. } => by_sid.entry(sid).or_default().push(i),
                FileKind::Other | FileKind::DataFile { .. } => {}
            }
        }
        if !cfg.files.is_empty() {
            imp.config = Some(cfg);
        }
        let mut todo: Vec<(u32, Vec<usize>)> = by_sid
            .into_iter()
            .map(|(sid, mut fs)| {
                // Rolled files: oldest first (`zookeeper.log.2`, `.1`, `zookeeper.log`).
                fs.sort_by_key(|&i| (imp.files[i].first_ms.unwrap_or(i64::MAX), i));
                (sid, fs)
            })
            .collect();
        todo.reverse();
        Finishing {
            imp,
            readers,
            todo,
            current: None,
            lines: Vec::new(),
            evs: Vec::new(),
            server_files: BTreeMap::new(),
            skews: None,
            ordered: false,
            done: false,
        }
    }

    /// The log lines still to read for events.
    pub fn lines_left(&self) -> usize {
        let current = self.current.as_ref().map_or(0, |(_, fs, ls, _)| {
            ls.len()
                + fs.iter()
                    .map(|&i| self.readers[i].lines.len())
                    .sum::<usize>()
        });
        let later: usize = self
            .todo
            .iter()
            .flat_map(|(_, fs)| fs)
            .map(|&i| self.readers[i].lines.len())
            .sum();
        current + later
    }

    /// The next step: the events of up to `budget` more lines (each
    /// server's lines in its files' order, one context per server); once
    /// all are read, the skew, then one time order, then the servers, a
    /// step each. True when the import is complete.
    pub fn step(&mut self, budget: usize) -> bool {
        if self.done {
            return true;
        }
        if !self.read_events(budget) {
            return false;
        }
        if self.ordered {
            servers(&mut self.imp, std::mem::take(&mut self.server_files));
            self.done = true;
        } else if self.skews.is_none() {
            self.skews = Some(correct(&mut self.lines, &self.evs));
        } else {
            let lines = std::mem::take(&mut self.lines);
            let evs = std::mem::take(&mut self.evs);
            let skews = self.skews.take().unwrap_or_default();
            order(&mut self.imp, lines, evs, skews);
            self.ordered = true;
        }
        self.done
    }

    /// Reads the events of up to `budget` more lines; true when all are read.
    fn read_events(&mut self, budget: usize) -> bool {
        let mut left = budget;
        while left > 0 {
            let Some((_, files, pending, cx)) = &mut self.current else {
                let Some((sid, mut fs)) = self.todo.pop() else {
                    return true;
                };
                self.server_files.insert(sid, fs.clone());
                fs.reverse();
                self.current = Some((sid, fs, Vec::new(), Context::default()));
                continue;
            };
            if pending.is_empty() {
                match files.pop() {
                    Some(i) => {
                        *pending = std::mem::take(&mut self.readers[i].lines);
                        pending.reverse();
                    }
                    None => self.current = None,
                }
                continue;
            }
            while left > 0 {
                let Some(l) = pending.pop() else { break };
                let at = self.lines.len();
                for e in cx.events(&l.thread, &l.class, &l.text, &l.more) {
                    self.evs.push((at, e));
                }
                self.lines.push(l);
                left -= 1;
            }
        }
        self.todo.is_empty() && self.current.is_none()
    }

    /// The [`Import`] (the steps [`Finishing::step`] left done first).
    pub fn into_import(mut self) -> Import {
        while !self.step(usize::MAX) {}
        self.imp
    }
}

/// The clock offsets from paired lines; every line's corrected time.
fn correct(lines: &mut [LogLine], evs: &[(usize, EventKind)]) -> Vec<Skew> {
    let skews = skew::estimate(lines, evs);
    let offset = |sid: u32| {
        skews
            .iter()
            .find(|s| s.sid == sid)
            .map_or(0, |s| s.offset_ms)
    };
    for l in lines.iter_mut() {
        l.at_ms = l.raw_ms - offset(l.sid);
    }
    skews
}

/// Lines and events of every server in one (corrected) time order.
fn order(imp: &mut Import, lines: Vec<LogLine>, evs: Vec<(usize, EventKind)>, skews: Vec<Skew>) {
    // Stable: ties keep sid order, then file order.
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (lines[i].at_ms, lines[i].sid));
    let mut new_index = vec![0usize; lines.len()];
    for (n, &i) in order.iter().enumerate() {
        new_index[i] = n;
    }
    // In place, cycle by cycle: position n takes the line at order[n].
    let mut lines = lines;
    let mut placed = vec![false; lines.len()];
    for start in 0..lines.len() {
        if placed[start] {
            continue;
        }
        let mut at = start;
        loop {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            lines.swap(at, from);
            at = from;
        }
    }
    imp.lines = lines;
    let mut events: Vec<Event> = evs
        .into_iter()
        .map(|(i, kind)| {
            let l = &imp.lines[new_index[i]];
            Event {
                at_ms: l.at_ms,
                raw_ms: l.raw_ms,
                sid: l.sid,
                line: new_index[i],
                kind,
            }
        })
        .collect();
    events.sort_by_key(|e| e.line);
    // Sorted by line: the lines with an event are the distinct runs.
    let with_event = events
        .iter()
        .enumerate()
        .filter(|(k, e)| *k == 0 || events[k - 1].line != e.line)
        .count();
    imp.unknown.without_event = (imp.lines.len() - with_event) as u64;
    imp.events = events;
    imp.skew = skews
        .into_iter()
        .map(|mut s| {
            for p in &mut s.pairs {
                p.send = new_index[p.send];
                p.receive = new_index[p.receive];
            }
            s
        })
        .collect();
}

fn servers(imp: &mut Import, mut server_files: BTreeMap<u32, Vec<usize>>) {
    // A file of several servers' lines (each with its `[myid:N]`) belongs
    // to each of them.
    for l in &imp.lines {
        let fs = server_files.entry(l.sid).or_default();
        if !fs.contains(&l.file) {
            fs.push(l.file);
        }
    }
    for (sid, files) in server_files {
        let sid_from = files
            .iter()
            .map(|&i| imp.files[i].sid_from)
            .min()
            .unwrap_or(SidSource::Unknown);
        let mine = imp.lines.iter().filter(|l| l.sid == sid);
        let (mut n, mut first, mut last) = (0u64, None, None);
        for l in mine {
            n += 1;
            first = first.or(Some(l.at_ms));
            last = Some(l.at_ms);
        }
        let starts = imp
            .events
            .iter()
            .filter(|e| e.sid == sid && e.kind == EventKind::ProcessStart)
            .count() as u32;
        let last_state = imp.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::State { state } if e.sid == sid => Some(*state),
            _ => None,
        });
        imp.servers.push(ServerInfo {
            sid,
            sid_from,
            files,
            lines: n,
            starts,
            first_ms: first,
            last_ms: last,
            last_state,
        });
    }
}
