//! `expect` and FastLeaderElection's back-off (`sim/expect.rs`,
//! `election_grace`): a LOOKING server that has not sent since the leader
//! took its role gets until its poll ends; a server that did send and
//! still does not join is reported at the deadline (the ZOOKEEPER-1732
//! lesson, `tests/lessons.rs`, shows that side).

use zablab_core::{Scenario, Simulation};

/// Fuzz seed 3942, shrunk: after the heal at 122 s server 1 is LOOKING with
/// a 51.2 s poll; notifications from other LOOKING servers (the last at
/// 184.2 s, from server 3) restart it, so it sends again only at 235.4 s,
/// after the AllSynced deadline of 232 s, and then follows leader 6 at
/// once. Before the grace this was a LivenessAllSynced failure.
const SEED_3942: &str = r#"{ "zablab": 1, "name": "fuzz seed 3942 (shrunk): a LOOKING server waits out FLE back-off after the heal", "seed": 3942,
  "ensemble": {"participants": [1, 2, 3, 4, 5, 6, 7], "observers": [8], "tick_ms": 2000, "init_limit": 5, "sync_limit": 3, "commit_log_count": 500, "snap_count": 13, "variants": [], "snapshot_size_factor_pct": -1, "initial_zxid_counter": 0},
  "network": {"latency_ms": [3, 133], "fsync_ms": [1, 4]},
  "until_ms": 234000,
  "actions": [
    {"at_ms": 0, "do": "start", "servers": [1, 2, 3, 4, 5, 6, 7, 8]},
    {"at_ms": 14500, "do": "crash", "server": 7},
    {"at_ms": 24868, "do": "partition", "groups": [[5, 1, 3, 8], [7, 4, 2, 6]]},
    {"at_ms": 107852, "do": "partition", "groups": [[3, 1], [7, 2, 8, 5, 4, 6]]},
    {"at_ms": 122000, "do": "heal"},
    {"at_ms": 122000, "do": "slow_link", "from": 7, "to": 1, "latency_ms": 0},
    {"at_ms": 122000, "do": "slow_disk", "server": 2, "fsync_ms": 0},
    {"at_ms": 122000, "do": "restart", "server": 1},
    {"at_ms": 122000, "do": "restart", "server": 2},
    {"at_ms": 122000, "do": "restart", "server": 3},
    {"at_ms": 122000, "do": "restart", "server": 4},
    {"at_ms": 122000, "do": "crash", "server": 5},
    {"at_ms": 122000, "do": "restart", "server": 6},
    {"at_ms": 122000, "do": "restart", "server": 7},
    {"at_ms": 122000, "do": "restart", "server": 8},
    {"at_ms": 122000, "do": "expect", "what": "leader", "within_ms": 110000},
    {"at_ms": 122000, "do": "expect", "what": "all_synced", "within_ms": 110000},
    {"at_ms": 232000, "do": "connect", "client": "live", "server": 1, "session_timeout_ms": 40000},
    {"at_ms": 234000, "do": "write", "client": "live", "count": 3, "op": null, "path": null, "data": null},
    {"at_ms": 234000, "do": "expect", "what": "writes_commit", "within_ms": 22000, "client": "live"} ] }"#;

#[test]
fn a_server_waiting_out_its_poll_is_given_until_it_ends() {
    let mut sim = Simulation::new(Scenario::from_json(SEED_3942).unwrap()).unwrap();
    sim.run_to_end();
    assert!(sim.violations().is_empty(), "{:#?}", sim.violations());
    let joined = sim
        .log()
        .iter()
        .find(|e| {
            e.sid == 1
                && e.text.starts_with("FOLLOWING - LEADER ELECTION TOOK")
                && e.at_ms > 200_000
        })
        .map(|e| e.at_ms)
        .expect("server 1 follows in the end");
    assert!(
        joined > 232_000,
        "server 1 joined at {joined} ms, before the deadline"
    );
}
