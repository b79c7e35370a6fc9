//! Keyboard shortcuts (shown in the help dialog): Space play/pause,
//! → step one event, ← step back, K crash the leader, + / − speed,
//! P presenter mode, ? help, Esc close. In a lesson in presenter mode,
//! Space and → go on (next step, reveal, skip), ← goes back a step, R
//! rewinds the step and 1–9 pick a choice. Ignored while typing in a
//! field, and Space is left to a focused button.

use crate::model::{FaultMsg, LessonMsg, Msg, TransportMsg, ViewMsg};

/// The key, the `Msg` it sends, and the help text key.
pub const SHORTCUTS: [(&str, crate::i18n::T); 12] = [
    ("Space", crate::i18n::T::KeyPlay),
    ("→", crate::i18n::T::KeyStep),
    ("←", crate::i18n::T::KeyBack),
    ("K", crate::i18n::T::KeyCrashLeader),
    ("+ / −", crate::i18n::T::KeySpeed),
    ("P", crate::i18n::T::KeyPresenter),
    ("?", crate::i18n::T::KeyHelp),
    ("Esc", crate::i18n::T::KeyEscape),
    ("Space", crate::i18n::T::KeyLessonNext),
    ("← / →", crate::i18n::T::KeyLessonSteps),
    ("R", crate::i18n::T::KeyLessonRewind),
    ("1–9", crate::i18n::T::KeyLessonPick),
];

/// The message for a key, by `KeyboardEvent.key`, what has focus and
/// whether a lesson is shown in presenter mode.
pub fn message_for(
    key: &str,
    in_field: bool,
    on_button: bool,
    modified: bool,
    lesson: bool,
) -> Option<Msg> {
    if in_field || modified {
        return None;
    }
    if lesson {
        let pick = key
            .parse::<usize>()
            .ok()
            .filter(|d| (1..=9).contains(d))
            .map(|d| LessonMsg::Pick(d - 1).into());
        let m = match key {
            " " | "Spacebar" if !on_button => Some(LessonMsg::Next.into()),
            "ArrowRight" => Some(LessonMsg::Next.into()),
            "ArrowLeft" => Some(LessonMsg::Back.into()),
            "r" | "R" => Some(LessonMsg::Rewind.into()),
            _ => pick,
        };
        if m.is_some() {
            return m;
        }
    }
    Some(match key {
        " " | "Spacebar" if !on_button => TransportMsg::TogglePlay.into(),
        "ArrowRight" => TransportMsg::StepForward.into(),
        "ArrowLeft" => TransportMsg::StepBack.into(),
        "k" | "K" => FaultMsg::CrashLeader.into(),
        "+" | "=" => TransportMsg::FasterSlower(true).into(),
        "-" | "_" => TransportMsg::FasterSlower(false).into(),
        "p" | "P" => ViewMsg::TogglePresenter.into(),
        "?" => ViewMsg::ToggleHelp.into(),
        "Escape" => ViewMsg::DismissNotice.into(),
        _ => return None,
    })
}

/// The message for a browser key event (`lesson`: a lesson is shown in
/// presenter mode).
pub fn shortcut(e: &web_sys::KeyboardEvent, lesson: bool) -> Option<Msg> {
    use wasm_bindgen::JsCast;
    let tag = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name().to_ascii_uppercase())
        .unwrap_or_default();
    let in_field = matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT");
    let on_button = tag == "BUTTON" || tag == "SUMMARY";
    message_for(
        &e.key(),
        in_field,
        on_button,
        e.ctrl_key() || e.meta_key() || e.alt_key(),
        lesson,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_a_presented_lesson_the_keys_drive_the_lesson() {
        let k = |key| message_for(key, false, false, false, true);
        assert_eq!(k(" "), Some(LessonMsg::Next.into()));
        assert_eq!(k("ArrowRight"), Some(LessonMsg::Next.into()));
        assert_eq!(k("ArrowLeft"), Some(LessonMsg::Back.into()));
        assert_eq!(k("R"), Some(LessonMsg::Rewind.into()));
        assert_eq!(k("2"), Some(LessonMsg::Pick(1).into()));
        assert_eq!(k("0"), None);
        assert_eq!(
            k("p"),
            Some(ViewMsg::TogglePresenter.into()),
            "the others stay"
        );
        assert_eq!(message_for("r", true, false, false, true), None);
    }

    #[test]
    fn keys_map_to_messages_but_not_while_typing() {
        assert_eq!(
            message_for(" ", false, false, false, false),
            Some(TransportMsg::TogglePlay.into())
        );
        assert_eq!(
            message_for(" ", false, true, false, false),
            None,
            "a focused button takes Space"
        );
        assert_eq!(
            message_for("ArrowLeft", false, false, false, false),
            Some(TransportMsg::StepBack.into())
        );
        assert_eq!(
            message_for("k", false, false, false, false),
            Some(FaultMsg::CrashLeader.into())
        );
        assert_eq!(message_for("k", true, false, false, false), None);
        assert_eq!(message_for("k", false, false, true, false), None);
        assert_eq!(message_for("x", false, false, false, false), None);
    }
}
