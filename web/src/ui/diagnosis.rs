//! The diagnosis tab: `Simulation::diagnose()` at the shown moment (so it
//! follows time travel), one card per cause in the core's order (the
//! root cause first), each with its sentence, what to do, its evidence
//! (ZooKeeper's log lines, 4lw figures), the settings to look at and its
//! consequences folded under it. Clicking a finding marks its servers and links in the cluster
//! view (`ViewMsg::FocusFinding`).
//!
//! Cost: the diagnosis is a pure function of the shown state, computed
//! once per state (memoised on the run, event count and time) and only
//! while this tab is open; the side panel refreshes at most five times a
//! second while playing. Its cost per refresh (count, p50, p95, max) is
//! kept in a hidden `diag-cost` element (the e2e run reports it).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;
use zablab_core::diagnosis::{Diagnosis, Finding, Severity};

use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{DiagFocus, Msg, ViewMsg};

thread_local! {
    /// The diagnosis's cost per refresh, in ms (the last 600).
    static COST: RefCell<crate::perf::FrameStats> = RefCell::default();
}

fn severity(l: Lang, s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Critical => ("sev-critical", tr(l, T::SevCritical)),
        Severity::Warning => ("sev-warning", tr(l, T::SevWarning)),
        Severity::Info => ("sev-info", tr(l, T::SevInfo)),
    }
}

fn focus_of(f: &Finding) -> DiagFocus {
    DiagFocus {
        id: f.id,
        server: f.server,
        servers: f.servers.clone(),
        links: f.links.iter().map(|k| (k.from, k.to)).collect(),
    }
}

/// One finding: its head (click to mark its servers), its sentence, what
/// to do, its evidence and settings; a card also folds its consequences.
fn finding(
    l: Lang,
    f: &Finding,
    first: bool,
    focus: Option<&DiagFocus>,
    send: &Callback<Msg>,
) -> Html {
    let (class, sev) = severity(l, f.card_severity());
    let focused = focus.is_some_and(|x| x.id == f.id && x.server == f.server);
    let who = match f.server {
        Some(s) => trf(l, T::ServerN, &[&s.to_string()]),
        None => tr(l, T::Ensemble).to_string(),
    };
    let when = match (f.now, f.until_ms) {
        (true, _) => tr(l, T::Now).to_string(),
        (false, Some(u)) => format!("{}–{}", crate::fmt_ms(f.at_ms), crate::fmt_ms(u)),
        (false, None) => crate::fmt_ms(f.at_ms),
    };
    let onclick = {
        let send = send.clone();
        let focus = focus_of(f);
        Callback::from(move |_| send.emit(ViewMsg::FocusFinding(Some(focus.clone())).into()))
    };
    let aria = trf(l, T::FindingAria, &[f.id, sev, &who]);
    let more = !f.evidence.is_empty() || !f.settings.is_empty();
    let n = f.consequences.len().to_string();
    html! {
        <li class={classes!("finding", class, (!f.card_now()).then_some("past"), focused.then_some("focused"))}
            data-testid={format!("finding-{}", f.id)}>
            <button type="button" class="finding-head" aria-label={format!("{sev} {} · {who} · {when}. {aria}", f.id)} aria-pressed={focused.to_string()} {onclick}>
                <span class="sev">{ sev }</span>
                <strong>{ f.id }</strong>
                { format!(" · {who} · {when}") }
            </button>
            <p>{ f.text.clone() }</p>
            if !f.advice.is_empty() {
                <details class="advice" open={first || focused} data-testid="advice">
                    <summary>{ tr(l, T::WhatToDo) }</summary>
                    <ul>{ for f.advice.iter().map(|a| html! { <li>{ a.clone() }</li> }) }</ul>
                </details>
            }
            if more {
                <details open={focused}>
                    <summary>{ trf(l, T::EvidenceSettings, &[&f.evidence.len().to_string(), &f.settings.len().to_string()]) }</summary>
                    <ul class="evidence mono">{ for f.evidence.iter().map(|e| html! { <li>{ e.clone() }</li> }) }</ul>
                    <dl class="settings">
                        { for f.settings.iter().map(|s| html! {
                            <><dt class="mono">{ format!("{} = {}", s.name, s.value) }</dt><dd>{ s.why.clone() }</dd></>
                        }) }
                    </dl>
                </details>
            }
            if !f.consequences.is_empty() {
                <details class="consequences" open={first} data-testid="consequences">
                    <summary>{ trf(l, if f.consequences.len() == 1 { T::ConsequenceOne } else { T::ConsequencesN }, &[&n]) }</summary>
                    <ul class="findings">{ for f.consequences.iter().map(|c| finding(l, c, false, focus, send)) }</ul>
                </details>
            }
        </li>
    }
}

#[component]
pub fn DiagnosisTab(p: &PanelProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    let sim = m.engine.sim();
    let key = (
        m.generation,
        m.engine.active_branch(),
        sim.events(),
        sim.now_ms(),
    );
    let model = p.model.clone();
    let memo: Rc<Diagnosis> = use_memo(key, move |_| {
        let m = model.get();
        let t0 = crate::browser::now();
        let d = m.engine.sim().diagnose();
        let ms = crate::browser::now() - t0;
        COST.with(|c| c.borrow_mut().push(ms));
        d
    });
    let focus = m.diag_focus.as_ref();
    let d = &*memo;
    // The core ranks the cards (the root cause first); kept as they come.
    let items = d
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| finding(l, f, i == 0, focus, &p.send));
    let cost = COST.with(|c| c.borrow().summary_of("refreshes"));
    html! {
        <div class="diagnosis" data-testid="diagnosis">
            <p class="hint">{ trf(l, T::DiagHint, &[&crate::fmt_ms(d.at_ms)]) }</p>
            if d.findings.is_empty() {
                <p class="ok" data-testid="diag-empty">{ tr(l, T::DiagNothing) }</p>
            } else {
                <ul class="findings">{ for items }</ul>
            }
            <span hidden=true data-testid="diag-cost">{ cost }</span>
        </div>
    }
}
