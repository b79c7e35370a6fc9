//! `Simulation::diagnose`: the operator's questions answered from the
//! simulator's state and the run so far (see `crate::diagnosis` for the
//! answer's shape and the finding ids).
//!
//! Contract: a pure function of `&Simulation`. It reads what an operator
//! could read (the servers' logs in ZooKeeper's words, 4lw figures, who is
//! up) plus what only the simulator knows for sure (which links are cut or
//! slow, which process is paused, which disk is slow): that is the point,
//! to say *why*. It never changes the run. Thresholds are fixed integers.
//!
//! This root only collects the findings, family by family, and hands them
//! to `diag/rank.rs`, which folds each consequence under its cause (one
//! card per cause) and ranks the cards. One file per family of findings,
//! each with its analysis function(s) `diag_*` (they push onto the list in
//! the order below, which the ranking keeps for ties). What they share:
//! `diag/evidence.rs` (log-line search, wording, settings, who is up,
//! links), `diag/episodes.rs` (the run's faults, and which one explains a
//! finding: its `cause`) and `diag/advice.rs` (what to do, in ZooKeeper's
//! names). A family uses only these three, never another family. To add a
//! finding: its id in `crate::diagnosis::KINDS`, its analysis in its
//! family's file (or a new one), its call below, its cause and its advice;
//! `docs/DIAGNOSIS.md` lists them and the rules they must keep.

mod advice;
mod churn;
mod deposed;
mod dropped;
mod episodes;
mod evidence;
mod faults;
mod leadership;
mod quorum_shape;
mod rank;
mod recipes;
mod sessions;
mod slow;
mod stale;
mod syncs;
mod writes;

use super::Simulation;
use crate::diagnosis::Diagnosis;

impl Simulation {
    /// Everything worth telling an operator now, ensemble first. See
    /// `crate::diagnosis` for the finding kinds.
    pub fn diagnose(&self) -> Diagnosis {
        let mut f = Vec::new();
        self.diag_faults(&mut f); // faults.rs: server_down, server_paused, partition, message_dropped, not_started (and past slow_disk, slow_link)
        self.diag_leadership(&mut f); // leadership.rs: no_quorum, leader_not_established
        self.diag_leader_changes(&mut f); // leadership.rs: leader_change
        self.diag_writes(&mut f); // writes.rs: write_stalled, request_stalled
        self.diag_waiting_clients(&mut f); // writes.rs: request_stalled (clients)
        self.diag_slow_disks(&mut f); // slow.rs: slow_disk
        self.diag_slow_links(&mut f); // slow.rs: slow_link
        self.diag_dropped(&mut f); // dropped.rs: follower_dropped
        self.diag_syncs(&mut f); // syncs.rs: sync_diff, sync_snap, sync_trunc
        self.diag_sessions(&mut f); // sessions.rs: session_expired
        self.diag_churn(&mut f); // churn.rs: election_churn, server_looking
        self.diag_deposed(&mut f); // deposed.rs: deposed_leader (now)
        self.diag_deposed_past(&mut f); // deposed.rs: deposed_leader (past)
        self.diag_stale_followers(&mut f); // stale.rs: stale_follower
        self.diag_stale_reads(&mut f); // stale.rs: stale_read (after deposed_leader)
        self.diag_load(&mut f); // slow.rs: high_load
        self.diag_quorum_shape(&mut f); // quorum_shape.rs: large_quorum, observers
        self.diag_hazards(&mut f); // recipes.rs: lock_fencing, sync_not_linearizable

        Diagnosis {
            at_ms: self.now_ms,
            findings: rank::cards(f),
        }
    }
}

#[cfg(test)]
mod tests;
