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

use crate::imported::Imported;
use crate::model::{Model, Tab, TransportMsg};

/// A file the user gave, as the dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub name: String,
    /// Its size on disk (a `.gz` is read to more).
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
    /// Files the browser could not read, and why (a `.gz` that is not gzip).
    pub unread: Vec<(String, String)>,
    /// The event log shows only lines containing this (any case).
    pub find: String,
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
    /// The import, and the files the browser could not read.
    Read(Box<zablab_core::import::Import>, Vec<(String, String)>),
    /// Shows the imported run (true) or the simulator (false).
    Show(bool),
    /// The event log's text filter.
    Find(String),
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
                self.import.unread.clear();
            }
            ImportMsg::Progress { file, read } => self.import.reading = Some((file, read)),
            ImportMsg::Read(import, unread) => self.imported_read(*import, unread),
            ImportMsg::Show(on) => {
                self.showing_import = on && self.imported.is_some();
                if self.showing_import {
                    self.playing = false;
                }
            }
            ImportMsg::Find(text) => self.import.find = text,
            ImportMsg::Clear => {
                self.import = ImportForm::default();
                self.imported = None;
                self.showing_import = false;
            }
        }
    }

    fn imported_read(
        &mut self,
        import: zablab_core::import::Import,
        unread: Vec<(String, String)>,
    ) {
        self.import.reading = None;
        self.import.unread = unread;
        let run = Imported::new(import);
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
        }
        self.showing_import = true;
        self.playing = false;
        self.target = None;
        self.import_vt = self.import_vt.min(self.import_span() as f64);
        if clean {
            self.import.open = false;
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
