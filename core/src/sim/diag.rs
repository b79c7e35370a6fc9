//! `Simulation::diagnose`: the operator's questions answered from the
//! simulator's state and the run so far (see `crate::diagnosis` for the
//! answer's shape and the finding ids).
//!
//! Contract: a pure function of `&Simulation`. It reads what an operator
//! could read (the servers' logs in ZooKeeper's words, 4lw figures, who is
//! up) plus what only the simulator knows for sure (which links are cut or
//! slow, which process is paused, which disk is slow): that is the point,
//! to say *why*. It never changes the run. Thresholds are fixed integers.

mod evidence;

use std::collections::{BTreeMap, BTreeSet};

use self::evidence::{apply_cuts, first_line, ms, times, MAX_NOTIFICATION_INTERVAL_MS};
use super::{LogEntry, Role, Simulation};
use crate::diagnosis::{list_sids, Diagnosis, Finding, Link, Setting, Severity};
use crate::proto::{ServerState, Sid, SyncMode, ZabState};
use crate::server::{LeaderState, FSYNC_WARNING_THRESHOLD_MS};
use crate::zxid::Zxid;

/// A proposal or a client request older than this is stalled.
const STALL_MS: u64 = 1000;
/// How many `New election`s in [`CHURN_WINDOW_MS`] make churn.
const CHURN_ELECTIONS: usize = 3;
const CHURN_WINDOW_MS: u64 = 60_000;
/// LOOKING this long while a leader leads: it cannot join.
const STUCK_LOOKING_MS: u64 = 5_000;
/// A serving learner this many txns behind is stale even with no fault.
const STALE_TXNS: u64 = 20;
/// `globalOutstandingLimit` (ZooKeeper's default).
const GLOBAL_OUTSTANDING_LIMIT: u64 = 1000;
/// Load thresholds: requests in process, latency, learner queue depth.
const LOAD_OUTSTANDING: u64 = 10;
const LOAD_LATENCY_AVG_MS: u64 = 100;
const LOAD_LATENCY_MAX_MS: u64 = 1000;
const LOAD_QUEUE: u64 = 100;

impl Simulation {
    /// Everything worth telling an operator now, ensemble first. See
    /// `crate::diagnosis` for the finding kinds.
    pub fn diagnose(&self) -> Diagnosis {
        let mut f = Vec::new();
        self.diag_facts(&mut f);
        self.diag_leadership(&mut f);
        self.diag_leader_changes(&mut f);
        self.diag_writes(&mut f);
        self.diag_waiting_clients(&mut f);
        self.diag_slow(&mut f);
        self.diag_dropped(&mut f);
        self.diag_syncs(&mut f);
        self.diag_sessions(&mut f);
        self.diag_churn(&mut f);
        self.diag_stale(&mut f);
        self.diag_load(&mut f);
        self.diag_quorum_shape(&mut f);
        self.diag_hazards(&mut f);
        // Ensemble findings first, then by server; stable otherwise.
        f.sort_by_key(|x| (x.server.is_some(), x.server, !x.now));
        Diagnosis {
            at_ms: self.now_ms,
            findings: f,
        }
    }

    /// The recipe hazards the run showed (`sim/recipes.rs`): ZooKeeper
    /// behaving as specified, in a way an application must defend against.
    fn diag_hazards(&self, f: &mut Vec<Finding>) {
        for h in self.hazards() {
            let (id, text, settings) = match h.kind {
                "LockHolderExpired" => {
                    let timeout = h
                        .clients
                        .first()
                        .and_then(|n| self.clients.iter().find(|c| &c.name == n))
                        .map_or("per session".to_string(), |c| ms(c.timeout_ms));
                    (
                        "lock_fencing",
                        format!(
                            "{}. A client learns that its session expired only when it reaches a server again, so a careful holder treats Disconnected as a possible loss of the lock.",
                            h.detail
                        ),
                        vec![Setting {
                            name: "session timeout",
                            value: timeout,
                            why: "how long a cut-off holder keeps its lock node before the leader expires it".into(),
                        }],
                    )
                }
                "SyncReadNotLinearizable" => (
                    "sync_not_linearizable",
                    h.detail.clone(),
                    vec![
                        self.setting_sync_limit("how many ticks a deposed leader keeps leading, and answering sync, before it notices"),
                        self.setting_tick(),
                    ],
                ),
                _ => continue,
            };
            let mut x = Finding::new(id, Severity::Warning, h.at_ms, text);
            x.now = false;
            x.settings = settings;
            f.push(x);
        }
    }

    // ----- facts -----

    fn diag_facts(&self, out: &mut Vec<Finding>) {
        for n in &self.nodes {
            let sid = n.sid;
            if !self.running(sid) {
                let Some(why) = self.absence(sid) else {
                    continue;
                };
                if why.ends_with("is not started") {
                    continue;
                }
                let at = self.killed_at(sid, self.now_ms).unwrap_or(0);
                let mut f = Finding::new(
                    "server_down",
                    Severity::Warning,
                    at,
                    format!(
                        "Server {why}. Its clients moved to other servers; its sessions live on while they reconnect within their timeout."
                    ),
                );
                f.server = Some(sid);
                f.servers = vec![sid];
                out.push(f);
            } else if let Some(until) = n.paused_until {
                let from = self
                    .pauses()
                    .iter()
                    .rev()
                    .find(|p| p.sid == sid && p.to == until)
                    .map_or(self.now_ms, |p| p.from);
                let mut f = Finding::new(
                    "server_paused",
                    Severity::Warning,
                    from,
                    format!(
                        "Server {sid} is paused (a GC stall) from {} until {}: it holds its connections but answers nothing; peers notice only by their timeouts (a follower is dropped after syncLimit×tickTime = {} of silence, a session expires after its timeout).",
                        ms(from),
                        ms(until),
                        ms(self.sync_timeout())
                    ),
                );
                f.server = Some(sid);
                f.servers = vec![sid];
                f.until_ms = Some(until);
                f.settings = vec![
                    self.setting_sync_limit("how long peers wait on a silent server"),
                    self.setting_tick(),
                ];
                out.push(f);
            }
        }
    }

    // ----- why there is no leader -----

    fn diag_leadership(&self, out: &mut Vec<Finding>) {
        if self.current_leader().is_some() {
            return;
        }
        if !self.nodes.iter().any(|n| n.up) {
            return;
        }
        let voters = self.voters();
        let q = self.quorum();
        let group = self.largest_connected_group();
        let since = self.leader_lost_at().unwrap_or(0);
        let lost = self
            .leaders
            .last()
            .map(|l| {
                format!(
                    " The last leader was {} (epoch {}), lost at {}.",
                    l.sid,
                    l.epoch,
                    ms(since)
                )
            })
            .unwrap_or_default();
        if group.len() < q {
            let mut parts = Vec::new();
            let absent: Vec<String> = voters.iter().filter_map(|&s| self.absence(s)).collect();
            if !absent.is_empty() {
                parts.push(format!("{}.", absent.join("; ")));
            }
            let links = self.cut_links_among(&voters);
            if !links.is_empty() {
                let l: Vec<String> = links
                    .iter()
                    .map(|l| format!("{}→{}", l.from, l.to))
                    .collect();
                parts.push(format!("Cut links: {}.", l.join(", ")));
            }
            let mut f = Finding::new(
                "no_quorum",
                Severity::Critical,
                since,
                format!(
                    "No leader: no quorum. {} of {} voters can reach each other ({}); a leader needs {q} of {}.{lost} {}",
                    group.len(),
                    voters.len(),
                    list_sids(&group),
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
                    self.log
                        .iter()
                        .rev()
                        .find(|l| {
                            l.sid == s && first_line(l).starts_with("Notification time out: ")
                        })
                        .map(|l| format!("server {s}: {}", first_line(l)))
                })
                .collect();
            f.settings = vec![Setting {
                name: "server.N",
                value: format!("{} voters", voters.len()),
                why: format!("a quorum is a majority of the voters: {q}"),
            }];
            out.push(f);
            return;
        }
        // A quorum can talk: an election or a leader's sync is running.
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
        let mut f = Finding::new(
            "leader_not_established",
            Severity::Critical,
            since,
            String::new(),
        );
        let mut text = format!(
            "No leader yet, though a quorum can talk ({} of {} voters reach each other: {}).{lost}",
            group.len(),
            voters.len(),
            list_sids(&group)
        );
        for (sid, l) in &leading {
            let (waits, has) = match l.phase {
                crate::server::LeaderPhase::WaitEpoch => {
                    ("a quorum of FOLLOWERINFO (epoch proposals)", &l.connecting)
                }
                crate::server::LeaderPhase::WaitEpochAck => ("a quorum of ACKEPOCH", &l.electing),
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
        out.push(f);
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
    fn leader_end(&self, sid: Sid, since: u64, next: Option<(Sid, u64)>) -> Option<(u64, String)> {
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

    fn diag_leader_changes(&self, out: &mut Vec<Finding>) {
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

    // ----- why a write is stalled -----

    /// Why voter `v` does not ACK leader `leader`'s proposals.
    fn not_acking(&self, leader: Sid, v: Sid) -> String {
        if v == leader {
            return match self.fsync_of(v) {
                Some(f) => format!("the leader's own ACK waits for its slow fsync ({})", ms(f)),
                None => "the leader's own ACK waits for its fsync".to_string(),
            };
        }
        if let Some(a) = self.absence(v) {
            return a;
        }
        let s = self.node(v).map(|n| &n.server);
        let following = s
            .and_then(|s| s.learner())
            .is_some_and(|l| l.leader == leader);
        if !following || s.is_some_and(|s| s.zab_state != ZabState::Broadcast) {
            let state = s.map_or("DOWN".to_string(), |s| s.detailed_peer_state());
            return format!("{v} is not in broadcast with {leader} ({state})");
        }
        if self.cuts.contains(&(leader, v)) {
            return format!("link {leader}→{v} is cut: the proposal waits at the cut");
        }
        if self.cuts.contains(&(v, leader)) {
            return format!("link {v}→{leader} is cut: its ACK waits at the cut");
        }
        if let Some(l) = self.link_latency_of(leader, v) {
            return format!(
                "link {leader}→{v} is slow ({}): the proposal is still on its way",
                ms(l)
            );
        }
        if let Some(l) = self.link_latency_of(v, leader) {
            return format!(
                "link {v}→{leader} is slow ({}): its ACK is still on its way",
                ms(l)
            );
        }
        if let Some(f) = self.fsync_of(v) {
            return format!("{v}'s fsync is slow ({}): it ACKs only after it", ms(f));
        }
        format!("{v}'s ACK is in flight")
    }

    fn diag_writes(&self, out: &mut Vec<Finding>) {
        let now = self.now_ms;
        let mut leader_stalled = false;
        if let Some((leader, l)) = self.established() {
            if let Some((zxid, p)) = l.outstanding.iter().next() {
                let age = now.saturating_sub(p.txn.time_ms);
                if age >= STALL_MS {
                    leader_stalled = true;
                    let q = self.quorum();
                    let acks: Vec<Sid> = p.acks.iter().copied().collect();
                    let missing: Vec<Sid> = self
                        .voters()
                        .into_iter()
                        .filter(|v| !p.acks.contains(v))
                        .collect();
                    let reasons: Vec<String> = missing
                        .iter()
                        .map(|&v| self.not_acking(leader, v))
                        .collect();
                    let mut f = Finding::new(
                        "write_stalled",
                        Severity::Critical,
                        p.txn.time_ms,
                        format!(
                            "Writes are stalled: proposal {zxid} (created at {}) has waited {} for a quorum of ACKs. It has {} of the {q} it needs ({}). Missing: {}. {} more proposal(s) wait behind it.",
                            ms(p.txn.time_ms),
                            ms(age),
                            acks.len(),
                            list_sids(&acks),
                            reasons.join("; "),
                            l.outstanding.len() - 1
                        ),
                    );
                    f.server = Some(leader);
                    f.servers = std::iter::once(leader)
                        .chain(missing.iter().copied())
                        .collect();
                    f.zxids = vec![*zxid];
                    for &v in &missing {
                        for (a, b) in [(leader, v), (v, leader)] {
                            if self.cuts.contains(&(a, b)) {
                                f.links.push(Link {
                                    from: a,
                                    to: b,
                                    state: "cut",
                                    latency_ms: None,
                                });
                            } else if let Some(lat) = self.link_latency_of(a, b) {
                                f.links.push(Link {
                                    from: a,
                                    to: b,
                                    state: "slow",
                                    latency_ms: Some(lat),
                                });
                            }
                        }
                    }
                    f.settings = vec![
                        self.setting_sync_limit(
                            "a follower that ACKs nothing for this long is dropped ('Closing connection to peer due to transaction timeout.')",
                        ),
                        self.setting_tick(),
                    ];
                    out.push(f);
                }
            }
        }
        // Client requests in process on a server that cannot finish them.
        for n in &self.nodes {
            let sid = n.sid;
            if !self.alive(sid) {
                continue;
            }
            let s = &n.server;
            let Some(oldest) = s.book.in_process.values().map(|p| p.arrived_ms).min() else {
                continue;
            };
            let age = now.saturating_sub(oldest);
            if age < STALL_MS {
                continue;
            }
            let count = s.book.in_process.len();
            let leader = s.learner().map(|l| l.leader);
            let why = if !s.serving {
                "it is not serving (no leader to sync with yet): they wait until it rejoins one, or until its clients time out".to_string()
            } else if let Some(leader) = leader {
                if self.cuts.contains(&(sid, leader)) {
                    format!("it forwards writes to leader {leader}, but link {sid}→{leader} is cut; it gives up on {leader} after syncLimit×tickTime = {} of silence", ms(self.sync_timeout()))
                } else if self.cuts.contains(&(leader, sid)) {
                    format!("the commits from leader {leader} do not reach it: link {leader}→{sid} is cut")
                } else if let Some(a) = self.absence(leader) {
                    format!("its leader {a}")
                } else if leader_stalled {
                    format!("leader {leader}'s proposals are stalled (see write_stalled)")
                } else if let Some(l) = self
                    .link_latency_of(leader, sid)
                    .or(self.link_latency_of(sid, leader))
                {
                    format!("its link to leader {leader} is slow ({})", ms(l))
                } else {
                    format!("they wait on leader {leader}")
                }
            } else if leader_stalled {
                "its proposals are stalled (see write_stalled)".to_string()
            } else {
                continue;
            };
            let mut f = Finding::new(
                "request_stalled",
                Severity::Critical,
                oldest,
                format!(
                    "Server {sid} has {count} client request(s) in process, the oldest for {}: {why}.",
                    ms(age)
                ),
            );
            f.server = Some(sid);
            f.servers = std::iter::once(sid).chain(leader).collect();
            f.evidence = vec![format!("srvr on {sid}: Outstanding: {count}")];
            f.settings =
                vec![self.setting_sync_limit("how long a follower waits on a silent leader")];
            out.push(f);
        }
    }

    /// Clients with requests waiting and no connection.
    fn diag_waiting_clients(&self, out: &mut Vec<Finding>) {
        let now = self.now_ms;
        let serving: Vec<Sid> = self
            .nodes
            .iter()
            .filter(|n| self.alive(n.sid) && n.server.serving)
            .map(|n| n.sid)
            .collect();
        for cl in &self.clients {
            if cl.state != super::ClientState::Connecting {
                continue;
            }
            let waiting = cl.queue.len() + cl.in_flight.len();
            if waiting == 0 {
                continue;
            }
            let since = self
                .obs
                .clients
                .iter()
                .rev()
                .take_while(|r| r.client != cl.name || r.state == "connecting")
                .filter(|r| r.client == cl.name)
                .map(|r| r.at_ms)
                .last()
                .unwrap_or(now);
            if now.saturating_sub(since) < STALL_MS {
                continue;
            }
            let why = if serving.is_empty() {
                "no server is serving (there is no leader), so every server it tries closes the connection".to_string()
            } else {
                format!(
                    "it tries the servers in turn; {} would take it",
                    list_sids(&serving)
                )
            };
            let mut f = Finding::new(
                "request_stalled",
                Severity::Critical,
                since,
                format!(
                    "Client {} has {waiting} request(s) waiting and no connection since {}: {why}. Its session survives if it reconnects within the session timeout ({}).",
                    cl.name,
                    ms(since),
                    ms(cl.timeout_ms)
                ),
            );
            f.servers = vec![cl.server];
            if cl.session != 0 {
                f.sessions = vec![format!("0x{:x}", cl.session)];
            }
            out.push(f);
        }
    }

    // ----- slow disks and links -----

    fn diag_slow(&self, out: &mut Vec<Finding>) {
        let leader = self.current_leader();
        let sync_timeout = self.sync_timeout();
        for n in &self.nodes {
            let sid = n.sid;
            let m = &n.server.metrics;
            let configured = self.fsync_of(sid);
            let worst = m.fsynctime.max_or_zero();
            if configured.is_none() && worst <= FSYNC_WARNING_THRESHOLD_MS {
                continue;
            }
            let f_ms = configured.unwrap_or(worst);
            let role = if Some(sid) == leader {
                " As the leader it ACKs its own proposals only after that fsync, so every write waits for it unless a quorum of followers ACKs first."
            } else {
                " It ACKs each proposal only after that fsync, so the leader counts its ACK that much later."
            };
            let beyond = if f_ms >= sync_timeout {
                format!(
                    " That is longer than syncLimit×tickTime ({}): the leader drops it as a follower that does not ACK.",
                    ms(sync_timeout)
                )
            } else {
                String::new()
            };
            let mut f = Finding::new(
                "slow_disk",
                if f_ms >= sync_timeout {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                self.now_ms,
                format!(
                    "Server {sid}'s disk is slow: an fsync of its txn log takes {} (normal: {}-{} ms).{role}{beyond}",
                    ms(f_ms),
                    self.scenario.network.fsync_ms[0],
                    self.scenario.network.fsync_ms[1]
                ),
            );
            f.server = Some(sid);
            f.servers = vec![sid];
            f.evidence.push(format!(
                "mntr on {sid}: zk_avg_fsynctime {} zk_max_fsynctime {} zk_cnt_fsynctime {}",
                crate::fourlw::java_double(m.fsynctime.avg()),
                m.fsynctime.max_or_zero(),
                m.fsynctime.count
            ));
            if let Some(l) = self
                .log
                .iter()
                .rev()
                .find(|l| l.sid == sid && l.text.starts_with("fsync-ing the write ahead log"))
            {
                f.evidence.push(format!("server {sid}: {}", l.text));
            }
            f.settings = vec![
                Setting {
                    name: "fsync.warningthresholdms",
                    value: ms(FSYNC_WARNING_THRESHOLD_MS),
                    why: "ZooKeeper warns of every fsync longer than this".into(),
                },
                self.setting_sync_limit("a follower whose ACKs come later than this is dropped"),
            ];
            out.push(f);
        }
        for (&(a, b), _) in self.link_latency.iter() {
            let Some(lat) = self.link_latency_of(a, b) else {
                continue;
            };
            let roles = match leader {
                Some(l) if l == a => format!(
                    "Every proposal and commit from leader {a} reaches {b} {} late, so {b}'s ACKs count toward a quorum at least that much later",
                    ms(lat)
                ),
                Some(l) if l == b => format!(
                    "Every ACK (and every forwarded write) from {a} reaches leader {b} {} late",
                    ms(lat)
                ),
                _ => format!("Everything {a} sends to {b} takes {}", ms(lat)),
            };
            let verdict = if lat >= sync_timeout {
                format!(
                    "; that is longer than syncLimit×tickTime ({}), so the follower cannot stay in sync: it is dropped and rejoins, again and again",
                    ms(sync_timeout)
                )
            } else {
                format!(
                    "; still under syncLimit×tickTime ({}), so {b} stays in the ensemble, only slower",
                    ms(sync_timeout)
                )
            };
            let mut f = Finding::new(
                "slow_link",
                if lat >= sync_timeout {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                self.now_ms,
                format!(
                    "Link {a}→{b} is slow: {} one way (normal: {}-{} ms). {roles}{verdict}.",
                    ms(lat),
                    self.scenario.network.latency_ms[0],
                    self.scenario.network.latency_ms[1]
                ),
            );
            f.servers = vec![a, b];
            f.links = vec![Link {
                from: a,
                to: b,
                state: "slow",
                latency_ms: Some(lat),
            }];
            if let Some(l) = leader {
                if let Some(q) = self.node(l) {
                    let m = &q.server.metrics.quorum_ack_latency;
                    if m.summary.count > 0 {
                        f.evidence.push(format!(
                            "mntr on {l}: zk_avg_quorum_ack_latency {} zk_max_quorum_ack_latency {}",
                            crate::fourlw::java_double(m.summary.avg()),
                            m.summary.max_or_zero()
                        ));
                    }
                }
            }
            f.settings = vec![
                self.setting_sync_limit("how late a follower's ACKs may come before it is dropped"),
                self.setting_tick(),
            ];
            out.push(f);
        }
    }

    // ----- timeouts that dropped a peer -----

    fn diag_dropped(&self, out: &mut Vec<Finding>) {
        // (server, kind) -> (count, first, last, sample line, peers)
        type Seen = (u64, u64, u64, String, BTreeSet<Sid>);
        let mut seen: BTreeMap<(Sid, &'static str), Seen> = BTreeMap::new();
        for l in &self.log {
            let text = first_line(l);
            let (kind, peer) =
                if text.starts_with("Closing connection to peer due to transaction timeout.") {
                    ("transaction_timeout", None)
                } else if text
                    .starts_with("Unexpected exception causing shutdown while sock still open")
                    && l.text.contains("Read timed out")
                {
                    let peer = l
                        .text
                        .rsplit("(peer sid ")
                        .next()
                        .and_then(|p| p.trim_end_matches(')').parse::<Sid>().ok());
                    ("leader_read_timeout", peer)
                } else if text.starts_with("Exception when") && l.text.contains("Read timed out") {
                    ("learner_read_timeout", None)
                } else {
                    continue;
                };
            let e = seen.entry((l.sid, kind)).or_insert((
                0,
                l.at_ms,
                l.at_ms,
                l.text.replace('\n', " / "),
                BTreeSet::new(),
            ));
            e.0 += 1;
            e.2 = l.at_ms;
            e.4.extend(peer);
        }
        for ((sid, kind), (count, first, last, line, peers)) in seen {
            let peers: Vec<Sid> = peers.into_iter().collect();
            let span = if first == last {
                format!("at {}", ms(first))
            } else {
                format!("from {} to {}", ms(first), ms(last))
            };
            let n = times(count);
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
            let mut f = Finding::new("follower_dropped", Severity::Warning, first, text);
            f.now = false;
            f.until_ms = Some(last);
            f.server = Some(sid);
            f.servers = std::iter::once(sid).chain(peers).collect();
            f.evidence = vec![format!("server {sid}: {line}")];
            f.settings = vec![
                self.setting_sync_limit(
                    "the read timeout of a synced follower and of the leader's side",
                ),
                self.setting_init_limit("the timeouts while connecting and syncing"),
                self.setting_tick(),
            ];
            out.push(f);
        }
    }

    // ----- why a learner synced the way it did -----

    fn diag_syncs(&self, out: &mut Vec<Finding>) {
        let e = &self.scenario.ensemble;
        let commit_log = e.commit_log_count.max(crate::server::MIN_COMMIT_LOG_COUNT);
        for y in &self.syncs {
            // The leader's decision line for this learner.
            let prefix = format!("Synchronizing with Learner sid: {} ", y.learner);
            let decision =
                self.log.iter().rev().find(|l| {
                    l.sid == y.leader && l.at_ms <= y.at_ms && l.text.starts_with(&prefix)
                });
            let Some(decision) = decision else {
                continue;
            };
            let field = |name: &str| -> Option<Zxid> {
                let i = decision.text.find(&format!("{name}=0x"))?;
                let rest = &decision.text[i + name.len() + 3..];
                let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
                u64::from_str_radix(&hex, 16).ok().map(Zxid)
            };
            let (Some(max), Some(min), Some(lpz), Some(peer)) = (
                field("maxCommittedLog"),
                field("minCommittedLog"),
                field("lastProcessedZxid"),
                field("peerLastZxid"),
            ) else {
                continue;
            };
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
            let window = format!("[{min}, {max}]");
            if peer == Zxid::ZERO && max.counter() == 0 && lpz.counter() == 0 {
                continue; // an empty server joining an empty ensemble
            }
            let (id, severity, why, settings) = match y.mode {
                SyncMode::Diff => {
                    if peer >= max {
                        continue; // already up to date: nothing worth telling
                    }
                    let txns = if peer.epoch() == max.epoch() {
                        format!("{} txn(s)", max.counter().saturating_sub(peer.counter()))
                    } else {
                        "the txns".to_string()
                    };
                    let how = if has("Use txnlog and committedLog") {
                        "the leader read the older ones from its txn log (their size was under snapshotSizeFactor × the snapshot) and the rest from its committed log"
                    } else {
                        "it is within the leader's committed log"
                    };
                    (
                        "sync_diff",
                        Severity::Info,
                        format!("its last zxid {peer} was behind the leader's {lpz}, and {how} {window}, so the leader sent {txns} it missed"),
                        vec![Setting {
                            name: "zookeeper.commitLogCount",
                            value: commit_log.to_string(),
                            why: "how many recent txns the leader keeps to DIFF from".into(),
                        }],
                    )
                }
                SyncMode::Trunc => (
                    "sync_trunc",
                    Severity::Warning,
                    format!(
                        "its last zxid {peer} is ahead of the leader's maxCommittedLog {max} in the same epoch: it logged txns no quorum acknowledged (as a leader or follower that died or was cut off before they committed); they were discarded (TRUNC to {max})"
                    ),
                    Vec::new(),
                ),
                SyncMode::Snap | SyncMode::None => {
                    let why = if has("Cannot send TRUNC") {
                        format!(
                            "its log ends in txns of an abandoned epoch ({peer}) and the leader already has newer-epoch txns: ZooKeeper does not TRUNC across epochs, so it sent a full snapshot"
                        )
                    } else if has("txnLogSyncEnabled=false") {
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
                        format!(
                            "its last zxid {peer} did not fit the leader's committed log {window}"
                        )
                    };
                    (
                        "sync_snap",
                        if peer == Zxid::ZERO {
                            Severity::Info
                        } else {
                            Severity::Warning
                        },
                        why,
                        vec![
                            Setting {
                                name: "zookeeper.commitLogCount",
                                value: commit_log.to_string(),
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
                        ],
                    )
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
            f.zxids = vec![peer, min, max];
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
            out.push(f);
        }
    }

    // ----- why a session expired -----

    fn diag_sessions(&self, out: &mut Vec<Finding>) {
        for l in &self.log {
            let Some(rest) = l.text.strip_prefix("Expiring session 0x") else {
                continue;
            };
            let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            let Ok(session) = u64::from_str_radix(&hex, 16) else {
                continue;
            };
            let timeout: u64 = rest
                .split("timeout of ")
                .nth(1)
                .and_then(|t| t.split("ms").next())
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let (t, leader) = (l.at_ms, l.sid);
            let from = t.saturating_sub(timeout);
            let rec = self
                .obs
                .clients
                .iter()
                .rev()
                .find(|r| r.session == session && r.at_ms <= from.max(1));
            let rec = rec.or_else(|| self.obs.clients.iter().rev().find(|r| r.session == session));
            let mut reasons = Vec::new();
            let mut servers = vec![leader];
            let client = rec.map(|r| r.client.clone());
            if let Some(r) = rec {
                let s = r.server;
                servers.push(s);
                if let Some(k) = self.killed_at(s, t).filter(|&k| k + timeout >= t) {
                    reasons.push(format!(
                        "its server {s} was killed at {} and the client did not re-attach the session to another server in time",
                        ms(k)
                    ));
                }
                for p in self.pauses().iter().filter(|p| p.from < t && p.to > from) {
                    if p.sid == s || p.sid == leader {
                        let who = if p.sid == leader {
                            format!("the leader {leader}")
                        } else {
                            format!("its server {s}")
                        };
                        reasons.push(format!(
                            "{who} was paused (a GC stall) from {} to {}",
                            ms(p.from),
                            ms(p.to)
                        ));
                    }
                }
                if s != leader
                    && (self.cut_during(s, leader, from, t) || self.cut_during(leader, s, from, t))
                {
                    reasons.push(format!(
                        "its server {s} was cut off from the leader {leader}: a learner passes its sessions' pings to the leader only in its PING replies"
                    ));
                }
                if r.state == "connecting" {
                    reasons.push(format!(
                        "the client had no connection since {} (no server would take it)",
                        ms(r.at_ms)
                    ));
                }
            }
            if reasons.is_empty() {
                reasons.push(match rec {
                    Some(r) if r.state == "connected" => format!(
                        "its client was connected to server {}, which was up and could reach the leader, yet sent nothing within the timeout (a client pings every third of it): the client itself stalled",
                        r.server
                    ),
                    _ => "no ping of the session reached the leader".to_string(),
                });
            }
            let mut f = Finding::new(
                "session_expired",
                Severity::Critical,
                t,
                format!(
                    "Session 0x{session:x}{} expired at {} on leader {leader}: no heartbeat reached the leader for its timeout of {}: {}. Its ephemeral nodes are deleted (closeSession).",
                    client.map(|c| format!(" (client {c})")).unwrap_or_default(),
                    ms(t),
                    ms(timeout),
                    reasons.join("; ")
                ),
            );
            f.now = false;
            f.server = Some(leader);
            servers.sort_unstable();
            servers.dedup();
            f.servers = servers;
            f.sessions = vec![format!("0x{session:x}")];
            f.evidence = vec![format!("server {leader}: {}", l.text)];
            let e = &self.scenario.ensemble;
            f.settings = vec![
                Setting {
                    name: "session timeout",
                    value: ms(timeout),
                    why: format!(
                        "negotiated between minSessionTimeout ({}) and maxSessionTimeout ({}); the leader expires sessions at tick boundaries",
                        ms(2 * e.tick_ms),
                        ms(20 * e.tick_ms)
                    ),
                },
                Setting {
                    name: "maxSessionTimeout",
                    value: ms(20 * e.tick_ms),
                    why: "the longest timeout a client can get (20 ticks by default)".into(),
                },
                self.setting_tick(),
            ];
            out.push(f);
        }
    }

    // ----- why a server keeps electing -----

    fn diag_churn(&self, out: &mut Vec<Finding>) {
        let now = self.now_ms;
        let window_start = now.saturating_sub(CHURN_WINDOW_MS);
        for n in &self.nodes {
            let sid = n.sid;
            if !self.running(sid) {
                continue;
            }
            // Elections this server ran while the ensemble did not change
            // leaders as often (more elections than leaders established),
            // or one it is stuck in while a leader leads.
            let elections: Vec<&LogEntry> = self
                .log
                .iter()
                .filter(|l| {
                    l.sid == sid && l.at_ms >= window_start && l.text.starts_with("New election.")
                })
                .collect();
            let leaders = self
                .leaders
                .iter()
                .filter(|l| l.established_ms >= window_start)
                .count();
            let repeated = elections.len() >= CHURN_ELECTIONS
                && elections.len() >= leaders + CHURN_ELECTIONS - 1;
            let stuck_since = (n.server.state == ServerState::Looking
                && self.current_leader().is_some())
            .then(|| {
                self.log
                    .iter()
                    .rev()
                    .find(|l| l.sid == sid && l.text.starts_with("New election."))
                    .map_or(0, |l| l.at_ms)
            })
            .filter(|&t| now.saturating_sub(t) >= STUCK_LOOKING_MS);
            if !repeated && stuck_since.is_none() {
                continue;
            }
            let recent = |p: &str| -> Vec<&LogEntry> {
                self.log
                    .iter()
                    .filter(|l| l.sid == sid && l.at_ms >= window_start && l.text.starts_with(p))
                    .collect()
            };
            let lost = recent("Exception when following the leader");
            let lost_obs = recent("Exception when observing the leader");
            let connect_fail = recent("Unexpected exception, tries=");
            let backoff = self
                .log
                .iter()
                .rev()
                .find(|l| l.sid == sid && l.text.starts_with("Notification time out: "));
            let mut reasons = Vec::new();
            let mut links = Vec::new();
            // The leader it tried to follow.
            let target: Option<Sid> = connect_fail
                .last()
                .and_then(|l| l.text.rsplit(':').next())
                .and_then(|p| p.trim().parse::<u32>().ok())
                .map(|port| port.saturating_sub(28880))
                .or_else(|| n.server.learner().map(|l| l.leader))
                .or(stuck_since.and(self.current_leader()));
            for &(a, b) in &self.cuts {
                if (a == sid || b == sid) && !self.cuts.contains(&(b, a)) {
                    links.push(Link {
                        from: a,
                        to: b,
                        state: "cut",
                        latency_ms: None,
                    });
                }
            }
            if !links.is_empty() {
                let l: Vec<String> = links
                    .iter()
                    .map(|l| format!("{}→{}", l.from, l.to))
                    .collect();
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
                reasons.push(format!(
                    "a one-way partition: {} is cut while the other direction works; {effect}",
                    l.join(", ")
                ));
            }
            if let Some(t) = target {
                if self.cuts.contains(&(sid, t)) && self.cuts.contains(&(t, sid)) {
                    reasons.push(format!(
                        "it is partitioned from leader {t} (both directions): nothing it sends reaches the majority's side; it rejoins when the partition heals"
                    ));
                    links.push(Link {
                        from: sid,
                        to: t,
                        state: "cut",
                        latency_ms: None,
                    });
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
                    reasons.push(format!(
                        "link {a}→{b} to its leader takes {}, {verdict}",
                        ms(l)
                    ));
                    links.push(Link {
                        from: a,
                        to: b,
                        state: "slow",
                        latency_ms: Some(l),
                    });
                }
                if let Some(last) = connect_fail.last() {
                    // Say when: the failures may be from an earlier round
                    // than the vote it holds now.
                    reasons.push(format!(
                        "when it last chose to follow leader {t} (at {}) it could not connect to it ({} failed attempt(s); a learner gives up after 5 tries or initLimit×tickTime)",
                        ms(last.at_ms),
                        connect_fail.len()
                    ));
                }
            }
            let timeouts = lost
                .iter()
                .chain(lost_obs.iter())
                .filter(|l| l.text.contains("Read timed out"))
                .count();
            if timeouts > 0 {
                reasons.push(format!(
                    "{timeouts} time(s) it heard nothing from its leader for the read timeout and went back to LOOKING"
                ));
            }
            if let Some(b) = backoff {
                reasons.push(format!(
                    "its notifications back off: {} (up to {})",
                    b.text.to_lowercase(),
                    ms(MAX_NOTIFICATION_INTERVAL_MS)
                ));
            }
            if reasons.is_empty() {
                reasons.push("its elections do not end with a leader it can follow".to_string());
            }
            let head = match stuck_since {
                Some(t) => format!(
                    "Server {sid} has been LOOKING since {} while leader {} leads: it cannot join",
                    ms(t),
                    self.current_leader().unwrap_or(0)
                ),
                None => format!(
                    "Server {sid} keeps restarting elections: {} since {} while {} leader(s) were established",
                    elections.len(),
                    ms(elections.first().map_or(0, |l| l.at_ms)),
                    leaders
                ),
            };
            let mut f = Finding::new(
                "election_churn",
                Severity::Warning,
                stuck_since.unwrap_or(elections.first().map_or(0, |l| l.at_ms)),
                format!("{head}. Why: {}.", reasons.join("; ")),
            );
            f.server = Some(sid);
            f.servers = std::iter::once(sid).chain(target).collect();
            f.links = links;
            f.evidence = lost
                .iter()
                .chain(connect_fail.iter())
                .rev()
                .take(3)
                .map(|l| format!("server {sid}: {}", l.text.replace('\n', " / ")))
                .collect();
            f.settings = vec![
                self.setting_init_limit(
                    "how long a learner tries to connect to and sync with its leader",
                ),
                self.setting_sync_limit("how long a follower waits on a silent leader"),
                Setting {
                    name: "zookeeper.fastleader.maxNotificationInterval",
                    value: ms(MAX_NOTIFICATION_INTERVAL_MS),
                    why: "the ceiling of the notification back-off".into(),
                },
            ];
            out.push(f);
        }
    }

    // ----- why reads are stale -----

    fn diag_stale(&self, out: &mut Vec<Finding>) {
        let leader = self.established();
        let top_epoch = self.leaders.iter().map(|l| l.epoch).max().unwrap_or(0);
        // A leader of an older epoch, or one cut off from its quorum, that
        // still serves.
        for n in &self.nodes {
            let s = &n.server;
            let Some(l) = s.leader() else {
                continue;
            };
            if !self.running(n.sid) || !s.serving {
                continue;
            }
            let reach: Vec<Sid> = self
                .voters()
                .into_iter()
                .filter(|&v| {
                    v == n.sid
                        || (self.alive(v)
                            && !self.cuts.contains(&(n.sid, v))
                            && !self.cuts.contains(&(v, n.sid)))
                })
                .collect();
            let older = l.epoch < top_epoch;
            if !older && reach.len() >= self.quorum() {
                continue;
            }
            let newer = self
                .leaders
                .iter()
                .rev()
                .find(|r| r.epoch > l.epoch)
                .map(|r| {
                    format!(
                        " Server {} leads epoch {} since {}.",
                        r.sid,
                        r.epoch,
                        ms(r.established_ms)
                    )
                })
                .unwrap_or_default();
            let mut f = Finding::new(
                "deposed_leader",
                Severity::Critical,
                self.now_ms,
                format!(
                    "Server {} still leads epoch {} and answers reads, but it can reach only {} of the voters ({}).{newer} Its clients read stale data and their writes fail until it notices at a tick check (within syncLimit ticks = {}) and steps down.",
                    n.sid,
                    l.epoch,
                    reach.len(),
                    list_sids(&reach),
                    ms(self.sync_timeout())
                ),
            );
            f.server = Some(n.sid);
            f.servers = vec![n.sid];
            f.links = self
                .cut_links_among(&self.voters())
                .into_iter()
                .filter(|k| k.from == n.sid || k.to == n.sid)
                .collect();
            f.settings = vec![
                self.setting_sync_limit(
                    "how many ticks a leader keeps leading without a synced quorum",
                ),
                self.setting_tick(),
            ];
            out.push(f);
        }
        // Past: a leader that kept leading after a partition cut it off
        // from its quorum, until its tick check made it step down.
        for rec in &self.leaders {
            let Some(down) = self.log.iter().find(|l| {
                l.sid == rec.sid
                    && l.at_ms >= rec.established_ms
                    && l.text.starts_with(
                        "Shutdown called. For the reason Not sufficient followers synced",
                    )
            }) else {
                continue;
            };
            // When it lost a quorum it could reach: a partition or cut that
            // left it with fewer than a quorum of voters (both ways), or a
            // pause it resumed from, still leading.
            let q = self.quorum();
            let mut cuts: BTreeSet<(Sid, Sid)> = BTreeSet::new();
            let mut cut_from: Option<u64> = None;
            for (t, _, k) in self.timeline() {
                if t > down.at_ms {
                    break;
                }
                apply_cuts(&mut cuts, k);
                let reach = self
                    .voters()
                    .into_iter()
                    .filter(|&v| {
                        v == rec.sid
                            || (!cuts.contains(&(rec.sid, v)) && !cuts.contains(&(v, rec.sid)))
                    })
                    .count();
                if t < rec.established_ms {
                    continue;
                }
                if reach < q {
                    cut_from.get_or_insert(t);
                } else {
                    cut_from = None;
                }
            }
            let resumed =
                self.pauses().into_iter().rev().find(|p| {
                    p.sid == rec.sid && p.from >= rec.established_ms && p.to <= down.at_ms
                });
            let (from, how) = match (cut_from, resumed) {
                (Some(t), _) => (t, format!("was cut off from its quorum at {}", ms(t))),
                (None, Some(p)) => (
                    p.to,
                    format!(
                        "was paused (a GC stall) from {} to {}; its followers gave up on it meanwhile, but it resumed still the leader",
                        ms(p.from),
                        ms(p.to)
                    ),
                ),
                (None, None) => continue,
            };
            let newer = self
                .leaders
                .iter()
                .find(|r| r.epoch > rec.epoch && r.established_ms <= down.at_ms)
                .map(|r| {
                    format!(
                        " Meanwhile server {} was elected for epoch {} at {}: two servers said they led.",
                        r.sid,
                        r.epoch,
                        ms(r.established_ms)
                    )
                })
                .unwrap_or_default();
            let mut f = Finding::new(
                "deposed_leader",
                Severity::Warning,
                from,
                format!(
                    "Leader {} (epoch {}) {how}: it kept leading, and answering its clients' reads, until {}, when its tick check found too few followers in sync and it stepped down.{newer} Reads it served in between could be stale; its clients' writes could not commit.",
                    rec.sid,
                    rec.epoch,
                    ms(down.at_ms)
                ),
            );
            f.now = false;
            f.until_ms = Some(down.at_ms);
            f.server = Some(rec.sid);
            f.servers = vec![rec.sid];
            f.evidence = vec![format!("server {}: {}", rec.sid, down.text)];
            f.settings = vec![
                self.setting_sync_limit(
                    "how many ticks a leader keeps leading without a synced quorum",
                ),
                self.setting_tick(),
            ];
            out.push(f);
        }
        // Serving learners behind the leader.
        if let Some((lsid, _)) = leader {
            let lz = self
                .node(lsid)
                .map_or(Zxid::ZERO, |n| n.server.tree.last_processed_zxid);
            for n in &self.nodes {
                let s = &n.server;
                let sid = n.sid;
                if sid == lsid || !self.running(sid) || !s.serving {
                    continue;
                }
                let Some(follows) = s.learner().map(|l| l.leader) else {
                    continue;
                };
                let z = s.tree.last_processed_zxid;
                if z >= lz {
                    continue;
                }
                let lag = if z.epoch() == lz.epoch() {
                    u64::from(lz.counter() - z.counter())
                } else {
                    u64::from(lz.counter())
                };
                if lag == 0 {
                    continue; // the leader's new epoch has no txn yet
                }
                let mut why = Vec::new();
                if let Some(t) = self.paused(sid) {
                    why.push(format!("it is paused until {}", ms(t)));
                }
                if follows != lsid {
                    why.push(format!(
                        "it still follows {follows}, not the current leader {lsid}"
                    ));
                }
                if self.cuts.contains(&(lsid, sid)) {
                    why.push(format!(
                        "link {lsid}→{sid} is cut: it gets no commits, yet serves until syncLimit×tickTime ({}) of silence",
                        ms(self.sync_timeout())
                    ));
                }
                if let Some(l) = self.link_latency_of(lsid, sid) {
                    why.push(format!("link {lsid}→{sid} is slow ({})", ms(l)));
                }
                if let Some(f) = self.fsync_of(sid) {
                    why.push(format!("its disk is slow (fsync {}): it applies a commit only after logging the proposal", ms(f)));
                }
                if why.is_empty() && lag < STALE_TXNS {
                    continue;
                }
                if why.is_empty() {
                    why.push("commits reach it later than they are made".to_string());
                }
                let role = if n.role == Role::Observer {
                    "observer"
                } else {
                    "follower"
                };
                let mut f = Finding::new(
                    "stale_follower",
                    Severity::Warning,
                    self.now_ms,
                    format!(
                        "Server {sid} ({role}) serves reads {lag} txn(s) behind leader {lsid} ({z} vs {lz}): {}. ZooKeeper reads are sequentially consistent; a client that must see the latest write calls sync() first.",
                        why.join("; ")
                    ),
                );
                f.server = Some(sid);
                f.servers = vec![sid, lsid];
                f.zxids = vec![z, lz];
                if self.cuts.contains(&(lsid, sid)) {
                    f.links.push(Link {
                        from: lsid,
                        to: sid,
                        state: "cut",
                        latency_ms: None,
                    });
                }
                if let Some(l) = self.link_latency_of(lsid, sid) {
                    f.links.push(Link {
                        from: lsid,
                        to: sid,
                        state: "slow",
                        latency_ms: Some(l),
                    });
                }
                f.settings = vec![self.setting_sync_limit(
                    "how long a follower serves without hearing from its leader",
                )];
                out.push(f);
            }
        }
        // Reads in the run's history that returned older data than the
        // leader had already committed when the answer arrived.
        // (client, server) -> (reads, first at, worst lag, saw, committed)
        type Stale = (u64, u64, u64, Zxid, Zxid);
        let mut by: BTreeMap<(String, Sid), Stale> = BTreeMap::new();
        for (r, &committed) in self.reads.iter().zip(&self.obs.read_marks) {
            if r.zxid >= committed {
                continue;
            }
            let lag = if r.zxid.epoch() == committed.epoch() {
                u64::from(committed.counter() - r.zxid.counter())
            } else {
                u64::from(committed.counter())
            };
            if lag == 0 {
                continue;
            }
            let e = by
                .entry((r.client.clone(), r.server))
                .or_insert((0, r.at_ms, 0, r.zxid, committed));
            e.0 += 1;
            if lag > e.2 {
                e.2 = lag;
                e.3 = r.zxid;
                e.4 = committed;
            }
        }
        // The deposed-leader episodes (server, from, to) found above.
        let deposed: Vec<(Sid, u64, u64)> = out
            .iter()
            .filter(|f| f.id == "deposed_leader" && !f.now)
            .filter_map(|f| Some((f.server?, f.at_ms, f.until_ms?)))
            .collect();
        for ((client, server), (count, first, worst, saw, was)) in by {
            let on_deposed = self.reads.iter().any(|r| {
                r.client == client
                    && r.server == server
                    && deposed
                        .iter()
                        .any(|&(s, a, b)| s == server && r.at_ms >= a && r.at_ms <= b)
            });
            let remedy = if on_deposed {
                format!(
                    " Server {server} was a deposed leader at the time (see deposed_leader): there even sync() returns stale data, since the deposed leader answers the sync itself; only its stepping down (syncLimit ticks) ends it."
                )
            } else {
                " Allowed by ZooKeeper's sequential consistency; sync() before a read closes the gap.".to_string()
            };
            let mut f = Finding::new(
                "stale_read",
                if on_deposed {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                first,
                format!(
                    "Client {client} read from server {server} data older than the leader had already committed {count} time(s), at worst {worst} txn(s) behind (it saw {saw} when the leader was at {was}).{remedy}"
                ),
            );
            f.now = false;
            f.server = Some(server);
            f.servers = vec![server];
            f.zxids = vec![saw, was];
            out.push(f);
        }
    }

    // ----- high load -----

    fn diag_load(&self, out: &mut Vec<Finding>) {
        let leader = self.current_leader();
        for n in &self.nodes {
            let sid = n.sid;
            if !self.running(sid) {
                continue;
            }
            let s = &n.server;
            let c = &s.counters;
            let outstanding = s.outstanding_requests();
            let avg_milli = (c.latency_total_ms * 1000)
                .checked_div(c.latency_count)
                .unwrap_or(0);
            let max = c.latency_max_ms;
            let queues: Vec<(Sid, u64, u64)> = s
                .metrics
                .learner_handler_qp_size
                .iter()
                .map(|(l, q)| (*l, q.max_or_zero(), 0))
                .collect();
            let now_queues: BTreeMap<Sid, u64> = if Some(sid) == leader {
                self.learner_queues(sid).into_iter().collect()
            } else {
                BTreeMap::new()
            };
            let peak_queue = queues.iter().map(|q| q.1).max().unwrap_or(0);
            let busy = outstanding >= LOAD_OUTSTANDING
                || (c.latency_count >= 100 && avg_milli >= LOAD_LATENCY_AVG_MS * 1000)
                || max >= LOAD_LATENCY_MAX_MS
                || (Some(sid) == leader && peak_queue >= LOAD_QUEUE);
            if !busy {
                continue;
            }
            let mut text = format!(
                "Server {sid} is under load: {outstanding} request(s) in process now; request latency min/avg/max {}/{}/{} ms over {} requests since it took its role.",
                c.latency_min_ms.unwrap_or(0),
                crate::fourlw::java_double(avg_milli as f64 / 1000.0),
                max,
                c.latency_count
            );
            if Some(sid) == leader {
                let m = &s.metrics;
                let up = s
                    .leader()
                    .and_then(|l| l.established_ms)
                    .map_or(1, |t| self.now_ms.saturating_sub(t).max(1));
                text.push_str(&format!(
                    " As leader it committed {} txns ({} per second); a txn took {} ms on average from creation to its quorum of ACKs (max {}).",
                    m.commit_count,
                    m.commit_count * 1000 / up,
                    crate::fourlw::java_double(m.quorum_ack_latency.summary.avg()),
                    m.quorum_ack_latency.summary.max_or_zero()
                ));
                let deep: Vec<String> = queues
                    .iter()
                    .filter(|q| q.1 >= LOAD_QUEUE / 2)
                    .map(|q| {
                        format!(
                            "{} (peak {}, now {})",
                            q.0,
                            q.1,
                            now_queues.get(&q.0).copied().unwrap_or(0)
                        )
                    })
                    .collect();
                if !deep.is_empty() {
                    text.push_str(&format!(
                        " Packets queued to learners and not yet delivered: {}.",
                        deep.join(", ")
                    ));
                }
                let slow: Vec<String> = self
                    .voters()
                    .into_iter()
                    .filter_map(|v| {
                        self.fsync_of(v)
                            .map(|f| format!("{v}'s disk (fsync {})", ms(f)))
                            .or_else(|| {
                                self.link_latency_of(sid, v)
                                    .map(|l| format!("link {sid}→{v} ({})", ms(l)))
                            })
                    })
                    .collect();
                if !slow.is_empty() {
                    text.push_str(&format!(" The bottleneck: {}.", slow.join(", ")));
                } else {
                    text.push_str(&format!(
                        " No slow disk or link stands out: the request rate itself is the load (every write is a proposal, a quorum of fsyncs, each {} ms on average here, and ACKs, then a commit).",
                        crate::fourlw::java_double(m.fsynctime.avg())
                    ));
                }
            }
            if let Some(l) = s.learner().map(|l| l.leader).filter(|&l| Some(l) == leader) {
                if let Some(ln) = self.node(l) {
                    let m = &ln.server.metrics;
                    let up = ln
                        .server
                        .leader()
                        .and_then(|x| x.established_ms)
                        .map_or(1, |t| self.now_ms.saturating_sub(t).max(1));
                    text.push_str(&format!(
                        " Its writes go to leader {l}, which commits {} txns per second; a txn takes {} ms on average from creation to its quorum of ACKs (the leader's fsync: {} ms on average). Reads are answered here from memory.",
                        m.commit_count * 1000 / up,
                        crate::fourlw::java_double(m.quorum_ack_latency.summary.avg()),
                        crate::fourlw::java_double(m.fsynctime.avg())
                    ));
                }
            }
            let mut f = Finding::new("high_load", Severity::Warning, self.now_ms, text);
            f.server = Some(sid);
            f.servers = vec![sid];
            f.evidence = vec![format!(
                "srvr on {sid}: Latency min/avg/max: {}/{}/{} Outstanding: {outstanding}",
                c.latency_min_ms.unwrap_or(0),
                crate::fourlw::java_double(avg_milli as f64 / 1000.0),
                max
            )];
            for (l, peak, _) in &queues {
                f.evidence.push(format!(
                    "mntr on {sid}: zk_max_{l}_learner_handler_qp_size {peak}"
                ));
            }
            f.settings = vec![Setting {
                name: "globalOutstandingLimit",
                value: GLOBAL_OUTSTANDING_LIMIT.to_string(),
                why: "past this many requests in process ZooKeeper stops reading from clients"
                    .into(),
            }];
            out.push(f);
        }
    }

    // ----- how many voters -----

    fn diag_quorum_shape(&self, out: &mut Vec<Finding>) {
        let voters = self.voters();
        let observers = &self.scenario.ensemble.observers;
        let q = self.quorum();
        let leader = self.current_leader();
        let ack = leader
            .and_then(|l| self.node(l))
            .map(|n| &n.server.metrics.quorum_ack_latency.summary)
            .filter(|s| s.count > 0)
            .map(|s| {
                format!(
                    " Leader {}'s proposals took {} ms on average from creation to a quorum of ACKs (max {}).",
                    leader.unwrap_or(0),
                    crate::fourlw::java_double(s.avg()),
                    s.max_or_zero()
                )
            })
            .unwrap_or_default();
        let election = leader
            .and_then(|l| {
                self.log
                    .iter()
                    .rev()
                    .find(|x| x.sid == l && x.text.starts_with("LEADING - LEADER ELECTION TOOK - "))
            })
            .map(|x| {
                format!(
                    " Its election took {}.",
                    x.text["LEADING - LEADER ELECTION TOOK - ".len()..].to_lowercase()
                )
            })
            .unwrap_or_default();
        if voters.len() > 5 {
            let mut f = Finding::new(
                "large_quorum",
                Severity::Warning,
                self.now_ms,
                format!(
                    "{} voters: every write needs {q} ACKs (each after a follower's fsync) and every election {q} agreeing votes, so writes and elections get slower as voters are added, and more of them can stall a quorum.{ack}{election} Observers (peerType=observer) add read capacity without joining the quorum.",
                    voters.len()
                ),
            );
            f.servers = voters.clone();
            f.settings = vec![Setting {
                name: "peerType",
                value: "participant".into(),
                why: "make the extra servers observers to keep the quorum small".into(),
            }];
            out.push(f);
        } else if !observers.is_empty() {
            let mut obs = observers.clone();
            obs.sort_unstable();
            let mut f = Finding::new(
                "observers",
                Severity::Info,
                self.now_ms,
                format!(
                    "{} voters and {} observers ({}): writes wait for {q} of {} voters' ACKs and elections for {q} votes; observers get each commit (INFORM) without voting and serve reads.{ack}{election}",
                    voters.len(),
                    obs.len(),
                    list_sids(&obs),
                    voters.len()
                ),
            );
            f.servers = obs;
            f.settings = vec![Setting {
                name: "peerType",
                value: "observer".into(),
                why: "observers scale reads without growing the quorum".into(),
            }];
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests;
