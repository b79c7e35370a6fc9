//! The invariants tab: each ZAB property (`sim::property_names`) holding,
//! broken now, or broken later on this branch (with Go); the violations
//! found with their servers and zxids; the hazards (ZooKeeper behaviour
//! an application must know, not bugs); and the actions the core refused.
//! It reads the shown run and the frontier (`Engine::head`).

use yew::prelude::*;
use zablab_core::sim::{property_names, Hazard};
use zablab_core::Violation;

use super::widgets::button;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, TransportMsg};

pub fn invariants_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let head = m.engine.head().violations();
    let head_hazards = m.engine.head().hazards();
    let errors = m.engine.sim().action_errors();
    let error_items = errors.iter().rev().take(10).map(|e| {
        html! { <li class="mono">{ format!("{} {}: {}", crate::fmt_ms(e.at_ms), e.action, e.error) }</li> }
    });
    html! {
        <div class="invariants" data-testid="invariants">
            <p class="hint">{ tr(l, T::InvariantsHint) }</p>
            { properties(m, send) }
            if !head.is_empty() {
                <h2>{ tr(l, T::Violations) }</h2>
                { violations(l, head, m.focus) }
            }
            if !head_hazards.is_empty() {
                <h2>{ tr(l, T::Hazards) }</h2>
                <p class="hint">{ tr(l, T::HazardsHint) }</p>
                { hazards(l, head_hazards, m.engine.now_ms(), send) }
            }
            if !errors.is_empty() {
                <h2>{ tr(l, T::ActionErrors) }</h2>
                <ul>{ for error_items }</ul>
            }
        </div>
    }
}

/// Each property: holds, violated at (shown run), or violated later
/// (the frontier, with Go).
fn properties(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let shown = m.engine.sim().violations();
    let head = m.engine.head().violations();
    let hl_prop = m.lesson_highlight().and_then(|h| h.property.clone());
    let rows = property_names().into_iter().map(|name| {
        let now = shown.iter().find(|v| v.property == name);
        let later = head.iter().position(|v| v.property == name);
        let (class, status) = match (now, later) {
            (Some(v), _) => ("bad", trf(l, T::ViolatedAt, &[&crate::fmt_ms(v.at_ms)])),
            (None, Some(i)) => ("later", trf(l, T::ViolatedLater, &[&crate::fmt_ms(head[i].at_ms)])),
            (None, None) => ("ok", tr(l, T::Holds).to_string()),
        };
        let focused = later.is_some() && m.focus == later;
        html! {
            <li key={name} class={classes!("prop", class, focused.then_some("focused"), (hl_prop.as_deref() == Some(name)).then_some("lesson-mark"))} data-testid={format!("prop-{name}")}>
                <span class="prop-name">{ name }</span>
                <span class="prop-status">{ status }</span>
                if let Some(i) = later {
                    { button(tr(l, T::Jump), trf(l, T::JumpAria, &[name]), "jump", send, TransportMsg::FocusViolation(i)) }
                }
            </li>
        }
    });
    html! { <ul class="props">{ for rows }</ul> }
}

/// The frontier's violations, the focused one marked.
fn violations(l: Lang, head: &[Violation], focus: Option<usize>) -> Html {
    let details = head.iter().enumerate().map(|(i, v)| {
        let zx: Vec<String> = v.zxids.iter().map(|z| z.to_string()).collect();
        let sv: Vec<String> = v.servers.iter().map(|s| s.to_string()).collect();
        html! {
            <li class={classes!("violation", (focus == Some(i)).then_some("focused"))} data-testid="violation">
                <strong>{ v.property.clone() }</strong>
                { format!(" · {} · ", crate::fmt_ms(v.at_ms)) }
                { trf(l, T::ViolationWho, &[&sv.join(", "), &zx.join(", ")]) }
                <p>{ v.detail.clone() }</p>
            </li>
        }
    });
    html! { <ul class="violations">{ for details }</ul> }
}

/// The frontier's hazards (those after the shown moment marked later),
/// each with what it means and a jump to it.
fn hazards(l: Lang, hazards: &[Hazard], now_ms: u64, send: &Callback<Msg>) -> Html {
    let items = hazards.iter().map(|h| {
        let at = h.at_ms;
        let explain = match h.kind {
            "LockHolderExpired" => tr(l, T::HazardLockExplained),
            "SyncReadNotLinearizable" => tr(l, T::HazardSyncExplained),
            _ => "",
        };
        html! {
            <li class={classes!("hazard", (at > now_ms).then_some("later"))} data-testid={format!("hazard-{}", h.kind)}>
                <strong>{ format!("⚠ {}", h.kind) }</strong>
                { format!(" · {} · {} ", crate::fmt_ms(at), h.clients.join(", ")) }
                { button(tr(l, T::Jump), trf(l, T::HazardJumpAria, &[h.kind, &crate::fmt_ms(at)]), "hazard-jump", send, TransportMsg::Seek(at)) }
                <p>{ explain }</p>
                <p class="detail">{ h.detail.clone() }</p>
            </li>
        }
    });
    html! { <ul class="hazards">{ for items }</ul> }
}
