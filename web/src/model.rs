//! The app's state and its reducer: pure logic, no DOM, testable
//! natively. A user action becomes a scenario action on the simulation at
//! the shown moment (`Engine::act` → `Simulation::act`), so the session
//! stays a replayable scenario; the UI state (speed, selection, forms,
//! language) lives beside it. Browser effects (frames, downloads, files,
//! the URL) are the `app` component's.
//!
//! One reducer per area, each in its own file with its message enum, its
//! part of the state and its tests; [`Model::apply`] only dispatches:
//! - `transport`: play, pause, step, speed, seek, branches and the frame
//!   clock; pausing on a violation, announcing hazards;
//! - `faults`: the inspector's server controls (crash, restart, pause,
//!   slow disk, crash the leader) and its four-letter-word console;
//! - `network`: partitions (with clients' sides), one-way cuts, slow
//!   links, drops;
//! - `clients`: sessions, reads, writes, the client API's operations,
//!   recipes and load;
//! - `lessons`: the course and the lesson being played (it drives the
//!   pure [`Player`] state machine on the engine);
//! - `files`: where a run comes from (presets, files, links, the
//!   new-ensemble form);
//! - `view`: what is shown (selection, tab, language, presenter mode,
//!   help, diagram window, log filter, notices, a diagnosis finding);
//! - `import`: a real ensemble's logs read in the page (the "Import
//!   logs" dialog) and whether the views show that imported run
//!   ([`crate::imported::Imported`]) or the simulation.
//!
//! This file keeps what every area shares: the state, the messages'
//! dispatch, taking an action at the shown moment, and replacing the run.
//! It must never touch the DOM or compute protocol state (the core's).

use std::collections::BTreeSet;

use zablab_core::proto::Sid;
use zablab_core::server::Level;
use zablab_core::{ActionError, ActionKind, Scenario};

use crate::course::{Course, LessonLink};
use crate::engine::Engine;
use crate::i18n::{trf, Lang, T};
use crate::imported::Imported;
use crate::player::Player;
use crate::presets::Preset;
use crate::setup::Setup;

mod clients;
mod faults;
mod files;
mod import;
mod lessons;
mod network;
#[cfg(test)]
mod testkit;
mod transport;
mod view;

pub use clients::{recipe_path, ClientForm, ClientMsg, READ_OPS};
pub use faults::{FaultForm, FaultMsg, FourLwLine};
pub use files::{FileMsg, SetupField, Source, AT_END};
pub use import::{ImportForm, ImportMsg, Picked};
pub use lessons::LessonMsg;
pub use network::{NetForm, NetMsg};
pub use transport::{TransportMsg, SPEEDS};
pub use view::{DiagFocus, Pages, Tab, ViewMsg, WINDOWS_MS};

/// What the user can do (and the frame clock), by area.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Transport(TransportMsg),
    Fault(FaultMsg),
    Net(NetMsg),
    Client(ClientMsg),
    Lesson(LessonMsg),
    File(FileMsg),
    View(ViewMsg),
    Import(ImportMsg),
}

macro_rules! area {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for Msg {
            fn from(m: $ty) -> Msg {
                Msg::$variant(m)
            }
        }
    )*};
}
area!(
    Transport(TransportMsg),
    Fault(FaultMsg),
    Net(NetMsg),
    Client(ClientMsg),
    Lesson(LessonMsg),
    File(FileMsg),
    View(ViewMsg),
    Import(ImportMsg)
);

impl Msg {
    /// Takes an action on the run (or picks another branch): the app then
    /// keeps the run for a panic report.
    pub fn acts(&self) -> bool {
        match self {
            Msg::Transport(m) => m.acts(),
            Msg::Fault(m) => m.acts(),
            Msg::Net(m) => m.acts(),
            Msg::Client(m) => m.acts(),
            Msg::Lesson(_) | Msg::File(_) | Msg::View(_) | Msg::Import(_) => false,
        }
    }

    /// May replace the run (a file, a link, the form, a lesson): the app
    /// keeps the new one for a panic report and forgets its share link.
    pub fn replaces_run(&self) -> bool {
        match self {
            Msg::File(m) => m.replaces_run(),
            Msg::Lesson(m) => m.replaces_run(),
            _ => false,
        }
    }
}

/// A message for the user: already in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
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
    /// The wasm memory (MB) at which a playing run pauses with a warning
    /// (`transport::MEMORY_WARN_MB`; `?memory-warn-mb=N` for tests), and
    /// whether this run was warned.
    pub memory_warn_mb: u32,
    pub memory_warned: bool,
    pub lang: Lang,
    pub presenter: bool,
    pub help: bool,
    /// The first visit's welcome is open.
    pub welcome: bool,
    /// The lesson step's pages in presenter mode (`view.rs`).
    pub pages: Pages,
    pub tab: Tab,
    pub window_ms: u64,
    pub log_server: Option<Sid>,
    pub log_level: Level,
    /// Violations of the shown state already announced.
    pub seen: usize,
    /// Violations of the frontier already announced.
    pub head_seen: usize,
    pub focus: Option<usize>,
    /// The server controls' fields (`faults.rs`).
    pub faults: FaultForm,
    /// The network tab's fields (`network.rs`).
    pub net: NetForm,
    /// The clients tab's fields (`clients.rs`).
    pub clients: ClientForm,
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
    /// The "Import logs" dialog (`import.rs`).
    pub import: ImportForm,
    /// The imported run, once read.
    pub imported: Option<Imported>,
    /// The views show the imported run (not the simulation).
    pub showing_import: bool,
    /// The imported run's shown moment (ms after its first line).
    pub import_vt: f64,
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
        ActionError::UnknownWord(w) => trf(lang, T::ErrUnknownWord, &[w]),
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

    /// The speed the forming ensemble plays at: its leader is established
    /// at about 0.7 s of virtual time, seven seconds on the wall, each
    /// message a fraction of a second in flight.
    pub const FORMING_SPEED: f64 = 0.1;

    /// The opening ensemble at 0 ms, playing slowly: a first visit sees
    /// it elect its leader.
    pub fn forming() -> Result<Model, String> {
        let mut m = Model::with(Setup::default().scenario())?;
        m.speed = Model::FORMING_SPEED;
        m.playing = true;
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
            memory_warn_mb: transport::MEMORY_WARN_MB,
            memory_warned: false,
            lang: Lang::En,
            presenter: false,
            help: false,
            welcome: false,
            pages: Pages::default(),
            tab: Tab::Server,
            window_ms: 2_000,
            log_server: None,
            log_level: Level::Info,
            seen: 0,
            head_seen: 0,
            focus: None,
            faults: FaultForm::default(),
            net: NetForm::new(first, second),
            clients: ClientForm::new(first),
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
            import: ImportForm::default(),
            imported: None,
            showing_import: false,
            import_vt: 0.0,
        })
    }

    /// Applies one message: its area's reducer.
    pub fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Transport(m) => self.transport(m),
            Msg::Fault(m) => self.fault(m),
            Msg::Net(m) => self.network(m),
            Msg::Client(m) => self.client(m),
            Msg::Lesson(m) => self.lesson_msg(m),
            Msg::File(m) => self.file(m),
            Msg::View(m) => self.view(m),
            Msg::Import(m) => self.import_msg(m),
        }
    }

    /// Computes straight to `t` (no budget) and shows it.
    pub fn settle_at(&mut self, t: u64) {
        self.engine.seek(t, &mut || true);
        self.after_jump();
    }

    /// The shown moment: the imported run's while it is shown, else the
    /// simulation's.
    pub fn shown_vt(&self) -> f64 {
        if self.showing_import {
            self.import_vt
        } else {
            self.vt
        }
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

    /// Replaces the run by a fresh one on `scenario` at 0 ms, keeping the
    /// user's settings (language, presenter, speed, …) and what was
    /// fetched (presets, course); leaves any lesson.
    pub(crate) fn replace(&mut self, scenario: Scenario) -> Result<(), String> {
        let mut m = Model::with(scenario)?;
        m.lang = self.lang;
        m.memory_warn_mb = self.memory_warn_mb;
        m.presenter = self.presenter;
        m.speed = self.speed;
        m.window_ms = self.window_ms;
        m.engine.set_context_ms(m.window_ms);
        m.setup = self.setup.clone();
        m.generation = self.generation + 1;
        m.presets = std::mem::take(&mut self.presets);
        m.presets_error = self.presets_error.take();
        m.course = std::mem::take(&mut self.course);
        m.done = std::mem::take(&mut self.done);
        m.pending_link = self.pending_link.take();
        // An import stays (the replay is shown beside it).
        m.import = std::mem::take(&mut self.import);
        m.imported = self.imported.take();
        *self = m;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_forming_ensemble_plays_its_election_slowly() {
        let mut m = Model::forming().unwrap();
        assert!(m.playing && m.engine.now_ms() == 0);
        let wall = |m: &mut Model, seconds: usize| {
            for _ in 0..seconds * 60 {
                m.frame(1000.0 / 60.0, &mut || true);
            }
        };
        // Three seconds of wall time: still electing, votes in flight.
        wall(&mut m, 3);
        assert!(m.engine.sim().established_leader().is_none());
        assert!((290..=300).contains(&m.engine.now_ms()));
        // Ten seconds: a leader, established in front of the class.
        wall(&mut m, 7);
        assert!(m.engine.sim().established_leader().is_some());
        assert!((990..=1000).contains(&m.engine.now_ms()));
    }

    #[test]
    fn messages_that_act_or_replace_the_run_are_told_apart() {
        let acts: [Msg; 6] = [
            FaultMsg::Crash(1).into(),
            NetMsg::Heal.into(),
            ClientMsg::Connect.into(),
            ClientMsg::Close("c1".into()).into(),
            TransportMsg::SelectBranch(0).into(),
            FaultMsg::CrashLeader.into(),
        ];
        for m in &acts {
            assert!(m.acts() && !m.replaces_run(), "{m:?}");
        }
        let replaces: [Msg; 3] = [
            FileMsg::NewEnsemble.into(),
            LessonMsg::Next.into(),
            LessonMsg::Skip.into(),
        ];
        for m in &replaces {
            assert!(m.replaces_run() && !m.acts(), "{m:?}");
        }
        let neither: [Msg; 6] = [
            FaultMsg::FourLw(1, "srvr".into()).into(),
            FaultMsg::SetDiskMs(5).into(),
            NetMsg::SetSlowMs(5).into(),
            ClientMsg::OpClient("c1".into()).into(),
            TransportMsg::Play.into(),
            ViewMsg::ToggleHelp.into(),
        ];
        for m in &neither {
            assert!(!m.acts() && !m.replaces_run(), "{m:?}");
        }
    }
}
