//! Keyboard shortcuts (shown in the help dialog): Space play/pause,
//! → step one event, ← step back (Shift: ten events; also on the focused
//! timeline, whose native 1 ms steps they replace; Home/End there: the
//! start and the computed end), K crash the leader, + / − speed, P
//! presenter mode, ? help, Esc close the topmost dialog. In a lesson in
//! presenter mode, Space and → go on (the step's next page, then next
//! step, reveal, skip), ← goes back (a page, then a step), R rewinds the
//! step and 1–9 pick a choice.
//!
//! A shortcut does the same whatever has focus: Space on a button the
//! mouse last clicked plays or pauses, it never clicks that button again
//! (Enter does). Only form fields keep their keys (typing, a select's
//! arrows), and an open dialog keeps every key but Esc and ? (its own
//! buttons answer Space and Enter; Tab stays inside it, `app.rs`).
//! This file maps keys to messages; it never acts itself.

use crate::model::{FaultMsg, LessonMsg, Msg, Pages, TransportMsg, ViewMsg};

/// Events a Shift+arrow steps.
pub const BIG_STEP: i64 = 10;

/// The key, the `Msg` it sends, and the help text key.
pub const SHORTCUTS: [(&str, crate::i18n::T); 14] = [
    ("Space", crate::i18n::T::KeyPlay),
    ("→", crate::i18n::T::KeyStep),
    ("←", crate::i18n::T::KeyBack),
    ("Shift + ← / →", crate::i18n::T::KeyBigStep),
    ("K", crate::i18n::T::KeyCrashLeader),
    ("+ / −", crate::i18n::T::KeySpeed),
    ("P", crate::i18n::T::KeyPresenter),
    ("I", crate::i18n::T::KeyImport),
    ("?", crate::i18n::T::KeyHelp),
    ("Esc", crate::i18n::T::KeyEscape),
    ("Space", crate::i18n::T::KeyLessonNext),
    ("← / →", crate::i18n::T::KeyLessonSteps),
    ("R", crate::i18n::T::KeyLessonRewind),
    ("1–9", crate::i18n::T::KeyLessonPick),
];

/// Where a key was pressed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct At {
    /// In a form field (text, number, select, checkbox): its keys.
    pub field: bool,
    /// On the timeline's scrubber.
    pub slider: bool,
    /// Ctrl, Alt or Meta held: the browser's.
    pub modified: bool,
    pub shift: bool,
    /// A dialog is open.
    pub dialog: bool,
    /// A lesson shown in presenter mode, with its pages.
    pub lesson: Option<Pages>,
    /// The computed end (End on the timeline).
    pub frontier_ms: u64,
}

/// The message for a key (`KeyboardEvent.key`) pressed at `at`.
pub fn message_for(key: &str, at: &At) -> Option<Msg> {
    if key == "Escape" {
        return Some(ViewMsg::Escape.into());
    }
    if at.field || at.modified {
        return None;
    }
    if at.dialog {
        return (key == "?").then(|| ViewMsg::ToggleHelp.into());
    }
    if let Some(pages) = &at.lesson {
        if let Some(m) = lesson_key(key, pages) {
            return Some(m);
        }
    }
    let step = if at.shift { BIG_STEP } else { 1 };
    Some(match key {
        " " | "Spacebar" => TransportMsg::TogglePlay.into(),
        "ArrowRight" | "ArrowUp" if at.slider => TransportMsg::StepBy(step).into(),
        "ArrowLeft" | "ArrowDown" if at.slider => TransportMsg::StepBy(-step).into(),
        "ArrowRight" => TransportMsg::StepBy(step).into(),
        "ArrowLeft" => TransportMsg::StepBy(-step).into(),
        "Home" if at.slider => TransportMsg::Seek(0).into(),
        "End" if at.slider => TransportMsg::Seek(at.frontier_ms).into(),
        "k" | "K" => FaultMsg::CrashLeader.into(),
        "+" | "=" => TransportMsg::FasterSlower(true).into(),
        "-" | "_" => TransportMsg::FasterSlower(false).into(),
        "p" | "P" => ViewMsg::TogglePresenter.into(),
        "i" | "I" => crate::model::ImportMsg::Toggle.into(),
        "?" => ViewMsg::ToggleHelp.into(),
        _ => return None,
    })
}

/// The keys of a lesson in presenter mode: pages first, then steps.
fn lesson_key(key: &str, pages: &Pages) -> Option<Msg> {
    Some(match key {
        " " | "Spacebar" | "ArrowRight" | "PageDown" if pages.more() => {
            ViewMsg::Page(pages.at + 1).into()
        }
        " " | "Spacebar" | "ArrowRight" => LessonMsg::Next.into(),
        "ArrowLeft" | "PageUp" if pages.at > 0 => ViewMsg::Page(pages.at - 1).into(),
        "ArrowLeft" => LessonMsg::Back.into(),
        "r" | "R" => LessonMsg::Rewind.into(),
        d => {
            let d = d.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
            LessonMsg::Pick(d - 1).into()
        }
    })
}

/// Where a browser key event was pressed, as [`At`] wants it (the rest
/// of `At` is the app's to fill).
pub fn at(e: &web_sys::KeyboardEvent) -> At {
    use wasm_bindgen::JsCast;
    let el = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let tag = el
        .as_ref()
        .map(|el| el.tag_name().to_ascii_uppercase())
        .unwrap_or_default();
    let kind = el
        .as_ref()
        .and_then(|el| el.get_attribute("type"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let editable = el
        .as_ref()
        .and_then(|el| {
            el.dyn_ref::<web_sys::HtmlElement>()
                .map(|h| h.is_content_editable())
        })
        .unwrap_or(false);
    let slider = tag == "INPUT" && kind == "range";
    At {
        field: editable
            || matches!(tag.as_str(), "TEXTAREA" | "SELECT")
            || (tag == "INPUT" && !slider),
        slider,
        modified: e.ctrl_key() || e.meta_key() || e.alt_key(),
        shift: e.shift_key(),
        ..At::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(key: &str) -> Option<Msg> {
        message_for(key, &At::default())
    }

    #[test]
    fn in_a_presented_lesson_the_keys_drive_its_pages_then_its_steps() {
        let one = At {
            lesson: Some(Pages::default()),
            ..At::default()
        };
        let m = |key| message_for(key, &one);
        assert_eq!(m(" "), Some(LessonMsg::Next.into()));
        assert_eq!(m("ArrowRight"), Some(LessonMsg::Next.into()));
        assert_eq!(m("ArrowLeft"), Some(LessonMsg::Back.into()));
        assert_eq!(m("R"), Some(LessonMsg::Rewind.into()));
        assert_eq!(m("2"), Some(LessonMsg::Pick(1).into()));
        assert_eq!(m("0"), None);
        assert_eq!(
            m("p"),
            Some(ViewMsg::TogglePresenter.into()),
            "the others stay"
        );
        let paged = |at| At {
            lesson: Some(Pages {
                starts: vec![0, 4, 7],
                at,
            }),
            ..At::default()
        };
        assert_eq!(message_for(" ", &paged(0)), Some(ViewMsg::Page(1).into()));
        assert_eq!(
            message_for("ArrowRight", &paged(1)),
            Some(ViewMsg::Page(2).into())
        );
        assert_eq!(message_for(" ", &paged(2)), Some(LessonMsg::Next.into()));
        assert_eq!(
            message_for("ArrowLeft", &paged(2)),
            Some(ViewMsg::Page(1).into())
        );
        assert_eq!(
            message_for("ArrowLeft", &paged(0)),
            Some(LessonMsg::Back.into())
        );
        let typing = At {
            field: true,
            ..one.clone()
        };
        assert_eq!(message_for("r", &typing), None);
    }

    #[test]
    fn keys_act_the_same_on_a_button_but_not_while_typing() {
        assert_eq!(k(" "), Some(TransportMsg::TogglePlay.into()));
        assert_eq!(k("ArrowLeft"), Some(TransportMsg::StepBy(-1).into()));
        assert_eq!(k("k"), Some(FaultMsg::CrashLeader.into()));
        assert_eq!(k("x"), None);
        let field = At {
            field: true,
            ..At::default()
        };
        assert_eq!(message_for("k", &field), None);
        assert_eq!(message_for(" ", &field), None);
        assert_eq!(
            message_for("Escape", &field),
            Some(ViewMsg::Escape.into()),
            "Esc closes a dialog from its fields too"
        );
        let ctrl = At {
            modified: true,
            ..At::default()
        };
        assert_eq!(message_for("k", &ctrl), None);
    }

    #[test]
    fn an_open_dialog_keeps_its_keys_but_esc_and_help() {
        let d = At {
            dialog: true,
            ..At::default()
        };
        assert_eq!(message_for(" ", &d), None, "Space is the dialog's button's");
        assert_eq!(message_for("k", &d), None);
        assert_eq!(message_for("?", &d), Some(ViewMsg::ToggleHelp.into()));
        assert_eq!(message_for("Escape", &d), Some(ViewMsg::Escape.into()));
    }

    #[test]
    fn the_timeline_steps_events_not_milliseconds() {
        let slider = |shift| At {
            slider: true,
            shift,
            frontier_ms: 9_000,
            ..At::default()
        };
        assert_eq!(
            message_for("ArrowRight", &slider(false)),
            Some(TransportMsg::StepBy(1).into())
        );
        assert_eq!(
            message_for("ArrowUp", &slider(false)),
            Some(TransportMsg::StepBy(1).into())
        );
        assert_eq!(
            message_for("ArrowLeft", &slider(true)),
            Some(TransportMsg::StepBy(-BIG_STEP).into())
        );
        assert_eq!(
            message_for("End", &slider(false)),
            Some(TransportMsg::Seek(9_000).into())
        );
        assert_eq!(
            message_for("Home", &slider(false)),
            Some(TransportMsg::Seek(0).into())
        );
        assert_eq!(k("Home"), None, "Home is the page's elsewhere");
        let shift = At {
            shift: true,
            ..At::default()
        };
        assert_eq!(
            message_for("ArrowRight", &shift),
            Some(TransportMsg::StepBy(BIG_STEP).into())
        );
    }
}
