//! The network tab: the partition picker (each server's group, each
//! client's side), apply and heal; one link's faults (one-way cut, drop
//! the next message, slow link); and the network as it is now (cuts, slow
//! links, pending drops, clients cut off). It reads `Simulation::links`
//! and `Simulation::client_cuts`; its controls send `NetMsg`s.

use yew::prelude::*;
use zablab_core::proto::Sid;

use super::widgets::{button, input_value, on_number, sid_select};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, NetMsg};

pub fn network_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sids: Vec<Sid> = m.engine.sim().servers().iter().map(|s| s.sid).collect();
    html! {
        <div class="network" data-testid="network">
            <h2>{ tr(l, T::Partition) }</h2>
            { partition(m, &sids, send) }
            <h2>{ tr(l, T::OneLink) }</h2>
            { one_link(m, &sids, send) }
            <h2>{ tr(l, T::NetworkNow) }</h2>
            { network_now(m) }
        </div>
    }
}

/// A group picker's options: A, B, C.
fn sides(selected: impl Fn(u8) -> bool) -> Html {
    html! {
        { for (0u8..3).map(|k| html! {
            <option value={k.to_string()} selected={selected(k)}>{ ((b'A' + k) as char).to_string() }</option>
        }) }
    }
}

/// Each server's group and each live client's side, apply and heal.
fn partition(m: &Model, sids: &[Sid], send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let groups = sids.iter().map(|&s| {
        let g = m.net.groups.get(&s).copied().unwrap_or(0);
        let onchange = {
            let send = send.clone();
            Callback::from(move |e: Event| {
                if let Ok(g) = input_value(&e).parse() {
                    send.emit(NetMsg::GroupOf(s, g).into());
                }
            })
        };
        html! {
            <label key={s} class="group-pick">{ s }
                <select aria-label={trf(l, T::GroupOf, &[&s.to_string()])} {onchange} data-testid={format!("group-{s}")}>
                    { sides(|k| k == g) }
                </select>
            </label>
        }
    });
    let names: Vec<String> = m
        .engine
        .sim()
        .clients_view()
        .into_iter()
        .filter(|c| !matches!(c.state, "CLOSED" | "EXPIRED"))
        .map(|c| c.name)
        .collect();
    let client_sides = names.iter().map(|name| {
        let g = m.net.client_groups.get(name).copied();
        let onchange = {
            let send = send.clone();
            let name = name.clone();
            Callback::from(move |e: Event| {
                send.emit(NetMsg::ClientGroup(name.clone(), input_value(&e).parse().ok()).into())
            })
        };
        html! {
            <label class="group-pick">{ name.clone() }
                <select aria-label={trf(l, T::SideOf, &[name])} {onchange} data-testid={format!("client-group-{name}")}>
                    <option value="" selected={g.is_none()}>{ tr(l, T::AnySide) }</option>
                    { sides(|k| g == Some(k)) }
                </select>
            </label>
        }
    });
    html! {
        <>
            <p class="hint">{ tr(l, T::PartitionHint) }</p>
            <div class="groups">{ for groups }</div>
            if !names.is_empty() {
                <p class="hint">{ tr(l, T::ClientSidesHint) }</p>
                <div class="groups" data-testid="client-sides">{ for client_sides }</div>
            }
            <div class="controls">
                { button(tr(l, T::ApplyPartition), tr(l, T::ApplyPartition).to_string(), "apply-partition", send, NetMsg::ApplyPartition) }
                { button(tr(l, T::Heal), tr(l, T::HealAria).to_string(), "heal", send, NetMsg::Heal) }
            </div>
        </>
    }
}

/// One link (from, to) and its faults.
fn one_link(m: &Model, sids: &[Sid], send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let n = &m.net;
    let (from, to) = (n.link_from.to_string(), n.link_to.to_string());
    html! {
        <>
            <div class="controls">
                { sid_select(l, T::From, n.link_from, sids, send, NetMsg::SetLinkFrom, "link-from") }
                { sid_select(l, T::To, n.link_to, sids, send, NetMsg::SetLinkTo, "link-to") }
            </div>
            <div class="controls">
                { button(tr(l, T::CutOneWay), trf(l, T::CutAria, &[&from, &to]), "cut", send, NetMsg::Cut) }
                { button(tr(l, T::DropNext), trf(l, T::DropAria, &[&from, &to]), "drop", send, NetMsg::DropNext) }
                <span class="inline">
                    { button(tr(l, T::SlowLink), trf(l, T::SlowLinkAria, &[&from, &to, &n.slow_ms.to_string()]), "slow-link", send, NetMsg::SlowLink) }
                    <input type="number" min="0" max="600000" value={n.slow_ms.to_string()} aria-label={tr(l, T::LatencyMs)}
                           onchange={on_number(send, NetMsg::SetSlowMs)} />
                    { tr(l, T::Ms) }
                </span>
            </div>
        </>
    }
}

/// The network now: cuts, slow links, pending drops, clients cut off.
fn network_now(m: &Model) -> Html {
    let l: Lang = m.lang;
    let sim = m.engine.sim();
    let links = sim.links();
    // Which servers each client placed on a side cannot reach.
    let mut client_cuts: Vec<(String, Vec<String>)> = Vec::new();
    for (c, sid) in sim.client_cuts() {
        match client_cuts.last_mut() {
            Some((last, v)) if *last == c => v.push(sid.to_string()),
            _ => client_cuts.push((c, vec![sid.to_string()])),
        }
    }
    if links.cuts.is_empty()
        && links.slow.is_empty()
        && links.drop_next.is_empty()
        && client_cuts.is_empty()
    {
        return html! { <p class="hint" data-testid="network-state">{ tr(l, T::NetworkHealthy) }</p> };
    }
    html! {
        <ul data-testid="network-state">
            { for links.cuts.iter().map(|(a, b)| html! { <li>{ trf(l, T::CutItem, &[&a.to_string(), &b.to_string()]) }</li> }) }
            { for links.slow.iter().map(|(a, b, ms)| html! { <li>{ trf(l, T::SlowItem, &[&a.to_string(), &b.to_string(), &ms.to_string()]) }</li> }) }
            { for links.drop_next.iter().map(|(a, b)| html! { <li>{ trf(l, T::DropItem, &[&a.to_string(), &b.to_string()]) }</li> }) }
            { for client_cuts.iter().map(|(c, v)| html! { <li>{ trf(l, T::ClientCutItem, &[c, &v.join(", ")]) }</li> }) }
        </ul>
    }
}
