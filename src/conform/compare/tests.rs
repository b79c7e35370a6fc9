//! The comparison's verdicts on hand-made outcomes: the built-in sync
//! ties, where they carry and where they stop, and declared ties.

use super::*;
use crate::conform::facts::{EndState, FourLw, SyncFact, WriteRec};

fn scenario(either: &str) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{ "zablab": 1, "name": "t", "seed": 1, "until_ms": 1000,
             "ensemble": {{ "participants": [1,2,3] }}, "network": {{}},
             "actions": [ {{ "at_ms": 0, "do": "start", "servers": [1,2,3] }} ],
             "conform": {{ "either": [{either}] }} }}"#
    ))
    .unwrap()
}

fn side(syncs: &[(u32, u32, &str, &str)]) -> Outcome {
    Outcome {
        syncs: syncs
            .iter()
            .map(|&(learner, epoch, mode, how)| SyncFact {
                learner,
                leader: 3,
                epoch: Some(epoch),
                mode: mode.into(),
                how: how.into(),
                at_ms: 100,
            })
            .collect(),
        ..Outcome::default()
    }
}

/// `side(syncs)` with each `(sid, zxid)` ending as a follower.
fn ending(syncs: &[(u32, u32, &str, &str)], ends: &[(u32, &str)]) -> Outcome {
    let mut o = side(syncs);
    o.ends = ends
        .iter()
        .map(|&(sid, zxid)| EndState {
            sid,
            mode: "follower".into(),
            zxid: Some(zxid.into()),
            znodes: Some(5),
            digest_mismatches: None,
        })
        .collect();
    o
}

fn verdicts(s: &Scenario, real: Outcome, sim: Outcome) -> Vec<(String, Verdict)> {
    let real = RealReport {
        outcome: real,
        shift_ms: 0,
        waits: vec![],
        skipped: vec![],
        action_errors: vec![],
        t0_unix_ms: 0,
    };
    let sim = SimReport {
        outcome: sim,
        ready: vec![],
        violations: vec![],
        action_errors: vec![],
        trace_hash: String::new(),
        attach: Default::default(),
    };
    compare(s, &real, &sim)
        .rows
        .into_iter()
        .filter(|r| ["syncs", "end", "4lw"].contains(&r.category))
        .map(|r| (r.fact, r.verdict))
        .collect()
}

#[test]
fn a_first_epoch_diff_against_a_snap_is_a_tie_and_later_ones_only_when_they_follow() {
    let real = side(&[
        (1, 1, "SNAP", ""),
        (1, 2, "SNAP", ""),
        (2, 1, "SNAP", ""),
        (2, 2, "SNAP", ""),
    ]);
    let sim = side(&[
        (1, 1, "DIFF", ""),
        (1, 2, "DIFF", ""),
        (2, 1, "DIFF", "committedLog"),
        (2, 2, "DIFF", ""),
    ]);
    let v = verdicts(&scenario(""), real.clone(), sim.clone());
    // s1 was tied in e1, so its e2 sync follows; s2 was not, nor their
    // leader s3.
    assert_eq!(
        v,
        vec![
            ("sync s1 e1".to_string(), Verdict::Either),
            ("sync s2 e1".to_string(), Verdict::Differ),
            ("sync s1 e2".to_string(), Verdict::Either),
            ("sync s2 e2".to_string(), Verdict::Differ),
        ]
    );
    // A write answered before it: something was committed, no tie.
    let mut written = real.clone();
    written.writes.push(WriteRec {
        client: "c".into(),
        op: "create".into(),
        path: "/a".into(),
        zxid: Some("0x100000001".into()),
        result: "ok".into(),
        at_ms: 50,
    });
    let v = verdicts(&scenario(""), written, sim.clone());
    assert_eq!(v[2], ("sync s1 e2".to_string(), Verdict::Differ));
    // Another leader on one side: not the same sync.
    let mut led = sim;
    led.syncs[1].leader = 2;
    let v = verdicts(&scenario(""), real, led);
    assert_eq!(v[2], ("sync s1 e2".to_string(), Verdict::Differ));
}

#[test]
fn a_sync_led_by_a_tied_leader_follows_and_its_learner_carries_the_tie() {
    // three-servers.json, as a rerun saw it: s2's epoch-1 sync tied, s2
    // led epoch 2, and s1 ended at the SNAP's zxid on the real side.
    let mut real = ending(
        &[(2, 1, "SNAP", ""), (1, 2, "SNAP", "")],
        &[(1, "0x100000000")],
    );
    let mut sim = ending(&[(2, 1, "DIFF", ""), (1, 2, "DIFF", "")], &[(1, "0x0")]);
    for o in [&mut real, &mut sim] {
        o.syncs[1].leader = 2;
    }
    let v = verdicts(&scenario(""), real, sim);
    assert_eq!(
        v,
        vec![
            ("sync s2 e1".to_string(), Verdict::Either),
            ("sync s1 e2".to_string(), Verdict::Either),
            ("end s1".to_string(), Verdict::Either),
        ]
    );
}

#[test]
fn a_tied_learner_may_end_at_the_snap_zxid_and_only_there() {
    let real = ending(
        &[(1, 1, "SNAP", ""), (2, 1, "DIFF", "")],
        &[(1, "0x100000000"), (2, "0x100000000")],
    );
    let sim = ending(
        &[(1, 1, "DIFF", ""), (2, 1, "DIFF", "")],
        &[(1, "0x0"), (2, "0x0")],
    );
    let v = verdicts(&scenario(""), real, sim);
    assert_eq!(
        v,
        vec![
            ("sync s1 e1".to_string(), Verdict::Either),
            ("sync s2 e1".to_string(), Verdict::Agree),
            ("end s1".to_string(), Verdict::Either),
            ("end s2".to_string(), Verdict::Differ),
        ]
    );
    let real = ending(&[(1, 1, "SNAP", "")], &[(1, "0x100000002")]);
    let sim = ending(&[(1, 1, "DIFF", "")], &[(1, "0x0")]);
    let v = verdicts(&scenario(""), real, sim);
    assert_eq!(v[1], ("end s1".to_string(), Verdict::Differ));
    // Only the whole zxid: 0x1000000001 is not the SNAP's 0x100000000.
    assert!(!first_epoch_zxid_tie(
        "follower zxid 0x1000000001 znodes 5",
        "follower zxid 0x01 znodes 5"
    ));
    assert!(first_epoch_zxid_tie(
        "Zxid: 0x100000000\nMode: follower",
        "Zxid: 0x0\nMode: follower"
    ));
}

#[test]
fn a_tied_learner_may_answer_srvr_with_the_snap_zxid() {
    let srvr = |sid: u32, zxid: &str| FourLw {
        action: sid as usize,
        server: sid,
        cmd: "srvr".into(),
        at_ms: 3500,
        output: Some(format!("Zxid: {zxid}\nMode: follower\nNode count: 5\n")),
    };
    let mut real = side(&[(1, 1, "SNAP", ""), (2, 1, "DIFF", "")]);
    real.fourlw = vec![srvr(1, "0x100000000"), srvr(2, "0x100000000")];
    let mut sim = side(&[(1, 1, "DIFF", ""), (2, 1, "DIFF", "")]);
    sim.fourlw = vec![srvr(1, "0x0"), srvr(2, "0x0")];
    let v = verdicts(&scenario(""), real, sim);
    assert_eq!(
        v[2..],
        [
            ("4lw srvr s1 (actions[1])".to_string(), Verdict::Either),
            ("4lw srvr s2 (actions[2])".to_string(), Verdict::Differ),
        ]
    );
}

#[test]
fn a_declared_tie_applies_only_to_its_values() {
    let s = scenario(r#"{ "fact": "sync s1 e2", "of": ["DIFF", "TRUNC"], "why": "w" }"#);
    let real = side(&[(1, 2, "TRUNC", ""), (2, 2, "TRUNC", "")]);
    let sim = side(&[(1, 2, "DIFF", ""), (2, 2, "DIFF", "")]);
    assert_eq!(
        verdicts(&s, real.clone(), sim),
        vec![
            ("sync s1 e2".to_string(), Verdict::Either),
            ("sync s2 e2".to_string(), Verdict::Differ),
        ]
    );
    let sim = side(&[(1, 2, "SNAP", ""), (2, 2, "TRUNC", "")]);
    assert_eq!(
        verdicts(&s, real, sim),
        vec![
            ("sync s1 e2".to_string(), Verdict::Differ),
            ("sync s2 e2".to_string(), Verdict::Agree),
        ]
    );
}
