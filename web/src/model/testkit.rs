//! Helpers for the reducers' tests (test builds only): open a preset,
//! seek, play to a moment, read the last action taken.

use zablab_core::ActionKind;

use crate::model::{FileMsg, Model, Source, TransportMsg};

/// Seeks and runs frames until the seek is done.
pub fn seek(m: &mut Model, t: u64) {
    m.apply(TransportMsg::Seek(t).into());
    while m.target.is_some() {
        m.frame(16.0, &mut || true);
    }
    assert_eq!(m.engine.now_ms(), t);
}

/// The app with a preset scenario loaded, at 0 ms.
pub fn preset(json: &str) -> Model {
    let mut m = Model::opening().unwrap();
    m.apply(
        FileMsg::Load {
            source: Source::Preset,
            json: json.to_string(),
            at: None,
        }
        .into(),
    );
    m
}

/// Runs frames at 100x until `until_ms` is shown (or a violation
/// pauses the run).
pub fn play_to(m: &mut Model, until_ms: u64) {
    m.apply(TransportMsg::SetSpeed(100.0).into());
    m.apply(TransportMsg::Play.into());
    while m.playing && m.engine.now_ms() < until_ms {
        m.frame(100.0, &mut || true);
    }
    m.apply(TransportMsg::Pause.into());
}

pub fn last_action(m: &Model) -> ActionKind {
    m.engine.export().actions.last().unwrap().kind.clone()
}
