//! The Yew components. Each gets a [`Shared`] handle on the model, a
//! revision (it re-renders only when that changes) and the `send`
//! callback that turns a click into a [`Msg`]. No component computes
//! protocol state: they read the simulation and the pure `layout` and
//! `spacetime` modules.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{tr, Lang, T};
use crate::model::{Model, Msg};

mod clients;
mod cluster;
mod diagnosis;
mod diagram;
mod header;
mod lesson;
mod panels;
mod seed;
mod transport;

pub use cluster::Cluster;
pub use diagram::Diagram;
pub use header::Header;
pub use lesson::{course_dialog, LessonPanel};
pub use panels::SidePanel;
pub use transport::Transport;

/// The model, shared by the root (which mutates it in `update`) and the
/// children (which read it while rendering). Equal when it is the same
/// model: children decide to re-render on their `rev` prop.
#[derive(Clone)]
pub struct Shared(pub Rc<RefCell<Model>>);

impl Shared {
    pub fn new(m: Model) -> Shared {
        Shared(Rc::new(RefCell::new(m)))
    }

    pub fn get(&self) -> Ref<'_, Model> {
        self.0.borrow()
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Props of every panel.
#[derive(Properties, PartialEq, Clone)]
pub struct PanelProps {
    pub model: Shared,
    pub rev: u64,
    pub send: Callback<Msg>,
}

/// File and link actions the root performs (they touch the browser).
#[derive(Clone, PartialEq)]
pub struct FileActions {
    pub export: Callback<()>,
    pub export_svg: Callback<()>,
    pub share: Callback<()>,
    pub import: Callback<web_sys::File>,
    pub preset: Callback<String>,
}

/// A button that sends `msg`.
pub fn button(
    label: &'static str,
    aria: String,
    testid: &'static str,
    send: &Callback<Msg>,
    msg: Msg,
) -> Html {
    let send = send.clone();
    html! {
        <button type="button" aria-label={aria} data-testid={testid}
                onclick={Callback::from(move |_| send.emit(msg.clone()))}>{ label }</button>
    }
}

/// A callback reading an `<input>`'s value as a number.
pub fn on_number(send: &Callback<Msg>, make: impl Fn(u64) -> Msg + 'static) -> Callback<Event> {
    let send = send.clone();
    Callback::from(move |e: Event| {
        let v = input_value(&e);
        if let Ok(n) = v.trim().parse::<u64>() {
            send.emit(make(n));
        }
    })
}

/// The value of the `<input>`/`<select>` an event came from.
pub fn input_value(e: &Event) -> String {
    use wasm_bindgen::JsCast;
    let t = e.target();
    if let Some(i) = t
        .clone()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        return i.value();
    }
    if let Some(s) = t.and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        return s.value();
    }
    String::new()
}

/// The shortcuts dialog.
pub fn help(lang: Lang, send: &Callback<Msg>) -> Html {
    let close = {
        let send = send.clone();
        Callback::from(move |_| send.emit(Msg::ToggleHelp))
    };
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
