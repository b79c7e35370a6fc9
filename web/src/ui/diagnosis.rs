//! The diagnosis tab: `Simulation::diagnose()` at the shown moment (so it
//! follows time travel), one card per cause in the core's order (the
//! root cause first), each with its sentence, what to do, its evidence
//! (ZooKeeper's log lines, 4lw figures), the settings to look at and its
//! consequences folded under it. Clicking a finding marks its servers and links in the cluster
//! view (`ViewMsg::FocusFinding`). An imported run's findings
//! (`import::diagnose`, kept in `imported::Imported`) are drawn the same
//! way; a finding's head and each line it cites go to its moment.
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

use super::widgets::on_click;
use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::Imported;
use crate::model::{DiagFocus, Msg, TransportMsg, ViewMsg};

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

/// The one server a finding's head names: the server it is about, else
/// the only server involved (a failed start of server 3 is about server
/// 3, not the ensemble); `None` (the ensemble) when several are.
fn subject(f: &Finding) -> Option<u32> {
    match (f.server, f.servers.as_slice()) {
        (Some(s), _) => Some(s),
        (None, [only]) => Some(*only),
        _ => None,
    }
}

/// One finding: its head (click to mark its servers), its sentence, the
/// consequences a card folds (cause, then effects: the first card's are
/// open, so a presenter's screen shows the chain before the remedies),
/// what to do, its evidence and settings.
fn finding(
    l: Lang,
    f: &Finding,
    (first, run): (bool, Option<&Imported>),
    focus: Option<&DiagFocus>,
    send: &Callback<Msg>,
) -> Html {
    let (class, sev) = severity(l, f.card_severity());
    let focused = focus.is_some_and(|x| x.id == f.id && x.server == f.server);
    let who = match subject(f) {
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
        // An imported run's finding also goes to its moment.
        let seek = run.map(|_| f.at_ms);
        Callback::from(move |_| {
            send.emit(ViewMsg::FocusFinding(Some(focus.clone())).into());
            if let Some(t) = seek {
                send.emit(TransportMsg::Seek(t).into());
            }
        })
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
            if !f.consequences.is_empty() {
                <details class="consequences" open={first} data-testid="consequences">
                    <summary>{ trf(l, if f.consequences.len() == 1 { T::ConsequenceOne } else { T::ConsequencesN }, &[&n]) }</summary>
                    <ul class="findings">{ for f.consequences.iter().map(|c| finding(l, c, (false, run), focus, send)) }</ul>
                </details>
            }
            if !f.advice.is_empty() {
                <details class="advice" open={first || focused} data-testid="advice">
                    <summary>{ tr(l, T::WhatToDo) }</summary>
                    <ul>{ for f.advice.iter().map(|a| html! { <li>{ a.clone() }</li> }) }</ul>
                </details>
            }
            if more {
                <details open={focused}>
                    <summary>{ trf(l, T::EvidenceSettings, &[&f.evidence.len().to_string(), &f.settings.len().to_string()]) }</summary>
                    <ul class="evidence mono">{ for f.evidence.iter().enumerate().map(|(i, e)| evidence(l, e, cited(run, f, i), send)) }</ul>
                    <dl class="settings">
                        { for f.settings.iter().map(|s| html! {
                            <><dt class="mono">{ format!("{} = {}", s.name, s.value) }</dt><dd>{ s.why.clone() }</dd></>
                        }) }
                    </dl>
                </details>
            }
        </li>
    }
}

/// The moment of evidence line `i` of `f`, when it cites an imported line.
fn cited(run: Option<&Imported>, f: &Finding, i: usize) -> Option<u64> {
    let run = run?;
    f.cites.get(i).map(|&line| run.line_at(line))
}

/// One line of evidence; a cited line of an import is a link to its moment.
fn evidence(l: Lang, e: &str, at: Option<u64>, send: &Callback<Msg>) -> Html {
    match at {
        Some(t) => html! {
            <li class="cited" data-testid="cited-line" title={tr(l, T::LogLineTitle)}
                onclick={on_click(send, TransportMsg::Seek(t))}>{ e.to_string() }</li>
        },
        None => html! { <li>{ e.to_string() }</li> },
    }
}

/// Findings of an import drawn at first, and added by each "Show more":
/// weeks of logs can hold thousands of findings, each a card to draw.
const LISTED: usize = 40;

/// An imported run's diagnosis: findings of the whole logs (import-replay's
/// `import::diagnose`, computed once when the import was read), ranked;
/// the first `listed` drawn.
fn imported_tab(
    l: Lang,
    run: &Imported,
    (focus, listed): (Option<&DiagFocus>, &UseStateHandle<usize>),
    send: &Callback<Msg>,
) -> Html {
    let n = (**listed).min(run.findings.len());
    let items = run.findings[..n]
        .iter()
        .enumerate()
        .map(|(i, f)| finding(l, f, (i == 0, Some(run)), focus, send));
    let rest = run.findings.len() - n;
    let more = {
        let listed = listed.clone();
        Callback::from(move |_: MouseEvent| listed.set(*listed + LISTED * 5))
    };
    html! {
        <div class="diagnosis" data-testid="diagnosis">
            <p class="hint" data-testid="imported-diagnosis">{ tr(l, T::DiagImported) }</p>
            if run.findings.is_empty() {
                <p class="ok" data-testid="diag-empty">{ tr(l, T::DiagNothing) }</p>
            } else {
                <ul class="findings">{ for items }</ul>
            }
            if rest > 0 {
                <button type="button" data-testid="diag-more" onclick={more}>
                    { trf(l, T::DiagMore, &[&rest.min(LISTED * 5).to_string(), &rest.to_string()]) }
                </button>
            }
        </div>
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
    let listed = use_state(|| LISTED);
    if let Some(run) = m.imported.as_ref().filter(|_| m.showing_import) {
        return imported_tab(l, run, (focus, &listed), &p.send);
    }
    let d = &*memo;
    // The core ranks the cards (the root cause first); kept as they come.
    let items = d
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| finding(l, f, (i == 0, None), focus, &p.send));
    let cost = COST.with(|c| c.borrow().summary_of("refreshes"));
    // In presenter mode the room has been told what the tab is: one line,
    // so the first cards' sentences stay on the screen.
    let hint = if m.presenter {
        T::DiagHintShort
    } else {
        T::DiagHint
    };
    html! {
        <div class="diagnosis" data-testid="diagnosis">
            <p class="hint">{ trf(l, hint, &[&crate::fmt_ms(d.at_ms)]) }</p>
            if d.findings.is_empty() {
                <p class="ok" data-testid="diag-empty">{ tr(l, T::DiagNothing) }</p>
            } else {
                <ul class="findings">{ for items }</ul>
            }
            <span hidden=true data-testid="diag-cost">{ cost }</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_names_its_one_server_and_else_the_ensemble() {
        let mut f = Finding::new("not_started", Severity::Warning, 0, String::new());
        assert_eq!(subject(&f), None);
        f.servers = vec![3];
        assert_eq!(subject(&f), Some(3), "a failed start of server 3 alone");
        f.servers = vec![1, 2, 3];
        assert_eq!(subject(&f), None, "three servers: the ensemble");
        f.server = Some(2);
        assert_eq!(subject(&f), Some(2), "the server it is about, named");
    }
}
