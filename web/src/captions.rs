//! The texts of the cluster view outside the circles, and where each goes
//! so that none covers another, a circle or a client: the leader's crown,
//! each server's block (its state word when the circle is compact, its
//! vote and why it last changed, the deadline that decides its next step,
//! ZabState, epochs and last zxid, what waits at a paused server, a slow
//! disk), link marks (cuts, slow links, drops), the packets held at a cut
//! (one counted badge per link direction), partition groups, and the
//! messages in flight (ZooKeeper's names with the epoch or zxid they
//! carry; a notification's vote when paused or slow, or when its sender
//! is focused or the message hovered).
//!
//! Order is priority: crowns, then server blocks (a block that finds no
//! room drops its last lines and tries again), link marks, badges,
//! groups, then message labels (those that find no room are left out; the
//! dot keeps its hover text). Pure: words from `words.rs`, sizes from
//! `textfit.rs`, places from `placer.rs`; never reads the DOM.

use zablab_core::proto::{ServerState, Sid};
use zablab_core::sim::{MsgKind, Peer};
use zablab_core::Simulation;

use crate::i18n::{tr, trf, Lang, T};
use crate::layout::shapes::{Fonts, GroupBand, HeldDot, Line, LineKind, MsgDot, Pos, ServerDot};
use crate::placer::{around_circle, around_point, Placer, Rect};
use crate::textfit::{self, ASCENT, LINE};
use crate::words;

/// What the captions depend on besides the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub lang: Lang,
    /// The run plays: with more than `MESSAGES_ONE_BY_ONE` in flight, the
    /// dots are batched and only a pointed-at message is labelled.
    pub playing: bool,
    /// Spell out each notification's vote (paused or slow).
    pub detailed: bool,
    /// A server the user points at or focuses: its messages' labels go
    /// first, spelled out.
    pub focus: Option<Sid>,
    /// A message the user points at: its label goes first and is always
    /// drawn.
    pub hover: Option<u64>,
}

impl Options {
    pub fn new(lang: Lang) -> Options {
        Options {
            lang,
            playing: false,
            detailed: true,
            focus: None,
            hover: None,
        }
    }
}

/// Who a label belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Server(Sid),
    Message(u64),
    /// `Scene::held[i]`.
    Held(usize),
    /// `Scene::lines[i]`.
    Link(usize),
    /// `Scene::groups[i]`.
    Group(usize),
}

/// What a line of a label says (its style and test id follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Crown,
    State,
    Vote,
    Ballot,
    Change,
    Deadline,
    Zab,
    Facts,
    Waiting,
    SlowDisk,
    Message,
    Held,
    Link,
    Group,
}

/// One line of text, centred on `x`, its baseline at `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub px: f64,
    pub bold: bool,
    pub role: Role,
    pub x: f64,
    pub y: f64,
}

/// A placed label: its box, its lines, whose it is and its hover text.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub rect: Rect,
    pub lines: Vec<TextLine>,
    pub owner: Owner,
    pub title: Option<String>,
}

/// A line before it is placed.
struct Spec {
    text: String,
    px: f64,
    bold: bool,
    role: Role,
}

fn spec(text: String, px: f64, bold: bool, role: Role) -> Spec {
    Spec {
        text,
        px,
        bold,
        role,
    }
}

/// The box a stack of lines needs.
fn size(lines: &[Spec]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| textfit::width(&l.text, l.px, l.bold))
        .fold(0.0, f64::max);
    let h: f64 = lines.iter().map(|l| LINE * l.px).sum::<f64>()
        - lines
            .last()
            .map_or(0.0, |l| (LINE * l.px) - textfit::height(l.px));
    (w, h)
}

/// The lines laid out in `rect`, centred, stacked from its top.
fn lay(rect: Rect, lines: Vec<Spec>) -> Vec<TextLine> {
    let mut y = rect.y;
    let x = rect.x + rect.w / 2.0;
    lines
        .into_iter()
        .map(|l| {
            let line = TextLine {
                x,
                y: y + ASCENT * l.px,
                text: l.text,
                px: l.px,
                bold: l.bold,
                role: l.role,
            };
            y += LINE * l.px;
            line
        })
        .collect()
}

/// Places `lines` among `candidates(w, h)`, dropping lines from the end
/// until they fit (at least `keep` stay); None if even that finds no room.
fn place_stack(
    placer: &mut Placer,
    mut lines: Vec<Spec>,
    keep: usize,
    candidates: impl Fn(f64, f64) -> Vec<Rect>,
) -> Option<(Rect, Vec<TextLine>)> {
    while lines.len() >= keep.max(1) {
        let (w, h) = size(&lines);
        if let Some(rect) = placer.place(candidates(w, h)) {
            return Some((rect, lay(rect, lines)));
        }
        lines.pop();
    }
    None
}

/// Around a server, outward first, at two distances.
fn around_server(s: &ServerDot, w: f64, h: f64) -> Vec<Rect> {
    let halo = s.r + if s.r > 20.0 { 11.0 } else { 5.0 };
    let mut v = around_circle(s.pos, halo, w, h, 1.0, s.outward);
    v.extend(around_circle(s.pos, halo, w, h, 1.0 + 0.9 * h, s.outward));
    v
}

/// The leader's crown, above it when there is room: `★ LEADER · epoch 2`.
/// Always drawn (it is how the leader is found): nearest above it that is
/// free, round the circle or a line further out; with no free place, at
/// its first choice.
pub fn crowns(servers: &[ServerDot], f: &Fonts, o: &Options, placer: &mut Placer) -> Vec<Label> {
    let l = o.lang;
    let mut out = Vec::new();
    for s in servers.iter().filter(|s| s.leader) {
        let text = format!(
            "★ {} · {}",
            tr(l, T::Leader),
            trf(l, T::EpochN, &[&s.view.current_epoch.to_string()])
        );
        let lines = vec![spec(text, f.strong, true, Role::Crown)];
        let (w, h) = size(&lines);
        let up = -std::f64::consts::FRAC_PI_2;
        // Above, then beside, then anywhere round the circle, then a line
        // further out; with no free place at all, at the first choice,
        // which later labels then keep clear of.
        let rings =
            (0..3).flat_map(|k| around_circle(s.pos, s.r + 9.0 + k as f64 * h, w, h, 1.0, up));
        let cands: Vec<Rect> = rings.collect();
        let rect = placer.place(cands.iter().copied()).unwrap_or_else(|| {
            placer.block(crate::placer::Shape::Rect(cands[0]));
            cands[0]
        });
        out.push(Label {
            rect,
            lines: lay(rect, lines),
            owner: Owner::Server(s.view.sid),
            title: None,
        });
    }
    out
}

/// Whether any server is LOOKING (an election is on: every server's vote
/// matters, a settled one answers with its current vote).
fn election_on(servers: &[ServerDot]) -> bool {
    servers
        .iter()
        .any(|s| s.view.up && !s.view.paused && s.view.state == ServerState::Looking.name())
}

/// Each server's block of lines (see the module doc), placed outward.
pub fn server_blocks(
    sim: &Simulation,
    servers: &[ServerDot],
    f: &Fonts,
    o: &Options,
    t_ms: f64,
    placer: &mut Placer,
) -> Vec<Label> {
    let votes = sim.votes();
    let election = election_on(servers);
    let mut out = Vec::new();
    for s in servers {
        let vote = votes.iter().find(|v| v.sid == s.view.sid);
        let lines = block_lines(s, vote, election, f, o, t_ms);
        if lines.is_empty() {
            continue;
        }
        // The state word (compact circles) or the vote stays at least.
        if let Some((rect, lines)) = place_stack(placer, lines, 1, |w, h| around_server(s, w, h)) {
            let title = s.deadline.map(|(d, _)| words::deadline_title(o.lang, &d));
            out.push(Label {
                rect,
                lines,
                owner: Owner::Server(s.view.sid),
                title,
            });
        }
    }
    out
}

/// The lines of one server's block, most important first.
fn block_lines(
    s: &ServerDot,
    vote: Option<&zablab_core::sim::VoteView>,
    election: bool,
    f: &Fonts,
    o: &Options,
    t_ms: f64,
) -> Vec<Spec> {
    let l = o.lang;
    let mut lines = Vec::new();
    // Small observers of a big ensemble: colour only.
    if s.r <= 20.0 && !s.view.paused && s.waiting == 0 {
        return lines;
    }
    if !s.inner_state {
        let word = crate::layout::shapes::state_word(&s.view);
        lines.push(spec(word, f.text, true, Role::State));
    }
    if let Some(v) = vote.filter(|_| election && s.view.up && !s.view.paused) {
        let looking = v.state == ServerState::Looking;
        if looking || !s.observer {
            lines.push(spec(
                words::vote_head(l, &v.ballot),
                f.strong,
                true,
                Role::Vote,
            ));
            lines.push(spec(
                words::vote_ballot(l, &v.ballot),
                f.text,
                false,
                Role::Ballot,
            ));
        }
        if let Some(c) = v.change.filter(|c| looking && c.to == v.ballot) {
            lines.push(spec(words::vote_was(l, &c), f.text, false, Role::Change));
        }
    }
    if let Some((d, _)) = s.deadline {
        lines.push(spec(
            words::deadline_short(l, &d, t_ms),
            f.text,
            false,
            Role::Deadline,
        ));
    }
    if s.waiting > 0 {
        let text = trf(l, T::Waiting, &[&s.waiting.to_string()]);
        lines.push(spec(text, f.text, true, Role::Waiting));
    }
    if let Some(ms) = s.slow_disk_ms {
        let text = trf(l, T::SlowDiskMark, &[&ms.to_string()]);
        lines.push(spec(text, f.text, true, Role::SlowDisk));
    }
    if s.view.up && !s.view.paused && s.view.zab_state != "ELECTION" {
        lines.push(spec(s.view.zab_state.clone(), f.text, false, Role::Zab));
    }
    let facts = trf(
        l,
        T::EpochsShort,
        &[
            &s.view.accepted_epoch.to_string(),
            &s.view.current_epoch.to_string(),
            &s.view.last_zxid.to_string(),
        ],
    );
    lines.push(spec(facts, f.text, false, Role::Facts));
    lines
}

/// Marks on links: a cut, a slow link, the next message dropped, a
/// broken quorum connection; near the sending end for one-way ones.
pub fn link_labels(lines: &[Line], f: &Fonts, o: &Options, placer: &mut Placer) -> Vec<Label> {
    let l = o.lang;
    let mut out = Vec::new();
    for (i, ln) in lines.iter().enumerate() {
        let text = match ln.kind {
            LineKind::Election | LineKind::Quorum => continue,
            LineKind::Broken => "✕".to_string(),
            LineKind::Cut => format!("✕ {}→{}", ln.a, ln.b),
            LineKind::Slow(ms) => format!("{ms} ms"),
            LineKind::DropNext => trf(l, T::DropMark, &[&ln.a.to_string(), &ln.b.to_string()]),
        };
        let along = match ln.kind {
            LineKind::Broken => [0.5, 0.4, 0.6, 0.3, 0.7],
            _ => [0.3, 0.4, 0.25, 0.5, 0.2],
        };
        let lines = vec![spec(text, f.text, true, Role::Link)];
        let (w, h) = size(&lines);
        let cands = along.iter().flat_map(|&t| {
            let p = Pos {
                x: ln.from.x + (ln.to.x - ln.from.x) * t,
                y: ln.from.y + (ln.to.y - ln.from.y) * t,
            };
            let mid = Rect {
                x: p.x - w / 2.0,
                y: p.y - h / 2.0,
                w,
                h,
            };
            std::iter::once(mid).chain(around_point(p, 2.0, w, h))
        });
        if let Some(rect) = placer.place(cands) {
            out.push(Label {
                rect,
                lines: lay(rect, lines),
                owner: Owner::Link(i),
                title: None,
            });
        }
    }
    out
}

/// One counted badge per link direction for the packets held at a cut:
/// `PING ×12 held`, or `14 packets held` of several kinds.
pub fn held_badges(held: &[HeldDot], f: &Fonts, o: &Options, placer: &mut Placer) -> Vec<Label> {
    let l = o.lang;
    let mut out = Vec::new();
    for (i, h) in held.iter().enumerate() {
        let counts = h.counts();
        let text = match counts.as_slice() {
            [(k, n)] => trf(l, T::HeldBadge, &[k.name(), &n.to_string()]),
            _ => trf(l, T::HeldMixed, &[&h.msgs.len().to_string()]),
        };
        let list: Vec<String> = counts
            .iter()
            .map(|(k, n)| format!("{} ×{n}", k.name()))
            .collect();
        let title = trf(
            l,
            T::HeldTitle,
            &[&peer(l, h.from), &peer(l, h.to), &list.join(", ")],
        );
        let lines = vec![spec(text, f.text, true, Role::Held)];
        let (w, hh) = size(&lines);
        if let Some(rect) = placer.place(around_point(h.pos, f.dot, w, hh)) {
            out.push(Label {
                rect,
                lines: lay(rect, lines),
                owner: Owner::Held(i),
                title: Some(title),
            });
        }
    }
    out
}

fn peer(l: Lang, p: Peer) -> String {
    match p {
        Peer::Server(s) => trf(l, T::ServerN, &[&s.to_string()]),
        Peer::Client(c) => trf(l, T::ClientN, &[&c.to_string()]),
    }
}

/// The partition groups' letters.
pub fn group_labels(groups: &[GroupBand], f: &Fonts, placer: &mut Placer) -> Vec<Label> {
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let lines = vec![spec(g.label.clone(), f.strong * 1.3, true, Role::Group)];
        let (w, h) = size(&lines);
        let p = g.label_pos;
        let mid = Rect {
            x: p.x - w / 2.0,
            y: p.y - h / 2.0,
            w,
            h,
        };
        let cands = std::iter::once(mid).chain(around_point(p, 4.0, w, h));
        if let Some(rect) = placer.place(cands) {
            out.push(Label {
                rect,
                lines: lay(rect, lines),
                owner: Owner::Group(i),
                title: None,
            });
        }
    }
    out
}

/// Labels of the messages in flight that find room: the hovered one
/// first (always drawn), then the focused server's, then the rest by
/// delivery time.
pub fn message_labels(
    messages: &[MsgDot],
    f: &Fonts,
    o: &Options,
    placer: &mut Placer,
) -> Vec<Label> {
    let mut order: Vec<&MsgDot> = messages.iter().collect();
    let focused = |d: &MsgDot| o.focus.is_some_and(|s| d.msg.from == Peer::Server(s));
    zablab_core::sorting::sort_by_key(&mut order, |d| (o.hover != Some(d.msg.id), !focused(d)));
    let many = o.playing && messages.len() > crate::layout::shapes::MESSAGES_ONE_BY_ONE;
    let mut out = Vec::new();
    for d in order {
        let hovered = o.hover == Some(d.msg.id);
        let wanted = !many && worth_labelling(d.msg.kind);
        if !(wanted || hovered || focused(d)) {
            continue;
        }
        let detailed = o.detailed || hovered || focused(d);
        let text = words::message_label(o.lang, &d.msg, detailed);
        let lines = vec![spec(text, f.text, true, Role::Message)];
        let (w, h) = size(&lines);
        let cands = around_point(d.pos, f.dot, w, h);
        let rect = match placer.place(cands) {
            Some(r) => r,
            None if hovered => {
                placer.block(crate::placer::Shape::Rect(cands[0]));
                cands[0]
            }
            None => continue,
        };
        out.push(Label {
            rect,
            lines: lay(rect, lines),
            owner: Owner::Message(d.msg.id),
            title: None,
        });
    }
    out
}

/// Whether a kind's label is worth its room while playing fast (the
/// names of election, discovery and sync; not the steady PINGs).
pub fn worth_labelling(k: MsgKind) -> bool {
    !matches!(k, MsgKind::Ping | MsgKind::ClientPing | MsgKind::ClientPong)
}

#[cfg(test)]
mod tests;
