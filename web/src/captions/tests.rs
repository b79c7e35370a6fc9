//! Tests of the captions: over the election of 3, 5 and 9 servers, in
//! the frames of 1366×768 and of presenter mode at 1280×720, every label
//! is inside the drawing, none overlaps another or a circle, and every
//! LOOKING server shows its vote; the words follow the run.

use super::*;
use crate::layout::{scene, Frame, Scene};
use zablab_core::sim::DeadlineKind;
use zablab_core::{ActionKind, Simulation};

const NORMAL: Frame = Frame::DEFAULT;
const PRESENTER: Frame = Frame {
    w: 780.0,
    h: 518.0,
    presenter: true,
};

/// Presenter mode at 1280×720 as the built page measures it, and a
/// lesson presented beside the ensemble.
const PRESENTED: [Frame; 2] = [
    Frame {
        w: 782.0,
        h: 501.0,
        presenter: true,
    },
    Frame {
        w: 605.0,
        h: 605.0,
        presenter: true,
    },
];

fn ensemble(voters: usize) -> Simulation {
    let s = crate::setup::Setup {
        voters,
        ..crate::setup::Setup::default()
    };
    let mut sim = Simulation::new(s.scenario()).unwrap();
    sim.record_history(1 << 16);
    sim
}

fn boxes(sc: &Scene) -> Vec<(Rect, String)> {
    sc.labels
        .iter()
        .flat_map(|lb| {
            lb.lines.iter().map(|t| {
                let w = textfit::width(&t.text, t.px, t.bold);
                let rect = Rect {
                    x: t.x - w / 2.0,
                    y: t.y - ASCENT * t.px,
                    w,
                    h: textfit::height(t.px),
                };
                (rect, t.text.clone())
            })
        })
        .collect()
}

/// What is wrong with a scene's labels (empty when nothing is).
fn problems(sc: &Scene) -> Vec<String> {
    let mut out = Vec::new();
    let all = boxes(sc);
    let bounds = sc.frame.bounds();
    for (i, (a, ta)) in all.iter().enumerate() {
        if !a.inside(&bounds.grow(0.5)) {
            out.push(format!("outside: {ta:?} {a:?}"));
        }
        for (b, tb) in &all[i + 1..] {
            if a.overlaps(b) {
                out.push(format!("overlap: {ta:?} {tb:?}"));
            }
        }
        for s in &sc.servers {
            let c = crate::placer::Shape::Circle { c: s.pos, r: s.r };
            if c_hits(&c, a) {
                out.push(format!("over server {}: {ta:?}", s.view.sid));
            }
        }
    }
    out
}

fn c_hits(c: &crate::placer::Shape, b: &Rect) -> bool {
    let mut p = Placer::new(Rect {
        x: -1e6,
        y: -1e6,
        w: 2e6,
        h: 2e6,
    });
    p.block(*c);
    !p.free(b)
}

/// LOOKING servers without a vote line.
fn missing_votes(sc: &Scene) -> Vec<Sid> {
    sc.servers
        .iter()
        .filter(|s| s.view.up && !s.view.paused && s.view.state == "LOOKING")
        .filter(|s| {
            !sc.labels.iter().any(|lb| {
                lb.owner == Owner::Server(s.view.sid)
                    && lb.lines.iter().any(|t| t.role == Role::Vote)
                    && lb.lines.iter().any(|t| t.role == Role::Ballot)
            })
        })
        .map(|s| s.view.sid)
        .collect()
}

#[test]
fn during_an_election_labels_never_overlap_and_every_looking_server_shows_its_vote() {
    for frame in [NORMAL, PRESENTER, PRESENTED[0], PRESENTED[1]] {
        for n in [3, 5, 9] {
            let mut sim = ensemble(n);
            let mut seen_looking = 0;
            for t in (5..=600).step_by(if n == 9 { 3 } else { 15 }) {
                sim.run_until(t);
                for (detailed, playing) in [(true, false), (false, false), (false, true)] {
                    let o = Options {
                        detailed,
                        playing,
                        ..Options::new(Lang::En)
                    };
                    let sc = scene(&sim, t as f64, frame, &o);
                    let p = problems(&sc);
                    assert!(
                        p.is_empty(),
                        "{frame:?} {n} servers at {t} ms:\n{}",
                        p.join("\n")
                    );
                    let looking = sc
                        .servers
                        .iter()
                        .filter(|s| s.view.state == "LOOKING")
                        .count();
                    seen_looking += looking;
                    assert_eq!(
                        missing_votes(&sc),
                        Vec::<Sid>::new(),
                        "{frame:?} {n} at {t} ms, playing {playing} detailed {detailed}"
                    );
                }
            }
            assert!(seen_looking > 0, "{n}: an election was sampled");
        }
    }
}

#[test]
fn a_settled_ensemble_and_its_faults_keep_labels_apart() {
    for frame in [NORMAL, PRESENTER] {
        let mut sim = ensemble(5);
        sim.run_until(3000);
        let leader = sim.established_leader().unwrap();
        sim.act(ActionKind::Cut {
            from: leader,
            to: 1 + leader % 5,
        })
        .unwrap();
        sim.act(ActionKind::SlowLink {
            from: 1 + (leader + 1) % 5,
            to: leader,
            latency_ms: 400,
        })
        .unwrap();
        for t in [3100, 3500, 5000, 9000] {
            sim.run_until(t);
            let sc = scene(&sim, t as f64, frame, &Options::new(Lang::En));
            let p = problems(&sc);
            assert!(p.is_empty(), "{frame:?} at {t} ms:\n{}", p.join("\n"));
            assert!(
                !sc.held.is_empty() || t < 5000,
                "packets held at the cut at {t}"
            );
        }
    }
}

#[test]
fn held_packets_are_one_counted_badge_per_link_direction() {
    let mut sim = ensemble(3);
    sim.run_until(3000);
    let leader = sim.established_leader().unwrap();
    let other = 1 + leader % 3;
    sim.act(ActionKind::Cut {
        from: leader,
        to: other,
    })
    .unwrap();
    sim.run_until(6000);
    let sc = scene(&sim, 6000.0, NORMAL, &Options::new(Lang::En));
    let h = sc
        .held
        .iter()
        .position(|h| h.from == Peer::Server(leader) && h.to == Peer::Server(other))
        .expect("the leader's packets wait at the cut");
    assert!(sc.held[h].msgs.len() >= 2, "{:?}", sc.held[h].msgs.len());
    let badge = sc
        .labels
        .iter()
        .find(|lb| lb.owner == Owner::Held(h))
        .expect("a badge");
    assert_eq!(badge.lines.len(), 1);
    let text = &badge.lines[0].text;
    assert!(
        text.contains(&format!("×{}", sc.held[h].msgs.len()))
            || text.contains(&sc.held[h].msgs.len().to_string()),
        "{text}"
    );
    assert!(badge.title.as_ref().unwrap().contains("PING"));
    assert_eq!(
        sc.held
            .iter()
            .filter(|x| x.from == sc.held[h].from && x.to == sc.held[h].to)
            .count(),
        1
    );
}

#[test]
fn a_paused_leader_shows_its_followers_counting_to_sync_limit() {
    let mut sim = ensemble(3);
    sim.run_until(3000);
    let leader = sim.established_leader().unwrap();
    sim.act(ActionKind::Pause {
        server: zablab_core::scenario::ServerRef::Sid(leader),
        for_ms: 30_000,
    })
    .unwrap();
    sim.run_until(9000);
    let sc = scene(&sim, 9000.0, NORMAL, &Options::new(Lang::En));
    let follower = sc.servers.iter().find(|s| s.view.sid != leader).unwrap();
    let (d, frac) = follower.deadline.expect("a follower's deadline");
    assert_eq!(d.kind, DeadlineKind::LearnerSyncLimit);
    assert!(frac > 0.5 && frac < 1.0, "{frac}");
    let line = sc
        .labels
        .iter()
        .filter(|lb| lb.owner == Owner::Server(follower.view.sid))
        .flat_map(|lb| lb.lines.iter())
        .find(|t| t.role == Role::Deadline)
        .expect("its deadline in words");
    assert!(
        line.text.starts_with("leader silent ") && line.text.ends_with(" / 10 s"),
        "{}",
        line.text
    );
    let paused = sc.server(leader).unwrap();
    assert_eq!(paused.deadline.unwrap().0.kind, DeadlineKind::Resume);
}

/// The README's presenter screenshot: 5 voters and 2 observers, client c1
/// on server 1 writing, server 1 inspected, presenter mode beside the
/// side panel. The leader's crown finds no free place there and is drawn
/// at its first choice: a label placed after it must still keep clear.
#[test]
fn a_crown_drawn_without_a_free_place_still_keeps_later_labels_off() {
    let s = crate::setup::Setup {
        voters: 5,
        observers: 2,
        ..crate::setup::Setup::default()
    };
    let mut sim = Simulation::new(s.scenario()).unwrap();
    sim.record_history(1 << 16);
    sim.run_until(2000);
    sim.act(ActionKind::Connect {
        client: "c1".into(),
        server: zablab_core::ServerRef::Sid(1),
        session_timeout_ms: None,
    })
    .unwrap();
    sim.run_until(3000);
    let write = zablab_core::Scenario::from_json(
        r#"{"zablab":1,"seed":1,"ensemble":{"participants":[1]},"until_ms":1,
            "actions":[{"at_ms":0,"do":"connect","client":"c1","server":1},
                       {"at_ms":0,"do":"write","client":"c1","count":1}]}"#,
    )
    .unwrap();
    sim.act(write.actions[1].kind.clone()).unwrap();
    let mut o = Options::new(Lang::En);
    o.focus = Some(1);
    let frames = [
        PRESENTER,
        Frame {
            w: 705.0,
            h: 527.0,
            presenter: true,
        },
    ];
    for frame in frames {
        for t in (3000..=3300).step_by(5) {
            let mut sim = sim.clone();
            sim.run_until(t);
            let sc = scene(&sim, t as f64, frame, &o);
            let p = problems(&sc);
            assert!(p.is_empty(), "{frame:?} at {t} ms:\n{}", p.join("\n"));
        }
    }
}
