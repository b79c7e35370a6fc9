//! Keyboard shortcuts (shown in the help dialog): Space play/pause,
//! → step one event, ← step back, K crash the leader, + / − speed,
//! P presenter mode, ? help, Esc close. In a lesson in presenter mode,
//! Space and → go on (next step, reveal, skip), ← goes back a step, R
//! rewinds the step and 1–9 pick a choice. Ignored while typing in a
//! field, and Space is left to a focused button.

use crate::model::Msg;

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
            .map(|d| Msg::LessonPick(d - 1));
        let m = match key {
            " " | "Spacebar" if !on_button => Some(Msg::LessonNext),
            "ArrowRight" => Some(Msg::LessonNext),
            "ArrowLeft" => Some(Msg::LessonBack),
            "r" | "R" => Some(Msg::LessonRewind),
            _ => pick,
        };
        if m.is_some() {
            return m;
        }
    }
    Some(match key {
        " " | "Spacebar" if !on_button => Msg::TogglePlay,
        "ArrowRight" => Msg::StepForward,
        "ArrowLeft" => Msg::StepBack,
        "k" | "K" => Msg::CrashLeader,
        "+" | "=" => Msg::FasterSlower(true),
        "-" | "_" => Msg::FasterSlower(false),
        "p" | "P" => Msg::TogglePresenter,
        "?" => Msg::ToggleHelp,
        "Escape" => Msg::DismissNotice,
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
        assert_eq!(k(" "), Some(Msg::LessonNext));
        assert_eq!(k("ArrowRight"), Some(Msg::LessonNext));
        assert_eq!(k("ArrowLeft"), Some(Msg::LessonBack));
        assert_eq!(k("R"), Some(Msg::LessonRewind));
        assert_eq!(k("2"), Some(Msg::LessonPick(1)));
        assert_eq!(k("0"), None);
        assert_eq!(k("p"), Some(Msg::TogglePresenter), "the others stay");
        assert_eq!(message_for("r", true, false, false, true), None);
    }

    #[test]
    fn keys_map_to_messages_but_not_while_typing() {
        assert_eq!(
            message_for(" ", false, false, false, false),
            Some(Msg::TogglePlay)
        );
        assert_eq!(
            message_for(" ", false, true, false, false),
            None,
            "a focused button takes Space"
        );
        assert_eq!(
            message_for("ArrowLeft", false, false, false, false),
            Some(Msg::StepBack)
        );
        assert_eq!(
            message_for("k", false, false, false, false),
            Some(Msg::CrashLeader)
        );
        assert_eq!(message_for("k", true, false, false, false), None);
        assert_eq!(message_for("k", false, false, true, false), None);
        assert_eq!(message_for("x", false, false, false, false), None);
    }
}
