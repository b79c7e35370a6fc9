//! Time travel over a live session: branches, checkpoints, seeking,
//! stepping back and forking. The browser app's policy (`zablab-web`
//! re-exports it as `engine`); here in the core, without a DOM, so that
//! `zablab bench` measures seeks with the very algorithm the app runs.
//!
//! Contract:
//! - A branch is one linear history: a `head` simulation (the furthest
//!   moment computed, the frontier) and checkpoints (clones, shared by
//!   `Rc`) taken every `every` events and right after every user action.
//!   The displayed state is the head ("live") or a replay (`past`) that
//!   starts from a checkpoint at or before the wanted moment.
//! - Why that is exact: the head's scenario lists every action of the
//!   branch (the file's, then the user's in the order taken), and a
//!   checkpoint's list is a prefix of it. A replay handles the user actions
//!   its checkpoint does not know when their turn comes
//!   (`Simulation::replay_action`), so it handles the same events as the
//!   head did, whichever checkpoint it starts from.
//! - Memory is bounded (`policy`): every checkpoint of the last
//!   `RECENT_MS` of virtual time (at most `MAX_RECENT`, or their spacing
//!   doubles), and at most `max_old` older ones spread evenly over the
//!   run (`policy::max_old`: 384 for five servers, 96 for 51), fewer when
//!   they would hold more than `MAX_OLD_HELD` txns between
//!   them (a busy run); seeking to an older moment replays from further
//!   back and costs more (at most about 2·run length / `max_old` of
//!   virtual time when idle, more in a busy run: `policy`). Checkpoints keep no
//!   message history (the head keeps the newest `HISTORY_MESSAGES`): a
//!   replay starts at least `context_ms` before the moment it shows, so
//!   the diagram's window is complete again (`set_context_ms`).
//! - Acting at the frontier extends the branch. Acting in the past forks:
//!   a new branch starts with the checkpoints of the prefix and the past
//!   state plus the action as its head; the old branch stays selectable.
//!   `fork` does the same without an action (drops the shown future), and
//!   `restart` starts a new root branch on another scenario (a lesson step
//!   that switches bug-museum flags).
//! - `seek_upto(t, n)` shows `t` with at most `n` events handled: the
//!   moment before an action taken at that very instant.
//! - Work is bounded: `seek` runs in slices and asks `more()` between them;
//!   it returns `false` when it stopped before the target (call again).
//! - Never panics on user input: impossible actions come back as the
//!   core's `ActionError`.

use std::rc::Rc;

use crate::scenario::Action;
use crate::{ActionError, ActionKind, Scenario, Simulation};

pub mod policy;
#[cfg(test)]
mod tests;

pub use policy::{MAX_OLD, MAX_RECENT, MIN_OLD, RECENT_MS};

/// Messages the space-time history keeps (the head's and a replay's).
pub const HISTORY_MESSAGES: usize = 64 * 1024;
/// Events between two checkpoints at first (doubles when the recent ones
/// are too many).
pub const CHECKPOINT_EVERY: u64 = 10_000;
/// Branches kept (the oldest unselected one goes first).
pub const MAX_BRANCHES: usize = 8;
/// What a replay shows before its moment unless told otherwise
/// (`set_context_ms`): the app's default diagram window.
pub const CONTEXT_MS: u64 = 2_000;
/// Events handled between two questions to `more()`.
const SLICE: u32 = 128;

/// A checkpoint of `sim`: a clone without its message history (the head
/// and the replays keep theirs; see the module doc), its servers' applied
/// histories sharing the committed order's storage where they equal it.
fn checkpoint_of(sim: &Simulation) -> Rc<Simulation> {
    let mut copy = sim.clone();
    copy.forget_message_history();
    copy.share_applied_with_committed();
    Rc::new(copy)
}

fn key(sim: &Simulation) -> (u64, u64) {
    (sim.now_ms(), sim.events())
}

struct Past {
    /// The moment of the checkpoint the replay started from: its message
    /// history reaches back to there.
    from_ms: u64,
    sim: Simulation,
}

/// One linear history.
struct Branch {
    id: usize,
    /// (parent branch id, fork moment in ms).
    parent: Option<(usize, u64)>,
    checkpoints: Vec<Rc<Simulation>>,
    every: u64,
    /// The old checkpoints' bucket width so far (`policy::bucket_within`:
    /// it only widens).
    old_bucket_ms: u64,
    /// Old checkpoints kept at most (`policy::max_old` of its servers).
    max_old: u64,
    head: Simulation,
    past: Option<Past>,
    /// Events handled by replays so far (what seeking into the past cost).
    replayed: u64,
}

/// What the branch picker shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchInfo {
    pub id: usize,
    pub parent: Option<(usize, u64)>,
    pub frontier_ms: u64,
    pub actions: usize,
    pub violations: usize,
    pub active: bool,
}

/// The session: every branch and which one is shown.
pub struct Engine {
    branches: Vec<Branch>,
    active: usize,
    next_id: usize,
    /// Events between checkpoints a new root branch starts with.
    every: u64,
    /// How far before a shown moment a replay starts (at least).
    context_ms: u64,
}

/// Steps a replay towards `(t, n)`: every event at or before `t`
/// (`u64::MAX`: no time bound, nor a move of the clock), at most `n`
/// events in all, handling the branch's later user actions (`actions`, the
/// head's list) when their turn comes. False when `more()` stopped it.
fn replay(
    sim: &mut Simulation,
    actions: &[Action],
    t: u64,
    n: u64,
    more: &mut dyn FnMut() -> bool,
) -> bool {
    loop {
        for _ in 0..SLICE {
            if sim.events() >= n {
                if t != u64::MAX && sim.next_event_ms().is_none_or(|x| x > t) {
                    sim.run_until(t);
                }
                return true;
            }
            if let Some(a) = actions.get(sim.scenario().actions.len()) {
                if a.at_ms <= t && sim.replay_action(a) {
                    continue;
                }
            }
            match sim.next_event_ms() {
                Some(x) if x <= t => {
                    sim.step();
                }
                _ => {
                    if t != u64::MAX {
                        sim.run_until(t);
                    }
                    return true;
                }
            }
        }
        if !more() {
            return false;
        }
    }
}

impl Branch {
    fn new(
        id: usize,
        parent: Option<(usize, u64)>,
        checkpoints: Vec<Rc<Simulation>>,
        head: Simulation,
    ) -> Branch {
        Branch {
            id,
            parent,
            checkpoints,
            every: CHECKPOINT_EVERY,
            old_bucket_ms: 0,
            max_old: policy::max_old(head.server_count()),
            head,
            past: None,
            replayed: 0,
        }
    }

    fn shown(&self) -> &Simulation {
        self.past.as_ref().map_or(&self.head, |p| &p.sim)
    }

    /// Index of the newest checkpoint satisfying `pred` (monotone: true
    /// for a prefix of the checkpoints; the start always satisfies it).
    fn base_for(&self, pred: impl Fn(&Simulation) -> bool) -> usize {
        self.checkpoints
            .partition_point(|c| pred(c))
            .saturating_sub(1)
    }

    fn maybe_checkpoint(&mut self) {
        let last = self.checkpoints.last().map_or(0, |c| c.events());
        if self.head.events() >= last + self.every {
            self.push_checkpoint();
        }
    }

    /// A checkpoint of the head (unless the newest one is of the same
    /// moment), then the policy's thinning.
    fn push_checkpoint(&mut self) {
        if self
            .checkpoints
            .last()
            .is_some_and(|c| key(c) == key(&self.head))
        {
            return;
        }
        self.checkpoints.push(checkpoint_of(&self.head));
        self.thin();
    }

    /// Drops what `policy` does not keep: old checkpoints by age, and
    /// every other recent one when they are too many (the spacing doubles).
    fn thin(&mut self) {
        let now = self.head.now_ms();
        let times: Vec<u64> = self.checkpoints.iter().map(|c| c.now_ms()).collect();
        let held: Vec<policy::Held> = self
            .checkpoints
            .iter()
            .map(|c| policy::Held {
                txns: c.held_txns(),
                commits: c.committed_len() as u64,
            })
            .collect();
        self.old_bucket_ms =
            policy::bucket_within(&times, &held, now, self.old_bucket_ms, self.max_old);
        let txns: Vec<u64> = held.iter().map(|h| h.txns).collect();
        let mut keep = policy::keep_old_in(&times, &txns, now, self.old_bucket_ms);
        let recent: Vec<usize> = (1..times.len())
            .filter(|&i| now.saturating_sub(times[i]) <= RECENT_MS)
            .collect();
        if recent.len() > MAX_RECENT {
            for (&i, k) in recent.iter().zip(policy::thin_recent(recent.len())) {
                keep[i] &= k;
            }
            self.every *= 2;
        }
        if keep.iter().all(|&k| k) {
            return;
        }
        let mut flags = keep.into_iter();
        self.checkpoints.retain(|_| flags.next().unwrap_or(true));
    }

    /// Runs the head forward to `t` (every event at or before it).
    fn advance_head(&mut self, t: u64, more: &mut dyn FnMut() -> bool) -> bool {
        loop {
            for _ in 0..SLICE {
                if self.head.next_event_ms().is_none_or(|n| n > t) {
                    self.head.run_until(t);
                    return true;
                }
                self.head.step();
                self.maybe_checkpoint();
            }
            if !more() {
                return false;
            }
        }
    }

    /// Shows `(t, n)` in the past: continues the replay if it has not
    /// passed the moment, its history reaches back `context_ms` before it
    /// and it is at least as far as the checkpoint it would start from;
    /// else restarts from the newest checkpoint at least `context_ms`
    /// before the moment.
    fn show_past(
        &mut self,
        t: u64,
        n: u64,
        context_ms: u64,
        more: &mut dyn FnMut() -> bool,
    ) -> bool {
        let usable = |s: &Simulation| s.now_ms() <= t && s.events() <= n;
        let from = if t == u64::MAX {
            u64::MAX
        } else {
            t.saturating_sub(context_ms)
        };
        let base = self.base_for(|c| usable(c) && c.now_ms() <= from);
        let start = &self.checkpoints[base];
        let keep = self
            .past
            .as_ref()
            .is_some_and(|p| usable(&p.sim) && p.from_ms <= from && key(&p.sim) >= key(start));
        if !keep {
            self.past = Some(Past {
                from_ms: start.now_ms(),
                sim: (**start).clone(),
            });
        }
        let actions = &self.head.scenario().actions;
        let sim = &mut self.past.as_mut().expect("set above").sim;
        let before = sim.events();
        let done = replay(sim, actions, t, n, more);
        self.replayed += sim.events() - before;
        done
    }
}

impl Engine {
    /// A session on `scenario`, at time 0 (nothing handled yet).
    pub fn new(scenario: Scenario) -> Result<Engine, String> {
        Engine::with_checkpoints_every(scenario, CHECKPOINT_EVERY)
    }

    /// Same, with a checkpoint every `every` events (tests use small ones).
    pub fn with_checkpoints_every(scenario: Scenario, every: u64) -> Result<Engine, String> {
        let mut e = Engine {
            branches: Vec::new(),
            active: 0,
            next_id: 0,
            every: every.max(1),
            context_ms: CONTEXT_MS,
        };
        e.restart(scenario)?;
        Ok(e)
    }

    /// How much virtual time before a moment in the past a replay shows
    /// (the diagram's window): replays start at least this far before it.
    pub fn set_context_ms(&mut self, ms: u64) {
        self.context_ms = ms;
    }

    /// A new root branch on `scenario` at time 0, shown (a lesson step
    /// that switches bug-museum flags replays its scenario this way). The
    /// other branches stay selectable.
    pub fn restart(&mut self, scenario: Scenario) -> Result<usize, String> {
        let mut sim = Simulation::new(scenario).map_err(|e| e.to_string())?;
        sim.record_history(HISTORY_MESSAGES);
        let first = checkpoint_of(&sim);
        let every = self.every;
        Ok(self.push_branch(None, vec![first], sim, every))
    }

    fn push_branch(
        &mut self,
        parent: Option<(usize, u64)>,
        checkpoints: Vec<Rc<Simulation>>,
        head: Simulation,
        every: u64,
    ) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        let mut branch = Branch::new(id, parent, checkpoints, head);
        branch.every = every;
        self.branches.push(branch);
        self.active = self.branches.len() - 1;
        if self.branches.len() > MAX_BRANCHES {
            self.branches.remove(0);
            self.active -= 1;
        }
        id
    }

    fn b(&self) -> &Branch {
        &self.branches[self.active]
    }

    fn bm(&mut self) -> &mut Branch {
        &mut self.branches[self.active]
    }

    /// The state shown now.
    pub fn sim(&self) -> &Simulation {
        self.b().shown()
    }

    /// The frontier of the shown branch.
    pub fn head(&self) -> &Simulation {
        &self.b().head
    }

    /// Whether the shown state is the frontier.
    pub fn live(&self) -> bool {
        self.b().past.is_none()
    }

    pub fn now_ms(&self) -> u64 {
        self.sim().now_ms()
    }

    pub fn frontier_ms(&self) -> u64 {
        self.b().head.now_ms()
    }

    /// Moves the shown moment to `t_ms` (every event at or before it
    /// handled). Returns false if `more()` stopped it on the way; the shown
    /// state is then somewhere before `t_ms`: call again.
    pub fn seek(&mut self, t_ms: u64, more: &mut dyn FnMut() -> bool) -> bool {
        self.seek_upto(t_ms, u64::MAX, more)
    }

    /// [`seek`](Engine::seek) with at most `events` handled: the moment
    /// `t_ms` as it was before an action taken at that very instant once
    /// `events` had been handled (a lesson step's start, when the learner
    /// acted right there). Pass what `sim().events()` said then.
    pub fn seek_upto(&mut self, t_ms: u64, events: u64, more: &mut dyn FnMut() -> bool) -> bool {
        let context = self.context_ms;
        let b = self.bm();
        if t_ms >= b.head.now_ms() && b.head.events() <= events {
            b.past = None;
            return b.advance_head(t_ms, more);
        }
        b.show_past(t_ms, events, context, more)
    }

    /// Shows the state right after event number `n` (1 = the first event).
    pub fn seek_event(&mut self, n: u64) {
        let context = self.context_ms;
        let b = self.bm();
        if n >= b.head.events() {
            b.past = None;
            while b.head.events() < n && b.head.step() {
                b.maybe_checkpoint();
            }
            return;
        }
        // The moment of event n is unknown before the replay: start at
        // least `context` before the newest checkpoint that precedes it.
        let near = b.base_for(|c| c.events() <= n);
        let t = b.checkpoints[near].now_ms();
        let base = b.base_for(|c| c.events() <= n && c.now_ms() <= t.saturating_sub(context));
        let start = &b.checkpoints[base];
        let keep = b.past.as_ref().is_some_and(|p| {
            p.sim.events() <= n
                && p.from_ms <= t.saturating_sub(context)
                && key(&p.sim) >= key(start)
        });
        if !keep {
            b.past = Some(Past {
                from_ms: start.now_ms(),
                sim: (**start).clone(),
            });
        }
        let actions = &b.head.scenario().actions;
        let sim = &mut b.past.as_mut().expect("set above").sim;
        let before = sim.events();
        replay(sim, actions, u64::MAX, n, &mut || true);
        b.replayed += sim.events() - before;
    }

    /// Handles one more event. False when nothing is left to handle.
    pub fn step_forward(&mut self) -> bool {
        let n = self.sim().events() + 1;
        if self.live() && self.head().next_event_ms().is_none() {
            return false;
        }
        self.seek_event(n);
        true
    }

    /// Goes back one event. False at the very start.
    pub fn step_back(&mut self) -> bool {
        let n = self.sim().events();
        if n == 0 {
            return false;
        }
        self.seek_event(n - 1);
        true
    }

    /// Takes a user action at the shown moment. In the past it forks a new
    /// branch (returned); the old one stays as it was.
    pub fn act(&mut self, kind: ActionKind) -> Result<Option<usize>, ActionError> {
        if self.live() {
            let b = self.bm();
            b.head.act(kind)?;
            b.push_checkpoint();
            return Ok(None);
        }
        let mut head = self.sim().clone();
        head.act(kind)?;
        Ok(Some(self.fork_with(head)))
    }

    /// A new branch from the shown moment with nothing after it (the old
    /// branch keeps its future): going back to a lesson step after the
    /// learner acted later on. At the frontier there is no future to drop:
    /// returns `None` and changes nothing.
    pub fn fork(&mut self) -> Option<usize> {
        if self.live() {
            return None;
        }
        let head = self.sim().clone();
        Some(self.fork_with(head))
    }

    /// A branch whose prefix is the shown branch's up to the shown moment
    /// and whose head is `head` (that moment, maybe plus an action).
    fn fork_with(&mut self, head: Simulation) -> usize {
        let (t, events) = (self.sim().now_ms(), self.sim().events());
        let parent = self.b().id;
        let mut checkpoints: Vec<Rc<Simulation>> = self
            .b()
            .checkpoints
            .iter()
            .filter(|c| c.events() <= events && c.now_ms() <= t)
            .cloned()
            .collect();
        if checkpoints.last().is_none_or(|c| key(c) != key(&head)) {
            checkpoints.push(checkpoint_of(&head));
        }
        let every = self.b().every;
        // The branch we fork from keeps showing its own frontier when it
        // is selected again.
        self.bm().past = None;
        self.push_branch(Some((parent, t)), checkpoints, head, every)
    }

    pub fn branches(&self) -> Vec<BranchInfo> {
        self.branches
            .iter()
            .enumerate()
            .map(|(i, b)| BranchInfo {
                id: b.id,
                parent: b.parent,
                frontier_ms: b.head.now_ms(),
                actions: b.head.scenario().actions.len(),
                violations: b.head.violations().len(),
                active: i == self.active,
            })
            .collect()
    }

    pub fn active_branch(&self) -> usize {
        self.b().id
    }

    /// Shows branch `id` (at its frontier). False if there is no such branch.
    pub fn select_branch(&mut self, id: usize) -> bool {
        match self.branches.iter().position(|b| b.id == id) {
            Some(i) => {
                self.active = i;
                true
            }
            None => false,
        }
    }

    /// The shown branch as a scenario file: every action, and `until_ms`
    /// at the frontier, so `zablab run` and a reload end where it ends.
    pub fn export(&self) -> Scenario {
        let head = self.head();
        let mut s = head.scenario().clone();
        let last = s.actions.iter().map(|a| a.at_ms).max().unwrap_or(0);
        s.until_ms = head.now_ms().max(last);
        s
    }

    /// Events the shown branch's replays have handled so far: what seeks
    /// into the past cost, in a unit that does not depend on the machine
    /// or its load (the benchmark's seek figures).
    pub fn replayed_events(&self) -> u64 {
        self.b().replayed
    }

    /// Checkpoints in the shown branch (for tests and the status line).
    pub fn checkpoints(&self) -> usize {
        self.b().checkpoints.len()
    }

    /// Takes the shown branch's checkpoints away (tests: what they alone
    /// hold, `sim/footprint.rs`).
    #[cfg(test)]
    pub(crate) fn take_checkpoints(&mut self) -> Vec<Rc<Simulation>> {
        let a = self.active;
        std::mem::take(&mut self.branches[a].checkpoints)
    }

    /// The moments of the shown branch's checkpoints (for tests and the
    /// benchmark: how far apart they are by age).
    pub fn checkpoint_times(&self) -> Vec<u64> {
        self.b().checkpoints.iter().map(|c| c.now_ms()).collect()
    }
}
