//! Browser tests: mount the real app in Chromium (`wasm-pack test
//! --headless --chrome`) and read the DOM it renders.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo_timers::future::sleep;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh app in its own root element.
fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<zablab_web::App>::with_root(root.clone()).render();
    root
}

/// Lets Yew run its scheduled renders.
async fn settle() {
    sleep(Duration::from_millis(20)).await;
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

#[wasm_bindgen_test]
async fn renders_three_servers_from_the_core() {
    let root = mount();
    settle().await;
    let circles = root
        .query_selector_all("svg.cluster circle.server")
        .unwrap();
    assert_eq!(circles.length(), 3);
    let mut states: Vec<String> = (1..=3)
        .map(|sid| text(&root, &format!("[data-testid=server-{sid}-state]")))
        .collect();
    states.sort();
    assert_eq!(states, ["FOLLOWING", "FOLLOWING", "LEADING"]);
}

#[wasm_bindgen_test]
async fn crash_button_changes_the_state_through_the_core() {
    let root = mount();
    settle().await;
    assert_eq!(text(&root, "[data-testid=toggle-2]"), "Crash 2");
    click(&root, "[data-testid=toggle-2]");
    settle().await;
    assert_eq!(text(&root, "[data-testid=server-2-state]"), "DOWN");
    assert_ne!(text(&root, "[data-testid=server-1-state]"), "DOWN");
    assert_eq!(text(&root, "[data-testid=toggle-2]"), "Restart 2");
    let circle = root
        .query_selector("[data-testid=server-2] circle")
        .unwrap()
        .unwrap();
    assert_eq!(
        circle.get_attribute("class").as_deref(),
        Some("server down")
    );

    click(&root, "[data-testid=advance]");
    settle().await;
    assert!(
        text(&root, "[data-testid=status]").starts_with("t = 300"),
        "virtual time advanced: {}",
        text(&root, "[data-testid=status]")
    );
}
