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
//! Contract: a recipe acts only through its client's requests
//! (`client_submit_tagged`) and its own timers (`Event::Client` with a
//! `RecipeTimer`); it never reads a server's state. Its steps follow
//! ZooKeeper's recipes as a client library such as Curator runs them. The
//! committed tree it is checked against and the checks themselves are in
//! `recipes/checks.rs`.

use std::sync::Arc;

use super::{ClientEv, ClientState, Event, RecipeView, Simulation};
use crate::proto::{ClientReply, RequestOp, WatchEventType, WatchedEvent};
use crate::scenario::RecipeKind;
use crate::txn::code;

mod checks;

pub(super) use checks::CommittedTree;

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
    crate::sorting::sort_by_key(&mut v, |c| (seq_of(c), c.clone()));
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
            Step::Parent => self.recipe_create_parents(ri, &path),
            Step::Create => self.recipe_create_node(ri, &path, &client_name),
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

    /// creatingParentsIfNeeded: every ancestor, then the path.
    fn recipe_create_parents(&mut self, ri: usize, path: &Arc<str>) {
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

    /// Our own node: sequential for a lock or an election (protected by
    /// the client's name, as Curator does), named after the client for a
    /// group or a barrier; ephemeral either way.
    fn recipe_create_node(&mut self, ri: usize, path: &str, client_name: &str) {
        let (node, sequential) = match self.recipes[ri].kind {
            RecipeKind::Lock | RecipeKind::Election => {
                (join(path, &format!("{client_name}-lock-")), true)
            }
            _ => (join(path, client_name), false),
        };
        self.recipe_send(
            ri,
            RequestOp::Create {
                path: node,
                data: Arc::from(client_name),
                ephemeral: true,
                sequential,
            },
        );
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
            (Step::Create, RequestOp::Create { .. }) => self.recipe_created(ri, r),
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
            (Step::Read, RequestOp::GetData { .. }) => self.recipe_config_read(ri, r),
            (Step::Releasing, RequestOp::Delete { .. }) => self.recipe_released(ri),
            _ => {}
        }
    }

    /// Our node's create was answered.
    fn recipe_created(&mut self, ri: usize, r: &ClientReply) {
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

    /// config: the node's data was read (or the node does not exist yet).
    fn recipe_config_read(&mut self, ri: usize, r: &ClientReply) {
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

    /// Our node is deleted: the lock is released; a repeating lock takes
    /// it again after a pause.
    fn recipe_released(&mut self, ri: usize) {
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
