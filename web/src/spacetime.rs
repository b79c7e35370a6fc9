//! The space-time diagram: one lane per server, shaded by its state over
//! time, and one arrow per message from (sender, send time) to (receiver,
//! delivery time). [`build`] takes only the window on screen out of the
//! simulator's bounded history (binary search, then at most
//! [`MAX_ARROWS`]), so thousands of events stay smooth; the canvas
//! component and [`to_svg`] (the export) draw the same [`Diagram`].

use std::fmt::Write as _;

use zablab_core::proto::{ServerState, Sid, ZabState};
use zablab_core::sim::{Life, MsgDetail, MsgKind, Outcome, Peer, StateRecord};
use zablab_core::Simulation;

use crate::i18n::{tr, Lang, T};

/// Arrows drawn at most (the newest in the window).
pub const MAX_ARROWS: usize = 1200;

/// Arrows drawn at most while the run plays: the canvas is rasterized
/// every frame, and in software (no GPU, as on many school laptops) the
/// strokes cost about as much as the rest of the frame together
/// (`scripts/bench`). Paused, the diagram shows up to [`MAX_ARROWS`].
pub const PLAYING_ARROWS: usize = 300;

/// The colour of a message kind (cluster view, diagram, legend).
pub fn kind_color(kind: MsgKind) -> &'static str {
    match kind {
        MsgKind::Notification => "#d97706",
        MsgKind::FollowerInfo | MsgKind::ObserverInfo => "#7c3aed",
        MsgKind::LeaderInfo => "#9333ea",
        MsgKind::AckEpoch => "#c026d3",
        MsgKind::Diff => "#0891b2",
        MsgKind::Trunc => "#dc2626",
        MsgKind::Snap => "#0284c7",
        MsgKind::NewLeader => "#059669",
        MsgKind::UpToDate => "#16a34a",
        MsgKind::Proposal => "#2563eb",
        MsgKind::Ack => "#0ea5e9",
        MsgKind::Commit => "#1e3a8a",
        MsgKind::Inform => "#4f46e5",
        MsgKind::Ping => "#6b7280",
        MsgKind::Request => "#ea580c",
        MsgKind::Sync => "#ca8a04",
        MsgKind::OtherPacket | MsgKind::Fin => "#374151",
        MsgKind::ClientConnect
        | MsgKind::ClientRequest
        | MsgKind::ClientPing
        | MsgKind::ClientGone => "#db2777",
        MsgKind::ClientConnected
        | MsgKind::ClientReply
        | MsgKind::ClientPong
        | MsgKind::ClientClosed
        | MsgKind::ClientEvent => "#be185d",
    }
}

/// How a lane is shaded for a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    Unknown,
    Down,
    Paused,
    Election,
    Discovery,
    Synchronization,
    Broadcast,
    Leading,
}

impl Shade {
    fn of(r: &StateRecord) -> Shade {
        match r.life {
            Life::Down => Shade::Down,
            Life::Paused => Shade::Paused,
            Life::Running => match (r.state, r.zab_state) {
                (ServerState::Looking, _) | (_, ZabState::Election) => Shade::Election,
                (_, ZabState::Discovery) => Shade::Discovery,
                (_, ZabState::Synchronization) => Shade::Synchronization,
                (ServerState::Leading, ZabState::Broadcast) => Shade::Leading,
                (_, ZabState::Broadcast) => Shade::Broadcast,
            },
        }
    }

    pub fn color(self) -> &'static str {
        match self {
            Shade::Unknown => "#f3f4f6",
            Shade::Down => "#d1d5db",
            Shade::Paused => "#fecaca",
            Shade::Election => "#fde68a",
            Shade::Discovery => "#e9d5ff",
            Shade::Synchronization => "#bae6fd",
            Shade::Broadcast => "#bbf7d0",
            Shade::Leading => "#4ade80",
        }
    }

    /// The word for the legend (ZooKeeper's names; DOWN and PAUSED ours).
    pub fn name(self) -> &'static str {
        match self {
            Shade::Unknown => "?",
            Shade::Down => "DOWN",
            Shade::Paused => "PAUSED",
            Shade::Election => "ELECTION",
            Shade::Discovery => "DISCOVERY",
            Shade::Synchronization => "SYNCHRONIZATION",
            Shade::Broadcast => "BROADCAST",
            Shade::Leading => "LEADING",
        }
    }

    pub const LEGEND: [Shade; 7] = [
        Shade::Election,
        Shade::Discovery,
        Shade::Synchronization,
        Shade::Broadcast,
        Shade::Leading,
        Shade::Paused,
        Shade::Down,
    ];
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub lane: usize,
    pub t0: f64,
    pub t1: f64,
    pub shade: Shade,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub sent: f64,
    /// Delivery time; for a message still in flight, where it is at `now`
    /// as a fraction of the way (`reach` < 1).
    pub at: f64,
    pub reach: f64,
    pub kind: MsgKind,
    pub outcome: Outcome,
    pub detail: MsgDetail,
}

impl Arrow {
    /// What hovering it says (and the SVG export's tooltip).
    pub fn describe(&self, lanes: &[Sid], l: Lang) -> String {
        let mut s = format!(
            "{} {}→{} · {}→{}",
            self.kind.name(),
            lanes.get(self.from).copied().unwrap_or(0),
            lanes.get(self.to).copied().unwrap_or(0),
            crate::fmt_ms(self.sent as u64),
            crate::fmt_ms(self.at as u64)
        );
        s.push_str(&crate::words::detail_text(l, &self.detail));
        match self.outcome {
            Outcome::Handled => {}
            Outcome::Held => s.push_str(tr(l, T::HeldPaused)),
            Outcome::Lost => s.push_str(tr(l, T::LostGone)),
        }
        s
    }
}

/// What the diagram shows for one window of time.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub t0: f64,
    pub t1: f64,
    pub now: f64,
    /// Lane order: server ids, ascending.
    pub lanes: Vec<Sid>,
    pub segments: Vec<Segment>,
    pub arrows: Vec<Arrow>,
    /// Arrows in the window that were not drawn (beyond [`MAX_ARROWS`]).
    pub omitted: usize,
    /// The history no longer reaches back to `t0`.
    pub truncated: bool,
}

impl Diagram {
    pub fn x(&self, t: f64, width: f64) -> f64 {
        (t - self.t0) / (self.t1 - self.t0).max(1e-9) * width
    }
}

/// The diagram of `[now - window_ms, now]`.
pub fn build(sim: &Simulation, now: f64, window_ms: f64) -> Diagram {
    build_capped(sim, now, window_ms, MAX_ARROWS)
}

/// The same, drawing at most `max_arrows` (the newest).
pub fn build_capped(sim: &Simulation, now: f64, window_ms: f64, max_arrows: usize) -> Diagram {
    let t1 = now.max(window_ms);
    let t0 = t1 - window_ms;
    let lanes = Lanes::of(sim);
    let segments = segments(sim, &lanes, t0, t1);
    // In flight now (only when the window ends now).
    let flight = if (t1 - now).abs() < 1e-6 {
        in_flight(sim, &lanes, now, t1)
    } else {
        Vec::new()
    };
    let hist = sim.message_history();
    let (arrows, omitted) = delivered(sim, &lanes, (t0, t1), flight, max_arrows);
    Diagram {
        t0,
        t1,
        now,
        truncated: hist.truncated() && hist.get(hist.first()).is_some_and(|r| r.at_ms as f64 > t0),
        lanes: lanes.sids,
        segments,
        arrows,
        omitted,
    }
}

/// The servers in sid order (as `Simulation::servers` lists them), found
/// by sid through a table: thousands of arrows ask.
struct Lanes {
    sids: Vec<Sid>,
    lane_of: Vec<Option<usize>>,
}

impl Lanes {
    fn of(sim: &Simulation) -> Lanes {
        let mut sids: Vec<Sid> = sim.scenario().sids().collect();
        zablab_core::sorting::sort(&mut sids);
        let mut lane_of: Vec<Option<usize>> = Vec::new();
        for (i, &s) in sids.iter().enumerate() {
            let s = s as usize;
            if s >= lane_of.len() {
                lane_of.resize(s + 1, None);
            }
            lane_of[s] = Some(i);
        }
        Lanes { sids, lane_of }
    }

    fn lane(&self, sid: Sid) -> Option<usize> {
        self.lane_of.get(sid as usize).copied().flatten()
    }

    /// The lanes of a message between two servers.
    fn of_link(&self, from: Peer, to: Peer) -> Option<(usize, usize)> {
        let (Peer::Server(a), Peer::Server(b)) = (from, to) else {
            return None;
        };
        if a == b {
            return None;
        }
        Some((self.lane(a)?, self.lane(b)?))
    }
}

/// Each lane's shading over `[t0, t1]`: the state changes replayed up to
/// the window's end.
fn segments(sim: &Simulation, lanes: &Lanes, t0: f64, t1: f64) -> Vec<Segment> {
    let mut current: Vec<(f64, Shade)> = vec![(t0, Shade::Unknown); lanes.sids.len()];
    let mut segments = Vec::new();
    let states = sim.state_history();
    let start = states.first();
    for r in states.iter_from(start) {
        let at = r.at_ms as f64;
        if at > t1 {
            break;
        }
        let Some(l) = lanes.lane(r.sid) else { continue };
        let (since, shade) = current[l];
        if at > t0 && at > since {
            segments.push(Segment {
                lane: l,
                t0: since.max(t0),
                t1: at,
                shade,
            });
        }
        current[l] = (at.max(t0), Shade::of(r));
    }
    for (l, (since, shade)) in current.into_iter().enumerate() {
        if since < t1 {
            segments.push(Segment {
                lane: l,
                t0: since,
                t1,
                shade,
            });
        }
    }
    segments
}

/// The messages between servers in flight at `now`, as far as they got.
fn in_flight(sim: &Simulation, lanes: &Lanes, now: f64, t1: f64) -> Vec<Arrow> {
    let mut flight: Vec<Arrow> = Vec::new();
    for m in sim.in_flight() {
        let (Some((from, to)), Some(sent)) = (lanes.of_link(m.from, m.to), m.sent_ms) else {
            continue;
        };
        if (sent as f64) > t1 {
            continue;
        }
        let at = m.deliver_ms.map_or(f64::INFINITY, |d| d as f64);
        let reach = if at.is_finite() && at > sent as f64 {
            ((now - sent as f64) / (at - sent as f64)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        flight.push(Arrow {
            from,
            to,
            sent: sent as f64,
            at: if at.is_finite() { at } else { now },
            reach,
            kind: m.kind,
            outcome: Outcome::Handled,
            detail: m.detail,
        });
    }
    flight
}

/// Arrows delivered in the window, then those in flight: the newest
/// `max_arrows` of them, and how many were left out. The window's
/// messages are counted in one pass over the history's slices (51
/// servers deliver ~44,000 in a 2-second window); arrows are built only
/// for the newest, walking back.
fn delivered(
    sim: &Simulation,
    lanes: &Lanes,
    (t0, t1): (f64, f64),
    flight: Vec<Arrow>,
    max_arrows: usize,
) -> (Vec<Arrow>, usize) {
    let hist = sim.message_history();
    let first = hist.partition_point(|r| (r.at_ms as f64) < t0);
    let end = hist.partition_point(|r| (r.at_ms as f64) <= t1);
    let room = max_arrows.saturating_sub(flight.len());
    let window = || hist.range(first, end);
    let delivered = window()
        .filter(|r| lanes.of_link(r.from, r.to).is_some())
        .count();
    let mut arrows: Vec<Arrow> = Vec::with_capacity(room.min(delivered) + flight.len());
    let newest = window()
        .rev()
        .filter_map(|r| Some((lanes.of_link(r.from, r.to)?, r)));
    for ((from, to), r) in newest.take(room) {
        arrows.push(Arrow {
            from,
            to,
            sent: r.sent_ms as f64,
            at: r.at_ms as f64,
            reach: 1.0,
            kind: r.kind,
            outcome: r.outcome,
            detail: r.detail,
        });
    }
    arrows.reverse();
    let omitted = (delivered + flight.len()).saturating_sub(max_arrows);
    let skip_flight = flight.len().saturating_sub(max_arrows);
    arrows.extend(flight.into_iter().skip(skip_flight));
    (arrows, omitted)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A nice step for time ticks covering `span` ms in about `n` steps.
pub fn tick_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(1e-3);
    // The power of ten at or below `raw` (no log/pow: they cost wasm size).
    let mut mag = 1.0;
    while mag > raw {
        mag /= 10.0;
    }
    while mag * 10.0 <= raw {
        mag *= 10.0;
    }
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Whole pixels: enough for a 1000-pixel-wide drawing.
fn px(v: f64) -> i64 {
    v.round() as i64
}

/// The export's layout: margins, lane height, drawing width and height.
struct Svg<'a> {
    d: &'a Diagram,
    left: f64,
    top: f64,
    lane_h: f64,
    w: f64,
    h: f64,
}

impl Svg<'_> {
    fn x(&self, t: f64) -> f64 {
        self.left + self.d.x(t, self.w)
    }

    fn lane_y(&self, l: usize) -> f64 {
        self.top + self.lane_h * l as f64
    }
}

/// The diagram as a standalone SVG document (the export).
pub fn to_svg(d: &Diagram, title: &str, l: Lang) -> String {
    let (left, top, lane_h) = (70.0, 40.0, 30.0);
    let g = Svg {
        d,
        left,
        top,
        lane_h,
        w: 1000.0,
        h: top + lane_h * d.lanes.len() as f64 + 30.0,
    };
    let (sw, sh) = (px(g.w + left + 20.0), px(g.h));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{sw}" height="{sh}" viewBox="0 0 {sw} {sh}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="20" font-size="14">{}</text>"#,
        px(left),
        esc(title)
    );
    svg_lanes(&mut s, &g, tr(l, T::Server));
    svg_ticks(&mut s, &g);
    svg_arrows(&mut s, &g, l);
    let xn = px(g.x(d.now));
    let _ = write!(
        s,
        r##"<line x1="{xn}" y1="{}" x2="{xn}" y2="{}" stroke="#111827" stroke-width="2"/></svg>"##,
        px(top),
        px(g.h - 26.0)
    );
    s
}

/// The lanes' shaded segments (titled with their state) and labels.
fn svg_lanes(s: &mut String, g: &Svg, server_word: &str) {
    let d = g.d;
    for seg in &d.segments {
        let _ = write!(
            s,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>"#,
            px(g.x(seg.t0)),
            px(g.lane_y(seg.lane) + 4.0),
            px((d.x(seg.t1, g.w) - d.x(seg.t0, g.w)).max(0.0)),
            px(g.lane_h - 8.0),
            seg.shade.color(),
            seg.shade.name()
        );
    }
    for (l, sid) in d.lanes.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="8" y="{}">{} {sid}</text>"#,
            px(g.lane_y(l) + g.lane_h / 2.0 + 4.0),
            esc(server_word)
        );
    }
}

/// The time axis: a line and a label every nice step.
fn svg_ticks(s: &mut String, g: &Svg) {
    let d = g.d;
    let step = tick_step(d.t1 - d.t0, 8.0);
    let mut t = (d.t0 / step).ceil() * step;
    while t <= d.t1 {
        let x = px(g.x(t));
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#e5e7eb"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            px(g.top),
            px(g.h - 26.0),
            px(g.h - 10.0),
            crate::fmt_ms(t as u64)
        );
        t += step;
    }
}

/// Each arrow (dashed when held or lost), titled as hovering says, and
/// labelled where there is room.
fn svg_arrows(s: &mut String, g: &Svg, l: Lang) {
    let d = g.d;
    for a in &d.arrows {
        let (x0, y0) = (g.x(a.sent), g.lane_y(a.from) + g.lane_h / 2.0);
        let (xe, ye) = (g.x(a.at), g.lane_y(a.to) + g.lane_h / 2.0);
        let (x1, y1) = (x0 + (xe - x0) * a.reach, y0 + (ye - y0) * a.reach);
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"{}><title>{}</title></line>"#,
            px(x0),
            px(y0),
            px(x1),
            px(y1),
            kind_color(a.kind),
            if a.outcome == Outcome::Handled {
                ""
            } else {
                r#" stroke-dasharray="4 3""#
            },
            esc(&a.describe(&d.lanes, l))
        );
        if x1 - x0 > 40.0 {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" fill="{}" font-size="9">{}</text>"#,
                px((x0 + x1) / 2.0 + 2.0),
                px((y0 + y1) / 2.0 - 2.0),
                kind_color(a.kind),
                a.kind.name()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zablab_core::Scenario;

    fn sim_at(t: u64) -> Simulation {
        let text = include_str!("../../static/scenarios/kill-the-leader.json");
        let mut s = Simulation::new(Scenario::from_json(text).unwrap()).unwrap();
        s.record_history(1 << 16);
        s.run_until(t);
        s
    }

    #[test]
    fn the_window_has_lanes_shaded_and_arrows_inside_it() {
        let s = sim_at(9500);
        let d = build(&s, 9500.0, 1000.0);
        assert_eq!(d.lanes, vec![1, 2, 3]);
        assert!(!d.arrows.is_empty());
        for a in &d.arrows {
            assert!(a.at >= d.t0 && a.sent <= d.t1, "{a:?}");
        }
        // Every lane is covered from t0 to t1 by its segments.
        for l in 0..3 {
            let mut segs: Vec<&Segment> = d.segments.iter().filter(|s| s.lane == l).collect();
            segs.sort_by(|a, b| a.t0.total_cmp(&b.t0));
            assert_eq!(segs.first().unwrap().t0, d.t0);
            assert_eq!(segs.last().unwrap().t1, d.t1);
            assert!(segs.windows(2).all(|w| w[0].t1 == w[1].t0));
        }
        // The leader crashed at 9000: one lane is DOWN after it.
        assert!(d
            .segments
            .iter()
            .any(|s| s.shade == Shade::Down && s.t0 == 9000.0));
        assert!(d.segments.iter().any(|s| s.shade == Shade::Leading));
    }

    #[test]
    fn thousands_of_messages_are_capped_to_the_newest() {
        let s = sim_at(60_000);
        let d = build(&s, 60_000.0, 60_000.0);
        assert!(d.arrows.len() <= MAX_ARROWS);
        let all = s.message_history().iter_from(0).count();
        assert!(all > 100);
    }

    #[test]
    fn the_svg_export_is_one_document_with_every_arrow() {
        let s = sim_at(7000);
        let d = build(&s, 7000.0, 500.0);
        let svg = to_svg(&d, "Kill <the> leader", Lang::En);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Kill &lt;the&gt; leader"));
        assert!(svg.matches("<line").count() >= d.arrows.len());
        assert_eq!(tick_step(1000.0, 8.0), 200.0);
        assert_eq!(tick_step(60_000.0, 8.0), 10_000.0);
    }
}
