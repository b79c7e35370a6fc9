//! The fault fuzzer behind `zablab fuzz`, in the style of TigerBeetle's
//! VOPR: every seed derives its own options and fault schedule, runs in two
//! phases, and a failing seed is shrunk to a small scenario file that
//! `zablab run` replays to the same violation.
//!
//! - **Options** per seed: 3, 5 or 7 voters plus 0–2 observers; tickTime,
//!   initLimit, syncLimit; link and fsync latencies; `snapCount` (small ones
//!   make logs roll and txn-log syncs fall back to SNAP);
//!   `snapshotSizeFactor` (sometimes off); now and then a zxid counter that
//!   starts near the top so the rollover guard is exercised.
//! - **Safety phase**: random faults (crash, crash the leader, restart,
//!   pause, partition, one-way cut, heal, slow link, slow disk, dropped
//!   message, whole-ensemble crash) mixed with client work (writes, reads,
//!   steady load, sessions opened and closed). The checker runs after
//!   every event, the client-history checks on every answer.
//! - **Liveness phase**: everything heals, every server restarts except at
//!   most a minority of voters; a leader must be established and every
//!   running server synced within [`liveness_bound_ms`], then a fresh
//!   client's writes must commit within ten ticks (`expect` actions).
//!
//! Shrinking removes actions (chunks, then single ones), then whole servers,
//! then trims the end time, keeping each step that still fails with the same
//! property. Everything here is deterministic in the seed.

use crate::rng::Pcg32;
use crate::scenario::{
    Action, ActionKind, Ensemble, Expectation, Network, Scenario, ServerRef, SCENARIO_VERSION,
};
use crate::sim::Simulation;
use crate::Violation;

/// The PCG stream the generator draws from (the simulator uses its own).
const GEN_STREAM: u64 = 0x0f22_5eed;

/// How long after the heal a leader (and every running server) must be in
/// BROADCAST: the longest FLE notification timeout (60 s), three
/// `initLimit` rounds of discovery and sync, and ten ticks of slack.
pub fn liveness_bound_ms(e: &Ensemble) -> u64 {
    60_000 + 3 * e.init_limit * e.tick_ms + 10 * e.tick_ms
}

fn pick<T: Clone>(r: &mut Pcg32, items: &[T]) -> T {
    items[r.below(items.len() as u32) as usize].clone()
}

fn range(r: &mut Pcg32, lo: u64, hi: u64) -> u64 {
    r.in_range(lo, hi.max(lo))
}

/// The PCG stream recipe workloads draw from (so the rest of a seed's
/// schedule is the same with or without them).
const RECIPE_STREAM: u64 = 0x0f22_10c5;

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
    let voters = pick(&mut r, &[3u32, 3, 3, 5, 5, 7]);
    let observers = pick(&mut r, &[0u32, 0, 0, 1, 1, 2]);
    let participants: Vec<u32> = (1..=voters).collect();
    let observer_sids: Vec<u32> = (voters + 1..=voters + observers).collect();
    let all: Vec<u32> = (1..=voters + observers).collect();
    let tick = pick(&mut r, &[100u64, 200, 200, 500, 1000, 2000]);
    let init_limit = range(&mut r, 5, 10);
    let sync_limit = range(&mut r, 2, 5);
    let lat_lo = range(&mut r, 1, 3);
    let lat_hi = lat_lo + range(&mut r, 0, (tick / 10).max(1));
    let fsync_hi = range(&mut r, 1, 10);
    let snap_count = match r.below(4) {
        0 => range(&mut r, 2, 60),
        1 => range(&mut r, 100, 1000),
        _ => 100_000,
    };
    let snapshot_size_factor_pct = pick(&mut r, &[33i64, 33, 33, -1, 100]);
    let initial_zxid_counter = if r.below(20) == 0 {
        u32::MAX - range(&mut r, 5, 80) as u32
    } else {
        0
    };
    let ensemble = Ensemble {
        participants: participants.clone(),
        observers: observer_sids,
        tick_ms: tick,
        init_limit,
        sync_limit,
        commit_log_count: 500,
        snap_count,
        variants: variants.to_vec(),
        snapshot_size_factor_pct,
        initial_zxid_counter,
    };
    let sync_ms = sync_limit * tick;
    let safety_ms = tick * range(&mut r, 20, 60) + 2_000;

    let mut actions = vec![Action {
        at_ms: 0,
        kind: ActionKind::Start {
            servers: all.clone(),
        },
    }];
    let mut clients: Vec<String> = Vec::new();
    let mut next_client = 1;
    let mut connect = |r: &mut Pcg32, at: u64, clients: &mut Vec<String>| {
        let name = format!("c{next_client}");
        next_client += 1;
        clients.push(name.clone());
        Action {
            at_ms: at,
            kind: ActionKind::Connect {
                client: name,
                server: ServerRef::Sid(pick(r, &all)),
                session_timeout_ms: Some(tick * range(r, 2, 20)),
            },
        }
    };
    let first_connect = range(&mut r, tick, 3 * tick).max(500);
    for _ in 0..range(&mut r, 1, 2) {
        let a = connect(&mut r, first_connect, &mut clients);
        actions.push(a);
    }
    let mut lockers: Vec<String> = Vec::new();
    if recipes {
        for k in 1..=range(&mut rr, 2, 3) {
            let name = format!("l{k}");
            actions.push(Action {
                at_ms: first_connect,
                kind: ActionKind::Connect {
                    client: name.clone(),
                    server: ServerRef::Sid(pick(&mut rr, &all)),
                    session_timeout_ms: Some(tick * range(&mut rr, 3, 20)),
                },
            });
            let start = first_connect + range(&mut rr, tick / 2, 2 * tick);
            actions.push(Action {
                at_ms: start,
                kind: ActionKind::Recipe {
                    client: name.clone(),
                    recipe: crate::scenario::RecipeKind::Lock,
                    path: "/lock".to_string(),
                    hold_ms: Some(range(&mut rr, tick / 2, 4 * tick)),
                    size: None,
                    repeat: true,
                },
            });
            actions.push(Action {
                at_ms: start,
                kind: ActionKind::Recipe {
                    client: name.clone(),
                    recipe: crate::scenario::RecipeKind::Group,
                    path: "/group".to_string(),
                    hold_ms: None,
                    size: None,
                    repeat: false,
                },
            });
            lockers.push(name);
        }
    }
    let faults = range(&mut r, 4, 24);
    let mut times: Vec<u64> = (0..faults)
        .map(|_| range(&mut r, first_connect + 1, safety_ms))
        .collect();
    times.sort_unstable();
    let mut slowed_links: Vec<(u32, u32)> = Vec::new();
    let mut slowed_disks: Vec<u32> = Vec::new();
    for t in times {
        let two = |r: &mut Pcg32| {
            let a = pick(r, &all);
            let mut b = pick(r, &all);
            while b == a {
                b = pick(r, &all);
            }
            (a, b)
        };
        let kind = match r.below(100) {
            0..=11 => ActionKind::Crash {
                server: ServerRef::Sid(pick(&mut r, &all)),
            },
            12..=17 => ActionKind::Crash {
                server: ServerRef::Leader,
            },
            18..=29 => ActionKind::Restart {
                server: ServerRef::Sid(pick(&mut r, &all)),
            },
            30..=35 => ActionKind::Pause {
                server: ServerRef::Sid(pick(&mut r, &all)),
                for_ms: range(&mut r, tick / 2, 2 * sync_ms),
            },
            36..=43 => {
                let mut shuffled = all.clone();
                for i in (1..shuffled.len()).rev() {
                    let j = r.below(i as u32 + 1) as usize;
                    shuffled.swap(i, j);
                }
                let k = range(&mut r, 1, shuffled.len() as u64 - 1) as usize;
                let rest = shuffled.split_off(k);
                // With recipes, half the partitions also cut the lock
                // clients off from one side (the fencing hazard).
                let mut sides: Vec<Vec<String>> = Vec::new();
                if !lockers.is_empty() && rr.below(2) == 0 {
                    sides = vec![Vec::new(), Vec::new()];
                    for l in &lockers {
                        sides[rr.below(2) as usize].push(l.clone());
                    }
                }
                ActionKind::Partition {
                    groups: vec![shuffled, rest],
                    clients: sides,
                }
            }
            44..=48 => {
                let (from, to) = two(&mut r);
                ActionKind::Cut { from, to }
            }
            49..=56 => ActionKind::Heal,
            57..=60 => {
                let (from, to) = two(&mut r);
                slowed_links.push((from, to));
                ActionKind::SlowLink {
                    from,
                    to,
                    latency_ms: range(&mut r, tick / 4, sync_ms + sync_ms / 2),
                }
            }
            61..=63 => {
                let s = pick(&mut r, &all);
                slowed_disks.push(s);
                ActionKind::SlowDisk {
                    server: ServerRef::Sid(s),
                    fsync_ms: range(&mut r, tick / 4, 2 * tick),
                }
            }
            64..=68 => {
                let (from, to) = two(&mut r);
                ActionKind::Drop { from, to }
            }
            69..=70 => {
                // Whole-ensemble crash: everyone down, everyone back.
                let back = t + range(&mut r, tick, 5 * tick);
                for &s in &all {
                    actions.push(Action {
                        at_ms: t,
                        kind: ActionKind::Crash {
                            server: ServerRef::Sid(s),
                        },
                    });
                    actions.push(Action {
                        at_ms: back.min(safety_ms),
                        kind: ActionKind::Restart {
                            server: ServerRef::Sid(s),
                        },
                    });
                }
                continue;
            }
            80..=84 => {
                let client = pick(&mut r, &clients);
                let path = match r.below(3) {
                    0 => "/".to_string(),
                    _ => format!("/{}-{}", pick(&mut r, &clients), range(&mut r, 1, 20)),
                };
                ActionKind::Read {
                    client,
                    path,
                    op: Some(pick(&mut r, &["get", "exists", "children"]).to_string()),
                    count: range(&mut r, 1, 5),
                    watch: false,
                }
            }
            71..=79 => ActionKind::Write {
                client: Some(pick(&mut r, &clients)),
                count: range(&mut r, 1, 40),
                op: None,
                path: None,
                data: None,
                version: None,
            },
            85..=89 => ActionKind::Load {
                client: pick(&mut r, &clients),
                rate_per_s: range(&mut r, 20, 300),
                for_ms: range(&mut r, tick, 10 * tick).min(8_000),
                reads_per_s: 0,
            },
            90..=93 => ActionKind::Close {
                client: pick(&mut r, &clients),
            },
            _ => {
                let a = connect(&mut r, t, &mut clients);
                actions.push(a);
                continue;
            }
        };
        actions.push(Action { at_ms: t, kind });
    }

    // Liveness phase: heal everything and restart all but a minority.
    let heal_at = safety_ms + tick;
    let mut keep_down: Vec<u32> = Vec::new();
    if r.below(10) < 3 {
        let n = range(&mut r, 1, ((voters - 1) / 2) as u64) as usize;
        while keep_down.len() < n {
            let s = pick(&mut r, &participants);
            if !keep_down.contains(&s) {
                keep_down.push(s);
            }
        }
        keep_down.sort_unstable();
    }
    let at = |kind| Action {
        at_ms: heal_at,
        kind,
    };
    actions.push(at(ActionKind::Heal));
    slowed_links.sort_unstable();
    slowed_links.dedup();
    for (from, to) in slowed_links {
        actions.push(at(ActionKind::SlowLink {
            from,
            to,
            latency_ms: 0,
        }));
    }
    slowed_disks.sort_unstable();
    slowed_disks.dedup();
    for s in slowed_disks {
        actions.push(at(ActionKind::SlowDisk {
            server: ServerRef::Sid(s),
            fsync_ms: 0,
        }));
    }
    for &s in &all {
        actions.push(at(if keep_down.contains(&s) {
            ActionKind::Crash {
                server: ServerRef::Sid(s),
            }
        } else {
            ActionKind::Restart {
                server: ServerRef::Sid(s),
            }
        }));
    }
    let bound = liveness_bound_ms(&ensemble);
    for what in [Expectation::Leader, Expectation::AllSynced] {
        actions.push(at(ActionKind::Expect {
            what,
            within_ms: bound,
            client: None,
        }));
    }
    if recipes {
        // Clients may need a session timeout and a reconnect round on top.
        actions.push(at(ActionKind::Expect {
            what: Expectation::GroupConverged,
            within_ms: bound + 40 * tick,
            client: None,
        }));
    }
    let live_at = heal_at + bound;
    let up: Vec<u32> = all
        .iter()
        .copied()
        .filter(|s| !keep_down.contains(s))
        .collect();
    actions.push(Action {
        at_ms: live_at,
        kind: ActionKind::Connect {
            client: "live".to_string(),
            server: ServerRef::Sid(pick(&mut r, &up)),
            session_timeout_ms: Some(20 * tick),
        },
    });
    let write_at = live_at + tick;
    let within = 10 * tick + 2_000;
    actions.push(Action {
        at_ms: write_at,
        kind: ActionKind::Write {
            client: Some("live".to_string()),
            count: 3,
            op: None,
            path: None,
            data: None,
            version: None,
        },
    });
    actions.push(Action {
        at_ms: write_at,
        kind: ActionKind::Expect {
            what: Expectation::WritesCommit,
            within_ms: within,
            client: Some("live".to_string()),
        },
    });
    actions.sort_by_key(|a| a.at_ms);
    Scenario {
        zablab: SCENARIO_VERSION,
        name: format!("fuzz seed {seed}"),
        seed,
        ensemble,
        network: Network {
            latency_ms: [lat_lo, lat_hi],
            fsync_ms: [1, fsync_hi],
        },
        until_ms: if recipes {
            (write_at + within + tick).max(heal_at + bound + 40 * tick + tick)
        } else {
            write_at + within + tick
        },
        actions,
        museum: None,
    }
}

/// What the runs of a fuzz campaign exercised (summed over seeds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub seeds: u64,
    pub events: u64,
    /// Leaders established.
    pub elections: u64,
    pub max_epoch: u32,
    pub diff: u64,
    pub trunc: u64,
    pub snap: u64,
    /// Leaders that shut down (lost their quorum, rollover, ...).
    pub step_downs: u64,
    pub session_expiries: u64,
    pub rollovers: u64,
    /// Runs with recipe clients, their lock acquisitions, and the lock
    /// holders whose session expired under them (the fencing hazard).
    pub recipe_runs: u64,
    pub lock_acquisitions: u64,
    pub lock_hazards: u64,
}

impl Coverage {
    /// Adds one finished run.
    pub fn add(&mut self, sim: &Simulation) {
        self.seeds += 1;
        self.events += sim.events();
        self.elections += sim.leaders().len() as u64;
        if let Some(e) = sim.leaders().iter().map(|l| l.epoch).max() {
            self.max_epoch = self.max_epoch.max(e);
        }
        for s in sim.syncs() {
            match s.mode {
                crate::proto::SyncMode::Diff => self.diff += 1,
                crate::proto::SyncMode::Trunc => self.trunc += 1,
                crate::proto::SyncMode::Snap => self.snap += 1,
                crate::proto::SyncMode::None => {}
            }
        }
        for entry in sim.log() {
            if entry.text.starts_with("Shutdown called. For the reason") {
                self.step_downs += 1;
                if entry.text.contains("zxid lower 32 bits have rolled over") {
                    self.rollovers += 1;
                }
            } else if entry.text.starts_with("Expiring session") {
                self.session_expiries += 1;
            }
        }
        let views = sim.recipe_views();
        if !views.is_empty() {
            self.recipe_runs += 1;
            self.lock_acquisitions += views.iter().map(|v| v.times_acquired).sum::<u64>();
            self.lock_hazards += sim
                .hazards()
                .iter()
                .filter(|h| h.kind == "LockHolderExpired")
                .count() as u64;
        }
    }

    /// Adds another campaign's counters (parallel runs).
    pub fn merge(&mut self, o: &Coverage) {
        self.seeds += o.seeds;
        self.events += o.events;
        self.elections += o.elections;
        self.max_epoch = self.max_epoch.max(o.max_epoch);
        self.diff += o.diff;
        self.trunc += o.trunc;
        self.snap += o.snap;
        self.step_downs += o.step_downs;
        self.session_expiries += o.session_expiries;
        self.rollovers += o.rollovers;
        self.recipe_runs += o.recipe_runs;
        self.lock_acquisitions += o.lock_acquisitions;
        self.lock_hazards += o.lock_hazards;
    }

    /// `name: value` lines, and a line for each mode that never occurred.
    pub fn lines(&self) -> Vec<String> {
        let mut counters: Vec<(&str, u64)> = vec![
            ("elections", self.elections),
            ("max_epoch", self.max_epoch as u64),
            ("sync_diff", self.diff),
            ("sync_trunc", self.trunc),
            ("sync_snap", self.snap),
            ("leader_step_downs", self.step_downs),
            ("session_expiries", self.session_expiries),
            ("rollovers", self.rollovers),
            ("events", self.events),
        ];
        if self.recipe_runs > 0 {
            counters.push(("lock_acquisitions", self.lock_acquisitions));
            counters.push(("lock_holder_expired_hazards", self.lock_hazards));
        }
        let mut out: Vec<String> = counters
            .iter()
            .map(|(k, v)| format!("coverage: {k}: {v}"))
            .collect();
        for (k, v) in counters {
            if v == 0 {
                out.push(format!("coverage: {k} never occurred in this run"));
            }
        }
        out
    }
}

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
pub const FINDINGS: &[Finding] = &[Finding {
    fix: "fix_discard_log_on_snap",
    file: "static/scenarios/findings/stale-log-after-snap.json",
    what: "a SNAP leaves an abandoned epoch's txns in the learner's txn log; as leader it later serves them to a learner by the txn-log sync path",
}];

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

/// Whether `scenario` still fails with `property`.
fn fails_with(scenario: &Scenario, property: &str) -> bool {
    match Simulation::new(scenario.clone()) {
        Ok(mut sim) => {
            sim.run_to_end();
            sim.violations().iter().any(|v| v.property == property)
        }
        Err(_) => false,
    }
}

/// The scenario without server `sid`: out of the ensemble, out of every
/// action (an action that only concerned it is dropped).
fn without_server(s: &Scenario, sid: u32) -> Option<Scenario> {
    let mut out = s.clone();
    let e = &mut out.ensemble;
    e.participants.retain(|&x| x != sid);
    e.observers.retain(|&x| x != sid);
    if e.participants.is_empty() {
        return None;
    }
    let all: Vec<u32> = out.sids().collect();
    let first = all[0];
    out.actions = s
        .actions
        .iter()
        .filter_map(|a| {
            let kind = match &a.kind {
                ActionKind::Start { servers } => ActionKind::Start {
                    servers: servers.iter().copied().filter(|&x| x != sid).collect(),
                },
                ActionKind::Partition { groups, clients } => {
                    let groups: Vec<Vec<u32>> = groups
                        .iter()
                        .map(|g| g.iter().copied().filter(|&x| x != sid).collect())
                        .filter(|g: &Vec<u32>| !g.is_empty())
                        .collect();
                    if groups.len() < 2 || !clients.is_empty() {
                        return None;
                    }
                    ActionKind::Partition {
                        groups,
                        clients: Vec::new(),
                    }
                }
                ActionKind::SlowLink { from, to, .. }
                | ActionKind::Cut { from, to }
                | ActionKind::Drop { from, to }
                    if *from == sid || *to == sid =>
                {
                    return None
                }
                ActionKind::Crash { server }
                | ActionKind::Restart { server }
                | ActionKind::Pause { server, .. }
                | ActionKind::SlowDisk { server, .. }
                | ActionKind::FourLetterWord { server, .. }
                    if *server == ServerRef::Sid(sid) =>
                {
                    return None
                }
                ActionKind::Connect {
                    client,
                    server,
                    session_timeout_ms,
                } if *server == ServerRef::Sid(sid) => ActionKind::Connect {
                    client: client.clone(),
                    server: ServerRef::Sid(first),
                    session_timeout_ms: *session_timeout_ms,
                },
                other => other.clone(),
            };
            Some(Action {
                at_ms: a.at_ms,
                kind,
            })
        })
        .collect();
    Some(out)
}

/// Shrinks a failing scenario: fewest actions and servers that still fail
/// with `property`, then the earliest end. `budget` caps the runs tried.
///
/// A liveness failure keeps its liveness phase (everything from the first
/// `expect` on): without it the failure would only say that nothing was
/// restarted.
pub fn shrink(failing: &Scenario, property: &str, mut budget: u32) -> Scenario {
    let mut best = failing.clone();
    let keep_from_ms = if property.starts_with("Liveness") {
        failing
            .actions
            .iter()
            .find(|a| matches!(a.kind, ActionKind::Expect { .. }))
            .map_or(u64::MAX, |a| a.at_ms)
    } else {
        u64::MAX
    };
    let try_it = |candidate: Scenario, best: &mut Scenario, budget: &mut u32| -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        if fails_with(&candidate, property) {
            *best = candidate;
            true
        } else {
            false
        }
    };
    loop {
        let before = (best.actions.len(), best.sids().count());
        // Actions: remove chunks, halving the chunk size (ddmin-like).
        let mut chunk = (best.actions.len() / 2).max(1);
        loop {
            let mut i = 0;
            while i < best.actions.len() {
                let mut candidate = best.clone();
                let end = (i + chunk).min(candidate.actions.len());
                if candidate.actions[i..end]
                    .iter()
                    .any(|a| a.at_ms >= keep_from_ms)
                {
                    i += chunk;
                    continue;
                }
                candidate.actions.drain(i..end);
                if !try_it(candidate, &mut best, &mut budget) {
                    i += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
        // Servers: observers first, then voters, highest sid first.
        // A liveness failure keeps its voters: the healed phase relies on
        // a quorum of them being up.
        let mut sids: Vec<u32> = best.ensemble.observers.clone();
        if keep_from_ms == u64::MAX {
            let mut voters = best.ensemble.participants.clone();
            voters.reverse();
            sids.extend(voters);
        }
        for sid in sids {
            if let Some(candidate) = without_server(&best, sid) {
                try_it(candidate, &mut best, &mut budget);
            }
        }
        if (best.actions.len(), best.sids().count()) == before || budget == 0 {
            break;
        }
    }
    // The end: just after the failure.
    if let Ok(mut sim) = Simulation::new(best.clone()) {
        sim.run_to_end();
        if let Some(v) = sim.violations().iter().find(|v| v.property == property) {
            let mut candidate = best.clone();
            candidate.until_ms = v
                .at_ms
                .max(candidate.actions.iter().map(|a| a.at_ms).max().unwrap_or(0));
            candidate.actions.retain(|a| a.at_ms <= candidate.until_ms);
            try_it(candidate, &mut best, &mut budget);
        }
    }
    best.name = format!("{} (shrunk)", failing.name);
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_scenarios_are_valid_and_deterministic() {
        for seed in 0..200 {
            let s = generate(seed, &[]);
            let text = s.to_json();
            let back = Scenario::from_json(&text)
                .unwrap_or_else(|e| panic!("seed {seed}: generated scenario is invalid: {e}"));
            assert_eq!(back, s, "seed {seed}: JSON round trip");
            assert_eq!(generate(seed, &[]), s, "seed {seed}: not deterministic");
        }
    }

    #[test]
    fn seeds_differ_in_options() {
        let sizes: std::collections::BTreeSet<(usize, usize, u64)> = (0..100)
            .map(|seed| {
                let e = generate(seed, &[]).ensemble;
                (e.participants.len(), e.observers.len(), e.tick_ms)
            })
            .collect();
        assert!(sizes.len() > 10, "options barely vary: {sizes:?}");
        let voters: std::collections::BTreeSet<usize> = sizes.iter().map(|s| s.0).collect();
        assert_eq!(voters.into_iter().collect::<Vec<_>>(), vec![3, 5, 7]);
    }

    #[test]
    fn without_server_keeps_the_scenario_valid() {
        let s = generate(7, &[]);
        for sid in s.sids().collect::<Vec<_>>() {
            if let Some(t) = without_server(&s, sid) {
                Scenario::from_json(&t.to_json()).unwrap_or_else(|e| panic!("without {sid}: {e}"));
                assert!(!t.sids().any(|x| x == sid));
            }
        }
    }

    #[test]
    fn shrinking_keeps_the_failure_and_drops_what_does_not_matter() {
        // A liveness failure that only needs two crashes: leader expected
        // while two of three voters are down.
        let json = r#"{"zablab":1,"seed":1,"ensemble":{"participants":[1,2,3],"tick_ms":200},
            "until_ms":20000,"actions":[
            {"at_ms":0,"do":"start","servers":[1,2,3]},
            {"at_ms":1000,"do":"connect","client":"c","server":1},
            {"at_ms":1500,"do":"write","client":"c","count":5},
            {"at_ms":2000,"do":"slow_link","from":1,"to":2,"latency_ms":30},
            {"at_ms":3000,"do":"crash","server":1},
            {"at_ms":3100,"do":"crash","server":2},
            {"at_ms":3200,"do":"write","client":"c","count":2},
            {"at_ms":4000,"do":"expect","what":"leader","within_ms":10000}]}"#;
        let s = Scenario::from_json(json).unwrap();
        assert!(fails_with(&s, "LivenessLeaderEstablished"));
        let small = shrink(&s, "LivenessLeaderEstablished", 500);
        assert!(fails_with(&small, "LivenessLeaderEstablished"));
        assert!(
            small.actions.len() < s.actions.len(),
            "nothing was removed: {:#?}",
            small.actions
        );
        assert!(small.actions.iter().all(|a| !matches!(
            a.kind,
            ActionKind::Write { .. } | ActionKind::SlowLink { .. }
        )));
    }
}
