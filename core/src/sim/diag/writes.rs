//! Writes stalled: a proposal that waits for its quorum of ACKs, and on
//! whom (`write_stalled`, following the leader's outstanding proposals as
//! ZooKeeper's `Leader.processAck` counts them); client requests in process
//! on a server that cannot get them committed, and clients with requests
//! waiting and no connection (`request_stalled`).
//!
//! Contract: a stall is an age of at least [`STALL_MS`] now; each stalled
//! voter, server or client gets its one reason, the first that applies in
//! the order written here. Of its siblings it uses only `evidence`.

use super::episodes::{blame_any, blame_pair, blame_server, Fault};
use super::evidence::{cut_link, ms, slow_link};
use crate::diagnosis::{list_sids, Finding, Link, Severity};
use crate::proto::{Sid, ZabState};
use crate::sim::{ClientState, Node, Simulation};

/// A proposal or a client request older than this is stalled.
const STALL_MS: u64 = 1000;

impl Simulation {
    /// `write_stalled` for the current leader's oldest proposal, then
    /// `request_stalled` for each server's requests in process.
    pub(super) fn diag_writes(&self, out: &mut Vec<Finding>) {
        let leader_stalled = match self.write_stalled() {
            Some(f) => {
                out.push(f);
                true
            }
            None => false,
        };
        // Client requests in process on a server that cannot finish them.
        for n in &self.nodes {
            if self.alive(n.sid) {
                out.extend(self.requests_stalled(n, leader_stalled));
            }
        }
    }

    /// The current leader's oldest proposal, when it has waited
    /// [`STALL_MS`] or more for its quorum of ACKs.
    fn write_stalled(&self) -> Option<Finding> {
        let (leader, l) = self.established()?;
        let (zxid, p) = l.outstanding.iter().next()?;
        let age = self.now_ms.saturating_sub(p.txn.time_ms);
        if age < STALL_MS {
            return None;
        }
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
        let text = match self.paused(leader) {
            Some(until) => format!(
                "Writes are stalled: the leader, {leader}, is paused until {}, so proposal {zxid} (created at {}) has waited {} with {} of the {q} ACKs it needs ({}); the ACKs that arrive wait unread in its socket buffers, and {} more proposal(s) wait behind it.",
                ms(until),
                ms(p.txn.time_ms),
                ms(age),
                acks.len(),
                list_sids(&acks),
                l.outstanding.len() - 1
            ),
            None => format!(
                "Writes are stalled: proposal {zxid} (created at {}) has waited {} for a quorum of ACKs. It has {} of the {q} it needs ({}). Missing: {}. {} more proposal(s) wait behind it.",
                ms(p.txn.time_ms),
                ms(age),
                acks.len(),
                list_sids(&acks),
                reasons.join("; "),
                l.outstanding.len() - 1
            ),
        };
        let mut f = Finding::new("write_stalled", Severity::Critical, p.txn.time_ms, text);
        let eps = self.episodes();
        let server = [Fault::Paused, Fault::SlowDisk, Fault::Down];
        f.cause = blame_server(&eps, &server, leader, p.txn.time_ms, self.now_ms)
            .map(|e| e.key.clone())
            .or_else(|| {
                missing
                    .iter()
                    .find_map(|&v| blame_pair(&eps, leader, v, p.txn.time_ms, self.now_ms))
            });
        f.advice = vec![
            "A write commits once a quorum has logged it: it resumes as soon as enough voters ACK again (each ACK follows the voter's txn-log fsync, so a slow dataLogDir device delays it too).".to_string(),
            self.advice_sync_limit(),
        ];
        f.server = Some(leader);
        f.servers = std::iter::once(leader)
            .chain(missing.iter().copied())
            .collect();
        f.zxids = vec![*zxid];
        f.links = self.ack_links(leader, &missing);
        f.settings = vec![
            self.setting_sync_limit(
                "a follower that ACKs nothing for this long is dropped ('Closing connection to peer due to transaction timeout.')",
            ),
            self.setting_tick(),
        ];
        Some(f)
    }

    /// The cut or slow links between `leader` and the voters whose ACKs
    /// are `missing`, both ways.
    fn ack_links(&self, leader: Sid, missing: &[Sid]) -> Vec<Link> {
        let mut links = Vec::new();
        for &v in missing {
            for (a, b) in [(leader, v), (v, leader)] {
                if self.cuts.contains(&(a, b)) {
                    links.push(cut_link(a, b));
                } else if let Some(lat) = self.link_latency_of(a, b) {
                    links.push(slow_link(a, b, lat));
                }
            }
        }
        links
    }

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

    /// `request_stalled` for server `n`'s requests in process, when the
    /// oldest has waited [`STALL_MS`] and there is a reason it cannot
    /// finish.
    fn requests_stalled(&self, n: &Node, leader_stalled: bool) -> Option<Finding> {
        let sid = n.sid;
        let s = &n.server;
        let oldest = s.book.in_process.values().map(|p| p.arrived_ms).min()?;
        let age = self.now_ms.saturating_sub(oldest);
        if age < STALL_MS {
            return None;
        }
        let count = s.book.in_process.len();
        let leader = s.learner().map(|l| l.leader);
        let why = self.request_stall_reason(n, leader, leader_stalled)?;
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
        f.settings = vec![self.setting_sync_limit("how long a follower waits on a silent leader")];
        let eps = self.episodes();
        f.cause = match leader {
            Some(l) => blame_pair(&eps, sid, l, oldest, self.now_ms),
            None => None,
        }
        .or_else(|| blame_any(&eps, &self.voters(), oldest, self.now_ms));
        f.advice = vec![self.advice_clients_move(), self.advice_sync_limit()];
        Some(f)
    }

    /// Why server `n`'s requests wait (`leader`: the one it follows);
    /// None when there is nothing to blame.
    fn request_stall_reason(
        &self,
        n: &Node,
        leader: Option<Sid>,
        leader_stalled: bool,
    ) -> Option<String> {
        let sid = n.sid;
        if !n.server.serving {
            return Some("it is not serving (no leader to sync with yet): they wait until it rejoins one, or until its clients time out".to_string());
        }
        let Some(leader) = leader else {
            return leader_stalled
                .then(|| "its proposals are stalled (see write_stalled)".to_string());
        };
        Some(if self.cuts.contains(&(sid, leader)) {
            format!("it forwards writes to leader {leader}, but link {sid}→{leader} is cut; it gives up on {leader} after syncLimit×tickTime = {} of silence", ms(self.sync_timeout()))
        } else if self.cuts.contains(&(leader, sid)) {
            format!("the commits from leader {leader} do not reach it: link {leader}→{sid} is cut")
        } else if let Some(a) = self.absence(leader) {
            format!("the leader it followed, {a}")
        } else if leader_stalled {
            format!("leader {leader}'s proposals are stalled (see write_stalled)")
        } else if let Some(l) = self
            .link_latency_of(leader, sid)
            .or(self.link_latency_of(sid, leader))
        {
            format!("its link to leader {leader} is slow ({})", ms(l))
        } else {
            format!("they wait on leader {leader}")
        })
    }

    /// `request_stalled` for clients with requests waiting and no
    /// connection.
    pub(super) fn diag_waiting_clients(&self, out: &mut Vec<Finding>) {
        let now = self.now_ms;
        let serving: Vec<Sid> = self
            .nodes
            .iter()
            .filter(|n| self.alive(n.sid) && n.server.serving)
            .map(|n| n.sid)
            .collect();
        for cl in &self.clients {
            if cl.state != ClientState::Connecting {
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
            f.cause = blame_any(&self.episodes(), &self.voters(), since, now);
            f.advice = self.advice_session(cl.timeout_ms);
            out.push(f);
        }
    }
}
