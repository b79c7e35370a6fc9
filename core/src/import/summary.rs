//! The protocol facts of a run from its log lines: leaders and epochs
//! (`Have quorum of supporters … 0x<epoch>00000000`), each learner's sync
//! (its `Getting a diff` / `Getting a snapshot` / `Truncating log`, the
//! leader from the latest `Synchronizing with Learner sid: N` up to the
//! learner's millisecond, the reason from the leader's lines, the epoch
//! from the leader's term), and the time without a leader.
//!
//! Contract: one derivation for every side: an import ([`summary`]) and the
//! conform layer's real and simulated runs (`src/conform/facts.rs` calls
//! [`leaders`], [`syncs`], [`gaps`] over its own lines through
//! [`FactLine`]). Lines must be in time order. Pure; never panics.

use super::events::hex_after;
use super::model::{GapFact, Import, LeaderFact, LogLine, Summary, SyncFact, SyncMode};

/// What the derivation reads of a line.
pub trait FactLine {
    fn at_ms(&self) -> i64;
    fn sid(&self) -> u32;
    fn text(&self) -> &str;
}

impl FactLine for LogLine {
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

/// A server ended from outside the logs (the conform driver's crash or
/// pause), for [`gaps`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub at_ms: i64,
    pub sid: u32,
    /// `crash` or `pause`.
    pub kind: String,
}

/// The epoch a `Have quorum of supporters … 0x<epoch>00000000` line
/// establishes.
pub fn epoch_of(text: &str) -> Option<u32> {
    hex_after(text, "setting last processed zxid:").map(|z| (z >> 32) as u32)
}

/// `text` names `marker` followed by exactly `sid` (not a longer number).
fn names_sid(text: &str, marker: &str, sid: u32) -> bool {
    let want = format!("{marker}{sid}");
    text.match_indices(&want).any(|(i, _)| {
        !text[i + want.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// `peer sid: N` or `peer sid:N` for exactly this N.
fn names_peer(text: &str, sid: u32) -> bool {
    names_sid(text, "peer sid: ", sid) || names_sid(text, "peer sid:", sid)
}

/// Every leader established, in line order.
pub fn leaders<L: FactLine>(lines: &[L]) -> Vec<LeaderFact> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.text().starts_with("Have quorum of supporters"))
        .filter_map(|(i, l)| {
            Some(LeaderFact {
                sid: l.sid(),
                epoch: epoch_of(l.text())?,
                established_ms: l.at_ms(),
                line: i,
            })
        })
        .collect()
}

/// Time without a leader before each leader after the first: from what
/// ended the one before (a crash or pause given, its `Shutdown called`, a
/// learner's `Exception when following the leader`) to the next one.
pub fn gaps<L: FactLine>(leaders: &[LeaderFact], lines: &[L], ended: &[Ended]) -> Vec<GapFact> {
    let mut out = Vec::new();
    for (k, pair) in leaders.windows(2).enumerate() {
        let (old, new) = (&pair[0], &pair[1]);
        let window = |t: i64| t >= old.established_ms && t <= new.established_ms;
        let mut ends: Vec<(i64, String)> = Vec::new();
        if let Some(f) = ended.iter().find(|f| {
            f.sid == old.sid && window(f.at_ms) && (f.kind == "crash" || f.kind == "pause")
        }) {
            ends.push((f.at_ms, format!("s{} {}", f.sid, f.kind)));
        }
        // Lines are in time order: the window is one slice.
        let lo = lines.partition_point(|l| l.at_ms() < old.established_ms);
        let hi = lines.partition_point(|l| l.at_ms() <= new.established_ms);
        for l in lines[lo..hi.max(lo)].iter().filter(|l| window(l.at_ms())) {
            if l.sid() == old.sid && l.text().starts_with("Shutdown called") {
                ends.push((l.at_ms(), format!("s{} Shutdown called", l.sid())));
            }
            if l.sid() != old.sid && l.text().starts_with("Exception when following the leader") {
                ends.push((l.at_ms(), format!("s{} lost its leader", l.sid())));
            }
        }
        if let Some((lost, why)) = ends.into_iter().min() {
            out.push(GapFact {
                next: k + 1,
                lost_ms: lost,
                ms: new.established_ms - lost,
                why,
            });
        }
    }
    out
}

/// The leader's reason for a learner's sync, in `facts.rs`'s words.
fn how<L: FactLine>(lines: &[L], leader: u32, learner: u32) -> &'static str {
    let said = |p: &str| {
        lines
            .iter()
            .any(|x| x.sid() == leader && x.text().contains(p) && names_peer(x.text(), learner))
    };
    let gap = lines
        .iter()
        .any(|x| x.sid() == leader && x.text().starts_with("Detected gap between end of txnlog"));
    if said("Cannot send TRUNC") {
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
    }
}

/// Where each server's terms are: its `LEADING` and `Have quorum` lines.
struct Terms {
    /// Line indices of `Synchronizing with Learner sid:` lines.
    sync_starts: Vec<usize>,
    /// Per sid: line indices of its `LEADING` and its `Have quorum` lines.
    leading: std::collections::BTreeMap<u32, Vec<usize>>,
    quorum: std::collections::BTreeMap<u32, Vec<usize>>,
}

impl Terms {
    fn new<L: FactLine>(lines: &[L]) -> Terms {
        let mut t = Terms {
            sync_starts: Vec::new(),
            leading: Default::default(),
            quorum: Default::default(),
        };
        for (i, l) in lines.iter().enumerate() {
            let x = l.text();
            if x.starts_with("Synchronizing with Learner sid:") {
                t.sync_starts.push(i);
            } else if x == "LEADING" {
                t.leading.entry(l.sid()).or_default().push(i);
            } else if x.starts_with("Have quorum of supporters") {
                t.quorum.entry(l.sid()).or_default().push(i);
            }
        }
        t
    }

    /// The epoch of `leader`'s term around `t`: its first `Have quorum`
    /// after its last `LEADING` at or before `t` (and before its next
    /// `LEADING` of another millisecond).
    fn epoch<L: FactLine>(&self, lines: &[L], leader: u32, t: i64) -> Option<u32> {
        let leading = self.leading.get(&leader)?;
        let k = leading.partition_point(|&i| lines[i].at_ms() <= t);
        let start = lines[*leading.get(k.checked_sub(1)?)?].at_ms();
        // The first of the leader's lines at or after `start`, in line order.
        let first = leading
            .iter()
            .chain(self.quorum.get(&leader).into_iter().flatten())
            .copied()
            .filter(|&i| lines[i].at_ms() >= start)
            .min()?;
        let stop = leading
            .iter()
            .copied()
            .find(|&i| i >= first && lines[i].at_ms() != start)
            .unwrap_or(usize::MAX);
        let quorum = self.quorum.get(&leader)?;
        let q = quorum[quorum.partition_point(|&i| i < first)..]
            .first()
            .copied()
            .filter(|&i| i < stop)?;
        epoch_of(lines[q].text())
    }
}

/// Each learner's sync (see the module doc).
pub fn syncs<L: FactLine>(lines: &[L]) -> Vec<SyncFact> {
    let terms = Terms::new(lines);
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.text();
        let mode = if t.starts_with("Getting a diff") {
            SyncMode::Diff
        } else if t.starts_with("Getting a snapshot") {
            SyncMode::Snap
        } else if t.starts_with("Truncating log") {
            SyncMode::Trunc
        } else {
            continue;
        };
        let learner = l.sid();
        // The leader's lines up to the learner's millisecond: two logs'
        // lines of one millisecond sort in no causal order.
        let end = i + lines[i..]
            .iter()
            .take_while(|x| x.at_ms() == l.at_ms())
            .count();
        let before = terms.sync_starts.partition_point(|&s| s < end);
        let start = terms.sync_starts[..before]
            .iter()
            .rev()
            .copied()
            .find(|&s| {
                lines[s].sid() != learner && names_sid(lines[s].text(), "Learner sid: ", learner)
            });
        let (leader, how) = match start {
            Some(s) => {
                let leader = lines[s].sid();
                (leader, how(&lines[s..end], leader, learner).to_string())
            }
            None => (0, String::new()),
        };
        out.push(SyncFact {
            learner,
            leader,
            epoch: terms.epoch(lines, leader, l.at_ms()),
            mode,
            how,
            at_ms: l.at_ms(),
            line: i,
        });
    }
    out
}

/// Leaders, syncs and gaps of an import (no faults but what the logs say).
pub fn summary(imp: &Import) -> Summary {
    let leaders = leaders(&imp.lines);
    let gaps = gaps(&leaders, &imp.lines, &[]);
    Summary {
        syncs: syncs(&imp.lines),
        leaders,
        gaps,
    }
}

#[cfg(test)]
mod tests;
