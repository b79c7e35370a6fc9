//! Browser tests: mount the real app in Chromium (`wasm-pack test
//! --headless --chrome`), act through the DOM as a user would (clicks,
//! keys, form fields) and read what it renders. One test binary: this
//! file mounts the app and drives the DOM; the tests are grouped by the
//! view they act through (`cluster.rs`, `transport.rs`, `panels.rs`,
//! `clients.rs`, `lessons.rs`).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo_timers::future::sleep;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    root: Element,
    handle: Option<yew::AppHandle<zablab_web::App>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.root.remove();
    }
}

/// Mounts a fresh app in its own root element (no share link in the URL).
async fn mount() -> Mounted {
    mount_at("").await
}

/// Mounts a fresh app with `fragment` (a share link's `#s=…`, or "") in
/// the URL.
async fn mount_at(fragment: &str) -> Mounted {
    let window = web_sys::window().unwrap();
    let url = format!("{}{fragment}", window.location().pathname().unwrap());
    let _ = window.history().unwrap().replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&url),
    );
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<zablab_web::App>::with_root(root.clone()).render();
    settle().await;
    Mounted {
        root,
        handle: Some(handle),
    }
}

/// Lets Yew run its scheduled renders.
async fn settle() {
    sleep(Duration::from_millis(30)).await;
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// The element `selector` matches, waiting up to 5 s for it to render: for
/// what appears after work that a loaded machine may not finish within one
/// `settle` (the share link after a run's export and compression).
async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..100 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el;
        }
        sleep(Duration::from_millis(50)).await;
    }
    find(root, selector)
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

async fn click(root: &Element, selector: &str) {
    let el = find(root, selector);
    match el.clone().dyn_into::<HtmlElement>() {
        Ok(h) => h.click(),
        // SVG elements have no click(): dispatch the event a pointer makes.
        Err(_) => {
            let init = web_sys::MouseEventInit::new();
            init.set_bubbles(true);
            let e = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
            el.dispatch_event(&e).unwrap();
        }
    }
    settle().await;
}

fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let e = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&e).unwrap();
}

async fn select(root: &Element, selector: &str, value: &str) {
    let el = find(root, selector);
    el.clone()
        .dyn_into::<HtmlSelectElement>()
        .unwrap()
        .set_value(value);
    fire(&el, "change");
    settle().await;
}

async fn type_in(root: &Element, selector: &str, value: &str, event: &str) {
    let el = find(root, selector);
    el.clone()
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .set_value(value);
    fire(&el, event);
    settle().await;
}

async fn key(k: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(k);
    init.set_bubbles(true);
    let e = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .dispatch_event(&e)
        .unwrap();
    settle().await;
}

fn states(root: &Element) -> Vec<String> {
    let mut v: Vec<String> = (1..=3)
        .map(|sid| text(root, &format!("[data-testid=server-{sid}-state]")))
        .collect();
    v.sort();
    v
}

/// Events handled, from the status line `t = … · N events · trace …`.
fn events(root: &Element) -> u64 {
    let s = text(root, "[data-testid=status]");
    s.split(" · ")
        .nth(1)
        .and_then(|p| p.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no event count in {s:?}"))
}

fn leader(root: &Element) -> Option<u32> {
    (1..=9).find(|sid| {
        root.query_selector(&format!("[data-testid=leader-{sid}]"))
            .unwrap()
            .is_some()
    })
}

/// Plays at 100x for `ms` of wall time, then pauses.
async fn play_for(r: &Element, ms: u64) {
    select(r, "[data-testid=speed]", "100").await;
    click(r, "[data-testid=play]").await;
    sleep(Duration::from_millis(ms)).await;
    click(r, "[data-testid=play]").await;
}

mod clients;
mod cluster;
mod lessons;
mod panels;
mod transport;
