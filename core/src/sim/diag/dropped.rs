//! Timeouts that dropped a peer (`follower_dropped`): a leader that closed
//! a follower for a transaction timeout or a read timeout (ZooKeeper's
//! `LearnerHandler`), or a learner that gave up on its leader (`Learner`'s
//! read timeout), one finding per server and kind, with the span of the
//! episodes.
//!
//! Contract: a past finding (`now` false), read only from the servers'
//! log lines. Of its siblings it uses only `evidence`.

use std::collections::{BTreeMap, BTreeSet};

use super::evidence::{first_line, ms, times};
use crate::diagnosis::{list_sids, Finding, Severity};
use crate::proto::Sid;
use crate::sim::{LogEntry, Simulation};

/// How often one server dropped a peer one way: from the log lines.
struct Episodes {
    count: u64,
    first: u64,
    last: u64,
    /// The first line, on one line.
    line: String,
    peers: BTreeSet<Sid>,
}

/// The kind of drop a log line shows, and the peer it names.
fn drop_kind(l: &LogEntry) -> Option<(&'static str, Option<Sid>)> {
    let text = first_line(l);
    if text.starts_with("Closing connection to peer due to transaction timeout.") {
        Some(("transaction_timeout", None))
    } else if text.starts_with("Unexpected exception causing shutdown while sock still open")
        && l.text.contains("Read timed out")
    {
        let peer = l
            .text
            .rsplit("(peer sid ")
            .next()
            .and_then(|p| p.trim_end_matches(')').parse::<Sid>().ok());
        Some(("leader_read_timeout", peer))
    } else if text.starts_with("Exception when") && l.text.contains("Read timed out") {
        Some(("learner_read_timeout", None))
    } else {
        None
    }
}

impl Simulation {
    pub(super) fn diag_dropped(&self, out: &mut Vec<Finding>) {
        let mut seen: BTreeMap<(Sid, &'static str), Episodes> = BTreeMap::new();
        for l in &self.log {
            let Some((kind, peer)) = drop_kind(l) else {
                continue;
            };
            let e = seen.entry((l.sid, kind)).or_insert(Episodes {
                count: 0,
                first: l.at_ms,
                last: l.at_ms,
                line: l.text.replace('\n', " / "),
                peers: BTreeSet::new(),
            });
            e.count += 1;
            e.last = l.at_ms;
            e.peers.extend(peer);
        }
        for ((sid, kind), e) in seen {
            out.push(self.follower_dropped(sid, kind, e));
        }
    }

    fn follower_dropped(&self, sid: Sid, kind: &str, e: Episodes) -> Finding {
        let peers: Vec<Sid> = e.peers.into_iter().collect();
        let span = if e.first == e.last {
            format!("at {}", ms(e.first))
        } else {
            format!("from {} to {}", ms(e.first), ms(e.last))
        };
        let n = times(e.count);
        let text = match kind {
            "transaction_timeout" => format!(
                "Leader {sid} dropped a follower ({n}, {span}): a proposal it sent went unacknowledged for syncLimit×tickTime ({}): a slow link, a slow disk or a paused follower.",
                ms(self.sync_timeout())
            ),
            "leader_read_timeout" => {
                let (who, them, they) = if peers.len() == 1 {
                    ("learner", "it", "it was")
                } else {
                    ("learners", "them", "they were")
                };
                format!(
                    "Leader {sid} dropped {who} {} ({n}, {span}): nothing arrived from {them} for the read timeout (syncLimit×tickTime = {} once synced, initLimit×tickTime while syncing): {they} paused, cut off or too slow.",
                    list_sids(&peers),
                    ms(self.sync_timeout())
                )
            }
            _ => format!(
                "Server {sid} gave up on its leader ({n}, {span}): nothing arrived from the leader for the read timeout (syncLimit×tickTime = {} once synced, initLimit×tickTime while syncing): the leader was paused, cut off or too slow.",
                ms(self.sync_timeout())
            ),
        };
        let mut f = Finding::new("follower_dropped", Severity::Warning, e.first, text);
        f.now = false;
        f.until_ms = Some(e.last);
        f.server = Some(sid);
        f.servers = std::iter::once(sid).chain(peers).collect();
        f.evidence = vec![format!("server {sid}: {}", e.line)];
        f.settings = vec![
            self.setting_sync_limit(
                "the read timeout of a synced follower and of the leader's side",
            ),
            self.setting_init_limit("the timeouts while connecting and syncing"),
            self.setting_tick(),
        ];
        f
    }
}
