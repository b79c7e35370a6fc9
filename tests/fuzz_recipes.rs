//! The recipe fuzz of the default test run: 500 seeds of
//! `zablab fuzz --recipes`, where lock and group clients run through the
//! fault schedules. After every event, a client that believes it holds the
//! lock with a live session must own the lowest lock node in the committed
//! tree (LockMutualExclusion); after the heal, every live group member must
//! see the committed membership (LivenessGroupConverged). Lock holders
//! whose session expired under them are the recipe's known hazard, counted,
//! not failed. As in the fuzz smoke, a seed may fail only by a known
//! finding.

use zablab_core::fuzz::{self, Coverage};

const SEEDS: u64 = 500;

#[test]
fn five_hundred_recipe_seeds_keep_the_lock_and_converge_the_group() {
    let mut coverage = Coverage::default();
    let mut unexplained = Vec::new();
    for seed in 1..=SEEDS {
        let run = fuzz::run_seed_with(seed, &[], true, &mut coverage);
        if run.violations.is_empty() || fuzz::explained_by_with(seed, &[], true).is_some() {
            continue;
        }
        let v = &run.violations[0];
        unexplained.push(format!(
            "seed {seed}: {} at {} ms: {} (reproduce with: zablab fuzz --seeds 1 --from {seed} --recipes)",
            v.property, v.at_ms, v.detail
        ));
    }
    println!("{}", coverage.lines().join("\n"));
    assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
    assert_eq!(coverage.recipe_runs, SEEDS);
    assert!(coverage.lock_acquisitions > 10 * SEEDS, "{coverage:?}");
    assert!(
        coverage.lock_hazards > 0,
        "the schedules should cut some lock holder off long enough to show the fencing hazard: {coverage:?}"
    );
}
