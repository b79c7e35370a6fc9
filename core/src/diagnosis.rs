//! The operator's questions, answered: why there is no leader, why a
//! write is stalled, why a follower synced by SNAP, why a session expired,
//! why a server keeps electing, why reads are stale, why it is slow.
//!
//! This module holds the answer's shape ([`Diagnosis`], [`Finding`]) and
//! its text rendering; `Simulation::diagnose` (in `sim/diag.rs`) computes
//! it as a pure function of the simulator's state and its run so far
//! (servers, links, clients, the server logs, syncs, leaders, writes and
//! reads). Each finding names what it is about (servers, links, zxids,
//! sessions), says it in one plain sentence, lists its evidence (log lines
//! in ZooKeeper's words, 4lw figures) and the ZooKeeper settings that
//! govern it.
//!
//! Contract: diagnosing never changes the run (it takes `&Simulation`).
//! Finding ids are stable (tests and the UI key on them): see [`KINDS`].

use serde::Serialize;

use crate::proto::Sid;
use crate::zxid::Zxid;

/// Every finding id, with what it answers.
pub const KINDS: &[(&str, &str)] = &[
    (
        "not_started",
        "servers not started yet (at time 0: the ensemble about to start)",
    ),
    (
        "server_down",
        "a server is (or was) down: killed, or exited",
    ),
    (
        "server_paused",
        "a server is (or was) paused (a GC stall): alive but silent",
    ),
    (
        "partition",
        "the network is (or was) partitioned, or cut one way",
    ),
    (
        "message_dropped",
        "a message was lost: its quorum connection reset",
    ),
    (
        "no_quorum",
        "no leader: not enough voters can reach each other",
    ),
    (
        "leader_not_established",
        "a quorum can talk but no leader is established yet (election or sync running)",
    ),
    (
        "leader_change",
        "a leader was lost, and how long the ensemble was without one",
    ),
    (
        "write_stalled",
        "a proposal waits for its quorum of ACKs, and on whom",
    ),
    (
        "request_stalled",
        "client requests wait on a server that cannot get them committed",
    ),
    ("slow_disk", "a server's txn-log fsync is slow"),
    ("slow_link", "a link is slow, compared with syncLimit"),
    (
        "follower_dropped",
        "a leader or follower gave up on the other after a timeout",
    ),
    (
        "sync_diff",
        "a learner synced by DIFF (txns from the committed log)",
    ),
    (
        "sync_snap",
        "a learner synced by SNAP (a full snapshot), and why",
    ),
    (
        "sync_trunc",
        "a learner synced by TRUNC (it had txns no quorum committed)",
    ),
    (
        "session_expired",
        "a session expired, and why no heartbeat reached the leader",
    ),
    (
        "election_churn",
        "a server keeps restarting elections, and why",
    ),
    (
        "server_looking",
        "a server is LOOKING while a leader leads: it is rejoining",
    ),
    (
        "stale_follower",
        "a serving follower or observer is behind the leader",
    ),
    (
        "stale_read",
        "a client read older data than was already committed",
    ),
    (
        "deposed_leader",
        "a leader that lost its quorum still serves (a minority partition)",
    ),
    (
        "high_load",
        "requests queue up: outstanding requests, latency, learner queues",
    ),
    (
        "large_quorum",
        "many voters: every write and election needs a bigger quorum",
    ),
    (
        "observers",
        "observers: servers that serve reads without joining the quorum",
    ),
    (
        "lock_fencing",
        "a lock holder's session expired while it still believes it holds the lock",
    ),
    (
        "sync_not_linearizable",
        "a sync then read returned data older than a completed write (a deposed leader)",
    ),
    (
        "digest_mismatch",
        "a server's data tree digest differs from the one a txn recorded (ZooKeeper's own data-inconsistency signal; imported logs)",
    ),
];

/// How much it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (a past episode that healed, a sync, a comparison).
    Info,
    /// Degraded: slower, staler or closer to an outage than it should be.
    Warning,
    /// Unavailable: no leader, writes stalled, sessions lost.
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARN",
            Severity::Critical => "CRIT",
        }
    }
}

/// A link between two servers and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub from: Sid,
    pub to: Sid,
    /// `cut` (nothing from `from` reaches `to`) or `slow` (see `latency_ms`).
    pub state: &'static str,
    pub latency_ms: Option<u64>,
}

/// A ZooKeeper setting to look at, with its value in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// ZooKeeper's name (`syncLimit`, `zookeeper.snapshotSizeFactor`, ...).
    pub name: &'static str,
    pub value: String,
    /// What it decides here.
    pub why: String,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The kind (see [`KINDS`]).
    pub id: &'static str,
    /// Unique within a diagnosis: a fault's key names the fault (its kind,
    /// servers and start, e.g. `pause:5@5000`), so that the same cause
    /// cannot be reported twice; other findings get theirs when ranked.
    pub key: String,
    /// The key of the card this finding is a consequence of; `None` for a
    /// card (a root cause, or a finding no fault of the run explains).
    pub cause: Option<String>,
    pub severity: Severity,
    /// The server it is about; `None` for the ensemble.
    pub server: Option<Sid>,
    /// True when the condition holds at the time of the diagnosis; false
    /// for an episode of the past.
    pub now: bool,
    /// When it began (or happened).
    pub at_ms: u64,
    /// When a past episode ended.
    pub until_ms: Option<u64>,
    /// Every server involved.
    pub servers: Vec<Sid>,
    pub links: Vec<Link>,
    pub zxids: Vec<Zxid>,
    /// Session ids, as ZooKeeper prints them (`0x…`).
    pub sessions: Vec<String>,
    /// The answer, in plain words.
    pub text: String,
    /// What shows it: log lines (ZooKeeper's words), 4lw figures.
    pub evidence: Vec<String>,
    pub settings: Vec<Setting>,
    /// What an operator can do about it, in ZooKeeper's settings' names
    /// (never empty on a warning or a critical finding).
    pub advice: Vec<String>,
    /// The findings this cause led to (each with `cause` = this `key`),
    /// folded under it: one card per cause.
    pub consequences: Vec<Finding>,
    /// A diagnosis of imported logs (`crate::import::diagnose`): the lines
    /// it rests on, as indices into `Import.lines` (the evidence's order).
    /// Empty for the simulator's findings, and then not serialized.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<usize>,
}

impl Finding {
    /// A finding with only its kind, severity and sentence set.
    pub fn new(id: &'static str, severity: Severity, at_ms: u64, text: String) -> Finding {
        Finding {
            id,
            key: String::new(),
            cause: None,
            severity,
            server: None,
            now: true,
            at_ms,
            until_ms: None,
            servers: Vec::new(),
            links: Vec::new(),
            zxids: Vec::new(),
            sessions: Vec::new(),
            text,
            evidence: Vec::new(),
            settings: Vec::new(),
            advice: Vec::new(),
            consequences: Vec::new(),
            cites: Vec::new(),
        }
    }

    /// A card's severity: its own, or its worst consequence that holds
    /// now (a past pause whose deposed leader still leads is critical).
    pub fn card_severity(&self) -> Severity {
        self.consequences
            .iter()
            .filter(|x| x.now)
            .map(|x| x.severity)
            .fold(self.severity, Severity::max)
    }

    /// Whether a card, or one of its consequences, holds now.
    pub fn card_now(&self) -> bool {
        self.now || self.consequences.iter().any(|x| x.now)
    }
}

/// Every finding at one moment of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub at_ms: u64,
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// Every finding: each card, then its consequences, in rank order.
    pub fn all(&self) -> impl Iterator<Item = &Finding> + '_ {
        self.findings
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.consequences.iter()))
    }

    /// The findings of one kind (cards and consequences).
    pub fn of(&self, id: &str) -> impl Iterator<Item = &Finding> + '_ {
        let id = id.to_string();
        self.all().filter(move |f| f.id == id)
    }

    /// Whether a finding of this kind is present (a card or a
    /// consequence).
    pub fn has(&self, id: &str) -> bool {
        self.all().any(|f| f.id == id)
    }

    /// The text `zablab run --diagnose` prints: one block per card (a
    /// cause), most pressing first, with its evidence, settings and what
    /// to do, then its consequences indented under it.
    pub fn render(&self) -> String {
        let mut out = format!("diagnosis at {} ms:", self.at_ms);
        if self.findings.is_empty() {
            out.push_str(" nothing to report (a leader, every server up and in sync, no stall)\n");
            return out;
        }
        out.push('\n');
        for card in &self.findings {
            render_one(&mut out, card, "", &[]);
            let shown: Vec<&str> = card.settings.iter().map(|s| s.name).collect();
            for c in &card.consequences {
                render_one(&mut out, c, "    └ ", &shown);
            }
        }
        out
    }
}

/// One finding's block: its head line, then evidence, the settings not
/// already shown by its card, and what to do.
fn render_one(out: &mut String, f: &Finding, indent: &str, shown: &[&str]) {
    let who = match f.server {
        Some(s) => format!("server {s}"),
        None => "ensemble".to_string(),
    };
    let when = match (f.now, f.until_ms) {
        (true, _) => "now".to_string(),
        (false, Some(u)) => format!("{}..{} ms", f.at_ms, u),
        (false, None) => format!("at {} ms", f.at_ms),
    };
    out.push_str(&format!(
        "{indent}[{}] {} ({who}, {when}): {}\n",
        f.severity.name(),
        f.id,
        f.text
    ));
    let pad = if indent.is_empty() {
        "    "
    } else {
        "        "
    };
    for e in &f.evidence {
        out.push_str(&format!("{pad}evidence: {e}\n"));
    }
    for s in f.settings.iter().filter(|s| !shown.contains(&s.name)) {
        out.push_str(&format!(
            "{pad}setting: {} = {} ({})\n",
            s.name, s.value, s.why
        ));
    }
    for a in &f.advice {
        out.push_str(&format!("{pad}to do: {a}\n"));
    }
}

/// A sorted, de-duplicated list of server ids as `1, 2 and 3`.
pub fn list_sids(sids: &[Sid]) -> String {
    let mut v = sids.to_vec();
    crate::sorting::sort(&mut v);
    v.dedup();
    let words: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    match words.len() {
        0 => "none".to_string(),
        1 => words[0].clone(),
        n => format!("{} and {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_and_lists() {
        assert_eq!(list_sids(&[3, 1, 2, 2]), "1, 2 and 3");
        assert_eq!(list_sids(&[]), "none");
        assert_eq!(list_sids(&[4]), "4");
        let mut f = Finding::new("no_quorum", Severity::Critical, 10, "No leader.".into());
        f.evidence.push("a line".into());
        f.settings.push(Setting {
            name: "tickTime",
            value: "2000 ms".into(),
            why: "the unit".into(),
        });
        let d = Diagnosis {
            at_ms: 20,
            findings: vec![f],
        };
        assert_eq!(
            d.render(),
            "diagnosis at 20 ms:\n[CRIT] no_quorum (ensemble, now): No leader.\n    evidence: a line\n    setting: tickTime = 2000 ms (the unit)\n"
        );
        assert!(d.has("no_quorum") && !d.has("slow_disk"));
        assert!(KINDS.iter().any(|(k, _)| *k == "no_quorum"));
    }
}
