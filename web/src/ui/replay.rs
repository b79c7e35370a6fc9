//! "Replay in the simulator": the dialog that lists what the logs show as
//! the simulator will play it (the ensemble and its settings, then each
//! inference with its evidence lines, a checkbox and an editable time;
//! `crate::replay::Plan`), and, while the replay runs in the simulator,
//! the panel that puts the real run beside it (leaders with their epochs,
//! the learners' sync modes; each difference marked) with the three
//! settings to change and "Replay again". It sends `ImportMsg`s.

use yew::prelude::*;

use super::widgets::{input_value, on_click};
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::Imported;
use crate::model::{ImportMsg, Model, Msg};
use crate::replay::{compare, Act, Inference, Knob, Plan, Row};

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

/// What an inference says, in words.
fn act_text(l: Lang, i: &Inference) -> String {
    let t = |ms: u64| crate::fmt_ms(ms);
    match &i.act {
        Act::Start(s) => trf(l, T::ReplayStart, &[&s.to_string()]),
        Act::Crash { sid, until } => {
            let mut s = trf(l, T::ReplayCrash, &[&sid.to_string()]);
            if let Some(u) = until {
                s.push_str(&trf(l, T::ReplayRestart, &[&t(*u)]));
            }
            s
        }
        Act::Pause { sid, until } => {
            let until = until.map_or_else(|| tr(l, T::ReplayNone).to_string(), t);
            trf(l, T::ReplayPause, &[&sid.to_string(), &until])
        }
        Act::Partition { groups, until } => {
            let g: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
            let mut s = trf(l, T::ReplayPartition, &[&g.join(" | ")]);
            if let Some(u) = until {
                s.push_str(&trf(l, T::ReplayHeal, &[&t(*u)]));
            }
            s
        }
    }
}

fn inference(l: Lang, run: &Imported, i: usize, x: &Inference, send: &Callback<Msg>) -> Html {
    let on_at = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).parse::<u64>() {
                send.emit(ImportMsg::ReplayAt(i, v).into());
            }
        })
    };
    let lines = x
        .cites
        .iter()
        .take(3)
        .map(|&c| html! { <li>{ run.line_text(c) }</li> });
    html! {
        <li class={classes!("inference", (!x.on).then_some("off"))} data-testid="inference">
            <div class="inference-head">
                <input type="checkbox" checked={x.on} aria-label={tr(l, T::ReplayOnAria)}
                       onchange={on_click_change(send, ImportMsg::ReplayToggle(i))} />
                <input type="number" min="0" class="num" value={x.at.to_string()}
                       aria-label={tr(l, T::ReplayAtAria)} onchange={on_at} />
                <span class="unit">{ tr(l, T::Ms) }</span>
                <span>{ act_text(l, x) }</span>
            </div>
            <details>
                <summary>{ trf(l, T::ReplayEvidence, &[&x.cites.len().to_string()]) }</summary>
                <ul class="evidence mono">{ for lines }</ul>
            </details>
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
    let ensemble = format!("{:?}", p.participants);
    let items = p
        .inferences
        .iter()
        .enumerate()
        .map(|(i, x)| inference(l, run, i, x, send));
    html! {
        <div class="dialog-backdrop">
            <div class="dialog replay" role="dialog" aria-modal="true" aria-labelledby="replay-title"
                 data-dialog="replay" data-testid="replay-dialog">
                <h2 id="replay-title">{ tr(l, T::ReplayTitle) }</h2>
                <p>{ tr(l, T::ReplayIntro) }</p>
                <p class="mono">{ trf(l, T::ReplayEnsemble, &[&ensemble, &p.settings_from]) }</p>
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

fn cell(l: Lang, leader: bool, v: &Option<(u32, String)>) -> String {
    match v {
        None => tr(l, T::ReplayNone).to_string(),
        Some((s, x)) if leader => trf(l, T::ReplayLeaderCell, &[&s.to_string(), x]),
        Some((s, x)) => trf(l, T::ReplaySyncCell, &[&s.to_string(), x]),
    }
}

/// The real run beside the replay, while the replay is shown.
pub fn beside(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let (Some(p), Some(run)) = (&m.import.plan, &m.imported) else {
        return Html::default();
    };
    let head = m.engine.head();
    let sim_leaders: Vec<(u32, u32)> = head.leaders().iter().map(|r| (r.sid, r.epoch)).collect();
    let sim_syncs: Vec<(u32, String)> = head
        .syncs()
        .iter()
        .map(|r| (r.learner, r.mode.name().to_string()))
        .collect();
    let (real_l, real_s) = (run.real_leaders(), run.real_syncs());
    let rows: Vec<Row> = compare((&real_l, &real_s), (&sim_leaders, &sim_syncs));
    let same = rows.iter().filter(|r| !r.differs()).count();
    let body = rows.iter().map(|r| {
        let what = tr(l, if r.leader { T::ReplayLeaderRow } else { T::ReplaySyncRow });
        html! {
            <tr class={classes!(r.differs().then_some("differs"))} data-testid="beside-row">
                <th scope="row">{ what }</th>
                <td>{ cell(l, r.leader, &r.real) }</td>
                <td>{ cell(l, r.leader, &r.replay) }</td>
                <td>if r.differs() { <span class="differs-mark">{ tr(l, T::ReplayDiffers) }</span> }</td>
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
