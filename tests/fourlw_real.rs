//! The four-letter words of a simulated ensemble against a real ZooKeeper
//! 3.8.0's verbatim answers (`tests/real-zk/`, see `docs/REAL-ZK.md`): `srvr`,
//! `stat`, `conf`, `cons`, `wchs` and `mntr` of a leader and a follower,
//! and the not-serving answer in every state ZooKeeper gives it.
//!
//! Fixed texts (keys, labels, modes, peer states, the not-serving
//! sentence) and key sets and orders are compared exactly; values that
//! depend on the run (counts, zxids, ports, directories, sizes, the build
//! string) by shape: an integer where ZooKeeper printed an integer, a
//! double where it printed a double, a hex zxid where it printed one.

use zablab_core::fourlw::NOT_SERVING;
use zablab_core::{ActionKind, Scenario, ServerRef, Simulation};

const REAL_LEADER_MNTR: &str = include_str!("real-zk/leader-mntr.txt");
const REAL_FOLLOWER_MNTR: &str = include_str!("real-zk/follower-mntr.txt");
const REAL_LEADER_SRVR: &str = include_str!("real-zk/leader-srvr.txt");
const REAL_FOLLOWER_SRVR: &str = include_str!("real-zk/follower-srvr.txt");
const REAL_LEADER_STAT: &str = include_str!("real-zk/leader-stat.txt");
const REAL_FOLLOWER_STAT: &str = include_str!("real-zk/follower-stat.txt");
const REAL_LEADER_CONF: &str = include_str!("real-zk/leader-conf.txt");
const REAL_FOLLOWER_CONF: &str = include_str!("real-zk/follower-conf.txt");
const REAL_FOLLOWER_CONS: &str = include_str!("real-zk/follower-cons.txt");
const REAL_LEADER_WCHS: &str = include_str!("real-zk/leader-wchs.txt");
const REAL_LOOKING: [(&str, &str); 7] = [
    ("ruok", include_str!("real-zk/looking-ruok.txt")),
    ("srvr", include_str!("real-zk/looking-srvr.txt")),
    ("stat", include_str!("real-zk/looking-stat.txt")),
    ("conf", include_str!("real-zk/looking-conf.txt")),
    ("cons", include_str!("real-zk/looking-cons.txt")),
    ("wchs", include_str!("real-zk/looking-wchs.txt")),
    ("mntr", include_str!("real-zk/looking-mntr.txt")),
];

/// `docs/REAL-ZK.md`'s run c before the kill: three servers, tickTime 2000,
/// a session on a follower (server 1; the leader is the highest sid, 3)
/// that writes ten times under `/a` and reads. Built from the scenario
/// file format, as an operator would write it.
fn ensemble(seed: u64) -> Simulation {
    let json = format!(
        r#"{{ "zablab": 1, "name": "REAL-ZK.md scenario c, before the kill", "seed": {seed},
  "ensemble": {{ "participants": [1, 2, 3], "tick_ms": 2000, "init_limit": 10, "sync_limit": 5 }},
  "until_ms": 8000,
  "actions": [
    {{ "at_ms": 0, "do": "start", "servers": [1, 2, 3] }},
    {{ "at_ms": 4000, "do": "connect", "client": "c1", "server": 1, "session_timeout_ms": 10000 }},
    {{ "at_ms": 4500, "do": "write", "client": "c1", "path": "/a", "data": "" }},
    {{ "at_ms": 5000, "do": "write", "client": "c1", "count": 9, "op": "set", "path": "/a", "data": "v1" }},
    {{ "at_ms": 6000, "do": "read", "client": "c1", "path": "/a" }} ] }}"#
    );
    let mut sim = Simulation::new(Scenario::from_json(&json).unwrap()).unwrap();
    sim.run_to_end();
    let leader = sim.established_leader().expect("a leader");
    assert_ne!(leader, 1, "seed {seed}: the client must be on a follower");
    sim
}

fn word(sim: &mut Simulation, sid: u32, cmd: &str) -> String {
    sim.act(ActionKind::FourLetterWord {
        server: ServerRef::Sid(sid),
        cmd: cmd.into(),
    })
    .unwrap();
    sim.summary().fourlw.last().unwrap().output.clone()
}

/// The shape of a value as ZooKeeper printed it.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Int,
    Double,
    Hex,
    Text(String),
}

fn shape(v: &str) -> Shape {
    if v.parse::<i64>().is_ok() {
        Shape::Int
    } else if v.starts_with("0x") && u64::from_str_radix(&v[2..], 16).is_ok() {
        Shape::Hex
    } else if (v.contains('.') || v.contains('E')) && v.parse::<f64>().is_ok() {
        Shape::Double
    } else {
        Shape::Text(v.to_string())
    }
}

/// `3.8.0-<build>, built on <date> UTC`.
fn version_shaped(v: &str) -> bool {
    v.starts_with("3.8.0-") && v.contains(", built on ") && v.ends_with(" UTC")
}

/// `mntr` lines as (key, value), with learner sids and namespaces mapped
/// to placeholders so that the real and simulated key sets compare.
fn mntr_pairs(text: &str, learners: &[u32]) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("no tab: {l:?}"));
            let mut key = k.to_string();
            for (i, sid) in learners.iter().enumerate() {
                for what in ["learner_handler_qp_size", "learner_handler_qp_time_ms"] {
                    let ours = format!("_{sid}_{what}");
                    if key.ends_with(&ours) {
                        key = key.replace(&ours, &format!("_LEARNER{i}_{what}"));
                    }
                }
            }
            (key, v.to_string())
        })
        .collect()
}

fn compare_mntr(real: &str, ours: &str, real_learners: &[u32], our_learners: &[u32]) {
    let real = mntr_pairs(real, real_learners);
    let ours = mntr_pairs(ours, our_learners);
    let rk: Vec<&str> = real.iter().map(|(k, _)| k.as_str()).collect();
    let ok: Vec<&str> = ours.iter().map(|(k, _)| k.as_str()).collect();
    for k in &rk {
        assert!(ok.contains(k), "missing mntr key {k}");
    }
    for k in &ok {
        assert!(rk.contains(k), "mntr key {k} is not ZooKeeper's");
    }
    assert_eq!(rk, ok, "mntr key order");
    for ((k, rv), (_, ov)) in real.iter().zip(&ours) {
        match k.as_str() {
            "zk_version" => assert!(version_shaped(ov), "{k}: {ov}"),
            "zk_server_state" | "zk_peer_state" => assert_eq!(rv, ov, "{k}"),
            _ => assert_eq!(shape(rv), shape(ov), "{k}: real {rv:?}, ours {ov:?}"),
        }
    }
}

/// `Key: value` lines of srvr/stat: labels exactly, values by shape.
fn compare_stat(real: &str, ours: &str, what: &str) {
    let real: Vec<&str> = real.lines().collect();
    let ours: Vec<&str> = ours.lines().collect();
    assert_eq!(
        real.len(),
        ours.len(),
        "{what}: line count\n{}",
        ours.join("\n")
    );
    for (r, o) in real.iter().zip(&ours) {
        if let Some(v) = r.strip_prefix("Zookeeper version: ") {
            assert!(version_shaped(v));
            let ov = o.strip_prefix("Zookeeper version: ").expect(o);
            assert!(version_shaped(ov), "{what}: {o}");
        } else if r.starts_with(" /127.0.0.1:") {
            // A brief connection line: ` /ip:port[ops](queued=N,recved=N,sent=N)`.
            assert!(
                o.starts_with(" /127.0.0.1:") && o.contains("](queued="),
                "{what}: {o}"
            );
            let tail = |l: &str| l.split_once("](").map(|x| x.1.to_string()).unwrap();
            let keys = |l: &str| -> Vec<String> {
                tail(l)
                    .split(',')
                    .map(|kv| kv.split('=').next().unwrap().to_string())
                    .collect()
            };
            assert_eq!(keys(r), keys(o), "{what}: {o}");
        } else if let Some((label, rv)) = r.split_once(": ") {
            let (olabel, ov) = o.split_once(": ").expect(o);
            assert_eq!(label, olabel, "{what}");
            match label {
                "Mode" => assert_eq!(rv, ov),
                "Latency min/avg/max" | "Proposal sizes last/min/max" => {
                    let rs: Vec<Shape> = rv.split('/').map(shape).collect();
                    let os: Vec<Shape> = ov.split('/').map(shape).collect();
                    assert_eq!(rs, os, "{what}: {label}: {ov}");
                }
                _ => assert_eq!(shape(rv), shape(ov), "{what}: {label}: {ov}"),
            }
        } else {
            assert_eq!(*r, *o, "{what}");
        }
    }
}

/// `conf`: every `key=value` in order; server ids, ports and directories
/// follow the server's sid as in the loopback layout of `docs/REAL-ZK.md`.
fn compare_conf(real: &str, real_sid: u32, ours: &str, sid: u32) {
    let expect = real
        .replace(&format!("/s{real_sid}/"), &format!("/s{sid}/"))
        .replace(
            &format!("clientPort=2181{real_sid}"),
            &format!("clientPort=2181{sid}"),
        )
        .replace(&format!("serverId={real_sid}"), &format!("serverId={sid}"))
        .replace(
            &format!("electionPort=3888{real_sid}"),
            &format!("electionPort=3888{sid}"),
        )
        .replace(
            &format!("quorumPort=2888{real_sid}"),
            &format!("quorumPort=2888{sid}"),
        );
    // ZooKeeper print()s the last line without a newline.
    assert!(!ours.ends_with('\n'));
    let e: Vec<&str> = expect.lines().collect();
    let o: Vec<&str> = ours.lines().collect();
    assert_eq!(e.len(), o.len(), "{ours}");
    for (a, b) in e.iter().zip(&o) {
        match a.split_once('=') {
            Some((k, v)) if k.ends_with("Size") => {
                let (ok, ov) = b.split_once('=').unwrap();
                assert_eq!(k, ok);
                assert_eq!(shape(v), shape(ov), "{b}");
            }
            _ => assert_eq!(a, b),
        }
    }
}

#[test]
fn leader_and_follower_answer_like_a_real_zookeeper() {
    for seed in [1, 2, 3] {
        let mut sim = ensemble(seed);
        let leader = sim.established_leader().unwrap();
        let follower = sim
            .servers()
            .iter()
            .find(|v| v.state == "FOLLOWING" && sim.server_state(v.sid).unwrap().cnxns.len() == 1)
            .map(|v| v.sid)
            .expect("the follower holding c1");
        let learners: Vec<u32> = (1..=3).filter(|&s| s != leader).collect();
        assert_eq!(word(&mut sim, leader, "ruok"), "imok");
        assert_eq!(word(&mut sim, follower, "ruok"), "imok");
        // The order of the words matters: each one is a packet the server
        // counts, as in the real run.
        leader_answers_like_the_real_leader(&mut sim, leader, &learners);
        let mntr = follower_answers_like_the_real_follower(&mut sim, follower);
        the_counts_are_the_real_runs(&mut sim, leader, &mntr);
    }
}

/// The leader's srvr, stat, conf, cons, wchs and mntr.
fn leader_answers_like_the_real_leader(sim: &mut Simulation, leader: u32, learners: &[u32]) {
    let srvr = word(sim, leader, "srvr");
    compare_stat(REAL_LEADER_SRVR, &srvr, "leader srvr");
    let stat = word(sim, leader, "stat");
    compare_stat(REAL_LEADER_STAT, &stat, "leader stat");
    // Each 4lw is one more received packet before it runs and one
    // more sent after, as in the real run (srvr 3/2, stat 4/3).
    let count = |t: &str, l: &str| -> u64 {
        t.lines()
            .find_map(|x| x.strip_prefix(l))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(count(&stat, "Received: "), count(&srvr, "Received: ") + 1);
    assert_eq!(count(&stat, "Sent: "), count(&srvr, "Sent: ") + 1);
    compare_conf(REAL_LEADER_CONF, 3, &word(sim, leader, "conf"), leader);
    let cons = word(sim, leader, "cons");
    assert!(cons.ends_with(")\n\n"), "{cons:?}");
    assert_eq!(word(sim, leader, "wchs"), REAL_LEADER_WCHS);
    let mntr = word(sim, leader, "mntr");
    compare_mntr(REAL_LEADER_MNTR, &mntr, &[1, 2], learners);
}

/// The follower's srvr, stat, conf, cons (its session line field by
/// field), wchs and mntr; returns the mntr answer.
fn follower_answers_like_the_real_follower(sim: &mut Simulation, follower: u32) -> String {
    compare_stat(
        REAL_FOLLOWER_SRVR,
        &word(sim, follower, "srvr"),
        "follower srvr",
    );
    compare_stat(
        REAL_FOLLOWER_STAT,
        &word(sim, follower, "stat"),
        "follower stat",
    );
    compare_conf(
        REAL_FOLLOWER_CONF,
        1,
        &word(sim, follower, "conf"),
        follower,
    );
    let cons = word(sim, follower, "cons");
    // The session line has every field of the real one, in order.
    let fields = |l: &str| -> Vec<String> {
        l.split_once("](")
            .unwrap()
            .1
            .trim_end_matches(')')
            .split(',')
            .map(|kv| kv.split('=').next().unwrap().to_string())
            .collect()
    };
    let real_session = REAL_FOLLOWER_CONS.lines().next().unwrap();
    let ours_session = cons.lines().find(|l| l.contains("sid=0x")).expect(&cons);
    assert_eq!(fields(real_session), fields(ours_session));
    // OP_READ interest, and the last op of the session (a ping updates
    // it too: FinalRequestProcessor's `lastOp = "PING"`).
    assert!(ours_session.contains("[1]("), "{ours_session}");
    assert!(
        ours_session.contains(",lop=GETD,") || ours_session.contains(",lop=PING,"),
        "{ours_session}"
    );
    let wchs = word(sim, follower, "wchs");
    assert!(wchs.ends_with(" paths\nTotal watches:0\n"), "{wchs}");
    let mntr = word(sim, follower, "mntr");
    compare_mntr(REAL_FOLLOWER_MNTR, &mntr, &[], &[]);
    mntr
}

/// Values from the run, not constants: the counts this scenario shares
/// with the real run (`docs/REAL-ZK.md`) are the real ones.
fn the_counts_are_the_real_runs(sim: &mut Simulation, leader: u32, mntr: &str) {
    let get = |text: &str, k: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}\t")))
            .unwrap_or_else(|| panic!("{k}"))
            .to_string()
    };
    for k in [
        "zk_learner_proposal_received_count",
        "zk_learner_commit_received_count",
        "zk_cnt_a_write_per_namespace",
        "zk_cnt_a_read_per_namespace",
        "zk_cnt_zookeeper_write_per_namespace",
        "zk_cnt_updatelatency",
        "zk_looking_count",
        "zk_cnt_election_time",
        "zk_proposal_count",
        "zk_global_sessions",
    ] {
        assert_eq!(get(mntr, k), get(REAL_FOLLOWER_MNTR, k), "follower {k}");
    }
    let leader_mntr = word(sim, leader, "mntr");
    for k in [
        "zk_proposal_count",
        "zk_commit_count",
        "zk_cnt_quorum_ack_latency",
        "zk_cnt_a_write_per_namespace",
        "zk_cnt_zookeeper_write_per_namespace",
        "zk_learners",
        "zk_synced_followers",
        "zk_cnt_election_time",
        "zk_learner_commit_received_count",
        "zk_outstanding_changes_queued",
        "zk_outstanding_changes_removed",
        "zk_approximate_data_size",
    ] {
        assert_eq!(get(&leader_mntr, k), get(REAL_LEADER_MNTR, k), "leader {k}");
    }
    let get = |k: &str| get(mntr, k);
    assert_ne!(get("zk_cnt_fsynctime"), "0");
    assert_eq!(get("zk_num_alive_connections"), "2");
}

#[test]
fn a_looking_server_is_not_serving_but_imok() {
    // e1: kill the leader and a follower; the survivor looks for a leader.
    let mut sim = ensemble(4);
    let leader = sim.established_leader().unwrap();
    let others: Vec<u32> = (1..=3).filter(|&s| s != leader).collect();
    sim.act(ActionKind::Crash {
        server: ServerRef::Sid(leader),
        power_loss: false,
    })
    .unwrap();
    sim.act(ActionKind::Crash {
        server: ServerRef::Sid(others[0]),
        power_loss: false,
    })
    .unwrap();
    sim.run_until(sim.now_ms() + 500);
    let survivor = others[1];
    assert_eq!(sim.server(survivor).unwrap().state, "LOOKING");
    for (cmd, real) in REAL_LOOKING {
        let ours = word(&mut sim, survivor, cmd);
        if cmd == "ruok" {
            assert_eq!(ours, "imok", "no line end");
            assert_eq!(real.trim_end(), ours);
        } else {
            assert_eq!(ours, real, "{cmd}");
            assert_eq!(ours, format!("{NOT_SERVING}\n"));
        }
    }
}

fn not_serving_everywhere(sim: &mut Simulation, sid: u32, state: &str) {
    for cmd in ["srvr", "stat", "conf", "cons", "wchs", "mntr"] {
        assert_eq!(
            word(sim, sid, cmd),
            format!("{NOT_SERVING}\n"),
            "{cmd} on a {state} server"
        );
    }
    assert_eq!(word(sim, sid, "ruok"), "imok", "{state}");
}

/// Step until `pred` holds for some server; its sid.
fn step_until(sim: &mut Simulation, pred: impl Fn(&zablab_core::ServerView) -> bool) -> u32 {
    for _ in 0..100_000 {
        if let Some(v) = sim.servers().into_iter().find(|v| pred(v)) {
            return v.sid;
        }
        assert!(sim.step(), "the run ended first");
    }
    panic!("never happened");
}

#[test]
fn leading_before_a_newleader_quorum_is_not_serving() {
    let json = r#"{ "zablab": 1, "name": "fresh start", "seed": 5,
  "ensemble": { "participants": [1, 2, 3] }, "until_ms": 20000,
  "actions": [ { "at_ms": 0, "do": "start", "servers": [1, 2, 3] } ] }"#;
    let mut sim = Simulation::new(Scenario::from_json(json).unwrap()).unwrap();
    let sid = step_until(&mut sim, |v| v.state == "LEADING" && !v.serving);
    not_serving_everywhere(&mut sim, sid, "LEADING (discovery)");
    let sid = step_until(&mut sim, |v| {
        v.state == "LEADING" && v.zab_state == "SYNCHRONIZATION" && !v.serving
    });
    not_serving_everywhere(&mut sim, sid, "LEADING (synchronization)");
    let sid = step_until(&mut sim, |v| v.state == "LEADING" && v.serving);
    assert!(word(&mut sim, sid, "srvr").contains("\nMode: leader\n"));
}

#[test]
fn a_learner_before_uptodate_is_not_serving() {
    // An observer and a follower that rejoin over slow links: they sit in
    // synchronization for a while.
    let json = r#"{ "zablab": 1, "name": "rejoin over a slow link", "seed": 6,
  "ensemble": { "participants": [1, 2, 3], "observers": [4] }, "until_ms": 40000,
  "actions": [
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3, 4] } ] }"#;
    let mut sim = Simulation::new(Scenario::from_json(json).unwrap()).unwrap();
    sim.run_until(5000);
    let leader = sim.established_leader().unwrap();
    let follower = (1..=3).find(|&s| s != leader).unwrap();
    for learner in [follower, 4] {
        sim.act(ActionKind::Crash {
            server: ServerRef::Sid(learner),
            power_loss: false,
        })
        .unwrap();
        sim.act(ActionKind::SlowLink {
            from: leader,
            to: learner,
            latency_ms: 300,
        })
        .unwrap();
        sim.act(ActionKind::Restart {
            server: ServerRef::Sid(learner),
        })
        .unwrap();
    }
    let sid = step_until(&mut sim, |v| {
        v.sid == follower && v.state == "FOLLOWING" && v.zab_state == "SYNCHRONIZATION"
    });
    not_serving_everywhere(&mut sim, sid, "FOLLOWING (synchronization)");
    let sid = step_until(&mut sim, |v| {
        v.sid == 4 && v.state == "OBSERVING" && v.zab_state != "BROADCAST"
    });
    not_serving_everywhere(&mut sim, sid, "OBSERVING (before UPTODATE)");
    let sid = step_until(&mut sim, |v| v.sid == 4 && v.serving);
    assert!(word(&mut sim, sid, "srvr").contains("\nMode: observer\n"));
}
