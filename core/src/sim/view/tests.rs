//! Tests of the views: the history changes nothing in a run, messages in
//! flight and held, the ZAB story in the history, four-letter words read
//! without an action.

use super::*;
use crate::proto::{Packet, ServerState};
use crate::scenario::{ActionKind, Scenario, ServerRef};
use crate::zxid::Zxid;

fn sim(name: &str) -> Simulation {
    let text = match name {
        "kill" => include_str!("../../../../static/scenarios/kill-the-leader.json"),
        _ => include_str!("../../../../static/scenarios/three-servers.json"),
    };
    Simulation::new(Scenario::from_json(text).unwrap()).unwrap()
}

#[test]
fn every_kind_has_a_name_and_server_kinds_come_first() {
    for (i, k) in MsgKind::ALL.iter().enumerate() {
        assert!(!k.name().is_empty());
        assert_eq!(k.between_servers(), i <= 18, "{k:?}");
    }
    assert_eq!(MsgKind::of_packet(&Packet::UpToDate), MsgKind::UpToDate);
    assert_eq!(
        MsgKind::of_packet(&Packet::Ack { zxid: Zxid::ZERO }),
        MsgKind::Ack
    );
}

#[test]
fn history_changes_nothing_in_the_run() {
    for name in ["kill", "three"] {
        let mut plain = sim(name);
        let mut seen = sim(name);
        seen.record_history(100_000);
        plain.run_to_end();
        seen.run_to_end();
        assert_eq!(plain.trace_hash(), seen.trace_hash(), "{name}");
        assert_eq!(plain.summary(), seen.summary(), "{name}");
        assert!(!seen.message_history().is_empty());
        assert!(plain.message_history().is_empty());
    }
}

#[test]
fn every_reference_scenario_hashes_the_same_with_the_history_on() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference");
    let fixture = crate::reference::Fixture::from_json(
        &std::fs::read_to_string(dir.join(crate::reference::FIXTURE_FILE)).unwrap(),
    )
    .unwrap();
    assert!(fixture.scenarios.len() >= 20);
    for want in &fixture.scenarios {
        let text = std::fs::read_to_string(dir.join(&want.file)).unwrap();
        let mut s = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        // A small bound, so that chunks are dropped on the way too.
        s.record_history(2048);
        s.run_to_end();
        assert_eq!(
            (format!("0x{:016x}", s.trace_hash()), s.events()),
            (want.trace_hash.clone(), want.events),
            "{}",
            want.file
        );
    }
}

#[test]
fn in_flight_messages_have_send_and_delivery_times() {
    let mut s = sim("three");
    s.run_until(0);
    let m = s.in_flight();
    assert!(!m.is_empty(), "start sends notifications");
    for x in &m {
        let (sent, at) = (x.sent_ms.unwrap(), x.deliver_ms.unwrap());
        assert!(sent <= at && sent <= s.now_ms(), "{x:?}");
    }
    assert!(m
        .iter()
        .any(|x| x.kind == MsgKind::Notification && matches!(x.detail, MsgDetail::Vote { .. })));
    let mut sorted = m.clone();
    sorted.sort_by_key(|x| x.deliver_ms);
    assert_eq!(sorted, m, "sorted by delivery time");
    // Later, the broadcast phase: PINGs between leader and followers.
    s.run_until(1500);
    let kinds: Vec<MsgKind> = (0..2000)
        .flat_map(|_| {
            s.step();
            s.in_flight()
                .into_iter()
                .map(|m| m.kind)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(kinds.contains(&MsgKind::Ping), "{kinds:?}");
}

#[test]
fn the_history_sees_the_whole_zab_story_and_state_changes() {
    let mut s = sim("kill");
    s.record_history(1 << 20);
    s.run_until(12_000);
    let h = s.message_history();
    let kinds: std::collections::BTreeSet<MsgKind> = h.iter_from(0).map(|r| r.kind).collect();
    for k in [
        MsgKind::Notification,
        MsgKind::FollowerInfo,
        MsgKind::LeaderInfo,
        MsgKind::AckEpoch,
        MsgKind::Diff,
        MsgKind::NewLeader,
        MsgKind::UpToDate,
        MsgKind::Proposal,
        MsgKind::Ack,
        MsgKind::Commit,
        MsgKind::Ping,
        MsgKind::ClientRequest,
        MsgKind::ClientReply,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    // Delivery order is time order.
    let times: Vec<u64> = h.iter_from(0).map(|r| r.at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(h.iter_from(0).all(|r| r.sent_ms <= r.at_ms));
    // The crash of the leader at 9000 ms is in the state history, then
    // a new epoch.
    let states: Vec<StateRecord> = s.state_history().iter_from(0).copied().collect();
    assert!(states
        .iter()
        .any(|r| r.at_ms == 9000 && r.life == Life::Down));
    assert!(states
        .iter()
        .any(|r| r.at_ms > 9000 && r.state == ServerState::Leading && r.current_epoch == 2));
}

#[test]
fn a_paused_server_holds_what_arrives_and_cuts_hold_packets() {
    let mut s = sim("three");
    s.record_history(100_000);
    s.run_until(5000);
    s.act(ActionKind::Pause {
        server: ServerRef::Sid(1),
        for_ms: 3000,
    })
    .unwrap();
    s.run_until(6500);
    assert!(s.waiting_at(1) > 0);
    assert_eq!(s.paused_until(1), Some(8000));
    // Paused, it serves no one (the inspector and lessons read this).
    let v = s.server(1).unwrap();
    assert!(v.paused && v.up && !v.serving, "{v:?}");
    assert!(s.server(2).unwrap().serving);
    assert!(s
        .message_history()
        .iter_from(0)
        .any(|r| r.outcome == Outcome::Held && r.to == Peer::Server(1)));
    s.run_until(9000);
    let leader = s.established_leader().unwrap();
    let other = (1..=3).find(|&x| x != leader).unwrap();
    s.act(ActionKind::Cut {
        from: leader,
        to: other,
    })
    .unwrap();
    s.run_until(11_000);
    let links = s.links();
    assert_eq!(links.cuts, vec![(leader, other)]);
    let held: Vec<InFlight> = s
        .in_flight()
        .into_iter()
        .filter(|m| m.deliver_ms.is_none())
        .collect();
    assert!(!held.is_empty(), "PINGs wait at the cut");
    assert!(held.iter().all(|m| m.from == Peer::Server(leader)));
    assert!(links.conns.iter().any(|c| c.held.iter().sum::<usize>() > 0));
}

#[test]
fn four_letter_words_can_be_read_without_an_action() {
    let mut s = sim("three");
    s.run_until(3000);
    let before = (s.trace_hash(), s.scenario().actions.len());
    let out = s.four_letter_word_now(1, "srvr").unwrap();
    assert!(out.starts_with("Zookeeper version:"), "{out}");
    assert_eq!(before, (s.trace_hash(), s.scenario().actions.len()));
    assert_eq!(
        s.four_letter_word_now(9, "srvr"),
        Err(ActionError::UnknownServer(9))
    );
    assert!(property_names().contains(&"Leadership1"));
    assert!(property_names().contains(&"LivenessLeaderEstablished"));
}
