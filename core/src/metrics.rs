//! What a ZooKeeper server measures about itself, as plain data: the
//! process-wide `ServerMetrics` (counters, `AvgMinMaxCounter` summaries,
//! `AvgMinMaxPercentileCounter` summaries and `SummarySet`s) and the
//! per-`ZooKeeperServer` `ServerStats` (packets, request latency, client
//! response sizes).
//!
//! Contract: these values are observations. The protocol never reads them,
//! so feeding them changes no event and no trace hash. Times are virtual
//! milliseconds. No floating point is used to keep them; percentiles are
//! computed in integers (see [`PctSummary::percentile`]).

use std::collections::BTreeMap;

use crate::seq::Seq;

use serde::Serialize;

use crate::proto::Sid;

/// An `AvgMinMaxCounter`: request latencies, election times and the like.
/// `min`/`max` are meaningful only when `count > 0`; they print as `0`
/// otherwise, as in ZooKeeper.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Data points added.
    pub count: u64,
    /// Their sum.
    pub total: u64,
    /// Smallest data point.
    pub min: u64,
    /// Largest data point.
    pub max: u64,
}

impl Summary {
    /// Adds one data point (`AvgMinMaxCounter.addDataPoint`).
    pub fn add(&mut self, value: u64) {
        if self.count == 0 || value < self.min {
            self.min = value;
        }
        if self.count == 0 || value > self.max {
            self.max = value;
        }
        self.count = self.count.saturating_add(1);
        self.total = self.total.saturating_add(value);
    }

    /// `getMin()`: 0 with no data.
    pub fn min_or_zero(&self) -> u64 {
        if self.count == 0 {
            0
        } else {
            self.min
        }
    }

    /// `getMax()`: 0 with no data.
    pub fn max_or_zero(&self) -> u64 {
        if self.count == 0 {
            0
        } else {
            self.max
        }
    }

    /// `getAvg()`: `total / count` as a double, rounded HALF_UP to 4
    /// decimals (`0.0` with no data). For display only (4lw text).
    pub fn avg(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        round_half_up_4(self.total as f64 / self.count as f64)
    }

    /// The average in thousandths (integer arithmetic, for the UI and the
    /// diagnosis; the 4lw text uses ZooKeeper's double, see `fourlw`).
    pub fn avg_milli(&self) -> u64 {
        self.total
            .saturating_mul(1000)
            .checked_div(self.count)
            .unwrap_or(0)
    }
}

/// How many samples ZooKeeper's `ResettableUniformReservoir` keeps.
pub const RESERVOIR_SIZE: usize = 4096;

/// Replacements a [`PctSummary`] logs before it folds them into its array.
const FOLD_AT: usize = 4 * RESERVOIR_SIZE;

/// A replacement in one word: the slot (below 4096, 12 bits) over the
/// value (52 bits: a value of 2^52 ms or more, 142,000 years, is kept as
/// 2^52 - 1).
fn pack(slot: u64, value: u64) -> u64 {
    slot << 52 | value.min((1 << 52) - 1)
}

fn unpack(r: u64) -> (usize, u64) {
    ((r >> 52) as usize, r & ((1 << 52) - 1))
}

/// An `AvgMinMaxPercentileCounter`: a [`Summary`] plus a uniform reservoir
/// of samples for `p50`/`p95`/`p99`/`p999`.
///
/// ZooKeeper keeps the first 4096 samples, then replaces a random one with
/// probability 4096/n. Here the "random" slot is a fixed hash of the sample
/// number: no PRNG is drawn, so the run's events do not change.
///
/// Kept as a log, not as the array: the first 4096 samples, then each
/// replacement (slot, value) in order; the array is rebuilt when a
/// percentile is asked for. Both are `Seq`s, so a clone (a checkpoint)
/// shares everything but a few dozen recent entries, and the simulation
/// going on never copies the array (a copy-on-write array was copied whole
/// by the first sample after every checkpoint: 260 KB per server and
/// checkpoint). Replacements come with the logarithm of the count (4096
/// × ln(n / 4096): about 20,000 after an hour at 200 writes/s), 8 bytes
/// each ([`pack`]); every [`FOLD_AT`] of them the log is folded into a new
/// array (32 KB), so a summary holds at most ~160 KB however long the run
/// (it held 16 bytes a replacement, without bound: ~30 MB for a 5-server
/// ensemble's ~95 summaries after an hour). A fold happens about once per
/// 55-fold growth of the count (at ~224,000 samples, then ~12 M), so the
/// checkpoints before and after one rarely hold different logs.
#[derive(Clone, Debug, Default)]
pub struct PctSummary {
    pub summary: Summary,
    first: Seq<u64, 64>,
    /// Each replacement as `slot << 52 | value` ([`pack`]).
    replaced: Seq<u64, 64>,
}

/// Equal when the counts and the reservoirs are (however they got there).
impl PartialEq for PctSummary {
    fn eq(&self, other: &Self) -> bool {
        self.summary == other.summary && self.samples() == other.samples()
    }
}
impl Eq for PctSummary {}

impl PctSummary {
    /// `addDataPoint`.
    pub fn add(&mut self, value: u64) {
        self.summary.add(value);
        let n = self.summary.count;
        // `first` holds the first min(n - 1, 4096) samples: only `add`
        // changes either, so the count says whether it is full without
        // summing the `Seq`'s parts.
        if n <= RESERVOIR_SIZE as u64 {
            debug_assert!(self.first.len() < RESERVOIR_SIZE);
            self.first.push(value);
        } else {
            // A slot in [0, n) by multiply-shift (no division).
            let slot = ((u128::from(splitmix64(n)) * u128::from(n)) >> 64) as u64;
            if slot < RESERVOIR_SIZE as u64 {
                self.replaced.push(pack(slot, value));
                if self.replaced.len() >= FOLD_AT {
                    // Fold the log into a new array: the head keeps at
                    // most one array and FOLD_AT replacements, and the
                    // checkpoints keep sharing the old ones.
                    self.first = self.samples().into_iter().collect();
                    self.replaced = Seq::new();
                }
            }
        }
    }

    /// The reservoir now: the first samples with every replacement applied.
    pub fn samples(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.first.iter().copied().collect();
        for (slot, value) in self.replaced.iter().map(|&r| unpack(r)) {
            if let Some(s) = v.get_mut(slot) {
                *s = value;
            }
        }
        v
    }

    /// `Math.round(UniformSnapshot.getValue(num/den))` (Dropwizard): with
    /// the samples sorted, `pos = q * (n + 1)`; below the first or past the
    /// last sample it is that sample, else the linear interpolation between
    /// the two around `pos`, rounded half up. Computed exactly in integers.
    pub fn percentile(&self, num: u64, den: u64) -> u64 {
        let mut v = self.samples();
        if v.is_empty() || den == 0 {
            return 0;
        }
        crate::sorting::sort(&mut v);
        let n = v.len() as u64;
        let scaled = num * (n + 1);
        let index = scaled / den;
        let rem = scaled % den;
        let first = v.first().copied().unwrap_or(0);
        let last = v.last().copied().unwrap_or(0);
        if index < 1 {
            return first;
        }
        if index >= n {
            return last;
        }
        let i = index as usize;
        let lower = v.get(i - 1).copied().unwrap_or(first);
        let upper = v.get(i).copied().unwrap_or(last);
        let d = upper.saturating_sub(lower);
        lower + (2 * rem * d + den) / (2 * den)
    }

    /// `p50`, `p95`, `p99`, `p999`.
    pub fn percentiles(&self) -> [u64; 4] {
        [
            self.percentile(50, 100),
            self.percentile(95, 100),
            self.percentile(99, 100),
            self.percentile(999, 1000),
        ]
    }
}

/// `BigDecimal(x).setScale(4, HALF_UP).doubleValue()`, exactly: the double
/// is split into `mantissa * 2^exp`, scaled by 10^4 in integers, and the
/// discarded binary fraction decides the rounding (ties away from zero).
fn round_half_up_4(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let bits = x.abs().to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), raw_exp - 1075)
    };
    if exp >= 0 {
        return x; // an integer: nothing to round
    }
    let scaled = u128::from(mantissa) * 10_000;
    let shift = exp.unsigned_abs();
    let units = if shift >= 128 {
        0 // below 2^-60: rounds to 0.0000
    } else {
        let q = scaled >> shift;
        let rest = scaled - (q << shift);
        let half = 1u128 << (shift - 1);
        if rest >= half {
            q + 1
        } else {
            q
        }
    };
    let text = format!("{}.{:04}", units / 10_000, units % 10_000);
    let rounded = text.parse::<f64>().unwrap_or(0.0);
    if x.is_sign_negative() {
        -rounded
    } else {
        rounded
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The process-wide `ServerMetrics` this model feeds: they live as long as
/// the process (a crash or restart zeroes them) and survive role changes.
/// Every field is named after its `mntr` key (`zk_<name>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    // ----- counters -----
    /// `Leader.propose`: proposals this process made as leader.
    pub proposal_count: u64,
    /// `QuorumPeer.run`: times this peer entered LOOKING.
    pub looking_count: u64,
    /// `Follower.processPacket`: PROPOSALs received in broadcast.
    pub learner_proposal_received_count: u64,
    /// COMMITs (an observer: INFORMs) received in broadcast.
    pub learner_commit_received_count: u64,
    /// `LearnerHandler.syncFollower`: learner syncs led without a snapshot
    /// (DIFF or TRUNC).
    pub diff_count: u64,
    /// Learner syncs led with a SNAP.
    pub snap_count: u64,
    /// `Leader.commit`: commits this process sent as leader.
    pub commit_count: u64,
    /// Requests into the leader's `PrepRequestProcessor`.
    pub prep_processor_request_queued: u64,
    /// Txns queued to the `SyncRequestProcessor` (the txn log).
    pub sync_processor_request_queued: u64,
    /// `PrepRequestProcessor.addChangeRecord`: pending changes queued.
    pub outstanding_changes_queued: u64,
    /// Pending changes removed once their txn was applied.
    pub outstanding_changes_removed: u64,
    /// Committed requests queued to the `CommitProcessor`.
    pub request_commit_queued: u64,
    /// Bytes received from clients.
    pub bytes_received_count: u64,
    /// Bytes of responses sent to clients.
    pub response_bytes: u64,
    /// Client connections closed because the server was not running.
    pub cnxn_closed_without_zk_server_running: u64,
    // ----- summaries -----
    /// ms from leaving BROADCAST (going LOOKING) to BROADCAST again,
    /// counted when BROADCAST is reached as leader.
    pub leader_unavailable_time: Summary,
    /// As `leader_unavailable_time`, in any role.
    pub unavailable_time: Summary,
    /// ms from starting LOOKING to deciding a role.
    pub election_time: Summary,
    /// `WatchManager.triggerWatch`: watchers fired per event, by type.
    pub node_created_watch_count: Summary,
    pub node_deleted_watch_count: Summary,
    pub node_changed_watch_count: Summary,
    pub node_children_watch_count: Summary,
    /// ms a follower spent syncing with its leader (connect to UPTODATE).
    pub follower_sync_time: Summary,
    /// ms an observer spent syncing with its leader.
    pub observer_sync_time: Summary,
    /// ms each fsync of the txn log took (`FileTxnLog.commit`).
    pub fsynctime: Summary,
    /// ms each snapshot took (0 here: the simulated disk writes at once).
    pub snapshottime: Summary,
    /// ms to load the database (`ZKDatabase.loadDataBase`).
    pub dbinittime: Summary,
    /// ms to read the newest snapshot at a database load.
    pub startup_snap_load_time: Summary,
    /// ms to replay the txn log after the snapshot.
    pub startup_txns_load_time: Summary,
    /// Txns replayed from the log after the snapshot.
    pub startup_txns_loaded: Summary,
    /// Txns per txn-log flush (`sync_processor_batch_size`).
    pub sync_processor_batch_size: Summary,
    /// Txns waiting in the `SyncRequestProcessor` when one more arrives.
    pub sync_processor_queue_size: Summary,
    /// Syncs in progress when a DIFF sync starts.
    pub inflight_diff_count: Summary,
    /// Syncs in progress when a SNAP sync starts.
    pub inflight_snap_count: Summary,
    // ----- summaries with percentiles -----
    /// ms from a write's arrival at this server to its reply.
    pub updatelatency: PctSummary,
    /// ms from a read's (or ping's) arrival to its reply.
    pub readlatency: PctSummary,
    /// Leader: ms from a txn's creation to its quorum of ACKs.
    pub quorum_ack_latency: PctSummary,
    /// ms from a txn's creation to this server's ACK (after its fsync).
    pub proposal_ack_creation_latency: PctSummary,
    /// ms from a txn's creation to its being applied here.
    pub propagation_latency: PctSummary,
    /// Learner: ms from a txn's creation to its COMMIT (INFORM) arriving.
    pub commit_propagation_latency: PctSummary,
    /// Follower: ms from a txn's creation to its PROPOSAL arriving.
    pub proposal_latency: PctSummary,
    /// ms a txn waited in the `SyncRequestProcessor` before its flush began.
    pub sync_processor_queue_time_ms: PctSummary,
    /// ms a txn's flush took once begun (`SYNC_PROCESSOR_FLUSH_TIME`).
    pub sync_processor_queue_flush_time_ms: PctSummary,
    /// ms from queueing a txn to the log to its flush completing.
    pub sync_processor_queue_and_flush_time_ms: PctSummary,
    /// ms a local write waited in the `CommitProcessor` for its commit.
    pub write_commitproc_time_ms: PctSummary,
    /// ms a read waited in the `CommitProcessor` (behind its session's
    /// writes).
    pub read_commitproc_time_ms: PctSummary,
    /// ms from a local write's commit arriving to its processing (0 here).
    pub local_write_committed_time_ms: PctSummary,
    /// ms from another server's write's commit arriving to its processing.
    pub server_write_committed_time_ms: PctSummary,
    // ----- summary sets -----
    /// Bytes (path + data) written per top-level namespace.
    pub write_per_namespace: BTreeMap<String, Summary>,
    /// Bytes (path + data + stat) read per top-level namespace.
    pub read_per_namespace: BTreeMap<String, Summary>,
    /// Leader: per learner sid, the packets still queued to it each time
    /// one more was sent (`learner_handler_qp_size`). The simulated network
    /// has no socket-buffer limit, so this counts every packet not yet
    /// delivered to the learner, those in flight included.
    pub learner_handler_qp_size: BTreeMap<Sid, Summary>,
    /// Leader: per learner sid, ms a marker packet (one every 1000 packets)
    /// took from being queued to being delivered.
    pub learner_handler_qp_time_ms: BTreeMap<Sid, PctSummary>,
}

/// `PathUtils.getTopNamespace`: `/a/b` → `a`; `/` has none.
pub fn top_namespace(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    // A byte search ('/' is ASCII, so the cut is a char boundary).
    let end = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
    let ns = &rest[..end];
    (!ns.is_empty()).then_some(ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_dropwizard_uniform_snapshot() {
        let mut p = PctSummary::default();
        assert_eq!(p.percentiles(), [0, 0, 0, 0]);
        // The real leader's quorum_ack_latency (tests/real-zk/leader-mntr.txt):
        // 11 samples, p50 3, p95 18.
        for v in [3, 3, 3, 3, 3, 3, 5, 6, 7, 16, 18] {
            p.add(v);
        }
        assert_eq!(p.summary.count, 11);
        assert_eq!(p.percentiles(), [3, 18, 18, 18]);
        let mut q = PctSummary::default();
        for v in [10, 20] {
            q.add(v);
        }
        // pos = 0.5 * 3 = 1.5: halfway between 10 and 20, rounded half up.
        assert_eq!(q.percentile(50, 100), 15);
        let one = {
            let mut o = PctSummary::default();
            o.add(8);
            o
        };
        assert_eq!(one.percentiles(), [8, 8, 8, 8]);
    }

    #[test]
    fn the_reservoir_is_bounded_and_deterministic() {
        let mut a = PctSummary::default();
        for v in 0..10_000 {
            a.add(v);
        }
        let b = a.clone();
        assert_eq!(a, b);
        assert_eq!(a.samples().len(), RESERVOIR_SIZE);
        assert_eq!(a.summary.count, 10_000);
        assert_eq!(a.summary.max, 9_999);
        let p50 = a.percentile(50, 100);
        assert!((2_000..8_000).contains(&p50), "{p50}");
    }

    /// The reservoir as an array, replaced in place (what the log must
    /// rebuild exactly).
    #[test]
    fn the_log_rebuilds_the_array_reservoir() {
        let mut a = PctSummary::default();
        let mut array: Vec<u64> = Vec::new();
        for n in 1..=300_000u64 {
            let value = splitmix64(n ^ 0x5a5a) % 10_000;
            a.add(value);
            if array.len() < RESERVOIR_SIZE {
                array.push(value);
            } else {
                let slot = ((u128::from(splitmix64(n)) * u128::from(n)) >> 64) as usize;
                if let Some(s) = array.get_mut(slot) {
                    *s = value;
                }
            }
            if n % 25_000 == 0 || n == 4096 || n == 4097 {
                assert_eq!(a.samples(), array, "after {n} samples");
            }
        }
        // 300,000 samples made ~17,600 replacements: folded, not kept.
        assert!(a.replaced.len() < FOLD_AT, "{}", a.replaced.len());
    }

    #[test]
    fn namespaces_and_averages() {
        assert_eq!(top_namespace("/a/b"), Some("a"));
        assert_eq!(top_namespace("/zookeeper/config"), Some("zookeeper"));
        assert_eq!(top_namespace("/"), None);
        let mut s = Summary::default();
        s.add(1);
        s.add(2);
        assert_eq!(s.avg_milli(), 1500);
        assert_eq!(Summary::default().avg_milli(), 0);
    }
}
