//! `zablab`: the command line of ZabLab. Thin: parses arguments (`cli.rs`,
//! on clap), calls `zablab-core`, prints. Exit codes: 0 fine, 1 a property
//! was violated, 2 bad input (one clear line on stderr, never a panic).
//!
//! One file per command: `run.rs`, `fuzz.rs`, `fixture.rs`, `bench.rs`,
//! `import.rs`, `conform/` (Linux only: a real ensemble beside the simulator).

use std::process::ExitCode;

mod bench;
mod bench_import;
mod cli;
#[cfg(target_os = "linux")]
mod conform;
mod fixture;
mod fuzz;
mod import;
mod run;

use cli::{Command, Parsed};

/// A failure to report on stderr with exit code 2.
struct Usage(String);

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::parse(&args) {
        Parsed::Run(cli) => cli,
        Parsed::Print { text, code } => {
            print!("{text}");
            return ExitCode::from(code);
        }
        Parsed::Usage(message) => return usage(message),
    };
    let result = match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Fuzz(a) => fuzz::fuzz(&a),
        Command::Fixture(a) => fixture::fixture(&a.dir),
        Command::Bench(a) => bench::bench(
            a.quick,
            a.only.as_deref(),
            a.memory,
            a.hours,
            a.bare,
            bench::Autopurge {
                interval_h: a.purge_interval,
                retain: a.snap_retain_count,
            },
        ),
        Command::Conform(a) => conform_command(&a),
        Command::Import(a) => import::import(&a),
    };
    match result {
        Ok(code) => code,
        Err(Usage(message)) => usage(message),
    }
}

#[cfg(target_os = "linux")]
fn conform_command(a: &cli::ConformArgs) -> Result<ExitCode, Usage> {
    conform::conform(a)
}

#[cfg(not(target_os = "linux"))]
fn conform_command(_: &cli::ConformArgs) -> Result<ExitCode, Usage> {
    Err(Usage(
        "conform runs a real ensemble: Linux only".to_string(),
    ))
}

fn usage(message: String) -> ExitCode {
    eprintln!("zablab: {message}");
    ExitCode::from(2)
}
