//! The deterministic discrete-event simulator: a ZooKeeper ensemble on a
//! simulated network, disks and clients.
//!
//! Contract:
//! - Virtual time in whole milliseconds. Events are handled in the order
//!   `(time, class, seq)`: at one instant, scenario actions (class 0, in file
//!   order) come before protocol events (class 1, in scheduling order).
//! - One PRNG of a fixed algorithm (`Pcg32`), seeded from the scenario. No
//!   wall clock, no OS randomness, no hash-map iteration: the same scenario
//!   gives the same trace and `trace_hash` natively and in wasm.
//! - The network is TCP: FIFO per connection and per election pair. A
//!   crashed server's connections close at once and its peers see the close
//!   one latency later. A partition (or a one-way cut) is silence: quorum
//!   packets wait at the cut and are delivered in order if it heals before
//!   either end closes the connection; election notifications wait too and
//!   go on at TCP's next retransmission after the heal (election
//!   connections never time out). A paused server (GC stall) handles nothing; everything
//!   addressed to it waits and is handled in order when it resumes, while
//!   its peers' timers keep running.
//! - Every event is followed by the safety checks (`crate::checks`).
//! - A live session is a scenario: `act` stamps a user action at the current
//!   virtual time, appends it to the scenario and runs up to it, so that
//!   replaying `scenario()` from scratch reproduces the same trace.
//! - `Clone` is the checkpoint: a clone continues exactly like the original.
//! - The order is the trace. Every `self.rng` draw, `schedule` call,
//!   `trace.event` and log line happens in a fixed order, and the trace
//!   hash (`tests/reference/hashes.json`) pins it: moving code between the
//!   files below is free, reordering any of these is a behaviour change.
//!
//! # The drive loop
//!
//! Nothing runs by itself: the caller steps the simulation (`step`,
//! `run_until`, `run_to_end`, or `act` for a live user action). One step:
//!
//! ```text
//! step()                       pop the least (time, class, seq); now := time
//! ├─ view_before(&event)       history hook (view/history.rs), reads only
//! ├─ handle(event)
//! │  ├─ Action(i)              a file action queues the file's next one;
//! │  │                         do_action (actions.rs) → obs_clients → run_checks(All)
//! │  ├─ Server{sid, inc, in}   server_event: a dead incarnation's input is
//! │  │                         dropped, a paused server holds it; conn_input
//! │  │                         (network.rs) applies TCP's rules; trace;
//! │  │                         Server::handle → after_server → run_checks(One)
//! │  ├─ Resume{sid, inc}       resume_node (network.rs): what waited goes first
//! │  ├─ Client{id, gen, ev}    trace; client_event (clients.rs) → obs_clients
//! │  │                         → run_checks(None)
//! │  └─ ExpectDeadline(k)      trace; expectation_deadline (expect.rs)
//! └─ view_after()              history hook: state changes
//!
//! after_server(i)              the server's outputs, in order: notifications,
//!                              connects, packets, closes and fsyncs to
//!                              network.rs, timers scheduled, client events to
//!                              network.rs, log lines kept; an exit crashes it.
//!                              Then its ghost events: syncs and leaders are
//!                              recorded and the rest wait for run_checks.
//! run_checks(changed)          proposals noted (recipes/checks.rs) → Checker →
//!                              committed tree → lock checks → expectations
//! ```
//!
//! `run_until(t)` steps while the next event is due at or before `t`, then
//! moves `now` up to `t`. `act(kind)` runs `check_action` (a refused action
//! leaves no trace), appends the action to the scenario at `now` (or 1 ms
//! after an instant already handled), schedules it in class 0 and steps
//! until it has been handled.
//!
//! This file holds no protocol rule (`crate::server` does) and no fault's
//! semantics (`network.rs`): it only routes events and outputs to their
//! owners, in the order above.
//!
//! # Map
//!
//! - `sim.rs`: `Simulation`, its events and nodes, `new`, the queue
//!   driving (`step`, `run_until`, `schedule`), `handle`,
//!   `server_event`, `after_server`, `run_checks`.
//! - `sim/queue.rs`: the event queue. `sim/records.rs`: the public
//!   records (writes, reads, watches, hazards, ...), `ServerView` and the
//!   `--json` summary; every sibling may use its types, it uses none of
//!   theirs.
//! - `sim/network.rs`: links, cuts, partitions, TCP connections, client
//!   transport; start, crash, pause, resume; disk latency.
//!   `sim/network/election.rs`: the election port (notifications, held at
//!   a cut, retransmitted after it heals).
//! - `sim/clients.rs`: client sessions, requests, answers, client-history
//!   checks. `sim/load.rs`: the `load` action. `sim/logroll.rs`: the
//!   log lines kept (the newest, as log4j rolls its files).
//! - `sim/actions.rs`: `check_action`, `do_action`, the user's `act` and
//!   `replay_action`, the file's next action queued. `sim/expect.rs`:
//!   liveness expectations.
//! - `sim/recipes.rs`: client recipes; `sim/recipes/checks.rs`: the
//!   committed tree and the recipe checks.
//! - `sim/observe.rs`: observation for the operator's figures;
//!   `sim/view.rs` (and `sim/view/`): the app's views and history;
//!   `sim/diag.rs`: the diagnosis. None of them changes a run.
//! - `sim/tests.rs`: tests of this file.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::checks::{Changed, Checker, ServerObs};
use crate::idmap::IdMap;
use crate::proto::{ClientId, ServerState, Sid};
use crate::rng::Pcg32;
use crate::scenario::{Ensemble, Scenario};
use crate::seq::Seq;
use crate::server::{
    ClientEvent, Config, ConnId, GhostEvent, Input, Output, Server, MIN_COMMIT_LOG_COUNT,
};
use crate::trace::TraceHasher;
use crate::zxid::Zxid;

mod actions;
mod clients;
mod compact;
mod diag;
mod expect;
mod load;
mod logroll;
mod network;
mod nodes;
mod observe;
mod queue;
mod recipes;
mod records;
mod view;

pub use actions::{ActionError, BUILTIN_CLIENT};
pub use logroll::LOG_LINES_KEPT;
pub use observe::{ClientRecord, ServerLoad};
pub use records::{
    mask_hex, pair_real_lines, ActionReport, FourLwRecord, Hazard, LeaderRecord, LogEntry,
    ReadRecord, RecipeView, RunSummary, ServerView, SyncRecord, WatchRecord, WriteRecord,
};
pub use view::{
    property_names, Ballot, ClientView, ConnView, Deadline, DeadlineKind, InFlight, Life,
    LinksView, MsgDetail, MsgKind, MsgRecord, Outcome, Peer, Recent, StateRecord, VoteChange,
    VoteReason, VoteView,
};

use clients::{Client, ClientState, PendingOp};
use expect::Expecting;
use network::{ClientHeld, Conn};
use records::StopRecord;

/// PRNG stream of the simulator (a constant: the seed alone picks the run).
const RNG_STREAM: u64 = 0x5a42; // "ZB"

/// The bug-museum flags this build knows (`docs/MUSEUM.md`).
pub const KNOWN_VARIANTS: &[&str] = &[
    "bug_zk1154_diff_without_trunc",
    "bug_zk1277_no_rollover_guard",
    "bug_zk1282_epoch_at_uptodate",
    "bug_zk1291_late_leader_accepted_epoch",
    "bug_zk1732_strict_vote_equality",
    "bug_zk2355_early_last_processed",
    "bug_zk2845_no_fast_forward",
    "bug_zk3104_newleader_before_snapshot",
    "bug_zk3642_keep_db_after_partial_snap",
    "bug_zk3911_log_diff_after_uptodate",
    "bug_zk4394_flush_all_at_newleader",
    "bug_zk4643_epoch_before_log",
    "bug_zk4646_ack_before_fsync",
    "bug_zk4685_ack_proposal_before_newleader_ack",
    "bug_zk4712_stale_log_writer",
    "bug_zk4925_sync_txns_skip_committed_log",
    // Counter-variants (not ZooKeeper; fixes ZabLab proposes):
    "fix_discard_log_on_snap",
    "fix_newleader_ack_age",
    "fix_truncate_at_or_below",
    "fix_step_down_for_higher_accepted_epoch",
    "fix_drop_unacked_epoch_at_load",
    // Deliberately broken (not ZooKeeper; shows a checker catching it):
    "broken_reads_skip_session_order",
    "broken_lock_ignores_order",
];

/// Why a scenario cannot be run by this build.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    #[error("actions[{index}]: action \"{action}\" is not simulated by this build yet")]
    NotSimulated { index: usize, action: &'static str },
    #[error("ensemble.variants: \"{0}\" is not a bug-museum flag this build knows (known: {1})")]
    UnknownVariant(String, String),
}

/// The role a server has in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Participant,
    Observer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClientEv {
    FromServer(Sid, ClientEvent),
    Tick,
    Reconnect,
    LoadTick,
    /// The next getData of a read load (`sim/load.rs`).
    ReadTick,
    /// A recipe's release/retake timer: (recipe, timer generation).
    RecipeTimer(usize, u32),
}

#[derive(Debug, Clone)]
enum Event {
    /// `scenario.actions[index]` is due.
    Action(usize),
    /// An input for one incarnation of a server.
    Server { sid: Sid, inc: u32, input: Input },
    /// A paused server wakes up.
    Resume { sid: Sid, inc: u32 },
    Client {
        id: ClientId,
        gen: u32,
        ev: ClientEv,
    },
    /// The deadline of `expectations[index]`.
    ExpectDeadline(usize),
}

impl Event {
    fn class(&self) -> u8 {
        match self {
            Event::Action(_) => 0,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone)]
struct Scheduled {
    time_ms: u64,
    class: u8,
    seq: u64,
    event: Event,
    /// When it was scheduled: a message's send time (`view.rs`).
    sent_ms: u64,
}

#[derive(Debug, Clone)]
struct Node {
    sid: Sid,
    role: Role,
    server: Server,
    up: bool,
    paused_until: Option<u64>,
    held: VecDeque<Event>,
    /// Bumped on every start, so events of an earlier life are dropped.
    inc: u32,
    fsync_ms: Option<u64>,
}

/// A running simulation. See the module docs for the drive loop.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Shared with every checkpoint: a user action copies it once
    /// (`Rc::make_mut`). Each checkpoint of a long run held a copy of
    /// every action of it (a 60-hour run: ~1,400 actions, ~190 KB per checkpoint).
    /// An `Rc`, not an `Arc`: the browser build was 96 KB larger with an
    /// `Arc` here (`bench/README.md`, "Sixth round"), and a simulation never
    /// crosses threads (time travel already shares it by `Rc`).
    scenario: Rc<Scenario>,
    /// The file's own actions by when they are due (`(at_ms, index)`), and
    /// how many of them are in the queue or handled: only the next one
    /// waits in the queue (`schedule_next_file_action`, `actions.rs`).
    file_order: Rc<[u32]>,
    file_next: usize,
    now_ms: u64,
    last_handled_ms: Option<u64>,
    next_seq: u64,
    queue: queue::Queue,
    rng: Pcg32,
    nodes: Vec<Node>,
    conns: IdMap<Conn>,
    next_conn: ConnId,
    election_arrival: BTreeMap<(Sid, Sid), u64>,
    /// Notifications written to an election connection across a cut, per
    /// (from, to): TCP keeps them until the cut heals (`network/election.rs`).
    election_held: BTreeMap<(Sid, Sid), network::HeldNotes>,
    /// Election notifications scheduled to leave their sender's TCP buffer
    /// later than they were written (released at a heal, or queued behind
    /// such), by event seq: the sender and its incarnation then. A sender
    /// killed before they leave takes them with it.
    election_buffered: BTreeMap<u64, (Sid, u32)>,
    cuts: BTreeSet<(Sid, Sid)>,
    /// (client, server) pairs a partition separates: nothing crosses.
    client_cuts: BTreeSet<(String, Sid)>,
    /// What such a cut holds, in order.
    client_held: Vec<ClientHeld>,
    /// The buffer `after_server` drains a server's outputs from, handed
    /// back and forth with the server (no allocation per event).
    outputs: Vec<Output>,
    link_latency: BTreeMap<(Sid, Sid), u64>,
    drop_next: BTreeSet<(Sid, Sid)>,
    clients: Vec<Client>,
    checker: Checker,
    events: u64,
    trace: TraceHasher,
    action_errors: Vec<ActionReport>,
    /// The servers' newest log lines (a `Seq`: a checkpoint shares full
    /// blocks). Older ones roll away past `log_keep` (`push_log`).
    log: Seq<LogEntry, 64>,
    /// How many lines `log` keeps at least ([`LOG_LINES_KEPT`] unless
    /// [`Simulation::keep_log_lines`] said otherwise).
    log_keep: usize,
    stops: Vec<StopRecord>,
    leaders: Vec<LeaderRecord>,
    syncs: Vec<SyncRecord>,
    writes: Vec<WriteRecord>,
    reads: Vec<ReadRecord>,
    fourlw: Vec<FourLwRecord>,
    messages: u64,
    /// The highest zxid of a write answered so far (client-history checks).
    max_completed_write: Zxid,
    pending_ghost: Vec<(Sid, GhostEvent)>,
    expectations: Vec<Expecting>,
    /// Observation only (`sim/observe.rs`): never changes a run.
    obs: observe::Observer,
    recipes: Vec<recipes::Recipe>,
    hazards: Vec<Hazard>,
    /// Hazards already reported (each once per client and node/server).
    lock_hazards_seen: BTreeSet<(String, String)>,
    watch_events: Vec<WatchRecord>,
    committed: recipes::CommittedTree,
    /// How long G was at the last compaction attempt (`compact`).
    compacted_at: usize,
    /// Tests only: never compact (to compare the run with and without).
    compaction_off: bool,
    /// The app's message and state history (off by default, `view.rs`).
    history: view::History,
    /// Tests: a second checker fed every server after every event, which
    /// must report exactly what the incremental one reports.
    #[cfg(test)]
    shadow: Option<Box<Checker>>,
}

impl Simulation {
    /// Builds the simulation at time 0 with the scenario's first due action
    /// scheduled (each schedules the next when it is handled).
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        for v in &scenario.ensemble.variants {
            if !KNOWN_VARIANTS.contains(&v.as_str()) {
                return Err(SimError::UnknownVariant(
                    v.clone(),
                    KNOWN_VARIANTS.join(", "),
                ));
            }
        }
        let nodes = nodes::nodes_of(&scenario.ensemble);
        let mut sim = Simulation {
            rng: Pcg32::new(scenario.seed, RNG_STREAM),
            file_order: actions::due_order(&scenario.actions),
            file_next: 0,
            // The file's actions keep the seqs 0..n they had when all were
            // queued at the start (`schedule_next_file_action`).
            next_seq: scenario.actions.len() as u64,
            scenario: Rc::new(scenario),
            now_ms: 0,
            last_handled_ms: None,
            queue: queue::Queue::default(),
            nodes,
            conns: IdMap::new(),
            next_conn: 1,
            election_arrival: BTreeMap::new(),
            election_held: BTreeMap::new(),
            election_buffered: BTreeMap::new(),
            cuts: BTreeSet::new(),
            client_cuts: BTreeSet::new(),
            client_held: Vec::new(),
            outputs: Vec::new(),
            link_latency: BTreeMap::new(),
            drop_next: BTreeSet::new(),
            clients: Vec::new(),
            checker: Checker::new(),
            events: 0,
            trace: TraceHasher::new(),
            action_errors: Vec::new(),
            log: Seq::new(),
            log_keep: LOG_LINES_KEPT,
            stops: Vec::new(),
            leaders: Vec::new(),
            syncs: Vec::new(),
            writes: Vec::new(),
            reads: Vec::new(),
            max_completed_write: Zxid::ZERO,
            fourlw: Vec::new(),
            messages: 0,
            pending_ghost: Vec::new(),
            expectations: Vec::new(),
            obs: observe::Observer::default(),
            recipes: Vec::new(),
            hazards: Vec::new(),
            lock_hazards_seen: BTreeSet::new(),
            watch_events: Vec::new(),
            committed: recipes::CommittedTree::default(),
            compacted_at: 0,
            compaction_off: false,
            history: view::History::default(),
            #[cfg(test)]
            shadow: None,
        };
        sim.schedule_next_file_action();
        Ok(sim)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Events handled so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn trace_hash(&self) -> u64 {
        self.trace.finish()
    }

    /// Messages sent so far (notifications, packets, client traffic).
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Servers in the ensemble (voters and observers), running or not.
    pub fn server_count(&self) -> usize {
        self.nodes.len()
    }

    /// Events scheduled and not handled yet (the queue's length).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.next_time_ms()
    }

    /// The server state machine itself (read-only), for inspectors.
    pub fn server_state(&self, sid: u32) -> Option<&Server> {
        self.node(sid).map(|n| &n.server)
    }

    /// The established leader now, if any.
    pub fn established_leader(&self) -> Option<Sid> {
        self.nodes
            .iter()
            .find(|n| {
                n.up && n.server.state == ServerState::Leading
                    && n.server
                        .leader()
                        .is_some_and(|l| l.established_ms.is_some())
            })
            .map(|n| n.sid)
    }

    fn node(&self, sid: Sid) -> Option<&Node> {
        self.nodes
            .binary_search_by_key(&sid, |n| n.sid)
            .ok()
            .map(|i| &self.nodes[i])
    }

    fn idx(&self, sid: Sid) -> Result<usize, ActionError> {
        self.nodes
            .binary_search_by_key(&sid, |n| n.sid)
            .map_err(|_| ActionError::UnknownServer(sid))
    }

    /// Handles the next event; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let Some(next) = self.queue.pop() else {
            return false;
        };
        if self.lost_with_its_sender(next.seq) {
            return true;
        }
        self.now_ms = next.time_ms;
        self.last_handled_ms = Some(next.time_ms);
        self.events += 1;
        self.view_before(&next);
        self.handle(next.event);
        self.view_after();
        true
    }

    /// Handles every event up to and including time `t_ms`.
    pub fn run_until(&mut self, t_ms: u64) {
        while self.next_event_ms().is_some_and(|t| t <= t_ms) {
            self.step();
        }
        self.now_ms = self.now_ms.max(t_ms);
    }

    /// Runs the scenario to its `until_ms`, and on while an `expect`
    /// waits for an election still converging (`sim/expect.rs`).
    pub fn run_to_end(&mut self) {
        let until = self.scenario.until_ms;
        self.run_until(until);
        while let Some(t) = self.open_expectation_deadline() {
            self.run_until(t);
        }
    }

    fn schedule(&mut self, time_ms: u64, event: Event) {
        let class = event.class();
        self.schedule_in_class(time_ms, class, event);
    }

    fn schedule_in_class(&mut self, time_ms: u64, class: u8, event: Event) {
        // Nothing is ever scheduled in the past.
        let time_ms = time_ms.max(self.now_ms);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Scheduled {
            time_ms,
            class,
            seq,
            event,
            sent_ms: self.now_ms,
        });
    }

    /// Hand one input to a server now (used for start).
    fn deliver(&mut self, sid: Sid, input: Input) {
        let Ok(i) = self.idx(sid) else {
            return;
        };
        let now = self.now_ms;
        self.nodes[i].server.handle(now, input);
        self.after_server(i);
    }

    /// One event, then the checks it calls for (see the drive loop above).
    fn handle(&mut self, event: Event) {
        match event {
            Event::Action(index) => {
                if index < self.file_order.len() {
                    self.schedule_next_file_action();
                }
                self.do_action(index);
                self.obs_clients();
                self.run_checks(Changed::All);
            }
            Event::Server { sid, inc, input } => self.server_event(sid, inc, input),
            Event::Resume { sid, inc } => self.resume_node(sid, inc),
            Event::Client { id, gen, ev } => {
                self.trace.event(self.now_ms, 4, id as u64);
                self.client_event(id, gen, ev);
                self.obs_clients();
                self.run_checks(Changed::None);
            }
            Event::ExpectDeadline(index) => {
                self.trace.event(self.now_ms, 5, index as u64);
                self.expectation_deadline(index);
            }
        }
    }

    /// An input for one incarnation of a server: dropped if that
    /// incarnation is gone, held while the server is paused, else handled
    /// (after the connection rules of `conn_input`).
    fn server_event(&mut self, sid: Sid, inc: u32, input: Input) {
        let Ok(i) = self.idx(sid) else {
            return;
        };
        let n = &self.nodes[i];
        if !n.up || n.inc != inc {
            self.obs_consumed(sid, &input);
            self.trace.event(self.now_ms, 2, sid as u64);
            return;
        }
        if n.paused_until.is_some() {
            self.nodes[i]
                .held
                .push_back(Event::Server { sid, inc, input });
            return;
        }
        self.obs_consumed(sid, &input);
        let Some(input) = self.conn_input(sid, inc, input) else {
            return;
        };
        self.trace
            .event(self.now_ms, 1, ((sid as u64) << 32) | input_tag(&input));
        let now = self.now_ms;
        self.nodes[i].server.handle(now, input);
        self.after_server(i);
        self.run_checks(Changed::One(i));
    }

    /// Turn a server's outputs into scheduled events and records.
    fn after_server(&mut self, i: usize) {
        let sid = self.nodes[i].sid;
        let inc = self.nodes[i].inc;
        let mut outputs = std::mem::take(&mut self.outputs);
        self.nodes[i].server.swap_outputs(&mut outputs);
        let now = self.now_ms;
        let mut exited = None;
        for out in outputs.drain(..) {
            match out {
                Output::Notify { to, n } => self.send_notification(sid, inc, to, n),
                Output::Connect { to } => self.connect(sid, inc, to),
                Output::Send { conn, packet } => self.send_packet(sid, conn, packet),
                Output::Close { conn } => self.close_conn(conn, sid),
                Output::Timer { kind, at_ms, token } => {
                    self.schedule(
                        at_ms,
                        Event::Server {
                            sid,
                            inc,
                            input: Input::Timer { kind, token },
                        },
                    );
                }
                Output::Fsync { upto } => self.fsync_later(i, upto),
                Output::Client(ev) => self.send_to_client(sid, ev),
                Output::Log(line) => self.push_log(LogEntry {
                    at_ms: now,
                    sid,
                    level: line.level,
                    class: line.class,
                    text: line.text,
                }),
                Output::Exit { reason } => {
                    exited = Some(reason);
                    break;
                }
            }
        }
        // What follows an exit is dropped with the process.
        outputs.clear();
        self.outputs = outputs;
        match exited {
            Some(reason) => self.server_exited(i, reason),
            None => self.take_ghost_of(i),
        }
    }

    /// The server exited (a fatal error in ZooKeeper's code): reported as
    /// an action error, then handled like a crash.
    fn server_exited(&mut self, i: usize, reason: String) {
        let sid = self.nodes[i].sid;
        // What the server flagged before it exited still counts
        // (e.g. the `commitInconsistent` of an unmatched COMMIT);
        // the crash below would drop it.
        let ghost = self.nodes[i].server.take_ghost();
        self.pending_ghost
            .extend(ghost.into_iter().map(|g| (sid, g)));
        self.action_errors.push(ActionReport {
            at_ms: self.now_ms,
            action: "exit",
            error: format!("server {sid} exited: {reason}"),
        });
        self.crash_node(i, false);
    }

    /// The server's ghost events (what the checks see): syncs and leaders
    /// are recorded, and all wait for `run_checks`.
    fn take_ghost_of(&mut self, i: usize) {
        let sid = self.nodes[i].sid;
        let now = self.now_ms;
        let ghost = self.nodes[i].server.take_ghost();
        for g in ghost {
            match &g {
                GhostEvent::Synced { leader, mode } => self.syncs.push(SyncRecord {
                    learner: sid,
                    leader: *leader,
                    mode: *mode,
                    at_ms: now,
                }),
                GhostEvent::Established { epoch } => self.leaders.push(LeaderRecord {
                    sid,
                    epoch: *epoch,
                    established_ms: now,
                }),
                _ => {}
            }
            self.pending_ghost.push((sid, g));
        }
    }

    /// The checks after an event that changed `changed` (see
    /// `Checker::after_event_of`: an action may change any server, a
    /// server's event only that server, a client's event none).
    fn run_checks(&mut self, changed: Changed) {
        let ghost = std::mem::take(&mut self.pending_ghost);
        for (sid, g) in &ghost {
            if let GhostEvent::Proposed { txn, .. } = g {
                self.note_proposal(*sid, *txn);
            }
        }
        let nodes = &self.nodes;
        let obs = |i: usize| {
            let n = &nodes[i];
            let s = &n.server;
            ServerObs {
                sid: n.sid,
                up: n.up && s.running,
                state: s.state,
                zab_state: s.zab_state,
                accepted_epoch: s.accepted_epoch(),
                current_epoch: s.current_epoch(),
                following: s.learner().map(|l| l.leader),
                applied: &s.tree.ghost_applied,
                applied_increasing: s.tree.ghost_increasing,
                delivered: s.ghost_delivered,
                last_processed: s.tree.last_processed_zxid,
                log: &s.disk.log,
                non_increasing_appends: s.disk.non_increasing_appends,
                rollover_appends: s.disk.rollover_appends,
                apply_mismatches: s.tree.apply_mismatches,
            }
        };
        self.checker
            .after_event_of(self.now_ms, self.events, nodes.len(), &obs, &ghost, changed);
        #[cfg(test)]
        if let Some(shadow) = self.shadow.as_mut() {
            let all: Vec<ServerObs<'_>> = (0..nodes.len()).map(obs).collect();
            shadow.after_event(self.now_ms, self.events, &all, &ghost);
            assert_eq!(
                shadow.violations, self.checker.violations,
                "the incremental checks differ from checking every server at event {}",
                self.events
            );
        }
        self.pending_ghost = ghost;
        self.pending_ghost.clear();
        self.advance_committed();
        self.compact_checks();
        if !self.recipes.is_empty() {
            self.check_locks();
        }
        if self.expectations.iter().any(|e| !e.done) {
            self.check_expectations();
        }
    }
}

/// A word for the trace hash that tells inputs apart.
fn input_tag(input: &Input) -> u64 {
    match input {
        Input::Start { .. } => 1,
        Input::Election(n) => 2 | ((n.sender as u64) << 8) | ((n.round & 0xffff) << 16),
        Input::ConnectResult { conn, .. } => 3 | (conn.unwrap_or(0) << 8),
        Input::Accepted { conn, .. } => 4 | (conn << 8),
        Input::Packet { conn, packet } => {
            5 | (conn << 8) ^ packet.zxid().0.rotate_left(20) ^ ((packet.name().len() as u64) << 4)
        }
        Input::Closed { conn } => 6 | (conn << 8),
        Input::Timer { token, .. } => 7 | (token << 8),
        Input::FsyncDone { upto } => 8 | ((*upto as u64) << 8),
        Input::ClientConnect { client, .. } => 9 | ((*client as u64) << 8),
        Input::ClientRequest { client, cxid, .. } => {
            10 | ((*client as u64) << 8) | ((*cxid as u64) << 24)
        }
        Input::ClientPing { client } => 11 | ((*client as u64) << 8),
        Input::ClientGone { client } => 12 | ((*client as u64) << 8),
        Input::ClientSetWatches { client, .. } => 13 | ((*client as u64) << 8),
    }
}

#[cfg(test)]
pub(crate) mod footprint;
#[cfg(test)]
mod tests;
