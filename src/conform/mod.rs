//! `zablab conform FILE.json [...]`: each scenario on a real ZooKeeper
//! 3.8.0 ensemble and in the simulator, side by side.
//!
//! The call order (`main.rs` → [`conform`]):
//! 1. [`check_host`](ensemble::check_host) and every file parsed: bad
//!    input or a machine that cannot run it exits 2 with one line.
//! 2. The stop flag for SIGINT/SIGTERM/SIGHUP (`procs.rs`), then a private
//!    network namespace for the whole tool (`netns.rs`), while it still
//!    has one thread.
//! 3. Leftovers of earlier runs under the output directory ended (only
//!    PIDs whose command line names their run's directory).
//! 4. Per file: the simulator's run (`simrun.rs`, also what the real side
//!    waits for), the real run (`real.rs`), the comparison
//!    (`compare.rs`), the table on stdout and `report.md`/`report.json`
//!    beside the servers' logs (`render.rs`).
//!
//! With `--reruns N`, a scenario that diverges is played again (a new run
//! directory each time), up to N more times: it agrees when a later play
//! agrees, and the first play's divergences are still printed
//! (`conform: agreed on a rerun after diverging: …`): a real ensemble's
//! timing is its own, and CI must not go red on one unlucky schedule, nor
//! hide one that keeps coming back.
//!
//! Exit codes: 0 every scenario agrees, 1 a divergence (each named), 2 bad
//! input, a machine that cannot run a real ensemble, or a run interrupted.
//!
//! Files: `netns.rs` (namespace, firewall), `procs.rs` (processes and
//! their end), `ensemble.rs` (zoo.cfg, JVM), `tail.rs` (server states from
//! the logs), `zkwire.rs` + `zkclient.rs` + `tree.rs` (the wire client),
//! `real.rs` (the real run), `simrun.rs` (the simulator's run), `facts.rs`
//! (the shared vocabulary, log parsing), `mask.rs` + `compare.rs` (the
//! comparison), `render.rs` (the reports).

mod compare;
mod ensemble;
mod facts;
mod mask;
mod netns;
mod procs;
mod real;
mod render;
mod simrun;
mod tail;
mod tree;
mod zkclient;
mod zkwire;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use zablab_core::Scenario;

use crate::cli::ConformArgs;
use crate::Usage;

/// Runs every file; see the module's contract.
pub fn conform(a: &ConformArgs) -> Result<ExitCode, Usage> {
    ensemble::check_host().map_err(Usage)?;
    let mut scenarios = Vec::new();
    for f in &a.files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Usage(format!("cannot read scenario `{}`: {e}", f.display())))?;
        let s = Scenario::from_json(&text).map_err(|e| Usage(format!("{}: {e}", f.display())))?;
        scenarios.push((f.clone(), s, text));
    }
    procs::install_signal_flag();
    netns::enter_private_netns().map_err(Usage)?;
    let netem = netns::netem_available();
    std::fs::create_dir_all(&a.out)
        .map_err(|e| Usage(format!("cannot create {}: {e}", a.out.display())))?;
    let root = a
        .out
        .canonicalize()
        .map_err(|e| Usage(format!("{}: {e}", a.out.display())))?;
    for line in procs::end_leftovers(&root) {
        eprintln!("zablab conform: {line}");
    }
    let mut diverged = Vec::new();
    let mut flaky = Vec::new();
    for (file, s, text) in &scenarios {
        let mut first: Option<String> = None;
        for attempt in 0..=a.reruns {
            let found = play(&root, file, s, text, netem)?;
            let named = found.map(|(d, dir)| name(file, &d, &dir));
            match (named, attempt == a.reruns) {
                (None, _) => {
                    if let Some(f) = first.take() {
                        flaky.push(f);
                    }
                    break;
                }
                (Some(n), true) => diverged.push(n),
                (Some(n), false) => {
                    println!("conform: diverged, playing it again: {n}");
                    first.get_or_insert(n);
                }
            }
        }
    }
    for f in &flaky {
        println!("conform: agreed on a rerun after diverging: {f}");
    }
    for d in &diverged {
        println!("conform: diverges: {d}");
    }
    println!(
        "conform: {} scenarios, {} agree, {} diverge",
        scenarios.len(),
        scenarios.len() - diverged.len(),
        diverged.len()
    );
    if diverged.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

/// One play of a scenario in a run directory of its own: its divergences
/// (none: `None`) and that directory.
fn play(
    root: &Path,
    file: &Path,
    s: &Scenario,
    text: &str,
    netem: bool,
) -> Result<Option<(Vec<String>, PathBuf)>, Usage> {
    let dir = run_dir(root, file);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Usage(format!("cannot create {}: {e}", dir.display())))?;
    let _ = std::fs::write(dir.join("scenario.json"), text);
    match one(file, s, &dir, netem) {
        Ok(d) if d.is_empty() => Ok(None),
        Ok(d) => Ok(Some((d, dir))),
        Err(e) if procs::stop_requested() => Err(Usage(format!("{}: {e}", file.display()))),
        Err(e) => Err(Usage(format!("{}: cannot run: {e}", file.display()))),
    }
}

/// `FILE: N divergence(s): first; second (report: DIR/report.md)`: the
/// divergences named on the line a CI log's tail keeps (the first
/// [`NAMED`]; the report has every one).
fn name(file: &Path, divergences: &[String], dir: &Path) -> String {
    let mut named = divergences
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if divergences.len() > NAMED {
        named.push_str(&format!("; and {} more", divergences.len() - NAMED));
    }
    format!(
        "{}: {} divergence(s): {named} (report: {})",
        file.display(),
        divergences.len(),
        dir.join("report.md").display()
    )
}

/// How many divergences a summary line names.
const NAMED: usize = 4;

/// `root/<UTC time>-<file stem>`.
fn run_dir(root: &Path, file: &Path) -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = file
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    root.join(format!("{secs}-{stem}"))
}

/// One scenario: both runs, the comparison, the reports. Its divergences.
fn one(file: &Path, s: &Scenario, dir: &Path, netem: bool) -> Result<Vec<String>, String> {
    let sim = simrun::run(s)?;
    let real = real::run(s, dir, &sim.ready, &sim.attach)?;
    let cmp = compare::compare(s, &real, &sim);
    let report = render::Report::new(
        file.display().to_string(),
        s.name.clone(),
        dir.display().to_string(),
        ensemble::mapping(s),
        netem,
        &real,
        &sim,
        &cmp,
    );
    print!("{}", render::terminal(&report));
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("report.md"), render::markdown(&report)).map_err(|e| e.to_string())?;
    Ok(cmp.divergences)
}
