//! Play, pause, step, step back, speed, crash-the-leader, the clock and
//! status line, and the timeline scrubber over the whole branch with its
//! markers (elections, epochs, syncs, faults, client actions, violations),
//! each kind its own shape (`marks.rs`). The scrubber's arrow keys step
//! events, not milliseconds (`keys.rs`).
//! The buttons send `TransportMsg`s (and Crash the leader a `FaultMsg`);
//! the markers are read from the frontier's records (`Engine::head`). An
//! imported run has the same transport over its own time (the model's
//! `import.rs` moves it), its markers read from `imported::Imported`.

use yew::prelude::*;
use zablab_core::proto::ServerState;
use zablab_core::sim::Life;
use zablab_core::ActionKind;

use zablab_core::Simulation;

use super::marks::{gather, Group, Mark, Marker};
use super::widgets::{
    event_input, icon, input_value, on_click, ICON_BACK, ICON_PAUSE, ICON_PLAY, ICON_STEP,
};
use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::{Imported, Seen};
use crate::model::{FaultMsg, Model, Msg, TransportMsg, SPEEDS};

fn speed_label(s: f64) -> String {
    if s < 1.0 {
        format!("{s}×")
    } else {
        format!("{}×", s as u64)
    }
}

fn action_mark(kind: &ActionKind) -> Option<Mark> {
    match kind {
        ActionKind::Crash { .. }
        | ActionKind::Restart { .. }
        | ActionKind::Pause { .. }
        | ActionKind::Partition { .. }
        | ActionKind::Heal
        | ActionKind::SlowLink { .. }
        | ActionKind::SlowDisk { .. }
        | ActionKind::Cut { .. }
        | ActionKind::Drop { .. } => Some(Mark::Fault),
        ActionKind::Connect { .. }
        | ActionKind::Write { .. }
        | ActionKind::Read { .. }
        | ActionKind::Close { .. }
        | ActionKind::Load { .. } => Some(Mark::Client),
        ActionKind::Start { .. }
        | ActionKind::FourLetterWord { .. }
        | ActionKind::Expect { .. } => None,
        // Action kinds the core adds later (client operations, recipes).
        #[allow(unreachable_patterns)]
        _ => Some(Mark::Client),
    }
}

/// `crash {"server":2}` → `crash server 2`: the action's own fields, as
/// its scenario JSON has them (no second serializer for this).
fn action_text(l: Lang, kind: &ActionKind) -> String {
    let json = serde_json::to_string(kind).unwrap_or_default();
    let detail: String = json
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter(|f| !f.starts_with("\"do\"") && !f.ends_with("null"))
        .collect::<Vec<_>>()
        .join(", ")
        .replace('"', "")
        .replace(':', " ");
    trf(l, T::ActionMark, &[kind.name(), &detail])
}

#[component]
pub fn Transport(p: &PanelProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    if let Some(run) = m.imported.as_ref().filter(|_| m.showing_import) {
        return imported(&m, run, &p.send);
    }
    let sim = m.engine.sim();
    let frontier = m.engine.frontier_ms();
    let now = sim.now_ms();
    let mode = if let Some(t) = m.target {
        // Beyond the frontier the run is computed; before it, replayed.
        let what = if t > frontier {
            T::Computing
        } else {
            T::Replaying
        };
        trf(l, what, &[&crate::fmt_ms(t)])
    } else if m.engine.live() {
        tr(l, T::Live).to_string()
    } else {
        trf(l, T::Replay, &[&crate::fmt_ms(frontier)])
    };
    html! {
        <section class="transport" aria-label={tr(l, T::Transport)}>
            { buttons(&m, &p.send) }
            <div class="clock">
                <span class="time" data-testid="time">{ crate::fmt_ms(now) }</span>
                <span class={classes!("mode", m.engine.live().then_some("live"))} data-testid="mode">{ mode }</span>
                // Only while playing: a paused run is not trying to keep up.
                if m.lagging && m.playing {
                    <span class="lagging">{ tr(l, T::Lagging) }</span>
                }
            </div>
            <p class="status" data-testid="status">
                { trf(l, T::Status, &[&crate::fmt_ms(now), &sim.events().to_string(), &format!("0x{:016x}", sim.trace_hash())]) }
            </p>
            { timeline(&m, &p.send) }
        </section>
    }
}

/// Step back, play or pause, step, the speed, crash the leader.
fn buttons(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let on_speed = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse::<f64>() {
                send.emit(TransportMsg::SetSpeed(v).into());
            }
        })
    };
    html! {
        <div class="buttons">
            <button type="button" aria-label={tr(l, T::StepBackAria)} data-testid="step-back" onclick={on_click(send, TransportMsg::StepBack)}>{ icon(ICON_BACK) }</button>
            if m.playing {
                <button type="button" class="play" aria-label={tr(l, T::Pause)} data-testid="play" onclick={on_click(send, TransportMsg::Pause)}>{ icon(ICON_PAUSE) }</button>
            } else {
                <button type="button" class="play" aria-label={tr(l, T::Play)} data-testid="play" onclick={on_click(send, TransportMsg::Play)}>{ icon(ICON_PLAY) }</button>
            }
            <button type="button" aria-label={tr(l, T::StepAria)} data-testid="step" onclick={on_click(send, TransportMsg::StepForward)}>{ icon(ICON_STEP) }</button>
            <label class="speed">{ tr(l, T::Speed) }
                <select aria-label={tr(l, T::Speed)} data-testid="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={(*s - m.speed).abs() < 1e-9}>{ speed_label(*s) }</option>
                    }) }
                </select>
            </label>
            if !m.showing_import {
                <button type="button" class="danger" title={tr(l, T::CrashLeaderAria)} data-testid="crash-leader"
                        onclick={on_click(send, FaultMsg::CrashLeader)}>{ tr(l, T::CrashLeader) }</button>
            }
        </div>
    }
}

/// The scrubber over the whole branch (computed part, scheduled actions,
/// end), with its markers; a marker seeks to its moment (a violation's:
/// to the breaking event).
fn timeline(m: &Model, send: &Callback<Msg>) -> Html {
    let head = m.engine.head();
    let frontier = m.engine.frontier_ms();
    let last_action = head
        .scenario()
        .actions
        .iter()
        .map(|a| a.at_ms)
        .max()
        .unwrap_or(0);
    let until = head.scenario().until_ms;
    let span = frontier
        .max(last_action)
        .max(until)
        .max(m.target.unwrap_or(0))
        .max(1000);
    let span = if span == frontier {
        span + span / 10
    } else {
        span
    };
    let marks = markers(m.lang, head, span);
    scrubber(m.lang, (span, frontier, m.engine.now_ms()), marks, send)
}

/// The scrubber over `span` ms, computed up to `frontier`, at `now`.
fn scrubber(
    l: Lang,
    (span, frontier, now): (u64, u64, u64),
    marks: Vec<Group>,
    send: &Callback<Msg>,
) -> Html {
    let pct = |t: u64| {
        format!(
            "{}%",
            crate::dec(t.min(span) as f64 * 100.0 / span as f64, 3)
        )
    };
    let markers = marks.into_iter().map(|g| {
        let onclick = match g.violation {
            Some(i) => on_click(send, TransportMsg::FocusViolation(i)),
            None => on_click(send, TransportMsg::Seek(g.seek)),
        };
        let k = g.mark;
        html! {
            <button type="button" class={classes!("marker", k.class(), (g.at > frontier).then_some("future"))}
                    style={format!("left:{}", pct(g.at))} title={g.label.clone()} aria-label={g.label} {onclick}>{ k.shape() }</button>
        }
    });
    let on_scrub = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = event_input(&e) {
                if let Ok(v) = i.value().parse::<u64>() {
                    send.emit(TransportMsg::Seek(v).into());
                }
            }
        })
    };
    html! {
        <div class="timeline" data-testid="timeline">
            <div class="computed" style={format!("width:{}", pct(frontier))} />
            <div class="markers">{ for markers }</div>
            <input type="range" min="0" max={span.to_string()} step="1" value={now.to_string()}
                   aria-label={tr(l, T::Timeline)} aria-valuetext={crate::fmt_ms(now)}
                   data-testid="scrubber" oninput={on_scrub} />
        </div>
    }
}

/// The transport of an imported run: the same buttons, its clock (and
/// the wall clock the lines were written at), its timeline with what the
/// lines show (`imported::Imported::markers`), gathered as the
/// simulation's are.
fn imported(m: &Model, run: &Imported, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let now = m.import_vt as u64;
    let span = run.span_ms.max(1000);
    let marks: Vec<Marker> = run
        .markers()
        .into_iter()
        .map(|mk| {
            let (kind, text) = seen_mark(l, run, &mk);
            (mk.at, kind, text, None)
        })
        .collect();
    let marks = gather(l, marks, span);
    let shown = run.lines_until(now);
    let wall = crate::imported::wall(run.origin_ms + now as i64);
    let status = trf(
        l,
        T::ImportedStatus,
        &[
            &crate::fmt_ms(now),
            &wall,
            &shown.to_string(),
            &run.import.lines.len().to_string(),
        ],
    );
    html! {
        <section class="transport imported" aria-label={tr(l, T::Transport)}>
            { buttons(m, send) }
            <div class="clock">
                <span class="time" data-testid="time">{ crate::fmt_ms(now) }</span>
                <span class="mode" data-testid="mode">{ tr(l, T::ImportedMode) }</span>
            </div>
            <p class="status" data-testid="status">{ status }</p>
            { scrubber(l, (span, span, now), marks, send) }
        </section>
    }
}

/// A marker of an imported run: its shape and words.
fn seen_mark(l: Lang, run: &Imported, mk: &crate::imported::Marker) -> (Mark, String) {
    match mk.seen {
        Seen::Election { sid } => (Mark::Election, trf(l, T::ElectionMark, &[&sid.to_string()])),
        Seen::Leader { sid, epoch } => (
            Mark::Leader,
            trf(l, T::LeaderMark, &[&sid.to_string(), &epoch.to_string()]),
        ),
        Seen::Sync {
            learner,
            mode,
            leader,
        } => (
            Mark::Sync,
            trf(
                l,
                T::SyncMark,
                &[&learner.to_string(), mode.name(), &leader.to_string()],
            ),
        ),
        Seen::Fault => (Mark::Fault, run.line_text(mk.line)),
        Seen::Hazard => (Mark::Hazard, run.line_text(mk.line)),
    }
}

/// The timeline's buttons over `span` ms ([`gather`]).
fn markers(l: Lang, head: &Simulation, span: u64) -> Vec<Group> {
    let mut marks = protocol_marks(l, head);
    marks.extend(run_marks(l, head));
    gather(l, marks, span)
}

/// What the protocol did: leaders established, syncs, elections begun.
fn protocol_marks(l: Lang, head: &Simulation) -> Vec<Marker> {
    let mut marks: Vec<Marker> = Vec::new();
    for r in head.leaders() {
        let text = trf(
            l,
            T::LeaderMark,
            &[&r.sid.to_string(), &r.epoch.to_string()],
        );
        marks.push((r.established_ms, Mark::Leader, text, None));
    }
    for r in head.syncs() {
        let text = trf(
            l,
            T::SyncMark,
            &[&r.learner.to_string(), r.mode.name(), &r.leader.to_string()],
        );
        marks.push((r.at_ms, Mark::Sync, text, None));
    }
    let states = head.state_history();
    let mut prev_looking = std::collections::BTreeSet::new();
    for r in states.iter_from(states.first()) {
        let looking = r.life == Life::Running && r.state == ServerState::Looking;
        if looking && prev_looking.insert(r.sid) {
            let text = trf(l, T::ElectionMark, &[&r.sid.to_string()]);
            marks.push((r.at_ms, Mark::Election, text, None));
        } else if !looking {
            prev_looking.remove(&r.sid);
        }
    }
    marks
}

/// What happened to the run: the scenario's actions, hazards, violations.
fn run_marks(l: Lang, head: &Simulation) -> Vec<Marker> {
    let mut marks: Vec<Marker> = Vec::new();
    for a in &head.scenario().actions {
        if let Some(k) = action_mark(&a.kind) {
            marks.push((a.at_ms, k, action_text(l, &a.kind), None));
        }
    }
    for h in head.hazards() {
        let text = trf(l, T::HazardMark, &[h.kind, &h.detail]);
        marks.push((h.at_ms, Mark::Hazard, text, None));
    }
    for (i, v) in head.violations().iter().enumerate() {
        let text = trf(l, T::ViolationMark, &[&v.property, &v.detail]);
        marks.push((v.at_ms, Mark::Violation, text, Some(i)));
    }
    marks
}
