//! A seed's options: the ensemble and the network it runs on. 3, 5 or 7
//! voters plus 0–2 observers; tickTime, initLimit, syncLimit; link and
//! fsync latencies; `snapCount` (small ones make logs roll and txn-log
//! syncs fall back to SNAP); `snapshotSizeFactor` (sometimes off); now
//! and then a zxid counter that starts near the top so the rollover guard
//! is exercised.
//!
//! The first draws of the main stream, always in this order. Never draws
//! from the recipe stream.

use super::draw::{pick, range};
use crate::rng::Pcg32;
use crate::scenario::{Ensemble, Network};

/// The ensemble and network of one seed, drawn from `r`.
pub(super) fn options(r: &mut Pcg32, variants: &[String]) -> (Ensemble, Network) {
    let voters = pick(r, &[3u32, 3, 3, 5, 5, 7]);
    let observers = pick(r, &[0u32, 0, 0, 1, 1, 2]);
    let tick = pick(r, &[100u64, 200, 200, 500, 1000, 2000]);
    let init_limit = range(r, 5, 10);
    let sync_limit = range(r, 2, 5);
    let lat_lo = range(r, 1, 3);
    let lat_hi = lat_lo + range(r, 0, (tick / 10).max(1));
    let fsync_hi = range(r, 1, 10);
    let snap_count = match r.below(4) {
        0 => range(r, 2, 60),
        1 => range(r, 100, 1000),
        _ => 100_000,
    };
    let snapshot_size_factor_pct = pick(r, &[33i64, 33, 33, -1, 100]);
    let initial_zxid_counter = if r.below(20) == 0 {
        u32::MAX - range(r, 5, 80) as u32
    } else {
        0
    };
    let ensemble = Ensemble {
        participants: (1..=voters).collect(),
        observers: (voters + 1..=voters + observers).collect(),
        tick_ms: tick,
        init_limit,
        sync_limit,
        commit_log_count: 500,
        snap_count,
        variants: variants.to_vec(),
        snapshot_size_factor_pct,
        initial_zxid_counter,
        // Autopurge stays off: a fuzz run lasts minutes, a purge interval
        // is hours.
        autopurge_snap_retain_count: 3,
        autopurge_purge_interval: 0,
    };
    let network = Network {
        latency_ms: [lat_lo, lat_hi],
        fsync_ms: [1, fsync_hi],
    };
    (ensemble, network)
}
