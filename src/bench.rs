//! `zablab bench`: what users feel as speed, measured the same way every
//! time, printed as `name: value unit` lines (README, "Benchmarks";
//! `scripts/bench` runs it with the browser figures into `bench/results.md`).
//!
//! Every figure comes from this one process, so ratios (`overhead_vs_heap_loop`)
//! compare numbers measured seconds apart on the same, equally loaded machine.
//! The scenario is `static/scenarios/bench/bench-1h.json` (embedded): one hour
//! of virtual time, five voters, 200 writes/s and a fault every five minutes.
//! `--quick` runs the same measurements on its first 60 s (a smoke test that
//! keeps the command from rotting; its numbers are not comparable).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use zablab_core::fuzz::{self, Coverage};
use zablab_core::rng::Pcg32;
use zablab_core::timetravel::Engine;
use zablab_core::{Scenario, Simulation};

use crate::Usage;

/// The benchmark scenario (see the module doc).
pub const BENCH_1H: &str = include_str!("../static/scenarios/bench/bench-1h.json");

/// Every line `zablab bench` prints, in order (the quick test checks them).
pub const LINES: &[&str] = &[
    "sim_1h_5srv_200wps_s",
    "sim_1h_events",
    "events_per_s",
    "sim_1h_trace",
    "sim_1h_rss_mb",
    "baseline_heap_loop_s",
    "overhead_vs_heap_loop",
    "fuzz_seeds_per_s",
    "engine_1h_compute_s",
    "engine_1h_checkpoints",
    "engine_1h_rss_mb",
    "seek_1h_p50_ms",
    "seek_1h_p95_ms",
    "seek_1h_max_ms",
    "clone_checkpoint_us",
];

struct Plan {
    scenario: Scenario,
    fuzz_seeds: u64,
    seeks: usize,
    clones: usize,
}

fn plan(quick: bool) -> Plan {
    let mut scenario = Scenario::from_json(BENCH_1H).expect("the bench scenario is valid (tested)");
    if quick {
        scenario.until_ms = 60_000;
        scenario.actions.retain(|a| a.at_ms <= 60_000);
    }
    Plan {
        scenario,
        fuzz_seeds: if quick { 4 } else { 400 },
        seeks: if quick { 10 } else { 200 },
        clones: if quick { 5 } else { 50 },
    }
}

fn line(name: &str, value: String, unit: &str) {
    debug_assert!(LINES.contains(&name), "{name} is not in LINES");
    if unit.is_empty() {
        println!("{name}: {value}");
    } else {
        println!("{name}: {value} {unit}");
    }
}

/// This process's resident memory in MB (Linux; `None` elsewhere).
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn mb(v: Option<f64>) -> String {
    v.map_or("n/a".to_string(), |v| format!("{v:.0}"))
}

/// `q` quantile (0..=1) of `v` (sorted here), nearest rank.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

/// A bare discrete-event loop: a binary heap of `(time, class, seq)` keys
/// with a payload, `queue_len` events pending, and for each of `events`
/// steps one pop and one push of an event a few ms later. What the
/// simulator's loop would cost if handling an event cost nothing.
fn heap_loop(events: u64, queue_len: usize) -> f64 {
    let mut heap: BinaryHeap<Reverse<(u64, u8, u64, u64)>> =
        BinaryHeap::with_capacity(queue_len + 1);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let next = |x: &mut u64| {
        // xorshift64: cheap, deterministic.
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    };
    let mut seq = 0u64;
    for _ in 0..queue_len.max(1) {
        let r = next(&mut x);
        heap.push(Reverse((r % 10, 1, seq, r)));
        seq += 1;
    }
    let started = Instant::now();
    let mut sum = 0u64;
    for _ in 0..events {
        let Some(Reverse((t, _, _, p))) = heap.pop() else {
            break;
        };
        sum = sum.wrapping_add(p);
        let r = next(&mut x);
        heap.push(Reverse((t + 1 + r % 5, 1, seq, r)));
        seq += 1;
    }
    black_box(sum);
    started.elapsed().as_secs_f64()
}

/// Runs the scenario to its end, one virtual second at a time (sampling
/// the queue's length on the way): (seconds, the simulation, mean queue).
fn simulate(scenario: &Scenario) -> (f64, Simulation, usize) {
    let started = Instant::now();
    let mut sim = Simulation::new(scenario.clone()).expect("the bench scenario runs");
    let (mut samples, mut total) = (0usize, 0usize);
    let mut t = 0;
    while t < scenario.until_ms {
        t = (t + 1000).min(scenario.until_ms);
        sim.run_until(t);
        total += sim.pending_events();
        samples += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    (secs, sim, total / samples.max(1))
}

pub fn bench(quick: bool) -> Result<ExitCode, Usage> {
    let p = plan(quick);
    if quick {
        println!("# quick: the first 60 s of virtual time and a few samples (not comparable)");
    }
    simulation_figures(&p.scenario);
    fuzz_figure(p.fuzz_seeds);
    let head = engine_figures(&p)?;
    clone_figure(&head, p.clones);
    Ok(ExitCode::SUCCESS)
}

/// The simulation alone (what the CLI and the fuzzer pay), then the floor:
/// a bare heap loop with as many events and as long a queue.
fn simulation_figures(scenario: &Scenario) {
    let (secs, sim, queue) = simulate(scenario);
    let events = sim.events();
    line("sim_1h_5srv_200wps_s", format!("{secs:.3}"), "s");
    line("sim_1h_events", events.to_string(), "events");
    line(
        "events_per_s",
        format!("{:.0}", events as f64 / secs),
        "events/s",
    );
    line("sim_1h_trace", format!("0x{:016x}", sim.trace_hash()), "");
    line("sim_1h_rss_mb", mb(rss_mb()), "MB");
    drop(sim);

    let heap = heap_loop(events, queue);
    line("baseline_heap_loop_s", format!("{heap:.3}"), "s");
    line("overhead_vs_heap_loop", format!("{:.1}", secs / heap), "x");
}

/// The fuzzer on one core (its own seeds, as `zablab fuzz` runs them).
fn fuzz_figure(seeds: u64) {
    let started = Instant::now();
    let mut coverage = Coverage::default();
    for seed in 1..=seeds {
        black_box(fuzz::run_seed_with(seed, &[], false, &mut coverage));
    }
    let fuzz_secs = started.elapsed().as_secs_f64();
    line(
        "fuzz_seeds_per_s",
        format!("{:.1}", seeds as f64 / fuzz_secs),
        "seeds/s",
    );
}

/// The app's time travel (`timetravel::Engine`, the same code the browser
/// runs): compute the hour with its checkpoints, then seek to seeded
/// random moments. Returns the engine's head at the end.
fn engine_figures(p: &Plan) -> Result<Simulation, Usage> {
    let started = Instant::now();
    let mut engine = Engine::new(p.scenario.clone()).map_err(Usage)?;
    engine.seek(p.scenario.until_ms, &mut || true);
    line(
        "engine_1h_compute_s",
        format!("{:.3}", started.elapsed().as_secs_f64()),
        "s",
    );
    line(
        "engine_1h_checkpoints",
        engine.checkpoints().to_string(),
        "",
    );
    line("engine_1h_rss_mb", mb(rss_mb()), "MB");
    let mut rng = Pcg32::new(7, 0x5eec);
    let mut seeks = Vec::with_capacity(p.seeks);
    for _ in 0..p.seeks {
        let t = rng.below(p.scenario.until_ms as u32) as u64;
        let started = Instant::now();
        engine.seek(t, &mut || true);
        seeks.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(engine.now_ms(), t);
    }
    for (name, q) in [
        ("seek_1h_p50_ms", 0.5),
        ("seek_1h_p95_ms", 0.95),
        ("seek_1h_max_ms", 1.0),
    ] {
        line(name, format!("{:.1}", quantile(&mut seeks, q)), "ms");
    }
    Ok(engine.head().clone())
}

/// One checkpoint of the five servers at the end of the hour.
fn clone_figure(head: &Simulation, clones: usize) {
    let mut copies = Vec::with_capacity(clones);
    let started = Instant::now();
    for _ in 0..clones {
        copies.push(black_box(head.clone()));
    }
    let per = started.elapsed().as_secs_f64() / clones as f64;
    drop(copies);
    line("clone_checkpoint_us", format!("{:.0}", per * 1e6), "us");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&mut v, 0.95), 95.0);
        assert_eq!(quantile(&mut v, 0.5), 50.0);
        assert_eq!(quantile(&mut v, 1.0), 100.0);
        assert_eq!(quantile(&mut [], 0.5), 0.0);
    }

    #[test]
    fn the_bench_scenario_parses_and_quick_keeps_its_start() {
        let full = plan(false);
        assert_eq!(full.scenario.until_ms, 3_600_000);
        let quick = plan(true);
        assert_eq!(quick.scenario.until_ms, 60_000);
        assert!(quick.scenario.actions.iter().all(|a| a.at_ms <= 60_000));
    }
}
