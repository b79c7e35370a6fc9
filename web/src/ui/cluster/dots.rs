//! The messages in flight drawn on a canvas layer of the cluster view,
//! while playing with very many (over `layout::MESSAGES_ON_CANVAS`, in
//! `layout::dot_batches`): one dot drawn once per look (colour, held or
//! not, rim) and copied to each message's place, the held ones faded with
//! a dashed red rim, as the SVG paths draw them.
//!
//! The canvas sits in the SVG, in a `foreignObject` between the links and
//! the servers (so the z-order is the SVG's), at the viewBox's size; its
//! own pixels are the device's. Yew would make a `canvas` written inside
//! the SVG an SVG element, so `canvas_in` makes it here, in the HTML
//! namespace, the first time there are dots to draw. Only `Cluster` calls
//! this file; it reads no model.
//!
//! Why a canvas: at 51 servers the ~1,000 dots as SVG paths cost Chromium's
//! software raster ~60 % of a core (each raster tile walks every path)
//! and about two thirds of the frames were dropped; building their `d`
//! strings was a good part of the frame's script (bench/README.md,
//! "Frames, fourth round").

use std::f64::consts::TAU;

use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d as Ctx;

use crate::layout::DotBatch;

/// As the stylesheet draws a lone dot (`.msg circle`): a 1.5 px rim, white
/// (black in presenter mode); held packets faded, their rim dashed red.
const RIM_WIDTH: f64 = 1.5;
const HELD_ALPHA: f64 = 0.45;
const HELD_RIM: &str = "#b91c1c";

/// The rim of a dot that is not held: white, or black in presenter mode.
pub fn rim(presenter: bool) -> &'static str {
    if presenter {
        "#000"
    } else {
        "#fff"
    }
}

/// The HTML canvas inside `host` (the view's `foreignObject`), made on
/// first use: only when there are dots to draw (a view that never has so
/// many never has the layer).
fn canvas_in(host: &web_sys::Element, make: bool) -> Option<web_sys::HtmlCanvasElement> {
    if let Some(c) = host.first_element_child() {
        return c.dyn_into().ok();
    }
    if !make {
        return None;
    }
    let c = new_canvas()?;
    c.set_class_name("cluster-dots");
    host.append_child(&c).ok()?;
    Some(c)
}

/// A new HTML canvas, in no document yet.
fn new_canvas() -> Option<web_sys::HtmlCanvasElement> {
    web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()
}

/// One dot drawn once per look (colour, held, rim, radius, pixel ratio)
/// on a small canvas of its own, then copied to each dot's place: a
/// thousand small copies cost Chromium's software canvas far less than
/// filling and stroking a path of a thousand circles (measured: 16 ms of
/// paint per frame at 51 servers as a path).
#[derive(Default)]
pub struct Sprites {
    made: Vec<(SpriteKey, web_sys::HtmlCanvasElement)>,
}

#[derive(Clone, Copy, PartialEq)]
struct SpriteKey {
    color: &'static str,
    held: bool,
    rim: &'static str,
    r: f64,
    dpr: f64,
}

impl SpriteKey {
    /// The sprite's side, CSS pixels: the dot, its rim and a pixel to spare.
    fn side(&self) -> f64 {
        2.0 * self.r + RIM_WIDTH + 2.0
    }
}

impl Sprites {
    fn get(&mut self, key: SpriteKey) -> Option<&web_sys::HtmlCanvasElement> {
        let at = match self.made.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.made.push((key, sprite(key)?));
                self.made.len() - 1
            }
        };
        Some(&self.made[at].1)
    }
}

/// Draws one dot centred on a canvas `key.side()` CSS pixels square.
fn sprite(key: SpriteKey) -> Option<web_sys::HtmlCanvasElement> {
    let c = new_canvas()?;
    let px = (key.side() * key.dpr).ceil() as u32;
    c.set_width(px);
    c.set_height(px);
    let ctx: Ctx = c.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(key.dpr, 0.0, 0.0, key.dpr, 0.0, 0.0)
        .ok()?;
    let mid = key.side() / 2.0;
    ctx.begin_path();
    ctx.arc(mid, mid, key.r, 0.0, TAU).ok()?;
    ctx.set_global_alpha(if key.held { HELD_ALPHA } else { 1.0 });
    ctx.set_fill_style_str(key.color);
    ctx.fill();
    ctx.set_global_alpha(1.0);
    ctx.set_line_width(RIM_WIDTH);
    if key.held {
        ctx.set_stroke_style_str(HELD_RIM);
        let dash = js_sys::Array::of2(&2.0.into(), &2.0.into());
        ctx.set_line_dash(&dash).ok()?;
    } else {
        ctx.set_stroke_style_str(key.rim);
    }
    ctx.stroke();
    Some(c)
}

/// Draws `batches` (dots of radius `r`, rims of colour `rim`) on the canvas
/// in `host`, `w` × `h` CSS pixels, and records how many in its
/// `data-dots` (what the benchmark counts). An empty list clears it; a clear canvas is left
/// alone.
pub fn draw(
    host: &web_sys::Element,
    sprites: &mut Sprites,
    (w, h): (f64, f64),
    (r, rim): (f64, &'static str),
    batches: &[DotBatch],
) -> Option<()> {
    let count: usize = batches.iter().map(|b| b.centres.len()).sum();
    let canvas = canvas_in(host, count > 0)?;
    let shown = canvas.get_attribute("data-dots");
    if count == 0 && shown.as_deref().is_none_or(|s| s == "0") {
        return Some(());
    }
    let ctx: Ctx = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    // Device pixels: each copy lands on whole pixels, unscaled and sharp.
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
    ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    for b in batches {
        let key = SpriteKey {
            color: b.color,
            held: b.held,
            rim,
            r,
            dpr,
        };
        let half = key.side() * dpr / 2.0;
        let Some(img) = sprites.get(key) else {
            continue;
        };
        for c in &b.centres {
            let (x, y) = ((c.x * dpr - half).round(), (c.y * dpr - half).round());
            let _ = ctx.draw_image_with_html_canvas_element(img, x, y);
        }
    }
    canvas.set_attribute("data-dots", &count.to_string()).ok()
}
