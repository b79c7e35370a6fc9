//! Client reads and the client-history checks (ZooKeeper's guarantees):
//! a session reads its own writes, a lagging follower may answer stale
//! (sequential consistency allows it), and a read path that skips the
//! session's order is caught.

use zablab_core::{RunSummary, Scenario, Simulation};

fn run(json: &str) -> RunSummary {
    let mut sim = Simulation::new(Scenario::from_json(json).expect("parses")).expect("loads");
    sim.run_to_end();
    sim.summary()
}

const READS: &str = include_str!("reference/reads-stale-follower.json");

#[test]
fn a_session_reads_its_own_write_and_a_lagging_follower_answers_stale() {
    let s = run(READS);
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    // a (on server 1) reads /x right behind its own setData: it sees "2".
    let a_first = s
        .reads
        .iter()
        .find(|r| r.client == "a" && r.path == "/x")
        .unwrap();
    assert_eq!(a_first.data.as_deref(), Some("2"));
    assert_eq!(a_first.version, 1);
    // b (on server 2, 400 ms behind the leader) reads the old value at the
    // same moment; later it sees the new one.
    let b: Vec<_> = s
        .reads
        .iter()
        .filter(|r| r.client == "b" && r.path == "/x")
        .collect();
    assert_eq!(b[0].data.as_deref(), Some("1"), "{b:#?}");
    assert!(b[0].zxid < a_first.zxid);
    assert_eq!(b[1].data.as_deref(), Some("2"));
    // exists on a missing node answers OK with no stat; getChildren lists names.
    let missing = s.reads.iter().find(|r| r.path == "/nope").unwrap();
    assert_eq!(
        (missing.result.as_str(), missing.data.as_deref()),
        ("OK", None)
    );
    let kids = s.reads.iter().find(|r| r.op == "getChildren").unwrap();
    assert_eq!(
        kids.children,
        vec!["x".to_string(), "zookeeper".to_string()]
    );
}

#[test]
fn a_read_path_that_skips_the_session_order_is_caught() {
    let broken = READS.replace(
        r#""variants":[]"#,
        r#""variants":["broken_reads_skip_session_order"]"#,
    );
    assert_ne!(broken, READS);
    let s = run(&broken);
    let v = s
        .violations
        .iter()
        .find(|v| v.property == "ClientSessionOrder")
        .unwrap_or_else(|| panic!("not caught: {:#?}", s.violations));
    assert!(
        v.detail.starts_with("a: the answer to request"),
        "{}",
        v.detail
    );
    // What a saw: its own setData was still pending, so it read "1".
    let a_first = s
        .reads
        .iter()
        .find(|r| r.client == "a" && r.path == "/x")
        .unwrap();
    assert_eq!(a_first.data.as_deref(), Some("1"));
}

#[test]
fn getdata_on_a_missing_node_is_nonode() {
    let json = r#"{"zablab":1,"seed":2,"ensemble":{"participants":[1]},"until_ms":3000,
        "actions":[{"at_ms":0,"do":"start","servers":[1]},
        {"at_ms":500,"do":"connect","client":"c","server":1},
        {"at_ms":1000,"do":"read","client":"c","path":"/missing"}]}"#;
    let s = run(json);
    assert_eq!(s.reads.len(), 1);
    assert_eq!(s.reads[0].result, "NoNode");
    assert!(s.violations.is_empty());
}
