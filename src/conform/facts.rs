//! What a run shows, in one vocabulary for both sides: the real
//! ensemble's and the simulator's [`Outcome`], and the derivation of its
//! protocol facts (leaders and epochs, time without a leader, each
//! learner's sync) from log lines.
//!
//! Contract: both sides' logs are read by the same code. The simulator
//! prints ZooKeeper's own log lines; a real log (log4j, `%d{ISO8601} -
//! %-5p [%t:%C{1}@%L] - %m%n`, UTC) is parsed into the same [`Line`]
//! ([`parse_log`]). [`derive`] then finds, in either, `Have quorum of
//! supporters … 0x<epoch>00000000` (a leader established),
//! `Synchronizing with Learner sid: N` and the leader's decision lines
//! (`Using committedLog`, `Use txnlog and committedLog`, `Cannot send
//! TRUNC`, `txnLogSyncEnabled=false`), the learner's `Getting a diff`,
//! `Getting a snapshot`, `Truncating log`, and what ended a leader
//! (`Shutdown called`, a follower's `Exception when following the
//! leader`, a crash or pause). Never runs anything; reads no file.

use std::collections::BTreeMap;

use serde::Serialize;

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

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-12-06 09:50:06,123` (UTC) as ms since the Unix epoch.
fn parse_stamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 23 || b[4] != b'-' || b[10] != b' ' || b[19] != b',' {
        return None;
    }
    let n = |a: usize, z: usize| s.get(a..z)?.parse::<i64>().ok();
    let days = days_from_civil(n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let secs = days * 86_400 + n(11, 13)? * 3600 + n(14, 16)? * 60 + n(17, 19)?;
    Some(secs * 1000 + n(20, 23)?)
}

/// A real server's log (`%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`) as
/// lines at ms from `t0_epoch_ms`. Continuation lines (stack traces) are
/// dropped.
pub fn parse_log(text: &str, sid: u32, t0_epoch_ms: i64) -> Vec<Line> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let Some(stamp) = parse_stamp(raw) else {
            continue;
        };
        let rest = &raw[23..];
        let Some(rest) = rest.strip_prefix(" - ") else {
            continue;
        };
        let (level, rest) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix('[') else {
            continue;
        };
        // The thread name may hold ':' and ']': the logger ends at the
        // first `@<digits>] - `.
        let mut found = None;
        for (i, _) in rest.match_indices("] - ") {
            let head = &rest[..i];
            if let Some(at) = head.rfind('@') {
                if head[at + 1..].chars().all(|c| c.is_ascii_digit()) {
                    let colon = head[..at].rfind(':').map_or(0, |c| c + 1);
                    found = Some((head[colon..at].to_string(), &rest[i + 4..]));
                    break;
                }
            }
        }
        let Some((class, text)) = found else {
            continue;
        };
        out.push(Line {
            at_ms: stamp - t0_epoch_ms,
            sid,
            level: level.to_string(),
            class,
            text: text.to_string(),
        });
    }
    out
}

/// `0x…` after `marker` in `text`, as a number.
fn hex_after(text: &str, marker: &str) -> Option<u64> {
    let at = text.find(marker)? + marker.len();
    let s = text[at..].trim_start().trim_start_matches("0x");
    let end = s.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(s.len());
    u64::from_str_radix(&s[..end], 16).ok()
}

/// The epoch a `Have quorum of supporters … 0x<epoch>00000000` line
/// establishes.
pub fn epoch_of(text: &str) -> Option<u32> {
    hex_after(text, "setting last processed zxid:").map(|z| (z >> 32) as u32)
}

/// `text` names `peer sid: N` for exactly this N.
fn names_peer(text: &str, sid: u32) -> bool {
    names_sid(text, "peer sid: ", sid) || names_sid(text, "peer sid:", sid)
}

fn names_sid(text: &str, marker: &str, sid: u32) -> bool {
    let want = format!("{marker}{sid}");
    text.match_indices(&want).any(|(i, _)| {
        !text[i + want.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// Leaders, gaps and syncs from both sides' lines (sorted by time) and
/// the faults done; key lines kept.
pub fn derive(out: &mut Outcome, lines: &[Line]) {
    out.leaders = lines
        .iter()
        .filter(|l| l.text.starts_with("Have quorum of supporters"))
        .filter_map(|l| {
            let z = hex_after(&l.text, "setting last processed zxid:")?;
            Some(Leader {
                sid: l.sid,
                epoch: (z >> 32) as u32,
                at_ms: l.at_ms,
            })
        })
        .collect();
    out.first_leader_ms = out.leaders.first().map(|l| l.at_ms);
    out.gaps = gaps(&out.leaders, lines, &out.faults);
    out.syncs = syncs(lines);
    out.key_lines = lines.iter().filter(|l| is_key(&l.text)).cloned().collect();
}

fn gaps(leaders: &[Leader], lines: &[Line], faults: &[Fault]) -> Vec<Gap> {
    let mut out = Vec::new();
    for (k, pair) in leaders.windows(2).enumerate() {
        let (old, new) = (&pair[0], &pair[1]);
        let window = |t: i64| t >= old.at_ms && t <= new.at_ms;
        let mut ends: Vec<(i64, String)> = Vec::new();
        if let Some(f) = faults.iter().find(|f| {
            f.sid == old.sid && window(f.at_ms) && (f.kind == "crash" || f.kind == "pause")
        }) {
            ends.push((f.at_ms, format!("s{} {}", f.sid, f.kind)));
        }
        for l in lines.iter().filter(|l| window(l.at_ms)) {
            if l.sid == old.sid && l.text.starts_with("Shutdown called") {
                ends.push((l.at_ms, format!("s{} Shutdown called", l.sid)));
            }
            if l.sid != old.sid && l.text.starts_with("Exception when following the leader") {
                ends.push((l.at_ms, format!("s{} lost its leader", l.sid)));
            }
        }
        if let Some((lost, why)) = ends.into_iter().min() {
            out.push(Gap {
                next: k + 1,
                lost_ms: lost,
                ms: new.at_ms - lost,
                why,
            });
        }
    }
    out
}

fn syncs(lines: &[Line]) -> Vec<SyncFact> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let mode = if l.text.starts_with("Getting a diff") {
            "DIFF"
        } else if l.text.starts_with("Getting a snapshot") {
            "SNAP"
        } else if l.text.starts_with("Truncating log") {
            "TRUNC"
        } else {
            continue;
        };
        let learner = l.sid;
        // The leader's lines up to the learner's millisecond: two logs'
        // lines of one millisecond sort in no causal order.
        let end = i + lines[i..].iter().take_while(|x| x.at_ms == l.at_ms).count();
        let start = lines[..end].iter().rposition(|x| {
            x.sid != learner
                && x.text.starts_with("Synchronizing with Learner sid:")
                && names_sid(&x.text, "Learner sid: ", learner)
        });
        let (leader, how) = match start {
            Some(s) => {
                let leader = lines[s].sid;
                let said = |p: &str| {
                    lines[s..end].iter().any(|x| {
                        x.sid == leader && x.text.contains(p) && names_peer(&x.text, learner)
                    })
                };
                let gap = lines[s..end].iter().any(|x| {
                    x.sid == leader && x.text.starts_with("Detected gap between end of txnlog")
                });
                let how = if said("Cannot send TRUNC") {
                    "TRUNC refused across epochs"
                } else if said("txnLogSyncEnabled=false") {
                    "txn-log sync off"
                } else if said("Use txnlog and committedLog") && gap {
                    "gap between txn log and committedLog"
                } else if said("Use txnlog and committedLog") {
                    "txn log + committedLog"
                } else if said("Using committedLog") {
                    "committedLog"
                } else if said("Unhandled scenario") {
                    "fallback"
                } else {
                    ""
                };
                (leader, how.to_string())
            }
            None => (0, String::new()),
        };
        out.push(SyncFact {
            learner,
            leader,
            epoch: term_epoch(lines, leader, l.at_ms),
            mode: mode.to_string(),
            how,
            at_ms: l.at_ms,
        });
    }
    out
}

/// The epoch of `leader`'s term around `t`: its first `Have quorum`
/// after its last `LEADING` at or before `t`.
fn term_epoch(lines: &[Line], leader: u32, t: i64) -> Option<u32> {
    let start = lines
        .iter()
        .filter(|x| x.sid == leader && x.at_ms <= t && x.text == "LEADING")
        .map(|x| x.at_ms)
        .next_back()?;
    lines
        .iter()
        .filter(|x| x.sid == leader && x.at_ms >= start)
        .take_while(|x| x.text != "LEADING" || x.at_ms == start)
        .find(|x| x.text.starts_with("Have quorum of supporters"))
        .and_then(|x| hex_after(&x.text, "setting last processed zxid:"))
        .map(|z| (z >> 32) as u32)
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
        let t0 = parse_stamp("2026-11-25 02:47:40,000").unwrap();
        let lines = parse_log(REAL, 2, t0);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].at_ms, 1380);
        assert_eq!(lines[0].class, "Leader");
        assert_eq!(lines[1].class, "Learner$LeaderConnector");
        assert_eq!(lines[2].level, "WARN");
        assert!(lines[2].text.starts_with("Cannot send TRUNC"));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            parse_stamp("2000-03-01 00:00:00,000"),
            Some(951_868_800_000)
        );
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
