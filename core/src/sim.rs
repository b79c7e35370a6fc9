//! The deterministic discrete-event simulator.
//!
//! Contract:
//! - Virtual time in whole milliseconds. Events are handled in the order
//!   `(time, class, seq)`: at one instant, scenario actions (class 0, in file
//!   order) come before protocol events (class 1, in scheduling order).
//! - One PRNG of a fixed algorithm (`Pcg32`), seeded from the scenario. No
//!   wall clock, no OS randomness, no hash-map iteration: the same scenario
//!   gives the same trace and `trace_hash` natively and in wasm.
//! - A live session is a scenario: `act` stamps a user action at the current
//!   virtual time, appends it to the scenario and runs up to it, so that
//!   replaying `scenario()` from scratch reproduces the same trace.
//! - `Clone` is the checkpoint: a clone continues exactly like the original.
//!
//! Foundation stub: until the ZAB server state machine lands, a server is
//! only up or down, and an up server handles one heartbeat event every half
//! tick (plus a seeded jitter inside the link latency range). The plumbing
//! (queue, clock, PRNG, actions, trace hash, errors) is the one the protocol
//! will run on.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use serde::Serialize;
use thiserror::Error;

use crate::rng::Pcg32;
use crate::scenario::{Action, ActionKind, Scenario, ServerRef};
use crate::trace::TraceHasher;

/// PRNG stream of the simulator (a constant: the seed alone picks the run).
const RNG_STREAM: u64 = 0x5a42; // "ZB"

/// Why a scenario cannot be run by this build.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    #[error("actions[{index}]: action \"{action}\" is not simulated by this build yet")]
    NotSimulated { index: usize, action: &'static str },
}

/// Why an action could not be done at the moment it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
pub enum ActionError {
    #[error("server {0} is not in the ensemble")]
    UnknownServer(u32),
    #[error("server {0} is already running")]
    AlreadyUp(u32),
    #[error("server {0} is already down")]
    AlreadyDown(u32),
    #[error("there is no established leader at {0} ms")]
    NoLeader(u64),
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
    pub heartbeats: u64,
}

/// An action that could not be done when its time came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReport {
    pub at_ms: u64,
    pub action: &'static str,
    pub error: String,
}

/// The `zablab run --json` summary (the fields this build can fill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub end_ms: u64,
    pub events: u64,
    pub trace_hash: String,
    pub servers: Vec<ServerView>,
    pub action_errors: Vec<ActionReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// `scenario.actions[index]` is due.
    Action(usize),
    /// Stub protocol event of one incarnation of a server.
    Heartbeat { sid: u32, incarnation: u32 },
}

impl Event {
    fn class(&self) -> u8 {
        match self {
            Event::Action(_) => 0,
            Event::Heartbeat { .. } => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scheduled {
    time_ms: u64,
    seq: u64,
    event: Event,
}

impl Scheduled {
    fn key(&self) -> (u64, u8, u64) {
        (self.time_ms, self.event.class(), self.seq)
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone)]
struct Server {
    sid: u32,
    role: Role,
    up: bool,
    /// Bumped on every start, so events of an earlier life are dropped.
    incarnation: u32,
    heartbeats: u64,
}

impl Server {
    fn view(&self) -> ServerView {
        ServerView {
            sid: self.sid,
            role: self.role,
            up: self.up,
            heartbeats: self.heartbeats,
        }
    }
}

/// A running simulation. See the module docs for the drive loop.
#[derive(Debug, Clone)]
pub struct Simulation {
    scenario: Scenario,
    now_ms: u64,
    /// Time of the last handled event, if any (user actions are stamped
    /// after it so that a replay orders them the same way).
    last_handled_ms: Option<u64>,
    next_seq: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    rng: Pcg32,
    servers: Vec<Server>,
    events: u64,
    trace: TraceHasher,
    action_errors: Vec<ActionReport>,
}

impl Simulation {
    /// Builds the simulation at time 0 with every scenario action scheduled.
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        for (index, action) in scenario.actions.iter().enumerate() {
            if let Err(ActionError::NotSimulated(action)) = Self::supported(&action.kind) {
                return Err(SimError::NotSimulated { index, action });
            }
        }
        let mut servers: Vec<Server> = scenario
            .ensemble
            .participants
            .iter()
            .map(|&sid| (sid, Role::Participant))
            .chain(
                scenario
                    .ensemble
                    .observers
                    .iter()
                    .map(|&sid| (sid, Role::Observer)),
            )
            .map(|(sid, role)| Server {
                sid,
                role,
                up: false,
                incarnation: 0,
                heartbeats: 0,
            })
            .collect();
        servers.sort_by_key(|s| s.sid);
        let mut sim = Simulation {
            rng: Pcg32::new(scenario.seed, RNG_STREAM),
            scenario,
            now_ms: 0,
            last_handled_ms: None,
            next_seq: 0,
            queue: BinaryHeap::new(),
            servers,
            events: 0,
            trace: TraceHasher::new(),
            action_errors: Vec::new(),
        };
        for index in 0..sim.scenario.actions.len() {
            let at = sim.scenario.actions[index].at_ms;
            sim.schedule(at, Event::Action(index));
        }
        Ok(sim)
    }

    /// The scenario this run replays: the file's actions plus every action
    /// taken live with `act`, stamped with their virtual times.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Current virtual time.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Number of events handled so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Hash of every handled event (time, kind, server): equal traces have
    /// equal hashes.
    pub fn trace_hash(&self) -> u64 {
        self.trace.finish()
    }

    /// Time of the next event, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse(s)| s.time_ms)
    }

    /// The servers, in sid order.
    pub fn servers(&self) -> Vec<ServerView> {
        self.servers.iter().map(Server::view).collect()
    }

    /// One server by sid.
    pub fn server(&self, sid: u32) -> Option<ServerView> {
        let i = self.index_of(sid).ok()?;
        Some(self.servers[i].view())
    }

    /// Actions that could not be done when their time came.
    pub fn action_errors(&self) -> &[ActionReport] {
        &self.action_errors
    }

    /// Handles the next event. Returns false when nothing is left to do.
    pub fn step(&mut self) -> bool {
        let Some(Reverse(next)) = self.queue.pop() else {
            return false;
        };
        self.now_ms = next.time_ms;
        self.last_handled_ms = Some(next.time_ms);
        self.events += 1;
        self.handle(next);
        true
    }

    /// Handles every event due at or before `t_ms`, then sets the clock to
    /// `t_ms` (never backwards).
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
        Self::supported(&kind)?;
        self.resolve(&kind)?;
        let at_ms = match self.last_handled_ms {
            Some(t) if t >= self.now_ms => t + 1,
            _ => self.now_ms,
        };
        let index = self.scenario.actions.len();
        self.scenario.actions.push(Action { at_ms, kind });
        self.scenario.until_ms = self.scenario.until_ms.max(at_ms);
        self.schedule(at_ms, Event::Action(index));
        while let Some(Reverse(next)) = self.queue.peek().copied() {
            self.step();
            if next.event == Event::Action(index) {
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
            action_errors: self.action_errors.clone(),
        }
    }

    fn supported(kind: &ActionKind) -> Result<(), ActionError> {
        match kind {
            ActionKind::Start { .. } | ActionKind::Crash { .. } | ActionKind::Restart { .. } => {
                Ok(())
            }
            other => Err(ActionError::NotSimulated(other.name())),
        }
    }

    fn schedule(&mut self, time_ms: u64, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Reverse(Scheduled {
            time_ms,
            seq,
            event,
        }));
    }

    fn index_of(&self, sid: u32) -> Result<usize, ActionError> {
        self.servers
            .binary_search_by_key(&sid, |s| s.sid)
            .map_err(|_| ActionError::UnknownServer(sid))
    }

    fn resolve_ref(&self, server: ServerRef) -> Result<usize, ActionError> {
        match server {
            ServerRef::Sid(sid) => self.index_of(sid),
            // The stub elects nobody.
            ServerRef::Leader => Err(ActionError::NoLeader(self.now_ms)),
        }
    }

    /// Checks an action against the current state; returns the servers it
    /// touches.
    fn resolve(&self, kind: &ActionKind) -> Result<Vec<usize>, ActionError> {
        match kind {
            ActionKind::Start { servers } => {
                let mut picked = Vec::with_capacity(servers.len());
                for &sid in servers {
                    let i = self.index_of(sid)?;
                    if self.servers[i].up {
                        return Err(ActionError::AlreadyUp(sid));
                    }
                    picked.push(i);
                }
                Ok(picked)
            }
            ActionKind::Restart { server } => {
                let i = self.resolve_ref(*server)?;
                if self.servers[i].up {
                    return Err(ActionError::AlreadyUp(self.servers[i].sid));
                }
                Ok(vec![i])
            }
            ActionKind::Crash { server } => {
                let i = self.resolve_ref(*server)?;
                if !self.servers[i].up {
                    return Err(ActionError::AlreadyDown(self.servers[i].sid));
                }
                Ok(vec![i])
            }
            other => Err(ActionError::NotSimulated(other.name())),
        }
    }

    fn handle(&mut self, scheduled: Scheduled) {
        match scheduled.event {
            Event::Action(index) => {
                let kind = self.scenario.actions[index].kind.clone();
                self.trace.event(self.now_ms, 0, index as u64);
                match self.resolve(&kind) {
                    Ok(targets) => {
                        for i in targets {
                            match kind {
                                ActionKind::Crash { .. } => self.servers[i].up = false,
                                _ => self.start_server(i),
                            }
                        }
                    }
                    Err(e) => self.action_errors.push(ActionReport {
                        at_ms: self.now_ms,
                        action: kind.name(),
                        error: e.to_string(),
                    }),
                }
            }
            Event::Heartbeat { sid, incarnation } => {
                let Ok(i) = self.index_of(sid) else { return };
                let server = &mut self.servers[i];
                if !server.up || server.incarnation != incarnation {
                    // An event of a previous life: the process that scheduled
                    // it is gone.
                    self.trace.event(self.now_ms, 2, u64::from(sid));
                    return;
                }
                server.heartbeats += 1;
                self.trace.event(self.now_ms, 1, u64::from(sid));
                self.schedule_heartbeat(i);
            }
        }
    }

    fn start_server(&mut self, i: usize) {
        let server = &mut self.servers[i];
        server.up = true;
        server.incarnation += 1;
        self.schedule_heartbeat(i);
    }

    fn schedule_heartbeat(&mut self, i: usize) {
        let [lo, hi] = self.scenario.network.latency_ms;
        let jitter = self.rng.in_range(lo, hi);
        let at = self.now_ms + self.scenario.ensemble.tick_ms / 2 + jitter;
        let event = Event::Heartbeat {
            sid: self.servers[i].sid,
            incarnation: self.servers[i].incarnation,
        };
        self.schedule(at, event);
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
    fn virtual_time_advances_and_servers_follow_the_actions() {
        let mut sim = three_servers(1);
        assert!(sim.servers().iter().all(|s| !s.up));
        sim.run_until(0);
        assert!(sim.servers().iter().all(|s| s.up));
        sim.run_until(9000);
        assert!(!sim.server(3).unwrap().up, "crashed at 8000");
        let beats = sim.server(3).unwrap().heartbeats;
        assert!(beats >= 7, "about one heartbeat per half tick: {beats}");
        sim.run_until(13_999);
        assert_eq!(
            sim.server(3).unwrap().heartbeats,
            beats,
            "a down server is silent"
        );
        sim.run_to_end();
        assert!(sim.server(3).unwrap().up, "restarted at 14000");
        assert_eq!(sim.now_ms(), 20_000);
        assert!(sim.action_errors().is_empty());
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

    #[test]
    fn a_clone_is_a_checkpoint() {
        let mut sim = three_servers(3);
        sim.run_until(5000);
        let mut copy = sim.clone();
        sim.run_to_end();
        copy.run_to_end();
        assert_eq!(sim.trace_hash(), copy.trace_hash());
    }

    #[test]
    fn live_actions_replay_to_the_same_trace() {
        let mut live = three_servers(4);
        live.run_until(3000);
        live.act(ActionKind::Crash {
            server: ServerRef::Sid(1),
        })
        .unwrap();
        // Acting right after a step stamps the action after that event.
        live.step();
        live.act(ActionKind::Crash {
            server: ServerRef::Sid(2),
        })
        .unwrap();
        live.run_until(12_000);
        live.act(ActionKind::Restart {
            server: ServerRef::Sid(1),
        })
        .unwrap();
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
            sim.act(ActionKind::Heal),
            Err(ActionError::NotSimulated("heal"))
        );
        assert_eq!(before, (sim.scenario().actions.len(), sim.trace_hash()));
    }

    #[test]
    fn scenario_actions_that_fail_at_run_time_are_reported() {
        let text = include_str!("../../static/scenarios/three-servers.json")
            .replace("\"server\": 3 }", "\"server\": \"leader\" }");
        let mut sim = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        sim.run_to_end();
        let errors = sim.action_errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].error, "there is no established leader at 8000 ms");
    }

    #[test]
    fn unsupported_actions_are_named_when_loading() {
        let text = include_str!("../../static/scenarios/kill-the-leader.json");
        let err = Simulation::new(Scenario::from_json(text).unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "actions[1]: action \"connect\" is not simulated by this build yet"
        );
    }
}
