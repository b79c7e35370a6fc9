//! The clients tab: connect and write, the client API's operations and
//! recipes, clients placed on a partition's side, the lock hazard.

use super::*;

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
    let json = include_str!("../../../static/scenarios/lock-fencing-hazard.json");
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
