//! The side panel: the tab bar (with the invariants' violation and
//! hazard badges) and the open tab's body (an imported run's from
//! `imported.rs`: its inspector, log and diagnosis; no other tab). Each tab is its own file
//! (`server.rs`, `network.rs`, `clients.rs`, `log.rs` with `real_log.rs`
//! above it, `invariants.rs`, `diagnosis.rs`); this file only picks one. A new tab is a row in
//! [`TABS`], a [`Tab`] variant and an arm in [`body`].

use yew::prelude::*;

use super::diagnosis::DiagnosisTab;
use super::PanelProps;
use super::{clients, imported, invariants, log, network, real_log, server};
use crate::i18n::{tr, Lang, T};
use crate::model::{Msg, Tab, ViewMsg};

const TABS: [(Tab, T, &str); 6] = [
    (Tab::Server, T::TabServer, "tab-server"),
    (Tab::Network, T::TabNetwork, "tab-network"),
    (Tab::Clients, T::TabClients, "tab-clients"),
    (Tab::Log, T::TabLog, "tab-log"),
    (Tab::Invariants, T::TabInvariants, "tab-invariants"),
    (Tab::Diagnosis, T::TabDiagnosis, "tab-diagnosis"),
];

/// The tabs an imported run has.
const IMPORT_TABS: [Tab; 3] = [Tab::Server, Tab::Log, Tab::Diagnosis];

#[component]
pub fn SidePanel(p: &PanelProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    let violations = m.engine.sim().violations().len();
    let hazards = m.engine.sim().hazards().len();
    // An imported run has no network, clients or invariants to show.
    let imported = m.showing_import;
    let tabs = TABS
        .iter()
        .filter(|t| !imported || IMPORT_TABS.contains(&t.0))
        .map(|&(tab, label, id)| {
            let inv = tab == Tab::Invariants;
            let badges = (
                (inv && violations > 0).then(|| violations.to_string()),
                (inv && hazards > 0).then(|| hazards.to_string()),
            );
            tab_button(l, (tab, label, id), m.tab == tab, badges, &p.send)
        });
    let active = TABS
        .iter()
        .find(|t| t.0 == m.tab)
        .map_or("tab-server", |t| t.2);
    html! {
        <aside class="side">
            <div class="tabs" role="tablist" aria-label={tr(l, T::Panels)}>{ for tabs }</div>
            <div class="side-body" id="side-body" role="tabpanel" aria-labelledby={active}>{ body(p) }</div>
        </aside>
    }
}

/// One tab's button, with the invariants' badges (violations, hazards).
fn tab_button(
    l: Lang,
    (tab, label, id): (Tab, T, &'static str),
    selected: bool,
    (badge, hazard): (Option<String>, Option<String>),
    send: &Callback<Msg>,
) -> Html {
    let onclick = super::widgets::on_click(send, ViewMsg::Tab(tab));
    html! {
        <button key={id} type="button" role="tab" id={id} aria-selected={selected.to_string()}
                aria-controls="side-body" data-testid={id}
                class={classes!("tab", selected.then_some("active"))} {onclick}>
            { tr(l, label) }
            if let Some(b) = badge { <span class="badge">{ b }</span> }
            if let Some(h) = hazard { <span class="badge hazard" title={tr(l, T::HazardsTitle)}>{ h }</span> }
        </button>
    }
}

/// The open tab.
fn body(p: &PanelProps) -> Html {
    let m = p.model.get();
    if m.showing_import {
        return match m.tab {
            Tab::Server => imported::server_tab(&m, &p.send),
            Tab::Log => imported::log_tab(&m, &p.send),
            Tab::Diagnosis => {
                html! { <DiagnosisTab model={p.model.clone()} rev={p.rev} send={p.send.clone()} /> }
            }
            _ => html! { <p class="hint">{ tr(m.lang, T::ImportedTabHint) }</p> },
        };
    }
    match m.tab {
        Tab::Server => server::server_tab(&m, &p.send),
        Tab::Network => network::network_tab(&m, &p.send),
        Tab::Clients => clients::clients_tab(&m, &p.send),
        Tab::Log => html! {
            <>{ real_log::real_log(&m, &p.send) }{ log::log_tab(&m, &p.send) }</>
        },
        Tab::Invariants => invariants::invariants_tab(&m, &p.send),
        Tab::Diagnosis => {
            html! { <DiagnosisTab model={p.model.clone()} rev={p.rev} send={p.send.clone()} /> }
        }
    }
}
