//! The new-ensemble form's seed field: a number the user types, or a
//! fresh one drawn by [`crate::setup::random_seed`] ("Random"), shown in
//! the same field so the user sees (and can note) the seed the run uses.
//! Owns no state: the seed lives in the model's `Setup` (`FileMsg::SetupField`).

use yew::prelude::*;

use crate::i18n::{tr, trf, Lang, T};
use crate::model::{FileMsg, Msg, SetupField, ViewMsg};
use crate::setup::random_seed;

use super::widgets::on_number;

/// The seed's label, input and "Random" button.
pub fn field(l: Lang, seed: u64, send: &Callback<Msg>) -> Html {
    let draw = {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| {
            send.emit(match random_seed() {
                Ok(s) => FileMsg::SetupField(SetupField::Seed, s).into(),
                Err(e) => ViewMsg::Notice(trf(l, T::NoRandomSource, &[&e.to_string()])).into(),
            })
        })
    };
    html! {
        <label>{ tr(l, T::Seed) }
            <span class="seed-row">
                <input type="number" min="0" value={seed.to_string()} data-testid="setup-seed"
                       onchange={on_number(send, |v| FileMsg::SetupField(SetupField::Seed, v))} />
                <button type="button" onclick={draw} data-testid="setup-random-seed"
                        title={tr(l, T::RandomSeedAria)}>
                    { tr(l, T::RandomSeed) }
                </button>
            </span>
        </label>
    }
}
