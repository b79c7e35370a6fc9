//! The scenario v1 data model (`docs/SCENARIO.md`): what a file holds once
//! read, and how it is written back (`serde::Serialize` here gives the
//! JSON `Scenario::to_json` prints, which `Scenario::from_json` reads back).
//!
//! Owns the types, their defaults (ZooKeeper's `conf/zoo_sample.cfg`:
//! tickTime 2000, initLimit 10, syncLimit 5) and the `"do"` name of each
//! action. Never checks anything: parsing is `parse.rs` and the action
//! files, checking `validate.rs` and `refs.rs`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only scenario version this build reads.
pub const SCENARIO_VERSION: u64 = 1;

/// Highest server id ZooKeeper accepts in `myid`.
pub const MAX_SID: u32 = 255;

/// The client a `write` with no `client` uses (the simulator connects it
/// to the first serving server); later actions may name it.
pub const BUILTIN_CLIENT: &str = "zablab";

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
    /// How `zablab conform` compares this scenario with a real ensemble:
    /// the outcomes a real ensemble's timing decides. The simulator
    /// ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conform: Option<Conform>,
}

/// What `zablab conform` must know of a scenario (`docs/SCENARIO.md`,
/// `conform`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conform {
    /// Facts a real ensemble's timing decides: each may come out as any
    /// of its values on either side.
    #[serde(default)]
    pub either: Vec<EitherOf>,
}

/// One timing-dependent outcome: `fact` (a row of the conform table, e.g.
/// `leader e1`) may be any of `of` (values as the table prints them, e.g.
/// `s2`, `s3`), for the reason `why`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EitherOf {
    pub fact: String,
    pub of: Vec<String>,
    pub why: String,
}

/// What a bug-museum scenario shows (`docs/MUSEUM.md`).
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
    /// What a real ZooKeeper ensemble logged when the same situation was
    /// driven on it (findings, `docs/FINDINGS.md`): the app shows each line
    /// beside the simulated one it corresponds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real: Option<RealRun>,
}

/// A real ensemble's run of a museum or finding schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealRun {
    /// Where the run is told: version, ensemble, date, the document.
    pub source: String,
    /// The decisive lines, in the order the ensemble logged them.
    pub lines: Vec<RealLine>,
}

/// One line of a real server's log, as log4j printed it (thread and line
/// number left out). It corresponds to the simulated line of the same
/// server, level and class whose text is the same once zxids (hex) are
/// masked (`LogEntry::matches_real`), unless `unmodelled` says why the model has
/// no such line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealLine {
    pub sid: u32,
    /// `INFO`, `WARN`, `ERROR` or `DEBUG`.
    pub level: String,
    /// The logger's class, e.g. `LearnerHandler`.
    pub class: String,
    pub text: String,
    /// Why the model logs nothing like it (e.g. it keeps no tree digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmodelled: Option<String>,
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
    /// `autopurge.snapRetainCount`: the snapshots a purge keeps (default
    /// 3; below 3 ZooKeeper warns and uses 3).
    #[serde(
        default = "defaults::autopurge_snap_retain_count",
        skip_serializing_if = "defaults::is_autopurge_snap_retain_count"
    )]
    pub autopurge_snap_retain_count: u64,
    /// `autopurge.purgeInterval` in hours: how often each server purges
    /// its old snapshots and txn logs; 0 (the default) never.
    #[serde(default, skip_serializing_if = "defaults::is_zero")]
    pub autopurge_purge_interval: u64,
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

impl Ensemble {
    /// These servers with every other field at its file default
    /// (ZooKeeper's sample limits, no variant, autopurge off): what a
    /// scenario file naming only `participants` and `observers` reads as.
    pub fn new(participants: Vec<u32>, observers: Vec<u32>) -> Ensemble {
        Ensemble {
            participants,
            observers,
            tick_ms: defaults::tick_ms(),
            init_limit: defaults::init_limit(),
            sync_limit: defaults::sync_limit(),
            commit_log_count: defaults::commit_log_count(),
            snap_count: defaults::snap_count(),
            variants: Vec::new(),
            snapshot_size_factor_pct: defaults::snapshot_size_factor_pct(),
            initial_zxid_counter: 0,
            autopurge_snap_retain_count: defaults::autopurge_snap_retain_count(),
            autopurge_purge_interval: 0,
        }
    }
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_ms: defaults::latency_ms(),
            fsync_ms: defaults::fsync_ms(),
        }
    }
}

/// The defaults of omitted fields (ZooKeeper's sample configuration and
/// ZabLab's own network timing).
pub(super) mod defaults {
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
    pub fn autopurge_snap_retain_count() -> u64 {
        3
    }
    pub fn is_autopurge_snap_retain_count(n: &u64) -> bool {
        *n == autopurge_snap_retain_count()
    }
    pub fn is_zero(n: &u64) -> bool {
        *n == 0
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
    /// `kill -9` of the server's process (what the OS had written
    /// survives), or with `power_loss` its machine losing power (only what
    /// was fsynced survives): `Server::crash`.
    Crash {
        server: ServerRef,
        #[serde(skip_serializing_if = "is_false")]
        power_loss: bool,
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

fn is_false(v: &bool) -> bool {
    !*v
}

fn is_zero(v: &u64) -> bool {
    *v == 0
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
