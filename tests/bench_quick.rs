//! `zablab bench --quick` runs and prints every figure by name, so the
//! benchmark (`scripts/bench`, not part of the test run) cannot rot. The
//! names are pinned here because `bench/browser.mjs` and
//! `bench/results.md` read them.

use std::process::Command;

const LINES: &[&str] = &[
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

#[test]
fn bench_quick_prints_every_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["bench", "--quick"])
        .output()
        .expect("the zablab binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_once(": ").map_or(l, |(n, _)| n))
        .collect();
    assert_eq!(names, LINES, "{text}");
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let value = l.split_once(": ").unwrap().1;
        assert!(!value.trim().is_empty(), "{l}");
    }
}

const MEMORY_LINES: &[&str] = &[
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

#[test]
fn bench_memory_quick_prints_every_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["bench", "--memory", "--hours", "1", "--quick"])
        .output()
        .expect("the zablab binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_once(": ").map_or(l, |(n, _)| n))
        .collect();
    assert_eq!(names, MEMORY_LINES, "{text}");
    assert!(text.contains("engine_rss_by_hour_mb: "), "{text}");
}

#[test]
fn bench_memory_bare_quick_prints_every_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["bench", "--memory", "--bare", "--hours", "1", "--quick"])
        .output()
        .expect("the zablab binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_once(": ").map_or(l, |(n, _)| n))
        .collect();
    assert_eq!(
        names,
        ["memory_hours", "bare_rss_by_hour_mb", "bare_peak_rss_mb"],
        "{text}"
    );
}

#[test]
fn bench_hours_needs_memory() {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["bench", "--hours", "2"])
        .output()
        .expect("the zablab binary runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bench_refuses_unknown_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .args(["bench", "--slow"])
        .output()
        .expect("the zablab binary runs");
    assert_eq!(out.status.code(), Some(2));
}
