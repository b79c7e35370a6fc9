//! The lesson player: a state machine over a [`Lesson`] and the engine's
//! time travel. It owns where a lesson is (the step, its phase, the
//! learner's pick, the probe's answer, the steps reached and where each
//! started) and moves the engine for a step (a variants branch, a run to
//! the step's moment, a rewind). It never touches the app's state: the
//! lessons reducer (`model/lessons.rs`) calls it and applies what it
//! says (play, pause, the panel to open, messages for the user). Pure (no
//! DOM), tested natively; the `ui::lesson` component draws it.
//!
//! How it reads the format (docs/LESSONS.md):
//! - A step runs the simulation to its `at_ms` (playing, at least fast
//!   enough to get there in [`RUN_WALL_MS`] of wall time; Next jumps),
//!   pauses and shows its text and highlight. No `at_ms`, or a moment
//!   already passed: the step shows where the run is.
//! - `variants`: a new root branch replays the lesson's scenario from 0
//!   with those flags, then runs to `at_ms`.
//! - `try_it`: waits until the learner acts with the normal controls (the
//!   first action they take ends the wait; the lesson goes on from their
//!   run) or presses Skip (`default_actions`, at the shown moment).
//! - `question`: choices first; a pick (or Next: no pick) runs to
//!   `reveal_at_ms`, evaluates `lesson::probe` on the shown state and
//!   marks the choice whose value it gave (computed from the run, whatever
//!   the learner did), then the explanation with `evidence` highlighted.
//! - Each step's start is remembered (branch, time, events, actions):
//!   Back, a click in the outline and R rewind there with the engine's
//!   seek. If the learner acted after that moment, the rewind forks a
//!   branch without that future (the old branch stays in the picker), so
//!   going forward again replays the lesson, not their old actions.
//! - A violation on the way pauses the run as anywhere else (the step is
//!   then "running, paused": Next jumps to the step's moment).

use std::rc::Rc;

use zablab_core::lesson::{self, Highlight, Lesson, Step};

use crate::engine::Engine;

/// A step's run lasts at most about this much wall time (ms): long gaps
/// play faster than the chosen speed.
pub const RUN_WALL_MS: f64 = 6_000.0;

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    /// Playing towards `goal` (virtual ms): the step's moment, or the
    /// question's reveal. `min_speed` keeps the run within RUN_WALL_MS.
    Running {
        goal: u64,
        reveal: bool,
        min_speed: f64,
    },
    /// A try_it waits for the learner to act (or Skip).
    Trying,
    /// The question's choices wait for a pick.
    Asking,
    /// The probe's answer, marked, with the explanation.
    Revealed,
    /// Narration only.
    Shown,
}

impl Phase {
    /// For the DOM (`data-phase`) and tests.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Running { .. } => "running",
            Phase::Trying => "trying",
            Phase::Asking => "asking",
            Phase::Revealed => "revealed",
            Phase::Shown => "shown",
        }
    }
}

/// What a run towards a goal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// It is under way (phase Running): the caller plays the engine.
    Playing,
    /// The engine jumped there: the caller shows the new moment (and
    /// announces what broke on the way), then [`Player::arrive`]s.
    Jumped,
    /// Already there: the caller [`Player::arrive`]s.
    Here,
}

/// Where a step started: enough to show that exact moment again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    branch: usize,
    t_ms: u64,
    events: u64,
    /// Actions in the branch then (more later: the learner acted since).
    actions: usize,
}

/// A lesson being played.
#[derive(Debug, Clone)]
pub struct Player {
    pub lesson: Rc<Lesson>,
    /// The step shown (0-based).
    pub step: usize,
    pub phase: Phase,
    /// The choice the learner picked (index), if any.
    pub picked: Option<usize>,
    /// The probe's value at the reveal.
    pub answer: Option<String>,
    /// The furthest step reached (the outline goes back to any of them).
    pub reached: usize,
    /// The learner acted in this step's try_it (rather than Skip).
    pub acted: bool,
    marks: Vec<Option<Mark>>,
}

impl Player {
    pub fn new(lesson: Rc<Lesson>) -> Player {
        let n = lesson.steps.len();
        Player {
            lesson,
            step: 0,
            phase: Phase::Shown,
            picked: None,
            answer: None,
            reached: 0,
            acted: false,
            marks: vec![None; n],
        }
    }

    pub fn current(&self) -> &Step {
        &self.lesson.steps[self.step]
    }

    pub fn last(&self) -> bool {
        self.step + 1 == self.lesson.steps.len()
    }

    /// The choice index the probe's answer names, if any.
    pub fn correct(&self) -> Option<usize> {
        let q = self.current().question.as_ref()?;
        let a = self.answer.as_ref()?;
        q.choices.iter().position(|c| &c.value == a)
    }

    /// What the views point at now: the evidence once revealed (if the
    /// question has any), else the step's highlight.
    pub fn highlight(&self) -> Option<&Highlight> {
        let s = self.current();
        let evidence = s
            .question
            .as_ref()
            .map(|q| &q.evidence)
            .filter(|e| self.phase == Phase::Revealed && !e.is_empty());
        evidence.or(Some(&s.highlight).filter(|h| !h.is_empty()))
    }

    /// The moment a run stops at, and its least speed, while one is under
    /// way.
    pub fn goal(&self) -> Option<(u64, f64)> {
        match self.phase {
            Phase::Running {
                goal, min_speed, ..
            } => Some((goal, min_speed)),
            _ => None,
        }
    }

    /// Starts step `k` afresh (no pick, answer or try yet): its variants
    /// and its moment.
    pub fn begin(&mut self, k: usize) -> (Option<Vec<String>>, Option<u64>) {
        self.step = k;
        self.reached = self.reached.max(k);
        self.forget_step();
        let s = &self.lesson.steps[k];
        (s.variants.clone(), s.at_ms)
    }

    fn forget_step(&mut self) {
        self.picked = None;
        self.answer = None;
        self.acted = false;
    }

    /// A new root branch on the lesson's scenario with `flags` for step
    /// `k` (or, at 0 ms, the one this step made before, if nothing was
    /// done in it since).
    pub fn switch_flags(
        &self,
        engine: &mut Engine,
        k: usize,
        flags: &[String],
    ) -> Result<(), String> {
        if let Some(m) = self.marks[k] {
            if engine.select_branch(m.branch) && engine.head().scenario().actions.len() == m.actions
            {
                engine.seek(0, &mut || true);
                return Ok(());
            }
        }
        let scenario = self
            .lesson
            .scenario_with(flags)
            .map_err(|e| e.to_string())?;
        engine.restart(scenario).map(|_| ())
    }

    /// Runs to `goal` (never backwards): animated (phase Running), or a
    /// jump, or nothing to do.
    pub fn run_to(&mut self, engine: &mut Engine, goal: u64, reveal: bool, animate: bool) -> Run {
        let now = engine.now_ms();
        if goal > now && animate {
            let min_speed = ((goal - now) as f64 / RUN_WALL_MS).min(100.0);
            self.phase = Phase::Running {
                goal,
                reveal,
                min_speed,
            };
            return Run::Playing;
        }
        if goal > now {
            engine.seek(goal, &mut || true);
            return Run::Jumped;
        }
        Run::Here
    }

    /// The run got to its goal: the question's answer from the shown
    /// state (`reveal`), or the step's start remembered and what it waits
    /// for.
    pub fn arrive(&mut self, engine: &Engine, reveal: bool) {
        if reveal {
            self.answer = self
                .current()
                .question
                .as_ref()
                .map(|q| lesson::probe(engine.sim(), &q.probe));
            self.phase = Phase::Revealed;
            return;
        }
        self.marks[self.step] = Some(Mark {
            branch: engine.active_branch(),
            t_ms: engine.now_ms(),
            events: engine.sim().events(),
            actions: engine.head().scenario().actions.len(),
        });
        let s = self.current();
        self.phase = if s.try_it.is_some() {
            Phase::Trying
        } else if s.question.is_some() {
            Phase::Asking
        } else {
            Phase::Shown
        };
    }

    /// The learner picks choice `i` (false: no question is asking, or no
    /// such choice).
    pub fn pick(&mut self, i: usize) -> bool {
        let ok = self.phase == Phase::Asking
            && self
                .current()
                .question
                .as_ref()
                .is_some_and(|q| i < q.choices.len());
        if ok {
            self.picked = Some(i);
        }
        ok
    }

    /// Where the question's answer is revealed (`now` without a
    /// `reveal_at_ms`); None without a question.
    pub fn reveal_at(&self, now: u64) -> Option<u64> {
        let q = self.current().question.as_ref()?;
        Some(q.reveal_at_ms.unwrap_or(now))
    }

    /// Skip: the try_it's default actions, if it waits. While the caller
    /// takes them the phase is Shown (they are the lesson's, not the
    /// learner's); it then calls [`Player::skipped`].
    pub fn skip_actions(&mut self) -> Option<Vec<serde_json::Value>> {
        if self.phase != Phase::Trying {
            return None;
        }
        let defaults = self
            .current()
            .try_it
            .as_ref()
            .map(|t| t.default_actions.clone())
            .unwrap_or_default();
        self.phase = Phase::Shown;
        Some(defaults)
    }

    /// The default actions were taken (`all`), or one was refused: the
    /// try_it goes on waiting.
    pub fn skipped(&mut self, all: bool) {
        self.phase = Phase::Trying;
        if all {
            self.try_done(false);
        }
    }

    /// The try_it is over (the learner acted, or Skip).
    fn try_done(&mut self, acted: bool) {
        if self.phase == Phase::Trying {
            self.acted = acted;
            self.phase = if self.current().question.is_some() {
                Phase::Asking
            } else {
                Phase::Shown
            };
        }
    }

    /// The learner acted (any control): a try_it is done, and later steps
    /// will be reached again from this run.
    pub fn learner_acted(&mut self) {
        self.reached = self.step;
        self.try_done(true);
    }

    /// Shows step `k`'s start again on the engine (a new branch without
    /// the learner's later actions, if they acted since); false when its
    /// branch is gone (only the newest are kept): the caller replays the
    /// lesson to that step. The caller then [`Player::arrive`]s.
    pub fn rewind(&mut self, engine: &mut Engine, k: usize) -> bool {
        let Some(m) = self.marks[k].filter(|m| engine.select_branch(m.branch)) else {
            return false;
        };
        if engine.head().scenario().actions.len() == m.actions {
            engine.seek(m.t_ms, &mut || true);
        } else {
            engine.seek_upto(m.t_ms, m.events, &mut || true);
            engine.fork();
        }
        self.step = k;
        self.forget_step();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::tests::FIXTURE;

    fn player() -> (Player, Engine) {
        let lesson = Rc::new(Lesson::from_json(FIXTURE).unwrap());
        let engine = Engine::new(lesson.base_scenario().unwrap()).unwrap();
        (Player::new(lesson), engine)
    }

    #[test]
    fn a_step_runs_to_its_moment_then_asks_and_the_probe_answers() {
        let (mut p, mut e) = player();
        let (variants, at) = p.begin(0);
        assert!(variants.is_none());
        let goal = at.unwrap();
        assert_eq!(p.run_to(&mut e, goal, false, true), Run::Playing);
        assert_eq!(p.goal().map(|g| g.0), Some(goal));
        assert_eq!(p.run_to(&mut e, goal, false, false), Run::Jumped);
        assert_eq!(e.now_ms(), goal);
        assert_eq!(p.run_to(&mut e, goal, false, false), Run::Here);
        p.arrive(&e, false);
        assert_eq!(p.phase, Phase::Asking);
        assert!(!p.pick(99), "no such choice");
        assert!(p.pick(0));
        let reveal = p.reveal_at(e.now_ms()).unwrap();
        p.run_to(&mut e, reveal, true, false);
        p.arrive(&e, true);
        assert_eq!(p.phase, Phase::Revealed);
        assert_eq!(p.answer.as_deref(), Some("2"));
        assert_eq!(p.correct(), Some(1));
        assert_eq!(p.highlight().unwrap().servers, [2], "the evidence");
    }

    #[test]
    fn a_rewind_shows_the_steps_start_and_forks_past_the_learners_actions() {
        let (mut p, mut e) = player();
        let (_, at) = p.begin(0);
        p.run_to(&mut e, at.unwrap(), false, false);
        p.arrive(&e, false);
        let (t, events) = (e.now_ms(), e.sim().events());
        e.act(zablab_core::ActionKind::Crash {
            server: zablab_core::ServerRef::Sid(1),
            power_loss: false,
        })
        .unwrap();
        e.seek(t + 500, &mut || true);
        let branches = e.branches().len();
        assert!(p.rewind(&mut e, 0));
        assert_eq!((e.now_ms(), e.sim().events()), (t, events));
        assert_eq!(
            e.branches().len(),
            branches + 1,
            "a branch without the crash"
        );
        assert!(e.sim().server(1).unwrap().up);
    }
}
