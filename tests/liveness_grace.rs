//! `expect` and FastLeaderElection's back-off (`sim/expect.rs`,
//! `election_grace`): a LOOKING server that has not sent since the leader
//! took its role gets until its poll ends; a server that did send and
//! still does not join is reported at the deadline (the ZOOKEEPER-1732
//! lesson, `tests/lessons.rs`, shows that side).

use zablab_core::{Scenario, Simulation};

/// Fuzz seed 162201, shrunk: after the heal at 62 s the voters elect 3 at
/// once, but observer 4 is LOOKING with a 51.2 s poll that notifications
/// keep restarting; it sends again only at 161.7 s, after the AllSynced
/// deadline of 159 s, and then observes at once. Without the grace this is
/// a LivenessAllSynced failure (seen).
const SEED_162201: &str = r#"{ "zablab": 1, "name": "fuzz seed 162201 (shrunk): an observer waits out FLE back-off after the heal", "seed": 162201,
  "ensemble": {"participants": [1, 2, 3], "observers": [4], "tick_ms": 1000, "init_limit": 9, "sync_limit": 2, "commit_log_count": 500, "snap_count": 100000, "variants": [], "snapshot_size_factor_pct": 33, "initial_zxid_counter": 0},
  "network": {"latency_ms": [3, 55], "fsync_ms": [1, 8]},
  "until_ms": 160000,
  "actions": [
    {"at_ms": 0, "do": "start", "servers": [1, 2, 3, 4]},
    {"at_ms": 6198, "do": "partition", "groups": [[1, 3], [2, 4]]},
    {"at_ms": 24403, "do": "crash", "server": "leader"},
    {"at_ms": 62000, "do": "heal"},
    {"at_ms": 62000, "do": "slow_link", "from": 1, "to": 4, "latency_ms": 0},
    {"at_ms": 62000, "do": "slow_link", "from": 3, "to": 4, "latency_ms": 0},
    {"at_ms": 62000, "do": "slow_link", "from": 4, "to": 2, "latency_ms": 0},
    {"at_ms": 62000, "do": "restart", "server": 1},
    {"at_ms": 62000, "do": "restart", "server": 2},
    {"at_ms": 62000, "do": "restart", "server": 3},
    {"at_ms": 62000, "do": "restart", "server": 4},
    {"at_ms": 62000, "do": "expect", "what": "leader", "within_ms": 97000},
    {"at_ms": 62000, "do": "expect", "what": "all_synced", "within_ms": 97000},
    {"at_ms": 159000, "do": "connect", "client": "live", "server": 1, "session_timeout_ms": 20000},
    {"at_ms": 160000, "do": "write", "client": "live", "count": 3, "op": null, "path": null, "data": null},
    {"at_ms": 160000, "do": "expect", "what": "writes_commit", "within_ms": 12000, "client": "live"} ] }"#;

#[test]
fn a_server_waiting_out_its_poll_is_given_until_it_ends() {
    let mut sim = Simulation::new(Scenario::from_json(SEED_162201).unwrap()).unwrap();
    sim.run_to_end();
    assert!(sim.violations().is_empty(), "{:#?}", sim.violations());
    let joined = sim
        .log()
        .iter()
        .find(|e| {
            e.sid == 4 && e.text.starts_with("OBSERVING - LEADER ELECTION TOOK") && e.at_ms > 62_000
        })
        .map(|e| e.at_ms)
        .expect("observer 4 observes in the end");
    assert!(
        joined > 159_000,
        "observer 4 joined at {joined} ms, before the deadline"
    );
}
