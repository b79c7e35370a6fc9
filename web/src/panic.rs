//! A panic never blanks the page: the hook draws an overlay (plain DOM,
//! outside Yew, which is dead after a panic) with the message and a link
//! to download the session's scenario for a bug report.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use zablab_core::Scenario;

use crate::i18n::{tr, Lang, T};

thread_local! {
    static LAST: RefCell<(Option<Scenario>, Lang)> = const { RefCell::new((None, Lang::En)) };
}

/// Keeps the session's scenario and language for the report.
pub fn remember(scenario: &Scenario, lang: Lang) {
    LAST.with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = (Some(scenario.clone()), lang);
        }
    });
}

/// Installs the hook (once, before the first render: Yew keeps a hook set
/// this way instead of its console-only default).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        let (json, lang) = LAST.with(|l| match l.try_borrow() {
            Ok(l) => (l.0.as_ref().map(Scenario::to_json), l.1),
            Err(_) => (None, Lang::En),
        });
        let _ = overlay(&message, json.as_deref(), lang);
    }));
}

fn overlay(message: &str, json: Option<&str>, lang: Lang) -> Option<()> {
    let doc = web_sys::window()?.document()?;
    let body = doc.body()?;
    let div = doc.create_element("div").ok()?;
    div.set_class_name("panic-overlay");
    div.set_attribute("role", "alertdialog").ok()?;
    div.set_attribute("aria-labelledby", "panic-title").ok()?;
    div.set_attribute("data-testid", "panic").ok()?;
    let h = doc.create_element("h2").ok()?;
    h.set_id("panic-title");
    h.set_text_content(Some(tr(lang, T::PanicTitle)));
    let p = doc.create_element("p").ok()?;
    p.set_text_content(Some(tr(lang, T::PanicBody)));
    let pre = doc.create_element("pre").ok()?;
    pre.set_text_content(Some(message));
    div.append_child(&h).ok()?;
    div.append_child(&p).ok()?;
    div.append_child(&pre).ok()?;
    if let Some(json) = json {
        let href = format!(
            "data:application/json;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(json))
        );
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&href);
        a.set_download("zablab-report.json");
        a.set_text_content(Some(tr(lang, T::PanicDownload)));
        a.set_attribute("data-testid", "panic-download").ok()?;
        div.append_child(&a).ok()?;
    }
    let reload = doc.create_element("a").ok()?;
    reload.set_attribute("href", "./").ok()?;
    reload.set_text_content(Some(tr(lang, T::PanicReload)));
    div.append_child(&reload).ok()?;
    body.append_child(&div).ok()?;
    Some(())
}
