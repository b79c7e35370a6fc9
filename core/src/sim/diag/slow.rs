//! Load and slowness: a slow txn-log fsync (`slow_disk`, with ZooKeeper's
//! `fsync.warningthresholdms`), a slow link compared with syncLimit
//! (`slow_link`), and requests queueing up (`high_load`: requests in
//! process, latency, the leader's learner queues, from the `srvr` and
//! `mntr` figures).
//!
//! Contract: a slow disk or link is one the simulator made slower than
//! the network's normal range (or an fsync past the warning threshold);
//! load thresholds are the fixed `LOAD_*` integers below. Of its siblings
//! it uses only `evidence`.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::episodes::Fault;
use super::evidence::{arrows, ms, slow_link};
use crate::diagnosis::{Finding, Setting, Severity};
use crate::fourlw::java_double;
use crate::proto::Sid;
use crate::server::FSYNC_WARNING_THRESHOLD_MS;
use crate::sim::{Node, Simulation};

/// `globalOutstandingLimit` (ZooKeeper's default).
const GLOBAL_OUTSTANDING_LIMIT: u64 = 1000;
/// Load thresholds: requests in process, latency, learner queue depth.
const LOAD_OUTSTANDING: u64 = 10;
const LOAD_LATENCY_AVG_MS: u64 = 100;
const LOAD_LATENCY_MAX_MS: u64 = 1000;
const LOAD_QUEUE: u64 = 100;

/// Critical when it reaches syncLimit×tickTime, a warning below.
fn against_sync_limit(t: u64, sync_timeout: u64) -> Severity {
    if t >= sync_timeout {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

impl Simulation {
    // ----- slow disks -----

    pub(super) fn diag_slow_disks(&self, out: &mut Vec<Finding>) {
        let leader = self.current_leader();
        for n in &self.nodes {
            out.extend(self.slow_disk(n, leader));
        }
    }

    fn slow_disk(&self, n: &Node, leader: Option<Sid>) -> Option<Finding> {
        let sync_timeout = self.sync_timeout();
        let sid = n.sid;
        let m = &n.server.metrics;
        let configured = self.fsync_of(sid);
        let worst = m.fsynctime.max_or_zero();
        if configured.is_none() && worst <= FSYNC_WARNING_THRESHOLD_MS {
            return None;
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
            against_sync_limit(f_ms, sync_timeout),
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
            java_double(m.fsynctime.avg()),
            m.fsynctime.max_or_zero(),
            m.fsynctime.count
        ));
        if let Some(l) = self.last_line(sid, "fsync-ing the write ahead log") {
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
        // The slow disk the run injected is this card's key.
        if let Some(e) = self
            .episodes()
            .into_iter()
            .rev()
            .find(|e| e.kind == Fault::SlowDisk && e.hits(sid) && e.on_at(self.now_ms))
        {
            f.key = e.key;
            f.at_ms = e.from;
        }
        f.advice = self.advice_disk();
        Some(f)
    }

    // ----- slow links -----

    /// One finding per slow link the run injected (both directions of a
    /// pair set at once are one), with the slowest direction's figures.
    pub(super) fn diag_slow_links(&self, out: &mut Vec<Finding>) {
        let leader = self.current_leader();
        let now = self.now_ms;
        for e in self.episodes() {
            if e.kind != Fault::SlowLink || !e.on_at(now) {
                continue;
            }
            let slow: Vec<(Sid, Sid, u64)> = e
                .links
                .iter()
                .filter_map(|&(a, b)| self.link_latency_of(a, b).map(|l| (a, b, l)))
                .collect();
            let Some(&(a, b, lat)) = slow.iter().max_by_key(|x| (x.2, Reverse(x.0))) else {
                continue;
            };
            let mut f = self.slow_link_finding(a, b, lat, leader);
            if slow.len() > 1 {
                let links: Vec<_> = slow.iter().map(|&(x, y, l)| slow_link(x, y, l)).collect();
                f.text
                    .push_str(&format!(" (Slow links of this fault: {}.)", arrows(&links)));
                f.links = links;
                f.severity = f.severity.max(against_sync_limit(lat, self.sync_timeout()));
            }
            f.key = e.key.clone();
            f.at_ms = e.from;
            out.push(f);
        }
    }

    fn slow_link_finding(&self, a: Sid, b: Sid, lat: u64, leader: Option<Sid>) -> Finding {
        let sync_timeout = self.sync_timeout();
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
            against_sync_limit(lat, sync_timeout),
            self.now_ms,
            format!(
                "Link {a}→{b} is slow: {} one way (normal: {}-{} ms). {roles}{verdict}.",
                ms(lat),
                self.scenario.network.latency_ms[0],
                self.scenario.network.latency_ms[1]
            ),
        );
        f.servers = vec![a, b];
        f.links = vec![slow_link(a, b, lat)];
        if let Some(l) = leader {
            if let Some(q) = self.node(l) {
                let m = &q.server.metrics.quorum_ack_latency;
                if m.summary.count > 0 {
                    f.evidence.push(format!(
                        "mntr on {l}: zk_avg_quorum_ack_latency {} zk_max_quorum_ack_latency {}",
                        java_double(m.summary.avg()),
                        m.summary.max_or_zero()
                    ));
                }
            }
        }
        f.settings = vec![
            self.setting_sync_limit("how late a follower's ACKs may come before it is dropped"),
            self.setting_tick(),
        ];
        f.advice = self.advice_link();
        f
    }

    // ----- high load -----

    pub(super) fn diag_load(&self, out: &mut Vec<Finding>) {
        let leader = self.current_leader();
        for n in &self.nodes {
            // A paused server's figures are frozen: what it does is the
            // pause's card.
            if self.alive(n.sid) {
                out.extend(self.high_load(n, leader));
            }
        }
    }

    /// `high_load` for server `n` when it is past a load threshold: its
    /// `srvr` figures, and the leader's commit rate and bottleneck.
    fn high_load(&self, n: &Node, leader: Option<Sid>) -> Option<Finding> {
        let sid = n.sid;
        let s = &n.server;
        let c = &s.counters;
        let outstanding = s.outstanding_requests();
        let avg_milli = (c.latency_total_ms * 1000)
            .checked_div(c.latency_count)
            .unwrap_or(0);
        let max = c.latency_max_ms;
        // (learner, peak queue size)
        let queues: Vec<(Sid, u64)> = s
            .metrics
            .learner_handler_qp_size
            .iter()
            .map(|(l, q)| (*l, q.max_or_zero()))
            .collect();
        let peak_queue = queues.iter().map(|q| q.1).max().unwrap_or(0);
        let busy = outstanding >= LOAD_OUTSTANDING
            || (c.latency_count >= 100 && avg_milli >= LOAD_LATENCY_AVG_MS * 1000)
            || max >= LOAD_LATENCY_MAX_MS
            || (Some(sid) == leader && peak_queue >= LOAD_QUEUE);
        if !busy {
            return None;
        }
        let srvr = format!(
            "{}/{}/{}",
            c.latency_min_ms.unwrap_or(0),
            java_double(avg_milli as f64 / 1000.0),
            max
        );
        let mut text = format!(
            "Server {sid} is under load: {outstanding} request(s) in process now; request latency min/avg/max {srvr} ms over {} requests since it took its role.",
            c.latency_count
        );
        if Some(sid) == leader {
            text.push_str(&self.leader_load(n, &queues));
        }
        if let Some(l) = s.learner().map(|l| l.leader).filter(|&l| Some(l) == leader) {
            text.push_str(&self.learner_load(l));
        }
        let mut f = Finding::new("high_load", Severity::Warning, self.now_ms, text);
        f.server = Some(sid);
        f.servers = vec![sid];
        f.evidence = vec![format!(
            "srvr on {sid}: Latency min/avg/max: {srvr} Outstanding: {outstanding}"
        )];
        for (l, peak) in &queues {
            f.evidence.push(format!(
                "mntr on {sid}: zk_max_{l}_learner_handler_qp_size {peak}"
            ));
        }
        f.settings = vec![Setting {
            name: "globalOutstandingLimit",
            value: GLOBAL_OUTSTANDING_LIMIT.to_string(),
            why: "past this many requests in process ZooKeeper stops reading from clients".into(),
        }];
        f.advice = vec![
            format!("Every write costs a proposal, a quorum of txn-log fsyncs and a commit: batch small writes with multi(), keep the txn log on a fast dedicated device (dataLogDir), and watch mntr's zk_outstanding_requests and the learner queues. Past globalOutstandingLimit ({GLOBAL_OUTSTANDING_LIMIT}) requests in process a server stops reading from its clients."),
            "Reads are answered from memory by the server a client is connected to: spread clients over more servers, or add observers (peerType=observer), which serve reads without joining the quorum.".to_string(),
        ];
        Some(f)
    }

    /// How long `n` (a leader, or a learner's leader) has led, at least
    /// 1 ms.
    fn led_for(&self, n: &Node) -> u64 {
        n.server
            .leader()
            .and_then(|l| l.established_ms)
            .map_or(1, |t| self.now_ms.saturating_sub(t).max(1))
    }

    /// The leader's part of its `high_load` sentence: its commit rate,
    /// deep learner queues (`queues`: learner, peak) and the bottleneck.
    fn leader_load(&self, n: &Node, queues: &[(Sid, u64)]) -> String {
        let sid = n.sid;
        let m = &n.server.metrics;
        let up = self.led_for(n);
        let mut text = format!(
            " As leader it committed {} txns ({} per second); a txn took {} ms on average from creation to its quorum of ACKs (max {}).",
            m.commit_count,
            m.commit_count * 1000 / up,
            java_double(m.quorum_ack_latency.summary.avg()),
            m.quorum_ack_latency.summary.max_or_zero()
        );
        let now_queues: BTreeMap<Sid, u64> = self.learner_queues(sid).into_iter().collect();
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
                java_double(m.fsynctime.avg())
            ));
        }
        text
    }

    /// A learner's part of its `high_load` sentence: what its leader `l`
    /// commits.
    fn learner_load(&self, l: Sid) -> String {
        let Some(ln) = self.node(l) else {
            return String::new();
        };
        let m = &ln.server.metrics;
        format!(
            " Its writes go to leader {l}, which commits {} txns per second; a txn takes {} ms on average from creation to its quorum of ACKs (the leader's fsync: {} ms on average). Reads are answered here from memory.",
            m.commit_count * 1000 / self.led_for(ln),
            java_double(m.quorum_ack_latency.summary.avg()),
            java_double(m.fsynctime.avg())
        )
    }
}
