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
//!
//! `--memory [--hours N]` measures instead what a long run costs the app:
//! the app's engine (`timetravel::Engine`, checkpoints and history as in
//! the browser) on the benchmark hour looped N times (default 24; see
//! `Scenario::looped`), its RSS after every virtual hour and at the end, then seeks
//! to seeded moments of the last 10 virtual minutes and of the whole run:
//! wall ms (load-dependent) and the events each replayed
//! (`Engine::replayed_events`, the same on any machine), and the costliest
//! by the moment's age. `--bare` runs the same scenario in a plain
//! `Simulation`: what the model keeps by itself, apart from time travel.
//! Separate from the default lines, which stay short.

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

/// Every line `zablab bench --memory` prints, in order.
pub const MEMORY_LINES: &[&str] = &[
    "memory_hours",
    "engine_long_compute_s",
    "engine_long_checkpoints",
    "engine_rss_by_hour_mb",
    "engine_long_rss_mb",
    "engine_long_peak_rss_mb",
    "seek_recent_p50_ms",
    "seek_recent_p95_ms",
    "seek_recent_max_ms",
    "seek_recent_p95_events",
    "seek_any_p50_ms",
    "seek_any_p95_ms",
    "seek_any_max_ms",
    "seek_any_p95_events",
    "seek_by_age_max_events",
];

/// What `zablab bench --memory --bare` prints, in order.
pub const BARE_LINES: &[&str] = &["memory_hours", "bare_rss_by_hour_mb", "bare_peak_rss_mb"];

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
    debug_assert!(
        LINES.contains(&name)
            || MEMORY_LINES.contains(&name)
            || BARE_LINES.contains(&name)
            || crate::bench_import::IMPORT_LINES.contains(&name),
        "{name} is not in LINES"
    );
    if unit.is_empty() {
        println!("{name}: {value}");
    } else {
        println!("{name}: {value} {unit}");
    }
}

/// This process's resident memory in MB (Linux; `None` elsewhere).
fn rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// A `/proc/self/status` figure in MB (`VmRSS:`; `VmHWM:`, the peak).
fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
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

/// Every server's ZooKeeper retention settings for `--memory`
/// (`autopurge.purgeInterval` in hours, `autopurge.snapRetainCount`).
pub struct Autopurge {
    pub interval_h: u64,
    pub retain: u64,
}

pub fn bench(
    quick: bool,
    only: Option<&str>,
    memory: bool,
    hours: u64,
    bare: bool,
    purge: Autopurge,
) -> Result<ExitCode, Usage> {
    if memory {
        return memory_figures(quick, hours, bare, purge);
    }
    if only == Some("import") {
        crate::bench_import::import_figures(quick, line)?;
        return Ok(ExitCode::SUCCESS);
    }
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

/// What a long run costs the app (see the module doc): the engine over
/// the looped hour, its RSS per virtual hour, then seeks near the end and
/// anywhere. `quick`: two virtual minutes (a smoke test).
fn memory_figures(
    quick: bool,
    hours: u64,
    bare: bool,
    purge: Autopurge,
) -> Result<ExitCode, Usage> {
    let base = Scenario::from_json(BENCH_1H).expect("the bench scenario is valid (tested)");
    let mut scenario = base.looped(hours.max(1));
    scenario.ensemble.autopurge_purge_interval = purge.interval_h;
    scenario.ensemble.autopurge_snap_retain_count = purge.retain;
    if quick {
        println!("# quick: the first 2 virtual minutes (not comparable)");
        scenario.until_ms = 120_000;
        scenario.actions.retain(|a| a.at_ms <= 120_000);
    }
    if purge.interval_h > 0 {
        println!(
            "# autopurge.purgeInterval={} autopurge.snapRetainCount={}",
            purge.interval_h, purge.retain
        );
    }
    let end = scenario.until_ms;
    line("memory_hours", hours.to_string(), "h");
    let step = if quick { 60_000 } else { 3_600_000 };
    if bare {
        return Ok(bare_figures(scenario, step));
    }
    let started = Instant::now();
    let mut engine = Engine::new(scenario).map_err(Usage)?;
    let mut by_hour = Vec::new();
    let mut t = 0;
    while t < end {
        t = (t + step).min(end);
        engine.seek(t, &mut || true);
        by_hour.push(mb(rss_mb()));
        println!(
            "# at {} min: {} MB, {} checkpoints, {} events",
            t / 60_000,
            by_hour[by_hour.len() - 1],
            engine.checkpoints(),
            engine.head().events()
        );
    }
    line(
        "engine_long_compute_s",
        format!("{:.1}", started.elapsed().as_secs_f64()),
        "s",
    );
    line(
        "engine_long_checkpoints",
        engine.checkpoints().to_string(),
        "",
    );
    line("engine_rss_by_hour_mb", by_hour.join(","), "MB");
    line("engine_long_rss_mb", mb(rss_mb()), "MB");
    line("engine_long_peak_rss_mb", mb(status_mb("VmHWM:")), "MB");
    let seeks = if quick { 4 } else { 20 };
    let mut rng = Pcg32::new(11, 0x5eec);
    let recent_from = end.saturating_sub(600_000);
    let mut recent = Vec::new();
    for _ in 0..seeks {
        let t = recent_from + rng.below((end - recent_from) as u32) as u64;
        recent.push(timed_seek(&mut engine, t));
    }
    let mut any = Vec::new();
    for _ in 0..seeks {
        let t = rng.below(end as u32) as u64;
        any.push(timed_seek(&mut engine, t));
    }
    seek_lines("recent", &recent);
    seek_lines("any", &any);
    let events: Vec<(u64, f64)> = any.iter().map(|s| (s.t, s.events as f64)).collect();
    line("seek_by_age_max_events", by_age(&events, end), "");
    Ok(ExitCode::SUCCESS)
}

/// One seek of the benchmark: where to, its wall time, and the events the
/// engine replayed for it (the same on any machine, busy or not).
struct Seek {
    t: u64,
    ms: f64,
    events: u64,
}

/// `seek_{what}_p50_ms`, `_p95_ms`, `_max_ms` and `_p95_events`.
fn seek_lines(what: &str, seeks: &[Seek]) {
    let mut ms: Vec<f64> = seeks.iter().map(|s| s.ms).collect();
    for (name, q) in [("p50", 0.5), ("p95", 0.95), ("max", 1.0)] {
        let v = quantile(&mut ms, q);
        line(&format!("seek_{what}_{name}_ms"), format!("{v:.1}"), "ms");
    }
    let mut events: Vec<f64> = seeks.iter().map(|s| s.events as f64).collect();
    let p95 = quantile(&mut events, 0.95);
    line(&format!("seek_{what}_p95_events"), format!("{p95:.0}"), "");
}

/// `--bare`: the same run in a plain simulation (no time travel, no
/// message history), so what the model itself keeps (every server's txn
/// log and snapshots, the records) shows apart from what the app adds.
fn bare_figures(scenario: Scenario, step: u64) -> ExitCode {
    let end = scenario.until_ms;
    let mut sim = match Simulation::new(scenario) {
        Ok(sim) => sim,
        Err(e) => unreachable!("the looped bench scenario is valid (tested): {e}"),
    };
    let mut by_hour = Vec::new();
    let mut t = 0;
    while t < end {
        t = (t + step).min(end);
        sim.run_until(t);
        by_hour.push(mb(rss_mb()));
        println!(
            "# at {} min: {} MB, {} events",
            t / 60_000,
            by_hour[by_hour.len() - 1],
            sim.events()
        );
    }
    line("bare_rss_by_hour_mb", by_hour.join(","), "MB");
    line("bare_peak_rss_mb", mb(status_mb("VmHWM:")), "MB");
    ExitCode::SUCCESS
}

/// Seeks the engine to `t` (from wherever it shows now).
fn timed_seek(engine: &mut Engine, t: u64) -> Seek {
    let replayed = engine.replayed_events();
    let started = Instant::now();
    engine.seek(t, &mut || true);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(engine.now_ms(), t);
    let events = engine.replayed_events() - replayed;
    Seek { t, ms, events }
}

/// The costliest seek by the moment's age at the end of the run:
/// `<10m:v,<1h:v,<6h:v,older:v` (a band without a sample says `-`).
fn by_age(seeks: &[(u64, f64)], end: u64) -> String {
    const BANDS: [(&str, u64); 4] = [
        ("<10m", 600_000),
        ("<1h", 3_600_000),
        ("<6h", 21_600_000),
        ("older", u64::MAX),
    ];
    let mut max = [None::<f64>; 4];
    for &(t, ms) in seeks {
        let age = end - t;
        let band = BANDS.iter().position(|&(_, upto)| age < upto).unwrap_or(3);
        max[band] = Some(max[band].map_or(ms, |m: f64| m.max(ms)));
    }
    BANDS
        .iter()
        .zip(max)
        .map(|((name, _), m)| {
            format!(
                "{name}:{}",
                m.map_or("-".to_string(), |m| format!("{m:.0}"))
            )
        })
        .collect::<Vec<_>>()
        .join(",")
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
    use zablab_core::ActionKind;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&mut v, 0.95), 95.0);
        assert_eq!(quantile(&mut v, 0.5), 50.0);
        assert_eq!(quantile(&mut v, 1.0), 100.0);
        assert_eq!(quantile(&mut [], 0.5), 0.0);
    }

    #[test]
    fn the_looped_hour_repeats_the_faults_and_keeps_one_load() {
        let base = Scenario::from_json(BENCH_1H).unwrap();
        let s = base.looped(3);
        assert_eq!(s.until_ms, 3 * 3_600_000);
        let per_hour = base.actions.len() - 3;
        assert_eq!(s.actions.len(), base.actions.len() + 2 * per_hour);
        let loads: Vec<u64> = s
            .actions
            .iter()
            .filter_map(|a| match a.kind {
                ActionKind::Load { for_ms, .. } => Some(a.at_ms + for_ms),
                _ => None,
            })
            .collect();
        assert_eq!(loads, vec![3 * 3_600_000], "one load, to the end");
        // Valid as a file (what the browser's share link carries).
        Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(
            by_age(
                &[
                    (30_000_000, 5.0),
                    (100, 700.0),
                    (100, 900.0),
                    (20_000_000, 40.0)
                ],
                30_000_000
            ),
            "<10m:5,<1h:-,<6h:40,older:900"
        );
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
