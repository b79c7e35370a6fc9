//! Tests only: what a long run keeps, measured (issue 17, the memory part).
//!
//! Contract:
//! - A counting global allocator (this test binary only) gives the live
//!   heap; a component's own bytes are what a `clone` of it allocates
//!   (`Seq`/`Window` chunks shared behind `Arc` are not copied, so a clone
//!   counts what a checkpoint would hold alone), or its length × element
//!   size where sharing would hide it.
//! - `#[ignore]`d measurements print a table per virtual interval
//!   (`cargo test -p zablab-core --release footprint -- --ignored --nocapture`);
//!   the bounded-growth tests below them run always.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

use crate::scenario::{Action, Ensemble, Network};
use crate::timetravel::Engine;
use crate::{ActionKind, Scenario, Simulation};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
/// The highest `LIVE` since the last [`reset_high`].
static HIGH: AtomicIsize = AtomicIsize::new(0);

std::thread_local! {
    /// Bytes this thread allocated (tests run in parallel threads: a
    /// clone's count must not include another test's allocations).
    static ALLOCATED: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: usize) {
    // `try_with`: nothing to count while the thread is being torn down.
    let _ = ALLOCATED.try_with(|a| a.set(a.get() + bytes as isize));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        HIGH.fetch_max(now + layout.size() as isize, Ordering::Relaxed);
        count(layout.size());
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let d = new as isize - layout.size() as isize;
        let now = LIVE.fetch_add(d, Ordering::Relaxed);
        HIGH.fetch_max(now + d, Ordering::Relaxed);
        count(new);
        System.realloc(ptr, layout, new)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The highest live heap since the last call, and start again from now.
pub(crate) fn reset_high() -> isize {
    HIGH.swap(live(), Ordering::Relaxed)
}

/// Live heap bytes of this process now.
pub(crate) fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Bytes a clone of `x` allocates (its own part; `Arc`-shared chunks not).
pub(crate) fn cloned<T: Clone>(x: &T) -> isize {
    let before = ALLOCATED.with(Cell::get);
    let c = std::hint::black_box(x.clone());
    let n = ALLOCATED.with(Cell::get) - before;
    drop(c);
    n
}

/// The app's "new ensemble" form (`web/src/setup.rs`) at its largest:
/// 9 voters and 42 observers, every server started at 0, no writes.
pub(crate) fn idle_9_42(until_ms: u64) -> Scenario {
    let participants: Vec<u32> = (1..=9).collect();
    let observers: Vec<u32> = (10..=51).collect();
    Scenario {
        zablab: 1,
        name: "9 servers and 42 observers".into(),
        seed: 1,
        ensemble: Ensemble::new(participants, observers),
        network: Network {
            latency_ms: [20, 60],
            fsync_ms: [1, 3],
        },
        until_ms,
        actions: vec![Action {
            at_ms: 0,
            kind: ActionKind::Start {
                servers: (1..=51).collect(),
            },
        }],
        museum: None,
        conform: None,
    }
}

/// Component name and bytes (see the module doc), for one simulation.
pub(crate) fn components(sim: &Simulation) -> Vec<(&'static str, isize)> {
    use std::mem::size_of_val;
    let per = |n: usize, one: usize| (n * one) as isize;
    let log_text: usize = sim.log.iter().map(|e| e.text.capacity()).sum();
    let log = per(sim.log.len(), size_of::<super::LogEntry>()) + log_text as isize;
    let mut txn_log = 0;
    let mut applied = 0;
    let mut servers = 0;
    for n in &sim.nodes {
        txn_log += per(n.server.disk.log.len(), 8);
        applied += per(
            n.server.tree.ghost_applied.len(),
            n.server.tree.ghost_applied.get(0).map_or(0, size_of_val),
        );
        servers += cloned(&n.server);
    }
    let checker = cloned(&sim.checker)
        + per(
            sim.checker.committed().len(),
            size_of::<crate::txn::TxnId>(),
        )
        + sim
            .checker
            .proposals
            .values()
            .map(|p| per(p.len(), 8))
            .sum::<isize>();
    vec![
        ("log lines", log),
        ("history", cloned(&sim.history)),
        ("servers (own)", servers),
        ("txn logs (ptrs)", txn_log),
        ("ghost_applied", applied),
        ("checker", checker),
        ("observer", cloned(&sim.obs)),
        (
            "records",
            cloned(&sim.leaders)
                + cloned(&sim.syncs)
                + cloned(&sim.writes)
                + cloned(&sim.reads)
                + cloned(&sim.fourlw)
                + cloned(&sim.watch_events)
                + cloned(&sim.hazards),
        ),
        ("queue", cloned(&sim.queue)),
        ("conns", cloned(&sim.conns)),
        ("scenario", cloned(&sim.scenario)),
        ("clients", cloned(&sim.clients)),
        ("committed tree", cloned(&sim.committed)),
    ]
}

fn table(label: &str, at_min: u64, sim: &Simulation, extra: &[(&str, isize)]) {
    let mb = |b: isize| b as f64 / 1e6;
    let mut s = format!(
        "{label} {at_min:>4} min: {} events, live {:>7.1} MB, msgs {}, states {}",
        sim.events(),
        mb(live()),
        sim.message_history().end() - sim.message_history().first(),
        sim.state_history().end() - sim.state_history().first()
    );
    for (name, b) in components(sim).iter().chain(extra) {
        s += &format!(" | {name} {:.2}", mb(*b));
    }
    println!("{s}");
}

#[test]
#[ignore]
fn footprint_idle_9_42_engine() {
    let minutes = 240;
    let mut engine = Engine::new(idle_9_42(minutes * 60_000)).unwrap();
    for m in (20..=minutes).step_by(20) {
        engine.seek(m * 60_000, &mut || true);
        let cps = engine.checkpoints() as isize;
        let head = engine.head();
        let one = cloned(head) - cloned(&head.history);
        let pairs = cloned(&head.election_arrival)
            + cloned(&head.election_held)
            + cloned(&head.link_latency);
        let mut h = head.clone();
        h.forget_message_history();
        table(
            "engine idle 9+42",
            m,
            head,
            &[
                ("checkpoints (count)", cps * 1_000_000),
                ("one checkpoint", one),
                ("its nodes", cloned(&head.nodes)),
                ("its per-pair maps", pairs),
                ("its history w/o messages", cloned(&h.history)),
            ],
        );
    }
}

#[test]
#[ignore]
fn footprint_idle_9_42_bare() {
    let minutes = 60;
    let mut sim = Simulation::new(idle_9_42(minutes * 60_000)).unwrap();
    for m in (10..=minutes).step_by(10) {
        sim.run_until(m * 60_000);
        table("bare idle 9+42", m, &sim, &[]);
    }
}

/// `static/scenarios/bench/bench-1h.json`: 5 servers, 200 writes/s.
const BENCH_1H: &str = include_str!("../../../static/scenarios/bench/bench-1h.json");

#[test]
#[ignore]
fn footprint_bench_hour_engine() {
    let scenario = Scenario::from_json(BENCH_1H).unwrap();
    let mut engine = Engine::new(scenario).unwrap();
    for m in (10..=60).step_by(10) {
        engine.seek(m * 60_000, &mut || true);
        let cps = engine.checkpoints() as isize;
        let one = cloned(engine.head()) - cloned(&engine.head().history);
        table(
            "engine bench",
            m,
            engine.head(),
            &[
                ("checkpoints (count)", cps * 1_000_000),
                ("one checkpoint", one),
            ],
        );
    }
}

/// The benchmark hour looped `hours` times as `zablab bench --memory`
/// runs it, with autopurge hourly, retaining 3.
fn looped_with_purge(hours: u64) -> Scenario {
    let mut s = Scenario::from_json(BENCH_1H).unwrap().looped(hours);
    s.ensemble.autopurge_purge_interval = 1;
    s.ensemble.autopurge_snap_retain_count = 3;
    s
}

/// Bytes freed by dropping what `take` takes out of `sim`.
fn freed<T>(sim: &mut Simulation, take: impl Fn(&mut Simulation) -> T) -> isize {
    let before = live();
    drop(take(sim));
    before - live()
}

/// One of a node's parts, taken out of it (to be dropped and counted).
type NodePart = fn(&mut super::Node) -> Box<dyn std::any::Any>;

/// Bytes freed by dropping, in turn, each named part of `sim` (its
/// servers' snapshots, txn logs and trees' applied histories, the checker,
/// the app's message history, log lines, event queue, records, then each
/// server's other parts, the rest of the nodes, the connections, the
/// observer, the clients), then the rest.
fn parts(mut sim: Simulation) -> Vec<(&'static str, isize)> {
    use std::mem::take;
    let mut out = Vec::new();
    let per_node: [(&'static str, NodePart); 9] = [
        ("snapshots", |n| {
            Box::new(take(&mut n.server.disk.snapshots))
        }),
        ("logs", |n| Box::new(take(&mut n.server.disk.log))),
        ("ghost_applied", |n| {
            Box::new(take(&mut n.server.tree.ghost_applied))
        }),
        ("tree", |n| Box::new(take(&mut n.server.tree))),
        ("committed_log", |n| {
            Box::new(take(&mut n.server.committed_log))
        }),
        ("role", |n| {
            Box::new(std::mem::replace(
                &mut n.server.role,
                crate::server::Role::None,
            ))
        }),
        ("metrics", |n| Box::new(take(&mut n.server.metrics))),
        ("book", |n| Box::new(take(&mut n.server.book))),
        ("disk (files)", |n| Box::new(take(&mut n.server.disk))),
    ];
    for (name, take_part) in per_node {
        let b = freed(&mut sim, |s| {
            s.nodes.iter_mut().map(take_part).collect::<Vec<_>>()
        });
        out.push((name, b));
    }
    out.push(("checker", freed(&mut sim, |s| take(&mut s.checker))));
    out.push(("history", freed(&mut sim, |s| take(&mut s.history))));
    out.push(("log lines", freed(&mut sim, |s| take(&mut s.log))));
    out.push(("queue", freed(&mut sim, |s| take(&mut s.queue))));
    let records = freed(&mut sim, |s| {
        (
            take(&mut s.leaders),
            take(&mut s.syncs),
            take(&mut s.writes),
            take(&mut s.reads),
            take(&mut s.fourlw),
            take(&mut s.watch_events),
        )
    });
    out.push(("records", records));
    out.push(("nodes' rest", freed(&mut sim, |s| take(&mut s.nodes))));
    out.push(("conns", freed(&mut sim, |s| take(&mut s.conns))));
    out.push(("observer", freed(&mut sim, |s| take(&mut s.obs))));
    out.push(("clients", freed(&mut sim, |s| take(&mut s.clients))));
    let before = live();
    drop(sim);
    out.push(("rest", before - live()));
    out
}

/// What the app's engine holds at the high-water marks of a purging run
/// (the first hour's last minutes, then before each hourly purge): what
/// the checkpoints alone hold, by part, and the head with the rest.
#[test]
#[ignore]
fn footprint_looped_engine_parts() {
    let mb = |b: isize| format!("{:.1}", b as f64 / 1e6);
    let show = |p: &[(&str, isize)]| {
        let v: Vec<String> = p.iter().map(|(n, b)| format!("{n} {}", mb(*b))).collect();
        v.join(", ")
    };
    for m in [90, 170] {
        let mut engine = Engine::new(looped_with_purge(3)).unwrap();
        engine.seek(m * 60_000, &mut || true);
        let all = live();
        let mut own: Vec<(&str, isize)> = Vec::new();
        let cps = engine.take_checkpoints();
        let n = cps.len();
        // Newest first: each then frees what no older one shares.
        for c in cps.into_iter().rev() {
            let Ok(c) = std::rc::Rc::try_unwrap(c) else {
                panic!("only the engine holds a checkpoint it took");
            };
            for (k, (name, b)) in parts(c).into_iter().enumerate() {
                match own.get_mut(k) {
                    Some(o) => o.1 += b,
                    None => own.push((name, b)),
                }
            }
        }
        let before = live();
        drop(engine);
        println!(
            "looped {m} min: live {} MB | {n} checkpoints alone: {} | the head and the rest: {}",
            mb(all),
            show(&own),
            mb(before - live())
        );
    }
}

#[test]
#[ignore]
fn footprint_bench_hour_bare() {
    let mut sim = Simulation::new(Scenario::from_json(BENCH_1H).unwrap()).unwrap();
    for m in (10..=60).step_by(10) {
        sim.run_until(m * 60_000);
        let longest = sim.nodes.iter().map(|n| n.server.disk.log.len()).max();
        let leader = sim.nodes.iter().max_by_key(|n| n.server.disk.log.len());
        let txn = leader.map_or(0, |n| payloads(n.server.disk.log.iter().map(|t| &t.op)));
        let txns = (longest.unwrap_or(0) * (size_of::<crate::txn::Txn>() + 16)) as isize;
        table(
            "bare bench",
            m,
            &sim,
            &[
                ("txn bodies (inline)", txns),
                ("txn payloads (Arc<str>)", txn),
            ],
        );
    }
}

/// Heap of the `Arc<str>`s txns carry (16-byte header + text, each counted
/// once per txn even when shared).
fn payloads<'a>(ops: impl Iterator<Item = &'a crate::txn::TxnOp>) -> isize {
    use crate::txn::TxnOp;
    fn one(op: &TxnOp) -> usize {
        match op {
            TxnOp::Create { path, data, .. } | TxnOp::SetData { path, data, .. } => {
                32 + path.len() + data.len()
            }
            TxnOp::Delete { path } | TxnOp::CheckVersion { path, .. } => 16 + path.len(),
            TxnOp::CloseSession { ephemerals } => ephemerals.iter().map(|p| 16 + p.len()).sum(),
            TxnOp::Multi { ops } => ops.iter().map(|o| size_of::<TxnOp>() + one(o)).sum(),
            TxnOp::CreateSession { .. } | TxnOp::Error { .. } => 0,
        }
    }
    ops.map(one).sum::<usize>() as isize
}

/// Every component's bytes summed (see [`components`]).
fn kept(sim: &Simulation) -> isize {
    components(sim).iter().map(|(_, b)| b).sum()
}

/// Idle (no writes, no faults), the largest ensemble the app offers keeps
/// nothing more as virtual time passes: only pings and their answers
/// happen, and nothing of the model may grow with them (issue 17: the app
/// grew "in a straight line" on this ensemble, idle).
#[test]
fn an_idle_ensemble_keeps_nothing_more_per_virtual_minute() {
    let mut sim = Simulation::new(idle_9_42(20 * 60_000)).unwrap();
    sim.run_until(5 * 60_000);
    let settled = kept(&sim);
    let events = sim.events();
    sim.run_until(20 * 60_000);
    assert!(sim.events() > 2 * events, "the ensemble kept running");
    let grown = kept(&sim) - settled;
    println!("idle 9+42, 5 -> 20 min: {grown} bytes more");
    assert!(
        grown < 4096,
        "{grown} bytes more after 15 idle virtual minutes: {:?}",
        components(&sim)
    );
}

/// Where the app's engine's live heap peaks in a purging run, minute by
/// minute: the high-water mark within each virtual minute against the live
/// heap at its end (a transient, not what is kept, sets an RSS or a wasm
/// memory that never shrinks).
#[test]
#[ignore]
fn footprint_looped_engine_peaks() {
    let mut engine = Engine::new(looped_with_purge(4)).unwrap();
    let mut top = 0;
    reset_high();
    for m in 1..=200u64 {
        engine.seek(m * 60_000, &mut || true);
        let (high, now) = (reset_high(), live());
        top = top.max(high);
        if high - now > 20_000_000 || m % 10 == 0 {
            println!(
                "minute {m}: live {:.1} MB, high within the minute {:.1} MB",
                now as f64 / 1e6,
                high as f64 / 1e6
            );
        }
    }
    println!("highest {:.1} MB", top as f64 / 1e6);
}

/// What one checkpoint holds alone, part by part (a `clone` of each, as
/// [`cloned`] counts): the idle 9 + 42 ensemble at 60 virtual minutes and
/// the benchmark hour at 30. A line for the whole checkpoint, then one per
/// server (the first 12): its own part and the largest of its parts.
/// Measured for the checkpoint policy's bound per server
/// (`timetravel::policy::max_old`).
#[test]
#[ignore]
fn footprint_checkpoint_parts() {
    let mut idle = Simulation::new(idle_9_42(60 * 60_000)).unwrap();
    idle.run_until(60 * 60_000);
    let mut bench = Simulation::new(Scenario::from_json(BENCH_1H).unwrap()).unwrap();
    bench.run_until(30 * 60_000);
    let show = |parts: &[(&str, isize)]| -> String {
        let row: Vec<String> = parts.iter().map(|(k, b)| format!("{k} {b}")).collect();
        row.join(" | ")
    };
    for (label, sim) in [("idle 9+42, 60 min", &idle), ("bench, 30 min", &bench)] {
        let mut c = sim.clone();
        c.forget_message_history();
        c.share_applied_with_committed();
        let whole = [
            ("checkpoint", cloned(&c)),
            ("nodes", cloned(&c.nodes)),
            (
                "of which inline",
                (c.nodes.len() * size_of::<super::Node>()) as isize,
            ),
            ("checker", cloned(&c.checker)),
            ("log lines", cloned(&c.log)),
            ("queue", cloned(&c.queue)),
            ("observer", cloned(&c.obs)),
            ("committed", cloned(&c.committed)),
            ("conns", cloned(&c.conns)),
            ("clients", cloned(&c.clients)),
            ("scenario", cloned(&c.scenario)),
        ];
        println!("{label}: {} (bytes)", show(&whole));
        for n in c.nodes.iter().take(12) {
            let s = &n.server;
            let parts = [
                ("node", cloned(n)),
                ("metrics", cloned(&s.metrics)),
                ("tree", cloned(&s.tree)),
                ("ghost_applied", cloned(&s.tree.ghost_applied)),
                ("disk", cloned(&s.disk)),
                ("role", cloned(&s.role)),
                ("election", cloned(&s.election)),
            ];
            println!("  server {}: {}", n.sid, show(&parts));
        }
    }
}

/// What each checkpoint of the benchmark hour holds alone (its clone, as
/// [`cloned`] counts), the largest first, and what in it.
#[test]
#[ignore]
fn footprint_checkpoints_of_the_hour() {
    let mut engine = Engine::new(Scenario::from_json(BENCH_1H).unwrap()).unwrap();
    engine.seek(60 * 60_000, &mut || true);
    let cps = engine.take_checkpoints();
    let mut sizes: Vec<(isize, u64, isize, isize)> = cps
        .iter()
        .map(|c| {
            let held: isize = c.nodes.iter().map(|n| cloned(&n.held)).sum();
            let roles: isize = c.nodes.iter().map(|n| cloned(&n.server.role)).sum();
            (cloned(&**c), c.now_ms(), held, roles)
        })
        .collect();
    let total: isize = sizes.iter().map(|s| s.0).sum();
    sizes.sort_by(|a, b| b.cmp(a));
    println!(
        "{} checkpoints, {:.1} MB alone",
        cps.len(),
        total as f64 / 1e6
    );
    for (b, t, held, roles) in sizes.iter().take(15) {
        println!("  at {t} ms: {b} B (held events {held}, roles {roles})");
    }
}

/// What grows in a plain simulation of the looped hour between its 6th
/// and 26th virtual hour, at the same point of the hour: each part's
/// bytes at both (the log lines did, 2.0 → 9.0 MB on 2026-12-07).
#[test]
#[ignore]
fn footprint_looped_head_growth() {
    for h in [5, 25] {
        let mut sim = Simulation::new(looped_with_purge(30)).unwrap();
        sim.run_until(h * 3_600_000 + 1_800_000);
        let all = live();
        let lines = (sim.log.floor(), sim.log.len());
        let p = parts(sim);
        let v: Vec<String> = p
            .iter()
            .map(|(n, b)| format!("{n} {:.2}", *b as f64 / 1e6))
            .collect();
        println!(
            "{h}.5 h: live {:.1}, log lines {lines:?} | {}",
            all as f64 / 1e6,
            v.join(", ")
        );
    }
}
