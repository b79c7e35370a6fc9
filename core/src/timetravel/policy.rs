//! Which checkpoints a branch keeps as its run grows: time travel's
//! memory bound, as a pure function of the checkpoints' moments.
//!
//! Contract:
//! - The first checkpoint (the run's start) is always kept: every replay
//!   can start there.
//! - Recent checkpoints (at most [`RECENT_MS`] of virtual time before the
//!   frontier) are all kept; their number is bounded by the branch, which
//!   doubles its spacing when more than [`MAX_RECENT`] are recent.
//! - Older ones are kept evenly spread over the whole run: the run from
//!   0 is cut into buckets of width `w = MIN_BUCKET_MS·2^k`, the smallest such
//!   width that makes at most `max_old` buckets ([`max_old`]: 384 for five
//!   servers or fewer, down to 96 for 20 or more, as what a checkpoint
//!   holds alone grows with its servers), and each bucket keeps the
//!   checkpoint that holds the fewest txns (the earliest of equals: in an
//!   idle run, or one that never purges, its earliest; in a run with
//!   autopurge, the one taken soonest after a purge). `w` only grows with
//!   the frontier and a bucket of width `2w` is two of width `w`, so what
//!   is dropped once stays dropped. Between `max_old / 2` and `max_old` old
//!   ones whatever the run length, unless the budget below keeps fewer.
//! - The cost: seeking to an old moment replays from the kept checkpoint
//!   before it, less than `2w` of virtual time (`w` ≤ run length ·
//!   2 / `max_old`); measured by `zablab bench --memory`
//!   (`seek_any_p95_events`, `seek_by_age_max_events`). An earlier draft
//!   kept ~4 per doubling of age: as few checkpoints, but a seek half-way
//!   back in a 4-hour run replayed an hour.
//! - Old checkpoints also have a memory budget, in txns
//!   ([`MAX_OLD_HELD`]): a busy run's checkpoints far apart share none of
//!   their txn logs, so each holds what its servers' disks held then
//!   (with autopurge, up to an hour and more of writes). What an old one
//!   costs alone ([`old_held`]) is what it holds, at most the commits
//!   between it and the next one kept. When the old ones would cost more
//!   than the budget, the buckets widen (doubling, never narrowing again,
//!   [`bucket_within`]): an idle ensemble keeps `max_old`, a run at 200
//!   writes/s a few, and a seek to its old moments replays longer.
//! - Never reads a simulation: only (time, events) keys and what each
//!   checkpoint holds ([`Held`]).

/// Virtual time before the frontier where every checkpoint is kept.
pub const RECENT_MS: u64 = 10 * 60 * 1000;
/// Checkpoints in the recent window before the branch thins them (every
/// other one) and doubles its spacing in events.
pub const MAX_RECENT: usize = 100;
/// Old checkpoints kept at most, whatever the ensemble ([`max_old`]).
pub const MAX_OLD: u64 = 384;
/// Old checkpoints kept at most, at least ([`max_old`]): what a large
/// ensemble keeps.
pub const MIN_OLD: u64 = 96;
/// The old checkpoints' bound in server-checkpoints ([`max_old`]): what
/// one checkpoint holds alone is mostly its servers' own state (~20 KB a
/// server in the benchmark hour, ~8 KB idle: `footprint_checkpoint_parts` in
/// `sim/footprint.rs`), so a count per server bounds their memory.
pub const OLD_SERVER_CHECKPOINTS: u64 = 1_920;
/// The narrowest bucket of old checkpoints. With [`MAX_OLD`] (five
/// servers or fewer) a run of up to 64 minutes (a class) keeps one old
/// checkpoint per 10 s of virtual time, and a seek anywhere replays under
/// 2 × 10 s. It was 40 s with 96 (and before that `RECENT_MS`, with 64):
/// the benchmark hour's seek p95 natively 49.9 ms → 20.2 ms for 358
/// checkpoints instead of 137 (`zablab bench`, +35 MB RSS at the hour), and
/// in the app (input → frame) 103–117 → 37–47 ms.
pub const MIN_BUCKET_MS: u64 = 10_000;

/// Old checkpoints kept at most for an ensemble of `servers`:
/// [`OLD_SERVER_CHECKPOINTS`] / `servers`, within [`MIN_OLD`]..=[`MAX_OLD`]
/// (five servers: 384, one per 10 s of a class-long run; nine: 213; 51:
/// 96, one per 40 s).
pub fn max_old(servers: usize) -> u64 {
    (OLD_SERVER_CHECKPOINTS / servers.max(1) as u64).clamp(MIN_OLD, MAX_OLD)
}

/// Txns the old checkpoints may hold between them (module doc): about
/// 70 MB of wasm memory at the benchmark's 200 writes/s. The benchmark
/// hour's old ones hold ~600,000 at its end (a class-long busy run keeps
/// one per 10 s); a run at that rate that goes on past ~70 minutes thins
/// them there. It was 1,000,000: with the hourly purge of the looped hour,
/// the old ones then held the logs of before the first purge until ~95
/// minutes, the run's highest live heap (wasm-like arena: 331 MB at 2 h,
/// 260 MB with 700,000; `web/tests/wasm_heap.rs`).
pub const MAX_OLD_HELD: u64 = 700_000;

/// What one checkpoint holds, as the budget weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Held {
    /// Txns it holds: its largest txn log and the checks' records.
    pub txns: u64,
    /// Txns committed so far in its run (how far apart two checkpoints
    /// are in writes).
    pub commits: u64,
}

/// The width of the old checkpoints' buckets when the frontier is at `now`
/// and at most `max_old` are kept ([`max_old`]).
pub fn bucket_ms(now: u64, max_old: u64) -> u64 {
    let mut w = MIN_BUCKET_MS;
    while now / w > max_old {
        w *= 2;
    }
    w
}

/// Which of the checkpoints at `times` (ascending virtual ms) to keep when
/// the frontier is at `now`, at most `max_old` old ones (see the module
/// doc): one flag each.
pub fn keep_old(times: &[u64], now: u64, max_old: u64) -> Vec<bool> {
    keep_old_in(times, &[], now, bucket_ms(now, max_old))
}

/// [`keep_old`] with buckets of width `w` (at least [`bucket_ms`]),
/// each bucket keeping the checkpoint that holds the fewest txns
/// (`held_txns`, 0 where missing; the earliest of equals), the start's
/// bucket the start. A bucket of `2w` is two of `w`, and the fewest of
/// two survivors is the fewest of both, so what is dropped stays dropped.
pub fn keep_old_in(times: &[u64], held_txns: &[u64], now: u64, w: u64) -> Vec<bool> {
    let held = |i: usize| held_txns.get(i).copied().unwrap_or(0);
    let mut keep = vec![true; times.len()];
    // (bucket, the index kept in it so far)
    let mut survivor: Option<(u64, usize)> = None;
    for (i, &t) in times.iter().enumerate() {
        let bucket = t / w;
        if i == 0 {
            survivor = Some((bucket, 0));
            continue;
        }
        if now.saturating_sub(t) <= RECENT_MS {
            continue;
        }
        match survivor {
            Some((b, s)) if b == bucket => {
                if s != 0 && held(i) < held(s) {
                    keep[s] = false;
                    survivor = Some((bucket, i));
                } else {
                    keep[i] = false;
                }
            }
            _ => survivor = Some((bucket, i)),
        }
    }
    keep
}

/// What the old checkpoints `keep` marks cost alone (module doc): each at
/// most what it holds and at most the commits up to the next one kept.
pub fn old_held(times: &[u64], held: &[Held], keep: &[bool], now: u64) -> u64 {
    let kept: Vec<usize> = (0..times.len().min(held.len()))
        .filter(|&i| keep.get(i).copied().unwrap_or(true))
        .collect();
    kept.iter()
        .enumerate()
        .filter(|&(_, &i)| now.saturating_sub(times[i]) > RECENT_MS)
        .map(|(k, &i)| {
            let next = kept.get(k + 1).map_or(u64::MAX, |&j| held[j].commits);
            held[i].txns.min(next.saturating_sub(held[i].commits))
        })
        .sum()
}

/// The old checkpoints' bucket width at `now`: at least `floor` (the
/// width used before: it never narrows) and [`bucket_ms`], doubled while
/// the old ones kept would cost more than [`MAX_OLD_HELD`].
pub fn bucket_within(times: &[u64], held: &[Held], now: u64, floor: u64, max_old: u64) -> u64 {
    let txns: Vec<u64> = held.iter().map(|h| h.txns).collect();
    let mut w = bucket_ms(now, max_old).max(floor);
    while w <= now && old_held(times, held, &keep_old_in(times, &txns, now, w), now) > MAX_OLD_HELD
    {
        w *= 2;
    }
    w
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
    /// thinned after each is taken, as the engine does. Nothing is held (an
    /// idle run), so the budget never narrows what `keep_old`'s buckets keep.
    fn grow(now: u64, step: u64) -> Vec<u64> {
        grow_for(now, step, MIN_OLD)
    }

    /// [`grow`] keeping at most `max_old` old ones.
    fn grow_for(now: u64, step: u64, max_old: u64) -> Vec<u64> {
        grow_held_for(now, step, busy(0, 0), max_old)
    }

    #[test]
    fn recent_checkpoints_and_the_start_are_all_kept() {
        let times: Vec<u64> = (0..=10).map(|m| m * MIN).collect();
        assert!(keep_old(&times, 10 * MIN, MAX_OLD).iter().all(|&k| k));
        let mask = keep_old(&[0, MIN, 2 * MIN], 500 * MIN, MIN_OLD);
        assert!(mask[0], "the start stays");
    }

    #[test]
    fn old_checkpoints_are_few_and_evenly_spread_over_any_run_length() {
        for (hours, max_old) in [1, 4, 24, 50]
            .into_iter()
            .flat_map(|h| [(h, MIN_OLD), (h, MAX_OLD)])
        {
            let end = hours * 60 * MIN;
            let kept = grow_for(end, 10_000, max_old);
            let recent = kept.iter().filter(|&&t| end - t <= RECENT_MS).count();
            let old = (kept.len() - recent - 1) as u64;
            assert_eq!(recent, 61, "every one of the last 10 minutes");
            assert!(old <= max_old, "{hours} h: {old} old ones");
            // One per bucket until that would be more than max_old.
            let w = bucket_ms(end, max_old);
            let buckets = end.div_ceil(w);
            assert!(
                old + 2 >= buckets.min(max_old / 2),
                "{hours} h: only {old} old ones of {max_old}"
            );
            // No gap wider than two buckets, however old.
            for g in kept.windows(2) {
                assert!(g[1] - g[0] <= 2 * w, "{hours} h: a gap {g:?}");
            }
        }
    }

    #[test]
    fn the_bound_on_old_checkpoints_shrinks_with_the_ensemble() {
        assert_eq!(max_old(3), MAX_OLD);
        assert_eq!(max_old(5), MAX_OLD);
        assert_eq!(max_old(9), 213);
        assert_eq!(max_old(51), MIN_OLD);
        assert_eq!(max_old(0), MAX_OLD);
        // Five servers, a class-long run: one old checkpoint per 10 s.
        let end = 60 * MIN;
        let kept = grow_for(end, 2_500, max_old(5));
        let old = kept.iter().filter(|&&t| end - t > RECENT_MS).count();
        assert!(old >= 290, "only {old} old ones in an hour");
        for g in kept.windows(2) {
            assert!(g[1] - g[0] <= 2 * MIN_BUCKET_MS, "a gap {g:?}");
        }
    }

    #[test]
    fn a_large_ensemble_keeps_an_old_checkpoint_every_40_seconds_of_an_hour() {
        let end = 60 * MIN;
        let kept = grow(end, 10_000);
        let old: Vec<u64> = kept
            .iter()
            .copied()
            .filter(|&t| end - t > RECENT_MS)
            .collect();
        assert!(old.len() >= 74, "only {} old ones in an hour", old.len());
        for w in kept.windows(2) {
            assert!(w[1] - w[0] <= 2 * 40_000, "a gap {w:?}");
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

    /// [`grow`] with the budget, for a run whose checkpoint at `t` holds
    /// `held(t)`.
    fn grow_held(now: u64, step: u64, held: impl Fn(u64) -> Held) -> Vec<u64> {
        grow_held_for(now, step, held, MIN_OLD)
    }

    /// [`grow_held`] keeping at most `max_old` old ones.
    fn grow_held_for(now: u64, step: u64, held: impl Fn(u64) -> Held, max_old: u64) -> Vec<u64> {
        let (mut kept, mut w): (Vec<u64>, u64) = (Vec::new(), 0);
        let mut t = 0;
        while t <= now {
            kept.push(t);
            let h: Vec<Held> = kept.iter().map(|&c| held(c)).collect();
            w = bucket_within(&kept, &h, t, w, max_old);
            let txns: Vec<u64> = h.iter().map(|x| x.txns).collect();
            let mask = keep_old_in(&kept, &txns, t, w);
            kept = kept
                .iter()
                .zip(mask)
                .filter_map(|(&c, k)| k.then_some(c))
                .collect();
            t += step;
        }
        kept
    }

    /// What a checkpoint at `t` holds in a run that commits `rate` txns
    /// per second and keeps `window` seconds of them.
    fn busy(rate: u64, window: u64) -> impl Fn(u64) -> Held {
        move |t| Held {
            txns: rate * (t / 1000).min(window),
            commits: rate * t / 1000,
        }
    }

    #[test]
    fn a_busy_run_keeps_its_old_checkpoints_within_the_budget() {
        // 200 writes/s, each checkpoint holding 80 minutes of them.
        for hours in [2, 8, 50] {
            let end = hours * 60 * MIN;
            let kept = grow_held(end, 10_000, busy(200, 80 * 60));
            let held: Vec<Held> = kept.iter().map(|&t| busy(200, 80 * 60)(t)).collect();
            let all = vec![true; kept.len()];
            let cost = old_held(&kept, &held, &all, end);
            assert!(cost <= MAX_OLD_HELD, "{hours} h: old ones hold {cost} txns");
            assert!(kept.len() > 61, "{hours} h: the start and the recent stay");
            assert_eq!(kept[0], 0);
        }
        // Idle (nothing held): the count bound alone, as `keep_old` alone.
        let times: Vec<u64> = (0..=2880).map(|k| k * 10_000).collect();
        let txns = vec![0; times.len()];
        let held = vec![Held::default(); times.len()];
        let now = 8 * 60 * MIN;
        let w = bucket_within(&times, &held, now, 0, MIN_OLD);
        assert_eq!(
            keep_old_in(&times, &txns, now, w),
            keep_old(&times, now, MIN_OLD)
        );
    }

    #[test]
    fn the_budget_leaves_a_class_long_busy_run_its_checkpoints_every_10_seconds() {
        // The benchmark hour: five servers at 200 writes/s, no purge, a
        // checkpoint every ~2.5 s. Its old ones hold ~600,000 txns between
        // them at the hour: within the budget, so a seek anywhere in it
        // replays under 2 × 10 s.
        let end = 60 * MIN;
        let kept = grow_held_for(end, 2_500, busy(200, 3_600), max_old(5));
        let old = kept.iter().filter(|&&t| end - t > RECENT_MS).count();
        assert!(old >= 290, "only {old} old ones in the busy hour");
        for g in kept.windows(2) {
            assert!(g[1] - g[0] <= 2 * MIN_BUCKET_MS, "a gap {g:?}");
        }
    }

    #[test]
    fn a_purging_run_keeps_the_old_checkpoints_taken_after_a_purge() {
        // 200 writes/s; a purge every hour leaves 15 minutes of txns, and
        // the logs grow again until the next.
        let held = |t: u64| Held {
            txns: 200 * ((t / 1000) % 3600 + 900),
            commits: 200 * t / 1000,
        };
        let end = 8 * 60 * MIN;
        let kept = grow_held(end, 10_000, held);
        let old: Vec<u64> = kept[1..]
            .iter()
            .copied()
            .filter(|&c| end - c > RECENT_MS)
            .collect();
        assert!(old.len() >= 2, "only {old:?} kept");
        for c in &old {
            assert!(c % 3_600_000 < 1_200_000, "{c} is not soon after a purge");
        }
        let h: Vec<Held> = kept.iter().map(|&c| held(c)).collect();
        assert!(old_held(&kept, &h, &vec![true; kept.len()], end) <= MAX_OLD_HELD);
    }

    #[test]
    fn an_old_checkpoint_costs_what_it_holds_alone() {
        let times = [0, 100_000, 200_000, 3_000_000];
        let held = [
            Held {
                txns: 0,
                commits: 0,
            },
            Held {
                txns: 500,
                commits: 1_000,
            },
            Held {
                txns: 5_000,
                commits: 2_000,
            },
            Held {
                txns: 9_000,
                commits: 9_000,
            },
        ];
        // 1: min(500, 1000); 2: min(5000, 7000); 3 is recent.
        assert_eq!(old_held(&times, &held, &[true; 4], 3_000_000), 5_500);
        // Without 2, 1 costs up to the next kept one: min(500, 8000).
        assert_eq!(
            old_held(&times, &held, &[true, true, false, true], 3_000_000),
            500
        );
    }

    #[test]
    fn thinning_the_recent_keeps_every_other_and_the_newest() {
        assert_eq!(thin_recent(5), vec![true, false, true, false, true]);
        assert_eq!(thin_recent(4), vec![true, false, true, true]);
    }
}
