//! An imported run as the app's views read it: the read-only view model
//! over the core's [`Import`] (`zablab_core::import`), the seam between
//! "the live simulation" and "a real ensemble's logs". The timeline, the
//! space-time diagram (`imported/diagram.rs`), the event log, the
//! inspector and the diagnosis draw an import from here, as they draw a
//! simulation from `Simulation`'s views.
//!
//! Times: the core gives wall-clock milliseconds since the epoch after
//! skew correction; the app shows them as milliseconds after the first
//! line ([`Imported::rel`]), like a simulated run's virtual time, and the
//! wall clock beside them ([`wall`]).
//!
//! Pure (no DOM), tested natively. It never guesses beyond the lines: a
//! server between its last line and a later `Starting quorum peer` is
//! shown down (it restarted, so it was not running), and what no line
//! says is unknown.

use zablab_core::import::episodes::{episodes, Episode, Fault};
use zablab_core::import::evidence::{Ln, View};
use zablab_core::import::{
    summary, Event, EventKind, Import, Level, LogLine, PeerState, Summary, SyncMode, ZabState,
};

mod diagram;

pub use diagram::diagram;

/// A server's known state from one moment on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    /// From this moment (ms after the first line).
    pub at: u64,
    /// False: not running (crashed: between a silence and a restart, or
    /// its peers refused; the core's `import::episodes`).
    pub up: bool,
    /// Paused (a GC stall, SIGSTOP), as the core's episodes infer it.
    pub paused: bool,
    pub state: Option<PeerState>,
    pub zab: Option<ZabState>,
    pub sync: Option<SyncMode>,
}

/// What a timeline marker stands for, in ZooKeeper's terms (the
/// timeline words and shapes each kind; the app's `ui/imported.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// A server goes LOOKING.
    Election { sid: u32 },
    /// `Have quorum of supporters`.
    Leader { sid: u32, epoch: u32 },
    /// A learner synced (`learner`, the leader's mode, the leader).
    Sync {
        learner: u32,
        mode: SyncMode,
        leader: u32,
    },
    /// A process start after the first, a leader stepping down, a read
    /// timeout, a lost leader, a broken connection: the line says it.
    Fault,
    /// A slow fsync, an expired session, a digest mismatch: the line.
    Hazard,
}

impl Seen {
    /// The order kinds are drawn in (one per kind and place).
    pub fn rank(self) -> u8 {
        match self {
            Seen::Election { .. } => 0,
            Seen::Leader { .. } => 1,
            Seen::Sync { .. } => 2,
            Seen::Fault => 3,
            Seen::Hazard => 4,
        }
    }
}

/// One marker: its moment, kind and the line it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub at: u64,
    pub seen: Seen,
    pub line: usize,
}

/// What is known of one server at a moment (the inspector).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub sid: u32,
    pub phase: Option<Phase>,
    /// The leader it last connected to or established as.
    pub leader: Option<u32>,
    /// The epoch of the newest leader established so far.
    pub epoch: Option<u32>,
    pub starts: u32,
    pub lines: usize,
    /// Its newest line at or before the moment.
    pub last: Option<usize>,
    pub sessions: (u32, u32),
    pub slow_fsyncs: u32,
}

/// The imported run.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub import: Import,
    pub summary: Summary,
    /// Corrected time of the first line (0 in the app's time).
    pub origin_ms: i64,
    pub span_ms: u64,
    /// Servers with lines, ascending (sid 0, unknown, left out).
    pub sids: Vec<u32>,
    /// What the logs answer (`import::diagnose`), ranked, each finding
    /// citing its lines; of the whole logs, computed once.
    pub findings: Vec<zablab_core::diagnosis::Finding>,
    phases: Vec<Vec<Phase>>,
    /// Each lane's line indices, ascending.
    by_sid: Vec<Vec<usize>>,
}

/// An [`Imported`] being built in parts ([`Building::step`]), so that the
/// page can paint between them; the same run as [`Imported::new`].
#[derive(Debug)]
pub struct Building {
    run: Imported,
    stage: Stage,
}

/// What [`Building::step`] does next.
#[derive(Debug)]
enum Stage {
    Summary,
    /// The evidence's lines made so far (the view is made in slices) and
    /// the import's first moment they count from.
    Lines(Vec<Ln>, i64),
    View(Vec<Ln>),
    Episodes(View),
    Diagnosis(View, Vec<Episode>),
    Phases(Vec<Episode>),
    Done,
}

/// Lines made evidence ([`Ln`]) in one step.
const STEP_LINES: usize = 50_000;

impl Building {
    /// The next part; true when the run is built.
    pub fn step(&mut self) -> bool {
        let run = &mut self.run;
        self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Summary => {
                run.summary = summary(&run.import);
                let t0 = View::origin(&run.import);
                Stage::Lines(Vec::with_capacity(run.import.lines.len()), t0)
            }
            Stage::Lines(mut lines, t0) => {
                let from = lines.len();
                let to = (from + STEP_LINES).min(run.import.lines.len());
                for (i, l) in run.import.lines[from..to].iter().enumerate() {
                    lines.push(Ln::of(from + i, l, t0));
                }
                if to == run.import.lines.len() {
                    Stage::View(lines)
                } else {
                    Stage::Lines(lines, t0)
                }
            }
            Stage::View(lines) => Stage::Episodes(View::of_lines(&run.import, lines)),
            Stage::Episodes(v) => {
                let eps = episodes(&v);
                Stage::Diagnosis(v, eps)
            }
            Stage::Diagnosis(v, eps) => {
                run.findings = zablab_core::import::diagnose::diagnose_with(&v, &eps);
                Stage::Phases(eps)
            }
            Stage::Phases(eps) => {
                run.phases = run
                    .sids
                    .iter()
                    .map(|&s| with_faults(run.phases_of(s), s, &eps))
                    .collect();
                Stage::Done
            }
            Stage::Done => Stage::Done,
        };
        matches!(self.stage, Stage::Done)
    }

    /// The run (its remaining parts built first).
    pub fn into_run(mut self) -> Imported {
        while !self.step() {}
        self.run
    }
}

impl Imported {
    pub fn new(import: Import) -> Imported {
        Imported::building(import).into_run()
    }

    /// The lanes now; the summary, the evidence (in slices), the
    /// episodes, the diagnosis and the phases in [`Building::step`]s.
    pub fn building(import: Import) -> Building {
        let origin_ms = import.lines.first().map_or(0, |l| l.at_ms);
        let end = import
            .lines
            .iter()
            .map(|l| l.at_ms)
            .max()
            .unwrap_or(origin_ms);
        let mut sids: Vec<u32> = import
            .servers
            .iter()
            .map(|s| s.sid)
            .filter(|&s| s > 0)
            .collect();
        zablab_core::sorting::sort(&mut sids);
        sids.dedup();
        let mut run = Imported {
            import,
            summary: Summary::default(),
            origin_ms,
            span_ms: (end - origin_ms).max(0) as u64,
            sids,
            findings: Vec::new(),
            phases: Vec::new(),
            by_sid: Vec::new(),
        };
        run.by_sid = vec![Vec::new(); run.sids.len()];
        for (i, l) in run.import.lines.iter().enumerate() {
            if let Some(lane) = run.lane(l.sid) {
                run.by_sid[lane].push(i);
            }
        }
        Building {
            run,
            stage: Stage::Summary,
        }
    }

    /// No log line at all (only problems to show).
    pub fn is_empty(&self) -> bool {
        self.import.lines.is_empty()
    }

    /// A corrected time as the app's: ms after the first line.
    pub fn rel(&self, at_ms: i64) -> u64 {
        (at_ms - self.origin_ms).max(0) as u64
    }

    /// The line's moment.
    pub fn line_at(&self, line: usize) -> u64 {
        self.import.lines.get(line).map_or(0, |l| self.rel(l.at_ms))
    }

    fn lane(&self, sid: u32) -> Option<usize> {
        self.sids.iter().position(|&s| s == sid)
    }

    /// A server's phases, oldest first.
    pub fn phases(&self, sid: u32) -> &[Phase] {
        self.lane(sid).map_or(&[], |l| &self.phases[l])
    }

    fn events_of(&self, sid: u32) -> impl Iterator<Item = &Event> {
        self.import.events.iter().filter(move |e| e.sid == sid)
    }

    fn phases_of(&self, sid: u32) -> Vec<Phase> {
        let mut out: Vec<Phase> = Vec::new();
        let mut cur = Phase {
            at: 0,
            up: true,
            paused: false,
            state: None,
            zab: None,
            sync: None,
        };
        for e in self.events_of(sid) {
            let at = self.rel(e.at_ms);
            let next = match &e.kind {
                EventKind::ProcessStart => {
                    if !out.is_empty() {
                        // Silent since its previous line: not running.
                        let silent = self.last_line_before(sid, e.line);
                        out.push(Phase {
                            at: silent.map_or(at, |l| self.line_at(l)),
                            up: false,
                            paused: false,
                            state: None,
                            zab: None,
                            sync: None,
                        });
                    }
                    Phase {
                        at,
                        up: true,
                        paused: false,
                        state: None,
                        zab: None,
                        sync: None,
                    }
                }
                EventKind::State { state } => Phase {
                    at,
                    state: Some(*state),
                    zab: (*state == PeerState::Looking).then_some(ZabState::Election),
                    sync: None,
                    ..cur
                },
                EventKind::ZabState { state, zab, sync } => Phase {
                    at,
                    state: Some(*state),
                    zab: zab.or(cur.zab),
                    sync: sync.or(cur.sync),
                    ..cur
                },
                _ => continue,
            };
            if next != cur || out.is_empty() {
                out.push(next);
                cur = next;
            }
        }
        out
    }

    /// The server's line before line `line` (index into the lines): its
    /// own lines are listed once (`by_sid`), then a binary search.
    fn last_line_before(&self, sid: u32, line: usize) -> Option<usize> {
        let own = self.lane(sid).map(|l| &self.by_sid[l])?;
        let i = own.partition_point(|&x| x < line);
        i.checked_sub(1).map(|i| own[i])
    }

    /// The phase of `sid` at `t`.
    pub fn phase_at(&self, sid: u32, t: u64) -> Option<Phase> {
        let ph = self.phases(sid);
        let i = ph.partition_point(|p| p.at <= t);
        i.checked_sub(1).map(|i| ph[i])
    }

    /// Lines at or before `t` (they are in time order).
    pub fn lines_until(&self, t: u64) -> usize {
        self.import
            .lines
            .partition_point(|l| self.rel(l.at_ms) <= t)
    }

    /// What is known of each server at `t`.
    pub fn known_at(&self, t: u64) -> Vec<Known> {
        let until = self.lines_until(t);
        let epoch = self
            .summary
            .leaders
            .iter()
            .filter(|l| self.rel(l.established_ms) <= t)
            .map(|l| l.epoch)
            .max();
        self.sids
            .iter()
            .map(|&sid| {
                let mut k = Known {
                    sid,
                    phase: self.phase_at(sid, t),
                    leader: None,
                    epoch,
                    starts: 0,
                    lines: 0,
                    last: None,
                    sessions: (0, 0),
                    slow_fsyncs: 0,
                };
                for e in self.events_of(sid).take_while(|e| self.rel(e.at_ms) <= t) {
                    match &e.kind {
                        EventKind::ProcessStart => k.starts += 1,
                        EventKind::ConnectedToLeader { leader } => k.leader = *leader,
                        EventKind::Established { .. } => k.leader = Some(sid),
                        EventKind::SessionCreated { .. } => k.sessions.0 += 1,
                        EventKind::SessionExpired { .. } => k.sessions.1 += 1,
                        EventKind::SlowFsync { .. } => k.slow_fsyncs += 1,
                        _ => {}
                    }
                }
                for (i, l) in self.import.lines[..until].iter().enumerate() {
                    if l.sid == sid {
                        k.lines += 1;
                        k.last = Some(i);
                    }
                }
                k
            })
            .collect()
    }

    /// The leaders the logs show established, `(sid, epoch)` in time order
    /// (the core's summary; its `Have quorum of supporters` events when
    /// the summary has none).
    pub fn real_leaders(&self) -> Vec<(u32, u32)> {
        if !self.summary.leaders.is_empty() {
            return self
                .summary
                .leaders
                .iter()
                .map(|l| (l.sid, l.epoch))
                .collect();
        }
        self.import
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Established { epoch, .. } => Some((e.sid, epoch)),
                _ => None,
            })
            .collect()
    }

    /// The learners' syncs, `(learner, mode)` in time order (the summary;
    /// else each learner's `Getting a diff/snapshot`, `Truncating log`).
    pub fn real_syncs(&self) -> Vec<(u32, String)> {
        if !self.summary.syncs.is_empty() {
            return self
                .summary
                .syncs
                .iter()
                .map(|s| (s.learner, s.mode.name().to_string()))
                .collect();
        }
        self.import
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::SyncReceived { mode, .. } => Some((e.sid, mode.name().to_string())),
                _ => None,
            })
            .collect()
    }

    /// The timeline's markers, in time order.
    pub fn markers(&self) -> Vec<Marker> {
        let mut out = Vec::new();
        for l in &self.summary.leaders {
            let seen = Seen::Leader {
                sid: l.sid,
                epoch: l.epoch,
            };
            out.push(self.marker(l.established_ms, seen, l.line));
        }
        for s in &self.summary.syncs {
            let seen = Seen::Sync {
                learner: s.learner,
                mode: s.mode,
                leader: s.leader,
            };
            out.push(self.marker(s.at_ms, seen, s.line));
        }
        let mut started = std::collections::BTreeSet::new();
        let mut looking = std::collections::BTreeSet::new();
        for e in &self.import.events {
            let seen = match &e.kind {
                EventKind::ProcessStart if !started.insert(e.sid) => Seen::Fault,
                EventKind::State { state } | EventKind::ZabState { state, .. } => {
                    if *state != PeerState::Looking {
                        looking.remove(&e.sid);
                        continue;
                    }
                    if !looking.insert(e.sid) {
                        continue;
                    }
                    Seen::Election { sid: e.sid }
                }
                EventKind::StepDown { .. }
                | EventKind::LostLeader { .. }
                | EventKind::ReadTimeout { .. }
                | EventKind::ConnectionBroken { .. } => Seen::Fault,
                EventKind::SlowFsync { .. }
                | EventKind::SessionExpired { .. }
                | EventKind::DigestMismatch { .. } => Seen::Hazard,
                _ => continue,
            };
            out.push(self.marker(e.at_ms, seen, e.line));
        }
        zablab_core::sorting::sort_by_key(&mut out, |m| (m.at, m.seen.rank()));
        out
    }

    fn marker(&self, at_ms: i64, seen: Seen, line: usize) -> Marker {
        Marker {
            at: self.rel(at_ms),
            seen,
            line,
        }
    }

    /// `s2 WARN Follower - Exception when following the leader`.
    pub fn line_text(&self, line: usize) -> String {
        self.import.lines.get(line).map_or_else(String::new, |l| {
            let text: String = l.text.chars().take(160).collect();
            format!("s{} {} {} - {}", l.sid, l.level.name(), l.class, text)
        })
    }

    /// The lines to list at `t`: newest first, at most `max`, of server
    /// `sid` (None: all), at least `level`, containing `text` (any case).
    pub fn log_lines(
        &self,
        t: u64,
        sid: Option<u32>,
        level: Level,
        text: &str,
        max: usize,
    ) -> Vec<usize> {
        let needle = text.to_lowercase();
        let until = self.lines_until(t);
        (0..until)
            .rev()
            .filter(|&i| {
                let l: &LogLine = &self.import.lines[i];
                sid.is_none_or(|s| s == l.sid)
                    && l.level >= level
                    && (needle.is_empty() || l.text.to_lowercase().contains(&needle))
            })
            .take(max)
            .collect()
    }
}

/// A server's phases with the crashes and pauses the core inferred laid
/// over them: down (or paused) from the episode's start to its end (or
/// the end of the logs), then what the lines said again.
fn with_faults(mut ph: Vec<Phase>, sid: u32, eps: &[Episode]) -> Vec<Phase> {
    for e in eps.iter().filter(|e| e.sid == sid) {
        let (down, paused) = match e.fault {
            Fault::Crash => (true, false),
            Fault::Pause => (false, true),
            Fault::Partition => continue,
        };
        let until = e.until.unwrap_or(u64::MAX);
        // What the lines said when it ended.
        let i = ph.partition_point(|p| p.at <= until);
        let after = i.checked_sub(1).map(|i| Phase { at: until, ..ph[i] });
        ph.retain(|p| p.at < e.from || p.at > until);
        let mut fault = Phase {
            at: e.from,
            up: !down,
            paused,
            ..ph[..ph.partition_point(|p| p.at <= e.from)]
                .last()
                .copied()
                .unwrap_or(Phase {
                    at: 0,
                    up: true,
                    paused: false,
                    state: None,
                    zab: None,
                    sync: None,
                })
        };
        if down {
            (fault.state, fault.zab, fault.sync) = (None, None, None);
        }
        let at = ph.partition_point(|p| p.at < e.from);
        ph.insert(at, fault);
        if let Some(a) = after.filter(|_| e.until.is_some()) {
            let at = ph.partition_point(|p| p.at <= until);
            if ph.get(at).is_none_or(|n| n.at != until) {
                ph.insert(at, a);
            }
        }
    }
    ph
}

/// A corrected epoch-ms time as ZooKeeper's layout prints it, in UTC:
/// `2026-12-06 11:19:49,713`.
pub fn wall(ms: i64) -> String {
    zablab_core::import::line::format_stamp(ms)
}

#[cfg(test)]
pub(crate) mod tests;
