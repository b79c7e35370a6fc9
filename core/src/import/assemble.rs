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
    if f.unknown > 0 {
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
pub fn assemble(mut readers: Vec<FileReader>) -> Import {
    let mut imp = Import::default();
    let mut cfg = ZooCfg::default();
    // Log lines per server: (file index, lines, own myid) in input order.
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
    timeline(&mut imp, &mut readers, by_sid);
    imp
}

/// Lines and events of every server, skew-corrected, in one time order.
fn timeline(imp: &mut Import, readers: &mut [FileReader], by_sid: BTreeMap<u32, Vec<usize>>) {
    let mut lines: Vec<LogLine> = Vec::new();
    let mut evs: Vec<(usize, EventKind)> = Vec::new();
    let mut server_files: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (sid, mut fs) in by_sid {
        // Rolled files: oldest first (`zookeeper.log.2`, `.1`, `zookeeper.log`).
        fs.sort_by_key(|&i| (imp.files[i].first_ms.unwrap_or(i64::MAX), i));
        let mut cx = Context::default();
        for &i in &fs {
            for l in std::mem::take(&mut readers[i].lines) {
                let at = lines.len();
                for e in cx.events(&l.thread, &l.class, &l.text, &l.more) {
                    evs.push((at, e));
                }
                lines.push(l);
            }
        }
        server_files.insert(sid, fs);
    }
    let skews = skew::estimate(&lines, &evs);
    let offset = |sid: u32| {
        skews
            .iter()
            .find(|s| s.sid == sid)
            .map_or(0, |s| s.offset_ms)
    };
    for l in &mut lines {
        l.at_ms = l.raw_ms - offset(l.sid);
    }
    // Stable: ties keep sid order, then file order.
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (lines[i].at_ms, lines[i].sid));
    let mut new_index = vec![0usize; lines.len()];
    for (n, &i) in order.iter().enumerate() {
        new_index[i] = n;
    }
    let mut slots: Vec<Option<LogLine>> = lines.into_iter().map(Some).collect();
    imp.lines = order.iter().filter_map(|&i| slots[i].take()).collect();
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
    let with_event: std::collections::BTreeSet<usize> = events.iter().map(|e| e.line).collect();
    imp.unknown.without_event = (imp.lines.len() - with_event.len()) as u64;
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
    servers(imp, server_files);
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
