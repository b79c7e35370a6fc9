//! The clients tab: connect clients; the client table; the operations of
//! ZooKeeper's client API on one picked client (write, read with or
//! without a watch, sync, sequential create, a create+check multi,
//! close, a steady load of writes and reads) and the recipes (lock,
//! election, group, config, barrier) with each recipe client's view; the
//! watches fired, the recent reads and writes. It reads
//! `Simulation::clients_view`, `recipe_views`, `watch_events`, `reads`
//! and `writes`; its controls send `ClientMsg`s.

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::scenario::RecipeKind;
use zablab_core::sim::{ClientView, Simulation};

use super::widgets::{
    button, event_input, holder_mark, input_value, number_field, sid_select, text_field,
};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{ClientMsg, Model, Msg, READ_OPS};

const RECIPES: [RecipeKind; 5] = [
    RecipeKind::Lock,
    RecipeKind::Election,
    RecipeKind::Group,
    RecipeKind::Config,
    RecipeKind::Barrier,
];

fn live(state: &str) -> bool {
    !matches!(state, "CLOSED" | "EXPIRED")
}

pub fn clients_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let clients = sim.clients_view();
    let op_client = m.op_client();
    let views = sim.recipe_views();
    let recipes = views.iter().map(|v| {
        let extra = if !v.members.is_empty() && v.recipe != "group" {
            format!(" [{}]", v.members.join(", "))
        } else {
            String::new()
        };
        html! {
            <li class={classes!("recipe", v.holds.then_some("holds"))} data-testid={format!("recipe-{}", v.client)}>
                if v.holds {
                    <svg class="icon holder" viewBox="0 0 16 16" width="14" height="14" role="img" aria-label={tr(l, T::HolderTitle)}>
                        { holder_mark(v.recipe, 0.0, 0.0) }
                    </svg>
                }
                <strong>{ v.client.clone() }</strong>
                { format!(" · {} {} · {}{extra}", v.recipe, v.path, v.status) }
            </li>
        }
    });
    html! {
        <div class="clients" data-testid="clients">
            <h2>{ tr(l, T::ConnectClient) }</h2>
            { connect_form(m, send) }
            if clients.is_empty() {
                <p class="hint">{ tr(l, T::NoClients) }</p>
            } else {
                { client_table(l, &clients, op_client.as_deref()) }
            }
            if let Some(c) = &op_client {
                { operations(m, &clients, c, send) }
                { recipe_form(m, c, send) }
            }
            if !views.is_empty() {
                <ul class="recipes" data-testid="recipes">{ for recipes }</ul>
            }
            { activity(l, sim) }
        </div>
    }
}

/// A new client's name and server, Connect; how many writes a click
/// makes, the path and read call the operations use.
fn connect_form(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let f = &m.clients;
    let sids: Vec<Sid> = m.engine.sim().servers().iter().map(|s| s.sid).collect();
    let on_name = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = event_input(&e) {
                send.emit(ClientMsg::SetClientName(i.value()).into());
            }
        })
    };
    let on_read_op = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let v = input_value(&e);
            if let Some(op) = READ_OPS.iter().find(|o| **o == v) {
                send.emit(ClientMsg::SetReadOp(op).into());
            }
        })
    };
    html! {
        <>
            <div class="controls">
                <label>{ tr(l, T::ClientName) }
                    <input type="text" size="6" value={f.client_name.clone()} oninput={on_name} data-testid="client-name" />
                </label>
                { sid_select(l, T::ToServer, f.client_server, &sids, send, ClientMsg::SetClientServer, "client-server") }
                { button(tr(l, T::Connect), trf(l, T::ConnectAria, &[&f.client_name, &f.client_server.to_string()]), "client-connect", send, ClientMsg::Connect) }
            </div>
            <div class="controls">
                { number_field(tr(l, T::WritesPerClick), f.write_count, send, ClientMsg::SetWriteCount, "write-count") }
                { text_field(tr(l, T::ReadPath), &f.read_path, send, ClientMsg::SetReadPath, "read-path") }
                <label>{ tr(l, T::ReadOp) }
                    <select aria-label={tr(l, T::ReadOp)} onchange={on_read_op} data-testid="read-op">
                        { for READ_OPS.iter().map(|o| html! { <option value={*o} selected={*o == f.read_op}>{ *o }</option> }) }
                    </select>
                </label>
            </div>
        </>
    }
}

/// Every client's session: state, server, id, last zxid seen, pending
/// requests (the picked one marked).
fn client_table(l: Lang, clients: &[ClientView], picked: Option<&str>) -> Html {
    let rows = clients.iter().map(|c| {
        let picked = picked == Some(c.name.as_str());
        html! {
            <tr key={c.id} data-testid={format!("client-{}", c.name)} class={classes!(picked.then_some("picked"))}>
                <td>{ c.name.clone() }</td>
                <td>{ c.state }</td>
                <td>{ c.server }</td>
                <td class="mono">{ format!("0x{:x}", c.session) }</td>
                <td class="mono">{ c.last_zxid.to_string() }</td>
                <td>{ c.pending }</td>
            </tr>
        }
    });
    html! {
        <table class="client-table">
            <thead><tr>
                <th>{ tr(l, T::ClientName) }</th><th>{ tr(l, T::State) }</th><th>{ tr(l, T::Server) }</th>
                <th>{ tr(l, T::Session) }</th><th>{ tr(l, T::Zxid) }</th><th>{ tr(l, T::Pending) }</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// The client API's operations on client `c` (picked among the live ones).
fn operations(m: &Model, clients: &[ClientView], c: &String, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let f = &m.clients;
    let on_client = {
        let send = send.clone();
        Callback::from(move |e: Event| send.emit(ClientMsg::OpClient(input_value(&e)).into()))
    };
    let (p, cp, cv) = (&f.read_path, &f.check_path, f.check_version.to_string());
    let (writes, reads, secs) = (
        f.load_writes.to_string(),
        f.load_reads.to_string(),
        f.load_secs.to_string(),
    );
    html! {
        <>
        <h2>{ tr(l, T::Operations) }</h2>
        <div class="controls">
            <label>{ tr(l, T::ClientName) }
                <select aria-label={tr(l, T::OpClient)} onchange={on_client} data-testid="op-client">
                    { for clients.iter().filter(|x| live(x.state)).map(|x| html! {
                        <option value={x.name.clone()} selected={x.name == *c}>{ x.name.clone() }</option>
                    }) }
                </select>
            </label>
            { button(tr(l, T::Write), trf(l, T::WriteAria, &[c, &f.write_count.to_string()]), "client-write", send, ClientMsg::Write(c.clone())) }
            { button(tr(l, T::Read), trf(l, T::ReadAria, &[c, p]), "client-read", send, ClientMsg::Read(c.clone())) }
            { button(tr(l, T::ReadWatch), trf(l, T::ReadWatchAria, &[c, f.read_op, p]), "read-watch", send, ClientMsg::ReadWatch(c.clone())) }
            { button(tr(l, T::SyncOp), trf(l, T::SyncAria, &[c, p]), "sync", send, ClientMsg::Sync(c.clone())) }
            { button(tr(l, T::CreateSeq), trf(l, T::CreateSeqAria, &[c, &f.write_count.to_string(), p]), "create-seq", send, ClientMsg::CreateSequential(c.clone())) }
            { button(tr(l, T::CloseSession), trf(l, T::CloseAria, &[c]), "client-close", send, ClientMsg::Close(c.clone())) }
        </div>
        <div class="controls">
            { button(tr(l, T::MultiOp), trf(l, T::MultiAria, &[c, p, cp, &cv]), "multi", send, ClientMsg::Multi(c.clone())) }
            { text_field(tr(l, T::CheckPath), cp, send, ClientMsg::SetCheckPath, "check-path") }
            { number_field(tr(l, T::CheckVersion), f.check_version, send, ClientMsg::SetCheckVersion, "check-version") }
        </div>
        <div class="controls">
            { button(tr(l, T::StartLoad), trf(l, T::StartLoadAria, &[c, &writes, &reads, &secs]), "start-load", send, ClientMsg::StartLoad(c.clone())) }
            { number_field(tr(l, T::LoadWrites), f.load_writes, send, ClientMsg::SetLoadWrites, "load-writes") }
            { number_field(tr(l, T::LoadReads), f.load_reads, send, ClientMsg::SetLoadReads, "load-reads") }
            { number_field(tr(l, T::LoadFor), f.load_secs, send, ClientMsg::SetLoadSecs, "load-secs") }
        </div>
        <p class="hint">{ tr(l, T::OpsHint) }</p>
        </>
    }
}

/// A recipe for client `c`: its kind, path and options, Run.
fn recipe_form(m: &Model, c: &str, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let f = &m.clients;
    let on_recipe = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let v = input_value(&e);
            if let Some(k) = RECIPES.iter().find(|k| k.name() == v) {
                send.emit(ClientMsg::SetRecipe(*k).into());
            }
        })
    };
    let on_repeat = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = event_input(&e) {
                send.emit(ClientMsg::SetRepeat(i.checked()).into());
            }
        })
    };
    let k = f.recipe;
    html! {
        <>
        <h2>{ tr(l, T::Recipes) }</h2>
        <div class="controls">
            <label>{ tr(l, T::Recipe) }
                <select aria-label={tr(l, T::Recipe)} onchange={on_recipe} data-testid="recipe-kind">
                    { for RECIPES.iter().map(|r| html! { <option value={r.name()} selected={*r == k}>{ r.name() }</option> }) }
                </select>
            </label>
            { text_field(tr(l, T::RecipePath), &f.recipe_path, send, ClientMsg::SetRecipePath, "recipe-path") }
            if k == RecipeKind::Lock {
                { number_field(tr(l, T::HoldMs), f.hold_ms, send, ClientMsg::SetHoldMs, "hold-ms") }
                <label>
                    <input type="checkbox" checked={f.repeat} onchange={on_repeat} data-testid="repeat" />
                    { tr(l, T::Repeat) }
                </label>
            }
            if k == RecipeKind::Barrier {
                { number_field(tr(l, T::BarrierSize), f.barrier_size, send, ClientMsg::SetBarrierSize, "barrier-size") }
            }
            { button(tr(l, T::RunRecipe), trf(l, T::RunRecipeAria, &[c, k.name(), &f.recipe_path]), "run-recipe", send, ClientMsg::RunRecipe(c.to_string())) }
        </div>
        </>
    }
}

/// The watches fired, the recent reads and writes.
fn activity(l: Lang, sim: &Simulation) -> Html {
    let watches = sim.watch_events();
    let fired = watches.iter().rev().take(12).map(|w| {
        html! {
            <li class="mono">{ trf(l, T::WatchItem, &[&crate::fmt_ms(w.at_ms), &w.client, w.event, &w.path, &w.zxid.to_string(), &w.server.to_string()]) }</li>
        }
    });
    let reads = sim.reads().iter().rev().take(8).map(|r| {
        let seen = match (&r.data, r.children.is_empty()) {
            (Some(d), _) => format!(" \"{d}\" v{}", r.version),
            (None, false) => format!(" [{}]", r.children.join(", ")),
            _ => String::new(),
        };
        html! {
            <li class="mono">{ format!("{} {} {} {} @{} → {}{seen} (zxid {})", crate::fmt_ms(r.at_ms), r.client, r.op, r.path, r.server, r.result, r.zxid) }</li>
        }
    });
    let recent = sim.writes().iter().rev().take(12).map(|w| {
        html! {
            <li class="mono">{ format!("{} {} {} {} → {} {}", crate::fmt_ms(w.at_ms), w.client, w.op, w.path,
                                       w.zxid.map_or("—".to_string(), |z| z.to_string()), w.result) }</li>
        }
    });
    html! {
        <>
            if !watches.is_empty() {
                <h2>{ tr(l, T::WatchesFired) }</h2>
                <ul class="writes" data-testid="watches">{ for fired }</ul>
            }
            if !sim.reads().is_empty() {
                <h2>{ tr(l, T::RecentReads) }</h2>
                <ul class="writes" data-testid="reads">{ for reads }</ul>
            }
            <h2>{ tr(l, T::RecentWrites) }</h2>
            <ul class="writes" data-testid="writes">{ for recent }</ul>
        </>
    }
}
