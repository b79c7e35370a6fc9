//! Places labels so that none covers another, a shape it must keep clear
//! of, or the edge of the drawing: each label offers candidate boxes in
//! the order its owner prefers, and takes the first free one; what it
//! takes is taken for the labels after it. Owners ask in priority order
//! (a label that matters more asks first), and a label with no free
//! candidate is not drawn (its owner may ask again with less text).
//!
//! Pure geometry in the drawing's units, with no idea what a label says:
//! `captions.rs` decides the texts, their order and their candidates. A
//! greedy first-fit is enough here: a few dozen labels, a handful of
//! candidates each, and a result that changes little from one frame to
//! the next (a label keeps its first free choice).

use crate::layout::shapes::Pos;

/// An axis-aligned box: top-left corner, width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether the two boxes share more than a hair (touching is fine).
    pub fn overlaps(&self, o: &Rect) -> bool {
        const HAIR: f64 = 0.01;
        self.x + HAIR < o.x + o.w
            && o.x + HAIR < self.x + self.w
            && self.y + HAIR < o.y + o.h
            && o.y + HAIR < self.y + self.h
    }

    /// Whether `self` lies wholly inside `o`.
    pub fn inside(&self, o: &Rect) -> bool {
        self.x >= o.x
            && self.y >= o.y
            && self.x + self.w <= o.x + o.w
            && self.y + self.h <= o.y + o.h
    }

    /// The box grown by `m` on every side.
    pub fn grow(&self, m: f64) -> Rect {
        Rect {
            x: self.x - m,
            y: self.y - m,
            w: self.w + 2.0 * m,
            h: self.h + 2.0 * m,
        }
    }

    pub fn centre(&self) -> Pos {
        Pos {
            x: self.x + self.w / 2.0,
            y: self.y + self.h / 2.0,
        }
    }
}

/// Something a label must not cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Rect(Rect),
    Circle { c: Pos, r: f64 },
}

impl Shape {
    fn hits(&self, b: &Rect) -> bool {
        match self {
            Shape::Rect(r) => r.overlaps(b),
            Shape::Circle { c, r } => {
                // The nearest point of the box to the centre.
                let dx = (b.x - c.x).max(0.0).max(c.x - (b.x + b.w));
                let dy = (b.y - c.y).max(0.0).max(c.y - (b.y + b.h));
                dx * dx + dy * dy < r * r
            }
        }
    }
}

/// The labels placed so far and the shapes to keep clear of.
#[derive(Debug, Clone)]
pub struct Placer {
    bounds: Rect,
    taken: Vec<Shape>,
}

impl Placer {
    /// Labels must lie inside `bounds`.
    pub fn new(bounds: Rect) -> Placer {
        Placer {
            bounds,
            taken: Vec::new(),
        }
    }

    /// Keeps every later label clear of `s`.
    pub fn block(&mut self, s: Shape) {
        self.taken.push(s);
    }

    /// Whether `b` is inside the bounds and clear of everything taken.
    pub fn free(&self, b: &Rect) -> bool {
        b.inside(&self.bounds) && !self.taken.iter().any(|s| s.hits(b))
    }

    /// Takes the first free candidate, if any.
    pub fn place(&mut self, candidates: impl IntoIterator<Item = Rect>) -> Option<Rect> {
        let b = candidates.into_iter().find(|b| self.free(b))?;
        self.taken.push(Shape::Rect(b));
        Some(b)
    }
}

/// Boxes of `w`×`h` just outside a circle (centre `c`, radius `r`, a gap
/// `gap` between), at 16 angles, the nearest to `prefer` (radians, y
/// down: 0 is right, π/2 below) first. At each angle the box touches the
/// circle's tangent there with the point of the box nearest the centre.
pub fn around_circle(c: Pos, r: f64, w: f64, h: f64, gap: f64, prefer: f64) -> Vec<Rect> {
    let mut angles: Vec<f64> = (0..16)
        .map(|k| prefer + std::f64::consts::TAU * k as f64 / 16.0)
        .collect();
    // Nearest to the preferred angle first: 0, +1, -1, +2, -2, …
    zablab_core::sorting::sort_by(&mut angles, &|a, b| {
        let d = |x: f64| {
            let t = (x - prefer).rem_euclid(std::f64::consts::TAU);
            t.min(std::f64::consts::TAU - t)
        };
        d(*a).total_cmp(&d(*b))
    });
    angles
        .into_iter()
        .map(|a| {
            let (ux, uy) = (crate::math::cos(a), crate::math::sin(a));
            // The box's anchor: the middle of its side (or corner) facing
            // the centre, pushed out until the box clears the circle.
            let dist = r + gap + box_reach(w, h, ux, uy);
            let (cx, cy) = (c.x + ux * dist, c.y + uy * dist);
            Rect {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                w,
                h,
            }
        })
        .collect()
}

/// How far the centre of a `w`×`h` box must sit from a point, along the
/// unit direction (ux, uy), for the box to start at that point: the box's
/// support in the opposite direction.
fn box_reach(w: f64, h: f64, ux: f64, uy: f64) -> f64 {
    // The box's extent along (ux, uy) from its centre.
    (w / 2.0) * ux.abs() + (h / 2.0) * uy.abs()
}

/// Boxes of `w`×`h` next to a point (a message dot of radius `r`): right,
/// left, above, below and the four corners.
pub fn around_point(p: Pos, r: f64, w: f64, h: f64) -> [Rect; 8] {
    let g = r + 2.0;
    let rect = |x: f64, y: f64| Rect { x, y, w, h };
    [
        rect(p.x + g, p.y - h / 2.0),
        rect(p.x - g - w, p.y - h / 2.0),
        rect(p.x - w / 2.0, p.y - g - h),
        rect(p.x - w / 2.0, p.y + g),
        rect(p.x + g * 0.7, p.y - g * 0.7 - h),
        rect(p.x - g * 0.7 - w, p.y - g * 0.7 - h),
        rect(p.x + g * 0.7, p.y + g * 0.7),
        rect(p.x - g * 0.7 - w, p.y + g * 0.7),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: Rect = Rect {
        x: 0.0,
        y: 0.0,
        w: 400.0,
        h: 300.0,
    };

    #[test]
    fn labels_take_the_first_free_candidate_and_never_overlap() {
        let mut p = Placer::new(VIEW);
        let c = Pos { x: 200.0, y: 150.0 };
        p.block(Shape::Circle { c, r: 40.0 });
        let mut placed = Vec::new();
        for _ in 0..12 {
            if let Some(b) = p.place(around_circle(c, 40.0, 60.0, 20.0, 4.0, 0.0)) {
                placed.push(b);
            }
        }
        assert!(placed.len() >= 8, "{}", placed.len());
        // The first takes the preferred side: right of the circle.
        assert!(placed[0].x >= 244.0 - 1e-9 && (placed[0].centre().y - 150.0).abs() < 1e-9);
        for (i, a) in placed.iter().enumerate() {
            assert!(a.inside(&VIEW));
            assert!(
                !Shape::Circle { c, r: 40.0 }.hits(a),
                "{a:?} covers the circle"
            );
            for b in &placed[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn a_label_with_no_room_is_not_placed_and_takes_nothing() {
        let mut p = Placer::new(VIEW);
        p.block(Shape::Rect(VIEW));
        assert_eq!(
            p.place(around_point(Pos { x: 50.0, y: 50.0 }, 6.0, 30.0, 12.0)),
            None
        );
        let mut q = Placer::new(VIEW);
        // Outside the bounds: refused.
        assert_eq!(
            q.place([Rect {
                x: 390.0,
                y: 10.0,
                w: 30.0,
                h: 10.0
            }]),
            None
        );
        assert!(q.free(&Rect {
            x: 370.0,
            y: 10.0,
            w: 30.0,
            h: 10.0
        }));
    }

    #[test]
    fn candidates_around_a_circle_clear_it_and_start_where_preferred() {
        let c = Pos { x: 100.0, y: 100.0 };
        for prefer in [0.0, 1.0, 2.5, -1.2] {
            let cands = around_circle(c, 30.0, 50.0, 24.0, 3.0, prefer);
            assert_eq!(cands.len(), 16);
            for b in &cands {
                assert!(!Shape::Circle { c, r: 33.0 - 1e-6 }.hits(b), "{b:?}");
            }
            let first = cands[0].centre();
            let a = (first.y - c.y).atan2(first.x - c.x);
            let d = (a - prefer).rem_euclid(std::f64::consts::TAU);
            assert!(d.min(std::f64::consts::TAU - d) < 1e-9, "{prefer}: {a}");
        }
    }

    #[test]
    fn circles_block_only_what_they_touch() {
        let s = Shape::Circle {
            c: Pos { x: 0.0, y: 0.0 },
            r: 10.0,
        };
        let near = |x, y| Rect {
            x,
            y,
            w: 4.0,
            h: 4.0,
        };
        assert!(s.hits(&near(-2.0, -2.0)));
        assert!(s.hits(&near(9.0, -2.0)));
        // The box's corner at (7.2, 7.2) is 10.2 away.
        assert!(!s.hits(&near(7.2, 7.2)));
        assert!(!s.hits(&near(10.0, 0.0)));
    }
}
