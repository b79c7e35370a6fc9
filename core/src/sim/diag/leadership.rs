//! Leadership: why there is no leader now (`no_quorum` when too few voters
//! can reach each other, `leader_not_established` while an election or a
//! new leader's sync runs) and how each past leader was lost
//! (`leader_change`, with the time without one).
//!
//! Contract: reads the leader records, the voters' reachability and the
//! servers' logs (`Shutdown called. For the reason …`, `Exception when
//! following the leader`, `LEADING - LEADER ELECTION TOOK - …`, ZooKeeper's
//! `QuorumPeer`/`Leader`/`Follower` lines). Of its siblings it uses
//! `evidence` and `episodes` (which fault to blame).

use super::episodes::{blame_any, blame_server, Fault};
use super::evidence::{arrows, first_line, ms, MAX_NOTIFICATION_INTERVAL_MS};
use crate::diagnosis::{list_sids, Finding, Setting, Severity};
use crate::proto::{ServerState, Sid};
use crate::server::{LeaderPhase, LeaderState};
use crate::sim::Simulation;

impl Simulation {
    pub(super) fn diag_leadership(&self, out: &mut Vec<Finding>) {
        if self.current_leader().is_some() {
            return;
        }
        // Before anything started, `not_started` says why there is no
        // leader; once every server is down again, `no_quorum` does.
        if !self.nodes.iter().any(|n| n.up) && self.first_start_ms().is_none() {
            return;
        }
        let group = self.largest_connected_group();
        let lost_at = self.leader_lost_at();
        // Its end may be in lines that rolled away: say only "before".
        let rolled = self
            .log_rolled_before()
            .filter(|_| lost_at.is_none())
            .filter(|_| {
                self.leaders
                    .last()
                    .is_some_and(|l| !self.log_complete_since(l.established_ms))
            });
        let since = lost_at.or(rolled).unwrap_or(0);
        let lost = self
            .leaders
            .last()
            .map(|l| {
                let when = match rolled {
                    Some(t) => format!("before {} (older log lines have rolled away)", ms(t)),
                    None => format!("at {}", ms(since)),
                };
                format!(
                    " The last leader was {} (epoch {}), lost {when}.",
                    l.sid, l.epoch
                )
            })
            .unwrap_or_default();
        let mut f = if group.len() < self.quorum() {
            self.no_quorum(&group, since, &lost)
        } else {
            self.leader_not_established(&group, since, &lost)
        };
        f.cause = self.no_leader_cause(&group, since);
        // The ensemble forming: the voters it lacks are not started yet.
        let unstarted = self
            .voters()
            .into_iter()
            .filter(|&s| !group.contains(&s))
            .all(|s| {
                self.absence(s)
                    .is_some_and(|a| a.ends_with("is not started"))
            });
        if self.leaders.is_empty() && unstarted && f.id == "no_quorum" {
            f.severity = Severity::Info;
            f.text = format!(
                "No leader yet: {} of {} voters {} up ({}); a leader needs {} of them, and the others are not started yet.",
                group.len(),
                self.voters().len(),
                if group.len() == 1 { "is" } else { "are" },
                list_sids(&group),
                self.quorum()
            );
            f.advice.clear();
            f.cause = Some("not_started".to_string());
        }
        out.push(f);
    }

    /// The fault that left the ensemble without a leader: one that hit
    /// the last leader around its loss, else one that keeps voters out of
    /// the largest group that can talk (`group`), else none (the first
    /// election).
    fn no_leader_cause(&self, group: &[Sid], since: u64) -> Option<String> {
        let eps = self.episodes();
        let window = self.sync_timeout() + 2 * self.tick();
        let last = self.leaders.last()?;
        // Too few voters run at all: their crashes are the cause, not a
        // partition among servers that are down (the last leader's first).
        let down: Vec<Sid> = self
            .voters()
            .into_iter()
            .filter(|&s| !self.running(s))
            .collect();
        if self.voters().len() - down.len() < self.quorum() {
            let now = self.now_ms;
            let crash = blame_server(&eps, &[Fault::Down], last.sid, now, now).or_else(|| {
                eps.iter().rev().find(|e| {
                    e.kind == Fault::Down && down.iter().any(|&s| e.hits(s)) && e.overlaps(now, now)
                })
            });
            if let Some(e) = crash {
                return Some(e.key.clone());
            }
        }
        let out: Vec<Sid> = self
            .voters()
            .into_iter()
            .filter(|s| !group.contains(s))
            .collect();
        blame_any(&eps, &out, self.now_ms, self.now_ms)
            .or_else(|| blame_any(&eps, &[last.sid], since.saturating_sub(window), self.now_ms))
            .or_else(|| {
                blame_any(
                    &eps,
                    &self.voters(),
                    since.saturating_sub(window),
                    self.now_ms,
                )
            })
    }

    /// Too few voters can reach each other (`group` is the largest set
    /// that can): who is missing, which links are cut.
    fn no_quorum(&self, group: &[Sid], since: u64, lost: &str) -> Finding {
        let voters = self.voters();
        let q = self.quorum();
        let mut parts = Vec::new();
        let absent: Vec<String> = voters.iter().filter_map(|&s| self.absence(s)).collect();
        if !absent.is_empty() {
            parts.push(format!("{}.", absent.join("; ")));
        }
        let links = self.cut_links_among(&voters);
        if !links.is_empty() {
            parts.push(format!("Cut links: {}.", arrows(&links)));
        }
        let mut f = Finding::new(
            "no_quorum",
            Severity::Critical,
            since,
            format!(
                "No leader: no quorum. {}; a leader needs {q} of {}.{lost} {}",
                if group.is_empty() {
                    format!("None of the {} voters is running", voters.len())
                } else {
                    format!(
                        "{} of {} voters can reach each other ({})",
                        group.len(),
                        voters.len(),
                        list_sids(group)
                    )
                },
                voters.len(),
                parts.join(" ")
            )
            .trim_end()
            .to_string(),
        );
        f.servers = voters
            .iter()
            .copied()
            .filter(|s| !group.contains(s))
            .collect();
        f.links = links;
        f.evidence = voters
            .iter()
            .filter(|&&s| self.running(s))
            .filter_map(|&s| {
                self.last_line(s, "Notification time out: ")
                    .map(|l| format!("server {s}: {}", first_line(l)))
            })
            .collect();
        f.settings = vec![Setting {
            name: "server.N",
            value: format!("{} voters", voters.len()),
            why: format!("a quorum is a majority of the voters: {q}"),
        }];
        f.advice = vec![
            format!("Bring voters back until {q} of the {} (the server.N lines) can reach each other: start the ones that are down (zkServer.sh start), heal the network between them. Until then no write commits and no session can be created; the servers close their client connections.", voters.len()),
            self.advice_nothing_lost(),
        ];
        f
    }

    /// A quorum can talk (`group`): an election or a leader's sync is
    /// running; what each would-be leader waits for, who is LOOKING.
    fn leader_not_established(&self, group: &[Sid], since: u64, lost: &str) -> Finding {
        let voters = self.voters();
        let leading: Vec<(Sid, &LeaderState)> = self
            .nodes
            .iter()
            .filter(|n| self.alive(n.sid))
            .filter_map(|n| n.server.leader().map(|l| (n.sid, l)))
            .collect();
        let looking: Vec<Sid> = self
            .nodes
            .iter()
            .filter(|n| self.alive(n.sid) && n.server.state == ServerState::Looking)
            .map(|n| n.sid)
            .collect();
        // The first election, while it is young, is the ensemble forming.
        let first = self.leaders.is_empty();
        let started = self.first_start_ms().unwrap_or(0);
        let init = self.scenario.ensemble.init_limit * self.tick();
        let forming = first && self.now_ms.saturating_sub(started) < init;
        let mut f = Finding::new(
            "leader_not_established",
            if forming {
                Severity::Info
            } else {
                Severity::Critical
            },
            if first { started } else { since },
            String::new(),
        );
        let mut text = if first {
            format!(
                "Electing the first leader: {} of {} voters are up and reach each other ({}); no leader has been established yet.",
                group.len(),
                voters.len(),
                list_sids(group)
            )
        } else {
            format!(
                "No leader yet, though a quorum can talk ({} of {} voters reach each other: {}).{lost}",
                group.len(),
                voters.len(),
                list_sids(group)
            )
        };
        for (sid, l) in &leading {
            let (waits, has) = match l.phase {
                LeaderPhase::WaitEpoch => {
                    ("a quorum of FOLLOWERINFO (epoch proposals)", &l.connecting)
                }
                LeaderPhase::WaitEpochAck => ("a quorum of ACKEPOCH", &l.electing),
                _ => ("a quorum of NEWLEADER ACKs", &l.newleader_acks),
            };
            text.push_str(&format!(
                " Server {sid} leads epoch {} and waits for {waits} (has {}); it gives up after initLimit×tickTime.",
                l.epoch,
                list_sids(&has.iter().copied().collect::<Vec<_>>())
            ));
            f.servers.push(*sid);
            f.settings
                .push(self.setting_init_limit("how long a new leader waits for its followers"));
        }
        if !looking.is_empty() {
            text.push_str(&format!(
                " {} {} LOOKING: an election is running (notifications re-sent after 200 ms, backing off to {}).",
                list_sids(&looking),
                if looking.len() == 1 { "is" } else { "are" },
                ms(MAX_NOTIFICATION_INTERVAL_MS)
            ));
            f.servers.extend(looking);
        }
        f.text = text;
        f.settings.push(self.setting_tick());
        if !forming {
            f.advice = vec![
                "An election normally ends within a few hundred ms, and a new leader's sync within initLimit × tickTime. If it lasts, look for what keeps the would-be leader from its followers: a server that keeps failing to connect (\"Unexpected exception, tries=\" in its log), a slow link or disk, a SNAP too large for initLimit × tickTime.".to_string(),
                "The election port (the second port of each server.N line, 3888 by convention) must be open both ways between voters; a learner that cannot connect gives up after initLimit × tickTime (or connectToLearnerMasterLimit × tickTime when set).".to_string(),
            ];
        }
        f
    }

    /// When the first server was started.
    fn first_start_ms(&self) -> Option<u64> {
        self.obs
            .faults
            .iter()
            .find(|r| {
                matches!(
                    self.scenario.actions[r.action].kind,
                    crate::scenario::ActionKind::Start { .. }
                )
            })
            .map(|r| r.at_ms)
    }

    /// When the last established leader stopped being one (if it did).
    fn leader_lost_at(&self) -> Option<u64> {
        let last = self.leaders.last()?;
        self.leader_end(last.sid, last.established_ms, None)
            .map(|(t, _)| t)
    }

    /// When leader `sid` (established at `since`) stopped leading, and
    /// why, from the logs; `next` is the leader that followed it (sid,
    /// established at), whose own election shows when the ensemble gave up
    /// on a silent leader.
    /// None too when lines since `since` may have rolled away.
    fn leader_end(&self, sid: Sid, since: u64, next: Option<(Sid, u64)>) -> Option<(u64, String)> {
        if !self.log_complete_since(since) {
            return None;
        }
        let mut best: Option<(u64, String)> = None;
        let mut consider = |t: u64, why: String| {
            if best.as_ref().is_none_or(|(b, _)| t < *b) {
                best = Some((t, why));
            }
        };
        for l in self.log.iter().filter(|l| l.at_ms >= since) {
            if l.sid == sid && l.class == "zablab" && l.text.starts_with("process killed") {
                consider(l.at_ms, "it was killed".to_string());
                break;
            }
            if l.sid == sid && l.text.starts_with("Shutdown called. For the reason ") {
                let reason = &l.text["Shutdown called. For the reason ".len()..];
                let why = if reason.starts_with("Not sufficient followers synced") {
                    format!(
                        "it lost its quorum: at a tick check too few followers had answered within syncLimit ticks ({reason})"
                    )
                } else {
                    format!("it shut down ({reason})")
                };
                consider(l.at_ms, why);
                break;
            }
        }
        // The next leader's election began when it gave up on this one
        // (a silent leader: paused or cut off from the quorum).
        let gave_up = match next {
            Some((n, until)) => self.log.iter().rev().find(|l| {
                l.sid == n
                    && l.at_ms >= since
                    && l.at_ms <= until
                    && l.text.starts_with("Exception when following the leader")
            }),
            None => self.log.iter().rev().find(|l| {
                l.at_ms >= since
                    && l.sid != sid
                    && l.text.starts_with("Exception when following the leader")
            }),
        };
        if let Some(l) = gave_up {
            let why = if l.text.contains("Read timed out") {
                format!(
                    "server {} heard nothing from it for syncLimit×tickTime (it was paused or cut off) and gave up on it",
                    l.sid
                )
            } else {
                format!("server {} lost its connection to it", l.sid)
            };
            consider(l.at_ms, why);
        }
        best
    }

    // ----- leader changes in the past -----

    pub(super) fn diag_leader_changes(&self, out: &mut Vec<Finding>) {
        for w in self.leaders.windows(2) {
            let (old, new) = (&w[0], &w[1]);
            let Some((lost, why)) = self.leader_end(
                old.sid,
                old.established_ms,
                Some((new.sid, new.established_ms)),
            ) else {
                continue;
            };
            if lost > new.established_ms {
                continue;
            }
            let took = self
                .log
                .iter()
                .find(|l| {
                    l.sid == new.sid
                        && l.at_ms <= new.established_ms
                        && l.at_ms >= lost
                        && l.text.starts_with("LEADING - LEADER ELECTION TOOK - ")
                })
                .map(|l| l.text["LEADING - LEADER ELECTION TOOK - ".len()..].to_string());
            let gap = new.established_ms - lost;
            let mut f = Finding::new(
                "leader_change",
                Severity::Info,
                lost,
                format!(
                    "Leader {} (epoch {}) was lost at {}: {why}. Leader {} (epoch {}) was established at {}: {} without a leader{}.",
                    old.sid,
                    old.epoch,
                    ms(lost),
                    new.sid,
                    new.epoch,
                    ms(new.established_ms),
                    ms(gap),
                    took.map(|t| format!(" (the election took {})", t.to_lowercase()))
                        .unwrap_or_default()
                ),
            );
            f.now = false;
            f.until_ms = Some(new.established_ms);
            f.servers = vec![old.sid, new.sid];
            let window = self.sync_timeout() + 2 * self.tick();
            f.cause = blame_any(
                &self.episodes(),
                &[old.sid],
                lost.saturating_sub(window),
                lost,
            );
            f.settings = vec![
                self.setting_sync_limit(
                    "how long followers wait on a silent leader, and a leader on its followers",
                ),
                self.setting_tick(),
            ];
            if let Some(l) = self.log.iter().find(|l| {
                l.sid == old.sid && l.at_ms == lost && l.text.starts_with("Shutdown called")
            }) {
                f.evidence.push(format!("server {}: {}", l.sid, l.text));
            }
            out.push(f);
        }
    }
}
