//! `zablab import FILES… [--cfg zoo.cfg] [--sid FILE=N] [--json]
//! [--diagnose] [--replay OUT.json]`: real
//! ZooKeeper logs (any layout `zablab_core::import` reads, rolled files,
//! `.gz`), `zoo.cfg` and saved four-letter words in; a timeline (or JSON)
//! out.
//!
//! Owns reading the files (folders expand to their files, sorted; `.gz`
//! through flate2, streamed in 1 MiB slices into the core's `Importer`) and
//! the outputs, one function each: [`text`] and [`json`] (which holds the
//! diagnosis), `--diagnose` (`zablab_core::import::diagnose`, rendered as
//! `zablab run --diagnose` does) and `--replay OUT.json` (the scenario of
//! `zablab_core::import::replay`, its inferences on stderr). Never parses
//! a log line itself. Exit codes: 0 something was imported (with a line
//! per file that was not, on stderr),
//! 2 nothing was (or a usage error).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::fmt::Write;

use serde_json::{json, Value};
use zablab_core::import::files;
use zablab_core::import::line::format_stamp;
use zablab_core::import::{summary, EventKind, FileKind, Import, Importer, Summary};

use crate::cli::ImportArgs;
use crate::Usage;

/// Bytes per feed.
const SLICE: usize = 1 << 20;

/// Every file under `path` (itself if a file), sorted by name.
fn expand(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        expand(&e, out)?;
    }
    Ok(())
}

/// `FILE=N` pairs of `--sid`.
fn sid_hints(a: &ImportArgs) -> Result<Vec<(PathBuf, u32)>, Usage> {
    a.sid
        .iter()
        .map(|s| {
            let (f, n) = s
                .rsplit_once('=')
                .ok_or_else(|| Usage(format!("--sid {s}: needs FILE=N")))?;
            let n =
                n.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
                    Usage(format!("--sid {s}: N must be a server id (1 or more)"))
                })?;
            Ok((PathBuf::from(f), n))
        })
        .collect()
}

/// Feeds one file (decompressing `.gz`) into the importer.
fn feed(im: &mut Importer, index: usize, path: &Path) -> Result<(), String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).map_err(|e| e.to_string())?;
    let gz = n == 2 && magic == [0x1f, 0x8b];
    let whole = std::io::Cursor::new(magic[..n].to_vec()).chain(file);
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(whole))
    } else {
        Box::new(whole)
    };
    let mut buf = vec![0u8; SLICE];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => im.feed(index, &buf[..n]),
            Err(e) if gz => {
                return Err(format!(
                    "not a whole gzip file ({e}); what came before was read"
                ))
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Reads every file into one import; a message per file that failed.
pub fn read_all(
    files: &[PathBuf],
    cfg: &[PathBuf],
    hints: &[(PathBuf, u32)],
) -> (Import, Vec<String>) {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    for p in files.iter().chain(cfg) {
        if let Err(e) = expand(p, &mut paths) {
            errors.push(e);
        }
    }
    let mut im = Importer::new();
    for p in &paths {
        let hint = hints
            .iter()
            .find(|(f, _)| f == p || p.ends_with(f))
            .map(|(_, n)| *n);
        let name = p.display().to_string();
        let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
        let i = im.add_file(&name, hint);
        // Snapshots and txn logs are listed, not read (64 MB each); a
        // `myid` is read (it names the server of the logs above it).
        if files::data_file(&name).is_some_and(|w| w != "myid") {
            continue;
        }
        if let Err(e) = feed(&mut im, i, p) {
            errors.push(format!("{}: {e}", p.display()));
        }
    }
    (im.finish(), errors)
}

pub fn import(a: &ImportArgs) -> Result<ExitCode, Usage> {
    let hints = sid_hints(a)?;
    let (imp, errors) = read_all(&a.files, &a.cfg, &hints);
    for e in &errors {
        eprintln!("zablab: {e}");
    }
    for p in &imp.problems {
        eprintln!("zablab: {}", p.message);
    }
    let s = summary(&imp);
    let diagnosis = zablab_core::import::diagnose::diagnosis(&imp);
    if a.json {
        let mut v = json(&imp, &s);
        if let Some(m) = v.as_object_mut() {
            m.insert(
                "diagnosis".into(),
                serde_json::to_value(&diagnosis).expect("a diagnosis always serializes"),
            );
        }
        let out = serde_json::to_string_pretty(&v).expect("a JSON value always prints");
        println!("{out}");
    } else {
        print!("{}", text(&imp, &s));
        if a.diagnose {
            print!("{}", diagnosis.render());
        }
    }
    if let Some(out) = &a.replay {
        write_replay(&imp, out)?;
    }
    let anything = !imp.lines.is_empty() || imp.config.is_some() || !imp.fourlw.is_empty();
    if anything {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Usage("nothing imported: no ZooKeeper log line, zoo.cfg or four-letter word in the files given".into()))
    }
}

/// `--replay OUT.json`: the scenario, and each inference on stderr.
fn write_replay(imp: &Import, out: &Path) -> Result<(), Usage> {
    let r = zablab_core::import::replay::replay_scenario(imp);
    std::fs::write(out, r.scenario.to_json() + "\n")
        .map_err(|e| Usage(format!("cannot write `{}`: {e}", out.display())))?;
    eprintln!(
        "zablab: replay written to {} ({} actions; run it with `zablab run {}`), inferred:",
        out.display(),
        r.scenario.actions.len(),
        out.display()
    );
    for i in &r.inferences {
        eprintln!("  {}: {} (lines {:?})", i.kind, i.what, i.lines);
    }
    Ok(())
}

/// The time everything is counted from: the first line's corrected time.
pub fn start_ms(imp: &Import) -> i64 {
    imp.lines.first().map_or(0, |l| l.at_ms)
}

/// `--json`: `zablab run --json`'s names where they apply (servers, leaders
/// with sid/epoch/established_ms, syncs with learner/leader/mode/at_ms),
/// plus what only an import has. Every time is ms after `start_ms` (the
/// first line, UTC as logged, skew-corrected), but `start_ms` itself.
pub fn json(imp: &Import, s: &Summary) -> Value {
    let t0 = start_ms(imp);
    let rel = |t: Option<i64>| t.map(|t| t - t0);
    let servers: Vec<Value> = imp
        .servers
        .iter()
        .map(|v| {
            json!({
                "sid": v.sid, "sid_from": v.sid_from,
                "files": v.files.iter().map(|&i| imp.files[i].name.clone()).collect::<Vec<_>>(),
                "lines": v.lines, "starts": v.starts,
                "first_ms": rel(v.first_ms), "last_ms": rel(v.last_ms), "last_state": v.last_state,
            })
        })
        .collect();
    let leaders: Vec<Value> = s
        .leaders
        .iter()
        .map(|l| json!({"sid": l.sid, "epoch": l.epoch, "established_ms": l.established_ms - t0}))
        .collect();
    let syncs: Vec<Value> = s
        .syncs
        .iter()
        .map(|y| json!({"learner": y.learner, "leader": y.leader, "epoch": y.epoch, "mode": y.mode, "how": y.how, "at_ms": y.at_ms - t0}))
        .collect();
    let gaps: Vec<Value> = s
        .gaps
        .iter()
        .map(|g| json!({"next": g.next, "lost_ms": g.lost_ms - t0, "ms": g.ms, "why": g.why}))
        .collect();
    let events: Vec<Value> = imp
        .events
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(&e.kind).expect("an event always serializes");
            if let Some(m) = v.as_object_mut() {
                m.insert("at_ms".into(), json!(e.at_ms - t0));
                m.insert("sid".into(), json!(e.sid));
                m.insert("line".into(), json!(e.line));
            }
            v
        })
        .collect();
    json!({
        "start_ms": t0,
        "start": imp.lines.first().map(|_| format_stamp(t0)),
        "files": imp.files,
        "servers": servers,
        "leaders": leaders,
        "syncs": syncs,
        "gaps": gaps,
        "events": events,
        "lines": imp.lines.len(),
        "unknown": imp.unknown,
        "skew": imp.skew,
        "config": imp.config,
        "fourlw": imp.fourlw,
        "problems": imp.problems,
    })
}

/// `+12.345` seconds after the start.
fn at(ms: i64, t0: i64) -> String {
    let d = ms - t0;
    format!(
        "{}{}.{:03}",
        if d < 0 { "-" } else { "+" },
        d.abs() / 1000,
        d.abs() % 1000
    )
}

/// One timeline entry for an event worth a line (others are counted).
fn describe(kind: &EventKind) -> Option<String> {
    Some(match kind {
        EventKind::ProcessStart => "JVM started (Starting quorum peer)".into(),
        EventKind::ElectionTook { state, ms } => {
            format!("{} after an election of {ms} ms", state.name())
        }
        EventKind::StepDown { reason } => format!("leader stepped down: {reason}"),
        EventKind::LostLeader { cause } => format!("lost its leader: {cause}"),
        EventKind::SessionExpired { id, timeout_ms } => {
            format!("session 0x{id:x} expired (timeout {timeout_ms} ms)")
        }
        EventKind::SlowFsync { ms } => format!("slow fsync: {ms} ms"),
        EventKind::DigestMismatch { zxid } => format!(
            "digest mismatch{}",
            zxid.map(|z| format!(" at zxid 0x{z:x}"))
                .unwrap_or_default()
        ),
        // `Got zxid 0x100000001 expected 0x1` opens every new epoch: only a
        // hole within one epoch is news.
        EventKind::ZxidGap { got, expected } if got >> 32 == expected >> 32 => {
            format!("got zxid 0x{got:x}, expected 0x{expected:x} (a hole in its log)")
        }
        _ => return None,
    })
}

/// The text output: files and servers, skew, a timeline (leaders, syncs,
/// starts, step-downs, faults seen), gaps, unknown lines, problems.
pub fn text(imp: &Import, s: &Summary) -> String {
    let mut o = String::new();
    files_text(&mut o, imp);
    skew_text(&mut o, imp);
    timeline_text(&mut o, imp, s);
    rest_text(&mut o, imp, s);
    o
}

/// What was read: files, servers, zoo.cfg, 4lw.
fn files_text(o: &mut String, imp: &Import) {
    let t0 = start_ms(imp);
    let logs = imp
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Log { .. }))
        .count();
    let bytes: u64 = imp.files.iter().map(|f| f.bytes).sum();
    let _ = writeln!(o, "imported {} files ({logs} logs, {:.1} MB): {} servers, {} log lines, {} events, {} lines not understood",
        imp.files.len(), bytes as f64 / 1e6, imp.servers.len(), imp.lines.len(), imp.events.len(), imp.unknown.total);
    if !imp.lines.is_empty() {
        let _ = writeln!(
            o,
            "time 0 = {} (as logged, read as UTC; times below are seconds after it)",
            format_stamp(t0)
        );
    }
    for v in &imp.servers {
        let names: Vec<&str> = v
            .files
            .iter()
            .map(|&i| imp.files[i].name.as_str())
            .collect();
        let from = serde_json::to_value(v.sid_from)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  server {}: {} lines, {} JVM start(s), sid from {}; {}",
            v.sid,
            v.lines,
            v.starts,
            from.replace('_', " "),
            names.join(", ")
        );
    }
    if let Some(c) = &imp.config {
        let v = |x: Option<u64>| x.map_or("?".to_string(), |x| x.to_string());
        let _ = writeln!(
            o,
            "  zoo.cfg: tickTime={} initLimit={} syncLimit={}, {} servers ({} observers)",
            v(c.tick_time),
            v(c.init_limit),
            v(c.sync_limit),
            c.servers.len(),
            c.servers.iter().filter(|x| x.observer).count()
        );
    }
    for f in &imp.fourlw {
        let _ = writeln!(
            o,
            "  {} ({}): server {}, mode {}, zxid {}",
            f.command,
            imp.files[f.file].name,
            f.sid.map_or("?".into(), |s| s.to_string()),
            f.mode.as_deref().unwrap_or("?"),
            f.zxid.map_or("?".into(), |z| format!("0x{z:x}"))
        );
    }
}

/// Each server's clock offset and its evidence.
fn skew_text(o: &mut String, imp: &Import) {
    if imp.skew.len() > 1 {
        let _ = writeln!(
            o,
            "clock skew (reference: server {}):",
            imp.skew[0].reference
        );
        for k in &imp.skew {
            let bound = |b: Option<i64>| b.map_or("?".to_string(), |b| format!("{b:+}"));
            let _ = writeln!(
                o,
                "  server {}: {:+} ms (bounds {}..{} ms from {} paired lines)",
                k.sid,
                k.offset_ms,
                bound(k.lower_ms),
                bound(k.upper_ms),
                k.pairs.len()
            );
        }
    }
}

/// Leaders, syncs and the events worth a line, in time order.
fn timeline_text(o: &mut String, imp: &Import, s: &Summary) {
    let t0 = start_ms(imp);
    let _ = writeln!(o, "timeline:");
    let mut entries: Vec<(i64, u32, String)> = Vec::new();
    for l in &s.leaders {
        entries.push((
            l.established_ms,
            l.sid,
            format!(
                "LEADING, epoch {} established (Have quorum of supporters)",
                l.epoch
            ),
        ));
    }
    for y in &s.syncs {
        let how = if y.how.is_empty() {
            String::new()
        } else {
            format!(", {}", y.how)
        };
        entries.push((
            y.at_ms,
            y.learner,
            format!(
                "{} sync from leader {} (epoch {}{how})",
                y.mode.name(),
                y.leader,
                y.epoch.map_or("?".into(), |e| e.to_string())
            ),
        ));
    }
    for e in &imp.events {
        if let Some(d) = describe(&e.kind) {
            entries.push((e.at_ms, e.sid, d));
        }
    }
    entries.sort();
    for (t, sid, d) in entries {
        let _ = writeln!(o, "  {:>10}  s{sid}  {d}", at(t, t0));
    }
}

/// The time without a leader, data files not read, unknown lines.
fn rest_text(o: &mut String, imp: &Import, s: &Summary) {
    let t0 = start_ms(imp);
    for g in &s.gaps {
        let _ = writeln!(
            o,
            "no leader for {} ms before leader #{} ({}; from {})",
            g.ms,
            g.next + 1,
            g.why,
            at(g.lost_ms, t0)
        );
    }
    let data = imp
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::DataFile { .. }))
        .count();
    if data > 0 {
        let _ = writeln!(
            o,
            "{data} ZooKeeper data files not read (snapshots, txn logs, epoch files, myid)"
        );
    }
    for u in &imp.unknown.files {
        let _ = writeln!(
            o,
            "not understood in {}: {} lines",
            imp.files[u.file].name, u.count
        );
        for l in u.first.iter().take(5) {
            let _ = writeln!(o, "  line {}: {}", l.line_no, l.text);
        }
    }
}
