//! `zablab run FILE.json [--json] [--log] [--diagnose]`: reads a scenario
//! (bad input exits 2 with the parser's one-line message), runs it to its
//! `until_ms`, prints its summary (text, or the `--json` summary of
//! `docs/SCENARIO.md`), exits 1 if a property was violated.

use std::path::Path;
use std::process::ExitCode;

use zablab_core::diagnosis::Diagnosis;
use zablab_core::{RunSummary, Scenario, Simulation};

use crate::cli::RunArgs;
use crate::Usage;

pub fn run(a: &RunArgs) -> Result<ExitCode, Usage> {
    let mut sim = load(&a.file)?;
    if a.log {
        // Every line, not the newest the app keeps (`LOG_LINES_KEPT`).
        sim.keep_log_lines(usize::MAX);
    }
    sim.run_to_end();
    let summary = sim.summary();
    if a.log {
        for line in sim.log() {
            eprintln!("{}", line.render());
        }
    }
    let diagnosis = sim.diagnose();
    if a.json {
        print_json(&summary, &diagnosis);
    } else {
        print_text(&summary);
        if a.diagnose {
            print!("{}", diagnosis.render());
        }
    }
    if summary.violations.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

/// The scenario at `path`, checked and ready to run.
fn load(path: &Path) -> Result<Simulation, Usage> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("cannot read scenario `{}`: {e}", path.display())))?;
    let scenario =
        Scenario::from_json(&text).map_err(|e| Usage(format!("{}: {e}", path.display())))?;
    Simulation::new(scenario).map_err(|e| Usage(format!("{}: {e}", path.display())))
}

/// The summary with the diagnosis, as JSON.
fn print_json(summary: &RunSummary, diagnosis: &Diagnosis) {
    let mut value = serde_json::to_value(summary).expect("the summary always serializes");
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "diagnosis".to_string(),
            serde_json::to_value(diagnosis).expect("a diagnosis always serializes"),
        );
    }
    let out = serde_json::to_string_pretty(&value).expect("a JSON value always prints");
    println!("{out}");
}

/// The summary for a person.
fn print_text(summary: &RunSummary) {
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
}
