//! The clients tab: connect clients; write, read and close per client;
//! the operations of ZooKeeper's client API on one picked client (read
//! with a watch, sync, sequential create, a create+check multi, a steady
//! load of writes and reads) and the
//! recipes (lock, election, group, config, barrier) with each recipe
//! client's view; the watches fired, the recent reads and writes.

use yew::prelude::*;
use zablab_core::proto::Sid;
use zablab_core::scenario::RecipeKind;

use super::panels::sid_select;
use super::{button, input_value, on_number};
use crate::i18n::{tr, trf, T};
use crate::model::{Model, Msg, READ_OPS};

const RECIPES: [RecipeKind; 5] = [
    RecipeKind::Lock,
    RecipeKind::Election,
    RecipeKind::Group,
    RecipeKind::Config,
    RecipeKind::Barrier,
];

/// A labelled text field sending `make(text)` on change.
fn text_field(
    label: &'static str,
    value: &str,
    send: &Callback<Msg>,
    make: fn(String) -> Msg,
    testid: &'static str,
) -> Html {
    let send = send.clone();
    let onchange = Callback::from(move |e: Event| send.emit(make(input_value(&e))));
    html! {
        <label>{ label }
            <input type="text" size="8" value={value.to_string()} {onchange} data-testid={testid} />
        </label>
    }
}

/// A labelled number field sending `make(n)` on change.
fn number_field(
    label: &'static str,
    value: u64,
    send: &Callback<Msg>,
    make: fn(u64) -> Msg,
    testid: &'static str,
) -> Html {
    html! {
        <label>{ label }
            <input type="number" min="0" class="num" value={value.to_string()} onchange={on_number(send, make)} data-testid={testid} />
        </label>
    }
}

/// A padlock (an SVG path: emoji fonts are not everywhere), in a 16×16 box.
pub const LOCK_PATH: &str = "M3 7h10v8H3zM5 7V5a3 3 0 0 1 6 0v2H9.5V5a1.5 1.5 0 0 0-3 0v2z";

/// The mark of a recipe client that believes it holds the lock (a
/// padlock) or leads (a star), at `(x, y)` (its top left, 14 px).
pub fn holder_mark(recipe: &str, x: f64, y: f64) -> Html {
    let t = format!(
        "translate({} {}) scale(0.875)",
        crate::dec(x, 1),
        crate::dec(y, 1)
    );
    if recipe == "election" {
        html! { <path class="holder-mark" transform={t} d="M8 0l2.4 5 5.6.6-4.2 3.8 1.2 5.6L8 12.2 3 15l1.2-5.6L0 5.6 5.6 5z" /> }
    } else {
        html! { <path class="holder-mark" transform={t} d={LOCK_PATH} /> }
    }
}

pub fn clients_tab(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let sids: Vec<Sid> = sim.servers().iter().map(|s| s.sid).collect();
    let on_name = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                send.emit(Msg::SetClientName(i.value()));
            }
        })
    };
    let on_read_op = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let v = input_value(&e);
            if let Some(op) = READ_OPS.iter().find(|o| **o == v) {
                send.emit(Msg::SetReadOp(op));
            }
        })
    };
    let clients = sim.clients_view();
    let live = |state: &str| !matches!(state, "CLOSED" | "EXPIRED");
    // The operations, on one client.
    let op_client = m.op_client();
    let rows = clients.iter().map(|c| {
        let picked = op_client.as_deref() == Some(c.name.as_str());
        html! {
            <tr data-testid={format!("client-{}", c.name)} class={classes!(picked.then_some("picked"))}>
                <td>{ c.name.clone() }</td>
                <td>{ c.state }</td>
                <td>{ c.server }</td>
                <td class="mono">{ format!("0x{:x}", c.session) }</td>
                <td class="mono">{ c.last_zxid.to_string() }</td>
                <td>{ c.pending }</td>
            </tr>
        }
    });

    let ops = match &op_client {
        None => html! {},
        Some(c) => {
            let on_client = {
                let send = send.clone();
                Callback::from(move |e: Event| send.emit(Msg::OpClient(input_value(&e))))
            };
            let on_recipe = {
                let send = send.clone();
                Callback::from(move |e: Event| {
                    let v = input_value(&e);
                    if let Some(k) = RECIPES.iter().find(|k| k.name() == v) {
                        send.emit(Msg::SetRecipe(*k));
                    }
                })
            };
            let on_repeat = {
                let send = send.clone();
                Callback::from(move |e: Event| {
                    use wasm_bindgen::JsCast;
                    if let Some(i) = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    {
                        send.emit(Msg::SetRepeat(i.checked()));
                    }
                })
            };
            let (p, cp, cv) = (&m.read_path, &m.check_path, m.check_version.to_string());
            let k = m.recipe;
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
                    { button(tr(l, T::Write), trf(l, T::WriteAria, &[c, &m.write_count.to_string()]), "client-write", send, Msg::Write(c.clone())) }
                    { button(tr(l, T::Read), trf(l, T::ReadAria, &[c, p]), "client-read", send, Msg::Read(c.clone())) }
                    { button(tr(l, T::ReadWatch), trf(l, T::ReadWatchAria, &[c, m.read_op, p]), "read-watch", send, Msg::ReadWatch(c.clone())) }
                    { button(tr(l, T::SyncOp), trf(l, T::SyncAria, &[c, p]), "sync", send, Msg::Sync(c.clone())) }
                    { button(tr(l, T::CreateSeq), trf(l, T::CreateSeqAria, &[c, &m.write_count.to_string(), p]), "create-seq", send, Msg::CreateSequential(c.clone())) }
                    { button(tr(l, T::CloseSession), trf(l, T::CloseAria, &[c]), "client-close", send, Msg::Close(c.clone())) }
                </div>
                <div class="controls">
                    { button(tr(l, T::MultiOp), trf(l, T::MultiAria, &[c, p, cp, &cv]), "multi", send, Msg::Multi(c.clone())) }
                    { text_field(tr(l, T::CheckPath), cp, send, Msg::SetCheckPath, "check-path") }
                    { number_field(tr(l, T::CheckVersion), m.check_version, send, Msg::SetCheckVersion, "check-version") }
                </div>
                <div class="controls">
                    { button(tr(l, T::StartLoad), trf(l, T::StartLoadAria, &[c, &m.load_writes.to_string(), &m.load_reads.to_string(), &m.load_secs.to_string()]), "start-load", send, Msg::StartLoad(c.clone())) }
                    { number_field(tr(l, T::LoadWrites), m.load_writes, send, Msg::SetLoadWrites, "load-writes") }
                    { number_field(tr(l, T::LoadReads), m.load_reads, send, Msg::SetLoadReads, "load-reads") }
                    { number_field(tr(l, T::LoadFor), m.load_secs, send, Msg::SetLoadSecs, "load-secs") }
                </div>
                <p class="hint">{ tr(l, T::OpsHint) }</p>
                <h2>{ tr(l, T::Recipes) }</h2>
                <div class="controls">
                    <label>{ tr(l, T::Recipe) }
                        <select aria-label={tr(l, T::Recipe)} onchange={on_recipe} data-testid="recipe-kind">
                            { for RECIPES.iter().map(|r| html! { <option value={r.name()} selected={*r == k}>{ r.name() }</option> }) }
                        </select>
                    </label>
                    { text_field(tr(l, T::RecipePath), &m.recipe_path, send, Msg::SetRecipePath, "recipe-path") }
                    if k == RecipeKind::Lock {
                        { number_field(tr(l, T::HoldMs), m.hold_ms, send, Msg::SetHoldMs, "hold-ms") }
                        <label>
                            <input type="checkbox" checked={m.repeat} onchange={on_repeat} data-testid="repeat" />
                            { tr(l, T::Repeat) }
                        </label>
                    }
                    if k == RecipeKind::Barrier {
                        { number_field(tr(l, T::BarrierSize), m.barrier_size, send, Msg::SetBarrierSize, "barrier-size") }
                    }
                    { button(tr(l, T::RunRecipe), trf(l, T::RunRecipeAria, &[c, k.name(), &m.recipe_path]), "run-recipe", send, Msg::RunRecipe(c.clone())) }
                </div>
                </>
            }
        }
    };

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
    let writes = sim.writes();
    let recent = writes.iter().rev().take(12).map(|w| {
        html! {
            <li class="mono">{ format!("{} {} {} {} → {} {}", crate::fmt_ms(w.at_ms), w.client, w.op, w.path,
                                       w.zxid.map_or("—".to_string(), |z| z.to_string()), w.result) }</li>
        }
    });
    html! {
        <div class="clients" data-testid="clients">
            <h2>{ tr(l, T::ConnectClient) }</h2>
            <div class="controls">
                <label>{ tr(l, T::ClientName) }
                    <input type="text" size="6" value={m.client_name.clone()} oninput={on_name} data-testid="client-name" />
                </label>
                { sid_select(l, T::ToServer, m.client_server, &sids, send, Msg::SetClientServer, "client-server") }
                { button(tr(l, T::Connect), trf(l, T::ConnectAria, &[&m.client_name, &m.client_server.to_string()]), "client-connect", send, Msg::Connect) }
            </div>
            <div class="controls">
                { number_field(tr(l, T::WritesPerClick), m.write_count, send, Msg::SetWriteCount, "write-count") }
                { text_field(tr(l, T::ReadPath), &m.read_path, send, Msg::SetReadPath, "read-path") }
                <label>{ tr(l, T::ReadOp) }
                    <select aria-label={tr(l, T::ReadOp)} onchange={on_read_op} data-testid="read-op">
                        { for READ_OPS.iter().map(|o| html! { <option value={*o} selected={*o == m.read_op}>{ *o }</option> }) }
                    </select>
                </label>
            </div>
            if clients.is_empty() {
                <p class="hint">{ tr(l, T::NoClients) }</p>
            } else {
                <table class="client-table">
                    <thead><tr>
                        <th>{ tr(l, T::ClientName) }</th><th>{ tr(l, T::State) }</th><th>{ tr(l, T::Server) }</th>
                        <th>{ tr(l, T::Session) }</th><th>{ tr(l, T::Zxid) }</th><th>{ tr(l, T::Pending) }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
            { ops }
            if !views.is_empty() {
                <ul class="recipes" data-testid="recipes">{ for recipes }</ul>
            }
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
        </div>
    }
}
