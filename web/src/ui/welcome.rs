//! The first visit's welcome: what is on screen (an ensemble electing
//! its leader, slowed down) and two ways on, the course or free
//! exploration. A non-modal dialog beside the ensemble, so the election
//! it talks about stays in view; Esc closes it too. The app remembers it
//! was seen (`app/first.rs`). It sends only `ViewMsg`s.

use yew::prelude::*;

use super::widgets::on_click;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, ViewMsg};

pub fn welcome(lang: Lang, send: &Callback<Msg>) -> Html {
    let slower = crate::dec(1.0 / Model::FORMING_SPEED, 0);
    html! {
        <section class="welcome" role="dialog" aria-modal="false" aria-labelledby="welcome-title"
                 aria-describedby="welcome-body" data-dialog="welcome" data-testid="welcome">
            <h2 id="welcome-title">{ tr(lang, T::WelcomeTitle) }</h2>
            <p id="welcome-body">{ trf(lang, T::WelcomeBody, &[&slower]) }</p>
            <div class="welcome-actions">
                <button type="button" class="primary" data-testid="welcome-course"
                        onclick={on_click(send, ViewMsg::StartCourse)}>{ tr(lang, T::WelcomeCourse) }</button>
                <button type="button" data-testid="welcome-explore"
                        onclick={on_click(send, ViewMsg::CloseWelcome)}>{ tr(lang, T::WelcomeExplore) }</button>
            </div>
            <p class="hint">{ tr(lang, T::WelcomeHint) }</p>
        </section>
    }
}
