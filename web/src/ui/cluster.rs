//! The cluster view (SVG): servers with sid, state, ZabState, epochs and
//! last zxid; the established leader crowned; links (election mesh,
//! quorum connections, cuts, slow links); partition groups; clients; and
//! the messages in flight where `layout` puts them at the shown time.
//! Clicking a server selects it (the inspector shows its controls).
//!
//! One view function per layer of the drawing (groups, links, clients,
//! servers, the marked finding's links, messages); they read the pure
//! `layout::scene` and what is marked (a violation, a finding, a
//! lesson's highlight), never the simulation's internals.

use yew::prelude::*;
use zablab_core::sim::{MsgDetail, Peer};

use zablab_core::lesson::Highlight;
use zablab_core::sim::RecipeView;

use super::widgets::holder_mark;
use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::layout::{self, ClientDot, Line, LineKind, MsgDot, Scene, ServerDot, VIEW};
use crate::model::{DiagFocus, Model, Msg, ViewMsg};
use crate::spacetime::kind_color;

fn f(v: f64) -> String {
    crate::dec(v, 1)
}

/// The word drawn in a server: its peer state, or DOWN / PAUSED.
pub fn state_word(s: &ServerDot) -> String {
    if !s.view.up {
        "DOWN".to_string()
    } else if s.view.paused {
        "PAUSED".to_string()
    } else {
        s.view.state.clone()
    }
}

fn server_class(
    s: &ServerDot,
    selected: bool,
    flagged: bool,
    marked: bool,
    lesson: bool,
) -> Classes {
    let state = state_word(s).to_lowercase();
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

/// Whether a message in flight is the kind a lesson points at (as drawn,
/// `PROPOSAL`, or ZooKeeper's name, any case) or carries its zxid.
fn lesson_message(d: &MsgDot, kind: Option<&str>, zxid: Option<&str>) -> bool {
    let k = d.msg.kind;
    let by_kind = kind.is_some_and(|w| {
        k.name().eq_ignore_ascii_case(w) || layout::short(k).eq_ignore_ascii_case(w)
    });
    let by_zxid = zxid.is_some_and(|z| match d.msg.detail {
        MsgDetail::Zxid(x) | MsgDetail::Client { zxid: x, .. } => {
            x.to_string().eq_ignore_ascii_case(z)
        }
        _ => false,
    });
    by_kind || by_zxid
}

fn message_title(l: Lang, d: &MsgDot) -> String {
    let m = &d.msg;
    let who = |p: Peer| match p {
        Peer::Server(s) => trf(l, T::ServerN, &[&s.to_string()]),
        Peer::Client(c) => trf(l, T::ClientN, &[&c.to_string()]),
    };
    let mut s = format!("{} {} → {}", m.kind.name(), who(m.from), who(m.to));
    match m.detail {
        MsgDetail::Zxid(z) => s.push_str(&format!(" · zxid {z}")),
        MsgDetail::Vote {
            state,
            leader,
            zxid,
            round,
            peer_epoch,
        } => s.push_str(&trf(
            l,
            T::VoteDetail,
            &[
                state.name(),
                &leader.to_string(),
                &format!("0x{zxid:x}"),
                &round.to_string(),
                &peer_epoch.to_string(),
            ],
        )),
        MsgDetail::Client { cxid, zxid } => s.push_str(&format!(" · cxid {cxid} · zxid {zxid}")),
        MsgDetail::None => {}
    }
    match (m.sent_ms, m.deliver_ms) {
        (Some(a), Some(b)) => s.push_str(&trf(
            l,
            T::SentDelivered,
            &[&crate::fmt_ms(a), &crate::fmt_ms(b)],
        )),
        _ => s.push_str(&format!(" · {}", tr(l, T::HeldAtCut))),
    }
    s
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

#[component]
pub fn Cluster(p: &PanelProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    let sim = m.engine.sim();
    let scene = layout::scene(sim, m.vt);
    let marks = Marks {
        flagged: m
            .focus
            .and_then(|i| m.engine.head().violations().get(i))
            .map(|v| v.servers.clone())
            .unwrap_or_default(),
        diag: m.diag_focus.as_ref(),
        lesson: m.lesson_highlight(),
    };
    // A diagnosis finding the user picked: its links.
    let diag_links = marks.diag.into_iter().flat_map(|d| d.links.iter()).filter_map(|&(a, b)| {
        let (p, q) = (scene.server(a)?.pos, scene.server(b)?.pos);
        Some(html! { <line class="diag-link" x1={f(p.x)} y1={f(p.y)} x2={f(q.x)} y2={f(q.y)} /> })
    });
    let recipes = sim.recipe_views();
    let bands = scene.groups.iter().map(|g| {
        html! {
            <g class="group">
                <path d={g.path.clone()} />
                <text x={f(g.label_pos.x)} y={f(g.label_pos.y)} class="group-label">{ g.label.clone() }</text>
            </g>
        }
    });
    let lines = scene.lines.iter().map(|ln| link_line(l, ln));
    let clients = scene
        .clients
        .iter()
        .map(|c| client_node(l, c, &recipes, marks.client()));
    let servers = scene
        .servers
        .iter()
        .map(|s| server_node(l, s, m.selected == Some(s.view.sid), &marks, &p.send));
    let summary = trf(
        l,
        T::ClusterSummary,
        &[
            &scene.servers.len().to_string(),
            &sim.established_leader().map_or_else(
                || tr(l, T::NoLeader).to_string(),
                |s| trf(l, T::ServerN, &[&s.to_string()]),
            ),
            &scene.messages.len().to_string(),
        ],
    );
    html! {
        <figure class="cluster-wrap">
            <svg class="cluster" viewBox={format!("0 0 {VIEW} {VIEW}")} role="group"
                 aria-label={tr(l, T::ClusterView)} data-testid="cluster">
                <g class="groups">{ for bands }</g>
                <g class="links">{ for lines }</g>
                <g class="clients">{ for clients }</g>
                <g class="servers">{ for servers }</g>
                <g class="diag-links">{ for diag_links }</g>
                <g class="messages" aria-hidden="true">{ messages(&m, &scene, &marks) }</g>
            </svg>
            <figcaption class="visually-hidden" data-testid="cluster-summary">{ summary }</figcaption>
        </figure>
    }
}

/// A link: election mesh, quorum connection, or a fault with its label
/// (a one-way fault's nearer its sending end).
fn link_line(l: Lang, ln: &Line) -> Html {
    let (class, label) = match ln.kind {
        LineKind::Election => ("link election", None),
        LineKind::Quorum => ("link quorum", None),
        LineKind::Broken => ("link broken", Some("✕".to_string())),
        LineKind::Cut => ("link cut", Some(format!("✕ {}→{}", ln.a, ln.b))),
        LineKind::Slow(ms) => ("link slow", Some(format!("{ms} ms"))),
        LineKind::DropNext => (
            "link drop",
            Some(trf(l, T::DropMark, &[&ln.a.to_string(), &ln.b.to_string()])),
        ),
    };
    let (mx, my) = ((ln.from.x + ln.to.x) / 2.0, (ln.from.y + ln.to.y) / 2.0);
    // A one-way cut or slow link is drawn nearer its sending end.
    let (lx, ly) = if matches!(
        ln.kind,
        LineKind::Cut | LineKind::Slow(_) | LineKind::DropNext
    ) {
        (
            ln.from.x + (ln.to.x - ln.from.x) * 0.3,
            ln.from.y + (ln.to.y - ln.from.y) * 0.3,
        )
    } else {
        (mx, my)
    };
    html! {
        <g class={class}>
            <line x1={f(ln.from.x)} y1={f(ln.from.y)} x2={f(ln.to.x)} y2={f(ln.to.y)} />
            if let Some(t) = label {
                <text x={f(lx)} y={f(ly)} class="link-label">{ t }</text>
            }
        </g>
    }
}

/// A server: its circle (crowned when it leads), sid, state, ZabState
/// and epochs (when big enough to read), pause and slow-disk marks, and
/// the events waiting at it. A button: it selects the server.
fn server_node(
    l: Lang,
    s: &ServerDot,
    selected: bool,
    marks: &Marks,
    send: &Callback<Msg>,
) -> Html {
    let sid = s.view.sid;
    let word = state_word(s);
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
    let aria = trf(
        l,
        T::ServerAria,
        &[
            &sid.to_string(),
            &word,
            &s.view.zab_state,
            &s.view.accepted_epoch.to_string(),
            &s.view.current_epoch.to_string(),
            &s.view.last_zxid.to_string(),
        ],
    );
    let class = server_class(
        s,
        selected,
        marks.flagged.contains(&sid),
        marks.diag(sid),
        marks.lesson_server(sid),
    );
    html! {
        <g key={sid} {class}
           data-testid={format!("server-{sid}")} role="button" tabindex="0"
           aria-label={aria} aria-pressed={selected.to_string()} {onclick} {onkeydown}>
            <title>{ format!("{} · {}", trf(l, T::ServerN, &[&sid.to_string()]), s.view.peer_state) }</title>
            { server_marks(l, s) }
            { server_text(l, s, &word, marks.zxid()) }
            if s.waiting > 0 {
                <text class="waiting" x={f(s.pos.x)} y={f(s.pos.y + s.r + 26.0)}>{ trf(l, T::Waiting, &[&s.waiting.to_string()]) }</text>
            }
        </g>
    }
}

/// The leader's crown, the body, and the pause and slow-disk marks.
fn server_marks(l: Lang, s: &ServerDot) -> Html {
    let (x, y, r) = (s.pos.x, s.pos.y, s.r);
    html! {
        <>
            if s.leader {
                <circle class="crown-ring" cx={f(x)} cy={f(y)} r={f(r + 7.0)} />
                <text class="crown" x={f(x)} y={f(y - r - 12.0)} data-testid={format!("leader-{}", s.view.sid)}>
                    { format!("★ {} · {}", tr(l, T::Leader), trf(l, T::EpochN, &[&s.view.current_epoch.to_string()])) }
                </text>
            }
            <circle class="body" cx={f(x)} cy={f(y)} r={f(r)} />
            if s.view.paused {
                <g class="pause-mark">
                    <rect x={f(x + r * 0.55)} y={f(y - r - 4.0)} width="5" height="14" />
                    <rect x={f(x + r * 0.55 + 8.0)} y={f(y - r - 4.0)} width="5" height="14" />
                </g>
            }
            if let Some(ms) = s.slow_disk_ms {
                <text class="disk-mark" x={f(x)} y={f(y - r - (if s.leader { 28.0 } else { 6.0 }))}>
                    { trf(l, T::SlowDiskMark, &[&ms.to_string()]) }
                </text>
            }
        </>
    }
}

/// The sid and, when the server is drawn big enough, its state, ZabState
/// and epochs (the last zxid marked when a lesson points at it).
fn server_text(l: Lang, s: &ServerDot, word: &str, hl_zxid: Option<&str>) -> Html {
    let (x, y, r) = (s.pos.x, s.pos.y, s.r);
    let sid = s.view.sid;
    let big = r >= 28.0;
    let zab = if s.view.up && !s.view.paused {
        s.view.zab_state.clone()
    } else {
        String::new()
    };
    let zxid_mark = hl_zxid.is_some_and(|z| s.view.last_zxid.to_string().eq_ignore_ascii_case(z));
    html! {
        <>
            <text class="sid" x={f(x)} y={f(if big { y - 8.0 } else { y + 4.0 })}>{ sid }</text>
            if big {
                <text class="state" data-testid={format!("server-{sid}-state")} x={f(x)} y={f(y + 8.0)}>{ word.to_string() }</text>
                <text class="zab" x={f(x)} y={f(y + 20.0)}>{ zab }</text>
                <text class={classes!("facts", zxid_mark.then_some("zxid-mark"))}
                      x={f(x)} y={f(y + r + 14.0)} data-testid={format!("server-{sid}-facts")}>
                    { trf(l, T::EpochsShort, &[&s.view.accepted_epoch.to_string(), &s.view.current_epoch.to_string(), &s.view.last_zxid.to_string()]) }
                </text>
            } else {
                // Too small to read: kept for tests and screen readers
                // (the group's label says it too), not drawn.
                <text class="state" opacity="0" data-testid={format!("server-{sid}-state")} x={f(x)} y={f(y)}>{ word.to_string() }</text>
            }
        </>
    }
}

/// A client next to its server; a recipe client's view in its title, the
/// lock holder (or elected leader) marked.
fn client_node(l: Lang, c: &ClientDot, recipes: &[RecipeView], hl_client: Option<&str>) -> Html {
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
    html! {
        <g class={classes!("client", format!("cl-{}", c.state.to_lowercase()), holds.is_some().then_some("holds"), (hl_client == Some(c.name.as_str())).then_some("lesson-mark"))} key={format!("c{}", c.id)}
           data-testid={format!("cl-{}", c.name)}>
            <title>{ title }</title>
            <rect x={f(c.pos.x - 16.0)} y={f(c.pos.y - 9.0)} width="32" height="18" rx="4" />
            <text x={f(c.pos.x)} y={f(c.pos.y + 4.0)}>{ c.name.clone() }</text>
            if let Some(r) = holds {
                <g data-testid={format!("holder-{}", c.name)}>{ holder_mark(r.recipe, c.pos.x + 18.0, c.pos.y - 7.0) }</g>
            }
        </g>
    }
}

/// The messages in flight. While playing with many: a few batched paths
/// (see `layout::dot_paths`); paused, each dot is an element with its
/// title. (A lesson pointing at a message kind or zxid keeps the
/// elements.)
fn messages(m: &Model, scene: &Scene, marks: &Marks) -> Html {
    let l = m.lang;
    let (hl_kind, hl_zxid) = (marks.kind(), marks.zxid());
    let batched = m.playing
        && scene.messages.len() > layout::MESSAGES_ONE_BY_ONE
        && hl_kind.is_none()
        && hl_zxid.is_none();
    let dot_r = if m.presenter { 9.0 } else { 6.0 };
    let paths = if batched {
        layout::dot_paths(&scene.messages, dot_r)
    } else {
        Vec::new()
    };
    let batches = paths
        .into_iter()
        .map(|(color, held, d)| {
            html! {
                <path key={format!("{color}{held}")} class={classes!("msg-batch", held.then_some("held"))}
                      fill={color} d={d} />
            }
        });
    let one_by_one = if batched {
        &scene.messages[..0]
    } else {
        &scene.messages[..]
    };
    let show_labels = scene.messages.len() <= layout::MESSAGES_ONE_BY_ONE;
    let dots = one_by_one.iter().map(|d| {
        let color = kind_color(d.msg.kind);
        let focus = hl_kind.is_some() || hl_zxid.is_some();
        let hit = focus && lesson_message(d, hl_kind, hl_zxid);
        html! {
            <g key={d.msg.id} class={classes!("msg", d.held.then_some("held"), hit.then_some("lesson-mark"), (focus && !hit).then_some("dim"))}
               data-kind={d.msg.kind.name()}>
                <title>{ message_title(l, d) }</title>
                <circle cx={f(d.pos.x)} cy={f(d.pos.y)} r="6" fill={color} />
                if show_labels {
                    <text x={f(d.pos.x + 8.0)} y={f(d.pos.y - 6.0)} fill={color}>{ layout::short(d.msg.kind) }</text>
                }
            </g>
        }
    });
    html! { <>{ for dots }{ for batches }</> }
}
