//! The imported run's view model on a small import written by hand (the
//! parser's own tests are the core's): phases, the diagram's bands and
//! arrows, markers, what the inspector knows, the log's filters.

use zablab_core::import::{
    Event, EventKind, Import, Level, LogLine, PeerState, ServerInfo, SidSource, SyncMode, ZabState,
};
use zablab_core::sim::MsgKind;

use super::*;
use crate::spacetime::Shade;

const T0: i64 = 1_796_555_989_713;

fn line(at: i64, sid: u32, level: Level, class: &str, text: &str) -> LogLine {
    LogLine {
        at_ms: T0 + at,
        raw_ms: T0 + at,
        sid,
        file: sid as usize - 1,
        line_no: 1,
        level,
        thread: "QuorumPeer[myid=1]".into(),
        class: class.into(),
        src_line: 1,
        text: text.into(),
        more: Vec::new(),
    }
}

fn server(sid: u32) -> ServerInfo {
    ServerInfo {
        sid,
        sid_from: SidSource::Myid,
        files: vec![sid as usize - 1],
        lines: 0,
        starts: 1,
        first_ms: None,
        last_ms: None,
        last_state: None,
    }
}

/// Two servers: 1 leads, 2 follows after a DIFF, 2 goes silent at 1 s
/// and its JVM starts again at 5 s.
/// A line: its time, server, level, class, text and event.
type Row = (
    i64,
    u32,
    Level,
    &'static str,
    &'static str,
    Option<EventKind>,
);

pub(crate) fn sample() -> Import {
    use EventKind as K;
    let rows: Vec<Row> = vec![
        (
            0,
            1,
            Level::Info,
            "QuorumPeerMain",
            "Starting quorum peer, myid=1",
            Some(K::ProcessStart),
        ),
        (
            0,
            2,
            Level::Info,
            "QuorumPeerMain",
            "Starting quorum peer, myid=2",
            Some(K::ProcessStart),
        ),
        (
            10,
            1,
            Level::Info,
            "QuorumPeer",
            "LOOKING",
            Some(K::State {
                state: PeerState::Looking,
            }),
        ),
        (
            10,
            2,
            Level::Info,
            "QuorumPeer",
            "LOOKING",
            Some(K::State {
                state: PeerState::Looking,
            }),
        ),
        (
            100,
            1,
            Level::Info,
            "QuorumPeer",
            "LEADING",
            Some(K::State {
                state: PeerState::Leading,
            }),
        ),
        (
            110,
            2,
            Level::Info,
            "QuorumPeer",
            "FOLLOWING",
            Some(K::State {
                state: PeerState::Following,
            }),
        ),
        (
            140,
            1,
            Level::Info,
            "LearnerHandler",
            "Sending DIFF zxid=0x100000003 for peer sid: 2",
            Some(K::SyncSent {
                learner: 2,
                mode: SyncMode::Diff,
                zxid: Some(0x1_0000_0003),
                peer_zxid: None,
            }),
        ),
        (
            150,
            2,
            Level::Info,
            "Learner",
            "Getting a diff from the leader 0x100000003",
            Some(K::SyncReceived {
                mode: SyncMode::Diff,
                zxid: Some(0x1_0000_0003),
            }),
        ),
        (
            200,
            1,
            Level::Info,
            "QuorumPeer",
            "Peer state changed: leading - broadcast",
            Some(K::ZabState {
                state: PeerState::Leading,
                zab: Some(ZabState::Broadcast),
                sync: None,
            }),
        ),
        (
            250,
            2,
            Level::Info,
            "QuorumPeer",
            "Peer state changed: following - broadcast",
            Some(K::ZabState {
                state: PeerState::Following,
                zab: Some(ZabState::Broadcast),
                sync: None,
            }),
        ),
        (
            1000,
            2,
            Level::Warn,
            "SyncRequestProcessor",
            "fsync-ing the write ahead log in SyncThread:2 took 1500ms",
            Some(K::SlowFsync { ms: 1500 }),
        ),
        (
            5000,
            2,
            Level::Info,
            "QuorumPeerMain",
            "Starting quorum peer, myid=2",
            Some(K::ProcessStart),
        ),
        (
            5010,
            2,
            Level::Info,
            "QuorumPeer",
            "LOOKING",
            Some(K::State {
                state: PeerState::Looking,
            }),
        ),
    ];
    let mut imp = Import {
        servers: vec![server(1), server(2)],
        ..Import::default()
    };
    for (i, (at, sid, level, class, text, kind)) in rows.into_iter().enumerate() {
        imp.lines.push(line(at, sid, level, class, text));
        if let Some(kind) = kind {
            imp.events.push(Event {
                at_ms: T0 + at,
                raw_ms: T0 + at,
                sid,
                line: i,
                kind,
            });
        }
    }
    imp
}

#[test]
fn times_are_after_the_first_line_and_the_wall_clock_is_zookeepers() {
    let run = Imported::new(sample());
    assert_eq!(
        (run.origin_ms, run.span_ms, run.sids.clone()),
        (T0, 5010, vec![1, 2])
    );
    assert_eq!(run.line_at(7), 150);
    assert_eq!(wall(T0), "2026-12-06 11:19:49,713");
    assert_eq!(wall(0), "1970-01-01 00:00:00,000");
    assert_eq!(wall(951_782_400_000), "2000-02-29 00:00:00,000");
    assert!(!run.is_empty() && Imported::new(Import::default()).is_empty());
}

#[test]
fn phases_follow_the_lines_and_a_restart_shows_the_silence_as_down() {
    let run = Imported::new(sample());
    let at = |sid, t| run.phase_at(sid, t).unwrap();
    assert_eq!(at(1, 50).state, Some(PeerState::Looking));
    assert_eq!(at(1, 50).zab, Some(ZabState::Election));
    assert_eq!(
        (at(1, 300).state, at(1, 300).zab),
        (Some(PeerState::Leading), Some(ZabState::Broadcast))
    );
    assert_eq!(at(2, 120).state, Some(PeerState::Following));
    // Silent from its last line (1 s) until its JVM starts again (5 s).
    assert!(at(2, 999).up);
    assert!(!at(2, 1000).up && !at(2, 4999).up);
    assert!(at(2, 5000).up);
    assert_eq!(at(2, 5010).state, Some(PeerState::Looking));
}

#[test]
fn the_diagram_bands_each_lane_and_pairs_the_sync_lines() {
    let run = Imported::new(sample());
    let d = diagram(&run, 5010.0, 5010.0);
    assert_eq!(d.lanes, vec![1, 2]);
    let shade_at = |lane: usize, t: f64| {
        d.segments
            .iter()
            .find(|s| s.lane == lane && s.t0 <= t && t < s.t1)
            .map(|s| s.shade)
    };
    assert_eq!(shade_at(0, 50.0), Some(Shade::Election));
    assert_eq!(shade_at(0, 300.0), Some(Shade::Leading));
    assert_eq!(shade_at(1, 300.0), Some(Shade::Broadcast));
    assert_eq!(shade_at(1, 3000.0), Some(Shade::Down));
    assert_eq!(d.arrows.len(), 1, "{:?}", d.arrows);
    let a = &d.arrows[0];
    assert_eq!(
        (a.from, a.to, a.sent, a.at, a.kind),
        (0, 1, 140.0, 150.0, MsgKind::Diff)
    );
    // A window before the sync has no arrow, and segments stay inside it.
    let early = diagram(&run, 100.0, 100.0);
    assert!(early.arrows.is_empty());
    assert!(early.segments.iter().all(|s| s.t0 >= 0.0 && s.t1 <= 100.0));
    // A window past the last line: the lanes stop at it.
    let wide = diagram(&run, 5010.0, 20_000.0);
    assert!(
        wide.segments.iter().all(|s| s.t1 <= 5010.0),
        "{:?}",
        wide.segments
    );
}

#[test]
fn markers_show_elections_restarts_and_hazards_in_time_order() {
    let run = Imported::new(sample());
    let seen: Vec<(u64, Seen)> = run.markers().iter().map(|m| (m.at, m.seen)).collect();
    assert!(seen.contains(&(10, Seen::Election { sid: 1 })));
    assert!(seen.contains(&(10, Seen::Election { sid: 2 })));
    assert!(seen.contains(&(1000, Seen::Hazard)));
    assert!(
        seen.contains(&(5000, Seen::Fault)),
        "the second start is a restart"
    );
    assert!(seen.contains(&(5010, Seen::Election { sid: 2 })));
    assert!(
        !seen.contains(&(0, Seen::Fault)),
        "a first start is no fault"
    );
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
}

#[test]
fn the_inspector_knows_what_the_lines_said_until_the_moment() {
    let run = Imported::new(sample());
    let k = run.known_at(1200);
    assert_eq!(k.len(), 2);
    assert_eq!((k[1].sid, k[1].slow_fsyncs, k[1].starts), (2, 1, 1));
    assert_eq!(k[1].last, Some(10));
    assert_eq!(run.known_at(5005)[1].starts, 2);
    assert_eq!(run.known_at(0)[0].lines, 1);
}

#[test]
fn the_log_lists_lines_until_the_moment_newest_first_filtered() {
    let run = Imported::new(sample());
    assert_eq!(
        run.log_lines(150, None, Level::Info, "", 100),
        vec![7, 6, 5, 4, 3, 2, 1, 0]
    );
    assert_eq!(run.log_lines(5010, Some(2), Level::Warn, "", 100), vec![10]);
    assert_eq!(
        run.log_lines(5010, None, Level::Info, "DIFF", 100),
        vec![7, 6]
    );
    assert_eq!(run.log_lines(5010, None, Level::Info, "", 2), vec![12, 11]);
}

/// The real failover of `tests/real-zk/runs/kill-leader-after-writes`
/// through the core's importer: what the app shows of it.
#[test]
fn a_real_failover_imported_shows_its_leaders_and_its_crash() {
    use zablab_core::import::{import, InputFile};
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/real-zk/runs/kill-leader-after-writes"
    );
    let mut files = Vec::new();
    for s in 1..=3 {
        let bytes = std::fs::read(format!("{dir}/s{s}/zookeeper.log")).unwrap();
        files.push(InputFile {
            name: "zookeeper.log".into(),
            bytes,
        });
    }
    files.push(InputFile {
        name: "zoo.cfg".into(),
        bytes: std::fs::read(format!("{dir}/s1/zoo.cfg")).unwrap(),
    });
    let imp = import(&files);
    let run = Imported::new(imp.clone());
    // Built in steps, it holds what the core gives in one go.
    assert_eq!(run.findings, zablab_core::import::diagnose::diagnose(&imp));
    assert_eq!(run.summary, zablab_core::import::summary(&imp));
    assert!(!run.findings.is_empty());
    assert_eq!(run.sids, vec![1, 2, 3]);
    assert_eq!(run.real_leaders(), vec![(2, 1), (3, 2)]);
    // The killed leader is down once the core's episode says it crashed,
    // though no later line of its own says so.
    assert!(run.phase_at(2, 7000).unwrap().up);
    assert!(!run.phase_at(2, 8204).unwrap().up);
    let marks = run.markers();
    assert!(marks
        .iter()
        .any(|m| m.seen == Seen::Leader { sid: 3, epoch: 2 }));
    let d = diagram(&run, run.span_ms as f64, run.span_ms as f64);
    assert!(!d.arrows.is_empty(), "the syncs pair up");
    assert_eq!(
        run.real_syncs(),
        [(1, "DIFF".into()), (3, "SNAP".into()), (1, "DIFF".into())]
    );
    // Replayed in the simulator (the core's replay): the same leaders
    // and epochs, as the comparison the app shows says.
    let plan = crate::replay::Plan::of(&run.import);
    let mut sim = zablab_core::Simulation::new(plan.scenario().unwrap()).unwrap();
    sim.run_to_end();
    let rows = zablab_core::import::replay::compare(&run.summary, &sim);
    let leaders: Vec<_> = rows
        .iter()
        .filter(|r| r.fact.starts_with("leader"))
        .collect();
    assert_eq!(leaders.len(), 2, "{rows:#?}");
    assert!(leaders.iter().all(|r| r.same), "{rows:#?}");
}

/// The real GC pause of `tests/real-zk/runs/gc-pause-leader`: the leader
/// the core finds paused is banded PAUSED over its silence, then what its
/// lines say again.
#[test]
fn a_real_pause_is_banded_paused_then_the_lines_take_over() {
    use zablab_core::import::{import, InputFile};
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/real-zk/runs/gc-pause-leader"
    );
    let files: Vec<InputFile> = (1..=3)
        .map(|s| InputFile {
            name: format!("s{s}/zookeeper.log"),
            bytes: std::fs::read(format!("{dir}/s{s}/zookeeper.log")).unwrap(),
        })
        .collect();
    let run = Imported::new(import(&files));
    let eps = episodes(&View::of(&run.import));
    let pause = eps
        .iter()
        .find(|e| e.fault == Fault::Pause)
        .expect("a pause");
    let until = pause.until.expect("it woke up");
    assert!(run.phase_at(pause.sid, pause.from + 1).unwrap().paused);
    assert!(run.phase_at(pause.sid, until - 1).unwrap().paused);
    let woke = run.phase_at(pause.sid, until).unwrap();
    assert!(woke.up && !woke.paused, "{woke:?}");
    let d = diagram(&run, until as f64, (until - pause.from) as f64);
    let lane = run.sids.iter().position(|&s| s == pause.sid).unwrap();
    assert!(d
        .segments
        .iter()
        .any(|s| s.lane == lane && s.shade == Shade::Paused));
}

/// What the app adds to the core's import on 100 MB of log (a real log
/// repeated): run by hand, `cargo test --release -p zablab-web --lib
/// hundred_mb -- --ignored --nocapture`; it prints, asserts no time.
#[test]
#[ignore]
fn hundred_mb_costs() {
    use zablab_core::import::{import, InputFile};
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/real-zk/runs/kill-leader-after-writes"
    );
    let one = std::fs::read(format!("{dir}/s1/zookeeper.log")).unwrap();
    let bytes: Vec<u8> = one.iter().copied().cycle().take(100 << 20).collect();
    let t = std::time::Instant::now();
    let imp = import(&[InputFile {
        name: "zookeeper.log".into(),
        bytes,
    }]);
    let core = t.elapsed();
    let t = std::time::Instant::now();
    let findings = zablab_core::import::diagnose::diagnose(&imp).len();
    let diag = t.elapsed();
    let t = std::time::Instant::now();
    let mut b = Imported::building(imp.clone());
    let mut steps = vec![t.elapsed()];
    loop {
        let s = std::time::Instant::now();
        let done = b.step();
        steps.push(s.elapsed());
        if done {
            break;
        }
    }
    let run = b.into_run();
    let new = t.elapsed();
    eprintln!("Imported::building and each step: {steps:?}");
    eprintln!("diagnose {diag:?} ({findings} findings)");
    let t = std::time::Instant::now();
    let _ = zablab_core::import::summary(&imp);
    eprintln!("summary {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let eps = episodes(&View::of(&imp));
    eprintln!("episodes {:?} ({})", t.elapsed(), eps.len());
    let t = std::time::Instant::now();
    let k = run.known_at(run.span_ms / 2);
    let marks = run.markers().len();
    let d = diagram(&run, run.span_ms as f64, 300_000.0);
    let view = t.elapsed();
    eprintln!(
        "100 MB: {} lines, {} events; core import {core:?}, Imported::new {new:?}, one frame's views {view:?} ({} servers, {marks} markers, {} segments)",
        run.import.lines.len(), run.import.events.len(), k.len(), d.segments.len()
    );
}
