//! The ensemble's nodes as a scenario configures them: one `Server` per
//! sid (participants and observers), each with its `Config` built from the
//! scenario's settings, every one down until a `start` action.
//!
//! Contract: pure construction; no event, no randomness, no clock.

use super::*;

/// The nodes of an ensemble, by sid, every one down.
pub(super) fn nodes_of(e: &Ensemble) -> Vec<Node> {
    let mut sids: Vec<(Sid, Role)> = e
        .participants
        .iter()
        .map(|&s| (s, Role::Participant))
        .chain(e.observers.iter().map(|&s| (s, Role::Observer)))
        .collect();
    crate::sorting::sort_by_key(&mut sids, |(s, _)| *s);
    sids.iter()
        .map(|&(sid, role)| {
            let cfg = Arc::new(Config {
                sid,
                participants: {
                    let mut p = e.participants.clone();
                    crate::sorting::sort(&mut p);
                    p
                },
                observers: e.observers.clone(),
                tick_ms: e.tick_ms,
                init_limit: e.init_limit,
                sync_limit: e.sync_limit,
                commit_log_count: e.commit_log_count.max(MIN_COMMIT_LOG_COUNT),
                configured_commit_log_count: e.commit_log_count,
                snap_count: e.snap_count,
                min_session_timeout_ms: 2 * e.tick_ms,
                max_session_timeout_ms: 20 * e.tick_ms,
                snapshot_size_factor_pct: e.snapshot_size_factor_pct,
                initial_zxid_counter: e.initial_zxid_counter,
                autopurge_snap_retain_count: e.autopurge_snap_retain_count,
                autopurge_purge_interval: e.autopurge_purge_interval,
                variants: e.variants.clone(),
            });
            Node {
                sid,
                role,
                server: Server::new(cfg),
                up: false,
                paused_until: None,
                held: VecDeque::new(),
                inc: 0,
                fsync_ms: None,
            }
        })
        .collect()
}
