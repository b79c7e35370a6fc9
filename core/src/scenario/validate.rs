//! Checking a parsed file against itself: the ensemble's shape and
//! settings, the network's ranges, and each action against the ensemble
//! (server ids) and `until_ms` (an action after the end never runs).
//!
//! Every check here is one ZabLab has made since v1; their messages are
//! part of the contract (`docs/SCENARIO.md`, "Errors"). Never checks one
//! action against another (`refs.rs` does, after these).

use std::collections::BTreeSet;

use super::error::ScenarioError;
use super::types::{ActionKind, Scenario, ServerRef, MAX_SID};

impl Scenario {
    /// The checks of a file's shape, in the order they report.
    pub(super) fn validate(&self) -> Result<(), ScenarioError> {
        let known = self.validate_ensemble()?;
        self.validate_network()?;
        for (i, action) in self.actions.iter().enumerate() {
            let path = format!("actions[{i}]");
            if action.at_ms > self.until_ms {
                return Err(ScenarioError::at(
                    format!("{path}.at_ms"),
                    format!(
                        "{} is after until_ms {}, so this action would never run",
                        action.at_ms, self.until_ms
                    ),
                ));
            }
            Servers {
                known: &known,
                path: &path,
            }
            .check(&action.kind)?;
        }
        self.validate_conform()
    }

    /// Each either-of names a fact, at least two values and a reason.
    fn validate_conform(&self) -> Result<(), ScenarioError> {
        let Some(c) = &self.conform else {
            return Ok(());
        };
        for (i, e) in c.either.iter().enumerate() {
            let path = format!("conform.either[{i}]");
            if e.fact.trim().is_empty() {
                return Err(ScenarioError::at(
                    format!("{path}.fact"),
                    "names no fact (a row of the conform table, e.g. \"leader e1\")",
                ));
            }
            if e.of.len() < 2 {
                return Err(ScenarioError::at(
                    format!("{path}.of"),
                    "an either-of needs at least two values",
                ));
            }
            if e.why.trim().is_empty() {
                return Err(ScenarioError::at(
                    format!("{path}.why"),
                    "say why the real ensemble's timing decides this fact",
                ));
            }
        }
        Ok(())
    }

    /// Server ids and ZooKeeper settings; the set of sids.
    fn validate_ensemble(&self) -> Result<BTreeSet<u32>, ScenarioError> {
        let e = &self.ensemble;
        if e.participants.is_empty() {
            return Err(ScenarioError::at(
                "ensemble.participants",
                "needs at least one voting server",
            ));
        }
        let mut seen = BTreeSet::new();
        for (path, list) in [
            ("ensemble.participants", &e.participants),
            ("ensemble.observers", &e.observers),
        ] {
            for (i, &sid) in list.iter().enumerate() {
                if sid == 0 || sid > MAX_SID {
                    return Err(ScenarioError::at(
                        format!("{path}[{i}]"),
                        format!("server id {sid} is outside 1..={MAX_SID}"),
                    ));
                }
                if !seen.insert(sid) {
                    return Err(ScenarioError::at(
                        format!("{path}[{i}]"),
                        format!("server id {sid} appears twice in the ensemble"),
                    ));
                }
            }
        }
        for (name, value) in [
            ("tick_ms", e.tick_ms),
            ("init_limit", e.init_limit),
            ("sync_limit", e.sync_limit),
            ("commit_log_count", e.commit_log_count),
        ] {
            if value == 0 {
                return Err(ScenarioError::at(
                    format!("ensemble.{name}"),
                    "must be greater than 0",
                ));
            }
        }
        if e.snap_count < 2 {
            return Err(ScenarioError::at(
                "ensemble.snap_count",
                "must be at least 2 (ZooKeeper's minimum)",
            ));
        }
        Ok(seen)
    }

    /// Each `[min, max]` range has its minimum first.
    fn validate_network(&self) -> Result<(), ScenarioError> {
        for (name, [lo, hi]) in [
            ("latency_ms", self.network.latency_ms),
            ("fsync_ms", self.network.fsync_ms),
        ] {
            if lo > hi {
                return Err(ScenarioError::at(
                    format!("network.{name}"),
                    format!("the range [{lo}, {hi}] has its minimum above its maximum"),
                ));
            }
        }
        Ok(())
    }
}

/// The servers one action (at `path`) names, checked against `known`.
struct Servers<'a> {
    known: &'a BTreeSet<u32>,
    path: &'a str,
}

impl Servers<'_> {
    fn check(&self, kind: &ActionKind) -> Result<(), ScenarioError> {
        match kind {
            ActionKind::Start { servers } => {
                for (j, &sid) in servers.iter().enumerate() {
                    self.sid(sid, &format!("servers[{j}]"))?;
                }
                Ok(())
            }
            ActionKind::Partition { groups, clients } => self.partition(groups, clients),
            ActionKind::SlowLink { from, to, .. }
            | ActionKind::Cut { from, to }
            | ActionKind::Drop { from, to } => self.link(*from, *to),
            ActionKind::Crash { server, .. }
            | ActionKind::Restart { server }
            | ActionKind::Pause { server, .. }
            | ActionKind::SlowDisk { server, .. }
            | ActionKind::Connect { server, .. }
            | ActionKind::FourLetterWord { server, .. } => match server {
                ServerRef::Sid(sid) => self.sid(*sid, "server"),
                ServerRef::Leader => Ok(()),
            },
            ActionKind::Heal
            | ActionKind::Write { .. }
            | ActionKind::Close { .. }
            | ActionKind::Read { .. }
            | ActionKind::Sync { .. }
            | ActionKind::Multi { .. }
            | ActionKind::Recipe { .. }
            | ActionKind::Load { .. }
            | ActionKind::Expect { .. } => Ok(()),
        }
    }

    fn sid(&self, sid: u32, field: &str) -> Result<(), ScenarioError> {
        if self.known.contains(&sid) {
            return Ok(());
        }
        Err(ScenarioError::at(
            format!("{}.{field}", self.path),
            format!(
                "server {sid} is not in the ensemble (servers: {})",
                join_sids(self.known.iter().copied())
            ),
        ))
    }

    /// Every server in at most one group; no more client sides than groups.
    fn partition(&self, groups: &[Vec<u32>], clients: &[Vec<String>]) -> Result<(), ScenarioError> {
        if clients.len() > groups.len() {
            return Err(ScenarioError::at(
                format!("{}.clients", self.path),
                "more client groups than server groups",
            ));
        }
        let mut placed = BTreeSet::new();
        for (g, group) in groups.iter().enumerate() {
            for (j, &sid) in group.iter().enumerate() {
                let field = format!("groups[{g}][{j}]");
                self.sid(sid, &field)?;
                if !placed.insert(sid) {
                    return Err(ScenarioError::at(
                        format!("{}.{field}", self.path),
                        format!("server {sid} is in two groups"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A link joins two different servers of the ensemble.
    fn link(&self, from: u32, to: u32) -> Result<(), ScenarioError> {
        self.sid(from, "from")?;
        self.sid(to, "to")?;
        if from == to {
            return Err(ScenarioError::at(
                format!("{}.to", self.path),
                "a link joins two different servers",
            ));
        }
        Ok(())
    }
}

fn join_sids(sids: impl Iterator<Item = u32>) -> String {
    sids.map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}
