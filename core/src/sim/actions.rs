//! Scenario actions: whether one can be done now (`check_action`),
//! queueing them (the file's next one; a user's `act`, `replay_action`) and
//! doing it (`do_action`), one function per family of actions (servers,
//! network, sessions, requests), dispatched by a short match.
//!
//! Contract:
//! - `check_action` only reads: a live `act` calls it first and refuses
//!   the action without a trace (`ActionError`); `do_action` calls it again
//!   when the action is due and, if it fails, records an `ActionReport`
//!   and does nothing else.
//! - `do_action` adds the action to the trace (`trace.event(now, 0, index)`)
//!   before anything else, then hands the work to the module that owns it:
//!   process and network faults to `network.rs`, sessions and requests to
//!   `clients.rs`, loads to `load.rs`, recipes to `recipes.rs`,
//!   expectations to `expect.rs`, four-letter words to `observe.rs`. It
//!   draws from the RNG only through them, in the order the action's
//!   fields give (servers in list order, writes one by one).
//! - The action names and error texts are the scenario contract
//!   (`docs/SCENARIO.md`): never rename one.

use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use super::{ActionReport, ClientState, Event, FourLwRecord, Scheduled, Simulation};
use crate::proto::{RequestOp, Sid};
use crate::scenario::{Action, ActionKind, ServerRef};

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
    #[error("\"{0}\" is not a four-letter word ZooKeeper knows")]
    UnknownWord(String),
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

impl Simulation {
    /// The index of the server an action names (the established leader's
    /// for `"leader"`).
    pub(super) fn resolve_ref(&self, server: ServerRef) -> Result<usize, ActionError> {
        match server {
            ServerRef::Sid(sid) => self.idx(sid),
            ServerRef::Leader => match self.established_leader() {
                Some(sid) => self.idx(sid),
                None => Err(ActionError::NoLeader(self.now_ms)),
            },
        }
    }

    // ----- checks -----

    /// Whether an action can be done now (without doing it).
    pub(super) fn check_action(&self, kind: &ActionKind) -> Result<(), ActionError> {
        match kind {
            ActionKind::Start { servers } => self.check_all_down(servers),
            ActionKind::Restart { server } => self.check_down(*server),
            ActionKind::Crash { server, .. } => self.check_up(*server).map(|_| ()),
            ActionKind::FourLetterWord { server, cmd } => {
                // As a file's static check does (`scenario/refs.rs`), so a
                // session recorded with `act` always exports to a file that
                // loads.
                if !crate::fourlw::starts_with_known(cmd) {
                    return Err(ActionError::UnknownWord(cmd.clone()));
                }
                self.check_up(*server).map(|_| ())
            }
            ActionKind::SlowDisk { server, .. } => self.resolve_ref(*server).map(|_| ()),
            ActionKind::Pause { server, .. } => self.check_pausable(*server),
            ActionKind::Connect { client, server, .. } => self.check_connect(client, *server),
            ActionKind::Write { client, .. } => self.check_write(client.as_deref()),
            ActionKind::Close { client }
            | ActionKind::Load { client, .. }
            | ActionKind::Read { client, .. }
            | ActionKind::Sync { client, .. }
            | ActionKind::Multi { client, .. } => self.check_client(client),
            ActionKind::Recipe { client, path, .. } => self.check_recipe(client, path),
            ActionKind::Partition { groups, clients } => self.check_partition(groups, clients),
            ActionKind::SlowLink { from, to, .. }
            | ActionKind::Cut { from, to }
            | ActionKind::Drop { from, to } => self.idx(*from).and(self.idx(*to)).map(|_| ()),
            ActionKind::Expect {
                client: Some(c), ..
            } => match self.client_idx(c) {
                Some(_) => Ok(()),
                None => Err(ActionError::UnknownClient(c.clone())),
            },
            ActionKind::Heal | ActionKind::Expect { .. } => Ok(()),
        }
    }

    /// `server` is running (its index).
    fn check_up(&self, server: ServerRef) -> Result<usize, ActionError> {
        let i = self.resolve_ref(server)?;
        if !self.nodes[i].up {
            return Err(ActionError::AlreadyDown(self.nodes[i].sid));
        }
        Ok(i)
    }

    /// `server` is down (to restart it).
    fn check_down(&self, server: ServerRef) -> Result<(), ActionError> {
        let i = self.resolve_ref(server)?;
        if self.nodes[i].up {
            return Err(ActionError::AlreadyUp(self.nodes[i].sid));
        }
        Ok(())
    }

    /// Every server of a `start` exists and is down.
    fn check_all_down(&self, servers: &[Sid]) -> Result<(), ActionError> {
        for &sid in servers {
            if self.nodes[self.idx(sid)?].up {
                return Err(ActionError::AlreadyUp(sid));
            }
        }
        Ok(())
    }

    fn check_pausable(&self, server: ServerRef) -> Result<(), ActionError> {
        let i = self.check_up(server)?;
        if self.nodes[i].paused_until.is_some() {
            return Err(ActionError::AlreadyPaused(self.nodes[i].sid));
        }
        Ok(())
    }

    /// A `connect`: its server runs, and the client has no live handle.
    fn check_connect(&self, client: &str, server: ServerRef) -> Result<(), ActionError> {
        self.check_up(server)?;
        if let Some(c) = self.client_idx(client) {
            if matches!(
                self.clients[c].state,
                ClientState::Connected | ClientState::Connecting | ClientState::Closing
            ) {
                return Err(ActionError::ClientExists(client.to_string()));
            }
        }
        Ok(())
    }

    /// A `write`: its client can send, or (no client named) the built-in
    /// client exists or some server serves clients for it to connect to.
    fn check_write(&self, client: Option<&str>) -> Result<(), ActionError> {
        match client {
            Some(name) => self.check_client(name),
            None if self.client_idx(BUILTIN_CLIENT).is_none() && self.first_serving().is_none() => {
                Err(ActionError::NoServing(self.now_ms))
            }
            None => Ok(()),
        }
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

    /// A `recipe`: its client can send and runs no recipe on `path` yet.
    fn check_recipe(&self, client: &str, path: &str) -> Result<(), ActionError> {
        self.check_client(client)?;
        if let Some(c) = self.client_idx(client) {
            if self
                .recipes
                .iter()
                .any(|r| r.client == c && r.ended.is_none() && *r.path == *path)
            {
                return Err(ActionError::RecipeRunning(
                    client.to_string(),
                    path.to_string(),
                ));
            }
        }
        Ok(())
    }

    /// A `partition`: every server and client it names exists.
    fn check_partition(
        &self,
        groups: &[Vec<Sid>],
        clients: &[Vec<String>],
    ) -> Result<(), ActionError> {
        for &sid in groups.iter().flatten() {
            self.idx(sid)?;
        }
        for name in clients.iter().flatten() {
            if self.client_idx(name).is_none() {
                return Err(ActionError::UnknownClient(name.clone()));
            }
        }
        Ok(())
    }

    fn first_serving(&self) -> Option<Sid> {
        self.nodes
            .iter()
            .find(|n| n.up && n.paused_until.is_none() && n.server.serving)
            .map(|n| n.sid)
    }

    // ----- scheduling -----

    /// Queues the file's next due action ([`due_order`]) with its index as
    /// its `seq`: the key it had when the start queued every action (first,
    /// in file order, so with seqs 0..n), which keeps the order of every
    /// event and the trace. The queue holds one of them, not all: a
    /// checkpoint copies what is queued, and a long run's file holds
    /// thousands. Called at the start and when a file action is handled.
    pub(super) fn schedule_next_file_action(&mut self) {
        let Some(&index) = self.file_order.get(self.file_next) else {
            return;
        };
        self.file_next += 1;
        let index = index as usize;
        let at_ms = self.scenario.actions[index].at_ms;
        self.queue.push(Scheduled {
            time_ms: at_ms.max(self.now_ms),
            class: 0,
            seq: index as u64,
            event: Event::Action(index),
            sent_ms: self.now_ms,
        });
    }

    // ----- user actions (a live `act`, time travel's replay) -----

    /// Takes a user action now: checks it can be done, records it in the
    /// scenario at the current virtual time and runs up to and including it.
    pub fn act(&mut self, kind: ActionKind) -> Result<(), ActionError> {
        self.check_action(&kind)?;
        let at_ms = match self.last_handled_ms {
            Some(t) if t >= self.now_ms => t + 1,
            _ => self.now_ms,
        };
        let index = self.record_action(Action { at_ms, kind });
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

    /// Time travel's twin of [`act`](Simulation::act): a replay from a
    /// checkpoint taken before a user action handles that action (as the
    /// branch's scenario recorded it: the next one after this run's own
    /// actions) when its turn comes, so that old checkpoints need not know
    /// the actions taken after them. Handles it now and returns true only
    /// if it is the next event, which makes the run the one that acted:
    /// `act` stamped it at an instant with nothing of it handled yet, where
    /// an action (class 0) goes before any protocol event, and after the
    /// file's own actions of that instant (scheduled first). Scheduling it
    /// late shifts every later `seq` by one, which changes no order.
    /// Otherwise (its moment is not next, or it is not this run's next
    /// action) changes nothing and returns false.
    pub fn replay_action(&mut self, action: &Action) -> bool {
        let handled = self.last_handled_ms.is_some_and(|t| t >= action.at_ms);
        let next_first = self.queue.peek().is_none_or(|q| {
            action.at_ms < q.time_ms || (action.at_ms == q.time_ms && q.class == 1)
        });
        if handled || action.at_ms < self.now_ms || !next_first {
            return false;
        }
        let index = self.record_action(action.clone());
        self.schedule(action.at_ms, Event::Action(index));
        self.step();
        true
    }

    /// Appends a user action to the scenario (copied first if a
    /// checkpoint shares it) and returns its index.
    fn record_action(&mut self, action: Action) -> usize {
        let scenario = std::rc::Rc::make_mut(&mut self.scenario);
        scenario.until_ms = scenario.until_ms.max(action.at_ms);
        scenario.actions.push(action);
        scenario.actions.len() - 1
    }

    // ----- doing -----

    /// `scenario.actions[index]` is due: do it, or report why it cannot be
    /// done now.
    pub(super) fn do_action(&mut self, index: usize) {
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
        self.obs_fault(index);
        match kind {
            ActionKind::Start { .. }
            | ActionKind::Restart { .. }
            | ActionKind::Crash { .. }
            | ActionKind::Pause { .. }
            | ActionKind::SlowDisk { .. } => self.act_on_servers(kind),
            ActionKind::Partition { .. }
            | ActionKind::Cut { .. }
            | ActionKind::Heal
            | ActionKind::SlowLink { .. }
            | ActionKind::Drop { .. } => self.act_on_network(kind),
            ActionKind::Connect { .. }
            | ActionKind::Close { .. }
            | ActionKind::Load { .. }
            | ActionKind::Recipe { .. } => self.act_on_session(kind),
            ActionKind::Write { .. }
            | ActionKind::Read { .. }
            | ActionKind::Sync { .. }
            | ActionKind::Multi { .. } => self.act_request(kind),
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

    /// start, restart, crash, pause, slow_disk.
    fn act_on_servers(&mut self, kind: ActionKind) {
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
            ActionKind::Crash { server, power_loss } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.crash_node(i, power_loss);
                }
            }
            ActionKind::Pause { server, for_ms } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.pause_node(i, for_ms);
                }
            }
            ActionKind::SlowDisk { server, fsync_ms } => {
                if let Ok(i) = self.resolve_ref(server) {
                    self.nodes[i].fsync_ms = Some(fsync_ms);
                }
            }
            other => unreachable!("{} is not a server action", other.name()),
        }
    }

    /// partition, cut, heal, slow_link, drop.
    fn act_on_network(&mut self, kind: ActionKind) {
        match kind {
            ActionKind::Partition { groups, clients } => self.partition(&groups, &clients),
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
            ActionKind::Drop { from, to } => {
                self.drop_next.insert((from, to));
            }
            other => unreachable!("{} is not a network action", other.name()),
        }
    }

    /// connect, close, load, recipe: what a client's session does.
    fn act_on_session(&mut self, kind: ActionKind) {
        match kind {
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
                    self.start_write_load(c, rate_per_s, for_ms);
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
            other => unreachable!("{} is not a session action", other.name()),
        }
    }

    /// write, read, sync, multi: requests on a client's session.
    fn act_request(&mut self, kind: ActionKind) {
        match kind {
            ActionKind::Write {
                client,
                count,
                op,
                path,
                data,
                version,
            } => {
                let name = client.unwrap_or_else(|| self.builtin_client());
                let op = op.as_deref().unwrap_or("create");
                if let Some(c) = self.client_idx(&name) {
                    for _ in 0..count {
                        self.clients[c].writes += 1;
                        let n = self.clients[c].writes;
                        let p = path.clone().unwrap_or_else(|| format!("/{}-{}", name, n));
                        let d = data.clone().unwrap_or_else(|| format!("v{n}"));
                        let req =
                            request_op(op, Arc::from(p.as_str()), Arc::from(d.as_str()), version);
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
            other => unreachable!("{} is not a request", other.name()),
        }
    }

    /// The built-in client's name, connecting it to the first serving
    /// server if it does not exist yet (a `write` with no `client`).
    fn builtin_client(&mut self) -> String {
        if self.client_idx(BUILTIN_CLIENT).is_none() {
            if let Some(sid) = self.first_serving() {
                self.client_connect_new(BUILTIN_CLIENT, sid, 30_000);
            }
        }
        BUILTIN_CLIENT.to_string()
    }
}

/// The indices of `actions` in the order they are due: by `at_ms`, and in
/// file order at one instant (the queue's `(time, class 0, seq = index)`).
pub(super) fn due_order(actions: &[crate::scenario::Action]) -> std::rc::Rc<[u32]> {
    let mut order: Vec<u32> = (0..actions.len() as u32).collect();
    // Stable: equal times stay in file order.
    crate::sorting::sort_by_key(&mut order, |&i| actions[i as usize].at_ms);
    order.into()
}
