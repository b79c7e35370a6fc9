//! Which checkpoints a branch keeps as its run grows: time travel's
//! memory bound, as a pure function of the checkpoints' moments.
//!
//! Contract:
//! - The first checkpoint (the run's start) is always kept: every replay
//!   can start there.
//! - Recent checkpoints (at most [`RECENT_MS`] of virtual time before the
//!   frontier) are all kept; their number is bounded by the branch, which
//!   doubles its spacing when more than [`MAX_RECENT`] are recent.
//! - Older ones are kept exponentially fewer: a checkpoint of age `a` in
//!   `[R·2^k, R·2^(k+1))` (R = `RECENT_MS`) falls in bucket
//!   `t / (R·2^k / PER_LEVEL)` of level `k`, and each bucket keeps its
//!   earliest checkpoint. A level-(k+1) bucket is two level-k buckets, so
//!   what is dropped once stays dropped and the kept ones stay kept until
//!   their bucket merges with the one before. That is about `PER_LEVEL`
//!   checkpoints per doubling of age, so a run of length T keeps about
//!   `PER_LEVEL · log2(T / R)` old ones.
//! - The cost: seeking to a moment of age `a` replays from the kept
//!   checkpoint before it, at most about `2a / PER_LEVEL` of virtual time
//!   (measured by `zablab bench --memory`, `seek_by_age_max_ms`).
//! - Never reads a simulation: only (time, events) keys.

/// Virtual time before the frontier where every checkpoint is kept.
pub const RECENT_MS: u64 = 10 * 60 * 1000;
/// Checkpoints in the recent window before the branch thins them (every
/// other one) and doubles its spacing in events.
pub const MAX_RECENT: usize = 100;
/// Old checkpoints kept per doubling of age.
pub const PER_LEVEL: u64 = 4;

/// Which of the checkpoints at `times` (ascending virtual ms) to keep when
/// the frontier is at `now` (see the module doc): one flag each.
pub fn keep_old(times: &[u64], now: u64) -> Vec<bool> {
    let mut keep = vec![true; times.len()];
    let mut last_bucket: Option<(u32, u64)> = None;
    for (i, &t) in times.iter().enumerate() {
        let age = now.saturating_sub(t);
        if i == 0 || age <= RECENT_MS {
            last_bucket = None;
            continue;
        }
        let level = (age / RECENT_MS).ilog2();
        let width = ((RECENT_MS << level) / PER_LEVEL).max(1);
        let bucket = (level, t / width);
        if last_bucket == Some(bucket) {
            keep[i] = false;
        } else {
            last_bucket = Some(bucket);
        }
    }
    keep
}

/// Which of the `recent` checkpoints' positions to keep when there are
/// too many (more than [`MAX_RECENT`]): every other one, and always the
/// newest (the frontier's neighbour).
pub fn thin_recent(recent: usize) -> Vec<bool> {
    (0..recent).map(|i| i % 2 == 0 || i + 1 == recent).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    /// What a branch would keep: checkpoints every `step` ms up to `now`,
    /// thinned after each is taken, as the engine does.
    fn grow(now: u64, step: u64) -> Vec<u64> {
        let mut kept: Vec<u64> = Vec::new();
        let mut t = 0;
        while t <= now {
            kept.push(t);
            let mask = keep_old(&kept, t);
            kept = kept
                .iter()
                .zip(mask)
                .filter_map(|(&c, k)| k.then_some(c))
                .collect();
            t += step;
        }
        kept
    }

    #[test]
    fn recent_checkpoints_and_the_start_are_all_kept() {
        let times: Vec<u64> = (0..=10).map(|m| m * MIN).collect();
        assert!(keep_old(&times, 10 * MIN).iter().all(|&k| k));
        let mask = keep_old(&[0, MIN, 2 * MIN], 500 * MIN);
        assert!(mask[0], "the start stays");
    }

    #[test]
    fn old_checkpoints_thin_out_by_the_logarithm_of_their_age() {
        // A day of checkpoints every 10 s.
        let day = 24 * 60 * MIN;
        let kept = grow(day, 10_000);
        let recent = kept.iter().filter(|&&t| day - t <= RECENT_MS).count();
        let old = kept.len() - recent - 1;
        assert_eq!(recent, 61, "every one of the last 10 minutes");
        // log2(1440 / 10) ≈ 7.2 levels of PER_LEVEL each (plus level edges).
        assert!((20..=45).contains(&old), "{old} old ones: {kept:?}");
        // No gap wider than about 2·age/PER_LEVEL (+ one bucket of slack).
        for w in kept.windows(2) {
            let age = day - w[1];
            assert!(
                w[1] - w[0] <= (2 * age.max(RECENT_MS) / PER_LEVEL) + RECENT_MS,
                "a gap {w:?} at age {age}"
            );
        }
    }

    #[test]
    fn what_is_dropped_stays_dropped() {
        // Keeping the earliest per bucket: the set kept at a later frontier
        // is a subset of the set kept earlier (plus the newer checkpoints).
        let before = grow(300 * MIN, 20_000);
        let after = grow(600 * MIN, 20_000);
        for t in after.iter().filter(|&&t| t <= 300 * MIN) {
            assert!(before.contains(t), "{t} came back");
        }
    }

    #[test]
    fn thinning_the_recent_keeps_every_other_and_the_newest() {
        assert_eq!(thin_recent(5), vec![true, false, true, false, true]);
        assert_eq!(thin_recent(4), vec![true, false, true, true]);
    }
}
