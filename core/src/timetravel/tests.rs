//! Tests of time travel: exact replays (across thinned checkpoints and
//! later user actions), forks, branches, the memory bound.

use super::*;
use crate::ServerRef;

/// Three servers, checkpoints every 50 events (so tests cross many).
fn engine() -> Engine {
    let text = include_str!("../../../static/scenarios/three-up.json");
    Engine::with_checkpoints_every(Scenario::from_json(text).unwrap(), 50).unwrap()
}

fn go(e: &mut Engine, t: u64) {
    assert!(e.seek(t, &mut || true));
    assert_eq!(e.now_ms(), t);
}

/// A fresh run of the exported branch to the same moment.
fn replay(e: &Engine, t: u64) -> Simulation {
    let mut s = Simulation::new(e.export()).unwrap();
    s.run_until(t);
    s
}

#[test]
fn seeking_back_and_forth_shows_exactly_the_replayed_state() {
    let mut e = engine();
    go(&mut e, 3000);
    e.act(ActionKind::Crash {
        server: ServerRef::Leader,
        power_loss: false,
    })
    .unwrap();
    go(&mut e, 9000);
    let at_9000 = (e.sim().trace_hash(), e.sim().events(), e.sim().servers());
    for t in [100, 2999, 3000, 3001, 5000, 8999] {
        go(&mut e, t);
        assert!(!e.live());
        let r = replay(&e, t);
        assert_eq!(e.sim().trace_hash(), r.trace_hash(), "at {t}");
        assert_eq!(e.sim().servers(), r.servers(), "at {t}");
    }
    go(&mut e, 9000);
    assert!(e.live());
    assert_eq!(
        at_9000,
        (e.sim().trace_hash(), e.sim().events(), e.sim().servers())
    );
}

#[test]
fn stepping_back_then_forward_returns_to_the_same_event() {
    let mut e = engine();
    go(&mut e, 2000);
    let n = e.sim().events();
    let hash = e.sim().trace_hash();
    assert!(e.step_back());
    assert_eq!(e.sim().events(), n - 1);
    assert!(!e.live());
    assert!(e.step_back());
    assert!(e.step_forward());
    assert!(e.step_forward());
    assert_eq!(e.sim().events(), n);
    assert_eq!(e.sim().trace_hash(), hash);
    assert!(e.live());
    // Stepping at the frontier handles the next event.
    assert!(e.step_forward());
    assert_eq!(e.sim().events(), n + 1);
}

#[test]
fn checkpoints_are_taken_and_thinned_but_replays_stay_exact() {
    let mut e = engine();
    go(&mut e, 60_000);
    assert!(e.checkpoints() > 2, "{}", e.checkpoints());
    assert!(e.checkpoints() <= MAX_RECENT + 1);
    e.act(ActionKind::Crash {
        server: ServerRef::Sid(1),
        power_loss: false,
    })
    .unwrap();
    go(&mut e, 61_000);
    let t = 60_000;
    go(&mut e, t);
    assert_eq!(e.sim().trace_hash(), replay(&e, t).trace_hash());
    assert_eq!(
        e.sim().server(1).unwrap().state,
        "DOWN",
        "the crash is at 60000"
    );
}

#[test]
fn acting_in_the_past_forks_and_keeps_the_old_branch() {
    let mut e = engine();
    go(&mut e, 4000);
    let old_hash = e.head().trace_hash();
    go(&mut e, 2500);
    let fork = e
        .act(ActionKind::Crash {
            server: ServerRef::Sid(2),
            power_loss: false,
        })
        .unwrap();
    assert_eq!(fork, Some(1));
    assert!(e.live());
    assert_eq!(e.sim().server(2).unwrap().state, "DOWN");
    assert_eq!(e.frontier_ms(), 2500);
    go(&mut e, 4000);
    assert_ne!(e.head().trace_hash(), old_hash);
    // The new branch replays like its own scenario.
    assert_eq!(e.sim().trace_hash(), replay(&e, 4000).trace_hash());
    let infos = e.branches();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[1].parent, Some((0, 2500)));
    assert!(e.select_branch(0));
    assert_eq!(e.head().trace_hash(), old_hash);
    assert_ne!(e.sim().server(2).unwrap().state, "DOWN");
    // Seeking inside the new branch before the fork uses the shared prefix.
    e.select_branch(1);
    go(&mut e, 1000);
    assert_eq!(e.sim().trace_hash(), replay(&e, 1000).trace_hash());
}

#[test]
fn a_refused_action_changes_nothing() {
    let mut e = engine();
    go(&mut e, 3000);
    let before = (e.sim().trace_hash(), e.export());
    assert_eq!(
        e.act(ActionKind::Restart {
            server: ServerRef::Sid(1)
        }),
        Err(ActionError::AlreadyUp(1))
    );
    go(&mut e, 1000);
    assert!(e
        .act(ActionKind::Restart {
            server: ServerRef::Sid(1)
        })
        .is_err());
    assert_eq!(e.branches().len(), 1, "no fork for a refused action");
    go(&mut e, 3000);
    assert_eq!(before, (e.sim().trace_hash(), e.export()));
}

#[test]
fn seeking_is_sliced_by_the_budget() {
    let text = include_str!("../../../static/scenarios/load-1h-5srv.json");
    let mut e = Engine::new(Scenario::from_json(text).unwrap()).unwrap();
    let mut calls = 0;
    let done = e.seek(30_000, &mut || {
        calls += 1;
        calls < 3
    });
    assert!(!done);
    assert!(e.now_ms() < 30_000);
    assert!(e.seek(30_000, &mut || true));
    assert_eq!(e.now_ms(), 30_000);
}

#[test]
fn a_moment_before_an_action_taken_there_can_be_shown_and_forked_clean() {
    let mut e = engine();
    go(&mut e, 3000);
    let (n, before) = (e.sim().events(), e.sim().trace_hash());
    e.act(ActionKind::Crash {
        server: ServerRef::Sid(1),
        power_loss: false,
    })
    .unwrap();
    go(&mut e, 6000);
    // seek(3000) shows the crash (its pinned checkpoint); seek_upto
    // shows the moment as it was before it.
    go(&mut e, 3000);
    assert_eq!(e.sim().server(1).unwrap().state, "DOWN");
    assert!(e.seek_upto(3000, n, &mut || true));
    assert_eq!((e.now_ms(), e.sim().events()), (3000, n));
    assert_eq!(e.sim().trace_hash(), before);
    assert_ne!(e.sim().server(1).unwrap().state, "DOWN");
    // A fork from there drops the future (the old branch keeps it).
    let id = e.fork().expect("a fork from the past");
    assert!(e.live());
    assert_eq!(e.frontier_ms(), 3000);
    assert_eq!(e.export().actions.len(), 1, "only the start");
    go(&mut e, 6000);
    assert_ne!(e.sim().server(1).unwrap().state, "DOWN");
    assert_eq!(e.sim().trace_hash(), replay(&e, 6000).trace_hash());
    assert_eq!(e.fork(), None, "nothing to drop at the frontier");
    assert!(e.select_branch(0));
    assert_eq!(e.head().scenario().actions.len(), 2);
    assert_eq!(e.branches()[1].parent, Some((0, 3000)));
    assert_eq!(id, 1);
}

#[test]
fn a_restart_is_a_new_root_branch_on_another_scenario() {
    let mut e = engine();
    go(&mut e, 4000);
    let mut s = e.export();
    s.ensemble.variants = vec!["bug_zk2845_no_fast_forward".to_string()];
    s.until_ms = 30_000;
    let id = e.restart(s).unwrap();
    assert_eq!((id, e.now_ms(), e.active_branch()), (1, 0, 1));
    assert_eq!(e.branches()[1].parent, None);
    assert_eq!(e.head().scenario().ensemble.variants.len(), 1);
    go(&mut e, 2000);
    assert!(e.select_branch(0));
    assert_eq!(e.frontier_ms(), 4000);
    for _ in 0..MAX_BRANCHES {
        e.restart(e.export()).unwrap();
    }
    assert_eq!(e.branches().len(), MAX_BRANCHES, "the oldest go");
    assert!(!e.select_branch(0));
}

#[test]
fn export_ends_at_the_frontier_and_replays_to_the_same_hash() {
    let mut e = engine();
    go(&mut e, 2000);
    e.act(ActionKind::Crash {
        server: ServerRef::Leader,
        power_loss: false,
    })
    .unwrap();
    go(&mut e, 7000);
    let s = e.export();
    assert_eq!(s.until_ms, 7000);
    let text = s.to_json();
    let mut r = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
    r.run_to_end();
    assert_eq!(r.trace_hash(), e.sim().trace_hash());
}

/// Three servers left running for `minutes`, with a checkpoint every 50
/// events and user actions (a crash and a restart of server 3, pairs every
/// `gap` minutes) taken at the frontier on the way.
fn long_run(minutes: u64, gap: u64) -> Engine {
    let mut e = engine();
    let mut t = 0;
    let mut up = true;
    while t < minutes * 60_000 {
        t += gap * 60_000;
        go(&mut e, t);
        let kind = if up {
            ActionKind::Crash {
                server: ServerRef::Sid(3),
                power_loss: false,
            }
        } else {
            ActionKind::Restart {
                server: ServerRef::Sid(3),
            }
        };
        e.act(kind).unwrap();
        up = !up;
    }
    e
}

#[test]
fn old_checkpoints_thin_out_and_replays_across_later_actions_stay_exact() {
    let mut e = long_run(180, 7);
    let times = e.checkpoint_times();
    let end = e.frontier_ms();
    let old = times.iter().filter(|&&t| end - t > RECENT_MS).count();
    // Three hours: one per bucket at most.
    let w = super::policy::bucket_ms(end, super::policy::max_old(e.head().server_count()));
    assert!(
        old as u64 <= end / w + 1,
        "{old} old checkpoints: {times:?}"
    );
    // The checkpoints right after the early actions are gone, yet a replay
    // from further back handles those actions.
    assert!(
        times.iter().filter(|&&t| t > 0 && t < 60 * 60_000).count() as u64 <= 60 * 60_000 / w,
        "{times:?}"
    );
    for t in [
        1_000,
        6 * 60_000,
        7 * 60_000 + 1,
        30 * 60_000,
        95 * 60_000,
        end - 1,
    ] {
        go(&mut e, t);
        let r = replay(&e, t);
        assert_eq!(e.sim().trace_hash(), r.trace_hash(), "at {t}");
        assert_eq!(e.sim().events(), r.events(), "at {t}");
        assert_eq!(e.sim().servers(), r.servers(), "at {t}");
        assert_eq!(
            e.sim().scenario().actions,
            r.scenario().actions[..e.sim().scenario().actions.len()]
        );
    }
    // Stepping back over an action taken long ago.
    go(&mut e, 7 * 60_000 + 1);
    let n = e.sim().events();
    assert!(e.step_back() && e.step_back());
    assert_eq!(e.sim().events(), n - 2);
    let mut r = Simulation::new(e.export()).unwrap();
    while r.events() < n - 2 {
        r.step();
    }
    assert_eq!(e.sim().trace_hash(), r.trace_hash());
}

#[test]
fn a_fork_from_an_old_moment_does_not_take_the_later_actions() {
    let mut e = long_run(120, 7);
    // Before the crash at 14 minutes (the second action), after the first.
    go(&mut e, 10 * 60_000);
    let id = e.fork().expect("a fork from the past");
    assert_eq!(e.active_branch(), id);
    assert_eq!(
        e.export().actions.len(),
        2,
        "the start and the crash at 7 min"
    );
    go(&mut e, 20 * 60_000);
    assert_eq!(
        e.sim().server(3).unwrap().state,
        "DOWN",
        "no restart at 14 min"
    );
    assert_eq!(e.sim().trace_hash(), replay(&e, 20 * 60_000).trace_hash());
}

#[test]
fn a_moment_before_an_old_action_can_be_shown_once_its_checkpoint_is_gone() {
    let mut e = engine();
    go(&mut e, 3000);
    let (n, before) = (e.sim().events(), e.sim().trace_hash());
    e.act(ActionKind::Crash {
        server: ServerRef::Sid(1),
        power_loss: false,
    })
    .unwrap();
    go(&mut e, 120 * 60_000);
    assert!(
        !e.checkpoint_times().contains(&3000),
        "the checkpoint after the action was thinned"
    );
    assert!(e.seek_upto(3000, n, &mut || true));
    assert_eq!((e.now_ms(), e.sim().events()), (3000, n));
    assert_eq!(e.sim().trace_hash(), before);
    assert_ne!(e.sim().server(1).unwrap().state, "DOWN");
    go(&mut e, 3000);
    assert_eq!(e.sim().server(1).unwrap().state, "DOWN");
}

#[test]
fn checkpoints_keep_no_messages_and_a_replay_shows_the_context_before_it() {
    let text = include_str!("../../../static/scenarios/load-1h-5srv.json");
    let mut e = Engine::new(Scenario::from_json(text).unwrap()).unwrap();
    go(&mut e, 120_000);
    assert!(e
        .b()
        .checkpoints
        .iter()
        .all(|c| c.message_history().is_empty()));
    assert!(e.head().message_history().end() > 0);
    // (At this load 20 s is about what the 64 Ki-message history holds.)
    for (t, context) in [(100_000, CONTEXT_MS), (90_000, 20_000), (61_000, 15_000)] {
        e.set_context_ms(context);
        go(&mut e, t);
        assert!(!e.live());
        let h = e.sim().message_history();
        let first = h.get(h.first()).expect("messages").at_ms;
        assert!(
            first + context <= t + 50,
            "{t}: the first message at {first}"
        );
        assert_eq!(e.sim().trace_hash(), replay(&e, t).trace_hash());
    }
}

#[test]
fn the_recent_checkpoints_are_bounded_and_their_spacing_doubles() {
    let text = include_str!("../../../static/scenarios/load-1h-5srv.json");
    let mut e = Engine::with_checkpoints_every(Scenario::from_json(text).unwrap(), 500).unwrap();
    go(&mut e, 300_000);
    let times = e.checkpoint_times();
    assert!(times.len() <= MAX_RECENT + 1, "{}", times.len());
    assert!(e.b().every > 500, "the spacing doubled");
    go(&mut e, 150_000);
    assert_eq!(e.sim().trace_hash(), replay(&e, 150_000).trace_hash());
}

#[test]
fn a_seek_back_replays_about_its_context_and_a_second_one_nothing() {
    // Under load, checkpoints every 500 events (well under CONTEXT_MS).
    let text = include_str!("../../../static/scenarios/load-1h-5srv.json");
    let mut e = Engine::with_checkpoints_every(Scenario::from_json(text).unwrap(), 500).unwrap();
    go(&mut e, 60_000);
    let t = 50_000;
    let mut fresh = Simulation::new(e.export()).unwrap();
    fresh.run_until(t - CONTEXT_MS);
    let from = fresh.events();
    fresh.run_until(t);
    let window = fresh.events() - from;
    assert!(window > 1_000, "{window}");
    let before = e.replayed_events();
    go(&mut e, t);
    let cost = e.replayed_events() - before;
    // From the newest checkpoint at least CONTEXT_MS back: the window's
    // events, plus less than two checkpoint spacings.
    let spacing = e.b().every;
    assert!(
        cost >= window && cost < window + 2 * spacing,
        "{cost} events for a window of {window}"
    );
    go(&mut e, t);
    assert_eq!(
        e.replayed_events() - before,
        cost,
        "the same moment again costs nothing"
    );
}
