//! Play, pause, step, step back, speed, crash-the-leader, the clock and
//! status line, and the timeline scrubber over the whole branch with its
//! markers (elections, epochs, syncs, faults, client actions, violations).

use yew::prelude::*;
use zablab_core::proto::ServerState;
use zablab_core::sim::Life;
use zablab_core::ActionKind;

use super::{input_value, PanelProps};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Msg, SPEEDS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Election,
    Leader,
    Sync,
    Fault,
    Client,
    Hazard,
    Violation,
}

impl Mark {
    fn class(self) -> &'static str {
        match self {
            Mark::Election => "mk-election",
            Mark::Leader => "mk-leader",
            Mark::Sync => "mk-sync",
            Mark::Fault => "mk-fault",
            Mark::Client => "mk-client",
            Mark::Hazard => "mk-hazard",
            Mark::Violation => "mk-violation",
        }
    }
}

/// A 16×16 icon (the button carries the accessible name).
fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

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
    let sim = m.engine.sim();
    let head = m.engine.head();
    let send = &p.send;
    let msg = |x: Msg| {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| send.emit(x.clone()))
    };
    let on_speed = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse::<f64>() {
                send.emit(Msg::SetSpeed(v));
            }
        })
    };

    // The timeline spans the branch: computed part, scheduled actions, end.
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
    let pct = |t: u64| {
        format!(
            "{}%",
            crate::dec(t.min(span) as f64 * 100.0 / span as f64, 3)
        )
    };

    let mut marks: Vec<(u64, Mark, String, Option<usize>)> = Vec::new();
    for r in head.leaders() {
        marks.push((
            r.established_ms,
            Mark::Leader,
            trf(
                l,
                T::LeaderMark,
                &[&r.sid.to_string(), &r.epoch.to_string()],
            ),
            None,
        ));
    }
    for r in head.syncs() {
        marks.push((
            r.at_ms,
            Mark::Sync,
            trf(
                l,
                T::SyncMark,
                &[&r.learner.to_string(), r.mode.name(), &r.leader.to_string()],
            ),
            None,
        ));
    }
    let states = head.state_history();
    let mut prev_looking = std::collections::BTreeSet::new();
    for r in states.iter_from(states.first()) {
        let looking = r.life == Life::Running && r.state == ServerState::Looking;
        if looking && prev_looking.insert(r.sid) {
            marks.push((
                r.at_ms,
                Mark::Election,
                trf(l, T::ElectionMark, &[&r.sid.to_string()]),
                None,
            ));
        } else if !looking {
            prev_looking.remove(&r.sid);
        }
    }
    for a in &head.scenario().actions {
        if let Some(k) = action_mark(&a.kind) {
            marks.push((a.at_ms, k, action_text(l, &a.kind), None));
        }
    }
    for h in head.hazards() {
        marks.push((
            h.at_ms,
            Mark::Hazard,
            trf(l, T::HazardMark, &[h.kind, &h.detail]),
            None,
        ));
    }
    for (i, v) in head.violations().iter().enumerate() {
        marks.push((
            v.at_ms,
            Mark::Violation,
            trf(l, T::ViolationMark, &[&v.property, &v.detail]),
            Some(i),
        ));
    }
    // One marker per kind and 0.2 % of the span (the first wins).
    marks.sort_by_key(|(t, k, _, _)| (*k, *t));
    let mut last: Option<(Mark, u64)> = None;
    let bucket = (span / 500).max(1);
    marks.retain(|(t, k, _, _)| {
        let b = t / bucket;
        let keep = last != Some((*k, b));
        last = Some((*k, b));
        keep
    });
    let markers = marks.into_iter().map(|(t, k, text, violation)| {
        let onclick = {
            let send = send.clone();
            Callback::from(move |_: MouseEvent| {
                send.emit(match violation {
                    Some(i) => Msg::FocusViolation(i),
                    None => Msg::Seek(t),
                })
            })
        };
        let label = format!("{} · {}", crate::fmt_ms(t), text);
        html! {
            <button type="button" class={classes!("marker", k.class(), (t > frontier).then_some("future"))}
                    style={format!("left:{}", pct(t))} title={label.clone()} aria-label={label} {onclick} />
        }
    });

    let on_scrub = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                if let Ok(v) = i.value().parse::<u64>() {
                    send.emit(Msg::Seek(v));
                }
            }
        })
    };

    let now = sim.now_ms();
    let mode = if m.target.is_some() {
        trf(l, T::Computing, &[&crate::fmt_ms(m.target.unwrap_or(0))])
    } else if m.engine.live() {
        tr(l, T::Live).to_string()
    } else {
        trf(l, T::Replay, &[&crate::fmt_ms(frontier)])
    };
    html! {
        <section class="transport" aria-label={tr(l, T::Transport)}>
            <div class="buttons">
                <button type="button" aria-label={tr(l, T::StepBackAria)} data-testid="step-back" onclick={msg(Msg::StepBack)}>{ icon("M3 2h2v12H3zM14 2v12L6 8z") }</button>
                if m.playing {
                    <button type="button" class="play" aria-label={tr(l, T::Pause)} data-testid="play" onclick={msg(Msg::Pause)}>{ icon("M3 2h4v12H3zM9 2h4v12H9z") }</button>
                } else {
                    <button type="button" class="play" aria-label={tr(l, T::Play)} data-testid="play" onclick={msg(Msg::Play)}>{ icon("M3 2v12l11-6z") }</button>
                }
                <button type="button" aria-label={tr(l, T::StepAria)} data-testid="step" onclick={msg(Msg::StepForward)}>{ icon("M2 2v12l8-6zM11 2h2v12h-2z") }</button>
                <label class="speed">{ tr(l, T::Speed) }
                    <select aria-label={tr(l, T::Speed)} data-testid="speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|s| html! {
                            <option value={s.to_string()} selected={(*s - m.speed).abs() < 1e-9}>{ speed_label(*s) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="danger" aria-label={tr(l, T::CrashLeaderAria)} data-testid="crash-leader"
                        onclick={msg(Msg::CrashLeader)}>{ tr(l, T::CrashLeader) }</button>
            </div>
            <div class="clock">
                <span class="time" data-testid="time">{ crate::fmt_ms(now) }</span>
                <span class={classes!("mode", m.engine.live().then_some("live"))} data-testid="mode">{ mode }</span>
                if m.lagging {
                    <span class="lagging">{ tr(l, T::Lagging) }</span>
                }
            </div>
            <p class="status" data-testid="status">
                { trf(l, T::Status, &[&crate::fmt_ms(now), &sim.events().to_string(), &format!("0x{:016x}", sim.trace_hash())]) }
            </p>
            <div class="timeline" data-testid="timeline">
                <div class="computed" style={format!("width:{}", pct(frontier))} />
                <div class="markers">{ for markers }</div>
                <input type="range" min="0" max={span.to_string()} step="1" value={now.to_string()}
                       aria-label={tr(l, T::Timeline)} aria-valuetext={crate::fmt_ms(now)}
                       data-testid="scrubber" oninput={on_scrub} />
            </div>
        </section>
    }
}
