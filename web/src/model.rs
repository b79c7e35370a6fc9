//! The app's state and its one reducer: pure logic, no DOM, testable
//! natively. A user action becomes a scenario action on the simulation at
//! the shown moment (`Engine::act` → `Simulation::act`), so the session
//! stays a replayable scenario; the UI state (speed, selection, forms,
//! language) lives beside it. Browser effects (frames, downloads, files,
//! the URL) are the `app` component's.

use std::collections::BTreeMap;

use zablab_core::proto::Sid;
use zablab_core::server::Level;
use zablab_core::{ActionError, ActionKind, Scenario, ServerRef};

use crate::engine::Engine;
use crate::i18n::{tr, trf, Lang, T};
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
    Read(String),
    Close(String),
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
    pub console: Vec<FourLwLine>,
    pub setup_open: bool,
    pub setup: Setup,
    /// Bumped whenever the run was replaced (components reset caches).
    pub generation: u64,
    pub presets: Vec<Preset>,
    /// Why the preset list could not be read (shown in the picker; not an
    /// alert: the app works without it).
    pub presets_error: Option<String>,
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
            console: Vec::new(),
            setup_open: false,
            setup: Setup::default(),
            generation: 0,
            presets: Vec::new(),
            presets_error: None,
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

    fn after_jump(&mut self) {
        self.vt = self.engine.now_ms() as f64;
        self.seen = self.engine.sim().violations().len();
        self.head_seen = self.engine.head().violations().len();
    }

    fn say(&mut self, text: String, error: bool) {
        self.notice = Some(Notice { text, error });
    }

    fn act(&mut self, kind: ActionKind) {
        self.target = None;
        match self.engine.act(kind) {
            Ok(fork) => {
                if let Some(id) = fork {
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
            }
            Err(e) => {
                let text = action_error(self.lang, &e);
                self.say(text, true);
            }
        }
    }

    /// Pauses on a violation the shown run (or the frontier) just reached,
    /// showing the state right after the event that broke the property.
    fn check_violations(&mut self) {
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
    fn announce_violations(&mut self) {
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
            return;
        } else if self.playing {
            let want = self.vt + dt * self.speed;
            if self.engine.seek(want.floor() as u64, more) {
                self.vt = want;
            } else {
                self.vt = self.engine.now_ms() as f64;
                self.lagging = true;
            }
        } else {
            return;
        }
        self.check_violations();
    }

    /// Loads a scenario text; on any error the current run stays.
    fn load(&mut self, source: Source, json: &str, at: Option<u64>) {
        let parsed = Scenario::from_json(json).map_err(|e| e.to_string());
        let next = parsed.and_then(Model::with);
        match next {
            Ok(mut m) => {
                m.lang = self.lang;
                m.presenter = self.presenter;
                m.speed = self.speed;
                m.window_ms = self.window_ms;
                m.setup = self.setup.clone();
                m.generation = self.generation + 1;
                m.presets = std::mem::take(&mut self.presets);
                m.presets_error = self.presets_error.take();
                let end = m.engine.head().scenario().until_ms;
                m.target = at.map(|t| t.min(end)).filter(|&t| t > 0);
                m.notice = Some(Notice {
                    text: trf(self.lang, T::Loaded, &[&m.title]),
                    error: false,
                });
                *self = m;
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
            Msg::DismissNotice => self.notice = None,
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
                groups.retain(|g| !g.is_empty());
                if groups.len() < 2 {
                    self.say(tr(self.lang, T::PartitionNeedsTwo).to_string(), true);
                } else {
                    self.act(ActionKind::Partition {
                        groups,
                        clients: Vec::new(),
                    });
                }
            }
            Msg::Heal => {
                self.groups.clear();
                self.act(ActionKind::Heal);
            }
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
            Msg::Read(client) => {
                let p = self.read_path.trim().to_string();
                let valid =
                    p.starts_with('/') && !p.contains("//") && (p.len() == 1 || !p.ends_with('/'));
                if !valid {
                    self.say(trf(self.lang, T::BadPath, &[&p]), true);
                    return;
                }
                self.act(ActionKind::Read {
                    client,
                    path: p,
                    op: None,
                    count: 1,
                    watch: false,
                });
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
        let mut m = Model::opening().unwrap();
        m.apply(Msg::Load {
            source: Source::Preset,
            json: json.to_string(),
            at: None,
        });
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

    #[test]
    fn client_names_count_up() {
        assert_eq!(next_client_name("c1"), "c2");
        assert_eq!(next_client_name("c9"), "c10");
        assert_eq!(next_client_name("load"), "load2");
    }
}
