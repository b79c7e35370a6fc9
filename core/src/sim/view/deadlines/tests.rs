//! Tests of the deadline and vote views: asking changes nothing in a run
//! (every reference scenario hashes the same when both views are read
//! after every event), and each deadline is the moment the server acts:
//! a follower gives up on a paused leader at its syncLimit deadline, a
//! leader that lost its quorum steps down at its synced-quorum deadline,
//! a lone server's notification timeout doubles, a session expires at the
//! leader's expiry deadline; votes change for ZooKeeper's reasons.

use super::*;
use crate::scenario::Scenario;
use crate::sim::{Ballot, VoteReason};

fn scenario(file: &str) -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    Scenario::from_json(&text).unwrap()
}

fn reference(file: &str) -> Simulation {
    Simulation::new(scenario(file)).unwrap()
}

/// Steps one event up to the scenario's end (`step` alone never stops: a
/// leader ticks forever).
fn step_in_run(sim: &mut Simulation) -> bool {
    let until = sim.scenario().until_ms;
    sim.next_event_ms().is_some_and(|t| t <= until) && sim.step()
}

fn of(sim: &Simulation, sid: Sid) -> Vec<Deadline> {
    sim.deadlines()
        .into_iter()
        .filter(|d| d.sid == sid)
        .collect()
}

fn deciding(sim: &Simulation, sid: Sid) -> Option<Deadline> {
    of(sim, sid).into_iter().find(|d| d.decides)
}

fn state(sim: &Simulation, sid: Sid) -> ServerState {
    sim.server_state(sid).unwrap().state
}

#[test]
fn reading_deadlines_and_votes_after_every_event_changes_no_reference_run() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/reference");
    let fixture = crate::reference::Fixture::from_json(
        &std::fs::read_to_string(dir.join(crate::reference::FIXTURE_FILE)).unwrap(),
    )
    .unwrap();
    let mut read = 0usize;
    for want in &fixture.scenarios {
        let mut s = reference(&want.file);
        s.record_history(4096);
        while step_in_run(&mut s) {
            read += s.deadlines().len() + s.votes().len();
        }
        assert_eq!(
            (format!("0x{:016x}", s.trace_hash()), s.events()),
            (want.trace_hash.clone(), want.events),
            "{}",
            want.file
        );
    }
    assert!(read > 10_000, "the views were read ({read})");
}

#[test]
fn an_election_shows_the_notification_timeout_then_the_finalize_wait() {
    let mut s = reference("election-3.json");
    s.record_history(1 << 12);
    s.run_until(0);
    for sid in 1..=3 {
        let d = deciding(&s, sid).expect("a deadline while LOOKING");
        assert_eq!(
            d.kind,
            DeadlineKind::NotificationTimeout { interval_ms: 200 }
        );
        assert_eq!(d.due_ms - d.start_ms, 200);
    }
    // Someone reaches the finalize wait: 200 ms from its start.
    let mut finalizing = None;
    while finalizing.is_none() && s.step() {
        finalizing = s
            .deadlines()
            .into_iter()
            .find(|d| d.kind == DeadlineKind::FinalizeWait);
    }
    let d = finalizing.expect("a finalize wait");
    assert!(d.decides);
    assert_eq!(d.due_ms - d.start_ms, 200);
    let v = s.votes().into_iter().find(|v| v.sid == d.sid).unwrap();
    assert!(v.finalizing && v.agreeing.len() >= v.quorum, "{v:?}");
}

#[test]
fn a_follower_gives_up_on_a_paused_leader_exactly_at_its_sync_limit_deadline() {
    let mut s = reference("pause-leader-gc.json");
    s.run_until(10_000);
    let leader = s.established_leader().unwrap();
    assert_eq!(deciding(&s, leader).unwrap().kind, DeadlineKind::Resume);
    let follower = (1..=3).find(|&x| x != leader).unwrap();
    let d = deciding(&s, follower).unwrap();
    assert_eq!(d.kind, DeadlineKind::LearnerSyncLimit);
    assert_eq!(d.due_ms - d.start_ms, 10_000, "syncLimit 5 × tickTime 2000");
    assert!(d.start_ms <= 10_000 && d.due_ms > 10_000);
    s.run_until(d.due_ms - 1);
    assert_eq!(state(&s, follower), ServerState::Following);
    s.run_until(d.due_ms);
    assert_eq!(
        state(&s, follower),
        ServerState::Looking,
        "it gave up at {}",
        d.due_ms
    );
}

#[test]
fn a_leader_without_a_quorum_steps_down_at_its_synced_quorum_deadline() {
    // The leader is cut off from both followers at 10 s (packets held, no
    // connection closes); the heal that follows is dropped so that no
    // learner is heard again before the deadline.
    let mut sc = scenario("partition-minority-leader.json");
    sc.actions.retain(|a| a.at_ms <= 10_000);
    let mut s = Simulation::new(sc).unwrap();
    s.run_until(10_000);
    let leader = s.established_leader().unwrap();
    let due = of(&s, leader)
        .into_iter()
        .find(|d| matches!(d.kind, DeadlineKind::SyncedQuorum { .. }))
        .expect("the leader's synced-quorum deadline")
        .due_ms;
    let tick = of(&s, leader)
        .into_iter()
        .find(|d| matches!(d.kind, DeadlineKind::TickCheck { .. }))
        .unwrap();
    assert_eq!(tick.due_ms - tick.start_ms, 2000, "once per tick");
    assert!(due > 10_000 && due <= 10_000 + 12_000, "{due}");
    s.run_until(due - 1);
    assert_eq!(state(&s, leader), ServerState::Leading);
    s.run_until(due);
    assert_eq!(
        state(&s, leader),
        ServerState::Looking,
        "it stepped down at {due}"
    );
    // Alone, it backs off: 200 ms doubling up to 60 s, each due when the
    // server sends again.
    let mut intervals = Vec::new();
    while s.now_ms() < due + 10_000 && s.step() {
        if let Some(DeadlineKind::NotificationTimeout { interval_ms }) =
            deciding(&s, leader).map(|d| d.kind)
        {
            if intervals.last() != Some(&interval_ms) {
                let d = deciding(&s, leader).unwrap();
                assert_eq!(d.due_ms - d.start_ms, interval_ms);
                intervals.push(interval_ms);
            }
        }
    }
    assert!(intervals.len() >= 4, "{intervals:?}");
    assert!(
        intervals.windows(2).all(|w| w[1] == (w[0] * 2).min(60_000)),
        "{intervals:?}"
    );
}

#[test]
fn a_session_expires_at_the_leaders_expiry_deadline() {
    let mut s = reference("session-expiry.json");
    s.run_until(7_999);
    let leader = s.established_leader().unwrap();
    let d = of(&s, leader)
        .into_iter()
        .find(|d| matches!(d.kind, DeadlineKind::SessionExpiry { .. }))
        .expect("a session on the leader");
    let DeadlineKind::SessionExpiry {
        session,
        timeout_ms,
    } = d.kind
    else {
        unreachable!()
    };
    assert_eq!(timeout_ms, 4000);
    assert!(d.due_ms > 7_999 && d.due_ms <= 7_999 + 4000 + 2000, "{d:?}");
    // Every server stalls from 8000 to 17000: nobody hears the client, and
    // the leader expires the session when it wakes.
    s.run_until(17_500);
    let expired = s
        .log()
        .iter()
        .find(|e| {
            e.text
                .starts_with(&format!("Expiring session 0x{session:x}"))
        })
        .expect("the session expired");
    assert!(
        expired.at_ms >= d.due_ms,
        "{} < {}",
        expired.at_ms,
        d.due_ms
    );
    assert_eq!(expired.sid, leader);
}

#[test]
fn learners_count_init_limit_until_newleader_then_sync_limit() {
    let mut s = reference("election-3.json");
    let mut kinds = Vec::new();
    while s.now_ms() < 3000 && s.step() {
        for d in s.deadlines().into_iter().filter(|d| d.decides) {
            if matches!(
                d.kind,
                DeadlineKind::LearnerInitLimit | DeadlineKind::LearnerSyncLimit
            ) && kinds.last() != Some(&(d.sid, d.kind))
            {
                kinds.push((d.sid, d.kind));
            }
        }
    }
    for sid in 1..=3 {
        let mine: Vec<DeadlineKind> = kinds.iter().filter(|k| k.0 == sid).map(|k| k.1).collect();
        if s.established_leader() == Some(sid) {
            assert!(mine.is_empty());
        } else {
            assert_eq!(
                mine.first(),
                Some(&DeadlineKind::LearnerInitLimit),
                "{sid}: {mine:?}"
            );
            assert_eq!(mine.last(), Some(&DeadlineKind::LearnerSyncLimit));
        }
    }
}

/// Whether `to` beats `from` by `totalOrderPredicate`.
fn better(to: Ballot, from: Ballot) -> bool {
    (to.peer_epoch, to.zxid, to.leader) > (from.peer_epoch, from.zxid, from.leader)
}

#[test]
fn votes_change_for_zookeepers_reasons() {
    let mut s = reference("kill-leader.json");
    s.record_history(1 << 14);
    let mut seen = Vec::new();
    while step_in_run(&mut s) {
        for v in s.votes() {
            if let Some(c) = v.change {
                if seen.last() != Some(&(v.sid, c)) && !seen.contains(&(v.sid, c)) {
                    seen.push((v.sid, c));
                }
            }
        }
    }
    let reasons: Vec<VoteReason> = seen.iter().map(|(_, c)| c.reason).collect();
    assert!(reasons.contains(&VoteReason::HigherSid), "{reasons:?}");
    assert!(reasons.contains(&VoteReason::NewElection), "{reasons:?}");
    assert!(reasons.contains(&VoteReason::EpochUpdated), "{reasons:?}");
    for (sid, c) in &seen {
        match c.reason {
            VoteReason::HigherEpoch | VoteReason::HigherZxid | VoteReason::HigherSid => {
                assert!(better(c.to, c.from), "{sid}: {c:?}");
                assert_eq!(c.to.round, c.from.round);
                assert!(c.cause.is_some(), "a notification caused it: {c:?}");
                let first_difference = if c.to.peer_epoch != c.from.peer_epoch {
                    VoteReason::HigherEpoch
                } else if c.to.zxid != c.from.zxid {
                    VoteReason::HigherZxid
                } else {
                    VoteReason::HigherSid
                };
                assert_eq!(c.reason, first_difference);
            }
            VoteReason::NewElection => {
                assert_eq!(c.to.leader, *sid as i64, "a new round votes for itself");
                assert_ne!(c.to.round, c.from.round);
            }
            _ => {}
        }
    }
    // Without the history there is nothing to tell.
    let mut plain = reference("kill-leader.json");
    plain.run_until(12_000);
    assert!(plain.votes().iter().all(|v| v.change.is_none()));
}
