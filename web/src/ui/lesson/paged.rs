//! The lesson step as blocks of pieces, drawn whole or one page at a
//! time (presenter mode), and the hook that measures them. A piece is a
//! sentence of a paragraph or a whole element; a page is a run of pieces
//! (`crate::pages` cuts them). In presenter mode the panel draws the page
//! shown and, invisible and inert under it, every block in full: after
//! each render the hook measures that hidden copy, and sends the pages to
//! the model (`ViewMsg::Pages`) when they changed. It never changes the
//! lesson itself.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::model::{Model, Msg, Pages, ViewMsg};
use crate::pages::{paginate, range, sentences, Extent};

/// A part of a block: a paragraph cut into sentences (a page may start at
/// any of them), or an element that stays whole. A piece that `keep`s
/// stays on the page of the piece after it (a heading, a question with
/// its choices; a kept paragraph is never cut between its sentences)
/// whenever the two fit on one page.
pub enum Piece {
    Text {
        class: &'static str,
        id: Option<&'static str>,
        sentences: Vec<String>,
        keep: bool,
    },
    Whole {
        html: Html,
        keep: bool,
    },
}

impl Piece {
    pub fn text(class: &'static str, id: Option<&'static str>, text: String) -> Piece {
        Piece::Text {
            class,
            id,
            sentences: sentences(&text).into_iter().map(str::to_string).collect(),
            keep: false,
        }
    }

    /// An element drawn whole.
    pub fn whole(html: Html) -> Piece {
        Piece::Whole { html, keep: false }
    }

    /// Kept on the page of the next piece (see `Piece`).
    pub fn keep(self) -> Piece {
        match self {
            Piece::Text {
                class,
                id,
                sentences,
                ..
            } => Piece::Text {
                class,
                id,
                sentences,
                keep: true,
            },
            Piece::Whole { html, .. } => Piece::Whole { html, keep: true },
        }
    }

    fn len(&self) -> usize {
        match self {
            Piece::Text { sentences, .. } => sentences.len(),
            Piece::Whole { .. } => 1,
        }
    }
}

/// A block of the step (its class, its name for the page to show after a
/// phase change, an optional test id) and its pieces.
pub struct Block {
    class: &'static str,
    pub name: &'static str,
    id: Option<&'static str>,
    pieces: Vec<Piece>,
}

impl Block {
    pub fn new(class: &'static str, name: &'static str) -> Block {
        Block {
            class,
            name,
            id: None,
            pieces: Vec::new(),
        }
    }

    pub fn id(mut self, id: Option<&'static str>) -> Block {
        self.id = id;
        self
    }

    pub fn with(mut self, p: Piece) -> Block {
        self.pieces.push(p);
        self
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(Piece::len).sum()
    }
}

/// How many pieces the blocks hold.
pub fn pieces(blocks: &[Block]) -> usize {
    blocks.iter().map(Block::len).sum()
}

/// The first piece of the block named `name`.
pub fn first_of(blocks: &[Block], name: &str) -> Option<usize> {
    let k = blocks.iter().position(|b| b.name == name)?;
    Some(pieces(&blocks[..k]))
}

/// Draws `blocks`, only the pieces `[from, to)` when a range is given.
/// Every piece carries its number (`data-u`) and every block its own
/// (`data-b`), for the measure; a piece kept with the next says so
/// (`data-keep`).
pub fn layer(blocks: &[Block], only: Option<&(usize, usize)>) -> Html {
    let (from, to) = only.copied().unwrap_or((0, usize::MAX));
    let mut u = 0;
    let mut out = Vec::new();
    for (k, b) in blocks.iter().enumerate() {
        let first = u;
        u += b.len();
        if u <= from || first >= to {
            continue;
        }
        let mut v = first;
        let pieces = b.pieces.iter().map(|p| {
            let start = v;
            v += p.len();
            match p {
                Piece::Text {
                    class,
                    id,
                    sentences,
                    keep,
                } => {
                    let spans: Vec<Html> = sentences
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| (from..to).contains(&(start + i)))
                        .map(|(i, s)| html! {
                            <span data-u={(start + i).to_string()} data-keep={keep.then_some("1")}>{ s.clone() }</span>
                        })
                        .collect();
                    (!spans.is_empty()).then(|| html! { <p class={*class} data-testid={*id}>{ for spans }</p> })
                }
                Piece::Whole { html, keep } => (from..to).contains(&start).then(|| {
                    html! {
                        <div class="piece" data-u={start.to_string()} data-keep={keep.then_some("1")}>{ html.clone() }</div>
                    }
                }),
            }
        });
        let pieces: Vec<Html> = pieces.flatten().collect();
        out.push(html! {
            <div class={classes!("block", b.class)} data-b={k.to_string()}
                 data-testid={b.id}>{ for pieces }</div>
        });
    }
    html! { <>{ for out }</> }
}

/// What the panel draws of the pages now: the pieces of the page shown
/// and how many pages there are.
pub struct PageView {
    pub range: (usize, usize),
    pub count: usize,
}

/// The pages of the step shown (presenter mode), kept measured: after
/// every render, and when the window is resized.
#[hook]
pub fn use_pages(
    m: &Model,
    refs: (&NodeRef, &NodeRef),
    send: &Callback<Msg>,
    n: usize,
    focus: Option<usize>,
) -> PageView {
    let (body, measure) = refs;
    let redraw = use_force_update();
    use_effect_with((), move |_| {
        let listener = web_sys::window()
            .map(|w| gloo_events::EventListener::new(&w, "resize", move |_| redraw.force_update()));
        move || drop(listener)
    });
    // The state last measured, the window's size then, and the least
    // height the body had for them (the panel's buttons differ from page
    // to page: every page is cut for the smallest, so that the pages of
    // one state never overlap).
    let seen = use_mut_ref(|| None::<((String, usize, &'static str), (i32, i32), f64)>);
    let now = m
        .lesson
        .as_ref()
        .map(|pl| (pl.lesson.id.clone(), pl.step, pl.phase.name()));
    {
        let (body, measure, send) = (body.clone(), measure.clone(), send.clone());
        let pages = m.pages.clone();
        let on = m.presenter;
        use_effect(move || {
            let Some((id, step, phase)) = now.filter(|_| on) else {
                return;
            };
            let Some(height) = body
                .cast::<web_sys::Element>()
                .map(|b| b.client_height() as f64)
            else {
                return;
            };
            let size = window_size();
            let mut last = seen.borrow_mut();
            // The panel's head and buttons change with the paging ("page 1
            // of 2", "More ▸" for a long "Next lesson: …"), and so does the
            // room left for the step: within one state and window size the
            // pages are cut for the least room seen, and only ever grow,
            // or they would flip between one and two forever.
            let same = last.as_ref().is_some_and(|((i, s, p), z, _)| {
                *i == id && *s == step && *p == phase && *z == size
            });
            let height = match last.as_ref() {
                Some((_, _, least)) if same => least.min(height),
                _ => height,
            };
            let Some(starts) = measured(&measure, n, height) else {
                return;
            };
            if same && starts.len() < pages.starts.len() {
                return;
            }
            let at = match last.as_ref() {
                Some(((i, s, _), _, _)) if *i != id || *s != step => 0,
                None => 0,
                Some(((_, _, p), _, _)) if *p != phase => {
                    focus.map_or(0, |f| crate::pages::page_of(&starts, f))
                }
                Some(_) => pages.at.min(starts.len() - 1),
            };
            *last = Some(((id, step, phase), size, height));
            let want = Pages { starts, at };
            if want != pages {
                send.emit(ViewMsg::Pages(want).into());
            }
        });
    }
    PageView {
        range: range(&m.pages.starts, m.pages.at, n),
        count: m.pages.count(),
    }
}

/// The window's inner size in px (0×0 if unknown).
fn window_size() -> (i32, i32) {
    let px =
        |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as i32;
    web_sys::window().map_or((0, 0), |w| (px(w.inner_width()), px(w.inner_height())))
}

/// The hidden copy's pieces measured and cut into pages of `height` px;
/// None while it is not drawn.
fn measured(measure: &NodeRef, n: usize, height: f64) -> Option<Vec<usize>> {
    let layer = measure.cast::<web_sys::Element>()?;
    let top = layer.get_bounding_client_rect().top();
    let rect = |e: &web_sys::Element| {
        let r = e.get_bounding_client_rect();
        (r.top() - top, r.bottom() - top)
    };
    let mut extents = Vec::with_capacity(n);
    let blocks = layer.query_selector_all("[data-b]").ok()?;
    for k in 0..blocks.length() {
        let b: web_sys::Element = blocks.item(k)?.dyn_into().ok()?;
        let (b_top, b_bottom) = rect(&b);
        let units = b.query_selector_all("[data-u]").ok()?;
        let mut own: Vec<(f64, f64, bool)> = Vec::new();
        for i in 0..units.length() {
            let e: web_sys::Element = units.item(i)?.dyn_into().ok()?;
            // A sentence may wrap: from its first line's top to its last
            // line's bottom.
            let lines = e.get_client_rects();
            let (t, b) = match (lines.get(0), lines.get(lines.length().saturating_sub(1))) {
                (Some(f), Some(l)) if lines.length() > 0 => (f.top() - top, l.bottom() - top),
                _ => rect(&e),
            };
            own.push((t, b, e.has_attribute("data-keep")));
        }
        let (Some(first), Some(last)) = (own.first().copied(), own.last().copied()) else {
            continue;
        };
        let (lead, trail) = (first.0 - b_top, b_bottom - last.1);
        let count = own.len();
        for (i, (t, b, keep)) in own.into_iter().enumerate() {
            extents.push(Extent {
                top: if i == 0 { b_top } else { t - lead },
                bottom: if i + 1 == count { b_bottom } else { b + trail },
                keep,
            });
        }
    }
    (extents.len() == n).then(|| paginate(&extents, height))
}
