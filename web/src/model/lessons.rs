//! The course and the lesson being played: the course index and lesson
//! files as they arrive, lesson links (followed once the course is
//! read), and the lesson's controls (Next, Back, R, the outline, a pick,
//! Skip, close). It drives the pure [`Player`] on the engine and applies
//! what the player says to the app: play or pause, the moment shown, the
//! panel the highlight is about, messages for the user.
//!
//! It never decides a lesson's phases itself (the player's), and it
//! changes the run only by the lesson's own scenario, its variants, the
//! try_its' default actions and the player's rewinds.

use std::rc::Rc;

use zablab_core::lesson::{self, Highlight, Lesson};

use crate::course::LessonLink;
use crate::i18n::{trf, T};
use crate::model::{Model, Tab};
use crate::player::{Phase, Player, Run};

/// The course's and the lesson's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum LessonMsg {
    /// Shows or hides the course outline.
    ToggleCourse,
    /// The course's index (`lessons/index.json`) arrived, or why not.
    CourseIndex(Result<Vec<String>, String>),
    /// A lesson file arrived (its name, its text or why not).
    Text(String, Result<String, String>),
    /// Opens a lesson (its id) at a step (0-based).
    Open(String, usize),
    /// A lesson link in the URL: opened once the course is read.
    Link(LessonLink),
    /// Space / Next: finish the run, skip, reveal, or the next step.
    Next,
    Back,
    /// R: the current step from its start.
    Rewind,
    /// A step already reached, from its start (the outline).
    Goto(usize),
    /// The learner's choice (index) in the question.
    Pick(usize),
    /// The try_it's default actions.
    Skip,
    Close,
}

impl LessonMsg {
    /// May open a lesson (a new run) or take the try_it's actions.
    pub fn replaces_run(&self) -> bool {
        use LessonMsg::*;
        matches!(self, Open(..) | Link(_) | Text(..) | Next | Skip)
    }
}

impl Model {
    pub(super) fn lesson_msg(&mut self, msg: LessonMsg) {
        match msg {
            LessonMsg::ToggleCourse => self.course_open = !self.course_open,
            LessonMsg::CourseIndex(r) => {
                self.course.index(r);
                self.follow_link();
            }
            LessonMsg::Text(file, r) => {
                self.course.add(&file, r);
                self.follow_link();
            }
            LessonMsg::Link(link) => {
                self.pending_link = Some(link);
                self.follow_link();
            }
            LessonMsg::Open(id, step) => {
                self.course_open = false;
                if let Some(l) = self.course.find(&id) {
                    self.open_lesson(l, step);
                }
            }
            LessonMsg::Next => self.lesson_next(),
            LessonMsg::Back => {
                if let Some(k) = self.lesson.as_ref().map(|p| p.step.saturating_sub(1)) {
                    self.lesson_goto(k);
                }
            }
            LessonMsg::Rewind => {
                if let Some(k) = self.lesson.as_ref().map(|p| p.step) {
                    self.lesson_goto(k);
                }
            }
            LessonMsg::Goto(k) => self.lesson_goto(k),
            LessonMsg::Pick(i) => {
                if self.lesson.as_mut().is_some_and(|p| p.pick(i)) {
                    self.reveal(true);
                }
            }
            LessonMsg::Skip => self.lesson_skip(),
            LessonMsg::Close => {
                self.lesson = None;
                self.playing = false;
            }
        }
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
        self.lesson.as_ref().and_then(Player::goal)
    }

    /// Opens the lesson a link asked for, once the course is read.
    fn follow_link(&mut self) {
        if !self.course.ready() {
            return;
        }
        let Some(link) = self.pending_link.take() else {
            return;
        };
        if let Some(e) = &self.course.error {
            let text = trf(self.lang, T::CourseUnavailable, &[e]);
            return self.say(text, true);
        }
        let Some(lesson) = self.course.find(&link.id) else {
            let text = trf(self.lang, T::NoSuchLesson, &[&link.id]);
            return self.say(text, true);
        };
        let n = lesson.steps.len();
        self.open_lesson(lesson, link.step.min(n) - 1);
        if link.step > n {
            let text = trf(
                self.lang,
                T::NoSuchStep,
                &[&link.id, &link.step.to_string(), &n.to_string()],
            );
            self.say(text, true);
        }
    }

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

    fn player(&mut self) -> &mut Player {
        self.lesson.as_mut().expect("a lesson is open")
    }

    /// Shows step `k` (after a run to its moment, animated or at once).
    fn enter(&mut self, k: usize, animate: bool) {
        self.playing = false;
        self.target = None;
        let (variants, at_ms) = self.player().begin(k);
        if let Some(flags) = &variants {
            let p = self.lesson.as_ref().expect("a lesson is open");
            if let Err(e) = p.switch_flags(&mut self.engine, k, flags) {
                self.say(e, true);
            }
            self.after_jump();
        }
        let goal = at_ms.unwrap_or(self.engine.now_ms());
        self.run_to(goal, false, animate);
    }

    /// Runs to `goal` (never backwards), then arrives (or reveals).
    fn run_to(&mut self, goal: u64, reveal: bool, animate: bool) {
        let p = self.lesson.as_mut().expect("a lesson is open");
        match p.run_to(&mut self.engine, goal, reveal, animate) {
            Run::Playing => {
                self.playing = true;
                return;
            }
            Run::Jumped => {
                self.vt = self.engine.now_ms() as f64;
                self.announce_violations();
            }
            Run::Here => {}
        }
        self.arrive(reveal);
    }

    /// The frame clock reached the lesson run's goal.
    pub(super) fn lesson_goal_reached(&mut self) {
        let reveal = matches!(
            self.lesson_phase(),
            Some(Phase::Running { reveal: true, .. })
        );
        self.arrive(reveal);
    }

    /// The run got to its goal (from `frame`, or a jump).
    fn arrive(&mut self, reveal: bool) {
        let p = self.lesson.as_mut().expect("a lesson is open");
        p.arrive(&self.engine, reveal);
        self.focus_highlight();
    }

    /// Opens the panel the highlight is about (the log for a log line,
    /// the invariants for a property, the clients for a client, the
    /// inspector of the first server for a zxid).
    fn focus_highlight(&mut self) {
        let Some(h) = self.lesson_highlight().cloned() else {
            return;
        };
        if h.log.is_some() {
            self.tab = Tab::Log;
            self.log_server = None;
        } else if h.property.is_some() {
            self.tab = Tab::Invariants;
        } else if let Some(c) = h.client {
            self.tab = Tab::Clients;
            self.clients.op_client = c;
        } else if let (Some(_), Some(&s)) = (&h.zxid, h.servers.first()) {
            self.tab = Tab::Server;
            self.selected = Some(s);
        }
    }

    /// Space / Next: finish a run, skip a try_it, reveal, or go on.
    fn lesson_next(&mut self) {
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

    fn reveal(&mut self, animate: bool) {
        let now = self.engine.now_ms();
        if let Some(goal) = self.lesson.as_ref().and_then(|p| p.reveal_at(now)) {
            self.run_to(goal, true, animate);
        }
    }

    /// Skip: the try_it's default actions, at the shown moment.
    fn lesson_skip(&mut self) {
        let Some(defaults) = self.lesson.as_mut().and_then(Player::skip_actions) else {
            return;
        };
        let mut all = true;
        for a in &defaults {
            let done = match lesson::parse_live_action(a) {
                Ok(kind) => self.act_ok(kind),
                Err(e) => {
                    self.say(e, true);
                    false
                }
            };
            if !done {
                all = false;
                break;
            }
        }
        self.player().skipped(all);
    }

    /// The learner acted (any control): a try_it is done, and later
    /// steps will be reached again from this run.
    pub(super) fn lesson_acted(&mut self) {
        if let Some(p) = &mut self.lesson {
            p.learner_acted();
        }
    }

    /// Shows step `k`'s start again (a step already reached).
    fn lesson_goto(&mut self, k: usize) {
        let Some(p) = &self.lesson else { return };
        if k > p.reached {
            return;
        }
        let (lesson, reached) = (p.lesson.clone(), p.reached);
        self.playing = false;
        self.target = None;
        let p = self.lesson.as_mut().expect("a lesson is open");
        if !p.rewind(&mut self.engine, k) {
            // Its branch is gone (only the newest are kept): replay the
            // lesson to that step.
            self.open_lesson(lesson, k);
            self.player().reached = reached;
            return;
        }
        self.after_jump();
        self.arrive(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::tests::FIXTURE;
    use crate::model::{FaultMsg, FileMsg};

    /// A model with the fixture as its course.
    fn model() -> Model {
        let mut m = Model::opening().unwrap();
        m.apply(LessonMsg::CourseIndex(Ok(vec!["fixture.json".into()])).into());
        m.apply(LessonMsg::Text("fixture.json".into(), Ok(FIXTURE.into())).into());
        assert!(m.course.ready());
        m
    }

    fn phase(m: &Model) -> &'static str {
        m.lesson_phase().unwrap().name()
    }

    /// Frames at 100x until the lesson's run stops (arrives, or a
    /// violation pauses it).
    fn run(m: &mut Model) {
        m.apply(crate::model::TransportMsg::SetSpeed(100.0).into());
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

    fn link(id: &str, step: usize) -> LessonMsg {
        LessonMsg::Link(LessonLink {
            id: id.into(),
            step,
        })
    }

    #[test]
    fn a_lesson_runs_to_each_step_and_reveals_what_the_simulation_answers() {
        let mut m = model();
        m.apply(LessonMsg::Open("fixture".into(), 0).into());
        assert_eq!(phase(&m), "running");
        assert!(m.playing && m.engine.now_ms() == 0);
        run(&mut m);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 1500));
        assert_eq!(m.lesson_highlight().unwrap().servers, [1, 2]);
        // A wrong pick: the run goes on to the reveal, the probe answers.
        m.apply(LessonMsg::Pick(0).into());
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
        m.apply(LessonMsg::Next.into());
        run(&mut m);
        assert_eq!(phase(&m), "running", "paused by the violation");
        assert!(!m.engine.sim().violations().is_empty());
        m.apply(LessonMsg::Next.into());
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        m.apply(LessonMsg::Next.into()); // no pick: reveal at once (no reveal_at_ms)
        assert_eq!(phase(&m), "revealed");
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("yes"));
        assert_eq!(m.tab, Tab::Invariants);

        // Step 3: variants [] replays from 0 in a new root branch.
        let branches = m.engine.branches().len();
        m.apply(LessonMsg::Next.into());
        assert_eq!(m.engine.branches().len(), branches + 1);
        assert_eq!(m.engine.now_ms(), 0);
        assert!(m.engine.head().scenario().ensemble.variants.is_empty());
        m.apply(LessonMsg::Next.into()); // jump
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        m.apply(LessonMsg::Pick(1).into());
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("no"));

        // Step 4: a try_it, skipped: the default crashes the leader.
        m.apply(LessonMsg::Next.into());
        assert_eq!(phase(&m), "trying");
        let old = leader(&m).unwrap();
        m.apply(LessonMsg::Skip.into());
        assert_eq!(phase(&m), "asking");
        assert!(!m.lesson.as_ref().unwrap().acted);
        assert_eq!(m.engine.sim().server(old).unwrap().state, "DOWN");
        m.apply(LessonMsg::Pick(0).into());
        run(&mut m);
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("2"));
        assert_eq!(m.engine.now_ms(), 36_000);

        // The end: the course outline (no lesson after this one).
        m.apply(LessonMsg::Next.into());
        assert!(m.course_open && m.done.contains("fixture"));
    }

    #[test]
    fn the_answer_comes_from_the_learners_run_and_rewinding_drops_it() {
        let mut m = model();
        m.apply(link("fixture", 4).into());
        assert_eq!((phase(&m), m.engine.now_ms()), ("trying", 30_000));
        let l = leader(&m).unwrap();
        let other = if l == 1 { 2 } else { 1 };
        // The learner crashes a follower instead of the leader.
        m.apply(FaultMsg::Crash(other).into());
        assert_eq!(phase(&m), "asking");
        assert!(m.lesson.as_ref().unwrap().acted);
        m.apply(LessonMsg::Next.into());
        run(&mut m);
        let p = m.lesson.as_ref().unwrap();
        assert_eq!(p.answer, Some(l.to_string()), "the old leader still leads");
        let marked = p.current().question.as_ref().unwrap().choices[p.correct().unwrap()]
            .value
            .clone();
        assert_eq!(marked, l.to_string());
        // R: the step from its start, without the crash (a new branch).
        let branches = m.engine.branches().len();
        m.apply(LessonMsg::Rewind.into());
        assert_eq!((phase(&m), m.engine.now_ms()), ("trying", 30_000));
        assert_eq!(m.engine.branches().len(), branches + 1);
        assert_ne!(m.engine.sim().server(other).unwrap().state, "DOWN");
        assert!(m.engine.live());
        // Back: step 3's start (same moment, asking again).
        m.apply(LessonMsg::Back.into());
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        assert_eq!(m.lesson.as_ref().unwrap().step, 2);
        // Back to the first step: the museum run (its own root branch).
        m.apply(LessonMsg::Goto(0).into());
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 1500));
        assert_eq!(m.engine.head().scenario().ensemble.variants.len(), 1);
        // Forward again: the runs are the lesson's.
        m.apply(LessonMsg::Next.into());
        m.apply(LessonMsg::Next.into());
        assert_eq!(m.lesson.as_ref().unwrap().answer.as_deref(), Some("2"));
    }

    #[test]
    fn broken_lesson_links_say_why() {
        let mut m = model();
        m.apply(link("nope", 1).into());
        assert!(m.lesson.is_none());
        let n = m.notice.clone().unwrap();
        assert!(n.error && n.text.contains("“nope”"), "{}", n.text);
        m.apply(link("fixture", 9).into());
        assert_eq!(m.lesson.as_ref().unwrap().step, 3);
        assert!(m.notice.as_ref().unwrap().text.contains("has no step 9"));
        // A link before the course arrives waits for it.
        let mut m = Model::opening().unwrap();
        m.apply(link("fixture", 2).into());
        assert!(m.lesson.is_none());
        m.apply(LessonMsg::CourseIndex(Ok(vec!["fixture.json".into()])).into());
        m.apply(LessonMsg::Text("fixture.json".into(), Ok(FIXTURE.into())).into());
        assert_eq!(m.lesson.as_ref().unwrap().step, 1);
        assert_eq!((phase(&m), m.engine.now_ms()), ("asking", 30_000));
        // No course at all.
        let mut m = Model::opening().unwrap();
        m.apply(link("fixture", 1).into());
        m.apply(LessonMsg::CourseIndex(Err("HTTP 404".into())).into());
        assert!(m.notice.unwrap().text.contains("HTTP 404"));
    }

    #[test]
    fn loading_a_scenario_leaves_the_lesson_but_keeps_the_course() {
        let mut m = model();
        m.apply(LessonMsg::Open("fixture".into(), 0).into());
        m.apply(FileMsg::NewEnsemble.into());
        assert!(m.lesson.is_none());
        assert_eq!(m.course.lessons.len(), 1);
    }
}
