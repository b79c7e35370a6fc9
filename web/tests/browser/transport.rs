//! The transport and time travel: stepping, playing, seeking, and forking
//! a branch by acting in the past; a new ensemble's seed carried by a
//! share link.

use super::*;

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
    let link = wait_for(r, "[data-testid=share-link]")
        .await
        .dyn_into::<HtmlInputElement>()
        .unwrap()
        .value();
    let frag = link.split_once('#').expect("a fragment").1;
    let (json, _) = zablab_web::share::decode(frag).unwrap();
    let s = zablab_core::Scenario::from_json(&json).unwrap();
    assert_eq!(s.seed, seed, "the run uses the seed shown");
}
