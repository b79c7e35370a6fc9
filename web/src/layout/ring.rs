//! The rings the servers sit on: ellipses sized to the frame with room
//! for labels around, the circles' radius from the type size (the sid
//! over the widest state word, or the sid alone when the ring is too
//! tight: "compact", then as large as the ring has room for), the
//! sectors of a partition's groups and the shaded bands behind them.
//! Neighbours keep `HALO_GAP` between their halos (the rings drawn around
//! a circle, `HALO`). Pure geometry (see `layout.rs`).

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use zablab_core::proto::Sid;

use super::{Fonts, Frame, GroupBand, Pos, STATE_WORDS};
use crate::textfit;

/// An ellipse around the frame's centre: semi-axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ellipse {
    pub c: Pos,
    pub ax: f64,
    pub ay: f64,
}

impl Ellipse {
    /// The point at parameter angle `t`.
    fn point(&self, t: f64) -> Pos {
        Pos {
            x: self.c.x + self.ax * crate::math::cos(t),
            y: self.c.y + self.ay * crate::math::sin(t),
        }
    }

    /// Where to find points evenly spaced along the curve.
    pub fn walk(&self) -> Walk {
        const N: usize = 96;
        let mut len = Vec::with_capacity(N + 1);
        len.push(0.0);
        let mut prev = self.point(0.0);
        for k in 1..=N {
            let p = self.point(TAU * k as f64 / N as f64);
            len.push(len[k - 1] + (p.x - prev.x).hypot(p.y - prev.y));
            prev = p;
        }
        Walk { e: *self, len }
    }

    /// The perimeter (Ramanujan's approximation).
    fn perimeter(&self) -> f64 {
        let (a, b) = (self.ax, self.ay);
        PI * (3.0 * (a + b) - ((3.0 * a + b) * (a + 3.0 * b)).sqrt())
    }

    fn grown(&self, d: f64) -> Ellipse {
        Ellipse {
            ax: (self.ax + d).max(1.0),
            ay: (self.ay + d).max(1.0),
            ..*self
        }
    }
}

/// An ellipse walked by arc length: `at(u)` is the point `u / 2π` of the
/// way round from its right end (clockwise, y down), so that servers
/// spread evenly even on a flat ellipse.
#[derive(Debug, Clone)]
pub(super) struct Walk {
    e: Ellipse,
    /// Arc length from parameter 0 to parameter 2πk/N.
    len: Vec<f64>,
}

impl Walk {
    pub fn at(&self, u: f64) -> Pos {
        let n = self.len.len() - 1;
        let total = self.len[n];
        let want = u.rem_euclid(TAU) / TAU * total;
        let k = self.len.partition_point(|&l| l < want).clamp(1, n);
        let (l0, l1) = (self.len[k - 1], self.len[k]);
        let frac = if l1 > l0 {
            (want - l0) / (l1 - l0)
        } else {
            0.0
        };
        self.e.point(TAU * (k as f64 - 1.0 + frac) / n as f64)
    }
}

/// One ring of servers: where they sit and how big they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ring {
    pub e: Ellipse,
    pub r: f64,
    pub sid_px: f64,
    pub inner_state: bool,
}

/// The inner ring (voters, or everyone up to 12 servers) and the
/// observers' outer ring, if any.
pub(super) type Rings = (Ring, Option<Ring>);

fn band_path(inner: Ellipse, outer: Ellipse, a0: f64, a1: f64) -> String {
    let large = if a1 - a0 > PI { 1 } else { 0 };
    let (wo, wi) = (outer.walk(), inner.walk());
    let (o0, o1, i1, i0) = (wo.at(a0), wo.at(a1), wi.at(a1), wi.at(a0));
    let d = |v: f64| crate::dec(v, 1);
    format!(
        "M{} {}A{} {} 0 {large} 1 {} {}L{} {}A{} {} 0 {large} 0 {} {}Z",
        d(o0.x),
        d(o0.y),
        d(outer.ax),
        d(outer.ay),
        d(o1.x),
        d(o1.y),
        d(i1.x),
        d(i1.y),
        d(inner.ax),
        d(inner.ay),
        d(i0.x),
        d(i0.y)
    )
}

/// The radius of a circle holding a sid of `digits` digits at `sid_px`
/// above the widest state word at `f.state` (`with_state`), or the sid
/// alone; a little room to spare.
fn circle_radius(f: &Fonts, sid_px: f64, digits: usize, with_state: bool) -> f64 {
    let sid_w = textfit::width(&"8".repeat(digits.max(1)), sid_px, true);
    let sid_h = textfit::height(sid_px);
    if with_state {
        let state_w = STATE_WORDS
            .iter()
            .map(|w| textfit::width(w, f.state, true))
            .fold(0.0, f64::max);
        let half = textfit::height(f.state) / 2.0;
        let state = (state_w / 2.0).hypot(half);
        let sid = (sid_w / 2.0).hypot(half + 1.0 + sid_h);
        state.max(sid) + 2.5
    } else {
        (sid_w / 2.0).hypot(sid_h / 2.0) + 3.0
    }
}

/// How far beyond a circle its rings reach (the leader's crown ring, r + 9
/// and 5 px wide; the deadline ring, r + 5 and 4 px wide): its halo.
pub(super) const HALO: f64 = 12.0;
/// The least gap between two neighbours' halos.
pub(super) const HALO_GAP: f64 = 6.0;
/// How much a compact circle's sid may grow with its circle.
const SID_GROWTH: f64 = 1.6;

/// Whether `m` circles of radius `r` spread evenly on `e` (as one group
/// places them, the first at the top) keep their halos apart.
fn room_for(e: Ellipse, m: usize, r: f64) -> bool {
    least_distance(e, m) >= 2.0 * (r + HALO) + HALO_GAP
}

/// The least distance between neighbours of `m` servers spread evenly
/// along `e` by arc length, the first at the top (as `sectors` and
/// `place_servers` put one group).
fn least_distance(e: Ellipse, m: usize) -> f64 {
    if m < 2 {
        return f64::INFINITY;
    }
    let walk = e.walk();
    let step = TAU / m as f64;
    let a0 = -FRAC_PI_2 - PI / m as f64;
    let at = |k: usize| walk.at(a0 + (k as f64 + 0.5) * step);
    (0..m)
        .map(|k| {
            let (p, q) = (at(k), at((k + 1) % m));
            (p.x - q.x).hypot(p.y - q.y)
        })
        .fold(f64::INFINITY, f64::min)
}

/// The largest radius in `[lo, hi]` for which `m` circles on the ring of
/// `frame` (with `side` label ems beside it) keep their halos apart (the
/// ring shrinks as circles grow); None when even `lo` is too big.
fn largest_fit(frame: &Frame, side: f64, m: usize, lo: f64, hi: f64) -> Option<f64> {
    let fits = |r: f64| room_for(ellipse_for(frame, r, side, COMPACT_LINES), m, r);
    if !fits(lo) {
        return None;
    }
    if fits(hi) {
        return Some(hi);
    }
    let (mut a, mut b) = (lo, hi);
    while b - a > 0.5 {
        let mid = (a + b) / 2.0;
        if fits(mid) {
            a = mid;
        } else {
            b = mid;
        }
    }
    Some(a)
}

/// About the least distance between two of `m` servers spread evenly
/// along the ellipse: the chord of an arc of `perimeter / m`.
fn spacing(e: Ellipse, m: usize) -> f64 {
    if m < 2 {
        return f64::INFINITY;
    }
    let r = e.perimeter() / TAU;
    2.0 * r * crate::math::sin(PI / m as f64) * 0.97
}

/// The room left beside the ring for labels, in label ems: a 10-em-wide
/// block at the sides, less when circles at least `LEAST_EMS` label ems
/// wide would not fit (many servers in a small frame: the placer then
/// puts labels inside the ring too, or drops their last lines).
const SIDES: [f64; 2] = [10.0, 8.0];
/// A compact circle's least radius, in label ems, when the ring has room
/// for it: a server is not smaller than the labels beside it.
const LEAST_EMS: f64 = 2.0;

/// The lines of labels above and below the ring: a compact circle's block
/// has one more (its state word).
const ROOMY_LINES: f64 = 2.6;
const COMPACT_LINES: f64 = 3.6;

/// An ellipse for a ring of circles of radius `r`, leaving room around
/// for labels (a `side`-em-wide block at the sides, `lines` lines above
/// and below), not flatter than 1.6:1.
fn ellipse_for(frame: &Frame, r: f64, side: f64, lines: f64) -> Ellipse {
    let f = frame.fonts();
    let reserve_x = r + side * f.text;
    let reserve_y = r + lines * textfit::LINE * f.text;
    let ay = (frame.h / 2.0 - reserve_y).max(r + 8.0);
    let ax = (frame.w / 2.0 - reserve_x).max(r + 8.0).min(ay * 1.6);
    Ellipse {
        c: frame.centre(),
        ax,
        ay: ay.min(ax * 1.3),
    }
}

/// The rings for `voters` and `observers` in `frame`: circles with the
/// state word inside when the ring has room for them, else compact ones.
pub(super) fn rings(frame: &Frame, voters: usize, observers: usize, digits: usize) -> Rings {
    let f = frame.fonts();
    let n = voters + observers;
    let roomy = circle_radius(&f, f.sid, digits, true);
    let compact = circle_radius(&f, f.sid, digits, false);
    let ring = |e: Ellipse, r: f64, inner_state: bool| Ring {
        e,
        r,
        sid_px: f.sid,
        inner_state,
    };
    if n <= 12 {
        // Roomy, the labels' room at the sides a little narrowed if need
        // be (the state word in the circle reads better than beside it).
        for side in [SIDES[0], SIDES[0] - 1.0] {
            let e = ellipse_for(frame, roomy, side, ROOMY_LINES);
            if room_for(e, n, roomy) {
                return (ring(e, roomy, true), None);
            }
        }
        // Compact: as large as the ring has room for (up to the roomy
        // size), its sid grown with it, the labels' room at the sides
        // narrowed if the circles would be smaller than `LEAST_EMS`; the
        // old compact size when even that does not fit (a narrow window).
        let least = LEAST_EMS * f.text;
        let mut pick = None;
        for side in SIDES {
            if let Some(r) = largest_fit(frame, side, n, compact, roomy - 0.5) {
                pick = Some((r, side));
                if r >= least {
                    break;
                }
            }
        }
        let (r, side) = pick.unwrap_or((compact, SIDES[0]));
        return (
            Ring {
                sid_px: f.sid * (r / compact).clamp(1.0, SID_GROWTH),
                ..ring(ellipse_for(frame, r, side, COMPACT_LINES), r, false)
            },
            None,
        );
    }
    // Observers on an outer ring as wide as the frame, small, with their
    // sid at label size and no labels; the voters on a ring inside it.
    let small = circle_radius(&f, f.text, digits, false);
    let oe = Ellipse {
        ax: (frame.w / 2.0 - small - 6.0).max(small + 8.0),
        ay: (frame.h / 2.0 - small - 6.0).max(small + 8.0),
        c: frame.centre(),
    };
    // Too many for the frame (a narrow window): smaller circles and sids
    // rather than circles over each other.
    let fits = (spacing(oe, observers) / 2.0 - 1.0).max(4.0);
    let outer = Ring {
        e: oe,
        r: small.min(fits),
        sid_px: f.text * (fits / small).min(1.0),
        inner_state: false,
    };
    let inner_room = |r: f64| Ellipse {
        ax: (oe.ax - small - r - 2.0 * f.text - 20.0).max(r),
        ay: (oe.ay - small - r - 2.0 * f.text - 20.0).max(r),
        ..oe
    };
    let inner = if spacing(inner_room(roomy), voters) >= 2.0 * roomy + 14.0 {
        ring(inner_room(roomy), roomy, true)
    } else {
        ring(inner_room(compact), compact, false)
    };
    (inner, Some(outer))
}

/// Sectors (start and end angle): one per group, sized by membership,
/// with gaps between, the first group centred at the top.
pub(super) fn sectors(groups: &[Vec<Sid>], servers: usize) -> Vec<(f64, f64)> {
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

/// A shaded band behind each group's sector, labelled A, B, … (none
/// without a partition).
pub(super) fn bands(
    groups: &[Vec<Sid>],
    sectors: &[(f64, f64)],
    (inner, outer): Rings,
) -> Vec<GroupBand> {
    let mut bands = Vec::new();
    if groups.len() > 1 {
        let out = outer.unwrap_or(inner);
        let r_out = out.e.grown(out.r + 14.0);
        let r_in = inner.e.grown(-(inner.r + 14.0));
        for (gi, (a0, a1)) in sectors.iter().enumerate() {
            let label = ((b'A' + (gi % 26) as u8) as char).to_string();
            bands.push(GroupBand {
                path: band_path(r_in, r_out, a0 - 0.12, a1 + 0.12),
                label,
                // At the sector's start, clear of the servers in its middle.
                label_pos: r_out.grown(-10.0).walk().at(a0 - 0.02),
            });
        }
    }
    bands
}
