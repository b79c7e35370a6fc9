//! Drawing the space-time diagram on a canvas, and finding the arrow
//! under the pointer: the same [`spacetime::Diagram`] the SVG export
//! draws, laid out in CSS pixels (lanes, time axis, arrows batched by
//! colour, the moment shown). Only the `diagram` component calls it; it
//! reads no model.

use std::collections::BTreeMap;

use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d as Ctx;

use crate::spacetime::{self, kind_color};

/// Left margin (lane labels) and top margin (time axis), CSS px.
pub const LEFT: f64 = 44.0;
const AXIS: f64 = 18.0;

fn lane_height(n: usize) -> f64 {
    (260.0 / n.max(1) as f64).clamp(6.0, 30.0)
}

/// The diagram's geometry on a canvas `css_w` wide.
struct Frame<'a> {
    d: &'a spacetime::Diagram,
    lh: f64,
    css_h: f64,
    /// The drawing's width right of the lane labels.
    w: f64,
}

impl Frame<'_> {
    fn x(&self, t: f64) -> f64 {
        LEFT + self.d.x(t, self.w)
    }

    fn y(&self, lane: usize) -> f64 {
        AXIS + self.lh * lane as f64
    }
}

/// Draws `d` on `canvas` (`css_w` CSS pixels wide), sized for the
/// device's pixel ratio. `server_word` labels the lanes; `omitted_text`
/// says how many arrows were left out.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    css_w: f64,
    d: &spacetime::Diagram,
    server_word: &str,
    omitted_text: &str,
) -> Option<()> {
    let ctx: Ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = css_w.max(100.0);
    let lh = lane_height(d.lanes.len());
    let css_h = AXIS + lh * d.lanes.len() as f64 + 4.0;
    let (pw, ph) = ((css_w * dpr) as u32, (css_h * dpr) as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
        canvas
            .style()
            .set_property("height", &format!("{css_h}px"))
            .ok()?;
    }
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
    ctx.clear_rect(0.0, 0.0, css_w, css_h);
    let fr = Frame {
        d,
        lh,
        css_h,
        w: css_w - LEFT - 8.0,
    };
    lanes(&ctx, &fr, server_word);
    axis(&ctx, &fr);
    arrows(&ctx, &fr);
    if d.omitted > 0 {
        ctx.set_fill_style_str("#b91c1c");
        ctx.set_font("11px sans-serif");
        let _ = ctx.fill_text(omitted_text, LEFT + 4.0, css_h - 4.0);
    }
    // Now.
    ctx.set_stroke_style_str("#111827");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(fr.x(d.now), AXIS - 6.0);
    ctx.line_to(fr.x(d.now), css_h);
    ctx.stroke();
    Some(())
}

/// The lanes shaded by state, and their labels.
fn lanes(ctx: &Ctx, fr: &Frame, server_word: &str) {
    let (d, lh) = (fr.d, fr.lh);
    for s in &d.segments {
        ctx.set_fill_style_str(s.shade.color());
        ctx.fill_rect(
            fr.x(s.t0),
            fr.y(s.lane) + 1.0,
            (fr.x(s.t1) - fr.x(s.t0)).max(0.0),
            lh - 2.0,
        );
    }
    ctx.set_fill_style_str("#111827");
    ctx.set_font(&format!("{}px sans-serif", (lh * 0.6).clamp(8.0, 12.0)));
    for (i, sid) in d.lanes.iter().enumerate() {
        let label = if lh >= 14.0 {
            format!("{server_word} {sid}")
        } else {
            sid.to_string()
        };
        let _ = ctx.fill_text(&label, 4.0, fr.y(i) + lh * 0.7);
    }
}

/// The time axis: a tick line and label every nice step.
fn axis(ctx: &Ctx, fr: &Frame) {
    let d = fr.d;
    let step = spacetime::tick_step(d.t1 - d.t0, 8.0);
    let mut t = (d.t0 / step).ceil() * step;
    ctx.set_stroke_style_str("#e5e7eb");
    ctx.set_line_width(1.0);
    ctx.set_font("10px sans-serif");
    while t <= d.t1 {
        ctx.begin_path();
        ctx.move_to(fr.x(t), AXIS - 4.0);
        ctx.line_to(fr.x(t), fr.css_h);
        ctx.stroke();
        let _ = ctx.fill_text(&crate::fmt_ms(t as u64), fr.x(t) + 2.0, 11.0);
        t += step;
    }
}

/// The arrows, one path per colour; heads and labels while they can be
/// told apart.
fn arrows(ctx: &Ctx, fr: &Frame) {
    let d = fr.d;
    let mut by_color: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (i, a) in d.arrows.iter().enumerate() {
        by_color.entry(kind_color(a.kind)).or_default().push(i);
    }
    ctx.set_line_width(1.3);
    // Arrow heads only while they can be told apart.
    let dense_heads = d.arrows.len() <= 400;
    let mut label_font = false;
    for (color, idx) in &by_color {
        ctx.set_stroke_style_str(color);
        ctx.set_fill_style_str(color);
        ctx.begin_path();
        for &i in idx {
            arrow_path(ctx, fr, &d.arrows[i], dense_heads);
        }
        ctx.stroke();
        // Labels where there is room (a canvas parses its font on every
        // set: once per diagram, and only when a label is drawn).
        if d.arrows.len() >= 400 {
            continue;
        }
        for &i in idx {
            let a = &d.arrows[i];
            let (x0, x1) = (fr.x(a.sent), fr.x(a.at));
            if x1 - x0 > 48.0 {
                if !label_font {
                    ctx.set_font("9px sans-serif");
                    label_font = true;
                }
                let ym = (fr.y(a.from) + fr.y(a.to)) / 2.0 + fr.lh / 2.0;
                let _ = ctx.fill_text(a.kind.name(), (x0 + x1) / 2.0 + 2.0, ym - 2.0);
            }
        }
    }
}

/// One arrow's line (as far as it reached) and, if it arrived, its head.
fn arrow_path(ctx: &Ctx, fr: &Frame, a: &spacetime::Arrow, head: bool) {
    let lh = fr.lh;
    let (x0, y0) = (fr.x(a.sent), fr.y(a.from) + lh / 2.0);
    let (xe, ye) = (fr.x(a.at), fr.y(a.to) + lh / 2.0);
    let (x1, y1) = (x0 + (xe - x0) * a.reach, y0 + (ye - y0) * a.reach);
    ctx.move_to(x0, y0);
    ctx.line_to(x1, y1);
    if a.reach >= 1.0 && head {
        use crate::math::{atan2, cos, sin};
        let ang = atan2(y1 - y0, x1 - x0);
        ctx.move_to(x1, y1);
        ctx.line_to(x1 - 5.0 * cos(ang - 0.4), y1 - 5.0 * sin(ang - 0.4));
        ctx.move_to(x1, y1);
        ctx.line_to(x1 - 5.0 * cos(ang + 0.4), y1 - 5.0 * sin(ang + 0.4));
    }
}

/// The arrow nearest to (px, py) in CSS pixels, within 6 px.
pub fn hit(d: &spacetime::Diagram, width: f64, px: f64, py: f64) -> Option<usize> {
    let lh = lane_height(d.lanes.len());
    let w = width - LEFT - 8.0;
    let mut best = None;
    let mut best_d = 6.0;
    for (i, a) in d.arrows.iter().enumerate() {
        let (x0, y0) = (LEFT + d.x(a.sent, w), AXIS + lh * a.from as f64 + lh / 2.0);
        let (xe, ye) = (LEFT + d.x(a.at, w), AXIS + lh * a.to as f64 + lh / 2.0);
        let (x1, y1) = (x0 + (xe - x0) * a.reach, y0 + (ye - y0) * a.reach);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len2 = (dx * dx + dy * dy).max(1e-9);
        let t = (((px - x0) * dx + (py - y0) * dy) / len2).clamp(0.0, 1.0);
        let dist = ((px - x0 - t * dx).powi(2) + (py - y0 - t * dy).powi(2)).sqrt();
        if dist < best_d {
            best_d = dist;
            best = Some(i);
        }
    }
    best
}
