//! Parsing the actions that look rather than touch: `4lw` (a four-letter
//! word sent to a server, answered verbatim) and `expect` (a liveness
//! expectation reported as a violation if it does not hold in time).
//!
//! Never checks the word against ZooKeeper's list nor the client against
//! the file (`refs.rs` does).

use serde::Deserialize;
use serde_json::Value;

use super::error::ScenarioError;
use super::fields::field;
use super::types::{ActionKind, Expectation, ServerRef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FourLetterWordFields {
    server: ServerRef,
    cmd: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFields {
    what: Expectation,
    within_ms: u64,
    client: Option<String>,
}

pub(super) fn four_letter_word(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: FourLetterWordFields = field(rest, path)?;
    Ok(ActionKind::FourLetterWord {
        server: f.server,
        cmd: f.cmd,
    })
}

pub(super) fn expect(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: ExpectFields = field(rest, path)?;
    if f.client.is_some() && f.what != Expectation::WritesCommit {
        return Err(ScenarioError::at(
            format!("{path}.client"),
            "only a writes_commit expectation names a client",
        ));
    }
    Ok(ActionKind::Expect {
        what: f.what,
        within_ms: f.within_ms,
        client: f.client,
    })
}
