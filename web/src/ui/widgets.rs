//! Small view pieces the panels share: a button that sends a message,
//! labelled number, text and server fields, a fact row, reading an
//! input's value, and the recipe holder's marks (drawn by the clients tab
//! and the cluster view). They hold no state and know no area: each
//! takes the message to send.

use yew::prelude::*;
use zablab_core::proto::Sid;

use crate::i18n::{tr, Lang, T};
use crate::model::Msg;

// The generic functions here only turn an area's message into a `Msg`
// and call a plain one: each area type would otherwise get its own copy
// of the markup in the wasm.

/// A button that sends `msg`.
pub fn button(
    label: &'static str,
    aria: String,
    testid: &'static str,
    send: &Callback<Msg>,
    msg: impl Into<Msg>,
) -> Html {
    button_with(label, aria, testid, on_click(send, msg))
}

fn button_with(
    label: &'static str,
    aria: String,
    testid: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! {
        <button type="button" aria-label={aria} data-testid={testid} {onclick}>{ label }</button>
    }
}

/// A click callback that sends `msg`.
pub fn on_click(send: &Callback<Msg>, msg: impl Into<Msg>) -> Callback<MouseEvent> {
    click_sends(send, msg.into())
}

fn click_sends(send: &Callback<Msg>, msg: Msg) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |_| send.emit(msg.clone()))
}

/// A callback reading an `<input>`'s value as a number.
pub fn on_number<M: Into<Msg>>(
    send: &Callback<Msg>,
    make: impl Fn(u64) -> M + 'static,
) -> Callback<Event> {
    numbers_to(send.reform(move |n| make(n).into()))
}

fn numbers_to(emit: Callback<u64>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let v = input_value(&e);
        if let Ok(n) = v.trim().parse::<u64>() {
            emit.emit(n);
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

/// The `<input>` an event came from (text fields, checkboxes).
pub fn event_input<E: AsRef<web_sys::Event>>(e: &E) -> Option<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    e.as_ref()
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
}

/// A labelled server picker sending `make(sid)` on change.
pub fn sid_select<M: Into<Msg> + 'static>(
    l: Lang,
    label: T,
    value: Sid,
    sids: &[Sid],
    send: &Callback<Msg>,
    make: fn(Sid) -> M,
    testid: &'static str,
) -> Html {
    let emit = send.reform(move |s| make(s).into());
    sid_select_to(l, label, value, sids, emit, testid)
}

fn sid_select_to(
    l: Lang,
    label: T,
    value: Sid,
    sids: &[Sid],
    emit: Callback<Sid>,
    testid: &'static str,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        if let Ok(s) = input_value(&e).parse() {
            emit.emit(s);
        }
    });
    html! {
        <label>{ tr(l, label) }
            <select aria-label={tr(l, label)} {onchange} data-testid={testid}>
                { for sids.iter().map(|s| html! { <option value={s.to_string()} selected={*s == value}>{ s }</option> }) }
            </select>
        </label>
    }
}

/// A labelled text field sending `make(text)` on change.
pub fn text_field<M: Into<Msg> + 'static>(
    label: &'static str,
    value: &str,
    send: &Callback<Msg>,
    make: fn(String) -> M,
    testid: &'static str,
) -> Html {
    text_field_to(label, value, send.reform(move |t| make(t).into()), testid)
}

fn text_field_to(
    label: &'static str,
    value: &str,
    emit: Callback<String>,
    testid: &'static str,
) -> Html {
    let onchange = Callback::from(move |e: Event| emit.emit(input_value(&e)));
    html! {
        <label>{ label }
            <input type="text" size="8" value={value.to_string()} {onchange} data-testid={testid} />
        </label>
    }
}

/// A labelled number field sending `make(n)` on change.
pub fn number_field<M: Into<Msg> + 'static>(
    label: &'static str,
    value: u64,
    send: &Callback<Msg>,
    make: fn(u64) -> M,
    testid: &'static str,
) -> Html {
    number_field_to(label, value, send.reform(move |n| make(n).into()), testid)
}

fn number_field_to(
    label: &'static str,
    value: u64,
    emit: Callback<u64>,
    testid: &'static str,
) -> Html {
    html! {
        <label>{ label }
            <input type="number" min="0" class="num" value={value.to_string()} onchange={numbers_to(emit)} data-testid={testid} />
        </label>
    }
}

/// A `<dt>`/`<dd>` pair of a facts list.
pub fn fact(label: &'static str, value: String, testid: &'static str) -> Html {
    html! { <><dt>{ label }</dt><dd data-testid={testid}>{ value }</dd></> }
}

/// A padlock (an SVG path: emoji fonts are not everywhere), in a 16×16 box.
pub const LOCK_PATH: &str = "M3 7h10v8H3zM5 7V5a3 3 0 0 1 6 0v2H9.5V5a1.5 1.5 0 0 0-3 0v2z";

/// The mark of a recipe client that believes it holds the lock (a
/// padlock) or leads (a star), at `(x, y)` (its top left, 14 px).
pub fn holder_mark(recipe: &str, x: f64, y: f64) -> Html {
    let t = format!(
        "translate({} {}) scale(0.875)",
        crate::dec(x, 1),
        crate::dec(y, 1)
    );
    if recipe == "election" {
        html! { <path class="holder-mark" transform={t} d="M8 0l2.4 5 5.6.6-4.2 3.8 1.2 5.6L8 12.2 3 15l1.2-5.6L0 5.6 5.6 5z" /> }
    } else {
        html! { <path class="holder-mark" transform={t} d={LOCK_PATH} /> }
    }
}

/// A 16×16 icon (the button carries the accessible name).
pub fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

/// The transport's icons: step back, play, pause, step.
pub const ICON_BACK: &str = "M3 2h2v12H3zM14 2v12L6 8z";
pub const ICON_PLAY: &str = "M3 2v12l11-6z";
pub const ICON_PAUSE: &str = "M3 2h4v12H3zM9 2h4v12H9z";
pub const ICON_STEP: &str = "M2 2v12l8-6zM11 2h2v12h-2z";
