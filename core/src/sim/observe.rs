//! What the simulator observes beyond the servers' own state, for the
//! operator's view: packets queued to each learner (the leader's
//! `LearnerHandler.queuedPackets` plus what is in flight), client
//! connection history, and the load figures the UI reads
//! ([`Simulation::load_stats`], [`Simulation::learner_queues`]).
//!
//! Contract: pure observation. Nothing here draws from the PRNG, schedules
//! an event or changes what a server does; the only writes outside this
//! module are to the leader's `learner_handler_qp_*` metrics, which the
//! protocol never reads. Trace hashes are unchanged by it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use super::{ClientState, LogEntry, Role, Simulation};
use crate::idmap::IdMap;
use crate::metrics::Summary;
use crate::proto::{ServerState, Sid};
use crate::server::{ConnId, Input, Level};
use crate::zxid::Zxid;

/// `LearnerHandler.markerPacketInterval`: a marker every 1000 packets.
const MARKER_INTERVAL: u64 = 1000;

/// One direction of one quorum connection.
#[derive(Debug, Clone, Default)]
pub(super) struct DirQueue {
    /// Packets sent and not yet handled by the receiver.
    pub in_flight: u64,
    pub sent: u64,
    pub handled: u64,
    /// (packet number, time queued) of the marker packets in flight.
    markers: VecDeque<(u64, u64)>,
}

/// A client's connection changed (for the diagnosis of expiries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientRecord {
    pub at_ms: u64,
    pub client: String,
    pub session: u64,
    pub server: Sid,
    /// `connecting`, `connected`, `closing`, `closed` or `expired`.
    pub state: &'static str,
}

/// The observer's state.
#[derive(Debug, Clone, Default)]
pub(super) struct Observer {
    pub queues: IdMap<[DirQueue; 2]>,
    pub fourlw_conns: u64,
    pub clients: Vec<ClientRecord>,
    last_client: BTreeMap<usize, (ClientState, Sid, u64)>,
    /// Election-port connections (`QuorumCnxManager`) that carried a
    /// notification, as (lower sid, higher sid).
    election_links: BTreeSet<(Sid, Sid)>,
    /// For each of the run's reads, in order: the established leader's
    /// last processed zxid when the answer reached the client (what was
    /// already committed then).
    pub read_marks: Vec<Zxid>,
    /// The server and network faults done so far (and the starts and heals
    /// that end them), in order: what the diagnosis names as causes.
    pub faults: Vec<FaultRecord>,
}

/// A server or network action as it was done (`start`, `restart`,
/// `crash`, `pause`, `slow_disk`, `partition`, `cut`, `heal`,
/// `slow_link`, `drop`): the action's index in the scenario, the server a
/// `"leader"` reference resolved to, and the established leader then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultRecord {
    pub at_ms: u64,
    pub action: usize,
    pub sid: Option<Sid>,
    pub leader: Option<Sid>,
}

fn state_name(s: ClientState) -> &'static str {
    match s {
        ClientState::Connecting => "connecting",
        ClientState::Connected => "connected",
        ClientState::Closing => "closing",
        ClientState::Closed => "closed",
        ClientState::Expired => "expired",
    }
}

/// What an operator reads of one server under load (the `srvr`/`mntr`
/// figures, and the leader's queue to each learner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerLoad {
    pub sid: Sid,
    pub up: bool,
    pub serving: bool,
    /// Local client requests in process (`Outstanding:`).
    pub outstanding_requests: u64,
    /// Request latency in ms, arrival to reply (`Latency min/avg/max`);
    /// `latency_avg_milli_ms` is the average in thousandths of a ms.
    pub latency_min_ms: u64,
    pub latency_avg_milli_ms: u64,
    pub latency_max_ms: u64,
    pub latency_count: u64,
    /// Client packets received and sent (`Received:`, `Sent:`).
    pub packets_received: u64,
    pub packets_sent: u64,
    pub connections: u64,
    /// Leader: proposals waiting for their quorum of ACKs.
    pub proposals_outstanding: u64,
    /// Leader: per learner sid, packets queued and not yet delivered.
    pub learner_queues: Vec<(Sid, u64)>,
    /// `zk_proposal_count`, `zk_commit_count` (leader) and
    /// `zk_learner_proposal_received_count`,
    /// `zk_learner_commit_received_count` (learners).
    pub proposal_count: u64,
    pub commit_count: u64,
    pub learner_proposal_received_count: u64,
    pub learner_commit_received_count: u64,
    /// Txn-log fsync times (`zk_*_fsynctime`).
    pub fsync: Summary,
    /// Leader: ms from a txn's creation to its quorum (`quorum_ack_latency`).
    pub quorum_ack: Summary,
    /// Write and read latency summaries (`updatelatency`, `readlatency`).
    pub write_latency: Summary,
    pub read_latency: Summary,
    pub last_zxid: Zxid,
}

impl Simulation {
    /// Action `index` is about to be done (it passed its checks): keep it
    /// when it is a server or network fault, or ends one.
    pub(super) fn obs_fault(&mut self, index: usize) {
        use crate::scenario::ActionKind as K;
        let server = match &self.scenario.actions[index].kind {
            K::Crash { server, .. }
            | K::Restart { server }
            | K::Pause { server, .. }
            | K::SlowDisk { server, .. } => Some(*server),
            K::Start { .. }
            | K::Partition { .. }
            | K::Cut { .. }
            | K::Heal
            | K::SlowLink { .. }
            | K::Drop { .. } => None,
            _ => return,
        };
        let sid = server
            .and_then(|r| self.resolve_ref(r).ok())
            .map(|i| self.nodes[i].sid);
        self.obs.faults.push(FaultRecord {
            at_ms: self.now_ms,
            action: index,
            sid,
            leader: self.established_leader(),
        });
    }

    /// A quorum packet was put on connection `id` in direction `dir`.
    pub(super) fn obs_sent(&mut self, id: ConnId, dir: usize) {
        let now = self.now_ms;
        let Some(c) = self.conns.get(&id) else {
            return;
        };
        // Direction 1 is b → a: the accepting side (a leader) to the dialer.
        let (leader, learner) = (c.b, c.a);
        let q = &mut self.obs.queues.get_or_default(id)[dir];
        let depth = q.in_flight;
        let seq = q.sent;
        q.in_flight += 1;
        q.sent += 1;
        if dir != 1 {
            return;
        }
        let Ok(i) = self.idx(leader) else {
            return;
        };
        let server = &mut self.nodes[i].server;
        if server.state != ServerState::Leading {
            return;
        }
        server
            .metrics
            .learner_handler_qp_size
            .entry(learner)
            .or_default()
            .add(depth);
        if seq.is_multiple_of(MARKER_INTERVAL) {
            if let Some(q) = self.obs.queues.get_mut(&id) {
                q[dir].markers.push_back((seq, now));
            }
        }
    }

    /// An input leaves the queue for server `sid` (handled or dropped).
    pub(super) fn obs_consumed(&mut self, sid: Sid, input: &Input) {
        if let Input::Election(n) = input {
            if n.sender != sid {
                let pair = (n.sender.min(sid), n.sender.max(sid));
                self.obs.election_links.insert(pair);
            }
            return;
        }
        let Input::Packet { conn, .. } = input else {
            return;
        };
        let Some(c) = self.conns.get(conn) else {
            self.obs.queues.remove(conn);
            return;
        };
        let dir = if c.a == sid { 1 } else { 0 };
        let (leader, learner) = (c.b, c.a);
        let now = self.now_ms;
        let Some(q) = self.obs.queues.get_mut(conn) else {
            return;
        };
        let q = &mut q[dir];
        q.in_flight = q.in_flight.saturating_sub(1);
        let seq = q.handled;
        q.handled += 1;
        let marker = match q.markers.front() {
            Some(&(m, at)) if m == seq => {
                q.markers.pop_front();
                Some(at)
            }
            _ => None,
        };
        if let (Some(at), Ok(i)) = (marker, self.idx(leader)) {
            self.nodes[i]
                .server
                .metrics
                .learner_handler_qp_time_ms
                .entry(learner)
                .or_default()
                .add(now.saturating_sub(at));
        }
    }

    /// Data held at a cut on `id` in direction `dir` is discarded.
    pub(super) fn obs_discarded(&mut self, id: ConnId, dir: usize, packets: u64) {
        if let Some(q) = self.obs.queues.get_mut(&id) {
            let q = &mut q[dir];
            q.in_flight = q.in_flight.saturating_sub(packets);
            q.sent = q.sent.saturating_sub(packets);
            let sent = q.sent;
            q.markers.retain(|(m, _)| *m < sent);
        }
    }

    /// `sid` could not send a notification to `to`, which is down:
    /// `QuorumCnxManager.connectOne` fails and says so (election channels
    /// are the simulator's network, so it writes the server's line).
    pub(super) fn obs_channel_refused(&mut self, sid: Sid, to: Sid) {
        self.push_log(LogEntry {
            at_ms: self.now_ms,
            sid,
            level: Level::Warn,
            class: "QuorumCnxManager",
            text: format!(
                "Cannot open channel to {to} at election address /127.0.0.1:{}",
                38880 + to
            ),
        });
    }

    /// `sid` was killed: each peer with an election connection to it sees
    /// the connection break (`QuorumCnxManager$RecvWorker`).
    pub(super) fn obs_crashed(&mut self, sid: Sid) {
        let links: Vec<(Sid, Sid)> = self
            .obs
            .election_links
            .iter()
            .copied()
            .filter(|&(a, b)| a == sid || b == sid)
            .collect();
        for (a, b) in links {
            self.obs.election_links.remove(&(a, b));
            let peer = if a == sid { b } else { a };
            let up = self
                .idx(peer)
                .is_ok_and(|j| self.nodes[j].up && self.nodes[j].server.running);
            if up {
                self.push_log(LogEntry {
                    at_ms: self.now_ms,
                    sid: peer,
                    level: Level::Warn,
                    class: "QuorumCnxManager$RecvWorker",
                    text: format!("Connection broken for id {sid}, my id = {peer}"),
                });
            }
        }
    }

    /// After a client event or an action: record connection changes and
    /// what the leader had committed when each new read was answered.
    pub(super) fn obs_clients(&mut self) {
        if self.obs.read_marks.len() < self.reads.len() {
            // The newest leader's view (a deposed one may still say it leads).
            let committed = self
                .nodes
                .iter()
                .filter(|n| {
                    n.up && n
                        .server
                        .leader()
                        .is_some_and(|l| l.established_ms.is_some())
                })
                .map(|n| n.server.tree.last_processed_zxid)
                .max()
                .unwrap_or(Zxid::ZERO);
            let n = self.reads.len() - self.obs.read_marks.len();
            self.obs
                .read_marks
                .extend(std::iter::repeat_n(committed, n));
        }
        for (c, cl) in self.clients.iter().enumerate() {
            let now = (cl.state, cl.server, cl.session);
            if self.obs.last_client.get(&c) != Some(&now) {
                self.obs.last_client.insert(c, now);
                self.obs.clients.push(ClientRecord {
                    at_ms: self.now_ms,
                    client: cl.name.clone(),
                    session: cl.session,
                    server: cl.server,
                    state: state_name(cl.state),
                });
            }
        }
    }

    /// How each client's connection changed over the run.
    pub fn client_history(&self) -> &[ClientRecord] {
        &self.obs.clients
    }

    /// Packets the leader `leader` has queued to each learner and not yet
    /// delivered (the simulated network has no socket-buffer limit, so
    /// this is ZooKeeper's `queuedPackets` plus the socket buffers), by
    /// learner sid.
    pub fn learner_queues(&self, leader: Sid) -> Vec<(Sid, u64)> {
        let mut out: BTreeMap<Sid, u64> = BTreeMap::new();
        for (id, c) in self.conns.iter() {
            if c.b != leader || !c.open[1] {
                continue;
            }
            let depth = self.obs.queues.get(&id).map_or(0, |q| q[1].in_flight);
            *out.entry(c.a).or_default() += depth;
        }
        out.into_iter().collect()
    }

    /// The load figures of every server (see [`ServerLoad`]).
    pub fn load_stats(&self) -> Vec<ServerLoad> {
        self.nodes
            .iter()
            .map(|n| {
                let s = &n.server;
                let c = &s.counters;
                let m = &s.metrics;
                let latency = Summary {
                    count: c.latency_count,
                    total: c.latency_total_ms,
                    min: c.latency_min_ms.unwrap_or(0),
                    max: c.latency_max_ms,
                };
                let running = n.up && s.running;
                ServerLoad {
                    sid: n.sid,
                    up: running,
                    serving: running && s.serving,
                    outstanding_requests: s.outstanding_requests(),
                    latency_min_ms: latency.min_or_zero(),
                    latency_avg_milli_ms: latency.avg_milli(),
                    latency_max_ms: latency.max_or_zero(),
                    latency_count: latency.count,
                    packets_received: c.packets_received,
                    packets_sent: c.packets_sent,
                    connections: s.cnxns.len() as u64,
                    proposals_outstanding: s.leader().map_or(0, |l| l.outstanding.len() as u64),
                    learner_queues: if s.leader().is_some() && running {
                        self.learner_queues(n.sid)
                    } else {
                        Vec::new()
                    },
                    proposal_count: m.proposal_count,
                    commit_count: m.commit_count,
                    learner_proposal_received_count: m.learner_proposal_received_count,
                    learner_commit_received_count: m.learner_commit_received_count,
                    fsync: m.fsynctime,
                    quorum_ack: m.quorum_ack_latency.summary,
                    write_latency: m.updatelatency.summary,
                    read_latency: m.readlatency.summary,
                    last_zxid: s.tree.last_processed_zxid,
                }
            })
            .collect()
    }

    /// A four-letter word sent to server `i` now: ZooKeeper counts the
    /// word as a received packet before answering and lists the querying
    /// connection in `stat`/`cons`/`Connections:`; the answer is one more
    /// sent packet. A paused process answers nothing.
    pub(super) fn four_letter_word(&mut self, i: usize, cmd: &str) -> String {
        if self.nodes[i].paused_until.is_some() {
            return String::new();
        }
        let now = self.now_ms;
        let sid = self.nodes[i].sid;
        let observer = self.nodes[i].role == Role::Observer;
        self.obs.fourlw_conns += 1;
        let port = 60000 + self.obs.fourlw_conns % 5000;
        let queues = self.learner_queues(sid);
        let server = &mut self.nodes[i].server;
        server.counters.packets_received += 1;
        server.metrics.bytes_received_count += cmd.len().min(4) as u64;
        let mut st = crate::fourlw_view::stats(server, observer, now);
        st.connections
            .push(crate::fourlw::ClientConn::four_letter_word(&format!(
                "/127.0.0.1:{port}"
            )));
        st.learner_queues = queues.iter().map(|&(s, d)| (s as u64, d)).collect();
        let out = crate::fourlw::run(cmd, &st, true);
        server.counters.packets_sent += 1;
        out
    }
}
