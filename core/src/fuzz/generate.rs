//! A seed's scenario: the options, the safety phase, the liveness phase,
//! in that order of draws (`options.rs`, `schedule.rs`, `liveness.rs`).
//! Everything here is deterministic in the seed.

use super::options::options;
use super::schedule::Schedule;
use crate::rng::Pcg32;
use crate::scenario::{Action, ActionKind, Scenario, SCENARIO_VERSION};

/// The PCG stream the generator draws from (the simulator uses its own).
const GEN_STREAM: u64 = 0x0f22_5eed;

/// The PCG stream recipe workloads draw from (so the rest of a seed's
/// schedule is the same with or without them).
const RECIPE_STREAM: u64 = 0x0f22_10c5;

/// The PCG stream that decides which crashes are power losses (so the
/// schedule drawn from the others is the same as before they existed).
const POWER_STREAM: u64 = 0x0f22_b0a7;

/// The scenario seed `seed` stands for, with `variants` switched on.
pub fn generate(seed: u64, variants: &[String]) -> Scenario {
    generate_with(seed, variants, false)
}

/// [`generate`], optionally with recipe clients: two or three clients
/// each run a repeating lock on `/lock` and join the group `/group`; some
/// partitions also cut recipe clients off from one side; the liveness
/// phase also expects the group membership to converge.
pub fn generate_with(seed: u64, variants: &[String], recipes: bool) -> Scenario {
    let mut r = Pcg32::new(seed, GEN_STREAM);
    let mut rr = Pcg32::new(seed, RECIPE_STREAM);
    let (ensemble, network) = options(&mut r, variants);
    let mut schedule = Schedule::opening(&mut r, &ensemble);
    if recipes {
        schedule.recipe_clients(&mut rr);
    }
    schedule.faults(&mut r, &mut rr);
    power_losses(&mut schedule.actions, &mut Pcg32::new(seed, POWER_STREAM));
    let until_ms = schedule.liveness(&mut r, &ensemble, recipes);
    let mut actions = schedule.actions;
    crate::sorting::sort_by_key(&mut actions, |a| a.at_ms);
    Scenario {
        zablab: SCENARIO_VERSION,
        name: format!("fuzz seed {seed}"),
        seed,
        ensemble,
        network,
        until_ms,
        actions,
        museum: None,
        conform: None,
    }
}

/// Half the safety phase's crashes, drawn one by one, are power losses
/// (only what was fsynced survives) and half `kill -9`s (what reached the
/// OS survives).
fn power_losses(actions: &mut [Action], rp: &mut Pcg32) {
    for a in actions {
        if let ActionKind::Crash { power_loss, .. } = &mut a.kind {
            *power_loss = rp.below(2) == 0;
        }
    }
}
