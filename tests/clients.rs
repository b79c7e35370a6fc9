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

const API: &str = include_str!("reference/client-api.json");

#[test]
fn sequential_names_take_the_parent_cversion_which_deletes_do_not_lower() {
    let s = run(API);
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    let created: Vec<&str> = s
        .writes
        .iter()
        .filter(|w| w.op == "create" && w.path.starts_with("/q/"))
        .map(|w| w.path.as_str())
        .collect();
    // n-0..2, then n-1 is deleted; the next sequential child is still 3
    // (`%010d` of the parent's cversion, which only creates raise).
    assert_eq!(
        created,
        [
            "/q/n-0000000000",
            "/q/n-0000000001",
            "/q/n-0000000002",
            "/q/e-0000000003"
        ]
    );
}

#[test]
fn a_multi_commits_all_its_ops_or_none() {
    let s = run(API);
    let multis: Vec<(&str, Option<String>)> = s
        .writes
        .iter()
        .filter(|w| w.op == "multi")
        .map(|w| (w.result.as_str(), w.zxid.map(|z| z.to_string())))
        .collect();
    assert_eq!(multis.len(), 2);
    assert_eq!(multis[0].0, "OK");
    // The second fails on its check op, yet still takes a zxid.
    assert_eq!(multis[1].0, "BadVersion");
    assert!(multis[1].1.is_some());
    // Its setData did not apply: /cfg still holds "1" at version 0.
    let read = s
        .reads
        .iter()
        .find(|r| r.op == "getData" && r.path == "/cfg")
        .unwrap();
    assert_eq!((read.data.as_deref(), read.version), (Some("1"), 0));
}

#[test]
fn watches_fire_once_on_the_commit_that_changes_the_node() {
    let s = run(API);
    let got: Vec<(&str, &str)> = s
        .watches
        .iter()
        .map(|w| (w.event, w.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("NodeCreated", "/cfg"),
            ("NodeChildrenChanged", "/q"),
            ("NodeDataChanged", "/cfg"),
        ],
        "exists on a missing node, getChildren and getData watches, each once"
    );
    // The multi's create of /cfg fired the exists watch with the multi's zxid.
    let multi = s.writes.iter().find(|w| w.op == "multi").unwrap();
    assert_eq!(Some(s.watches[0].zxid), multi.zxid);
}

/// b watches /w on server 2; server 2 crashes; while b reconnects to
/// another server, a changes /w. The client library re-sends its watches
/// (SetWatches with the last zxid it saw) and the new server fires at once.
const SET_WATCHES: &str = r#"{"zablab":1,"seed":5,"ensemble":{"participants":[1,2,3]},"until_ms":12000,"actions":[
{"at_ms":0,"do":"start","servers":[1,2,3]},
{"at_ms":1000,"do":"connect","client":"a","server":1,"session_timeout_ms":10000},
{"at_ms":1000,"do":"connect","client":"b","server":2,"session_timeout_ms":10000},
{"at_ms":1500,"do":"write","client":"a","path":"/w","data":"1"},
{"at_ms":2000,"do":"read","client":"b","path":"/w","watch":true},
{"at_ms":3000,"do":"crash","server":2},
{"at_ms":3001,"do":"write","client":"a","op":"set","path":"/w","data":"2"}]}"#;

#[test]
fn a_watch_survives_a_reconnect_and_fires_for_what_was_missed() {
    let mut json = SET_WATCHES.to_string();
    // Make sure server 2 is a follower in this seed (b must lose it).
    let s = run(&json);
    assert!(s.leaders.iter().all(|l| l.sid != 2), "{:?}", s.leaders);
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    assert_eq!(s.watches.len(), 1, "{:#?}", s.watches);
    let w = &s.watches[0];
    assert_eq!(
        (w.client.as_str(), w.event, w.path.as_str()),
        ("b", "NodeDataChanged", "/w")
    );
    assert_ne!(w.server, 2, "fired by the server b reconnected to");
    // Without the change while b was away, nothing fires.
    json = json.replace(
        r#"{"at_ms":3001,"do":"write","client":"a","op":"set","path":"/w","data":"2"}"#,
        r#"{"at_ms":3001,"do":"write","client":"a","path":"/other"}"#,
    );
    assert!(run(&json).watches.is_empty());
}

/// Jepsen's ZooKeeper finding, run for real: the leader is cut off from
/// its followers but not from its client a; the followers elect a new
/// leader and b's writes commit there; until the old leader notices (its
/// tick check), it still answers a's sync at once and the next read is
/// stale. ZooKeeper allows this (sync is not a quorum round): it is
/// reported as a hazard, not a violation.
#[test]
fn sync_then_read_under_a_deposed_leader_is_reported_as_a_hazard() {
    let mut actions = vec![
        r#"{"at_ms":0,"do":"start","servers":[1,2,3]}"#.to_string(),
        r#"{"at_ms":1000,"do":"connect","client":"a","server":3,"session_timeout_ms":30000}"#
            .into(),
        r#"{"at_ms":1000,"do":"connect","client":"b","server":1,"session_timeout_ms":30000}"#
            .into(),
        r#"{"at_ms":1500,"do":"write","client":"b","path":"/x","data":"1"}"#.into(),
        r#"{"at_ms":5000,"do":"partition","groups":[[3],[1,2]]}"#.into(),
    ];
    for t in (14_000..18_000).step_by(50) {
        actions.push(format!(
            r#"{{"at_ms":{t},"do":"write","client":"b","op":"set","path":"/x","data":"v{t}"}}"#
        ));
        actions.push(format!(
            r#"{{"at_ms":{},"do":"sync","client":"a","path":"/x"}}"#,
            t + 10
        ));
        actions.push(format!(
            r#"{{"at_ms":{},"do":"read","client":"a","path":"/x"}}"#,
            t + 10
        ));
    }
    let json = format!(
        r#"{{"zablab":1,"seed":1,"ensemble":{{"participants":[1,2,3]}},"until_ms":25000,"actions":[{}]}}"#,
        actions.join(",")
    );
    let s = run(&json);
    assert_eq!(
        s.leaders[0].sid, 3,
        "seed 1 elects 3 first: {:?}",
        s.leaders
    );
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    let h = s
        .hazards
        .iter()
        .find(|h| h.kind == "SyncReadNotLinearizable")
        .unwrap_or_else(|| panic!("{:#?}", s.hazards));
    assert!(h.detail.contains("on server 3"), "{}", h.detail);
    assert!(h.detail.contains("deposed leader"), "{}", h.detail);
}

/// A client asks for 20 s but the servers clamp it to 20 ticks (4 s at
/// tickTime 200): it must ping by the negotiated timeout, and its session,
/// on a healthy ensemble, must live.
#[test]
fn a_client_pings_by_the_negotiated_timeout_not_the_requested_one() {
    let json = r#"{"zablab":1,"seed":3,"ensemble":{"participants":[1,2,3],"tick_ms":200},"until_ms":30000,"actions":[
{"at_ms":0,"do":"start","servers":[1,2,3]},
{"at_ms":1000,"do":"connect","client":"a","server":1,"session_timeout_ms":20000},
{"at_ms":29000,"do":"write","client":"a","path":"/alive"}]}"#;
    let s = run(json);
    assert!(
        s.violations.is_empty() && s.action_errors.is_empty(),
        "{:#?}",
        s.action_errors
    );
    let w = s.writes.iter().find(|w| w.path == "/alive").unwrap();
    assert_eq!(w.result, "OK", "{w:?}");
}

/// `wchs` and `mntr` count the watches a server holds for its clients.
#[test]
fn the_four_letter_words_count_watches() {
    let json = r#"{"zablab":1,"seed":4,"ensemble":{"participants":[1,2,3]},"until_ms":5000,"actions":[
{"at_ms":0,"do":"start","servers":[1,2,3]},
{"at_ms":1000,"do":"connect","client":"a","server":1},
{"at_ms":1000,"do":"connect","client":"b","server":1},
{"at_ms":1500,"do":"write","client":"a","path":"/w"},
{"at_ms":2000,"do":"read","client":"a","path":"/w","watch":true},
{"at_ms":2000,"do":"read","client":"b","path":"/w","watch":true},
{"at_ms":2000,"do":"read","client":"b","path":"/","op":"children","watch":true},
{"at_ms":3000,"do":"4lw","server":1,"cmd":"wchs"},
{"at_ms":3000,"do":"4lw","server":1,"cmd":"mntr"}]}"#;
    let s = run(json);
    let out = |cmd: &str| {
        s.fourlw
            .iter()
            .find(|f| f.cmd == cmd)
            .unwrap()
            .output
            .clone()
    };
    assert_eq!(
        out("wchs"),
        "2 connections watching 1 paths\nTotal watches:2\n"
    );
    assert!(
        out("mntr").contains("zk_watch_count\t3\n"),
        "{}",
        out("mntr")
    );
}

/// a saw 0x100000002 on server 1; 1 dies; the next server a tries (2) is
/// behind (its link from leader 3 is slow) and refuses it, as ZooKeeper
/// does ("client must try another server"); a moves on to 3 and keeps its
/// session: its next write is on the same session.
#[test]
fn a_server_behind_the_client_refuses_it_and_the_session_survives_elsewhere() {
    let json = r#"{"zablab":1,"seed":9,"ensemble":{"participants":[1,2,3]},"until_ms":12000,"actions":[
{"at_ms":0,"do":"start","servers":[1,2,3]},
{"at_ms":1000,"do":"connect","client":"a","server":1,"session_timeout_ms":10000},
{"at_ms":1500,"do":"slow_link","from":3,"to":2,"latency_ms":3000},
{"at_ms":1600,"do":"write","client":"a","path":"/x"},
{"at_ms":1700,"do":"crash","server":1},
{"at_ms":8000,"do":"write","client":"a","path":"/y"}]}"#;
    let mut sim = Simulation::new(Scenario::from_json(json).unwrap()).unwrap();
    sim.run_to_end();
    assert!(sim.log().iter().any(|l| l.sid == 2
        && l.text.starts_with("Refusing session request for client")
        && l.text
            .ends_with("our last zxid is 0x100000001 client must try another server")));
    let s = sim.summary();
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    let results: Vec<(&str, &str)> = s
        .writes
        .iter()
        .map(|w| (w.path.as_str(), w.result.as_str()))
        .collect();
    assert_eq!(results, [("/x", "OK"), ("/y", "OK")]);
    // Still one session: no second createSession.
    assert_eq!(sim.committed_tree().sessions.len(), 1);
}
