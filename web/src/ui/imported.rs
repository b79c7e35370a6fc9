//! An imported run in the app's places: the stage (where the cluster view
//! is: one card per server with what its lines say at the shown moment,
//! and the way back to the simulator), the inspector (the server tab:
//! everything known of each server at that moment, its last line) and
//! the event log (the real lines, filtered by server, level and text,
//! each a link to its moment). It reads `crate::imported::Imported` only;
//! it sends `ImportMsg`, `TransportMsg::Seek` and `ViewMsg`s.

use yew::prelude::*;
use zablab_core::import::{Level, PeerState};
use zablab_core::proto::Sid;

use super::widgets::{input_value, on_click};
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::{Imported, Known};
use crate::model::{ImportMsg, Model, Msg, TransportMsg, ViewMsg};

/// Lines listed at most.
const LOG_LINES: usize = 250;

fn state_class(k: &Known) -> &'static str {
    match k.phase {
        None => "st-unknown",
        Some(p) if !p.up => "st-down",
        Some(p) if p.paused => "st-paused",
        Some(p) => match p.state {
            Some(PeerState::Looking) => "st-looking",
            Some(PeerState::Following) => "st-following",
            Some(PeerState::Leading) => "st-leading",
            Some(PeerState::Observing) => "st-observing",
            None => "st-unknown",
        },
    }
}

/// The card's state: one line per word (`FOLLOWING`, `SYNCHRONIZATION`,
/// `DIFF`), so the longest of ZooKeeper's names fits a card.
fn state_lines(l: Lang, k: &Known) -> Html {
    let words = state_words(l, k);
    let parts = words
        .split(" · ")
        .map(|w| html! { <span class="word">{ w.to_string() }</span> });
    html! { <>{ for parts }</> }
}

/// `FOLLOWING · SYNCHRONIZATION · DIFF`, or why nothing is known.
fn state_words(l: Lang, k: &Known) -> String {
    match k.phase {
        None if k.lines > 0 => tr(l, T::KnownNoState).to_string(),
        None => tr(l, T::KnownNoLine).to_string(),
        Some(p) if !p.up => tr(l, T::KnownDown).to_string(),
        Some(p) if p.paused => tr(l, T::KnownPaused).to_string(),
        Some(p) => {
            let mut parts: Vec<&str> = Vec::new();
            parts.extend(p.state.map(|s| s.name()));
            parts.extend(p.zab.map(|z| z.name()));
            parts.extend(p.sync.map(|s| s.name()));
            if parts.is_empty() {
                return tr(l, T::KnownNoLine).to_string();
            }
            parts.join(" · ")
        }
    }
}

/// The left of the page while an import is shown.
pub fn stage(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let Some(run) = &m.imported else {
        return Html::default();
    };
    let first = crate::imported::wall(run.origin_ms);
    let last = crate::imported::wall(run.origin_ms + run.span_ms as i64);
    let cards = run.known_at(m.import_vt as u64).into_iter().map(|k| {
        let sid = k.sid;
        let selected = m.selected == Some(sid);
        // A diagnosis finding the user clicked marks its servers.
        let marked = m.diag_focus.as_ref().is_some_and(|f| f.servers.contains(&sid) || f.server == Some(sid));
        let leader = k.leader.map(|s| trf(l, T::KnownLeader, &[&s.to_string()]));
        let epoch = k.epoch.map(|e| trf(l, T::KnownEpoch, &[&e.to_string()]));
        let facts: Vec<String> = leader.into_iter().chain(epoch).collect();
        html! {
            <button type="button" key={sid} data-testid="imported-server"
                    class={classes!("imported-server", state_class(&k), selected.then_some("selected"), marked.then_some("diag"))}
                    aria-pressed={selected.to_string()}
                    onclick={on_click(send, ViewMsg::Select(Some(sid)))}>
                <span class="sid">{ format!("s{sid}") }</span>
                <span class="state" data-testid="imported-state">{ state_lines(l, &k) }</span>
                <span class="facts">{ facts.join(" · ") }</span>
            </button>
        }
    });
    html! {
        <section class="imported-stage" data-testid="imported-stage" aria-labelledby="imported-head">
            <div class="imported-bar">
                <h2 id="imported-head">{ trf(l, T::ImportedHead, &[&first, &last]) }</h2>
                <div class="imported-actions">
                    <button type="button" class="primary" data-testid="replay-open" title={tr(l, T::ReplayOpenTitle)}
                            onclick={on_click(send, ImportMsg::ReplayPlan)}>{ tr(l, T::ReplayOpen) }</button>
                    <button type="button" data-testid="back-to-sim"
                            onclick={on_click(send, ImportMsg::Show(false))}>{ tr(l, T::BackToSim) }</button>
                </div>
            </div>
            <div class="imported-servers">{ for cards }</div>
        </section>
    }
}

/// The inspector of an imported run: each server (the selected first).
pub fn server_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let Some(run) = &m.imported else {
        return Html::default();
    };
    let mut known = run.known_at(m.import_vt as u64);
    if let Some(s) = m.selected {
        zablab_core::sorting::sort_by_key(&mut known, |k| k.sid != s);
    }
    let items = known.iter().map(|k| known_card(l, run, k, send));
    html! {
        <div class="inspector imported" data-testid="inspector">
            <p class="hint">{ tr(l, T::InspectorImported) }</p>
            { for items }
        </div>
    }
}

fn known_card(l: Lang, run: &Imported, k: &Known, send: &Callback<Msg>) -> Html {
    let mut facts = vec![state_words(l, k)];
    facts.extend(k.leader.map(|s| trf(l, T::KnownLeader, &[&s.to_string()])));
    facts.extend(k.epoch.map(|e| trf(l, T::KnownEpoch, &[&e.to_string()])));
    facts.push(trf(l, T::KnownLines, &[&k.lines.to_string()]));
    facts.push(trf(l, T::KnownStarts, &[&k.starts.to_string()]));
    let (made, expired) = k.sessions;
    if made + expired > 0 {
        facts.push(trf(
            l,
            T::KnownSessions,
            &[&made.to_string(), &expired.to_string()],
        ));
    }
    if k.slow_fsyncs > 0 {
        facts.push(trf(l, T::KnownFsync, &[&k.slow_fsyncs.to_string()]));
    }
    let last = k.last.map(|i| {
        let at = run.line_at(i);
        html! {
            <div class="last-line mono" title={tr(l, T::LogLineTitle)}
                 onclick={on_click(send, TransportMsg::Seek(at))}>
                <span class="who">{ tr(l, T::KnownLast) }</span>{ run.line_text(i) }
            </div>
        }
    });
    html! {
        <section class="known" data-testid="known">
            <h2>{ trf(l, T::KnownTitle, &[&k.sid.to_string()]) }</h2>
            <ul>{ for facts.into_iter().map(|f| html! { <li>{ f }</li> }) }</ul>
            { for last }
        </section>
    }
}

fn level_of(lv: zablab_core::server::Level) -> Level {
    use zablab_core::server::Level as L;
    match lv {
        L::Debug => Level::Debug,
        L::Info => Level::Info,
        L::Warn => Level::Warn,
        L::Error => Level::Error,
    }
}

/// The real lines up to the shown moment, newest first.
pub fn log_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let Some(run) = &m.imported else {
        return Html::default();
    };
    let now = m.import_vt as u64;
    let level = level_of(m.log_level);
    let sid = m.log_server;
    let shown = run.log_lines(now, sid, level, &m.import.find, LOG_LINES);
    let items = shown.into_iter().map(|i| {
        let line = &run.import.lines[i];
        let at = run.line_at(i);
        let class = format!("lv-{}", line.level.name().to_lowercase());
        let text = format!(
            "{} s{} {:<5} [{}] {} - {}",
            crate::fmt_ms(at),
            line.sid,
            line.level.name(),
            line.thread,
            line.class,
            line.text
        );
        html! {
            <li key={i} class={classes!("log-line", class)} title={tr(l, T::LogLineTitle)}
                onclick={on_click(send, TransportMsg::Seek(at))}>{ text }</li>
        }
    });
    html! {
        <div class="log" data-testid="log">
            { filters(m, &run.sids, send) }
            <ol class="log-lines mono" data-testid="log-lines" aria-live="off" tabindex="0"
                aria-label={tr(l, T::TabLog)}>{ for items }</ol>
        </div>
    }
}

/// Server, least level and a text to find.
fn filters(m: &Model, sids: &[u32], send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let on_server = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let s: Option<Sid> = input_value(&e).parse().ok();
            send.emit(ViewMsg::LogServer(s).into())
        })
    };
    let on_level = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            use zablab_core::server::Level as L;
            let lv = match input_value(&e).as_str() {
                "DEBUG" => L::Debug,
                "WARN" => L::Warn,
                "ERROR" => L::Error,
                _ => L::Info,
            };
            send.emit(ViewMsg::LogLevel(lv).into());
        })
    };
    let on_find = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = super::widgets::event_input(&e) {
                send.emit(ImportMsg::Find(i.value()).into());
            }
        })
    };
    use zablab_core::server::Level as L;
    html! {
        <div class="controls">
            <label>{ tr(l, T::Server) }
                <select aria-label={tr(l, T::LogServer)} onchange={on_server} data-testid="log-server">
                    <option value="" selected={m.log_server.is_none()}>{ tr(l, T::All) }</option>
                    { for sids.iter().map(|s| html! {
                        <option value={s.to_string()} selected={m.log_server == Some(*s)}>{ s }</option>
                    }) }
                </select>
            </label>
            <label>{ tr(l, T::Level) }
                <select aria-label={tr(l, T::LogLevel)} onchange={on_level} data-testid="log-level">
                    { for [L::Debug, L::Info, L::Warn, L::Error].iter().map(|lv| html! {
                        <option value={lv.name()} selected={*lv == m.log_level}>{ format!("{}+", lv.name()) }</option>
                    }) }
                </select>
            </label>
            <label>{ tr(l, T::LogFind) }
                <input type="search" value={m.import.find.clone()} aria-label={tr(l, T::LogFindAria)}
                       data-testid="log-find" oninput={on_find} />
            </label>
        </div>
    }
}
