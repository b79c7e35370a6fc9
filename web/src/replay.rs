//! "Replay in the simulator": what the app lets the user check and edit
//! before an imported run is replayed. The scenario and its inferences
//! are the core's (`import::replay::replay_scenario`: the ensemble and
//! settings from zoo.cfg or the start-up lines, starts, crashes, restarts,
//! pauses, partitions, sessions and writes, each inference with the lines
//! it rests on and the actions it put in the scenario). Here the user may
//! switch an inference off, move it in time (all its actions by the same
//! amount) and change tickTime, initLimit or syncLimit; [`Plan::scenario`]
//! is the scenario then replayed, checked by the one parser's rules.
//!
//! Pure, tested natively; it never runs the simulation (the model opens
//! the scenario like any file) and never re-infers what the core did.

use zablab_core::import::replay::{replay_scenario, Inference, Replay};
use zablab_core::import::Import;
use zablab_core::Scenario;

/// A setting the user may change before replaying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knob {
    TickMs,
    InitLimit,
    SyncLimit,
}

/// What will be replayed: the core's replay and the user's edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub replay: Replay,
    /// One flag per inference.
    pub enabled: Vec<bool>,
    /// Per inference: its actions moved by this much (ms).
    pub shift: Vec<i64>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
}

impl Plan {
    /// The plan the logs of `imp` support.
    pub fn of(imp: &Import) -> Plan {
        Plan::from_replay(replay_scenario(imp))
    }

    pub fn from_replay(replay: Replay) -> Plan {
        let n = replay.inferences.len();
        let e = &replay.scenario.ensemble;
        Plan {
            tick_ms: e.tick_ms,
            init_limit: e.init_limit,
            sync_limit: e.sync_limit,
            replay,
            enabled: vec![true; n],
            shift: vec![0; n],
        }
    }

    pub fn inferences(&self) -> &[Inference] {
        &self.replay.inferences
    }

    /// When inference `i` acts (its first action, moved), if it acts.
    pub fn at(&self, i: usize) -> Option<u64> {
        let inf = self.replay.inferences.get(i)?;
        let first = inf
            .actions
            .iter()
            .filter_map(|&a| self.replay.scenario.actions.get(a))
            .map(|a| a.at_ms)
            .min()?;
        Some(first.saturating_add_signed(self.shift[i]))
    }

    /// Moves inference `i` so that it acts at `t`.
    pub fn move_to(&mut self, i: usize, t: u64) {
        let Some(shift) = self.shift.get(i).copied() else {
            return;
        };
        if let Some(now) = self.at(i) {
            self.shift[i] = shift + t as i64 - now as i64;
        }
    }

    pub fn toggle(&mut self, i: usize) {
        if let Some(e) = self.enabled.get_mut(i) {
            *e = !*e;
        }
    }

    pub fn set(&mut self, knob: Knob, v: u64) {
        let v = v.max(1);
        match knob {
            Knob::TickMs => self.tick_ms = v,
            Knob::InitLimit => self.init_limit = v,
            Knob::SyncLimit => self.sync_limit = v,
        }
    }

    /// The scenario to replay: the core's, with the inferences switched
    /// off dropped, the moved ones moved (actions kept in time order) and
    /// the settings changed; or why it is not a scenario.
    pub fn scenario(&self) -> Result<Scenario, String> {
        let mut moved = self.replay.clone();
        for (i, inf) in self.replay.inferences.iter().enumerate() {
            for &a in &inf.actions {
                if let Some(act) = moved.scenario.actions.get_mut(a) {
                    act.at_ms = act.at_ms.saturating_add_signed(self.shift[i]);
                }
            }
        }
        let mut s = moved.to_scenario(&self.enabled);
        zablab_core::sorting::sort_by_key(&mut s.actions, |a| a.at_ms);
        let last = s.actions.iter().map(|a| a.at_ms).max().unwrap_or(0);
        s.until_ms = s.until_ms.max(last);
        s.ensemble.tick_ms = self.tick_ms;
        s.ensemble.init_limit = self.init_limit;
        s.ensemble.sync_limit = self.sync_limit;
        s.check().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests;
