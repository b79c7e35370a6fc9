//! `zablab`: the command line of ZabLab. Thin: parses arguments, calls
//! `zablab-core`, prints. Exit codes: 0 fine, 1 a property was violated,
//! 2 bad input (one clear line on stderr, never a panic).

use std::process::ExitCode;

mod bench;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use zablab_core::fuzz::{self, Coverage, SeedRun};
use zablab_core::{Scenario, Simulation, KNOWN_VARIANTS};

const HELP: &str = "\
zablab: run ZooKeeper's atomic broadcast (ZAB) as a deterministic simulation

Usage:
  zablab run FILE.json [--json] [--log] [--diagnose]
                                  run a scenario (v1) to its until_ms
  zablab fuzz --seeds N [--from S] [--variant FLAG] [--recipes] [--out DIR] [--jobs J] [--shrink K]
                                  random fault schedules, checked after every event
  zablab fixture DIR              run every DIR/*.json scenario and write
                                  their hashes to DIR/hashes.json
  zablab bench [--quick]          measure speed: `name: value unit` lines
  zablab --help                   this text
  zablab --version                the version

run prints the run's summary; --json prints it as JSON (end_ms, events,
trace_hash, servers, leaders, syncs, writes, reads, fourlw, violations,
action_errors, and when present hazards, recipes, watches; always
diagnosis); --log also prints every server's log lines; --diagnose ends
with the diagnosis: what an operator would ask (why no leader, why writes
stall, why a SNAP, why a session expired, why reads are stale, ...)
answered with the evidence and the settings to look at.

fuzz runs seeds S..S+N (default S=1): each seed derives its options and a
fault schedule, then a healed liveness phase (a leader within a bound, every
running server synced, a fresh client's writes committed). Each failing
seed prints how to reproduce it; the first K (default 5) are shrunk to a
scenario file in DIR (default target/fuzz) that `zablab run` replays.
--variant switches a bug-museum flag on in every seed. --recipes adds lock
and group clients (checked for lock mutual exclusion after every event and
group convergence after the heal; lock holders whose session expired are
counted as hazards). J threads (default: the machine's cores). The last line is
`fuzz: N seeds, V violations, L liveness failures, R seeds/s`.

bench runs static/scenarios/bench/bench-1h.json (one hour, five servers,
200 writes/s, a fault every five minutes) and prints its time, events/s,
a bare heap loop of as many events and the ratio, fuzz seeds/s on one
core, the app's seek p50/p95/max (its checkpoint policy) and the time to
clone a checkpoint. --quick: the same on the first 60 s (smoke test).

Exit codes: 0 no property violated, 1 a property violated, 2 bad input.
";

/// A failure to report on stderr with exit code 2.
struct Usage(String);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(Usage(message)) => {
            eprintln!("zablab: {message}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(args: &[String]) -> Result<ExitCode, Usage> {
    match args.first().map(String::as_str) {
        None => Err(Usage("no command given; try `zablab --help`".to_string())),
        Some("-h" | "--help" | "help") => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        Some("-V" | "--version") => {
            println!("zablab {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Some("run") => run(&args[1..]),
        Some("fuzz") => fuzz_cmd(&args[1..]),
        Some("fixture") => fixture(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some(other) => Err(Usage(format!(
            "unknown command `{other}`; try `zablab --help`"
        ))),
    }
}

/// `zablab fixture DIR`: the reference-hash fixture (README, "Reference
/// hashes"); `zablab_core::reference` does the work.
fn fixture(args: &[String]) -> Result<ExitCode, Usage> {
    use zablab_core::reference::{self, FIXTURE_FILE};
    let [dir] = args else {
        return Err(Usage("fixture: usage: zablab fixture DIR".into()));
    };
    let dir = std::path::Path::new(dir);
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Usage(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Usage(format!("cannot read directory `{}`: {e}", dir.display())))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".json") && name != FIXTURE_FILE {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Usage(format!("cannot read scenario `{}`: {e}", path.display())))?;
            files.push((name.to_string(), text));
        }
    }
    let fixture = reference::fixture(&files).map_err(Usage)?;
    let out = dir.join(FIXTURE_FILE);
    std::fs::write(&out, fixture.to_json())
        .map_err(|e| Usage(format!("cannot write `{}`: {e}", out.display())))?;
    for e in &fixture.scenarios {
        println!("{:<40} {} {:>8} events", e.file, e.trace_hash, e.events);
    }
    println!(
        "wrote {} scenarios to {}",
        fixture.scenarios.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run(args: &[String]) -> Result<ExitCode, Usage> {
    let mut file = None;
    let mut json = false;
    let mut log = false;
    let mut diagnose = false;
    for arg in args {
        match arg.as_str() {
            "--json" => json = true,
            "--log" => log = true,
            "--diagnose" => diagnose = true,
            flag if flag.starts_with('-') => {
                return Err(Usage(format!("run: unknown option `{flag}`")))
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Usage(format!("run: unexpected argument `{extra}`"))),
        }
    }
    let Some(path) = file else {
        return Err(Usage(
            "run: missing scenario file; usage: zablab run FILE.json [--json] [--log] [--diagnose]"
                .into(),
        ));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("cannot read scenario `{path}`: {e}")))?;
    let scenario = Scenario::from_json(&text).map_err(|e| Usage(format!("{path}: {e}")))?;
    let mut sim = Simulation::new(scenario).map_err(|e| Usage(format!("{path}: {e}")))?;
    sim.run_to_end();
    let summary = sim.summary();
    if log {
        for line in sim.log() {
            eprintln!("{}", line.render());
        }
    }
    let diagnosis = sim.diagnose();
    if json {
        let mut value = serde_json::to_value(&summary).expect("the summary always serializes");
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "diagnosis".to_string(),
                serde_json::to_value(&diagnosis).expect("a diagnosis always serializes"),
            );
        }
        let out = serde_json::to_string_pretty(&value).expect("a JSON value always prints");
        println!("{out}");
    } else {
        println!(
            "ran to {} ms: {} events, trace {}",
            summary.end_ms, summary.events, summary.trace_hash
        );
        for s in &summary.servers {
            println!(
                "  server {} ({:?}): {} {} accepted_epoch={} current_epoch={} last_zxid={}{}",
                s.sid,
                s.role,
                s.state,
                s.peer_state,
                s.accepted_epoch,
                s.current_epoch,
                s.last_zxid,
                if s.serving { " serving" } else { "" }
            );
        }
        for l in &summary.leaders {
            println!(
                "  leader {} established epoch {} at {} ms",
                l.sid, l.epoch, l.established_ms
            );
        }
        for y in &summary.syncs {
            println!(
                "  sync {:?}: learner {} from leader {} at {} ms",
                y.mode, y.learner, y.leader, y.at_ms
            );
        }
        let ok = summary.writes.iter().filter(|w| w.result == "OK").count();
        println!("  writes: {} answered, {} OK", summary.writes.len(), ok);
        for f in &summary.fourlw {
            println!(
                "  {} on server {} at {} ms:\n{}",
                f.cmd, f.server, f.at_ms, f.output
            );
        }
        for e in &summary.action_errors {
            println!("  at {} ms, {} failed: {}", e.at_ms, e.action, e.error);
        }
        for v in &summary.violations {
            println!(
                "  VIOLATION {} at {} ms (event {}): {}",
                v.property, v.at_ms, v.event, v.detail
            );
        }
        if diagnose {
            print!("{}", diagnosis.render());
        }
    }
    if summary.violations.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

struct FuzzArgs {
    seeds: u64,
    from: u64,
    variants: Vec<String>,
    out: PathBuf,
    jobs: usize,
    shrink: usize,
    recipes: bool,
}

fn parse_fuzz(args: &[String]) -> Result<FuzzArgs, Usage> {
    let mut a = FuzzArgs {
        seeds: 100,
        from: 1,
        variants: Vec::new(),
        out: PathBuf::from("target/fuzz"),
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        shrink: 5,
        recipes: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Usage(format!("fuzz: {flag} needs {what}")))
        };
        let number = |v: String, flag: &str| {
            v.parse::<u64>()
                .map_err(|_| Usage(format!("fuzz: {flag} needs a whole number, got `{v}`")))
        };
        match flag.as_str() {
            "--seeds" => a.seeds = number(value("a count")?, flag)?,
            "--from" => a.from = number(value("a seed")?, flag)?,
            "--jobs" => a.jobs = number(value("a thread count")?, flag)?.max(1) as usize,
            "--shrink" => a.shrink = number(value("a count")?, flag)? as usize,
            "--recipes" => a.recipes = true,
            "--out" => a.out = PathBuf::from(value("a directory")?),
            "--variant" => {
                let v = value("a bug-museum flag")?;
                if !KNOWN_VARIANTS.contains(&v.as_str()) {
                    return Err(Usage(format!(
                        "fuzz: `{v}` is not a bug-museum flag this build knows (known: {})",
                        KNOWN_VARIANTS.join(", ")
                    )));
                }
                a.variants.push(v);
            }
            other => return Err(Usage(format!("fuzz: unknown option `{other}`"))),
        }
    }
    if a.seeds == 0 {
        return Err(Usage("fuzz: --seeds must be at least 1".into()));
    }
    Ok(a)
}

fn fuzz_cmd(args: &[String]) -> Result<ExitCode, Usage> {
    let a = parse_fuzz(args)?;
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let failures: Mutex<Vec<SeedRun>> = Mutex::new(Vec::new());
    let coverage: Mutex<Coverage> = Mutex::new(Coverage::default());
    std::thread::scope(|scope| {
        for _ in 0..a.jobs.min(a.seeds as usize) {
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
    let elapsed = started.elapsed().as_secs_f64();
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.seed);
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
    for (i, f) in failures.iter().enumerate() {
        let first = &f.violations[0];
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
        }
        if i < a.shrink {
            shrink_and_write(f, &first.property, &a.out);
        }
    }
    if let Some(f) = failures.first() {
        println!(
            "fuzz: first failure at seed {} ({} seeds into the run)",
            f.seed,
            f.seed - a.from + 1
        );
    }
    for line in coverage.into_inner().unwrap().lines() {
        println!("{line}");
    }
    for finding in fuzz::FINDINGS {
        let seeds: Vec<u64> = explained
            .iter()
            .filter(|(_, f)| f.fix == finding.fix)
            .map(|(s, _)| *s)
            .collect();
        if !seeds.is_empty() {
            println!(
                "fuzz: {} of {} failing seeds are the known finding {} (clean with --variant {}): {seeds:?}",
                seeds.len(),
                failures.len(),
                finding.file,
                finding.fix
            );
        }
    }
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

/// Shrinks one failing seed, writes the scenario and checks it replays.
fn shrink_and_write(f: &SeedRun, property: &str, out: &PathBuf) {
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
