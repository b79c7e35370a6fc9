//! What a run shows, in one vocabulary for both sides: the real
//! ensemble's and the simulator's [`Outcome`], and the derivation of its
//! protocol facts (leaders and epochs, time without a leader, each
//! learner's sync) from log lines.
//!
//! Contract: both sides' logs are read by the same code, and by the same
//! code as `zablab import`. The simulator prints ZooKeeper's own log lines;
//! a real log (log4j, `%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`, UTC) is
//! parsed into the same [`Line`] ([`parse_log`], the core's line grammar
//! `zablab_core::import::line`). [`derive`] (the core's
//! `zablab_core::import::summary`) then finds, in either, `Have quorum of
//! supporters … 0x<epoch>00000000` (a leader established),
//! `Synchronizing with Learner sid: N` and the leader's decision lines
//! (`Using committedLog`, `Use txnlog and committedLog`, `Cannot send
//! TRUNC`, `txnLogSyncEnabled=false`), the learner's `Getting a diff`,
//! `Getting a snapshot`, `Truncating log`, and what ended a leader
//! (`Shutdown called`, a follower's `Exception when following the
//! leader`, a crash or pause). Never runs anything; reads no file.

use std::collections::BTreeMap;

use serde::Serialize;
use zablab_core::import::line;
pub use zablab_core::import::summary::epoch_of;
use zablab_core::import::summary::{self, Ended, FactLine};

/// One server log line, at ms from the run's time 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub at_ms: i64,
    pub sid: u32,
    pub level: String,
    pub class: String,
    pub text: String,
}

impl Line {
    pub fn render(&self) -> String {
        format!(
            "{:>9} s{} {:<5} {} - {}",
            fmt_ms(self.at_ms),
            self.sid,
            self.level,
            self.class,
            self.text
        )
    }
}

pub fn fmt_ms(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// A write's answer (create, setData, delete, multi, closeSession).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteRec {
    pub client: String,
    pub op: String,
    pub path: String,
    /// The reply header's zxid, `0x…`; none when no answer came.
    pub zxid: Option<String>,
    pub result: String,
    pub at_ms: u64,
}

/// A read's answer (getData, exists, getChildren, sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadRec {
    pub client: String,
    pub server: u32,
    pub op: String,
    pub path: String,
    pub zxid: String,
    pub result: String,
    pub data: Option<String>,
    pub at_ms: u64,
}

/// A leader established (`Have quorum of supporters`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leader {
    pub sid: u32,
    pub epoch: u32,
    pub at_ms: i64,
}

/// Time without a leader before leader `next` (an index in `leaders`):
/// from what ended the leader before it to `next`'s establishment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub next: usize,
    pub lost_ms: i64,
    pub ms: i64,
    pub why: String,
}

/// A learner's sync: mode from its own line, leader and reason from the
/// leader's lines, epoch from the leader's term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncFact {
    pub learner: u32,
    pub leader: u32,
    pub epoch: Option<u32>,
    pub mode: String,
    pub how: String,
    pub at_ms: i64,
}

/// A four-letter word's answer (none: nothing answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FourLw {
    pub action: usize,
    pub server: u32,
    pub cmd: String,
    pub at_ms: i64,
    pub output: Option<String>,
}

/// A server at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndState {
    pub sid: u32,
    /// `leader`/`follower`/`observer`, `not serving`, `paused` or `down`.
    pub mode: String,
    pub zxid: Option<String>,
    pub znodes: Option<u64>,
    pub digest_mismatches: Option<u64>,
}

/// One znode of a server's final tree (the `/zookeeper` subtree left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    pub path: String,
    pub data: String,
    pub czxid: String,
    pub mzxid: String,
}

/// A fault as done: crash, pause, resume, restart, start (for gaps and
/// the timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    pub at_ms: i64,
    pub sid: u32,
    pub kind: String,
}

/// Everything one side showed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub side: String,
    pub leaders: Vec<Leader>,
    pub first_leader_ms: Option<i64>,
    pub gaps: Vec<Gap>,
    pub syncs: Vec<SyncFact>,
    pub writes: Vec<WriteRec>,
    pub reads: Vec<ReadRec>,
    pub fourlw: Vec<FourLw>,
    pub ends: Vec<EndState>,
    pub trees: BTreeMap<u32, Vec<TreeNode>>,
    pub faults: Vec<Fault>,
    pub key_lines: Vec<Line>,
    pub notes: Vec<String>,
}

/// The lines worth showing side by side (prefixes of the message).
pub const KEY_LINES: &[&str] = &[
    "LEADING",
    "FOLLOWING",
    "OBSERVING",
    "Have quorum of supporters",
    "Synchronizing with Learner sid",
    "Using committedLog for peer",
    "Use txnlog and committedLog for peer",
    "Cannot send TRUNC",
    "Unhandled scenario",
    "Sending DIFF",
    "Sending snapshot",
    "Getting a diff",
    "Getting a snapshot",
    "Truncating log",
    "Shutdown called",
    "Exception when following the leader",
    "Got zxid",
    "Digests are not matching",
    "First digest mismatch",
    "Expiring session",
];

pub fn is_key(text: &str) -> bool {
    KEY_LINES.iter().any(|k| text.starts_with(k))
}

/// A real server's log (`%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`, or
/// with `[myid:N]`) as lines at ms from `t0_epoch_ms`, read by the core's
/// line grammar (`zablab_core::import::line`, the one `zablab import`
/// uses). Continuation lines (stack traces) are dropped.
pub fn parse_log(text: &str, sid: u32, t0_epoch_ms: i64) -> Vec<Line> {
    text.lines()
        .filter_map(line::parse_line)
        .map(|p| Line {
            at_ms: p.ms - t0_epoch_ms,
            sid,
            level: p.level.name().to_string(),
            class: p.class.to_string(),
            text: p.text.to_string(),
        })
        .collect()
}

impl FactLine for Line {
    fn at_ms(&self) -> i64 {
        self.at_ms
    }
    fn sid(&self) -> u32 {
        self.sid
    }
    fn text(&self) -> &str {
        &self.text
    }
}

/// Each learner's sync by the core's derivation (`import::summary::syncs`).
fn syncs(lines: &[Line]) -> Vec<SyncFact> {
    summary::syncs(lines)
        .into_iter()
        .map(|y| SyncFact {
            learner: y.learner,
            leader: y.leader,
            epoch: y.epoch,
            mode: y.mode.name().to_string(),
            how: y.how,
            at_ms: y.at_ms,
        })
        .collect()
}

/// Leaders, gaps and syncs from both sides' lines (sorted by time) and
/// the faults done, by the same derivation as `zablab import`
/// (`zablab_core::import::summary`); key lines kept.
pub fn derive(out: &mut Outcome, lines: &[Line]) {
    let leaders = summary::leaders(lines);
    let ended: Vec<Ended> = out
        .faults
        .iter()
        .map(|f| Ended {
            at_ms: f.at_ms,
            sid: f.sid,
            kind: f.kind.clone(),
        })
        .collect();
    out.gaps = summary::gaps(&leaders, lines, &ended)
        .into_iter()
        .map(|g| Gap {
            next: g.next,
            lost_ms: g.lost_ms,
            ms: g.ms,
            why: g.why,
        })
        .collect();
    out.leaders = leaders
        .into_iter()
        .map(|l| Leader {
            sid: l.sid,
            epoch: l.epoch,
            at_ms: l.established_ms,
        })
        .collect();
    out.first_leader_ms = out.leaders.first().map(|l| l.at_ms);
    out.syncs = syncs(lines);
    out.key_lines = lines.iter().filter(|l| is_key(&l.text)).cloned().collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &str = "\
2026-11-25 02:47:41,380 - INFO  [QuorumPeer[myid=2](plain=127.0.0.1:21812)(secure=disabled):Leader@1519] - Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000
2026-11-25 02:47:41,238 - INFO  [LeaderConnector-/127.0.0.1:28882:Learner$LeaderConnector@384] - Successfully connected to leader, using address: /127.0.0.1:28882
java.lang.Exception: a stack trace line
2026-11-25 02:49:20,666 - WARN  [LearnerHandler-/127.0.0.1:58074:LearnerHandler@1001] - Cannot send TRUNC to peer sid: 3 peer zxid is from different epoch
";

    #[test]
    fn a_real_log_parses_into_lines() {
        let t0 = line::parse_stamp("2026-11-25 02:47:40,000").unwrap();
        let lines = parse_log(REAL, 2, t0);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].at_ms, 1380);
        assert_eq!(lines[0].class, "Leader");
        assert_eq!(lines[1].class, "Learner$LeaderConnector");
        assert_eq!(lines[2].level, "WARN");
        assert!(lines[2].text.starts_with("Cannot send TRUNC"));
    }

    fn line(at: i64, sid: u32, text: &str) -> Line {
        Line {
            at_ms: at,
            sid,
            level: "INFO".into(),
            class: "X".into(),
            text: text.into(),
        }
    }

    #[test]
    fn syncs_take_the_leader_its_reason_and_its_term() {
        let lines = vec![
            line(0, 5, "LEADING"),
            line(10, 5, "Synchronizing with Learner sid: 1 maxCommittedLog=0x1"),
            line(11, 5, "Synchronizing with Learner sid: 12 maxCommittedLog=0x1"),
            line(12, 5, "Use txnlog and committedLog for peer sid: 1"),
            line(13, 5, "Using committedLog for peer sid: 12"),
            line(20, 1, "Getting a diff from the leader 0x200000010"),
            line(21, 12, "Getting a diff from the leader 0x200000010"),
            line(30, 5, "Have quorum of supporters, sids: [[1, 4, 5]]; starting up and setting last processed zxid: 0x300000000"),
        ];
        let s = syncs(&lines);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].learner, s[0].leader, s[0].epoch), (1, 5, Some(3)));
        assert_eq!(s[0].how, "txn log + committedLog");
        assert_eq!(s[1].how, "committedLog");
    }

    #[test]
    fn a_sync_logged_in_the_learners_millisecond_has_its_leader_and_a_gap_is_named() {
        // Sorted by time, the learner's line of the same millisecond can
        // come before the leader's (a real run of stale-log-nothing-after-snap).
        let lines = vec![
            line(0, 5, "LEADING"),
            line(5, 5, "Have quorum of supporters, sids: [[3, 4, 5]]; starting up and setting last processed zxid: 0x100000000"),
            line(20, 1, "Getting a snapshot from leader 0x100000000"),
            line(20, 5, "Synchronizing with Learner sid: 1 maxCommittedLog=0x0"),
            line(40, 5, "Synchronizing with Learner sid: 1 maxCommittedLog=0x0"),
            line(40, 5, "Use txnlog and committedLog for peer sid: 1"),
            line(40, 5, "Detected gap between end of txnlog: 0x10000000d and start of committedLog: 0x20000000b"),
            line(41, 1, "Getting a snapshot from leader 0x20000000b"),
        ];
        let s = syncs(&lines);
        assert_eq!((s[0].learner, s[0].leader, s[0].epoch), (1, 5, Some(1)));
        assert_eq!(s[1].how, "gap between txn log and committedLog");
    }

    #[test]
    fn a_gap_runs_from_the_crash_to_the_next_leader() {
        let mut o = Outcome {
            faults: vec![Fault {
                at_ms: 1000,
                sid: 3,
                kind: "crash".into(),
            }],
            ..Outcome::default()
        };
        let lines = vec![
            line(500, 3, "Have quorum of supporters, sids: [[2, 3]]; starting up and setting last processed zxid: 0x100000000"),
            line(1050, 2, "Exception when following the leader"),
            line(1500, 2, "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x200000000"),
        ];
        derive(&mut o, &lines);
        assert_eq!(o.leaders.len(), 2);
        assert_eq!(o.gaps.len(), 1);
        assert_eq!((o.gaps[0].lost_ms, o.gaps[0].ms), (1000, 500));
    }
}
