//! `zablab`: the command line of ZabLab. Thin: parses arguments, calls
//! `zablab-core`, prints. Exit codes: 0 fine, 1 a property was violated,
//! 2 bad input (one clear line on stderr, never a panic).

use std::process::ExitCode;

use zablab_core::{Scenario, Simulation};

const HELP: &str = "\
zablab: run ZooKeeper's atomic broadcast (ZAB) as a deterministic simulation

Usage:
  zablab run FILE.json [--json]   run a scenario (v1) to its until_ms
  zablab --help                   this text
  zablab --version                the version

run prints the run's summary; --json prints it as JSON (end_ms, events,
trace_hash, servers, action_errors).

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
        Some(other) => Err(Usage(format!(
            "unknown command `{other}`; try `zablab --help`"
        ))),
    }
}

fn run(args: &[String]) -> Result<ExitCode, Usage> {
    let mut file = None;
    let mut json = false;
    for arg in args {
        match arg.as_str() {
            "--json" => json = true,
            flag if flag.starts_with('-') => {
                return Err(Usage(format!("run: unknown option `{flag}`")))
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Usage(format!("run: unexpected argument `{extra}`"))),
        }
    }
    let Some(path) = file else {
        return Err(Usage(
            "run: missing scenario file; usage: zablab run FILE.json [--json]".into(),
        ));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("cannot read scenario `{path}`: {e}")))?;
    let scenario = Scenario::from_json(&text).map_err(|e| Usage(format!("{path}: {e}")))?;
    let mut sim = Simulation::new(scenario).map_err(|e| Usage(format!("{path}: {e}")))?;
    sim.run_to_end();
    let summary = sim.summary();
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
                "  server {} ({:?}): {}",
                s.sid,
                s.role,
                if s.up { "up" } else { "down" }
            );
        }
        for e in &summary.action_errors {
            println!("  at {} ms, {} failed: {}", e.at_ms, e.action, e.error);
        }
    }
    Ok(ExitCode::SUCCESS)
}
