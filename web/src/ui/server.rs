//! The server tab (the inspector of the selected server): its state and
//! epochs, the fault controls, what srvr/mntr measure (load, learner
//! queues), the txn log with applied and durable marks, the data tree,
//! sessions and connections, and the four-letter-word console. It reads
//! the server's view and state (`Simulation::server`,
//! `Simulation::server_state`); its controls send `FaultMsg`s.

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::server::Server;
use zablab_core::sim::ServerLoad;
use zablab_core::txn::TxnOp;
use zablab_core::zxid::Zxid;
use zablab_core::ServerView;

use super::widgets::{button, fact, on_number};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{FaultMsg, Model, Msg};

pub fn server_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let Some(sid) = m.selected.filter(|&s| sim.server(s).is_some()) else {
        return html! { <p class="hint" data-testid="select-hint">{ tr(l, T::SelectServerHint) }</p> };
    };
    let (Some(v), Some(srv)) = (sim.server(sid), sim.server_state(sid)) else {
        return html! {};
    };
    let role = if sim.is_observer(sid) {
        tr(l, T::Observer)
    } else {
        tr(l, T::Participant)
    };
    let load = sim
        .load_stats()
        .into_iter()
        .find(|x| x.sid == sid)
        .map(|x| load(l, &v, &x));
    html! {
        <div class="inspector" data-testid="inspector">
            <h2>{ trf(l, T::ServerTitle, &[&sid.to_string(), role]) }</h2>
            { controls(m, &v, send) }
            { facts(m, &v, srv) }
            { for load }
            { txn_log(m, srv) }
            { tree(l, srv) }
            { sessions(l, srv) }
            { console(m, sid, send) }
        </div>
    }
}

/// Crash (`kill -9`) or power off, or restart; pause for some seconds,
/// slow the disk.
fn controls(m: &Model, v: &ServerView, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sid = v.sid;
    let sid_s = sid.to_string();
    let f = &m.faults;
    let toggle = if v.up {
        html! {
            <>
                { button(tr(l, T::Crash), trf(l, T::CrashAria, &[&sid_s]), "crash", send, FaultMsg::Crash(sid)) }
                { button(tr(l, T::PowerOff), trf(l, T::PowerOffAria, &[&sid_s]), "power-off", send, FaultMsg::PowerOff(sid)) }
            </>
        }
    } else {
        button(
            tr(l, T::Restart),
            trf(l, T::RestartAria, &[&sid_s]),
            "restart",
            send,
            FaultMsg::Restart(sid),
        )
    };
    html! {
        <div class="controls" data-testid="server-controls">
            { toggle }
            <span class="inline">
                { button(tr(l, T::PauseFor), trf(l, T::PauseAria, &[&sid_s, &f.pause_secs.to_string()]), "pause-server", send, FaultMsg::PauseServer(sid)) }
                <input type="number" min="1" max="3600" value={f.pause_secs.to_string()} aria-label={tr(l, T::PauseSeconds)}
                       onchange={on_number(send, FaultMsg::SetPauseSecs)} />
                { tr(l, T::Seconds) }
            </span>
            <span class="inline">
                { button(tr(l, T::SlowDisk), trf(l, T::SlowDiskAria, &[&sid_s, &f.disk_ms.to_string()]), "slow-disk", send, FaultMsg::SlowDisk(sid)) }
                <input type="number" min="0" max="600000" value={f.disk_ms.to_string()} aria-label={tr(l, T::FsyncMs)}
                       onchange={on_number(send, FaultMsg::SetDiskMs)} />
                { tr(l, T::Ms) }
            </span>
        </div>
    }
}

/// State, epochs, last zxid, log and snapshot, pause and slow disk.
fn facts(m: &Model, v: &ServerView, srv: &Server) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let yes_no = |b: bool| tr(l, if b { T::Yes } else { T::No }).to_string();
    html! {
        <dl class="facts">
            { fact(tr(l, T::State), if v.paused { "PAUSED".into() } else { v.state.clone() }, "inspect-state") }
            { fact(tr(l, T::ZabStateLabel), v.zab_state.clone(), "inspect-zab") }
            { fact(tr(l, T::PeerState), v.peer_state.clone(), "inspect-peer") }
            { fact(tr(l, T::Serving), if v.paused { tr(l, T::NotServingPaused).to_string() } else { yes_no(v.serving) }, "inspect-serving") }
            { fact(tr(l, T::AcceptedEpoch), v.accepted_epoch.to_string(), "inspect-accepted") }
            { fact(tr(l, T::CurrentEpoch), v.current_epoch.to_string(), "inspect-current") }
            { fact(tr(l, T::LastZxid), v.last_zxid.to_string(), "inspect-zxid") }
            { fact(tr(l, T::TxnLog), trf(l, T::LogFlushed, &[&srv.disk.log.len().to_string(), &srv.disk.flushed.to_string()]), "inspect-log") }
            { fact(tr(l, T::Snapshot), srv.disk.newest_snapshot().map_or("—".to_string(), |s| s.zxid.to_string()), "inspect-snap") }
            if let Some(u) = sim.paused_until(v.sid) {
                { fact(tr(l, T::PausedUntil), crate::fmt_ms(u), "inspect-paused") }
            }
            if let Some(d) = sim.slow_disk_ms(v.sid) {
                { fact(tr(l, T::SlowDisk), format!("{d} ms"), "inspect-disk") }
            }
        </dl>
    }
}

/// Load: what srvr/mntr measure (`Simulation::load_stats`).
fn load(l: Lang, v: &ServerView, x: &ServerLoad) -> Html {
    let milli = |v: u64| format!("{}.{:03}", v / 1000, v % 1000);
    let queues = x.learner_queues.iter().map(|(s, d)| {
        html! { <tr key={*s} data-testid={format!("learner-queue-{s}")}><td>{ s }</td><td>{ d }</td></tr> }
    });
    html! {
        <details open=true data-testid="inspect-load">
            <summary>{ tr(l, T::Load) }</summary>
            <dl class="facts">
                { fact(tr(l, T::Outstanding), x.outstanding_requests.to_string(), "inspect-outstanding") }
                { fact(tr(l, T::LatencyMinAvgMax), format!("{}/{}/{} ms", x.latency_min_ms, milli(x.latency_avg_milli_ms), x.latency_max_ms), "inspect-latency") }
                { fact(tr(l, T::Packets), format!("{} / {}", x.packets_received, x.packets_sent), "inspect-packets") }
                { fact(tr(l, T::Connections), x.connections.to_string(), "inspect-connections") }
                if v.state == "LEADING" {
                    { fact(tr(l, T::ProposalsOutstanding), x.proposals_outstanding.to_string(), "inspect-proposals") }
                }
            </dl>
            if !x.learner_queues.is_empty() {
                <table class="queues" data-testid="learner-queues">
                    <thead><tr><th>{ tr(l, T::Learner) }</th><th>{ tr(l, T::QueuedPackets) }</th></tr></thead>
                    <tbody>{ for queues }</tbody>
                </table>
            }
        </details>
    }
}

/// A txn in the log: ZooKeeper's op name and its path.
fn op_text(l: Lang, op: &TxnOp) -> String {
    match op {
        TxnOp::Create {
            path,
            ephemeral: true,
            ..
        } => trf(l, T::EphemeralCreate, &[path]),
        TxnOp::Create { path, .. } | TxnOp::Delete { path } | TxnOp::SetData { path, .. } => {
            format!("{} {path}", op.name())
        }
        TxnOp::CloseSession { ephemerals } if !ephemerals.is_empty() => {
            trf(l, T::CloseSessionDeletes, &[&ephemerals.len().to_string()])
        }
        other => other.name().to_string(),
    }
}

/// The txn log: the newest 40, with applied (committed here) and
/// durable marks, the zxids of a focused violation, and the zxid a lesson
/// points at.
fn txn_log(m: &Model, srv: &Server) -> Html {
    let l = m.lang;
    let flagged: Vec<Zxid> = m
        .focus
        .and_then(|i| m.engine.head().violations().get(i))
        .map(|v| v.zxids.clone())
        .unwrap_or_default();
    let hl_zxid = m.lesson_highlight().and_then(|h| h.zxid.clone());
    let log = &srv.disk.log;
    let start = log.len().saturating_sub(40);
    let applied_to = srv.tree.last_processed_zxid;
    let rows = log.iter_from(start).enumerate().map(|(k, t)| {
        let i = start + k;
        let applied = t.zxid <= applied_to;
        let durable = i < srv.disk.flushed;
        let hot = flagged.contains(&t.zxid);
        let lesson = hl_zxid.as_deref().is_some_and(|z| t.zxid.to_string().eq_ignore_ascii_case(z));
        html! {
            <tr class={classes!(applied.then_some("applied"), hot.then_some("flagged"), lesson.then_some("lesson-mark"))}>
                <td class="mono">{ t.zxid.to_string() }</td>
                <td>{ op_text(l, &t.op) }</td>
                <td title={tr(l, T::AppliedTitle)}>{ if applied { "✔" } else { "…" } }</td>
                <td title={tr(l, T::DurableTitle)}>{ if durable { "●" } else { "○" } }</td>
            </tr>
        }
    });
    html! {
        <details open=true>
            <summary>{ trf(l, T::TxnLogTitle, &[&log.len().to_string()]) }</summary>
            if log.is_empty() {
                <p class="hint">{ tr(l, T::Empty) }</p>
            } else {
                <table class="txns" data-testid="txn-log">
                    <thead><tr><th>{ tr(l, T::Zxid) }</th><th>{ tr(l, T::Operation) }</th><th>{ tr(l, T::Applied) }</th><th>{ tr(l, T::Durable) }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </details>
    }
}

/// The data tree (the first 60 znodes).
fn tree(l: Lang, srv: &Server) -> Html {
    let nodes = srv.tree.nodes.iter().take(60).map(|(path, n)| {
        html! {
            <li class="mono">
                { format!("{path} = \"{}\" v{}", n.data, n.version) }
                if n.ephemeral_owner != 0 { { trf(l, T::Owner, &[&format!("0x{:x}", n.ephemeral_owner)]) } }
            </li>
        }
    });
    html! {
        <details>
            <summary>{ trf(l, T::DataTree, &[&srv.tree.nodes.len().to_string()]) }</summary>
            <ul class="tree" data-testid="data-tree">{ for nodes }</ul>
        </details>
    }
}

/// The sessions the tree knows and the server's client connections.
fn sessions(l: Lang, srv: &Server) -> Html {
    let sessions = srv.tree.sessions.iter().map(|(id, to)| {
        html! { <li class="mono">{ trf(l, T::SessionItem, &[&format!("0x{id:x}"), &to.to_string()]) }</li> }
    });
    let cnxns = srv.cnxns.iter().map(|(c, cn)| {
        html! { <li class="mono">{ trf(l, T::Connection, &[&c.to_string(), &format!("0x{:x}", cn.session), &cn.last_zxid.to_string()]) }</li> }
    });
    html! {
        <details>
            <summary>{ trf(l, T::Sessions, &[&srv.tree.sessions.len().to_string(), &srv.cnxns.len().to_string()]) }</summary>
            <ul>{ for sessions }</ul>
            <ul>{ for cnxns }</ul>
        </details>
    }
}

/// The 4lw console: a word for this server, and its last five answers.
fn console(m: &Model, sid: Sid, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let onsubmit = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            use wasm_bindgen::JsCast;
            e.prevent_default();
            let form = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let Some(form) = form {
                if let Some(input) = form
                    .query_selector("input")
                    .ok()
                    .flatten()
                    .and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    send.emit(FaultMsg::FourLw(sid, input.value()).into());
                    input.set_value("");
                }
            }
        })
    };
    let outputs = m.console.iter().rev().filter(|c| c.sid == sid).take(5).map(|c| {
        html! {
            <div class="fourlw-out">
                <div class="prompt mono">{ format!("{} $ echo {} | nc server{} 2181", crate::fmt_ms(c.at_ms), c.cmd, c.sid) }</div>
                <pre data-testid="fourlw-output">{ c.output.clone() }</pre>
            </div>
        }
    });
    html! {
        <details open=true>
            <summary>{ tr(l, T::FourLwConsole) }</summary>
            <form class="fourlw" {onsubmit} data-testid="fourlw-form">
                <input type="text" list="fourlw-words" placeholder="srvr" aria-label={trf(l, T::FourLwAria, &[&sid.to_string()])}
                       data-testid="fourlw-input" autocomplete="off" />
                <datalist id="fourlw-words">
                    { for zablab_core::fourlw::KNOWN_COMMANDS.iter().map(|c| html! { <option value={*c} /> }) }
                </datalist>
                <button type="submit">{ tr(l, T::Send) }</button>
            </form>
            <p class="hint">{ tr(l, T::FourLwHint) }</p>
            { for outputs }
        </details>
    }
}
