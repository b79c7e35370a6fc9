//! Where a run comes from: a preset, a file, a share link (their text
//! arrives through the app, which fetches and reads), and the
//! new-ensemble form (`crate::setup`). A scenario that does not parse
//! (`Scenario::from_json`, `docs/SCENARIO.md`) is said in the user's
//! language and the current run stays. It never fetches or reads a file
//! itself (the `app` component's browser effects).

use zablab_core::Scenario;

use crate::i18n::{trf, T};
use crate::model::Model;
use crate::presets::Preset;

/// Where a scenario came from (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Preset,
    File,
    Link,
    Setup,
}

/// `FileMsg::Load` at this moment: the scenario's end (`until_ms`; an
/// export ends at its frontier).
pub const AT_END: u64 = u64::MAX;

/// A field of the new-ensemble form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupField {
    Voters,
    Observers,
    Seed,
    LatencyMin,
    LatencyMax,
}

/// The messages that open a run, and the form's.
#[derive(Debug, Clone, PartialEq)]
pub enum FileMsg {
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
    ToggleSetup,
    /// One field of the new-ensemble form (applied to the current form, so
    /// two quick edits never undo each other).
    SetupField(SetupField, u64),
    NewEnsemble,
}

impl FileMsg {
    /// A load or the form's Start replaces the run.
    pub fn replaces_run(&self) -> bool {
        matches!(self, FileMsg::Load { .. } | FileMsg::NewEnsemble)
    }
}

impl Model {
    pub(super) fn file(&mut self, msg: FileMsg) {
        match msg {
            FileMsg::Load { source, json, at } => self.load(source, &json, at),
            FileMsg::LoadFailed(source, e) => self.load_failed(source, &e),
            FileMsg::Presets(Ok(p)) => self.presets = p,
            FileMsg::Presets(Err(e)) => self.presets_error = Some(e),
            FileMsg::ToggleSetup => self.setup_open = !self.setup_open,
            FileMsg::SetupField(f, v) => {
                let s = &mut self.setup;
                match f {
                    SetupField::Voters => s.voters = v as usize,
                    SetupField::Observers => s.observers = v as usize,
                    SetupField::Seed => s.seed = v,
                    SetupField::LatencyMin => s.latency_ms[0] = v,
                    SetupField::LatencyMax => s.latency_ms[1] = v,
                }
            }
            FileMsg::NewEnsemble => {
                let json = self.setup.scenario().to_json();
                let setup = self.setup.clone();
                self.load(Source::Setup, &json, None);
                self.setup = setup;
                self.setup_open = false;
            }
        }
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
            Err(e) => self.load_failed(source, &e),
        }
    }

    /// Says why a scenario from `source` could not be opened.
    fn load_failed(&mut self, source: Source, e: &str) {
        let what = match source {
            Source::Link => T::BadLink,
            Source::File => T::BadFile,
            Source::Preset | Source::Setup => T::BadScenario,
        };
        self.say(trf(self.lang, what, &[e]), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_scenario_keeps_the_current_run() {
        let mut m = Model::opening().unwrap();
        m.apply(crate::model::FaultMsg::Crash(1).into());
        let before = m.engine.sim().trace_hash();
        m.apply(
            FileMsg::Load {
                source: Source::File,
                json: "{\"zablab\": 2}".to_string(),
                at: None,
            }
            .into(),
        );
        let n = m.notice.clone().unwrap();
        assert!(n.error && n.text.contains("zablab"), "{}", n.text);
        assert_eq!(m.engine.sim().trace_hash(), before);
    }

    #[test]
    fn the_setup_form_builds_the_ensemble_asked_for() {
        let mut m = Model::opening().unwrap();
        m.apply(FileMsg::SetupField(SetupField::Voters, 5).into());
        m.apply(FileMsg::SetupField(SetupField::Observers, 2).into());
        m.apply(FileMsg::NewEnsemble.into());
        let s = m.engine.head().scenario();
        assert_eq!(s.ensemble.participants, [1, 2, 3, 4, 5]);
        assert_eq!(s.ensemble.observers, [6, 7]);
        assert_eq!(m.engine.now_ms(), 0);
    }

    #[test]
    fn a_failed_load_names_its_source_and_a_good_one_keeps_the_settings() {
        let mut m = Model::opening().unwrap();
        m.apply(FileMsg::LoadFailed(Source::Link, "truncated".into()).into());
        let n = m.notice.clone().unwrap();
        assert!(n.error && n.text.contains("truncated"), "{}", n.text);
        m.apply(crate::model::TransportMsg::SetSpeed(5.0).into());
        let generation = m.generation;
        let json = include_str!("../../../static/scenarios/three-up.json");
        m.apply(
            FileMsg::Load {
                source: Source::Preset,
                json: json.into(),
                at: Some(AT_END),
            }
            .into(),
        );
        assert!(!m.notice.as_ref().unwrap().error);
        assert_eq!((m.speed, m.generation), (5.0, generation + 1));
        assert_eq!(m.target, Some(m.engine.head().scenario().until_ms));
    }
}
