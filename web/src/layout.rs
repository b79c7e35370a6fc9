//! Geometry of the cluster view: where each server, client, link and
//! message in flight is drawn at a (fractional) virtual time. Pure: reads
//! the simulation, returns numbers; the `cluster` component turns them
//! into SVG. Tested natively.
//!
//! - Voters sit on a ring (the first at the top); with more than 12
//!   servers, observers get an outer ring.
//! - A partition is drawn as groups: the ring is split into one sector per
//!   group of servers that still reach each other both ways, with a gap
//!   between sectors and a shaded band behind each.
//! - A message is drawn at `from + (to - from) * f`, with
//!   `f = (t - sent) / (delivery - sent)`: exact at any speed and after any
//!   seek, because both times come from the simulator. Messages waiting at
//!   a cut sit in the middle of their link.

use std::collections::BTreeMap;
use std::f64::consts::{FRAC_PI_2, PI, TAU};

use zablab_core::proto::Sid;
use zablab_core::sim::{InFlight, LinksView, MsgKind, Peer};
use zablab_core::{ServerView, Simulation};

pub const VIEW: f64 = 640.0;
const C: f64 = VIEW / 2.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pos {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerDot {
    pub view: ServerView,
    pub pos: Pos,
    pub r: f64,
    pub observer: bool,
    /// The established leader (quorum ACKed NEWLEADER).
    pub leader: bool,
    /// Events waiting at it while it is paused.
    pub waiting: usize,
    pub paused_until: Option<u64>,
    pub slow_disk_ms: Option<u64>,
    /// Index of its partition group.
    pub group: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The election port mesh between voters.
    Election,
    /// An open quorum connection (learner to leader).
    Quorum,
    /// A quorum connection across a cut (data waits at the cut).
    Broken,
    /// A one-way cut inside a group: nothing from `a` reaches `b`.
    Cut,
    /// A slowed link from `a` to `b`, with its latency.
    Slow(u64),
    /// The next message from `a` to `b` will be dropped.
    DropNext,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub a: Sid,
    pub b: Sid,
    pub from: Pos,
    pub to: Pos,
    pub kind: LineKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MsgDot {
    pub msg: InFlight,
    pub pos: Pos,
    /// Waiting at a cut.
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupBand {
    /// SVG path of the annular sector.
    pub path: String,
    pub label: String,
    pub label_pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientDot {
    pub name: String,
    pub id: u32,
    pub server: Sid,
    pub state: &'static str,
    pub pos: Pos,
}

/// Everything the cluster view draws for one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub servers: Vec<ServerDot>,
    pub lines: Vec<Line>,
    pub messages: Vec<MsgDot>,
    pub groups: Vec<GroupBand>,
    pub clients: Vec<ClientDot>,
}

impl Scene {
    pub fn server(&self, sid: Sid) -> Option<&ServerDot> {
        self.servers.iter().find(|s| s.view.sid == sid)
    }
}

/// Groups of servers that reach each other both ways (union-find over the
/// links that no cut blocks), sorted by their smallest sid.
pub fn groups(sids: &[Sid], cuts: &[(Sid, Sid)]) -> Vec<Vec<Sid>> {
    let mut parent: Vec<usize> = (0..sids.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let cut = |a: Sid, b: Sid| cuts.contains(&(a, b)) || cuts.contains(&(b, a));
    for i in 0..sids.len() {
        for j in i + 1..sids.len() {
            if !cut(sids[i], sids[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<Sid>> = BTreeMap::new();
    for (i, &s) in sids.iter().enumerate() {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().push(s);
    }
    let mut out: Vec<Vec<Sid>> = by_root.into_values().collect();
    for g in &mut out {
        g.sort_unstable();
    }
    out.sort();
    out
}

fn polar(r: f64, a: f64) -> Pos {
    Pos {
        x: C + r * crate::math::cos(a),
        y: C + r * crate::math::sin(a),
    }
}

fn band_path(r_in: f64, r_out: f64, a0: f64, a1: f64) -> String {
    let large = if a1 - a0 > PI { 1 } else { 0 };
    let (o0, o1, i1, i0) = (
        polar(r_out, a0),
        polar(r_out, a1),
        polar(r_in, a1),
        polar(r_in, a0),
    );
    let d = |v: f64| crate::dec(v, 1);
    format!(
        "M{} {}A{} {} 0 {large} 1 {} {}L{} {}A{} {} 0 {large} 0 {} {}Z",
        d(o0.x),
        d(o0.y),
        d(r_out),
        d(r_out),
        d(o1.x),
        d(o1.y),
        d(i1.x),
        d(i1.y),
        d(r_in),
        d(r_in),
        d(i0.x),
        d(i0.y)
    )
}

/// Ring radii and server radii for `voters` and `observers`.
fn rings(voters: usize, observers: usize) -> ((f64, f64), Option<(f64, f64)>) {
    let n = voters + observers;
    if n <= 12 {
        let r = if n <= 5 {
            46.0
        } else if n <= 9 {
            38.0
        } else {
            30.0
        };
        ((210.0, r), None)
    } else {
        let outer_r = (TAU * 272.0 / observers.max(1) as f64 / 2.0 - 2.0).clamp(7.0, 22.0);
        ((150.0, 34.0), Some((272.0, outer_r)))
    }
}

/// Where everything is at virtual time `t_ms` (fractional).
pub fn scene(sim: &Simulation, t_ms: f64) -> Scene {
    let views = sim.servers();
    let links = sim.links();
    let sids: Vec<Sid> = views.iter().map(|v| v.sid).collect();
    let groups = groups(&sids, &links.cuts);
    let observer: Vec<bool> = views.iter().map(|v| sim.is_observer(v.sid)).collect();
    let n_obs = observer.iter().filter(|&&o| o).count();
    let rings = rings(views.len() - n_obs, n_obs);
    let sectors = sectors(&groups, views.len());
    let servers = place_servers(sim, &views, &observer, &groups, &sectors, rings);
    let bands = bands(&groups, &sectors, rings);
    let lines = link_lines(&servers, &links);
    let outer_r = rings.1.map_or(rings.0 .0, |o| o.0);
    let clients = place_clients(sim, &servers, outer_r);
    let messages = place_messages(sim, &servers, &clients, t_ms);
    Scene {
        servers,
        lines,
        messages,
        groups: bands,
        clients,
    }
}

/// Ring radii and server radii: the inner ring, and the observers' outer
/// ring if any.
type Rings = ((f64, f64), Option<(f64, f64)>);

fn pos_of(servers: &[ServerDot], sid: Sid) -> Option<Pos> {
    servers.iter().find(|s| s.view.sid == sid).map(|s| s.pos)
}

/// Sectors (start and end angle): one per group, sized by membership,
/// with gaps between, the first group centred at the top.
fn sectors(groups: &[Vec<Sid>], servers: usize) -> Vec<(f64, f64)> {
    let n = servers.max(1) as f64;
    let gap = if groups.len() > 1 { 0.35 } else { 0.0 };
    let usable = TAU - gap * groups.len() as f64;
    let mut sectors = Vec::with_capacity(groups.len());
    if groups.len() <= 1 {
        let m = servers.max(1) as f64;
        // The first server at the top.
        let a0 = -FRAC_PI_2 - PI / m;
        sectors.push((a0, a0 + TAU));
        return sectors;
    }
    let mut a = -FRAC_PI_2 - gap / 2.0;
    for g in groups {
        let span = usable * g.len() as f64 / n;
        sectors.push((a + gap, a + gap + span));
        a += gap + span;
    }
    // Centre the first group at the top.
    let (f0, f1) = sectors[0];
    let shift = -FRAC_PI_2 - (f0 + f1) / 2.0;
    for s in &mut sectors {
        s.0 += shift;
        s.1 += shift;
    }
    sectors
}

/// Each group's servers spread over its sector (voters on the inner
/// ring; observers on the outer one when there are two), by sid.
fn place_servers(
    sim: &Simulation,
    views: &[ServerView],
    observer: &[bool],
    groups: &[Vec<Sid>],
    sectors: &[(f64, f64)],
    ((r1, s1), outer): Rings,
) -> Vec<ServerDot> {
    let leader = sim.established_leader();
    let two_rings = outer.is_some();
    let group_of = |sid: Sid| groups.iter().position(|g| g.contains(&sid)).unwrap_or(0);
    let mut servers = Vec::with_capacity(views.len());
    for (gi, g) in groups.iter().enumerate() {
        let (a0, a1) = sectors[gi];
        for ring in [false, true] {
            // ring false: voters (or everyone with one ring); true: observers.
            let members: Vec<usize> = g
                .iter()
                .filter_map(|sid| views.iter().position(|v| v.sid == *sid))
                .filter(|&i| {
                    if two_rings {
                        observer[i] == ring
                    } else {
                        !ring
                    }
                })
                .collect();
            let (radius, size) = if ring {
                outer.unwrap_or((r1, s1))
            } else {
                (r1, s1)
            };
            let m = members.len().max(1) as f64;
            for (k, &i) in members.iter().enumerate() {
                let a = a0 + (k as f64 + 0.5) * (a1 - a0) / m;
                let v = &views[i];
                servers.push(ServerDot {
                    pos: polar(radius, a),
                    r: size,
                    observer: observer[i],
                    leader: leader == Some(v.sid),
                    waiting: sim.waiting_at(v.sid),
                    paused_until: sim.paused_until(v.sid),
                    slow_disk_ms: sim.slow_disk_ms(v.sid),
                    group: group_of(v.sid),
                    view: v.clone(),
                });
            }
        }
    }
    servers.sort_by_key(|s| s.view.sid);
    servers
}

/// A shaded band behind each group's sector, labelled A, B, … (none
/// without a partition).
fn bands(groups: &[Vec<Sid>], sectors: &[(f64, f64)], ((r1, _), outer): Rings) -> Vec<GroupBand> {
    let mut bands = Vec::new();
    if groups.len() > 1 {
        let r_out = outer.map_or(r1, |o| o.0) + 48.0;
        let r_in = (r1 - 70.0).max(40.0);
        for (gi, (a0, a1)) in sectors.iter().enumerate() {
            let label = ((b'A' + (gi % 26) as u8) as char).to_string();
            bands.push(GroupBand {
                path: band_path(r_in, r_out, a0 - 0.12, a1 + 0.12),
                label,
                // At the sector's start, clear of the servers in its middle.
                label_pos: polar(r_out - 16.0, a0 - 0.02),
            });
        }
    }
    bands
}

/// The election mesh (up to 9 voters, within a group), the quorum
/// connections (broken across a cut), one-way cuts inside a group, the
/// drops and the slow links.
fn link_lines(servers: &[ServerDot], links: &LinksView) -> Vec<Line> {
    let mut lines = Vec::new();
    let cut = |a: Sid, b: Sid| links.cuts.contains(&(a, b));
    let group_of = |sid: Sid| servers.iter().find(|s| s.view.sid == sid).map(|s| s.group);
    let line = |a: Sid, b: Sid, kind: LineKind| {
        let (p, q) = (pos_of(servers, a)?, pos_of(servers, b)?);
        Some(Line {
            a,
            b,
            from: p,
            to: q,
            kind,
        })
    };
    let voters: Vec<&ServerDot> = servers.iter().filter(|s| !s.observer).collect();
    if voters.len() <= 9 {
        for (i, a) in voters.iter().enumerate() {
            for b in &voters[i + 1..] {
                if a.group == b.group {
                    lines.push(Line {
                        a: a.view.sid,
                        b: b.view.sid,
                        from: a.pos,
                        to: b.pos,
                        kind: LineKind::Election,
                    });
                }
            }
        }
    }
    for c in &links.conns {
        let broken = cut(c.learner, c.leader) || cut(c.leader, c.learner);
        if c.open[0] && c.open[1] || broken {
            let kind = if broken {
                LineKind::Broken
            } else {
                LineKind::Quorum
            };
            lines.extend(line(c.learner, c.leader, kind));
        }
    }
    for &(a, b) in &links.cuts {
        if group_of(a).unwrap_or(0) == group_of(b).unwrap_or(0) {
            lines.extend(line(a, b, LineKind::Cut));
        }
    }
    for &(a, b) in &links.drop_next {
        lines.extend(line(a, b, LineKind::DropNext));
    }
    for &(a, b, ms) in &links.slow {
        lines.extend(line(a, b, LineKind::Slow(ms)));
    }
    lines
}

/// Live clients, outside the ring next to their server.
fn place_clients(sim: &Simulation, servers: &[ServerDot], outer_r: f64) -> Vec<ClientDot> {
    let mut clients = Vec::new();
    let mut per_server: BTreeMap<Sid, usize> = BTreeMap::new();
    for c in sim.clients_view() {
        if matches!(c.state, "CLOSED" | "EXPIRED") {
            continue;
        }
        let k = per_server.entry(c.server).or_insert(0);
        let base = pos_of(servers, c.server).unwrap_or(Pos { x: C, y: C });
        let a = crate::math::atan2(base.y - C, base.x - C) + (*k as f64 - 0.5) * 0.16;
        *k += 1;
        clients.push(ClientDot {
            pos: polar(outer_r + 58.0, a),
            name: c.name,
            id: c.id,
            server: c.server,
            state: c.state,
        });
    }
    clients
}

/// Messages in flight, each on its own side of its link, as far along
/// as virtual time says; those held at a cut in the link's middle.
fn place_messages(
    sim: &Simulation,
    servers: &[ServerDot],
    clients: &[ClientDot],
    t_ms: f64,
) -> Vec<MsgDot> {
    let peer_pos = |p: Peer| match p {
        Peer::Server(s) => pos_of(servers, s),
        Peer::Client(id) => clients.iter().find(|c| c.id == id).map(|c| c.pos),
    };
    let mut messages = Vec::new();
    let mut held_at: BTreeMap<(Peer, Peer), usize> = BTreeMap::new();
    for m in sim.in_flight() {
        if m.from == m.to {
            continue;
        }
        let (Some(p), Some(q)) = (peer_pos(m.from), peer_pos(m.to)) else {
            continue;
        };
        let (dx, dy) = (q.x - p.x, q.y - p.y);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        // Each direction on its own side of the link.
        let (ox, oy) = (-dy / len * 6.0, dx / len * 6.0);
        let (f, held) = match (m.sent_ms, m.deliver_ms) {
            (Some(s), Some(d)) if d > s => {
                (((t_ms - s as f64) / (d - s) as f64).clamp(0.0, 1.0), false)
            }
            (_, Some(_)) => (1.0, false),
            (_, None) => {
                let k = held_at.entry((m.from, m.to)).or_insert(0);
                *k += 1;
                (0.5 - 0.04 * (*k as f64 - 1.0).min(8.0), true)
            }
        };
        messages.push(MsgDot {
            pos: Pos {
                x: p.x + dx * f + ox,
                y: p.y + dy * f + oy,
            },
            held,
            msg: m,
        });
    }
    messages
}

/// Messages drawn one element each at most (with a title to hover and a
/// label); more than this while playing are drawn batched.
pub const MESSAGES_ONE_BY_ONE: usize = 60;

/// One SVG path per colour (and held or not) with a circle of radius `r`
/// for each message: while playing, the dots move every frame and most
/// are replaced within two frames (~66 new ones per frame at 200 writes/s
/// on five servers), so drawing them as a few paths keeps the DOM the
/// same instead of creating and removing hundreds of elements a frame.
/// Ordered by colour, then not held before held.
pub fn dot_paths(messages: &[MsgDot], r: f64) -> Vec<(&'static str, bool, String)> {
    use std::fmt::Write as _;
    let mut by: BTreeMap<(&'static str, bool), String> = BTreeMap::new();
    let d = 2.0 * r;
    for m in messages {
        let path = by
            .entry((crate::spacetime::kind_color(m.msg.kind), m.held))
            .or_default();
        let _ = write!(
            path,
            "M{} {}a{r} {r} 0 1 0 {d} 0a{r} {r} 0 1 0 -{d} 0",
            crate::dec(m.pos.x - r, 1),
            crate::dec(m.pos.y, 1)
        );
    }
    by.into_iter().map(|((c, h), p)| (c, h, p)).collect()
}

/// Short label drawn on a message dot.
pub fn short(kind: MsgKind) -> &'static str {
    match kind {
        MsgKind::Notification => "vote",
        MsgKind::FollowerInfo => "FINFO",
        MsgKind::ObserverInfo => "OINFO",
        MsgKind::LeaderInfo => "LINFO",
        MsgKind::AckEpoch => "ACKE",
        MsgKind::NewLeader => "NEWL",
        MsgKind::UpToDate => "UPTD",
        MsgKind::Proposal => "PROP",
        MsgKind::Request => "REQ",
        k => k.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zablab_core::{ActionKind, Scenario};

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
        for (v, o) in [(3, 0), (5, 2), (9, 0), (9, 42), (3, 42)] {
            let sc = scene(&sim(v, o), 3000.0);
            assert_eq!(sc.servers.len(), v + o);
            for s in &sc.servers {
                assert!(
                    s.pos.x - s.r >= 0.0 && s.pos.x + s.r <= VIEW,
                    "{v}+{o}: {:?}",
                    s.pos
                );
                assert!(s.pos.y - s.r >= 0.0 && s.pos.y + s.r <= VIEW);
            }
            for (i, a) in sc.servers.iter().enumerate() {
                for b in &sc.servers[i + 1..] {
                    let d = ((a.pos.x - b.pos.x).powi(2) + (a.pos.y - b.pos.y).powi(2)).sqrt();
                    assert!(
                        d >= a.r + b.r - 1.0,
                        "{v}+{o}: {} and {} overlap",
                        a.view.sid,
                        b.view.sid
                    );
                }
            }
        }
        let sc = scene(&sim(3, 0), 3000.0);
        let first = sc.server(1).unwrap().pos;
        assert!(
            (first.x - C).abs() < 1e-9 && first.y < C,
            "server 1 at the top"
        );
        assert_eq!(sc.servers.iter().filter(|s| s.leader).count(), 1);
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
        let text = include_str!("../../static/scenarios/three-up.json");
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
        let paths = dot_paths(&sc.messages, 6.0);
        let circles: usize = paths.iter().map(|(_, _, d)| d.matches('M').count()).sum();
        assert_eq!(circles, sc.messages.len());
        let mut keys: Vec<(&str, bool)> = paths.iter().map(|(c, h, _)| (*c, *h)).collect();
        let sorted = keys.clone();
        keys.dedup();
        assert_eq!(keys, sorted, "one path per colour and held");
        let m = &sc.messages[0];
        let color = crate::spacetime::kind_color(m.msg.kind);
        let d = &paths
            .iter()
            .find(|(c, h, _)| *c == color && *h == m.held)
            .unwrap()
            .2;
        assert!(
            d.contains(&format!(
                "M{} {}a6 6 0 1 0 12 0",
                crate::dec(m.pos.x - 6.0, 1),
                crate::dec(m.pos.y, 1)
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
}
