//! What a fuzz campaign exercised, summed over its seeds: elections,
//! syncs by mode, step-downs, session expiries, rollovers, lock
//! acquisitions. `zablab fuzz` prints it as `coverage: name: value` lines
//! and names each mode that never occurred.
//!
//! Reads a finished run; never changes one.

use crate::sim::Simulation;

/// What the runs of a fuzz campaign exercised (summed over seeds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub seeds: u64,
    pub events: u64,
    /// Leaders established.
    pub elections: u64,
    pub max_epoch: u32,
    pub diff: u64,
    pub trunc: u64,
    pub snap: u64,
    /// Leaders that shut down (lost their quorum, rollover, ...).
    pub step_downs: u64,
    pub session_expiries: u64,
    pub rollovers: u64,
    /// Runs with recipe clients, their lock acquisitions, and the lock
    /// holders whose session expired under them (the fencing hazard).
    pub recipe_runs: u64,
    pub lock_acquisitions: u64,
    pub lock_hazards: u64,
}

impl Coverage {
    /// Adds one finished run.
    pub fn add(&mut self, sim: &Simulation) {
        self.seeds += 1;
        self.events += sim.events();
        self.elections += sim.leaders().len() as u64;
        if let Some(e) = sim.leaders().iter().map(|l| l.epoch).max() {
            self.max_epoch = self.max_epoch.max(e);
        }
        for s in sim.syncs() {
            match s.mode {
                crate::proto::SyncMode::Diff => self.diff += 1,
                crate::proto::SyncMode::Trunc => self.trunc += 1,
                crate::proto::SyncMode::Snap => self.snap += 1,
                crate::proto::SyncMode::None => {}
            }
        }
        for entry in sim.log() {
            if entry.text.starts_with("Shutdown called. For the reason") {
                self.step_downs += 1;
                if entry.text.contains("zxid lower 32 bits have rolled over") {
                    self.rollovers += 1;
                }
            } else if entry.text.starts_with("Expiring session") {
                self.session_expiries += 1;
            }
        }
        let views = sim.recipe_views();
        if !views.is_empty() {
            self.recipe_runs += 1;
            self.lock_acquisitions += views.iter().map(|v| v.times_acquired).sum::<u64>();
            self.lock_hazards += sim
                .hazards()
                .iter()
                .filter(|h| h.kind == "LockHolderExpired")
                .count() as u64;
        }
    }

    /// Adds another campaign's counters (parallel runs).
    pub fn merge(&mut self, o: &Coverage) {
        self.seeds += o.seeds;
        self.events += o.events;
        self.elections += o.elections;
        self.max_epoch = self.max_epoch.max(o.max_epoch);
        self.diff += o.diff;
        self.trunc += o.trunc;
        self.snap += o.snap;
        self.step_downs += o.step_downs;
        self.session_expiries += o.session_expiries;
        self.rollovers += o.rollovers;
        self.recipe_runs += o.recipe_runs;
        self.lock_acquisitions += o.lock_acquisitions;
        self.lock_hazards += o.lock_hazards;
    }

    /// `name: value` lines, and a line for each mode that never occurred.
    pub fn lines(&self) -> Vec<String> {
        let mut counters: Vec<(&str, u64)> = vec![
            ("elections", self.elections),
            ("max_epoch", self.max_epoch as u64),
            ("sync_diff", self.diff),
            ("sync_trunc", self.trunc),
            ("sync_snap", self.snap),
            ("leader_step_downs", self.step_downs),
            ("session_expiries", self.session_expiries),
            ("rollovers", self.rollovers),
            ("events", self.events),
        ];
        if self.recipe_runs > 0 {
            counters.push(("lock_acquisitions", self.lock_acquisitions));
            counters.push(("lock_holder_expired_hazards", self.lock_hazards));
        }
        let mut out: Vec<String> = counters
            .iter()
            .map(|(k, v)| format!("coverage: {k}: {v}"))
            .collect();
        for (k, v) in counters {
            if v == 0 {
                out.push(format!("coverage: {k} never occurred in this run"));
            }
        }
        out
    }
}
