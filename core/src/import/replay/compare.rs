//! The real run beside its replay: leaders by epoch (`leader eN`: who)
//! and each learner's sync modes by epoch (`sync sL eN`: DIFF, SNAP,
//! TRUNC in order), the rows named as `zablab conform` names them
//! (`src/conform/compare.rs`), so a scenario's `conform.either`
//! declarations apply to them unchanged.
//!
//! Contract: read-only; the real side is the import's [`Summary`], the
//! replay's is the simulator's leader and sync records after its run. A
//! simulated sync's epoch is its leader's term: the leader record of the
//! same server whose establishment is the closest around it (a learner
//! syncs while its leader establishes the epoch, or after).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::import::model::Summary;
use crate::sim::Simulation;

/// One fact of both runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// `leader e2`, `sync s3 e1`.
    pub fact: String,
    pub real: String,
    pub replay: String,
    pub same: bool,
}

/// Leaders `(sid, epoch)` and syncs `(learner, epoch, mode)` of one side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub leaders: Vec<(u32, u32)>,
    pub syncs: Vec<(u32, Option<u32>, String)>,
}

impl Facts {
    /// The real side, from an import's summary.
    pub fn of_summary(s: &Summary) -> Facts {
        Facts {
            leaders: s.leaders.iter().map(|l| (l.sid, l.epoch)).collect(),
            syncs: s
                .syncs
                .iter()
                .map(|y| (y.learner, y.epoch, y.mode.name().to_string()))
                .collect(),
        }
    }

    /// The replay's side, from a simulation run.
    pub fn of_sim(sim: &Simulation) -> Facts {
        let leaders = sim.leaders();
        let term = |leader: u32, at: u64| -> Option<u32> {
            // The term of `leader` around `at`: from the establishment
            // before its own (or the start) to the next one after it.
            leaders
                .iter()
                .enumerate()
                .filter(|(_, r)| r.sid == leader)
                .find(|(k, r)| {
                    let after_prev = k
                        .checked_sub(1)
                        .is_none_or(|p| leaders[p].established_ms <= at);
                    let before_next = leaders.get(k + 1).is_none_or(|n| at < n.established_ms);
                    let _ = r;
                    after_prev && before_next
                })
                .map(|(_, r)| r.epoch)
        };
        Facts {
            leaders: leaders.iter().map(|l| (l.sid, l.epoch)).collect(),
            syncs: sim
                .syncs()
                .iter()
                .map(|y| {
                    (
                        y.learner,
                        term(y.leader, y.at_ms),
                        y.mode.name().to_string(),
                    )
                })
                .collect(),
        }
    }
}

/// The rows of two sides' facts.
pub fn compare_facts(real: &Facts, replay: &Facts) -> Vec<Row> {
    let mut rows = Vec::new();
    let epochs: BTreeSet<u32> = real
        .leaders
        .iter()
        .chain(&replay.leaders)
        .map(|l| l.1)
        .collect();
    for e in epochs {
        let who = |f: &Facts| {
            let v: Vec<String> = f
                .leaders
                .iter()
                .filter(|l| l.1 == e)
                .map(|l| format!("s{}", l.0))
                .collect();
            if v.is_empty() {
                "-".to_string()
            } else {
                v.join(", ")
            }
        };
        rows.push(row(format!("leader e{e}"), who(real), who(replay)));
    }
    let by_key = |f: &Facts| {
        let mut m: BTreeMap<(Option<u32>, u32), Vec<String>> = BTreeMap::new();
        for (l, e, mode) in &f.syncs {
            m.entry((*e, *l)).or_default().push(mode.clone());
        }
        m
    };
    let (a, b) = (by_key(real), by_key(replay));
    let keys: BTreeSet<(Option<u32>, u32)> = a.keys().chain(b.keys()).copied().collect();
    for (e, l) in keys {
        let show = |m: &BTreeMap<(Option<u32>, u32), Vec<String>>| {
            m.get(&(e, l)).map_or("-".to_string(), |v| v.join(", "))
        };
        let epoch = e.map_or("e?".to_string(), |e| format!("e{e}"));
        rows.push(row(format!("sync s{l} {epoch}"), show(&a), show(&b)));
    }
    rows
}

fn row(fact: String, real: String, replay: String) -> Row {
    Row {
        same: real == replay,
        fact,
        real,
        replay,
    }
}

/// The real summary beside a replay that has run.
pub fn compare(real: &Summary, sim: &Simulation) -> Vec<Row> {
    compare_facts(&Facts::of_summary(real), &Facts::of_sim(sim))
}

/// Runs the scenario to its end and compares (a scenario the simulator
/// refuses gives no rows and its error).
pub fn compare_sim(
    real: &Summary,
    scenario: &crate::scenario::Scenario,
) -> Result<Vec<Row>, String> {
    let mut sim = Simulation::new(scenario.clone()).map_err(|e| e.to_string())?;
    sim.run_to_end();
    Ok(compare(real, &sim))
}
