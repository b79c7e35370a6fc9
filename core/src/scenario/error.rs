//! Why a scenario could not be read: one error type for every check, its
//! text meant for a person (`docs/SCENARIO.md`, "Errors").
//!
//! Owns the message shape, `<where>: <what>` (`actions[3].server: server 7
//! is not in the ensemble`), and never decides what is an error.

use thiserror::Error;

/// Why a scenario could not be read. The text is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl ScenarioError {
    /// An error at `path` (`ensemble.tick_ms`, `actions[3].client`, ...).
    pub(super) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}
