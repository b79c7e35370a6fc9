//! "Import logs": a real ensemble's logs, zoo.cfg and four-letter-word
//! captures, read in the page (the app's `app/import.rs` streams the
//! files into the core's importer and sends what it read here). This
//! reducer keeps the dialog (open or not, the files and their progress,
//! what the browser could not read) and the imported run
//! ([`Imported`], the read-only view model every view draws from while
//! the import is shown). A new import replaces the previous one only
//! once it is read, so a failed or messy drop never loses what was
//! loaded: the app reads the earlier files again with the new ones.
//!
//! Showing the import never touches the engine: the simulation stays as
//! it was, and "Back to the simulator" shows it again.

use crate::i18n::{trf, T};
use crate::imported::Imported;
use crate::model::{Model, Tab, TransportMsg, ViewMsg, WINDOWS_MS};
use crate::replay::{Knob, Plan};

/// A file the user gave, as the dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub name: String,
    /// The bytes it gives the importer: its size on disk, or a `.gz`'s
    /// uncompressed size as its gzip trailer records it.
    pub bytes: u64,
    /// The server the user said it is (None: found by the core).
    pub sid: Option<u32>,
}

/// The dialog's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportForm {
    pub open: bool,
    pub picked: Vec<Picked>,
    /// Being read: the file and the bytes read of all files so far.
    pub reading: Option<(usize, u64)>,
    /// All read, being analysed: lines done, of how many.
    pub analysing: Option<(u64, u64)>,
    /// Files the browser could not read, and why (a `.gz` that is not gzip).
    pub unread: Vec<(String, String)>,
    /// The event log shows only lines containing this (any case).
    pub find: String,
    /// The replay being prepared (its dialog is open) or replayed.
    pub plan: Option<Plan>,
    pub plan_open: bool,
    /// The simulation shows a replay of the import (the comparison is
    /// shown beside it).
    pub replaying: bool,
}

impl ImportForm {
    /// All the files' bytes on disk.
    pub fn total(&self) -> u64 {
        self.picked.iter().map(|p| p.bytes).sum()
    }
}

/// The import's messages (the files themselves are the app's).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportMsg {
    /// Opens or closes the "Import logs" dialog.
    Toggle,
    /// These files are being read (all of them, again).
    Reading(Vec<Picked>),
    /// Bytes read so far, in file `file`.
    Progress { file: usize, read: u64 },
    /// All read; `done` of `of` lines analysed (events, then the
    /// summary, the diagnosis and the phases).
    Analysing { done: u64, of: u64 },
    /// The imported run, and the files the browser could not read.
    Read(Box<Imported>, Vec<(String, String)>),
    /// Shows the imported run (true) or the simulator (false).
    Show(bool),
    /// The event log's text filter.
    Find(String),
    /// "Replay in the simulator": the plan the logs support, in its dialog
    /// (closes it when open).
    ReplayPlan,
    /// Switches inference `i` on or off.
    ReplayToggle(usize),
    /// Moves inference `i` to this moment (ms after the first line).
    ReplayAt(usize, u64),
    /// Changes tickTime, initLimit or syncLimit.
    ReplayKnob(Knob, u64),
    /// Opens the plan's scenario in the simulator.
    Replay,
    /// Forgets the import.
    Clear,
}

impl Model {
    pub(super) fn import_msg(&mut self, msg: ImportMsg) {
        match msg {
            ImportMsg::Toggle => self.import.open = !self.import.open,
            ImportMsg::Reading(picked) => {
                self.import.picked = picked;
                self.import.reading = Some((0, 0));
                self.import.analysing = None;
                self.import.unread.clear();
            }
            ImportMsg::Progress { file, read } => self.import.reading = Some((file, read)),
            ImportMsg::Analysing { done, of } => self.import.analysing = Some((done, of)),
            ImportMsg::Read(run, unread) => self.imported_read(*run, unread),
            ImportMsg::Show(on) => {
                self.showing_import = on && self.imported.is_some();
                self.import.open = false;
                if self.showing_import {
                    self.playing = false;
                }
            }
            ImportMsg::Find(text) => self.import.find = text,
            ImportMsg::ReplayPlan => self.replay_plan(),
            ImportMsg::ReplayToggle(i) => {
                if let Some(p) = self.plan_mut() {
                    p.toggle(i);
                }
            }
            ImportMsg::ReplayAt(i, t) => {
                if let Some(p) = self.plan_mut() {
                    p.move_to(i, t);
                }
            }
            ImportMsg::ReplayKnob(k, v) => {
                if let Some(p) = self.plan_mut() {
                    p.set(k, v);
                }
            }
            ImportMsg::Replay => self.replay(),
            ImportMsg::Clear => {
                self.import = ImportForm::default();
                self.imported = None;
                self.showing_import = false;
            }
        }
    }

    fn imported_read(&mut self, run: Imported, unread: Vec<(String, String)>) {
        self.import.reading = None;
        self.import.analysing = None;
        self.import.unread = unread;
        let usable = !run.is_empty();
        // The dialog stays open while something needs saying (a problem,
        // a file the browser could not read, nothing usable).
        let clean = run.import.problems.is_empty() && self.import.unread.is_empty();
        self.imported = Some(run);
        if !usable {
            self.showing_import = false;
            return;
        }
        if !self.showing_import {
            self.tab = Tab::Diagnosis;
            // The diagram's window: the whole run where one fits.
            let span = self.imported.as_ref().map_or(0, |r| r.span_ms);
            let w = WINDOWS_MS.iter().copied().find(|&w| w >= span);
            self.view(ViewMsg::SetWindow(
                w.unwrap_or(WINDOWS_MS[WINDOWS_MS.len() - 1]),
            ));
        }
        self.showing_import = true;
        self.playing = false;
        self.target = None;
        self.import_vt = self.import_vt.min(self.import_span() as f64);
        if clean {
            self.import.open = false;
        }
    }

    fn plan_mut(&mut self) -> Option<&mut Plan> {
        self.import.plan.as_mut()
    }

    /// Opens (or closes) the replay dialog; the plan is made once per
    /// import and keeps the user's edits.
    fn replay_plan(&mut self) {
        if self.import.plan_open {
            self.import.plan_open = false;
            return;
        }
        let Some(run) = &self.imported else { return };
        if self.import.plan.is_none() {
            self.import.plan = Some(Plan::of(&run.import));
        }
        self.import.plan_open = true;
    }

    /// Replays the plan: its scenario replaces the simulation's run (the
    /// import stays), computed to its end; the comparison is shown.
    fn replay(&mut self) {
        let Some(plan) = &self.import.plan else {
            return;
        };
        match plan.scenario() {
            Ok(s) => {
                let until = s.until_ms;
                if let Err(e) = self.replace(s) {
                    self.say(e, true);
                    return;
                }
                self.import.plan_open = false;
                self.import.replaying = true;
                self.showing_import = false;
                self.target = Some(until);
            }
            Err(e) => self.say(trf(self.lang, T::ReplayRefused, &[&e]), true),
        }
    }

    /// The imported run's length (ms), 0 without one.
    pub fn import_span(&self) -> u64 {
        self.imported.as_ref().map_or(0, |r| r.span_ms)
    }

    /// The transport on the imported run: play, pause, seek, step from
    /// one protocol event to the next.
    pub(super) fn import_transport(&mut self, msg: TransportMsg) {
        let span = self.import_span() as f64;
        match msg {
            TransportMsg::TogglePlay => self.playing = !self.playing,
            TransportMsg::Play => self.playing = true,
            TransportMsg::Pause => self.playing = false,
            TransportMsg::Seek(t) => {
                self.playing = false;
                self.import_vt = (t as f64).min(span);
            }
            TransportMsg::StepForward => self.import_step(1),
            TransportMsg::StepBack => self.import_step(-1),
            TransportMsg::StepBy(n) => self.import_step(n),
            TransportMsg::SeekEvent(_) | TransportMsg::FocusViolation(_) => {}
            TransportMsg::Frame(dt) => self.import_frame(dt),
            // Speed and branches are the same messages as the simulation's.
            other @ (TransportMsg::SetSpeed(_)
            | TransportMsg::FasterSlower(_)
            | TransportMsg::SelectBranch(_)) => {
                self.showing_import = false;
                self.transport(other);
                self.showing_import = true;
            }
        }
        if self.playing && self.import_vt >= span {
            self.import_vt = 0.0;
        }
    }

    /// Moves to the `n`th protocol event after (or before) the shown moment.
    fn import_step(&mut self, n: i64) {
        self.playing = false;
        let Some(run) = &self.imported else { return };
        let now = self.import_vt as u64;
        let times: Vec<u64> = run.import.events.iter().map(|e| run.rel(e.at_ms)).collect();
        let t = if n >= 0 {
            let i = times.partition_point(|&t| t <= now);
            times.get(i + n.max(1) as usize - 1).copied()
        } else {
            let i = times.partition_point(|&t| t < now);
            i.checked_sub(n.unsigned_abs() as usize).map(|i| times[i])
        };
        if let Some(t) = t {
            self.import_vt = t as f64;
        }
    }

    /// A frame while the imported run plays: wall time × speed.
    pub(super) fn import_frame(&mut self, dt: f64) {
        if !self.playing {
            return;
        }
        let span = self.import_span() as f64;
        self.import_vt = (self.import_vt + dt * self.speed).min(span);
        if self.import_vt >= span {
            self.playing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imported::tests::sample;
    use crate::model::Msg;

    fn read(m: &mut Model, imp: zablab_core::import::Import) {
        m.apply(ImportMsg::Reading(Vec::new()).into());
        m.apply(ImportMsg::Read(Box::new(Imported::new(imp)), Vec::new()).into());
    }

    #[test]
    fn an_import_is_shown_without_touching_the_simulation_and_back() {
        let mut m = Model::opening().unwrap();
        let (events, now) = (m.engine.sim().events(), m.engine.now_ms());
        m.apply(ImportMsg::Toggle.into());
        read(&mut m, sample());
        assert!(
            m.showing_import && !m.import.open,
            "a clean import closes the dialog"
        );
        assert_eq!(m.tab, Tab::Diagnosis);
        // The transport moves the import's clock, not the engine's.
        m.apply(TransportMsg::Seek(3000).into());
        assert_eq!(m.shown_vt(), 3000.0);
        m.apply(TransportMsg::StepForward.into());
        assert_eq!(m.import_vt, 5000.0, "the next event: the restart");
        m.apply(TransportMsg::StepBy(-2).into());
        assert_eq!(m.import_vt, 250.0);
        m.apply(TransportMsg::Play.into());
        m.frame(100.0, &mut || true);
        assert!(m.import_vt > 250.0);
        assert_eq!((m.engine.sim().events(), m.engine.now_ms()), (events, now));
        m.apply(ImportMsg::Show(false).into());
        assert_eq!(m.shown_vt(), m.vt);
        m.apply(TransportMsg::Seek(2500).into());
        assert_eq!(m.engine.now_ms(), 2500);
    }

    #[test]
    fn a_messy_read_keeps_the_dialog_open_and_an_empty_one_shows_nothing() {
        let mut m = Model::opening().unwrap();
        m.apply(ImportMsg::Toggle.into());
        let unread = vec![("x.gz".to_string(), "not gzip".to_string())];
        let run = Box::new(Imported::new(sample()));
        m.apply(Msg::Import(ImportMsg::Read(run, unread)));
        assert!(m.showing_import && m.import.open, "a message to read");
        let nothing = Imported::new(zablab_core::import::Import::default());
        m.apply(ImportMsg::Read(Box::new(nothing), Vec::new()).into());
        assert!(!m.showing_import, "nothing usable is not shown");
        assert_eq!(m.dialog(), Some("import"));
        m.apply(crate::model::ViewMsg::Escape.into());
        assert!(!m.import.open);
    }

    #[test]
    fn a_replay_opens_the_plan_in_the_simulator_and_keeps_the_import() {
        let mut m = Model::opening().unwrap();
        read(&mut m, sample());
        m.apply(ImportMsg::ReplayPlan.into());
        assert_eq!(m.dialog(), Some("replay"));
        let plan = m.import.plan.clone().unwrap();
        assert_eq!(plan.replay.scenario.ensemble.participants.len(), 2);
        m.apply(ImportMsg::ReplayKnob(Knob::SyncLimit, 2).into());
        m.apply(ImportMsg::Replay.into());
        assert!(m.import.replaying && !m.showing_import && m.imported.is_some());
        assert_eq!(m.engine.head().scenario().ensemble.sync_limit, 2);
        let gen = m.generation;
        m.apply(ImportMsg::ReplayKnob(Knob::SyncLimit, 3).into());
        m.apply(ImportMsg::Replay.into());
        assert_eq!(m.engine.head().scenario().ensemble.sync_limit, 3);
        assert!(m.generation > gen, "replayed again: a new run");
        m.apply(ImportMsg::Show(true).into());
        assert!(m.showing_import);
    }
}
