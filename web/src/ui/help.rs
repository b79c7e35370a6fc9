//! The help dialog (`?`): every key of `keys::SHORTCUTS` with what it
//! does, and the legend of the visual language: server colours and
//! rings, the labels and badges around a server, the links (dashed, red,
//! slow, dropping), the messages' colours and the timeline marks' shapes.
//! The legend draws its samples with the cluster view's and the
//! timeline's own CSS classes, so it shows what they show. It reads no
//! model state but the language, and sends only its own closing.

use yew::prelude::*;

use super::marks::Mark;
use super::widgets::on_click;
use crate::i18n::{tr, Lang, T};
use crate::model::{Msg, ViewMsg};
use crate::spacetime::kind_color;
use zablab_core::sim::MsgKind;

/// The help dialog.
pub fn help(lang: Lang, send: &Callback<Msg>) -> Html {
    let close = on_click(send, ViewMsg::ToggleHelp);
    html! {
        <div class="dialog-backdrop">
            <div class="dialog help" role="dialog" aria-modal="true" aria-labelledby="help-title"
                 data-dialog="help" data-testid="help">
                <h2 id="help-title" tabindex="-1" data-autofocus="true">{ tr(lang, T::HelpTitle) }</h2>
                <p>{ tr(lang, T::HelpIntro) }</p>
                <div class="help-cols">
                    <section aria-labelledby="keys-title">
                        <h3 id="keys-title">{ tr(lang, T::KeysTitle) }</h3>
                        <table class="keys">
                            { for crate::keys::SHORTCUTS.iter().map(|(k, t)| html! {
                                <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ tr(lang, *t) }</td></tr>
                            }) }
                        </table>
                    </section>
                    { legend(lang) }
                </div>
                <button type="button" onclick={close}>{ tr(lang, T::Close) }</button>
            </div>
        </div>
    }
}

/// A 40×40 sample drawn with the cluster view's classes.
fn sample(inner: Html) -> Html {
    html! {
        <svg class="legend-sample" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true">{ inner }</svg>
    }
}

fn server(class: &'static str, ring: bool) -> Html {
    sample(html! {
        <g class={classes!("server", class)}>
            if ring { <circle class="crown-ring" cx="20" cy="20" r="17" /> }
            <circle class="body" cx="20" cy="20" r="13" />
        </g>
    })
}

fn link(class: &'static str) -> Html {
    sample(html! { <g class={classes!("link", class)}><line x1="2" y1="20" x2="38" y2="20" /></g> })
}

fn row(sample: Html, words: T, l: Lang) -> Html {
    html! { <li>{ sample }<span>{ tr(l, words) }</span></li> }
}

/// The legend of what the pictures mean.
fn legend(l: Lang) -> Html {
    let servers = [
        ("st-looking", false, T::LegendLooking),
        ("st-following", false, T::LegendFollowing),
        ("st-leading", true, T::LegendLeading),
        ("st-observing", false, T::LegendObserving),
        ("st-down", false, T::LegendDown),
        ("st-paused", false, T::LegendPaused),
    ];
    let rings = [
        ("selected", T::LegendSelected),
        ("flagged", T::LegendFlagged),
        ("diag", T::LegendDiag),
        ("lesson-mark", T::LegendLessonMark),
    ];
    let links = [
        ("election", T::LegendLinkPlain),
        ("quorum", T::LegendLinkQuorum),
        ("broken", T::LegendLinkBroken),
        ("cut", T::LegendLinkCut),
        ("slow", T::LegendLinkSlow),
        ("drop", T::LegendLinkDrop),
    ];
    let messages = [
        (MsgKind::Notification, T::LegendMsgVotes),
        (MsgKind::LeaderInfo, T::LegendMsgDiscovery),
        (MsgKind::Diff, T::LegendMsgSync),
        (MsgKind::Proposal, T::LegendMsgBroadcast),
        (MsgKind::Ping, T::LegendMsgPing),
        (MsgKind::Request, T::LegendMsgRequest),
    ];
    let dot = |color: &'static str| {
        sample(html! { <circle cx="20" cy="20" r="8" fill={color} stroke="#fff" /> })
    };
    html! {
        <section class="legend-help" aria-labelledby="legend-title" data-testid="legend">
            <h3 id="legend-title">{ tr(l, T::LegendTitle) }</h3>
            <h4>{ tr(l, T::LegendServers) }</h4>
            <ul class="legend-list">
                { for servers.iter().map(|(c, ring, t)| row(server(c, *ring), *t, l)) }
            </ul>
            <h4>{ tr(l, T::LegendRings) }</h4>
            <ul class="legend-list">
                { for rings.iter().map(|(c, t)| row(server(c, false), *t, l)) }
            </ul>
            <h4>{ tr(l, T::LegendLabels) }</h4>
            <p class="legend-text">{ tr(l, T::LegendEpochs) }</p>
            <p class="legend-text">{ tr(l, T::LegendBadges) }</p>
            <h4>{ tr(l, T::LegendLinks) }</h4>
            <ul class="legend-list">
                { for links.iter().map(|(c, t)| row(link(c), *t, l)) }
                { row(sample(html! { <g class="group"><path d="M3 8h34v24H3z" /></g> }), T::LegendGroup, l) }
            </ul>
            <h4>{ tr(l, T::LegendMessages) }</h4>
            <ul class="legend-list">
                { for messages.iter().map(|(k, t)| row(dot(kind_color(*k)), *t, l)) }
                { row(sample(html! { <g class="msg held"><circle cx="20" cy="20" r="8" fill="#6b7280" /></g> }), T::LegendMsgHeld, l) }
            </ul>
            <h4>{ tr(l, T::LegendTimeline) }</h4>
            <ul class="legend-list legend-marks">
                { for Mark::ALL.iter().map(|k| html! {
                    <li><span class={classes!("marker", k.class())}>{ k.shape() }</span><span>{ tr(l, k.legend()) }</span></li>
                }) }
                <li><span class="marker mk-leader future">{ Mark::Leader.shape() }</span><span>{ tr(l, T::MarkFuture) }</span></li>
            </ul>
        </section>
    }
}
