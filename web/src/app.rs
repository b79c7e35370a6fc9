//! The app root: owns the `Model`, renders the cluster view and the
//! controls, and forwards clicks to the reducer as `Msg`s.

use yew::prelude::*;
use zablab_core::ServerView;

use crate::model::{Model, Msg};

/// Size of the SVG view box (square).
const VIEW: f64 = 300.0;
/// Radius of the ring the servers sit on, and of one server circle.
const RING_R: f64 = 100.0;
const SERVER_R: f64 = 34.0;

/// Centre of server `i` of `n` on the ring, the first at the top.
fn position(i: usize, n: usize) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    (
        VIEW / 2.0 + RING_R * angle.cos(),
        VIEW / 2.0 + RING_R * angle.sin(),
    )
}

/// ZooKeeper's peer state (LOOKING, FOLLOWING, LEADING, OBSERVING), DOWN
/// for a killed process, PAUSED for a stalled one.
fn state_label(s: &ServerView) -> &str {
    if s.paused {
        "PAUSED"
    } else {
        &s.state
    }
}

#[component]
pub fn App() -> Html {
    let model = use_reducer(|| {
        Model::opening().expect("the built-in opening scenario is valid (tested natively)")
    });
    let servers = model.sim.servers();
    let n = servers.len();

    let circles = servers.iter().enumerate().map(|(i, s)| {
        let (x, y) = position(i, n);
        let class = classes!("server", if s.up { "up" } else { "down" });
        html! {
            <g key={s.sid} data-testid={format!("server-{}", s.sid)}>
                <circle class={class} cx={x.to_string()} cy={y.to_string()} r={SERVER_R.to_string()} />
                <text class="sid" x={x.to_string()} y={(y - 4.0).to_string()}>{ s.sid }</text>
                <text class="state" data-testid={format!("server-{}-state", s.sid)}
                      x={x.to_string()} y={(y + 14.0).to_string()}>{ state_label(s) }</text>
            </g>
        }
    });

    let buttons = servers.iter().map(|s| {
        let sid = s.sid;
        let (label, msg) = if s.up {
            ("Crash", Msg::Crash(sid))
        } else {
            ("Restart", Msg::Restart(sid))
        };
        let onclick = {
            let model = model.clone();
            Callback::from(move |_| model.dispatch(msg.clone()))
        };
        html! {
            <button key={sid} data-testid={format!("toggle-{sid}")}
                    aria-label={format!("{label} server {sid}")} {onclick}>
                { format!("{label} {sid}") }
            </button>
        }
    });

    let advance = {
        let model = model.clone();
        Callback::from(move |_| model.dispatch(Msg::Advance(1000)))
    };

    html! {
        <main class="zablab">
            <h1>{ "ZabLab" }</h1>
            <svg class="cluster" role="img" aria-label="Ensemble"
                 viewBox={format!("0 0 {VIEW} {VIEW}")} width="300" height="300">
                { for circles }
            </svg>
            <div class="controls">
                { for buttons }
                <button data-testid="advance" aria-label="Advance one second of virtual time"
                        onclick={advance}>{ "Advance 1 s" }</button>
            </div>
            <p class="status" data-testid="status">
                { format!("t = {} ms · {} events · trace 0x{:016x}",
                          model.sim.now_ms(), model.sim.events(), model.sim.trace_hash()) }
            </p>
            if let Some(error) = &model.error {
                <p class="error" role="alert" data-testid="error">{ error }</p>
            }
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_sit_on_the_ring_inside_the_view() {
        for n in 1..=9 {
            for i in 0..n {
                let (x, y) = position(i, n);
                let d = ((x - VIEW / 2.0).powi(2) + (y - VIEW / 2.0).powi(2)).sqrt();
                assert!((d - RING_R).abs() < 1e-9);
                assert!(x - SERVER_R >= 0.0 && x + SERVER_R <= VIEW);
                assert!(y - SERVER_R >= 0.0 && y + SERVER_R <= VIEW);
            }
        }
        let (x, y) = position(0, 3);
        assert!(
            (x - VIEW / 2.0).abs() < 1e-9 && y < VIEW / 2.0,
            "first at the top"
        );
    }
}
