//! Browser tests: mount the real app in Chromium (`wasm-pack test
//! --headless --chrome`), act through the DOM as a user would (clicks,
//! keys, form fields) and read what it renders.
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

#[wasm_bindgen_test]
async fn the_cluster_view_shows_a_settled_ensemble_with_its_leader() {
    let app = mount().await;
    let r = &app.root;
    assert_eq!(count(r, "svg.cluster g.server"), 3);
    assert_eq!(states(r), ["FOLLOWING", "FOLLOWING", "LEADING"]);
    let l = leader(r).expect("a crowned leader");
    assert!(text(r, &format!("[data-testid=leader-{l}]")).contains("epoch 1"));
    assert!(text(r, &format!("[data-testid=server-{l}-facts]")).contains("0x100000000"));
    assert_eq!(
        count(r, "g.link.quorum"),
        2,
        "two learners connected to the leader"
    );
    assert!(text(r, "[data-testid=cluster-summary]").contains(&format!("leader: server {l}")));
    assert!(text(r, "[data-testid=mode]").contains("live"));
}

#[wasm_bindgen_test]
async fn clicking_a_server_opens_its_inspector_and_crash_goes_through_the_core() {
    let app = mount().await;
    let r = &app.root;
    assert!(text(r, "[data-testid=select-hint]").contains("Click a server"));
    click(r, "[data-testid=server-2]").await;
    assert!(text(r, "[data-testid=inspector] h2").starts_with("Server 2"));
    assert_eq!(text(r, "[data-testid=inspect-accepted]"), "1");
    assert_eq!(
        find(r, "[data-testid=crash]")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Crash server 2")
    );
    click(r, "[data-testid=crash]").await;
    assert_eq!(text(r, "[data-testid=server-2-state]"), "DOWN");
    assert_ne!(text(r, "[data-testid=server-1-state]"), "DOWN");
    assert!(r
        .query_selector("[data-testid=server-2].st-down")
        .unwrap()
        .is_some());
    click(r, "[data-testid=restart]").await;
    assert_eq!(text(r, "[data-testid=server-2-state]"), "LOOKING");
}

#[wasm_bindgen_test]
async fn an_impossible_action_shows_the_cores_message_and_changes_nothing() {
    let app = mount().await;
    let r = &app.root;
    let old = leader(r).unwrap();
    click(r, "[data-testid=crash-leader]").await;
    assert_eq!(
        text(r, &format!("[data-testid=server-{old}-state]")),
        "DOWN"
    );
    assert_eq!(leader(r), None);
    let before = text(r, "[data-testid=status]");
    click(r, "[data-testid=crash-leader]").await;
    let err = text(r, "[data-testid=error]");
    assert!(
        err.starts_with("There is no established leader at"),
        "{err}"
    );
    assert_eq!(text(r, "[data-testid=status]"), before, "nothing happened");
}

#[wasm_bindgen_test]
async fn stepping_back_and_forth_moves_one_event_and_the_timeline_seeks() {
    let app = mount().await;
    let r = &app.root;
    let n = events(r);
    click(r, "[data-testid=step-back]").await;
    assert_eq!(events(r), n - 1);
    assert!(text(r, "[data-testid=mode]").starts_with("replay"));
    click(r, "[data-testid=step]").await;
    assert_eq!(events(r), n);
    assert!(text(r, "[data-testid=mode]").contains("live"));
    key("ArrowLeft").await;
    assert_eq!(events(r), n - 1, "← steps back");
    key("ArrowRight").await;
    assert_eq!(events(r), n, "→ steps");
    // The scrubber: back to 100 ms, before any leader.
    type_in(r, "[data-testid=scrubber]", "100", "input").await;
    assert_eq!(text(r, "[data-testid=time]"), "0.100 s");
    assert_eq!(leader(r), None);
    assert_eq!(states(r), ["LOOKING", "LOOKING", "LOOKING"]);
    type_in(r, "[data-testid=scrubber]", "2000", "input").await;
    assert!(leader(r).is_some());
}

#[wasm_bindgen_test]
async fn playing_advances_virtual_time() {
    let app = mount().await;
    let r = &app.root;
    assert_eq!(text(r, "[data-testid=time]"), "2.000 s");
    select(r, "[data-testid=speed]", "10").await;
    key(" ").await;
    sleep(Duration::from_millis(400)).await;
    key(" ").await;
    let t: f64 = text(r, "[data-testid=time]")
        .trim_end_matches(" s")
        .parse()
        .unwrap();
    assert!(t > 2.5, "time went on while playing: {t}");
    let stats = text(r, "[data-testid=frame-stats]");
    assert!(!stats.starts_with("frames=0"), "{stats}");
}

#[wasm_bindgen_test]
async fn the_log_filters_by_server_and_the_invariants_all_hold() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=tab-log]").await;
    assert!(count(r, "[data-testid=log-lines] li") > 10);
    select(r, "[data-testid=log-server]", "2").await;
    let lines = r.query_selector_all("[data-testid=log-lines] li").unwrap();
    assert!(lines.length() > 0);
    for i in 0..lines.length() {
        let t = lines.item(i).unwrap().text_content().unwrap();
        assert!(t.contains("[myid:2 "), "{t}");
    }
    click(r, "[data-testid=tab-invariants]").await;
    assert!(count(r, ".prop.ok") >= 15);
    assert_eq!(count(r, ".prop.bad"), 0);
    assert!(text(r, "[data-testid=prop-Leadership1]").contains("holds"));
}

#[wasm_bindgen_test]
async fn the_four_letter_word_console_answers_without_changing_the_run() {
    let app = mount().await;
    let r = &app.root;
    let l = leader(r).unwrap();
    click(r, &format!("[data-testid=server-{l}]")).await;
    let before = text(r, "[data-testid=status]");
    let input = find(r, "[data-testid=fourlw-input]");
    input
        .clone()
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .set_value("srvr");
    find(r, "[data-testid=fourlw-form]")
        .dyn_into::<web_sys::HtmlFormElement>()
        .unwrap()
        .request_submit()
        .unwrap();
    settle().await;
    let out = text(r, "[data-testid=fourlw-output]");
    assert!(out.starts_with("Zookeeper version:"), "{out}");
    assert!(out.contains("Mode: leader"), "{out}");
    assert_eq!(text(r, "[data-testid=status]"), before);
}

#[wasm_bindgen_test]
async fn a_partition_is_drawn_as_groups_and_heals() {
    let app = mount().await;
    let r = &app.root;
    let l = leader(r).unwrap();
    click(r, "[data-testid=tab-network]").await;
    select(r, &format!("[data-testid=group-{l}]"), "1").await;
    click(r, "[data-testid=apply-partition]").await;
    assert_eq!(count(r, "svg.cluster g.group"), 2);
    assert!(text(r, "[data-testid=network-state]").contains("cut"));
    click(r, "[data-testid=heal]").await;
    assert_eq!(count(r, "svg.cluster g.group"), 0);
    assert!(text(r, "[data-testid=network-state]").contains("Every link works"));
    // A one-way cut from the leader is a broken line, not groups.
    let other = if l == 1 { 2 } else { 1 };
    select(r, "[data-testid=link-from]", &l.to_string()).await;
    select(r, "[data-testid=link-to]", &other.to_string()).await;
    click(r, "[data-testid=cut]").await;
    assert_eq!(count(r, "svg.cluster g.group"), 0);
    assert_eq!(count(r, "svg.cluster g.link.cut"), 1);
    // Dropping the next message is marked on the link until it happens.
    select(r, "[data-testid=link-from]", &other.to_string()).await;
    select(r, "[data-testid=link-to]", &l.to_string()).await;
    click(r, "[data-testid=drop]").await;
    assert_eq!(count(r, "svg.cluster g.link.drop"), 1);
    assert!(text(r, "[data-testid=network-state]").contains("the next message will be dropped"));
}

#[wasm_bindgen_test]
async fn acting_in_the_past_forks_a_branch_and_the_old_one_stays() {
    let app = mount().await;
    let r = &app.root;
    type_in(r, "[data-testid=scrubber]", "1500", "input").await;
    click(r, "[data-testid=server-1]").await;
    click(r, "[data-testid=crash]").await;
    assert!(text(r, "[data-testid=info]").contains("branch 1"));
    assert_eq!(count(r, "[data-testid=branches] option"), 2);
    assert_eq!(text(r, "[data-testid=server-1-state]"), "DOWN");
    select(r, "[data-testid=branches]", "0").await;
    assert_ne!(text(r, "[data-testid=server-1-state]"), "DOWN");
    assert_eq!(
        text(r, "[data-testid=time]"),
        "2.000 s",
        "branch 0 at its frontier"
    );
}

#[wasm_bindgen_test]
async fn clients_connect_and_write_through_the_leader() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=tab-clients]").await;
    click(r, "[data-testid=client-connect]").await;
    assert_eq!(count(r, "[data-testid=client-c1]"), 1);
    assert_eq!(count(r, "svg.cluster g.client"), 1);
    select(r, "[data-testid=speed]", "100").await;
    click(r, "[data-testid=play]").await;
    sleep(Duration::from_millis(150)).await;
    click(r, "[data-testid=client-write]").await;
    sleep(Duration::from_millis(300)).await;
    click(r, "[data-testid=play]").await;
    let writes = text(r, "[data-testid=writes]");
    assert!(writes.contains("create /c1-1"), "{writes}");
    assert!(writes.contains("OK"), "{writes}");
}

#[wasm_bindgen_test]
async fn language_presenter_help_and_the_diagram() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=presenter]").await;
    assert!(find(r, ".zablab").class_list().contains("presenter"));
    key("p").await;
    assert!(!find(r, ".zablab").class_list().contains("presenter"));
    key("?").await;
    assert!(text(r, "[data-testid=help]").contains("Keyboard shortcuts"));
    select(r, "[data-testid=language]", "zh").await;
    assert_eq!(
        find(r, ".zablab").get_attribute("lang").as_deref(),
        Some("zh")
    );
    let canvas = find(r, "[data-testid=spacetime]")
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .unwrap();
    assert!(canvas.width() > 100 && canvas.height() > 30);
    assert!(find(r, "[data-testid=export-svg]")
        .get_attribute("aria-label")
        .is_some());
}

#[wasm_bindgen_test]
async fn every_control_has_an_accessible_name() {
    let app = mount().await;
    let r = &app.root;
    // A client, so that the clients' operations and sides are drawn too.
    click(r, "[data-testid=tab-clients]").await;
    click(r, "[data-testid=client-connect]").await;
    for tab in [
        "tab-server",
        "tab-network",
        "tab-clients",
        "tab-log",
        "tab-invariants",
        "tab-diagnosis",
    ] {
        click(r, &format!("[data-testid={tab}]")).await;
        if tab == "tab-server" {
            click(r, "[data-testid=server-1]").await;
        }
        let controls = r.query_selector_all("button, select, input").unwrap();
        for i in 0..controls.length() {
            let el: Element = controls.item(i).unwrap().dyn_into().unwrap();
            let aria = el.get_attribute("aria-label").unwrap_or_default();
            let own = el.text_content().unwrap_or_default();
            let labelled = el.closest("label").unwrap().is_some();
            let kind = el.get_attribute("type").unwrap_or_default();
            assert!(
                !aria.trim().is_empty() || !own.trim().is_empty() || labelled || kind == "submit",
                "{tab}: a control without a name: {}",
                el.outer_html()
            );
        }
    }
}

/// Plays at 100x for `ms` of wall time, then pauses.
async fn play_for(r: &Element, ms: u64) {
    select(r, "[data-testid=speed]", "100").await;
    click(r, "[data-testid=play]").await;
    sleep(Duration::from_millis(ms)).await;
    click(r, "[data-testid=play]").await;
}

#[wasm_bindgen_test]
async fn the_diagnosis_follows_the_shown_moment_and_marks_a_finding() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=tab-diagnosis]").await;
    assert_eq!(count(r, "[data-testid=finding-no_quorum]"), 0);
    // Two of three servers down: no quorum.
    let l = leader(r).unwrap();
    let other = if l == 1 { 2 } else { 1 };
    for sid in [l, other] {
        click(r, &format!("[data-testid=server-{sid}]")).await;
        click(r, "[data-testid=crash]").await;
    }
    click(r, "[data-testid=tab-diagnosis]").await;
    let f = text(r, "[data-testid=finding-no_quorum]");
    assert!(f.contains("critical") && f.contains("No leader"), "{f}");
    assert!(text(r, "[data-testid=diagnosis]").contains("server_down"));
    assert!(
        !text(r, "[data-testid=diag-cost]").starts_with("refreshes=0"),
        "the cost is kept"
    );
    // Clicking it marks the servers it names.
    click(r, "[data-testid=finding-no_quorum] button").await;
    assert_eq!(
        find(r, "[data-testid=finding-no_quorum] button")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    assert!(count(r, "svg.cluster g.server.diag") >= 1);
    // Back before the crashes: the finding is gone (it follows the timeline).
    type_in(r, "[data-testid=scrubber]", "1900", "input").await;
    assert_eq!(count(r, "[data-testid=finding-no_quorum]"), 0);
    click(r, "[data-testid=tab-diagnosis]").await;
    assert_eq!(count(r, "[data-testid=finding-no_quorum]"), 0);
}

#[wasm_bindgen_test]
async fn the_inspector_shows_the_load_and_the_leaders_learner_queues() {
    let app = mount().await;
    let r = &app.root;
    let l = leader(r).unwrap();
    click(r, &format!("[data-testid=server-{l}]")).await;
    assert!(text(r, "[data-testid=inspect-load]").contains("Outstanding requests"));
    assert_eq!(text(r, "[data-testid=inspect-outstanding]"), "0");
    assert!(text(r, "[data-testid=inspect-latency]").ends_with(" ms"));
    assert_eq!(count(r, "[data-testid=learner-queues] tbody tr"), 2);
    let f = if l == 1 { 2 } else { 1 };
    click(r, &format!("[data-testid=server-{f}]")).await;
    assert_eq!(
        count(r, "[data-testid=learner-queues]"),
        0,
        "a follower has none"
    );
    // A load from the Clients tab shows in its server's latency.
    click(r, "[data-testid=tab-clients]").await;
    click(r, "[data-testid=client-connect]").await;
    click(r, "[data-testid=start-load]").await;
    assert_eq!(count(r, "[data-testid=error]"), 0);
    play_for(r, 300).await;
    click(r, "[data-testid=server-1]").await;
    let latency = text(r, "[data-testid=inspect-latency]");
    assert_ne!(latency, "0/0.000/0 ms", "requests were answered");
}

#[wasm_bindgen_test]
async fn clients_run_recipes_watch_sync_and_multi_from_the_clients_tab() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=tab-clients]").await;
    click(r, "[data-testid=client-connect]").await;
    click(r, "[data-testid=client-connect]").await;
    // c2 watches /x (exists), c1 creates it in a multi.
    select(r, "[data-testid=op-client]", "c2").await;
    type_in(r, "[data-testid=read-path]", "/x", "change").await;
    select(r, "[data-testid=read-op]", "exists").await;
    click(r, "[data-testid=read-watch]").await;
    click(r, "[data-testid=sync]").await;
    select(r, "[data-testid=op-client]", "c1").await;
    click(r, "[data-testid=multi]").await;
    // Both take the lock on /lock.
    click(r, "[data-testid=run-recipe]").await;
    select(r, "[data-testid=op-client]", "c2").await;
    click(r, "[data-testid=run-recipe]").await;
    assert_eq!(count(r, "[data-testid=error]"), 0);
    play_for(r, 400).await;
    // How far 400 ms of wall time goes depends on the frame rate: between
    // one holder's release and the next one's grant nobody holds the lock,
    // so play on a little until someone does (or give up after 3 s).
    for _ in 0..30 {
        if count(r, "[data-testid=recipes] .recipe.holds") == 1 {
            break;
        }
        play_for(r, 100).await;
    }
    let watches = text(r, "[data-testid=watches]");
    assert!(watches.contains("c2 ← NodeCreated /x"), "{watches}");
    assert!(text(r, "[data-testid=writes]").contains("multi /x,/"));
    assert!(text(r, "[data-testid=reads]").contains("c2 exists /x"));
    let holders = count(r, "[data-testid=recipes] .recipe.holds");
    assert_eq!(holders, 1, "{}", text(r, "[data-testid=recipes]"));
    let holds = find(r, "[data-testid=recipes] .recipe.holds")
        .text_content()
        .unwrap();
    assert!(holds.contains("holds the lock since"), "{holds}");
    let who = if holds.contains("c1") { "c1" } else { "c2" };
    assert_eq!(
        count(r, &format!("[data-testid=holder-{who}]")),
        1,
        "marked in the cluster view"
    );
}

#[wasm_bindgen_test]
async fn a_partition_can_place_a_client_on_a_side() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=tab-clients]").await;
    click(r, "[data-testid=client-connect]").await;
    let l = leader(r).unwrap();
    click(r, "[data-testid=tab-network]").await;
    select(r, &format!("[data-testid=group-{l}]"), "1").await;
    select(r, "[data-testid=client-group-c1]", "1").await;
    click(r, "[data-testid=apply-partition]").await;
    assert_eq!(count(r, "[data-testid=error]"), 0);
    assert_eq!(count(r, "svg.cluster g.group"), 2);
    let others: Vec<String> = (1..=3).filter(|&s| s != l).map(|s| s.to_string()).collect();
    let state = text(r, "[data-testid=network-state]");
    assert!(
        state.contains(&format!(
            "client c1 cannot reach server(s) {}",
            others.join(", ")
        )),
        "{state}"
    );
    // The action on the timeline names the client's side.
    let marks = r.query_selector_all(".marker.mk-fault").unwrap();
    let labels: Vec<String> = (0..marks.length())
        .filter_map(|i| {
            marks
                .item(i)
                .unwrap()
                .dyn_into::<Element>()
                .unwrap()
                .get_attribute("aria-label")
        })
        .collect();
    assert!(
        labels
            .iter()
            .any(|a| a.contains("partition") && a.contains("c1")),
        "{labels:?}"
    );
}

#[wasm_bindgen_test]
async fn the_lock_hazard_is_shown_as_a_hazard_not_a_violation() {
    let json = include_str!("../../static/scenarios/lock-fencing-hazard.json");
    let frag = format!("#{}", zablab_web::share::encode(json, 40_000));
    let app = mount_at(&frag).await;
    let r = &app.root;
    for _ in 0..200 {
        if text(r, "[data-testid=time]") == "40.000 s" {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text(r, "[data-testid=time]"), "40.000 s");
    assert_eq!(count(r, ".marker.mk-hazard"), 1, "marked on the timeline");
    assert_eq!(count(r, ".marker.mk-violation"), 0);
    assert_eq!(text(r, "[data-testid=tab-invariants] .badge.hazard"), "1");
    click(r, "[data-testid=tab-invariants]").await;
    let h = text(r, "[data-testid=hazard-LockHolderExpired]");
    assert!(h.contains("fence"), "{h}");
    assert_eq!(count(r, ".prop.bad"), 0, "not a violation");
    click(r, "[data-testid=tab-clients]").await;
    assert!(text(r, "[data-testid=recipe-b]").contains("holds the lock"));
    assert!(text(r, "[data-testid=recipe-a]").contains("session expired"));
    assert_eq!(count(r, "[data-testid=holder-b]"), 1);
}

#[wasm_bindgen_test]
async fn a_random_seed_is_shown_in_the_form_and_carried_by_the_share_link() {
    let app = mount().await;
    let r = &app.root;
    click(r, "[data-testid=new-ensemble]").await;
    let seed_of = |r: &Element| {
        find(r, "[data-testid=setup-seed]")
            .dyn_into::<HtmlInputElement>()
            .unwrap()
            .value()
    };
    assert_eq!(seed_of(r), "1");
    click(r, "[data-testid=setup-random-seed]").await;
    let drawn = seed_of(r);
    let seed: u64 = drawn.parse().expect("a number in the seed field");
    assert!((1..=zablab_web::setup::RANDOM_SEED_MAX).contains(&seed));
    click(r, "[data-testid=setup-start]").await;
    click(r, "[data-testid=share]").await;
    let link = find(r, "[data-testid=share-link]")
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value();
    let frag = link.split_once('#').expect("a fragment").1;
    let (json, _) = zablab_web::share::decode(frag).unwrap();
    let s = zablab_core::Scenario::from_json(&json).unwrap();
    assert_eq!(s.seed, seed, "the run uses the seed shown");
}

// ----- the lesson player, on the fixture lesson (web/tests/fixture-lesson.json) -----

const FIXTURE: &str = include_str!("fixture-lesson.json");

/// Mounts the app with the fixture as its course (no fetch) and
/// `fragment` in the URL.
async fn mount_course(fragment: &str) -> Mounted {
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
    let props = zablab_web::app::AppProps {
        course: Some(vec![FIXTURE.to_string()]),
    };
    let handle =
        yew::Renderer::<zablab_web::App>::with_root_and_props(root.clone(), props).render();
    settle().await;
    Mounted {
        root,
        handle: Some(handle),
    }
}

fn phase(r: &Element) -> String {
    find(r, "[data-testid=lesson]")
        .get_attribute("data-phase")
        .unwrap_or_default()
}

/// Waits until the lesson shows `want` (a running step plays at its own
/// pace), then lets the other components catch up (Yew may render a new
/// component before the props updates of the others); fails saying where
/// it is instead.
async fn wait_phase(r: &Element, want: &str) {
    for _ in 0..300 {
        if r.query_selector("[data-testid=lesson]").unwrap().is_some() && phase(r) == want {
            sleep(Duration::from_millis(60)).await;
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("the lesson is not {want}: {}", phase(r));
}

fn attr(r: &Element, selector: &str, name: &str) -> String {
    find(r, selector).get_attribute(name).unwrap_or_default()
}

fn fragment() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

#[wasm_bindgen_test]
async fn the_course_opens_a_lesson_that_runs_asks_and_marks_the_computed_answer() {
    let app = mount_course("").await;
    let r = &app.root;
    click(r, "[data-testid=course]").await;
    let outline = text(r, "[data-testid=course-outline]");
    assert!(
        outline.contains("99. Fixture: a test lesson") && outline.contains("3 min"),
        "{outline}"
    );
    click(r, "[data-testid=open-fixture]").await;
    assert_eq!(count(r, "[data-testid=course-outline]"), 0);
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 1 of 4");
    select(r, "[data-testid=speed]", "100").await;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=time]"), "1.500 s");
    assert_eq!(
        text(r, "[data-testid=lesson-text]"),
        "Servers 1 and 2 started first."
    );
    assert_eq!(
        count(r, "svg.cluster g.server.lesson-mark"),
        2,
        "servers 1 and 2 pointed at"
    );
    assert_eq!(
        count(r, "[data-testid=lesson-answer]"),
        0,
        "no answer before the pick"
    );
    // Pick server 1 (wrong): the run goes to the reveal and the simulation
    // answers.
    click(r, "[data-testid=choice-0]").await;
    wait_phase(r, "revealed").await;
    assert_eq!(text(r, "[data-testid=time]"), "3.000 s");
    assert_eq!(attr(r, "[data-testid=lesson-answer]", "data-value"), "2");
    assert_eq!(attr(r, ".choice.correct", "data-value"), "2");
    assert!(find(r, "[data-testid=choice-0]")
        .class_list()
        .contains("wrong"));
    assert!(text(r, "[data-testid=lesson-answer]").contains("The simulation says server 2"));
    assert!(text(r, "[data-testid=lesson-explanation]").contains("server 2"));
    // The evidence: server 2, and the log on "LEADING".
    assert_eq!(count(r, "svg.cluster g.server.lesson-mark"), 1);
    assert!(find(r, "[data-testid=server-2]")
        .class_list()
        .contains("lesson-mark"));
    assert!(text(r, "[data-testid=lesson-log]").contains("LEADING"));
    assert!(text(r, "[data-testid=log-filter]").contains("LEADING"));
    assert_eq!(fragment(), "#lesson=fixture&step=1&lang=en");
    // Next runs to 30 s (the bug fires on the way); Next again jumps there.
    click(r, "[data-testid=lesson-next]").await;
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 2 of 4");
    click(r, "[data-testid=lesson-next]").await;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=time]"), "30.000 s");
    assert!(find(r, "[data-testid=prop-ProcessConsistency]")
        .class_list()
        .contains("lesson-mark"));
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=en");
    // Back: step 1 from its start, asking again.
    click(r, "[data-testid=lesson-back]").await;
    assert_eq!(phase(r), "asking");
    assert_eq!(text(r, "[data-testid=time]"), "1.500 s");
    assert_eq!(text(r, "[data-testid=lesson-position]"), "Step 1 of 4");
    assert_eq!(count(r, ".choice.correct"), 0);
}

#[wasm_bindgen_test]
async fn a_question_after_a_try_it_is_answered_by_the_learners_run() {
    let app = mount_course("#lesson=fixture&step=4").await;
    let r = &app.root;
    wait_phase(r, "trying").await;
    assert_eq!(text(r, "[data-testid=time]"), "30.000 s");
    assert_eq!(count(r, "[data-testid=lesson-next]"), 0, "Skip, or act");
    let l = leader(r).unwrap();
    let other = if l == 1 { 2 } else { 1 };
    // The learner crashes a follower, not the leader.
    click(r, &format!("[data-testid=server-{other}]")).await;
    click(r, "[data-testid=crash]").await;
    wait_phase(r, "asking").await;
    assert!(text(r, "[data-testid=lesson-try]").contains("You acted"));
    select(r, "[data-testid=speed]", "100").await;
    click(r, "[data-testid=choice-0]").await;
    wait_phase(r, "revealed").await;
    // The answer is the run's: the old leader still leads, not the
    // lesson's expected server 2.
    assert_eq!(
        attr(r, "[data-testid=lesson-answer]", "data-value"),
        l.to_string()
    );
    assert_eq!(attr(r, ".choice.correct", "data-value"), l.to_string());
    assert!(text(r, "[data-testid=lesson-differs]").contains("server 2"));
    // R (the rewind button): the step again, without the crash.
    click(r, "[data-testid=lesson-rewind]").await;
    assert_eq!(phase(r), "trying");
    assert_ne!(
        text(r, &format!("[data-testid=server-{other}-state]")),
        "DOWN"
    );
}

#[wasm_bindgen_test]
async fn skip_applies_the_try_its_default_actions() {
    let app = mount_course("#lesson=fixture&step=4").await;
    let r = &app.root;
    wait_phase(r, "trying").await;
    let l = leader(r).unwrap();
    click(r, "[data-testid=lesson-skip]").await;
    assert_eq!(phase(r), "asking");
    assert_eq!(text(r, &format!("[data-testid=server-{l}-state]")), "DOWN");
    assert!(!text(r, "[data-testid=lesson-try]").contains("You acted"));
}

#[wasm_bindgen_test]
async fn presenter_mode_shows_the_lesson_large_and_the_keys_drive_it() {
    let app = mount_course("#lesson=fixture&step=1").await;
    let r = &app.root;
    wait_phase(r, "asking").await;
    key("p").await;
    assert_eq!(count(r, ".lesson-presenter"), 1);
    assert_eq!(count(r, "svg.cluster"), 1);
    for gone in [
        "[data-testid=play]",
        "[data-testid=tab-server]",
        "[data-testid=spacetime]",
        "[data-testid=presets]",
    ] {
        assert_eq!(count(r, gone), 0, "{gone} is hidden in a presented lesson");
    }
    key("2").await; // picks server 2
    assert_eq!(attr(r, "[data-testid=choice-1]", "aria-pressed"), "true");
    key(" ").await; // jumps to the reveal
    wait_phase(r, "revealed").await;
    assert!(text(r, "[data-testid=lesson-answer]").starts_with("Right"));
    key("ArrowRight").await; // the next step (running)
    key(" ").await; // there at once
    wait_phase(r, "asking").await;
    assert_eq!(attr(r, "[data-testid=lesson]", "data-step"), "2");
    key("ArrowLeft").await;
    assert_eq!(attr(r, "[data-testid=lesson]", "data-step"), "1");
    assert_eq!(phase(r), "asking");
    key("1").await;
    key("r").await; // rewind: asking again, no pick
    assert_eq!(phase(r), "asking");
    assert_eq!(count(r, ".choice.picked"), 0);
    key("p").await;
    assert_eq!(count(r, ".lesson-presenter"), 0);
    assert_eq!(count(r, "[data-testid=play]"), 1);
}

#[wasm_bindgen_test]
async fn a_lesson_link_in_chinese_and_a_broken_one() {
    let app = mount_course("#lesson=fixture&step=2&lang=zh").await;
    let r = &app.root;
    wait_phase(r, "asking").await;
    assert_eq!(text(r, "[data-testid=lesson-title]"), "测试课程");
    assert_eq!(text(r, "[data-testid=lesson-position]"), "第 2 步，共 4 步");
    assert_eq!(text(r, "[data-testid=lesson-next]"), "揭晓");
    assert_eq!(
        find(r, ".zablab").get_attribute("lang").as_deref(),
        Some("zh")
    );
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=zh");
    // Back to English: the link follows.
    select(r, "[data-testid=language]", "en").await;
    assert_eq!(fragment(), "#lesson=fixture&step=2&lang=en");
    drop(app);
    let app = mount_course("#lesson=nope&step=1").await;
    let r = &app.root;
    sleep(Duration::from_millis(50)).await;
    assert!(text(r, "[data-testid=error]").contains("“nope”"));
    assert_eq!(count(r, "[data-testid=lesson]"), 0);
    assert_eq!(count(r, "svg.cluster g.server"), 3, "a working ensemble");
    drop(app);
    let app = mount_course("#lesson=fixture&step=two").await;
    assert!(text(&app.root, "[data-testid=error]").contains("“two” is not a step number"));
}
