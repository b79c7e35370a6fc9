//! The fault fuzzer behind `zablab fuzz`, in the style of TigerBeetle's
//! VOPR: every seed derives its own options and fault schedule, runs in two
//! phases, and a failing seed is shrunk to a small scenario file that
//! `zablab run` replays to the same violation.
//!
//! - `generate.rs`: a seed's scenario, drawn in a fixed order from
//!   `options.rs` (ensemble and network), `schedule.rs` (the safety phase:
//!   random faults mixed with client work, the checker after every event)
//!   and `liveness.rs` (the healed phase and its `expect` actions);
//!   `draw.rs` the two ways of drawing.
//! - `shrink.rs`: a failing scenario made small.
//! - `coverage.rs`: what a campaign exercised.
//! - here: running seeds, and the findings that explain failing ones
//!   (`docs/FINDINGS.md`).
//!
//! Everything here is deterministic in the seed. Never reorders a draw of
//! the generator: the failing seeds named in the docs and tests depend on
//! the order.

mod coverage;
mod draw;
mod generate;
mod liveness;
mod options;
mod schedule;
mod shrink;

pub use coverage::Coverage;
pub use generate::{generate, generate_with};
pub use liveness::liveness_bound_ms;
pub use shrink::shrink;

use crate::scenario::Scenario;
use crate::sim::Simulation;
use crate::Violation;

/// One seed's result.
#[derive(Debug, Clone)]
pub struct SeedRun {
    pub seed: u64,
    pub scenario: Scenario,
    pub violations: Vec<Violation>,
}

impl SeedRun {
    /// Whether a failure is a liveness failure (vs a safety violation).
    pub fn is_liveness(v: &Violation) -> bool {
        v.property.starts_with("Liveness")
    }
}

/// Runs a scenario to its end.
pub fn run(scenario: &Scenario) -> Simulation {
    let mut sim = Simulation::new(scenario.clone()).expect("generated scenarios are valid");
    sim.run_to_end();
    sim
}

/// Runs seed `seed`, adding what it exercised to `coverage`.
pub fn run_seed(seed: u64, variants: &[String], coverage: &mut Coverage) -> SeedRun {
    run_seed_with(seed, variants, false, coverage)
}

/// [`run_seed`], optionally with the recipe workloads ([`generate_with`]).
pub fn run_seed_with(
    seed: u64,
    variants: &[String],
    recipes: bool,
    coverage: &mut Coverage,
) -> SeedRun {
    let scenario = generate_with(seed, variants, recipes);
    let sim = run(&scenario);
    coverage.add(&sim);
    SeedRun {
        seed,
        violations: sim.violations().to_vec(),
        scenario,
    }
}

/// What the fuzzer found in ZooKeeper's own behaviour, as modelled here:
/// each finding's scenario file and the counter-variant (not ZooKeeper)
/// that removes the hazard. A failing seed is explained by a finding when
/// the same seed is clean with that counter-variant on.
pub const FINDINGS: &[Finding] = &[
    Finding {
        fix: "fix_discard_log_on_snap",
        file: "static/scenarios/findings/stale-log-after-snap.json",
        what: "a SNAP leaves an abandoned epoch's txns in the learner's txn log; as leader it later serves them to a learner by the txn-log sync path",
    },
    Finding {
        fix: "fix_newleader_ack_age",
        file: "static/scenarios/findings/paused-leader-old-epoch.json",
        what: "a new leader counts NEWLEADER ACKs of learners that have left (it stalled before reading them, or a slow learner's ACK completes the quorum after another gave up), after a newer epoch committed, and is established for its old epoch",
    },
    Finding {
        fix: "fix_truncate_at_or_below",
        file: "static/scenarios/findings/trunc-keeps-txn-above.json",
        what: "a TRUNC to a zxid the learner's log lacks (an epoch's zero zxid, the last processed zxid of a leader whose committed log is empty) keeps the learner's next txn, never committed, and reloads it into its tree",
    },
    Finding {
        fix: "fix_step_down_for_higher_accepted_epoch",
        file: "static/scenarios/findings/stranded-accepted-epoch.json",
        what: "a server that fixed an epoch as leader which no one else learned (its LEADERINFO lost) keeps that acceptedEpoch; the leader the others establish for a lower epoch answers it with that epoch, it refuses (\"Leaders epoch, N is less than accepted epoch, M\") and loops, never serving, until that leader loses its quorum",
    },
    Finding {
        fix: "fix_drop_unacked_epoch_at_load",
        file: "static/scenarios/findings/epoch-behind-log-after-kill.json",
        what: "a follower killed while it fsyncs a DIFF's txns of the new epoch at NEWLEADER (after ZOOKEEPER-4643/4785: log first, currentEpoch after) keeps those txns (they reached the OS) but not the epoch, and refuses to start (\"The current epoch, N, is older than the last zxid\")",
    },
];

/// One entry of [`FINDINGS`].
#[derive(Debug, Clone, Copy)]
pub struct Finding {
    pub fix: &'static str,
    pub file: &'static str,
    pub what: &'static str,
}

/// The finding that explains a failing seed, if any: the first one whose
/// counter-variant (added to `variants`) makes the seed clean. `None` when
/// the seed is clean already, the fix is already on, or no fix helps.
pub fn explained_by(seed: u64, variants: &[String]) -> Option<&'static Finding> {
    explained_by_with(seed, variants, false)
}

/// [`explained_by`] for a seed generated with or without recipes.
pub fn explained_by_with(
    seed: u64,
    variants: &[String],
    recipes: bool,
) -> Option<&'static Finding> {
    FINDINGS.iter().find(|f| {
        if variants.iter().any(|v| v == f.fix) {
            return false;
        }
        let mut with_fix = variants.to_vec();
        with_fix.push(f.fix.to_string());
        run_seed_with(seed, &with_fix, recipes, &mut Coverage::default())
            .violations
            .is_empty()
    })
}

#[cfg(test)]
mod tests;
