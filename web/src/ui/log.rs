//! The log tab: ZooKeeper's log lines of the shown run, newest first,
//! filtered by server and level (and by a lesson's highlight text);
//! clicking a line seeks to its moment. It reads `Simulation::log`, which
//! keeps the newest lines of a long run (and says when older ones rolled
//! away).

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::server::Level;

use super::widgets::input_value;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, TransportMsg, ViewMsg};

const LOG_LINES: usize = 250;

pub fn log_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let log = sim.log();
    // A lesson's highlight shows only the lines containing its text.
    let needle = m.lesson_highlight().and_then(|h| h.log.clone());
    // Newest first in the DOM; the list is drawn bottom-up (CSS
    // column-reverse), so it stays scrolled to the newest line.
    let lines: Vec<&zablab_core::sim::LogEntry> = log
        .iter()
        .rev()
        .filter(|e| m.log_server.is_none_or(|s| s == e.sid) && e.level >= m.log_level)
        .filter(|e| needle.as_ref().is_none_or(|n| e.text.contains(n.as_str())))
        .take(LOG_LINES)
        .collect();
    let items = lines.into_iter().map(|e| {
        let at = e.at_ms;
        let onclick = super::widgets::on_click(send, TransportMsg::Seek(at));
        html! {
            <li class={classes!("log-line", format!("lv-{}", e.level.name().to_lowercase()))}
                title={tr(l, T::LogLineTitle)} {onclick}>{ e.render() }</li>
        }
    });
    let sids: Vec<Sid> = sim.servers().iter().map(|s| s.sid).collect();
    html! {
        <div class="log" data-testid="log">
            { filters(m, &sids, send) }
            if let Some(t) = sim.log_rolled_before() {
                <p class="hint" data-testid="log-rolled">{ trf(l, T::LogRolled, &[&crate::fmt_ms(t), &crate::grouped(zablab_core::sim::LOG_LINES_KEPT)]) }</p>
            }
            if let Some(n) = &needle {
                <p class="hint lesson-filter" data-testid="log-filter">{ trf(l, T::LessonLogFilter, &[n]) }</p>
            }
            <ol class="log-lines mono" data-testid="log-lines" aria-live="off" tabindex="0"
                aria-label={tr(l, T::TabLog)}>{ for items }</ol>
        </div>
    }
}

/// The server and least level shown.
fn filters(m: &Model, sids: &[Sid], send: &Callback<Msg>) -> Html {
    let l: Lang = m.lang;
    let on_server = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            send.emit(ViewMsg::LogServer(input_value(&e).parse().ok()).into())
        })
    };
    let on_level = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let lv = match input_value(&e).as_str() {
                "DEBUG" => Level::Debug,
                "WARN" => Level::Warn,
                "ERROR" => Level::Error,
                _ => Level::Info,
            };
            send.emit(ViewMsg::LogLevel(lv).into());
        })
    };
    html! {
        <div class="controls">
            <label>{ tr(l, T::Server) }
                <select aria-label={tr(l, T::LogServer)} onchange={on_server} data-testid="log-server">
                    <option value="" selected={m.log_server.is_none()}>{ tr(l, T::All) }</option>
                    { for sids.iter().map(|s| html! { <option value={s.to_string()} selected={m.log_server == Some(*s)}>{ s }</option> }) }
                </select>
            </label>
            <label>{ tr(l, T::Level) }
                <select aria-label={tr(l, T::LogLevel)} onchange={on_level} data-testid="log-level">
                    { for [Level::Debug, Level::Info, Level::Warn, Level::Error].iter().map(|lv| html! {
                        <option value={lv.name()} selected={*lv == m.log_level}>{ format!("{}+", lv.name()) }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}
