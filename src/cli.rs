//! The command line's contract: its commands, flags, help texts and exit
//! codes, declared with `clap` (derive). `zablab --help` and each
//! `zablab COMMAND --help` state the inputs, outputs and exit codes; the
//! README's "The command line" section says the same.
//!
//! Owns parsing and the one-line usage errors (exit 2). Never runs
//! anything: `main.rs` dispatches to the commands.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use zablab_core::KNOWN_VARIANTS;

const ABOUT: &str = "zablab: run ZooKeeper's atomic broadcast (ZAB) as a deterministic simulation";

/// The top-level synopsis (`zablab --help` prints it under "Usage:").
const USAGE: &str = "
  zablab run FILE.json [--json] [--log] [--diagnose]
                                  run a scenario (v1) to its until_ms
  zablab fuzz --seeds N [--from S] [--variant FLAG] [--recipes] [--out DIR] [--jobs J] [--shrink K]
                                  random fault schedules, checked after every event
  zablab fixture DIR              run every DIR/*.json scenario and write
                                  their hashes to DIR/hashes.json
  zablab bench [--quick] [--memory [--hours N] [--bare] [--purge-interval H] [--snap-retain-count N]]
  zablab bench --only import [--quick]
                                  measure speed, or (--memory) what a long
                                  run costs the app: `name: value unit` lines
  zablab conform FILE.json [...] [--out DIR]
                                  each scenario on a real ZooKeeper 3.8.0
                                  ensemble and in the simulator, side by side
  zablab import FILES... [--cfg zoo.cfg] [--sid FILE=N] [--json]
               [--diagnose] [--replay OUT.json]
                                  real ZooKeeper logs, zoo.cfg and saved
                                  4lw in: a timeline of leaders and syncs,
                                  a diagnosis, a scenario that replays it
  zablab COMMAND --help           a command's inputs, outputs and exit codes
  zablab --help                   this text
  zablab --version                the version";

const TEMPLATE: &str = "{about}\n\n{usage-heading}{usage}{after-help}";

// Each command's contract in words, once: the top-level help prints them
// all, each command's `--help` its own.
macro_rules! run_text {
    () => {
        "\
run prints the run's summary; --json prints it as JSON (end_ms, events,
trace_hash, servers, leaders, syncs, writes, reads, fourlw, violations,
action_errors, and when present hazards, recipes, watches; always
diagnosis); --log also prints every server's log lines; --diagnose ends
with the diagnosis: what an operator would ask (why no leader, why writes
stall, why a SNAP, why a session expired, why reads are stale, ...)
answered with the evidence and the settings to look at."
    };
}

macro_rules! fuzz_text {
    () => {
        "\
fuzz runs seeds S..S+N (default S=1): each seed derives its options and a
fault schedule, then a healed liveness phase (a leader within a bound, every
running server synced, a fresh client's writes committed). Each failing
seed prints how to reproduce it; the first K (default 5) are shrunk to a
scenario file in DIR (default target/fuzz) that `zablab run` replays.
--variant switches a bug-museum flag on in every seed. --recipes adds lock
and group clients (checked for lock mutual exclusion after every event and
group convergence after the heal; lock holders whose session expired are
counted as hazards). J threads (default: the machine's cores). The last line is
`fuzz: N seeds, V violations, L liveness failures, R seeds/s`."
    };
}

macro_rules! fixture_text {
    () => {
        "\
fixture runs every DIR/*.json scenario (but DIR/hashes.json) and writes
their trace hashes and event counts to DIR/hashes.json: the reference-hash
fixture (tests/reference), which the browser build must reproduce."
    };
}

macro_rules! bench_text {
    () => {
        "\
bench runs static/scenarios/bench/bench-1h.json (one hour, five servers,
200 writes/s, a fault every five minutes) and prints its time, events/s,
a bare heap loop of as many events and the ratio, fuzz seeds/s on one
core, the app's seek p50/p95/max (its checkpoint policy) and the time to
clone a checkpoint. --quick: the same on the first 60 s (smoke test).
--memory: instead, the app's engine on that hour looped N times (--hours,
default 24): its RSS after each virtual hour and at the end, its peak,
and seeks to the last 10 minutes and anywhere (p50/p95/max wall ms, p95
events replayed, the costliest by the moment's age in events). --bare:
the same run in a plain simulation, no time travel (what the model keeps
by itself). --purge-interval H, --snap-retain-count N: every server's
autopurge.purgeInterval (default 1, as an operator runs a cluster for
days; 0: off, every snapshot and txn log stays) and
autopurge.snapRetainCount (default 3), as in zoo.cfg. --only import: instead, the log importer on
the real runs' logs repeated to about 50 MB (--quick: 5 MB): import_input_mb,
import_lines, import_events, import_s, import_mb_per_s, import_summary_s."
    };
}

macro_rules! conform_text {
    () => {
        "\
conform (Linux, root; `scripts/setup conform` installs Debian's zookeeper
3.8.0, default-jre, iptables, iproute2) runs each scenario on a real
ensemble, one JVM per server on 127.0.0.1 in a private network namespace
(crash = SIGKILL, pause = SIGSTOP/SIGCONT, partitions = iptables inside
that namespace; slow links, slow disks and dropped messages are not
supported and what depends on them is skipped), and in the simulator. It
prints, per scenario, a side-by-side table: leaders and epochs, time
without a leader, each write's zxid and result, reads, each learner's sync
mode per epoch, not-serving answers, four-letter words (ports, latencies,
counts masked), every server's end state and data tree. DIR (default
target/conform) gets a directory per run with every server's log, conf,
4lw answers, report.md and report.json. Every process it starts is ended
by its PID, also on SIGINT/SIGTERM or if the tool is killed."
    };
}

macro_rules! import_text {
    () => {
        "\
import reads real ZooKeeper 3.5-3.9 server logs (log4j and logback layouts,
with or without [myid:N]; rolled files; .gz), zoo.cfg and its dynamic file,
and saved four-letter words (srvr, stat, mntr, conf); folders expand to
their files. Which server a log is: its [myid:N], ZooKeeper's own words in
it (QuorumPeer[myid=N]), --sid FILE=N, or its name (s3/, zookeeper-3.log).
It prints the servers, the clock skew estimated from paired lines, a
timeline (leaders and epochs, each learner's sync, starts, step-downs,
lost leaders, slow fsyncs, expired sessions), the time without a leader,
the lines not understood and a problem per file that could not be read
whole. --json prints the same as JSON: servers, leaders (sid, epoch,
established_ms), syncs (learner, leader, epoch, mode, how, at_ms), gaps,
events, unknown, skew, config, fourlw, problems, diagnosis; times in ms
after start_ms. --diagnose ends with the diagnosis from the real lines (a
crash, a pause, a partition, why no leader and for how long, why a server
stayed LOOKING, why a SNAP, expired sessions, slow fsyncs, digest
mismatches), each finding citing its lines, with the settings to look at
and what to do. --replay OUT.json writes a scenario (format v1) that
replays the import in the simulator (`zablab run OUT.json`); what it
inferred, each with its lines, goes to stderr.
docs/IMPORT.md says what is read and how."
    };
}

const AFTER_HELP: &str = concat!(
    run_text!(),
    "\n\n",
    fuzz_text!(),
    "\n\n",
    fixture_text!(),
    "\n\n",
    bench_text!(),
    "\n\n",
    conform_text!(),
    "\n\n",
    import_text!(),
    "\n\n",
    "\
Scenario files (format v1: every field, its default and unit, every action,
the error messages): docs/SCENARIO.md.

Exit codes: 0 no property violated, 1 a property violated, 2 bad input
(a usage error, or a file that cannot be read or is not a valid scenario:
one line `zablab: ...` on stderr, nothing on stdout, never a panic).
"
);

// What each command prints and its exit codes, as its help ends.
macro_rules! exit_run {
    () => {
        "\
Exit codes: 0 no property violated, 1 a property violated (each is printed,
and listed under `violations` with --json), 2 bad input: the file cannot be
read or is not a valid v1 scenario (docs/SCENARIO.md); one line
`zablab: FILE: <where>: <what>` on stderr, e.g.
`zablab: s.json: actions[3].client: client \"c9\" is never connected: ...`.
An action that cannot be done when its time comes (a server already up, no
leader at that moment) is not bad input: it is listed under action_errors
and the run goes on."
    };
}

macro_rules! exit_fuzz {
    () => {
        "\
Output: each failing seed's violations, `reproduce with: zablab fuzz --seeds 1
--from SEED ...`, the finding that explains it if one does, where its shrunk
scenario was written; `coverage: name: value` lines; the failing seeds
grouped by explanation (one line per known finding, then `fuzz: U of F
failing seeds are unexplained ...: [SEED (PROPERTY), ...]`); the time taken
(`fuzz: seeds S..E ran in T s on J thread(s) ...`); the last line is
`fuzz: N seeds, V violations, L liveness failures, R seeds/s`.

Exit codes: 0 every seed clean, 1 a seed failed (a violation or a liveness
failure), 2 a usage error."
    };
}

macro_rules! exit_fixture {
    () => {
        "\
Output: one line per scenario (file, trace hash, events), then `wrote N
scenarios to DIR/hashes.json`.

Exit codes: 0 written, 2 a directory or file that cannot be read or
written, or a scenario that is not valid (one line on stderr)."
    };
}

macro_rules! exit_bench {
    () => {
        "\
Output: `name: value unit` lines, always the same names in the same order
(sim_1h_5srv_200wps_s, sim_1h_events, events_per_s, sim_1h_trace, ...,
clone_checkpoint_us); --quick starts with a `# quick: ...` line. With
--memory: memory_hours, engine_long_compute_s, ..., seek_by_age_max_events;
with --bare: memory_hours, bare_rss_by_hour_mb, bare_peak_rss_mb; `# at`
lines show the progress.

Exit codes: 0 measured, 2 a usage error."
    };
}

macro_rules! exit_import {
    () => {
        "\
Exit codes: 0 something was imported (each file that could not be read
whole named on stderr: binary, not a ZooKeeper log, odd encoding, cut
short), 2 nothing was (no ZooKeeper log line, zoo.cfg or four-letter word
in the files given) or a usage error: one line `zablab: ...` on stderr."
    };
}

macro_rules! exit_conform {
    () => {
        "\
Exit codes: 0 every scenario agrees with the simulator (declared
timing-dependent facts may take any of their values), 1 a divergence (each
named on stdout and in report.md), 2 bad input, a machine that cannot run
a real ensemble (not root, no java or ZooKeeper: one line `zablab: ...` on
stderr), or a run interrupted (its servers ended)."
    };
}

// `zablab`: the command line of ZabLab (the about, usage and after-help
// texts above are its top-level help).
#[derive(Debug, Parser)]
#[command(
    name = "zablab",
    version,
    about = ABOUT,
    override_usage = USAGE,
    help_template = TEMPLATE,
    after_help = AFTER_HELP,
    subcommand_required = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (v1) to its until_ms (past it only while an expect waits out an election) and print its summary.
    #[command(after_help = concat!(run_text!(), "\n\n", exit_run!()))]
    Run(RunArgs),
    /// Random fault schedules, checked after every event.
    #[command(after_help = concat!(fuzz_text!(), "\n\n", exit_fuzz!()))]
    Fuzz(FuzzArgs),
    /// Run every DIR/*.json scenario and write their hashes to DIR/hashes.json.
    #[command(after_help = concat!(fixture_text!(), "\n\n", exit_fixture!()))]
    Fixture(FixtureArgs),
    /// Measure speed: `name: value unit` lines.
    #[command(after_help = concat!(bench_text!(), "\n\n", exit_bench!()))]
    Bench(BenchArgs),
    /// Run scenarios on a real ZooKeeper 3.8.0 ensemble and in the simulator, side by side.
    #[command(after_help = concat!(conform_text!(), "\n\n", exit_conform!()))]
    Conform(ConformArgs),
    /// Real ZooKeeper logs, zoo.cfg and saved 4lw in: a timeline of leaders, syncs and faults.
    #[command(after_help = concat!(import_text!(), "\n\n", exit_import!()))]
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (format v1, docs/SCENARIO.md).
    #[arg(value_name = "FILE.json")]
    pub file: PathBuf,
    /// Print the summary as JSON (its fields: docs/SCENARIO.md).
    #[arg(long)]
    pub json: bool,
    /// Also print every server's log lines (on stderr).
    #[arg(long)]
    pub log: bool,
    /// End with the diagnosis: an operator's questions, answered.
    #[arg(long)]
    pub diagnose: bool,
}

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// How many seeds to run.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = at_least_one)]
    pub seeds: u64,
    /// The first seed (seeds S..S+N).
    #[arg(long = "from", value_name = "S", default_value_t = 1, value_parser = whole)]
    pub from: u64,
    /// Switch a bug-museum flag on in every seed (repeatable).
    #[arg(long = "variant", value_name = "FLAG", value_parser = known_variant)]
    pub variants: Vec<String>,
    /// Add lock and group clients (lock exclusion, group convergence).
    #[arg(long)]
    pub recipes: bool,
    /// Where the shrunk scenarios are written.
    #[arg(long, value_name = "DIR", default_value = "target/fuzz")]
    pub out: PathBuf,
    /// Threads [default: the machine's cores].
    #[arg(long, value_name = "J", value_parser = whole)]
    pub jobs: Option<u64>,
    /// How many failing seeds to shrink to a scenario file.
    #[arg(long, value_name = "K", default_value_t = 5, value_parser = whole)]
    pub shrink: u64,
}

#[derive(Debug, Args)]
pub struct FixtureArgs {
    /// The directory of scenarios (tests/reference is the fixture).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Only the first 60 s (a smoke test; not comparable).
    #[arg(long)]
    pub quick: bool,
    /// One part alone instead: `import` (the log importer's MB/s).
    #[arg(long, value_name = "PART", value_parser = ["import"], conflicts_with = "memory")]
    pub only: Option<String>,
    /// A long run's memory instead (the app's engine, seeks by age).
    #[arg(long)]
    pub memory: bool,
    /// With --memory: virtual hours of the looped benchmark hour.
    #[arg(long, value_name = "N", default_value_t = 24, value_parser = at_least_one, requires = "memory")]
    pub hours: u64,
    /// With --memory: the same run without time travel (the model alone).
    #[arg(long, requires = "memory")]
    pub bare: bool,
    /// With --memory: every server's `autopurge.purgeInterval`, in hours
    /// (1 by default, as an operator runs a cluster for days; 0 keeps every
    /// snapshot and txn log, ZooKeeper's own default).
    #[arg(long, value_name = "H", default_value_t = 1, requires = "memory")]
    pub purge_interval: u64,
    /// With --memory: every server's `autopurge.snapRetainCount`.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "memory")]
    pub snap_retain_count: u64,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Server logs, zoo.cfg, saved 4lw outputs, or folders of them (.gz too).
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,
    /// A zoo.cfg (or its dynamic file) to read with the logs (repeatable).
    #[arg(long, value_name = "zoo.cfg")]
    pub cfg: Vec<PathBuf>,
    /// The server a file is, when its log does not say (repeatable).
    #[arg(long, value_name = "FILE=N")]
    pub sid: Vec<String>,
    /// Print the import as JSON (with its diagnosis).
    #[arg(long)]
    pub json: bool,
    /// End with the diagnosis: the operator's questions answered from the
    /// real lines, each finding citing them.
    #[arg(long)]
    pub diagnose: bool,
    /// Write a scenario that replays the import in the simulator (its
    /// inferences, each with its evidence, on stderr).
    #[arg(long, value_name = "OUT.json")]
    pub replay: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConformArgs {
    /// Scenario files (format v1, docs/SCENARIO.md).
    #[arg(value_name = "FILE.json", required = true)]
    pub files: Vec<PathBuf>,
    /// Where each run's directory is made.
    #[arg(long, value_name = "DIR", default_value = "target/conform")]
    pub out: PathBuf,
    /// Play a diverging scenario again, up to N more times; it agrees when
    /// a later play does (the first play's divergences are still printed).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = whole_u32)]
    pub reruns: u32,
}

fn whole(v: &str) -> Result<u64, String> {
    v.parse::<u64>()
        .map_err(|_| "needs a whole number".to_string())
}

fn whole_u32(v: &str) -> Result<u32, String> {
    v.parse::<u32>()
        .map_err(|_| "needs a whole number".to_string())
}

fn at_least_one(v: &str) -> Result<u64, String> {
    match whole(v)? {
        0 => Err("must be at least 1".to_string()),
        n => Ok(n),
    }
}

fn known_variant(v: &str) -> Result<String, String> {
    if KNOWN_VARIANTS.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(format!(
            "not a bug-museum flag this build knows (known: {})",
            KNOWN_VARIANTS.join(", ")
        ))
    }
}

/// What parsing gave: a command to run, or a text to print with its exit
/// code (help and version on stdout with 0, a usage error's one line on
/// stderr with 2).
pub enum Parsed {
    Run(Cli),
    Print { text: String, code: u8 },
    Usage(String),
}

/// Parses `args` (the program name first).
pub fn parse(args: &[OsString]) -> Parsed {
    match Cli::try_parse_from(args) {
        Ok(cli) => Parsed::Run(cli),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Parsed::Print {
                text: e.render().to_string(),
                code: 0,
            },
            ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                Parsed::Usage("no command given; try `zablab --help`".to_string())
            }
            _ => Parsed::Usage(one_line(&e, args)),
        },
    }
}

/// clap's error on one line: its message and tips, then where to look.
fn one_line(e: &clap::Error, args: &[OsString]) -> String {
    let text = e.render().to_string();
    let mut line = String::new();
    for part in text
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(|l| l.trim().trim_start_matches("error: "))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
    {
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(part);
    }
    let command = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|a| ["run", "fuzz", "fixture", "bench", "conform", "import"].contains(a));
    let help = match command {
        Some(c) => format!("zablab {c} --help"),
        None => "zablab --help".to_string(),
    };
    format!("{line}; try `{help}`")
}
