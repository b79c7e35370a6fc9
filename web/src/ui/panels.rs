//! The side panels, one tab each: the server inspector (state and
//! epochs, controls, load, txn log with committed marks, data tree,
//! sessions, 4lw console), the network (partition with clients' sides,
//! one-way cut, slow link, drop), clients (`clients.rs`), the event log,
//! the invariants with the hazards, and the diagnosis (`diagnosis.rs`).

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::server::Level;
use zablab_core::sim::property_names;
use zablab_core::txn::TxnOp;
use zablab_core::zxid::Zxid;

use super::clients::clients_tab;
use super::diagnosis::DiagnosisTab;
use super::{button, input_value, on_number, PanelProps};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, Tab};

const TABS: [(Tab, T, &str); 6] = [
    (Tab::Server, T::TabServer, "tab-server"),
    (Tab::Network, T::TabNetwork, "tab-network"),
    (Tab::Clients, T::TabClients, "tab-clients"),
    (Tab::Log, T::TabLog, "tab-log"),
    (Tab::Invariants, T::TabInvariants, "tab-invariants"),
    (Tab::Diagnosis, T::TabDiagnosis, "tab-diagnosis"),
];

#[component]
pub fn SidePanel(p: &PanelProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    let violations = m.engine.sim().violations().len();
    let hazards = m.engine.sim().hazards().len();
    let tabs = TABS.iter().map(|(tab, label, id)| {
        let selected = m.tab == *tab;
        let onclick = {
            let send = p.send.clone();
            let tab = *tab;
            Callback::from(move |_| send.emit(Msg::Tab(tab)))
        };
        let inv = *tab == Tab::Invariants;
        let badge = (inv && violations > 0).then(|| violations.to_string());
        let hazard = (inv && hazards > 0).then(|| hazards.to_string());
        html! {
            <button type="button" role="tab" id={*id} aria-selected={selected.to_string()}
                    aria-controls="side-body" data-testid={*id}
                    class={classes!("tab", selected.then_some("active"))} {onclick}>
                { tr(l, *label) }
                if let Some(b) = badge { <span class="badge">{ b }</span> }
                if let Some(h) = hazard { <span class="badge hazard" title={tr(l, T::HazardsTitle)}>{ h }</span> }
            </button>
        }
    });
    let body = match m.tab {
        Tab::Server => server_tab(&m, &p.send),
        Tab::Network => network_tab(&m, &p.send),
        Tab::Clients => clients_tab(&m, &p.send),
        Tab::Log => log_tab(&m, &p.send),
        Tab::Invariants => invariants_tab(&m, &p.send),
        Tab::Diagnosis => {
            html! { <DiagnosisTab model={p.model.clone()} rev={p.rev} send={p.send.clone()} /> }
        }
    };
    let active = TABS
        .iter()
        .find(|t| t.0 == m.tab)
        .map_or("tab-server", |t| t.2);
    html! {
        <aside class="side">
            <div class="tabs" role="tablist" aria-label={tr(l, T::Panels)}>{ for tabs }</div>
            <div class="side-body" id="side-body" role="tabpanel" aria-labelledby={active}>{ body }</div>
        </aside>
    }
}

fn fact(label: &'static str, value: String, testid: &'static str) -> Html {
    html! { <><dt>{ label }</dt><dd data-testid={testid}>{ value }</dd></> }
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

fn server_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let Some(sid) = m.selected.filter(|&s| sim.server(s).is_some()) else {
        return html! { <p class="hint" data-testid="select-hint">{ tr(l, T::SelectServerHint) }</p> };
    };
    let (Some(v), Some(srv)) = (sim.server(sid), sim.server_state(sid)) else {
        return html! {};
    };
    let flagged: Vec<Zxid> = m
        .focus
        .and_then(|i| m.engine.head().violations().get(i))
        .map(|v| v.zxids.clone())
        .unwrap_or_default();
    let role = if sim.is_observer(sid) {
        tr(l, T::Observer)
    } else {
        tr(l, T::Participant)
    };
    let sid_s = sid.to_string();

    // Controls.
    let toggle = if v.up {
        button(
            tr(l, T::Crash),
            trf(l, T::CrashAria, &[&sid_s]),
            "crash",
            send,
            Msg::Crash(sid),
        )
    } else {
        button(
            tr(l, T::Restart),
            trf(l, T::RestartAria, &[&sid_s]),
            "restart",
            send,
            Msg::Restart(sid),
        )
    };
    let controls = html! {
        <div class="controls" data-testid="server-controls">
            { toggle }
            <span class="inline">
                { button(tr(l, T::PauseFor), trf(l, T::PauseAria, &[&sid_s, &m.pause_secs.to_string()]), "pause-server", send, Msg::PauseServer(sid)) }
                <input type="number" min="1" max="3600" value={m.pause_secs.to_string()} aria-label={tr(l, T::PauseSeconds)}
                       onchange={on_number(send, Msg::SetPauseSecs)} />
                { tr(l, T::Seconds) }
            </span>
            <span class="inline">
                { button(tr(l, T::SlowDisk), trf(l, T::SlowDiskAria, &[&sid_s, &m.disk_ms.to_string()]), "slow-disk", send, Msg::SlowDisk(sid)) }
                <input type="number" min="0" max="600000" value={m.disk_ms.to_string()} aria-label={tr(l, T::FsyncMs)}
                       onchange={on_number(send, Msg::SetDiskMs)} />
                { tr(l, T::Ms) }
            </span>
        </div>
    };

    let yes_no = |b: bool| tr(l, if b { T::Yes } else { T::No }).to_string();
    let facts = html! {
        <dl class="facts">
            { fact(tr(l, T::State), if v.paused { "PAUSED".into() } else { v.state.clone() }, "inspect-state") }
            { fact(tr(l, T::ZabStateLabel), v.zab_state.clone(), "inspect-zab") }
            { fact(tr(l, T::PeerState), v.peer_state.clone(), "inspect-peer") }
            { fact(tr(l, T::Serving), yes_no(v.serving), "inspect-serving") }
            { fact(tr(l, T::AcceptedEpoch), v.accepted_epoch.to_string(), "inspect-accepted") }
            { fact(tr(l, T::CurrentEpoch), v.current_epoch.to_string(), "inspect-current") }
            { fact(tr(l, T::LastZxid), v.last_zxid.to_string(), "inspect-zxid") }
            { fact(tr(l, T::TxnLog), trf(l, T::LogFlushed, &[&srv.disk.log.len().to_string(), &srv.disk.flushed.to_string()]), "inspect-log") }
            { fact(tr(l, T::Snapshot), srv.disk.snapshot.as_ref().map_or("—".to_string(), |s| s.zxid.to_string()), "inspect-snap") }
            if let Some(u) = sim.paused_until(sid) {
                { fact(tr(l, T::PausedUntil), crate::fmt_ms(u), "inspect-paused") }
            }
            if let Some(d) = sim.slow_disk_ms(sid) {
                { fact(tr(l, T::SlowDisk), format!("{d} ms"), "inspect-disk") }
            }
        </dl>
    };

    // Load: what srvr/mntr measure (Simulation::load_stats).
    let load = sim.load_stats().into_iter().find(|x| x.sid == sid).map(|x| {
        let milli = |v: u64| format!("{}.{:03}", v / 1000, v % 1000);
        let queues = x.learner_queues.iter().map(|(s, d)| {
            html! { <tr data-testid={format!("learner-queue-{s}")}><td>{ s }</td><td>{ d }</td></tr> }
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
    });

    // Txn log: the newest 40, with applied (committed here) and durable
    // marks, and the zxid a lesson points at.
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
    let txn_log = html! {
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
    };

    let nodes = srv.tree.nodes.iter().take(60).map(|(path, n)| {
        html! {
            <li class="mono">
                { format!("{path} = \"{}\" v{}", n.data, n.version) }
                if n.ephemeral_owner != 0 { { trf(l, T::Owner, &[&format!("0x{:x}", n.ephemeral_owner)]) } }
            </li>
        }
    });
    let tree = html! {
        <details>
            <summary>{ trf(l, T::DataTree, &[&srv.tree.nodes.len().to_string()]) }</summary>
            <ul class="tree" data-testid="data-tree">{ for nodes }</ul>
        </details>
    };
    let sessions = srv.tree.sessions.iter().map(|(id, to)| {
        html! { <li class="mono">{ trf(l, T::SessionItem, &[&format!("0x{id:x}"), &to.to_string()]) }</li> }
    });
    let cnxns = srv.cnxns.iter().map(|(c, cn)| {
        html! { <li class="mono">{ trf(l, T::Connection, &[&c.to_string(), &format!("0x{:x}", cn.session), &cn.last_zxid.to_string()]) }</li> }
    });
    let sess = html! {
        <details>
            <summary>{ trf(l, T::Sessions, &[&srv.tree.sessions.len().to_string(), &srv.cnxns.len().to_string()]) }</summary>
            <ul>{ for sessions }</ul>
            <ul>{ for cnxns }</ul>
        </details>
    };

    // The 4lw console.
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
                    send.emit(Msg::FourLw(sid, input.value()));
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
    let console = html! {
        <details open=true>
            <summary>{ tr(l, T::FourLwConsole) }</summary>
            <form class="fourlw" {onsubmit} data-testid="fourlw-form">
                <input type="text" list="fourlw-words" placeholder="srvr" aria-label={trf(l, T::FourLwAria, &[&sid_s])}
                       data-testid="fourlw-input" autocomplete="off" />
                <datalist id="fourlw-words">
                    { for zablab_core::fourlw::KNOWN_COMMANDS.iter().map(|c| html! { <option value={*c} /> }) }
                </datalist>
                <button type="submit">{ tr(l, T::Send) }</button>
            </form>
            <p class="hint">{ tr(l, T::FourLwHint) }</p>
            { for outputs }
        </details>
    };

    html! {
        <div class="inspector" data-testid="inspector">
            <h2>{ trf(l, T::ServerTitle, &[&sid_s, role]) }</h2>
            { controls }
            { facts }
            { for load }
            { txn_log }
            { tree }
            { sess }
            { console }
        </div>
    }
}

pub(super) fn sid_select(
    l: Lang,
    label: T,
    value: Sid,
    sids: &[Sid],
    send: &Callback<Msg>,
    make: fn(Sid) -> Msg,
    testid: &'static str,
) -> Html {
    let onchange = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(s) = input_value(&e).parse() {
                send.emit(make(s));
            }
        })
    };
    html! {
        <label>{ tr(l, label) }
            <select aria-label={tr(l, label)} {onchange} data-testid={testid}>
                { for sids.iter().map(|s| html! { <option value={s.to_string()} selected={*s == value}>{ s }</option> }) }
            </select>
        </label>
    }
}

fn network_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let sids: Vec<Sid> = sim.servers().iter().map(|s| s.sid).collect();
    let groups = sids.iter().map(|&s| {
        let g = m.groups.get(&s).copied().unwrap_or(0);
        let onchange = {
            let send = send.clone();
            Callback::from(move |e: Event| {
                if let Ok(g) = input_value(&e).parse() {
                    send.emit(Msg::GroupOf(s, g));
                }
            })
        };
        html! {
            <label class="group-pick">{ s }
                <select aria-label={trf(l, T::GroupOf, &[&s.to_string()])} {onchange} data-testid={format!("group-{s}")}>
                    { for (0u8..3).map(|k| html! {
                        <option value={k.to_string()} selected={k == g}>{ ((b'A' + k) as char).to_string() }</option>
                    }) }
                </select>
            </label>
        }
    });
    let names: Vec<String> = sim
        .clients_view()
        .into_iter()
        .filter(|c| !matches!(c.state, "CLOSED" | "EXPIRED"))
        .map(|c| c.name)
        .collect();
    let client_sides = names.iter().map(|name| {
        let g = m.client_groups.get(name).copied();
        let onchange = {
            let send = send.clone();
            let name = name.clone();
            Callback::from(move |e: Event| {
                send.emit(Msg::ClientGroup(name.clone(), input_value(&e).parse().ok()))
            })
        };
        html! {
            <label class="group-pick">{ name.clone() }
                <select aria-label={trf(l, T::SideOf, &[name])} {onchange} data-testid={format!("client-group-{name}")}>
                    <option value="" selected={g.is_none()}>{ tr(l, T::AnySide) }</option>
                    { for (0u8..3).map(|k| html! {
                        <option value={k.to_string()} selected={g == Some(k)}>{ ((b'A' + k) as char).to_string() }</option>
                    }) }
                </select>
            </label>
        }
    });
    let links = sim.links();
    // Which servers each client placed on a side cannot reach.
    let mut client_cuts: Vec<(String, Vec<String>)> = Vec::new();
    for (c, sid) in sim.client_cuts() {
        match client_cuts.last_mut() {
            Some((last, v)) if *last == c => v.push(sid.to_string()),
            _ => client_cuts.push((c, vec![sid.to_string()])),
        }
    }
    let state = if links.cuts.is_empty()
        && links.slow.is_empty()
        && links.drop_next.is_empty()
        && client_cuts.is_empty()
    {
        html! { <p class="hint" data-testid="network-state">{ tr(l, T::NetworkHealthy) }</p> }
    } else {
        html! {
            <ul data-testid="network-state">
                { for links.cuts.iter().map(|(a, b)| html! { <li>{ trf(l, T::CutItem, &[&a.to_string(), &b.to_string()]) }</li> }) }
                { for links.slow.iter().map(|(a, b, ms)| html! { <li>{ trf(l, T::SlowItem, &[&a.to_string(), &b.to_string(), &ms.to_string()]) }</li> }) }
                { for links.drop_next.iter().map(|(a, b)| html! { <li>{ trf(l, T::DropItem, &[&a.to_string(), &b.to_string()]) }</li> }) }
                { for client_cuts.iter().map(|(c, v)| html! { <li>{ trf(l, T::ClientCutItem, &[c, &v.join(", ")]) }</li> }) }
            </ul>
        }
    };
    html! {
        <div class="network" data-testid="network">
            <h2>{ tr(l, T::Partition) }</h2>
            <p class="hint">{ tr(l, T::PartitionHint) }</p>
            <div class="groups">{ for groups }</div>
            if !names.is_empty() {
                <p class="hint">{ tr(l, T::ClientSidesHint) }</p>
                <div class="groups" data-testid="client-sides">{ for client_sides }</div>
            }
            <div class="controls">
                { button(tr(l, T::ApplyPartition), tr(l, T::ApplyPartition).to_string(), "apply-partition", send, Msg::ApplyPartition) }
                { button(tr(l, T::Heal), tr(l, T::HealAria).to_string(), "heal", send, Msg::Heal) }
            </div>
            <h2>{ tr(l, T::OneLink) }</h2>
            <div class="controls">
                { sid_select(l, T::From, m.link_from, &sids, send, Msg::SetLinkFrom, "link-from") }
                { sid_select(l, T::To, m.link_to, &sids, send, Msg::SetLinkTo, "link-to") }
            </div>
            <div class="controls">
                { button(tr(l, T::CutOneWay), trf(l, T::CutAria, &[&m.link_from.to_string(), &m.link_to.to_string()]), "cut", send, Msg::Cut) }
                { button(tr(l, T::DropNext), trf(l, T::DropAria, &[&m.link_from.to_string(), &m.link_to.to_string()]), "drop", send, Msg::DropNext) }
                <span class="inline">
                    { button(tr(l, T::SlowLink), trf(l, T::SlowLinkAria, &[&m.link_from.to_string(), &m.link_to.to_string(), &m.slow_ms.to_string()]), "slow-link", send, Msg::SlowLink) }
                    <input type="number" min="0" max="600000" value={m.slow_ms.to_string()} aria-label={tr(l, T::LatencyMs)}
                           onchange={on_number(send, Msg::SetSlowMs)} />
                    { tr(l, T::Ms) }
                </span>
            </div>
            <h2>{ tr(l, T::NetworkNow) }</h2>
            { state }
        </div>
    }
}

const LOG_LINES: usize = 250;

fn log_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let sids: Vec<Sid> = sim.servers().iter().map(|s| s.sid).collect();
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
    let on_server = {
        let send = send.clone();
        Callback::from(move |e: Event| send.emit(Msg::LogServer(input_value(&e).parse().ok())))
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
            send.emit(Msg::LogLevel(lv));
        })
    };
    let items = lines.into_iter().map(|e| {
        let at = e.at_ms;
        let onclick = {
            let send = send.clone();
            Callback::from(move |_| send.emit(Msg::Seek(at)))
        };
        html! {
            <li class={classes!("log-line", format!("lv-{}", e.level.name().to_lowercase()))}
                title={tr(l, T::LogLineTitle)} {onclick}>{ e.render() }</li>
        }
    });
    html! {
        <div class="log" data-testid="log">
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
            if let Some(n) = &needle {
                <p class="hint lesson-filter" data-testid="log-filter">{ trf(l, T::LessonLogFilter, &[n]) }</p>
            }
            <ol class="log-lines mono" data-testid="log-lines" aria-live="off">{ for items }</ol>
        </div>
    }
}

fn invariants_tab(m: &Model, send: &Callback<Msg>) -> Html {
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
            <li class={classes!("prop", class, focused.then_some("focused"), (hl_prop.as_deref() == Some(name)).then_some("lesson-mark"))} data-testid={format!("prop-{name}")}>
                <span class="prop-name">{ name }</span>
                <span class="prop-status">{ status }</span>
                if let Some(i) = later {
                    { button(tr(l, T::Jump), trf(l, T::JumpAria, &[name]), "jump", send, Msg::FocusViolation(i)) }
                }
            </li>
        }
    });
    let details = head.iter().enumerate().map(|(i, v)| {
        let zx: Vec<String> = v.zxids.iter().map(|z| z.to_string()).collect();
        let sv: Vec<String> = v.servers.iter().map(|s| s.to_string()).collect();
        html! {
            <li class={classes!("violation", (m.focus == Some(i)).then_some("focused"))} data-testid="violation">
                <strong>{ v.property.clone() }</strong>
                { format!(" · {} · ", crate::fmt_ms(v.at_ms)) }
                { trf(l, T::ViolationWho, &[&sv.join(", "), &zx.join(", ")]) }
                <p>{ v.detail.clone() }</p>
            </li>
        }
    });
    let errors = m.engine.sim().action_errors().iter().rev().take(10).map(|e| {
        html! { <li class="mono">{ format!("{} {}: {}", crate::fmt_ms(e.at_ms), e.action, e.error) }</li> }
    });
    let has_errors = !m.engine.sim().action_errors().is_empty();
    let now_ms = m.engine.now_ms();
    let head_hazards = m.engine.head().hazards();
    let hazards = head_hazards.iter().map(|h| {
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
                { button(tr(l, T::Jump), trf(l, T::HazardJumpAria, &[h.kind, &crate::fmt_ms(at)]), "hazard-jump", send, Msg::Seek(at)) }
                <p>{ explain }</p>
                <p class="detail">{ h.detail.clone() }</p>
            </li>
        }
    });
    html! {
        <div class="invariants" data-testid="invariants">
            <p class="hint">{ tr(l, T::InvariantsHint) }</p>
            <ul class="props">{ for rows }</ul>
            if !head.is_empty() {
                <h2>{ tr(l, T::Violations) }</h2>
                <ul class="violations">{ for details }</ul>
            }
            if !head_hazards.is_empty() {
                <h2>{ tr(l, T::Hazards) }</h2>
                <p class="hint">{ tr(l, T::HazardsHint) }</p>
                <ul class="hazards">{ for hazards }</ul>
            }
            if has_errors {
                <h2>{ tr(l, T::ActionErrors) }</h2>
                <ul>{ for errors }</ul>
            }
        </div>
    }
}
