//! Reading one JSON value of a scenario into a typed field, naming the
//! place on failure: the helpers every parser in `scenario/` shares.
//!
//! Owns the messages for negative numbers, non-integer times and znode
//! paths. Never knows which field belongs to which action.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ScenarioError;

/// Deserializes one value, naming `path` in the error. Unknown nested
/// fields come out as serde's own "unknown field `x`, expected ..." text.
pub(super) fn field<T: DeserializeOwned>(value: Value, path: &str) -> Result<T, ScenarioError> {
    if let Value::Number(n) = &value {
        if n.as_i64().is_some_and(|v| v < 0) {
            return Err(ScenarioError::at(path, format!("{n} is negative")));
        }
    }
    serde_json::from_value(value).map_err(|e| ScenarioError::at(path, e.to_string()))
}

/// Takes `name` out of `map` and reads it, if present.
pub(super) fn opt_field<T: DeserializeOwned>(
    map: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<T>, ScenarioError> {
    map.remove(name).map(|v| field(v, name)).transpose()
}

/// A time in whole milliseconds from 0.
pub(super) fn time_field(value: Value, path: &str) -> Result<u64, ScenarioError> {
    match &value {
        Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or_default()),
        Value::Number(n) if n.as_i64().is_some_and(|v| v < 0) => Err(ScenarioError::at(
            path,
            format!("{n} is negative; times are milliseconds from 0"),
        )),
        other => Err(ScenarioError::at(
            path,
            format!("expected whole milliseconds, found {other}"),
        )),
    }
}

/// A znode path: absolute, no empty component, no trailing slash (the
/// root is "/"); `not_root` refuses "/" itself (a recipe needs its own
/// parent node).
pub(super) fn znode_path(p: &str, at: &str, not_root: bool) -> Result<(), ScenarioError> {
    if !p.starts_with('/') || (p.len() > 1 && p.ends_with('/')) || p.contains("//") {
        return Err(ScenarioError::at(
            at,
            format!("\"{p}\" is not a valid znode path"),
        ));
    }
    if not_root && p == "/" {
        return Err(ScenarioError::at(
            at,
            "a recipe needs a node of its own, not \"/\"",
        ));
    }
    Ok(())
}

/// The default `count` of a write or read.
pub(super) fn one() -> u64 {
    1
}
