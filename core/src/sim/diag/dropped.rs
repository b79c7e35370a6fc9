//! Timeouts that dropped a peer (`follower_dropped`): a leader that closed
//! a follower for a transaction timeout or a read timeout (ZooKeeper's
//! `LearnerHandler`), or a learner that gave up on its leader (`Learner`'s
//! read timeout), one finding per server and kind, with the span of the
//! episodes.
//!
//! Contract: a past finding (`now` false), read only from the servers'
//! log lines. Of its siblings it uses only `evidence`.

use std::collections::{BTreeMap, BTreeSet};

use super::episodes::{blame_any, blame_pair};
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

/// Which drops go together: one cause, one kind, one side (the leader
/// given up on, or the leader that dropped).
type Group = (Option<String>, &'static str, Option<Sid>);

impl Simulation {
    pub(super) fn diag_dropped(&self, out: &mut Vec<Finding>) {
        let eps = self.episodes();
        let window = self.sync_timeout() + self.tick();
        let mut seen: BTreeMap<Group, (Episodes, BTreeSet<Sid>)> = BTreeMap::new();
        for l in &self.log {
            let Some((kind, peer)) = drop_kind(l) else {
                continue;
            };
            let from = l.at_ms.saturating_sub(window);
            // Who gave up on whom: a learner on its leader, a leader on a
            // learner (`peer`, when the line names it).
            let (side, cause) = match kind {
                "learner_read_timeout" => {
                    let leader = self.leader_at(l.at_ms).filter(|&x| x != l.sid);
                    let cause = match leader {
                        Some(x) => blame_pair(&eps, l.sid, x, from, l.at_ms),
                        None => blame_any(&eps, &[l.sid], from, l.at_ms),
                    };
                    (leader, cause)
                }
                _ => {
                    let cause = match peer {
                        Some(p) => blame_pair(&eps, l.sid, p, from, l.at_ms),
                        None => blame_any(&eps, &self.voters(), from, l.at_ms),
                    };
                    (Some(l.sid), cause)
                }
            };
            let (e, who) = seen.entry((cause, kind, side)).or_insert((
                Episodes {
                    count: 0,
                    first: l.at_ms,
                    last: l.at_ms,
                    line: format!("server {}: {}", l.sid, l.text.replace('\n', " / ")),
                    peers: BTreeSet::new(),
                },
                BTreeSet::new(),
            ));
            e.count += 1;
            e.last = l.at_ms;
            e.peers.extend(peer);
            who.insert(l.sid);
        }
        for ((cause, kind, side), (e, who)) in seen {
            let mut f = self.follower_dropped(kind, side, &who.into_iter().collect::<Vec<_>>(), e);
            f.cause = cause;
            out.push(f);
        }
    }

    /// `who`: the servers whose log lines these are (the learners that
    /// gave up, or the leader that dropped); `side`: their leader, or
    /// that leader.
    fn follower_dropped(&self, kind: &str, side: Option<Sid>, who: &[Sid], e: Episodes) -> Finding {
        let peers: Vec<Sid> = e.peers.into_iter().collect();
        let span = if e.first == e.last {
            format!("at {}", ms(e.first))
        } else {
            format!("from {} to {}", ms(e.first), ms(e.last))
        };
        let n = times(e.count);
        let sync = ms(self.sync_timeout());
        let text = match kind {
            "transaction_timeout" => format!(
                "Leader {} dropped a follower ({n}, {span}): a proposal it sent went unacknowledged for syncLimit×tickTime ({sync}): a slow link, a slow disk or a paused follower.",
                list_sids(who)
            ),
            "leader_read_timeout" => {
                let (them, they) = if peers.len() == 1 {
                    ("it", "it was")
                } else {
                    ("them", "they were")
                };
                format!(
                    "Leader {} dropped {} {} ({n}, {span}): nothing had arrived from {them} for the read timeout (syncLimit×tickTime = {sync} once synced, initLimit×tickTime while syncing): {they} paused, cut off or too slow, or the leader itself had been stalled.",
                    list_sids(who),
                    if peers.len() == 1 { "learner" } else { "learners" },
                    list_sids(&peers)
                )
            }
            _ => {
                let subject = if who.len() == 1 {
                    format!("Server {}", who[0])
                } else {
                    format!("Servers {}", list_sids(who))
                };
                let whom = match side {
                    Some(l) => format!("leader {l}"),
                    None => "their leader".to_string(),
                };
                format!(
                    "{subject} gave up on {whom} ({n}, {span}): nothing arrived from it for the read timeout (syncLimit×tickTime = {sync} once synced, initLimit×tickTime while syncing): it was paused, cut off or too slow. A learner that gives up goes back to LOOKING to elect another."
                )
            }
        };
        let mut f = Finding::new("follower_dropped", Severity::Warning, e.first, text);
        f.now = false;
        f.until_ms = Some(e.last);
        if let [s] = who {
            f.server = Some(*s);
        }
        f.servers = who.iter().copied().chain(side).chain(peers).collect();
        crate::sorting::sort(&mut f.servers);
        f.servers.dedup();
        f.evidence = vec![e.line];
        f.settings = vec![
            self.setting_sync_limit(
                "the read timeout of a synced follower and of the leader's side",
            ),
            self.setting_init_limit("the timeouts while connecting and syncing"),
            self.setting_tick(),
        ];
        f.advice = vec![self.advice_sync_limit()];
        f
    }
}
