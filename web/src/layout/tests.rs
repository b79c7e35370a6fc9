//! Tests of the cluster view's geometry.
use super::*;
use crate::i18n::Lang;
use zablab_core::{ActionKind, Scenario};

/// The frames the checks draw in: 1366×768, presenter mode at 1280×720,
/// a narrow window.
const FRAMES: [Frame; 3] = [
    Frame::DEFAULT,
    Frame {
        w: 780.0,
        h: 518.0,
        presenter: true,
    },
    Frame {
        w: 420.0,
        h: 320.0,
        presenter: false,
    },
];

fn scene(sim: &Simulation, t: f64) -> Scene {
    super::scene(sim, t, Frame::DEFAULT, &Options::new(Lang::En))
}

fn sim(voters: usize, observers: usize) -> Simulation {
    let s = crate::setup::Setup {
        voters,
        observers,
        ..crate::setup::Setup::default()
    };
    let mut sim = Simulation::new(s.scenario()).unwrap();
    sim.run_until(3000);
    sim
}

#[test]
fn every_server_is_inside_the_view_and_apart() {
    for frame in FRAMES {
        for (v, o) in [(3, 0), (5, 2), (9, 0), (9, 42), (3, 42)] {
            let sc = super::scene(&sim(v, o), 3000.0, frame, &Options::new(Lang::En));
            assert_eq!(sc.servers.len(), v + o);
            for s in &sc.servers {
                assert!(
                    s.pos.x - s.r >= 0.0 && s.pos.x + s.r <= frame.w,
                    "{frame:?} {v}+{o}: {:?}",
                    s.pos
                );
                assert!(s.pos.y - s.r >= 0.0 && s.pos.y + s.r <= frame.h);
            }
            for (i, a) in sc.servers.iter().enumerate() {
                for b in &sc.servers[i + 1..] {
                    let d = ((a.pos.x - b.pos.x).powi(2) + (a.pos.y - b.pos.y).powi(2)).sqrt();
                    assert!(
                        d >= a.r + b.r - 1.0,
                        "{frame:?} {v}+{o}: {} and {} overlap",
                        a.view.sid,
                        b.view.sid
                    );
                }
            }
        }
    }
    let sc = scene(&sim(3, 0), 3000.0);
    let first = sc.server(1).unwrap().pos;
    let c = Frame::DEFAULT.w / 2.0;
    assert!(
        (first.x - c).abs() < 1e-9 && first.y < Frame::DEFAULT.h / 2.0,
        "server 1 at the top"
    );
    assert_eq!(sc.servers.iter().filter(|s| s.leader).count(), 1);
}

#[test]
fn circles_hold_the_state_word_when_the_ring_has_room() {
    let three = scene(&sim(3, 0), 3000.0);
    assert!(three.servers.iter().all(|s| s.inner_state));
    let f = Frame::DEFAULT.fonts();
    for s in &three.servers {
        // The widest word's box and the sid's stay inside the circle.
        let half_w = crate::textfit::width("FOLLOWING", f.state, true) / 2.0;
        let top = s.state_y(&f) - crate::textfit::ASCENT * f.state;
        let bottom = s.state_y(&f) + crate::textfit::DESCENT * f.state;
        for dy in [top - s.pos.y, bottom - s.pos.y] {
            assert!(half_w.hypot(dy) <= s.r, "{} {dy}", s.r);
        }
        let sid_top = s.sid_y(&f) - crate::textfit::ASCENT * s.sid_px;
        assert!(sid_top - s.pos.y > -s.r && sid_top < top);
    }
    // Nine servers in presenter type are too many for circles that big.
    let pres = super::scene(&sim(9, 0), 3000.0, FRAMES[1], &Options::new(Lang::En));
    assert!(pres.servers.iter().all(|s| !s.inner_state));
}

#[test]
fn a_partition_becomes_groups_and_one_way_cuts_stay_lines() {
    assert_eq!(groups(&[1, 2, 3], &[]), vec![vec![1, 2, 3]]);
    let cuts = [(1, 2), (2, 1), (1, 3), (3, 1)];
    assert_eq!(groups(&[1, 2, 3], &cuts), vec![vec![1], vec![2, 3]]);
    assert_eq!(
        groups(&[1, 2, 3], &[(1, 2)]).len(),
        1,
        "one-way: still one group"
    );
    let mut s = sim(5, 0);
    s.act(ActionKind::Partition {
        groups: vec![vec![1, 2], vec![3, 4, 5]],
        clients: Vec::new(),
    })
    .unwrap();
    let sc = scene(&s, s.now_ms() as f64);
    assert_eq!(sc.groups.len(), 2);
    assert_eq!(sc.server(1).unwrap().group, sc.server(2).unwrap().group);
    assert_ne!(sc.server(1).unwrap().group, sc.server(3).unwrap().group);
    assert!(sc.lines.iter().all(|l| l.kind != LineKind::Election
        || sc.server(l.a).unwrap().group == sc.server(l.b).unwrap().group));
    let text = include_str!("../../../static/scenarios/three-up.json");
    let mut s = Simulation::new(Scenario::from_json(text).unwrap()).unwrap();
    s.run_until(3000);
    s.act(ActionKind::Cut { from: 1, to: 2 }).unwrap();
    let sc = scene(&s, 3000.0);
    assert!(sc.groups.is_empty());
    assert!(sc
        .lines
        .iter()
        .any(|l| l.kind == LineKind::Cut && (l.a, l.b) == (1, 2)));
}

#[test]
fn dots_are_batched_by_colour_and_held() {
    let mut s = sim(3, 0);
    // An idle ensemble: the leader's pings to its two followers.
    let mut steps = 0;
    while s.in_flight().len() < 2 {
        assert!(s.step() && steps < 100_000, "never two messages in flight");
        steps += 1;
    }
    let sc = scene(&s, s.now_ms() as f64);
    let batches = dot_batches(&sc.messages);
    let dots: usize = batches.iter().map(|b| b.centres.len()).sum();
    assert_eq!(dots, sc.messages.len());
    let mut keys: Vec<(&str, bool)> = batches.iter().map(|b| (b.color, b.held)).collect();
    let sorted = keys.clone();
    keys.dedup();
    assert_eq!(keys, sorted, "one batch per colour and held");
    for m in &sc.messages {
        let color = crate::spacetime::kind_color(m.msg.kind);
        let b = batches
            .iter()
            .find(|b| b.color == color && b.held == m.held)
            .unwrap();
        assert!(b.centres.contains(&m.pos), "{:?} not in its batch", m.pos);
    }
    // As one SVG path: a circle (two arcs) per dot.
    let b = &batches[0];
    let d = batch_path(&b.centres, 6.0);
    assert_eq!(d.matches('M').count(), b.centres.len());
    let c = b.centres[0];
    assert!(
        d.starts_with(&format!(
            "M{} {}a6 6 0 1 0 12 0a6 6 0 1 0 -12 0",
            crate::dec(c.x - 6.0, 1),
            crate::dec(c.y, 1)
        )),
        "{d}"
    );
}

#[test]
fn messages_move_from_sender_to_receiver_with_virtual_time() {
    let mut s = sim(3, 0);
    // Find a moment with a server-to-server message in flight.
    let m = loop {
        s.step();
        if let Some(m) = s
            .in_flight()
            .into_iter()
            .find(|m| m.kind.between_servers() && m.deliver_ms > m.sent_ms.map(|x| x + 1))
        {
            break m;
        }
    };
    let (sent, at) = (m.sent_ms.unwrap() as f64, m.deliver_ms.unwrap() as f64);
    let at_t = |t: f64| {
        scene(&s, t)
            .messages
            .into_iter()
            .find(|d| d.msg.id == m.id)
            .unwrap()
            .pos
    };
    let (Peer::Server(a), Peer::Server(b)) = (m.from, m.to) else {
        unreachable!()
    };
    let sc = scene(&s, sent);
    let (pa, pb) = (sc.server(a).unwrap().pos, sc.server(b).unwrap().pos);
    let dist = |p: Pos, q: Pos| ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt();
    assert!(dist(at_t(sent), pa) < 7.0);
    assert!(dist(at_t(at), pb) < 7.0);
    let mid = at_t((sent + at) / 2.0);
    assert!((dist(mid, pa) - dist(mid, pb)).abs() < 1.0);
}

/// The frames of the cluster view in the checks of the built page:
/// 1366×768, presenter mode at 1280×720, a lesson presented at 1280×720.
const SHOWN: [(&str, Frame); 3] = [
    ("1366x768", Frame::DEFAULT),
    (
        "presenter",
        Frame {
            w: 780.0,
            h: 518.0,
            presenter: true,
        },
    ),
    (
        "lesson presented",
        Frame {
            w: 605.0,
            h: 605.0,
            presenter: true,
        },
    ),
];

#[test]
fn circles_are_not_small_beside_their_labels_and_their_halos_keep_apart() {
    for (name, frame) in SHOWN {
        let f = frame.fonts();
        for v in [3, 5, 9] {
            let sc = super::scene(&sim(v, 0), 3000.0, frame, &Options::new(Lang::En));
            // Nine servers beside a presented lesson (no lesson has more
            // than five): the votes' room first, circles a little smaller.
            let ems = if name == "lesson presented" && v == 9 {
                1.8
            } else {
                2.0
            };
            for s in &sc.servers {
                assert!(
                    s.r >= ems * f.text,
                    "{name}, {v} servers: radius {:.1} < {ems} label ems ({})",
                    s.r,
                    f.text
                );
            }
            for (i, a) in sc.servers.iter().enumerate() {
                for b in &sc.servers[i + 1..] {
                    let d = (a.pos.x - b.pos.x).hypot(a.pos.y - b.pos.y);
                    let gap = d - a.r - b.r - 2.0 * ring::HALO;
                    assert!(
                        gap >= ring::HALO_GAP - 0.5,
                        "{name}, {v} servers: the halos of {} and {} are {gap:.1} px apart",
                        a.view.sid,
                        b.view.sid
                    );
                }
            }
        }
    }
}
