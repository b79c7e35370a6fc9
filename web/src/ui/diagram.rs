//! The space-time diagram on a canvas: drawn after each render from
//! `spacetime::build` (only the window on screen, arrows batched by colour;
//! the drawing is `canvas.rs`). A click seeks to the time under the
//! pointer; hovering an arrow names the message; the toolbar picks the
//! window and exports the same drawing as SVG. It sends `TransportMsg::Seek`
//! and `ViewMsg::SetWindow`. An imported run is drawn the same way, from
//! `imported::diagram` (lanes banded by the ZabState its lines give,
//! arrows where a leader's sync send and its learner's receipt pair up).

use yew::prelude::*;

use super::canvas::{self, LEFT};
use super::observed;
use super::widgets::input_value;
use super::Shared;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, TransportMsg, ViewMsg, WINDOWS_MS};
use crate::spacetime::{self, Shade};

/// The diagram as drawn now (and hovered): while the run plays, at most
/// [`spacetime::PLAYING_ARROWS`] arrows.
fn shown(m: &Model) -> spacetime::Diagram {
    if let Some(run) = m.imported.as_ref().filter(|_| m.showing_import) {
        // An imported run: the same drawing from its lines.
        return crate::imported::diagram(run, m.import_vt, m.window_ms as f64);
    }
    let most = if m.playing {
        spacetime::PLAYING_ARROWS
    } else {
        spacetime::MAX_ARROWS
    };
    spacetime::build_capped(m.engine.sim(), m.vt, m.window_ms as f64, most)
}

#[derive(Properties, PartialEq, Clone)]
pub struct DiagramProps {
    pub model: Shared,
    pub rev: u64,
    pub send: Callback<Msg>,
    pub export: Callback<()>,
}

/// What hovering shows: the arrow's words, at the pointer.
type Hover = Option<(String, f64, f64)>;

#[component]
pub fn Diagram(p: &DiagramProps) -> Html {
    let canvas = use_node_ref();
    let hover = use_state(|| None::<(String, f64, f64)>);
    let m = p.model.get();
    let l = m.lang;
    let (vt, window) = (m.shown_vt(), m.window_ms as f64);
    drop(m);
    // The canvas's CSS width, 0 before its first report.
    let css_width =
        observed::use_observed_size(canvas.clone(), |_, _| true).map_or(0.0, |(w, _)| w);
    use_redraw(canvas.clone(), p.model.clone(), (p.rev, vt), css_width);

    let onclick = {
        let send = p.send.clone();
        let canvas = canvas.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                let w = c.client_width() as f64 - LEFT - 8.0;
                let t1 = vt.max(window);
                let t =
                    t1 - window + (e.offset_x() as f64 - LEFT).clamp(0.0, w) / w.max(1.0) * window;
                send.emit(TransportMsg::Seek(t.max(0.0) as u64).into());
            }
        })
    };
    let onmousemove = on_hover(canvas.clone(), p.model.clone(), hover.clone());
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    html! {
        <section class="diagram" aria-label={tr(l, T::SpaceTime)}>
            { toolbar(l, window, &p.send, &p.export) }
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

/// Draws the diagram after a render that changed the revision, the shown
/// moment or the width (a resize redraws a paused diagram).
#[hook]
fn use_redraw(canvas: NodeRef, model: Shared, moment: (u64, f64), width: f64) {
    let (rev, vt) = moment;
    use_effect_with((rev, vt as u64, width.to_bits()), move |_| {
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
            canvas::draw(&c, w, &d, tr(m.lang, T::Server), &omitted);
        }
    });
}

/// Names the arrow under the pointer (or clears the tip).
fn on_hover(canvas: NodeRef, model: Shared, hover: UseStateHandle<Hover>) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
            return;
        };
        let m = model.get();
        let d = shown(&m);
        let (px, py) = (e.offset_x() as f64, e.offset_y() as f64);
        match canvas::hit(&d, c.client_width() as f64, px, py) {
            Some(i) => hover.set(Some((d.arrows[i].describe(&d.lanes, m.lang), px, py))),
            None if hover.is_some() => hover.set(None),
            None => {}
        }
    })
}

/// The title, the window picker, Export SVG and the shades' legend.
fn toolbar(l: Lang, window: f64, send: &Callback<Msg>, export: &Callback<()>) -> Html {
    let on_window = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse() {
                send.emit(ViewMsg::SetWindow(v).into());
            }
        })
    };
    let export = {
        let export = export.clone();
        Callback::from(move |_| export.emit(()))
    };
    html! {
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
    }
}
