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
//!   starts from the newest checkpoint at or before the wanted moment.
//! - Why that is exact: a checkpoint taken before an action does not know
//!   it, but every action is followed by a pinned checkpoint, so the newest
//!   checkpoint at or before any moment already holds every action up to
//!   that moment. Replaying from it handles the same events as the head did.
//! - Acting at the frontier extends the branch. Acting in the past forks:
//!   a new branch starts with the checkpoints of the prefix and the past
//!   state plus the action as its head; the old branch stays selectable.
//!   `fork` does the same without an action (drops the shown future), and
//!   `restart` starts a new root branch on another scenario (a lesson step
//!   that switches bug-museum flags).
//! - `seek_upto(t, n)` shows `t` from checkpoints with at most `n` events:
//!   the moment before an action taken at that very instant (a pinned
//!   checkpoint after an action has one more event than the state before).
//! - Work is bounded: `seek` runs in slices and asks `more()` between them;
//!   it returns `false` when it stopped before the target (call again).
//! - Never panics on user input: impossible actions come back as the
//!   core's `ActionError`.

use std::rc::Rc;

use crate::{ActionError, ActionKind, Scenario, Simulation};

/// Messages the space-time history keeps per run.
pub const HISTORY_MESSAGES: usize = 64 * 1024;
/// Messages a checkpoint keeps of that history: a diagram right after a
/// seek reaches back at least this far before the checkpoint (the replay
/// adds everything after it). Whole histories in every checkpoint cost
/// about 5 MB each once checkpoints are further apart than the history
/// is long (a 1-hour run held 1.5 GB).
pub const CHECKPOINT_HISTORY: usize = 8 * 1024;
/// Events between two checkpoints at first (doubles when thinned).
pub const CHECKPOINT_EVERY: u64 = 10_000;
/// More checkpoints than this per branch and every other unpinned one goes.
pub const MAX_CHECKPOINTS: usize = 200;
/// Branches kept (the oldest unselected one goes first).
pub const MAX_BRANCHES: usize = 8;
/// Events handled between two questions to `more()`.
const SLICE: u32 = 128;

/// A checkpoint of `sim`: a clone with the newest `CHECKPOINT_HISTORY`
/// messages of its history.
fn checkpoint_of(sim: &Simulation) -> Rc<Simulation> {
    let mut copy = sim.clone();
    copy.trim_history(CHECKPOINT_HISTORY);
    Rc::new(copy)
}

#[derive(Clone)]
struct Checkpoint {
    sim: Rc<Simulation>,
    /// Taken right after an action (or at the start): never thinned.
    pinned: bool,
}

impl Checkpoint {
    fn key(&self) -> (u64, u64) {
        (self.sim.now_ms(), self.sim.events())
    }
}

struct Past {
    /// Index of the checkpoint the replay started from.
    base: usize,
    sim: Simulation,
}

/// One linear history.
struct Branch {
    id: usize,
    /// (parent branch id, fork moment in ms).
    parent: Option<(usize, u64)>,
    checkpoints: Vec<Checkpoint>,
    every: u64,
    head: Simulation,
    past: Option<Past>,
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
}

impl Branch {
    fn new(
        id: usize,
        parent: Option<(usize, u64)>,
        checkpoints: Vec<Checkpoint>,
        head: Simulation,
    ) -> Branch {
        Branch {
            id,
            parent,
            checkpoints,
            every: CHECKPOINT_EVERY,
            head,
            past: None,
        }
    }

    fn shown(&self) -> &Simulation {
        self.past.as_ref().map_or(&self.head, |p| &p.sim)
    }

    /// Index of the newest checkpoint with `key <= (t, events)`.
    fn base_for(&self, pred: impl Fn(&Checkpoint) -> bool) -> usize {
        self.checkpoints.partition_point(pred).saturating_sub(1)
    }

    fn maybe_checkpoint(&mut self) {
        let last = self.checkpoints.last().map_or(0, |c| c.sim.events());
        if self.head.events() >= last + self.every {
            self.push_checkpoint(false);
        }
    }

    fn push_checkpoint(&mut self, pinned: bool) {
        if let Some(last) = self.checkpoints.last_mut() {
            if last.key() == (self.head.now_ms(), self.head.events()) {
                last.pinned |= pinned;
                if !pinned {
                    return;
                }
                // Same moment, but the head now holds an action the old
                // clone does not: replace it.
                *last = Checkpoint {
                    sim: checkpoint_of(&self.head),
                    pinned: true,
                };
                return;
            }
        }
        self.checkpoints.push(Checkpoint {
            sim: checkpoint_of(&self.head),
            pinned,
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first, every pinned one and every other of the rest.
            let mut keep = true;
            let old = std::mem::take(&mut self.checkpoints);
            let n = old.len();
            for (i, c) in old.into_iter().enumerate() {
                if i == 0 || c.pinned || i + 1 == n || keep {
                    self.checkpoints.push(c);
                }
                keep = !keep;
            }
            self.every *= 2;
            self.past = None;
        }
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

    /// The replay, restarted from the newest checkpoint satisfying `ok`
    /// when that is newer than where it started (or it went too far).
    fn past_from(&mut self, base: usize, usable: impl Fn(&Simulation) -> bool) -> &mut Simulation {
        let keep = self
            .past
            .as_ref()
            .is_some_and(|p| p.base >= base && usable(&p.sim));
        if !keep {
            self.past = Some(Past {
                base,
                sim: (*self.checkpoints[base].sim).clone(),
            });
        }
        &mut self.past.as_mut().expect("set above").sim
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
        };
        e.restart(scenario)?;
        Ok(e)
    }

    /// A new root branch on `scenario` at time 0, shown (a lesson step
    /// that switches bug-museum flags replays its scenario this way). The
    /// other branches stay selectable.
    pub fn restart(&mut self, scenario: Scenario) -> Result<usize, String> {
        let mut sim = Simulation::new(scenario).map_err(|e| e.to_string())?;
        sim.record_history(HISTORY_MESSAGES);
        let first = Checkpoint {
            sim: checkpoint_of(&sim),
            pinned: true,
        };
        let every = self.every;
        Ok(self.push_branch(None, vec![first], sim, every))
    }

    fn push_branch(
        &mut self,
        parent: Option<(usize, u64)>,
        checkpoints: Vec<Checkpoint>,
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

    /// [`seek`](Engine::seek) from a state with at most `events` handled:
    /// the moment `t_ms` as it was before an action taken at that very
    /// instant once `events` had been handled (a lesson step's start, when
    /// the learner acted right there). Pass what `sim().events()` said then.
    pub fn seek_upto(&mut self, t_ms: u64, events: u64, more: &mut dyn FnMut() -> bool) -> bool {
        let b = self.bm();
        if t_ms >= b.head.now_ms() && b.head.events() <= events {
            b.past = None;
            return b.advance_head(t_ms, more);
        }
        let ok = |s: &Simulation| s.now_ms() <= t_ms && s.events() <= events;
        let base = b.base_for(|c| ok(&c.sim));
        let sim = b.past_from(base, ok);
        loop {
            for _ in 0..SLICE {
                if sim.next_event_ms().is_none_or(|n| n > t_ms) {
                    sim.run_until(t_ms);
                    return true;
                }
                sim.step();
            }
            if !more() {
                return false;
            }
        }
    }

    /// Shows the state right after event number `n` (1 = the first event).
    pub fn seek_event(&mut self, n: u64) {
        let b = self.bm();
        if n >= b.head.events() {
            b.past = None;
            while b.head.events() < n && b.head.step() {
                b.maybe_checkpoint();
            }
            return;
        }
        let base = b.base_for(|c| c.sim.events() <= n);
        let sim = b.past_from(base, |s| s.events() <= n);
        while sim.events() < n && sim.step() {}
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
            b.push_checkpoint(true);
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
        let mut checkpoints: Vec<Checkpoint> = self
            .b()
            .checkpoints
            .iter()
            .filter(|c| c.sim.events() <= events && c.sim.now_ms() <= t)
            .cloned()
            .collect();
        if checkpoints
            .last()
            .is_none_or(|c| c.key() != (head.now_ms(), head.events()))
        {
            checkpoints.push(Checkpoint {
                sim: checkpoint_of(&head),
                pinned: true,
            });
        }
        let every = self.b().every;
        self.b_reset_past();
        self.push_branch(Some((parent, t)), checkpoints, head, every)
    }

    fn b_reset_past(&mut self) {
        // The branch we fork from keeps showing its own frontier when it is
        // selected again.
        self.bm().past = None;
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

    /// Checkpoints in the shown branch (for tests and the status line).
    pub fn checkpoints(&self) -> usize {
        self.b().checkpoints.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerRef;

    /// Three servers, checkpoints every 50 events (so tests cross many).
    fn engine() -> Engine {
        let text = include_str!("../../static/scenarios/three-up.json");
        Engine::with_checkpoints_every(Scenario::from_json(text).unwrap(), 50).unwrap()
    }

    fn go(e: &mut Engine, t: u64) {
        assert!(e.seek(t, &mut || true));
        assert_eq!(e.now_ms(), t);
    }

    /// A fresh run of the exported branch to the same moment.
    fn replay(e: &Engine, t: u64) -> Simulation {
        let mut s = Simulation::new(e.export()).unwrap();
        s.run_until(t);
        s
    }

    #[test]
    fn seeking_back_and_forth_shows_exactly_the_replayed_state() {
        let mut e = engine();
        go(&mut e, 3000);
        e.act(ActionKind::Crash {
            server: ServerRef::Leader,
        })
        .unwrap();
        go(&mut e, 9000);
        let at_9000 = (e.sim().trace_hash(), e.sim().events(), e.sim().servers());
        for t in [100, 2999, 3000, 3001, 5000, 8999] {
            go(&mut e, t);
            assert!(!e.live());
            let r = replay(&e, t);
            assert_eq!(e.sim().trace_hash(), r.trace_hash(), "at {t}");
            assert_eq!(e.sim().servers(), r.servers(), "at {t}");
        }
        go(&mut e, 9000);
        assert!(e.live());
        assert_eq!(
            at_9000,
            (e.sim().trace_hash(), e.sim().events(), e.sim().servers())
        );
    }

    #[test]
    fn stepping_back_then_forward_returns_to_the_same_event() {
        let mut e = engine();
        go(&mut e, 2000);
        let n = e.sim().events();
        let hash = e.sim().trace_hash();
        assert!(e.step_back());
        assert_eq!(e.sim().events(), n - 1);
        assert!(!e.live());
        assert!(e.step_back());
        assert!(e.step_forward());
        assert!(e.step_forward());
        assert_eq!(e.sim().events(), n);
        assert_eq!(e.sim().trace_hash(), hash);
        assert!(e.live());
        // Stepping at the frontier handles the next event.
        assert!(e.step_forward());
        assert_eq!(e.sim().events(), n + 1);
    }

    #[test]
    fn checkpoints_are_taken_and_thinned_but_replays_stay_exact() {
        let mut e = engine();
        go(&mut e, 60_000);
        assert!(e.checkpoints() > 2, "{}", e.checkpoints());
        assert!(e.checkpoints() <= MAX_CHECKPOINTS);
        e.act(ActionKind::Crash {
            server: ServerRef::Sid(1),
        })
        .unwrap();
        go(&mut e, 61_000);
        let t = 60_000;
        go(&mut e, t);
        assert_eq!(e.sim().trace_hash(), replay(&e, t).trace_hash());
        assert_eq!(
            e.sim().server(1).unwrap().state,
            "DOWN",
            "the crash is at 60000"
        );
    }

    #[test]
    fn acting_in_the_past_forks_and_keeps_the_old_branch() {
        let mut e = engine();
        go(&mut e, 4000);
        let old_hash = e.head().trace_hash();
        go(&mut e, 2500);
        let fork = e
            .act(ActionKind::Crash {
                server: ServerRef::Sid(2),
            })
            .unwrap();
        assert_eq!(fork, Some(1));
        assert!(e.live());
        assert_eq!(e.sim().server(2).unwrap().state, "DOWN");
        assert_eq!(e.frontier_ms(), 2500);
        go(&mut e, 4000);
        assert_ne!(e.head().trace_hash(), old_hash);
        // The new branch replays like its own scenario.
        assert_eq!(e.sim().trace_hash(), replay(&e, 4000).trace_hash());
        let infos = e.branches();
        assert_eq!(infos.len(), 2);
        assert_eq!(infos[1].parent, Some((0, 2500)));
        assert!(e.select_branch(0));
        assert_eq!(e.head().trace_hash(), old_hash);
        assert_ne!(e.sim().server(2).unwrap().state, "DOWN");
        // Seeking inside the new branch before the fork uses the shared prefix.
        e.select_branch(1);
        go(&mut e, 1000);
        assert_eq!(e.sim().trace_hash(), replay(&e, 1000).trace_hash());
    }

    #[test]
    fn a_refused_action_changes_nothing() {
        let mut e = engine();
        go(&mut e, 3000);
        let before = (e.sim().trace_hash(), e.export());
        assert_eq!(
            e.act(ActionKind::Restart {
                server: ServerRef::Sid(1)
            }),
            Err(ActionError::AlreadyUp(1))
        );
        go(&mut e, 1000);
        assert!(e
            .act(ActionKind::Restart {
                server: ServerRef::Sid(1)
            })
            .is_err());
        assert_eq!(e.branches().len(), 1, "no fork for a refused action");
        go(&mut e, 3000);
        assert_eq!(before, (e.sim().trace_hash(), e.export()));
    }

    #[test]
    fn seeking_is_sliced_by_the_budget() {
        let text = include_str!("../../static/scenarios/load-1h-5srv.json");
        let mut e = Engine::new(Scenario::from_json(text).unwrap()).unwrap();
        let mut calls = 0;
        let done = e.seek(30_000, &mut || {
            calls += 1;
            calls < 3
        });
        assert!(!done);
        assert!(e.now_ms() < 30_000);
        assert!(e.seek(30_000, &mut || true));
        assert_eq!(e.now_ms(), 30_000);
    }

    #[test]
    fn a_moment_before_an_action_taken_there_can_be_shown_and_forked_clean() {
        let mut e = engine();
        go(&mut e, 3000);
        let (n, before) = (e.sim().events(), e.sim().trace_hash());
        e.act(ActionKind::Crash {
            server: ServerRef::Sid(1),
        })
        .unwrap();
        go(&mut e, 6000);
        // seek(3000) shows the crash (its pinned checkpoint); seek_upto
        // shows the moment as it was before it.
        go(&mut e, 3000);
        assert_eq!(e.sim().server(1).unwrap().state, "DOWN");
        assert!(e.seek_upto(3000, n, &mut || true));
        assert_eq!((e.now_ms(), e.sim().events()), (3000, n));
        assert_eq!(e.sim().trace_hash(), before);
        assert_ne!(e.sim().server(1).unwrap().state, "DOWN");
        // A fork from there drops the future (the old branch keeps it).
        let id = e.fork().expect("a fork from the past");
        assert!(e.live());
        assert_eq!(e.frontier_ms(), 3000);
        assert_eq!(e.export().actions.len(), 1, "only the start");
        go(&mut e, 6000);
        assert_ne!(e.sim().server(1).unwrap().state, "DOWN");
        assert_eq!(e.sim().trace_hash(), replay(&e, 6000).trace_hash());
        assert_eq!(e.fork(), None, "nothing to drop at the frontier");
        assert!(e.select_branch(0));
        assert_eq!(e.head().scenario().actions.len(), 2);
        assert_eq!(e.branches()[1].parent, Some((0, 3000)));
        assert_eq!(id, 1);
    }

    #[test]
    fn a_restart_is_a_new_root_branch_on_another_scenario() {
        let mut e = engine();
        go(&mut e, 4000);
        let mut s = e.export();
        s.ensemble.variants = vec!["bug_zk2845_no_fast_forward".to_string()];
        s.until_ms = 30_000;
        let id = e.restart(s).unwrap();
        assert_eq!((id, e.now_ms(), e.active_branch()), (1, 0, 1));
        assert_eq!(e.branches()[1].parent, None);
        assert_eq!(e.head().scenario().ensemble.variants.len(), 1);
        go(&mut e, 2000);
        assert!(e.select_branch(0));
        assert_eq!(e.frontier_ms(), 4000);
        for _ in 0..MAX_BRANCHES {
            e.restart(e.export()).unwrap();
        }
        assert_eq!(e.branches().len(), MAX_BRANCHES, "the oldest go");
        assert!(!e.select_branch(0));
    }

    #[test]
    fn export_ends_at_the_frontier_and_replays_to_the_same_hash() {
        let mut e = engine();
        go(&mut e, 2000);
        e.act(ActionKind::Crash {
            server: ServerRef::Leader,
        })
        .unwrap();
        go(&mut e, 7000);
        let s = e.export();
        assert_eq!(s.until_ms, 7000);
        let text = s.to_json();
        let mut r = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        r.run_to_end();
        assert_eq!(r.trace_hash(), e.sim().trace_hash());
    }
}
