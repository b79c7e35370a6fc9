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
//!   either end closes the connection; election notifications across a cut
//!   are lost (the sender's queue of one keeps only the latest, and FLE
//!   resends). A paused server (GC stall) handles nothing; everything
//!   addressed to it waits and is handled in order when it resumes, while
//!   its peers' timers keep running.
//! - Every event is followed by the safety checks (`crate::checks`).
//! - A live session is a scenario: `act` stamps a user action at the current
//!   virtual time, appends it to the scenario and runs up to it, so that
//!   replaying `scenario()` from scratch reproduces the same trace.
//! - `Clone` is the checkpoint: a clone continues exactly like the original.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::checks::{Changed, Checker, ServerObs, Violation};
use crate::proto::{ClientId, Packet, RequestOp, ServerState, Sid, SyncMode, WatchKind, ZabState};
use crate::rng::Pcg32;
use crate::scenario::{Action, ActionKind, Expectation, Scenario, ServerRef};
use crate::seq::Seq;
use crate::server::{
    ClientEvent, Config, ConnId, GhostEvent, Input, Level, Output, Server, MIN_COMMIT_LOG_COUNT,
};
use crate::trace::TraceHasher;
use crate::zxid::Zxid;

mod diag;
mod load;
mod observe;
mod queue;

pub use observe::{ClientRecord, ServerLoad};
mod recipes;
pub use recipes::{Hazard, RecipeView, WatchRecord};
mod view;
pub use view::{
    property_names, ClientView, ConnView, InFlight, Life, LinksView, MsgDetail, MsgKind, MsgRecord,
    Outcome, Peer, Recent, StateRecord,
};

/// PRNG stream of the simulator (a constant: the seed alone picks the run).
const RNG_STREAM: u64 = 0x5a42; // "ZB"

/// The bug-museum flags this build knows (BUG-MUSEUM.md).
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

/// Why an action could not be done at the moment it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
pub enum ActionError {
    #[error("server {0} is not in the ensemble")]
    UnknownServer(u32),
    #[error("server {0} is already running")]
    AlreadyUp(u32),
    #[error("server {0} is down")]
    AlreadyDown(u32),
    #[error("there is no established leader at {0} ms")]
    NoLeader(u64),
    #[error("no server is serving clients at {0} ms")]
    NoServing(u64),
    #[error("client \"{0}\" does not exist (connect it first)")]
    UnknownClient(String),
    #[error("client \"{0}\" is already connected")]
    ClientExists(String),
    #[error("client \"{0}\" has no session any more ({1})")]
    ClientGone(String, String),
    #[error("server {0} is already paused")]
    AlreadyPaused(u32),
    #[error("client \"{0}\" already runs a recipe on {1}")]
    RecipeRunning(String, String),
    #[error("action \"{0}\" is not simulated by this build yet")]
    NotSimulated(&'static str),
}

/// The role a server has in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Participant,
    Observer,
}

/// What the UI and the CLI may read of one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    pub sid: u32,
    pub role: Role,
    pub up: bool,
    pub paused: bool,
    /// LOOKING/FOLLOWING/LEADING/OBSERVING, or DOWN.
    pub state: String,
    pub zab_state: String,
    pub sync_mode: String,
    pub peer_state: String,
    pub serving: bool,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    pub last_zxid: Zxid,
    pub log_len: usize,
}

/// An action that could not be done when its time came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    pub at_ms: u64,
    pub action: &'static str,
    pub error: String,
}

/// A leader that became established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaderRecord {
    pub sid: Sid,
    pub epoch: u32,
    pub established_ms: u64,
}

/// A learner's sync with a leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRecord {
    pub learner: Sid,
    pub leader: Sid,
    pub mode: SyncMode,
    pub at_ms: u64,
}

/// The outcome of one client write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteRecord {
    pub client: String,
    pub op: &'static str,
    pub path: String,
    pub zxid: Option<Zxid>,
    pub result: String,
    pub at_ms: u64,
}

/// A read and what it saw (`zxid`: the answering server's last processed
/// zxid, so a stale read shows as a zxid below the leader's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadRecord {
    pub client: String,
    pub server: Sid,
    pub op: &'static str,
    pub path: String,
    pub zxid: Zxid,
    pub result: String,
    pub data: Option<String>,
    pub version: i32,
    pub children: Vec<String>,
    pub at_ms: u64,
}

/// A four-letter word and its verbatim answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FourLwRecord {
    pub server: Sid,
    pub cmd: String,
    pub at_ms: u64,
    pub output: String,
}

/// One line of a server's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub at_ms: u64,
    pub sid: Sid,
    pub level: Level,
    pub class: &'static str,
    pub text: String,
}

impl LogEntry {
    /// `time LEVEL [myid:N Class] message`, ZooKeeper's layout simplified.
    pub fn render(&self) -> String {
        format!(
            "{:>9} {:<5} [myid:{} {}] - {}",
            fmt_ms(self.at_ms),
            self.level.name(),
            self.sid,
            self.class,
            self.text
        )
    }
}

fn fmt_ms(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The `zablab run --json` summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub end_ms: u64,
    pub events: u64,
    pub trace_hash: String,
    pub servers: Vec<ServerView>,
    pub leaders: Vec<LeaderRecord>,
    pub syncs: Vec<SyncRecord>,
    pub writes: Vec<WriteRecord>,
    pub reads: Vec<ReadRecord>,
    pub fourlw: Vec<FourLwRecord>,
    pub violations: Vec<Violation>,
    pub action_errors: Vec<ActionReport>,
    /// What ZooKeeper allows but an application must know (lock holders
    /// whose session expired, a sync+read under a deposed leader).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hazards: Vec<Hazard>,
    /// Each recipe client's view at the end.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipes: Vec<RecipeView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<WatchRecord>,
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

/// How often a `writes_commit` expectation resubmits a write that failed
/// with ConnectionLoss (what a retrying client such as Curator does).
const WRITE_RETRIES: u32 = 5;

/// A liveness expectation from an `expect` action, until it holds or its
/// deadline passes.
#[derive(Debug, Clone)]
struct Expecting {
    what: Expectation,
    since_ms: u64,
    deadline_ms: u64,
    /// WritesCommit: (client index, cxid) of the writes still waited for.
    writes: Vec<(usize, u32)>,
    /// WritesCommit: resubmissions left after a ConnectionLoss.
    retries: u32,
    done: bool,
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

/// A quorum-port connection: `a` dialed (the learner), `b` accepted.
#[derive(Debug, Clone)]
struct Conn {
    a: Sid,
    b: Sid,
    a_inc: u32,
    b_inc: u32,
    open: [bool; 2],
    last_arrival: [u64; 2],
    /// Data held at a cut, per direction (0: a→b, 1: b→a); `None` = FIN.
    held: [VecDeque<Option<Packet>>; 2],
}

/// Client traffic held at a partition: to a server, or from one.
#[derive(Debug, Clone)]
enum ClientHeld {
    Up(ClientId, u32, Sid, Input),
    Down(ClientId, u32, Sid, ClientEvent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientState {
    Connecting,
    Connected,
    Closing,
    Closed,
    Expired,
}

#[derive(Debug, Clone)]
struct PendingOp {
    cxid: u32,
    op: RequestOp,
    record: bool,
    /// The recipe that sent it, if any.
    recipe: Option<usize>,
    /// A read right after a sync: the sync's `lin_floor`.
    sync_floor: Option<Zxid>,
    /// Client-history checks: the highest zxid this session had seen, and
    /// the highest zxid of any write completed anywhere, when it was sent.
    seen_at_invoke: Zxid,
    lin_floor: Zxid,
}

#[derive(Debug, Clone)]
struct Client {
    name: String,
    id: ClientId,
    server: Sid,
    gen: u32,
    session: u64,
    timeout_ms: u64,
    state: ClientState,
    last_zxid: Zxid,
    next_cxid: u32,
    queue: VecDeque<PendingOp>,
    in_flight: BTreeMap<u32, PendingOp>,
    last_heard_ms: u64,
    writes: u64,
    load_until_ms: Option<u64>,
    load_interval_us: u64,
    load_created: bool,
    load_done: u64,
    read_until_ms: Option<u64>,
    read_interval_us: u64,
    /// FIFO arrival times of the current TCP connection (to, from server).
    up_arrival: u64,
    down_arrival: u64,
    /// The watches this client has set (re-sent as SetWatches after a
    /// reconnect, as the client library does).
    watches: BTreeSet<(WatchKind, Arc<str>)>,
    /// A sync completed: the next read's linearizability floor.
    after_sync: Option<Zxid>,
    /// When the current ping/timeout tick is due (a tick at another time
    /// belongs to a replaced chain).
    next_tick_ms: u64,
}

/// A running simulation. See the module docs for the drive loop.
#[derive(Debug, Clone)]
pub struct Simulation {
    scenario: Scenario,
    now_ms: u64,
    last_handled_ms: Option<u64>,
    next_seq: u64,
    queue: queue::Queue,
    rng: Pcg32,
    nodes: Vec<Node>,
    conns: BTreeMap<ConnId, Conn>,
    next_conn: ConnId,
    election_arrival: BTreeMap<(Sid, Sid), u64>,
    cuts: BTreeSet<(Sid, Sid)>,
    /// (client, server) pairs a partition separates: nothing crosses.
    client_cuts: BTreeSet<(String, Sid)>,
    /// What such a cut holds, in order.
    client_held: Vec<ClientHeld>,
    link_latency: BTreeMap<(Sid, Sid), u64>,
    drop_next: BTreeSet<(Sid, Sid)>,
    clients: Vec<Client>,
    checker: Checker,
    events: u64,
    trace: TraceHasher,
    action_errors: Vec<ActionReport>,
    /// Every server's log lines (a `Seq`: a checkpoint shares full chunks).
    log: Seq<LogEntry, 64>,
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
    /// The app's message and state history (off by default, `view.rs`).
    history: view::History,
    /// Tests: a second checker fed every server after every event, which
    /// must report exactly what the incremental one reports.
    #[cfg(test)]
    shadow: Option<Box<Checker>>,
}

impl Simulation {
    /// Builds the simulation at time 0 with every scenario action scheduled.
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        for v in &scenario.ensemble.variants {
            if !KNOWN_VARIANTS.contains(&v.as_str()) {
                return Err(SimError::UnknownVariant(
                    v.clone(),
                    KNOWN_VARIANTS.join(", "),
                ));
            }
        }
        let e = &scenario.ensemble;
        let mut sids: Vec<(Sid, Role)> = e
            .participants
            .iter()
            .map(|&s| (s, Role::Participant))
            .chain(e.observers.iter().map(|&s| (s, Role::Observer)))
            .collect();
        sids.sort_by_key(|(s, _)| *s);
        let nodes = sids
            .iter()
            .map(|&(sid, role)| {
                let cfg = Arc::new(Config {
                    sid,
                    participants: {
                        let mut p = e.participants.clone();
                        p.sort();
                        p
                    },
                    observers: e.observers.clone(),
                    tick_ms: e.tick_ms,
                    init_limit: e.init_limit,
                    sync_limit: e.sync_limit,
                    commit_log_count: e.commit_log_count.max(MIN_COMMIT_LOG_COUNT),
                    configured_commit_log_count: e.commit_log_count,
                    snap_count: e.snap_count,
                    min_session_timeout_ms: 2 * e.tick_ms,
                    max_session_timeout_ms: 20 * e.tick_ms,
                    snapshot_size_factor_pct: e.snapshot_size_factor_pct,
                    initial_zxid_counter: e.initial_zxid_counter,
                    variants: e.variants.clone(),
                });
                Node {
                    sid,
                    role,
                    server: Server::new(cfg),
                    up: false,
                    paused_until: None,
                    held: VecDeque::new(),
                    inc: 0,
                    fsync_ms: None,
                }
            })
            .collect();
        let mut sim = Simulation {
            rng: Pcg32::new(scenario.seed, RNG_STREAM),
            scenario,
            now_ms: 0,
            last_handled_ms: None,
            next_seq: 0,
            queue: queue::Queue::default(),
            nodes,
            conns: BTreeMap::new(),
            next_conn: 1,
            election_arrival: BTreeMap::new(),
            cuts: BTreeSet::new(),
            client_cuts: BTreeSet::new(),
            client_held: Vec::new(),
            link_latency: BTreeMap::new(),
            drop_next: BTreeSet::new(),
            clients: Vec::new(),
            checker: Checker::new(),
            events: 0,
            trace: TraceHasher::new(),
            action_errors: Vec::new(),
            log: Seq::new(),
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
            history: view::History::default(),
            #[cfg(test)]
            shadow: None,
        };
        for index in 0..sim.scenario.actions.len() {
            let at = sim.scenario.actions[index].at_ms;
            sim.schedule(at, Event::Action(index));
        }
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

    /// Events scheduled and not handled yet (the queue's length).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.next_time_ms()
    }

    pub fn servers(&self) -> Vec<ServerView> {
        self.nodes.iter().map(|n| self.view(n)).collect()
    }

    pub fn server(&self, sid: u32) -> Option<ServerView> {
        self.node(sid).map(|n| self.view(n))
    }

    /// The server state machine itself (read-only), for inspectors.
    pub fn server_state(&self, sid: u32) -> Option<&Server> {
        self.node(sid).map(|n| &n.server)
    }

    pub fn action_errors(&self) -> &[ActionReport] {
        &self.action_errors
    }

    pub fn violations(&self) -> &[Violation] {
        &self.checker.violations
    }

    pub fn log(&self) -> &Seq<LogEntry, 64> {
        &self.log
    }

    pub fn syncs(&self) -> &[SyncRecord] {
        &self.syncs
    }

    pub fn leaders(&self) -> &[LeaderRecord] {
        &self.leaders
    }

    pub fn writes(&self) -> &[WriteRecord] {
        &self.writes
    }

    /// Load requests answered, per client name.
    pub fn load_done(&self) -> Vec<(String, u64)> {
        self.clients
            .iter()
            .filter(|c| c.load_done > 0)
            .map(|c| (c.name.clone(), c.load_done))
            .collect()
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

    fn view(&self, n: &Node) -> ServerView {
        let s = &n.server;
        let running = n.up && s.running;
        ServerView {
            sid: n.sid,
            role: n.role,
            up: n.up,
            paused: n.paused_until.is_some(),
            state: if running {
                s.state.name().to_string()
            } else {
                "DOWN".to_string()
            },
            zab_state: if running {
                s.zab_state.name().to_string()
            } else {
                String::new()
            },
            sync_mode: s.sync_mode.name().to_string(),
            peer_state: if running {
                s.detailed_peer_state()
            } else {
                String::new()
            },
            serving: running && s.serving,
            accepted_epoch: s.accepted_epoch(),
            current_epoch: s.current_epoch(),
            last_zxid: s.tree.last_processed_zxid,
            log_len: s.disk.log.len(),
        }
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

    /// Runs the scenario to its `until_ms`.
    pub fn run_to_end(&mut self) {
        let until = self.scenario.until_ms;
        self.run_until(until);
    }

    /// Takes a user action now: checks it can be done, records it in the
    /// scenario at the current virtual time and runs up to and including it.
    pub fn act(&mut self, kind: ActionKind) -> Result<(), ActionError> {
        self.check_action(&kind)?;
        let at_ms = match self.last_handled_ms {
            Some(t) if t >= self.now_ms => t + 1,
            _ => self.now_ms,
        };
        let index = self.scenario.actions.len();
        self.scenario.actions.push(Action { at_ms, kind });
        self.scenario.until_ms = self.scenario.until_ms.max(at_ms);
        self.schedule(at_ms, Event::Action(index));
        while let Some(next) = self.queue.peek() {
            let is_it = matches!(next.event, Event::Action(i) if *i == index);
            self.step();
            if is_it {
                break;
            }
        }
        Ok(())
    }

    /// The summary `zablab run --json` prints.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            end_ms: self.now_ms,
            events: self.events,
            trace_hash: format!("0x{:016x}", self.trace_hash()),
            servers: self.servers(),
            leaders: self.leaders.clone(),
            syncs: self.syncs.clone(),
            writes: self.writes.clone(),
            reads: self.reads.clone(),
            fourlw: self.fourlw.clone(),
            violations: self.checker.violations.clone(),
            action_errors: self.action_errors.clone(),
            hazards: self.hazards.clone(),
            recipes: self.recipe_views(),
            watches: self.watch_events.clone(),
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

    // ----- actions -----

    fn resolve_ref(&self, server: ServerRef) -> Result<usize, ActionError> {
        match server {
            ServerRef::Sid(sid) => self.idx(sid),
            ServerRef::Leader => match self.established_leader() {
                Some(sid) => self.idx(sid),
                None => Err(ActionError::NoLeader(self.now_ms)),
            },
        }
    }

    fn client_idx(&self, name: &str) -> Option<usize> {
        self.clients.iter().position(|c| c.name == name)
    }

    /// Whether an action can be done now (without doing it).
    fn check_action(&self, kind: &ActionKind) -> Result<(), ActionError> {
        match kind {
            ActionKind::Start { servers } => {
                for &sid in servers {
                    if self.nodes[self.idx(sid)?].up {
                        return Err(ActionError::AlreadyUp(sid));
                    }
                }
            }
            ActionKind::Restart { server } => {
                let i = self.resolve_ref(*server)?;
                if self.nodes[i].up {
                    return Err(ActionError::AlreadyUp(self.nodes[i].sid));
                }
            }
            ActionKind::Crash { server } | ActionKind::SlowDisk { server, .. } => {
                let i = self.resolve_ref(*server)?;
                if !self.nodes[i].up && matches!(kind, ActionKind::Crash { .. }) {
                    return Err(ActionError::AlreadyDown(self.nodes[i].sid));
                }
            }
            ActionKind::Pause { server, .. } => {
                let i = self.resolve_ref(*server)?;
                if !self.nodes[i].up {
                    return Err(ActionError::AlreadyDown(self.nodes[i].sid));
                }
                if self.nodes[i].paused_until.is_some() {
                    return Err(ActionError::AlreadyPaused(self.nodes[i].sid));
                }
            }
            ActionKind::Connect { client, server, .. } => {
                let i = self.resolve_ref(*server)?;
                if !self.nodes[i].up {
                    return Err(ActionError::AlreadyDown(self.nodes[i].sid));
                }
                if let Some(c) = self.client_idx(client) {
                    if matches!(
                        self.clients[c].state,
                        ClientState::Connected | ClientState::Connecting | ClientState::Closing
                    ) {
                        return Err(ActionError::ClientExists(client.clone()));
                    }
                }
            }
            ActionKind::Write { client, .. } => match client {
                Some(name) => self.check_client(name)?,
                None => {
                    if self.client_idx(BUILTIN_CLIENT).is_none() && self.first_serving().is_none() {
                        return Err(ActionError::NoServing(self.now_ms));
                    }
                }
            },
            ActionKind::Close { client }
            | ActionKind::Load { client, .. }
            | ActionKind::Read { client, .. }
            | ActionKind::Sync { client, .. }
            | ActionKind::Multi { client, .. } => self.check_client(client)?,
            ActionKind::Recipe { client, path, .. } => {
                self.check_client(client)?;
                if let Some(c) = self.client_idx(client) {
                    if self
                        .recipes
                        .iter()
                        .any(|r| r.client == c && r.ended.is_none() && *r.path == **path)
                    {
                        return Err(ActionError::RecipeRunning(client.clone(), path.clone()));
                    }
                }
            }
            ActionKind::FourLetterWord { server, .. } => {
                let i = self.resolve_ref(*server)?;
                if !self.nodes[i].up {
                    return Err(ActionError::AlreadyDown(self.nodes[i].sid));
                }
            }
            ActionKind::Partition { groups, clients } => {
                for &sid in groups.iter().flatten() {
                    self.idx(sid)?;
                }
                for name in clients.iter().flatten() {
                    if self.client_idx(name).is_none() {
                        return Err(ActionError::UnknownClient(name.clone()));
                    }
                }
            }
            ActionKind::SlowLink { from, to, .. }
            | ActionKind::Cut { from, to }
            | ActionKind::Drop { from, to } => {
                self.idx(*from)?;
                self.idx(*to)?;
            }
            ActionKind::Heal | ActionKind::Expect { .. } => {}
        }
        Ok(())
    }

    fn check_client(&self, name: &str) -> Result<(), ActionError> {
        match self.client_idx(name) {
            None => Err(ActionError::UnknownClient(name.to_string())),
            Some(c) => match self.clients[c].state {
                ClientState::Expired => Err(ActionError::ClientGone(
                    name.to_string(),
                    "its session expired".to_string(),
                )),
                ClientState::Closed | ClientState::Closing => Err(ActionError::ClientGone(
                    name.to_string(),
                    "it closed its session".to_string(),
                )),
                _ => Ok(()),
            },
        }
    }

    fn first_serving(&self) -> Option<Sid> {
        self.nodes
            .iter()
            .find(|n| n.up && n.paused_until.is_none() && n.server.serving)
            .map(|n| n.sid)
    }

    fn do_action(&mut self, index: usize) {
        let kind = self.scenario.actions[index].kind.clone();
        self.trace.event(self.now_ms, 0, index as u64);
        if let Err(e) = self.check_action(&kind) {
            self.action_errors.push(ActionReport {
                at_ms: self.now_ms,
                action: kind.name(),
                error: e.to_string(),
            });
            return;
        }
        match kind {
            ActionKind::Start { servers } => {
                for sid in servers {
                    if let Ok(i) = self.idx(sid) {
                        self.start_node(i);
                    }
                }
            }
            ActionKind::Restart { server } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.start_node(i);
                }
            }
            ActionKind::Crash { server } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.crash_node(i);
                }
            }
            ActionKind::Pause { server, for_ms } => {
                if let Ok(i) = self.resolve_ref(server) {
                    let until = self.now_ms + for_ms;
                    let (sid, inc) = (self.nodes[i].sid, self.nodes[i].inc);
                    self.nodes[i].paused_until = Some(until);
                    self.schedule(until, Event::Resume { sid, inc });
                }
            }
            ActionKind::Partition { groups, clients } => {
                self.cuts.clear();
                self.client_cuts.clear();
                for (g, names) in clients.iter().enumerate() {
                    for name in names {
                        for (h, b) in groups.iter().enumerate() {
                            if g != h {
                                for &y in b {
                                    self.client_cuts.insert((name.clone(), y));
                                }
                            }
                        }
                    }
                }
                self.release_client_held();
                for (g, a) in groups.iter().enumerate() {
                    for (h, b) in groups.iter().enumerate() {
                        if g != h {
                            for &x in a {
                                for &y in b {
                                    self.cuts.insert((x, y));
                                }
                            }
                        }
                    }
                }
                self.release_held();
            }
            ActionKind::Cut { from, to } => {
                self.cuts.insert((from, to));
            }
            ActionKind::Heal => self.heal(),
            ActionKind::SlowLink {
                from,
                to,
                latency_ms,
            } => {
                self.link_latency.insert((from, to), latency_ms);
            }
            ActionKind::SlowDisk { server, fsync_ms } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.nodes[i].fsync_ms = Some(fsync_ms);
                }
            }
            ActionKind::Drop { from, to } => {
                self.drop_next.insert((from, to));
            }
            ActionKind::Connect {
                client,
                server,
                session_timeout_ms,
            } => {
                if let Ok(i) = self.resolve_ref(server) {
                    let sid = self.nodes[i].sid;
                    self.client_connect_new(&client, sid, session_timeout_ms.unwrap_or(30_000));
                }
            }
            ActionKind::Write {
                client,
                count,
                op,
                path,
                data,
                version,
            } => {
                let name = match client {
                    Some(n) => n,
                    None => {
                        if self.client_idx(BUILTIN_CLIENT).is_none() {
                            if let Some(sid) = self.first_serving() {
                                self.client_connect_new(BUILTIN_CLIENT, sid, 30_000);
                            }
                        }
                        BUILTIN_CLIENT.to_string()
                    }
                };
                if let Some(c) = self.client_idx(&name) {
                    for _ in 0..count {
                        self.clients[c].writes += 1;
                        let n = self.clients[c].writes;
                        let p: Arc<str> = Arc::from(
                            path.clone()
                                .unwrap_or_else(|| format!("/{}-{}", name, n))
                                .as_str(),
                        );
                        let d: Arc<str> =
                            Arc::from(data.clone().unwrap_or_else(|| format!("v{n}")).as_str());
                        let req = request_op(op.as_deref().unwrap_or("create"), p, d, version);
                        self.client_submit(c, req, true);
                    }
                }
            }
            ActionKind::Read {
                client,
                path,
                op,
                count,
                watch,
            } => {
                if let Some(c) = self.client_idx(&client) {
                    let path: Arc<str> = Arc::from(path.as_str());
                    for _ in 0..count {
                        let path = path.clone();
                        let req = match op.as_deref() {
                            Some("exists") => RequestOp::Exists { path, watch },
                            Some("children") => RequestOp::GetChildren { path, watch },
                            _ => RequestOp::GetData { path, watch },
                        };
                        self.client_submit(c, req, true);
                    }
                }
            }
            ActionKind::Sync { client, path } => {
                if let Some(c) = self.client_idx(&client) {
                    let path: Arc<str> = Arc::from(path.as_str());
                    self.client_submit(c, RequestOp::Sync { path }, true);
                }
            }
            ActionKind::Multi { client, ops } => {
                if let Some(c) = self.client_idx(&client) {
                    let ops = ops
                        .iter()
                        .map(|o| {
                            request_op(
                                &o.op,
                                Arc::from(o.path.as_str()),
                                Arc::from(o.data.as_deref().unwrap_or("")),
                                o.version,
                            )
                        })
                        .collect();
                    self.client_submit(c, RequestOp::Multi { ops }, true);
                }
            }
            ActionKind::Recipe {
                client,
                recipe,
                path,
                hold_ms,
                size,
                repeat,
            } => {
                if let Some(c) = self.client_idx(&client) {
                    self.recipe_start(c, recipe, &path, hold_ms, size, repeat);
                }
            }
            ActionKind::Close { client } => {
                if let Some(c) = self.client_idx(&client) {
                    self.client_submit(c, RequestOp::CloseSession, true);
                    self.clients[c].state = ClientState::Closing;
                }
            }
            ActionKind::Load {
                client,
                rate_per_s,
                for_ms,
                reads_per_s,
            } => {
                if let Some(c) = self.client_idx(&client) {
                    self.start_read_load(c, reads_per_s, for_ms);
                }
                if let Some(c) = self.client_idx(&client).filter(|_| rate_per_s > 0) {
                    let cl = &mut self.clients[c];
                    cl.load_until_ms = Some(self.now_ms + for_ms);
                    cl.load_interval_us = 1_000_000 / rate_per_s;
                    let id = cl.id;
                    self.schedule(
                        self.now_ms,
                        Event::Client {
                            id,
                            gen: u32::MAX,
                            ev: ClientEv::LoadTick,
                        },
                    );
                }
            }
            ActionKind::Expect {
                what,
                within_ms,
                client,
            } => self.start_expectation(what, within_ms, client.as_deref()),
            ActionKind::FourLetterWord { server, cmd } => {
                if let Ok(i) = self.resolve_ref(server) {
                    let output = self.four_letter_word(i, &cmd);
                    self.fourlw.push(FourLwRecord {
                        server: self.nodes[i].sid,
                        cmd,
                        at_ms: self.now_ms,
                        output,
                    });
                }
            }
        }
    }

    // ----- servers -----

    fn start_node(&mut self, i: usize) {
        let entropy = self.rng.next_u64();
        let n = &mut self.nodes[i];
        n.up = true;
        n.inc += 1;
        n.paused_until = None;
        n.held.clear();
        let sid = n.sid;
        self.deliver(sid, Input::Start { entropy });
    }

    fn crash_node(&mut self, i: usize) {
        let n = &mut self.nodes[i];
        n.server.crash();
        n.up = false;
        n.inc += 1;
        n.paused_until = None;
        n.held.clear();
        let sid = n.sid;
        self.log.push(LogEntry {
            at_ms: self.now_ms,
            sid,
            level: Level::Warn,
            class: "zablab",
            text: "process killed (kill -9): volatile state lost, sockets closed".to_string(),
        });
        self.obs_crashed(sid);
        let conns: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.a == sid || c.b == sid)
            .map(|(id, _)| *id)
            .collect();
        for id in conns {
            self.close_conn(id, sid);
        }
        let clients: Vec<usize> = (0..self.clients.len())
            .filter(|&c| {
                self.clients[c].server == sid
                    && matches!(
                        self.clients[c].state,
                        ClientState::Connected | ClientState::Connecting | ClientState::Closing
                    )
            })
            .collect();
        for c in clients {
            let (id, gen) = (self.clients[c].id, self.clients[c].gen);
            let at = self.now_ms + self.latency(sid, sid);
            self.client_closed_at(at, id, gen, sid, "connection reset");
        }
    }

    fn heal(&mut self) {
        self.cuts.clear();
        self.client_cuts.clear();
        self.release_client_held();
        self.release_held();
    }

    /// Data held at a cut that no longer exists goes on, in order.
    fn release_held(&mut self) {
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            for dir in 0..2 {
                let held: Vec<Option<Packet>> = match self.conns.get_mut(&id) {
                    Some(c) => {
                        let (from, to) = if dir == 0 { (c.a, c.b) } else { (c.b, c.a) };
                        if self.cuts.contains(&(from, to)) {
                            continue;
                        }
                        c.held[dir].drain(..).collect()
                    }
                    None => continue,
                };
                for item in held {
                    self.transmit(id, dir, item);
                }
            }
        }
    }

    fn latency(&mut self, from: Sid, to: Sid) -> u64 {
        let [lo, hi] = self.scenario.network.latency_ms;
        let base = self.rng.in_range(lo, hi);
        match self.link_latency.get(&(from, to)) {
            Some(&l) => l.max(base),
            None => base,
        }
    }

    fn cut(&self, from: Sid, to: Sid) -> bool {
        self.cuts.contains(&(from, to))
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

    fn handle(&mut self, event: Event) {
        match event {
            Event::Action(index) => {
                self.do_action(index);
                self.obs_clients();
                self.run_checks(Changed::All);
            }
            Event::Server { sid, inc, input } => {
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
                // A handshake whose far end died (or reset) meanwhile ends
                // in a refused connection, not in a socket nobody serves.
                let input = match input {
                    Input::ConnectResult { to, conn: Some(c) }
                        if !self.conns.get(&c).is_some_and(|x| x.open[0] && x.open[1]) =>
                    {
                        self.conns.remove(&c);
                        Input::ConnectResult { to, conn: None }
                    }
                    other => other,
                };
                match &input {
                    Input::Packet { conn, .. } | Input::Closed { conn } => {
                        let reset =
                            matches!(input, Input::Closed { .. }) && !self.conns.contains_key(conn);
                        let open = reset
                            || self.conns.get(conn).is_some_and(|c| {
                                (c.a == sid && c.open[0] && c.a_inc == inc)
                                    || (c.b == sid && c.open[1] && c.b_inc == inc)
                            });
                        if !open {
                            return;
                        }
                        if let Input::Closed { conn } = &input {
                            let conn = *conn;
                            if let Some(c) = self.conns.get_mut(&conn) {
                                let side = if c.a == sid { 0 } else { 1 };
                                c.open[side] = false;
                                if !c.open[0] && !c.open[1] {
                                    self.conns.remove(&conn);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                self.trace
                    .event(self.now_ms, 1, ((sid as u64) << 32) | input_tag(&input));
                let now = self.now_ms;
                self.nodes[i].server.handle(now, input);
                self.after_server(i);
                self.run_checks(Changed::One(i));
            }
            Event::Resume { sid, inc } => {
                let Ok(i) = self.idx(sid) else {
                    return;
                };
                if self.nodes[i].inc != inc || self.nodes[i].paused_until.is_none() {
                    return;
                }
                self.nodes[i].paused_until = None;
                self.trace.event(self.now_ms, 3, sid as u64);
                // What waited goes first, in order: ahead of anything else
                // due at this instant (FIFO links stay FIFO across a pause).
                let held: Vec<Event> = self.nodes[i].held.drain(..).collect();
                let now = self.now_ms;
                for e in held {
                    self.schedule_in_class(now, 0, e);
                }
            }
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

    /// Turn a server's outputs into scheduled events and records.
    fn after_server(&mut self, i: usize) {
        let sid = self.nodes[i].sid;
        let inc = self.nodes[i].inc;
        let outputs = self.nodes[i].server.take_outputs();
        let now = self.now_ms;
        for out in outputs {
            match out {
                Output::Notify { to, n } => {
                    self.messages += 1;
                    if to == sid {
                        self.schedule(
                            now,
                            Event::Server {
                                sid,
                                inc,
                                input: Input::Election(n),
                            },
                        );
                        continue;
                    }
                    let Ok(j) = self.idx(to) else { continue };
                    if !self.nodes[j].up {
                        self.obs_channel_refused(sid, to);
                        continue;
                    }
                    if self.cut(sid, to) {
                        continue;
                    }
                    let tinc = self.nodes[j].inc;
                    let mut lat = self.latency(sid, to);
                    if self.drop_next.remove(&(sid, to)) {
                        // The election channel is TCP too: the lost segment
                        // resets it, and QuorumCnxManager's SendWorker
                        // resends its last message on the new connection.
                        lat += 2 * self.latency(sid, to);
                    }
                    let last = self.election_arrival.get(&(sid, to)).copied().unwrap_or(0);
                    let at = (now + lat).max(last);
                    self.election_arrival.insert((sid, to), at);
                    self.schedule(
                        at,
                        Event::Server {
                            sid: to,
                            inc: tinc,
                            input: Input::Election(n),
                        },
                    );
                }
                Output::Connect { to } => self.connect(sid, inc, to),
                Output::Send { conn, packet } => {
                    self.messages += 1;
                    let Some(c) = self.conns.get(&conn) else {
                        continue;
                    };
                    let dir = if c.a == sid { 0 } else { 1 };
                    if !c.open[dir] {
                        continue;
                    }
                    let to = if dir == 0 { c.b } else { c.a };
                    if self.drop_next.remove(&(sid, to)) {
                        // TCP cannot lose one segment and go on: the lost
                        // packet ends the connection (both ends see a reset).
                        self.reset_conn(conn);
                        continue;
                    }
                    self.obs_sent(conn, dir);
                    self.transmit(conn, dir, Some(packet));
                }
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
                Output::Fsync { upto } => {
                    let [lo, hi] = self.scenario.network.fsync_ms;
                    let base = self.rng.in_range(lo, hi);
                    let lat = self.nodes[i].fsync_ms.map_or(base, |f| f.max(base));
                    self.schedule(
                        now + lat,
                        Event::Server {
                            sid,
                            inc,
                            input: Input::FsyncDone { upto },
                        },
                    );
                }
                Output::Client(ev) => {
                    self.messages += 1;
                    let id = ev.client();
                    let Some(c) = self.clients.iter().find(|c| c.id == id) else {
                        continue;
                    };
                    if c.server != sid {
                        continue;
                    }
                    let gen = c.gen;
                    self.client_deliver(id, gen, sid, ev);
                }
                Output::Log(line) => self.log.push(LogEntry {
                    at_ms: now,
                    sid,
                    level: line.level,
                    class: line.class,
                    text: line.text,
                }),
                Output::Exit { reason } => {
                    // What the server flagged before it exited still counts
                    // (e.g. the `commitInconsistent` of an unmatched COMMIT);
                    // the crash below would drop it.
                    let ghost = self.nodes[i].server.take_ghost();
                    self.pending_ghost
                        .extend(ghost.into_iter().map(|g| (sid, g)));
                    self.action_errors.push(ActionReport {
                        at_ms: now,
                        action: "exit",
                        error: format!("server {sid} exited: {reason}"),
                    });
                    self.crash_node(i);
                    return;
                }
            }
        }
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

    fn connect(&mut self, from: Sid, from_inc: u32, to: Sid) {
        let now = self.now_ms;
        let Ok(j) = self.idx(to) else { return };
        let lat = self.latency(from, to);
        let back = self.latency(to, from);
        if self.cut(from, to) || self.cut(to, from) {
            let wait = self.scenario.ensemble.init_limit * self.scenario.ensemble.tick_ms;
            self.schedule(
                now + wait,
                Event::Server {
                    sid: from,
                    inc: from_inc,
                    input: Input::ConnectResult { to, conn: None },
                },
            );
            return;
        }
        let target = &self.nodes[j];
        // A paused leader's kernel still completes the handshake.
        if !target.up || !target.server.accepts_learners() {
            self.schedule(
                now + lat + back,
                Event::Server {
                    sid: from,
                    inc: from_inc,
                    input: Input::ConnectResult { to, conn: None },
                },
            );
            return;
        }
        let id = self.next_conn;
        self.next_conn += 1;
        let tinc = target.inc;
        self.conns.insert(
            id,
            Conn {
                a: from,
                b: to,
                a_inc: from_inc,
                b_inc: tinc,
                open: [true, true],
                last_arrival: [now + lat + back, now + lat],
                held: [VecDeque::new(), VecDeque::new()],
            },
        );
        self.schedule(
            now + lat,
            Event::Server {
                sid: to,
                inc: tinc,
                input: Input::Accepted { conn: id, from },
            },
        );
        self.schedule(
            now + lat + back,
            Event::Server {
                sid: from,
                inc: from_inc,
                input: Input::ConnectResult { to, conn: Some(id) },
            },
        );
    }

    /// Put data (or a FIN) on the wire in direction `dir`.
    fn transmit(&mut self, id: ConnId, dir: usize, item: Option<Packet>) {
        let Some(c) = self.conns.get(&id) else { return };
        let (from, to, to_inc) = if dir == 0 {
            (c.a, c.b, c.b_inc)
        } else {
            (c.b, c.a, c.a_inc)
        };
        if self.cut(from, to) {
            if let Some(c) = self.conns.get_mut(&id) {
                c.held[dir].push_back(item);
            }
            return;
        }
        let lat = self.latency(from, to);
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let at = (self.now_ms + lat).max(c.last_arrival[dir]);
        c.last_arrival[dir] = at;
        let input = match item {
            Some(packet) => Input::Packet { conn: id, packet },
            None => Input::Closed { conn: id },
        };
        self.schedule(
            at,
            Event::Server {
                sid: to,
                inc: to_inc,
                input,
            },
        );
    }

    /// The connection breaks under both ends: each sees it closed.
    fn reset_conn(&mut self, id: ConnId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let held = held_packets(c);
        c.held[0].clear();
        c.held[1].clear();
        let ends = [(c.a, c.a_inc, c.open[0]), (c.b, c.b_inc, c.open[1])];
        c.open = [false, false];
        self.conns.remove(&id);
        self.obs_discarded(id, 0, held[0]);
        self.obs_discarded(id, 1, held[1]);
        let now = self.now_ms;
        for (sid, inc, open) in ends {
            if open {
                let lat = self.latency(sid, sid);
                self.schedule(
                    now + lat,
                    Event::Server {
                        sid,
                        inc,
                        input: Input::Closed { conn: id },
                    },
                );
            }
        }
    }

    /// `sid` closes its end: held data is gone, the peer sees a FIN.
    fn close_conn(&mut self, id: ConnId, sid: Sid) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let side = if c.a == sid { 0 } else { 1 };
        if !c.open[side] {
            return;
        }
        c.open[side] = false;
        let held = held_packets(c);
        c.held[0].clear();
        c.held[1].clear();
        let peer_open = c.open[1 - side];
        self.obs_discarded(id, 0, held[0]);
        self.obs_discarded(id, 1, held[1]);
        if peer_open {
            self.transmit(id, side, None);
        } else {
            self.conns.remove(&id);
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
        if !self.recipes.is_empty() {
            self.check_locks();
        }
        if self.expectations.iter().any(|e| !e.done) {
            self.check_expectations();
        }
    }

    /// Marks the expectations that hold now as done.
    fn check_expectations(&mut self) {
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
    fn start_expectation(&mut self, what: Expectation, within_ms: u64, client: Option<&str>) {
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
        });
        self.schedule(deadline_ms, Event::ExpectDeadline(index));
    }

    /// The deadline of an expectation: report it if it never held.
    fn expectation_deadline(&mut self, index: usize) {
        self.check_expectations();
        let e = &mut self.expectations[index];
        if e.done {
            return;
        }
        e.done = true;
        let (what, since, deadline) = (e.what, e.since_ms, e.deadline_ms);
        let waited: Vec<(usize, u32)> = e.writes.clone();
        let (servers, detail) = match what {
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
        };
        self.checker.report(
            what.property(),
            self.now_ms,
            self.events,
            servers,
            Vec::new(),
            detail,
        );
    }

    // ----- clients -----

    fn client_connect_new(&mut self, name: &str, sid: Sid, timeout_ms: u64) {
        let c = match self.client_idx(name) {
            Some(c) => c,
            None => {
                let id = self.clients.len() as ClientId + 1;
                self.clients.push(Client {
                    name: name.to_string(),
                    id,
                    server: sid,
                    gen: 0,
                    session: 0,
                    timeout_ms,
                    state: ClientState::Connecting,
                    last_zxid: Zxid::ZERO,
                    next_cxid: 1,
                    queue: VecDeque::new(),
                    in_flight: BTreeMap::new(),
                    last_heard_ms: self.now_ms,
                    writes: 0,
                    load_until_ms: None,
                    load_interval_us: 0,
                    load_created: false,
                    load_done: 0,
                    read_until_ms: None,
                    read_interval_us: 0,
                    up_arrival: 0,
                    down_arrival: 0,
                    watches: BTreeSet::new(),
                    after_sync: None,
                    next_tick_ms: 0,
                });
                self.clients.len() - 1
            }
        };
        let cl = &mut self.clients[c];
        cl.session = 0;
        cl.timeout_ms = timeout_ms;
        cl.server = sid;
        self.client_dial(c);
    }

    /// Open a connection from client `c` to its current server.
    fn client_dial(&mut self, c: usize) {
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        cl.gen += 1;
        cl.state = ClientState::Connecting;
        cl.last_heard_ms = now;
        let (id, sid, gen) = (cl.id, cl.server, cl.gen);
        let input = Input::ClientConnect {
            client: id,
            session: cl.session,
            timeout_ms: cl.timeout_ms,
            last_zxid_seen: cl.last_zxid,
        };
        self.client_send(id, gen, sid, input);
        let tick = (self.clients[c].timeout_ms / 3).max(1);
        self.clients[c].next_tick_ms = now + tick;
        self.schedule(
            now + tick,
            Event::Client {
                id,
                gen,
                ev: ClientEv::Tick,
            },
        );
    }

    fn client_send(&mut self, id: ClientId, gen: u32, sid: Sid, input: Input) {
        self.messages += 1;
        self.client_send_now(id, gen, sid, input);
    }

    /// Whether a partition separates client `id` from server `sid`.
    fn client_cut(&self, id: ClientId, sid: Sid) -> bool {
        !self.client_cuts.is_empty()
            && self
                .clients
                .iter()
                .any(|c| c.id == id && self.client_cuts.contains(&(c.name.clone(), sid)))
    }

    /// Data a partition holds between clients and servers goes on, in
    /// order, once the cut is gone, if its connection still exists (as TCP
    /// retransmissions would deliver it); what a closed connection held is
    /// gone.
    fn release_client_held(&mut self) {
        let held = std::mem::take(&mut self.client_held);
        for h in held {
            let (id, gen, sid) = match &h {
                ClientHeld::Up(id, gen, sid, _) | ClientHeld::Down(id, gen, sid, _) => {
                    (*id, *gen, *sid)
                }
            };
            if self.client_cut(id, sid) {
                self.client_held.push(h);
                continue;
            }
            let current = self
                .clients
                .iter()
                .any(|c| c.id == id && c.gen == gen && c.server == sid);
            if !current {
                continue;
            }
            match h {
                ClientHeld::Up(_, _, _, input) => self.client_send_now(id, gen, sid, input),
                ClientHeld::Down(_, _, _, ev) => self.client_deliver(id, gen, sid, ev),
            }
        }
    }

    /// A server's event for a client, after one latency (FIFO).
    fn client_deliver(&mut self, id: ClientId, gen: u32, sid: Sid, ev: ClientEvent) {
        if self.client_cut(id, sid) {
            self.client_held.push(ClientHeld::Down(id, gen, sid, ev));
            return;
        }
        let lat = self.latency(sid, sid);
        let now = self.now_ms;
        let Some(c) = self.clients.iter_mut().find(|c| c.id == id) else {
            return;
        };
        let at = (now + lat).max(c.down_arrival);
        c.down_arrival = at;
        self.schedule(
            at,
            Event::Client {
                id,
                gen,
                ev: ClientEv::FromServer(sid, ev),
            },
        );
    }

    fn client_send_now(&mut self, id: ClientId, gen: u32, sid: Sid, input: Input) {
        if self.client_cut(id, sid) {
            // A partition: the data waits at the cut (TCP retransmits).
            self.client_held.push(ClientHeld::Up(id, gen, sid, input));
            return;
        }
        let lat = self.latency(sid, sid);
        let mut now = self.now_ms;
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == id) {
            // TCP: nothing overtakes on one connection.
            let at = (now + lat).max(c.up_arrival);
            c.up_arrival = at;
            now = at - lat;
        }
        match self.idx(sid) {
            Ok(j) if self.nodes[j].up => {
                let inc = self.nodes[j].inc;
                self.schedule(now + lat, Event::Server { sid, inc, input });
            }
            _ => self.client_closed_at(now + lat, id, gen, sid, "connection refused"),
        }
    }

    /// The client's connection to `sid` ends at `at_ms` for `reason`.
    fn client_closed_at(&mut self, at_ms: u64, id: ClientId, gen: u32, sid: Sid, reason: &str) {
        let ev = ClientEvent::Closed {
            client: id,
            reason: reason.to_string(),
        };
        self.schedule(
            at_ms,
            Event::Client {
                id,
                gen,
                ev: ClientEv::FromServer(sid, ev),
            },
        );
    }

    fn client_submit(&mut self, c: usize, op: RequestOp, record: bool) {
        self.client_submit_tagged(c, op, record, None);
    }

    fn client_submit_tagged(
        &mut self,
        c: usize,
        op: RequestOp,
        record: bool,
        recipe: Option<usize>,
    ) {
        let lin_floor = self.max_completed_write;
        let cl = &mut self.clients[c];
        let cxid = cl.next_cxid;
        cl.next_cxid += 1;
        let sync_floor = if op.is_read() {
            cl.after_sync.take()
        } else {
            None
        };
        cl.queue.push_back(PendingOp {
            cxid,
            op,
            record,
            recipe,
            sync_floor,
            seen_at_invoke: cl.last_zxid,
            lin_floor,
        });
        if cl.state == ClientState::Connected || cl.state == ClientState::Closing {
            self.client_flush(c);
        }
    }

    fn client_flush(&mut self, c: usize) {
        while let Some(p) = self.clients[c].queue.pop_front() {
            let cl = &mut self.clients[c];
            let (id, gen, sid) = (cl.id, cl.gen, cl.server);
            let input = Input::ClientRequest {
                client: id,
                cxid: p.cxid,
                op: p.op.clone(),
            };
            cl.in_flight.insert(p.cxid, p);
            self.client_send(id, gen, sid, input);
        }
    }

    fn record_write(&mut self, c: usize, p: &PendingOp, zxid: Option<Zxid>, result: String) {
        self.record_write_created(c, p, zxid, result, &[]);
    }

    fn record_write_created(
        &mut self,
        c: usize,
        p: &PendingOp,
        zxid: Option<Zxid>,
        result: String,
        created: &[Arc<str>],
    ) {
        if zxid.is_none() {
            if let Some(ri) = p.recipe {
                self.recipe_lost(ri, &p.op);
            }
        }
        self.answered_write(c, p, zxid.is_some(), &result);
        let cl = &mut self.clients[c];
        if !p.record {
            if zxid.is_some() && p.recipe.is_none() {
                cl.load_done += 1;
            }
            return;
        }
        let (op, path) = match &p.op {
            RequestOp::Create { path, .. } => (
                "create",
                created
                    .first()
                    .map_or_else(|| path.to_string(), |c| c.to_string()),
            ),
            RequestOp::SetData { path, .. } => ("setData", path.to_string()),
            RequestOp::Delete { path, .. } => ("delete", path.to_string()),
            RequestOp::CloseSession => ("closeSession", String::new()),
            RequestOp::CreateSession { .. } => ("createSession", String::new()),
            RequestOp::Multi { ops } => (
                "multi",
                ops.iter().map(|o| o.path()).collect::<Vec<_>>().join(","),
            ),
            RequestOp::GetData { .. }
            | RequestOp::Exists { .. }
            | RequestOp::GetChildren { .. }
            | RequestOp::Check { .. }
            | RequestOp::Sync { .. } => {
                return;
            }
        };
        self.writes.push(WriteRecord {
            client: cl.name.clone(),
            op,
            path,
            zxid,
            result,
            at_ms: self.now_ms,
        });
    }

    /// ZooKeeper's client guarantees, checked on every answer (the
    /// client-history checker):
    /// - ClientSessionOrder: a session's answers come in the order it sent
    ///   the requests, and a read never returns state older than the
    ///   session had seen when it sent the read;
    /// - ClientWriteLinearizability: a write's zxid is above every write
    ///   that had completed before it was sent (real-time order).
    ///
    /// Reads are only sequentially consistent in ZooKeeper, so a read older
    /// than another session's completed write is not a violation (that is
    /// a stale read, which the diagnosis explains).
    fn check_client_history(&mut self, c: usize, p: &PendingOp, r: &crate::proto::ClientReply) {
        let name = self.clients[c].name.clone();
        let server = self.clients[c].server;
        if let Some(&earlier) = self.clients[c].in_flight.keys().next() {
            if earlier < p.cxid {
                self.checker.report(
                    "ClientSessionOrder",
                    self.now_ms,
                    self.events,
                    vec![server],
                    vec![r.zxid],
                    format!(
                        "{name}: the answer to request {} ({}) came before the answer to its earlier request {earlier}",
                        p.cxid,
                        p.op.name()
                    ),
                );
            }
        }
        if r.read.is_some() && r.zxid < p.seen_at_invoke {
            self.checker.report(
                "ClientSessionOrder",
                self.now_ms,
                self.events,
                vec![server],
                vec![r.zxid, p.seen_at_invoke],
                format!(
                    "{name}: {} read state as of {} after the session had seen {}",
                    p.op.name(),
                    r.zxid,
                    p.seen_at_invoke
                ),
            );
        }
        if r.read.is_none()
            && r.zxid <= p.lin_floor
            && !matches!(
                p.op,
                RequestOp::CreateSession { .. } | RequestOp::Sync { .. }
            )
        {
            self.checker.report(
                "ClientWriteLinearizability",
                self.now_ms,
                self.events,
                vec![server],
                vec![r.zxid, p.lin_floor],
                format!(
                    "{name}: {} got zxid {}, but {} had already completed before it was sent",
                    p.op.name(),
                    r.zxid,
                    p.lin_floor
                ),
            );
        }
    }

    fn record_read(
        &mut self,
        c: usize,
        p: &PendingOp,
        zxid: Zxid,
        err: i32,
        read: crate::proto::ReadResult,
    ) {
        let path = p.op.path().to_string();
        self.reads.push(ReadRecord {
            client: self.clients[c].name.clone(),
            server: self.clients[c].server,
            op: p.op.name(),
            path,
            zxid,
            result: crate::txn::code::name(err).to_string(),
            data: read.data.map(|d| d.to_string()),
            version: read.version,
            children: read.children.iter().map(|c| c.to_string()).collect(),
            at_ms: self.now_ms,
        });
    }

    /// A write was answered: an expectation waiting for it is satisfied
    /// (committed), resubmits it (ConnectionLoss, while retries last; the
    /// new request waits in the client's queue for the reconnect) or fails
    /// at once.
    fn answered_write(&mut self, c: usize, p: &PendingOp, committed: bool, result: &str) {
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

    fn client_event(&mut self, id: ClientId, gen: u32, ev: ClientEv) {
        let Some(c) = self.clients.iter().position(|c| c.id == id) else {
            return;
        };
        if ev == ClientEv::LoadTick {
            self.client_load_tick(c);
            return;
        }
        if ev == ClientEv::ReadTick {
            self.client_read_tick(c);
            return;
        }
        if let ClientEv::RecipeTimer(ri, timer) = ev {
            self.recipe_timer_fired(ri, timer);
            return;
        }
        if self.clients[c].gen != gen {
            return;
        }
        let now = self.now_ms;
        match ev {
            ClientEv::LoadTick | ClientEv::ReadTick | ClientEv::RecipeTimer(..) => {}
            ClientEv::Tick => {
                let cl = &self.clients[c];
                if cl.next_tick_ms != now {
                    // A tick of the chain the negotiated timeout replaced.
                    return;
                }
                if !matches!(
                    cl.state,
                    ClientState::Connected | ClientState::Connecting | ClientState::Closing
                ) {
                    return;
                }
                let read_timeout = cl.timeout_ms * 2 / 3;
                if now.saturating_sub(cl.last_heard_ms) >= read_timeout {
                    self.client_lost(c, "read timeout".to_string());
                    return;
                }
                let (sid, timeout) = (cl.server, cl.timeout_ms);
                if cl.state != ClientState::Connecting {
                    self.client_send(id, gen, sid, Input::ClientPing { client: id });
                }
                self.clients[c].next_tick_ms = now + (timeout / 3).max(1);
                self.schedule(
                    now + (timeout / 3).max(1),
                    Event::Client {
                        id,
                        gen,
                        ev: ClientEv::Tick,
                    },
                );
            }
            ClientEv::Reconnect => {
                let cl = &self.clients[c];
                if cl.state != ClientState::Connecting {
                    return;
                }
                let all: Vec<Sid> = self.nodes.iter().map(|n| n.sid).collect();
                let cur = all.iter().position(|s| *s == cl.server).unwrap_or(0);
                self.clients[c].server = all[(cur + 1) % all.len()];
                self.client_dial(c);
            }
            ClientEv::FromServer(sid, e) => {
                if self.clients[c].server != sid {
                    return;
                }
                self.clients[c].last_heard_ms = now;
                match e {
                    ClientEvent::Connected {
                        session,
                        timeout_ms,
                        ..
                    } => {
                        let cl = &mut self.clients[c];
                        let reattached = cl.session == session && session != 0;
                        cl.session = session;
                        if cl.timeout_ms != timeout_ms {
                            // The server negotiated another timeout (clamped
                            // to [2, 20] ticks): ping and time out by it.
                            cl.timeout_ms = timeout_ms;
                            let at = now + (timeout_ms / 3).max(1);
                            cl.next_tick_ms = at;
                            let (cid, cgen) = (cl.id, cl.gen);
                            self.schedule(
                                at,
                                Event::Client {
                                    id: cid,
                                    gen: cgen,
                                    ev: ClientEv::Tick,
                                },
                            );
                        }
                        let cl = &mut self.clients[c];
                        if cl.state == ClientState::Connecting {
                            cl.state = ClientState::Connected;
                        }
                        if reattached && !cl.watches.is_empty() {
                            // The client library's SetWatches, before
                            // anything else on the new connection.
                            let pick = |k: WatchKind| -> Vec<Arc<str>> {
                                cl.watches
                                    .iter()
                                    .filter(|(kind, _)| *kind == k)
                                    .map(|(_, p)| p.clone())
                                    .collect()
                            };
                            let input = Input::ClientSetWatches {
                                client: cl.id,
                                relative_zxid: cl.last_zxid,
                                data: pick(WatchKind::Data),
                                exist: pick(WatchKind::Exist),
                                child: pick(WatchKind::Child),
                            };
                            let (cid, cgen, csid) = (cl.id, cl.gen, cl.server);
                            self.client_send(cid, cgen, csid, input);
                        }
                        self.client_flush(c);
                        if reattached {
                            for ri in self.recipes_of(c) {
                                self.recipe_reconnected(ri);
                            }
                        }
                    }
                    ClientEvent::Pong { .. } => {}
                    ClientEvent::Reply(r) => {
                        let Some(p) = self.clients[c].in_flight.remove(&r.cxid) else {
                            return;
                        };
                        self.check_client_history(c, &p, &r);
                        let cl = &mut self.clients[c];
                        cl.last_zxid = cl.last_zxid.max(r.zxid);
                        if let Some(kind) = watch_set_by(&p.op, &r) {
                            cl.watches.insert((kind, Arc::from(p.op.path())));
                        }
                        if let Some(ri) = p.recipe {
                            self.recipe_reply(ri, &p.op, &r);
                        }
                        if let Some(floor) = p.sync_floor {
                            self.check_sync_read(c, floor, r.zxid, &p.op);
                        }
                        if let RequestOp::Sync { .. } = p.op {
                            self.clients[c].after_sync = Some(p.lin_floor);
                            if p.record {
                                let read = crate::proto::ReadResult {
                                    data: None,
                                    version: -1,
                                    children: Vec::new(),
                                };
                                self.record_read(c, &p, r.zxid, r.err, read);
                            }
                            return;
                        }
                        if let Some(read) = r.read {
                            if p.record {
                                self.record_read(c, &p, r.zxid, r.err, read);
                            }
                            return;
                        }
                        self.max_completed_write = self.max_completed_write.max(r.zxid);
                        let closing = p.op == RequestOp::CloseSession;
                        self.record_write_created(
                            c,
                            &p,
                            Some(r.zxid),
                            crate::txn::code::name(r.err).to_string(),
                            &r.created,
                        );
                        if closing {
                            self.clients[c].state = ClientState::Closed;
                            self.clients[c].gen += 1;
                            for ri in self.recipes_of(c) {
                                self.recipe_end(ri, "the client closed its session".to_string());
                            }
                        }
                    }
                    ClientEvent::Watch(w) => {
                        let cl = &mut self.clients[c];
                        // One-shot: whatever watch of this client fired is gone.
                        cl.watches.retain(|(_, p)| *p != w.path);
                        self.watch_events.push(WatchRecord {
                            client: cl.name.clone(),
                            server: sid,
                            event: w.kind.name(),
                            path: w.path.to_string(),
                            zxid: w.zxid,
                            at_ms: now,
                        });
                        for ri in self.recipes_of(c) {
                            self.recipe_watch(ri, &w);
                        }
                    }
                    ClientEvent::Closed { reason, .. } => {
                        if reason == "session expired" {
                            let pending: Vec<PendingOp> = {
                                let cl = &mut self.clients[c];
                                cl.state = ClientState::Expired;
                                cl.gen += 1;
                                let mut v: Vec<PendingOp> =
                                    std::mem::take(&mut cl.in_flight).into_values().collect();
                                v.extend(cl.queue.drain(..));
                                v
                            };
                            for p in pending {
                                self.record_write(c, &p, None, "SessionExpired".to_string());
                            }
                            for ri in self.recipes_of(c) {
                                self.recipe_end(ri, "its session expired".to_string());
                            }
                        } else {
                            self.client_lost(c, reason);
                        }
                    }
                }
            }
        }
    }

    /// The connection is gone: in-flight requests fail with
    /// ConnectionLoss; try the next server after a random pause.
    fn client_lost(&mut self, c: usize, _reason: String) {
        // A closed or expired handle is dead for good (ZooKeeper.close()
        // ends it whether or not closeSession got through); a late event
        // of its last connection must not bring it back.
        if matches!(
            self.clients[c].state,
            ClientState::Closed | ClientState::Expired
        ) {
            return;
        }
        let pending: Vec<PendingOp> = {
            let cl = &mut self.clients[c];
            let v: Vec<PendingOp> = std::mem::take(&mut cl.in_flight).into_values().collect();
            v
        };
        for p in pending {
            self.record_write(c, &p, None, "ConnectionLoss".to_string());
        }
        let delay = self.rng.below(1000) as u64;
        let cl = &mut self.clients[c];
        if cl.state == ClientState::Closing {
            cl.state = ClientState::Closed;
            cl.gen += 1;
            return;
        }
        cl.state = ClientState::Connecting;
        cl.gen += 1;
        let (id, gen) = (cl.id, cl.gen);
        self.schedule(
            self.now_ms + delay,
            Event::Client {
                id,
                gen,
                ev: ClientEv::Reconnect,
            },
        );
    }

    fn client_load_tick(&mut self, c: usize) {
        let now = self.now_ms;
        if !self.load_goes_on(c, |cl| &mut cl.load_until_ms) {
            return;
        }
        let cl = &self.clients[c];
        let path: Arc<str> = Arc::from(format!("/{}-load", cl.name).as_str());
        let op = if !cl.load_created {
            self.clients[c].load_created = true;
            RequestOp::Create {
                path,
                data: Arc::from("0"),
                ephemeral: false,
                sequential: false,
            }
        } else {
            RequestOp::SetData {
                path,
                data: Arc::from("x"),
                version: -1,
            }
        };
        self.client_submit(c, op, false);
        let cl = &self.clients[c];
        let interval_ms = (cl.load_interval_us / 1000).max(1);
        let id = cl.id;
        self.schedule(
            now + interval_ms,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::LoadTick,
            },
        );
    }
}

/// Packets (not FINs) held at a cut on `c`, per direction.
fn held_packets(c: &Conn) -> [u64; 2] {
    [0, 1].map(|d| c.held[d].iter().filter(|p| p.is_some()).count() as u64)
}

/// The client a `write` with no `client` uses.
pub const BUILTIN_CLIENT: &str = "zablab";

/// The request a write (or multi) op name stands for.
fn request_op(op: &str, path: Arc<str>, data: Arc<str>, version: Option<i32>) -> RequestOp {
    let version = version.unwrap_or(-1);
    match op {
        "set" => RequestOp::SetData {
            path,
            data,
            version,
        },
        "delete" => RequestOp::Delete { path, version },
        "check" => RequestOp::Check { path, version },
        other => RequestOp::Create {
            path,
            data,
            ephemeral: other.contains("ephemeral"),
            sequential: other.contains("sequential"),
        },
    }
}

/// Which watch a read's answer left on its server (mirrors
/// `Server::answer_read`: exists always, getData/getChildren only on a
/// node that exists).
fn watch_set_by(op: &RequestOp, r: &crate::proto::ClientReply) -> Option<WatchKind> {
    let exists = r.read.as_ref().is_some_and(|x| x.data.is_some());
    match op {
        RequestOp::Exists { watch: true, .. } if exists => Some(WatchKind::Data),
        RequestOp::Exists { watch: true, .. } => Some(WatchKind::Exist),
        RequestOp::GetData { watch: true, .. } if exists => Some(WatchKind::Data),
        RequestOp::GetChildren { watch: true, .. } if exists => Some(WatchKind::Child),
        _ => None,
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
mod tests {
    use super::*;

    fn three_servers(seed: u64) -> Simulation {
        let text = include_str!("../../static/scenarios/three-servers.json")
            .replace("\"seed\": 1", &format!("\"seed\": {seed}"));
        Simulation::new(Scenario::from_json(&text).unwrap()).unwrap()
    }

    #[test]
    fn an_ensemble_elects_and_a_crash_is_noticed() {
        let mut sim = three_servers(1);
        assert!(sim.servers().iter().all(|s| s.state == "DOWN"));
        sim.run_until(5000);
        assert!(sim.established_leader().is_some());
        let serving = sim.servers().iter().filter(|s| s.serving).count();
        assert_eq!(serving, 3);
        sim.run_until(9000);
        assert_eq!(sim.server(3).unwrap().state, "DOWN", "crashed at 8000");
        sim.run_to_end();
        assert_eq!(
            sim.server(3).unwrap().state,
            "FOLLOWING",
            "restarted at 14000"
        );
        assert_eq!(sim.now_ms(), 20_000);
        assert!(sim.action_errors().is_empty());
        assert!(sim.violations().is_empty());
    }

    #[test]
    fn same_seed_same_trace_other_seed_other_trace() {
        let run = |seed| {
            let mut sim = three_servers(seed);
            sim.run_to_end();
            (sim.events(), sim.trace_hash())
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1).1, run(2).1);
    }

    /// The checker sees only the server an event changed; a shadow checker
    /// that sees every server after every event must agree, violation for
    /// violation, on fuzz seeds with and without bug-museum flags.
    #[test]
    fn incremental_checks_report_what_checking_everything_reports() {
        let mut fired = 0;
        for (k, variant) in [
            None,
            Some("bug_zk1154_diff_without_trunc"),
            Some("bug_zk4394_flush_all_at_newleader"),
            Some("bug_zk1291_late_leader_accepted_epoch"),
            Some("bug_zk4646_ack_before_fsync"),
        ]
        .iter()
        .enumerate()
        {
            let variants: Vec<String> = variant.iter().map(|v| v.to_string()).collect();
            for seed in 1..=40 {
                let scenario = crate::fuzz::generate(seed + 1000 * k as u64, &variants);
                let mut sim = Simulation::new(scenario).unwrap();
                sim.shadow = Some(Box::default());
                sim.run_to_end();
                fired += sim.violations().len();
            }
        }
        assert!(
            fired > 0,
            "some seeds must break a property for this to mean anything"
        );
    }

    #[test]
    fn a_clone_is_a_checkpoint() {
        let mut sim = three_servers(3);
        sim.run_until(5000);
        let mut copy = sim.clone();
        sim.run_to_end();
        copy.run_to_end();
        assert_eq!(sim.trace_hash(), copy.trace_hash());
        assert_eq!(sim.summary(), copy.summary());
    }

    #[test]
    fn live_actions_replay_to_the_same_trace() {
        let mut live = three_servers(4);
        live.run_until(3000);
        live.act(ActionKind::Crash {
            server: ServerRef::Leader,
        })
        .unwrap();
        live.step();
        live.act(ActionKind::Pause {
            server: ServerRef::Sid(2),
            for_ms: 1500,
        })
        .unwrap();
        live.run_until(12_000);
        live.act(ActionKind::Partition {
            groups: vec![vec![1], vec![2, 3]],
            clients: Vec::new(),
        })
        .unwrap();
        live.run_until(13_000);
        live.act(ActionKind::Heal).unwrap();
        live.run_to_end();

        let mut replay = Simulation::new(live.scenario().clone()).unwrap();
        replay.run_until(live.now_ms());
        assert_eq!(replay.events(), live.events());
        assert_eq!(replay.trace_hash(), live.trace_hash());
        assert_eq!(replay.servers(), live.servers());
    }

    #[test]
    fn impossible_actions_are_refused_without_changing_anything() {
        let mut sim = three_servers(5);
        sim.run_until(100);
        let before = (sim.scenario().actions.len(), sim.trace_hash());
        assert_eq!(
            sim.act(ActionKind::Restart {
                server: ServerRef::Sid(1)
            }),
            Err(ActionError::AlreadyUp(1))
        );
        assert_eq!(
            sim.act(ActionKind::Crash {
                server: ServerRef::Sid(9)
            }),
            Err(ActionError::UnknownServer(9))
        );
        assert_eq!(
            sim.act(ActionKind::Crash {
                server: ServerRef::Leader
            }),
            Err(ActionError::NoLeader(100))
        );
        assert_eq!(
            sim.act(ActionKind::Close {
                client: "nobody".into()
            }),
            Err(ActionError::UnknownClient("nobody".into()))
        );
        assert_eq!(before, (sim.scenario().actions.len(), sim.trace_hash()));
    }

    #[test]
    fn unknown_variants_are_refused_when_loading() {
        let text = include_str!("../../static/scenarios/three-servers.json").replace(
            "\"sync_limit\": 5",
            "\"sync_limit\": 5, \"variants\": [\"bug_zk9999_nope\"]",
        );
        let err = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ensemble.variants: \"bug_zk9999_nope\""),
            "{err}"
        );
    }

    #[test]
    fn a_paused_server_handles_nothing_until_it_resumes() {
        let mut sim = three_servers(6);
        sim.run_until(5000);
        let leader = sim.established_leader().unwrap();
        let follower = (1..=3).find(|&s| s != leader && s != 3).unwrap();
        sim.act(ActionKind::Pause {
            server: ServerRef::Sid(follower),
            for_ms: 1000,
        })
        .unwrap();
        let log_len = sim.log().iter().filter(|l| l.sid == follower).count();
        sim.run_until(5900);
        assert!(sim.server(follower).unwrap().paused);
        assert_eq!(
            log_len,
            sim.log().iter().filter(|l| l.sid == follower).count()
        );
        sim.run_until(7000);
        // A one-second stall is shorter than syncLimit*tickTime: no election.
        assert_eq!(sim.server(follower).unwrap().state, "FOLLOWING");
        assert!(!sim.server(follower).unwrap().paused);
    }
}
