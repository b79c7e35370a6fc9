//! Liveness expectations: an `expect` action waits for a leader, for every
//! server to be in BROADCAST, for the pending writes to commit or for a
//! group recipe to converge, until its deadline.
//!
//! Contract:
//! - `start_expectation` records what is expected and schedules
//!   `Event::ExpectDeadline`; `check_expectations` (run after every event by
//!   `run_checks`, while one is open) marks what holds now as done;
//!   `expectation_deadline` reports a `Liveness*` violation through the
//!   checker if it never held.
//! - `answered_write` is how an expectation hears of its writes: committed,
//!   resubmitted after a ConnectionLoss (as a retrying client such as
//!   Curator does, `WRITE_RETRIES` times), or failed.
//! - Never draws from the RNG and never changes a server; the only events
//!   it schedules are its deadlines, and the only requests it queues are
//!   the resubmissions.

use super::{Event, PendingOp, Simulation};
use crate::proto::{RequestOp, ServerState, Sid, ZabState};
use crate::scenario::Expectation;

/// How often a `writes_commit` expectation resubmits a write that failed
/// with ConnectionLoss (what a retrying client such as Curator does).
const WRITE_RETRIES: u32 = 5;

/// A liveness expectation from an `expect` action, until it holds or its
/// deadline passes.
#[derive(Debug, Clone)]
pub(super) struct Expecting {
    pub(super) what: Expectation,
    pub(super) since_ms: u64,
    pub(super) deadline_ms: u64,
    /// WritesCommit: (client index, cxid) of the writes still waited for.
    pub(super) writes: Vec<(usize, u32)>,
    /// WritesCommit: resubmissions left after a ConnectionLoss.
    pub(super) retries: u32,
    pub(super) done: bool,
    /// Times the deadline was moved for an election still converging
    /// ([`Simulation::election_grace`]).
    pub(super) extended: u32,
}

impl Simulation {
    /// The latest deadline of an expectation still open after `until_ms`
    /// (one moved by [`Simulation::election_grace`]).
    pub(super) fn open_expectation_deadline(&self) -> Option<u64> {
        self.expectations
            .iter()
            .filter(|e| !e.done && e.deadline_ms > self.now_ms)
            .map(|e| e.deadline_ms)
            .max()
    }

    /// Marks the expectations that hold now as done.
    pub(super) fn check_expectations(&mut self) {
        let leader = self.established_leader().is_some();
        let all_synced = self.nodes.iter().all(|n| {
            !n.up || n.paused_until.is_some() || n.server.zab_state == ZabState::Broadcast
        });
        let groups = self.groups_converged();
        for e in self.expectations.iter_mut().filter(|e| !e.done) {
            e.done = match e.what {
                Expectation::Leader => leader,
                Expectation::AllSynced => all_synced,
                Expectation::WritesCommit => e.writes.is_empty(),
                Expectation::GroupConverged => groups.is_ok(),
            };
        }
    }

    /// An `expect` action: waits for `what` until `now + within_ms`.
    pub(super) fn start_expectation(
        &mut self,
        what: Expectation,
        within_ms: u64,
        client: Option<&str>,
    ) {
        let writes = if what == Expectation::WritesCommit {
            self.clients
                .iter()
                .enumerate()
                .filter(|(_, cl)| client.is_none_or(|name| cl.name == name))
                .flat_map(|(c, cl)| {
                    cl.queue
                        .iter()
                        .chain(cl.in_flight.values())
                        .filter(|p| p.record && p.op != RequestOp::CloseSession)
                        .map(move |p| (c, p.cxid))
                })
                .collect()
        } else {
            Vec::new()
        };
        let index = self.expectations.len();
        let deadline_ms = self.now_ms + within_ms;
        self.expectations.push(Expecting {
            what,
            since_ms: self.now_ms,
            deadline_ms,
            writes,
            retries: WRITE_RETRIES,
            done: false,
            extended: 0,
        });
        self.schedule(deadline_ms, Event::ExpectDeadline(index));
    }

    /// The deadline of an expectation: report it if it never held, unless
    /// an election is still converging ([`Simulation::election_grace`]).
    pub(super) fn expectation_deadline(&mut self, index: usize) {
        self.check_expectations();
        if self.expectations[index].done {
            return;
        }
        if let Some(later) = self.election_grace(index) {
            let e = &mut self.expectations[index];
            e.extended += 1;
            e.deadline_ms = later;
            self.schedule(later, Event::ExpectDeadline(index));
            return;
        }
        let e = &mut self.expectations[index];
        e.done = true;
        let (what, since, deadline) = (e.what, e.since_ms, e.deadline_ms);
        let waited: Vec<(usize, u32)> = e.writes.clone();
        let (servers, detail) = self.expectation_missed(what, since, deadline, &waited);
        self.checker.report(
            what.property(),
            self.now_ms,
            self.events,
            servers,
            Vec::new(),
            detail,
        );
    }

    /// FastLeaderElection has no deadline: a LOOKING server resends only
    /// when a whole `notTimeout` (up to 60 s) passes without a
    /// notification, and every notification it receives starts that wait
    /// again, so after a heal the LOOKING servers' backed-off timeouts can
    /// follow one another for minutes (the holder of the best vote stays
    /// silent while worse votes keep restarting its wait). A deadline
    /// therefore waits while every server not in BROADCAST is LOOKING with
    /// its poll ending within 60 s (or finalizing) and, if a server is
    /// LEADING, has sent nothing since that leader took the role, or is
    /// following or leading a leader decided less than `initLimit` ago
    /// that lacks a quorum of connected voters (it is established or gives
    /// up by then: a leader elected on votes a heal released late may
    /// wait out a voter that has moved on):
    /// until the last such poll or give-up plus time for discovery and sync
    /// (`initLimit` × tickTime; a WritesCommit deadline then gives the
    /// writes their window again), at most once per server. `run_to_end`
    /// runs past `until_ms` to decide it (the app stops at `until_ms`). A
    /// server stuck otherwise, or stranded by an accepted epoch above the
    /// established leader's, is reported as before.
    fn election_grace(&self, index: usize) -> Option<u64> {
        let e = &self.expectations[index];
        if e.what == Expectation::GroupConverged || e.extended as usize >= self.nodes.len() {
            return None;
        }
        // The server leading now (established or not), and since when.
        let leading_since = self
            .nodes
            .iter()
            .filter(|n| n.up && n.paused_until.is_none())
            .filter(|n| n.server.state == ServerState::Leading)
            .map(|n| n.server.election.decided_ms)
            .max();
        // The epoch of the leader in BROADCAST, if any: a server that has
        // accepted a newer one can never follow it (`Learner.registerWithLeader`
        // refuses "Leaders epoch, N is less than accepted epoch, M"), so no
        // wait helps it (docs/FINDINGS.md §4).
        let established = self
            .nodes
            .iter()
            .filter(|n| n.up && n.server.state == ServerState::Leading)
            .filter(|n| n.server.zab_state == ZabState::Broadcast)
            .map(|n| n.server.current_epoch())
            .max();
        let short_leader = self.leader_short_of_quorum();
        let missing = self.nodes.iter().filter(|n| {
            n.up && n.paused_until.is_none() && n.server.zab_state != ZabState::Broadcast
        });
        let init_ms = self.scenario.ensemble.init_limit * self.scenario.ensemble.tick_ms;
        let mut last = None::<u64>;
        for n in missing {
            if established.is_some_and(|e| n.server.accepted_epoch() > e) {
                return None;
            }
            let el = &n.server.election;
            if n.server.state != ServerState::Looking {
                if !short_leader {
                    return None;
                }
                // Following or leading a leader not yet established: by
                // `initLimit` after the decision it is established or the
                // role is given up (`Leader.lead`'s and the learner's
                // waits), and the election runs again.
                let gives_up = el.decided_ms + init_ms;
                if gives_up < self.now_ms {
                    return None;
                }
                last = Some(last.map_or(gives_up, |l| l.max(gives_up)));
                continue;
            }
            let due = if el.finalizing {
                self.now_ms
            } else {
                el.poll_due_ms
            };
            // Not yet heard by that leader's quorum: its next send will be.
            let converging = n.server.state == ServerState::Looking
                && leading_since.is_none_or(|t| el.last_sent_ms < t)
                && due >= self.now_ms
                && due <= self.now_ms + crate::server::MAX_NOTIFICATION_INTERVAL_MS;
            if !converging {
                return None;
            }
            last = Some(last.map_or(due, |l| l.max(due)));
        }
        let mut sync = init_ms;
        if e.what == Expectation::WritesCommit {
            // Then the writes get their own time again.
            sync += e.deadline_ms.saturating_sub(e.since_ms);
        }
        let later = last? + sync;
        (later > self.now_ms).then_some(later)
    }

    /// Whether a leader not yet established lacks a quorum of connected
    /// voters: it waits, up to `initLimit`, for voters that are elsewhere
    /// (e.g. still LOOKING, its election won on a stale vote a heal
    /// released). One that has its quorum connected and is still not
    /// established is stuck, and gets no grace (ZOOKEEPER-4685).
    fn leader_short_of_quorum(&self) -> bool {
        self.nodes.iter().any(|n| {
            n.up && n.paused_until.is_none()
                && n.server.state == ServerState::Leading
                && n.server.zab_state != ZabState::Broadcast
                && n.server.leader().is_some_and(|l| {
                    let mut voters: Vec<Sid> = l
                        .learner_sids()
                        .into_iter()
                        .filter(|s| n.server.cfg.is_participant(*s))
                        .collect();
                    voters.push(n.sid);
                    !n.server.cfg.is_quorum(&voters)
                })
        })
    }

    /// Which servers to name and what to say of an expectation that did
    /// not hold by its deadline.
    fn expectation_missed(
        &self,
        what: Expectation,
        since: u64,
        deadline: u64,
        waited: &[(usize, u32)],
    ) -> (Vec<Sid>, String) {
        match what {
            Expectation::Leader => {
                let looking: Vec<Sid> = self
                    .nodes
                    .iter()
                    .filter(|n| n.up && n.server.state == ServerState::Looking)
                    .map(|n| n.sid)
                    .collect();
                (
                    looking.clone(),
                    format!(
                        "no leader was established between {since} ms and {deadline} ms; LOOKING at the deadline: {looking:?}"
                    ),
                )
            }
            Expectation::AllSynced => {
                let behind: Vec<Sid> = self
                    .nodes
                    .iter()
                    .filter(|n| {
                        n.up && n.paused_until.is_none()
                            && n.server.zab_state != ZabState::Broadcast
                    })
                    .map(|n| n.sid)
                    .collect();
                (
                    behind.clone(),
                    format!(
                        "servers up but not in BROADCAST at {deadline} ms (expected since {since} ms): {behind:?}"
                    ),
                )
            }
            Expectation::GroupConverged => (
                Vec::new(),
                format!(
                    "group members did not converge by {deadline} ms (expected since {since} ms): {}",
                    self.groups_converged().err().unwrap_or_default()
                ),
            ),
            Expectation::WritesCommit => {
                let names: Vec<String> = waited
                    .iter()
                    .map(|&(c, cxid)| format!("{} cxid {cxid}", self.clients[c].name))
                    .collect();
                (
                    Vec::new(),
                    format!(
                        "{} write(s) pending at {since} ms were not committed by {deadline} ms: {}",
                        names.len(),
                        names.join(", ")
                    ),
                )
            }
        }
    }

    /// A write was answered: an expectation waiting for it is satisfied
    /// (committed), resubmits it (ConnectionLoss, while retries last; the
    /// new request waits in the client's queue for the reconnect) or fails
    /// at once.
    pub(super) fn answered_write(
        &mut self,
        c: usize,
        p: &PendingOp,
        committed: bool,
        result: &str,
    ) {
        let cxid = p.cxid;
        let mut failed = Vec::new();
        for k in 0..self.expectations.len() {
            let e = &mut self.expectations[k];
            if e.done {
                continue;
            }
            let Some(w) = e.writes.iter().position(|&w| w == (c, cxid)) else {
                continue;
            };
            e.writes.swap_remove(w);
            if committed {
                continue;
            }
            if result == "ConnectionLoss" && e.retries > 0 {
                e.retries -= 1;
                let lin_floor = self.max_completed_write;
                let cl = &mut self.clients[c];
                let again = cl.next_cxid;
                cl.next_cxid += 1;
                cl.queue.push_back(PendingOp {
                    cxid: again,
                    op: p.op.clone(),
                    record: p.record,
                    recipe: None,
                    sync_floor: None,
                    seen_at_invoke: cl.last_zxid,
                    lin_floor,
                });
                self.expectations[k].writes.push((c, again));
            } else {
                e.done = true;
                failed.push((e.what, e.since_ms));
            }
        }
        for (what, since) in failed {
            let detail = format!(
                "write cxid {cxid} of {} (pending at {since} ms) failed with {result} instead of committing",
                self.clients[c].name
            );
            self.checker.report(
                what.property(),
                self.now_ms,
                self.events,
                vec![self.clients[c].server],
                Vec::new(),
                detail,
            );
        }
    }
}
