//! Reading a v1 file: the top level, then each action's head (`at_ms`,
//! `"do"`) and a dispatch on its name to the parser of its family
//! (`faults.rs`, `clients.rs`, `observe.rs`).
//!
//! Owns the two lists the file format is made of, [`TOP_FIELDS`] and
//! [`ACTION_KINDS`]: the parser refuses every other top-level field and
//! every other `"do"` name, and `tests/scenario_doc.rs` checks that
//! `docs/SCENARIO.md` documents each. Never checks one part of the file
//! against another (`validate.rs`, `refs.rs` do).

use serde_json::Value;

use super::error::ScenarioError;
use super::fields::{field, opt_field, time_field};
use super::types::{defaults, Action, ActionKind, Ensemble, Scenario, SCENARIO_VERSION};
use super::{clients, faults, observe};

/// Every top-level field of a v1 file, in the order the contract lists
/// them; any other is an error.
pub const TOP_FIELDS: &[&str] = &[
    "zablab", "name", "seed", "ensemble", "network", "until_ms", "actions", "museum", "conform",
];

/// One action family's parser: the action's fields (without `at_ms` and
/// `"do"`) and the action's path (`actions[3]`) for messages.
type ParseFn = fn(Value, &str) -> Result<ActionKind, ScenarioError>;

/// The `"do"` names this build reads and who parses each: the table the
/// parser dispatches on.
const ACTIONS: [(&str, ParseFn); 20] = [
    ("start", faults::start),
    ("crash", faults::crash),
    ("restart", faults::restart),
    ("pause", faults::pause),
    ("partition", faults::partition),
    ("heal", faults::heal),
    ("slow_link", faults::slow_link),
    ("slow_disk", faults::slow_disk),
    ("connect", clients::connect),
    ("write", clients::write),
    ("read", clients::read),
    ("sync", clients::sync),
    ("multi", clients::multi),
    ("recipe", clients::recipe),
    ("close", clients::close),
    ("load", clients::load),
    ("cut", faults::cut),
    ("drop", faults::drop_next),
    ("4lw", observe::four_letter_word),
    ("expect", observe::expect),
];

const fn names<const N: usize>(table: &[(&'static str, ParseFn); N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = table[i].0;
        i += 1;
    }
    out
}

const KINDS: [&str; ACTIONS.len()] = names(&ACTIONS);

/// Every `"do"` name this build reads, in the order error messages list
/// them (taken from the parser's own dispatch table).
pub const ACTION_KINDS: &[&str] = &KINDS;

/// [`ACTION_KINDS`] under its first name.
pub const ACTION_NAMES: &[&str] = ACTION_KINDS;

/// Parses the file's shape: every field read and every action parsed on
/// its own. Checks between fields are the caller's.
pub(super) fn document(text: &str) -> Result<Scenario, ScenarioError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ScenarioError::Json(e.to_string()))?;
    let Value::Object(mut top) = value else {
        return Err(ScenarioError::at("(top level)", "expected a JSON object"));
    };
    if let Some(unknown) = top.keys().find(|k| !TOP_FIELDS.contains(&k.as_str())) {
        return Err(ScenarioError::at(
            unknown.clone(),
            format!("unknown field; expected one of {}", TOP_FIELDS.join(", ")),
        ));
    }
    let zablab = match top.remove("zablab") {
        None => return Err(ScenarioError::at("zablab", "missing (the file version, 1)")),
        Some(v) => field::<u64>(v, "zablab")?,
    };
    if zablab != SCENARIO_VERSION {
        return Err(ScenarioError::at(
            "zablab",
            format!(
                "version {zablab} is not supported; this build reads version {SCENARIO_VERSION}"
            ),
        ));
    }
    let name = opt_field(&mut top, "name")?.unwrap_or_default();
    let seed = opt_field(&mut top, "seed")?.unwrap_or(0);
    let ensemble: Ensemble = match top.remove("ensemble") {
        None => return Err(ScenarioError::at("ensemble", "missing")),
        Some(v) => field(v, "ensemble")?,
    };
    let network = opt_field(&mut top, "network")?.unwrap_or_default();
    let until_ms = opt_field(&mut top, "until_ms")?.unwrap_or_else(defaults::until_ms);
    let actions = match top.remove("actions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| action(v, &format!("actions[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(ScenarioError::at("actions", "expected a list of actions")),
    };
    let museum = opt_field(&mut top, "museum")?;
    let conform = opt_field(&mut top, "conform")?;
    Ok(Scenario {
        zablab,
        name,
        seed,
        ensemble,
        network,
        until_ms,
        actions,
        museum,
        conform,
    })
}

/// One action at `path` (`actions[3]`): its time, its name, then its
/// family's parser on the other fields.
fn action(value: Value, path: &str) -> Result<Action, ScenarioError> {
    let Value::Object(mut map) = value else {
        return Err(ScenarioError::at(
            path,
            "expected an object with \"at_ms\" and \"do\"",
        ));
    };
    let at_ms = match map.remove("at_ms") {
        None => return Err(ScenarioError::at(format!("{path}.at_ms"), "missing")),
        Some(v) => time_field(v, &format!("{path}.at_ms"))?,
    };
    let name = match map.remove("do") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(ScenarioError::at(
                format!("{path}.do"),
                format!("expected an action name, found {other}"),
            ))
        }
        None => return Err(ScenarioError::at(format!("{path}.do"), "missing")),
    };
    // Negative numbers anywhere in an action are a clear error of their own.
    for (key, v) in &map {
        if let Value::Number(n) = v {
            if n.as_i64().is_some_and(|v| v < 0) {
                return Err(ScenarioError::at(
                    format!("{path}.{key}"),
                    format!("{n} is negative"),
                ));
            }
        }
    }
    let Some((_, parse)) = ACTIONS.iter().find(|(n, _)| *n == name) else {
        return Err(ScenarioError::at(
            format!("{path}.do"),
            format!(
                "unknown action \"{name}\"; known actions: {}",
                ACTION_KINDS.join(", ")
            ),
        ));
    };
    let kind = parse(Value::Object(map), path)?;
    Ok(Action { at_ms, kind })
}
