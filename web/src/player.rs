//! The lesson player: plays a [`Lesson`] on the model's engine, step by
//! step. Pure (no DOM), tested natively; the `ui::lesson` component draws
//! it and the reducer (`model.rs`) routes its messages here.
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

use crate::model::Model;

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
    fn new(lesson: Rc<Lesson>) -> Player {
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
}

impl Model {
    /// Opens `lesson` at step `step` (0-based): a fresh run of its
    /// scenario; the steps before are played as a learner who never acts
    /// (Skip, no pick), at once; step `step` then runs (animated when it
    /// is the first).
    pub fn open_lesson(&mut self, lesson: Rc<Lesson>, step: usize) {
        let scenario = match lesson.base_scenario() {
            Ok(s) => s,
            Err(e) => return self.say(e.to_string(), true),
        };
        if let Err(e) = self.replace(scenario) {
            return self.say(e, true);
        }
        self.title = lesson.title.en.clone();
        let step = step.min(lesson.steps.len() - 1);
        self.lesson = Some(Player::new(lesson));
        for k in 0..step {
            self.enter(k, false);
            if self.lesson_phase() == Some(Phase::Trying) {
                self.lesson_skip();
            }
            if self.lesson_phase() == Some(Phase::Asking) {
                self.reveal(false);
            }
        }
        self.enter(step, step == 0);
    }

    pub fn lesson_phase(&self) -> Option<Phase> {
        self.lesson.as_ref().map(|p| p.phase)
    }

    /// The highlight the views apply (none outside a lesson).
    pub fn lesson_highlight(&self) -> Option<&Highlight> {
        self.lesson.as_ref().and_then(Player::highlight)
    }

    /// The moment a lesson run stops at, while one is under way.
    pub fn lesson_goal(&self) -> Option<(u64, f64)> {
        match self.lesson_phase()? {
            Phase::Running {
                goal, min_speed, ..
            } => Some((goal, min_speed)),
            _ => None,
        }
    }

    fn player(&mut self) -> &mut Player {
        self.lesson.as_mut().expect("a lesson is open")
    }

    /// Shows step `k` (after a run to its moment, animated or at once).
    fn enter(&mut self, k: usize, animate: bool) {
        self.playing = false;
        self.target = None;
        let p = self.player();
        p.step = k;
        p.reached = p.reached.max(k);
        p.picked = None;
        p.answer = None;
        p.acted = false;
        let step = p.lesson.steps[k].clone();
        if let Some(flags) = &step.variants {
            self.switch_flags(k, flags);
        }
        let now = self.engine.now_ms();
        let goal = step.at_ms.unwrap_or(now);
        self.run_to(goal, false, animate);
    }

    /// A new root branch on the lesson's scenario with `flags` (or the
    /// one this step made before, if nothing was done in it since).
    fn switch_flags(&mut self, k: usize, flags: &[String]) {
        let p = self.lesson.as_ref().expect("a lesson is open");
        if let Some(m) = p.marks[k] {
            if self.engine.select_branch(m.branch)
                && self.engine.head().scenario().actions.len() == m.actions
            {
                self.engine.seek(0, &mut || true);
                self.after_jump();
                return;
            }
        }
        match p.lesson.scenario_with(flags) {
            Ok(s) => {
                if let Err(e) = self.engine.restart(s) {
                    self.say(e, true);
                }
            }
            Err(e) => self.say(e.to_string(), true),
        }
        self.after_jump();
    }

    /// Runs to `goal` (never backwards), then arrives (or reveals).
    fn run_to(&mut self, goal: u64, reveal: bool, animate: bool) {
        let now = self.engine.now_ms();
        if goal > now && animate {
            let min_speed = ((goal - now) as f64 / RUN_WALL_MS).min(100.0);
            self.player().phase = Phase::Running {
                goal,
                reveal,
                min_speed,
            };
            self.playing = true;
            return;
        }
        if goal > now {
            self.engine.seek(goal, &mut || true);
            self.vt = self.engine.now_ms() as f64;
            self.announce_violations();
        }
        self.arrive(reveal);
    }

    /// The run got to its goal (from `frame`, or a jump).
    pub(crate) fn arrive(&mut self, reveal: bool) {
        if reveal {
            let p = self.lesson.as_ref().expect("a lesson is open");
            let answer = p
                .current()
                .question
                .as_ref()
                .map(|q| lesson::probe(self.engine.sim(), &q.probe));
            let p = self.player();
            p.answer = answer;
            p.phase = Phase::Revealed;
        } else {
            let mark = Mark {
                branch: self.engine.active_branch(),
                t_ms: self.engine.now_ms(),
                events: self.engine.sim().events(),
                actions: self.engine.head().scenario().actions.len(),
            };
            let p = self.player();
            let k = p.step;
            p.marks[k] = Some(mark);
            let s = p.current();
            p.phase = if s.try_it.is_some() {
                Phase::Trying
            } else if s.question.is_some() {
                Phase::Asking
            } else {
                Phase::Shown
            };
        }
        self.focus_highlight();
    }

    /// Opens the panel the highlight is about (the log for a log line,
    /// the invariants for a property, the clients for a client, the
    /// inspector of the first server for a zxid).
    fn focus_highlight(&mut self) {
        let Some(h) = self.lesson_highlight().cloned() else {
            return;
        };
        use crate::model::Tab;
        if h.log.is_some() {
            self.tab = Tab::Log;
            self.log_server = None;
        } else if h.property.is_some() {
            self.tab = Tab::Invariants;
        } else if let Some(c) = h.client {
            self.tab = Tab::Clients;
            self.op_client = c;
        } else if let (Some(_), Some(&s)) = (&h.zxid, h.servers.first()) {
            self.tab = Tab::Server;
            self.selected = Some(s);
        }
    }

    /// Space / Next: finish a run, skip a try_it, reveal, or go on.
    pub fn lesson_next(&mut self) {
        let Some(p) = &self.lesson else { return };
        let (phase, last, step, id) = (p.phase, p.last(), p.step, p.lesson.id.clone());
        match phase {
            Phase::Running { goal, reveal, .. } => {
                self.playing = false;
                self.run_to(goal, reveal, false);
            }
            Phase::Trying => self.lesson_skip(),
            Phase::Asking => self.reveal(true),
            Phase::Shown | Phase::Revealed if !last => self.enter(step + 1, true),
            Phase::Shown | Phase::Revealed => {
                self.done.insert(id.clone());
                match self.course.after(&id) {
                    Some(next) => self.open_lesson(next, 0),
                    None => self.course_open = true,
                }
            }
        }
    }

    /// The learner picked choice `i`: the run goes on to the reveal.
    pub fn lesson_pick(&mut self, i: usize) {
        let ok = self.lesson.as_ref().is_some_and(|p| {
            p.phase == Phase::Asking
                && p.current()
                    .question
                    .as_ref()
                    .is_some_and(|q| i < q.choices.len())
        });
        if ok {
            self.player().picked = Some(i);
            self.reveal(true);
        }
    }

    fn reveal(&mut self, animate: bool) {
        let Some(q) = self
            .lesson
            .as_ref()
            .and_then(|p| p.current().question.as_ref())
        else {
            return;
        };
        let now = self.engine.now_ms();
        let goal = q.reveal_at_ms.unwrap_or(now);
        self.run_to(goal, true, animate);
    }

    /// Skip: the try_it's default actions, at the shown moment.
    pub fn lesson_skip(&mut self) {
        let Some(p) = &self.lesson else { return };
        if p.phase != Phase::Trying {
            return;
        }
        let defaults = p
            .current()
            .try_it
            .as_ref()
            .map(|t| t.default_actions.clone())
            .unwrap_or_default();
        // These actions are the lesson's, not the learner's.
        self.player().phase = Phase::Shown;
        for a in &defaults {
            let done = match lesson::parse_live_action(a) {
                Ok(kind) => self.act_ok(kind),
                Err(e) => {
                    self.say(e, true);
                    false
                }
            };
            if !done {
                self.player().phase = Phase::Trying;
                return;
            }
        }
        self.player().phase = Phase::Trying;
        self.try_done(false);
    }

    /// The try_it is over (the learner acted, or Skip).
    fn try_done(&mut self, acted: bool) {
        let p = self.player();
        if p.phase == Phase::Trying {
            p.acted = acted;
            p.phase = if p.current().question.is_some() {
                Phase::Asking
            } else {
                Phase::Shown
            };
        }
    }

    /// The learner acted (any control): a try_it is done, and later
    /// steps will be reached again from this run.
    pub(crate) fn lesson_acted(&mut self) {
        if self.lesson.is_none() {
            return;
        }
        let p = self.player();
        p.reached = p.step;
        self.try_done(true);
    }

    /// Back: the previous step's start (the first step: its own start).
    pub fn lesson_back(&mut self) {
        if let Some(k) = self.lesson.as_ref().map(|p| p.step.saturating_sub(1)) {
            self.lesson_goto(k);
        }
    }

    /// R: the current step's start again.
    pub fn lesson_rewind(&mut self) {
        if let Some(k) = self.lesson.as_ref().map(|p| p.step) {
            self.lesson_goto(k);
        }
    }

    /// Shows step `k`'s start again (a step already reached).
    pub fn lesson_goto(&mut self, k: usize) {
        let Some(p) = &self.lesson else { return };
        if k > p.reached {
            return;
        }
        let (lesson, mark, reached) = (p.lesson.clone(), p.marks[k], p.reached);
        self.playing = false;
        self.target = None;
        let Some(m) = mark.filter(|m| self.engine.select_branch(m.branch)) else {
            // Its branch is gone (only the newest are kept): replay the
            // lesson to that step.
            self.open_lesson(lesson, k);
            self.player().reached = reached;
            return;
        };
        if self.engine.head().scenario().actions.len() == m.actions {
            self.engine.seek(m.t_ms, &mut || true);
        } else {
            // The learner acted after this moment: start a branch without
            // that future.
            self.engine.seek_upto(m.t_ms, m.events, &mut || true);
            self.engine.fork();
        }
        self.after_jump();
        let p = self.player();
        p.step = k;
        p.picked = None;
        p.answer = None;
        p.acted = false;
        self.arrive(false);
    }

    pub fn close_lesson(&mut self) {
        self.lesson = None;
        self.playing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::tests::FIXTURE;
    use crate::course::LessonLink;
    use crate::model::{Msg, Tab};

    /// A model with the fixture as its course.
    fn model() -> Model {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::CourseIndex(Ok(vec!["fixture.json".into()])));
        m.apply(Msg::LessonText("fixture.json".into(), Ok(FIXTURE.into())));
        assert!(m.course.ready());
        m
    }

    fn phase(m: &Model) -> &'static str {
        m.lesson_phase().unwrap().name()
    }

    /// Frames at 100x until the lesson's run stops (arrives, or a
    /// violation pauses it).
    fn run(m: &mut Model) {
        m.apply(Msg::SetSpeed(100.0));
        for _ in 0..10_000 {
            if !m.playing {
                break;
            }
            m.frame(100.0, &mut || true);
        }
        assert!(!m.playing);
    }

    fn leader(m: &Model) -> Option<u32> {
        m.engine.sim().established_leader()
    }

    #[test]
    fn a_lesson_runs_to_each_step_and_reveals_what_the_simulation_answers() {
        let mut m = model();
        m.apply(Msg::OpenLesson("fixture".into(), 0));
        assert_eq!(phase(&m), "running");
        assert!(m.playing && m.engine.now_ms() == 0);
        run(&mut m);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 1500));
        assert_eq!(m.lesson_highlight().unwrap().servers, [1, 2]);
        // A wrong pick: the run goes on to the reveal, the probe answers.
        m.apply(Msg::LessonPick(0));
        assert_eq!(phase(&m), "running");
        run(&mut m);
        let p = m.lesson.as_ref().unwrap();
        assert_eq!((phase(&m), m.engine.now_ms()), ("revealed", 3000));
        assert_eq!(p.answer.as_deref(), Some("2"));
        assert_eq!((p.picked, p.correct()), (Some(0), Some(1)));
        // The evidence: server 2, and the log filtered on "LEADING".
        assert_eq!(m.lesson_highlight().unwrap().servers, [2]);
        assert_eq!(m.tab, Tab::Log);

        // Step 2: the bug fires on the way; the run pauses at the breaking
        // event; Next jumps to the step's moment.
        m.apply(Msg::LessonNext);
        run(&mut m);
        assert_eq!(phase(&m), "running", "paused by the violation");
        assert!(!m.engine.sim().violations().is_empty());
        m.apply(Msg::LessonNext);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        m.apply(Msg::LessonNext); // no pick: reveal at once (no reveal_at_ms)
        assert_eq!(phase(&m), "revealed");
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("yes"));
        assert_eq!(m.tab, Tab::Invariants);

        // Step 3: variants [] replays from 0 in a new root branch.
        let branches = m.engine.branches().len();
        m.apply(Msg::LessonNext);
        assert_eq!(m.engine.branches().len(), branches + 1);
        assert_eq!(m.engine.now_ms(), 0);
        assert!(m.engine.head().scenario().ensemble.variants.is_empty());
        m.apply(Msg::LessonNext); // jump
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        m.apply(Msg::LessonPick(1));
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("no"));

        // Step 4: a try_it, skipped: the default crashes the leader.
        m.apply(Msg::LessonNext);
        assert_eq!(phase(&m), "trying");
        let old = leader(&m).unwrap();
        m.apply(Msg::LessonSkip);
        assert_eq!(phase(&m), "asking");
        assert!(!m.lesson.as_ref().unwrap().acted);
        assert_eq!(m.engine.sim().server(old).unwrap().state, "DOWN");
        m.apply(Msg::LessonPick(0));
        run(&mut m);
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("2"));
        assert_eq!(m.engine.now_ms(), 36_000);

        // The end: the course outline (no lesson after this one).
        m.apply(Msg::LessonNext);
        assert!(m.course_open && m.done.contains("fixture"));
    }

    #[test]
    fn the_answer_comes_from_the_learners_run_and_rewinding_drops_it() {
        let mut m = model();
        m.apply(Msg::LessonLink(LessonLink {
            id: "fixture".into(),
            step: 4,
        }));
        assert_eq!((phase(&m), m.engine.now_ms()), ("trying", 30_000));
        let l = leader(&m).unwrap();
        let other = if l == 1 { 2 } else { 1 };
        // The learner crashes a follower instead of the leader.
        m.apply(Msg::Crash(other));
        assert_eq!(phase(&m), "asking");
        assert!(m.lesson.as_ref().unwrap().acted);
        m.apply(Msg::LessonNext);
        run(&mut m);
        let p = m.lesson.as_ref().unwrap();
        assert_eq!(p.answer, Some(l.to_string()), "the old leader still leads");
        let marked = p.current().question.as_ref().unwrap().choices[p.correct().unwrap()]
            .value
            .clone();
        assert_eq!(marked, l.to_string());
        // R: the step from its start, without the crash (a new branch).
        let branches = m.engine.branches().len();
        m.apply(Msg::LessonRewind);
        assert_eq!((phase(&m), m.engine.now_ms()), ("trying", 30_000));
        assert_eq!(m.engine.branches().len(), branches + 1);
        assert_ne!(m.engine.sim().server(other).unwrap().state, "DOWN");
        assert!(m.engine.live());
        // Back: step 3's start (same moment, asking again).
        m.apply(Msg::LessonBack);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        assert_eq!(m.lesson.as_ref().unwrap().step, 2);
        // Back to the first step: the museum run (its own root branch).
        m.apply(Msg::LessonGoto(0));
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 1500));
        assert_eq!(m.engine.head().scenario().ensemble.variants.len(), 1);
        // Forward again: the runs are the lesson's.
        m.apply(Msg::LessonNext);
        m.apply(Msg::LessonNext);
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("2"));
    }

    #[test]
    fn broken_lesson_links_say_why() {
        let mut m = model();
        m.apply(Msg::LessonLink(LessonLink {
            id: "nope".into(),
            step: 1,
        }));
        assert!(m.lesson.is_none());
        let n = m.notice.clone().unwrap();
        assert!(n.error && n.text.contains("“nope”"), "{}", n.text);
        m.apply(Msg::LessonLink(LessonLink {
            id: "fixture".into(),
            step: 9,
        }));
        assert_eq!(m.lesson.as_ref().unwrap().step, 3);
        assert!(m.notice.as_ref().unwrap().text.contains("has no step 9"));
        // A link before the course arrives waits for it.
        let mut m = Model::opening().unwrap();
        m.apply(Msg::LessonLink(LessonLink {
            id: "fixture".into(),
            step: 2,
        }));
        assert!(m.lesson.is_none());
        m.apply(Msg::CourseIndex(Ok(vec!["fixture.json".into()])));
        m.apply(Msg::LessonText("fixture.json".into(), Ok(FIXTURE.into())));
        assert_eq!(m.lesson.as_ref().unwrap().step, 1);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        // No course at all.
        let mut m = Model::opening().unwrap();
        m.apply(Msg::LessonLink(LessonLink {
            id: "fixture".into(),
            step: 1,
        }));
        m.apply(Msg::CourseIndex(Err("HTTP 404".into())));
        assert!(m.notice.unwrap().text.contains("HTTP 404"));
    }

    #[test]
    fn loading_a_scenario_leaves_the_lesson_but_keeps_the_course() {
        let mut m = model();
        m.apply(Msg::OpenLesson("fixture".into(), 0));
        m.apply(Msg::NewEnsemble);
        assert!(m.lesson.is_none());
        assert_eq!(m.course.lessons.len(), 1);
    }
}
