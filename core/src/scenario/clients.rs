//! Parsing the actions of ZooKeeper clients: `connect`, `write`, `read`,
//! `sync`, `multi`, `close`, `load` and `recipe` (ZooKeeper's recipes as
//! Curator runs them).
//!
//! Each function reads one action's fields, strict about unknown ones,
//! and checks what the action alone decides: op names, znode paths,
//! versions, rates, a recipe's options. Never checks that the client is
//! connected by an earlier action (`refs.rs` does, with the whole file).

use serde::Deserialize;
use serde_json::Value;

use super::error::ScenarioError;
use super::fields::{field, one, znode_path};
use super::types::{ActionKind, MultiOp, RecipeKind, ServerRef, CREATE_OPS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectFields {
    client: String,
    server: ServerRef,
    session_timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteFields {
    client: Option<String>,
    #[serde(default = "one")]
    count: u64,
    op: Option<String>,
    path: Option<String>,
    data: Option<String>,
    version: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadFields {
    client: String,
    path: String,
    op: Option<String>,
    #[serde(default = "one")]
    count: u64,
    #[serde(default)]
    watch: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncFields {
    client: String,
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MultiFields {
    client: String,
    ops: Vec<MultiOp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipeFields {
    client: String,
    recipe: RecipeKind,
    path: String,
    hold_ms: Option<u64>,
    size: Option<u32>,
    #[serde(default)]
    repeat: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseFields {
    client: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadFields {
    client: String,
    #[serde(default)]
    rate_per_s: u64,
    for_ms: u64,
    #[serde(default)]
    reads_per_s: u64,
}

pub(super) fn connect(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: ConnectFields = field(rest, path)?;
    Ok(ActionKind::Connect {
        client: f.client,
        server: f.server,
        session_timeout_ms: f.session_timeout_ms,
    })
}

/// Most requests one `write` or `read` action may issue (as many as the
/// app's "writes per click"); a longer stream is a `load`. Unbounded, a
/// burst froze the run: its cost grows with the square of the count
/// (60,000 writes took 25 s), found by `web/tests/fuzz_inputs.rs`.
pub const MAX_BURST: u64 = 1000;

fn burst(count: u64, path: &str) -> Result<u64, ScenarioError> {
    if count > MAX_BURST {
        return Err(ScenarioError::at(
            format!("{path}.count"),
            format!("must be at most {MAX_BURST} (a longer stream of requests is a load)"),
        ));
    }
    Ok(count)
}

pub(super) fn write(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: WriteFields = field(rest, path)?;
    if let Some(op) = &f.op {
        if !CREATE_OPS.contains(&op.as_str()) && op != "set" && op != "delete" {
            return Err(ScenarioError::at(
                format!("{path}.op"),
                format!(
                    "unknown write op \"{op}\"; use {}, set or delete",
                    CREATE_OPS.join(", ")
                ),
            ));
        }
    }
    if let Some(p) = &f.path {
        znode_path(p, &format!("{path}.path"), false)?;
    }
    Ok(ActionKind::Write {
        client: f.client,
        count: burst(f.count, path)?,
        op: f.op,
        path: f.path,
        data: f.data,
        version: f.version,
    })
}

pub(super) fn read(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: ReadFields = field(rest, path)?;
    if let Some(op) = &f.op {
        if !["get", "exists", "children"].contains(&op.as_str()) {
            return Err(ScenarioError::at(
                format!("{path}.op"),
                format!("unknown read op \"{op}\"; use get, exists or children"),
            ));
        }
    }
    znode_path(&f.path, &format!("{path}.path"), false)?;
    Ok(ActionKind::Read {
        client: f.client,
        path: f.path,
        op: f.op,
        count: burst(f.count, path)?,
        watch: f.watch,
    })
}

pub(super) fn sync(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: SyncFields = field(rest, path)?;
    znode_path(&f.path, &format!("{path}.path"), false)?;
    Ok(ActionKind::Sync {
        client: f.client,
        path: f.path,
    })
}

pub(super) fn multi(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: MultiFields = field(rest, path)?;
    if f.ops.is_empty() {
        return Err(ScenarioError::at(
            format!("{path}.ops"),
            "a multi needs at least one op",
        ));
    }
    for (i, op) in f.ops.iter().enumerate() {
        multi_op(op, &format!("{path}.ops[{i}]"))?;
    }
    Ok(ActionKind::Multi {
        client: f.client,
        ops: f.ops,
    })
}

/// One op of a `multi`, at `at` (`actions[3].ops[1]`).
fn multi_op(op: &MultiOp, at: &str) -> Result<(), ScenarioError> {
    if !CREATE_OPS.contains(&op.op.as_str())
        && !["set", "delete", "check"].contains(&op.op.as_str())
    {
        return Err(ScenarioError::at(
            format!("{at}.op"),
            format!(
                "unknown multi op \"{}\"; use {}, set, delete or check",
                op.op,
                CREATE_OPS.join(", ")
            ),
        ));
    }
    znode_path(&op.path, &format!("{at}.path"), false)?;
    if op.version.is_some_and(|v| v < -1) {
        return Err(ScenarioError::at(
            format!("{at}.version"),
            "a version is -1 (any) or a node version (0 or more)",
        ));
    }
    Ok(())
}

pub(super) fn recipe(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: RecipeFields = field(rest, path)?;
    znode_path(&f.path, &format!("{path}.path"), true)?;
    if f.recipe == RecipeKind::Barrier && f.size.is_none_or(|n| n == 0) {
        return Err(ScenarioError::at(
            format!("{path}.size"),
            "a barrier needs its size (how many members open it), at least 1",
        ));
    }
    if f.recipe != RecipeKind::Barrier && f.size.is_some() {
        return Err(ScenarioError::at(
            format!("{path}.size"),
            "only a barrier has a size",
        ));
    }
    if f.recipe != RecipeKind::Lock && (f.hold_ms.is_some() || f.repeat) {
        return Err(ScenarioError::at(
            format!("{path}.hold_ms"),
            "only a lock is held for a time and repeated",
        ));
    }
    Ok(ActionKind::Recipe {
        client: f.client,
        recipe: f.recipe,
        path: f.path,
        hold_ms: f.hold_ms,
        size: f.size,
        repeat: f.repeat,
    })
}

pub(super) fn close(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: CloseFields = field(rest, path)?;
    Ok(ActionKind::Close { client: f.client })
}

pub(super) fn load(rest: Value, path: &str) -> Result<ActionKind, ScenarioError> {
    let f: LoadFields = field(rest, path)?;
    for (name, v) in [("rate_per_s", f.rate_per_s), ("reads_per_s", f.reads_per_s)] {
        if v > 1000 {
            return Err(ScenarioError::at(
                format!("{path}.{name}"),
                "must be between 0 and 1000 (one request per ms at most)",
            ));
        }
    }
    if f.rate_per_s == 0 && f.reads_per_s == 0 {
        return Err(ScenarioError::at(
            format!("{path}.rate_per_s"),
            "a load needs writes (rate_per_s) or reads (reads_per_s) per second",
        ));
    }
    Ok(ActionKind::Load {
        client: f.client,
        rate_per_s: f.rate_per_s,
        for_ms: f.for_ms,
        reads_per_s: f.reads_per_s,
    })
}
