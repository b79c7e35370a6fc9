//! Client recipes as a ZooKeeper client library runs them (lock, leader
//! election, group membership, configuration, barrier), the committed tree
//! they are checked against, and their checks.
//!
//! A recipe is a small state machine on one simulated client: it sends
//! ordinary requests (create, getChildren, exists with a watch, ...) and
//! reacts to their answers, to fired watches, to ConnectionLoss (it redoes
//! its step once the client has reconnected; a lost create is recovered
//! by its protected name, `<client>-lock-`, as Curator does) and to its
//! session expiring (it gives up).
//!
//! The **committed tree** is the data tree as the ensemble has committed
//! it: every txn of the checker's committed order, applied in order. It
//! only moves forward, whatever server crashes.
//!
//! Checks:
//! - `LockMutualExclusion` (a violation): a lock or election client that
//!   believes it holds, and whose session is alive in the committed tree,
//!   owns the lowest node under the lock's path there.
//! - `LockHolderExpired` (a hazard, not a violation): a client still
//!   believes it holds the lock while its session has expired. ZooKeeper
//!   allows this (the client learns of the expiry only when it reconnects):
//!   it is why real systems add fencing tokens.
//! - `SyncReadNotLinearizable` (a hazard): a read right after a `sync`
//!   returned state older than a write that completed before the sync
//!   was sent; ZooKeeper's sync does not confirm leadership (Jepsen).
//! - `LivenessGroupConverged` (an expectation): every live group member
//!   sees the committed membership.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::{ClientEv, ClientState, Event, Simulation};
use crate::proto::{ClientReply, RequestOp, Sid, WatchEventType, WatchedEvent};
use crate::scenario::RecipeKind;
use crate::txn::{code, DataTree, Txn, TxnId};
use crate::zxid::Zxid;

/// Where a recipe is in its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Creating the recipe's parent node(s).
    Parent,
    /// Creating our own node.
    Create,
    /// After a ConnectionLoss on the create: looking for our node by name.
    Recover,
    /// getChildren, to see where we stand.
    List,
    /// exists(predecessor) with a watch.
    Watch,
    /// Waiting for a watch to fire.
    Waiting,
    /// Holding the lock (or leading).
    Holding,
    /// Deleting our node to release the lock.
    Releasing,
    /// Between two rounds of a repeating lock.
    Idle,
    /// config: getData with a watch.
    Read,
    /// Finished: the barrier opened, or the session ended.
    Done,
}

/// One client's recipe.
#[derive(Debug, Clone)]
pub(super) struct Recipe {
    pub client: usize,
    pub kind: RecipeKind,
    pub path: Arc<str>,
    pub hold_ms: u64,
    pub size: u32,
    pub repeat: bool,
    pub step: Step,
    /// Our node (lock, election, group, barrier).
    pub my_node: Option<Arc<str>>,
    /// The node we wait behind (lock, election).
    pub waiting_for: Option<Arc<str>>,
    /// Since when the client believes it holds the lock / leads.
    pub holds_since: Option<u64>,
    pub times_acquired: u64,
    /// group/barrier: the members seen; config: the value seen.
    pub members: Vec<String>,
    pub data: Option<String>,
    pub passed_at: Option<u64>,
    /// A request of the current step was lost: redo it after reconnecting.
    pub retry: bool,
    /// Why the recipe stopped (session expired or closed).
    pub ended: Option<String>,
    /// Timer generation (a stale release/retake timer is ignored).
    pub timer: u32,
    /// Parent creates still unanswered.
    pub parents_pending: usize,
}

/// What a recipe client sees, for the UI, the CLI and the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipeView {
    pub client: String,
    pub recipe: &'static str,
    pub path: String,
    /// In plain words: "holds the lock since 12.3 s", "waits behind ...".
    pub status: String,
    /// Believes it holds the lock / leads.
    pub holds: bool,
    pub node: Option<String>,
    /// group/barrier members seen (names), config value seen.
    pub members: Vec<String>,
    pub data: Option<String>,
    pub passed: bool,
    pub times_acquired: u64,
}

/// Something ZooKeeper allows that a user should know about: not a
/// violation of ZooKeeper's guarantees, but a trap for the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: &'static str,
    pub at_ms: u64,
    pub clients: Vec<String>,
    pub detail: String,
}

/// A fired watch, as the client received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchRecord {
    pub client: String,
    pub server: Sid,
    pub event: &'static str,
    pub path: String,
    pub zxid: Zxid,
    pub at_ms: u64,
}

/// The committed tree: the checker's committed order applied in order.
#[derive(Debug, Clone, Default)]
pub(super) struct CommittedTree {
    pub tree: DataTree,
    /// How many txns of the committed order are applied.
    pub applied: usize,
    /// Proposed txns not yet committed (or abandoned), by identity.
    pub proposals: BTreeMap<TxnId, std::sync::Arc<Txn>>,
    /// Committed txns whose content was never seen (should stay 0).
    pub missing: u64,
}

/// The sequence number of a sequential node name (its last 10 digits).
fn seq_of(name: &str) -> Option<u32> {
    let n = name.len();
    if n < 10 {
        return None;
    }
    name[n - 10..].parse().ok()
}

fn join(parent: &str, child: &str) -> Arc<str> {
    if parent == "/" {
        Arc::from(format!("/{child}").as_str())
    } else {
        Arc::from(format!("{parent}/{child}").as_str())
    }
}

/// The children of `path` sorted by sequence number (lock order).
fn lock_order(children: &[Arc<str>]) -> Vec<Arc<str>> {
    let mut v: Vec<Arc<str>> = children
        .iter()
        .filter(|c| seq_of(c).is_some())
        .cloned()
        .collect();
    v.sort_by_key(|c| (seq_of(c), c.clone()));
    v
}

impl Simulation {
    /// A `recipe` action: the client starts running it.
    pub(super) fn recipe_start(
        &mut self,
        client: usize,
        kind: RecipeKind,
        path: &str,
        hold_ms: Option<u64>,
        size: Option<u32>,
        repeat: bool,
    ) {
        let r = Recipe {
            client,
            kind,
            path: Arc::from(path),
            hold_ms: hold_ms.unwrap_or(5_000),
            size: size.unwrap_or(1),
            repeat,
            step: Step::Parent,
            my_node: None,
            waiting_for: None,
            holds_since: None,
            times_acquired: 0,
            members: Vec::new(),
            data: None,
            passed_at: None,
            retry: false,
            ended: None,
            timer: 0,
            parents_pending: 0,
        };
        self.recipes.push(r);
        let ri = self.recipes.len() - 1;
        self.recipe_do_step(ri);
    }

    fn recipe_send(&mut self, ri: usize, op: RequestOp) {
        let c = self.recipes[ri].client;
        self.client_submit_tagged(c, op, false, Some(ri));
    }

    /// Sends the request(s) of the recipe's current step.
    fn recipe_do_step(&mut self, ri: usize) {
        let r = &self.recipes[ri];
        if r.ended.is_some() {
            return;
        }
        let path = r.path.clone();
        let client_name = self.clients[r.client].name.clone();
        match r.step {
            Step::Parent => {
                // creatingParentsIfNeeded: every ancestor, then the path.
                let mut prefixes: Vec<Arc<str>> = Vec::new();
                for (i, ch) in path.char_indices().skip(1) {
                    if ch == '/' {
                        prefixes.push(Arc::from(&path[..i]));
                    }
                }
                prefixes.push(path.clone());
                self.recipes[ri].parents_pending = prefixes.len();
                for p in prefixes {
                    self.recipe_send(
                        ri,
                        RequestOp::Create {
                            path: p,
                            data: Arc::from(""),
                            ephemeral: false,
                            sequential: false,
                        },
                    );
                }
            }
            Step::Create => {
                let (node, sequential) = match r.kind {
                    RecipeKind::Lock | RecipeKind::Election => {
                        (join(&path, &format!("{client_name}-lock-")), true)
                    }
                    _ => (join(&path, &client_name), false),
                };
                self.recipe_send(
                    ri,
                    RequestOp::Create {
                        path: node,
                        data: Arc::from(client_name.as_str()),
                        ephemeral: true,
                        sequential,
                    },
                );
            }
            Step::Recover | Step::List => {
                let watch = matches!(r.kind, RecipeKind::Group | RecipeKind::Barrier);
                self.recipe_send(ri, RequestOp::GetChildren { path, watch });
            }
            Step::Watch => {
                if let Some(pred) = r.waiting_for.clone() {
                    self.recipe_send(
                        ri,
                        RequestOp::Exists {
                            path: pred,
                            watch: true,
                        },
                    );
                }
            }
            Step::Read => self.recipe_send(ri, RequestOp::GetData { path, watch: true }),
            Step::Releasing => {
                if let Some(node) = r.my_node.clone() {
                    self.recipe_send(
                        ri,
                        RequestOp::Delete {
                            path: node,
                            version: -1,
                        },
                    );
                }
            }
            Step::Waiting | Step::Holding | Step::Idle | Step::Done => {}
        }
    }

    fn recipe_goto(&mut self, ri: usize, step: Step) {
        self.recipes[ri].step = step;
        self.recipe_do_step(ri);
    }

    /// The step after the parents exist.
    fn recipe_first_step(&self, ri: usize) -> Step {
        match self.recipes[ri].kind {
            RecipeKind::Config => Step::Read,
            _ => Step::Create,
        }
    }

    fn recipe_timer(&mut self, ri: usize, after_ms: u64) {
        self.recipes[ri].timer += 1;
        let timer = self.recipes[ri].timer;
        let id = self.clients[self.recipes[ri].client].id;
        self.schedule(
            self.now_ms + after_ms,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::RecipeTimer(ri, timer),
            },
        );
    }

    /// A release or retake timer fired.
    pub(super) fn recipe_timer_fired(&mut self, ri: usize, timer: u32) {
        let Some(r) = self.recipes.get(ri) else {
            return;
        };
        if r.timer != timer || r.ended.is_some() {
            return;
        }
        match r.step {
            Step::Holding if r.kind == RecipeKind::Lock => {
                self.recipes[ri].holds_since = None;
                self.recipe_goto(ri, Step::Releasing);
            }
            Step::Idle => self.recipe_goto(ri, Step::Create),
            _ => {}
        }
    }

    /// An answer to one of the recipe's requests.
    pub(super) fn recipe_reply(&mut self, ri: usize, op: &RequestOp, r: &ClientReply) {
        if self.recipes[ri].ended.is_some() {
            return;
        }
        let step = self.recipes[ri].step;
        let now = self.now_ms;
        match (step, op) {
            (Step::Parent, RequestOp::Create { .. }) => {
                let rec = &mut self.recipes[ri];
                rec.parents_pending = rec.parents_pending.saturating_sub(1);
                if rec.parents_pending == 0 {
                    let next = self.recipe_first_step(ri);
                    self.recipe_goto(ri, next);
                }
            }
            (Step::Create, RequestOp::Create { .. }) => {
                let rec = &mut self.recipes[ri];
                match r.err {
                    code::OK => {
                        rec.my_node = r.created.first().cloned();
                        self.recipe_goto(ri, Step::List);
                    }
                    code::NODE_EXISTS => {
                        // group/barrier: our member node is already there.
                        let node = join(&rec.path, &self.clients[rec.client].name);
                        rec.my_node = Some(node);
                        self.recipe_goto(ri, Step::List);
                    }
                    e => self.recipe_end(ri, format!("create failed: {}", code::name(e))),
                }
            }
            (Step::Recover | Step::List, RequestOp::GetChildren { .. }) => {
                let children = r
                    .read
                    .as_ref()
                    .map(|x| x.children.clone())
                    .unwrap_or_default();
                if r.err != code::OK {
                    self.recipe_end(ri, format!("getChildren failed: {}", code::name(r.err)));
                    return;
                }
                self.recipe_children(ri, step, &children, now);
            }
            (Step::Watch, RequestOp::Exists { .. }) => {
                let exists = r.read.as_ref().is_some_and(|x| x.data.is_some());
                if exists {
                    self.recipes[ri].step = Step::Waiting;
                } else {
                    self.recipe_goto(ri, Step::List);
                }
            }
            (Step::Read, RequestOp::GetData { .. }) => {
                let rec = &mut self.recipes[ri];
                if r.err == code::OK {
                    rec.data = r
                        .read
                        .as_ref()
                        .and_then(|x| x.data.as_ref().map(|d| d.to_string()));
                    rec.step = Step::Waiting;
                } else {
                    // No node yet: wait for it to be created.
                    rec.data = None;
                    rec.step = Step::Waiting;
                    let path = rec.path.clone();
                    self.recipe_send(ri, RequestOp::Exists { path, watch: true });
                }
            }
            (Step::Releasing, RequestOp::Delete { .. }) => {
                let rec = &mut self.recipes[ri];
                rec.my_node = None;
                rec.holds_since = None;
                if rec.repeat {
                    rec.step = Step::Idle;
                    let pause = (rec.hold_ms / 2).max(1);
                    self.recipe_timer(ri, pause);
                } else {
                    rec.step = Step::Done;
                }
            }
            _ => {}
        }
    }

    /// getChildren answered: decide where we stand.
    fn recipe_children(&mut self, ri: usize, step: Step, children: &[Arc<str>], now: u64) {
        let kind = self.recipes[ri].kind;
        let name = self.clients[self.recipes[ri].client].name.clone();
        match kind {
            RecipeKind::Group | RecipeKind::Barrier => {
                let rec = &mut self.recipes[ri];
                rec.members = children.iter().map(|c| c.to_string()).collect();
                if kind == RecipeKind::Barrier && rec.members.len() as u32 >= rec.size {
                    rec.passed_at.get_or_insert(now);
                    rec.step = Step::Done;
                } else {
                    rec.step = Step::Waiting;
                }
            }
            RecipeKind::Lock | RecipeKind::Election => {
                let path = self.recipes[ri].path.clone();
                let order = lock_order(children);
                if step == Step::Recover {
                    let prefix = format!("{name}-lock-");
                    match order.iter().find(|c| c.starts_with(&prefix)) {
                        Some(mine) => self.recipes[ri].my_node = Some(join(&path, mine)),
                        None => {
                            self.recipe_goto(ri, Step::Create);
                            return;
                        }
                    }
                }
                let Some(mine) = self.recipes[ri].my_node.clone() else {
                    self.recipe_goto(ri, Step::Create);
                    return;
                };
                let my_name = &mine[mine.rfind('/').map_or(0, |i| i + 1)..];
                let Some(pos) = order.iter().position(|c| &**c == my_name) else {
                    // Our node is gone (deleted by hand): start over.
                    self.recipes[ri].my_node = None;
                    self.recipe_goto(ri, Step::Create);
                    return;
                };
                // `broken_lock_ignores_order` (a client-library bug, not
                // ZooKeeper): any waiter takes the lock.
                let broken = self
                    .scenario
                    .ensemble
                    .variants
                    .iter()
                    .any(|v| v == "broken_lock_ignores_order");
                if pos == 0 || broken {
                    let rec = &mut self.recipes[ri];
                    rec.step = Step::Holding;
                    rec.waiting_for = None;
                    rec.holds_since = Some(now);
                    rec.times_acquired += 1;
                    if kind == RecipeKind::Lock {
                        let hold = rec.hold_ms;
                        self.recipe_timer(ri, hold);
                    }
                } else {
                    self.recipes[ri].waiting_for = Some(join(&path, &order[pos - 1]));
                    self.recipe_goto(ri, Step::Watch);
                }
            }
            RecipeKind::Config => {}
        }
    }

    /// A watch fired on the recipe's client.
    pub(super) fn recipe_watch(&mut self, ri: usize, w: &WatchedEvent) {
        let r = &self.recipes[ri];
        if r.ended.is_some() {
            return;
        }
        match (r.kind, r.step) {
            (RecipeKind::Lock | RecipeKind::Election, Step::Waiting | Step::Watch)
                if r.waiting_for.as_deref() == Some(&*w.path)
                    && w.kind == WatchEventType::NodeDeleted =>
            {
                self.recipe_goto(ri, Step::List);
            }
            (RecipeKind::Group | RecipeKind::Barrier, Step::Waiting)
                if *w.path == *r.path && w.kind == WatchEventType::NodeChildrenChanged =>
            {
                self.recipe_goto(ri, Step::List);
            }
            (RecipeKind::Config, Step::Waiting) if *w.path == *r.path => match w.kind {
                WatchEventType::NodeDeleted => {
                    let path = r.path.clone();
                    self.recipes[ri].data = None;
                    self.recipe_send(ri, RequestOp::Exists { path, watch: true });
                }
                _ => self.recipe_goto(ri, Step::Read),
            },
            _ => {}
        }
    }

    /// One of the recipe's requests was lost with its connection.
    pub(super) fn recipe_lost(&mut self, ri: usize, op: &RequestOp) {
        let rec = &mut self.recipes[ri];
        if rec.ended.is_some() {
            return;
        }
        if rec.step == Step::Parent {
            if matches!(op, RequestOp::Create { .. }) {
                rec.retry = true;
            }
            return;
        }
        if matches!(
            rec.step,
            Step::Create | Step::Recover | Step::List | Step::Watch | Step::Read | Step::Releasing
        ) || (rec.kind == RecipeKind::Config && rec.step == Step::Waiting)
        {
            rec.retry = true;
        }
    }

    /// The client is connected again (same session): redo a lost step.
    pub(super) fn recipe_reconnected(&mut self, ri: usize) {
        let rec = &mut self.recipes[ri];
        if !rec.retry || rec.ended.is_some() {
            return;
        }
        rec.retry = false;
        let step = match (rec.step, rec.kind) {
            (Step::Create, RecipeKind::Lock | RecipeKind::Election) => Step::Recover,
            (Step::Waiting, RecipeKind::Config) => Step::Read,
            (s, _) => s,
        };
        self.recipe_goto(ri, step);
    }

    /// The client's session ended: the recipe stops, and a holder learns
    /// only now that it lost the lock.
    pub(super) fn recipe_end(&mut self, ri: usize, why: String) {
        let now = self.now_ms;
        let rec = &mut self.recipes[ri];
        if rec.ended.is_some() {
            return;
        }
        if let Some(since) = rec.holds_since.take() {
            rec.ended = Some(format!(
                "{why} at {:.1} s; it had believed it held the lock since {:.1} s",
                now as f64 / 1000.0,
                since as f64 / 1000.0
            ));
        } else {
            rec.ended = Some(format!("{why} at {:.1} s", now as f64 / 1000.0));
        }
        rec.step = Step::Done;
        rec.waiting_for = None;
        rec.timer += 1;
    }

    /// The recipes of client `c`.
    pub(super) fn recipes_of(&self, c: usize) -> Vec<usize> {
        (0..self.recipes.len())
            .filter(|&i| self.recipes[i].client == c)
            .collect()
    }

    /// What every recipe client sees now.
    pub fn recipe_views(&self) -> Vec<RecipeView> {
        self.recipes
            .iter()
            .map(|r| {
                let cl = &self.clients[r.client];
                let secs = |t: u64| t as f64 / 1000.0;
                let status = if let Some(why) = &r.ended {
                    format!("stopped: {why}")
                } else {
                    let base = match (r.kind, r.step) {
                        (_, Step::Parent) => "creating its parent node".to_string(),
                        (_, Step::Create) => "creating its node".to_string(),
                        (_, Step::Recover) => "looking for its node after a lost create".to_string(),
                        (RecipeKind::Lock, Step::Holding) => {
                            format!("holds the lock since {:.1} s", secs(r.holds_since.unwrap_or(0)))
                        }
                        (RecipeKind::Election, Step::Holding) => {
                            format!("leads since {:.1} s", secs(r.holds_since.unwrap_or(0)))
                        }
                        (RecipeKind::Lock | RecipeKind::Election, Step::Watch | Step::Waiting) => {
                            format!(
                                "waits behind {}",
                                r.waiting_for.as_deref().unwrap_or("?")
                            )
                        }
                        (RecipeKind::Lock, Step::Releasing) => "releasing the lock".to_string(),
                        (RecipeKind::Lock, Step::Idle) => "between two turns".to_string(),
                        (RecipeKind::Group, _) => format!("sees members [{}]", r.members.join(", ")),
                        (RecipeKind::Barrier, _) => match r.passed_at {
                            Some(t) => format!("passed the barrier at {:.1} s", secs(t)),
                            None => format!("waits at the barrier ({} of {})", r.members.len(), r.size),
                        },
                        (RecipeKind::Config, _) => match &r.data {
                            Some(d) => format!("sees config \"{d}\""),
                            None => "waits for the config node".to_string(),
                        },
                        (_, Step::List) => "reading the children".to_string(),
                        (_, _) => "done".to_string(),
                    };
                    match cl.state {
                        ClientState::Connecting if r.holds_since.is_some() => format!(
                            "{base} (disconnected: it still believes it holds it; its session may have expired)"
                        ),
                        ClientState::Connecting => format!("{base} (disconnected)"),
                        _ => base,
                    }
                };
                RecipeView {
                    client: cl.name.clone(),
                    recipe: r.kind.name(),
                    path: r.path.to_string(),
                    status,
                    holds: r.holds_since.is_some(),
                    node: r.my_node.as_ref().map(|n| n.to_string()),
                    members: r.members.clone(),
                    data: r.data.clone(),
                    passed: r.passed_at.is_some(),
                    times_acquired: r.times_acquired,
                }
            })
            .collect()
    }

    /// Hazards seen so far (not violations: ZooKeeper allows them).
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    /// Watches fired so far, as clients received them.
    pub fn watch_events(&self) -> &[WatchRecord] {
        &self.watch_events
    }

    /// The data tree as the ensemble has committed it so far.
    pub fn committed_tree(&self) -> &DataTree {
        &self.committed.tree
    }

    // ----- the committed tree -----

    /// Remembers a proposal's content (called for each Proposed ghost).
    pub(super) fn note_proposal(&mut self, sid: Sid, id: TxnId) {
        let Ok(i) = self.idx(sid) else {
            return;
        };
        let s = &self.nodes[i].server;
        let txn = s
            .leader()
            .and_then(|l| l.outstanding.get(&id.zxid))
            .map(|p| p.txn.clone())
            .filter(|t| t.id() == id);
        if let Some(t) = txn {
            self.committed.proposals.insert(id, t);
        }
    }

    /// Applies what the checker's committed order gained since last time.
    pub(super) fn advance_committed(&mut self) {
        let order = self.checker.committed();
        while self.committed.applied < order.len() {
            let Some(id) = order.get(self.committed.applied).copied() else {
                break;
            };
            match self.committed.proposals.remove(&id) {
                Some(t) => self.committed.tree.apply(&t),
                None => self.committed.missing += 1,
            }
            self.committed.applied += 1;
        }
        // Proposals below the committed head were abandoned.
        if self.committed.proposals.len() > 64 {
            let head = self.committed.tree.last_processed_zxid;
            self.committed.proposals.retain(|k, _| k.zxid > head);
        }
    }

    // ----- checks -----

    /// Lock mutual exclusion (violation) and holders with a dead session
    /// (hazard), after every event of a run with lock recipes.
    pub(super) fn check_locks(&mut self) {
        let mut believers: Vec<usize> = Vec::new();
        for (i, r) in self.recipes.iter().enumerate() {
            if r.holds_since.is_some() && matches!(r.kind, RecipeKind::Lock | RecipeKind::Election)
            {
                believers.push(i);
            }
        }
        if believers.is_empty() {
            return;
        }
        for ri in believers {
            let r = &self.recipes[ri];
            let cl = &self.clients[r.client];
            let session = cl.session;
            let live = self.committed.tree.sessions.contains_key(&session);
            let children = self.committed.tree.children_of(&r.path);
            let order = lock_order(&children);
            let lowest = order.first().map(|c| join(&r.path, c));
            let mine = r.my_node.clone();
            let name = cl.name.clone();
            if live {
                if lowest != mine {
                    let holder = lowest
                        .as_ref()
                        .map(|n| self.committed.tree.owner_of(n))
                        .unwrap_or(0);
                    self.checker.report(
                        "LockMutualExclusion",
                        self.now_ms,
                        self.events,
                        vec![cl.server],
                        Vec::new(),
                        format!(
                            "{name} believes it holds {} with a live session 0x{session:x}, but the lowest node in the committed tree is {} (session 0x{holder:x})",
                            r.path,
                            lowest.as_deref().unwrap_or("none")
                        ),
                    );
                }
            } else {
                let key = (name.clone(), mine.as_deref().unwrap_or("").to_string());
                if self.lock_hazards_seen.contains(&key) {
                    continue;
                }
                self.lock_hazards_seen.insert(key);
                let other = self
                    .recipes
                    .iter()
                    .enumerate()
                    .find(|(j, o)| {
                        *j != ri && o.path == r.path && o.my_node.is_some() && o.my_node == lowest
                    })
                    .map(|(_, o)| self.clients[o.client].name.clone());
                let mut clients = vec![name.clone()];
                let now_holder = match &other {
                    Some(o) => {
                        clients.push(o.clone());
                        format!(
                            "; {o}'s node {} is now the lowest: {o} takes the lock",
                            lowest.as_deref().unwrap_or("")
                        )
                    }
                    None => String::new(),
                };
                let what = if r.kind == RecipeKind::Lock {
                    "holds the lock"
                } else {
                    "leads"
                };
                self.hazards.push(Hazard {
                    kind: "LockHolderExpired",
                    at_ms: self.now_ms,
                    clients,
                    detail: format!(
                        "{name} still believes it {what} {} (node {}), but its session 0x{session:x} has expired in the committed tree{now_holder}. It cannot know until it reconnects: fence the protected resource (e.g. with the node's zxid as a token)",
                        r.path,
                        mine.as_deref().unwrap_or("?"),
                    ),
                });
            }
        }
    }

    /// Whether every live group member sees the committed membership.
    pub(super) fn groups_converged(&self) -> Result<(), String> {
        for r in &self.recipes {
            if r.kind != RecipeKind::Group || r.ended.is_some() {
                continue;
            }
            let cl = &self.clients[r.client];
            if !matches!(cl.state, ClientState::Connected) {
                continue;
            }
            let committed: Vec<String> = self
                .committed
                .tree
                .children_of(&r.path)
                .iter()
                .map(|c| c.to_string())
                .collect();
            if r.step != Step::Waiting || r.members != committed {
                return Err(format!(
                    "{} sees [{}] ({:?}), the committed group is [{}]",
                    cl.name,
                    r.members.join(", "),
                    r.step,
                    committed.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// A read answered right after a sync: it must not be older than what
    /// had completed before the sync was sent, or the sync did not make it
    /// linearizable (the known stale-leader case).
    pub(super) fn check_sync_read(&mut self, c: usize, floor: Zxid, zxid: Zxid, op: &RequestOp) {
        if zxid >= floor {
            return;
        }
        let cl = &self.clients[c];
        let detail = format!(
            "{} called sync, then {} {} on server {}: it read state as of {zxid}, but the write {floor} had completed before the sync was sent. ZooKeeper's sync does not confirm leadership: a deposed leader that has not noticed yet answers it (Jepsen)",
            cl.name,
            op.name(),
            op.path(),
            cl.server
        );
        let name = cl.name.clone();
        let key = (format!("sync-read {name}"), cl.server.to_string());
        if !self.lock_hazards_seen.insert(key) {
            return;
        }
        self.hazards.push(Hazard {
            kind: "SyncReadNotLinearizable",
            at_ms: self.now_ms,
            clients: vec![name],
            detail,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_order_sorts_by_sequence_not_name() {
        let names: Vec<Arc<str>> = [
            "b-lock-0000000002",
            "a-lock-0000000010",
            "c-lock-0000000001",
            "junk",
        ]
        .iter()
        .map(|s| Arc::from(*s))
        .collect();
        let order = lock_order(&names);
        let got: Vec<&str> = order.iter().map(|s| &**s).collect();
        assert_eq!(
            got,
            [
                "c-lock-0000000001",
                "b-lock-0000000002",
                "a-lock-0000000010"
            ]
        );
        assert_eq!(seq_of("x-0000000042"), Some(42));
        assert_eq!(seq_of("short"), None);
        assert_eq!(&*join("/", "a"), "/a");
        assert_eq!(&*join("/l", "a"), "/l/a");
    }
}
