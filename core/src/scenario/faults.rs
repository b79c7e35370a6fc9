//! Parsing the actions that start servers and inject faults: `start`,
//! `crash`, `restart`, `pause`, `slow_disk` (one server) and `partition`,
//! `heal`, `slow_link`, `cut`, `drop` (the network).
//!
//! Each function reads one action's fields, strict about unknown ones.
//! Never checks a server id against the ensemble (`validate.rs` does, with
//! the whole file at hand).

use serde::Deserialize;
use serde_json::Value;

use super::error::ScenarioError;
use super::fields::field;
use super::types::{ActionKind, ServerRef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartFields {
    servers: Vec<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerFields {
    server: ServerRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrashFields {
    server: ServerRef,
    #[serde(default)]
    power_loss: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PauseFields {
    server: ServerRef,
    for_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlowDiskFields {
    server: ServerRef,
    fsync_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartitionFields {
    groups: Vec<Vec<u32>>,
    #[serde(default)]
    clients: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlowLinkFields {
    from: u32,
    to: u32,
    latency_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkFields {
    from: u32,
    to: u32,
}

pub(super) fn start(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: StartFields = field(rest, path)?;
    Ok(ActionKind::Start { servers: f.servers })
}

pub(super) fn crash(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: CrashFields = field(rest, path)?;
    Ok(ActionKind::Crash {
        server: f.server,
        power_loss: f.power_loss,
    })
}

pub(super) fn restart(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: ServerFields = field(rest, path)?;
    Ok(ActionKind::Restart { server: f.server })
}

pub(super) fn pause(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: PauseFields = field(rest, path)?;
    Ok(ActionKind::Pause {
        server: f.server,
        for_ms: f.for_ms,
    })
}

pub(super) fn slow_disk(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: SlowDiskFields = field(rest, path)?;
    Ok(ActionKind::SlowDisk {
        server: f.server,
        fsync_ms: f.fsync_ms,
    })
}

pub(super) fn partition(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: PartitionFields = field(rest, path)?;
    Ok(ActionKind::Partition {
        groups: f.groups,
        clients: f.clients,
    })
}

pub(super) fn heal(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    field::<NoFields>(rest, path)?;
    Ok(ActionKind::Heal)
}

pub(super) fn slow_link(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: SlowLinkFields = field(rest, path)?;
    Ok(ActionKind::SlowLink {
        from: f.from,
        to: f.to,
        latency_ms: f.latency_ms,
    })
}

pub(super) fn cut(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: LinkFields = field(rest, path)?;
    Ok(ActionKind::Cut {
        from: f.from,
        to: f.to,
    })
}

pub(super) fn drop_next(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: LinkFields = field(rest, path)?;
    Ok(ActionKind::Drop {
        from: f.from,
        to: f.to,
    })
}
