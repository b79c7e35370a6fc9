//! Scenario file v1: the contract in `shared/DESIGN.md`, parsed and checked.
//!
//! A scenario is a seed, an ensemble, a network, an end time and a list of
//! actions at virtual times. Parsing is strict: unknown fields, unknown
//! actions, server ids outside the ensemble, negative or non-integer times and
//! a wrong version are errors whose message names the place (`actions[3].server`)
//! and the problem, so a person can fix the file. Missing optional fields take
//! ZooKeeper's sample configuration (`conf/zoo_sample.cfg`): tickTime 2000,
//! initLimit 10, syncLimit 5.
//!
//! This module never panics on input: every path returns `ScenarioError`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

/// The only scenario version this build reads.
pub const SCENARIO_VERSION: u64 = 1;

/// Highest server id ZooKeeper accepts in `myid`.
pub const MAX_SID: u32 = 255;

/// Why a scenario could not be read. The text is meant for a person.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl ScenarioError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A whole scenario, as read from a v1 file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub zablab: u64,
    pub name: String,
    pub seed: u64,
    pub ensemble: Ensemble,
    pub network: Network,
    pub until_ms: u64,
    pub actions: Vec<Action>,
    /// Set on bug-museum files (`static/scenarios/museum/`): the flag the
    /// schedule shows and the properties it must break with the flag on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub museum: Option<Museum>,
}

/// What a bug-museum scenario shows (BUG-MUSEUM.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Museum {
    /// The `bug_zk…` flag this schedule is written for.
    pub flag: String,
    /// Every property (or liveness check) that must fire with the flag on;
    /// with the flag off the same schedule must give no violation.
    pub breaks: Vec<String>,
    /// The story of the schedule, for lessons.
    #[serde(default)]
    pub story: String,
}

/// The servers and their ZooKeeper settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ensemble {
    pub participants: Vec<u32>,
    #[serde(default)]
    pub observers: Vec<u32>,
    #[serde(default = "defaults::tick_ms")]
    pub tick_ms: u64,
    #[serde(default = "defaults::init_limit")]
    pub init_limit: u64,
    #[serde(default = "defaults::sync_limit")]
    pub sync_limit: u64,
    #[serde(default = "defaults::commit_log_count")]
    pub commit_log_count: u64,
    #[serde(default = "defaults::snap_count")]
    pub snap_count: u64,
    #[serde(default)]
    pub variants: Vec<String>,
    /// `zookeeper.snapshotSizeFactor` in hundredths (default 33); negative
    /// turns the txn-log sync path off.
    #[serde(default = "defaults::snapshot_size_factor_pct")]
    pub snapshot_size_factor_pct: i64,
    /// Each established epoch hands out counters from this + 1 (ZooKeeper's
    /// test hook `zookeeper.testingonly.initialZxid`; 0 normally).
    #[serde(default)]
    pub initial_zxid_counter: u32,
}

/// Link and disk timing, each an inclusive `[min, max]` range in ms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default = "defaults::latency_ms")]
    pub latency_ms: [u64; 2],
    #[serde(default = "defaults::fsync_ms")]
    pub fsync_ms: [u64; 2],
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_ms: defaults::latency_ms(),
            fsync_ms: defaults::fsync_ms(),
        }
    }
}

mod defaults {
    pub fn tick_ms() -> u64 {
        2000
    }
    pub fn init_limit() -> u64 {
        10
    }
    pub fn sync_limit() -> u64 {
        5
    }
    pub fn commit_log_count() -> u64 {
        500
    }
    pub fn snap_count() -> u64 {
        100_000
    }
    pub fn latency_ms() -> [u64; 2] {
        [1, 5]
    }
    pub fn fsync_ms() -> [u64; 2] {
        [1, 3]
    }
    pub fn snapshot_size_factor_pct() -> i64 {
        33
    }
    pub fn until_ms() -> u64 {
        60_000
    }
}

/// A server named by an action: a sid, or the established leader at that
/// moment (`"leader"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ServerRef {
    Sid(u32),
    #[serde(serialize_with = "ser_leader")]
    Leader,
}

fn ser_leader<S: serde::Serializer>(s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("leader")
}

impl<'de> Deserialize<'de> for ServerRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if s == "leader" => Ok(ServerRef::Leader),
            Value::Number(n) => n
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .map(ServerRef::Sid)
                .ok_or_else(|| serde::de::Error::custom(format!("`{n}` is not a server id"))),
            other => Err(serde::de::Error::custom(format!(
                "expected a server id or \"leader\", found {other}"
            ))),
        }
    }
}

/// One scheduled action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub at_ms: u64,
    #[serde(flatten)]
    pub kind: ActionKind,
}

/// What an action does. The names are the v1 contract's `"do"` values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum ActionKind {
    Start {
        servers: Vec<u32>,
    },
    Crash {
        server: ServerRef,
    },
    Restart {
        server: ServerRef,
    },
    Pause {
        server: ServerRef,
        for_ms: u64,
    },
    /// `clients[i]` (optional) are the clients on `groups[i]`'s side:
    /// they reach only those servers. Clients not named reach everyone.
    Partition {
        groups: Vec<Vec<u32>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        clients: Vec<Vec<String>>,
    },
    Heal,
    SlowLink {
        from: u32,
        to: u32,
        latency_ms: u64,
    },
    SlowDisk {
        server: ServerRef,
        fsync_ms: u64,
    },
    Connect {
        client: String,
        server: ServerRef,
        session_timeout_ms: Option<u64>,
    },
    Write {
        client: Option<String>,
        count: u64,
        /// "create" (default), "create_ephemeral" (owned by the client's
        /// session, deleted by its closeSession), "create_sequential",
        /// "create_ephemeral_sequential" (the server appends the parent's
        /// cversion as `%010d`), "set" or "delete".
        op: Option<String>,
        path: Option<String>,
        data: Option<String>,
        /// set/delete: the expected version (default -1, any).
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<i32>,
    },
    /// Reads answered by the client's server from its own tree: `op` is
    /// "get" (getData, default), "exists" or "children" (getChildren);
    /// `watch` leaves a one-shot watch on that server.
    Read {
        client: String,
        path: String,
        op: Option<String>,
        count: u64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        watch: bool,
    },
    /// `sync(path)`: the client's server catches up with the leader (not a
    /// quorum round).
    Sync {
        client: String,
        path: String,
    },
    /// `multi`: the ops commit together in one txn, or none does.
    Multi {
        client: String,
        ops: Vec<MultiOp>,
    },
    /// A client runs a ZooKeeper recipe (lock, group, config, election,
    /// barrier) on `path`; see [`RecipeKind`].
    Recipe {
        client: String,
        recipe: RecipeKind,
        path: String,
        /// lock: how long the holder keeps it before releasing.
        #[serde(skip_serializing_if = "Option::is_none")]
        hold_ms: Option<u64>,
        /// barrier: how many members open it.
        #[serde(skip_serializing_if = "Option::is_none")]
        size: Option<u32>,
        /// lock: take it again after releasing (until the session ends).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        repeat: bool,
    },
    /// The client closes its session (a closeSession txn).
    Close {
        client: String,
    },
    /// A steady load for `for_ms`: `rate_per_s` setData requests per
    /// second and `reads_per_s` getData requests per second (either may be
    /// 0, not both).
    Load {
        client: String,
        rate_per_s: u64,
        for_ms: u64,
        #[serde(skip_serializing_if = "is_zero")]
        reads_per_s: u64,
    },
    /// A one-way cut: nothing from `from` reaches `to` until `heal`.
    Cut {
        from: u32,
        to: u32,
    },
    /// Drop the next message from `from` to `to`.
    Drop {
        from: u32,
        to: u32,
    },
    #[serde(rename = "4lw")]
    FourLetterWord {
        server: ServerRef,
        cmd: String,
    },
    /// A liveness expectation: `what` must hold within `within_ms` of this
    /// action, else a violation named after it is reported.
    Expect {
        what: Expectation,
        within_ms: u64,
        /// `writes_commit` only: wait for this client's writes (default:
        /// every client's).
        #[serde(skip_serializing_if = "Option::is_none")]
        client: Option<String>,
    },
}

/// One op of a `multi` action: `op` is "create", "create_ephemeral",
/// "create_sequential", "create_ephemeral_sequential", "set", "delete" or
/// "check" (the node's version must equal `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiOp {
    pub op: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// The client recipes (ZooKeeper's "recipes and solutions", as Curator
/// implements them):
/// - `lock`: an ephemeral sequential node under `path`; the lowest holds
///   the lock, each other waiter watches the node just below its own.
/// - `election`: the same, but the leader never releases.
/// - `group`: an ephemeral node named after the client; every member
///   watches the children (the membership).
/// - `config`: watch `path`'s data and re-read it on every change.
/// - `barrier`: an ephemeral member node; the barrier opens for everyone
///   once `size` members are there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipeKind {
    Lock,
    Election,
    Group,
    Config,
    Barrier,
}

impl RecipeKind {
    pub fn name(self) -> &'static str {
        match self {
            RecipeKind::Lock => "lock",
            RecipeKind::Election => "election",
            RecipeKind::Group => "group",
            RecipeKind::Config => "config",
            RecipeKind::Barrier => "barrier",
        }
    }
}

/// The create modes a `write` or `multi` op may name.
pub const CREATE_OPS: &[&str] = &[
    "create",
    "create_ephemeral",
    "create_sequential",
    "create_ephemeral_sequential",
];

/// What an `expect` action requires (liveness checks, named as reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// A leader is established (Zab BROADCAST with a synced quorum):
    /// `LivenessLeaderEstablished`.
    Leader,
    /// Every client write issued before the action is answered with a
    /// commit (a write lost to ConnectionLoss is resubmitted, up to five
    /// times, as a retrying client would): `LivenessWritesCommit`.
    WritesCommit,
    /// Every server that is up and not paused is in BROADCAST:
    /// `LivenessAllSynced`.
    AllSynced,
    /// Every `group` recipe member still in its session sees the same
    /// membership as the committed tree: `LivenessGroupConverged`.
    GroupConverged,
}

impl Expectation {
    /// The name a failed expectation is reported under.
    pub fn property(self) -> &'static str {
        match self {
            Expectation::Leader => "LivenessLeaderEstablished",
            Expectation::WritesCommit => "LivenessWritesCommit",
            Expectation::AllSynced => "LivenessAllSynced",
            Expectation::GroupConverged => "LivenessGroupConverged",
        }
    }
}

impl ActionKind {
    /// The `"do"` name of this action.
    pub fn name(&self) -> &'static str {
        match self {
            ActionKind::Start { .. } => "start",
            ActionKind::Crash { .. } => "crash",
            ActionKind::Restart { .. } => "restart",
            ActionKind::Pause { .. } => "pause",
            ActionKind::Partition { .. } => "partition",
            ActionKind::Heal => "heal",
            ActionKind::SlowLink { .. } => "slow_link",
            ActionKind::SlowDisk { .. } => "slow_disk",
            ActionKind::Connect { .. } => "connect",
            ActionKind::Write { .. } => "write",
            ActionKind::Read { .. } => "read",
            ActionKind::Sync { .. } => "sync",
            ActionKind::Multi { .. } => "multi",
            ActionKind::Recipe { .. } => "recipe",
            ActionKind::Close { .. } => "close",
            ActionKind::Load { .. } => "load",
            ActionKind::Cut { .. } => "cut",
            ActionKind::Drop { .. } => "drop",
            ActionKind::FourLetterWord { .. } => "4lw",
            ActionKind::Expect { .. } => "expect",
        }
    }
}

/// Every `"do"` name this build reads, for error messages.
pub const ACTION_NAMES: &[&str] = &[
    "start",
    "crash",
    "restart",
    "pause",
    "partition",
    "heal",
    "slow_link",
    "slow_disk",
    "connect",
    "write",
    "read",
    "sync",
    "multi",
    "recipe",
    "close",
    "load",
    "cut",
    "drop",
    "4lw",
    "expect",
];

// The per-action field sets, each strict about unknown fields.
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
struct PauseFields {
    server: ServerRef,
    for_ms: u64,
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
struct SlowDiskFields {
    server: ServerRef,
    fsync_ms: u64,
}
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

fn is_zero(v: &u64) -> bool {
    *v == 0
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkFields {
    from: u32,
    to: u32,
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

fn one() -> u64 {
    1
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFields {
    what: Expectation,
    within_ms: u64,
    client: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FourLetterWordFields {
    server: ServerRef,
    cmd: String,
}

const TOP_FIELDS: &[&str] = &[
    "zablab", "name", "seed", "ensemble", "network", "until_ms", "actions", "museum",
];

impl Scenario {
    /// Parses and checks a v1 scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
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
                format!("version {zablab} is not supported; this build reads version {SCENARIO_VERSION}"),
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
                .map(|(i, v)| parse_action(v, &format!("actions[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(ScenarioError::at("actions", "expected a list of actions")),
        };
        let museum = opt_field(&mut top, "museum")?;
        let scenario = Scenario {
            zablab,
            name,
            seed,
            ensemble,
            network,
            until_ms,
            actions,
            museum,
        };
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as v1 JSON (what `from_json` reads back).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// All sids, participants first, in file order.
    pub fn sids(&self) -> impl Iterator<Item = u32> + '_ {
        self.ensemble
            .participants
            .iter()
            .chain(self.ensemble.observers.iter())
            .copied()
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        let e = &self.ensemble;
        if e.participants.is_empty() {
            return Err(ScenarioError::at(
                "ensemble.participants",
                "needs at least one voting server",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
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
            self.validate_servers(&action.kind, &path, &seen)?;
        }
        Ok(())
    }

    fn validate_servers(
        &self,
        kind: &ActionKind,
        path: &str,
        known: &std::collections::BTreeSet<u32>,
    ) -> Result<(), ScenarioError> {
        let check = |sid: u32, field: &str| {
            if known.contains(&sid) {
                Ok(())
            } else {
                Err(ScenarioError::at(
                    format!("{path}.{field}"),
                    format!(
                        "server {sid} is not in the ensemble (servers: {})",
                        join_sids(known.iter().copied())
                    ),
                ))
            }
        };
        let check_ref = |r: &ServerRef, field: &str| match r {
            ServerRef::Sid(sid) => check(*sid, field),
            ServerRef::Leader => Ok(()),
        };
        match kind {
            ActionKind::Start { servers } => {
                for (j, &sid) in servers.iter().enumerate() {
                    check(sid, &format!("servers[{j}]"))?;
                }
                Ok(())
            }
            ActionKind::Partition { groups, clients } => {
                if clients.len() > groups.len() {
                    return Err(ScenarioError::at(
                        format!("{path}.clients"),
                        "more client groups than server groups",
                    ));
                }
                let mut placed = std::collections::BTreeSet::new();
                for (g, group) in groups.iter().enumerate() {
                    for (j, &sid) in group.iter().enumerate() {
                        let field = format!("groups[{g}][{j}]");
                        check(sid, &field)?;
                        if !placed.insert(sid) {
                            return Err(ScenarioError::at(
                                format!("{path}.{field}"),
                                format!("server {sid} is in two groups"),
                            ));
                        }
                    }
                }
                Ok(())
            }
            ActionKind::SlowLink { from, to, .. }
            | ActionKind::Cut { from, to }
            | ActionKind::Drop { from, to } => {
                check(*from, "from")?;
                check(*to, "to")?;
                if from == to {
                    return Err(ScenarioError::at(
                        format!("{path}.to"),
                        "a link joins two different servers",
                    ));
                }
                Ok(())
            }
            ActionKind::Crash { server }
            | ActionKind::Restart { server }
            | ActionKind::Pause { server, .. }
            | ActionKind::SlowDisk { server, .. }
            | ActionKind::Connect { server, .. }
            | ActionKind::FourLetterWord { server, .. } => check_ref(server, "server"),
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
}

fn join_sids(sids: impl Iterator<Item = u32>) -> String {
    sids.map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

/// Deserializes one value, naming `path` in the error. Unknown nested
/// fields come out as serde's own "unknown field `x`, expected ..." text.
fn field<T: DeserializeOwned>(value: Value, path: &str) -> Result<T, ScenarioError> {
    if let Value::Number(n) = &value {
        if n.as_i64().is_some_and(|v| v < 0) {
            return Err(ScenarioError::at(path, format!("{n} is negative")));
        }
    }
    serde_json::from_value(value).map_err(|e| ScenarioError::at(path, e.to_string()))
}

fn opt_field<T: DeserializeOwned>(
    map: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<T>, ScenarioError> {
    map.remove(name).map(|v| field(v, name)).transpose()
}

fn parse_action(value: Value, path: &str) -> Result<Action, ScenarioError> {
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
    let rest = Value::Object(map);
    let kind = match name.as_str() {
        "start" => {
            let f: StartFields = field(rest, path)?;
            ActionKind::Start { servers: f.servers }
        }
        "crash" => ActionKind::Crash {
            server: field::<ServerFields>(rest, path)?.server,
        },
        "restart" => ActionKind::Restart {
            server: field::<ServerFields>(rest, path)?.server,
        },
        "pause" => {
            let f: PauseFields = field(rest, path)?;
            ActionKind::Pause {
                server: f.server,
                for_ms: f.for_ms,
            }
        }
        "partition" => {
            let f: PartitionFields = field(rest, path)?;
            ActionKind::Partition {
                groups: f.groups,
                clients: f.clients,
            }
        }
        "heal" => {
            field::<NoFields>(rest, path)?;
            ActionKind::Heal
        }
        "slow_link" => {
            let f: SlowLinkFields = field(rest, path)?;
            ActionKind::SlowLink {
                from: f.from,
                to: f.to,
                latency_ms: f.latency_ms,
            }
        }
        "slow_disk" => {
            let f: SlowDiskFields = field(rest, path)?;
            ActionKind::SlowDisk {
                server: f.server,
                fsync_ms: f.fsync_ms,
            }
        }
        "connect" => {
            let f: ConnectFields = field(rest, path)?;
            ActionKind::Connect {
                client: f.client,
                server: f.server,
                session_timeout_ms: f.session_timeout_ms,
            }
        }
        "write" => {
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
            ActionKind::Write {
                client: f.client,
                count: burst(f.count, path)?,
                op: f.op,
                path: f.path,
                data: f.data,
                version: f.version,
            }
        }
        "sync" => {
            let f: SyncFields = field(rest, path)?;
            znode_path(&f.path, &format!("{path}.path"), false)?;
            ActionKind::Sync {
                client: f.client,
                path: f.path,
            }
        }
        "multi" => {
            let f: MultiFields = field(rest, path)?;
            if f.ops.is_empty() {
                return Err(ScenarioError::at(
                    format!("{path}.ops"),
                    "a multi needs at least one op",
                ));
            }
            for (i, op) in f.ops.iter().enumerate() {
                let at = format!("{path}.ops[{i}]");
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
            }
            ActionKind::Multi {
                client: f.client,
                ops: f.ops,
            }
        }
        "recipe" => {
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
            ActionKind::Recipe {
                client: f.client,
                recipe: f.recipe,
                path: f.path,
                hold_ms: f.hold_ms,
                size: f.size,
                repeat: f.repeat,
            }
        }
        "read" => {
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
            ActionKind::Read {
                client: f.client,
                path: f.path,
                op: f.op,
                count: burst(f.count, path)?,
                watch: f.watch,
            }
        }
        "close" => ActionKind::Close {
            client: field::<CloseFields>(rest, path)?.client,
        },
        "load" => {
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
            ActionKind::Load {
                client: f.client,
                rate_per_s: f.rate_per_s,
                for_ms: f.for_ms,
                reads_per_s: f.reads_per_s,
            }
        }
        "cut" => {
            let f: LinkFields = field(rest, path)?;
            ActionKind::Cut {
                from: f.from,
                to: f.to,
            }
        }
        "drop" => {
            let f: LinkFields = field(rest, path)?;
            ActionKind::Drop {
                from: f.from,
                to: f.to,
            }
        }
        "expect" => {
            let f: ExpectFields = field(rest, path)?;
            if f.client.is_some() && f.what != Expectation::WritesCommit {
                return Err(ScenarioError::at(
                    format!("{path}.client"),
                    "only a writes_commit expectation names a client",
                ));
            }
            ActionKind::Expect {
                what: f.what,
                within_ms: f.within_ms,
                client: f.client,
            }
        }
        "4lw" => {
            let f: FourLetterWordFields = field(rest, path)?;
            ActionKind::FourLetterWord {
                server: f.server,
                cmd: f.cmd,
            }
        }
        other => {
            return Err(ScenarioError::at(
                format!("{path}.do"),
                format!(
                    "unknown action \"{other}\"; known actions: {}",
                    ACTION_NAMES.join(", ")
                ),
            ))
        }
    };
    Ok(Action { at_ms, kind })
}

/// A znode path: absolute, no empty component, no trailing slash (the
/// root is "/"); `not_root` refuses "/" itself (a recipe needs its own
/// parent node).
fn znode_path(p: &str, at: &str, not_root: bool) -> Result<(), ScenarioError> {
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

fn time_field(value: Value, path: &str) -> Result<u64, ScenarioError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{ "zablab": 1, "seed": 7,
        "ensemble": { "participants": [1,2,3] },
        "actions": [ { "at_ms": 0, "do": "start", "servers": [1,2,3] } ] }"#;

    fn error_of(text: &str) -> String {
        Scenario::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn minimal_file_takes_zoo_sample_defaults() {
        let s = Scenario::from_json(MINIMAL).unwrap();
        assert_eq!(s.ensemble.tick_ms, 2000);
        assert_eq!(s.ensemble.init_limit, 10);
        assert_eq!(s.ensemble.sync_limit, 5);
        assert_eq!(s.until_ms, 60_000);
        assert_eq!(s.network.latency_ms, [1, 5]);
        assert_eq!(s.actions.len(), 1);
    }

    #[test]
    fn the_design_example_parses_and_round_trips() {
        let text = include_str!("../../static/scenarios/kill-the-leader.json");
        let s = Scenario::from_json(text).unwrap();
        assert_eq!(s.actions.len(), 11);
        assert_eq!(
            s.actions[4].kind,
            ActionKind::Restart {
                server: ServerRef::Sid(3)
            }
        );
        assert_eq!(
            s.actions[3].kind,
            ActionKind::Crash {
                server: ServerRef::Leader
            }
        );
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn bad_inputs_name_the_problem() {
        assert!(error_of("{ not json").starts_with("not valid JSON"));
        assert!(
            error_of(&MINIMAL.replace("\"seed\"", "\"sead\"")).starts_with("sead: unknown field")
        );
        let unknown_action = error_of(&MINIMAL.replace("\"start\"", "\"explode\""));
        assert!(
            unknown_action.contains("actions[0].do: unknown action \"explode\""),
            "{unknown_action}"
        );
        let bad_sid = error_of(&MINIMAL.replace("[1,2,3] } ]", "[1,2,9] } ]"));
        assert!(
            bad_sid.contains("actions[0].servers[2]: server 9 is not in the ensemble"),
            "{bad_sid}"
        );
        let negative = error_of(&MINIMAL.replace("\"at_ms\": 0", "\"at_ms\": -5"));
        assert!(
            negative.contains("actions[0].at_ms: -5 is negative"),
            "{negative}"
        );
        let nested = error_of(&MINIMAL.replace("\"participants\"", "\"voters\""));
        assert!(
            nested.contains("ensemble: unknown field `voters`"),
            "{nested}"
        );
        let action_field = error_of(&MINIMAL.replace("\"servers\"", "\"server\""));
        assert!(
            action_field.contains("actions[0]: unknown field `server`"),
            "{action_field}"
        );
        let version = error_of(&MINIMAL.replace("\"zablab\": 1", "\"zablab\": 2"));
        assert!(version.contains("version 2 is not supported"), "{version}");
    }

    #[test]
    fn ensemble_shape_is_checked() {
        let dup = error_of(&MINIMAL.replace("[1,2,3] }", "[1,2,2] }"));
        assert!(dup.contains("appears twice"), "{dup}");
        let zero = error_of(&MINIMAL.replace("[1,2,3] }", "[0,2,3] }"));
        assert!(zero.contains("outside 1..=255"), "{zero}");
        let late = error_of(&MINIMAL.replace("\"at_ms\": 0", "\"at_ms\": 70000"));
        assert!(late.contains("after until_ms 60000"), "{late}");
    }
}
