//! Scenario file v1, the contract in `docs/SCENARIO.md`: read, checked and
//! written back.
//!
//! A scenario is a seed, an ensemble, a network, an end time and a list of
//! actions at virtual times. Parsing is strict: unknown fields, unknown
//! actions, server ids outside the ensemble, negative or non-integer times,
//! a wrong version, a client no earlier action connects are errors whose
//! message names the place (`actions[3].server`) and the problem, so a
//! person can fix the file. Missing optional fields take ZooKeeper's sample
//! configuration (`conf/zoo_sample.cfg`): tickTime 2000, initLimit 10,
//! syncLimit 5.
//!
//! The layers, each in its own file:
//! - `types.rs`: the data model and its JSON form (what `to_json` writes);
//! - `parse.rs`: the top level and each action's head, dispatching on
//!   [`ACTION_KINDS`] to `faults.rs`, `clients.rs` and `observe.rs` (one
//!   parser per action, strict about its fields); `fields.rs` the shared
//!   readers;
//! - `validate.rs`: the file against itself (ensemble, network, server ids,
//!   times);
//! - `refs.rs`: what actions refer to (clients connected before use,
//!   four-letter words), the checks made before running.
//!
//! This module never panics on input: every path returns `ScenarioError`.
//! It never runs anything: what depends on the run is `Simulation`'s.

mod clients;
mod error;
mod faults;
mod fields;
mod observe;
mod parse;
mod refs;
mod types;
mod validate;

pub use clients::MAX_BURST;
pub use error::ScenarioError;
pub use parse::{ACTION_KINDS, ACTION_NAMES, TOP_FIELDS};
pub use types::{
    Action, ActionKind, Conform, EitherOf, Ensemble, Expectation, MultiOp, Museum, Network,
    RealLine, RealRun, RecipeKind, Scenario, ServerRef, BUILTIN_CLIENT, CREATE_OPS, MAX_SID,
    SCENARIO_VERSION,
};

impl Scenario {
    /// Parses and checks a v1 scenario from JSON text: every check of
    /// [`Scenario::check`].
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario = parse::document(text)?;
        scenario.check()?;
        Ok(scenario)
    }

    /// [`Scenario::from_json`] without checking that each client an action
    /// names is connected before: for actions that stand alone (a lesson's
    /// `try_it` actions, applied later by `Simulation::act`, which refuses
    /// a client that does not exist then).
    pub fn from_json_unlinked(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario = parse::document(text)?;
        scenario.validate()?;
        scenario.check_actions_alone()?;
        Ok(scenario)
    }

    /// Every check a file passes before it runs, in the order they report:
    /// the file's shape (ensemble, network, each action's server ids and
    /// time), then what its actions refer to (`refs.rs`). For scenarios
    /// built in code too: the fuzzer's shrinker keeps only candidates that
    /// pass, so the files it writes load.
    pub fn check(&self) -> Result<(), ScenarioError> {
        self.validate()?;
        self.check_actions_alone()?;
        self.check_clients()
    }

    /// The scenario as v1 JSON (what `from_json` reads back).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// All sids, participants first, in file order.
    /// This scenario looped `hours` times (the benchmark's long runs,
    /// `zablab bench --memory`): its actions repeated every hour, except
    /// the starts, the connects and the loads, which happen once (a load
    /// then lasts the whole run). `bench/browser.mjs` builds the same run
    /// (`looped` there) for the browser's memory curve.
    pub fn looped(&self, hours: u64) -> Scenario {
        const H: u64 = 3_600_000;
        let mut s = self.clone();
        s.name = format!("{}, looped {hours} times", self.name);
        s.until_ms = hours * H;
        s.actions.clear();
        for k in 0..hours {
            for a in &self.actions {
                let once = matches!(
                    a.kind,
                    ActionKind::Start { .. } | ActionKind::Connect { .. } | ActionKind::Load { .. }
                );
                if k > 0 && once {
                    continue;
                }
                let mut a = a.clone();
                a.at_ms += k * H;
                if let ActionKind::Load { for_ms, .. } = &mut a.kind {
                    *for_ms = hours * H - a.at_ms;
                }
                s.actions.push(a);
            }
        }
        s
    }

    pub fn sids(&self) -> impl Iterator<Item = u32> + '_ {
        self.ensemble
            .participants
            .iter()
            .chain(self.ensemble.observers.iter())
            .copied()
    }
}

#[cfg(test)]
mod tests;
