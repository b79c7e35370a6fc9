//! The app's state and its one reducer: pure logic, no DOM, testable
//! natively. A user action becomes a scenario action on the simulation at
//! the current virtual time (`Simulation::act`), so the session stays a
//! replayable scenario.

use std::rc::Rc;

use yew::Reducible;
use zablab_core::{ActionKind, Scenario, ServerRef, Simulation};

/// The scenario the app opens with.
pub const OPENING_SCENARIO: &str = include_str!("../../static/scenarios/three-up.json");

/// What the user can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Crash(u32),
    Restart(u32),
    /// Advance virtual time by this many ms.
    Advance(u64),
}

/// The app's state.
#[derive(Debug, Clone)]
pub struct Model {
    pub sim: Simulation,
    /// The last refused action, shown to the user.
    pub error: Option<String>,
}

impl Model {
    /// The opening ensemble, started (time 0 handled).
    /// Virtual time the app opens at.
    pub const OPENING_MS: u64 = 2000;

    pub fn opening() -> Result<Model, String> {
        let scenario = Scenario::from_json(OPENING_SCENARIO).map_err(|e| e.to_string())?;
        let mut sim = Simulation::new(scenario).map_err(|e| e.to_string())?;
        // Open on a settled ensemble: FLE takes a few hundred ms.
        sim.run_until(Self::OPENING_MS);
        Ok(Model { sim, error: None })
    }

    /// Applies one message, returning the next state.
    pub fn apply(mut self, msg: Msg) -> Model {
        self.error = None;
        let result = match msg {
            Msg::Crash(sid) => self.sim.act(ActionKind::Crash {
                server: ServerRef::Sid(sid),
            }),
            Msg::Restart(sid) => self.sim.act(ActionKind::Restart {
                server: ServerRef::Sid(sid),
            }),
            Msg::Advance(ms) => {
                let to = self.sim.now_ms() + ms;
                self.sim.run_until(to);
                Ok(())
            }
        };
        if let Err(e) = result {
            self.error = Some(e.to_string());
        }
        self
    }
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        Rc::new((*self).clone().apply(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_has_three_running_servers() {
        let m = Model::opening().unwrap();
        let servers = m.sim.servers();
        assert_eq!(servers.iter().map(|s| s.sid).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(servers.iter().all(|s| s.up));
    }

    #[test]
    fn crash_then_restart_goes_through_the_core() {
        let m = Model::opening().unwrap().apply(Msg::Crash(2));
        assert!(!m.sim.server(2).unwrap().up);
        assert_eq!(
            m.sim.scenario().actions.len(),
            2,
            "recorded as a scenario action"
        );
        let m = m.apply(Msg::Advance(1000)).apply(Msg::Restart(2));
        assert!(m.sim.server(2).unwrap().up);
        // The crash is stamped at the opening clock, or 1 ms after an event
        // handled at that instant.
        let o = Model::OPENING_MS;
        let crash_at = m.sim.scenario().actions[1].at_ms;
        assert!((o..=o + 1).contains(&crash_at), "{crash_at}");
        // Likewise the restart, one second later; the clock stops there.
        let restart_at = m.sim.scenario().actions[2].at_ms;
        assert!((o + 1000..=o + 1002).contains(&restart_at), "{restart_at}");
        assert_eq!(m.sim.now_ms(), restart_at);
        assert_eq!(m.error, None);
    }

    #[test]
    fn a_refused_action_is_shown_not_applied() {
        let m = Model::opening().unwrap().apply(Msg::Restart(1));
        assert_eq!(m.error.as_deref(), Some("server 1 is already running"));
        assert_eq!(m.sim.scenario().actions.len(), 1);
    }
}
