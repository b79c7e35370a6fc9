//! `zablab`: the command line of ZabLab. Thin: parses arguments, calls
//! `zablab-core`, prints. Exit codes: 0 fine, 1 a property was violated,
//! 2 bad input (one clear line on stderr, never a panic).

use std::process::ExitCode;

use zablab_core::{Scenario, Simulation};

const HELP: &str = "\
zablab: run ZooKeeper's atomic broadcast (ZAB) as a deterministic simulation

Usage:
  zablab run FILE.json [--json] [--log]
                                  run a scenario (v1) to its until_ms
  zablab fixture DIR              run every DIR/*.json scenario and write
                                  their hashes to DIR/hashes.json
  zablab --help                   this text
  zablab --version                the version

run prints the run's summary; --json prints it as JSON (end_ms, events,
trace_hash, servers, leaders, syncs, writes, fourlw, violations,
action_errors); --log also prints every server's log lines.

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
        Some("fixture") => fixture(&args[1..]),
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
    for arg in args {
        match arg.as_str() {
            "--json" => json = true,
            "--log" => log = true,
            flag if flag.starts_with('-') => {
                return Err(Usage(format!("run: unknown option `{flag}`")))
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Usage(format!("run: unexpected argument `{extra}`"))),
        }
    }
    let Some(path) = file else {
        return Err(Usage(
            "run: missing scenario file; usage: zablab run FILE.json [--json] [--log]".into(),
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
    if json {
        let out = serde_json::to_string_pretty(&summary).expect("the summary always serializes");
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
    }
    if summary.violations.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}
