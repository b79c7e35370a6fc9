//! The page's memory over a long run, measured natively in minutes
//! instead of a 30-minute browser run (issue 17, the memory part).
//!
//! Contract: this test binary's global allocator is the one Rust's std
//! uses on wasm32 (`dlmalloc`), over an arena that, like wasm's linear
//! memory, is contiguous, grows by 64 KiB pages and never shrinks; the
//! arena's size is what `WebAssembly.Memory` would report. The ignored
//! tests play the app's `Model` (not only the engine) at 100x, as
//! `bench/browser.mjs`'s two memory runs do: the benchmark hour looped with
//! autopurge (`looped_hour…`) and 9 voters + 42 observers idle
//! (`idle_51…`). Each prints the arena, the live heap and its highest since
//! the last line, every half virtual hour:
//!
//!   HOURS=30 cargo test -p zablab-web --release --test wasm_heap -- --ignored --nocapture looped
//!   HOURS=30 cargo test -p zablab-web --release --test wasm_heap -- --ignored --nocapture idle
//!
//! With `WHO_GROWS=1` (and `CARGO_PROFILE_RELEASE_DEBUG=line-tables-only`
//! for file and line), every allocation of 200 KB or more that grows the
//! arena after the second virtual hour prints where it came from: the
//! large blocks that find no hole big enough among the freed ones.
//!
//! Pointers are 8 bytes here and 4 in wasm32, so levels are higher than
//! the browser's; what it is for is the shape: a live heap that stays
//! within a band while the arena creeps is the allocator's fragmentation
//! (bench/README.md, "Fourth round").
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

const PAGE: usize = 65536;
const ARENA: usize = 16 << 30;
static BASE: AtomicUsize = AtomicUsize::new(0);
static TOP: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The highest `LIVE` since the last line printed.
static HIGH: AtomicUsize = AtomicUsize::new(0);

fn add(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    HIGH.fetch_max(now, Ordering::Relaxed);
}

/// wasm's `memory.grow` over one reserved range (Linux maps its pages
/// when first touched).
struct Arena;
unsafe impl dlmalloc::Allocator for Arena {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let mut base = BASE.load(Ordering::Relaxed);
        if base == 0 {
            base = unsafe { System.alloc(Layout::from_size_align(ARENA, PAGE).unwrap()) } as usize;
            BASE.store(base, Ordering::Relaxed);
        }
        let pages = size.div_ceil(PAGE);
        let top = TOP.fetch_add(pages * PAGE, Ordering::Relaxed);
        if top + pages * PAGE > ARENA {
            return (std::ptr::null_mut(), 0, 0);
        }
        ((base + top) as *mut u8, pages * PAGE, 0)
    }
    fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
        std::ptr::null_mut()
    }
    fn free_part(&self, _: *mut u8, _: usize, _: usize) -> bool {
        false
    }
    fn free(&self, _: *mut u8, _: usize) -> bool {
        false
    }
    fn can_release_part(&self, _: u32) -> bool {
        false
    }
    fn allocates_zeros(&self) -> bool {
        true
    }
    fn page_size(&self) -> usize {
        PAGE
    }
}

/// dlmalloc, counting the live bytes.
struct Wasmish(Mutex<dlmalloc::Dlmalloc<Arena>>);
unsafe impl GlobalAlloc for Wasmish {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        add(l.size());
        let top = TOP.load(Ordering::Relaxed);
        let p = self.0.lock().unwrap().malloc(l.size(), l.align());
        who_grew(top, l.size());
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        self.0.lock().unwrap().free(p, l.size(), l.align())
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        add(n);
        let top = TOP.load(Ordering::Relaxed);
        let q = self.0.lock().unwrap().realloc(p, l.size(), l.align(), n);
        who_grew(top, n);
        q
    }
}

/// Set (with `WHO_GROWS`) once the run is past its start.
static WATCH: AtomicBool = AtomicBool::new(false);
thread_local!(static PRINTING: Cell<bool> = const { Cell::new(false) });

/// With `WHO_GROWS`: a large allocation that grew the arena (it was `top`
/// before) prints its size and the zablab frames of its backtrace.
fn who_grew(top: usize, size: usize) {
    let grown = TOP.load(Ordering::Relaxed).saturating_sub(top);
    if grown == 0 || size < 200_000 || !WATCH.load(Ordering::Relaxed) {
        return;
    }
    // Capturing allocates: no report from inside a report.
    if PRINTING.with(|p| p.replace(true)) {
        return;
    }
    let bt = std::backtrace::Backtrace::force_capture().to_string();
    let frames: Vec<&str> = bt
        .lines()
        .filter(|l| !l.contains("/rustc/") && (l.contains("/core/src/") || l.contains("./src/")))
        .take(12)
        .collect();
    eprintln!(
        "grew {} KB for a block of {} KB (live {:.1} MB), from\n{}",
        grown >> 10,
        size >> 10,
        LIVE.load(Ordering::Relaxed) as f64 / 1e6,
        frames.join("\n")
    );
    PRINTING.with(|p| p.set(false));
}

#[global_allocator]
static A: Wasmish = Wasmish(Mutex::new(dlmalloc::Dlmalloc::new_with_allocator(Arena)));

#[test]
#[ignore = "a measurement: minutes of virtual hours; see the module doc"]
fn looped_hour_in_the_wasm_allocator() {
    use zablab_core::Scenario;
    let base =
        Scenario::from_json(include_str!("../../static/scenarios/bench/bench-1h.json")).unwrap();
    let hours = hours();
    let mut sc = base.looped(hours);
    sc.ensemble.autopurge_purge_interval = 1;
    sc.ensemble.autopurge_snap_retain_count = 3;
    play_at_100x(sc, hours);
}

/// The browser's other memory run: frames-51srv.json's ensemble (9 voters
/// and 42 observers) with its starts only, idle, as `bench/browser.mjs`'s
/// `idle51`.
#[test]
#[ignore = "a measurement: minutes of virtual hours; see the module doc"]
fn idle_51_servers_in_the_wasm_allocator() {
    use zablab_core::{ActionKind, Scenario};
    let mut sc = Scenario::from_json(include_str!(
        "../../static/scenarios/bench/frames-51srv.json"
    ))
    .unwrap();
    sc.actions
        .retain(|a| matches!(a.kind, ActionKind::Start { .. }));
    let hours = hours();
    sc.until_ms = hours * 3_600_000;
    play_at_100x(sc, hours);
}

/// `HOURS` from the environment (8 by default).
fn hours() -> u64 {
    std::env::var("HOURS")
        .ok()
        .and_then(|h| h.parse().ok())
        .unwrap_or(8)
}

/// Plays `sc` in the app's `Model` at 100x for `hours` virtual hours,
/// printing the arena every half hour (module doc).
fn play_at_100x(sc: zablab_core::Scenario, hours: u64) {
    use zablab_web::model::{Model, TransportMsg};
    let mut m = Model::with(sc).unwrap();
    m.apply(TransportMsg::SetSpeed(100.0).into());
    m.apply(TransportMsg::Play.into());
    let mut next = 0u64;
    let who_grows = std::env::var_os("WHO_GROWS").is_some();
    while m.engine.now_ms() < hours * 3_600_000 - 60_000 && m.playing {
        m.frame(16.0, &mut || true);
        if who_grows && m.engine.now_ms() > 7_200_000 {
            WATCH.store(true, Ordering::Relaxed);
        }
        if m.engine.now_ms() >= next {
            eprintln!(
                "vh {:5.2} arena {:7.1} MB live {:7.1} MB, highest since the last line {:7.1} MB, {} checkpoints",
                m.engine.now_ms() as f64 / 3.6e6,
                TOP.load(Ordering::Relaxed) as f64 / 1e6,
                LIVE.load(Ordering::Relaxed) as f64 / 1e6,
                HIGH.swap(LIVE.load(Ordering::Relaxed), Ordering::Relaxed) as f64 / 1e6,
                m.engine.checkpoints(),
            );
            next += 1_800_000;
        }
    }
}
