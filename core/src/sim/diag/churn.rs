//! Election churn (`election_churn`): a server that keeps restarting
//! elections (more `New election.` lines in the last minute than leaders
//! established), or one stuck LOOKING while a leader leads; and why: a
//! one-way cut, a partition from the leader, a link slower than syncLimit,
//! failed connections to the leader, read timeouts, the notification
//! back-off (ZooKeeper's `FastLeaderElection`, `Learner.connectToLeader`);
//! see `docs/PROTOCOL.md §4`.
//!
//! Contract: the thresholds are the fixed `CHURN_*` and
//! [`STUCK_LOOKING_MS`] integers; the reasons come in a fixed order, each
//! with the links it names. Of its siblings it uses only `evidence`.

use super::episodes::{blame_any, blame_link};
use super::evidence::{arrows, cut_link, ms, slow_link, MAX_NOTIFICATION_INTERVAL_MS};
use crate::diagnosis::{Finding, Link, Setting, Severity};
use crate::proto::{ServerState, Sid};
use crate::sim::{LogEntry, Node, Simulation};

/// How many `New election`s in [`CHURN_WINDOW_MS`] make churn.
const CHURN_ELECTIONS: usize = 3;
const CHURN_WINDOW_MS: u64 = 60_000;
/// LOOKING this long while a leader leads: it cannot join.
const STUCK_LOOKING_MS: u64 = 5_000;

/// A server whose elections churn.
struct Churn<'a> {
    sid: Sid,
    /// Its `New election.` lines in the window.
    elections: Vec<&'a LogEntry>,
    /// Leaders established in the window.
    leaders: usize,
    /// LOOKING since then while a leader leads.
    stuck_since: Option<u64>,
}

/// The reasons found so far, each with the links it names.
#[derive(Default)]
struct Why {
    reasons: Vec<String>,
    links: Vec<Link>,
}

impl Simulation {
    pub(super) fn diag_churn(&self, out: &mut Vec<Finding>) {
        let window_start = self.now_ms.saturating_sub(CHURN_WINDOW_MS);
        // Counting a window's elections needs all its lines.
        if !self.log_complete_since(window_start) {
            return;
        }
        for n in &self.nodes {
            if !self.running(n.sid) {
                continue;
            }
            if let Some(c) = self.churning(n, window_start) {
                out.push(self.election_churn(n, &c, window_start));
            } else if let Some(f) = self.server_looking(n) {
                out.push(f);
            }
        }
    }

    /// `server_looking`: a server LOOKING while a leader leads, not for
    /// long yet (longer is `election_churn`): it is rejoining.
    fn server_looking(&self, n: &Node) -> Option<Finding> {
        let sid = n.sid;
        let leader = self.current_leader()?;
        if !self.alive(sid) || n.server.state != ServerState::Looking {
            return None;
        }
        let since = self.election_began(sid)?;
        let mut f = Finding::new(
            "server_looking",
            Severity::Info,
            since,
            format!(
                "Server {sid} is LOOKING since {} while leader {leader} leads: it is rejoining. The others' answers to its votes tell it that {leader} leads; it then connects to {leader} and syncs (FOLLOWERINFO, LEADERINFO, ACKEPOCH, then DIFF, TRUNC or SNAP).",
                ms(since)
            ),
        );
        f.server = Some(sid);
        f.servers = vec![sid, leader];
        let window = self.scenario.ensemble.init_limit * self.tick();
        f.cause = blame_any(
            &self.episodes(),
            &[sid],
            since.saturating_sub(window),
            self.now_ms,
        );
        Some(f)
    }

    /// When `sid` last began an election (its `New election.` line), 0
    /// if it never did; None when that line may have rolled away.
    fn election_began(&self, sid: Sid) -> Option<u64> {
        match self.last_line(sid, "New election.") {
            Some(l) => Some(l.at_ms),
            None => self.log_rolled_before().is_none().then_some(0),
        }
    }

    /// Elections this server ran while the ensemble did not change
    /// leaders as often (more elections than leaders established), or one
    /// it is stuck in while a leader leads.
    fn churning<'a>(&'a self, n: &Node, window_start: u64) -> Option<Churn<'a>> {
        let sid = n.sid;
        let elections = self.lines_since(sid, window_start, "New election.");
        let leaders = self
            .leaders
            .iter()
            .filter(|l| l.established_ms >= window_start)
            .count();
        let repeated =
            elections.len() >= CHURN_ELECTIONS && elections.len() >= leaders + CHURN_ELECTIONS - 1;
        let stuck_since = (n.server.state == ServerState::Looking
            && self.current_leader().is_some())
        .then(|| self.election_began(sid))
        .flatten()
        .filter(|&t| self.now_ms.saturating_sub(t) >= STUCK_LOOKING_MS);
        (repeated || stuck_since.is_some()).then_some(Churn {
            sid,
            elections,
            leaders,
            stuck_since,
        })
    }

    fn election_churn(&self, n: &Node, c: &Churn, window_start: u64) -> Finding {
        let sid = c.sid;
        let lost = self.lines_since(sid, window_start, "Exception when following the leader");
        let lost_obs = self.lines_since(sid, window_start, "Exception when observing the leader");
        let connect_fail = self.lines_since(sid, window_start, "Unexpected exception, tries=");
        // The leader it tried to follow.
        let target: Option<Sid> = connect_fail
            .last()
            .and_then(|l| l.text.rsplit(':').next())
            .and_then(|p| p.trim().parse::<u32>().ok())
            .map(|port| port.saturating_sub(28880))
            .or_else(|| n.server.learner().map(|l| l.leader))
            .or(c.stuck_since.and(self.current_leader()));
        let mut why = Why::default();
        self.one_way_cuts(sid, target, &mut why);
        if let Some(t) = target {
            self.cut_from_target(sid, t, &connect_fail, &mut why);
        }
        let timeouts = lost
            .iter()
            .chain(lost_obs.iter())
            .filter(|l| l.text.contains("Read timed out"))
            .count();
        if timeouts > 0 {
            why.reasons.push(format!(
                "{timeouts} time(s) it heard nothing from its leader for the read timeout and went back to LOOKING"
            ));
        }
        if let Some(b) = self.last_line(sid, "Notification time out: ") {
            why.reasons.push(format!(
                "its notifications back off: {} (up to {})",
                b.text.to_lowercase(),
                ms(MAX_NOTIFICATION_INTERVAL_MS)
            ));
        }
        if why.reasons.is_empty() {
            why.reasons
                .push("its elections do not end with a leader it can follow".to_string());
        }
        let first = c.elections.first().map_or(0, |l| l.at_ms);
        let head = match c.stuck_since {
            Some(t) => format!(
                "Server {sid} has been LOOKING since {} while leader {} leads: it cannot join",
                ms(t),
                self.current_leader().unwrap_or(0)
            ),
            None => format!(
                "Server {sid} keeps restarting elections: {} since {} while {} leader(s) were established",
                c.elections.len(),
                ms(first),
                c.leaders
            ),
        };
        let mut f = Finding::new(
            "election_churn",
            Severity::Warning,
            c.stuck_since.unwrap_or(first),
            format!("{head}. Why: {}.", why.reasons.join("; ")),
        );
        f.server = Some(sid);
        f.servers = std::iter::once(sid).chain(target).collect();
        f.links = why.links;
        f.evidence = lost
            .iter()
            .chain(connect_fail.iter())
            .rev()
            .take(3)
            .map(|l| format!("server {sid}: {}", l.text.replace('\n', " / ")))
            .collect();
        f.settings = self.churn_settings();
        let eps = self.episodes();
        f.cause = target
            .and_then(|t| blame_link(&eps, sid, t, window_start, self.now_ms))
            .map(|e| e.key.clone())
            .or_else(|| blame_any(&eps, &[sid], window_start, self.now_ms));
        f.advice = self.churn_advice(&f.links);
        f
    }

    /// What to do about churn: the network first when a link is cut or
    /// slow, then the timeouts.
    fn churn_advice(&self, links: &[Link]) -> Vec<String> {
        let mut a = Vec::new();
        if links.iter().any(|l| l.state == "cut") {
            a.push(self.advice_network());
        }
        if links.iter().any(|l| l.state == "slow") {
            a.extend(self.advice_link());
        }
        a.push(format!(
            "A LOOKING server re-sends its votes with a back-off that doubles up to zookeeper.fastleader.maxNotificationInterval ({}); a learner that cannot connect to the leader it chose gives up after initLimit × tickTime (or connectToLearnerMasterLimit × tickTime) and votes again.",
            ms(MAX_NOTIFICATION_INTERVAL_MS)
        ));
        a
    }

    /// Links to or from `sid` cut one way only, and what that does to its
    /// elections with `target` (the leader it tries to follow).
    fn one_way_cuts(&self, sid: Sid, target: Option<Sid>, why: &mut Why) {
        let links: Vec<Link> = self
            .cuts
            .iter()
            .filter(|&&(a, b)| (a == sid || b == sid) && !self.cuts.contains(&(b, a)))
            .map(|&(a, b)| cut_link(a, b))
            .collect();
        if links.is_empty() {
            return;
        }
        let to_leader = target.filter(|&t| self.cuts.contains(&(sid, t)));
        let from_leader = target.filter(|&t| self.cuts.contains(&(t, sid)));
        let effect = match (to_leader, from_leader) {
            (Some(t), _) => format!(
                "its votes never reach {t}, and {t} only answers the votes it receives, so it cannot learn that {t} leads, nor connect to it"
            ),
            (_, Some(t)) => format!(
                "it hears from the others but nothing from {t}: it cannot complete a connection to {t}"
            ),
            _ => "votes get through one way only".to_string(),
        };
        why.reasons.push(format!(
            "a one-way partition: {} is cut while the other direction works; {effect}",
            arrows(&links)
        ));
        why.links.extend(links);
    }

    /// What keeps `sid` from its target leader `t`: a partition, a slow
    /// link, failed connections (`connect_fail`: its `tries=` lines).
    fn cut_from_target(&self, sid: Sid, t: Sid, connect_fail: &[&LogEntry], why: &mut Why) {
        if self.cuts.contains(&(sid, t)) && self.cuts.contains(&(t, sid)) {
            why.reasons.push(format!(
                "it is partitioned from leader {t} (both directions): nothing it sends reaches the majority's side; it rejoins when the partition heals"
            ));
            why.links.push(cut_link(sid, t));
        }
        let slow = [(t, sid), (sid, t)]
            .into_iter()
            .filter_map(|(a, b)| self.link_latency_of(a, b).map(|l| (a, b, l)))
            .max_by_key(|x| x.2);
        if let Some((a, b, l)) = slow {
            let verdict = if l >= self.sync_timeout() {
                format!(
                    "longer than syncLimit×tickTime ({}): it cannot stay in sync, so each time it syncs it is dropped again",
                    ms(self.sync_timeout())
                )
            } else {
                "slow".to_string()
            };
            why.reasons.push(format!(
                "link {a}→{b} to its leader takes {}, {verdict}",
                ms(l)
            ));
            why.links.push(slow_link(a, b, l));
        }
        if let Some(last) = connect_fail.last() {
            // Say when: the failures may be from an earlier round
            // than the vote it holds now.
            why.reasons.push(format!(
                "when it last chose to follow server {t} (at {}) it could not connect to it ({} failed attempt(s); a learner gives up after 5 tries or initLimit×tickTime)",
                ms(last.at_ms),
                connect_fail.len()
            ));
        }
    }

    fn churn_settings(&self) -> Vec<Setting> {
        vec![
            self.setting_init_limit(
                "how long a learner tries to connect to and sync with its leader",
            ),
            self.setting_sync_limit("how long a follower waits on a silent leader"),
            Setting {
                name: "zookeeper.fastleader.maxNotificationInterval",
                value: ms(MAX_NOTIFICATION_INTERVAL_MS),
                why: "the ceiling of the notification back-off".into(),
            },
        ]
    }
}
