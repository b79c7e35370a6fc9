//! Keyboard shortcuts (shown in the help dialog): Space play/pause,
//! → step one event, ← step back, K crash the leader, + / − speed,
//! P presenter mode, ? help, Esc close. Ignored while typing in a field,
//! and Space is left to a focused button.

use crate::model::Msg;

/// The key, the `Msg` it sends, and the help text key.
pub const SHORTCUTS: [(&str, crate::i18n::T); 8] = [
    ("Space", crate::i18n::T::KeyPlay),
    ("→", crate::i18n::T::KeyStep),
    ("←", crate::i18n::T::KeyBack),
    ("K", crate::i18n::T::KeyCrashLeader),
    ("+ / −", crate::i18n::T::KeySpeed),
    ("P", crate::i18n::T::KeyPresenter),
    ("?", crate::i18n::T::KeyHelp),
    ("Esc", crate::i18n::T::KeyEscape),
];

/// The message for a key, by `KeyboardEvent.key` and what has focus.
pub fn message_for(key: &str, in_field: bool, on_button: bool, modified: bool) -> Option<Msg> {
    if in_field || modified {
        return None;
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

/// The message for a browser key event.
pub fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Msg> {
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
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_messages_but_not_while_typing() {
        assert_eq!(message_for(" ", false, false, false), Some(Msg::TogglePlay));
        assert_eq!(
            message_for(" ", false, true, false),
            None,
            "a focused button takes Space"
        );
        assert_eq!(
            message_for("ArrowLeft", false, false, false),
            Some(Msg::StepBack)
        );
        assert_eq!(
            message_for("k", false, false, false),
            Some(Msg::CrashLeader)
        );
        assert_eq!(message_for("k", true, false, false), None);
        assert_eq!(message_for("k", false, false, true), None);
        assert_eq!(message_for("x", false, false, false), None);
    }
}
