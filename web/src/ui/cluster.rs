//! The cluster view (SVG): servers with their sid and state, the deadline
//! that decides each one's next step drawn as a ring around it (as
//! RaftScope draws election timeouts), their labels (the vote during an
//! election and why it last changed, the deadline in words, ZabState,
//! epochs and last zxid), the established leader crowned; links (election
//! mesh, quorum connections, cuts, slow links); partition groups;
//! clients; and the messages in flight where `layout` puts them at the
//! shown time, labelled with ZooKeeper's names. Clicking a server (or
//! Enter/Space on it) selects it; pointing at or focusing a server spells
//! out its messages' votes; pointing at a message shows its label.
//!
//! The SVG's viewBox is its size on screen (measured by a ResizeObserver,
//! `size.rs`), so the sizes `layout` picks are the pixels a person sees.
//! One view function per layer; they read the pure `layout::scene` (with
//! its `captions`) and what is marked (a violation, a finding, a lesson's
//! highlight), never the simulation's internals.

mod dots;
mod labels;

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::sim::MsgDetail;

use zablab_core::lesson::Highlight;
use zablab_core::sim::RecipeView;

use super::observed;
use super::widgets::holder_mark;
use super::PanelProps;
use crate::captions::{Label, Options, Owner, Role};
use crate::i18n::{tr, trf, Lang, T};
use crate::layout::{self, ClientDot, Fonts, Frame, Line, LineKind, MsgDot, Scene, ServerDot};
use crate::model::{DiagFocus, Msg, ViewMsg};
use labels::{label_node, server_label_text};

fn f(v: f64) -> String {
    crate::dec(v, 1)
}

/// The speeds at or below which a notification's vote is spelled out
/// while playing (a label must stay long enough to be read).
const SLOW_SPEED: f64 = 0.25;

fn server_class(
    s: &ServerDot,
    selected: bool,
    flagged: bool,
    marked: bool,
    lesson: bool,
) -> Classes {
    let state = layout::state_word(&s.view).to_lowercase();
    classes!(
        "server",
        format!("st-{state}"),
        s.observer.then_some("observer"),
        s.leader.then_some("leader"),
        selected.then_some("selected"),
        flagged.then_some("flagged"),
        marked.then_some("diag"),
        lesson.then_some("lesson-mark"),
        s.view.serving.then_some("serving"),
    )
}

/// Whether a message in flight is the kind a lesson points at (as drawn
/// or ZooKeeper's name, any case) or carries its zxid.
fn lesson_message(d: &MsgDot, kind: Option<&str>, zxid: Option<&str>) -> bool {
    let k = d.msg.kind;
    let by_kind = kind.is_some_and(|w| k.name().eq_ignore_ascii_case(w));
    let by_zxid = zxid.is_some_and(|z| match d.msg.detail {
        MsgDetail::Zxid(x) | MsgDetail::Client { zxid: x, .. } => {
            x.to_string().eq_ignore_ascii_case(z)
        }
        MsgDetail::AckEpoch { last_zxid: x, .. } => x.to_string().eq_ignore_ascii_case(z),
        _ => false,
    });
    by_kind || by_zxid
}

/// What the drawing marks: a focused violation's servers, a diagnosis
/// finding's servers, and what a lesson step points at.
struct Marks<'a> {
    flagged: Vec<u32>,
    diag: Option<&'a DiagFocus>,
    lesson: Option<&'a Highlight>,
}

impl Marks<'_> {
    fn diag(&self, sid: u32) -> bool {
        self.diag
            .is_some_and(|d| d.servers.contains(&sid) || d.server == Some(sid))
    }

    fn lesson_server(&self, sid: u32) -> bool {
        self.lesson.is_some_and(|h| h.servers.contains(&sid))
    }

    fn zxid(&self) -> Option<&str> {
        self.lesson.and_then(|h| h.zxid.as_deref())
    }

    fn kind(&self) -> Option<&str> {
        self.lesson.and_then(|h| h.message.as_deref())
    }

    fn client(&self) -> Option<&str> {
        self.lesson.and_then(|h| h.client.as_deref())
    }
}

/// Callbacks of the pointer and focus state the labels follow.
#[derive(Clone)]
struct Pointer {
    focus: UseStateHandle<Option<Sid>>,
    hover: UseStateHandle<Option<u64>>,
}

#[component]
pub fn Cluster(p: &PanelProps) -> Html {
    let svg = use_node_ref();
    let dots_host = use_node_ref();
    let sprites = use_mut_ref(dots::Sprites::default);
    let measured = observed::use_observed_size(svg.clone(), |w, h| w >= 1.0 && h >= 1.0);
    let pointer = Pointer {
        focus: use_state(|| None::<Sid>),
        hover: use_state(|| None::<u64>),
    };
    let m = p.model.get();
    let l = m.lang;
    let sim = m.engine.sim();
    let frame = match measured {
        Some((w, h)) => Frame {
            w,
            h,
            presenter: m.presenter,
        },
        None => Frame {
            presenter: m.presenter,
            ..Frame::DEFAULT
        },
    };
    let marks = Marks {
        flagged: m
            .focus
            .and_then(|i| m.engine.head().violations().get(i))
            .map(|v| v.servers.clone())
            .unwrap_or_default(),
        diag: m.diag_focus.as_ref(),
        lesson: m.lesson_highlight(),
    };
    let lesson_focus = marks.kind().is_some() || marks.zxid().is_some();
    let options = Options {
        lang: l,
        playing: m.playing && !lesson_focus,
        detailed: !m.playing || m.speed <= SLOW_SPEED,
        focus: *pointer.focus,
        hover: *pointer.hover,
    };
    let scene = layout::scene(sim, m.vt, frame, &options);
    let fonts = frame.fonts();
    // A diagnosis finding the user picked: its links.
    let diag_links = marks.diag.into_iter().flat_map(|d| d.links.iter()).filter_map(|&(a, b)| {
        let (p, q) = (scene.server(a)?.pos, scene.server(b)?.pos);
        Some(html! { <line class="diag-link" x1={f(p.x)} y1={f(p.y)} x2={f(q.x)} y2={f(q.y)} /> })
    });
    let recipes = sim.recipe_views();
    let bands = scene
        .groups
        .iter()
        .map(|g| html! { <g class="group"><path d={g.path.clone()} /></g> });
    let lines = scene.lines.iter().map(link_line);
    let clients = scene
        .clients
        .iter()
        .map(|c| client_node(l, c, &recipes, marks.client(), &fonts));
    let servers = scene.servers.iter().map(|s| {
        let selected = m.selected == Some(s.view.sid);
        server_node(l, &scene, s, selected, &marks, &p.send, &pointer)
    });
    // A server's labels are drawn beside it, not inside its button: their
    // countdowns change every frame, and the button's box must stay still
    // for a pointer (its accessible name holds their texts).
    let zxid_mark = |sid: Sid| {
        scene.server(sid).is_some_and(|s| {
            marks
                .zxid()
                .is_some_and(|z| s.view.last_zxid.to_string().eq_ignore_ascii_case(z))
        })
    };
    let others = scene.labels.iter().map(|lb| match lb.owner {
        Owner::Server(sid) => label_node(lb, zxid_mark(sid)),
        _ => label_node(lb, false),
    });
    let summary = summary_text(l, sim, &scene);
    let batched = m.playing && scene.messages.len() > layout::MESSAGES_ONE_BY_ONE && !lesson_focus;
    let mut batches = if batched {
        layout::dot_batches(&scene.messages)
    } else {
        Vec::new()
    };
    let on_canvas = scene.messages.len() > layout::MESSAGES_ON_CANVAS;
    let paths = if on_canvas {
        Vec::new()
    } else {
        std::mem::take(&mut batches)
    };
    // The canvas layer only while it draws: shown, Chromium composites it,
    // and what lies above it (servers, labels) takes layers of its own.
    let dots_hidden = batches.is_empty().then_some("none");
    {
        let (host, size, r) = (dots_host.clone(), (frame.w, frame.h), fonts.dot);
        let (rim, sprites) = (dots::rim(m.presenter), sprites.clone());
        use_effect(move || {
            if let Some(h) = host.cast::<web_sys::Element>() {
                dots::draw(&h, &mut sprites.borrow_mut(), size, (r, rim), &batches);
            }
        });
    }
    html! {
        <figure class="cluster-wrap">
            <svg ref={svg} class="cluster" viewBox={format!("0 0 {} {}", f(frame.w), f(frame.h))} role="group"
                 aria-label={tr(l, T::ClusterView)} data-testid="cluster">
                <g class="groups">{ for bands }</g>
                <g class="links">{ for lines }</g>
                <g class="clients">{ for clients }</g>
                <g class="diag-links">{ for diag_links }</g>
                <foreignObject ref={dots_host} class="dots" x="0" y="0" width={f(frame.w)} height={f(frame.h)}
                               display={dots_hidden} aria-hidden="true" />
                <g class="messages" aria-hidden="true">{ messages(l, &scene, &marks, (batched, &paths), &pointer) }</g>
                <g class="servers">{ for servers }</g>
                <g class="labels" aria-hidden="true">{ for others }</g>
            </svg>
            <figcaption class="visually-hidden" data-testid="cluster-summary">{ summary }</figcaption>
        </figure>
    }
}

/// The cluster in one sentence for a screen reader: servers, the leader,
/// messages in flight (held ones included).
fn summary_text(l: Lang, sim: &zablab_core::Simulation, scene: &Scene) -> String {
    trf(
        l,
        T::ClusterSummary,
        &[
            &scene.servers.len().to_string(),
            &sim.established_leader().map_or_else(
                || tr(l, T::NoLeader).to_string(),
                |s| trf(l, T::ServerN, &[&s.to_string()]),
            ),
            &(scene.messages.len() + scene.held.iter().map(|h| h.msgs.len()).sum::<usize>())
                .to_string(),
        ],
    )
}

/// A link (election mesh, quorum connection, or a fault); its mark, if
/// any, is a placed label.
fn link_line(ln: &Line) -> Html {
    let class = match ln.kind {
        LineKind::Election => "link election",
        LineKind::Quorum => "link quorum",
        LineKind::Broken => "link broken",
        LineKind::Cut => "link cut",
        LineKind::Slow(_) => "link slow",
        LineKind::DropNext => "link drop",
    };
    html! {
        <g class={class}>
            <line x1={f(ln.from.x)} y1={f(ln.from.y)} x2={f(ln.to.x)} y2={f(ln.to.y)} />
        </g>
    }
}

/// A server: its circle (crowned when it leads), the deadline ring, sid
/// and state word, the focus ring (its labels are drawn with the others). A button: it selects the
/// server; its accessible name holds every text it shows.
fn server_node(
    l: Lang,
    scene: &Scene,
    s: &ServerDot,
    selected: bool,
    marks: &Marks,
    send: &Callback<Msg>,
    pointer: &Pointer,
) -> Html {
    let sid = s.view.sid;
    let fonts = scene.frame.fonts();
    let onclick = super::widgets::on_click(send, ViewMsg::Select(Some(sid)));
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                send.emit(ViewMsg::Select(Some(sid)).into());
            }
        })
    };
    let set_focus = |v: Option<Sid>| {
        let focus = pointer.focus.clone();
        Callback::from(move |_: FocusEvent| focus.set(v))
    };
    let set_point = |v: Option<Sid>| {
        let focus = pointer.focus.clone();
        Callback::from(move |_: MouseEvent| focus.set(v))
    };
    let mine: Vec<&Label> = scene
        .labels
        .iter()
        .filter(|lb| lb.owner == Owner::Server(sid))
        .collect();
    let (aria, title) = server_label_text(l, s, &mine);
    let class = server_class(
        s,
        selected,
        marks.flagged.contains(&sid),
        marks.diag(sid),
        marks.lesson_server(sid),
    );
    let state_shown = s.inner_state
        || mine
            .iter()
            .any(|lb| lb.lines.iter().any(|t| t.role == Role::State));
    html! {
        <g key={sid} {class}
           data-testid={format!("server-{sid}")} role="button" tabindex="0"
           aria-label={aria} aria-pressed={selected.to_string()} {onclick} {onkeydown}
           onfocus={set_focus(Some(sid))} onblur={set_focus(None)}
           onmouseenter={set_point(Some(sid))} onmouseleave={set_point(None)}>
            <title>{ title }</title>
            { server_marks(s) }
            { server_text(s, &fonts, state_shown) }
        </g>
    }
}

/// The crown ring, the body, the deadline ring and its track, the pause
/// mark and the focus ring (shown only with the keyboard focus).
fn server_marks(s: &ServerDot) -> Html {
    let (x, y, r) = (s.pos.x, s.pos.y, s.r);
    let ring_r = r + 5.0;
    html! {
        <>
            if s.leader {
                <circle class="crown-ring" cx={f(x)} cy={f(y)} r={f(r + 9.0)} />
            }
            <circle class="body" cx={f(x)} cy={f(y)} r={f(r)} />
            if let Some((d, frac)) = s.deadline {
                <circle class="deadline-track" cx={f(x)} cy={f(y)} r={f(ring_r)} />
                <path class={classes!("deadline", labels::deadline_class(d.kind), (frac > 0.75).then_some("late"))}
                      d={labels::arc(x, y, ring_r, frac)} data-testid={format!("deadline-{}", s.view.sid)} />
            }
            if s.view.paused {
                <g class="pause-mark">
                    <rect x={f(x - 7.0)} y={f(y + r - 20.0)} width="5" height="14" />
                    <rect x={f(x + 2.0)} y={f(y + r - 20.0)} width="5" height="14" />
                </g>
            }
            <circle class="focus-ring" cx={f(x)} cy={f(y)} r={f(r + 14.0)} />
        </>
    }
}

/// The sid and, in a roomy circle, the state word; the state word is kept
/// (invisible) for tests and screen readers when no label shows it.
///
/// A space between the two `<text>`s (SVG draws no text outside a
/// `<text>`): the server's text content is "1 FOLLOWING", words that its
/// accessible name ("Server 1: FOLLOWING · …") holds, not "1FOLLOWING"
/// (axe's label-content-name-mismatch, WCAG 2.5.3 label in name).
fn server_text(s: &ServerDot, fonts: &Fonts, state_shown: bool) -> Html {
    let (x, sid) = (s.pos.x, s.view.sid);
    let word = layout::state_word(&s.view);
    html! {
        <>
            <text class="sid" x={f(x)} y={f(s.sid_y(fonts))} font-size={f(s.sid_px)}>{ sid }</text>
            { " " }
            if s.inner_state {
                <text class="state" data-testid={format!("server-{sid}-state")} x={f(x)} y={f(s.state_y(fonts))}
                      font-size={f(fonts.state)}>{ word }</text>
            } else if !state_shown {
                <text class="state" opacity="0" data-testid={format!("server-{sid}-state")} x={f(x)} y={f(s.pos.y)}
                      font-size={f(fonts.text)}>{ word }</text>
            }
        </>
    }
}

/// A client box next to its server; a recipe client's view in its title,
/// the lock holder (or elected leader) marked.
fn client_node(
    l: Lang,
    c: &ClientDot,
    recipes: &[RecipeView],
    hl_client: Option<&str>,
    fonts: &Fonts,
) -> Html {
    let mine: Vec<_> = recipes.iter().filter(|r| r.client == c.name).collect();
    let holds = mine.iter().find(|r| r.holds);
    let mut title = format!(
        "{} · {} · {}",
        c.name,
        c.state,
        trf(l, T::ServerN, &[&c.server.to_string()])
    );
    for r in &mine {
        title.push_str(&format!("\n{} {}: {}", r.recipe, r.path, r.status));
    }
    let baseline = c.pos.y + (crate::textfit::ASCENT - crate::textfit::DESCENT) / 2.0 * fonts.text;
    html! {
        <g class={classes!("client", format!("cl-{}", c.state.to_lowercase()), holds.is_some().then_some("holds"), (hl_client == Some(c.name.as_str())).then_some("lesson-mark"))} key={format!("c{}", c.id)}
           data-testid={format!("cl-{}", c.name)}>
            <title>{ title }</title>
            <rect x={f(c.pos.x - c.w / 2.0)} y={f(c.pos.y - c.h / 2.0)} width={f(c.w)} height={f(c.h)} rx="4" />
            <text x={f(c.pos.x)} y={f(baseline)} font-size={f(fonts.text)}>{ c.name.clone() }</text>
            if let Some(r) = holds {
                <g data-testid={format!("holder-{}", c.name)}>{ holder_mark(r.recipe, c.pos.x + c.w / 2.0 + 2.0, c.pos.y - 7.0) }</g>
            }
        </g>
    }
}

/// The messages in flight. While playing with many: a few batched paths
/// (`layout::batch_path`), or none when there are so many that they are
/// on the canvas layer (`dots.rs`); otherwise each dot is an element with
/// its title, and pointing at it shows its label. Packets held at a cut
/// are one dot per link direction (their badge is a label).
fn messages(
    l: Lang,
    scene: &Scene,
    marks: &Marks,
    (batched, paths): (bool, &[layout::DotBatch]),
    pointer: &Pointer,
) -> Html {
    let (hl_kind, hl_zxid) = (marks.kind(), marks.zxid());
    let dot_r = scene.frame.fonts().dot;
    let batches = paths.iter().map(|b| {
        html! {
            <path key={format!("{}{}", b.color, b.held)} class={classes!("msg-batch", b.held.then_some("held"))}
                  fill={b.color} d={layout::batch_path(&b.centres, dot_r)} />
        }
    });
    let one_by_one = if batched {
        &scene.messages[..0]
    } else {
        &scene.messages[..]
    };
    let dots = one_by_one.iter().map(|d| {
        let color = crate::spacetime::kind_color(d.msg.kind);
        let focus = hl_kind.is_some() || hl_zxid.is_some();
        let hit = focus && lesson_message(d, hl_kind, hl_zxid);
        let id = d.msg.id;
        let hover = pointer.hover.clone();
        let enter = Callback::from(move |_| hover.set(Some(id)));
        let hover = pointer.hover.clone();
        let leave = Callback::from(move |_| hover.set(None));
        html! {
            <g key={id} class={classes!("msg", hit.then_some("lesson-mark"), (focus && !hit).then_some("dim"))}
               data-kind={d.msg.kind.name()} onmouseenter={enter} onmouseleave={leave}>
                <title>{ crate::words::message_title(l, &d.msg) }</title>
                <circle cx={f(d.pos.x)} cy={f(d.pos.y)} r={f(dot_r)} fill={color} />
            </g>
        }
    });
    let held = scene.held.iter().map(|h| {
        let color = crate::spacetime::kind_color(h.counts()[0].0);
        html! {
            <g class="msg held" data-kind="held">
                <circle cx={f(h.pos.x)} cy={f(h.pos.y)} r={f(dot_r * 1.3)} fill={color} />
            </g>
        }
    });
    html! { <>{ for dots }{ for held }{ for batches }</> }
}
