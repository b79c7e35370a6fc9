//! Syncs: why a learner synced with its leader the way it did
//! (`sync_diff`, `sync_snap`, `sync_trunc`), read from the leader's
//! decision line (`Synchronizing with Learner sid: … maxCommittedLog=…
//! minCommittedLog=… lastProcessedZxid=… peerLastZxid=…`, ZooKeeper's
//! `LearnerHandler.syncFollower`) and the lines that followed it for that
//! learner; see `docs/PROTOCOL.md §6`.
//!
//! Contract: one past finding per sync the run recorded, except the
//! uninteresting ones (an empty server joining an empty ensemble, a DIFF
//! with nothing to send) and a sync whose decision line is missing. Uses
//! only `evidence` of its siblings.

use super::episodes::blame_any;
use super::evidence::ms;
use crate::diagnosis::{Finding, Setting, Severity};
use crate::proto::SyncMode;
use crate::sim::{LogEntry, Simulation, SyncRecord};
use crate::zxid::Zxid;

/// The zxids of the leader's decision line.
#[derive(Clone, Copy)]
struct Window {
    /// `maxCommittedLog`
    max: Zxid,
    /// `minCommittedLog`
    min: Zxid,
    /// `lastProcessedZxid`
    lpz: Zxid,
    /// `peerLastZxid`
    peer: Zxid,
}

impl Window {
    /// The zxids of a decision line, when it has them all.
    fn parse(text: &str) -> Option<Window> {
        let field = |name: &str| -> Option<Zxid> {
            let i = text.find(&format!("{name}=0x"))?;
            let rest = &text[i + name.len() + 3..];
            let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            u64::from_str_radix(&hex, 16).ok().map(Zxid)
        };
        Some(Window {
            max: field("maxCommittedLog")?,
            min: field("minCommittedLog")?,
            lpz: field("lastProcessedZxid")?,
            peer: field("peerLastZxid")?,
        })
    }

    /// `[min, max]`
    fn range(&self) -> String {
        format!("[{}, {}]", self.min, self.max)
    }
}

/// What a sync finding says: its id, severity, the reason and the
/// settings that decided it.
type Verdict = (&'static str, Severity, String, Vec<Setting>);

impl Simulation {
    pub(super) fn diag_syncs(&self, out: &mut Vec<Finding>) {
        for y in &self.syncs {
            out.extend(self.sync_finding(y));
        }
    }

    fn sync_finding(&self, y: &SyncRecord) -> Option<Finding> {
        // The leader's decision line for this learner.
        let prefix = format!("Synchronizing with Learner sid: {} ", y.learner);
        let decision = self
            .log
            .iter()
            .rev()
            .find(|l| l.sid == y.leader && l.at_ms <= y.at_ms && l.text.starts_with(&prefix))?;
        let w = Window::parse(&decision.text)?;
        let related: Vec<&LogEntry> = self
            .log
            .iter()
            .filter(|l| {
                l.sid == y.leader
                    && l.at_ms >= decision.at_ms
                    && l.at_ms <= y.at_ms
                    && l.text.contains(&format!("peer sid: {}", y.learner))
            })
            .collect();
        let has = |s: &str| related.iter().any(|l| l.text.contains(s));
        if w.peer == Zxid::ZERO && w.max.counter() == 0 && w.lpz.counter() == 0 {
            return None; // an empty server joining an empty ensemble
        }
        let (id, severity, why, settings) = match y.mode {
            SyncMode::Diff => self.diff_verdict(w, has("Use txnlog and committedLog"))?,
            SyncMode::Trunc => trunc_verdict(w),
            SyncMode::Snap | SyncMode::None => {
                self.snap_verdict(w, has("Cannot send TRUNC"), has("txnLogSyncEnabled=false"))
            }
        };
        let mode = match y.mode {
            SyncMode::Diff => "DIFF",
            SyncMode::Trunc => "TRUNC",
            _ => "SNAP",
        };
        let mut f = Finding::new(
            id,
            severity,
            y.at_ms,
            format!(
                "Server {} synced with leader {} by {mode} at {}: {why}.",
                y.learner,
                y.leader,
                ms(y.at_ms)
            ),
        );
        f.now = false;
        f.server = Some(y.learner);
        f.servers = vec![y.learner, y.leader];
        f.zxids = vec![w.peer, w.min, w.max];
        f.evidence = std::iter::once(decision)
            .chain(
                related
                    .iter()
                    .copied()
                    .filter(|l| l.at_ms > decision.at_ms || l.text != decision.text),
            )
            .map(|l| format!("server {}: {}", l.sid, l.text))
            .collect();
        f.settings = settings;
        f.cause = self.sync_cause(y);
        f.advice = match id {
            "sync_snap" => self.advice_snap(),
            "sync_trunc" => vec![
                self.advice_nothing_lost(),
                "A TRUNC is cheap; frequent ones mean leaders lose their quorum before their proposals commit: look at what cut them off (the network, GC pauses against syncLimit × tickTime).".to_string(),
            ],
            _ => Vec::new(),
        };
        Some(f)
    }

    /// What made learner `y.learner` sync: a fault that hit it, or the
    /// leader it followed before, in the time a rejoin takes.
    fn sync_cause(&self, y: &SyncRecord) -> Option<String> {
        let eps = self.episodes();
        let e = &self.scenario.ensemble;
        let window = (e.init_limit + e.sync_limit) * e.tick_ms;
        let from = y.at_ms.saturating_sub(window);
        let before = self
            .leaders
            .iter()
            .rev()
            .find(|l| l.established_ms < y.at_ms && l.sid != y.leader)
            .map(|l| l.sid);
        blame_any(&eps, &[y.learner], from, y.at_ms)
            .or_else(|| before.and_then(|b| blame_any(&eps, &[b], from, y.at_ms)))
    }

    /// `zookeeper.commitLogCount` as the leader applies it.
    fn commit_log_count(&self) -> u64 {
        let e = &self.scenario.ensemble;
        e.commit_log_count.max(crate::server::MIN_COMMIT_LOG_COUNT)
    }

    /// A DIFF (`txn_log`: the leader read older txns from its txn log);
    /// None when the learner was already up to date.
    fn diff_verdict(&self, w: Window, txn_log: bool) -> Option<Verdict> {
        let Window { max, lpz, peer, .. } = w;
        if peer >= max {
            return None; // already up to date: nothing worth telling
        }
        let txns = if peer.epoch() == max.epoch() {
            format!("{} txn(s)", max.counter().saturating_sub(peer.counter()))
        } else {
            "the txns".to_string()
        };
        let how = if txn_log {
            "the leader read the older ones from its txn log (their size was under snapshotSizeFactor × the snapshot) and the rest from its committed log"
        } else {
            "it is within the leader's committed log"
        };
        let window = w.range();
        Some((
            "sync_diff",
            Severity::Info,
            format!("its last zxid {peer} was behind the leader's {lpz}, and {how} {window}, so the leader sent {txns} it missed"),
            vec![Setting {
                name: "zookeeper.commitLogCount",
                value: self.commit_log_count().to_string(),
                why: "how many recent txns the leader keeps to DIFF from".into(),
            }],
        ))
    }

    /// A SNAP (or no sync mode): `cross_epoch` when the leader could not
    /// TRUNC across epochs, `log_sync_off` when txn-log sync is off.
    fn snap_verdict(&self, w: Window, cross_epoch: bool, log_sync_off: bool) -> Verdict {
        let Window { min, peer, .. } = w;
        let window = w.range();
        let commit_log = self.commit_log_count();
        let why = if cross_epoch {
            format!(
                "its log ends in txns of an abandoned epoch ({peer}) and the leader already has newer-epoch txns: ZooKeeper does not TRUNC across epochs, so it sent a full snapshot"
            )
        } else if log_sync_off {
            format!(
                "its last zxid {peer} is older than the oldest txn in the leader's committed log {window} (which keeps the last commitLogCount = {commit_log} txns) and txn-log sync is off (snapshotSizeFactor < 0)"
            )
        } else if peer == Zxid::ZERO {
            format!(
                "it has no data yet (last zxid 0x0) and the leader's history starts from a snapshot ({min} is the oldest txn it can DIFF from), so it sent that snapshot: normal for a new or wiped server"
            )
        } else if peer < min {
            format!(
                "its last zxid {peer} is older than the oldest txn in the leader's committed log {window} (which keeps the last commitLogCount = {commit_log} txns) and the leader's txn log could not serve the gap within snapshotSizeFactor × the snapshot's size"
            )
        } else {
            format!("its last zxid {peer} did not fit the leader's committed log {window}")
        };
        let severity = if peer == Zxid::ZERO {
            Severity::Info
        } else {
            Severity::Warning
        };
        ("sync_snap", severity, why, self.snap_settings())
    }

    /// The settings that decide between DIFF, the txn log and a SNAP.
    fn snap_settings(&self) -> Vec<Setting> {
        let e = &self.scenario.ensemble;
        vec![
            Setting {
                name: "zookeeper.commitLogCount",
                value: self.commit_log_count().to_string(),
                why: "a learner further behind than this needs the txn log or a snapshot".into(),
            },
            Setting {
                name: "zookeeper.snapshotSizeFactor",
                value: if e.snapshot_size_factor_pct < 0 {
                    "-1 (txn-log sync off)".to_string()
                } else {
                    format!("0.{:02}", e.snapshot_size_factor_pct)
                },
                why: "how much txn log the leader may send instead of a snapshot".into(),
            },
            Setting {
                name: "snapCount",
                value: e.snap_count.to_string(),
                why: "how often snapshots are taken (and txn logs rolled)".into(),
            },
        ]
    }
}

/// A TRUNC: the learner had txns no quorum committed.
fn trunc_verdict(w: Window) -> Verdict {
    let Window { max, peer, .. } = w;
    (
        "sync_trunc",
        Severity::Warning,
        format!(
            "its last zxid {peer} is ahead of the leader's maxCommittedLog {max} in the same epoch: it logged txns no quorum acknowledged (as a leader or follower that died or was cut off before they committed); they were discarded (TRUNC to {max})"
        ),
        Vec::new(),
    )
}
