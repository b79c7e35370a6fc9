//! The cluster view and the page around it: servers and their leader,
//! the inspector and its faults, partitions drawn as groups, language,
//! presenter mode, help, the diagram, and every control's accessible name.

use super::*;

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
        Some("Crash server 2 (kill -9: what reached the OS survives)")
    );
    assert_eq!(
        find(r, "[data-testid=power-off]")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Power off server 2: what it has not fsynced is lost")
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
