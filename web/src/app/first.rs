//! How the app opens. A visitor sees a live ensemble forming (its
//! election played slowly enough to follow) and, the first time, a
//! welcome that offers the course or free exploration; the browser's
//! localStorage remembers that the welcome was seen. The older opening
//! (paused at 2 s on a settled ensemble, no welcome) stays one flag away
//! for tests and for teachers who want a still picture: `?opening=settled`
//! in the address, or `zablab-opening` = `settled` in localStorage.
//!
//! The values are plain strings (not JSON), so a test can set them with
//! `localStorage.setItem`. Storage may be refused (private modes): then
//! the welcome shows on every visit, nothing breaks.

use crate::browser;
use crate::model::Model;

/// localStorage key: `seen` once the welcome was closed.
pub const WELCOME_KEY: &str = "zablab-welcome";
/// localStorage key (or `?opening=` in the address): `settled` for the
/// older opening.
pub const OPENING_KEY: &str = "zablab-opening";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Whether this visit asks for the settled opening.
fn settled() -> bool {
    browser::query_value("opening").as_deref() == Some("settled")
        || stored(OPENING_KEY).as_deref() == Some("settled")
}

/// The model the app opens on (see the file's contract).
pub fn opening() -> Model {
    if settled() {
        return Model::opening().expect("the opening ensemble is valid (tested natively)");
    }
    let mut m = Model::forming().expect("the opening ensemble is valid (tested natively)");
    m.welcome = stored(WELCOME_KEY).as_deref() != Some("seen");
    m
}

/// Remembers that the welcome was closed.
pub fn welcome_seen() {
    if let Some(s) = storage() {
        let _ = s.set_item(WELCOME_KEY, "seen");
    }
}
