//! `zablab fuzz`: runs seeds S..S+N on J threads (`zablab_core::fuzz` makes
//! and runs each seed), then reports: each failing seed's violations and
//! how to reproduce it, the finding that explains it, the first K shrunk
//! to scenario files, the coverage, the failing seeds grouped by
//! explanation (each known finding, then the unexplained ones), the time
//! taken, and the last line
//! `fuzz: N seeds, V violations, L liveness failures, R seeds/s`.
//!
//! The report is in seed order whatever the thread count; only the
//! progress lines on stderr and the seeds/s figure depend on timing.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use zablab_core::fuzz::{self, Coverage, SeedRun};

use crate::cli::FuzzArgs;
use crate::Usage;

pub fn fuzz(a: &FuzzArgs) -> Result<ExitCode, Usage> {
    let started = Instant::now();
    let (failures, coverage, jobs) = run_seeds(a, started);
    let elapsed = started.elapsed().as_secs_f64();
    let (safety, liveness) = report(a, &failures, coverage);
    println!(
        "fuzz: seeds {}..{} ran in {elapsed:.1} s on {jobs} thread(s) (explaining and shrinking the failures: {:.1} s more)",
        a.from,
        a.from + a.seeds - 1,
        started.elapsed().as_secs_f64() - elapsed
    );
    println!(
        "fuzz: {} seeds, {safety} violations, {liveness} liveness failures, {:.1} seeds/s",
        a.seeds,
        a.seeds as f64 / elapsed
    );
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Runs every seed on the threads; the failing runs in seed order, the
/// summed coverage and the thread count. Prints progress on stderr every
/// 1000 seeds.
fn run_seeds(a: &FuzzArgs, started: Instant) -> (Vec<SeedRun>, Coverage, u64) {
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()) as u64)
        .max(1)
        .min(a.seeds);
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let failures: Mutex<Vec<SeedRun>> = Mutex::new(Vec::new());
    let coverage: Mutex<Coverage> = Mutex::new(Coverage::default());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let mut mine = Coverage::default();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= a.seeds {
                        break;
                    }
                    let run = fuzz::run_seed_with(a.from + k, &a.variants, a.recipes, &mut mine);
                    if !run.violations.is_empty() {
                        failures.lock().unwrap().push(run);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(1000) && n < a.seeds {
                        let failed = failures.lock().unwrap().len();
                        eprintln!(
                            "fuzz: {n}/{} seeds, {failed} failing, {:.0} seeds/s",
                            a.seeds,
                            n as f64 / started.elapsed().as_secs_f64()
                        );
                    }
                }
                coverage.lock().unwrap().merge(&mine);
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.seed);
    (failures, coverage.into_inner().unwrap(), jobs)
}

/// Prints each failure, the coverage and the known findings; returns the
/// seeds with a safety violation and those with only liveness failures.
fn report(a: &FuzzArgs, failures: &[SeedRun], coverage: Coverage) -> (u64, u64) {
    let mut variant_arg: String = a
        .variants
        .iter()
        .map(|v| format!(" --variant {v}"))
        .collect();
    if a.recipes {
        variant_arg.push_str(" --recipes");
    }
    let (mut safety, mut liveness) = (0u64, 0u64);
    let mut explained: Vec<(u64, &fuzz::Finding)> = Vec::new();
    let mut unexplained: Vec<(u64, &str)> = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        if f.violations.iter().any(|v| !SeedRun::is_liveness(v)) {
            safety += 1;
        } else {
            liveness += 1;
        }
        for v in &f.violations {
            println!(
                "fuzz: seed {}: {} at {} ms (event {}): {}",
                f.seed, v.property, v.at_ms, v.event, v.detail
            );
        }
        println!(
            "  reproduce with: zablab fuzz --seeds 1 --from {}{variant_arg}",
            f.seed
        );
        if let Some(finding) = fuzz::explained_by_with(f.seed, &a.variants, a.recipes) {
            println!(
                "  known finding ({}): clean with --variant {}; see {}",
                finding.what, finding.fix, finding.file
            );
            explained.push((f.seed, finding));
        } else {
            unexplained.push((f.seed, &f.violations[0].property));
        }
        if (i as u64) < a.shrink {
            shrink_and_write(f, &f.violations[0].property, &a.out);
        }
    }
    if let Some(f) = failures.first() {
        println!(
            "fuzz: first failure at seed {} ({} seeds into the run)",
            f.seed,
            f.seed - a.from + 1
        );
    }
    for line in coverage.lines() {
        println!("{line}");
    }
    print_findings(failures.len(), &explained);
    if !failures.is_empty() {
        let list: Vec<String> = unexplained
            .iter()
            .map(|(seed, property)| format!("{seed} ({property})"))
            .collect();
        println!(
            "fuzz: {} of {} failing seeds are unexplained (a new failure: a model bug or a new finding): [{}]",
            unexplained.len(),
            failures.len(),
            list.join(", ")
        );
    }
    (safety, liveness)
}

/// One line per known finding that explains some of the failing seeds.
fn print_findings(failing: usize, explained: &[(u64, &fuzz::Finding)]) {
    for finding in fuzz::FINDINGS {
        let seeds: Vec<u64> = explained
            .iter()
            .filter(|(_, f)| f.fix == finding.fix)
            .map(|(s, _)| *s)
            .collect();
        if !seeds.is_empty() {
            println!(
                "fuzz: {} of {failing} failing seeds are the known finding {} (clean with --variant {}): {seeds:?}",
                seeds.len(),
                finding.file,
                finding.fix
            );
        }
    }
}

/// Shrinks one failing seed, writes the scenario and checks it replays.
fn shrink_and_write(f: &SeedRun, property: &str, out: &Path) {
    let small = fuzz::shrink(&f.scenario, property, 600);
    let path = out.join(format!("seed-{}.json", f.seed));
    let full = out.join(format!("seed-{}-full.json", f.seed));
    let written = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(&full, f.scenario.to_json()))
        .and_then(|()| std::fs::write(&path, small.to_json()));
    if let Err(e) = written {
        println!(
            "  could not write the shrunk scenario to {}: {e}",
            path.display()
        );
        return;
    }
    let replay = fuzz::run(&small);
    let again = replay.violations().iter().any(|v| v.property == property);
    println!(
        "  shrunk to {} actions and {} servers: {} (zablab run {}){}",
        small.actions.len(),
        small.sids().count(),
        path.display(),
        path.display(),
        if again {
            format!(", replays to {property}")
        } else {
            format!(", WARNING: the shrunk file does not replay to {property}")
        }
    );
}
