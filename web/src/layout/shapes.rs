//! The shapes of the cluster view's scene, as numbers: positions, type
//! sizes, servers, links, messages, held packets, partition groups and
//! clients. Plain data (with the few measures derived from one shape), so
//! that `captions.rs` and `placer.rs` can read a scene without depending
//! on `layout.rs`, which builds it and calls them; never imports them.

use std::collections::BTreeMap;

use zablab_core::proto::Sid;
use zablab_core::sim::{Deadline, InFlight, MsgKind, Peer};
use zablab_core::ServerView;

use crate::textfit::{self, ASCENT, DESCENT};

/// A point in the drawing, in CSS pixels (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pos {
    pub x: f64,
    pub y: f64,
}

/// Type sizes in CSS pixels (every text at least 12 px, 18 px in
/// presenter mode) and the message dots' radius.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fonts {
    /// A server's sid in its circle.
    pub sid: f64,
    /// The state word in a circle (bold).
    pub state: f64,
    /// Labels.
    pub text: f64,
    /// A label's leading line (the vote, the crown), bold.
    pub strong: f64,
    pub dot: f64,
}

impl Fonts {
    pub const NORMAL: Fonts = Fonts {
        sid: 22.0,
        state: 12.5,
        text: 13.0,
        strong: 14.0,
        dot: 6.0,
    };
    pub const PRESENTER: Fonts = Fonts {
        sid: 28.0,
        state: 18.0,
        text: 18.0,
        strong: 20.0,
        dot: 9.0,
    };
}

/// The words a circle may hold (ZooKeeper's peer states, and DOWN /
/// PAUSED): the circle is sized for the widest.
pub const STATE_WORDS: [&str; 6] = [
    "FOLLOWING",
    "OBSERVING",
    "LOOKING",
    "LEADING",
    "PAUSED",
    "DOWN",
];

/// The word drawn for a server: its peer state, or DOWN / PAUSED.
pub fn state_word(v: &ServerView) -> String {
    if !v.up {
        "DOWN".to_string()
    } else if v.paused {
        "PAUSED".to_string()
    } else {
        v.state.clone()
    }
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
    /// Its sid's font size (smaller on an observers' outer ring).
    pub sid_px: f64,
    /// The state word is drawn inside the circle (else it is a label).
    pub inner_state: bool,
    /// Away from the ring's centre (radians, y down): where its labels
    /// and clients go first.
    pub outward: f64,
    /// The deadline that decides what it does next, and how much of it
    /// has passed (0 to 1).
    pub deadline: Option<(Deadline, f64)>,
}

impl ServerDot {
    /// Baseline of the sid (above the state word, or centred alone).
    pub fn sid_y(&self, f: &Fonts) -> f64 {
        if self.inner_state {
            self.pos.y - textfit::height(f.state) / 2.0 - 1.0 - DESCENT * self.sid_px
        } else {
            self.pos.y + (ASCENT - DESCENT) / 2.0 * self.sid_px
        }
    }

    /// Baseline of the state word in the circle (its box centred).
    pub fn state_y(&self, f: &Fonts) -> f64 {
        self.pos.y + (ASCENT - DESCENT) / 2.0 * f.state
    }
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

/// The packets held at a cut on one link direction, drawn as one dot
/// with a counted badge.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldDot {
    pub from: Peer,
    pub to: Peer,
    pub pos: Pos,
    pub msgs: Vec<InFlight>,
}

impl HeldDot {
    /// How many of each kind, most first (then by kind).
    pub fn counts(&self) -> Vec<(MsgKind, usize)> {
        let mut by: BTreeMap<MsgKind, usize> = BTreeMap::new();
        for m in &self.msgs {
            *by.entry(m.kind).or_default() += 1;
        }
        let mut v: Vec<(MsgKind, usize)> = by.into_iter().collect();
        zablab_core::sorting::sort_by_key(&mut v, |&(k, n)| (std::cmp::Reverse(n), k));
        v
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupBand {
    /// SVG path of the elliptic annular sector.
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
    /// Its box's centre.
    pub pos: Pos,
    pub w: f64,
    pub h: f64,
}

/// Messages drawn one element each at most (with a title to hover and a
/// label); more than this while playing are drawn batched.
pub const MESSAGES_ONE_BY_ONE: usize = 60;

/// Batched dots drawn as SVG paths at most; more are drawn on a canvas.
/// Measured with Chromium's software raster (`--disable-gpu`, 2 cores):
/// ~1,000 dots as paths cost the raster threads ~60 % of a core and
/// about two thirds of the frames were dropped at 51 servers (every
/// raster tile walks every path); ~100 as paths (5 servers) were not a
/// raster problem, and a canvas layer there, which the compositor blends
/// over the whole view each frame, measured no better (bench/README.md,
/// "Frames, fourth round").
pub const MESSAGES_ON_CANVAS: usize = 400;
