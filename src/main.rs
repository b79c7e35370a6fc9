//! `zablab`: the command line of ZabLab. Thin: parses arguments (`cli.rs`,
//! on clap), calls `zablab-core`, prints. Exit codes: 0 fine, 1 a property
//! was violated, 2 bad input (one clear line on stderr, never a panic).
//!
//! One file per command: `run.rs`, `fuzz.rs`, `fixture.rs`, `bench.rs`.

use std::process::ExitCode;

mod bench;
mod cli;
mod fixture;
mod fuzz;
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
        Command::Bench(a) => bench::bench(a.quick, a.memory, a.hours, a.bare),
    };
    match result {
        Ok(code) => code,
        Err(Usage(message)) => usage(message),
    }
}

fn usage(message: String) -> ExitCode {
    eprintln!("zablab: {message}");
    ExitCode::from(2)
}
