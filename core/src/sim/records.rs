//! What a run shows and leaves behind: each server as the UI and the CLI
//! see it (`ServerView`), the records of leaders, syncs, writes, reads,
//! four-letter words, fired watches, recipe views and hazards, the
//! servers' log, and the `zablab run --json` summary (`RunSummary`).
//!
//! Contract: read-only, and the vocabulary every other part of `sim`
//! writes its records in (this file imports none of them, so no sibling
//! depends on a sibling through it). These types are the JSON contract of
//! `zablab run --json` (`docs/SCENARIO.md`): a field is never renamed or
//! dropped. Nothing here changes a run.

use serde::Serialize;

use super::{Node, Role, Simulation};
use crate::checks::Violation;
use crate::proto::{Sid, SyncMode};
use crate::scenario::RealLine;
use crate::seq::Seq;
use crate::server::Level;
use crate::zxid::Zxid;

/// What the UI and the CLI may read of one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    pub sid: u32,
    pub role: Role,
    pub up: bool,
    pub paused: bool,
    /// LOOKING/FOLLOWING/LEADING/OBSERVING, or DOWN.
    pub state: String,
    pub zab_state: String,
    pub sync_mode: String,
    pub peer_state: String,
    /// Answers clients now: running, not paused (a paused process answers
    /// nothing, whatever its ZooKeeperServer's state), and serving.
    pub serving: bool,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    pub last_zxid: Zxid,
    pub log_len: usize,
}

/// An action that could not be done when its time came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    pub at_ms: u64,
    pub action: &'static str,
    pub error: String,
}

/// A leader that became established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaderRecord {
    pub sid: Sid,
    pub epoch: u32,
    pub established_ms: u64,
}

/// A server's process that stopped: killed (`kill -9`, or an exit, which
/// is handled like one) or its machine's power lost. The diagnosis reads
/// these rather than the log lines, which roll away in a long run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StopRecord {
    pub(crate) sid: Sid,
    pub(crate) at_ms: u64,
    pub(crate) power_loss: bool,
}

/// A learner's sync with a leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRecord {
    pub learner: Sid,
    pub leader: Sid,
    pub mode: SyncMode,
    pub at_ms: u64,
}

/// The outcome of one client write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteRecord {
    pub client: String,
    pub op: &'static str,
    pub path: String,
    pub zxid: Option<Zxid>,
    pub result: String,
    pub at_ms: u64,
}

/// A read and what it saw (`zxid`: the answering server's last processed
/// zxid, so a stale read shows as a zxid below the leader's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadRecord {
    pub client: String,
    pub server: Sid,
    pub op: &'static str,
    pub path: String,
    pub zxid: Zxid,
    pub result: String,
    pub data: Option<String>,
    pub version: i32,
    pub children: Vec<String>,
    pub at_ms: u64,
}

/// A four-letter word and its verbatim answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FourLwRecord {
    pub server: Sid,
    pub cmd: String,
    pub at_ms: u64,
    pub output: String,
}

/// One line of a server's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub at_ms: u64,
    pub sid: Sid,
    pub level: Level,
    pub class: &'static str,
    pub text: String,
}

impl LogEntry {
    /// `time LEVEL [myid:N Class] message`, ZooKeeper's layout simplified.
    pub fn render(&self) -> String {
        format!(
            "{:>9} {:<5} [myid:{} {}] - {}",
            fmt_ms(self.at_ms),
            self.level.name(),
            self.sid,
            self.class,
            self.text
        )
    }
}

impl LogEntry {
    /// Whether this simulated line is the counterpart of a real server's
    /// line: same server, level and class, and the same text once zxids
    /// (hex) are masked. Decimal numbers (sids, counts) must agree: a
    /// `peer sid: 5` line is not the counterpart of a `peer sid: 3` one.
    pub fn matches_real(&self, real: &RealLine) -> bool {
        real.unmodelled.is_none()
            && self.sid == real.sid
            && self.level.name() == real.level
            && self.class == real.class
            && mask_hex(&self.text) == mask_hex(&real.text)
    }
}

/// Each real line's simulated counterpart in `log` (oldest first), or
/// `None` (not logged yet, or `unmodelled`). A server's lines are paired in
/// order: each is searched for after the previous match of that server, so
/// two real lines of the same shape find two simulated ones.
pub fn pair_real_lines<'a>(
    log: impl Iterator<Item = &'a LogEntry>,
    real: &[RealLine],
) -> Vec<Option<&'a LogEntry>> {
    let log: Vec<&LogEntry> = log.collect();
    // Per real line's server: the index after its last match.
    let mut from: Vec<(Sid, usize)> = Vec::new();
    real.iter()
        .map(|r| {
            let start = from.iter().find(|f| f.0 == r.sid).map_or(0, |f| f.1);
            let i = (start..log.len()).find(|&i| log[i].matches_real(r))?;
            match from.iter_mut().find(|f| f.0 == r.sid) {
                Some(f) => f.1 = i + 1,
                None => from.push((r.sid, i + 1)),
            }
            Some(log[i])
        })
        .collect()
}

/// `text` with each hex number (`0x…`) as `0x#`.
pub fn mask_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '0' && chars.peek() == Some(&'x') {
            chars.next();
            out.push_str("0x#");
            while chars.next_if(|d| d.is_ascii_hexdigit()).is_some() {}
        } else {
            out.push(c);
        }
    }
    out
}

fn fmt_ms(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// What a recipe client sees, for the UI, the CLI and the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipeView {
    pub client: String,
    pub recipe: &'static str,
    pub path: String,
    /// In plain words: "holds the lock since 12.3 s", "waits behind ...".
    pub status: String,
    /// Believes it holds the lock / leads.
    pub holds: bool,
    pub node: Option<String>,
    /// group/barrier members seen (names), config value seen.
    pub members: Vec<String>,
    pub data: Option<String>,
    pub passed: bool,
    pub times_acquired: u64,
}

/// Something ZooKeeper allows that a user should know about: not a
/// violation of ZooKeeper's guarantees, but a trap for the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: &'static str,
    pub at_ms: u64,
    pub clients: Vec<String>,
    pub detail: String,
}

/// A fired watch, as the client received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchRecord {
    pub client: String,
    pub server: Sid,
    pub event: &'static str,
    pub path: String,
    pub zxid: Zxid,
    pub at_ms: u64,
}

/// The `zablab run --json` summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub end_ms: u64,
    pub events: u64,
    pub trace_hash: String,
    pub servers: Vec<ServerView>,
    pub leaders: Vec<LeaderRecord>,
    pub syncs: Vec<SyncRecord>,
    pub writes: Vec<WriteRecord>,
    pub reads: Vec<ReadRecord>,
    pub fourlw: Vec<FourLwRecord>,
    pub violations: Vec<Violation>,
    pub action_errors: Vec<ActionReport>,
    /// What ZooKeeper allows but an application must know (lock holders
    /// whose session expired, a sync+read under a deposed leader).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hazards: Vec<Hazard>,
    /// Each recipe client's view at the end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipes: Vec<RecipeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<WatchRecord>,
}

impl Simulation {
    pub fn servers(&self) -> Vec<ServerView> {
        self.nodes.iter().map(|n| self.view(n)).collect()
    }

    pub fn server(&self, sid: u32) -> Option<ServerView> {
        self.node(sid).map(|n| self.view(n))
    }

    pub fn action_errors(&self) -> &[ActionReport] {
        &self.action_errors
    }

    pub fn violations(&self) -> &[Violation] {
        &self.checker.violations
    }

    pub fn log(&self) -> &Seq<LogEntry, 64> {
        &self.log
    }

    pub fn syncs(&self) -> &[SyncRecord] {
        &self.syncs
    }

    pub fn leaders(&self) -> &[LeaderRecord] {
        &self.leaders
    }

    pub fn writes(&self) -> &[WriteRecord] {
        &self.writes
    }

    /// Load requests answered, per client name.
    pub fn load_done(&self) -> Vec<(String, u64)> {
        self.clients
            .iter()
            .filter(|c| c.load_done > 0)
            .map(|c| (c.name.clone(), c.load_done))
            .collect()
    }

    /// The reads answered so far (what each saw), oldest first.
    pub fn reads(&self) -> &[ReadRecord] {
        &self.reads
    }

    /// The answers of the `4lw` actions so far.
    pub fn fourlw_records(&self) -> &[FourLwRecord] {
        &self.fourlw
    }

    /// Hazards seen so far (not violations: ZooKeeper allows them).
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    /// Watches fired so far, as clients received them.
    pub fn watch_events(&self) -> &[WatchRecord] {
        &self.watch_events
    }

    /// The summary `zablab run --json` prints.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            end_ms: self.now_ms,
            events: self.events,
            trace_hash: format!("0x{:016x}", self.trace_hash()),
            servers: self.servers(),
            leaders: self.leaders.clone(),
            syncs: self.syncs.clone(),
            writes: self.writes.clone(),
            reads: self.reads.clone(),
            fourlw: self.fourlw.clone(),
            violations: self.checker.violations.clone(),
            action_errors: self.action_errors.clone(),
            hazards: self.hazards.clone(),
            recipes: self.recipe_views(),
            watches: self.watch_events.clone(),
        }
    }

    fn view(&self, n: &Node) -> ServerView {
        let s = &n.server;
        let running = n.up && s.running;
        ServerView {
            sid: n.sid,
            role: n.role,
            up: n.up,
            paused: n.paused_until.is_some(),
            state: if running {
                s.state.name().to_string()
            } else {
                "DOWN".to_string()
            },
            zab_state: if running {
                s.zab_state.name().to_string()
            } else {
                String::new()
            },
            sync_mode: s.sync_mode.name().to_string(),
            peer_state: if running {
                s.detailed_peer_state()
            } else {
                String::new()
            },
            serving: running && n.paused_until.is_none() && s.serving,
            accepted_epoch: s.accepted_epoch(),
            current_epoch: s.current_epoch(),
            last_zxid: s.tree.last_processed_zxid,
            log_len: s.disk.log.len(),
        }
    }
}

#[cfg(test)]
mod real_line_tests {
    use super::mask_hex;

    #[test]
    fn zxids_are_masked_and_sids_kept() {
        assert_eq!(
            mask_hex("Got zxid 0x10000000c expected 0x1"),
            "Got zxid 0x# expected 0x#"
        );
        assert_eq!(
            mask_hex("sids: [[1, 4, 5]]; zxid: 0x300000000"),
            "sids: [[1, 4, 5]]; zxid: 0x#"
        );
        assert_ne!(
            mask_hex("Sending DIFF zxid=0x200000010  for peer sid: 1"),
            mask_hex("Sending DIFF zxid=0x20000000d  for peer sid: 4")
        );
    }
}
