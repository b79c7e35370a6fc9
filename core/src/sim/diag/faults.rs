//! The run's faults as cards, one per fault (`episodes.rs`): a server
//! down (`server_down`: killed or exited, now or until it was started
//! again), paused (`server_paused`: a GC stall), the network partitioned
//! or cut one way (`partition`), a dropped message (`message_dropped`),
//! and a slow disk or link that is back to normal (the ones slow now are
//! `slow.rs`'s); and the servers not started yet (`not_started`: at time 0
//! of a preset, the ensemble that is about to start).
//!
//! Contract: a card states the fault (who, when, for how long), what it
//! does to ZooKeeper in general and what to do about it; what it did in
//! this run is the consequences' business (their families name this
//! card's key as their cause). A paused or down server is never said to
//! answer, serve or reach anything. Of its siblings it uses `evidence`,
//! `episodes` and `advice`.

use super::episodes::{blame_server, Episode, Fault};
use super::evidence::{arrows, cut_link, ms, slow_link};
use crate::diagnosis::{list_sids, Finding, Severity};
use crate::proto::Sid;
use crate::scenario::ActionKind;
use crate::sim::Simulation;

/// `Server 5, the leader,` (it led when the fault began), `Server 3`,
/// `Servers 3, 4 and 5 (the leader, 3, among them)`.
fn who(e: &Episode) -> String {
    match e.servers.as_slice() {
        [s] if e.leader == Some(*s) => format!("Server {s}, the leader,"),
        [s] => format!("Server {s}"),
        many => match e.leader.filter(|l| many.contains(l)) {
            Some(l) => format!("Servers {} (the leader, {l}, among them)", list_sids(many)),
            None => format!("Servers {}", list_sids(many)),
        },
    }
}

fn is_are(e: &Episode) -> &'static str {
    if e.servers.len() == 1 {
        "is"
    } else {
        "are"
    }
}

/// `{1} | {2, 3}`
fn groups_text(groups: &[Vec<Sid>]) -> String {
    let g: Vec<String> = groups.iter().map(|x| braces(x)).collect();
    g.join(" | ")
}

/// `{2, 3}`
fn braces(sids: &[Sid]) -> String {
    let mut v = sids.to_vec();
    crate::sorting::sort(&mut v);
    let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("{{{}}}", s.join(", "))
}

impl Simulation {
    pub(super) fn diag_faults(&self, out: &mut Vec<Finding>) {
        let now = self.now_ms;
        for e in &self.episodes() {
            let card = match e.kind {
                Fault::Down => self.down_card(e),
                Fault::Paused => self.paused_card(e),
                Fault::Partition => self.partition_card(e),
                Fault::Dropped => self.dropped_card(e),
                // Slow now: `slow.rs`, with the figures that show it.
                Fault::SlowDisk | Fault::SlowLink if e.on_at(now) => continue,
                Fault::SlowDisk | Fault::SlowLink => self.slow_past_card(e),
            };
            out.push(card);
        }
        out.extend(self.not_started());
    }

    /// A card for episode `e`: its key, servers and span.
    fn fault_card(&self, e: &Episode, id: &'static str, sev: Severity, text: String) -> Finding {
        let mut f = Finding::new(id, sev, e.from, text);
        f.key = e.key.clone();
        f.servers = e.servers.clone();
        if let [s] = e.servers.as_slice() {
            f.server = Some(*s);
        }
        f.now = e.on_at(self.now_ms);
        f.until_ms =
            e.to.filter(|&t| t <= self.now_ms || e.kind == Fault::Paused);
        f
    }

    fn down_card(&self, e: &Episode) -> Finding {
        let still: Vec<Sid> = e
            .back
            .iter()
            .filter(|b| b.1.is_none())
            .map(|b| b.0)
            .collect();
        let how = match &e.exit {
            Some(r) => format!("exited at {} ({r})", ms(e.from)),
            None => format!("crashed at {} (killed: kill -9)", ms(e.from)),
        };
        let backs: Vec<String> = e
            .back
            .iter()
            .filter_map(|&(s, t)| t.map(|t| format!("{s} was started again at {}", ms(t))))
            .collect();
        let mut text = format!("{} {how}", who(e));
        if still.is_empty() {
            text.push_str(&format!(
                "; {}, after {} down.",
                backs.join(", "),
                ms(e.to.unwrap_or(e.from) - e.from)
            ));
        } else {
            if !backs.is_empty() {
                text.push_str(&format!("; {}", backs.join(", ")));
            }
            text.push_str(&format!(
                "; {} {} still down: {} no client, no vote, no ACK.",
                list_sids(&still),
                if still.len() == 1 { "is" } else { "are" },
                if still.len() == 1 {
                    "it takes"
                } else {
                    "they take"
                }
            ));
        }
        let now = !still.is_empty();
        let sev = if now {
            Severity::Warning
        } else {
            Severity::Info
        };
        let mut f = self.fault_card(e, "server_down", sev, text);
        f.now = now;
        f.until_ms = e.to.filter(|_| !now);
        if now {
            f.advice.push(self.advice_restart());
            f.advice.push(self.advice_clients_move());
        } else {
            f.advice.push(format!(
                "A restarted server rejoins by an election round and a sync (see below); the ensemble stays available while a quorum of the {} voters (server.N lines) is up.",
                self.scenario.ensemble.participants.len()
            ));
        }
        if e.hit_leader() {
            f.advice.push(self.advice_nothing_lost());
        }
        if e.exit.is_some() {
            f.advice.push(
                "An exit is ZooKeeper stopping itself on an error it cannot recover from: the reason is the last ERROR of its log; it needs a restart (zkServer.sh start), and a fix if it happens again.".to_string(),
            );
        }
        f
    }

    fn paused_card(&self, e: &Episode) -> Finding {
        let now = e.on_at(self.now_ms);
        let until = e.to.unwrap_or(e.from + e.figure);
        let sync = self.sync_timeout();
        let vs = if e.figure > sync {
            format!("longer than syncLimit×tickTime ({})", ms(sync))
        } else {
            format!("not longer than syncLimit×tickTime ({})", ms(sync))
        };
        let leader = e.hit_leader();
        let mut text = if now {
            format!(
                "{} {} paused (a stop-the-world GC stall) from {} until {}: the process runs no thread, so it answers nothing (no client request, no PING, no ACK, no four-letter word) while its sockets stay open and what is sent to it waits in their buffers.",
                who(e),
                is_are(e),
                ms(e.from),
                ms(until)
            )
        } else {
            format!(
                "{} {} paused (a GC stall) from {} to {}: {}, {vs}.",
                who(e),
                if e.servers.len() == 1 { "was" } else { "were" },
                ms(e.from),
                ms(until),
                ms(until - e.from)
            )
        };
        if now && leader {
            text.push_str(&format!(
                " Writes stall meanwhile. Its followers give up on it after syncLimit×tickTime ({}) of silence and elect another leader; when it resumes it still believes it leads until its next tick check finds no synced quorum, then it steps down and rejoins.",
                ms(sync)
            ));
        } else if now {
            text.push_str(&format!(
                " The leader drops it after syncLimit×tickTime ({}) of silence; writes go on while a quorum of the others ACKs.",
                ms(sync)
            ));
        }
        let sev = match (now, leader) {
            (true, true) => Severity::Critical,
            (true, false) => Severity::Warning,
            _ => Severity::Info,
        };
        let mut f = self.fault_card(e, "server_paused", sev, text);
        f.until_ms = Some(until);
        f.settings = vec![
            self.setting_sync_limit("how long peers wait on a silent server"),
            self.setting_tick(),
        ];
        f.advice = self.advice_gc();
        if leader && e.figure > sync {
            f.advice.push(self.advice_nothing_lost());
        }
        f
    }

    fn partition_card(&self, e: &Episode) -> Finding {
        let now = e.on_at(self.now_ms);
        let (is, has) = if now {
            ("is", "since")
        } else {
            ("was", "from")
        };
        let span = match e.to.filter(|_| !now) {
            Some(t) => format!("{has} {} to {}", ms(e.from), ms(t)),
            None => format!("{has} {}", ms(e.from)),
        };
        let mut text = if e.groups.is_empty() {
            let back: Vec<(Sid, Sid)> = e
                .links
                .iter()
                .filter(|&&(a, b)| !e.links.contains(&(b, a)))
                .map(|&(a, b)| (b, a))
                .collect();
            let links: Vec<_> = e.links.iter().map(|&(a, b)| cut_link(a, b)).collect();
            let open: Vec<_> = back.iter().map(|&(a, b)| cut_link(a, b)).collect();
            let mut t = format!(
                "The network {is} cut one way {span}: nothing from {} gets through",
                arrows(&links)
            );
            if !open.is_empty() {
                t.push_str(&format!(", while {} still works", arrows(&open)));
            }
            t.push('.');
            t
        } else {
            format!(
                "The network {is} partitioned {span}: {}; nothing crosses between the sides.",
                groups_text(&e.groups)
            )
        };
        if now && !e.groups.is_empty() {
            text.push_str(&self.sides(&e.groups));
        }
        let sev = if now {
            Severity::Warning
        } else {
            Severity::Info
        };
        let mut f = self.fault_card(e, "partition", sev, text);
        f.now = now;
        f.server = None;
        f.links = e.links.iter().map(|&(a, b)| cut_link(a, b)).collect();
        f.advice = vec![
            self.advice_nothing_lost(),
            self.advice_stale_reads(),
            self.advice_network(),
        ];
        f
    }

    /// Which side of a partition holds a quorum of running voters (a
    /// side of servers that are down elects nobody).
    fn sides(&self, groups: &[Vec<Sid>]) -> String {
        let voters = self.voters();
        let q = self.quorum();
        let with: Vec<&Vec<Sid>> = groups
            .iter()
            .filter(|g| {
                g.iter()
                    .filter(|&&s| voters.contains(&s) && self.running(s))
                    .count()
                    >= q
            })
            .collect();
        match with.first() {
            Some(g) => {
                let others: Vec<Sid> = groups
                    .iter()
                    .filter(|x| x != g)
                    .flatten()
                    .copied()
                    .collect();
                format!(
                    " {} holds a quorum ({q} of {} voters) and keeps or elects a leader; {} cannot: its servers stop serving once they notice.",
                    braces(g),
                    voters.len(),
                    braces(&others)
                )
            }
            None if groups
                .iter()
                .any(|g| g.iter().filter(|s| voters.contains(s)).count() >= q) =>
            {
                format!(
                    " No side has a quorum of running voters ({q} of {}): there is no leader anywhere until enough of them run on one side, or the network heals.",
                    voters.len()
                )
            }
            None => format!(
                " No side holds a quorum ({q} of {} voters): there is no leader anywhere until it heals.",
                voters.len()
            ),
        }
    }

    fn dropped_card(&self, e: &Episode) -> Finding {
        let (a, b) = e.links.first().copied().unwrap_or((0, 0));
        let text = format!(
            "The next message from {a} to {b} after {} was lost (a dropped segment): TCP resets that quorum connection, both ends see it close, and the learner goes back to LOOKING to rejoin.",
            ms(e.from)
        );
        let mut f = self.fault_card(e, "message_dropped", Severity::Info, text);
        f.server = None;
        f.now = false;
        f.until_ms = Some(e.from);
        f.links = vec![cut_link(a, b)];
        f.advice = vec![format!(
            "A reset quorum connection costs an election round and a sync, not data. Repeated ones point at the network between the servers' server.N ports (resets, a firewall's idle timeout); the learner logs \"Exception when following the leader\" each time."
        )];
        f
    }

    fn slow_past_card(&self, e: &Episode) -> Finding {
        let to = e.to.unwrap_or(e.from);
        let (id, text, advice) = if e.kind == Fault::SlowDisk {
            (
                "slow_disk",
                format!(
                    "{}'s disk was slow (an fsync of its txn log took {}) from {} to {}.",
                    who(e),
                    ms(e.figure),
                    ms(e.from),
                    ms(to)
                ),
                self.advice_disk(),
            )
        } else {
            let links: Vec<_> = e
                .links
                .iter()
                .map(|&(a, b)| slow_link(a, b, e.figure))
                .collect();
            (
                "slow_link",
                format!(
                    "Link {} was slow ({} one way) from {} to {}.",
                    arrows(&links),
                    ms(e.figure),
                    ms(e.from),
                    ms(to)
                ),
                self.advice_link(),
            )
        };
        let mut f = self.fault_card(e, id, Severity::Info, text);
        if e.kind == Fault::SlowLink {
            f.server = None;
            f.links = e
                .links
                .iter()
                .map(|&(a, b)| slow_link(a, b, e.figure))
                .collect();
        }
        f.now = false;
        f.until_ms = Some(to);
        f.advice = advice;
        f
    }

    /// The voters and observers not running that no fault took down: not
    /// started yet (and when the scenario starts them), or failed to start.
    fn not_started(&self) -> Option<Finding> {
        let down_by_fault: Vec<Sid> = self
            .episodes()
            .iter()
            .filter(|e| e.kind == Fault::Down)
            .flat_map(|e| e.servers.clone())
            .collect();
        let mut sids: Vec<Sid> = self
            .nodes
            .iter()
            .map(|n| n.sid)
            .filter(|&s| !self.running(s) && (!down_by_fault.contains(&s) || self.failed_start(s)))
            .collect();
        crate::sorting::sort(&mut sids);
        if sids.is_empty() {
            return None;
        }
        let starts: Vec<String> = sids
            .iter()
            .map(|&s| match self.start_time(s) {
                Some(t) => format!("{s} at {}", ms(t)),
                None => match self.node(s).and_then(|n| n.server.start_failure.clone()) {
                    Some(r) => format!("{s} failed to start ({r})"),
                    None => format!("{s} never (no start action)"),
                },
            })
            .collect();
        let all = sids.len() == self.nodes.len();
        let text = if sids.iter().all(|&s| self.failed_start(s)) {
            format!(
                "{} {} failed to start ({}); the ensemble runs without {} until {} data {} repaired.",
                if sids.len() == 1 { "Server" } else { "Servers" },
                list_sids(&sids),
                sids.iter()
                    .filter_map(|&s| self.node(s).and_then(|n| n.server.start_failure.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
                if sids.len() == 1 { "it" } else { "them" },
                if sids.len() == 1 { "its" } else { "their" },
                if sids.len() == 1 { "directory is" } else { "directories are" },
            )
        } else if all {
            format!(
                "The ensemble has not started yet: the scenario starts {}. Each server then starts LOOKING and votes for itself; once a quorum agrees on one, it leads and the others sync with it.",
                starts.join(", ")
            )
        } else {
            format!(
                "{} {} {} not started yet (the scenario starts {}); the ensemble runs without {} until then.",
                if sids.len() == 1 { "Server" } else { "Servers" },
                list_sids(&sids),
                if sids.len() == 1 { "is" } else { "are" },
                starts.join(", "),
                if sids.len() == 1 { "it" } else { "them" }
            )
        };
        let failed = sids.iter().any(|&s| self.failed_start(s));
        let mut f = Finding::new(
            "not_started",
            if failed {
                Severity::Warning
            } else {
                Severity::Info
            },
            self.now_ms,
            text,
        );
        f.key = "not_started".to_string();
        // From the disk, not the message: its log runs into an epoch its
        // currentEpoch file does not have.
        let epoch_behind = sids.iter().any(|&s| {
            self.failed_start(s)
                && self.node(s).is_some_and(|n| {
                    n.server.tree.last_processed_zxid.epoch() > n.server.current_epoch()
                })
        });
        if epoch_behind {
            f.advice.push("Its currentEpoch file is older than the last zxid in its txn log: it was killed while it logged a sync at NEWLEADER, after the txns reached the disk and before the new epoch was written (ZooKeeper 3.9.2 and later). Set currentEpoch (in dataDir/version-2) to the epoch of the last logged zxid, which TxnLogToolkit shows, or empty its data directory so that it syncs by SNAP.".to_string());
        }
        if failed {
            // Shown under the fault that set it up, first among what holds
            // now (the slow disk its fsync waited on, else the crash).
            let eps = self.episodes();
            let failed_sids = sids.iter().filter(|&&s| self.failed_start(s));
            f.cause = failed_sids
                .filter_map(|&s| {
                    blame_server(&eps, &[Fault::SlowDisk], s, 0, self.now_ms)
                        .or_else(|| blame_server(&eps, &[Fault::Down], s, 0, self.now_ms))
                })
                .map(|e| e.key.clone())
                .next();
        }
        f.servers = sids;
        if failed {
            f.advice.push("A server that fails to start stops at startup on a bad zoo.cfg (its server.N lines, dataDir, dataLogDir) or an unreadable data directory: the reason is in its log; fix it and run zkServer.sh start.".to_string());
        }
        Some(f)
    }

    /// When the scenario starts `sid` next (a `start` action later than
    /// now).
    fn start_time(&self, sid: Sid) -> Option<u64> {
        self.scenario
            .actions
            .iter()
            .filter(|a| a.at_ms >= self.now_ms)
            .filter(|a| match &a.kind {
                ActionKind::Start { servers } => servers.contains(&sid),
                _ => false,
            })
            .map(|a| a.at_ms)
            .min()
    }
}
