//! The server log speaks ZooKeeper's words: every golden line of
//! `docs/REAL-ZK.md` (kept verbatim in `tests/real-zk/golden-log.tsv`)
//! appears in the log of a scenario that reproduces its situation, with the
//! same class, level and message text (values aside: numbers, zxids, ports
//! and sids are masked). The few lines the model cannot produce are listed in
//! [`NOT_PRODUCED`] with the reason, and the test checks that list stays
//! exact.

use zablab_core::{Scenario, Simulation};

const GOLDEN: &str = include_str!("real-zk/golden-log.tsv");

/// Golden events the model does not reproduce, and why.
const NOT_PRODUCED: &[(&str, &str)] = &[];

/// `2026-… - LEVEL [thread:Class@line] - message` → (class, level, message).
fn parse_golden(line: &str) -> (String, String, String) {
    let (head, message) = line.split_once("] - ").expect("a log4j line");
    let (prefix, thread_class) = head.split_once(" [").expect("thread");
    let level = prefix.rsplit(" - ").next().unwrap().trim().to_string();
    let at = thread_class.rfind('@').unwrap();
    let colon = thread_class[..at].rfind(':').unwrap();
    let class = thread_class[colon + 1..at].to_string();
    (class, level, message.to_string())
}

/// The message with its values masked: hex numbers become `0x#`, other
/// digit runs `#`.
fn template(text: &str) -> String {
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && b.get(i + 1) == Some(&b'x') {
            out.push_str("0x#");
            i += 2;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
        } else if b[i].is_ascii_digit() {
            out.push('#');
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn run(json: &str) -> Simulation {
    let mut sim = Simulation::new(Scenario::from_json(json).expect("parses")).expect("loads");
    sim.run_to_end();
    assert!(sim.violations().is_empty(), "{:#?}", sim.violations());
    sim
}

fn three(name: &str, extra: &str, actions: &str) -> String {
    format!(
        r#"{{ "zablab": 1, "name": "{name}", "seed": 11,
  "ensemble": {{ "participants": [1, 2, 3], "tick_ms": 2000, "init_limit": 10, "sync_limit": 5 {extra} }},
  "until_ms": 40000,
  "actions": [
    {{ "at_ms": 0, "do": "start", "servers": [1] }},
    {{ "at_ms": 1000, "do": "start", "servers": [2] }},
    {{ "at_ms": 5000, "do": "start", "servers": [3] }},
    {{ "at_ms": 8000, "do": "connect", "client": "c1", "server": 1, "session_timeout_ms": 8000 }},
    {{ "at_ms": 8500, "do": "write", "client": "c1", "count": 10 }}{actions} ] }}"#
    )
}

/// The scenarios, by name.
fn scenarios() -> Vec<(&'static str, Simulation)> {
    let reference = |f: &str| std::fs::read_to_string(format!("tests/reference/{f}")).unwrap();
    vec![
        // Start 1, then 2, then 3 (docs/REAL-ZK.md, run b), a session, ten
        // writes; kill the leader (2), restart it: it rejoins by DIFF; then a
        // follower goes away.
        (
            "staggered, kill the leader, restart it",
            run(&three(
                "golden: staggered",
                "",
                r#",
    { "at_ms": 12000, "do": "crash", "server": 2 },
    { "at_ms": 20000, "do": "restart", "server": 2 },
    { "at_ms": 30000, "do": "crash", "server": 1 }"#,
            )),
        ),
        // Both followers die: the leader (2) steps down at a tick.
        (
            "the leader loses its quorum",
            run(&three(
                "golden: lose quorum",
                "",
                r#",
    { "at_ms": 12000, "do": "crash", "server": 1 },
    { "at_ms": 12000, "do": "crash", "server": 3 }"#,
            )),
        ),
        ("sync-snap", run(&reference("sync-snap.json"))),
        (
            "sync-snap, txn-log sync disabled",
            run(&reference("sync-snap.json").replace(
                r#""snap_count": 50 }"#,
                r#""snap_count": 50, "snapshot_size_factor_pct": -1 }"#,
            )),
        ),
        ("sync-trunc", run(&reference("sync-trunc.json"))),
        (
            "TRUNC refused across epochs",
            run(&reference("sync-trunc.json").replace(
                r#"{ "at_ms": 20000, "do": "restart", "server": 2 },"#,
                r#"{ "at_ms": 15000, "do": "connect", "client": "c2", "server": 1 },
    { "at_ms": 16000, "do": "write", "client": "c2", "count": 3 },
    { "at_ms": 20000, "do": "restart", "server": 2 },"#,
            )),
        ),
        ("session-expiry", run(&reference("session-expiry.json"))),
        // docs/REAL-ZK.md, "The txn log on disk": a follower down for 700
        // writes; the leader's log never rolled (DIFF from the txn log) or
        // rolled every few dozen txns (SNAP on the size limit).
        (
            "700 writes while down",
            run(&three("golden: txnlog", "", FOLLOWER_DOWN_700)),
        ),
        (
            "700 writes while down, snapCount 50",
            run(&three(
                "golden: txnlog rolled",
                r#", "snap_count": 50"#,
                FOLLOWER_DOWN_700,
            )),
        ),
    ]
}

/// Follower 3 down while the leader (2) takes 700 writes.
const FOLLOWER_DOWN_700: &str = r#",
    { "at_ms": 10000, "do": "crash", "server": 3 },
    { "at_ms": 10500, "do": "write", "client": "c1", "count": 700 },
    { "at_ms": 20000, "do": "restart", "server": 3 }"#;

/// The scenario that reproduces a golden line's situation.
fn scenario_for(message: &str) -> &'static str {
    if message.contains("Use txnlog") || message.starts_with("Got zxid") {
        "700 writes while down"
    } else if message.contains("Txnlog size") {
        "700 writes while down, snapCount 50"
    } else if message.contains("txnLogSyncEnabled=false") {
        "sync-snap, txn-log sync disabled"
    } else if message.contains("Cannot send TRUNC") || message.contains("fall back to use snapshot")
    {
        "TRUNC refused across epochs"
    } else if message.contains("snap") || message.contains("snapshot") {
        "sync-snap"
    } else if message.contains("TRUNC")
        || message.contains("trunc")
        || message.contains("Truncating")
    {
        "sync-trunc"
    } else if message.contains("Expiring session") || message.contains("closeSession") {
        "session-expiry"
    } else if message.contains("Not sufficient followers") {
        "the leader loses its quorum"
    } else {
        "staggered, kill the leader, restart it"
    }
}

#[test]
fn every_golden_line_appears_in_its_scenarios_log() {
    let runs = scenarios();
    let mut missing = Vec::new();
    let mut found = 0;
    for row in GOLDEN.lines().filter(|l| !l.is_empty()) {
        let (event, line) = row.split_once('\t').unwrap();
        let (class, level, message) = parse_golden(line);
        let want = template(&message);
        let scenario = scenario_for(&message);
        let hit = runs
            .iter()
            .filter(|(n, _)| *n == scenario)
            .find(|(_, sim)| {
                sim.log().iter().any(|l| {
                    l.class == class
                        && l.level.name() == level
                        && template(l.text.lines().next().unwrap_or("")) == want
                })
            });
        let excused = NOT_PRODUCED.iter().any(|(m, _)| *m == message);
        match (hit, excused) {
            (Some(_), false) => found += 1,
            (Some((name, _)), true) => {
                panic!("{event}: `{message}` is produced (in {name}): drop it from NOT_PRODUCED")
            }
            (None, true) => {}
            (None, false) => missing.push(format!(
                "{event} (in {scenario}): {level} [{class}] {message}"
            )),
        }
    }
    assert!(
        missing.is_empty(),
        "golden lines not produced:\n{}",
        missing.join("\n")
    );
    assert_eq!(
        found + NOT_PRODUCED.len(),
        GOLDEN.lines().filter(|l| !l.is_empty()).count()
    );
}

#[test]
fn templates_mask_values_only() {
    assert_eq!(
        template("Sending DIFF zxid=0x20000000a  for peer sid: 3"),
        "Sending DIFF zxid=0x#  for peer sid: #"
    );
    assert_eq!(
        template("Have quorum of supporters, sids: [[1, 2]]; starting up"),
        "Have quorum of supporters, sids: [[#, #]]; starting up"
    );
    let (class, level, message) = parse_golden("2026-11-25 02:47:41,238 - INFO  [LeaderConnector-/127.0.0.1:28882:Learner$LeaderConnector@384] - Successfully connected to leader, using address: /127.0.0.1:28882");
    assert_eq!(class, "Learner$LeaderConnector");
    assert_eq!(level, "INFO");
    assert_eq!(
        message,
        "Successfully connected to leader, using address: /127.0.0.1:28882"
    );
}
