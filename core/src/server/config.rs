//! A server's settings (`QuorumPeerConfig` and the system properties the
//! model reads), shared by the ensemble, with the quorum rule
//! (`QuorumMaj`). Pure data and arithmetic: a server reads its config and
//! never changes it.

use crate::proto::Sid;

/// ZooKeeper's `commitLogCount` floor (`ZKDatabase`).
pub const MIN_COMMIT_LOG_COUNT: u64 = 500;

/// Settings of one server, shared by the ensemble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub sid: Sid,
    pub participants: Vec<Sid>,
    pub observers: Vec<Sid>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    /// Effective window (the configured value, raised to 500).
    pub commit_log_count: u64,
    pub configured_commit_log_count: u64,
    pub snap_count: u64,
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    /// `zookeeper.snapshotSizeFactor` (0.33 by default) as configured, in
    /// hundredths; [`Config::size_factor_pct`] is the one in effect.
    pub snapshot_size_factor_pct: i64,
    /// Test hook `zookeeper.testingonly.initialZxid`: the counter each
    /// established epoch starts from (0 normally).
    pub initial_zxid_counter: u32,
    /// `autopurge.snapRetainCount` as configured; [`Config::snap_retain_count`]
    /// is the one in effect.
    pub autopurge_snap_retain_count: u64,
    /// `autopurge.purgeInterval`, hours (0: no purge task).
    pub autopurge_purge_interval: u64,
    pub variants: Vec<String>,
}

impl Config {
    pub fn is_participant(&self, sid: Sid) -> bool {
        self.participants.contains(&sid)
    }

    pub fn is_observer(&self) -> bool {
        self.observers.contains(&self.sid)
    }

    /// `QuorumMaj.containsQuorum`: more than half of the voters.
    pub fn is_quorum<'a>(&self, sids: impl IntoIterator<Item = &'a Sid>) -> bool {
        let n = sids
            .into_iter()
            .filter(|s| self.participants.contains(s))
            .count();
        n > self.participants.len() / 2
    }

    pub fn quorum_size(&self) -> usize {
        self.participants.len() / 2 + 1
    }

    pub fn variant(&self, flag: &str) -> bool {
        self.variants.iter().any(|v| v == flag)
    }

    pub fn init_timeout_ms(&self) -> u64 {
        self.init_limit * self.tick_ms
    }

    pub fn sync_timeout_ms(&self) -> u64 {
        self.sync_limit * self.tick_ms
    }

    /// The `autopurge.snapRetainCount` in effect: `QuorumPeerConfig`
    /// raises a count below 3 to 3 (with a warning).
    pub fn snap_retain_count(&self) -> u64 {
        self.autopurge_snap_retain_count.max(MIN_SNAP_RETAIN_COUNT)
    }

    /// The `snapshotSizeFactor` in effect, in hundredths: `ZKDatabase`
    /// replaces a factor above 1 with the default 0.33.
    pub fn size_factor_pct(&self) -> i64 {
        if self.snapshot_size_factor_pct > 100 {
            DEFAULT_SNAPSHOT_SIZE_FACTOR_PCT
        } else {
            self.snapshot_size_factor_pct
        }
    }
}

/// `PurgeTxnLog.MIN_SNAP_RETAIN_COUNT` (also `QuorumPeerConfig`'s floor).
pub const MIN_SNAP_RETAIN_COUNT: u64 = 3;

/// `ZKDatabase.DEFAULT_SNAPSHOT_SIZE_FACTOR`, in hundredths.
pub const DEFAULT_SNAPSHOT_SIZE_FACTOR_PCT: i64 = 33;

/// `Double.toString` of a factor given in hundredths (`0.33`, `1.0`,
/// `-0.01`), as ZooKeeper prints `snapshotSizeFactor`.
pub fn java_factor(pct: i64) -> String {
    let sign = if pct < 0 { "-" } else { "" };
    let (int, frac) = (pct.unsigned_abs() / 100, pct.unsigned_abs() % 100);
    let frac = if frac == 0 {
        "0".to_string()
    } else {
        format!("{frac:02}").trim_end_matches('0').to_string()
    };
    format!("{sign}{int}.{frac}")
}
