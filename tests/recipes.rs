//! The client recipes (lock, election, group, config, barrier) as built-in
//! workloads, their checks, and the lock's known hazard: a holder cut off
//! from the ensemble still believes it holds the lock after its session
//! expired and another client took it (why real systems fence).

use zablab_core::{RunSummary, Scenario, Simulation};

fn run(json: &str) -> RunSummary {
    let mut sim = Simulation::new(Scenario::from_json(json).expect("parses")).expect("loads");
    sim.run_to_end();
    sim.summary()
}

const RECIPES: &str = include_str!("reference/recipes.json");

fn view<'a>(s: &'a RunSummary, client: &str, recipe: &str) -> &'a zablab_core::sim::RecipeView {
    s.recipes
        .iter()
        .find(|r| r.client == client && r.recipe == recipe)
        .unwrap_or_else(|| panic!("no {recipe} view for {client}: {:#?}", s.recipes))
}

#[test]
fn every_recipe_works_through_a_leader_crash() {
    let s = run(RECIPES);
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    assert!(s.hazards.is_empty(), "{:#?}", s.hazards);
    assert_eq!(s.leaders.len(), 2, "the leader crash forced a second epoch");
    // The lock changed hands many times between a and b.
    let (a, b) = (view(&s, "a", "lock"), view(&s, "b", "lock"));
    assert!(
        a.times_acquired >= 3 && b.times_acquired >= 3,
        "{a:?} {b:?}"
    );
    assert!(!(a.holds && b.holds));
    // c created its election node first and still leads; a waits behind it.
    let (c, a_el) = (view(&s, "c", "election"), view(&s, "a", "election"));
    assert!(c.holds && !a_el.holds, "{c:?} {a_el:?}");
    assert!(
        a_el.status
            .starts_with("waits behind /app/election/c-lock-"),
        "{}",
        a_el.status
    );
    // Group members see each other; the config watcher saw the last value.
    assert_eq!(view(&s, "a", "group").members, ["a", "b"]);
    assert_eq!(view(&s, "b", "config").data.as_deref(), Some("v3"));
    // The barrier opened for all three, only once c (the third) arrived.
    for who in ["a", "b", "c"] {
        let v = view(&s, who, "barrier");
        assert!(v.passed && v.members.len() == 3, "{v:?}");
    }
}

#[test]
fn the_lock_check_catches_a_client_that_ignores_the_lock_order() {
    let broken = RECIPES.replace(
        r#""participants":[1,2,3]}"#,
        r#""participants":[1,2,3],"variants":["broken_lock_ignores_order"]}"#,
    );
    assert_ne!(broken, RECIPES);
    let s = run(&broken);
    let v = s
        .violations
        .iter()
        .find(|v| v.property == "LockMutualExclusion")
        .unwrap_or_else(|| panic!("not caught: {:#?}", s.violations));
    assert!(v.detail.contains("believes it holds /app/"), "{}", v.detail);
}

/// a holds the lock; a partition cuts a (and its server 1) off from the
/// majority, where b waits. a's session expires, its node is deleted, b
/// takes the lock, while a, unable to reach the ensemble, still believes it
/// holds it: ZooKeeper's guarantees hold, the application's do not.
const FENCING: &str = r#"{"zablab":1,"seed":11,"name":"fencing hazard","ensemble":{"participants":[1,2,3]},"until_ms":40000,"actions":[
{"at_ms":0,"do":"start","servers":[1,2,3]},
{"at_ms":1000,"do":"connect","client":"a","server":1,"session_timeout_ms":6000},
{"at_ms":1000,"do":"connect","client":"b","server":2,"session_timeout_ms":6000},
{"at_ms":2000,"do":"recipe","client":"a","recipe":"lock","path":"/lock","hold_ms":60000},
{"at_ms":2500,"do":"recipe","client":"b","recipe":"lock","path":"/lock","hold_ms":60000},
{"at_ms":5000,"do":"partition","groups":[[1],[2,3]],"clients":[["a"],["b"]]},
{"at_ms":30000,"do":"heal"}]}"#;

#[test]
fn a_cut_off_lock_holder_is_the_fencing_hazard_not_a_violation() {
    let s = run(FENCING);
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    let h = s
        .hazards
        .iter()
        .find(|h| h.kind == "LockHolderExpired")
        .unwrap_or_else(|| panic!("no hazard: {:#?}", s.hazards));
    assert_eq!(h.clients, ["a", "b"]);
    // Not before the session timeout has run since the last ping (pings go
    // every timeout/3), long before the heal.
    assert!(h.at_ms > 5000 + 6000 - 2000 && h.at_ms < 30_000, "{h:?}");
    assert!(h.detail.contains("fence"), "{}", h.detail);
    // b took the lock while a was cut off; a learns of its expiry only
    // after the heal, and its view says so.
    let b = view(&s, "b", "lock");
    assert!(b.holds, "{b:?}");
    let a = view(&s, "a", "lock");
    assert!(
        !a.holds && a.status.contains("its session expired"),
        "{}",
        a.status
    );
    assert!(
        a.status.contains("believed it held the lock since 2.0 s"),
        "{}",
        a.status
    );
}

#[test]
fn a_lock_holder_whose_partition_heals_in_time_keeps_its_lock() {
    // The same cut, healed after 3 s: TCP holds the data, a's session
    // survives (6 s timeout), nothing changes hands.
    let short = FENCING.replace(
        r#""at_ms":30000,"do":"heal""#,
        r#""at_ms":8000,"do":"heal""#,
    );
    let s = run(&short);
    assert!(
        s.violations.is_empty() && s.hazards.is_empty(),
        "{:#?}",
        s.hazards
    );
    assert!(view(&s, "a", "lock").holds);
    assert!(!view(&s, "b", "lock").holds);
}

#[test]
fn the_hazard_presets_show_their_hazard_and_no_violation() {
    for (file, kind, finding) in [
        (
            "lock-fencing-hazard.json",
            "LockHolderExpired",
            "lock_fencing",
        ),
        (
            "sync-stale-leader.json",
            "SyncReadNotLinearizable",
            "sync_not_linearizable",
        ),
    ] {
        let path = format!("{}/static/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let mut sim =
            Simulation::new(Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap())
                .unwrap();
        sim.run_to_end();
        // The diagnosis says so too, in plain words.
        let d = sim.diagnose();
        assert!(
            d.of(finding).next().is_some(),
            "{file}: no {finding} in\n{}",
            d.render()
        );
        let s = sim.summary();
        assert!(s.violations.is_empty(), "{file}: {:#?}", s.violations);
        assert!(
            s.hazards.iter().any(|h| h.kind == kind),
            "{file}: no {kind}: {:#?}",
            s.hazards
        );
    }
}
