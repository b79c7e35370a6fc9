//! Every preset scenario in `static/scenarios/` (the failure cases the app
//! offers) runs without a safety or liveness violation and produces the
//! diagnosis it is there to show. Run with `--nocapture` to read each
//! preset's diagnosis and the too-many-servers comparison.

use zablab_core::diagnosis::{Diagnosis, Finding};
use zablab_core::{Scenario, Simulation};

/// Presets longer than this run only this far here (the one-hour load).
const MAX_MS: u64 = 120_000;

fn run(file: &str) -> (Simulation, Diagnosis) {
    let text = std::fs::read_to_string(format!("static/scenarios/{file}"))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(!scenario.name.is_empty(), "{file} has a name");
    let until = scenario.until_ms.min(MAX_MS);
    let mut sim = Simulation::new(scenario).unwrap_or_else(|e| panic!("{file}: {e}"));
    sim.run_until(until);
    assert!(
        sim.violations().is_empty(),
        "{file}: {:#?}",
        sim.violations()
    );
    let d = sim.diagnose();
    println!("===== {file}: {}\n{}", sim.scenario().name, d.render());
    (sim, d)
}

fn find<'a>(d: &'a Diagnosis, id: &str, server: Option<u32>, text: &str) -> &'a Finding {
    d.of(id)
        .find(|f| server.is_none_or(|s| f.server == Some(s)) && f.text.contains(text))
        .unwrap_or_else(|| panic!("no {id} ({server:?}, {text:?}) in\n{}", d.render()))
}

fn ids(d: &Diagnosis) -> Vec<&'static str> {
    let mut v: Vec<&str> = d.findings.iter().map(|f| f.id).collect();
    v.dedup();
    v
}

/// The failure-case presets of the operator's-view issue; each has its
/// checks below.
const FAILURE_CASES: [&str; 11] = [
    "high-load.json",
    "network-delay.json",
    "node-failure-follower.json",
    "node-failure-leader.json",
    "node-failure-majority.json",
    "node-failure-minority.json",
    "partition-minority-leader.json",
    "partition-one-way.json",
    "partition-symmetric.json",
    "too-many-observers.json",
    "too-many-voters.json",
];

#[test]
fn every_preset_runs_cleanly_and_is_diagnosed() {
    let mut files: Vec<String> = std::fs::read_dir("static/scenarios")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json") && n != "index.json")
        .collect();
    files.sort();
    for case in FAILURE_CASES {
        assert!(files.iter().any(|f| f == case), "{case} is missing");
    }
    // Every preset, these and the others: no property fails, and the
    // diagnosis names only known kinds.
    let kinds: Vec<&str> = zablab_core::diagnosis::KINDS.iter().map(|k| k.0).collect();
    for f in &files {
        let (_, d) = run(f);
        for x in &d.findings {
            assert!(kinds.contains(&x.id), "{f}: {}", x.id);
        }
    }
}

#[test]
fn node_failures() {
    let (_, d) = run("node-failure-follower.json");
    find(
        &d,
        "server_down",
        Some(3),
        "crashed at 8000 ms (killed: kill -9)",
    );
    assert_eq!(ids(&d), ["server_down"], "{}", d.render());

    let (_, d) = run("node-failure-leader.json");
    find(
        &d,
        "leader_change",
        None,
        "Leader 2 (epoch 1) was lost at 8000 ms: it was killed.",
    );
    find(
        &d,
        "server_down",
        Some(2),
        "crashed at 8000 ms (killed: kill -9)",
    );

    let (_, d) = run("node-failure-minority.json");
    // One card for the one fault: both servers killed at once.
    let down = find(
        &d,
        "server_down",
        None,
        "Servers 3 and 4 crashed at 8000 ms",
    );
    assert_eq!(down.servers, [3, 4]);
    assert!(
        !d.has("no_quorum") && !d.has("leader_change"),
        "{}",
        d.render()
    );

    let (_, d) = run("node-failure-majority.json");
    find(
        &d,
        "no_quorum",
        None,
        "2 of 5 voters can reach each other (1 and 2); a leader needs 3 of 5",
    );
    find(
        &d,
        "request_stalled",
        None,
        "Client c1 has 5 request(s) waiting",
    );
    let down = find(
        &d,
        "server_down",
        None,
        "Servers 3, 4 and 5 (the leader, 5, among them) crashed at 8000 ms",
    );
    assert_eq!(down.servers, [3, 4, 5]);
    // No quorum is the crash's consequence, folded under its card.
    assert_eq!(d.findings[0].key, down.key);
    assert!(down.consequences.iter().any(|c| c.id == "no_quorum"));
}

#[test]
fn network_partitions() {
    let (_, d) = run("partition-minority-leader.json");
    let f = find(
        &d,
        "deposed_leader",
        Some(2),
        "was cut off from its quorum at 8000 ms: it kept leading",
    );
    assert!(!f.now);
    find(&d, "leader_change", None, "Leader 2 (epoch 1) was lost at");
    find(
        &d,
        "election_churn",
        Some(2),
        "it is partitioned from leader",
    );

    let (_, d) = run("partition-symmetric.json");
    for s in [1, 2] {
        find(
            &d,
            "election_churn",
            Some(s),
            "it is partitioned from leader 5 (both directions)",
        );
    }
    find(
        &d,
        "follower_dropped",
        Some(5),
        "Leader 5 dropped learners 1 and 2",
    );
    assert!(
        !d.has("leader_change") && !d.has("no_quorum"),
        "{}",
        d.render()
    );

    let (_, d) = run("partition-one-way.json");
    let f = find(
        &d,
        "election_churn",
        Some(3),
        "a one-way partition: 3→2 is cut",
    );
    assert!(f
        .links
        .iter()
        .any(|l| (l.from, l.to, l.state) == (3, 2, "cut")));
    find(
        &d,
        "follower_dropped",
        Some(2),
        "Leader 2 dropped learner 3",
    );
}

#[test]
fn high_load() {
    let (sim, d) = run("high-load.json");
    let f = find(&d, "high_load", Some(1), "request(s) in process now");
    assert!(f.text.contains("Its writes go to leader"), "{}", f.text);
    // The figures behind it, as the UI reads them.
    let load = sim.load_stats();
    let one = load.iter().find(|l| l.sid == 1).unwrap();
    assert!(one.outstanding_requests >= 10, "{one:?}");
    assert!(one.write_latency.count > 10_000, "{one:?}");
    let two = load.iter().find(|l| l.sid == 2).unwrap();
    assert!(two.read_latency.count > 5_000, "reads served by 2: {two:?}");
}

#[test]
fn too_many_servers_nine_voters_against_three_voters_and_six_observers() {
    let (sv, dv) = run("too-many-voters.json");
    let (so, d_o) = run("too-many-observers.json");
    find(
        &dv,
        "large_quorum",
        None,
        "9 voters: every write needs 5 ACKs",
    );
    find(&d_o, "observers", None, "3 voters and 6 observers");
    let figures = |sim: &Simulation| {
        let leader = sim.established_leader().unwrap();
        let l = sim
            .load_stats()
            .into_iter()
            .find(|x| x.sid == leader)
            .unwrap();
        // Client write latency over the run, wherever the client was
        // connected (`updatelatency` is process-wide).
        let (total, count) = (1..=9)
            .filter_map(|s| sim.server_state(s))
            .map(|s| &s.metrics.updatelatency.summary)
            .fold((0, 0), |(t, c), x| (t + x.total, c + x.count));
        let gap = sim.leaders()[1].established_ms - 11_000;
        let took: u64 = sim
            .log()
            .iter()
            .rev()
            .find(|x| x.sid == leader && x.text.starts_with("LEADING - LEADER ELECTION TOOK - "))
            .and_then(|x| x.text.split(" - ").nth(2))
            .and_then(|t| t.trim_end_matches(" MS").parse().ok())
            .unwrap();
        (
            l.quorum_ack.avg_milli(),
            total * 1000 / count.max(1),
            gap,
            took,
        )
    };
    let (v_ack, v_lat, v_gap, v_took) = figures(&sv);
    let (o_ack, o_lat, o_gap, o_took) = figures(&so);
    println!("too many servers        quorum ACK avg   client write latency avg   no leader after a crash   election");
    println!(
        "9 voters                {:>10.3} ms   {:>18.3} ms   {:>17} ms   {:>5} ms",
        v_ack as f64 / 1000.0,
        v_lat as f64 / 1000.0,
        v_gap,
        v_took
    );
    println!(
        "3 voters + 6 observers  {:>10.3} ms   {:>18.3} ms   {:>17} ms   {:>5} ms",
        o_ack as f64 / 1000.0,
        o_lat as f64 / 1000.0,
        o_gap,
        o_took
    );
    assert!(
        v_ack > 3 * o_ack,
        "writes wait on a second site with nine voters"
    );
    assert!(v_lat > o_lat, "so do the clients");
    assert!(v_gap > o_gap, "and an election takes longer");
}

#[test]
fn network_delay_against_sync_limit() {
    let (_, d) = run("network-delay.json");
    let under = find(&d, "slow_link", None, "Link 2→1 is slow: 600 ms");
    assert!(under
        .text
        .contains("still under syncLimit×tickTime (1000 ms)"));
    let over = find(&d, "slow_link", None, "Link 2→3 is slow: 1500 ms");
    assert!(over
        .text
        .contains("longer than syncLimit×tickTime (1000 ms)"));
    find(
        &d,
        "election_churn",
        Some(3),
        "link 2→3 to its leader takes 1500 ms",
    );
    find(
        &d,
        "follower_dropped",
        Some(2),
        "Leader 2 dropped learner 3",
    );
}

#[test]
fn the_older_presets() {
    let (_, d) = run("kill-the-leader.json");
    find(
        &d,
        "leader_change",
        None,
        "Leader 3 (epoch 1) was lost at 9000 ms: it was killed.",
    );
    find(
        &d,
        "session_expired",
        Some(2),
        "its server 1 was cut off from the leader 2",
    );
    find(&d, "slow_link", None, "Link 1→2 is slow: 500 ms");
    find(&d, "slow_disk", Some(1), "takes 2000 ms");
    find(
        &d,
        "deposed_leader",
        Some(2),
        "was paused (a GC stall) from 31000 ms to 43000 ms",
    );
    let (_, d) = run("three-servers.json");
    find(&d, "leader_change", None, "it was killed");
    let (_, d) = run("three-up.json");
    assert!(d.findings.is_empty(), "{}", d.render());
    let (_, d) = run("load-1h-5srv.json");
    assert!(d.findings.is_empty(), "{}", d.render());
}
