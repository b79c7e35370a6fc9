//! The side panels: the log and invariants, the four-letter-word console,
//! the diagnosis, the inspector's load figures.

use super::*;

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
