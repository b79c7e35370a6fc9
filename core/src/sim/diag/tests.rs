//! One scenario per finding kind: it must produce the finding (with the
//! servers, links, zxids and settings that explain it), and a healthy run
//! must produce none.

use crate::diagnosis::{Diagnosis, Finding, Severity};
use crate::{Scenario, Simulation};

/// Start 1, then 2, then 3 (`docs/REAL-ZK.md` b): 2 leads, 1 and 3 follow. A
/// client `c1` on follower 1 and `c2` on the leader.
fn staggered(tick: u64, until: u64, extra: &str) -> String {
    format!(
        r#"{{ "zablab": 1, "name": "diagnosis test", "seed": 1,
  "ensemble": {{ "participants": [1, 2, 3], "tick_ms": {tick}, "init_limit": 10, "sync_limit": 5 }},
  "until_ms": {until},
  "actions": [
    {{ "at_ms": 0, "do": "start", "servers": [1] }},
    {{ "at_ms": 1000, "do": "start", "servers": [2] }},
    {{ "at_ms": 3000, "do": "start", "servers": [3] }},
    {{ "at_ms": 4000, "do": "connect", "client": "c1", "server": 1, "session_timeout_ms": 30000 }},
    {{ "at_ms": 4000, "do": "connect", "client": "c2", "server": 2, "session_timeout_ms": 30000 }},
    {{ "at_ms": 4500, "do": "write", "client": "c1", "count": 5 }}{extra} ] }}"#
    )
}

fn run(json: &str) -> (Simulation, Diagnosis) {
    let mut sim = Simulation::new(Scenario::from_json(json).expect("parses")).expect("loads");
    sim.run_to_end();
    assert!(sim.violations().is_empty(), "{:#?}", sim.violations());
    let d = sim.diagnose();
    (sim, d)
}

fn one<'a>(d: &'a Diagnosis, id: &str) -> &'a Finding {
    d.of(id)
        .next()
        .unwrap_or_else(|| panic!("no {id} in\n{}", d.render()))
}

fn setting<'a>(f: &'a Finding, name: &str) -> &'a str {
    &f.settings
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no setting {name} in {f:#?}"))
        .value
}

#[test]
fn a_healthy_run_has_nothing_to_report() {
    let json = staggered(
        2000,
        12_000,
        r#",
    { "at_ms": 6000, "do": "read", "client": "c1", "path": "/c1-1" },
    { "at_ms": 7000, "do": "write", "client": "c2", "count": 5 }"#,
    );
    let (sim, d) = run(&json);
    assert_eq!(sim.established_leader(), Some(2));
    assert!(d.findings.is_empty(), "{}", d.render());
    assert!(d.render().contains("nothing to report"));
}

#[test]
fn server_down_and_leader_change() {
    let (_, d) = run(&staggered(
        2000,
        12_000,
        r#",
    { "at_ms": 6000, "do": "crash", "server": 2 }"#,
    ));
    let down = one(&d, "server_down");
    assert_eq!(down.server, Some(2));
    assert!(
        down.text.contains("crashed at 6000 ms (killed: kill -9)"),
        "{}",
        down.text
    );
    let change = one(&d, "leader_change");
    assert!(!change.now);
    assert_eq!(change.at_ms, 6000);
    assert!(
        change
            .text
            .contains("Leader 2 (epoch 1) was lost at 6000 ms: it was killed."),
        "{}",
        change.text
    );
    assert!(
        change.text.contains("was established at"),
        "{}",
        change.text
    );
    assert!(!d.has("no_quorum"));
}

#[test]
fn a_paused_server() {
    let (_, d) = run(&staggered(
        2000,
        12_000,
        r#",
    { "at_ms": 9000, "do": "pause", "server": 3, "for_ms": 30000 }"#,
    ));
    let f = one(&d, "server_paused");
    assert_eq!(
        (f.server, f.at_ms, f.until_ms),
        (Some(3), 9000, Some(39_000))
    );
    assert_eq!(setting(f, "syncLimit"), "5 ticks (10000 ms)");
}

#[test]
fn no_quorum_says_how_many_voters_reach_each_other() {
    let json = r#"{ "zablab": 1, "name": "no quorum", "seed": 3,
  "ensemble": { "participants": [1, 2, 3, 4, 5] }, "until_ms": 20000,
  "actions": [
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4, 5] },
    { "at_ms": 6000, "do": "crash", "server": 5 },
    { "at_ms": 6000, "do": "partition", "groups": [[1, 2], [3, 4], [5]] } ] }"#;
    let (_, d) = run(json);
    let f = one(&d, "no_quorum");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.text.starts_with("No leader: no quorum. 2 of 5 voters can reach each other (1 and 2); a leader needs 3 of 5."),
        "{}",
        f.text
    );
    assert!(
        f.text.contains("5 is down (killed at 6000 ms)"),
        "{}",
        f.text
    );
    assert!(f
        .links
        .iter()
        .any(|l| (l.from, l.to, l.state) == (1, 3, "cut")));
    assert!(f.servers.contains(&3) && f.servers.contains(&5) && !f.servers.contains(&1));
}

/// Every voter down, then a partition among them: the crashes are why
/// there is no leader, and no side "keeps or elects a leader".
#[test]
fn no_quorum_when_every_voter_is_down_blames_the_crash_not_the_partition() {
    let json = r#"{ "zablab": 1, "name": "all down", "seed": 3,
  "ensemble": { "participants": [1, 2, 3] }, "until_ms": 11000,
  "actions": [
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3] },
    { "at_ms": 6000, "do": "crash", "server": 3 },
    { "at_ms": 10000, "do": "crash", "server": 1 },
    { "at_ms": 10000, "do": "crash", "server": 2 },
    { "at_ms": 11000, "do": "partition", "groups": [[1], [2, 3]] } ] }"#;
    let (_, d) = run(json);
    let f = one(&d, "no_quorum");
    assert!(
        f.text.starts_with(
            "No leader: no quorum. None of the 3 voters is running; a leader needs 2 of 3."
        ),
        "{}",
        f.text
    );
    let cause = f.cause.as_deref().unwrap_or("");
    assert!(cause.starts_with("down"), "blamed on {cause}");
    let p = one(&d, "partition");
    assert!(
        p.text.contains("No side has a quorum of running voters"),
        "{}",
        p.text
    );
}

#[test]
fn leader_not_established_while_electing() {
    // Right after the leader dies the others are still electing.
    let (_, d) = run(&staggered(
        2000,
        6050,
        r#",
    { "at_ms": 6000, "do": "crash", "server": 2 }"#,
    ));
    let f = one(&d, "leader_not_established");
    assert!(f.text.contains("a quorum can talk"), "{}", f.text);
    assert!(
        f.text.contains("LOOKING: an election is running"),
        "{}",
        f.text
    );
    assert!(!d.has("no_quorum"));
}

#[test]
fn a_stalled_write_names_the_missing_acks() {
    let (_, d) = run(&staggered(
        2000,
        9000,
        r#",
    { "at_ms": 6000, "do": "pause", "server": 1, "for_ms": 20000 },
    { "at_ms": 6000, "do": "pause", "server": 3, "for_ms": 20000 },
    { "at_ms": 6100, "do": "write", "client": "c2" }"#,
    ));
    let f = one(&d, "write_stalled");
    assert_eq!(f.server, Some(2));
    assert!(f.text.contains("has 1 of the 2 it needs (2)"), "{}", f.text);
    assert!(
        f.text.contains("1 is paused (a GC stall) until 26000 ms"),
        "{}",
        f.text
    );
    assert!(f.text.contains("3 is paused"), "{}", f.text);
    assert_eq!(f.zxids.len(), 1);
    let r = one(&d, "request_stalled");
    assert_eq!(r.server, Some(2));
}

#[test]
fn a_request_stalled_on_a_follower_cut_from_its_leader() {
    let (_, d) = run(&staggered(
        2000,
        8000,
        r#",
    { "at_ms": 6000, "do": "cut", "from": 1, "to": 2 },
    { "at_ms": 6100, "do": "write", "client": "c1" }"#,
    ));
    let f = one(&d, "request_stalled");
    assert_eq!(f.server, Some(1));
    assert!(f.text.contains("link 1→2 is cut"), "{}", f.text);
    assert!(!d.has("write_stalled"), "{}", d.render());
}

#[test]
fn a_slow_disk_with_its_fsync_time() {
    let (_, d) = run(&staggered(
        2000,
        12_000,
        r#",
    { "at_ms": 6000, "do": "slow_disk", "server": 2, "fsync_ms": 1500 },
    { "at_ms": 6100, "do": "write", "client": "c2", "count": 3 }"#,
    ));
    let f = one(&d, "slow_disk");
    assert_eq!(f.server, Some(2));
    assert!(f.text.contains("takes 1500 ms"), "{}", f.text);
    assert!(f.text.contains("As the leader"), "{}", f.text);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("zk_max_fsynctime 1500")),
        "{:?}",
        f.evidence
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("fsync-ing the write ahead log in SyncThread:2 took 1500ms")),
        "{:?}",
        f.evidence
    );
    assert_eq!(setting(f, "fsync.warningthresholdms"), "1000 ms");
}

#[test]
fn a_slow_link_against_sync_limit() {
    let (_, d) = run(&staggered(
        2000,
        12_000,
        r#",
    { "at_ms": 6000, "do": "slow_link", "from": 2, "to": 3, "latency_ms": 300 }"#,
    ));
    let f = one(&d, "slow_link");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        (f.links[0].from, f.links[0].to, f.links[0].latency_ms),
        (2, 3, Some(300))
    );
    assert!(
        f.text.contains("still under syncLimit×tickTime (10000 ms)"),
        "{}",
        f.text
    );
    // A link slower than syncLimit×tickTime (tick 200: 1000 ms).
    let (_, d) = run(&staggered(
        200,
        12_000,
        r#",
    { "at_ms": 6000, "do": "slow_link", "from": 2, "to": 3, "latency_ms": 1500 },
    { "at_ms": 6100, "do": "write", "client": "c2", "count": 2 }"#,
    ));
    let f = one(&d, "slow_link");
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.text.contains("longer than syncLimit×tickTime (1000 ms)"),
        "{}",
        f.text
    );
    assert!(d.has("follower_dropped"), "{}", d.render());
}

#[test]
fn follower_dropped_after_a_read_timeout() {
    let (_, d) = run(&staggered(
        2000,
        20_000,
        r#",
    { "at_ms": 6000, "do": "pause", "server": 3, "for_ms": 12000 }"#,
    ));
    let f = d
        .of("follower_dropped")
        .find(|f| f.server == Some(2))
        .unwrap_or_else(|| panic!("{}", d.render()));
    assert!(
        f.text.starts_with("Leader 2 dropped learner 3"),
        "{}",
        f.text
    );
    assert!(f.evidence[0].contains("Read timed out (peer sid 3)"));
}

#[test]
fn syncs_by_diff_snap_and_trunc_say_why() {
    // DIFF: a follower down for 10 writes.
    let (_, d) = run(&staggered(
        2000,
        16_000,
        r#",
    { "at_ms": 6000, "do": "crash", "server": 3 },
    { "at_ms": 6500, "do": "write", "client": "c2", "count": 10 },
    { "at_ms": 9000, "do": "restart", "server": 3 }"#,
    ));
    let f = d.of("sync_diff").find(|f| f.at_ms >= 9000).expect("a DIFF");
    assert_eq!(f.server, Some(3));
    assert!(
        f.text.contains("it is within the leader's committed log"),
        "{}",
        f.text
    );
    assert!(f.text.contains("sent 10 txn(s)"), "{}", f.text);
    assert_eq!(setting(f, "zookeeper.commitLogCount"), "500");
    // SNAP: 600 writes while down (commitLogCount 500), txn-log sync off.
    let (_, d) = run(&staggered(
        2000,
        30_000,
        r#",
    { "at_ms": 6000, "do": "crash", "server": 3 },
    { "at_ms": 6500, "do": "write", "client": "c2", "count": 600 },
    { "at_ms": 20000, "do": "restart", "server": 3 }"#,
    )
    .replace(
        r#""sync_limit": 5 }"#,
        r#""sync_limit": 5, "snapshot_size_factor_pct": -1 }"#,
    ));
    let f = d
        .of("sync_snap")
        .find(|f| f.at_ms >= 20_000)
        .expect("a SNAP");
    assert!(
        f.text
            .contains("older than the oldest txn in the leader's committed log"),
        "{}",
        f.text
    );
    assert!(f.text.contains("txn-log sync is off"), "{}", f.text);
    assert!(f
        .evidence
        .iter()
        .any(|e| e.contains("txnLogSyncEnabled=false")));
    assert_eq!(
        setting(f, "zookeeper.snapshotSizeFactor"),
        "-1 (txn-log sync off)"
    );
    // TRUNC: an ex-leader with one txn no quorum saw.
    let json = include_str!("../../../../tests/reference/sync-trunc.json");
    let (_, d) = run(json);
    let f = one(&d, "sync_trunc");
    assert_eq!(f.server, Some(2));
    assert!(
        f.text.contains("ahead of the leader's maxCommittedLog"),
        "{}",
        f.text
    );
}

#[test]
fn an_expired_session_names_the_cut() {
    let (_, d) = run(&staggered(
        2000,
        30_000,
        r#",
    { "at_ms": 5500, "do": "connect", "client": "e", "server": 1, "session_timeout_ms": 4000 },
    { "at_ms": 6000, "do": "partition", "groups": [[1], [2, 3]] },
    { "at_ms": 25000, "do": "heal" }"#,
    ));
    let f = d
        .of("session_expired")
        .find(|f| f.text.contains("client e"))
        .unwrap_or_else(|| panic!("{}", d.render()));
    assert_eq!(f.server, Some(2));
    assert!(
        f.text
            .contains("its server 1 was cut off from the leader 2"),
        "{}",
        f.text
    );
    assert_eq!(setting(f, "session timeout"), "4000 ms");
    assert_eq!(f.sessions.len(), 1);
}

#[test]
fn election_churn_from_a_one_way_cut_and_a_link_slower_than_sync_limit() {
    // 3 cannot reach leader 2 (2 still reaches 3): 3 times out, then
    // looks for a leader it can never learn about.
    let (_, d) = run(&staggered(
        200,
        30_000,
        r#",
    { "at_ms": 6000, "do": "cut", "from": 3, "to": 2 }"#,
    ));
    let f = one(&d, "election_churn");
    assert_eq!(f.server, Some(3));
    assert!(f.text.contains("has been LOOKING since"), "{}", f.text);
    assert!(
        f.text.contains("a one-way partition: 3→2 is cut"),
        "{}",
        f.text
    );
    assert!(f.text.contains("its votes never reach 2"), "{}", f.text);
    assert!(f.links.iter().any(|l| (l.from, l.to) == (3, 2)));
    // Proposals to 3 take longer than syncLimit×tickTime: it follows,
    // times out, elects, follows again.
    let (_, d) = run(&staggered(
        200,
        30_000,
        r#",
    { "at_ms": 6000, "do": "slow_link", "from": 2, "to": 3, "latency_ms": 1500 }"#,
    ));
    let f = one(&d, "election_churn");
    assert_eq!(f.server, Some(3));
    assert!(f.text.contains("keeps restarting elections"), "{}", f.text);
    assert!(
        f.text
            .contains("heard nothing from its leader for the read timeout"),
        "{}",
        f.text
    );
}

#[test]
fn stale_reads_and_a_stale_follower() {
    let json = include_str!("../../../../tests/reference/reads-stale-follower.json");
    let (_, d) = run(json);
    let f = one(&d, "stale_read");
    assert!(f.text.contains("Client b read from server 2"), "{}", f.text);
    // A follower cut off from its leader keeps serving old data.
    let (_, d) = run(&staggered(
        2000,
        9000,
        r#",
    { "at_ms": 6000, "do": "cut", "from": 2, "to": 3 },
    { "at_ms": 6100, "do": "write", "client": "c2", "count": 4 }"#,
    ));
    let f = one(&d, "stale_follower");
    assert_eq!(f.server, Some(3));
    assert!(
        f.text.contains("serves reads 4 txn(s) behind leader 2"),
        "{}",
        f.text
    );
    assert!(f.text.contains("link 2→3 is cut"), "{}", f.text);
}

#[test]
fn a_deposed_leader_in_a_minority() {
    let (_, d) = run(&staggered(
        2000,
        9000,
        r#",
    { "at_ms": 6000, "do": "partition", "groups": [[2], [1, 3]] }"#,
    ));
    let f = one(&d, "deposed_leader");
    assert_eq!(f.server, Some(2));
    assert!(
        f.text.contains("reaches only 1 of the 3 voters (2)"),
        "{}",
        f.text
    );
}

#[test]
fn high_load_behind_slow_disks() {
    let (_, d) = run(&staggered(
        2000,
        10_000,
        r#",
    { "at_ms": 5000, "do": "slow_disk", "server": 1, "fsync_ms": 300 },
    { "at_ms": 5000, "do": "slow_disk", "server": 3, "fsync_ms": 300 },
    { "at_ms": 6000, "do": "load", "client": "c1", "rate_per_s": 500, "for_ms": 4000 }"#,
    ));
    let f = d
        .of("high_load")
        .find(|f| f.server == Some(1))
        .unwrap_or_else(|| panic!("{}", d.render()));
    assert!(f.text.contains("request(s) in process now"), "{}", f.text);
    assert_eq!(setting(f, "globalOutstandingLimit"), "1000");
}

#[test]
fn many_voters_or_observers() {
    let nine = r#"{ "zablab": 1, "name": "nine voters", "seed": 4,
  "ensemble": { "participants": [1, 2, 3, 4, 5, 6, 7, 8, 9] }, "until_ms": 8000,
  "actions": [ { "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4, 5, 6, 7, 8, 9] },
               { "at_ms": 5000, "do": "write", "count": 5 } ] }"#;
    let (_, d) = run(nine);
    let f = one(&d, "large_quorum");
    assert!(
        f.text.starts_with("9 voters: every write needs 5 ACKs"),
        "{}",
        f.text
    );
    assert!(!d.has("observers"));
    let obs = nine.replace(
        r#""participants": [1, 2, 3, 4, 5, 6, 7, 8, 9] }"#,
        r#""participants": [1, 2, 3], "observers": [4, 5, 6, 7, 8, 9] }"#,
    );
    let (_, d) = run(&obs);
    let f = one(&d, "observers");
    assert!(
        f.text
            .starts_with("3 voters and 6 observers (4, 5, 6, 7, 8 and 9)"),
        "{}",
        f.text
    );
    assert!(!d.has("large_quorum"));
    // One observer is "1 observer", not "1 observers".
    let one_obs = r#"{ "zablab": 1, "name": "one observer", "seed": 4,
  "ensemble": { "participants": [1, 2, 3], "observers": [4] }, "until_ms": 8000,
  "actions": [ { "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4] },
               { "at_ms": 5000, "do": "write", "count": 5 } ] }"#;
    let (_, d) = run(one_obs);
    let f = one(&d, "observers");
    assert!(
        f.text.starts_with("3 voters and 1 observer (4):"),
        "{}",
        f.text
    );
}

#[test]
fn every_kind_is_documented() {
    let ids = [
        // not_started, partition, message_dropped and server_looking:
        // tests/diagnosis_rules.rs (every preset, at time 0 and in each
        // fault).
        "not_started",
        "server_down",
        "server_paused",
        "partition",
        "message_dropped",
        "no_quorum",
        "leader_not_established",
        "leader_change",
        "write_stalled",
        "request_stalled",
        "slow_disk",
        "slow_link",
        "follower_dropped",
        "sync_diff",
        "sync_snap",
        "sync_trunc",
        "session_expired",
        "election_churn",
        "server_looking",
        "stale_follower",
        "stale_read",
        "deposed_leader",
        "high_load",
        "large_quorum",
        "observers",
        // Covered by tests/recipes.rs (the hazard presets).
        "lock_fencing",
        "sync_not_linearizable",
        // Imported logs only: core/src/import/diagnose/tests.rs and
        // tests/import_replay.rs (stale-log-after-snap-5).
        "digest_mismatch",
    ];
    let kinds: Vec<&str> = crate::diagnosis::KINDS.iter().map(|k| k.0).collect();
    assert_eq!(kinds, ids);
}

#[test]
fn fuzzed_runs_diagnose_without_panicking_at_any_point() {
    let kinds: Vec<&str> = crate::diagnosis::KINDS.iter().map(|k| k.0).collect();
    for seed in 1..=40 {
        let scenario = crate::fuzz::generate(seed, &[]);
        let end = scenario.until_ms;
        let mut sim = Simulation::new(scenario).unwrap();
        for t in [end / 4, end / 2, 3 * end / 4, end] {
            sim.run_until(t);
            let d = sim.diagnose();
            assert!(d.render().starts_with("diagnosis at "));
            for f in &d.findings {
                assert!(kinds.contains(&f.id), "seed {seed}: {}", f.id);
                assert!(!f.text.is_empty());
            }
        }
    }
}

#[test]
fn a_stale_read_on_a_deposed_leader_is_not_fixed_by_sync() {
    let (_, d) = run(&staggered(
        2000,
        30_000,
        r#",
    { "at_ms": 6000, "do": "partition", "groups": [[2], [1, 3]] },
    { "at_ms": 5000, "do": "connect", "client": "c3", "server": 3, "session_timeout_ms": 30000 },
    { "at_ms": 16000, "do": "write", "client": "c3", "count": 3 },
    { "at_ms": 16500, "do": "read", "client": "c2", "path": "/c1-1" }"#,
    ));
    let dep = one(&d, "deposed_leader");
    assert_eq!((dep.server, dep.at_ms), (Some(2), 6000));
    let f = one(&d, "stale_read");
    assert_eq!(f.server, Some(2));
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.text.contains("was a deposed leader at the time"),
        "{}",
        f.text
    );
}

/// A server restarted after a crash that then refuses to start (finding 5:
/// its currentEpoch is older than its log) is named as not running, with
/// the reason and the repair; the crash's card alone would say it is back.
#[test]
fn a_restart_that_fails_to_start_is_named_with_its_reason() {
    let mut s = Scenario::from_json(include_str!(
        "../../../../static/scenarios/findings/epoch-behind-log-after-kill.json"
    ))
    .expect("parses");
    s.actions.retain(|a| a.kind.name() != "expect");
    let (_, d) = run(&s.to_json());
    let f = one(&d, "not_started");
    assert_eq!(f.servers, vec![3]);
    assert!(
        f.text.contains("Server 3 failed to start (The current epoch, 1, is older than the last zxid, 8589934594)"),
        "{}",
        f.text
    );
    assert!(
        f.advice.iter().any(|a| a.contains("Set currentEpoch")),
        "{:?}",
        f.advice
    );
    // The server that cannot come back is shown first under the fault
    // that set it up (root cause first: docs/DIAGNOSIS.md), not after it.
    let first = d.findings.first().expect("a card");
    let under: Vec<&str> = first.consequences.iter().map(|c| c.id).collect();
    assert_eq!(
        (first.id, under.first()),
        ("slow_disk", Some(&"not_started")),
        "{under:?}"
    );
}

/// `first` actions, then servers `turn` crashed in turn every 10 s (each
/// restarted 5 s later) for 20 minutes, and `last`: the JSON of a run
/// long enough for its log lines to roll at a small bound.
fn restarts_in_turn(participants: &str, first: &[&str], turn: &[u64], last: &[&str]) -> String {
    let mut actions: Vec<String> = first.iter().map(|a| a.to_string()).collect();
    for k in 1..120u64 {
        let s = turn[k as usize % turn.len()];
        actions.push(format!(
            r#"{{ "at_ms": {}, "do": "crash", "server": {s} }}"#,
            k * 10_000
        ));
        actions.push(format!(
            r#"{{ "at_ms": {}, "do": "restart", "server": {s} }}"#,
            k * 10_000 + 5_000
        ));
    }
    actions.extend(last.iter().map(|a| a.to_string()));
    format!(
        r#"{{ "zablab": 1, "name": "restarts in turn", "seed": 4,
  "ensemble": {{ "participants": {participants} }}, "until_ms": 1260000,
  "actions": [ {} ] }}"#,
        actions.join(",\n")
    )
}

/// `json` run to its end keeping every line, then keeping `keep`: each
/// simulation with its diagnosis.
fn unrolled_then_rolled(json: &str, keep: usize) -> Vec<(Simulation, Diagnosis)> {
    [usize::MAX, keep]
        .into_iter()
        .map(|k| {
            let mut sim = Simulation::new(Scenario::from_json(json).unwrap()).unwrap();
            sim.keep_log_lines(k);
            sim.run_to_end();
            assert_eq!(sim.log_rolled_before().is_some(), k == keep, "keep {k}");
            let d = sim.diagnose();
            (sim, d)
        })
        .collect()
}

/// 5 is killed and 4 loses power, and both stay down while 1, 2 and 3
/// restart in turn for 20 minutes: how each stopped comes from the run's
/// records, so it is still said right once their lines have rolled away
/// (before, a power loss read as "not started" even with every line).
#[test]
fn a_stopped_server_is_named_after_its_lines_roll_away() {
    let json = restarts_in_turn(
        "[1, 2, 3, 4, 5]",
        &[
            r#"{ "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4, 5] }"#,
            r#"{ "at_ms": 5000, "do": "crash", "server": 5 }"#,
            r#"{ "at_ms": 6000, "do": "crash", "server": 4, "power_loss": true }"#,
        ],
        &[1, 2, 3],
        &[],
    );
    for (sim, _) in unrolled_then_rolled(&json, 5000) {
        assert_eq!(
            sim.absence(5).as_deref(),
            Some("5 is down (killed at 5000 ms)")
        );
        assert_eq!(
            sim.absence(4).as_deref(),
            Some("4 is down (power lost at 6000 ms)")
        );
    }
}

/// The leader reigns while its followers restart in turn for 20 minutes,
/// then every server is cut off from the others: with its lines rolled
/// away the leader is lost "before" the oldest kept line, not at a time
/// read from what is left.
#[test]
fn a_leader_older_than_the_kept_lines_is_lost_before_them() {
    let json = restarts_in_turn(
        "[1, 2, 3]",
        &[r#"{ "at_ms": 0, "do": "start", "servers": [1, 2, 3] }"#],
        &[1, 2],
        &[r#"{ "at_ms": 1210000, "do": "partition", "groups": [[1], [2], [3]] }"#],
    );
    let runs = unrolled_then_rolled(&json, 500);
    for (sim, d) in &runs {
        assert_eq!(sim.leaders().len(), 1, "{:?}", sim.leaders());
        let f = one(d, "no_quorum");
        match sim.log_rolled_before() {
            None => assert!(f.text.contains("), lost at 1219338 ms."), "{}", f.text),
            Some(t) => {
                let said = format!(
                    "), lost before {} (older log lines have rolled away).",
                    super::evidence::ms(t)
                );
                assert!(f.text.contains(&said), "{}", f.text);
            }
        }
    }
}
