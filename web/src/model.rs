//! The app's state and its one reducer: pure logic, no DOM, testable
//! natively. A user action becomes a scenario action on the simulation at
//! the shown moment (`Engine::act` → `Simulation::act`), so the session
//! stays a replayable scenario; the UI state (speed, selection, forms,
//! language) lives beside it. Browser effects (frames, downloads, files,
//! the URL) are the `app` component's.

use std::collections::{BTreeMap, BTreeSet};

use zablab_core::proto::Sid;
use zablab_core::scenario::{MultiOp, RecipeKind};
use zablab_core::server::Level;
use zablab_core::{ActionError, ActionKind, Scenario, ServerRef};

use crate::course::{Course, LessonLink};
use crate::engine::Engine;
use crate::i18n::{tr, trf, Lang, T};
use crate::player::Player;
use crate::presets::Preset;
use crate::setup::Setup;

/// Where a scenario came from (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Preset,
    File,
    Link,
    Setup,
}

/// The panels of the side area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Server,
    Network,
    Clients,
    Log,
    Invariants,
    Diagnosis,
}

/// A diagnosis finding the user clicked: what the cluster view marks.
/// A copy, so it stays while the diagnosis changes with time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagFocus {
    pub id: &'static str,
    pub server: Option<Sid>,
    pub servers: Vec<Sid>,
    /// `(from, to)` of the finding's links.
    pub links: Vec<(Sid, Sid)>,
}

/// The ZooKeeper read calls the clients panel offers.
pub const READ_OPS: [&str; 3] = ["get", "exists", "children"];

/// A recipe's default path: `/lock`, `/election`, ...
pub fn recipe_path(k: RecipeKind) -> String {
    format!("/{}", k.name())
}

/// `Msg::Load` at this moment: the scenario's end (`until_ms`; an export
/// ends at its frontier).
pub const AT_END: u64 = u64::MAX;

pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];
pub const WINDOWS_MS: [u64; 7] = [100, 500, 2_000, 5_000, 20_000, 60_000, 300_000];

/// What the user can do (and the frame clock).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    TogglePlay,
    Play,
    Pause,
    StepForward,
    StepBack,
    SetSpeed(f64),
    FasterSlower(bool),
    Seek(u64),
    SeekEvent(u64),
    /// Wall-clock time since the last frame (the app measures it).
    Frame(f64),
    Select(Option<Sid>),
    Tab(Tab),
    SetLang(Lang),
    TogglePresenter,
    ToggleHelp,
    SetWindow(u64),
    LogServer(Option<Sid>),
    LogLevel(Level),
    DismissNotice,
    FocusViolation(usize),
    Crash(Sid),
    Restart(Sid),
    PauseServer(Sid),
    SlowDisk(Sid),
    CrashLeader,
    SetPauseSecs(u64),
    SetDiskMs(u64),
    GroupOf(Sid, u8),
    ApplyPartition,
    Heal,
    SetLinkFrom(Sid),
    SetLinkTo(Sid),
    SetSlowMs(u64),
    Cut,
    SlowLink,
    DropNext,
    SetClientName(String),
    SetClientServer(Sid),
    Connect,
    SetWriteCount(u64),
    Write(String),
    SetReadPath(String),
    SetReadOp(&'static str),
    Read(String),
    Close(String),
    /// The client the operations act on.
    OpClient(String),
    /// A read that leaves a one-shot watch.
    ReadWatch(String),
    Sync(String),
    CreateSequential(String),
    /// `multi`: create the path, and check `check_path`'s version.
    Multi(String),
    SetCheckPath(String),
    SetCheckVersion(u64),
    SetRecipe(RecipeKind),
    SetRecipePath(String),
    SetHoldMs(u64),
    SetRepeat(bool),
    SetBarrierSize(u64),
    RunRecipe(String),
    SetLoadWrites(u64),
    SetLoadReads(u64),
    SetLoadSecs(u64),
    /// A steady load from the client (`load` with `rate_per_s` and
    /// `reads_per_s`).
    StartLoad(String),
    /// The side of a partition a client is put on (None: it reaches every
    /// server).
    ClientGroup(String, Option<u8>),
    /// Marks (or unmarks) a diagnosis finding's servers and links.
    FocusFinding(Option<DiagFocus>),
    FourLw(Sid, String),
    SelectBranch(usize),
    ToggleSetup,
    /// One field of the new-ensemble form (applied to the current form, so
    /// two quick edits never undo each other).
    SetupField(SetupField, u64),
    NewEnsemble,
    /// A scenario text to open, and the moment to show (None: 0 ms).
    Load {
        source: Source,
        json: String,
        at: Option<u64>,
    },
    /// Opening a scenario failed before its text was read.
    LoadFailed(Source, String),
    /// The preset list (`scenarios/index.json`) arrived, or why not.
    Presets(Result<Vec<Preset>, String>),
    Notice(String),
    /// Shows or hides the course outline.
    ToggleCourse,
    /// The course's index (`lessons/index.json`) arrived, or why not.
    CourseIndex(Result<Vec<String>, String>),
    /// A lesson file arrived (its name, its text or why not).
    LessonText(String, Result<String, String>),
    /// Opens a lesson (its id) at a step (0-based).
    OpenLesson(String, usize),
    /// A lesson link in the URL: opened once the course is read.
    LessonLink(LessonLink),
    /// Space / Next: finish the run, skip, reveal, or the next step.
    LessonNext,
    LessonBack,
    /// R: the current step from its start.
    LessonRewind,
    /// A step already reached, from its start (the outline).
    LessonGoto(usize),
    /// The learner's choice (index) in the question.
    LessonPick(usize),
    /// The try_it's default actions.
    LessonSkip,
    CloseLesson,
}

/// A field of the new-ensemble form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupField {
    Voters,
    Observers,
    Seed,
    LatencyMin,
    LatencyMax,
}

/// A message for the user: already in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// A 4lw typed in the console and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FourLwLine {
    pub sid: Sid,
    pub cmd: String,
    pub at_ms: u64,
    pub output: String,
}

/// The app's state.
pub struct Model {
    pub engine: Engine,
    pub title: String,
    pub playing: bool,
    pub speed: f64,
    /// The shown virtual time, fractional ms (messages are drawn at it).
    pub vt: f64,
    /// A moment being computed towards (a load, a seek far ahead).
    pub target: Option<u64>,
    /// The simulation could not keep up with the speed in the last frame.
    pub lagging: bool,
    pub selected: Option<Sid>,
    pub notice: Option<Notice>,
    pub lang: Lang,
    pub presenter: bool,
    pub help: bool,
    pub tab: Tab,
    pub window_ms: u64,
    pub log_server: Option<Sid>,
    pub log_level: Level,
    /// Violations of the shown state already announced.
    pub seen: usize,
    /// Violations of the frontier already announced.
    pub head_seen: usize,
    pub focus: Option<usize>,
    pub groups: BTreeMap<Sid, u8>,
    pub pause_secs: u64,
    pub disk_ms: u64,
    pub link_from: Sid,
    pub link_to: Sid,
    pub slow_ms: u64,
    pub client_name: String,
    pub client_server: Sid,
    pub write_count: u64,
    pub read_path: String,
    pub read_op: &'static str,
    /// The client the operations act on ("" until one is picked: the
    /// first live one).
    pub op_client: String,
    pub check_path: String,
    pub check_version: u64,
    pub recipe: RecipeKind,
    pub recipe_path: String,
    pub hold_ms: u64,
    pub repeat: bool,
    pub barrier_size: u64,
    pub load_writes: u64,
    pub load_reads: u64,
    pub load_secs: u64,
    /// Clients placed on a partition's side (group 0..3).
    pub client_groups: BTreeMap<String, u8>,
    pub diag_focus: Option<DiagFocus>,
    /// Hazards of the shown run already announced.
    pub hazards_seen: usize,
    pub console: Vec<FourLwLine>,
    pub setup_open: bool,
    pub setup: Setup,
    /// Bumped whenever the run was replaced (components reset caches).
    pub generation: u64,
    pub presets: Vec<Preset>,
    /// Why the preset list could not be read (shown in the picker; not an
    /// alert: the app works without it).
    pub presets_error: Option<String>,
    /// The lessons (`lessons/index.json` and the files it lists).
    pub course: Course,
    pub course_open: bool,
    /// The lesson being played (`player.rs`).
    pub lesson: Option<Player>,
    /// A lesson link waiting for the course to be read.
    pub pending_link: Option<LessonLink>,
    /// Lessons finished in this session (marked in the outline).
    pub done: BTreeSet<String>,
}

/// An action error in the user's language.
pub fn action_error(lang: Lang, e: &ActionError) -> String {
    match e {
        ActionError::UnknownServer(s) => trf(lang, T::ErrUnknownServer, &[&s.to_string()]),
        ActionError::AlreadyUp(s) => trf(lang, T::ErrAlreadyUp, &[&s.to_string()]),
        ActionError::AlreadyDown(s) => trf(lang, T::ErrAlreadyDown, &[&s.to_string()]),
        ActionError::NoLeader(t) => trf(lang, T::ErrNoLeader, &[&crate::fmt_ms(*t)]),
        ActionError::NoServing(t) => trf(lang, T::ErrNoServing, &[&crate::fmt_ms(*t)]),
        ActionError::UnknownClient(c) => trf(lang, T::ErrUnknownClient, &[c]),
        ActionError::ClientExists(c) => trf(lang, T::ErrClientExists, &[c]),
        ActionError::ClientGone(c, why) => trf(lang, T::ErrClientGone, &[c, why]),
        ActionError::AlreadyPaused(s) => trf(lang, T::ErrAlreadyPaused, &[&s.to_string()]),
        ActionError::NotSimulated(a) => trf(lang, T::ErrNotSimulated, &[a]),
        ActionError::RecipeRunning(c, p) => trf(lang, T::ErrRecipeRunning, &[c, p]),
        // An error the core adds before this table knows it: its own text.
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

impl Model {
    /// Virtual time the app opens at: FLE has settled.
    pub const OPENING_MS: u64 = 2000;

    /// The opening ensemble (the set-up form's defaults), settled.
    pub fn opening() -> Result<Model, String> {
        let mut m = Model::with(Setup::default().scenario())?;
        m.settle_at(Model::OPENING_MS);
        Ok(m)
    }

    /// A model on `scenario` at 0 ms, paused.
    pub fn with(scenario: Scenario) -> Result<Model, String> {
        let title = scenario.name.clone();
        let first = scenario.sids().min().unwrap_or(1);
        let second = scenario
            .sids()
            .filter(|&s| s != first)
            .min()
            .unwrap_or(first);
        let engine = Engine::new(scenario)?;
        Ok(Model {
            engine,
            title,
            playing: false,
            speed: 0.5,
            vt: 0.0,
            target: None,
            lagging: false,
            selected: None,
            notice: None,
            lang: Lang::En,
            presenter: false,
            help: false,
            tab: Tab::Server,
            window_ms: 2_000,
            log_server: None,
            log_level: Level::Info,
            seen: 0,
            head_seen: 0,
            focus: None,
            groups: BTreeMap::new(),
            pause_secs: 12,
            disk_ms: 2000,
            link_from: first,
            link_to: second,
            slow_ms: 500,
            client_name: "c1".to_string(),
            client_server: first,
            write_count: 5,
            read_path: "/".to_string(),
            read_op: READ_OPS[0],
            op_client: String::new(),
            check_path: "/".to_string(),
            check_version: 0,
            recipe: RecipeKind::Lock,
            recipe_path: recipe_path(RecipeKind::Lock),
            hold_ms: 5000,
            repeat: true,
            barrier_size: 2,
            load_writes: 100,
            load_reads: 100,
            load_secs: 10,
            client_groups: BTreeMap::new(),
            diag_focus: None,
            hazards_seen: 0,
            console: Vec::new(),
            setup_open: false,
            setup: Setup::default(),
            generation: 0,
            presets: Vec::new(),
            presets_error: None,
            course: Course::default(),
            course_open: false,
            lesson: None,
            pending_link: None,
            done: BTreeSet::new(),
        })
    }

    /// Computes straight to `t` (no budget) and shows it.
    pub fn settle_at(&mut self, t: u64) {
        self.engine.seek(t, &mut || true);
        self.after_jump();
    }

    /// Whether frames are needed (playing or computing).
    pub fn busy(&self) -> bool {
        self.playing || self.target.is_some()
    }

    pub(crate) fn after_jump(&mut self) {
        self.vt = self.engine.now_ms() as f64;
        self.seen = self.engine.sim().violations().len();
        self.head_seen = self.engine.head().violations().len();
        self.hazards_seen = self.engine.sim().hazards().len();
    }

    /// Says (without pausing) that the shown run just met a hazard:
    /// ZooKeeper behaviour an application must know, not a bug.
    pub(crate) fn check_hazards(&mut self) {
        let hazards = self.engine.sim().hazards();
        if let Some(h) = hazards.get(self.hazards_seen) {
            let text = trf(
                self.lang,
                T::HazardFound,
                &[h.kind, &crate::fmt_ms(h.at_ms)],
            );
            if self.notice.as_ref().is_none_or(|n| !n.error) {
                self.say(text, false);
            }
        }
        self.hazards_seen = self.engine.sim().hazards().len();
    }

    /// The client the operations act on: the one picked, else the first
    /// with a session.
    pub fn op_client(&self) -> Option<String> {
        let clients = self.engine.sim().clients_view();
        let live = |c: &&zablab_core::sim::ClientView| !matches!(c.state, "CLOSED" | "EXPIRED");
        clients
            .iter()
            .filter(live)
            .find(|c| c.name == self.op_client)
            .or_else(|| clients.iter().find(live))
            .map(|c| c.name.clone())
    }

    /// `p` if it is a znode path, else says why not.
    fn path_ok(&mut self, p: &str) -> Option<String> {
        let p = p.trim();
        let valid = p.starts_with('/') && !p.contains("//") && (p.len() == 1 || !p.ends_with('/'));
        if valid {
            Some(p.to_string())
        } else {
            self.say(trf(self.lang, T::BadPath, &[p]), true);
            None
        }
    }

    fn read(&mut self, client: String, watch: bool) {
        if let Some(path) = self.path_ok(&self.read_path.clone()) {
            self.act(ActionKind::Read {
                client,
                path,
                op: (self.read_op != READ_OPS[0]).then(|| self.read_op.to_string()),
                count: 1,
                watch,
            });
        }
    }

    pub(crate) fn say(&mut self, text: String, error: bool) {
        self.notice = Some(Notice { text, error });
    }

    fn act(&mut self, kind: ActionKind) {
        self.act_ok(kind);
    }

    /// Takes a user action at the shown moment; false (and said) when the
    /// core refuses it.
    pub(crate) fn act_ok(&mut self, kind: ActionKind) -> bool {
        self.target = None;
        match self.engine.act(kind) {
            Ok(fork) => {
                if let Some(id) = fork.filter(|_| self.lesson.is_none()) {
                    // (In a lesson, back and try-its fork all the time:
                    // the branch picker says it, a notice would be noise.)
                    self.say(
                        trf(
                            self.lang,
                            T::Forked,
                            &[&id.to_string(), &crate::fmt_ms(self.engine.now_ms())],
                        ),
                        false,
                    );
                } else if self.notice.as_ref().is_some_and(|n| n.error) {
                    self.notice = None;
                }
                self.after_jump();
                self.check_violations();
                self.lesson_acted();
                true
            }
            Err(e) => {
                let text = action_error(self.lang, &e);
                self.say(text, true);
                false
            }
        }
    }

    /// Pauses on a violation the shown run (or the frontier) just reached,
    /// showing the state right after the event that broke the property.
    pub(crate) fn check_violations(&mut self) {
        let shown = self.engine.sim().violations().len();
        let head = self.engine.head().violations().len();
        let new_head = head > self.head_seen;
        self.head_seen = head;
        if shown > self.seen || new_head {
            let index = if shown > self.seen {
                self.seen
            } else {
                head - 1
            };
            let v = if shown > self.seen {
                self.engine.sim().violations()[index].clone()
            } else {
                self.engine.head().violations()[index].clone()
            };
            self.playing = false;
            self.target = None;
            self.engine.seek_event(v.event);
            self.vt = self.engine.now_ms() as f64;
            self.focus = Some(index);
            self.tab = Tab::Invariants;
            if let Some(&s) = v.servers.first() {
                self.selected = Some(s);
            }
            self.say(
                trf(
                    self.lang,
                    T::ViolationFound,
                    &[&v.property, &crate::fmt_ms(v.at_ms)],
                ),
                true,
            );
        }
        self.seen = self.engine.sim().violations().len();
    }

    /// After a jump: says that the run broke a property on the way (the
    /// Invariants tab has the Go button), without moving.
    pub(crate) fn announce_violations(&mut self) {
        let head = self.engine.head().violations();
        if head.len() > self.head_seen {
            let (index, v) = (self.head_seen, head[self.head_seen].clone());
            self.focus = Some(index);
            self.tab = Tab::Invariants;
            self.say(
                trf(
                    self.lang,
                    T::ViolationOnTheWay,
                    &[&v.property, &crate::fmt_ms(v.at_ms)],
                ),
                true,
            );
        }
        self.head_seen = self.engine.head().violations().len();
        self.seen = self.engine.sim().violations().len();
    }

    /// One animation frame: `wall_dt_ms` of wall time passed; `more()` says
    /// whether there is time left in this frame for more simulation.
    pub fn frame(&mut self, wall_dt_ms: f64, more: &mut dyn FnMut() -> bool) {
        let dt = wall_dt_ms.clamp(0.0, 100.0);
        self.lagging = false;
        if let Some(t) = self.target {
            // A jump (a link's moment, a file's end, a far seek) goes where
            // it was asked to; violations found on the way are announced.
            if self.engine.seek(t, more) {
                self.target = None;
                self.vt = t as f64;
                self.announce_violations();
            } else {
                self.vt = self.engine.now_ms() as f64;
            }
        } else if self.playing {
            // A lesson's run stops at its goal, at least as fast as it
            // must to get there in RUN_WALL_MS.
            let goal = self.lesson_goal();
            let speed = goal.map_or(self.speed, |(_, min)| self.speed.max(min));
            let mut want = self.vt + dt * speed;
            if let Some((g, _)) = goal {
                want = want.min(g as f64);
            }
            if self.engine.seek(want.floor() as u64, more) {
                self.vt = want;
            } else {
                self.vt = self.engine.now_ms() as f64;
                self.lagging = true;
            }
            self.check_violations();
            self.check_hazards();
            if let (Some((g, _)), true) = (goal, self.playing) {
                if self.engine.now_ms() >= g {
                    self.playing = false;
                    let reveal = matches!(
                        self.lesson_phase(),
                        Some(crate::player::Phase::Running { reveal: true, .. })
                    );
                    self.arrive(reveal);
                }
            }
        }
    }

    /// Replaces the run by a fresh one on `scenario` at 0 ms, keeping the
    /// user's settings (language, presenter, speed, …) and what was
    /// fetched (presets, course); leaves any lesson.
    pub(crate) fn replace(&mut self, scenario: Scenario) -> Result<(), String> {
        let mut m = Model::with(scenario)?;
        m.lang = self.lang;
        m.presenter = self.presenter;
        m.speed = self.speed;
        m.window_ms = self.window_ms;
        m.setup = self.setup.clone();
        m.generation = self.generation + 1;
        m.presets = std::mem::take(&mut self.presets);
        m.presets_error = self.presets_error.take();
        m.course = std::mem::take(&mut self.course);
        m.done = std::mem::take(&mut self.done);
        m.pending_link = self.pending_link.take();
        *self = m;
        Ok(())
    }

    /// Loads a scenario text; on any error the current run stays.
    fn load(&mut self, source: Source, json: &str, at: Option<u64>) {
        let parsed = Scenario::from_json(json).map_err(|e| e.to_string());
        match parsed.and_then(|s| self.replace(s)) {
            Ok(()) => {
                let end = self.engine.head().scenario().until_ms;
                self.target = at.map(|t| t.min(end)).filter(|&t| t > 0);
                let text = trf(self.lang, T::Loaded, &[&self.title]);
                self.say(text, false);
            }
            Err(e) => {
                let what = match source {
                    Source::Link => T::BadLink,
                    Source::File => T::BadFile,
                    Source::Preset | Source::Setup => T::BadScenario,
                };
                self.say(trf(self.lang, what, &[&e]), true);
            }
        }
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

    /// Applies one message.
    pub fn apply(&mut self, msg: Msg) {
        let sim_sids: Vec<Sid> = self.engine.sim().servers().iter().map(|s| s.sid).collect();
        match msg {
            Msg::TogglePlay => {
                self.playing = !self.playing;
                self.target = None;
            }
            Msg::Play => {
                self.playing = true;
                self.target = None;
            }
            Msg::Pause => {
                self.playing = false;
                self.target = None;
            }
            Msg::StepForward => {
                self.playing = false;
                self.target = None;
                self.engine.step_forward();
                self.vt = self.engine.now_ms() as f64;
                self.check_violations();
                self.check_hazards();
            }
            Msg::StepBack => {
                self.playing = false;
                self.target = None;
                self.engine.step_back();
                self.after_jump();
            }
            Msg::SetSpeed(s) => self.speed = s.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
            Msg::FasterSlower(faster) => {
                let i = SPEEDS.iter().position(|&s| s >= self.speed).unwrap_or(0);
                let j = if faster {
                    (i + 1).min(SPEEDS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.speed = SPEEDS[j];
            }
            Msg::Seek(t) => {
                self.playing = false;
                // Within what is computed: at once. Beyond: frame by frame.
                if t <= self.engine.frontier_ms() || t <= self.engine.frontier_ms() + 2_000 {
                    self.target = None;
                    self.engine.seek(t, &mut || true);
                    self.after_jump();
                } else {
                    self.target = Some(t);
                }
            }
            Msg::SeekEvent(n) => {
                self.playing = false;
                self.target = None;
                self.engine.seek_event(n);
                self.after_jump();
            }
            Msg::Frame(dt) => self.frame(dt, &mut || true),
            Msg::Select(s) => {
                self.selected = s;
                if s.is_some() {
                    self.tab = Tab::Server;
                }
            }
            Msg::Tab(t) => self.tab = t,
            Msg::SetLang(l) => self.lang = l,
            Msg::TogglePresenter => self.presenter = !self.presenter,
            Msg::ToggleHelp => self.help = !self.help,
            Msg::SetWindow(w) => {
                self.window_ms = w.clamp(WINDOWS_MS[0], WINDOWS_MS[WINDOWS_MS.len() - 1])
            }
            Msg::LogServer(s) => self.log_server = s,
            Msg::LogLevel(l) => self.log_level = l,
            Msg::DismissNotice => {
                self.notice = None;
                self.course_open = false;
            }
            Msg::FocusViolation(i) => {
                if let Some(v) = self.engine.head().violations().get(i).cloned() {
                    self.focus = Some(i);
                    self.playing = false;
                    self.target = None;
                    self.engine.seek_event(v.event);
                    self.after_jump();
                    self.selected = v.servers.first().copied().or(self.selected);
                }
            }
            Msg::Crash(s) => self.act(ActionKind::Crash {
                server: ServerRef::Sid(s),
            }),
            Msg::Restart(s) => self.act(ActionKind::Restart {
                server: ServerRef::Sid(s),
            }),
            Msg::PauseServer(s) => self.act(ActionKind::Pause {
                server: ServerRef::Sid(s),
                for_ms: self.pause_secs.max(1) * 1000,
            }),
            Msg::SlowDisk(s) => self.act(ActionKind::SlowDisk {
                server: ServerRef::Sid(s),
                fsync_ms: self.disk_ms,
            }),
            Msg::CrashLeader => self.act(ActionKind::Crash {
                server: ServerRef::Leader,
            }),
            Msg::SetPauseSecs(v) => self.pause_secs = v.clamp(1, 3600),
            Msg::SetDiskMs(v) => self.disk_ms = v.min(600_000),
            Msg::GroupOf(s, g) => {
                self.groups.insert(s, g.min(2));
            }
            Msg::ApplyPartition => {
                let mut groups: Vec<Vec<Sid>> = vec![Vec::new(); 3];
                for &s in &sim_sids {
                    let g = self.groups.get(&s).copied().unwrap_or(0) as usize;
                    groups[g].push(s);
                }
                // Clients go with their group, wherever it lands once the
                // empty groups are dropped.
                let mut clients: Vec<Vec<String>> = vec![Vec::new(); 3];
                let live: Vec<String> = self
                    .engine
                    .sim()
                    .clients_view()
                    .into_iter()
                    .filter(|c| !matches!(c.state, "CLOSED" | "EXPIRED"))
                    .map(|c| c.name)
                    .collect();
                for (name, &g) in &self.client_groups {
                    if live.contains(name) {
                        clients[g as usize].push(name.clone());
                    }
                }
                if let Some(g) = (0..3).find(|&g| groups[g].is_empty() && !clients[g].is_empty()) {
                    let letter = ((b'A' + g as u8) as char).to_string();
                    self.say(
                        trf(self.lang, T::ClientSideEmpty, &[&clients[g][0], &letter]),
                        true,
                    );
                    return;
                }
                let (groups, mut clients): (Vec<_>, Vec<_>) = groups
                    .into_iter()
                    .zip(clients)
                    .filter(|(g, _)| !g.is_empty())
                    .unzip();
                while clients.last().is_some_and(|c| c.is_empty()) {
                    clients.pop();
                }
                if groups.len() < 2 {
                    self.say(tr(self.lang, T::PartitionNeedsTwo).to_string(), true);
                } else {
                    self.act(ActionKind::Partition { groups, clients });
                }
            }
            Msg::Heal => {
                self.groups.clear();
                self.client_groups.clear();
                self.act(ActionKind::Heal);
            }
            Msg::ClientGroup(name, g) => match g {
                Some(g) => {
                    self.client_groups.insert(name, g.min(2));
                }
                None => {
                    self.client_groups.remove(&name);
                }
            },
            Msg::SetLinkFrom(s) => self.link_from = s,
            Msg::SetLinkTo(s) => self.link_to = s,
            Msg::SetSlowMs(v) => self.slow_ms = v.min(600_000),
            Msg::Cut | Msg::SlowLink | Msg::DropNext if self.link_from == self.link_to => {
                self.say(tr(self.lang, T::LinkNeedsTwo).to_string(), true);
            }
            Msg::Cut => self.act(ActionKind::Cut {
                from: self.link_from,
                to: self.link_to,
            }),
            Msg::SlowLink => self.act(ActionKind::SlowLink {
                from: self.link_from,
                to: self.link_to,
                latency_ms: self.slow_ms,
            }),
            Msg::DropNext => self.act(ActionKind::Drop {
                from: self.link_from,
                to: self.link_to,
            }),
            Msg::SetClientName(n) => {
                self.client_name = n.chars().filter(|c| !c.is_control()).take(24).collect()
            }
            Msg::SetClientServer(s) => self.client_server = s,
            Msg::Connect => {
                let name = self.client_name.trim().to_string();
                if name.is_empty() {
                    self.say(tr(self.lang, T::ClientNameNeeded).to_string(), true);
                    return;
                }
                self.act(ActionKind::Connect {
                    client: name,
                    server: ServerRef::Sid(self.client_server),
                    session_timeout_ms: Some(10_000),
                });
                if self.notice.as_ref().is_none_or(|n| !n.error) {
                    self.client_name = next_client_name(&self.client_name);
                }
            }
            Msg::SetWriteCount(n) => self.write_count = n.clamp(1, 1000),
            Msg::Write(client) => self.act(ActionKind::Write {
                client: Some(client),
                count: self.write_count,
                op: None,
                path: None,
                data: None,
                version: None,
            }),
            Msg::SetReadPath(p) => self.read_path = p,
            Msg::SetReadOp(op) => self.read_op = op,
            Msg::Read(client) => self.read(client, false),
            Msg::ReadWatch(client) => self.read(client, true),
            Msg::OpClient(c) => self.op_client = c,
            Msg::Sync(client) => {
                if let Some(path) = self.path_ok(&self.read_path.clone()) {
                    self.act(ActionKind::Sync { client, path });
                }
            }
            Msg::CreateSequential(client) => {
                if let Some(path) = self.path_ok(&self.read_path.clone()) {
                    self.act(ActionKind::Write {
                        client: Some(client),
                        count: self.write_count,
                        op: Some("create_sequential".to_string()),
                        path: Some(path),
                        data: None,
                        version: None,
                    });
                }
            }
            Msg::Multi(client) => {
                let (Some(path), Some(check)) = (
                    self.path_ok(&self.read_path.clone()),
                    self.path_ok(&self.check_path.clone()),
                ) else {
                    return;
                };
                let op = |op: &str, path: String, version| MultiOp {
                    op: op.to_string(),
                    path,
                    data: None,
                    version,
                };
                let version = self.check_version.min(i32::MAX as u64) as i32;
                self.act(ActionKind::Multi {
                    client,
                    ops: vec![op("create", path, None), op("check", check, Some(version))],
                });
            }
            Msg::SetCheckPath(p) => self.check_path = p,
            Msg::SetCheckVersion(v) => self.check_version = v.min(i32::MAX as u64),
            Msg::SetRecipe(k) => {
                // A path still at the old kind's default follows the kind.
                if self.recipe_path == recipe_path(self.recipe) {
                    self.recipe_path = recipe_path(k);
                }
                self.recipe = k;
            }
            Msg::SetRecipePath(p) => self.recipe_path = p,
            Msg::SetHoldMs(v) => self.hold_ms = v.clamp(1, 3_600_000),
            Msg::SetRepeat(b) => self.repeat = b,
            Msg::SetBarrierSize(n) => self.barrier_size = n.clamp(1, 100),
            Msg::RunRecipe(client) => {
                let Some(path) = self.path_ok(&self.recipe_path.clone()) else {
                    return;
                };
                let k = self.recipe;
                let lock = k == RecipeKind::Lock;
                self.act(ActionKind::Recipe {
                    client,
                    recipe: k,
                    path,
                    hold_ms: lock.then_some(self.hold_ms),
                    size: (k == RecipeKind::Barrier).then_some(self.barrier_size as u32),
                    repeat: lock && self.repeat,
                });
            }
            Msg::SetLoadWrites(n) => self.load_writes = n.min(5000),
            Msg::SetLoadReads(n) => self.load_reads = n.min(5000),
            Msg::SetLoadSecs(n) => self.load_secs = n.clamp(1, 3600),
            Msg::StartLoad(client) => {
                if self.load_writes == 0 && self.load_reads == 0 {
                    self.say(tr(self.lang, T::LoadNeedsRate).to_string(), true);
                } else {
                    self.act(ActionKind::Load {
                        client,
                        rate_per_s: self.load_writes,
                        for_ms: self.load_secs * 1000,
                        reads_per_s: self.load_reads,
                    });
                }
            }
            Msg::FocusFinding(f) => {
                let same = f.as_ref().is_some_and(|f| {
                    self.diag_focus
                        .as_ref()
                        .is_some_and(|d| d.id == f.id && d.server == f.server)
                });
                self.diag_focus = if same { None } else { f };
            }
            Msg::Close(client) => self.act(ActionKind::Close { client }),
            Msg::FourLw(sid, cmd) => {
                let cmd = cmd.trim().to_string();
                if cmd.is_empty() {
                    return;
                }
                let sim = self.engine.sim();
                let output = match sim.four_letter_word_now(sid, &cmd) {
                    Ok(out) if out.is_empty() => tr(self.lang, T::NoAnswerPaused).to_string(),
                    Ok(out) => out,
                    Err(e) => action_error(self.lang, &e),
                };
                self.console.push(FourLwLine {
                    sid,
                    cmd,
                    at_ms: sim.now_ms(),
                    output,
                });
                if self.console.len() > 20 {
                    self.console.remove(0);
                }
            }
            Msg::SelectBranch(id) => {
                if self.engine.select_branch(id) {
                    self.playing = false;
                    self.target = None;
                    self.after_jump();
                }
            }
            Msg::ToggleSetup => self.setup_open = !self.setup_open,
            Msg::SetupField(f, v) => {
                let s = &mut self.setup;
                match f {
                    SetupField::Voters => s.voters = v as usize,
                    SetupField::Observers => s.observers = v as usize,
                    SetupField::Seed => s.seed = v,
                    SetupField::LatencyMin => s.latency_ms[0] = v,
                    SetupField::LatencyMax => s.latency_ms[1] = v,
                }
            }
            Msg::NewEnsemble => {
                let json = self.setup.scenario().to_json();
                let setup = self.setup.clone();
                self.load(Source::Setup, &json, None);
                self.setup = setup;
                self.setup_open = false;
            }
            Msg::Load { source, json, at } => self.load(source, &json, at),
            Msg::LoadFailed(source, e) => {
                let what = match source {
                    Source::Link => T::BadLink,
                    Source::File => T::BadFile,
                    _ => T::BadScenario,
                };
                self.say(trf(self.lang, what, &[&e]), true);
            }
            Msg::Notice(text) => self.say(text, false),
            Msg::Presets(Ok(p)) => self.presets = p,
            Msg::Presets(Err(e)) => self.presets_error = Some(e),
            Msg::ToggleCourse => self.course_open = !self.course_open,
            Msg::CourseIndex(r) => {
                self.course.index(r);
                self.follow_link();
            }
            Msg::LessonText(file, r) => {
                self.course.add(&file, r);
                self.follow_link();
            }
            Msg::LessonLink(link) => {
                self.pending_link = Some(link);
                self.follow_link();
            }
            Msg::OpenLesson(id, step) => {
                self.course_open = false;
                if let Some(l) = self.course.find(&id) {
                    self.open_lesson(l, step);
                }
            }
            Msg::LessonNext => self.lesson_next(),
            Msg::LessonBack => self.lesson_back(),
            Msg::LessonRewind => self.lesson_rewind(),
            Msg::LessonGoto(k) => self.lesson_goto(k),
            Msg::LessonPick(i) => self.lesson_pick(i),
            Msg::LessonSkip => self.lesson_skip(),
            Msg::CloseLesson => self.close_lesson(),
        }
    }
}

/// c1 → c2, load → load2.
fn next_client_name(name: &str) -> String {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    let n: u64 = num.parse().unwrap_or(1);
    format!("{stem}{}", n.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeks and runs frames until the seek is done.
    fn seek(m: &mut Model, t: u64) {
        m.apply(Msg::Seek(t));
        while m.target.is_some() {
            m.frame(16.0, &mut || true);
        }
        assert_eq!(m.engine.now_ms(), t);
    }

    #[test]
    fn opening_has_a_settled_ensemble_of_three() {
        let m = Model::opening().unwrap();
        let servers = m.engine.sim().servers();
        assert_eq!(servers.iter().map(|s| s.sid).collect::<Vec<_>>(), [1, 2, 3]);
        let mut states: Vec<&str> = servers.iter().map(|s| s.state.as_str()).collect();
        states.sort();
        assert_eq!(states, ["FOLLOWING", "FOLLOWING", "LEADING"]);
        assert!(m.engine.sim().established_leader().is_some());
        assert_eq!(m.engine.now_ms(), Model::OPENING_MS);
    }

    #[test]
    fn crash_then_restart_goes_through_the_core() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Crash(2));
        assert!(!m.engine.sim().server(2).unwrap().up);
        assert_eq!(
            m.engine.export().actions.len(),
            2,
            "recorded as a scenario action"
        );
        seek(&mut m, 3000);
        m.apply(Msg::Restart(2));
        assert!(m.engine.sim().server(2).unwrap().up);
        let o = Model::OPENING_MS;
        let crash_at = m.engine.export().actions[1].at_ms;
        assert!((o..=o + 1).contains(&crash_at), "{crash_at}");
        assert_eq!(m.notice, None);
    }

    #[test]
    fn a_refused_action_is_shown_not_applied() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Restart(1));
        assert_eq!(
            m.notice.as_ref().map(|n| n.text.as_str()),
            Some("Server 1 is already running.")
        );
        assert_eq!(m.engine.export().actions.len(), 1);
    }

    #[test]
    fn crashing_the_leader_elects_another_in_a_new_epoch() {
        let mut m = Model::opening().unwrap();
        let old = m.engine.sim().established_leader().unwrap();
        let epoch = m.engine.sim().server(old).unwrap().current_epoch;
        m.apply(Msg::CrashLeader);
        seek(&mut m, 8000);
        let new = m.engine.sim().established_leader().unwrap();
        assert_ne!(new, old);
        assert!(m.engine.sim().server(new).unwrap().current_epoch > epoch);
        // Back before the crash: the old leader again.
        seek(&mut m, 1990);
        assert_eq!(m.engine.sim().established_leader(), Some(old));
    }

    #[test]
    fn playing_advances_virtual_time_by_wall_time_times_speed() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::SetSpeed(2.0));
        m.apply(Msg::Play);
        m.frame(16.0, &mut || true);
        m.frame(16.0, &mut || true);
        assert!((m.vt - (Model::OPENING_MS as f64 + 64.0)).abs() < 1e-9);
        assert_eq!(m.engine.now_ms(), Model::OPENING_MS + 64);
        // A long pause of the page does not jump far ahead.
        m.frame(10_000.0, &mut || true);
        assert!((m.vt - (Model::OPENING_MS as f64 + 264.0)).abs() < 1e-9);
    }

    #[test]
    fn a_bad_scenario_keeps_the_current_run() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Crash(1));
        let before = m.engine.sim().trace_hash();
        m.apply(Msg::Load {
            source: Source::File,
            json: "{\"zablab\": 2}".to_string(),
            at: None,
        });
        let n = m.notice.clone().unwrap();
        assert!(n.error && n.text.contains("zablab"), "{}", n.text);
        assert_eq!(m.engine.sim().trace_hash(), before);
    }

    #[test]
    fn a_museum_violation_pauses_the_run_at_the_breaking_event() {
        let json = include_str!("../../static/scenarios/museum/bug_zk2845_no_fast_forward.json");
        let mut m = preset(json);
        m.apply(Msg::SetSpeed(100.0));
        m.apply(Msg::Play);
        for _ in 0..100_000 {
            m.frame(100.0, &mut || true);
            if !m.playing {
                break;
            }
        }
        assert!(!m.playing, "paused by the violation");
        let v = m.engine.sim().violations();
        assert_eq!(m.focus, Some(0));
        assert_eq!(
            m.engine.sim().events(),
            v[0].event,
            "shown right after the event"
        );
        assert_eq!(m.tab, Tab::Invariants);
    }

    #[test]
    fn a_jump_goes_where_asked_and_announces_violations_on_the_way() {
        let json = include_str!("../../static/scenarios/museum/bug_zk2845_no_fast_forward.json");
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Load {
            source: Source::File,
            json: json.to_string(),
            at: Some(AT_END),
        });
        let end = m.engine.head().scenario().until_ms;
        assert_eq!(m.target, Some(end));
        while m.target.is_some() {
            m.frame(16.0, &mut || true);
        }
        assert_eq!(
            m.engine.now_ms(),
            end,
            "at the file's end, not at the violation"
        );
        assert!(!m.engine.sim().violations().is_empty());
        let n = m.notice.clone().unwrap();
        assert!(
            n.error && n.text.contains("see the Invariants tab"),
            "{}",
            n.text
        );
        assert_eq!(m.focus, Some(0));
        // Go jumps to it.
        m.apply(Msg::FocusViolation(0));
        assert_eq!(
            m.engine.sim().events(),
            m.engine.head().violations()[0].event
        );
    }

    #[test]
    fn the_setup_form_builds_the_ensemble_asked_for() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::SetupField(SetupField::Voters, 5));
        m.apply(Msg::SetupField(SetupField::Observers, 2));
        m.apply(Msg::NewEnsemble);
        let s = m.engine.head().scenario();
        assert_eq!(s.ensemble.participants, [1, 2, 3, 4, 5]);
        assert_eq!(s.ensemble.observers, [6, 7]);
        assert_eq!(m.engine.now_ms(), 0);
    }

    /// The app with a preset scenario loaded, at 0 ms.
    fn preset(json: &str) -> Model {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Load {
            source: Source::Preset,
            json: json.to_string(),
            at: None,
        });
        m
    }

    /// Runs frames at 100x until `until_ms` is shown (or a violation
    /// pauses the run).
    fn play_to(m: &mut Model, until_ms: u64) {
        m.apply(Msg::SetSpeed(100.0));
        m.apply(Msg::Play);
        while m.playing && m.engine.now_ms() < until_ms {
            m.frame(100.0, &mut || true);
        }
        m.apply(Msg::Pause);
    }

    fn last_action(m: &Model) -> ActionKind {
        m.engine.export().actions.last().unwrap().kind.clone()
    }

    #[test]
    fn client_operations_become_the_cores_actions() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Connect);
        m.apply(Msg::Connect);
        assert_eq!(
            m.op_client().as_deref(),
            Some("c1"),
            "the first live client"
        );
        m.apply(Msg::OpClient("c2".into()));
        assert_eq!(m.op_client().as_deref(), Some("c2"));
        seek(&mut m, 2500);
        m.apply(Msg::SetReadPath("/x".into()));
        m.apply(Msg::SetReadOp("exists"));
        m.apply(Msg::ReadWatch("c2".into()));
        assert_eq!(
            last_action(&m),
            ActionKind::Read {
                client: "c2".into(),
                path: "/x".into(),
                op: Some("exists".into()),
                count: 1,
                watch: true
            }
        );
        m.apply(Msg::Sync("c2".into()));
        assert!(matches!(last_action(&m), ActionKind::Sync { path, .. } if path == "/x"));
        m.apply(Msg::SetCheckVersion(0));
        m.apply(Msg::Multi("c1".into()));
        match last_action(&m) {
            ActionKind::Multi { client, ops } => {
                assert_eq!(client, "c1");
                assert_eq!((ops[0].op.as_str(), ops[0].path.as_str()), ("create", "/x"));
                assert_eq!((ops[1].op.as_str(), ops[1].version), ("check", Some(0)));
            }
            other => panic!("{other:?}"),
        }
        seek(&mut m, 3000);
        // The exists watch on /x fired when the multi created it.
        let w = m.engine.sim().watch_events();
        assert!(
            w.iter()
                .any(|w| w.client == "c2" && w.path == "/x" && w.event == "NodeCreated"),
            "{w:?}"
        );
        m.apply(Msg::SetReadPath("/job-".into()));
        m.apply(Msg::SetWriteCount(2));
        m.apply(Msg::CreateSequential("c1".into()));
        seek(&mut m, 3500);
        let seq: Vec<_> = m
            .engine
            .sim()
            .writes()
            .iter()
            .map(|w| w.path.clone())
            .collect();
        assert!(seq.contains(&"/job-0000000001".to_string()), "{seq:?}");
        // A recipe: the path follows the kind until the user edits it.
        m.apply(Msg::SetRecipe(RecipeKind::Barrier));
        assert_eq!(m.recipe_path, "/barrier");
        m.apply(Msg::SetRecipe(RecipeKind::Lock));
        m.apply(Msg::SetHoldMs(1000));
        m.apply(Msg::RunRecipe("c1".into()));
        m.apply(Msg::RunRecipe("c2".into()));
        assert_eq!(
            last_action(&m),
            ActionKind::Recipe {
                client: "c2".into(),
                recipe: RecipeKind::Lock,
                path: "/lock".into(),
                hold_ms: Some(1000),
                size: None,
                repeat: true
            }
        );
        seek(&mut m, 6000);
        let views = m.engine.sim().recipe_views();
        assert_eq!(views.iter().filter(|v| v.holds).count(), 1, "{views:?}");
        m.apply(Msg::SetLoadWrites(0));
        m.apply(Msg::SetLoadReads(0));
        m.apply(Msg::StartLoad("c2".into()));
        assert!(m
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("writes or reads per second"));
        m.apply(Msg::SetLoadReads(50));
        m.apply(Msg::SetLoadSecs(2));
        m.apply(Msg::StartLoad("c2".into()));
        assert_eq!(
            last_action(&m),
            ActionKind::Load {
                client: "c2".into(),
                rate_per_s: 0,
                for_ms: 2000,
                reads_per_s: 50
            }
        );
        // The same recipe twice on one path is refused, in words.
        m.apply(Msg::RunRecipe("c2".into()));
        assert!(m
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("already runs a recipe"));
        m.apply(Msg::SetReadPath("nope".into()));
        m.apply(Msg::Sync("c1".into()));
        assert!(m.notice.as_ref().unwrap().text.contains("not a znode path"));
    }

    #[test]
    fn a_partition_places_clients_on_their_side() {
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Connect);
        m.apply(Msg::Connect);
        m.apply(Msg::Connect);
        m.apply(Msg::GroupOf(1, 2));
        m.apply(Msg::ClientGroup("c1".into(), Some(2)));
        m.apply(Msg::ClientGroup("c2".into(), Some(0)));
        // Side B has no server: refused, said.
        m.apply(Msg::ClientGroup("c3".into(), Some(1)));
        m.apply(Msg::ApplyPartition);
        assert!(m
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("which has no server"));
        m.apply(Msg::ClientGroup("c3".into(), None));
        m.apply(Msg::ApplyPartition);
        assert_eq!(
            last_action(&m),
            ActionKind::Partition {
                groups: vec![vec![2, 3], vec![1]],
                clients: vec![vec!["c2".into()], vec!["c1".into()]],
            }
        );
        m.apply(Msg::Heal);
        assert!(m.client_groups.is_empty());
    }

    #[test]
    fn the_lock_hazard_is_announced_without_pausing() {
        let json = include_str!("../../static/scenarios/lock-fencing-hazard.json");
        let mut m = preset(json);
        m.apply(Msg::SetSpeed(100.0));
        m.apply(Msg::Play);
        let mut said = false;
        while m.engine.now_ms() < 40_000 {
            m.frame(100.0, &mut || true);
            said |= m
                .notice
                .as_ref()
                .is_some_and(|n| n.text.starts_with("Hazard LockHolderExpired"));
            assert!(m.playing, "a hazard does not pause");
        }
        assert!(said);
        assert_eq!(m.engine.sim().hazards()[0].kind, "LockHolderExpired");
        let b = m
            .engine
            .sim()
            .recipe_views()
            .into_iter()
            .find(|v| v.client == "b")
            .unwrap();
        assert!(b.holds, "{b:?}");
    }

    #[test]
    fn the_stale_sync_read_is_a_hazard_too() {
        let json = include_str!("../../static/scenarios/sync-stale-leader.json");
        let mut m = preset(json);
        play_to(&mut m, 20_000);
        let h = m.engine.sim().hazards();
        assert_eq!(h[0].kind, "SyncReadNotLinearizable", "{h:?}");
        assert!(m.engine.sim().violations().is_empty());
        assert!(m.engine.sim().reads().iter().any(|r| r.op == "sync"));
    }

    #[test]
    fn a_finding_is_marked_and_unmarked() {
        let json = include_str!("../../static/scenarios/node-failure-majority.json");
        let mut m = preset(json);
        play_to(&mut m, 15_000);
        let d = m.engine.sim().diagnose();
        let f = d.of("no_quorum").next().expect("no quorum at 15 s");
        let focus = DiagFocus {
            id: f.id,
            server: f.server,
            servers: f.servers.clone(),
            links: Vec::new(),
        };
        m.apply(Msg::FocusFinding(Some(focus.clone())));
        assert_eq!(m.diag_focus.as_ref(), Some(&focus));
        m.apply(Msg::FocusFinding(Some(focus)));
        assert_eq!(m.diag_focus, None, "a second click unmarks");
    }

    /// The diagnosis's cost on the one-hour load preset (run with
    /// `cargo test -p zablab-web --release -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn diagnosis_cost_on_the_one_hour_preset() {
        let json = include_str!("../../static/scenarios/load-1h-5srv.json");
        let mut e = Engine::new(Scenario::from_json(json).unwrap()).unwrap();
        for t in [60_000u64, 600_000, 1_800_000, 3_600_000] {
            e.seek(t, &mut || true);
            let t0 = std::time::Instant::now();
            let n = 20;
            let mut findings = 0;
            for _ in 0..n {
                findings = e.sim().diagnose().findings.len();
            }
            let per = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
            println!(
                "diagnose at {t} ms: {per:.3} ms per call, {findings} findings, {} events",
                e.sim().events()
            );
        }
    }

    #[test]
    fn client_names_count_up() {
        assert_eq!(next_client_name("c1"), "c2");
        assert_eq!(next_client_name("c9"), "c10");
        assert_eq!(next_client_name("load"), "load2");
    }
}
