//! What can be known wrong before running: checks of what an action refers
//! to, made when a file is read so a mistake is bad input (`zablab run`
//! exits 2 naming the action) rather than an action error in the run's
//! report.
//!
//! - each client an action names is connected by an action that runs
//!   before it (at an earlier `at_ms`, or at the same one earlier in the
//!   file); a `write` with no client connects [`BUILTIN_CLIENT`];
//! - a `start` names each server once, a `partition` puts each client on
//!   one side;
//! - a `4lw` sends a word ZooKeeper 3.8.0 knows (`fourlw::KNOWN_COMMANDS`).
//!
//! These run after `validate.rs`, so a file that broke an older check
//! still reports the same message. Never checks what depends on the run
//! (a server already up, a session expired, no leader at that moment):
//! `Simulation` reports those as action errors. `Simulation::act` refuses
//! a client that does not exist, so a session the app records (connects
//! first) always passes these.

use std::collections::BTreeSet;

use super::error::ScenarioError;
use super::types::{ActionKind, Scenario, BUILTIN_CLIENT};
use crate::fourlw;

impl Scenario {
    /// The checks each action allows on its own (no other action needed).
    pub(super) fn check_actions_alone(&self) -> Result<(), ScenarioError> {
        for (i, action) in self.actions.iter().enumerate() {
            let path = format!("actions[{i}]");
            match &action.kind {
                ActionKind::Start { servers } => no_server_twice(servers, &path)?,
                ActionKind::Partition { clients, .. } => one_side_each(clients, &path)?,
                ActionKind::FourLetterWord { cmd, .. } => known_word(cmd, &path)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Each client named is connected by an action that runs before.
    pub(super) fn check_clients(&self) -> Result<(), ScenarioError> {
        let mut order: Vec<usize> = (0..self.actions.len()).collect();
        crate::sorting::sort_by_key(&mut order, |&i| (self.actions[i].at_ms, i));
        let mut connected: BTreeSet<&str> = BTreeSet::new();
        for (k, &i) in order.iter().enumerate() {
            let kind = &self.actions[i].kind;
            for (field, name) in clients_named(kind) {
                if !connected.contains(name) {
                    return Err(self.not_connected(i, &field, name, &order[k + 1..]));
                }
            }
            match kind {
                ActionKind::Connect { client, .. } => {
                    connected.insert(client);
                }
                ActionKind::Write { client: None, .. } => {
                    connected.insert(BUILTIN_CLIENT);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The error for `actions[i]` naming `name` at `field`; `later` are
    /// the actions that run after it, in order.
    fn not_connected(&self, i: usize, field: &str, name: &str, later: &[usize]) -> ScenarioError {
        let at = self.actions[i].at_ms;
        let connect = later.iter().find(|&&j| {
            matches!(&self.actions[j].kind, ActionKind::Connect { client, .. } if client == name)
        });
        let message = match connect {
            Some(&j) if self.actions[j].at_ms == at => format!(
                "client {name:?} is not connected yet: actions[{j}] connects it at {at} ms \
                 too, but later in the file (actions at the same time run in file order)"
            ),
            Some(&j) => format!(
                "client {name:?} is not connected yet: actions[{j}] connects it at {} ms, \
                 after this action (at {at} ms)",
                self.actions[j].at_ms
            ),
            None if name == BUILTIN_CLIENT => format!(
                "client {name:?} is never connected (it is the built-in client a \"write\" \
                 with no client connects): write without a client before this action"
            ),
            None => format!(
                "client {name:?} is never connected: add a \"connect\" action for it before \
                 this one"
            ),
        };
        ScenarioError::at(format!("actions[{i}].{field}"), message)
    }
}

/// The clients an action names, each with the field that names it.
fn clients_named(kind: &ActionKind) -> Vec<(String, &str)> {
    match kind {
        ActionKind::Write {
            client: Some(client),
            ..
        }
        | ActionKind::Expect {
            client: Some(client),
            ..
        }
        | ActionKind::Read { client, .. }
        | ActionKind::Sync { client, .. }
        | ActionKind::Multi { client, .. }
        | ActionKind::Recipe { client, .. }
        | ActionKind::Close { client }
        | ActionKind::Load { client, .. } => vec![("client".to_string(), client.as_str())],
        ActionKind::Partition { clients, .. } => clients
            .iter()
            .enumerate()
            .flat_map(|(g, side)| {
                side.iter()
                    .enumerate()
                    .map(move |(j, name)| (format!("clients[{g}][{j}]"), name.as_str()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn no_server_twice(servers: &[u32], path: &str) -> Result<(), ScenarioError> {
    let mut seen = BTreeSet::new();
    for (j, &sid) in servers.iter().enumerate() {
        if !seen.insert(sid) {
            return Err(ScenarioError::at(
                format!("{path}.servers[{j}]"),
                format!("server {sid} is listed twice"),
            ));
        }
    }
    Ok(())
}

fn one_side_each(sides: &[Vec<String>], path: &str) -> Result<(), ScenarioError> {
    let mut placed = BTreeSet::new();
    for (g, side) in sides.iter().enumerate() {
        for (j, name) in side.iter().enumerate() {
            if !placed.insert(name) {
                return Err(ScenarioError::at(
                    format!("{path}.clients[{g}][{j}]"),
                    format!("client {name:?} is on two sides"),
                ));
            }
        }
    }
    Ok(())
}

/// A `4lw` action's word is one ZooKeeper knows (`fourlw::starts_with_known`).
fn known_word(cmd: &str, path: &str) -> Result<(), ScenarioError> {
    if fourlw::starts_with_known(cmd) {
        return Ok(());
    }
    Err(ScenarioError::at(
        format!("{path}.cmd"),
        format!(
            "{cmd:?} is not a four-letter word ZooKeeper knows (known: {})",
            fourlw::KNOWN_COMMANDS.join(", ")
        ),
    ))
}
