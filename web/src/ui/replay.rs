//! "Replay in the simulator": the dialog that lists what the logs show as
//! the simulator will play it (the ensemble and its settings, then each
//! inference with its evidence lines, a checkbox and an editable time;
//! `crate::replay::Plan` over the core's `import::replay`; the core's
//! sentences are shown as it words them, like the diagnosis's), and,
//! while the replay runs in the simulator, the panel that puts the real
//! run beside it (the core's `import::replay::compare`: leaders by epoch,
//! the learners' syncs; each difference marked) with the three settings
//! to change and "Replay again". It sends `ImportMsg`s.

use yew::prelude::*;

use super::widgets::{input_value, on_click};
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::Imported;
use crate::model::{ImportMsg, Model, Msg};
use zablab_core::import::replay::{compare, Inference};

use crate::replay::{Knob, Plan};

/// The three settings a user may change, with their ZooKeeper names.
const KNOBS: [(Knob, &str, &str); 3] = [
    (Knob::TickMs, "tickTime", "replay-tick"),
    (Knob::InitLimit, "initLimit", "replay-init"),
    (Knob::SyncLimit, "syncLimit", "replay-sync"),
];

fn knob_value(p: &Plan, k: Knob) -> u64 {
    match k {
        Knob::TickMs => p.tick_ms,
        Knob::InitLimit => p.init_limit,
        Knob::SyncLimit => p.sync_limit,
    }
}

/// tickTime, initLimit and syncLimit as number fields.
fn knobs(p: &Plan, send: &Callback<Msg>) -> Html {
    let fields = KNOBS.iter().map(|&(k, name, id)| {
        let onchange = {
            let send = send.clone();
            Callback::from(move |e: Event| {
                if let Ok(v) = input_value(&e).parse::<u64>() {
                    send.emit(ImportMsg::ReplayKnob(k, v).into());
                }
            })
        };
        html! {
            <label class="mono">{ name }
                <input type="number" min="1" value={knob_value(p, k).to_string()} data-testid={id} {onchange} />
            </label>
        }
    });
    html! { <div class="replay-knobs">{ for fields }</div> }
}

/// One inference: its checkbox, its time (when it acts), the core's
/// sentence, its lines.
fn inference(
    l: Lang,
    run: &Imported,
    p: &Plan,
    i: usize,
    x: &Inference,
    send: &Callback<Msg>,
) -> Html {
    let on_at = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse::<u64>() {
                send.emit(ImportMsg::ReplayAt(i, v).into());
            }
        })
    };
    let on = p.enabled.get(i).copied().unwrap_or(true);
    let acts = !x.actions.is_empty();
    let lines = x
        .lines
        .iter()
        .take(3)
        .map(|&c| html! { <li>{ run.line_text(c) }</li> });
    html! {
        <li class={classes!("inference", (!on).then_some("off"))} data-testid="inference">
            <div class="inference-head">
                if acts {
                    <input type="checkbox" checked={on} aria-label={tr(l, T::ReplayOnAria)}
                           onchange={on_click_change(send, ImportMsg::ReplayToggle(i))} />
                    if let Some(at) = p.at(i) {
                        <input type="number" min="0" class="num" value={at.to_string()}
                               aria-label={tr(l, T::ReplayAtAria)} onchange={on_at} />
                        <span class="unit">{ tr(l, T::Ms) }</span>
                    }
                }
                <span class="mono kind">{ x.kind }</span>
                <span>{ x.what.clone() }</span>
            </div>
            if !x.lines.is_empty() {
                <details>
                    <summary>{ trf(l, T::ReplayEvidence, &[&x.lines.len().to_string()]) }</summary>
                    <ul class="evidence mono">{ for lines }</ul>
                </details>
            }
        </li>
    }
}

fn on_click_change(send: &Callback<Msg>, msg: ImportMsg) -> Callback<Event> {
    let send = send.clone();
    Callback::from(move |_| send.emit(msg.clone().into()))
}

/// The replay dialog.
pub fn replay_dialog(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let (Some(p), Some(run)) = (&m.import.plan, &m.imported) else {
        return Html::default();
    };
    let items = p
        .inferences()
        .iter()
        .enumerate()
        .map(|(i, x)| inference(l, run, p, i, x, send));
    html! {
        <div class="dialog-backdrop">
            <div class="dialog replay" role="dialog" aria-modal="true" aria-labelledby="replay-title"
                 data-dialog="replay" data-testid="replay-dialog">
                <h2 id="replay-title">{ tr(l, T::ReplayTitle) }</h2>
                <p>{ tr(l, T::ReplayIntro) }</p>
                { knobs(p, send) }
                <h3>{ tr(l, T::ReplayInferences) }</h3>
                <ul class="inferences">{ for items }</ul>
                <div class="form-actions">
                    <button type="button" class="primary" data-testid="replay-go"
                            onclick={on_click(send, ImportMsg::Replay)}>{ tr(l, T::ReplayGo) }</button>
                    <button type="button" onclick={on_click(send, ImportMsg::ReplayPlan)}>{ tr(l, T::Cancel) }</button>
                </div>
            </div>
        </div>
    }
}

/// The real run beside the replay, while the replay is shown.
pub fn beside(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let (Some(p), Some(run)) = (&m.import.plan, &m.imported) else {
        return Html::default();
    };
    // The core's comparison: leaders by epoch, syncs by learner and epoch.
    let rows = compare(&run.summary, m.engine.head());
    let same = rows.iter().filter(|r| r.same).count();
    let body = rows.iter().map(|r| {
        html! {
            <tr class={classes!((!r.same).then_some("differs"))} data-testid="beside-row">
                <th scope="row" class="mono">{ r.fact.clone() }</th>
                <td>{ r.real.clone() }</td>
                <td>{ r.replay.clone() }</td>
                <td>if !r.same { <span class="differs-mark">{ tr(l, T::ReplayDiffers) }</span> }</td>
            </tr>
        }
    });
    html! {
        <section class="beside" data-testid="beside" aria-labelledby="beside-title">
            <h2 id="beside-title">{ tr(l, T::ReplayBeside) }</h2>
            if m.target.is_some() {
                <p class="hint">{ tr(l, T::ReplayComputing) }</p>
            }
            <p data-testid="beside-summary">{ trf(l, T::ReplaySame, &[&same.to_string(), &rows.len().to_string()]) }</p>
            <table>
                <thead><tr><th /><th>{ tr(l, T::ReplayReal) }</th><th>{ tr(l, T::ReplayReplay) }</th><th /></tr></thead>
                <tbody>{ for body }</tbody>
            </table>
            { knobs(p, send) }
            <div class="form-actions">
                <button type="button" class="primary" data-testid="replay-again"
                        onclick={on_click(send, ImportMsg::Replay)}>{ tr(l, T::ReplayAgain) }</button>
                <button type="button" data-testid="import-show"
                        onclick={on_click(send, ImportMsg::Show(true))}>{ tr(l, T::ImportShow) }</button>
            </div>
        </section>
    }
}
