//! Geometry of the cluster view: where each server, client, link and
//! message in flight is drawn at a (fractional) virtual time, in a frame
//! of the SVG's size on screen (one unit is one CSS pixel, so a font size
//! here is the size a person sees). Pure: reads the simulation, returns
//! numbers; `captions.rs` adds the texts around them, placed so that none
//! covers another; the `cluster` component turns both into SVG. Tested
//! natively.
//!
//! - Voters sit on an ellipse that fills the frame but leaves room for
//!   each server's labels (the first server at the top); with more than
//!   12 servers, observers get an outer ellipse.
//! - A server's circle holds its sid and state word (FOLLOWING, …) when
//!   the ring has room for circles that big at the frame's type size;
//!   otherwise it holds the sid and the state word becomes its first label
//!   line ("compact").
//! - A partition is drawn as groups: the ring is split into one sector per
//!   group of servers that still reach each other both ways, with a gap
//!   between sectors and a shaded band behind each.
//! - A message is drawn at `from + (to - from) * f`, with
//!   `f = (t - sent) / (delivery - sent)`: exact at any speed and after any
//!   seek, because both times come from the simulator. Packets waiting at
//!   a cut are one badge per link direction, in the link's middle.

use std::collections::BTreeMap;

use zablab_core::proto::Sid;
use zablab_core::sim::{LinksView, Peer};
use zablab_core::{ServerView, Simulation};

use crate::captions::{self, Label, Options};
use crate::placer::{Placer, Rect, Shape};
use crate::textfit;
use ring::{bands, rings, sectors, Rings};
pub use shapes::{
    state_word, ClientDot, Fonts, GroupBand, HeldDot, Line, LineKind, MsgDot, Pos, ServerDot,
    MESSAGES_ONE_BY_ONE, MESSAGES_ON_CANVAS, STATE_WORDS,
};

/// The drawing: the SVG's size on screen in CSS pixels (its viewBox is
/// the same, so one unit is one pixel), and whether the type is the
/// presenter's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub w: f64,
    pub h: f64,
    pub presenter: bool,
}

impl Frame {
    /// The size the view has at 1366×768, until the page reports it (and
    /// in native tests).
    pub const DEFAULT: Frame = Frame {
        w: 760.0,
        h: 490.0,
        presenter: false,
    };

    pub fn fonts(&self) -> Fonts {
        if self.presenter {
            Fonts::PRESENTER
        } else {
            Fonts::NORMAL
        }
    }

    fn centre(&self) -> Pos {
        Pos {
            x: self.w / 2.0,
            y: self.h / 2.0,
        }
    }

    /// Where labels may go: the frame less a small margin.
    pub fn bounds(&self) -> Rect {
        Rect {
            x: 2.0,
            y: 2.0,
            w: self.w - 4.0,
            h: self.h - 4.0,
        }
    }
}

/// Everything the cluster view draws for one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub frame: Frame,
    pub servers: Vec<ServerDot>,
    pub lines: Vec<Line>,
    pub messages: Vec<MsgDot>,
    pub held: Vec<HeldDot>,
    pub groups: Vec<GroupBand>,
    pub clients: Vec<ClientDot>,
    /// Every text outside a circle, placed (see `captions.rs`).
    pub labels: Vec<Label>,
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
        zablab_core::sorting::sort(g);
    }
    zablab_core::sorting::sort(&mut out);
    out
}

/// Where everything is at virtual time `t_ms` (fractional), in `frame`,
/// with its labels in `o.lang`.
pub fn scene(sim: &Simulation, t_ms: f64, frame: Frame, o: &Options) -> Scene {
    let views = sim.servers();
    let links = sim.links();
    let sids: Vec<Sid> = views.iter().map(|v| v.sid).collect();
    let groups = groups(&sids, &links.cuts);
    let observer: Vec<bool> = views.iter().map(|v| sim.is_observer(v.sid)).collect();
    let n_obs = observer.iter().filter(|&&o| o).count();
    let digits = sids.iter().max().map_or(1, |s| s.to_string().len());
    let rings = rings(&frame, views.len() - n_obs, n_obs, digits);
    let sectors = sectors(&groups, views.len());
    let mut servers = place_servers(sim, &views, &observer, &groups, &sectors, rings);
    let deadlines = sim.deadlines();
    for s in &mut servers {
        s.deadline = deadlines
            .iter()
            .find(|d| d.sid == s.view.sid && d.decides)
            .map(|d| {
                let span = (d.due_ms - d.start_ms).max(1) as f64;
                (*d, ((t_ms - d.start_ms as f64) / span).clamp(0.0, 1.0))
            });
    }
    let bands = bands(&groups, &sectors, rings);
    let lines = link_lines(&servers, &links);
    let mut placer = Placer::new(frame.bounds());
    let f = frame.fonts();
    for s in &servers {
        // The circle, its deadline ring and the leader's crown ring.
        placer.block(Shape::Circle {
            c: s.pos,
            r: s.r + if s.r > 20.0 { 11.0 } else { 5.0 },
        });
    }
    let mut labels = captions::crowns(&servers, &f, o, &mut placer);
    let clients = place_clients(sim, &servers, &f, &mut placer);
    let (messages, held) = place_messages(sim, &servers, &clients, t_ms, f.dot);
    for c in &clients {
        placer.block(Shape::Rect(Rect {
            x: c.pos.x - c.w / 2.0,
            y: c.pos.y - c.h / 2.0,
            w: c.w,
            h: c.h,
        }));
    }
    labels.extend(captions::server_blocks(
        sim,
        &servers,
        &f,
        o,
        t_ms,
        &mut placer,
    ));
    labels.extend(captions::link_labels(&lines, &f, o, &mut placer));
    labels.extend(captions::held_badges(&held, &f, o, &mut placer));
    labels.extend(captions::group_labels(&bands, &f, &mut placer));
    labels.extend(captions::message_labels(&messages, &f, o, &mut placer));
    Scene {
        frame,
        servers,
        lines,
        messages,
        held,
        groups: bands,
        clients,
        labels,
    }
}

fn pos_of(servers: &[ServerDot], sid: Sid) -> Option<Pos> {
    servers.iter().find(|s| s.view.sid == sid).map(|s| s.pos)
}

/// Each group's servers spread over its sector (voters on the inner
/// ring; observers on the outer one when there are two), by sid.
fn place_servers(
    sim: &Simulation,
    views: &[ServerView],
    observer: &[bool],
    groups: &[Vec<Sid>],
    sectors: &[(f64, f64)],
    (inner, outer): Rings,
) -> Vec<ServerDot> {
    let leader = sim.established_leader();
    let two_rings = outer.is_some();
    let group_of = |sid: Sid| groups.iter().position(|g| g.contains(&sid)).unwrap_or(0);
    let mut servers = Vec::with_capacity(views.len());
    for (gi, g) in groups.iter().enumerate() {
        let (a0, a1) = sectors[gi];
        for on_outer in [false, true] {
            // false: voters (or everyone with one ring); true: observers.
            let members: Vec<usize> = g
                .iter()
                .filter_map(|sid| views.iter().position(|v| v.sid == *sid))
                .filter(|&i| {
                    if two_rings {
                        observer[i] == on_outer
                    } else {
                        !on_outer
                    }
                })
                .collect();
            let ring = if on_outer {
                outer.unwrap_or(inner)
            } else {
                inner
            };
            let walk = ring.e.walk();
            let m = members.len().max(1) as f64;
            for (k, &i) in members.iter().enumerate() {
                let a = a0 + (k as f64 + 0.5) * (a1 - a0) / m;
                let v = &views[i];
                let pos = walk.at(a);
                servers.push(ServerDot {
                    pos,
                    r: ring.r,
                    observer: observer[i],
                    leader: leader == Some(v.sid),
                    waiting: sim.waiting_at(v.sid),
                    paused_until: sim.paused_until(v.sid),
                    slow_disk_ms: sim.slow_disk_ms(v.sid),
                    group: group_of(v.sid),
                    sid_px: ring.sid_px,
                    inner_state: ring.inner_state,
                    outward: crate::math::atan2(pos.y - ring.e.c.y, pos.x - ring.e.c.x),
                    deadline: None,
                    view: v.clone(),
                });
            }
        }
    }
    zablab_core::sorting::sort_by_key(&mut servers, |s| s.view.sid);
    servers
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

/// Live clients, each a box next to its server (outward first, clear of
/// what is placed), or outside the ring when no place is free.
fn place_clients(
    sim: &Simulation,
    servers: &[ServerDot],
    f: &Fonts,
    placer: &mut Placer,
) -> Vec<ClientDot> {
    let mut clients = Vec::new();
    for c in sim.clients_view() {
        if matches!(c.state, "CLOSED" | "EXPIRED") {
            continue;
        }
        let (w, h) = (
            textfit::width(&c.name, f.text, false) + 12.0,
            textfit::height(f.text) + 6.0,
        );
        let server = servers.iter().find(|s| s.view.sid == c.server);
        let (at, outward, r) = server.map_or((Pos { x: 0.0, y: 0.0 }, 0.0, 0.0), |s| {
            (s.pos, s.outward, s.r + 12.0)
        });
        let spot = placer
            .place(crate::placer::around_circle(
                at,
                r,
                w,
                h,
                4.0 * f.text,
                outward,
            ))
            .unwrap_or_else(|| {
                let d = r + 4.0 * f.text + h;
                Rect {
                    x: at.x + d * crate::math::cos(outward) - w / 2.0,
                    y: at.y + d * crate::math::sin(outward) - h / 2.0,
                    w,
                    h,
                }
            });
        clients.push(ClientDot {
            pos: spot.centre(),
            w,
            h,
            name: c.name,
            id: c.id,
            server: c.server,
            state: c.state,
        });
    }
    clients
}

/// Messages in flight, each on its own side of its link, as far along
/// as virtual time says; the packets held at a cut as one dot per link
/// direction, in the link's middle.
fn place_messages(
    sim: &Simulation,
    servers: &[ServerDot],
    clients: &[ClientDot],
    t_ms: f64,
    dot: f64,
) -> (Vec<MsgDot>, Vec<HeldDot>) {
    let peer_pos = |p: Peer| match p {
        Peer::Server(s) => pos_of(servers, s),
        Peer::Client(id) => clients.iter().find(|c| c.id == id).map(|c| c.pos),
    };
    let mut messages = Vec::new();
    let mut held: BTreeMap<(Peer, Peer), HeldDot> = BTreeMap::new();
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
        let (ox, oy) = (-dy / len * dot, dx / len * dot);
        let f = match (m.sent_ms, m.deliver_ms) {
            (Some(s), Some(d)) if d > s => ((t_ms - s as f64) / (d - s) as f64).clamp(0.0, 1.0),
            (_, Some(_)) => 1.0,
            (_, None) => {
                let pos = Pos {
                    x: p.x + dx * 0.5 + ox * 1.5,
                    y: p.y + dy * 0.5 + oy * 1.5,
                };
                held.entry((m.from, m.to))
                    .or_insert_with(|| HeldDot {
                        from: m.from,
                        to: m.to,
                        pos,
                        msgs: Vec::new(),
                    })
                    .msgs
                    .push(m);
                continue;
            }
        };
        messages.push(MsgDot {
            pos: Pos {
                x: p.x + dx * f + ox,
                y: p.y + dy * f + oy,
            },
            held: false,
            msg: m,
        });
    }
    (messages, held.into_values().collect())
}

/// The dots of one colour, held or not, drawn as one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct DotBatch {
    pub color: &'static str,
    /// Waiting at a cut (drawn faded, with a dashed red rim).
    pub held: bool,
    /// Each dot's centre, in the cluster view's pixels.
    pub centres: Vec<Pos>,
}

/// The messages grouped for drawing in batches, one per colour (and held
/// or not): while playing with many, the dots move every frame and most
/// are replaced within two frames (~66 new ones per frame at 200 writes/s
/// on five servers), so they are drawn in a few batches instead of as
/// elements: up to [`MESSAGES_ON_CANVAS`] as one SVG path per batch
/// ([`batch_path`]), more on a canvas layer (`ui/cluster/dots.rs`).
/// Ordered by colour, then not held before held.
pub fn dot_batches(messages: &[MsgDot]) -> Vec<DotBatch> {
    let mut by: BTreeMap<(&'static str, bool), Vec<Pos>> = BTreeMap::new();
    for m in messages {
        by.entry((crate::spacetime::kind_color(m.msg.kind), m.held))
            .or_default()
            .push(m.pos);
    }
    by.into_iter()
        .map(|((color, held), centres)| DotBatch {
            color,
            held,
            centres,
        })
        .collect()
}

/// The circles of a batch as one SVG path's `d`, radius `r`.
pub fn batch_path(centres: &[Pos], r: f64) -> String {
    use std::fmt::Write as _;
    let mut path = String::with_capacity(centres.len() * 40);
    let d = 2.0 * r;
    for c in centres {
        let _ = write!(
            path,
            "M{} {}a{r} {r} 0 1 0 {d} 0a{r} {r} 0 1 0 -{d} 0",
            crate::dec(c.x - r, 1),
            crate::dec(c.y, 1)
        );
    }
    path
}

mod ring;
pub mod shapes;
#[cfg(test)]
mod tests;
