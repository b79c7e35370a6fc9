//! The space-time diagram on a canvas: drawn after each render from
//! `spacetime::build` (only the window on screen, arrows batched by colour).
//! A click seeks to the time under the pointer; hovering an arrow names
//! the message; the toolbar zooms and exports the same drawing as SVG.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::{input_value, Shared};
use crate::i18n::{tr, trf, T};
use crate::model::{Msg, WINDOWS_MS};
use crate::spacetime::{self, kind_color, Shade};

const LEFT: f64 = 44.0;
const AXIS: f64 = 18.0;

fn lane_height(n: usize) -> f64 {
    (260.0 / n.max(1) as f64).clamp(6.0, 30.0)
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    css_w: f64,
    d: &spacetime::Diagram,
    server_word: &str,
    omitted_text: &str,
) -> Option<()> {
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
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
    let w = css_w - LEFT - 8.0;
    let x = |t: f64| LEFT + d.x(t, w);
    let y = |lane: usize| AXIS + lh * lane as f64;

    for s in &d.segments {
        ctx.set_fill_style_str(s.shade.color());
        ctx.fill_rect(
            x(s.t0),
            y(s.lane) + 1.0,
            (x(s.t1) - x(s.t0)).max(0.0),
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
        let _ = ctx.fill_text(&label, 4.0, y(i) + lh * 0.7);
    }
    // Time axis.
    let step = spacetime::tick_step(d.t1 - d.t0, 8.0);
    let mut t = (d.t0 / step).ceil() * step;
    ctx.set_stroke_style_str("#e5e7eb");
    ctx.set_line_width(1.0);
    ctx.set_font("10px sans-serif");
    while t <= d.t1 {
        ctx.begin_path();
        ctx.move_to(x(t), AXIS - 4.0);
        ctx.line_to(x(t), css_h);
        ctx.stroke();
        let _ = ctx.fill_text(&crate::fmt_ms(t as u64), x(t) + 2.0, 11.0);
        t += step;
    }
    // Arrows, one path per colour.
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
            let a = &d.arrows[i];
            let (x0, y0) = (x(a.sent), y(a.from) + lh / 2.0);
            let (xe, ye) = (x(a.at), y(a.to) + lh / 2.0);
            let (x1, y1) = (x0 + (xe - x0) * a.reach, y0 + (ye - y0) * a.reach);
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            if a.reach >= 1.0 && dense_heads {
                // Arrow head.
                use crate::math::{atan2, cos, sin};
                let ang = atan2(y1 - y0, x1 - x0);
                ctx.move_to(x1, y1);
                ctx.line_to(x1 - 5.0 * cos(ang - 0.4), y1 - 5.0 * sin(ang - 0.4));
                ctx.move_to(x1, y1);
                ctx.line_to(x1 - 5.0 * cos(ang + 0.4), y1 - 5.0 * sin(ang + 0.4));
            }
        }
        ctx.stroke();
        // Labels where there is room (a canvas parses its font on every
        // set: once per diagram, and only when a label is drawn).
        if d.arrows.len() >= 400 {
            continue;
        }
        for &i in idx {
            let a = &d.arrows[i];
            let (x0, x1) = (x(a.sent), x(a.at));
            if x1 - x0 > 48.0 {
                if !label_font {
                    ctx.set_font("9px sans-serif");
                    label_font = true;
                }
                let ym = (y(a.from) + y(a.to)) / 2.0 + lh / 2.0;
                let _ = ctx.fill_text(a.kind.name(), (x0 + x1) / 2.0 + 2.0, ym - 2.0);
            }
        }
    }
    if d.omitted > 0 {
        ctx.set_fill_style_str("#b91c1c");
        ctx.set_font("11px sans-serif");
        let _ = ctx.fill_text(omitted_text, LEFT + 4.0, css_h - 4.0);
    }
    // Now.
    ctx.set_stroke_style_str("#111827");
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.move_to(x(d.now), AXIS - 6.0);
    ctx.line_to(x(d.now), css_h);
    ctx.stroke();
    Some(())
}

/// The diagram as drawn now (and hovered): while the run plays, at most
/// [`spacetime::PLAYING_ARROWS`] arrows.
fn shown(m: &crate::model::Model) -> spacetime::Diagram {
    let most = if m.playing {
        spacetime::PLAYING_ARROWS
    } else {
        spacetime::MAX_ARROWS
    };
    spacetime::build_capped(m.engine.sim(), m.vt, m.window_ms as f64, most)
}

/// The arrow nearest to (px, py) in CSS pixels, within 6 px.
fn hit(d: &spacetime::Diagram, width: f64, px: f64, py: f64) -> Option<usize> {
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

#[derive(Properties, PartialEq, Clone)]
pub struct DiagramProps {
    pub model: Shared,
    pub rev: u64,
    pub send: Callback<crate::model::Msg>,
    pub export: Callback<()>,
}

#[component]
pub fn Diagram(p: &DiagramProps) -> Html {
    let canvas = use_node_ref();
    let hover = use_state(|| None::<(String, f64, f64)>);
    let m = p.model.get();
    let l = m.lang;
    let (vt, window) = (m.vt, m.window_ms as f64);
    drop(m);

    // The canvas's CSS width, kept by a ResizeObserver: reading
    // `clientWidth` in each frame's draw forced a layout of the page right
    // after Yew's DOM changes (a third of a frame's script while playing).
    let css_width = use_mut_ref(|| 0.0_f64);
    let redraw = use_force_update();
    {
        let canvas = canvas.clone();
        let css_width = css_width.clone();
        use_effect_with((), move |_| {
            let observer = canvas.cast::<web_sys::Element>().and_then(|el| {
                let on_resize =
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let entry: web_sys::ResizeObserverEntry = entries.get(0).unchecked_into();
                        let w = entry.content_rect().width();
                        if (w - *css_width.borrow()).abs() > 0.5 {
                            *css_width.borrow_mut() = w;
                            redraw.force_update();
                        }
                    });
                let observer =
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, _closure)) = observer {
                    observer.disconnect();
                }
            }
        });
    }

    {
        let canvas = canvas.clone();
        let model = p.model.clone();
        // The width is a dependency: a resize redraws a paused diagram.
        let width = *css_width.borrow();
        use_effect_with((p.rev, vt as u64, width.to_bits()), move |_| {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                let w = if width > 0.0 {
                    width
                } else {
                    // Before the observer's first report.
                    c.client_width() as f64
                };
                let m = model.get();
                let d = shown(&m);
                let omitted = trf(
                    m.lang,
                    T::Omitted,
                    &[&d.omitted.to_string(), &d.arrows.len().to_string()],
                );
                draw(&c, w, &d, tr(m.lang, T::Server), &omitted);
            }
        });
    }

    let onclick = {
        let send = p.send.clone();
        let canvas = canvas.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                let w = c.client_width() as f64 - LEFT - 8.0;
                let t1 = vt.max(window);
                let t =
                    t1 - window + (e.offset_x() as f64 - LEFT).clamp(0.0, w) / w.max(1.0) * window;
                send.emit(Msg::Seek(t.max(0.0) as u64));
            }
        })
    };
    let onmousemove = {
        let hover = hover.clone();
        let canvas = canvas.clone();
        let model = p.model.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
                return;
            };
            let m = model.get();
            let d = shown(&m);
            let (px, py) = (e.offset_x() as f64, e.offset_y() as f64);
            match hit(&d, c.client_width() as f64, px, py) {
                Some(i) => hover.set(Some((d.arrows[i].describe(&d.lanes, m.lang), px, py))),
                None if hover.is_some() => hover.set(None),
                None => {}
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let on_window = {
        let send = p.send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse() {
                send.emit(Msg::SetWindow(v));
            }
        })
    };
    let export = {
        let export = p.export.clone();
        Callback::from(move |_| export.emit(()))
    };
    html! {
        <section class="diagram" aria-label={tr(l, T::SpaceTime)}>
            <div class="diagram-bar">
                <h2>{ tr(l, T::SpaceTime) }</h2>
                <label>{ tr(l, T::Window) }
                    <select aria-label={tr(l, T::Window)} onchange={on_window} data-testid="window">
                        { for WINDOWS_MS.iter().map(|w| html! {
                            <option value={w.to_string()} selected={*w as f64 == window}>{ crate::fmt_ms(*w) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" onclick={export} data-testid="export-svg"
                        aria-label={tr(l, T::ExportSvgAria)}>{ tr(l, T::ExportSvg) }</button>
                <ul class="legend" aria-label={tr(l, T::Legend)}>
                    { for Shade::LEGEND.iter().map(|s| html! {
                        <li><span class="swatch" style={format!("background:{}", s.color())} />{ s.name() }</li>
                    }) }
                </ul>
            </div>
            <div class="canvas-wrap">
                <canvas ref={canvas} data-testid="spacetime" role="img"
                        aria-label={trf(l, T::SpaceTimeAria, &[&crate::fmt_ms(window as u64)])}
                        {onclick} {onmousemove} {onmouseleave} />
                if let Some((text, x, y)) = (*hover).clone() {
                    <div class="tip" style={format!("left:{}px;top:{}px", x + 12.0, y + 12.0)} data-testid="diagram-tip">{ text }</div>
                }
            </div>
        </section>
    }
}
