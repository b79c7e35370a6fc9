//! The shortcuts dialog: every key of `keys::SHORTCUTS` with what it
//! does, and the colours' meaning. It reads no model state but the
//! language, and sends only its own closing.

use yew::prelude::*;

use super::widgets::on_click;
use crate::i18n::{tr, Lang, T};
use crate::model::{Msg, ViewMsg};

/// The shortcuts dialog.
pub fn help(lang: Lang, send: &Callback<Msg>) -> Html {
    let close = on_click(send, ViewMsg::ToggleHelp);
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
                <h2 id="help-title">{ tr(lang, T::HelpTitle) }</h2>
                <p>{ tr(lang, T::HelpIntro) }</p>
                <table class="keys">
                    { for crate::keys::SHORTCUTS.iter().map(|(k, t)| html! {
                        <tr><th><kbd>{ *k }</kbd></th><td>{ tr(lang, *t) }</td></tr>
                    }) }
                </table>
                <p>{ tr(lang, T::HelpColors) }</p>
                <button type="button" onclick={close} aria-label={tr(lang, T::Close)}>{ tr(lang, T::Close) }</button>
            </div>
        </div>
    }
}
