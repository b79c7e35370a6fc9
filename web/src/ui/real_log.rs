//! Above the log tab, for a museum or finding schedule that carries a real
//! ensemble's lines (`museum.real`): each real line with its simulated
//! counterpart in the shown run so far (`pair_real_lines`: same server,
//! level and class, same text with zxids masked), or why there is none.
//! Clicking a simulated line seeks to its moment. It reads the scenario and
//! `Simulation::log`; it never changes the run.

use yew::prelude::*;
use zablab_core::scenario::RealLine;
use zablab_core::sim::{pair_real_lines, LogEntry};

use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, TransportMsg};

pub fn real_log(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let sim = m.engine.sim();
    let Some(real) = sim.scenario().museum.as_ref().and_then(|x| x.real.as_ref()) else {
        return Html::default();
    };
    let pairs = pair_real_lines(sim.log().iter(), &real.lines);
    let modelled = real.lines.iter().filter(|r| r.unmodelled.is_none()).count();
    let found = pairs.iter().filter(|p| p.is_some()).count();
    let items = real
        .lines
        .iter()
        .zip(&pairs)
        .map(|(r, p)| pair(l, r, *p, send));
    html! {
        <details class="real-log" open=true data-testid="real-log">
            <summary>{ trf(l, T::RealLogTitle, &[&found.to_string(), &modelled.to_string()]) }</summary>
            <p class="hint">{ &real.source }</p>
            <ol class="real-pairs mono">{ for items }</ol>
        </details>
    }
}

/// One real line and, below it, the simulated one (or why there is none).
fn pair(l: Lang, r: &RealLine, sim: Option<&LogEntry>, send: &Callback<Msg>) -> Html {
    let real = format!("s{} {:<5} {} - {}", r.sid, r.level, r.class, r.text);
    let ours = match (sim, &r.unmodelled) {
        (Some(e), _) => {
            let onclick = super::widgets::on_click(send, TransportMsg::Seek(e.at_ms));
            html! {
                <div class="sim-line" title={tr(l, T::LogLineTitle)} {onclick}>
                    <span class="who">{ tr(l, T::RealLogSim) }</span>{ e.render() }
                </div>
            }
        }
        (None, Some(why)) => html! {
            <div class="sim-line none">{ trf(l, T::RealLogUnmodelled, &[why]) }</div>
        },
        (None, None) => html! {
            <div class="sim-line none">{ tr(l, T::RealLogNotYet) }</div>
        },
    };
    html! {
        <li data-testid="real-pair">
            <div class="real-line"><span class="who">{ tr(l, T::RealLogReal) }</span>{ real }</div>
            { ours }
        </li>
    }
}
